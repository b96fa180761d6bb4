"""One re-score path: dismissing a finding in the dashboard does what `zwgk review dismiss` does.

A real round over the site farm (real SQLite, real national rubric) is copied; the same
finding is dismissed through the dashboard's query layer in one copy and through the CLI
in the other.  Both drop the finding's 整改 item, raise the unit's score and re-rank the
round, and the two databases end with the same scores, ranks and 整改 items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.fixtures_farm import QUICK_HOME_CHECKS
from zwgk.assess.scoring import rank_scores
from zwgk.cli import app as cli_app
from zwgk.dashboard import queries
from zwgk.dashboard.viewer import Viewer
from zwgk.storage import Database, results
from zwgk.storage.rounds import require_round

ROUND = "farm-review"
EVALUATOR = Viewer("evaluator", "evaluator")


@pytest.fixture(scope="module")
def farm_round(tmp_path_factory) -> Path:
    """A finished farm round in a SQLite file (copied per path under test)."""
    from zwgk.app import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm

    work = tmp_path_factory.mktemp("app-review")
    path = work / "zwgk.db"
    db = Database.open(f"sqlite:///{path}")
    try:
        with running_farm(FarmConfig(sites=8, pages_per_column=20)) as farm:
            registry = work / "registry.csv"
            farm.write_registry(registry)
            run_round(
                db,
                RoundOptions(
                    name=ROUND,
                    as_of=dt.date.fromisoformat(farm.truth["as_of"]),
                    registry=registry,
                    resolver=farm.resolver,
                    allow_private=True,
                    crawl={"archive": "none", **QUICK_HOME_CHECKS},
                ),
            )
    finally:
        db.dispose()
    return path


def _copy(src: Path, dst: Path) -> Database:
    shutil.copy(src, dst)
    return Database.open(f"sqlite:///{dst}")


def _state(db: Database, round_id: int) -> tuple[dict, set]:
    scores = {s.unit_id: (s.score, s.rank, s.veto, s.passed) for s in results.list_scores(db, round_id)}
    items = {(i.unit_id, i.rule, i.subject, i.status) for i in results.list_rectification_items(db)}
    return scores, items


def _target(db: Database, round_id: int) -> results.FindingView:
    """A deducting finding in force, with a 整改 item, of a measured unit that is not vetoed."""
    scores = {s.unit_id: s for s in results.list_scores(db, round_id)}
    items = {(i.unit_id, i.rule, i.subject) for i in results.list_rectification_items(db) if i.status != "fixed"}
    candidates = [
        f
        for f in results.list_findings(db, round_id)
        if f.in_force
        and f.severity == "deduct"
        and f.points > 0
        and f.key in items
        and scores[f.unit_id].measured
        and not scores[f.unit_id].veto
    ]
    assert candidates, "the farm round has no deducting finding with a 整改 item"
    return max(candidates, key=lambda f: (f.points, f.unit_id, f.rule, f.subject))


def test_dismissing_in_the_dashboard_rebuilds_rectification_and_rank_like_the_cli(farm_round, tmp_path):
    dash_db = _copy(farm_round, tmp_path / "dashboard.db")
    cli_path = tmp_path / "cli.db"
    cli_db = _copy(farm_round, cli_path)
    try:
        round_id = require_round(dash_db, ROUND).id
        target = _target(dash_db, round_id)
        before_scores, before_items = _state(dash_db, round_id)
        assert (target.unit_id, target.rule, target.subject) in {i[:3] for i in before_items}

        # The dashboard's path (工作台): the role-checked query layer, nothing else.
        queries.review_finding(
            dash_db, EVALUATOR, round_id, target.unit_id, target.rule, target.subject, "dismissed", "复核：误报"
        )
        # The CLI's path.
        run = CliRunner().invoke(
            cli_app,
            [
                "review",
                "dismiss",
                "--round",
                ROUND,
                "--unit",
                target.unit_id,
                "--rule",
                target.rule,
                "--subject",
                target.subject,
                "--reason",
                "复核：误报",
                "--by",
                "evaluator",
                "--db",
                str(cli_path),
            ],
            catch_exceptions=False,
        )
        assert run.exit_code == 0, run.output

        dash_scores, dash_items = _state(dash_db, round_id)
        cli_scores, cli_items = _state(cli_db, round_id)
        # Its 整改 item is gone (the dashboard used to keep it), the same as through the CLI.
        key = (target.unit_id, target.rule, target.subject)
        assert key not in {i[:3] for i in dash_items if i[3] != "fixed"}
        assert key not in {i[:3] for i in cli_items if i[3] != "fixed"}
        assert dash_items == cli_items
        # The score rose and the ranks follow the new scores, identically on both paths.
        assert dash_scores[target.unit_id][0] > before_scores[target.unit_id][0]
        assert dash_scores == cli_scores
        stored = results.list_scores(dash_db, round_id)
        reranked = rank_scores([dataclasses.replace(s) for s in stored])
        assert {s.unit_id: s.rank for s in reranked} == {s.unit_id: s.rank for s in stored}
        # What the dashboard shows is what was stored.
        shown = queries.ranking(dash_db, EVALUATOR, round_id).set_index("unit_id")
        assert shown.loc[target.unit_id, "score"] == dash_scores[target.unit_id][0]
        assert key not in {
            (r.unit_id, r.rule, r.subject)
            for r in queries.rectification(
                dash_db, EVALUATOR, unit_id=target.unit_id, today=dt.date(2000, 1, 1)
            ).itertuples()
            if r.status != "fixed"
        }
    finally:
        dash_db.dispose()
        cli_db.dispose()
