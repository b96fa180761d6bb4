"""The assess commands through the real `zwgk` CLI app, with the real national rubric."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from tests.fixtures_assess import add_round, add_units, finding
from zwgk.assess import score_round, update_rectification
from zwgk.cli import app
from zwgk.indicators import load_rubric
from zwgk.storage import results

runner = CliRunner()


@pytest.fixture
def national_round(db, db_url, assess_units):
    """Two rounds scored with the real national-2019 rubric."""
    rubric = load_rubric("national-2019")
    add_units(db, assess_units)
    ids = [u.unit_id for u in assess_units]
    r1 = add_round(db, "2026-10", dt.date(2026, 10, 20), ids, rubric="national-2019", failed={"t1": "连接超时"})
    results.replace_findings(db, r1, "c1", [finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 3, "function")])
    results.replace_findings(
        db,
        r1,
        "c2",
        [
            finding("c2", "COLUMN-MISSING", "政策解读", 5, "columns"),
            finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "availability"),
        ],
    )
    update_rectification(db, r1, rubric)
    score_round(db, r1, rubric)
    r2 = add_round(db, "2026-11", dt.date(2026, 11, 20), ids, rubric="national-2019", previous=r1)
    results.replace_findings(db, r2, "c1", [finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 3, "function")])
    results.replace_findings(db, r2, "c2", [finding("c2", "COLUMN-MISSING", "政策解读", 5, "columns")])
    results.replace_findings(db, r2, "d1", [finding("d1", "LINK-PAGE", "http://d1.gov.cn/x", 1, "availability")])
    update_rectification(db, r2, rubric)
    score_round(db, r2, rubric)
    return {"url": db_url, "r1": r1, "r2": r2}


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich tables at 200 columns, so names are not cut by the test terminal's width."""
    from rich.console import Console

    import zwgk.assess.cli as assess_cli

    monkeypatch.setattr(assess_cli, "console", Console(width=200))


def zwgk(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def test_rank_prints_the_ranking_with_unmeasured_units(national_round):
    out = zwgk("rank", "--round", "2026-10", "--db", national_round["url"])
    assert out.exit_code == 0, out.output
    assert "乙县人民政府" in out.output and "未测评" in out.output and "连接超时" in out.output
    only = zwgk("rank", "--round", "2026-10", "--tier", "乡", "--db", national_round["url"])
    assert "某某镇人民政府" in only.output and "甲县人民政府" not in only.output


def test_review_dismiss_rescores_and_is_listed(db, national_round):
    r2 = national_round["r2"]
    before = {s.unit_id: s for s in results.list_scores(db, r2)}
    # IPV6-NONE was already found in 2026-10 and its 10-working-day deadline has passed: +1 overdue point
    assert (before["c1"].score, before["c1"].rank, before["c2"].rank) == (96.0, 2, 3)
    assert before["c1"].breakdown["rectify"]["deducted"] == 1.0
    out = zwgk(
        "review",
        "dismiss",
        "--round",
        "2026-11",
        "--unit",
        "c1",
        "--rule",
        "IPV6-NONE",
        "--subject",
        "http://c1.gov.cn/",
        "--reason",
        "已开通 IPv6，抓取时解析器故障",
        "--by",
        "王评估",
        "--db",
        national_round["url"],
    )
    assert out.exit_code == 0, out.output
    after = {s.unit_id: s for s in results.list_scores(db, r2)}
    assert (after["c1"].score, after["c1"].rank) == (100.0, 1)
    assert [r.reviewer for r in results.reviews_for(db, r2, "c1")] == ["王评估"]
    listed = zwgk("review", "list", "--round", "2026-11", "--db", national_round["url"])
    assert "王评估" in listed.output and "排除" in listed.output
    # the dismissed finding no longer counts as an open 整改 item in that round
    rect = [(i.rule, i.status) for i in results.list_rectification_items(db, "c1")]
    assert rect == [("IPV6-NONE", "fixed")]


def test_review_without_reason_or_of_unknown_finding_fails_clearly(national_round):
    out = runner.invoke(
        app,
        [
            "review",
            "confirm",
            "--round",
            "2026-11",
            "--unit",
            "c1",
            "--rule",
            "IPV6-NONE",
            "--subject",
            "http://nope/",
            "--reason",
            "x",
            "--by",
            "王",
            "--db",
            national_round["url"],
        ],
    )
    assert out.exit_code != 0 and "no finding" in str(out.exception)


def test_import_manual_scores_reports_bad_rows_and_keeps_good_ones(db, national_round, tmp_path):
    f = tmp_path / "manual.csv"
    f.write_text(
        "单位编码,项目,得分,证据\n"
        "c1,依申请公开,80,抽查 5 件\n"
        "c2,年报质量,abc,\n"
        "zz,年报质量,70,\n"
        "c2,不存在的项目,70,\n"
        "c2,解读质量,90,解读材料齐全\n",
        encoding="utf-8-sig",
    )
    out = zwgk("scores", "import-manual", str(f), "--round", "2026-11", "--by", "李组长", "--db", national_round["url"])
    assert out.exit_code == 1  # some rows were refused
    assert "manual.csv:3" in out.output and "manual.csv:4" in out.output and "manual.csv:5" in out.output
    ms = results.manual_scores(db, national_round["r2"])
    assert ms["c1"]["依申请公开"].score == 80 and ms["c1"]["依申请公开"].entered_by == "李组长"
    assert set(ms["c2"]) == {"解读质量"}
    c1 = next(s for s in results.list_scores(db, national_round["r2"]) if s.unit_id == "c1")
    # website 96 × 0.6 + 依申请公开 80 × 0.1, renormalised over 0.7
    assert c1.breakdown["_composite"]["value"] == pytest.approx(round((96 * 0.6 + 80 * 0.1) / 0.7, 2))
    assert c1.breakdown["_composite"]["renormalised"] is True


def test_compare_and_exports_through_the_cli(national_round, tmp_path, monkeypatch):
    out = zwgk("compare", "2026-10", "2026-11", "--db", national_round["url"])
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if "LINK-PAGE" in line)
    # c2's broken link was repaired, d1 got a new one: same count, one fixed, one new
    assert [c.strip() for c in row.split("│")[1:-1]] == ["LINK-PAGE", "1", "1", "+0", "1", "1"]
    c2 = next(line for line in out.output.splitlines() if "乙县人民政府" in line)
    assert "+0.00" in c2  # +1 for the repaired link, −1 for the overdue 政策解读 column
    d1 = next(line for line in out.output.splitlines() if "甲县教育局" in line)
    assert "-1.00" in d1
    path = tmp_path / "s.json"
    out = zwgk(
        "export", "scores", "--round", "2026-11", "--format", "json", "-o", str(path), "--db", national_round["url"]
    )
    assert out.exit_code == 0, out.output
    assert {s["unit_id"] for s in json.loads(path.read_text(encoding="utf-8"))} == {"c1", "c2", "c3", "d1", "d2", "t1"}
    monkeypatch.chdir(tmp_path)
    out = zwgk("export", "rectification", "--unit", "d1", "--format", "csv", "--db", national_round["url"])
    assert out.exit_code == 0, out.output
    default = tmp_path / "out" / "rectification-d1.csv"
    assert default.is_file() and "d1.gov.cn/x" in default.read_text(encoding="utf-8-sig")
    bulletin = tmp_path / "b.pdf"
    out = zwgk("export", "bulletin", "--round", "2026-11", "-o", str(bulletin), "--db", national_round["url"])
    assert out.exit_code == 0 and bulletin.read_bytes().startswith(b"%PDF")
