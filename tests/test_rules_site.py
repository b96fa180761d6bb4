"""Site-level and column rules on hand-built snapshots: both sides of every threshold."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_indicators import AS_OF, HOME, SiteBuilder, by_rule, days_ago, u
from zwgk.indicators import evaluate
from zwgk.model import Page


def test_clean_site_has_no_findings(ws, nat_rubric):
    assert evaluate(ws.snapshot(), nat_rubric) == []


# ------------------------------------------------------------------ AVAIL-DOWN


def _probes(n_ok: int, n_fail: int) -> list[dict]:
    out = []
    for i in range(n_ok + n_fail):
        at = dt.datetime.combine(days_ago(1 + i % 7), dt.time(8, i % 60))
        out.append({"at": at.isoformat(), "ok": i >= n_fail, "error_class": "timeout" if i < n_fail else ""})
    return out


def test_avail_down_veto_at_five_percent_of_monitoring_probes(ws, nat_rubric):
    ws.history = _probes(133, 7)  # exactly 5% of 140 probes: 20 on every day of the week
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    assert f.severity == "veto" and f.subject == HOME
    assert f.evidence["source"] == "monitoring" and f.evidence["failures"] == 7 and f.evidence["probes"] == 140
    assert "confidence" not in f.evidence and "short_days" not in f.evidence
    assert "5.0%" in f.message and "140次" in f.message


def test_avail_down_not_below_five_percent(ws, nat_rubric):
    ws.history = _probes(134, 6)
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


def test_avail_down_from_thin_monitoring_is_only_a_review_candidate(ws, nat_rubric):
    """100 probes in a week is under the official 20 a day: 5% of them is no veto evidence."""
    ws.history = _probes(95, 5)
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    assert f.evidence["confidence"] == "review" and f.evidence["source"] == "monitoring"
    assert len(f.evidence["short_days"]) == 7 and all(n < 20 for n in f.evidence["short_days"].values())
    assert "待人工核查" in f.message
    ws.history = _probes(133, 7)[:-1]  # one day one probe short of 20
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    assert f.evidence["confidence"] == "review" and len(f.evidence["short_days"]) == 1


def test_avail_down_ignores_probes_outside_the_window(ws, nat_rubric):
    old = [{"at": f"{days_ago(8).isoformat()}T23:00:00", "ok": False, "error_class": "timeout"}] * 50
    today = [{"at": f"{AS_OF.isoformat()}T08:00:00", "ok": False, "error_class": "timeout"}] * 50
    ws.history = _probes(140, 0) + old + today  # 8 days ago and the as-of day itself are outside
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    ws.history = _probes(140, 0) + [{"at": f"{days_ago(7).isoformat()}T00:00:00", "ok": False}] * 8
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    assert f.evidence["window"] == [days_ago(7).isoformat(), days_ago(1).isoformat()]
    assert "confidence" not in f.evidence


def _checks(n: int, outcome: str = "transient") -> list[dict]:
    return [
        {"at": f"2026-11-19T08:0{i}:00", "outcome": outcome, "status": None, "error": "timeout", "attempts": 2}
        for i in range(n)
    ]


def test_avail_down_from_crawl_is_a_review_candidate_after_spaced_checks(ws, nat_rubric):
    ws.pages[HOME] = Page(HOME, None, "transient", "home", error="timeout after 15s")
    ws.probes["home"] = {"attempts": 2, "failures": 2, "errors": ["timeout"], "checks": _checks(3)}
    findings = evaluate(ws.snapshot(), nat_rubric)
    [f] = by_rule(findings, "AVAIL-DOWN")
    assert f.evidence["source"] == "crawl" and f.evidence["failures"] == 6 and len(f.evidence["checks"]) == 3
    assert f.evidence["confidence"] == "review" and "待人工核查" in f.message
    # content rules do not pile onto a ws that could not be read
    assert not by_rule(findings, "COLUMN-MISSING") and not by_rule(findings, "IDENT-ICP")


def test_avail_down_from_crawl_needs_several_spaced_checks(ws, nat_rubric):
    """One crawl attempt (even with its retries) is no evidence: the issue's 24 vetoes came from it."""
    ws.pages[HOME] = Page(HOME, None, "transient", "home", error="timeout after 15s")
    ws.probes["home"] = {"attempts": 4, "failures": 4, "errors": ["timeout"] * 4}
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")
    ws.probes["home"]["checks"] = _checks(2)
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


def test_avail_down_never_from_a_crawl_during_the_assessors_outage(ws, nat_rubric):
    ws.pages[HOME] = Page(HOME, None, "transient", "home", error="DNS error: DNS timeout")
    ws.probes["home"] = {
        "attempts": 4,
        "failures": 4,
        "errors": ["DNS error"],
        "checks": _checks(3),
        "outage": "resolver 127.0.0.1:53 answered none of 3 control queries",
    }
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


def test_avail_down_from_crawl_is_not_judged_when_the_homepage_opened_on_a_retry(ws, nat_rubric):
    ws.probes["home"] = {"attempts": 2, "failures": 1, "errors": ["timeout"]}  # 50% of a sample of two
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


def test_avail_down_from_crawl_not_judged_when_the_homepage_was_refused_by_policy(ws, nat_rubric):
    ws.pages[HOME] = Page(HOME, None, "skipped", "home", error="refused: private address 10.0.0.1")
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


def test_avail_down_monitoring_wins_over_the_crawl(ws, nat_rubric):
    ws.pages[HOME] = Page(HOME, None, "transient", "home", error="timeout after 15s")
    ws.history = _probes(100, 0)  # a week of clean monitoring: one bad moment at crawl time is no veto
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "AVAIL-DOWN")


# ------------------------------------------------------------------ FRESH-HOME


@pytest.mark.parametrize("age, stale", [(13, False), (14, True)])
def test_fresh_home_threshold_from_homepage_items(ws, nat_rubric, age, stale):
    ws.home.facts["items"] = [
        {"title": "x", "url": u("n.html"), "date": days_ago(age).isoformat()},
        {"title": "y", "url": u("m.html"), "date": None},
    ]
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")
    assert bool(found) is stale
    if stale:
        assert found[0].severity == "veto" and found[0].evidence["age_days"] == 14
        assert found[0].evidence["date_source"] == "homepage:item"
        assert days_ago(14).isoformat() in found[0].message


def test_fresh_home_prefers_history_newest_date(ws, nat_rubric):
    ws.history = [
        {"at": f"{days_ago(d).isoformat()}T08:00:00", "ok": True, "newest_date": days_ago(20).isoformat()}
        for d in range(3)
    ]
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")
    assert f.evidence["date_source"] == "history:newest_date" and f.evidence["age_days"] == 20


def test_fresh_home_uses_page_date_and_undated_items_do_not_count(ws, nat_rubric):
    ws.home.facts["items"] = [{"title": "无日期", "url": u("n.html"), "date": None}]
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")
    assert f.evidence["newest_date"] is None and "无日期视为未更新" in f.message
    ws.home.pub_date = days_ago(2)
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")


def test_fresh_home_from_articles_and_items_the_homepage_links_to(ws, nat_rubric):
    from zwgk.model import Link

    ws.home.facts.pop("items")  # the crawler lists no items on the homepage itself
    art = ws.article("news/1.html", "要闻", days_ago(30))
    ws.links.append(Link(HOME, art.url, "要闻"))
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")
    assert f.evidence["age_days"] == 30 and "linked article" in f.evidence["date_source"]
    ws.column("dt/", "工作动态", [("新", days_ago(2))])
    ws.links.append(Link(HOME, u("dt/item0.html"), "新"))  # listed in a column, page not fetched
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")


def test_fresh_home_ignores_future_dates(ws, nat_rubric):
    ws.home.facts["items"] = [
        {"title": "x", "url": u("n.html"), "date": "2027-05-01"},
        {"title": "y", "url": u("m.html"), "date": days_ago(30).isoformat()},
    ]
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-HOME")
    assert f.evidence["future_dates_ignored"] == ["2027-05-01"]


# ------------------------------------------------------------------ FRESH-COLUMN


@pytest.mark.parametrize("text, period", [("工作动态", 14), ("公示公告", 183), ("人事任免", 365)])
def test_fresh_column_period_by_kind(ws, nat_rubric, text, period):
    ws.column("c/", text, [("旧闻", days_ago(period - 1))])
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    ws.column("c/", text, [("旧闻", days_ago(period))])
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert f.subject == u("c/") and f.severity == "deduct" and f.points == 2
    assert f.evidence["period_days"] == period and f.evidence["age_days"] == period
    assert text in f.message and days_ago(period).isoformat() in f.message


def test_fresh_column_undated_items_count_as_not_updated(ws, nat_rubric):
    ws.column("c/", "部门动态", [("无日期", None), ("也无日期", None)])
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert f.evidence["newest_date"] is None and f.evidence["undated_items"] == 2


def test_fresh_column_reads_pagination_and_unknown_columns_are_not_checked(ws, nat_rubric):
    ws.column("c/", "政务动态", [("旧", days_ago(40))], pagination=["c/index_1.html"])
    ws.column("c/index_1.html", "政务动态", [("新", days_ago(3))])
    ws.column("misc/", "专题专栏", [("旧", days_ago(900))])  # no period in the rubric
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")


def test_fresh_column_uses_declared_standard_name(ws, nat_rubric):
    ws.column("c/", "市府新闻", [("旧", days_ago(20))], name="本地要闻")
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert f.evidence["column"] == "本地要闻"


def _stale(ws: SiteBuilder, n: int, text: str, age: int) -> None:
    for i in range(n):
        ws.column(f"{text}{i}/", text, [("旧", days_ago(age))])


def test_fresh_column_veto_at_five_timely_columns(ws, nat_rubric):
    _stale(ws, 3, "工作动态", 20)
    _stale(ws, 1, "通知公告", 200)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert len(found) == 4 and all(f.severity == "deduct" for f in found)
    _stale(ws, 1, "政策文件", 200)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert len(found) == 5 and all(f.severity == "veto" for f in found)
    assert "单项否决" in found[0].message


def test_fresh_column_veto_at_ten_overall(ws, nat_rubric):
    _stale(ws, 4, "工作动态", 20)
    _stale(ws, 5, "人事信息", 400)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert len(found) == 9 and all(f.severity == "deduct" for f in found)
    _stale(ws, 1, "规划计划", 400)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert len(found) == 10 and all(f.severity == "veto" for f in found)


# ------------------------------------------------------------------ COLUMN-BLANK


def test_blank_column_is_not_also_stale(ws, nat_rubric):
    ws.column("dt/", "工作动态", [])
    findings = evaluate(ws.snapshot(), nat_rubric)
    [f] = by_rule(findings, "COLUMN-BLANK")
    assert f.subject == u("dt/") and f.severity == "deduct"
    assert not by_rule(findings, "FRESH-COLUMN")


def test_blank_columns_four_deduct_five_veto(ws, nat_rubric):
    for i in range(4):
        ws.column(f"b{i}/", f"空栏目{i}", [])
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-BLANK")
    assert len(found) == 4 and {f.severity for f in found} == {"deduct"}
    ws.column("b4/", "空栏目4", [])
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-BLANK")
    assert len(found) == 5 and {f.severity for f in found} == {"veto"}
    assert found[0].evidence["blank_columns"] == 5


def test_hub_column_listing_sub_columns_is_not_blank(ws, nat_rubric):
    ws.column("zwgk/", "政务公开", [], name="政府信息公开")
    ws.column("hub/", "专题", [], hub=True)
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-BLANK")


def test_column_with_items_only_on_page_two_is_not_blank(ws, nat_rubric):
    ws.column("c/", "通知公告", [], pagination=["c/2.html"])
    ws.column("c/2.html", "通知公告", [("通知", days_ago(5))])
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert not by_rule(findings, "COLUMN-BLANK") and not by_rule(findings, "FRESH-COLUMN")


# ------------------------------------------------------------------ COLUMN-MISSING


def test_column_missing_subject_is_the_standard_name(ws, nat_rubric):
    ws.home.facts["nav"] = [e for e in ws.home.facts["nav"] if e["text"] not in ("公示公告", "政府信息公开年报")]
    del ws.pages[u("report/")]
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-MISSING")
    assert sorted(f.subject for f in found) == ["政府信息公开年报", "通知公告"]
    assert all(f.points == 2 and f.page == "" for f in found)
    assert "公示公告" in next(f for f in found if f.subject == "通知公告").message


def test_column_found_in_more_menu_or_hub_page_counts_as_present(ws, nat_rubric):
    ws.home.facts["nav"] = [e for e in ws.home.facts["nav"] if e["text"] not in ("政府信息公开指南", "政民互动")]
    ws.home.facts["nav"].append({"text": "更多>>公众参与", "url": u("gzcy/"), "where": "more"})
    ws.column(
        "zwgk/",
        "政务公开",
        [],
        name="政府信息公开",
        nav=[{"text": "XX市政府信息公开指南", "url": u("zwgk/zn/"), "where": "page"}],
    )
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-MISSING")


def test_column_missing_not_judged_without_homepage(ws, nat_rubric):
    ws.pages[HOME] = Page(HOME, 404, "broken", "home")
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-MISSING")


def test_pagination_linking_back_to_page_one_is_one_column(ws, nat_rubric):
    # page 2 links back to page 1 ("首页 上一页"): still one column, reported at page 1
    ws.column("yw/", "工作动态", [("旧", days_ago(26))], pagination=["yw/index_1.html"])
    ws.column("yw/index_1.html", "工作动态", [("更旧", days_ago(40))], pagination=["yw/", "yw/index_2.html"])
    ws.column("yw/index_2.html", "工作动态", [("最旧", days_ago(60))], pagination=["yw/", "yw/index_1.html"])
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "FRESH-COLUMN")
    assert f.subject == u("yw/") and f.evidence["items"] == 3 and f.evidence["age_days"] == 26
    assert len(f.evidence["pages"]) == 3


def test_list_written_by_javascript_is_neither_blank_nor_stale(ws, nat_rubric):
    # no item readable, but the column has further pages: content exists, freshness unknown
    ws.column("bmdt/", "部门动态", [], pagination=["bmdt/index_1.html"])
    ws.column("bmdt/index_1.html", "部门动态", [], pagination=["bmdt/"])
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert not by_rule(findings, "COLUMN-BLANK") and not by_rule(findings, "FRESH-COLUMN")


def test_statutory_sub_columns_are_recognised_for_blank_check(ws, nat_rubric):
    assert "统计信息" in nat_rubric.column_synonyms()
    ws.column("tjxx/", "统计信息", [])
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-BLANK")
    assert f.evidence["column"] == "统计信息"


def test_column_listed_in_traditional_characters_on_a_hub_page_counts(ws, nat_rubric):
    from zwgk.model import Link

    ws.home.facts["nav"] = [e for e in ws.home.facts["nav"] if e["text"] != "预决算公开"]
    hub = ws.column("fdzdgk/", "法定主動公開", [], name="法定主动公开内容")
    ws.links.append(Link(hub.url, u("czyjs/"), "財政預決算公開"))  # in the page body, not a nav region
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-MISSING")
    ws.links.clear()
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-MISSING")
    assert f.subject == "财政预决算"


def test_a_column_that_opens_one_document_is_not_blank(ws, nat_rubric):
    # 政府信息公开指南 / 机构职能: the column's page is the document itself, no list of them
    ws.column("gkzn/", "政府信息公开指南", [], document_chars=1800)
    ws.column("tjxx/", "统计信息", [], document_chars=12)  # a few words of layout: still blank
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "COLUMN-BLANK")
    assert f.evidence["column"] == "统计信息"
