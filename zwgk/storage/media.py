"""政务新媒体 accounts and posts (tables ``media_accounts``, ``media_posts``).

The registry of each unit's accounts is imported from the unit's own list (``zwgk media
import-accounts``); posts come from the platforms' exports or from RSS/Atom feeds
(``zwgk.media``).  :func:`media_facts` is what a round's rules see of them
(``SiteSnapshot.inputs["media"]``), computed for the round's as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from zwgk.storage.db import Database
from zwgk.storage.tables import MediaAccountRow, MediaPostRow, utcnow


@dataclass(frozen=True, slots=True)
class MediaAccount:
    unit_id: str
    platform: str
    name: str
    operator: str = ""
    account_code: str = ""
    url: str = ""
    feed_url: str = ""
    closed: bool = False
    id: int | None = None
    observed_until: dt.datetime | None = None
    check_status: str = ""
    check_detail: str = ""
    checked_at: dt.datetime | None = None

    @property
    def key(self) -> str:
        """The account as findings name it: ``platform:name``."""
        return f"{self.platform}:{self.name}"


@dataclass(frozen=True, slots=True)
class MediaPost:
    posted_at: dt.datetime
    title: str = ""
    url: str = ""
    comments: int = 0
    replied: int = 0
    source: str = "import"


def _account(r: MediaAccountRow) -> MediaAccount:
    return MediaAccount(
        r.unit_id,
        r.platform,
        r.name,
        r.operator,
        r.account_code,
        r.url,
        r.feed_url,
        r.closed,
        r.id,
        r.observed_until,
        r.check_status,
        r.check_detail,
        r.checked_at,
    )


def upsert_accounts(db: Database, accounts: Iterable[MediaAccount]) -> tuple[int, int]:
    """Add or update accounts by (unit, platform, name); returns (added, updated)."""
    added = updated = 0
    with db.session() as s:
        for a in accounts:
            row = s.scalar(
                select(MediaAccountRow).where(
                    MediaAccountRow.unit_id == a.unit_id,
                    MediaAccountRow.platform == a.platform,
                    MediaAccountRow.name == a.name,
                )
            )
            if row is None:
                s.add(
                    MediaAccountRow(
                        unit_id=a.unit_id,
                        platform=a.platform,
                        name=a.name,
                        operator=a.operator,
                        account_code=a.account_code,
                        url=a.url,
                        feed_url=a.feed_url,
                        closed=a.closed,
                        check_status="",
                        check_detail="",
                    )
                )
                s.flush()
                added += 1
            else:
                row.operator, row.account_code, row.url, row.feed_url, row.closed = (
                    a.operator,
                    a.account_code,
                    a.url,
                    a.feed_url,
                    a.closed,
                )
                updated += 1
    return added, updated


def list_accounts(db: Database, unit_id: str | None = None) -> list[MediaAccount]:
    with db.session() as s:
        q = select(MediaAccountRow)
        if unit_id is not None:
            q = q.where(MediaAccountRow.unit_id == unit_id)
        return [_account(r) for r in s.scalars(q.order_by(MediaAccountRow.unit_id, MediaAccountRow.id))]


def find_account(db: Database, unit_id: str, platform: str, name: str) -> MediaAccount | None:
    with db.session() as s:
        row = s.scalar(
            select(MediaAccountRow).where(
                MediaAccountRow.unit_id == unit_id, MediaAccountRow.platform == platform, MediaAccountRow.name == name
            )
        )
        return _account(row) if row else None


def add_posts(
    db: Database, account_id: int, posts: Iterable[MediaPost], observed_until: dt.datetime | None = None
) -> int:
    """Store posts not yet stored (same time and title); move ``observed_until`` forward. Returns the number added."""
    added = 0
    with db.session() as s:
        row = s.get(MediaAccountRow, account_id)
        if row is None:
            raise KeyError(account_id)
        have = {
            (p, t)
            for p, t in s.execute(
                select(MediaPostRow.posted_at, MediaPostRow.title).where(MediaPostRow.account_id == account_id)
            )
        }
        for p in posts:
            key = (p.posted_at.replace(tzinfo=None), p.title[:500])
            if key in have:
                continue
            have.add(key)
            s.add(
                MediaPostRow(
                    account_id=account_id,
                    posted_at=key[0],
                    title=key[1],
                    url=p.url[:2000],
                    comments=max(0, int(p.comments)),
                    replied=max(0, int(p.replied)),
                    source=p.source,
                )
            )
            added += 1
        if observed_until is not None and (row.observed_until is None or observed_until > row.observed_until):
            row.observed_until = observed_until.replace(tzinfo=None)
    return added


def set_check(db: Database, account_id: int, status: str, detail: str, at: dt.datetime | None = None) -> None:
    """Record an existence check of the account's feed or page: ok / gone / unverified."""
    with db.session() as s:
        row = s.get(MediaAccountRow, account_id)
        if row is not None:
            row.check_status, row.check_detail = status, detail[:500]
            row.checked_at = (at or utcnow()).replace(tzinfo=None)


def media_facts(db: Database, unit_id: str, as_of: dt.date, window_days: int = 365) -> dict[str, Any]:
    """What the rules see of a unit's accounts on ``as_of``: one entry per account with its newest
    post up to the as-of date, how far its posts are known, its check, and posts of the window
    whose comments were not all answered."""
    end = dt.datetime.combine(as_of, dt.time())
    start = end - dt.timedelta(days=window_days)
    out: list[dict[str, Any]] = []
    with db.session() as s:
        for row in s.scalars(
            select(MediaAccountRow).where(MediaAccountRow.unit_id == unit_id).order_by(MediaAccountRow.id)
        ):
            newest = s.scalar(
                select(func.max(MediaPostRow.posted_at)).where(
                    MediaPostRow.account_id == row.id, MediaPostRow.posted_at < end
                )
            )
            posts = (
                s.scalar(
                    select(func.count())
                    .select_from(MediaPostRow)
                    .where(MediaPostRow.account_id == row.id, MediaPostRow.posted_at < end)
                )
                or 0
            )
            open_posts = s.execute(
                select(
                    MediaPostRow.posted_at,
                    MediaPostRow.title,
                    MediaPostRow.url,
                    MediaPostRow.comments,
                    MediaPostRow.replied,
                )
                .where(
                    MediaPostRow.account_id == row.id,
                    MediaPostRow.posted_at >= start,
                    MediaPostRow.posted_at < end,
                    MediaPostRow.comments > MediaPostRow.replied,
                )
                .order_by(MediaPostRow.posted_at.desc())
                .limit(50)
            ).all()
            out.append(
                {
                    "platform": row.platform,
                    "name": row.name,
                    "operator": row.operator,
                    "url": row.url,
                    "feed_url": row.feed_url,
                    "closed": bool(row.closed),
                    "posts": int(posts),
                    "last_post": newest.isoformat() if newest else None,
                    "observed_until": row.observed_until.isoformat() if row.observed_until else None,
                    "check_status": row.check_status,
                    "check_detail": row.check_detail,
                    "checked_at": row.checked_at.isoformat() if row.checked_at else None,
                    "unanswered": [
                        {"posted_at": p.isoformat(), "title": t, "url": u, "comments": c, "replied": r}
                        for p, t, u, c, r in open_posts
                    ],
                }
            )
    return {"accounts": out} if out else {}
