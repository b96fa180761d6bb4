"""整改 (rectification): each unit's list of items, tracked from round to round.

A round turns every counted ``veto``/``deduct`` finding (confirmed or not yet
reviewed; bonus-indicator findings are achievements, not defects) into an item
keyed ``(unit, rule, subject)`` with a deadline ``rectify_working_days``
working days after the round's as-of date.  The next round re-checks every open
item of a unit it measured:

- seen again → still ``open``, or ``overdue`` when that round's as-of date is
  past the deadline (the rubric's extra deduction then applies to the unit's
  score in that round, see :func:`overdue_items`);
- not seen → ``fixed`` (``closed_round_id`` = that round);
- a unit the round could not measure keeps its items unchanged (nothing is
  "fixed" just because the site was down); when its failed crawl was still
  judged unreachable (AVAIL-DOWN), only that rule's items are re-checked.

Each item keeps ``history`` = ``[{"round", "round_name", "status"}]``.  Running
``update_rectification`` again for the same round first undoes that round's
effects, so it is idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zwgk.assess.scoring import RECTIFY_RULE, indicator_of, indicators_of, parameters_of
from zwgk.indicators.engine import JUDGED_WITHOUT_CONTENT
from zwgk.indicators.workdays import add_working_days  # the one working-day calendar
from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.results import FindingView, RectificationView
from zwgk.storage.rounds import RoundInfo, list_rounds, require_round_id

ACTIVE = ("open", "overdue")


def _round(db: Database, round_id: int) -> RoundInfo:
    return require_round_id(db, round_id)


def _order(info: RoundInfo) -> tuple[dt.date, int]:
    return (info.as_of, info.id)


def rectifiable(findings: list[FindingView], rubric: Any) -> list[FindingView]:
    """Findings that become 整改 items: in force (not dismissed, not an unconfirmed review
    candidate), veto/deduct, not under a bonus indicator."""
    bonus = {k for k, v in indicators_of(rubric).items() if v.part == "bonus"}
    return [
        f for f in findings if f.in_force and f.severity in ("veto", "deduct") and indicator_of(f, rubric) not in bonus
    ]


def _place(h: dict[str, Any], order: dict[int, tuple[dt.date, int]]) -> tuple[dt.date, int]:
    """Where a history entry's round falls in ``order`` (an unknown or missing round: last)."""
    round_id = h.get("round")
    far = (dt.date.max, 0)
    return far if round_id is None else order.get(round_id, far)


def _normalise(it: RectificationView, order: dict[int, tuple[dt.date, int]]) -> None:
    """Sort an item's history by round and derive status, closed and last-seen rounds from it."""
    it.history.sort(key=lambda h: _place(h, order))
    it.status = "open"
    it.closed_round_id = None
    it.last_seen_round_id = it.opened_round_id
    for h in it.history:
        status = h.get("status")
        if status == "fixed":
            it.status, it.closed_round_id = "fixed", h.get("round")
            break  # a fixed item stays closed; a recurrence is a new item
        if status in ACTIVE:
            it.status, it.last_seen_round_id = status, h["round"]  # every entry names its round


def _status_before(it: RectificationView, order: dict[int, tuple[dt.date, int]], here: tuple[dt.date, int]) -> str:
    """The item's status as of the last round before ``here`` ("" if it did not exist yet)."""
    before = [h for h in it.history if _place(h, order) < here]
    return before[-1].get("status", "") if before else ""


def update_rectification(db: Database, round_id: int, rubric: Any, as_of: dt.date | None = None) -> dict[str, int]:
    """Open, re-check and close 整改 items for round ``round_id``.

    Idempotent, and safe to re-run for an older round after later rounds
    (e.g. after a review): the round's own history entries are replaced and
    each item's status is derived from its whole, round-ordered history.
    Returns counts ``{"new", "still_open", "overdue", "fixed"}``.
    """
    info = _round(db, round_id)
    as_of = as_of or info.as_of
    params = parameters_of(rubric)
    order = {r.id: _order(r) for r in list_rounds(db)}
    here = _order(info)

    members = results.round_members(db, round_id)
    failed = {m.unit.unit_id for m in members if m.state == "failed"}
    measured = {m.unit.unit_id for m in members if m.state != "failed"}
    by_unit: dict[str, dict[tuple[str, str], FindingView]] = {}
    for f in rectifiable(results.list_findings(db, round_id), rubric):
        by_unit.setdefault(f.unit_id, {})[(f.rule, f.subject)] = f
    measured |= set(by_unit) - failed
    # a failed crawl judged only the rules that need no content (AVAIL-DOWN): re-check just those
    partly = {u for u in by_unit if u in failed}

    counts = {"new": 0, "still_open": 0, "overdue": 0, "fixed": 0}
    changed: list[RectificationView] = []
    drop: list[int] = []
    matched: set[tuple[str, str, str]] = set()
    own: dict[tuple[str, str, str], RectificationView] = {}  # items this round opened (earlier run)
    entry = {"round": round_id, "round_name": info.name}

    for it in results.list_rectification_items(db):
        key = (it.unit_id, it.rule, it.subject)
        if it.opened_round_id == round_id:
            own[key] = it
            continue
        opened = order.get(it.opened_round_id)
        if opened is None or opened >= here:
            continue
        had = any(h.get("round") == round_id for h in it.history)
        it.history = [h for h in it.history if h.get("round") != round_id]
        rechecked = it.unit_id in measured or (it.unit_id in partly and it.rule in JUDGED_WITHOUT_CONTENT)
        if not rechecked or _status_before(it, order, here) not in ACTIVE:
            if had:  # this round no longer re-checks it: drop the stale entry
                _normalise(it, order)
                changed.append(it)
            continue
        seen = by_unit.get(it.unit_id, {}).get((it.rule, it.subject))
        if seen is not None:
            matched.add(key)
            status = "overdue" if as_of > it.deadline else "open"
            it.page, it.evidence, it.message, it.fix = seen.page, dict(seen.evidence), seen.message, seen.fix
            counts["overdue" if status == "overdue" else "still_open"] += 1
        else:
            status = "fixed"
            counts["fixed"] += 1
        it.history.append({**entry, "status": status})
        _normalise(it, order)
        changed.append(it)

    deadline = add_working_days(as_of, int(params.rectify_working_days))
    for unit_id, fs in by_unit.items():
        for (rule, subject), f in fs.items():
            key = (unit_id, rule, subject)
            if key in matched:
                continue
            counts["new"] += 1
            item = own.pop(key, None)
            if item is None:
                item = RectificationView(
                    unit_id=unit_id,
                    rule=rule,
                    subject=subject,
                    opened_round_id=round_id,
                    last_seen_round_id=round_id,
                    deadline=deadline,
                )
            item.deadline, item.points, item.severity = deadline, float(f.points or 0.0), f.severity
            item.page, item.message, item.fix, item.evidence = f.page, f.message, f.fix, dict(f.evidence)
            item.history = [h for h in item.history if h.get("round") != round_id] + [{**entry, "status": "open"}]
            _normalise(item, order)
            changed.append(item)
    drop = [it.id for it in own.values() if it.id is not None]  # opened here, no longer found here
    results.delete_rectification_items(db, drop)
    results.save_rectification_items(db, changed)
    return counts


def overdue_items(db: Database, round_id: int) -> dict[str, list[tuple[str, str]]]:
    """unit_id → [(rule, subject)] of items overdue *in* this round.

    Computed from items and this round's findings (not from stored statuses),
    so it gives the same answer whether or not ``update_rectification`` ran
    before ``score_round``: an item opened in an earlier round, not closed
    before this round, past its deadline at this round's as-of date, and seen
    again (not dismissed) in this round.
    """
    info = _round(db, round_id)
    rounds = {r.id: r for r in list_rounds(db)}
    here = _order(info)
    seen = {(f.unit_id, f.rule, f.subject) for f in results.list_findings(db, round_id) if f.in_force}
    out: dict[str, list[tuple[str, str]]] = {}
    for it in results.list_rectification_items(db):
        opened = rounds.get(it.opened_round_id)
        if opened is None or _order(opened) >= here:
            continue
        closed = rounds.get(it.closed_round_id) if it.closed_round_id else None
        if closed is not None and _order(closed) < here:
            continue
        if info.as_of > it.deadline and (it.unit_id, it.rule, it.subject) in seen:
            out.setdefault(it.unit_id, []).append((it.rule, it.subject))
    for keys in out.values():
        keys.sort()
    return out


def _impact_key(it: RectificationView) -> tuple:
    return (it.severity != "veto", -float(it.points or 0.0), it.status != "overdue", it.rule, it.subject)


def rectification_list(db: Database, unit_id: str, round_id: int | None = None) -> list[RectificationView]:
    """A unit's 整改清单, ordered by score impact (veto first, then points desc; overdue before open).

    With ``round_id``: the items in force at that round — opened in it or seen
    again in it (open/overdue as of that round).  Without: every item still
    open or overdue now.
    """
    items = results.list_rectification_items(db, unit_id)
    if round_id is None:
        chosen = [it for it in items if it.status in ACTIVE]
    else:
        chosen = []
        for it in items:
            entry = next((h for h in it.history if h.get("round") == round_id), None)
            if entry is not None and entry.get("status") in ACTIVE:
                chosen.append(it)
    return sorted(chosen, key=_impact_key)


def rectification_history(db: Database, unit_id: str) -> list[RectificationView]:
    """Every item of a unit across rounds (oldest first), with its per-round history."""
    return results.list_rectification_items(db, unit_id)


__all__ = [
    "RECTIFY_RULE",
    "add_working_days",
    "overdue_items",
    "rectification_history",
    "rectification_list",
    "update_rectification",
]
