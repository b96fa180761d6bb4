"""One coordinator per round: the round lease held by ``zwgk assess`` while it runs a round.

Two ``zwgk assess`` on one round and database used to run side by side: both crawled every
site, and the first to finish printed a ranking while the other was still writing.  Now
the process that runs a round (the in-process executor, or the Celery *coordinator*) holds
a lease row (``zwgk.storage.leases``) renewed by a heartbeat thread; another process
asking for the same round is refused at once, with the holder named.  Celery workers never
take it: they are the coordinator's executors, and ``zwgk worker`` serves whichever
coordinator feeds the queue.

A holder that died (``kill -9``, a lost machine) stops renewing; its lease is taken over
when it expires (``ZWGK_ROUND_LEASE_SECONDS``, default 60), or at once by a process on the
same host that sees the holder's pid is gone.  Resuming is safe because every stage of a
round is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from types import TracebackType

from zwgk.model import ZwgkError
from zwgk.storage import Database, utcnow
from zwgk.storage.leases import (
    LeaseHolder,
    LeaseInfo,
    acquire_round_lease,
    release_round_lease,
    renew_round_lease,
    take_over_round_lease,
)

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0


class RoundBusy(ZwgkError):
    """Another live process runs this round."""


def lease_seconds() -> float:
    """``ZWGK_ROUND_LEASE_SECONDS``: how long a lease outlives its holder's last heartbeat."""
    raw = os.environ.get("ZWGK_ROUND_LEASE_SECONDS", "").strip()
    if not raw:
        return DEFAULT_LEASE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1.0 <= value <= 86_400.0:
        raise ZwgkError(f"ZWGK_ROUND_LEASE_SECONDS={raw!r}: give seconds between 1 and 86400")
    return value


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ago(when: dt.datetime, now: dt.datetime) -> str:
    seconds = (now - when).total_seconds()
    return f"{seconds:.0f} s ago" if seconds >= 0 else f"in {-seconds:.0f} s"


class RoundLease:
    """``with RoundLease(db, name):`` — hold round ``name`` while the block runs.

    Raises :class:`RoundBusy` on entry when a live process holds it.  :meth:`ensure`
    raises if the lease was lost meanwhile (we stalled past its expiry and another process
    took over): call it before writing results that only the holder may write.
    """

    def __init__(self, db: Database, round_name: str, ttl: float | None = None) -> None:
        self.db = db
        self.round_name = round_name
        self.ttl = lease_seconds() if ttl is None else ttl
        host = socket.gethostname()
        started = utcnow().replace(microsecond=0).isoformat() + "Z"
        self.holder = LeaseHolder(
            token=uuid.uuid4().hex, owner=f"{host}/pid {os.getpid()}/started {started}", host=host, pid=os.getpid()
        )
        self.lost: str | None = None
        self.acquired = False
        self.took_over: LeaseInfo | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ acquire

    def acquire(self) -> None:
        current = acquire_round_lease(self.db, self.round_name, self.holder, self.ttl)
        if current is None:
            self.acquired = True
            return
        if current.host == self.holder.host and current.pid != os.getpid() and not _pid_alive(current.pid):
            # Its holder ran on this machine and its process is gone: no need to wait for expiry.
            if take_over_round_lease(self.db, self.round_name, current.token, self.holder, self.ttl):
                self.took_over = current
                self.acquired = True
                log.warning("round %s: took over the lease of %s (process gone)", self.round_name, current.owner)
                return
            current = acquire_round_lease(self.db, self.round_name, self.holder, self.ttl) or current
        now = utcnow()
        raise RoundBusy(
            f"round {self.round_name!r} is already being run by {current.owner} "
            f"(last heartbeat {_ago(current.heartbeat_at, now)}, lease expires {_ago(current.expires_at, now)}). "
            "Wait for it to finish or stop that process; if it died, run this again once its lease has "
            "expired (ZWGK_ROUND_LEASE_SECONDS) and it resumes the round. "
            "To add workers to a Celery round, start `zwgk worker` instead"
        )

    # ------------------------------------------------------------ heartbeat

    def _beat(self) -> None:
        interval = max(0.2, self.ttl / 3)
        while not self._stop.wait(interval):
            try:
                if not renew_round_lease(self.db, self.round_name, self.holder.token, self.ttl):
                    self.lost = "another process took the round over after our lease expired"
                    log.error("round %s: %s", self.round_name, self.lost)
                    return
            except Exception as exc:  # noqa: BLE001 — database briefly unreachable (any driver error): keep trying
                log.warning("round %s: cannot renew the lease (%s); retrying", self.round_name, exc)

    def ensure(self) -> None:
        """Refuse to go on when the lease is no longer ours."""
        if self.lost:
            raise ZwgkError(
                f"round {self.round_name!r}: {self.lost}; stopping without scoring — that process finishes the round"
            )

    # ------------------------------------------------------------ context

    def __enter__(self) -> RoundLease:
        if not self.acquired:
            self.acquire()
        self._thread = threading.Thread(target=self._beat, name=f"round lease {self.round_name}", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if self.lost:
            return
        try:
            release_round_lease(self.db, self.round_name, self.holder.token)
        except Exception as err:  # noqa: BLE001 — never mask the round's own outcome; the lease expires by itself
            log.warning(
                "round %s: could not release the lease (%s); it expires in %.0f s", self.round_name, err, self.ttl
            )
