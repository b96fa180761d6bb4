"""Snapshot storage, kill -9 and resume, and conditional re-fetch (ETag / Last-Modified)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from tests.fixtures_crawl import SYNONYMS, MiniWeb, build_county_site, fast_settings, unit_for
from zwgk.model import Link, Page
from zwgk.storage import snapshot

AS_OF = dt.date(2026, 11, 20)
CHILD = """
import json, sys
from zwgk.crawlers import CrawlSettings, crawl_round
from zwgk.model import Unit
from zwgk.storage import Database
args = json.loads(sys.argv[1])
db = Database.open(args["db"])
crawl_round(db, args["round"], [Unit(**u) for u in args["units"]], CrawlSettings(**args["settings"]), args["synonyms"])
"""


def _view(db, round_id: int, unit) -> dict:
    snap = snapshot.load_snapshot(db, round_id, unit, AS_OF)
    pages = {
        url: (p.status, p.outcome, p.kind, p.depth, p.title, p.pub_date, p.date_source, p.final_url, p.error, p.facts)
        for url, p in snap.pages.items()
    }
    links = sorted((link.source, link.target, link.anchor, link.tag) for link in snap.links)
    return {"pages": pages, "links": links, "probes": snap.probes, "homepage": snap.homepage}


def test_snapshot_store_roundtrip(db, crawl_round_setup):
    unit = unit_for("http://www.x.gov.cn")
    round_id = crawl_round_setup([unit])
    snapshot.begin_site(db, round_id, "u1", "http://www.x.gov.cn/")
    assert snapshot.site_states(db, round_id) == {"u1": "crawling"}
    page = Page(
        url="http://www.x.gov.cn/", status=200, outcome="ok", kind="home", title="旧", facts={"meta": {"a": "1"}}
    )
    snapshot.write_pages(db, round_id, "u1", [page])
    page2 = Page(
        url="http://www.x.gov.cn/",
        status=200,
        outcome="ok",
        kind="home",
        title="新",
        pub_date=dt.date(2024, 1, 2),
        facts={"nav": []},
    )
    snapshot.write_pages(db, round_id, "u1", [page2])  # upsert: same URL, new values
    link = Link("http://www.x.gov.cn/", "http://www.x.gov.cn/a.html", "甲", "a")
    assert snapshot.write_links(db, round_id, "u1", [link, link]) == 1
    assert snapshot.write_links(db, round_id, "u1", [link]) == 0
    snapshot.finish_site(
        db, round_id, "u1", "crawled", probes={"ipv6": {"aaaa": []}}, stats={"homepage": "http://www.x.gov.cn/"}
    )
    snap = snapshot.load_snapshot(db, round_id, unit, AS_OF)
    assert list(snap.pages) == ["http://www.x.gov.cn/"]
    assert snap.home.title == "新" and snap.home.pub_date == dt.date(2024, 1, 2) and snap.home.facts == {"nav": []}
    assert snap.links == [link] and snap.probes == {"ipv6": {"aaaa": []}}
    snapshot.reset_site(db, round_id, "u1")
    assert snapshot.site_states(db, round_id) == {"u1": "pending"}
    assert snapshot.load_snapshot(db, round_id, unit, AS_OF).pages == {}
    with pytest.raises(Exception, match="not part of round"):
        snapshot.finish_site(db, round_id, "nobody", "crawled")


@pytest.fixture
def four_sites():
    servers = []
    for _ in range(4):
        w = MiniWeb().start()
        build_county_site(w)
        w.delay = 0.01
        servers.append(w)
    yield servers
    for w in servers:
        w.stop()


def test_kill_9_and_resume_equals_uninterrupted(db_url, tmp_path, four_sites, crawl_round_setup, db):
    from zwgk.crawlers import crawl_round
    from zwgk.storage import Database

    units = [unit_for(w.url("/"), unit_id=f"u{i}", name=f"县{i}") for i, w in enumerate(four_sites)]
    settings = fast_settings(sites_in_flight=1, write_batch=5)
    round_id = crawl_round_setup(units)
    args = {
        "db": db_url,
        "round": round_id,
        "units": [
            {"unit_id": u.unit_id, "name": u.name, "tier": u.tier, "kind": u.kind, "site_url": u.site_url}
            for u in units
        ],
        "settings": {k: v for k, v in settings.to_dict().items() if k not in ("article_columns", "hub_names")},
        "synonyms": SYNONYMS,
    }
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], env=env, stderr=subprocess.PIPE)
    killed_while = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        states = snapshot.site_states(db, round_id)
        crawling = [u for u, s in states.items() if s == "crawling"]
        if "crawled" in states.values() and crawling:
            partial = snapshot.load_pages(db, round_id, crawling[0])
            if partial:
                os.kill(child.pid, signal.SIGKILL)
                killed_while = (crawling[0], len(partial), dict(states))
                break
        time.sleep(0.01)
    child.wait(30)
    assert killed_while is not None, f"crawl ended before it could be killed: {child.stderr.read().decode()[-2000:]}"
    assert child.returncode == -signal.SIGKILL
    unit_killed, partial_pages, states_at_kill = killed_while

    summary = crawl_round(db, round_id, units, settings, SYNONYMS)
    done_before = [u for u, s in states_at_kill.items() if s == "crawled"]
    assert sorted(summary.skipped) == sorted(done_before)  # finished sites were not redone
    assert unit_killed in summary.crawled
    assert set(snapshot.site_states(db, round_id).values()) == {"crawled"}

    reference = Database.open(f"sqlite:///{tmp_path / 'reference.db'}")
    from zwgk.storage.rounds import create_round
    from zwgk.storage.tables import UnitRow

    with reference.session() as s:
        for u in units:
            s.add(UnitRow(unit_id=u.unit_id, name=u.name, tier=u.tier, kind=u.kind, site_url=u.site_url))
    ref_round, _ = create_round(reference, "ref", as_of=AS_OF, rubric="test", weight=0.05, units=units)
    crawl_round(reference, ref_round.id, units, settings, SYNONYMS)
    for unit in units:
        resumed, uninterrupted = _view(db, round_id, unit), _view(reference, ref_round.id, unit)
        assert resumed["pages"].keys() == uninterrupted["pages"].keys()
        assert resumed == uninterrupted, unit.unit_id
    assert partial_pages > 0
    reference.dispose()


def test_conditional_refetch_copies_previous_facts(db, miniweb, crawl_round_setup):
    from zwgk.crawlers import crawl_round

    seen_validators: list[tuple[str | None, str | None]] = []

    def home(request: web.Request, n: int) -> web.Response:
        seen_validators.append((request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        body = '<html><head><title>首页</title></head><body><div class="nav"><a href="/zcwj/">政策文件</a></div><div class="footer">网站标识码：3609220011</div></body></html>'
        return web.Response(
            text=body,
            content_type="text/html",
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Nov 2026 00:00:00 GMT"},
        )

    miniweb.add("/", home)
    miniweb.add("/zcwj/", "<html><title>政策文件</title><ul><li><a href='/a.html'>甲</a> 2026-01-01</li></ul></html>")
    miniweb.add("/a.html", "<html><title>甲</title><p>发布日期：2026-01-01</p></html>")
    unit = unit_for(miniweb.url("/"))
    first = crawl_round_setup([unit], name="2026-Q3", as_of=dt.date(2026, 9, 30))
    crawl_round(db, first, [unit], fast_settings(), SYNONYMS)
    second = crawl_round_setup([unit], name="2026-Q4", as_of=AS_OF)
    crawl_round(db, second, [unit], fast_settings(), SYNONYMS)

    assert seen_validators == [(None, None), ('"v1"', "Wed, 01 Nov 2026 00:00:00 GMT")]
    old = snapshot.load_snapshot(db, first, unit, AS_OF)
    new = snapshot.load_snapshot(db, second, unit, AS_OF)
    assert new.home.outcome == "ok" and new.home.title == "首页"
    assert new.home.facts["footer"] == old.home.facts["footer"]
    assert new.home.facts["not_modified"] is True and new.home.facts["copied_from_round"] == first
    # The copied links still drive the crawl: the column behind the 304 homepage was crawled.
    assert new.pages[miniweb.url("/zcwj/")].facts["column"] == "政策文件"
    assert {link.target for link in new.links if link.source == new.homepage} == {
        link.target for link in old.links if link.source == old.homepage
    }
