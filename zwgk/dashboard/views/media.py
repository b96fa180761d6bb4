"""政务新媒体: each unit's registered accounts (platform, 运营主体), their newest post and the days
since as of the round's date, and the status the round's MEDIA-* rules gave them; stale accounts
first and marked.  An account's posts (from the platform's export or its RSS/Atom feed) below.

Account names, operators and post titles come from units' files and feeds: shown as dataframe
cells and ``st.text`` only; only http(s) addresses become links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from zwgk.dashboard import adapters, cache, queries
from zwgk.dashboard import downloads as dl
from zwgk.dashboard.labels import MEDIA_LABELS
from zwgk.dashboard.viewer import Viewer
from zwgk.storage.db import Database

TABLE_COLS = [
    "unit_name",
    "platform",
    "name",
    "operator",
    "last_post",
    "days_since",
    "status_label",
    "unanswered",
    "check",
    "observed_until",
    "posts",
    "unit_id",
    "account_link",
    "feed_link",
]
STALE_MARK = "⚠ "
STALE_BACKGROUND = "background-color: #fde2e1"
MAX_STYLED_CELLS = 200_000  # pandas' Styler refuses past 262,144 cells; the mark in the status stays
ALL_UNITS = "全部单位"


def _maker(db: Database, round_id: int, fmt: str) -> Callable[[Viewer], adapters.Download]:
    """The file of one format, made for the viewer who clicks (re-read at click time)."""
    return lambda v: adapters.media_download(db, v, round_id, fmt)


def _downloads(db: Database, round_id: int) -> None:
    name = adapters._round_name(db, round_id)
    c1, c2, _ = st.columns([1, 1, 3])
    for col, fmt, label in ((c1, "xlsx", "下载账号表 (xlsx)"), (c2, "csv", "下载账号表 (CSV)")):
        dl.button(
            col,
            label,
            db,
            _maker(db, round_id, fmt),
            f"政务新媒体-{name}.{fmt}",
            adapters.MIME[fmt],
            f"dl_media_{fmt}",
        )


def _highlight(row: pd.Series) -> list[str]:
    return [STALE_BACKGROUND if row["stale"] else ""] * len(row)


def accounts_table(shown: pd.DataFrame) -> None:
    """The accounts, stale ones marked ⚠ and (when the table is not huge) shaded."""
    view = shown.assign(
        status_label=[STALE_MARK + s if stale else s for s, stale in zip(shown["status_label"], shown["stale"])],
        unanswered=["有" if u else "" for u in shown["unanswered"]],
    )
    config: dict[str, Any] = {c: st.column_config.TextColumn(MEDIA_LABELS[c]) for c in TABLE_COLS}
    config["last_post"] = st.column_config.DateColumn(MEDIA_LABELS["last_post"], format="YYYY-MM-DD")
    config["observed_until"] = st.column_config.DateColumn(MEDIA_LABELS["observed_until"], format="YYYY-MM-DD")
    config["days_since"] = st.column_config.NumberColumn(MEDIA_LABELS["days_since"], format="%d")
    config["posts"] = st.column_config.NumberColumn(MEDIA_LABELS["posts"], format="%d")
    config["account_link"] = st.column_config.LinkColumn(MEDIA_LABELS["account_link"], max_chars=50)
    config["feed_link"] = st.column_config.LinkColumn(MEDIA_LABELS["feed_link"], max_chars=50)
    table = view[[*TABLE_COLS, "stale"]]
    data: Any = table
    if len(table) * len(table.columns) <= MAX_STYLED_CELLS:
        data = table.style.apply(_highlight, axis=1)
    config["stale"] = None  # carries the shading, not shown
    st.dataframe(data, hide_index=True, placeholder="—", width="stretch", column_config=config, key="media_table")


def posts_block(db: Database, viewer: Viewer, shown: pd.DataFrame) -> None:
    """The chosen account's newest posts, as stored from its export or feed."""
    st.subheader("账号发布记录")
    labels = {
        int(r.account_id): f"{r.unit_name} · {r.platform} · {r.name}（{r.status_label}）" for r in shown.itertuples()
    }
    account_id = st.selectbox("账号", list(labels), format_func=lambda i: labels[i], key="w_media_account")
    row = shown[shown["account_id"] == account_id].iloc[0]
    posts = queries.media_posts(db, viewer, str(row["unit_id"]), int(account_id))
    st.text(
        f"运营主体：{row['operator'] or '—'}    存在性检查：{row['check']} {row['check_detail'] or ''}".rstrip()
        + f"    发布记录截至：{row['observed_until'] or '—'}"
    )
    if posts.empty:
        st.caption("没有该账号的发布记录（未导入平台导出文件，订阅源也未读到发布）。")
        return
    st.caption(f"最近 {len(posts)} 条发布（来自平台导出文件或RSS/Atom订阅源）。")
    st.dataframe(
        posts.assign(source=posts["source"].map({"feed": "订阅源", "import": "导出文件"}).fillna(posts["source"])),
        hide_index=True,
        placeholder="—",
        width="stretch",
        column_config={
            "posted_at": st.column_config.DatetimeColumn("发布时间", format="YYYY-MM-DD HH:mm"),
            "title": st.column_config.TextColumn("标题", width="large"),
            "link": st.column_config.LinkColumn("链接", max_chars=60),
            "comments": st.column_config.NumberColumn("留言/评论", format="%d"),
            "replied": st.column_config.NumberColumn("已回复", format="%d"),
            "source": "来源",
        },
        key="media_posts",
    )


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("政务新媒体")
    st.caption(
        "各单位报送的政务新媒体账号清单及其发布记录（平台导出文件、RSS/Atom订阅源）。天数和状态按本轮评估日计算："
        "评估日前两周内无更新的为「不更新」（单项否决），订阅源或主页已不存在的为「已无法访问」，"
        "发布记录未覆盖到评估日前一天的账号不作判定。"
    )
    wanted = st.query_params.get("unit")
    if wanted:
        queries.unit_info(db, viewer, str(wanted))  # PermissionError (refused) for a unit not the viewer's
    frame = cache.media_accounts(url, round_id, cache.key(viewer))
    if frame.empty:
        st.info("没有可查看的政务新媒体账号（请先运行 zwgk media import-accounts 导入账号清单）。")
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("账号", len(frame))
    c2.metric("不更新", int(frame["stale"].sum()))
    c3.metric("已无法访问", int((frame["status"] == "gone").sum()))
    c4.metric("留言未回复", int(frame["unanswered"].sum()))
    _downloads(db, round_id)
    units = dict(zip(frame["unit_id"], frame["unit_name"]))
    f1, f2 = st.columns([2, 3])
    options = [ALL_UNITS, *sorted(units)]
    index = options.index(str(wanted)) if wanted and str(wanted) in options else 0
    unit = f1.selectbox(
        "单位",
        options,
        index=index,
        format_func=lambda u: u if u == ALL_UNITS else f"{units[u]}（{u}）",
        key="w_media_unit",
    )
    statuses = list(dict.fromkeys(queries.MEDIA_STATUS.values()))
    chosen = f2.multiselect("状态", statuses, default=[], placeholder="全部状态", key="w_media_status")
    shown = frame if unit == ALL_UNITS else frame[frame["unit_id"] == unit]
    if chosen:
        shown = shown[shown["status_label"].isin(chosen)]
    st.caption(f"共 {len(shown)} 个账号，其中不更新 {int(shown['stale'].sum())} 个（标 ⚠，排在前面）。")
    if shown.empty:
        return
    accounts_table(shown)
    posts_block(db, viewer, shown)
