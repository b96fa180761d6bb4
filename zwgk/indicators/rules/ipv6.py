"""IPv6 rules from the crawler's ``probes["ipv6"]``: no AAAA, unreachable, different content."""

from __future__ import annotations

from typing import Any, Iterable

from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_ok, make_finding
from zwgk.model import Finding, SiteSnapshot


def _probe(snapshot: SiteSnapshot) -> dict[str, Any] | None:
    probe = snapshot.probes.get("ipv6")
    return probe if isinstance(probe, dict) else None


def _reachable(probe: dict[str, Any]) -> bool:
    status = probe.get("http6_status")
    return bool(probe.get("tcp6")) and status is not None and 200 <= int(status) < 400


def _evidence(probe: dict[str, Any]) -> dict[str, Any]:
    keys = ("aaaa", "a", "tcp6", "http6_status", "similarity", "inner_v6_share", "error")
    return {k: probe.get(k) for k in keys if k in probe}


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
    if probe is None or not probe.get("aaaa") or _reachable(probe):
        return []
    if not home_ok(snapshot):
        return []  # not reachable over IPv4 either: AVAIL-DOWN, not an IPv6 problem
    why = "无法建立IPv6连接" if not probe.get("tcp6") else f"经IPv6访问首页返回{probe.get('http6_status') or '错误'}"
    msg = (f"网站 {snapshot.homepage} 有IPv6地址（{'、'.join(map(str, probe.get('aaaa') or []))}），但{why}"
           f"{'：' + str(probe.get('error')) if probe.get('error') else ''}。")
    return [make_finding(snapshot, spec, snapshot.homepage, msg, _evidence(probe), page=snapshot.homepage)]


@register("IPV6-MISMATCH")
def ipv6_mismatch(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    probe = _probe(snapshot)
    minimum = float(spec.params["min_similarity"])
    if probe is None or not probe.get("aaaa") or not _reachable(probe):
        return []
    similarity = probe.get("similarity")
    if similarity is None or float(similarity) >= minimum:
        return []
    msg = (f"网站 {snapshot.homepage} 经IPv6访问的首页与IPv4首页相似度仅{float(similarity):.2f}，"
           f"低于{minimum:.2f}（内容差异超过{1 - minimum:.0%}）。")
    evidence = _evidence(probe) | {"min_similarity": minimum}
    return [make_finding(snapshot, spec, snapshot.homepage, msg, evidence, page=snapshot.homepage)]
