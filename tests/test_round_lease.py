"""One process runs a round: the round lease (issue 18).

Real processes against the real site farm: a second ``python -m zwgk assess`` on a held
round exits at once naming the holder; a holder killed with ``kill -9`` is taken over
(at once on the same host, after expiry when it ran elsewhere); the lease rows are
compare-and-set on SQLite and PostgreSQL alike (``ZWGK_TEST_DB=postgresql``).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.fixtures_services import kill9, stop, wait_until, zwgk_popen
from zwgk.model import ZwgkError
from zwgk.storage.leases import (
    LeaseHolder,
    acquire_round_lease,
    get_round_lease,
    release_round_lease,
    renew_round_lease,
)


def _holder(name: str = "a") -> LeaseHolder:
    return LeaseHolder(token=uuid.uuid4().hex, owner=f"{name}-host/pid 1/started now", host=f"{name}-host", pid=1)


# ------------------------------------------------------------------ storage: compare-and-set


def test_only_one_of_many_racing_processes_gets_the_lease(db):
    holders = [_holder(f"h{i}") for i in range(8)]
    results: dict[str, object] = {}
    barrier = threading.Barrier(len(holders))

    def race(h: LeaseHolder) -> None:
        barrier.wait()
        results[h.token] = acquire_round_lease(db, "r1", h, ttl=60)

    threads = [threading.Thread(target=race, args=(h,)) for h in holders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [token for token, other in results.items() if other is None]
    assert len(winners) == 1, results
    assert get_round_lease(db, "r1").token == winners[0]
    losers = [other for other in results.values() if other is not None]
    assert all(other.token == winners[0] for other in losers)  # every loser was told who holds it


def test_renew_and_release_need_the_token_and_an_expired_lease_is_taken_over(db):
    a, b = _holder("a"), _holder("b")
    assert acquire_round_lease(db, "r1", a, ttl=0.5) is None
    assert acquire_round_lease(db, "r1", b, ttl=60).owner == a.owner  # alive: refused
    assert not renew_round_lease(db, "r1", b.token, 60)
    release_round_lease(db, "r1", b.token)  # not b's: nothing happens
    assert get_round_lease(db, "r1").token == a.token
    time.sleep(0.8)  # a stops renewing: its lease expires
    assert acquire_round_lease(db, "r1", b, ttl=60) is None
    assert get_round_lease(db, "r1").token == b.token
    assert not renew_round_lease(db, "r1", a.token, 60)  # a, back from a stall, has lost it
    assert renew_round_lease(db, "r1", b.token, 60)
    release_round_lease(db, "r1", b.token)
    assert get_round_lease(db, "r1") is None


def test_a_holder_that_lost_its_lease_stops_before_scoring(db, monkeypatch):
    from zwgk.app.lease import RoundLease

    monkeypatch.setenv("ZWGK_ROUND_LEASE_SECONDS", "1")
    with RoundLease(db, "r1") as lease:
        lease.ensure()  # ours
        # the process stalls past its expiry and another takes over: simulated by the other's acquire
        time.sleep(0.1)
        lease._stop.set()  # freeze our heartbeat, as a stalled process would
        lease._thread.join(5)
        lease._stop.clear()
        time.sleep(1.2)
        assert acquire_round_lease(db, "r1", _holder("b"), ttl=60) is None
        lease._thread = threading.Thread(target=lease._beat, daemon=True)  # the process wakes up
        lease._thread.start()
        wait_until(lambda: lease.lost is not None, 10, "the heartbeat to notice the lease is gone")
        with pytest.raises(ZwgkError, match="another process took the round over"):
            lease.ensure()
    assert get_round_lease(db, "r1").owner.startswith("b-host")  # not released by the loser


def test_no_ranking_while_a_site_of_the_round_is_unfinished(db):
    from zwgk.app import PreparedRound, finish_round
    from zwgk.model import Unit
    from zwgk.storage.registry import upsert_units
    from zwgk.storage.rounds import create_round
    from zwgk.storage.snapshot import begin_site

    units = [
        Unit(unit_id=f"u{i}", name=f"测试县第{i}局", tier="县", kind="department", site_url=f"http://u{i}.example/")
        for i in range(3)
    ]
    upsert_units(db, units)
    info, _ = create_round(db, "r1", as_of=dt.date(2026, 11, 20), rubric="national-2019", weight=0.04, units=units)
    begin_site(db, info.id, units[0].unit_id, units[0].site_url)
    prepared = PreparedRound(info, False, units, None, 0.04, None)
    with pytest.raises(ZwgkError, match=r"3 site\(s\) not finished \(u0, u1, u2\)"):
        finish_round(db, prepared)


# ------------------------------------------------------------------ real processes on the farm


def _assess_args(farm, registry: Path, db_url: str) -> list[str]:
    return [
        "assess",
        "--round",
        "r1",
        "--registry",
        str(registry),
        "--as-of",
        farm.truth["as_of"],
        "--resolver",
        farm.resolver,
        "--allow-private",
        "--db",
        db_url,
        "--quiet",
    ]


def _lease(db_url: str):
    from zwgk.storage import Database

    db = Database.open(db_url)
    try:
        return get_round_lease(db, "r1")
    except Exception:  # noqa: BLE001 — polled while another process writes; any error means "not yet"
        return None
    finally:
        db.dispose()


def _run(args: list[str], **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", **extra_env}
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, env=env, timeout=600)


def _crawled(db_url: str) -> int:
    from tests.fixtures_services import count

    return count(db_url, "crawled") + count(db_url, "failed")


@pytest.fixture
def farm_round(farm, tmp_path):
    registry = tmp_path / "registry.csv"
    farm.write_registry(registry)
    return registry, f"sqlite:///{tmp_path / 'zwgk.db'}", len(farm.truth["sites"])


def test_second_assess_on_a_held_round_exits_at_once_naming_the_holder(farm, farm_round, tmp_path):
    registry, db_url, n_sites = farm_round
    first = zwgk_popen(*_assess_args(farm, registry, db_url), log=tmp_path / "first.log")
    try:
        wait_until(
            lambda: _lease(db_url) is not None and _crawled(db_url) >= 1, 120, "the first assess to hold the round"
        )
        started = time.monotonic()
        second = _run(_assess_args(farm, registry, db_url))
        waited = time.monotonic() - started
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"/pid {first.pid}/started " in second.stderr and "is already being run by" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1 and "Traceback" not in second.stderr
        assert _crawled(db_url) < n_sites or first.poll() is not None  # refused mid-round, not after it
        assert waited < 60  # "at once": it did not crawl anything (a whole round takes far longer here)
        assert first.wait(600) == 0, (tmp_path / "first.log").read_text(errors="replace")
    finally:
        stop(first)
    log = (tmp_path / "first.log").read_text(errors="replace")
    assert f"units {n_sites}, 已测评 measured" in log  # the holder printed the ranking of every site
    assert _lease(db_url) is None  # released at the end
    from tests.fixtures_services import round_record

    assert round_record(db_url)["status"] == "done"


def test_kill9_holder_is_taken_over_at_once_on_the_same_host(farm, farm_round, tmp_path):
    registry, db_url, n_sites = farm_round
    first = zwgk_popen(*_assess_args(farm, registry, db_url), log=tmp_path / "first.log")
    try:
        wait_until(
            lambda: _lease(db_url) is not None and _crawled(db_url) >= 1, 120, "the first assess to hold the round"
        )
    finally:
        kill9(first)
    dead = _lease(db_url)
    assert dead is not None and dead.pid == first.pid and not dead.expired()  # left behind, still "valid"
    again = _run(_assess_args(farm, registry, db_url), ZWGK_ROUND_LEASE_SECONDS="600")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"units {n_sites}, 已测评 measured" in again.stdout
    assert _lease(db_url) is None


def test_dead_holder_on_another_host_is_taken_over_when_its_lease_expires(farm, farm_round, tmp_path):
    registry, db_url, n_sites = farm_round
    first = zwgk_popen(
        *_assess_args(farm, registry, db_url), extra_env={"ZWGK_ROUND_LEASE_SECONDS": "4"}, log=tmp_path / "first.log"
    )
    try:
        wait_until(
            lambda: _lease(db_url) is not None and _crawled(db_url) >= 1, 120, "the first assess to hold the round"
        )
    finally:
        kill9(first)
    # The holder ran on another machine: this host cannot see its pid, only its heartbeat.
    from sqlalchemy import update

    from zwgk.storage import Database
    from zwgk.storage.tables import RoundLeaseRow, utcnow

    db = Database.open(db_url)
    with db.session() as s:
        s.execute(
            update(RoundLeaseRow).values(
                host="crawler-2",
                owner=f"crawler-2/pid {first.pid}/started x",
                expires_at=utcnow() + dt.timedelta(seconds=20),
            )
        )
    db.dispose()
    refused = _run(_assess_args(farm, registry, db_url))
    assert refused.returncode == 2 and "already being run by crawler-2/pid" in refused.stderr, refused.stderr
    wait_until(lambda: _lease(db_url).expired(), 60, "the dead holder's lease to expire")
    again = _run(_assess_args(farm, registry, db_url))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"units {n_sites}, 已测评 measured" in again.stdout


def test_celery_coordinator_holds_the_lease_and_two_worker_pools_cooperate(
    mini_registry, mini_baseline, redis_url, tmp_path
):
    """Workers are the coordinator's executors: two pools share the round; a second coordinator is refused."""
    from tests.fixtures_services import assert_same_round, assess_args, count, round_record

    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    args = assess_args(mini_registry, db_url, executor="celery", broker=redis_url)
    coordinator = zwgk_popen(*args, log=tmp_path / "assess.log")
    pools: list[subprocess.Popen] = []
    try:
        # No worker yet: the round is held and queued but cannot progress.
        wait_until(
            lambda: _lease(db_url) is not None and len(_states(db_url)) == 10, 120, "the coordinator to hold the round"
        )
        assert _lease(db_url).pid == coordinator.pid  # the coordinator, not a worker
        rival = _run(args)
        assert rival.returncode == 2 and f"/pid {coordinator.pid}/" in rival.stderr, rival.stdout + rival.stderr
        assert "zwgk worker" in rival.stderr  # tells how to add capacity instead
        pools = [
            zwgk_popen(
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
                log=tmp_path / f"worker{i}.log",
            )
            for i in range(2)
        ]
        assert coordinator.wait(180) == 0, (tmp_path / "assess.log").read_text(errors="replace")
    finally:
        for proc in (coordinator, *pools):
            stop(proc)
    assert count(db_url, "crawled") == 10
    assert_same_round(round_record(db_url), mini_baseline)
    assert _lease(db_url) is None


def _states(db_url: str) -> dict[str, str]:
    from tests.fixtures_services import states

    return states(db_url)
