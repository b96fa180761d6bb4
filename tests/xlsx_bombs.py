"""Hostile and damaged XLSX registries, generated on the fly (never committed: they unpack to GBs).

Each writer streams its parts through ``zipfile`` in chunks, so making a 2 GB bomb needs a
few MB of memory.  Used by ``tests/test_registry_limits.py`` and ``bench/spreadsheet_bombs.py``.

* :func:`sheet_bomb` — ~1 MB whose sheet unpacks to ~1 GB (a zip bomb of XML whitespace);
* :func:`cells_bomb` — ~2 MB whose sheet unpacks to ~0.5 GB of identical rows of cells;
* :func:`strings_bomb` — ~1 MB whose shared-string table unpacks to ~0.4 GB;
* :func:`empty_rows` — ~200 KB: a header, two real rows, then 2 million empty (styled) rows;
* :func:`malformed_sheet` — a small workbook whose sheet XML is not well-formed;
* :func:`small_registry` — a well-formed workbook with ``rows`` data rows (the control case).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

HEADER = ["unit_id", "unit_name", "tier", "kind", "site_url"]

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名录" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
_EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>'
)


def _col(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _row(number: int, values: Iterable[str]) -> str:
    cells = "".join(
        f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def _data_rows() -> list[str]:
    return [
        _row(1, HEADER),
        _row(2, ["b001", "测试县人民政府", "县", "portal", "http://www.ceshi.gov.cn/"]),
        _row(3, ["b002", "测试县教育局", "县", "department", "http://jyj.ceshi.gov.cn/"]),
    ]


def _write(path: Path, sheet: Iterator[str], strings: Iterator[str] | None = None) -> Path:
    """A minimal workbook whose sheet (and shared strings) are streamed from generators."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            if chunks is None:
                zf.writestr(name, _EMPTY_STRINGS)
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                buffer: list[str] = []
                size = 0
                for chunk in chunks:
                    buffer.append(chunk)
                    size += len(chunk)
                    if size >= 1 << 20:
                        fh.write("".join(buffer).encode("utf-8"))
                        buffer, size = [], 0
                fh.write("".join(buffer).encode("utf-8"))
    return path


def _repeat(unit: str, total_bytes: int) -> Iterator[str]:
    block = unit * max(1, (1 << 20) // len(unit.encode("utf-8")))
    block_bytes = len(block.encode("utf-8"))
    for _ in range(max(1, total_bytes // block_bytes)):
        yield block


def sheet_bomb(path: Path, unpacked_gb: float = 1.0) -> Path:
    """~1 MB on disk, ~``unpacked_gb`` GB unpacked: the sheet's rows are separated by a run of
    blanks (legal XML whitespace, which deflate packs about 1000:1 and a tree parser keeps)."""

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield from _data_rows()
        yield from _repeat(" " * 4096, int(unpacked_gb * 1e9))
        yield _SHEET_TAIL

    return _write(path, sheet())


def cells_bomb(path: Path, unpacked_gb: float = 0.5) -> Path:
    """~2 MB on disk: the same row of five cells repeated to ~``unpacked_gb`` GB (no row numbers,
    so every row is byte-identical); read as Python cells it would take several GB."""
    row = "<row>" + "".join('<c t="inlineStr"><is><t>测试县人民政府</t></is></c>' for _ in range(5)) + "</row>"

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield from _data_rows()
        yield from _repeat(row, int(unpacked_gb * 1e9))
        yield _SHEET_TAIL

    return _write(path, sheet())


def strings_bomb(path: Path, unpacked_gb: float = 0.4) -> Path:
    """A normal sheet over a shared-string table of ~``unpacked_gb`` GB (openpyxl keeps it all in memory)."""

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield from _data_rows()
        yield _SHEET_TAIL

    def strings() -> Iterator[str]:
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        yield from _repeat("<si><t>测试</t></si>", int(unpacked_gb * 1e9))
        yield "</sst>"

    return _write(path, sheet(), strings())


def empty_rows(path: Path, rows: int = 2_000_000) -> Path:
    """A header, two units, then ``rows`` empty rows that carry only a style (Excel formatting dragged down)."""

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield from _data_rows()
        yield from ['<row><c s="1"/></row>'] * rows  # no row numbers: each row follows the last
        yield _SHEET_TAIL

    return _write(path, sheet())


def malformed_sheet(path: Path) -> Path:
    """The data rows, then a cell that is never closed."""

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield from _data_rows()
        yield '<row r="4"><c r="A4" t="inlineStr"><is><t>b003</t></is></row>'
        yield _SHEET_TAIL

    return _write(path, sheet())


def small_registry(path: Path, rows: int = 2) -> Path:
    """A well-formed workbook with ``rows`` units (the control: it must read)."""

    def sheet() -> Iterator[str]:
        yield _SHEET_HEAD
        yield _row(1, HEADER)
        for i in range(rows):
            yield _row(i + 2, [f"s{i:06d}", f"测试县第{i}局", "县", "department", f"http://s{i}.ceshi.gov.cn/"])
        yield _SHEET_TAIL

    return _write(path, sheet())
