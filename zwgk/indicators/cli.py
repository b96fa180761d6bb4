"""`zwgk rules`: list the rule catalog, explain one rule, validate a rubric file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from zwgk.indicators.catalog import available_rubrics, load_rubric
from zwgk.indicators.explain import SEVERITY_ZH, explain
from zwgk.model import ZwgkError


def rules(
    code: str | None = typer.Argument(None, help="Rule code to explain, e.g. INTERP-LATE / 要解释的规则代码"),
    rubric: str = typer.Option(
        "national-2019", "--rubric", help="Rubric name or path to a rubric TOML / 评估细则名称或文件路径"
    ),
    check: Path | None = typer.Option(None, "--check", help="Validate a rubric file and exit / 校验评估细则文件"),
) -> None:
    """List rules, explain one (ruff-style), or validate a rubric file.

    列出全部规则；`zwgk rules CODE` 以中英文解释一条规则；`--check FILE` 校验评估细则文件。
    """
    try:
        if check is not None:
            loaded = load_rubric(check)
            typer.echo(
                f"OK: {check} → rubric {loaded.name!r}, {len(loaded.rules)} rules, "
                f"{len(loaded.indicators)} indicators, {len(loaded.columns)} columns, sha256 {loaded.hash[:12]}"
                f" / 校验通过"
            )
            return
        loaded = load_rubric(rubric)
        if code:
            key = code.strip().upper()
            if key not in loaded.rules:
                raise ZwgkError(
                    f"unknown rule code {code!r} in rubric {loaded.name!r} / 未知规则代码；"
                    f"run `zwgk rules` to list them: {', '.join(sorted(loaded.rules))}"
                )
            typer.echo(explain(loaded.rules[key], loaded))
            return
        table = Table(title=f"{loaded.title}（{loaded.name}）", show_lines=False)
        for col in ("代码 Code", "严重程度 Severity", "扣分 Points", "指标 Indicator", "名称 Name"):
            table.add_column(col)
        for spec in sorted(loaded.rules.values(), key=lambda s: s.code):
            ind = loaded.indicators.get(spec.indicator)
            name = f"{spec.name_zh} / {spec.name_en}" + ("" if spec.enabled else "（停用 disabled）")
            table.add_row(
                spec.code,
                f"{SEVERITY_ZH.get(spec.severity, spec.severity)} {spec.severity}",
                f"{spec.points:g}",
                escape(ind.name if ind else spec.indicator),
                escape(name),
            )
        Console(width=max(Console().width, 120)).print(table)
        typer.echo(
            f"共 {len(loaded.rules)} 条规则 / rules. `zwgk rules CODE` 查看说明 / explains one. "
            f"Rubrics: {', '.join(available_rubrics())}"
        )
    except ZwgkError as exc:
        typer.secho(f"错误 / error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    """Add `zwgk rules` to the root app."""
    app.command("rules")(rules)
