"""The engine: runs a round's site crawls with bounded concurrency, resumably.

Scrapy's split in our own small code: the engine (this module) hands sites to
a fixed pool of workers (``sites_in_flight``, which bounds memory); each site
has its spider/scheduler (``site.SiteCrawler``); all share one downloader
(``fetcher.Fetcher``: one connection pool, per-host slots); results go through
the pipeline (``pipeline.SnapshotWriter``) to the database as they come.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zwgk.columns import ColumnVocabulary
from zwgk.crawlers.fetcher import Fetcher, budget_left, site_deadline
from zwgk.crawlers.outage import (
    OUTAGE_PREFIX,
    OutageGuard,
    confirm_unreachable,
    outage_reason,
    partial_crawl_outage,
)
from zwgk.crawlers.pipeline import SnapshotWriter
from zwgk.crawlers.settings import CrawlSettings
from zwgk.crawlers.site import SiteCrawler, homepage_url
from zwgk.model import Unit
from zwgk.storage import snapshot
from zwgk.storage.db import Database

ProgressFn = Callable[[dict[str, Any]], None]
DONE_STATES = ("crawled", "evaluated")


@dataclass(slots=True)
class CrawlSummary:
    """What a ``crawl_round`` call did (sites already crawled before count as skipped)."""

    crawled: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    pages: int = 0
    requests: int = 0
    elapsed_s: float = 0.0
    outage: list[str] = field(default_factory=list)  # assessor-side outages met (sites unverified)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed_s if self.elapsed_s > 0 else 0.0


def crawl_round(
    db: Database,
    round_id: int,
    units: list[Unit],
    settings: CrawlSettings,
    column_synonyms: ColumnVocabulary | dict[str, list[str]],
    progress: ProgressFn | None = None,
    archive: Any = None,
) -> CrawlSummary:
    """Crawl every unit's site into round ``round_id``'s snapshot (resumable).

    Sites already ``crawled`` in this round are skipped; a site left
    ``crawling`` (the process was killed) or ``failed`` is reset and crawled
    again from scratch, so a resumed round has no duplicates.  ``archive``:
    a ``zwgk.archive`` recorder or replayer (the caller opens it: ``zwgk.app.crawl_prepared``
    per ``settings.archive``, so the crawler never imports the archive); None records nothing.
    """
    coro = crawl_round_async(db, round_id, units, settings, column_synonyms, progress, archive)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from inside an event loop (e.g. a notebook): run in a helper thread.
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 — nothing is swallowed: re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=runner, name="zwgk-crawl")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


async def crawl_round_async(
    db: Database,
    round_id: int,
    units: list[Unit],
    settings: CrawlSettings,
    column_synonyms: ColumnVocabulary | dict[str, list[str]],
    progress: ProgressFn | None = None,
    archive: Any = None,
) -> CrawlSummary:
    emit = _safe(progress)
    started = time.monotonic()
    summary = CrawlSummary()
    writer = SnapshotWriter(db, archive)
    if isinstance(column_synonyms, ColumnVocabulary):
        matcher = column_synonyms
    else:  # names only (no key terms): the older interface
        matcher = ColumnVocabulary.from_synonyms(column_synonyms, settings.column_match_cutoff)
    try:
        states = await writer.call(snapshot.site_states, round_id)
        todo: list[Unit] = []
        for unit in units:
            state = states.get(unit.unit_id)
            if state in DONE_STATES:
                summary.skipped.append(unit.unit_id)
                emit({"stage": "site_skipped", "unit_id": unit.unit_id, "total": len(units)})
                continue
            if state in ("crawling", "failed"):
                await writer.call(snapshot.reset_site, round_id, unit.unit_id)
            todo.append(unit)
        emit({"stage": "crawl_start", "total": len(units), "todo": len(todo)})
        queue: asyncio.Queue[Unit] = asyncio.Queue()
        for unit in todo:
            queue.put_nowait(unit)
        in_flight = {"n": 0}
        async with archive.fetcher(settings) if archive is not None else Fetcher(settings) as fetcher:
            fetcher.guard = OutageGuard(fetcher, settings)

            async def worker() -> None:
                while True:
                    try:
                        unit = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    in_flight["n"] += 1
                    try:
                        await _crawl_site(
                            db, writer, fetcher, round_id, unit, settings, matcher, summary, emit, len(units), in_flight
                        )
                    finally:
                        in_flight["n"] -= 1

            workers = [asyncio.create_task(worker()) for _ in range(min(settings.sites_in_flight, max(len(todo), 1)))]
            await asyncio.gather(*workers)
            summary.requests = fetcher.requests
            summary.outage = list(fetcher.guard.detected)
            if summary.outage:
                failed = summary.failed.items()
                unverified = sorted(u for u, r in failed if r.startswith(OUTAGE_PREFIX))
                emit({"stage": "outage", "reasons": summary.outage, "unverified": unverified})
    finally:
        writer.close()
    summary.elapsed_s = time.monotonic() - started
    emit(
        {"stage": "crawl_done", "crawled": len(summary.crawled), "failed": len(summary.failed), "pages": summary.pages}
    )
    return summary


async def _crawl_site(
    db: Database,
    writer: SnapshotWriter,
    fetcher: Fetcher,
    round_id: int,
    unit: Unit,
    settings: CrawlSettings,
    matcher: ColumnVocabulary,
    summary: CrawlSummary,
    emit: ProgressFn,
    total: int,
    in_flight: dict[str, int],
) -> None:
    home = homepage_url(unit.site_url)
    await writer.call(snapshot.begin_site, round_id, unit.unit_id, home)
    emit({"stage": "site_start", "unit_id": unit.unit_id, "url": home, "in_flight": in_flight["n"], "total": total})
    site_writer = writer.for_site(round_id, unit.unit_id, settings.write_batch)
    try:
        started = time.monotonic()
        with site_deadline(settings.site_budget_s):
            previous = await writer.call(snapshot.previous_pages, round_id, unit.unit_id)
            crawler = SiteCrawler(fetcher, site_writer, unit, settings, matcher, previous, emit)
            result = await crawler.run()
            await site_writer.flush()
            home_probe = result.probes.get("home") or {}
            fetcher.guard.note_home(home, home_probe)
            if result.state == "failed" and home_probe.get("outcome") in ("broken", "transient"):
                verdict = await confirm_unreachable(fetcher, fetcher.guard, home, home_probe, settings)
                if verdict.opened:  # it was a passing failure: crawl the site properly
                    await writer.call(snapshot.reset_site, round_id, unit.unit_id)
                    await writer.call(snapshot.begin_site, round_id, unit.unit_id, home)
                    site_writer = writer.for_site(round_id, unit.unit_id, settings.write_batch)
                    crawler = SiteCrawler(fetcher, site_writer, unit, settings, matcher, previous, emit)
                    result = await crawler.run()
                    await site_writer.flush()
                    home_probe = result.probes.get("home") or {}
                home_probe["checks"] = verdict.checks
                if verdict.outage:
                    home_probe["outage"] = verdict.outage
                    result.reason = outage_reason(verdict.outage)
                result.probes["home"] = home_probe
            if result.state == "crawled":
                cut = await partial_crawl_outage(fetcher.guard, started, result.stats)
                if cut:  # the snapshot is cut short by our outage: judge nothing of it
                    home_probe["outage"] = cut
                    result.probes["home"] = home_probe
                    result.state, result.reason = "failed", outage_reason(cut)
            left = budget_left()
            if left is not None and left <= 0:  # its later URLs were recorded "skipped", unverified
                result.stats["budget_exhausted"] = True
                budget = settings.site_budget_s
                emit({"stage": "site_budget", "unit_id": unit.unit_id, "budget_s": budget})
        result.stats["elapsed_s"] = round(time.monotonic() - started, 1)
        result.stats["budget_s"] = settings.site_budget_s
        await writer.call(
            snapshot.finish_site, round_id, unit.unit_id, result.state, result.reason, result.probes, result.stats
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 — one site's bug must not stop the round; it is reported
        await site_writer.flush()
        reason = f"crawler error: {type(exc).__name__}: {exc}"
        await writer.call(snapshot.finish_site, round_id, unit.unit_id, "failed", reason, None, {"homepage": home})
        summary.failed[unit.unit_id] = reason
        emit(
            {
                "stage": "site_failed",
                "unit_id": unit.unit_id,
                "reason": reason,
                "total": total,
                "in_flight": in_flight["n"] - 1,
            }
        )
        return
    summary.pages += site_writer.pages_written
    if result.state == "crawled":
        summary.crawled.append(unit.unit_id)
        emit(
            {
                "stage": "site_done",
                "unit_id": unit.unit_id,
                "pages": site_writer.pages_written,
                "total": total,
                "in_flight": in_flight["n"] - 1,
            }
        )
    else:
        summary.failed[unit.unit_id] = result.reason
        emit(
            {
                "stage": "site_failed",
                "unit_id": unit.unit_id,
                "reason": result.reason,
                "total": total,
                "in_flight": in_flight["n"] - 1,
            }
        )


def _safe(progress: ProgressFn | None) -> ProgressFn:
    """A progress callback whose exceptions never break the crawl."""
    if progress is None:
        return lambda event: None

    def call(event: dict[str, Any]) -> None:
        try:
            progress(event)
        except Exception:  # noqa: BLE001 — a display's failure never breaks the crawl (see docstring)
            pass

    return call
