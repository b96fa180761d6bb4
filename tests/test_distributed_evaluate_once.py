"""A distributed round evaluates each site once: where a worker crawled it.

Real redis-server, real ``zwgk worker`` subprocesses; the coordinator runs in this process
through the application layer (``zwgk.app.run_round`` with the ``CeleryExecutor``) so its
progress events can be read.  Every site is evaluated by the worker that crawled it, the
coordinator evaluates none again, and the round stores what an in-process round stores.
"""

from __future__ import annotations

import datetime as dt

from tests.fixtures_services import AS_OF, assert_same_round, round_record, stop, zwgk_popen


def test_the_coordinator_does_not_evaluate_sites_the_workers_evaluated(
    mini_registry, mini_baseline, redis_url, tmp_path
) -> None:
    from zwgk.app import RoundOptions
    from zwgk.distributed.executor import run_round_celery
    from zwgk.storage import Database
    from zwgk.storage.snapshot import evaluated_sites

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
    events: list[dict] = []
    db = Database.open(db_url)
    try:
        opts = RoundOptions(name="r1", as_of=dt.date.fromisoformat(AS_OF), registry=mini_registry, allow_private=True)
        result = run_round_celery(db, opts, progress=events.append, broker=redis_url)
        evaluated = [e for e in events if e.get("stage") == "evaluated"]
        assert {e["unit_id"] for e in evaluated} == {s.unit_id for s in result.scores}
        assert [e for e in evaluated if e["by"] != "executor"] == [], "the coordinator evaluated a site again"
        marks = evaluated_sites(db, result.round_id)
        assert set(marks) == {s.unit_id for s in result.scores}
        assert result.findings == sum(marks.values())
    finally:
        db.dispose()
        stop(worker)
    assert_same_round(round_record(db_url), mini_baseline)
