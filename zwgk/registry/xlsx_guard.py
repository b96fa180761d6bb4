"""Checking an XLSX before openpyxl reads it: sizes from the zip directory, then a streaming scan.

openpyxl (even read-only) builds one row's cells at a time and keeps every shared string
in memory, so a workbook is safe to hand to it only when its rows, columns and strings are
known to be bounded.  This module finds that out cheaply:

1. the end-of-central-directory record gives the number of zip members (a directory of a
   million entries would cost gigabytes to load), then the directory gives each member's
   uncompressed size — a zip bomb is refused before one byte is inflated (``zipfile`` also
   refuses to inflate a member past its declared size);
2. expat streams every worksheet and the shared-string table in 1 MiB chunks, keeping no
   tree: it counts cells per row, finds the last row and rightmost column holding a value
   and the number of values, and reports malformed XML with its line.

The caller then reads each sheet only up to its last value (trailing blank rows are never
parsed again) and only as wide as its rightmost value.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from zwgk.model import ZwgkError
from zwgk.registry.limits import RegistryLimits

_CHUNK = 1 << 20
_MAX_MEMBERS = 10_000  # a workbook has tens of parts; Excel writes one per sheet, style, image
_MAX_CELLS_PER_ROW = 16_384  # Excel's own column limit (XFD)
_MAX_ROW_ELEMENTS = 1_048_576  # Excel's own row limit: more rows were not written by Excel or WPS
_EOCD = b"PK\x05\x06"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)$")


@dataclass(slots=True)
class SheetExtent:
    """Where a worksheet's values are: the last row and rightmost column holding one."""

    last_row: int = 0
    last_column: int = 0
    values: int = 0


class _Refused(Exception):
    """Raised inside an expat handler to stop the scan at the first cap exceeded."""


def check_workbook(path: Path, limits: RegistryLimits) -> dict[str, SheetExtent]:
    """Refuse a workbook that breaks a cap; return each worksheet part's extent.

    Raises :class:`ZwgkError` (one line, naming the file and the cap) otherwise.
    """
    _check_member_count(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if total > limits.max_unzipped_bytes:
                biggest = max(infos, key=lambda info: info.file_size)
                raise ZwgkError(
                    f"{path}: unpacks to {_mib(total)} (largest part {biggest.filename}: "
                    f"{_mib(biggest.file_size)}), above the limit of {limits.max_unzipped_mb} MiB "
                    f"({RegistryLimits.env_name('max_unzipped_mb')}); a site registry is far smaller — "
                    "is this the right file? Otherwise save it as CSV"
                )
            extents: dict[str, SheetExtent] = {}
            for info in infos:
                name = info.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    extents[name] = _scan(zf, info, path, limits, sheet=True)
                elif name == "xl/sharedStrings.xml":
                    _scan(zf, info, path, limits, sheet=False)
            return extents
    except zipfile.BadZipFile as exc:
        raise ZwgkError(f"{path}: damaged Excel workbook ({exc}); open and re-save it, or save it as CSV") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise ZwgkError(f"{path}: cannot read the Excel workbook ({exc}); re-save it, or save it as CSV") from None


def _check_member_count(path: Path) -> None:
    """Count zip members from the end record before ``zipfile`` loads the whole directory."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65_557))  # the end record (22 bytes) plus the longest comment
        tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return  # not found: zipfile will say the file is damaged
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if entries > _MAX_MEMBERS and entries != 0xFFFF:
        raise ZwgkError(
            f"{path}: the workbook has {entries} parts; a spreadsheet has tens. Refused (damaged or hostile)"
        )
    if entries == 0xFFFF:
        raise ZwgkError(f"{path}: a ZIP64 workbook (65,535+ parts or 4 GiB+) is not a site registry; save it as CSV")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _scan(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limits: RegistryLimits, *, sheet: bool
) -> SheetExtent:
    """Stream one part through expat, counting what openpyxl would have to hold."""
    extent = SheetExtent()
    state = {"row": 0, "col": 0, "cells_in_row": 0, "in_value": False, "cell_has_value": False, "strings": 0, "rows": 0}
    part = info.filename
    problem: list[str] = []

    def refuse(message: str) -> None:
        problem.append(message)
        raise _Refused

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if not sheet:
            if local == "si":
                state["strings"] += 1
                if state["strings"] > limits.max_cells:
                    refuse(
                        f"has more than {limits.max_cells:,} shared strings "
                        f"(limit {RegistryLimits.env_name('max_cells')})"
                    )
            return
        if local == "row":
            state["rows"] += 1
            if state["rows"] > _MAX_ROW_ELEMENTS:
                refuse(f"has more than {_MAX_ROW_ELEMENTS:,} rows (Excel's own maximum; most of them empty?)")
            r = attrs.get("r", "")
            state["row"] = int(r) if r.isdigit() else state["row"] + 1
            state["col"] = 0
            state["cells_in_row"] = 0
        elif local == "c":
            state["cells_in_row"] += 1
            if state["cells_in_row"] > _MAX_CELLS_PER_ROW:
                refuse(f"row {state['row']} has more than {_MAX_CELLS_PER_ROW:,} cells (Excel's own maximum)")
            ref = _CELL_REF.match(attrs.get("r", ""))
            if ref:
                state["col"] = _col_number(ref.group(1))
                state["row"] = int(ref.group(2))
            else:
                state["col"] += 1
            state["cell_has_value"] = False
        elif local in ("v", "t"):
            state["in_value"] = True

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if not sheet:
            return
        if local in ("v", "t"):
            state["in_value"] = False
        elif local == "c" and state["cell_has_value"]:
            row, col = state["row"], state["col"]
            extent.values += 1
            extent.last_row = max(extent.last_row, row)
            extent.last_column = max(extent.last_column, col)
            if row > limits.max_rows:
                refuse(
                    f"has a value in row {row:,}, beyond the limit of {limits.max_rows:,} rows "
                    f"({RegistryLimits.env_name('max_rows')})"
                )
            if col > limits.max_columns:
                refuse(
                    f"has a value in column {col:,} (row {row:,}), beyond the limit of {limits.max_columns} "
                    f"columns ({RegistryLimits.env_name('max_columns')})"
                )
            if extent.values > limits.max_cells:
                refuse(f"holds more than {limits.max_cells:,} values (limit {RegistryLimits.env_name('max_cells')})")

    def text(data: str) -> None:
        if state["in_value"] and not state["cell_has_value"] and data.strip():
            state["cell_has_value"] = True

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    what = "the shared-string table" if not sheet else f"sheet part {part}"
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except _Refused:
        raise ZwgkError(f"{path}: {what} {problem[0]}; delete what is not the registry, or save it as CSV") from None
    except expat.ExpatError as exc:
        raise ZwgkError(
            f"{path}: {what} is not well-formed XML (line {exc.lineno}, column {exc.offset}: "
            f"{expat.ErrorString(exc.code)}); the workbook is damaged — open and re-save it, or save it as CSV"
        ) from None
    return extent


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"
