"""Where each fetched URL's WARC record lives (``archive_records``).

The WARC files themselves are plain files under the round's archive directory
(``zwgk.archive``); this module only keeps the index: per (round, unit, url) the
file, offset and length of the record, the fetcher's verdict, and for a revisit
the record that holds the payload.  Portable SQL only (select-then-update).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import delete, insert, select

from zwgk.storage.db import Database
from zwgk.storage.tables import ArchiveRecordRow, RoundSiteRow

BATCH = 200


@dataclass(slots=True)
class ArchiveRecord:
    """One index row, detached from the session."""

    round_id: int
    unit_id: str
    url: str
    record_type: str
    record_id: str
    warc_file: str
    offset: int
    length: int
    request_length: int
    refers_file: str | None
    refers_offset: int | None
    refers_length: int | None
    payload_digest: str
    status: int | None
    outcome: str
    error: str
    attempts: int
    truncated: bool
    fetched_at: dt.datetime

    @property
    def payload_location(self) -> tuple[str, int, int]:
        """(file, offset, length) of the record whose body is this URL's payload."""
        if self.record_type == "revisit" and self.refers_file is not None:
            return self.refers_file, int(self.refers_offset or 0), int(self.refers_length or 0)
        return self.warc_file, self.offset, self.length


_FIELDS = tuple(f.name for f in fields(ArchiveRecord))


def _record(row: ArchiveRecordRow) -> ArchiveRecord:
    return ArchiveRecord(**{name: getattr(row, name) for name in _FIELDS})


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_records(db: Database, round_id: int, unit_id: str, rows: list[dict[str, Any]]) -> int:
    """Upsert index rows by (round, unit, url); the last row of a URL wins."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest[row["url"]] = row
    if not latest:
        return 0
    with db.session() as s:
        for chunk in _chunks(list(latest.values())):
            urls = [r["url"] for r in chunk]
            existing = {
                row.url: row
                for row in s.scalars(
                    select(ArchiveRecordRow).where(
                        ArchiveRecordRow.round_id == round_id,
                        ArchiveRecordRow.unit_id == unit_id,
                        ArchiveRecordRow.url.in_(urls),
                    )
                )
            }
            new_rows = []
            for values in chunk:
                values = {k: v for k, v in values.items() if k in _FIELDS}
                values["round_id"], values["unit_id"] = round_id, unit_id
                values["error"] = (values.get("error") or "")[:2000]
                found = existing.get(values["url"])
                if found is None:
                    new_rows.append(values)
                else:
                    for key, value in values.items():
                        setattr(found, key, value)
            if new_rows:
                s.execute(insert(ArchiveRecordRow), new_rows)
    return len(latest)


def replace_site_records(db: Database, round_id: int, unit_id: str, rows: list[dict[str, Any]]) -> None:
    """A site's index as a whole (after its WARC file was rewritten to fewer records)."""
    with db.session() as s:
        s.execute(
            delete(ArchiveRecordRow).where(ArchiveRecordRow.round_id == round_id, ArchiveRecordRow.unit_id == unit_id)
        )
    write_records(db, round_id, unit_id, rows)


def delete_site_records(db: Database, round_id: int, unit_id: str) -> None:
    with db.session() as s:
        s.execute(
            delete(ArchiveRecordRow).where(ArchiveRecordRow.round_id == round_id, ArchiveRecordRow.unit_id == unit_id)
        )


def site_records(db: Database, round_id: int, unit_id: str) -> dict[str, ArchiveRecord]:
    """url → index row of one site in one round."""
    with db.session() as s:
        rows = s.scalars(
            select(ArchiveRecordRow)
            .where(ArchiveRecordRow.round_id == round_id, ArchiveRecordRow.unit_id == unit_id)
            .order_by(ArchiveRecordRow.id)
        ).all()
        return {row.url: _record(row) for row in rows}


def round_records(db: Database, round_id: int) -> list[ArchiveRecord]:
    with db.session() as s:
        rows = s.scalars(
            select(ArchiveRecordRow).where(ArchiveRecordRow.round_id == round_id).order_by(ArchiveRecordRow.id)
        ).all()
        return [_record(row) for row in rows]


def previous_payloads(db: Database, round_id: int, unit_id: str) -> dict[str, ArchiveRecord]:
    """url → the newest earlier round's record holding the URL's payload (for revisits).

    A revisit row is resolved to the record it refers to, so a chain of unchanged
    rounds always points at the one record that holds the bytes.
    """
    found: dict[str, ArchiveRecord] = {}
    with db.session() as s:
        rows = s.scalars(
            select(ArchiveRecordRow)
            .where(
                ArchiveRecordRow.unit_id == unit_id,
                ArchiveRecordRow.round_id < round_id,
                ArchiveRecordRow.record_type.in_(("response", "revisit")),
                ArchiveRecordRow.payload_digest != "",
            )
            .order_by(ArchiveRecordRow.round_id.desc())
        ).all()
        for row in rows:
            if row.url not in found:
                found[row.url] = _record(row)
    return found


def copy_round_records(db: Database, source_round_id: int, target_round_id: int, unit_id: str) -> int:
    """Point a re-judged round's index at the source round's records (same bytes, no copy)."""
    rows = [
        {name: getattr(rec, name) for name in _FIELDS} for rec in site_records(db, source_round_id, unit_id).values()
    ]
    return write_records(db, target_round_id, unit_id, rows)


def site_probes(db: Database, round_id: int, unit_id: str) -> dict[str, Any]:
    with db.session() as s:
        row = s.get(RoundSiteRow, (round_id, unit_id))
        return dict(row.probes or {}) if row is not None else {}


def copy_site_verdict(db: Database, source_round_id: int, target_round_id: int, unit_id: str) -> None:
    """A re-judged site takes the source round's network-side verdict: its probes (DNS,
    IPv6, homepage checks — measured on the network, not in the archive) and, when the
    live crawl failed, that state and reason (e.g. left unverified by an outage)."""
    with db.session() as s:
        src = s.get(RoundSiteRow, (source_round_id, unit_id))
        row = s.get(RoundSiteRow, (target_round_id, unit_id))
        if src is None or row is None:
            return
        row.probes = dict(src.probes or {})
        if src.state == "failed":
            row.state, row.reason = src.state, src.reason


def count_round_records(db: Database, round_id: int) -> int:
    from sqlalchemy import func

    with db.session() as s:
        return int(
            s.scalar(select(func.count()).select_from(ArchiveRecordRow).where(ArchiveRecordRow.round_id == round_id))
            or 0
        )


def count_site_records(db: Database, round_id: int, unit_id: str) -> int:
    """How many archive records one site of the round has (0: nothing archived for it)."""
    from sqlalchemy import func

    with db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(ArchiveRecordRow)
                .where(ArchiveRecordRow.round_id == round_id, ArchiveRecordRow.unit_id == unit_id)
            )
            or 0
        )
