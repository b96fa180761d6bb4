"""Importing evaluator-entered 政务公开 items (依申请公开, 年报质量 …) from CSV or XLSX.

Columns: ``unit_id, item, score, evidence`` (optionally ``entered_by``); the
Chinese headers ``单位编码, 项目, 得分, 证据, 录入人`` are accepted too.  Every
valid row is stored; each bad row is reported with its line number and reason,
and a bad row never stops its neighbours.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.model import ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.rounds import RoundInfo

HEADER_ALIASES = {
    "unit_id": ("unit_id", "单位编码", "单位id", "unit"),
    "item": ("item", "项目", "指标", "考核项目"),
    "score": ("score", "得分", "分数"),
    "evidence": ("evidence", "证据", "依据", "说明"),
    "entered_by": ("entered_by", "录入人", "评估人"),
}


@dataclass
class ManualImportReport:
    source: str
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def lines(self) -> list[str]:
        return [f"{self.source}:{line}: {reason}" for line, reason in self.errors]


def _cell(header: dict[str, int], row: list[Any], key: str) -> str:
    """The stripped text of column ``key`` in ``row`` ("" when the file or the row has no such cell)."""
    idx = header.get(key)
    return "" if idx is None or idx >= len(row) or row[idx] is None else str(row[idx]).strip()


def _rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cells) of a CSV (UTF-8 with or without BOM, or GB18030) or the first XLSX sheet."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for n, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
                yield n, list(row)
        finally:
            book.close()
        return
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ZwgkError(f"{path}: cannot decode as UTF-8 or GB18030; save the file as UTF-8 CSV")
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        yield n, row


def _header_map(cells: list[Any], source: str) -> dict[str, int]:
    norm = [str(c or "").strip().lower() for c in cells]
    out = {}
    for key, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            if alias.lower() in norm:
                out[key] = norm.index(alias.lower())
                break
    missing = [k for k in ("unit_id", "item", "score") if k not in out]
    if missing:
        raise ZwgkError(
            f"{source}:1: header must name columns unit_id, item, score[, evidence] "
            f"(or 单位编码, 项目, 得分, 证据); missing {', '.join(missing)}"
        )
    return out


def import_manual_scores(
    db: Database,
    info: RoundInfo,
    path: str | Path,
    *,
    entered_by: str = "",
    items: list[str] | None = None,
    limits: dict[str, float] | None = None,
) -> ManualImportReport:
    """Store each valid row as a manual score of round ``info``; report the others by line.

    ``items`` (the rubric's composite items) restricts the item names when given;
    ``limits`` caps an item's score below 100 (办事服务: the indicator's points earned).
    """
    path = Path(path)
    if not path.is_file():
        raise ZwgkError(f"{path}: no such file")
    report = ManualImportReport(str(path))
    members = {m.unit.unit_id for m in results.round_members(db, info.id)}
    known_items = [i for i in (items or []) if i != "website"]
    header: dict[str, int] | None = None
    for line, row in _rows(path):
        if not any(str(c or "").strip() for c in row):
            continue
        if header is None:
            header = _header_map(row, str(path))
            continue
        cells = {key: _cell(header, row, key) for key in HEADER_ALIASES}
        unit_id, item, score = cells["unit_id"], cells["item"], cells["score"]
        if not unit_id:
            report.errors.append((line, "unit_id is empty"))
            continue
        if members and unit_id not in members:
            report.errors.append((line, f"unit {unit_id!r} is not part of round {info.name!r}"))
            continue
        if known_items and item not in known_items:
            report.errors.append((line, f"unknown item {item!r}; the rubric's items are: {', '.join(known_items)}"))
            continue
        if not cells["evidence"]:
            report.errors.append((line, "evidence is empty: say what the score is based on (证据)"))
            continue
        try:
            value = float(score)
        except ValueError:  # worded as set_manual_score words it for a caller's non-number
            report.errors.append((line, f"manual score for {unit_id}/{item} must be a number 0..100, not {score!r}"))
            continue
        limit = (limits or {}).get(item)
        if limit is not None and value > limit:
            report.errors.append((line, f"{item} scores at most {limit:g} (points earned), not {score}"))
            continue
        try:
            results.set_manual_score(
                db, info.id, unit_id, item, value, cells["evidence"], cells["entered_by"] or entered_by
            )
        except ZwgkError as exc:
            report.errors.append((line, str(exc)))
            continue
        report.imported += 1
    if header is None:
        raise ZwgkError(f"{path}: the file is empty; expected a header unit_id,item,score,evidence")
    return report
