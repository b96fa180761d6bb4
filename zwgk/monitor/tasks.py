"""The monitoring cycle as Celery tasks, for provinces running the Celery executor.

``register_tasks(app)`` adds the four tasks that :func:`~zwgk.monitor.schedule.beat_schedule`
names; a deployment does::

    from zwgk.distributed.celery_app import app
    from zwgk.monitor.schedule import MonitorConfig, beat_schedule
    from zwgk.monitor.tasks import register_tasks

    register_tasks(app)
    app.conf.beat_schedule = beat_schedule(MonitorConfig(db_url="postgresql+psycopg://…"))

and runs ``celery -A … beat`` beside the workers.  Each task opens the
database named in its kwargs and uses the system clock; the job bodies are
the same functions the in-process scheduler runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from zwgk.monitor.clock import SystemClock
from zwgk.monitor.schedule import (
    MonitorConfig,
    bulletin_job,
    maintenance_job,
    probe_job,
    round_job,
)

TASK_NAMES = ("zwgk.monitor.probe_pass", "zwgk.monitor.maintenance", "zwgk.monitor.round", "zwgk.monitor.bulletin")


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


def register_tasks(app: Any) -> dict[str, Any]:
    """Register the monitoring tasks on a Celery ``app``; returns them by name."""
    from zwgk.storage import Database

    @app.task(name="zwgk.monitor.probe_pass", ignore_result=True)
    def probe_pass(db_url: str | None = None, alerts_config: str | None = None, **kw: Any) -> dict[str, int]:
        return probe_job(Database.open(db_url), _config(**kw), SystemClock(), _notifier(alerts_config))

    @app.task(name="zwgk.monitor.maintenance", ignore_result=True)
    def maintenance(db_url: str | None = None, **kw: Any) -> int:
        clock = SystemClock()
        return maintenance_job(Database.open(db_url), _config(**kw), clock.now())

    @app.task(name="zwgk.monitor.round", ignore_result=True)
    def a_round(kind: str = "monthly", db_url: str | None = None, alerts_config: str | None = None,
                due: str | None = None, **kw: Any) -> dict[str, Any]:
        clock = SystemClock()
        when = dt.datetime.fromisoformat(due) if due else clock.now()
        return round_job(Database.open(db_url), _config(**kw), kind, when, clock, _notifier(alerts_config))

    @app.task(name="zwgk.monitor.bulletin", ignore_result=True)
    def bulletin(db_url: str | None = None, due: str | None = None, **kw: Any) -> list[str]:
        when = dt.datetime.fromisoformat(due) if due else SystemClock().now()
        return bulletin_job(Database.open(db_url), _config(**kw), when)

    return {t.name: t for t in (probe_pass, maintenance, a_round, bulletin)}
