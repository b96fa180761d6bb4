"""解读, 留言 and 年报 rules: working days across holidays and 调休, deadlines, links."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures_indicators import SiteBuilder, by_rule, u
from zwgk.indicators import CalendarUnknownError, evaluate
from zwgk.model import Page

D = dt.date


def _doc(ws: SiteBuilder, path="doc.html", number="示府办发〔2025〕12号", date=D(2025, 9, 30), **facts):  # noqa: B008 — dates are immutable
    return ws.article(path, "示例市关于促进就业的若干措施", date, doc_number=number, **facts)


def _interp(ws: SiteBuilder, path="jd.html", date=D(2025, 10, 11), **facts):  # noqa: B008 — dates are immutable
    return ws.article(path, "《示例市关于促进就业的若干措施》政策解读", date, is_interpretation=True, **facts)


# ------------------------------------------------------------------ INTERP-LATE


@pytest.mark.parametrize("interp_date, late, days", [(D(2025, 10, 11), False, 3), (D(2025, 10, 13), True, 4)])
def test_interp_late_three_vs_four_working_days_across_national_day(ws, nat_rubric, interp_date, late, days):
    # 2025-09-30 + 3 working days = 2025-10-11 (make-up Saturday after the golden week)
    _doc(ws, related=[{"text": "相关解读", "url": u("jd.html")}])
    _interp(ws, date=interp_date)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-LATE")
    assert bool(found) is late
    if late:
        f = found[0]
        assert f.subject == u("doc.html") and f.points == 1
        assert f.evidence["working_days"] == days and f.evidence["deadline"] == "2025-10-11"
        assert "4个工作日" in f.message and "2025-10-11" in f.message


def test_interp_linked_back_or_by_title_counts(ws, nat_rubric):
    _doc(ws)  # no related link on the document
    _interp(ws, date=D(2025, 10, 20), related=[{"text": "原文链接", "url": u("doc.html")}])
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-LATE")
    assert f.evidence["interpretation"] == u("jd.html")
    site2 = SiteBuilder()
    _doc(site2)
    _interp(site2, date=D(2025, 10, 20))  # only the title quotes the document
    findings = evaluate(site2.snapshot(), nat_rubric)
    assert by_rule(findings, "INTERP-LATE") and not by_rule(findings, "INTERP-MISSING")


# ------------------------------------------------------------------ INTERP-MISSING


@pytest.mark.parametrize(
    "number, normative",
    [
        ("示政发〔2025〕3号", True),
        ("示政办发〔2025〕3号", True),
        ("示府发〔2025〕3号", True),
        ("示府办发〔2025〕3号", True),
        ("示人社发〔2025〕3号", False),
    ],
)
def test_interp_missing_only_for_government_normative_documents(ws, nat_rubric, number, normative):
    _doc(ws, number=number)
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-MISSING")
    assert bool(found) is normative
    if normative:
        assert found[0].subject == u("doc.html") and number in found[0].message


def test_notice_citing_a_normative_document_is_not_a_policy_document(ws, nat_rubric):
    ws.column("tz/", "通知公告", [("关于转发文件的通知", D(2026, 11, 1))])
    ws.article("tz/item0.html", "关于转发文件的通知", D(2026, 11, 1), doc_number="示府办发〔2026〕9号")
    ws.column("zc/", "政策文件", [("示例市实施办法", D(2026, 11, 1))])
    ws.article("zc/item0.html", "示例市实施办法", D(2026, 11, 1), doc_number="示府办发〔2026〕9号")
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-MISSING")
    assert [f.subject for f in found] == [u("zc/item0.html")]


def test_interp_present_via_uncrawled_related_link(ws, nat_rubric):
    _doc(ws, related=[{"text": "图解：促进就业措施", "url": u("tj.html")}])
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-MISSING")


def test_interp_listed_by_title_in_a_list_the_crawl_did_not_open_counts(ws, nat_rubric):
    _doc(ws, number="示府办发〔2025〕12号")
    ws.column("jd/", "政策解读", [("图解：《示例市关于促进就业的若干措施》", D(2025, 10, 9))])
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-MISSING")
    other = SiteBuilder()
    _doc(other, number="示府办发〔2025〕12号")
    other.column("jd/", "政策解读", [("图解：《示例市关于稳定物价的若干措施》", D(2025, 10, 9))])
    assert by_rule(evaluate(other.snapshot(), nat_rubric), "INTERP-MISSING")  # another document's 解读


def test_interp_seen_only_by_its_page_title_with_the_site_name_counts(ws, nat_rubric):
    """A 解读 the crawl only link-checked keeps its raw ``<title>``, the site's name appended as
    CMSs do (…政策解读-示例市人民政府); an inspector still pairs it with the document by title."""
    _doc(ws)  # the document's related box was not recognised: no link either way
    ws.add(
        Page(
            u("jd.html"),
            200,
            "ok",
            "other",
            title="示例市关于促进就业的若干措施政策解读-示例市人民政府",
            content_type="text/html",
            facts={},
        )
    )
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-MISSING")


def test_interp_rate_info_below_target(ws, nat_rubric):
    for i in range(5):
        ws.article(f"d{i}.html", f"文件{i}号措施办法通知", D(2025, 5, 6), doc_number=f"示府办发〔2025〕{i}号")
    ws.article(
        "jd0.html", "解读", D(2025, 5, 7), is_interpretation=True, related=[{"text": "原文", "url": u("d0.html")}]
    )
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-RATE")
    assert f.severity == "info" and f.points == 0 and f.evidence["rate"] == 0.2
    for i in range(1, 4):
        ws.article(
            f"jd{i}.html",
            "解读",
            D(2025, 5, 7),
            is_interpretation=True,
            related=[{"text": "原文", "url": u(f"d{i}.html")}],
        )
    assert not by_rule(evaluate(ws.snapshot(), nat_rubric), "INTERP-RATE")  # 4/5 = 80% meets target


# ------------------------------------------------------------------ REPLY-LATE


@pytest.mark.parametrize("answered, late, days", [(D(2026, 10, 12), False, 5), (D(2026, 10, 13), True, 6)])
def test_reply_late_five_vs_six_working_days_across_national_day(ws, nat_rubric, answered, late, days):
    # asked Tue 2026-09-29; 10-01..07 off; Sat 10-10 is a 调休 working day:
    # 9-30 (1), 10-08 (2), 10-09 (3), 10-10 (4), 10-12 (5), 10-13 (6)
    ws.column(
        "hd/",
        "政民互动",
        [("留言", D(2026, 9, 29))],
        messages=[
            {"url": u("hd/1.html"), "asked": "2026-09-29", "answered": answered.isoformat(), "title": "咨询社保"}
        ],
    )
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "REPLY-LATE")
    assert bool(found) is late
    if late:
        f = found[0]
        assert f.severity == "deduct" and f.subject == u("hd/1.html") and f.points == 1
        assert f.evidence["working_days"] == days and f.evidence["deadline"] == "2026-10-12"
        assert "咨询社保" in f.message and "6个工作日" in f.message


def test_reply_late_exact_boundary(ws, nat_rubric):
    from zwgk.indicators.workdays import add_working_days

    deadline = add_working_days(D(2026, 9, 29), 5)
    ws.column(
        "hd/",
        "政民互动",
        [("留言", D(2026, 9, 29))],
        messages=[
            {"url": u("hd/ok.html"), "asked": "2026-09-29", "answered": deadline.isoformat()},
            {"url": u("hd/late.html"), "asked": "2026-09-29", "answered": add_working_days(deadline, 1).isoformat()},
        ],
    )
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "REPLY-LATE")
    assert [f.subject for f in found] == [u("hd/late.html")]
    assert found[0].evidence["working_days"] == 6 and found[0].evidence["deadline"] == deadline.isoformat()


def test_reply_unanswered_over_three_months_is_veto(ws, nat_rubric):
    ws.article("hd/a.html", "咨询", None, dates={"留言时间": "2026-08-19"})  # 3 months + 1 day before as_of
    ws.article("hd/b.html", "咨询", None, dates={"留言时间": "2026-08-20"})  # exactly 3 months: not yet
    ws.article("hd/c.html", "咨询", None, dates={"留言时间": "2025-10-01"})  # outside the past year
    found = {f.subject: f for f in by_rule(evaluate(ws.snapshot(), nat_rubric), "REPLY-LATE")}
    assert set(found) == {u("hd/a.html"), u("hd/b.html")}
    assert found[u("hd/a.html")].severity == "veto" and "单项否决" in found[u("hd/a.html")].message
    assert found[u("hd/b.html")].severity == "deduct"  # unanswered, late, not yet 3 months


@pytest.mark.parametrize("asked, late", [(D(2026, 11, 13), False), (D(2026, 11, 12), True)])
def test_reply_unanswered_after_five_working_days_is_late(ws, nat_rubric, asked, late):
    # as_of Fri 2026-11-20: 11-13 (Fri) → 11-16..20 = 5 working days; 11-12 → 6
    ws.article("hd/q.html", "咨询", None, dates={"留言时间": asked.isoformat()})
    found = by_rule(evaluate(ws.snapshot(), nat_rubric), "REPLY-LATE")
    assert bool(found) is late
    if late:
        assert found[0].severity == "deduct" and found[0].evidence["status"] == "unanswered"
        assert "仍未答复" in found[0].message


def test_reply_from_article_labels(ws, nat_rubric):
    ws.article("hd/x.html", "关于公交线路的咨询", None, dates={"留言时间": "2026-06-01", "回复时间": "2026-06-30"})
    [f] = by_rule(evaluate(ws.snapshot(), nat_rubric), "REPLY-LATE")
    assert f.severity == "deduct" and f.evidence["date_source"] == "page:labels"
    assert "关于公交线路的咨询" in f.message


# ------------------------------------------------------------------ REPORT-LATE


def _report_site(kind: str, published: dt.date | None, as_of: dt.date) -> SiteBuilder:
    b = SiteBuilder(as_of=as_of, kind=kind)
    del b.pages[u("report/")]
    if published is not None:
        b.column("report/", "政府信息公开年报", [(f"{as_of.year - 1}年度政府信息公开工作年度报告", published)])
    return b


@pytest.mark.parametrize(
    "kind, published, late",
    [
        ("department", D(2026, 1, 31), False),
        ("department", D(2026, 2, 1), True),
        ("portal", D(2026, 3, 31), False),
        ("portal", D(2026, 4, 1), True),
    ],
)
def test_report_deadline_departments_jan31_governments_mar31(nat_rubric, kind, published, late):
    b = _report_site(kind, published, D(2026, 11, 20))
    found = by_rule(evaluate(b.snapshot(), nat_rubric), "REPORT-LATE")
    assert bool(found) is late
    if late:
        assert found[0].subject == "2025" and found[0].evidence["status"] == "late"


def test_report_missing_and_not_judged_before_deadline(nat_rubric):
    b = _report_site("portal", None, D(2026, 11, 20))
    [f] = by_rule(evaluate(b.snapshot(), nat_rubric), "REPORT-LATE")
    assert f.subject == "2025" and f.evidence["status"] == "missing" and "3月31日" in f.message
    before = _report_site("portal", None, D(2026, 3, 31))
    assert not by_rule(evaluate(before.snapshot(), nat_rubric), "REPORT-LATE")
    after = _report_site("portal", None, D(2026, 4, 1))
    assert by_rule(evaluate(after.snapshot(), nat_rubric), "REPORT-LATE")


def test_report_found_as_article_page(nat_rubric):
    b = _report_site("department", None, D(2026, 11, 20))
    b.article("nb2025.html", "示例市教育局2025年政府信息公开工作年度报告", D(2026, 1, 15))
    assert not by_rule(evaluate(b.snapshot(), nat_rubric), "REPORT-LATE")


def test_other_annual_reports_do_not_count(nat_rubric):
    b = _report_site("portal", None, D(2026, 11, 20))
    b.column("fz/", "法治政府", [("2025年法治政府建设年度报告", D(2026, 3, 1))])
    assert by_rule(evaluate(b.snapshot(), nat_rubric), "REPORT-LATE")


# ------------------------------------------------------------------ calendar limits


def test_evaluate_refuses_an_as_of_in_an_unknown_year(nat_rubric):
    b = SiteBuilder(as_of=D(2027, 2, 1))
    with pytest.raises(CalendarUnknownError, match=r"workdays-override\.toml"):
        evaluate(b.snapshot(), nat_rubric)


def test_interp_linked_as_picture_explainer_counts(ws, nat_rubric):
    # 一图读懂 pages are 解读 even when the crawler did not flag them
    _doc(ws, related=[{"text": "一图读懂《示例市关于促进就业的若干措施》", "url": u("tj.html")}])
    ws.article(
        "tj.html", "一图读懂《示例市关于促进就业的若干措施》", D(2025, 10, 20), doc_number="示府办发〔2025〕12号"
    )
    findings = evaluate(ws.snapshot(), nat_rubric)
    assert not by_rule(findings, "INTERP-MISSING")
    [late] = by_rule(findings, "INTERP-LATE")
    assert late.subject == u("doc.html") and late.evidence["interpretation"] == u("tj.html")
    assert [f.subject for f in by_rule(findings, "INTERP-MISSING")] == []  # the explainer is no policy document


def test_title_of_a_similar_documents_interpretation_does_not_count(ws, nat_rubric):
    # "…措施（第二批）》的解读" links to its own document; it is no 解读 of "…措施"
    _doc(ws, related=[{"text": "相关解读", "url": u("jd.html")}])
    _interp(ws, date=D(2025, 10, 20))
    _doc(ws, path="doc2.html", date=D(2025, 9, 1))
    ws.pages[u("doc2.html")].title = "示例市关于促进就业的若干措施（第二批）"
    ws.article(
        "jd2.html",
        "关于《示例市关于促进就业的若干措施（第二批）》的解读",
        D(2025, 9, 2),
        is_interpretation=True,
        related=[{"text": "原文", "url": u("doc2.html")}],
    )
    findings = evaluate(ws.snapshot(), nat_rubric)
    [late] = by_rule(findings, "INTERP-LATE")
    assert late.subject == u("doc.html") and late.evidence["interpretation"] == u("jd.html")
