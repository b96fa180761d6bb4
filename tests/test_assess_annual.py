"""年考核: three real farm rounds of one year, a year of probes, bulletins and 整改 → the year's ranking.

The annual score of each unit is recomputed here from the stored parts (round scores, probe
counts, the quarters' bulletins, 整改 items) with the rubric's weights, and must equal what
``zwgk annual`` reports; a rubric with other weights changes the ranking's values accordingly.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from tests.fixtures_farm import QUICK_HOME_CHECKS
from zwgk.indicators import load_rubric
from zwgk.model import RubricError
from zwgk.monitor.annual import COMPONENTS, annual_scores, annual_weights
from zwgk.monitor.bulletin import bulletin_data
from zwgk.storage import Database, results
from zwgk.storage.probes import Probe, add_probes

ROUND_DAYS = (dt.date(2026, 9, 18), dt.date(2026, 10, 20), dt.date(2026, 11, 20))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def year_db(tmp_path_factory):
    """Three rounds on a 6-site farm (the third after half the defects were repaired), plus probes."""
    from zwgk.app.rounds import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm

    work = tmp_path_factory.mktemp("annual")
    db = Database.open(f"sqlite:///{work / 'zwgk.db'}")
    port = _free_port()
    registry = None
    for i, day in enumerate(ROUND_DAYS):
        with running_farm(FarmConfig(sites=6, seed=1, as_of=day, port=port, repaired=0.5 if i == 2 else 0.0)) as farm:
            registry = registry or farm.write_registry(work / "registry.csv")
            run_round(
                db,
                RoundOptions(
                    name=f"2026-{day.month:02d}",
                    as_of=day,
                    registry=registry,
                    resolver=farm.resolver,
                    allow_private=True,
                    crawl=QUICK_HOME_CHECKS,
                ),
            )
    units = [s.unit_id for s in results.list_scores(db, results_round(db, "2026-11"))]
    probes = []
    start = dt.datetime(2026, 7, 1, 0, 0)
    for d in range(0, 140, 7):  # one probe day a week, 20 probes; the second unit fails 3 of them
        for k in range(20):
            at = start + dt.timedelta(days=d, minutes=60 * k)
            for j, unit_id in enumerate(units[:4]):  # units[4:] were never probed
                ok = not (j == 1 and k < 3)
                probes.append(
                    Probe(unit_id, at, ok, 200 if ok else None, 40.0 if ok else None, "" if ok else "timeout")
                )
    add_probes(db, probes)
    yield db
    db.dispose()


def results_round(db, name: str) -> int:
    from zwgk.storage.rounds import require_round

    return require_round(db, name).id


def _expected(db, rubric, year: int = 2026) -> dict[str, float | None]:
    """Each unit's annual score recomputed from the stored parts (the method in the rubric's comment)."""
    weights, veto_score = annual_weights(rubric)
    rounds = [results_round(db, f"2026-{d.month:02d}") for d in ROUND_DAYS]
    end = ROUND_DAYS[-1]
    from zwgk.storage.probes import availability_between

    probes = availability_between(db, dt.date(year, 1, 1), end + dt.timedelta(days=1))
    quarters = [
        q
        for q in (bulletin_data(db, f"{year}Q{n}") for n in (1, 2, 3, 4))
        if q.start <= end and (q.round_name or q.probes)
    ]
    items = [it for it in results.list_rectification_items(db) if it.opened_round_id in rounds and it.deadline <= end]
    out: dict[str, float | None] = {}
    for sc in results.list_scores(db, rounds[-1]):
        per_round = [s for r in rounds for s in results.list_scores(db, r) if s.unit_id == sc.unit_id and s.measured]
        if not per_round:
            out[sc.unit_id] = None
            continue
        comp = {"rounds": sum(veto_score if s.veto else min(s.score, 100.0) for s in per_round) / len(per_round)}
        n, f = probes.get(sc.unit_id, (0, 0))
        if n:
            comp["availability"] = 100.0 * (n - f) / n
        if quarters:
            comp["bulletins"] = (
                100.0 * sum(sc.unit_id not in {s.unit_id for s in q.failing} for q in quarters) / len(quarters)
            )
        mine = [it for it in items if it.unit_id == sc.unit_id]
        comp["rectification"] = 100.0 * sum(it.status == "fixed" for it in mine) / len(mine) if mine else 100.0
        wsum = sum(weights[k] for k in comp)
        out[sc.unit_id] = sum(comp[k] * weights[k] for k in comp) / wsum
    return out


def test_annual_ranking_applies_the_rubric_weights(year_db):
    rubric = load_rubric("national-2019")
    scores = annual_scores(year_db, 2026)
    expected = _expected(year_db, rubric)
    assert len(scores) == 6 and {s.unit_id for s in scores} == set(expected)
    for s in scores:
        assert s.score == pytest.approx(expected[s.unit_id], abs=1e-3), s
        if s.score is not None:
            assert s.rounds >= 1 and set(s.weights) <= set(COMPONENTS)
            assert sum(s.weights.values()) == pytest.approx(1.0)
    # three rounds were measured for every site that opened; the probed units carry all four components
    assert max(s.rounds for s in scores) == 3
    probed = [s for s in scores if s.components["availability"] is not None]
    assert len(probed) == 4 and all(set(s.weights) == set(COMPONENTS) for s in probed if s.score is not None)
    unprobed = [s for s in scores if s.components["availability"] is None and s.score is not None]
    assert unprobed and all("日监测" in s.detail["note"] for s in unprobed)
    failing = [s for s in probed if s.components["availability"] < 100]
    assert len(failing) == 1 and failing[0].components["availability"] == pytest.approx(85.0)
    # ranks per (tier, kind) follow the annual score
    groups: dict[tuple[str, str], list] = {}
    for s in scores:
        if s.rank is not None:
            groups.setdefault((s.tier, s.kind), []).append(s)
    for members in groups.values():
        ordered = sorted(members, key=lambda s: s.rank)
        assert [m.score for m in ordered] == sorted((m.score for m in ordered), reverse=True)
        assert ordered[0].rank == 1


def test_other_weights_change_the_scores(year_db, tmp_path):
    province = tmp_path / "province.toml"
    province.write_text(
        'base = "national-2019"\n[annual]\nrounds = 0.4\navailability = 0.1\n'
        "bulletins = 0.1\nrectification = 0.4\nveto_round_score = 30\n",
        encoding="utf-8",
    )
    rubric = load_rubric(province)
    assert annual_weights(rubric) == (
        {"rounds": 0.4, "availability": 0.1, "bulletins": 0.1, "rectification": 0.4},
        30.0,
    )
    expected = _expected(year_db, rubric)
    for s in annual_scores(year_db, 2026, rubric):
        assert s.score == pytest.approx(expected[s.unit_id], abs=1e-3)


def test_weights_must_sum_to_one(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "national-2019"\n[annual]\nrounds = 0.9\n', encoding="utf-8")
    with pytest.raises(RubricError, match=r"sum to 1\.3"):
        load_rubric(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text('base = "national-2019"\n[annual]\nround = 0.6\n', encoding="utf-8")
    with pytest.raises(RubricError, match="unknown key 'round'"):
        load_rubric(typo)


def test_cli_prints_and_exports_the_ranking(year_db, tmp_path):
    import openpyxl

    from zwgk.cli import app

    url = str(year_db.url)
    out = CliRunner().invoke(app, ["annual", "--year", "2026", "--db", url, "-o", str(tmp_path / "y.xlsx")])
    assert out.exit_code == 0, out.output
    assert "2026年度考核排名" in out.output and "月检查 60%" in out.output
    wb = openpyxl.load_workbook(tmp_path / "y.xlsx")
    assert wb.sheetnames == ["2026年度考核", "计分方法"]
    rows = list(wb["2026年度考核"].iter_rows(min_row=4, values_only=True))
    scores = {s.unit_id: s.score for s in annual_scores(year_db, 2026)}
    assert {r[1]: r[5] for r in rows} == pytest.approx(scores)
    out = CliRunner().invoke(app, ["annual", "--year", "2026", "--db", url, "-o", str(tmp_path / "y.json")])
    assert out.exit_code == 0, out.output
    data = json.loads((tmp_path / "y.json").read_text(encoding="utf-8"))
    assert {d["unit_id"] for d in data} == set(scores) and all("components" in d for d in data)
    out = CliRunner().invoke(app, ["annual", "--year", "2019", "--db", url])
    assert out.exit_code != 0 and "no finished round in 2019" in str(out.exception or out.output)
