"""SEARCH-MISSING: which homepage links prove a site search exists (and which do not)."""

from __future__ import annotations

import pytest

from tests.fixtures_indicators import HOME, by_rule, u
from zwgk.indicators import evaluate
from zwgk.model import Link


@pytest.mark.parametrize(
    "target, tag",
    [
        ("js/jquery.min.js", "script"),  # every site loads jQuery: "query" inside a word is no search
        ("js/jquery-1.8.3.min.js", "a"),
        ("research/index.html", "a"),  # 调查研究, not a search
        ("xxgk/queryset.html", "a"),
    ],
)
def test_words_containing_search_words_do_not_prove_a_search(ws, nat_rubric, target, tag):
    ws.home.facts["search"] = False
    ws.links.append(Link(HOME, u(target), "", tag))
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "SEARCH-MISSING")
    assert f.subject == HOME


@pytest.mark.parametrize(
    "target, anchor",
    [
        ("search/index.html", ""),
        ("jsearch/search.do?webid=1", ""),
        ("so/s?q=", ""),
        ("cms/query.jsp", ""),
        ("zt/index.html", "站内检索"),
        ("js/search.js", ""),  # a search widget built by script
    ],
)
def test_search_page_links_prove_a_search(ws, nat_rubric, target, anchor):
    ws.home.facts["search"] = False
    ws.links.append(Link(HOME, u(target), anchor, "script" if target.endswith(".js") else "a"))
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "SEARCH-MISSING")
