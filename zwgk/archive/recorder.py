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

import contextvars
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk import __version__
from zwgk.archive import warc
from zwgk.storage.archive import ArchiveRecord, previous_payloads
from zwgk.storage.db import Database

_SITE: contextvars.ContextVar["SiteArchive | None"] = contextvars.ContextVar("zwgk_archive_site", default=None)


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


def round_dir_name(round_id: int, round_name: str) -> str:
    return f"{round_id}-{warc.safe_name(round_name)}"


@dataclass(slots=True)
class SiteArchive:
    """One site's WARC file in one round, and the index rows not yet stored."""

    unit_id: str
    file: warc.WarcFile
    relpath: str
    previous: dict[str, ArchiveRecord]
    rows: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    bytes_written: int = 0


class RoundArchive:
    """The recording side: one object per crawl, shared by all its sites."""

    def __init__(self, db: Database, round_id: int, round_name: str, root: Path, mode: str = "all"):
        self.db = db
        self.round_id = round_id
        self.round_name = round_name
        self.root = root
        self.mode = mode
        self.builder = warc.builder()
        self.sites: dict[str, SiteArchive] = {}

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
        file = warc.WarcFile(self.root / relpath)
        file.start({
            "software": f"zwgk/{__version__}",
            "format": "WARC File Format 1.1",
            "isPartOf": self.round_name,
            "description": f"unit {unit_id}, round {self.round_name}",
            "robots": "obey",
        })
        site = SiteArchive(unit_id, file, relpath, previous_payloads(self.db, round_id, unit_id))
        self.sites[unit_id] = site
        _SITE.set(site)

    def record(self, url: str, resp: Any, body: bytes, truncated: bool, result: Any) -> None:
        """One HTTP response as received (fetcher hook; never raises into the crawl)."""
        site = _SITE.get()
        if site is None:
            return
        try:
            row = self._write_exchange(site, url, resp, body, truncated)
        except OSError as exc:  # a full disk must not stop the assessment; the row says why
            row = {"url": url, "record_type": "metadata", "warc_file": site.relpath, "offset": 0, "length": 0,
                   "error": f"archive write failed: {exc}"}
        site.pending[url] = (result.attempts, row)

    def hop_done(self, url: str, result: Any) -> None:
        """A URL's fetch is over: index its last response, or note why there was none."""
        site = _SITE.get()
        if site is None:
            return
        pending = site.pending.pop(url, None)
        if pending is not None and pending[0] == result.attempts:
            row = pending[1]
        else:  # the last attempt got no HTTP response (DNS, refused, timeout, policy)
            data = {"url": url, "outcome": result.outcome, "error": result.error, "status": result.status,
                    "attempts": result.attempts}
            record = warc.metadata_record(self.builder, url, data)
            try:
                (span,) = site.file.append(record)
            except OSError:
                span = (0, 0)
            site.bytes_written += span[1]
            row = {"url": url, "record_type": "metadata", "record_id": warc.record_id(record),
                   "warc_file": site.relpath, "offset": span[0], "length": span[1], "request_length": 0,
                   "payload_digest": "", "fetched_at": _now()}
        row.update(status=result.status, outcome=result.outcome, error=result.error or "",
                   attempts=result.attempts)
        site.rows.append(row)

    def take_rows(self, unit_id: str) -> list[dict[str, Any]]:
        """Index rows gathered since the last call (stored with the site's pages)."""
        site = self.sites.get(unit_id)
        if site is None:
            return []
        rows, site.rows = site.rows, []
        return rows

    # ---------------------------------------------------------------- writing
    def _write_exchange(self, site: SiteArchive, url: str, resp: Any, body: bytes, truncated: bool) -> dict[str, Any]:
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]
        headers = warc.stored_headers(raw, len(body))
        protocol = f"HTTP/{resp.version.major}.{resp.version.minor}" if resp.version else "HTTP/1.1"
        status, reason = int(resp.status), resp.reason or ""
        digest = warc.payload_digest(body)
        prev = site.previous.get(url)
        refers = None
        if prev is not None:
            refers_file, refers_offset, refers_length = prev.payload_location
            refers = {"uri": url, "date": _iso(prev.fetched_at), "record_id": prev.record_id if prev.record_type == "response" else "",
                      "file": refers_file, "offset": refers_offset, "length": refers_length}
        if status == 304 and refers is not None:
            record = warc.revisit_record(self.builder, url, protocol, status, reason, headers, prev.payload_digest,
                                         refers, warc.REVISIT_NOT_MODIFIED)
            kind, digest = "revisit", prev.payload_digest
        elif refers is not None and body and prev.payload_digest == digest and not truncated:
            record = warc.revisit_record(self.builder, url, protocol, status, reason, headers, digest, refers,
                                         warc.REVISIT_IDENTICAL)
            kind = "revisit"
        else:
            record = warc.response_record(self.builder, url, protocol, status, reason, headers, body, truncated)
            kind, refers = "response", None
        info = resp.request_info
        request_line = f"{info.method} {info.url.raw_path_qs or '/'} HTTP/1.1"
        request = warc.request_record(self.builder, url, request_line, list(info.headers.items()), warc.record_id(record))
        (resp_span, req_span) = site.file.append(record, request)
        site.bytes_written += resp_span[1] + req_span[1]
        row: dict[str, Any] = {
            "url": url, "record_type": kind, "record_id": warc.record_id(record), "warc_file": site.relpath,
            "offset": resp_span[0], "length": resp_span[1], "request_length": req_span[1],
            "payload_digest": digest, "truncated": truncated, "fetched_at": _now(),
        }
        if refers is not None:
            row.update(refers_file=refers["file"], refers_offset=refers["offset"], refers_length=refers["length"])
        return row


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
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _iso(value: dt.datetime | None) -> str:
    return (value or _now()).strftime("%Y-%m-%dT%H:%M:%SZ")
