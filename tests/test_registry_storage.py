"""zwgk.storage.registry: idempotent batched upserts, listing and lookup."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from zwgk.model import Unit
from zwgk.storage.registry import get_unit, list_units, unit_sources, upsert_units
from zwgk.storage.tables import UnitRow


def _units(n: int) -> list[Unit]:
    return [
        Unit(
            unit_id=f"u{i:05d}",
            name=f"单位{i}",
            tier="县",
            kind="department" if i % 3 else "portal",
            site_url=f"http://s{i}.example.gov.cn/",
            region="岳阳县",
            parent_id=None if i % 3 == 0 else f"u{i - i % 3:05d}",
            site_code=f"43062100{i % 100:02d}",
            has_services=bool(i % 2),
        )
        for i in range(n)
    ]


def test_upsert_adds_then_changes_nothing_then_updates_only_changes(db):
    units = _units(1200)  # more than one IN-chunk
    assert upsert_units(db, units, source="a.csv") == (1200, 0)
    assert upsert_units(db, units, source="a.csv") == (0, 0)
    assert upsert_units(db, units, source="moved/a.csv") == (0, 0)  # source alone is no change

    changed = list(units)
    changed[7] = replace(changed[7], site_url="https://s7.example.gov.cn/")
    changed[900] = replace(changed[900], has_services=not changed[900].has_services)
    changed[901] = replace(changed[901], parent_id=None)
    extra = Unit("new1", "新单位", "市", "portal", "http://new.example.gov.cn/")
    assert upsert_units(db, changed + [extra], source={"u00007": "b.csv:9", "new1": "b.csv:2"}) == (1, 3)

    assert get_unit(db, "u00007").site_url == "https://s7.example.gov.cn/"
    assert get_unit(db, "u00900").has_services is (not units[900].has_services)
    assert get_unit(db, "u00901").parent_id is None
    assert get_unit(db, "new1") == extra
    assert get_unit(db, "missing") is None
    sources = unit_sources(db, ["u00007", "u00008", "new1"])
    assert sources == {"u00007": "b.csv:9", "u00008": "a.csv", "new1": "b.csv:2"}


def test_round_trip_preserves_every_field(db):
    units = _units(10)
    upsert_units(db, units)
    assert list_units(db) == sorted(units, key=lambda u: u.unit_id)
    with db.session() as s:
        assert s.scalar(select(UnitRow.region).where(UnitRow.unit_id == "u00003")) == "岳阳县"


def test_list_units_by_ids_keeps_their_order_and_filters_tier(db):
    units = _units(5) + [Unit("p1", "某省人民政府", "省", "portal", "http://p1.gov.cn/")]
    upsert_units(db, units)
    assert [u.unit_id for u in list_units(db, ["u00004", "nope", "u00001", "u00004"])] == ["u00004", "u00001"]
    assert [u.unit_id for u in list_units(db, tier="省")] == ["p1"]
    assert [u.unit_id for u in list_units(db, ["u00001", "p1"], tier="县")] == ["u00001"]
    assert list_units(db, []) == []


def test_duplicates_in_one_call_last_wins(db):
    a = Unit("x", "甲", "县", "portal", "http://a.gov.cn/")
    b = replace(a, name="乙")
    assert upsert_units(db, [a, b]) == (1, 0)
    assert get_unit(db, "x").name == "乙"
    assert upsert_units(db, []) == (0, 0)


def test_national_registry_on_postgresql(pg_url):
    """Same code, same semantics on PostgreSQL (the team database)."""
    from zwgk.registry import import_registry
    from zwgk.registry.bundled import NATIONAL_EXPORT
    from zwgk.storage import Database

    database = Database.open(pg_url)
    try:
        path = NATIONAL_EXPORT
        first = import_registry(database, path)
        assert (first.added, first.updated) == (first.imported, 0) and first.imported == 13385
        again = import_registry(database, path)
        assert (again.added, again.updated) == (0, 0)
        unit = get_unit(database, "1100000005")
        assert (unit.name, unit.tier, unit.kind, unit.parent_id) == (
            "北京市交通委员会",
            "省",
            "department",
            "1100000088",
        )
        assert len(list_units(database, tier="省")) == sum(1 for u in first.units if u.tier == "省")
    finally:
        database.dispose()
