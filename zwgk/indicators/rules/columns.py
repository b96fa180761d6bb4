"""Column rules: stale columns, blank columns and required columns that are missing.

A blank column is counted only as COLUMN-BLANK, never also as FRESH-COLUMN: the
national rubric deducts one problem once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import (
    Column,
    columns_of,
    fmt_date,
    home_ok,
    item_date,
    make_finding,
    nav_texts,
    vocabulary,
)
from zwgk.model import Finding, PageKind, SiteSnapshot


def _hub_names(rubric) -> set[str]:
    """Columns that hold other columns (e.g. 政府信息公开) or entries (办事服务, ``hub = true``):
    their page lists columns or services, not dated items, so it is never blank."""
    return {c.parent for c in rubric.columns.values() if c.parent} | {
        name for name, c in rubric.columns.items() if getattr(c, "hub", False)
    }


def _weak(col: Column, evidence: dict) -> dict:
    """Evidence of a finding about ``col``: how its name was matched; a near-spelling match
    sends the finding to review (``confidence: review``) instead of the 整改清单."""
    if col.match:
        evidence["column_match"] = col.match
    if col.weakly_named:
        evidence["confidence"] = "review"
        evidence["review_reason"] = f"栏目名称“{col.label}”仅近似匹配“{col.name}”，需人工确认是否为该栏目"
    return evidence


def _has_more_pages(col: Column) -> bool:
    """Pagination ("共N条 第1/3页") means content exists even when no item could be read (JS lists)."""
    return len(col.pages) > 1 or bool((col.page.facts or {}).get("pagination"))


# Running text (Chinese characters) that makes a column page one document rather than an
# empty list: a 政府信息公开指南 runs to thousands, a 机构职能 page to several hundred.
DOCUMENT_MIN_CHARS = 300


def _is_document(col: Column) -> bool:
    """The column opens one document (指南, 制度, 机构职能 pages often do): it is not blank."""
    return int((col.page.facts or {}).get("document_chars") or 0) >= DOCUMENT_MIN_CHARS


def _is_blank(col: Column, hubs: set[str]) -> bool:
    if col.items or _has_more_pages(col) or _is_document(col):
        return False
    if col.name in hubs or (col.page.facts or {}).get("hub"):
        return False
    return True


def _applies(rubric, name: str, snapshot: SiteSnapshot) -> bool:
    spec = rubric.columns.get(name)
    return spec is not None and spec.applies_to(snapshot.unit.tier, snapshot.unit.kind)


@register("COLUMN-BLANK")
def column_blank(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    hubs = _hub_names(rubric)
    blank = [c for c in columns_of(snapshot, rubric) if _is_blank(c, hubs)]
    blank = [c for c in blank if not c.name or _applies(rubric, c.name, snapshot)]
    veto_count = int(spec.params["veto_count"])
    veto = len(blank) >= veto_count
    out = []
    for col in blank:
        evidence = {
            "column": col.name,
            "anchor": col.label,
            "pages": col.pages,
            "items": 0,
            "blank_columns": len(blank),
            "veto_count": veto_count,
            "veto": veto,
        }
        msg = f"栏目“{col.label}”（{col.url}）没有任何信息，为空白栏目"
        if veto:
            msg += f"；全站空白栏目共{len(blank)}个（≥{veto_count}个），单项否决。"
        else:
            msg += f"（全站空白栏目{len(blank)}个）。"
        out.append(
            make_finding(
                snapshot, spec, col.url, msg, _weak(col, evidence), page=col.url, severity="veto" if veto else None
            )
        )
    return out


@register("FRESH-COLUMN")
def fresh_column(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    as_of = snapshot.as_of
    hubs = _hub_names(rubric)
    stale: list[tuple[Column, int, dt.date | None, int, int | None]] = []
    for col in columns_of(snapshot, rubric):
        cspec = rubric.columns.get(col.name)
        if cspec is None or not cspec.freshness_days or not _applies(rubric, col.name, snapshot):
            continue
        if _is_blank(col, hubs):
            continue  # counted by COLUMN-BLANK only
        if not col.items:
            continue  # pages exist but no item could be read (e.g. a list written by JavaScript): not judged
        newest, undated = col.newest(as_of)
        if newest is not None and newest > as_of:
            dated = [d for d in (item_date(i, as_of) for i in col.items) if d is not None and d <= as_of]
            newest = max(dated) if dated else None
        age = (as_of - newest).days if newest else None
        if age is not None and age < cspec.freshness_days:
            continue
        stale.append((col, cspec.freshness_days, newest, undated, age))
    timely_kinds = set(spec.params["veto_timely_kinds"])
    timely = sum(1 for col, *_ in stale if rubric.columns[col.name].kind in timely_kinds)
    veto_timely, veto_total = int(spec.params["veto_timely_count"]), int(spec.params["veto_total_count"])
    veto = timely >= veto_timely or len(stale) >= veto_total
    out = []
    for col, period, newest, undated, age in stale:
        kind = rubric.columns[col.name].kind
        evidence = {
            "column": col.name,
            "kind": kind,
            "anchor": col.label,
            "newest_date": fmt_date(newest) if newest else None,
            "age_days": age,
            "period_days": period,
            "as_of": as_of.isoformat(),
            "items": len(col.items),
            "undated_items": undated,
            "date_source": "column items",
            "pages": col.pages,
            "stale_columns": len(stale),
            "stale_timely_columns": timely,
            "veto": veto,
        }
        if newest is None:
            msg = (
                f"栏目“{col.label}”（{col.url}）的{len(col.items)}条信息均无发布日期，"
                f"视为{period}天内未更新（{kind}类栏目更新周期{period}天）"
            )
        else:
            msg = (
                f"栏目“{col.label}”（{col.url}）最新信息日期为{newest.isoformat()}，距评估日{as_of.isoformat()}"
                f"已{age}天未更新，超过{kind}类栏目更新周期{period}天"
            )
        if veto:
            msg += (
                f"；全站不更新栏目{len(stale)}个（其中动态要闻/通知公告/政策文件类{timely}个），"
                f"达到单项否决线（{veto_timely}个或共{veto_total}个）。"
            )
        else:
            msg += "。"
        out.append(
            make_finding(
                snapshot, spec, col.url, msg, _weak(col, evidence), page=col.url, severity="veto" if veto else None
            )
        )
    return out


@register("COLUMN-MISSING")
def column_missing(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    vocab = vocabulary(rubric)

    def _match(text: str) -> str:
        hit = vocab.match(text)  # any recognition, even a near spelling, is evidence of presence
        return hit.column if hit else ""

    found: dict[str, tuple[str, str]] = {}
    nav_count = 0
    for text, _url, page in nav_texts(snapshot):
        nav_count += 1
        name = _match(text)
        if name and name not in found:
            found[name] = (text, page)
    hubs = _hub_names(rubric)
    cols = columns_of(snapshot, rubric)
    hub_pages = {snapshot.homepage} | {c.url for c in cols if c.name in hubs or (c.page.facts or {}).get("hub")}
    listed = {i.get("url") for c in cols for i in c.items}  # entries of lists: articles, not columns
    for link in snapshot.links:  # entries listed in the body of the homepage and of hub pages (政府信息公开 …)
        target = snapshot.pages.get(link.target)
        if (target is not None and target.kind == PageKind.ARTICLE.value) or link.target in listed:
            continue  # "某市耕地保护信息公开" is an article's title, not the 信息公开 column
        if link.source in hub_pages and link.anchor:
            name = _match(link.anchor)
            if name and name not in found:
                found[name] = (link.anchor, link.source)
    for col in cols:
        if col.name and col.name not in found:
            found[col.name] = (col.label, col.url)
    out = []
    for name, cspec in rubric.columns.items():
        if not cspec.required or not cspec.applies_to(snapshot.unit.tier, snapshot.unit.kind) or name in found:
            continue
        names = [name, *cspec.synonyms]
        where = f"（应位于“{cspec.parent}”栏目下）" if cspec.parent else ""
        msg = (
            f"网站 {snapshot.homepage} 的导航（含“更多”菜单与政府信息公开专栏，共检查{nav_count}个导航入口、"
            f"{len(snapshot.pages)}个页面）中未找到必设栏目“{name}”{where}；可接受的名称：{'、'.join(names)}。"
        )
        evidence = {
            "column": name,
            "accepted_names": names,
            "parent": cspec.parent,
            "nav_entries_checked": nav_count,
            "pages_checked": len(snapshot.pages),
        }
        out.append(make_finding(snapshot, spec, name, msg, evidence, page=""))
    return out
