"""The running farm behaves as its truth file says (real server, loopback only)."""

from __future__ import annotations

import gzip
import re

import aiohttp
import dns.resolver
import pytest

from tests.farm_client import fetch, meta, raw_get, resolver, text


def _sites(handle, predicate):
    farm = handle.farm
    return [(spec, farm.site(spec)) for spec in farm.specs if predicate(farm.site(spec))]


def _defects(handle, rule):
    return [d for d in handle.truth["defects"] if d["rule"] == rule]


@pytest.fixture
def fresh(farm_factory):
    """A default farm of its own: per-URL failure counters start at zero."""
    return farm_factory()


def test_homepages_serve_site_meta_and_footer(farm):
    for site in farm.truth["sites"][:8]:
        if site["traditional"] or any(
            d["unit_id"] == site["unit_id"] and d["rule"] == "AVAIL-DOWN" for d in farm.truth["defects"]
        ):
            continue
        status, headers, body = fetch(site["url"])
        page = text(body)
        assert status == 200
        assert "text/html" in headers["Content-Type"]
        assert meta(page, "SiteDomain") in (site["host"], None)
        assert "bszs.conac.cn" in page and "主办：" in page


def test_transient_urls_fail_then_succeed_on_retry(fresh):
    cases = [
        (spec, path, mode)
        for spec, site in _sites(fresh, lambda s: s.transient)
        for path, (n, mode) in site.transient.items()
    ]
    modes = {mode for _, _, mode in cases}
    assert {"503", "reset", "429"} <= modes
    urls = set(fresh.truth["transient"])
    for spec, path, mode in cases:
        url = fresh.url(spec.unit_id).rstrip("/") + path
        assert url in urls
        failures = fresh.farm.site(spec).transient[path][0]
        for _ in range(failures):
            if mode == "reset":
                with pytest.raises(ConnectionError):
                    raw_get(url)
            else:
                status, headers, _ = fetch(url)
                assert status == int(mode)
                if mode == "429":
                    assert headers["Retry-After"] == "1"
        status, _, _ = fetch(url)
        assert status == 200, (url, mode)


def test_head_refused_while_get_200(farm):
    spec, site = _sites(farm, lambda s: s.head405 and not s.down)[0]
    item = next(
        o for k, o in site.pages.values() if k == "article" and o.path not in site.transient and o.path not in site.slow
    )
    url = farm.url(spec.unit_id).rstrip("/") + item.path
    assert fetch(url, "HEAD")[0] in (404, 405)
    assert fetch(url)[0] == 200


def test_redirect_loop_is_a_loop_and_recorded_as_trap(farm):
    spec, _site = _sites(farm, lambda s: s.loop and not s.down)[0]
    url = farm.url(spec.unit_id).rstrip("/") + "/loop/a.html"
    assert url in farm.truth["traps"]
    seen = []
    for _ in range(4):
        status, headers, _ = fetch(url)
        assert status in (301, 302)
        seen.append(url)
        url = farm.url(spec.unit_id).rstrip("/") + headers["Location"]
    assert seen[0] == seen[2] and seen[1] == seen[3] and seen[0] != seen[1]


def test_calendar_trap_generates_endless_distinct_pages(farm):
    spec, site = _sites(farm, lambda s: s.calendar and not s.down)[0]
    base = farm.url(spec.unit_id).rstrip("/")
    url = base + site.calendar
    assert url in farm.truth["traps"]
    seen = set()
    for _ in range(25):
        status, _, body = fetch(url)
        assert status == 200
        page = text(body)
        seen.add(page)
        nxt = re.search(r'href="([^"]*\?date=[^"]+)">后一天', page).group(1)
        url = base + nxt
        assert any(url.startswith(p) for p in farm.truth["trap_prefixes"])
    assert len(seen) == 25


def test_gbk_pages_decode_with_gb18030_not_utf8(farm):
    spec, _site = _sites(farm, lambda s: s.charset == "gbk" and not s.down)[0]
    status, headers, body = fetch(farm.url(spec.unit_id))
    assert status == 200 and "charset=gbk" in headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert spec.name in body.decode("gb18030")


def test_meta_only_gb2312_pages_have_no_header_charset(farm_factory):
    handle = farm_factory(sites=60)
    spec, _site = _sites(handle, lambda s: s.charset == "gb2312-meta" and not s.down)[0]
    _status, headers, body = fetch(handle.url(spec.unit_id))
    assert "charset" not in headers["Content-Type"]
    assert b'<meta charset="gb2312">' in body
    assert spec.name in body.decode("gb18030")


def test_traditional_rendering(farm_factory):
    handle = farm_factory(sites=80)
    spec, site = _sites(handle, lambda s: s.traditional and not s.down)[0]
    item = next(
        o
        for k, o in site.pages.values()
        if k == "article" and o.kind == "doc" and o.path not in site.transient and o.path not in site.slow
    )
    page = text(fetch(handle.url(spec.unit_id).rstrip("/") + item.path)[2])
    assert ("發" in page and "發佈" in page) or "發布" in page
    assert "政府信息公开" not in page.split("<body>")[1]


def test_gzip_when_asked(farm):
    spec, site = _sites(farm, lambda s: s.gzip and not s.down and s.ipv6_mode != "mismatch")[0]
    _status, headers, body = fetch(farm.url(spec.unit_id), headers={"Accept-Encoding": "gzip"}, decompress=False)
    assert headers.get("Content-Encoding") == "gzip"
    assert spec.site_code.encode() in gzip.decompress(body) or site.charset != "utf-8"


def test_aaaa_present_or_absent_per_truth_and_nxdomain_for_dead_links(farm):
    res = resolver(farm)
    none = {d["unit_id"] for d in _defects(farm, "IPV6-NONE")}
    assert none
    for site in farm.truth["sites"]:
        assert [r.address for r in res.resolve(site["host"], "A")] == ["127.0.0.1"]
        if site["unit_id"] in none:
            with pytest.raises(dns.resolver.NoAnswer):
                res.resolve(site["host"], "AAAA")
        else:
            assert [r.address for r in res.resolve(site["host"], "AAAA", tcp=True)] == ["::1"]
    dead = [
        d["subject"]
        for d in _defects(farm, "LINK-HOME") + _defects(farm, "LINK-PAGE")
        if f":{farm.port}/" not in d["subject"]
    ]
    assert dead
    for url in dead:
        with pytest.raises(dns.resolver.NXDOMAIN):
            res.resolve(re.match(r"http://([^/:]+)", url).group(1), "A")


def test_ipv6_unreachable_fails_over_v6_but_works_over_v4(farm):
    (d,) = _defects(farm, "IPV6-UNREACHABLE")[:1]
    assert fetch(d["subject"])[0] == 200
    with pytest.raises(aiohttp.ClientError):
        fetch(d["subject"], v6=True)


def test_ipv6_mismatch_serves_a_maintenance_page_over_v6(farm):
    d = _defects(farm, "IPV6-MISMATCH")[0]
    v4 = text(fetch(d["subject"])[2])
    v6 = text(fetch(d["subject"], v6=True)[2])
    assert "系统维护中" in v6 and "系统维护中" not in v4
    assert meta(v4, "SiteName")


def test_healthy_site_serves_same_page_over_v4_and_v6(farm):
    bad = {d["unit_id"] for d in farm.truth["defects"] if d["rule"].startswith(("IPV6", "AVAIL"))}
    site = next(s for s in farm.truth["sites"] if s["unit_id"] not in bad)
    assert fetch(site["url"])[2] == fetch(site["url"], v6=True)[2]


def test_down_site_fails_every_request_and_set_down_toggles(farm_factory):
    handle = farm_factory()
    (down,) = _defects(handle, "AVAIL-DOWN")
    for _ in range(3):
        try:
            assert fetch(down["subject"])[0] == 503
        except aiohttp.ClientError:
            pass
    handle.set_down(down["unit_id"], False)
    assert fetch(down["subject"])[0] == 200
    other = next(s for s in handle.truth["sites"] if s["unit_id"] != down["unit_id"])
    handle.set_down(other["unit_id"], True)
    with pytest.raises((AssertionError, aiohttp.ClientError)):
        assert fetch(other["url"])[0] == 200


def test_planted_broken_links_are_broken_and_linked_from_the_right_page(farm):
    for d in _defects(farm, "LINK-HOME") + _defects(farm, "LINK-PAGE"):
        home = farm.url(d["unit_id"])
        home_page = text(fetch(home)[2])
        rel = d["subject"].replace(home.rstrip("/"), "")
        assert (rel in home_page or d["subject"] in home_page) == (d["rule"] == "LINK-HOME")
        if f":{farm.port}/" in d["subject"]:
            status, headers, body = fetch(d["subject"])
            if d["subject"].endswith("/loop/a.html"):  # dead by redirecting forever: a -> b -> a
                assert status == 302 and headers["Location"].endswith("/loop/b.html")
            else:
                assert status == 404 or "页面不存在" in text(body)


def test_soft_404_is_200_saying_page_missing(farm):
    spec, site = _sites(farm, lambda s: s.soft404 and not s.down)[0]
    status, _, body = fetch(farm.url(spec.unit_id).rstrip("/") + next(iter(site.soft404)))
    assert status == 200 and "页面不存在" in text(body)


def test_footer_identifiers_missing_where_planted(farm):
    for rule, needle in (("IDENT-ICP", "ICP备"), ("IDENT-PSB", "公网安备")):
        for d in _defects(farm, rule):
            assert needle not in text(fetch(d["subject"])[2])
    clean = {d["unit_id"] for d in farm.truth["defects"] if d["rule"] in ("IDENT-ICP", "IDENT-PSB", "AVAIL-DOWN")}
    site = next(s for s in farm.truth["sites"] if s["unit_id"] not in clean and not s["traditional"])
    page = text(fetch(site["url"])[2])
    assert re.search(r"[\u4e00-\u9fff]ICP备\d{8}号", page) and re.search(r"公网安备 ?\d{14}号", page)


def test_interp_links_both_ways(farm):
    for d in _defects(farm, "INTERP-LATE"):
        doc = text(fetch(d["subject"])[2])
        assert "相关解读" in doc
        m = re.search(r'相关解读：</span><p><a href="([^"]+)"', doc)
        interp = text(fetch(farm.url(d["unit_id"]).rstrip("/") + m.group(1))[2])
        assert d["subject"].split(":", 2)[2].split("/", 1)[1] in interp


def test_columns_paginate(farm):
    spec, site = _sites(
        farm, lambda s: not s.down and not s.traditional and any(c.pages > 1 for c in s.columns.values())
    )[0]
    col = next(c for c in site.columns.values() if c.pages > 1 and c.kind == "list")
    page = text(fetch(farm.url(spec.unit_id).rstrip("/") + col.path)[2])
    nxt = re.search(r'href="([^"]+)">下一页', page).group(1)
    assert "index_1.html" in nxt or "?page=2" in nxt
    status, _, _ = fetch(farm.url(spec.unit_id).rstrip("/") + nxt)
    assert status == 200


def test_unknown_paths_are_404_and_external_well_knowns_are_served(farm):
    site = next(
        s for s in farm.truth["sites"] if s["unit_id"] not in {d["unit_id"] for d in _defects(farm, "AVAIL-DOWN")}
    )
    assert fetch(site["url"] + "no/such/page.html")[0] == 404
    assert fetch(f"http://bszs.conac.cn:{farm.port}/sitename?method=show")[0] == 200


def test_a_very_large_page_is_served_whole(farm):
    spec, site = _sites(farm, lambda s: not s.down and any(o.large for k, o in s.pages.values() if k == "article"))[0]
    item = next(o for k, o in site.pages.values() if k == "article" and o.large)
    status, _, body = fetch(farm.url(spec.unit_id).rstrip("/") + item.path)
    assert status == 200 and len(body) > 700_000 and body.rstrip().endswith(b"</html>")


def test_a_column_built_by_inline_javascript_carries_its_items_in_script(farm):
    spec, site = _sites(farm, lambda s: not s.down and any(c.kind == "js" for c in s.columns.values()))[0]
    col = next(c for c in site.columns.values() if c.kind == "js")
    page = text(fetch(farm.url(spec.unit_id).rstrip("/") + col.path)[2])
    assert "<li><a" not in page.split('<ul id="list">')[1].split("</ul>")[0]
    assert col.items[0].path in page and "document.getElementById('list').innerHTML" in page
