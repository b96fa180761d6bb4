"""A 月检查 / 季通报 whose time passed while the monitor was down runs once when it starts again.

The scheduler records every job run in the database (``monitor_job_runs``); each
"restart" below is a new :class:`Scheduler` on the same database, as ``zwgk monitor``
builds one when systemd starts it again.  The quarterly bulletin is the real job (a
real PDF and xlsx from the database, probes from the site farm); the monthly round's
body is replaced by a recorder so the test does not crawl.
"""

from __future__ import annotations

import datetime as dt
import logging

from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.schedule import (
    Job,
    MonitorConfig,
    Scheduler,
    build_jobs,
    daily_times,
    next_daily,
    next_monthly,
)
from zwgk.storage.jobs import job_runs


def _jobs(ran: list[dt.datetime]) -> list[Job]:
    times = daily_times(20)
    return [
        Job("probes", lambda t: next_daily(t, times), lambda d: None),
        Job("monthly-round", next_monthly, ran.append, catch_up=dt.timedelta(days=32)),
    ]


def test_a_monthly_check_missed_while_down_runs_once_on_restart(db, caplog):
    ran: list[dt.datetime] = []
    # Deployed on 2 December: the 1 December check was before its time, nothing to catch up.
    clock = SimulatedClock(dt.datetime(2026, 12, 2, 10, 0))
    first = Scheduler(clock, _jobs(ran), db=db)
    assert not any(j.caught_up for j in first.jobs)
    first.run(until=dt.datetime(2026, 12, 31, 23, 0))  # a month of probes; the monitor stops at 23:00
    assert ran == []

    # Down over 1 January 02:00; started again on the 3rd.
    clock.set(dt.datetime(2027, 1, 3, 8, 30))
    with caplog.at_level(logging.WARNING, logger="zwgk.monitor.schedule"):
        again = Scheduler(clock, _jobs(ran), db=db)
    monthly = next(j for j in again.jobs if j.name == "monthly-round")
    assert monthly.caught_up and monthly.due == dt.datetime(2027, 1, 1, 2, 0)
    assert "catching up job monthly-round due 2027-01-01 02:00:00" in caplog.text
    (run,) = again.run(max_runs=1)
    assert (run.job, run.due, run.ok, run.caught_up) == ("monthly-round", dt.datetime(2027, 1, 1, 2, 0), True, True)
    assert ran == [dt.datetime(2027, 1, 1, 2, 0)]  # the round of January, as of the 1st
    assert monthly.due == dt.datetime(2027, 2, 1, 2, 0) and not monthly.caught_up
    again.run(until=dt.datetime(2027, 1, 3, 12, 0))
    assert ran == [dt.datetime(2027, 1, 1, 2, 0)]  # once

    # Another restart the same day: the January check is done, nothing to catch up.
    third = Scheduler(clock, _jobs(ran), db=db)
    assert not any(j.caught_up for j in third.jobs)
    recorded = [(r.due, r.ok, r.caught_up) for r in job_runs(db, "monthly-round")]
    assert recorded == [(dt.datetime(2027, 1, 1, 2, 0), True, True)]


def test_a_quarterly_bulletin_missed_while_down_is_written_on_restart(db, mon_site, tmp_path):
    config = MonitorConfig(
        resolver=mon_site.settings.resolver,
        allow_private=True,
        rounds=False,
        annual=False,
        bulletin_dir=tmp_path / "bulletins",
        probes_per_day=4,
    )
    clock = SimulatedClock(dt.datetime(2026, 12, 31, 10, 0))
    Scheduler(clock, build_jobs(db, config, clock), db=db).run(until=dt.datetime(2026, 12, 31, 23, 0))
    assert not (tmp_path / "bulletins").exists()

    clock.set(dt.datetime(2027, 1, 2, 9, 0))  # the 1 January 01:00 bulletin fell into the outage
    sched = Scheduler(clock, build_jobs(db, config, clock), db=db)
    bulletin = next(j for j in sched.jobs if j.name == "bulletin")
    assert bulletin.caught_up and bulletin.due == dt.datetime(2027, 1, 1, 1, 0)
    runs = sched.run(until=dt.datetime(2027, 1, 2, 9, 1))
    assert [(r.job, r.due, r.ok, r.caught_up) for r in runs if r.job == "bulletin"] == [
        ("bulletin", dt.datetime(2027, 1, 1, 1, 0), True, True)
    ]
    assert sorted(p.name for p in (tmp_path / "bulletins").iterdir()) == ["bulletin-2026Q4.pdf", "bulletin-2026Q4.xlsx"]
    assert not any(j.caught_up for j in Scheduler(clock, build_jobs(db, config, clock), db=db).jobs)
