"""Shared pytest setup.

Each stage keeps its fixtures in ``tests/fixtures_<stage>.py``; every such
module is loaded here as a plugin, so stages never edit this file to add one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = sorted(f"tests.{p.stem}" for p in Path(__file__).parent.glob("fixtures_*.py"))

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _test_backend() -> str:
    """``ZWGK_TEST_DB``: unset → SQLite; ``postgresql`` → a private throw-away PostgreSQL cluster."""
    import os

    value = os.environ.get("ZWGK_TEST_DB", "").strip()
    if value not in ("", "sqlite", "postgresql"):
        raise pytest.UsageError(f"ZWGK_TEST_DB={value!r}: use 'postgresql' (a private cluster) or leave it unset")
    return value or "sqlite"


def pytest_report_header(config) -> str:
    return f"zwgk test database: {_test_backend()}"


def pytest_collection_modifyitems(config, items) -> None:
    """With ZWGK_TEST_DB=postgresql, run the tests that use the database fixture (the rest never touch it)."""
    if _test_backend() != "postgresql":
        return
    keep = [item for item in items if "db_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database URL for one test: SQLite in tmp_path, or with
    ``ZWGK_TEST_DB=postgresql`` a new database on a real PostgreSQL cluster
    started for the session (``pg_url`` in fixtures_services)."""
    if _test_backend() == "postgresql":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'zwgk.db'}"


@pytest.fixture
def db(db_url: str):
    """An opened, migrated :class:`zwgk.storage.Database`."""
    from zwgk.storage import Database

    database = Database.open(db_url)
    yield database
    database.dispose()


REAL_PAGES = SHARED / "data" / "real-pages"


@pytest.fixture(scope="session")
def real_pages() -> Path:
    """Real saved government pages in ``../shared/data/real-pages`` beside the checkout.

    They are not part of the project (copies of third-party pages), so a fresh clone has
    none: the tests that read them skip, saying so.  Everything else the tests need is in
    the checkout (the national registry is bundled in ``zwgk/data/registry``).
    """
    if not REAL_PAGES.is_dir():
        pytest.skip(f"real saved pages not present at {REAL_PAGES} (../shared beside the checkout)")
    return REAL_PAGES
