"""Identification and page-design rules: footer marks, site search and 指引 meta tags."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_page, make_finding, ok_pages
from zwgk.model import Finding, PageKind, SiteSnapshot


def _footer(snapshot: SiteSnapshot) -> dict[str, Any] | None:
    """The homepage footer facts, or None when the homepage (or its footer extraction) is missing."""
    home = home_page(snapshot)
    if home is None:
        return None
    footer = (home.facts or {}).get("footer")
    return footer if isinstance(footer, dict) else None


def _digits(text: str) -> str:
    match = re.search(r"\d{10}", re.sub(r"\s", "", str(text or "")))
    return match.group(0) if match else ""


@register("IDENT-SITECODE")
def ident_sitecode(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    footer = _footer(snapshot)
    if footer is None:
        return []
    shown = _digits(footer.get("site_code") or "")
    expected = _digits(snapshot.unit.site_code)
    evidence = {"footer_site_code": footer.get("site_code") or "", "registry_site_code": snapshot.unit.site_code}
    if not shown:
        msg = f"首页 {snapshot.homepage} 底部未标注政府网站标识码"
        msg += f"（应为{expected}）。" if expected else "。"
    elif expected and shown != expected:
        msg = f"首页 {snapshot.homepage} 底部标注的网站标识码为{shown}，与注册信息中的{expected}不一致。"
    else:
        return []
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


def _missing_footer_field(snapshot, spec, key: str, label: str, example: str) -> list[Finding]:
    footer = _footer(snapshot)
    if footer is None or str(footer.get(key) or "").strip():
        return []
    msg = f"首页 {snapshot.homepage} 底部未标注{label}（如“{example}”）。"
    return [
        make_finding(snapshot, spec, snapshot.homepage, msg, {"footer": footer, "field": key}, page=snapshot.homepage)
    ]


@register("IDENT-ICP")
def ident_icp(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    return _missing_footer_field(snapshot, spec, "icp", "ICP备案编号", "京ICP备05070218号")


@register("IDENT-PSB")
def ident_psb(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """No 公安机关备案号 in the homepage footer.

    The extractor accepts the spellings sites use (公网安备 with or without 号, 公安备, the
    older city 郑公备, 公安备案号：…) and any number linked to the MPS filing system; a page
    that links the filing system but shows no number the extractor can read (an icon only, a
    spelling not known) has a filing: a person checks whether its number is shown.
    """
    found = _missing_footer_field(snapshot, spec, "psb", "公安机关备案号", "京公网安备11010202000001号")
    footer = _footer(snapshot) or {}
    for f in found:
        if str(footer.get("psb_link") or "").strip():
            f.evidence["confidence"] = "review"
            f.evidence["review_reason"] = (
                f"页脚链接到公安机关备案系统（备案号{footer['psb_link']}），但未识别出备案号文字，需人工核对"
            )
    return found


@register("IDENT-SPONSOR")
def ident_sponsor(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    found = _missing_footer_field(snapshot, spec, "sponsor", "网站主办单位", "主办单位：XX市人民政府办公室")
    footer = _footer(snapshot) or {}
    for f in found:
        if str(footer.get("organiser") or "").strip():  # 承办 named, 主办 not: a person decides
            f.evidence["confidence"] = "review"
            f.evidence["review_reason"] = f"页脚标注了承办单位“{footer['organiser']}”但未见主办单位，需人工核对"
    return found


@register("CONAC-BADGE")
def conac_badge(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    footer = _footer(snapshot)
    if footer is None:
        return []
    if footer.get("conac") or footer.get("conac_badge"):
        return []
    msg = f"首页 {snapshot.homepage} 底部没有党政机关网站标识（conac.cn 标识）。"
    return [make_finding(snapshot, spec, snapshot.homepage, msg, {"footer": footer}, page=snapshot.homepage)]


_SEARCH_WORDS = ("搜索", "检索", "查询")
# A search page or widget's URL: the word on its own (…/search/, jsearch.do, search.js, ?query=),
# not inside another word: every site loads jquery.min.js, and /research/ is 调查研究.
_SEARCH_URL = re.compile(r"(?<![a-z])(?:j?search|sousuo|query)(?![a-z])|/s\?", re.IGNORECASE)


@register("SEARCH-MISSING")
def search_missing(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Judged only on positive knowledge: the crawler's ``facts["search"]`` (search form seen or not).

    Without that fact a search link is proof of presence, but no link is no proof of
    absence (most sites use a form, which is not a link), so nothing is reported.
    """
    home = home_page(snapshot)
    if home is None:
        return []
    facts = home.facts or {}
    anchors = [(link.anchor, link.target) for link in snapshot.links if link.source in (home.url, home.final_url)]
    anchors += [(e.get("text") or "", e.get("url") or "") for e in facts.get("nav") or []]
    linked = any(any(w in (a or "") for w in _SEARCH_WORDS) or _SEARCH_URL.search(t or "") for a, t in anchors)
    if linked or "search" not in facts or facts["search"]:
        return []
    msg = f"首页 {snapshot.homepage} 没有站内搜索（未发现搜索框或搜索页链接）。"
    return [make_finding(snapshot, spec, snapshot.homepage, msg, {"source": "facts:search"}, page=snapshot.homepage)]


_PAGE_TYPE_ZH = {"home": "首页", "column": "栏目页", "article": "内容页"}


@register("IDENT-META")
def ident_meta(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    site, column, article = (list(spec.params[k]) for k in ("site_tags", "column_tags", "article_tags"))
    required = {
        PageKind.HOME.value: site,
        PageKind.COLUMN.value: site + column,
        PageKind.ARTICLE.value: site + column + article,
    }
    out = []
    for kind, tags in required.items():
        pages = [p for p in ok_pages(snapshot, kind) if not p.content_type or "html" in p.content_type]
        if kind == PageKind.HOME.value:
            pages = [p for p in pages if p.url == snapshot.homepage] or pages
        missing_by_page: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        for page in pages:
            meta = {str(k).lower(): v for k, v in ((page.facts or {}).get("meta") or {}).items()}
            missing = [t for t in tags if not str(meta.get(t.lower()) or "").strip()]
            if missing:
                missing_by_page[page.url] = missing
                for t in missing:
                    counts[t] = counts.get(t, 0) + 1
        if not missing_by_page:
            continue
        label = _PAGE_TYPE_ZH[kind]
        summary = "、".join(f"{t}（{n}页）" for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        msg = (
            f"{len(missing_by_page)}/{len(pages)}个{label}缺少必需的 meta 标签：{summary}；"
            f"例如 {next(iter(sorted(missing_by_page)))}。"
        )
        evidence = {
            "page_type": kind,
            "required_tags": tags,
            "pages_checked": len(pages),
            "pages_missing": len(missing_by_page),
            "missing_counts": counts,
            "pages": dict(sorted(missing_by_page.items())[:200]),
        }
        out.append(make_finding(snapshot, spec, kind, msg, evidence, page=next(iter(sorted(missing_by_page)))))
    return out
