"""整改清单: a department's items with deadlines and status, downloadable as xlsx, CSV, PDF and Word."""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from zwgk.dashboard import adapters, queries, safe
from zwgk.dashboard import downloads as dl
from zwgk.dashboard.labels import RECT_LABELS, RECT_STATUS_LABELS
from zwgk.dashboard.viewer import Viewer
from zwgk.dashboard.views.unit import pick_unit
from zwgk.storage.db import Database

_UNSAFE_FILE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_stem(text: str) -> str:
    """A unit name usable in a download's file name (no path separators or control characters)."""
    return _UNSAFE_FILE.sub("_", text).strip(" ._")[:60] or "单位"


def _maker(db: Database, unit_id: str, fmt: str, round_id: int) -> Callable[[Viewer], adapters.Download]:
    """The file of one format, made for the viewer who clicks (a function, not a lambda in the loop:
    each button keeps its own format)."""
    return lambda v: adapters.rectification_download(db, v, unit_id, fmt, round_id)


def _downloads(db: Database, viewer: Viewer, unit_id: str, unit_name: str, round_id: int) -> None:
    viewer.require_unit(unit_id)  # before offering anything
    stem = file_stem(unit_name)
    cols = st.columns([1, 1, 2, 2, 1])
    for col, fmt, label in (
        (cols[0], "xlsx", "下载 xlsx"),
        (cols[1], "csv", "下载 CSV"),
        (cols[2], "pdf", "下载整改通知书 (PDF)"),
        (cols[3], "docx", "下载整改通知书 (Word)"),
    ):
        name = f"整改通知书-{stem}.{fmt}" if fmt in ("pdf", "docx") else f"整改清单-{stem}.{fmt}"
        dl.button(
            col,
            label,
            db,
            _maker(db, unit_id, fmt, round_id),
            name,
            adapters.MIME[fmt],
            f"dl_rect_{fmt}",
            pdf=fmt == "pdf",
        )
    problem = dl.pdf_font_problem()
    if problem:
        safe.warning(problem)


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("整改清单")
    unit_id = pick_unit(url, viewer, None, key="w_rect_unit")
    if unit_id is None:
        st.info("没有可查看的单位。")
        return
    frame = queries.rectification(db, viewer, unit_id=unit_id)  # PermissionError for others' units
    info = queries.unit_info(db, viewer, unit_id)
    safe.subheader(f"{info['name']}（{unit_id}）")
    counts = frame["status"].value_counts() if not frame.empty else {}
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("整改事项", len(frame))
    c2.metric("待整改", int(counts.get("open", 0)))
    c3.metric("逾期未改", int(counts.get("overdue", 0)))
    c4.metric("已整改", int(counts.get("fixed", 0)))
    _downloads(db, viewer, unit_id, info["name"], round_id)
    if frame.empty:
        st.success("没有整改事项。")
        return
    st.caption("「已整改」表示后续轮次复查时该问题已不再出现；逾期未改的事项在下一轮评分中加扣分。")
    view = frame.assign(
        status=[
            RECT_STATUS_LABELS.get(s, s) + ("（已过期限）" if past and s == "open" else "")
            for s, past in zip(frame["status"], frame["past_deadline"])
        ]
    )
    # what a department acts on first: the problem, what to do, by when
    cols = [
        "message",
        "fix",
        "deadline",
        "status",
        "rule_name",
        "subject",
        "page_link",
        "points",
        "opened_round",
        "last_seen_round",
        "closed_round",
    ]
    config = {c: st.column_config.TextColumn(RECT_LABELS[c]) for c in cols if c in RECT_LABELS}
    config["message"] = st.column_config.TextColumn(RECT_LABELS["message"], width="large")
    config["fix"] = st.column_config.TextColumn(RECT_LABELS["fix"], width="large")
    config["deadline"] = st.column_config.DateColumn("期限", format="YYYY-MM-DD", width="small")
    config["points"] = st.column_config.NumberColumn(RECT_LABELS["points"], format="%.1f")
    config["page_link"] = st.column_config.LinkColumn("问题页面", max_chars=80)
    item_cards(view)
    st.markdown("**全部事项（表格）**")
    st.dataframe(view[cols], hide_index=True, placeholder="—", width="stretch", column_config=config, key="rect_table")


MAX_CARDS = 30


def item_cards(view) -> None:
    """Open items one by one, problem / what to do / by when in full (a table cuts long text off)."""
    todo = view[view["status"].str.startswith(("待整改", "逾期"))].head(MAX_CARDS)
    if todo.empty:
        return
    st.markdown(f"**待办事项**（{len(todo)} 项{f'，仅列前 {MAX_CARDS} 项' if len(todo) == MAX_CARDS else ''}）")
    for i, row in enumerate(todo.itertuples(), start=1):
        with st.container(border=True):
            deadline = row.deadline.isoformat() if hasattr(row.deadline, "isoformat") else str(row.deadline or "—")
            st.markdown(safe.plain(f"{i}. {row.rule_name}　状态：{row.status}　期限：{deadline}"))
            st.markdown(safe.plain(f"问题描述：{row.message}"))
            st.markdown(safe.plain(f"整改要求：{row.fix}"))
            if row.page_link:
                st.caption(safe.plain(f"问题页面：{row.page_link}"))
