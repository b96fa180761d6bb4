"""Running one assessment round: registry → crawl → findings → scores.

Each step reads what the previous one stored, so a round that was stopped
(Ctrl-C, kill -9, a crash) is resumed by running the same command again:
sites already crawled are not fetched again, and the evaluation and scoring
steps are pure functions of the stored snapshot, so redoing them gives the
same result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from zwgk.model import Unit, UnitScore, ZwgkError, check_weight
from zwgk.storage import Database
from zwgk.storage import rounds as rounds_store

ProgressFn = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class RoundOptions:
    """What an evaluator chooses for a round (the flags of ``zwgk assess``)."""

    name: str
    as_of: dt.date
    registry: Path | None = None
    rubric: str = "national-2019"
    weight: float | None = None  # None: the rubric's weight
    resolver: str | None = None
    allow_private: bool = False
    unit_ids: list[str] | None = None
    crawl: dict[str, Any] = field(default_factory=dict)  # CrawlSettings overrides


@dataclass(slots=True)
class RoundResult:
    round_id: int
    name: str
    resumed: bool
    units: int
    crawled: int
    failed: dict[str, str]
    findings: int
    scores: list[UnitScore]
    registry_report: Any = None


def _units_for_round(db: Database, opts: RoundOptions, registry_report: Any) -> list[Unit]:
    from zwgk.storage.registry import list_units

    wanted: set[str] | None = None
    if registry_report is not None:
        wanted = {u.unit_id for u in registry_report.units}
    if opts.unit_ids:
        wanted = set(opts.unit_ids) if wanted is None else wanted & set(opts.unit_ids)
    units = list_units(db)
    if wanted is not None:
        units = [u for u in units if u.unit_id in wanted]
    if not units:
        raise ZwgkError(
            "no units to assess: import a site registry first (`zwgk registry import FILE`) "
            "or pass --registry FILE"
        )
    return units


def run_round(db: Database, opts: RoundOptions, progress: ProgressFn | None = None) -> RoundResult:
    """Run (or resume) the round ``opts.name`` and return its scores."""
    from zwgk.assess import score_round, update_rectification
    from zwgk.crawlers import CrawlSettings, crawl_round
    from zwgk.indicators import evaluate, load_rubric
    from zwgk.storage.results import replace_findings
    from zwgk.storage.snapshot import load_snapshot

    emit = progress or (lambda event: None)
    rubric = load_rubric(opts.rubric)
    weight = check_weight(opts.weight if opts.weight is not None else rubric.scoring.weight)

    registry_report = None
    if opts.registry is not None:
        from zwgk.registry import import_registry

        emit({"stage": "registry", "path": str(opts.registry)})
        registry_report = import_registry(db, opts.registry)
    units = _units_for_round(db, opts, registry_report)

    info, resumed = rounds_store.create_round(
        db,
        opts.name,
        as_of=opts.as_of,
        rubric=rubric.name,
        rubric_hash=rubric.hash,
        rubric_text=rubric.text,
        weight=weight,
        units=units,
        settings={
            "resolver": opts.resolver,
            "allow_private": opts.allow_private,
            "crawl": opts.crawl,
            "registry": str(opts.registry) if opts.registry else None,
        },
    )
    emit({"stage": "round", "round": info.name, "resumed": resumed, "units": len(units)})

    settings = CrawlSettings(resolver=opts.resolver, allow_private=opts.allow_private, **opts.crawl)
    emit({"stage": "crawl", "total": len(units)})
    crawl_round(db, info.id, units, settings, rubric.column_synonyms(), progress=progress)

    failed = rounds_store.failed_sites(db, info.id)
    emit({"stage": "evaluate", "total": len(units)})
    history = _history_loader(db, opts.as_of)
    n_findings = 0
    for unit in units:
        if unit.unit_id in failed:
            replace_findings(db, info.id, unit.unit_id, [])
            continue
        snapshot = load_snapshot(db, info.id, unit, opts.as_of)
        snapshot.history = history(unit)
        findings = evaluate(snapshot, rubric)
        replace_findings(db, info.id, unit.unit_id, findings)
        n_findings += len(findings)
        emit({"stage": "evaluated", "unit_id": unit.unit_id, "findings": len(findings)})

    emit({"stage": "score"})
    update_rectification(db, info.id, rubric, opts.as_of)
    scores = score_round(db, info.id, rubric, units, weight=weight, not_measured=failed)
    rounds_store.set_round_status(db, info.id, "done")
    emit({"stage": "done", "round": info.name})
    return RoundResult(
        round_id=info.id,
        name=info.name,
        resumed=resumed,
        units=len(units),
        crawled=len(units) - len(failed),
        failed=failed,
        findings=n_findings,
        scores=scores,
        registry_report=registry_report,
    )


def _history_loader(db: Database, as_of: dt.date) -> Callable[[Unit], list[dict[str, Any]]]:
    """Monitoring probes preceding ``as_of`` (empty when monitoring is not in use)."""
    try:
        from zwgk.monitor.history import probe_history
    except ImportError:
        return lambda unit: []
    return lambda unit: probe_history(db, unit.unit_id, as_of)
