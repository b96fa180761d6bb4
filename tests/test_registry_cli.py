"""``zwgk registry import|check|list`` driven as users run them (python -m zwgk.cli)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from zwgk.storage import Database
from zwgk.storage.registry import list_units


def zwgk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("ZWGK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env
    )


def _registry(tmp_path: Path) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text(
        "unit_id,unit_name,tier,kind,site_url\n"
        "g1,岳阳县人民政府,县,portal,www.yyx.gov.cn\n"
        "d1,岳阳县教育局,县,department,没有网站\n"
        "d2,岳阳县财政局,,,http://czj.yyx.gov.cn\n",
        encoding="utf-8",
    )
    return path


def test_import_reports_counts_and_rejected_lines_and_exits_0(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'z.db'}"
    run = zwgk("registry", "import", str(_registry(tmp_path)), "--db", db)
    assert run.returncode == 0, run.stderr + run.stdout
    out = run.stdout
    assert "rows read 3" in out and "imported 2" in out and "rejected 1" in out
    assert "added 2" in out and "inferred tier/kind 1" in out
    assert "line 3" in out and "没有网站" in out
    assert "line 2: site_url 'www.yyx.gov.cn' → http://www.yyx.gov.cn/ (added http://)" in out
    database = Database.open(db)
    assert [u.unit_id for u in list_units(database)] == ["d2", "g1"]
    database.dispose()

    again = zwgk("registry", "import", str(_registry(tmp_path)), "--db", db)
    assert again.returncode == 0 and "added 0" in again.stdout and "updated 0" in again.stdout

    listed = zwgk("registry", "list", "--db", db, "--tier", "county")
    assert listed.returncode == 0 and "岳阳县财政局" in listed.stdout and "units (2)" in listed.stdout
    assert "units (0)" in zwgk("registry", "list", "--db", db, "--tier", "省").stdout
    bad_tier = zwgk("registry", "list", "--db", db, "--tier", "village")
    assert bad_tier.returncode == 2 and "--tier" in bad_tier.stderr


def test_nothing_importable_exits_2_and_check_writes_nothing(tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text("unit_id,unit_name,site_url\nx,某局,\ny,某委,ftp://a.gov.cn\n", encoding="utf-8")
    db_file = tmp_path / "z.db"
    run = zwgk("registry", "import", str(path), "--db", f"sqlite:///{db_file}")
    assert run.returncode == 2
    assert "line 2" in run.stdout and "line 3" in run.stdout and "nothing importable" in run.stdout

    checked = zwgk("registry", "check", str(_registry(tmp_path)), "--json", "out/report.json", cwd=tmp_path)
    assert checked.returncode == 0 and "rejected 1" in checked.stdout
    summary = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert summary["rows"] == 3 and summary["imported"] == 2 and summary["added"] is None
    assert summary["errors"] == [
        {
            "line": 3,
            "reason": "site_url '没有网站' holds no usable http(s) web address: '没有网站' is not a domain name or IP address",
        }
    ]
    assert {"line": 2, "what": "site_url 'www.yyx.gov.cn' → http://www.yyx.gov.cn/ (added http://)"} in summary[
        "normalised"
    ]
    assert not (tmp_path / "data").exists()  # check never opens a database


def test_whole_file_errors_are_one_clear_line(tmp_path: Path):
    missing = zwgk("registry", "check", str(tmp_path / "absent.csv"))
    assert missing.returncode == 2
    assert "absent.csv" in missing.stderr and "not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    run = zwgk("registry", "import", str(junk), "--db", f"sqlite:///{tmp_path / 'z.db'}")
    assert run.returncode == 2 and "junk.csv" in run.stderr and "no recognisable header" in run.stderr
