"""Dashboard users and logins: bcrypt hashes, roles, unit bindings, throttling, sessions.

Roles:
  ``leader``      sees every ranking and report, changes nothing;
  ``evaluator``   sees everything, reviews findings and enters manual scores;
  ``department``  sees only the units listed in its ``unit_ids``.

Login throttling (OWASP ASVS 2.2.1 / GB/T 22239 level 1 "login failure handling"):

* failures are counted per account name (existing or not, so refusals never reveal which
  names exist) and per client address in ``login_throttle``, each with ONE atomic
  ``INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1 … RETURNING`` — parallel
  guesses are all counted, on SQLite and PostgreSQL alike;
* past :data:`MAX_FAILURES` (account) or :data:`CLIENT_MAX_FAILURES` (client) a key is
  blocked with exponential back-off (:func:`backoff`), capped at :data:`MAX_BLOCK`, instead
  of a long hard lock: and the account block is not applied to a browser that has logged in
  as that user before (its signed device cookie, checked by the dashboard), so a stranger
  cannot lock a leader out by typing her name five times;
* an unknown name is checked against a real bcrypt hash of the same cost as the stored
  ones, so it takes as long as a wrong password.

Sessions (``dashboard_sessions``) have an idle timeout and an absolute lifetime; the
browser holds only a signed cookie naming the session, and every page run and every
download re-reads the session and the user, so removing a user ends their access at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import bcrypt
from sqlalchemy import case, delete, select, update

from zwgk.model import ZwgkError
from zwgk.storage.db import Database, dml_result
from zwgk.storage.tables import DashboardSessionRow, LoginThrottleRow, UnitRow, UserRow, utcnow

ROLES = ("leader", "evaluator", "department")
ROLE_NAMES = {"leader": "领导", "evaluator": "评估人员", "department": "部门"}
MAX_FAILURES = 5  # account: failures before the first block
CLIENT_MAX_FAILURES = 20  # one address (an office behind NAT types wrong passwords too)
LOCK_MINUTES = 5  # the first block; each further failure doubles it (up to MAX_BLOCK)
MAX_BLOCK = dt.timedelta(minutes=30)
FAILURE_WINDOW = dt.timedelta(hours=1)  # a failure older than this no longer counts
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything longer
BCRYPT_ROUNDS = 12
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_LIFETIME = dt.timedelta(hours=12)  # absolute: a session ends then whatever the activity
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_COST = re.compile(r"^\$2[aby]?\$(\d\d)\$")


def local_time(moment: dt.datetime) -> str:
    """A stored (naive UTC) time as Beijing time for people: ``2026-12-02 15:04（北京时间）``."""
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return f"{aware.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}（北京时间）"


def backoff(failures: int, threshold: int = MAX_FAILURES) -> dt.timedelta:
    """How long a key is blocked after its ``failures``-th failure (none below ``threshold``)."""
    if failures < threshold:
        return dt.timedelta(0)
    return min(dt.timedelta(minutes=LOCK_MINUTES) * 2 ** min(failures - threshold, 20), MAX_BLOCK)


class AuthError(ZwgkError):
    """A login was refused (wrong name or password, or the account is locked)."""


class AccountLocked(AuthError):
    """Refused without checking the password: the account name or the client is throttled.

    The text is the same for existing and unknown names (only the time differs), and the
    time is Beijing time, which is what the person at the keyboard reads on their clock.
    """

    def __init__(self, username: str, until: dt.datetime, reason: str = "account"):
        self.username, self.until, self.reason = username, until, reason
        who = "该账号" if reason == "account" else "本机"
        super().__init__(f"{who}登录失败次数过多，请于 {local_time(until)} 后再试，或请管理员重置密码。")


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


def _user(row: UserRow, throttle: LoginThrottleRow | None = None) -> User:
    return User(
        username=row.username,
        role=row.role,
        unit_ids=tuple(str(u) for u in (row.unit_ids or [])),
        display_name=row.display_name or "",
        failed_logins=throttle.failures if throttle else 0,
        locked_until=throttle.blocked_until if throttle else None,
        created_at=row.created_at,
    )


def check_password(password: str) -> bytes:
    """The password as bytes, or a clear error when it cannot be a good bcrypt password."""
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise ZwgkError(
            f"password too short: use at least {MIN_PASSWORD_LENGTH} characters / 密码至少 {MIN_PASSWORD_LENGTH} 位"
        )
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
            username=name,
            password_hash=hashed,
            role=role,
            unit_ids=units,
            display_name=display_name or "",
            failed_logins=0,
            locked_until=None,
            created_at=utcnow(),
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


def _account_key(username: str) -> str:
    return "account:" + (username or "").strip()[:150]


def _client_key(client: str) -> str:
    return "client:" + (client or "unknown")[:150]


def get_user(db: Database, username: str) -> User | None:
    with db.session() as s:
        row = s.get(UserRow, username)
        return _user(row, s.get(LoginThrottleRow, _account_key(username))) if row else None


def list_users(db: Database) -> list[User]:
    with db.session() as s:
        throttles = {
            t.key: t for t in s.scalars(select(LoginThrottleRow).where(LoginThrottleRow.key.like("account:%")))
        }
        return [
            _user(r, throttles.get(_account_key(r.username)))
            for r in s.scalars(select(UserRow).order_by(UserRow.username))
        ]


def set_password(db: Database, username: str, password: str, *, rounds: int = BCRYPT_ROUNDS) -> None:
    """Change a password; also clears the account's failures and block and ends its sessions."""
    hashed = hash_password(password, rounds)
    with db.session() as s:
        row = s.get(UserRow, username)
        if row is None:
            raise ZwgkError(f"no user {username!r} (see `zwgk users list`)")
        row.password_hash = hashed
        s.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == _account_key(username)))
        s.execute(delete(DashboardSessionRow).where(DashboardSessionRow.username == username))


def remove_user(db: Database, username: str) -> None:
    """Remove a user and every session of theirs (open pages and downloads fail at once)."""
    with db.session() as s:
        row = s.get(UserRow, username)
        if row is None:
            raise ZwgkError(f"no user {username!r} (see `zwgk users list`)")
        s.delete(row)
        s.execute(delete(DashboardSessionRow).where(DashboardSessionRow.username == username))


# --------------------------------------------------------------------------- login


@functools.lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> bytes:
    """A real bcrypt hash of ``cost``: what an unknown name is checked against."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(cost))


def warm_dummy_hash(db: Database) -> None:
    """Compute the unknown-name hash now (at start-up), so the first unknown name at login costs
    no more than the rest."""
    with db.session() as s:
        _dummy_hash(_stored_cost(s))


def _stored_cost(s: Any) -> int:
    """The bcrypt cost of the stored hashes (the highest), so an unknown name costs the same."""
    costs = [int(m.group(1)) for h in s.scalars(select(UserRow.password_hash).limit(50)) if (m := _COST.match(h or ""))]
    return max(costs) if costs else BCRYPT_ROUNDS


def _blocked(s: Any, key: str, now: dt.datetime) -> dt.datetime | None:
    until = s.scalar(select(LoginThrottleRow.blocked_until).where(LoginThrottleRow.key == key))
    return until if until is not None and until > now else None


def _insert(s: Any) -> Any:
    """The dialect's own INSERT (both have ``on_conflict_do_update``; the generic one has not)."""
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(LoginThrottleRow)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(LoginThrottleRow)


def record_failure(db: Database, key: str, threshold: int, now: dt.datetime | None = None) -> int:
    """Count one failure of ``key`` atomically and block it with back-off; returns the count.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: concurrent failures each
    add one (a read-modify-write here let 48 parallel guesses through before the lock).
    """
    now = now or utcnow()
    table = LoginThrottleRow.__table__
    with db.session() as s:
        stmt = _insert(s).values(key=key, failures=1, last_failure=now, blocked_until=None)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((table.c.last_failure < now - FAILURE_WINDOW, 1), else_=table.c.failures + 1),
                "last_failure": now,
            },
        ).returning(table.c.failures)
        failures = int(s.execute(stmt).scalar_one())
        if failures >= threshold:
            until = now + backoff(failures, threshold)
            s.execute(
                update(LoginThrottleRow)
                .where(
                    LoginThrottleRow.key == key,
                    (LoginThrottleRow.blocked_until.is_(None)) | (LoginThrottleRow.blocked_until < until),
                )
                .values(blocked_until=until)
            )
    return failures


def failures(db: Database, key: str) -> int:
    """The current failure count of a throttle key (0 when none)."""
    with db.session() as s:
        return int(s.scalar(select(LoginThrottleRow.failures).where(LoginThrottleRow.key == key)) or 0)


def clear_throttle(db: Database, key: str | None = None) -> int:
    """Forget failures and blocks of ``key`` (every key when None): an administrator's reset."""
    with db.session() as s:
        q = delete(LoginThrottleRow)
        if key is not None:
            q = q.where(LoginThrottleRow.key == key)
        return int(dml_result(s.execute(q)).rowcount or 0)


def account_key(username: str) -> str:
    """The throttle key of an account name (existing or not)."""
    return _account_key(username)


def client_key(client: str) -> str:
    """The throttle key of a client address."""
    return _client_key(client)


def authenticate(
    db: Database,
    username: str,
    password: str,
    now: dt.datetime | None = None,
    *,
    client: str = "",
    trusted_device: bool = False,
) -> User:
    """The user if name and password match; otherwise :class:`AuthError`.

    ``client`` is the requesting address (throttled on its own); ``trusted_device`` says the
    browser proved an earlier login as this user (a signed device cookie), which lifts the
    account block — never the client block — so a stranger cannot lock the user out.
    A blocked key is refused before the password is checked (counted against the client only).
    """
    now = now or utcnow()
    name = (username or "").strip()
    raw = (password or "").encode("utf-8")
    akey, ckey = _account_key(name), _client_key(client)
    with db.session() as s:
        client_until = _blocked(s, ckey, now) if client else None
        account_until = None if trusted_device else _blocked(s, akey, now)
        row = s.get(UserRow, name) if name else None
        stored = row.password_hash.encode("ascii") if row is not None else None
        cost = _stored_cost(s)  # read on both paths: the same queries whether the name exists
    # A refused attempt checks no password, so it does not extend the account's block (the
    # real user retrying would lock herself out longer); it does count against the client.
    if client_until is not None:
        record_failure(db, ckey, CLIENT_MAX_FAILURES, now)
        raise AccountLocked(name, client_until, "client")
    if account_until is not None:
        if client:
            record_failure(db, ckey, CLIENT_MAX_FAILURES, now)
        raise AccountLocked(name, account_until)
    candidate = raw if 0 < len(raw) <= MAX_PASSWORD_BYTES else b"\0"
    if stored is None:
        bcrypt.checkpw(candidate, _dummy_hash(cost))  # the same work as a real check
        ok = False
    else:
        ok = bcrypt.checkpw(candidate, stored) and candidate == raw
    if ok:
        with db.session() as s:
            s.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == akey))
            current = s.get(UserRow, name)
            if current is None:  # deleted since its password was read a moment ago
                raise AuthError("用户名或密码错误。")
            return _user(current)
    count = record_failure(db, akey, MAX_FAILURES, now)
    if client:
        record_failure(db, ckey, CLIENT_MAX_FAILURES, now)
    if count >= MAX_FAILURES and not trusted_device:
        raise AccountLocked(name, now + backoff(count))
    raise AuthError("用户名或密码错误。")


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True, slots=True)
class LoginSession:
    """A live dashboard session (the token itself is only ever in the browser's cookie)."""

    id: str
    username: str
    created_at: dt.datetime
    expires_at: dt.datetime


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(db: Database, username: str, client: str = "", now: dt.datetime | None = None) -> str:
    """A new session for ``username``; returns the random token the cookie will carry."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        s.add(
            DashboardSessionRow(
                id=_session_id(token),
                username=username,
                created_at=now,
                last_seen=now,
                expires_at=now + SESSION_LIFETIME,
                client=(client or "")[:64],
            )
        )
        s.execute(delete(DashboardSessionRow).where(DashboardSessionRow.expires_at < now - dt.timedelta(days=7)))
    return token


def session_user(
    db: Database, token: str, now: dt.datetime | None = None, touch: bool = True
) -> tuple[LoginSession, User] | None:
    """The session and its user if ``token`` names a live one (not revoked, idle or expired)."""
    if not token:
        return None
    now = now or utcnow()
    sid = _session_id(token)
    with db.session() as s:
        row = s.get(DashboardSessionRow, sid)
        if row is None or row.revoked_at is not None or row.expires_at <= now or now - row.last_seen > SESSION_IDLE:
            return None
        user = s.get(UserRow, row.username)
        if user is None:
            return None
        if touch and now - row.last_seen > dt.timedelta(seconds=30):  # not one write per click
            row.last_seen = now
        return LoginSession(sid, row.username, row.created_at, row.expires_at), _user(user)


def end_session(db: Database, token: str, now: dt.datetime | None = None) -> None:
    """Log out: the session is revoked (its cookie, if replayed, is refused)."""
    if not token:
        return
    with db.session() as s:
        s.execute(
            update(DashboardSessionRow)
            .where(DashboardSessionRow.id == _session_id(token))
            .values(revoked_at=now or utcnow())
        )


def session_by_id(db: Database, sid: str, now: dt.datetime | None = None) -> tuple[LoginSession, User] | None:
    """Like :func:`session_user` for a session known by its id (a download prepared by it)."""
    now = now or utcnow()
    with db.session() as s:
        row = s.get(DashboardSessionRow, sid) if sid else None
        if row is None or row.revoked_at is not None or row.expires_at <= now or now - row.last_seen > SESSION_IDLE:
            return None
        user = s.get(UserRow, row.username)
        if user is None:
            return None
        return LoginSession(sid, row.username, row.created_at, row.expires_at), _user(user)
