"""Peak memory and time of reading hostile spreadsheets (issue 18): each must be refused or read
with a peak RSS under 300 MB.

Usage: python bench/spreadsheet_bombs.py [--out bench/results/spreadsheet_bombs.txt]

Every file is generated into a temporary directory (tests/xlsx_bombs.py) and read by
``zwgk registry check FILE`` in a fresh process; the peak RSS is that process's
``ru_maxrss`` (os.wait4), so the interpreter and imports are included.  Controls: a well-formed
workbook of national size (13,385 rows) and one with 1,000,000 trailing empty rows (the most
Excel can hold), which must read.  Not a test: tests/ make no memory or timing assertions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CAP_MB = 300


def _read(path: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS MB, last line of output) of `zwgk registry check path`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk", "registry", "check", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    lines = [line for line in out.strip().splitlines() if line.strip()]
    shown = next((line for line in lines if "error" in line), lines[-1] if lines else "")
    if "rows read" in out:
        shown = next(line for line in lines if "rows read" in line)
    return proc.returncode, seconds, usage.ru_maxrss / 1024, shown.replace(str(path), path.name)[:160]


def main() -> None:
    from tests import xlsx_bombs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/spreadsheet_bombs.txt")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="zwgk-bombs-") as tmp:
        d = Path(tmp)
        cases = [
            ("1 MB sheet → 1 GB (XML whitespace)", xlsx_bombs.sheet_bomb(d / "sheet_1gb.xlsx")),
            ("2 MB sheet → 0.5 GB of cells", xlsx_bombs.cells_bomb(d / "cells.xlsx")),
            ("1 MB shared strings → 0.4 GB", xlsx_bombs.strings_bomb(d / "strings.xlsx")),
            ("2,000,000 empty rows", xlsx_bombs.empty_rows(d / "empty_2m.xlsx")),
            ("malformed sheet XML", xlsx_bombs.malformed_sheet(d / "malformed.xlsx")),
            ("control: 1,000,000 empty rows", xlsx_bombs.empty_rows(d / "empty_1m.xlsx", rows=1_000_000)),
            ("control: 13,385 real-looking rows", xlsx_bombs.small_registry(d / "national_size.xlsx", rows=13_385)),
        ]
        rows = []
        for label, path in cases:
            code, seconds, rss, shown = _read(path)
            verdict = "ok" if rss < CAP_MB else "OVER CAP"
            rows.append(
                f"| {label} | {path.stat().st_size / 1024:,.0f} KB | {code} | {seconds:.1f} | {rss:.0f} | {verdict} | {shown} |"
            )
            print(rows[-1], flush=True)
    report = [
        f"# spreadsheet_bombs.py — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; nproc {os.cpu_count()}; "
        f"load {load_before:.2f} → {os.getloadavg()[0]:.2f}; cap {CAP_MB} MB",
        "| case | on disk | exit | seconds | peak RSS MB | < cap | what zwgk said |",
        "|---|---:|---:|---:|---:|---|---|",
        *rows,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
