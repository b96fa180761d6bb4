"""Web-archive benchmark: WARC bytes per site and page, revisits, --archive findings, cost.

What it measures on the site farm (default crawl settings, SQLite, one machine):

1. round ``a1`` with ``--archive all``: WARC bytes per site (median / p90 / max), records
   and bytes per fetched URL, and the CPU seconds of the ``zwgk assess`` process;
2. round ``a2`` on the unchanged farm: the same with revisit records (payload digests);
3. round ``f1`` with ``--archive findings`` (own database): bytes kept per site;
4. round ``n1`` with ``--archive none`` (own database): the CPU seconds without archiving;
5. ``--from-archive a1``: CPU seconds of re-judging offline, and whether findings match.

Farm pages are small and uniform, so the national figure is extrapolated from real pages
(``/work/shared/data/real-pages``: gzip size per page, as each WARC record is gzipped on
its own) and the requests per site of the national bench (``bench/README.md``), with the
arithmetic printed.

Usage:  flock /tmp/zwgk-bench.lock python bench/archive_size.py [--sites 100] [--keep DIR] | tee bench/results/archive_size.txt
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zwgk.sitefarm import FarmConfig, running_farm  # noqa: E402

REAL_PAGES = Path("/work/shared/data/real-pages")
NATIONAL_SITES = 13_385
NATIONAL_REQUESTS_PER_SITE = 214.3  # bench/README.md, "National round", default crawl settings


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def assess(*args: str) -> tuple[float, float]:
    """Run ``zwgk assess`` in a child process; (wall s, CPU s of the child)."""
    cpu0, t0 = child_cpu(), time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "zwgk", "assess", "--quiet", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if run.returncode != 0:
        raise SystemExit(f"zwgk assess {' '.join(args)} failed:\n{run.stderr}{run.stdout}")
    return time.monotonic() - t0, child_cpu() - cpu0


def site_sizes(archive: Path, round_name: str) -> list[int]:
    return sorted(p.stat().st_size for p in archive.glob(f"*-{round_name}/*.warc.gz"))


def describe(sizes: list[int]) -> str:
    if not sizes:
        return "none"
    p90 = sizes[min(len(sizes) - 1, int(len(sizes) * 0.9))]
    return (
        f"total {sum(sizes) / 1e6:.2f} MB, per site median {statistics.median(sizes) / 1e3:.1f} kB, "
        f"p90 {p90 / 1e3:.1f} kB, max {max(sizes) / 1e3:.1f} kB"
    )


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql, params).fetchall()


def real_page_bytes() -> tuple[int, float, float]:
    """(pages, mean raw bytes, mean gzip bytes) of the real government pages on disk."""
    pages = [p for p in REAL_PAGES.glob("*.html")]
    raw = [p.stat().st_size for p in pages]
    packed = [len(gzip.compress(p.read_bytes(), 6)) for p in pages]
    return len(pages), statistics.mean(raw), statistics.mean(packed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="Keep the databases and archives here.")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zwgk-archive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"# archive_size.py --sites {args.sites}  ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, work {work})"
    )
    print(f"# nproc {os.cpu_count()}, load average before {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with running_farm(FarmConfig(sites=args.sites)) as farm:
        registry = farm.write_registry(work / "registry.csv")
        common = [
            "--registry",
            str(registry),
            "--as-of",
            farm.truth["as_of"],
            "--resolver",
            farm.resolver,
            "--allow-private",
        ]
        db, dbf, dbn = work / "all.db", work / "findings.db", work / "none.db"
        t_a1 = assess("--round", "a1", "--db", str(db), *common)
        t_a2 = assess("--round", "a2", "--db", str(db), *common)
        t_f1 = assess(
            "--round",
            "f1",
            "--db",
            str(dbf),
            "--archive-dir",
            str(work / "archive-findings"),
            "--archive",
            "findings",
            *common,
        )
        t_n1 = assess("--round", "n1", "--db", str(dbn), "--archive", "none", *common)
    t_re = assess("--round", "a1-again", "--from-archive", "a1", "--db", str(db))
    archive = work / "archive"
    a1, a2 = site_sizes(archive, "a1"), site_sizes(archive, "a2")
    f1 = site_sizes(work / "archive-findings", "f1")
    fetched = rows(db, "select count(*) from archive_records a join rounds r on r.id=a.round_id where r.name='a1'")[0][
        0
    ]
    kinds = dict(
        rows(
            db,
            "select record_type, count(*) from archive_records a join rounds r on r.id=a.round_id "
            "where r.name='a2' group by 1",
        )
    )
    same = (
        rows(
            db,
            "select count(*) from (select unit_id, rule, subject, message from findings where round_id=1 "
            "except select unit_id, rule, subject, message from findings where round_id=3)",
        )[0][0]
        == 0
        and rows(db, "select count(*) from findings where round_id=1")[0][0]
        == rows(db, "select count(*) from findings where round_id=3")[0][0]
    )
    per_url = sum(a1) / fetched
    print(f"\nfarm, {args.sites} sites, default crawl settings")
    print(
        f"a1 --archive all     : {describe(a1)}; {fetched} URLs archived ({fetched / args.sites:.1f} per site), "
        f"{per_url / 1e3:.2f} kB per URL (response + request record, gzip)"
    )
    print(f"a2 unchanged farm    : {describe(a2)}; records {json.dumps(kinds)}; {sum(a2) / max(sum(a1), 1):.1%} of a1")
    print(f"f1 --archive findings: {describe(f1)}; {sum(f1) / max(sum(a1), 1):.1%} of a1")
    print(
        f"CPU s of zwgk assess : all {t_a1[1]:.1f} (wall {t_a1[0]:.1f}), revisit round {t_a2[1]:.1f} (wall {t_a2[0]:.1f}), "
        f"findings {t_f1[1]:.1f} (wall {t_f1[0]:.1f}), none {t_n1[1]:.1f} (wall {t_n1[0]:.1f})"
    )
    print(f"--from-archive a1    : CPU {t_re[1]:.1f} s, wall {t_re[0]:.1f} s, findings identical: {same}")

    n, raw, packed = real_page_bytes()
    # Header bytes of a response + request pair (gzip), measured: a2's revisit records carry headers only.
    overhead = (
        rows(
            db,
            "select avg(length + request_length) from archive_records a join rounds r on r.id=a.round_id "
            "where r.name='a2' and record_type='revisit'",
        )[0][0]
        or 1000.0
    )
    # Share of fetches that are crawled pages (home, column, article); the rest are link checks,
    # which read at most 2 kB of a non-HTML target.
    html_share = rows(
        db,
        "select avg(kind in ('home','column','article')) from pages p join rounds r on r.id=p.round_id "
        "where r.name='a1'",
    )[0][0]
    check_bytes = (
        rows(
            db,
            "select avg(a.length + a.request_length) from archive_records a join rounds r on r.id=a.round_id "
            "join pages p on p.round_id=a.round_id and p.unit_id=a.unit_id and p.url=a.url "
            "where r.name='a1' and p.kind not in ('home','column','article')",
        )[0][0]
        or overhead
    )
    real_per_url = packed + overhead
    per_site = NATIONAL_REQUESTS_PER_SITE * (html_share * real_per_url + (1 - html_share) * check_bytes)
    print(f"\nreal pages ({n} in {REAL_PAGES}): mean {raw / 1e3:.1f} kB raw, {packed / 1e3:.1f} kB gzip")
    print(
        f"farm: headers of a response+request pair {overhead / 1e3:.2f} kB gzip; {html_share:.0%} of fetches are pages; "
        f"a link check's records {check_bytes / 1e3:.2f} kB"
    )
    print("national extrapolation (arithmetic, not a measurement):")
    print(
        f"  per site = {NATIONAL_REQUESTS_PER_SITE} requests × ({html_share:.2f} × ({packed / 1e3:.1f} + {overhead / 1e3:.2f}) kB"
        f" + {1 - html_share:.2f} × {check_bytes / 1e3:.2f} kB) = {per_site / 1e6:.2f} MB"
    )
    print(
        f"  round    = {NATIONAL_SITES} × {per_site / 1e6:.2f} MB = {NATIONAL_SITES * per_site / 1e9:.1f} GB (--archive all, first round)"
    )
    rev = sum(a2) / max(sum(a1), 1)
    print(
        f"  next round with unchanged pages as revisits (farm ratio {rev:.0%}): about {NATIONAL_SITES * per_site * rev / 1e9:.1f} GB"
        f" (real sites change more than the farm: an upper bound is the first-round figure)"
    )
    fr = sum(f1) / max(sum(a1), 1)
    print(f"  --archive findings (farm ratio {fr:.1%}): about {NATIONAL_SITES * per_site * fr / 1e9:.2f} GB")
    print(f"\n# load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
