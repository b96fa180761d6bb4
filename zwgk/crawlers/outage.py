"""Never blame a site for the assessor's outage (issue 18).

A round run while the assessor's own network or resolver is down sees every
homepage fail.  One failed fetch is no evidence that a site is down, so a
homepage that does not open goes through two steps before the crawl calls it
unreachable:

1. **Control checks** (:class:`OutageGuard`, one per round, shared by all
   sites): the resolver must still answer control queries (the control hosts'
   names and hosts that opened earlier in the round — NXDOMAIN counts as an
   answer), at least one control host (``CrawlSettings.control_urls``) must
   still give an HTTP answer, and not nearly all homepages tried in the last
   minutes may have failed without any answer.  When a check fails, the site is
   finished *unverified*: its crawl state is ``failed`` with a reason that names
   the outage, ``probes["home"]["outage"]`` holds it, no rule judges the site
   from the crawl (AVAIL-DOWN reads that key) and re-running the round crawls it
   again.  The round itself goes on: sites crawled before the outage keep their
   results.
2. **Spaced checks** (:func:`confirm_unreachable`): ``home_checks`` fetches of the
   homepage ``home_check_spacing`` seconds apart, each recorded in
   ``probes["home"]["checks"]``.  A check that opens the homepage sends the site
   back to be crawled; only when every check failed, with the controls fine each
   time, may AVAIL-DOWN raise a finding from the crawl — and then only as a
   review candidate (a veto needs a week of monitoring).

A site whose homepage opened but whose crawl overlapped a detected outage (or
lost a fifth of its pages without answers while the controls fail) is left
unverified the same way (:func:`partial_crawl_outage`): its snapshot is cut
short, and missing columns would otherwise read as the site's defects.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import errno
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from zwgk.crawlers.fetcher import Fetcher, budget_left
from zwgk.crawlers.net import ip_literal
from zwgk.crawlers.settings import CrawlSettings

OUTAGE_PREFIX = "评估方网络或DNS故障，未能核验 (assessor-side outage, not verified)"
HEALTHY_CONTROLS = 3  # hosts that opened earlier in the round, asked as resolver control queries
PARTIAL_SHARE = 0.2  # transient pages of a crawled site that make the control checks worth asking

# connect() errors that come from the probe host itself: no route or no source address for the
# target (network down, ``::1`` disabled, IPv6 switched off, no default route)
NO_ROUTE_ERRNOS = frozenset(
    code
    for code in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.EADDRNOTAVAIL,
        errno.EAFNOSUPPORT,
        errno.ENETDOWN,
        getattr(errno, "EPFNOSUPPORT", None),
    )
    if code is not None
)


def no_answer(home: dict[str, Any]) -> bool:
    """A homepage attempt that got no answer at all (timeout, DNS trouble, unreachable).

    An HTTP status, a refusal or NXDOMAIN is an answer: the network worked and
    the site (or its DNS) said something.
    """
    return home.get("outcome") == "transient" and home.get("status") is None


@dataclass(slots=True)
class HomeVerdict:
    """What the spaced checks of a homepage that did not open concluded."""

    opened: bool = False  # a later check opened it: the site is crawled again
    outage: str = ""  # the assessor's outage: the site stays unverified
    checks: list[dict[str, Any]] = field(default_factory=list)


class OutageGuard:
    """Control checks shared by every site of a round (one verdict serves many failures)."""

    def __init__(self, fetcher: Fetcher, settings: CrawlSettings):
        self.fetcher = fetcher
        self.s = settings
        self.homes: collections.deque[tuple[float, bool]] = collections.deque()
        self.healthy: collections.deque[str] = collections.deque(maxlen=HEALTHY_CONTROLS)
        self.lock = asyncio.Lock()
        self.cached: tuple[float, str] | None = None
        self.detected: list[str] = []  # every outage reason this round met (for the summary)
        self.detections: list[tuple[float, str]] = []  # (monotonic time, reason) of each positive check

    def note_home(self, url: str, home: dict[str, Any]) -> None:
        """Record one site's homepage outcome (the failure share of the last minutes)."""
        now = time.monotonic()
        self.homes.append((now, no_answer(home)))
        if home.get("outcome") == "ok":
            host = urlsplit(url).hostname or ""
            if host and ip_literal(host) is None and host not in self.healthy:
                self.healthy.append(host)

    def share_reason(self) -> str:
        now = time.monotonic()
        while self.homes and now - self.homes[0][0] > self.s.outage_window_s:
            self.homes.popleft()
        silent = sum(1 for _, failed in self.homes if failed)
        return share_reason(silent, len(self.homes), self.s, f" in the last {self.s.outage_window_s:.0f} s")

    async def check(self) -> str:
        """Why the assessor's side is down now ("" when the controls are fine)."""
        async with self.lock:
            now = time.monotonic()
            if self.cached is not None and now - self.cached[0] < self.s.outage_check_ttl:
                return self.cached[1] or self.share_reason()
            reason = await self._resolver_reason() or await self._control_reason() or self.share_reason()
            self.cached = (time.monotonic(), reason)
            if reason:
                self.detections.append((self.cached[0], reason))
                if reason not in self.detected:
                    self.detected.append(reason)
            return reason

    def seen_since(self, started: float) -> str:
        """An outage detected after monotonic time ``started`` ("" when none)."""
        return next((reason for at, reason in reversed(self.detections) if at >= started), "")

    async def _resolver_reason(self) -> str:
        names = [urlsplit(u).hostname or "" for u in self.s.controls()] + list(self.healthy)
        names = [n for n in dict.fromkeys(names) if n and ip_literal(n) is None]
        if not names:
            return ""
        answers = await asyncio.gather(*(self.fetcher.dns.answers(n) for n in names))
        if any(answers):
            return ""
        where = f"resolver {self.s.resolver}" if self.s.resolver else "the system resolver"
        return f"{where} answered none of {len(names)} control queries ({', '.join(names)})"

    async def _control_reason(self) -> str:
        return await control_reason(self.fetcher, self.s)


def share_reason(silent: int, tried: int, settings: CrawlSettings, where: str = "") -> str:
    """Why ``silent`` of ``tried`` homepages without any answer look like the assessor's outage
    ("" when they do not): at least ``outage_min_sites`` tried and at least
    ``outage_fail_share`` of them silent.  One rule for the crawler's rolling window
    (:class:`OutageGuard`) and the monitor's probe passes (:func:`pass_outage`)."""
    if tried >= settings.outage_min_sites and silent / tried >= settings.outage_fail_share:
        return (
            f"{silent} of the {tried} homepages tried{where} got no answer at all (≥ {settings.outage_fail_share:.0%})"
        )
    return ""


async def control_reason(fetcher: Fetcher, settings: CrawlSettings, v6: bool = False) -> str:
    """Why the control hosts say the assessor's side is down ("" when one of them gives an HTTP
    answer, or none is configured).  ``v6``: fetched over IPv6 only (the IPv6 probes)."""
    urls = list(settings.controls())
    if not urls:
        return ""
    results = await asyncio.gather(
        *(fetcher.fetch(u, full_body=False, v6=v6, retries=0, use_breaker=False) for u in urls)
    )
    if any(r.status is not None for r in results):
        return ""
    errors = "; ".join(f"{r.url}: {r.error}" for r in results)
    over = " over IPv6" if v6 else ""
    return f"none of the {len(urls)} control hosts answered{over} ({errors})"


async def pass_outage(fetcher: Fetcher, settings: CrawlSettings, silent: int, tried: int, v6: bool = False) -> str:
    """The assessor-side outage of a whole monitoring pass ("" when none): the share rule
    (:func:`share_reason`) holds and no control host answers (``v6``: over IPv6).

    Why controls are asked only after the share rule: a pass where a few sites are down
    is their failure, and a healthy pass costs no extra request.  Without a control host
    (``--allow-private``, or ``control_urls=()``) the share rule alone decides: a pass that
    nearly all went silent is no evidence against the sites.  Used by the IPv4 probe pass
    (``zwgk.monitor.probe``) and the IPv6 one (``zwgk.monitor.ipv6``).
    """
    share = share_reason(silent, tried, settings, " in this pass" + (" over IPv6" if v6 else ""))
    if not share:
        return ""
    if settings.controls():
        controls = await control_reason(fetcher, settings, v6)
        if not controls:
            return ""  # the assessor's network works: the sites' failures are theirs
        return f"{share} and {controls}"
    return f"{share} and no{' IPv6' if v6 else ''} control host is configured"


def outage_reason(detail: str) -> str:
    """The failure reason of a site left unverified by an outage (shown as 未测评)."""
    return f"{OUTAGE_PREFIX}: {detail}; re-run the round when the network is back"


async def partial_crawl_outage(guard: OutageGuard, started: float, stats: dict[str, Any]) -> str:
    """Why a crawled site's snapshot may be cut short by the assessor's outage ("" if not).

    A site whose crawl overlapped a detected outage, or whose pages failed without
    answers in a share that makes the control checks worth asking, has content the
    rules must not judge: columns not loaded would read as missing or blank.
    """
    transient = int(stats.get("outcome_transient", 0))
    if not transient:
        return ""
    seen = guard.seen_since(started)
    if seen:
        return seen
    if transient / max(int(stats.get("pages", 0)), 1) >= PARTIAL_SHARE:
        return await guard.check()
    return ""


async def confirm_unreachable(
    fetcher: Fetcher, guard: OutageGuard, url: str, home: dict[str, Any], settings: CrawlSettings
) -> HomeVerdict:
    """Spaced homepage checks, each preceded by the control checks (see the module doc)."""
    verdict = HomeVerdict(checks=[_check(home)])
    for attempt in range(settings.home_checks):
        verdict.outage = await guard.check()
        if verdict.outage or attempt + 1 >= settings.home_checks:
            return verdict
        wait = settings.home_check_spacing
        left = budget_left()
        if left is not None and left <= wait:
            return verdict  # the site's budget ends before the next check: fewer checks, no finding
        await asyncio.sleep(wait)
        result = await fetcher.fetch(url, use_breaker=False)
        verdict.checks.append(
            _check(
                {
                    "outcome": result.outcome,
                    "status": result.status,
                    "error": result.error,
                    "attempts": result.attempts,
                }
            )
        )
        if result.outcome == "ok":
            verdict.opened = True
            return verdict
    return verdict


def _check(home: dict[str, Any]) -> dict[str, Any]:
    errors = home.get("errors")
    error = home.get("error") if "error" in home else (errors[-1] if errors else "")
    return {
        "at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "outcome": home.get("outcome"),
        "status": home.get("status"),
        "error": error or "",
        "attempts": home.get("attempts"),
    }
