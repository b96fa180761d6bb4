"""Extraction on real saved government pages (../shared/data/real-pages): values asserted."""

from __future__ import annotations

import datetime as dt

import pytest

from zwgk.crawlers.extract import extract_page


def _load(real_pages, name: str, url: str):
    html = (real_pages / name).read_text(encoding="utf-8")
    return extract_page(url, html, "article")


@pytest.fixture(scope="module")
def wanzai(real_pages):
    return _load(real_pages, "wanzai-2022-article.html", "http://www.wanzai.gov.cn/wzxrmzf/tjsj/202308/art.shtml")


def test_wanzai_2022_meta(wanzai):
    meta = wanzai.facts["meta"]
    assert meta["SiteName"] == "万载县人民政府"
    assert meta["SiteDomain"] == "www.wanzai.gov.cn"
    assert meta["SiteIDCode"] == "3609220011"
    assert meta["ColumnName"] == "统计数据"
    assert meta["ArticleTitle"] == "万载县2022年国民经济和社会发展统计公报"
    assert meta["PubDate"] == "2023-08-16 10:33:59"
    assert meta["ContentSource"] == "万载县统计局"


def test_wanzai_2022_footer(wanzai):
    assert wanzai.facts["footer"] == {
        "site_code": "3609220011",
        "icp": "赣ICP备11002306号-1",
        "psb": "赣公网安备 36092202000105号",
        "psb_link": "36092202000105",  # the number is linked to www.beian.gov.cn (recordcode=…)
        "sponsor": "万载县人民政府",
        "organiser": "万载县人民政府办公室",
        "conac": True,
        "jiucuo": True,
    }


def test_wanzai_2022_date_title_and_links(wanzai):
    assert (wanzai.pub_date, wanzai.date_source) == (dt.date(2023, 8, 16), "meta:PubDate")
    assert wanzai.title == "万载县2022年国民经济和社会发展统计公报"
    targets = {link.target: link for link in wanzai.links}
    assert targets["http://www.wanzai.gov.cn/wzxrmzf/zwgk/zwgk.shtml"].anchor == "政务公开"
    assert "https://beian.miit.gov.cn.ipv6.iname.damddos.com/" in targets
    assert "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36092202000105" in targets
    # saved-page rewrites ./…_files/… resolve against the page URL
    assert any(t.startswith("http://www.wanzai.gov.cn/wzxrmzf/tjsj/202308/") and "_files/" in t for t in targets)
    assert not any(t.startswith(("javascript:", "mailto:")) for t in targets)
    assert {link.tag for link in wanzai.links} >= {"a", "img", "script", "link"}
    assert wanzai.facts["related"][0]["text"].startswith("图文解读")
    assert wanzai.facts["soft404"] is False


def test_yichun_2022(real_pages):
    page = _load(real_pages, "yichun-2022-article.html", "https://www.yichun.gov.cn/ycsrmzf/tjgb/202305/a.shtml")
    assert page.facts["meta"]["SiteIDCode"] == "3609000002"
    assert page.facts["meta"]["ColumnName"] == "统计公报"
    assert (page.pub_date, page.date_source) == (dt.date(2023, 5, 16), "meta:PubDate")
    assert page.facts["footer"]["site_code"] == "3609000002"
    assert page.facts["footer"]["icp"] == "赣ICP备06000141号"
    assert page.facts["footer"]["psb"] == "赣公网安备 36090202000004号"
    assert page.facts["footer"]["sponsor"] == "宜春市人民政府"
    assert page.facts["dates"]["发文日期"] == "2023-04-18"


def test_wanzai_2015_labelled_date_beside_meta(real_pages):
    page = _load(real_pages, "wanzai-2015-article.html", "http://www.wanzai.gov.cn/wzxrmzf/tjgb/2017/a.shtml")
    assert (page.pub_date, page.date_source) == (dt.date(2022, 4, 24), "meta:PubDate")  # meta wins
    assert page.facts["dates"]["发布日期"] == "2017-05-15"  # the visible label is kept as evidence
    nav_texts = {entry["text"] for entry in page.facts["nav"]}
    assert "新闻中心" in nav_texts
