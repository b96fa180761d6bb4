"""DNS through the configured resolver, and the SSRF address policy.

Every A/AAAA lookup of the round goes to ``settings.resolver`` (dnspython's
asyncio resolver) or to the system resolver.  Every address a name resolves
to is checked before aiohttp may connect to it: loopback, private, link-local,
multicast, reserved and the cloud metadata address are refused unless
``allow_private`` is set — an assessment crawler must never be turned against
the evaluator's own network by a registry entry or a redirect.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.resolver
from aiohttp.abc import AbstractResolver, ResolveResult

from zwgk.crawlers.settings import CrawlSettings, parse_resolver

# Cloud instance-metadata endpoints (AWS/Huawei/OpenStack, AWS IPv6, Alibaba, Tencent): refused
# even with --allow-private, which exists to reach intranet or loopback test sites, never credentials.
METADATA_ADDRESSES = frozenset({"169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.0.23"})


class PrivateAddressRefused(OSError):
    """The target resolves to an address the SSRF policy refuses."""

    def __init__(self, host: str, address: str):
        super().__init__(f"private address refused: {host} → {address} (pass --allow-private to permit)")
        self.host, self.address = host, address


class NameNotFound(OSError):
    """NXDOMAIN, or no address of the wanted family."""

    def __init__(self, host: str, detail: str = "NXDOMAIN"):
        super().__init__(f"{detail}: {host}")
        self.host, self.detail = host, detail


class ResolverUnavailable(OSError):
    """The resolver gave no usable answer (timeout, SERVFAIL, refused): no proof about the name.

    Unlike :class:`NameNotFound` this may be the assessor's own fault (resolver or network
    down), so a fetch that meets it ends ``transient``, never ``broken``.
    """


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as an IP (IPv4-mapped IPv6 unwrapped, zone id dropped); None if not an IP."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_refused_address(address: str) -> bool:
    """True for addresses a public-web crawler must not reach."""
    ip = _ip(address)
    if ip is None:
        return True
    return (
        str(ip) in METADATA_ADDRESSES
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


def is_metadata_address(address: str) -> bool:
    ip = _ip(address)
    return ip is not None and str(ip) in METADATA_ADDRESSES


def address_refused(address: str, allow_private: bool) -> bool:
    """The SSRF policy of every fetch (crawl, link check, IPv6 probe, monitoring probe)."""
    return is_metadata_address(address) or (not allow_private and is_refused_address(address))


def check_address(host: str, address: str, allow_private: bool) -> None:
    if address_refused(address, allow_private):
        raise PrivateAddressRefused(host, address)


def ip_literal(host: str) -> str | None:
    text = host.strip("[]")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


# getaddrinfo errors that mean "the resolver did not answer", not "the name does not exist".
_GAI_NO_ANSWER = frozenset(
    code for code in (getattr(socket, "EAI_AGAIN", None), getattr(socket, "EAI_FAIL", None)) if code is not None
)


@dataclass(slots=True)
class Lookup:
    """A and AAAA answers for one name (for the dns/ipv6 probes)."""

    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    error: str = ""
    unanswered: list[str] = field(default_factory=list)  # "A"/"AAAA" queries that timed out every try


class DnsClient:
    """A/AAAA lookups at the configured resolver (or the system's)."""

    def __init__(self, settings: CrawlSettings):
        self.timeout = settings.connect_timeout
        self.resolver: dns.asyncresolver.Resolver | None = None
        if settings.resolver:
            host, port = parse_resolver(settings.resolver)
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [host]
            resolver.port = port
            resolver.timeout = min(2.0, self.timeout)
            resolver.lifetime = self.timeout
            self.resolver = resolver

    async def addresses(self, host: str, family: int) -> list[str]:
        """Addresses of ``host`` for ``family`` (AF_INET / AF_INET6); NameNotFound when none."""
        literal = ip_literal(host)
        if literal is not None:
            is_v6 = ":" in literal
            if (family == socket.AF_INET6) == is_v6:
                return [literal]
            raise NameNotFound(host, "no address of this family")
        if self.resolver is not None:
            rdtype = "AAAA" if family == socket.AF_INET6 else "A"
            try:
                answer = await self.resolver.resolve(host, rdtype)
            except dns.resolver.NXDOMAIN:
                raise NameNotFound(host, "NXDOMAIN") from None
            except dns.resolver.NoAnswer:
                raise NameNotFound(host, f"no {rdtype} record") from None
            except dns.resolver.NoNameservers as exc:
                raise ResolverUnavailable(f"DNS SERVFAIL resolving {host}: {exc}") from None
            except dns.exception.Timeout:
                raise ResolverUnavailable(f"DNS timeout resolving {host} at the configured resolver") from None
            return [rr.address for rr in answer]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None, family=family, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in _GAI_NO_ANSWER:
                raise ResolverUnavailable(f"DNS resolving {host}: {exc.strerror}") from None
            raise NameNotFound(host, f"NXDOMAIN ({exc.strerror})") from None
        result: list[str] = []
        for info in infos:
            address = str(info[4][0])  # sockaddr[0] of AF_INET / AF_INET6 is the address string
            if address not in result:
                result.append(address)
        return result

    def _ns_resolver(self) -> dns.asyncresolver.Resolver:
        if self.resolver is not None:
            return self.resolver
        resolver = dns.asyncresolver.Resolver()  # the system's name servers (/etc/resolv.conf)
        resolver.timeout = min(2.0, self.timeout)
        resolver.lifetime = self.timeout
        return resolver

    async def zone_ns(self, host: str, tries: int = 3) -> tuple[str, list[str], str]:
        """(zone, name servers, error) of ``host``: the nearest enclosing name with NS records.

        Climbs label by label (``www.x.gov.cn`` → ``x.gov.cn`` …) as a resolver finds the
        zone cut.  ``error`` is set when a query got no answer after ``tries`` (unknown).
        """
        if ip_literal(host) is not None:
            return "", [], "the site is addressed by an IP literal: no DNS delegation"
        resolver = self._ns_resolver()
        name = host.rstrip(".").lower()
        while name.count(".") >= 1:
            for attempt in range(tries):
                try:
                    answer = await resolver.resolve(name, "NS")
                except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
                    break
                except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
                    if attempt + 1 < tries:
                        continue
                    return name, [], f"NS lookup of {name} got no answer: {type(exc).__name__}"
                names = sorted({str(rr.target).rstrip(".").lower() for rr in answer})
                return name, names, ""
            name = name.split(".", 1)[1]
        return "", [], f"no NS record for {host} or any enclosing zone"

    async def query_server(self, zone: str, address: str, port: int, tries: int = 3) -> tuple[str | None, str]:
        """Send one NS query for ``zone`` straight to the name server at ``address`` (UDP).

        Returns (rcode text, "") when it answered at all (any answer proves the server is
        reachable over that address), or (None, why) after ``tries`` timeouts.
        """
        query = dns.message.make_query(dns.name.from_text(zone or "."), "NS")
        error = ""
        for _ in range(tries):
            try:
                response = await dns.asyncquery.udp(
                    query, address.split("%", 1)[0], timeout=min(2.0, self.timeout), port=port
                )
            except dns.exception.Timeout:
                error = "timeout"
                continue
            except OSError as exc:
                return None, f"{type(exc).__name__}: {exc.strerror or exc}"
            except dns.exception.DNSException as exc:
                return None, f"{type(exc).__name__}: {exc}"
            return dns.rcode.to_text(response.rcode()), ""
        return None, error

    async def answers(self, name: str) -> bool:
        """True when the resolver answers a query for ``name`` at all (NXDOMAIN is an answer).

        The control query of the outage check: a resolver that answers nothing (timeout,
        SERVFAIL for a well-known name, temporary failure) means the assessor cannot
        resolve anything, so no site may be judged from a failed lookup.
        """
        if ip_literal(name) is not None:
            return True
        try:
            await self.addresses(name, socket.AF_INET)
        except NameNotFound:
            return True
        except OSError:
            return False
        return True

    async def lookup(self, host: str, tries: int = 3) -> Lookup:
        """A and AAAA of ``host``.  A query that times out is asked again (``tries`` in all):
        a lost UDP answer is no proof that the record is missing (IPV6-NONE reads ``aaaa``)."""
        out = Lookup()
        errors: list[str] = []
        for family, bucket, rdtype in ((socket.AF_INET, out.a, "A"), (socket.AF_INET6, out.aaaa, "AAAA")):
            for attempt in range(tries):
                try:
                    bucket.extend(await self.addresses(host, family))
                except NameNotFound as exc:
                    errors.append(str(exc))
                except OSError as exc:
                    if attempt + 1 < tries:
                        continue
                    errors.append(str(exc))
                    out.unanswered.append(rdtype)
                break
        if not out.a and not out.aaaa:
            out.error = "; ".join(errors)
        return out


class PolicyResolver(AbstractResolver):
    """aiohttp resolver: the configured DNS plus the SSRF policy.

    ``mode`` "main" answers A records (IPv4) and falls back to AAAA only when
    a name has no A: a broken IPv6 side must never break the main crawl.
    ``mode`` "v6" answers AAAA only (the IPv6 probe's session).
    """

    def __init__(self, dns_client: DnsClient, allow_private: bool, mode: str = "main"):
        self.dns = dns_client
        self.allow_private = allow_private
        self.mode = mode

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self.mode == "v6":
            addresses = await self.dns.addresses(host, socket.AF_INET6)
            fam = socket.AF_INET6
        else:
            try:
                addresses = await self.dns.addresses(host, socket.AF_INET)
                fam = socket.AF_INET
            except NameNotFound as first:
                if first.detail == "NXDOMAIN":
                    raise
                addresses = await self.dns.addresses(host, socket.AF_INET6)
                fam = socket.AF_INET6
        for address in addresses:
            check_address(host, address, self.allow_private)
        return [
            ResolveResult(hostname=host, host=address, port=port, family=fam, proto=0, flags=socket.AI_NUMERICHOST)
            for address in addresses
        ]

    async def close(self) -> None:
        return None
