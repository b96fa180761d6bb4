"""Commands of zwgk.assess: export, review (人工核查), manual scores, rank, compare, rescore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from zwgk.model import ZwgkError

console = Console()
DB_HELP = "Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."

export_app = typer.Typer(
    help="导出 Export findings, scores, 整改清单 and 通报 (json / csv / xlsx / pdf).", no_args_is_help=True
)
review_app = typer.Typer(
    help="人工核查 Confirm or dismiss a finding with a reason; scores and ranks follow.", no_args_is_help=True
)
scores_app = typer.Typer(help="评估人员打分 Evaluator-entered 政务公开 items.", no_args_is_help=True)


def _open(db: str | None):
    from zwgk.storage import Database

    return Database.open(db)


def _round(database, name: str):
    from zwgk.storage.rounds import require_round

    return require_round(database, name)


def _rubric(info) -> Any:
    """The round's rubric (warns when the file changed since the round was run)."""
    from zwgk.indicators import load_rubric

    rubric = load_rubric((info.settings or {}).get("rubric") or info.rubric)
    if info.rubric_hash and getattr(rubric, "hash", "") and rubric.hash != info.rubric_hash:
        console.print(
            f"[yellow]注意 warning: rubric {info.rubric!r} changed since round {info.name!r} was run; "
            "rescoring with the current version[/yellow]"
        )
    return rubric


def rescore(database, info) -> list:
    """Re-derive rectification items and scores of a round (after a review or manual scores)."""
    from zwgk.app.review import rescore as rescore_round

    return rescore_round(database, info.id, _rubric(info))


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return str(x)


# ---------------------------------------------------------------- export


def _fmt_option(default: str | None = None):
    return typer.Option(default, "--format", "-f", help="json | csv | xlsx (rectification also pdf, docx)")


@export_app.command("findings")
def export_findings_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    fmt: str = _fmt_option("json"),
    out: Path = typer.Option(..., "-o", "--output", help="Output file."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit's findings."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Findings of a round. Example: zwgk export findings --round 2026-Q4 --format xlsx -o findings.xlsx"""
    from zwgk.assess.exports import export_findings

    path = export_findings(_open(db), round_name, fmt, out, unit_id=unit)
    console.print(f"已导出 exported: {path}")


@export_app.command("scores")
def export_scores_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    fmt: str = _fmt_option("json"),
    out: Path = typer.Option(..., "-o", "--output", help="Output file."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Scores and ranks of a round (xlsx adds a 统计 sheet)."""
    from zwgk.assess.exports import export_scores

    path = export_scores(_open(db), round_name, fmt, out)
    console.print(f"已导出 exported: {path}")


@export_app.command("ipv6")
def export_ipv6_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    fmt: str = _fmt_option("xlsx"),
    out: Path = typer.Option(..., "-o", "--output", help="Output file."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """IPv6支持度 of every site: the 0–100 score (weights from the rubric's ipv6 table), whether it meets the
    target, the seven indicators and the inner links that fail over IPv6 (xlsx adds a per-tier
    sheet). Example: zwgk export ipv6 --round 2026-Q4 -o ipv6.xlsx"""
    from zwgk.assess.exports import export_ipv6

    path = export_ipv6(_open(db), round_name, fmt, out)
    console.print(f"已导出 exported: {path}")


@export_app.command("unverified")
def export_unverified_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    fmt: str = _fmt_option("xlsx"),
    out: Path = typer.Option(..., "-o", "--output", help="Output file."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit's URLs."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """未能核验 URLs the round could not verify (WAF-blocked, still failing after retries, refused
    by policy): never LINK findings; check them by hand. Example: zwgk export unverified --round 2026-Q4 -o u.xlsx"""
    from zwgk.assess.exports import export_unverified

    path = export_unverified(_open(db), round_name, fmt, out, unit_id=unit)
    console.print(f"已导出 exported: {path}")


@export_app.command("rectification")
def export_rectification_cmd(
    unit: str = typer.Option(..., "--unit", help="Unit id (单位编码)."),
    round_name: str | None = typer.Option(None, "--round", help="Round name (default: the unit's newest round)."),
    fmt: str = _fmt_option("xlsx"),
    out: Path | None = typer.Option(None, "-o", "--output", help="Output file (default ./out/rectification-UNIT.FMT)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """A department's 整改清单 (its items only): xlsx | csv | json, or its 整改通知书 as pdf | docx (Word)."""
    from zwgk.assess.exports import export_rectification

    suffix = (fmt or "xlsx").lower()
    target = out or Path("out") / f"rectification-{unit}{'-' + round_name if round_name else ''}.{suffix}"
    path = export_rectification(_open(db), unit, fmt, target, round_name)
    console.print(f"已导出 exported: {path}")


@export_app.command("bulletin")
def export_bulletin_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    out: Path = typer.Option(..., "-o", "--output", help="Output file (.pdf or .docx)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="pdf | docx (Word, editable); default from the -o suffix, else pdf."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """A round's 通报 (PDF or Word): ranking, pass rate, named failures, most improved."""
    from zwgk.assess.exports import export_bulletin

    fmt = fmt or ("docx" if out.suffix.lower() == ".docx" else "pdf")
    path = export_bulletin(_open(db), round_name, out, fmt)
    console.print(f"已导出 exported: {path}")


@export_app.command("workbook")
def export_workbook_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    out: Path = typer.Option(..., "-o", "--output", help="Output xlsx."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """One xlsx for a round: scores, statistics, findings, one 整改 sheet per department."""
    from zwgk.assess.exports import export_round_workbook

    path = export_round_workbook(_open(db), round_name, out)
    console.print(f"已导出 exported: {path}")


# ---------------------------------------------------------------- review


def _review(
    decision: str,
    round_name: str,
    unit: str,
    rule: str,
    subject: str,
    reason: str,
    by: str,
    db: str | None,
    no_rescore: bool,
) -> None:
    from zwgk.app.review import review_finding

    database = _open(db)
    info = _round(database, round_name)
    change = review_finding(database, info.id, unit, rule, subject, decision, reason, by, rescore=False)
    review = change.record
    label = "已确认 confirmed" if decision == "confirmed" else "已排除 dismissed"
    console.print(f"{label}: {unit} {rule} {subject!r} — {review.reviewer}, {review.at:%Y-%m-%d %H:%M} UTC")
    if no_rescore:
        return
    scores = {s.unit_id: s for s in rescore(database, info)}
    sc = scores.get(unit)
    if sc is not None:
        console.print(f"重新计分 rescored: {sc.unit_name} 得分 {_fmt(sc.score)}，排名 {_fmt(sc.rank)}")


def _review_command(decision: str):
    def command(
        round_name: str = typer.Option(..., "--round", help="Round name."),
        unit: str = typer.Option(..., "--unit", help="Unit id."),
        rule: str = typer.Option(..., "--rule", help="Rule code, e.g. COLUMN-MISSING."),
        subject: str = typer.Option(..., "--subject", help="The finding's subject (see `zwgk export findings`)."),
        reason: str = typer.Option(..., "--reason", help="Why (required: comply-or-explain)."),
        by: str = typer.Option(..., "--by", help="Reviewer's name."),
        no_rescore: bool = typer.Option(False, "--no-rescore", help="Only record the review."),
        db: str | None = typer.Option(None, "--db", help=DB_HELP),
    ) -> None:
        _review(decision, round_name, unit, rule, subject, reason, by, db, no_rescore)

    command.__doc__ = (
        "Confirm a finding (确认问题) and rescore the round."
        if decision == "confirmed"
        else "Dismiss a finding (排除误判) with a reason and rescore the round."
    )
    return command


review_app.command("confirm")(_review_command("confirmed"))
review_app.command("dismiss")(_review_command("dismissed"))


@review_app.command("add")
def review_add_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    unit: str = typer.Option(..., "--unit", help="Unit id."),
    rule: str = typer.Option(..., "--rule", help="Rule code from `zwgk rules`, e.g. CONTENT-HIDDEN-LINK."),
    url: str = typer.Option(..., "--url", help="Where the problem was seen."),
    note: str = typer.Option(..., "--note", help="What was seen and why it is a problem (the audit reason)."),
    by: str = typer.Option(..., "--by", help="Evaluator's name."),
    veto: bool = typer.Option(False, "--veto", help="Make it a 单项否决 whatever the rule's severity."),
    points: float | None = typer.Option(None, "--points", help="Points to deduct (default: the rule's)."),
    subject: str | None = typer.Option(None, "--subject", help="The finding's subject (default: --url)."),
    screenshot: Path | None = typer.Option(None, "--screenshot", help="PNG/JPEG/GIF/WebP file kept as evidence."),
    no_rescore: bool = typer.Option(False, "--no-rescore", help="Only record the finding."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """人工添加问题 Add a finding or a veto by hand (URL, rule, note, optional screenshot); rescored.
    Example: zwgk review add --round 2026-Q4 --unit U --rule CONTENT-HIDDEN-LINK --url URL --note … --by 王五 --veto"""
    from zwgk.app.review import add_finding_by_hand

    database = _open(db)
    info = _round(database, round_name)
    change = add_finding_by_hand(
        database,
        info.id,
        _rubric(info),
        unit_id=unit,
        rule=rule,
        url=url,
        note=note,
        by=by,
        veto=veto,
        points=points,
        subject=subject,
        screenshot=screenshot,
        rescore=not no_rescore,
    )
    found = change.record
    kind = "单项否决" if found.severity == "veto" else found.severity
    console.print(
        f"已添加 added: {unit} {rule} {found.subject!r} ({kind}) — {found.added_by}, {found.at:%Y-%m-%d %H:%M} UTC"
    )
    if not no_rescore:
        sc = change.score_of(unit)
        if sc is not None:
            console.print(f"重新计分 rescored: {sc.unit_name} 得分 {_fmt(sc.score)}，排名 {_fmt(sc.rank)}")


@review_app.command("list")
def review_list_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit."),
    pending: bool = typer.Option(False, "--pending", help="Only the queue: candidates awaiting a decision."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """The review queue (待核查: findings raised on weak evidence, no deduction until
    confirmed), then every review of the round (who, when, why), oldest first.

    Confirm a candidate with `zwgk review confirm …` (it then counts: points, veto,
    整改清单) or dismiss it with `zwgk review dismiss …`.
    """
    from zwgk.storage.results import list_findings, reviews_for

    database = _open(db)
    info = _round(database, round_name)
    queue = [f for f in list_findings(database, info.id, unit) if f.needs_review]
    table = Table(title=f"待核查 review queue {info.name}: {len(queue)}")
    for col in ("单位", "规则", "问题对象", "依据不足之处", "问题描述"):
        table.add_column(col)
    for f in queue:
        cells: tuple[str, ...] = (f.unit_id, f.rule, f.subject, str(f.evidence.get("review_reason", "")), f.message)
        table.add_row(*(Text(c) for c in cells))  # crawled text: never read as rich markup
    console.print(table)
    if pending:
        return
    table = Table(title=f"人工核查记录 {info.name}")
    for col in ("时间", "单位", "规则", "问题对象", "结论", "理由", "核查人"):
        table.add_column(col)
    for r in reviews_for(database, info.id, unit):
        cells = (
            f"{r.at:%Y-%m-%d %H:%M}",
            r.unit_id,
            r.rule,
            r.subject,
            "确认" if r.decision == "confirmed" else "排除",
            r.reason,
            r.reviewer,
        )
        table.add_row(*(Text(c) for c in cells))
    console.print(table)


# ---------------------------------------------------------------- manual scores


@scores_app.command("import-manual")
def import_manual_cmd(
    file: Path = typer.Argument(..., help="CSV or XLSX with columns unit_id,item,score,evidence."),
    round_name: str = typer.Option(..., "--round", help="Round name."),
    by: str = typer.Option("", "--by", help="Evaluator's name (if the file has no entered_by column)."),
    no_rescore: bool = typer.Option(False, "--no-rescore", help="Only store the scores."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import evaluator-scored 政务公开 items (0..100 each) and 办事服务 (item services or 办事服务,
    points earned 0..25: a unit with services nobody judged is 未测评 for it), then rescore."""
    from zwgk.app.review import import_manual_scores

    database = _open(db)
    info = _round(database, round_name)
    try:
        rubric = _rubric(info)
    except ZwgkError:
        rubric = None
    report = import_manual_scores(database, info, file, by=by, rubric=rubric, rescore=False).record
    console.print(f"已导入 imported {report.imported} 行 rows from {file}")
    for line in report.lines():
        console.print(f"[red]跳过 skipped[/red] {line}")
    if report.imported and not no_rescore:
        rescore(database, info)  # the one re-score path (zwgk.app.review.rescore)
        console.print("重新计分 rescored the round")
    if report.errors:
        raise typer.Exit(1)


@scores_app.command("rescore")
def rescore_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Re-derive 整改 items, scores and ranks of a round from what storage holds."""
    database = _open(db)
    info = _round(database, round_name)
    scores = rescore(database, info)
    console.print(f"重新计分 rescored {len(scores)} units of {info.name}")


# ---------------------------------------------------------------- rank / compare


def rank_cmd(
    round_name: str = typer.Option(..., "--round", help="Round name."),
    tier: str | None = typer.Option(None, "--tier", help="Only this tier: 部委 / 省 / 市 / 县 / 乡."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """排名 The ranking of a round per tier and kind (ties share a rank; unmeasured units listed last)."""
    from zwgk.assess.tabular import KIND_ZH
    from zwgk.storage.results import list_scores

    database = _open(db)
    info = _round(database, round_name)
    scores = list_scores(database, info.id, tier=tier)
    if not scores:
        raise ZwgkError(
            f"round {info.name!r} has no scores{' for tier ' + tier if tier else ''}; "
            f"run `zwgk assess --round {info.name}` first"
        )
    table = Table(title=f"排名 ranking · {info.name}（截至 {info.as_of}）")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("排名", "right"),
        ("单位编码", "left"),
        ("单位名称", "left"),
        ("层级", "left"),
        ("类型", "left"),
        ("得分", "right"),
        ("结果", "left"),
        ("折算分", "right"),
        ("说明", "left"),
    )
    for col, just in columns:
        table.add_column(col, justify=just, overflow="fold")
    for s in scores:
        result = ("单项否决" if s.veto else "合格" if s.passed else "不合格") if s.measured else "未测评"
        style = None if s.measured and s.passed else "red" if s.measured else "dim"
        table.add_row(
            _fmt(s.rank),
            s.unit_id,
            s.unit_name,
            s.tier,
            KIND_ZH.get(s.kind, s.kind),
            _fmt(s.score),
            result,
            _fmt(s.weighted),
            s.reason,
            style=style,
        )
    console.print(table)


def compare_cmd(
    round_a: str = typer.Argument(..., help="Earlier round name."),
    round_b: str = typer.Argument(..., help="Later round name."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """对比 Round-over-round deltas per unit and per rule."""
    from zwgk.assess import compare_rounds

    database = _open(db)
    a, b = _round(database, round_a), _round(database, round_b)
    cmp = compare_rounds(database, a.id, b.id)
    units = Table(title=f"单位得分变化 {a.name} → {b.name}")
    for col in ("单位编码", "单位名称", a.name, b.name, "变化", "排名"):
        units.add_column(col)
    for u in sorted(cmp.units, key=lambda u: (u.delta is None, -(u.delta or 0), u.unit_id)):
        delta = "—" if u.delta is None else f"{u.delta:+.2f}"
        units.add_row(
            u.unit_id, u.unit_name, _fmt(u.score_a), _fmt(u.score_b), delta, f"{_fmt(u.rank_a)} → {_fmt(u.rank_b)}"
        )
    console.print(units)
    rules = Table(title="按规则问题数变化")
    for col in ("规则", a.name, b.name, "变化", "已整改", "新发现"):
        rules.add_column(col)
    for r in cmp.rules:
        rules.add_row(r.rule, str(r.count_a), str(r.count_b), f"{r.delta:+d}", str(r.fixed), str(r.new))
    console.print(rules)


def annual_cmd(
    year: int = typer.Option(..., "--year", help="The year, e.g. 2026: its finished rounds, probes, bulletins, 整改."),
    through: str | None = typer.Option(
        None, "--through", help="Evaluation date YYYY-MM-DD (default: the year's latest round)."
    ),
    rubric: str | None = typer.Option(
        None, "--rubric", help="Rubric whose [annual] weights apply (default: the latest round's)."
    ),
    tier: str | None = typer.Option(None, "--tier", help="Only this tier: 部委 / 省 / 市 / 县 / 乡."),
    fmt: str | None = typer.Option(None, "--format", "-f", help="json | csv | xlsx (with -o)."),
    out: Path | None = typer.Option(None, "-o", "--output", help="Also write the ranking to this file."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """年考核 The year's ranking rolled up from its monthly rounds (月检查), daily probes (日监测),
    quarterly bulletins (季通报) and 整改 completion, weighted by the rubric's annual weights.
    Example: zwgk annual --year 2026 -o 年度考核.xlsx"""
    import datetime as dt

    from zwgk.assess.tabular import KIND_ZH
    from zwgk.monitor.annual import COMPONENT_ZH, COMPONENTS, annual_scores, export_annual

    database = _open(db)
    try:
        end = dt.date.fromisoformat(through) if through else None
    except ValueError:
        raise ZwgkError(f"--through {through!r} is not a date; write it like 2026-12-31") from None
    loaded = None
    if rubric:
        from zwgk.indicators import load_rubric

        loaded = load_rubric(rubric)
    scores = [s for s in annual_scores(database, year, loaded, end) if tier is None or s.tier == tier]
    table = Table(title=f"{year}年度考核排名 annual ranking")
    for col in (
        "排名",
        "单位编码",
        "单位名称",
        "层级",
        "类型",
        "年度得分",
        "轮次",
        *(COMPONENT_ZH[k] for k in COMPONENTS),
        "说明",
    ):
        table.add_column(col, overflow="fold")
    for s in scores:
        table.add_row(
            _fmt(s.rank),
            s.unit_id,
            s.unit_name,
            s.tier,
            KIND_ZH.get(s.kind, s.kind),
            _fmt(s.score),
            str(s.rounds),
            *(_fmt(s.components.get(k)) for k in COMPONENTS),
            s.detail.get("note", ""),
            style=None if s.score is not None else "dim",
        )
    if scores:
        from zwgk.monitor.annual import annual_weights, rubric_of_year

        weights, _ = annual_weights(loaded if loaded is not None else rubric_of_year(database, year, end))
        console.print(table)
        console.print(
            "权重 weights: "
            + "，".join(f"{COMPONENT_ZH[k]} {weights.get(k, 0):.0%}" for k in COMPONENTS)
            + "（某项无数据的单位按其余项折算）"
        )
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        path = export_annual(
            database, year, fmt or (suffix if suffix in ("json", "csv", "xlsx") else "xlsx"), out, loaded, end
        )
        console.print(f"已导出 wrote {path}")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root zwgk app."""
    app.add_typer(export_app, name="export")
    app.add_typer(review_app, name="review")
    app.add_typer(scores_app, name="scores")
    app.command("rank")(rank_cmd)
    app.command("compare")(compare_cmd)
    app.command("annual")(annual_cmd)


__all__ = ["register", "rescore"]
