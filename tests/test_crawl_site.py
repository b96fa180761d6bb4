"""One county portal crawled end to end over real loopback HTTP: what the snapshot must hold."""

from __future__ import annotations

import datetime as dt

from tests.fixtures_crawl import SYNONYMS  # noqa: F401  (documents the synonyms the site is matched with)


def test_site_is_crawled_and_homepage_keyed(county_crawl):
    snap = county_crawl.snapshot
    assert county_crawl.summary.crawled == ["u1"]
    assert snap.homepage == county_crawl.web.url("/")
    assert snap.home is not None and snap.home.kind == "home" and snap.home.outcome == "ok"
    assert snap.probes["home"] == {"attempts": 1, "failures": 0, "errors": [], "status": 200, "outcome": "ok"}
    assert snap.probes["dns"]["a"] == ["127.0.0.1"]


def test_retry_then_ok_is_not_broken(county_crawl):
    page = county_crawl.page("/flaky.html")
    assert page.outcome == "ok" and page.status == 200
    assert county_crawl.web.count("/flaky.html") == 2  # 503 once, then 200


def test_429_waits_for_retry_after(county_crawl):
    page = county_crawl.page("/busy.html")
    assert page.outcome == "ok"
    (t1, _), (t2, _) = county_crawl.web.hits["/busy.html"]
    assert t2 - t1 >= 0.95  # Retry-After: 1 honoured, not the 0.05 s backoff


def test_only_get_is_used_so_head_405_is_irrelevant(county_crawl):
    assert county_crawl.page("/headonly.html").outcome == "ok"
    methods = {method for hits in county_crawl.web.hits.values() for _, method in hits}
    assert methods == {"GET"}


def test_soft_404_is_broken(county_crawl):
    page = county_crawl.page("/soft.html")
    assert page.status == 200 and page.outcome == "broken"
    assert "soft-404" in page.error


def test_status_classes(county_crawl):
    assert county_crawl.page("/missing.html").outcome == "broken"
    assert county_crawl.page("/forbidden.html").outcome == "blocked"
    assert county_crawl.page("/files/a.pdf").kind == "attachment"
    assert county_crawl.page("/files/a.pdf").outcome == "ok"


def test_redirect_loop_stops(county_crawl):
    page = county_crawl.page("/loop1")
    assert page.outcome == "broken" and "redirect loop" in page.error
    assert county_crawl.web.count("/loop1") == 1 and county_crawl.web.count("/loop2") == 1


def test_query_trap_is_capped(county_crawl):
    calendar = [u for u in county_crawl.snapshot.pages if "/cal/?date=" in u]
    assert len(calendar) == 10  # max_query_variants
    fetched = sum(county_crawl.web.count(f"/cal/?date=2023-01-{d:02d}") for d in range(1, 31))
    assert fetched == 10
    stats = _stats(county_crawl)
    assert stats["traps"] and all("/cal/?date=" in u for u in stats["traps"])


def test_gbk_page_decodes(county_crawl):
    page = county_crawl.page("/xxgk/jgzn/")
    assert page.charset == "gb18030"
    assert page.title == "机构职能"
    assert page.facts["items"] == [
        {"title": "县政府机构设置", "url": county_crawl.web.url("/xxgk/jgzn/art1.html"), "date": "2022-12-01"}
    ]


def test_each_date_source(county_crawl):
    meta = county_crawl.page("/zcwj/202305/t20230516_1.html")
    assert (meta.pub_date, meta.date_source) == (dt.date(2023, 5, 11), "meta:PubDate")
    table = county_crawl.page("/zcjd/202305/t20230522_3.html")
    assert (table.pub_date, table.date_source) == (dt.date(2023, 5, 22), "table:发布日期")
    assert table.facts["dates"] == {"成文日期": "2023-05-19", "发布日期": "2023-05-22"}
    label = county_crawl.page("/zcjd/202305/t20230520_1.html")
    assert (label.pub_date, label.date_source) == (dt.date(2023, 5, 20), "label:发布时间")
    url_only = county_crawl.page("/zcjd/202305/t20230523_4.html")
    assert (url_only.pub_date, url_only.date_source) == (dt.date(2023, 5, 23), "url")


def test_traditional_label_date_parses_and_title_keeps_original(county_crawl):
    page = county_crawl.page("/zcjd/202305/t20230521_2.html")
    assert (page.pub_date, page.date_source) == (dt.date(2020, 9, 28), "label:发布日期")
    assert page.title == "繁體解讀"  # evidence keeps the original text


def test_columns_found_from_nav_and_hub(county_crawl):
    columns = {
        p.facts.get("column"): p.facts.get("column_text")
        for p in county_crawl.snapshot.pages.values()
        if p.kind == "column" and p.facts.get("column")
    }
    assert columns == {
        "政策文件": "政策文件",
        "政策解读": "政策解读",
        "互动交流": "政民互动",
        "机构职能": "机构职能",  # a sub-column of the 政府信息公开 hub
        "政府信息公开年报": "年度报告",
    }
    hub = county_crawl.page("/xxgk/")
    assert hub.kind == "column" and hub.facts["hub"] is True


def test_pagination_followed_up_to_cap(county_crawl):
    first = county_crawl.page("/zcwj/")
    assert first.facts["pagination"] == [
        county_crawl.web.url("/zcwj/index_1.html"),
        county_crawl.web.url("/zcwj/index_2.html"),
    ]
    for path in ("/zcwj/index_1.html", "/zcwj/index_2.html"):
        page = county_crawl.page(path)
        assert page.kind == "column" and page.facts["column"] == "政策文件"
    # Articles listed only on page 2 and 3 were reached.
    assert county_crawl.page("/zcwj/202303/t20230301_8.html").facts["column"] == "政策文件"


def test_items_and_articles(county_crawl):
    items = county_crawl.page("/zcwj/").facts["items"]
    assert [i["date"] for i in items] == ["2023-05-11", "2023-05-12", "2023-05-13"]
    assert items[0]["title"] == "关于印发第1号文件的通知"
    article = county_crawl.page("/zcwj/202305/t20230516_1.html")
    assert article.kind == "article"
    assert article.facts["doc_number"] == "测政发〔2023〕1号"
    assert article.facts["related"] == [
        {"text": "关于第1号文件的解读", "url": county_crawl.web.url("/zcjd/202305/t20230520_1.html")}
    ]
    interp = county_crawl.page("/zcjd/202305/t20230520_1.html")
    assert interp.facts["is_interpretation"] is True
    assert interp.facts["related"][0]["url"] == county_crawl.web.url("/zcwj/202305/t20230516_1.html")
    talk = county_crawl.page("/hdjl/1.html")
    assert talk.facts["dates"] == {"留言时间": "2023-06-01", "回复时间": "2023-06-05"}


def test_links_from_all_tags_and_ignored_schemes(county_crawl):
    home = county_crawl.web.url("/")
    from_home = {(link.target, link.tag) for link in county_crawl.snapshot.links if link.source == home}
    assert (county_crawl.web.url("/frame.html"), "iframe") in from_home
    assert (county_crawl.web.url("/js/app.js"), "script") in from_home
    assert (county_crawl.web.url("/img/red.png"), "img") in from_home
    assert not any(t.startswith(("mailto:", "javascript:")) or "#" in t for t, _ in from_home)


def test_footer_facts_on_home(county_crawl):
    assert county_crawl.snapshot.home.facts["footer"] == {
        "site_code": "3609220011",
        "icp": "赣ICP备11002306号-1",
        "psb": "赣公网安备 36092202000105号",
        "psb_link": "",  # the number is not linked to the MPS filing system here
        "sponsor": "测试县人民政府",
        "organiser": "测试县政府办公室",
        "conac": True,
        "jiucuo": False,
    }


def test_progress_events(county_crawl):
    from zwgk.crawlers.progress import CrawlStats

    stats = CrawlStats()
    for event in county_crawl.events:
        stats.update(event)
    assert (stats.total, stats.done, stats.failed, stats.in_flight) == (1, 1, 0, 0)
    assert stats.pages == len(county_crawl.snapshot.pages)
    assert stats.outcomes["broken"] == sum(1 for p in county_crawl.snapshot.pages.values() if p.outcome == "broken")


def _stats(crawled):
    from zwgk.storage.tables import RoundSiteRow

    with crawled.db.session() as s:
        return dict(s.get(RoundSiteRow, (crawled.round_id, "u1")).stats)
