"""Which database this is, as a fingerprint that carries no address and no password.

A distributed round's task messages name their database by this fingerprint only;
a worker computes the fingerprint of the database it was configured with
(``--db``, ``ZWGK_DB``, the env file of its unit) and refuses a task of another one.
The fingerprint is a hash of the random ``database_id`` made by migration 0007 and,
on PostgreSQL, of the database's name (so a restored copy such as ``zwgk_restore``
is not taken for the original), never of the host name by which a machine reaches
it: ``localhost`` on the database host and ``10.0.0.5`` on a worker are the same.
"""

from __future__ import annotations

import hashlib
import uuid
import weakref

from sqlalchemy import select, text

from zwgk.storage.db import Database
from zwgk.storage.tables import MetaRow


def database_id(db: Database) -> str:
    """The database's random id (made on first use if a row is somehow missing)."""
    with db.session() as s:
        row = s.get(MetaRow, "database_id")
        if row is None:
            row = MetaRow(key="database_id", value=uuid.uuid4().hex)
            s.add(row)
        return row.value


# The fingerprint of each open handle, forgotten with the handle.
_fingerprints: weakref.WeakKeyDictionary[Database, str] = weakref.WeakKeyDictionary()


def database_fingerprint(db: Database) -> str:
    """16 hex digits naming this database (cached per handle: it never changes)."""
    cached = _fingerprints.get(db)
    if cached:
        return cached
    ident = database_id(db)
    name = ""
    if db.engine.dialect.name == "postgresql":
        with db.session() as s:
            name = s.scalar(text("SELECT current_database()")) or ""
    fingerprint = hashlib.sha256(f"{ident}/{name}".encode()).hexdigest()[:16]
    _fingerprints[db] = fingerprint
    return fingerprint


def meta_value(db: Database, key: str) -> str | None:
    with db.session() as s:
        return s.scalar(select(MetaRow.value).where(MetaRow.key == key))
