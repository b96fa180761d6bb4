"""``zwgk registry import|check|list``: bring a site registry in, validate it, look at it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from zwgk.registry.report import RegistryReport, summarise_errors

console = Console()

registry_app = typer.Typer(
    name="registry",
    help=(
        "Site registry (网站名录): import a CSV/XLSX list of units and their websites — canonical "
        "columns or the national export (网站标识码, 网站名称, 首页网址 …) as it is. See docs/registry.md."
    ),
    no_args_is_help=True,
)

_SHOWN = 15  # normalisations/warnings shown without --details
_REJECTED_SHOWN = 20  # rejected rows (and kinds of reason) shown without --details


def _write_json(report: RegistryReport, path: Path | None) -> None:
    if path is None:
        return
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"报告 report written to {path}")


def _print_report(report: RegistryReport, details: bool, wrote: bool) -> None:
    console.print(
        f"[bold]名录 registry[/] {report.source}  "
        f"({report.format}; {report.layout} layout, header line {report.header_line})"
    )
    verb = "导入 imported" if wrote else "可导入 importable"
    console.print(
        f"读取 rows read {report.rows} · {verb} {report.imported} · "
        f"拒绝 rejected {report.rejected} · 推断层级/类型 inferred tier/kind {report.inferred} · "
        f"已规范化 normalised {len({line for line, _ in report.normalised})} rows"
    )
    if wrote:
        console.print(
            f"数据库 database: 新增 added {report.added} · 更新 updated {report.updated} · "
            f"未变 unchanged {report.unchanged}"
        )
    for title, items in (("规范化 normalised", report.normalised), ("提示 warnings", report.warnings)):
        if not items:
            continue
        shown = items if details else items[:_SHOWN]
        console.print(f"[bold]{title}[/] ({len(items)})")
        for line, what in shown:
            console.print(f"  line {line}: {what}", highlight=False, soft_wrap=True)
        if len(shown) < len(items):
            console.print(f"  … {len(items) - len(shown)} more (use --details)")
    if report.errors:
        _print_rejected(report, details)


def _print_rejected(report: RegistryReport, details: bool) -> None:
    """Every rejected row with --details; otherwise counts by reason and the first rows.

    A damaged file can reject millions of rows: printing each would flood the terminal.
    """
    shown = report.errors if details else report.errors[:_REJECTED_SHOWN]
    if len(shown) < len(report.errors):
        summary = Table(title=f"拒绝原因 rejected rows by reason ({report.rejected})", show_lines=False)
        summary.add_column("行数 rows", justify="right", no_wrap=True)
        summary.add_column("首行 first line", justify="right", no_wrap=True)
        summary.add_column("原因 reason")
        for kind, count, first in summarise_errors(report.errors)[:_REJECTED_SHOWN]:
            summary.add_row(str(count), str(first), kind)
        console.print(summary)
    table = Table(title=f"拒绝的行 rejected rows ({report.rejected})", show_lines=False)
    table.add_column("行 line", justify="right", no_wrap=True)
    table.add_column("原因 reason")
    for error in shown:
        table.add_row(f"line {error.line}", error.reason)
    console.print(table)
    if len(shown) < len(report.errors):
        console.print(f"  … {len(report.errors) - len(shown)} more rejected rows (use --details, or --json FILE)")


@registry_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Registry file: CSV (UTF-8 or GB18030) or XLSX."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
    ),
    details: bool = typer.Option(
        False, "--details", help="List every rejected row, normalisation and warning, not only the first ones."
    ),
    json_out: Path | None = typer.Option(
        None, "--json", help="Also write the report (rejected rows, fixes, warnings) as JSON here."
    ),
) -> None:
    """Import units; re-importing the same file changes nothing.

    Rejected rows are listed with their line numbers and reasons; the exit code
    is 0 when at least one row was imported, 2 when nothing could be.
    """
    from zwgk.registry.importer import import_registry
    from zwgk.storage import Database

    database = Database.open(db)
    try:
        report = import_registry(database, file)
    finally:
        database.dispose()
    _print_report(report, details, wrote=True)
    _write_json(report, json_out)
    if not report.units:
        console.print("[red]没有可导入的行 nothing importable[/]")
        raise typer.Exit(2)


@registry_app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="Registry file to validate (nothing is written)."),
    details: bool = typer.Option(False, "--details", help="List every rejected row, normalisation and warning."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the report as JSON here."),
) -> None:
    """Validate a registry without writing anything: the same report as import."""
    from zwgk.registry.reader import read_registry

    report = read_registry(file)
    _print_report(report, details, wrote=False)
    _write_json(report, json_out)
    if not report.units:
        console.print("[red]没有可导入的行 nothing importable[/]")
        raise typer.Exit(2)


@registry_app.command("list")
def list_command(
    db: str | None = typer.Option(None, "--db", help="Database URL or SQLite path."),
    tier: str | None = typer.Option(
        None, "--tier", help="Only this tier: 部委/省/市/县/乡 (or ministry/province/city/county/township)."
    ),
    limit: int = typer.Option(0, "--limit", help="Show at most this many units (0: all)."),
) -> None:
    """List the units in the database."""
    from zwgk.model import ZwgkError
    from zwgk.registry.columns import parse_tier
    from zwgk.storage import Database
    from zwgk.storage.registry import list_units

    wanted = None
    if tier:
        wanted = parse_tier(tier)
        if wanted is None:
            raise ZwgkError(f"--tier {tier!r}: choose one of 部委/省/市/县/乡")
    database = Database.open(db)
    try:
        units = list_units(database, tier=wanted)
    finally:
        database.dispose()
    table = Table(title=f"单位 units ({len(units)})")
    for column in ("unit_id", "单位 name", "层级 tier", "类型 kind", "地区 region", "上级 parent", "网站 site_url"):
        table.add_column(column, overflow="fold")
    for unit in units[: limit or None]:
        table.add_row(
            unit.unit_id,
            unit.name,
            unit.tier,
            "门户" if unit.kind == "portal" else "部门",
            unit.region,
            unit.parent_id or "",
            unit.site_url,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``zwgk registry …`` to the root app."""
    app.add_typer(registry_app, name="registry")
