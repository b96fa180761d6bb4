"""``zwgk farm serve``: run the simulated government web until Ctrl-C."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import typer

from zwgk.model import ZwgkError

farm_app = typer.Typer(
    help="模拟政府网站群 simulated government websites with recorded defects (ground truth).", no_args_is_help=True
)


@farm_app.command("serve")
def serve(
    sites: int = typer.Option(24, "--sites", help="Number of generated sites."),
    registry: Path | None = typer.Option(
        None, "--registry", help="National-export CSV to take names/codes/hosts from."
    ),
    seed: int = typer.Option(1, "--seed"),
    as_of: str = typer.Option("2026-11-20", "--as-of", help="The farm's 'today' (YYYY-MM-DD)."),
    port: int = typer.Option(0, "--port", help="HTTP port on 127.0.0.1 and ::1 (0 = any free)."),
    dns_port: int = typer.Option(0, "--dns-port", help="DNS port on 127.0.0.1 (0 = any free)."),
    truth: Path | None = typer.Option(None, "--truth", help="Write the ground-truth JSON here."),
    registry_out: Path | None = typer.Option(None, "--registry-out", help="Write the farm's registry CSV here."),
    ledgers: Path | None = typer.Option(
        None,
        "--ledgers",
        help="Write the units' 依申请公开 ledgers (one CSV/XLSX per "
        "unit with a register) into this directory, for `zwgk requests import`.",
    ),
    bench: bool = typer.Option(False, "--bench", help="Benchmark mode: one 127.0.0.1 port per site."),
    no_ipv6: bool = typer.Option(False, "--no-ipv6", help="Do not serve on ::1 / answer AAAA."),
    pages_per_column: int = typer.Option(
        40, "--pages-per-column", help="Upper bound on list items per column (≥ 15; scales the farm)."
    ),
    repaired: float = typer.Option(
        0.0, "--repaired", help="Share (0–1) of planted defects already repaired: the same seed a round later."
    ),
    families: str = typer.Option(
        "trs,hanweb",
        "--families",
        help="Comma-separated template families the sites are drawn from: trs, hanweb, jiyue, "
        "xiangzhen, kaipu (jiyue, xiangzhen and kaipu were written from real pages only); the held-out "
        "lingnan family (written blind) is chosen only by name here.",
    ),
) -> None:
    """Serve the farm (HTTP + DNS) until Ctrl-C."""
    from zwgk.sitefarm import FarmConfig, running_farm

    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        raise ZwgkError(f"--as-of {as_of!r} is not a date; write YYYY-MM-DD") from None
    chosen = tuple(f.strip() for f in families.split(",") if f.strip())
    config = FarmConfig(
        sites=sites,
        registry=registry,
        seed=seed,
        as_of=day,
        port=port,
        dns_port=dns_port,
        ipv6=not no_ipv6,
        bench_mode=bench,
        pages_per_column=pages_per_column,
        repaired=repaired,
        families=chosen,
    )
    started = time.monotonic()
    with running_farm(config) as farm:
        typer.echo(
            f"模拟网站群 farm: {len(farm.farm.specs)} sites, HTTP port {farm.port} (127.0.0.1"
            f"{' and ::1' if config.ipv6 and not bench else ''}), DNS {farm.resolver} "
            f"(started in {time.monotonic() - started:.1f} s)"
        )
        if registry_out:
            farm.write_registry(registry_out)
            typer.echo(f"registry: {registry_out}")
        if ledgers:
            from zwgk.sitefarm.disclosure import write_ledgers

            written = write_ledgers(farm.farm, ledgers)
            typer.echo(f"ledgers: {len(written)} files in {ledgers} (zwgk requests import --unit UNIT_ID FILE)")
        if truth:
            farm.write_truth(truth)
            typer.echo(f"ground truth: {truth} ({len(farm.truth['defects'])} planted defects)")
        first = farm.farm.specs[0]
        typer.echo(f"e.g. {farm.url(first.unit_id)}  (resolve with --resolver {farm.resolver})")
        typer.echo("Ctrl-C 退出 to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            typer.echo("stopped")


def register(app: typer.Typer) -> None:
    """Add ``zwgk farm …`` to the root app."""
    app.add_typer(farm_app, name="farm")
