"""The units table: who is assessed, and their websites.

Imports are idempotent: a unit whose stored fields already equal the new ones
is left alone (not rewritten, not counted), so importing the same registry
twice reports ``(0, 0)``.  Work is batched (one SELECT per chunk of ids, one
executemany INSERT and one executemany UPDATE) so the 13k-row national export
imports in well under a second on SQLite; only portable SQLAlchemy Core/ORM
constructs are used, so PostgreSQL behaves the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import insert, select, update

from zwgk.model import Unit
from zwgk.storage.db import Database
from zwgk.storage.tables import UnitRow, utcnow

# Keeps every IN (...) list far below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500

_FIELDS = ("name", "tier", "kind", "region", "parent_id", "site_url", "site_code", "has_services")


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(unit: Unit) -> dict[str, object]:
    return {
        "name": unit.name,
        "tier": unit.tier,
        "kind": unit.kind,
        "region": unit.region or "",
        "parent_id": unit.parent_id or None,
        "site_url": unit.site_url,
        "site_code": unit.site_code or "",
        "has_services": bool(unit.has_services),
    }


def _unit(row: UnitRow) -> Unit:
    return Unit(
        unit_id=row.unit_id,
        name=row.name,
        tier=row.tier,
        kind=row.kind,
        site_url=row.site_url,
        region=row.region or "",
        parent_id=row.parent_id,
        site_code=row.site_code or "",
        has_services=bool(row.has_services),
    )


def upsert_units(db: Database, units: Iterable[Unit], source: str | Mapping[str, str] = "") -> tuple[int, int]:
    """Insert new units and update changed ones; return ``(added, updated)``.

    ``source`` records where a unit came from (e.g. ``"sites.csv"``), either
    one string for all units or a mapping ``unit_id -> "file:line"``.  It is
    written with every added or changed unit but a change of ``source`` alone
    does not count as an update (re-importing a moved file changes nothing).
    When ``units`` holds the same id twice, the last one wins.
    """
    by_id: dict[str, Unit] = {}
    for unit in units:
        by_id[unit.unit_id] = unit
    if not by_id:
        return 0, 0

    def source_of(unit_id: str) -> str:
        value = source.get(unit_id, "") if isinstance(source, Mapping) else source
        return (value or "")[:300]

    ids = list(by_id)
    added_rows: list[dict[str, object]] = []
    changed_rows: list[dict[str, object]] = []
    now = utcnow()
    with db.session() as s:
        existing: dict[str, dict[str, object]] = {}
        columns = [UnitRow.unit_id] + [getattr(UnitRow, f) for f in _FIELDS]
        for chunk in _chunks(ids):
            for row in s.execute(select(*columns).where(UnitRow.unit_id.in_(chunk))):
                existing[row[0]] = dict(zip(_FIELDS, row[1:]))
        for unit_id in ids:
            values = _values(by_id[unit_id])
            old = existing.get(unit_id)
            if old is None:
                added_rows.append({"unit_id": unit_id, **values, "source": source_of(unit_id), "updated_at": now})
            elif any(_differs(old[f], values[f]) for f in _FIELDS):
                changed_rows.append({"unit_id": unit_id, **values, "source": source_of(unit_id), "updated_at": now})
        if added_rows:
            s.execute(insert(UnitRow), added_rows)
        if changed_rows:
            # ORM "bulk UPDATE by primary key": one executemany, any dialect.
            s.execute(update(UnitRow), changed_rows)
    return len(added_rows), len(changed_rows)


def _differs(old: object, new: object) -> bool:
    if isinstance(new, bool):
        return bool(old) != new
    return (old or "") != (new or "")


def list_units(db: Database, unit_ids: Iterable[str] | None = None, *, tier: str | None = None) -> list[Unit]:
    """Units ordered by id, or in the order of ``unit_ids`` when given.

    Unknown ids in ``unit_ids`` are ignored; ``tier`` filters (``部委``/``省``/…).
    """
    with db.session() as s:
        if unit_ids is None:
            query = select(UnitRow).order_by(UnitRow.unit_id)
            if tier:
                query = query.where(UnitRow.tier == tier)
            return [_unit(row) for row in s.scalars(query)]
        wanted = list(dict.fromkeys(unit_ids))
        found: dict[str, Unit] = {}
        for chunk in _chunks(wanted):
            query = select(UnitRow).where(UnitRow.unit_id.in_(chunk))
            if tier:
                query = query.where(UnitRow.tier == tier)
            for row in s.scalars(query):
                found[row.unit_id] = _unit(row)
        return [found[i] for i in wanted if i in found]


def get_unit(db: Database, unit_id: str) -> Unit | None:
    """One unit by id, or ``None``."""
    with db.session() as s:
        row = s.get(UnitRow, unit_id)
        return _unit(row) if row else None


def unit_sources(db: Database, unit_ids: Iterable[str] | None = None) -> dict[str, str]:
    """``unit_id -> source`` (the registry file:line a unit was last written from)."""
    with db.session() as s:
        if unit_ids is None:
            return {k: v for k, v in s.execute(select(UnitRow.unit_id, UnitRow.source))}
        out: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(unit_ids))):
            query = select(UnitRow.unit_id, UnitRow.source).where(UnitRow.unit_id.in_(chunk))
            out.update({k: v for k, v in s.execute(query)})
        return out
