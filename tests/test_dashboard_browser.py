"""End to end in a real Chromium (Debian's, driven by Playwright) against a running `streamlit run`.

The dashboard runs on 127.0.0.1 on a free port against a SQLite database made
by one real farm round (``tests.fixtures_dashboard.farm_dashboard``: a small
site farm crawled, evaluated and scored by ``zwgk.app.run_round``,
plus one finding with a ``<script>`` title added to department A).  Screenshots
go to test-artifacts/ (gitignored).

Streamlit's dataframes are glide-data-grid canvases; their accessible,
visually hidden table holds only the cells currently scrolled into view, so
:func:`grid_text` scrolls every grid across and down to read all of it (a leak
in an off-screen column would otherwise go unseen).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.fixtures_dashboard import FORMULA, PASSWORDS, SCRIPT, FarmDashboard
from zwgk.dashboard import launch, wait_ready
from zwgk.storage import users
from zwgk.storage.db import Database

pytestmark = pytest.mark.browser

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
WAIT_MS = 20_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(farm_dash: FarmDashboard) -> Iterator[str]:
    """`zwgk.dashboard.launch` on a free loopback port over the farm round; yields the base URL."""
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (own session) that records any JavaScript dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:
        pg.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"dashboard-{request.node.name}-end.png"), full_page=True)
    context.close()


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def login(pg, base: str, user: str, password: str, path: str = "/") -> None:
    pg.goto(base + path)
    pg.get_by_label("用户名").fill(user)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录").click()


def logged_in(pg) -> None:
    pg.get_by_role("button", name="退出登录").wait_for(timeout=WAIT_MS)


def settle(pg) -> None:
    """Wait until Streamlit has finished the current script run (its running indicator is gone)."""
    pg.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)


def wait_cell(pg, text: str) -> None:
    """Wait until a dataframe cell in view (the grid's accessible, visually hidden table) holds ``text``."""
    pg.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text=text).first.wait_for(
        state="attached", timeout=WAIT_MS
    )


_READ_GRID = """
async (grid) => {
  const scroller = grid.querySelector('.dvn-scroller');
  const cells = () => Array.from(grid.querySelectorAll('[role="gridcell"]'), c => c.innerText);
  const heads = () => Array.from(grid.querySelectorAll('[role="columnheader"], [role="gridcell"]'),
                                 c => c.innerText).join('\\u0001');
  if (!scroller) return cells();
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  // the accessible table follows a scroll a few frames later: wait until it changed (at most 2 s)
  const scrollTo = async (x, y) => {
    const before = heads();
    scroller.scrollTo(x, y);
    scroller.dispatchEvent(new Event('scroll'));
    for (let i = 0; i < 80 && heads() === before; i++) await sleep(25);
    await sleep(50);
  };
  const seen = [];
  const stepX = Math.max(50, scroller.clientWidth - 40);
  const stepY = Math.max(30, scroller.clientHeight - 40);
  for (let y = 0; ; y += stepY) {
    for (let x = 0; ; x += stepX) {
      if (x || y) await scrollTo(x, y);
      seen.push(...cells());
      if (x + scroller.clientWidth >= scroller.scrollWidth) break;
    }
    if (y + scroller.clientHeight >= scroller.scrollHeight) break;
  }
  if (scroller.scrollLeft || scroller.scrollTop) await scrollTo(0, 0);
  return seen;
}
"""


def grid_text(pg, timeout: float = WAIT_MS) -> str:
    """Every cell of every dataframe on the page, scrolled into view one screenful at a time."""
    texts: list[str] = []
    for grid in pg.locator('[data-testid="stDataFrame"]').all():
        texts += grid.evaluate(_READ_GRID, timeout=timeout)
    return "\n".join(texts)


def wait_grid(pg, check, what: str) -> str:
    """Re-read the grids until ``check(text)`` holds (a grid repaints a moment after its script run;
    one that the run removed while it was being read is read again with the others)."""
    from playwright.sync_api import Error as PlaywrightError

    text = ""
    for _ in range(WAIT_MS // 250):
        try:
            text = grid_text(pg, timeout=2_000)
        except PlaywrightError:  # a grid listed a moment ago is gone (the page changed): read again
            text = ""
        if text and check(text):
            return text
        pg.wait_for_timeout(250)
    raise AssertionError(f"grid never showed {what}; it holds:\n{text}")


def page_text(pg) -> str:
    return pg.locator("body").inner_text() + "\n" + grid_text(pg)


def selectbox_options(pg, label: str) -> list[str]:
    """Open a selectbox by its label and list the options the browser offers."""
    combo = pg.get_by_role("combobox", name=label, exact=True)
    combo.locator("xpath=..").get_by_role("button", name="Open").click()
    options = pg.locator('[role="option"]')
    options.first.wait_for(timeout=WAIT_MS)
    texts = options.all_inner_texts()
    pg.keyboard.press("Escape")
    return texts


def leaks(text: str, fd: FarmDashboard) -> list[str]:
    """Which of department B's markers (unit id, name, site host) appear in ``text``."""
    return [m for m in fd.b_markers if m in text]


def xlsx_text(path: Path) -> tuple[str, dict[str, list[list[str]]]]:
    """All cell text of a workbook, and each sheet's rows (cells as strings) by sheet name."""
    wb = openpyxl.load_workbook(path, read_only=True)
    sheets = {
        ws.title: [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
        for ws in wb.worksheets
    }
    return "\n".join(c for rows in sheets.values() for row in rows for c in row if c), sheets


def pdf_text(path: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed to read the PDF back"
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_leader_logs_in_and_sees_the_ranking(server, page, farm_dash):
    fd = farm_dash
    first_tier = fd.tiers[fd.a_id]  # the farm's first department is provincial: the first tier shown
    login(page, server, "leader", PASSWORDS["leader"])
    logged_in(page)
    page.get_by_role("heading", name="总览").wait_for(timeout=WAIT_MS)
    wait_cell(page, fd.a_name)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=WAIT_MS)
    settle(page)
    cells = grid_text(page)
    tier_units = [u for u, t in fd.tiers.items() if t == first_tier]
    assert len(tier_units) >= 2
    for unit_id in tier_units:
        assert fd.names[unit_id] in cells and unit_id in cells
    others = [u for u, t in fd.tiers.items() if t != first_tier]
    assert others and not [fd.names[u] for u in others if fd.names[u] in cells]  # ranking is per tier
    assert "参评单位" in page_text(page) and "合格率" in page_text(page)
    assert f"{len(fd.names)}" in page.locator('[data-testid="stMetric"]').first.inner_text()
    assert "None" not in cells and "nan" not in cells.split()  # a missing value reads "—" in a Chinese UI
    assert page.locator(".js-plotly-plot").count() >= 2  # score bars, findings by rule
    shot(page, "leader-overview")
    # search narrows the ranking to one unit
    page.get_by_label("搜索单位（名称或编码）").fill(fd.b_name)
    page.get_by_label("搜索单位（名称或编码）").press("Enter")
    page.get_by_text("共 1 个单位").wait_for(timeout=WAIT_MS)
    settle(page)
    cells = wait_grid(
        page,
        lambda t: fd.a_name not in t and fd.b_name in t,  # 门户 and 部门 tables repaint apart
        f"the search result: {fd.b_name} without {fd.a_name}",
    )
    assert fd.b_name in cells and fd.b_id in cells
    assert page.dialogs == []


def test_leader_sees_b_list_so_the_leak_markers_are_visible_when_allowed(server, page, farm_dash):
    """The control for the department tests: B's list, when allowed, shows every marker they look for."""
    fd = farm_dash
    login(page, server, "leader", PASSWORDS["leader"], f"/?page=rectification&unit={fd.b_id}")
    logged_in(page)
    page.get_by_role("heading", name="整改清单").wait_for(timeout=WAIT_MS)
    text = wait_grid(page, lambda t: fd.b_host in t, f"{fd.b_id}'s items")
    assert fd.b_name in page_text(page) and fd.b_id in page_text(page)
    assert SCRIPT not in text  # and nothing of A's


def test_wrong_password_is_refused(server, page):
    login(page, server, "leader", "not-the-password")
    page.get_by_text("登录失败").wait_for(timeout=WAIT_MS)
    assert page.get_by_role("button", name="退出登录").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    shot(page, "wrong-password")


def test_department_downloads_only_its_own_xlsx_csv_and_pdf(server, page, tmp_path, farm_dash):
    fd = farm_dash
    login(page, server, "dept_a", PASSWORDS["dept_a"])
    logged_in(page)
    page.get_by_role("heading", name="整改清单").wait_for(timeout=WAIT_MS)
    wait_cell(page, SCRIPT)
    settle(page)
    shot(page, "department-rectification")
    shown = grid_text(page)
    for subject in fd.a_subjects:
        assert subject in shown
    assert "按要求整改" in shown  # the 整改要求 column
    # the open items, readable in full: crawled URLs inside messages are text, never links
    assert page.get_by_text("待办事项").count() == 1
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if fd.a_host in h], hrefs
    assert page.locator('[data-testid="stMetric"]').first.inner_text().split() == ["整改事项", str(len(fd.a_subjects))]
    assert not leaks(shown, fd)

    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="下载 xlsx").click()
    path = tmp_path / "a.xlsx"
    info.value.save_as(path)
    text, sheets = xlsx_text(path)
    assert SCRIPT in text
    for subject in fd.a_subjects:
        assert subject in text
    assert not leaks(text, fd)
    rows = sheets["整改清单"]
    unit_col = next(i for i, h in enumerate(rows[0]) if h in ("unit_id", "单位编码", "单位ID"))
    items = [r for r in rows[1:] if any(r)]
    assert len(items) == len(fd.a_subjects) and {r[unit_col] for r in items} == {fd.a_id}  # only A's rows

    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="下载 CSV").click()
    csv_text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert fd.a_id in csv_text and SCRIPT in csv_text and not leaks(csv_text, fd)

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载整改通知书 (PDF)").click()
    pdf = Path(info.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    flat = "".join(pdf_text(pdf).split())  # pdftotext wraps long lines
    assert fd.a_name in flat and not leaks(flat, fd)

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="下载整改通知书 (Word)").click()
    import docx

    word = docx.Document(str(info.value.path()))
    text = "\n".join([p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells])
    assert f"{fd.a_name}：" in text and SCRIPT in text and not leaks(text, fd)


def deep_links(fd: FarmDashboard) -> list[str]:
    """Addresses a department A user might type to reach B's data (or pages it may not open)."""
    return [
        f"/?page=rectification&unit={fd.b_id}",
        f"/?page=unit&unit={fd.b_id}",
        f"/?page=unit&unit={fd.b_id}&round={fd.round_name}",
        "/?page=overview",
        f"/?page=workbench&unit={fd.b_id}",
        f"/?page=evidence&unit={fd.b_id}",
        f"/?page=reports&unit={fd.b_id}",
        f"/?page=media&unit={fd.b_id}",
    ]


def test_department_cannot_reach_another_units_list_by_any_page_or_widget(server, page, farm_dash):
    fd = farm_dash
    own = f"{fd.a_name}（{fd.a_id}）"
    login(page, server, "dept_a", PASSWORDS["dept_a"])
    logged_in(page)
    wait_cell(page, SCRIPT)
    settle(page)
    # widgets: the page radio and every unit selectbox offer only its own unit
    radios = page.locator('[data-testid="stSidebar"] [role="radiogroup"] label').all_inner_texts()
    assert [r.strip() for r in radios] == [
        "整改清单",
        "单位详情",
        "政府信息公开年报",
        "政务新媒体",
        "存档证据",
        "年度考核",
    ]
    assert selectbox_options(page, "单位") == [own]
    assert not leaks(page_text(page), fd)
    page.locator('[data-testid="stSidebar"] label').filter(has_text="单位详情").click()
    page.get_by_role("heading", name="单位详情").wait_for(timeout=WAIT_MS)
    wait_cell(page, SCRIPT)
    settle(page)
    assert selectbox_options(page, "单位") == [own]
    text = page_text(page)
    assert fd.a_name in text and not leaks(text, fd)
    # query parameters, typed into the address bar of a logged-in session (the cookie keeps the login)
    for i, link in enumerate(deep_links(fd)):
        page.goto(server + link)
        logged_in(page)
        page.get_by_text("无权").first.wait_for(timeout=WAIT_MS)
        settle(page)
        # the refusal may echo the unit id the user typed; B's data (name, host, rows) must not appear
        assert not leaks(page.locator("body").inner_text().replace(fd.b_id, ""), fd), link
        assert not leaks(grid_text(page), fd), link
        shot(page, f"department-deep-link-{i}")
    assert page.dialogs == []


def test_script_title_shows_as_text_and_never_runs(server, page, farm_dash):
    login(page, server, "dept_a", PASSWORDS["dept_a"], f"/?page=unit&unit={farm_dash.a_id}")
    logged_in(page)
    page.get_by_role("heading", name="单位详情").wait_for(timeout=WAIT_MS)
    wait_cell(page, SCRIPT)
    settle(page)
    # choose the finding in the details selectbox by typing (the selectbox filters its options)
    combo = page.get_by_role("combobox", name="问题详情", exact=True)
    combo.click()
    page.keyboard.type("alert(1)")
    page.locator('[role="option"]', has_text=SCRIPT).first.wait_for(timeout=WAIT_MS)
    page.keyboard.press("Enter")
    page.get_by_text(f"对象：{SCRIPT}").wait_for(timeout=WAIT_MS)  # the details, as literal text
    settle(page)
    assert SCRIPT in grid_text(page)
    assert page.get_by_text(f"问题描述：{SCRIPT}").is_visible()
    assert page.locator("script", has_text="alert(1)").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    page.wait_for_timeout(500)
    assert page.dialogs == []
    shot(page, "script-title-as-text")


# --------------------------------------------------------------------------- issue 17: login, session, headers


@pytest.fixture
def db(farm_dash: FarmDashboard) -> Iterator[Database]:
    """The server's database, for arranging users and reading what a login stored."""
    database = Database.open(farm_dash.url)
    yield database
    users.clear_throttle(database)  # the next test logs in from 127.0.0.1 too
    database.dispose()


def _submit_without_waiting(pg) -> None:
    pg.evaluate("document.querySelector('form').requestSubmit()")


def test_sixteen_parallel_wrong_logins_count_as_sixteen_failures(server, browser, db):
    users.add_user(db, "parallel", "parallel-pass-1", "evaluator", rounds=10)  # ~0.1 s a check: they overlap
    users.clear_throttle(db)
    contexts = [browser.new_context() for _ in range(16)]
    pages = [c.new_page() for c in contexts]
    try:
        for i, pg in enumerate(pages):
            pg.goto(server + "/")
            pg.get_by_label("用户名").fill("parallel")
            pg.get_by_label("密码").fill(f"wrong-guess-{i:02d}")
        for pg in pages:  # all sixteen in flight before the first answer
            _submit_without_waiting(pg)
        answers = []
        for pg in pages:
            pg.locator(".err").wait_for(timeout=WAIT_MS)
            answers.append(pg.locator(".err").inner_text())
    finally:
        for c in contexts:
            c.close()
    assert all(a.startswith("登录失败") for a in answers), answers
    blocked = sum("次数过多" in a for a in answers)
    counted = users.failures(db, users.account_key("parallel"))
    assert users.failures(db, users.client_key("127.0.0.1")) == 16  # every attempt, refused or not
    refused_unchecked = blocked - max(0, counted - users.MAX_FAILURES + 1)
    assert counted + refused_unchecked == 16 and counted >= users.MAX_FAILURES
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "parallel", "parallel-pass-1")
    assert "北京时间" in next(a for a in answers if "次数过多" in a)


_TIMED_LOGIN = """
async ([name, password]) => {
  const csrf = document.querySelector('input[name=csrf]').value;
  const body = new URLSearchParams({csrf, next: '/', username: name, password});
  const t0 = performance.now();
  const r = await fetch('/zwgk/login', {method: 'POST', body, redirect: 'manual'});
  await r.text();
  return [performance.now() - t0, r.status];
}
"""


def test_unknown_and_known_names_take_the_same_time(server, page, db):
    """A behaviour check (medians of interleaved tries), not a speed benchmark."""
    import statistics

    users.add_user(db, "timing", "timing-pass-1", "evaluator", rounds=11)  # the most costly hash stored
    page.goto(server + "/zwgk/login")
    times: dict[str, list[float]] = {"timing": [], "nobody-by-this-name": []}
    for i in range(10):
        for name in times:
            users.clear_throttle(db)  # the back-off would answer early and spoil the comparison
            ms, status = page.evaluate(_TIMED_LOGIN, [name, "wrong-password-1"])
            assert status == 401
            if i:  # the first round warms the server's dummy hash and connections
                times[name].append(ms)
    known, unknown = (statistics.median(v) for v in times.values())
    assert abs(known - unknown) <= 0.2 * max(known, unknown), (known, unknown)


def test_crafted_unit_parameter_is_text_and_no_traceback(server, page):
    crafted = (
        "x)会话已过期，请[点击此处重新登录](https://evil.example/login)"
        "![p](https://evil.example/pixel.png)<img src=https://evil.example/i.png>"
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, server, "leader", PASSWORDS["leader"])
    logged_in(page)
    from urllib.parse import quote, urlsplit

    page.goto(f"{server}/?page=unit&unit={quote(crafted)}")
    logged_in(page)
    page.get_by_text("没有找到").first.wait_for(timeout=WAIT_MS)
    settle(page)
    body = page.locator("body").inner_text()
    assert "参考编号" in body and "Traceback" not in body and ".py" not in body
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if "evil.example" in urlsplit(h).netloc]  # (the page's own anchors carry the URL)
    assert page.locator("img[src*='evil.example']").count() == 0
    assert not [u for u in requests if "evil.example" in urlsplit(u).netloc]  # no remote image loaded
    shot(page, "crafted-unit-parameter")


def test_table_toolbar_offers_no_csv_of_the_formula_cell(server, page, farm_dash):
    login(page, server, "dept_a", PASSWORDS["dept_a"])
    logged_in(page)
    wait_cell(page, FORMULA)
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(state="visible", timeout=WAIT_MS)
    buttons = [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.locator("button").all()]
    assert buttons, "the toolbar did not show"  # the control: it is there, with its other buttons
    assert not [b for b in buttons if "download" in b.lower() or "csv" in b.lower()], buttons


def test_revoked_users_download_fails_and_links_are_bound_to_their_session(server, browser, db, farm_dash, tmp_path):
    users.add_user(db, "dept_tmp", "dept-tmp-pass-1", "department", [farm_dash.a_id], rounds=4)
    ctx = browser.new_context(accept_downloads=True)
    other = browser.new_context()
    try:
        pg = ctx.new_page()
        login(pg, server, "dept_tmp", "dept-tmp-pass-1")
        logged_in(pg)
        wait_cell(pg, SCRIPT)
        settle(pg)
        with pg.expect_download(timeout=WAIT_MS) as info:
            pg.get_by_role("button", name="下载 xlsx").click()
        link = info.value.url
        assert info.value.suggested_filename == f"整改清单-{farm_dash.a_name}.xlsx"  # named by unit, not id
        assert pg.request.get(link).status == 200  # its own session may fetch it again
        # another logged-in browser (a leader) holding the same link gets nothing
        opg = other.new_page()
        login(opg, server, "leader", PASSWORDS["leader"])
        logged_in(opg)
        assert opg.request.get(link).status == 403
        assert opg.request.get(link, headers={"Range": "bytes=0-"}).status == 403  # nor in part
        # the user is removed while the page stays open: the link and the button both fail
        users.remove_user(db, "dept_tmp")
        assert pg.request.get(link).status == 403
        got = []
        pg.on("download", lambda d: got.append(d))
        pg.get_by_role("button", name="下载 CSV").click()
        pg.wait_for_timeout(4_000)
        assert got == []
    finally:
        ctx.close()
        other.close()


def test_app_refuses_to_render_in_a_foreign_frame(server, page):
    import http.server
    import threading

    port = _free_port()
    framing = f'<html><body><iframe id="f" src="{server}/zwgk/login" width="800" height="600"></iframe></body></html>'

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(framing.encode())

        def log_message(self, *args) -> None:
            pass

    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://localhost:{port}/")  # another origin (another host name and port)
        page.wait_for_timeout(2_000)
        child = next(f for f in page.frames if f != page.main_frame)
        assert child.locator("#username").count() == 0  # the login form never rendered in it
        shot(page, "foreign-frame")
    finally:
        attacker.shutdown()
    headers = page.request.get(server + "/zwgk/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_metrics_endpoint_is_closed(server, page):
    assert page.request.get(server + "/_stcore/metrics").status == 404
    assert page.request.get(server + "/_stcore/health").status == 200


def test_reload_and_new_tab_keep_the_login_and_logout_ends_it(server, page, farm_dash):
    login(page, server, "leader", PASSWORDS["leader"])
    logged_in(page)
    page.reload()
    logged_in(page)
    tab = page.context.new_page()
    tab.goto(server + f"/?page=unit&unit={farm_dash.b_id}")
    # a second live session on a loaded 2-core box: allow it longer than one page's usual wait
    tab.get_by_role("button", name="退出登录").wait_for(timeout=3 * WAIT_MS)
    tab.get_by_role("heading", name="单位详情").wait_for(timeout=3 * WAIT_MS)
    cookie = next(c for c in page.context.cookies() if c["name"] == "zwgk_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    assert page.evaluate("document.cookie").find("zwgk_session") == -1  # page scripts never see it
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("请先登录").wait_for(timeout=WAIT_MS)
    page.reload()
    page.get_by_label("用户名").wait_for(timeout=WAIT_MS)  # the old cookie no longer logs in
    tab.reload()
    tab.get_by_label("用户名").wait_for(timeout=WAIT_MS)
    tab.close()


def test_a_stranger_cannot_lock_out_a_browser_that_logged_in_before(server, browser, db):
    users.add_user(db, "lead2", "lead2-pass-1", "leader", rounds=4)
    own = browser.new_context()
    stranger = browser.new_context()
    try:
        pg = own.new_page()
        login(pg, server, "lead2", "lead2-pass-1")
        logged_in(pg)
        spg = stranger.new_page()
        for _ in range(users.MAX_FAILURES):
            login(spg, server, "lead2", "wrong-wrong-1")
            spg.locator(".err").wait_for(timeout=WAIT_MS)
        assert "次数过多" in spg.locator(".err").inner_text()
        users.clear_throttle(db, users.client_key("127.0.0.1"))  # both browsers share 127.0.0.1 here
        login(spg, server, "lead2", "lead2-pass-1")  # the stranger's browser: still blocked
        assert "次数过多" in spg.locator(".err").inner_text()
        pg.goto(server + "/zwgk/logout")
        login(pg, server, "lead2", "lead2-pass-1")  # her own browser (device cookie): in
        logged_in(pg)
    finally:
        own.close()
        stranger.close()


def test_websocket_without_a_session_cookie_is_refused(server, page):
    """Streamlit's stream (where a session id would re-attach) opens only with a live login cookie."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    ws_url = server.replace("http://", "ws://") + "/_stcore/stream"
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, subprotocols=["streamlit", "xsrf", "some-old-session-id"], open_timeout=10)
    assert refused.value.response.status_code == 403
    login(page, server, "leader", PASSWORDS["leader"])
    logged_in(page)  # the same stream with the cookie: the page works
    cookie = next(c for c in page.context.cookies() if c["name"] == "zwgk_session")
    with connect(
        ws_url,
        subprotocols=["streamlit"],
        open_timeout=10,
        additional_headers={"Cookie": f"zwgk_session={cookie['value']}", "Origin": server},
    ) as ws:
        assert ws.protocol.state.name == "OPEN"


# --------------------------------------------------------------------------- 政府信息公开年报 and 政务新媒体


def _round_id(db: Database, fd: FarmDashboard) -> int:
    from zwgk.storage.rounds import require_round

    return require_round(db, fd.round_name).id


def test_leader_reports_page_shows_every_unit_and_a_units_tables_and_failed_checks(
    server, page, db, farm_dash, tmp_path
):
    from zwgk.dashboard import queries
    from zwgk.dashboard.viewer import Viewer

    fd = farm_dash
    rid = _round_id(db, fd)
    leader = Viewer("leader", "leader")
    overview = queries.report_overview(db, leader, rid)
    failing = queries.report_findings(db, leader, rid, fd.b_id)
    assert not failing.empty and failing["detail"].iloc[0], "the farm plants a 年报 defect on department B"
    login(page, server, "leader", PASSWORDS["leader"], f"/?page=reports&unit={fd.b_id}")
    logged_in(page)
    page.get_by_role("heading", name="政府信息公开年报").wait_for(timeout=WAIT_MS)
    text = wait_grid(page, lambda t: all(n in t for n in fd.names.values()), "every unit in the 年报 overview")
    settle(page)
    text = grid_text(page)
    assert "（七）总计" in text and "一、本年新收政府信息公开申请数量" in text  # table 三 of B's report
    assert "各项办理结果之和" in text  # the arithmetic checked
    for rule_name in failing["rule_name"]:
        assert rule_name in text
    body = page_text(page)
    assert failing["detail"].iloc[0].splitlines()[0] in body  # the first finding's failed check, as text
    for label in ("格式符合", "统计表齐全", "数字相符"):
        assert label in body
    shot(page, "leader-reports")
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="下载年报核查表 (xlsx)").click()
    path = tmp_path / "reports.xlsx"
    info.value.save_as(path)
    flat, sheets = xlsx_text(path)
    assert all(n in flat for n in fd.names.values())
    rows = [r for r in next(iter(sheets.values())) if any(r)]
    assert len(rows) == len(overview) + 2  # title, header, one row per unit
    assert page.dialogs == []


def test_department_reports_and_media_pages_hold_only_its_own_unit(server, page, db, farm_dash):
    import datetime as dt

    from zwgk.storage.media import MediaAccount, MediaPost, add_posts, find_account, upsert_accounts

    fd = farm_dash
    # an account on A's registry whose name, operator and address are hostile (a unit's file may carry them)
    upsert_accounts(db, [MediaAccount(fd.a_id, "微博", SCRIPT, FORMULA, url="javascript:alert(1)")])
    account = find_account(db, fd.a_id, "微博", SCRIPT)
    assert account is not None and account.id is not None
    add_posts(db, account.id, [MediaPost(dt.datetime(2026, 11, 18, 9), SCRIPT, "javascript:alert(2)")])
    own = f"{fd.a_name}（{fd.a_id}）"
    login(page, server, "dept_a", PASSWORDS["dept_a"], "/?page=reports")
    logged_in(page)
    page.get_by_role("heading", name="政府信息公开年报").wait_for(timeout=WAIT_MS)
    wait_cell(page, fd.a_name)
    settle(page)
    assert selectbox_options(page, "单位") == [own]
    text = page_text(page)
    assert fd.a_name in text and not leaks(text, fd)
    shot(page, "department-reports")
    page.goto(server + "/?page=media")  # a fresh page: no grid of the 年报 page left to read
    logged_in(page)
    page.get_by_role("heading", name="政务新媒体").wait_for(timeout=WAIT_MS)
    wait_cell(page, SCRIPT)
    settle(page)
    cells = wait_grid(page, lambda t: SCRIPT in t and fd.a_name in t, "A's accounts")
    assert not leaks(cells, fd)
    assert selectbox_options(page, "单位") == ["全部单位", own]
    assert not leaks(page_text(page), fd)
    assert page.locator("script", has_text="alert(1)").count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    page.wait_for_timeout(500)
    assert page.dialogs == []
    shot(page, "department-media")


def test_leader_media_page_marks_stale_accounts_lists_posts_and_filters(server, page, db, farm_dash):
    from zwgk.dashboard import queries
    from zwgk.dashboard.viewer import Viewer

    fd = farm_dash
    rid = _round_id(db, fd)
    leader = Viewer("leader", "leader")
    frame = queries.media_accounts(db, leader, rid)
    stale = frame[frame["stale"]]
    assert len(stale) >= 2, "the farm plants MEDIA-STALE"
    first = stale.iloc[0]
    posts = queries.media_posts(db, leader, first["unit_id"], int(first["account_id"]))
    login(page, server, "leader", PASSWORDS["leader"], "/?page=media")
    logged_in(page)
    page.get_by_role("heading", name="政务新媒体").wait_for(timeout=WAIT_MS)
    text = wait_grid(page, lambda t: all(n in t for n in stale["name"]), "the stale accounts")
    settle(page)
    text = grid_text(page)
    assert "⚠ 不更新" in text  # (grid_text reads overlapping screenfuls: a cell may come twice)
    assert all(n in text for n in frame["name"]) and all(o in text for o in frame["operator"] if o)
    assert posts["title"].iloc[0] in text  # the first (stale) account's newest post
    metrics = {m.split("\n")[0]: m.split("\n")[-1] for m in page.locator('[data-testid="stMetric"]').all_inner_texts()}
    assert metrics["不更新"] == str(len(stale)) and metrics["账号"] == str(len(frame))
    # the grid's own toolbar offers no CSV (it would bypass the exports' formula guard)
    page.locator('[data-testid="stDataFrame"]').first.hover()
    toolbar = page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(state="visible", timeout=WAIT_MS)
    buttons = [b.get_attribute("aria-label") or b.inner_text() for b in toolbar.locator("button").all()]
    assert buttons and not [b for b in buttons if "download" in b.lower() or "csv" in b.lower()], buttons
    shot(page, "leader-media")
    # filter by status: only the accounts the registry marks as fine
    ok = frame[frame["status"] == "ok"]
    page.get_by_role("combobox", name="状态", exact=True).click()
    page.locator('[role="option"]', has_text="正常").first.click()
    page.keyboard.press("Escape")
    page.get_by_text(f"共 {len(ok)} 个账号，其中不更新 0 个").wait_for(timeout=WAIT_MS)
    settle(page)
    text = wait_grid(page, lambda t: "⚠" not in t and first["name"] not in t, "only the accounts without problems")
    assert all(n in text for n in ok["name"].head(5))
    assert page.dialogs == []
