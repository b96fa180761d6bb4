"""PostgreSQL as the team database: same migrations, same round, same findings as SQLite.

A real PostgreSQL cluster (Debian binaries, started by ``postgres_cluster``)
and the real ``zwgk`` commands; ``mini_baseline`` is the same round on SQLite.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures_services import (
    assert_same_round,
    assess_args,
    count,
    env,
    round_record,
    stop,
    wait_until,
    zwgk_popen,
)


def zwgk_run(*args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args], capture_output=True, text=True, env=env(**extra), timeout=timeout
    )


def test_alembic_migrations_on_postgresql_build_exactly_the_declared_schema(pg_url) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from zwgk.storage import Database
    from zwgk.storage.db import _MIGRATIONS
    from zwgk.storage.tables import Base

    db = Database.open(pg_url)
    Database.open(pg_url).dispose()  # a second open (e.g. a worker) is a no-op upgrade
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == ScriptDirectory(str(_MIGRATIONS)).get_current_head()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.dispose()


def test_round_on_postgresql_gives_the_same_snapshot_and_findings_as_sqlite(
    mini_registry, mini_baseline, pg_url
) -> None:
    run = zwgk_run(*assess_args(mini_registry, pg_url))
    assert run.returncode == 0, run.stdout + run.stderr
    assert_same_round(round_record(pg_url), mini_baseline)


def test_celery_round_with_two_workers_on_postgresql(
    mini_registry, mini_baseline, pg_url, redis_url, tmp_path: Path
) -> None:
    workers = [
        zwgk_popen(
            "worker",
            "--broker",
            redis_url,
            "--db",
            pg_url,
            "--pool",
            "threads",
            "-c",
            "2",
            "--loglevel",
            "WARNING",
            log=tmp_path / f"w{i}.log",
        )
        for i in range(2)
    ]
    coordinator = zwgk_popen(
        *assess_args(mini_registry, pg_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log"
    )
    try:
        wait_until(lambda: count(pg_url, "crawled") >= 1, 60, "a first site crawled")
        status = zwgk_run("round", "status", "--round", "r1", "--db", pg_url, timeout=60)
        assert status.returncode == 0, status.stderr
        assert "/10" in status.stdout and "crawled" in status.stdout, status.stdout
        assert coordinator.wait(120) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        for proc in (*workers, coordinator):
            stop(proc)
    assert_same_round(round_record(pg_url), mini_baseline)
    done = zwgk_run("round", "status", "--round", "r1", "--db", pg_url, timeout=60)
    assert "10/10" in done.stdout and "done" in done.stdout, done.stdout


def test_postgresql_briefly_unreachable_mid_round_is_retried(
    mini_registry, mini_baseline, pg_url, postgres_cluster, redis_url, tmp_path: Path
) -> None:
    worker = zwgk_popen(
        "worker",
        "--broker",
        redis_url,
        "--db",
        pg_url,
        "--pool",
        "threads",
        "-c",
        "2",
        "--loglevel",
        "WARNING",
        log=tmp_path / "worker.log",
    )
    coordinator = zwgk_popen(
        *assess_args(mini_registry, pg_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log"
    )
    try:
        wait_until(lambda: count(pg_url, "crawled") >= 2, 60, "two sites crawled")
        postgres_cluster.stop("immediate")
        time.sleep(3)
        postgres_cluster.start()
        assert coordinator.wait(180) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        stop(worker)
        stop(coordinator)
        if not _pg_up(postgres_cluster):
            postgres_cluster.start()
    assert_same_round(round_record(pg_url), mini_baseline)


def test_postgresql_gone_stops_with_a_clear_error_and_nothing_half_written(
    mini_registry, mini_baseline, pg_url, postgres_cluster, redis_url, tmp_path: Path
) -> None:
    worker = zwgk_popen(
        "worker",
        "--broker",
        redis_url,
        "--db",
        pg_url,
        "--pool",
        "threads",
        "-c",
        "2",
        "--loglevel",
        "WARNING",
        log=tmp_path / "worker.log",
    )
    coordinator = zwgk_popen(
        *assess_args(mini_registry, pg_url, executor="celery", broker=redis_url),
        extra_env={"ZWGK_DB_RETRY_SECONDS": "3"},
        log=tmp_path / "assess.log",
    )
    try:
        wait_until(lambda: count(pg_url, "crawled") >= 2, 60, "two sites crawled")
        postgres_cluster.stop("immediate")
        assert coordinator.wait(120) == 2
        log = (tmp_path / "assess.log").read_text(errors="replace")
        assert "错误 / error" in log and "still locked or unreachable" in log and "Traceback" not in log, log
    finally:
        stop(worker)
        stop(coordinator)
        if not _pg_up(postgres_cluster):
            postgres_cluster.start()
    # Nothing half-written: every site is either completely crawled or will be redone.
    record = round_record(pg_url)
    want_pages = {u: n for u, (_, n) in mini_baseline["sites"].items()}
    for unit_id, (state, pages) in record["sites"].items():
        assert state in ("pending", "crawling", "crawled"), (unit_id, state)
        if state == "crawled":
            assert pages == want_pages[unit_id]
    again = zwgk_run(*assess_args(mini_registry, pg_url))
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_round(round_record(pg_url), mini_baseline)


def _pg_up(cluster) -> bool:
    try:
        cluster.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 — any error means the cluster is not answering
        return False
