"""Site-farm fixtures: ``farm`` (session-wide default farm), ``farm_factory`` and
``default_round`` (one finished round over the default farm, shared by the whole test run).

Loaded by tests/conftest.py as a plugin.  The farm runs on loopback only
(127.0.0.1 / ::1) with its own DNS server; ``farm.resolver`` is "127.0.0.1:PORT".
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DEFAULT_ROUND = "2026-Q4"


@pytest.fixture(scope="session")
def farm():
    """The default farm (24 sites, seed 1, as-of 2026-11-20), shared by the session."""
    from zwgk.sitefarm import FarmConfig, running_farm

    with running_farm(FarmConfig()) as handle:
        yield handle


@pytest.fixture
def farm_factory():
    """``farm_factory(**config)`` starts a custom farm, stopped at the end of the test."""
    from zwgk.sitefarm import FarmConfig, running_farm

    with contextlib.ExitStack() as stack:

        def make(**config):
            return stack.enter_context(running_farm(FarmConfig(**config)))

        yield make


@dataclass(frozen=True)
class DefaultRound:
    """Round :data:`DEFAULT_ROUND` of ``zwgk assess`` over the default farm (since stopped).

    ``truth`` and ``sites`` are those of the farm that was crawled (its URLs carry its
    ports); ``ledgers`` holds the farm's 依申请公开 registers (unit_id → file), written
    as evaluators would receive them.  Use :meth:`copy_db` for a database of your own.
    """

    dir: Path
    truth: dict[str, Any]
    sites: list[dict[str, Any]]
    stdout: str
    ledgers: dict[str, Path]

    @property
    def as_of(self) -> str:
        return str(self.truth["as_of"])

    def copy_db(self, work: Path) -> str:
        """A private copy of the round's SQLite database in ``work``; its URL."""
        own = work / "zwgk.db"
        shutil.copyfile(self.dir / "zwgk.db", own)
        return f"sqlite:///{own}"


def _build_default_round(shared: Path) -> dict[str, Any]:
    """Start the default farm, run ``zwgk assess`` over it from the command line, stop it."""
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.sitefarm.disclosure import write_ledgers

    with running_farm(FarmConfig()) as farm:
        registry = farm.write_registry(shared / "registry.csv")
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk.cli",
                "assess",
                "--round",
                DEFAULT_ROUND,
                "--registry",
                str(registry),
                "--as-of",
                farm.truth["as_of"],
                "--resolver",
                farm.resolver,
                "--allow-private",
                "--db",
                f"sqlite:///{shared / 'zwgk.db'}",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if run.returncode != 0:
            raise AssertionError(f"the default farm round failed: {run.stderr}{run.stdout}")
        ledgers = write_ledgers(farm.farm, shared / "ledgers")
        return {
            "truth": farm.truth,
            "sites": farm.sites,
            "stdout": run.stdout,
            "ledgers": {unit_id: str(path) for unit_id, path in ledgers.items()},
        }


@pytest.fixture(scope="session")
def default_round(tmp_path_factory: pytest.TempPathFactory) -> DefaultRound:
    """One round over the default farm for the whole test run, built by the first worker that
    asks (under an flock in the run's shared temp directory) and read by every other.

    Several modules judge the same seeded farm round (the walking skeleton, the Word exports,
    the footer and 年报 rules); each crawling its own copy cost a full round apiece on every
    xdist worker that ran one of them.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "default-round"
    shared.mkdir(parents=True, exist_ok=True)
    meta = shared / "round.json"
    with open(shared / "round.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not meta.exists():
            meta.write_text(json.dumps(_build_default_round(shared), ensure_ascii=False), encoding="utf-8")
        data = json.loads(meta.read_text(encoding="utf-8"))
    return DefaultRound(
        dir=shared,
        truth=data["truth"],
        sites=data["sites"],
        stdout=data["stdout"],
        ledgers={unit_id: Path(path) for unit_id, path in data["ledgers"].items()},
    )


# Crawl settings for in-process farm rounds (``RoundOptions(crawl=…)``): a farm site planted
# AVAIL-DOWN is down for good, so its three spaced homepage checks give the same verdict one
# second apart as fifteen (the production spacing), and the round does not idle half a minute
# waiting for them after every other site is done.
QUICK_HOME_CHECKS: dict[str, Any] = {"home_check_spacing": 1.0}
