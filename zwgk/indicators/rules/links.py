"""Broken links: one finding per broken target, listing every page that links to it.

Only targets whose fetch outcome is ``broken`` count; ``blocked`` (WAF),
``transient`` (timeouts, 5xx) and ``skipped`` targets are never findings.  A
target linked from the homepage is LINK-HOME (and not also LINK-PAGE).
"""

from __future__ import annotations

from collections.abc import Iterable

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import make_finding
from zwgk.indicators.rules.services import form_targets
from zwgk.model import Finding, Outcome, SiteSnapshot


def _broken_targets(snapshot: SiteSnapshot) -> dict[str, dict[str, list]]:
    """target → {"sources": [page URLs], "anchors": [texts]} for broken targets."""
    out: dict[str, dict[str, list]] = {}
    for link in snapshot.links:
        page = snapshot.pages.get(link.target)
        if page is None or page.outcome != Outcome.BROKEN.value:
            continue
        entry = out.setdefault(link.target, {"sources": [], "anchors": []})
        if link.source not in entry["sources"]:
            entry["sources"].append(link.source)
        if link.anchor and link.anchor not in entry["anchors"]:
            entry["anchors"].append(link.anchor)
    return out


def _home_keys(snapshot: SiteSnapshot) -> set[str]:
    home = snapshot.home
    keys = {snapshot.homepage}
    if home is not None and home.final_url:
        keys.add(home.final_url)
    return keys


def _evidence(snapshot: SiteSnapshot, target: str, entry: dict[str, list]) -> dict:
    page = snapshot.pages[target]
    return {
        "target": target,
        "status": page.status,
        "outcome": page.outcome,
        "error": page.error,
        "soft404": bool((page.facts or {}).get("soft404")),
        "pages": sorted(entry["sources"]),
        "page_count": len(entry["sources"]),
        "anchors": entry["anchors"][:10],
    }


def _why(snapshot: SiteSnapshot, target: str) -> str:
    page = snapshot.pages[target]
    if (page.facts or {}).get("soft404"):
        return "页面显示“页面不存在”"
    if page.status:
        return f"HTTP {page.status}"
    return page.error or "无法打开"


@register("LINK-HOME")
def link_home(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    homes = _home_keys(snapshot)
    out = []
    for target, entry in sorted(_broken_targets(snapshot).items()):
        if not homes & set(entry["sources"]):
            continue
        anchor = f"“{entry['anchors'][0]}”" if entry["anchors"] else ""
        msg = f"首页 {snapshot.homepage} 上的链接{anchor}指向 {target}，无法打开（{_why(snapshot, target)}）。"
        if len(entry["sources"]) > 1:
            msg += f"共有{len(entry['sources'])}个页面链接到该地址。"
        out.append(
            make_finding(snapshot, spec, target, msg, _evidence(snapshot, target, entry), page=snapshot.homepage)
        )
    return out


@register("LINK-PAGE")
def link_page(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    homes = _home_keys(snapshot)
    forms = form_targets(snapshot)
    out = []
    for target, entry in sorted(_broken_targets(snapshot).items()):
        if homes & set(entry["sources"]):
            continue  # already LINK-HOME
        if target in forms and "SVC-FORM" in getattr(rubric, "rules", {}):
            continue  # a 办事指南's form: SVC-FORM (not deducted twice)
        sources = sorted(entry["sources"])
        anchor = f"“{entry['anchors'][0]}”" if entry["anchors"] else ""
        msg = (
            f"链接{anchor}指向 {target}，无法打开（{_why(snapshot, target)}）；"
            f"共{len(sources)}个页面引用该链接，如 {sources[0]}。"
        )
        out.append(make_finding(snapshot, spec, target, msg, _evidence(snapshot, target, entry), page=sources[0]))
    return out
