"""办事服务 rules: a service entry, complete 办事指南, working form downloads.

They read ``services`` (entries on the homepage and column pages) and ``guide`` (labels and
form links of a 办事指南 page) facts of ``zwgk.crawlers.content_scan``.  Only units with public
services (``has_services``) are judged.  Where the site's services cannot be seen — no entry at
all (SVC-NONE, a candidate until confirmed), or only a link to a platform outside the site
(SVC-EXTERNAL) — the finding says ``"services_unjudged": true`` and the services indicator is
未测评 until an evaluator scores it (see ``zwgk.assess.scoring``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_page, make_finding, ok_pages
from zwgk.model import Finding, Outcome, SiteSnapshot


def _entries(snapshot: SiteSnapshot) -> list[dict[str, Any]]:
    """Service entries seen on the site, except links confirmed dead (a dead entry serves nobody;
    it is a LINK-* finding)."""
    out: dict[str, dict[str, Any]] = {}
    for page in ok_pages(snapshot):
        for e in ((page.facts or {}).get("services") or {}).get("entries", []) or []:
            target = snapshot.pages.get(e.get("url", ""))
            if target is not None and target.outcome == Outcome.BROKEN.value:
                continue
            out.setdefault(e.get("url", ""), e)
    return list(out.values())


def _guides(snapshot: SiteSnapshot) -> list:
    return [p for p in ok_pages(snapshot) if isinstance((p.facts or {}).get("guide"), dict)]


def _scanned(snapshot: SiteSnapshot) -> bool:
    home = home_page(snapshot)
    return home is not None and "services" in (home.facts or {})


@register("SVC-NONE")
def svc_none(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """No service function at all: no 办事服务 entry, no platform link, no 办事指南 (服务不实用)."""
    if not snapshot.unit.has_services or not _scanned(snapshot):
        return []
    if _entries(snapshot) or _guides(snapshot):
        return []
    msg = (
        f"网站 {snapshot.homepage} 未发现办事服务入口（本站办事服务栏目或政务服务网链接）和办事指南，"
        "疑似无办事服务功能，请核查。"
    )
    evidence = {
        "confidence": "review",
        "services_unjudged": True,
        "searched": "首页、栏目页的导航与链接",
        "review_reason": "未发现办事服务入口，需人工确认（入口可能在图片或脚本菜单中）",
    }
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


@register("SVC-EXTERNAL")
def svc_external(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Services live outside the site (no 办事指南 readable here): the evaluator must score them."""
    if not snapshot.unit.has_services or not _scanned(snapshot) or _guides(snapshot):
        return []
    entries = _entries(snapshot)
    if not entries:
        return []
    platform = [e for e in entries if e.get("platform")]
    shown = (platform or entries)[0]
    msg = (
        f"网站 {snapshot.homepage} 的办事服务入口为“{shown.get('text')}”（{shown.get('url')}），"
        "本站未找到可读的办事指南，办事服务需由评估人员在服务平台上打分。"
    )
    evidence = {"services_unjudged": True, "entries": entries}
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


def _present(labels: list[str], names: list[str]) -> bool:
    return any(n in label for n in names for label in labels)


@register("SVC-GUIDE")
def svc_guide(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """办事指南 missing key elements (categories and their synonyms are rubric data)."""
    if not snapshot.unit.has_services:
        return []
    categories: dict[str, list[str]] = {k: [k, *v] for k, v in (spec.params.get("categories") or {}).items()}
    key = [c for c in spec.params.get("key_categories", list(categories)) if c in categories]
    guides = _guides(snapshot)
    incomplete = []
    for page in guides:
        labels = list(page.facts["guide"].get("labels", []))
        present = [c for c in categories if _present(labels, categories[c])]
        missing = [c for c in key if c not in present]
        if len(missing) >= int(spec.params.get("min_missing", 1)):
            incomplete.append((page, present, missing))
    if not incomplete:
        return []
    share = len(incomplete) / len(guides)
    veto = share >= float(spec.params.get("veto_share", 1.0)) and len(incomplete) >= int(
        spec.params.get("veto_min_guides", 1)
    )
    out = []
    for page, present, missing in incomplete:
        msg = f"办事指南 {page.url}（{page.title[:40]}）缺少要素：{'、'.join(missing)}。"
        evidence = {
            "missing": missing,
            "present": present,
            "guides": len(guides),
            "incomplete": len(incomplete),
            "veto": veto,
        }
        out.append(
            make_finding(snapshot, spec, page.url, msg, evidence, page=page.url, severity="veto" if veto else None)
        )
    return out


@register("SVC-FORM")
def svc_form(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """A form offered for download on a 办事指南 that does not open (confirmed broken)."""
    if not snapshot.unit.has_services:
        return []
    out = []
    seen: set[str] = set()
    for page in _guides(snapshot):
        for form in page.facts["guide"].get("forms", []) or []:
            url = form.get("url", "")
            target = snapshot.pages.get(url)
            if not url or url in seen or target is None or target.outcome != Outcome.BROKEN.value:
                continue
            seen.add(url)
            msg = f"办事指南 {page.url} 提供的表格“{form.get('text')}”无法下载（{url}，{target.error or target.status}）。"
            evidence = {
                "guide": page.url,
                "form_text": form.get("text"),
                "status": target.status,
                "error": target.error,
            }
            out.append(make_finding(snapshot, spec, url, msg, evidence, page=page.url))
    return out


def form_targets(snapshot: SiteSnapshot) -> set[str]:
    """Form URLs offered on 办事指南 pages: judged by SVC-FORM, so LINK-* does not count them again."""
    return {f.get("url", "") for p in _guides(snapshot) for f in p.facts["guide"].get("forms", []) or []}
