"""Hand-built ws snapshots for the rule tests (zwgk.indicators).

``SiteBuilder()`` starts from a *clean* ws — complete footer and meta tags,
every required column in the navigation, a fresh homepage, last year's annual
report on time, working IPv6 — so that ``evaluate`` finds nothing; each test
then breaks exactly one thing and asserts the finding it expects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zwgk.indicators import load_rubric
from zwgk.model import Link, Page, SiteSnapshot, Unit

AS_OF = dt.date(2026, 11, 20)
HOME = "http://www.example.gov.cn/"
SITE_CODE = "4412000001"

REQUIRED_NAV = [
    "政务公开",
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
    "政策文件",
    "政策解读",
    "公示公告",
    "政民互动",
    "机构概况",
    "预决算公开",
]

SITE_META = {"SiteName": "示例市人民政府", "SiteDomain": "www.example.gov.cn", "SiteIDCode": SITE_CODE}
COLUMN_META = {"ColumnName": "栏目", "ColumnDescription": "说明", "ColumnKeywords": "关键词", "ColumnType": "列表"}
ARTICLE_META = {"ArticleTitle": "标题", "PubDate": "2026-11-01 09:00", "ContentSource": "示例市人民政府办公室"}


def u(path: str) -> str:
    return HOME + path.lstrip("/")


class SiteBuilder:
    """A mutable ws; ``snapshot()`` freezes it into a ``SiteSnapshot``."""

    def __init__(self, as_of: dt.date = AS_OF, tier: str = "市", kind: str = "portal", site_code: str = SITE_CODE):
        self.as_of = as_of
        self.unit = Unit("u-001", "示例市人民政府", tier, kind, HOME, site_code=site_code)
        self.pages: dict[str, Page] = {}
        self.links: list[Link] = []
        self.history: list[dict[str, Any]] = []
        self.probes: dict[str, Any] = {
            "ipv6": {
                "aaaa": ["2001:db8::1"],
                "a": ["192.0.2.1"],
                "tcp6": True,
                "http6_status": 200,
                "similarity": 0.98,
                "inner_v6_share": 1.0,
                "error": "",
            },
            "home": {"attempts": 1, "failures": 0, "errors": []},
        }
        self.home = self.add(
            Page(
                HOME,
                200,
                "ok",
                "home",
                title="示例市人民政府",
                content_type="text/html",
                facts={
                    "meta": dict(SITE_META),
                    "footer": {
                        "site_code": SITE_CODE,
                        "icp": "粤ICP备05070218号",
                        "psb": "粤公网安备44120202000001号",
                        "sponsor": "示例市人民政府办公室",
                        "conac": True,
                    },
                    "nav": [{"text": t, "url": u(f"nav{i}/"), "where": "top"} for i, t in enumerate(REQUIRED_NAV)],
                    "items": [
                        {
                            "title": "市政府召开常务会议",
                            "url": u("news/1.html"),
                            "date": (as_of - dt.timedelta(days=1)).isoformat(),
                        }
                    ],
                    "search": True,
                },
            )
        )
        self.column(
            "report/", "政府信息公开年报", [(f"{as_of.year - 1}年政府信息公开工作年度报告", dt.date(as_of.year, 1, 20))]
        )

    # ------------------------------------------------------------------ building blocks
    def add(self, page: Page) -> Page:
        self.pages[page.url] = page
        return page

    def column(
        self,
        path: str,
        text: str,
        items: list[tuple[str, dt.date | None]] | None = None,
        name: str | None = None,
        pagination: list[str] | None = None,
        **facts: Any,
    ) -> Page:
        url = u(path)
        rows = [
            {"title": t, "url": u(f"{path}item{i}.html"), "date": d.isoformat() if d else None}
            for i, (t, d) in enumerate(items or [])
        ]
        return self.add(
            Page(
                url,
                200,
                "ok",
                "column",
                title=text,
                content_type="text/html",
                facts={
                    "meta": SITE_META | COLUMN_META,
                    "column": name if name is not None else "",
                    "column_text": text,
                    "items": rows,
                    "pagination": [u(p) for p in pagination or []],
                    **facts,
                },
            )
        )

    def article(self, path: str, title: str, pub_date: dt.date | None, **facts: Any) -> Page:
        return self.add(
            Page(
                u(path),
                200,
                "ok",
                "article",
                title=title,
                pub_date=pub_date,
                date_source="meta:PubDate",
                content_type="text/html",
                facts={"meta": SITE_META | COLUMN_META | ARTICLE_META, **facts},
            )
        )

    def broken(
        self, path_or_url: str, status: int | None = 404, outcome: str = "broken", error: str = "", **facts: Any
    ) -> Page:
        url = path_or_url if "://" in path_or_url else u(path_or_url)
        return self.add(Page(url, status, outcome, "other", error=error, facts=dict(facts)))

    def link(self, source: str, target: str, anchor: str = "") -> None:
        self.links.append(Link(source, target, anchor))

    def snapshot(self) -> SiteSnapshot:
        return SiteSnapshot(
            self.unit,
            HOME,
            self.as_of,
            pages=dict(self.pages),
            links=list(self.links),
            probes=dict(self.probes),
            history=list(self.history),
        )


def days_ago(n: int, as_of: dt.date = AS_OF) -> dt.date:
    return as_of - dt.timedelta(days=n)


def by_rule(findings, rule: str):
    return [f for f in findings if f.rule == rule]


@pytest.fixture(scope="session")
def nat_rubric():
    return load_rubric("national-2019")


@pytest.fixture
def ws() -> SiteBuilder:
    return SiteBuilder()
