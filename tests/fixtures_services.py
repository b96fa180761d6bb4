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
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

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

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path(REDIS_BIN).exists():
            pytest.fail(f"redis-server not found at {REDIS_BIN}: run scripts/install-test-deps.sh")
        log = open(self.workdir / "redis.log", "ab")
        self.proc = subprocess.Popen(
            [
                REDIS_BIN,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.workdir),
                "--protected-mode", "no",
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
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.root / "postgres.log"), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", "60", "stop")

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True) as conn:
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
    except Exception:  # the cluster may have been stopped by a fault test
        pass
