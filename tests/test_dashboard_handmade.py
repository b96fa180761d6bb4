"""The dashboard's 工作台 path: a veto added by hand, the services item, one re-score path.

Same query layer the Streamlit pages call, real database, real national rubric.
"""

from __future__ import annotations

import pytest

from zwgk.assess.rectify import rectification_list
from zwgk.dashboard import queries
from zwgk.dashboard.viewer import Viewer
from zwgk.model import ZwgkError
from zwgk.storage import results

EVALUATOR = Viewer("evaluator", "evaluator")
DEPT_A = Viewer("dept_a", "department", ("dept-a",))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_veto_added_in_the_workbench_vetoes_and_dismissing_it_removes_the_item(dash):
    q4 = dash.round_ids["2026-Q4"]
    assert "CONTENT-HIDDEN-LINK" in queries.rule_codes(dash.db, q4)
    made = queries.add_finding_by_hand(
        dash.db,
        EVALUATOR,
        q4,
        "dept-a",
        "CONTENT-HIDDEN-LINK",
        "http://dept-a.gov.test/",
        "首页底部隐藏博彩链接（已截图）",
        veto=True,
        screenshot=("home.png", PNG),
    )
    queries.rescore(dash.db, EVALUATOR, q4)
    score = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-a").score
    assert score["veto"] and made.added_by == "evaluator"
    # the dashboard re-scores through the one path: its 整改 item exists at once
    assert "CONTENT-HIDDEN-LINK" in {i.rule for i in rectification_list(dash.db, "dept-a", q4)}
    queries.review_finding(
        dash.db,
        EVALUATOR,
        q4,
        "dept-a",
        "CONTENT-HIDDEN-LINK",
        "http://dept-a.gov.test/",
        "dismissed",
        "复核：链接为本单位合作网站，非暗链",
    )
    queries.rescore(dash.db, EVALUATOR, q4)
    assert not queries.unit_detail(dash.db, EVALUATOR, q4, "dept-a").score["veto"]
    assert "CONTENT-HIDDEN-LINK" not in {i.rule for i in rectification_list(dash.db, "dept-a", q4)}


def test_departments_cannot_add_findings(dash):
    q4 = dash.round_ids["2026-Q4"]
    with pytest.raises(PermissionError):
        queries.add_finding_by_hand(dash.db, DEPT_A, q4, "dept-a", "CONTENT-ILLEGAL", "http://dept-a.gov.test/", "x")
    assert results.manual_findings(dash.db, q4) == []


def test_the_services_item_is_offered_and_capped_at_its_points(dash):
    q4 = dash.round_ids["2026-Q4"]
    assert "办事服务" in queries.manual_items(dash.db, q4)
    with pytest.raises(ZwgkError, match="25"):
        queries.enter_manual_score(dash.db, EVALUATOR, q4, "dept-a", "办事服务", 80, "平台抽查")
    queries.enter_manual_score(dash.db, EVALUATOR, q4, "dept-a", "办事服务", 22, "平台抽查 10 个事项")
    queries.rescore(dash.db, EVALUATOR, q4)
    detail = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-a")
    services = detail.breakdown.set_index("indicator").loc["services"]
    assert services["deducted"] == 3.0


def test_unjudged_services_show_as_unmeasured_in_the_unit_view(dash):
    q4 = dash.round_ids["2026-Q4"]
    found = [f.to_finding() for f in results.list_findings(dash.db, q4, "dept-a")]
    external = found[0].__class__(
        **{
            **found[0].to_dict(),
            "rule": "SVC-EXTERNAL",
            "subject": "http://dept-a.gov.test/",
            "severity": "info",
            "points": 0.0,
            "indicator": "services",
            "evidence": {"services_unjudged": True},
        }
    )
    results.replace_findings(dash.db, q4, "dept-a", [*found, external])
    queries.rescore(dash.db, EVALUATOR, q4)
    detail = queries.unit_detail(dash.db, EVALUATOR, q4, "dept-a")
    assert detail.breakdown.set_index("indicator").loc["services", "status"] == "未测评"
    assert any("未测评" in n for n in detail.notes)
