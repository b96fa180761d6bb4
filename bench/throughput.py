"""Crawl throughput: zwgk vs a minimal Scrapy spider vs LinkChecker on one site farm.

Every tool crawls the same benchmark-mode farm (one 127.0.0.1 port per site,
``LinkChecker: 1`` opt-in header, outside hosts served locally) with the same
per-host concurrency and no delay.  The farm runs in its own process and each
crawler in another, so the CPU figures are the crawler's alone: they come from
``os.wait4`` (the whole child process, start-up included) and, for zwgk and
Scrapy, also from inside the child around the crawl itself ("crawl window").

  zwgk         the engine exactly as ``zwgk assess`` runs it (``prepare_round`` +
               ``crawl_round``: links, columns, dates, footer, IPv6 probe,
               robots.txt, snapshot written to a temporary SQLite database)
  scrapy       a minimal spider: from each homepage follow every same-site link
               (a, area, iframe, frame, img, script, link) recursively, request
               off-site targets once without following them; one download slot
               per host:port; robots.txt obeyed
  linkchecker  ``linkchecker --check-extern`` as an external command (GPL: it is
               never imported), 10 threads, the farm sends its opt-in header

Then (zwgk only) the peak RSS with 500 sites in flight on a 500-site farm.

Usage (hold the machine lock for figures that go into a report):
  flock /tmp/zwgk-bench.lock python bench/throughput.py
  python bench/throughput.py --tools zwgk --profile       # where zwgk spends CPU
  python bench/throughput.py --help

Not a test: nothing here asserts a timing.  Scrapy and LinkChecker come from the
``bench`` extra (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOOLS = ("zwgk", "scrapy", "linkchecker")
TARGET_RATIO = 2.0
TARGET_CPU_MS = 1.0
TARGET_RSS_MB = 1536


# --------------------------------------------------------------------------- farm (own process)


def farm_main(args: argparse.Namespace) -> None:
    """Serve a benchmark-mode farm; write its registry; answer ``count`` on stdin."""
    from zwgk.sitefarm import FarmConfig, running_farm

    config = FarmConfig(
        sites=args.sites, seed=args.seed, bench_mode=True, ipv6=False, pages_per_column=args.pages_per_column
    )
    registry = Path(args.registry)
    with running_farm(config) as farm:
        farm.write_registry(registry)
        print(f"READY {registry}", flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(farm.requests_served, flush=True)
            elif line.strip() == "quit":
                break


class FarmProcess:
    """``with FarmProcess(...) as farm:`` a farm in a child process."""

    def __init__(self, sites: int, seed: int, pages_per_column: int, workdir: Path):
        self.registry = workdir / f"farm-{sites}-registry.csv"
        self.cmd = [
            sys.executable,
            __file__,
            "--role",
            "farm",
            "--sites",
            str(sites),
            "--seed",
            str(seed),
            "--pages-per-column",
            str(pages_per_column),
            "--registry",
            str(self.registry),
        ]
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FarmProcess:
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            self.proc.kill()
            raise SystemExit(f"farm did not start (exit {self.proc.wait()}): {line!r}")
        return self

    def served(self) -> int:
        """Requests the farm has answered so far (every tool's requests land here)."""
        assert self.proc and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def homepages(self) -> list[str]:
        with self.registry.open(encoding="utf-8") as fh:
            return [row["site_url"] for row in csv.DictReader(fh)]

    def __exit__(self, *exc: Any) -> None:
        if self.proc is None:
            return
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except Exception:  # noqa: BLE001 — any failure to quit politely ends in kill()
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- measured children


@dataclass(slots=True)
class Run:
    """One measured crawler run."""

    tool: str
    command: str
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system of the whole child process (os.wait4)
    maxrss_mb: float = 0.0
    pages: int = 0  # distinct URLs the tool fetched and recorded
    served: int = 0  # requests the farm answered during the run
    window_wall_s: float | None = None  # crawl only, measured inside the child
    window_cpu_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    exit_code: int = 0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages if self.pages else 0.0

    @property
    def window_pages_per_s(self) -> float | None:
        return self.pages / self.window_wall_s if self.window_wall_s else None

    @property
    def window_cpu_ms(self) -> float | None:
        return 1000 * self.window_cpu_s / self.pages if self.window_cpu_s is not None and self.pages else None


def run_measured(
    tool: str, cmd: list[str], farm: FarmProcess, env: dict[str, str] | None = None, stop_after: float = 0.0
) -> tuple[Run, str, str]:
    """Run ``cmd``; wall clock from spawn to exit, CPU and peak RSS of that child via ``os.wait4``.

    ``stop_after`` > 0: SIGTERM the child after that many seconds (its rusage still counts).
    """
    before = farm.served()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        stopped = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if stop_after else 0)
            if pid:
                break
            if not stopped and time.monotonic() - started > stop_after:
                proc.send_signal(signal.SIGTERM)
                stopped = True
            time.sleep(0.2)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    run = Run(
        tool=tool,
        command=shlex.join(cmd),
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        served=farm.served() - before,
        exit_code=proc.returncode,
    )
    return run, stdout, stderr


def last_json(stdout: str, tool: str, stderr: str) -> dict[str, Any]:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"{tool} printed no result; stderr tail:\n{stderr[-3000:]}")


# --------------------------------------------------------------------------- zwgk child


def zwgk_main(args: argparse.Namespace) -> None:
    """Crawl the farm's registry the way ``zwgk assess`` does; print one JSON line."""
    import collections
    import resource

    from zwgk.app import RoundOptions, prepare_round
    from zwgk.archive.recorder import open_round_archive
    from zwgk.crawlers import crawl_round
    from zwgk.storage import Database

    db = Database.open(f"sqlite:///{args.db}")
    crawl = {
        "per_host_concurrency": args.per_host,
        "global_concurrency": args.concurrency,
        "sites_in_flight": args.sites_in_flight,
        "min_delay": 0.0,
    }
    opts = RoundOptions(
        name="bench", as_of=dt.date(2026, 11, 20), registry=Path(args.registry), allow_private=True, crawl=crawl
    )
    prepared = prepare_round(db, opts)
    peak = {"in_flight": 0, "now": 0, "pages": 0}

    def progress(event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if stage == "page":
            peak["pages"] += 1
        elif stage in ("site_start", "site_done", "site_failed"):
            peak["now"] = event.get("in_flight", peak["now"])
            peak["in_flight"] = max(peak["in_flight"], peak["now"])

    if args.ticks:
        import threading

        begun = time.monotonic()

        def ticker() -> None:
            # A line every 2 s: the parent may stop a long RSS run and still see how far it got.
            while True:
                time.sleep(2)
                print(
                    "TICK "
                    + json.dumps(
                        {
                            "t": round(time.monotonic() - begun, 1),
                            "in_flight": peak["now"],
                            "pages": peak["pages"],
                            "rss_mb": round(_rss_mb(), 1),
                        }
                    ),
                    flush=True,
                )

        threading.Thread(target=ticker, daemon=True).start()

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)  # CPU of the event-loop thread, not wall time
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    if profiler:
        profiler.enable()
    summary = crawl_round(
        db,
        prepared.info.id,
        prepared.units,
        prepared.settings,
        prepared.rubric.column_vocabulary(prepared.settings.column_match_cutoff),
        progress=progress,
        archive=open_round_archive(db, prepared.info.id, prepared.settings),
    )
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    t1, r1 = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    from sqlalchemy import func, select

    from zwgk.storage.tables import PageRow

    with db.session() as s:
        rows = s.scalar(select(func.count()).select_from(PageRow).where(PageRow.round_id == prepared.info.id))
        distinct = s.scalar(select(func.count(func.distinct(PageRow.url))).where(PageRow.round_id == prepared.info.id))
    print(
        json.dumps(
            {
                "pages": rows,
                "distinct_urls": distinct,
                "summary_pages": summary.pages,
                "requests": summary.requests,
                "crawled_sites": len(summary.crawled),
                "failed_sites": len(summary.failed),
                "failed_reasons": collections.Counter(summary.failed.values()).most_common(3),
                "window_wall_s": t1 - t0,
                "window_cpu_s": (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime),
                "peak_in_flight": peak["in_flight"],
                "maxrss_kb": r1.ru_maxrss,
                "db_bytes": Path(args.db).stat().st_size,
            }
        ),
        flush=True,
    )


def _rss_mb() -> float:
    """This process's resident set now (Linux /proc), MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def zwgk_cmd(
    args: argparse.Namespace, registry: Path, db: Path, sites_in_flight: int, profile: Path | None, ticks: bool = False
) -> list[str]:
    """The zwgk child's command line; a fresh database every time (a kept one would resume the round)."""
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        __file__,
        "--role",
        "zwgk",
        "--registry",
        str(registry),
        "--db",
        str(db),
        "--per-host",
        str(args.per_host),
        "--concurrency",
        str(args.concurrency),
        "--sites-in-flight",
        str(sites_in_flight),
    ]
    if profile:
        cmd += ["--profile-path", str(profile)]
    if ticks:
        cmd.append("--ticks")
    return cmd


# --------------------------------------------------------------------------- Scrapy child


def scrapy_main(args: argparse.Namespace) -> None:
    """A minimal Scrapy spider following the links zwgk sees; print one JSON line."""
    import resource

    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import HtmlResponse

    homes = Path(args.urls).read_text(encoding="utf-8").split()
    window: dict[str, Any] = {}
    seen: set[str] = set()

    class FollowSpider(scrapy.Spider):
        name = "follow"
        selectors = (
            "a::attr(href)",
            "area::attr(href)",
            "iframe::attr(src)",
            "frame::attr(src)",
            "img::attr(src)",
            "script::attr(src)",
            "link::attr(href)",
        )

        async def start(self):  # Scrapy >= 2.13
            for url in homes:
                yield self._request(url, urlsplit(url).netloc)

        def _request(self, url: str, site: str) -> scrapy.Request:
            # One download slot per host:port = the same per-host politeness as zwgk.
            return scrapy.Request(
                url,
                callback=self.parse,
                errback=self.failed,
                dont_filter=False,
                meta={"download_slot": urlsplit(url).netloc, "site": site},
            )

        def parse(self, response):
            seen.add(response.url)
            site = response.meta["site"]
            if not isinstance(response, HtmlResponse) or urlsplit(response.url).netloc != site:
                return  # off-site or not HTML: checked, not followed
            for sel in self.selectors:
                for href in response.css(sel).getall():
                    href = href.strip()
                    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
                        continue
                    url = response.urljoin(href).split("#", 1)[0]
                    if url.startswith(("http://", "https://")):
                        yield self._request(url, site)

        def failed(self, failure):
            seen.add(failure.request.url)

    settings = {
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "DEPTH_LIMIT": args.depth,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "Mozilla/5.0 (compatible; bench)",
        "DOWNLOAD_TIMEOUT": 15,
        "RETRY_TIMES": 3,
        # Scrapy's own "Broad Crawls" advice: a scheduler that spreads requests over download slots
        # (without it a LIFO queue fills the 64 slots with one or two sites), breadth-first order.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "CLOSESPIDER_TIMEOUT": args.max_seconds,  # a runaway crawl (a trap) ends instead of hanging the bench
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FollowSpider)

    def opened(spider):
        window["r0"], window["t0"] = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()

    def closed(spider):
        window["t1"], window["r1"] = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)

    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    r0, r1 = window["r0"], window["r1"]
    print(
        json.dumps(
            {
                "pages": len(seen),
                "requests": stats.get("downloader/request_count", 0),
                "responses": stats.get("downloader/response_count", 0),
                "robots": stats.get("robotstxt/request_count", 0),
                "window_wall_s": window["t1"] - window["t0"],
                "window_cpu_s": (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime),
            },
            default=str,
        ),
        flush=True,
    )


# --------------------------------------------------------------------------- LinkChecker (external command)


def linkchecker_cmd(args: argparse.Namespace, homes: list[str], workdir: Path) -> list[str]:
    """LinkChecker's command line; ``maxrequestspersecond`` above 10 only works because the farm opts in.

    LinkChecker waits a random 1/rate … 6/rate seconds between requests to one host; rates above its
    default 10/s are honoured only for servers sending ``LinkChecker: 1`` (the bench farm does).  As
    root it drops to ``nobody``, so the config file must be world-readable.
    """
    exe = shutil.which("linkchecker")
    if exe is None:
        raise SystemExit("linkchecker is not installed: pip install -e .[bench]")
    cmd = [
        exe,
        "--no-status",
        "--check-extern",
        "--threads",
        str(args.lc_threads),
        "--output",
        "csv",
        "--verbose",
        "--no-warnings",
        "--recursion-level",
        str(args.depth),
    ]
    if args.lc_rate:
        rc = workdir / "linkcheckerrc"
        rc.write_text(f"[checking]\nmaxrequestspersecond={args.lc_rate}\n", encoding="utf-8")
        rc.chmod(0o644)
        workdir.chmod(0o755)
        cmd += ["--config", str(rc)]
    return [*cmd, *homes]


def linkchecker_pages(stdout: str) -> tuple[int, int]:
    """(distinct http(s) URLs checked, result rows) from LinkChecker's ``--verbose`` CSV on stdout."""
    lines = [line for line in stdout.splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";")
    urls, rows = set(), 0
    for row in reader:
        rows += 1
        url = row.get("url") or ""
        if url.startswith(("http://", "https://")) and not (row.get("result") or "").startswith("ignored"):
            urls.add(url.split("#", 1)[0])
    return len(urls), rows


# --------------------------------------------------------------------------- orchestration


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"host: nproc={os.cpu_count()} load-avg(1/5/15)={load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} "
        f"python {platform.python_version()} {platform.platform()}"
    )


def versions() -> str:
    out = []
    for name in ("aiohttp", "scrapy", "twisted", "linkchecker"):
        try:
            from importlib.metadata import version

            out.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 — a version we cannot read is reported as missing
            out.append(f"{name} (not installed)")
    return ", ".join(out)


def compare(args: argparse.Namespace, workdir: Path, log: list[str]) -> list[Run]:
    def say(text: str = "") -> None:
        print(text, flush=True)
        log.append(text)

    runs: list[Run] = []
    with FarmProcess(args.sites, args.seed, args.pages_per_column, workdir) as farm:
        homes = farm.homepages()
        urls_file = workdir / "homepages.txt"
        urls_file.write_text("\n".join(homes), encoding="utf-8")
        say(
            f"farm: {len(homes)} sites (bench mode, seed {args.seed}, pages_per_column {args.pages_per_column}), "
            f"separate process pid {farm.proc.pid if farm.proc else '?'}"
        )
        for tool in args.tools:
            say(f"[{time.strftime('%H:%M:%S')}] {tool} … {machine_line()}")
            if tool == "zwgk":
                cmd = zwgk_cmd(args, farm.registry, workdir / "zwgk-bench.db", args.sites_in_flight, None)
                run, out, err = run_measured(tool, cmd, farm)
                data = last_json(out, tool, err)
                run.pages = data["pages"]
                run.window_wall_s, run.window_cpu_s = data["window_wall_s"], data["window_cpu_s"]
                run.extra = {
                    k: data[k]
                    for k in (
                        "requests",
                        "distinct_urls",
                        "crawled_sites",
                        "failed_sites",
                        "failed_reasons",
                        "db_bytes",
                    )
                }
            elif tool == "scrapy":
                cmd = [
                    sys.executable,
                    __file__,
                    "--role",
                    "scrapy",
                    "--urls",
                    str(urls_file),
                    "--per-host",
                    str(args.per_host),
                    "--concurrency",
                    str(args.concurrency),
                    "--depth",
                    str(args.depth),
                    "--max-seconds",
                    str(args.max_seconds),
                ]
                run, out, err = run_measured(tool, cmd, farm)
                data = last_json(out, tool, err)
                run.pages = data["pages"]
                run.window_wall_s, run.window_cpu_s = data["window_wall_s"], data["window_cpu_s"]
                run.extra = {k: data[k] for k in ("requests", "responses", "robots")}
            else:
                cmd = linkchecker_cmd(args, homes, workdir)
                shown = cmd[: -len(homes)] + [f"<{len(homes)} homepage URLs>"]
                run, out, err = run_measured(tool, cmd, farm)
                run.command = shlex.join(shown)
                run.pages, rows = linkchecker_pages(out)
                run.extra = {"csv_rows": rows}
                if run.pages == 0:
                    raise SystemExit(f"linkchecker reported nothing (exit {run.exit_code}); stderr:\n{err[-3000:]}")
            runs.append(run)
            say(f"  command: {run.command}")
            say(
                f"  exit {run.exit_code}; {run.pages} pages (distinct URLs), farm answered {run.served} requests, "
                f"{run.wall_s:.2f} s wall, {run.cpu_s:.2f} s CPU, peak RSS {run.maxrss_mb:.0f} MB; {run.extra}"
            )
    return runs


def report(runs: list[Run], log: list[str]) -> None:
    def say(text: str = "") -> None:
        print(text, flush=True)
        log.append(text)

    say()
    say("tool         pages  farm-req  wall s  pages/s  CPU s  CPU ms/page | crawl-window: s  pages/s  CPU ms/page")
    for r in runs:
        window = ""
        if r.window_wall_s is not None:
            window = f"{r.window_wall_s:15.2f} {r.window_pages_per_s:8.0f} {r.window_cpu_ms:12.2f}"
        say(
            f"{r.tool:<12} {r.pages:5d} {r.served:9d} {r.wall_s:7.2f} {r.pages_per_s:8.0f} {r.cpu_s:6.2f} "
            f"{r.cpu_ms_per_page:12.2f} | {window}"
        )
    by = {r.tool: r for r in runs}
    z = by.get("zwgk")
    if z is None:
        return
    say()
    counts = [r.pages for r in runs]
    spread = (max(counts) - min(counts)) / max(counts) * 100 if counts else 0
    say(f"page counts: {', '.join(f'{r.tool} {r.pages}' for r in runs)} (spread {spread:.1f} %)")
    for other in ("scrapy", "linkchecker"):
        o = by.get(other)
        if o is None or not o.pages_per_s:
            continue
        ratio = z.pages_per_s / o.pages_per_s
        say(
            f"zwgk/{other} pages/s (whole process): {z.pages_per_s:.0f}/{o.pages_per_s:.0f} = {ratio:.2f}x "
            f"(target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'})"
        )
        if z.window_pages_per_s and o.window_pages_per_s:
            wr = z.window_pages_per_s / o.window_pages_per_s
            say(
                f"zwgk/{other} pages/s (crawl window): {z.window_pages_per_s:.0f}/{o.window_pages_per_s:.0f} = {wr:.2f}x"
            )
        say(
            f"{other}/zwgk CPU per page: {o.cpu_ms_per_page:.2f}/{z.cpu_ms_per_page:.2f} ms = "
            f"{o.cpu_ms_per_page / z.cpu_ms_per_page:.2f}x"
        )
    say(
        f"zwgk CPU per page: {z.cpu_ms_per_page:.2f} ms whole process"
        + (f", {z.window_cpu_ms:.2f} ms crawl window" if z.window_cpu_ms is not None else "")
        + f" (target <= {TARGET_CPU_MS:.1f} ms: {'met' if z.cpu_ms_per_page <= TARGET_CPU_MS else 'NOT met'})"
    )


def rss_run(args: argparse.Namespace, workdir: Path, log: list[str]) -> None:
    def say(text: str = "") -> None:
        print(text, flush=True)
        log.append(text)

    say()
    with FarmProcess(args.rss_sites, args.seed, args.rss_pages_per_column, workdir) as farm:
        say(
            f"[{time.strftime('%H:%M:%S')}] RSS: zwgk, {args.rss_sites}-site farm "
            f"(pages_per_column {args.rss_pages_per_column}), sites_in_flight {args.rss_sites}, "
            f"{f'stopped after {args.rss_seconds:g} s' if args.rss_seconds else 'run to the end'} … {machine_line()}"
        )
        cmd = zwgk_cmd(args, farm.registry, workdir / "zwgk-rss.db", args.rss_sites, None, ticks=True)
        run, out, err = run_measured("zwgk", cmd, farm, stop_after=args.rss_seconds)
    ticks = [json.loads(line[5:]) for line in out.splitlines() if line.startswith("TICK ")]
    final = next((json.loads(line) for line in reversed(out.splitlines()) if line.startswith("{")), None)
    if not ticks and final is None:
        raise SystemExit(f"zwgk RSS run printed nothing (exit {run.exit_code}); stderr:\n{err[-3000:]}")
    say(f"  command: {run.command}")
    series = ticks[:: max(1, len(ticks) // 12)] + ticks[-1:]
    say(
        "  RSS over time (t s: sites in flight, pages done, RSS MB): "
        + "; ".join(f"{t['t']:.0f}: {t['in_flight']}, {t['pages']}, {t['rss_mb']:.0f}" for t in series)
    )
    if final is not None:
        pages = final["pages"]
        say(
            f"  finished: exit {run.exit_code}; peak in flight {final['peak_in_flight']} sites; {pages} pages "
            f"({final['crawled_sites']} sites crawled, {final['failed_sites']} failed: {final['failed_reasons']}) "
            f"in {run.wall_s:.1f} s; "
            f"{run.cpu_s:.1f} s CPU = {1000 * run.cpu_s / max(pages, 1):.2f} ms/page"
        )
    else:
        full = [t for t in ticks if t["in_flight"] >= args.rss_sites]
        pages = ticks[-1]["pages"]
        say(
            f"  stopped after {run.wall_s:.1f} s (SIGTERM, as asked): {pages} pages done; "
            f"{len(full)} of {len(ticks)} samples had all {args.rss_sites} sites in flight; "
            f"{run.cpu_s:.1f} s CPU (start-up included)"
        )
    ok = run.maxrss_mb < TARGET_RSS_MB
    say(
        f"  peak RSS {run.maxrss_mb:.0f} MB (os.wait4 ru_maxrss; target < {TARGET_RSS_MB} MB: {'met' if ok else 'NOT met'})"
    )


def summarise_py_spy(raw: Path, top: int) -> str:
    """Self and inclusive shares of py-spy's collapsed stacks (every thread, CPU samples only)."""
    import collections

    total = 0
    leaf: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.rsplit("(", 1)[-1].split(":")[0] + ")" for f in stack.split(";")]
        leaf[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "py-spy recorded no samples"
    lines = [f"{total} samples; self time (the frame itself):"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in leaf.most_common(top)]
    lines.append("inclusive (frame and what it calls), zwgk and the libraries it hands work to:")
    keep = (
        "zwgk/",
        "sqlalchemy/orm/session",
        "sqlalchemy/engine/base",
        "aiohttp/client.py",
        "importlib._bootstrap>",
        "selectolax",
        "opencc",
        "urllib/parse",
    )
    shown = [(name, n) for name, n in inclusive.most_common() if any(k in name for k in keep)]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in shown[: top * 2]]
    return "\n".join(lines)


def profile_run(args: argparse.Namespace, workdir: Path, log: list[str]) -> None:
    """One extra, unmeasured zwgk run under a profiler: where the CPU goes.

    py-spy (sampling, every thread, CPU only) when installed, so the SQLite writer thread is
    included; else cProfile of the event-loop thread with a CPU clock.
    """
    spy = shutil.which("py-spy")
    with FarmProcess(args.sites, args.seed, args.pages_per_column, workdir) as farm:
        if spy:
            raw = workdir / "zwgk-py-spy.txt"
            cmd = [
                spy,
                "record",
                "--format",
                "raw",
                "--rate",
                "250",
                "--output",
                str(raw),
                "--",
                *zwgk_cmd(args, farm.registry, workdir / "zwgk-profile.db", args.sites_in_flight, None),
            ]
            run, out, err = run_measured("zwgk", cmd, farm)
            last_json(out, "zwgk", err)
            text = (
                f"\nprofile: py-spy, all threads, whole process (separate run, not the measured one)\n"
                f"  command: {run.command}\n{summarise_py_spy(raw, args.profile_top)}"
            )
        else:
            import pstats

            prof = workdir / "zwgk.prof"
            cmd = zwgk_cmd(args, farm.registry, workdir / "zwgk-profile.db", args.sites_in_flight, prof)
            run, out, err = run_measured("zwgk", cmd, farm)
            last_json(out, "zwgk", err)
            buf = io.StringIO()
            pstats.Stats(str(prof), stream=buf).sort_stats("tottime").print_stats(args.profile_top)
            text = f"\nprofile: cProfile, event-loop thread CPU time (py-spy not installed)\n{buf.getvalue()}"
    print(text, flush=True)
    log.append(text)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Throughput of zwgk vs Scrapy vs LinkChecker on one benchmark-mode site farm "
        "(same sites, same per-host concurrency, no delay); then zwgk's peak RSS with many sites in flight.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of zwgk,scrapy,linkchecker")
    p.add_argument("--sites", type=int, default=24, help="sites in the comparison farm")
    p.add_argument("--seed", type=int, default=1, help="farm seed (same farm for every tool)")
    p.add_argument("--pages-per-column", type=int, default=40, help="farm size knob: list items per column")
    p.add_argument("--per-host", type=int, default=4, help="requests in flight per host:port, every tool")
    p.add_argument("--concurrency", type=int, default=64, help="requests in flight overall (zwgk, Scrapy)")
    p.add_argument("--sites-in-flight", type=int, default=50, help="zwgk sites crawled at once (comparison run)")
    p.add_argument(
        "--depth",
        type=int,
        default=4,
        help="link depth from the homepage that Scrapy (DEPTH_LIMIT) and LinkChecker (--recursion-level) "
        "follow; the farm has an endless calendar, so unlimited depth never ends",
    )
    p.add_argument("--max-seconds", type=int, default=300, help="safety stop for Scrapy (CLOSESPIDER_TIMEOUT)")
    p.add_argument("--lc-threads", type=int, default=10, help="LinkChecker --threads")
    p.add_argument(
        "--lc-rate",
        type=float,
        default=10000,
        help="LinkChecker maxrequestspersecond per host (config file; >10 needs the farm's opt-in "
        "header); 0 = LinkChecker's default 10, i.e. about 3 requests/s per host",
    )
    p.add_argument("--rss-sites", type=int, default=500, help="sites (all in flight) for the zwgk RSS run; 0 skips it")
    p.add_argument(
        "--rss-seconds",
        type=float,
        default=150,
        help="stop the RSS run after this long (the RSS series shows whether it had levelled off); "
        "0 = crawl all sites to the end (about 10 minutes on 2 cores)",
    )
    p.add_argument(
        "--rss-pages-per-column",
        type=int,
        default=15,
        help="farm size knob for the RSS run (the farm generator needs at least 15)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="also run zwgk once under py-spy (all threads; cProfile if py-spy is missing) "
        "and print where the CPU goes",
    )
    p.add_argument("--profile-top", type=int, default=25, help="functions shown in the profile summary")
    p.add_argument("--output", type=Path, default=None, help="also write everything printed to this file")
    p.add_argument(
        "--workdir", type=Path, default=None, help="keep farm registry, databases, profile here (default: temp dir)"
    )
    # Internal: the same file runs the farm and the measured crawlers as child processes.
    p.add_argument("--role", choices=("main", "farm", "zwgk", "scrapy"), default="main", help=argparse.SUPPRESS)
    p.add_argument("--registry", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--urls", help=argparse.SUPPRESS)
    p.add_argument("--profile-path", dest="profile_path", help=argparse.SUPPRESS)
    p.add_argument("--ticks", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.role == "main":
        args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
        unknown = sorted(set(args.tools) - set(TOOLS))
        if unknown:
            p.error(f"--tools: unknown {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.role == "farm":
        return farm_main(args)
    if args.role == "zwgk":
        args.profile = args.profile_path
        return zwgk_main(args)
    if args.role == "scrapy":
        return scrapy_main(args)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zwgk-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log: list[str] = []
    head = [
        f"bench/throughput.py  {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"command: {shlex.join([sys.executable, *sys.argv])}",
        machine_line(),
        versions(),
        f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
    ]
    for line in head:
        print(line, flush=True)
    log.extend(head)
    try:
        runs = compare(args, workdir, log) if args.tools else []
        report(runs, log)
        if args.rss_sites > 0:
            rss_run(args, workdir, log)
        if args.profile:
            profile_run(args, workdir, log)
        log.append(f"uptime at end: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        print(log[-1])
    finally:
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text("\n".join(log) + "\n", encoding="utf-8")
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
