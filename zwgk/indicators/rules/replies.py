"""REPLY-LATE: a 留言 answered after 5 working days (deduct) or unanswered > 3 months (veto).

Messages come from ``facts["messages"]`` of list pages (``{"url", "asked",
"answered"}``) and from article pages labelled 留言时间 / 回复时间 (``facts["dates"]``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import zwgk.indicators.workdays as workdays
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import make_finding, ok_pages, to_date
from zwgk.model import Finding, SiteSnapshot

ASKED_LABELS = ("留言时间", "留言日期", "提问时间", "来信时间", "来信日期", "咨询时间", "写信时间", "提交时间")
ANSWERED_LABELS = ("回复时间", "答复时间", "办理时间", "回复日期", "答复日期", "反馈时间")


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (clamped to the month's end)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def collect_messages(snapshot: SiteSnapshot) -> dict[str, dict]:
    """Message URL → {"asked", "answered", "title", "source"}; article pages win over list rows."""
    out: dict[str, dict] = {}
    for page in ok_pages(snapshot):
        for msg in (page.facts or {}).get("messages") or []:
            url = msg.get("url") or ""
            if not url or url in out:
                continue
            out[url] = {
                "asked": to_date(msg.get("asked")),
                "answered": to_date(msg.get("answered")),
                "title": msg.get("title") or "",
                "source": f"list:{page.url}",
            }
    for page in ok_pages(snapshot):
        dates = (page.facts or {}).get("dates") or {}
        asked = next((to_date(dates[k]) for k in ASKED_LABELS if dates.get(k)), None)
        if asked is None:
            continue
        answered = next((to_date(dates[k]) for k in ANSWERED_LABELS if dates.get(k)), None)
        prev = out.get(page.url, {})
        out[page.url] = {
            "asked": asked,
            "answered": answered or prev.get("answered"),
            "title": page.title or prev.get("title", ""),
            "source": "page:labels",
        }
    return out


@register("REPLY-LATE")
def reply_late(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    limit = int(spec.params["max_working_days"])
    months = int(spec.params["unanswered_months"])
    since = snapshot.as_of - dt.timedelta(days=int(spec.params["lookback_days"]))
    out = []
    for url, m in sorted(collect_messages(snapshot).items()):
        asked, answered = m["asked"], m["answered"]
        if asked is None or asked < since or asked > snapshot.as_of:
            continue
        title = f"“{m['title']}”" if m["title"] else ""
        evidence = {
            "message": url,
            "asked": asked.isoformat(),
            "answered": answered.isoformat() if answered else None,
            "date_source": m["source"],
            "limit_working_days": limit,
            "unanswered_months": months,
        }
        if answered is None or answered > snapshot.as_of:
            limit_day = add_months(asked, months)
            if snapshot.as_of > limit_day:
                evidence |= {"status": "unanswered", "days_open": (snapshot.as_of - asked).days, "veto": True}
                msg = (
                    f"留言{title}（{url}）于{asked.isoformat()}提出，至评估日{snapshot.as_of.isoformat()}"
                    f"已{(snapshot.as_of - asked).days}天仍未答复，超过{months}个月，单项否决。"
                )
                out.append(make_finding(snapshot, spec, url, msg, evidence, page=url, severity="veto"))
                continue
            waited = workdays.working_days_between(asked, snapshot.as_of)
            if waited <= limit:
                continue
            evidence |= {
                "status": "unanswered",
                "working_days": waited,
                "veto": False,
                "deadline": workdays.add_working_days(asked, limit).isoformat(),
            }
            msg = (
                f"留言{title}（{url}）于{asked.isoformat()}提出，至评估日{snapshot.as_of.isoformat()}"
                f"已过{waited}个工作日仍未答复，超过{limit}个工作日。"
            )
            out.append(make_finding(snapshot, spec, url, msg, evidence, page=url))
            continue
        lag = workdays.working_days_between(asked, answered)
        if lag <= limit:
            continue
        evidence |= {
            "status": "late",
            "working_days": lag,
            "deadline": workdays.add_working_days(asked, limit).isoformat(),
        }
        msg = (
            f"留言{title}（{url}）于{asked.isoformat()}提出，{answered.isoformat()}才答复，"
            f"用时{lag}个工作日，超过{limit}个工作日。"
        )
        out.append(make_finding(snapshot, spec, url, msg, evidence, page=url))
    return out
