"""总览: the leader's picture in a minute — KPIs, ranking per tier, charts, trend, most improved.

Speed (bench/dashboard_scale.py, 13,385 units): the ranking frame is
cached, per-row work is vectorised (the tier list is read from the column
once, not once per tier), and the charts are built with
``plotly.graph_objects`` — ``plotly.express`` spent about 0.1 s per figure on
every run and about 2 s on its first call in a new server process.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from zwgk.dashboard import adapters, cache, queries, safe
from zwgk.dashboard import downloads as dl
from zwgk.dashboard.labels import KIND_LABELS, RANKING_LABELS
from zwgk.dashboard.safe import chart_label
from zwgk.dashboard.viewer import Viewer
from zwgk.storage.db import Database

CHART_BARS = 40


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _num(x: float | None) -> str:
    return "—" if x is None or pd.isna(x) else f"{x:.1f}"


def kpi_tiles(frame: pd.DataFrame) -> None:
    k = queries.kpis(frame)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("参评单位", f"{k['units']}", help=f"已测评 {k['measured']} 个")
    c2.metric("合格率", _pct(k["pass_rate"]))
    c3.metric("平均分", _num(k["mean_score"]))
    c4.metric("单项否决", f"{k['vetoes']}")


def downloads(db: Database, viewer: Viewer, round_id: int) -> None:
    """The round's files, named by round (``通报-2026-Q4.pdf``), made and re-authorised at click."""
    quarter = adapters.round_quarter(db, round_id)
    name = adapters._round_name(db, round_id)
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1])
    dl.button(
        c1,
        "下载通报 (PDF)",
        db,
        lambda v: adapters.bulletin_download(db, v, round_id),
        f"通报-{name}.pdf",
        "application/pdf",
        "dl_bulletin",
        pdf=True,
    )
    dl.button(
        c1,
        "下载通报 (Word)",
        db,
        lambda v: adapters.bulletin_download(db, v, round_id, "docx"),
        f"通报-{name}.docx",
        adapters.MIME["docx"],
        "dl_bulletin_docx",
    )
    dl.button(
        c2,
        "下载排名 (xlsx)",
        db,
        lambda v: adapters.scores_download(db, v, round_id, "xlsx"),
        f"得分排名-{name}.xlsx",
        adapters.MIME["xlsx"],
        "dl_scores",
    )
    dl.button(
        c3,
        f"下载{quarter}季通报 (PDF)",
        db,
        lambda v: adapters.quarterly_bulletin_download(db, v, quarter, "pdf"),
        f"季通报-{quarter}.pdf",
        "application/pdf",
        "dl_quarter_pdf",
        help="日监测可用率、各层级合格率、问题网站、整改进展（季通报）",
        pdf=True,
    )
    dl.button(
        c4,
        f"下载{quarter}季通报 (xlsx)",
        db,
        lambda v: adapters.quarterly_bulletin_download(db, v, quarter, "xlsx"),
        f"季通报-{quarter}.xlsx",
        adapters.MIME["xlsx"],
        "dl_quarter_xlsx",
    )
    problem = dl.pdf_font_problem()
    if problem:
        safe.warning(problem)
    if not adapters.monitoring_ran(db, quarter):
        safe.caption("尚未运行日监测（zwgk monitor），季通报中没有网站可用率数据。")


RANK_COLS = ["rank", "unit_name", "unit_id", "score", "verdict", "veto_reason", "weighted", "deductions", "bonus"]


def _ranking_config() -> dict:
    return {
        c: (
            st.column_config.NumberColumn(RANKING_LABELS[c], format="%.2f")
            if c in ("score", "weighted", "deductions", "bonus")
            else st.column_config.NumberColumn(RANKING_LABELS[c], format="%d")
            if c == "rank"
            else st.column_config.TextColumn(RANKING_LABELS[c])
        )
        for c in RANK_COLS
    }


def matching(frame: pd.DataFrame, search: str) -> pd.DataFrame:
    """The rows whose unit name or code contains ``search`` (the overview's search box)."""
    return frame[
        frame["unit_name"].str.contains(search, case=False, regex=False)
        | frame["unit_id"].str.contains(search, case=False, regex=False)
    ]


def ranking_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Tier picker, search and sort; 门户 and 部门 ranked in separate tables. Returns the rows shown."""
    present = set(frame["tier"].dropna().unique())  # once: set(column) per tier iterated 13k rows each time
    tiers = [t for t in queries.TIER_ORDER if t in present] + sorted(present - set(queries.TIER_ORDER))
    c1, c2, c3 = st.columns([1, 2, 1])
    tier = c1.selectbox("层级", tiers, key="w_tier") if tiers else None
    search = c2.text_input("搜索单位（名称或编码）", key="w_search").strip()
    order = c3.selectbox("排序", ["名次", "得分从高到低", "得分从低到高"], key="w_sort")
    shown = frame[frame["tier"] == tier] if tier is not None else frame
    if search:
        shown = matching(shown, search)
    if order == "得分从高到低":
        shown = shown.sort_values("score", ascending=False, na_position="last", kind="stable")
    elif order == "得分从低到高":
        shown = shown.sort_values("score", ascending=True, na_position="last", kind="stable")
    st.caption(f"共 {len(shown)} 个单位")
    for kind in ("portal", "department"):
        part = shown[shown["kind"] == kind]
        if part.empty:
            continue
        st.markdown(f"**{KIND_LABELS[kind]}排名**（{len(part)} 个）")
        st.dataframe(
            part[RANK_COLS],
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config=_ranking_config(),
            key=f"ranking_table_{kind}",
        )
    return shown


def score_chart(shown: pd.DataFrame) -> None:
    """Scores of the listed units, 门户 and 部门 side by side; a vetoed unit is a labelled red bar."""
    data = shown[shown["measured"].astype(bool)]
    if data.empty:
        return
    for kind in ("portal", "department"):
        part = data[data["kind"] == kind].head(CHART_BARS)
        if part.empty:
            continue
        vetoed = part["veto"].astype(bool)
        names = [chart_label(n) for n in part["unit_name"]]
        scores = pd.to_numeric(part["score"]).fillna(0.0).astype(float)
        fig = go.Figure()
        ok = ~vetoed
        fig.add_bar(name="得分", x=[n for n, k in zip(names, ok) if k], y=scores[ok], marker_color="#2e6fac")
        if vetoed.any():
            top = max(float(scores.max() or 0.0), 10.0)
            reasons = [chart_label(r or "单项否决") for r in part.loc[vetoed, "veto_reason"]]
            fig.add_bar(
                name="单项否决",
                x=[n for n, k in zip(names, vetoed) if k],
                y=[top * 0.04] * int(vetoed.sum()),
                marker_color="#c0392b",
                text=["否决"] * int(vetoed.sum()),
                textposition="outside",
                hovertext=reasons,
                hoverinfo="x+text",
            )
        if len(part) <= 3:  # a lone bar would fill the whole width
            fig.update_traces(width=0.4)
        fig.update_layout(
            title=f"{KIND_LABELS[kind]}得分（当前列表前 {len(part)} 个；红色为单项否决）",
            xaxis=dict(title="单位", tickangle=-45, categoryorder="array", categoryarray=names),
            yaxis=dict(title="得分"),
            height=420,
            margin=dict(l=10, r=10, t=50, b=10),
            barmode="overlay",
            legend=dict(orientation="h", y=1.08, x=1, xanchor="right"),
        )
        st.plotly_chart(fig, width="stretch", key=f"score_chart_{kind}")


def rule_chart(rules: pd.DataFrame) -> None:
    if rules.empty:
        st.caption("本轮没有发现问题。")
        return
    top = rules.head(25).iloc[::-1]
    fig = go.Figure(
        go.Bar(x=top["findings"], y=[chart_label(r) for r in top["rule_name"]], orientation="h"),
        layout=dict(
            title="问题分布（按规则）",
            xaxis=dict(title="问题数"),
            yaxis=dict(title="规则"),
            height=max(300, 22 * len(top) + 80),
            margin=dict(l=10, r=10, t=50, b=10),
        ),
    )
    st.plotly_chart(fig, width="stretch", key="rule_chart")


def trend_chart(tr: pd.DataFrame) -> None:
    if len(tr) < 2:
        st.caption("只有一个轮次，暂无趋势。")
        return
    fig = go.Figure(
        go.Scatter(x=[chart_label(r) for r in tr["round"]], y=tr["mean_score"].astype(float), mode="lines+markers"),
        layout=dict(
            title="各轮平均分",
            xaxis=dict(title="轮次"),
            yaxis=dict(title="平均分"),
            height=320,
            margin=dict(l=10, r=10, t=50, b=10),
        ),
    )
    st.plotly_chart(fig, width="stretch", key="trend_chart")
    table = tr[["round", "as_of", "units", "measured", "mean_score", "pass_rate", "vetoes"]]
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        width="stretch",
        column_config={
            "round": "轮次",
            "as_of": "评估日期",
            "units": "参评单位",
            "measured": "已测评",
            "mean_score": st.column_config.NumberColumn("平均分", format="%.2f"),
            "pass_rate": st.column_config.NumberColumn("合格率", format="percent"),
            "vetoes": "单项否决",
        },
    )


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    if not viewer.sees_all:
        raise PermissionError("总览包含全部单位，部门账号无权查看")
    vk = cache.key(viewer)
    st.title("总览")
    frame = cache.ranking(url, round_id, vk)
    kpi_tiles(frame)
    downloads(db, viewer, round_id)
    st.subheader("排名")
    if frame.empty:
        st.info("本轮还没有得分。")
        return
    shown = ranking_table(frame)
    score_chart(shown)
    left, right = st.columns(2)
    with left:
        rule_chart(cache.findings_by_rule(url, round_id, vk))
    with right:
        st.markdown("**进步最快**")
        mi = cache.most_improved(url, round_id, vk)
        if mi.empty:
            st.caption("没有上一轮可比，或没有单位得分上升。")
        else:
            st.dataframe(
                mi[["unit_name", "tier", "score_before", "score", "delta"]],
                hide_index=True,
                placeholder="—",
                width="stretch",
                column_config={
                    "unit_name": "单位",
                    "tier": "层级",
                    "score_before": st.column_config.NumberColumn("上轮得分", format="%.2f"),
                    "score": st.column_config.NumberColumn("本轮得分", format="%.2f"),
                    "delta": st.column_config.NumberColumn("提升", format="%+.2f"),
                },
            )
    ipv6_section(cache.ipv6_sites(url, round_id, vk))
    st.subheader("趋势")
    trend_chart(cache.trend(url, vk))


def ipv6_section(sites: pd.DataFrame) -> None:
    """IPv6支持度: per tier the mean score and the share of sites at or above the target, then the
    sites below it with the inner links that fail over IPv6 (``queries.ipv6_sites``)."""
    st.subheader("IPv6支持度")
    if sites.empty:
        st.caption("本轮没有IPv6支持度数据（未运行IPv6探测）。")
        return
    target = float(sites["target"].dropna().iloc[0]) if sites["target"].notna().any() else None
    tiers = queries.ipv6_by_tier(sites)
    st.dataframe(
        tiers,
        hide_index=True,
        placeholder="—",
        width="stretch",
        column_config={
            "tier": "层级",
            "sites": "网站数",
            "scored": "已评分",
            "mean": st.column_config.NumberColumn("平均支持度", format="%.1f"),
            "at_target": st.column_config.NumberColumn(f"达标数（≥{target:g}）" if target is not None else "达标数"),
            "share_at_target": st.column_config.NumberColumn("达标率", format="percent"),
        },
    )
    below = sites[sites["meets_target"].eq(False)]
    # the list of sites follows the ranking's tier picker and search box, as the ranking does
    tier, search = st.session_state.get("w_tier"), str(st.session_state.get("w_search") or "").strip()
    if tier:
        below = below[below["tier"] == tier]
    if search:
        below = matching(below, search)
    # the search text is typed by the user: it is never echoed into Markdown
    st.markdown(f"**未达标网站**（{'按上方层级与搜索' if tier or search else '全部层级'}：{len(below)} 个）")
    if below.empty:
        st.caption("全部已评分网站达到IPv6支持度目标。")
        return
    st.dataframe(
        below[["unit_name", "tier", "score", "unmeasured", "failing_count", "failing_links"]],
        hide_index=True,
        placeholder="—",
        width="stretch",
        column_config={
            "unit_name": "单位",
            "tier": "层级",
            "score": st.column_config.NumberColumn("IPv6支持度", format="%.1f"),
            "unmeasured": "未测指标",
            "failing_count": "IPv6无法访问的内链数",
            "failing_links": st.column_config.TextColumn("IPv6无法访问的内链", width="large"),
        },
    )
