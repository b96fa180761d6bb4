"""``zwgk beat``: the monitoring cycle on Celery beat, run by real ``zwgk worker``s.

Real redis-server, a real worker subprocess and a real beat subprocess; the
probe job is scheduled every 5 s (``--probes-per-day 17280``) so that two
passes arrive within the test, and each pass stores one probe per
registered homepage of the mini government web.
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.fixtures_services import env, stop, wait_until, zwgk_popen


def _probes(db_url: str) -> int:
    from zwgk.storage import Database
    from zwgk.storage.probes import probe_count

    db = Database.open(db_url)
    try:
        return probe_count(db)
    finally:
        db.dispose()


def test_beat_sends_probe_passes_that_a_worker_runs(mini_gov_web, mini_registry, redis_url, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    imported = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "registry", "import", str(mini_registry), "--db", db_url],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
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
    beat = zwgk_popen(
        "beat",
        "--broker",
        redis_url,
        "--db",
        db_url,
        "--allow-private",
        "--no-rounds",
        "--probes-per-day",
        "17280",
        "--schedule-file",
        str(tmp_path / "beat-schedule"),
        "--bulletin-dir",
        str(tmp_path / "bulletins"),
        log=tmp_path / "beat.log",
    )
    try:
        wait_until(lambda: _probes(db_url) >= 2 * sites, 90, f"two probe passes over {sites} sites")
    finally:
        stop(beat)
        stop(worker)
    log = (tmp_path / "beat.log").read_text(errors="replace")
    assert "zwgk-probes" in log and "zwgk-monthly-round" not in log  # --no-rounds
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")


def test_beat_sends_a_monthly_round_missed_while_it_was_down_once_at_start(redis_url, tmp_path) -> None:
    """The schedule file says the monthly round last ran 40 days ago: beat sends it at once.

    Celery beat keeps each job's last run in ``--schedule-file``; a crontab job whose time
    passed while beat was down is due at start (then the task works for the due time it
    missed: :func:`zwgk.monitor.tasks.due_time`).  Real beat, real Redis; no worker, so the
    message stays in the queue where the test reads it.
    """
    import base64
    import datetime as dt
    import json
    import shelve

    import redis

    db_url = f"sqlite:///{tmp_path / 'zwgk.db'}"
    schedule = tmp_path / "beat-schedule"
    args = (
        "beat",
        "--broker",
        redis_url,
        "--db",
        db_url,
        "--schedule-file",
        str(schedule),
        "--bulletin-dir",
        str(tmp_path / "bulletins"),
    )
    first = zwgk_popen(*args, log=tmp_path / "beat1.log")
    try:

        def stored() -> bool:
            try:
                with shelve.open(str(schedule), flag="r") as shelf:
                    return "__version__" in shelf and "zwgk-monthly-round" in shelf["entries"]
            except Exception:  # noqa: BLE001 — the shelf is not written yet (any dbm error)
                return False

        wait_until(stored, 60, "beat to start and write its schedule file")
    finally:
        stop(first)
    client = redis.Redis.from_url(redis_url)
    client.delete("zwgk")  # whatever the first start sent
    with shelve.open(str(schedule), writeback=True) as shelf:
        entries = shelf["entries"]
        assert "zwgk-monthly-round" in entries
        for entry in entries.values():  # down for 40 days: every job's last run is old
            entry.last_run_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
        shelf["entries"] = entries

    def sent() -> list[dict]:
        out = []
        for raw in client.lrange("zwgk", 0, -1):
            msg = json.loads(raw)
            out.append({"task": msg["headers"]["task"], "kwargs": json.loads(base64.b64decode(msg["body"]))[1]})
        return out

    again = zwgk_popen(*args, log=tmp_path / "beat2.log")
    try:
        wait_until(
            lambda: any(m["task"] == "zwgk.monitor.round" for m in sent()), 60, "the missed monthly round to be sent"
        )
        time.sleep(2)  # a second copy would have been sent by now
    finally:
        stop(again)
        rounds = [m for m in sent() if m["task"] == "zwgk.monitor.round"]
        client.close()
    # 1 November and 1 December 02:00 fell into the 40 days: the monthly round is sent once;
    # the annual round (20 December) and the bulletin (1 October) were not due in them.
    assert [m["kwargs"]["kind"] for m in rounds] == ["monthly"]
    assert all("db_url" not in m["kwargs"] and len(m["kwargs"]["db_fingerprint"]) == 16 for m in rounds)


def test_a_late_task_works_for_the_due_time_it_missed(caplog) -> None:
    import datetime as dt
    import logging

    from zwgk.monitor.schedule import next_monthly
    from zwgk.monitor.tasks import due_time

    with caplog.at_level(logging.WARNING, logger="zwgk.monitor.tasks"):
        due = due_time(None, dt.datetime(2027, 1, 3, 8, 30), next_monthly, dt.timedelta(days=32), "monthly round")
    assert due == dt.datetime(2027, 1, 1, 2, 0)
    assert "catching up monthly round due 2027-01-01 02:00:00" in caplog.text
    assert due_time(None, dt.datetime(2027, 1, 1, 2, 0, 1), next_monthly, dt.timedelta(days=32), "m") == dt.datetime(
        2027, 1, 1, 2, 0
    )
