"""``zwgk worker`` (a Celery worker for distributed rounds), ``zwgk beat`` (the
monitoring cycle on Celery beat) and ``zwgk round status``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # imported when a command runs, so `zwgk --help` stays quick
    from zwgk.distributed.status import RoundStatus

round_app = typer.Typer(help="Rounds: `zwgk round list`, `zwgk round status --round NAME`.", no_args_is_help=True)


def worker(
    concurrency: int = typer.Option(
        0, "--concurrency", "-c", help="Sites crawled at once by this worker (processes/threads; default: CPU count)."
    ),
    pool: str = typer.Option(
        "prefork", "--pool", help="prefork (one process per site, default), threads (many sites, one process) or solo."
    ),
    broker: str | None = typer.Option(
        None, "--broker", help="Redis URL (default $ZWGK_BROKER or redis://127.0.0.1:6379/0)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="The database this worker serves, as this machine reaches it (default $ZWGK_DB, else data/zwgk.db); "
        "tasks of rounds on another database are refused. Keep passwords out of it (libpq password file).",
    ),
    name: str | None = typer.Option(None, "--name", help="Worker name (default zwgk-PID@HOST)."),
    loglevel: str = typer.Option("INFO", "--loglevel", help="DEBUG, INFO, WARNING or ERROR."),
) -> None:
    """Run a worker that crawls and evaluates sites of distributed rounds.

    Start one or more per machine, then run `zwgk assess --executor celery`. The worker takes
    its database from its own configuration (--db, else ZWGK_DB) and its broker from ZWGK_BROKER
    (or --broker): put passwords in the environment or a password file, never on the command line.
    Example: ZWGK_DB=postgresql+psycopg://zwgk@10.0.0.5/zwgk PGPASSFILE=~/.pgpass zwgk worker -c 4
    """
    from zwgk.distributed.celery_app import app, configure
    from zwgk.distributed.config import QUEUE, masked, resolve_broker
    from zwgk.model import ZwgkError

    if pool not in ("prefork", "threads", "solo"):
        raise ZwgkError(f"--pool {pool!r}: choose prefork, threads or solo")
    from zwgk.storage.db import resolve_url

    url = resolve_broker(broker)
    os.environ["ZWGK_BROKER"] = url  # prefork children re-read it
    db_url = resolve_url(db)
    os.environ["ZWGK_DB"] = db_url  # the database every task of this worker uses (children too)
    configure(url)
    check_broker(url)
    _, served = describe_database(db_url)
    n = concurrency or os.cpu_count() or 1
    argv = [
        "worker",
        f"--pool={pool}",
        f"--concurrency={1 if pool == 'solo' else n}",
        f"--loglevel={loglevel}",
        "--queues",
        QUEUE,
        "--hostname",
        name or f"zwgk-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    # Import the heavy stages once, before the pool starts (prefork children inherit
    # them), so a worker's first site is not slower than the others.
    import zwgk.app
    import zwgk.crawlers
    import zwgk.indicators  # noqa: F401

    typer.echo(f"zwgk worker: broker {masked(url)}, {served}, pool {pool} × {1 if pool == 'solo' else n}")
    app.worker_main(argv)


def beat(
    broker: str | None = typer.Option(
        None, "--broker", help="Redis URL (default $ZWGK_BROKER or redis://127.0.0.1:6379/0)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="The deployment's database (default: ZWGK_DB or data/zwgk.db); jobs name it by fingerprint and "
        "only workers serving it run them.",
    ),
    resolver: str | None = typer.Option(None, "--resolver", help="DNS server HOST:PORT for every lookup."),
    allow_private: bool = typer.Option(False, "--allow-private", help="Permit loopback/private targets (site farm)."),
    probes_per_day: int = typer.Option(20, "--probes-per-day", help="Probe passes per day, evenly spread (rule: ≥20)."),
    rubric: str = typer.Option("national-2019", "--rubric", help="Rubric of the monthly and annual rounds."),
    alerts: Path | None = typer.Option(
        None, "--alerts", help="Alert config TOML (see docs/monitoring.md), read by the workers."
    ),
    bulletin_dir: Path = typer.Option(
        Path("bulletins"), "--bulletin-dir", help="Where the workers write quarterly bulletins."
    ),
    no_rounds: bool = typer.Option(
        False, "--no-rounds", help="No monthly/annual rounds (probes, alerts and bulletins still run)."
    ),
    timeout: float = typer.Option(15.0, "--timeout", help="Seconds before a visit counts as not opened (rule: 15)."),
    schedule_file: Path = typer.Option(
        Path("celerybeat-schedule"), "--schedule-file", help="Where beat keeps the last run of each job."
    ),
    loglevel: str = typer.Option("INFO", "--loglevel", help="DEBUG, INFO, WARNING or ERROR."),
) -> None:
    """日监测+月检查+季通报+年考核 on Celery beat: sends the monitoring jobs to the `zwgk worker`s.

    Run exactly one beat per deployment, instead of `zwgk monitor`, when rounds run on the
    Celery executor. Example: zwgk beat --broker redis://10.0.0.5:6379/0 --db postgresql+psycopg://zwgk@10.0.0.5/zwgk
    """
    from zwgk.distributed.celery_app import app, configure
    from zwgk.distributed.config import masked, resolve_broker
    from zwgk.model import ZwgkError
    from zwgk.monitor.schedule import MonitorConfig, beat_schedule
    from zwgk.storage.db import resolve_url

    if probes_per_day < 1:
        raise ZwgkError(f"--probes-per-day {probes_per_day}: must be at least 1 (the rule asks for ≥20)")
    url = resolve_broker(broker)
    configure(url)
    check_broker(url)
    fingerprint, served = describe_database(resolve_url(db))
    config = MonitorConfig(
        probes_per_day=probes_per_day,
        resolver=resolver,
        allow_private=allow_private,
        probe_timeout=timeout,
        rubric=rubric,
        rounds=not no_rounds,
        annual=not no_rounds,
        bulletin_dir=bulletin_dir.resolve(),
        db_fingerprint=fingerprint,
    )
    schedule = beat_schedule(config)
    if alerts is not None:
        if not alerts.is_file():
            raise ZwgkError(f"--alerts {alerts}: no such file")
        for entry in schedule.values():
            if entry["task"] in ("zwgk.monitor.probe_pass", "zwgk.monitor.round"):
                entry["kwargs"]["alerts_config"] = str(alerts.resolve())
    app.conf.beat_schedule = schedule
    typer.echo(f"zwgk beat: broker {masked(url)}, {served}, {len(schedule)} jobs: " + ", ".join(sorted(schedule)))
    app.Beat(loglevel=loglevel, schedule=str(schedule_file)).run()


def describe_database(db_url: str) -> tuple[str, str]:
    """Open the database once (migrating it): (its fingerprint, "database FP (URL without password)").

    Fails at start, with one line, when the database cannot be opened: a worker or beat
    that cannot reach its database must not look healthy until its first job.  The
    handle is closed again (a prefork pool must not inherit its connections).
    """
    from zwgk.storage import Database
    from zwgk.storage.identity import database_fingerprint

    database = Database.open(db_url)
    try:
        fingerprint = database_fingerprint(database)
        return fingerprint, f"database {fingerprint} ({database.url})"
    finally:
        database.dispose()


def check_broker(url: str) -> None:
    """Fail at start when Redis refuses our credentials; only warn when it is unreachable.

    An unreachable Redis is waited for (workers and beat reconnect forever), but a
    wrong or missing password never fixes itself: say so now, not when the first job
    is due hours later.
    """
    import logging

    import redis

    from zwgk.distributed.config import masked
    from zwgk.model import ZwgkError

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.exceptions.AuthenticationError as exc:
        raise ZwgkError(
            f"broker {masked(url)} refused the credentials ({exc}); put the Redis user and password in "
            "ZWGK_BROKER (an env file readable by the service user, e.g. /etc/zwgk/worker.env)"
        ) from None
    except redis.exceptions.ResponseError as exc:
        if "NOAUTH" in str(exc) or "NOPERM" in str(exc) or "WRONGPASS" in str(exc):
            raise ZwgkError(
                f"broker {masked(url)} needs other credentials ({exc}); put the Redis user and password in "
                "ZWGK_BROKER (an env file readable by the service user, e.g. /etc/zwgk/worker.env)"
            ) from None
        raise
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
        logging.getLogger(__name__).warning("broker %s unreachable at start (%s): waiting for it", masked(url), exc)
    finally:
        client.close()


def status(
    round_name: str = typer.Option(..., "--round", help="Name of the round."),
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
    ),
    watch: float = typer.Option(
        0.0, "--watch", help="Refresh every N seconds until the round is done (0: print once)."
    ),
) -> None:
    """Show a round's progress: sites per state, pages stored, sites being crawled, failures."""
    from zwgk.distributed.status import round_status
    from zwgk.storage import Database

    database = Database.open(db)
    while True:
        st = round_status(database, round_name)
        _print_status(st)
        if watch <= 0 or st.status == "done":
            return
        time.sleep(watch)


def _print_status(st: RoundStatus) -> None:
    from rich.console import Console

    console = Console(soft_wrap=True)
    states = ", ".join(f"{k} {v}" for k, v in sorted(st.states.items()))
    console.print(f"轮次 round [bold]{st.name}[/] (id {st.round_id}, as-of {st.as_of}): 状态 status {st.status}")
    console.print(f"站点 sites {st.done}/{st.total} 完成 done   ({states})   页面 pages {st.pages}")
    if st.holder is not None:
        expired = "  [yellow](lease expired: holder gone?)[/]" if st.holder.expired() else ""
        console.print(
            f"运行者 run by {st.holder.owner}, heartbeat {st.holder.heartbeat_at:%H:%M:%S} UTC{expired}",
            highlight=False,
        )
    for row in st.crawling[:20]:
        console.print(
            f"  抓取中 crawling {row['unit_id']} {row['site_url']} since {row['started_at']} (attempt {row['attempts']})"
        )
    if len(st.crawling) > 20:
        console.print(f"  … {len(st.crawling) - 20} more crawling")
    for unit_id, reason in sorted(st.failed.items())[:20]:
        console.print(f"  [yellow]未测评 failed[/] {unit_id}: {reason}")


def list_cmd(
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
    ),
) -> None:
    """List the rounds, oldest first: as-of date, status, sites; partial rounds (--unit) marked 部分单位."""
    from rich.console import Console

    from zwgk.storage import Database
    from zwgk.storage import rounds as rounds_store

    database = Database.open(db)
    console = Console(soft_wrap=True, highlight=False)
    rounds = rounds_store.list_rounds(database)
    if not rounds:
        console.print("还没有测评轮次 no rounds yet (run `zwgk assess`)")
    for info in rounds:
        sites = sum(rounds_store.site_state_counts(database, info.id).values())
        mark = "  [yellow]部分单位 partial[/]" if info.partial else ""
        console.print(f"{info.name}  as-of {info.as_of}  {info.status}  {sites} 个单位 sites{mark}")


round_app.command("status")(status)
round_app.command("list")(list_cmd)


def register(app: typer.Typer) -> None:
    """Add ``zwgk worker``, ``zwgk beat`` and ``zwgk round …`` to the root ``zwgk`` app."""
    app.command("worker")(worker)
    app.command("beat")(beat)
    app.add_typer(round_app, name="round")
