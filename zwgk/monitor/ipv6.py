"""日监测 over IPv6: each probe pass also fetches every homepage that has AAAA, over IPv6 only.

Why: the IPv6 support degree's success rate (``zwgk.indicators.ipv6_support``) is the share
of repeated IPv6 requests for the homepage that loaded.  A round makes a few spaced attempts
of its own; the monitor adds one IPv6 request per site and pass, stored as a probe marked
``ipv6`` (``zwgk.storage.probes``), and the next round reads them through the same monitoring
history as AVAIL-DOWN (``zwgk.monitor.history.probe_history`` → ``SiteSnapshot.history``).

How: the crawler's own IPv6 path — ``zwgk.crawlers.fetcher.Fetcher.fetch(v6=True)``: an
AAAA-only resolver at the configured name server, the one SSRF policy
(``zwgk.crawlers.net``) on every address and redirect hop, no retry (aiohttp's silent one
switched off too), a fresh connection (``Connection: close``) — so a monitoring probe and a
crawl attempt measure the same thing.  The AAAA lookup is the crawler's
(``DnsClient.lookup``): a host without AAAA is *no AAAA* — not probed, no failure (the
``aaaa`` indicator and IPV6-NONE judge that from the crawl) — and a host whose AAAA query
got no answer is *unknown*, not probed either.

The assessor's own IPv6 outage never counts against a unit (as the crawler's
``zwgk.crawlers.outage`` for IPv4 rounds):

1. before a site's IPv6 request, and again before a request that got no answer counts,
   the probe host's kernel is asked for a route to the site's AAAA address (a UDP
   ``connect``: no packet is sent).  No route, no usable source address (``::1``
   disabled, no IPv6 at all) → the probe is stored ``unverified``, not failed;
2. after the pass: when at least ``outage_min_sites`` sites were probed over IPv6 and at
   least ``outage_fail_share`` of them got no answer at all (timeout, reset, unreachable —
   an HTTP status or a refused connection is an answer), and none of the control hosts
   (``control_urls``, fetched over IPv6) answers, those probes are marked ``unverified``.

When the route check failed for every site, or step 2 found the outage, the pass itself is
marked unverified (``Ipv6Pass.outage``, the reason): ``zwgk probe`` / ``zwgk monitor`` say so.  Unverified probes are
kept as a record but the success rate leaves them out (``ipv6_support.v6_history``).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from zwgk.crawlers.fetcher import Fetcher, FetchResult
from zwgk.crawlers.net import address_refused
from zwgk.crawlers.outage import NO_ROUTE_ERRNOS, no_answer, pass_outage
from zwgk.crawlers.settings import CrawlSettings
from zwgk.crawlers.urls import host_of
from zwgk.model import Unit
from zwgk.monitor.clock import Clock
from zwgk.storage.probes import UNVERIFIED, Probe

OUTAGE_PREFIX = "评估方IPv6网络故障，未能核验 (assessor-side IPv6 outage, not verified)"


@dataclass(slots=True)
class Ipv6Pass:
    """The IPv6 side of one probe pass."""

    probes: list[Probe] = field(default_factory=list)  # ipv6=True, the unverified ones included
    no_aaaa: list[str] = field(default_factory=list)  # unit_ids: no AAAA record, not probed
    unknown: dict[str, str] = field(default_factory=dict)  # unit_id → why the AAAA query got no answer
    refused: dict[str, str] = field(default_factory=dict)  # unit_id → SSRF policy reason
    errors: dict[str, str] = field(default_factory=dict)  # unit_id → detail of a failed / unverified probe
    outage: str = ""  # the pass's assessor-side outage ("" when the IPv6 side was verified)

    @property
    def failures(self) -> list[Probe]:
        return [p for p in self.probes if not p.ok and not p.unverified]

    @property
    def unverified(self) -> list[Probe]:
        return [p for p in self.probes if p.unverified]

    @property
    def loaded(self) -> list[Probe]:
        return [p for p in self.probes if p.ok]

    def summary(self) -> dict[str, int]:
        """Counts for job results and status lines."""
        return {
            "ipv6_probes": len(self.probes) - len(self.unverified),
            "ipv6_failures": len(self.failures),
            "ipv6_unverified": len(self.unverified),
            "ipv6_no_aaaa": len(self.no_aaaa),
        }


def crawl_settings(
    resolver: str | None,
    allow_private: bool,
    timeout: float,
    concurrency: int,
    user_agent: str,
    control_urls: tuple[str, ...] | None = None,
) -> CrawlSettings:
    """The crawler's settings for the monitor's IPv6 requests: the probe's resolver, safety
    flag, 15 s timeout and user agent, no retries, no robots (one homepage GET, as the
    IPv4 probe).  The crawler gives its IPv6 pool a quarter of ``global_concurrency``, so
    that is four times the probe's ``concurrency``: the IPv6 side keeps the IPv4 side's pace
    (a pass of 13,385 sites must end within the 72 minutes between two passes)."""
    return CrawlSettings(
        resolver=resolver,
        allow_private=allow_private,
        total_timeout=timeout,
        connect_timeout=min(5.0, timeout),
        retries=0,
        global_concurrency=4 * max(1, concurrency),
        user_agent=user_agent,
        respect_robots=False,
        control_urls=control_urls,
    )


def route_reason(addresses: Iterable[str], port: int) -> str:
    """Why the probe host cannot send to any of ``addresses`` over IPv6 ("" when it can).

    A UDP ``connect`` only asks the kernel for a route and a source address: nothing is
    sent.  Any error other than "no route / no address" is left to the request itself.
    """
    errors: list[str] = []
    for address in addresses:
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
                sock.connect((address.split("%", 1)[0], port or 80))
        except OSError as exc:
            if exc.errno in NO_ROUTE_ERRNOS:
                errors.append(f"[{address}]: {exc.strerror or exc}")
                continue
            return ""
        return ""
    return f"the probe host has no IPv6 route: {'; '.join(errors)}" if errors else ""


def _error_class(result: FetchResult) -> str:
    """The probe error classes of ``zwgk.storage.probes`` for a crawler fetch result."""
    if result.status is not None:
        if result.status >= 500:
            return "http5xx"
        if result.status >= 400:
            return "http4xx"
        return "other"
    error = result.error.lower()
    if "refused" in error:
        return "refused"
    if error.startswith("dns"):
        return "dns"
    if "timeout" in error:
        return "timeout"
    if "reset" in error:
        return "reset"
    return "other"


def _silent(result: FetchResult) -> bool:
    """No answer at all (timeout, reset, unreachable); an HTTP status or a refusal is an answer."""
    return no_answer({"outcome": result.outcome, "status": result.status})


async def _probe_one(fetcher: Fetcher, unit: Unit, clock: Clock, out: Ipv6Pass, silent: set[str]) -> None:
    url = unit.site_url
    host = host_of(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    lookup = await fetcher.dns.lookup(host)
    if not lookup.aaaa:
        if "AAAA" in lookup.unanswered:
            out.unknown[unit.unit_id] = lookup.error or "AAAA lookup got no answer"
        else:
            out.no_aaaa.append(unit.unit_id)
        return
    allowed = [a for a in lookup.aaaa if not address_refused(a, fetcher.settings.allow_private)]
    if not allowed:
        out.refused[unit.unit_id] = (
            f"{host} has only private, loopback or cloud-metadata IPv6 addresses "
            f"({', '.join(lookup.aaaa)}) (pass --allow-private to permit)"
        )
        return
    at = clock.now()
    no_route = route_reason(allowed, port)
    if no_route:
        out.probes.append(Probe(unit.unit_id, at, False, error_class=UNVERIFIED, ipv6=True))
        out.errors[unit.unit_id] = no_route
        return
    result = await fetcher.fetch(
        url, full_body=False, v6=True, retries=0, use_breaker=False, extra_headers={"Connection": "close"}
    )
    if result.outcome == "skipped" and "private" in result.error:
        out.refused[unit.unit_id] = f"{result.error} (pass --allow-private to permit)"
        return
    ok = result.outcome == "ok" and result.status is not None and 200 <= result.status < 400
    if not ok and _silent(result):
        no_route = route_reason(allowed, port)  # the control check before a failure counts
        if no_route:
            out.probes.append(Probe(unit.unit_id, at, False, error_class=UNVERIFIED, ipv6=True))
            out.errors[unit.unit_id] = f"{no_route} (after: {result.error})"
            return
        silent.add(unit.unit_id)
    if not ok:
        out.errors[unit.unit_id] = f"{result.outcome} {result.status or ''} {result.error}".replace("  ", " ").strip()
    out.probes.append(
        Probe(
            unit.unit_id,
            at,
            ok,
            status=result.status,
            latency_ms=round(result.elapsed_ms, 1) if ok else None,
            error_class="" if ok else _error_class(result),
            ipv6=True,
        )
    )


async def _pass_outage(fetcher: Fetcher, out: Ipv6Pass, silent: set[str]) -> str:
    """The pass's assessor-side outage ("" when none): see the module doc, step 2 (the rule is
    the crawler's and the IPv4 pass's: ``zwgk.crawlers.outage.pass_outage``)."""
    tried = [p for p in out.probes if not p.unverified]
    if out.probes and not tried:
        return next(iter(out.errors.values()), "the probe host has no IPv6 route")
    return await pass_outage(fetcher, fetcher.settings, len(silent), len(tried), v6=True)


async def probe_ipv6_async(units: Iterable[Unit], settings: CrawlSettings, clock: Clock) -> Ipv6Pass:
    """Probe every unit's homepage once over IPv6 (hosts with AAAA only), as many at a time as
    the crawler's IPv6 pool takes (a quarter of ``global_concurrency``, see :func:`crawl_settings`)."""
    units = list(units)
    out = Ipv6Pass()
    silent: set[str] = set()
    sem = asyncio.Semaphore(max(4, settings.global_concurrency // 4))
    async with Fetcher(settings) as fetcher:

        async def one(unit: Unit) -> None:
            async with sem:
                await _probe_one(fetcher, unit, clock, out, silent)

        await asyncio.gather(*(one(u) for u in units))
        reason = await _pass_outage(fetcher, out, silent)
    if reason:
        out.outage = f"{OUTAGE_PREFIX}: {reason}"
        marked = []
        for p in out.probes:
            if p.unit_id in silent:
                marked.append(Probe(p.unit_id, p.at, False, error_class=UNVERIFIED, ipv6=True))
                out.errors[p.unit_id] = f"{out.errors.get(p.unit_id, '')} — {out.outage}".lstrip(" —")
            else:
                marked.append(p)
        out.probes = marked
    out.probes.sort(key=lambda p: p.unit_id)
    out.no_aaaa.sort()
    return out
