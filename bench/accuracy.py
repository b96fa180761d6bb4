"""Accuracy of zwgk against the site farm's ground truth, per rule.

Starts a farm, runs a full round on it in-process (exactly what `zwgk assess`
does), then compares the findings with the farm's planted defects as sets of
(unit_id, rule, subject) and prints per-rule precision, recall and counts, plus
the findings raised on URLs the farm marks as transient or traps (false
positives a real server's misbehaviour would cause).

    python bench/accuracy.py --sites 200 --seed 1 --as-of 2026-11-20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def compare(truth: dict, findings: list[dict]) -> tuple[list[dict], dict]:
    """Per-rule table rows and totals; pure, so tests can use it."""
    planted: dict[str, set] = defaultdict(set)
    for d in truth["defects"]:
        planted[d["rule"]].add((d["unit_id"], d["subject"]))
    found: dict[str, set] = defaultdict(set)
    for f in findings:
        found[f["rule"]].add((f["unit_id"], f["subject"]))
    # transient pages and traps must never yield false findings, unless the farm planted one there
    # on purpose (a link into the redirect loop is a dead link for every visitor).  A planted defect
    # found on a page that failed once and then loaded (its "page") is a true positive, not noise.
    noisy = (set(truth.get("transient", [])) | set(truth.get("traps", []))) - {d["subject"] for d in truth["defects"]}
    rows = []
    for rule in sorted(set(planted) | set(found)):
        tp = len(planted[rule] & found[rule])
        fp = len(found[rule] - planted[rule])
        fn = len(planted[rule] - found[rule])
        rows.append(
            {
                "rule": rule,
                "planted": len(planted[rule]),
                "found": len(found[rule]),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": tp / (tp + fp) if tp + fp else None,
                "recall": tp / (tp + fn) if tp + fn else None,
            }
        )
    on_noise = [
        f
        for f in findings
        if (f["subject"] in noisy or f.get("page") in noisy) and (f["unit_id"], f["subject"]) not in planted[f["rule"]]
    ]
    totals = {
        "missed": sorted([rule, *k] for rule in planted for k in planted[rule] - found[rule]),
        "spurious": sorted([rule, *k] for rule in found for k in found[rule] - planted[rule]),
        "noise": sorted([f["rule"], f["unit_id"], f["subject"]] for f in on_noise),
        "tp": sum(r["tp"] for r in rows),
        "fp": sum(r["fp"] for r in rows),
        "fn": sum(r["fn"] for r in rows),
        "on_transient_or_trap": len(on_noise),
    }
    return rows, totals


def run(sites: int, seed: int, as_of: dt.date, workdir: Path) -> tuple[list[dict], dict, dict]:
    from zwgk.pipeline.round import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.storage import Database
    from zwgk.storage.results import list_findings

    db = Database.open(f"sqlite:///{workdir / 'accuracy.db'}")
    started = time.monotonic()
    with running_farm(FarmConfig(sites=sites, seed=seed, as_of=as_of)) as farm:
        registry = workdir / "registry.csv"
        farm.write_registry(registry)
        result = run_round(
            db,
            RoundOptions(name="accuracy", as_of=as_of, registry=registry, resolver=farm.resolver, allow_private=True),
        )
        truth = farm.truth
    elapsed = time.monotonic() - started
    findings = [
        {"unit_id": f.unit_id, "rule": f.rule, "subject": f.subject, "page": f.page}
        for f in list_findings(db, result.round_id)
    ]
    rows, totals = compare(truth, findings)
    meta = {
        "sites": sites,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "seconds": round(elapsed, 1),
        "not_measured": len(result.failed),
    }
    return rows, totals, meta


def render(rows: list[dict], totals: dict, meta: dict) -> str:
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [
        f"farm: {meta['sites']} sites, seed {meta['seed']}, as-of {meta['as_of']}; "
        f"round took {meta['seconds']} s; not measured: {meta['not_measured']}",
        "",
        "| rule | planted | found | TP | FP | FN | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['rule']} | {r['planted']} | {r['found']} | {r['tp']} | {r['fp']} | {r['fn']} | "
            f"{fmt(r['precision'])} | {fmt(r['recall'])} |"
        )
    lines.append(
        f"| **all** | | | {totals['tp']} | {totals['fp']} | {totals['fn']} | "
        f"{fmt(totals['tp'] / (totals['tp'] + totals['fp']) if totals['tp'] + totals['fp'] else None)} | "
        f"{fmt(totals['tp'] / (totals['tp'] + totals['fn']) if totals['tp'] + totals['fn'] else None)} |"
    )
    lines.append("")
    lines.append(f"findings raised on transient/trap URLs: {totals['on_transient_or_trap']}")
    for label, key in (("missed (FN)", "missed"), ("spurious (FP)", "spurious"), ("on transient/trap URLs", "noise")):
        for rule, unit_id, subject in totals.get(key, [])[:30]:
            lines.append(f"  {label}: {rule} {unit_id} {subject}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-20")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    parser.add_argument("--keep", type=Path, help="keep the round's database and registry in this directory")
    args = parser.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "accuracy.db").unlink(missing_ok=True)
        rows, totals, meta = run(args.sites, args.seed, as_of, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows, totals, meta = run(args.sites, args.seed, as_of, Path(tmp))
    print(render(rows, totals, meta))
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "rows": rows, "totals": totals}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
