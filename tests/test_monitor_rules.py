"""AVAIL-DOWN and FRESH-HOME fed by simulated weeks of probes (issue 9's acceptance tests).

The scheduler runs on a ``SimulatedClock``; sites are taken down and brought
back by scheduled jobs at chosen simulated times, so a week of 50 probes a
day takes seconds.  Findings come from ``zwgk.indicators.evaluate`` on a
snapshot whose history is ``probe_history`` — exactly what a round does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from zwgk.indicators import evaluate, load_rubric
from zwgk.model import SiteSnapshot, Unit
from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.history import probe_history
from zwgk.monitor.probe import ProbeSettings, probe_units, run_probe_pass
from zwgk.monitor.schedule import Job, Scheduler, daily_times, next_daily

PER_DAY = 50  # 350 probes a week: 6% = 21 failed probes, 4% = 14
STEP = dt.timedelta(days=1) / PER_DAY


def _at_times(times: list[dt.datetime]) -> Callable[[dt.datetime], dt.datetime | None]:
    def next_after(t: dt.datetime) -> dt.datetime | None:
        later = [x for x in times if x > t]
        return min(later) if later else None

    return next_after


def simulate(
    db,
    unit_ids: list[str],
    start: dt.datetime,
    days: int,
    set_down: Callable[[bool], None],
    outages: list[tuple[dt.datetime, dt.datetime]],
    settings: ProbeSettings,
    per_day: int = PER_DAY,
) -> SimulatedClock:
    """Probe ``per_day`` times a day from ``start`` for ``days``; ``set_down`` at each outage's bounds.

    Outage toggles are scheduled a minute before the probe times they affect.
    """
    clock = SimulatedClock(start - dt.timedelta(seconds=1))
    times = daily_times(per_day)
    jobs = [
        Job("down", _at_times([a for a, _ in outages]), lambda due: set_down(True)),
        Job("up", _at_times([b for _, b in outages]), lambda due: set_down(False)),
        Job(
            "probes", lambda t: next_daily(t, times), lambda due: run_probe_pass(db, settings, clock, unit_ids=unit_ids)
        ),
    ]
    runs = Scheduler(clock, jobs).run(until=start + dt.timedelta(days=days))
    assert all(r.ok for r in runs), [r.error for r in runs if not r.ok]
    return clock


def outage_covering(start: dt.datetime, first_probe: int, probes: int) -> tuple[dt.datetime, dt.datetime]:
    """Down from a minute before probe ``first_probe`` until a minute before the one after the last."""
    a = start + STEP * first_probe - dt.timedelta(minutes=1)
    return a, a + STEP * probes


def findings_of(db, unit: Unit, as_of: dt.date, rule: str):
    snapshot = SiteSnapshot(unit, unit.site_url, as_of, history=probe_history(db, unit.unit_id, as_of))
    return [f for f in evaluate(snapshot, load_rubric("national-2019")) if f.rule == rule], snapshot


AS_OF = dt.date(2026, 11, 27)  # a week after the farm's as-of date
WEEK_START = dt.datetime.combine(AS_OF - dt.timedelta(days=7), dt.time())


@pytest.mark.parametrize(
    ("failed", "vetoed"),
    [(21, True), (14, False)],  # 21/350 = 6% of the week's probes; 14/350 = 4%
    ids=["6%-veto", "4%-no-veto"],
)
def test_avail_down_from_a_simulated_week(db, mon_site, failed, vetoed):
    unit, set_down, settings = mon_site.unit, mon_site.set_down, mon_site.settings
    # outages of 7 consecutive probes (≈3.4 h each) on different days of the week
    outages = [outage_covering(WEEK_START, PER_DAY * (1 + 2 * k) + 10, 7) for k in range(failed // 7)]
    simulate(db, [unit.unit_id], WEEK_START, 7, set_down, outages, settings)

    history = probe_history(db, unit.unit_id, AS_OF)
    assert len(history) == 7 * PER_DAY
    failed_at = [h["at"] for h in history if not h["ok"]]
    assert len(failed_at) == failed
    assert all(any(a <= t < b for a, b in outages) for t in failed_at)  # exactly the planned outages

    found, _ = findings_of(db, unit, AS_OF, "AVAIL-DOWN")
    if not vetoed:
        assert found == []
        return
    (f,) = found
    assert f.severity == "veto" and f.subject == unit.site_url
    assert f.evidence["source"] == "monitoring" and f.evidence["failures"] == failed
    assert f.evidence["share"] >= 0.05
    assert f.evidence["first_failures"] and {str(t) for t in failed_at} >= set(f.evidence["first_failures"])


def test_probes_on_or_after_as_of_are_not_used(db, mon_site):
    unit, set_down, settings = mon_site.unit, mon_site.set_down, mon_site.settings
    # the site is down only on the as-of day itself: the round must not count it
    down_day = dt.datetime.combine(AS_OF, dt.time())
    simulate(
        db,
        [unit.unit_id],
        WEEK_START,
        8,
        set_down,
        [(down_day - dt.timedelta(minutes=1), down_day + dt.timedelta(days=1))],
        settings,
        per_day=20,
    )
    assert findings_of(db, unit, AS_OF, "AVAIL-DOWN")[0] == []
    assert findings_of(db, unit, AS_OF + dt.timedelta(days=1), "AVAIL-DOWN")[0] != []


@pytest.mark.parametrize(("frozen_days", "vetoed"), [(15, True), (13, False)])
def test_fresh_home_from_a_frozen_homepage(db, mon_site, frozen_days, vetoed):
    """The farm's homepage never changes; the simulated clock runs on past its newest item."""
    unit, set_down, settings = mon_site.unit, mon_site.set_down, mon_site.settings
    (first,) = probe_units(
        [unit], settings, SimulatedClock(dt.datetime.combine(mon_site.farm.config.as_of, dt.time()))
    ).probes
    frozen_since = first.newest_date
    assert frozen_since is not None and frozen_since <= mon_site.farm.config.as_of
    # probe 4 times a day from the day of the newest item until the as-of date
    as_of = frozen_since + dt.timedelta(days=frozen_days)
    start = dt.datetime.combine(frozen_since, dt.time())
    simulate(db, [unit.unit_id], start, frozen_days, set_down, [], settings, per_day=4)
    history = probe_history(db, unit.unit_id, as_of)
    assert len(history) == 4 * min(frozen_days, 14)  # the 14-day window
    assert {h["newest_date"] for h in history} == {frozen_since}
    assert len({h["fingerprint"] for h in history}) == 1  # the homepage did not change at all

    found, _ = findings_of(db, unit, as_of, "FRESH-HOME")
    if not vetoed:
        assert found == []
        return
    (f,) = found
    assert f.severity == "veto"
    assert f.evidence["newest_date"] == frozen_since.isoformat() and f.evidence["age_days"] == frozen_days
    assert f.evidence["date_source"] == "history:newest_date"
