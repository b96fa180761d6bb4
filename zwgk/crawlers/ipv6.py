"""The IPv6 probe, after Internet.nl's web test (field-survey.md §3.A).

1. AAAA (and A) for the site host through the configured resolver;
2. TCP connect to every AAAA address on the site's port;
3. GET the homepage over IPv6 and compare it with the IPv4 copy after removing
   nonces, ``__VIEWSTATE`` and timestamps: SequenceMatcher distance ≤ 10%
   counts as the same content;
4. the share of a sample of inner links that load over IPv6.

It runs beside the main crawl in its own IPv6-only pool; whatever happens on
the IPv6 side is reported here and never changes the IPv4 crawl.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from typing import Any
from urllib.parse import urlsplit

from zwgk.crawlers.fetcher import Fetcher
from zwgk.crawlers.net import check_address, PrivateAddressRefused
from zwgk.crawlers.urls import host_of

SIMILARITY_MIN = 0.90  # Internet.nl SIMHASH_MAX = 10 (% distance)
MAX_COMPARE_CHARS = 500_000
_NOISE = (
    re.compile(r"""\snonce\s*=\s*["'][^"']*["']""", re.I),
    re.compile(r"""<input[^>]+__(?:VIEWSTATE|VIEWSTATEGENERATOR|EVENTVALIDATION)[^>]*>""", re.I),
    re.compile(r"(?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),
    re.compile(r"\b1\d{9}(?:\d{3})?\b"),  # epoch seconds / milliseconds
    re.compile(r"""(?:csrf|token|_t|v|ts|rnd|random)=[0-9a-zA-Z_\-.]+""", re.I),
)


async def add_inner_share(fetcher: Fetcher, probe: dict[str, Any], links: list[str]) -> None:
    """Set ``inner_v6_share``: the share of ``links`` (inner pages that load over IPv4)
    that also load over IPv6.  Skipped when the host has no usable IPv6 at all."""
    if not probe.get("tcp6"):
        return
    sample = links[: fetcher.settings.ipv6_sample]
    if not sample:
        return
    results = await asyncio.gather(*(fetcher.fetch(u, full_body=False, v6=True, retries=1) for u in sample))
    ok = sum(1 for r in results if r.outcome == "ok")
    probe["inner_v6_share"] = round(ok / len(sample), 4)
    probe["inner_checked"] = len(sample)
    failed = [u for u, r in zip(sample, results) if r.outcome != "ok"]
    if failed:
        probe["inner_v6_failed"] = failed


def strip_noise(html: str) -> str:
    text = html[:MAX_COMPARE_CHARS]
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return text


def similarity(a: str, b: str) -> float:
    """1.0 = same; Internet.nl counts ≥ 0.90 (distance ≤ 10%) as the same content."""
    return difflib.SequenceMatcher(None, strip_noise(a), strip_noise(b), autojunk=False).quick_ratio()


def empty_probe() -> dict[str, Any]:
    return {
        "aaaa": [],
        "a": [],
        "tcp6": False,
        "http6_status": None,
        "similarity": None,
        "same_content": None,
        "inner_v6_share": None,
        "inner_checked": 0,
        "error": "",
    }


async def _tcp_connect(address: str, port: int, timeout: float) -> str:
    """"" on success, else the reason."""
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout)
    except ConnectionRefusedError:
        return "connection refused"
    except (asyncio.TimeoutError, TimeoutError):
        return "connect timeout"
    except OSError as exc:
        return f"connect error: {exc.strerror or exc}"
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return ""


async def probe_ipv6(
    fetcher: Fetcher,
    homepage: str,
    home_html_v4: str | None,
    inner_links: list[str] | None = None,
) -> dict[str, Any]:
    """The ``probes["ipv6"]`` dict of architecture.md for one site.

    ``inner_links`` may be left out and the share added later with
    :func:`add_inner_share` once the IPv4 crawl knows which inner pages load.
    """
    s = fetcher.settings
    out = empty_probe()
    host = host_of(homepage)
    parts = urlsplit(homepage)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    lookup = await fetcher.dns.lookup(host)
    out["a"], out["aaaa"] = lookup.a, lookup.aaaa
    if not lookup.aaaa:
        if "AAAA" in lookup.unanswered:  # unknown, not absent: IPV6-NONE is not judged
            out["aaaa_unknown"] = True
            out["error"] = f"AAAA lookup timed out: {lookup.error}" if lookup.error else "AAAA lookup timed out"
        else:
            out["error"] = "no AAAA record"
        return out
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
        return out
    result = await fetcher.fetch(homepage, v6=True, retries=1)
    out["http6_status"] = result.status
    if result.outcome != "ok" or result.text is None:
        out["error"] = f"homepage over IPv6: {result.outcome} {result.error}".strip()
    elif home_html_v4 is not None:
        ratio = await asyncio.to_thread(similarity, home_html_v4, result.text)
        out["similarity"] = round(ratio, 4)
        out["same_content"] = ratio >= SIMILARITY_MIN
        if not out["same_content"]:
            out["error"] = f"IPv6 homepage differs from IPv4 (similarity {ratio:.2f} < {SIMILARITY_MIN})"
    if inner_links:
        await add_inner_share(fetcher, out, inner_links)
    if errors and not out["error"]:
        out["error"] = "; ".join(errors)
    return out
