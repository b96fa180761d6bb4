"""The dashboard query layer enforces roles itself: SQL filtering, PermissionError, evaluator-only writes."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import event

from tests.fixtures_dashboard import A_MARKER, B_MARKER, SCRIPT
from zwgk.dashboard import adapters, queries
from zwgk.dashboard.safe import chart_label, http_url, md_escape
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import results

LEADER = Viewer("leader", "leader")
EVALUATOR = Viewer("evaluator", "evaluator")
DEPT_A = Viewer("dept_a", "department", ("dept-a",))


def test_department_ranking_and_findings_only_hold_its_units(dash):
    q4 = dash.round_ids["2026-Q4"]
    assert set(queries.ranking(dash.db, DEPT_A, q4)["unit_id"]) == {"dept-a"}
    assert len(queries.ranking(dash.db, LEADER, q4)) == 6
    f = queries.findings(dash.db, DEPT_A, q4)
    assert set(f["unit_id"]) == {"dept-a"}
    assert not f["message"].str.contains(B_MARKER).any()
    assert set(queries.rectification(dash.db, DEPT_A)["unit_id"]) == {"dept-a"}
    assert set(queries.visible_units(dash.db, DEPT_A, q4)["unit_id"]) == {"dept-a"}
    assert set(queries.most_improved(dash.db, DEPT_A, q4)["unit_id"]) <= {"dept-a"}
    by_rule = queries.findings_by_rule(dash.db, DEPT_A, q4)
    assert set(by_rule["rule"]) == {"COLUMN-MISSING", "LINK-PAGE"}
    assert set(queries.trend(dash.db, DEPT_A)["units"]) == {1}


def test_department_filtering_happens_in_sql(dash):
    """The statement sent to the database already names the department's units."""
    q4 = dash.round_ids["2026-Q4"]
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(dash.db.engine, "before_cursor_execute", record)
    try:
        queries.ranking(dash.db, DEPT_A, q4)
        queries.rectification(dash.db, DEPT_A)
    finally:
        event.remove(dash.db.engine, "before_cursor_execute", record)
    scoped = [(s, p) for s, p in statements if "FROM scores" in s or "FROM rectification_items" in s]
    assert len(scoped) == 2
    for sql, params in scoped:
        assert " IN (" in sql and "unit_id" in sql
        assert "dept-a" in repr(params) and "dept-b" not in repr(params)


@pytest.mark.parametrize(
    "call",
    [
        lambda d, r: queries.unit_detail(d, DEPT_A, r, "dept-b"),
        lambda d, r: queries.unit_info(d, DEPT_A, "dept-b"),
        lambda d, r: queries.findings(d, DEPT_A, r, unit_id="dept-b"),
        lambda d, r: queries.rectification(d, DEPT_A, unit_id="dept-b"),
        lambda d, r: adapters.rectification_download(d, DEPT_A, "dept-b", "xlsx", r),
        lambda d, r: adapters.rectification_download(d, DEPT_A, "dept-b", "csv"),
        lambda d, r: adapters.bulletin_download(d, DEPT_A, r),
        lambda d, r: adapters.scores_download(d, DEPT_A, r),
        lambda d, r: adapters.quarterly_bulletin_download(d, DEPT_A, adapters.round_quarter(d, r), "pdf"),
    ],
    ids=["unit_detail", "unit_info", "findings", "rectification", "xlsx", "csv", "bulletin", "scores", "quarterly"],
)
def test_department_asking_for_another_unit_gets_permission_error(dash, call):
    with pytest.raises(PermissionError):
        call(dash.db, dash.round_ids["2026-Q4"])


def test_only_evaluators_write_reviews_and_manual_scores(dash):
    q4 = dash.round_ids["2026-Q4"]
    for viewer in (LEADER, DEPT_A):
        with pytest.raises(PermissionError):
            queries.review_finding(
                dash.db,
                viewer,
                q4,
                "dept-a",
                "LINK-PAGE",
                "http://dept-a.gov.test/gone.html",
                "dismissed",
                "链接已恢复",
            )
        with pytest.raises(PermissionError):
            queries.enter_manual_score(dash.db, viewer, q4, "dept-a", "年报质量", 90)
        with pytest.raises(PermissionError):
            queries.rescore(dash.db, viewer, q4)
    assert results.reviews_for(dash.db, q4) == []
    assert results.manual_scores(dash.db, q4) == {}


def test_dismissing_a_finding_changes_score_and_rank_at_once(dash):
    q4 = dash.round_ids["2026-Q4"]
    before = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-b").score
    queries.review_finding(dash.db, EVALUATOR, q4, "dept-b", "REPORT-LATE", "2025", "dismissed", "年报已按时发布，误报")
    queries.rescore(dash.db, EVALUATOR, q4)
    after = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-b").score
    assert after["score"] == pytest.approx(before["score"] + 3.0)
    f = queries.findings(dash.db, EVALUATOR, q4, unit_id="dept-b", status="dismissed")
    assert list(f["rule"]) == ["REPORT-LATE"] and list(f["reviewer"]) == ["evaluator"]
    assert "REPORT-LATE" not in set(queries.findings_by_rule(dash.db, EVALUATOR, q4)["rule"])
    assert len(queries.findings(dash.db, EVALUATOR, q4, status="unreviewed")) == 6


def test_manual_score_enters_the_composite(dash):
    q4 = dash.round_ids["2026-Q4"]
    assert "年报质量" in queries.manual_items(dash.db, q4)
    queries.enter_manual_score(dash.db, EVALUATOR, q4, "dept-a", "年报质量", 50, "年报缺少数据")
    queries.rescore(dash.db, EVALUATOR, q4)
    detail = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-a")
    assert detail.composite["items"]["年报质量"]["score"] == 50
    assert list(detail.manual["item"]) == ["年报质量"] and list(detail.manual["entered_by"]) == ["evaluator"]


def test_kpis_trend_and_most_improved(dash):
    q4 = dash.round_ids["2026-Q4"]
    k = queries.kpis(queries.ranking(dash.db, LEADER, q4))
    assert k["units"] == 6 and k["vetoes"] == 1
    assert k["pass_rate"] == pytest.approx(5 / 6)
    tr = queries.trend(dash.db, LEADER)
    assert list(tr["round"]) == ["2026-Q3", "2026-Q4"]
    mi = queries.most_improved(dash.db, LEADER, q4)
    assert set(mi["unit_id"]) == {"county-1", "dept-c"} and (mi["delta"] > 0).all()
    assert queries.most_improved(dash.db, LEADER, dash.round_ids["2026-Q3"]).empty


def test_unit_detail_breakdown_evidence_and_history(dash):
    q4 = dash.round_ids["2026-Q4"]
    d = queries.unit_detail(dash.db, DEPT_A, q4, "dept-a")
    cols = d.breakdown.set_index("indicator")
    assert cols.loc["columns", "deducted"] == pytest.approx(2.0)
    assert cols.loc["columns", "available"] > cols.loc["columns", "deducted"]
    assert list(d.history["round"]) == ["2026-Q3", "2026-Q4"]
    f = queries.findings(dash.db, DEPT_A, q4, unit_id="dept-a").set_index("rule")
    assert f.loc["COLUMN-MISSING", "subject"] == SCRIPT
    assert pd.isna(f.loc["COLUMN-MISSING", "page_link"])  # javascript: never becomes a link
    assert f.loc["LINK-PAGE", "page_link"] == "http://dept-a.gov.test/gone.html"
    assert f.loc["LINK-PAGE", "http_status"] == "HTTP 404"
    assert "2026-01-05" in f.loc["COLUMN-MISSING", "dates"]


def test_department_downloads_hold_only_its_rows(dash):
    dl = adapters.rectification_download(dash.db, DEPT_A, "dept-a", "xlsx", dash.round_ids["2026-Q4"])
    text = _xlsx_text(dl.data)
    assert A_MARKER in text and B_MARKER not in text and "dept-b" not in text
    csv_text = adapters.rectification_download(dash.db, DEPT_A, "dept-a", "csv").data.decode("utf-8-sig")
    assert B_MARKER not in csv_text and "dept-b" not in csv_text


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    )


def test_untrusted_text_helpers():
    assert http_url("https://a.gov.cn/x?y=1") == "https://a.gov.cn/x?y=1"
    for bad in (
        "javascript:alert(1)",
        "data:text/html,<b>",
        "ftp://a/b",
        "//a.gov.cn/",
        "http://",
        "",
        None,
        "http://a.gov.cn/\nx",
    ):
        assert http_url(bad) is None
    escaped = md_escape("[点我](javascript:alert(1)) <b>x</b> *y*")
    assert "[" not in escaped.replace("\\[", "") and "<" not in escaped.replace("\\<", "")
    assert "<" not in chart_label("<script>") and ">" not in chart_label("<script>")


def test_leader_downloads_the_quarterly_bulletin_of_the_rounds_quarter(dash, tmp_path):
    import subprocess

    import openpyxl

    q4 = dash.round_ids["2026-Q4"]
    quarter = adapters.round_quarter(dash.db, q4)
    assert quarter == "2026Q4"
    pdf = adapters.quarterly_bulletin_download(dash.db, LEADER, quarter, "pdf")
    assert pdf.data[:5] == b"%PDF-" and pdf.file_name == "季通报-2026Q4.pdf"
    (tmp_path / "q.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "q.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "2026" in text and "季" in text
    xlsx = adapters.quarterly_bulletin_download(dash.db, LEADER, quarter, "xlsx")
    (tmp_path / "q.xlsx").write_bytes(xlsx.data)
    assert openpyxl.load_workbook(tmp_path / "q.xlsx").sheetnames


def test_veto_reason_and_rule_counts_follow_the_findings_in_force(dash):
    from zwgk.model import Finding

    q4 = dash.round_ids["2026-Q4"]
    ranking = queries.ranking(dash.db, LEADER, q4).set_index("unit_id")
    assert ranking.loc["county-2", "veto_reason"] == "首页不更新"  # the catalog's name, not FRESH-HOME
    assert ranking.loc["city-1", "veto_reason"] == ""
    weak = Finding(
        unit_id="county-1",
        site="http://county-1.gov.test/",
        rule="AVAIL-DOWN",
        subject="home",
        page="",
        severity="veto",
        points=0.0,
        evidence={"confidence": "review"},
        message="首页疑似无法访问",
        fix="核实",
    )
    results.replace_findings(dash.db, q4, "county-1", [weak])
    assert queries.veto_reasons(dash.db, LEADER, q4).get("county-1") is None  # a candidate accuses no one
    by_rule = queries.findings_by_rule(dash.db, LEADER, q4)
    assert "AVAIL-DOWN" not in set(by_rule["rule"])
    assert "首页不更新" in set(by_rule["rule_name"])
    results.add_review(dash.db, q4, "county-1", "AVAIL-DOWN", "home", "confirmed", "人工核实属实", "evaluator")
    assert queries.veto_reasons(dash.db, LEADER, q4)["county-1"] == "站点无法访问"
    assert "AVAIL-DOWN" in set(queries.findings_by_rule(dash.db, LEADER, q4)["rule"])


def test_md_escape_defuses_autolinks_and_markup():
    out = md_escape("见 https://evil.example/x 与 www.evil.example 或 a@evil.example [x](y) <b>")
    assert "https://" not in out and "www." not in out and "a@e" not in out
    assert "\\[x\\]\\(y\\)" in out and "\\<b\\>" in out


def test_pdf_export_works_with_the_font_pip_installs(dash, monkeypatch):
    """Without any system CJK font (none of the Debian paths), the wheel's Noto Sans SC is used."""
    import shutil
    import subprocess

    from zwgk.assess import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ())
    monkeypatch.delenv("ZWGK_CJK_FONT", raising=False)
    regular, _, _ = pdf.find_cjk_font()
    assert regular == pdf.packaged_font() and regular.name == "NotoSansSC-Regular.otf"
    made = adapters.rectification_download(dash.db, DEPT_A, "dept-a", "pdf", dash.round_ids["2026-Q4"]).data
    assert made[:5] == b"%PDF-"
    text = subprocess.run(
        [shutil.which("pdftotext"), "-", "-"], input=made, capture_output=True, check=True
    ).stdout.decode()
    assert "甲市教育局" in "".join(text.split())


def test_quarterly_bulletin_says_monitoring_was_not_run_instead_of_zero_sites(dash):
    import shutil
    import subprocess

    made = adapters.quarterly_bulletin_download(dash.db, LEADER, "2026Q4", "pdf").data
    text = "".join(
        subprocess.run([shutil.which("pdftotext"), "-", "-"], input=made, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "本季度未运行日监测" in text and "监测网站0个" not in text
