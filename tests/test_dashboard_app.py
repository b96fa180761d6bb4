"""Page logic through streamlit.testing.v1.AppTest: sessions, roles, deep links, the review workbench.

The login form and its cookie live in the HTTP front (``zwgk.dashboard.server``), which
AppTest does not run and whose cookies it cannot send; here a session is made with the same
storage functions the form uses (``users.authenticate`` + ``users.create_session``) and its
token is handed to the page as the cookie would be (:func:`login`).  The form, the cookie,
reloads and headers are tested in Chromium (tests/test_dashboard_browser.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from tests.fixtures_dashboard import B_MARKER, SCRIPT
from zwgk.dashboard import APP_PATH, session
from zwgk.storage import users
from zwgk.storage.tables import DashboardSessionRow

TIMEOUT = 30


@pytest.fixture
def app(dash, monkeypatch):
    """A fresh AppTest on the populated database (not yet run); :func:`login` gives it a session."""
    monkeypatch.setenv("ZWGK_DB", dash.url)
    token: dict[str, str] = {"value": ""}
    monkeypatch.setattr(session, "cookie_token", lambda _url: token["value"])

    def make(**query: str) -> AppTest:
        at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
        at.zwgk_token = token  # type: ignore[attr-defined]
        for k, v in query.items():
            at.query_params[k] = v
        return at

    return make


def login(at: AppTest, name: str, password: str, db=None) -> AppTest:
    """Log in as the form does (password checked, session stored) and run the page with its token."""
    from zwgk.dashboard import cache

    database = db or cache.database(cache.db_url())
    user = users.authenticate(database, name, password)
    at.zwgk_token["value"] = users.create_session(database, user.username, "127.0.0.1")  # type: ignore[attr-defined]
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, text, errors, metrics, captions, selectbox choices)."""
    parts: list[str] = []
    for coll in (at.title, at.subheader, at.markdown, at.text, at.caption, at.error, at.info, at.success, at.warning):
        parts += [str(e.value) for e in coll]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    for sb in at.selectbox:
        parts += [str(o) for o in sb.options]
    return "\n".join(parts)


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def test_login_success_shows_the_overview(app, dash):
    at = login(app(), "leader", dash.passwords["leader"])
    assert at.title[0].value == "总览"
    assert {m.label: m.value for m in at.metric}["参评单位"] == "6"
    portals, departments = frames(at)[0], frames(at)[1]  # 门户 and 部门 ranked apart
    assert set(portals["unit_name"]) == {"甲市人民政府"}
    assert "甲市教育局" in set(departments["unit_name"]) and list(departments["rank"]) == [1, 2, 3]
    assert [r.label for r in at.sidebar.radio] == ["页面"]
    assert at.sidebar.radio[0].options == [
        "总览",
        "单位详情",
        "政府信息公开年报",
        "政务新媒体",
        "整改清单",
        "存档证据",
        "年度考核",
    ]  # no workbench for leaders
    labels = [b.proto.label for b in at.get("download_button")]
    assert (
        "下载通报 (PDF)" in labels
        and "下载通报 (Word)" in labels
        and "下载2026Q4季通报 (PDF)" in labels
        and "下载2026Q4季通报 (xlsx)" in labels
    )


def test_without_a_session_the_page_only_points_to_the_login_form(app, dash):
    at = app(page="unit", unit="dept-b")
    at.run()
    assert not at.exception
    assert "请先登录" in texts(at)
    assert not at.dataframe and not at.metric
    assert "甲市卫生健康委员会" not in texts(at)


def test_department_sees_only_its_unit(app, dash):
    at = login(app(), "dept_a", dash.passwords["dept_a"])
    assert at.title[0].value == "整改清单"
    assert at.sidebar.radio[0].options == [
        "整改清单",
        "单位详情",
        "政府信息公开年报",
        "政务新媒体",
        "存档证据",
        "年度考核",
    ]
    shown = texts(at)
    assert "甲市教育局" in shown and "甲市卫生健康委员会" not in shown and "dept-b" not in shown
    assert at.selectbox(key="w_rect_unit").options == ["甲市教育局（dept-a）"]
    table = frames(at)[0]
    assert list(table.columns[:3]) == ["message", "fix", "deadline"]  # what to do, by when: first
    assert set(table["rule_name"]) == {users_rule_name(c) for c in ("COLUMN-MISSING", "LINK-PAGE", "SEARCH-MISSING")}
    assert "必设栏目缺失" in set(table["rule_name"])  # the catalog's name_zh, not the code
    assert not table.astype(str).apply(lambda c: c.str.contains(B_MARKER)).any().any()

    at.sidebar.radio[0].set_value("单位详情").run()
    assert at.title[0].value == "单位详情"
    assert at.selectbox(key="w_unit").options == ["甲市教育局（dept-a）"]
    findings = frames(at)[-2]  # findings table, then history
    assert set(findings["subject"]) == {SCRIPT, "http://dept-a.gov.test/gone.html"}
    assert not any(B_MARKER in t for t in texts(at).splitlines())


@pytest.mark.parametrize(
    "query",
    [
        {"page": "rectification", "unit": "dept-b"},
        {"page": "unit", "unit": "dept-b"},
        {"page": "unit", "unit": "dept-b", "round": "2026-Q3"},
        {"page": "overview"},
        {"page": "workbench"},
        {"page": "workbench", "unit": "dept-b"},
    ],
)
def test_department_cannot_reach_another_unit_by_query_params(app, dash, query):
    at = login(app(**query), "dept_a", dash.passwords["dept_a"])
    shown = texts(at)
    assert "无权" in shown and "参考编号" in shown
    assert B_MARKER not in shown and "甲市卫生健康委员会" not in shown
    for df in frames(at):
        assert "dept-b" not in df.astype(str).to_string()
        assert B_MARKER not in df.astype(str).to_string()


def test_leader_may_open_any_unit_by_deep_link(app, dash):
    at = login(app(page="unit", unit="dept-b"), "leader", dash.passwords["leader"])
    assert "甲市卫生健康委员会（dept\\-b）" in texts(at)
    assert B_MARKER in frames(at)[-2]["message"].str.cat()


def test_evaluator_dismisses_a_finding_and_sees_the_new_score(app, dash):
    at = login(app(page="workbench"), "evaluator", dash.passwords["evaluator"])
    assert at.title[0].value == "评估工作台"
    at.selectbox(key="w_f_unit").set_value("dept-b").run()
    assert set(frames(at)[0]["unit_name"]) == {"甲市卫生健康委员会"}
    box = at.selectbox(key="w_review_finding")
    report_late = users_rule_name("REPORT-LATE")
    box.select_index(next(i for i, label in enumerate(box.options) if report_late in label))
    at.radio(key="w_review_decision").set_value("dismissed")
    at.text_area(key="w_review_reason").input("年报已按时发布，误报")
    next(b for b in at.button if b.label == "提交核查结论").click()
    at.run()
    assert not at.exception, at.exception
    # shown through the escaping helper: "98\\.00" in Markdown source renders as "98.00"
    assert any("核查结论已保存" in s.value and "98.00" in s.value.replace("\\", "") for s in at.success), texts(at)
    at.selectbox(key="w_f_status").set_value("已驳回").run()
    assert list(frames(at)[0]["rule_name"]) == [report_late]


def test_evaluator_without_reason_is_refused(app, dash):
    at = login(app(page="workbench"), "evaluator", dash.passwords["evaluator"])
    next(b for b in at.button if b.label == "提交核查结论").click()
    at.run()
    assert any("未保存" in e.value and "理由" in e.value for e in at.error)


def test_session_expires_after_idle_time(app, dash):
    at = login(app(), "leader", dash.passwords["leader"])
    assert at.title[0].value == "总览"
    with dash.db.session() as s:
        s.execute(
            update(DashboardSessionRow).values(
                last_seen=dt.datetime.utcnow() - users.SESSION_IDLE - dt.timedelta(seconds=5)
            )
        )
    at.run()
    assert "请先登录" in texts(at) and not at.dataframe


def test_session_ends_at_its_absolute_lifetime_however_active(app, dash):
    at = login(app(), "leader", dash.passwords["leader"])
    with dash.db.session() as s:
        s.execute(update(DashboardSessionRow).values(expires_at=dt.datetime.utcnow() - dt.timedelta(seconds=1)))
    at.run()
    assert "请先登录" in texts(at) and not at.dataframe


def test_removed_user_is_logged_out_at_next_click(app, dash):
    at = login(app(), "dept_a", dash.passwords["dept_a"])
    assert at.title[0].value == "整改清单"
    users.remove_user(dash.db, "dept_a")
    at.run()
    assert "请先登录" in texts(at) and not at.dataframe


def test_unknown_unit_shows_a_reference_not_a_traceback(app, dash):
    crafted = "x](https://evil.example/)![i](https://evil.example/p.png)"
    at = login(app(page="unit", unit=crafted), "leader", dash.passwords["leader"])
    shown = texts(at)
    assert "没有找到" in shown and "参考编号" in shown
    assert "evil.example" not in shown and "Traceback" not in shown and not at.exception


def test_evidence_and_breakdown_read_in_chinese(app, dash):
    at = login(app(page="unit", unit="dept-a"), "leader", dash.passwords["leader"])
    breakdown = frames(at)[0]
    assert {"available", "earned", "deducted"} <= set(breakdown.columns)
    assert not set(breakdown["part"]) & {"deduct", "bonus", "website"}
    findings = frames(at)[-2]
    row = findings[findings["subject"] == SCRIPT].iloc[0]
    assert row["http_status"] == "HTTP 200"
    assert row["dates"] == "最新更新日期 2026-01-05"
    assert row["rule_name"] != "COLUMN-MISSING"


def users_rule_name(code: str) -> str:
    from zwgk.indicators import load_rubric

    return load_rubric("national-2019").rules[code].name_zh


def test_without_a_cjk_font_pdf_buttons_say_how_to_fix_it(app, dash, monkeypatch, tmp_path):
    from zwgk.dashboard import downloads

    monkeypatch.setenv("ZWGK_CJK_FONT", str(tmp_path / "no-such-font.ttc"))
    downloads.pdf_font_problem.cache_clear()
    try:
        at = login(app(), "leader", dash.passwords["leader"])
        assert any("ZWGK_CJK_FONT" in w.value.replace("\\", "") for w in at.warning), texts(at)
        pdf = [b for b in at.get("download_button") if "PDF" in b.proto.label]
        assert pdf and all(b.proto.disabled for b in pdf)
        assert all(not b.proto.disabled for b in at.get("download_button") if "xlsx" in b.proto.label)
    finally:
        monkeypatch.delenv("ZWGK_CJK_FONT")
        downloads.pdf_font_problem.cache_clear()
    assert downloads.pdf_font_problem() == ""  # this machine has the font: PDF export on


def test_quarterly_bulletin_says_monitoring_was_not_run(app, dash):
    at = login(app(), "leader", dash.passwords["leader"])
    assert "尚未运行日监测" in texts(at).replace("\\", "")


def test_evaluator_adds_a_veto_by_hand_in_the_workbench(app, dash):
    at = login(app(page="workbench"), "evaluator", dash.passwords["evaluator"])
    at.selectbox(key="w_add_unit").set_value("dept-b")
    at.selectbox(key="w_add_rule").set_value("CONTENT-HIDDEN-LINK")
    at.text_input(key="w_add_url").input("http://dept-b.gov.test/")
    at.text_area(key="w_add_note").input("首页底部隐藏博彩链接，已截图存档")
    at.checkbox(key="w_add_veto").check()
    next(b for b in at.button if b.label == "添加问题").click()
    at.run()
    assert not at.exception, at.exception
    assert any("人工添加问题已保存" in s.value and "单项否决" in s.value for s in at.success), texts(at)
    at.selectbox(key="w_f_unit").set_value("dept-b").run()
    found = frames(at)[0]
    assert users_rule_name("CONTENT-HIDDEN-LINK") in set(found["rule_name"])


def test_annual_page_ranks_the_year_and_departments_see_only_their_unit(app, dash):
    from zwgk.monitor.annual import annual_scores

    at = login(app(page="annual"), "leader", dash.passwords["leader"])
    assert "年度考核" in texts(at) and at.selectbox(key="w_annual_year").options == ["2026"]
    shown = frames(at)[0]
    expected = {s.unit_id: s.score for s in annual_scores(dash.db, 2026)}
    assert dict(zip(shown["单位编码"], shown["年度得分"])) == pytest.approx(expected)
    assert len(at.get("download_button")) == 2
    at = login(app(page="annual"), "dept_a", dash.passwords["dept_a"])
    shown = frames(at)[0]
    assert list(shown["单位编码"]) == ["dept-a"] and "dept-b" not in shown.astype(str).to_string()
    assert not at.get("download_button")  # the ranking file names every unit
