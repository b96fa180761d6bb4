"""The rubric's arithmetic on hand-made cases (pure functions, tiny duck-typed assess_rubric)."""

from __future__ import annotations

import pytest

from tests.fixtures_assess import finding, make_rubric
from zwgk.assess.scoring import (
    composite_score,
    indicator_rows,
    rank_scores,
    score_unit,
    score_website,
    weighted_component,
)
from zwgk.model import Unit, UnitScore, WeightError
from zwgk.storage.results import FindingView

PORTAL = Unit("c1", "甲县人民政府", "县", "portal", "http://c1.gov.cn/")
NO_SERVICES = Unit("d2", "甲县档案局", "县", "department", "http://d2.gov.cn/", has_services=False)


def late_replies(n: int, unit: str = "c1"):
    return [finding(unit, "REPLY-LATE", f"http://{unit}.gov.cn/msg/{i}", 5, "interact") for i in range(n)]


def test_clean_site_scores_total_and_passes(assess_rubric):
    r = score_website(PORTAL, [], assess_rubric)
    assert (r.score, r.veto, r.passed, r.deductions, r.bonus) == (100.0, False, True, 0.0, 0.0)
    rows = dict(indicator_rows(r.breakdown))
    assert rows["publish"] == {"name": "信息发布", "part": "deduct", "available": 40, "deducted": 0.0, "findings": 0}
    assert "_notes" in r.breakdown and "_notes" not in rows


def test_veto_short_circuits_everything(assess_rubric):
    fs = [finding("c1", "SITE-DOWN", "http://c1.gov.cn/", 0, "publish", severity="veto"), *late_replies(3)]
    r = score_website(PORTAL, fs, assess_rubric)
    assert (r.score, r.veto, r.passed, r.deductions) == (0.0, True, False, 0.0)
    assert r.breakdown["_vetoes"] == [{"rule": "SITE-DOWN", "subject": "http://c1.gov.cn/"}]
    assert r.breakdown["interact"]["deducted"] == 0.0  # no further scoring


def test_deductions_are_capped_per_indicator(assess_rubric):
    fs = [*late_replies(5), finding("c1", "LINK-PAGE", "http://c1.gov.cn/x", 1, "design")]
    r = score_website(PORTAL, fs, assess_rubric)
    assert r.breakdown["interact"]["deducted"] == 20  # 25 capped at the indicator's 20 points
    assert r.breakdown["interact"]["uncapped"] == 25
    assert r.score == 79.0 and r.deductions == 21.0 and r.passed


def test_rule_cap_applies_before_the_indicator_cap(assess_rubric):
    fs = [finding("c1", "LINK-HOME", f"http://c1.gov.cn/{i}", 1, "design") for i in range(5)]  # 5, rule cap 3
    fs += [finding("c1", "LINK-PAGE", f"http://c1.gov.cn/p{i}", 1, "design") for i in range(4)]  # 4, no rule cap
    r = score_website(PORTAL, fs, assess_rubric)
    assert r.breakdown["design"]["deducted"] == 7.0 and r.score == 93.0
    more = fs + [finding("c1", "LINK-PAGE", f"http://c1.gov.cn/q{i}", 1, "design") for i in range(20)]
    assert score_website(PORTAL, more, assess_rubric).breakdown["design"]["deducted"] == 15  # indicator cap


def test_below_pass_line_fails_and_pass_line_itself_passes(assess_rubric):
    columns = [finding("c1", "COLUMN-MISSING", f"栏目{i}", 5, "publish") for i in range(8)]  # 40
    assert score_website(PORTAL, columns, assess_rubric).score == 60.0
    assert score_website(PORTAL, columns, assess_rubric).passed is True
    r = score_website(
        PORTAL, [*columns, finding("c1", "LINK-PAGE", "http://c1.gov.cn/x", 0.5, "design")], assess_rubric
    )
    assert r.score == 59.5 and r.passed is False


def test_bonus_only_above_the_gate_and_capped(assess_rubric):
    bonus = [finding("c1", "BONUS-DATA", f"数据集{i}", 10, "bonus", severity="info") for i in range(2)]  # 20
    at_85 = score_website(PORTAL, [*late_replies(3), *bonus], assess_rubric)
    assert (at_85.score, at_85.bonus) == (105.0, 20.0)
    at_80 = score_website(PORTAL, [*late_replies(4), *bonus], assess_rubric)
    assert (at_80.score, at_80.bonus) == (80.0, 0.0)  # exactly 80 is not "above 80"
    capped = score_website(PORTAL, [*late_replies(1), *bonus], make_rubric(bonus_max=15))
    assert (capped.score, capped.bonus) == (110.0, 15.0)


def test_unit_without_services_is_scaled_by_four_thirds(assess_rubric):
    fs = [
        finding("d2", "COLUMN-MISSING", "政策解读", 6, "publish"),
        finding("d2", "SERVICE-GAP", "办事指南", 5, "services"),
    ]
    r = score_website(NO_SERVICES, fs, assess_rubric)
    assert r.score == pytest.approx(92.0)  # (75 − 6) × 4/3; the services finding is not counted
    assert r.breakdown["services"]["excluded"] is True
    assert score_website(NO_SERVICES, [], assess_rubric).score == 100.0


def test_province_mode_redistributes_the_services_points(assess_rubric):
    province = make_rubric(no_services_mode="redistribute")
    fs = late_replies(5, "d2")  # 25 points against 互动回应 (20, +25/3 redistributed)
    r = score_website(NO_SERVICES, fs, province)
    assert r.breakdown["interact"]["available"] == pytest.approx(28.33)
    assert r.score == 75.0
    assert score_website(NO_SERVICES, fs, assess_rubric).score == pytest.approx(73.33)  # national: (75−20)×4/3


def test_dismissed_and_info_findings_do_not_count(assess_rubric):
    base = finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")
    view = FindingView(id=1, round_id=1, review="dismissed", **base.to_dict())
    info = finding("c1", "LINK-PAGE", "http://c1.gov.cn/x", 3, "design", severity="info")
    assert score_website(PORTAL, [view, info], assess_rubric).score == 100.0
    view.review = "confirmed"
    assert score_website(PORTAL, [view, info], assess_rubric).score == 95.0


@pytest.mark.parametrize("weight", [0.0, 0.03, 0.0399])
def test_weight_below_four_percent_is_refused_everywhere(assess_rubric, weight):
    with pytest.raises(WeightError, match=r"0\.04"):
        score_unit(PORTAL, [], assess_rubric, weight=weight)
    with pytest.raises(WeightError):
        weighted_component(90.0, weight)


def test_composite_renormalises_missing_items_and_weights_into_the_component(assess_rubric):
    value, detail = composite_score(90.0, {"apply": 80.0}, assess_rubric)
    assert value == 87.5  # (0.6×90 + 0.2×80) / 0.8
    assert detail["renormalised"] is True and detail["missing"] == ["report"]
    assert weighted_component(value, 0.05) == pytest.approx(4.375)
    full, detail = composite_score(90.0, {"apply": 80.0, "report": 70.0, "typo": 1.0}, assess_rubric)
    assert full == 84.0 and detail["renormalised"] is False and detail["ignored"] == ["typo"]
    sc = score_unit(
        PORTAL, late_replies(2), assess_rubric, weight=0.04, manual={"apply": 80.0, "report": 70.0}, total_points=1000
    )
    assert sc.score == 90.0 and sc.weighted == pytest.approx(84.0 / 100 * 0.04 * 1000)
    assert sc.breakdown["_composite"]["value"] == 84.0


def test_composite_caps_website_with_bonus_at_100(assess_rubric):
    value, detail = composite_score(112.0, {}, make_rubric(composite={"website": 1.0}))
    assert value == 100.0 and detail["items"]["website"]["score"] == 100.0


def _sc(uid, score, veto=False, measured=True, tier="县", kind="portal"):
    return UnitScore(uid, uid, tier, kind, measured, score, veto, bool(score and score >= 60), 0.04, None)


def test_competition_ranking_per_tier_and_kind_with_vetoes_last_and_unmeasured_unranked():
    scores = [
        _sc("u3", 90),
        _sc("u1", 95),
        _sc("u2", 95),
        _sc("u4", 0.0, veto=True),
        _sc("u5", 50),
        _sc("u6", None, measured=False),
        _sc("d1", 70, kind="department"),
        _sc("t1", 99, tier="乡"),
    ]
    ranked = rank_scores(scores)
    got = [(s.unit_id, s.rank) for s in ranked]
    assert got == [("u1", 1), ("u2", 1), ("u3", 3), ("u5", 4), ("u4", 5), ("u6", None), ("d1", 1), ("t1", 1)]


def test_real_rubrics_national_scales_and_zhaoqing_redistributes():
    """The shipped rubric files drive the arithmetic: national ×4/3 vs the 肇庆 province override."""
    from zwgk.indicators import load_rubric

    national, zhaoqing = load_rubric("national-2019"), load_rubric("zhaoqing-2019")
    fs = [finding("d2", "REPLY-LATE", f"http://d2.gov.cn/m/{i}", 1, "interaction") for i in range(12)]
    # national: 互动交流 capped at 10; (75 − 10) × 4/3
    assert score_website(NO_SERVICES, fs, national).score == pytest.approx(86.67)
    # 肇庆: 办事服务 20 spread over the 7 other indicators → 互动交流 cap 10 + 20/7 ≥ 12
    r = score_website(NO_SERVICES, fs, zhaoqing)
    assert r.breakdown["interaction"]["available"] == pytest.approx(12.86)
    assert r.score == 88.0
    # a unit with services under 肇庆 keeps the plain caps
    portal_fs = [finding("c1", "REPLY-LATE", f"http://c1.gov.cn/m/{i}", 1, "interaction") for i in range(12)]
    assert score_website(PORTAL, portal_fs, zhaoqing).score == 90.0
    bonus = [
        finding("c1", "X-BONUS", f"b{i}", 6, ind, severity="info")
        for i, ind in enumerate(["bonus_data", "bonus_search", "bonus_interp", "bonus_interaction", "bonus_access"])
    ]
    assert score_website(PORTAL, bonus, national).bonus == 6 + 5 + 6 + 6 + 5  # per-indicator caps, ≤ 30
    assert score_website(PORTAL, bonus, zhaoqing).bonus == 25  # 肇庆 bonus_max


def test_evaluator_awarded_bonus_counts_only_above_the_gate_and_stays_out_of_the_composite():
    from zwgk.indicators import load_rubric

    national = load_rubric("national-2019")
    manual = {"bonus_data": 8.0, "智能搜索与个性化服务": 9.0, "依申请公开": 70.0}
    late = [finding("c1", "REPLY-LATE", f"http://c1.gov.cn/m/{i}", 1, "interaction") for i in range(5)]
    sc = score_unit(PORTAL, late, national, weight=0.04, manual=manual)
    assert (sc.score, sc.bonus) == (108.0, 13.0)  # 95 + 8 + min(9, 5)
    assert sc.breakdown["bonus_search"]["earned"] == 5.0
    items = sc.breakdown["_composite"]["items"]
    assert "bonus_data" not in items and items["依申请公开"]["score"] == 70.0
    # website item capped at 100 in the composite: (100 × 0.6 + 70 × 0.1) / 0.7
    assert sc.breakdown["_composite"]["value"] == pytest.approx(95.71)
    gated = score_unit(PORTAL, late * 4, national, weight=0.04, manual=manual)  # 互动交流 10 capped → 90
    assert (gated.score, gated.bonus) == (103.0, 13.0)
    at_gate = [finding("c1", "COLUMN-MISSING", f"栏目{i}", 5, "columns") for i in range(2)] + [
        finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 10, "function")
    ]  # 100 − 10 − 10 = 80
    assert score_unit(PORTAL, at_gate, national, weight=0.04, manual=manual).bonus == 0.0
