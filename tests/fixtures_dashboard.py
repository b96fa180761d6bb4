"""Fixtures of the dashboard: a small two-round database with users of every role,
and (for the browser tests) a database made by a real farm round.

Findings are stored through ``zwgk.storage.results`` and scored with the real
rubric and ``zwgk.assess.ranking.score_round``, so scores, ranks and
breakdowns have the shapes a farm round produces (``populate``, fixture ``dash``).
:func:`farm_dashboard` instead runs one real round over a small site farm
(fixture ``farm_dash``, module-scoped).  Unit ``dept-a`` has a
finding whose subject and message are ``<script>alert(1)</script>`` and whose
page is a ``javascript:`` URL; unit ``dept-b`` carries the marker
:data:`B_MARKER` in its findings and 整改 items so a leak is easy to spot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_farm import QUICK_HOME_CHECKS
from zwgk.model import Finding
from zwgk.storage import results, users
from zwgk.storage.db import Database
from zwgk.storage.tables import RoundRow, RoundSiteRow, UnitRow

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/x","点击领取")'  # a crawled title a spreadsheet would run
B_MARKER = "乙单位机密标记B7Q"
A_MARKER = "甲单位问题标记A3X"
PASSWORDS = {
    "leader": "leader-pass-1",
    "evaluator": "evaluator-pass-1",
    "dept_a": "dept-a-pass-1",
    "dept_b": "dept-b-pass-1",
}

UNITS = [
    # unit_id, name, tier, kind
    ("city-1", "甲市人民政府", "市", "portal"),
    ("dept-a", "甲市教育局", "市", "department"),
    ("dept-b", "甲市卫生健康委员会", "市", "department"),
    ("dept-c", "甲市交通运输局", "市", "department"),
    ("county-1", "甲县人民政府", "县", "portal"),
    ("county-2", "乙县人民政府", "县", "portal"),
]


@dataclass
class DashboardData:
    db: Database
    url: str
    round_ids: dict[str, int]
    passwords: dict[str, str]


def _finding(
    unit_id: str,
    rule: str,
    subject: str,
    page: str,
    message: str,
    severity: str = "deduct",
    points: float = 2.0,
    evidence: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        unit_id=unit_id,
        site=f"http://{unit_id}.gov.test/",
        rule=rule,
        subject=subject,
        page=page,
        severity=severity,
        points=points,
        evidence=evidence or {},
        message=message,
        fix="按要求整改",
    )


def _findings(round_name: str) -> dict[str, list[Finding]]:
    late = round_name == "2026-Q4"
    f = {
        "city-1": [_finding("city-1", "IPV6-NONE", "site", "", "网站未支持IPv6访问")],
        "dept-a": [
            _finding(
                "dept-a",
                "COLUMN-MISSING",
                SCRIPT,
                "javascript:alert(1)",
                SCRIPT,
                evidence={"status": 200, "newest_date": "2026-01-05"},
            ),
            _finding(
                "dept-a",
                "LINK-PAGE",
                "http://dept-a.gov.test/gone.html",
                "http://dept-a.gov.test/gone.html",
                f"{A_MARKER} 链接失效",
                points=0.1,
                evidence={"status": 404},
            ),
        ],
        "dept-b": [
            _finding("dept-b", "COLUMN-MISSING", "政策解读", "http://dept-b.gov.test/", f"{B_MARKER} 缺少栏目"),
            _finding(
                "dept-b", "REPORT-LATE", "2025", "http://dept-b.gov.test/ndbg/", f"{B_MARKER} 年报逾期", points=3.0
            ),
        ],
        "dept-c": [_finding("dept-c", "IDENT-ICP", "footer", "http://dept-c.gov.test/", "未标注ICP备案号", points=0.5)],
        "county-1": [],
        "county-2": [
            _finding(
                "county-2",
                "FRESH-HOME",
                "home",
                "http://county-2.gov.test/",
                "首页长期未更新",
                severity="veto",
                points=0.0,
            )
        ],
    }
    if not late:  # the earlier round: more problems, so most units improve
        f["county-1"] = [
            _finding("county-1", "COLUMN-MISSING", "政府信息公开", "http://county-1.gov.test/", "缺少栏目")
        ]
        f["dept-c"].append(_finding("dept-c", "SEARCH-MISSING", "home", "http://dept-c.gov.test/", "无站内搜索"))
    return f


def populate(db: Database, *, bcrypt_rounds: int = 4) -> dict[str, int]:
    """Units, two rounds (Q3 → Q4) with findings and scores, 整改 items and four users."""
    from zwgk.assess.ranking import score_round
    from zwgk.indicators import load_rubric

    rubric = load_rubric("national-2019")
    round_ids: dict[str, int] = {}
    with db.session() as s:
        for unit_id, name, tier, kind in UNITS:
            s.add(
                UnitRow(
                    unit_id=unit_id,
                    name=name,
                    tier=tier,
                    kind=kind,
                    region="甲市",
                    site_url=f"http://{unit_id}.gov.test/",
                    site_code="",
                    has_services=True,
                )
            )
    previous = None
    for name, as_of in (("2026-Q3", dt.date(2026, 8, 20)), ("2026-Q4", dt.date(2026, 11, 20))):
        with db.session() as s:
            row = RoundRow(
                name=name,
                as_of=as_of,
                rubric="national-2019",
                rubric_hash=rubric.hash,
                weight=0.04,
                status="done",
                settings={"rubric": "national-2019"},
                previous_round_id=previous,
            )
            s.add(row)
            s.flush()
            rid = row.id
            for unit_id, *_ in UNITS:
                s.add(
                    RoundSiteRow(
                        round_id=rid,
                        unit_id=unit_id,
                        site_url=f"http://{unit_id}.gov.test/",
                        state="evaluated",
                        pages=10,
                    )
                )
        for unit_id, found in _findings(name).items():
            results.replace_findings(db, rid, unit_id, found)
        score_round(db, rid, rubric)
        round_ids[name] = rid
        previous = rid
    q3, q4 = round_ids["2026-Q3"], round_ids["2026-Q4"]

    def item(
        unit_id: str, rule: str, subject: str, status: str, deadline: dt.date, message: str, page: str = ""
    ) -> results.RectificationView:
        return results.RectificationView(
            unit_id=unit_id,
            rule=rule,
            subject=subject,
            opened_round_id=q3,
            last_seen_round_id=q4,
            deadline=deadline,
            status=status,
            closed_round_id=q4 if status == "fixed" else None,
            points=2.0,
            page=page,
            message=message,
            fix="按要求整改",
            evidence={},
            history=[
                {"round": q3, "round_name": "2026-Q3", "status": "open"},
                {"round": q4, "round_name": "2026-Q4", "status": status},
            ],
        )

    results.save_rectification_items(
        db,
        [
            item("dept-a", "COLUMN-MISSING", SCRIPT, "overdue", dt.date(2026, 9, 3), SCRIPT, "javascript:alert(1)"),
            item(
                "dept-a",
                "LINK-PAGE",
                "http://dept-a.gov.test/gone.html",
                "open",
                dt.date(2026, 12, 4),
                f"{A_MARKER} 链接失效",
                "http://dept-a.gov.test/gone.html",
            ),
            item("dept-a", "SEARCH-MISSING", "home", "fixed", dt.date(2026, 9, 3), "无站内搜索"),
            item(
                "dept-b",
                "REPORT-LATE",
                "2025",
                "open",
                dt.date(2026, 12, 4),
                f"{B_MARKER} 年报逾期",
                "http://dept-b.gov.test/ndbg/",
            ),
        ],
    )
    users.add_user(db, "leader", PASSWORDS["leader"], "leader", rounds=bcrypt_rounds)
    users.add_user(db, "evaluator", PASSWORDS["evaluator"], "evaluator", rounds=bcrypt_rounds)
    users.add_user(db, "dept_a", PASSWORDS["dept_a"], "department", ["dept-a"], rounds=bcrypt_rounds)
    users.add_user(db, "dept_b", PASSWORDS["dept_b"], "department", ["dept-b"], rounds=bcrypt_rounds)
    return round_ids


@pytest.fixture
def dash(db: Database, db_url: str) -> DashboardData:
    """A populated dashboard database (see module docstring)."""
    return DashboardData(db=db, url=db_url, round_ids=populate(db), passwords=dict(PASSWORDS))


# --------------------------------------------------------------------------- a real farm round

FARM_ROUND = "r1"
FARM_SITES = 12


@dataclass(frozen=True)
class FarmDashboard:
    """A database made by one farm round, with the two departments the leak tests use.

    ``a_*`` / ``b_*``: departments A and B (unit id, name, site host); both have
    整改 items.  ``a_subjects``: the subjects of A's items (A's own rows).
    ``names``: every unit name of the round, for the leader's ranking.
    """

    url: str
    round_name: str
    a_id: str
    a_name: str
    a_host: str
    b_id: str
    b_name: str
    b_host: str
    a_subjects: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)

    @property
    def b_markers(self) -> tuple[str, ...]:
        """Strings that only B's data carries: seeing any of them as A is a leak."""
        return (self.b_id, self.b_name, self.b_host)


def script_finding(unit_id: str, site: str) -> Finding:
    """The untrusted-markup case: a finding whose subject and message are a ``<script>`` title."""
    return Finding(
        unit_id=unit_id,
        site=site,
        rule="COLUMN-MISSING",
        subject=SCRIPT,
        page="javascript:alert(1)",
        severity="deduct",
        points=2.0,
        evidence={"status": 200, "title": SCRIPT},
        message=SCRIPT,
        fix="按要求整改",
    )


def formula_finding(unit_id: str, site: str) -> Finding:
    """The spreadsheet-injection case: a finding whose subject and message are a live formula."""
    return Finding(
        unit_id=unit_id,
        site=site,
        rule="COLUMN-MISSING",
        subject=FORMULA,
        page=site,
        severity="deduct",
        points=1.0,
        evidence={"status": 200, "title": FORMULA},
        message=FORMULA,
        fix="按要求整改",
    )


def farm_dashboard(work: Path, sites: int = FARM_SITES, *, bcrypt_rounds: int = 4) -> FarmDashboard:
    """Run one real round over a ``sites``-site farm into ``work/zwgk.db`` and add the four users.

    Departments A and B are the first two department units (by unit id) that
    have 整改 items after the round.  The site farm plants no markup in
    titles, so on top of the round one finding is added to A through
    ``zwgk.storage.results`` whose subject and message are ``<script>`` (as a
    crawled title would be) and whose page is a ``javascript:`` URL, and one whose
    subject and message are a ``=HYPERLINK(…)`` formula (:data:`FORMULA`); the round
    is then re-scored with ``rescore_round`` so A's 整改 items and score
    include it like any other finding.
    """
    from zwgk.app import RoundOptions, run_round
    from zwgk.assess.ranking import rescore_round
    from zwgk.sitefarm import FarmConfig, running_farm
    from zwgk.sitefarm.substance import load_farm_media

    url = f"sqlite:///{work / 'zwgk.db'}"
    db = Database.open(url)
    try:
        registry = work / "registry.csv"
        # pages_per_column=20: the farm's smallest list pages that it generates without error
        with running_farm(FarmConfig(sites=sites, pages_per_column=20)) as farm:
            farm.write_registry(registry)
            as_of = dt.date.fromisoformat(farm.truth["as_of"])
            hosts = {s["unit_id"]: s["host"] for s in farm.sites}
            urls = {s["unit_id"]: s["url"] for s in farm.sites}
            # the units' 政务新媒体 registry, export and feeds, as an office loads them before a round
            load_farm_media(db, farm, work, as_of)
            result = run_round(
                db,
                RoundOptions(
                    name=FARM_ROUND,
                    as_of=as_of,
                    registry=registry,
                    resolver=farm.resolver,
                    allow_private=True,
                    crawl=QUICK_HOME_CHECKS,
                ),
            )
        with_items = {it.unit_id for it in results.list_rectification_items(db)}
        departments = sorted(s.unit_id for s in result.scores if s.kind == "department" and s.unit_id in with_items)
        if len(departments) < 2:
            raise AssertionError(f"the farm round left {len(departments)} departments with 整改 items; need 2")
        a, b = departments[:2]
        kept = [f.to_finding() for f in results.list_findings(db, result.round_id, unit_id=a)]
        results.replace_findings(
            db, result.round_id, a, [*kept, script_finding(a, urls[a]), formula_finding(a, urls[a])]
        )
        scores = rescore_round(db, result.round_id)
        users.add_user(db, "leader", PASSWORDS["leader"], "leader", rounds=bcrypt_rounds)
        users.add_user(db, "evaluator", PASSWORDS["evaluator"], "evaluator", rounds=bcrypt_rounds)
        users.add_user(db, "dept_a", PASSWORDS["dept_a"], "department", [a], rounds=bcrypt_rounds)
        users.add_user(db, "dept_b", PASSWORDS["dept_b"], "department", [b], rounds=bcrypt_rounds)
        names = {s.unit_id: s.unit_name for s in scores}
        return FarmDashboard(
            url=url,
            round_name=FARM_ROUND,
            a_id=a,
            a_name=names[a],
            a_host=hosts[a],
            b_id=b,
            b_name=names[b],
            b_host=hosts[b],
            a_subjects=tuple(it.subject for it in results.list_rectification_items(db, a)),
            names=names,
            tiers={s.unit_id: s.tier for s in scores},
        )
    finally:
        db.dispose()


def _shared_farm_dashboard(shared: Path) -> FarmDashboard:
    """Build the farm round once in ``shared`` (first caller, under an flock) and reuse it after.

    Under pytest-xdist every worker would otherwise crawl its own farm; the
    database is the same either way (the farm is seeded), so one is enough.
    """
    import fcntl
    import json

    shared.mkdir(parents=True, exist_ok=True)
    meta = shared / "farm-dash.json"
    with open(shared / "farm-dash.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not meta.exists():
            fd = farm_dashboard(shared)
            meta.write_text(json.dumps(asdict(fd), ensure_ascii=False), encoding="utf-8")
        data = json.loads(meta.read_text(encoding="utf-8"))
    data["a_subjects"] = tuple(data["a_subjects"])
    return FarmDashboard(**data)


@pytest.fixture(scope="module")
def farm_dash(tmp_path_factory) -> FarmDashboard:
    """The farm round of :func:`farm_dashboard`, as a private copy of its database for this module.

    The round is made once per test run (shared by xdist workers); each module
    gets its own copy because logins write to the users table.
    """
    import os
    import shutil

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "farm-dash-shared"
    fd = _shared_farm_dashboard(shared)
    own = tmp_path_factory.mktemp("farm-dash") / "zwgk.db"
    shutil.copyfile(shared / "zwgk.db", own)
    return replace(fd, url=f"sqlite:///{own}")
