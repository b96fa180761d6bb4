"""Exports Chinese offices use: JSON (machines), CSV (UTF-8 with BOM), XLSX, PDF.

- JSON: the public schema of the walking skeleton (findings: unit_id, site, rule,
  subject, page, severity, points, evidence{}, message, fix + review fields;
  scores: unit_id, unit_name, tier, kind, score, veto, passed, weight, weighted,
  rank, measured, reason …).
- CSV: ``utf-8-sig`` so Excel on Chinese Windows opens it; every text cell goes
  through :func:`neutralise`.
- XLSX (xlsxwriter): strings are written with ``write_string`` (never parsed as
  formulas), hyperlinks only for http(s) URLs, frozen header row, set widths.
- PDF: :mod:`zwgk.assess.pdf` (整改通知书, 通报).

All formats of one round come from the same records (:mod:`zwgk.assess.tabular`).
Files are written to a temporary name and renamed, so a failed export never
leaves a half-written file where the old one was.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zwgk.assess.tabular import (
    FINDING_COLUMNS,
    IPV6_COLUMNS,
    RECTIFICATION_COLUMNS,
    RULE_STAT_COLUMNS,
    SCORE_COLUMNS,
    STAT_COLUMNS,
    Column,
    cell_text,
    cells,
    find_round,
    finding_records,
    ipv6_records,
    neutralise,
    rectification_records,
    rule_statistics,
    score_records,
    score_statistics,
)
from zwgk.model import ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database

__all__ = [
    "export_bulletin",
    "export_findings",
    "export_ipv6",
    "export_rectification",
    "export_round_workbook",
    "export_scores",
    "neutralise",
]

FORMATS = ("json", "csv", "xlsx")
ABOUT_COLUMNS = (Column("k", "项目", 12), Column("v", "内容", 70))
MAX_URL = 2079  # Excel's limit for a hyperlink target


def check_format(fmt: str, allowed: Sequence[str]) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in allowed:
        raise ZwgkError(f"unknown export format {fmt!r}; choose one of: {', '.join(allowed)}")
    return fmt


def _tmp(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _finish(tmp: Path, path: Path) -> Path:
    os.replace(tmp, path)
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def write_json(path: Path, records: Any) -> Path:
    path = Path(path)
    tmp = _tmp(path)
    tmp.write_text(json.dumps(records, ensure_ascii=False, indent=2, default=_json_default), encoding="utf-8")
    return _finish(tmp, path)


def write_csv(path: Path, columns: Sequence[Column], records: Sequence[dict[str, Any]]) -> Path:
    """UTF-8 with BOM, header of Chinese titles, neutralised cells."""
    path = Path(path)
    tmp = _tmp(path)
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c.title for c in columns])
        for rec in records:
            w.writerow(cells(columns, rec))
    return _finish(tmp, path)


# ---------------------------------------------------------------- xlsx


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤31 chars, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", text).strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _is_http(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://")) and len(value) <= MAX_URL


MAX_URLS_PER_SHEET = 65_000  # Excel's hard limit is 65,530 hyperlinks per worksheet


class SafeWorkbook:
    """A thin xlsxwriter workbook that writes every table the same safe way."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.path = Path(path)
        self.tmp = _tmp(self.path)
        self.wb = xlsxwriter.Workbook(
            str(self.tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "constant_memory": True,
            },  # rows are written in order: memory stays flat for national rounds
        )
        self.taken: set[str] = set()
        self.urls: dict[str, int] = {}  # hyperlinks written per worksheet (Excel allows 65,530)
        self.header = self.wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.text = self.wb.add_format({"text_wrap": False, "valign": "top"})
        self.link = self.wb.add_format({"font_color": "blue", "underline": 1, "valign": "top"})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})

    def table(
        self,
        name: str,
        columns: Sequence[Column],
        records: Sequence[dict[str, Any]],
        *,
        title: str = "",
        note: str = "",
    ) -> str:
        ws = self.wb.add_worksheet(sheet_name(name, self.taken))
        row = 0
        if title:
            ws.write_string(row, 0, neutralise(title), self.title)
            row += 1
        if note:
            ws.write_string(row, 0, neutralise(note))
            row += 1
        head = row
        for col, c in enumerate(columns):
            ws.write_string(head, col, c.title, self.header)
            ws.set_column(col, col, c.width)
        for rec in records:
            row += 1
            for col, (c, value) in enumerate(zip(columns, cells(columns, rec))):
                self._cell(ws, row, col, c, value)
        ws.freeze_panes(head + 1, 0)
        if records:
            ws.autofilter(head, 0, row, len(columns) - 1)
        return ws.name

    def _cell(self, ws, row: int, col: int, column: Column, value: Any) -> None:
        if value is None or value == "":
            ws.write_blank(row, col, None)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "否", self.text)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value)
        elif column.link and _is_http(value) and self.urls.get(ws.name, 0) < MAX_URLS_PER_SHEET:
            # only http(s) targets become links; anything else (javascript:, file:, mailto:) stays text,
            # and so do links past Excel's per-sheet limit (a national findings sheet has more)
            if ws.write_url(row, col, value, self.link, string=value) != 0:
                ws.write_string(row, col, value, self.text)
            else:
                self.urls[ws.name] = self.urls.get(ws.name, 0) + 1
        else:
            ws.write_string(row, col, str(value), self.text)

    def close(self) -> Path:
        self.wb.close()
        return _finish(self.tmp, self.path)


# ---------------------------------------------------------------- public exports


def export_findings(db: Database, round_name: str, fmt: str, path: str | Path, unit_id: str | None = None) -> Path:
    """Findings of round ``round_name`` (optionally one unit) as json / csv / xlsx."""
    fmt = check_format(fmt, FORMATS)
    info = find_round(db, round_name)
    records = finding_records(db, info, unit_id)
    path = Path(path)
    if fmt == "json":
        return write_json(path, records)
    if fmt == "csv":
        return write_csv(path, FINDING_COLUMNS, records)
    book = SafeWorkbook(path)
    book.table("问题清单", FINDING_COLUMNS, records)
    book.table("按规则统计", RULE_STAT_COLUMNS, rule_statistics(records))
    return book.close()


def export_scores(db: Database, round_name: str, fmt: str, path: str | Path) -> Path:
    """Scores and ranks of round ``round_name`` as json / csv / xlsx (xlsx adds a 统计 sheet)."""
    fmt = check_format(fmt, FORMATS)
    info = find_round(db, round_name)
    records = score_records(db, info)
    path = Path(path)
    if fmt == "json":
        return write_json(path, records)
    if fmt == "csv":
        return write_csv(path, SCORE_COLUMNS, records)
    book = SafeWorkbook(path)
    book.table(
        "得分排名",
        SCORE_COLUMNS,
        records,
    )
    book.table("统计", STAT_COLUMNS, score_statistics(results.list_scores(db, info.id)))
    return book.close()


def export_rectification(db: Database, unit_id: str, fmt: str, path: str | Path, round_name: str | None = None) -> Path:
    """One unit's 整改清单 (that unit's items only) as xlsx / csv / json, or its
    整改通知书 as pdf / docx.

    ``round_name`` None → the unit's newest round.
    """
    fmt = check_format(fmt, ("xlsx", "csv", "pdf", "docx", "json"))
    info, records, note = rectification_records(db, unit_id, round_name)
    path = Path(path)
    if fmt == "json":
        return write_json(path, records)
    if fmt == "csv":
        return write_csv(path, RECTIFICATION_COLUMNS, records)
    if fmt == "pdf":
        from zwgk.assess.pdf import rectification_notice

        return rectification_notice(db, unit_id, info, records, note, path)
    if fmt == "docx":
        from zwgk.assess.word import rectification_notice_docx

        return rectification_notice_docx(db, unit_id, info, records, note, path)
    book = SafeWorkbook(path)
    unit = results.unit_names(db, [unit_id])[unit_id]
    book.table("整改清单", RECTIFICATION_COLUMNS, records)
    about: list[dict[str, Any]] = [
        {"k": "单位", "v": f"{unit.name}（{unit.unit_id}）"},
        {"k": "网站", "v": unit.site_url},
        {"k": "评估轮次", "v": f"{info.name}（截至 {info.as_of.isoformat()}）" if info else "—"},
        {"k": "整改项数", "v": len(records)},
        {"k": "整改期限", "v": "、".join(sorted({r["deadline"] for r in records})) or "—"},
        {"k": "说明", "v": note or "按扣分影响排序（单项否决优先，其次扣分多者）；下一轮检查逐项复核。"},
    ]
    book.table("说明", ABOUT_COLUMNS, about)
    return book.close()


def export_round_workbook(db: Database, round_name: str, path: str | Path) -> Path:
    """One workbook for a round: 得分排名, 统计, 问题清单, 按规则统计, then one 整改 sheet per department."""
    info = find_round(db, round_name)
    scores = results.list_scores(db, info.id)
    findings = finding_records(db, info)
    book = SafeWorkbook(Path(path))
    book.table("得分排名", SCORE_COLUMNS, score_records(db, info))
    book.table("统计", STAT_COLUMNS, score_statistics(scores))
    book.table("问题清单", FINDING_COLUMNS, findings)
    book.table("按规则统计", RULE_STAT_COLUMNS, rule_statistics(findings))
    v6 = ipv6_records(db, info)
    if v6:
        book.table("IPv6支持度", IPV6_COLUMNS, v6, note=_IPV6_NOTE)
    for sc in scores:
        if sc.kind != "department":
            continue
        _, records, _note = rectification_records(db, sc.unit_id, info.name)
        if not records:
            continue
        book.table(f"整改-{sc.unit_id}", RECTIFICATION_COLUMNS, records)
    return book.close()


IPV6_TIER_COLUMNS: tuple[Column, ...] = (
    Column("tier", "层级", 8),
    Column("sites", "网站数", 8),
    Column("scored", "已评分", 8),
    Column("mean", "平均支持度", 10),
    Column("at_target", "达标数", 8),
    Column("share_at_target", "达标率", 8),
)
_IPV6_NOTE = (
    "IPv6支持度按七项指标计分（0–100，权重见评分细则 [ipv6]）；各指标列为该项得分比例（0–1），"
    "空白为未能测量；“IPv6无法访问的内链”为抽样中经IPv4可打开、经IPv6无法打开的二级/三级链接。"
)


def export_ipv6(db: Database, round_name: str, fmt: str, path: str | Path) -> Path:
    """Every site's IPv6 support degree: score, target met, the seven indicators and the inner
    links that fail over IPv6, as json / csv / xlsx (xlsx adds a per-tier sheet)."""
    from zwgk.indicators.ipv6_support import tier_summary

    fmt = check_format(fmt, FORMATS)
    info = find_round(db, round_name)
    records = ipv6_records(db, info)
    path = Path(path)
    if fmt == "json":
        return write_json(path, records)
    if fmt == "csv":
        return write_csv(path, IPV6_COLUMNS, records)
    book = SafeWorkbook(path)
    book.table("IPv6支持度", IPV6_COLUMNS, records, note=_IPV6_NOTE)
    by_tier = tier_summary((r["tier"], r["ipv6_score"], r["target"]) for r in records)
    book.table("分层级", IPV6_TIER_COLUMNS, by_tier)
    return book.close()


UNVERIFIED_COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "单位编码", 14),
    Column("unit_name", "单位名称", 22),
    Column("url", "未能核验的网址", 40, link=True),
    Column("kind", "类型", 10),
    Column("outcome", "结果", 10),
    Column("outcome_zh", "说明", 26),
    Column("status", "HTTP状态", 9),
    Column("error", "错误", 30),
    Column("linked_from", "链接来源页面", 40),
    Column("fetched_at", "访问时间", 18),
)

_OUTCOME_ZH = {
    "blocked": "被拦截（防火墙/需验证），需人工核验",
    "transient": "多次重试仍超时或5xx，需人工核验",
    "skipped": "按安全策略未访问（内网/私有地址等）",
}


def export_unverified(db: Database, round_name: str, fmt: str, path: str | Path, unit_id: str | None = None) -> Path:
    """URLs the round could not verify (blocked / transient / skipped): never LINK findings,
    listed so an evaluator can check them by hand."""
    from zwgk.storage.snapshot import unverified_fetches

    fmt = check_format(fmt, FORMATS)
    info = find_round(db, round_name)
    names = {m.unit.unit_id: m.unit.name for m in results.round_members(db, info.id)}
    records = [
        {**r, "unit_name": names.get(r["unit_id"], ""), "outcome_zh": _OUTCOME_ZH.get(r["outcome"], "")}
        for r in unverified_fetches(db, info.id, unit_id)
    ]
    path = Path(path)
    if fmt == "json":
        return write_json(path, records)
    if fmt == "csv":
        return write_csv(path, UNVERIFIED_COLUMNS, records)
    book = SafeWorkbook(path)
    book.table(
        "未能核验",
        UNVERIFIED_COLUMNS,
        records,
        note="以下网址本轮未能核验（被拦截、重试后仍失败或按策略未访问），不计入链接类问题，请人工核验。",
    )
    return book.close()


def export_bulletin(db: Database, round_name: str, path: str | Path, fmt: str = "pdf") -> Path:
    """The round's 通报 as PDF (ranking, pass rate, named failures, most improved, chart)
    or as an editable Word document (docx)."""
    fmt = check_format(fmt, ("pdf", "docx"))
    if fmt == "docx":
        from zwgk.assess.word import bulletin_docx

        return bulletin_docx(db, find_round(db, round_name), Path(path))
    from zwgk.assess.pdf import bulletin

    return bulletin(db, find_round(db, round_name), Path(path))


def display(key: str, value: Any) -> Any:
    """The cell text of a record value, for readers comparing formats (tests, dashboard)."""
    return neutralise(cell_text(key, value))
