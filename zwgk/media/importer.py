"""Reading a unit's account registry and a platform's post export (CSV / XLSX).

Headers are recognised in Chinese or English (单位编码 / unit_id, 平台, 账号名称, 运营主体 …;
发布时间, 标题, 链接, 评论数, 回复数); every row is judged on its own, a bad row is reported with
its line and never costs the others their place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from zwgk.model import ZwgkError
from zwgk.registry.sources import load_table
from zwgk.storage.db import Database
from zwgk.storage.media import MediaAccount, MediaPost, add_posts, find_account, upsert_accounts

ACCOUNT_HEADERS = {
    "unit_id": ("unit_id", "单位编码", "单位代码", "单位id"),
    "platform": ("platform", "平台", "平台类型", "账号类型", "类型"),
    "name": ("name", "账号名称", "账号", "名称"),
    "operator": ("operator", "运营主体", "运营单位", "主办单位", "开设主体"),
    "account_code": ("account_id", "account_code", "账号id", "微信号", "账号编号"),
    "url": ("url", "主页", "主页地址", "账号地址", "链接"),
    "feed_url": ("feed_url", "feed", "rss", "订阅地址", "订阅源"),
    "status": ("status", "状态", "账号状态"),
}
POST_HEADERS = {
    "posted_at": ("posted_at", "发布时间", "发布日期", "时间", "日期"),
    "title": ("title", "标题", "内容", "摘要"),
    "url": ("url", "链接", "原文链接", "网址"),
    "comments": ("comments", "评论数", "留言数", "评论"),
    "replied": ("replied", "回复数", "已回复", "回复"),
    "unit_id": ACCOUNT_HEADERS["unit_id"],
    "platform": ACCOUNT_HEADERS["platform"],
    "name": ("account", "账号名称", "账号"),
}
CLOSED_WORDS = ("注销", "关停", "停用", "closed")


@dataclass(slots=True)
class ImportReport:
    path: str
    added: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.path}: added {self.added}, updated {self.updated}, rejected {len(self.errors)} rows"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def _header(
    rows: list[tuple[int, list[str]]], wanted: dict[str, tuple[str, ...]], need: tuple[str, ...], path: Path
) -> tuple[int, dict[str, int]]:
    for i, (_line, cells) in enumerate(rows[:20]):
        found: dict[str, int] = {}
        for j, cell in enumerate(cells):
            c = _norm(cell)
            for key, names in wanted.items():
                if key not in found and c in {_norm(n) for n in names}:
                    found[key] = j
        if all(k in found for k in need):
            return i, found
    raise ZwgkError(
        f"{path}: no header with the columns {', '.join(wanted[k][1] + '/' + k for k in need)} in the first 20 rows"
    )


def _cell(cells: list[str], index: dict[str, int], key: str) -> str:
    at = index.get(key)
    return "" if at is None or at >= len(cells) else str(cells[at]).strip()


def read_accounts(path: Path) -> tuple[list[MediaAccount], list[tuple[int, str]]]:
    """Accounts of a registry file and the rows refused (line, reason)."""
    path = Path(path)
    table = load_table(path)
    start, index = _header(table.rows, ACCOUNT_HEADERS, ("unit_id", "platform", "name"), path)
    accounts, errors = [], list(table.broken)
    for line, cells in table.rows[start + 1 :]:
        if not any(str(c).strip() for c in cells):
            continue
        unit, platform, name = (_cell(cells, index, k) for k in ("unit_id", "platform", "name"))
        if not unit or not platform or not name:
            errors.append((line, "单位编码、平台、账号名称 are all needed"))
            continue
        if len(name) > 200 or len(platform) > 32 or len(unit) > 64:
            errors.append((line, "a value is too long (unit ≤ 64, platform ≤ 32, name ≤ 200 characters)"))
            continue
        urls = [_cell(cells, index, k) for k in ("url", "feed_url")]
        if any(u and not u.lower().startswith(("http://", "https://")) for u in urls):
            errors.append((line, "主页 and 订阅地址 must be http(s) addresses"))
            continue
        status = _cell(cells, index, "status")
        accounts.append(
            MediaAccount(
                unit,
                platform,
                name,
                _cell(cells, index, "operator")[:200],
                _cell(cells, index, "account_code")[:200],
                urls[0][:2000],
                urls[1][:2000],
                any(w in status for w in CLOSED_WORDS),
            )
        )
    return accounts, errors


def import_accounts(db: Database, path: Path) -> ImportReport:
    accounts, errors = read_accounts(path)
    report = ImportReport(str(path), errors=errors)
    report.added, report.updated = upsert_accounts(db, accounts)
    return report


_DT = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_when(text: str) -> dt.datetime | None:
    m = _DT.search(str(text or ""))
    if not m:
        return None
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        return None


def _count(text: str) -> int:
    text = str(text or "").strip().replace(",", "")
    return int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else 0


def read_posts(path: Path) -> tuple[list[tuple[tuple[str, str, str], MediaPost]], list[tuple[int, str]]]:
    """Posts of a platform export: ((unit, platform, name) or ("", "", ""), post) and rows refused."""
    path = Path(path)
    table = load_table(path)
    start, index = _header(table.rows, POST_HEADERS, ("posted_at",), path)
    out: list[tuple[tuple[str, str, str], MediaPost]] = []
    errors = list(table.broken)
    for line, cells in table.rows[start + 1 :]:
        if not any(str(c).strip() for c in cells):
            continue
        when = parse_when(_cell(cells, index, "posted_at"))
        if when is None:
            errors.append((line, "发布时间 is not a date (write 2026-11-20 09:30)"))
            continue
        url = _cell(cells, index, "url")
        if url and not url.lower().startswith(("http://", "https://")):
            url = ""
        key = (_cell(cells, index, "unit_id"), _cell(cells, index, "platform"), _cell(cells, index, "name"))
        out.append(
            (
                key,
                MediaPost(
                    when,
                    _cell(cells, index, "title")[:500],
                    url[:2000],
                    _count(_cell(cells, index, "comments")),
                    _count(_cell(cells, index, "replied")),
                    "import",
                ),
            )
        )
    return out, errors


def import_posts(
    db: Database,
    path: Path,
    unit_id: str = "",
    platform: str = "",
    name: str = "",
    observed_until: dt.datetime | None = None,
) -> ImportReport:
    """Store an export's posts under their accounts (the file's account columns, else the options).

    ``observed_until``: how far the export covers (default: its newest post), which lets
    MEDIA-STALE judge the account up to that day.
    """
    rows, errors = read_posts(path)
    report = ImportReport(str(path), errors=errors)
    grouped: dict[tuple[str, str, str], list[MediaPost]] = {}
    for key, post in rows:
        key = (key[0] or unit_id, key[1] or platform, key[2] or name)
        grouped.setdefault(key, []).append(post)
    for key, posts in grouped.items():
        account = find_account(db, *key) if all(key) else None
        if account is None or account.id is None:
            reason = (
                f"no registered account {key[1]}:{key[2]} of unit {key[0]} "
                "(import the account list first: zwgk media import-accounts)"
            )
            report.errors.append((0, reason))
            continue
        until = observed_until or max(p.posted_at for p in posts)
        report.added += add_posts(db, account.id, posts, until)
    return report
