"""Page logic through streamlit.testing.v1.AppTest: login, roles, deep links, the review workbench."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.fixtures_dashboard import B_MARKER, SCRIPT
from zwgk.dashboard import APP_PATH
from zwgk.dashboard.session import IDLE_SECONDS
from zwgk.storage import users

TIMEOUT = 30


@pytest.fixture
def app(dash, monkeypatch):
    """A fresh AppTest on the populated database (not yet run)."""
    monkeypatch.setenv("ZWGK_DB", dash.url)

    def make(**query: str) -> AppTest:
        at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
        for k, v in query.items():
            at.query_params[k] = v
        return at

    return make


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, text, errors, metrics, captions, selectbox choices)."""
    parts: list[str] = []
    for coll in (at.title, at.subheader, at.markdown, at.text, at.caption, at.error, at.info, at.success,
                 at.warning):
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
    ranking = frames(at)[0]
    assert "甲市教育局" in set(ranking["unit_name"])
    assert [r.label for r in at.sidebar.radio] == ["页面"]
    assert at.sidebar.radio[0].options == ["总览", "单位详情", "整改清单"]  # no workbench for leaders
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载通报 (PDF)" in labels and "下载2026Q4季通报 (PDF)" in labels and "下载2026Q4季通报 (xlsx)" in labels


def test_login_failure_is_refused_and_counted(app, dash):
    at = login(app(), "leader", "not-the-password")
    assert any("登录失败" in e.value for e in at.error)
    assert at.title[0].value.endswith("登录")
    assert not at.dataframe
    assert users.get_user(dash.db, "leader").failed_logins == 1


def test_locked_account_is_refused_with_the_right_password(app, dash):
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(users.AuthError):
            users.authenticate(dash.db, "leader", "wrong-wrong")
    at = login(app(), "leader", dash.passwords["leader"])
    assert any("锁定" in e.value for e in at.error)
    assert not at.dataframe


def test_department_sees_only_its_unit(app, dash):
    at = login(app(), "dept_a", dash.passwords["dept_a"])
    assert at.title[0].value == "整改清单"
    assert at.sidebar.radio[0].options == ["整改清单", "单位详情"]
    shown = texts(at)
    assert "甲市教育局" in shown and "甲市卫生健康委员会" not in shown and "dept-b" not in shown
    assert at.selectbox(key="w_rect_unit").options == ["甲市教育局（dept-a）"]
    table = frames(at)[0]
    assert set(table["rule"]) == {"COLUMN-MISSING", "LINK-PAGE", "SEARCH-MISSING"}
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
    assert "无权" in shown
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
    box.select_index(next(i for i, label in enumerate(box.options) if "REPORT-LATE" in label))
    at.radio(key="w_review_decision").set_value("dismissed")
    at.text_area(key="w_review_reason").input("年报已按时发布，误报")
    next(b for b in at.button if b.label == "提交核查结论").click()
    at.run()
    assert not at.exception, at.exception
    assert any("核查结论已保存" in s.value and "98.00" in s.value for s in at.success), texts(at)
    at.selectbox(key="w_f_status").set_value("已驳回").run()
    assert list(frames(at)[0]["rule"]) == ["REPORT-LATE"]


def test_evaluator_without_reason_is_refused(app, dash):
    at = login(app(page="workbench"), "evaluator", dash.passwords["evaluator"])
    next(b for b in at.button if b.label == "提交核查结论").click()
    at.run()
    assert any("未保存" in e.value and "reason" in e.value for e in at.error)


def test_session_expires_after_idle_time(app, dash):
    at = login(app(), "leader", dash.passwords["leader"])
    assert at.title[0].value == "总览"
    at.session_state["zwgk_auth"]["last"] = time.time() - IDLE_SECONDS - 1
    at.run()
    assert at.title[0].value.endswith("登录")
    assert any("过期" in i.value for i in at.info)


def test_removed_user_is_logged_out_at_next_click(app, dash):
    at = login(app(), "dept_a", dash.passwords["dept_a"])
    assert at.title[0].value == "整改清单"
    users.remove_user(dash.db, "dept_a")
    at.run()
    assert at.title[0].value.endswith("登录")
