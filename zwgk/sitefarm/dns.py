"""The farm's DNS server (dnslib, UDP + TCP on one port).

A 127.0.0.1 and AAAA ::1 for every farm host and the well-known outside hosts
the pages link to; no AAAA for sites planted with IPV6-NONE (or when the farm
runs without IPv6); NXDOMAIN for every other name, so planted links to dead
domains fail the way they do on the real Internet.
"""

from __future__ import annotations

from dnslib import AAAA, QTYPE, RCODE, RR, A, DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from zwgk.model import ZwgkError
from zwgk.sitefarm.farm import Farm

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

    def resolve(self, request, handler):  # noqa: D102 - dnslib API
        if not self.answering:
            raise DNSError("not answering")  # dnslib's handler then sends nothing
        reply = request.reply()
        qname = request.q.qname
        host = str(qname).rstrip(".").lower()
        aaaa = self.has_aaaa(host)
        if aaaa is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        qtype = QTYPE[request.q.qtype]
        if qtype in ("A", "ANY"):
            reply.add_answer(RR(qname, QTYPE.A, rdata=A(self.ipv4), ttl=TTL))
        if qtype in ("AAAA", "ANY") and aaaa:
            reply.add_answer(RR(qname, QTYPE.AAAA, rdata=AAAA("::1"), ttl=TTL))
        return reply


def quiet_logger() -> DNSLogger:
    """dnslib logs every query to stdout by default (slow and noisy)."""
    return DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)


def start_dns(farm: Farm, address: str, port: int) -> tuple[list[DNSServer], int]:
    """Start UDP and TCP servers on the same port (a free one when ``port`` is 0)."""
    resolver = FarmResolver(farm, address if address != "0.0.0.0" else "127.0.0.1")
    last_error: OSError | None = None
    for _ in range(20):
        udp = None
        try:
            udp = DNSServer(resolver, address=address, port=port, logger=quiet_logger())
            actual = udp.server.server_address[1]
            tcp = DNSServer(resolver, address=address, port=actual, tcp=True, logger=quiet_logger())
        except OSError as exc:
            last_error = exc
            if udp is not None:
                udp.server.server_close()
            if port:
                break
            continue
        udp.start_thread()
        tcp.start_thread()
        return [udp, tcp], actual
    raise ZwgkError(f"farm DNS could not bind {address}:{port}: {last_error}")


def set_answering(servers: list[DNSServer], answering: bool) -> None:
    """Make the farm's DNS servers answer again, or drop every query (a resolver outage)."""
    for server in servers:
        server.server.resolver.answering = answering


def stop_dns(servers: list[DNSServer]) -> None:
    for server in servers:
        server.stop()
        server.server.server_close()
