"""``zwgk beat``: the monitoring cycle on Celery beat, run by real ``zwgk worker``s.

Real redis-server, a real worker subprocess and a real beat subprocess; the
probe job is scheduled every 5 s (``--probes-per-day 17280``) so that two
passes arrive within the test, and each pass stores one probe per
registered homepage of the mini government web.
"""

from __future__ import annotations

import subprocess
import sys

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
    imported = subprocess.run([sys.executable, "-m", "zwgk.cli", "registry", "import", str(mini_registry), "--db", db_url],
                              capture_output=True, text=True, env=env(), timeout=120)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    sites = len(mini_registry.read_text(encoding="utf-8").strip().splitlines()) - 1
    worker = zwgk_popen("worker", "--broker", redis_url, "--db", db_url, "--pool", "threads", "-c", "2", "--loglevel", "WARNING",
                        log=tmp_path / "worker.log")
    beat = zwgk_popen("beat", "--broker", redis_url, "--db", db_url, "--allow-private", "--no-rounds",
                      "--probes-per-day", "17280", "--schedule-file", str(tmp_path / "beat-schedule"),
                      "--bulletin-dir", str(tmp_path / "bulletins"), log=tmp_path / "beat.log")
    try:
        wait_until(lambda: _probes(db_url) >= 2 * sites, 90, f"two probe passes over {sites} sites")
    finally:
        stop(beat)
        stop(worker)
    log = (tmp_path / "beat.log").read_text(errors="replace")
    assert "zwgk-probes" in log and "zwgk-monthly-round" not in log  # --no-rounds
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")
