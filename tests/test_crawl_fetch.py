"""The downloader and the SSRF policy, against real loopback servers and a real DNS server."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket

import pytest
from aiohttp import web

from tests.fixtures_crawl import SYNONYMS, fast_settings, unit_for
from zwgk.crawlers.decode import decode_body
from zwgk.crawlers.fetcher import Fetcher, retry_after_seconds
from zwgk.crawlers.net import is_refused_address


def fetch(settings, url, **kw):
    async def go():
        async with Fetcher(settings) as f:
            return await f.fetch(url, **kw)

    return asyncio.run(go())


def test_private_ip_literal_refused_without_flag(miniweb):
    miniweb.add("/", "<html><title>x</title></html>")
    result = fetch(fast_settings(allow_private=False), miniweb.url("/"))
    assert (result.outcome, result.error) == ("skipped", "private address refused")
    assert miniweb.count("/") == 0  # nothing was sent
    assert fetch(fast_settings(allow_private=True), miniweb.url("/")).outcome == "ok"


def test_private_name_refused_via_resolver(miniweb, zone_dns):
    miniweb.add("/", "<html><title>x</title></html>")
    zone_dns.set("www.inner.gov.cn", a=["127.0.0.1"])
    url = f"http://www.inner.gov.cn:{miniweb.port}/"
    refused = fetch(fast_settings(allow_private=False, resolver=zone_dns.address), url)
    assert (refused.outcome, refused.error) == ("skipped", "private address refused")
    assert miniweb.count("/") == 0
    allowed = fetch(fast_settings(allow_private=True, resolver=zone_dns.address), url)
    assert allowed.outcome == "ok" and allowed.status == 200


def test_redirect_to_private_refused(miniweb):
    # The first hop is allowed (as if public); the redirect to the metadata address is not followed.
    miniweb.add("/go", "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    result = fetch(fast_settings(allow_private=True), miniweb.url("/go"))
    # allow_private opens loopback and intranets, never the cloud-metadata endpoint
    assert result.outcome == "skipped", result
    assert is_refused_address("169.254.169.254") and is_refused_address("10.1.2.3") and is_refused_address("::1")
    assert (
        is_refused_address("fe80::1") and is_refused_address("224.0.0.1") and not is_refused_address("202.96.134.133")
    )
    assert result.redirects == ["http://169.254.169.254/latest/meta-data/"]


def test_nxdomain_is_broken(zone_dns):
    result = fetch(fast_settings(resolver=zone_dns.address), "http://nx.nowhere.gov.cn/")
    assert result.outcome == "broken" and "NXDOMAIN" in result.error


def test_connection_refused_is_broken():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result = fetch(fast_settings(), f"http://127.0.0.1:{port}/")
    assert (result.outcome, result.error) == ("broken", "connection refused")


def test_persistent_5xx_is_transient_after_retries(miniweb):
    miniweb.add("/down", "oops", status=502)
    result = fetch(fast_settings(retries=2), miniweb.url("/down"))
    assert result.outcome == "transient" and "after 3 attempts" in result.error
    assert miniweb.count("/down") == 3


def test_timeout_is_transient_not_broken(miniweb):
    async def slow(request, n):
        await asyncio.sleep(2)
        return web.Response(text="late")

    miniweb.add("/slow", slow)
    result = fetch(fast_settings(retries=1, total_timeout=0.3), miniweb.url("/slow"))
    assert result.outcome == "transient" and result.error.startswith("timeout")
    assert miniweb.count("/slow") == 2


def test_too_many_redirects(miniweb):
    for i in range(8):
        miniweb.add(f"/r{i}", "", status=301, headers={"Location": f"/r{i + 1}"})
    result = fetch(fast_settings(max_redirects=3), miniweb.url("/r0"))
    assert result.outcome == "broken" and "too many redirects" in result.error
    assert miniweb.count("/r4") == 0


def test_size_cap_and_partial_read_of_attachments(miniweb):
    miniweb.add("/big.html", "<html>" + "汉" * 400_000 + "</html>")
    miniweb.add("/big.zip", b"PK" + b"\0" * 3_000_000, content_type="application/zip")
    page = fetch(fast_settings(max_page_bytes=100_000), miniweb.url("/big.html"))
    assert page.outcome == "ok" and "cut at 100000" in page.error and len(page.text) < 40_000
    attachment = fetch(fast_settings(), miniweb.url("/big.zip"), full_body=False)
    assert attachment.outcome == "ok" and attachment.text is None


def test_retry_after_header_forms():
    assert retry_after_seconds("5", cap=30) == 5
    assert retry_after_seconds("999", cap=30) == 30
    assert retry_after_seconds(None, cap=30) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", cap=30) == 0


def test_decoding_order():
    text = "发布日期：2023年5月16日 政府信息公开"
    gbk = text.encode("gbk")
    assert decode_body(gbk, "text/html; charset=gbk") == (text, "gb18030")
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + gbk
    assert decode_body(meta, "text/html")[0].endswith(text)
    assert decode_body(text.encode("utf-8"), None) == (text, "utf-8")
    sniffed, codec = decode_body(("<html><body><p>" + text * 20 + "</p></body></html>").encode("gb18030"), None)
    assert text in sniffed and codec != "utf-8"


def test_crawl_of_private_site_fails_with_reason(db, miniweb, crawl_round_setup):
    from zwgk.crawlers import crawl_round
    from zwgk.storage.snapshot import load_snapshot, site_states

    miniweb.add("/", "<html><title>x</title></html>")
    unit = unit_for(miniweb.url("/"))
    round_id = crawl_round_setup([unit])
    summary = crawl_round(db, round_id, [unit], fast_settings(allow_private=False), SYNONYMS)
    assert summary.failed == {"u1": "homepage skipped: private address refused"}
    assert site_states(db, round_id) == {"u1": "failed"}
    assert miniweb.hits == {}
    snap = load_snapshot(db, round_id, unit, dt.date(2026, 11, 20))
    assert snap.home.outcome == "skipped"


def test_robots_disallow_is_respected_and_configurable(db, miniweb, crawl_round_setup):
    from zwgk.crawlers import crawl_round

    miniweb.add("/robots.txt", "User-agent: *\nDisallow: /zcwj/\n", content_type="text/plain")
    miniweb.add("/", '<html><div class="nav"><a href="/zcwj/">政策文件</a></div></html>')
    miniweb.add("/zcwj/", "<html><ul><li><a href='/a.html'>a</a> 2023-01-01</li></ul></html>")
    unit = unit_for(miniweb.url("/"))
    crawl_round(db, crawl_round_setup([unit]), [unit], fast_settings(), SYNONYMS)
    assert miniweb.count("/zcwj/") == 0
    crawl_round(db, crawl_round_setup([unit]), [unit], fast_settings(respect_robots=False), SYNONYMS)
    assert miniweb.count("/zcwj/") == 1


@pytest.mark.parametrize("address", ["169.254.169.254", "100.100.100.200", "169.254.0.23", "fd00:ec2::254"])
def test_cloud_metadata_is_refused_even_with_allow_private(address):
    from zwgk.crawlers.net import PrivateAddressRefused, check_address

    with pytest.raises(PrivateAddressRefused):
        check_address("metadata.example", address, allow_private=True)
    check_address("intranet.example", "10.1.2.3", allow_private=True)  # the flag still opens intranets


def test_throttle_never_speeds_up_on_errors_and_keeps_the_crawl_delay_floor():
    """AutoThrottle: fast answers shorten the delay, errors never do; Crawl-delay is a floor."""
    from zwgk.crawlers.fetcher import HostSlot
    from zwgk.crawlers.settings import CrawlSettings

    slot = HostSlot(CrawlSettings(min_delay=0.0, max_delay=30.0))
    slot.feedback(latency=4.0, ok=True)
    slow = slot.delay
    assert slow > 0
    for _ in range(5):
        before = slot.delay
        slot.feedback(latency=0.001, ok=False)  # a fast error is no reason to hurry
        assert slot.delay >= before
    for _ in range(20):
        slot.feedback(latency=0.001, ok=True)
    assert slot.delay < slow  # healthy fast answers bring it down again

    slot.set_floor(2.0)  # robots.txt: Crawl-delay: 2
    for _ in range(20):
        slot.feedback(latency=0.001, ok=True)
    assert slot.delay == 2.0


def test_brotli_body_is_decoded(miniweb):
    import brotli

    page = "<html><head><title>某某县人民政府</title></head><body>政务公开</body></html>"
    miniweb.add("/br.html", brotli.compress(page.encode("utf-8")), headers={"Content-Encoding": "br"})
    result = fetch(fast_settings(allow_private=True), miniweb.url("/br.html"))
    assert result.outcome == "ok" and "政务公开" in result.text


def test_waf_challenge_412_is_blocked_not_broken(miniweb):
    miniweb.add("/waf.html", "<html><script>/* challenge */</script></html>", status=412)
    result = fetch(fast_settings(allow_private=True), miniweb.url("/waf.html"))
    assert result.outcome == "blocked" and result.status == 412


def test_waiting_for_a_pooled_connection_is_not_a_timeout(miniweb):
    """More requests than pooled connections: the queue wait is not charged to a request's timeout
    (it used to turn healthy pages into 'timeout' failures with hundreds of sites in flight)."""
    miniweb.delay = 0.4
    for i in range(8):
        miniweb.add(f"/p{i}.html", f"<html><title>p{i}</title></html>")
    settings = fast_settings(
        allow_private=True, global_concurrency=2, per_host_concurrency=8, total_timeout=1.0, retries=0
    )

    async def go():
        async with Fetcher(settings) as f:
            return await asyncio.gather(*(f.fetch(miniweb.url(f"/p{i}.html")) for i in range(8)))

    results = asyncio.run(go())
    assert [r.outcome for r in results] == ["ok"] * 8  # 8 × 0.4 s through 2 connections: 1.6 s > the 1 s timeout
