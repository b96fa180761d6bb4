"""The homepage's site-search fact (``facts["search"]``) that SEARCH-MISSING judges."""

from __future__ import annotations

import pytest

from zwgk.crawlers.extract import extract_page

HOME = "http://www.example.gov.cn/"
SHELL = (
    '<html><head><title>某县人民政府</title></head><body><div class="header">{box}</div>'
    '<div class="nav"><a href="/xxgk/">政府信息公开</a></div>'
    '<div class="footer">主办：某县人民政府 网站标识码：3609250001</div></body></html>'
)


@pytest.mark.parametrize(
    "box",
    [
        '<form action="/search/"><input name="q" placeholder="请输入关键字"><button>搜索</button></form>',
        '<input type="text" id="kw"><a href="javascript:void(0)" onclick="doSearch()"></a>',  # wired by script
        '<form action="/jsearch/"><input type="search" name="w"></form>',
        '<textarea name="q"></textarea>',
    ],
)
def test_a_typed_box_on_the_homepage_is_a_search_box(box):
    assert extract_page(HOME, SHELL.format(box=box), "home").facts["search"] is True


@pytest.mark.parametrize(
    "box",
    [
        "",
        '<form action="/login"><input type="hidden" name="t" value="1"><input type="submit" value="登录"></form>',
        '<input type="checkbox" name="old"> 长者模式',
    ],
)
def test_no_typed_box_is_no_search_box(box):
    assert extract_page(HOME, SHELL.format(box=box), "home").facts["search"] is False


def test_search_is_reported_only_for_the_homepage():
    # Other page kinds do not decide SEARCH-MISSING; the fact stays absent ("not judged").
    assert "search" not in extract_page(HOME + "xxgk/", SHELL.format(box=""), "column").facts
