"""Names of the Redis keys distributed rounds use (besides Celery's own)."""

from __future__ import annotations

from urllib.parse import urlsplit

PREFIX = "zwgk:"


def alive_key(round_id: int, unit_id: str) -> str:
    """Exists (with a TTL) while a worker is working on this site."""
    return f"{PREFIX}alive:{round_id}:{unit_id}"


def error_key(round_id: int, unit_id: str) -> str:
    """The last error a worker hit on this site (for the coordinator's report)."""
    return f"{PREFIX}error:{round_id}:{unit_id}"


def refused_key(fingerprint: str, round_id: int) -> str:
    """Set by a worker that refused a task of this round (it serves another database)."""
    return f"{PREFIX}refused:{fingerprint}:{round_id}"


def host_lock_key(host: str) -> str:
    return f"{PREFIX}host:{host}"


def host_of(url: str) -> str:
    """The politeness key of a site: its host name, plus a non-default port.

    Two units on one host (departments under a portal's path) share the key, so
    only one worker at a time crawls that server.  The farm serves many sites on
    one loopback address with different ports; those are different servers.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or url).lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host
