"""One site's work in a worker: crawl it (unless already done), then evaluate it
(``zwgk.app.crawl_and_evaluate_site``, marked so the coordinator does not evaluate it again).

Idempotent by construction, so running it twice for the same site (a
redelivered message, a re-dispatch after a lost worker) stores one result:

* the crawl is skipped for a site already ``crawled``/``failed``; a site left
  ``crawling`` by a dead worker is reset by the crawler and redone;
* findings are replaced as a whole (``replace_findings``).

A database that is locked or briefly unreachable is retried for
``Timings.db_retry`` seconds, then the task fails with a clear message and the
site stays as it was (the crawl's own writes are per page, its state flips
to ``crawled`` only at the end).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError

from zwgk.model import ZwgkError

log = logging.getLogger(__name__)
T = TypeVar("T")

DONE_STATES = ("crawled", "failed", "evaluated")

_lock = threading.Lock()
_databases: dict[str, Any] = {}
_prepared: dict[tuple[str, int], Any] = {}


class ForeignDatabase(ZwgkError):
    """A task of a round on another database than the one this worker serves."""


def worker_db_url() -> str:
    """The database this worker serves: ``--db`` (exported as ``ZWGK_DB``), ``ZWGK_DB``
    from the environment or the unit's env file, else ``data/zwgk.db``.

    Never a URL from a task message: those carry ids and a database fingerprint only,
    so the broker (and anyone who can read it) never sees a database password.
    """
    from zwgk.storage.db import resolve_url

    return resolve_url(None)


def shown_url(url: str) -> str:
    """``url`` without its password, for logs and error messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — a URL that does not parse is not shown at all: it may hold a password
        return "(database)"


def worker_database() -> Any:
    """This worker process's one :class:`Database` (one connection pool per process)."""
    return database(worker_db_url())


def check_database(db: Any, fingerprint: str | None, what: str) -> None:
    """Refuse work meant for another database than ``db`` (with a message saying how to fix it)."""
    from zwgk.storage.identity import database_fingerprint

    mine = database_fingerprint(db)
    if fingerprint == mine:
        return
    theirs = fingerprint if fingerprint and len(fingerprint) == 16 and fingerprint.isalnum() else None
    shown = f"database {theirs}" if theirs else "a database named the old way (a coordinator of an older zwgk?)"
    raise ForeignDatabase(
        f"refused {what}: it belongs to {shown}, but this worker ({socket.gethostname()}) serves database "
        f"{mine} ({db.url}). Start the round on the workers' database, or start workers whose --db / "
        "ZWGK_DB names the round's database (workers take the database from their own configuration)."
    )


def worker_db(db_fingerprint: str | None, what: str) -> Any:
    """This worker's database (pooled, shared by its tasks), refusing a job of another one;
    handed to ``zwgk.monitor.tasks.register_tasks`` for the monitoring tasks."""
    db = worker_database()
    if db_fingerprint:
        check_database(db, db_fingerprint, what)
    return db


def database(url: str) -> Any:
    """One :class:`Database` per URL per worker process (pooled connections)."""
    from zwgk.storage import Database

    with _lock:
        db = _databases.get(url)
        if db is None:
            db = Database.open(url, attempts=3)
            _databases[url] = db
        return db


def prepared_round(db: Any, round_id: int) -> Any:
    """The round's rubric, units and settings, loaded once per worker process."""
    from zwgk.app import load_prepared
    from zwgk.monitor.history import probe_history

    key = (db.url, round_id)
    with _lock:
        prepared = _prepared.get(key)
    if prepared is None:
        prepared = load_prepared(db, round_id, history=probe_history)
        with _lock:
            _prepared[key] = prepared
    return prepared


def with_db_retry(what: str, fn: Callable[[], T], retry_for: float, url: str = "") -> T:
    """Run ``fn``; on a locked/unreachable database retry with backoff, then a clear error."""
    deadline = time.monotonic() + retry_for
    delay = 0.25
    while True:
        try:
            return fn()
        except (DBAPIError, ZwgkError) as exc:
            if isinstance(exc, ZwgkError) and "cannot open database" not in str(exc):
                raise
            if isinstance(exc, DBAPIError):
                from zwgk.storage.errors import describe

                explained = describe(exc, url)
                if explained and "locked" not in explained:  # disk full, read-only: waiting will not help
                    raise ZwgkError(f"{what}: {explained}") from exc
            if time.monotonic() + delay > deadline:
                detail = getattr(exc, "orig", None) or exc
                raise ZwgkError(
                    f"{what}: database {url or '(round database)'} still locked or unreachable after "
                    f"{retry_for:.0f}s ({type(detail).__name__}: {str(detail).strip().splitlines()[0] if str(detail).strip() else ''}). "
                    "Nothing was half-written: run the same command again when the database is back."
                ) from exc
            log.warning("%s: database error, retrying in %.1fs: %s", what, delay, exc)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def crawl_and_evaluate(db: Any, round_id: int, unit_id: str) -> dict[str, Any]:
    """Crawl ``unit_id`` in round ``round_id`` if not done yet, then store its findings."""
    from zwgk.app import crawl_and_evaluate_site

    return crawl_and_evaluate_site(db, prepared_round(db, round_id), unit_id)
