"""Re-make the dashboard screenshots in docs/img/ from a 200-unit farm round:

* ``dashboard-overview.png``     the leader's 总览 (KPIs, 门户/部门 rankings, charts),
* ``dashboard-leader-rules.png`` the leader's problem distribution by rule (Chinese rule names),
* ``dashboard-evaluator.png``    the evaluator's 评估工作台,
* ``dashboard-department.png``   a department's 整改清单.

    python scripts/screenshot_dashboard.py [--sites 200] [--out-dir docs/img]

Everything stays on loopback: a site farm (zwgk.sitefarm) is crawled by one
real round (zwgk.app.run_round) into a temporary SQLite database,
a leader, an evaluator and a department account are added, the dashboard is
started on 127.0.0.1 and Debian's Chromium (driven by Playwright, system
executable) logs in as each and takes the screenshots.  The PNGs are reduced
to a 256-colour palette so they stay small enough to commit (the page is flat
UI colours, so nothing visible is lost).
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROUND = "2026-Q4"
LEADER = ("leader", "screenshot-leader-1")
EVALUATOR = ("evaluator", "screenshot-evaluator-1")
DEPARTMENT = ("department", "screenshot-department-1")
WAIT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_database(work: Path, sites: int, seed: int) -> str:
    """One farm round of ``sites`` units into ``work/zwgk.db``, plus the leader account; returns its URL."""
    from zwgk.app import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.storage import Database, users

    url = f"sqlite:///{work / 'zwgk.db'}"
    db = Database.open(url)
    try:
        registry = work / "registry.csv"
        with running_farm(FarmConfig(sites=sites, seed=seed)) as farm:
            farm.write_registry(registry)
            as_of = dt.date.fromisoformat(farm.truth["as_of"])
            started = time.monotonic()
            result = run_round(db, RoundOptions(name=ROUND, as_of=as_of, registry=registry,
                                                resolver=farm.resolver, allow_private=True))
        print(f"round {ROUND}: {result.units} units, {result.crawled} crawled, {result.findings} findings "
              f"in {time.monotonic() - started:.0f} s", file=sys.stderr)
        users.add_user(db, LEADER[0], LEADER[1], "leader", rounds=4)
        users.add_user(db, EVALUATOR[0], EVALUATOR[1], "evaluator", rounds=4)
        from zwgk.storage import results

        with_items: dict[str, int] = {}
        for it in results.list_rectification_items(db):
            with_items[it.unit_id] = with_items.get(it.unit_id, 0) + 1
        departments = [s for s in result.scores if s.kind == "department" and with_items.get(s.unit_id, 0) >= 3]
        unit = departments[0].unit_id if departments else max(with_items, key=with_items.get)
        users.add_user(db, DEPARTMENT[0], DEPARTMENT[1], "department", [unit], rounds=4)
    finally:
        db.dispose()
    return url


def _settle(page) -> None:
    page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first.wait_for(state="attached", timeout=WAIT_MS)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # let Plotly finish its layout animation and the grids paint


def _login(browser, base: str, account: tuple[str, str], width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1).new_page()
    page.goto(base)
    page.get_by_label("用户名").fill(account[0])
    page.get_by_label("密码").fill(account[1])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=WAIT_MS)
    return page


def screenshot(db_url: str, out_dir: Path, width: int, height: int) -> list[Path]:
    """Log in as each role and capture its pages (viewport shots, except where noted)."""
    from playwright.sync_api import sync_playwright

    from zwgk.dashboard import launch, wait_ready

    port = _free_port()
    proc = launch(db_url, port=port, host="127.0.0.1", block=False)
    base = f"http://127.0.0.1:{port}"
    made: list[Path] = []

    def keep(page, name: str, **kw) -> None:
        raw = out_dir / f"{name}.raw.png"
        page.screenshot(path=str(raw), **kw)
        _shrink(raw, out_dir / f"{name}.png")
        made.append(out_dir / f"{name}.png")

    try:
        wait_ready(base, timeout=60, proc=proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = _login(browser, base, LEADER, width, height)
            page.get_by_role("heading", name="总览").wait_for(timeout=WAIT_MS)
            page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
            _settle(page)
            keep(page, "dashboard-overview")
            rules = page.locator(".js-plotly-plot").filter(has_text="问题分布")
            rules.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            keep(page, "dashboard-leader-rules")

            page = _login(browser, base, EVALUATOR, width, height)
            page.goto(base + "/?page=workbench")
            page.get_by_role("heading", name="评估工作台").wait_for(timeout=WAIT_MS)
            _settle(page)
            keep(page, "dashboard-evaluator")

            page = _login(browser, base, DEPARTMENT, width, 1000)
            page.get_by_role("heading", name="整改清单").wait_for(timeout=WAIT_MS)
            _settle(page)
            keep(page, "dashboard-department")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return made


def _shrink(raw: Path, out: Path) -> None:
    """Palette-quantise the PNG (flat UI colours) so it commits small."""
    from PIL import Image

    with Image.open(raw) as im:
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    raw.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=200, help="farm units (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1] / "docs/img")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1500)
    ap.add_argument("--db", help="use this existing database (must hold a round and the three accounts) instead")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zwgk-shot-") as tmp:
        url = args.db or build_database(Path(tmp), args.sites, args.seed)
        made = screenshot(url, args.out_dir, args.width, args.height)
    for path in made:
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
