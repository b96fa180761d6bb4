"""The scheduler on a simulated clock: spread probe times, calendar jobs, resilience, Celery beat."""

from __future__ import annotations

import datetime as dt

from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.schedule import (
    Job,
    MonitorConfig,
    Scheduler,
    beat_schedule,
    daily_times,
    next_daily,
    next_monthly,
    next_quarter_start,
    next_yearly,
    previous_quarter,
)

T0 = dt.datetime(2026, 10, 1)


def test_daily_times_are_evenly_spread():
    times = daily_times(20)
    assert len(times) == 20 and times[1] - times[0] == dt.timedelta(minutes=72)
    assert next_daily(T0, times) == T0 + dt.timedelta(minutes=72)
    assert next_daily(T0 + dt.timedelta(hours=23, minutes=30), times) == T0 + dt.timedelta(days=1)
    assert daily_times(4, offset_minutes=30)[0] == dt.timedelta(minutes=30)


def test_calendar_rules():
    assert next_monthly(dt.datetime(2026, 12, 5)) == dt.datetime(2027, 1, 1, 2)
    assert next_monthly(dt.datetime(2026, 12, 1, 1)) == dt.datetime(2026, 12, 1, 2)
    assert next_quarter_start(dt.datetime(2026, 11, 5)) == dt.datetime(2027, 1, 1, 1)
    assert next_yearly(dt.datetime(2026, 12, 21), 12, 20) == dt.datetime(2027, 12, 20, 3)
    assert previous_quarter(dt.date(2027, 1, 1)) == "2026Q4" and previous_quarter(dt.date(2026, 7, 1)) == "2026Q2"


def test_a_simulated_week_runs_every_job_in_time_order_without_sleeping():
    clock = SimulatedClock(T0)
    seen: list[tuple[str, dt.datetime, dt.datetime]] = []

    def recorder(name):
        return lambda due: seen.append((name, due, clock.now()))

    times = daily_times(20)
    sched = Scheduler(
        clock,
        [
            Job("probes", lambda t: next_daily(t, times), recorder("probes")),
            Job("daily", lambda t: next_daily(t, [dt.timedelta(hours=12)]), recorder("daily")),
            Job("monthly", next_monthly, recorder("monthly")),
        ],
    )
    runs = sched.run(until=T0 + dt.timedelta(days=7))
    probes = [s for s in seen if s[0] == "probes"]
    # 20 a day; the pass at 00:00 of day 1 is not "after" the start, so 7*20 - 1
    assert len(probes) == 7 * 20 - 1
    assert all(due == now for _, due, now in seen)  # each job ran at its due time
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)
    assert [s[1] for s in seen if s[0] == "daily"] == [T0 + dt.timedelta(days=d, hours=12) for d in range(7)]
    assert [s[1] for s in seen if s[0] == "monthly"] == [dt.datetime(2026, 10, 1, 2)]
    assert clock.now() == T0 + dt.timedelta(days=7) and len(runs) == len(seen)


def test_a_failing_job_is_recorded_and_the_cycle_continues():
    clock = SimulatedClock(T0)
    calls = []

    def boom(due):
        calls.append(due)
        raise RuntimeError("site farm unreachable")

    sched = Scheduler(clock, [Job("bad", lambda t: next_daily(t, [dt.timedelta(hours=1)]), boom)])
    runs = sched.run(until=T0 + dt.timedelta(days=3))
    assert len(calls) == 3 and [r.ok for r in runs] == [False] * 3
    assert runs[0].error == "RuntimeError: site farm unreachable"


def test_beat_schedule_matches_the_cycle():
    from celery.schedules import crontab

    beat = beat_schedule(MonitorConfig(probes_per_day=24, resolver="127.0.0.1:5353"))
    assert beat["zwgk-probes"]["schedule"] == dt.timedelta(hours=1)
    assert beat["zwgk-probes"]["kwargs"]["resolver"] == "127.0.0.1:5353"
    bulletin = beat["zwgk-quarterly-bulletin"]["schedule"]
    assert isinstance(bulletin, crontab) and bulletin.month_of_year == {1, 4, 7, 10}
    assert {v["task"] for v in beat.values()} == {
        "zwgk.monitor.probe_pass",
        "zwgk.monitor.maintenance",
        "zwgk.monitor.round",
        "zwgk.monitor.bulletin",
    }
    assert "zwgk-monthly-round" not in beat_schedule(MonitorConfig(rounds=False))


def test_celery_tasks_run_the_same_jobs(db, db_url, mon_site, tmp_path, monkeypatch):
    """The beat schedule's task names exist and do the work (eager Celery, memory broker)
    on the worker's own database (ZWGK_DB), named in the messages by fingerprint only."""
    from celery import Celery

    from zwgk.distributed.sitework import worker_db
    from zwgk.monitor.tasks import register_tasks
    from zwgk.storage.identity import database_fingerprint
    from zwgk.storage.probes import latest_probes, probe_count

    app = Celery("zwgk-monitor-test", broker="memory://")
    app.conf.task_always_eager = True
    tasks = register_tasks(app, worker_db)  # the worker's database opener, as zwgk worker hands it
    monkeypatch.setenv("ZWGK_DB", db_url)  # the worker's configuration
    beat = beat_schedule(
        MonitorConfig(
            db_fingerprint=database_fingerprint(db),
            resolver=mon_site.settings.resolver,
            allow_private=True,
            bulletin_dir=tmp_path,
        )
    )
    assert {v["task"] for v in beat.values()} <= set(tasks)
    assert all("db_url" not in v["kwargs"] and "://" not in repr(v["kwargs"]) for v in beat.values())

    entry = beat["zwgk-probes"]
    tasks[entry["task"]].apply(kwargs=entry["kwargs"]).get()
    assert probe_count(db) == 1 + len(mon_site.others)  # every farm unit once
    (probe,) = latest_probes(db, mon_site.unit.unit_id, 5)
    assert probe.ok and probe.status == 200  # resolved through the farm's DNS given in the beat kwargs
    entry = beat["zwgk-quarterly-bulletin"]
    paths = tasks[entry["task"]].apply(kwargs={**entry["kwargs"], "due": "2027-01-01T01:00"}).get()
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["bulletin-2026Q4.pdf", "bulletin-2026Q4.xlsx"]
