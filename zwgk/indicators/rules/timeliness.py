"""政务公开 timeliness beyond the website's hygiene (issue 16 item 4).

- ``PUBLISH-LATE``: 主动公开 information published more than 20 working days after it was
  made, where the page shows its 成文日期 next to its 发布日期 (条例 第二十六条).
- ``KEYPOINTS-LATE``: the unit's own 政务公开工作要点 of the year published more than 30 working
  days after the 上级 要点 it implements (seed 002: "在本通知公布后30个工作日内…对外公开"); the
  上级 date of each year is rubric data (``reference_dates``), a year without one is not judged.
- ``INTERP-LEADER``: in the year before the as-of date none of the site's 解读 is by the unit's
  主要负责人 (seeds 000/001: 主要负责人每年解读重要政策措施不少于1次; seed 002: 第一解读人),
  recognised from 解读 titles and bylines.

Working days come from :mod:`zwgk.indicators.workdays` (调休-aware).  Absence is weak evidence
from a crawl: a missing 要点 or leader interpretation is a review candidate unless the rule saw
enough of the site to say so (see each rule).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import zwgk.indicators.workdays as workdays
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import (
    columns_of,
    home_ok,
    item_date,
    make_finding,
    ok_pages,
    to_date,
    to_simplified,
)
from zwgk.indicators.rules.interpretation import is_interpretation
from zwgk.model import REVIEW_CONFIDENCE, Finding, PageKind, SiteSnapshot

PUBLISH_LABELS = ("发布日期", "发布时间", "公开日期")
WRITTEN_LABEL = "成文日期"


def _review(evidence: dict, reason: str) -> dict:
    evidence["confidence"] = REVIEW_CONFIDENCE
    evidence["review_reason"] = reason
    return evidence


# ---------------------------------------------------------------- PUBLISH-LATE


@register("PUBLISH-LATE")
def publish_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """A page showing both 成文日期 and 发布日期 published more than ``max_working_days`` after
    it was made.  Both dates must be shown by the page (labelled, or the PubDate tag for the
    publication; a date read from a URL or an unlabelled element is never used); pages
    published before the look-back window are not judged."""
    limit = int(spec.params["max_working_days"])
    lookback = dt.timedelta(days=int(spec.params["lookback_days"]))
    written_labels = list(spec.params.get("written_labels") or [WRITTEN_LABEL])
    published_labels = list(spec.params.get("published_labels") or PUBLISH_LABELS)
    out: list[Finding] = []
    for page in ok_pages(snapshot, PageKind.ARTICLE.value):
        dates = (page.facts or {}).get("dates") or {}
        written_label = next((lab for lab in written_labels if to_date(dates.get(lab))), "")
        written = to_date(dates.get(written_label)) if written_label else None
        label = next((lab for lab in published_labels if to_date(dates.get(lab))), "")
        published = to_date(dates.get(label)) if label else None
        if published is None and page.pub_date and (page.date_source or "").startswith("meta:"):
            published, label = page.pub_date, page.date_source  # the page's PubDate tag (strong evidence)
        if written is None or published is None or published > snapshot.as_of:
            continue
        if published < snapshot.as_of - lookback or written >= published:
            continue
        try:
            lag = workdays.working_days_between(written, published)
            deadline = workdays.add_working_days(written, limit)
        except workdays.CalendarUnknownError:
            continue  # a year without a known holiday schedule: never guessed
        if lag <= limit:
            continue
        title = page.title or page.url
        msg = (
            f"《{title}》{written_label}{written.isoformat()}，发布日期{published.isoformat()}，"
            f"形成后{lag}个工作日才公开，超过{limit}个工作日（应不晚于{deadline.isoformat()}）。"
        )
        evidence = {
            "written": written.isoformat(),
            "written_label": written_label,
            "published": published.isoformat(),
            "published_label": label,
            "working_days": lag,
            "limit_working_days": limit,
            "deadline": deadline.isoformat(),
            "doc_number": (page.facts or {}).get("doc_number") or "",
        }
        out.append(make_finding(snapshot, spec, page.url, msg, evidence, page=page.url))
    return out


# ---------------------------------------------------------------- KEYPOINTS-LATE


def _reference_year(
    snapshot: SiteSnapshot, refs: dict[int, dt.date], limit: int
) -> tuple[int, dt.date, dt.date] | None:
    """The newest year (this or last) whose 上级 要点 date is known and whose deadline has passed."""
    for year in (snapshot.as_of.year, snapshot.as_of.year - 1):
        ref = refs.get(year)
        if ref is None:
            continue
        try:
            deadline = workdays.add_working_days(ref, limit)
        except workdays.CalendarUnknownError:
            continue
        if deadline < snapshot.as_of:
            return year, ref, deadline
    return None


def _own_place(snapshot: SiteSnapshot) -> str:
    """The unit's own name as its titles write it (人民政府 dropped: 云湖县人民政府 → 云湖县)."""
    return to_simplified(snapshot.unit.name or "").replace("人民政府", "").strip()


def _keypoint_years(title: str, keywords: list[str], exclude: list[str]) -> set[int]:
    """The years a title announces a 政务公开工作要点 for (none for the 国办 / 上级 one reposted)."""
    text = to_simplified(title or "").replace(" ", "")
    if not any(k in text for k in keywords) or any(x in text for x in exclude):
        return set()
    return {int(y) for y in re.findall(r"((?:19|20)\d{2})年", text)}


@register("KEYPOINTS-LATE")
def keypoints_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """The unit's 要点 of the judged year is late (deduction when its title names the unit, else a
    review candidate), or missing while earlier years' 要点 are on the site (review candidate:
    a crawl that did not reach a page cannot prove it absent).  A site showing no 要点 at all is
    not judged."""
    if not home_ok(snapshot):
        return []
    limit = int(spec.params["max_working_days"])
    refs = {
        int(y): d for y, v in dict(spec.params.get("reference_dates") or {}).items() if (d := to_date(v)) is not None
    }
    judged = _reference_year(snapshot, refs, limit)
    if judged is None:
        return []
    year, ref, deadline = judged
    keywords = [to_simplified(k) for k in spec.params["title_keywords"]]
    exclude = [to_simplified(k) for k in spec.params["exclude_words"]]
    seen: dict[str, tuple[str, dt.date | None, set[int]]] = {}  # url → (title, date, years)
    for col in columns_of(snapshot, rubric):
        for item in col.items:
            years = _keypoint_years(item.get("title") or "", keywords, exclude)
            if years:
                seen.setdefault(
                    item.get("url") or col.url, (item.get("title") or "", item_date(item, snapshot.as_of), years)
                )
    for page in ok_pages(snapshot, PageKind.ARTICLE.value):
        years = _keypoint_years(page.title, keywords, exclude)
        if years:
            prev = seen.get(page.url)
            seen[page.url] = (page.title, page.pub_date or (prev[1] if prev else None), years)
    if not seen:
        return []
    this_year = {u: v for u, v in seen.items() if year in v[2]}
    evidence = {
        "year": year,
        "reference_date": ref.isoformat(),
        "deadline": deadline.isoformat(),
        "limit_working_days": limit,
        "seen": [{"url": u, "title": t, "date": d.isoformat() if d else None} for u, (t, d, _) in sorted(seen.items())],
    }
    if not this_year:
        msg = (
            f"未找到本单位{year}年政务公开工作要点（上级要点{ref.isoformat()}印发，应于{deadline.isoformat()}前公开）；"
            "网站上有其他年度的工作要点。"
        )
        evidence["status"] = "missing"
        _review(evidence, "抓取未见本年度要点，可能发布在未抓取的栏目，需人工核实")
        return [make_finding(snapshot, spec, str(year), msg, evidence, page="")]
    dated = sorted((d, u, t) for u, (t, d, _) in this_year.items() if d is not None)
    if not dated:
        return []
    first, url, title = dated[0]
    if first <= deadline:
        return []
    lag = workdays.working_days_between(ref, first)
    evidence.update(status="late", published=first.isoformat(), working_days=lag)
    msg = (
        f"《{title}》于{first.isoformat()}公开，距上级要点印发（{ref.isoformat()}）{lag}个工作日，"
        f"超过{limit}个工作日（应不晚于{deadline.isoformat()}）。"
    )
    place = _own_place(snapshot)
    if not place or place not in to_simplified(title).replace(" ", ""):
        _review(evidence, "标题未写明本单位名称，需人工确认是否为本单位的工作要点")
    return [make_finding(snapshot, spec, str(year), msg, evidence, page=url)]


# ---------------------------------------------------------------- INTERP-LEADER

# a 解读 by the head: 主要负责同志/第一解读人, or a head's title (never 副县长) followed by 解读/谈/访谈…
_LEADER_TITLE = re.compile(
    r"(?<!副)(?:[省市县区州旗镇乡]长|局长|厅长|委主任|办主任|主任|书记)[\u4e00-\u9fff]{0,3}?"
    r"(?:解读|谈|介绍|答记者问|做客|访谈|接受采访)"
)


# a byline (解读人：县长 张三) names the head by title alone
_LEADER_BYLINE = re.compile(r"(?<!副)(?:[省市县区州旗镇乡]长|局长|厅长|主任|书记|主要负责)")


def _is_leader(text: str, phrases: list[str], byline: bool = False) -> bool:
    text = to_simplified(text or "").replace(" ", "")
    if byline:
        return bool(_LEADER_BYLINE.search(text[:12]))
    return any(p in text for p in phrases) or bool(_LEADER_TITLE.search(text))


@register("INTERP-LEADER")
def interp_leader(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """No 解读 of the past year is the 主要负责人's own.  Judged only when at least ``min_items``
    解读 of that year were seen; a deduction when at least ``min_pages`` of them were read as
    pages (their bylines checked too), else a review candidate (titles only)."""
    if not home_ok(snapshot):
        return []
    phrases = [to_simplified(p) for p in spec.params["leader_phrases"]]
    start = snapshot.as_of - dt.timedelta(days=int(spec.params["lookback_days"]))
    seen: dict[str, dict] = {}
    for col in columns_of(snapshot, rubric):
        if col.name != "政策解读":
            continue
        for item in col.items:
            day = item_date(item, snapshot.as_of)
            if day is not None and start <= day <= snapshot.as_of and item.get("url"):
                seen.setdefault(
                    item["url"], {"title": item.get("title") or "", "date": day, "read": False, "byline": ""}
                )
    for page in ok_pages(snapshot, PageKind.ARTICLE.value):
        if not is_interpretation(page):
            continue
        day = page.pub_date or (seen.get(page.url) or {}).get("date")
        if day is None or not (start <= day <= snapshot.as_of):
            continue
        entry = seen.setdefault(page.url, {"title": page.title, "date": day, "read": False, "byline": ""})
        entry.update(read=True, byline=str((page.facts or {}).get("byline") or ""))
        entry["title"] = entry["title"] or page.title
    if len(seen) < int(spec.params["min_items"]):
        return []
    leaders = [
        u for u, e in seen.items() if _is_leader(e["title"], phrases) or _is_leader(e["byline"], phrases, byline=True)
    ]
    if leaders:
        return []
    read = sum(1 for e in seen.values() if e["read"])
    year_text = f"{start.isoformat()}至{snapshot.as_of.isoformat()}"
    msg = (
        f"{year_text}网站发布的{len(seen)}篇政策解读中，没有本单位主要负责人（第一解读人）的解读"
        "（标题与署名均未见主要负责同志解读、访谈或答记者问）。"
    )
    evidence = {
        "window": year_text,
        "interpretations": len(seen),
        "read_pages": read,
        "titles": [e["title"] for _, e in sorted(seen.items(), key=lambda kv: kv[1]["date"], reverse=True)][:30],
    }
    if read < int(spec.params["min_pages"]):
        _review(evidence, "仅凭列表标题判断，未读到足够的解读正文署名，需人工核实")
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page="")]
