"""National benchmark: every site of the national registry, crawled from the site farm.

What it measures, per configuration (the in-process ``local`` executor as the
baseline, then 1, 2, 4 ``zwgk worker`` processes with the Celery executor):
sites/s and pages/s of the crawl phase, the time of the finishing phase
(evaluation, rectification, scoring in the coordinator), peak RSS (VmHWM) of
every worker process and its pool children, and the CPU seconds the farm
(the simulated servers, on this same machine) used meanwhile.

Then it projects — arithmetic shown, marked as a projection — how long a full
national round would take against real servers at real politeness
(``--politeness`` requests/s per host), from the requests per site measured
with the default crawl settings on a sample (``--sample``).

Pages per site are reduced (``--max-pages``, ``--max-links``) so that a full
run fits in about 20 minutes on a 2-core machine; the farm, Redis and the
database share the machine with the workers.

Usage (measured runs must hold the machine lock):
  flock /tmp/zwgk-bench.lock python bench/national.py | tee bench/results/national.txt
  python bench/national.py --sites 200 --configs local,1     # a quick subset
Services: a private redis-server and a private PostgreSQL cluster in a temp
dir on free loopback ports (as tests/fixtures_services.py does), or
``--db sqlite`` for one SQLite file per configuration.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGISTRY = Path(__file__).resolve().parents[1] / "zwgk/data/registry/gov-sites-2023-03-09.csv"  # bundled
AS_OF = "2026-11-20"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--registry", type=Path, default=REGISTRY, help="National-export CSV (default: the 2023-03-09 export)."
    )
    p.add_argument(
        "--sites",
        type=int,
        default=0,
        help="Rounds cover N sites spread evenly over the registry (0 = all); the farm always serves all.",
    )
    p.add_argument(
        "--configs", default="local,1,2,4", help="Comma list: local and/or worker counts (default local,1,2,4)."
    )
    p.add_argument(
        "--max-pages", type=int, default=2, help="HTML pages crawled per site (CrawlSettings.max_pages_per_site)."
    )
    p.add_argument(
        "--max-links", type=int, default=2, help="Uncrawled link targets checked per site (max_links_checked_per_site)."
    )
    p.add_argument("--ipv6-sample", type=int, default=1, help="Inner links fetched over IPv6 per site (ipv6_sample).")
    p.add_argument(
        "--worker-pool", default="threads", choices=("prefork", "threads", "solo"), help="`zwgk worker --pool`."
    )
    p.add_argument("--worker-concurrency", type=int, default=8, help="`zwgk worker -c` (sites at once per worker).")
    p.add_argument("--db", default="postgres", choices=("postgres", "sqlite"), help="Round database kind.")
    p.add_argument(
        "--sample", type=int, default=40, help="Sites crawled with default settings to measure requests/site (0: skip)."
    )
    p.add_argument("--politeness", type=float, default=1.0, help="Requests/s per host assumed by the projection.")
    p.add_argument("--project-workers", default="1,4,16,32", help="Worker counts the projection is shown for.")
    p.add_argument("--keep", action="store_true", help="Keep the temporary directory (databases, logs).")
    p.add_argument("--coordinator", default=None, help=argparse.SUPPRESS)  # internal: JSON job of one round
    return p.parse_args(argv)


# ------------------------------------------------------------------ /proc helpers


def vm_hwm_kb(pid: int) -> int | None:
    """Peak resident set (VmHWM) of a live process, in kB; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (itself, not its children)."""
    try:
        fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields_[11]) + int(fields_[12])) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid``, its reaped children (cutime/cstime) and its live descendants.

    For PostgreSQL's postmaster this counts the backends of closed connections too.
    """
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = sum(int(x) for x in f[11:15]) / CLOCK_TICKS
    return total + sum(cpu_seconds(child) or 0.0 for child in children_of(pid))


def children_of(pid: int) -> list[int]:
    """Every descendant of ``pid`` (prefork pool children, their children …)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def load_averages() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def machine_line() -> str:
    up = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return f"nproc {os.cpu_count()} | uptime: {up}"


@dataclass
class RssWatch:
    """Samples VmHWM of processes and their descendants until stopped.

    VmHWM is the kernel's own peak, so sampling only has to see each process
    alive once; a 0.5 s period is enough because pool children live for the
    whole run.
    """

    pids: list[int]
    peaks: dict[int, dict[int, int]] = field(default_factory=dict)  # root → {pid: kB}
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        for root in self.pids:
            seen = self.peaks.setdefault(root, {})
            for pid in [root, *children_of(root)]:
                kb = vm_hwm_kb(pid)
                if kb is not None:
                    seen[pid] = max(seen.get(pid, 0), kb)

    def start(self) -> RssWatch:
        def loop() -> None:
            while not self._stop.wait(0.5):
                self.sample()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.sample()
        self._stop.set()
        if self._thread:
            self._thread.join(5)


# ------------------------------------------------------------------ inputs and services


def subset_registry(src: Path, n: int, out: Path, encoding: str = "utf-8-sig") -> int:
    """Write ``n`` rows spread evenly over ``src`` (all when n = 0); returns the count."""
    with src.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    if n and n < len(body):
        body = [body[i * len(body) // n] for i in range(n)]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(body)
    return len(body)


@dataclass
class FarmProcess:
    proc: subprocess.Popen
    resolver: str
    registry: Path
    sites: int


def start_farm(registry: Path, workdir: Path) -> FarmProcess:
    """``zwgk farm serve`` in its own process, as a user would run it."""
    out = workdir / "farm-registry.csv"
    log = workdir / "farm.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk.cli", "farm", "serve", "--registry", str(registry), "--registry-out", str(out)],
        stdout=open(log, "wb"),  # noqa: SIM115 — the farm process owns the log while it runs
        stderr=subprocess.STDOUT,
        env=child_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"--resolver (\S+)\)", text)
        if m and out.exists():
            with out.open(encoding="utf-8") as fh:
                sites = sum(1 for _ in fh) - 1
            return FarmProcess(proc, m.group(1), out, sites)
        if proc.poll() is not None:
            raise SystemExit(f"farm failed to start, see {log}:\n{text}")
        time.sleep(0.2)
    raise SystemExit(f"farm did not start within 600 s, see {log}")


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("ZWGK_BROKER", None)
    env.pop("ZWGK_DB", None)
    env.update(extra)
    return env


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    import signal

    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


# ------------------------------------------------------------------ one round (coordinator process)


def coordinator_main(job_path: str) -> None:
    """Run one round with the Python API (crawl caps are not all CLI flags) and print JSON."""
    import zwgk.assess
    import zwgk.crawlers
    import zwgk.indicators  # noqa: F401
    from zwgk.app import RoundOptions, run_round
    from zwgk.storage import Database

    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    db = Database.open(job["db"])
    marks: dict[str, float] = {}
    t0 = time.monotonic()

    def progress(event: dict[str, Any]) -> None:
        stage = event.get("stage") or event.get("event")
        if stage in ("round", "evaluate", "score", "done") and stage not in marks:
            marks[stage] = time.monotonic() - t0

    opts = RoundOptions(
        name=job["round"],
        as_of=dt.date.fromisoformat(AS_OF),
        registry=Path(job["registry"]),
        resolver=job["resolver"],
        allow_private=True,
        crawl=job["crawl"],
    )
    if job["executor"] == "celery":
        from zwgk.distributed.executor import run_round_celery

        result = run_round_celery(db, opts, progress=progress, broker=job["broker"])
    else:
        result = run_round(db, opts, progress=progress)
    total = time.monotonic() - t0
    print(
        json.dumps(
            {
                "total_s": total,
                "marks": marks,
                "units": result.units,
                "crawled": result.crawled,
                "failed": len(result.failed),
                "findings": result.findings,
                "coordinator_hwm_kb": vm_hwm_kb(os.getpid()),
                "coordinator_cpu_s": sum(os.times()[:2]),
            }
        )
    )


def round_counts(db_url: str, name: str) -> dict[str, Any]:
    """Pages stored (all, and HTML pages crawled) and sites per state, from the database."""
    from sqlalchemy import func, select

    from zwgk.storage import Database
    from zwgk.storage.rounds import get_round
    from zwgk.storage.tables import PageRow, RoundSiteRow

    db = Database.open(db_url)
    try:
        info = get_round(db, name)
        with db.session() as s:
            pages = s.scalar(select(func.count()).select_from(PageRow).where(PageRow.round_id == info.id))
            kinds = dict(
                s.execute(
                    select(PageRow.kind, func.count()).where(PageRow.round_id == info.id).group_by(PageRow.kind)
                ).all()
            )
            states = dict(
                s.execute(
                    select(RoundSiteRow.state, func.count())
                    .where(RoundSiteRow.round_id == info.id)
                    .group_by(RoundSiteRow.state)
                ).all()
            )
        return {"pages": int(pages or 0), "kinds": {k: int(v) for k, v in kinds.items()}, "states": states}
    finally:
        db.dispose()


# ------------------------------------------------------------------ the benchmark


@dataclass
class Services:
    workdir: Path
    db_kind: str
    redis: Any = None
    pg: Any = None
    counter: int = 0
    keep: bool = False

    def start(self, need_redis: bool) -> None:
        from tests.fixtures_services import RedisServer, start_postgres_cluster

        if need_redis:
            self.redis = RedisServer(self.workdir)
            self.redis.start()
        if self.db_kind == "postgres":
            self.pg = start_postgres_cluster()

    def new_db(self, label: str) -> str:
        self.counter += 1
        name = f"nat_{self.counter}_{re.sub(r'[^a-z0-9]', '_', label.lower())}"
        if self.pg is not None:
            self.pg.execute(f"CREATE DATABASE {name}")
            return self.pg.url(name)
        return f"sqlite:///{self.workdir / (name + '.db')}"

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the database server and Redis (0 when not running)."""
        out = {"postgres": 0.0, "redis": 0.0}
        if self.pg is not None:
            try:
                out["postgres"] = tree_cpu_seconds(int((self.pg.datadir / "postmaster.pid").read_text().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
        if self.redis is not None and self.redis.proc is not None:
            out["redis"] = cpu_seconds(self.redis.proc.pid) or 0.0
        return out

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.stop()
        if self.pg is not None:
            try:
                self.pg.stop("fast")
            finally:
                if not self.keep:
                    shutil.rmtree(self.pg.root, ignore_errors=True)


def run_config(
    label: str,
    workers: int,
    args: argparse.Namespace,
    farm: FarmProcess,
    round_registry: Path,
    services: Services,
    crawl: dict[str, Any],
    out: Report,
) -> dict[str, Any]:
    """One measured round: start workers (if any), coordinate, measure, stop."""
    db_url = services.new_db(label)
    executor = "celery" if workers else "local"
    if workers:
        services.redis.flush()
    job = {
        "db": db_url,
        "round": f"national-{label}",
        "registry": str(round_registry),
        "resolver": farm.resolver,
        "crawl": crawl,
        "executor": executor,
        "broker": services.redis.url if workers else None,
    }
    job_path = services.workdir / f"job-{label}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")

    # the database is created (migrated) before the clock starts, as in a deployment
    from zwgk.storage import Database

    Database.open(db_url).dispose()

    worker_procs: list[subprocess.Popen] = []
    worker_cmd = [
        sys.executable,
        "-m",
        "zwgk.cli",
        "worker",
        "--broker",
        job["broker"] or "",
        "--db",
        db_url,
        "--pool",
        args.worker_pool,
        "-c",
        str(args.worker_concurrency),
        "--loglevel",
        "WARNING",
    ]
    for i in range(workers):
        log = open(services.workdir / f"worker-{label}-{i}.log", "wb")  # noqa: SIM115 — the worker owns its log while it runs
        worker_procs.append(
            subprocess.Popen(
                [*worker_cmd, "--name", f"bench{i}@%h"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env(),
                start_new_session=True,
            )
        )
    if workers:
        time.sleep(8)  # workers import the stages and connect before the clock starts
    watch = RssWatch([p.pid for p in worker_procs]).start()
    farm_cpu0 = cpu_seconds(farm.proc.pid) or 0.0
    svc0 = services.cpu()
    load0 = load_averages()
    coord_cmd = [sys.executable, str(Path(__file__).resolve()), "--coordinator", str(job_path)]
    t0 = time.monotonic()
    run = subprocess.run(coord_cmd, capture_output=True, text=True, env=child_env())
    wall = time.monotonic() - t0
    farm_cpu = (cpu_seconds(farm.proc.pid) or 0.0) - farm_cpu0
    svc = {k: v - svc0[k] for k, v in services.cpu().items()}
    load1 = load_averages()
    watch.stop()
    worker_cpu = [tree_cpu_seconds(p.pid) for p in worker_procs]  # since start, incl. the 8 s warm-up
    for proc in worker_procs:
        stop_process(proc)
    if run.returncode != 0:
        services.keep = True  # the database holds what was crawled: keep it for a resumed run
        out.line(f"[{label}] coordinator failed (exit {run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        return {"label": label, "error": True}
    res = json.loads(run.stdout.strip().splitlines()[-1])
    counts = round_counts(db_url, job["round"])
    prepare_s = res["marks"].get("round", 0.0)  # registry import + round creation
    crawl_s = res["marks"].get("evaluate", res["total_s"]) - prepare_s
    finish_s = res["total_s"] - prepare_s - crawl_s
    done = counts["states"].get("crawled", 0) + counts["states"].get("failed", 0) + counts["states"].get("evaluated", 0)
    html = sum(v for k, v in counts["kinds"].items() if k in ("home", "column", "article"))
    row = {
        "label": label,
        "workers": workers,
        "sites": res["units"],
        "done": done,
        "failed": res["failed"],
        "pages": counts["pages"],
        "html_pages": html,
        "kinds": counts["kinds"],
        "crawl_s": crawl_s,
        "finish_s": finish_s,
        "prepare_s": prepare_s,
        "wall_s": wall,
        "sites_per_s": done / crawl_s if crawl_s else 0.0,
        "pages_per_s": counts["pages"] / crawl_s if crawl_s else 0.0,
        "farm_cpu_s": farm_cpu,
        "coordinator_hwm_mb": (res["coordinator_hwm_kb"] or 0) / 1024,
        "worker_rss": {root: peaks for root, peaks in watch.peaks.items()},
        "load_before": load0,
        "load_after": load1,
        "findings": res["findings"],
    }
    out.line(
        f"[{label}] executor={executor} workers={workers} db={db_url.split('@')[-1]} load before {load0} after {load1}"
    )
    out.line(
        f"[{label}] sites {done}/{res['units']} (not measured {res['failed']}), pages stored {counts['pages']} "
        f"(by kind {counts['kinds']}), findings {res['findings']}"
    )
    out.line(
        f"[{label}] prepare (registry import, round rows) {prepare_s:.1f} s; crawl phase {crawl_s:.1f} s → {row['sites_per_s']:.2f} sites/s, {row['pages_per_s']:.1f} pages/s; "
        f"finish phase (evaluate+rectify+score in coordinator) {finish_s:.1f} s; wall {wall:.1f} s"
    )
    out.line(
        f"[{label}] farm CPU {farm_cpu:.1f} s during the round ({farm_cpu / wall * 100:.0f}% of one core); "
        f"PostgreSQL server CPU {svc['postgres']:.1f} s, redis CPU {svc['redis']:.1f} s; "
        f"coordinator CPU {res.get('coordinator_cpu_s', float('nan')):.1f} s; "
        f"coordinator peak RSS {row['coordinator_hwm_mb']:.0f} MB"
    )
    for i, proc in enumerate(worker_procs):
        peaks = watch.peaks.get(proc.pid, {})
        main = peaks.get(proc.pid, 0) / 1024
        kids = sorted((kb / 1024 for pid, kb in peaks.items() if pid != proc.pid), reverse=True)
        out.line(
            f"[{label}] worker {i} (pid {proc.pid}) CPU {worker_cpu[i]:.1f} s; peak RSS main {main:.0f} MB; children {len(kids)}: "
            f"{', '.join(f'{k:.0f}' for k in kids[:8])}{' …' if len(kids) > 8 else ''} MB; "
            f"sum {main + sum(kids):.0f} MB"
        )
    return row


class Report:
    """Prints to stdout (flushed: the run is long) — tee it to bench/results/national.txt."""

    def line(self, text: str = "") -> None:
        print(text, flush=True)


def projection(
    args: argparse.Namespace, rows: list[dict[str, Any]], sample: dict[str, Any] | None, out: Report
) -> None:
    """Projected full national round at real politeness; every number's origin is printed."""
    out.line("")
    out.line("PROJECTION (not measured: arithmetic on the measurements above)")
    if not sample:
        out.line("  no --sample measurement: requests per site at default settings unknown; no projection")
        return
    sites_total = 13385
    req = sample["pages"] / max(1, sample["done"])
    cpu_per_req = sample["cpu_s"] / max(1, sample["pages"])
    conc = args.worker_concurrency
    out.line(
        f"  requests per site at default crawl settings (measured on {sample['done']} farm sites): "
        f"{sample['pages']} / {sample['done']} = {req:.1f}"
    )
    out.line(
        f"  CPU per request (crawler process + farm, same sample; database server not included): {sample['cpu_s']:.1f} s / {sample['pages']} = "
        f"{cpu_per_req * 1000:.1f} ms"
    )
    out.line(
        f"  politeness: {args.politeness:g} request/s per host, one site per host at a time, "
        f"{conc} sites at once per worker (`zwgk worker -c {conc}`)"
    )
    out.line("  T(N) = max(politeness bound, CPU bound, slowest site)")
    out.line(f"    politeness bound = {sites_total} sites × {req:.1f} req / ({args.politeness:g} req/s × N × {conc})")
    out.line(
        f"    CPU bound        = {sites_total} × {req:.1f} req × {cpu_per_req * 1000:.1f} ms / (N workers × 1 core each)"
    )
    out.line(f"    slowest site     = {req:.1f} req / {args.politeness:g} req/s (a site is crawled by one worker)")
    for n in [int(x) for x in args.project_workers.split(",") if x.strip()]:
        polite = sites_total * req / (args.politeness * n * conc)
        cpu = sites_total * req * cpu_per_req / n
        slowest = req / args.politeness
        t = max(polite, cpu, slowest)
        out.line(
            f"    N={n:>3}: politeness {polite / 3600:6.2f} h, CPU {cpu / 3600:6.2f} h, slowest site {slowest / 60:.1f} min "
            f"→ {t / 3600:.2f} h"
        )
    out.line(
        "  caveats: farm sites answer in microseconds and have fewer pages than many real sites; real latency "
        "(AutoThrottle) and retries only lengthen the politeness bound; the CPU bound assumes each worker has a core."
    )


def measure_sample(
    args: argparse.Namespace, farm_all: FarmProcess, services: Services, out: Report
) -> dict[str, Any] | None:
    """Default crawl settings on a few sites: requests per site and CPU per request."""
    if args.sample <= 0:
        return None
    from zwgk.storage import Database

    workdir = services.workdir
    reg = workdir / "sample-registry.csv"
    with farm_all.registry.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    n = min(args.sample, len(body))
    picked = [body[i * len(body) // n] for i in range(n)]
    with reg.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(picked)
    db_url = services.new_db("sample")
    Database.open(db_url).dispose()
    job = {
        "db": db_url,
        "round": "sample",
        "registry": str(reg),
        "resolver": farm_all.resolver,
        "crawl": {},
        "executor": "local",
        "broker": None,
    }
    job_path = workdir / "job-sample.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    farm_cpu0 = cpu_seconds(farm_all.proc.pid) or 0.0
    before = os.times()
    run = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--coordinator", str(job_path)],
        capture_output=True,
        text=True,
        env=child_env(),
    )
    after = os.times()
    if run.returncode != 0:
        out.line(f"[sample] failed: {run.stderr[-2000:]}")
        return None
    farm_cpu = (cpu_seconds(farm_all.proc.pid) or 0.0) - farm_cpu0
    child_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    counts = round_counts(db_url, "sample")
    done = sum(counts["states"].values())
    cpu = child_cpu + farm_cpu
    out.line(
        f"[sample] default crawl settings, local executor, {done} sites: pages stored {counts['pages']} "
        f"(by kind {counts['kinds']}), CPU crawler process {child_cpu:.1f} s + farm {farm_cpu:.1f} s"
    )
    return {"done": done, "pages": counts["pages"], "cpu_s": cpu}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.coordinator:
        coordinator_main(args.coordinator)
        return
    out = Report()
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    out.line(f"# bench/national.py — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
    out.line(f"# command: {shlex.join([sys.executable, *sys.argv])}")
    out.line(f"# {machine_line()}")
    crawl = {
        "max_pages_per_site": args.max_pages,
        "max_links_checked_per_site": args.max_links,
        "ipv6_sample": args.ipv6_sample,
    }
    out.line(
        f"# crawl overrides for the measured rounds: {crawl} (all other CrawlSettings default); "
        f"workers: --pool {args.worker_pool} -c {args.worker_concurrency}; database: {args.db}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="zwgk-national-"))
    services = Services(workdir, args.db)
    farm: FarmProcess | None = None
    rows: list[dict[str, Any]] = []
    try:
        t = time.monotonic()
        farm = start_farm(args.registry, workdir)  # always the whole registry: the farm is national
        out.line(
            f"# farm: {farm.sites} sites from {args.registry.name}, resolver {farm.resolver}, "
            f"started in {time.monotonic() - t:.1f} s (zwgk farm serve, own process)"
        )
        round_registry = workdir / "round-registry.csv"
        n = subset_registry(farm.registry, args.sites, round_registry, encoding="utf-8")
        out.line(
            f"# measured rounds cover {n} of the farm's {farm.sites} sites"
            f"{' (spread evenly over the registry order)' if n < farm.sites else ''}"
        )
        services.start(need_redis=any(c != "local" for c in configs))
        out.line(
            f"# services: redis {services.redis.url if services.redis else '-'}; "
            f"database {'PostgreSQL ' + str(services.pg.port) if services.pg else 'SQLite files'} in {workdir}"
        )
        sample = measure_sample(args, farm, services, out)
        for c in configs:
            workers = 0 if c == "local" else int(c)
            label = "local" if not workers else f"celery-{workers}w"
            out.line(f"# {label}: {machine_line()}")
            rows.append(run_config(label, workers, args, farm, round_registry, services, crawl, out))
        out.line("")
        out.line("SUMMARY (crawl phase; reduced pages per site, see crawl overrides)")
        out.line(
            f"{'config':<12}{'sites':>7}{'pages':>9}{'crawl s':>9}{'sites/s':>9}{'pages/s':>9}{'finish s':>10}"
            f"{'farm CPU%':>10}{'peak RSS/worker MB (main+children)':>36}"
        )
        for r in rows:
            if r.get("error"):
                out.line(f"{r['label']:<12} failed")
                continue
            rss = []
            for peaks in r["worker_rss"].values():
                rss.append(sum(peaks.values()) / 1024)
            rss_text = ", ".join(f"{x:.0f}" for x in rss) or f"(in-process {r['coordinator_hwm_mb']:.0f})"
            out.line(
                f"{r['label']:<12}{r['done']:>7}{r['pages']:>9}{r['crawl_s']:>9.1f}{r['sites_per_s']:>9.2f}"
                f"{r['pages_per_s']:>9.1f}{r['finish_s']:>10.1f}{r['farm_cpu_s'] / r['wall_s'] * 100:>9.0f}%{rss_text:>36}"
            )
        projection(args, rows, sample, out)
        out.line(f"# finished {dt.datetime.now(dt.UTC):%H:%M:%S} UTC; {machine_line()}")
    finally:
        if farm is not None:
            stop_process(farm.proc)
        services.stop()
        if args.keep or services.keep:
            out.line(f"# kept {workdir}" + (f" and PostgreSQL data in {services.pg.root}" if services.pg else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
