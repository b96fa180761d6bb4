"""Reads for the dashboard's 年报 and 政务新媒体 pages: only the columns those pages show.

A round's 年报 readings live in ``pages.facts["annual_report"]`` (``zwgk.crawlers.annual_report``);
loading whole snapshots to list them for every unit of a national round would read every page of
every site, so :func:`annual_report_pages` takes only the pages that carry a reading, and only
that key of their facts.  :func:`media_overview` is one grouped query for every account's newest
post up to the as-of date (``media_facts`` asks per account, for one unit's rules).  Both take
``unit_ids`` to limit the rows in SQL (a department's scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select

from zwgk.model import Outcome, Page
from zwgk.storage.db import Database
from zwgk.storage.media import MediaAccount, MediaPost, _account
from zwgk.storage.tables import MediaAccountRow, MediaPostRow, PageRow


def annual_report_pages(db: Database, round_id: int, unit_ids: Collection[str] | None = None) -> dict[str, list[Page]]:
    """unit_id → the round's successfully fetched pages that hold a 年报 reading, each with only
    ``facts["annual_report"]`` (what ``zwgk.indicators.rules.annual.reports_by_year`` reads)."""
    report = PageRow.facts["annual_report"]
    query = select(PageRow.unit_id, PageRow.url, PageRow.status, PageRow.kind, PageRow.title, report).where(
        PageRow.round_id == round_id,
        PageRow.outcome == Outcome.OK.value,
        report.as_string().is_not(None),  # JSON path: SQLite json_extract / PostgreSQL ->>, NULL when absent
    )
    if unit_ids is not None:
        query = query.where(PageRow.unit_id.in_(list(unit_ids)))
    with db.session() as s:
        rows = s.execute(query.order_by(PageRow.unit_id, PageRow.url)).all()
    out: dict[str, list[Page]] = {}
    for unit_id, url, status, kind, title, reading in rows:
        if not isinstance(reading, dict):
            continue
        out.setdefault(unit_id, []).append(
            Page(
                url=url,
                status=status,
                outcome=Outcome.OK.value,
                kind=kind,
                title=title or "",
                facts={"annual_report": reading},
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class AccountOverview:
    """An account with its posts known up to the as-of date: how many, and the newest."""

    account: MediaAccount
    posts: int
    last_post: dt.datetime | None


def media_overview(db: Database, as_of: dt.date, unit_ids: Collection[str] | None = None) -> list[AccountOverview]:
    """Every registered account (of ``unit_ids``) with its post count and newest post before
    ``as_of`` (the day the round judged), in unit order."""
    end = dt.datetime.combine(as_of, dt.time())
    newest = (
        select(
            MediaPostRow.account_id.label("account_id"),
            func.max(MediaPostRow.posted_at).label("last_post"),
            func.count().label("posts"),
        )
        .where(MediaPostRow.posted_at < end)
        .group_by(MediaPostRow.account_id)
        .subquery()
    )
    query = select(MediaAccountRow, newest.c.posts, newest.c.last_post).outerjoin(
        newest, newest.c.account_id == MediaAccountRow.id
    )
    if unit_ids is not None:
        query = query.where(MediaAccountRow.unit_id.in_(list(unit_ids)))
    with db.session() as s:
        rows = s.execute(query.order_by(MediaAccountRow.unit_id, MediaAccountRow.id)).all()
        return [AccountOverview(_account(row), int(posts or 0), last) for row, posts, last in rows]


def account_posts(db: Database, unit_id: str, account_id: int, limit: int = 200) -> list[MediaPost]:
    """The newest ``limit`` posts of an account of ``unit_id`` (none when the account is another
    unit's: the unit is part of the statement, so an id alone reaches nothing)."""
    query = (
        select(MediaPostRow)
        .join(MediaAccountRow, MediaAccountRow.id == MediaPostRow.account_id)
        .where(MediaPostRow.account_id == account_id, MediaAccountRow.unit_id == unit_id)
        .order_by(MediaPostRow.posted_at.desc(), MediaPostRow.id.desc())
        .limit(limit)
    )
    with db.session() as s:
        return [MediaPost(r.posted_at, r.title, r.url, r.comments, r.replied, r.source) for r in s.scalars(query)]
