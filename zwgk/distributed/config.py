"""Where the broker is and the timings of distributed rounds.

Every knob has an environment variable so that a worker started by systemd
and the coordinator (``zwgk assess --executor celery``) agree without flags.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
QUEUE = "zwgk"  # the one Celery queue site tasks go to
TASK_NAME = "zwgk.crawl_site"


def resolve_broker(broker: str | None = None) -> str:
    """``--broker`` wins, then ``ZWGK_BROKER``, then the local Redis."""
    url = broker or os.environ.get("ZWGK_BROKER") or DEFAULT_BROKER
    if not url.startswith(("redis://", "rediss://", "unix://")):
        from zwgk.model import ZwgkError

        raise ZwgkError(f"broker {url!r} is not a Redis URL; write redis://HOST:PORT/DB")
    return url


def masked(url: str) -> str:
    """``url`` with its password replaced by ``***``, for logs and banners (journald keeps them)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        from zwgk.model import ZwgkError

        raise ZwgkError(f"environment variable {name}={value!r} is not a number of seconds") from None


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds that decide how fast a lost task or a dead lock is noticed.

    lease: a running task refreshes its "alive" key and its host lock this
      often ×3; a killed worker's site is re-dispatched after this long.
    visibility_timeout: Redis redelivers an unacknowledged message after this
      long; it must exceed the longest site crawl (a polite crawl of a big site
      takes hours), which is why lost tasks are found by the lease instead.
    host_lock_wait: how long a task waits for another worker to finish the
      same host before giving up (the coordinator then re-dispatches it).
    db_retry: how long a database that is locked or unreachable is retried
      before the round stops with a clear error.
    """

    lease: float = 30.0
    visibility_timeout: float = 6 * 3600.0
    host_lock_wait: float = 1800.0
    db_retry: float = 60.0

    @classmethod
    def from_env(cls) -> Timings:
        d = cls()
        return cls(
            lease=_env_float("ZWGK_LEASE_SECONDS", d.lease),
            visibility_timeout=_env_float("ZWGK_VISIBILITY_TIMEOUT", d.visibility_timeout),
            host_lock_wait=_env_float("ZWGK_HOST_LOCK_WAIT", d.host_lock_wait),
            db_retry=_env_float("ZWGK_DB_RETRY_SECONDS", d.db_retry),
        )
