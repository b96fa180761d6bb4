"""存档证据 in the dashboard: the archived page behind a finding, shown as a department's own
evidence only, in a real Chromium, with no script run and no request leaving the dashboard."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures_dashboard import PASSWORDS, FarmDashboard
from zwgk.dashboard import launch, queries, wait_ready
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import Database
from zwgk.storage.rounds import require_round

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WAIT_MS = 30_000


def test_a_department_gets_only_its_own_units_evidence(farm_dash: FarmDashboard):
    db = Database.open(farm_dash.url)
    round_id = require_round(db, farm_dash.round_name).id
    dept_a = Viewer("dept_a", "department", (farm_dash.a_id,))
    findings = queries.evidence_findings(db, dept_a, round_id, farm_dash.a_id)
    assert not findings.empty
    real = findings[findings["page"].str.startswith("http")].iloc[0]
    ev = queries.finding_evidence(db, dept_a, round_id, farm_dash.a_id, real["rule"], real["subject"])
    assert ev.unit_id == farm_dash.a_id and ev.pages
    assert all(farm_dash.a_host in p.url or p.url in ev.findings[0]["urls"] for p in ev.pages)
    home = next(p for p in ev.pages if p.url == ev.homepage)
    assert home.status == 200 and home.fetched_at is not None and b"<" in home.body
    for call in (
        lambda: queries.finding_evidence(db, dept_a, round_id, farm_dash.b_id),
        lambda: queries.evidence_findings(db, dept_a, round_id, farm_dash.b_id),
    ):
        with pytest.raises(PermissionError):
            call()
    leader = Viewer("leader", "leader")
    assert queries.finding_evidence(db, leader, round_id, farm_dash.b_id).unit_id == farm_dash.b_id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(farm_dash: FarmDashboard) -> Iterator[str]:
    port = _free_port()
    proc: subprocess.Popen = launch(farm_dash.url, port=port, host="127.0.0.1", block=False)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, timeout=60, proc=proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def page(request):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1600})
        pg = context.new_page()
        pg.requested = []  # type: ignore[attr-defined]
        pg.dialogs = []  # type: ignore[attr-defined]
        context.on("request", lambda r: pg.requested.append(r.url))  # type: ignore[attr-defined]
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        yield pg
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"dashboard-{request.node.name}-end.png"), full_page=True)
        browser.close()


def _login(pg, base: str, user: str, path: str) -> None:
    pg.goto(base + path)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(PASSWORDS[user])
    pg.get_by_role("button", name="登录").click()
    pg.get_by_role("button", name="退出登录").wait_for(timeout=WAIT_MS)


def test_archived_homepage_renders_inert_in_chromium(server, page, farm_dash):
    _login(page, server, "dept_a", f"/?page=evidence&unit={farm_dash.a_id}")
    page.get_by_role("heading", name="存档证据").wait_for(timeout=WAIT_MS)
    page.get_by_text("HTTP 状态").first.wait_for(timeout=WAIT_MS)
    # Streamlit's component frame holds our sandboxed frame; find the archived page's frame.
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).length > 0", timeout=WAIT_MS)
    inner = None
    for _ in range(100):
        inner = next(
            (
                f
                for f in page.frames
                if f.url == "about:srcdoc" and f.parent_frame is not None and f.parent_frame.url == "about:srcdoc"
            ),
            None,
        )
        if inner is not None and inner.query_selector("body") is not None:
            break
        page.wait_for_timeout(200)
    assert inner is not None, [f.url for f in page.frames]
    sandbox = inner.frame_element().get_attribute("sandbox")
    assert sandbox == "", "the archived page's frame must carry every sandbox restriction"
    csp = inner.eval_on_selector("meta[http-equiv='Content-Security-Policy']", "m => m.content")
    assert "default-src 'none'" in csp
    assert inner.query_selector_all("script") == [] and inner.query_selector_all("a[href]") == []
    assert inner.inner_text("body").strip(), "the archived homepage's text is shown"
    page.get_by_role("tab", name="源代码").click()
    page.locator("code", has_text="<html").first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    # Nothing but the dashboard itself was requested: no archived resource, no farm site.
    foreign = [u for u in page.requested if not u.startswith((server, "data:", "about:", "blob:"))]
    assert foreign == []
    assert page.dialogs == []


def test_a_department_cannot_open_another_units_evidence(server, page, farm_dash):
    _login(page, server, "dept_a", f"/?page=evidence&unit={farm_dash.b_id}")
    page.get_by_text("无权").first.wait_for(timeout=WAIT_MS)
    body = page.inner_text("body")
    assert farm_dash.b_host not in body
