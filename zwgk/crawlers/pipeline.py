"""The item pipeline: streams pages and links of a site to the snapshot store.

Database calls are blocking, so they run on one dedicated writer thread.  One
thread means the writes of a site reach the database in the order they were
made — in particular ``finish_site`` always lands after the site's last page,
which is what makes a killed round resumable without duplicates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from zwgk.model import Link, Page
from zwgk.storage import snapshot
from zwgk.storage.db import Database

FLUSH_PAGES = 40
FLUSH_LINKS = 800


class SnapshotWriter:
    """Round-wide writer: one thread, calls in submission order."""

    def __init__(self, db: Database, archive: Any = None):
        self.db = db
        self.archive = archive  # zwgk.archive: its index rows are written with the pages
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zwgk-writer")

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(self.db, *args, **kwargs))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        if self.archive is not None:
            self.archive.close()

    def for_site(self, round_id: int, unit_id: str, batch: int = FLUSH_PAGES) -> SiteWriter:
        """The site's writer; also opens the site's web archive, which from here on
        receives every fetch made by this task and the tasks it starts."""
        if self.archive is not None:
            self.archive.open_site(round_id, unit_id)
        return SiteWriter(self, round_id, unit_id, batch)


class SiteWriter:
    """Buffers one site's pages and links and flushes them in batches."""

    def __init__(self, writer: SnapshotWriter, round_id: int, unit_id: str, batch: int = FLUSH_PAGES):
        self.writer = writer
        self.batch = max(1, batch)
        self.round_id = round_id
        self.unit_id = unit_id
        self.pages: list[Page] = []
        self.links: list[Link] = []
        self.pending: list[asyncio.Future[Any]] = []
        self.pages_written = 0

    async def add_page(self, page: Page, links: list[Link] | None = None) -> None:
        self.pages.append(page)
        if links:
            self.links.extend(links)
        if len(self.pages) >= self.batch or len(self.links) >= FLUSH_LINKS:
            await self.flush()

    async def flush(self) -> None:
        pages, links = self.pages, self.links
        self.pages, self.links = [], []
        if pages:
            self.pages_written += len(pages)
            await self.writer.call(snapshot.write_pages, self.round_id, self.unit_id, pages)
        if links:
            await self.writer.call(snapshot.write_links, self.round_id, self.unit_id, links)
        if self.writer.archive is not None:
            from zwgk.storage import archive as archive_store

            rows = await self.writer.archive.take_rows(self.unit_id)
            if rows:
                await self.writer.call(archive_store.write_records, self.round_id, self.unit_id, rows)
