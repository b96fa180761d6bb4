"""The default farm crawled for real, its 依申请公开 ledgers imported as evaluators do, and judged:
the 年报 and register plants (wrong totals, old format, a missing table, a carry-over that does
not match, a PDF-attachment report, late replies incl. a 调休 case, a failed channel test) are
found exactly where the farm's truth says, and nowhere else."""

from __future__ import annotations

import pytest

from tests.fixtures_farm import DEFAULT_ROUND
from zwgk.model import Unit
from zwgk.sitefarm.disclosure_codes import DISCLOSURE_CODES


@pytest.fixture(scope="module")
def judged(default_round, tmp_path_factory):
    """The run's round over the default farm (``default_round``, crawled by ``zwgk assess``) in a
    private copy, the farm's 依申请公开 ledgers imported as evaluators do, each measured site's
    stored snapshot judged with its registers."""
    import datetime as dt

    from zwgk.app.rounds import unit_inputs
    from zwgk.disclosure.ledger import read_ledger
    from zwgk.indicators import evaluate, load_rubric
    from zwgk.storage import Database
    from zwgk.storage.requests import add_test, replace_applications
    from zwgk.storage.rounds import failed_sites, require_round
    from zwgk.storage.snapshot import load_snapshot

    rubric = load_rubric("national-2019")
    db_url = default_round.copy_db(tmp_path_factory.mktemp("farmdisclosure"))
    db = Database.open(db_url)
    units = [
        Unit(
            unit_id=s["unit_id"],
            name=s["name"],
            tier=s["tier"],
            kind=s["kind"],
            site_url=s["url"],
            site_code=s["site_code"],
        )
        for s in default_round.sites
    ]
    ledgers = default_round.ledgers
    for unit_id, path in ledgers.items():
        report = read_ledger(path, unit_id)
        replace_applications(db, unit_id, report.applications)
        for test in report.tests:
            add_test(db, test)
    round_id = require_round(db, DEFAULT_ROUND).id
    failed = failed_sites(db, round_id)
    as_of = dt.date.fromisoformat(default_round.as_of)
    found, pdf_reports = set(), 0
    for unit in units:
        if unit.unit_id in failed:
            continue
        snapshot = load_snapshot(db, round_id, unit, as_of)
        snapshot.inputs = unit_inputs(db, unit)
        pdf_reports += sum(
            1 for p in snapshot.pages.values() if ((p.facts or {}).get("annual_report") or {}).get("source") == "pdf"
        )
        found |= {(f.unit_id, f.rule, f.subject) for f in evaluate(snapshot, rubric) if f.rule in DISCLOSURE_CODES}
    db.dispose()
    truth = {
        (d["unit_id"], d["rule"], d["subject"]) for d in default_round.truth["defects"] if d["rule"] in DISCLOSURE_CODES
    }
    return truth, found, pdf_reports, ledgers, db_url


def test_some_reports_were_read_from_pdf_attachments_and_ledgers_written(judged):
    _, _, pdf_reports, ledgers, _ = judged
    assert pdf_reports >= 1 and len(ledgers) >= 3


def test_reports_show_gives_evaluators_the_extracted_tables(judged, default_round):
    import json

    from typer.testing import CliRunner

    from zwgk.cli import app

    truth, _, _, _, db_url = judged
    unit = next(u for u, rule, _ in sorted(truth) if rule == "REPORT-TOTALS")
    year = str(int(default_round.as_of[:4]) - 1)
    shown = CliRunner().invoke(
        app, ["reports", "show", "--round", DEFAULT_ROUND, "--unit", unit, "--format", "json", "--db", db_url]
    )
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.output)[year]
    assert report["template"] == "2021" and len(report["tables"]["requests"]["rows"]) == 25
    table = CliRunner().invoke(app, ["reports", "show", "--round", DEFAULT_ROUND, "--unit", unit, "--db", db_url])
    assert table.exit_code == 0 and "三、收到和处理政府信息公开申请情况" in table.output
    assert "不相符" in table.output and "各类申请人之和" in table.output


@pytest.mark.parametrize("code", DISCLOSURE_CODES)
def test_planted_code_found_exactly(judged, code):
    truth, found, _, _, _ = judged
    planted = {t for t in truth if t[1] == code}
    got = {t for t in found if t[1] == code}
    assert planted, f"the default farm plants no {code}"
    assert got == planted, {"missed": sorted(planted - got), "spurious": sorted(got - planted)}


def test_a_ledger_imported_after_a_round_is_judged_in_it(farm_factory, tmp_path, db, db_url):
    """`zwgk requests import --round R`: the unit is judged again from R's stored snapshot with the
    register, and the round is rescored; a later import replaces the register and the finding goes."""
    from typer.testing import CliRunner

    from zwgk.app import RoundOptions, run_round
    from zwgk.cli import app
    from zwgk.storage.results import list_findings

    handle = farm_factory(sites=2, seed=3)
    registry = handle.write_registry(tmp_path / "registry.csv")
    result = run_round(
        db,
        RoundOptions(
            name="r1", as_of=handle.config.as_of, registry=registry, resolver=handle.resolver, allow_private=True
        ),
    )
    unit = next(s["unit_id"] for s in handle.sites if s["unit_id"] not in result.failed)
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "收到日期,申请渠道,申请人类型,答复日期,处理结果,是否延期,申请编号\n"
        "2025-09-19,信函,自然人,2025-10-24,予以公开,否,L-1\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    done = runner.invoke(app, ["requests", "import", str(ledger), "--unit", unit, "--round", "r1", "--db", db_url])
    assert done.exit_code == 0, done.output
    late = [f for f in list_findings(db, result.round_id, unit) if f.rule == "REQUEST-LATE"]
    assert [(f.subject, f.evidence["due"]) for f in late] == [("L-1", "2025-10-23")]
    ledger.write_text(
        "收到日期,申请渠道,申请人类型,答复日期,处理结果,是否延期,申请编号\n"
        "2025-09-19,信函,自然人,2025-10-23,予以公开,否,L-1\n",
        encoding="utf-8",
    )
    done = runner.invoke(app, ["requests", "import", str(ledger), "--unit", unit, "--round", "r1", "--db", db_url])
    assert done.exit_code == 0, done.output
    assert not [f for f in list_findings(db, result.round_id, unit) if f.rule == "REQUEST-LATE"]
