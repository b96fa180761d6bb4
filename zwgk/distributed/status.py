"""What a round is doing right now, read from the database (for ``zwgk round status``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RoundStatus:
    name: str
    round_id: int
    status: str
    as_of: dt.date
    states: dict[str, int]
    pages: int
    crawling: list[dict[str, Any]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    holder: Any = None  # the round lease (zwgk.storage.leases.LeaseInfo) while a process runs it

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def done(self) -> int:
        return sum(n for s, n in self.states.items() if s in ("crawled", "failed", "evaluated"))


def round_status(db: Any, name: str) -> RoundStatus:
    """Counts by crawl state, pages stored, the sites being crawled and the failed ones."""
    from zwgk.storage import rounds as rounds_store
    from zwgk.storage.leases import get_round_lease
    from zwgk.storage.snapshot import round_page_count, sites_crawling

    info = rounds_store.require_round(db, name)
    states = rounds_store.site_state_counts(db, info.id)
    pages = round_page_count(db, info.id)
    crawling = sites_crawling(db, info.id)
    return RoundStatus(
        name=info.name,
        round_id=info.id,
        status=info.status,
        as_of=info.as_of,
        states=states,
        pages=pages,
        crawling=crawling,
        failed=rounds_store.failed_sites(db, info.id),
        holder=get_round_lease(db, info.name),
    )
