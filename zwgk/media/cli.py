"""``zwgk media …``: the units' 政务新媒体 account registry, post exports and feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from zwgk.model import ZwgkError

console = Console()
DB_HELP = "Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
media_app = typer.Typer(
    help="政务新媒体 Account registry (CSV/XLSX), posts from platform exports or RSS/Atom feeds.", no_args_is_help=True
)


def _open(db: str | None):
    from zwgk.storage import Database

    return Database.open(db)


def _report(report) -> None:
    console.print(report.summary())
    for line, reason in report.errors[:50]:
        console.print(f"  [yellow]{'第' + str(line) + '行' if line else ''} {reason}[/yellow]")


@media_app.command("import-accounts")
def import_accounts_cmd(
    path: Path = typer.Argument(
        ..., help="CSV/XLSX: 单位编码, 平台, 账号名称, 运营主体, 主页, 订阅地址 (RSS/Atom), 状态."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import (or update) the units' account registry. 状态 已注销/关停 marks an account closed."""
    from zwgk.media import import_accounts

    _report(import_accounts(_open(db), path))


@media_app.command("import-posts")
def import_posts_cmd(
    path: Path = typer.Argument(..., help="A platform's post export (CSV/XLSX): 发布时间, 标题, 链接, 评论数, 回复数."),
    unit: str = typer.Option("", "--unit", help="Account's unit (when the file has no 单位编码 column)."),
    platform: str = typer.Option("", "--platform", help="Account's platform (when the file has no 平台 column)."),
    name: str = typer.Option("", "--name", help="Account name (when the file has no 账号名称 column)."),
    through: str | None = typer.Option(
        None, "--through", help="The export covers posts up to this date (YYYY-MM-DD; default its newest post)."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import posts from a platform's own export (no login scraping). Example:
    zwgk media import-posts 公众号导出.xlsx --unit 3609220011 --platform 微信公众号 --name 万载发布 --through 2026-11-19"""
    from zwgk.media import import_posts

    until = None
    if through:
        try:
            until = dt.datetime.combine(dt.date.fromisoformat(through), dt.time(23, 59))
        except ValueError:
            raise ZwgkError(f"--through {through!r} is not a date; write it like 2026-11-19") from None
    _report(import_posts(_open(db), path, unit, platform, name, until))


@media_app.command("fetch")
def fetch_cmd(
    unit: str | None = typer.Option(None, "--unit", help="Only this unit's accounts."),
    resolver: str | None = typer.Option(None, "--resolver", help="DNS server HOST:PORT for every lookup."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Permit loopback/private targets (site farm)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Fetch every open account's RSS/Atom feed (or, without one, check its page still exists)
    through the crawler's fetcher and SSRF policy; 404/410 or a vanished domain marks it gone."""
    from zwgk.crawlers import CrawlSettings
    from zwgk.media import fetch_feeds

    results = fetch_feeds(_open(db), CrawlSettings(resolver=resolver, allow_private=allow_private), unit)
    table = Table(title="政务新媒体订阅源 feeds")
    for col in ("账号", "结果", "说明", "新增发布"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.account, {"ok": "正常", "gone": "已不存在", "unverified": "未能核验"}[r.status], r.detail, str(r.posts)
        )
    console.print(table)


@media_app.command("list")
def list_cmd(
    unit: str | None = typer.Option(None, "--unit", help="Only this unit's accounts."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """The registered accounts with their last check."""
    from zwgk.storage.media import list_accounts

    table = Table(title="政务新媒体账号清单")
    for col in ("单位编码", "平台", "账号名称", "运营主体", "状态", "检查", "发布记录截至"):
        table.add_column(col, overflow="fold")
    for a in list_accounts(_open(db), unit):
        table.add_row(
            a.unit_id,
            a.platform,
            a.name,
            a.operator,
            "已注销" if a.closed else "在用",
            f"{a.check_status} {a.check_detail}".strip(),
            a.observed_until.isoformat() if a.observed_until else "—",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(media_app, name="media")
