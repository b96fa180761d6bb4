"""Download buttons that re-check the login when clicked and are served only to their session.

A button's data is made when it is clicked (``on_click="ignore"`` with a callable), not at
render: at that moment the session and the user are read again from the database, so a user
removed (or a session ended) since the page was drawn gets an error, not the file.  The bytes
made are registered to the session (``auth.DOWNLOADS``); the server's front serves
``/media/…`` only to that session.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import streamlit as st

from zwgk.dashboard import auth
from zwgk.dashboard.adapters import Download
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import users
from zwgk.storage.db import Database


@functools.lru_cache(maxsize=1)
def pdf_font_problem() -> str:
    """ "" when PDF export can run, else a Chinese sentence naming the fix (checked once per process)."""
    from zwgk.assess.pdf import find_cjk_font

    try:
        find_cjk_font()
    except Exception:  # noqa: BLE001 - any failure to find or open a font means "PDF export unavailable", said below
        override = os.environ.get("ZWGK_CJK_FONT")
        if override:
            return f"PDF 导出不可用：ZWGK_CJK_FONT 指向的字体文件不存在（{override}）。"
        return (
            "PDF 导出不可用：未找到中文字体。请运行 pip install pylopdf-fonts-zh-cn"
            "（或 sudo apt-get install fonts-noto-cjk），或设置环境变量 ZWGK_CJK_FONT "
            "指向中文字体文件，然后重启仪表盘。"
        )
    return ""


def _fresh_viewer(db: Database, sid: str) -> Viewer:
    found = users.session_by_id(db, sid)
    if found is None:
        raise PermissionError("会话已结束或账号已被删除，请重新登录后下载。")
    user = found[1]
    return Viewer(user.username, user.role, user.unit_ids)


def button(
    container: object,
    label: str,
    db: Database,
    make: Callable[[Viewer], Download],
    file_name: str,
    mime: str,
    key: str,
    help: str | None = None,
    pdf: bool = False,
) -> None:
    """A download button whose file is made (and re-authorised) at click time."""
    from zwgk.dashboard.views import SESSION_ID_KEY

    sid = str(st.session_state.get(SESSION_ID_KEY, ""))
    problem = pdf_font_problem() if pdf else ""

    def data() -> bytes:
        viewer = _fresh_viewer(db, sid)
        made = make(viewer).data
        auth.DOWNLOADS.add(made, sid)
        return made

    container.download_button(  # type: ignore[attr-defined]
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        key=key,
        disabled=bool(problem),
        help=problem or help,
    )
