"""The monitoring cycle as Celery tasks, for provinces running the Celery executor.

``register_tasks(app, worker_db)`` adds the four tasks that :func:`~zwgk.monitor.schedule.beat_schedule`
names; ``zwgk beat`` sends them and every ``zwgk worker`` runs them.  In Python::

    from zwgk.distributed.celery_app import app
    from zwgk.monitor.schedule import MonitorConfig, beat_schedule

    app.conf.beat_schedule = beat_schedule(MonitorConfig(db_fingerprint=…))

Messages carry no database URL (and so no password): a task runs on the database of
the worker's own configuration (``zwgk worker --db``, ``ZWGK_DB``), through the
worker process's one connection pool, so a task never leaves connections behind.
A message naming another database (``db_fingerprint``) is refused.  The worker's
database opener is handed in by the Celery app (``zwgk.distributed``), so the monitor does
not import the executor that runs it.  The job bodies are the same functions the
in-process scheduler runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zwgk.monitor.clock import SystemClock
from zwgk.monitor.schedule import (
    MonitorConfig,
    bulletin_job,
    latest_due,
    maintenance_job,
    next_monthly,
    next_quarter_start,
    next_yearly,
    probe_job,
    round_job,
)

log = logging.getLogger(__name__)

TASK_NAMES = ("zwgk.monitor.probe_pass", "zwgk.monitor.maintenance", "zwgk.monitor.round", "zwgk.monitor.bulletin")
LATE = dt.timedelta(minutes=10)  # a job starting later than this after its due time is a catch-up


def _config(**kw: Any) -> MonitorConfig:
    known = set(MonitorConfig.__dataclass_fields__)
    values = {k: v for k, v in kw.items() if k in known and v is not None}
    if "out_dir" in kw:
        values["bulletin_dir"] = Path(kw["out_dir"])
    if "formats" in kw:
        values["bulletin_formats"] = tuple(kw["formats"])
    if "keep_days" in kw:
        values["raw_keep_days"] = int(kw["keep_days"])
    return MonitorConfig(**values)


def _notifier(alerts_config: str | None):
    if not alerts_config:
        return None
    from zwgk.monitor.alerts import Notifier, load_alert_config

    return Notifier(load_alert_config(alerts_config))


def due_time(given: str | None, now: dt.datetime, schedule: Any, lookback: dt.timedelta, job: str) -> dt.datetime:
    """The due time a scheduled run belongs to: ``given``, else the latest due time ≤ now.

    Beat sends a crontab job missed while it was down once at start; working for the
    due time (not "now") keeps the round's name and as-of date those of the missed run.
    """
    if given:
        return dt.datetime.fromisoformat(given)
    due = latest_due(schedule, now, lookback) or now
    if now - due > LATE:
        log.warning("catching up %s due %s UTC (sent late: beat or the workers were down)", job, due)
    return due


def register_tasks(app: Any, worker_db: Callable[[str | None, str], Any]) -> dict[str, Any]:
    """Register the monitoring tasks on a Celery ``app``; returns them by name.

    ``worker_db(db_fingerprint, what)``: the worker's database (pooled, shared by its
    tasks), refusing a job of another one (``zwgk.distributed.sitework.worker_db``).
    """

    @app.task(name="zwgk.monitor.probe_pass", ignore_result=True)
    def probe_pass(db_fingerprint: str | None = None, alerts_config: str | None = None, **kw: Any) -> dict[str, int]:
        db = worker_db(db_fingerprint, "a probe pass")
        return probe_job(db, _config(**kw), SystemClock(), _notifier(alerts_config))

    @app.task(name="zwgk.monitor.maintenance", ignore_result=True)
    def maintenance(db_fingerprint: str | None = None, **kw: Any) -> int:
        db = worker_db(db_fingerprint, "probe maintenance")
        return maintenance_job(db, _config(**kw), SystemClock().now())

    @app.task(name="zwgk.monitor.round", ignore_result=True)
    def a_round(
        kind: str = "monthly",
        db_fingerprint: str | None = None,
        alerts_config: str | None = None,
        due: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        db = worker_db(db_fingerprint, f"the {kind} round")
        config = _config(**kw)
        clock = SystemClock()
        if kind == "annual":
            schedule, lookback = (
                (lambda t: next_yearly(t, config.annual_month, config.annual_day)),
                dt.timedelta(days=367),
            )
        else:
            schedule, lookback = (lambda t: next_monthly(t, config.round_day)), dt.timedelta(days=32)
        when = due_time(due, clock.now(), schedule, lookback, f"{kind} round")
        return round_job(db, config, kind, when, clock, _notifier(alerts_config))

    @app.task(name="zwgk.monitor.bulletin", ignore_result=True)
    def bulletin(db_fingerprint: str | None = None, due: str | None = None, **kw: Any) -> list[str]:
        db = worker_db(db_fingerprint, "the quarterly bulletin")
        when = due_time(due, SystemClock().now(), next_quarter_start, dt.timedelta(days=93), "quarterly bulletin")
        return bulletin_job(db, _config(**kw), when)

    return {t.name: t for t in (probe_pass, maintenance, a_round, bulletin)}
