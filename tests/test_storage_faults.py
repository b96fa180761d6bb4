"""Storage faults reach the user as one line, and a read-only database can still be read.

Real file systems: a small tmpfs mounted for the test (this needs root with CAP_SYS_ADMIN,
as in CI), filled up for "disk full" and remounted read-only for "read-only database".
Real rounds on the mini government web (``tests/fixtures_services.py``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures_services import assert_same_round, assess_args, env, round_record


class SmallFs:
    """A tmpfs of a few hundred KB at ``path``, remountable read-only or bigger."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        path.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "zwgk-test", str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(f"cannot mount a tmpfs (tests run as root with CAP_SYS_ADMIN, as CI does): {done.stderr}")

    def remount(self, options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.path)], check=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.path)], capture_output=True)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator:
    mounted: list[SmallFs] = []

    def make(size: str) -> SmallFs:
        fs = SmallFs(tmp_path / f"fs{len(mounted)}", size)
        mounted.append(fs)
        return fs

    yield make
    for fs in mounted:
        fs.unmount()


def zwgk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, env=env(COLUMNS="200"), timeout=600
    )


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = [line for line in done.stderr.strip().splitlines() if line.startswith("错误 / error:")]
    assert len(lines) == 1, done.stderr[-3000:]
    return lines[0]


def test_disk_full_mid_round_is_one_line_and_the_round_resumes_to_the_same_result(
    mini_registry, mini_baseline, small_fs
):
    fs = small_fs("700k")  # room for the schema and a few sites, not for the round
    db_url = f"sqlite:///{fs.path / 'zwgk.db'}"
    full = zwgk(*assess_args(mini_registry, db_url))
    assert full.returncode == 2, full.stdout + full.stderr
    line = _one_line(full)
    assert f"the disk holding database {db_url} is full" in line and "run the same command again" in line
    fs.remount("size=64m")  # space freed
    again = zwgk(*assess_args(mini_registry, db_url))
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_round(round_record(db_url), mini_baseline)


def test_read_only_database_is_read_and_exported_and_writes_are_refused(
    mini_registry, mini_baseline, small_fs, tmp_path
):
    source = tmp_path / "round.db"
    run = zwgk(*assess_args(mini_registry, f"sqlite:///{source}"))
    assert run.returncode == 0, run.stderr
    expected = tmp_path / "expected.json"
    assert (
        zwgk(
            "export", "findings", "--round", "r1", "--format", "json", "-o", str(expected), "--db", str(source)
        ).returncode
        == 0
    )

    fs = small_fs("64m")
    copy = fs.path / "round.db"
    shutil.copy(source, copy)
    fs.remount("ro")
    before = copy.read_bytes()

    out = tmp_path / "findings.json"
    export = zwgk("export", "findings", "--round", "r1", "--format", "json", "-o", str(out), "--db", str(copy))
    assert export.returncode == 0, export.stdout + export.stderr
    assert "read-only" in export.stderr  # it says so
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(expected.read_text(encoding="utf-8"))
    xlsx = tmp_path / "scores.xlsx"
    assert (
        zwgk("export", "scores", "--round", "r1", "--format", "xlsx", "-o", str(xlsx), "--db", str(copy)).returncode
        == 0
    )
    assert xlsx.stat().st_size > 0
    compared = zwgk("compare", "r1", "r1", "--db", str(copy))
    assert compared.returncode == 0, compared.stdout + compared.stderr

    write = zwgk(*assess_args(mini_registry, str(copy), name="r2"))
    assert write.returncode == 2
    line = _one_line(write)
    assert f"database sqlite:///{copy} is read-only" in line and "copy it somewhere writable" in line
    newcomer = tmp_path / "new.csv"
    newcomer.write_text(
        "unit_id,unit_name,tier,kind,site_url\nn1,测试县新局,县,department,http://n1.ceshi.gov.cn/\n", encoding="utf-8"
    )
    imported = zwgk("registry", "import", str(newcomer), "--db", str(copy))
    assert imported.returncode == 2 and "is read-only" in _one_line(imported)
    assert copy.read_bytes() == before


def test_a_database_that_stays_locked_is_explained_in_one_line(tmp_path):
    """The driver's 'database is locked' (after the busy wait) becomes what happened and what to do."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from zwgk.storage import Database
    from zwgk.storage.errors import describe

    path = tmp_path / "z.db"
    Database.open(str(path)).dispose()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2})
        with pytest.raises(OperationalError) as info, engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO units (unit_id, name, tier, kind, region, site_url, site_code, has_services, source, updated_at) "
                    "VALUES ('x','x','县','portal','','http://x/','',1,'','2026-01-01')"
                )
            )
        message = describe(info.value, f"sqlite:///{path}")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert message is not None and "stayed locked by another process" in message and "\n" not in message


def test_schema_older_than_this_zwgk_on_a_read_only_database_says_what_to_do(small_fs, tmp_path):
    from zwgk.model import ZwgkError
    from zwgk.storage import Database

    fs = small_fs("8m")
    path = fs.path / "old.db"
    Database.open(str(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0001'")
    con.commit()
    con.close()
    fs.remount("ro")
    with pytest.raises(ZwgkError, match=r"read-only .* schema is at revision 0001.*open it once with write access"):
        Database.open(str(path))
