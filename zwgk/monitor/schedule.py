"""The 日监测 + 月检查 + 季通报 + 年考核 cycle on a small deterministic scheduler.

Why our own scheduler: with an injectable :class:`~zwgk.monitor.clock.Clock`
it runs a simulated quarter in seconds and always in the same order, and it
adds no dependency.  When the Celery executor is in use the same jobs are
expressed as a Celery beat schedule (:func:`beat_schedule`).

Jobs (all times UTC, configurable in :class:`MonitorConfig`):
  probes      ``probes_per_day`` passes a day at evenly spread times
              (20/day → every 72 min), offset by ``probe_offset_minutes``
  maintenance daily 00:30: fold raw probes older than 30 days into daily rows
  monthly     1st of each month, 02:00: a full round ``monthly-YYYY-MM``
  bulletin    1st day of each quarter, 01:00: the previous quarter's 季通报
              (before that day's monthly round, which belongs to the new quarter)
  annual      ``annual_month``/``annual_day`` 03:00: the round ``annual-YYYY``
              whose scores are the year's performance component
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.model import ZwgkError
from zwgk.monitor.clock import Clock
from zwgk.storage import Database

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------ schedules


def daily_times(per_day: int, offset_minutes: float = 0.0) -> list[dt.timedelta]:
    """``per_day`` evenly spread times of day (offsets from midnight)."""
    if per_day < 1:
        raise ZwgkError(f"probes per day must be at least 1, got {per_day}")
    step = dt.timedelta(days=1) / per_day
    offset = dt.timedelta(minutes=offset_minutes) % step if offset_minutes else dt.timedelta(0)
    return [offset + step * i for i in range(per_day)]


def next_daily(after: dt.datetime, times: list[dt.timedelta]) -> dt.datetime:
    """The first of the daily ``times`` strictly after ``after``."""
    day = dt.datetime.combine(after.date(), dt.time())
    for _ in range(3):
        for t in times:
            if day + t > after:
                return day + t
        day += dt.timedelta(days=1)
    raise AssertionError("unreachable")


def next_monthly(after: dt.datetime, day: int = 1, at: dt.time = dt.time(2)) -> dt.datetime:
    y, m = after.year, after.month
    for _ in range(3):
        candidate = dt.datetime.combine(dt.date(y, m, day), at)
        if candidate > after:
            return candidate
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    raise AssertionError("unreachable")


def next_quarter_start(after: dt.datetime, at: dt.time = dt.time(1)) -> dt.datetime:
    y = after.year
    for year in (y, y + 1):
        for month in (1, 4, 7, 10):
            candidate = dt.datetime.combine(dt.date(year, month, 1), at)
            if candidate > after:
                return candidate
    raise AssertionError("unreachable")


def next_yearly(after: dt.datetime, month: int, day: int, at: dt.time = dt.time(3)) -> dt.datetime:
    for year in (after.year, after.year + 1):
        candidate = dt.datetime.combine(dt.date(year, month, day), at)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable")


def latest_due(
    next_after: Callable[[dt.datetime], dt.datetime | None], at: dt.datetime, lookback: dt.timedelta
) -> dt.datetime | None:
    """The latest due time of a schedule at or before ``at`` (looking back ``lookback``)."""
    last = None
    due = next_after(at - lookback)
    while due is not None and due <= at:
        last = due
        due = next_after(due)
    return last


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(day: dt.date) -> str:
    q = (day.month - 1) // 3 + 1
    return f"{day.year - 1}Q4" if q == 1 else f"{day.year}Q{q - 1}"


# ------------------------------------------------------------------------ scheduler


@dataclass(slots=True)
class Job:
    """A named job: ``next_after(t)`` gives its next due time, ``run(due)`` does the work."""

    name: str
    next_after: Callable[[dt.datetime], dt.datetime | None]  # None: no further runs
    run: Callable[[dt.datetime], Any]
    due: dt.datetime | None = None
    catch_up: dt.timedelta | None = None  # look back this far for a due time missed while down
    caught_up: bool = False  # ``due`` is a missed time being run late


@dataclass(slots=True)
class JobRun:
    job: str
    due: dt.datetime
    ok: bool
    error: str = ""
    result: Any = None
    seconds: float = 0.0  # wall time the job took
    caught_up: bool = False  # run late, for a due time missed while the monitor was down


class Scheduler:
    """Runs jobs in due-time order on a clock; a failing job is logged and the cycle goes on.

    With ``db`` every run is recorded (``monitor_job_runs``) and, on start, a job with
    ``catch_up`` whose latest due time passed while the monitor was down (it ran here
    before that time, but this job has no successful run for it) is run once at once:
    an outage at 02:00 on the 1st does not lose that month's 月检查.
    """

    def __init__(self, clock: Clock, jobs: list[Job], db: Database | None = None):
        self.clock = clock
        self.jobs = list(jobs)
        self.history: list[JobRun] = []
        self.db = db
        now = clock.now()
        for job in self.jobs:
            job.due = job.next_after(now)
        if db is not None:
            self._catch_up(db, now)

    def _catch_up(self, db: Database, now: dt.datetime) -> None:
        from zwgk.storage.jobs import first_job_run, last_job_due

        deployed = first_job_run(db)
        if deployed is None:
            return  # a first start: nothing was missed, the monitor was not running
        for job in self.jobs:
            if job.catch_up is None:
                continue
            missed = latest_due(job.next_after, now, job.catch_up)
            if missed is None or missed < deployed:
                continue
            done = last_job_due(db, job.name)
            if done is not None and done >= missed:
                continue
            log.warning("catching up job %s due %s UTC: it was missed while the monitor was down", job.name, missed)
            job.due, job.caught_up = missed, True

    def next_job(self) -> Job | None:
        pending = [j for j in self.jobs if j.due is not None]
        if not pending:
            return None
        # earliest first; at equal times in the order the jobs were given (deterministic)
        return min(pending, key=lambda j: (j.due, self.jobs.index(j)))

    def run(
        self, until: dt.datetime | None = None, stop: threading.Event | None = None, max_runs: int | None = None
    ) -> list[JobRun]:
        """Run due jobs until ``until`` (exclusive), ``stop`` is set, or ``max_runs`` jobs ran."""
        runs: list[JobRun] = []
        while not (stop is not None and stop.is_set()) and (max_runs is None or len(runs) < max_runs):
            job = self.next_job()
            due = job.due if job is not None else None  # next_job() gives only a job with a due time
            if job is None or due is None or (until is not None and due >= until):
                if until is not None:
                    self.clock.sleep_until(until)
                break
            self.clock.sleep_until(due)
            if stop is not None and stop.is_set():
                break
            began = time.perf_counter()
            run_id = self._record_start(job, due)
            try:
                result = job.run(due)
                record = JobRun(job.name, due, True, result=result, caught_up=job.caught_up)
            except Exception as exc:  # any failure of one job is logged and recorded; the cycle goes on
                log.exception("job %s due %s failed", job.name, due)
                record = JobRun(job.name, due, False, error=f"{type(exc).__name__}: {exc}", caught_up=job.caught_up)
            record.seconds = time.perf_counter() - began
            self._record_end(run_id, record)
            job.caught_up = False
            runs.append(record)
            self.history.append(record)
            job.due = job.next_after(max(due, self.clock.now()))
        return runs

    def _record_start(self, job: Job, due: dt.datetime) -> int | None:
        if self.db is None:
            return None
        from zwgk.storage.jobs import start_job_run

        try:
            return start_job_run(self.db, job.name, due, caught_up=job.caught_up)
        except Exception:  # the record must not stop the job
            log.exception("could not record the start of job %s", job.name)
            return None

    def _record_end(self, run_id: int | None, record: JobRun) -> None:
        if self.db is None or run_id is None:
            return
        from zwgk.storage.jobs import finish_job_run

        try:
            finish_job_run(self.db, run_id, record.ok, record.error)
        except Exception:  # the record must not stop the cycle
            log.exception("could not record the end of job %s", record.job)


# ------------------------------------------------------------------------ the cycle


@dataclass(slots=True)
class MonitorConfig:
    """What ``zwgk monitor`` runs: probe frequency, the rounds' options, outputs, alerts."""

    probes_per_day: int = 20
    probe_offset_minutes: float = 0.0
    resolver: str | None = None
    allow_private: bool = False
    probe_timeout: float = 15.0
    probe_concurrency: int = 32
    rubric: str = "national-2019"
    round_day: int = 1
    annual_month: int = 12
    annual_day: int = 20
    rounds: bool = True
    annual: bool = True
    bulletins: bool = True
    bulletin_dir: Path = Path("bulletins")
    bulletin_formats: tuple[str, ...] = ("pdf", "xlsx")
    crawl: dict[str, Any] = field(default_factory=dict)  # CrawlSettings overrides for rounds
    alerts: Any = None  # an AlertConfig, or None for no alerts
    raw_keep_days: int = 30
    db_fingerprint: str | None = None  # Celery tasks: the database they are for (workers use their own --db)


def probe_settings(config: MonitorConfig):
    from zwgk.monitor.probe import ProbeSettings

    return ProbeSettings(
        resolver=config.resolver,
        allow_private=config.allow_private,
        timeout=config.probe_timeout,
        concurrency=config.probe_concurrency,
    )


def probe_job(db: Database, config: MonitorConfig, clock: Clock, notifier: Any = None) -> dict[str, Any]:
    """One probe pass over the registry (IPv4 and, for hosts with AAAA, IPv6), then outage alerts.

    The result counts both sides; ``outage`` / ``ipv6_outage`` name the assessor-side
    outage that left the pass's IPv4 / IPv6 probes unverified (absent when there was none).
    """
    from zwgk.monitor.alerts import pass_alerts
    from zwgk.monitor.probe import run_probe_pass

    on = (lambda r: pass_alerts(db, r, notifier, clock.now())) if notifier is not None else None
    result = run_probe_pass(db, probe_settings(config), clock, on_probes=on)
    out: dict[str, Any] = {
        "probes": len(result.probes),
        "failures": len(result.failures),
        "refused": len(result.refused),
        "unverified": len(result.unverified),
    }
    if result.outage:
        out["outage"] = result.outage
    if result.ipv6 is not None:
        out.update(result.ipv6.summary())
        if result.ipv6.outage:
            out["ipv6_outage"] = result.ipv6.outage
    return out


def round_job(
    db: Database, config: MonitorConfig, kind: str, due: dt.datetime, clock: Clock, notifier: Any = None
) -> dict[str, Any]:
    """A monthly (``monthly-YYYY-MM``) or annual (``annual-YYYY``) round as of ``due``'s date, then veto alerts.

    The round reads the probes preceding its as-of date (AVAIL-DOWN, FRESH-HOME).
    Re-running the same job resumes the round instead of starting another.
    """
    from zwgk.app import RoundOptions, run_round
    from zwgk.monitor.alerts import check_vetoes
    from zwgk.monitor.history import probe_history

    if kind not in ("monthly", "annual"):
        raise ZwgkError(f"round kind {kind!r}: choose monthly or annual")
    name = f"monthly-{due:%Y-%m}" if kind == "monthly" else f"annual-{due:%Y}"
    opts = RoundOptions(
        name=name,
        as_of=due.date(),
        rubric=config.rubric,
        resolver=config.resolver,
        allow_private=config.allow_private,
        crawl=dict(config.crawl),
    )
    result = run_round(db, opts, history=probe_history)
    if notifier is not None:
        check_vetoes(db, result.round_id, notifier, clock.now())
    return {"round": result.name, "units": result.units, "findings": result.findings}


def bulletin_job(db: Database, config: MonitorConfig, due: dt.datetime) -> list[str]:
    """The previous quarter's 季通报 in every configured format, into ``bulletin_dir``."""
    from zwgk.monitor.bulletin import build_quarterly_bulletin

    quarter = previous_quarter(due.date())
    config.bulletin_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in config.bulletin_formats:
        path = config.bulletin_dir / f"bulletin-{quarter}.{fmt}"
        build_quarterly_bulletin(db, quarter, path, fmt)
        paths.append(str(path))
    return paths


def maintenance_job(db: Database, config: MonitorConfig, due: dt.datetime) -> int:
    from zwgk.storage.probes import aggregate_old_probes

    return aggregate_old_probes(db, due, config.raw_keep_days)


def build_jobs(db: Database, config: MonitorConfig, clock: Clock) -> list[Job]:
    """The monitoring cycle's jobs bound to ``db`` and ``clock``."""
    from zwgk.monitor.alerts import Notifier

    notifier = Notifier(config.alerts) if config.alerts is not None else None
    times = daily_times(config.probes_per_day, config.probe_offset_minutes)
    jobs = [
        Job("probes", lambda t: next_daily(t, times), lambda d: probe_job(db, config, clock, notifier)),
        Job(
            "maintenance", lambda t: next_daily(t, [dt.timedelta(minutes=30)]), lambda d: maintenance_job(db, config, d)
        ),
    ]
    if config.rounds:
        jobs.append(
            Job(
                "monthly-round",
                lambda t: next_monthly(t, config.round_day),
                lambda d: round_job(db, config, "monthly", d, clock, notifier),
                catch_up=dt.timedelta(days=32),
            )
        )
    if config.bulletins:
        jobs.append(
            Job("bulletin", next_quarter_start, lambda d: bulletin_job(db, config, d), catch_up=dt.timedelta(days=93))
        )
    if config.annual:
        jobs.append(
            Job(
                "annual-round",
                lambda t: next_yearly(t, config.annual_month, config.annual_day),
                lambda d: round_job(db, config, "annual", d, clock, notifier),
                catch_up=dt.timedelta(days=367),
            )
        )
    return jobs


def beat_schedule(config: MonitorConfig | None = None) -> dict[str, dict[str, Any]]:
    """The same cycle as a Celery beat schedule (for ``app.conf.beat_schedule``).

    Task names are those registered by :func:`zwgk.monitor.tasks.register_tasks`.  The
    messages carry the database's fingerprint, never its URL: each worker uses the
    database of its own configuration and refuses jobs of another.  Celery beat runs a
    crontab job missed while it was down once when it starts again (its schedule file
    keeps each job's last run); the task then works for the due time it missed.
    """
    from celery.schedules import crontab

    config = config or MonitorConfig()
    opts = {
        "db_fingerprint": config.db_fingerprint,
        "resolver": config.resolver,
        "allow_private": config.allow_private,
        "rubric": config.rubric,
        "probe_timeout": config.probe_timeout,
    }
    schedule: dict[str, dict[str, Any]] = {
        "zwgk-probes": {
            "task": "zwgk.monitor.probe_pass",
            "schedule": dt.timedelta(days=1) / config.probes_per_day,
            "kwargs": opts,
        },
        "zwgk-probe-maintenance": {
            "task": "zwgk.monitor.maintenance",
            "schedule": crontab(minute=30, hour=0),
            "kwargs": {"db_fingerprint": config.db_fingerprint, "keep_days": config.raw_keep_days},
        },
    }
    if config.rounds:
        schedule["zwgk-monthly-round"] = {
            "task": "zwgk.monitor.round",
            "schedule": crontab(minute=0, hour=2, day_of_month=config.round_day),
            "kwargs": {**opts, "kind": "monthly", "round_day": config.round_day},
        }
    if config.bulletins:
        schedule["zwgk-quarterly-bulletin"] = {
            "task": "zwgk.monitor.bulletin",
            "schedule": crontab(minute=0, hour=1, day_of_month=1, month_of_year="1,4,7,10"),
            "kwargs": {
                "db_fingerprint": config.db_fingerprint,
                "out_dir": str(config.bulletin_dir),
                "formats": list(config.bulletin_formats),
            },
        }
    if config.annual:
        schedule["zwgk-annual-round"] = {
            "task": "zwgk.monitor.round",
            "schedule": crontab(minute=0, hour=3, day_of_month=config.annual_day, month_of_year=config.annual_month),
            "kwargs": {**opts, "kind": "annual", "annual_month": config.annual_month, "annual_day": config.annual_day},
        }
    return schedule
