"""Site-level veto rules: the site cannot be opened (AVAIL-DOWN), the homepage is stale (FRESH-HOME)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import fmt_date, home_page, item_date, make_finding, to_date
from zwgk.model import Finding, Outcome, SiteSnapshot


def _at(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


UNREACHABLE = {Outcome.BROKEN.value, Outcome.TRANSIENT.value}  # refused, NXDOMAIN, 404/5xx, timeouts


def _window_probes(snapshot: SiteSnapshot, window_days: int) -> list[dict[str, Any]]:
    """Monitoring probes of the ``window_days`` days before as_of (as_of itself excluded).

    A round uses only the monitoring that precedes it (``zwgk.monitor.history``).  IPv6
    probes (``"ipv6": true``) measure the IPv6 success rate, not availability: left out;
    so are probes of a pass the assessor could not verify (``"error_class":
    "unverified"``, its own outage): the history normally omits them already.
    """
    start = snapshot.as_of - dt.timedelta(days=window_days)
    out = []
    for probe in snapshot.history:
        if "ok" not in probe or probe.get("ipv6") or probe.get("error_class") == "unverified":
            continue
        at = _at(probe.get("at"))
        if at is None or not (start <= at.date() < snapshot.as_of):
            continue
        out.append(probe)
    return out


def _short_days(probes: list[dict[str, Any]], as_of: dt.date, window: int, per_day: int) -> dict[str, int]:
    """Days of the window with fewer than ``per_day`` probes (the official shape: ≥ 20 a day)."""
    counts = {(as_of - dt.timedelta(days=d)).isoformat(): 0 for d in range(1, window + 1)}
    for p in probes:
        at = _at(p.get("at"))
        if at is not None and at.date().isoformat() in counts:
            counts[at.date().isoformat()] += 1
    return {day: n for day, n in sorted(counts.items()) if n < per_day}


@register("AVAIL-DOWN")
def avail_down(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """A veto only from monitoring of the official shape (every day of the window ≥
    ``probes_per_day`` probes, ≥ ``fail_share`` failing).  Thinner monitoring, or a crawl
    whose ``crawl_checks`` spaced homepage checks all failed, gives at most a review
    candidate (``evidence["confidence"] = "review"``); a crawl during the assessor's own
    outage (``probes["home"]["outage"]``, zwgk.crawlers.outage) gives nothing."""
    limit = float(spec.params["fail_share"])
    window = int(spec.params["window_days"])
    per_day = int(spec.params.get("probes_per_day", 20))
    probes = _window_probes(snapshot, window)
    review = ""
    if probes:
        total = len(probes)
        failed = [p for p in probes if not p.get("ok")]
        classes: dict[str, int] = {}
        for p in failed:
            key = str(p.get("error_class") or "unknown")
            classes[key] = classes.get(key, 0) + 1
        source = "monitoring"
        evidence: dict[str, Any] = {
            "source": source,
            "probes": total,
            "failures": len(failed),
            "error_classes": classes,
            "window": [
                (snapshot.as_of - dt.timedelta(days=window)).isoformat(),
                (snapshot.as_of - dt.timedelta(days=1)).isoformat(),
            ],
            "first_failures": [str(p.get("at")) for p in failed[:10]],
        }
        n_failed = len(failed)
        where = f"监测期（{evidence['window'][0]}至{evidence['window'][1]}）{total}次访问"
        short = _short_days(probes, snapshot.as_of, window, per_day)
        if short:
            evidence["short_days"] = short
            review = f"监测记录不足（{len(short)}天少于每天{per_day}次），不构成单项否决证据，请人工核查后确认"
    else:
        # No monitoring in the window: one crawl cannot estimate a 5% share.  Only a homepage
        # that never opened in any of the crawl's spaced checks counts, and only as a review
        # candidate; a crawl during the assessor's own outage counts not at all.
        home = snapshot.home
        crawl = snapshot.probes.get("home") or {}
        if home is None or home.outcome not in UNREACHABLE or crawl.get("outage"):
            return []  # opened, not tried (policy, WAF) or the assessor's outage: not judged here
        checks = [c for c in crawl.get("checks") or [] if isinstance(c, dict)]
        need = int(spec.params.get("crawl_checks", 3))
        if len(checks) < need or any(c.get("outcome") == "ok" for c in checks):
            return []  # too few spaced checks to say anything
        total = sum(max(int(c.get("attempts") or 1), 1) for c in checks)
        n_failed = total
        evidence = {
            "source": "crawl",
            "probes": total,
            "failures": n_failed,
            "checks": checks,
            "errors": [c.get("error") or str(c.get("status") or "") for c in checks][:10],
            "home_outcome": home.outcome,
            "home_status": home.status,
            "note": "评估期无日常监测记录，依据本次抓取判定；建议开启日监测（zwgk monitor）",
        }
        where = f"本次抓取对首页的{len(checks)}轮间隔检查共{total}次访问（无监测记录）"
        review = (
            f"仅有本次抓取的{len(checks)}轮间隔检查，不构成单项否决证据"
            f"（需连续7天每天不少于{per_day}次监测），请人工核查后确认"
        )
    share = n_failed / total
    evidence["share"] = round(share, 4)
    if share + 1e-12 < limit:
        return []
    msg = (
        f"首页 {snapshot.homepage} 在{where}中有{n_failed}次无法打开（超过{spec.params['timeout_s']}秒或出错），"
        f"失败率{share:.1%}，达到单项否决线{limit:.0%}。"
    )
    if review:
        evidence["confidence"] = "review"
        evidence["review_reason"] = review
        msg = f"【待人工核查】{msg}{review}。"
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


def _linked_item_dates(snapshot: SiteSnapshot, home) -> list[tuple[dt.date, str]]:
    """Dates of the items the homepage links to: their crawled article page, or their column listing."""
    listed: dict[str, dt.date] = {}
    for page in snapshot.pages.values():
        if page.outcome != Outcome.OK.value:
            continue
        for item in (page.facts or {}).get("items") or []:
            d = item_date(item, snapshot.as_of) if isinstance(item, dict) else None
            if d is not None and item.get("url"):
                listed[item["url"]] = max(d, listed.get(item["url"], d))
    sources = {home.url, home.final_url} - {None, ""}
    out: list[tuple[dt.date, str]] = []
    for link in snapshot.links:
        if link.source not in sources or link.tag != "a":
            continue
        target = snapshot.pages.get(link.target)
        if target is not None and target.kind == "article" and target.outcome == Outcome.OK.value and target.pub_date:
            out.append((target.pub_date, f"linked article:{target.date_source or 'pub_date'}"))
        elif link.target in listed:
            out.append((listed[link.target], "linked item:column listing"))
    return out


@register("FRESH-HOME")
def fresh_home(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    days = int(spec.params["days"])
    as_of = snapshot.as_of
    future: list[str] = []
    newest: dt.date | None = None
    source = ""
    recorded = [to_date(h.get("newest_date")) for h in snapshot.history if h.get("newest_date") and not h.get("ipv6")]
    history_dates = [d for d in recorded if d is not None]
    if history_dates:
        valid = [d for d in history_dates if d <= as_of]
        future = [d.isoformat() for d in history_dates if d > as_of]
        newest = max(valid) if valid else None
        source = "history:newest_date"
        undated = 0
    else:
        home = home_page(snapshot)
        if home is None:
            return []  # AVAIL-DOWN covers a homepage that could not be fetched
        facts = home.facts or {}
        candidates: list[tuple[dt.date, str]] = []
        undated = 0
        for item in list(facts.get("items") or []) + list(facts.get("links") or []):
            if not isinstance(item, dict):
                continue
            d = item_date(item, as_of) if isinstance(item, dict) else None
            if d is None:
                undated += 1
                continue
            candidates.append((d, "item"))
        if home.pub_date:
            candidates.append((home.pub_date, f"page:{home.date_source or 'pub_date'}"))
        candidates.extend(_linked_item_dates(snapshot, home))
        future = sorted({d.isoformat() for d, _ in candidates if d > as_of})
        dated = [(d, s) for d, s in candidates if d <= as_of]
        if dated:
            newest, kind = max(dated)
            source = "homepage:" + kind
        else:
            source = "homepage:no dated item"
    age = (as_of - newest).days if newest else None
    if age is not None and age < days:
        return []
    evidence = {
        "newest_date": fmt_date(newest) if newest else None,
        "age_days": age,
        "as_of": as_of.isoformat(),
        "date_source": source,
        "threshold_days": days,
        "undated_items": undated,
        "future_dates_ignored": future,
    }
    if newest is None:
        msg = f"首页 {snapshot.homepage} 上没有带发布日期的信息（无日期视为未更新），无法证明近{days}天有更新。"
    else:
        msg = (
            f"首页 {snapshot.homepage} 最新信息日期为{newest.isoformat()}，距评估日{as_of.isoformat()}已{age}天"
            f"（≥{days}天）无更新。"
        )
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]
