"""One homepage fetch for a probe: aiohttp, an optional dnspython resolver, SSRF guard.

A probe is deliberately not a crawl: one GET, no retries (the official rule
counts every visit that did not open within 15 s), the body read up to a
cap.  Name resolution goes to the crawl's ``resolver`` (``HOST:PORT``, e.g.
the site farm's DNS) when one is given; private, loopback and link-local
targets are refused unless ``allow_private`` is set, as in the crawler.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from zwgk.crawlers.net import address_refused
from zwgk.crawlers.outage import NO_ROUTE_ERRNOS
from zwgk.model import ZwgkError

if TYPE_CHECKING:
    import dns.asyncresolver

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; zwgk/0.1; +assessment)"
# errno values of a failed visit that got no answer: the probe host's own "no route" ones, a DNS
# lookup no name server answered (NameNotFound EAGAIN), timeouts and resets
SILENT_ERRNOS = NO_ROUTE_ERRNOS | {errno.EAGAIN, errno.ETIMEDOUT, errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED}


class PolicyRefused(Exception):
    """The target resolves to an address we may not contact (SSRF guard)."""


class NameNotFound(OSError):
    """DNS has no address for the host (NXDOMAIN / no answer / resolver down)."""


def is_forbidden_address(addr: str) -> bool:
    """The crawler's own SSRF policy (loopback, private, link-local, CGNAT, cloud metadata …).

    One policy for crawl and probe: :func:`zwgk.crawlers.net.is_refused_address`.
    """
    from zwgk.crawlers.net import is_refused_address

    return is_refused_address(addr)


MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}


def _check_literal(url: str, allow_private: bool) -> None:
    """Refuse a URL whose host is a forbidden IP literal (aiohttp skips the resolver for those)."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        literal = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return
    if address_refused(str(literal), allow_private):
        raise PolicyRefused(f"{url} is a private, loopback or cloud-metadata address")


class GuardedResolver(AbstractResolver):
    """Resolves with dnspython against ``nameserver`` (or the system), refusing private targets."""

    def __init__(self, nameserver: tuple[str, int] | None, allow_private: bool, timeout: float = 5.0):
        self.allow_private = allow_private
        # the system's resolver, or dnspython asking ``nameserver`` (imported only then)
        self._backend: aiohttp.ThreadedResolver | dns.asyncresolver.Resolver
        if nameserver is None:
            self._backend = aiohttp.ThreadedResolver()
        else:
            import dns.asyncresolver

            r = dns.asyncresolver.Resolver(configure=False)
            r.nameservers = [nameserver[0]]
            r.port = nameserver[1]
            r.lifetime = timeout
            r.timeout = timeout
            self._backend = r

    @staticmethod
    async def _lookup(resolver: dns.asyncresolver.Resolver, host: str, family: int) -> list[tuple[str, int]]:
        import dns.exception
        import dns.resolver

        wanted = []
        if family in (socket.AF_INET, socket.AF_UNSPEC):
            wanted.append(("A", socket.AF_INET))
        if family in (socket.AF_INET6, socket.AF_UNSPEC):
            wanted.append(("AAAA", socket.AF_INET6))
        found: list[tuple[str, int]] = []
        for rtype, fam in wanted:
            try:
                answer = await resolver.resolve(host, rtype)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue  # the name server answered: no such name / no record of this type
            except dns.resolver.NoNameservers as exc:
                # unreachable, SERVFAIL: no usable answer — as the crawler's resolver (transient)
                raise NameNotFound(errno.EAGAIN, f"no name server answered for {host}: {exc}") from exc
            except dns.exception.Timeout as exc:
                raise NameNotFound(errno.EAGAIN, f"DNS timeout for {host}") from exc
            found.extend((rr.address, fam) for rr in answer)
        if not found:
            raise NameNotFound(errno.ENOENT, f"no address for {host}")
        return found

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if isinstance(self._backend, aiohttp.ThreadedResolver):
            results = await self._backend.resolve(host, port, family)
        else:
            results = [
                ResolveResult(hostname=host, host=addr, port=port, family=fam, proto=0, flags=socket.AI_NUMERICHOST)
                for addr, fam in await self._lookup(self._backend, host, family)
            ]
        for r in results:
            if address_refused(r["host"], self.allow_private):
                raise PolicyRefused(f"{host} resolves to {r['host']}, a private, loopback or cloud-metadata address")
        return results

    async def close(self) -> None:
        if isinstance(self._backend, aiohttp.ThreadedResolver):
            await self._backend.close()


@dataclass(slots=True)
class FetchResult:
    ok: bool
    status: int | None
    latency_ms: float | None
    error_class: str
    body: bytes = b""
    content_type: str = ""
    final_url: str = ""
    error: str = ""
    silent: bool = False  # no answer at all (see :func:`no_answer`): the assessor's outage may explain it


def no_answer(exc: BaseException) -> bool:
    """A failed visit that got no answer at all: a timeout, a reset, a lookup no name server
    answered usefully (unreachable, timeout, SERVFAIL), or the probe host's own "no route /
    network down".  An HTTP status, a refused
    connection or NXDOMAIN is an answer (``zwgk.crawlers.outage.no_answer`` is the same
    distinction for crawl results): only silent failures can be the assessor's outage."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return False
        if isinstance(cause, (TimeoutError, asyncio.TimeoutError, aiohttp.ServerTimeoutError, ConnectionResetError)):
            return True
        if isinstance(cause, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
            return True
        if isinstance(cause, socket.gaierror):
            return cause.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_SYSTEM", None))
        if isinstance(cause, OSError) and cause.errno is not None:
            if cause.errno == errno.ECONNREFUSED:
                return False
            if cause.errno in SILENT_ERRNOS:
                return True
        cause = cause.__cause__ or getattr(cause, "os_error", None)
    return False


def classify_exception(exc: BaseException) -> str:
    """Map a fetch failure onto the probe error classes."""
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return "timeout"
    if isinstance(exc, (NameNotFound, aiohttp.ClientConnectorDNSError)):
        return "dns"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, NameNotFound):
            return "dns"
        if isinstance(cause, ConnectionRefusedError):
            return "refused"
        if isinstance(cause, ConnectionResetError):
            return "reset"
        if isinstance(cause, socket.gaierror):
            return "dns"
        cause = cause.__cause__ or getattr(cause, "os_error", None)
        if cause is exc:
            break
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_err = getattr(exc, "os_error", None)
        if isinstance(os_err, ConnectionRefusedError) or getattr(os_err, "errno", None) == errno.ECONNREFUSED:
            return "refused"
        return "refused" if "refused" in str(exc).lower() else "other"
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, ConnectionResetError)):
        return "reset"
    if isinstance(exc, aiohttp.ClientOSError) and getattr(exc, "errno", None) in (errno.ECONNRESET, errno.EPIPE):
        return "reset"
    return "other"


def make_session(
    resolver: str | None, allow_private: bool, concurrency: int, timeout: float, user_agent: str = DEFAULT_USER_AGENT
) -> aiohttp.ClientSession:
    """A session whose every request gives up after ``timeout`` seconds in total."""
    from zwgk.crawlers.settings import parse_resolver

    nameserver = parse_resolver(resolver) if resolver else None
    connector = aiohttp.TCPConnector(
        limit=concurrency,
        limit_per_host=2,
        resolver=GuardedResolver(nameserver, allow_private),
        family=socket.AF_UNSPEC,
        ssl=False,  # availability, not certificate validity, is measured here
        force_close=True,  # each probe is a fresh visit, as a citizen's browser would make
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.8"},
    )


async def fetch_homepage(
    session: aiohttp.ClientSession, url: str, *, allow_private: bool, max_bytes: int = 2_000_000, timeout: float = 15.0
) -> FetchResult:
    """GET ``url`` once; ``ok`` when a non-error status arrived within the timeout."""
    if not (urlsplit(url).hostname or ""):
        raise ZwgkError(f"homepage URL {url!r} has no host")
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            # Redirects are followed by hand so every hop's address passes the SSRF guard:
            # hostnames go through the guarded resolver, IP literals are checked here.
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                _check_literal(current, allow_private)
                async with session.get(current, allow_redirects=False) as resp:
                    location = resp.headers.get("Location")
                    if resp.status in REDIRECTS and location:
                        current = urljoin(str(resp.url), location)
                        if urlsplit(current).scheme not in ("http", "https"):
                            return FetchResult(False, resp.status, None, "other", error=f"redirect to {current!r}")
                        continue
                    body = await resp.content.read(max_bytes)
                    latency = (time.perf_counter() - start) * 1000
                    status = resp.status
                    if status >= 500:
                        cls = "http5xx"
                    elif status >= 400:
                        cls = "http4xx"
                    else:
                        cls = ""
                    return FetchResult(
                        ok=status < 400,
                        status=status,
                        latency_ms=latency,
                        error_class=cls,
                        body=body,
                        content_type=resp.headers.get("Content-Type", ""),
                        final_url=str(resp.url),
                    )
            return FetchResult(False, None, None, "other", error=f"more than {MAX_REDIRECTS} redirects from {url}")
    except PolicyRefused:
        raise
    except aiohttp.ClientConnectorError as exc:
        inner = getattr(exc, "__cause__", None) or getattr(exc, "os_error", None)
        if isinstance(inner, PolicyRefused):
            raise inner from None
        return FetchResult(
            False, None, None, classify_exception(exc), error=f"{type(exc).__name__}: {exc}", silent=no_answer(exc)
        )
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        return FetchResult(
            False, None, None, classify_exception(exc), error=f"{type(exc).__name__}: {exc}", silent=no_answer(exc)
        )
