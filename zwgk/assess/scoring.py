"""The national rubric's arithmetic, as pure functions of findings + rubric.

How a website is scored (国办发〔2019〕19号-style, parameters from the rubric):

1. any counted ``veto`` finding → 不合格: ``veto=True, passed=False, score=0.0``;
   the vetoes are listed, nothing else is scored.
2. otherwise ``total − Σ over deduct indicators of min(Σ finding points, indicator points)``
   (a rule with a ``cap`` in the rubric first contributes at most its cap).
3. a unit without public services (``has_services`` False) is scored without the
   services indicator: ``scale`` mode multiplies what is left by
   ``no_services_factor`` (×4/3 nationally); ``redistribute`` mode spreads the
   services points evenly over the other deduct indicators (their caps grow).
   A unit *with* services whose services nobody judged is never given those
   points.  Judged means: an evaluator entered the services item, or the
   rubric has enabled rules under the services indicator and none of them
   marked the site's services as unseen (a finding whose evidence says
   ``"services_unjudged": true``, e.g. SVC-EXTERNAL: the services live on a
   platform outside the site).  Otherwise, with ``services_unjudged = "exclude"`` (default) the
   indicator is left out exactly like for a unit without services and marked
   ``未测评``; with ``"zero"`` it earns nothing until judged.  An evaluator's
   entry (item ``services`` or its name 办事服务, points earned 0..25) replaces
   the automatic deductions of that indicator.
4. overdue 整改 items deduct ``overdue_extra_points`` each, at most ``overdue_cap``
   (the synthetic indicator ``rectify`` / 整改).
5. ``< pass_line`` fails; only above ``bonus_gate`` is the bonus part scored:
   Σ over bonus indicators of min(Σ points of their findings, indicator points),
   at most ``bonus_max``; final score = deduct part + bonus.

Dismissed findings (人工核查) never count; ``info`` findings carry no points.

The 政务公开 composite combines the website score (item ``website``, capped at
100) with evaluator-entered items by ``rubric.scoring.composite`` weights; items
without an entered score are left out and the remaining weights renormalised
(the breakdown says so).  ``weighted = composite / 100 × weight × total_points``.

``UnitScore.breakdown`` maps each indicator id to ``{name, part, available,
deducted, findings}``; keys starting with ``_`` are not indicators
(``_composite``, ``_notes``, ``_vetoes``) — use :func:`indicator_rows` to list
only the indicators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from zwgk.indicators.catalog import Scoring
from zwgk.model import (
    Unit,
    UnitScore,
    check_weight,
    finding_in_force,
    is_review_candidate,
    score_sort_key,
)

RECTIFY_INDICATOR = "rectify"
UNJUDGED = "未测评"
RECTIFY_RULE = "RECTIFY-OVERDUE"
WEBSITE_ITEM = "website"
SCORE_DECIMALS = 2


class FindingLike(Protocol):
    """What scoring reads of a finding (a ``Finding`` or a stored ``FindingView``)."""

    unit_id: str
    rule: str
    subject: str
    severity: str
    points: float
    indicator: str


def parameters_of(rubric: Any) -> Scoring:
    """The rubric's scoring parameters as the one type that declares them
    (``zwgk.indicators.catalog.Scoring``, with its defaults); a duck-typed rubric's
    scoring (object or mapping) is read field by field, absent values take those defaults."""
    sc = getattr(rubric, "scoring", None)
    if isinstance(sc, Scoring):
        return sc
    if sc is None:
        return Scoring()
    values: dict[str, Any] = {}
    for name in Scoring.__dataclass_fields__:
        v = sc.get(name) if isinstance(sc, Mapping) else getattr(sc, name, None)
        if v is not None:
            values[name] = dict(v) if name == "composite" else v
    return Scoring(**values)


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    id: str
    name: str
    points: float
    part: str  # deduct / bonus


def indicators_of(rubric: Any) -> dict[str, IndicatorInfo]:
    out = {}
    for key, ind in (getattr(rubric, "indicators", None) or {}).items():
        out[key] = IndicatorInfo(
            id=getattr(ind, "id", key),
            name=getattr(ind, "name", key),
            points=float(getattr(ind, "points", 0.0)),
            part=getattr(ind, "part", "deduct") or "deduct",
        )
    return out


def rule_caps_of(rubric: Any) -> dict[str, float]:
    """rule code → the most its findings may deduct in total (rules without a cap are absent)."""
    out = {}
    for code, spec in (getattr(rubric, "rules", None) or {}).items():
        cap = getattr(spec, "cap", None)
        if cap is not None:
            out[code] = float(cap)
    return out


def indicator_of(finding: FindingLike, rubric: Any) -> str:
    """The indicator a finding counts against: its own, else its rule's in the rubric."""
    if getattr(finding, "indicator", ""):
        return finding.indicator
    rule = (getattr(rubric, "rules", None) or {}).get(finding.rule)
    return getattr(rule, "indicator", "") if rule is not None else ""


def is_candidate(finding: Any) -> bool:
    """A ``review`` finding (weak evidence) not yet confirmed by an evaluator: no deduction, no 整改."""
    return is_review_candidate(getattr(finding, "evidence", None)) and getattr(finding, "review", "") != "confirmed"


def counted(findings: Iterable[FindingLike]) -> list[FindingLike]:
    """Findings that count: not dismissed, and review candidates only once confirmed."""
    return [f for f in findings if finding_in_force(f)]


def services_judged_by_rules(findings: Iterable[Any], rubric: Any) -> bool:
    """True when automatic rules judged the services indicator of a unit.

    The rubric must have an enabled rule under the services indicator, and no
    finding (not dismissed) may say that the site's services could not be seen
    (``evidence["services_unjudged"]``).  Both facts come from the rules, so a
    rubric that never checks services never awards their points by default.
    """
    services = parameters_of(rubric).services_indicator
    rules = (getattr(rubric, "rules", None) or {}).values()
    if not any(getattr(r, "indicator", "") == services and getattr(r, "enabled", True) for r in rules):
        return False
    for f in findings:
        if getattr(f, "review", "") == "dismissed":
            continue
        if (getattr(f, "evidence", None) or {}).get("services_unjudged"):
            return False
    return True


def indicator_rows(breakdown: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Only the indicator entries of a breakdown (skips the ``_``-prefixed extras)."""
    return [(k, v) for k, v in breakdown.items() if not k.startswith("_") and isinstance(v, dict)]


def _r(x: float) -> float:
    return round(x + 0.0, SCORE_DECIMALS)


@dataclass(frozen=True, slots=True)
class WebsiteResult:
    """The website check of one unit before composite and weighting."""

    score: float
    veto: bool
    passed: bool
    deductions: float
    bonus: float
    breakdown: dict[str, Any]


def score_website(
    unit: Unit,
    findings: Iterable[FindingLike],
    rubric: Any,
    *,
    overdue_items: int = 0,
    awarded: Mapping[str, float] | None = None,
    services_earned: float | None = None,
) -> WebsiteResult:
    """Score one unit's website from its findings (dismissed ones must already be marked).

    ``awarded`` maps bonus indicator ids to evaluator-awarded bonus points (the
    national rubric has no machine rule for 加分 items; evaluators enter them as
    manual scores named after the bonus indicator, see :func:`split_manual`).
    ``services_earned`` is the evaluator's judgement of the services indicator
    (points earned, see :func:`services_judgement`); None when nobody entered one.
    """
    p = parameters_of(rubric)
    inds = indicators_of(rubric)
    notes: list[str] = []
    live = counted(findings)
    vetoes = [f for f in live if f.severity == "veto"]

    per_rule: dict[tuple[str, str], float] = {}
    per_count: dict[str, int] = {}
    for f in live:
        if f.severity == "veto":
            continue
        ind_id = indicator_of(f, rubric) or "(未归类)"
        is_bonus = ind_id in inds and inds[ind_id].part == "bonus"
        if f.severity == "info" and not is_bonus:
            continue  # recorded, no points
        per_rule[(ind_id, f.rule)] = per_rule.get((ind_id, f.rule), 0.0) + float(f.points or 0.0)
        per_count[ind_id] = per_count.get(ind_id, 0) + 1
    per_indicator: dict[str, float] = {}
    rule_caps = rule_caps_of(rubric)
    for (ind_id, rule), pts in per_rule.items():
        cap = rule_caps.get(rule)
        per_indicator[ind_id] = per_indicator.get(ind_id, 0.0) + (min(pts, cap) if cap is not None else pts)
    for ind_id, pts in (awarded or {}).items():
        if ind_id in inds and inds[ind_id].part == "bonus":
            per_indicator[ind_id] = per_indicator.get(ind_id, 0.0) + float(pts)

    breakdown: dict[str, Any] = {}
    if vetoes:
        for key, ind in inds.items():
            breakdown[key] = {
                "name": ind.name,
                "part": ind.part,
                "available": ind.points,
                "deducted": 0.0,
                "findings": per_count.get(key, 0),
            }
        breakdown["_vetoes"] = [{"rule": f.rule, "subject": f.subject} for f in vetoes]
        svc = p.services_indicator
        if (
            unit.has_services
            and svc in breakdown
            and services_earned is None
            and not services_judged_by_rules(findings, rubric)
        ):
            breakdown[svc].update(unjudged=True, status=UNJUDGED)
            breakdown["_unjudged"] = [svc]
        breakdown["_notes"] = [f"单项否决 veto: {', '.join(sorted({f.rule for f in vetoes}))}; 不再计分"]
        return WebsiteResult(0.0, True, False, 0.0, 0.0, breakdown)

    services = p.services_indicator
    scored_services = services in inds and inds[services].part != "bonus"
    drop_services = not unit.has_services and scored_services
    unjudged = (
        unit.has_services
        and scored_services
        and services_earned is None
        and not services_judged_by_rules(findings, rubric)
    )
    if unit.has_services and scored_services and services_earned is not None:
        earned = max(0.0, min(float(services_earned), inds[services].points))
        per_indicator[services] = inds[services].points - earned
        notes.append(
            f"{inds[services].name} 由评估人员评分: 得 {earned:g} / {inds[services].points:g} 分"
            "（替代该指标的自动扣分）"
        )
    elif unjudged and p.services_unjudged == "zero":
        per_indicator[services] = inds[services].points
        notes.append(f"{inds[services].name} {UNJUDGED}: 无人评判，该指标 {inds[services].points:g} 分暂不计得分")
    elif unjudged:
        drop_services = True
    deduct_inds = {k: v for k, v in inds.items() if v.part != "bonus"}
    caps = {k: v.points for k, v in deduct_inds.items()}
    if drop_services:
        services_points = caps.pop(services)
        why = (
            f"{deduct_inds[services].name} {UNJUDGED}（无评估人员评分、无自动检查结果）"
            if unjudged
            else f"无对外服务职能: {deduct_inds[services].name} 不检查"
        )
        if p.no_services_mode == "redistribute":
            share = services_points / len(caps) if caps else 0.0
            caps = {k: c + share for k, c in caps.items()}
            notes.append(f"{why}，其 {services_points:g} 分平均分配到其余指标")
        else:
            notes.append(f"{why}，其余指标得分 ×{p.no_services_factor:.4g}")

    deducted_total = 0.0
    for key, ind in deduct_inds.items():
        if drop_services and key == services:
            breakdown[key] = {
                "name": ind.name,
                "part": ind.part,
                "available": 0.0,
                "deducted": 0.0,
                "findings": per_count.get(key, 0),
                "excluded": True,
            }
            if unjudged:
                breakdown[key].update(unjudged=True, status=UNJUDGED)
            continue
        d = min(per_indicator.get(key, 0.0), caps[key])
        deducted_total += d
        breakdown[key] = {
            "name": ind.name,
            "part": ind.part,
            "available": _r(caps[key]),
            "deducted": _r(d),
            "findings": per_count.get(key, 0),
        }
        if per_indicator.get(key, 0.0) > caps[key]:
            breakdown[key]["uncapped"] = _r(per_indicator[key])
        if key == services and unjudged:
            breakdown[key].update(unjudged=True, status=UNJUDGED)
        elif key == services and scored_services and unit.has_services and services_earned is not None:
            breakdown[key]["judged_by"] = "evaluator"
    for key in sorted(set(per_indicator) - set(inds)):
        # a finding under an indicator the rubric does not know: counted uncapped, shown, never hidden
        deducted_total += per_indicator[key]
        breakdown[key] = {
            "name": key,
            "part": "deduct",
            "available": 0.0,
            "deducted": _r(per_indicator[key]),
            "findings": per_count[key],
            "unknown": True,
        }
        notes.append(f"指标 {key!r} 不在评分细则中，扣分未封顶")

    if drop_services and p.no_services_mode != "redistribute":
        base = sum(caps.values())
        score = (base - deducted_total) * p.no_services_factor
    else:
        score = p.total - deducted_total
    score = max(0.0, min(score, p.total))

    if p.overdue_extra_points and overdue_items:
        extra = overdue_items * p.overdue_extra_points
        if p.overdue_cap:
            extra = min(extra, p.overdue_cap)
        extra = min(extra, score)
        score -= extra
        deducted_total += extra
        breakdown[RECTIFY_INDICATOR] = {
            "name": "整改",
            "part": "deduct",
            "available": p.overdue_cap or extra,
            "deducted": _r(extra),
            "findings": overdue_items,
        }
        notes.append(f"{overdue_items} 项整改逾期未完成，加扣 {extra:g} 分")

    score = _r(score)
    passed = score >= p.pass_line
    bonus = 0.0
    bonus_inds = {k: v for k, v in inds.items() if v.part == "bonus"}
    for key, ind in bonus_inds.items():
        earned = min(per_indicator.get(key, 0.0), ind.points)
        breakdown[key] = {
            "name": ind.name,
            "part": "bonus",
            "available": ind.points,
            "deducted": 0.0,
            "earned": _r(earned) if score > p.bonus_gate else 0.0,
            "findings": per_count.get(key, 0),
        }
        bonus += earned
    if bonus_inds:
        if score > p.bonus_gate:
            bonus = min(bonus, p.bonus_max)
        else:
            if bonus:
                notes.append(f"得分未超过 {p.bonus_gate:g} 分，加分项不计")
            bonus = 0.0
    breakdown["_notes"] = notes
    if unjudged:
        breakdown["_unjudged"] = [services]
    return WebsiteResult(_r(score + bonus), False, passed, _r(deducted_total), _r(bonus), breakdown)


def split_manual(manual: Mapping[str, float] | None, rubric: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Evaluator entries → (composite items, bonus points per bonus indicator id).

    An entry named after a bonus indicator (its id, e.g. ``bonus_data``, or its
    name, e.g. ``数据发布与开放``) is bonus points for that indicator; every
    other entry is a 政务公开 composite item scored 0..100.
    """
    bonus_ids = {k: k for k, v in indicators_of(rubric).items() if v.part == "bonus"}
    bonus_ids.update({v.name: k for k, v in indicators_of(rubric).items() if v.part == "bonus"})
    services = set(services_item_names(rubric))
    composite: dict[str, float] = {}
    bonus: dict[str, float] = {}
    for item, value in (manual or {}).items():
        if item in services:
            continue  # the services indicator's judgement, see services_judgement
        if item in bonus_ids:
            bonus[bonus_ids[item]] = bonus.get(bonus_ids[item], 0.0) + float(value)
        else:
            composite[item] = float(value)
    return composite, bonus


def services_item_names(rubric: Any) -> list[str]:
    """Names under which an evaluator enters the services indicator: its id and its name (办事服务)."""
    key = parameters_of(rubric).services_indicator
    ind = indicators_of(rubric).get(key)
    if ind is None or ind.part == "bonus":
        return []
    return [key] if ind.name == key else [key, ind.name]


def services_judgement(manual: Mapping[str, float] | None, rubric: Any) -> float | None:
    """The evaluator's services points (earned, 0..indicator points), or None when not entered."""
    for name in services_item_names(rubric):
        if manual and name in manual and manual[name] is not None:
            return float(manual[name])
    return None


def manual_item_limits(rubric: Any) -> dict[str, float]:
    """Item name → the most it may score: 100 for composite items, the indicator's points otherwise."""
    limits = {k: 100.0 for k in parameters_of(rubric).composite if k != WEBSITE_ITEM}
    inds = indicators_of(rubric)
    for key, ind in inds.items():
        if ind.part == "bonus":
            limits[key] = limits[ind.name] = ind.points
    for name in services_item_names(rubric):
        limits[name] = inds[parameters_of(rubric).services_indicator].points
    return limits


def manual_item_names(rubric: Any) -> list[str]:
    """Every name an evaluator may enter: composite items (not ``website``), the services
    indicator (points earned) and bonus indicators."""
    items = [k for k in parameters_of(rubric).composite if k != WEBSITE_ITEM]
    items += services_item_names(rubric)
    for key, ind in indicators_of(rubric).items():
        if ind.part == "bonus":
            items += [key, ind.name]
    return items


def composite_score(
    website: float | None,
    manual: Mapping[str, float] | None,
    rubric: Any,
) -> tuple[float | None, dict[str, Any]]:
    """The 政务公开 composite (0..100) over entered items, weights renormalised.

    Returns ``(composite, detail)``; ``detail`` lists each item's weight, score
    and whether it was entered, plus ``renormalised`` and ``missing``.
    """
    p = parameters_of(rubric)
    manual = dict(manual or {})
    weights = dict(p.composite) or {WEBSITE_ITEM: 1.0}
    scores: dict[str, float | None] = {}
    for item in weights:
        if item == WEBSITE_ITEM:
            scores[item] = None if website is None else min(website, 100.0)
        else:
            scores[item] = manual.get(item)
    given = {k: s for k, s in scores.items() if s is not None}
    entered = {k: w for k, w in weights.items() if k in given and w > 0}
    missing = sorted(k for k, w in weights.items() if scores[k] is None and w > 0)
    unknown = sorted(set(manual) - set(weights))
    detail: dict[str, Any] = {
        "items": {k: {"weight": w, "score": scores[k], "entered": scores[k] is not None} for k, w in weights.items()},
        "missing": missing,
        "renormalised": bool(missing),
        "ignored": unknown,
    }
    total_w = sum(entered.values())
    if not total_w:
        detail["value"] = None
        return None, detail
    value = _r(sum(given[k] * w for k, w in entered.items()) / total_w)
    detail["value"] = value
    return value, detail


def weighted_component(composite: float | None, weight: float, total_points: float = 100.0) -> float | None:
    """``composite / 100 × weight × total_points`` (weight ≥ 4% enforced)."""
    check_weight(weight)
    if composite is None:
        return None
    return round(composite / 100.0 * weight * total_points, 4)


def score_unit(
    unit: Unit,
    findings: Iterable[FindingLike],
    rubric: Any,
    *,
    weight: float,
    manual: Mapping[str, float] | None = None,
    overdue_items: int = 0,
    total_points: float = 100.0,
) -> UnitScore:
    """A measured unit's full result (rank is set later by :func:`rank_scores`)."""
    check_weight(weight, f"weight of {unit.unit_id}")
    items, awarded = split_manual(manual, rubric)
    web = score_website(
        unit,
        findings,
        rubric,
        overdue_items=overdue_items,
        awarded=awarded,
        services_earned=services_judgement(manual, rubric),
    )
    composite, detail = composite_score(web.score, items, rubric)
    breakdown = dict(web.breakdown)
    breakdown["_composite"] = detail
    return UnitScore(
        unit_id=unit.unit_id,
        unit_name=unit.name,
        tier=unit.tier,
        kind=unit.kind,
        measured=True,
        score=web.score,
        veto=web.veto,
        passed=web.passed,
        weight=weight,
        weighted=weighted_component(composite, weight, total_points),
        deductions=web.deductions,
        bonus=web.bonus,
        breakdown=breakdown,
    )


def not_measured_score(unit: Unit, reason: str, weight: float) -> UnitScore:
    """A unit that could not be measured: no score, no rank, the reason — never a silent 0."""
    check_weight(weight, f"weight of {unit.unit_id}")
    return UnitScore(
        unit_id=unit.unit_id,
        unit_name=unit.name,
        tier=unit.tier,
        kind=unit.kind,
        measured=False,
        score=None,
        veto=False,
        passed=False,
        weight=weight,
        weighted=None,
        rank=None,
        reason=reason or "未测评 not measured",
    )


def rank_scores(scores: Sequence[UnitScore]) -> list[UnitScore]:
    """Competition ranking (1, 1, 3) per (tier, kind); vetoed after all others; unmeasured unranked.

    Sets ``rank`` in place and returns the scores ordered tier, kind, rank, unit_id.
    """
    groups: dict[tuple[str, str], list[UnitScore]] = {}
    for sc in scores:
        sc.rank = None
        if sc.measured and sc.score is not None:
            groups.setdefault((sc.tier, sc.kind), []).append(sc)
    for members in groups.values():
        members.sort(key=lambda s: (s.veto, -(s.score or 0.0), s.unit_id))
        prev_key = None
        for pos, sc in enumerate(members, start=1):
            key = (sc.veto, sc.score)
            if key != prev_key:
                rank = pos
                prev_key = key
            sc.rank = rank
    return sorted(scores, key=score_sort_key)
