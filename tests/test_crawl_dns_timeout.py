"""A lost DNS answer is asked again, and an AAAA query that never gets an answer is
"unknown", not "no AAAA record" (IPV6-NONE must not be judged on it)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from dnslib import AAAA, QTYPE, RR, A
from dnslib.server import BaseResolver, DNSServer

from tests.fixtures_indicators import by_rule
from zwgk.crawlers.net import DnsClient
from zwgk.crawlers.settings import CrawlSettings
from zwgk.indicators import evaluate


class DroppingResolver(BaseResolver):
    """Answers A 127.0.0.1 / AAAA ::1, but stalls the first ``drop_aaaa`` AAAA queries past the timeout."""

    def __init__(self, drop_aaaa: int, stall: float):
        self.drop_aaaa, self.stall, self.asked = drop_aaaa, stall, 0
        self.lock = threading.Lock()

    def resolve(self, request, handler):
        reply = request.reply()
        qname, qtype = request.q.qname, QTYPE[request.q.qtype]
        if qtype == "AAAA":
            with self.lock:
                self.asked += 1
                drop = self.asked <= self.drop_aaaa
            if drop:
                time.sleep(self.stall)  # the client has given up on this one
            reply.add_answer(RR(qname, QTYPE.AAAA, rdata=AAAA("::1"), ttl=60))
        elif qtype == "A":
            reply.add_answer(RR(qname, QTYPE.A, rdata=A("127.0.0.1"), ttl=60))
        return reply


@pytest.fixture
def dns_server():
    servers = []

    def start(drop_aaaa: int) -> tuple[DroppingResolver, int]:
        resolver = DroppingResolver(drop_aaaa, stall=0.6)
        server = DNSServer(resolver, port=0, address="127.0.0.1", logger=_Quiet())
        server.start_thread()
        servers.append(server)
        return resolver, server.server.server_address[1]

    yield start
    for server in servers:
        server.stop()


class _Quiet:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _lookup(port: int):
    settings = CrawlSettings(resolver=f"127.0.0.1:{port}", allow_private=True, connect_timeout=0.3)
    return asyncio.run(DnsClient(settings).lookup("www.example.gov.cn"))


def test_a_lost_aaaa_answer_is_asked_again(dns_server):
    resolver, port = dns_server(drop_aaaa=1)
    lookup = _lookup(port)
    assert lookup.a == ["127.0.0.1"] and lookup.aaaa == ["::1"]
    assert lookup.unanswered == [] and resolver.asked >= 2


def test_aaaa_never_answered_is_unknown_not_missing(dns_server, ws, nat_rubric):
    resolver, port = dns_server(drop_aaaa=99)
    lookup = _lookup(port)
    assert lookup.a == ["127.0.0.1"] and lookup.aaaa == []
    assert lookup.unanswered == ["AAAA"] and resolver.asked >= 3
    # The rule does not call that "no IPv6"; a real "no AAAA" answer it does.
    ws.probes["ipv6"] = {"aaaa": [], "a": ["127.0.0.1"], "aaaa_unknown": True, "error": "AAAA lookup timed out"}
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "IPV6-NONE")
    ws.probes["ipv6"] = {"aaaa": [], "a": ["127.0.0.1"], "error": "no AAAA record"}
    assert by_rule(evaluate(ws.snapshot(), nat_rubric), "IPV6-NONE")
