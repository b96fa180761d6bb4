"""End to end in a real Chromium (Debian's, driven by Playwright) against a running `streamlit run`.

The dashboard runs on 127.0.0.1 on a free port against a SQLite database made
by one real farm round (``tests.fixtures_dashboard.farm_dashboard``: a small
site farm crawled, evaluated and scored by ``zwgk.pipeline.round.run_round``,
plus one finding with a ``<script>`` title added to department A).  Screenshots
go to test-artifacts/ (gitignored).

Streamlit's dataframes are glide-data-grid canvases; their accessible,
visually hidden table holds only the cells currently scrolled into view, so
:func:`grid_text` scrolls every grid across and down to read all of it (a leak
in an off-screen column would otherwise go unseen).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Iterator

import openpyxl
import pytest

from tests.fixtures_dashboard import PASSWORDS, SCRIPT, FarmDashboard
from zwgk.dashboard import launch, wait_ready

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
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


def grid_text(pg) -> str:
    """Every cell of every dataframe on the page, scrolled into view one screenful at a time."""
    texts: list[str] = []
    for grid in pg.locator('[data-testid="stDataFrame"]').all():
        texts += grid.evaluate(_READ_GRID)
    return "\n".join(texts)


def wait_grid(pg, check, what: str) -> str:
    """Re-read the grids until ``check(text)`` holds (a grid repaints a moment after its script run)."""
    text = ""
    for _ in range(WAIT_MS // 250):
        text = grid_text(pg)
        if check(text):
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
    cells = wait_grid(page, lambda t: fd.a_name not in t, f"the search result without {fd.a_name}")
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
    assert "按要求整改" in shown  # the 整改建议 column, last and scrolled out of view at first
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
        page.get_by_role("button", name=re.compile("整改通知书")).click()
    pdf = Path(info.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    flat = "".join(pdf_text(pdf).split())  # pdftotext wraps long lines
    assert fd.a_name in flat and not leaks(flat, fd)


def deep_links(fd: FarmDashboard) -> list[str]:
    """Addresses a department A user might type to reach B's data (or pages it may not open)."""
    return [
        f"/?page=rectification&unit={fd.b_id}",
        f"/?page=unit&unit={fd.b_id}",
        f"/?page=unit&unit={fd.b_id}&round={fd.round_name}",
        "/?page=overview",
        f"/?page=workbench&unit={fd.b_id}",
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
    assert [r.strip() for r in radios] == ["整改清单", "单位详情"]
    assert selectbox_options(page, "单位") == [own]
    assert not leaks(page_text(page), fd)
    page.locator('[data-testid="stSidebar"] label').filter(has_text="单位详情").click()
    page.get_by_role("heading", name="单位详情").wait_for(timeout=WAIT_MS)
    wait_cell(page, SCRIPT)
    settle(page)
    assert selectbox_options(page, "单位") == [own]
    text = page_text(page)
    assert fd.a_name in text and not leaks(text, fd)
    # query parameters, typed into the address bar of a logged-in session
    for i, link in enumerate(deep_links(fd)):
        login(page, server, "dept_a", PASSWORDS["dept_a"], link)  # a page load is a new session
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
