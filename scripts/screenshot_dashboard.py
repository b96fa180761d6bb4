"""Re-make docs/img/dashboard-overview.png: the leader overview of a 200-unit farm round.

    python scripts/screenshot_dashboard.py [--sites 200] [--out docs/img/dashboard-overview.png]

Everything stays on loopback: a site farm (zwgk.sitefarm) is crawled by one
real round (zwgk.pipeline.round.run_round) into a temporary SQLite database,
a leader account is added, the dashboard is started on 127.0.0.1 and Debian's
Chromium (driven by Playwright, system executable) logs in and takes the
screenshot.  The PNG is reduced to a 256-colour palette so it stays small
enough to commit (the page is flat UI colours, so nothing visible is lost).
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
WAIT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_database(work: Path, sites: int, seed: int) -> str:
    """One farm round of ``sites`` units into ``work/zwgk.db``, plus the leader account; returns its URL."""
    from zwgk.pipeline.round import RoundOptions, run_round
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
    finally:
        db.dispose()
    return url


def screenshot(db_url: str, out: Path, width: int, height: int) -> None:
    """Log in as the leader and capture the overview (viewport only: KPIs, ranking, score chart)."""
    from playwright.sync_api import sync_playwright

    from zwgk.dashboard import launch, wait_ready

    port = _free_port()
    proc = launch(db_url, port=port, host="127.0.0.1", block=False)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, timeout=60, proc=proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1).new_page()
            page.goto(base)
            page.get_by_label("用户名").fill(LEADER[0])
            page.get_by_label("密码").fill(LEADER[1])
            page.get_by_role("button", name="登录").click()
            page.get_by_role("heading", name="总览").wait_for(timeout=WAIT_MS)
            page.locator(".js-plotly-plot").first.wait_for(timeout=WAIT_MS)
            page.locator('[data-testid="stDataFrame"] [role="gridcell"]').first.wait_for(
                state="attached", timeout=WAIT_MS)
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)
            page.wait_for_timeout(1500)  # let Plotly finish its layout animation
            raw = out.with_suffix(".raw.png")
            page.screenshot(path=str(raw), full_page=False)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    _shrink(raw, out)


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
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs/img/dashboard-overview.png")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1500)
    ap.add_argument("--db", help="use this existing database (must hold a round and the leader account) instead")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zwgk-shot-") as tmp:
        url = args.db or build_database(Path(tmp), args.sites, args.seed)
        screenshot(url, args.out, args.width, args.height)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
