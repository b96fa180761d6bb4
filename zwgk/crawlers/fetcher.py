"""The downloader: one shared aiohttp pool, per-host politeness, retries, redirects.

Outcomes follow the model: ``ok``; ``broken`` (404/410, NXDOMAIN, connection
refused, redirect loop, soft-404 — decided by the caller after parsing);
``blocked`` (401/403 and WAF challenges); ``transient`` (timeouts, resets,
5xx, 429 still failing after the retries); ``skipped`` (refused by policy).
Only ``broken`` may ever become a LINK finding, so anything that might be a
passing problem of the server must end as ``transient``, never ``broken``.

GET is used for every check: many government servers answer HEAD with
404/405/500 while GET works.

Two bounds keep one bad host from holding the round (issue 18): a per-host
circuit breaker (``HostBreaker``: after ``breaker_failures`` consecutive
fetches without an HTTP answer the host's further URLs end ``transient`` at
once, "host circuit open") and a per-site deadline (``site_deadline``: a
context variable the engine sets around each site's crawl; fetches after it
end ``skipped``, "site time budget").  Both record the URL with its reason, so
what was not verified is listed, never judged.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import random
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import ClientConnectorDNSError, ClientConnectorError

from zwgk.crawlers.decode import decode_body
from zwgk.crawlers.net import DnsClient, NameNotFound, PolicyResolver, PrivateAddressRefused, check_address, ip_literal
from zwgk.crawlers.settings import CrawlSettings
from zwgk.crawlers.urls import host_of, netloc_of, resolve_link

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
BROKEN_STATUSES = frozenset({400, 404, 410, 414, 451})
# 412 is what script-challenge WAFs common on Chinese government sites answer a client
# without their cookie: the page exists, we were just not let in (never a LINK finding).
BLOCKED_STATUSES = frozenset({401, 403, 407, 412})
HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Monotonic time after which fetches of the site being crawled are no longer made.
_SITE_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("zwgk_site_deadline", default=None)
BUDGET_ERROR = "site time budget used up"
BREAKER_ERROR = "host circuit open"


@contextlib.contextmanager
def site_deadline(seconds: float) -> Iterator[float | None]:
    """Fetches made inside the block (and tasks it starts) stop after ``seconds`` (0: no limit)."""
    deadline = time.monotonic() + seconds if seconds > 0 else None
    token = _SITE_DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _SITE_DEADLINE.reset(token)


def budget_left() -> float | None:
    """Seconds left of the current site's budget; None when no budget applies."""
    deadline = _SITE_DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


@dataclass(slots=True)
class FetchResult:
    """One URL fetched (after redirects and retries)."""

    url: str
    final_url: str
    status: int | None = None
    outcome: str = "ok"
    error: str = ""
    content_type: str = ""
    charset: str = ""
    text: str | None = None  # decoded body for HTML; None otherwise
    size: int = 0
    elapsed_ms: float = 0.0
    attempts: int = 0
    etag: str = ""
    last_modified: str = ""
    redirects: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    want_text: bool = False  # decode the body whatever its type (fetch(read_text=True))
    want_bytes: bool = False  # keep the raw body, up to max_document_bytes (fetch(read_bytes=True))
    body: bytes | None = None  # the raw body when ``want_bytes``
    cut: bool = False  # the body was cut at the cap

    @property
    def is_html(self) -> bool:
        return self.text is not None


class HostSlot:
    """Per-host concurrency and AutoThrottle-style delay.

    target delay = latency / target concurrency; the next delay is the mean of
    the previous and the target; a failed or non-2xx response may never make
    the delay shorter (Scrapy AutoThrottle).  Retry-After pauses the host.
    ``floor`` is the least delay the host asked for (robots.txt Crawl-delay):
    throttling adapts above it and never below.
    """

    def __init__(self, settings: CrawlSettings):
        self.settings = settings
        self.sem = asyncio.Semaphore(settings.per_host_concurrency)
        self.delay = settings.min_delay
        self.floor = settings.min_delay
        self.next_start = 0.0
        self.paused_until = 0.0

    async def __aenter__(self) -> HostSlot:
        await self.sem.acquire()
        now = time.monotonic()
        start = max(now, self.next_start, self.paused_until)
        if self.delay > 0:
            self.next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.sem.release()

    def feedback(self, latency: float, ok: bool) -> None:
        s = self.settings
        target = latency / max(s.autothrottle_target, 0.1)
        new = (self.delay + target) / 2
        if not ok:
            new = max(new, self.delay, s.backoff_base / 4)
        self.delay = max(min(max(new, s.min_delay), s.max_delay), self.floor)

    def set_floor(self, seconds: float) -> None:
        """The host's own minimum spacing (robots.txt Crawl-delay), kept for the whole crawl."""
        self.floor = max(self.floor, seconds)
        self.delay = max(self.delay, self.floor)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class HostBreaker:
    """Consecutive fetch failures without an HTTP answer, per host; opens after ``threshold``.

    A host that answers nothing (a tarpit dripping one byte a second, a firewall that
    drops packets) would otherwise cost ``retries + 1`` full timeouts per URL.  Any HTTP
    answer closes the circuit; after ``cooloff`` seconds an open circuit lets one
    request through again (half-open), which closes it on success.
    """

    def __init__(self, threshold: int, cooloff: float):
        self.threshold = threshold
        self.cooloff = cooloff
        self.failures: dict[str, int] = {}
        self.last_error: dict[str, str] = {}
        self.opened_at: dict[str, float] = {}

    def refusal(self, host: str) -> str:
        """Why a request to ``host`` is not made now ("" when it may go)."""
        opened = self.opened_at.get(host)
        if opened is None:
            return ""
        if time.monotonic() - opened >= self.cooloff:
            self.opened_at[host] = time.monotonic()  # one trial request; its result decides
            return ""
        return (
            f"{BREAKER_ERROR}: {self.failures.get(host, 0)} consecutive failures without an "
            f"answer (last: {self.last_error.get(host, '')}); not verified"
        )

    def record(self, host: str, answered: bool, error: str = "") -> None:
        if answered:
            self.failures.pop(host, None)
            self.opened_at.pop(host, None)
            return
        n = self.failures[host] = self.failures.get(host, 0) + 1
        self.last_error[host] = error
        if self.threshold and n >= self.threshold and host not in self.opened_at:
            self.opened_at[host] = time.monotonic()

    def is_open(self, host: str) -> bool:
        return host in self.opened_at


def retry_after_seconds(value: str | None, cap: float) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, cap))


class Fetcher:
    """Owns the round's connection pools (IPv4-first main, IPv6-only probe) and host slots."""

    def __init__(self, settings: CrawlSettings):
        self.settings = settings
        self.dns = DnsClient(settings)
        self.slots: dict[str, HostSlot] = {}
        self.session: aiohttp.ClientSession | None = None
        self.session_v6: aiohttp.ClientSession | None = None
        self.gates: dict[str, asyncio.Semaphore] = {}
        self.requests = 0
        self.breaker = HostBreaker(settings.breaker_failures, settings.breaker_cooloff_s)
        self.guard: Any = None  # the round's OutageGuard (zwgk.crawlers.outage), set by the engine
        # Optional web archive (zwgk.archive.RoundArchive): told every response as received
        # and every finished redirect hop; None records nothing.
        self.archive: Any = None

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        headers = {
            "User-Agent": s.user_agent,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        timeout = aiohttp.ClientTimeout(total=s.total_timeout, sock_connect=s.connect_timeout)

        def session(mode: str, limit: int) -> aiohttp.ClientSession:
            connector = aiohttp.TCPConnector(
                resolver=PolicyResolver(self.dns, s.allow_private, mode),
                limit=limit,
                limit_per_host=s.per_host_concurrency,
                ttl_dns_cache=300,
                family=socket.AF_INET6 if mode == "v6" else socket.AF_UNSPEC,
            )
            return aiohttp.ClientSession(
                connector=connector,
                headers=headers,
                timeout=timeout,
                auto_decompress=True,
                cookie_jar=aiohttp.DummyCookieJar(),
            )

        self.session = session("main", s.global_concurrency)
        self.session_v6 = session("v6", max(4, s.global_concurrency // 4))
        # aiohttp (≥ 3.10) repeats a GET once, unasked, when a connection is reset; on the IPv6
        # side every request is a measurement (the homepage success rate counts resets), so the
        # probe's own ``retries`` are the only ones.  Private attribute: absent → nothing to do.
        if hasattr(self.session_v6, "_retry_connection"):
            self.session_v6._retry_connection = False
        # aiohttp's total timeout also runs while a request waits for a pooled connection:
        # with hundreds of sites in flight that wait alone turned healthy homepages into
        # "timeout" failures.  Requests queue here instead, untimed, so the pool never blocks.
        self.gates = {
            "main": asyncio.Semaphore(s.global_concurrency),
            "v6": asyncio.Semaphore(max(4, s.global_concurrency // 4)),
        }
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for sess in (self.session, self.session_v6):
            if sess is not None:
                await sess.close()

    def slot(self, url: str, v6: bool = False) -> HostSlot:
        key = ("6|" if v6 else "") + netloc_of(url)
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = HostSlot(self.settings)
        return slot

    async def fetch(
        self,
        url: str,
        *,
        full_body: bool = True,
        extra_headers: dict[str, str] | None = None,
        v6: bool = False,
        retries: int | None = None,
        use_breaker: bool = True,
        read_text: bool = False,
        read_bytes: bool = False,
    ) -> FetchResult:
        """GET ``url`` following redirects manually; never raises for network trouble.

        ``full_body``: read HTML up to ``max_page_bytes`` (crawl); False reads
        only ``check_read_bytes`` of non-HTML targets (link check).
        ``use_breaker``: False for deliberate checks (spaced homepage checks,
        control hosts) that must reach the host even when its circuit is open.
        ``read_text``: decode any body as text, whatever its type (a footer script).
        ``read_bytes``: keep the raw body in ``result.body`` up to ``max_document_bytes`` (a 年报
        attachment to read); ``result.cut`` says when it was longer.
        """
        result = FetchResult(url=url, final_url=url, want_text=read_text, want_bytes=read_bytes)
        started = time.monotonic()
        current = url
        visited = {url}
        try:
            for _hop in range(self.settings.max_redirects + 1):
                headers = extra_headers if current == url else None
                await self._attempts(result, current, full_body, headers, v6, retries, use_breaker)
                if self.archive is not None and not v6:
                    self.archive.hop_done(current, result)
                if result.status in REDIRECT_STATUSES and result.outcome == "redirect":
                    target = resolve_link(current, result.headers.get("location"))
                    if target is None:
                        result.outcome, result.error = "broken", f"redirect without usable Location from {current}"
                        break
                    result.redirects.append(target)
                    if target in visited:
                        result.outcome, result.error = (
                            "broken",
                            f"redirect loop: {' → '.join([url, *result.redirects])}",
                        )
                        break
                    visited.add(target)
                    current = target
                    result.final_url = target
                    continue
                break
            else:
                result.outcome, result.error = "broken", f"too many redirects (> {self.settings.max_redirects})"
        finally:
            result.elapsed_ms = (time.monotonic() - started) * 1000
        return result

    async def _attempts(
        self,
        result: FetchResult,
        url: str,
        full_body: bool,
        extra_headers: dict[str, str] | None,
        v6: bool,
        retries: int | None,
        use_breaker: bool = True,
    ) -> None:
        s = self.settings
        max_retries = s.retries if retries is None else retries
        breaker_key = netloc_of(url)
        # The IPv6 probe's fetches are few (``ipv6_sample``) and each one is evidence for the
        # IPV6 rules: a refusal by the breaker would read as "does not load over IPv6".
        use_breaker = use_breaker and not v6
        literal = ip_literal(host_of(url))
        if literal is not None:
            try:
                check_address(literal, literal, s.allow_private)
            except PrivateAddressRefused as exc:
                result.status, result.outcome, result.error = None, "skipped", "private address refused"
                result.headers = {"x-zwgk-detail": str(exc)}
                return
        slot = self.slot(url, v6)
        session = self.session_v6 if v6 else self.session
        assert session is not None, "Fetcher used outside 'async with'"
        gate = self.gates["v6" if v6 else "main"]
        attempt = 0
        while True:
            # The breaker refuses new fetches only: one already under way (the homepage, say)
            # keeps its retries, so a circuit opened meanwhile never cuts its evidence short.
            if self._refused_now(result, breaker_key, use_breaker and attempt == 0):
                return
            attempt += 1
            result.attempts += 1
            retry_wait: float | None = None
            async with slot, gate:
                if self._refused_now(result, breaker_key, use_breaker and attempt == 1):
                    return  # the budget ran out (or the circuit opened) while waiting for the slot
                t0 = time.monotonic()
                ok = False
                answered = False
                left = budget_left()
                options: dict[str, Any] = {}
                if left is not None and left < s.total_timeout:  # never wait past the site's budget
                    left = max(left, 0.01)
                    options["timeout"] = aiohttp.ClientTimeout(total=left, sock_connect=min(s.connect_timeout, left))
                body, cut = b"", False
                try:
                    self.requests += 1
                    headers = extra_headers
                    request = session.get(url, allow_redirects=False, headers=headers, **options)
                    async with request as resp:
                        answered = True
                        result.status = resp.status
                        result.headers = {k.lower(): v for k, v in resp.headers.items()}
                        result.content_type = resp.headers.get("Content-Type", "")
                        result.etag = resp.headers.get("ETag", "")
                        result.last_modified = resp.headers.get("Last-Modified", "")
                        if resp.status in REDIRECT_STATUSES and "location" in result.headers:
                            result.outcome, result.error = "redirect", ""
                            ok = True
                        elif resp.status in RETRY_STATUSES:
                            result.outcome, result.error = "transient", f"HTTP {resp.status}"
                            retry_wait = retry_after_seconds(resp.headers.get("Retry-After"), s.retry_after_cap)
                            if retry_wait is not None:
                                slot.pause(retry_wait)
                        else:
                            result.outcome, result.error = _classify_status(resp.status)
                            body, cut = await self._read(resp, result, full_body)
                            ok = 200 <= resp.status < 400
                        if self.archive is not None and not v6:
                            self.archive.record(url, resp, body, cut, result)
                except ClientConnectorDNSError as exc:
                    os_error = exc.os_error
                    if isinstance(os_error, PrivateAddressRefused):
                        result.outcome, result.error = "skipped", "private address refused"
                        return
                    if isinstance(os_error, NameNotFound):
                        result.outcome, result.error = "broken", f"DNS {os_error.detail}"
                        return
                    result.outcome, result.error = "transient", f"DNS error: {os_error}"
                except ClientConnectorError as exc:
                    if isinstance(exc.os_error, ConnectionRefusedError) or "refused" in str(exc).lower():
                        result.outcome, result.error = "broken", "connection refused"
                        return
                    result.outcome, result.error = "transient", f"connect error: {exc.os_error or exc}"
                except TimeoutError:
                    result.outcome, result.error = "transient", "timeout"
                except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError) as exc:
                    result.outcome, result.error = "transient", f"connection reset: {type(exc).__name__}"
                except aiohttp.TooManyRedirects:
                    result.outcome, result.error = "broken", "too many redirects"
                    return
                except (aiohttp.InvalidURL, ValueError) as exc:
                    result.outcome, result.error = "broken", f"invalid URL: {exc}"
                    return
                except aiohttp.ClientResponseError as exc:
                    result.outcome, result.error = "transient", f"bad response: {exc.message}"
                except aiohttp.ClientError as exc:
                    result.outcome, result.error = "transient", f"{type(exc).__name__}: {exc}"
                finally:
                    slot.feedback(time.monotonic() - t0, ok)
                    if result.outcome != "skipped" and not v6:
                        silent = _silent(result, answered)
                        self.breaker.record(breaker_key, not silent, result.error)
            if result.outcome != "transient" or attempt > max_retries:
                if result.outcome == "transient" and attempt > 1:
                    result.error = f"{result.error} (after {attempt} attempts)"
                return
            backoff = s.backoff_base * (2 ** (attempt - 1))
            backoff = backoff + random.uniform(0, backoff / 2)
            wait = max(backoff, retry_wait or 0.0)
            left = budget_left()
            if left is not None:
                wait = min(wait, max(left, 0.0))
            await asyncio.sleep(wait)

    def _refused_now(self, result: FetchResult, breaker_key: str, use_breaker: bool) -> bool:
        """End ``result`` without a request when the site's budget is used up or the host's
        circuit is open; the URL is recorded as not verified, with the reason."""
        left = budget_left()
        if left is not None and left <= 0:
            tried = result.attempts and result.error
            previous = f" (last attempt: {result.error})" if tried else ""
            result.outcome, result.error = "skipped", f"{BUDGET_ERROR}; not verified{previous}"
            return True
        if use_breaker:
            why = self.breaker.refusal(breaker_key)
            if why:
                result.outcome, result.error = "transient", why
                return True
        return False

    async def _read(self, resp: aiohttp.ClientResponse, result: FetchResult, full_body: bool) -> tuple[bytes, bool]:
        """Read the body up to the cap; returns the bytes kept and whether it was cut."""
        s = self.settings
        ctype = (resp.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        html = ctype.startswith(("text/html", "application/xhtml")) or (ctype in ("", "text/plain") and full_body)
        html = (html or result.want_text) and not result.want_bytes
        limit = s.max_document_bytes if result.want_bytes else s.max_page_bytes if html else s.check_read_bytes
        chunks: list[bytes] = []
        size = 0
        truncated = False
        async for chunk in resp.content.iter_chunked(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                truncated = size > limit or not resp.content.at_eof()
                break
        if truncated:
            resp.close()
        body = b"".join(chunks)[:limit]
        declared = resp.headers.get("Content-Length")
        result.size = int(declared) if truncated and declared and declared.isdigit() else size
        if result.want_bytes:
            result.body, result.cut = body, truncated
        if html:
            result.text, result.charset = decode_body(body, resp.headers.get("Content-Type"))
            if truncated:
                result.error = f"body cut at {s.max_page_bytes} bytes"
        return body, truncated


def _silent(result: FetchResult, answered: bool) -> bool:
    """The attempt cost time and got no usable answer: no response (timeout, reset, DNS
    trouble, unreachable) or headers followed by a body that stalled or broke off (a
    tarpit).  A refusal, NXDOMAIN or any HTTP status is an answer."""
    if result.outcome != "transient":
        return False
    return not answered or not result.error.startswith("HTTP ")


def _classify_status(status: int) -> tuple[str, str]:
    if 200 <= status < 300 or status == 304:
        return "ok", ""
    if status in BLOCKED_STATUSES:
        return "blocked", f"HTTP {status}"
    if status in BROKEN_STATUSES or 400 <= status < 500:
        return "broken", f"HTTP {status}"
    if status >= 500:
        return "transient", f"HTTP {status}"
    return "broken", f"HTTP {status}"
