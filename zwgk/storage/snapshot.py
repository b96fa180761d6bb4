"""The crawl snapshot: pages, links and per-site crawl state of a round.

The crawler streams what it sees here as it goes, so nothing large is held in
memory and an interrupted round keeps everything already written.  A site's
rows count only once its ``round_sites.state`` is ``crawled``; a site found
``crawling`` after a kill is reset (its rows deleted) and crawled again, which
is what keeps a resumed round free of duplicates.

Only portable SQL is used (select-then-update/insert, no ON CONFLICT), so the
same code serves SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_

from zwgk.model import Link, Page, SiteSnapshot, Unit, ZwgkError
from zwgk.storage.db import Database
from zwgk.storage.tables import ArchiveRecordRow, LinkRow, PageRow, RoundSiteRow, utcnow

BATCH = 200  # rows per statement batch: bounded parameter lists on both dialects

_PAGE_FIELDS = (
    "final_url",
    "status",
    "outcome",
    "kind",
    "depth",
    "title",
    "pub_date",
    "date_source",
    "content_type",
    "charset",
    "size",
    "elapsed_ms",
    "error",
    "etag",
    "last_modified",
    "fetched_at",
    "facts",
)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _site_row(s: Any, round_id: int, unit_id: str) -> RoundSiteRow:
    row = s.get(RoundSiteRow, (round_id, unit_id))
    if row is None:
        raise ZwgkError(f"unit {unit_id!r} is not part of round {round_id}; create the round with it first")
    return row


def begin_site(db: Database, round_id: int, unit_id: str, site_url: str) -> None:
    """Mark a site ``crawling`` (creating its round_sites row if needed)."""
    with db.session() as s:
        row = s.get(RoundSiteRow, (round_id, unit_id))
        if row is None:
            row = RoundSiteRow(round_id=round_id, unit_id=unit_id, site_url=site_url)
            s.add(row)
        row.site_url = site_url
        row.state = "crawling"
        row.reason = ""
        row.attempts = (row.attempts or 0) + 1
        row.started_at = utcnow()
        row.finished_at = None
        row.stats = _without_evaluation(row.stats)


def _page_values(page: Page) -> dict[str, Any]:
    values = {name: getattr(page, name) for name in _PAGE_FIELDS}
    values["url"] = page.url
    values["title"] = (page.title or "")[:2000]
    values["error"] = page.error or ""
    values["facts"] = page.facts or {}
    values["content_type"] = (page.content_type or "")[:100]
    values["charset"] = (page.charset or "")[:32]
    values["etag"] = (page.etag or "")[:200]
    values["last_modified"] = (page.last_modified or "")[:100]
    return values


def write_pages(db: Database, round_id: int, unit_id: str, pages: list[Page]) -> int:
    """Upsert pages by (round, unit, url); the last version of a URL wins.  Returns rows written."""
    latest: dict[str, Page] = {}
    for page in pages:
        latest[page.url] = page
    if not latest:
        return 0
    with db.session() as s:
        for chunk in _chunks(list(latest.values())):
            urls = [p.url for p in chunk]
            existing = {
                row.url: row
                for row in s.scalars(
                    select(PageRow).where(
                        PageRow.round_id == round_id, PageRow.unit_id == unit_id, PageRow.url.in_(urls)
                    )
                )
            }
            new_rows = []
            for page in chunk:
                values = _page_values(page)
                row = existing.get(page.url)
                if row is None:
                    new_rows.append({"round_id": round_id, "unit_id": unit_id, **values})
                else:
                    for key, value in values.items():
                        setattr(row, key, value)
            if new_rows:  # one executemany, not an ORM object per row (the crawl's CPU hotspot)
                s.execute(insert(PageRow), new_rows)
            s.flush()
    return len(latest)


def write_links(db: Database, round_id: int, unit_id: str, links: list[Link]) -> int:
    """Insert links not yet stored for (round, unit, source, target).  Returns rows added."""
    unique: dict[tuple[str, str], Link] = {}
    for link in links:
        unique.setdefault((link.source, link.target), link)
    if not unique:
        return 0
    added = 0
    with db.session() as s:
        for chunk in _chunks(list(unique.items())):
            keys = [key for key, _ in chunk]
            present = set(
                s.execute(
                    select(LinkRow.source, LinkRow.target).where(
                        LinkRow.round_id == round_id,
                        LinkRow.unit_id == unit_id,
                        tuple_(LinkRow.source, LinkRow.target).in_(keys),
                    )
                ).all()
            )
            new_rows = [
                {
                    "round_id": round_id,
                    "unit_id": unit_id,
                    "source": link.source,
                    "target": link.target,
                    "anchor": (link.anchor or "")[:500],
                    "tag": link.tag[:16],
                }
                for key, link in chunk
                if key not in present
            ]
            if new_rows:  # one executemany: a per-row ORM add cost ~65 µs a link, this ~20 µs
                s.execute(insert(LinkRow), new_rows)
            added += len(new_rows)
    return added


def finish_site(
    db: Database,
    round_id: int,
    unit_id: str,
    state: str,
    reason: str = "",
    probes: dict[str, Any] | None = None,
    stats: dict[str, Any] | None = None,
) -> None:
    """Record a site's final crawl state (``crawled`` / ``failed``) with probes and stats."""
    if state not in ("crawled", "failed", "pending", "crawling"):
        raise ZwgkError(f"unknown site state {state!r}")
    with db.session() as s:
        row = _site_row(s, round_id, unit_id)
        row.state = state
        row.reason = reason
        if probes is not None:
            row.probes = probes
        if stats is not None:
            row.stats = stats
        row.pages = (
            s.scalar(
                select(func.count())
                .select_from(PageRow)
                .where(PageRow.round_id == round_id, PageRow.unit_id == unit_id)
            )
            or 0
        )
        row.finished_at = utcnow()


def set_site_probe(db: Database, round_id: int, unit_id: str, key: str, value: Any) -> None:
    """Store ``value`` under ``probes[key]`` of a site of the round (e.g. ``ipv6_support``, the
    IPv6 support degree the rules' evaluation computed); no row → nothing to annotate."""
    with db.session() as s:
        row = s.get(RoundSiteRow, (round_id, unit_id))
        if row is None:
            return
        probes = dict(row.probes or {})
        probes[key] = value
        row.probes = probes  # a new dict: JSON columns are not change-tracked in place


def site_probe_values(db: Database, round_id: int, key: str, unit_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """unit_id → ``probes[key]`` for the round's sites that have it (optionally only ``unit_ids``)."""
    # Only that key leaves the database (JSON path on SQLite and PostgreSQL alike), not the
    # whole probes document of every site: a national round has 13,385 of them.
    value = RoundSiteRow.probes[key]
    query = select(RoundSiteRow.unit_id, value).where(RoundSiteRow.round_id == round_id)
    if unit_ids is not None:
        query = query.where(RoundSiteRow.unit_id.in_(list(unit_ids)))
    with db.session() as s:
        rows = s.execute(query).all()
    return {unit_id: found for unit_id, found in rows if found is not None}


def site_states(db: Database, round_id: int) -> dict[str, str]:
    """unit_id → crawl state for every site of the round."""
    with db.session() as s:
        rows = s.execute(
            select(RoundSiteRow.unit_id, RoundSiteRow.state).where(RoundSiteRow.round_id == round_id)
        ).all()
        return {unit_id: state for unit_id, state in rows}


def site_state(db: Database, round_id: int, unit_id: str) -> str | None:
    """One site's crawl state in the round, or None when the unit is not part of it."""
    with db.session() as s:
        row = s.get(RoundSiteRow, (round_id, unit_id))
        return row.state if row is not None else None


# A site evaluated where it was crawled (a Celery worker) carries ``stats["evaluated"]`` =
# the number of findings stored, so the coordinator does not evaluate it a second time.
# Crawling the site again (``begin_site``) or resetting it clears the mark.
_EVALUATED = "evaluated"


def _without_evaluation(stats: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (stats or {}).items() if k != _EVALUATED}


def mark_site_evaluated(db: Database, round_id: int, unit_id: str, findings: int) -> None:
    """Record that the site's findings (``findings`` of them) were stored after its crawl."""
    with db.session() as s:
        row = _site_row(s, round_id, unit_id)
        row.stats = {**(row.stats or {}), _EVALUATED: int(findings)}


def evaluated_sites(db: Database, round_id: int) -> dict[str, int]:
    """unit_id → findings stored, for the sites marked by :func:`mark_site_evaluated`."""
    with db.session() as s:
        rows = s.execute(
            select(RoundSiteRow.unit_id, RoundSiteRow.stats).where(RoundSiteRow.round_id == round_id)
        ).all()
    return {
        unit_id: int(stats[_EVALUATED]) for unit_id, stats in rows if isinstance(stats, dict) and _EVALUATED in stats
    }


def round_page_count(db: Database, round_id: int) -> int:
    """Pages stored for the round so far (``zwgk round status``)."""
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(PageRow).where(PageRow.round_id == round_id)) or 0)


def sites_crawling(db: Database, round_id: int) -> list[dict[str, Any]]:
    """The sites being crawled now, oldest start first: unit_id, site_url, started_at, attempts."""
    with db.session() as s:
        rows = s.execute(
            select(RoundSiteRow.unit_id, RoundSiteRow.site_url, RoundSiteRow.started_at, RoundSiteRow.attempts)
            .where(RoundSiteRow.round_id == round_id, RoundSiteRow.state == "crawling")
            .order_by(RoundSiteRow.started_at)
        ).all()
    return [{"unit_id": u, "site_url": url, "started_at": st, "attempts": a} for u, url, st, a in rows]


def reset_site(db: Database, round_id: int, unit_id: str) -> None:
    """Forget a half-crawled site: delete its pages, links and archive index rows, state
    back to ``pending`` (its WARC file is started afresh when it is crawled again)."""
    with db.session() as s:
        s.execute(delete(PageRow).where(PageRow.round_id == round_id, PageRow.unit_id == unit_id))
        s.execute(delete(LinkRow).where(LinkRow.round_id == round_id, LinkRow.unit_id == unit_id))
        s.execute(
            delete(ArchiveRecordRow).where(ArchiveRecordRow.round_id == round_id, ArchiveRecordRow.unit_id == unit_id)
        )
        row = s.get(RoundSiteRow, (round_id, unit_id))
        if row is not None:
            row.state = "pending"
            row.reason = ""
            row.pages = 0
            row.probes = {}
            row.stats = _without_evaluation(row.stats)
            row.stats = {}


def _page_from_row(row: PageRow) -> Page:
    return Page(
        url=row.url,
        status=row.status,
        outcome=row.outcome,
        kind=row.kind,
        final_url=row.final_url,
        depth=row.depth,
        title=row.title or "",
        pub_date=row.pub_date,
        date_source=row.date_source or "",
        content_type=row.content_type or "",
        charset=row.charset or "",
        size=row.size or 0,
        elapsed_ms=row.elapsed_ms or 0.0,
        error=row.error or "",
        etag=row.etag or "",
        last_modified=row.last_modified or "",
        fetched_at=row.fetched_at,
        facts=dict(row.facts or {}),
    )


def load_pages(db: Database, round_id: int, unit_id: str) -> dict[str, Page]:
    with db.session() as s:
        rows = s.scalars(
            select(PageRow).where(PageRow.round_id == round_id, PageRow.unit_id == unit_id).order_by(PageRow.id)
        ).all()
        return {row.url: _page_from_row(row) for row in rows}


def load_links(db: Database, round_id: int, unit_id: str) -> list[Link]:
    with db.session() as s:
        rows = s.execute(
            select(LinkRow.source, LinkRow.target, LinkRow.anchor, LinkRow.tag)
            .where(LinkRow.round_id == round_id, LinkRow.unit_id == unit_id)
            .order_by(LinkRow.id)
        ).all()
        return [Link(source=a, target=b, anchor=c or "", tag=d or "a") for a, b, c, d in rows]


def load_snapshot(db: Database, round_id: int, unit: Unit, as_of: dt.date) -> SiteSnapshot:
    """Everything the round saw of ``unit``'s site: the only input of the rules."""
    with db.session() as s:
        row = s.get(RoundSiteRow, (round_id, unit.unit_id))
        probes = dict(row.probes or {}) if row else {}
        stats = dict(row.stats or {}) if row else {}
    homepage = stats.get("homepage") or unit.site_url
    return SiteSnapshot(
        unit=unit,
        homepage=homepage,
        as_of=as_of,
        pages=load_pages(db, round_id, unit.unit_id),
        links=load_links(db, round_id, unit.unit_id),
        probes=probes,
    )


def previous_pages(db: Database, round_id: int, unit_id: str) -> dict[str, tuple[int, Page]]:
    """url → (round id, page) from the most recent earlier round that has the url with a validator.

    Used for conditional re-fetch: the crawler sends If-None-Match /
    If-Modified-Since and, on 304, copies the earlier page's facts.
    """
    found: dict[str, tuple[int, Page]] = {}
    with db.session() as s:
        rows = s.scalars(
            select(PageRow)
            .where(
                PageRow.unit_id == unit_id,
                PageRow.round_id < round_id,
                PageRow.outcome == "ok",
                (PageRow.etag != "") | (PageRow.last_modified != ""),
            )
            .order_by(PageRow.round_id.desc())
        ).all()
        for row in rows:
            if row.url not in found:
                found[row.url] = (row.round_id, _page_from_row(row))
    return found


def previous_links(db: Database, round_id: int, unit_id: str, source: str) -> list[Link]:
    """Links recorded from ``source`` in an earlier round (for a 304 re-crawl)."""
    with db.session() as s:
        rows = s.execute(
            select(LinkRow.source, LinkRow.target, LinkRow.anchor, LinkRow.tag)
            .where(LinkRow.round_id == round_id, LinkRow.unit_id == unit_id, LinkRow.source == source)
            .order_by(LinkRow.id)
        ).all()
        return [Link(source=a, target=b, anchor=c or "", tag=d or "a") for a, b, c, d in rows]


UNVERIFIED_OUTCOMES = ("blocked", "transient", "skipped")


def unverified_fetches(db: Database, round_id: int, unit_id: str | None = None) -> list[dict[str, Any]]:
    """Fetches of a round that ended neither ok nor broken: blocked (WAF), transient after
    retries, or skipped by policy.  They never become LINK findings; an evaluator checks
    them by hand.  Each row names up to 5 pages that link to the URL."""
    with db.session() as s:
        q = select(
            PageRow.unit_id,
            PageRow.url,
            PageRow.kind,
            PageRow.outcome,
            PageRow.status,
            PageRow.error,
            PageRow.fetched_at,
        ).where(PageRow.round_id == round_id, PageRow.outcome.in_(UNVERIFIED_OUTCOMES))
        if unit_id is not None:
            q = q.where(PageRow.unit_id == unit_id)
        rows = s.execute(q.order_by(PageRow.unit_id, PageRow.url)).all()
        out: list[dict[str, Any]] = []
        for unit, url, kind, outcome, status, error, fetched_at in rows:
            sources = s.scalars(
                select(LinkRow.source)
                .where(LinkRow.round_id == round_id, LinkRow.unit_id == unit, LinkRow.target == url)
                .order_by(LinkRow.id)
                .limit(5)
            ).all()
            out.append(
                {
                    "unit_id": unit,
                    "url": url,
                    "kind": kind,
                    "outcome": outcome,
                    "status": status,
                    "error": error or "",
                    "fetched_at": fetched_at,
                    "linked_from": " ".join(sources),
                }
            )
        return out
