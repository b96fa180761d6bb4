"""The colleague-built hostile corpus (zwgk.sitefarm.hostile): every case survived within caps."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.fixtures_crawl import SYNONYMS, fast_settings, unit_for
from zwgk.crawlers.extract import extract_page
from zwgk.crawlers.fetcher import Fetcher
from zwgk.sitefarm import hostile

MB = 1024 * 1024


@pytest.fixture(scope="module")
def corpus_server():
    corpus = hostile.HostileCorpus(huge_bytes=20 * MB, drip_interval=0.2, drip_limit=20, links=100_000, nesting=10_000)
    with hostile.running_hostile_server(corpus) as server:
        yield server


def _settings():
    return fast_settings(total_timeout=5, retries=0, max_page_bytes=2 * MB, max_links_checked_per_site=50)


@pytest.fixture(scope="module")
def fetched(corpus_server):
    async def go():
        async with Fetcher(_settings()) as f:
            results = await asyncio.gather(*(f.fetch(corpus_server.url(c.path)) for c in hostile.CASES))
        return {c.name: r for c, r in zip(hostile.CASES, results)}

    return asyncio.run(go())


def test_huge_page_cut_at_cap(fetched, corpus_server):
    r = fetched["huge"]
    assert r.outcome == "ok" and "cut at" in r.error
    assert corpus_server.corpus.huge_sent < 20 * MB  # we stopped reading, the server did not finish


def test_drip_stopped_by_timeout(fetched):
    assert fetched["drip"].outcome == "transient" and fetched["drip"].error.startswith("timeout")


def test_truncated_html_parsed_as_far_as_it_goes(fetched, corpus_server):
    r = fetched["truncated"]
    ex = extract_page(r.final_url, r.text, "article")
    assert r.outcome == "ok" and ex.title == hostile.TITLE["truncated"]
    assert corpus_server.url("/ok.html") in {link.target for link in ex.links}


def test_cut_payload_is_transient(fetched):
    r = fetched["cut"]
    assert r.outcome == "transient" and "Payload" in r.error


def test_lying_charsets(fetched):
    for name in ("charset", "charset-meta"):
        r = fetched[name]
        ex = extract_page(r.final_url, r.text, "article")
        assert ex.title == hostile.TITLE[name], name
        assert ex.pub_date == dt.date(2024, 5, 6)
    assert fetched["charset"].charset == "gb18030" and fetched["charset-meta"].charset == "utf-8"


def test_nesting_and_many_links(fetched, corpus_server):
    nested = extract_page(fetched["nested"].final_url, fetched["nested"].text, "other")
    assert corpus_server.url("/ok.html") in {link.target for link in nested.links}
    r = fetched["links"]
    many = extract_page(r.final_url, r.text, "other")
    # The 3.7 MB page is cut at the 2 MB cap: every complete anchor before the cut is found.
    assert "cut at" in r.error
    assert len({link.target for link in many.links}) == r.text.count("</a>") > 50_000


def test_redirects(fetched):
    assert fetched["redirect"].outcome == "broken" and "too many redirects" in fetched["redirect"].error
    assert fetched["loop"].outcome == "broken" and "redirect loop" in fetched["loop"].error


def test_garbage_does_not_crash(fetched):
    r = fetched["garbage"]
    assert r.outcome == "ok" and isinstance(r.text, str)
    extract_page(r.final_url, r.text, "article")


def test_whole_corpus_as_one_site(db, corpus_server, crawl_round_setup):
    from zwgk.crawlers import crawl_round
    from zwgk.storage.snapshot import load_snapshot

    unit = unit_for(corpus_server.url("/"))
    round_id = crawl_round_setup([unit])
    summary = crawl_round(db, round_id, [unit], _settings(), SYNONYMS)
    assert summary.crawled == ["u1"]
    pages = load_snapshot(db, round_id, unit, dt.date(2026, 11, 20)).pages
    outcome = {c.name: pages[corpus_server.url(c.path)].outcome for c in hostile.CASES}
    assert outcome == {
        "huge": "ok",
        "drip": "transient",
        "truncated": "ok",
        "cut": "transient",
        "charset": "ok",
        "charset-meta": "ok",
        "nested": "ok",
        "links": "ok",
        "redirect": "broken",
        "loop": "broken",
        "garbage": "ok",
    }
