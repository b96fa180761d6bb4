"""Faults, for real: kill -9 a worker, restart Redis, kill -9 the round, lock the database.

Real redis-server, real ``zwgk worker`` subprocesses (Celery, threads pool),
the real ``zwgk assess`` command, real aiohttp sites on loopback.  Every
faulted round must end with the same snapshot and the same findings as an
uninterrupted round (``mini_baseline``): each site exactly once, nothing
lost, nothing doubled.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

from tests.fixtures_services import (
    assert_same_round,
    assess_args,
    count,
    env,
    kill9,
    round_record,
    states,
    stop,
    wait_until,
    zwgk_popen,
)


def test_kill9_worker_mid_round_every_site_exactly_once(mini_registry, mini_baseline, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    victim = zwgk_popen(
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
        log=tmp_path / "victim.log",
    )
    coordinator = zwgk_popen(
        *assess_args(mini_registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log"
    )
    survivor = None
    try:
        wait_until(
            lambda: count(db_url, "crawled") >= 2 and count(db_url, "crawling") >= 1, 60, "the victim to be mid-site"
        )
        kill9(victim)
        assert count(db_url, "crawling") >= 1, "the victim must die in the middle of a site"
        survivor = zwgk_popen(
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
            log=tmp_path / "survivor.log",
        )
        assert coordinator.wait(120) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        for proc in (victim, coordinator, survivor):
            if proc is not None:
                stop(proc)
    got = round_record(db_url)
    assert_same_round(got, mini_baseline)
    assert max(got["attempts"].values()) >= 2, "the killed site was crawled again"


def test_redis_restart_mid_round_completes(mini_registry, mini_baseline, redis_server, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
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
    coordinator = zwgk_popen(
        *assess_args(mini_registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "assess.log"
    )
    try:
        wait_until(lambda: count(db_url, "crawled") >= 2, 60, "two sites crawled")
        redis_server.restart(down_for=1.5)  # no persistence: every queued message is gone
        assert coordinator.wait(120) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        stop(worker)
        stop(coordinator)
    assert_same_round(round_record(db_url), mini_baseline)


def test_kill9_in_process_round_then_rerun_resumes_to_the_same_findings(mini_registry, mini_baseline, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    first = zwgk_popen(*assess_args(mini_registry, db_url), log=tmp_path / "first.log")
    try:
        wait_until(
            lambda: count(db_url, "crawled") >= 1 and count(db_url, "crawling") >= 1, 60, "the round to be mid-crawl"
        )
    finally:
        kill9(first)
    before = states(db_url)
    assert "crawling" in before.values() and len([s for s in before.values() if s == "crawled"]) < len(before)
    again = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *assess_args(mini_registry, db_url)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=300,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_round(round_record(db_url), mini_baseline)


def test_kill9_celery_coordinator_then_rerun_resumes(mini_registry, mini_baseline, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
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
    try:
        first = zwgk_popen(
            *assess_args(mini_registry, db_url, executor="celery", broker=redis_url), log=tmp_path / "first.log"
        )
        try:
            wait_until(lambda: count(db_url, "crawled") >= 2, 60, "two sites crawled")
        finally:
            kill9(first)
        again = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk.cli",
                *assess_args(mini_registry, db_url, executor="celery", broker=redis_url),
            ],
            capture_output=True,
            text=True,
            env=env(),
            timeout=180,
        )
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        stop(worker)
    assert_same_round(round_record(db_url), mini_baseline)


def test_sqlite_locked_mid_round_waits_and_completes(mini_registry, mini_baseline, tmp_path) -> None:
    """Another process holds an exclusive lock for a few seconds: the round waits it out."""
    db_file = tmp_path / "zwgk.db"
    db_url = f"sqlite:///{db_file}"
    run = zwgk_popen(*assess_args(mini_registry, db_url), log=tmp_path / "assess.log")
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
    assert_same_round(round_record(db_url), mini_baseline)
