"""Two real rounds over the site farm: 整改 items re-checked, overdue items cost extra points.

Between the rounds the departments repair half their planted defects
(``FarmConfig(repaired=0.5)``): round 2 finds those items ``fixed`` and the rest
again after the deadline (→ ``overdue`` + extra deduction), and
one site taken down in round 2 is vetoed (AVAIL-DOWN) while its other items stay
open (a site whose content was not seen is never "fixed").  Hand-made rounds in
tests/test_assess_rounds.py cover the same statuses case by case.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_farm import QUICK_HOME_CHECKS
from zwgk.assess import rectification_list
from zwgk.assess.scoring import is_candidate
from zwgk.storage import Database, results


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def two_farm_rounds(tmp_path_factory):
    """Round 1 on the farm as of its date; round 2 on the same farm (same seed, same port) 17 days later.

    The farm dates its content relative to its as-of date, so the second farm is
    the same web a little later: the same planted defects, still unrepaired.
    """
    from zwgk.app import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm

    work = tmp_path_factory.mktemp("farm-rounds")
    db = Database.open(f"sqlite:///{work / 'zwgk.db'}")
    port = _free_port()
    first_day = dt.date(2026, 11, 20)
    later = first_day + dt.timedelta(days=17)  # past the 10-working-day deadline (2026-12-04)
    with running_farm(FarmConfig(sites=6, seed=1, as_of=first_day, port=port)) as farm:
        registry = farm.write_registry(work / "registry.csv")
        first = run_round(
            db,
            RoundOptions(
                name="r1",
                as_of=first_day,
                registry=registry,
                resolver=farm.resolver,
                allow_private=True,
                crawl=QUICK_HOME_CHECKS,
            ),
        )
        truth1 = farm.truth
    # the site taken down in round 2: one judged in round 1 with findings, preferably not vetoed
    # (the small farm plants tampering seen in titles and hidden links, a veto at once, on most sites)
    measured = [s.unit_id for s in first.scores if s.measured]
    down = next(
        u
        for u in sorted(measured, key=lambda u: next(s.veto for s in first.scores if s.unit_id == u))
        if results.list_findings(db, first.round_id, u, include_dismissed=False)
    )
    with running_farm(FarmConfig(sites=6, seed=1, as_of=later, port=port, repaired=0.5)) as farm:
        farm.set_down(down)
        second = run_round(
            db,
            RoundOptions(
                name="r2",
                as_of=later,
                registry=registry,
                resolver=farm.resolver,
                allow_private=True,
                crawl=QUICK_HOME_CHECKS,
            ),
        )
        truth2 = farm.truth
    yield {"db": db, "r1": first, "r2": second, "down": down, "truth1": truth1, "truth2": truth2}
    db.dispose()


def test_unfixed_items_become_overdue_and_cost_the_rubrics_extra_points(two_farm_rounds):
    db, r1, r2 = two_farm_rounds["db"], two_farm_rounds["r1"], two_farm_rounds["r2"]
    s1 = {s.unit_id: s for s in r1.scores}
    s2 = {s.unit_id: s for s in r2.scores}
    checked = charged = 0
    for unit_id, before in s1.items():
        after = s2[unit_id]
        if not (before.measured and after.measured) or unit_id == two_farm_rounds["down"]:
            continue  # the down site's content was not seen in round 2 (its own test below)
        keys1 = {
            f.key
            for f in results.list_findings(db, r1.round_id, unit_id, include_dismissed=False)
            if f.severity in ("veto", "deduct") and not is_candidate(f)
        }  # candidates: no 整改 item
        keys2 = {f.key for f in results.list_findings(db, r2.round_id, unit_id, include_dismissed=False)}
        overdue = sorted(k[1:] for k in keys1 & keys2)
        items = {(i.rule, i.subject): i for i in results.list_rectification_items(db, unit_id)}
        for key in overdue:
            assert items[key].status == "overdue"
            assert [h["status"] for h in items[key].history] == ["open", "overdue"]
        for key in sorted(k[1:] for k in keys1 - keys2):
            assert items[key].status == "fixed" and items[key].closed_round_id == r2.round_id
        new2 = {
            k[1:]
            for k in keys2 - keys1
            if (f := next(f for f in results.list_findings(db, r2.round_id, unit_id) if f.key == k)).severity
            in ("veto", "deduct")
            and not is_candidate(f)
        }
        for key in new2:
            assert items[key].opened_round_id == r2.round_id and items[key].status == "open"
        checked += len(overdue)
        if after.veto:
            assert "rectify" not in after.breakdown  # a veto short-circuits every deduction
            continue
        extra = min(len(overdue) * 1.0, 10.0)  # national-2019: 1 point per overdue item, at most 10
        if overdue:
            charged += 1
            assert after.breakdown["rectify"]["deducted"] == pytest.approx(min(extra, after.score + extra))
        else:
            assert "rectify" not in after.breakdown
    assert checked, "the farm must leave some defects unrepaired between the rounds"
    # the departments repaired half their planted defects: each repaired one that had an item is "fixed"
    key = lambda d: (d["unit_id"], d["rule"], d["subject"])  # noqa: E731
    repaired = {key(d) for d in two_farm_rounds["truth1"]["defects"]} - {
        key(d) for d in two_farm_rounds["truth2"]["defects"]
    }
    items = {(i.unit_id, i.rule, i.subject): i for u in s1 for i in results.list_rectification_items(db, u)}
    judged = [k for k in repaired if k in items and k[0] != two_farm_rounds["down"] and s2[k[0]].measured]
    assert judged, "the repaired farm must fix some items"
    assert {k: items[k].status for k in judged} == {k: "fixed" for k in judged}
    assert charged, "some non-vetoed unit must carry the overdue extra deduction"


def test_a_site_down_in_round_two_is_a_review_candidate_then_a_veto(two_farm_rounds):
    """Down for the whole crawl (no monitoring): AVAIL-DOWN from the crawl's spaced checks is a
    review candidate — one crawl is not the official week of monitoring (issue 18) — so the unit
    is not measured until an evaluator confirms it; confirmed, it is a veto.  Its content was never
    seen, so none of its earlier items is re-checked, let alone "fixed"."""
    from zwgk.assess.ranking import rescore_round

    db, r1, r2, down = two_farm_rounds["db"], two_farm_rounds["r1"], two_farm_rounds["r2"], two_farm_rounds["down"]
    score = next(s for s in r2.scores if s.unit_id == down)
    assert score.measured is False and score.reason.startswith("homepage ")
    [finding] = results.list_findings(db, r2.round_id, down)
    assert finding.rule == "AVAIL-DOWN" and finding.evidence["source"] == "crawl"
    assert finding.needs_review and len(finding.evidence["checks"]) == 3
    items = results.list_rectification_items(db, down)
    assert not [i for i in items if i.opened_round_id == r2.round_id]  # not listed before review

    results.add_review(
        db, r2.round_id, down, "AVAIL-DOWN", finding.subject, "confirmed", "人工复核：首页确实无法打开", "王五"
    )
    rescored = {s.unit_id: s for s in rescore_round(db, r2.round_id)}
    assert rescored[down].measured is True and rescored[down].veto and not rescored[down].passed
    items = results.list_rectification_items(db, down)
    earlier = [i for i in items if i.opened_round_id == r1.round_id]
    assert earlier and {i.status for i in earlier} == {"open"}
    assert all(len(i.history) == 1 for i in earlier)  # not re-checked by round 2
    [new] = [i for i in items if i.opened_round_id == r2.round_id]
    assert new.rule == "AVAIL-DOWN" and new.status == "open"
    assert sorted(i.rule for i in rectification_list(db, down)) == sorted(i.rule for i in items)
