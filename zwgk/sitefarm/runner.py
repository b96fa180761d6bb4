"""Running a farm in the background: ``with running_farm(config) as farm: …``.

The HTTP server runs in its own thread and event loop (so synchronous callers,
tests and ``zwgk demo`` can use it), bound to 127.0.0.1 and ::1 on the same
port; the DNS server runs in dnslib's threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from aiohttp import web

from zwgk.model import ZwgkError
from zwgk.sitefarm.config import FarmConfig
from zwgk.sitefarm.content import leaders_listed
from zwgk.sitefarm.dns import start_dns, stop_dns
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.server import FarmServer
from zwgk.sitefarm.truth import build_truth, write_truth


def _bind(family: int, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def bind_pair(host: str, port: int, ipv6: bool) -> list[socket.socket]:
    """Listening sockets on ``host`` and ::1 with the same port number."""
    for _ in range(50):
        v4 = _bind(socket.AF_INET, host, port)
        if not ipv6:
            return [v4]
        actual = v4.getsockname()[1]
        try:
            return [v4, _bind(socket.AF_INET6, "::1", actual)]
        except OSError as exc:
            v4.close()
            if port or exc.errno != errno.EADDRINUSE:
                raise ZwgkError(f"farm cannot listen on [::1]:{actual}: {exc}") from exc
    raise ZwgkError("farm found no port free on both 127.0.0.1 and ::1")


class FarmHandle:
    """A running farm: ports, truth, registry, and runtime switches."""

    def __init__(
        self,
        farm: Farm,
        server: FarmServer,
        port: int,
        dns_port: int,
        listener: _Ipv6Listener | None = None,
    ):
        self._farm, self._server = farm, server
        self.port, self.dns_port = port, dns_port
        self.resolver = f"127.0.0.1:{dns_port}"
        self._truth: dict | None = None
        self._lock = threading.Lock()
        self._v6 = listener

    @property
    def config(self) -> FarmConfig:
        return self._farm.config

    @property
    def farm(self) -> Farm:
        return self._farm

    @property
    def truth(self) -> dict:
        """The ground truth (computed on first use: it materialises every site)."""
        with self._lock:
            if self._truth is None:
                self._truth = build_truth(self._farm)
            return self._truth

    @property
    def sites(self) -> list[dict]:
        """One dict per site (registry columns plus ``url`` and ``host``), cheap."""
        rows = self._farm.site_rows()
        for row, spec in zip(rows, self._farm.specs):
            row["url"], row["host"], row["name"] = row["site_url"], spec.host, spec.name
        return rows

    @property
    def requests_served(self) -> int:
        return self._server.requests

    def url(self, unit_id: str) -> str:
        return self._farm.url(self._spec(unit_id))

    def write_truth(self, path: Path) -> Path:
        return write_truth(self.truth, path)

    def write_registry(self, path: Path) -> Path:
        return self._farm.write_registry(path)

    def set_down(self, unit_id: str, down: bool = True) -> None:
        """Take a site down (503 / reset on every request) or bring it back up."""
        self._spec(unit_id)
        if down:
            self._server.down.add(unit_id)
        else:
            self._server.down.discard(unit_id)

    def set_ipv6_listening(self, listening: bool) -> None:
        """Stop the farm's [::1] listener (IPv6 connections refused; DNS still answers AAAA) or
        start it again on the same port: a web server whose IPv6 side is down."""
        if self._v6 is None:
            raise ZwgkError("this farm does not serve IPv6 (FarmConfig.ipv6 off, or bench mode)")
        self._v6.set(listening)

    def _spec(self, unit_id: str):
        spec = self._farm.by_unit.get(unit_id)
        if spec is None:
            raise ZwgkError(f"the farm has no unit {unit_id!r}")
        return spec


class _Ipv6Listener:
    """The farm's [::1] listening socket, stopped and restarted from other threads."""

    def __init__(self, loop: asyncio.AbstractEventLoop, runner: web.AppRunner, sock: socket.socket):
        self.loop, self.runner, self.port = loop, runner, sock.getsockname()[1]
        self.sock: socket.socket | None = sock
        self.site: web.SockSite | None = None

    async def start(self) -> None:
        if self.sock is None:
            self.sock = _bind(socket.AF_INET6, "::1", self.port)
        self.site = web.SockSite(self.runner, self.sock)
        await self.site.start()

    async def stop(self) -> None:
        if self.site is not None:
            await self.site.stop()
            self.site = None
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None

    def set(self, listening: bool) -> None:
        step = self.start() if listening and self.site is None else self.stop() if not listening else None
        if step is not None:
            asyncio.run_coroutine_threadsafe(step, self.loop).result(10)


@contextlib.contextmanager
def running_farm(config: FarmConfig | None = None) -> Iterator[FarmHandle]:
    """Run the farm (HTTP + DNS) in the background for the ``with`` block."""
    config = config or FarmConfig()
    farm = Farm(config)
    server = FarmServer(farm)
    if config.bench_mode:
        groups = [[_bind(socket.AF_INET, config.host, 0)] for _ in range(len(farm.specs) + 1)]
        ext = groups.pop()[0]
        server.external_port = ext.getsockname()[1]
        for spec, socks in zip(farm.specs, groups):
            server.port_to_site[socks[0].getsockname()[1]] = spec
        farm.origins.bench_ports = {s.index: p for p, s in server.port_to_site.items()}
        farm.origins.external_port = server.external_port
        sockets = [s for g in groups for s in g] + [ext]
        port = server.external_port
    else:
        sockets = bind_pair(config.host, config.port, config.ipv6)
        port = sockets[0].getsockname()[1]
    farm.origins.port = port
    dns_servers, dns_port = start_dns(farm, config.host, config.dns_port, ipv6=config.ipv6 and not config.bench_mode)

    loop = asyncio.new_event_loop()
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False, shutdown_timeout=0.5)
    started = threading.Event()
    failure: list[BaseException] = []
    v6_socks = [sock for sock in sockets if sock.family == socket.AF_INET6]
    listener = _Ipv6Listener(loop, runner, v6_socks[0]) if v6_socks else None

    async def start() -> None:
        await runner.setup()
        for sock in sockets:
            if listener is not None and sock is listener.sock:
                await listener.start()
            else:
                await web.SockSite(runner, sock).start()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # noqa: BLE001 - re-raised below; else the caller waits forever
            failure.append(exc)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="zwgk-farm", daemon=True)
    thread.start()
    started.wait()
    if failure:
        stop_dns(dns_servers)
        raise ZwgkError(f"farm server failed to start: {failure[0]}")
    try:
        with leaders_listed(farm):  # the farm's leaders list, for WORDING-LEADER (zwgk.sitefarm.content)
            yield FarmHandle(farm, server, port, dns_port, listener)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        stop_dns(dns_servers)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
