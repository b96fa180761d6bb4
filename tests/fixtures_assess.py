"""Fixtures of the assess stage: hand-made rubrics and databases with rounds and findings.

Rows are written straight through the ORM / storage functions, so these
tests need neither the crawler nor the registry reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from zwgk.model import Finding, Unit
from zwgk.storage.tables import RoundRow, RoundSiteRow, UnitRow

# ---------------------------------------------------------------- a tiny rubric (duck-typed)


@dataclass
class FakeScoring:
    total: float = 100.0
    pass_line: float = 60.0
    bonus_gate: float = 80.0
    bonus_max: float = 30.0
    weight: float = 0.04
    no_services_mode: str = "scale"
    no_services_factor: float = 4 / 3
    services_indicator: str = "services"
    rectify_working_days: int = 10
    overdue_extra_points: float = 2.0
    overdue_cap: float = 10.0
    composite: dict[str, float] = field(default_factory=lambda: {"website": 0.6, "apply": 0.2, "report": 0.2})


@dataclass
class FakeIndicator:
    id: str
    name: str
    points: float
    part: str = "deduct"


@dataclass
class FakeRule:
    code: str
    name_zh: str
    name_en: str
    indicator: str
    severity: str
    points: float
    cap: float | None = None


@dataclass
class FakeRubric:
    name: str = "test-rubric"
    hash: str = "0" * 16
    scoring: FakeScoring = field(default_factory=FakeScoring)
    indicators: dict[str, FakeIndicator] = field(default_factory=dict)
    rules: dict[str, FakeRule] = field(default_factory=dict)


def make_rubric(**scoring: Any) -> FakeRubric:
    """Indicators: 信息发布 40, 互动回应 20 (cap tests), 办事服务 25, 功能设计 15; bonus 创新 30."""
    indicators = {
        "publish": FakeIndicator("publish", "信息发布", 40),
        "interact": FakeIndicator("interact", "互动回应", 20),
        "services": FakeIndicator("services", "办事服务", 25),
        "design": FakeIndicator("design", "功能设计", 15),
        "bonus": FakeIndicator("bonus", "创新发展", 30, part="bonus"),
    }
    rules = {
        "SITE-DOWN": FakeRule("SITE-DOWN", "站点无法访问", "site down", "publish", "veto", 0),
        "COLUMN-MISSING": FakeRule("COLUMN-MISSING", "栏目缺失", "column missing", "publish", "deduct", 5),
        "LINK-PAGE": FakeRule("LINK-PAGE", "链接不可用", "broken link", "design", "deduct", 1),
        "LINK-HOME": FakeRule("LINK-HOME", "首页链接不可用", "broken home link", "design", "deduct", 1, cap=3),
        "REPLY-LATE": FakeRule("REPLY-LATE", "留言回复超期", "late reply", "interact", "deduct", 5),
        "SERVICE-GAP": FakeRule("SERVICE-GAP", "办事指南缺失", "service gap", "services", "deduct", 5),
        "BONUS-DATA": FakeRule("BONUS-DATA", "数据开放", "open data", "bonus", "deduct", 10),
    }
    return FakeRubric(scoring=FakeScoring(**scoring), indicators=indicators, rules=rules)


@pytest.fixture
def assess_rubric() -> FakeRubric:
    return make_rubric()


def finding(
    unit_id: str,
    rule: str,
    subject: str,
    points: float,
    indicator: str,
    severity: str = "deduct",
    page: str = "",
    message: str = "",
    fix: str = "",
) -> Finding:
    return Finding(
        unit_id=unit_id,
        site=f"http://{unit_id}.gov.cn/",
        rule=rule,
        subject=subject,
        page=page or f"http://{unit_id}.gov.cn/",
        severity=severity,
        points=points,
        evidence={"seen": subject},
        message=message or f"{rule} {subject}",
        fix=fix or f"修复 {subject}",
        indicator=indicator,
    )


# ---------------------------------------------------------------- database builders


def add_units(db, units: list[Unit]) -> None:
    with db.session() as s:
        for u in units:
            s.merge(
                UnitRow(
                    unit_id=u.unit_id,
                    name=u.name,
                    tier=u.tier,
                    kind=u.kind,
                    region=u.region,
                    parent_id=u.parent_id,
                    site_url=u.site_url,
                    site_code=u.site_code,
                    has_services=u.has_services,
                )
            )


def add_round(
    db,
    name: str,
    as_of: dt.date,
    unit_ids: list[str],
    *,
    failed: dict[str, str] | None = None,
    weight: float = 0.04,
    previous: int | None = None,
    rubric: str = "test-rubric",
) -> int:
    failed = failed or {}
    with db.session() as s:
        row = RoundRow(name=name, as_of=as_of, rubric=rubric, weight=weight, status="done", previous_round_id=previous)
        s.add(row)
        s.flush()
        for uid in unit_ids:
            s.add(
                RoundSiteRow(
                    round_id=row.id,
                    unit_id=uid,
                    site_url=f"http://{uid}.gov.cn/",
                    state="failed" if uid in failed else "evaluated",
                    reason=failed.get(uid, ""),
                )
            )
        return row.id


def county_units() -> list[Unit]:
    """Three county portals, two departments (one without public services), one township."""
    return [
        Unit("c1", "甲县人民政府", "县", "portal", "http://c1.gov.cn/"),
        Unit("c2", "乙县人民政府", "县", "portal", "http://c2.gov.cn/"),
        Unit("c3", "丙县人民政府", "县", "portal", "http://c3.gov.cn/"),
        Unit("d1", "甲县教育局", "县", "department", "http://d1.gov.cn/", parent_id="c1"),
        Unit("d2", "甲县档案局", "县", "department", "http://d2.gov.cn/", parent_id="c1", has_services=False),
        Unit("t1", "某某镇人民政府", "乡", "portal", "http://t1.gov.cn/"),
    ]


@pytest.fixture
def assess_units() -> list[Unit]:
    return county_units()
