"""解读 rules: a policy document's interpretation is late, missing, or rare overall.

A document and its 解读 are linked when either page links to the other
(相关解读 / 原文链接 facts) or the 解读's title quotes the document's title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import zwgk.indicators.workdays as workdays
from zwgk.columns import INTERPRETATION_WORDS
from zwgk.crawlers.extract import without_site_name
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import columns_of, make_finding, ok_pages, to_date, to_simplified
from zwgk.model import Finding, Page, SiteSnapshot

_INTERP_WORDS = INTERPRETATION_WORDS


def is_interpretation(page: Page) -> bool:
    """A 解读 page: flagged by the crawler, or titled as one (图解 / 一图读懂 / 问答 …, 繁体 too)."""
    title = to_simplified(page.title or "")
    return bool((page.facts or {}).get("is_interpretation")) or any(w in title for w in _INTERP_WORDS)


_QUOTED = re.compile(r"《([^《》]{4,80})》")
_PROMULGATES = re.compile(
    r"^(?:.{0,30}?)关于(?:印发|转发|发布|公布|颁布|出台)?(.{4,80}?)的(?:通知|决定|公告|通告|批复|函)$"
)
_INTERP_AFFIX = re.compile(
    r"^(?:【[^】]{0,12}】)?(?:一图(?:读懂|看懂|速览|了解)|图文解读|政策解读|解读|图解|图说|图读|漫画|视频|音频|H5)?[:：]?(?:关于)?"
    r"|(?:的)?(?:政策)?(?:解读|图解|解读材料|解读问答|问答|答记者问|起草说明)(?:稿)?$"
)
_PUNCT = re.compile(r"[《》〈〉“”\"'\s·]")


def instrument_names(title: str) -> set[str]:
    """The names a 解读 may use for a document: each quoted instrument (关于印发《X》的通知 → X),
    the instrument a promulgating notice names without quotes, and the title itself."""
    simple = to_simplified(title or "").strip()
    names = {m for m in _QUOTED.findall(simple)}
    plain = _PUNCT.sub("", simple)
    bare = _PROMULGATES.match(plain)
    if bare:
        names.add(bare.group(1))
    names.add(plain)
    about = plain.find("关于")
    if about >= 0:  # "云湖县人民政府关于…的意见": the instrument without its issuing organ
        names.add(plain[about + 2 :])
    return {_PUNCT.sub("", n) for n in names if len(_PUNCT.sub("", n)) >= 6}


def interpretation_subject(title: str) -> str:
    """What a 解读 is about, its affixes stripped: 一图读懂《X实施办法》 → X实施办法.  A page the
    crawl only link-checked keeps its raw ``<title>``: the site name a CMS appends goes first
    (X政策解读-某某县人民政府 → X)."""
    simple = to_simplified(without_site_name(title or "")).strip()
    quoted = _QUOTED.findall(simple)
    if quoted:
        name = _PUNCT.sub("", max(quoted, key=len))
        return name[2:] if name.startswith("关于") else name
    text = _PUNCT.sub("", simple)
    for _ in range(3):  # prefixes and suffixes can stack: 【图解】一图读懂…的政策解读
        stripped = _INTERP_AFFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text


def titles_pair(doc_title: str, interp_title: str) -> bool:
    """An inspector's pairing by name: the 解读's subject (affixes stripped) is one of the
    document's instrument names, or nearly all of one (≥ 80 %, at least 8 characters).  A
    short fragment is no evidence, and a longer subject names another instrument
    (…实施办法（第二批）)."""
    subject = interpretation_subject(interp_title)
    if len(subject) < 6:
        return False
    for name in instrument_names(doc_title):
        if subject == name or (len(subject) >= 8 and subject in name and len(subject) * 10 >= len(name) * 8):
            return True
    return False


def _norm_url(url: str) -> str:
    return (url or "").split("#", 1)[0].rstrip("/")


def _page_date(page: Page) -> tuple[dt.date | None, str]:
    if page.pub_date:
        return page.pub_date, page.date_source or "pub_date"
    dates = (page.facts or {}).get("dates") or {}
    for label in ("发布日期", "发布时间", "成文日期"):
        d = to_date(dates.get(label))
        if d:
            return d, f"label:{label}"
    return None, ""


POLICY_COLUMN = "政策文件"


def policy_documents(snapshot: SiteSnapshot, rubric=None) -> list[Page]:
    """Pages carrying a 文号 that are not interpretations nor listed only in non-policy columns.

    A notice or news item that merely cites a 府办发 document carries its 文号 in
    the text; when the page is listed only under known other columns (通知公告,
    动态, 互动交流 …) it is not itself the policy document.
    """
    listed_in: dict[str, set[str]] = {}
    if rubric is not None:
        for col in columns_of(snapshot, rubric):
            for item in col.items:
                if item.get("url"):
                    listed_in.setdefault(item["url"], set()).add(col.name)
    out = []
    for p in ok_pages(snapshot):
        facts = p.facts or {}
        if not facts.get("doc_number") or is_interpretation(p):
            continue
        names = listed_in.get(p.url, set())
        if names and POLICY_COLUMN not in names and "" not in names:
            continue
        out.append(p)
    return out


def interpretations_of(snapshot: SiteSnapshot, rubric=None) -> dict[str, tuple[list[Page], list[str]]]:
    """Document URL → (crawled 解读 pages, uncrawled 解读 link URLs)."""
    interps = [p for p in ok_pages(snapshot) if is_interpretation(p) and p.kind != "column"]
    by_url = {_norm_url(p.url): p for p in interps}
    by_url.update({_norm_url(p.final_url): p for p in interps if p.final_url})
    listed = _listed_interpretations(snapshot, set(by_url))
    out: dict[str, tuple[list[Page], list[str]]] = {}
    for doc in policy_documents(snapshot, rubric):
        found: dict[str, Page] = {}
        uncrawled: list[str] = []
        doc_keys = {_norm_url(doc.url), _norm_url(doc.final_url or "")} - {""}
        for rel in (doc.facts or {}).get("related") or []:
            target = _norm_url(rel.get("url") or "")
            says_interp = any(w in (rel.get("text") or "") for w in _INTERP_WORDS)
            page = snapshot.pages.get(rel.get("url") or "")
            if target in by_url:
                found[by_url[target].url] = by_url[target]
            elif says_interp and page is not None and page.outcome == "ok" and page.kind != "column":
                found[page.url] = page  # linked as 解读 though the page does not say so in its title
            elif says_interp:
                uncrawled.append(rel.get("url") or "")
        for ip in interps:
            if any(_norm_url(r.get("url") or "") in doc_keys for r in (ip.facts or {}).get("related") or []):
                found[ip.url] = ip
        if not found and not uncrawled:
            # Fallback without links: a 解读 titled after the document, unless it links to another page
            # (so "…的通知（第二批）》的解读" does not count for "…的通知").
            for ip in interps:
                if _links_to_a_document(ip, snapshot):
                    continue  # it names its own document by link: titles are not compared
                if titles_pair(doc.title, ip.title):
                    found[ip.url] = ip
        if not found and not uncrawled:
            # A 解读 an inspector sees by title in a 解读 list whose page the crawl did not open
            # (the list is longer than the article cap): the document has one, its date unknown.
            uncrawled.extend(url for title, url in listed if titles_pair(doc.title, title))
        out[doc.url] = (sorted(found.values(), key=lambda p: p.url), uncrawled)
    return out


def _listed_interpretations(snapshot: SiteSnapshot, crawled: set[str]) -> list[tuple[str, str]]:
    """(title, url) of 解读 entries on list pages — items of a 解读 column, or titled as 解读
    anywhere — whose own page was not read."""
    out: list[tuple[str, str]] = []
    for page in ok_pages(snapshot):
        if page.kind != "column":
            continue
        interp_list = is_interpretation(page) or "解读" in to_simplified(str((page.facts or {}).get("column") or ""))
        for item in (page.facts or {}).get("items") or []:
            url, title = item.get("url") or "", to_simplified(item.get("title") or "")
            if not url or _norm_url(url) in crawled:
                continue
            if interp_list or any(w in title for w in _INTERP_WORDS):
                out.append((title, url))
    return out


def _links_to_a_document(page: Page, snapshot: SiteSnapshot) -> bool:
    """Whether a 解读 links to a policy document of its own (a page with a 文号): then it
    names its document by link and titles are not compared.  Links to column lists, to
    itself or to other news (a 相关链接 box) do not count."""
    for rel in (page.facts or {}).get("related") or []:
        target = snapshot.pages.get(rel.get("url") or "")
        if target is None or target.kind == "column" or _norm_url(target.url) == _norm_url(page.url):
            continue
        if (target.facts or {}).get("doc_number"):
            return True
    return False


def _is_normative(doc: Page, markers: list[str]) -> bool:
    """The 文号 carries a 规范性文件 marker; compared in Simplified (a 繁体 page shows 府辦發)."""
    number = to_simplified((doc.facts or {}).get("doc_number") or "")
    return any(to_simplified(m) in number for m in markers)


@register("INTERP-LATE")
def interp_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    limit = int(spec.params["max_working_days"])
    out = []
    links = interpretations_of(snapshot, rubric)
    for doc in policy_documents(snapshot, rubric):
        interps, _ = links.get(doc.url, ([], []))
        doc_date, doc_src = _page_date(doc)
        if doc_date is None or doc_date > snapshot.as_of:
            continue
        dated = [(d, src, ip) for ip in interps for d, src in [_page_date(ip)] if d is not None and d <= snapshot.as_of]
        if not dated:
            continue
        interp_date, interp_src, first = min(dated, key=lambda t: (t[0], t[2].url))
        try:
            lag = workdays.working_days_between(doc_date, interp_date)
            deadline = workdays.add_working_days(doc_date, limit)
        except workdays.CalendarUnknownError:
            if interp_date > snapshot.as_of or doc_date.year < 2004:
                continue  # dates outside any calendar are not judged (forged/ancient), see evidence of others
            raise
        if lag <= limit:
            continue
        number = (doc.facts or {}).get("doc_number") or ""
        msg = (
            f"政策文件《{doc.title or doc.url}》（{number}，{doc_date.isoformat()}发布）的解读"
            f"“{first.title or first.url}”于{interp_date.isoformat()}发布，晚了{lag}个工作日，"
            f"超过{limit}个工作日的要求（应不晚于{deadline.isoformat()}）。"
        )
        evidence = {
            "document": doc.url,
            "doc_number": number,
            "doc_date": doc_date.isoformat(),
            "doc_date_source": doc_src,
            "interpretation": first.url,
            "interp_date": interp_date.isoformat(),
            "interp_date_source": interp_src,
            "working_days": lag,
            "limit_working_days": limit,
            "deadline": deadline.isoformat(),
        }
        weak = [src for src in (doc_src, interp_src) if src == "url" or src.startswith("element:")]
        if weak:  # a date read from the URL or an unlabelled element is not a published date
            evidence["confidence"] = "review"
            evidence["review_reason"] = (
                "日期取自网址或无标签元素（" + "、".join(weak) + "），需人工核对页面显示的发布日期"
            )
        out.append(make_finding(snapshot, spec, doc.url, msg, evidence, page=doc.url))
    return out


@register("INTERP-MISSING")
def interp_missing(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    markers = list(spec.params["doc_number_markers"])
    links = interpretations_of(snapshot, rubric)
    out = []
    for doc in policy_documents(snapshot, rubric):
        if not _is_normative(doc, markers):
            continue
        interps, uncrawled = links.get(doc.url, ([], []))
        if interps or uncrawled:
            continue
        number = (doc.facts or {}).get("doc_number") or ""
        doc_date, src = _page_date(doc)
        msg = (
            f"规范性文件《{doc.title or doc.url}》（{number}"
            f"{'，' + doc_date.isoformat() + '发布' if doc_date else ''}）没有相关解读：文件页无解读链接，"
            "也没有解读页面链接回该文件或引用其标题。"
        )
        evidence = {
            "document": doc.url,
            "doc_number": number,
            "doc_date": doc_date.isoformat() if doc_date else None,
            "doc_date_source": src,
            "related_links": (doc.facts or {}).get("related") or [],
            "markers": markers,
        }
        out.append(make_finding(snapshot, spec, doc.url, msg, evidence, page=doc.url))
    return out


@register("INTERP-RATE")
def interp_rate(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    target = float(spec.params["target_rate"])
    markers = (
        list(rubric.rules["INTERP-MISSING"].params.get("doc_number_markers", []))
        if "INTERP-MISSING" in rubric.rules
        else []
    )
    links = interpretations_of(snapshot, rubric)
    docs = [d for d in policy_documents(snapshot, rubric) if not markers or _is_normative(d, markers)]
    if not docs:
        return []
    with_interp = [d for d in docs if any(links.get(d.url, ([], []))[i] for i in (0, 1))]
    rate = len(with_interp) / len(docs)
    if rate + 1e-12 >= target:
        return []
    msg = f"已抓取的{len(docs)}件规范性文件中有{len(with_interp)}件有解读，解读率{rate:.0%}，低于目标{target:.0%}。"
    evidence = {
        "documents": len(docs),
        "with_interpretation": len(with_interp),
        "rate": round(rate, 4),
        "target_rate": target,
        "without": sorted(d.url for d in docs if d not in with_interp)[:50],
    }
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page="")]
