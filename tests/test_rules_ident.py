"""Links, IPv6, footer marks, search and meta tags on hand-built snapshots."""

from __future__ import annotations

import pytest

from tests.fixtures_indicators import HOME, SITE_CODE, by_rule, u
from zwgk.indicators import evaluate
from zwgk.model import finding_in_force, is_review_candidate

# ------------------------------------------------------------------ LINK-HOME / LINK-PAGE


def test_same_broken_target_on_forty_pages_is_one_finding(ws, nat_rubric):
    ws.broken("gone.html")
    for i in range(40):
        art = ws.article(f"a{i}.html", f"文章{i}", None)
        ws.link(art.url, u("gone.html"), "附件下载")
    findings = evaluate(ws.snapshot(), nat_rubric)
    [f] = by_rule(findings, "LINK-PAGE")
    assert f.subject == u("gone.html") and f.points == 0.1
    assert len(f.evidence["pages"]) == 40 and f.evidence["status"] == 404
    assert "40个页面" in f.message and "附件下载" in f.message
    assert not by_rule(findings, "LINK-HOME")


def test_broken_target_linked_from_home_is_link_home_only(ws, nat_rubric):
    ws.broken("gone.html")
    ws.link(HOME, u("gone.html"), "领导信息")
    ws.link(u("about.html"), u("gone.html"))
    findings = evaluate(ws.snapshot(), nat_rubric)
    [f] = by_rule(findings, "LINK-HOME")
    assert f.subject == u("gone.html") and f.points == 1 and f.page == HOME
    assert sorted(f.evidence["pages"]) == sorted([HOME, u("about.html")])
    assert not by_rule(findings, "LINK-PAGE")


@pytest.mark.parametrize("outcome, status", [("blocked", 403), ("transient", 503), ("skipped", None), ("ok", 200)])
def test_only_broken_outcomes_become_link_findings(ws, nat_rubric, outcome, status):
    ws.broken("x.html", status=status, outcome=outcome)
    ws.link(HOME, u("x.html"))
    ws.link(u("a.html"), u("x.html"))
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert not by_rule(findings, "LINK-HOME") and not by_rule(findings, "LINK-PAGE")


def test_soft_404_and_external_nxdomain_are_broken(ws, nat_rubric):
    ws.broken("soft.html", status=200, soft404=True)
    ws.broken("http://nx.invalid/", status=None, error="NXDOMAIN")
    ws.link(u("a.html"), u("soft.html"))
    ws.link(u("a.html"), "http://nx.invalid/")
    found = {f.subject: f for f in by_rule(evaluate(ws.snapshot(), nat_rubric), "LINK-PAGE")}
    assert set(found) == {u("soft.html"), "http://nx.invalid/"}
    assert "页面不存在" in found[u("soft.html")].message and "NXDOMAIN" in found["http://nx.invalid/"].message


# ------------------------------------------------------------------ IPv6


def test_ipv6_none(ws, nat_rubric):
    ws.probes["ipv6"] = {
        "aaaa": [],
        "a": ["192.0.2.1"],
        "tcp6": False,
        "http6_status": None,
        "similarity": None,
        "error": "",
    }
    findings = evaluate(ws.snapshot(), nat_rubric)
    [f] = by_rule(findings, "IPV6-NONE")
    assert f.subject == HOME and not by_rule(findings, "IPV6-UNREACHABLE")


def test_ipv6_not_probed_is_not_judged(ws, nat_rubric):
    del ws.probes["ipv6"]
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert not [f for f in findings if f.rule.startswith("IPV6")]


@pytest.mark.parametrize("tcp6, status, unreachable", [(False, None, True), (True, 502, True), (True, 200, False)])
def test_ipv6_unreachable(ws, nat_rubric, tcp6, status, unreachable):
    ws.probes["ipv6"] |= {"tcp6": tcp6, "http6_status": status, "similarity": None}
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert bool(by_rule(findings, "IPV6-UNREACHABLE")) is unreachable
    assert not by_rule(findings, "IPV6-NONE")


@pytest.mark.parametrize("similarity, mismatch", [(0.9, False), (0.89, True)])
def test_ipv6_mismatch_threshold(ws, nat_rubric, similarity, mismatch):
    ws.probes["ipv6"]["similarity"] = similarity
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "IPV6-MISMATCH")
    assert bool(found) is mismatch
    if mismatch:
        assert found[0].subject == HOME and "0.89" in found[0].message


# ------------------------------------------------------------------ footer marks


def test_sitecode_missing_or_different_from_registry(ws, nat_rubric):
    ws.home.facts["footer"]["site_code"] = ""
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-SITECODE")
    assert f.subject == HOME and SITE_CODE in f.message
    ws.home.facts["footer"]["site_code"] = "政府网站标识码：4412000002"
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-SITECODE")
    assert "4412000002" in f.message and "不一致" in f.message
    ws.home.facts["footer"]["site_code"] = f"政府网站标识码：{SITE_CODE}"
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-SITECODE")


@pytest.mark.parametrize("key, code", [("icp", "IDENT-ICP"), ("psb", "IDENT-PSB"), ("sponsor", "IDENT-SPONSOR")])
def test_footer_fields(ws, nat_rubric, key, code):
    ws.home.facts["footer"][key] = ""
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert [f.rule for f in findings] == [code]
    assert findings[0].subject == HOME


def test_psb_missing_but_linked_to_the_filing_system_goes_to_review(ws, nat_rubric):
    """An icon linked to beian.gov.cn with no number the extractor can read: the site has a
    filing, so whether its number is shown is for a person to judge, not a deduction."""
    ws.home.facts["footer"]["psb"] = ""
    ws.home.facts["footer"]["psb_link"] = "36012151325237"
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-PSB")
    assert is_review_candidate(f.evidence) and not finding_in_force(f)
    assert "36012151325237" in f.evidence["review_reason"]
    ws.home.facts["footer"]["psb_link"] = ""
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-PSB")
    assert finding_in_force(f)


def test_conac_badge(ws, nat_rubric):
    ws.home.facts["footer"]["conac"] = False
    assert [f.rule for f in evaluate(ws.snapshot(), nat_rubric)] == ["CONAC-BADGE"]


def test_search_missing_needs_the_crawler_fact(ws, nat_rubric):
    ws.home.facts["search"] = False
    [f] = evaluate(ws.snapshot(), nat_rubric)
    assert f.rule == "SEARCH-MISSING" and f.subject == HOME
    ws.link(HOME, u("search/index.html"), "站内搜索")  # a search link proves presence
    assert evaluate(ws.snapshot(), nat_rubric) == []
    ws.links.clear()
    del ws.home.facts["search"]  # no fact, no link: absence is not proven, nothing reported
    assert evaluate(ws.snapshot(), nat_rubric) == []


# ------------------------------------------------------------------ IDENT-META


def test_meta_one_finding_per_page_type_listing_pages_and_tags(ws, nat_rubric):
    for i in range(3):
        art = ws.article(f"a{i}.html", "文章", None)
        if i < 2:
            del art.facts["meta"]["PubDate"]
    del ws.pages[u("report/")].facts["meta"]["ColumnType"]
    del ws.home.facts["meta"]["SiteIDCode"]
    found = {f.subject: f for f in by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-META")}
    assert set(found) == {"home", "column", "article"}
    art = found["article"]
    assert art.evidence["pages_missing"] == 2 and art.evidence["pages_checked"] == 3
    assert art.evidence["pages"] == {u("a0.html"): ["PubDate"], u("a1.html"): ["PubDate"]}
    assert "PubDate（2页）" in art.message
    assert found["column"].evidence["missing_counts"] == {"ColumnType": 1}
    assert found["home"].evidence["missing_counts"] == {"SiteIDCode": 1}


def test_meta_article_tags_not_required_on_column_pages(ws, nat_rubric):
    assert "ArticleTitle" not in ws.pages[u("report/")].facts["meta"]
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "IDENT-META")


def test_ipv6_unreachable_not_judged_when_the_site_is_down_over_ipv4(ws, nat_rubric):
    from zwgk.model import Page

    ws.probes["ipv6"] |= {"tcp6": True, "http6_status": 503, "similarity": None}
    ws.pages[HOME] = Page(HOME, 503, "transient", "home")
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "IPV6-UNREACHABLE")
