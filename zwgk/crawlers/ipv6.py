"""The IPv6 probe: the seven indicators of the national IPv6 support degree (支持度).

The 中央网信办 monitoring scores a site's IPv6 support on seven indicators
(official-rules.md §2.5); this probe measures each of them, after Internet.nl's
web test (field-survey.md §3.A) where the two overlap:

1. AAAA (and A) for the site host through the configured resolver;
2. the homepage reachable over IPv6: TCP connect to every AAAA address on the
   site's port, then ``ipv6_home_attempts`` spaced GETs of the homepage over IPv6
   (no retries each);
3. the IPv6 success rate: the share of those attempts that loaded (daily IPv6
   monitoring probes add to it when the scorer has them, ``zwgk.indicators.ipv6_support``);
4. the delegation chain: the NS of the site's zone (the nearest enclosing name
   with NS records), the AAAA of every name server, and one query sent to a
   name server over IPv6 (``delegation``);
5. the same homepage over IPv4 and IPv6: the Sørensen–Dice coefficient of the
   two pages' sets of 4-character shingles of visible text, after removing
   nonces, ``__VIEWSTATE``, dates, times and epoch stamps (1.0 = the same text,
   0.9 ≈ a tenth of it differs; the threshold is the rubric's);
6. / 7. 二级 and 三级 inner links (same-site links on the homepage, and on the
   二级 pages the crawl read) that loaded over IPv4, fetched over IPv6: the
   share that load, on samples of ``ipv6_sample`` / ``ipv6_sample_level3`` that
   take each host the links live on in turn (a sub-host without AAAA is the
   usual failure).

It runs beside the main crawl in its own IPv6-only pool; whatever happens on
the IPv6 side is reported here and never changes the IPv4 crawl.  It measures;
judging (rules) and scoring (the rubric's weights) happen in ``zwgk.indicators``.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import re
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from zwgk.crawlers.fetcher import BUDGET_ERROR, Fetcher, FetchResult
from zwgk.crawlers.net import PrivateAddressRefused, check_address
from zwgk.crawlers.settings import ns_port
from zwgk.crawlers.urls import host_of, netloc_of

SIMILARITY_MIN = 0.90  # the crawler's own "same_content" flag; rules use the rubric's min_similarity
SHINGLE = 4
MAX_COMPARE_CHARS = 500_000
MAX_FAILED_LISTED = 50
_NOISE = (
    re.compile(r"""\snonce\s*=\s*["'][^"']*["']""", re.I),
    re.compile(r"""<input[^>]+__(?:VIEWSTATE|VIEWSTATEGENERATOR|EVENTVALIDATION)[^>]*>""", re.I),
    re.compile(r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    re.compile(r"\b1\d{9}(?:\d{3})?\b"),  # epoch seconds / milliseconds
    re.compile(r"""(?:csrf|token|_t|v|ts|rnd|random)=[0-9a-zA-Z_\-.]+""", re.I),
)
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------- content comparison


def strip_noise(html: str) -> str:
    text = html[:MAX_COMPARE_CHARS]
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return text


def visible_text(html: str) -> str:
    """What a reader sees of a page, noise removed, whitespace folded (the compared text)."""
    text = _INVISIBLE.sub(" ", strip_noise(html))
    text = html_lib.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", strip_noise(text)).strip()


def _shingles(text: str) -> set[str]:
    if len(text) <= SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """Sørensen–Dice coefficient of the 4-character shingles of both pages' visible text.

    A real measure, not an upper bound (``SequenceMatcher.quick_ratio`` counts shared
    characters whatever their order, so a maintenance page made of the site's own
    words could pass): 1.0 is the same text, 0.9 means about a tenth differs.  Linear
    in the page size.  Two pages without visible text are the same (1.0).
    """
    sa, sb = _shingles(visible_text(a)), _shingles(visible_text(b))
    if not sa and not sb:
        return 1.0
    return 2 * len(sa & sb) / (len(sa) + len(sb))


# ---------------------------------------------------------------- the probe


def empty_probe() -> dict[str, Any]:
    return {
        "aaaa": [],
        "a": [],
        "tcp6": False,
        "http6_status": None,
        "attempts6": [],
        "v6_attempts": 0,
        "v6_ok": 0,
        "success_rate": None,
        "similarity": None,
        "same_content": None,
        "inner_v6_share": None,
        "inner_checked": 0,
        "inner": {},
        "delegation": {},
        "error": "",
    }


async def _tcp_connect(address: str, port: int, timeout: float) -> str:
    """ "" on success, else the reason."""
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout)
    except ConnectionRefusedError:
        return "connection refused"
    except TimeoutError:
        return "connect timeout"
    except OSError as exc:
        return f"connect error: {exc.strerror or exc}"
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return ""


async def probe_delegation(fetcher: Fetcher, host: str) -> dict[str, Any]:
    """Indicator 4: the NS of the site's zone, AAAA of each name server, one query over IPv6.

    ``complete`` is True when every name server has an AAAA record and one of them
    answered a query sent over IPv6; False when a name server lacks AAAA or none
    answered over IPv6; None when the NS lookup itself got no answer (unknown, not
    judged).  ``query["answered"]`` is None when no query could be sent (no name
    server with AAAA, or its address refused by the SSRF policy).
    """
    s = fetcher.settings
    out: dict[str, Any] = {"zone": "", "ns": [], "query": None, "complete": None, "error": ""}
    zone, names, error = await fetcher.dns.zone_ns(host)
    out["zone"] = zone
    if error or not names:
        out["error"] = error or f"no NS record for {host} or any enclosing zone"
        return out
    lookups = await asyncio.gather(*(fetcher.dns.lookup(n) for n in names))
    unknown = False
    for name, lookup in zip(names, lookups):
        entry: dict[str, Any] = {"name": name, "a": lookup.a, "aaaa": lookup.aaaa}
        if not lookup.aaaa and "AAAA" in lookup.unanswered:
            entry["aaaa_unknown"] = True
            unknown = True
        out["ns"].append(entry)
    port = ns_port(s)
    query: dict[str, Any] = {"ns": "", "address": "", "port": port, "answered": None, "rcode": "", "error": ""}
    for entry in out["ns"]:
        for address in entry["aaaa"]:
            try:
                check_address(entry["name"], address, s.allow_private)
            except PrivateAddressRefused:
                query["error"] = f"[{address}] of {entry['name']}: private address refused"
                continue
            query.update(ns=entry["name"], address=address, error="")
            rcode, error = await fetcher.dns.query_server(zone, address, port)
            query["answered"], query["rcode"], query["error"] = rcode is not None, rcode or "", error
            break
        if query["address"]:
            break
    out["query"] = query
    lacking = [e["name"] for e in out["ns"] if not e["aaaa"] and not e.get("aaaa_unknown")]
    if lacking:
        out["complete"] = False
        out["error"] = f"name server(s) without AAAA: {', '.join(lacking)}"
    elif unknown:
        out["error"] = "AAAA lookup of a name server got no answer"
    elif query["answered"] is None:
        out["error"] = query["error"] or "no name server could be queried over IPv6"
    else:
        out["complete"] = bool(query["answered"])
        if not query["answered"]:
            out["error"] = f"name server {query['ns']} [{query['address']}] gave no answer over IPv6: {query['error']}"
    return out


async def _safe_delegation(fetcher: Fetcher, host: str) -> dict[str, Any]:
    try:
        return await probe_delegation(fetcher, host)
    except Exception as exc:  # noqa: BLE001 — the IPv6 side must never break the crawl
        return {
            "zone": "",
            "ns": [],
            "query": None,
            "complete": None,
            "error": f"delegation probe failed: {type(exc).__name__}: {exc}",
        }


async def probe_ipv6(
    fetcher: Fetcher,
    homepage: str,
    home_html_v4: str | None,
    inner_links: list[str] | None = None,
) -> dict[str, Any]:
    """The ``probes["ipv6"]`` dict of architecture.md for one site.

    ``inner_links`` may be left out and the inner-link indicators added later with
    :func:`add_inner_links` once the IPv4 crawl knows which inner pages load.
    """
    s = fetcher.settings
    out = empty_probe()
    host = host_of(homepage)
    parts = urlsplit(homepage)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    delegation = asyncio.create_task(_safe_delegation(fetcher, host)) if s.ipv6_delegation else None
    try:
        await _probe_home(fetcher, out, homepage, host, port, home_html_v4)
        if inner_links:
            await add_inner_links(fetcher, out, inner_links, [])
    finally:
        if delegation is not None:
            out["delegation"] = await delegation
    return out


async def _probe_home(
    fetcher: Fetcher, out: dict[str, Any], homepage: str, host: str, port: int, home_html_v4: str | None
) -> None:
    s = fetcher.settings
    lookup = await fetcher.dns.lookup(host)
    out["a"], out["aaaa"] = lookup.a, lookup.aaaa
    if not lookup.aaaa:
        if "AAAA" in lookup.unanswered:  # unknown, not absent: IPV6-NONE is not judged
            out["aaaa_unknown"] = True
            out["error"] = f"AAAA lookup timed out: {lookup.error}" if lookup.error else "AAAA lookup timed out"
        else:
            out["error"] = "no AAAA record"
        return
    errors: list[str] = []
    reachable: list[str] = []
    for address in lookup.aaaa:
        try:
            check_address(host, address, s.allow_private)
        except PrivateAddressRefused:
            errors.append(f"[{address}]: private address refused")
            continue
        reason = await _tcp_connect(address, port, s.connect_timeout)
        if reason:
            errors.append(f"[{address}]:{port} {reason}")
        else:
            reachable.append(address)
    out["tcp6"] = bool(reachable)
    if not reachable:
        out["error"] = "; ".join(errors) or "no reachable AAAA address"
        return
    # Indicators 2 and 3: spaced attempts, no retries each (a retry would hide the failures
    # the success rate is about); the first page that loads is the one compared.
    page_v6: str | None = None
    last_status: int | None = None
    first_ok_status: int | None = None
    for i in range(s.ipv6_home_attempts):
        if i and s.ipv6_attempt_spacing:
            await asyncio.sleep(s.ipv6_attempt_spacing)
        # "Connection: close": each attempt on a new connection, so a keep-alive connection the
        # server dropped between two spaced attempts is never counted as a failure
        result = await fetcher.fetch(homepage, v6=True, retries=0, extra_headers={"Connection": "close"})
        if _unverified(result):
            break  # the site's time budget is used up: what was not tried is not a failure
        ok = result.outcome == "ok" and result.status is not None and 200 <= result.status < 400
        out["attempts6"].append(
            {"ok": ok, "status": result.status, "error": "" if ok else f"{result.outcome} {result.error}".strip()}
        )
        last_status = result.status
        if ok and first_ok_status is None:
            first_ok_status = result.status
            page_v6 = result.text
    n_ok = sum(1 for a in out["attempts6"] if a["ok"])
    out["v6_attempts"], out["v6_ok"] = len(out["attempts6"]), n_ok
    if not out["attempts6"]:
        out["error"] = "homepage over IPv6 not tried: site time budget used up"
        return
    out["success_rate"] = round(n_ok / len(out["attempts6"]), 4)
    out["http6_status"] = first_ok_status if first_ok_status is not None else last_status
    if not n_ok:
        last = out["attempts6"][-1]["error"]
        out["error"] = f"homepage over IPv6: {last} ({len(out['attempts6'])} attempts failed)"
    elif page_v6 is not None and home_html_v4 is not None:
        ratio = await asyncio.to_thread(similarity, home_html_v4, page_v6)
        out["similarity"] = round(ratio, 4)
        out["same_content"] = ratio >= SIMILARITY_MIN
        if not out["same_content"]:
            out["error"] = f"IPv6 homepage differs from IPv4 (similarity {ratio:.2f} < {SIMILARITY_MIN})"
    if n_ok and n_ok < len(out["attempts6"]) and not out["error"]:
        out["error"] = f"homepage over IPv6 loaded {n_ok} of {len(out['attempts6'])} attempts"
    if errors and not out["error"]:
        out["error"] = "; ".join(errors)


# ---------------------------------------------------------------- inner links


def sample_links(links: list[str], size: int) -> list[str]:
    """A deterministic sample of ``size`` links: each host in turn, evenly spread within a host.

    Links on a second host of the site (``xxgk.`` or the bare domain) are where IPv6
    support usually stops, so every host is represented before any host gets a second
    link; inside a host the picks are spread over the sorted list, not its head.
    """
    if size <= 0:
        return []
    by_host: OrderedDict[str, list[str]] = OrderedDict()
    for url in sorted(dict.fromkeys(links)):
        by_host.setdefault(netloc_of(url), []).append(url)
    if sum(len(v) for v in by_host.values()) <= size:
        return [u for v in by_host.values() for u in v]
    quota = {h: 0 for h in by_host}
    left = size
    while left:
        for h, urls in by_host.items():
            if left and quota[h] < len(urls):
                quota[h] += 1
                left -= 1
    out: list[str] = []
    for h, urls in by_host.items():
        k = quota[h]
        if k:
            step = len(urls) / k
            out.extend(urls[int(i * step)] for i in range(k))
    return out


async def _level(fetcher: Fetcher, links: list[str], size: int) -> dict[str, Any]:
    sample = sample_links(links, size)
    entry: dict[str, Any] = {
        "candidates": len(dict.fromkeys(links)),
        "sample_size": size,
        "checked": len(sample),
        "ok": 0,
        "share": None,
        "failed": [],
    }
    if not sample:
        return entry
    results = await asyncio.gather(*(fetcher.fetch(u, full_body=False, v6=True, retries=1) for u in sample))
    tried = [(u, r) for u, r in zip(sample, results) if not _unverified(r)]
    entry["checked"] = len(tried)
    entry["unverified"] = len(sample) - len(tried)
    if not tried:
        return entry
    ok = sum(1 for _, r in tried if r.outcome == "ok")
    entry["ok"] = ok
    entry["share"] = round(ok / len(tried), 4)
    entry["failed"] = [{"url": u, "error": f"{r.outcome} {r.error}".strip()} for u, r in tried if r.outcome != "ok"][
        :MAX_FAILED_LISTED
    ]
    return entry


def _unverified(result: FetchResult) -> bool:
    """A fetch the site's time budget stopped before it was made: no evidence either way."""
    return result.outcome == "skipped" and result.error.startswith(BUDGET_ERROR)


async def add_inner_links(fetcher: Fetcher, probe: dict[str, Any], level2: list[str], level3: list[str]) -> None:
    """Indicators 6 and 7: ``probe["inner"]["level2"/"level3"]`` — of samples of the 二级 and
    三级 links that loaded over IPv4, the share that load over IPv6, and the ones that fail.

    Not measured when the homepage itself never loaded over IPv6 (then no inner link is
    IPv6-supported either; the homepage indicators say why).
    """
    if not probe.get("v6_ok"):
        return
    s = fetcher.settings
    inner = probe.setdefault("inner", {})
    inner["level2"] = await _level(fetcher, level2, s.ipv6_sample)
    third = [u for u in dict.fromkeys(level3) if u not in set(level2)]
    inner["level3"] = await _level(fetcher, third, s.ipv6_sample_level3)
    two = inner["level2"]
    probe["inner_v6_share"] = two["share"]  # the earlier single figure, kept for readers of old rounds
    probe["inner_checked"] = two["checked"]
    failed = [f["url"] for f in two["failed"]]
    if failed:
        probe["inner_v6_failed"] = failed


async def add_inner_share(fetcher: Fetcher, probe: dict[str, Any], links: list[str]) -> None:
    """The 二级 share alone (older callers)."""
    await add_inner_links(fetcher, probe, links, [])
