"""Real service fixtures: a Redis server and a PostgreSQL cluster on loopback.

Both are started from the Debian binaries in a temporary directory, on a free
port of 127.0.0.1, and stopped at the end of the session (each pytest-xdist
worker gets its own).  Nothing is mocked: the fault tests kill and restart
these very processes.

* ``redis_server`` → :class:`RedisServer` (``.url``, ``.restart()``, ``.flush()``)
* ``redis_url`` → a flushed Redis URL for one test
* ``postgres_server`` → ``postgresql+psycopg://postgres@127.0.0.1:PORT/zwgk``
* ``pg_url`` → a fresh, empty PostgreSQL database URL for one test
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REDIS_BIN = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, what: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")


# ------------------------------------------------------------------ Redis


@dataclass
class RedisServer:
    """A redis-server process without persistence: a restart loses every message."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    acl: tuple[str, str] | None = None  # (user, password): the deployment's ACL user, `default` off

    @property
    def url(self) -> str:
        if self.acl:
            return f"redis://{self.acl[0]}:{self.acl[1]}@127.0.0.1:{self.port}/0"
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path(REDIS_BIN).exists():
            pytest.fail(f"redis-server not found at {REDIS_BIN}: run scripts/install-test-deps.sh")
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 — redis-server writes to it while it runs
        self.proc = subprocess.Popen(
            [
                REDIS_BIN,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--protected-mode",
                "no",
                *(
                    ["--user", "default", "off", "--user", self.acl[0], "on", f">{self.acl[1]}", "~*", "&*", "+@all"]
                    if self.acl
                    else []
                ),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, what="redis-server")

    def kill(self) -> None:
        """SIGKILL, like a crashed broker host."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def restart(self, down_for: float = 0.0) -> None:
        self.kill()
        time.sleep(down_for)
        self.start()

    def flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            client.flushall()
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port for the whole session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test (restarted first if a test killed it)."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


# ------------------------------------------------------------------ PostgreSQL


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` OS user."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@dataclass
class PostgresCluster:
    """A throw-away cluster (initdb) listening on 127.0.0.1 only, sockets in its own dir."""

    root: Path
    bindir: Path
    port: int = field(default_factory=free_port)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "zwgk") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            _as_postgres([str(self.bindir / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop")

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True
        ) as conn:
            conn.execute(sql)


def start_postgres_cluster() -> PostgresCluster:
    """initdb + start a cluster in a fresh temp dir owned by ``postgres`` (when root)."""
    if not PG_BIN_DIRS:
        pytest.fail("PostgreSQL binaries not found under /usr/lib/postgresql: run scripts/install-test-deps.sh")
    # Not under pytest's tmp dir: that one is 0700 root and the postgres user could not enter it.
    root = Path(tempfile.mkdtemp(prefix="zwgk-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PostgresCluster(root, PG_BIN_DIRS[0])
    cluster.init()
    cluster.start()
    cluster.execute("CREATE DATABASE zwgk")
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = start_postgres_cluster()
    yield cluster
    try:
        cluster.stop("immediate")
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(postgres_cluster: PostgresCluster) -> str:
    """URL of database ``zwgk`` on a real PostgreSQL started for this session."""
    return postgres_cluster.url("zwgk")


_db_counter = itertools.count(1)


@pytest.fixture
def pg_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh empty PostgreSQL database for one test (dropped afterwards)."""
    name = f"zwgk_t{os.getpid()}_{next(_db_counter)}"
    postgres_cluster.execute(f"CREATE DATABASE {name}")
    yield postgres_cluster.url(name)
    try:
        postgres_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except Exception:  # noqa: BLE001 — the cluster may have been stopped by a fault test
        pass


# ------------------------------------------------------------------ a small web of government sites


class MiniGovWeb:
    """``n`` small government sites, each on its own 127.0.0.1 port, slowed by ``delay``.

    Deterministic content (so two rounds find the same things) with a few real
    defects: odd sites link to a page that is gone, every third site lacks its
    政策解读 column.  The delay makes a site take about a second to crawl, long
    enough to kill a worker or restart Redis in the middle of a round.
    """

    def __init__(self, n: int = 10, delay: float = 0.05) -> None:
        self.n = n
        self.delay = delay
        self.ports: list[int] = []
        self.hits = 0
        self._loop = None
        self._thread = None

    def site_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}/"

    def unit_id(self, i: int) -> str:
        return f"mini{i:02d}"

    def write_registry(self, path: Path) -> Path:
        """A canonical-columns registry CSV of the sites."""
        import csv

        with open(path, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(
                ["unit_id", "unit_name", "tier", "kind", "region", "parent_id", "site_url", "site_code", "has_services"]
            )
            for i in range(self.n):
                out.writerow(
                    [
                        self.unit_id(i),
                        f"测试县第{i}局",
                        "县",
                        "department",
                        "测试县",
                        "",
                        self.site_url(i),
                        f"99000000{i:02d}",
                        "1",
                    ]
                )
        return path

    def _page(self, i: int, path: str) -> tuple[int, str]:
        name = f"测试县第{i}局"
        head = f'<meta name="SiteName" content="{name}"><meta name="SiteIDCode" content="99000000{i:02d}">'
        footer = f"<div class='footer'>主办单位：{name} 网站标识码：99000000{i:02d} 京ICP备12345678号</div>"
        if path == "/":
            nav = [
                '<a href="/xxgk/">政府信息公开</a>',
                '<a href="/zcwj/">政策文件</a>',
                '<a href="/tzgg/">通知公告</a>',
            ]
            if i % 3:
                nav.append('<a href="/zcjd/">政策解读</a>')
            if i % 2:
                nav.append(f'<a href="/gone-{i}.html">已删除的页面</a>')
            body = f"<div class='nav'>{''.join(nav)}</div>{footer}"
            return (
                200,
                f"<html><head><meta charset='utf-8'>{head}<title>{name}</title></head><body>{body}</body></html>",
            )
        for col, label in (("xxgk", "政府信息公开"), ("zcwj", "政策文件"), ("tzgg", "通知公告"), ("zcjd", "政策解读")):
            if path == f"/{col}/":
                if col == "zcjd" and not i % 3:
                    break
                items = "".join(
                    f'<li><a href="/{col}/a{k}.html">{label}第{k}号</a><span>2026-0{k + 1}-1{k}</span></li>'
                    for k in range(3)
                )
                return (
                    200,
                    f"<html><head><meta charset='utf-8'>{head}<title>{label}</title></head><body><ul>{items}</ul>{footer}</body></html>",
                )
            if path.startswith(f"/{col}/a") and path.endswith(".html"):
                k = path[len(f"/{col}/a") : -5]
                return 200, (
                    f"<html><head><meta charset='utf-8'>{head}<meta name='ArticleTitle' content='{label}第{k}号'>"
                    f"<meta name='PubDate' content='2026-0{int(k) + 1 if k.isdigit() else 1}-10'><title>{label}第{k}号</title></head>"
                    f"<body><p>发布日期：2026-0{int(k) + 1 if k.isdigit() else 1}-10</p><p>正文</p>{footer}</body></html>"
                )
        if path == "/robots.txt":
            return 200, "User-agent: *\nAllow: /\n"
        return 404, "<html><head><title>404</title></head><body>页面不存在</body></html>"

    def start(self) -> MiniGovWeb:
        import asyncio
        import threading

        from aiohttp import web

        ready = threading.Event()

        async def handle(request: web.Request) -> web.Response:
            self.hits += 1
            i = self.ports.index(request.url.port or 80) if (request.url.port in self.ports) else 0
            await asyncio.sleep(self.delay)
            status, text = self._page(i, request.path)
            ctype = "text/plain" if request.path == "/robots.txt" else "text/html"
            return web.Response(status=status, text=text, content_type=ctype, charset="utf-8")

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_get("/{tail:.*}", handle)
            runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(runner.setup())
            for _ in range(self.n):
                site = web.TCPSite(runner, "127.0.0.1", 0)
                loop.run_until_complete(site.start())
                self.ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="mini-gov-web", daemon=True)
        self._thread.start()
        if not ready.wait(20):
            raise RuntimeError("mini government web did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)


@pytest.fixture(scope="session")
def mini_gov_web() -> Iterator[MiniGovWeb]:
    """Ten slow little government sites on loopback (see :class:`MiniGovWeb`)."""
    web_ = MiniGovWeb(n=10, delay=0.15).start()
    yield web_
    web_.stop()


# ------------------------------------------------------------------ running zwgk as its users do

AS_OF = "2026-11-20"
FAST_LEASE = {"ZWGK_LEASE_SECONDS": "2", "ZWGK_DB_RETRY_SECONDS": "30", "ZWGK_HOST_LOCK_WAIT": "60"}


def env(**extra: str) -> dict[str, str]:
    """The test's environment for a zwgk command: fast leases, no inherited broker or database."""
    out = dict(os.environ, **FAST_LEASE)
    out.pop("ZWGK_BROKER", None)
    out.pop("ZWGK_DB", None)
    out.update(extra)
    return out


def zwgk_popen(*args: str, extra_env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 — the child process owns the log
    return subprocess.Popen(
        [sys.executable, "-m", "zwgk.cli", *args],
        stdout=out,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        env=env(**(extra_env or {})),
        start_new_session=True,  # its own process group: kill -9 takes its children too
    )


def kill9(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            kill9(proc)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def assess_args(
    registry: Path, db_url: str, name: str = "r1", executor: str = "local", broker: str | None = None
) -> list[str]:
    args = [
        "assess",
        "--round",
        name,
        "--registry",
        str(registry),
        "--as-of",
        AS_OF,
        "--allow-private",
        "--db",
        db_url,
        "--quiet",
    ]
    if executor == "celery":
        args += ["--executor", "celery", "--broker", broker or ""]
    return args


def states(db_url: str, name: str = "r1") -> dict[str, str]:
    from zwgk.storage import Database
    from zwgk.storage.rounds import get_round
    from zwgk.storage.snapshot import site_states

    db = Database.open(db_url)
    try:
        info = get_round(db, name)
        return site_states(db, info.id) if info else {}
    except Exception:  # noqa: BLE001 — polled while the round is being written; any error means "not yet"
        return {}
    finally:
        db.dispose()


def count(db_url: str, state: str) -> int:
    return sum(1 for s in states(db_url).values() if s == state)


def round_record(db_url: str, name: str = "r1") -> dict[str, Any]:
    """Everything a round stored that must not depend on faults, keyed by content."""
    from sqlalchemy import select

    from zwgk.storage import Database
    from zwgk.storage.rounds import get_round
    from zwgk.storage.tables import FindingRow, LinkRow, PageRow, RoundSiteRow

    db = Database.open(db_url)
    try:
        info = get_round(db, name)
        assert info is not None, f"round {name} missing in {db_url}"
        with db.session() as s:
            sites = {
                r.unit_id: (r.state, r.pages)
                for r in s.scalars(select(RoundSiteRow).where(RoundSiteRow.round_id == info.id))
            }
            attempts = {
                r.unit_id: r.attempts for r in s.scalars(select(RoundSiteRow).where(RoundSiteRow.round_id == info.id))
            }
            pages = [
                (p.unit_id, p.url, p.outcome, p.status, p.kind)
                for p in s.scalars(select(PageRow).where(PageRow.round_id == info.id))
            ]
            links = [
                (link.unit_id, link.source, link.target)
                for link in s.scalars(select(LinkRow).where(LinkRow.round_id == info.id))
            ]
            findings = [
                (f.unit_id, f.rule, f.subject, f.points)
                for f in s.scalars(select(FindingRow).where(FindingRow.round_id == info.id))
            ]
        return {
            "status": info.status,
            "sites": sites,
            "attempts": attempts,
            "pages": pages,
            "links": links,
            "findings": findings,
        }
    finally:
        db.dispose()


def assert_same_round(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["status"] == "done"
    assert got["sites"] == want["sites"], "site states / page counts differ from the uninterrupted round"
    for key in ("pages", "links", "findings"):
        assert len(got[key]) == len(set(got[key])), f"duplicate {key}"
        assert sorted(got[key]) == sorted(want[key]), f"{key} differ from the uninterrupted round"


@pytest.fixture(scope="session")
def mini_registry(mini_gov_web, tmp_path_factory) -> Path:
    """The mini web's registry CSV."""
    return mini_gov_web.write_registry(tmp_path_factory.mktemp("registry") / "sites.csv")


@pytest.fixture(scope="session")
def mini_baseline(mini_registry, tmp_path_factory) -> dict[str, Any]:
    """The same round, uninterrupted, with the in-process executor."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('baseline') / 'zwgk.db'}"
    run = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *assess_args(mini_registry, db_url)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    record = round_record(db_url)
    assert all(state == "crawled" for state, _ in record["sites"].values())
    assert record["findings"], "the mini web must produce findings to compare"
    return record
