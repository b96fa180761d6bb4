"""A running site task's lease: an "alive" key and the site's host lock.

Both live in Redis with a short TTL that a heartbeat thread keeps extending,
so a worker killed with SIGKILL leaves nothing behind for longer than one
lease: its host becomes free again and the coordinator sees the site is no
longer worked on.  Redis being down for a while only pauses the heartbeat;
the task itself keeps crawling and writes to the database as usual.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from types import TracebackType

import redis

from zwgk.distributed.keys import alive_key, host_lock_key
from zwgk.model import ZwgkError

log = logging.getLogger(__name__)

_REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


_EXTEND = """
local cur = redis.call('get', KEYS[1])
if cur == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not cur then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
return 0
"""


class HostBusy(ZwgkError):
    """Another worker kept the host for longer than we were willing to wait."""


class SiteLease:
    """Show that a site is being worked on, and hold its host while crawling it.

    Use as a context manager around the whole task; call :meth:`acquire_host`
    before crawling.  The host lock is a token compare-and-delete lock (only
    its owner releases it), acquired by polling so that a Redis restart
    during the wait is survived.
    """

    def __init__(self, client: redis.Redis, round_id: int, unit_id: str, *, lease: float) -> None:
        self.client = client
        self.alive = alive_key(round_id, unit_id)
        self.lock = ""
        self.host = ""
        self.lease_ms = max(1000, int(lease * 1000))
        self.token = f"{socket.gethostname()}:{uuid.uuid4().hex}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.holding = False

    # ------------------------------------------------------------ heartbeat

    def _beat(self) -> None:
        """Refresh the alive key and (re)take our host lock; tolerate Redis outages."""
        try:
            self.client.set(self.alive, self.token, px=self.lease_ms)
            if self.holding:
                # Extend our own lock; after a Redis restart the key is gone: take it back.
                self.client.eval(_EXTEND, 1, self.lock, self.token, self.lease_ms)
        except _REDIS_ERRORS as exc:
            log.warning("redis unreachable during heartbeat of %s: %s", self.alive, exc)

    def _run(self) -> None:
        interval = self.lease_ms / 3000.0
        while not self._stop.wait(interval):
            self._beat()

    # ------------------------------------------------------------ context

    def __enter__(self) -> SiteLease:
        """Start showing life at once: before the database is even opened."""
        self._beat()
        self._thread = threading.Thread(target=self._run, name=f"lease {self.alive}", daemon=True)
        self._thread.start()
        return self

    def acquire_host(self, host: str, wait: float) -> None:
        """Wait (up to ``wait`` s) until no other worker crawls ``host``, then hold it."""
        self.host = host
        self.lock = host_lock_key(host)
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            try:
                if self.client.set(self.lock, self.token, px=self.lease_ms, nx=True):
                    self.holding = True
                    return
            except _REDIS_ERRORS as exc:
                log.warning("redis unreachable while locking host %s: %s", host, exc)
            if time.monotonic() >= deadline:
                raise HostBusy(f"host {host} stayed busy with another worker for {wait:.0f}s")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        try:
            if self.holding:
                # compare-and-delete: never release a lock someone else took after ours expired
                self.client.eval(
                    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                    1,
                    self.lock,
                    self.token,
                )
            self.client.delete(self.alive)
        except _REDIS_ERRORS as exc:
            log.warning("redis unreachable while releasing %s: %s (it expires by itself)", self.lock, exc)
        self.holding = False
