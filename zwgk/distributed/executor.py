"""``zwgk assess --executor celery``: the coordinator of a distributed round.

The coordinator prepares the round, feeds one ``crawl_site`` task per site to
the Redis queue, watches the database (the record of truth) for sites that
are done, re-dispatches sites whose task was lost, then evaluates, scores and
ranks exactly like the in-process executor (``finish_round``).

A task is *lost* when, for one lease, it is neither waiting in the queue nor
running (a running task keeps an "alive" key fresh): its worker was killed,
or Redis restarted and dropped the queue.  Re-dispatching is safe because a
site's work is idempotent; a site whose task keeps failing is recorded as
not measured (``failed``) with the worker's error, and the round goes on.

Politeness: at most one task per host is dispatched at a time (and the task
holds a Redis lock on its host), so one server is never crawled by two
workers at once.  The number of tasks in the broker is bounded (``window``),
which keeps checks cheap even for the national round of 13,000+ sites.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis

from zwgk.distributed.config import QUEUE, TASK_NAME, Timings
from zwgk.distributed.keys import alive_key, error_key, host_of, refused_key
from zwgk.distributed.sitework import DONE_STATES, with_db_retry
from zwgk.model import Unit, ZwgkError

log = logging.getLogger(__name__)

ProgressFn = Callable[[dict[str, Any]], None]
T = TypeVar("T")
_REDIS_ERRORS = (redis.exceptions.RedisError, OSError)


@dataclass(slots=True)
class Dispatch:
    """A site handed to the workers and what we last saw of it."""

    unit: Unit
    host: str
    task_id: str
    last_life: float
    started: bool = False


class CeleryExecutor:
    """The application layer's executor (``zwgk.app.Executor``) for a round run on Celery workers.

    Workers crawl *and evaluate* each site (``zwgk.app.crawl_and_evaluate_site``);
    :meth:`crawl` returns the sites they evaluated during this run, so the round's
    ``finish_round`` evaluates only the rest (a site the coordinator gave up on, or one
    crawled by an earlier run).  Database steps are retried while the database is briefly
    locked or unreachable.
    """

    def __init__(
        self,
        broker: str | None = None,
        *,
        window: int = 256,
        poll_interval: float = 1.0,
        max_failures: int = 3,
        timings: Timings | None = None,
    ) -> None:
        from zwgk.distributed.celery_app import configure

        configure(broker, timings)
        self.t = timings or Timings.from_env()
        self.window = window
        self.poll_interval = poll_interval
        self.max_failures = max_failures

    def db_step(self, what: str, step: Callable[[], T], db: Any) -> T:
        return with_db_retry(what, step, self.t.db_retry, db.url)

    def crawl(self, db: Any, prepared: Any, progress: ProgressFn | None) -> dict[str, int]:
        from zwgk.distributed.celery_app import redis_client

        coordinator = Coordinator(
            db,
            prepared,
            redis_client(),
            self.t,
            window=self.window,
            poll_interval=self.poll_interval,
            max_failures=self.max_failures,
            progress=progress,
        )
        coordinator.run()
        return coordinator.evaluated()


def run_round_celery(
    db: Any,
    opts: Any,
    progress: ProgressFn | None = None,
    broker: str | None = None,
    *,
    window: int = 256,
    poll_interval: float = 1.0,
    max_failures: int = 3,
    timings: Timings | None = None,
) -> Any:
    """Run (or resume) round ``opts.name`` on Celery workers; returns the :class:`RoundResult`.

    Workers are started separately (``zwgk worker --broker URL``); this
    process only coordinates (it holds the round's lease; workers need none).
    Killing it loses nothing: run it again and it resumes from the database.
    """
    from zwgk.app import run_round
    from zwgk.monitor.history import probe_history

    executor = CeleryExecutor(
        broker, window=window, poll_interval=poll_interval, max_failures=max_failures, timings=timings
    )
    return run_round(db, opts, progress, executor=executor, history=probe_history)


class Coordinator:
    """Feeds, watches and re-dispatches the site tasks of one round."""

    def __init__(
        self,
        db: Any,
        prepared: Any,
        client: redis.Redis,
        timings: Timings,
        *,
        window: int,
        poll_interval: float,
        max_failures: int,
        progress: ProgressFn | None,
    ) -> None:
        from zwgk.distributed.celery_app import app

        self.app = app
        self.db = db
        self.prepared = prepared
        self.round_id = prepared.info.id
        self.client = client
        self.t = timings
        self.window = max(1, window)
        self.poll = poll_interval
        self.max_failures = max(1, max_failures)
        self.emit = progress or (lambda event: None)
        from zwgk.storage.identity import database_fingerprint

        # Messages name the database by fingerprint only: never a URL, never a password.
        self.fingerprint = with_db_retry(
            "read the database id", lambda: database_fingerprint(db), timings.db_retry, db.url
        )
        self.refused_at = refused_key(self.fingerprint, self.round_id)
        self.pending: deque[Unit] = deque()
        self.outstanding: dict[str, Dispatch] = {}
        self.busy_hosts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.dispatches = 0
        self.dispatched: set[str] = set()  # sites sent to a worker in this run
        self.broker_ok = True

    # ------------------------------------------------------------ database

    def _states(self) -> dict[str, str]:
        from zwgk.storage.snapshot import site_states

        return with_db_retry("watch round", lambda: site_states(self.db, self.round_id), self.t.db_retry, self.db.url)

    # ------------------------------------------------------------ broker

    def _send(self, unit: Unit) -> bool:
        task_id = f"zwgk-{self.round_id}-{unit.unit_id}-{uuid.uuid4().hex[:12]}"
        try:
            self.app.send_task(
                TASK_NAME,
                args=[self.round_id, unit.unit_id, self.fingerprint],
                queue=QUEUE,
                task_id=task_id,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0},
            )
        except Exception as exc:  # noqa: BLE001 — kombu's OperationalError / ConnectionError and kin: not queued, sent later
            self._broker_down(exc)
            return False
        self.dispatches += 1
        self.dispatched.add(unit.unit_id)
        host = host_of(unit.site_url)
        self.outstanding[unit.unit_id] = Dispatch(unit, host, task_id, time.monotonic())
        self.busy_hosts[host] += 1
        return True

    def _broker_down(self, exc: BaseException) -> None:
        if self.broker_ok:
            log.warning("broker unreachable, will keep retrying: %s", exc)
            self.emit({"stage": "broker_down", "error": str(exc)})
        self.broker_ok = False

    def _fill(self) -> None:
        """Dispatch pending sites up to the window, one per host at a time."""
        for _ in range(min(len(self.pending), self.window * 4)):
            if len(self.outstanding) >= self.window:
                return
            unit = self.pending.popleft()
            if self.busy_hosts[host_of(unit.site_url)]:
                self.pending.append(unit)  # its host is being crawled: later
                continue
            if not self._send(unit):
                self.pending.appendleft(unit)
                return

    def _broker_view(self) -> tuple[set[str], set[str]] | None:
        """(unit ids with a live task, task ids waiting in the queue); None when Redis is down."""
        ids = list(self.outstanding)
        try:
            pipe = self.client.pipeline(transaction=False)
            for uid in ids:
                pipe.exists(alive_key(self.round_id, uid))
            pipe.get(self.refused_at)
            pipe.lrange(QUEUE, 0, -1)
            replies = pipe.execute()
        except _REDIS_ERRORS as exc:
            self._broker_down(exc)
            return None
        if not self.broker_ok:
            self.emit({"stage": "broker_up"})
        self.broker_ok = True
        if replies[-2]:
            self._refused(replies[-2].decode("utf-8", "replace"))
        alive = {uid for uid, there in zip(ids, replies[:-2]) if there}
        queued: set[str] = set()
        for raw in replies[-1]:
            try:
                queued.add(json.loads(raw)["headers"]["id"])
            except (ValueError, KeyError, TypeError):
                continue
        return alive, queued

    def _refused(self, reason: str) -> None:
        """A worker serves another database: stop at once (nothing would ever run), say why.

        The round's queued messages are taken back so that they are not refused again;
        the round stays resumable: run the same command once workers serve its database.
        """
        try:
            prefix = f"zwgk-{self.round_id}-"
            for raw in self.client.lrange(QUEUE, 0, -1):
                try:
                    task_id = json.loads(raw)["headers"]["id"]
                except (ValueError, KeyError, TypeError):
                    continue
                if task_id.startswith(prefix) and task_id in {d.task_id for d in self.outstanding.values()}:
                    self.client.lrem(QUEUE, 1, raw)  # type: ignore[arg-type]  # redis-py sends bytes as is; its stub says str
            self.client.delete(self.refused_at)
        except _REDIS_ERRORS:
            pass
        self.emit({"stage": "refused", "reason": reason})
        raise ZwgkError(
            f"round {self.prepared.info.name!r} was refused by the workers: {reason} "
            f"(this round's database is {self.db.url}, fingerprint {self.fingerprint})"
        )

    def _last_error(self, unit_id: str) -> str:
        try:
            value = self.client.get(error_key(self.round_id, unit_id))
        except _REDIS_ERRORS:
            return ""
        if isinstance(value, bytes):  # the client does not decode responses
            return value.decode("utf-8", "replace")
        return value or ""

    # ------------------------------------------------------------ life cycle

    def _done(self, uid: str, state: str) -> None:
        d = self.outstanding.pop(uid)
        self.busy_hosts[d.host] -= 1
        if self.busy_hosts[d.host] <= 0:
            del self.busy_hosts[d.host]
        stage = "site_failed" if state == "failed" else "site_done"
        self.emit({"stage": stage, "unit_id": uid, "total": len(self.prepared.units)})

    def _reset(self, uid: str) -> None:
        from zwgk.storage.snapshot import reset_site

        with_db_retry(f"site {uid}", lambda: reset_site(self.db, self.round_id, uid), self.t.db_retry, self.db.url)

    def _give_up(self, uid: str, reason: str) -> None:
        from zwgk.storage.snapshot import finish_site, reset_site

        def mark() -> None:
            reset_site(self.db, self.round_id, uid)
            finish_site(self.db, self.round_id, uid, "failed", reason=reason)

        with_db_retry(f"site {uid}", mark, self.t.db_retry, self.db.url)
        self._done(uid, "failed")

    def _lost(self, d: Dispatch, now: float) -> None:
        uid = d.unit.unit_id
        error = self._last_error(uid)
        if d.started or error:
            self.failures[uid] += 1
        if self.failures[uid] >= self.max_failures:
            reason = f"worker failed {self.failures[uid]} times on this site: {error or 'worker lost (killed?)'}"
            self.emit({"stage": "site_gave_up", "unit_id": uid, "reason": reason})
            self._give_up(uid, reason[:1000])
            return
        self.emit({"stage": "site_retry", "unit_id": uid, "reason": error or "task lost"})
        try:
            self.client.delete(error_key(self.round_id, uid))  # a stale error must not count twice
        except _REDIS_ERRORS:
            pass
        self.outstanding.pop(uid)
        self.busy_hosts[d.host] -= 1
        if self.busy_hosts[d.host] <= 0:
            del self.busy_hosts[d.host]
        self.pending.appendleft(d.unit)

    def evaluated(self) -> dict[str, int]:
        """Sites a worker of this run crawled and evaluated: unit_id → findings stored."""
        from zwgk.storage.snapshot import evaluated_sites

        marked = with_db_retry(
            "read evaluated sites", lambda: evaluated_sites(self.db, self.round_id), self.t.db_retry, self.db.url
        )
        return {uid: n for uid, n in marked.items() if uid in self.dispatched}

    def run(self) -> None:
        units = self.prepared.units
        try:
            self.client.delete(self.refused_at)  # a refusal from an earlier attempt is no news
        except _REDIS_ERRORS:
            pass
        states = self._states()
        self.emit({"stage": "crawl", "total": len(units), "executor": "celery"})
        for unit in units:
            state = states.get(unit.unit_id)
            if state in ("crawled", "evaluated"):
                self.emit({"stage": "site_skipped", "unit_id": unit.unit_id, "total": len(units)})
                continue
            if state == "failed":
                # Like the in-process crawler: a resumed round tries failed sites again.
                self._reset(unit.unit_id)
            self.pending.append(unit)
        lost_after = max(self.t.lease, 2 * self.poll)
        while self.pending or self.outstanding:
            self._fill()
            time.sleep(self.poll)
            states = self._states()
            view = self._broker_view()
            now = time.monotonic()
            for uid, d in list(self.outstanding.items()):
                alive = view is not None and uid in view[0]
                state = states.get(uid)
                if state in DONE_STATES and not alive:
                    self._done(uid, state)
                    continue
                if view is None or alive or d.task_id in view[1]:
                    d.last_life = now  # running, queued, or we cannot tell (broker down)
                    d.started = d.started or alive
                    continue
                if now - d.last_life > lost_after:
                    self._lost(d, now)
