"""Faults, for real: kill -9 a worker, restart Redis, kill -9 the round, lock the database.

Real redis-server, real ``zwgk worker`` subprocesses (Celery, threads pool),
the real ``zwgk assess`` command, real aiohttp sites on loopback.  Every
faulted round must end with the same snapshot and the same findings as an
uninterrupted round: each site exactly once, nothing lost, nothing doubled.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

AS_OF = "2026-11-20"
FAST_LEASE = {"ZWGK_LEASE_SECONDS": "2", "ZWGK_DB_RETRY_SECONDS": "30", "ZWGK_HOST_LOCK_WAIT": "60"}


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ, **FAST_LEASE)
    out.update(extra)
    out.pop("ZWGK_BROKER", None)
    return out


def zwgk_popen(*args: str, extra_env: dict[str, str] | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL
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


def assess_args(registry: Path, db_url: str, name: str = "r1", executor: str = "local", broker: str | None = None) -> list[str]:
    args = ["assess", "--round", name, "--registry", str(registry), "--as-of", AS_OF, "--allow-private", "--db", db_url, "--quiet"]
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
    except Exception:
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
            sites = {r.unit_id: (r.state, r.pages) for r in s.scalars(select(RoundSiteRow).where(RoundSiteRow.round_id == info.id))}
            attempts = {r.unit_id: r.attempts for r in s.scalars(select(RoundSiteRow).where(RoundSiteRow.round_id == info.id))}
            pages = [(p.unit_id, p.url, p.outcome, p.status, p.kind) for p in s.scalars(select(PageRow).where(PageRow.round_id == info.id))]
            links = [(l.unit_id, l.source, l.target) for l in s.scalars(select(LinkRow).where(LinkRow.round_id == info.id))]
            findings = [(f.unit_id, f.rule, f.subject, f.points) for f in s.scalars(select(FindingRow).where(FindingRow.round_id == info.id))]
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


@pytest.fixture(scope="module")
def registry(mini_gov_web, tmp_path_factory) -> Path:
    return mini_gov_web.write_registry(tmp_path_factory.mktemp("registry") / "sites.csv")


@pytest.fixture(scope="module")
def baseline(registry, tmp_path_factory) -> dict[str, Any]:
    """The same round, uninterrupted, with the in-process executor."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('baseline') / 'zwgk.db'}"
    run = subprocess.run([sys.executable, "-m", "zwgk.cli", *assess_args(registry, db_url)], capture_output=True, text=True, env=env(), timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    record = round_record(db_url)
    assert all(state == "crawled" for state, _ in record["sites"].values())
    assert record["findings"], "the mini web must produce findings to compare"
    return record


def test_kill9_worker_mid_round_every_site_exactly_once(registry, baseline, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    victim = zwgk_popen("worker", "--broker", redis_url, "--pool", "threads", "-c", "2", "--loglevel", "WARNING", log=tmp_path / "victim.log")
    coordinator = zwgk_popen(*assess_args(registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log")
    survivor = None
    try:
        wait_until(lambda: count(db_url, "crawled") >= 2 and count(db_url, "crawling") >= 1, 60, "the victim to be mid-site")
        kill9(victim)
        assert count(db_url, "crawling") >= 1, "the victim must die in the middle of a site"
        survivor = zwgk_popen("worker", "--broker", redis_url, "--pool", "threads", "-c", "2", "--loglevel", "WARNING", log=tmp_path / "survivor.log")
        assert coordinator.wait(120) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        for proc in (victim, coordinator, survivor):
            if proc is not None:
                stop(proc)
    got = round_record(db_url)
    assert_same_round(got, baseline)
    assert max(got["attempts"].values()) >= 2, "the killed site was crawled again"


def test_redis_restart_mid_round_completes(registry, baseline, redis_server, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    worker = zwgk_popen("worker", "--broker", redis_url, "--pool", "threads", "-c", "2", "--loglevel", "WARNING", log=tmp_path / "worker.log")
    coordinator = zwgk_popen(*assess_args(registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log")
    try:
        wait_until(lambda: count(db_url, "crawled") >= 2, 60, "two sites crawled")
        redis_server.restart(down_for=1.5)  # no persistence: every queued message is gone
        assert coordinator.wait(120) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        stop(worker)
        stop(coordinator)
    assert_same_round(round_record(db_url), baseline)


def test_kill9_in_process_round_then_rerun_resumes_to_the_same_findings(registry, baseline, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    first = zwgk_popen(*assess_args(registry, db_url), log=tmp_path / "first.log")
    try:
        wait_until(lambda: count(db_url, "crawled") >= 1 and count(db_url, "crawling") >= 1, 60, "the round to be mid-crawl")
    finally:
        kill9(first)
    before = states(db_url)
    assert "crawling" in before.values() and len([s for s in before.values() if s == "crawled"]) < len(before)
    again = subprocess.run([sys.executable, "-m", "zwgk.cli", *assess_args(registry, db_url)], capture_output=True, text=True, env=env(), timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_round(round_record(db_url), baseline)


def test_kill9_celery_coordinator_then_rerun_resumes(registry, baseline, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    worker = zwgk_popen("worker", "--broker", redis_url, "--pool", "threads", "-c", "2", "--loglevel", "WARNING", log=tmp_path / "worker.log")
    try:
        first = zwgk_popen(*assess_args(registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "first.log")
        try:
            wait_until(lambda: count(db_url, "crawled") >= 2, 60, "two sites crawled")
        finally:
            kill9(first)
        again = subprocess.run(
            [sys.executable, "-m", "zwgk.cli", *assess_args(registry, db_url, executor="celery", broker=redis_url)],
            capture_output=True, text=True, env=env(), timeout=180,
        )
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        stop(worker)
    assert_same_round(round_record(db_url), baseline)


def test_sqlite_locked_mid_round_waits_and_completes(registry, baseline, tmp_path) -> None:
    """Another process holds an exclusive lock for a few seconds: the round waits it out."""
    db_file = tmp_path / "zwgk.db"
    db_url = f"sqlite:///{db_file}"
    run = zwgk_popen(*assess_args(registry, db_url), log=tmp_path / "assess.log")
    try:
        wait_until(lambda: count(db_url, "crawled") >= 1, 60, "the round to be mid-crawl")
        locker = sqlite3.connect(db_file, timeout=30, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        time.sleep(3)
        locker.execute("ROLLBACK")
        locker.close()
        assert run.wait(180) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        stop(run)
    assert_same_round(round_record(db_url), baseline)
