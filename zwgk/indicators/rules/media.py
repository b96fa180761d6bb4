"""MEDIA-*: a unit's 政务新媒体 accounts (issue 16 item 5).

The rules read ``snapshot.inputs["media"]`` (what evaluators imported, like the 依申请 register) (:func:`zwgk.storage.media.media_facts`): the unit's
registered accounts with their newest post, how far their posts are known (an export's or a
feed's time), the last existence check of each and the posts whose comments were not all
answered.  Nothing is scraped from platforms that need a login; an account whose posts were
never imported or fetched is not judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import make_finding
from zwgk.model import REVIEW_CONFIDENCE, Finding, SiteSnapshot


def _accounts(snapshot: SiteSnapshot) -> list[dict[str, Any]]:
    return list(((snapshot.inputs or {}).get("media") or {}).get("accounts") or [])


def _when(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _key(account: dict[str, Any]) -> str:
    return f"{account.get('platform')}:{account.get('name')}"


def _gone(account: dict[str, Any], as_of: dt.date, spec) -> bool:
    checked = _when(account.get("checked_at"))
    if account.get("check_status") != "gone" or checked is None:
        return False
    lo = as_of - dt.timedelta(days=int(spec.params.get("check_max_age_days", 90)))
    hi = as_of + dt.timedelta(days=int(spec.params.get("check_grace_days", 30)))
    return lo <= checked.date() <= hi


@register("MEDIA-STALE")
def media_stale(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """A registered account (not closed, not gone) with no post in the ``stale_days`` before as-of,
    judged only when its posts are known up to the day before as-of at least."""
    days = int(spec.params["stale_days"])
    gone_spec = rubric.rules.get("MEDIA-GONE", spec)
    out = []
    for a in _accounts(snapshot):
        if a.get("closed") or _gone(a, snapshot.as_of, gone_spec):
            continue
        observed = _when(a.get("observed_until"))
        if observed is None or observed.date() < snapshot.as_of - dt.timedelta(days=1):
            continue  # posts not known up to the as-of date: an old export proves nothing
        last = _when(a.get("last_post"))
        limit = snapshot.as_of - dt.timedelta(days=days)
        if last is not None and last.date() >= limit:
            continue
        evidence = {
            "platform": a.get("platform"),
            "name": a.get("name"),
            "operator": a.get("operator"),
            "last_post": a.get("last_post"),
            "observed_until": a.get("observed_until"),
            "posts": a.get("posts"),
            "stale_days": days,
            "url": a.get("url") or a.get("feed_url"),
        }
        if last is None:
            msg = f"政务新媒体“{a.get('name')}”（{a.get('platform')}）没有任何发布记录。"
            evidence["confidence"] = REVIEW_CONFIDENCE
            evidence["review_reason"] = "导出或订阅源中没有任何发布记录，需人工核实账号是否确无更新"
        else:
            msg = (
                f"政务新媒体“{a.get('name')}”（{a.get('platform')}）最近一次发布在{last.date().isoformat()}，"
                f"评估日前{days}天内无更新。"
            )
        out.append(make_finding(snapshot, spec, _key(a), msg, evidence, page=a.get("url") or a.get("feed_url") or ""))
    return out


@register("MEDIA-GONE")
def media_gone(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """An account still on the unit's registry whose page or feed no longer exists (404/410, the
    domain gone) at a check near the as-of date.  An account the registry marks closed is not one."""
    out = []
    for a in _accounts(snapshot):
        if a.get("closed") or not _gone(a, snapshot.as_of, spec):
            continue
        msg = (
            f"政务新媒体“{a.get('name')}”（{a.get('platform')}）仍在本单位账号清单中，但已无法访问"
            f"（{a.get('check_detail') or '不存在'}），应核实并更新清单或办理注销备案。"
        )
        evidence = {
            "platform": a.get("platform"),
            "name": a.get("name"),
            "operator": a.get("operator"),
            "checked_at": a.get("checked_at"),
            "detail": a.get("check_detail"),
            "url": a.get("feed_url") or a.get("url"),
        }
        out.append(make_finding(snapshot, spec, _key(a), msg, evidence, page=a.get("feed_url") or a.get("url") or ""))
    return out


@register("MEDIA-REPLY")
def media_reply(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """An account with comments left unanswered on posts older than ``reply_days`` (from the
    platform's export: comments received vs replied)."""
    days = int(spec.params["reply_days"])
    cutoff = snapshot.as_of - dt.timedelta(days=days)
    out = []
    for a in _accounts(snapshot):
        late = [p for p in a.get("unanswered") or [] if (_when(p.get("posted_at")) or dt.datetime.max).date() <= cutoff]
        if not late:
            continue
        open_comments = sum(int(p.get("comments", 0)) - int(p.get("replied", 0)) for p in late)
        msg = (
            f"政务新媒体“{a.get('name')}”（{a.get('platform')}）有{len(late)}条发布下的{open_comments}条网民留言/评论"
            f"超过{days}天未回复。"
        )
        evidence = {
            "platform": a.get("platform"),
            "name": a.get("name"),
            "reply_days": days,
            "posts": late[:20],
            "open_comments": open_comments,
        }
        out.append(make_finding(snapshot, spec, _key(a), msg, evidence, page=a.get("url") or ""))
    return out
