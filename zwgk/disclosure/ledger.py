"""Reading a unit's 依申请公开 ledger (台账) from CSV or XLSX.

Real ledgers are Excel sheets with a title row or two above the header and Chinese column
names that vary by office: 收到日期 / 受理日期 / 申请日期, 答复日期 / 办结日期, 是否延期 /
延期答复 …  Every alias below maps to one field; a row is kept when it has a received date or
a reference number, and each row whose dates cannot be read is reported with its line (the
row is still stored, with the date left empty, so the evaluator sees it; rules never guess it).
The file is read by ``zwgk.registry.sources.load_table``: the same size, row, column and cell
limits (and zip-bomb checks) as a site registry.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from zwgk.model import ZwgkError
from zwgk.registry.sources import load_table
from zwgk.storage.requests import InfoRequest

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "ref": ("申请编号", "受理编号", "编号", "登记编号", "序号", "ref", "id"),
    "received": ("收到日期", "受理日期", "收到申请日期", "申请日期", "收件日期", "登记日期", "received"),
    "channel": ("申请渠道", "申请方式", "渠道", "提交方式", "channel"),
    "applicant": ("申请人类型", "申请人类别", "申请人性质", "applicant", "applicant_type"),
    "replied": ("答复日期", "办结日期", "答复时间", "回复日期", "replied", "reply_date"),
    "result": ("处理结果", "答复结果", "办理结果", "答复类型", "result"),
    "extended": ("是否延期", "延期答复", "是否延期答复", "延期", "extended", "extension"),
    "note": ("备注", "说明", "note"),
    "kind": ("类型", "记录类型", "kind"),
}
REQUIRED = ("received",)
_YES = {"是", "y", "yes", "true", "1", "延期", "已延期", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "", "未延期", "不延期", "无", "-", "/", "—"}
_TEST_WORDS = ("测试", "test", "暗访", "检查")
_DATE = re.compile(r"^\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT = re.compile(r"^\s*((?:19|20)\d{2})(\d{2})(\d{2})\s*$")


@dataclass
class LedgerReport:
    """What a ledger file held: rows to store, and lines with problems (kept or not)."""

    source: str
    format: str = ""
    header_line: int = 0
    rows: list[InfoRequest] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    skipped: int = 0  # blank or note-only rows

    @property
    def applications(self) -> list[InfoRequest]:
        return [r for r in self.rows if r.kind == "application"]

    @property
    def tests(self) -> list[InfoRequest]:
        return [r for r in self.rows if r.kind == "test"]


def _key(cell: str) -> str:
    return re.sub(r"[\s\u3000:：*（）()]", "", unicodedata.normalize("NFKC", str(cell))).lower()


def map_header(cells: list[str]) -> dict[str, int]:
    """field → column index for a header row (the earliest alias of a field wins: 申请编号 over 序号)."""
    keys = [_key(c) for c in cells]
    out: dict[str, int] = {}
    taken: set[int] = set()
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            hits = [i for i, k in enumerate(keys) if k and k == _key(alias) and i not in taken]
            if hits:
                out[name] = hits[0]
                taken.add(hits[0])
                break
    return out


def parse_day(text: str) -> dt.date | None:
    """``2025-03-02``, ``2025/3/2``, ``2025年3月2日``, ``20250302``, Excel's datetime text; else None."""
    t = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not t:
        return None
    m = _DATE.match(t) or _COMPACT.match(t)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_extended(text: str) -> bool | None:
    """True / False for the usual 是/否 spellings; None when the cell says something else."""
    t = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if t in _YES or t.startswith("是"):
        return True
    if t in _NO or t.startswith("否"):
        return False
    return None


def read_ledger(path: Path, unit_id: str, entered_by: str = "") -> LedgerReport:
    """Read a ledger file for ``unit_id``; raises :class:`ZwgkError` when it has no usable header."""
    path = Path(path)

    def scan(rows: list[tuple[int, list[str]]]) -> int | None:
        for index, (_line, cells) in enumerate(rows):
            if "received" in map_header(cells):
                return index
        return None

    table = load_table(path, scan_header=scan)
    at = scan(table.rows[:20])
    if at is None:
        raise ZwgkError(
            f"{path}: no ledger header in the first 20 rows; expected columns such as 收到日期 (or 受理日期), "
            "申请渠道, 申请人类型, 答复日期, 处理结果, 是否延期"
        )
    header_line, header = table.rows[at]
    columns = map_header(header)
    report = LedgerReport(source=path.name, format=table.format, header_line=header_line)
    for line, reason in table.broken:
        if line > header_line:
            report.problems.append((line, reason))
    labels = [str(c).strip() for c in header]
    for line, cells in table.rows[at + 1 :]:

        def get(name: str, cells: list[str] = cells) -> str:
            i = columns.get(name)
            return str(cells[i]).strip() if i is not None and i < len(cells) else ""

        if not any(str(c).strip() for c in cells):
            continue
        received_text, replied_text = get("received"), get("replied")
        if not received_text and not get("ref"):
            report.skipped += 1  # a total or note line under the table
            continue
        received, replied = parse_day(received_text), parse_day(replied_text)
        if received is None:
            report.problems.append((line, f"收到日期 {received_text!r} 无法识别为日期，该行不判断是否逾期"))
        if replied_text and replied is None:
            report.problems.append((line, f"答复日期 {replied_text!r} 无法识别为日期"))
        if received and replied and replied < received:
            report.problems.append((line, f"答复日期 {replied} 早于收到日期 {received}"))
        extended = parse_extended(get("extended"))
        if extended is None:
            report.problems.append((line, f"是否延期 {get('extended')!r} 无法识别（应为 是/否）"))
        kind = "test" if any(w in get("kind").lower() for w in _TEST_WORDS) else "application"
        raw = {
            labels[i] if i < len(labels) and labels[i] else f"列{i + 1}": str(c)
            for i, c in enumerate(cells)
            if str(c).strip()
        }
        report.rows.append(
            InfoRequest(
                unit_id=unit_id,
                kind=kind,
                ref=get("ref"),
                received=received,
                channel=get("channel"),
                applicant=get("applicant"),
                replied=replied,
                result=get("result"),
                extended=extended,
                note=get("note"),
                source=f"{path.name}:{line}",
                raw=raw,
                entered_by=entered_by,
            )
        )
    return report
