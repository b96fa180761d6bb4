"""The dashboard's cookies: a signed, expiring session cookie and a "this browser logged in before" cookie.

Both are signed with :mod:`itsdangerous` (a well-kept library; nothing home-made) with a
secret that survives restarts (:func:`secret`), and set ``HttpOnly; SameSite=Strict`` so
page scripts and other sites never see or send them.  The session cookie carries only a
random token; the server keeps the token's hash with the user, the absolute expiry and the
revocation (``zwgk.storage.users``), so a cookie is worth nothing once its session ended.

The device cookie (OWASP "device cookies") lists the users who logged in from this browser;
it lifts the per-account login block for them, so strangers typing a leader's name cannot
lock her out (the per-client limit still applies to everyone).
"""

from __future__ import annotations

import hashlib
import os
import secrets as _secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from zwgk.storage import users

SESSION_COOKIE = "zwgk_session"
DEVICE_COOKIE = "zwgk_device"
CSRF_COOKIE = "zwgk_csrf"
DEVICE_DAYS = 90
SECRET_ENV = "ZWGK_DASHBOARD_SECRET"
_lock = threading.Lock()
_cached: str | None = None


def _secret_file(db_url: str) -> Path:
    """Beside a SQLite database (one secret per database), else in the user's config dir."""
    if db_url.startswith("sqlite:///") and db_url != "sqlite:///:memory:":
        return Path(db_url[len("sqlite:///") :]).resolve().with_name("dashboard-secret")
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "zwgk" / "dashboard-secret"


def secret(db_url: str) -> str:
    """The signing secret: ``$ZWGK_DASHBOARD_SECRET``, else a random one kept in a 0600 file.

    Kept on disk so logins survive a restart of ``zwgk dashboard``; several dashboard
    processes of one team must share it (set the variable).
    """
    global _cached
    with _lock:
        if _cached:
            return _cached
        value = os.environ.get(SECRET_ENV, "").strip()
        if not value:
            path = _secret_file(db_url)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(_secrets.token_urlsafe(48))
            value = path.read_text().strip()
        _cached = value
        return value


def _serializer(db_url: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret(db_url), salt=salt)


def sign_session(db_url: str, token: str) -> str:
    return _serializer(db_url, "zwgk-session").dumps(token)


def session_token(db_url: str, cookies: Mapping[str, str]) -> str:
    """The session token from a request's cookies, or "" (absent, forged or older than a session may live)."""
    raw = cookies.get(SESSION_COOKIE, "")
    if not raw:
        return ""
    try:
        value = _serializer(db_url, "zwgk-session").loads(raw, max_age=int(users.SESSION_LIFETIME.total_seconds()))
    except BadSignature:
        return ""
    return value if isinstance(value, str) else ""


def sign_device(db_url: str, names: list[str]) -> str:
    return _serializer(db_url, "zwgk-device").dumps(sorted(set(names))[-20:])


def device_users(db_url: str, cookies: Mapping[str, str]) -> list[str]:
    raw = cookies.get(DEVICE_COOKIE, "")
    if not raw:
        return []
    try:
        value = _serializer(db_url, "zwgk-device").loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def session_id(token: str) -> str:
    """What a session is known by outside the cookie (the same hash the database keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class DownloadRegistry:
    """Which session produced which download (by the file's SHA-256), for a short while.

    Streamlit serves a prepared download from ``/media/<id>`` to anyone holding the URL;
    the dashboard's front (``zwgk.dashboard.server``) serves it only to the browser whose
    live session made it, so a leaked link, or one kept past a user's removal, fails.
    """

    TTL = 600.0

    def __init__(self) -> None:
        self._by_digest: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def add(self, data: bytes, sid: str) -> None:
        now = time.monotonic()
        with self._lock:
            live = {}
            for digest, owners in self._by_digest.items():
                kept = {s: t for s, t in owners.items() if t > now}
                if kept:
                    live[digest] = kept
            live.setdefault(hashlib.sha256(data).hexdigest(), {})[sid] = now + self.TTL
            self._by_digest = live

    def allowed(self, data: bytes, sid: str) -> bool:
        """True if the session ``sid`` produced this file within :attr:`TTL`."""
        with self._lock:
            owners = self._by_digest.get(hashlib.sha256(data).hexdigest(), {})
            return owners.get(sid, 0.0) > time.monotonic()


DOWNLOADS = DownloadRegistry()
