"""score_round, reviews, rectification across rounds and round comparison, on a real SQLite database."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_assess import add_round, add_units, finding, make_rubric
from zwgk.assess import (
    compare_rounds,
    most_improved,
    overdue_items,
    rectification_list,
    score_round,
    update_rectification,
)
from zwgk.assess.rectify import add_working_days
from zwgk.model import WeightError
from zwgk.storage import results

R1 = dt.date(2026, 11, 20)  # a Friday; 10 working days later is 2026-12-04


def store(db, round_id, unit_id, fs):
    results.replace_findings(db, round_id, unit_id, fs)


@pytest.fixture
def one_round(db, assess_units):
    add_units(db, assess_units)
    rid = add_round(db, "2026-Q4", R1, [u.unit_id for u in assess_units], failed={"t1": "DNS 解析失败 (NXDOMAIN)"})
    store(db, rid, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")])  # 95
    store(db, rid, "c2", [finding("c2", "LINK-PAGE", f"http://c2.gov.cn/{i}", 1, "design") for i in range(5)])  # 95
    store(
        db,
        rid,
        "c3",
        [
            finding("c3", "COLUMN-MISSING", "政策解读", 5, "publish"),
            finding("c3", "LINK-PAGE", "http://c3.gov.cn/a", 1, "design"),
        ],
    )  # 94
    store(db, rid, "d1", [finding("d1", "SITE-DOWN", "http://d1.gov.cn/", 0, "publish", severity="veto")])
    store(db, rid, "d2", [finding("d2", "COLUMN-MISSING", "政策文件", 3, "publish")])  # (75−3)×4/3 = 96
    return rid


def test_score_round_ranks_ties_vetoes_and_keeps_unmeasured_out(db, one_round):
    scores = score_round(db, one_round, make_rubric(), weight=0.05)
    by = {s.unit_id: s for s in scores}
    assert [(s.unit_id, s.rank) for s in scores] == [
        ("c1", 1),
        ("c2", 1),
        ("c3", 3),
        ("d2", 1),
        ("d1", 2),
        ("t1", None),
    ]
    assert by["d1"].veto and not by["d1"].passed and by["d1"].score == 0.0
    assert by["t1"].measured is False and by["t1"].score is None and by["t1"].reason == "DNS 解析失败 (NXDOMAIN)"
    assert by["d2"].score == 96.0
    assert by["c1"].weighted == pytest.approx(0.95 * 0.05 * 100)
    assert [s.unit_id for s in results.list_scores(db, one_round)] == [s.unit_id for s in scores]
    with pytest.raises(WeightError):
        score_round(db, one_round, make_rubric(), weight=0.02)


def test_not_measured_argument_marks_a_unit_even_with_findings(db, one_round):
    scores = {s.unit_id: s for s in score_round(db, one_round, make_rubric(), not_measured={"c3": "站点维护公告"})}
    assert scores["c3"].rank is None and scores["c3"].reason == "站点维护公告" and not scores["c3"].measured
    assert scores["c1"].rank == 1


def test_dismissed_finding_changes_score_and_rank_and_is_stored(db, one_round):
    rubric = make_rubric()
    before = {s.unit_id: s for s in score_round(db, one_round, rubric)}
    assert (before["c3"].score, before["c3"].rank) == (94.0, 3)
    results.add_review(
        db,
        one_round,
        "c3",
        "COLUMN-MISSING",
        "政策解读",
        "dismissed",
        "该栏目以“解读回应”命名，已人工核实存在",
        "王评估",
    )
    after = {s.unit_id: s for s in score_round(db, one_round, rubric)}
    assert (after["c3"].score, after["c3"].rank) == (99.0, 1)
    assert (after["c1"].rank, after["c2"].rank) == (2, 2)
    (review,) = results.reviews_for(db, one_round, "c3")
    assert (review.decision, review.reviewer) == ("dismissed", "王评估") and "解读回应" in review.reason
    assert [s.rank for s in results.list_scores(db, one_round) if s.unit_id == "c3"] == [1]


def test_manual_items_enter_the_composite(db, one_round):
    results.set_manual_score(db, one_round, "c1", "apply", 75, "抽查 3 件依申请公开", "王评估")
    by = {s.unit_id: s for s in score_round(db, one_round, make_rubric(), weight=0.04)}
    # website 95 × 0.6 + apply 75 × 0.2, renormalised over 0.8 (report not entered)
    assert by["c1"].breakdown["_composite"]["value"] == 90.0
    assert by["c1"].weighted == pytest.approx(90.0 / 100 * 0.04 * 100)
    assert by["c2"].breakdown["_composite"]["value"] == 95.0


def test_two_rounds_track_fixed_not_fixed_new_and_overdue_deduction(db, assess_units):
    rubric = make_rubric(overdue_extra_points=2.0, overdue_cap=10.0)
    add_units(db, assess_units)
    ids = [u.unit_id for u in assess_units]
    r1 = add_round(db, "2026-11", R1, ids)
    store(
        db,
        r1,
        "c1",
        [
            finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish"),
            finding("c1", "LINK-PAGE", "http://c1.gov.cn/a", 1, "design"),
            finding("c1", "LINK-PAGE", "http://c1.gov.cn/b", 1, "design"),
        ],
    )
    store(db, r1, "c2", [finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "design")])
    store(db, r1, "c3", [finding("c3", "LINK-PAGE", "http://c3.gov.cn/a", 1, "design")])
    assert update_rectification(db, r1, rubric) == {"new": 5, "still_open": 0, "overdue": 0, "fixed": 0}
    assert update_rectification(db, r1, rubric)["new"] == 5  # idempotent re-run
    assert len(results.list_rectification_items(db)) == 5
    first = rectification_list(db, "c1", r1)
    assert [(i.rule, i.subject) for i in first] == [
        ("COLUMN-MISSING", "政策解读"),
        ("LINK-PAGE", "http://c1.gov.cn/a"),
        ("LINK-PAGE", "http://c1.gov.cn/b"),
    ]
    assert {i.deadline for i in first} == {add_working_days(R1, 10)} == {dt.date(2026, 12, 4)}
    s1 = {s.unit_id: s for s in score_round(db, r1, rubric)}
    assert s1["c1"].score == 93.0

    # round 2, after the deadline: c1 fixed one link, kept the rest and got a new defect;
    # c2 repaired everything; c3's site could not be measured (its item must stay open, not "fixed")
    r2 = add_round(db, "2026-12", dt.date(2026, 12, 10), ids, failed={"c3": "连接超时"}, previous=r1)
    store(
        db,
        r2,
        "c1",
        [
            finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish"),
            finding("c1", "LINK-PAGE", "http://c1.gov.cn/b", 1, "design"),
            finding("c1", "LINK-PAGE", "http://c1.gov.cn/new", 1, "design"),
        ],
    )
    store(db, r2, "c2", [])
    counts = update_rectification(db, r2, rubric)
    assert counts == {"new": 1, "still_open": 0, "overdue": 2, "fixed": 2}
    assert update_rectification(db, r2, rubric) == counts  # idempotent re-run
    items = {(i.unit_id, i.subject): i for i in results.list_rectification_items(db)}
    assert items[("c1", "政策解读")].status == "overdue"
    assert items[("c1", "http://c1.gov.cn/b")].status == "overdue"
    assert items[("c1", "http://c1.gov.cn/a")].status == "fixed"
    assert items[("c1", "http://c1.gov.cn/a")].closed_round_id == r2
    assert items[("c1", "http://c1.gov.cn/new")].status == "open"
    assert items[("c1", "http://c1.gov.cn/new")].opened_round_id == r2
    assert items[("c2", "http://c2.gov.cn/a")].status == "fixed"
    assert items[("c3", "http://c3.gov.cn/a")].status == "open"  # not measured → not re-checked
    assert [(h["round"], h["status"]) for h in items[("c1", "政策解读")].history] == [(r1, "open"), (r2, "overdue")]

    assert overdue_items(db, r2) == {"c1": [("COLUMN-MISSING", "政策解读"), ("LINK-PAGE", "http://c1.gov.cn/b")]}
    s2 = {s.unit_id: s for s in score_round(db, r2, rubric)}
    # 100 − 5 − 2 links − 2 overdue items × 2 extra points
    assert s2["c1"].score == 89.0
    assert s2["c1"].breakdown["rectify"] == {
        "name": "整改",
        "part": "deduct",
        "available": 10.0,
        "deducted": 4.0,
        "findings": 2,
    }
    assert s2["c2"].score == 100.0 and "rectify" not in s2["c2"].breakdown
    current = rectification_list(db, "c1")
    assert [(i.status, i.subject) for i in current] == [
        ("overdue", "政策解读"),
        ("overdue", "http://c1.gov.cn/b"),
        ("open", "http://c1.gov.cn/new"),
    ]

    cmp = compare_rounds(db, r1, r2)
    deltas = {u.unit_id: u for u in cmp.units}
    assert deltas["c1"].delta == -4.0 and deltas["c2"].delta == 1.0 and deltas["c3"].delta is None
    link = next(r for r in cmp.rules if r.rule == "LINK-PAGE")
    assert (link.count_a, link.count_b, link.fixed, link.new) == (4, 2, 2, 1)
    assert [u.unit_id for u in most_improved(db, r2)] == ["c2"]

    # re-running the first round (e.g. after a review) must not rewrite what round 2 found
    before = {(i.unit_id, i.subject): (i.id, i.status, i.history) for i in results.list_rectification_items(db)}
    update_rectification(db, r1, rubric)
    after = {(i.unit_id, i.subject): (i.id, i.status, i.history) for i in results.list_rectification_items(db)}
    assert after == before


def test_second_round_before_deadline_keeps_items_open_without_extra_deduction(db, assess_units):
    rubric = make_rubric(overdue_extra_points=2.0, overdue_cap=10.0)
    add_units(db, assess_units)
    r1 = add_round(db, "a", R1, ["c1"])
    store(db, r1, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")])
    update_rectification(db, r1, rubric)
    r2 = add_round(db, "b", dt.date(2026, 11, 27), ["c1"], previous=r1)
    store(db, r2, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish")])
    assert update_rectification(db, r2, rubric)["still_open"] == 1
    assert overdue_items(db, r2) == {}
    assert score_round(db, r2, rubric)[0].score == 95.0


def test_most_improved_orders_by_rise_and_skips_unmeasured(db, assess_units):
    rubric = make_rubric()
    add_units(db, assess_units)
    ids = [u.unit_id for u in assess_units]
    r1 = add_round(db, "p", R1, ids, failed={"t1": "x"})
    for uid, n in (("c1", 6), ("c2", 4), ("c3", 4), ("d1", 1), ("d2", 0)):
        store(db, r1, uid, [finding(uid, "LINK-PAGE", f"http://{uid}.gov.cn/{i}", 1, "design") for i in range(n)])
    score_round(db, r1, rubric)
    r2 = add_round(db, "q", dt.date(2026, 11, 27), ids, previous=r1)
    for uid in ("c1", "c2", "c3", "d1", "d2"):
        store(db, r2, uid, [])
    score_round(db, r2, rubric)
    got = [(u.unit_id, u.delta) for u in most_improved(db, r2)]
    assert got == [("c1", 6.0), ("c2", 4.0), ("c3", 4.0), ("d1", 1.0)]  # d2 did not rise; t1 not measured before
    assert [u.unit_id for u in most_improved(db, r2, n=2)] == ["c1", "c2"]
    assert most_improved(db, r1) == []  # no previous round


def test_rectification_list_per_round_and_export_without_tracking(db, assess_units, tmp_path):
    import json

    from zwgk.assess.exports import export_rectification

    rubric = make_rubric()
    add_units(db, assess_units)
    r1 = add_round(db, "a", R1, ["d1"])
    store(
        db,
        r1,
        "d1",
        [
            finding("d1", "SITE-DOWN", "http://d1.gov.cn/", 0, "publish", severity="veto"),
            finding("d1", "LINK-PAGE", "http://d1.gov.cn/x", 1, "design"),
            finding("d1", "COLUMN-MISSING", "政策文件", 5, "publish"),
        ],
    )
    # no update_rectification yet: the export derives the list from the round's findings and says so
    rows = json.loads(export_rectification(db, "d1", "json", tmp_path / "a.json", "a").read_text(encoding="utf-8"))
    assert [r["rule"] for r in rows] == ["SITE-DOWN", "COLUMN-MISSING", "LINK-PAGE"]  # veto first, then points
    update_rectification(db, r1, rubric)
    r2 = add_round(db, "b", dt.date(2026, 11, 27), ["d1"], previous=r1)
    store(db, r2, "d1", [finding("d1", "COLUMN-MISSING", "政策文件", 5, "publish")])
    update_rectification(db, r2, rubric)
    assert [i.rule for i in rectification_list(db, "d1", r1)] == ["SITE-DOWN", "COLUMN-MISSING", "LINK-PAGE"]
    assert [i.rule for i in rectification_list(db, "d1", r2)] == ["COLUMN-MISSING"]
    assert [i.rule for i in rectification_list(db, "d1")] == ["COLUMN-MISSING"]
    history = {i.rule: [h["status"] for h in i.history] for i in results.list_rectification_items(db, "d1")}
    assert history == {
        "SITE-DOWN": ["open", "fixed"],
        "LINK-PAGE": ["open", "fixed"],
        "COLUMN-MISSING": ["open", "open"],
    }
    rows = json.loads(export_rectification(db, "d1", "json", tmp_path / "b.json").read_text(encoding="utf-8"))
    assert [(r["rule"], r["opened_round"]) for r in rows] == [("COLUMN-MISSING", "a")]  # newest round by default


def test_review_candidate_counts_only_once_confirmed(db, one_round):
    """A finding raised on weak evidence waits in the review queue: no deduction, no veto,
    no 整改 item until an evaluator confirms it; dismissing it keeps it out."""
    rubric = make_rubric()
    weak = finding("c1", "SITE-DOWN", "http://c1.gov.cn/", 0, "publish", severity="veto")
    weak.evidence["confidence"] = "review"
    store(db, one_round, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish"), weak])
    (pending,) = [f for f in results.list_findings(db, one_round, "c1") if f.rule == "SITE-DOWN"]
    assert pending.needs_review and not pending.in_force
    by = {s.unit_id: s for s in score_round(db, one_round, rubric)}
    assert (by["c1"].score, by["c1"].veto) == (95.0, False)
    update_rectification(db, one_round, rubric)
    assert {i.rule for i in rectification_list(db, "c1", one_round)} == {"COLUMN-MISSING"}

    results.add_review(
        db, one_round, "c1", "SITE-DOWN", "http://c1.gov.cn/", "confirmed", "人工复核一周监测记录属实", "王评估"
    )
    by = {s.unit_id: s for s in score_round(db, one_round, rubric)}
    assert by["c1"].veto and by["c1"].score == 0.0
    update_rectification(db, one_round, rubric)
    assert {i.rule for i in rectification_list(db, "c1", one_round)} == {"COLUMN-MISSING", "SITE-DOWN"}
