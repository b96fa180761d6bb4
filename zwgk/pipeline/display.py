"""What a round shows on the terminal: its progress while it runs, then its ranking.

Shared by ``zwgk assess`` (``zwgk.pipeline.cli``) and ``zwgk demo`` (``zwgk.pipeline.demo``).
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()


class RoundProgress:
    """A rich progress display fed by the pipeline's and crawler's events."""

    def __init__(self, console: Console, enabled: bool = True):
        self.console = console
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}
        self.pages = 0
        self.failed = 0
        self.in_flight = 0
        self.started: float | None = None  # monotonic time of the first page

    def __enter__(self) -> RoundProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def _task(self, key: str, label: str, total: int | None) -> Any:
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(label, total=total, detail="")
        return self.tasks[key]

    def __call__(self, event: dict[str, Any]) -> None:
        stage = event.get("stage") or event.get("event")
        if stage == "crawl":
            self._task("crawl", "抓取 crawl", event.get("total"))
        elif stage == "evaluate":
            self._task("eval", "评估 evaluate", event.get("total"))
        elif stage == "evaluated":
            self.progress.advance(self._task("eval", "评估 evaluate", None))
        elif stage == "site_start":
            self.in_flight = int(event.get("in_flight") or self.in_flight + 1)
            self._detail()
        elif stage in ("site_done", "site_failed", "site_skipped"):
            task = self._task("crawl", "抓取 crawl", event.get("total"))
            if stage == "site_failed":
                self.failed += 1
            if "in_flight" in event:
                self.in_flight = int(event["in_flight"])
            self.progress.advance(task)
            self._detail()
        elif stage == "page":
            if self.started is None:
                self.started = time.monotonic()
            self.pages += 1
            if self.pages % 25 == 0:
                self._detail()
        elif stage == "round" and event.get("resumed"):
            self.console.print(f"[yellow]继续未完成的轮次 resuming round {event['round']}[/]")

    def _detail(self) -> None:
        if "crawl" in self.tasks:
            elapsed = time.monotonic() - self.started if self.started is not None else 0.0
            rate = f"{self.pages / elapsed:.0f}" if elapsed > 1 else "-"
            self.progress.update(
                self.tasks["crawl"],
                detail=f"在抓 in flight {self.in_flight}  失败 failed {self.failed}  页面 pages {self.pages} ({rate}/s)",
            )


def print_ranking(scores: list[Any], title: str, limit: int | None = None, console: Console = console) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in ("名次", "单位", "层级", "类型", "得分", "结论", "绩效折算"):
        table.add_column(col)
    ordered = sorted(
        scores,
        key=lambda s: (s.tier, s.kind, s.rank if s.rank is not None else 10**9, s.unit_id),
    )
    for s in ordered[: limit or None]:
        if not s.measured:
            verdict = f"未测评 ({s.reason})"
        elif s.veto:
            verdict = "[red]单项否决[/]"
        else:
            verdict = "[green]合格[/]" if s.passed else "[red]不合格[/]"
        table.add_row(
            str(s.rank) if s.rank is not None else "-",
            s.unit_name,
            s.tier,
            "门户" if s.kind == "portal" else "部门",
            f"{s.score:.1f}" if s.score is not None else "-",
            verdict,
            f"{s.weighted:.2f}" if s.weighted is not None else "-",
        )
    console.print(table)


def report_round(result: Any, db_url: str, console: Console = console) -> None:
    if result.registry_report is not None and getattr(result.registry_report, "errors", None):
        console.print(
            f"[yellow]名录中有 {len(result.registry_report.errors)} 行无法使用 (see `zwgk registry check`)[/]"
        )
    print_ranking(result.scores, title=f"轮次 {result.name} 排名 ranking", console=console)
    console.print(
        f"单位 units {result.units}, 已测评 measured {result.crawled}, 未测评 not measured {len(result.failed)}, "
        f"问题 findings {result.findings}.  数据库 database: {db_url}"
    )
    for unit_id, reason in sorted(result.failed.items()):
        console.print(f"  [yellow]未测评[/] {unit_id}: {reason}")
