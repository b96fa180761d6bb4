"""Opening the database: URL resolution, SQLite WAL, migrations to head.

The default is the embedded SQLite file ``data/zwgk.db`` under the current
directory; ``--db URL`` or the ``ZWGK_DB`` environment variable select another
(e.g. ``postgresql+psycopg://user@host/zwgk``).  Every open runs Alembic up to
the newest migration, so a database made by an older zwgk upgrades in place.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from zwgk.model import ZwgkError

DEFAULT_DB_PATH = Path("data") / "zwgk.db"
_MIGRATIONS = Path(__file__).with_name("migrations")


def resolve_url(url: str | None = None) -> str:
    """``--db`` wins, then ``ZWGK_DB``, then ``sqlite:///data/zwgk.db``.

    A bare file path is accepted and treated as a SQLite file.
    """
    url = url or os.environ.get("ZWGK_DB") or ""
    if not url:
        url = str(DEFAULT_DB_PATH)
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = resolve_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Database:
    """The one handle on storage: an engine plus a session factory.

    Open with ``Database.open(url)``; it retries a briefly unreachable or
    locked database and then fails with a clear :class:`ZwgkError`.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str | None = None, *, attempts: int = 5, migrate_schema: bool = True) -> "Database":
        engine = make_engine(url)
        delay = 0.2
        for attempt in range(1, attempts + 1):
            try:
                if migrate_schema:
                    migrate(engine)
                else:
                    with engine.connect():
                        pass
                return cls(engine)
            except OperationalError as exc:
                if attempt == attempts:
                    raise ZwgkError(
                        f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
                        f"{exc.orig}. Check that it is running and reachable, or pass --db."
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any error."""
        with self.sessions() as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()
