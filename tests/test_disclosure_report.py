"""The 年报 reader (HTML page, PDF and DOCX attachments) and the REPORT-* rules on both sides."""

from __future__ import annotations

import datetime as dt
import io
import shutil

from tests.fixtures_indicators import AS_OF, SiteBuilder, by_rule
from zwgk.crawlers.annual_report import (
    html_rows,
    looks_like_report,
    parse_rows,
    read_document,
    request_checks,
    review_checks,
)
from zwgk.indicators import evaluate

YEAR = AS_OF.year - 1
# 本年新收 / 上年结转 / results / 结转: columns 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
NEW = [10, 2, 0, 0, 1, 0, 13]
CARRIED = [1, 0, 0, 0, 0, 0, 1]
OPEN = [6, 1, 0, 0, 1, 0, 8]
PARTIAL = [1, 0, 0, 0, 0, 0, 1]
THIRD = [1, 0, 0, 0, 0, 0, 1]
HOLD = [2, 1, 0, 0, 0, 0, 3]
NEXT = [1, 0, 0, 0, 0, 0, 1]
REVIEW = [1, 0, 0, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]

RESULT_ROWS = [
    ("（一）予以公开", OPEN),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", PARTIAL),
    ("（三）不予公开|1.属于国家秘密", None),
    ("2.其他法律行政法规禁止公开", None),
    ("3.危及“三安全一稳定”", None),
    ("4.保护第三方合法权益", THIRD),
    ("5.属于三类内部事务信息", None),
    ("6.属于四类过程性信息", None),
    ("7.属于行政执法案卷", None),
    ("8.属于行政查询事项", None),
    ("（四）无法提供|1.本机关不掌握相关政府信息", HOLD),
    ("2.没有现成信息需要另行制作", None),
    ("3.补正后申请内容仍不明确", None),
    ("（五）不予处理|1.信访举报投诉类申请", None),
    ("2.重复申请", None),
    ("3.要求提供公开出版物", None),
    ("4.无正当理由大量反复申请", None),
    ("5.要求行政机关确认或重新出具已获取信息", None),
    ("（六）其他处理|1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", None),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", None),
    ("3.其他", None),
]


def _cells(values, blank_zero: bool) -> str:
    return "".join(f"<td>{'' if blank_zero and v == 0 else v}</td>" for v in values)


def report_html(*, total=None, carried=None, blank_zero=True, drop_requests=False, old=False) -> str:
    """A 2021-format report page as CMSs publish it: merged header cells, rowspans, zero cells empty."""
    zero = [0] * 7
    total = total or [a + b + c + d for a, b, c, d in zip(OPEN, PARTIAL, THIRD, HOLD)]
    rows = [
        (
            '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
            '<td colspan="7">申请人情况</td></tr>'
        ),
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
        f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{_cells(NEW, blank_zero)}</tr>',
        f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{_cells(carried or CARRIED, blank_zero)}</tr>',
    ]
    for i, (label, values) in enumerate(RESULT_ROWS):
        lead = '<td rowspan="22">三、本年度办理结果</td>' if i == 0 else ""
        if "|" in label:
            group, sub = label.split("|")
            label_cells = f'<td rowspan="3">{group}</td><td>{sub}</td>'
        elif label.startswith("（"):
            label_cells = f'<td colspan="2">{label}</td>'
        else:
            label_cells = f"<td>{label}</td>"
        rows.append(f"<tr>{lead}{label_cells}{_cells(values or zero, blank_zero)}</tr>")
    rows.append(f'<tr><td colspan="2">（七）总计</td>{_cells(total, blank_zero)}</tr>')
    rows.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{_cells(NEXT, blank_zero)}</tr>')
    active = (
        "<table><tr><td>第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td>"
        "<td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>1</td></tr>"
        "<tr><td>行政规范性文件</td><td>3</td><td>1</td><td>27</td></tr>"
        "<tr><td>信息内容</td><td>本年处理决定数量</td></tr><tr><td>行政许可</td><td>120</td></tr>"
        "<tr><td>信息内容</td><td>本年收费金额（单位：万元）</td></tr><tr><td>行政事业性收费</td><td>12.5</td></tr></table>"
    )
    if old:
        active = (
            "<table><tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>"
            "<tr><td>规章</td><td>0</td><td>0</td><td>1</td></tr>"
            "<tr><td>信息内容</td><td>采购项目数量</td><td>采购总金额</td></tr>"
            "<tr><td>政府集中采购</td><td>4</td><td>300</td></tr></table>"
        )
    review = (
        '<table><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
        + "<tr>"
        + "".join(f"<td>{v}</td>" for v in REVIEW)
        + "</tr></table>"
    )
    requests = "<table class=MsoNormalTable>" + "".join(rows) + "</table>"
    if drop_requests:
        requests = "<p>本年度共收到申请13件。</p>"
    return (
        f"<html><head><title>示例市人民政府{YEAR}年政府信息公开工作年度报告</title></head><body>"
        f'<div class="content"><p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>'
        f"<p><strong>一、总体情况</strong></p><p>{YEAR}年，我市持续推进政务公开。</p>"
        f"<p>二、主动公开政府信息情况</p>{active}<p>三、收到和处理政府信息公开申请情况</p>{requests}"
        f"<p>四、政府信息公开行政复议、行政诉讼情况</p>{review}"
        "<p>五、存在的主要问题及改进情况</p><p>解读形式不够丰富。</p><p>六、其他需要报告的事项</p><p>无。</p>"
        "</div></body></html>"
    )


def parse_html(page: str) -> dict:
    rows, images = html_rows(page)
    return parse_rows(rows, source="html", images=images)


def test_a_2021_report_page_is_read_into_its_tables():
    report = parse_html(report_html())
    assert report["template"] == "2021" and report["sections"] == list("一二三四五六")
    table = report["tables"]["requests"]
    assert table["format"] == "2021" and not table["unsure"]
    assert table["rows"]["new"] == NEW and table["rows"]["carried"] == CARRIED
    assert table["rows"]["deny_third"] == THIRD and table["rows"]["none_hold"] == HOLD
    assert table["rows"]["other_other"] == [0] * 7 and table["rows"]["carry_next"] == NEXT
    assert len(table["rows"]) == 25
    assert report["tables"]["review"]["values"] == REVIEW
    assert report["tables"]["active"]["行政规范性文件"] == [3, 1, 27]
    assert report["tables"]["active"]["行政事业性收费"] == [12.5]
    assert all(c["holds"] for c in request_checks(table) + review_checks(report["tables"]["review"]))


def test_wrong_totals_are_caught_and_named():
    wrong = [a + b + c + d for a, b, c, d in zip(OPEN, PARTIAL, THIRD, HOLD)]
    wrong[6] += 2
    failed = [c for c in request_checks(parse_html(report_html(total=wrong))["tables"]["requests"]) if not c["holds"]]
    kinds = {c["check"] for c in failed}
    assert kinds == {"row_total", "flow", "results"} and all(c["sure"] for c in failed)


def test_titles_that_name_a_report():
    assert looks_like_report(f"示例市{YEAR}年政府信息公开工作年度报告") == YEAR
    assert looks_like_report(f"{YEAR}年度年报", column="政府信息公开年报") == YEAR
    assert looks_like_report(f"{YEAR}年统计年报") is None
    assert looks_like_report(f"{YEAR}年政务公开工作要点") is None


def test_a_report_published_as_a_pdf_attachment_is_read_into_its_tables():
    """A PDF made with the project's own writer (fpdf2 + CJK font), as the farm serves it; read with
    pdftotext (poppler-utils, installed by scripts/install-test-deps.sh)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed to read PDF reports"
    from zwgk.sitefarm import FarmConfig
    from zwgk.sitefarm.disclosure import figures, report_pdf
    from zwgk.sitefarm.farm import Farm

    farm = Farm(FarmConfig(sites=6))
    spec = farm.specs[0]
    data = report_pdf(spec, YEAR, "2021", False, YEAR)
    report = read_document(data, "http://x/a.pdf")
    assert not report.get("unreadable") and report["source"] == "pdf"
    assert report["template"] == "2021" and report["sections"] == list("一二三四五六")
    want = figures(spec, YEAR, YEAR)
    got = report["tables"]["requests"]["rows"]
    assert not report["tables"]["requests"]["unsure"]
    for key in ("new", "carried", "open", "none_hold", "total", "carry_next", "other_other"):
        assert got[key] == want[key], key
    assert len(report["tables"]["review"]["values"]) == 15
    assert all(c["holds"] for c in request_checks(report["tables"]["requests"]))


def test_a_docx_attachment_is_read_and_old_word_files_are_not_judged():
    import docx

    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=0, cols=8)
    for label, values in (
        ("一、本年新收政府信息公开申请数量", NEW),
        ("二、上年结转政府信息公开申请数量", CARRIED),
        ("（一）予以公开", OPEN),
        ("（七）总计", OPEN),
        ("四、结转下年度继续办理", NEXT),
    ):
        cells = table.add_row().cells
        cells[0].text = label
        for cell, v in zip(cells[1:], values):
            cell.text = str(v)
    buf = io.BytesIO()
    document.save(buf)
    report = read_document(buf.getvalue(), "http://x/a.docx")
    assert report["source"] == "docx" and report["tables"]["requests"]["rows"]["new"] == NEW
    old = read_document(b"\xd0\xcf\x11\xe0" + b"\0" * 600, "http://x/a.doc")
    assert old["unreadable"] and not old["tables"]


# ------------------------------------------------------------------ rules


def _site(
    page: str, year: int = YEAR, path: str = "report/nb.html", ws: SiteBuilder | None = None, **extra
) -> SiteBuilder:
    ws = ws or SiteBuilder()
    report = parse_html(page)
    report.update(year=year, **extra)
    ws.article(
        path,
        f"示例市人民政府{year}年政府信息公开工作年度报告",
        dt.date(year + 1, 2, 1),
        column="政府信息公开年报",
        annual_report=report,
    )
    return ws


CODES = ("REPORT-TEMPLATE", "REPORT-TABLES", "REPORT-TOTALS", "REPORT-CARRYOVER")


def _mine(findings):
    return [f for f in findings if f.rule in CODES]


def test_a_clean_report_raises_nothing(nat_rubric):
    ws = _site(report_html())
    _site(report_html().replace(str(YEAR), str(YEAR - 1)), year=YEAR - 1, path="report/old.html", ws=ws)
    assert _mine(evaluate(ws.snapshot(), nat_rubric)) == []


def test_old_template_missing_table_and_wrong_totals_are_deductions(nat_rubric):
    [f] = _mine(evaluate(_site(report_html(old=True)).snapshot(), nat_rubric))
    assert (f.rule, f.subject, f.needs_review) == ("REPORT-TEMPLATE", str(YEAR), False)
    [f] = _mine(evaluate(_site(report_html(drop_requests=True)).snapshot(), nat_rubric))
    assert (f.rule, f.needs_review) == ("REPORT-TABLES", False) and "三、收到和处理" in f.message
    wrong = [a + b + c + d for a, b, c, d in zip(OPEN, PARTIAL, THIRD, HOLD)]
    wrong[0] += 1
    [f] = _mine(evaluate(_site(report_html(total=wrong)).snapshot(), nat_rubric))
    assert (f.rule, f.needs_review) == ("REPORT-TOTALS", False) and f.evidence["tables"]["requests"]


def test_tables_that_may_be_pictures_are_only_review_candidates(nat_rubric):
    page = report_html(drop_requests=True).replace("<p>本年度共收到申请13件。</p>", '<p><img src="t.png"></p>')
    [f] = _mine(evaluate(_site(page).snapshot(), nat_rubric))
    assert f.rule == "REPORT-TABLES" and f.needs_review


def test_a_missing_table_beside_an_unread_attachment_is_only_a_review_candidate(nat_rubric):
    ws = _site(
        report_html(drop_requests=True),
        attachments_unread=[{"url": "http://www.example.gov.cn/nb.doc", "why": "旧版Word/WPS格式"}],
    )
    [f] = _mine(evaluate(ws.snapshot(), nat_rubric))
    assert f.rule == "REPORT-TABLES" and f.needs_review and "附件" in f.evidence["review_reason"]


def test_carry_over_compared_with_the_year_before(nat_rubric):
    carried = [2, 0, 0, 0, 0, 0, 2]
    next_ = [2, 0, 0, 0, 0, 0, 2]  # this year's flow still adds up: carried and carried forward both +1
    page = report_html(carried=carried).replace(
        f'<td colspan="3">四、结转下年度继续办理</td>{_cells(NEXT, True)}',
        f'<td colspan="3">四、结转下年度继续办理</td>{_cells(next_, True)}',
    )
    ws = _site(page)
    _site(report_html().replace(str(YEAR), str(YEAR - 1)), year=YEAR - 1, path="report/old.html", ws=ws)
    [f] = _mine(evaluate(ws.snapshot(), nat_rubric))
    assert (f.rule, f.subject, f.needs_review) == ("REPORT-CARRYOVER", str(YEAR), False)
    assert f.evidence["differ"][0] == {"column": "自然人", "carried": 2, "previous_carry_next": 1}


def test_a_report_that_could_not_be_read_is_not_judged(nat_rubric):
    ws = SiteBuilder()
    ws.article(
        "report/nb.html",
        f"示例市人民政府{YEAR}年政府信息公开工作年度报告",
        dt.date(YEAR + 1, 2, 1),
        column="政府信息公开年报",
        annual_report={"year": YEAR, "source": "doc", "unreadable": "旧版Word", "chars": 0, "tables": {}},
    )
    assert _mine(evaluate(ws.snapshot(), nat_rubric)) == []
    assert by_rule(evaluate(ws.snapshot(), nat_rubric), "REPORT-TEMPLATE") == []


def test_inspect_shows_a_report_pages_tables(nat_rubric):
    from zwgk.inspect.page import inspect_html

    page = report_html().replace("</div></body>", '<p><a href="/nb/2025.pdf">附件：年报.pdf</a></p></div></body>')
    seen = inspect_html("http://www.example.gov.cn/report/nb.html", page, "article", nat_rubric.column_vocabulary())
    report = seen["annual_report"]
    assert report["year"] == YEAR and report["template"] == "2021"
    assert report["tables"]["requests"]["rows"]["new"] == NEW
    assert report["attachments"] == ["http://www.example.gov.cn/nb/2025.pdf"]
    plain = inspect_html(
        "http://www.example.gov.cn/a.html", "<title>通知</title><p>x</p>", "article", nat_rubric.column_vocabulary()
    )
    assert plain["annual_report"] is None
