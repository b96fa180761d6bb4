"""The farm's DNS server (dnslib, UDP + TCP on one port, on 127.0.0.1 and ::1).

A 127.0.0.1 and AAAA ::1 for every farm host and the well-known outside hosts
the pages link to; no AAAA for sites planted with IPV6-NONE (or when the farm
runs without IPv6); NXDOMAIN for every other name, so planted links to dead
domains fail the way they do on the real Internet.

The delegation chain too: each site's zone (``farm.zone_of``) answers NS
``ns1.<zone>`` and ``ns2.<zone>``, which have A 127.0.0.1 and AAAA ::1 — no
AAAA for a site planted with IPV6-DELEGATION — and the server itself answers
over ::1 on the same port, so a query "to a name server over IPv6" reaches it.
Each site's second host (``farm.alias_host``) has A, and AAAA unless the site
is planted with IPV6-INNER-LINKS.
"""

from __future__ import annotations

from dnslib import AAAA, NS, QTYPE, RCODE, RR, A, DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from zwgk.model import ZwgkError
from zwgk.sitefarm.farm import Farm, zone_of

TTL = 60


class FarmResolver(BaseResolver):
    """``answering`` False makes the server drop every query unanswered: the assessor's
    resolver gone (issue 18's outage tests), as a client sees it — timeouts."""

    def __init__(self, farm: Farm, ipv4: str = "127.0.0.1"):
        self.farm = farm
        self.ipv4 = ipv4
        self.answering = True

    def has_aaaa(self, host: str) -> bool | None:
        """True/False for known hosts, None for unknown ones (NXDOMAIN)."""
        spec = self.farm.by_host.get(host)
        if spec is not None:
            return self.farm.config.ipv6 and "IPV6-NONE" not in spec.codes
        if host in self.farm.external_hosts:
            return self.farm.config.ipv6
        return None

    def address_aaaa(self, host: str) -> bool | None:
        """Like :meth:`has_aaaa`, for every name with addresses: sites, their second hosts,
        name servers and outside hosts."""
        known = self.has_aaaa(host)
        if known is not None:
            return known
        ipv6 = self.farm.config.ipv6
        alias = self.farm.by_alias.get(host)
        if alias is not None:
            return ipv6 and not ({"IPV6-NONE", "IPV6-INNER-LINKS"} & alias.codes)
        label, _, zone = host.partition(".")
        owner = self.farm.by_zone.get(zone) if label in ("ns1", "ns2") else None
        if owner is not None:
            return ipv6 and "IPV6-DELEGATION" not in owner.codes
        return None

    def resolve(self, request, handler):
        if not self.answering:
            raise DNSError("not answering")  # dnslib's handler then sends nothing
        reply = request.reply()
        qname = request.q.qname
        host = str(qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        zone = self.farm.by_zone.get(host)
        aaaa = self.address_aaaa(host)
        if aaaa is None and zone is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if zone is not None and qtype in ("NS", "ANY") and zone_of(zone.host) == host:
            for label in ("ns1", "ns2"):
                reply.add_answer(RR(qname, QTYPE.NS, rdata=NS(f"{label}.{host}."), ttl=TTL))
        if aaaa is None:
            return reply  # a zone apex without addresses of its own
        if qtype in ("A", "ANY"):
            reply.add_answer(RR(qname, QTYPE.A, rdata=A(self.ipv4), ttl=TTL))
        if qtype in ("AAAA", "ANY") and aaaa:
            reply.add_answer(RR(qname, QTYPE.AAAA, rdata=AAAA("::1"), ttl=TTL))
        return reply


def quiet_logger() -> DNSLogger:
    """dnslib logs every query to stdout by default (slow and noisy)."""
    return DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)


def start_dns(farm: Farm, address: str, port: int, ipv6: bool = False) -> tuple[list[DNSServer], int]:
    """Start UDP and TCP servers on the same port (a free one when ``port`` is 0), and with
    ``ipv6`` the same pair on ::1 (the name servers' IPv6 address)."""
    resolver = FarmResolver(farm, address if address != "0.0.0.0" else "127.0.0.1")
    last_error: OSError | None = None
    for _ in range(20):
        servers: list[DNSServer] = []
        try:
            udp = DNSServer(resolver, address=address, port=port, logger=quiet_logger())
            servers.append(udp)
            actual = udp.server.server_address[1]
            servers.append(DNSServer(resolver, address=address, port=actual, tcp=True, logger=quiet_logger()))
            if ipv6:
                servers.append(DNSServer(resolver, address="::1", port=actual, logger=quiet_logger()))
                servers.append(DNSServer(resolver, address="::1", port=actual, tcp=True, logger=quiet_logger()))
        except OSError as exc:
            last_error = exc
            for server in servers:
                server.server.server_close()
            if port:
                break
            continue
        for server in servers:
            server.start_thread()
        return servers, actual
    raise ZwgkError(f"farm DNS could not bind {address}:{port}: {last_error}")


def set_answering(servers: list[DNSServer], answering: bool) -> None:
    """Make the farm's DNS servers answer again, or drop every query (a resolver outage)."""
    for server in servers:
        server.server.resolver.answering = answering


def stop_dns(servers: list[DNSServer]) -> None:
    for server in servers:
        server.stop()
        server.server.server_close()
