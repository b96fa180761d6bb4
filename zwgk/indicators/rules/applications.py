"""REQUEST-LATE / REQUEST-COUNT / REQUEST-TEST: the 依申请公开 register against the law's clock.

The register is not crawled: evaluators import the unit's own ledger (``zwgk requests import``)
and record channel tests (``zwgk requests test``); the pipeline puts them in
``SiteSnapshot.inputs["requests"]``.  条例 第三十三条: a reply is due within 20 working days of
receipt, once extendable by at most 20 more; working days come from ``zwgk.indicators.workdays``
(statutory holidays and 调休 make-up days).  Consultation time (征求第三方 / 其他机关意见) does not
count, and the ledger seldom says how long it took: a late reply whose row mentions one is a
review candidate, as is one whose 是否延期 cell could not be read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import zwgk.indicators.workdays as workdays
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import make_finding
from zwgk.indicators.rules.annual import last_years_report
from zwgk.model import REVIEW_CONFIDENCE, Finding, SiteSnapshot

CONSULT_WORDS = ("征求", "第三方意见", "会商", "协商")  # 保护第三方合法权益 is a result, not a consultation
FAILED_TEST_WORDS = ("退回", "拒收", "无法提交", "无法送达", "渠道不通", "未受理", "无人接收", "提交失败", "无法接收")


def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _rows(snapshot: SiteSnapshot, kind: str) -> list[dict[str, Any]]:
    return [r for r in (snapshot.inputs or {}).get("requests") or [] if r.get("kind") == kind]


def due_date(received: dt.date, extended: bool, spec) -> dt.date:
    """The last day of the reply period: 20 working days after receipt, 40 when extended."""
    days = int(spec.params["reply_working_days"]) + (int(spec.params["extension_working_days"]) if extended else 0)
    return workdays.add_working_days(received, days)


def _subject(row: dict[str, Any]) -> str:
    return row.get("ref") or f"{row.get('received')}@{row.get('source')}"


def _row_evidence(row: dict[str, Any], due: dt.date) -> dict[str, Any]:
    return {
        "ref": row.get("ref"),
        "received": row.get("received"),
        "replied": row.get("replied"),
        "channel": row.get("channel"),
        "applicant": row.get("applicant"),
        "result": row.get("result"),
        "extended": row.get("extended"),
        "note": row.get("note"),
        "ledger_row": row.get("source"),
        "due": due.isoformat(),
    }


@register("REQUEST-LATE")
def request_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    as_of = snapshot.as_of
    since = as_of - dt.timedelta(days=int(spec.params["lookback_days"]))
    out: list[Finding] = []
    for row in _rows(snapshot, "application"):
        received, replied = _day(row.get("received")), _day(row.get("replied"))
        if received is None or received > as_of or received < since:
            continue
        if replied is not None and (replied < received or replied > as_of):
            continue  # a date error in the ledger (reply before receipt, or in the future): not judged
        extended = row.get("extended")
        due = due_date(received, bool(extended), spec)
        until = replied or as_of
        if until <= due:
            continue
        late = workdays.working_days_between(due, until)
        evidence = _row_evidence(row, due)
        evidence["working_days_late"] = late
        evidence["working_days_taken"] = workdays.working_days_between(received, until)
        if replied is None:
            msg = (
                f"依申请公开申请{row.get('ref') or ''}（{received.isoformat()}收到，{row.get('channel') or '渠道未填'}）"
                f"至评估日{as_of.isoformat()}仍未答复，已超过答复期限{due.isoformat()}（{late}个工作日）。"
            )
        else:
            msg = (
                f"依申请公开申请{row.get('ref') or ''}（{received.isoformat()}收到）于{replied.isoformat()}答复，"
                f"超过{'延期后' if extended else '法定'}答复期限{due.isoformat()}（{late}个工作日）。"
            )
        text = f"{row.get('result') or ''}{row.get('note') or ''}"
        if extended is None:
            evidence["confidence"] = REVIEW_CONFIDENCE
            evidence["review_reason"] = "台账“是否延期”无法识别：若已延期，期限为40个工作日"
        elif any(w in text for w in CONSULT_WORDS):
            evidence["confidence"] = REVIEW_CONFIDENCE
            evidence["review_reason"] = "台账记载征求意见，征求意见时间不计入答复期限，需人工核对"
        out.append(make_finding(snapshot, spec, _subject(row), msg, evidence, page=""))
    return out


@register("REQUEST-TEST")
def request_test(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    as_of = snapshot.as_of
    out: list[Finding] = []
    for row in _rows(snapshot, "test"):
        sent, replied = _day(row.get("received")), _day(row.get("replied"))
        if sent is None or sent > as_of:
            continue
        due = due_date(sent, bool(row.get("extended")), spec)
        outcome = f"{row.get('result') or ''}{row.get('note') or ''}"
        evidence = _row_evidence(row, due)
        subject = f"{row.get('channel') or '渠道'}:{sent.isoformat()}"
        if any(w in outcome for w in FAILED_TEST_WORDS):
            evidence["failure"] = "channel"
            msg = f"{sent.isoformat()}通过{row.get('channel') or '该渠道'}提交的测试申请未能送达或未被受理：{outcome}。"
        elif replied is None and as_of > due:
            evidence["failure"] = "no_reply"
            msg = (
                f"{sent.isoformat()}通过{row.get('channel') or '该渠道'}提交的测试申请至评估日{as_of.isoformat()}"
                f"未获答复（期限{due.isoformat()}）。"
            )
        elif replied is not None and replied > due:
            evidence["failure"] = "late"
            msg = (
                f"{sent.isoformat()}通过{row.get('channel') or '该渠道'}提交的测试申请于{replied.isoformat()}答复，"
                f"超过答复期限{due.isoformat()}。"
            )
        else:
            continue
        out.append(make_finding(snapshot, spec, subject, msg, evidence, page=""))
    return out


@register("REQUEST-COUNT")
def request_count(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    rows = _rows(snapshot, "application")
    if not rows:
        return []  # no register imported: nothing to compare
    year = snapshot.as_of.year - 1
    report = last_years_report(snapshot)
    table = ((report or {}).get("tables") or {}).get("requests") or {}
    new = (table.get("rows") or {}).get("new")
    if not report or report.get("unreadable") or not new:
        return []  # the report's 依申请 table was not read: REPORT-LATE / REPORT-TABLES speak for it
    stated = new[-1]
    in_year = [r for r in rows if (_day(r.get("received")) or dt.date.min).year == year]
    undated = [r.get("source") for r in rows if _day(r.get("received")) is None]
    counted = len(in_year)
    if abs(counted - stated) < 1e-6:
        return []
    by_channel: dict[str, int] = {}
    for r in in_year:
        by_channel[r.get("channel") or "未填"] = by_channel.get(r.get("channel") or "未填", 0) + 1
    evidence = {
        "year": year,
        "ledger_count": counted,
        "report_count": stated,
        "difference": counted - stated,
        "report_page": report.get("page"),
        "report_document": report.get("url") or report.get("page"),
        "report_row": "一、本年新收政府信息公开申请数量（总计）",
        "by_channel": by_channel,
        "ledger_rows": [r.get("source") for r in in_year][:200],
        "undated_rows": undated[:50],
    }
    msg = (
        f"依申请公开台账记载{year}年收到申请{counted}件，{year}年度年报“本年新收政府信息公开申请数量”为"
        f"{stated:g}件，相差{counted - stated:+g}件。"
    )
    reasons = []
    if "new" in (table.get("unsure") or {}):
        reasons.append("年报该行识别存疑")
    if undated:
        reasons.append(f"台账有{len(undated)}行收到日期无法识别")
    if counted == 0:
        reasons.append("台账中没有该年度的申请，可能未导入该年度台账")
    if reasons:
        evidence["confidence"] = REVIEW_CONFIDENCE
        evidence["review_reason"] = "；".join(reasons)
    return [make_finding(snapshot, spec, str(year), msg, evidence, page=report.get("page") or "")]
