"""One probe pass (``zwgk probe``): every registered homepage fetched once, stored.

Politeness: at most ``concurrency`` homepages in flight, one connection per
visit, one GET per site per pass, no retries.  A pass over 13,385 sites at
concurrency 64 with a 15 s worst case per site finishes well inside the
72 minutes between two of 20 daily passes.

With ``ipv6`` (the default) the same pass also fetches each homepage whose host has
AAAA once over IPv6 only (``zwgk.monitor.ipv6``), beside the IPv4 visits and with its
own ``concurrency``: at most one more GET per site and pass.  Those probes are stored
marked ``ipv6`` and feed the IPv6 success rate of the next round, never AVAIL-DOWN or
the outage alerts (``PassResult.probes`` holds the availability probes only).

The assessor's own outage never counts against a unit (the rule of the crawler's
``zwgk.crawlers.outage.pass_outage``, shared with the IPv6 side): when at least
``outage_min_sites`` (5) homepages were probed and at least ``outage_fail_share`` (80 %) of
them got no answer at all (a timeout, a reset, a lookup no name server answered, the probe
host's own "network unreachable"; an HTTP status, a refused connection or NXDOMAIN is an
answer), and no control host (``control_urls``, the crawler's defaults; none with
``allow_private``) gives an HTTP answer, the pass is *unverified*: ``PassResult.outage``
says why, and the silent probes are stored with ``error_class="unverified"`` — a record,
never a failure (alerts, availability rates, bulletins, the 年考核 roll-up and the rules'
history leave them out).  The probes that did get an answer keep their result.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from zwgk.crawlers.fetcher import Fetcher
from zwgk.crawlers.outage import OUTAGE_PREFIX, pass_outage, share_reason
from zwgk.crawlers.settings import CrawlSettings
from zwgk.model import Unit, ZwgkError
from zwgk.monitor.clock import Clock, SystemClock
from zwgk.monitor.fetch import DEFAULT_USER_AGENT, PolicyRefused, fetch_homepage, make_session
from zwgk.monitor.homepage import decode, read_homepage
from zwgk.monitor.ipv6 import Ipv6Pass, crawl_settings, probe_ipv6_async
from zwgk.storage import Database
from zwgk.storage.probes import UNVERIFIED, Probe, add_probes

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 15.0  # seconds: the official rule's "not opened after ≥15 s"


@dataclass(slots=True)
class ProbeSettings:
    """How probes fetch: the crawl's resolver and safety flag, the rule's 15 s timeout."""

    resolver: str | None = None
    allow_private: bool = False
    timeout: float = PROBE_TIMEOUT
    concurrency: int = 32
    user_agent: str = DEFAULT_USER_AGENT
    max_bytes: int = 2_000_000
    ipv6: bool = True  # also probe each homepage with AAAA over IPv6 (the IPv6 success rate)
    control_urls: tuple[str, ...] | None = None  # control hosts of the outage check (None: the crawler's defaults)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ZwgkError(f"probe concurrency must be at least 1, got {self.concurrency}")
        if self.timeout <= 0:
            raise ZwgkError(f"probe timeout must be positive, got {self.timeout}")
        if self.resolver:
            from zwgk.crawlers.settings import parse_resolver

            parse_resolver(self.resolver)

    @classmethod
    def from_crawl(cls, settings, **overrides) -> ProbeSettings:
        """Take resolver, safety flag and user agent from a ``CrawlSettings``."""
        base = dict(
            resolver=settings.resolver,
            allow_private=settings.allow_private,
            user_agent=getattr(settings, "user_agent", DEFAULT_USER_AGENT),
        )
        base.update(overrides)
        return cls(**base)


@dataclass(slots=True)
class PassResult:
    """What one pass measured: the stored probes and the sites it may not contact."""

    at: dt.datetime
    probes: list[Probe] = field(default_factory=list)  # availability probes (IPv4 / the default path)
    refused: dict[str, str] = field(default_factory=dict)  # unit_id → reason (policy)
    ipv6: Ipv6Pass | None = None  # the pass's IPv6 probes (None when ``ProbeSettings.ipv6`` is off)
    outage: str = ""  # the assessor-side outage that left the pass unverified ("" when verified)
    errors: dict[str, str] = field(default_factory=dict)  # unit_id → what a failed / unverified visit met

    @property
    def failures(self) -> list[Probe]:
        """The sites' failures (an unverified probe is none)."""
        return [p for p in self.probes if not p.ok and not p.unverified]

    @property
    def unverified(self) -> list[Probe]:
        return [p for p in self.probes if p.unverified]

    @property
    def verified(self) -> list[Probe]:
        """The probes that are evidence about their site (what alerts read)."""
        return [p for p in self.probes if not p.unverified]


async def _probe_one(
    session, unit: Unit, settings: ProbeSettings, clock: Clock, out: PassResult, silent: set[str]
) -> Probe:
    at = clock.now()
    result = await fetch_homepage(
        session,
        unit.site_url,
        allow_private=settings.allow_private,
        max_bytes=settings.max_bytes,
        timeout=settings.timeout,
    )
    if not result.ok:
        out.errors[unit.unit_id] = result.error or result.error_class
        if result.silent:
            silent.add(unit.unit_id)
    newest, fingerprint = None, ""
    if result.ok and result.body:
        newest, fingerprint = read_homepage(decode(result.body, result.content_type), at.date())
    return Probe(
        unit_id=unit.unit_id,
        at=at,
        ok=result.ok,
        status=result.status,
        latency_ms=round(result.latency_ms, 1) if result.latency_ms is not None else None,
        error_class=result.error_class,
        newest_date=newest,
        fingerprint=fingerprint,
    )


async def probe_units_async(units: Iterable[Unit], settings: ProbeSettings, clock: Clock) -> PassResult:
    """Probe every unit's homepage once, ``settings.concurrency`` at a time (and over IPv6, see the module doc)."""
    units = list(units)
    out = PassResult(at=clock.now())
    silent: set[str] = set()
    crawl = crawl_settings(
        settings.resolver,
        settings.allow_private,
        settings.timeout,
        settings.concurrency,
        settings.user_agent,
        settings.control_urls,
    )
    v6 = None
    if settings.ipv6:
        v6 = asyncio.create_task(probe_ipv6_async(units, crawl, clock))
    sem = asyncio.Semaphore(settings.concurrency)
    async with make_session(
        settings.resolver, settings.allow_private, settings.concurrency, settings.timeout, settings.user_agent
    ) as session:

        async def one(unit: Unit) -> None:
            async with sem:
                try:
                    out.probes.append(await _probe_one(session, unit, settings, clock, out, silent))
                except PolicyRefused as exc:
                    out.refused[unit.unit_id] = f"{exc} (pass --allow-private to permit)"

        try:
            await asyncio.gather(*(one(u) for u in units))
        except BaseException:
            if v6 is not None:
                v6.cancel()
            raise
        reason = await _pass_outage(crawl, len(silent), len(out.probes))
    if reason:
        out.outage = f"{OUTAGE_PREFIX}: {reason}"
        out.probes = [
            Probe(p.unit_id, p.at, False, error_class=UNVERIFIED) if p.unit_id in silent else p for p in out.probes
        ]
        for unit_id in silent:
            out.errors[unit_id] = f"{out.errors.get(unit_id, '')} — {OUTAGE_PREFIX}".lstrip(" —")
    out.probes.sort(key=lambda p: p.unit_id)
    if v6 is not None:
        out.ipv6 = await v6
    return out


async def _pass_outage(crawl: CrawlSettings, silent: int, tried: int) -> str:
    """The pass's assessor-side outage ("" when none): the crawler's pass rule, whose control
    hosts are fetched only when the share of silent visits asks for them."""
    if not share_reason(silent, tried, crawl):
        return ""
    async with Fetcher(crawl) as fetcher:
        return await pass_outage(fetcher, crawl, silent, tried)


def probe_units(units: Iterable[Unit], settings: ProbeSettings, clock: Clock | None = None) -> PassResult:
    """Synchronous wrapper of :func:`probe_units_async` (does not store)."""
    return asyncio.run(probe_units_async(units, settings, clock or SystemClock()))


def registered_units(db: Database, unit_ids: Iterable[str] | None = None) -> list[Unit]:
    """The registry's units (optionally only ``unit_ids``), in unit_id order."""
    from zwgk.storage.registry import list_units

    units = list_units(db)
    if unit_ids is not None:
        wanted = set(unit_ids)
        units = [u for u in units if u.unit_id in wanted]
    return sorted(units, key=lambda u: u.unit_id)


def run_probe_pass(
    db: Database,
    settings: ProbeSettings,
    clock: Clock | None = None,
    unit_ids: Iterable[str] | None = None,
    on_probes: Callable[[PassResult], object] | None = None,  # its return value is not used
) -> PassResult:
    """One pass over the registry: probe, store (IPv6 probes marked, an outage's probes
    unverified), then hand the result to ``on_probes`` (alerts, which read
    ``result.verified`` and ``result.outage``: availability only)."""
    units = registered_units(db, unit_ids)
    if not units:
        raise ZwgkError(f"no units registered in {db.url}: import a site registry first (`zwgk registry import FILE`)")
    result = probe_units(units, settings, clock)
    add_probes(db, result.probes + (result.ipv6.probes if result.ipv6 is not None else []))
    if result.outage:
        log.warning(
            "probe pass at %s UTC unverified (%d of %d probes stored as unverified, not failures): %s",
            f"{result.at:%Y-%m-%d %H:%M}",
            len(result.unverified),
            len(result.probes),
            result.outage,
        )
    if on_probes is not None:
        on_probes(result)
    return result
