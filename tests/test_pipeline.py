"""The walking skeleton end to end: farm → registry → crawl → findings → scores → exports.

These tests drive the public command line (``python -m zwgk.cli``) against the
real site farm on loopback and its DNS server, and compare what zwgk finds with
the farm's recorded ground truth as sets of (unit_id, rule, subject).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_farm import DEFAULT_ROUND

SKELETON_RULES = {"COLUMN-MISSING", "INTERP-LATE", "IPV6-NONE", "LINK-PAGE", "LINK-HOME"}


def zwgk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def assessed_round(default_round, tmp_path_factory):
    """The run's round over the default farm (``zwgk assess`` from the command line, see
    ``default_round``), a private copy of its database for the module's tests."""
    work = tmp_path_factory.mktemp("round")
    return {
        "db": default_round.copy_db(work),
        "work": work,
        "stdout": default_round.stdout,
        "truth": default_round.truth,
    }


def _export(assessed_round, what: str, fmt: str = "json"):
    path = assessed_round["work"] / f"{what}.{fmt}"
    run = zwgk("export", what, "--round", DEFAULT_ROUND, "--format", fmt, "-o", str(path), "--db", assessed_round["db"])
    assert run.returncode == 0, run.stderr + run.stdout
    return path


def test_skeleton_rules_find_exactly_the_planted_defects(assessed_round):
    findings = json.loads(_export(assessed_round, "findings").read_text(encoding="utf-8"))
    found = {(f["unit_id"], f["rule"], f["subject"]) for f in findings if f["rule"] in SKELETON_RULES}
    truth = assessed_round["truth"]
    planted = {(d["unit_id"], d["rule"], d["subject"]) for d in truth["defects"] if d["rule"] in SKELETON_RULES}
    assert {r for _, r, _ in planted} == SKELETON_RULES, "the default farm must plant every skeleton rule"
    missed = planted - found
    spurious = found - planted
    assert not missed and not spurious, f"missed={sorted(missed)} spurious={sorted(spurious)}"


def test_findings_json_has_the_public_fields(assessed_round):
    findings = json.loads(_export(assessed_round, "findings").read_text(encoding="utf-8"))
    assert findings, "a farm round must produce findings"
    required = {"unit_id", "site", "rule", "subject", "page", "severity", "points", "evidence", "message", "fix"}
    for f in findings:
        assert required <= f.keys()
        assert f["severity"] in {"veto", "deduct", "info"}
        assert isinstance(f["evidence"], dict)


def test_scores_rank_every_unit_of_the_registry(assessed_round):
    scores = json.loads(_export(assessed_round, "scores").read_text(encoding="utf-8"))
    assert {s["unit_id"] for s in scores} == {site["unit_id"] for site in assessed_round["truth"]["sites"]}
    for s in scores:
        assert {"unit_id", "unit_name", "tier", "score", "veto", "passed", "weight", "weighted", "rank"} <= s.keys()
        assert s["weight"] >= 0.04
        if s["score"] is not None:
            # no evaluator items entered: composite = website score; total = 100 points
            assert s["weighted"] == pytest.approx(s["score"] / 100 * s["weight"] * 100, abs=0.01)
    ranked = [s for s in scores if s["rank"] is not None]
    assert ranked, "measured units must be ranked"


def test_ranking_is_printed(assessed_round):
    assert "排名" in assessed_round["stdout"]


def test_a_weight_below_four_percent_is_refused(farm, tmp_path):
    registry = tmp_path / "registry.csv"
    farm.write_registry(registry)
    run = zwgk(
        "assess",
        "--round",
        "low",
        "--registry",
        str(registry),
        "--weight",
        "0.03",
        "--resolver",
        farm.resolver,
        "--allow-private",
        "--db",
        f"sqlite:///{tmp_path / 'z.db'}",
        "--quiet",
    )
    assert run.returncode == 2
    assert "0.04" in run.stderr and "不低于4%" in run.stderr


def test_loopback_targets_are_refused_without_allow_private(farm, tmp_path):
    registry = tmp_path / "registry.csv"
    farm.write_registry(registry)
    first = farm.truth["sites"][0]["unit_id"]
    db = f"sqlite:///{tmp_path / 'z.db'}"
    run = zwgk(
        "assess",
        "--round",
        "ssrf",
        "--registry",
        str(registry),
        "--unit",
        first,
        "--as-of",
        farm.truth["as_of"],
        "--resolver",
        farm.resolver,
        "--db",
        db,
        "--quiet",
    )
    assert run.returncode == 0, run.stderr
    out = tmp_path / "s.json"
    exported = zwgk("export", "scores", "--round", "ssrf", "--format", "json", "-o", str(out), "--db", db)
    assert exported.returncode == 0, exported.stderr
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert len(scores) == 1
    assert scores[0]["measured"] is False and scores[0]["rank"] is None
    assert "private" in scores[0]["reason"] or "私有" in scores[0]["reason"]
    # the refused homepage is listed for the evaluator to check by hand, never as a LINK finding
    csv_out = tmp_path / "u.csv"
    listed = zwgk("export", "unverified", "--round", "ssrf", "--format", "csv", "-o", str(csv_out), "--db", db)
    assert listed.returncode == 0, listed.stderr
    rows = list(csv.DictReader(csv_out.read_text(encoding="utf-8-sig").splitlines()))
    home = farm.truth["sites"][0]["url"]
    assert [(r["单位编码"], r["未能核验的网址"], r["结果"]) for r in rows] == [(first, home, "skipped")]
    assert "策略" in rows[0]["说明"]


def test_rectification_export_holds_only_that_departments_findings(assessed_round):
    import openpyxl

    findings = json.loads(_export(assessed_round, "findings").read_text(encoding="utf-8"))
    by_unit: dict[str, int] = {}
    for f in findings:
        by_unit[f["unit_id"]] = by_unit.get(f["unit_id"], 0) + 1
    sites = assessed_round["truth"]["sites"]
    departments = [s["unit_id"] for s in sites if s["kind"] == "department" and s["unit_id"] in by_unit]
    assert departments, "the farm must have departments with findings"
    unit = departments[0]
    out = assessed_round["work"] / f"rect-{unit}.xlsx"
    run = zwgk(
        "export",
        "rectification",
        "--unit",
        unit,
        "--round",
        DEFAULT_ROUND,
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--db",
        assessed_round["db"],
    )
    assert run.returncode == 0, run.stderr + run.stdout
    book = openpyxl.load_workbook(out, read_only=True)
    unit_cells = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(c) for c in rows[0]] if rows else []
        for key in ("unit_id", "单位编码", "单位ID"):
            if key in header:
                idx = header.index(key)
                unit_cells += [r[idx] for r in rows[1:] if r and r[idx] is not None]
    assert unit_cells, "the rectification sheet must name the unit on each row"
    assert set(unit_cells) == {unit}
    assert len(unit_cells) >= 1


def test_round_progress_shows_sites_in_flight_failures_and_page_rate():
    import io

    from rich.console import Console

    from zwgk.pipeline.cli import RoundProgress

    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    with RoundProgress(console) as progress:
        progress({"stage": "crawl", "total": 3})
        for i in range(3):
            progress({"stage": "site_start", "unit_id": f"u{i}", "in_flight": i + 1, "total": 3})
        for _ in range(50):
            progress({"stage": "page", "unit_id": "u0"})
        progress({"stage": "site_failed", "unit_id": "u1", "reason": "x", "total": 3, "in_flight": 2})
        task = progress.progress.tasks[0]
        assert task.completed == 1 and task.total == 3
        detail = task.fields["detail"]
        assert "in flight 2" in detail and "failed 1" in detail and "pages 50" in detail


def test_assess_honours_robots_unless_told_to_ignore_it(miniweb, tmp_path):
    miniweb.add("/robots.txt", "User-agent: *\nDisallow: /zcwj/\n", content_type="text/plain")
    miniweb.add("/", '<html><title>某某县人民政府</title><div class="nav"><a href="/zcwj/">政策文件</a></div></html>')
    miniweb.add("/zcwj/", "<html><ul><li><a href='/a.html'>通知</a> 2026-11-01</li></ul></html>")
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "unit_id,unit_name,tier,kind,region,parent_id,site_url,site_code,has_services\n"
        f"u1,某某县人民政府,县,portal,某某县,,{miniweb.url('/')},,1\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'z.db'}"
    common = ("--registry", str(registry), "--as-of", "2026-11-20", "--allow-private", "--db", db, "--quiet")
    assert zwgk("assess", "--round", "polite", *common).returncode == 0
    assert miniweb.count("/zcwj/") == 0
    run = zwgk("assess", "--round", "mandate", "--ignore-robots", *common)
    assert run.returncode == 0, run.stderr
    assert miniweb.count("/zcwj/") == 1
