"""解读 rules on a 繁体 site: the 文号 markers are read in Simplified (府辦發 is 府办发)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_indicators import by_rule, u
from zwgk.indicators import evaluate


@pytest.mark.parametrize(
    "number, normative", [("永政發〔2026〕48號", True), ("金府辦發〔2026〕21號", True), ("示人社發〔2026〕3號", False)]
)
def test_traditional_doc_number_is_normative_like_the_simplified_one(ws, nat_rubric, number, normative):
    ws.column("zc/", "政策文件", [("永源市人民政府關於印發《永源市就業創業實施方案》的通知", dt.date(2026, 9, 18))])
    ws.article(
        "zc/item0.html",
        "永源市人民政府關於印發《永源市就業創業實施方案》的通知",
        dt.date(2026, 9, 18),
        doc_number=number,
    )
    findings = evaluate(ws.snapshot(), nat_rubric)
    missing = by_rule(findings, "INTERP-MISSING")
    assert [f.subject for f in missing] == ([u("zc/item0.html")] if normative else [])
    assert bool(by_rule(findings, "INTERP-RATE")) is normative  # 0 of 1 normative document has a 解读
