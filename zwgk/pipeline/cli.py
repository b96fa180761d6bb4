"""``zwgk assess`` (run a round) and ``zwgk demo`` (the whole path, offline).

Both run the round through the application layer (``zwgk.app``).  Which executors exist
(``--executor local|celery``) and which monitoring history the rules see are handed in by
the root command (``zwgk.cli`` → :func:`register`), so this package imports neither
``zwgk.distributed`` nor ``zwgk.monitor``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from zwgk.model import ZwgkError
from zwgk.pipeline.display import RoundProgress, print_ranking, report_round  # noqa: F401 (public here too)

console = Console()
_services: Any = None  # () -> zwgk.app.RoundServices, set by register()


def _round_services() -> Any:
    from zwgk.app import RoundServices

    return _services() if _services is not None else RoundServices()


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ZwgkError(f"{option} {value!r} is not a date; write it as YYYY-MM-DD") from None


def assess(
    round_name: str = typer.Option(
        ..., "--round", help="Name of the round, e.g. 2026-Q4. Re-running a name resumes it."
    ),
    registry: Path | None = typer.Option(
        None, "--registry", help="Site registry (CSV/XLSX) to import first; the round covers its units."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The day every date rule counts from (YYYY-MM-DD); default today."
    ),
    rubric: str = typer.Option(
        "national-2019", "--rubric", help="Rubric name (see `zwgk rules`) or path to a rubric TOML."
    ),
    weight: float | None = typer.Option(
        None, "--weight", help="政务公开 share of the performance assessment, ≥ 0.04 (default: the rubric's)."
    ),
    resolver: str | None = typer.Option(None, "--resolver", help="Send every DNS lookup (A and AAAA) to HOST:PORT."),
    allow_private: bool = typer.Option(
        False, "--allow-private", help="Permit loopback/private targets (refused by default: SSRF safety)."
    ),
    unit: list[str] | None = typer.Option(None, "--unit", help="Only these unit ids (repeatable)."),
    max_pages: int | None = typer.Option(None, "--max-pages", help="Cap on pages fetched per site."),
    ipv6_sample: str | None = typer.Option(
        None,
        "--ipv6-sample",
        help="IPv6 inner-link samples per site as 二级,三级 (default 20,20): that many same-site links of each level are tried over IPv6; the sizes are stated in the evidence.",
    ),
    ipv6_attempts: int | None = typer.Option(
        None, "--ipv6-attempts", help="Spaced IPv6 requests for each homepage, the IPv6 success rate (default 5)."
    ),
    robots: bool = typer.Option(
        True,
        "--robots/--ignore-robots",
        help="Honour robots.txt (Disallow, Crawl-delay); --ignore-robots only where your inspection mandate covers it.",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
    ),
    executor: str = typer.Option(
        "local", "--executor", help="local (in this process) or celery (workers started with `zwgk worker`)."
    ),
    broker: str | None = typer.Option(
        None, "--broker", help="Celery broker URL (default $ZWGK_BROKER or redis://127.0.0.1:6379/0)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    archive: str = typer.Option(
        "all",
        "--archive",
        help="Web archive (WARC) of the fetched pages: all, findings (only pages behind a finding and the homepage are kept) or none.",
    ),
    archive_dir: Path | None = typer.Option(
        None,
        "--archive-dir",
        help="Where WARC files go (default $ZWGK_ARCHIVE, else archive/ beside the SQLite file, else data/archive).",
    ),
    from_archive: str | None = typer.Option(
        None,
        "--from-archive",
        help="Re-judge round ROUND from its archive, offline (no network): --round names the new round.",
    ),
) -> None:
    """Run an assessment round: crawl every site, apply the rules, score and rank.

    Example: zwgk assess --round 2026-Q4 --registry sites.csv --as-of 2026-11-20

    Every request and response is kept in WARC files (`--archive`); `zwgk evidence`
    extracts the pages behind a finding, and `--from-archive 2026-Q4 --round 2026-Q4-rejudged`
    judges the same evidence again with the current rules.
    """
    from zwgk.app import RoundOptions, run_round, run_round_from_archive
    from zwgk.storage import Database

    database = Database.open(db)
    crawl: dict[str, Any] = {}
    if max_pages is not None:
        crawl["max_pages_per_site"] = max_pages
    if not robots:
        crawl["respect_robots"] = False
    if ipv6_sample is not None:
        parts = [p.strip() for p in ipv6_sample.split(",")]
        if len(parts) not in (1, 2) or not all(p.isdigit() for p in parts):
            raise ZwgkError(f"--ipv6-sample {ipv6_sample!r}: write 二级,三级 sample sizes, e.g. 20,20")
        crawl["ipv6_sample"] = int(parts[0])
        crawl["ipv6_sample_level3"] = int(parts[-1])
    if ipv6_attempts is not None:
        crawl["ipv6_home_attempts"] = ipv6_attempts
    from zwgk.crawlers.settings import ARCHIVE_MODES

    if archive not in ARCHIVE_MODES:
        raise ZwgkError(f"--archive {archive!r}: choose one of {', '.join(ARCHIVE_MODES)}")
    if from_archive is None:
        from zwgk.archive.recorder import archive_root

        crawl["archive"] = archive
        # Stored with the round (absolute), so evidence and workers find the files later.
        crawl["archive_dir"] = str(archive_root(database, str(archive_dir) if archive_dir else ""))
    opts = RoundOptions(
        name=round_name,
        as_of=parse_date(as_of),
        registry=registry,
        rubric=rubric,
        weight=weight,
        resolver=resolver,
        allow_private=allow_private,
        unit_ids=list(unit) if unit else None,
        crawl=crawl,
    )
    services = _round_services()
    if executor not in services.executors:
        raise ZwgkError(f"--executor {executor!r}: choose {' or '.join(services.executors)}")
    if from_archive is not None:
        from zwgk.storage.rounds import require_round

        if as_of is None:
            opts.as_of = require_round(database, from_archive).as_of
    with RoundProgress(console, enabled=not quiet) as progress:
        if from_archive is not None:
            result = run_round_from_archive(database, opts, from_archive, progress=progress, history=services.history)
        else:
            result = run_round(
                database, opts, progress, executor=services.executor(executor, broker), history=services.history
            )
    report_round(result, database.url, console)


def demo(
    sites: int = typer.Option(24, "--sites", help="How many simulated government sites."),
    seed: int = typer.Option(1, "--seed", help="Seed of the simulated web (same seed, same sites and defects)."),
    as_of: str = typer.Option("2026-11-20", "--as-of", help="The assessment date (YYYY-MM-DD)."),
    out: Path = typer.Option(Path("out/demo"), "--out", help="Where exports are written."),
    db: str | None = typer.Option(None, "--db", help="Database (default data/zwgk.db)."),
    dashboard: bool = typer.Option(True, "--dashboard/--no-dashboard", help="Open the dashboard at the end."),
    port: int = typer.Option(8501, "--port", help="Dashboard port."),
) -> None:
    """Run the whole path offline on the bundled simulated web (site farm).

    Starts the farm and its DNS server on loopback, imports its registry, runs a
    round, prints the ranking, writes exports, then opens the dashboard.
    """
    from zwgk.pipeline.demo import run_demo

    run_demo(
        sites=sites,
        seed=seed,
        as_of=parse_date(as_of),
        out=out,
        db_url=db,
        open_dashboard=dashboard,
        port=port,
        console=console,
        history=_round_services().history,
    )


def register(app: typer.Typer, services: Any = None) -> None:
    """Add ``zwgk assess`` and ``zwgk demo``; ``services`` (``() -> zwgk.app.RoundServices``,
    called when a round runs): the executors and monitoring history the root command
    provides (default: in-process, no monitoring history)."""
    global _services
    _services = services
    app.command("assess")(assess)
    app.command("demo")(demo)
