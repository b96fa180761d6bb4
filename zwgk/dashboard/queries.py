"""The dashboard's data access: every read and write takes a :class:`Viewer` and is checked here.

Role enforcement lives in this module, not in the page layout, so no page,
URL query parameter or widget state can reach data the viewer may not see:

* a department's reads pass its units to the storage functions (``unit_ids=``), which
  filter in SQL (``unit_id IN (its units)``), so another unit's rows never leave the
  database;
* asking explicitly for a unit the viewer may not see raises
  :class:`PermissionError` (the page shows it as an error, not as "no data");
* the only writes are reviews, findings added by hand and manual scores, only evaluators
  may make them, and they go through the application layer (``zwgk.app.review``) like
  ``zwgk review``.

Every SQL statement is in ``zwgk.storage`` (``results``, ``rounds``, ``registry``,
``archive``); this module keeps the role policy and shapes DataFrames.

Results are plain pandas DataFrames with English column names (the pages put
the Chinese labels on), so a ranking of 13,385 units is one vectorised table.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from zwgk.dashboard.safe import http_url
from zwgk.dashboard.viewer import Viewer
from zwgk.model import TIER_ORDER as MODEL_TIER_ORDER
from zwgk.model import ZwgkError
from zwgk.storage import results
from zwgk.storage import rounds as rounds_store
from zwgk.storage.db import Database
from zwgk.storage.registry import get_unit, list_units

TIER_ORDER = list(MODEL_TIER_ORDER)  # 部委, 省, 市, 县, 乡 (zwgk.model.Tier order)
DEFAULT_MANUAL_ITEMS = ("依申请公开", "年报质量", "解读质量", "社会评议")
REVIEW_STATUSES = ("unreviewed", "confirmed", "dismissed")

RANKING_COLUMNS = [
    "rank",
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "score",
    "verdict",
    "veto",
    "passed",
    "measured",
    "weighted",
    "deductions",
    "bonus",
    "reason",
    "veto_reason",
]


def _scope(viewer: Viewer) -> list[str] | None:
    """The ``unit_ids`` a storage read is limited to (in SQL): a department's units, None for all."""
    return None if viewer.sees_all else sorted(viewer.unit_ids)


def verdict(measured: bool, veto: bool, passed: bool, reason: str = "") -> str:
    if not measured:
        return f"未测评（{reason}）" if reason else "未测评"
    if veto:
        return "单项否决"
    return "合格" if passed else "不合格"


# --------------------------------------------------------------------------- rounds


def list_rounds(db: Database, viewer: Viewer) -> pd.DataFrame:
    """Rounds, newest first: id, name, as_of, status, previous_round_id, rubric, partial
    (some units only: ``zwgk assess --unit``) — every role may list them."""
    rows = [
        (r.id, r.name, r.as_of, r.status, r.previous_round_id, r.rubric, bool((r.settings or {}).get("partial")))
        for r in reversed(rounds_store.list_rounds(db))
    ]
    return pd.DataFrame(rows, columns=["id", "name", "as_of", "status", "previous_round_id", "rubric", "partial"])


def previous_round_id(db: Database, round_id: int) -> int | None:
    """The round's linked previous round, else the one before it by as-of date."""
    return rounds_store.previous_round_id(db, round_id)


# --------------------------------------------------------------------------- units


def visible_units(db: Database, viewer: Viewer, round_id: int | None = None) -> pd.DataFrame:
    """Units the viewer may pick (unit_id, name, tier, kind); with a round, only its units."""
    scope = _scope(viewer)
    if round_id is not None:
        in_round = results.round_unit_ids_scored(db, round_id)
        scope = sorted(in_round if scope is None else in_round & set(scope))
    units = list_units(db, scope) if scope is None or scope else []
    rows = sorted(((u.unit_id, u.name, u.tier, u.kind) for u in units), key=lambda r: r[0])
    return pd.DataFrame(rows, columns=["unit_id", "name", "tier", "kind"])


def unit_info(db: Database, viewer: Viewer, unit_id: str) -> dict[str, Any]:
    viewer.require_unit(unit_id)
    u = get_unit(db, unit_id)
    if u is None:
        raise ZwgkError(f"单位 {unit_id} 不存在 / no unit {unit_id!r}")
    return {
        "unit_id": u.unit_id,
        "name": u.name,
        "tier": u.tier,
        "kind": u.kind,
        "region": u.region,
        "site_url": u.site_url,
        "site_code": u.site_code,
        "has_services": bool(u.has_services),
    }


# --------------------------------------------------------------------------- ranking, KPIs, charts


def ranking(db: Database, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """Every score of the round the viewer may see, in ranking order (tier, kind, rank)."""
    rows = [
        (
            sc.rank,
            sc.unit_id,
            sc.unit_name,
            sc.tier,
            sc.kind,
            sc.score,
            sc.veto,
            sc.passed,
            sc.measured,
            sc.weighted,
            sc.deductions,
            sc.bonus,
            sc.reason,
        )
        for sc in results.list_scores(db, round_id, unit_ids=_scope(viewer))
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "rank",
            "unit_id",
            "unit_name",
            "tier",
            "kind",
            "score",
            "veto",
            "passed",
            "measured",
            "weighted",
            "deductions",
            "bonus",
            "reason",
        ],
    )
    if df.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    df["verdict"] = [verdict(m, v, p, r) for m, v, p, r in zip(df.measured, df.veto, df.passed, df.reason)]
    reasons = veto_reasons(db, viewer, round_id)
    df["veto_reason"] = [reasons.get(u, "") if v else "" for u, v in zip(df.unit_id, df.veto)]
    df["rank"] = df["rank"].astype("Int64")
    df["_tier"] = df["tier"].map({t: i for i, t in enumerate(TIER_ORDER)}).fillna(9)
    df["_kind"] = (df["kind"] != "portal").astype(int)
    df["_unranked"] = df["rank"].isna()
    df = df.sort_values(["_tier", "tier", "_kind", "_unranked", "rank", "unit_id"], kind="stable")
    return df[RANKING_COLUMNS].reset_index(drop=True)


def veto_reasons(db: Database, viewer: Viewer, round_id: int) -> dict[str, str]:
    """unit_id → the Chinese names of its veto findings in force (dismissed and unconfirmed
    review candidates left out)."""
    from zwgk.dashboard.adapters import rule_names

    names = rule_names(db, round_id)
    out: dict[str, list[str]] = {}
    for f in results.list_findings(db, round_id, unit_ids=_scope(viewer), severity="veto"):
        if not f.in_force:
            continue
        label = names.get(f.rule) or f.rule
        if label not in out.setdefault(f.unit_id, []):
            out[f.unit_id].append(label)
    return {u: "、".join(v) for u, v in out.items()}


def kpis(frame: pd.DataFrame) -> dict[str, Any]:
    """KPI tiles from a ranking frame: units assessed, pass rate, mean score, vetoes."""
    measured = frame[frame["measured"].astype(bool)] if not frame.empty else frame
    n = len(frame)
    m = len(measured)
    return {
        "units": n,
        "measured": m,
        "pass_rate": (float(measured["passed"].astype(bool).sum()) / m) if m else None,
        "mean_score": float(pd.to_numeric(measured["score"]).mean()) if m else None,
        "vetoes": int(measured["veto"].astype(bool).sum()) if m else 0,
    }


def findings_by_rule(db: Database, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """rule, findings, units: counts per rule in the round (findings not in force excluded)."""
    in_force: dict[str, int] = {}
    units: dict[str, set[str]] = {}
    for f in results.list_findings(db, round_id, unit_ids=_scope(viewer)):
        units.setdefault(f.rule, set()).add(f.unit_id)  # units with a finding of the rule, as listed
        in_force[f.rule] = in_force.get(f.rule, 0) + (1 if f.in_force else 0)
    from zwgk.dashboard.adapters import rule_names

    names = rule_names(db, round_id)
    df = pd.DataFrame(
        [(r, names.get(r) or r, n, len(units[r])) for r, n in in_force.items() if n > 0],
        columns=["rule", "rule_name", "findings", "units"],
    )
    return df.sort_values(["findings", "rule"], ascending=[False, True]).reset_index(drop=True)


def trend(db: Database, viewer: Viewer) -> pd.DataFrame:
    """Per round (oldest first): units, measured, mean score, pass rate, vetoes."""
    rows = [
        (r.round_id, r.round, r.as_of, r.units, r.measured, r.mean_score, r.passed, r.vetoes)
        for r in results.round_summaries(db, _scope(viewer))
    ]
    df = pd.DataFrame(
        rows, columns=["round_id", "round", "as_of", "units", "measured", "mean_score", "passed", "vetoes"]
    )
    if not df.empty:
        df["measured"] = df["measured"].fillna(0).astype(int)
        df["pass_rate"] = [(p or 0) / m if m else None for p, m in zip(df["passed"], df["measured"])]
    else:
        df["pass_rate"] = []
    return df


def most_improved(db: Database, viewer: Viewer, round_id: int, n: int = 10) -> pd.DataFrame:
    """The ``n`` units whose score rose most since the previous round (rises only):
    ``zwgk.assess.most_improved`` over the viewer's units."""
    from zwgk.assess import most_improved as rises

    prev = previous_round_id(db, round_id)
    cols = ["unit_id", "unit_name", "tier", "score_before", "score", "delta", "rank_before", "rank"]
    if prev is None:
        return pd.DataFrame(columns=cols)
    rows = [
        (u.unit_id, u.unit_name, u.tier, u.score_a, u.score_b, u.delta, u.rank_a, u.rank_b)
        for u in rises(db, round_id, prev, n, unit_ids=_scope(viewer))
    ]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- one unit


@dataclass(slots=True)
class UnitDetail:
    unit: dict[str, Any]
    score: dict[str, Any] | None
    breakdown: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    composite: dict[str, Any] = field(default_factory=dict)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    manual: pd.DataFrame = field(default_factory=pd.DataFrame)


def unit_detail(db: Database, viewer: Viewer, round_id: int, unit_id: str) -> UnitDetail:
    """Score, breakdown by indicator (deducted vs available), manual items and history of one unit."""
    info = unit_info(db, viewer, unit_id)  # checks the viewer may see it
    row = next(iter(results.list_scores(db, round_id, unit_ids=[unit_id])), None)
    score = None
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    composite: dict[str, Any] = {}
    if row is not None:
        score = {
            "score": row.score,
            "rank": row.rank,
            "veto": row.veto,
            "passed": row.passed,
            "measured": row.measured,
            "weighted": row.weighted,
            "weight": row.weight,
            "deductions": row.deductions,
            "bonus": row.bonus,
            "reason": row.reason,
            "verdict": verdict(row.measured, row.veto, row.passed, row.reason),
        }
        for key, v in (row.breakdown or {}).items():
            if key.startswith("_") or not isinstance(v, dict):
                continue
            available = float(v.get("available") or 0.0)
            deducted = float(v.get("deducted") or 0.0)
            rows.append(
                {
                    "indicator": key,
                    "name": v.get("name", key),
                    "part": v.get("part", ""),
                    "available": available,
                    "deducted": deducted,
                    "earned": float(v.get("earned", max(available - deducted, 0.0)) or 0.0),
                    "findings": int(v.get("findings", 0) or 0),
                    "status": str(v.get("status", "")),  # 未测评: nobody judged it, no points given
                }
            )
        notes = [str(n) for n in (row.breakdown or {}).get("_notes", [])]
        composite = dict((row.breakdown or {}).get("_composite") or {})
    hist = [
        (h.round, h.as_of, h.score, h.rank, h.passed, h.veto, h.measured)
        for h in results.unit_score_history(db, unit_id)
    ]
    manual = [
        (m.item, m.score, m.evidence, m.entered_by, m.at)
        for m in results.manual_scores(db, round_id, unit_id).get(unit_id, {}).values()
    ]
    history = pd.DataFrame(hist, columns=["round", "as_of", "score", "rank", "passed", "veto", "measured"])
    if not history.empty:
        history["verdict"] = [verdict(m, v, p) for m, v, p in zip(history.measured, history.veto, history.passed)]
    return UnitDetail(
        unit=info,
        score=score,
        breakdown=pd.DataFrame(
            rows, columns=["indicator", "name", "part", "available", "deducted", "earned", "findings", "status"]
        ),
        notes=notes,
        composite=composite,
        history=history,
        manual=pd.DataFrame(manual, columns=["item", "score", "evidence", "entered_by", "at"]),
    )


# --------------------------------------------------------------------------- findings


def _ev_value(v: Any) -> str:
    from zwgk.dashboard.labels import EVIDENCE_VALUES

    if isinstance(v, bool):
        return EVIDENCE_VALUES[v]
    if isinstance(v, (list, tuple)):
        return "、".join(_ev_value(x) for x in v[:10]) + ("……" if len(v) > 10 else "")
    if isinstance(v, dict):
        return "；".join(f"{_ev_label(k)}：{_ev_value(x)}" for k, x in list(v.items())[:10])
    if isinstance(v, str):
        return EVIDENCE_VALUES.get(v, v)
    return "" if v is None else str(v)


def _ev_label(key: Any) -> str:
    from zwgk.dashboard.labels import EVIDENCE_LABELS

    return EVIDENCE_LABELS.get(str(key), str(key))


def _evidence_dates(evidence: dict[str, Any]) -> str:
    """Dates of the evidence with Chinese labels: ``最新更新日期 2026-01-05；评估基准日 2026-11-20``."""
    from zwgk.dashboard.labels import DATE_KEYS

    parts = []
    for k, v in evidence.items():
        if isinstance(v, str) and v and any(h in str(k) for h in DATE_KEYS):
            parts.append(f"{_ev_label(k)} {v}")
    return "；".join(parts)


def _evidence_status(evidence: dict[str, Any]) -> str:
    """``HTTP 404`` for an HTTP status, else the evidence's status word in Chinese (逾期, 缺失 …)."""
    for key in ("http_status", "status", "http6_status"):
        v = evidence.get(key)
        if isinstance(v, bool) or v is None or v == "":
            continue
        if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
            prefix = "IPv6 HTTP " if key == "http6_status" else "HTTP "
            return f"{prefix}{v}"
        return _ev_value(v)
    return ""


def evidence_text(evidence: dict[str, Any]) -> str:
    """The whole evidence, one labelled line per key, for reading (nothing cut off)."""
    return "\n".join(f"{_ev_label(k)}：{_ev_value(v)}" for k, v in evidence.items())


def findings(
    db: Database,
    viewer: Viewer,
    round_id: int,
    unit_id: str | None = None,
    rule: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Findings of the round with the review in force; ``status`` is unreviewed/confirmed/dismissed."""
    from zwgk.dashboard.adapters import rule_names as _names

    if unit_id is not None:
        viewer.require_unit(unit_id)
    rule_names = _names(db, round_id)
    if status is not None and status not in REVIEW_STATUSES:
        raise ValueError(f"status must be one of {REVIEW_STATUSES}, not {status!r}")
    found = results.list_findings(db, round_id, unit_id, rule or None, unit_ids=_scope(viewer))
    names = {uid: u.name for uid, u in results.unit_names(db, {f.unit_id for f in found}).items()}
    records = []
    for f in found:
        decision = f.review  # the review in force (storage decides: the newest)
        if status == "unreviewed" and decision:
            continue
        if status in ("confirmed", "dismissed") and decision != status:
            continue
        ev = dict(f.evidence or {})
        records.append(
            {
                "id": f.id,
                "unit_id": f.unit_id,
                "unit_name": names.get(f.unit_id, ""),
                "rule": f.rule,
                "rule_name": rule_names.get(f.rule) or f.rule,
                "subject": f.subject,
                "severity": f.severity,
                "points": f.points,
                "indicator": f.indicator,
                "page": f.page,
                "page_link": http_url(f.page),
                "http_status": _evidence_status(ev),
                "dates": _evidence_dates(ev),
                "message": f.message,
                "fix": f.fix,
                "evidence": evidence_text(ev),
                "evidence_json": json.dumps(ev, ensure_ascii=False, default=str, indent=2),
                "review": decision,
                "review_reason": f.review_reason,
                "reviewer": f.reviewer,
                "reviewed_at": f.reviewed_at,
            }
        )
    columns = [
        "id",
        "unit_id",
        "unit_name",
        "rule",
        "rule_name",
        "subject",
        "severity",
        "points",
        "indicator",
        "page",
        "page_link",
        "http_status",
        "dates",
        "message",
        "fix",
        "evidence",
        "evidence_json",
        "review",
        "review_reason",
        "reviewer",
        "reviewed_at",
    ]
    return pd.DataFrame(records, columns=columns)


def rules_in_round(db: Database, viewer: Viewer, round_id: int) -> list[str]:
    return results.finding_rules(db, round_id, _scope(viewer))


# --------------------------------------------------------------------------- 整改清单


RECT_COLUMNS = [
    "id",
    "unit_id",
    "unit_name",
    "rule",
    "rule_name",
    "subject",
    "status",
    "past_deadline",
    "deadline",
    "opened_round",
    "last_seen_round",
    "closed_round",
    "points",
    "page",
    "page_link",
    "message",
    "fix",
]


def rectification(
    db: Database,
    viewer: Viewer,
    unit_id: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """整改 items the viewer may see (one unit when ``unit_id``), most urgent first.

    ``past_deadline`` flags an item still open after its deadline as of
    ``today`` (the stored ``status`` says what the last round concluded).
    """
    from zwgk.dashboard.adapters import rule_names as _names

    if unit_id is not None:
        viewer.require_unit(unit_id)
    today = today or dt.date.today()
    rule_names = _names(db)
    names = {r.id: r.name for r in rounds_store.list_rounds(db)}
    items = results.list_rectification_items(db, unit_id, status=status or None, unit_ids=_scope(viewer))
    units = {uid: u.name for uid, u in results.unit_names(db, {r.unit_id for r in items}).items()}
    records = []
    for r in items:
        records.append(
            {
                "id": r.id,
                "unit_id": r.unit_id,
                "unit_name": units.get(r.unit_id, ""),
                "rule": r.rule,
                "rule_name": rule_names.get(r.rule) or r.rule,
                "subject": r.subject,
                "status": r.status,
                "past_deadline": r.status != "fixed" and r.deadline < today,
                "deadline": r.deadline,
                "opened_round": names.get(r.opened_round_id, ""),
                "last_seen_round": names.get(r.last_seen_round_id, ""),
                "closed_round": names.get(r.closed_round_id, "") if r.closed_round_id else "",
                "points": r.points,
                "page": r.page,
                "page_link": http_url(r.page),
                "message": r.message,
                "fix": r.fix,
            }
        )
    df = pd.DataFrame(records, columns=RECT_COLUMNS)
    if not df.empty:
        order = {"overdue": 0, "open": 1, "fixed": 2}
        df["_o"] = df["status"].map(order).fillna(3)
        df = df.sort_values(["unit_id", "_o", "deadline", "points"], ascending=[True, True, True, False])
        df = df.drop(columns="_o").reset_index(drop=True)
    return df


# --------------------------------------------------------------------------- writes (evaluators)


def manual_items(db: Database, round_id: int) -> list[str]:
    """The evaluator-scored items of the round's rubric (composite weights other than ``website``)."""
    from zwgk.dashboard.adapters import load_round_rubric

    rubric = load_round_rubric(db, round_id)
    composite = dict(getattr(getattr(rubric, "scoring", None), "composite", None) or {}) if rubric else {}
    items = [k for k in composite if k != "website"]
    if rubric is not None:
        from zwgk.assess.scoring import services_item_names

        items += services_item_names(rubric)[-1:]  # 办事服务: points earned, see manual_item_limit
    return items or list(DEFAULT_MANUAL_ITEMS)


def manual_item_limit(db: Database, round_id: int, item: str) -> float:
    """The most item ``item`` may score: 100, or the indicator's points (办事服务 25)."""
    from zwgk.assess.scoring import manual_item_limits
    from zwgk.dashboard.adapters import load_round_rubric

    rubric = load_round_rubric(db, round_id)
    return float(manual_item_limits(rubric).get(item, 100.0)) if rubric is not None else 100.0


def rule_codes(db: Database, round_id: int) -> dict[str, str]:
    """Rule code → Chinese name, from the round's rubric (for adding a finding by hand)."""
    from zwgk.dashboard.adapters import load_round_rubric

    rubric = load_round_rubric(db, round_id)
    return {code: spec.name_zh for code, spec in sorted((getattr(rubric, "rules", None) or {}).items())}


def _write_and_rescore(db: Database, round_id: int, write: Any) -> Any:
    """Run ``write(rubric, rescore)`` (a ``zwgk.app.review`` change) with the round's rubric,
    re-scoring through the one path; without a loadable rubric the change is saved and
    :class:`zwgk.app.review.RescoreFailed` says the round still needs re-scoring."""
    from zwgk.app.review import RescoreFailed
    from zwgk.dashboard.adapters import load_round_rubric

    rubric = load_round_rubric(db, round_id)
    if rubric is None:
        change = write(None, False)
        raise RescoreFailed(
            f"cannot load the rubric of round id {round_id}; the change is saved, run `zwgk assess` again to re-score",
            change.record,
        )
    return write(rubric, True).record


def add_finding_by_hand(
    db: Database,
    viewer: Viewer,
    round_id: int,
    unit_id: str,
    rule: str,
    url: str,
    note: str,
    *,
    veto: bool = False,
    screenshot: tuple[str, bytes] | None = None,
) -> results.ManualFinding:
    """人工添加问题 (evaluators only): stored with who/when/why; rescored through the one path."""
    viewer.require_evaluator("人工添加问题")
    viewer.require_unit(unit_id)
    from zwgk.app import review
    from zwgk.dashboard.adapters import load_round_rubric

    rubric = load_round_rubric(db, round_id)
    if rubric is None:
        raise ZwgkError(f"cannot load the rubric of round id {round_id}")
    return review.add_finding_by_hand(
        db,
        round_id,
        rubric,
        unit_id=unit_id,
        rule=rule,
        url=url,
        note=note,
        by=viewer.username,
        veto=veto,
        screenshot=screenshot,
    ).record


def review_finding(
    db: Database,
    viewer: Viewer,
    round_id: int,
    unit_id: str,
    rule: str,
    subject: str,
    decision: str,
    reason: str,
) -> results.Review:
    """Confirm or dismiss a finding (evaluators only; a reason is required), then re-score the round
    as ``zwgk review`` does: 整改 items rebuilt, scores and ranks (``zwgk.app.review``)."""
    viewer.require_evaluator("核查问题")
    viewer.require_unit(unit_id)
    from zwgk.app import review

    return _write_and_rescore(
        db,
        round_id,
        lambda rubric, again: review.review_finding(
            db, round_id, unit_id, rule, subject, decision, reason, viewer.username, rubric=rubric, rescore=again
        ),
    )


def enter_manual_score(
    db: Database,
    viewer: Viewer,
    round_id: int,
    unit_id: str,
    item: str,
    score: float,
    evidence: str = "",
) -> None:
    """Enter an evaluator-scored item 0..100, 办事服务 0..its points (evaluators only); re-scored."""
    viewer.require_evaluator("录入人工评分")
    viewer.require_unit(unit_id)
    from zwgk.app import review

    limit = manual_item_limit(db, round_id, item)
    _write_and_rescore(
        db,
        round_id,
        lambda rubric, again: review.enter_manual_score(
            db, round_id, unit_id, item, score, evidence, viewer.username, limit=limit, rubric=rubric, rescore=again
        ),
    )


def rescore(db: Database, viewer: Viewer, round_id: int) -> None:
    """Re-score and re-rank the round (evaluators only): the one path of ``zwgk.app.review``."""
    viewer.require_evaluator("重新计分")
    from zwgk.dashboard.adapters import rescore_round

    rescore_round(db, round_id)


# --------------------------------------------------------------------------- archived evidence


def evidence_findings(db: Database, viewer: Viewer, round_id: int, unit_id: str) -> pd.DataFrame:
    """rule, subject, message of a unit's findings in the round (for choosing the evidence to show)."""
    viewer.require_unit(unit_id)
    found = results.list_findings(db, round_id, unit_id, unit_ids=_scope(viewer))
    rows = sorted(((f.rule, f.subject, f.message, f.page) for f in found), key=lambda r: (r[0], r[1]))
    return pd.DataFrame(rows, columns=["rule", "subject", "message", "page"])


def finding_evidence(
    db: Database, viewer: Viewer, round_id: int, unit_id: str, rule: str | None = None, subject: str | None = None
) -> Any:
    """The archived pages behind a unit's finding (``zwgk.archive.evidence.EvidenceSet``).

    The unit is checked first, and the archive index is read with the viewer's scope in
    SQL, so a department never receives another unit's archived pages.
    """
    from zwgk.archive.evidence import collect
    from zwgk.storage.archive import count_site_records

    viewer.require_unit(unit_id)
    if not count_site_records(db, round_id, unit_id):
        return None
    return collect(db, rounds_store.require_round_id(db, round_id).name, unit_id, rule, subject)


IPV6_SITE_COLUMNS = [
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "score",
    "target",
    "meets_target",
    "unmeasured",
    "failing_count",
    "failing_links",
]


def ipv6_sites(db: Database, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """Each visible site's IPv6 support degree (``probes["ipv6_support"]``) with its failing links,
    lowest score first."""
    from zwgk.storage.snapshot import site_probe_values

    members = {
        m.unit.unit_id: m.unit
        for m in results.round_members(db, round_id)
        if viewer.sees_all or m.unit.unit_id in viewer.unit_ids
    }
    supports = site_probe_values(db, round_id, "ipv6_support", None if viewer.sees_all else list(members))
    rows = []
    for unit_id, sup in supports.items():
        unit = members.get(unit_id)
        if unit is None or not isinstance(sup, dict):
            continue
        failing = sup.get("failing_links") or []
        inds = sup.get("indicators") or {}
        rows.append(
            {
                "unit_id": unit_id,
                "unit_name": unit.name,
                "tier": unit.tier,
                "kind": unit.kind,
                "score": sup.get("score"),
                "target": sup.get("target"),
                "meets_target": sup.get("meets_target"),
                "unmeasured": "、".join((inds.get(k) or {}).get("name", k) for k in sup.get("unmeasured") or []),
                "failing_count": len(failing),
                "failing_links": "\n".join(f"[{f.get('level', '')}] {f.get('url', '')}" for f in failing),
            }
        )
    if not rows:
        return pd.DataFrame(columns=IPV6_SITE_COLUMNS)
    df = pd.DataFrame(rows, columns=IPV6_SITE_COLUMNS)
    df["_tier"] = df["tier"].map({t: i for i, t in enumerate(TIER_ORDER)}).fillna(9)
    df = df.sort_values(["score", "_tier", "unit_id"], kind="stable", na_position="last")
    return df[IPV6_SITE_COLUMNS].reset_index(drop=True)


def ipv6_by_tier(frame: pd.DataFrame) -> pd.DataFrame:
    """Per tier (and 合计): sites, mean IPv6 support degree, sites at or above the target and their share."""
    from zwgk.indicators.ipv6_support import tier_summary

    rows = (
        tier_summary(
            (t, None if pd.isna(s) else float(s), float(g))
            for t, s, g in zip(frame["tier"], frame["score"], frame["target"])
        )
        if not frame.empty
        else []
    )
    return pd.DataFrame(rows, columns=["tier", "sites", "scored", "mean", "at_target", "share_at_target"])


def ipv6_detail(db: Database, viewer: Viewer, round_id: int, unit_id: str) -> dict[str, Any] | None:
    """One site's stored IPv6 support degree (score, seven indicators, failing links) or None."""
    from zwgk.storage.snapshot import site_probe_values

    viewer.require_unit(unit_id)
    return site_probe_values(db, round_id, "ipv6_support", [unit_id]).get(unit_id)


# --------------------------------------------------------------------------- 年考核 (annual roll-up)

ANNUAL_COLUMNS = [
    "rank",
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "score",
    "rounds",
    "c_rounds",
    "c_availability",
    "c_bulletins",
    "c_rectification",
    "note",
]


def annual_years(db: Database, viewer: Viewer) -> list[int]:
    """Years with a finished round, newest first."""
    from zwgk.storage.rounds import list_rounds as _list_rounds

    return sorted({r.as_of.year for r in _list_rounds(db) if r.status == "done"}, reverse=True)


def annual(db: Database, viewer: Viewer, year: int) -> pd.DataFrame:
    """The year's 年考核 ranking (``zwgk.monitor.annual``), only the units the viewer may see."""
    from zwgk.monitor.annual import annual_scores

    rows = [s.record() for s in annual_scores(db, year) if viewer.may_see(s.unit_id)]
    if not rows:
        return pd.DataFrame(columns=ANNUAL_COLUMNS)
    df = pd.DataFrame(rows)
    df["rank"] = df["rank"].astype("Int64")
    return df[ANNUAL_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- 年报 (annual disclosure reports)

REPORT_RULE_PREFIX = "REPORT-"
REPORT_TEMPLATES = {"2021": "2021年格式", "2019": "2019年试行格式", "mixed": "新旧格式混用", "unknown": "未识别"}
REPORT_SOURCES = {"html": "网页", "pdf": "PDF附件", "docx": "Word附件"}
REPORT_TABLE_KEYS = ("active", "requests", "review")
REPORT_OVERVIEW_COLUMNS = [
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "year",
    "read",
    "source",
    "template",
    "template_ok",
    "sections",
    "tables",
    "tables_complete",
    "missing_tables",
    "checks",
    "checks_failed",
    "totals_consistent",
    "unsure",
    "findings",
    "report_findings",
    "title",
    "document_link",
]


@dataclass(slots=True)
class AnnualReportView:
    """One year's 年报 as the round read it, its three tables as typed figures and its arithmetic."""

    year: int
    title: str
    page: str
    document: str
    source: str
    template: str
    sections: list[str]
    unreadable: str
    notes: list[str]
    active: pd.DataFrame
    requests: pd.DataFrame
    review: pd.DataFrame
    checks: pd.DataFrame


def _readings(db: Database, viewer: Viewer, round_id: int, unit_ids: list[str] | None) -> dict[str, dict[int, Any]]:
    """unit_id → year → the best reading of that year's report (the rules' own choice:
    ``reports_by_year``), read with the viewer's scope in SQL."""
    from zwgk.indicators.rules.annual import reports_by_year
    from zwgk.model import SiteSnapshot
    from zwgk.storage.reports import annual_report_pages

    info = rounds_store.require_round_id(db, round_id)
    found = annual_report_pages(db, round_id, unit_ids)
    units = {u.unit_id: u for u in list_units(db, sorted(found))} if found else {}
    out: dict[str, dict[int, Any]] = {}
    for unit_id, pages in found.items():
        if unit_id not in units:
            continue
        shell = SiteSnapshot(  # the pages that hold a reading are all reports_by_year looks at
            unit=units[unit_id],
            homepage=units[unit_id].site_url,
            as_of=info.as_of,
            pages={p.url: p for p in pages},
        )
        out[unit_id] = reports_by_year(shell)
    return out


def _report_checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The arithmetic REPORT-TOTALS applies to the report's tables, each with whether it holds."""
    from zwgk.crawlers.annual_report import request_checks, review_checks

    tables = report.get("tables") or {}
    checks = request_checks(tables["requests"]) if "requests" in tables else []
    return checks + (review_checks(tables["review"]) if "review" in tables else [])


def _report_unsure(report: dict[str, Any]) -> bool:
    tables = report.get("tables") or {}
    return bool((tables.get("requests") or {}).get("unsure")) or bool((tables.get("review") or {}).get("unsure"))


def _report_findings(db: Database, viewer: Viewer, round_id: int, unit_id: str | None = None) -> list[Any]:
    """The round's REPORT-* findings the viewer may see (one unit, or all in scope), dismissed ones
    left out: one query per REPORT rule of the round's catalog."""
    from zwgk.dashboard.adapters import rule_names

    codes = sorted(c for c in rule_names(db, round_id) if c.startswith(REPORT_RULE_PREFIX))
    found: list[Any] = []
    for code in codes:
        found += [
            f
            for f in results.list_findings(
                db, round_id, unit_id, code, include_dismissed=False, unit_ids=_scope(viewer)
            )
            if f.in_force or f.needs_review
        ]
    return found


def report_overview(db: Database, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """Per visible unit of the round: last year's 年报 (the one the REPORT rules judge) — read or
    not, its format, sections, tables, whether its totals agree — and its REPORT-* findings."""
    from zwgk.dashboard.adapters import rule_names as _names
    from zwgk.indicators.rules.annual import TABLE_NAMES

    units = visible_units(db, viewer, round_id)
    if units.empty:
        return pd.DataFrame(columns=REPORT_OVERVIEW_COLUMNS)
    year = rounds_store.require_round_id(db, round_id).as_of.year - 1
    readings = _readings(db, viewer, round_id, _scope(viewer))
    names = _names(db, round_id)
    by_unit: dict[str, list[str]] = {}
    for f in _report_findings(db, viewer, round_id):
        label = (names.get(f.rule) or f.rule) + ("（待核查）" if f.needs_review else "")
        if label not in by_unit.setdefault(f.unit_id, []):
            by_unit[f.unit_id].append(label)
    rows = []
    for u in units.itertuples():
        report = readings.get(u.unit_id, {}).get(year)
        row: dict[str, Any] = {
            "unit_id": u.unit_id,
            "unit_name": u.name,
            "tier": u.tier,
            "kind": u.kind,
            "year": year,
            "findings": len(by_unit.get(u.unit_id, [])),
            "report_findings": "、".join(by_unit.get(u.unit_id, [])),
        }
        if report is None:
            row["read"] = "未读到"
        else:
            tables = report.get("tables") or {}
            checks = _report_checks(report)
            failed = [c for c in checks if not c["holds"]]
            missing = [TABLE_NAMES[k] for k in REPORT_TABLE_KEYS if k not in tables]
            unreadable = bool(report.get("unreadable"))
            row.update(
                read="无法读取" if unreadable else "已读取",
                source=REPORT_SOURCES.get(str(report.get("source")), str(report.get("source") or "")),
                template=REPORT_TEMPLATES.get(str(report.get("template")), str(report.get("template") or "")),
                template_ok=None if unreadable else report.get("template") == "2021",
                sections=len(report.get("sections") or []),
                tables=len([k for k in REPORT_TABLE_KEYS if k in tables]),
                tables_complete=None if unreadable else not missing,
                missing_tables="、".join(missing) if not unreadable else "",
                checks=len(checks),
                checks_failed=len(failed),
                totals_consistent=None if not checks else not failed,  # None: no table to check
                unsure=_report_unsure(report),
                title=report.get("title") or "",
                document_link=http_url(report.get("url") or report.get("page")),
            )
        rows.append(row)
    df = pd.DataFrame(rows, columns=REPORT_OVERVIEW_COLUMNS)
    for col in ("sections", "tables", "checks", "checks_failed"):
        df[col] = df[col].astype("Int64")
    for col in ("template_ok", "tables_complete", "totals_consistent", "unsure"):
        df[col] = df[col].astype("boolean")
    return df


def _figure(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def _whole_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Figure columns whose values are all whole numbers as integers (件数), the rest stay floats
    (收费金额 in 万元 may have decimals)."""
    for col in df.columns:
        if pd.api.types.is_float_dtype(df[col]):
            values = df[col].dropna()
            if (values == values.round()).all():
                df[col] = df[col].round().astype("Int64")
    return df


def _active_frame(active: dict[str, Any], template: str) -> pd.DataFrame:
    """Table 二 as the 2021 format lays it out (制发/废止/现行有效; 处理决定数量; 收费金额), any
    other layout (the 2019 trial format) by column position."""
    cols_2021 = ["本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（万元）"]
    rows: list[dict[str, Any]] = []
    for name, values in active.items():
        figures = [_figure(v) for v in values or []]
        row: dict[str, Any] = {"项目": name}
        if template == "2021" and len(figures) == 3:
            row.update(zip(cols_2021[:3], figures))
        elif template == "2021" and len(figures) == 1:
            row[cols_2021[4] if name == "行政事业性收费" else cols_2021[3]] = figures[0]
        else:
            row.update({f"第{i + 1}列": v for i, v in enumerate(figures)})
        rows.append(row)
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    ordered = ["项目"] + [c for c in cols_2021 if c in df] + [c for c in df if c.startswith("第")]
    return _whole_numbers(df[ordered].copy())


def _requests_frame(table: dict[str, Any]) -> pd.DataFrame:
    """Table 三: one row per recognised line (in the format's order), the seven columns as figures,
    and why a line was read with doubt."""
    from zwgk.crawlers.annual_report import REQUEST_COLUMNS, REQUEST_LABELS

    found: dict[str, list[Any]] = table.get("rows") or {}
    unsure: dict[str, str] = table.get("unsure") or {}
    order = [k for k in REQUEST_LABELS if k in found] + [k for k in found if k not in REQUEST_LABELS]
    rows = []
    for key in order:
        figures = [_figure(v) for v in found[key]]
        row: dict[str, Any] = {"项目": REQUEST_LABELS.get(key, key)}
        if len(figures) == len(REQUEST_COLUMNS):
            row.update(zip(REQUEST_COLUMNS, figures))
        else:  # a doubtful line: where its blanks were cannot be told, so its figures stay unplaced
            row["识别到的数字"] = " ".join(f"{v:g}" for v in figures if v is not None)
        row["识别存疑"] = unsure.get(key, "")
        rows.append(row)
    columns = ["项目", *REQUEST_COLUMNS, "识别到的数字", "识别存疑"]
    df = pd.DataFrame(rows, columns=columns)
    if not any(isinstance(v, str) and v for v in df["识别到的数字"]):
        df = df.drop(columns="识别到的数字")
    return _whole_numbers(df)


def _review_frame(table: dict[str, Any]) -> pd.DataFrame:
    """Table 四: 行政复议 and the two kinds of 行政诉讼, each 结果维持 … 总计."""
    from zwgk.crawlers.annual_report import REVIEW_COLUMNS

    values = [_figure(v) for v in table.get("values") or []]
    parts = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    if len(values) != len(REVIEW_COLUMNS):
        return pd.DataFrame([{"项目": "识别到的数字", "数值": " ".join(f"{v:g}" for v in values if v is not None)}])
    groups = list(dict.fromkeys(c.split(":")[0] for c in REVIEW_COLUMNS))
    rows = [{"项目": g, **dict(zip(parts, values[i * 5 : i * 5 + 5]))} for i, g in enumerate(groups)]
    return _whole_numbers(pd.DataFrame(rows, columns=["项目", *parts]))


def unit_reports(db: Database, viewer: Viewer, round_id: int, unit_id: str) -> list[AnnualReportView]:
    """Every year's 年报 the round read on the unit's site, newest first (PermissionError for a unit
    the viewer may not see)."""
    viewer.require_unit(unit_id)
    readings = _readings(db, viewer, round_id, [unit_id]).get(unit_id, {})
    out = []
    for year, report in sorted(readings.items(), reverse=True):
        tables = report.get("tables") or {}
        template = str(report.get("template") or "")
        notes = [
            f"附件未能读取：{a.get('url', '')}（{a.get('why', '')}）" for a in report.get("attachments_unread") or []
        ]
        if report.get("images"):
            notes.append(f"正文含 {report['images']} 张图片（统计表可能以图片形式发布）")
        if (tables.get("review") or {}).get("unsure"):
            notes.append(f"四、复议诉讼表：{tables['review']['unsure']}")
        checks = pd.DataFrame(
            [
                {
                    "check": c.get("text") or c.get("label") or c.get("check"),
                    "holds": bool(c["holds"]),
                    "sure": bool(c.get("sure", True)),
                }
                for c in _report_checks(report)
            ],
            columns=["check", "holds", "sure"],
        )
        out.append(
            AnnualReportView(
                year=int(year),
                title=str(report.get("title") or ""),
                page=str(report.get("page") or ""),
                document=str(report.get("url") or report.get("page") or ""),
                source=REPORT_SOURCES.get(str(report.get("source")), str(report.get("source") or "")),
                template=REPORT_TEMPLATES.get(template, template),
                sections=list(report.get("sections") or []),
                unreadable=str(report.get("unreadable") or ""),
                notes=notes,
                active=_active_frame(tables.get("active") or {}, template),
                requests=_requests_frame(tables["requests"]) if "requests" in tables else pd.DataFrame(),
                review=_review_frame(tables["review"]) if "review" in tables else pd.DataFrame(),
                checks=checks,
            )
        )
    return out


def report_findings(db: Database, viewer: Viewer, round_id: int, unit_id: str) -> pd.DataFrame:
    """The unit's REPORT-* findings of the round with their evidence (the :func:`findings` frame),
    plus ``detail``: the failed checks, missing tables or differing carry-over the rule recorded."""
    viewer.require_unit(unit_id)
    frame = findings(db, viewer, round_id, unit_id=unit_id)
    frame = frame[frame["rule"].str.startswith(REPORT_RULE_PREFIX)].reset_index(drop=True)
    details = []
    for ev_json in frame["evidence_json"]:
        ev = json.loads(ev_json) if ev_json else {}
        lines = [str(c.get("text") or c) for c in ev.get("failed") or []]
        if ev.get("missing"):
            lines.append("缺少：" + "、".join(map(str, ev["missing"])))
        for d in ev.get("differ") or []:
            lines.append(
                f"{d.get('column')}：上年结转 {d.get('carried')}，上年度年报结转下年度 {d.get('previous_carry_next')}"
            )
        old_format = (ev.get("markers") or {}).get("2019") if ev.get("template") in ("2019", "mixed") else None
        if old_format:
            lines.append("2019年试行格式的栏目：" + "、".join(map(str, old_format)))
        if ev.get("review_reason"):
            lines.append(f"待核查原因：{ev['review_reason']}")
        details.append("\n".join(lines))
    return frame.assign(detail=details)


# --------------------------------------------------------------------------- 政务新媒体

MEDIA_RULES = ("MEDIA-STALE", "MEDIA-GONE", "MEDIA-REPLY")
MEDIA_STATUS = {
    "stale": "不更新",
    "stale_review": "疑似不更新（待核查）",
    "gone": "已无法访问",
    "closed": "已注销",
    "unjudged": "未判定（发布记录未覆盖评估日）",
    "ok": "正常",
}
MEDIA_CHECKS = {"": "未检查", "ok": "可访问", "gone": "不存在", "unverified": "未能核验"}
MEDIA_COLUMNS = [
    "account_id",
    "unit_id",
    "unit_name",
    "platform",
    "name",
    "operator",
    "last_post",
    "days_since",
    "posts",
    "observed_until",
    "status",
    "status_label",
    "stale",
    "unanswered",
    "check",
    "check_detail",
    "checked_at",
    "account_link",
    "feed_link",
]


def media_accounts(db: Database, viewer: Viewer, round_id: int) -> pd.DataFrame:
    """The 政务新媒体 accounts of the units the viewer may see, judged as of the round's date:
    newest post, days since, and a status from the round's MEDIA-* findings (``stale``: a
    MEDIA-STALE finding in force or awaiting review).  Stale accounts first."""
    from zwgk.storage.reports import media_overview

    info = rounds_store.require_round_id(db, round_id)
    scope = _scope(viewer)
    accounts = media_overview(db, info.as_of, scope)
    if not accounts:
        return pd.DataFrame(columns=MEDIA_COLUMNS)
    judged: dict[tuple[str, str, str], Any] = {}
    for rule in MEDIA_RULES:
        for f in results.list_findings(db, round_id, None, rule, include_dismissed=False, unit_ids=scope):
            if f.in_force or f.needs_review:
                judged[(f.unit_id, f.rule, f.subject)] = f
    names = {uid: u.name for uid, u in results.unit_names(db, {a.account.unit_id for a in accounts}).items()}
    covered = dt.datetime.combine(info.as_of - dt.timedelta(days=1), dt.time())
    rows = []
    for o in accounts:
        a = o.account
        stale = judged.get((a.unit_id, "MEDIA-STALE", a.key))
        if a.closed:
            status = "closed"
        elif (a.unit_id, "MEDIA-GONE", a.key) in judged:
            status = "gone"
        elif stale is not None:
            status = "stale_review" if stale.needs_review else "stale"
        elif a.observed_until is None or a.observed_until < covered:
            status = "unjudged"
        else:
            status = "ok"
        rows.append(
            {
                "account_id": a.id,
                "unit_id": a.unit_id,
                "unit_name": names.get(a.unit_id, ""),
                "platform": a.platform,
                "name": a.name,
                "operator": a.operator,
                "last_post": o.last_post.date() if o.last_post else None,
                "days_since": (info.as_of - o.last_post.date()).days if o.last_post else None,
                "posts": o.posts,
                "observed_until": a.observed_until.date() if a.observed_until else None,
                "status": status,
                "status_label": MEDIA_STATUS[status],
                "stale": status in ("stale", "stale_review"),
                "unanswered": (a.unit_id, "MEDIA-REPLY", a.key) in judged,
                "check": MEDIA_CHECKS.get(a.check_status, a.check_status),
                "check_detail": a.check_detail,
                "checked_at": a.checked_at,
                "account_link": http_url(a.url),
                "feed_link": http_url(a.feed_url),
            }
        )
    df = pd.DataFrame(rows, columns=MEDIA_COLUMNS)
    df["days_since"] = df["days_since"].astype("Int64")
    df["_o"] = (~df["stale"]).astype(int)
    df = df.sort_values(["_o", "unit_id", "platform", "name"], kind="stable").drop(columns="_o")
    return df.reset_index(drop=True)


def media_posts(db: Database, viewer: Viewer, unit_id: str, account_id: int, limit: int = 200) -> pd.DataFrame:
    """An account's newest posts (PermissionError for another unit's; the unit is in the SQL too)."""
    from zwgk.storage.reports import account_posts

    viewer.require_unit(unit_id)
    rows = [
        (p.posted_at, p.title, http_url(p.url), p.comments, p.replied, p.source)
        for p in account_posts(db, unit_id, account_id, limit)
    ]
    return pd.DataFrame(rows, columns=["posted_at", "title", "link", "comments", "replied", "source"])
