"""How long reading and importing the national registry takes (13,385 rows).

Usage: python bench/registry_import.py [REGISTRY] [--db URL]
(default zwgk/data/registry/gov-sites-2023-03-09.csv, bundled, into SQLite in a temporary
directory).  Prints seconds per step: read (decode, normalise, infer), first
import (all rows added), re-import (nothing changes).  Not a test: tests/ make
no timing assertions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from zwgk.registry import read_registry
    from zwgk.storage import Database
    from zwgk.storage.registry import upsert_units

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", nargs="?", default=str(ROOT / "zwgk/data/registry/gov-sites-2023-03-09.csv"))
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        report = read_registry(Path(args.registry))
        read_s = time.perf_counter() - started
        print(f"read      {read_s:6.2f} s  rows {report.rows}, units {report.imported}, rejected {report.rejected}")
        for label in ("import", "re-import"):
            started = time.perf_counter()
            added, updated = upsert_units(db, report.units, source=report.source)
            print(f"{label:9} {time.perf_counter() - started:6.2f} s  added {added}, updated {updated}")
        db.dispose()


if __name__ == "__main__":
    main()
