"""Round leases: which process runs a round, as compare-and-set rows (SQLite and PostgreSQL).

Every statement that changes a lease names the round *and* a condition that only one
process can satisfy (the lease is expired, or its token is ours), so two processes racing
for one round cannot both win: SQLite serialises writers, and PostgreSQL re-checks an
UPDATE's WHERE clause against the row a concurrent winner just wrote.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from zwgk.storage.db import Database, dml_result
from zwgk.storage.tables import RoundLeaseRow, utcnow


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who asks for a lease: a secret token plus what users are shown."""

    token: str
    owner: str  # "host/pid/started"
    host: str
    pid: int


@dataclass(frozen=True, slots=True)
class LeaseInfo:
    """A lease as stored."""

    round_name: str
    token: str
    owner: str
    host: str
    pid: int
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime
    expires_at: dt.datetime

    def expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at < (now or utcnow())


def _info(row: RoundLeaseRow) -> LeaseInfo:
    return LeaseInfo(
        row.round_name, row.token, row.owner, row.host, row.pid, row.acquired_at, row.heartbeat_at, row.expires_at
    )


def get_round_lease(db: Database, round_name: str) -> LeaseInfo | None:
    with db.session() as s:
        row = s.get(RoundLeaseRow, round_name)
        return _info(row) if row else None


def acquire_round_lease(db: Database, round_name: str, holder: LeaseHolder, ttl: float) -> LeaseInfo | None:
    """Take the lease of ``round_name`` for ``ttl`` seconds.  ``None`` when taken, else the holder's lease.

    An expired lease (its holder stopped renewing it: dead, or cut off) is taken over.
    """
    for _ in range(3):  # a holder may release between our insert and our look
        now = utcnow()
        values = dict(
            token=holder.token,
            owner=holder.owner,
            host=holder.host,
            pid=holder.pid,
            acquired_at=now,
            heartbeat_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
        with db.session() as s:
            taken = dml_result(
                s.execute(
                    update(RoundLeaseRow)
                    .where(
                        RoundLeaseRow.round_name == round_name,
                        or_(RoundLeaseRow.expires_at < now, RoundLeaseRow.token == holder.token),
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
            ).rowcount
        if taken == 1:
            return None
        try:
            with db.session() as s:
                s.add(RoundLeaseRow(round_name=round_name, **values))
            return None
        except IntegrityError:
            pass  # somebody holds it (or just took it)
        current = get_round_lease(db, round_name)
        if current is not None:
            return current
    return get_round_lease(db, round_name)


def take_over_round_lease(db: Database, round_name: str, old_token: str, holder: LeaseHolder, ttl: float) -> bool:
    """Replace the lease whose token is ``old_token`` (a holder known to be dead); True if we won."""
    now = utcnow()
    with db.session() as s:
        return (
            dml_result(
                s.execute(
                    update(RoundLeaseRow)
                    .where(RoundLeaseRow.round_name == round_name, RoundLeaseRow.token == old_token)
                    .values(
                        token=holder.token,
                        owner=holder.owner,
                        host=holder.host,
                        pid=holder.pid,
                        acquired_at=now,
                        heartbeat_at=now,
                        expires_at=now + dt.timedelta(seconds=ttl),
                    )
                    .execution_options(synchronize_session=False)
                )
            ).rowcount
            == 1
        )


def renew_round_lease(db: Database, round_name: str, token: str, ttl: float) -> bool:
    """Extend our lease; False when it is no longer ours (another process took it over)."""
    now = utcnow()
    with db.session() as s:
        return (
            dml_result(
                s.execute(
                    update(RoundLeaseRow)
                    .where(RoundLeaseRow.round_name == round_name, RoundLeaseRow.token == token)
                    .values(heartbeat_at=now, expires_at=now + dt.timedelta(seconds=ttl))
                    .execution_options(synchronize_session=False)
                )
            ).rowcount
            == 1
        )


def release_round_lease(db: Database, round_name: str, token: str) -> None:
    """Give the lease up (only if it is still ours)."""
    with db.session() as s:
        s.execute(delete(RoundLeaseRow).where(RoundLeaseRow.round_name == round_name, RoundLeaseRow.token == token))


def list_round_leases(db: Database) -> list[LeaseInfo]:
    with db.session() as s:
        return [_info(r) for r in s.scalars(select(RoundLeaseRow).order_by(RoundLeaseRow.round_name))]
