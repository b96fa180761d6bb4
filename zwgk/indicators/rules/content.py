"""Content rules: tampering and illegal content, 严重表述错误, privacy leaks.

They read the ``content`` / ``title_tag`` facts of ``zwgk.crawlers.content_scan``.  A word
list match alone is not enough to fail a unit (an article reporting enforcement, a hover menu
of links to 人民网, a leader list out of date): such findings are raised with
``evidence["confidence"] = "review"`` (a candidate: no deduction, no 整改 item) and count only
when an evaluator confirms them (``zwgk review confirm``).  Evidence no honest page produces is
in force at once (``evidence["confidence"] = "strong"`` with the reason): illegal vocabulary in
the places an attacker writes and an editor does not — the ``<title>``, the keywords/description
meta, a CSS-hidden container — and, for PRIVACY-ID, a checksum-valid ID beside a personal-data
label.
One finding per page (``subject`` = the page URL, the homepage URL for CONTENT-TITLE), so a
tampered template counts once per page it shows on and evidence lists every hit on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_page, make_finding, ok_pages
from zwgk.model import Finding, PageKind, SiteSnapshot

REVIEW = "review"


def _content(page) -> dict[str, Any]:
    facts = page.facts or {}
    value = facts.get("content")
    return value if isinstance(value, dict) else {}


def _pages(snapshot: SiteSnapshot) -> list:
    """HTML pages of the site that were read (attachments and link-check targets have no content)."""
    return [
        p
        for p in ok_pages(snapshot)
        if p.kind in (PageKind.HOME.value, PageKind.COLUMN.value, PageKind.ARTICLE.value)
        and isinstance((p.facts or {}).get("content"), dict)
    ]


REVIEW_REASONS = {
    "CONTENT-ILLEGAL": "词表匹配到违法违规词语，需人工查看页面确认是否被篡改或挂马",
    "CONTENT-HIDDEN-LINK": "隐藏区域内有指向非政府网站的链接，需人工确认是否为暗链",
    "CONTENT-REDIRECT": "脚本指向非政府网站，需人工确认是否为恶意跳转或挂马",
    "CONTENT-TITLE": "首页标题与网站名称不符，需人工确认是否被篡改",
    "WORDING-TERM": "词典匹配到疑似规范表述错误，需人工确认",
    "WORDING-LEADER": "领导姓名或职务与维护的名单不符，需人工核对",
    "WORDING-SENSITIVE": "词表匹配到敏感表述，需人工确认语境",
    "PRIVACY-ID": "页面含通过校验的身份证号码，需人工确认是否为应脱敏的个人信息",
    "PRIVACY-MOBILE": "页面在个人信息旁含手机号码，需人工确认是否为应脱敏的个人信息",
}


STRONG = "strong"
# Where illegal vocabulary is written by whoever took over a page, never by its editors.
_ATTACKER_PLACES = ("title", "hidden", "meta:keywords", "meta:description")


def _candidate(snapshot, spec, page, message: str, evidence: dict[str, Any], strong: str = "") -> Finding:
    """A finding on ``page``: in force when ``strong`` names why the evidence is conclusive,
    else a review candidate with the rule's reason."""
    if strong:
        evidence = {"confidence": STRONG, "strong_reason": strong, **evidence}
    else:
        evidence = {"confidence": REVIEW, "review_reason": REVIEW_REASONS.get(spec.code, "需人工核查"), **evidence}
    return make_finding(snapshot, spec, page.url, message, evidence, page=page.url)


def _attacker_hits(page, categories: set[str] | None = None) -> list[dict[str, Any]]:
    """Illegal-vocabulary hits of ``page`` in the title, keywords/description meta or a hidden container."""
    return [
        h
        for h in _content(page).get("illegal", [])
        if h.get("where") in _ATTACKER_PLACES and (categories is None or h.get("category") in categories)
    ]


def _strong_reason(hits: list[dict[str, Any]]) -> str:
    if not hits:
        return ""
    places = "、".join(dict.fromkeys(_where_zh(h.get("where", "")) for h in hits))
    return f"违法违规词语出现在{places}（网站编辑不会在此处写入此类内容），证据充分"


def _where_zh(where: str) -> str:
    return {"title": "网页标题", "hidden": "隐藏区域链接", "link": "链接文字", "text": "正文"}.get(
        where, "meta 标签" if where.startswith("meta") else where
    )


@register("CONTENT-ILLEGAL")
def content_illegal(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Gambling / pornography / fraud vocabulary (with evasions) in title, meta, links or text."""
    categories = set(spec.params.get("categories", ["gambling", "porn", "fraud"]))
    out = []
    for page in _pages(snapshot):
        hits = [h for h in _content(page).get("illegal", []) if h.get("category") in categories]
        if not hits:
            continue
        first = hits[0]
        strong = _strong_reason([h for h in hits if h.get("where") in _ATTACKER_PLACES])
        msg = (
            f"页面 {page.url} 的{_where_zh(first.get('where', ''))}出现涉嫌违法违规内容“{first.get('term')}”"
            f"（共 {len(hits)} 处），疑似被篡改或挂马{'' if strong else '，请核查'}。"
        )
        out.append(_candidate(snapshot, spec, page, msg, {"hits": hits}, strong))
    return out


@register("CONTENT-HIDDEN-LINK")
def content_hidden_link(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Links to non-government hosts inside containers hidden by CSS (classic SEO-spam injection)."""
    out = []
    for page in _pages(snapshot):
        links = _content(page).get("hidden_links", [])
        if len(links) < int(spec.params.get("min_links", 1)):
            continue
        first = links[0]
        msg = (
            f"页面 {page.url} 含 {len(links)} 个隐藏的外部链接（如 {first.get('url')}，隐藏方式 "
            f"{first.get('how')}），疑似被植入暗链。"
        )
        # a hover menu of 人民网/新华网 links is hidden too; hidden links worded as gambling are not
        spam = [link for link in links if link.get("illegal")]
        strong = f"隐藏链接的文字含违法违规词语（如“{spam[0].get('text')}”），属植入的暗链" if spam else ""
        out.append(_candidate(snapshot, spec, page, msg, {"links": links}, strong))
    return out


@register("CONTENT-REDIRECT")
def content_redirect(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Scripts that send visitors to, or write in content from, a non-government host."""
    out = []
    for page in _pages(snapshot):
        redirects = _content(page).get("redirects", [])
        if not redirects:
            continue
        first = redirects[0]
        msg = f"页面 {page.url} 的脚本通过 {first.get('how')} 指向非政府网站 {first.get('url')}，疑似被篡改跳转或挂马。"
        # a script to a partner site is ordinary; one on a page whose title/meta/hidden text
        # carries illegal vocabulary is the same intrusion seen twice
        out.append(
            _candidate(snapshot, spec, page, msg, {"redirects": redirects}, _strong_reason(_attacker_hits(page)))
        )
    return out


_PUNCT = re.compile(r"[\s\-_|｜—·•:：,，.。()（）【】\[\]<>《》\"'“”]+")


def _squash(text: str) -> str:
    return _PUNCT.sub("", text or "")


@register("CONTENT-TITLE")
def content_title(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """The homepage ``<title>`` no longer names the site (its unit or SiteName): a replaced title."""
    home = home_page(snapshot)
    if home is None or "title_tag" not in (home.facts or {}):
        return []
    title = str(home.facts.get("title_tag") or "")
    meta = (home.facts.get("meta") or {}) if isinstance(home.facts.get("meta"), dict) else {}
    names = [n for n in (snapshot.unit.name, meta.get("SiteName", "")) if n]
    min_similarity = 100.0 * float(spec.params.get("min_similarity", 0.6))  # rubric 0–1, rapidfuzz 0–100
    t = _squash(title)
    if not names or not t:
        return []
    best = max(fuzz.partial_ratio(_squash(n), t) for n in names)
    illegal = [h for h in _content(home).get("illegal", []) if h.get("where") == "title"]
    if best >= min_similarity and not illegal:
        return []
    msg = (
        f"首页标题为“{title[:60]}”，与网站名称“{names[0]}”不符{'并含违法违规词语' if illegal else ''}，疑似首页被篡改。"
    )
    evidence: dict[str, Any] = {
        "title": title,
        "expected": names,
        "similarity": round(best / 100.0, 3),
        "illegal": illegal,
    }
    if illegal:  # a title replaced by a gambling site's name: no review needed
        evidence = {"confidence": STRONG, "strong_reason": _strong_reason(illegal), **evidence}
    else:  # only unlike the site's name (a renamed unit, a slogan title): a person judges
        evidence = {"confidence": REVIEW, "review_reason": REVIEW_REASONS["CONTENT-TITLE"], **evidence}
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


def _wording(snapshot, spec, lists: tuple[str, ...], label: str) -> list[Finding]:
    out = []
    for page in _pages(snapshot):
        hits = [h for h in _content(page).get("wording", []) if h.get("list") in lists]
        if not hits:
            continue
        first = hits[0]
        right = f"（应为“{first['right']}”）" if first.get("right") else ""
        msg = f"页面 {page.url} 出现{label}“{first.get('match')}”{right}，共 {len(hits)} 处，请核查。"
        out.append(_candidate(snapshot, spec, page, msg, {"hits": hits}))
    return out


@register("WORDING-TERM")
def wording_term(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Misspellings of official terms from the curated dictionary (严重表述错误)."""
    return _wording(snapshot, spec, ("term",), "规范表述错误")


@register("WORDING-LEADER")
def wording_leader(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Leaders' names written wrong or next to a wrong title, against the maintained list."""
    return _wording(snapshot, spec, ("leader", "leader_title"), "领导姓名或职务表述错误")


@register("WORDING-SENSITIVE")
def wording_sensitive(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Words a government site must not publish."""
    return _wording(snapshot, spec, ("sensitive",), "敏感表述")


def _privacy(snapshot, spec, kind: str, label: str, strong_labels: tuple[str, ...] = ()) -> list[Finding]:
    out = []
    for page in _pages(snapshot):
        hits = [h for h in _content(page).get("privacy", []) if h.get("kind") == kind]
        if not hits:
            continue
        msg = (
            f"页面 {page.url} 公开了 {len(hits)} 个未脱敏的{label}（如 {hits[0].get('masked')}），"
            "个人信息应去标识化后发布。"
        )
        beside = sorted({lab for h in hits for lab in strong_labels if lab in str(h.get("excerpt") or "")})
        strong = f"号码校验位正确且紧邻“{'、'.join(beside)}”等个人信息标签" if beside else ""
        # only masked numbers are ever stored (content_scan masks before the crawl writes facts)
        out.append(_candidate(snapshot, spec, page, msg, {"count": len(hits), "hits": hits}, strong))
    return out


@register("PRIVACY-ID")
def privacy_id(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Unmasked resident ID numbers (GB 11643 check digit valid) on published pages."""
    return _privacy(snapshot, spec, "id", "居民身份证号码", tuple(spec.params.get("personal_labels", ())))


@register("PRIVACY-MOBILE")
def privacy_mobile(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Unmasked mobile numbers next to personal data (not an office's published contact number)."""
    return _privacy(snapshot, spec, "mobile", "个人手机号码")
