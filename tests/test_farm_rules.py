"""The default farm crawled for real and judged by the rules: the footer / search / 解读率
defects the farm plants are found exactly where its truth says, and nowhere else."""

from __future__ import annotations

import pytest

from zwgk.model import Unit

CODES = ("IDENT-SPONSOR", "CONAC-BADGE", "SEARCH-MISSING", "INTERP-RATE", "INTERP-MISSING", "INTERP-LATE")


@pytest.fixture(scope="module")
def judged(farm, tmp_path_factory):
    """(truth set, found set) of (unit_id, rule, subject) for CODES over the default farm."""
    from zwgk.crawlers import CrawlSettings, crawl_round
    from zwgk.indicators import evaluate, load_rubric
    from zwgk.storage import Database
    from zwgk.storage.registry import upsert_units
    from zwgk.storage.rounds import create_round
    from zwgk.storage.snapshot import load_snapshot

    rubric = load_rubric("national-2019")
    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('farmrules') / 'zwgk.db'}")
    units = [
        Unit(
            unit_id=s["unit_id"],
            name=s["name"],
            tier=s["tier"],
            kind=s["kind"],
            site_url=s["url"],
            site_code=s["site_code"],
        )
        for s in farm.sites
    ]
    upsert_units(db, units)
    info, _ = create_round(db, "farm-rules", as_of=farm.config.as_of, rubric="national-2019", weight=0.05, units=units)
    settings = CrawlSettings(resolver=farm.resolver, allow_private=True, backoff_base=0.2)
    summary = crawl_round(db, info.id, units, settings, rubric.column_synonyms())
    found = set()
    for unit in units:
        if unit.unit_id in summary.failed:
            continue
        snapshot = load_snapshot(db, info.id, unit, farm.config.as_of)
        found |= {(f.unit_id, f.rule, f.subject) for f in evaluate(snapshot, rubric) if f.rule in CODES}
    db.dispose()
    truth = {(d["unit_id"], d["rule"], d["subject"]) for d in farm.truth["defects"] if d["rule"] in CODES}
    return truth, found


@pytest.mark.parametrize("code", CODES)
def test_planted_code_found_exactly(judged, code):
    truth, found = judged
    planted = {t for t in truth if t[1] == code}
    got = {t for t in found if t[1] == code}
    assert planted, f"the default farm plants no {code}"
    assert got == planted, {"missed": sorted(planted - got), "spurious": sorted(got - planted)}
