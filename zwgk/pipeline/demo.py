"""``zwgk demo``: the whole assessment path on the simulated web, offline.

It is also the walking skeleton's proof: farm → registry → crawl → findings →
scores → exports → dashboard, with nothing but loopback traffic.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from zwgk.storage import Database

DEMO_USERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # (username, password, role, unit ids) — printed so a newcomer can log in
    ("leader", "leader-demo", "leader", ()),
    ("evaluator", "evaluator-demo", "evaluator", ()),
)


def run_demo(
    *,
    sites: int,
    seed: int,
    as_of: dt.date,
    out: Path,
    db_url: str | None,
    open_dashboard: bool,
    port: int,
    console: Console,
    history: Any = None,
) -> None:
    """``history``: the monitoring history the round's rules see (``zwgk.app.History``)."""
    from zwgk.app import RoundOptions, run_round
    from zwgk.assess.exports import export_findings, export_rectification, export_scores
    from zwgk.pipeline.display import RoundProgress, report_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.storage import rounds as rounds_store

    out.mkdir(parents=True, exist_ok=True)
    database = Database.open(db_url)
    round_name = f"demo-{as_of.isoformat()}"
    started = time.monotonic()
    with running_farm(FarmConfig(sites=sites, seed=seed, as_of=as_of)) as farm:
        registry_path = out / "registry.csv"
        farm.write_registry(registry_path)
        farm.write_truth(out / "truth.json")
        console.print(f"模拟网站群 site farm: {sites} 个网站 on 127.0.0.1/::1 port {farm.port}, DNS {farm.resolver}")
        # The farm's ports change from run to run, so a demo round is always fresh.
        rounds_store.delete_round(database, round_name)
        opts = RoundOptions(
            name=round_name,
            as_of=as_of,
            registry=registry_path,
            resolver=farm.resolver,
            allow_private=True,  # the farm lives on loopback
        )
        with RoundProgress(console) as progress:
            result = run_round(database, opts, progress=progress, history=history)
        report_round(result, database.url, console)
        console.print(f"用时 round took {time.monotonic() - started:.1f} s")

        exports = {
            "findings.json": lambda p: export_findings(database, round_name, "json", p),
            "findings.xlsx": lambda p: export_findings(database, round_name, "xlsx", p),
            "scores.csv": lambda p: export_scores(database, round_name, "csv", p),
            "scores.xlsx": lambda p: export_scores(database, round_name, "xlsx", p),
        }
        for filename, write in exports.items():
            write(out / filename)
        departments = [s for s in result.scores if s.kind == "department" and s.measured]
        if departments:
            dept = departments[0].unit_id
            export_rectification(database, dept, "xlsx", out / f"rectification-{dept}.xlsx", round_name)
        _ensure_demo_users(database, departments[0].unit_id if departments else None, console)
        console.print(f"导出文件 exports: {out.resolve()}")

        if open_dashboard:
            from zwgk.dashboard import launch

            console.print(f"仪表盘 dashboard: http://127.0.0.1:{port}  (Ctrl-C 退出 to stop)")
            launch(database.url, port=port, host="127.0.0.1", block=True)  # passes SIGTERM/Ctrl-C on


def _ensure_demo_users(database: Database, department_unit: str | None, console: Console) -> None:
    """Create the demo logins (only ever in the demo's database) and print them."""
    from zwgk.storage import users

    accounts = list(DEMO_USERS)
    if department_unit:
        accounts.append(("dept", "dept-demo", "department", (department_unit,)))
    for name, password, role, unit_ids in accounts:
        if users.get_user(database, name) is None:
            users.add_user(database, name, password, role, list(unit_ids))
    console.print("演示账号 demo logins: " + ", ".join(f"{n}/{p} ({r})" for n, p, r, _ in accounts))
