"""Running the rule table over one site snapshot."""

from __future__ import annotations

from collections.abc import Iterable

import zwgk.indicators.workdays as workdays
from zwgk.indicators.rules import RULES
from zwgk.indicators.spec import Rubric
from zwgk.model import Finding, RubricError, Severity, SiteSnapshot

# Rules that still judge a site whose homepage never opened (its content was never
# seen): the pipeline keeps only these for a failed crawl, and rectification
# re-checks only these items of such a unit (nothing else is "fixed" by a down site).
JUDGED_WITHOUT_CONTENT = frozenset({"AVAIL-DOWN"})


def evaluate(snapshot: SiteSnapshot, rubric: Rubric) -> list[Finding]:
    """Findings of every enabled rule that applies to the unit's tier and kind.

    Pure: reads only ``snapshot`` (``as_of`` is "today") and ``rubric``.  Raises
    :class:`workdays.CalendarUnknownError` when the as-of date lies in a year
    without a known holiday schedule, so no working-day answer is ever guessed.
    """
    workdays.check_known(snapshot.as_of)
    findings: list[Finding] = []
    for code, spec in rubric.rules.items():
        if not spec.enabled or not spec.applies_to(snapshot.unit.tier, snapshot.unit.kind):
            continue
        fn = RULES.get(code)
        if fn is None:
            raise RubricError(
                rubric.path or rubric.name, None, f"rule {code} has no implementation in zwgk.indicators.rules"
            )
        findings.extend(fn(snapshot, spec, rubric))
    return dedupe(findings)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per ``(unit_id, rule, subject)``; later duplicates add their page to the evidence."""
    by_key: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        first = by_key.get(f.key)
        if first is None:
            by_key[f.key] = f
            continue
        also = first.evidence.setdefault("also_seen_on", [])
        if f.page and f.page != first.page and f.page not in also:
            also.append(f.page)
    return sorted(by_key.values(), key=lambda f: (f.unit_id, f.rule, f.subject))


def deductions_by_indicator(findings: Iterable[Finding], rubric: Rubric) -> dict[str, float]:
    """Points deducted per indicator after each rule's ``cap`` and each indicator's ``points`` cap.

    Veto and info findings carry no deduction here: a veto decides the result on its own.
    """
    per_rule: dict[str, float] = {}
    for f in findings:
        if f.severity != Severity.DEDUCT.value:
            continue
        per_rule[f.rule] = per_rule.get(f.rule, 0.0) + f.points
    per_indicator: dict[str, float] = {}
    for code, total in per_rule.items():
        spec = rubric.rules.get(code)
        if spec is None:
            continue
        if spec.cap is not None:
            total = min(total, spec.cap)
        per_indicator[spec.indicator] = per_indicator.get(spec.indicator, 0.0) + total
    return {
        ind: round(min(total, rubric.indicators[ind].points), 6)
        for ind, total in per_indicator.items()
        if ind in rubric.indicators
    }
