"""``zwgk assess --round NEW --from-archive SOURCE``: a new round judged from SOURCE's archive.

The new round covers SOURCE's units with SOURCE's crawl settings and as-of date
(unless given), crawls them through :class:`zwgk.archive.replay.ReplayFetcher`
(no network at all), takes SOURCE's network-measured site probes, points its own
archive index at SOURCE's records (the evidence is the same bytes), then
evaluates and scores as any round.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from zwgk.app.rounds import History
from zwgk.archive.recorder import round_archive_root
from zwgk.model import ZwgkError
from zwgk.storage import archive as archive_store
from zwgk.storage import rounds as rounds_store
from zwgk.storage.db import Database

ProgressFn = Callable[[dict[str, Any]], None]


def run_round_from_archive(
    db: Database, opts: Any, source: str, progress: ProgressFn | None = None, *, history: History | None = None
) -> Any:
    """Run (or resume) round ``opts.name`` from round ``source``'s archive (``history``: as for
    :func:`zwgk.app.rounds.run_round`)."""
    from zwgk.app.lease import RoundLease
    from zwgk.app.rounds import crawl_prepared, finish_round, prepare_round
    from zwgk.archive.replay import ReplayArchive

    src = rounds_store.require_round(db, source)
    if src.name == opts.name:
        raise ZwgkError(f"--from-archive {source!r}: name a new round with --round (a round cannot re-judge itself)")
    crawl = dict((src.settings or {}).get("crawl") or {})
    mode = crawl.get("archive", "all")
    if mode != "all":
        raise ZwgkError(
            f"round {source!r} was archived with --archive {mode}: only a round archived in full "
            "(--archive all) can be re-judged from its archive"
        )
    if not archive_store.count_round_records(db, src.id):
        raise ZwgkError(
            f"round {source!r} has no archived pages (it ran before zwgk archived rounds, or with --archive none)"
        )
    # Nothing new to record; IPv6 and the spaced homepage checks were measured live (probes copied).
    crawl.update(archive="none", ipv6_probe=False, home_checks=1)
    crawl["archive_dir"] = str(round_archive_root(db, src))
    unit_ids = rounds_store.round_unit_ids(db, src.id)
    if opts.unit_ids:
        unit_ids = [u for u in unit_ids if u in set(opts.unit_ids)]
    opts = dataclasses.replace(
        opts,
        registry=None,
        unit_ids=unit_ids,
        resolver=None,
        allow_private=bool((src.settings or {}).get("allow_private")),
        crawl=crawl,
    )
    with RoundLease(db, opts.name) as lease:  # one process per round, as for a live round
        prepared = prepare_round(db, opts, progress, history=history)
        # The live round's crawl, with the archive standing in for the network.
        crawl_prepared(db, prepared, progress, archive=ReplayArchive(db, src.id, round_archive_root(db, src)))
        for unit in prepared.units:
            archive_store.copy_site_verdict(db, src.id, prepared.info.id, unit.unit_id)
            archive_store.copy_round_records(db, src.id, prepared.info.id, unit.unit_id)
        lease.ensure()
        return finish_round(db, prepared, progress)
