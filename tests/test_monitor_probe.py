"""Probes against real local servers: status, error classes, newest item date, fingerprint, CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from tests.fixtures_monitor import free_port
from zwgk.model import Unit
from zwgk.monitor.clock import SimulatedClock
from zwgk.monitor.homepage import read_homepage
from zwgk.monitor.probe import ProbeSettings, probe_units, run_probe_pass
from zwgk.storage.probes import probes_between

AT = dt.datetime(2026, 11, 24, 2, 0)


def _unit(uid: str, url: str) -> Unit:
    return Unit(uid, f"{uid}县人民政府", "县", "portal", url)


def test_up_site_gives_newest_item_date_not_the_header_clock(mon_gov_site):
    mon_gov_site.newest = dt.date(2026, 11, 18)
    result = probe_units([_unit("a", mon_gov_site.url())], ProbeSettings(allow_private=True), SimulatedClock(AT))
    (p,) = result.probes
    assert (p.ok, p.status, p.error_class) == (True, 200, "")
    assert p.newest_date == dt.date(2026, 11, 18)  # the header says today's date; it is not an item
    assert p.at == AT and p.latency_ms is not None and len(p.fingerprint) == 16


def test_fingerprint_changes_when_items_change(mon_gov_site):
    units = [_unit("a", mon_gov_site.url())]
    first = probe_units(units, ProbeSettings(allow_private=True), SimulatedClock(AT)).probes[0]
    again = probe_units(units, ProbeSettings(allow_private=True), SimulatedClock(AT)).probes[0]
    mon_gov_site.newest = dt.date(2026, 11, 23)
    changed = probe_units(units, ProbeSettings(allow_private=True), SimulatedClock(AT)).probes[0]
    assert first.fingerprint == again.fingerprint != changed.fingerprint
    assert changed.newest_date == dt.date(2026, 11, 23)


def test_error_classes(mon_gov_site):
    mon_gov_site.down = True
    closed = free_port()
    units = [
        _unit("down", mon_gov_site.url()),
        _unit("missing", mon_gov_site.url("/nope")),
        _unit("closed", f"http://127.0.0.1:{closed}/"),
    ]
    got = {p.unit_id: p for p in probe_units(units, ProbeSettings(allow_private=True), SimulatedClock(AT)).probes}
    assert (got["down"].ok, got["down"].status, got["down"].error_class) == (False, 503, "http5xx")
    assert (got["missing"].ok, got["missing"].error_class) == (False, "http4xx")
    assert (got["closed"].ok, got["closed"].status, got["closed"].error_class) == (False, None, "refused")


def test_private_targets_are_refused_unless_allowed(mon_gov_site):
    result = probe_units([_unit("a", mon_gov_site.url())], ProbeSettings(), SimulatedClock(AT))
    assert result.probes == [] and "private" in result.refused["a"]
    assert mon_gov_site.hits == 0


def test_timeout_is_a_failed_visit():
    import socket
    import threading

    # a server that accepts and never answers
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    port = srv.getsockname()[1]
    conns = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        result = probe_units(
            [_unit("slow", f"http://127.0.0.1:{port}/")],
            ProbeSettings(allow_private=True, timeout=0.5),
            SimulatedClock(AT),
        )
    finally:
        stop.set()
        t.join()
        srv.close()
    (p,) = result.probes
    assert (p.ok, p.error_class) == (False, "timeout")


def test_homepage_reader_short_dates_and_future_dates():
    html = (
        "<ul><li><a href='/1'>甲</a> 11-20</li><li><a href='/2'>乙</a> 12-30</li>"
        "<li><a href='/3'>丙</a><span>2027-01-05</span></li></ul>"
    )
    newest, _ = read_homepage(html, dt.date(2026, 11, 24))
    # 12-30 without a year is last year's; 2027-01-05 is in the future and ignored
    assert newest == dt.date(2026, 11, 20)
    assert read_homepage("<p>今天是2026年11月24日</p><a href='/x'>无日期</a>", dt.date(2026, 11, 24))[0] is None


def test_probe_pass_stores_and_cli_reports(db, db_url, mon_gov_site, mon_add_units):
    mon_add_units(db, [_unit("a", mon_gov_site.url()), _unit("b", mon_gov_site.url("/gone"))])
    result = run_probe_pass(db, ProbeSettings(allow_private=True), SimulatedClock(AT))
    assert sorted(p.unit_id for p in result.probes) == ["a", "b"]
    stored = probes_between(db, "b", AT, AT + dt.timedelta(minutes=1))
    assert [(p.ok, p.error_class) for p in stored] == [(False, "http4xx")]

    from zwgk.cli import app

    out = CliRunner().invoke(app, ["probe", "--db", db_url, "--allow-private", "--at", "2026-11-24T10:00+08:00"])
    assert out.exit_code == 0, out.output
    assert "1 可访问 ok" in out.output and "b: http4xx" in out.output
    assert len(probes_between(db, "a", AT, AT + dt.timedelta(seconds=1))) == 2  # 10:00 Beijing = 02:00 UTC


def test_cli_rejects_bad_time(db_url):
    from zwgk.cli import app

    out = CliRunner().invoke(app, ["probe", "--db", db_url, "--at", "yesterday"])
    assert out.exit_code != 0
    assert "--at 'yesterday' is not a date-time" in str(out.exception)


def test_monitor_daemon_probes_and_stops_cleanly_on_sigterm(db, db_url, mon_gov_site, mon_add_units, tmp_path):
    """``zwgk monitor`` as systemd runs it: a real process on the real clock, stopped by SIGTERM."""
    import signal
    import subprocess
    import sys
    import time

    from zwgk.storage.probes import probe_count

    mon_add_units(db, [_unit("a", mon_gov_site.url())])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "monitor",
            "--db",
            db_url,
            "--allow-private",
            "--no-rounds",
            "--probes-per-day",
            "86400",
            "--bulletin-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        while probe_count(db) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert probe_count(db) >= 2, proc.stdout.read() if proc.poll() is not None else "no probes stored"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "probes" in out and "stopping" in out
    assert mon_gov_site.hits >= 2


# ------------------------------------------------------------------ the probe's SSRF guard


def _redirecting_server():
    from aiohttp import web

    from tests.fixtures_monitor import ThreadedApp

    async def hop(request):
        target = request.query.get("to", "")
        raise web.HTTPFound(target or "/home")

    async def home(request):
        return web.Response(text="<html><title>首页</title></html>", content_type="text/html")

    async def loop(request):
        raise web.HTTPFound("/loop")

    app = web.Application()
    app.add_routes([web.get("/hop", hop), web.get("/home", home), web.get("/loop", loop)])
    return ThreadedApp(app).start()


def _fetch(url: str, allow_private: bool):
    import asyncio

    from zwgk.monitor.fetch import fetch_homepage, make_session

    async def go():
        async with make_session(None, allow_private, 4, 5.0) as session:
            return await fetch_homepage(session, url, allow_private=allow_private, timeout=5.0)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "100.100.100.200", "100.64.3.4", "[::ffff:10.0.0.1]", "127.0.0.1"]
)
def test_probe_refuses_what_the_crawler_refuses(address):
    from zwgk.crawlers.net import is_refused_address
    from zwgk.monitor.fetch import PolicyRefused, is_forbidden_address

    assert is_forbidden_address(address.strip("[]")) == is_refused_address(address.strip("[]")) is True
    with pytest.raises(PolicyRefused):
        _fetch(f"http://{address}/", allow_private=False)


def test_probe_checks_every_redirect_hop():
    from zwgk.monitor.fetch import PolicyRefused

    server = _redirecting_server()
    try:
        base = f"http://127.0.0.1:{server.port}"
        ok = _fetch(f"{base}/hop", allow_private=True)
        assert ok.ok and ok.status == 200 and ok.final_url == f"{base}/home"
        looped = _fetch(f"{base}/loop", allow_private=True)
        assert not looped.ok and "redirects" in looped.error
        # a redirect into a cloud-metadata address is refused at that hop, even with allow_private
        for target in ("http://169.254.169.254/latest/meta-data/", "http://100.100.100.200/latest/meta-data/"):
            with pytest.raises(PolicyRefused, match=target.split("/")[2]):
                _fetch(f"{base}/hop?to={target}", allow_private=True)
    finally:
        server.stop()
