"""Text of a rule's explanation (ruff-style), shared by `zwgk rules CODE` and docs/rules.md."""

from __future__ import annotations

from typing import Any

from zwgk.indicators.spec import Rubric, RuleSpec

SEVERITY_ZH = {"veto": "单项否决", "deduct": "扣分", "info": "提示"}


def format_param(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def thresholds(spec: RuleSpec, rubric: Rubric) -> list[str]:
    """Lines "name = value" of the rule's parameters, plus column periods where relevant."""
    lines = [f"{k} = {format_param(v)}" for k, v in spec.params.items()]
    if spec.code == "FRESH-COLUMN":
        for name, col in rubric.columns.items():
            if col.freshness_days:
                lines.append(f"栏目 {name}（{col.kind}）: freshness_days = {col.freshness_days}")
    if spec.code == "COLUMN-MISSING":
        required = [name for name, col in rubric.columns.items() if col.required]
        lines.append("必设栏目 / required columns: " + "、".join(required))
    if spec.cap is not None:
        lines.append(f"cap = {spec.cap:g}")
    if spec.tiers:
        lines.append("tiers = " + "、".join(spec.tiers))
    if spec.kinds:
        lines.append("kinds = " + "、".join(spec.kinds))
    return lines


def explain(spec: RuleSpec, rubric: Rubric, heading: str = "##") -> str:
    """The explanation of one rule in Chinese and English."""
    ind = rubric.indicators.get(spec.indicator)
    ind_text = f"{ind.name}（{spec.indicator}，上限 {ind.points:g} 分）" if ind else spec.indicator
    out = [
        f"{spec.code}  {spec.name_zh} / {spec.name_en}",
        "",
        f"类别 / Category: {spec.category}",
        f"指标 / Indicator: {ind_text}",
        f"严重程度 / Severity: {SEVERITY_ZH.get(spec.severity, spec.severity)} ({spec.severity})",
        f"每处扣分 / Points per instance: {spec.points:g}",
        f"启用 / Enabled: {'是 / yes' if spec.enabled else '否 / no'}",
        "",
        f"{heading} 检查内容 / What it checks",
        spec.what_zh,
        spec.what_en,
        "",
        f"{heading} 原因 / Why",
        spec.why_zh,
        spec.why_en,
        "",
        f"{heading} 阈值 / Thresholds",
        *(thresholds(spec, rubric) or ["（无 / none）"]),
        "",
        f"{heading} 整改方法 / How to fix",
        spec.fix_zh,
        spec.fix_en,
        "",
        f"{heading} 对象 / Subject",
        spec.subject or "—",
        "",
        f"{heading} 依据 / Source",
        spec.source or "—",
        f"rubric: {rubric.name} ({rubric.title})",
    ]
    return "\n".join(out)
