"""Scoring a whole round, ranking per tier and kind, and comparing rounds.

``score_round`` reads what storage holds for the round (findings with their
reviews, manual scores, 整改 items overdue in this round), scores every unit,
ranks per (tier, kind) and writes the scores.  Units the crawl could not
measure are kept with ``measured=False``, no rank and the reason — never a
silent 0.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from zwgk.assess.rectify import overdue_items
from zwgk.assess.scoring import not_measured_score, parameters_of, rank_scores, score_unit
from zwgk.indicators.engine import JUDGED_WITHOUT_CONTENT
from zwgk.model import Unit, UnitScore, check_weight
from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.rounds import require_round_id


def score_round(
    db: Database,
    round_id: int,
    rubric: Any,
    units: list[Unit] | None = None,
    *,
    weight: float | None = None,
    not_measured: dict[str, str] | None = None,
    total_points: float = 100.0,
) -> list[UnitScore]:
    """Score and rank every unit of round ``round_id``; store and return the scores.

    ``units`` defaults to the round's units (round_sites joined with units).
    ``not_measured`` (unit_id → reason) adds to the sites whose crawl state is
    ``failed``.  ``weight`` defaults to the round's weight, then the rubric's;
    below 4% is refused.
    """
    info = require_round_id(db, round_id)
    members = results.round_members(db, round_id)
    by_unit: dict[str, list[results.FindingView]] = {}
    for f in results.list_findings(db, round_id):
        by_unit.setdefault(f.unit_id, []).append(f)
    # A failed crawl is still judged when a rule that needs no content (AVAIL-DOWN)
    # holds for it and stands after review: the unit is scored (a veto), not left out.
    judged = {u for u, fs in by_unit.items() if any(f.rule in JUDGED_WITHOUT_CONTENT and f.in_force for f in fs)}
    failed = {
        m.unit.unit_id: m.reason or "抓取失败 crawl failed"
        for m in members
        if m.state == "failed" and m.unit.unit_id not in judged
    }
    failed.update({u: r for u, r in (not_measured or {}).items() if u not in judged})
    if units is None:
        units = [m.unit for m in members]
    if weight is None:
        weight = info.weight if info.weight else parameters_of(rubric).weight
    check_weight(weight, "weight")

    manual = results.manual_scores(db, round_id)
    overdue = overdue_items(db, round_id)

    scores: list[UnitScore] = []
    for unit in units:
        if unit.unit_id in failed:
            scores.append(not_measured_score(unit, failed[unit.unit_id], weight))
            continue
        scores.append(
            score_unit(
                unit,
                by_unit.get(unit.unit_id, []),
                rubric,
                weight=weight,
                manual={k: v.score for k, v in manual.get(unit.unit_id, {}).items()},
                overdue_items=len(overdue.get(unit.unit_id, [])),
                total_points=total_points,
            )
        )
    ranked = rank_scores(scores)
    results.replace_scores(db, round_id, ranked)
    return ranked


def round_rubric(db: Database, round_id: int) -> Any:
    """Load the rubric round ``round_id`` was run with (by name or path, as stored with the round)."""
    from zwgk.indicators import load_rubric

    info = require_round_id(db, round_id)
    return load_rubric((info.settings or {}).get("rubric") or info.rubric)


def rescore_round(db: Database, round_id: int, rubric: Any | None = None) -> list[UnitScore]:
    """After a review or manual scores: rebuild the round's 整改 items, then its scores and ranks.

    ``rubric`` defaults to the round's own rubric.  Safe for older rounds: later
    rounds' rectification history is kept.
    """
    from zwgk.assess.rectify import update_rectification

    info = require_round_id(db, round_id)
    rubric = rubric if rubric is not None else round_rubric(db, round_id)
    update_rectification(db, round_id, rubric, info.as_of)
    return score_round(db, round_id, rubric, weight=info.weight)


@dataclass(frozen=True, slots=True)
class UnitDelta:
    unit_id: str
    unit_name: str
    tier: str
    kind: str
    score_a: float | None
    score_b: float | None
    delta: float | None  # b − a, None unless measured in both
    rank_a: int | None
    rank_b: int | None
    passed_a: bool | None
    passed_b: bool | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RuleDelta:
    rule: str
    count_a: int
    count_b: int
    delta: int
    fixed: int  # keys in a, not in b (for units measured in both)
    new: int  # keys in b, not in a

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class RoundComparison:
    round_a: int
    round_b: int
    units: list[UnitDelta] = field(default_factory=list)
    rules: list[RuleDelta] = field(default_factory=list)


def compare_rounds(db: Database, a: int, b: int, *, unit_ids: Collection[str] | None = None) -> RoundComparison:
    """Per-unit score deltas and per-rule finding counts between round ``a`` and round ``b``.

    Units are listed in unit_id order (units present in either round); rule
    counts exclude dismissed findings, and fixed/new only consider units
    measured in both rounds.  ``unit_ids`` limits both rounds to those units (read in SQL).
    """
    sa = {s.unit_id: s for s in results.list_scores(db, a, unit_ids=unit_ids)}
    sb = {s.unit_id: s for s in results.list_scores(db, b, unit_ids=unit_ids)}
    units = []
    for uid in sorted(set(sa) | set(sb)):
        x, y = sa.get(uid), sb.get(uid)
        ref = y or x
        assert ref is not None
        score_a, score_b = (x.score if x else None), (y.score if y else None)
        units.append(
            UnitDelta(
                unit_id=uid,
                unit_name=ref.unit_name,
                tier=ref.tier,
                kind=ref.kind,
                score_a=score_a,
                score_b=score_b,
                delta=round(score_b - score_a, 2) if score_a is not None and score_b is not None else None,
                rank_a=x.rank if x else None,
                rank_b=y.rank if y else None,
                passed_a=x.passed if x and x.measured else None,
                passed_b=y.passed if y and y.measured else None,
            )
        )
    both_measured = {u for u in set(sa) & set(sb) if sa[u].measured and sb[u].measured}
    fa = {f.key for f in results.list_findings(db, a, unit_ids=unit_ids) if f.in_force}
    fb = {f.key for f in results.list_findings(db, b, unit_ids=unit_ids) if f.in_force}
    rules = []
    for rule in sorted({k[1] for k in fa | fb}):
        ka = {k for k in fa if k[1] == rule}
        kb = {k for k in fb if k[1] == rule}
        rules.append(
            RuleDelta(
                rule=rule,
                count_a=len(ka),
                count_b=len(kb),
                delta=len(kb) - len(ka),
                fixed=len({k for k in ka - kb if k[0] in both_measured}),
                new=len({k for k in kb - ka if k[0] in both_measured}),
            )
        )
    return RoundComparison(a, b, units, rules)


def most_improved(
    db: Database,
    round_id: int,
    previous_round_id: int | None = None,
    n: int = 10,
    *,
    unit_ids: Collection[str] | None = None,
) -> list[UnitDelta]:
    """The ``n`` units whose score rose most since the previous round (only rises, ties by unit_id).

    ``previous_round_id`` defaults to the round's linked previous round; no
    previous round → an empty list.  ``unit_ids``: only those units (a department's).
    The CLI and the dashboard both list it from here.
    """
    if previous_round_id is None:
        previous_round_id = require_round_id(db, round_id).previous_round_id
    if previous_round_id is None or previous_round_id == round_id:
        return []
    units = compare_rounds(db, previous_round_id, round_id, unit_ids=unit_ids).units
    deltas = [u for u in units if u.delta is not None and u.delta > 0]
    deltas.sort(key=lambda u: (-(u.delta or 0.0), u.unit_id))
    return deltas[:n]
