"""REPORT-LATE: last year's 政府信息公开工作年度报告 is missing or was late (条例 第四十九条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import columns_of, home_ok, item_date, make_finding, ok_pages
from zwgk.model import Finding, SiteSnapshot, UnitKind
from zwgk.text import normalise

REPORT_COLUMN = "政府信息公开年报"


def _deadline(snapshot: SiteSnapshot, spec) -> tuple[dt.date, str]:
    dept = snapshot.unit.kind == UnitKind.DEPARTMENT.value
    text = spec.params["department_deadline" if dept else "government_deadline"]
    month, day = (int(x) for x in str(text).split("-"))
    return dt.date(snapshot.as_of.year, month, day), "部门" if dept else "政府"


def _is_report(title: str, year: int, keywords: list[str], in_report_column: bool) -> bool:
    title = normalise(title or "").replace(" ", "")  # 年度報告 on a 繁体 site, full-width digits
    if str(year) not in title or not any(normalise(k) in title for k in keywords):
        return False
    return in_report_column or "信息公开" in title or "政务公开" in title


@register("REPORT-LATE")
def report_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    year = snapshot.as_of.year - 1
    deadline, who = _deadline(snapshot, spec)
    if snapshot.as_of <= deadline:
        return []  # not judged before the deadline has passed
    keywords = list(spec.params["title_keywords"])
    candidates: dict[str, tuple[str, dt.date | None, str]] = {}  # url → (title, date, where)
    for col in columns_of(snapshot, rubric):
        in_col = col.name == REPORT_COLUMN
        for item in col.items:
            if _is_report(item.get("title") or "", year, keywords, in_col):
                url = item.get("url") or col.url
                candidates.setdefault(
                    url, (item.get("title") or "", item_date(item, snapshot.as_of), f"column:{col.url}")
                )
    for page in ok_pages(snapshot):
        if page.kind == "column":
            continue
        if _is_report(page.title, year, keywords, (page.facts or {}).get("column") == REPORT_COLUMN):
            prev = candidates.get(page.url)
            date = page.pub_date or (prev[1] if prev else None)
            candidates[page.url] = (page.title, date, f"page:{page.date_source or 'pub_date'}")
    evidence = {
        "year": year,
        "deadline": deadline.isoformat(),
        "unit_kind": snapshot.unit.kind,
        "candidates": [
            {"url": u, "title": t, "date": d.isoformat() if d else None, "source": s}
            for u, (t, d, s) in sorted(candidates.items())
        ],
    }
    if not candidates:
        msg = (
            f"未找到{year}年度政府信息公开工作年度报告（{who}应于{deadline.month}月{deadline.day}日前发布），"
            f"评估日{snapshot.as_of.isoformat()}。"
        )
        evidence["status"] = "missing"
        return [make_finding(snapshot, spec, str(year), msg, evidence, page="")]
    dated = sorted((d, u, t) for u, (t, d, _) in candidates.items() if d is not None)
    if not dated:
        return []  # present but undated: lateness cannot be shown
    first_date, url, title = dated[0]
    if first_date <= deadline:
        return []
    evidence["status"] = "late"
    evidence["published"] = first_date.isoformat()
    msg = (
        f"{year}年度政府信息公开工作年度报告《{title}》于{first_date.isoformat()}发布，"
        f"晚于{who}的法定期限{deadline.isoformat()}（{(first_date - deadline).days}天）。"
    )
    return [make_finding(snapshot, spec, str(year), msg, evidence, page=url)]
