"""``zwgk evidence``: the archived pages behind a finding, as files, an index and a WARC."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console

console = Console()


def evidence(
    round_name: str = typer.Option(..., "--round", help="The round whose archive is read."),
    unit: str = typer.Option(..., "--unit", help="Unit id."),
    rule: str | None = typer.Option(None, "--rule", help="Only the finding(s) of this rule code."),
    subject: str | None = typer.Option(None, "--subject", help="Only the finding with this subject (with --rule)."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Output directory (default evidence/<round>-<unit>)."),
    with_warc: bool = typer.Option(False, "--warc", help="Also write evidence.warc.gz with the original WARC records."),
    screenshots: bool = typer.Option(
        False,
        "--screenshots",
        help="Also a PNG of the archived homepage in headless Chromium (offline, scripts off), stored beside the archive.",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite path (default data/zwgk.db, or $ZWGK_DB)."
    ),
) -> None:
    """证据 Write the archived pages behind a unit's findings (and its homepage) to a directory.

    Each page: its body as received (*.source.txt, never .html), its response headers,
    an inert rendering without scripts or external requests (*.safe.html), and an index
    (index.json, 索引.txt) with fetch time, status and WARC location.

    Example: zwgk evidence --round 2026-Q4 --unit 3609220011 --rule LINK-PAGE --subject http://… --warc
    """
    from zwgk.archive.evidence import collect, write_evidence
    from zwgk.archive.recorder import round_dir_name
    from zwgk.archive.warc import safe_name
    from zwgk.storage import Database
    from zwgk.storage.rounds import require_round

    database = Database.open(db)
    ev = collect(database, round_name, unit, rule, subject)
    target = out or Path("evidence") / f"{safe_name(round_name)}-{safe_name(unit)}"
    index = write_evidence(ev, target, with_warc)
    if screenshots:
        from zwgk.archive.screenshot import screenshot_html

        home = next((p for p in ev.pages if p.url == ev.homepage), None)
        if home is None or home.safe_rendering() is None:
            console.print("[yellow]首页未存档或不是 HTML，未截图 (homepage not archived as HTML: no screenshot)[/]")
        else:
            info = require_round(database, round_name)
            beside = ev.root / round_dir_name(info.id, info.name) / f"{safe_name(unit)}.home.png"
            screenshot_html(home.safe_rendering() or "", beside)
            shutil.copyfile(beside, target / "homepage.png")
            console.print(f"首页截图 homepage screenshot: {beside}")
    console.print(
        f"证据 evidence: {len(index['pages'])} 个页面 pages, {len(index['findings'])} 个问题 findings → {target}"
    )


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence)
