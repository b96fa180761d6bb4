"""IPv6 rules from the crawler's ``probes["ipv6"]``: one per failing indicator of the IPv6
support degree (``zwgk.indicators.ipv6_support`` scores all seven).

IPV6-NONE (no AAAA), IPV6-UNREACHABLE (no IPv6 request for the homepage loaded),
IPV6-INTERMITTENT (some did, too few), IPV6-MISMATCH (different content),
IPV6-DELEGATION (name servers without AAAA / not answering over IPv6) and
IPV6-INNER-LINKS (二级 / 三级 links that do not load over IPv6).  Each but IPV6-NONE
needs an AAAA record: a site without IPv6 has one finding, not six.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import zwgk.indicators.ipv6_support as support
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_ok, make_finding
from zwgk.model import REVIEW_CONFIDENCE, Finding, SiteSnapshot


def _probe(snapshot: SiteSnapshot) -> dict[str, Any] | None:
    probe = snapshot.probes.get("ipv6")
    return probe if isinstance(probe, dict) else None


def _reachable(probe: dict[str, Any]) -> bool:
    """The homepage loaded over IPv6 at least once (any of the crawl's spaced attempts)."""
    return bool(probe.get("tcp6")) and support.reachable(probe)


def _evidence(probe: dict[str, Any]) -> dict[str, Any]:
    keys = ("aaaa", "a", "tcp6", "http6_status", "v6_attempts", "v6_ok", "similarity", "inner_v6_share", "error")
    return {k: probe.get(k) for k in keys if k in probe}


def _review(evidence: dict[str, Any], why: str) -> dict[str, Any]:
    return evidence | {"confidence": REVIEW_CONFIDENCE, "review_reason": why}


@register("IPV6-NONE")
def ipv6_none(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    probe = _probe(snapshot)
    if probe is None or probe.get("aaaa") or probe.get("aaaa_unknown"):
        return []  # has AAAA, or the AAAA query never got an answer (unknown is not "none")
    if not probe.get("a") and probe.get("error"):
        return []  # the name did not resolve at all: not an IPv6 question (see AVAIL-DOWN / LINK-*)
    msg = f"网站 {snapshot.homepage} 的域名没有 AAAA（IPv6）解析记录，不支持IPv6访问。"
    return [make_finding(snapshot, spec, snapshot.homepage, msg, _evidence(probe), page=snapshot.homepage)]


@register("IPV6-UNREACHABLE")
def ipv6_unreachable(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    probe = _probe(snapshot)
    if probe is None or not probe.get("aaaa") or _reachable(probe) or not support.home_measured(probe):
        return []  # reachable, or never tried (time budget): not judged
    if not home_ok(snapshot):
        return []  # not reachable over IPv4 either: AVAIL-DOWN, not an IPv6 problem
    tries = probe.get("v6_attempts") or 0
    why = (
        "无法建立IPv6连接"
        if not probe.get("tcp6")
        else f"经IPv6间隔访问首页{tries}次均失败"
        if tries > 1
        else f"经IPv6访问首页返回{probe.get('http6_status') or '错误'}"
    )
    msg = (
        f"网站 {snapshot.homepage} 有IPv6地址（{'、'.join(map(str, probe.get('aaaa') or []))}），但{why}"
        f"{'：' + str(probe.get('error')) if probe.get('error') else ''}。"
    )
    evidence = _evidence(probe) | {"attempts6": probe.get("attempts6") or []}
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


@register("IPV6-MISMATCH")
def ipv6_mismatch(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    probe = _probe(snapshot)
    minimum = float(spec.params["min_similarity"])
    if probe is None or not probe.get("aaaa") or not _reachable(probe):
        return []
    similarity = probe.get("similarity")
    if similarity is None or float(similarity) >= minimum:
        return []
    msg = (
        f"网站 {snapshot.homepage} 经IPv6访问的首页与IPv4首页相似度仅{float(similarity):.2f}，"
        f"低于{minimum:.2f}（内容差异超过{1 - minimum:.0%}）。"
    )
    evidence = _evidence(probe) | {"min_similarity": minimum}
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


@register("IPV6-INTERMITTENT")
def ipv6_intermittent(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Some spaced IPv6 requests for the homepage loaded, too few (crawl + IPv6 monitoring)."""
    probe = _probe(snapshot)
    if probe is None or not probe.get("aaaa") or not _reachable(probe) or not home_ok(snapshot):
        return []
    minimum = float(spec.params["min_success_rate"])
    seen = support.success(probe, snapshot.history)
    if seen["rate"] is None or float(seen["rate"]) >= minimum:
        return []
    msg = (
        f"网站 {snapshot.homepage} 首页经IPv6间隔访问{seen['total']}次，仅{seen['loaded']}次成功"
        f"（成功率{float(seen['rate']):.0%}，低于{minimum:.0%}），IPv6访问时通时断。"
    )
    evidence = _evidence(probe) | {
        "success": seen,
        "attempts6": probe.get("attempts6") or [],
        "min_success_rate": minimum,
    }
    failed = [a for a in probe.get("attempts6") or [] if not a.get("ok")]
    monitor_failures = seen["monitor_probes"] - seen["monitor_ok"]
    if seen["total"] < int(spec.params["min_attempts"]):
        evidence = _review(
            evidence, f"仅{seen['total']}次IPv6访问，少于{int(spec.params['min_attempts'])}次，需人工复核"
        )
    elif failed and not monitor_failures and all("timeout" in str(a.get("error", "")) for a in failed):
        # A timeout is no answer from the site: the assessor's own network or load can cause it
        # as well as the site.  A reset, a refusal or an HTTP error is the site's answer.
        evidence = _review(
            evidence,
            "IPv6访问失败均为超时（站点未作出拒绝、重置或错误响应），可能由评估方网络或负载造成，需人工复核",
        )
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


@register("IPV6-DELEGATION")
def ipv6_delegation(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """The zone's name servers lack AAAA (strong), or none answered over IPv6 (review)."""
    probe = _probe(snapshot)
    if probe is None or not probe.get("aaaa"):
        return []
    delegation = probe.get("delegation")
    if not isinstance(delegation, dict) or delegation.get("complete") is not False:
        return []  # complete, or unknown (the NS lookup got no answer): not judged
    servers = delegation.get("ns") or []
    lacking = [e.get("name", "") for e in servers if not e.get("aaaa") and not e.get("aaaa_unknown")]
    evidence = {
        "zone": delegation.get("zone", ""),
        "ns": servers,
        "query": delegation.get("query"),
        "error": delegation.get("error", ""),
    }
    zone = delegation.get("zone", "")
    if lacking:
        msg = (
            f"网站 {snapshot.homepage} 所在域 {zone} 的权威域名服务器 {'、'.join(lacking)} 没有 AAAA 记录，"
            f"IPv6解析链不完整，仅有IPv6的用户无法经IPv6完成域名解析。"
        )
        return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]
    query = delegation.get("query") or {}
    msg = (
        f"网站 {snapshot.homepage} 所在域 {zone} 的域名服务器 {query.get('ns', '')}"
        f"（{query.get('address', '')}）经IPv6查询没有应答：{query.get('error', '')}。"
    )
    evidence = _review(evidence, "域名服务器有AAAA记录，但经IPv6的查询无应答（可能是网络波动），需人工复核")
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]


@register("IPV6-INNER-LINKS")
def ipv6_inner_links(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    """Of the sampled 二级 / 三级 links that load over IPv4, too few load over IPv6."""
    probe = _probe(snapshot)
    if probe is None or not probe.get("aaaa") or not _reachable(probe) or not home_ok(snapshot):
        return []  # no IPv6 homepage: IPV6-NONE / IPV6-UNREACHABLE say so
    minimum = float(spec.params["min_share"])
    levels: dict[str, Any] = {}
    low: list[str] = []
    for level, label in (("level2", "二级"), ("level3", "三级")):
        entry = support.inner_level(probe, level)
        if not entry or not entry.get("checked") or entry.get("share") is None:
            continue
        levels[label] = {k: entry.get(k) for k in ("candidates", "sample_size", "checked", "ok", "share")}
        if float(entry["share"]) < minimum:
            low.append(label)
    if not low:
        return []
    failing = support.failing_links(probe)
    parts = [
        f"{label}内链抽样{levels[label]['checked']}条，经IPv6可打开{float(levels[label]['share']):.0%}" for label in low
    ]
    msg = (
        f"网站 {snapshot.homepage} 首页支持IPv6，但{'；'.join(parts)}，低于{minimum:.0%}；"
        f"无法经IPv6打开的链接{len(failing)}条，如 {failing[0]['url'] if failing else ''}。"
    )
    evidence = {"levels": levels, "failing_links": failing, "min_share": minimum}
    smallest = min(int(levels[label]["checked"]) for label in low)
    if smallest < int(spec.params["min_checked"]):
        evidence = _review(evidence, f"抽样仅{smallest}条内链，少于{int(spec.params['min_checked'])}条，需人工复核")
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]
