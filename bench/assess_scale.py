"""How long scoring, rectification and exports take for a national-size round.

Usage: python bench/assess_scale.py [UNITS] [FINDINGS_PER_UNIT]
(default 3000 units × 15 findings, SQLite in a temporary directory).
Prints one line per step with seconds; not a test (no timing assertions in tests/).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures_assess import add_round, add_units, finding
from zwgk.assess import score_round, update_rectification
from zwgk.assess.exports import export_bulletin, export_findings, export_round_workbook, export_scores
from zwgk.indicators import load_rubric
from zwgk.model import Unit
from zwgk.storage import Database, results

RULES = [
    ("COLUMN-MISSING", "columns", 5),
    ("LINK-PAGE", "availability", 1),
    ("IPV6-NONE", "function", 3),
    ("INTERP-LATE", "interp", 1),
    ("REPLY-LATE", "interaction", 1),
]


def main() -> None:
    n_units = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    per_unit = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    tmp = Path(tempfile.mkdtemp())
    db = Database.open(f"sqlite:///{tmp / 'bench.db'}")
    rubric = load_rubric("national-2019")
    units = [
        Unit(
            f"u{i:05d}",
            f"单位{i}",
            "县",
            "department" if i % 3 else "portal",
            f"http://u{i}.gov.cn/",
            has_services=bool(i % 5),
        )
        for i in range(n_units)
    ]
    add_units(db, units)

    def step(label: str, fn):
        t = time.perf_counter()
        out = fn()
        print(f"{label:<40} {time.perf_counter() - t:7.2f} s")
        return out

    for k, as_of in enumerate((dt.date(2026, 10, 20), dt.date(2026, 11, 20))):
        rid = add_round(db, f"r{k}", as_of, [u.unit_id for u in units], rubric="national-2019")

        def write(rid=rid, k=k):
            for i, u in enumerate(units):
                fs = [
                    finding(
                        u.unit_id,
                        *RULES[j % len(RULES)][:1],
                        f"s{j}",
                        RULES[j % len(RULES)][2],
                        RULES[j % len(RULES)][1],
                    )
                    for j in range((i + k) % per_unit + 1)
                ]
                results.replace_findings(db, rid, u.unit_id, fs)

        step(f"round {k}: store findings", write)
        step(f"round {k}: update_rectification", lambda rid=rid: update_rectification(db, rid, rubric))
        step(f"round {k}: score_round", lambda rid=rid: score_round(db, rid, rubric))
    step("export findings csv", lambda: export_findings(db, "r1", "csv", tmp / "f.csv"))
    step("export findings xlsx", lambda: export_findings(db, "r1", "xlsx", tmp / "f.xlsx"))
    step("export scores xlsx", lambda: export_scores(db, "r1", "xlsx", tmp / "s.xlsx"))
    step("export round workbook", lambda: export_round_workbook(db, "r1", tmp / "all.xlsx"))
    step("export bulletin pdf", lambda: export_bulletin(db, "r1", tmp / "b.pdf"))


if __name__ == "__main__":
    main()
