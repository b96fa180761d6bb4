"""Rounds and the sites taking part in them.

A round is (registry units, rubric version, as-of date) plus its snapshot.
Creating a round that already exists resumes it, provided it is the same
round (same as-of date and rubric); anything else is an error, so a name
never silently means two different assessments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from zwgk.model import Unit, ZwgkError
from zwgk.storage.db import Database
from zwgk.storage.tables import RoundRow, RoundSiteRow, utcnow


@dataclass(frozen=True, slots=True)
class RoundInfo:
    id: int
    name: str
    as_of: dt.date
    rubric: str
    rubric_hash: str
    weight: float
    status: str
    settings: dict[str, Any] = field(default_factory=dict)
    previous_round_id: int | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @property
    def partial(self) -> bool:
        """The round covers only some units (``zwgk assess --unit``), e.g. a re-check: never
        the basis of a 季通报 unless named, and marked 部分 wherever rounds are listed."""
        return bool(self.settings.get("partial"))


def _info(row: RoundRow) -> RoundInfo:
    return RoundInfo(
        id=row.id,
        name=row.name,
        as_of=row.as_of,
        rubric=row.rubric,
        rubric_hash=row.rubric_hash,
        weight=row.weight,
        status=row.status,
        settings=dict(row.settings or {}),
        previous_round_id=row.previous_round_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def get_round(db: Database, name: str) -> RoundInfo | None:
    with db.session() as s:
        row = s.scalar(select(RoundRow).where(RoundRow.name == name))
        return _info(row) if row else None


def get_round_by_id(db: Database, round_id: int) -> RoundInfo | None:
    with db.session() as s:
        row = s.get(RoundRow, round_id)
        return _info(row) if row else None


class RoundNotFound(ZwgkError):
    """The one "round not found" error (by name: it lists the rounds that exist)."""

    @classmethod
    def by_id(cls, db: Database, round_id: int) -> RoundNotFound:
        return cls(f"round id {round_id} does not exist in {db.url}")


def require_round_id(db: Database, round_id: int) -> RoundInfo:
    """The round with id ``round_id``, or :class:`RoundNotFound`."""
    info = get_round_by_id(db, round_id)
    if info is None:
        raise RoundNotFound.by_id(db, round_id)
    return info


def previous_round_id(db: Database, round_id: int) -> int | None:
    """The round's linked previous round, else the one before it by as-of date (then id)."""
    info = require_round_id(db, round_id)
    if info.previous_round_id:
        return info.previous_round_id
    with db.session() as s:
        return s.scalar(
            select(RoundRow.id)
            .where((RoundRow.as_of < info.as_of) | ((RoundRow.as_of == info.as_of) & (RoundRow.id < info.id)))
            .order_by(RoundRow.as_of.desc(), RoundRow.id.desc())
            .limit(1)
        )


def require_round(db: Database, name: str) -> RoundInfo:
    """The round called ``name``, or an error listing the rounds that exist."""
    info = get_round(db, name)
    if info is None:
        known = ", ".join(r.name for r in list_rounds(db)) or "none yet (run `zwgk assess`)"
        raise RoundNotFound(f"no round named {name!r} in {db.url}; known rounds: {known}")
    return info


def list_rounds(db: Database) -> list[RoundInfo]:
    """All rounds, oldest first (by as-of date, then id)."""
    with db.session() as s:
        rows = s.scalars(select(RoundRow).order_by(RoundRow.as_of, RoundRow.id)).all()
        return [_info(r) for r in rows]


def create_round(
    db: Database,
    name: str,
    *,
    as_of: dt.date,
    rubric: str,
    rubric_hash: str = "",
    rubric_text: str = "",
    weight: float,
    units: Iterable[Unit],
    settings: dict[str, Any] | None = None,
) -> tuple[RoundInfo, bool]:
    """Create round ``name`` (or resume it).  Returns ``(round, resumed)``.

    Units are added to ``round_sites`` as ``pending``; units already in the
    round keep their state, which is what makes an interrupted round resume.
    The previous round (latest as-of before this one) is linked for
    round-over-round comparison and rectification tracking.
    """
    units = list(units)
    with db.session() as s:
        row = s.scalar(select(RoundRow).where(RoundRow.name == name))
        resumed = row is not None
        if row is None:
            prev = s.scalar(
                select(RoundRow.id)
                .where(RoundRow.as_of <= as_of)
                .order_by(RoundRow.as_of.desc(), RoundRow.id.desc())
                .limit(1)
            )
            row = RoundRow(
                name=name,
                as_of=as_of,
                rubric=rubric,
                rubric_hash=rubric_hash,
                rubric_text=rubric_text,
                weight=weight,
                status="running",
                settings=settings or {},
                previous_round_id=prev,
            )
            s.add(row)
            s.flush()
        else:
            if row.as_of != as_of:
                raise ZwgkError(
                    f"round {name!r} already exists with as-of {row.as_of}, not {as_of}; "
                    "give the new assessment another --round name"
                )
            if rubric_hash and row.rubric_hash and row.rubric_hash != rubric_hash:
                raise ZwgkError(
                    f"round {name!r} was started with another version of rubric {row.rubric!r}; "
                    "give the new assessment another --round name"
                )
            row.status = "running"
            row.weight = weight
        present = set(s.scalars(select(RoundSiteRow.unit_id).where(RoundSiteRow.round_id == row.id)))
        for unit in units:
            if unit.unit_id not in present:
                s.add(RoundSiteRow(round_id=row.id, unit_id=unit.unit_id, site_url=unit.site_url))
        s.flush()
        return _info(row), resumed


def round_unit_ids(db: Database, round_id: int) -> list[str]:
    with db.session() as s:
        return list(
            s.scalars(
                select(RoundSiteRow.unit_id).where(RoundSiteRow.round_id == round_id).order_by(RoundSiteRow.unit_id)
            )
        )


def site_state_counts(db: Database, round_id: int) -> dict[str, int]:
    with db.session() as s:
        rows = s.execute(
            select(RoundSiteRow.state, func.count())
            .where(RoundSiteRow.round_id == round_id)
            .group_by(RoundSiteRow.state)
        ).all()
        return {state: n for state, n in rows}


def failed_sites(db: Database, round_id: int) -> dict[str, str]:
    """unit_id → reason, for sites the crawl could not measure."""
    with db.session() as s:
        rows = s.execute(
            select(RoundSiteRow.unit_id, RoundSiteRow.reason).where(
                RoundSiteRow.round_id == round_id, RoundSiteRow.state == "failed"
            )
        ).all()
        return {u: r for u, r in rows}


def set_round_status(db: Database, round_id: int, status: str) -> None:
    with db.session() as s:
        row = s.get(RoundRow, round_id)
        if row is None:
            raise RoundNotFound.by_id(db, round_id)
        row.status = status
        if status in ("done", "failed"):
            row.finished_at = utcnow()


def delete_round(db: Database, name: str) -> bool:
    """Remove round ``name`` and everything recorded for it.  True if it existed.

    Used by ``zwgk demo`` (whose farm changes ports each run) and by an
    evaluator who wants to discard a botched round; rounds that later rounds
    point to keep those rounds intact (their link is cleared).
    """
    from sqlalchemy import delete, or_, update

    from zwgk.storage.tables import (
        FindingRow,
        LinkRow,
        ManualScoreRow,
        PageRow,
        RectificationRow,
        ReviewRow,
        ScoreRow,
    )

    with db.session() as s:
        row = s.scalar(select(RoundRow).where(RoundRow.name == name))
        if row is None:
            return False
        rid = row.id
        for table in (PageRow, LinkRow, FindingRow, ReviewRow, ManualScoreRow, ScoreRow, RoundSiteRow):
            s.execute(delete(table).where(table.round_id == rid))
        s.execute(
            delete(RectificationRow).where(
                or_(RectificationRow.opened_round_id == rid, RectificationRow.last_seen_round_id == rid)
            )
        )
        s.execute(update(RectificationRow).where(RectificationRow.closed_round_id == rid).values(closed_round_id=None))
        s.execute(update(RoundRow).where(RoundRow.previous_round_id == rid).values(previous_round_id=None))
        s.execute(delete(RoundRow).where(RoundRow.id == rid))
        return True
