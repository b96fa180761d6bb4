"""Fixtures of the monitoring tests: real local servers on 127.0.0.1 only.

- ``mon_gov_site``: a homepage server whose state the test switches (up/down,
  the newest item date), standing in for a site when the farm is not needed.
- ``mon_smtp``: a real SMTP server (aiosmtpd) collecting every message.
- ``mon_webhook``: a real aiohttp server collecting every JSON POST.
- ``mon_add_units``: registers units straight in the units table.

Servers run in their own thread and event loop, so the synchronous probe
pass (``asyncio.run``) talks to them over real sockets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from typing import Any

import pytest
from aiohttp import web

from zwgk.model import Unit


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ThreadedApp:
    """An aiohttp application served from a background thread on 127.0.0.1."""

    def __init__(self, app: web.Application):
        self.app = app
        self.port = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.runner: web.AppRunner | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> ThreadedApp:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)

            async def setup() -> None:
                self.runner = web.AppRunner(self.app, access_log=None)
                await self.runner.setup()
                site = web.TCPSite(self.runner, "127.0.0.1", 0)
                await site.start()
                self.port = self.runner.addresses[0][1]

            try:
                self.loop.run_until_complete(setup())
            except BaseException as exc:  # noqa: BLE001 — reported to the starting thread below
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


@dataclass
class GovSite:
    """A homepage whose behaviour the test controls: ``down`` answers 503, ``newest`` dates the top item."""

    server: ThreadedApp
    newest: dt.date = dt.date(2026, 11, 20)
    down: bool = False
    hits: int = 0

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"

    def html(self) -> str:
        older = self.newest - dt.timedelta(days=3)
        return (
            "<html><head><meta charset='utf-8'><title>某某县人民政府</title></head><body>"
            f"<div class='top'>今天是{dt.date.today():%Y年%m月%d日} 星期二</div>"
            "<ul class='news'>"
            f"<li><a href='/a/1.html'>关于做好{self.newest:%m月%d日}工作的通知</a><span>{self.newest.isoformat()}</span></li>"
            f"<li><a href='/a/2.html'>县政府常务会议召开</a><span>{older.isoformat()}</span></li>"
            "</ul></body></html>"
        )


@pytest.fixture
def mon_gov_site():
    state: dict[str, GovSite] = {}

    async def home(request: web.Request) -> web.Response:
        site = state["site"]
        site.hits += 1
        if site.down:
            return web.Response(status=503, text="Service Unavailable")
        return web.Response(text=site.html(), content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/", home)
    server = ThreadedApp(app).start()
    state["site"] = GovSite(server)
    yield state["site"]
    server.stop()


@dataclass
class WebhookSink:
    server: ThreadedApp
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/hook"


@pytest.fixture
def mon_webhook():
    posts: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        posts.append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = ThreadedApp(app).start()
    sink = WebhookSink(server, posts)
    yield sink
    server.stop()


class _Collect:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: _Collect

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.handler.messages


@pytest.fixture
def mon_smtp():
    from aiosmtpd.controller import Controller

    handler = _Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpSink("127.0.0.1", port, handler)
    controller.stop()


@pytest.fixture
def mon_add_units() -> Callable[..., list[Unit]]:
    """``mon_add_units(db, units)``: store units in the registry table (registry reader not needed)."""
    from zwgk.storage.tables import UnitRow

    def add(db, units: Iterable[Unit]) -> list[Unit]:
        units = list(units)
        with db.session() as s:
            for u in units:
                s.merge(
                    UnitRow(
                        unit_id=u.unit_id,
                        name=u.name,
                        tier=u.tier,
                        kind=u.kind,
                        region=u.region,
                        parent_id=u.parent_id,
                        site_url=u.site_url,
                        site_code=u.site_code,
                        has_services=u.has_services,
                    )
                )
        return units

    return add


@dataclass
class MonitoredSite:
    """One registered farm site a test can take down; ``others`` are the farm's other units."""

    unit: Unit
    settings: Any  # ProbeSettings (the farm's resolver, private targets allowed)
    set_down: Callable[[bool], None]
    farm: Any
    others: list[Unit] = field(default_factory=list)


FARM_SEED = 3
FARM_SITES = 6


@pytest.fixture
def mon_farm():
    """A small running site farm (6 sites, seed 3) for the monitoring tests."""
    from zwgk.sitefarm import FarmConfig, running_farm

    with running_farm(FarmConfig(sites=FARM_SITES, seed=FARM_SEED)) as farm:
        yield farm


@pytest.fixture
def mon_farm_units(db, mon_farm, tmp_path) -> list[Unit]:
    """The farm's registry imported into ``db`` the way a province would (``import_registry``)."""
    from zwgk.monitor.probe import registered_units
    from zwgk.registry import import_registry

    import_registry(db, mon_farm.write_registry(tmp_path / "farm-registry.csv"))
    units = registered_units(db)
    assert len(units) == FARM_SITES
    return units


@pytest.fixture
def mon_site(db, mon_farm, mon_farm_units) -> MonitoredSite:
    """A farm site with no planted availability or freshness defect, registered and monitored."""
    from zwgk.monitor.probe import ProbeSettings

    planted = {d["unit_id"] for d in mon_farm.truth["defects"] if d["rule"] in ("AVAIL-DOWN", "FRESH-HOME")}
    healthy = [u for u in mon_farm_units if u.unit_id not in planted]
    unit = healthy[0]

    def set_down(down: bool) -> None:
        mon_farm.set_down(unit.unit_id, down)

    settings = ProbeSettings(resolver=mon_farm.resolver, allow_private=True)
    return MonitoredSite(unit, settings, set_down, mon_farm, [u for u in mon_farm_units if u is not unit])


@pytest.fixture
def mon_quarter_farm(db, tmp_path):
    """A 3-site farm whose content is dated 1 December 2026, registered in ``db``."""
    from zwgk.monitor.probe import registered_units
    from zwgk.registry import import_registry
    from zwgk.sitefarm import FarmConfig, running_farm

    with running_farm(FarmConfig(sites=3, seed=FARM_SEED, as_of=dt.date(2026, 12, 1))) as farm:
        import_registry(db, farm.write_registry(tmp_path / "quarter-registry.csv"))
        yield farm, registered_units(db)
