"""How fast the dashboard is for a national round (issue 7, item 7: "a ranking of 13,385 units renders in under 2 s").

Builds a SQLite database in a temporary directory: the national registry
(zwgk/data/registry/gov-sites-2023-03-09.csv, 13,385 units, imported with
``zwgk.registry.import_registry``), two rounds over the first ``--units`` of
them (the earlier one so that trend and "most improved" have data), about
``--findings`` findings per unit stored with ``zwgk.storage.results`` and
scored with ``zwgk.assess.score_round`` (rubric national-2019), and a leader
user.  Then it measures:

* the query functions of ``zwgk.dashboard.queries`` called directly (query
  and DataFrame time without Streamlit or the browser);
* the 总览 script run in-process (``streamlit.testing.v1.AppTest``): what the
  server spends (queries + building the page) before any browser work;
* in a real Chromium (Debian's /usr/bin/chromium driven by Playwright, the
  same flags as tests/test_dashboard_browser.py) against ``zwgk.dashboard.launch``:
  (a) cold: a freshly started dashboard process per repetition (empty
      ``st.cache_data``); time from clicking 登录 until the ranking grid
      shows its first row (the first unit of the first tier, and its
      "共 N 个单位" caption), and until the script run has finished (status
      widget gone).  Twice: in a new browser context (empty browser cache, as
      on a first visit: Streamlit's JavaScript chunks — the grid's, Plotly's —
      are fetched and compiled again) and in a browser that has loaded the
      dashboard before (every server listens on the same port, so its HTTP
      cache stays valid);
  (b) warm: the same on a process that has served the page before (cached
      queries), as a second session in a new browser context and as a
      reload in the cached browser (a reload starts a new Streamlit session,
      so one logs in again);
  (c) re-render after choosing another tier in 层级 (the biggest tier and
      back) and after typing a unit id into the search box (+ Enter), until
      the grid shows the expected first row and the caption the expected count.

Every figure is repeated ``--repeat`` times (default 5); median and max are
printed.  Not a test: nothing here asserts a time.  The measured run must
hold the machine lock::

    flock /tmp/zwgk-bench.lock python bench/dashboard_scale.py | tee bench/results/dashboard_scale.txt

``--units 500`` gives a quick development run; ``--db PATH`` keeps the built
database at PATH and reuses it on the next run if it already holds a scored
round of the same size (building 13,385 units × 15 findings × 2 rounds takes
about a minute).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest's "no runtime" warnings are noise here
sys.path.insert(0, str(ROOT))

from tests.fixtures_assess import add_round, finding  # noqa: E402
from zwgk.assess import score_round  # noqa: E402
from zwgk.dashboard import launch, queries, wait_ready  # noqa: E402
from zwgk.dashboard.viewer import Viewer  # noqa: E402
from zwgk.indicators import load_rubric  # noqa: E402
from zwgk.registry import import_registry  # noqa: E402
from zwgk.storage import Database, results, users  # noqa: E402
from zwgk.storage.tables import RoundRow, ScoreRow  # noqa: E402

REGISTRY = ROOT / "zwgk/data/registry/gov-sites-2023-03-09.csv"  # bundled in the package
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
LEADER, LEADER_PASSWORD = "leader", "leader-pass-1"
WAIT_MS = 60_000
LOCK = "/tmp/zwgk-bench.lock"
# (rule, points, indicator) of rubric national-2019, as bench/assess_scale.py uses them
RULES = [
    ("COLUMN-MISSING", 5, "columns"),
    ("LINK-PAGE", 1, "availability"),
    ("IPV6-NONE", 3, "function"),
    ("INTERP-LATE", 1, "interp"),
    ("REPLY-LATE", 1, "interaction"),
]


# --------------------------------------------------------------------------- reporting


def stats(label: str, samples: list[float]) -> None:
    """One line: label, median and max in seconds, and the samples themselves."""
    each = " ".join(f"{x:.3f}" for x in samples)
    print(f"{label:<58} median {statistics.median(samples):7.3f} s  max {max(samples):7.3f} s  [{each}]", flush=True)


def lock_state() -> str:
    """Whether this run holds the machine lock: an ancestor process is ``flock /tmp/zwgk-bench.lock``."""
    import fcntl

    pid = os.getppid()
    for _ in range(4):  # flock → (bash -c →) python
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        if argv and Path(argv[0].decode()).name == "flock" and LOCK.encode() in argv:
            return "held by this run"
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            break
    with open(LOCK, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "held by ANOTHER run: figures are not for a report"
        fcntl.flock(f, fcntl.LOCK_UN)
        return "NOT held: figures are not for a report"


def header(args: argparse.Namespace) -> None:
    """nproc, load averages and the exact command line, as every reported figure needs."""
    print(f"date     {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
    print(f"nproc    {os.cpu_count()}")
    print(f"uptime   {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"command  python {shlex.join(sys.argv)}  (machine lock {LOCK}: {lock_state()})")
    print(f"units {args.units}, ~{args.findings} findings/unit, repeat {args.repeat}", flush=True)


# --------------------------------------------------------------------------- the database


def _findings_for(i: int, unit_id: str, k: int, per_unit: int) -> list:
    """Between 1 and 2·per_unit−1 findings (mean ≈ per_unit), varied per unit and round so scores differ."""
    n = 1 + (i * 7 + k * 3) % (2 * per_unit - 1)
    out = []
    for j in range(n):
        rule, points, indicator = RULES[(i + j) % len(RULES)]
        out.append(finding(unit_id, rule, f"s{j}", points, indicator))
    return out


def _scored_round(db: Database, units: int) -> int | None:
    """The id of the newest round if it holds ``units`` scores (a reusable database), else None."""
    from sqlalchemy import func, select

    with db.session() as s:
        rid = s.scalar(select(RoundRow.id).order_by(RoundRow.id.desc()).limit(1))
        if rid is None:
            return None
        n = s.scalar(select(func.count()).select_from(ScoreRow).where(ScoreRow.round_id == rid))
    return rid if n == units else None


def build(db: Database, n_units: int, per_unit: int) -> int:
    """Registry, two scored rounds over the first ``n_units`` units, a leader; returns the newest round id."""
    t = time.perf_counter()
    report = import_registry(db, REGISTRY)
    units = report.units[:n_units]
    if len(units) < n_units:
        raise SystemExit(f"{REGISTRY} yields only {len(units)} usable units; --units {n_units} is too many")
    print(f"setup: import registry ({len(report.units)} units)          {time.perf_counter() - t:7.2f} s", flush=True)
    rubric = load_rubric("national-2019")
    ids = [u.unit_id for u in units]
    previous = None
    for k, (name, as_of) in enumerate((("2026-Q3", dt.date(2026, 8, 20)), ("2026-Q4", dt.date(2026, 11, 20)))):
        t = time.perf_counter()
        rid = add_round(db, name, as_of, ids, rubric="national-2019", previous=previous)
        stored = 0
        for i, uid in enumerate(ids):
            stored += results.replace_findings(db, rid, uid, _findings_for(i, uid, k, per_unit))
        t_store = time.perf_counter() - t
        t = time.perf_counter()
        score_round(db, rid, rubric)
        print(
            f"setup: round {name}: {stored} findings stored {t_store:.2f} s, scored {time.perf_counter() - t:.2f} s",
            flush=True,
        )
        previous = rid
    users.add_user(db, LEADER, LEADER_PASSWORD, "leader", rounds=4)
    assert previous is not None
    return previous


# --------------------------------------------------------------------------- queries without the browser


def time_queries(db: Database, round_id: int, repeat: int) -> None:
    """The query layer's reads for the 总览 page, each called directly ``repeat`` times."""
    leader = Viewer(LEADER, "leader")
    calls: list[tuple[str, Callable[[], object]]] = [
        ("queries.list_rounds", lambda: queries.list_rounds(db, leader)),
        ("queries.ranking", lambda: queries.ranking(db, leader, round_id)),
        ("queries.kpis (on the ranking frame)", None),  # filled below: needs the frame
        ("queries.findings_by_rule", lambda: queries.findings_by_rule(db, leader, round_id)),
        ("queries.most_improved", lambda: queries.most_improved(db, leader, round_id)),
        ("queries.trend", lambda: queries.trend(db, leader)),
    ]
    frame = queries.ranking(db, leader, round_id)
    calls[2] = (calls[2][0], lambda: queries.kpis(frame))
    print(
        f"ranking frame: {len(frame)} rows; per tier: "
        + ", ".join(f"{t} {n}" for t, n in frame["tier"].value_counts().items()),
        flush=True,
    )
    for label, fn in calls:
        samples = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        stats(f"query  {label}", samples)


# --------------------------------------------------------------------------- the script run without the browser


def time_script_runs(db: Database, url: str, round_id: int, repeat: int) -> None:
    """The 总览 script run in-process (``streamlit.testing.v1.AppTest``): queries + building the page.

    What the server spends before the browser gets the page; the difference
    to the browser figures is transport and rendering in Chromium.  "Cold"
    clears ``st.cache_data`` first (modules are already imported here, unlike
    a freshly started server).
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from zwgk.dashboard import APP_PATH

    os.environ["ZWGK_DB"] = url
    tiers, other, _, searches = expectations(db, round_id)

    from zwgk.dashboard import session as dash_session

    def logged_in() -> tuple[AppTest, float]:
        # the login form is the HTTP front's (AppTest does not run it): a stored session, as it makes
        token = users.create_session(db, users.authenticate(db, LEADER, LEADER_PASSWORD).username)
        dash_session.cookie_token = lambda _url: token
        at = AppTest.from_file(str(APP_PATH), default_timeout=300)
        t = time.perf_counter()
        at.run()
        took = time.perf_counter() - t
        if at.exception or not at.dataframe:
            raise SystemExit(f"the 总览 page did not render in AppTest: {at.exception}")
        return at, took

    cold, warm, tier, found = [], [], [], []
    for _ in range(repeat):
        st.cache_data.clear()
        cold.append(logged_in()[1])
    at, _ = logged_in()
    for _ in range(repeat):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    for k in range(repeat):
        t = time.perf_counter()
        at.selectbox(key="w_tier").select(other if k % 2 == 0 else tiers[0]).run()
        tier.append(time.perf_counter() - t)
    at.selectbox(key="w_tier").select(other).run()
    for k in range(repeat):
        t = time.perf_counter()
        at.text_input(key="w_search").input(searches[k % len(searches)][0]).run()
        found.append(time.perf_counter() - t)
    stats("script run (AppTest): login, cold st.cache_data", cold)
    stats("script run (AppTest): rerun, warm cache", warm)
    stats(f"script run (AppTest): tier change ({other} <-> {tiers[0]})", tier)
    stats("script run (AppTest): search by unit id", found)


# --------------------------------------------------------------------------- the browser


@dataclass(frozen=True)
class Expect:
    """What the ranking shows for a tier or a search: the first row's unit name and the caption."""

    first_name: str
    caption: str


def expectations(db: Database, round_id: int) -> tuple[list[str], str, dict[str, Expect], list[tuple[str, Expect]]]:
    """Tiers in display order, the tier to switch to, each tier's first row and caption, two searches.

    The tier switched to is the biggest one (市 nationally: the most rows the
    browser receives); the searches are unit ids inside it (unit ids are
    unique, so exactly one row answers).
    """
    frame = queries.ranking(db, Viewer(LEADER, "leader"), round_id)
    tiers = [t for t in queries.TIER_ORDER if t in set(frame["tier"])]
    per_tier = {}
    for t in tiers:
        part = frame[frame["tier"] == t]
        per_tier[t] = Expect(str(part["unit_name"].iloc[0]), f"共 {len(part)} 个单位")
    rest = tiers[1:] or tiers
    other = max(rest, key=lambda t: int((frame["tier"] == t).sum()))
    part = frame[frame["tier"] == other]
    picks = [part.iloc[len(part) // 3], part.iloc[(2 * len(part)) // 3]]
    searches = [(str(r["unit_id"]), Expect(str(r["unit_name"]), "共 1 个单位")) for r in picks]
    return tiers, other, per_tier, searches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``zwgk.dashboard.launch`` on a free loopback port; stopped on exit (only this process)."""

    def __init__(self, url: str, log: Path, port: int) -> None:
        self.url = url
        self.log = log
        self.port = port

    def __enter__(self) -> str:
        port = self.port
        # the server's own banner and log go to a file, not into the figures
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        with open(self.log, "a") as log:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            try:
                self.proc = launch(self.url, port=port, host="127.0.0.1", block=False)
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, timeout=90, proc=self.proc)
        return base

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _grid_row(pg, name: str) -> None:
    """Wait until the ranking grid's accessible table holds a cell with ``name`` (rows are painted)."""
    pg.locator('[data-testid="stDataFrame"] [role="gridcell"]', has_text=name).first.wait_for(
        state="attached", timeout=WAIT_MS
    )


def _settled(pg) -> None:
    """Wait until Streamlit's script run has finished (its running indicator is gone)."""
    pg.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT_MS)


def login_timed(browser, base: str, first: Expect, pg=None) -> tuple[float, float, object]:
    """A new Streamlit session; seconds from clicking 登录 to the first ranking row, and to the run's end.

    With ``pg`` None the session is a new browser context (an empty browser
    cache: Streamlit's JavaScript is fetched and compiled again, as on a first
    visit); with a page, that page loads the dashboard again (a reload: the
    browser's cache is warm, the Streamlit session is new, so one logs in again).
    Returns the page used.
    """
    if pg is None:
        pg = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    else:
        pg.goto(base + "/zwgk/logout")  # a reload keeps the login (cookie): log out to time a login again
    pg.goto(base + "/")
    pg.get_by_label("用户名").fill(LEADER)
    pg.get_by_label("密码").fill(LEADER_PASSWORD)
    button = pg.get_by_role("button", name="登录")
    button.wait_for()
    t = time.perf_counter()
    button.click()
    _grid_row(pg, first.first_name)
    pg.get_by_text(first.caption, exact=True).wait_for(timeout=WAIT_MS)
    rows = time.perf_counter() - t
    _settled(pg)
    done = time.perf_counter() - t
    return rows, done, pg


def choose_tier(pg, tier: str, want: Expect) -> tuple[float, float]:
    """Pick ``tier`` in 层级; seconds from the option click to the new first row and to the run's end."""
    combo = pg.get_by_role("combobox", name="层级", exact=True)
    combo.click()
    option = pg.get_by_role("option", name=tier, exact=True)
    option.wait_for(timeout=WAIT_MS)
    t = time.perf_counter()
    option.click()
    pg.get_by_text(want.caption, exact=True).wait_for(timeout=WAIT_MS)
    _grid_row(pg, want.first_name)
    rows = time.perf_counter() - t
    _settled(pg)
    return rows, time.perf_counter() - t


def search(pg, text: str, want: Expect) -> tuple[float, float]:
    """Type ``text`` into the search box; seconds from Enter to the single answer row and to the run's end."""
    box = pg.get_by_label("搜索单位（名称或编码）")
    box.fill(text)
    t = time.perf_counter()
    box.press("Enter")
    pg.get_by_text(want.caption, exact=True).wait_for(timeout=WAIT_MS)
    _grid_row(pg, want.first_name)
    rows = time.perf_counter() - t
    _settled(pg)
    return rows, time.perf_counter() - t


def clear_search(pg, want: Expect) -> None:
    box = pg.get_by_label("搜索单位（名称或编码）")
    box.fill("")
    box.press("Enter")
    pg.get_by_text(want.caption, exact=True).wait_for(timeout=WAIT_MS)
    _settled(pg)


def time_browser(db: Database, url: str, round_id: int, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    tiers, other, per_tier, searches = expectations(db, round_id)
    first = per_tier[tiers[0]]
    log = Path(tempfile.gettempdir()) / "zwgk-dashboard-scale-server.log"
    print(f"dashboard server output: {log}", flush=True)
    port = _free_port()  # one port for every server: a browser cache keyed by URL stays valid across restarts
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # (a) cold: a new dashboard process per repetition (empty st.cache_data)
            cold = {"new browser": ([], []), "cached browser": ([], [])}
            cached_page = None
            with Server(url, log, port) as base:  # fill the cached browser's HTTP cache once
                _, _, cached_page = login_timed(browser, base, first)
            for _ in range(repeat):
                for kind in cold:
                    with Server(url, log, port) as base:
                        rows, done, pg = login_timed(
                            browser, base, first, cached_page if kind == "cached browser" else None
                        )
                        if kind == "new browser":
                            pg.context.close()
                    cold[kind][0].append(rows)
                    cold[kind][1].append(done)
            for kind, (rows, done) in cold.items():
                stats(f"(a) cold server, {kind}: login -> first rows ({tiers[0]})", rows)
                stats(f"(a) cold server, {kind}: login -> run finished", done)
            # (b) warm and (c) re-renders: one process, used once before
            with Server(url, log, port) as base:
                _, _, pg = login_timed(browser, base, first)
                pg.context.close()
                warm = {"new browser": ([], []), "cached browser": ([], [])}
                for _ in range(repeat):
                    for kind in warm:
                        rows, done, pg = login_timed(
                            browser, base, first, cached_page if kind == "cached browser" else None
                        )
                        if kind == "new browser":
                            pg.context.close()
                        warm[kind][0].append(rows)
                        warm[kind][1].append(done)
                for kind, (rows, done) in warm.items():
                    stats(f"(b) warm server, {kind}: login -> first rows", rows)
                    stats(f"(b) warm server, {kind}: login -> run finished", done)
                _, _, pg = login_timed(browser, base, first, cached_page)
                samples: dict[str, list[float]] = {t: [] for t in (tiers[0], other)}
                done_samples: dict[str, list[float]] = {t: [] for t in (tiers[0], other)}
                for _ in range(repeat):
                    for t in (other, tiers[0]):  # away and back: every pick is a change
                        rows, done = choose_tier(pg, t, per_tier[t])
                        samples[t].append(rows)
                        done_samples[t].append(done)
                for t in (other, tiers[0]):
                    stats(f"(c) tier -> {t} ({per_tier[t].caption}): first rows", samples[t])
                    stats(f"(c) tier -> {t}: run finished", done_samples[t])
                choose_tier(pg, other, per_tier[other])  # search within the biggest tier
                s_rows, s_done = [], []
                for k in range(repeat):
                    text, want = searches[k % len(searches)]
                    rows, done = search(pg, text, want)
                    s_rows.append(rows)
                    s_done.append(done)
                    clear_search(pg, per_tier[other])
                stats(f"(c) search by unit id in {other}: the one row", s_rows)
                stats("(c) search: run finished", s_done)
        finally:
            browser.close()


# --------------------------------------------------------------------------- main


def _database(path: str | None) -> Iterator[tuple[Database, str]]:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(path).resolve()}"
        yield Database.open(url), url
        return
    with tempfile.TemporaryDirectory(prefix="zwgk-dashbench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database.open(url)
        try:
            yield db, url
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Measure the dashboard's 总览 ranking for a national-size round in a real Chromium "
        "(cold login, warm login, tier change, search) and its query functions directly. "
        "Run the measured run under the machine lock: "
        "flock /tmp/zwgk-bench.lock python bench/dashboard_scale.py",
    )
    parser.add_argument(
        "--units",
        type=int,
        default=13385,
        help="units in the round, the first N of the national registry (default 13385 = all)",
    )
    parser.add_argument("--findings", type=int, default=15, help="mean findings per unit (default 15)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of every measurement (default 5)")
    parser.add_argument("--db", help="keep the database at this path and reuse it if it already holds the round")
    parser.add_argument("--no-browser", action="store_true", help="only time the query functions")
    args = parser.parse_args(argv)
    if not args.units >= 1 or args.findings < 1 or args.repeat < 1:
        parser.error("--units, --findings and --repeat must be positive")
    header(args)
    gen = _database(args.db)
    db, url = next(gen)
    try:
        round_id = _scored_round(db, args.units) if args.db else None
        if round_id is None:
            if args.db and Path(args.db).stat().st_size > 0 and _has_rounds(db):
                raise SystemExit(f"{args.db} already holds rounds of another size; remove it or pick another path")
            round_id = build(db, args.units, args.findings)
        else:
            print(f"setup: reusing {args.db} (round id {round_id})", flush=True)
        time_queries(db, round_id, args.repeat)
        time_script_runs(db, url, round_id, args.repeat)
        if not args.no_browser:
            time_browser(db, url, round_id, args.repeat)
        print(f"uptime   {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    finally:
        gen.close()


def _has_rounds(db: Database) -> bool:
    from sqlalchemy import select

    with db.session() as s:
        return s.scalar(select(RoundRow.id).limit(1)) is not None


if __name__ == "__main__":
    main()
