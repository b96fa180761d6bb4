"""The farm's generation and ground truth, without the network."""

from __future__ import annotations

import dataclasses
import datetime as dt

from zwgk.indicators import rule_codes
from zwgk.sitefarm import FarmConfig
from zwgk.sitefarm.disclosure_codes import DISCLOSURE_CODES
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.specs import ALL_CODES, CONTENT_CODES, NOT_PLANTED, PLAN_CODES
from zwgk.sitefarm.substance_codes import SUBSTANCE_CODES
from zwgk.sitefarm.truth import build_truth, site_defects
from zwgk.sitefarm.workdays import workdays_between


def _truth(**config) -> dict:
    farm = Farm(FarmConfig(**config))
    farm.origins.port = 8080
    return build_truth(farm)


def test_default_farm_plants_every_rule_code(farm):
    from zwgk.indicators import load_rubric

    catalog = set(load_rubric("national-2019").rules)
    rules = {d["rule"] for d in farm.truth["defects"]}
    assert rules == catalog - set(NOT_PLANTED), (catalog - rules, rules - catalog)
    assert set(ALL_CODES) == catalog - set(NOT_PLANTED)
    assert {"unit_id", "rule", "subject"} <= set(farm.truth["defects"][0])


# Inputs besides the site that some rules judge: a truth entry with "input" is found only once
# that input is given (the 依申请公开 register, the 政务新媒体 accounts, the 上级 要点 dates as
# rubric data).  The farm plants those too, so they are planted codes like any other.
TRUTH_INPUTS = {"register", "media", "rubric"}


def test_every_catalog_code_has_a_planted_defect_and_a_truth_entry():
    """The catalog is the one list of codes: the farm plans a defect for every code in it and the
    ground truth lists it, unless ``NOT_PLANTED`` says why the farm cannot plant it.

    A new rule fails here until it has a plant: ``zwgk/sitefarm/content.py`` for a 办事服务 /
    content rule (no list of codes to edit), ``disclosure`` (+ ``disclosure_codes``) for a 年报 /
    依申请公开 one, ``substance`` (+ ``substance_codes``) for a 政务公开 substance one, the plan in
    ``specs`` / ``generate`` / ``render`` / ``truth`` otherwise.
    """
    catalog = rule_codes()
    assert len(set(catalog)) == len(catalog)
    for code, reason in NOT_PLANTED.items():  # an exemption names a real code and says why
        assert code in catalog, code
        assert len(reason) >= 10, (code, "say why the farm cannot plant it")
    assert tuple(c for c in catalog if c not in NOT_PLANTED) == ALL_CODES
    tables = {
        "plan": PLAN_CODES,
        "disclosure": DISCLOSURE_CODES,
        "substance": SUBSTANCE_CODES,
        "content": CONTENT_CODES,
    }
    for name, codes in tables.items():
        assert set(codes) <= set(ALL_CODES), (name, set(codes) - set(ALL_CODES))
    assert sum(len(codes) for codes in tables.values()) == len(ALL_CODES)  # one planter for each code
    assert set().union(*tables.values()) == set(ALL_CODES)

    farm = Farm(FarmConfig())  # the default farm (24 sites), materialised without serving it
    farm.origins.port = 8080
    planned = set().union(
        *(spec.codes | spec.content_codes | spec.disclosure_codes | spec.substance_codes for spec in farm.specs)
    )
    defects = build_truth(farm)["defects"]
    truth = {d["rule"] for d in defects}
    assert {d["input"] for d in defects if "input" in d} <= TRUTH_INPUTS
    for code in catalog:
        if code in NOT_PLANTED:
            assert code not in planned | truth, (code, "exempt, yet planted")
            continue
        assert code in planned, f"{code}: no site of the default farm plans this defect"
        assert code in truth, f"{code}: planned, but the ground truth never lists it (plant not rendered?)"


def test_interp_rate_truth_uses_the_rubric_target():
    from zwgk.indicators import load_rubric
    from zwgk.sitefarm.generate import IMPORTANT_WORDS
    from zwgk.sitefarm.truth import INTERP_TARGET_RATE

    rubric = load_rubric("national-2019")
    assert float(rubric.rules["INTERP-RATE"].params["target_rate"]) == INTERP_TARGET_RATE
    assert set(IMPORTANT_WORDS) == set(rubric.rules["INTERP-MISSING"].params["doc_number_markers"])


def test_interp_rate_is_in_the_truth_exactly_when_the_site_is_under_target():
    farm = Farm(FarmConfig(sites=200, seed=1))
    farm.origins.port = 8080
    under = 0
    for spec in farm.specs:
        site = farm.site(spec)
        items = {p: o for p, (k, o) in site.pages.items() if k == "article"}
        docs = [
            o
            for o in items.values()
            if o.kind == "doc"
            and site.columns.get("zcwj") is not None
            and any(w in o.doc_number for w in ("政发", "政办发", "府发", "府办发"))
        ]
        with_interp = [d for d in docs if any(p in items for p in d.related)]
        low = bool(docs) and len(with_interp) / len(docs) < 0.8
        under += low
        rules = {d["rule"] for d in site_defects(farm, site)}
        assert ("INTERP-RATE" in rules) == low, spec.unit_id
        if "INTERP-RATE" in spec.codes:
            assert low and len(with_interp) / len(docs) <= 0.6, spec.unit_id  # clearly under, not borderline
    assert under >= 2


def test_footer_and_search_defects_are_rendered_as_the_truth_says():
    from zwgk.sitefarm.render import Ctx, render_home

    farm = Farm(FarmConfig(sites=200, seed=1))
    farm.origins.port = 8080
    seen = set()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        page = render_home(Ctx(site, farm.origins))
        rules = {d["rule"] for d in site_defects(farm, site)}
        assert ("主办：" not in page) == ("IDENT-SPONSOR" in rules), spec.unit_id
        assert ("conac.cn" not in page) == ("CONAC-BADGE" in rules), spec.unit_id
        assert ("<input" not in page and "/search/" not in page) == ("SEARCH-MISSING" in rules), spec.unit_id
        seen |= rules & {"IDENT-SPONSOR", "CONAC-BADGE", "SEARCH-MISSING"}
    assert seen == {"IDENT-SPONSOR", "CONAC-BADGE", "SEARCH-MISSING"}


def test_default_farm_has_clean_sites_few_defect_sites_and_a_bad_one(farm):
    per_site = {s["unit_id"]: 0 for s in farm.truth["sites"]}
    for d in farm.truth["defects"]:
        per_site[d["unit_id"]] += 1
    counts = sorted(per_site.values())
    assert counts[0] == 0, "some sites must be clean"
    assert counts[-1] >= 5, "a few sites must be bad"
    # most sites have a few defects (the share shrinks a little with every code the farm gains:
    # 24 sites now carry 50+ codes)
    assert sum(1 for c in counts if 1 <= c <= 4) >= len(counts) * 2 // 5


def test_same_seed_same_truth_and_another_seed_differs():
    assert _truth(seed=7, sites=30) == _truth(seed=7, sites=30)
    assert _truth(seed=7, sites=30)["defects"] != _truth(seed=8, sites=30)["defects"]


def test_every_planned_code_is_realised_in_the_truth():
    farm = Farm(FarmConfig(sites=120, seed=3))
    for spec in farm.specs:
        found = {d["rule"] for d in site_defects(farm, farm.site(spec))}
        assert spec.codes <= found, (spec.unit_id, spec.codes - found)


def test_sites_are_independent_of_farm_size():
    small, large = Farm(FarmConfig(sites=10)), Farm(FarmConfig(sites=60))
    for a, b in zip(small.specs[:5], large.specs[:5]):
        assert a.unit_id == b.unit_id
        sa, sb = small.site(a), large.site(b)
        assert (a.name, a.host, a.site_code, a.seed) == (b.name, b.host, b.site_code, b.seed)
        assert (sa.template, sa.charset, sa.traditional) == (sb.template, sb.charset, sb.traditional)


def test_interpretations_are_clearly_on_one_side_of_three_working_days():
    farm = Farm(FarmConfig(sites=80, seed=5))
    gaps = []
    for spec in farm.specs:
        site = farm.site(spec)
        items = {p: o for p, (k, o) in site.pages.items() if k == "article"}
        for item in items.values():
            if item.kind == "doc" and item.related:
                gaps.append(min(workdays_between(item.date, items[p].date) for p in item.related))
    assert gaps and all(g <= 2 or g >= 6 for g in gaps)
    assert any(g >= 6 for g in gaps) and any(g <= 2 for g in gaps)


def test_policy_dates_straddle_weekends_and_makeup_days():
    farm = Farm(FarmConfig(sites=60, seed=2))
    docs = [o for s in farm.specs for k, o in farm.site(s).pages.values() if k == "article" and o.kind == "doc"]
    import chinese_calendar

    assert any(d.date.weekday() == 4 for d in docs)
    assert any(d.date.weekday() >= 5 and chinese_calendar.is_workday(d.date) for d in docs), "调休 make-up days"


def test_report_late_only_after_the_deadline():
    early = _truth(sites=60, as_of=dt.date(2026, 1, 20))
    assert not [d for d in early["defects"] if d["rule"] == "REPORT-LATE"]
    late = _truth(sites=60, as_of=dt.date(2026, 11, 20))
    assert {d["subject"] for d in late["defects"] if d["rule"] == "REPORT-LATE"} == {"2025"}


def test_without_ipv6_every_site_lacks_aaaa():
    truth = _truth(sites=12, ipv6=False)
    none = {d["unit_id"] for d in truth["defects"] if d["rule"] == "IPV6-NONE"}
    live = {s["unit_id"] for s in truth["sites"]} - {
        d["unit_id"] for d in truth["defects"] if d["rule"] == "AVAIL-DOWN"
    }
    assert none == live


def test_column_missing_subjects_are_standard_names_and_absent_from_the_site():
    farm = Farm(FarmConfig(sites=80, seed=4))
    farm.origins.port = 1
    truth = build_truth(farm)
    for d in truth["defects"]:
        if d["rule"] != "COLUMN-MISSING":
            continue
        site = farm.site(farm.by_unit[d["unit_id"]])
        assert site.column_by_std(d["subject"]) is None
        assert d["subject"] in {
            "政府信息公开",
            "政府信息公开指南",
            "政府信息公开制度",
            "法定主动公开内容",
            "政府信息公开年报",
            "政策文件",
            "政策解读",
            "通知公告",
            "互动交流",
            "机构职能",
            "财政预决算",
        }


def test_config_is_frozen():
    config = FarmConfig()
    try:
        config.sites = 3  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        return
    raise AssertionError("FarmConfig must be immutable")


def test_policy_columns_hold_no_more_documents_than_an_assessment_reads():
    from zwgk.crawlers.settings import CrawlSettings
    from zwgk.sitefarm.generate import POLICY_DOCS_MAX

    assert CrawlSettings().max_articles_per_column == POLICY_DOCS_MAX
    farm = Farm(FarmConfig(sites=60, seed=2, pages_per_column=40))
    sizes = [len(farm.site(s).columns["zcwj"].items) for s in farm.specs if "zcwj" in farm.site(s).columns]
    assert sizes and max(sizes) == POLICY_DOCS_MAX


def test_accuracy_noise_counts_only_unplanted_findings_on_transient_pages():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("bench_accuracy", path)
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    truth = {
        "defects": [{"unit_id": "u", "rule": "LINK-PAGE", "subject": "http://a/x.doc"}],
        "transient": ["http://a/art.html"],
        "traps": [],
    }
    planted_on_transient = {
        "unit_id": "u",
        "rule": "LINK-PAGE",
        "subject": "http://a/x.doc",
        "page": "http://a/art.html",
    }
    stale_on_transient = {"unit_id": "u", "rule": "LINK-PAGE", "subject": "http://a/art.html", "page": "http://a/"}
    _, totals = accuracy.compare(truth, [planted_on_transient])
    assert totals["on_transient_or_trap"] == 0 and totals["tp"] == 1
    _, totals = accuracy.compare(truth, [planted_on_transient, stale_on_transient])
    assert totals["noise"] == [["LINK-PAGE", "u", "http://a/art.html"]] and totals["fp"] == 1


def test_a_repaired_farm_is_the_same_web_with_fewer_planted_defects():
    """``repaired`` fixes a seeded share of each site's defects, a superset as the share grows."""
    import pytest

    from zwgk.model import ZwgkError

    def planted(repaired: float) -> set[tuple[str, str]]:
        farm = Farm(FarmConfig(sites=30, seed=4, repaired=repaired))
        # the redirect-loop link is a server quirk, not a planted code: repairs leave it
        return {
            (d["unit_id"], d["rule"]) for d in build_truth(farm)["defects"] if not d["subject"].endswith("/loop/a.html")
        }

    before, half, all_fixed = planted(0.0), planted(0.5), planted(1.0)
    assert all_fixed == set() and half < before
    fixed = before - half
    assert 0.25 * len(before) < len(fixed) < 0.75 * len(before)
    assert {unit for unit, _ in planted(0.8)} <= {unit for unit, _ in before}
    with pytest.raises(ZwgkError, match="repaired"):
        FarmConfig(repaired=1.5)
    with pytest.raises(ZwgkError, match="at least 15"):
        FarmConfig(pages_per_column=10)
