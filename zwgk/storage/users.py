"""Dashboard users: bcrypt password hashes, roles, unit bindings, login rate limiting.

Roles:
  ``leader``      sees every ranking and report, changes nothing;
  ``evaluator``   sees everything, reviews findings and enters manual scores;
  ``department``  sees only the units listed in its ``unit_ids``.

Failed logins are counted in the ``users`` row itself (not in the browser
session), so a locked account stays locked whatever tab or process the next
attempt comes from: after :data:`MAX_FAILURES` wrong passwords in a row the
account is refused for :data:`LOCK_MINUTES` minutes, even with the right
password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import bcrypt
from sqlalchemy import select

from zwgk.model import ZwgkError
from zwgk.storage.db import Database
from zwgk.storage.tables import UnitRow, UserRow, utcnow

ROLES = ("leader", "evaluator", "department")
ROLE_NAMES = {"leader": "领导", "evaluator": "评估人员", "department": "部门"}
MAX_FAILURES = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything longer
BCRYPT_ROUNDS = 12

# Checked against when the user does not exist, so a wrong name costs as much
# time as a wrong password and login timing does not reveal which names exist.
_DUMMY_HASH = bcrypt.hashpw(b"zwgk-no-such-user", bcrypt.gensalt(4))


class AuthError(ZwgkError):
    """A login was refused (wrong name or password, or the account is locked)."""


class AccountLocked(AuthError):
    def __init__(self, username: str, until: dt.datetime):
        self.username, self.until = username, until
        super().__init__(
            f"账号 {username} 因连续登录失败已被锁定，请于 {until:%H:%M} (UTC) 后重试 / "
            f"account locked after {MAX_FAILURES} failed logins until {until:%Y-%m-%d %H:%M} UTC"
        )


@dataclass(frozen=True, slots=True)
class User:
    """A dashboard user as the rest of zwgk sees it (never carries the hash)."""

    username: str
    role: str
    unit_ids: tuple[str, ...] = ()
    display_name: str = ""
    failed_logins: int = 0
    locked_until: dt.datetime | None = None
    created_at: dt.datetime | None = None


def _user(row: UserRow) -> User:
    return User(
        username=row.username,
        role=row.role,
        unit_ids=tuple(str(u) for u in (row.unit_ids or [])),
        display_name=row.display_name or "",
        failed_logins=row.failed_logins or 0,
        locked_until=row.locked_until,
        created_at=row.created_at,
    )


def check_password(password: str) -> bytes:
    """The password as bytes, or a clear error when it cannot be a good bcrypt password."""
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise ZwgkError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters / 密码至少 {MIN_PASSWORD_LENGTH} 位")
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ZwgkError(
            f"password too long: bcrypt uses at most {MAX_PASSWORD_BYTES} bytes (UTF-8); "
            f"this one has {len(raw)} / 密码过长"
        )
    return raw


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(check_password(password), bcrypt.gensalt(rounds)).decode("ascii")


def _check_role(role: str, unit_ids: Iterable[str]) -> tuple[str, list[str]]:
    if role not in ROLES:
        raise ZwgkError(f"role {role!r} is unknown: choose one of {', '.join(ROLES)}")
    units = [u.strip() for u in unit_ids if u and u.strip()]
    if role == "department" and not units:
        raise ZwgkError("a department user needs at least one unit: add --unit UNIT_ID")
    if role != "department" and units:
        raise ZwgkError(f"--unit applies only to department users; a {role} sees every unit")
    return role, list(dict.fromkeys(units))


def _valid_name(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise ZwgkError(f"user name {username!r} must be 1-100 characters without spaces")
    return name


def add_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    unit_ids: Iterable[str] = (),
    display_name: str = "",
    *,
    rounds: int = BCRYPT_ROUNDS,
) -> User:
    """Create a user; an existing name is an error (use :func:`set_password` / remove first)."""
    name = _valid_name(username)
    role, units = _check_role(role, unit_ids)
    hashed = hash_password(password, rounds)
    with db.session() as s:
        if s.get(UserRow, name) is not None:
            raise ZwgkError(f"user {name!r} already exists; use `zwgk users passwd {name}` or remove it first")
        row = UserRow(
            username=name, password_hash=hashed, role=role, unit_ids=units,
            display_name=display_name or "", failed_logins=0, locked_until=None, created_at=utcnow(),
        )
        s.add(row)
        s.flush()
        return _user(row)


def unknown_units(db: Database, unit_ids: Iterable[str]) -> list[str]:
    """Those of ``unit_ids`` not in the units table (a typo, or a registry not yet imported)."""
    wanted = list(unit_ids)
    if not wanted:
        return []
    with db.session() as s:
        known = set(s.scalars(select(UnitRow.unit_id).where(UnitRow.unit_id.in_(wanted))))
    return [u for u in wanted if u not in known]


def get_user(db: Database, username: str) -> User | None:
    with db.session() as s:
        row = s.get(UserRow, username)
        return _user(row) if row else None


def list_users(db: Database) -> list[User]:
    with db.session() as s:
        return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]


def set_password(db: Database, username: str, password: str, *, rounds: int = BCRYPT_ROUNDS) -> None:
    """Change a password; also clears failed logins and any lock (an admin reset)."""
    hashed = hash_password(password, rounds)
    with db.session() as s:
        row = s.get(UserRow, username)
        if row is None:
            raise ZwgkError(f"no user {username!r} (see `zwgk users list`)")
        row.password_hash, row.failed_logins, row.locked_until = hashed, 0, None


def remove_user(db: Database, username: str) -> None:
    with db.session() as s:
        row = s.get(UserRow, username)
        if row is None:
            raise ZwgkError(f"no user {username!r} (see `zwgk users list`)")
        s.delete(row)


def authenticate(db: Database, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user if name and password match; otherwise :class:`AuthError`.

    A locked account is refused before the password is even checked, so
    guessing during the lock gains nothing; the failure that reaches
    :data:`MAX_FAILURES` sets the lock and resets the counter.
    """
    now = now or utcnow()
    raw = (password or "").encode("utf-8")
    with db.session() as s:
        row = s.get(UserRow, (username or "").strip()) if username else None
        if row is None:
            bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES] or b"x", _DUMMY_HASH)
            raise AuthError("用户名或密码错误 / wrong user name or password")
        if row.locked_until is not None and row.locked_until > now:
            raise AccountLocked(row.username, row.locked_until)
        ok = 0 < len(raw) <= MAX_PASSWORD_BYTES and bcrypt.checkpw(raw, row.password_hash.encode("ascii"))
        if not ok:
            row.failed_logins = (row.failed_logins or 0) + 1
            if row.failed_logins >= MAX_FAILURES:
                row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                row.failed_logins = 0
                locked = AccountLocked(row.username, row.locked_until)
            else:
                locked = None
        else:
            row.failed_logins, row.locked_until = 0, None
            return _user(row)
    # outside the transaction: the failure count above is committed, then we refuse
    if locked is not None:
        raise locked
    raise AuthError("用户名或密码错误 / wrong user name or password")
