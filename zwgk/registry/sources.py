"""Reading a registry file into raw rows, each with the line a person would see.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), or
GB18030 (which covers GBK/GB2312, what Excel on Chinese Windows writes);
the delimiter (``,`` tab ``;`` ``|``) is taken from the first non-blank line.
XLSX/XLSM: openpyxl in read-only mode, the first sheet that has a header.
A row's line is its spreadsheet row number or the text line it starts on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from zwgk.model import ZwgkError
from zwgk.registry.limits import RegistryLimits
from zwgk.registry.xlsx_guard import SheetExtent, check_workbook

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
_HEADER_SCAN = 20  # title rows allowed above the header


@dataclass(slots=True)
class RawTable:
    """Rows of cells as text, ``(line, cells)``, plus problems found while splitting."""

    format: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # (line, reason) for rows the splitter itself could not read (an unclosed quote …)
    broken: list[tuple[int, str]] = field(default_factory=list)
    sheet: str = ""


def load_table(path: Path, scan_header=None, limits: RegistryLimits | None = None) -> RawTable:
    """Read ``path`` as CSV or XLSX (by content, not only by extension), within ``limits``."""
    path = Path(path)
    limits = limits or RegistryLimits.from_env()
    if not path.exists():
        raise ZwgkError(f"{path}: registry file not found")
    if path.is_dir():
        raise ZwgkError(f"{path}: is a directory, give a CSV or XLSX registry file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ZwgkError(f"{path}: cannot read registry file ({exc.strerror or exc})") from exc
    if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
        raise ZwgkError(f"{path}: old Excel .xls format is not supported; save it as .xlsx or CSV (UTF-8)")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ZwgkError(
            f"{path}: {size / 1024 / 1024:,.0f} MiB is above the limit of {limits.max_file_mb} MiB for a registry "
            f"file ({RegistryLimits.env_name('max_file_mb')}); the national list of every site is about 2 MiB"
        )
    if head.startswith(_ZIP_MAGIC):
        return _load_xlsx(path, scan_header, limits)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ZwgkError(f"{path}: has an .xlsx name but is not an Excel workbook (damaged or mis-named?)")
    return _load_csv(path, limits)


_MAX_BAD_SHARE = 0.01  # at most 1% of lines with undecodable bytes: reject those rows, keep the rest


def decode(data: bytes, path: Path) -> tuple[str, str, set[int]]:
    """``(text, encoding, bad_lines)``: BOM first, then UTF-8, then GB18030.

    A file that decodes except for a few lines (a stray byte from another
    encoding) is still read: those lines come back in ``bad_lines`` so their
    rows are rejected by line instead of losing the whole file.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    lines = data.count(b"\n") + 1
    first_failure: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding, set()
        except UnicodeDecodeError as exc:
            first_failure = first_failure or exc
        text = data.decode(encoding, errors="replace")
        bad = {number for number, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line}
        if len(bad) <= max(1, int(lines * _MAX_BAD_SHARE)) and 1 not in bad:
            return text, encoding, bad
    assert first_failure is not None
    line = data[: first_failure.start].count(b"\n") + 1
    raise ZwgkError(
        f"{path}:{line}: cannot decode the file as {' or '.join(encodings)} "
        f"(byte 0x{data[first_failure.start]:02x}); save it as UTF-8 CSV"
    )


def _delimiter(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (",", "\t", ";", "|")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _check_csv_row(path: Path, line: int, cells: list[str], counts: list[int], limits: RegistryLimits) -> None:
    """Apply the row, column and cell caps to one CSV record as it is split."""
    filled = [i for i, c in enumerate(cells) if c.strip()]
    if not filled:
        return
    if line > limits.max_rows:
        raise ZwgkError(
            f"{path}:{line}: a value beyond the limit of {limits.max_rows:,} rows "
            f"({RegistryLimits.env_name('max_rows')}); split the file or raise the limit"
        )
    if filled[-1] + 1 > limits.max_columns:
        raise ZwgkError(
            f"{path}:{line}: a value in column {filled[-1] + 1}, beyond the limit of {limits.max_columns} columns "
            f"({RegistryLimits.env_name('max_columns')}); is the delimiter right?"
        )
    counts[0] += len(filled)
    if counts[0] > limits.max_cells:
        raise ZwgkError(
            f"{path}:{line}: more than {limits.max_cells:,} values in the file ({RegistryLimits.env_name('max_cells')})"
        )


def _load_csv(path: Path, limits: RegistryLimits) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ZwgkError(f"{path}: cannot read registry file ({exc.strerror or exc})") from exc
    text, encoding, bad_lines = decode(data, path)
    text = text.replace("\x00", "")
    delimiter = _delimiter(text)
    table = RawTable(format=f"csv ({encoding}, {'tab' if delimiter == chr(9) else repr(delimiter)}-separated)")
    physical = re.split(r"\r\n|\r|\n", text)  # the line breaks csv itself honours
    width = None
    values = [0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last_line = 0
    while True:
        start = last_line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ZwgkError(f"{path}:{reader.line_num}: CSV cannot be split: {exc}") from exc
        end = reader.line_num
        last_line = end
        _check_csv_row(path, start, cells, values, limits)
        if width is None and any(c.strip() for c in cells):
            width = len(cells)
        if end > start and width is not None and len(cells) != width:
            # An unclosed quote swallowed the following lines: report its line and
            # read the swallowed lines on their own so neighbours are not lost.
            table.broken.append(
                (start, f'unbalanced quote (") makes lines {start}–{end} one cell; close or remove the quote')
            )
            for line_no in range(start + 1, end + 1):
                line_text = physical[line_no - 1] if line_no - 1 < len(physical) else ""
                if not line_text.strip():
                    continue
                if line_text.count('"') % 2:
                    row = next(csv.reader([line_text], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
                    row = [c.strip().strip('"') for c in row]
                else:
                    row = next(csv.reader([line_text], delimiter=delimiter), [])
                table.rows.append((line_no, row))
            continue
        table.rows.append((start, cells))
    if bad_lines:
        starts = [line for line, _ in table.rows] + [len(physical) + 1]
        ends = {line: following - 1 for line, following in pairwise(starts)}
        reason = f"bytes that are not {encoding} on this line (mixed encodings?); re-save the file as UTF-8"
        kept = []
        for line, cells in table.rows:
            if any(line <= n <= ends[line] for n in bad_lines):
                table.broken.append((line, reason))
            else:
                kept.append((line, cells))
        table.rows = kept
        table.broken.sort()
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 网站标识码 typed as a number: 4400000131.0 → "4400000131"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _load_xlsx(path: Path, scan_header, limits: RegistryLimits) -> RawTable:
    """Read the first sheet with a header, only as far as its last value (see ``xlsx_guard``)."""
    from openpyxl import load_workbook

    extents = check_workbook(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl surfaces damaged parts as many exception types
        raise ZwgkError(
            f"{path}: cannot open as an Excel workbook ({_short(exc)}); re-save it, or save it as CSV"
        ) from None
    try:
        first: RawTable | None = None
        for sheet in workbook.worksheets:
            table = RawTable(format=f"xlsx (sheet {sheet.title})", sheet=sheet.title)
            extent = extents.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"))
            if extent is None:  # unknown part name: the widest extent of any sheet bounds it
                extent = SheetExtent(
                    max((e.last_row for e in extents.values()), default=0),
                    max((e.last_column for e in extents.values()), default=0),
                )
            if extent.last_row:
                sheet.reset_dimensions()  # some writers record a wrong used range (A1:A1)
                try:
                    rows = sheet.iter_rows(
                        max_row=extent.last_row, max_col=max(1, extent.last_column), values_only=True
                    )
                    for line, values in enumerate(rows, start=1):
                        cells = [_cell_text(v) for v in values]
                        while cells and not cells[-1]:
                            cells.pop()
                        if cells:
                            table.rows.append((line, cells))
                except Exception as exc:  # noqa: BLE001 — malformed XML, bad cell values: one line naming the file
                    raise ZwgkError(
                        f"{path}: sheet {sheet.title!r} cannot be read ({_short(exc)}); "
                        "the workbook is damaged — open and re-save it, or save it as CSV"
                    ) from None
            if first is None:
                first = table
            if scan_header is None or scan_header(table.rows[:_HEADER_SCAN]) is not None:
                return table
        return first or RawTable(format="xlsx (no sheets)")
    finally:
        workbook.close()


def _short(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
