"""政府信息公开年报: the 年报 a round read — per unit whether last year's report follows the 2021
format, has its three tables and whose totals agree; one unit's reports with the tables as typed
figures, the arithmetic checked and the REPORT-* findings with their evidence.

Everything shown was read from the units' sites (titles, table labels) and stays text: tables
are dataframes, details ``st.text``; only http(s) addresses become links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from zwgk.dashboard import adapters, cache, queries, safe
from zwgk.dashboard import downloads as dl
from zwgk.dashboard.labels import KIND_LABELS, REPORT_OVERVIEW_LABELS, REVIEW_LABELS
from zwgk.dashboard.safe import http_url
from zwgk.dashboard.viewer import Viewer
from zwgk.dashboard.views.unit import pick_unit
from zwgk.storage.db import Database

OVERVIEW_COLS = [
    "unit_name",
    "unit_id",
    "tier",
    "read",
    "source",
    "template",
    "template_ok",
    "tables",
    "tables_complete",
    "totals_consistent",
    "checks_failed",
    "unsure",
    "report_findings",
    "missing_tables",
    "document_link",
]
YES_NO = ("是", "否")


def _yes_no(value: object) -> str:
    """是 / 否 / — (not applicable: no report read, or no table to check)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return YES_NO[0] if bool(value) else YES_NO[1]


def overview_table(frame: pd.DataFrame) -> None:
    """The round's units: template recognised, tables complete, totals consistent; problems first."""
    year = int(frame["year"].iloc[0])
    read = frame[frame["read"] == "已读取"]
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("单位", len(frame))
    c2.metric(f"读到{year}年度年报", len(read))
    c3.metric("格式符合", int(read["template_ok"].fillna(False).sum()))
    c4.metric("统计表齐全", int(read["tables_complete"].fillna(False).sum()))
    c5.metric("数字相符", int(read["totals_consistent"].fillna(False).sum()))
    only = st.checkbox("只看有问题的单位", key="w_report_problems")
    shown = frame
    if only:
        problem = (
            frame["findings"].gt(0)
            | frame["template_ok"].eq(False)
            | frame["tables_complete"].eq(False)
            | frame["totals_consistent"].eq(False)
            | (frame["read"] != "已读取")
        )
        shown = frame[problem.fillna(False).astype(bool)]
    view = shown.assign(
        tier=shown["tier"].astype(str),
        **{
            c: [_yes_no(v) for v in shown[c]] for c in ("template_ok", "tables_complete", "totals_consistent", "unsure")
        },
    )
    view = view.assign(tables=[f"{t}/3" if not pd.isna(t) else "—" for t in shown["tables"]])
    config = {c: st.column_config.TextColumn(REPORT_OVERVIEW_LABELS[c]) for c in OVERVIEW_COLS}
    config["checks_failed"] = st.column_config.NumberColumn(REPORT_OVERVIEW_LABELS["checks_failed"], format="%d")
    config["report_findings"] = st.column_config.TextColumn(REPORT_OVERVIEW_LABELS["report_findings"], width="large")
    config["document_link"] = st.column_config.LinkColumn(REPORT_OVERVIEW_LABELS["document_link"], max_chars=60)
    st.caption(f"共 {len(shown)} 个单位；「—」表示未读到年报或没有可核对的统计表。")
    st.dataframe(
        view[OVERVIEW_COLS], hide_index=True, placeholder="—", width="stretch", column_config=config, key="report_table"
    )


def _maker(db: Database, round_id: int, fmt: str) -> Callable[[Viewer], adapters.Download]:
    """The file of one format, made for the viewer who clicks (re-read at click time)."""
    return lambda v: adapters.report_overview_download(db, v, round_id, fmt)


def _downloads(db: Database, round_id: int) -> None:
    name = adapters._round_name(db, round_id)
    c1, c2, _ = st.columns([1, 1, 3])
    for col, fmt, label in ((c1, "xlsx", "下载年报核查表 (xlsx)"), (c2, "csv", "下载年报核查表 (CSV)")):
        dl.button(
            col,
            label,
            db,
            _maker(db, round_id, fmt),
            f"年报核查-{name}.{fmt}",
            adapters.MIME[fmt],
            f"dl_reports_{fmt}",
        )


def _figures(df: pd.DataFrame, key: str) -> None:
    """A statistical table: the label column as text, every figure as a number."""
    config: dict[str, Any] = {"项目": st.column_config.TextColumn("项目", width="large")}
    for col in df.columns:
        if col != "项目" and pd.api.types.is_numeric_dtype(df[col]):
            config[col] = st.column_config.NumberColumn(str(col))
    st.dataframe(df, hide_index=True, placeholder="—", width="stretch", column_config=config, key=key)


def report_block(report: queries.AnnualReportView, judged_year: int) -> None:
    """One year's report as read: where from, format, the three tables and their arithmetic."""
    st.text(f"标题：{report.title or '—'}")
    st.text(
        f"来源：{report.source or '—'}    格式：{report.template or '—'}    "
        f"六部分标题：{len(report.sections)}/6（{''.join(report.sections) or '无'}）"
        + ("    （本轮据此判定）" if report.year == judged_year else "")
    )
    st.text(f"地址：{report.document or '—'}")
    if http_url(report.document):
        st.link_button("打开年报", report.document)
    if report.unreadable:
        st.text(f"无法读取：{report.unreadable}")
    for note in report.notes:
        st.text(note)
    st.markdown("**二、主动公开政府信息情况**")
    if report.active.empty:
        st.caption("未识别到该表。")
    else:
        _figures(report.active, f"report_active_{report.year}")
    st.markdown("**三、收到和处理政府信息公开申请情况**")
    if report.requests.empty:
        st.caption("未识别到该表。")
    else:
        _figures(report.requests, f"report_requests_{report.year}")
    st.markdown("**四、政府信息公开行政复议、行政诉讼情况**")
    if report.review.empty:
        st.caption("未识别到该表。")
    else:
        _figures(report.review, f"report_review_{report.year}")
    st.markdown("**数字核对**")
    if report.checks.empty:
        st.caption("没有可核对的统计表。")
        return
    failed = report.checks[~report.checks["holds"]]
    st.caption(f"核对 {len(report.checks)} 项，不相符 {len(failed)} 项（不相符的排在前面）。")
    checks = pd.concat([failed, report.checks[report.checks["holds"]]])
    st.dataframe(
        checks.assign(
            holds=["相符" if h else "不相符" for h in checks["holds"]],
            sure=["确定" if s else "存疑（表格行识别不确定）" for s in checks["sure"]],
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "check": st.column_config.TextColumn("核对内容", width="large"),
            "holds": "结果",
            "sure": "识别",
        },
        key=f"report_checks_{report.year}",
    )


def findings_block(frame: pd.DataFrame) -> None:
    """The unit's REPORT-* findings: what failed, with the rule's own evidence, as text."""
    st.markdown("**年报问题**")
    if frame.empty:
        st.success("本轮没有年报问题。")
        return
    view = frame.assign(review=frame["review"].map(REVIEW_LABELS).fillna(frame["review"]))
    st.dataframe(
        view[["rule_name", "subject", "message", "detail", "points", "review", "page_link"]],
        hide_index=True,
        placeholder="—",
        width="stretch",
        column_config={
            "rule_name": "规则",
            "subject": "年度",
            "message": st.column_config.TextColumn("问题描述", width="large"),
            "detail": st.column_config.TextColumn("未通过的核对", width="large"),
            "points": st.column_config.NumberColumn("扣分", format="%.1f"),
            "review": "核查状态",
            "page_link": st.column_config.LinkColumn("年报地址", max_chars=60),
        },
        key="report_findings",
    )
    labels = {int(r.id): f"{r.rule_name} · {r.subject}" for r in frame.itertuples()}
    fid = st.selectbox("问题证据", list(labels), format_func=lambda i: labels[i], key="w_report_finding")
    row = frame[frame["id"] == fid].iloc[0]
    st.text(f"问题描述：{row['message']}")
    st.text(f"整改建议：{row['fix']}")
    if row["detail"]:
        st.text("未通过的核对：")
        st.text(row["detail"])
    with st.expander("证据原始数据（供核查人员）"):
        st.code(row["evidence_json"], language="json", wrap_lines=True)


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("政府信息公开年报")
    st.caption(
        "评估读取各单位网站上的政府信息公开工作年度报告（网页或PDF/Word附件），按国办公开办函〔2021〕30号格式"
        "识别六部分标题和三张统计表，并核对表内数字；本轮判定的是评估日上一年度的年报。"
    )
    frame = cache.report_overview(url, round_id, cache.key(viewer))
    st.subheader("各单位年报核查")
    if frame.empty:
        st.info("本轮没有可查看的单位。")
    else:
        _downloads(db, round_id)
        overview_table(frame)
    st.subheader("单位年报")
    unit_id = pick_unit(url, viewer, round_id, key="w_report_unit")
    if unit_id is None:
        st.info("本轮没有可查看的单位。")
        return
    reports = queries.unit_reports(db, viewer, round_id, unit_id)  # PermissionError for others' units
    info = queries.unit_info(db, viewer, unit_id)
    safe.subheader(f"{info['name']}（{unit_id}）")
    st.text(f"类型：{KIND_LABELS.get(info['kind'], info['kind'])}    网站：{info['site_url']}")
    findings_block(queries.report_findings(db, viewer, round_id, unit_id))
    if not reports:
        st.info("本轮没有在该单位网站上读到政府信息公开年报。")
        return
    judged = int(frame["year"].iloc[0]) if not frame.empty else reports[0].year
    years = [r.year for r in reports]
    year = st.selectbox(
        "年报年度",
        years,
        index=years.index(judged) if judged in years else 0,
        format_func=lambda y: f"{y}年度" + ("（本轮判定）" if y == judged else ""),
        key="w_report_year",
    )
    report_block(next(r for r in reports if r.year == year), judged)
