"""IPv6 support degree on the site farm, in every template family: each planted failure
(name servers without AAAA, inner links on an IPv4-only host, a homepage that fails every
other IPv6 request, a maintenance page, no AAAA, resets) yields its code and clean sites do
not; the score, target and failing links reach the exports, the dashboard and the 季通报."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_farm import QUICK_HOME_CHECKS
from zwgk.sitefarm.config import FAMILIES
from zwgk.sitefarm.farm import alias_host, zone_of
from zwgk.sitefarm.truth import IPV6_MODES

IPV6_CODES = set(IPV6_MODES.values())
ROUND = "ipv6-farm"


@dataclass
class Ipv6Round:
    farm: Any
    db: Any
    round_id: int
    truth: dict
    findings: list
    tmp: Path


@pytest.fixture(scope="module")
def ipv6_round(tmp_path_factory):
    from zwgk.app.rounds import RoundOptions, run_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.storage import Database
    from zwgk.storage.results import list_findings

    tmp = tmp_path_factory.mktemp("ipv6farm")
    config = FarmConfig(sites=45, seed=6, families=FAMILIES)  # every family has ≥ 7 sites: all six IPv6 plants
    with running_farm(config) as farm:
        db = Database.open(f"sqlite:///{tmp / 'zwgk.db'}")
        registry = farm.write_registry(tmp / "registry.csv")
        result = run_round(
            db,
            RoundOptions(
                name=ROUND,
                as_of=config.as_of,
                registry=registry,
                resolver=farm.resolver,
                allow_private=True,
                crawl={"ipv6_attempt_spacing": 0.2, **QUICK_HOME_CHECKS},
            ),
        )
        yield Ipv6Round(farm, db, result.round_id, farm.truth, list_findings(db, result.round_id), tmp)
        db.dispose()


def _planted(truth: dict, code: str) -> set[tuple[str, str]]:
    return {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == code}


def test_every_family_plants_every_ipv6_failure(ipv6_round):
    family = {s["unit_id"]: s["family"] for s in ipv6_round.truth["sites"]}
    for code in sorted(IPV6_CODES):
        families = {family[u] for u, _ in _planted(ipv6_round.truth, code)}
        assert families == set(FAMILIES), (code, families)


@pytest.mark.parametrize("code", sorted(IPV6_CODES))
def test_each_planted_failure_yields_its_code_and_nothing_else_does(ipv6_round, code):
    planted = _planted(ipv6_round.truth, code)
    found = {(f.unit_id, f.subject) for f in ipv6_round.findings if f.rule == code and f.in_force}
    assert found == planted  # strong evidence on the farm: every plant in force, nothing else
    for f in ipv6_round.findings:
        if f.rule == code and not f.in_force:
            # Only a timeout (the test machine's load) may send a clean site to review, never a plant.
            assert (f.unit_id, f.subject) not in planted and "超时" in f.evidence["review_reason"], f.evidence


def test_clean_sites_score_100_and_planted_ones_less(ipv6_round):
    from zwgk.storage.snapshot import site_probe_values

    support = site_probe_values(ipv6_round.db, ipv6_round.round_id, "ipv6_support")
    down = {u for u, _ in _planted(ipv6_round.truth, "AVAIL-DOWN")}
    planted = {d["unit_id"] for d in ipv6_round.truth["defects"] if d["rule"] in IPV6_CODES}
    for site in ipv6_round.truth["sites"]:
        unit_id = site["unit_id"]
        if unit_id in down:
            assert unit_id not in support  # a homepage that never opened gets no IPv6 score
            continue
        sup = support[unit_id]
        assert sup["unmeasured"] == [], (unit_id, sup)
        if unit_id in planted:
            assert sup["score"] < 100 and sup["meets_target"] is (sup["score"] >= 90), (unit_id, sup)
        else:
            assert sup["score"] == 100.0 and sup["failing_links"] == [], (unit_id, sup)


def test_the_farm_dns_serves_the_delegation_chain_over_ipv6(ipv6_round):
    import dns.message
    import dns.query

    farm = ipv6_round.farm
    spec = next(s for s in farm.farm.specs if "IPV6-DELEGATION" in s.codes)
    zone = zone_of(spec.host)
    answer = dns.query.udp(dns.message.make_query(zone, "NS"), "::1", port=farm.dns_port, timeout=2)
    names = sorted(str(rr.target).rstrip(".") for rrset in answer.answer for rr in rrset)
    assert names == [f"ns1.{zone}", f"ns2.{zone}"]
    for name, has_aaaa in (
        (f"ns1.{zone}", False),
        (f"ns1.{zone_of(_clean(farm).host)}", True),
        (alias_host(_clean(farm).host), True),
    ):
        reply = dns.query.udp(dns.message.make_query(name, "AAAA"), "::1", port=farm.dns_port, timeout=2)
        assert bool(reply.answer) is has_aaaa, name
    inner = next(s for s in farm.farm.specs if "IPV6-INNER-LINKS" in s.codes)
    reply = dns.query.udp(
        dns.message.make_query(alias_host(inner.host), "AAAA"), "127.0.0.1", port=farm.dns_port, timeout=2
    )
    assert not reply.answer  # the IPv4-only second host


def _clean(farm):
    return next(s for s in farm.farm.specs if not s.codes & (IPV6_CODES | {"AVAIL-DOWN"}))


def test_export_shows_score_and_failing_links(ipv6_round):
    from zwgk.assess.exports import export_ipv6, export_scores

    path = export_ipv6(ipv6_round.db, ROUND, "csv", ipv6_round.tmp / "ipv6.csv")
    rows = {r["单位编码"]: r for r in csv.DictReader(path.open(encoding="utf-8-sig"))}
    inner = {u for u, _ in _planted(ipv6_round.truth, "IPV6-INNER-LINKS")}
    for unit_id in inner:
        spec = ipv6_round.farm.farm.by_unit[unit_id]
        row = rows[unit_id]
        assert float(row["IPv6支持度"]) < 100 and row["达标线"] == "90.0"
        assert int(row["IPv6无法访问的内链数"]) >= 1
        assert f"http://{alias_host(spec.host)}:" in row["IPv6无法访问的内链"]
        assert "[二级]" in row["IPv6无法访问的内链"]
    clean = _clean(ipv6_round.farm).unit_id
    assert rows[clean]["IPv6支持度"] == "100.0" and rows[clean]["达标"] == "是"
    assert rows[clean]["IPv6无法访问的内链"] == ""
    xlsx = export_ipv6(ipv6_round.db, ROUND, "xlsx", ipv6_round.tmp / "ipv6.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["IPv6支持度", "分层级"]
    scores = export_scores(ipv6_round.db, ROUND, "csv", ipv6_round.tmp / "scores.csv")
    srows = {r["单位编码"]: r for r in csv.DictReader(scores.open(encoding="utf-8-sig"))}
    assert srows[clean]["IPv6支持度"] == "100.0"


def test_dashboard_and_bulletin_show_ipv6_by_tier(ipv6_round):
    from zwgk.dashboard import queries
    from zwgk.dashboard.viewer import Viewer
    from zwgk.monitor.bulletin import bulletin_data

    leader = Viewer("lead", "leader")
    sites = queries.ipv6_sites(ipv6_round.db, leader, ipv6_round.round_id)
    tiers = queries.ipv6_by_tier(sites)
    total = tiers[tiers["tier"] == "合计"].iloc[0]
    assert total["scored"] == len(sites) and 0 < total["at_target"] < total["scored"]
    assert abs(total["share_at_target"] - total["at_target"] / total["scored"]) < 1e-3
    worst = sites.iloc[0]
    assert worst["score"] == sites["score"].min()
    department = sites[sites["kind"] == "department"].iloc[0]["unit_id"]
    own = queries.ipv6_sites(ipv6_round.db, Viewer("dept", "department", (department,)), ipv6_round.round_id)
    assert list(own["unit_id"]) == [department]  # a department sees its own site only
    dept = Viewer("dept", "department", (department,))
    assert queries.ipv6_detail(ipv6_round.db, dept, ipv6_round.round_id, department)["score"] is not None
    other = sites[sites["unit_id"] != department].iloc[0]["unit_id"]
    with pytest.raises(PermissionError):
        queries.ipv6_detail(ipv6_round.db, dept, ipv6_round.round_id, other)

    data = bulletin_data(ipv6_round.db, "2026Q4")
    assert data.ipv6_target == 90.0
    assert data.ipv6[-1]["tier"] == "合计" and data.ipv6[-1]["scored"] == total["scored"]
    assert dt.date(2026, 10, 1) <= data.round_as_of < dt.date(2027, 1, 1)
    import subprocess

    from openpyxl import load_workbook

    from zwgk.monitor.bulletin import build_quarterly_bulletin

    xlsx = ipv6_round.tmp / "q4.xlsx"
    build_quarterly_bulletin(ipv6_round.db, "2026Q4", xlsx, "xlsx")
    sheet = load_workbook(xlsx)["IPv6支持度"]
    assert [c.value for c in sheet[1]] == ["层级", "评分网站数", "平均支持度", "达标数", "达标率", "达标线"]
    pdf = ipv6_round.tmp / "q4.pdf"
    build_quarterly_bulletin(ipv6_round.db, "2026Q4", pdf, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "七、IPv6支持度" in text and "达标线 90 分" in text
