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


_SHARED_SCOPES = ("module", "class", "package")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker hook reads the xdist_group marks
def pytest_collection_modifyitems(config, items) -> None:
    """Keep each module's shared fixtures on one xdist worker; with ZWGK_TEST_DB=postgresql,
    run only the tests that use the database fixture (the rest never touch it).

    A module-scoped fixture (a farm round, a crawl, a dashboard server) is built once per
    worker that runs a test of the module.  pytest-xdist's default ``load`` scheduling deals
    the first quarter of the tests out one by one, so such a module was set up on both
    workers, and a module could be split again later.  Every test that uses a fixture of a
    wider scope than the function is marked ``xdist_group(<its module>)``; with ``--dist
    loadgroup`` (pyproject addopts) the module then runs on one worker, while the tests
    without such fixtures are still dealt out one by one.
    """
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope in _SHARED_SCOPES for seq in defs for d in seq):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
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
