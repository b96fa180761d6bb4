"""REPORT-TEMPLATE / REPORT-TABLES / REPORT-TOTALS / REPORT-CARRYOVER: what last year's 年报 says.

The crawler reads each 政府信息公开工作年度报告 it meets (the page, or its PDF / DOCX attachment)
into ``Page.facts["annual_report"]`` (``zwgk.crawlers.annual_report``): sections, format
markers and the three statistical tables.  These rules judge the report of the year before
the as-of year; REPORT-LATE judges whether it exists and when it came out.  A report the
crawler could not read (old .doc, a scan) is not judged here; a doubtful reading (a table row
whose numbers do not line up with its columns, tables that may be pictures) gives a review
candidate, never a deduction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeGuard

from zwgk.crawlers.annual_report import REQUEST_COLUMNS, request_checks, review_checks
from zwgk.indicators.rules import register
from zwgk.indicators.rules._common import home_ok, make_finding, ok_pages
from zwgk.model import REVIEW_CONFIDENCE, Finding, SiteSnapshot

TABLE_NAMES = {
    "active": "二、主动公开政府信息情况统计表",
    "requests": "三、收到和处理政府信息公开申请情况统计表",
    "review": "四、政府信息公开行政复议、行政诉讼情况统计表",
}


def reports_by_year(snapshot: SiteSnapshot) -> dict[int, dict[str, Any]]:
    """year → the best reading of that year's report on the site (with ``page`` and ``title``).

    Several pages may carry one year's report (a page and a reprint): the reading with the most
    tables, then the most text, wins.
    """
    best: dict[int, dict[str, Any]] = {}
    for page in ok_pages(snapshot):
        report = (page.facts or {}).get("annual_report")
        if not report or not report.get("year"):
            continue
        entry = {**report, "page": page.url, "title": page.title}
        year = int(report["year"])
        score = (not report.get("unreadable"), len(report.get("tables") or {}), report.get("chars") or 0)
        old = best.get(year)
        if old is None or score > (not old.get("unreadable"), len(old.get("tables") or {}), old.get("chars") or 0):
            best[year] = entry
    return best


def last_years_report(snapshot: SiteSnapshot) -> dict[str, Any] | None:
    return reports_by_year(snapshot).get(snapshot.as_of.year - 1)


def _readable(report: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
    """A report read well enough to judge (narrows away ``None`` for the rules below)."""
    return bool(report and not report.get("unreadable") and (report.get("chars") or 0) >= 200)


def _evidence(report: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The reading behind a finding: where it came from and the tables as extracted."""
    return {
        "year": report.get("year"),
        "title": report.get("title"),
        "page": report.get("page"),
        "source": report.get("source"),
        "document": report.get("url") or report.get("page"),
        "sections": report.get("sections"),
        "template": report.get("template"),
        "markers": report.get("markers"),
        "tables": report.get("tables"),
        **extra,
    }


def _review(evidence: dict[str, Any], reason: str) -> dict[str, Any]:
    evidence["confidence"] = REVIEW_CONFIDENCE
    evidence["review_reason"] = reason
    return evidence


@register("REPORT-TEMPLATE")
def report_template(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    report = last_years_report(snapshot)
    if not _readable(report):
        return []
    year = str(report["year"])
    template, sections = report.get("template"), report.get("sections") or []
    markers = report.get("markers") or {}
    where = report.get("url") or report["page"]
    if template == "2019":
        msg = (
            f"{year}年度政府信息公开工作年度报告仍使用2019年试行格式（表中有“{'”“'.join(markers.get('2019', [])[:3])}”等旧栏目），"
            "未按国办公开办函〔2021〕30号格式编制。"
        )
        return [make_finding(snapshot, spec, year, msg, _evidence(report), page=where)]
    if template == "mixed":
        msg = f"{year}年度年报同时出现2019年试行格式与2021年格式的统计栏目，请人工核对所用格式。"
        return [
            make_finding(
                snapshot, spec, year, msg, _review(_evidence(report), "新旧格式栏目并存，无法确定所用格式"), page=where
            )
        ]
    if template == "unknown" and len(sections) <= int(spec.params["min_sections"]) - 3 and not report.get("tables"):
        msg = (
            f"{year}年度年报未见2021年格式的六部分标题（仅识别到{len(sections)}个）和统计表，"
            "可能未按国办公开办函〔2021〕30号格式编制。"
        )
        return [
            make_finding(
                snapshot, spec, year, msg, _review(_evidence(report), "标题措辞可能与格式不同，需人工确认"), page=where
            )
        ]
    return []


@register("REPORT-TABLES")
def report_tables(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    report = last_years_report(snapshot)
    if not _readable(report) or report.get("template") in ("2019", "mixed"):
        return []  # an old-format report is REPORT-TEMPLATE's
    sections = report.get("sections") or []
    if len(sections) < int(spec.params["min_sections"]) and report.get("template") != "2021":
        return []  # not recognisably in the format: REPORT-TEMPLATE says so
    tables = report.get("tables") or {}
    missing = [name for name in ("active", "requests", "review") if name not in tables]
    if not missing:
        return []
    year = str(report["year"])
    evidence = _evidence(report, missing=[TABLE_NAMES[m] for m in missing])
    msg = f"{year}年度政府信息公开工作年度报告缺少统计表：{'、'.join(TABLE_NAMES[m] for m in missing)}。"
    if report.get("attachments_unread"):
        _review(
            evidence,
            "年报附件未能自动读取（"
            + "；".join(a["why"] for a in report["attachments_unread"])
            + "），缺少的统计表可能在附件中，需人工查看",
        )
    elif report.get("images"):
        _review(evidence, f"正文含{report['images']}张图片，统计表可能以图片形式发布，需人工查看")
    return [make_finding(snapshot, spec, year, msg, evidence, page=report.get("url") or report["page"])]


@register("REPORT-TOTALS")
def report_totals(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    report = last_years_report(snapshot)
    if not _readable(report):
        return []
    tables = report.get("tables") or {}
    checks = []
    if "requests" in tables:
        checks += request_checks(tables["requests"])
    if "review" in tables:
        checks += review_checks(tables["review"])
    failed = [c for c in checks if not c["holds"]]
    if not failed:
        return []
    year = str(report["year"])
    sure = [c for c in failed if c["sure"]]
    shown = "；".join(
        c.get("text") or f"{c.get('label', c.get('row'))}：各列之和{c['expected']:g}，总计{c['stated']:g}"
        for c in (sure or failed)[:4]
    )
    evidence = _evidence(report, failed=failed, checks=len(checks))
    msg = f"{year}年度政府信息公开工作年度报告统计表数字不能相互印证：{shown}。"
    if not sure:
        _review(evidence, "不一致涉及的表格行识别存疑（空白单元格位置或数字个数与列不符）")
    return [make_finding(snapshot, spec, year, msg, evidence, page=report.get("url") or report["page"])]


@register("REPORT-CARRYOVER")
def report_carryover(snapshot: SiteSnapshot, spec, rubric) -> Iterable[Finding]:
    if not home_ok(snapshot):
        return []
    reports = reports_by_year(snapshot)
    year = snapshot.as_of.year - 1
    this, before = reports.get(year), reports.get(year - 1)
    if not _readable(this) or not _readable(before):
        return []  # last year's or the year before's report not read: nothing to compare
    now = (this.get("tables") or {}).get("requests") or {}
    then = (before.get("tables") or {}).get("requests") or {}
    carried = (now.get("rows") or {}).get("carried")
    carry_next = (then.get("rows") or {}).get("carry_next")
    width = len(REQUEST_COLUMNS)
    if not carried or not carry_next or len(carried) != width or len(carry_next) != width:
        return []
    differ = [
        {"column": col, "carried": a, "previous_carry_next": b}
        for col, a, b in zip(REQUEST_COLUMNS, carried, carry_next)
        if abs(a - b) > 1e-6
    ]
    if not differ:
        return []
    evidence = _evidence(
        this,
        differ=differ,
        previous={
            "year": year - 1,
            "page": before.get("page"),
            "document": before.get("url") or before.get("page"),
            "carry_next": carry_next,
        },
    )
    total = differ[-1] if differ[-1]["column"] == "总计" else differ[0]
    msg = (
        f"{year}年度年报“上年结转政府信息公开申请数量”（{total['column']}）为{total['carried']:g}件，"
        f"与{year - 1}年度年报“结转下年度继续办理”{total['previous_carry_next']:g}件不一致。"
    )
    if "carried" in (now.get("unsure") or {}) or "carry_next" in (then.get("unsure") or {}):
        _review(evidence, "对比所用的表格行识别存疑")
    return [make_finding(snapshot, spec, str(year), msg, evidence, page=this.get("url") or this["page"])]
