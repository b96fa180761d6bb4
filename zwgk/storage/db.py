"""Opening the database: URL resolution, SQLite WAL, migrations to head.

The default is the embedded SQLite file ``data/zwgk.db`` under the current
directory; ``--db URL`` or the ``ZWGK_DB`` environment variable select another
(e.g. ``postgresql+psycopg://user@host/zwgk``).  Every open runs Alembic up to
the newest migration, so a database made by an older zwgk upgrades in place.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from zwgk.model import ZwgkError

log = logging.getLogger(__name__)

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
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_read_only_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_last_url = ""


def last_opened_url() -> str:
    """The (password-hidden) URL of the database this process opened last, for error messages."""
    return _last_url


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url and "?" not in url:
        return Path(url[len("sqlite:///") :])
    return None


def sqlite_read_only_reason(path: Path) -> str:
    """Why an existing SQLite file cannot be written here ("" when it can).

    Asked with access(2) (root passes permission bits but not a read-only file system or
    an immutable file), never by opening the file: closing any descriptor of a SQLite file
    drops every POSIX lock this process holds on it, which would corrupt the locking of
    another connection in the same process (a worker's threads).  The directory must take
    new files too: SQLite keeps its -wal/-shm/-journal files beside the database.
    """
    if not path.is_file():
        return ""
    read_only_fs = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    if not os.access(path, os.W_OK):
        return "the file is not writable: " + ("read-only file system" if read_only_fs else "no write permission")
    if not os.access(path.parent, os.W_OK):
        return f"its directory {path.parent} is not writable"
    return ""


def make_engine(url: str | None = None, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """An engine for ``url``; ``read_only`` opens a SQLite file with ``mode=ro`` (and
    ``immutable=1`` when its directory cannot hold SQLite's shared-memory file)."""
    url = resolve_url(url)
    if url.startswith("sqlite") and read_only and (path := _sqlite_file(url)) is not None:
        flags = "mode=ro" + ("&immutable=1" if immutable else "")
        engine = create_engine(f"sqlite:///file:{path}?{flags}&uri=true", connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_read_only_pragmas)
    elif url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return engine


def schema_revision(engine: Engine) -> tuple[str | None, str]:
    """(the database's Alembic revision, the newest this zwgk knows)."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head() or ""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, head


_MIGRATION_LOCK = 0x7A77_676B  # "zwgk": the PostgreSQL advisory lock taken while migrating


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent).

    Several processes may open a new database at once (systemd starts the workers, beat
    and the dashboard together): on PostgreSQL the migration runs under a transaction-level
    advisory lock, so one process migrates and the others then find the schema at head
    (DDL is transactional there).  SQLite serialises writers itself (a busy writer is
    retried by :meth:`Database.open`).
    """
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _check_read_only_schema(engine: Engine, path: Path, reason: str) -> None:
    """A read-only database cannot be migrated: it must already have this zwgk's schema."""
    current, head = schema_revision(engine)
    if current != head:
        raise ZwgkError(
            f"database {path} is read-only ({reason}) and its schema is at revision {current or 'none'}, "
            f"not {head} as this zwgk needs; open it once with write access to upgrade it in place, "
            "or copy it somewhere writable and pass --db"
        )


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

    read_only: str = ""  # why this database is opened read-only ("" when it is writable)

    @classmethod
    def open(cls, url: str | None = None, *, attempts: int = 5, migrate_schema: bool = True) -> Database:
        """Open (and migrate) the database; a SQLite file that cannot be written is opened read-only.

        Read-only, the schema must already be the newest (it cannot be migrated); reading
        commands then work and writing ones fail with one line saying so.
        """
        global _last_url
        resolved = resolve_url(url)
        path = _sqlite_file(resolved)
        reason = sqlite_read_only_reason(path) if path is not None else ""
        read_only_file = path if reason else None  # only a SQLite file can have a reason
        if read_only_file is not None:
            immutable = not os.access(read_only_file.parent, os.W_OK)
            engine = make_engine(resolved, read_only=True, immutable=immutable)
        else:
            engine = make_engine(resolved)
        _last_url = engine.url.render_as_string(hide_password=True) if not reason else f"sqlite:///{path}"
        delay = 0.2
        for attempt in range(1, attempts + 1):
            try:
                if read_only_file is not None:
                    _check_read_only_schema(engine, read_only_file, reason)
                    log.warning("database %s is read-only (%s): opened for reading only", path, reason)
                elif migrate_schema:
                    migrate(engine)
                else:
                    with engine.connect():
                        pass
                db = cls(engine)
                db.read_only = reason
                return db
            except OperationalError as exc:
                from zwgk.storage.errors import describe

                explained = describe(exc, _last_url)
                transient = explained is None or "locked" in explained
                if attempt == attempts or not transient:
                    raise ZwgkError(
                        explained
                        or f"cannot open database {_last_url}: {exc.orig}. Check that it is running and reachable, "
                        "or pass --db."
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def dml_result(result: Result[Any]) -> CursorResult[Any]:
    """``Session.execute`` of an UPDATE / DELETE, typed as what it is at run time.

    SQLAlchemy's stubs type every ``Session.execute`` as a ``Result``; an UPDATE or DELETE
    returns a ``CursorResult``, whose ``rowcount`` says how many rows matched — which is how
    leases and deletions know whether they won or what they removed."""
    return cast(CursorResult[Any], result)
