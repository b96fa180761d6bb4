"""Re-judging a round from its archive, offline (``zwgk assess --from-archive ROUND``).

The crawler runs exactly as it does live — same spider, same redirect handling,
same extraction — but its fetcher answers every request from the source round's
WARC records instead of the network: the response as received (status, headers,
body) plus the fetcher's recorded verdict (outcome, error, attempts).  A URL the
source round never fetched is answered ``skipped`` ("not in the archive").  Site
probes that were measured on the network (DNS, IPv6) are taken from the source
round.  Rules improve; the evidence they read does not change.
"""

from __future__ import annotations

import contextvars
from pathlib import Path
from typing import Any

from zwgk.archive import warc
from zwgk.crawlers.decode import decode_body
from zwgk.crawlers.fetcher import REDIRECT_STATUSES, RETRY_STATUSES, Fetcher, FetchResult
from zwgk.crawlers.net import Lookup
from zwgk.crawlers.outage import OutageGuard
from zwgk.storage.archive import ArchiveRecord, site_probes, site_records
from zwgk.storage.db import Database

_SITE: contextvars.ContextVar[ReplaySite | None] = contextvars.ContextVar("zwgk_replay_site", default=None)


class ReplaySite:
    def __init__(self, unit_id: str, records: dict[str, ArchiveRecord], probes: dict[str, Any]):
        self.unit_id = unit_id
        self.records = records
        self.probes = probes


class ReplayArchive:
    """Stands in for the network during a crawl; records nothing new."""

    def __init__(self, db: Database, source_round_id: int, root: Path):
        self.db = db
        self.source_round_id = source_round_id
        self.root = root

    def fetcher(self, settings: Any) -> ReplayFetcher:
        return ReplayFetcher(settings, self)

    def open_site(self, round_id: int, unit_id: str) -> None:
        records = site_records(self.db, self.source_round_id, unit_id)
        _SITE.set(ReplaySite(unit_id, records, site_probes(self.db, self.source_round_id, unit_id)))

    async def take_rows(self, unit_id: str) -> list[dict[str, Any]]:
        return []

    def close(self) -> None:
        return None


class ArchivedDns:
    """The DNS answers the source round got (no query leaves the machine)."""

    async def lookup(self, host: str, tries: int = 3) -> Lookup:
        site = _SITE.get()
        dns = (site.probes.get("dns") or {}) if site is not None else {}
        return Lookup(a=list(dns.get("a") or []), aaaa=list(dns.get("aaaa") or []), error=str(dns.get("error") or ""))


class ReplayGuard(OutageGuard):
    """No outage checks against the archive: whether the live crawl was cut short by the
    assessor's outage is the source round's verdict, copied with its site state."""

    async def check(self) -> str:
        return ""


class ReplayFetcher(Fetcher):
    """The crawler's fetcher with the network replaced by the archive."""

    def __init__(self, settings: Any, archive: ReplayArchive):
        super().__init__(settings)
        self.replay = archive
        # A replay calls only lookup(): it opens no sessions (no PolicyResolver), runs no IPv6
        # probe (re-judging turns it off; probes come from the source round) and no outage checks.
        self.dns = ArchivedDns()  # type: ignore[assignment]  # answers lookup() only, see above
        self._guard = ReplayGuard(self, settings)

    @property
    def guard(self) -> ReplayGuard:
        return self._guard

    @guard.setter
    def guard(self, value: Any) -> None:
        """The engine installs the live outage guard; a replay keeps its own."""

    async def __aenter__(self) -> ReplayFetcher:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    async def _attempts(
        self,
        result: FetchResult,
        url: str,
        full_body: bool,
        extra_headers: dict[str, str] | None,
        v6: bool,
        retries: int | None,
        use_breaker: bool = True,
    ) -> None:
        self.requests += 1
        site = _SITE.get()
        row = site.records.get(url) if site is not None else None
        if row is None or v6:
            result.attempts += 1
            result.status, result.outcome, result.error = None, "skipped", "not in the archive"
            return
        result.attempts = row.attempts
        result.status, result.outcome, result.error = row.status, row.outcome, row.error
        if row.record_type == "metadata":
            return
        head = warc.read_record(self.replay.root, row.warc_file, row.offset, row.length)
        headers = warc.original_headers(head.headers)
        result.headers = {k.lower(): v for k, v in headers}
        result.content_type = _first(headers, "content-type")
        result.etag = _first(headers, "etag")
        result.last_modified = _first(headers, "last-modified")
        status = head.status or 0
        if (status in REDIRECT_STATUSES and "location" in result.headers) or status in RETRY_STATUSES:
            return  # the live fetcher read no body for these
        if row.record_type == "revisit" and row.refers_file is not None:
            body = warc.read_record(self.replay.root, *row.payload_location).body
        else:
            body = head.body
        ctype = result.content_type.split(";", 1)[0].strip().lower()
        html = ctype.startswith(("text/html", "application/xhtml")) or (ctype in ("", "text/plain") and full_body)
        html = (html or result.want_text) and not result.want_bytes
        declared = _first(headers, "content-length")
        result.size = int(declared) if row.truncated and declared.isdigit() else len(body)
        if result.want_bytes:  # a 年报 attachment, archived whole as the crawler read it
            result.body, result.cut = body, bool(row.truncated)
        if html:
            result.text, result.charset = decode_body(body, result.content_type or None)


def _first(headers: list[tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""
