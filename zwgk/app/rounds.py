"""Running one assessment round: registry → crawl → findings → scores.

This is the application layer's round: every entry point (``zwgk assess``, ``zwgk demo``,
the monitor's scheduled rounds, the Celery coordinator and its workers, ``--from-archive``)
runs a round through :func:`run_round` / :func:`prepare_round` / :func:`evaluate_site` /
:func:`finish_round`.  What differs between them is passed in, never imported from here:

* the **executor** (:class:`Executor`) crawls the sites — :class:`LocalExecutor` in this
  process, ``zwgk.distributed.executor.CeleryExecutor`` on workers (which also evaluate
  each site they crawl, so :func:`finish_round` evaluates only the sites no worker did);
* the **monitoring history** (:data:`History`, e.g. ``zwgk.monitor.history.probe_history``)
  the availability rules read; without it a round sees no monitoring.

Each step reads what the previous one stored, so a round that was stopped
(Ctrl-C, kill -9, a crash) is resumed by running the same command again:
sites already crawled are not fetched again, and the evaluation and scoring
steps are pure functions of the stored snapshot, so redoing them gives the
same result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from zwgk.model import Unit, UnitScore, ZwgkError, check_weight
from zwgk.storage import Database
from zwgk.storage import rounds as rounds_store

ProgressFn = Callable[[dict[str, Any]], None]
#: ``history(db, unit_id, as_of)``: the monitoring probes before ``as_of`` (``SiteSnapshot.history``).
History = Callable[[Database, str, dt.date], list[dict[str, Any]]]
T = TypeVar("T")

#: Crawl states of a site whose crawl is over (``crawled``, ``failed``; ``evaluated`` in old rounds).
SITE_DONE_STATES = ("crawled", "failed", "evaluated")


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
            "no units to assess: import a site registry first (`zwgk registry import FILE`) or pass --registry FILE"
        )
    return units


@dataclass(slots=True)
class PreparedRound:
    """A round ready to process: its row, units, rubric and crawl settings."""

    info: Any
    resumed: bool
    units: list[Unit]
    rubric: Any
    weight: float
    settings: Any
    registry_report: Any = None
    history: History | None = None  # monitoring history the rules see; None: no monitoring


def prepare_round(
    db: Database, opts: RoundOptions, progress: ProgressFn | None = None, *, history: History | None = None
) -> PreparedRound:
    """Load the rubric, import the registry, create (or resume) the round."""
    from zwgk.crawlers import CrawlSettings
    from zwgk.indicators import load_rubric

    emit = progress or (lambda event: None)
    rubric = load_rubric(opts.rubric)
    weight = check_weight(opts.weight if opts.weight is not None else rubric.scoring.weight)

    registry_report = None
    if opts.registry is not None:
        from zwgk.registry import import_registry

        emit({"stage": "registry", "path": str(opts.registry)})
        registry_report = import_registry(db, opts.registry)
    units = _units_for_round(db, opts, registry_report)
    if opts.crawl.get("archive", "all") != "none" and not opts.crawl.get("archive_dir"):
        from zwgk.archive.recorder import archive_root

        # Stored with the round (absolute), so evidence, replay and workers find the WARC files.
        opts.crawl = {**opts.crawl, "archive_dir": str(archive_root(db))}

    info, resumed = rounds_store.create_round(
        db,
        opts.name,
        as_of=opts.as_of,
        rubric=rubric.name,
        rubric_hash=rubric.hash,
        rubric_text=rubric.text,
        weight=weight,
        units=units,
        settings=settings_record(opts),
    )
    emit({"stage": "round", "round": info.name, "resumed": resumed, "units": len(units)})
    settings = CrawlSettings(resolver=opts.resolver, allow_private=opts.allow_private, **opts.crawl)
    return PreparedRound(info, resumed, units, rubric, weight, settings, registry_report, history)


def load_prepared(db: Database, round_id: int, *, history: History | None = None) -> PreparedRound:
    """Rebuild a stored round's context (for a worker in another process)."""
    from zwgk.crawlers import CrawlSettings
    from zwgk.indicators import load_rubric
    from zwgk.storage.registry import list_units

    info = rounds_store.require_round_id(db, round_id)
    stored = info.settings
    rubric = load_rubric(stored.get("rubric") or info.rubric)
    if info.rubric_hash and rubric.hash != info.rubric_hash:
        raise ZwgkError(
            f"round {info.name!r} was started with another version of rubric {info.rubric!r} "
            "than this worker has; install the same zwgk and rubric files on every worker"
        )
    units = list_units(db, rounds_store.round_unit_ids(db, round_id))
    settings = CrawlSettings(
        resolver=stored.get("resolver"), allow_private=bool(stored.get("allow_private")), **(stored.get("crawl") or {})
    )
    return PreparedRound(info, True, units, rubric, info.weight, settings, history=history)


def settings_record(opts: RoundOptions) -> dict[str, Any]:
    """The round's options as stored with it (so a worker can rebuild them)."""
    return {
        "resolver": opts.resolver,
        "allow_private": opts.allow_private,
        "crawl": opts.crawl,
        "registry": str(opts.registry) if opts.registry else None,
        "rubric": opts.rubric,
        "partial": bool(opts.unit_ids),  # --unit: some units only (a re-check), not a full round
    }


def evaluate_site(db: Database, prepared: PreparedRound, unit: Unit, failed: dict[str, str]) -> int:
    """Apply the rules to one site's snapshot and store its findings (idempotent).

    A site whose crawl failed is evaluated too: the content rules find nothing
    on a homepage that never opened, but AVAIL-DOWN judges it from monitoring
    history (or, without history, from the crawl's attempts), so an
    unreachable site is vetoed rather than quietly left out of the ranking.
    """
    from zwgk.indicators import evaluate
    from zwgk.indicators.engine import JUDGED_WITHOUT_CONTENT
    from zwgk.indicators.ipv6_support import site_support
    from zwgk.storage.results import replace_findings
    from zwgk.storage.snapshot import load_snapshot, set_site_probe

    as_of = prepared.info.as_of
    snapshot = load_snapshot(db, prepared.info.id, unit, as_of)
    snapshot.history = prepared.history(db, unit.unit_id, as_of) if prepared.history is not None else []
    snapshot.inputs = unit_inputs(db, unit)
    from zwgk.storage.media import media_facts

    media = media_facts(db, unit.unit_id, as_of)  # the unit's 政务新媒体 accounts, imported (MEDIA-*)
    if media:
        snapshot.inputs = {**snapshot.inputs, "media": media}
    findings = evaluate(snapshot, prepared.rubric)
    if unit.unit_id in failed:
        findings = [f for f in findings if f.rule in JUDGED_WITHOUT_CONTENT]
    replace_findings(db, prepared.info.id, unit.unit_id, findings)
    # The IPv6 support degree (0–100, the rubric's weights) beside the findings, for exports,
    # the dashboard and the 季通报; not for a site whose homepage never opened.
    support = None if unit.unit_id in failed else site_support(snapshot, prepared.rubric)
    set_site_probe(db, prepared.info.id, unit.unit_id, "ipv6_support", support)
    if getattr(prepared.settings, "archive", "all") == "findings":
        from zwgk.archive.prune import keep_finding_pages
        from zwgk.archive.recorder import archive_root

        root = archive_root(db, prepared.settings.archive_dir)
        keep_finding_pages(db, prepared.info.id, unit.unit_id, findings, snapshot.homepage, root)
    return len(findings)


def finish_round(
    db: Database,
    prepared: PreparedRound,
    progress: ProgressFn | None = None,
    *,
    evaluated: dict[str, int] | None = None,
) -> RoundResult:
    """Evaluate every site not ``evaluated`` yet, update rectification items, score and rank.

    ``evaluated`` (unit_id → findings stored) names the sites the executor already
    evaluated in this run (Celery workers evaluate the site they crawl): each site is
    evaluated once.

    A failed site that a rule judged (AVAIL-DOWN) is scored — a veto — not
    listed as unmeasured (``score_round`` decides); the others stay out of the
    ranking with their reason.
    """
    from zwgk.assess import score_round, update_rectification

    emit = progress or (lambda event: None)
    info, units = prepared.info, prepared.units
    _require_every_site_done(db, info, units)
    failed = rounds_store.failed_sites(db, info.id)
    emit({"stage": "evaluate", "total": len(units)})
    done = evaluated or {}
    n_findings = 0
    for unit in units:
        by_executor = unit.unit_id in done
        n = done[unit.unit_id] if by_executor else evaluate_site(db, prepared, unit, failed)
        n_findings += n
        # "by": who evaluated the site — the executor (a worker, where it was crawled) or this step
        emit(
            {"stage": "evaluated", "unit_id": unit.unit_id, "findings": n, "by": "executor" if by_executor else "round"}
        )

    emit({"stage": "score"})
    update_rectification(db, info.id, prepared.rubric, info.as_of)
    scores = score_round(db, info.id, prepared.rubric, units, weight=prepared.weight)
    not_measured = {s.unit_id: s.reason for s in scores if not s.measured}
    rounds_store.set_round_status(db, info.id, "done")
    emit({"stage": "done", "round": info.name})
    return RoundResult(
        round_id=info.id,
        name=info.name,
        resumed=prepared.resumed,
        units=len(units),
        crawled=len(units) - len(not_measured),  # measured: crawled, or judged unreachable
        failed=not_measured,
        findings=n_findings,
        scores=scores,
        registry_report=prepared.registry_report,
    )


def _require_every_site_done(db: Database, info: Any, units: list[Unit]) -> None:
    """A ranking is scored only when every site of the round has finished its crawl.

    With the round lease only one process runs a round, so this never fires in normal
    use; it keeps a partial ranking from ever being printed as if it were the round's.
    """
    from zwgk.storage.snapshot import site_states

    states = site_states(db, info.id)
    waiting = [u.unit_id for u in units if states.get(u.unit_id) not in SITE_DONE_STATES]
    if waiting:
        shown = ", ".join(waiting[:5]) + (" …" if len(waiting) > 5 else "")
        raise ZwgkError(
            f"round {info.name!r}: {len(waiting)} site(s) not finished ({shown}); no ranking is printed "
            f"until every site is done — run `zwgk assess --round {info.name}` again to resume it"
        )


class Executor(Protocol):
    """How a round's sites are crawled: in this process or on workers.

    ``crawl`` crawls every site of ``prepared`` not crawled yet and returns the sites it
    also evaluated (unit_id → findings stored), which :func:`finish_round` then skips.
    ``db_step`` runs one database step of the round (take the lease, prepare, finish): the
    Celery coordinator retries a database that is briefly locked or unreachable.
    """

    def crawl(self, db: Database, prepared: PreparedRound, progress: ProgressFn | None) -> dict[str, int]: ...

    def db_step(self, what: str, step: Callable[[], T], db: Database) -> T: ...


class LocalExecutor:
    """Crawl in this process (``zwgk assess``, ``zwgk demo``, scheduled rounds); evaluation is left
    to :func:`finish_round`."""

    def crawl(self, db: Database, prepared: PreparedRound, progress: ProgressFn | None) -> dict[str, int]:
        crawl_prepared(db, prepared, progress)
        return {}

    def db_step(self, what: str, step: Callable[[], T], db: Database) -> T:
        return step()


@dataclass(frozen=True)
class RoundServices:
    """What the composition root (``zwgk.cli``, the one module that may import every package)
    hands to the commands that run rounds (``zwgk assess``, ``zwgk demo``): the executors by
    name (``--executor``; each made from the ``--broker`` value) and the monitoring history."""

    executors: dict[str, Callable[[str | None], Executor]] = field(
        default_factory=lambda: {"local": lambda broker: LocalExecutor()}
    )
    history: History | None = None

    def executor(self, name: str, broker: str | None = None) -> Executor:
        make = self.executors.get(name)
        if make is None:
            raise ZwgkError(f"--executor {name!r}: choose {' or '.join(self.executors)}")
        return make(broker)


def run_round(
    db: Database,
    opts: RoundOptions,
    progress: ProgressFn | None = None,
    *,
    executor: Executor | None = None,
    history: History | None = None,
) -> RoundResult:
    """Run (or resume) the round ``opts.name`` and return its scores.

    ``executor`` crawls the sites (default :class:`LocalExecutor`, this process);
    ``history`` is the monitoring history the rules see (default none).  The round's
    lease is held throughout (``zwgk.app.lease``): a second process asking for the same
    round is refused with this one named.
    """
    from zwgk.app.lease import RoundLease

    run = executor if executor is not None else LocalExecutor()
    lease = RoundLease(db, opts.name)
    run.db_step("take the round lease", lease.acquire, db)
    with lease:
        prepared = run.db_step("prepare round", lambda: prepare_round(db, opts, progress, history=history), db)
        evaluated = run.crawl(db, prepared, progress)
        lease.ensure()
        return run.db_step("finish round", lambda: finish_round(db, prepared, progress, evaluated=evaluated), db)


def crawl_prepared(
    db: Database, prepared: PreparedRound, progress: ProgressFn | None = None, archive: Any = None
) -> Any:
    """Crawl a prepared round's sites in this process.

    ``archive``: a recorder or replayer (``zwgk.archive``); None records per the round's
    ``--archive`` setting (``open_round_archive``; nothing for ``none``).
    """
    from zwgk.archive.recorder import open_round_archive
    from zwgk.crawlers import crawl_round

    if archive is None:
        archive = open_round_archive(db, prepared.info.id, prepared.settings)

    if progress:
        progress({"stage": "crawl", "total": len(prepared.units)})
    return crawl_round(
        db,
        prepared.info.id,
        prepared.units,
        prepared.settings,
        prepared.rubric.column_vocabulary(prepared.settings.column_match_cutoff),
        progress=progress,
        archive=archive,
    )


def unit_inputs(db: Database, unit: Unit) -> dict[str, Any]:
    """What evaluators imported for ``unit`` that rules judge with the snapshot (the 依申请公开 register)."""
    from zwgk.storage.requests import requests_of

    rows = requests_of(db, unit.unit_id)
    return {"requests": [r.to_input() for r in rows]} if rows else {}


def crawl_and_evaluate_site(db: Database, prepared: PreparedRound, unit_id: str) -> dict[str, Any]:
    """One site's work where it is crawled (a Celery worker): crawl it unless done, evaluate it,
    and mark it evaluated so the round's :func:`finish_round` does not evaluate it again.

    Idempotent: a crawled/failed site is not fetched again, findings are replaced as a whole.
    """
    from zwgk.storage.rounds import failed_sites
    from zwgk.storage.snapshot import mark_site_evaluated, site_state

    unit = next((u for u in prepared.units if u.unit_id == unit_id), None)
    if unit is None:
        raise ZwgkError(f"unit {unit_id!r} is not part of round {prepared.info.name!r} in {db.url}")
    round_id = prepared.info.id
    crawled_now = False
    if site_state(db, round_id, unit_id) not in SITE_DONE_STATES:
        one = PreparedRound(
            prepared.info,
            prepared.resumed,
            [unit],
            prepared.rubric,
            prepared.weight,
            prepared.settings,
            history=prepared.history,
        )
        crawl_prepared(db, one)
        crawled_now = True
    state = site_state(db, round_id, unit_id)
    failed = {k: v for k, v in failed_sites(db, round_id).items() if k == unit_id} if state == "failed" else {}
    findings = evaluate_site(db, prepared, unit, failed)
    mark_site_evaluated(db, round_id, unit_id, findings)
    return {"unit_id": unit_id, "state": state, "crawled": crawled_now, "findings": findings}
