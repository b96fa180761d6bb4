"""The 依申请公开 register: ledger import (CLI, real SQLite), 调休-aware deadlines, REQUEST-* rules."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from tests.fixtures_indicators import SiteBuilder, by_rule
from tests.test_disclosure_report import NEW, _site, report_html
from zwgk.cli import app
from zwgk.disclosure.ledger import read_ledger
from zwgk.indicators import evaluate
from zwgk.indicators.rules.applications import due_date
from zwgk.model import Unit
from zwgk.storage.requests import InfoRequest, requests_of

HEADER = "申请编号,收到日期,申请渠道,申请人类型,答复日期,处理结果,是否延期,类型,备注\n"


def test_deadline_across_national_day_counts_the_make_up_days(nat_rubric):
    """Received Fri 2025-09-19: 20 working days run over Sun 9-28 (调休, worked), the 10-1…10-8
    holiday and Sat 10-11 (调休, worked) → due Thu 2025-10-23.  A calendar of weekdays only would
    say 10-17 (a reply on 10-23 would look late), one without 调休 10-27."""
    spec = nat_rubric.rules["REQUEST-LATE"]
    assert due_date(dt.date(2025, 9, 19), False, spec) == dt.date(2025, 10, 23)
    assert due_date(dt.date(2025, 9, 19), True, spec) == dt.date(2025, 11, 20)


def _ledger(tmp_path, text: str):
    path = tmp_path / "台账.csv"
    path.write_text("某县人民政府政府信息公开申请办理登记台账\n" + HEADER + text, encoding="utf-8-sig")
    return path


LEDGER = (
    "Y-001,2025-09-19,信函,自然人,2025-10-23,予以公开,否,,\n"  # on the last day (调休 case)
    "Y-002,2025-09-19,网络平台,自然人,2025-10-24,予以公开,否,,\n"  # one working day late
    "Y-003,2025/9/19,当面,商业企业,2025年11月20日,部分公开,是,,\n"  # extended: on time
    "Y-004,2025-09-19,网络平台,自然人,,办理中,否,,\n"  # never answered
    "Y-005,2025-09-19,网络平台,自然人,2025-10-27,不予公开,否,,已征求第三方意见\n"  # consultation: review
    "Y-006,2025-09-19,网络平台,自然人,2025-10-27,予以公开,待定,,\n"  # extension unknown: review
    ",2026-06-01,信函,自然人,,未收到答复,否,渠道测试,评估人员测试申请\n"
    ",2026-06-01,网络平台,自然人,2026-06-10,予以公开,否,渠道测试,\n"
)


def test_ledger_read_with_chinese_headers_and_messy_dates(tmp_path):
    report = read_ledger(_ledger(tmp_path, LEDGER), "u-001")
    assert len(report.applications) == 6 and len(report.tests) == 2
    third = report.applications[2]
    assert (third.received, third.replied, third.extended) == (dt.date(2025, 9, 19), dt.date(2025, 11, 20), True)
    assert report.applications[5].extended is None
    assert any("是否延期" in why for _, why in report.problems)


def _judged(tmp_path, nat_rubric, ws: SiteBuilder | None = None):
    ws = ws or SiteBuilder()
    report = read_ledger(_ledger(tmp_path, LEDGER), "u-001")
    snap = ws.snapshot()
    snap.inputs = {"requests": [r.to_input() for r in report.rows]}
    return evaluate(snap, nat_rubric)


def test_late_and_unanswered_applications_with_the_rows_in_evidence(tmp_path, nat_rubric):
    late = {f.subject: f for f in by_rule(_judged(tmp_path, nat_rubric), "REQUEST-LATE")}
    assert set(late) == {"Y-002", "Y-004", "Y-005", "Y-006"}
    assert late["Y-002"].evidence["due"] == "2025-10-23" and late["Y-002"].evidence["working_days_late"] == 1
    assert late["Y-002"].evidence["ledger_row"] == "台账.csv:4" and not late["Y-002"].needs_review
    assert "仍未答复" in late["Y-004"].message and not late["Y-004"].needs_review
    assert late["Y-005"].needs_review and late["Y-006"].needs_review


def test_a_failed_channel_test_is_a_finding_and_a_passed_one_is_not(tmp_path, nat_rubric):
    [f] = by_rule(_judged(tmp_path, nat_rubric), "REQUEST-TEST")
    assert f.subject == "信函:2026-06-01" and f.evidence["failure"] == "no_reply"


def test_ledger_count_against_the_report_table(tmp_path, nat_rubric):
    # the ledger holds 6 applications of 2025, the report says NEW[-1] = 13
    [f] = by_rule(_judged(tmp_path, nat_rubric, _site(report_html())), "REQUEST-COUNT")
    assert f.subject == "2025" and f.evidence["ledger_count"] == 6 and f.evidence["report_count"] == NEW[-1]
    assert not f.needs_review and "相差-7件" in f.message
    # a report without its 依申请 table: nothing to compare (REPORT-TABLES speaks for it)
    assert not by_rule(_judged(tmp_path, nat_rubric, _site(report_html(drop_requests=True))), "REQUEST-COUNT")
    # no register imported: no REQUEST-* finding at all
    assert not [f for f in evaluate(_site(report_html()).snapshot(), nat_rubric) if f.rule.startswith("REQUEST")]


def test_cli_imports_replaces_and_lists_a_ledger(tmp_path, db, db_url):
    from zwgk.storage.registry import upsert_units

    upsert_units(db, [Unit("u-001", "某县人民政府", "县", "portal", "http://www.example.gov.cn/")])
    path = _ledger(tmp_path, LEDGER)
    runner = CliRunner()
    done = runner.invoke(app, ["requests", "import", str(path), "--unit", "u-001", "--db", db_url])
    assert done.exit_code == 0, done.output
    assert len(requests_of(db, "u-001", "application")) == 6 and len(requests_of(db, "u-001", "test")) == 2
    done = runner.invoke(
        app,
        [
            "requests",
            "test",
            "--unit",
            "u-001",
            "--sent",
            "2026-07-01",
            "--channel",
            "传真",
            "--outcome",
            "传真无人接收",
            "--db",
            db_url,
        ],
    )
    assert done.exit_code == 0, done.output
    path.write_text("台账\n" + HEADER + "Y-001,2025-09-19,信函,自然人,2025-10-23,予以公开,否,,\n", encoding="utf-8")
    assert runner.invoke(app, ["requests", "import", str(path), "--unit", "u-001", "--db", db_url]).exit_code == 0
    assert [r.ref for r in requests_of(db, "u-001", "application")] == ["Y-001"]
    assert len(requests_of(db, "u-001", "test")) == 3  # tests survive a new ledger
    shown = runner.invoke(
        app, ["requests", "list", "--unit", "u-001", "--as-of", "2026-11-20", "--format", "json", "--db", db_url]
    )
    assert shown.exit_code == 0 and '"due": "2025-10-23"' in shown.output and '"status": "按期"' in shown.output
    refused = runner.invoke(app, ["requests", "import", str(path), "--unit", "nobody", "--db", db_url])
    assert refused.exit_code != 0 and "not in the registry" in str(refused.exception)


def test_storage_round_trip_keeps_unknown_dates(db):
    from zwgk.storage.requests import replace_applications

    replace_applications(
        db, "u-9", [InfoRequest("u-9", ref="A", received=None, extended=None, raw={"收到日期": "三月"})]
    )
    [row] = requests_of(db, "u-9")
    assert row.received is None and row.extended is None and row.raw == {"收到日期": "三月"}
