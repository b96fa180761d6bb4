"""What an evaluator changes in a finished round, from the CLI or the dashboard: reviews
(确认 / 排除), findings added by hand, manual scores — each followed by the one re-score.

Before this module the dashboard recorded a review and re-scored through its own path,
which skipped the 整改 rebuild the CLI did: a dismissed finding kept its 整改 item.  Now
both entry points call these functions, and every change ends in :func:`rescore`:
rectification items rebuilt from the findings in force, then scores and ranks
(``zwgk.assess.ranking.rescore_round``).  Role checks stay with the caller (the dashboard's
query layer); this layer trusts ``by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from zwgk.model import UnitScore, ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database

R = TypeVar("R")


class RescoreFailed(ZwgkError):
    """The change was saved but the round could not be re-scored (its rubric no longer loads)."""

    def __init__(self, message: str, record: Any) -> None:
        super().__init__(message)
        self.record = record


@dataclass(slots=True)
class Change(Generic[R]):
    """A saved change and the round's scores after the re-score (None: not re-scored)."""

    record: R
    scores: list[UnitScore] | None = None

    def score_of(self, unit_id: str) -> UnitScore | None:
        return next((s for s in self.scores or () if s.unit_id == unit_id), None)


def rescore(db: Database, round_id: int, rubric: Any | None = None) -> list[UnitScore]:
    """The one re-score path: 整改 items rebuilt, then scores and ranks (``rubric``: the round's own
    by default)."""
    from zwgk.assess.ranking import rescore_round

    return rescore_round(db, round_id, rubric)


def _then_rescore(db: Database, round_id: int, record: R, rubric: Any | None, do: bool) -> Change[R]:
    if not do:
        return Change(record)
    try:
        return Change(record, rescore(db, round_id, rubric))
    except ZwgkError as exc:
        raise RescoreFailed(f"saved, but the round could not be re-scored: {exc}", record) from exc


def review_finding(
    db: Database,
    round_id: int,
    unit_id: str,
    rule: str,
    subject: str,
    decision: str,
    reason: str,
    by: str,
    *,
    rubric: Any | None = None,
    rescore: bool = True,
) -> Change[results.Review]:
    """Confirm or dismiss a finding (a reason is required), then re-score the round."""
    review = results.add_review(db, round_id, unit_id, rule, subject, decision, reason, by)
    return _then_rescore(db, round_id, review, rubric, rescore)


def add_finding_by_hand(
    db: Database,
    round_id: int,
    rubric: Any,
    *,
    unit_id: str,
    rule: str,
    url: str,
    note: str,
    by: str,
    veto: bool = False,
    points: float | None = None,
    subject: str | None = None,
    screenshot: str | Path | tuple[str, bytes] | None = None,
    rescore: bool = True,
) -> Change[results.ManualFinding]:
    """人工添加问题: a finding or veto no crawler proves, kept with who/when/why; then re-score."""
    from zwgk.assess.handmade import add_by_hand

    found = add_by_hand(
        db,
        round_id,
        rubric,
        unit_id=unit_id,
        rule=rule,
        url=url,
        note=note,
        by=by,
        veto=veto,
        points=points,
        subject=subject,
        screenshot=screenshot,
    )
    return _then_rescore(db, round_id, found, rubric, rescore)


def enter_manual_score(
    db: Database,
    round_id: int,
    unit_id: str,
    item: str,
    score: float,
    evidence: str,
    by: str,
    *,
    limit: float | None = None,
    rubric: Any | None = None,
    rescore: bool = True,
) -> Change[None]:
    """Enter an evaluator-scored item (0..100, 办事服务 0..its points: ``limit``), then re-score."""
    if limit is not None and float(score) > limit:
        raise ZwgkError(f"{item} 的得分不能超过 {limit:g} 分 / {item} scores at most {limit:g}")
    results.set_manual_score(db, round_id, unit_id, item, score, evidence, by)
    return _then_rescore(db, round_id, None, rubric, rescore)


def import_manual_scores(
    db: Database,
    info: Any,
    path: str | Path,
    *,
    by: str = "",
    rubric: Any | None = None,
    rescore: bool = True,
) -> Change[Any]:
    """Import manual scores from CSV/XLSX (bad rows reported by line); re-score when any was stored."""
    from zwgk.assess.manual import import_manual_scores as read_and_store
    from zwgk.assess.scoring import manual_item_limits, manual_item_names

    items: list[str] = manual_item_names(rubric) if rubric is not None else []
    limits: dict[str, float] = manual_item_limits(rubric) if rubric is not None else {}
    report = read_and_store(db, info, path, entered_by=by, items=items, limits=limits)
    return _then_rescore(db, info.id, report, rubric, rescore and report.imported > 0)
