"""Faults during a crawl (issue 18): the assessor's own outage is never a site's veto, and one
slow host never holds the round.

Real parts only: the site farm with its own dnslib DNS server (made to stop answering mid-round),
the hostile corpus's tarpit (one byte per second) on its own loopback port, the real crawler,
rules and pipeline, SQLite.
"""

from __future__ import annotations

import asyncio
from typing import Any

from zwgk.crawlers import CrawlSettings, crawl_round
from zwgk.crawlers.fetcher import BREAKER_ERROR, BUDGET_ERROR, Fetcher
from zwgk.crawlers.outage import OUTAGE_PREFIX, OutageGuard
from zwgk.indicators import evaluate, load_rubric
from zwgk.model import Unit
from zwgk.sitefarm import FarmConfig, running_farm
from zwgk.sitefarm.dns import set_answering, start_dns, stop_dns
from zwgk.sitefarm.hostile import TARPIT, HostileCorpus, running_hostile_server
from zwgk.storage import Database
from zwgk.storage.registry import upsert_units
from zwgk.storage.rounds import create_round
from zwgk.storage.snapshot import load_pages, load_snapshot, site_states

FAST = dict(
    ipv6_probe=False,
    connect_timeout=1.0,
    total_timeout=3.0,
    retries=1,
    backoff_base=0.1,
    max_pages_per_site=40,
    max_links_checked_per_site=40,
    home_check_spacing=0.3,
)
# The tarpit round's healthy site is crawled as the farm-truth tests crawl it (caps at default).
TIMEOUTS = dict(connect_timeout=1.0, total_timeout=3.0, retries=1, backoff_base=0.1, home_check_spacing=0.3)


def _units(handle, down: bool = False) -> list[Unit]:
    """The farm's units; without those it plants a veto on (down, stale home) unless ``down``."""
    # Sites planted with a veto that judges the site itself (down, stale home).  Tampering the
    # farm shows in titles and hidden links is a veto too, but only of a site that was read.
    veto = {"AVAIL-DOWN", "FRESH-HOME", "FRESH-COLUMN", "COLUMN-BLANK"}
    planted = {d["unit_id"] for d in handle.truth["defects"] if d["rule"] in veto}
    return [
        Unit(s["unit_id"], s["name"], s["tier"], s["kind"], s["url"], site_code=s["site_code"])
        for s in handle.sites
        if down or s["unit_id"] not in planted
    ]


def _db(tmp_path) -> Database:
    return Database.open(f"sqlite:///{tmp_path / 'zwgk.db'}")


# ------------------------------------------------------------------ the assessor's outage


def test_resolver_gone_mid_round_vetoes_no_site(tmp_path):
    """The farm's DNS stops answering after a few sites: the rest are unverified, none is down."""
    from zwgk.app import RoundOptions, run_round

    with running_farm(FarmConfig(sites=10, seed=3)) as handle:
        servers, port = start_dns(handle.farm, "127.0.0.1", 0)
        try:
            db = _db(tmp_path)
            units = _units(handle)
            upsert_units(db, units)
            done: list[str] = []

            def progress(event: dict[str, Any]) -> None:
                if event.get("stage") == "site_done":
                    done.append(event["unit_id"])
                    if len(done) == 3:
                        set_answering(servers, False)  # the assessor's resolver is gone

            opts = RoundOptions(
                name="outage",
                as_of=handle.config.as_of,
                resolver=f"127.0.0.1:{port}",
                allow_private=True,
                unit_ids=[u.unit_id for u in units],
                crawl={**FAST, "sites_in_flight": 2},
            )
            result = run_round(db, opts, progress=progress)
        finally:
            stop_dns(servers)

    from zwgk.storage.results import list_findings

    findings = list_findings(db, result.round_id)
    assert not [f for f in findings if f.rule == "AVAIL-DOWN"], "the assessor's outage became a site's finding"
    # a unit vetoed at all is vetoed for tampering its pages showed (read before the outage),
    # never for availability or freshness
    vetoed = {s.unit_id for s in result.scores if s.veto}
    tampered = {f.unit_id for f in findings if f.rule.startswith("CONTENT") and f.severity == "veto" and f.in_force}
    assert vetoed <= tampered, "the assessor's outage vetoed a unit"
    unverified = {u: r for u, r in result.failed.items() if r.startswith(OUTAGE_PREFIX)}
    assert not vetoed & set(unverified), "a unit left unverified by the outage was vetoed"
    assert unverified, f"no site was left unverified by the outage: {result.failed}"
    assert all("control queries" in r for r in unverified.values()), unverified
    assert set(done[:3]).isdisjoint(unverified)  # sites crawled before the outage keep their results
    for unit_id in unverified:
        score = next(s for s in result.scores if s.unit_id == unit_id)
        assert not score.measured and score.reason.startswith(OUTAGE_PREFIX)
    # DNS silence is no proof that a name does not exist: no page is "broken" for it
    for unit in units:
        for page in load_pages(db, result.round_id, unit.unit_id).values():
            if "DNS" in page.error and "NXDOMAIN" not in page.error:
                assert page.outcome == "transient", (page.url, page.outcome, page.error)
    db.dispose()


def test_down_site_with_the_network_fine_is_a_review_candidate_after_spaced_checks(tmp_path):
    """The farm's planted down site, with the resolver answering: AVAIL-DOWN from the crawl's
    spaced checks, as a review candidate (the key still matches the farm's truth)."""
    with running_farm(FarmConfig(sites=24, seed=1)) as handle:
        planted = {d["unit_id"] for d in handle.truth["defects"] if d["rule"] == "AVAIL-DOWN"}
        assert planted, "the default farm plants a down site"
        units = [u for u in _units(handle, down=True) if u.unit_id in planted]
        assert len(units) == len(planted)
        db = _db(tmp_path)
        upsert_units(db, units)
        info, _ = create_round(db, "down", as_of=handle.config.as_of, rubric="national-2019", weight=0.05, units=units)
        settings = CrawlSettings(resolver=handle.resolver, allow_private=True, **FAST)
        rubric = load_rubric("national-2019")
        summary = crawl_round(db, info.id, units, settings, rubric.column_synonyms())
    for unit in units:
        assert unit.unit_id in summary.failed and not summary.failed[unit.unit_id].startswith(OUTAGE_PREFIX)
        snap = load_snapshot(db, info.id, unit, handle.config.as_of)
        assert len(snap.probes["home"]["checks"]) == settings.home_checks
        [f] = [f for f in evaluate(snap, rubric) if f.rule == "AVAIL-DOWN"]
        assert (f.unit_id, f.rule, f.subject) in {
            (d["unit_id"], d["rule"], d["subject"]) for d in handle.truth["defects"]
        }
        assert f.evidence["confidence"] == "review" and f.evidence["source"] == "crawl"
    db.dispose()


def test_control_hosts_and_failure_share_tell_an_outage(tmp_path):
    """Control hosts: one farm host answering is enough; none answering (a closed loopback port)
    is an outage.  The failure share: nearly all homepages silent in the window is one too."""
    with running_farm(FarmConfig(sites=2, seed=5)) as handle:
        alive = handle.sites[0]["url"]

        async def verdict(controls: tuple[str, ...], silent_homes: int = 0, **extra: Any) -> str:
            settings = CrawlSettings(
                resolver=handle.resolver,
                allow_private=True,
                control_urls=controls,
                **{**FAST, **extra},
            )
            async with Fetcher(settings) as fetcher:
                guard = OutageGuard(fetcher, settings)
                for i in range(silent_homes):
                    guard.note_home(f"http://s{i}.example.gov.cn/", {"outcome": "transient", "status": None})
                return await guard.check()

        assert asyncio.run(verdict((alive, "http://127.0.0.1:9/"))) == ""
        reason = asyncio.run(verdict(("http://127.0.0.1:9/",)))
        assert reason.startswith("none of the 1 control hosts answered"), reason
        assert asyncio.run(verdict((), silent_homes=4)) == ""  # under outage_min_sites
        assert "got no answer at all" in asyncio.run(verdict((), silent_homes=5))


# ------------------------------------------------------------------ one slow host


def _tarpit_round(tmp_path, **settings_over: Any):
    """A round of one healthy farm site and the tarpit site (its own loopback port)."""
    corpus = HostileCorpus(tarpit_links=40, tarpit_interval=1.0, drip_limit=60)
    with (
        running_farm(FarmConfig(sites=6, seed=1)) as handle,
        running_hostile_server(corpus) as tarpit,
    ):
        healthy = _units(handle)[0]
        trap = Unit("tarpit", "慢速站点", "县", "department", tarpit.url(TARPIT.path))
        units = [healthy, trap]
        db = _db(tmp_path)
        upsert_units(db, units)
        info, _ = create_round(
            db,
            "tarpit",
            as_of=handle.config.as_of,
            rubric="national-2019",
            weight=0.05,
            units=units,
        )
        settings = CrawlSettings(resolver=handle.resolver, allow_private=True, **{**TIMEOUTS, **settings_over})
        rubric = load_rubric("national-2019")
        events: list[dict[str, Any]] = []
        crawl_round(db, info.id, units, settings, rubric.column_synonyms(), progress=events.append)
        truth = {  # no register, 新媒体 export or 要点 dates given here: what the site shows
            (d["unit_id"], d["rule"], d["subject"])
            for d in handle.truth["defects"]
            if d["unit_id"] == healthy.unit_id and "input" not in d
        }
    served = sum(n for path, n in corpus.hits.items() if path.startswith("/tarpit/") and path != TARPIT.path)
    findings = {u.unit_id: evaluate(load_snapshot(db, info.id, u, handle.config.as_of), rubric) for u in units}
    pages = {u.unit_id: load_pages(db, info.id, u.unit_id) for u in units}
    states = site_states(db, info.id)
    db.dispose()
    cut = {e["unit_id"] for e in events if e.get("stage") == "site_budget"}  # stopped by their budget
    return healthy, truth, served, findings, pages, states, settings, cut


def test_tarpit_host_circuit_opens_and_its_urls_stay_unverified(tmp_path):
    healthy, truth, served, findings, pages, states, settings, cut = _tarpit_round(tmp_path, breaker_failures=3)
    assert not cut  # the breaker alone ended it
    assert states == {healthy.unit_id: "crawled", "tarpit": "crawled"}
    slow = {u: p for u, p in pages["tarpit"].items() if "/tarpit/" in u and not u.endswith(TARPIT.path)}
    assert len(slow) == 40, "every tarpit link is recorded"
    assert {p.outcome for p in slow.values()} <= {"transient", "skipped"}, "a tarpit URL was judged"
    opened = [p for p in slow.values() if p.error.startswith(BREAKER_ERROR)]
    assert opened and all("not verified" in p.error for p in opened)
    # without the breaker the tarpit would have been asked 40 × (retries + 1) = 80 times
    assert served <= 2 * (settings.breaker_failures + settings.per_host_concurrency)
    assert not [f for f in findings["tarpit"] if f.rule.startswith("LINK-")]
    # the healthy site in the same round was fully judged: its findings are the farm's truth
    found = {(f.unit_id, f.rule, f.subject) for f in findings[healthy.unit_id]}
    assert found == truth, {"missed": sorted(truth - found), "spurious": sorted(found - truth)}
    assert not [p for p in pages[healthy.unit_id].values() if BREAKER_ERROR in p.error or BUDGET_ERROR in p.error]


def test_tarpit_site_ends_at_its_time_budget_with_the_rest_unverified(tmp_path):
    """Breaker off: the site's time budget alone ends the crawl; what was not reached is skipped."""
    healthy, truth, served, findings, pages, states, _, cut = _tarpit_round(
        tmp_path, breaker_failures=0, site_budget_s=25.0, per_host_concurrency=2
    )
    assert cut == {"tarpit"}
    assert states["tarpit"] == "crawled" and states[healthy.unit_id] == "crawled"
    slow = [p for u, p in pages["tarpit"].items() if "/tarpit/" in u and not u.endswith(TARPIT.path)]
    assert len(slow) == 40 and {p.outcome for p in slow} <= {"transient", "skipped"}
    budget = [p for p in slow if p.error.startswith(BUDGET_ERROR)]
    assert budget and all(p.outcome == "skipped" for p in budget)
    assert served < 40  # most were never asked: the budget ran out first
    assert not [f for f in findings["tarpit"] if f.rule.startswith("LINK-")]
    found = {(f.unit_id, f.rule, f.subject) for f in findings[healthy.unit_id]}
    assert found == truth
