"""The 依申请公开 register: applications from units' own ledgers and inspectors' channel tests.

A unit's ledger is its complete register, so importing it again replaces the unit's
applications (``replace_applications``); channel tests an inspector recorded are kept
(``add_test``).  ``requests_of`` gives the rows as plain dicts, the shape rules read from
``SiteSnapshot.inputs["requests"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select

from zwgk.storage.db import Database
from zwgk.storage.tables import InfoRequestRow, utcnow

KINDS = ("application", "test")


@dataclass(slots=True)
class InfoRequest:
    """One application (or channel test) as stored."""

    unit_id: str
    kind: str = "application"
    ref: str = ""
    received: dt.date | None = None
    channel: str = ""
    applicant: str = ""
    replied: dt.date | None = None
    result: str = ""
    extended: bool | None = False
    note: str = ""
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    entered_by: str = ""

    def to_input(self) -> dict[str, Any]:
        """The JSON shape rules read (dates as ISO text)."""
        return {
            "kind": self.kind,
            "ref": self.ref,
            "received": self.received.isoformat() if self.received else None,
            "channel": self.channel,
            "applicant": self.applicant,
            "replied": self.replied.isoformat() if self.replied else None,
            "result": self.result,
            "extended": self.extended,
            "note": self.note,
            "source": self.source,
        }


def _values(r: InfoRequest, now: dt.datetime) -> dict[str, Any]:
    if r.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {r.kind!r}")
    return {
        "unit_id": r.unit_id,
        "kind": r.kind,
        "ref": r.ref[:100],
        "received": r.received,
        "channel": r.channel[:50],
        "applicant": r.applicant[:50],
        "replied": r.replied,
        "result": r.result[:200],
        "extended": r.extended,
        "note": r.note,
        "source": r.source[:300],
        "raw": r.raw or {},
        "entered_by": r.entered_by[:100],
        "imported_at": now,
    }


def replace_applications(db: Database, unit_id: str, rows: Iterable[InfoRequest]) -> int:
    """Make ``rows`` the unit's applications (its earlier ledger rows go); channel tests stay."""
    now = utcnow()
    values = [_values(r, now) for r in rows]
    with db.session() as s:
        s.execute(delete(InfoRequestRow).where(InfoRequestRow.unit_id == unit_id, InfoRequestRow.kind == "application"))
        if values:
            s.execute(insert(InfoRequestRow), values)
    return len(values)


def add_test(db: Database, row: InfoRequest) -> None:
    """Record one channel test (an application an inspector sent)."""
    row.kind = "test"
    with db.session() as s:
        s.execute(insert(InfoRequestRow), [_values(row, utcnow())])


def requests_of(db: Database, unit_id: str, kind: str | None = None) -> list[InfoRequest]:
    """A unit's applications and tests, by received date (unknown dates last), then import order."""
    query = select(InfoRequestRow).where(InfoRequestRow.unit_id == unit_id)
    if kind is not None:
        query = query.where(InfoRequestRow.kind == kind)
    with db.session() as s:
        rows = s.execute(query.order_by(InfoRequestRow.id)).scalars().all()
        out = [
            InfoRequest(
                unit_id=r.unit_id,
                kind=r.kind,
                ref=r.ref,
                received=r.received,
                channel=r.channel,
                applicant=r.applicant,
                replied=r.replied,
                result=r.result,
                extended=r.extended,
                note=r.note,
                source=r.source,
                raw=dict(r.raw or {}),
                entered_by=r.entered_by,
            )
            for r in rows
        ]
    return sorted(out, key=lambda r: (r.received is None, r.received or dt.date.min))


def request_counts(db: Database) -> dict[str, tuple[int, int]]:
    """unit_id → (applications, channel tests) for every unit with a register."""
    with db.session() as s:
        rows = s.execute(
            select(InfoRequestRow.unit_id, InfoRequestRow.kind, func.count()).group_by(
                InfoRequestRow.unit_id, InfoRequestRow.kind
            )
        ).all()
    out: dict[str, list[int]] = {}
    for unit_id, kind, n in rows:
        out.setdefault(unit_id, [0, 0])[0 if kind == "application" else 1] += n
    return {u: (a, t) for u, (a, t) in out.items()}
