"""评估工作台: evaluators filter findings, confirm or dismiss them with a reason, enter manual scores.

Every write re-scores the round through the application layer (``zwgk.app.review``: 整改
items rebuilt, then scores and ranks — the same as ``zwgk review``) and clears the cache,
so the new score, rank and 整改清单 show on the very next run.
"""

from __future__ import annotations

import streamlit as st

from zwgk.app.review import RescoreFailed
from zwgk.dashboard import adapters, cache, queries, safe
from zwgk.dashboard.labels import REVIEW_LABELS
from zwgk.dashboard.viewer import Viewer
from zwgk.dashboard.views.unit import findings_table
from zwgk.model import ZwgkError
from zwgk.storage.db import Database

STATUS_FILTER = {"全部": None, "未核查": "unreviewed", "已确认": "confirmed", "已驳回": "dismissed"}
ALL = "（全部）"


def _rescore_failed(exc: RescoreFailed, what: str) -> None:
    ref = safe.reference_id()
    safe.LOG.warning("rescore failed (ref %s): %s", ref, exc)
    safe.warning(f"{what}已保存，但重新计分失败，请稍后运行 zwgk assess 重新计分。（参考编号 {ref}）")


def _after_write(db: Database, viewer: Viewer, round_id: int, unit_id: str, what: str) -> None:
    cache.clear()
    detail = queries.unit_detail(db, viewer, round_id, unit_id)
    sc = detail.score or {}
    score = sc.get("score")
    st.session_state["w_last_write"] = (
        f"{what}已保存。{detail.unit['name']} 当前得分 "
        f"{'—' if score is None else f'{score:.2f}'}，名次 {sc.get('rank') or '—'}，{sc.get('verdict', '')}"
    )


def review_form(db: Database, viewer: Viewer, round_id: int, frame) -> None:
    st.subheader("核查问题")
    if frame.empty:
        st.caption("没有符合条件的问题。")
        return
    labels = {
        int(r.id): f"#{r.id} · {r.unit_name or r.unit_id} · {r.rule_name} · {str(r.subject)[:60]} · "
        f"{REVIEW_LABELS.get(r.review, r.review)}"
        for r in frame.itertuples()
    }
    with st.form("review"):
        fid = st.selectbox("问题", list(labels), format_func=lambda i: labels[i], key="w_review_finding")
        decision = st.radio(
            "结论",
            ["confirmed", "dismissed"],
            format_func=lambda d: REVIEW_LABELS[d],
            horizontal=True,
            key="w_review_decision",
        )
        reason = st.text_area("理由（必填）", key="w_review_reason")
        submitted = st.form_submit_button("提交核查结论")
    if submitted:
        if not (reason or "").strip():
            safe.error("未保存：请填写核查理由。")
            return
        row = frame[frame["id"] == fid].iloc[0]
        try:
            queries.review_finding(db, viewer, round_id, row["unit_id"], row["rule"], row["subject"], decision, reason)
        except RescoreFailed as exc:
            _rescore_failed(exc, "核查结论")
        except ZwgkError as exc:
            ref = safe.reference_id()
            safe.LOG.warning("review not saved (ref %s): %s", ref, exc)
            safe.error(f"未保存：核查结论不符合要求，请检查后重试。（参考编号 {ref}）")
            return
        _after_write(db, viewer, round_id, row["unit_id"], "核查结论")
        st.rerun()


def manual_form(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    st.subheader("人工评分")
    units = cache.visible_units(url, round_id, cache.key(viewer))
    if units.empty:
        st.caption("本轮没有单位。")
        return
    names = dict(zip(units["unit_id"], units["name"]))
    items = queries.manual_items(db, round_id)
    with st.form("manual"):
        unit_id = st.selectbox("单位", list(names), format_func=lambda u: f"{names[u]}（{u}）", key="w_manual_unit")
        item = st.selectbox("评分项目", items, key="w_manual_item")
        score = st.number_input(
            "得分（0–100；办事服务填得分 0–25）",
            min_value=0.0,
            max_value=100.0,
            value=80.0,
            step=1.0,
            key="w_manual_score",
        )
        evidence = st.text_input("依据", key="w_manual_evidence")
        submitted = st.form_submit_button("保存评分")
    if submitted:
        try:
            queries.enter_manual_score(db, viewer, round_id, unit_id, item, score, evidence)
        except RescoreFailed as exc:
            _rescore_failed(exc, "人工评分")
        except ZwgkError as exc:
            ref = safe.reference_id()
            safe.LOG.warning("manual score not saved (ref %s): %s", ref, exc)
            safe.error(f"未保存：评分不符合要求，请检查后重试。（参考编号 {ref}）")
            return
        _after_write(db, viewer, round_id, unit_id, "人工评分")
        st.rerun()


def handmade_form(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    """人工添加问题: a finding or veto no crawler proves (URL, rule, note, optional screenshot)."""
    st.subheader("人工添加问题")
    units = cache.visible_units(url, round_id, cache.key(viewer))
    if units.empty:
        st.caption("本轮没有单位。")
        return
    names = dict(zip(units["unit_id"], units["name"]))
    rules = queries.rule_codes(db, round_id)
    with st.form("handmade"):
        unit_id = st.selectbox("单位", list(names), format_func=lambda u: f"{names[u]}（{u}）", key="w_add_unit")
        rule = st.selectbox("规则", list(rules), format_func=lambda c: f"{c} {rules[c]}", key="w_add_rule")
        page = st.text_input("网址（问题所在页面）", key="w_add_url")
        note = st.text_area("说明（必填：看到了什么、为什么是问题）", key="w_add_note")
        veto = st.checkbox("单项否决", key="w_add_veto")
        shot = st.file_uploader("截图（可选，PNG/JPEG）", type=["png", "jpg", "jpeg", "gif", "webp"], key="w_add_shot")
        submitted = st.form_submit_button("添加问题")
    if submitted:
        try:
            queries.add_finding_by_hand(
                db,
                viewer,
                round_id,
                unit_id,
                rule,
                page,
                note,
                veto=veto,
                screenshot=(shot.name, shot.getvalue()) if shot is not None else None,
            )
        except RescoreFailed as exc:
            _rescore_failed(exc, "人工添加问题")
        except ZwgkError as exc:
            st.error(f"未保存：{exc}")
            return
        _after_write(db, viewer, round_id, unit_id, "人工添加问题")
        st.rerun()


def render(url: str, db: Database, viewer: Viewer, round_id: int) -> None:
    viewer.require_evaluator("使用评估工作台")
    st.title("评估工作台")
    done = st.session_state.pop("w_last_write", None)
    if done:
        safe.success(done)
    rules = queries.rules_in_round(db, viewer, round_id)
    names = adapters.rule_names(db, round_id)
    units = cache.visible_units(url, round_id, cache.key(viewer))
    c1, c2, c3 = st.columns(3)
    rule = c1.selectbox(
        "规则", [ALL, *rules], key="w_f_rule", format_func=lambda r: r if r == ALL else adapters.rule_label(names, r)
    )
    units_by_id = dict(zip(units["unit_id"], units["name"]))
    unit = c2.selectbox(
        "单位", [ALL, *units_by_id], format_func=lambda u: u if u == ALL else f"{units_by_id[u]}（{u}）", key="w_f_unit"
    )
    status = c3.selectbox("核查状态", list(STATUS_FILTER), key="w_f_status")
    frame = queries.findings(
        db,
        viewer,
        round_id,
        unit_id=None if unit == ALL else unit,
        rule=None if rule == ALL else rule,
        status=STATUS_FILTER[status],
    )
    st.caption(f"共 {len(frame)} 条问题")
    findings_table(frame, key="wb_findings", with_unit=True)
    review_form(db, viewer, round_id, frame)
    handmade_form(url, db, viewer, round_id)
    manual_form(url, db, viewer, round_id)
