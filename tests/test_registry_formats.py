"""Registry files as they arrive: canonical CSV, Chinese headers, GB18030, XLSX, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from zwgk.model import ZwgkError
from zwgk.registry import import_registry, read_registry
from zwgk.storage.registry import get_unit, list_units

CANONICAL_HEADER = "unit_id,unit_name,tier,kind,region,parent_id,site_url,site_code,has_services"


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_canonical_csv_bad_row_in_the_middle_keeps_neighbours(tmp_path: Path, db):
    path = _write(
        tmp_path / "sites.csv",
        [
            CANONICAL_HEADER,
            "g1,岳阳县人民政府,县,portal,岳阳县,,http://www.yyx.gov.cn/,4306210009,1",
            "d1,岳阳县教育局,县,department,岳阳县,g1,jyj.yyx.gov.cn,,0",
            "d2,岳阳县财政局,县,department,岳阳县,g1,不知道,,1",  # line 4: no usable URL
            "d3,岳阳县统计局,镇级,department,岳阳县,g1,http://tjj.yyx.gov.cn/,,1",  # line 5: bad tier
            "d4,岳阳县民政局,县,department,岳阳县,g1,http://mzj.yyx.gov.cn/,,maybe",  # line 6: bad flag
            "",
            "d5,岳阳县水利局,县,department,岳阳县,g1,http://slj.yyx.gov.cn/,,否",
            "d1,岳阳县教育局（重复）,县,department,岳阳县,g1,http://x.yyx.gov.cn/,,1",  # line 9: duplicate id
            CANONICAL_HEADER,  # line 10: a second file pasted below the first
        ],
    )
    report = import_registry(db, path)
    assert report.layout == "canonical"
    assert {e.line: e.reason for e in report.errors}.keys() == {4, 5, 6, 9, 10}
    reasons = {e.line: e.reason for e in report.errors}
    assert "不知道" in reasons[4]
    assert "'镇级' is not one of 部委/省/市/县/乡" in reasons[5]
    assert "'maybe'" in reasons[6]
    assert "already used on line 3" in reasons[9]
    assert "repeated header row" in reasons[10]
    assert str(report.errors[0]) == f"sites.csv:4: {reasons[4]}"
    assert report.rows == 8 and report.imported == 3  # the blank line 7 is not a row
    assert [u.unit_id for u in list_units(db)] == ["d1", "d5", "g1"]
    d1 = get_unit(db, "d1")
    assert (d1.site_url, d1.has_services, d1.parent_id, d1.tier, d1.kind) == (
        "http://jyj.yyx.gov.cn/",
        False,
        "g1",
        "县",
        "department",
    )
    assert (3, "site_url 'jyj.yyx.gov.cn' → http://jyj.yyx.gov.cn/ (added http://)") in report.normalised
    assert get_unit(db, "d5").has_services is False
    assert report.inferred == 0


def test_chinese_headers_and_inference_without_tier_column(tmp_path: Path):
    path = _write(
        tmp_path / "名录.csv",
        [
            "单位编码,单位名称,网站地址,是否有对外服务",
            "A01,江西省人民政府,www.jiangxi.gov.cn,是",
            "A02,宜春市教育局,http://jyj.yichun.gov.cn,否",
            "A03,万载县人民政府办公室,http://www.wanzai.gov.cn,",
            "A04,某某研究会,http://www.example.org.cn,1",  # line 5: nothing to infer a tier from
        ],
    )
    report = read_registry(path)
    units = {u.unit_id: u for u in report.units}
    assert (units["A01"].tier, units["A01"].kind, units["A01"].region) == ("省", "portal", "江西省")
    assert (units["A02"].tier, units["A02"].kind, units["A02"].region) == ("市", "department", "宜春市")
    assert (units["A03"].tier, units["A03"].kind, units["A03"].has_services) == ("县", "portal", True)
    assert units["A02"].has_services is False
    assert report.inferred == 3
    assert [(e.line, "inferred" in e.reason) for e in report.errors] == [(5, True)]


def test_gb18030_csv_reads(tmp_path: Path):
    lines = [
        "单位编码,单位名称,层级,类型,网站地址",
        "g1,万载县人民政府,县,门户,http://www.wanzai.gov.cn/",
        "d1,万载县统计局,县,部门,http://tjj.wanzai.gov.cn/",
        "d2,㐀㐁镇人民政府,乡,门户,http://z.wanzai.gov.cn/",  # CJK Ext-A: outside GBK, inside GB18030
    ]
    path = _write(tmp_path / "gbk.csv", lines, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = read_registry(path)
    assert "gb18030" in report.format
    assert [u.name for u in report.units] == ["万载县人民政府", "万载县统计局", "㐀㐁镇人民政府"]
    assert [u.kind for u in report.units] == ["portal", "department", "portal"]
    assert report.errors == []


def test_utf8_bom_and_tab_separated(tmp_path: Path):
    path = tmp_path / "tabs.txt"
    path.write_bytes(
        "\ufeffunit_id\tunit_name\tsite_url\nx1\t宜春市人民政府\thttp://www.yichun.gov.cn\n".encode("utf-8")
    )
    report = read_registry(path)
    assert [(u.unit_id, u.tier, u.kind) for u in report.units] == [("x1", "市", "portal")]
    assert "utf-8-sig" in report.format and "tab" in report.format


def test_xlsx_registry_reads_with_title_row_numbers_and_gaps(tmp_path: Path, db):
    wb = Workbook()
    ws = wb.active
    ws.title = "名录"
    ws.append(["2026年第四季度测评名录"])  # row 1: a title above the header
    ws.append(["单位编码", "单位名称", "层级", "类型", "地区", "上级单位", "网站地址", "网站标识码", "是否有对外服务"])
    ws.append([4306210009, "岳阳县人民政府", "县", "portal", "岳阳县", None, "http://www.yyx.gov.cn", 4306210009, 1])
    ws.append(["d1", "岳阳县教育局", "县级", "部门", None, 4306210009, "http://jyj.yyx.gov.cn", None, "否"])
    ws.append([None] * 9)  # row 5: empty
    ws.append(["d2", "岳阳县财政局", "县", "部门", "岳阳县", 4306210009, None, None, 1])  # row 6: no URL
    ws.append(["d3", "岳阳县水利局", None, None, None, None, "slj.yyx.gov.cn", None, True])  # row 7
    path = tmp_path / "registry.xlsx"
    wb.save(path)

    report = import_registry(db, path)
    assert report.format.startswith("xlsx") and report.header_line == 2
    assert [(e.line, e.reason) for e in report.errors] == [(6, "网站地址 is empty")]
    gov = get_unit(db, "4306210009")  # a number cell is read as the code, not 4306210009.0
    assert gov is not None and gov.site_code == "4306210009" and gov.kind == "portal"
    d1 = get_unit(db, "d1")
    assert (d1.tier, d1.kind, d1.parent_id, d1.has_services) == ("县", "department", "4306210009", False)
    d3 = get_unit(db, "d3")
    assert (d3.tier, d3.kind, d3.site_url) == ("县", "department", "http://slj.yyx.gov.cn/")
    assert report.inferred == 1
    assert report.lines == {"4306210009": 3, "d1": 4, "d3": 7}
    assert (report.added, report.updated) == (3, 0)


def test_xlsx_header_on_a_later_sheet(tmp_path: Path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为测评名录"])
    ws = wb.create_sheet("sites")
    ws.append(["unit_id", "unit_name", "site_url"])
    ws.append(["u1", "宜春市人民政府", "www.yichun.gov.cn"])
    path = tmp_path / "two-sheets.xlsx"
    wb.save(path)
    report = read_registry(path)
    assert report.format == "xlsx (sheet sites)"
    assert [u.unit_id for u in report.units] == ["u1"]


def test_unclosed_quote_costs_only_its_own_row(tmp_path: Path):
    path = _write(
        tmp_path / "quote.csv",
        [
            "unit_id,unit_name,site_url",
            "u1,宜春市人民政府,http://www.yichun.gov.cn",
            'u2,"宜春市教育局,http://jyj.yichun.gov.cn',  # line 3: quote never closed
            "u3,宜春市财政局,http://czj.yichun.gov.cn",
            "u4,宜春市统计局,http://tjj.yichun.gov.cn",
        ],
    )
    report = read_registry(path)
    assert [(e.line, "quote" in e.reason) for e in report.errors] == [(3, True)]
    assert [u.unit_id for u in report.units] == ["u1", "u3", "u4"]
    assert report.lines == {"u1": 2, "u3": 4, "u4": 5}


def test_quoted_multiline_cell_keeps_line_numbers(tmp_path: Path):
    path = _write(
        tmp_path / "multi.csv",
        [
            "unit_id,unit_name,site_url",
            'u1,"宜春市',
            '人民政府",http://www.yichun.gov.cn',
            "u2,宜春市财政局,不是网址",
        ],
    )
    report = read_registry(path)
    assert [u.name for u in report.units] == ["宜春市 人民政府"]
    assert [e.line for e in report.errors] == [4]


def test_excel_scientific_notation_id_is_rejected(tmp_path: Path):
    path = _write(
        tmp_path / "sci.csv",
        ["网站标识码,网站名称,首页网址,网站主管单位", "4.4E+09,某市人民政府,www.a.gov.cn,某市政府办"],
    )
    report = read_registry(path)
    assert report.layout == "national"
    assert len(report.errors) == 1 and "scientific notation" in report.errors[0].reason


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "no recognisable header"),
        (b"name,address\nfoo,bar\n", "no recognisable header"),
        ("单位名称,网站地址\n某局,http://a.gov.cn\n".encode(), "no unit id column"),
        (b"\xff\xfe\x00", "cannot decode"),
    ],
)
def test_whole_file_errors_name_the_file(tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ZwgkError) as caught:
        read_registry(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_missing_and_mislabelled_files(tmp_path: Path):
    with pytest.raises(ZwgkError, match="not found"):
        read_registry(tmp_path / "nope.csv")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("unit_id,unit_name,site_url\n", encoding="utf-8")
    with pytest.raises(ZwgkError, match=r"fake\.xlsx"):
        read_registry(fake)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ZwgkError, match=r"\.xls format is not supported"):
        read_registry(old)


def test_a_stray_byte_costs_only_its_row(tmp_path: Path):
    """A UTF-8 file with one line in another encoding: that row is rejected, the rest read."""
    rows = "".join(f"u{i},宜春市第{i}局,http://a{i}.yichun.gov.cn\n" for i in range(120))
    data = ("unit_id,unit_name,site_url\n" + rows).encode("utf-8")
    data = data.replace("u7,宜春市第7局".encode(), b"u7," + "宜春市第7局".encode("gbk"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    report = read_registry(path)
    assert "utf-8" in report.format
    assert [e.line for e in report.errors] == [9]
    assert "not utf-8" in report.errors[0].reason
    assert report.imported == 119 and report.rows == 120


def test_unknown_parent_is_a_warning_not_an_error(tmp_path: Path):
    path = _write(
        tmp_path / "p.csv",
        [
            "unit_id,unit_name,tier,kind,parent_id,site_url",
            "g1,宜春市人民政府,市,portal,,http://www.yichun.gov.cn",
            "d1,宜春市教育局,市,department,g1,http://jyj.yichun.gov.cn",
            "d2,宜春市财政局,市,department,g9,http://czj.yichun.gov.cn",
        ],
    )
    report = read_registry(path)
    assert report.imported == 3
    assert report.warnings == [(4, "parent_id g9 is not a unit of this registry")]


@pytest.mark.parametrize(
    "cell, url, reason",
    [
        ("http://www.jiangxi.gov.cn:8443/", "http://www.jiangxi.gov.cn:8443/", ""),  # ports are kept
        ("http://[::1]:8080/x", "http://[::1]:8080/x", ""),
        ("ftp://x.gov.cn", None, "ftp:// is not a web address"),
        ("http://a.gov.cn:99999", None, "Port out of range"),
        ("http://u:p@a.gov.cn", None, "user name or password"),
        ("暂无", None, "'暂无' is not a domain name"),
    ],
)
def test_url_cells(cell, url, reason):
    from zwgk.registry.urls import normalise_url

    result = normalise_url(cell)
    assert result.url == url
    assert reason in result.reason
