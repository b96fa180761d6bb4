"""The crawler against the real site farm (zwgk.sitefarm): 24 generated county/city sites
on 127.0.0.1 and ::1 with their own DNS server, compared with the farm's ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from zwgk.crawlers import CrawlSettings, crawl_round
from zwgk.crawlers.site import homepage_url
from zwgk.model import SiteSnapshot, Unit


@dataclass
class FarmCrawl:
    farm: Any
    summary: Any
    snapshots: dict[str, SiteSnapshot]
    truth: dict


def _units(farm) -> list[Unit]:
    return [
        Unit(unit_id=s["unit_id"], name=s["name"], tier=s["tier"], kind=s["kind"], site_url=s["url"])
        for s in farm.sites
    ]


@pytest.fixture(scope="module")
def farm_crawl(farm, tmp_path_factory):
    from zwgk.indicators import load_rubric
    from zwgk.storage import Database
    from zwgk.storage.registry import upsert_units
    from zwgk.storage.rounds import create_round
    from zwgk.storage.snapshot import load_snapshot

    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('farmcrawl') / 'zwgk.db'}")
    units = _units(farm)
    upsert_units(db, units)
    as_of = farm.config.as_of
    info, _ = create_round(db, "farm", as_of=as_of, rubric="national-2019", weight=0.05, units=units)
    settings = CrawlSettings(resolver=farm.resolver, allow_private=True, backoff_base=0.2)
    summary = crawl_round(db, info.id, units, settings, load_rubric("national-2019").column_synonyms())
    snaps = {u.unit_id: load_snapshot(db, info.id, u, as_of) for u in units}
    yield FarmCrawl(farm, summary, snaps, farm.truth)
    db.dispose()


def _defects(truth: dict, rule: str) -> set[tuple[str, str]]:
    return {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == rule}


def test_every_live_site_crawled_and_down_sites_failed_with_reason(farm_crawl):
    down = {u for u, _ in _defects(farm_crawl.truth, "AVAIL-DOWN")}
    assert set(farm_crawl.summary.failed) == down
    for unit_id in down:
        assert farm_crawl.summary.failed[unit_id].startswith("homepage ")
        assert farm_crawl.snapshots[unit_id].probes["home"]["failures"] >= 1
    assert len(farm_crawl.summary.crawled) == len(farm_crawl.truth["sites"]) - len(down)


def test_planted_broken_links_are_broken_and_transient_pages_are_not(farm_crawl):
    for rule in ("LINK-HOME", "LINK-PAGE"):
        for unit_id, subject in _defects(farm_crawl.truth, rule):
            page = farm_crawl.snapshots[unit_id].pages.get(subject)
            assert page is not None, (rule, subject)
            assert page.outcome == "broken", (rule, subject, page.outcome, page.error)
    reached = 0
    for url in farm_crawl.truth["transient"]:
        for snap in farm_crawl.snapshots.values():
            page = snap.pages.get(url)
            if page is not None:
                reached += 1
                assert page.outcome == "ok", (url, page.outcome, page.error)
    assert reached > 0  # the retry-then-ok pages were met and survived


def test_no_other_page_of_a_live_site_is_broken(farm_crawl):
    planted = _defects(farm_crawl.truth, "LINK-HOME") | _defects(farm_crawl.truth, "LINK-PAGE")
    planted |= _defects(farm_crawl.truth, "SVC-FORM")  # a dead 办事指南 form: planted, judged as SVC-FORM
    traps = set(farm_crawl.truth["traps"])
    for unit_id, snap in farm_crawl.snapshots.items():
        if unit_id in farm_crawl.summary.failed:
            continue
        for url, page in snap.pages.items():
            if page.outcome == "broken" and url not in traps:
                assert (unit_id, url) in planted, (unit_id, url, page.error)


def test_calendar_traps_are_capped(farm_crawl):
    cap = CrawlSettings().max_query_variants
    assert farm_crawl.truth["trap_prefixes"]
    for prefix in farm_crawl.truth["trap_prefixes"]:
        pages = [u for snap in farm_crawl.snapshots.values() for u in snap.pages if u.startswith(prefix)]
        assert len(pages) <= cap


def test_ipv6_modes_told_apart(farm_crawl):
    seen_modes = set()
    for site in farm_crawl.truth["sites"]:
        unit_id, mode = site["unit_id"], site["ipv6"]
        if unit_id in farm_crawl.summary.failed:
            continue
        seen_modes.add(mode)
        probe = farm_crawl.snapshots[unit_id].probes["ipv6"]
        if mode == "none":
            assert probe["aaaa"] == [] and probe["error"] == "no AAAA record", unit_id
        elif mode == "unreachable":
            assert probe["aaaa"] and (probe["tcp6"] is False or probe["http6_status"] is None), (unit_id, probe)
        elif mode == "mismatch":
            assert probe["http6_status"] == 200 and probe["same_content"] is False, (unit_id, probe)
        elif mode == "intermittent":  # every other IPv6 request for the homepage is reset
            assert 0 < probe["v6_ok"] < probe["v6_attempts"], (unit_id, probe)
        elif mode == "delegation":  # the zone's name servers have no AAAA
            assert probe["delegation"]["complete"] is False, (unit_id, probe["delegation"])
            assert probe["delegation"]["ns"] and not any(ns["aaaa"] for ns in probe["delegation"]["ns"])
        elif mode == "inner":  # homepage links on the IPv4-only second host fail over IPv6
            level2 = probe["inner"]["level2"]
            assert level2["share"] < 0.9 and level2["failed"], (unit_id, level2)
            assert all("DNS" in f["error"] for f in level2["failed"]), level2["failed"]
        else:
            assert probe["same_content"] is True and probe["inner_v6_share"] == 1.0, (unit_id, probe)
            assert probe["success_rate"] == 1.0 and probe["inner"]["level3"]["share"] == 1.0, (unit_id, probe)
            assert probe["delegation"]["complete"] is True, (unit_id, probe["delegation"])
            assert probe["delegation"]["query"]["answered"] is True  # the farm's DNS answers on ::1
        # whatever the IPv6 side does, the IPv4 homepage is the real one
        assert farm_crawl.snapshots[unit_id].home.outcome == "ok"
    assert seen_modes >= {"ok", "none", "mismatch", "unreachable"}


def test_footer_codes_and_columns_match_the_sites(farm_crawl):
    wrong_code = {u for u, _ in _defects(farm_crawl.truth, "IDENT-SITECODE")}
    missing = {(u, s) for u, s in _defects(farm_crawl.truth, "COLUMN-MISSING")}
    checked = 0
    for site in farm_crawl.truth["sites"]:
        unit_id = site["unit_id"]
        if unit_id in farm_crawl.summary.failed:
            continue
        snap = farm_crawl.snapshots[unit_id]
        assert snap.homepage == homepage_url(site["url"])
        if unit_id not in wrong_code:
            assert snap.home.facts["footer"]["site_code"] == site["site_code"], unit_id
            checked += 1
        found = {p.facts.get("column") for p in snap.pages.values() if p.kind == "column"}
        for std in ("政策文件", "政策解读"):
            if std in site["columns"] and (unit_id, std) not in missing:
                assert std in found, (unit_id, std, sorted(c for c in found if c))
    assert checked > 10


def test_traditional_and_gbk_sites_read(farm_crawl):
    kinds = set()
    for site in farm_crawl.truth["sites"]:
        unit_id = site["unit_id"]
        if unit_id in farm_crawl.summary.failed:
            continue
        home = farm_crawl.snapshots[unit_id].home
        assert home.title and "\ufffd" not in home.title, (unit_id, home.title)
        assert any(p.pub_date for p in farm_crawl.snapshots[unit_id].pages.values() if p.kind == "article")
        kinds.add((site["traditional"], site["charset"].lower().replace("-", "")))
    assert any(trad for trad, _ in kinds) and any(cs in ("gbk", "gb2312", "gb18030") for _, cs in kinds)


def test_private_farm_refused_without_flag(farm, db, crawl_round_setup):
    from zwgk.indicators import load_rubric

    unit = _units(farm)[0]
    round_id = crawl_round_setup([unit])
    summary = crawl_round(
        db, round_id, [unit], CrawlSettings(resolver=farm.resolver), load_rubric("national-2019").column_synonyms()
    )
    assert summary.failed == {unit.unit_id: "homepage skipped: private address refused"}
