"""Shared pytest setup.

Each stage keeps its fixtures in ``tests/fixtures_<stage>.py``; every such
module is loaded here as a plugin, so stages never edit this file to add one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = sorted(f"tests.{p.stem}" for p in Path(__file__).parent.glob("fixtures_*.py"))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database URL (or ZWGK_TEST_DB, e.g. PostgreSQL, when set)."""
    import os

    override = os.environ.get("ZWGK_TEST_DB")
    if override:
        from sqlalchemy import text

        from zwgk.storage.db import make_engine
        from zwgk.storage.tables import Base

        engine = make_engine(override)
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
        return override
    return f"sqlite:///{tmp_path / 'zwgk.db'}"


@pytest.fixture
def db(db_url: str):
    """An opened, migrated :class:`zwgk.storage.Database`."""
    from zwgk.storage import Database

    database = Database.open(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout (seeds, domain notes, real data)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared/ not found at {SHARED}: tests need the real registry and pages")
    return SHARED
