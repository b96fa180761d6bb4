"""Homepage probes (日监测): raw rows for recent days, daily aggregates after that.

Size arithmetic (why old probes are aggregated)
-----------------------------------------------
The national registry has 13,385 sites.  At 20 probes per site per day a
year of raw probes would be 13,385 × 20 × 365 ≈ 97.7 million rows; measured
at ≈ 141 bytes per row in SQLite (incl. the ``(unit_id, at)`` index, 16-hex
fingerprint) that is ≈ 13.8 GB a year.  The rules only need raw probes for
the last 14 days (AVAIL-DOWN: 7, FRESH-HOME: 14), so raw rows are kept for
``RAW_KEEP_DAYS`` = 30 days (13,385 × 20 × 30 ≈ 8.0 million rows ≈ 1.1 GB),
and everything older is folded into one ``probe_days`` row per site and day
(13,385 × 365 ≈ 4.9 million rows, ≈ 110 bytes each ≈ 0.5 GB per year).  The
quarterly bulletin reads both.

IPv6 probes (``ipv6=True``: the homepage fetched over IPv6 only, for the IPv6
success rate of ``zwgk.indicators.ipv6_support``) share the table and the raw
retention but are never availability evidence: the availability readers here
(alerts, daily aggregates, bulletins, the annual roll-up) read IPv4 rows only,
and the fold deletes old IPv6 rows without aggregating them (a round reads 14
days of history; the quarterly IPv6 figures come from the rounds).  An IPv6
probe the assessor could not verify (its own IPv6 down, ``zwgk.monitor.ipv6``) is
stored with ``error_class="unverified"``: a record of the attempt, never a failure.

All times are naive UTC datetimes (as ``tables.utcnow``); a date window
``[as_of - N days, as_of)`` is taken at 00:00 of those dates.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, delete, func, insert, select

from zwgk.storage.db import Database
from zwgk.storage.tables import AlertRow, Base, ProbeDayRow, ProbeRow

RAW_KEEP_DAYS = 30

_ERROR_CLASSES = ("", "timeout", "refused", "dns", "http5xx", "http4xx", "reset", "blocked", "other", "unverified")
UNVERIFIED = "unverified"  # error class of a probe the assessor's own outage stopped (not a failure)


@dataclass(frozen=True, slots=True)
class Probe:
    """One homepage probe: when, whether it opened within the timeout, and what it showed."""

    unit_id: str
    at: dt.datetime
    ok: bool
    status: int | None = None
    latency_ms: float | None = None
    error_class: str = ""  # "" when ok; timeout / refused / dns / http5xx / http4xx / reset / blocked / other
    newest_date: dt.date | None = None
    fingerprint: str = ""
    ipv6: bool = False  # fetched over IPv6 only (the IPv6 success rate), not an availability probe

    @property
    def unverified(self) -> bool:
        """A probe stopped by the assessor's own outage (IPv4 or IPv6): evidence of nothing."""
        return self.error_class == UNVERIFIED

    def history_entry(self) -> dict[str, Any]:
        """The dict shape rules read from ``SiteSnapshot.history``."""
        entry = asdict(self)
        entry.pop("unit_id")
        return entry


@dataclass(frozen=True, slots=True)
class ProbeDay:
    """A day of one site's probes, aggregated (or computed from raw probes)."""

    unit_id: str
    day: dt.date
    probes: int
    failures: int
    errors: dict[str, int]
    latency_ms_avg: float | None
    newest_date: dt.date | None
    fingerprints: int
    last_fingerprint: str


_ensured: weakref.WeakSet[Any] = weakref.WeakSet()


def ensure_tables(db: Database) -> None:
    """Create the monitoring tables added after the initial migration, if missing.

    Once the initial Alembic migration is regenerated to include them this is a
    no-op (``checkfirst``); it is here so a database migrated before keeps working.
    """
    if db.engine in _ensured:
        return
    tables = [Base.metadata.tables[row.__tablename__] for row in (ProbeRow, ProbeDayRow, AlertRow)]
    Base.metadata.create_all(db.engine, tables=tables, checkfirst=True)
    _ensured.add(db.engine)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


_PROBE_COLUMNS = (
    ProbeRow.unit_id,
    ProbeRow.at,
    ProbeRow.ok,
    ProbeRow.status,
    ProbeRow.latency_ms,
    ProbeRow.error_class,
    ProbeRow.newest_date,
    ProbeRow.fingerprint,
    ProbeRow.ipv6,
)


def _verified() -> Any:
    """The SQL condition of a probe that is evidence about its site (not ``unverified``)."""
    return ProbeRow.error_class != UNVERIFIED


def _probe(row: Any) -> Probe:
    return Probe(
        unit_id=row.unit_id,
        at=row.at,
        ok=bool(row.ok),
        status=row.status,
        latency_ms=row.latency_ms,
        error_class=row.error_class or "",
        newest_date=row.newest_date,
        fingerprint=row.fingerprint or "",
        ipv6=bool(row.ipv6),
    )


def add_probes(db: Database, rows: Iterable[Probe]) -> int:
    """Store probes (one transaction).  Returns how many were stored."""
    ensure_tables(db)
    items = [
        dict(
            unit_id=p.unit_id,
            at=_naive_utc(p.at),
            ok=p.ok,
            status=p.status,
            latency_ms=p.latency_ms,
            error_class=p.error_class[:32],
            newest_date=p.newest_date,
            fingerprint=p.fingerprint[:64],
            ipv6=p.ipv6,
        )
        for p in rows
    ]
    if not items:
        return 0
    with db.session() as s:  # one executemany: a pass over 13,385 sites is one statement
        s.execute(insert(ProbeRow), items)
    return len(items)


def probes_between(
    db: Database,
    unit_id: str,
    start: dt.datetime,
    end: dt.datetime,
    ipv6: bool | None = None,
    verified_only: bool = False,
) -> list[Probe]:
    """Raw probes of ``unit_id`` with ``start <= at < end``, oldest first.

    ``ipv6``: None gives both kinds (a round's monitoring history: each entry says
    which it is), False the availability probes only, True the IPv6 probes only.
    ``verified_only``: leave out the probes of the assessor's outages (the rules' history).
    """
    ensure_tables(db)
    query = select(ProbeRow).where(
        ProbeRow.unit_id == unit_id, ProbeRow.at >= _naive_utc(start), ProbeRow.at < _naive_utc(end)
    )
    if ipv6 is not None:
        query = query.where(ProbeRow.ipv6.is_(ipv6))
    if verified_only:
        query = query.where(_verified())
    with db.session() as s:
        rows = s.scalars(query.order_by(ProbeRow.at, ProbeRow.id)).all()
        return [_probe(r) for r in rows]


def latest_probes(db: Database, unit_id: str, n: int, ipv6: bool = False, verified_only: bool = False) -> list[Probe]:
    """The ``n`` most recent raw availability probes of ``unit_id`` (``ipv6``: the IPv6 ones), newest first.

    ``verified_only`` (the alerts): leave out unverified probes (the assessor's outage), which
    neither continue nor break a run of consecutive failures."""
    ensure_tables(db)
    query = select(ProbeRow).where(ProbeRow.unit_id == unit_id, ProbeRow.ipv6.is_(ipv6))
    if verified_only:
        query = query.where(_verified())
    with db.session() as s:
        rows = s.scalars(query.order_by(ProbeRow.at.desc(), ProbeRow.id.desc()).limit(n)).all()
        return [_probe(r) for r in rows]


def probe_count(db: Database, ipv6: bool = False) -> int:
    """Raw availability probes stored (``ipv6``: IPv6 probes instead), unverified ones included
    (they are stored records; the availability figures leave them out)."""
    ensure_tables(db)
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(ProbeRow).where(ProbeRow.ipv6.is_(ipv6))) or 0)


def _summarise(unit_id: str, day: dt.date, probes: list[Probe]) -> ProbeDay:
    failures = [p for p in probes if not p.ok]
    latencies = [p.latency_ms for p in probes if p.ok and p.latency_ms is not None]
    dates = [p.newest_date for p in probes if p.newest_date is not None]
    prints = [p.fingerprint for p in probes if p.fingerprint]
    return ProbeDay(
        unit_id=unit_id,
        day=day,
        probes=len(probes),
        failures=len(failures),
        errors=dict(Counter(p.error_class or "other" for p in failures)),
        latency_ms_avg=(sum(latencies) / len(latencies)) if latencies else None,
        newest_date=max(dates) if dates else None,
        fingerprints=len(set(prints)),
        last_fingerprint=prints[-1] if prints else "",
    )


def aggregate_old_probes(db: Database, now: dt.datetime, keep_days: int = RAW_KEEP_DAYS) -> int:
    """Fold raw probes older than ``keep_days`` into ``probe_days`` and delete them.

    Idempotent and safe to re-run: a day already partly aggregated is merged
    (counts added, newest date maxed).  Returns the number of raw rows folded.
    IPv6 probes and unverified probes of those days are deleted, not folded (not
    availability evidence).
    """
    ensure_tables(db)
    cutoff = dt.datetime.combine((_naive_utc(now) - dt.timedelta(days=keep_days)).date(), dt.time())
    with db.session() as s:
        s.execute(delete(ProbeRow).where(ProbeRow.at < cutoff, ProbeRow.ipv6.is_(True)))
        s.execute(delete(ProbeRow).where(ProbeRow.at < cutoff, ProbeRow.error_class == UNVERIFIED))
        rows = s.execute(
            select(*_PROBE_COLUMNS)
            .where(ProbeRow.at < cutoff, ProbeRow.ipv6.is_(False))
            .order_by(ProbeRow.at, ProbeRow.id)
        ).all()
        if not rows:
            return 0
        groups: dict[tuple[str, dt.date], list[Probe]] = defaultdict(list)
        for r in rows:
            groups[(r.unit_id, r.at.date())].append(_probe(r))
        days = [d for _, d in groups]
        known = {
            (r.unit_id, r.day): r
            for r in s.scalars(select(ProbeDayRow).where(ProbeDayRow.day >= min(days), ProbeDayRow.day <= max(days)))
        }
        for (unit_id, day), probes in groups.items():
            agg = _summarise(unit_id, day, probes)
            existing = known.get((unit_id, day))
            if existing is None:
                s.add(
                    ProbeDayRow(
                        unit_id=unit_id,
                        day=day,
                        probes=agg.probes,
                        failures=agg.failures,
                        errors=agg.errors,
                        latency_ms_avg=agg.latency_ms_avg,
                        newest_date=agg.newest_date,
                        fingerprints=agg.fingerprints,
                        last_fingerprint=agg.last_fingerprint,
                    )
                )
            else:
                total = existing.probes + agg.probes
                if agg.latency_ms_avg is not None and existing.latency_ms_avg is not None:
                    existing.latency_ms_avg = (
                        existing.latency_ms_avg * existing.probes + agg.latency_ms_avg * agg.probes
                    ) / total
                elif agg.latency_ms_avg is not None:
                    existing.latency_ms_avg = agg.latency_ms_avg
                existing.probes = total
                existing.failures += agg.failures
                merged = Counter(existing.errors or {})
                merged.update(agg.errors)
                existing.errors = dict(merged)
                dates = [d for d in (existing.newest_date, agg.newest_date) if d is not None]
                existing.newest_date = max(dates) if dates else None
                existing.fingerprints = max(existing.fingerprints, agg.fingerprints)
                existing.last_fingerprint = agg.last_fingerprint or existing.last_fingerprint
        s.execute(delete(ProbeRow).where(ProbeRow.at < cutoff))
        return len(rows)


def probe_days(db: Database, start: dt.date, end: dt.date, unit_ids: Iterable[str] | None = None) -> list[ProbeDay]:
    """Per-site, per-day availability for ``start <= day < end``: aggregates plus raw days (IPv4
    probes the assessor could verify).

    Used by the quarterly bulletin, which spans both the aggregated past and
    the raw recent weeks.
    """
    ensure_tables(db)
    wanted = set(unit_ids) if unit_ids is not None else None
    out: dict[tuple[str, dt.date], ProbeDay] = {}
    with db.session() as s:
        for r in s.scalars(select(ProbeDayRow).where(ProbeDayRow.day >= start, ProbeDayRow.day < end)):
            if wanted is None or r.unit_id in wanted:
                out[(r.unit_id, r.day)] = ProbeDay(
                    r.unit_id,
                    r.day,
                    r.probes,
                    r.failures,
                    dict(r.errors or {}),
                    r.latency_ms_avg,
                    r.newest_date,
                    r.fingerprints,
                    r.last_fingerprint,
                )
        raw = s.execute(
            select(*_PROBE_COLUMNS)
            .where(
                ProbeRow.at >= dt.datetime.combine(start, dt.time()),
                ProbeRow.at < dt.datetime.combine(end, dt.time()),
                ProbeRow.ipv6.is_(False),
                _verified(),
            )
            .order_by(ProbeRow.at, ProbeRow.id)
        ).all()
    groups: dict[tuple[str, dt.date], list[Probe]] = defaultdict(list)
    for probe_row in raw:
        if wanted is None or probe_row.unit_id in wanted:
            groups[(probe_row.unit_id, probe_row.at.date())].append(_probe(probe_row))
    for key, probes in groups.items():
        agg = _summarise(key[0], key[1], probes)
        if key in out:  # a day partly aggregated, partly raw
            old = out[key]
            merged = Counter(old.errors)
            merged.update(agg.errors)
            dates = [d for d in (old.newest_date, agg.newest_date) if d is not None]
            agg = ProbeDay(
                key[0],
                key[1],
                old.probes + agg.probes,
                old.failures + agg.failures,
                dict(merged),
                agg.latency_ms_avg if agg.latency_ms_avg is not None else old.latency_ms_avg,
                max(dates) if dates else None,
                max(old.fingerprints, agg.fingerprints),
                agg.last_fingerprint or old.last_fingerprint,
            )
        out[key] = agg
    return sorted(out.values(), key=lambda d: (d.unit_id, d.day))


def availability_between(db: Database, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """unit_id → (probes, failures) for ``start <= day < end``, summed in SQL over daily rows and raw
    availability probes (IPv6 probes and unverified probes are not availability evidence).

    Unlike :func:`probe_days` this never loads probes into Python, so a quarter
    of a national registry (millions of raw rows) costs two GROUP BY queries.
    """
    ensure_tables(db)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failed = func.sum(case((ProbeRow.ok.is_(False), 1), else_=0))
    with db.session() as s:
        for unit_id, n, f in s.execute(
            select(ProbeDayRow.unit_id, func.sum(ProbeDayRow.probes), func.sum(ProbeDayRow.failures))
            .where(ProbeDayRow.day >= start, ProbeDayRow.day < end)
            .group_by(ProbeDayRow.unit_id)
        ):
            out[unit_id][0] += int(n or 0)
            out[unit_id][1] += int(f or 0)
        for unit_id, n, f in s.execute(
            select(ProbeRow.unit_id, func.count(), failed)
            .where(
                ProbeRow.at >= dt.datetime.combine(start, dt.time()),
                ProbeRow.at < dt.datetime.combine(end, dt.time()),
                ProbeRow.ipv6.is_(False),
                _verified(),
            )
            .group_by(ProbeRow.unit_id)
        ):
            out[unit_id][0] += int(n or 0)
            out[unit_id][1] += int(f or 0)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


# ----------------------------------------------------------------------------- alerts


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    unit_id: str
    kind: str
    key: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    details: dict[str, Any]


def _alert(r: AlertRow) -> Alert:
    return Alert(r.id, r.unit_id, r.kind, r.key, r.opened_at, r.closed_at, dict(r.details or {}))


def open_alert(db: Database, unit_id: str, kind: str, key: str = "") -> Alert | None:
    """The open (not closed) alert of this kind and key for the unit, if any."""
    ensure_tables(db)
    with db.session() as s:
        row = s.scalar(
            select(AlertRow)
            .where(
                AlertRow.unit_id == unit_id, AlertRow.kind == kind, AlertRow.key == key, AlertRow.closed_at.is_(None)
            )
            .order_by(AlertRow.id.desc())
            .limit(1)
        )
        return _alert(row) if row else None


def open_alerts(db: Database, kind: str) -> dict[tuple[str, str], Alert]:
    """Every open alert of ``kind`` by (unit_id, key): one query for a whole pass."""
    ensure_tables(db)
    with db.session() as s:
        rows = s.scalars(
            select(AlertRow).where(AlertRow.kind == kind, AlertRow.closed_at.is_(None)).order_by(AlertRow.id)
        ).all()
        return {(r.unit_id, r.key): _alert(r) for r in rows}


def any_alert(db: Database, unit_id: str, kind: str, key: str) -> bool:
    """Whether an alert with this key was ever raised (veto alerts are sent once per finding)."""
    ensure_tables(db)
    with db.session() as s:
        count = s.execute(
            select(func.count())
            .select_from(AlertRow)
            .where(AlertRow.unit_id == unit_id, AlertRow.kind == kind, AlertRow.key == key)
        ).scalar_one()  # COUNT(*) always returns one row
        return count > 0


def record_alert(db: Database, unit_id: str, kind: str, key: str, at: dt.datetime, details: dict[str, Any]) -> Alert:
    ensure_tables(db)
    with db.session() as s:
        row = AlertRow(unit_id=unit_id, kind=kind, key=key, opened_at=_naive_utc(at), details=details)
        s.add(row)
        s.flush()
        return _alert(row)


def close_alert(db: Database, alert_id: int, at: dt.datetime) -> None:
    ensure_tables(db)
    with db.session() as s:
        row = s.get(AlertRow, alert_id)
        if row is not None and row.closed_at is None:
            row.closed_at = _naive_utc(at)


def list_alerts(db: Database, unit_id: str | None = None) -> list[Alert]:
    ensure_tables(db)
    with db.session() as s:
        q = select(AlertRow).order_by(AlertRow.id)
        if unit_id is not None:
            q = q.where(AlertRow.unit_id == unit_id)
        return [_alert(r) for r in s.scalars(q)]
