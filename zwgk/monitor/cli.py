"""``zwgk probe`` (one pass), ``zwgk monitor`` (the scheduler), ``zwgk bulletin`` (季通报)."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from pathlib import Path

import typer
from rich.console import Console

from zwgk.model import ZwgkError

console = Console()


def parse_at(value: str | None, option: str = "--at") -> dt.datetime | None:
    """ISO datetime → naive UTC (a value without zone is taken as UTC)."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ZwgkError(
            f"{option} {value!r} is not a date-time; write it as 2026-11-24T08:00 (UTC) or with +08:00"
        ) from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _open(db: str | None):
    from zwgk.storage import Database

    return Database.open(db)


def register(app: typer.Typer) -> None:
    """Add the monitoring commands to the root ``zwgk`` app."""

    @app.command("probe")
    def probe_cmd(
        db: str | None = typer.Option(None, "--db", help="Database URL (default: ZWGK_DB or data/zwgk.db)."),
        resolver: str | None = typer.Option(None, "--resolver", help="DNS server HOST:PORT for every lookup."),
        allow_private: bool = typer.Option(
            False, "--allow-private", help="Permit loopback/private targets (site farm)."
        ),
        at: str | None = typer.Option(None, "--at", help="Record the probes at this ISO time (UTC) instead of now."),
        timeout: float = typer.Option(
            15.0, "--timeout", help="Seconds before a visit counts as not opened (rule: 15)."
        ),
        concurrency: int = typer.Option(32, "--concurrency", help="Homepages fetched at the same time."),
        alerts: Path | None = typer.Option(None, "--alerts", help="Alert config TOML (see docs/monitoring.md)."),
        unit: list[str] | None = typer.Option(None, "--unit", help="Only these unit ids (repeatable)."),
    ) -> None:
        """日监测: probe every registered homepage once (and over IPv6 when its host has AAAA) and store the result.

        A pass during the assessor's own outage (≥80% of ≥5 sites without any answer, no control
        host answering) is stored as unverified, not as the sites' failures (docs/monitoring.md).
        """
        from zwgk.monitor.clock import SimulatedClock, SystemClock
        from zwgk.monitor.probe import ProbeSettings, run_probe_pass

        database = _open(db)
        when = parse_at(at)
        clock = SimulatedClock(when) if when else SystemClock()
        settings = ProbeSettings(
            resolver=resolver, allow_private=allow_private, timeout=timeout, concurrency=concurrency
        )
        on = None
        if alerts is not None:
            from zwgk.monitor.alerts import Notifier, load_alert_config, pass_alerts

            notifier = Notifier(load_alert_config(alerts))
            on = lambda r: pass_alerts(database, r, notifier, clock.now())  # noqa: E731
        result = run_probe_pass(database, settings, clock, unit_ids=unit or None, on_probes=on)
        ok = len(result.probes) - len(result.failures) - len(result.unverified)
        console.print(
            f"监测 probed {len(result.probes)} 个网站 sites at {result.at:%Y-%m-%d %H:%M} UTC: "
            f"[green]{ok} 可访问 ok[/], [red]{len(result.failures)} 无法访问 failed[/]"
            + (f", [yellow]{len(result.unverified)} 未能核验 unverified[/]" if result.unverified else "")
        )
        if result.outage:
            console.print(f"  [yellow]本轮监测未能核验 pass unverified — {result.outage}[/]")
        for p in result.failures:
            console.print(f"  [red]✗[/] {p.unit_id}: {p.error_class} {p.status or ''}")
        for unit_id, reason in result.refused.items():
            console.print(f"  [yellow]跳过 skipped[/] {unit_id}: {reason}")
        if result.ipv6 is not None:
            v6 = result.ipv6
            console.print(f"IPv6 {ipv6_line(v6.summary())}")
            if v6.outage:
                console.print(f"  [yellow]{v6.outage}[/]")
            for p in v6.failures:
                detail = " ".join(str(x) for x in (p.error_class, p.status, v6.errors.get(p.unit_id)) if x)
                console.print(f"  [red]✗ IPv6[/] {p.unit_id}: {detail}")
            if v6.unverified and not v6.outage:
                for p in v6.unverified:
                    console.print(f"  [yellow]未能核验 IPv6 unverified[/] {p.unit_id}: {v6.errors.get(p.unit_id, '')}")
            for unit_id, reason in {**v6.unknown, **v6.refused}.items():
                console.print(f"  [yellow]IPv6 跳过 skipped[/] {unit_id}: {reason}")

    @app.command("monitor")
    def monitor_cmd(
        db: str | None = typer.Option(None, "--db", help="Database URL (default: ZWGK_DB or data/zwgk.db)."),
        resolver: str | None = typer.Option(None, "--resolver", help="DNS server HOST:PORT for every lookup."),
        allow_private: bool = typer.Option(
            False, "--allow-private", help="Permit loopback/private targets (site farm)."
        ),
        probes_per_day: int = typer.Option(
            20, "--probes-per-day", help="Probe passes per day, evenly spread (rule: ≥20)."
        ),
        rubric: str = typer.Option("national-2019", "--rubric", help="Rubric of the monthly and annual rounds."),
        alerts: Path | None = typer.Option(None, "--alerts", help="Alert config TOML (see docs/monitoring.md)."),
        bulletin_dir: Path = typer.Option(Path("bulletins"), "--bulletin-dir", help="Where quarterly bulletins go."),
        no_rounds: bool = typer.Option(
            False, "--no-rounds", help="No monthly/annual rounds (probes, alerts and bulletins still run)."
        ),
        until: str | None = typer.Option(
            None, "--until", help="Stop at this ISO time (UTC); default: run until stopped."
        ),
        timeout: float = typer.Option(
            15.0, "--timeout", help="Seconds before a visit counts as not opened (rule: 15)."
        ),
    ) -> None:
        """日监测+月检查+季通报+年考核: run the monitoring cycle until stopped (SIGTERM/Ctrl-C)."""
        from zwgk.monitor.alerts import load_alert_config
        from zwgk.monitor.clock import SystemClock
        from zwgk.monitor.schedule import MonitorConfig, Scheduler, build_jobs

        if probes_per_day < 20:
            console.print(f"[yellow]注意 note: {probes_per_day} probes/day is below the rule's ≥20 per day[/]")
        database = _open(db)
        config = MonitorConfig(
            probes_per_day=probes_per_day,
            resolver=resolver,
            allow_private=allow_private,
            rubric=rubric,
            bulletin_dir=bulletin_dir,
            rounds=not no_rounds,
            annual=not no_rounds,
            probe_timeout=timeout,
            alerts=load_alert_config(alerts) if alerts is not None else None,
        )
        stop = threading.Event()
        clock = SystemClock(stop)
        scheduler = Scheduler(clock, build_jobs(database, config, clock), db=database)

        def _stop(signum, frame):
            console.print("[yellow]停止 stopping after the current job…[/]")
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        for job in scheduler.jobs:
            if job.caught_up:
                console.print(
                    f"  {job.name:15s} [yellow]补做 catching up: due {job.due:%Y-%m-%d %H:%M} UTC was missed "
                    "while the monitor was down; running it now[/]"
                )
            else:
                console.print(f"  {job.name:15s} next {job.due:%Y-%m-%d %H:%M} UTC")
        console.print(f"监测已启动 monitoring {database.url} ({probes_per_day} probes/day)")
        for _run in _forever(scheduler, stop, parse_at(until, "--until")):
            pass

    @app.command("bulletin")
    def bulletin_cmd(
        quarter: str = typer.Option(..., "--quarter", help="The quarter, e.g. 2026Q4."),
        output: Path | None = typer.Option(
            None, "-o", "--output", help="Output file (default bulletin-QUARTER.FORMAT)."
        ),
        fmt: str = typer.Option("pdf", "--format", help="pdf or xlsx."),
        db: str | None = typer.Option(None, "--db", help="Database URL (default: ZWGK_DB or data/zwgk.db)."),
        round_name: str | None = typer.Option(
            None,
            "--round",
            help="Base the pass rates and failing sites on this finished round (default: the quarter's latest full "
            "round; partial rounds, started with --unit, only when named here).",
        ),
    ) -> None:
        """季通报: the quarter's monitoring bulletin (availability, pass rates, failing sites, 整改)."""
        from zwgk.monitor.bulletin import build_quarterly_bulletin, parse_quarter

        parse_quarter(quarter)
        path = output or Path(f"bulletin-{quarter.upper()}.{fmt.lower()}")
        data = build_quarterly_bulletin(_open(db), quarter, path, fmt, round_name)
        console.print(
            f"季通报 bulletin {data.quarter} → {path}: {data.sites_monitored} 个网站 monitored, "
            f"{len(data.failing)} 个存在问题 failing; 测评轮次 round {data.round_name or '—'}"
            + (" (部分单位 partial)" if data.round_partial else "")
        )


def ipv6_line(counts: dict) -> str:
    """One line of a pass's IPv6 counts (``Ipv6Pass.summary`` / the probe job's result)."""
    probed = int(counts.get("ipv6_probes", 0))
    failed = int(counts.get("ipv6_failures", 0))
    return (
        f"探测 probed {probed} 个网站 sites: [green]{probed - failed} 可访问 ok[/], "
        f"[red]{failed} 无法访问 failed[/], {counts.get('ipv6_unverified', 0)} 未能核验 unverified, "
        f"{counts.get('ipv6_no_aaaa', 0)} 无AAAA记录 no AAAA"
    )


def _run_result(run) -> str:
    """A job run's result for the log line; a probe pass as IPv4 and IPv6 counts."""
    result = run.result
    if not (isinstance(result, dict) and "probes" in result and "ipv6_probes" in result):
        return str(result)
    text = (
        f"{result['probes']} probes, {result['failures']} failures, {result.get('unverified', 0)} unverified, "
        f"{result['refused']} refused; IPv6 " + ipv6_line(result)
    )
    if result.get("outage"):
        text += f"\n  [yellow]本轮监测未能核验 pass unverified — {result['outage']}[/]"
    if result.get("ipv6_outage"):
        text += f"\n  [yellow]{result['ipv6_outage']}[/]"
    return text


def _forever(scheduler, stop: threading.Event, until: dt.datetime | None = None):
    """Run the scheduler job by job until ``stop`` is set (or ``until``), yielding each run."""
    while not stop.is_set():
        runs = scheduler.run(until=until, stop=stop, max_runs=1)
        if not runs:
            break
        run = runs[0]
        status = "[green]ok[/]" if run.ok else f"[red]failed: {run.error}[/]"
        late = " (补做 caught up)" if run.caught_up else ""
        console.print(f"{run.due:%Y-%m-%d %H:%M} {run.job}{late}: {status} {_run_result(run) if run.ok else ''}")
        yield run
