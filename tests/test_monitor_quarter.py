"""A simulated quarter of the whole cycle against the site farm: probes, monthly rounds, bulletin.

The scheduler runs Q4 2026 on a ``SimulatedClock`` (2 probe passes a day to
keep it quick, three monthly rounds with real crawls), one farm site is taken
down for the last ten days of November, and the bulletin the scheduler writes
on 1 January is read back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
import subprocess

from zwgk.monitor.alerts import AlertConfig
from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.schedule import Job, MonitorConfig, Scheduler, build_jobs
from zwgk.storage.results import list_findings, list_scores
from zwgk.storage.rounds import list_rounds

FAST_CRAWL = {"max_pages_per_site": 80, "max_links_checked_per_site": 100, "ipv6_probe": False}


def test_a_simulated_quarter_produces_a_bulletin_naming_the_failing_sites(db, mon_quarter_farm, mon_smtp, tmp_path):
    farm, units = mon_quarter_farm
    victim = units[0]
    # A veto needs monitoring of the official shape (AVAIL-DOWN's probes_per_day, 20 a day): the
    # quarter probes twice a day to stay quick, so its rubric asks for two (rules are data).
    rubric = tmp_path / "quarter.toml"
    rubric.write_text(
        'base = "national-2019"\nname = "quarter-2-probes"\n\n[rules.AVAIL-DOWN.params]\nprobes_per_day = 2\n',
        encoding="utf-8",
    )
    config = MonitorConfig(
        probes_per_day=2,
        resolver=farm.resolver,
        allow_private=True,
        annual=False,
        rubric=str(rubric),
        bulletin_dir=tmp_path / "bulletins",
        crawl=FAST_CRAWL,
        alerts=AlertConfig(
            consecutive_failures=3,
            smtp_host=mon_smtp.host,
            smtp_port=mon_smtp.port,
            evaluator_emails=["evaluator@zwgk.test"],
        ),
    )
    start = dt.datetime(2026, 10, 1)
    clock = SimulatedClock(start - dt.timedelta(minutes=1))
    down_at, up_at = dt.datetime(2026, 11, 21, 0, 30), dt.datetime(2026, 12, 1, 0, 30)
    outage = [
        Job("down", lambda t: down_at if t < down_at else None, lambda d: farm.set_down(victim.unit_id, True)),
        Job("up", lambda t: up_at if t < up_at else None, lambda d: farm.set_down(victim.unit_id, False)),
    ]
    scheduler = Scheduler(clock, outage + build_jobs(db, config, clock))
    runs = scheduler.run(until=dt.datetime(2027, 1, 1, 1, 30))
    assert [r.error for r in runs if not r.ok] == []
    assert [r.job for r in runs].count("probes") == 92 * 2 + 1  # 1 Oct 00:00 … 1 Jan 00:00
    assert [r.due for r in runs if r.job == "monthly-round"] == [dt.datetime(2026, m, 1, 2) for m in (10, 11, 12)]
    assert [r.due for r in runs if r.job == "bulletin"] == [dt.datetime(2026, 10, 1, 1), dt.datetime(2027, 1, 1, 1)]

    # the December round saw the outage in the week before it: AVAIL-DOWN veto
    december = next(r for r in list_rounds(db) if r.name == "monthly-2026-12")
    avail = list_findings(db, december.id, unit_id=victim.unit_id, rule="AVAIL-DOWN")
    assert len(avail) == 1 and avail[0].severity == "veto"
    scores = {s.unit_id: s for s in list_scores(db, december.id)}
    assert scores[victim.unit_id].veto and not scores[victim.unit_id].passed
    failing = {u for u, s in scores.items() if not s.passed}

    pdf = tmp_path / "bulletins" / "bulletin-2026Q4.pdf"
    assert (tmp_path / "bulletins" / "bulletin-2026Q4.xlsx").exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026年第4季度政府网站监测情况通报" in text and "monthly-2026-12" in text
    problems = text[text.index("三、存在问题的网站") : text.index("四、整改情况")]
    names = {u.unit_id: u.name for u in units}
    for unit_id in failing:
        assert names[unit_id] in problems
    for unit_id in set(names) - failing:
        assert names[unit_id] not in problems  # a site that passed and stayed up is not named
    assert "AVAIL-DOWN" in problems and "季度可用率" in problems

    # the outage and the veto reached the evaluator's mailbox, once each
    subjects = [m["Subject"] for m in mon_smtp.messages if victim.name in m["Subject"]]
    assert sum("告警" in s for s in subjects) == 1 and sum("恢复" in s for s in subjects) == 1
    assert sum("单项否决" in s and "AVAIL-DOWN" in s for s in subjects) == 1
