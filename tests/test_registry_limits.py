"""Reading registries within limits: zip bombs, millions of empty rows, damaged XML and
floods of rejected rows end quickly with one clear line or a short summary.

The bombs are generated here (``tests/xlsx_bombs.py``), never committed; their peak memory
is measured by ``bench/spreadsheet_bombs.py``, not asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import xlsx_bombs
from zwgk.model import ZwgkError
from zwgk.registry import read_registry
from zwgk.registry.limits import RegistryLimits


def zwgk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "200", **env}
    full.pop("ZWGK_DB", None)
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=300, env=full)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bombs")
    return {
        "sheet_1gb": xlsx_bombs.sheet_bomb(root / "sheet_1gb.xlsx"),
        "cells": xlsx_bombs.cells_bomb(root / "cells.xlsx"),
        "strings": xlsx_bombs.strings_bomb(root / "strings.xlsx"),
        "empty_2m": xlsx_bombs.empty_rows(root / "empty_2m.xlsx"),
        "malformed": xlsx_bombs.malformed_sheet(root / "malformed.xlsx"),
    }


@pytest.mark.parametrize(
    "bomb, fragment",
    [
        ("sheet_1gb", "unpacks to 953 MiB"),
        ("cells", "largest part xl/worksheets/sheet1.xml"),
        ("strings", "largest part xl/sharedStrings.xml"),
        ("empty_2m", "more than 1,048,576 rows"),
        ("malformed", "not well-formed XML (line 2"),
    ],
)
def test_each_bomb_is_refused_with_one_line_naming_the_file(bombs, bomb, fragment):
    path = bombs[bomb]
    assert path.stat().st_size < 3 * 1024 * 1024  # small on disk: the danger is inside
    done = zwgk("registry", "check", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"错误 / error: {path}: ") and fragment in lines[0], lines[0]


def test_the_same_bomb_is_refused_by_import_and_assess_paths(bombs, tmp_path):
    with pytest.raises(ZwgkError, match="ZWGK_REGISTRY_MAX_UNZIPPED_MB"):
        read_registry(bombs["cells"])
    done = zwgk("registry", "import", str(bombs["sheet_1gb"]), "--db", str(tmp_path / "z.db"))
    assert done.returncode == 2 and "unpacks to" in done.stderr


def test_trailing_empty_rows_within_excel_limits_are_skipped(tmp_path):
    path = xlsx_bombs.empty_rows(tmp_path / "formatted.xlsx", rows=300_000)
    report = read_registry(path)
    assert [u.unit_id for u in report.units] == ["b001", "b002"] and report.rows == 2


def test_row_column_and_cell_caps_are_settings(tmp_path):
    path = xlsx_bombs.small_registry(tmp_path / "ten.xlsx", rows=10)
    assert len(read_registry(path).units) == 10
    done = zwgk("registry", "check", str(path), ZWGK_REGISTRY_MAX_ROWS="5")
    assert done.returncode == 2 and "value in row 6" in done.stderr and "ZWGK_REGISTRY_MAX_ROWS" in done.stderr
    done = zwgk("registry", "check", str(path), ZWGK_REGISTRY_MAX_COLUMNS="4")
    assert done.returncode == 2 and "column 5" in done.stderr and "ZWGK_REGISTRY_MAX_COLUMNS" in done.stderr
    done = zwgk("registry", "check", str(path), ZWGK_REGISTRY_MAX_CELLS="30")
    assert done.returncode == 2 and "more than 30" in done.stderr
    done = zwgk("registry", "check", str(path), ZWGK_REGISTRY_MAX_ROWS="lots")
    assert done.returncode == 2 and "ZWGK_REGISTRY_MAX_ROWS='lots' must be a positive whole number" in done.stderr


def test_csv_caps_name_the_line(tmp_path):
    path = tmp_path / "wide.csv"
    rows = ["unit_id,unit_name,tier,kind,site_url"] + [
        f"c{i},测试县第{i}局,县,department,http://c{i}.ceshi.gov.cn/" for i in range(50)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    limits = RegistryLimits(max_rows=20)
    from zwgk.registry.sources import load_table

    with pytest.raises(ZwgkError, match=r"wide\.csv:21: a value beyond the limit of 20 rows"):
        load_table(path, limits=limits)
    big = tmp_path / "big.csv"
    big.write_bytes(b"unit_id,unit_name\n" + b"x" * (2 * 1024 * 1024))
    done = zwgk("registry", "check", str(big), ZWGK_REGISTRY_MAX_FILE_MB="1")
    assert done.returncode == 2 and "above the limit of 1 MiB" in done.stderr


def test_many_rejected_rows_are_summarised_unless_details(tmp_path):
    path = tmp_path / "bad.csv"
    lines = ["unit_id,unit_name,tier,kind,site_url", "ok1,测试县人民政府,县,portal,http://www.ceshi.gov.cn/"]
    lines += [f"u{i},测试县第{i}局,县,department,没有网站{i}" for i in range(3000)]
    lines += [f"t{i},测试县第{i}办,星球,department,http://t{i}.ceshi.gov.cn/" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = zwgk("registry", "check", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "rejected rows by reason (3040)" in out
    assert "3000" in out and "40" in out  # counts by kind of reason
    assert out.count("line ") <= 25  # the first 20 rows, not 3040
    assert "… 3020 more rejected rows (use --details" in out
    detailed = zwgk("registry", "check", str(path), "--details")
    assert detailed.stdout.count("没有网站") >= 3000 and "more rejected rows" not in detailed.stdout
