"""The hostile corpus: every hostile page is crawled and assessed without a crash,
within the crawler's caps, and leaves a clear reason in the evidence.

Each case is a site of its own (its hostile page is the homepage), crawled
once for the module by the real crawler against the real aiohttp corpus on
127.0.0.1; then every site's snapshot goes through the real rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from zwgk.model import Page, Unit
from zwgk.sitefarm.hostile import CASES, TITLE, HostileCorpus, running_hostile_server

AS_OF = dt.date(2026, 11, 20)
PAGE_CAP = 5_000_000  # the default cap; the 100,000-link page (3.9 MB) fits under it
LINK_CHECK_CAP = 150
PAGE_COUNT_CAP = 20


@dataclass
class Crawled:
    states: dict[str, str]
    failed: dict[str, str]
    pages: dict[str, dict[str, Page]]
    links: dict[str, int]
    homes: dict[str, Page | None]
    findings: dict[str, list[Any]]
    corpus: HostileCorpus


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    from zwgk.crawlers import CrawlSettings, crawl_round
    from zwgk.indicators import evaluate, load_rubric
    from zwgk.storage import Database
    from zwgk.storage.registry import upsert_units
    from zwgk.storage.rounds import create_round, failed_sites
    from zwgk.storage.snapshot import load_links, load_pages, load_snapshot, site_states

    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'zwgk.db'}")
    corpus = HostileCorpus(drip_interval=0.3)
    with running_hostile_server(corpus) as server:
        units = [Unit(c.name, f"恶意页面 {c.name}", "市", "department", server.url(c.path)) for c in CASES]
        upsert_units(db, units)
        info, _ = create_round(db, "hostile", as_of=AS_OF, rubric="national-2019", weight=0.05, units=units)
        settings = CrawlSettings(
            allow_private=True,
            ipv6_probe=False,
            total_timeout=8,  # generous: a loaded CI box must not turn a slow big page into a timeout
            connect_timeout=2,
            retries=0,
            max_page_bytes=PAGE_CAP,
            max_pages_per_site=PAGE_COUNT_CAP,
            max_links_checked_per_site=LINK_CHECK_CAP,
            # One homepage check and no host circuit breaker: the corpus tests each fetch's caps
            # (the redirect hits below are one fetch's), and its eleven "sites" share one host,
            # whose circuit the drip and cut cases would open for all of them.  Both mechanisms
            # are tested in test_crawl_faults.
            home_checks=1,
            breaker_failures=0,
        )
        rubric = load_rubric("national-2019")
        crawl_round(db, info.id, units, settings, rubric.column_synonyms())
        states = site_states(db, info.id)
        pages = {u.unit_id: load_pages(db, info.id, u.unit_id) for u in units}
        findings = {u.unit_id: evaluate(load_snapshot(db, info.id, u, AS_OF), rubric) for u in units}
        result = Crawled(
            states=states,
            failed=failed_sites(db, info.id),
            pages=pages,
            links={u.unit_id: len(load_links(db, info.id, u.unit_id)) for u in units},
            homes={u.unit_id: pages[u.unit_id].get(u.site_url) for u in units},
            findings=findings,
            corpus=corpus,
        )
    db.dispose()
    return result


@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_every_hostile_site_ends_in_a_final_state_with_its_homepage_recorded(crawled: Crawled, case: str) -> None:
    assert crawled.states[case] in ("crawled", "failed"), f"{case} left in state {crawled.states[case]}"
    home = crawled.homes[case]
    assert home is not None, f"{case}: homepage not in the snapshot ({list(crawled.pages[case])[:3]})"
    if crawled.states[case] == "failed":
        assert crawled.failed[case].startswith("homepage "), crawled.failed[case]
        assert home.outcome in ("broken", "transient") and home.error, (home.outcome, home.error)
    assert len(crawled.pages[case]) <= PAGE_COUNT_CAP + LINK_CHECK_CAP + 1


def test_fifty_megabyte_page_is_cut_at_the_size_cap(crawled: Crawled) -> None:
    home = crawled.homes["huge"]
    assert crawled.states["huge"] == "crawled"
    assert home.outcome == "ok" and home.title == "超大页面"
    assert f"cut at {PAGE_CAP}" in home.error
    # The client stopped reading: the server never had to send the 50 MB.
    assert crawled.corpus.huge_sent < 50 * 1024 * 1024


def test_never_ending_page_stops_at_the_timeout(crawled: Crawled) -> None:
    home = crawled.homes["drip"]
    assert home.outcome == "transient" and "timeout" in home.error
    assert crawled.failed["drip"] == "homepage transient: timeout"


def test_page_truncated_mid_tag_is_parsed_as_far_as_it_goes(crawled: Crawled) -> None:
    home = crawled.homes["truncated"]
    assert home.outcome == "ok" and home.title == TITLE["truncated"]
    assert any(url.endswith("/ok.html") for url in crawled.pages["truncated"]), (
        "the complete link before the cut was lost"
    )


def test_connection_closed_before_content_length_is_a_transient_failure(crawled: Crawled) -> None:
    home = crawled.homes["cut"]
    assert home.outcome == "transient"
    assert "Payload" in home.error or "reset" in home.error


def test_header_claiming_utf8_over_a_gbk_body_still_reads_chinese(crawled: Crawled) -> None:
    assert crawled.homes["charset"].title == TITLE["charset"]


def test_meta_claiming_gb2312_over_a_utf8_body_still_reads_chinese(crawled: Crawled) -> None:
    assert crawled.homes["charset-meta"].title == TITLE["charset-meta"]


def test_ten_thousand_nested_divs_parse_and_keep_the_deep_link(crawled: Crawled) -> None:
    home = crawled.homes["nested"]
    assert home.outcome == "ok" and home.title == TITLE["nested"]
    assert crawled.links["nested"] >= 1
    assert any(url.endswith("/ok.html") for url in crawled.pages["nested"])


def test_hundred_thousand_links_are_recorded_but_checks_stay_capped(crawled: Crawled) -> None:
    assert crawled.homes["links"].outcome == "ok"
    assert crawled.links["links"] == 100_000
    fetched = sum(1 for url in crawled.pages["links"] if "/l/" in url)
    assert 0 < fetched <= PAGE_COUNT_CAP + LINK_CHECK_CAP
    served = sum(n for path, n in crawled.corpus.hits.items() if path.startswith("/l/"))
    assert served <= PAGE_COUNT_CAP + LINK_CHECK_CAP


def test_endless_redirects_are_broken_with_the_reason(crawled: Crawled) -> None:
    chain = crawled.homes["redirect"]
    assert chain.outcome == "broken" and "too many redirects" in chain.error
    loop = crawled.homes["loop"]
    assert loop.outcome == "broken" and "redirect loop" in loop.error
    assert sum(n for path, n in crawled.corpus.hits.items() if path.startswith("/redirect/")) <= 10


def test_garbage_bytes_do_not_crash_and_are_kept_as_evidence(crawled: Crawled) -> None:
    home = crawled.homes["garbage"]
    assert home.status == 200 and home.size == 64 * 1024
    assert crawled.states["garbage"] in ("crawled", "failed")


@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_every_hostile_snapshot_goes_through_the_rules(crawled: Crawled, case: str) -> None:
    findings = crawled.findings[case]
    assert all(f.unit_id == case for f in findings)
    keys = [f.key for f in findings]
    assert len(keys) == len(set(keys)), "a finding's identity appears twice"
