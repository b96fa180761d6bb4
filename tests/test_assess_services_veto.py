"""办事服务 judged or 未测评, review candidates confirmed into a veto, findings added by hand.

Real national-2019 rubric, real SQLite (or PostgreSQL), the real `zwgk` CLI app.
"""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from tests.fixtures_assess import add_round, add_units, finding
from zwgk.assess import score_round, update_rectification
from zwgk.assess.rectify import rectification_list
from zwgk.assess.scoring import UNJUDGED, score_website
from zwgk.cli import app
from zwgk.indicators import load_rubric
from zwgk.model import Finding, Unit
from zwgk.storage import results

runner = CliRunner()
PORTAL = Unit("c1", "甲县人民政府", "县", "portal", "http://c1.gov.cn/")
NO_SERVICES = Unit("d2", "甲县档案局", "县", "department", "http://d2.gov.cn/", has_services=False)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich output at 200 columns, so paths and names are not wrapped by the test terminal."""
    from rich.console import Console

    import zwgk.assess.cli as assess_cli

    monkeypatch.setattr(assess_cli, "console", Console(width=200))


def zwgk(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def external(unit: str = "c1") -> Finding:
    f = finding(unit, "SVC-EXTERNAL", f"http://{unit}.gov.cn/", 0, "services", severity="info")
    f.evidence = {"services_unjudged": True, "entries": [{"text": "政务服务网", "url": "http://zwfw.gov.cn/"}]}
    return f


def hidden_link_candidate(unit: str = "c2") -> Finding:
    f = finding(unit, "CONTENT-HIDDEN-LINK", f"http://{unit}.gov.cn/", 0, "function", severity="veto")
    f.evidence = {
        "confidence": "review",
        "links": [{"url": "http://bc.example.com/", "text": "娱乐城", "how": "display:none"}],
    }
    return f


# ---------------------------------------------------------------- 未测评


def test_a_unit_with_services_and_no_judgement_is_unjudged_never_given_the_points():
    rubric = load_rubric("national-2019")
    ipv6 = finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 2, "function")
    unjudged = score_website(PORTAL, [external(), ipv6], rubric)
    svc = unjudged.breakdown["services"]
    assert svc["status"] == UNJUDGED and svc["unjudged"] and svc["available"] == 0.0
    assert unjudged.breakdown["_unjudged"] == ["services"]
    assert any(UNJUDGED in n for n in unjudged.breakdown["_notes"])
    # the other 75 points are scored, scaled like a unit without services: (75 − 2) × 4/3, not 100 − 2
    assert unjudged.score == pytest.approx(round(73 * 4 / 3, 2)) and unjudged.score != 98.0
    # an evaluator's judgement (points earned of 25) makes it judged and replaces the automatic part
    judged = score_website(PORTAL, [external(), ipv6], rubric, services_earned=20)
    assert "unjudged" not in judged.breakdown["services"] and judged.breakdown["services"]["deducted"] == 5.0
    assert judged.score == 93.0 and "_unjudged" not in judged.breakdown
    # rules that judged the site's own guides (no "services_unjudged" finding): judged, scored on 100
    assert score_website(PORTAL, [ipv6], rubric).score == 98.0
    # a unit without services is scaled as before and never 未测评
    none = score_website(NO_SERVICES, [external("d2")], rubric)
    assert none.breakdown["services"]["excluded"] and "unjudged" not in none.breakdown["services"]


def test_a_rubric_with_no_services_rule_never_awards_the_services_points():
    rubric = load_rubric("national-2019")
    rules = {k: v for k, v in rubric.rules.items() if v.indicator != "services"}
    bare = type(rubric)(**{**{f: getattr(rubric, f) for f in rubric.__dataclass_fields__}, "rules": rules})
    r = score_website(PORTAL, [finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 2, "function")], bare)
    assert r.breakdown["services"]["status"] == UNJUDGED


def test_import_manual_accepts_the_services_item_within_its_points(db, db_url, assess_units, tmp_path):
    rubric = load_rubric("national-2019")
    add_units(db, assess_units)
    rid = add_round(db, "2026-11", dt.date(2026, 11, 20), [u.unit_id for u in assess_units], rubric="national-2019")
    results.replace_findings(db, rid, "c1", [external("c1")])
    score_round(db, rid, rubric)
    before = {s.unit_id: s for s in results.list_scores(db, rid)}["c1"]
    assert before.breakdown["services"]["status"] == UNJUDGED
    f = tmp_path / "services.csv"
    f.write_text(
        "单位编码,项目,得分,证据\nc1,办事服务,20,政务服务网上 12 个事项抽查\nc2,services,30,超出\n", encoding="utf-8"
    )
    out = zwgk("scores", "import-manual", str(f), "--round", "2026-11", "--by", "李组长", "--db", db_url)
    assert out.exit_code == 1 and "services.csv:3" in out.output and "at most 25" in out.output
    after = {s.unit_id: s for s in results.list_scores(db, rid)}["c1"]
    assert "unjudged" not in after.breakdown["services"] and after.breakdown["services"]["deducted"] == 5.0
    assert after.score == 95.0


# ---------------------------------------------------------------- review candidates and hand-made vetoes


@pytest.fixture
def content_round(db, db_url, assess_units):
    rubric = load_rubric("national-2019")
    add_units(db, assess_units)
    rid = add_round(db, "2026-11", dt.date(2026, 11, 20), [u.unit_id for u in assess_units], rubric="national-2019")
    results.replace_findings(
        db,
        rid,
        "c2",
        [hidden_link_candidate("c2"), finding("c2", "LINK-PAGE", "http://c2.gov.cn/a", 1, "availability")],
    )
    update_rectification(db, rid, rubric)
    score_round(db, rid, rubric)
    return {"url": db_url, "rid": rid}


def _c2(db, rid):
    return {s.unit_id: s for s in results.list_scores(db, rid)}["c2"]


def test_confirming_a_tampering_candidate_vetoes_and_dismissing_it_restores(db, content_round):
    url, rid = content_round["url"], content_round["rid"]
    candidate = _c2(db, rid)
    assert not candidate.veto and candidate.score == 99.0  # a candidate carries no deduction
    assert [i.rule for i in rectification_list(db, "c2", rid)] == ["LINK-PAGE"]  # and no 整改 item
    out = zwgk(
        "review",
        "confirm",
        "--round",
        "2026-11",
        "--unit",
        "c2",
        "--rule",
        "CONTENT-HIDDEN-LINK",
        "--subject",
        "http://c2.gov.cn/",
        "--reason",
        "首页隐藏区域有博彩链接，已截图",
        "--by",
        "王五",
        "--db",
        url,
    )
    assert out.exit_code == 0, out.output
    vetoed = _c2(db, rid)
    assert vetoed.veto and vetoed.score == 0.0 and not vetoed.passed
    items = rectification_list(db, "c2", rid)
    assert items[0].rule == "CONTENT-HIDDEN-LINK" and items[0].severity == "veto"
    out = zwgk(
        "review",
        "dismiss",
        "--round",
        "2026-11",
        "--unit",
        "c2",
        "--rule",
        "CONTENT-HIDDEN-LINK",
        "--subject",
        "http://c2.gov.cn/",
        "--reason",
        "复核：为本单位合作网站链接，非暗链",
        "--by",
        "赵六",
        "--db",
        url,
    )
    assert out.exit_code == 0, out.output
    restored = _c2(db, rid)
    assert not restored.veto and restored.score == candidate.score
    assert [i.rule for i in rectification_list(db, "c2", rid)] == ["LINK-PAGE"]


def test_a_veto_added_by_hand_has_an_audit_trail_survives_reevaluation_and_can_be_dismissed(
    db, content_round, tmp_path
):
    url, rid = content_round["url"], content_round["rid"]
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    out = zwgk(
        "review",
        "add",
        "--round",
        "2026-11",
        "--unit",
        "c1",
        "--rule",
        "WORDING-LEADER",
        "--url",
        "http://c1.gov.cn/ldxx/",
        "--note",
        "领导信息栏目将县长职务写为副县长",
        "--by",
        "王五",
        "--veto",
        "--screenshot",
        str(shot),
        "--db",
        url,
    )
    assert out.exit_code == 0, out.output
    c1 = {s.unit_id: s for s in results.list_scores(db, rid)}["c1"]
    assert c1.veto and c1.breakdown["_vetoes"] == [{"rule": "WORDING-LEADER", "subject": "http://c1.gov.cn/ldxx/"}]
    [item] = [i for i in rectification_list(db, "c1", rid) if i.rule == "WORDING-LEADER"]
    assert item.evidence["source"] == "manual" and item.evidence["added_by"] == "王五"
    [made] = results.manual_findings(db, rid, "c1")
    assert (made.added_by, made.note, made.screenshot_name) == ("王五", "领导信息栏目将县长职务写为副县长", "shot.png")
    assert results.manual_finding_screenshot(db, made.id) == ("shot.png", PNG)
    listed = zwgk("review", "list", "--round", "2026-11", "--unit", "c1", "--db", url)
    assert "WORDING-LEADER" in listed.output and "王五" in listed.output and "副县长" in listed.output
    # re-evaluating the unit (a re-run of the round) keeps the hand-made finding
    results.replace_findings(db, rid, "c1", [finding("c1", "IPV6-NONE", "http://c1.gov.cn/", 2, "function")])
    assert {f.rule for f in results.list_findings(db, rid, "c1")} == {"IPV6-NONE", "WORDING-LEADER"}
    out = zwgk(
        "review",
        "dismiss",
        "--round",
        "2026-11",
        "--unit",
        "c1",
        "--rule",
        "WORDING-LEADER",
        "--subject",
        "http://c1.gov.cn/ldxx/",
        "--reason",
        "单位已提供任免文件，职务无误",
        "--by",
        "赵六",
        "--db",
        url,
    )
    assert out.exit_code == 0, out.output
    c1 = {s.unit_id: s for s in results.list_scores(db, rid)}["c1"]
    assert not c1.veto and not [i for i in rectification_list(db, "c1", rid) if i.rule == "WORDING-LEADER"]


def test_adding_by_hand_refuses_bad_input_clearly(db, content_round, tmp_path):
    url = content_round["url"]
    bad = tmp_path / "shot.png"
    bad.write_text("not an image")
    base = (
        "review",
        "add",
        "--round",
        "2026-11",
        "--unit",
        "c1",
        "--url",
        "http://c1.gov.cn/",
        "--note",
        "x",
        "--by",
        "王五",
        "--db",
        url,
    )
    for extra, message in (
        (("--rule", "NO-SUCH"), "unknown rule 'NO-SUCH'"),
        (("--rule", "CONTENT-ILLEGAL", "--screenshot", str(bad)), "not a PNG"),
        (("--rule", "CONTENT-ILLEGAL", "--screenshot", str(tmp_path / "none.png")), "no such screenshot"),
    ):
        out = runner.invoke(app, [*base, *extra])
        assert out.exit_code != 0 and message in str(out.exception or out.output)
    assert results.manual_findings(db, content_round["rid"]) == []
