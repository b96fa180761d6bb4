"""The default farm crawled for real and judged by the rules: the footer / search / 解读率
defects the farm plants are found exactly where its truth says, and nowhere else."""

from __future__ import annotations

import pytest

from tests.fixtures_farm import DEFAULT_ROUND
from zwgk.model import Unit

CODES = ("IDENT-SPONSOR", "CONAC-BADGE", "SEARCH-MISSING", "INTERP-RATE", "INTERP-MISSING", "INTERP-LATE")


@pytest.fixture(scope="module")
def judged(default_round, tmp_path_factory):
    """(truth set, found set) of (unit_id, rule, subject) for CODES over the default farm: the
    run's round (``default_round``, crawled by ``zwgk assess``), each measured site's stored
    snapshot judged by the rules."""
    import datetime as dt

    from zwgk.indicators import evaluate, load_rubric
    from zwgk.storage import Database
    from zwgk.storage.rounds import failed_sites, require_round
    from zwgk.storage.snapshot import load_snapshot

    rubric = load_rubric("national-2019")
    db = Database.open(default_round.copy_db(tmp_path_factory.mktemp("farmrules")))
    units = [
        Unit(
            unit_id=s["unit_id"],
            name=s["name"],
            tier=s["tier"],
            kind=s["kind"],
            site_url=s["url"],
            site_code=s["site_code"],
        )
        for s in default_round.sites
    ]
    round_id = require_round(db, DEFAULT_ROUND).id
    failed = failed_sites(db, round_id)
    as_of = dt.date.fromisoformat(default_round.as_of)
    found = set()
    for unit in units:
        if unit.unit_id in failed:
            continue
        snapshot = load_snapshot(db, round_id, unit, as_of)
        found |= {(f.unit_id, f.rule, f.subject) for f in evaluate(snapshot, rubric) if f.rule in CODES}
    db.dispose()
    truth = {(d["unit_id"], d["rule"], d["subject"]) for d in default_round.truth["defects"] if d["rule"] in CODES}
    return truth, found


@pytest.mark.parametrize("code", CODES)
def test_planted_code_found_exactly(judged, code):
    truth, found = judged
    planted = {t for t in truth if t[1] == code}
    got = {t for t in found if t[1] == code}
    assert planted, f"the default farm plants no {code}"
    assert got == planted, {"missed": sorted(planted - got), "spurious": sorted(got - planted)}
