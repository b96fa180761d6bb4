"""RSS/Atom feeds of 政务新媒体 accounts, fetched through the crawler's fetcher.

Every fetch goes through :class:`zwgk.crawlers.fetcher.Fetcher` and so through the one SSRF
policy (loopback, private, link-local and metadata addresses refused unless
``allow_private``), its timeouts, size cap and redirect checks.  A feed is parsed with the
standard library's expat (no external entities, entity-expansion limits) after its XML
declaration is dropped; at most ``MAX_ITEMS`` entries are read.  The fetch also tells whether
the account still exists: 404/410 or a domain that does not resolve is "gone", anything else
that failed (timeout, 5xx, blocked) is "unverified" and never a finding.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from zwgk.storage.db import Database
from zwgk.storage.media import MediaPost, add_posts, list_accounts, set_check

MAX_ITEMS = 500
_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.DOTALL)
_GONE_DNS = ("NXDOMAIN", "nxdomain", "does not resolve", "Name or service not known", "no address")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: ET.Element, *names: str) -> str:
    for name in names:
        c = _child(node, name)
        if c is not None and (c.text or "").strip():
            return (c.text or "").strip()
    return ""


def _when(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)  # RSS: RFC 822
    except (TypeError, ValueError, IndexError):
        try:
            value = dt.datetime.fromisoformat(text)  # Atom: RFC 3339 (Python ≥ 3.11 reads "Z")
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def parse_feed(text: str) -> list[MediaPost]:
    """The entries of an RSS 2.0 or Atom document (newest first as written); [] when unreadable."""
    try:
        root = ET.fromstring(_DECL.sub("", text or "", count=1))
    except ET.ParseError:
        return []
    out: list[MediaPost] = []
    for node in root.iter():
        name = _local(node.tag)
        if name not in ("item", "entry"):
            continue
        when = _when(_text(node, "pubDate", "published", "updated", "date"))
        if when is None:
            continue
        link = _text(node, "link")
        if not link:
            ref = _child(node, "link")
            link = ref.get("href", "") if ref is not None else ""
        out.append(
            MediaPost(when, _text(node, "title")[:500], link[:2000] if link.startswith("http") else "", source="feed")
        )
        if len(out) >= MAX_ITEMS:
            break
    return out


@dataclass(slots=True)
class FeedResult:
    account: str
    status: str  # ok / gone / unverified
    detail: str
    posts: int = 0


async def _check(fetcher, account, now: dt.datetime, db: Database) -> FeedResult:
    target = account.feed_url or account.url
    result = await fetcher.fetch(target, read_text=bool(account.feed_url), retries=1)
    key = account.key
    if result.outcome == "ok" and (result.status or 0) < 300:
        added = 0
        if account.feed_url:
            posts = parse_feed(result.text or "")
            if not posts and "<" not in (result.text or ""):
                set_check(db, account.id, "unverified", f"{target}: not a feed", now)
                return FeedResult(key, "unverified", "not a feed")
            added = add_posts(db, account.id, posts, now)
        set_check(db, account.id, "ok", f"HTTP {result.status}", now)
        return FeedResult(key, "ok", f"HTTP {result.status}", added)
    error = result.error or ""
    if result.status in (404, 410) or (result.status is None and any(s in error for s in _GONE_DNS)):
        detail = f"HTTP {result.status}" if result.status else f"域名不存在 ({error[:120]})"
        set_check(db, account.id, "gone", f"{target}: {detail}", now)
        return FeedResult(key, "gone", detail)
    detail = f"{result.outcome}: HTTP {result.status or '-'} {error[:160]}".strip()
    set_check(db, account.id, "unverified", f"{target}: {detail}", now)
    return FeedResult(key, "unverified", detail)


async def _run(db: Database, settings, unit_id: str | None, now: dt.datetime) -> list[FeedResult]:
    from zwgk.crawlers.fetcher import Fetcher

    accounts = [a for a in list_accounts(db, unit_id) if not a.closed and (a.feed_url or a.url) and a.id is not None]
    async with Fetcher(settings) as fetcher:
        return list(await asyncio.gather(*(_check(fetcher, a, now, db) for a in accounts)))


def fetch_feeds(db: Database, settings, unit_id: str | None = None, now: dt.datetime | None = None) -> list[FeedResult]:
    """Fetch every open account's feed (or, without one, its page) and record posts and existence."""
    return asyncio.run(_run(db, settings, unit_id, now or dt.datetime.now(dt.UTC).replace(tzinfo=None)))
