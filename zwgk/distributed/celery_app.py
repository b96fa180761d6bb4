"""The Celery application of zwgk and its one task, ``crawl_site``.

Reliability settings, and why:

* ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is
  acknowledged only after the site is crawled and evaluated, so a worker
  that dies (SIGKILL, OOM, machine lost) leaves it to be delivered again;
* ``worker_prefetch_multiplier = 1``: a worker holds no more sites than it
  runs, so a dead worker strands at most its own running sites;
* ``visibility_timeout`` longer than any site crawl (Redis would otherwise
  hand a running site to a second worker); lost sites are found sooner by the
  coordinator through the task's lease (see :mod:`zwgk.distributed.leases`);
* endless broker reconnection: a Redis restart pauses workers, never stops them.

Broker and result backend come from ``ZWGK_BROKER`` (default
``redis://127.0.0.1:6379/0``); :func:`configure` switches them at run time.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery import Celery

from zwgk.distributed.config import QUEUE, TASK_NAME, Timings, resolve_broker

log = logging.getLogger(__name__)

app = Celery("zwgk")


def configure(broker: str | None = None, timings: Timings | None = None) -> Celery:
    """Point :data:`app` at ``broker`` (or ``ZWGK_BROKER``) with zwgk's reliability settings."""
    url = resolve_broker(broker)
    timings = timings or Timings.from_env()
    transport = {
        "visibility_timeout": int(timings.visibility_timeout),
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "retry_on_timeout": True,
        "health_check_interval": 10,
    }
    app.conf.update(
        broker_url=url,
        result_backend=url,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        task_ignore_result=True,  # the database is the record of results
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    app.conf.zwgk_timings = timings
    _redis_clients.clear()
    return app


_redis_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis:
    """A Redis client on the broker (for leases and host locks)."""
    url = app.conf.broker_url
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=10)
        _redis_clients[url] = client
    return client


def timings() -> Timings:
    return getattr(app.conf, "zwgk_timings", None) or Timings.from_env()


configure()


def _register_monitoring() -> None:
    """Workers also run the monitoring jobs that ``zwgk beat`` sends (zwgk.monitor.tasks)."""
    from zwgk.distributed.sitework import worker_db
    from zwgk.monitor.tasks import register_tasks

    register_tasks(app, worker_db)


_register_monitoring()


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def crawl_site(self: Any, round_id: int, unit_id: str, db_fingerprint: str) -> dict[str, Any]:
    """Crawl and evaluate one site of a round; safe to run any number of times.

    The message names the round's database by its fingerprint only; the worker uses the
    database of its own configuration and refuses the task if that is another one (the
    coordinator sees the refusal in Redis and stops the round at once with the reason).
    """
    from zwgk.distributed.keys import error_key, host_of, refused_key
    from zwgk.distributed.leases import SiteLease
    from zwgk.distributed.sitework import (
        ForeignDatabase,
        check_database,
        crawl_and_evaluate,
        prepared_round,
        shown_url,
        with_db_retry,
        worker_database,
        worker_db_url,
    )

    t = timings()
    shown = shown_url(worker_db_url())
    client = redis_client()
    try:
        with SiteLease(client, round_id, unit_id, lease=t.lease) as lease:
            db = with_db_retry(f"site {unit_id}", worker_database, t.db_retry, shown)
            try:
                what = f"site {unit_id} of round id {round_id}"
                with_db_retry(what, lambda: check_database(db, db_fingerprint, what), t.db_retry, shown)
            except ForeignDatabase as exc:
                log.error("%s", exc)
                try:
                    client.set(refused_key(str(db_fingerprint)[:64], round_id), str(exc)[:2000], ex=3600)
                except redis.exceptions.RedisError:
                    pass
                return {"unit_id": unit_id, "refused": str(exc)}
            prepared = with_db_retry(f"site {unit_id}", lambda: prepared_round(db, round_id), t.db_retry, shown)
            unit = next((u for u in prepared.units if u.unit_id == unit_id), None)
            lease.acquire_host(host_of(unit.site_url if unit else unit_id), t.host_lock_wait)
            result = with_db_retry(
                f"site {unit_id}", lambda: crawl_and_evaluate(db, round_id, unit_id), t.db_retry, shown
            )
        log.info("site %s of round %s: %s", unit_id, round_id, result)
        return result
    except Exception as exc:
        try:
            client.set(error_key(round_id, unit_id), f"{type(exc).__name__}: {exc}"[:2000], ex=7 * 86400)
        except redis.exceptions.RedisError:
            pass
        raise
