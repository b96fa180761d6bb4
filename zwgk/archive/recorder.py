"""Recording a round's fetches into WARC files while it crawls.

The crawler's fetcher calls two hooks (``Fetcher.archive``): ``record`` with every
HTTP response as received, and ``hop_done`` when one URL of a redirect chain is
finished (after retries).  Which site a fetch belongs to is known from a context
variable set when the site's writer is opened (``open_site``): every task a site
crawl spawns inherits it, so the shared fetcher needs no site argument.

Files: ``<archive dir>/<round id>-<round name>/<unit id>.warc.gz``, one per site and
round (started afresh if a killed site is crawled again).  A response whose payload
digest equals the same URL's payload in an earlier round is written as a revisit
record pointing at it; a 304 Not Modified as a server-not-modified revisit.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk import __version__
from zwgk.archive import warc
from zwgk.storage.archive import ArchiveRecord, previous_payloads
from zwgk.storage.db import Database

log = logging.getLogger(__name__)
_SITE: contextvars.ContextVar[SiteArchive | None] = contextvars.ContextVar("zwgk_archive_site", default=None)


def archive_root(db: Database | None, configured: str = "") -> Path:
    """Where WARC files live: the setting, ``$ZWGK_ARCHIVE``, beside a SQLite file, or ``data/archive``."""
    if configured:
        return Path(configured).expanduser().resolve()
    if os.environ.get("ZWGK_ARCHIVE"):
        return Path(os.environ["ZWGK_ARCHIVE"]).expanduser().resolve()
    if db is not None and db.engine.url.get_backend_name() == "sqlite" and db.engine.url.database:
        database = db.engine.url.database
        if database != ":memory:":
            return Path(database).resolve().parent / "archive"
    return (Path("data") / "archive").resolve()


def round_archive_root(db: Database, info: Any) -> Path:
    """The archive directory a stored round recorded into (its crawl settings, else the default)."""
    crawl = (info.settings or {}).get("crawl") or {}
    return archive_root(db, str(crawl.get("archive_dir") or ""))


def round_dir_name(round_id: int, round_name: str) -> str:
    return f"{round_id}-{warc.safe_name(round_name)}"


@dataclass(slots=True)
class SiteArchive:
    """One site's WARC file in one round, and the index rows not yet stored.

    Touched only by the archive's writer thread (except ``unit_id``/``relpath``).
    """

    unit_id: str
    file: warc.WarcFile
    relpath: str
    previous: dict[str, ArchiveRecord] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    bytes_written: int = 0


@dataclass(slots=True)
class Exchange:
    """What ``record`` copies out of a response, for the writer thread."""

    url: str
    attempts: int
    protocol: str
    status: int
    reason: str
    raw_headers: list[tuple[str, str]]
    request_line: str
    request_headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    fetched_at: dt.datetime


class RoundArchive:
    """The recording side: one object per crawl, shared by all its sites.

    Compressing and hashing a multi-megabyte page takes long enough to starve the
    crawl's event loop (timeouts of other fetches would fire), so the hooks only copy
    what they need and one writer thread does the rest, in call order; a site's index
    rows are handed over once everything before them is written (``take_rows``).
    A backlog above ``MAX_BACKLOG`` bytes makes ``record`` wait for the writer.
    """

    MAX_BACKLOG = 64 * 1024 * 1024

    def __init__(self, db: Database, round_id: int, round_name: str, root: Path, mode: str = "all"):
        self.db = db
        self.round_id = round_id
        self.round_name = round_name
        self.root = root
        self.mode = mode
        self.builder = warc.builder()
        self.sites: dict[str, SiteArchive] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zwgk-warc")
        self.backlog: deque[tuple[Future[Any], int]] = deque()
        self.backlog_bytes = 0

    # ------------------------------------------------------------- crawl side
    def fetcher(self, settings: Any) -> Any:
        """The round's real fetcher, wired to this archive."""
        from zwgk.crawlers.fetcher import Fetcher

        fetcher = Fetcher(settings)
        fetcher.archive = self
        return fetcher

    def open_site(self, round_id: int, unit_id: str) -> None:
        """Start ``unit_id``'s WARC file; the fetches of this task and its children go there."""
        relpath = f"{round_dir_name(round_id, self.round_name)}/{warc.safe_name(unit_id)}.warc.gz"
        site = SiteArchive(unit_id, warc.WarcFile(self.root / relpath), relpath)
        self.sites[unit_id] = site
        _SITE.set(site)
        self._submit(self._start_site, 0, site, round_id)

    def record(self, url: str, resp: Any, body: bytes, truncated: bool, result: Any) -> None:
        """One HTTP response as received (fetcher hook; never raises into the crawl)."""
        site = _SITE.get()
        if site is None:
            return
        info = resp.request_info
        exchange = Exchange(
            url=url,
            attempts=result.attempts,
            protocol=f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else "HTTP/1.1",
            status=int(resp.status),
            reason=resp.reason or "",
            raw_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers],
            request_line=f"{info.method} {info.url.raw_path_qs or '/'} HTTP/1.1",
            request_headers=list(info.headers.items()),
            body=body,
            truncated=truncated,
            fetched_at=_now(),
        )
        self._submit(self._write_exchange, len(body), site, exchange)

    def hop_done(self, url: str, result: Any) -> None:
        """A URL's fetch is over: index its last response, or note why there was none."""
        site = _SITE.get()
        if site is None:
            return
        verdict = {
            "status": result.status,
            "outcome": result.outcome,
            "error": result.error or "",
            "attempts": result.attempts,
        }
        self._submit(self._finish_hop, 0, site, url, verdict)

    async def take_rows(self, unit_id: str) -> list[dict[str, Any]]:
        """Index rows of the site's finished fetches, once their records are on disk."""
        site = self.sites.get(unit_id)
        if site is None:
            return []
        return await asyncio.wrap_future(self.executor.submit(self._take, site))

    def close(self) -> None:
        self.executor.shutdown(wait=True)

    # ------------------------------------------------------- the writer thread
    def _submit(self, fn: Any, size: int, *args: Any) -> None:
        while self.backlog and (self.backlog[0][0].done() or self.backlog_bytes > self.MAX_BACKLOG):
            future, n = self.backlog.popleft()
            future.result()  # back-pressure: wait for the writer when far behind
            self.backlog_bytes -= n
        self.backlog.append((self.executor.submit(self._safely, fn, *args), size))
        self.backlog_bytes += size

    @staticmethod
    def _safely(fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # the archive must never break the assessment; the crawl goes on
            log.exception("web archive: %s failed", getattr(fn, "__name__", fn))

    def _start_site(self, site: SiteArchive, round_id: int) -> None:
        site.previous = previous_payloads(self.db, round_id, site.unit_id)
        site.file.start(
            {
                "software": f"zwgk/{__version__}",
                "format": "WARC File Format 1.1",
                "isPartOf": self.round_name,
                "description": f"unit {site.unit_id}, round {self.round_name}",
                "robots": "obey",
            }
        )

    def _take(self, site: SiteArchive) -> list[dict[str, Any]]:
        rows, site.rows = site.rows, []
        return rows

    def _finish_hop(self, site: SiteArchive, url: str, verdict: dict[str, Any]) -> None:
        pending = site.pending.pop(url, None)
        if pending is not None and pending[0] == verdict["attempts"]:
            row = pending[1]
        else:  # the last attempt got no HTTP response (DNS, refused, timeout, policy)
            record = warc.metadata_record(self.builder, url, {"url": url, **verdict})
            try:
                (span,) = site.file.append(record)
            except OSError as exc:
                log.warning("web archive: cannot write %s: %s", site.file.path, exc)
                span = (0, 0)
            site.bytes_written += span[1]
            row = {
                "url": url,
                "record_type": "metadata",
                "record_id": warc.record_id(record),
                "warc_file": site.relpath,
                "offset": span[0],
                "length": span[1],
                "request_length": 0,
                "payload_digest": "",
                "fetched_at": _now(),
            }
        row.update(verdict)
        site.rows.append(row)

    def _write_exchange(self, site: SiteArchive, ex: Exchange) -> None:
        headers = warc.stored_headers(ex.raw_headers, len(ex.body))
        digest = warc.payload_digest(ex.body)
        prev = site.previous.get(ex.url)
        refers = None
        if prev is not None:
            refers_file, refers_offset, refers_length = prev.payload_location
            refers = {
                "uri": ex.url,
                "date": _iso(prev.fetched_at),
                "record_id": prev.record_id if prev.record_type == "response" else "",
                "file": refers_file,
                "offset": refers_offset,
                "length": refers_length,
            }
        if ex.status == 304 and prev is not None and refers is not None:
            record = warc.revisit_record(
                self.builder,
                ex.url,
                ex.protocol,
                ex.status,
                ex.reason,
                headers,
                prev.payload_digest,
                refers,
                warc.REVISIT_NOT_MODIFIED,
            )
            kind, digest = "revisit", prev.payload_digest
        elif prev is not None and refers is not None and ex.body and prev.payload_digest == digest and not ex.truncated:
            record = warc.revisit_record(
                self.builder, ex.url, ex.protocol, ex.status, ex.reason, headers, digest, refers, warc.REVISIT_IDENTICAL
            )
            kind = "revisit"
        else:
            record = warc.response_record(
                self.builder, ex.url, ex.protocol, ex.status, ex.reason, headers, ex.body, ex.truncated, digest
            )
            kind, refers = "response", None
        request = warc.request_record(self.builder, ex.url, ex.request_line, ex.request_headers, warc.record_id(record))
        try:
            (resp_span, req_span) = site.file.append(record, request)
        except OSError as exc:  # a full disk must not stop the assessment: the page is simply not archived
            log.warning("web archive: cannot write %s: %s", site.file.path, exc)
            return
        site.bytes_written += resp_span[1] + req_span[1]
        row: dict[str, Any] = {
            "url": ex.url,
            "record_type": kind,
            "record_id": warc.record_id(record),
            "warc_file": site.relpath,
            "offset": resp_span[0],
            "length": resp_span[1],
            "request_length": req_span[1],
            "payload_digest": digest,
            "truncated": ex.truncated,
            "fetched_at": ex.fetched_at,
        }
        if refers is not None:
            row.update(refers_file=refers["file"], refers_offset=refers["offset"], refers_length=refers["length"])
        site.pending[ex.url] = (ex.attempts, row)


def open_round_archive(db: Database, round_id: int, settings: Any) -> RoundArchive | None:
    """The archive a crawl of ``round_id`` records into, per its settings (None: ``none``)."""
    mode = getattr(settings, "archive", "all")
    if mode == "none":
        return None
    from zwgk.storage.rounds import get_round_by_id

    info = get_round_by_id(db, round_id)
    name = info.name if info is not None else str(round_id)
    return RoundArchive(db, round_id, name, archive_root(db, getattr(settings, "archive_dir", "")), mode)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _iso(value: dt.datetime | None) -> str:
    return (value or _now()).strftime("%Y-%m-%dT%H:%M:%SZ")
