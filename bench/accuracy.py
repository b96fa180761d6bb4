"""Accuracy of zwgk against the site farm's ground truth, per rule.

Starts a farm, runs a full round on it in-process (exactly what `zwgk assess`
does), then compares the findings with the farm's planted defects as sets of
(unit_id, rule, subject) and prints per-rule precision, recall and counts, plus
the findings raised on URLs the farm marks as transient or traps (false
positives a real server's misbehaviour would cause).  With sites of several
template families the table is printed overall and for every family; the
"review" column is the share of a rule's findings whose evidence says
``"confidence": "review"`` (candidates for an evaluator, no deduction).

    python bench/accuracy.py --sites 200 --seed 1 --as-of 2026-11-20
    python bench/accuracy.py --sites 200 --families trs,hanweb,jiyue
    python bench/accuracy.py --sites 40 --seed 3 --families trs,hanweb,jiyue,xiangzhen --rules IPV6
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
    review: dict[str, set] = defaultdict(set)
    for f in findings:
        found[f["rule"]].add((f["unit_id"], f["subject"]))
        if f.get("confidence") == "review":
            review[f["rule"]].add((f["unit_id"], f["subject"]))
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
                "review": len(review[rule]),
                "review_share": len(review[rule]) / len(found[rule]) if found[rule] else None,
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
        "review": sum(r["review"] for r in rows),
    }
    return rows, totals


def compare_by_family(truth: dict, findings: list[dict]) -> dict[str, tuple[list[dict], dict]]:
    """``compare`` restricted to the sites of each template family (``sites[…]["family"]``)."""
    family_of = {s["unit_id"]: s.get("family") or s.get("template") or "?" for s in truth["sites"]}
    out: dict[str, tuple[list[dict], dict]] = {}
    for family in sorted(set(family_of.values())):
        units = {u for u, f in family_of.items() if f == family}
        part = dict(truth, defects=[d for d in truth["defects"] if d["unit_id"] in units])
        out[family] = compare(part, [f for f in findings if f["unit_id"] in units])
    return out


def import_ledgers(db, farm, directory: Path) -> int:
    """Write the farm's 依申请公开 ledgers and import each, as ``zwgk requests import`` does."""
    from zwgk.disclosure.ledger import read_ledger
    from zwgk.sitefarm.disclosure import write_ledgers
    from zwgk.storage.requests import add_test, replace_applications

    count = 0
    for unit_id, path in write_ledgers(farm, directory).items():
        report = read_ledger(path, unit_id)
        count += replace_applications(db, unit_id, report.applications)
        for test in report.tests:
            add_test(db, test)
    return count


def run(
    sites: int, seed: int, as_of: dt.date, workdir: Path, families: tuple[str, ...] | None = None
) -> tuple[list[dict], dict, dict, dict]:
    from zwgk.app import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.sitefarm.substance import farm_rubric_toml, load_farm_media
    from zwgk.storage import Database
    from zwgk.storage.results import list_findings

    db = Database.open(f"sqlite:///{workdir / 'accuracy.db'}")
    started = time.monotonic()
    config = FarmConfig(sites=sites, seed=seed, as_of=as_of)
    if families:
        config = FarmConfig(sites=sites, seed=seed, as_of=as_of, families=families)
    with running_farm(config) as farm:
        registry = workdir / "registry.csv"
        farm.write_registry(registry)
        import_ledgers(db, farm.farm, workdir / "ledgers")  # the 依申请公开 registers evaluators import
        # national-2019 plus the farm's 上级 政务公开工作要点 dates (KEYPOINTS-LATE judges a year only
        # when the rubric gives its date; a province's rubric does the same for real years)
        rubric = workdir / "farm-rubric.toml"
        rubric.write_text(farm_rubric_toml(config), encoding="utf-8")
        # the units' 政务新媒体: registry and export imported, feeds fetched the evening before as-of
        load_farm_media(db, farm, workdir, as_of)
        result = run_round(
            db,
            RoundOptions(
                name="accuracy",
                as_of=as_of,
                registry=registry,
                resolver=farm.resolver,
                allow_private=True,
                rubric=str(rubric),
            ),
        )
        truth = farm.truth
    elapsed = time.monotonic() - started
    findings = [
        {
            "unit_id": f.unit_id,
            "rule": f.rule,
            "subject": f.subject,
            "page": f.page,
            "confidence": (f.evidence or {}).get("confidence", ""),
        }
        for f in list_findings(db, result.round_id)
    ]
    rows, totals = compare(truth, findings)
    by_family = compare_by_family(truth, findings)
    meta = {
        "sites": sites,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "seconds": round(elapsed, 1),
        "not_measured": len(result.failed),
        "families": list(config.families),
        "sites_per_family": {fam: sum(1 for s in truth["sites"] if s.get("family") == fam) for fam in by_family},
    }
    return rows, totals, meta, by_family


def table(rows: list[dict], totals: dict) -> list[str]:
    """One markdown table: per rule counts, precision, recall and the share of review findings."""
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    lines = [
        "| rule | planted | found | TP | FP | FN | precision | recall | review |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['rule']} | {r['planted']} | {r['found']} | {r['tp']} | {r['fp']} | {r['fn']} | "
            f"{fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r.get('review_share'))} |"
        )
    found = totals["tp"] + totals["fp"]
    planted = totals["tp"] + totals["fn"]
    lines.append(
        f"| **all** | | | {totals['tp']} | {totals['fp']} | {totals['fn']} | "
        f"{fmt(totals['tp'] / found if found else None)} | "
        f"{fmt(totals['tp'] / planted if planted else None)} | "
        f"{fmt(totals.get('review', 0) / found if found else None)} |"
    )
    return lines


def render(
    rows: list[dict], totals: dict, meta: dict, by_family: dict[str, tuple[list[dict], dict]] | None = None
) -> str:
    lines = [
        f"farm: {meta['sites']} sites, seed {meta['seed']}, as-of {meta['as_of']}; "
        f"round took {meta['seconds']} s; not measured: {meta['not_measured']}",
    ]
    if meta.get("families"):
        counts = meta.get("sites_per_family", {})
        shown = (f"{fam} ({counts.get(fam, 0)} sites)" for fam in meta["families"])
        lines.append("families: " + ", ".join(shown))
    several = by_family is not None and len(by_family) > 1
    lines += ["", "### all families", ""] if several else [""]
    lines += table(rows, totals)
    for family, (frows, ftotals) in sorted(by_family.items()) if several else []:
        lines += ["", f"### family {family}", ""] + table(frows, ftotals)
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
    parser.add_argument(
        "--rules",
        default="",
        help="comma-separated rule-code prefixes to print (e.g. IPV6); the totals stay those of all rules",
    )
    parser.add_argument(
        "--families",
        default="",
        help="comma-separated template families of the farm (trs, hanweb, jiyue, xiangzhen, kaipu); "
        "default: the farm's default (trs, hanweb)",
    )
    args = parser.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    families = tuple(f.strip() for f in args.families.split(",") if f.strip()) or None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "accuracy.db").unlink(missing_ok=True)
        rows, totals, meta, by_family = run(args.sites, args.seed, as_of, args.keep, families)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows, totals, meta, by_family = run(args.sites, args.seed, as_of, Path(tmp), families)
    prefixes = tuple(p.strip() for p in args.rules.split(",") if p.strip())
    if prefixes:  # the printed table only; --json keeps every rule
        shown = [r for r in rows if r["rule"].startswith(prefixes)]
        shown_by_family = {
            fam: ([r for r in fr if r["rule"].startswith(prefixes)], ft) for fam, (fr, ft) in by_family.items()
        }
        print(render(shown, totals, meta, shown_by_family))
    else:
        print(render(rows, totals, meta, by_family))
    if args.json:
        per_family = {fam: {"rows": r, "totals": t} for fam, (r, t) in by_family.items()}
        document = {"meta": meta, "rows": rows, "totals": totals, "families": per_family}
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
