"""The IPv6 support degree (IPv6支持度): a 0–100 score per site from seven indicators.

The 中央网信办 monitoring that provinces report against scores a site's IPv6
support on seven indicators (official-rules.md §2.5); provinces set targets such
as "重点网站IPv6支持度评分不低于90".  This module is the scorer: a pure function of
the crawl's ``probes["ipv6"]`` (``zwgk.crawlers.ipv6``), the monitoring history
and the rubric's ``[ipv6]`` table (weights, ``full_rate``, ``target``) plus the
thresholds the IPV6-* rules already own (``IPV6-MISMATCH.min_similarity``).

Each indicator earns a fraction of its weight:

==============  =======================================================================
aaaa            1 when the host has an AAAA record, else 0
home            1 when the homepage loaded over IPv6 at least once, else 0
success_rate    the share of the spaced IPv6 homepage requests that loaded (the crawl's
                attempts plus monitoring probes taken over IPv6), as a rate (below)
delegation      1 when every name server of the zone has AAAA and one answered over IPv6
same_content    1 when the IPv6 homepage's similarity to the IPv4 one reaches
                ``IPV6-MISMATCH.min_similarity``, else 0
inner2, inner3  the share of the sampled 二级 / 三级 inner links that load over IPv6, as a rate
==============  =======================================================================

A rate earns ``min(1, rate / full_rate)``.  A site without AAAA, or whose homepage
never loads over IPv6, earns 0 on every indicator that needs IPv6 to work.  An
indicator that could not be measured (the AAAA or NS query got no answer, no v4
homepage to compare, no inner link to try) is left out and the score is scaled over
the weights that were measured — the result says which, so a reader can tell a
full score from a partly measured one.  No probe at all → no score (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zwgk.indicators.spec import IPV6_INDICATORS, Ipv6Scoring

LABELS_ZH: dict[str, str] = {
    "aaaa": "域名AAAA解析",
    "home": "首页IPv6可访问",
    "success_rate": "首页IPv6访问成功率",
    "delegation": "IPv6解析链完整",
    "same_content": "IPv6与IPv4首页一致",
    "inner2": "二级内链IPv6支持率",
    "inner3": "三级内链IPv6支持率",
}
DEFAULT_MIN_SIMILARITY = 0.9


def v6_history(history: Iterable[dict[str, Any]] | None) -> tuple[int, int]:
    """(probes, successes) of the monitoring probes taken over IPv6 (``"ipv6": true``).

    A probe the monitor marked ``"error_class": "unverified"`` (the assessor's own IPv6
    was down, ``zwgk.monitor.ipv6``) is evidence of nothing and is not counted."""
    n = ok = 0
    for entry in history or []:
        if isinstance(entry, dict) and entry.get("ipv6") is True and entry.get("error_class") != "unverified":
            n += 1
            ok += bool(entry.get("ok"))
    return n, ok


def home_attempts(probe: dict[str, Any]) -> tuple[int, int]:
    """(attempts, successes) of the crawl's IPv6 homepage requests; a probe from before the
    spaced attempts existed counts its one request by ``http6_status``."""
    if probe.get("v6_attempts"):
        return int(probe["v6_attempts"]), int(probe.get("v6_ok") or 0)
    if probe.get("tcp6") and probe.get("http6_status") is not None:
        status = int(probe["http6_status"])
        return 1, int(200 <= status < 400)
    return 0, 0


def success(probe: dict[str, Any], history: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The homepage's IPv6 success over repeated requests: crawl attempts + IPv6 monitoring."""
    n, ok = home_attempts(probe)
    hn, hok = v6_history(history)
    total, good = n + hn, ok + hok
    return {
        "attempts": n,
        "ok": ok,
        "monitor_probes": hn,
        "monitor_ok": hok,
        "total": total,
        "loaded": good,
        "rate": round(good / total, 4) if total else None,
    }


def home_measured(probe: dict[str, Any]) -> bool:
    """Whether the IPv6 homepage was tried: a TCP failure is a measurement, a probe whose
    attempts the site's time budget stopped before the first one is not."""
    if not probe.get("tcp6"):
        return True
    return "attempts6" not in probe or bool(probe.get("v6_attempts"))


def reachable(probe: dict[str, Any]) -> bool:
    """The homepage loaded over IPv6 at least once in the crawl."""
    return home_attempts(probe)[1] > 0


def inner_level(probe: dict[str, Any], level: str) -> dict[str, Any] | None:
    """``probe["inner"]["level2"/"level3"]``; level2 falls back to the older single share."""
    inner = probe.get("inner") or {}
    entry = inner.get(level)
    if isinstance(entry, dict):
        return entry
    if level == "level2" and probe.get("inner_v6_share") is not None:
        return {
            "checked": probe.get("inner_checked") or 0,
            "share": probe["inner_v6_share"],
            "failed": [{"url": u, "error": ""} for u in probe.get("inner_v6_failed") or []],
        }
    return None


def failing_links(probe: dict[str, Any]) -> list[dict[str, str]]:
    """Every sampled inner link that did not load over IPv6: ``{"level", "url", "error"}``."""
    out = []
    for level, label in (("level2", "二级"), ("level3", "三级")):
        entry = inner_level(probe, level) or {}
        for failed in entry.get("failed") or []:
            out.append({"level": label, "url": str(failed.get("url", "")), "error": str(failed.get("error", ""))})
    return out


def ipv6_support(
    probe: dict[str, Any] | None,
    history: Iterable[dict[str, Any]] | None,
    scoring: Ipv6Scoring,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> dict[str, Any] | None:
    """The site's IPv6 support degree: ``{"score", "target", "meets_target", "indicators",
    "measured_weight", "unmeasured", "failing_links", "success"}`` (None without a probe).

    ``indicators[key]`` is ``{"name", "weight", "value", "earned", "measured", "detail"}``
    for each of the seven keys of ``IPV6_INDICATORS``.
    """
    if not isinstance(probe, dict):
        return None
    rate_full = scoring.full_rate or 1.0
    has_aaaa = bool(probe.get("aaaa"))
    aaaa_unknown = bool(probe.get("aaaa_unknown")) and not has_aaaa
    up = has_aaaa and reachable(probe)
    succ = success(probe, history)
    values: dict[str, tuple[float | None, str]] = {}

    def rate(x: float) -> float:
        return min(1.0, max(0.0, x) / rate_full)

    values["aaaa"] = (
        (None, "AAAA查询无应答")
        if aaaa_unknown
        else ((1.0, "、".join(map(str, probe.get("aaaa") or []))) if has_aaaa else (0.0, "无AAAA记录"))
    )
    if aaaa_unknown:
        for key in ("home", "success_rate", "same_content", "inner2", "inner3"):
            values[key] = (None, "AAAA查询无应答")
    elif not has_aaaa:
        for key in ("home", "success_rate", "same_content", "inner2", "inner3"):
            values[key] = (0.0, "无AAAA记录")
    elif not home_measured(probe):
        for key in ("home", "success_rate", "same_content", "inner2", "inner3"):
            values[key] = (None, "首页IPv6访问未能进行（站点时间预算用尽）")
    else:
        n, ok = home_attempts(probe)
        values["home"] = (1.0, f"{ok}/{n}次成功") if up else (0.0, str(probe.get("error") or "经IPv6无法打开首页"))
        if succ["rate"] is None:
            values["success_rate"] = (0.0, "无法建立IPv6连接") if not probe.get("tcp6") else (None, "未探测")
        else:
            detail = f"{succ['loaded']}/{succ['total']}次成功"
            if succ["monitor_probes"]:
                detail += f"（含日监测IPv6探测{succ['monitor_probes']}次）"
            values["success_rate"] = (rate(float(succ["rate"])), detail)
        sim = probe.get("similarity")
        if not up:
            values["same_content"] = (0.0, "经IPv6无法打开首页")
        elif sim is None:
            values["same_content"] = (None, "无IPv4首页可比较")
        else:
            same = float(sim) >= min_similarity
            values["same_content"] = (1.0 if same else 0.0, f"相似度{float(sim):.2f}（阈值{min_similarity:.2f}）")
        for key, level in (("inner2", "level2"), ("inner3", "level3")):
            entry = inner_level(probe, level)
            if not up:
                values[key] = (0.0, "经IPv6无法打开首页")
            elif not entry or not entry.get("checked") or entry.get("share") is None:
                values[key] = (None, "无可抽样的内链")
            else:
                share = float(entry["share"])
                values[key] = (
                    rate(share),
                    f"抽样{entry['checked']}条，{entry.get('ok', round(share * entry['checked']))}条可经IPv6打开",
                )
    delegation = probe.get("delegation") or {}
    complete = delegation.get("complete") if isinstance(delegation, dict) else None
    if complete is None:
        values["delegation"] = (
            None,
            str(delegation.get("error") or "未探测") if isinstance(delegation, dict) else "未探测",
        )
    else:
        names = "、".join(e.get("name", "") for e in delegation.get("ns") or [])
        values["delegation"] = (
            (1.0, f"{delegation.get('zone', '')} NS：{names}")
            if complete
            else (0.0, str(delegation.get("error") or "解析链不完整"))
        )

    indicators: dict[str, dict[str, Any]] = {}
    measured_weight = earned_total = 0.0
    unmeasured = []
    for key in IPV6_INDICATORS:
        weight = float(scoring.weights.get(key, 0.0))
        value, detail = values[key]
        earned = None if value is None else round(weight * value, 2)
        indicators[key] = {
            "name": LABELS_ZH[key],
            "weight": weight,
            "value": None if value is None else round(value, 4),
            "earned": earned,
            "measured": value is not None,
            "detail": detail,
        }
        if value is None:
            unmeasured.append(key)
        else:
            measured_weight += weight
            earned_total += weight * value
    score = round(100.0 * earned_total / measured_weight, 1) if measured_weight > 0 else None
    return {
        "score": score,
        "target": scoring.target,
        "meets_target": None if score is None else score >= scoring.target,
        "indicators": indicators,
        "measured_weight": measured_weight,
        "unmeasured": unmeasured,
        "failing_links": failing_links(probe),
        "success": succ,
    }


def site_support(snapshot: Any, rubric: Any) -> dict[str, Any] | None:
    """:func:`ipv6_support` of a ``SiteSnapshot`` with the rubric's ``[ipv6]`` and thresholds."""
    spec = (getattr(rubric, "rules", None) or {}).get("IPV6-MISMATCH")
    minimum = float((spec.params if spec is not None else {}).get("min_similarity", DEFAULT_MIN_SIMILARITY))
    return ipv6_support((snapshot.probes or {}).get("ipv6"), snapshot.history, rubric.ipv6, minimum)


TIER_ORDER = ("部委", "省", "市", "县", "乡")


def tier_summary(rows: Iterable[tuple[str, float | None, float]]) -> list[dict[str, Any]]:
    """Per tier, from ``(tier, score, target)`` of each site: ``{"tier", "sites", "scored",
    "mean", "at_target", "share_at_target"}`` (share of scored sites at or above the target),
    tiers in national order, then a ``"合计"`` row."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    counts: dict[str, int] = {}
    for tier, score, target in rows:
        counts[tier] = counts.get(tier, 0) + 1
        if score is not None:
            buckets.setdefault(tier, []).append((float(score), float(target)))
    order = {t: i for i, t in enumerate(TIER_ORDER)}

    def summary(name: str, sites: int, scored: list[tuple[float, float]]) -> dict[str, Any]:
        at = sum(1 for s, t in scored if s >= t)
        return {
            "tier": name,
            "sites": sites,
            "scored": len(scored),
            "mean": round(sum(s for s, _ in scored) / len(scored), 1) if scored else None,
            "at_target": at,
            "share_at_target": round(at / len(scored), 4) if scored else None,
        }

    out = [summary(t, counts[t], buckets.get(t, [])) for t in sorted(counts, key=lambda t: (order.get(t, 99), t))]
    if out:
        out.append(summary("合计", sum(counts.values()), [x for v in buckets.values() for x in v]))
    return out
