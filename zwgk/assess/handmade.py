"""Findings and vetoes an evaluator adds by hand (人工添加问题), from the CLI and the dashboard.

Some problems no crawler proves — a leaked document seen in a screenshot, a wrong leader's title
in a picture, a tampering the site has already cleaned up — yet 19号 vetoes them.  An evaluator
adds one with the URL, the rule, a note and optionally a screenshot; storage keeps the audit
record (who, when, why) and the finding joins the round's findings, so scores, ranks and
整改清单 follow through the one re-score path (``zwgk.app.review.add_finding_by_hand`` re-scores).
Dismissing it later (``zwgk review dismiss``) takes it out again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zwgk.model import ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database


def add_by_hand(
    db: Database,
    round_id: int,
    rubric: Any,
    *,
    unit_id: str,
    rule: str,
    url: str,
    note: str,
    by: str,
    veto: bool = False,
    points: float | None = None,
    subject: str | None = None,
    screenshot: str | Path | tuple[str, bytes] | None = None,
) -> results.ManualFinding:
    """Store a hand-made finding of catalog rule ``rule`` (the caller re-scores: ``zwgk.app.review``).

    ``veto`` makes it a 单项否决 whatever the rule's own severity; ``points``
    overrides the rule's catalog points.  ``subject`` defaults to ``url``.
    """
    spec = (getattr(rubric, "rules", None) or {}).get(rule)
    if spec is None:
        known = ", ".join(sorted(getattr(rubric, "rules", {}) or {}))
        raise ZwgkError(f"unknown rule {rule!r}; `zwgk rules` lists the codes: {known}")
    if points is not None and points < 0:
        raise ZwgkError(f"points must be ≥ 0, not {points:g}")
    shot: tuple[str, bytes] | None = None
    if isinstance(screenshot, tuple):
        shot = screenshot
    elif screenshot:
        path = Path(screenshot)
        if not path.is_file():
            raise ZwgkError(f"{path}: no such screenshot file")
        shot = (path.name, path.read_bytes())
    severity = "veto" if veto else spec.severity
    pts = float(spec.points if points is None else points)
    label = "单项否决" if severity == "veto" else f"扣 {pts:g} 分" if severity == "deduct" else "提示"
    message = f"评估人员 {by} 人工添加（{spec.name_zh}，{label}）：{note.strip()}（{url}）"
    found = results.add_manual_finding(
        db,
        round_id,
        unit_id,
        rule,
        url,
        note,
        by,
        severity=severity,
        points=pts,
        indicator=spec.indicator,
        message=message,
        fix=spec.fix_zh,
        subject=subject,
        screenshot=shot,
    )
    return found
