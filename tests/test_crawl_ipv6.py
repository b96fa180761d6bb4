"""The IPv6 probe tells none / refused / mismatch / same apart, and never breaks the IPv4 crawl.

Each site name is answered by a real dnslib server: A 127.0.0.1 and (or not)
AAAA ::1.  The IPv4 side is a server on 127.0.0.1; the IPv6 side, when there
is one, a separate server on [::1] with the same port.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_crawl import SYNONYMS, MiniWeb, fast_settings, free_dual_port, unit_for

HOME = (
    '<html><head><title>测试县人民政府</title></head><body><div class="nav">'
    '<a href="/zcwj/">政策文件</a><a href="/a.html">要闻</a></div>'
    '<input type="hidden" name="__VIEWSTATE" value="{state}"><script nonce="{nonce}">var t=1;</script>'
    "<p>更新时间 {stamp}</p>" + "<p>政府信息公开 政务服务 互动交流</p>" * 30 + "</body></html>"
)


def _serve(host: str, port: int, home: str, inner: bool = True) -> MiniWeb:
    w = MiniWeb(host=host, port=port).start()
    w.add("/", home)
    if not inner:
        return w
    w.add("/zcwj/", "<html><title>政策文件</title><ul><li><a href='/a.html'>a</a> 2023-01-01</li></ul></html>")
    w.add("/a.html", "<html><title>a</title><p>发布日期：2023-01-01</p></html>")
    return w


@pytest.fixture
def dual(zone_dns):
    servers: list[MiniWeb] = []

    def make(name: str, v6: str | None) -> str:
        """Start the IPv4 side (and the IPv6 side: 'same' / 'maintenance' / None) of ``name``."""
        port = free_dual_port()
        servers.append(_serve("127.0.0.1", port, HOME.format(state="AAAA", nonce="n1", stamp="2026-11-20 10:00:01")))
        if v6 == "same":
            servers.append(_serve("::1", port, HOME.format(state="BBBBBBBB", nonce="zz9", stamp="2026-11-20 10:00:07")))
        elif v6 == "maintenance":
            servers.append(
                _serve(
                    "::1", port, "<html><title>系统维护</title><body>系统维护中，请稍后访问</body></html>", inner=False
                )
            )
        return f"http://{name}:{port}/"

    yield make
    for server in servers:
        server.stop()


def _crawl(db, crawl_round_setup, zone_dns, url: str):
    from zwgk.crawlers import crawl_round
    from zwgk.storage.snapshot import load_snapshot

    unit = unit_for(url)
    round_id = crawl_round_setup([unit])
    settings = fast_settings(resolver=zone_dns.address, ipv6_probe=True, retries=0, ipv6_attempt_spacing=0.05)
    summary = crawl_round(db, round_id, [unit], settings, SYNONYMS)
    return summary, load_snapshot(db, round_id, unit, dt.date(2026, 11, 20))


def _assert_ipv4_crawl_complete(summary, snap):
    assert summary.crawled == ["u1"]
    assert snap.home.outcome == "ok" and snap.home.title == "测试县人民政府"
    assert any(p.kind == "column" and p.facts.get("column") == "政策文件" for p in snap.pages.values())


def test_ipv6_none(db, zone_dns, dual, crawl_round_setup):
    zone_dns.set("www.v4only.gov.cn", a=["127.0.0.1"])
    summary, snap = _crawl(db, crawl_round_setup, zone_dns, dual("www.v4only.gov.cn", None))
    _assert_ipv4_crawl_complete(summary, snap)
    ipv6 = snap.probes["ipv6"]
    assert ipv6["aaaa"] == [] and ipv6["a"] == ["127.0.0.1"]
    assert ipv6["tcp6"] is False and ipv6["error"] == "no AAAA record"
    assert snap.probes["dns"] == {"a": ["127.0.0.1"], "aaaa": [], "error": ""}


def test_ipv6_refused(db, zone_dns, dual, crawl_round_setup):
    zone_dns.set("www.v6refused.gov.cn", a=["127.0.0.1"], aaaa=["::1"])
    summary, snap = _crawl(db, crawl_round_setup, zone_dns, dual("www.v6refused.gov.cn", None))
    _assert_ipv4_crawl_complete(summary, snap)
    ipv6 = snap.probes["ipv6"]
    assert ipv6["aaaa"] == ["::1"] and ipv6["tcp6"] is False
    assert "connection refused" in ipv6["error"]
    assert ipv6["http6_status"] is None


def test_ipv6_mismatch(db, zone_dns, dual, crawl_round_setup):
    zone_dns.set("www.v6maint.gov.cn", a=["127.0.0.1"], aaaa=["::1"])
    summary, snap = _crawl(db, crawl_round_setup, zone_dns, dual("www.v6maint.gov.cn", "maintenance"))
    _assert_ipv4_crawl_complete(summary, snap)  # the maintenance page never reached the snapshot
    ipv6 = snap.probes["ipv6"]
    assert ipv6["tcp6"] is True and ipv6["http6_status"] == 200
    assert ipv6["same_content"] is False and ipv6["similarity"] < 0.9
    assert "differs" in ipv6["error"]
    assert ipv6["inner_v6_share"] == 0.0  # /zcwj/ and /a.html are 404 on the IPv6 side
    assert len(ipv6["inner"]["level2"]["failed"]) == 2


def test_ipv6_same_content_despite_nonces_and_viewstate(db, zone_dns, dual, crawl_round_setup):
    zone_dns.set("www.v6ok.gov.cn", a=["127.0.0.1"], aaaa=["::1"])
    summary, snap = _crawl(db, crawl_round_setup, zone_dns, dual("www.v6ok.gov.cn", "same"))
    _assert_ipv4_crawl_complete(summary, snap)
    ipv6 = snap.probes["ipv6"]
    assert ipv6["tcp6"] is True and ipv6["http6_status"] == 200
    assert ipv6["same_content"] is True and ipv6["similarity"] >= 0.9
    assert ipv6["inner_v6_share"] == 1.0 and ipv6["inner_checked"] == 2
    assert ipv6["error"] == ""
    # five spaced attempts (CrawlSettings.ipv6_home_attempts), all loaded
    assert ipv6["v6_attempts"] == 5 and ipv6["v6_ok"] == 5 and ipv6["success_rate"] == 1.0
    level2 = ipv6["inner"]["level2"]
    assert level2["checked"] == 2 and level2["share"] == 1.0 and level2["sample_size"] == 20
    assert ipv6["inner"]["level3"]["checked"] == 0  # /zcwj/ links only to /a.html, a 二级 link itself
    # this zone's DNS answers no NS query: the delegation chain is unknown, never "incomplete"
    assert ipv6["delegation"]["complete"] is None and ipv6["delegation"]["error"]


def test_noise_stripping():
    from zwgk.crawlers.ipv6 import similarity, strip_noise

    a = '<input type="hidden" name="__VIEWSTATE" value="abc"><script nonce="x1">1</script> 2026-11-20 10:00:01'
    b = '<input type="hidden" name="__VIEWSTATE" value="zzzzzzzzzzzz"><script nonce="y22">1</script> 2025-01-02 23:59:59'
    assert strip_noise(a) == strip_noise(b)
    assert similarity(a, b) == 1.0
