"""Alerts to a real local SMTP server (aiosmtpd) and a real local webhook, de-duplicated."""

from __future__ import annotations

import datetime as dt

import pytest

from zwgk.model import Unit, ZwgkError
from zwgk.monitor.alerts import AlertConfig, Notifier, check_outages, load_alert_config
from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.probe import ProbeSettings, run_probe_pass
from zwgk.storage.probes import list_alerts

START = dt.datetime(2026, 11, 2, 0, 0)
STEP = dt.timedelta(minutes=72)


def _config(mon_smtp, mon_webhook, n: int = 3) -> AlertConfig:
    return AlertConfig(
        consecutive_failures=n,
        smtp_host=mon_smtp.host,
        smtp_port=mon_smtp.port,
        mail_from="monitor@zwgk.test",
        evaluator_emails=["evaluator@zwgk.test"],
        department_emails={"county": ["webmaster@county.gov.test"]},
        webhook_url=mon_webhook.url,
    )


def test_outage_alerts_once_and_recovery_is_announced(db, mon_gov_site, mon_smtp, mon_webhook, mon_add_units):
    mon_add_units(db, [Unit("county", "某某县人民政府", "县", "portal", mon_gov_site.url())])
    clock = SimulatedClock(START)
    notifier = Notifier(_config(mon_smtp, mon_webhook))
    settings = ProbeSettings(allow_private=True)

    def one_pass():
        run_probe_pass(db, settings, clock, on_probes=lambda r: check_outages(db, r.probes, notifier, clock.now()))
        clock.advance(STEP)

    one_pass()  # up
    mon_gov_site.down = True
    one_pass()
    one_pass()
    assert mon_smtp.messages == [] and mon_webhook.posts == []  # 2 failures: not yet
    one_pass()  # third consecutive failure
    assert len(mon_smtp.messages) == 1
    msg = mon_smtp.messages[0]
    assert "某某县人民政府" in msg["Subject"] and "告警" in msg["Subject"]
    assert "连续 3 次" in msg.get_content()
    assert mon_smtp.handler.envelopes[0][1] == ["evaluator@zwgk.test", "webmaster@county.gov.test"]
    assert [p["kind"] for p in mon_webhook.posts] == ["down"]
    assert mon_webhook.posts[0]["unit_id"] == "county" and len(mon_webhook.posts[0]["details"]["probes"]) == 3

    one_pass()
    one_pass()  # still down: the same outage, no new alert
    assert len(mon_smtp.messages) == 1 and len(mon_webhook.posts) == 1

    mon_gov_site.down = False
    one_pass()
    assert len(mon_smtp.messages) == 2 and "恢复" in mon_smtp.messages[1]["Subject"]
    assert [p["kind"] for p in mon_webhook.posts] == ["down", "recovered"]
    (alert,) = list_alerts(db, "county")
    assert alert.closed_at is not None and alert.opened_at == START + STEP  # first failed probe

    one_pass()  # up again: nothing more
    assert len(mon_smtp.messages) == 2 and notifier.errors == []


def test_interrupted_failures_do_not_alert(db, mon_gov_site, mon_smtp, mon_webhook, mon_add_units):
    mon_add_units(db, [Unit("county", "某某县人民政府", "县", "portal", mon_gov_site.url())])
    clock = SimulatedClock(START)
    notifier = Notifier(_config(mon_smtp, mon_webhook))
    for down in (True, True, False, True, True, False):
        mon_gov_site.down = down
        run_probe_pass(
            db,
            ProbeSettings(allow_private=True),
            clock,
            on_probes=lambda r: check_outages(db, r.probes, notifier, clock.now()),
        )
        clock.advance(STEP)
    assert mon_smtp.messages == [] and mon_webhook.posts == [] and list_alerts(db) == []


def test_unreachable_smtp_is_reported_not_fatal(db, mon_gov_site, mon_add_units):
    from tests.fixtures_monitor import free_port

    mon_add_units(db, [Unit("county", "某某县人民政府", "县", "portal", mon_gov_site.url())])
    mon_gov_site.down = True
    clock = SimulatedClock(START)
    notifier = Notifier(
        AlertConfig(consecutive_failures=1, smtp_host="127.0.0.1", smtp_port=free_port(), evaluator_emails=["e@x.test"])
    )
    run_probe_pass(
        db,
        ProbeSettings(allow_private=True),
        clock,
        on_probes=lambda r: check_outages(db, r.probes, notifier, clock.now()),
    )
    assert len(notifier.sent) == 1 and "alert e-mail" in notifier.errors[0]
    assert len(list_alerts(db)) == 1  # the outage is recorded even though mail failed


def test_config_from_toml_and_environment(tmp_path):
    path = tmp_path / "alerts.toml"
    path.write_text(
        '[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = 2525\nevaluator_emails = ["a@x.test"]\n'
        '[alerts.department_emails]\nu1 = ["d@u1.test"]\n',
        encoding="utf-8",
    )
    cfg = load_alert_config(path, env={"ZWGK_WEBHOOK_URL": "http://127.0.0.1:9/hook", "ZWGK_ALERT_AFTER": "5"})
    assert (cfg.smtp_host, cfg.smtp_port, cfg.consecutive_failures) == ("127.0.0.1", 2525, 5)
    assert cfg.webhook_url == "http://127.0.0.1:9/hook"
    assert cfg.recipients("u1") == ["a@x.test", "d@u1.test"] and cfg.recipients("u2") == ["a@x.test"]

    path.write_text('[alerts]\nsmtp_hots = "x"\n', encoding="utf-8")
    with pytest.raises(ZwgkError, match=r"alerts.toml: unknown alert setting\(s\) smtp_hots"):
        load_alert_config(path, env={})
    path.write_text("[alerts\n", encoding="utf-8")
    with pytest.raises(ZwgkError, match="not valid TOML"):
        load_alert_config(path, env={})


def test_farm_site_going_down_mails_the_evaluator_and_department(db, mon_site, mon_smtp, mon_webhook):
    """The monitor's own jobs (probes every 72 min + alerts) on a simulated day against the farm."""
    from zwgk.monitor.schedule import Job, MonitorConfig, Scheduler, build_jobs

    config = MonitorConfig(
        probes_per_day=20,
        resolver=mon_site.settings.resolver,
        allow_private=True,
        rounds=False,
        bulletins=False,
        annual=False,
        alerts=AlertConfig(
            consecutive_failures=3,
            smtp_host=mon_smtp.host,
            smtp_port=mon_smtp.port,
            evaluator_emails=["evaluator@zwgk.test"],
            department_emails={mon_site.unit.unit_id: ["dept@unit.gov.test"]},
            webhook_url=mon_webhook.url,
        ),
    )
    clock = SimulatedClock(START)
    down_at, up_at = START + dt.timedelta(hours=6, minutes=1), START + dt.timedelta(hours=12, minutes=1)
    toggles = [
        Job("down", lambda t: down_at if t < down_at else None, lambda d: mon_site.set_down(True)),
        Job("up", lambda t: up_at if t < up_at else None, lambda d: mon_site.set_down(False)),
    ]
    runs = Scheduler(clock, toggles + build_jobs(db, config, clock)).run(until=START + dt.timedelta(days=1))
    assert all(r.ok for r in runs), [r.error for r in runs if not r.ok]

    down = [m for m in mon_smtp.messages if mon_site.unit.name in m["Subject"] and "告警" in m["Subject"]]
    assert len(down) == 1  # one alert for the 6-hour outage, not one per failed probe
    assert mon_site.unit.site_url in down[0].get_content()
    rcpts = [r for _, r in mon_smtp.handler.envelopes]
    assert ["evaluator@zwgk.test", "dept@unit.gov.test"] in rcpts
    recovered = [m for m in mon_smtp.messages if mon_site.unit.name in m["Subject"] and "恢复" in m["Subject"]]
    assert len(recovered) == 1
    hooks = [p for p in mon_webhook.posts if p["unit_id"] == mon_site.unit.unit_id]
    assert [p["kind"] for p in hooks] == ["down", "recovered"]
    # failed probes at 07:12, 08:24, 09:36: the third one raised the alert
    assert dt.datetime.fromisoformat(hooks[0]["at"]) == START + dt.timedelta(minutes=72 * 8)
    # the farm's planted unreachable site was down all day: one alert, never a recovery
    planted = {d["unit_id"] for d in mon_site.farm.truth["defects"] if d["rule"] == "AVAIL-DOWN"}
    for unit_id in planted:
        assert [p["kind"] for p in mon_webhook.posts if p["unit_id"] == unit_id] == ["down"]
