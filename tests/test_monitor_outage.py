"""The assessor's own outage during an IPv4 probe pass (zwgk.monitor.probe, rule shared with the
crawler's zwgk.crawlers.outage and the IPv6 probes): real site farm, real DNS servers, real
alert channels, real storage (SQLite, and PostgreSQL with ZWGK_TEST_DB=postgresql).

- the resolver stops answering (a real farm DNS server dropping every query) or is stopped
  (its port closed): the pass is unverified, its probes stored ``unverified``, no alert to a
  unit, one alert to the evaluators only, nothing in availability, bulletins, the annual
  roll-up or the rules' history — and no AVAIL-DOWN from a week of such passes;
- the probe host loses its network for real (a network namespace without any interface up,
  ``unshare -rn``): the same, with a control host that cannot be reached;
- a pass where only some sites are down records their failures, an HTTP error or a refused
  connection is an answer (a failure even when every site gives one), and an answering
  control host keeps silent failures the sites' own.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.fixtures_monitor import free_port
from zwgk.crawlers.outage import OUTAGE_PREFIX
from zwgk.indicators import evaluate, load_rubric
from zwgk.model import SiteSnapshot, Unit
from zwgk.monitor.alerts import AlertConfig, Notifier, pass_alerts
from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.history import probe_history
from zwgk.monitor.probe import ProbeSettings, run_probe_pass
from zwgk.sitefarm.dns import set_answering, start_dns, stop_dns
from zwgk.storage.probes import (
    Probe,
    add_probes,
    aggregate_old_probes,
    availability_between,
    latest_probes,
    list_alerts,
    probe_count,
    probe_days,
    probes_between,
)

DAY = dt.datetime(2026, 11, 20)
STEP = dt.timedelta(minutes=72)


def _planted(farm, code: str) -> set[str]:
    return {d["unit_id"] for d in farm.truth["defects"] if d["rule"] == code}


def _alerts(mon_smtp, mon_webhook, unit_ids) -> AlertConfig:
    return AlertConfig(
        consecutive_failures=2,
        smtp_host=mon_smtp.host,
        smtp_port=mon_smtp.port,
        mail_from="monitor@zwgk.test",
        evaluator_emails=["evaluator@zwgk.test"],
        default_department_emails=["units@zwgk.test"],
        department_emails={u: [f"webmaster-{u}@gov.test"] for u in unit_ids},
        webhook_url=mon_webhook.url,
    )


def test_resolver_outage_leaves_the_pass_unverified_and_tells_only_the_evaluators(
    db, mon_farm, mon_farm_units, mon_smtp, mon_webhook
):
    farm = mon_farm
    ids = [u.unit_id for u in mon_farm_units]
    (down,) = _planted(farm, "AVAIL-DOWN")
    healthy = [u for u in ids if u != down]
    servers, port = start_dns(farm.farm, "127.0.0.1", 0)  # the assessor's resolver for the farm's zone
    settings = ProbeSettings(resolver=f"127.0.0.1:{port}", allow_private=True, ipv6=False)
    notifier = Notifier(_alerts(mon_smtp, mon_webhook, ids))
    clock = SimulatedClock(DAY + dt.timedelta(hours=1))

    def one_pass():
        result = run_probe_pass(db, settings, clock, on_probes=lambda r: pass_alerts(db, r, notifier, clock.now()))
        clock.advance(STEP)
        return result

    try:
        before = one_pass()  # the resolver answers: the planted site's failure is its own
        assert before.outage == "" and [p.unit_id for p in before.failures] == [down]

        set_answering(servers, False)  # the resolver drops every query
        dropped = one_pass()
        stop_dns(servers)  # the resolver is gone: its port is closed
        servers = []
        stopped = one_pass()
    finally:
        stop_dns(servers)

    for result in (dropped, stopped):
        assert result.outage.startswith(OUTAGE_PREFIX), result.outage
        assert "no control host is configured" in result.outage
        assert result.failures == [] and {p.unit_id for p in result.unverified} == set(ids)
        assert all(p.error_class == "unverified" and not p.ok for p in result.probes)

    # No site alert: the down site's two verified failures are two passes apart from the
    # unverified ones, which neither continue nor break the run …
    assert [n.kind for n in notifier.sent] == ["monitor-down"]
    (mail,) = mon_smtp.messages
    assert mail["To"] == "evaluator@zwgk.test"  # the evaluators only, never a unit's department
    assert "监测服务器" in mail["Subject"] and "IPv4" in mail["Subject"]
    (hook,) = mon_webhook.posts
    assert hook["kind"] == "monitor-down" and hook["unit_id"] == "" and OUTAGE_PREFIX in hook["details"]["reason"]
    assert [(a.kind, a.key, a.closed_at) for a in list_alerts(db)] == [("monitor", "ipv4", None)]

    # … the network back (the farm's own resolver): the monitor alert closes with one notice to
    # the evaluators, and the down site has its two consecutive verified failures.
    settings.resolver = farm.resolver
    after = run_probe_pass(db, settings, clock, on_probes=lambda r: pass_alerts(db, r, notifier, clock.now()))
    assert after.outage == "" and [p.unit_id for p in after.failures] == [down]
    kinds = [(n.kind, n.unit_id) for n in notifier.sent]
    assert kinds == [("monitor-down", ""), ("monitor-recovered", ""), ("down", down)]
    assert [m["To"] for m in mon_smtp.messages][:2] == ["evaluator@zwgk.test"] * 2
    assert not any(n.kind == "down" and n.unit_id in healthy for n in notifier.sent)

    # Storage: every probe kept as a record, none of the unverified ones is evidence.
    start, end = DAY, DAY + dt.timedelta(days=1)
    assert probe_count(db) == 4 * len(ids)
    stored = probes_between(db, healthy[0], start, end)
    assert [p.error_class for p in stored] == ["", "unverified", "unverified", ""]
    assert [p.ok for p in latest_probes(db, down, 5, verified_only=True)] == [False, False]
    assert availability_between(db, DAY.date(), DAY.date() + dt.timedelta(days=1)) == {
        u: (2, 2 if u == down else 0) for u in ids
    }
    days = {d.unit_id: d for d in probe_days(db, DAY.date(), DAY.date() + dt.timedelta(days=1))}
    assert (days[healthy[0]].probes, days[healthy[0]].failures, days[healthy[0]].errors) == (2, 0, {})
    history = probe_history(db, healthy[0], DAY.date() + dt.timedelta(days=1))
    assert [h["error_class"] for h in history] == ["", ""]
    # (the 季通报 and the 年考核 roll-up read their availability through availability_between)
    # the fold: verified probes aggregated, unverified ones deleted without counting
    assert aggregate_old_probes(db, DAY + dt.timedelta(days=40), keep_days=30) == 2 * len(ids)
    assert probe_count(db) == 0
    days = {d.unit_id: d for d in probe_days(db, DAY.date(), DAY.date() + dt.timedelta(days=1))}
    assert (days[down].probes, days[down].failures) == (2, 2)
    assert (days[healthy[0]].probes, days[healthy[0]].failures) == (2, 0)


def test_a_week_of_unverified_passes_raises_no_avail_down(db):
    """A week of 20 passes a day, every one during the assessor's outage: stored, but the rules'
    history has nothing of it, so AVAIL-DOWN has nothing to judge; the same probes as real
    timeouts are a veto."""
    rubric = load_rubric("national-2019")
    as_of = dt.date(2026, 11, 28)
    step = dt.timedelta(days=1) / 20
    for unit_id, error_class in (("outage", "unverified"), ("timeouts", "timeout")):
        add_probes(
            db,
            [
                Probe(
                    unit_id,
                    dt.datetime.combine(as_of - dt.timedelta(days=7), dt.time()) + step * i,
                    False,
                    None,
                    None,
                    error_class,
                )
                for i in range(7 * 20)
            ],
        )

    def avail_down(unit_id: str):
        unit = Unit(unit_id, f"{unit_id}县人民政府", "县", "portal", f"http://{unit_id}.gov.test/")
        snapshot = SiteSnapshot(unit, unit.site_url, as_of, history=probe_history(db, unit_id, as_of))
        return [f for f in evaluate(snapshot, rubric) if f.rule == "AVAIL-DOWN"]

    assert avail_down("outage") == []
    (veto,) = avail_down("timeouts")
    assert veto.severity == "veto"


def test_some_sites_down_still_fail_and_answers_are_answers(db, mon_farm, mon_farm_units, mon_add_units):
    farm = mon_farm
    ids = [u.unit_id for u in mon_farm_units]
    (planted,) = _planted(farm, "AVAIL-DOWN")
    settings = ProbeSettings(resolver=farm.resolver, allow_private=True, ipv6=False)
    at = DAY + dt.timedelta(hours=3)

    # two of six down (the planted one and one taken down): their failures count
    other = next(u for u in ids if u != planted)
    farm.set_down(other, True)
    try:
        some = run_probe_pass(db, settings, SimulatedClock(at))
    finally:
        farm.set_down(other, False)
    assert some.outage == "" and some.unverified == []
    assert {p.unit_id for p in some.failures} == {planted, other}

    # every farm site down (most reset: no answer) and four sites whose server accepts the
    # connection and never answers (timeouts): without a control host the silent ones are
    # unverified, a 503 still counts
    hole = socket.create_server(("127.0.0.1", 0), backlog=64)  # listens, never reads: no answer
    silent_units = [
        Unit(f"hole{i}", f"无响应{i}", "县", "portal", f"http://127.0.0.1:{hole.getsockname()[1]}/{i}")
        for i in range(4)
    ]
    mon_add_units(db, silent_units)
    everyone = ids + [u.unit_id for u in silent_units]
    fast = dict(resolver=farm.resolver, allow_private=True, ipv6=False, timeout=2.0)
    for u in ids:
        farm.set_down(u, True)
    try:
        alone = run_probe_pass(db, ProbeSettings(**fast), SimulatedClock(at + STEP), unit_ids=everyone)
        control = f"{farm.farm.origins.external(sorted(farm.farm.external_hosts)[0])}/"
        checked = run_probe_pass(
            db, ProbeSettings(**fast, control_urls=(control,)), SimulatedClock(at + 2 * STEP), unit_ids=everyone
        )
    finally:
        hole.close()
        for u in ids:
            farm.set_down(u, False)
    answered = {p.unit_id for p in alone.probes if p.status is not None}
    assert answered and len(answered) <= 2  # ≥ 80 % of the ten got no answer at all
    assert alone.outage.startswith(OUTAGE_PREFIX) and "no control host is configured" in alone.outage
    assert {p.unit_id for p in alone.unverified} == set(everyone) - answered
    assert {p.unit_id for p in alone.failures} == answered
    # a control host answers: the assessor's network works, every failure is the site's
    assert checked.outage == "" and checked.unverified == [] and len(checked.failures) == len(everyone)

    # refused connections and NXDOMAIN are answers: sites on closed ports and names the
    # resolver says do not exist are failures, not an outage
    closed = [Unit(f"closed{i}", f"关闭{i}", "县", "portal", f"http://127.0.0.1:{free_port()}/") for i in range(3)]
    gone = [Unit(f"gone{i}", f"注销{i}", "县", "portal", f"http://gone{i}.zwgk-nx.gov.cn/") for i in range(3)]
    mon_add_units(db, closed + gone)
    answers = run_probe_pass(db, settings, SimulatedClock(at + 3 * STEP), unit_ids=[u.unit_id for u in closed + gone])
    assert answers.outage == "" and answers.unverified == []
    assert sorted(p.error_class for p in answers.failures) == ["dns"] * 3 + ["refused"] * 3


def test_a_probe_host_without_network_leaves_the_pass_unverified(tmp_path, mon_farm):
    """The pass run in a network namespace with no interface up (``unshare -rn``): the farm,
    its DNS and the control host live outside it and cannot be reached — the assessor's own
    network is down.  The same pass outside the namespace is verified."""
    from zwgk.registry import import_registry
    from zwgk.storage import Database

    assert shutil.which("unshare"), "util-linux"
    farm = mon_farm
    db_path = tmp_path / "ns.db"
    db = Database.open(f"sqlite:///{db_path}")
    import_registry(db, farm.write_registry(tmp_path / "reg.csv"))
    control = f"{farm.farm.origins.external(sorted(farm.farm.external_hosts)[0])}/"
    script = textwrap.dedent(
        f"""
        import datetime as dt, json
        from zwgk.monitor.clock import SimulatedClock
        from zwgk.monitor.probe import ProbeSettings, run_probe_pass
        from zwgk.storage import Database

        db = Database.open("sqlite:///{db_path}")
        settings = ProbeSettings(resolver="{farm.resolver}", allow_private=True, timeout=5.0,
                                 control_urls=("{control}",))
        r = run_probe_pass(db, settings, SimulatedClock(dt.datetime(2026, 11, 24, 2)))
        print(json.dumps({{"outage": r.outage, "failures": len(r.failures), "unverified": len(r.unverified),
                           "errors": r.errors, "ipv6_failures": len(r.ipv6.failures)}}))
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
    try:
        assert report["outage"].startswith(OUTAGE_PREFIX), report
        assert "none of the 1 control hosts answered" in report["outage"]
        assert report["failures"] == 0 and report["unverified"] == 6 and report["ipv6_failures"] == 0
        stored = [p for u in report["errors"] for p in probes_between(db, u, DAY, DAY + dt.timedelta(days=10))]
        assert len(stored) == 6 and all(p.error_class == "unverified" for p in stored)
        assert availability_between(db, dt.date(2026, 11, 24), dt.date(2026, 11, 25)) == {}

        # the same pass with the network: verified, the planted site's failure is its own
        (planted,) = _planted(farm, "AVAIL-DOWN")
        ok = run_probe_pass(
            db,
            ProbeSettings(resolver=farm.resolver, allow_private=True, ipv6=False, control_urls=(control,)),
            SimulatedClock(dt.datetime(2026, 11, 24, 3)),
        )
        assert ok.outage == "" and [p.unit_id for p in ok.failures] == [planted]
    finally:
        db.dispose()
