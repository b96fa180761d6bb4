"""Monitoring tasks give their database connections back: 20 probe passes, no growth.

A real ``zwgk worker`` (Celery, threads pool) on a real Redis runs the tasks that
``zwgk beat`` sends — here sent by the test, one pass after the other, so twenty
passes take seconds instead of a day.  Connections are counted from outside the
worker: on PostgreSQL (``ZWGK_TEST_DB=postgresql``) the server's
``pg_stat_activity`` rows of the database, on SQLite the worker's open file
descriptors of the database file.  Before the fix each pass opened a new engine
and left one idle connection behind (PostgreSQL's 100 connections gone in days).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures_services import env, stop, wait_until, zwgk_popen


def _probes(db_url: str) -> int:
    from zwgk.storage import Database
    from zwgk.storage.probes import probe_count

    db = Database.open(db_url)
    try:
        return probe_count(db)
    finally:
        db.dispose()


def _connections(db_url: str, pid: int) -> int:
    """Connections the worker holds on the database, counted by the server or the kernel."""
    if db_url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(db_url)
        with psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
        ) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (url.database,)).fetchone()[
                0
            ]
    path = Path(db_url[len("sqlite:///") :]).resolve()
    n = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if Path(os.readlink(fd)) == path:
                n += 1
        except OSError:
            continue
    return n


def test_twenty_probe_passes_leave_no_connection_behind(
    mini_gov_web, mini_registry, redis_url, db_url, tmp_path
) -> None:
    from zwgk.distributed.celery_app import app, configure
    from zwgk.distributed.config import QUEUE
    from zwgk.storage import Database
    from zwgk.storage.identity import database_fingerprint

    imported = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "registry", "import", str(mini_registry), "--db", db_url],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    db = Database.open(db_url)
    try:
        fingerprint = database_fingerprint(db)
    finally:
        db.dispose()
    sites = len(mini_registry.read_text(encoding="utf-8").strip().splitlines()) - 1
    worker = zwgk_popen(
        "worker",
        "--broker",
        redis_url,
        "--db",
        db_url,
        "--pool",
        "threads",
        "-c",
        "2",
        "--loglevel",
        "WARNING",
        log=tmp_path / "worker.log",
    )
    configure(redis_url)
    counts: list[int] = []
    try:
        for n in range(1, 21):
            kwargs = {"db_fingerprint": fingerprint, "allow_private": True, "probe_timeout": 5.0}
            app.send_task("zwgk.monitor.probe_pass", kwargs=kwargs, queue=QUEUE)
            app.send_task(
                "zwgk.monitor.maintenance", kwargs={"db_fingerprint": fingerprint, "keep_days": 30}, queue=QUEUE
            )
            wait_until(lambda n=n: _probes(db_url) >= n * sites, 120, f"probe pass {n}")
            counts.append(_connections(db_url, worker.pid))
    finally:
        stop(worker)
        configure()
    assert _probes(db_url) == 20 * sites
    assert counts[0] >= 1, counts  # the counter sees the worker's connections at all
    assert max(counts[2:]) <= counts[2], f"connections grew over 20 probe passes: {counts}"
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")
