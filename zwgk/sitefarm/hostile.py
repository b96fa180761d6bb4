"""The hostile corpus: pages built to break a crawler, served by aiohttp.

Real government servers send all of these sooner or later: a 50 MB page, a
response that never ends, HTML cut mid-tag, a charset header that lies,
10,000 nested ``<div>``, 100,000 links, redirects that never end, plain
garbage.  The crawler must survive each within its caps (size, time, links,
redirects) and leave a clear reason in the evidence (``Page.error`` /
``Page.outcome``).

Each case is one path; ``/`` links to every case, so the corpus can be
crawled as one site or each case as a site of its own (its path as the
homepage).  Nothing is held in memory: big bodies are generated while sent.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HostileCase:
    """One hostile page: where it is and what a robust crawler should make of it."""

    name: str
    path: str
    what: str
    expect: str


CASES: tuple[HostileCase, ...] = (
    HostileCase("huge", "/huge.html", "a 50 MB HTML page", "body cut at the page-size cap, error names the cut"),
    HostileCase(
        "drip",
        "/drip.html",
        "a body that never ends, one byte pair every half second",
        "stopped by the total timeout: transient, error 'timeout'",
    ),
    HostileCase(
        "truncated",
        "/truncated.html",
        "HTML that ends in the middle of a tag",
        "parsed as far as it goes: ok, the complete link is found",
    ),
    HostileCase(
        "cut",
        "/cut.html",
        "Content-Length promises 100000 bytes, the connection closes after 300",
        "transient, error names the broken payload",
    ),
    HostileCase(
        "charset",
        "/charset.html",
        "header says UTF-8, body is GBK",
        "decoded as GB18030: the Chinese title reads correctly",
    ),
    HostileCase(
        "charset-meta",
        "/charset-meta.html",
        "<meta> says gb2312, body is UTF-8",
        "decoded as UTF-8: the Chinese title reads correctly",
    ),
    HostileCase(
        "nested", "/nested.html", "10,000 nested <div>", "parsed without recursion error; the deep link is found"
    ),
    HostileCase(
        "links", "/links.html", "100,000 links on one page", "links stored, checks capped by max_links_checked_per_site"
    ),
    HostileCase("redirect", "/redirect/0", "a redirect chain that never ends", "broken, error 'too many redirects'"),
    HostileCase("loop", "/loop.html", "a page redirecting to itself", "broken, error 'redirect loop'"),
    HostileCase(
        "garbage",
        "/garbage.html",
        "64 KB of random bytes labelled text/html",
        "no crash; stored with whatever could be decoded",
    ),
)

# Not in CASES: a tarpit's point is the per-host circuit breaker, and the corpus serves every
# case from one host, so crawling it with the others would open the breaker for all of them.
# Serve it from a corpus of its own (``running_hostile_server``) and crawl ``/tarpit/`` as a site.
TARPIT = HostileCase(
    "tarpit",
    "/tarpit/",
    "a site whose homepage opens but whose inner pages answer one byte per second, forever",
    "after breaker_failures timeouts the host's circuit opens: the rest of its URLs are transient "
    "'host circuit open' (unverified, never LINK findings); the site ends within its time budget",
)

TITLE = {
    "charset": "字符集声明错误的页面",
    "charset-meta": "元标签字符集错误的页面",
    "nested": "深层嵌套页面",
    "links": "十万链接页面",
    "truncated": "截断页面",
}


def _page(title: str, body: str, meta: str = "") -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{meta}<title>{title}</title></head><body>{body}</body></html>'


class HostileCorpus:
    """The handlers; sizes are parameters so tests can shrink nothing but time."""

    def __init__(
        self,
        huge_bytes: int = 50 * MB,
        drip_interval: float = 0.5,
        drip_limit: float = 600.0,
        links: int = 100_000,
        nesting: int = 10_000,
        tarpit_links: int = 40,
        tarpit_interval: float = 1.0,
    ):
        self.tarpit_links = tarpit_links
        self.tarpit_interval = tarpit_interval  # seconds between the tarpit's bytes
        self.huge_bytes = huge_bytes
        self.drip_interval = drip_interval
        self.drip_limit = drip_limit  # the server gives up eventually, so no task lives forever
        self.links = links
        self.nesting = nesting
        self.hits: dict[str, int] = {}
        self.huge_sent = 0  # bytes of /huge.html the client actually took (its size cap at work)

    def app(self) -> web.Application:
        app = web.Application()
        app.middlewares.append(self._count)
        app.router.add_get("/", self.index)
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/huge.html", self.huge)
        app.router.add_get("/drip.html", self.drip)
        app.router.add_get("/truncated.html", self.truncated)
        app.router.add_get("/cut.html", self.cut)
        app.router.add_get("/charset.html", self.charset)
        app.router.add_get("/charset-meta.html", self.charset_meta)
        app.router.add_get("/nested.html", self.nested)
        app.router.add_get("/links.html", self.many_links)
        app.router.add_get("/redirect/{n}", self.redirect)
        app.router.add_get("/loop.html", self.loop)
        app.router.add_get("/garbage.html", self.garbage)
        app.router.add_get("/ok.html", self.ok)
        app.router.add_get("/l/{n}.html", self.ok)
        app.router.add_get("/tarpit/", self.tarpit_home)
        app.router.add_get("/tarpit/{n}.html", self.tarpit)
        return app

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1
        return await handler(request)

    # -------------------------------------------------------------- plain pages

    async def index(self, request: web.Request) -> web.Response:
        items = "".join(f'<li><a href="{c.path}">{c.what}</a></li>' for c in CASES)
        return web.Response(text=_page("恶意页面语料", f"<ul>{items}</ul>"), content_type="text/html")

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n", content_type="text/plain")

    async def ok(self, request: web.Request) -> web.Response:
        return web.Response(text=_page("正常页面", "<p>政务公开</p>"), content_type="text/html")

    # -------------------------------------------------------------- size and time

    async def huge(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Length": str(self.huge_bytes)}
        )
        await resp.prepare(request)
        head = (
            '<html><head><meta charset="utf-8"><title>超大页面</title></head><body><a href="/ok.html">正常</a>'.encode()
        )
        chunk = ("<p>" + "政务公开信息" * 2000 + "</p>").encode()
        sent = 0
        try:
            await resp.write(head)
            sent += len(head)
            while sent < self.huge_bytes:
                piece = chunk[: self.huge_bytes - sent]
                await resp.write(piece)
                sent += len(piece)
                self.huge_sent = max(self.huge_sent, sent)
            await resp.write_eof()
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass  # the client stopped reading at its cap: expected
        return resp

    async def drip(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        await resp.prepare(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drip_limit
        try:
            await resp.write("<html><head><title>永不结束</title></head><body>".encode())
            while loop.time() < deadline:
                await asyncio.sleep(self.drip_interval)
                await resp.write(b"<!-- -->")
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass
        return resp

    async def tarpit_home(self, request: web.Request) -> web.Response:
        items = "".join(f'<li><a href="/tarpit/{i}.html">慢速页面{i}</a></li>' for i in range(self.tarpit_links))
        return web.Response(text=_page("慢速站点", f"<ul>{items}</ul>"), content_type="text/html")

    async def tarpit(self, request: web.Request) -> web.StreamResponse:
        """Headers at once, then one byte per ``tarpit_interval`` until ``drip_limit``."""
        resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        await resp.prepare(request)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drip_limit
        try:
            while loop.time() < deadline:
                await resp.write(b" ")
                await asyncio.sleep(self.tarpit_interval)
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass
        return resp

    # -------------------------------------------------------------- broken HTML / HTTP

    async def truncated(self, request: web.Request) -> web.Response:
        body = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE["truncated"]}</title></head>'
            '<body><div class="nav"><a href="/ok.html">正常链接</a></div><div class="content"><p>正文<a hre'
        )
        return web.Response(text=body, content_type="text/html")

    async def cut(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8", "Content-Length": "100000"})
        await resp.prepare(request)
        await resp.write(_page("不完整的响应", "<p>" + "内容" * 40).encode()[:300])
        if request.transport is not None:
            request.transport.close()  # the promised rest never comes
        return resp

    async def charset(self, request: web.Request) -> web.Response:
        text = f'<html><head><title>{TITLE["charset"]}</title></head><body><p>发布日期：2024-05-06</p><a href="/ok.html">正常链接</a></body></html>'
        return web.Response(body=text.encode("gbk"), headers={"Content-Type": "text/html; charset=utf-8"})

    async def charset_meta(self, request: web.Request) -> web.Response:
        text = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{TITLE["charset-meta"]}</title></head>'
            '<body><p>发布日期：2024-05-06</p><a href="/ok.html">正常链接</a></body></html>'
        )
        return web.Response(body=text.encode("utf-8"), headers={"Content-Type": "text/html"})

    # -------------------------------------------------------------- shape

    async def nested(self, request: web.Request) -> web.Response:
        body = "<div>" * self.nesting + '<a href="/ok.html">最深处的链接</a>' + "</div>" * self.nesting
        return web.Response(text=_page(TITLE["nested"], body), content_type="text/html")

    async def many_links(self, request: web.Request) -> web.Response:
        body = "".join(f'<a href="/l/{i}.html">链接{i}</a>' for i in range(self.links))
        return web.Response(text=_page(TITLE["links"], body), content_type="text/html")

    async def redirect(self, request: web.Request) -> web.Response:
        try:
            n = int(request.match_info["n"])
        except ValueError:
            n = 0
        raise web.HTTPFound(f"/redirect/{n + 1}")

    async def loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop.html")

    async def garbage(self, request: web.Request) -> web.Response:
        rng = random.Random(8)
        return web.Response(body=rng.randbytes(64 * 1024), headers={"Content-Type": "text/html"})


class HostileServer:
    """The corpus on a loopback port, served from its own thread and event loop."""

    def __init__(self, corpus: HostileCorpus | None = None, host: str = "127.0.0.1", port: int = 0):
        self.corpus = corpus or HostileCorpus()
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def start(self) -> HostileServer:
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._runner = web.AppRunner(self.corpus.app(), access_log=None)
                loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, self.host, self.port)
                loop.run_until_complete(site.start())
                self.port = self._runner.addresses[0][1]  # the port the OS picked when asked for 0
            except BaseException as exc:  # noqa: BLE001 - any failure, SystemExit too, is re-raised by start()
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="hostile-corpus", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)


@contextmanager
def running_hostile_server(
    corpus: HostileCorpus | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[HostileServer]:
    """Serve the hostile corpus for the duration of the ``with`` block."""
    server = HostileServer(corpus, host, port).start()
    try:
        yield server
    finally:
        server.stop()
