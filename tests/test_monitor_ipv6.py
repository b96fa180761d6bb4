"""IPv6 monitoring probes (zwgk.monitor.ipv6) on the real site farm: its DNS answers AAAA ::1,
its web server listens on ::1 as well as 127.0.0.1.

- a site with AAAA is probed over IPv6 in every pass; when the farm's [::1] listener is down
  the refusals are stored as IPv6 failures, and the next round's IPv6 success rate (read
  through the same monitoring history as AVAIL-DOWN) counts them — AVAIL-DOWN does not;
- a site without AAAA is not probed over IPv6 and has no failure;
- a probe host without IPv6 (``::1`` switched off in a network namespace of its own) leaves
  the pass unverified: no failure for any unit; so does a pass where nearly every site got no
  answer over IPv6, unless an IPv6 control host answers;
- storage round trip (SQLite, and PostgreSQL with ZWGK_TEST_DB=postgresql), migration 0010.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.history import probe_history
from zwgk.monitor.probe import ProbeSettings, run_probe_pass
from zwgk.storage.probes import (
    Probe,
    add_probes,
    aggregate_old_probes,
    availability_between,
    latest_probes,
    probe_count,
    probe_days,
    probes_between,
)

FAST_CRAWL = {"max_pages_per_site": 40, "max_links_checked_per_site": 60, "ipv6_attempt_spacing": 0.1}


def _planted(farm, code: str) -> set[str]:
    return {d["unit_id"] for d in farm.truth["defects"] if d["rule"] == code}


def test_ipv6_probes_on_the_farm_feed_the_next_rounds_success_rate(db, db_url, mon_farm, mon_farm_units):
    from zwgk.app import RoundOptions, run_round
    from zwgk.storage.results import list_findings
    from zwgk.storage.snapshot import site_probe_values

    farm = mon_farm
    as_of = farm.config.as_of
    day = dt.datetime.combine(as_of - dt.timedelta(days=1), dt.time())
    (no_aaaa,) = _planted(farm, "IPV6-NONE")
    faulty = _planted(farm, "AVAIL-DOWN") | _planted(farm, "IPV6-UNREACHABLE") | _planted(farm, "IPV6-INTERMITTENT")
    clean = next(u.unit_id for u in mon_farm_units if u.unit_id not in faulty | {no_aaaa})
    (unreachable,) = _planted(farm, "IPV6-UNREACHABLE")  # AAAA, every IPv6 request reset
    settings = ProbeSettings(resolver=farm.resolver, allow_private=True)

    # 1. The [::1] listener up: every site with AAAA probed over IPv6, the one without skipped.
    first = run_probe_pass(db, settings, SimulatedClock(day + dt.timedelta(hours=2)))
    v6 = first.ipv6
    assert v6 is not None and v6.outage == "" and v6.unverified == []
    assert v6.no_aaaa == [no_aaaa]
    assert {p.unit_id for p in v6.probes} == {u.unit_id for u in mon_farm_units} - {no_aaaa}
    got = {p.unit_id: p for p in v6.probes}
    assert (got[clean].ok, got[clean].status, got[clean].error_class) == (True, 200, "")
    assert (got[unreachable].ok, got[unreachable].error_class) == (False, "reset")
    assert no_aaaa not in {p.unit_id for p in v6.failures}
    assert all(p.ipv6 for p in v6.probes) and not any(p.ipv6 for p in first.probes)
    assert len(first.probes) == len(mon_farm_units)  # the availability pass is unchanged

    # 2. The [::1] listener down: refusals are answers from the site's address, so failures.
    farm.set_ipv6_listening(False)
    try:
        for hour in (10, 18):
            result = run_probe_pass(db, settings, SimulatedClock(day + dt.timedelta(hours=hour)))
            assert result.ipv6.outage == ""
            assert {p.unit_id: p.error_class for p in result.ipv6.failures}[clean] == "refused"
            assert result.ipv6.unverified == []
            assert {p.unit_id for p in result.probes if p.ok} >= {clean, no_aaaa}  # IPv4 unaffected
        out = CliRunner().invoke(
            __import__("zwgk.cli", fromlist=["app"]).app,
            ["probe", "--db", db_url, "--allow-private", "--resolver", farm.resolver, "--at", f"{as_of}T09:00"],
        )
    finally:
        farm.set_ipv6_listening(True)
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())  # rich wraps long lines at spaces
    assert "IPv6 探测 probed 5 个网站 sites" in text and "1 无AAAA记录 no AAAA" in text
    assert f"✗ IPv6 {clean}: refused" in text

    start, end = day, day + dt.timedelta(days=1)
    stored = probes_between(db, clean, start, end, ipv6=True)
    assert [(p.ok, p.error_class) for p in stored] == [(True, ""), (False, "refused"), (False, "refused")]
    assert probes_between(db, no_aaaa, start, end, ipv6=True) == []  # no AAAA: never probed, no failure
    assert [p.ok for p in latest_probes(db, clean, 3)] == [True, True, True]  # alerts read IPv4 only
    history = probe_history(db, clean, as_of)
    assert sum(1 for h in history if h["ipv6"]) == 3 and sum(1 for h in history if not h["ipv6"]) == 3

    # 3. The next round reads that history through zwgk.app (the scheduler's and `zwgk assess`'s path).
    result = run_round(
        db,
        RoundOptions(
            name="after-ipv6-monitoring",
            as_of=as_of,
            resolver=farm.resolver,
            allow_private=True,
            unit_ids=[clean, no_aaaa],
            crawl=FAST_CRAWL,
        ),
        history=probe_history,
    )
    support = site_probe_values(db, result.round_id, "ipv6_support")
    success = support[clean]["success"]
    assert (success["monitor_probes"], success["monitor_ok"]) == (3, 1)
    assert success["total"] == success["attempts"] + 3 and success["loaded"] == success["ok"] + 1
    assert success["rate"] < 1.0
    assert "含日监测IPv6探测3次" in support[clean]["indicators"]["success_rate"]["detail"]
    assert support[no_aaaa]["success"]["monitor_probes"] == 0
    assert support[no_aaaa]["indicators"]["aaaa"]["value"] == 0.0
    rules = {f.rule for f in list_findings(db, result.round_id) if f.unit_id == clean}
    assert "AVAIL-DOWN" not in rules  # two IPv6 failures in six probes are not availability evidence


def test_a_probe_host_without_ipv6_leaves_the_pass_unverified(tmp_path):
    """The farm and the probe in a network namespace of their own whose ``::1`` is switched
    off after the farm started: DNS still answers AAAA ::1, the probe host cannot send to it."""
    assert shutil.which("unshare") and shutil.which("ip") and shutil.which("sysctl"), "util-linux, iproute2, procps"
    db_path = tmp_path / "ns.db"
    script = textwrap.dedent(
        f"""
        import datetime as dt, json, subprocess
        from zwgk.model import Unit
        from zwgk.monitor.clock import SimulatedClock
        from zwgk.monitor.probe import ProbeSettings, run_probe_pass
        from zwgk.registry import import_registry
        from zwgk.sitefarm import FarmConfig, running_farm
        from zwgk.storage import Database

        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        with running_farm(FarmConfig(sites=6, seed=3)) as farm:
            db = Database.open("sqlite:///{db_path}")
            import_registry(db, farm.write_registry(__import__("pathlib").Path("{tmp_path}") / "reg.csv"))
            subprocess.run(["sysctl", "-q", "-w", "net.ipv6.conf.lo.disable_ipv6=1"], check=True)
            r = run_probe_pass(db, ProbeSettings(resolver=farm.resolver, allow_private=True),
                               SimulatedClock(dt.datetime(2026, 11, 24, 2)))
            print(json.dumps({{"v4_ok": sum(p.ok for p in r.probes), "outage": r.ipv6.outage,
                               "summary": r.ipv6.summary(), "errors": r.ipv6.errors}}))
            db.dispose()
        """
    )
    proc = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["v4_ok"] == 5  # IPv4 works in the namespace (one farm site is planted down)
    assert report["outage"].startswith("评估方IPv6网络故障，未能核验")
    assert report["summary"] == {"ipv6_probes": 0, "ipv6_failures": 0, "ipv6_unverified": 5, "ipv6_no_aaaa": 1}
    assert all("no IPv6 route" in e for e in report["errors"].values())

    from zwgk.indicators.ipv6_support import success
    from zwgk.storage import Database

    db = Database.open(f"sqlite:///{db_path}")
    try:
        assert probe_count(db, ipv6=True) == 5
        for unit_id in report["errors"]:
            (stored,) = probes_between(db, unit_id, dt.datetime(2026, 11, 24), dt.datetime(2026, 11, 25), ipv6=True)
            assert stored.error_class == "unverified"  # kept as a record …
            history = probe_history(db, unit_id, dt.date(2026, 11, 25))
            assert [h for h in history if h["ipv6"]] == []  # … but not in the rules' history
            assert success({}, history)["monitor_probes"] == 0  # evidence of nothing
    finally:
        db.dispose()


T0 = dt.datetime(2026, 10, 1)


def test_ipv6_probes_round_trip_and_stay_out_of_availability(db):
    rows = [
        Probe("a", T0 + dt.timedelta(hours=1), True, 200, 12.5, newest_date=dt.date(2026, 9, 30), fingerprint="f1"),
        Probe("a", T0 + dt.timedelta(hours=1), True, 200, 20.0, ipv6=True),
        Probe("a", T0 + dt.timedelta(hours=2), True, 200, 11.0),
        Probe("a", T0 + dt.timedelta(hours=2), False, None, None, "refused", ipv6=True),
        Probe("a", T0 + dt.timedelta(hours=3), False, None, None, "unverified", ipv6=True),
    ]
    assert add_probes(db, rows) == 5
    both = probes_between(db, "a", T0, T0 + dt.timedelta(days=1))
    assert both == rows  # every field, the mark included, comes back as written
    assert [p.ipv6 for p in probes_between(db, "a", T0, T0 + dt.timedelta(days=1), ipv6=True)] == [True] * 3
    assert len(probes_between(db, "a", T0, T0 + dt.timedelta(days=1), ipv6=False)) == 2
    assert both[4].unverified and not both[3].unverified
    assert (probe_count(db), probe_count(db, ipv6=True)) == (2, 3)
    assert [p.at.hour for p in latest_probes(db, "a", 5)] == [2, 1]
    assert [p.error_class for p in latest_probes(db, "a", 5, ipv6=True)] == ["unverified", "refused", ""]

    entries = probe_history(db, "a", T0.date() + dt.timedelta(days=1))
    assert [e["ipv6"] for e in entries] == [False, True, False, True]  # the unverified probe: not evidence

    assert availability_between(db, T0.date(), T0.date() + dt.timedelta(days=1)) == {"a": (2, 0)}
    (day,) = probe_days(db, T0.date(), T0.date() + dt.timedelta(days=1))
    assert (day.probes, day.failures) == (2, 0)
    # the fold: availability rows aggregated, IPv6 rows of those days deleted, not folded
    assert aggregate_old_probes(db, T0 + dt.timedelta(days=40), keep_days=30) == 2
    assert probe_count(db) == probe_count(db, ipv6=True) == 0
    (day,) = probe_days(db, T0.date(), T0.date() + dt.timedelta(days=1))
    assert (day.probes, day.failures, day.errors) == (2, 0, {})


def test_rules_read_ipv6_history_apart_from_availability():
    from zwgk.indicators import evaluate, load_rubric
    from zwgk.indicators.ipv6_support import success
    from zwgk.model import SiteSnapshot, Unit

    as_of = dt.date(2026, 11, 27)
    history = []
    for d in range(7, 0, -1):
        for k in range(20):
            at = dt.datetime.combine(as_of - dt.timedelta(days=d), dt.time(k))
            history.append({"at": at, "ok": True, "status": 200, "error_class": "", "ipv6": False})
            history.append({"at": at, "ok": False, "status": None, "error_class": "refused", "ipv6": True})
    history.append({"at": dt.datetime(2026, 11, 26, 22), "ok": False, "error_class": "unverified", "ipv6": True})
    unit = Unit("a", "某某县人民政府", "县", "portal", "http://www.a.gov.cn/")
    snapshot = SiteSnapshot(unit, unit.site_url, as_of, history=history)
    assert [f for f in evaluate(snapshot, load_rubric("national-2019")) if f.rule == "AVAIL-DOWN"] == []
    seen = success({"v6_attempts": 5, "v6_ok": 5}, history)
    assert (seen["monitor_probes"], seen["monitor_ok"], seen["total"], seen["loaded"]) == (140, 0, 145, 5)


def test_migration_0010_marks_existing_probes_as_availability_probes(db_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from zwgk.storage import Database
    from zwgk.storage.db import _MIGRATIONS, make_engine

    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0009")
        conn.execute(
            text(
                "INSERT INTO probes (unit_id, at, ok, status, latency_ms, error_class, newest_date, fingerprint)"
                " VALUES ('u1', '2026-11-20 02:00:00', false, 503, NULL, 'http5xx', NULL, '')"
            )
        )
    engine.dispose()
    db = Database.open(db_url)
    try:
        (p,) = probes_between(db, "u1", T0, dt.datetime(2026, 12, 1))
        assert (p.ok, p.error_class, p.ipv6) == (False, "http5xx", False)
        assert probe_count(db) == 1 and probe_count(db, ipv6=True) == 0
    finally:
        db.dispose()


def test_nearly_all_sites_silent_over_ipv6_is_unverified_unless_a_control_answers(db, mon_farm, mon_farm_units):
    """Every farm site down (most of them reset the connection: no answer at all): without an
    IPv6 control host the silent IPv6 failures are the assessor's doubt, not the sites' fault;
    with a control host answering over IPv6 they count."""
    farm = mon_farm
    (no_aaaa,) = _planted(farm, "IPV6-NONE")
    at = dt.datetime.combine(farm.config.as_of - dt.timedelta(days=1), dt.time(3))
    for unit in mon_farm_units:
        farm.set_down(unit.unit_id, True)
    try:
        alone = run_probe_pass(db, ProbeSettings(resolver=farm.resolver, allow_private=True), SimulatedClock(at))
        control = f"{farm.farm.origins.external(sorted(farm.farm.external_hosts)[0])}/"
        checked = run_probe_pass(
            db,
            ProbeSettings(resolver=farm.resolver, allow_private=True, control_urls=(control,)),
            SimulatedClock(at + dt.timedelta(hours=1)),
        )
    finally:
        for unit in mon_farm_units:
            farm.set_down(unit.unit_id, False)
    answered = {p.unit_id for p in alone.ipv6.probes if p.status is not None}  # 503: an answer
    silent = {u.unit_id for u in mon_farm_units} - answered - {no_aaaa}
    assert len(silent) >= 4 and answered  # ≥ 80 % of the 5 sites with AAAA got no answer

    assert alone.ipv6.outage.startswith("评估方IPv6网络故障，未能核验")
    assert "no IPv6 control host is configured" in alone.ipv6.outage
    assert {p.unit_id for p in alone.ipv6.unverified} == silent
    assert {p.unit_id for p in alone.ipv6.failures} == answered  # an HTTP answer still counts

    assert checked.ipv6.outage == "" and checked.ipv6.unverified == []
    assert {p.unit_id for p in checked.ipv6.failures} == silent | answered
    assert len(checked.failures) == len(alone.failures) == len(mon_farm_units)  # IPv4: all down either way


def test_ipv6_probes_obey_the_ssrf_policy(mon_farm, mon_farm_units):
    """Without --allow-private the farm's AAAA (::1, loopback) is refused before any request."""
    from zwgk.monitor.probe import probe_units

    served = mon_farm.requests_served
    result = probe_units(mon_farm_units, ProbeSettings(resolver=mon_farm.resolver), SimulatedClock(T0))
    (no_aaaa,) = _planted(mon_farm, "IPV6-NONE")
    assert result.ipv6.probes == [] and result.ipv6.no_aaaa == [no_aaaa]
    assert set(result.ipv6.refused) == {u.unit_id for u in mon_farm_units} - {no_aaaa}
    assert all("loopback" in why and "--allow-private" in why for why in result.ipv6.refused.values())
    assert mon_farm.requests_served == served  # nothing reached the farm, over IPv4 or IPv6
