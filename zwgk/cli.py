"""The ``zwgk`` command line.  It only parses and delegates: each stage owns
its commands in its own ``cli.py`` and they are mounted here."""

from __future__ import annotations

import sys
from typing import Any

import typer

from zwgk import __version__
from zwgk.model import ZwgkError

app = typer.Typer(
    name="zwgk",
    help=(
        "zwgk — third-party assessment of government websites and 政务公开.\n\n"
        "A round goes: import a site registry → crawl every site → apply the rule catalog → "
        "score, rank and build each department's 整改清单 → view it in the dashboard.\n\n"
        "Try it offline in one command: `zwgk demo`."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zwgk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """zwgk command line."""


def _mount() -> None:
    # Each stage registers its commands on ``app``; import order = --help order.
    from zwgk.archive import cli as archive_cli
    from zwgk.assess import cli as assess_cli
    from zwgk.dashboard import cli as dashboard_cli
    from zwgk.disclosure import cli as disclosure_cli
    from zwgk.distributed import cli as distributed_cli
    from zwgk.indicators import cli as indicators_cli
    from zwgk.inspect import cli as inspect_cli
    from zwgk.media import cli as media_cli
    from zwgk.monitor import cli as monitor_cli
    from zwgk.pipeline import cli as pipeline_cli
    from zwgk.registry import cli as registry_cli
    from zwgk.sitefarm import cli as farm_cli

    pipeline_cli.register(app, _round_services)  # called when a round runs: start-up stays light
    for module in (
        registry_cli,
        assess_cli,
        indicators_cli,
        farm_cli,
        dashboard_cli,
        monitor_cli,
        distributed_cli,
        inspect_cli,
        archive_cli,
        disclosure_cli,
        media_cli,
    ):
        module.register(app)


def _round_services() -> Any:  # zwgk.app.RoundServices
    """The composition root: the executors ``zwgk assess --executor`` offers and the monitoring
    history every round's rules see.  Only here are zwgk.app, zwgk.distributed and zwgk.monitor
    put together (the Celery executor is imported when chosen: Celery stays optional)."""
    from zwgk.app import LocalExecutor, RoundServices
    from zwgk.monitor.history import probe_history

    def celery(broker: str | None) -> Any:
        from zwgk.distributed.executor import CeleryExecutor

        return CeleryExecutor(broker)

    return RoundServices(executors={"local": lambda broker: LocalExecutor(), "celery": celery}, history=probe_history)


_mount()


def main() -> None:
    """Entry point: user-facing errors print as one clear line, exit code 2."""
    try:
        app()
    except ZwgkError as exc:
        typer.secho(f"错误 / error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except Exception as exc:
        from zwgk.storage.errors import describe

        message = describe(exc)  # disk full, read-only, locked: one line, not a traceback
        if message is None:
            raise
        typer.secho(f"错误 / error: {message}", fg=typer.colors.RED, err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
