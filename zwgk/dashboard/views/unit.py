"""单位详情: one unit's score by indicator, its findings with evidence, its history across rounds."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from zwgk.dashboard import cache, queries, safe
from zwgk.dashboard.labels import (
    COMPOSITE_LABELS,
    FINDING_LABELS,
    KIND_LABELS,
    PART_LABELS,
    REVIEW_LABELS,
    SEVERITY_LABELS,
)
from zwgk.dashboard.safe import chart_label, http_url
from zwgk.dashboard.viewer import Viewer
from zwgk.storage.db import Database


def pick_unit(url: str, viewer: Viewer, round_id: int | None, key: str) -> str | None:
    """The unit to show: the ``unit`` query parameter if given, else a selectbox of visible units.

    The parameter is not trusted: the caller passes it to the query layer,
    which raises PermissionError for a unit the viewer may not see.
    """
    wanted = st.query_params.get("unit")
    units = cache.visible_units(url, round_id, cache.key(viewer))
    if units.empty and not wanted:
        return None
    ids = list(units["unit_id"])
    names = dict(zip(units["unit_id"], units["name"]))
    if wanted and wanted not in ids:
        return str(wanted)  # refused (or "not in this round") by the query layer
    index = ids.index(wanted) if wanted in ids else 0
    chosen = st.selectbox("单位", ids, index=index, format_func=lambda u: f"{names.get(u, u)}（{u}）", key=key)
    if chosen != wanted:
        st.query_params["unit"] = chosen
    return chosen


def findings_table(frame: pd.DataFrame, key: str, with_unit: bool = False) -> None:
    """Findings as a dataframe: crawled text stays text; only http(s) pages become links."""
    if frame.empty:
        st.caption("没有问题记录。")
        return
    view = frame.assign(
        severity=frame["severity"].map(SEVERITY_LABELS).fillna(frame["severity"]),
        review=frame["review"].map(REVIEW_LABELS).fillna(frame["review"]),
    )
    cols = (["unit_name"] if with_unit else []) + [
        "rule_name",
        "subject",
        "message",
        "fix",
        "severity",
        "points",
        "page_link",
        "http_status",
        "dates",
        "review",
        "review_reason",
        "evidence",
    ]
    config = {c: st.column_config.TextColumn(FINDING_LABELS[c]) for c in cols if c in FINDING_LABELS}
    config["page_link"] = st.column_config.LinkColumn(FINDING_LABELS["page_link"], max_chars=80)
    config["points"] = st.column_config.NumberColumn(FINDING_LABELS["points"], format="%.1f")
    st.dataframe(view[cols], hide_index=True, placeholder="—", width="stretch", column_config=config, key=key)


def finding_details(frame: pd.DataFrame, key: str) -> None:
    """One finding in full, as plain text (crawled text is never interpreted as Markdown or HTML)."""
    if frame.empty:
        return
    labels = {int(r.id): f"{r.rule_name} · {str(r.subject)[:80]}" for r in frame.itertuples()}
    fid = st.selectbox("问题详情", list(labels), format_func=lambda i: labels[i], key=key)
    row = frame[frame["id"] == fid].iloc[0]
    st.text(
        f"规则：{row['rule_name']}    性质：{SEVERITY_LABELS.get(row['severity'], row['severity'])}    "
        f"扣分：{row['points']:g}    核查：{REVIEW_LABELS.get(row['review'], row['review'])}"
    )
    st.text(f"对象：{row['subject']}")
    st.text(f"问题描述：{row['message']}")
    st.text(f"整改建议：{row['fix']}")
    st.text(f"页面：{row['page'] or '—'}")
    st.text(f"状态：{row['http_status'] or '—'}    日期：{row['dates'] or '—'}")
    if isinstance(row["page_link"], str) and http_url(row["page_link"]):
        st.link_button("打开问题页面", row["page_link"])
    st.text("证据：")
    st.text(row["evidence"] or "—")
    with st.expander("证据原始数据（供核查人员）"):
        st.code(row["evidence_json"], language="json", wrap_lines=True)


def breakdown_chart(bd: pd.DataFrame) -> None:
    data = bd[bd["part"] != "bonus"]
    if data.empty:
        return
    names = [chart_label(n) for n in data["name"]]
    fig = go.Figure()
    fig.add_bar(name="应得分", x=names, y=data["available"])
    fig.add_bar(name="实得分", x=names, y=data["earned"])
    fig.add_bar(name="扣分", x=names, y=data["deducted"])
    fig.update_layout(
        barmode="group", height=360, title="分项得分（应得分 / 实得分 / 扣分）", margin=dict(l=10, r=10, t=50, b=10)
    )
    st.plotly_chart(fig, width="stretch", key="breakdown_chart")


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.title("单位详情")
    unit_id = pick_unit(url, viewer, round_id, key="w_unit")
    if unit_id is None:
        st.info("本轮没有可查看的单位。")
        return
    detail = queries.unit_detail(db, viewer, round_id, unit_id)  # PermissionError for others' units
    u = detail.unit
    safe.subheader(f"{u['name']}（{u['unit_id']}）")
    st.text(f"层级：{u['tier']}    类型：{KIND_LABELS.get(u['kind'], u['kind'])}    网站：{u['site_url']}")
    sc = detail.score
    if sc is None:
        st.info("该单位本轮没有得分记录。")
    else:
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("得分", "—" if sc["score"] is None else f"{sc['score']:.2f}")
        c2.metric("名次", "—" if sc["rank"] is None else str(sc["rank"]))
        c3.metric("结论", sc["verdict"])
        c4.metric("绩效折算", "—" if sc["weighted"] is None else f"{sc['weighted']:.2f}")
        if sc["veto"]:
            reason = queries.veto_reasons(db, viewer, round_id).get(unit_id, "")
            st.text(f"单项否决原因：{reason or '见下方问题列表'}")
        for note in detail.notes:
            if note.startswith("单项否决"):  # "单项否决 veto: CODE; …" — said above with the rule's name
                continue
            st.text(note)
    if not detail.breakdown.empty:
        st.markdown("**分项得分**")
        bd = detail.breakdown
        view = bd.assign(part=bd["part"].map(PART_LABELS).fillna(bd["part"]))
        st.dataframe(
            view[["name", "part", "available", "earned", "deducted", "findings", "status"]],
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={
                "name": "指标",
                "part": "类别",
                "status": "状态",
                "available": st.column_config.NumberColumn("应得分", format="%.2f"),
                "earned": st.column_config.NumberColumn("实得分", format="%.2f"),
                "deducted": st.column_config.NumberColumn("扣分", format="%.2f"),
                "findings": "问题数",
            },
        )
        breakdown_chart(bd)
    items = (detail.composite or {}).get("items") or {}
    if items:
        st.markdown("**综合评分构成**")
        st.dataframe(
            pd.DataFrame(
                [
                    (COMPOSITE_LABELS.get(k, k), v.get("weight"), v.get("score"), "是" if v.get("entered") else "否")
                    for k, v in items.items()
                ],
                columns=["项目", "权重", "得分", "已录入"],
            ),
            hide_index=True,
            placeholder="—",
        )
    ipv6_block(queries.ipv6_detail(db, viewer, round_id, unit_id))
    st.markdown("**问题与证据**")
    frame = queries.findings(db, viewer, round_id, unit_id=unit_id)
    findings_table(frame, key="unit_findings")
    finding_details(frame, key="w_unit_finding")
    st.markdown("**历轮得分**")
    if detail.history.empty:
        st.caption("没有历史记录。")
    else:
        st.dataframe(
            detail.history[["round", "as_of", "score", "rank", "verdict"]],
            hide_index=True,
            placeholder="—",
            width="stretch",
            column_config={
                "round": "轮次",
                "as_of": "评估日期",
                "score": st.column_config.NumberColumn("得分", format="%.2f"),
                "rank": "名次",
                "verdict": "结论",
            },
        )


def ipv6_block(sup: dict | None) -> None:
    """IPv6支持度 of the unit's site: score against the target, the seven indicators, failing links."""
    if not sup:
        return
    st.markdown("**IPv6支持度**")
    score = sup.get("score")
    met = sup.get("meets_target")
    c1, c2 = st.columns(2)
    c1.metric("IPv6支持度", "—" if score is None else f"{score:.1f}")
    c2.metric(
        "达标线",
        f"{sup.get('target', 0):g}",
        "达标" if met else ("未达标" if met is False else None),
        delta_color="normal" if met else "inverse",
    )
    rows = [
        (i.get("name", k), i.get("weight"), i.get("earned"), i.get("detail", ""))
        for k, i in (sup.get("indicators") or {}).items()
    ]
    st.dataframe(
        pd.DataFrame(rows, columns=["指标", "权重", "得分", "说明"]),
        hide_index=True,
        placeholder="未测",
        width="stretch",
    )
    failing = sup.get("failing_links") or []
    if failing:
        st.caption(f"经IPv6无法打开的内链（{len(failing)} 条）")
        st.dataframe(
            pd.DataFrame(
                [(f.get("level"), f.get("url"), f.get("error")) for f in failing], columns=["层级", "链接", "错误"]
            ),
            hide_index=True,
            width="stretch",
        )
