"""A rich progress display for a crawl: sites done / in flight / failed, pages/s, ETA.

Feed it the crawler's progress events (``crawl_round(..., progress=display)``);
it is also usable as a plain counter without a terminal (``CrawlStats``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


@dataclass(slots=True)
class CrawlStats:
    """Counters kept from progress events (what the display shows)."""

    total: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    in_flight: int = 0
    pages: int = 0
    started: float = field(default_factory=time.monotonic)
    outcomes: dict[str, int] = field(default_factory=dict)

    def update(self, event: dict[str, Any]) -> None:
        stage = event.get("stage")
        if event.get("total") is not None and stage in (
            "crawl_start",
            "site_start",
            "site_done",
            "site_failed",
            "site_skipped",
        ):
            self.total = int(event["total"])
        if stage == "site_start":
            self.in_flight += 1
        elif stage == "site_done":
            self.done += 1
            self.in_flight = max(0, self.in_flight - 1)
        elif stage == "site_failed":
            self.failed += 1
            self.in_flight = max(0, self.in_flight - 1)
        elif stage == "site_skipped":
            self.skipped += 1
        elif stage == "page":
            self.pages += 1
            outcome = event.get("outcome", "")
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    @property
    def pages_per_second(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.pages / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        return (
            f"完成 done {self.done}  进行中 in flight {self.in_flight}  失败 failed {self.failed}  "
            f"跳过 skipped {self.skipped}  页面 pages {self.pages} ({self.pages_per_second:.0f}/s)"
        )


class CrawlProgress:
    """``with CrawlProgress(console) as show: crawl_round(..., progress=show)``."""

    def __init__(self, console: Console | None = None, enabled: bool = True, refresh_every: int = 20):
        self.stats = CrawlStats()
        self.refresh_every = refresh_every
        self.progress = Progress(
            TextColumn("[bold]抓取 crawl"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
        )
        self.task: Any = None

    def __enter__(self) -> CrawlProgress:
        self.progress.__enter__()
        self.task = self.progress.add_task("crawl", total=None, detail="")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._refresh()
        self.progress.__exit__(*exc)

    def __call__(self, event: dict[str, Any]) -> None:
        self.stats.update(event)
        if event.get("stage") != "page" or self.stats.pages % self.refresh_every == 0:
            self._refresh()

    def _refresh(self) -> None:
        if self.task is None:
            return
        s = self.stats
        self.progress.update(
            self.task,
            total=s.total or None,
            completed=s.finished,
            detail=f"进行中 {s.in_flight}  失败 {s.failed}  页面 {s.pages}  {s.pages_per_second:.0f} 页/s",
        )
