"""Fixtures of the crawler tests: real aiohttp web servers and a real dnslib DNS server.

Everything listens on 127.0.0.1 or ::1 only.  Servers run in their own thread
with their own event loop, so the synchronous ``crawl_round`` (which runs
``asyncio.run``) talks to them over real sockets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

Handler = Callable[[web.Request, int], Any]  # (request, hit number starting at 1) → Response


@dataclass
class Route:
    body: bytes | str | Handler = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class MiniWeb:
    """A tiny web server with programmable routes and a log of every request.

    Routes are keyed by path (``/a/b.html``) or path+query (``/cal?date=1``);
    unknown paths answer 404.  ``hits[path]`` lists (monotonic time, method).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, list[tuple[float, str]]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runner: web.AppRunner | None = None
        self.thread: threading.Thread | None = None
        self.delay = 0.0  # seconds every answer waits (to slow a crawl down in a test)

    def add(
        self,
        path: str,
        body: bytes | str | Handler = b"",
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.routes[path] = Route(body, status, content_type, headers or {})

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def count(self, path: str) -> int:
        return len(self.hits.get(path, []))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = request.path_qs if request.path_qs in self.routes else request.path
        self.hits.setdefault(key, []).append((time.monotonic(), request.method))
        route = self.routes.get(key)
        if self.delay:
            await asyncio.sleep(self.delay)
        if route is None:
            return web.Response(
                status=404, text="<html><title>404</title><body>Not Found</body></html>", content_type="text/html"
            )
        if callable(route.body):
            result = route.body(request, len(self.hits[key]))
            if asyncio.iscoroutine(result):
                result = await result
            return result
        body = route.body.encode("utf-8") if isinstance(route.body, str) else route.body
        return web.Response(
            status=route.status, body=body, headers={"Content-Type": route.content_type, **route.headers}
        )

    def start(self) -> MiniWeb:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self.runner = web.AppRunner(app, access_log=None)
            try:
                self.loop.run_until_complete(self.runner.setup())
                site = web.TCPSite(self.runner, self.host, self.port, reuse_address=True)
                self.loop.run_until_complete(site.start())
                self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            except BaseException as exc:  # noqa: BLE001 — reported to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(10)


def free_dual_port() -> int:
    """A TCP port free on both 127.0.0.1 and ::1."""
    for _ in range(50):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        try:
            s6.bind(("::1", port))
        except OSError:
            continue
        finally:
            s6.close()
            s4.close()
        return port
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


class ZoneDNS:
    """A dnslib DNS server on 127.0.0.1 answering A/AAAA from a dict; NXDOMAIN otherwise."""

    def __init__(self) -> None:
        self.zone: dict[str, dict[str, list[str]]] = {}
        self.server: Any = None

    def set(self, name: str, a: list[str] | None = None, aaaa: list[str] | None = None) -> None:
        self.zone[name.rstrip(".").lower()] = {"A": a or [], "AAAA": aaaa or []}

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server.server_address[1]}"

    def start(self) -> ZoneDNS:
        from dnslib import AAAA, QTYPE, RCODE, RR, A
        from dnslib.server import BaseResolver, DNSLogger, DNSServer

        zone = self.zone

        class Resolver(BaseResolver):
            def resolve(self, request, handler):
                reply = request.reply()
                name = str(request.q.qname).rstrip(".").lower()
                qtype = QTYPE[request.q.qtype]
                entry = zone.get(name)
                if entry is None:
                    reply.header.rcode = RCODE.NXDOMAIN
                    return reply
                for address in entry.get(qtype, []):
                    rdata = A(address) if qtype == "A" else AAAA(address)
                    reply.add_answer(RR(request.q.qname, getattr(QTYPE, qtype), rdata=rdata, ttl=60))
                return reply

        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        self.server = DNSServer(Resolver(), address="127.0.0.1", port=0, logger=quiet)
        self.server.start_thread()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def miniweb():
    server = MiniWeb().start()
    yield server
    server.stop()


@pytest.fixture
def zone_dns():
    server = ZoneDNS().start()
    yield server
    server.stop()


SYNONYMS = {
    "政策文件": ["政策文件", "文件通知"],
    "政策解读": ["政策解读", "解读回应", "图解政策"],
    "通知公告": ["通知公告", "公示公告"],
    "互动交流": ["互动交流", "政民互动"],
    "机构职能": ["机构职能", "机构信息"],
    "政府信息公开年报": ["政府信息公开年报", "年度报告"],
    "人事信息": ["人事信息"],
}


@pytest.fixture
def crawl_round_setup(db):
    """``make(units)`` → round id: units stored and a round created for them."""
    from zwgk.storage.rounds import create_round
    from zwgk.storage.tables import UnitRow

    counter = {"n": 0}

    def make(units: list[Any], name: str | None = None, as_of: dt.date = dt.date(2026, 11, 20)) -> int:
        with db.session() as s:
            for unit in units:
                row = s.get(UnitRow, unit.unit_id)
                if row is None:
                    s.add(
                        UnitRow(
                            unit_id=unit.unit_id, name=unit.name, tier=unit.tier, kind=unit.kind, site_url=unit.site_url
                        )
                    )
                else:
                    row.site_url = unit.site_url
        counter["n"] += 1
        info, _ = create_round(db, name or f"r{counter['n']}", as_of=as_of, rubric="test", weight=0.05, units=units)
        return info.id

    return make


def unit_for(url: str, unit_id: str = "u1", name: str = "测试县人民政府") -> Any:
    from zwgk.model import Unit

    return Unit(unit_id=unit_id, name=name, tier="县", kind="portal", site_url=url)


def fast_settings(**overrides: Any) -> Any:
    """Settings for loopback tests: private addresses allowed, short backoff."""
    from zwgk.crawlers import CrawlSettings

    values: dict[str, Any] = dict(
        allow_private=True,
        backoff_base=0.05,
        retries=2,
        ipv6_probe=False,
        connect_timeout=2,
        total_timeout=5,
        check_external_links=False,  # external names would go to the system resolver: tests stay on loopback
        home_check_spacing=0.2,  # spaced checks of a failing homepage: seconds in production, quick here
    )
    values.update(overrides)
    return CrawlSettings(**values)


def _page(title: str, body: str, nav: bool = True, head: str = "", charset: str = "utf-8") -> str:
    navbar = (
        '<div class="nav"><ul>'
        '<li><a href="/">首页</a></li><li><a href="/zcwj/">政策文件</a></li>'
        '<li><a href="/zcjd/">政策解读</a></li><li><a href="/xxgk/">政府信息公开</a></li>'
        '<li><a href="/hdjl/">政民互动</a></li></ul></div>'
        if nav
        else ""
    )
    footer = (
        '<div class="footer">主办：测试县人民政府 承办：测试县政府办公室<br>'
        '网站标识码：3609220011 <a href="https://beian.miit.gov.cn/">赣ICP备11002306号-1</a> '
        '<a href="http://www.beian.gov.cn/x">赣公网安备 36092202000105号</a>'
        '<a href="https://bszs.conac.cn/sitename?id=1"><img src="/img/red.png"></a></div>'
    )
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
        f'<body>{navbar}<div class="main">{body}</div>{footer}</body></html>'
    )


def _list(items: list[tuple[str, str, str]], extra: str = "") -> str:
    rows = "".join(f'<li><a href="{u}" title="{t}">{t}</a><span>{d}</span></li>' for u, t, d in items)
    return f'<ul class="list">{rows}</ul>{extra}'


def build_county_site(w: MiniWeb) -> dict[str, Any]:
    """A small county portal with every edge case the crawler must handle.

    Returns what the tests assert against (expected URLs and values).
    """
    from aiohttp import web as _web

    home_links = (
        '<a href="/missing.html">失效链接</a> <a href="/flaky.html">偶尔失败</a> '
        '<a href="/soft.html">软404</a> <a href="/loop1">循环跳转</a> <a href="/headonly.html">仅GET</a> '
        '<a href="/files/a.pdf">附件</a> <a href="/busy.html">繁忙</a> <a href="/forbidden.html">禁止</a> '
        '<a href="mailto:x@y.cn">邮件</a> <a href="javascript:void(0)">脚本</a> <a href="#top">顶部</a> '
        + "".join(f'<a href="/cal/?date=2023-01-{d:02d}">{d}日</a>' for d in range(1, 31))
        + '<iframe src="/frame.html"></iframe><script src="/js/app.js"></script>'
    )
    w.add("/", _page("测试县人民政府", home_links))
    w.add("/frame.html", _page("frame", "x", nav=False))
    w.add("/js/app.js", "var a=1;", content_type="application/javascript")
    w.add("/img/red.png", b"\x89PNG....", content_type="image/png")
    for d in range(1, 31):
        w.add(f"/cal/?date=2023-01-{d:02d}", _page("日历", f"{d}", nav=False))
    w.add("/missing.html", "<html><title>404</title></html>", status=404)
    w.add("/soft.html", _page("提示", "<p>对不起，您访问的页面不存在！</p>", nav=False))
    w.add("/files/a.pdf", b"%PDF-1.4 " + b"x" * 100000, content_type="application/pdf")
    w.add("/forbidden.html", "<html>blocked</html>", status=403)

    def flaky(request: _web.Request, n: int) -> _web.Response:
        if n == 1:
            return _web.Response(status=503, text="busy")
        return _web.Response(text=_page("偶尔失败", "ok now", nav=False), content_type="text/html")

    w.add("/flaky.html", flaky)

    def busy(request: _web.Request, n: int) -> _web.Response:
        if n == 1:
            return _web.Response(status=429, headers={"Retry-After": "1"}, text="slow down")
        return _web.Response(text=_page("繁忙", "fine", nav=False), content_type="text/html")

    w.add("/busy.html", busy)

    def headonly(request: _web.Request, n: int) -> _web.Response:
        if request.method == "HEAD":
            return _web.Response(status=405)
        return _web.Response(text=_page("仅GET", "get works", nav=False), content_type="text/html")

    w.add("/headonly.html", headonly)
    w.add("/loop1", "", status=302, headers={"Location": "/loop2"})
    w.add("/loop2", "", status=302, headers={"Location": "/loop1"})

    # 政策文件: list + createPageHTML pagination, articles with meta PubDate and related 解读.
    zcwj_items = [
        (f"/zcwj/202305/t20230516_{i}.html", f"关于印发第{i}号文件的通知", f"2023-05-{10 + i:02d}") for i in range(1, 4)
    ]
    w.add("/zcwj/", _page("政策文件", _list(zcwj_items, '<script>createPageHTML(3, 0, "index", "html");</script>')))
    w.add("/zcwj/index_1.html", _page("政策文件", _list([("/zcwj/202304/t20230401_7.html", "第七号", "2023-04-01")])))
    w.add("/zcwj/index_2.html", _page("政策文件", _list([("/zcwj/202303/t20230301_8.html", "第八号", "2023-03-01")])))
    for url, title, date in zcwj_items + [
        ("/zcwj/202304/t20230401_7.html", "第七号", "2023-04-01"),
        ("/zcwj/202303/t20230301_8.html", "第八号", "2023-03-01"),
    ]:
        related = (
            '<div class="xgjd">相关解读：<a href="/zcjd/202305/t20230520_1.html">关于第1号文件的解读</a></div>'
            if url.endswith("_1.html")
            else ""
        )
        w.add(
            url,
            _page(
                title,
                f"<h1>{title}</h1><p>测政发〔2023〕1号</p>{related}",
                head=f'<meta name="PubDate" content="{date} 09:00:00"><meta name="ArticleTitle" content="{title}">',
            ),
        )
    # 政策解读: label dates, Traditional label, table date, URL-only date.
    zcjd_items = [
        ("/zcjd/202305/t20230520_1.html", "关于第1号文件的解读", "2023-05-20"),
        ("/zcjd/202305/t20230521_2.html", "繁体解读", "2020-09-28"),
        ("/zcjd/202305/t20230522_3.html", "表格日期", "2023-05-22"),
        ("/zcjd/202305/t20230523_4.html", "无标注日期", "2023-05-23"),
    ]
    w.add("/zcjd/", _page("政策解读", _list(zcjd_items)))
    w.add(
        zcjd_items[0][0],
        _page(
            "关于第1号文件的解读",
            '<div class="info">发布时间：2023年5月20日 10:01</div><div class="yw">原文链接：<a href="/zcwj/202305/t20230516_1.html">第1号文件</a></div>',
        ),
    )
    w.add(zcjd_items[1][0], _page("繁體解讀", "<div>發布日期：2020年9月28日</div>"))
    w.add(
        zcjd_items[2][0],
        _page(
            "表格日期",
            "<table><tr><td>成文日期：</td><td>2023-05-19</td><td>发布日期</td><td>[2023-05-22]</td></tr></table>",
        ),
    )
    w.add(zcjd_items[3][0], _page("无标注日期", "<p>正文没有日期</p>"))
    # 政府信息公开 hub with sub-columns; 机构职能 served in GBK with the charset only in <meta>.
    w.add(
        "/xxgk/",
        _page(
            "政府信息公开",
            '<div class="subnav"><a href="/xxgk/jgzn/">机构职能</a><a href="/xxgk/ndbg/">年度报告</a></div>',
        ),
    )
    gbk = _page("机构职能", _list([("/xxgk/jgzn/art1.html", "县政府机构设置", "2022-12-01")]), charset="gb2312")
    w.add("/xxgk/jgzn/", gbk.encode("gb18030"), content_type="text/html")
    w.add("/xxgk/jgzn/art1.html", _page("县政府机构设置", "<p>发布日期：2022-12-01</p>"))
    w.add(
        "/xxgk/ndbg/",
        _page("年度报告", _list([("/xxgk/ndbg/2023.html", "2023年政府信息公开工作年度报告", "2024-01-20")])),
    )
    w.add("/xxgk/ndbg/2023.html", _page("2023年政府信息公开工作年度报告", "<p>发布日期：2024-01-20</p>"))
    w.add("/hdjl/", _page("政民互动", _list([("/hdjl/1.html", "咨询一", "2023-06-01")])))
    w.add("/hdjl/1.html", _page("咨询一", "<p>留言时间：2023-06-01</p><p>回复时间：2023-06-05</p>"))
    return {"home": w.url("/")}


@dataclass
class CrawledSite:
    web: MiniWeb
    db: Any
    round_id: int
    unit: Any
    snapshot: Any
    summary: Any
    events: list[dict[str, Any]]

    def page(self, path: str) -> Any:
        return self.snapshot.pages[self.web.url(path)]


@pytest.fixture(scope="module")
def county_crawl(tmp_path_factory):
    """The county site crawled once (uninterrupted), shared by the assertions of a module."""
    from zwgk.crawlers import crawl_round
    from zwgk.storage import Database
    from zwgk.storage.rounds import create_round
    from zwgk.storage.snapshot import load_snapshot
    from zwgk.storage.tables import UnitRow

    server = MiniWeb().start()
    build_county_site(server)
    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('county') / 'zwgk.db'}")
    unit = unit_for(server.url("/"))
    with db.session() as s:
        s.add(UnitRow(unit_id=unit.unit_id, name=unit.name, tier=unit.tier, kind=unit.kind, site_url=unit.site_url))
    info, _ = create_round(db, "county", as_of=dt.date(2026, 11, 20), rubric="test", weight=0.05, units=[unit])
    events: list[dict[str, Any]] = []
    summary = crawl_round(db, info.id, [unit], fast_settings(), SYNONYMS, progress=events.append)
    snap = load_snapshot(db, info.id, unit, dt.date(2026, 11, 20))
    yield CrawledSite(server, db, info.id, unit, snap, summary, events)
    server.stop()
    db.dispose()
