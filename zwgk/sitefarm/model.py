"""The farm's pure model of a site: what exists, with which dates and defects.

Two levels, so a national farm starts in seconds:
  * ``SiteSpec`` — identity plus the defect *plan*; cheap, built for every site
    at start-up.
  * ``Site`` — the materialised site (columns, items, links, quirks), built on
    demand from the spec and cached with a bounded LRU.
Rendering (``render``) and serving (``server``) only read these values; the
ground truth (``truth``) is computed from them, so it always says exactly what
the pages show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the plants' modules build on this one
    from zwgk.sitefarm.disclosure import ReportPlan
    from zwgk.sitefarm.substance import SubstancePlants


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One site's identity and defect plan (no pages yet)."""

    index: int
    unit_id: str
    name: str
    tier: str
    kind: str  # portal / department
    region: str
    parent_id: str
    host: str
    site_code: str
    has_services: bool
    abbr: str  # province abbreviation for ICP / 公安备案 (赣)
    doc_prefix: str  # first character of 文号 (青政办发…)
    seed: int
    codes: frozenset[str] = frozenset()  # planted rule codes
    missing: tuple[str, ...] = ()  # standard column names planted as missing
    content_codes: frozenset[str] = frozenset()  # 办事服务 / content plants (zwgk.sitefarm.content)
    disclosure_codes: frozenset[str] = frozenset()  # 年报 / 依申请公开 plants (zwgk.sitefarm.disclosure)
    substance_codes: frozenset[str] = frozenset()  # 政务公开 substance plants (zwgk.sitefarm.substance)


@dataclass(slots=True)
class Item:
    """An entry of a column and the page it links to."""

    id: int
    col: str
    title: str
    date: dt.date
    time: str  # "HH:MM"
    path: str
    kind: str  # news / doc / interp / message / report / plain
    org: str = ""
    doc_number: str = ""
    written: dt.date | None = None  # 成文日期
    related: list[str] = field(default_factory=list)  # paths of 相关解读 / 原文
    asked: dt.datetime | None = None
    answered: dt.datetime | None = None
    year: int = 0
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (path, label)
    broken: list[tuple[str, str]] = field(default_factory=list)  # planted (url, anchor)
    large: bool = False


@dataclass(slots=True)
class Column:
    """A column (栏目): a list page (with pagination) or a hub of sub-columns."""

    key: str
    std: str  # standard column name it stands for ("" when none)
    name: str  # the name shown on the site
    fresh: str  # freshness class (news/notice/policy/personnel) or ""
    kind: str  # list / hub / js
    parent: str  # key of the hub it sits under ("" = top navigation)
    where: str  # top / more / sub
    path: str  # URL path of list page 1
    items: list[Item] = field(default_factory=list)
    page_size: int = 15
    broken: list[tuple[str, str]] = field(default_factory=list)  # planted (url, anchor)
    loop_link: bool = False
    paging: str = ""  # the column's own pagination style (overrides the site's): shtml / jhtml / query / pageIndex / cur_page / num

    def page_path(self, page: int, style: str) -> str:
        """Path of list page ``page`` (1-based) in the site's (or the column's own) pagination style."""
        if page <= 1:
            return self.path
        style = self.paging or style
        if style in ("query", "pageIndex", "cur_page"):  # list.php?catid=12 → list.php?catid=12&page=2
            param = "page" if style == "query" else style  # …&pageIndex=2, iList.jsp?…&cur_page=2
            return f"{self.path}{'&' if '?' in self.path else '?'}{param}={page}"
        if style == "num":  # /html/zwyw/index.html → /html/zwyw/2.html
            return f"{self.path.rsplit('/', 1)[0]}/{page}.html"
        if style in ("shtml", "jhtml"):  # list.shtml → list_2.shtml, index.jhtml → index_2.jhtml
            stem, ext = self.path.rsplit(".", 1)
            return f"{stem}_{page}.{ext}"
        base = self.path.rsplit("/", 1)[0]
        return f"{base}/index_{page - 1}.html"

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.items) // self.page_size))


# What a path of a site serves: an article, or page ``n`` (1-based) of a column's list.  The tag
# says which, so a reader narrows with ``entry[0] == "article"`` instead of trusting a cast.
ArticleEntry = tuple[Literal["article"], Item]
ColumnEntry = tuple[Literal["column"], tuple[Column, int]]
PageEntry = ArticleEntry | ColumnEntry


def articles(pages: Mapping[str, PageEntry]) -> dict[str, Item]:
    """path → item of every article page of ``pages`` (a site's or a builder's), in their order."""
    return {path: entry[1] for path, entry in pages.items() if entry[0] == "article"}


@dataclass(slots=True)
class Site:
    """A materialised site."""

    spec: SiteSpec
    template: str  # the template family: trs (index_1.html, t20240512_1.html) / hanweb (?page=, art_…) / jiyue / xiangzhen / kaipu / lingnan
    charset: str  # utf-8 / gbk (header) / gb2312-meta (meta only)
    traditional: bool
    gzip: bool
    list_date_style: int
    article_date_style: int
    columns: dict[str, Column]
    nav_more: list[str]  # column keys shown only in the 更多 menu
    home_blocks: list[str]  # column keys whose newest items the homepage lists
    home_broken: list[tuple[str, str]]  # planted broken links on the homepage (url, anchor)
    pages: dict[str, PageEntry]  # path → ("article", Item) | ("column", (Column, page number))
    soft404: set[str]
    attachments: dict[str, int]  # path → body size (served attachments)
    meta_missing: dict[str, str]  # page type → meta tag left out
    footer: dict[str, str]  # site_code / icp / psb / sponsor ("" = missing)
    conac_id: str  # id of the 党政机关网站标识 certificate ("" = no badge in the footer)
    transient: dict[str, tuple[int, str]]  # path → (failures, "503"/"reset"/"429")
    slow: dict[str, float]
    head405: bool
    calendar: str  # path of the calendar trap ("" when none)
    loop: str  # path of the first hop of the redirect loop ("" when none)
    moved: dict[str, str]  # old path → new path (301)
    ipv6_mode: str  # ok / none / unreachable / mismatch / intermittent / delegation / inner (see truth.IPV6_MODES)
    down: bool
    down_mode: str  # 503 / reset
    report_deadline: dt.date
    search: bool = True  # the header has a site search form (SEARCH-MISSING when not)
    cache: dict[str, str] = field(default_factory=dict)  # rendered fragments shared by its pages
    opts: dict[str, object] = field(default_factory=dict)  # family-specific looks (jiyue: markup, labels …)
    content: Any = None  # zwgk.sitefarm.content.ContentPlants (services, tampering, wording, privacy)
    disclosure: ReportPlan | None = None  # last year's 年报, the register (zwgk.sitefarm.disclosure)
    # IPV6-INNER-LINKS: homepage links ("v4only:/path", anchor) to pages served on the site's
    # second host (``farm.alias_host``), which has an A record and no AAAA
    v4_only_links: list[tuple[str, str]] = field(default_factory=list)
    substance: SubstancePlants | None = None  # 要点, 成文日期, leaders' 解读 (zwgk.sitefarm.substance)

    def article(self, path: str) -> Item | None:
        """The item whose page is ``path`` (None: no article there)."""
        entry = self.pages.get(path)
        return entry[1] if entry is not None and entry[0] == "article" else None

    def under(self, col: Column, key: str) -> bool:
        """Whether ``col`` sits below the hub ``key``, at any depth."""
        while col.parent:
            if col.parent == key:
                return True
            parent = self.columns.get(col.parent)
            if parent is None:
                return False
            col = parent
        return False

    def columns_under(self, key: str) -> list[Column]:
        """Every column below the hub ``key``, at any depth, in the site's column order."""
        return [c for c in self.columns.values() if self.under(c, key)]

    def top_columns(self, order: Sequence[str]) -> list[Column]:
        """The top navigation's columns, in a family's navigation ``order`` (others after it)."""
        top = [c for c in self.columns.values() if not c.parent and c.where == "top"]
        rank = {k: i for i, k in enumerate(order)}
        return sorted(top, key=lambda c: rank.get(c.key, len(rank)))

    def more_columns(self) -> list[Column]:
        """The columns shown only in the 更多 menu."""
        return [c for c in self.columns.values() if c.where == "more"]

    def column_by_std(self, std: str) -> Column | None:
        for col in self.columns.values():
            if col.std == std:
                return col
        return None
