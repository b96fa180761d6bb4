"""JICENG-*: a county or township government's 政务公开事项标准目录 (国办发〔2019〕54号, seed 004).

The site's 标准目录 column (recognised by the rubric's column vocabulary) lists one catalogue per
area; JICENG-AREA names each of the standard's 26 pilot areas with no catalogue there (coverage
in the evidence), JICENG-ELEMENT each catalogue page whose table does not state every required
element (事项、依据、时限、主体、方式、渠道、对象).  The standard is data
(``zwgk/data/standards/jiceng-2019.toml``, :mod:`zwgk.indicators.jiceng`).  A site without a
recognised 标准目录 column, or whose column names too few areas to be read as itemised by area
(one PDF, a search form), is not judged: absence from a crawl proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from zwgk.indicators.jiceng import load_standard
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import columns_of, home_ok, make_finding, ok_pages
from zwgk.model import REVIEW_CONFIDENCE, Finding, PageKind, SiteSnapshot

CATALOG_COLUMN = "基层政务公开标准目录"


def _catalog_columns(snapshot: SiteSnapshot, rubric):
    return [c for c in columns_of(snapshot, rubric) if c.name == CATALOG_COLUMN]


@register("JICENG-AREA")
def jiceng_area(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    cols = _catalog_columns(snapshot, rubric)
    if not cols:
        return []
    standard = load_standard(str(spec.params.get("standard") or "jiceng-2019"))
    seen: dict[str, str] = {}  # area → where it was seen (entry or page URL)
    urls = set()
    for col in cols:
        for item in col.items:
            area = standard.area_of(item.get("title") or "")
            if area is not None:
                seen.setdefault(area.name, item.get("url") or col.url)
            urls.add(item.get("url") or "")
    for page in ok_pages(snapshot, PageKind.ARTICLE.value):
        if page.url in urls or (page.facts or {}).get("column") == CATALOG_COLUMN:
            area = standard.area_of(page.title)
            if area is not None:
                seen.setdefault(area.name, page.url)
    if len(seen) < int(spec.params["min_areas_seen"]):
        return []
    names = [a.name for a in standard.areas]
    missing = [n for n in names if n not in seen]
    coverage = round(len(seen) / len(names), 4)
    out = []
    weak = any(c.weakly_named for c in cols)
    for name in missing:
        evidence = {
            "area": name,
            "standard": standard.name,
            "catalog": [c.url for c in cols],
            "areas_present": sorted(seen, key=names.index),
            "coverage": coverage,
            "areas_missing": missing,
        }
        if weak:
            evidence["confidence"] = REVIEW_CONFIDENCE
            evidence["review_reason"] = "标准目录栏目仅按近似名称识别，需人工确认"
        msg = f"基层政务公开标准目录缺少“{name}”领域（26个试点领域已覆盖{len(seen)}个，覆盖率{coverage:.0%}）。"
        out.append(make_finding(snapshot, spec, name, msg, evidence, page=cols[0].url))
    return out


@register("JICENG-ELEMENT")
def jiceng_element(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    cols = _catalog_columns(snapshot, rubric)
    if not cols:
        return []
    standard = load_standard(str(spec.params.get("standard") or "jiceng-2019"))
    required = [e.name for e in standard.elements if e.required]
    listed = {item.get("url") for c in cols for item in c.items}
    out = []
    for page in ok_pages(snapshot, PageKind.ARTICLE.value):
        facts = page.facts or {}
        table = facts.get("catalog")
        if not table or not (page.url in listed or facts.get("column") == CATALOG_COLUMN):
            continue
        area = standard.area_of(page.title)
        if area is None:
            continue
        stated = standard.elements_in(list(table.get("headers") or []))
        missing = [e for e in required if e not in stated]
        if not missing:
            continue
        msg = (
            f"“{area.name}”领域标准目录（《{page.title}》）未列明要素：{'、'.join(missing)}"
            f"（应包括{'、'.join(required)}）。"
        )
        evidence = {
            "area": area.name,
            "headers": table.get("headers"),
            "rows": table.get("rows"),
            "missing": missing,
            "required": required,
        }
        out.append(make_finding(snapshot, spec, page.url, msg, evidence, page=page.url))
    return out
