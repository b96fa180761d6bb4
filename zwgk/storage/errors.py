"""Storage failures as one line a user can act on (disk full, read-only, locked, unreachable).

SQLAlchemy's own message is a 100-line traceback ending in the driver's words ("database
or disk is full", "attempt to write a readonly database").  The command line prints
:func:`describe` instead: what happened, to which database, and what to do — and that a
round resumes where it stopped, because every stage is idempotent.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError

_RESUME = "a round resumes where it stopped when the same command is run again"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes/contexts and the members of exception groups, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        cur = todo.pop(0)
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        todo.extend(getattr(cur, "exceptions", ()) or ())
        todo.extend([cur.__cause__, cur.__context__])


def _driver_text(exc: DBAPIError) -> tuple[str, str]:
    """(lower-cased driver message, SQLSTATE or "")."""
    orig = exc.orig
    state = str(getattr(orig, "sqlstate", "") or getattr(orig, "pgcode", "") or "")
    return str(orig).strip().splitlines()[0].lower() if str(orig).strip() else "", state


def describe(exc: BaseException, url: str = "") -> str | None:
    """One line for a storage failure anywhere in ``exc``'s chain, or ``None`` if it is not one.

    ``url`` defaults to the database this process opened last (the command's ``--db``).
    """
    if not url:
        from zwgk.storage.db import last_opened_url

        url = last_opened_url()
    where = f"database {url}" if url else "the database"
    for cur in _chain(exc):
        if isinstance(cur, DBAPIError):
            text, state = _driver_text(cur)
            db = where
            if "disk is full" in text or state == "53100" or "no space left" in text:
                return (
                    f"the disk holding {db} is full: free some space (or move the database with --db) "
                    f"and run the same command again — nothing written so far is lost; {_RESUME}"
                )
            if "readonly database" in text or "read-only" in text or state == "25006":
                return (
                    f"{db} is read-only ({text or state}): this command writes to it. Give this user write "
                    "access to the file and its directory, or copy it somewhere writable and pass --db; "
                    "reading commands (export, compare) work on it as it is"
                )
            if "database is locked" in text or "database table is locked" in text or state in ("55P03", "40P01"):
                return (
                    f"{db} stayed locked by another process for longer than the wait (30 s): a long write "
                    f"or a stuck process holds it. Wait and run the command again, or stop that process; {_RESUME}"
                )
            if "disk i/o error" in text or state.startswith("58"):
                return (
                    f"{db}: the disk or file system failed while writing ({text or state}); a file size limit "
                    f"(ulimit -f) or a full or failing disk. Fix that and run the command again; {_RESUME}"
                )
            if "unable to open database file" in text:
                return (
                    f"cannot open {db}: the file or its directory cannot be opened (missing, no permission, "
                    "or a read-only directory where SQLite cannot create its journal); check the path and "
                    "permissions, or pass --db"
                )
            if state == "42501" or "permission denied" in text:
                return f"{db}: permission denied ({text}); the database user needs rights on zwgk's tables"
        if isinstance(cur, OSError) and cur.errno in (errno.ENOSPC, errno.EDQUOT):
            name = f" ({cur.filename})" if cur.filename else ""
            return f"the disk is full{name}: free some space and run the same command again; {_RESUME}"
        if isinstance(cur, OSError) and cur.errno == errno.EROFS:
            name = f" {cur.filename}" if cur.filename else ""
            return f"cannot write{name}: the file system is read-only; write to another place"
    return None
