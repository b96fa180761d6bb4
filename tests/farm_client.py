"""A tiny HTTP/DNS client for the farm tests: loopback only, Host header routing."""

from __future__ import annotations

import asyncio
import http.client
import re
from urllib.parse import urlsplit

import aiohttp
import dns.resolver


def fetch(
    url: str, method: str = "GET", v6: bool = False, headers: dict | None = None, decompress: bool = True
) -> tuple[int, dict, bytes]:
    """Request ``url`` from the farm on 127.0.0.1 (or ::1) with its Host header; no redirects."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    target = f"http://{'[::1]' if v6 else '127.0.0.1'}:{parts.port}{path}"

    async def go():
        timeout = aiohttp.ClientTimeout(total=20)
        headers_sent = {"Host": parts.netloc, **(headers or {})}
        async with (
            aiohttp.ClientSession(timeout=timeout, auto_decompress=decompress) as session,
            session.request(method, target, allow_redirects=False, headers=headers_sent) as resp,
        ):
            return resp.status, dict(resp.headers), await resp.read()

    return asyncio.run(go())


def raw_get(url: str, v6: bool = False) -> int:
    """One GET on one fresh connection with http.client (no client-side retry, unlike aiohttp)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("::1" if v6 else "127.0.0.1", parts.port, timeout=20)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Host": parts.netloc})
        return conn.getresponse().status
    finally:
        conn.close()


def text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def meta(page: str, name: str) -> str | None:
    m = re.search(rf'<meta name="{name}" content="([^"]*)"', page)
    return m.group(1) if m else None


def resolver(farm) -> dns.resolver.Resolver:
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = ["127.0.0.1"]
    res.port = farm.dns_port
    res.lifetime = 5
    return res
