"""The storage layer opens, migrates idempotently and enforces the 4% floor."""

import pytest
from sqlalchemy import inspect

from zwgk.model import WeightError, check_weight
from zwgk.storage import Database


def test_open_migrates_schema_and_reopen_is_idempotent(db_url):
    first = Database.open(db_url)
    tables = set(inspect(first.engine).get_table_names())
    first.dispose()
    assert {"units", "rounds", "pages", "links", "findings", "scores", "rectification_items"} <= tables
    again = Database.open(db_url)  # second upgrade to head must be a no-op
    assert set(inspect(again.engine).get_table_names()) == tables
    again.dispose()


@pytest.mark.parametrize("weight", [0.0, 0.01, 0.0399])
def test_weight_below_four_percent_is_refused(weight):
    with pytest.raises(WeightError, match="不低于4%"):
        check_weight(weight)


def test_weight_at_or_above_four_percent_is_accepted():
    assert check_weight(0.04) == 0.04
    assert check_weight(0.1) == 0.1


def test_a_database_from_the_first_release_upgrades_in_place_and_keeps_its_rows(db_url):
    """A database created at revision 0001 (before monitoring) opens at head with its data intact."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from sqlalchemy import text

    from zwgk.storage.db import _MIGRATIONS, make_engine
    from zwgk.storage.tables import Base

    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO units (unit_id, name, tier, kind, region, parent_id, site_url, site_code, has_services, source, updated_at)"
                " VALUES ('u1', '某某县人民政府', '县', 'portal', '', '', 'http://www.x.gov.cn/', '', true, 'test', '2025-01-02 03:04:05')"
            )
        )
    assert "probe_days" not in inspect(engine).get_table_names()
    engine.dispose()

    db = Database.open(db_url)
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() != "0001"
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert conn.execute(text("SELECT name FROM units WHERE unit_id = 'u1'")).scalar_one() == "某某县人民政府"
    assert {"probe_days", "monitor_alerts"} <= set(inspect(db.engine).get_table_names())
    db.dispose()
