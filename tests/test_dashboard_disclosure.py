"""The dashboard's 政府信息公开年报 and 政务新媒体 pages: the query layer on the dashboard database
(SQLite, and PostgreSQL with ZWGK_TEST_DB=postgresql), role scoping in SQL, the downloads' formula
guard, and the pages through AppTest for every role.

The 年报 readings are made by the crawler's own parser (``parse_rows``) from a report's rows and
stored as a crawl stores them (``write_pages``); the accounts and posts through ``zwgk.storage.media``
as ``zwgk media import-*`` stores them; the REPORT-* and MEDIA-* findings by the real rules
(``zwgk.indicators.evaluate``) on the stored snapshot, as a round judges it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import event

from tests.fixtures_dashboard import B_MARKER, FORMULA, SCRIPT, DashboardData
from tests.test_dashboard_app import TIMEOUT, login, texts
from zwgk.crawlers.annual_report import REQUEST_LABELS, parse_rows
from zwgk.dashboard import adapters, queries
from zwgk.dashboard.viewer import Viewer
from zwgk.model import Page
from zwgk.storage import results
from zwgk.storage.media import MediaAccount, MediaPost, add_posts, find_account, media_facts, upsert_accounts
from zwgk.storage.registry import get_unit
from zwgk.storage.snapshot import load_snapshot, write_pages

LEADER = Viewer("leader", "leader")
EVALUATOR = Viewer("evaluator", "evaluator")
DEPT_A = Viewer("dept_a", "department", ("dept-a",))
AS_OF = dt.date(2026, 11, 20)  # the fixture's 2026-Q4 round: last year's report is 2025's
B_REPORT = f"{B_MARKER}2025年政府信息公开工作年度报告"
B_ACCOUNT = f"{B_MARKER}发布"


def report_rows(total_off: int = 0, review: bool = True) -> list[list[str]]:
    """A 2021-format report as rows (what ``html_rows`` makes of a page): ``total_off`` puts the
    (七)总计 row's 总计 column off by that much; ``review=False`` leaves table 四 out."""
    rows = [
        ["一、总体情况"],
        ["本机关认真贯彻落实《中华人民共和国政府信息公开条例》，" * 6],
        ["二、主动公开政府信息情况"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "2"],
        ["行政规范性文件", "5", "1", "20"],
        ["信息内容", "本年处理决定数量"],
        ["行政许可", "12"],
        ["行政处罚", "3"],
        ["行政强制", "0"],
        ["信息内容", "本年收费金额（单位：万元）"],
        ["行政事业性收费", "2.5"],
        ["三、收到和处理政府信息公开申请情况"],
    ]
    figures = {k: [0] * 7 for k in REQUEST_LABELS if k != "other"}
    figures.update(
        new=[3, 1, 0, 0, 0, 0, 4],
        carried=[1, 0, 0, 0, 0, 0, 1],
        open=[2, 1, 0, 0, 0, 0, 3],
        partial=[1, 0, 0, 0, 0, 0, 1],
        total=[3, 1, 0, 0, 0, 0, 4 + total_off],
        carry_next=[1, 0, 0, 0, 0, 0, 1],
    )
    rows += [[REQUEST_LABELS[k], *map(str, v)] for k, v in figures.items()]
    if review:
        rows += [["四、政府信息公开行政复议、行政诉讼情况"], [*map(str, [1, 0, 0, 0, 1] + [0] * 10)]]
    return [*rows, ["五、存在的主要问题及改进情况"], ["六、其他需要报告的事项"]]


def _report_page(url: str, title: str, year: int, rows: list[list[str]]) -> Page:
    reading = parse_rows(rows, source="html", url="")
    reading["year"] = year
    return Page(url=url, status=200, outcome="ok", kind="article", title=title, facts={"annual_report": reading})


def _judge(db, round_id: int, unit_id: str, prefixes: tuple[str, ...]) -> None:
    """Judge the unit's stored snapshot (with its media inputs) with the real rules and store the
    findings of ``prefixes`` beside the unit's others."""
    from zwgk.indicators import evaluate, load_rubric

    unit = get_unit(db, unit_id)
    snapshot = load_snapshot(db, round_id, unit, AS_OF)
    snapshot.inputs = {"media": media_facts(db, unit_id, AS_OF)}
    new = [f for f in evaluate(snapshot, load_rubric("national-2019")) if f.rule.startswith(prefixes)]
    kept = [f.to_finding() for f in results.list_findings(db, round_id, unit_id) if not f.rule.startswith(prefixes)]
    results.replace_findings(db, round_id, unit_id, kept + new)


def add_disclosure(dash: DashboardData) -> int:
    """年报 pages and 政务新媒体 accounts for the fixture's units, judged in round 2026-Q4."""
    db, q4 = dash.db, dash.round_ids["2026-Q4"]
    home = "http://{}.gov.test/"
    write_pages(
        db,
        q4,
        "dept-a",
        [
            Page(url=home.format("dept-a"), status=200, outcome="ok", kind="home", title="甲市教育局"),
            _report_page("http://dept-a.gov.test/gknb/2025.html", FORMULA, 2025, report_rows()),
            _report_page("http://dept-a.gov.test/gknb/2024.html", SCRIPT, 2024, report_rows()),
        ],
    )
    write_pages(
        db,
        q4,
        "dept-b",
        [
            Page(url=home.format("dept-b"), status=200, outcome="ok", kind="home", title="甲市卫生健康委员会"),
            _report_page("http://dept-b.gov.test/gknb/2025.html", B_REPORT, 2025, report_rows(total_off=1)),
        ],
    )
    write_pages(
        db,
        q4,
        "dept-c",
        [
            Page(url=home.format("dept-c"), status=200, outcome="ok", kind="home", title="甲市交通运输局"),
            _report_page(
                "http://dept-c.gov.test/gknb/2025.html", "甲市交通运输局年报", 2025, report_rows(review=False)
            ),
        ],
    )
    upsert_accounts(
        db,
        [
            MediaAccount("dept-a", "微信公众号", "甲市教育发布", "甲市教育局", url="javascript:alert(1)"),
            MediaAccount("dept-a", "抖音", FORMULA, "甲市教育局"),
            MediaAccount(
                "dept-b", "微信公众号", B_ACCOUNT, "甲市卫生健康委员会", feed_url="http://dept-b.gov.test/wx.xml"
            ),
            MediaAccount("dept-c", "微博", "甲市交通微博", "甲市交通运输局", closed=True),
        ],
    )
    evening = dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time(23))

    def posts(unit: str, name: str, platform: str, days: list[int], title: str = "工作动态") -> None:
        account = find_account(db, unit, platform, name)
        assert account is not None and account.id is not None
        add_posts(
            db,
            account.id,
            [MediaPost(dt.datetime.combine(AS_OF - dt.timedelta(days=d), dt.time(9)), f"{title}{d}") for d in days],
            observed_until=evening,
        )

    posts("dept-a", "甲市教育发布", "微信公众号", [2, 5, 9], title=SCRIPT)
    posts("dept-a", FORMULA, "抖音", [1, 3])
    posts("dept-b", B_ACCOUNT, "微信公众号", [30, 41], title=B_MARKER)
    for unit in ("dept-a", "dept-b", "dept-c"):
        _judge(db, q4, unit, ("REPORT-", "MEDIA-"))
    return q4


@pytest.fixture
def app(disc: DashboardData, monkeypatch):
    """A fresh AppTest on the database with 年报 and accounts (as ``test_dashboard_app.app``)."""
    from streamlit.testing.v1 import AppTest

    from zwgk.dashboard import APP_PATH, session

    monkeypatch.setenv("ZWGK_DB", disc.url)
    token: dict[str, str] = {"value": ""}
    monkeypatch.setattr(session, "cookie_token", lambda _url: token["value"])

    def make(**query: str) -> AppTest:
        at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
        at.zwgk_token = token  # type: ignore[attr-defined]
        for k, v in query.items():
            at.query_params[k] = v
        return at

    return make


@pytest.fixture
def disc(dash: DashboardData) -> DashboardData:
    add_disclosure(dash)
    return dash


# --------------------------------------------------------------------------- 年报: query layer


def test_report_overview_per_unit_template_tables_totals(disc):
    q4 = disc.round_ids["2026-Q4"]
    frame = queries.report_overview(disc.db, LEADER, q4).set_index("unit_id")
    assert len(frame) == 6 and set(frame["year"]) == {2025}
    a, b, c = frame.loc["dept-a"], frame.loc["dept-b"], frame.loc["dept-c"]
    assert (a["read"], a["template"], bool(a["template_ok"])) == ("已读取", "2021年格式", True)
    assert (a["tables"], bool(a["tables_complete"]), bool(a["totals_consistent"])) == (3, True, True)
    assert bool(b["tables_complete"]) and not bool(b["totals_consistent"]) and b["checks_failed"] == 3
    assert "年报统计数字不相符" in b["report_findings"] and b["findings"] >= 1
    assert not bool(c["tables_complete"]) and "四、政府信息公开行政复议" in c["missing_tables"]
    assert "年报缺少统计表" in c["report_findings"]
    assert frame.loc["county-1", "read"] == "未读到" and frame["template_ok"].isna()["county-1"]
    assert a["document_link"] == "http://dept-a.gov.test/gknb/2025.html"


def test_unit_reports_give_the_three_tables_as_typed_figures(disc):
    q4 = disc.round_ids["2026-Q4"]
    reports = queries.unit_reports(disc.db, LEADER, q4, "dept-b")
    assert [r.year for r in reports] == [2025]
    r = reports[0]
    assert (r.title, r.template, r.source, r.sections) == (B_REPORT, "2021年格式", "网页", list("一二三四五六"))
    active = r.active.set_index("项目")
    assert active.loc["行政规范性文件", "现行有效件数"] == 20 and str(active["现行有效件数"].dtype) == "Int64"
    assert active.loc["行政事业性收费", "本年收费金额（万元）"] == pytest.approx(2.5)  # 万元 keep decimals
    requests = r.requests.set_index("项目")
    assert list(requests.columns[:7]) == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert requests.loc["（七）总计", "总计"] == 5 and requests.loc["一、本年新收政府信息公开申请数量", "自然人"] == 3
    assert list(r.review["项目"]) == ["行政复议", "未经复议直接起诉", "复议后起诉"]
    assert r.review.set_index("项目").loc["行政复议", "总计"] == 1
    failed = r.checks[~r.checks["holds"]]
    assert len(failed) == 3 and failed["check"].str.contains("总计列5").any()


def test_report_findings_carry_the_failed_checks_as_evidence(disc):
    q4 = disc.round_ids["2026-Q4"]
    found = queries.report_findings(disc.db, EVALUATOR, q4, "dept-b")
    row = found[found["rule"] == "REPORT-TOTALS"].iloc[0]
    assert row["subject"] == "2025" and "不能相互印证" in row["message"]
    assert "各类申请人之和4，总计列5" in row["detail"]
    assert found["rule"].str.startswith("REPORT-").all()  # the unit's other findings are not the 年报's
    missing = queries.report_findings(disc.db, EVALUATOR, q4, "dept-c").set_index("rule")
    assert "缺少：四、政府信息公开行政复议、行政诉讼情况统计表" in missing.loc["REPORT-TABLES", "detail"]


def test_department_sees_only_its_own_reports_and_sql_names_its_unit(disc):
    q4 = disc.round_ids["2026-Q4"]
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(disc.db.engine, "before_cursor_execute", record)
    try:
        frame = queries.report_overview(disc.db, DEPT_A, q4)
    finally:
        event.remove(disc.db.engine, "before_cursor_execute", record)
    assert list(frame["unit_id"]) == ["dept-a"] and B_MARKER not in frame.to_string()
    pages = [(s, p) for s, p in statements if "FROM pages" in s]
    assert pages and all("dept-a" in repr(p) and "dept-b" not in repr(p) for _, p in pages)
    for call in (
        lambda: queries.unit_reports(disc.db, DEPT_A, q4, "dept-b"),
        lambda: queries.report_findings(disc.db, DEPT_A, q4, "dept-b"),
        lambda: queries.media_posts(disc.db, DEPT_A, "dept-b", 1),
    ):
        with pytest.raises(PermissionError):
            call()


# --------------------------------------------------------------------------- 政务新媒体: query layer


def test_media_accounts_status_days_since_and_stale_first(disc):
    q4 = disc.round_ids["2026-Q4"]
    frame = queries.media_accounts(disc.db, LEADER, q4)
    assert len(frame) == 4
    first = frame.iloc[0]
    assert (first["name"], first["status"], bool(first["stale"])) == (B_ACCOUNT, "stale", True)  # stale first
    assert (first["days_since"], first["last_post"], first["posts"]) == (30, AS_OF - dt.timedelta(days=30), 2)
    rows = frame.set_index("name")
    assert rows.loc["甲市教育发布", "status_label"] == "正常" and rows.loc["甲市教育发布", "days_since"] == 2
    assert rows.loc["甲市交通微博", "status"] == "closed"
    assert rows.loc["甲市教育发布", "account_link"] is None  # a javascript: address is never a link
    assert rows.loc[B_ACCOUNT, "feed_link"] == "http://dept-b.gov.test/wx.xml"
    assert rows.loc[B_ACCOUNT, "operator"] == "甲市卫生健康委员会"


def test_media_for_a_department_and_posts_of_another_units_account(disc):
    q4 = disc.round_ids["2026-Q4"]
    mine = queries.media_accounts(disc.db, DEPT_A, q4)
    assert set(mine["unit_id"]) == {"dept-a"} and B_MARKER not in mine.to_string()
    b_id = int(queries.media_accounts(disc.db, LEADER, q4).set_index("name").loc[B_ACCOUNT, "account_id"])
    posts = queries.media_posts(disc.db, LEADER, "dept-b", b_id)
    assert list(posts["title"]) == [f"{B_MARKER}30", f"{B_MARKER}41"]  # newest first
    # an account id with the wrong unit reaches nothing, even for a leader (the unit is in the SQL)
    assert queries.media_posts(disc.db, LEADER, "dept-a", b_id).empty


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("which", ["reports", "media"])
def test_downloads_are_scoped_and_formula_cells_neutralised(disc, which):
    q4 = disc.round_ids["2026-Q4"]
    make = adapters.report_overview_download if which == "reports" else adapters.media_download
    csv_text = make(disc.db, DEPT_A, q4, "csv").data.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(csv_text)) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells  # the one guard: a leading apostrophe
    assert B_MARKER not in csv_text and "dept-b" not in csv_text
    book = openpyxl.load_workbook(io.BytesIO(make(disc.db, DEPT_A, q4, "xlsx").data))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "'" + FORMULA in values and FORMULA not in values
    assert not [v for v in values if isinstance(v, str) and v.startswith("=")]
    leader = make(disc.db, LEADER, q4, "csv").data.decode("utf-8-sig")
    assert B_MARKER in leader  # the control: B's rows are there when allowed


# --------------------------------------------------------------------------- the pages (AppTest)


def test_pages_in_the_sidebar_per_role(app, disc):
    for name, expected in (
        ("leader", ["总览", "单位详情", "政府信息公开年报", "政务新媒体", "整改清单", "存档证据", "年度考核"]),
        ("dept_a", ["整改清单", "单位详情", "政府信息公开年报", "政务新媒体", "存档证据", "年度考核"]),
    ):
        at = login(app(), name, disc.passwords[name])
        assert at.sidebar.radio[0].options == expected


def test_reports_page_for_a_leader_and_a_department(app, disc):
    at = login(app(page="reports", unit="dept-b"), "leader", disc.passwords["leader"])
    assert at.title[0].value == "政府信息公开年报"
    overview = at.dataframe[0].value
    assert len(overview) == 6 and {"template_ok", "tables_complete", "totals_consistent"} <= set(overview.columns)
    shown = texts(at)
    assert f"标题：{B_REPORT}" in shown and "各类申请人之和4，总计列5" in shown
    assert {m.label: m.value for m in at.metric}["数字相符"] == "2"  # dept-a, dept-c (dept-b: not)
    at = login(app(page="reports"), "dept_a", disc.passwords["dept_a"])
    assert len(at.dataframe[0].value) == 1 and B_MARKER not in texts(at)
    assert at.selectbox(key="w_report_unit").options == ["甲市教育局（dept-a）"]
    at = login(app(page="reports", unit="dept-b", round="2026-Q4"), "dept_a", disc.passwords["dept_a"])
    assert any("无权" in e.value for e in at.error) and B_MARKER not in texts(at)


def test_media_page_filters_and_refuses_another_unit(app, disc):
    at = login(app(page="media"), "evaluator", disc.passwords["evaluator"])
    assert at.title[0].value == "政务新媒体"
    assert {m.label: m.value for m in at.metric}["不更新"] == "1"
    table = at.dataframe[0].value
    assert table.iloc[0]["status_label"] == "⚠ 不更新" and table.iloc[0]["name"] == B_ACCOUNT
    at.multiselect(key="w_media_status").select("已注销").run()
    assert [n for n in texts(at).splitlines() if n.startswith("共 ")] == [
        "共 1 个账号，其中不更新 0 个（标 ⚠，排在前面）。"
    ]
    at = login(app(page="media"), "dept_a", disc.passwords["dept_a"])
    assert B_MARKER not in texts(at) and {m.label: m.value for m in at.metric}["账号"] == "2"
    at = login(app(page="media", unit="dept-b"), "dept_a", disc.passwords["dept_a"])
    assert any("无权" in e.value for e in at.error) and B_MARKER not in texts(at)
