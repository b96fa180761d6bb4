"""``zwgk requests import|test|list`` (依申请公开 register) and ``zwgk reports show`` (年报 tables)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from zwgk.model import ZwgkError

console = Console()
DB_HELP = "Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."

requests_app = typer.Typer(
    name="requests",
    help=(
        "依申请公开台账 The units' registers of information requests: import a unit's own ledger "
        "(CSV/XLSX: 收到日期, 申请渠道, 申请人类型, 答复日期, 处理结果, 是否延期), record an inspector's channel "
        "test, list them. Rounds judge them: REQUEST-LATE (20 working days, 40 when extended, 调休-aware), "
        "REQUEST-COUNT (ledger vs the 年报's table), REQUEST-TEST."
    ),
    no_args_is_help=True,
)
reports_app = typer.Typer(
    name="reports",
    help="政府信息公开年报 The annual reports a round read: sections, format and the statistical tables as extracted.",
    no_args_is_help=True,
)


def _open(db: str | None):
    from zwgk.storage import Database

    return Database.open(db)


def _unit(database, unit_id: str):
    from zwgk.storage.registry import get_unit

    unit = get_unit(database, unit_id)
    if unit is None:
        raise ZwgkError(f"unit {unit_id!r} is not in the registry; import the registry first (zwgk registry import)")
    return unit


ROUND_HELP = (
    "Re-judge the unit in this (finished) round with the register and rescore the round; "
    "without it, rounds judged after the import use it."
)


def _rejudge(database, round_name: str | None, unit_id: str) -> None:
    """Judge ``unit_id`` again in ``round_name`` (its stored snapshot, the register as now) and rescore."""
    if not round_name:
        return
    from zwgk.app import evaluate_site, load_prepared, rescore
    from zwgk.monitor.history import probe_history
    from zwgk.storage import rounds as rounds_store

    info = rounds_store.require_round(database, round_name)
    # judged as the round judged it: with the monitoring history its rules saw
    prepared = load_prepared(database, info.id, history=probe_history)
    unit = next((u for u in prepared.units if u.unit_id == unit_id), None)
    if unit is None:
        raise ZwgkError(f"unit {unit_id!r} is not in round {round_name!r}")
    n = evaluate_site(database, prepared, unit, rounds_store.failed_sites(database, info.id))
    rescore(database, info.id, prepared.rubric)  # the one re-score path (整改, scores, ranks)
    console.print(f"重新判定 re-judged {unit_id} in round {round_name}: {n} findings; round rescored")


@requests_app.command("import")
def import_cmd(
    ledger: Path = typer.Argument(..., help="The unit's ledger (台账), CSV or XLSX."),
    unit: str = typer.Option(..., "--unit", help="单位编码 of the unit whose ledger it is."),
    by: str = typer.Option("", "--by", help="Who imports it (录入人)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and report only; store nothing."),
    round_name: str | None = typer.Option(None, "--round", help=ROUND_HELP),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """导入台账 Import a unit's ledger: it replaces the unit's applications (channel tests stay)."""
    from zwgk.disclosure.ledger import read_ledger
    from zwgk.storage.requests import add_test, replace_applications

    database = _open(db)
    _unit(database, unit)
    report = read_ledger(ledger, unit, entered_by=by)
    console.print(
        f"[bold]台账 ledger[/] {report.source} ({report.format}, header line {report.header_line}): "
        f"申请 applications {len(report.applications)} · 渠道测试 channel tests {len(report.tests)} · "
        f"跳过 skipped {report.skipped}"
    )
    for line, why in report.problems[:30]:
        console.print(f"  line {line}: {why}", highlight=False)
    if len(report.problems) > 30:
        console.print(f"  … {len(report.problems) - 30} more")
    if dry_run:
        return
    stored = replace_applications(database, unit, report.applications)
    for test in report.tests:
        add_test(database, test)
    console.print(f"已导入 stored {stored} applications and {len(report.tests)} tests for {unit}")
    _rejudge(database, round_name, unit)


@requests_app.command("test")
def test_cmd(
    unit: str = typer.Option(..., "--unit", help="单位编码."),
    sent: str = typer.Option(..., "--sent", help="Date the test application was sent / submitted (YYYY-MM-DD)."),
    channel: str = typer.Option(..., "--channel", help="信函 / 网络平台 / 当面 / 传真 / 电子邮件."),
    outcome: str = typer.Option(
        ..., "--outcome", help="What happened, e.g. 予以公开, 未收到答复, 信函被退回, 网上平台无法提交."
    ),
    reply: str | None = typer.Option(None, "--reply", help="Date of the reply, if any (YYYY-MM-DD)."),
    by: str = typer.Option("", "--by", help="The inspector."),
    round_name: str | None = typer.Option(None, "--round", help=ROUND_HELP),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """渠道测试 Record an application an inspector sent to test a channel, and its outcome."""
    from zwgk.storage.requests import InfoRequest, add_test

    def day(text: str | None, what: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ZwgkError(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None

    database = _open(db)
    _unit(database, unit)
    add_test(
        database,
        InfoRequest(
            unit_id=unit,
            kind="test",
            received=day(sent, "--sent"),
            channel=channel,
            applicant="评估人员",
            replied=day(reply, "--reply"),
            result=outcome,
            note="渠道测试",
            source="zwgk requests test",
            entered_by=by,
        ),
    )
    console.print(f"已记录 recorded a {channel} test of {unit} sent {sent}: {outcome}")
    _rejudge(database, round_name, unit)


@requests_app.command("list")
def list_cmd(
    unit: str = typer.Option(..., "--unit", help="单位编码."),
    as_of: str | None = typer.Option(None, "--as-of", help="Show each deadline's status on this date."),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """查看台账 A unit's applications and tests with their deadlines (working days, 调休-aware)."""
    from zwgk.indicators import workdays
    from zwgk.storage.requests import requests_of

    database = _open(db)
    rows = requests_of(database, unit)
    today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    out: list[dict[str, Any]] = []
    for r in rows:
        due = workdays.add_working_days(r.received, 40 if r.extended else 20) if r.received else None
        until = r.replied or today
        status = "" if due is None else ("逾期" if until > due else "按期" if r.replied else "办理中")
        out.append({**r.to_input(), "due": due.isoformat() if due else None, "status": status})
    if fmt == "json":
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{unit} 依申请公开台账 ({len(out)})")
    for col in ("类型", "编号", "收到", "渠道", "申请人", "答复", "延期", "期限", "状态", "结果"):
        table.add_column(col)
    for entry in out:
        table.add_row(
            "测试" if entry["kind"] == "test" else "申请",
            entry["ref"],
            entry["received"] or "?",
            entry["channel"],
            entry["applicant"],
            entry["replied"] or "",
            "是" if entry["extended"] else "否" if entry["extended"] is False else "?",
            entry["due"] or "",
            entry["status"],
            entry["result"],
        )
    console.print(table)


@reports_app.command("show")
def show_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    unit: str = typer.Option(..., "--unit", help="单位编码."),
    year: int | None = typer.Option(None, "--year", help="Report year (default: every year read)."),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """查看年报表格 The annual reports a round read on a unit's site, with their extracted tables."""
    from zwgk.crawlers.annual_report import REQUEST_LABELS, request_checks, review_checks
    from zwgk.indicators.rules.annual import reports_by_year
    from zwgk.storage.rounds import get_round
    from zwgk.storage.snapshot import load_snapshot

    database = _open(db)
    info = get_round(database, round_name)
    if info is None:
        raise ZwgkError(f"no round named {round_name!r}")
    snapshot = load_snapshot(database, info.id, _unit(database, unit), info.as_of)
    reports = {y: r for y, r in sorted(reports_by_year(snapshot).items()) if year is None or y == year}
    if fmt == "json":
        typer.echo(json.dumps({str(y): r for y, r in reports.items()}, ensure_ascii=False, indent=1))
        return
    if not reports:
        console.print("该轮未读到此单位的政府信息公开年报 no annual report was read on this site in this round")
    for y, r in reports.items():
        console.print(f"[bold]{y}年度[/] {r.get('title')}  {r.get('url') or r.get('page')}")
        console.print(
            f"  来源 {r.get('source')} · 格式 {r.get('template')} · 六部分标题 {''.join(r.get('sections') or [])}"
            + (f" · 无法读取：{r['unreadable']}" if r.get("unreadable") else ""),
            highlight=False,
        )
        tables = r.get("tables") or {}
        req = tables.get("requests")
        if req:
            t = Table(title="三、收到和处理政府信息公开申请情况")
            t.add_column("项目", overflow="fold")
            for col in req["columns"]:
                t.add_column(col, justify="right")
            for key, values in req["rows"].items():
                mark = " ?" if key in (req.get("unsure") or {}) else ""
                t.add_row(REQUEST_LABELS.get(key, key) + mark, *[f"{v:g}" for v in values])
            console.print(t)
            for c in request_checks(req) + review_checks(tables.get("review") or {}):
                if not c["holds"]:
                    console.print(f"  不相符: {c.get('text') or c}", highlight=False)
        if tables.get("review"):
            console.print(f"  四、复议诉讼: {' '.join(f'{v:g}' for v in tables['review']['values'])}")
        if tables.get("active"):
            console.print(
                "  二、主动公开: "
                + "；".join(f"{k} {'/'.join(f'{v:g}' for v in vs)}" for k, vs in tables["active"].items()),
                highlight=False,
            )


def register(app: typer.Typer) -> None:
    """Add ``zwgk requests …`` and ``zwgk reports …`` to the root app."""
    app.add_typer(requests_app, name="requests")
    app.add_typer(reports_app, name="reports")
