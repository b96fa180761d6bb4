"""The results store and scoring on a real PostgreSQL (dialect-neutral SQL)."""

from __future__ import annotations

import datetime as dt

from tests.fixtures_assess import add_round, add_units, county_units, finding, make_rubric
from zwgk.assess import rectification_list, score_round, update_rectification
from zwgk.storage import Database, results


def test_round_trip_scoring_and_rectification_on_postgresql(pg_url):
    db = Database.open(pg_url)
    try:
        rubric = make_rubric(overdue_extra_points=2.0)
        units = county_units()
        add_units(db, units)
        ids = [u.unit_id for u in units]
        r1 = add_round(db, "a", dt.date(2026, 11, 20), ids, failed={"t1": "连接超时"})
        evil = '=HYPERLINK("http://x","y")'
        results.replace_findings(
            db, r1, "c1", [finding("c1", "COLUMN-MISSING", "政策解读", 5, "publish", message=evil)]
        )
        results.replace_findings(db, r1, "c2", [finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "design")])
        update_rectification(db, r1, rubric)
        s1 = {s.unit_id: s for s in score_round(db, r1, rubric)}
        assert (s1["c1"].score, s1["c2"].score, s1["c1"].rank, s1["t1"].rank) == (95.0, 99.0, 3, None)
        assert results.list_findings(db, r1, "c1")[0].message == evil
        results.add_review(db, r1, "c1", "COLUMN-MISSING", "政策解读", "dismissed", "栏目存在", "王评估")
        assert {s.unit_id: s.rank for s in score_round(db, r1, rubric)}["c1"] == 1
        r2 = add_round(db, "b", dt.date(2026, 12, 10), ids, previous=r1)
        results.replace_findings(db, r2, "c2", [finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "design")])
        update_rectification(db, r2, rubric)
        assert [i.status for i in rectification_list(db, "c2")] == ["overdue"]
        assert {s.unit_id: s.score for s in score_round(db, r2, rubric)}["c2"] == 97.0
        assert [s.unit_id for s in results.list_scores(db, r2)][:3] == ["c1", "c3", "c2"]
    finally:
        db.dispose()
