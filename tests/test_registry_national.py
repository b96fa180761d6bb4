"""The real national export (全国政府网站基本信息数据库, 2023-03-09) imports as it is.

Expectations are derived from the raw file itself (its lines and cells), so
the tests check that every messy row is accounted for by line, not merely
that some count came out.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from zwgk.registry import import_registry, read_registry
from zwgk.registry.bundled import NATIONAL_EXPORT, PROVINCIAL_PORTALS
from zwgk.storage.registry import get_unit, list_units


@pytest.fixture(scope="module")
def national_path() -> Path:
    return NATIONAL_EXPORT  # bundled in the package (zwgk/data/registry)


@pytest.fixture(scope="module")
def raw_rows(national_path: Path) -> dict[int, list[str]]:
    """line number (header = 1) → cells, read independently of zwgk."""
    with national_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows: dict[int, list[str]] = {}
        for cells in reader:
            rows[reader.line_num] = cells
    return rows


@pytest.fixture(scope="module")
def report(national_path: Path):
    return read_registry(national_path)


def _line_of(raw_rows: dict[int, list[str]], url_cell: str) -> int:
    lines = [line for line, cells in raw_rows.items() if cells[3] == url_cell]
    assert len(lines) == 1, f"{url_cell!r} should occur once in the raw file"
    return lines[0]


def _fixes_at(report, line: int) -> str:
    return " | ".join(what for at, what in report.normalised if at == line)


def test_every_row_is_imported_or_rejected(report, raw_rows):
    data_lines = [line for line in raw_rows if line > 1]
    assert report.layout == "national"
    assert report.rows == len(data_lines) == 13385
    assert report.imported + report.rejected == report.rows
    assert sorted([*report.lines.values(), *(e.line for e in report.errors)]) == sorted(data_lines)
    # every unit id is the row's 网站标识码 and every unit is on its own line
    for unit in report.units:
        assert raw_rows[report.lines[unit.unit_id]][1] == unit.unit_id == unit.site_code


def test_every_messy_url_is_reported_on_its_line(report, raw_rows):
    """Each row whose 首页网址 is not already a clean absolute URL is named by line."""
    by_line = {report.lines[u.unit_id]: u for u in report.units}
    messy = 0
    for line, cells in raw_rows.items():
        if line == 1:
            continue
        raw = cells[3]
        unit = by_line.get(line)
        assert unit is not None, f"line {line} ({raw!r}) was not imported"
        if unit.site_url not in (raw, raw + "/"):  # anything beyond the root slash must be said
            messy += 1
            assert "首页网址" in _fixes_at(report, line), (
                f"line {line}: {raw!r} was changed to {unit.site_url} silently"
            )
        assert unit.site_url.startswith(("http://", "https://"))
        assert " " not in unit.site_url and "," not in unit.site_url
    assert messy > 650  # 651 scheme-less URLs plus spaces, commas, full-width punctuation …


@pytest.mark.parametrize(
    "cell, expected, note",
    [
        ("https://qhdrsj.gov.cn,http://rsj.qhd.gov.cn", "https://qhdrsj.gov.cn/", "ignored http://rsj.qhd.gov.cn/"),
        ("http://jsj.hd.gov.cn, 邯郸市建设局.政务", "http://jsj.hd.gov.cn/", "used the first"),
        ("sw.beijing.gov.cn", "http://sw.beijing.gov.cn/", "added http://"),
        ("http:/whgdhlyj.xingtai.gov.cn/", "http://whgdhlyj.xingtai.gov.cn/", "scheme separator"),
        ("http//wjw.ganzhou.gov.cn", "http://wjw.ganzhou.gov.cn/", "scheme separator"),
        ("http：//www.jiangzi.gov.cn", "http://www.jiangzi.gov.cn/", "full-width"),
        ("http://sjzyj.huainan.gov.cn\t\t\t\t", "http://sjzyj.huainan.gov.cn/", "whitespace"),
        (
            "http://www.jiangsu.gov.cn；http://www.js.gov.cn",
            "http://www.jiangsu.gov.cn/",
            "ignored http://www.js.gov.cn/",
        ),
        (
            "swj.putian.gov.cn（http://www.ptswj.gov.cn）",
            "http://swj.putian.gov.cn/",
            "ignored http://www.ptswj.gov.cn/",
        ),
        ("http://SCJGJ.XINING.GOV.CN", "http://scjgj.xining.gov.cn/", "lowercased"),
        ("lzshgl.gov.cn（搭建中，尚未使用）", "http://lzshgl.gov.cn/", "搭建中"),
    ],
)
def test_known_messy_cells_are_repaired_and_reported(report, raw_rows, cell, expected, note):
    line = _line_of(raw_rows, cell)
    unit = next(u for u in report.units if report.lines[u.unit_id] == line)
    assert unit.site_url == expected
    assert note in _fixes_at(report, line)
    assert f"line {line}" not in " ".join(str(e) for e in report.errors)


def test_exception_status_rows_are_imported_with_a_warning(report, raw_rows):
    exception_lines = {line for line, cells in raw_rows.items() if line > 1 and cells[5] == "例外"}
    assert len(exception_lines) == 14
    warned = {line for line, what in report.warnings if "例外" in what}
    assert warned == exception_lines
    assert exception_lines <= set(report.lines.values())


def test_tier_and_kind_are_inferred_for_every_row(report):
    assert report.inferred == report.imported
    units = {u.unit_id: u for u in report.units}
    beijing = units["1100000088"]  # 北京市人民政府
    assert (beijing.tier, beijing.kind, beijing.region) == ("省", "portal", "北京市")
    transport = units["1100000005"]  # 北京市交通委员会
    assert (transport.tier, transport.kind, transport.parent_id) == ("省", "department", "1100000088")
    tiers = {u.tier for u in report.units}
    assert {"省", "市", "县"} <= tiers
    portals = [u for u in report.units if u.kind == "portal"]
    assert 2500 < len(portals) < 4000  # ≈ one per province/city/county government
    assert all(u.tier in ("省", "市", "县", "乡", "部委") for u in report.units)


def test_bad_rows_are_reported_by_line_and_neighbours_kept(national_path: Path, tmp_path: Path, db):
    """Damage a copy of the real file; exactly the damaged lines are rejected."""
    lines = national_path.read_text(encoding="utf-8-sig").splitlines()
    damaged = {
        10: lambda c: c[:3] + ['""'] + c[4:],  # no URL
        20: lambda c: c[:3] + ['"暂无"'] + c[4:],  # not a URL
        30: lambda c: c[:1] + [lines[1].split(",")[1]] + c[2:],  # 网站标识码 of line 2 again
        40: lambda c: c[:1] + ['""'] + c[2:],  # no 网站标识码
        50: lambda c: c[:2] + ['""'] + c[3:],  # no name
    }
    for line_no, damage in damaged.items():
        lines[line_no - 1] = ",".join(damage(lines[line_no - 1].split(",")))
    copy = tmp_path / "national-damaged.csv"
    copy.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")

    report = import_registry(db, copy)
    reasons = {e.line: e.reason for e in report.errors}
    assert set(reasons) == set(damaged)
    assert "首页网址 is empty" in reasons[10]
    assert "暂无" in reasons[20] and "no usable" in reasons[20]
    assert "already used on line 2" in reasons[30]
    assert "网站标识码 is empty" in reasons[40]
    assert "网站名称 is empty" in reasons[50]
    assert all(e.source == copy.name for e in report.errors)
    assert report.imported == 13385 - 5 and report.imported + report.rejected == report.rows
    # the neighbours of every damaged line made it into the database
    for line_no in damaged:
        for neighbour in (line_no - 1, line_no + 1):
            code = lines[neighbour - 1].split(",")[1].strip('"')
            assert get_unit(db, code) is not None, f"neighbour line {neighbour} of bad line {line_no} was lost"


def test_reimport_is_idempotent_and_updates_only_changes(national_path: Path, tmp_path: Path, db):
    first = import_registry(db, national_path)
    assert (first.added, first.updated) == (13385, 0)
    assert len(list_units(db)) == 13385
    again = import_registry(db, national_path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 13385)

    changed = tmp_path / "changed.csv"
    shutil.copy(national_path, changed)
    text = changed.read_text(encoding="utf-8-sig").replace("http://jtw.beijing.gov.cn/", "https://jtw.beijing.gov.cn/")
    changed.write_text(text, encoding="utf-8")
    third = import_registry(db, changed)
    assert (third.added, third.updated) == (0, 1)
    assert get_unit(db, "1100000005").site_url == "https://jtw.beijing.gov.cn/"


def test_provincial_portals_file():
    """The companion export of the 32 provincial portals: every one a 省 portal with its region."""
    report = read_registry(PROVINCIAL_PORTALS)
    assert (report.rows, report.imported, report.rejected) == (32, 32, 0)
    assert {(u.tier, u.kind) for u in report.units} == {("省", "portal")}
    regions = {u.unit_id: u.region for u in report.units}
    assert regions["1100000088"] == "北京市" and regions["1300000013"] == "河北省"
    assert all(regions.values())


def test_national_export_saved_as_gb18030_reads_the_same(national_path: Path, tmp_path: Path, report):
    """Excel on Chinese Windows saves CSV in GBK/GB18030: same units, same line numbers."""
    text = national_path.read_text(encoding="utf-8-sig")
    copy = tmp_path / "national-gbk.csv"
    copy.write_bytes(text.encode("gb18030"))
    again = read_registry(copy)
    assert "gb18030" in again.format
    assert again.units == report.units
    assert again.lines == report.lines
    assert [(e.line, e.reason) for e in again.errors] == [(e.line, e.reason) for e in report.errors]
