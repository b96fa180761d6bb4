"""Serving the farm: one aiohttp app answers every site by its Host header.

Also the misbehaviour of real servers (transient 503 / resets that succeed on
retry, 429 + Retry-After, HEAD 405, slow pages, redirects, redirect loops, an
endless calendar, gzip) and the planted transport defects (a site that is down,
IPv6 that resets or serves a maintenance page).  Counters are per process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import struct
from collections import defaultdict
from typing import Protocol

from aiohttp import web

from zwgk.sitefarm import disclosure, render, render_jiyue, render_kaipu, render_lingnan, render_xiangzhen
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.model import Column, Item, Site, SiteSpec
from zwgk.sitefarm.substance import media_feed

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
STATIC_PAGES = {"/wzdt/": "wzdt", "/lxwm/": "lxwm", "/bsfw/": "bsfw", "/search/": "search"}


class Renderer(Protocol):
    """What the server calls on a template family's renderer module (``render`` and each
    ``render_<family>``; a family's own includes are its optional ``render_extra``)."""

    def render_home(self, ctx: render.Ctx) -> str: ...
    def render_hub(self, ctx: render.Ctx, col: Column) -> str: ...
    def render_column(self, ctx: render.Ctx, col: Column, page: int) -> str: ...
    def render_article(self, ctx: render.Ctx, item: Item, column: Column | None) -> str: ...
    def render_static(self, ctx: render.Ctx, kind: str) -> str: ...
    def render_calendar(self, ctx: render.Ctx, day: dt.date) -> str: ...
    def render_soft404(self, ctx: render.Ctx) -> str: ...
    def encode(self, site: Site, page: str) -> tuple[bytes, str]: ...


# The page renderer of each template family (``render`` serves trs and hanweb).
RENDERERS: dict[str, Renderer] = {
    "jiyue": render_jiyue,
    "xiangzhen": render_xiangzhen,
    "kaipu": render_kaipu,
    "lingnan": render_lingnan,
}


def renderer(site: Site) -> Renderer:
    """The module that renders ``site``'s pages (same function names in every module)."""
    return RENDERERS.get(site.template, render)


class Reset(Exception):
    """Raised after the connection was aborted with RST."""


def _abort(request: web.Request) -> None:
    """Close the connection with a TCP reset, the way a broken server does."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


class FarmServer:
    """The request handler and the runtime state (down sites, failure counters)."""

    def __init__(self, farm: Farm):
        self.farm = farm
        self.down: set[str] = {s.unit_id for s in farm.specs if "AVAIL-DOWN" in s.codes}
        self.hits: dict[tuple[str, str], int] = defaultdict(int)
        self.v6_home_hits: dict[str, int] = defaultdict(int)
        self.requests = 0
        self.port_to_site: dict[int, SiteSpec] = {}
        self.external_port = 0

    def app(self) -> web.Application:
        logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
        app = web.Application(client_max_size=1024**2)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    # ------------------------------------------------------------ dispatch

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        over_v6 = bool(sockname and ":" in str(sockname[0]))
        bench = self.farm.config.bench_mode
        path = request.path
        if bench and sockname:
            local_port = sockname[1]
            if local_port == self.external_port:
                host, _, rest = path.lstrip("/").partition("/")
                return self._external(host, "/" + rest)
            spec = self.port_to_site.get(local_port)
        else:
            host = (request.host or "").rsplit(":", 1)[0].lower() if not (request.host or "").startswith("[") else ""
            spec = self.farm.by_host.get(host) or self.farm.by_alias.get(host)
            if spec is None:
                if host in self.farm.external_hosts:
                    return self._external(host, path)
                return self._respond(None, web.Response(status=404, text="unknown host"))
        if spec is None:
            return web.Response(status=404, text="unknown site")
        try:
            return await self._site_response(request, spec, over_v6)
        except Reset:
            return web.Response(status=500)

    async def _site_response(self, request: web.Request, spec: SiteSpec, over_v6: bool) -> web.StreamResponse:
        if spec.unit_id in self.down:
            site = self.farm.site(spec)
            if site.down_mode == "reset":
                _abort(request)
                raise Reset()
            return self._respond(None, web.Response(status=503, text="Service Unavailable"))
        site = self.farm.site(spec)
        ctx = render.Ctx(site, self.farm.origins)
        if over_v6 and site.ipv6_mode == "unreachable":
            _abort(request)
            raise Reset()
        if over_v6 and site.ipv6_mode == "mismatch":
            return self._html(site, render.render_maintenance(ctx), request, force_utf8=True)
        if over_v6 and site.ipv6_mode == "intermittent" and request.path in ("/", "/index.html"):
            self.v6_home_hits[spec.host] += 1
            if self.v6_home_hits[spec.host] % 2:  # every other IPv6 visit of the homepage is reset
                _abort(request)
                raise Reset()
        path, qs = request.path, request.query_string
        key = (spec.host, request.path_qs)
        if request.method == "HEAD" and site.head405 and path != "/":
            # Some servers refuse HEAD (405) or pretend the page is missing (404); GET works.
            if site.spec.seed % 3:
                return self._respond(site, web.Response(status=405, headers={"Allow": "GET, POST"}))
            return self._respond(site, web.Response(status=404))
        failing = site.transient.get(path) or (qs and site.transient.get(f"{path}?{qs}"))
        if failing and not self.farm.config.bench_mode:
            self.hits[key] += 1
            if self.hits[key] <= failing[0]:
                if failing[1] == "reset":
                    _abort(request)
                    raise Reset()
                if failing[1] == "429":
                    return self._respond(
                        site, web.Response(status=429, headers={"Retry-After": "1"}, text="Too Many Requests")
                    )
                return self._respond(
                    site, web.Response(status=503, headers={"Retry-After": "1"}, text="Service Temporarily Unavailable")
                )
        delay = site.slow.get(path) or (qs and site.slow.get(f"{path}?{qs}"))
        if delay and not self.farm.config.bench_mode:
            await asyncio.sleep(delay)
        plan = site.disclosure
        if plan is not None and plan.pdf_path and path == plan.pdf_path:  # a 年报 PDF: made off the event loop
            document = await asyncio.to_thread(disclosure.attachment_body, site, path)
            return self._respond(site, web.Response(body=document, content_type="application/pdf"))
        return self._route(site, ctx, path, qs, request)

    def _route(self, site: Site, ctx: render.Ctx, path: str, qs: str, request: web.Request) -> web.StreamResponse:
        r = renderer(site)
        if path in ("/", "/index.html", "/index.htm", "/index.shtml"):
            return self._html(site, r.render_home(ctx), request)
        entry = site.pages.get(path)
        if entry is None and qs:  # pages addressed by their query (detail.jsp?id=…)
            entry = site.pages.get(f"{path}?{qs}")
        if entry is not None:
            if entry[0] == "column":
                col, page = entry[1]
                if col.kind == "hub":
                    return self._html(site, r.render_hub(ctx, col), request)
                if page == 1 and request.query.get("page", "").isdigit():
                    page = int(request.query["page"])
                if not 1 <= page <= col.pages:
                    return self._not_found(site)
                return self._html(site, r.render_column(ctx, col, page), request)
            item = entry[1]
            return self._html(site, r.render_article(ctx, item, site.columns.get(item.col)), request)
        feed = media_feed(site, path)  # 政务新媒体 accounts' RSS (zwgk.sitefarm.substance)
        if feed is not None:
            return self._respond(
                site, web.Response(body=feed.encode("utf-8"), content_type="application/rss+xml", charset="utf-8")
            )
        if path in site.attachments:
            ext = path.rsplit(".", 1)[-1]
            body = (b"%PDF-1.4\n" if ext == "pdf" else b"\xd0\xcf\x11\xe0") + b"0" * site.attachments[path]
            return self._respond(
                site, web.Response(body=body, content_type=ATTACHMENT_TYPES.get(ext, "application/octet-stream"))
            )
        if path in site.soft404:
            return self._html(site, r.render_soft404(ctx), request)
        if path in STATIC_PAGES:
            return self._html(site, r.render_static(ctx, STATIC_PAGES[path]), request)
        if path in site.moved:
            return self._respond(site, web.Response(status=301, headers={"Location": site.moved[path]}))
        if site.loop and path in ("/loop/a.html", "/loop/b.html"):
            other = "/loop/b.html" if path.endswith("a.html") else "/loop/a.html"
            return self._respond(site, web.Response(status=302, headers={"Location": other}))
        if site.calendar and path == site.calendar:
            try:
                day = dt.date.fromisoformat(request.query.get("date", ""))
            except ValueError:
                day = self.farm.config.as_of
            return self._html(site, r.render_calendar(ctx, day), request)
        if path == render_jiyue.FOOTER_JS and site.template == "jiyue" and site.opts.get("footer") == "script":
            body, ctype = render_jiyue.encode_script(site, render_jiyue.footer_script(ctx))
            return self._respond(site, web.Response(body=body, headers={"Content-Type": ctype}))
        extra = getattr(r, "render_extra", None)  # a family's own includes (footer iframe, counters)
        found = extra(ctx, path) if extra is not None else None
        if found is not None:
            return self._respond(site, web.Response(body=found[0], headers={"Content-Type": found[1]}))
        if path.startswith(("/images/", "/css/", "/js/")):
            return self._asset(site, path)
        if not path.endswith("/") and (path + "/") in site.pages:
            return self._respond(site, web.Response(status=301, headers={"Location": path + "/"}))
        return self._not_found(site)

    # ------------------------------------------------------------ responses

    def _respond(self, site: Site | None, response: web.StreamResponse) -> web.StreamResponse:
        response.headers.setdefault("Server", "nginx")
        if self.farm.config.bench_mode:
            response.headers["LinkChecker"] = "1"
        return response

    def _html(self, site: Site, page: str, request: web.Request, force_utf8: bool = False) -> web.StreamResponse:
        if force_utf8:
            body, ctype = page.encode("utf-8"), "text/html; charset=utf-8"
        else:
            body, ctype = renderer(site).encode(site, page)
        response = web.Response(body=body, headers={"Content-Type": ctype})
        if site.gzip:
            response.enable_compression()
        return self._respond(site, response)

    def _not_found(self, site: Site | None) -> web.StreamResponse:
        return self._respond(site, web.Response(status=404, text=render.render_not_found(), content_type="text/html"))

    def _asset(self, site: Site, path: str) -> web.StreamResponse:
        if path.endswith((".png", ".jpg", ".gif")):
            return self._respond(site, web.Response(body=render.PNG_1PX, content_type="image/png"))
        if path.endswith(".css"):
            return self._respond(site, web.Response(text="body{font-family:SimSun}", content_type="text/css"))
        return self._respond(site, web.Response(text="/* js */", content_type="application/javascript"))

    def _external(self, host: str, path: str) -> web.StreamResponse:
        if host == "dcs.conac.cn" and path.endswith(".js"):  # the badge script writes the badge
            conac_id = path.rsplit("/", 2)[-2]
            script = (
                f"document.write('<a href=\"{self.farm.origins.external('bszs.conac.cn')}/sitename?method=show"
                f'&id={conac_id}" target="_blank"><img id="imgConac" border="0" '
                f'src="{self.farm.origins.external("dcs.conac.cn")}/image/red.png"></a>\');\n'
            )
            return self._respond(None, web.Response(text=script, content_type="application/javascript"))
        if path.endswith("/exposure/jiucuo.js"):  # the 我为政府网站找错 widget writes its image link
            script = (
                "document.write('<a href=\""
                + self.farm.origins.external(host)
                + '/exposure/jiucuo.html" target="_blank"><img src="'
                + self.farm.origins.external(host)
                + "/exposure/images/jiucuo.png\"></a>');\n"
            )
            return self._respond(None, web.Response(text=script, content_type="application/javascript"))
        if path.endswith((".png", ".gif", ".jpg")):
            return self._respond(None, web.Response(body=render.PNG_1PX, content_type="image/png"))
        return self._respond(None, web.Response(text=render.render_external(host), content_type="text/html"))
