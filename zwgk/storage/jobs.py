"""Runs of scheduled monitoring jobs (``monitor_job_runs``), for catch-up after downtime."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from zwgk.storage.db import Database
from zwgk.storage.tables import MonitorJobRunRow, utcnow


def start_job_run(db: Database, job: str, due: dt.datetime, *, caught_up: bool = False) -> int:
    """Record that ``job`` (due at ``due``) started; returns the run's id."""
    with db.session() as s:
        row = MonitorJobRunRow(job=job, due=due, started_at=utcnow(), ok=False, caught_up=caught_up, error="")
        s.add(row)
        s.flush()
        return row.id


def finish_job_run(db: Database, run_id: int, ok: bool, error: str = "") -> None:
    with db.session() as s:
        row = s.get(MonitorJobRunRow, run_id)
        if row is not None:
            row.finished_at = utcnow()
            row.ok = ok
            row.error = error[:4000]


def last_job_due(db: Database, job: str) -> dt.datetime | None:
    """The latest due time for which ``job`` finished successfully (None: never)."""
    with db.session() as s:
        return s.scalar(
            select(func.max(MonitorJobRunRow.due)).where(MonitorJobRunRow.job == job, MonitorJobRunRow.ok.is_(True))
        )


def first_job_run(db: Database) -> dt.datetime | None:
    """When any monitoring job first ran here: the monitor was deployed by then."""
    with db.session() as s:
        return s.scalar(select(func.min(MonitorJobRunRow.due)))


def job_runs(db: Database, job: str | None = None) -> list[MonitorJobRunRow]:
    with db.session() as s:
        q = select(MonitorJobRunRow).order_by(MonitorJobRunRow.due, MonitorJobRunRow.id)
        if job is not None:
            q = q.where(MonitorJobRunRow.job == job)
        return list(s.scalars(q))
