"""Workers take the database from their own configuration; messages carry ids only.

Real redis-server with an ACL user (``default`` off), a real PostgreSQL role whose
password is in the URL the services are given (in their environment, as a systemd
``EnvironmentFile`` would), real ``zwgk worker`` and ``zwgk assess --executor celery``
processes.  Nothing that reaches the broker, a process's command line or a log may
hold either password; a round started on another database than the workers serve
is refused at once with the reason, not left pending.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_services import (
    AS_OF,
    RedisServer,
    env,
    round_record,
    states,
    stop,
    wait_until,
    zwgk_popen,
)

DB_PASSWORD = "Db-pw-7c1e0f5a9b"
REDIS_PASSWORD = "Redis-pw-4d2b8e6f1a"
SECRETS = (DB_PASSWORD, REDIS_PASSWORD)


@pytest.fixture
def acl_redis(tmp_path_factory: pytest.TempPathFactory):
    server = RedisServer(tmp_path_factory.mktemp("redis-acl"), acl=("zwgk", REDIS_PASSWORD))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_with_password(postgres_cluster):
    """A database owned by a role with a password; the URL carries it (as ZWGK_DB may)."""
    role, name = f"zwgk_sec{os.getpid()}", f"zwgk_sec{os.getpid()}"
    postgres_cluster.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{DB_PASSWORD}'")
    postgres_cluster.execute(f"CREATE DATABASE {name} OWNER {role}")
    yield f"postgresql+psycopg://{role}:{DB_PASSWORD}@127.0.0.1:{postgres_cluster.port}/{name}"
    postgres_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_cluster.execute(f"DROP ROLE IF EXISTS {role}")


def _assess(registry: Path, name: str = "r1") -> list[str]:
    # No --db and no --broker: both come from the environment (ZWGK_DB, ZWGK_BROKER).
    return [
        "assess",
        "--round",
        name,
        "--registry",
        str(registry),
        "--as-of",
        AS_OF,
        "--allow-private",
        "--executor",
        "celery",
        "--quiet",
    ]


def _messages(client) -> list[tuple[bytes, dict]]:
    """(raw message, decoded task body) of every message waiting in the zwgk queue."""
    out = []
    for raw in client.lrange("zwgk", 0, -1):
        envelope = json.loads(raw)
        body = json.loads(base64.b64decode(envelope["body"]))
        out.append((raw, body))
    return out


def _no_secret(text: str | bytes, where: str) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for secret in SECRETS:
        assert secret not in blob, f"a password appears in {where}"


def _redis_dump(client) -> str:
    """Every key and string/list value in Redis (the queue, leases, errors, refusals)."""
    parts = []
    for key in client.scan_iter("*"):
        parts.append(key.decode("utf-8", "replace"))
        kind = client.type(key)
        if kind == b"string":
            parts.append(client.get(key).decode("utf-8", "replace"))
        elif kind == b"list":
            parts.extend(v.decode("utf-8", "replace") for v in client.lrange(key, 0, -1))
        elif kind == b"hash":
            parts.extend(f"{k!r}={v!r}" for k, v in client.hgetall(key).items())
    return "\n".join(parts)


def test_no_password_in_task_messages_worker_command_lines_or_logs(
    mini_registry, acl_redis, pg_with_password, tmp_path
):
    import redis

    from zwgk.storage import Database
    from zwgk.storage.identity import database_fingerprint

    service_env = {"ZWGK_DB": pg_with_password, "ZWGK_BROKER": acl_redis.url}  # what /etc/zwgk/*.env holds
    client = redis.Redis.from_url(acl_redis.url)
    coordinator = zwgk_popen(*_assess(mini_registry), extra_env=service_env, log=tmp_path / "assess.log")
    workers: list[subprocess.Popen] = []
    try:
        # No worker yet: the coordinator's messages wait in Redis, where anyone who can read it sees them.
        wait_until(lambda: len(client.lrange("zwgk", 0, -1)) >= 5, 120, "the coordinator to queue its sites")
        messages = _messages(client)
        db = Database.open(pg_with_password)
        try:
            fingerprint = database_fingerprint(db)
        finally:
            db.dispose()
        for raw, body in messages:
            _no_secret(raw, "a task message")
            args, kwargs, _ = body
            assert kwargs == {} and len(args) == 3, args
            round_id, unit_id, fp = args
            assert isinstance(round_id, int) and unit_id.startswith("mini") and fp == fingerprint
            assert "://" not in json.dumps(body)  # no URL of any kind

        workers = [
            zwgk_popen(
                "worker",
                "--pool",
                "threads",
                "-c",
                "2",
                "--loglevel",
                "INFO",
                "--name",
                f"sec{i}@%h",
                extra_env=service_env,
                log=tmp_path / f"worker{i}.log",
            )
            for i in range(2)
        ]
        wait_until(
            lambda: all(
                (tmp_path / f"worker{i}.log").exists()
                and "zwgk worker:" in (tmp_path / f"worker{i}.log").read_text(errors="replace")
                for i in range(2)
            ),
            60,
            "the workers to start",
        )
        for proc in workers:
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            _no_secret(cmdline, "a worker's command line")
            assert b"worker" in cmdline
        assert coordinator.wait(180) == 0, (tmp_path / "assess.log").read_text(errors="replace")
        _no_secret(_redis_dump(client), "Redis (keys and values left after the round)")
    finally:
        for proc in (coordinator, *workers):
            stop(proc)
        client.close()
    record = round_record(pg_with_password)
    assert record["status"] == "done" and record["findings"]
    for log in tmp_path.glob("*.log"):
        _no_secret(log.read_bytes(), log.name)
    banner = (tmp_path / "worker0.log").read_text(errors="replace")
    assert f"database {fingerprint}" in banner and "***" in banner  # masked broker URL, database named by fingerprint


def test_a_round_on_another_database_is_refused_at_once(mini_registry, redis_url, tmp_path):
    served = f"sqlite:///{tmp_path / 'served.db'}"
    other = f"sqlite:///{tmp_path / 'other.db'}"
    worker = zwgk_popen(
        "worker",
        "--broker",
        redis_url,
        "--db",
        served,
        "--pool",
        "threads",
        "-c",
        "2",
        "--loglevel",
        "WARNING",
        log=tmp_path / "worker.log",
    )
    try:
        wait_until(
            lambda: (
                (tmp_path / "worker.log").exists()
                and "zwgk worker:" in (tmp_path / "worker.log").read_text(errors="replace")
            ),
            60,
            "the worker to start",
        )
        run = subprocess.run(
            [sys.executable, "-m", "zwgk.cli", *_assess(mini_registry), "--db", other, "--broker", redis_url],
            capture_output=True,
            text=True,
            env=env(),
            timeout=120,  # refused at once; pending forever would time out
        )
    finally:
        stop(worker)
    assert run.returncode == 2, run.stdout + run.stderr
    message = run.stderr
    assert "refused" in message and "serves database" in message and "--db" in message, message
    assert set(states(other).values()) == {"pending"}  # nothing of the round ran on the worker's database
    assert "refused" in (tmp_path / "worker.log").read_text(errors="replace")
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        assert client.llen("zwgk") == 0  # the refused round's messages were taken back
    finally:
        client.close()


@pytest.mark.parametrize("command", ["beat", "worker"])
def test_a_broker_that_refuses_the_credentials_stops_the_service_at_start(command, acl_redis, tmp_path):
    """Without the Redis user's password beat (or a worker) stops at once with one line,
    instead of looking healthy until its first job is due."""
    no_password = f"redis://127.0.0.1:{acl_redis.port}/0"
    wrong = f"redis://zwgk:not-the-password@127.0.0.1:{acl_redis.port}/0"
    for url in (no_password, wrong):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk.cli",
                command,
                "--db",
                f"sqlite:///{tmp_path / 'zwgk.db'}",
                "--schedule-file" if command == "beat" else "--loglevel",
                str(tmp_path / "s") if command == "beat" else "WARNING",
            ],
            capture_output=True,
            text=True,
            env=env(ZWGK_BROKER=url),
            timeout=120,
        )
        assert run.returncode == 2, run.stdout + run.stderr
        assert "credentials" in run.stderr and "ZWGK_BROKER" in run.stderr, run.stderr
        assert "not-the-password" not in run.stdout + run.stderr
