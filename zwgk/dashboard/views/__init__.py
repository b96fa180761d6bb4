"""The dashboard's pages and the frame around them (login, sidebar, round selector).

Pages are chosen in the sidebar and may be deep-linked with query parameters
(``?page=unit&unit=ID&round=NAME``).  A page the role may not open, or a unit
the viewer may not see, is refused with an error; the query layer refuses it
again regardless of what the page does.
"""

from __future__ import annotations

import streamlit as st

from zwgk.dashboard import cache, safe
from zwgk.dashboard.labels import PAGES, ROLE_LABELS, ROLE_PAGES
from zwgk.dashboard.session import current_session, login_prompt, logout
from zwgk.dashboard.viewer import Viewer
from zwgk.model import ZwgkError

SESSION_ID_KEY = "zwgk_sid"  # this run's session id, for the download callbacks (never trusted as a login)


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return str(value) if value else None


def _choose_round(url: str, viewer: Viewer) -> int | None:
    rounds = cache.rounds(url, cache.key(viewer))
    if rounds.empty:
        return None
    names = list(rounds["name"])
    wanted = _param("round")
    index = names.index(wanted) if wanted in names else 0
    partial = set(rounds.loc[rounds["partial"], "name"]) if "partial" in rounds else set()
    name = st.sidebar.selectbox(
        "评估轮次", names, index=index, key="w_round", format_func=lambda n: f"{n}（部分单位）" if n in partial else n
    )
    if name != wanted:
        st.query_params["round"] = name
    return int(rounds.loc[rounds["name"] == name, "id"].iloc[0])


def _choose_page(viewer: Viewer) -> str:
    allowed = list(ROLE_PAGES[viewer.role])
    wanted = _param("page")
    if wanted and wanted not in allowed:
        safe.refused("该页面")
        wanted = None
        st.query_params.pop("page", None)
        st.query_params.pop("unit", None)
    index = allowed.index(wanted) if wanted else 0
    page = st.sidebar.radio("页面", allowed, index=index, format_func=lambda p: PAGES[p], key="w_page")
    if page != wanted:
        st.query_params["page"] = page
        if wanted is not None:  # the user moved away from a deep link: drop its unit
            st.query_params.pop("unit", None)
    return page


def main() -> None:
    st.set_page_config(page_title="政务公开评估", page_icon="📊", layout="wide")
    try:
        _main()
    except Exception as exc:  # noqa: BLE001 - the page's last line: any error is a reference id, never a traceback
        safe.internal_error(exc)


def _main() -> None:
    url = cache.db_url()
    db = cache.database(url)
    found = current_session(db, url)
    if found is None:
        login_prompt()
        return
    sid, viewer = found
    st.session_state[SESSION_ID_KEY] = sid

    st.sidebar.markdown(f"**{ROLE_LABELS[viewer.role]}**")
    st.sidebar.text(viewer.username)
    if st.sidebar.button("退出登录", key="logout"):
        logout(db, url)
        st.query_params.clear()
        st.rerun()

    page = _choose_page(viewer)
    round_id = _choose_round(url, viewer)
    if round_id is None:
        st.info("数据库中还没有评估轮次。请先运行 `zwgk assess` 或 `zwgk demo`。")
        return

    from zwgk.dashboard.views import annual, evidence, media, overview, rectification, reports, unit, workbench

    render = {
        "overview": overview.render,
        "unit": unit.render,
        "workbench": workbench.render,
        "rectification": rectification.render,
        "evidence": evidence.render,
        "annual": annual.render,
        "reports": reports.render,
        "media": media.render,
    }[page]
    try:
        render(url, db, viewer, round_id)
    except PermissionError:
        safe.refused()
    except ZwgkError as exc:
        if "不存在" in str(exc) or "does not exist" in str(exc):
            safe.refused()
        else:
            safe.internal_error(exc)
