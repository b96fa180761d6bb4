"""zwgk.storage.results: findings, reviews, manual scores, scores and 整改 items round-trip."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_assess import add_round, add_units, finding
from zwgk.model import UnitScore, WeightError, ZwgkError
from zwgk.storage import results


@pytest.fixture
def round1(db, assess_units):
    add_units(db, assess_units)
    return add_round(db, "r1", dt.date(2026, 11, 20), [u.unit_id for u in assess_units], failed={"t1": "DNS 解析失败"})


def test_replace_findings_is_idempotent_and_merges_duplicate_keys(db, round1):
    fs = [
        finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish"),
        finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish"),
        finding("c1", "LINK-PAGE", "http://c1.gov.cn/x.html", 1, "design", message='=HYPERLINK("http://x","y")'),
    ]
    assert results.replace_findings(db, round1, "c1", fs) == 2
    assert results.replace_findings(db, round1, "c1", fs) == 2
    results.replace_findings(db, round1, "c2", [finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "design")])
    got = results.list_findings(db, round1, "c1")
    assert [(f.rule, f.subject) for f in got] == [
        ("COLUMN-MISSING", "政策解读"),
        ("LINK-PAGE", "http://c1.gov.cn/x.html"),
    ]
    assert got[1].message == '=HYPERLINK("http://x","y")'
    assert got[0].evidence == {"seen": "政策解读"}
    assert len(results.list_findings(db, round1)) == 3
    assert [f.unit_id for f in results.list_findings(db, round1, rule="LINK-PAGE")] == ["c1", "c2"]
    with pytest.raises(ZwgkError, match="not 'c2'"):
        results.replace_findings(db, round1, "c2", [finding("c1", "LINK-PAGE", "x", 1, "design")])


def test_reviews_keep_history_and_newest_is_in_force(db, round1):
    results.replace_findings(db, round1, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")])
    with pytest.raises(ZwgkError, match="reason"):
        results.add_review(db, round1, "c1", "COLUMN-MISSING", "政策解读", "dismissed", "  ", "王评估")
    with pytest.raises(ZwgkError, match="no finding"):
        results.add_review(db, round1, "c1", "COLUMN-MISSING", "政策文件", "dismissed", "typo", "王评估")
    results.add_review(db, round1, "c1", "COLUMN-MISSING", "政策解读", "dismissed", "栏目名为“解读回应”", "王评估")
    assert results.list_findings(db, round1, "c1", include_dismissed=False) == []
    view = results.list_findings(db, round1, "c1")[0]
    assert (view.review, view.reviewer, view.review_reason) == ("dismissed", "王评估", "栏目名为“解读回应”")
    results.add_review(db, round1, "c1", "COLUMN-MISSING", "政策解读", "confirmed", "复核：确属缺失", "李组长")
    assert results.list_findings(db, round1, "c1", include_dismissed=False)[0].review == "confirmed"
    history = results.reviews_for(db, round1, "c1")
    assert [(r.decision, r.reviewer) for r in history] == [("dismissed", "王评估"), ("confirmed", "李组长")]
    # a review survives re-evaluation of the round (keyed by rule+subject, not row id)
    results.replace_findings(db, round1, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")])
    assert results.list_findings(db, round1, "c1")[0].review == "confirmed"


def test_manual_scores_validate_and_overwrite(db, round1):
    results.set_manual_score(db, round1, "c1", "apply", 80, "依申请公开台账抽查", "王评估")
    results.set_manual_score(db, round1, "c1", "apply", 90, "复核", "李组长")
    with pytest.raises(ZwgkError, match=r"0\.\.100"):
        results.set_manual_score(db, round1, "c1", "report", 120)
    ms = results.manual_scores(db, round1)
    assert ms["c1"]["apply"].score == 90 and ms["c1"]["apply"].entered_by == "李组长"
    assert set(ms["c1"]) == {"apply"}


def test_scores_round_trip_in_ranking_order_and_refuse_low_weight(db, round1):
    def sc(uid, tier, kind, score, rank, weight=0.05):
        return UnitScore(
            uid,
            uid,
            tier,
            kind,
            rank is not None,
            score,
            False,
            True,
            weight,
            None if score is None else score / 100 * weight * 100,
            rank,
            breakdown={"publish": {"name": "信息发布", "available": 40, "deducted": 1}},
        )

    scores = [
        sc("c2", "县", "portal", 90, 2),
        sc("c1", "县", "portal", 95, 1),
        sc("t1", "乡", "portal", None, None),
        sc("d1", "县", "department", 70, 1),
        sc("c3", "县", "portal", None, None),
    ]
    results.replace_scores(db, round1, scores)
    got = results.list_scores(db, round1)
    assert [s.unit_id for s in got] == ["c1", "c2", "c3", "d1", "t1"]
    assert got[0].breakdown["publish"]["available"] == 40
    assert got[0].weighted == pytest.approx(4.75)
    assert [s.unit_id for s in results.list_scores(db, round1, tier="乡")] == ["t1"]
    with pytest.raises(WeightError):
        results.replace_scores(db, round1, [sc("c1", "县", "portal", 95, 1, weight=0.03)])
    assert len(results.list_scores(db, round1)) == 5  # the refused replace changed nothing


def test_round_members_carry_state_and_reason(db, round1):
    members = {m.unit.unit_id: m for m in results.round_members(db, round1)}
    assert members["t1"].state == "failed" and members["t1"].reason == "DNS 解析失败"
    assert members["d2"].unit.has_services is False
    assert members["d1"].unit.parent_id == "c1"


def test_rectification_items_insert_update_filter(db, round1):
    item = results.RectificationView(
        unit_id="d1",
        rule="LINK-PAGE",
        subject="http://d1.gov.cn/x",
        opened_round_id=round1,
        last_seen_round_id=round1,
        deadline=dt.date(2026, 12, 4),
        points=1,
        severity="deduct",
        history=[{"round": round1, "status": "open"}],
    )
    (item_id,) = results.save_rectification_items(db, [item])
    assert item.id == item_id
    item.status = "fixed"
    item.closed_round_id = round1
    results.save_rectification_items(db, [item])
    got = results.list_rectification_items(db, "d1")
    assert len(got) == 1 and got[0].status == "fixed" and got[0].severity == "deduct"
    assert results.list_rectification_items(db, "d1", status="open") == []
    with pytest.raises(ZwgkError, match="status"):
        item.status = "closed"
        results.save_rectification_items(db, [item])
    assert results.delete_rectification_items(db, [item_id]) == 1
