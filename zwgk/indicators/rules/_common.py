"""Small helpers shared by rules: building findings, reading dates and columns."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from zwgk.model import Finding, Outcome, Page, PageKind, SiteSnapshot
from zwgk.text import normalise

if TYPE_CHECKING:
    from zwgk.indicators.spec import Rubric, RuleSpec


def make_finding(
    snapshot: SiteSnapshot,
    spec: RuleSpec,
    subject: str,
    message: str,
    evidence: dict[str, Any],
    page: str = "",
    severity: str | None = None,
    points: float | None = None,
    fix: str | None = None,
) -> Finding:
    """A finding of ``spec`` with its catalog points, indicator and fix text."""
    return Finding(
        unit_id=snapshot.unit.unit_id,
        site=snapshot.homepage,
        rule=spec.code,
        subject=subject,
        page=page,
        severity=severity or spec.severity,
        points=spec.points if points is None else points,
        evidence=evidence,
        message=message,
        fix=fix if fix is not None else spec.fix_zh,
        indicator=spec.indicator,
    )


_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def to_date(value: Any) -> dt.date | None:
    """A date from a date, datetime or a string such as ``2025-09-30 17:18`` / ``2025年9月30日``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.search(str(value))
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def latest_on_or_before(md: str, as_of: dt.date) -> dt.date | None:
    """The latest date with month-day ``md`` (``"05-12"``) not after ``as_of``.

    A list that shows ``[05-12]`` without the year: taking the latest possible year never
    overstates an item's age, so a column judged stale on it is stale whatever the year.
    """
    try:
        month, day = (int(x) for x in md.split("-"))
    except ValueError:
        return None
    for year in range(as_of.year, as_of.year - 8, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= as_of:
            return candidate
    return None


def item_date(item: dict[str, Any], as_of: dt.date) -> dt.date | None:
    """A list item's date: its full date, else its month-day in the latest year ≤ ``as_of``."""
    full = to_date(item.get("date"))
    if full is not None:
        return full
    md = item.get("md")
    return latest_on_or_before(md, as_of) if md else None


def ok_pages(snapshot: SiteSnapshot, kind: str | None = None) -> list[Page]:
    """Pages that were fetched successfully (optionally of one kind), in URL order."""
    pages = [p for p in snapshot.pages.values() if p.outcome == Outcome.OK.value]
    if kind is not None:
        pages = [p for p in pages if p.kind == kind]
    return sorted(pages, key=lambda p: p.url)


def home_ok(snapshot: SiteSnapshot) -> bool:
    home = snapshot.home
    return home is not None and home.outcome == Outcome.OK.value


def home_page(snapshot: SiteSnapshot) -> Page | None:
    """The homepage if it was fetched successfully."""
    return snapshot.home if home_ok(snapshot) else None


def to_simplified(text: str) -> str:
    """The one normalisation (:func:`zwgk.text.normalise`): a 繁体 site writes 政發 for 政发."""
    return normalise(text)


def vocabulary(rubric: Rubric):
    """The rubric's column vocabulary (built once per rubric object)."""
    cached = _VOCABULARIES.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        cached = (rubric, rubric.column_vocabulary())
        _VOCABULARIES[id(rubric)] = cached
    return cached[1]


_VOCABULARIES: dict[int, tuple[Any, Any]] = {}


def column_name_of(page: Page, rubric: Rubric) -> str:
    """The standard column a column page stands for ("" when unknown)."""
    facts = page.facts or {}
    declared = facts.get("column") or ""
    if declared in rubric.columns:
        return declared
    vocab = vocabulary(rubric)
    for text in (declared, facts.get("column_text") or "", (facts.get("meta") or {}).get("ColumnName") or ""):
        found = vocab.match(text)
        if found:
            return found.column
    return ""


def column_match_method(page: Page) -> str:
    """How the crawler recognised the column a list page stands for ("" if not recorded)."""
    return str(((page.facts or {}).get("column_match") or {}).get("method") or "")


class Column:
    """A column (栏目): its first list page plus the items of its further pages."""

    def __init__(self, page: Page, name: str, items: list[dict[str, Any]], pages: list[str]):
        self.page, self.name, self.items, self.pages = page, name, items, pages

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def match(self) -> dict[str, Any]:
        """How the column's name was recognised (evidence), {} when not recorded."""
        return dict((self.page.facts or {}).get("column_match") or {})

    @property
    def weakly_named(self) -> bool:
        """Recognised only by a near spelling: a finding about it needs an evaluator's look."""
        return self.match.get("method") == "fuzzy"

    @property
    def label(self) -> str:
        facts = self.page.facts or {}
        return facts.get("column_text") or self.name or self.page.title or self.page.url

    def newest(self, as_of: dt.date) -> tuple[dt.date | None, int]:
        """Newest item date (month-day items in their latest year ≤ ``as_of``) and the number of
        items without a date."""
        dates = [item_date(i, as_of) for i in self.items]
        known = [d for d in dates if d is not None]
        return (max(known) if known else None, len(dates) - len(known))


_PAGE_N = re.compile(r"(index|list|default)?_\d+\.s?html?$|[?&](page|pageNo|pageIndex|p)=\d+|/\d+\.s?html?$", re.I)


def columns_of(snapshot: SiteSnapshot, rubric: Rubric) -> list[Column]:
    """Column list pages grouped with their further pages (pagination), items merged.

    Pages linked by pagination in either direction (page 2 links back to page 1)
    form one column; its URL is the first page: the one without a page number,
    else the shortest URL.
    """
    pages = {p.url: p for p in ok_pages(snapshot, PageKind.COLUMN.value)}
    parent = {u: u for u in pages}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for p in pages.values():
        for other in (p.facts or {}).get("pagination") or []:
            if other in pages and other != p.url:
                parent[find(other)] = find(p.url)
    groups: dict[str, list[Page]] = {}
    for u, p in pages.items():
        groups.setdefault(find(u), []).append(p)
    out: list[Column] = []
    for members in groups.values():
        members.sort(key=lambda p: (bool(_PAGE_N.search(p.url)), len(p.url), p.url))
        first = members[0]
        items: list[dict[str, Any]] = []
        seen_items: set[str] = set()
        for p in members:
            for item in (p.facts or {}).get("items") or []:
                key = item.get("url") or f"{item.get('title')}|{item.get('date')}"
                if key not in seen_items:
                    seen_items.add(key)
                    items.append(item)
        name = column_name_of(first, rubric)
        if not name:
            name = next((n for n in (column_name_of(p, rubric) for p in members[1:]) if n), "")
        out.append(Column(first, name, items, [p.url for p in members]))
    return sorted(out, key=lambda c: c.url)


def nav_texts(snapshot: SiteSnapshot) -> Iterable[tuple[str, str, str]]:
    """(text, url, page) of every navigation entry seen on any fetched page."""
    for p in ok_pages(snapshot):
        for entry in (p.facts or {}).get("nav") or []:
            yield entry.get("text") or "", entry.get("url") or "", p.url


def fmt_date(d: dt.date | None) -> str:
    return d.isoformat() if d else "无日期"
