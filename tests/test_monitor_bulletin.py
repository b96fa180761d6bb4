"""The quarterly bulletin (季通报) from stored probes, rounds, scores, findings and 整改 items."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from typer.testing import CliRunner

from zwgk.model import Finding, Unit, UnitScore, ZwgkError
from zwgk.monitor.bulletin import build_quarterly_bulletin, bulletin_data, parse_quarter
from zwgk.storage import rounds as rounds_store
from zwgk.storage.probes import Probe, add_probes, aggregate_old_probes
from zwgk.storage.results import RectificationView, replace_findings, replace_scores, save_rectification_items

UNITS = [
    Unit("p1", "甲省人民政府", "省", "portal", "http://www.jia.gov.cn/"),
    Unit("c1", "乙市人民政府", "市", "portal", "http://www.yi.gov.cn/"),
    Unit("c2", "丙市教育局", "市", "department", "http://jyj.bing.gov.cn/"),
    Unit("x1", "丁县人民政府", "县", "portal", "http://www.ding.gov.cn/"),
]


def _score(u: Unit, score: float, passed: bool, veto: bool = False) -> UnitScore:
    return UnitScore(u.unit_id, u.name, u.tier, u.kind, True, score, veto, passed, 0.04, score * 0.04)


def _round(db, name: str, as_of: dt.date, scores: list[UnitScore]) -> int:
    info, _ = rounds_store.create_round(db, name, as_of=as_of, rubric="national-2019", weight=0.04, units=UNITS)
    replace_scores(db, info.id, scores)
    rounds_store.set_round_status(db, info.id, "done")
    return info.id


@pytest.fixture
def quarter_db(db, mon_add_units):
    mon_add_units(db, UNITS)
    u = {x.unit_id: x for x in UNITS}
    start = dt.datetime(2026, 10, 1)
    probes = []
    for d in range(92):  # Q4: 20 probes a day; 丁县 down 10% of the time
        for i in range(20):
            at = start + dt.timedelta(days=d, minutes=72 * i)
            for x in UNITS:
                down = x.unit_id == "x1" and i < 2
                probes.append(
                    Probe(
                        x.unit_id,
                        at,
                        not down,
                        None if down else 200,
                        None if down else 30.0,
                        "timeout" if down else "",
                    )
                )
    add_probes(db, probes)
    aggregate_old_probes(db, dt.datetime(2027, 1, 1), keep_days=30)  # Oct–Nov aggregated, December raw

    _round(
        db,
        "2026-09",
        dt.date(2026, 9, 1),
        [_score(u["p1"], 70, True), _score(u["c1"], 50, False), _score(u["c2"], 80, True), _score(u["x1"], 75, True)],
    )
    rid = _round(
        db,
        "2026-12",
        dt.date(2026, 12, 1),
        [
            _score(u["p1"], 72, True),
            _score(u["c1"], 68, True),
            _score(u["c2"], 55, False),
            _score(u["x1"], 0, False, veto=True),
        ],
    )
    replace_findings(
        db,
        rid,
        "x1",
        [
            Finding(
                "x1",
                u["x1"].site_url,
                "AVAIL-DOWN",
                u["x1"].site_url,
                u["x1"].site_url,
                "veto",
                0,
                {"share": 0.1},
                "首页监测失败率10.0%，达到单项否决线5%。",
                "排查服务器",
            )
        ],
    )
    replace_findings(
        db,
        rid,
        "c2",
        [
            Finding(
                "c2",
                u["c2"].site_url,
                "COLUMN-BLANK",
                "http://jyj.bing.gov.cn/tzgg/",
                "",
                "deduct",
                5,
                {},
                "通知公告栏目为空白栏目",
                "补充内容",
            )
        ],
    )
    save_rectification_items(
        db,
        [
            RectificationView(
                "c2", "COLUMN-BLANK", "http://jyj.bing.gov.cn/tzgg/", rid, rid, dt.date(2026, 12, 15), "open"
            ),
            RectificationView("c1", "FRESH-HOME", "http://www.yi.gov.cn/", rid, rid, dt.date(2026, 11, 15), "fixed"),
            RectificationView(
                "x1", "LINK-BROKEN", "http://www.ding.gov.cn/x", rid, rid, dt.date(2026, 11, 1), "overdue"
            ),
        ],
    )
    return db


def test_bulletin_figures(quarter_db):
    data = bulletin_data(quarter_db, "2026Q4")
    assert (data.start, data.end) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert data.sites_monitored == 4 and data.probes == 4 * 92 * 20 and data.failures == 92 * 2
    ding = next(a for a in data.availability if a.unit_id == "x1")
    assert ding.availability == pytest.approx(0.9)
    assert data.round_name == "2026-12"
    assert [(t["tier"], t["units"], t["passed"]) for t in data.tiers] == [("省", 1, 1), ("市", 2, 1), ("县", 1, 0)]
    failing = {s.unit_id: s for s in data.failing}
    assert set(failing) == {"c2", "x1"}
    assert any("AVAIL-DOWN" in r for r in failing["x1"].reasons) and any(
        "可用率 90.0%" in r for r in failing["x1"].reasons
    )
    assert any("COLUMN-BLANK" in r for r in failing["c2"].reasons)
    assert data.rectification == {"open": 1, "fixed": 1, "overdue": 1}
    assert [x["unit_id"] for x in data.improved] == ["c1", "p1"]  # +18, +2 since the September round


def test_bulletin_pdf_names_failing_sites(quarter_db, tmp_path):
    path = tmp_path / "q4.pdf"
    build_quarterly_bulletin(quarter_db, "2026Q4", path, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026年第4季度政府网站监测情况通报" in text
    for name in ("丁县人民政府", "丙市教育局"):
        assert name in text
    problems = text[text.index("三、存在问题的网站") : text.index("四、整改情况")]
    assert "丁县人民政府" in problems and "丙市教育局" in problems and "甲省人民政府" not in problems
    assert "进步明显" in text and "乙市人民政府" in text[text.index("五、进步明显") :]
    assert "八、2026年度考核（截至本季度末）" in text  # the year's roll-up so far (zwgk annual)


def test_bulletin_xlsx_and_cli(quarter_db, db_url, tmp_path):
    import openpyxl

    out = CliRunner().invoke(
        __import__("zwgk.cli", fromlist=["app"]).app,
        ["bulletin", "--quarter", "2026q4", "--format", "xlsx", "-o", str(tmp_path / "q4.xlsx"), "--db", db_url],
    )
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(tmp_path / "q4.xlsx")
    assert wb.sheetnames == ["概况", "分层级合格率", "存在问题的网站", "整改情况", "进步明显", "可用率", "年度考核"]
    rows = list(wb["存在问题的网站"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in rows} == {"c2", "x1"}
    avail = {r[0]: r[5] for r in wb["可用率"].iter_rows(min_row=2, values_only=True)}
    assert avail["x1"] == pytest.approx(0.9) and avail["p1"] == 1.0
    from zwgk.monitor.annual import annual_scores

    annual = {r[1]: r[4] for r in wb["年度考核"].iter_rows(min_row=2, values_only=True)}
    assert annual == pytest.approx(
        {s.unit_id: s.score for s in annual_scores(quarter_db, 2026, through=dt.date(2026, 12, 31))}
    )


def test_an_empty_quarter_still_gives_a_bulletin(db, tmp_path):
    data = build_quarterly_bulletin(db, "2025Q1", tmp_path / "empty.pdf", "pdf")
    assert data.sites_monitored == 0 and data.failing == [] and (tmp_path / "empty.pdf").stat().st_size > 0


def test_bad_quarter_and_format(db, tmp_path):
    with pytest.raises(ZwgkError, match="write it like 2026Q4"):
        parse_quarter("2026-Q5")
    with pytest.raises(ZwgkError, match="choose pdf or xlsx"):
        build_quarterly_bulletin(db, "2026Q4", tmp_path / "x.doc", "doc")


def test_a_later_partial_round_is_ignored_unless_named(quarter_db, db_url, tmp_path):
    """A 2-unit re-check after the quarter's full round: the 季通报 stays on the full round."""
    from zwgk.app.rounds import RoundOptions, settings_record
    from zwgk.cli import app

    u = {x.unit_id: x for x in UNITS}
    recheck = RoundOptions(name="recheck-12-20", as_of=dt.date(2026, 12, 20), unit_ids=["c2", "x1"])
    assert settings_record(recheck)["partial"] is True  # what `zwgk assess --unit c2 --unit x1` stores
    info, _ = rounds_store.create_round(
        quarter_db,
        recheck.name,
        as_of=recheck.as_of,
        rubric="national-2019",
        weight=0.04,
        units=[u["c2"], u["x1"]],
        settings=settings_record(recheck),
    )
    replace_scores(quarter_db, info.id, [_score(u["c2"], 90, True), _score(u["x1"], 88, True)])
    rounds_store.set_round_status(quarter_db, info.id, "done")

    data = bulletin_data(quarter_db, "2026Q4")
    assert data.round_name == "2026-12" and not data.round_partial
    assert sum(t["units"] for t in data.tiers) == 4  # every unit, not the re-check's 2

    named = bulletin_data(quarter_db, "2026Q4", "recheck-12-20")
    assert named.round_name == "recheck-12-20" and named.round_partial
    assert sum(t["units"] for t in named.tiers) == 2

    path = tmp_path / "named.pdf"
    result = CliRunner().invoke(
        app, ["bulletin", "--quarter", "2026Q4", "--round", "recheck-12-20", "-o", str(path), "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    assert "partial" in result.output
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "recheck-12-20（部分单位轮次）" in text

    listing = CliRunner().invoke(app, ["round", "list", "--db", db_url])
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line for line in listing.output.splitlines() if line.strip()}
    assert "部分单位" in lines["recheck-12-20"] and "部分单位" not in lines["2026-12"]
    with pytest.raises(ZwgkError, match="no round named"):
        bulletin_data(quarter_db, "2026Q4", "no-such-round")
