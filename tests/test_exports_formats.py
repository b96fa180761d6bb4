"""Exports of one round in JSON, CSV, XLSX and PDF are read back and agree with each other and the DB."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.fixtures_assess import add_round, add_units, finding, make_rubric
from zwgk.assess import score_round, update_rectification
from zwgk.assess.exports import (
    export_bulletin,
    export_findings,
    export_rectification,
    export_round_workbook,
    export_scores,
    neutralise,
)
from zwgk.assess.tabular import FINDING_COLUMNS, RECTIFICATION_COLUMNS, SCORE_COLUMNS, cells
from zwgk.model import ZwgkError
from zwgk.storage import results

EVIL = '=HYPERLINK("http://x","y")'
ROUND = "2026-Q4"


@pytest.fixture
def exported_round(db, assess_units):
    add_units(db, assess_units)
    rid = add_round(
        db, ROUND, dt.date(2026, 11, 20), [u.unit_id for u in assess_units], failed={"t1": "DNS 解析失败 (NXDOMAIN)"}
    )
    results.replace_findings(
        db, rid, "c1", [finding("c1", "SITE-DOWN", "http://c1.gov.cn/", 0, "publish", severity="veto")]
    )
    results.replace_findings(db, rid, "c2", [finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "design")])
    results.replace_findings(
        db,
        rid,
        "d1",
        [
            finding("d1", "COLUMN-MISSING", "政策解读", 5, "publish", message=EVIL, fix="+增设栏目"),
            finding("d1", "LINK-PAGE", EVIL, 1, "design", page="javascript:alert(1)"),
            finding("d1", "REPLY-LATE", "http://d1.gov.cn/msg/1", 5, "interact", page="http://d1.gov.cn/msg/1"),
        ],
    )
    results.replace_findings(db, rid, "d2", [finding("d2", "COLUMN-MISSING", "政策文件", 3, "publish")])
    rubric = make_rubric()
    update_rectification(db, rid, rubric)
    score_round(db, rid, rubric, weight=0.05)
    return rid


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx_rows(path: Path, sheet: str, header_row: int = 1):
    ws = openpyxl.load_workbook(path)[sheet]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=header_row)]
    return ws, rows


def _same(a, b) -> bool:
    """CSV text vs XLSX value: numbers compare as numbers, empty as empty."""
    if a in ("", None) and b in ("", None):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 10", "'+86 10"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("政策解读", "政策解读"),
        ("http://a", "http://a"),
        (-5.0, -5.0),
        (None, None),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_findings_agree_across_json_csv_xlsx_and_db(db, exported_round, tmp_path):
    j = json.loads(export_findings(db, ROUND, "json", tmp_path / "f.json").read_text(encoding="utf-8"))
    stored = results.list_findings(db, exported_round)
    assert [(f["unit_id"], f["rule"], f["subject"]) for f in j] == [f.key for f in stored]
    for rec in j:
        assert {
            "unit_id",
            "site",
            "rule",
            "subject",
            "page",
            "severity",
            "points",
            "evidence",
            "message",
            "fix",
            "review",
        } <= rec.keys()
        assert isinstance(rec["evidence"], dict)
    assert next(f for f in j if f["unit_id"] == "d1" and f["rule"] == "COLUMN-MISSING")["message"] == EVIL

    csv_path = export_findings(db, ROUND, "csv", tmp_path / "f.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(csv_path)
    assert rows[0] == [c.title for c in FINDING_COLUMNS]
    assert rows[1:] == [[str(x) for x in cells(FINDING_COLUMNS, {**r})] for r in j]
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "甲县教育局" in text and "政策解读" in text
    msg = FINDING_COLUMNS.index(next(c for c in FINDING_COLUMNS if c.key == "message"))
    subj = FINDING_COLUMNS.index(next(c for c in FINDING_COLUMNS if c.key == "subject"))
    fix = FINDING_COLUMNS.index(next(c for c in FINDING_COLUMNS if c.key == "fix"))
    d1 = [r for r in rows[1:] if r[0] == "d1"]
    assert {r[msg] for r in d1 if r[3] == "COLUMN-MISSING"} == {"'" + EVIL}
    assert {r[subj] for r in d1 if r[3] == "LINK-PAGE"} == {"'" + EVIL}
    assert {r[fix] for r in d1 if r[3] == "COLUMN-MISSING"} == {"'+增设栏目"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)

    xlsx = export_findings(db, ROUND, "xlsx", tmp_path / "f.xlsx")
    ws, xrows = _xlsx_rows(xlsx, "问题清单")
    assert ws.freeze_panes == "A2"
    assert xrows[0] == rows[0]
    assert len(xrows) == len(rows)
    for xr, cr in zip(xrows[1:], rows[1:]):
        assert all(_same(c, x) for c, x in zip(cr, xr)), (cr, xr)
    # nothing arrives as a formula; the evil cells are plain neutralised text
    for row in ws.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f"
    page = [c.key for c in FINDING_COLUMNS].index("page") + 1
    links = {ws.cell(r, page).value: ws.cell(r, page).hyperlink for r in range(2, ws.max_row + 1)}
    assert links["http://d1.gov.cn/msg/1"].target == "http://d1.gov.cn/msg/1"
    assert links["javascript:alert(1)"] is None  # only http(s) become links
    _stats_ws, stats = _xlsx_rows(xlsx, "按规则统计")
    by_rule = {r[0]: r for r in stats[1:]}
    assert by_rule["LINK-PAGE"][2] == 2 and by_rule["LINK-PAGE"][3] == 2


def test_scores_agree_across_json_csv_xlsx_and_db(db, exported_round, tmp_path):
    stored = results.list_scores(db, exported_round)
    j = json.loads(export_scores(db, ROUND, "json", tmp_path / "s.json").read_text(encoding="utf-8"))
    assert [(s["unit_id"], s["rank"], s["score"]) for s in j] == [(s.unit_id, s.rank, s.score) for s in stored]
    for s in j:
        assert {
            "unit_id",
            "unit_name",
            "tier",
            "kind",
            "score",
            "veto",
            "passed",
            "weight",
            "weighted",
            "rank",
            "measured",
            "reason",
        } <= s.keys()
    t1 = next(s for s in j if s["unit_id"] == "t1")
    assert t1["measured"] is False and t1["rank"] is None and t1["score"] is None and "NXDOMAIN" in t1["reason"]
    c1 = next(s for s in j if s["unit_id"] == "c1")
    assert c1["veto"] is True and c1["passed"] is False and c1["score"] == 0.0

    rows = _csv_rows(export_scores(db, ROUND, "csv", tmp_path / "s.csv"))
    assert rows[0] == [c.title for c in SCORE_COLUMNS]
    assert rows[1:] == [[str(x) for x in cells(SCORE_COLUMNS, s)] for s in j]
    xlsx = export_scores(db, ROUND, "xlsx", tmp_path / "s.xlsx")
    ws, xrows = _xlsx_rows(xlsx, "得分排名")
    assert ws.freeze_panes == "A2"
    for xr, cr in zip(xrows[1:], rows[1:]):
        assert all(_same(c, x) for c, x in zip(cr, xr)), (cr, xr)
    _, stats = _xlsx_rows(xlsx, "统计")
    total = next(r for r in stats if r[0] == "合计")
    header = stats[0]
    measured = [s for s in j if s["measured"]]
    assert total[header.index("单位数")] == len(j)
    assert total[header.index("已测评")] == len(measured)
    assert total[header.index("合格")] == sum(1 for s in measured if s["passed"])
    assert total[header.index("合格率(%)")] == round(100 * sum(s["passed"] for s in measured) / len(measured), 1)


def _pdftotext(path: Path) -> str:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext (poppler-utils) is needed to read PDFs back"
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_bulletin_pdf_agrees_with_the_scores(db, exported_round, tmp_path):
    pdf = export_bulletin(db, ROUND, tmp_path / "b.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdftotext(pdf)
    scores = results.list_scores(db, exported_round)
    measured = [s for s in scores if s.measured]
    rate = round(100 * sum(s.passed for s in measured) / len(measured), 1)
    flat = "".join(text.split())  # pdftotext wraps lines; compare without whitespace
    assert f"合格率{rate:g}%" in flat
    assert "政务公开考核权重：5%" in flat  # the weight the round was scored with
    assert "政府网站与政务公开第三方评估情况通报" in text and ROUND in text
    for s in scores:
        assert s.unit_name in text
    assert "甲县人民政府（c1）：单项否决" in text  # named failure
    assert "DNS 解析失败 (NXDOMAIN)" in text  # not measured, with its reason
    assert "合格线 60" in text  # the chart was drawn


def test_rectification_exports_hold_only_that_units_items(db, exported_round, tmp_path):
    j = json.loads(export_rectification(db, "d1", "json", tmp_path / "r.json", ROUND).read_text(encoding="utf-8"))
    assert {r["unit_id"] for r in j} == {"d1"} and len(j) == 3
    assert [r["points"] for r in j] == [5.0, 5.0, 1.0]  # ordered by score impact
    assert {r["deadline"] for r in j} == {"2026-12-04"}
    xlsx = export_rectification(db, "d1", "xlsx", tmp_path / "r.xlsx", ROUND)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["整改清单", "说明"]
    ws = book["整改清单"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header, body = rows[0], rows[1:]  # header first, for machines and Excel filters
    assert header == [c.title for c in RECTIFICATION_COLUMNS]
    assert ws.freeze_panes == "A2"
    about = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["单位"] == "甲县教育局（d1）" and about["整改项数"] == 3 and about["整改期限"] == "2026-12-04"
    assert {r[header.index("单位编码")] for r in body} == {"d1"} and len(body) == 3
    assert "'" + EVIL in {r[header.index("问题描述")] for r in body}
    csv_rows = _csv_rows(export_rectification(db, "d1", "csv", tmp_path / "r.csv", ROUND))
    assert csv_rows[0] == [c.title for c in RECTIFICATION_COLUMNS]
    assert {r[1] for r in csv_rows[1:]} == {"d1"} and len(csv_rows) == 4
    pdf_text = _pdftotext(export_rectification(db, "d1", "pdf", tmp_path / "r.pdf", ROUND))
    assert "政务公开整改通知书" in pdf_text and "甲县教育局" in pdf_text and "2026-12-04" in pdf_text
    assert "c2.gov.cn" not in pdf_text and "甲县档案局" not in pdf_text
    with pytest.raises(ZwgkError, match="no unit"):
        export_rectification(db, "nope", "json", tmp_path / "x.json", ROUND)


def test_round_workbook_has_one_rectification_sheet_per_department(db, exported_round, tmp_path):
    book = openpyxl.load_workbook(export_round_workbook(db, ROUND, tmp_path / "all.xlsx"))
    assert book.sheetnames[:4] == ["得分排名", "统计", "问题清单", "按规则统计"]
    assert set(book.sheetnames[4:]) == {"整改-d1", "整改-d2"}
    for name, unit in (("整改-d1", "d1"), ("整改-d2", "d2")):
        rows = [[c.value for c in r] for r in book[name].iter_rows()]
        col = rows[0].index("单位编码")
        assert {r[col] for r in rows[1:]} == {unit} and len(rows) > 1


def test_unknown_round_and_format_are_clear_errors(db, exported_round, tmp_path):
    with pytest.raises(ZwgkError, match=f"no round named 'Q9'.*{ROUND}"):
        export_scores(db, "Q9", "json", tmp_path / "x.json")
    with pytest.raises(ZwgkError, match="choose one of"):
        export_scores(db, ROUND, "docx", tmp_path / "x.docx")


def test_pdf_without_a_cjk_font_is_a_clear_error(db, exported_round, tmp_path, monkeypatch):
    import zwgk.assess.pdf as pdf

    monkeypatch.delenv("ZWGK_CJK_FONT", raising=False)
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ((tmp_path / "none.ttc", tmp_path / "none-b.ttc", 2),))
    monkeypatch.setattr(pdf, "PACKAGED_FONT", ("zwgk_no_such_font_package", "none.otf"))  # nor the wheel's
    with pytest.raises(ZwgkError, match="fonts-noto-cjk"):
        export_bulletin(db, ROUND, tmp_path / "b.pdf")
    assert not (tmp_path / "b.pdf").exists()
    monkeypatch.setenv("ZWGK_CJK_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(ZwgkError, match="ZWGK_CJK_FONT"):
        export_rectification(db, "d1", "pdf", tmp_path / "r.pdf", ROUND)


def test_manual_scores_import_from_xlsx(db, exported_round, tmp_path):
    import xlsxwriter

    from zwgk.assess.manual import import_manual_scores
    from zwgk.storage.rounds import get_round_by_id

    path = tmp_path / "manual.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    for r, row in enumerate(
        [
            ["unit_id", "item", "score", "evidence"],
            ["c2", "apply", 88, "台账齐全"],
            ["c2", "report", 101, "超出范围"],
            ["d1", "report", 60, ""],
        ]
    ):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.close()
    report = import_manual_scores(
        db, get_round_by_id(db, exported_round), path, entered_by="王评估", items=["website", "apply", "report"]
    )
    assert report.imported == 1
    assert [line for line, _ in report.errors] == [3, 4]
    assert "0..100" in report.errors[0][1] and "evidence" in report.errors[1][1]
    assert results.manual_scores(db, exported_round)["c2"]["apply"].score == 88


def test_links_past_excels_per_sheet_limit_stay_as_text(db, exported_round, tmp_path, monkeypatch):
    """A national findings sheet holds more URLs than Excel's 65,530 hyperlinks per sheet:
    the first ones are links, the rest plain text with the same value, and no warning per cell."""
    import warnings

    import openpyxl

    from zwgk.assess import exports

    monkeypatch.setattr(exports, "MAX_URLS_PER_SHEET", 3)  # the same logic, at a size a test can reach
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = export_findings(db, ROUND, "xlsx", tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    link_cols = [i + 1 for i, c in enumerate(FINDING_COLUMNS) if c.link]
    urls = [
        ws.cell(r, c)
        for r in range(2, ws.max_row + 1)
        for c in link_cols
        if str(ws.cell(r, c).value or "").startswith("http")
    ]
    assert len(urls) > 3
    assert sum(1 for cell in urls if cell.hyperlink is not None) == 3
    assert all(cell.value.startswith("http") for cell in urls)
