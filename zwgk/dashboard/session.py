"""Who is logged in, read afresh on every script run from the browser's signed session cookie.

The login itself is the HTML form of ``zwgk.dashboard.server`` (it sets the cookie).  Here
the cookie of the *current* connection (``st.context.cookies``: the websocket's own request)
is verified and its session and user are re-read from the database on every run, so:

* a reload or a new tab stays logged in (the cookie goes with every request);
* removing a user, a new password, logging out, the idle timeout or the absolute lifetime
  end access at the next click;
* a Streamlit session id re-attached without the cookie finds nobody logged in (nothing
  about the login is kept in ``st.session_state``).
"""

from __future__ import annotations

import streamlit as st

from zwgk.dashboard import auth
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import users
from zwgk.storage.db import Database

LOGIN_URL = "/zwgk/login"
LOGOUT_URL = "/zwgk/logout"


def cookie_token(db_url: str) -> str:
    """The verified session token of this connection, or ""."""
    try:
        cookies = dict(st.context.cookies)
    except Exception:  # noqa: BLE001 - no script-run context (bare mode) or no request: nobody is logged in
        return ""
    return auth.session_token(db_url, cookies)


def current_session(db: Database, db_url: str) -> tuple[str, Viewer] | None:
    """(session id, viewer) of the live session of this connection, or None."""
    token = cookie_token(db_url)
    found = users.session_user(db, token) if token else None
    if found is None:
        return None
    sess, user = found
    return sess.id, Viewer(user.username, user.role, user.unit_ids)


def current_viewer(db: Database, db_url: str) -> Viewer | None:
    found = current_session(db, db_url)
    return found[1] if found else None


def login_prompt() -> None:
    """Nobody (or an ended session) on this connection: say so and point to the login form."""
    st.title("政务公开第三方评估")
    st.info("请先登录，或会话已过期。")
    st.link_button("前往登录", LOGIN_URL)


def logout(db: Database, db_url: str) -> None:
    """End this connection's session on the server (its cookie is refused from now on)."""
    users.end_session(db, cookie_token(db_url))
