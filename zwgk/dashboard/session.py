"""Login state of one browser session: who, since when, idle expiry.

The session holds only the user name and a timestamp; role and units are
re-read from the users table on every run, so removing a user or changing
their units takes effect at their next click, not at their next login.
"""

from __future__ import annotations

import time

import streamlit as st

from zwgk.dashboard.viewer import Viewer
from zwgk.storage import users
from zwgk.storage.db import Database

IDLE_SECONDS = 8 * 3600
_KEY = "zwgk_auth"


def current_viewer(db: Database, now: float | None = None) -> Viewer | None:
    """The logged-in viewer, or None (not logged in, idle too long, or user removed)."""
    now = time.time() if now is None else now
    auth = st.session_state.get(_KEY)
    if not auth:
        return None
    if now - float(auth.get("last", 0)) > IDLE_SECONDS:
        st.session_state.pop(_KEY, None)
        st.session_state["zwgk_notice"] = "会话已过期，请重新登录。"
        return None
    user = users.get_user(db, auth["username"])
    if user is None:
        st.session_state.pop(_KEY, None)
        return None
    auth["last"] = now
    return Viewer(user.username, user.role, user.unit_ids)


def login_form(db: Database) -> None:
    """The 登录 page: name + password; refusals say why (wrong, or locked until when)."""
    st.title("政务公开第三方评估 · 登录")
    notice = st.session_state.pop("zwgk_notice", None)
    if notice:
        st.info(notice)
    with st.form("login"):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        try:
            user = users.authenticate(db, name, password)
        except users.AuthError as exc:
            st.error(f"登录失败：{exc}")
            return
        st.session_state[_KEY] = {"username": user.username, "last": time.time()}
        st.rerun()


def logout() -> None:
    st.session_state.pop(_KEY, None)
    for k in list(st.session_state.keys()):
        if str(k).startswith(("w_", "login_")):
            st.session_state.pop(k, None)
