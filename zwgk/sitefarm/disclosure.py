"""The farm's 年报 contents and 依申请公开 registers, with their plants (issue 16 items 1, 2, 7).

Every 年报 the farm publishes now carries the 2021-format statistics (国办公开办函〔2021〕30号):
figures drawn per unit and year, chained so each year's 上年结转 is the year before's
结转下年度继续办理.  Units with a register also get a ledger file (``write_ledgers``) whose
applications of last year are exactly the report's 本年新收, replied within 20 working days
(one crossing a holiday with 调休 make-up days, replied on its last day).

Plants (``SiteSpec.disclosure_codes``, trs / hanweb sites only, own random streams):

- REPORT-TEMPLATE: last year's report in the 2019 trial format;
- REPORT-TABLES: last year's report without its 依申请 table;
- REPORT-TOTALS: one figure of last year's 依申请 table off, so the sums do not hold;
- REPORT-CARRYOVER: last year's 上年结转 differs from the year before's 结转下年度 (sums hold);
- REQUEST-LATE: one or two applications answered (or still open) past the deadline, one of
  them across a holiday with 调休 where possible;
- REQUEST-COUNT: the ledger has more applications of last year than the report says;
- REQUEST-TEST: an inspector's test application that was never answered.

A share of units publish last year's report as a PDF attachment (generated with fpdf2).
``disclosure_defects(farm, site)`` is the ground truth, read off the model.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import random
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from zwgk.sitefarm.disclosure_codes import DISCLOSURE_CODES
from zwgk.sitefarm.model import Item, Site, SiteSpec
from zwgk.sitefarm.specs import derive_seed
from zwgk.sitefarm.workdays import add_workdays, is_workday

REPORT_CODES = ("REPORT-TEMPLATE", "REPORT-TABLES", "REPORT-TOTALS", "REPORT-CARRYOVER")
LEDGER_CODES = ("REQUEST-LATE", "REQUEST-COUNT", "REQUEST-TEST")
FAMILIES_WITH_PLANTS = ("trs", "hanweb")
PLANT_SHARE = 0.25  # sites with one of these plants
LEDGER_SHARE = 0.35  # sites whose register the evaluators imported (plants aside)
PDF_SHARE = 0.15  # sites publishing last year's report as a PDF attachment
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
# result rows of table 三 (2021 format) and their share of decided applications
RESULTS = (
    ("open", 50),
    ("partial", 10),
    ("deny_third", 4),
    ("deny_process", 3),
    ("none_hold", 16),
    ("none_make", 3),
    ("skip_petition", 4),
    ("skip_repeat", 3),
    ("other_nofix", 4),
    ("other_other", 3),
)
ALL_ROWS = (
    "new",
    "carried",
    "open",
    "partial",
    "deny_secret",
    "deny_law",
    "deny_safety",
    "deny_third",
    "deny_internal",
    "deny_process",
    "deny_enforce",
    "deny_query",
    "none_hold",
    "none_make",
    "none_unclear",
    "skip_petition",
    "skip_repeat",
    "skip_publication",
    "skip_mass",
    "skip_confirm",
    "other_nofix",
    "other_nofee",
    "other_other",
    "total",
    "carry_next",
)
RESULT_TEXT = {
    "open": "予以公开",
    "partial": "部分公开",
    "deny_third": "不予公开（保护第三方合法权益）",
    "deny_process": "不予公开（过程性信息）",
    "none_hold": "无法提供（本机关不掌握相关政府信息）",
    "none_make": "无法提供（没有现成信息需要另行制作）",
    "skip_petition": "不予处理（信访举报投诉类申请）",
    "skip_repeat": "不予处理（重复申请）",
    "other_nofix": "其他处理（逾期不补正）",
    "other_other": "其他处理",
}
CHANNELS = ("网络平台", "信函", "当面", "电子邮件", "传真")
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
LEDGER_HEADER = ("申请编号", "收到日期", "申请渠道", "申请人类型", "答复日期", "处理结果", "是否延期", "类型", "备注")


# ---------------------------------------------------------------- plan


def _planted_here(spec: SiteSpec, config: Any) -> bool:
    from zwgk.sitefarm.specs import pick_family

    return "AVAIL-DOWN" not in spec.codes and pick_family(spec, config) in FAMILIES_WITH_PLANTS


def _report_possible(spec: SiteSpec) -> bool:
    """Last year's report exists (REPORT-LATE may remove it) and the 年报 column is there."""
    return "政府信息公开年报" not in spec.missing and "REPORT-LATE" not in spec.codes


def _applicable(spec: SiteSpec, code: str) -> bool:
    if code in REPORT_CODES or code == "REQUEST-COUNT":
        return _report_possible(spec)
    return True


def _compatible(codes: set[str], code: str) -> bool:
    both = codes | {code}
    if "REPORT-TABLES" in both and ({"REPORT-TOTALS", "REPORT-CARRYOVER", "REQUEST-COUNT"} & both):
        return False  # no 依申请 table to add up or compare
    return not ("REPORT-TEMPLATE" in both and "REPORT-TABLES" in both)


def plan_disclosure(specs: list[SiteSpec], config: Any) -> list[SiteSpec]:
    """Every site's ``disclosure_codes`` (a share of trs / hanweb sites; every code at least once
    per family when the farm has six such sites; one site in 40 on big farms)."""
    from zwgk.sitefarm.specs import pick_family

    out = []
    for spec in specs:
        rng = random.Random(derive_seed(spec.seed, "disclosure-plan"))
        codes: set[str] = set()
        # drawn only on sites the plan already gave a defect: the farm keeps its clean sites clean
        if _planted_here(spec, config) and (spec.codes or spec.content_codes) and rng.random() < PLANT_SHARE:
            code = rng.choice([c for c in DISCLOSURE_CODES if _applicable(spec, c)] or [""])
            if code:
                codes.add(code)
        out.append(replace(spec, disclosure_codes=frozenset(codes)))
    order = sorted(range(len(out)), key=lambda i: derive_seed(config.seed, "disclosure-cover", i))
    want = max(1, len(out) // 40)
    for family in [f for f in getattr(config, "families", FAMILIES_WITH_PLANTS) if f in FAMILIES_WITH_PLANTS]:
        members = [i for i in order if _planted_here(out[i], config) and pick_family(out[i], config) == family]
        if len(members) < 6:
            continue
        # sites the plan already gave defects first: a clean site stays clean where possible
        members.sort(key=lambda i: not (out[i].codes or out[i].content_codes))
        for code in DISCLOSURE_CODES:
            have = sum(code in out[i].disclosure_codes for i in members)
            for i in members:
                if have >= want:
                    break
                s = out[i]
                if (
                    code not in s.disclosure_codes
                    and _applicable(s, code)
                    and _compatible(set(s.disclosure_codes), code)
                ):
                    out[i] = replace(s, disclosure_codes=s.disclosure_codes | {code})
                    have += 1
    if getattr(config, "repaired", 0) > 0:
        out = [
            replace(
                s,
                disclosure_codes=frozenset(
                    c
                    for c in s.disclosure_codes
                    if random.Random(derive_seed(s.seed, "repair", c)).random() >= config.repaired
                ),
            )
            for s in out
        ]
    return out


def has_ledger(spec: SiteSpec, config: Any) -> bool:
    if not _planted_here(spec, config):
        return False
    if set(LEDGER_CODES) & spec.disclosure_codes:
        return True
    return random.Random(derive_seed(spec.seed, "ledger")).random() < LEDGER_SHARE


# ---------------------------------------------------------------- figures


Figures = dict[str, list[int]]  # row key → 7 numbers (six applicant kinds, 总计)


def _figures_for(spec: SiteSpec, year: int, carried: list[int]) -> Figures:
    rng = random.Random(derive_seed(spec.seed, "report-figures", year))
    scale = 30 if spec.kind == "portal" else 8
    new = [
        rng.randint(2, scale),
        rng.randint(0, 4),
        rng.randint(0, 1),
        rng.randint(0, 1),
        rng.randint(0, 2),
        rng.randint(0, 2),
    ]
    fig: Figures = {k: [0] * 6 for k in ALL_ROWS}
    fig["new"], fig["carried"] = new, list(carried[:6])
    keys, weights = zip(*RESULTS)
    for c in range(6):
        available = new[c] + carried[c]
        nxt = rng.randint(0, min(2, available)) if available else 0
        fig["carry_next"][c] = nxt
        for _ in range(available - nxt):
            fig[rng.choices(keys, weights=weights)[0]][c] += 1
        fig["total"][c] = available - nxt
    for k in fig:
        fig[k] = fig[k][:6] + [sum(fig[k][:6])]
    return fig


@lru_cache(maxsize=2048)
def _chain(spec: SiteSpec, last: int) -> dict[int, Figures]:
    """Figures of the years ``last - 5 … last``, each year's 上年结转 the year before's 结转下年度."""
    rng = random.Random(derive_seed(spec.seed, "report-first"))
    carried = [rng.randint(0, 2), 0, 0, 0, 0, 0]
    out: dict[int, Figures] = {}
    for year in range(last - 5, last + 1):
        fig = _figures_for(spec, year, carried)
        out[year] = fig
        carried = fig["carry_next"][:6]
    return out


def figures(spec: SiteSpec, year: int, last: int) -> Figures:
    """The figures a report of ``year`` shows, after the plants on last year's report."""
    fig = {k: list(v) for k, v in _chain(spec, last).get(year, _chain(spec, last)[last]).items()}
    if year != last:
        return fig
    rng = random.Random(derive_seed(spec.seed, "report-plant"))
    if "REPORT-TOTALS" in spec.disclosure_codes:
        key = rng.choice(("total", "open", "none_hold"))
        fig[key][6] += rng.choice((1, 2, 3))  # the 总计 column off: the row and the flow no longer add up
    if "REPORT-CARRYOVER" in spec.disclosure_codes:
        d = rng.choice((1, 2))  # carried and carried forward both larger: every sum still holds
        for key in ("carried", "carry_next"):
            fig[key][0] += d
            fig[key][6] += d
    return fig


@dataclass(slots=True)
class ReportPlan:
    """How last year's report is published (read by render, server and truth)."""

    year: int = 0
    item_path: str = ""
    pdf_path: str = ""  # "" = the tables are on the page
    template: str = "2021"  # 2021 / 2019
    drop_requests_table: bool = False
    zero_blank: bool = False  # zero cells left empty in the HTML tables
    ledger: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def add_disclosure(site: Site, config: Any) -> Site:
    """Attach last year's report plan to ``site`` (a PDF attachment for a share of sites)."""
    spec = site.spec
    plan = ReportPlan(year=config.as_of.year - 1, ledger=has_ledger(spec, config))
    site.disclosure = plan
    if site.down or not _planted_here(spec, config):
        return site
    rng = random.Random(derive_seed(spec.seed, "report-look"))
    plan.zero_blank = rng.random() < 0.3
    codes = spec.disclosure_codes
    plan.template = "2019" if "REPORT-TEMPLATE" in codes else "2021"
    plan.drop_requests_table = "REPORT-TABLES" in codes
    col = site.columns.get("gknb")
    item = next((it for it in (col.items if col else []) if it.year == plan.year), None)
    if item is None:
        return site
    plan.item_path = item.path
    if rng.random() < PDF_SHARE:
        folder = item.path.rsplit("/", 1)[0]
        plan.pdf_path = f"{folder}/P0{item.date:%Y%m%d}{item.id}9.pdf"
        item.attachments.append((plan.pdf_path, f"附件：{item.title}.pdf"))
        site.attachments[plan.pdf_path] = 1  # served by ``attachment_body``
    return site


# ---------------------------------------------------------------- HTML


def _cell(v: int, blank: bool) -> str:
    return "" if blank and v == 0 else str(v)


ACTIVE_2021 = (
    (
        "第二十条第（一）项",
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        (("规章", 3), ("行政规范性文件", 3)),
    ),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("行政许可", 1),)),
    ("第二十条第（六）项", ("信息内容", "本年处理决定数量"), (("行政处罚", 1), ("行政强制", 1))),
    ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), (("行政事业性收费", 1),)),
)
ACTIVE_2019 = (
    (
        "第二十条第（一）项",
        ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
        (("规章", 3), ("规范性文件", 3)),
    ),
    (
        "第二十条第（五）项",
        ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        (("行政许可", 3), ("其他对外管理服务事项", 3)),
    ),
    (
        "第二十条第（六）项",
        ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
        (("行政处罚", 3), ("行政强制", 3)),
    ),
    ("第二十条第（八）项", ("信息内容", "上一年项目数量", "本年增/减"), (("行政事业性收费", 2),)),
    ("第二十条第（九）项", ("信息内容", "采购项目数量", "采购总金额"), (("政府集中采购", 2),)),
)
REQUEST_LAYOUT = (
    (
        "三、本年度办理结果",
        (
            ("（一）予以公开", (("", "open"),)),
            ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("", "partial"),)),
            (
                "（三）不予公开",
                (
                    ("1.属于国家秘密", "deny_secret"),
                    ("2.其他法律行政法规禁止公开", "deny_law"),
                    ("3.危及“三安全一稳定”", "deny_safety"),
                    ("4.保护第三方合法权益", "deny_third"),
                    ("5.属于三类内部事务信息", "deny_internal"),
                    ("6.属于四类过程性信息", "deny_process"),
                    ("7.属于行政执法案卷", "deny_enforce"),
                    ("8.属于行政查询事项", "deny_query"),
                ),
            ),
            (
                "（四）无法提供",
                (
                    ("1.本机关不掌握相关政府信息", "none_hold"),
                    ("2.没有现成信息需要另行制作", "none_make"),
                    ("3.补正后申请内容仍不明确", "none_unclear"),
                ),
            ),
            (
                "（五）不予处理",
                (
                    ("1.信访举报投诉类申请", "skip_petition"),
                    ("2.重复申请", "skip_repeat"),
                    ("3.要求提供公开出版物", "skip_publication"),
                    ("4.无正当理由大量反复申请", "skip_mass"),
                    ("5.要求行政机关确认或重新出具已获取信息", "skip_confirm"),
                ),
            ),
            (
                "（六）其他处理",
                (
                    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_nofix"),
                    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_nofee"),
                    ("3.其他", "other_other"),
                ),
            ),
            ("（七）总计", (("", "total"),)),
        ),
    ),
)


def _active_values(spec: SiteSpec, year: int) -> dict[str, list[int]]:
    rng = random.Random(derive_seed(spec.seed, "report-active", year))
    return {
        "规章": [0, 0, rng.randint(0, 3)],
        "行政规范性文件": [rng.randint(0, 6), rng.randint(0, 3), rng.randint(5, 40)],
        "规范性文件": [rng.randint(0, 6), rng.randint(0, 6), rng.randint(5, 40)],
        "行政许可": [rng.randint(0, 300)] * 3,
        "其他对外管理服务事项": [rng.randint(0, 50)] * 3,
        "行政处罚": [rng.randint(0, 120)] * 3,
        "行政强制": [rng.randint(0, 20)] * 3,
        "行政事业性收费": [rng.randint(0, 90)] * 2,
        "政府集中采购": [rng.randint(0, 30), rng.randint(10, 900)],
    }


def _active_html(spec: SiteSpec, year: int, template: str) -> str:
    values = _active_values(spec, year)
    rows = []
    for section, header, lines in ACTIVE_2019 if template == "2019" else ACTIVE_2021:
        rows.append(f'<tr><td colspan="4" align="center">{section}</td></tr>')
        span = 4 - len(header) + 1
        rows.append(
            "<tr>" + "".join(f"<td>{h}</td>" for h in header[:-1]) + f'<td colspan="{span}">{header[-1]}</td></tr>'
        )
        for name, n in lines:
            vals = values[name][:n]
            cells = "".join(f"<td>{v}</td>" for v in vals[:-1]) + f'<td colspan="{4 - n}">{vals[-1]}</td>'
            rows.append(f"<tr><td>{name}</td>{cells}</tr>")
    return '<table border="1" class="nb-table">' + "".join(rows) + "</table>"


def _request_html(fig: Figures, template: str, blank: bool) -> str:
    head = (
        '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
        '<td colspan="7">申请人情况</td></tr>'
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
    )
    rows = [head]

    def nums(key: str) -> str:
        return "".join(f"<td>{_cell(v, blank)}</td>" for v in fig[key])

    rows.append(f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{nums("new")}</tr>')
    rows.append(f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{nums("carried")}</tr>')
    groups = REQUEST_LAYOUT[0][1]
    lines: list[tuple[str, str, str, int]] = []  # (group label, sub label, key, group size)
    for label, subs in groups:
        if template == "2019" and label == "（六）其他处理":
            merged = [sum(fig[k][c] for k in ("other_nofix", "other_nofee", "other_other")) for c in range(7)]
            fig = {**fig, "other": merged}
            subs = (("", "other"),)
        for i, (sub, key) in enumerate(subs):
            lines.append((label if i == 0 else "", sub, key, len(subs)))
    first = True
    for label, sub, key, size in lines:
        lead = f'<td rowspan="{len(lines)}">三、本年度办理结果</td>' if first else ""
        first = False
        if not sub:
            rows.append(f'<tr>{lead}<td colspan="2">{label}</td>{nums(key) if key in fig else ""}</tr>')
        else:
            group = f'<td rowspan="{size}">{label}</td>' if label else ""
            rows.append(f"<tr>{lead}{group}<td>{html.escape(sub)}</td>{nums(key)}</tr>")
    rows.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{nums("carry_next")}</tr>')
    return '<table border="1" class="nb-table">' + "".join(rows) + "</table>"


def _review_values(spec: SiteSpec, year: int) -> list[int]:
    rng = random.Random(derive_seed(spec.seed, "report-review", year))
    out = []
    for _ in range(3):
        part = [rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 1), rng.randint(0, 1)]
        out += part + [sum(part)]
    return out


def _review_html(spec: SiteSpec, year: int, blank: bool) -> str:
    heads = "".join(f'<td rowspan="2">{h}</td>' for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    sub = "".join(f"<td>{h}</td>" for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2)
    vals = "".join(f"<td>{_cell(v, blank)}</td>" for v in _review_values(spec, year))
    return (
        '<table border="1" class="nb-table"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
        f'<tr>{heads}<td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>'
        f"<tr>{sub}</tr><tr>{vals}</tr></table>"
    )


def report_body(site: Site, item: Item) -> str:
    """The body of a 年报 page after its opening paragraphs: six sections and the three tables,
    or a pointer to the PDF attachment when last year's report is published that way."""
    plan: ReportPlan | None = getattr(site, "disclosure", None)
    spec, year = site.spec, item.year
    last = plan.year if plan else year
    planted = plan if plan is not None and item.path == plan.item_path else None  # the plan of this very report
    if planted is not None and planted.pdf_path:
        return "<p>现将本机关政府信息公开工作年度报告予以公布，全文详见附件。</p>"
    template = planted.template if planted is not None else "2021"
    blank = bool(plan and plan.zero_blank)
    fig = figures(spec, year, last)
    org = html.escape(spec.name)
    parts = [
        (
            f"<p>一、总体情况</p><p>{year}年，{org}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            "持续推进政务公开标准化规范化建设。</p>"
        ),
        "<p>二、主动公开政府信息情况</p>",
        _active_html(spec, year, template),
        "<p>三、收到和处理政府信息公开申请情况</p>",
    ]
    if planted is not None and planted.drop_requests_table:
        parts.append(f"<p>{year}年共收到政府信息公开申请{fig['new'][6]}件，均已按时答复。</p>")
    else:
        parts.append(_request_html(fig, template, blank))
    parts += [
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
        _review_html(spec, year, blank),
        "<p>五、存在的主要问题及改进情况</p><p>政策解读形式还不够丰富，下一步将加强培训。</p>",
        "<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>",
    ]
    return "".join(parts)


# ---------------------------------------------------------------- PDF


def attachment_body(site: Site, path: str) -> bytes | None:
    """The bytes of a report PDF the farm serves at ``path`` (None: not one of them)."""
    plan: ReportPlan | None = getattr(site, "disclosure", None)
    if plan is None or not plan.pdf_path or path != plan.pdf_path:
        return None
    return report_pdf(site.spec, plan.year, plan.template, plan.drop_requests_table, plan.year)


@lru_cache(maxsize=64)
def report_pdf(
    spec: SiteSpec, year: int, template: str = "2021", drop_requests: bool = False, last: int | None = None
) -> bytes:
    """A report as a PDF (fpdf2, the CJK font of ``zwgk.assess.pdf``): headings and the tables as
    rows of fixed-width cells, the way word processors lay tables out."""
    from zwgk.assess.pdf import FAMILY, new_pdf

    fig = figures(spec, year, last or year)
    pdf = new_pdf(f"{spec.name}{year}年政府信息公开工作年度报告")
    pdf.add_page()
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 8, f"{spec.name}{year}年政府信息公开工作年度报告", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FAMILY, size=9)

    def line(text: str) -> None:
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def row(label: str, values: list[Any], label_w: float = 70, w: float = 15) -> None:
        pdf.cell(label_w, 6, label, border=1)
        for v in values:
            pdf.cell(w, 6, str(v), border=1)
        pdf.ln(6)

    line("一、总体情况")
    line(f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。")
    line("二、主动公开政府信息情况")
    pdf.set_font(FAMILY, size=7)
    values = _active_values(spec, year)
    for section, header, lines in ACTIVE_2019 if template == "2019" else ACTIVE_2021:
        row(section, [])
        row(header[0], list(header[1:]), w=40)
        for name, n in lines:
            row(name, values[name][:n], w=40)
    pdf.set_font(FAMILY, size=9)
    line("三、收到和处理政府信息公开申请情况")
    pdf.set_font(FAMILY, size=7)
    if drop_requests:
        line(f"{year}年共收到政府信息公开申请{fig['new'][6]}件，均已按时答复。")
    else:
        row("", list(COLUMNS))
        short = {
            "new": "一、本年新收政府信息公开申请数量",
            "carried": "二、上年结转政府信息公开申请数量",
            "open": "（一）予以公开",
            "partial": "（二）部分公开",
            "total": "（七）总计",
            "carry_next": "四、结转下年度继续办理",
        }
        for _, subs in REQUEST_LAYOUT[0][1]:
            for sub, key in subs:
                short.setdefault(key, sub[:24])
        order = ["new", "carried"] + [k for _, subs in REQUEST_LAYOUT[0][1] for _, k in subs] + ["carry_next"]
        for key in order:
            row(short[key], fig[key])
    pdf.set_font(FAMILY, size=9)
    line("四、政府信息公开行政复议、行政诉讼情况")
    pdf.set_font(FAMILY, size=7)
    labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    pdf.cell(
        0, 5, "行政复议（5列）  行政诉讼：未经复议直接起诉（5列）  复议后起诉（5列）", new_x="LMARGIN", new_y="NEXT"
    )
    for text in labels:
        pdf.cell(12, 6, text, border=1)
    pdf.ln(6)
    for v in _review_values(spec, year):
        pdf.cell(12, 6, str(v), border=1)
    pdf.ln(6)
    pdf.set_font(FAMILY, size=9)
    line("五、存在的主要问题及改进情况")
    line("政策解读形式还不够丰富，下一步将加强培训。")
    line("六、其他需要报告的事项")
    line("本年度未收取信息处理费。")
    return bytes(pdf.output())


# ---------------------------------------------------------------- ledgers


@dataclass(slots=True)
class LedgerRow:
    ref: str
    received: dt.date
    channel: str
    applicant: str
    replied: dt.date | None
    result: str
    extended: bool = False
    kind: str = "申请"
    note: str = ""
    late: bool = False  # planted: past the deadline (truth)
    holiday: bool = False  # the reply window crosses a holiday with 调休


def _workday_on_or_after(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _holiday_start(year: int) -> dt.date | None:
    """A day whose 20-working-day window crosses a holiday with a 调休 make-up day (National Day)."""
    day = dt.date(year, 9, 12)
    for _ in range(40):
        window = [day + dt.timedelta(days=i) for i in range(1, 40)]
        makeup = any(d.weekday() >= 5 and is_workday(d) for d in window)
        holiday = any(d.weekday() < 5 and not is_workday(d) for d in window)
        if makeup and holiday and is_workday(day):
            return day
        day += dt.timedelta(days=1)
    return None


def ledger(site: Site, config: Any) -> list[LedgerRow]:
    """The unit's register: last year's applications (as many as its report's 本年新收) and this
    year's up to the as-of date, with the plants.  Empty for units without a register."""
    spec = site.spec
    plan: ReportPlan | None = getattr(site, "disclosure", None)
    if plan is None or not plan.ledger or site.down:
        return []
    rng = random.Random(derive_seed(spec.seed, "ledger-rows"))
    as_of, last = config.as_of, config.as_of.year - 1
    fig = figures(spec, last, last)
    if "REPORT-TOTALS" in spec.disclosure_codes:  # the plant changes no 本年新收; use the chain's
        fig = _chain(spec, last)[last]
    rows: list[LedgerRow] = []
    kinds = [APPLICANTS[c] for c in range(6) for _ in range(fig["new"][c])]
    results = [k for k, _ in RESULTS]
    extra = rng.choice((1, 2, 3)) if "REQUEST-COUNT" in spec.disclosure_codes else 0
    count_last = len(kinds) + extra
    kinds += [rng.choice(APPLICANTS[:2]) for _ in range(extra)]
    this_year = rng.randint(3, 8)
    start = dt.date(last, 1, 6)
    span_last = (dt.date(last, 12, 10) - start).days
    days = sorted(_workday_on_or_after(start + dt.timedelta(days=rng.randrange(span_last))) for _ in range(count_last))
    first_this = dt.date(as_of.year, 1, 8)
    span_this = max(1, (as_of - dt.timedelta(days=5) - first_this).days)
    days += sorted(
        _workday_on_or_after(first_this + dt.timedelta(days=rng.randrange(span_this))) for _ in range(this_year)
    )
    holiday = _holiday_start(last)
    if holiday is not None and kinds:  # a clean row across National Day, replied on its very last day
        days[min(len(kinds) - 1, max(0, len(kinds) * 3 // 4))] = holiday
    prefix = f"依申{spec.unit_id[-4:]}"
    for n, received in enumerate(days):
        applicant = kinds[n] if n < len(kinds) else rng.choice(APPLICANTS[:2])
        extended = rng.random() < 0.08
        limit = 40 if extended else 20
        take = rng.randint(3, limit - 2)
        crossing = received == holiday
        if crossing:
            take = limit
        replied: dt.date | None = add_workdays(received, take)
        if replied > as_of:
            replied = None  # still being handled, within its period
        rows.append(
            LedgerRow(
                ref=f"{prefix}-{received.year}-{n + 1:03d}",
                received=received,
                channel=rng.choice(CHANNELS),
                applicant=applicant,
                replied=replied,
                result=RESULT_TEXT[rng.choice(results)] if replied else "办理中",
                extended=extended,
                holiday=crossing,
            )
        )
    if "REQUEST-LATE" in spec.disclosure_codes:
        late_rows = [r for r in rows if r.replied is not None and r.received.year == last and not r.holiday]
        picks = rng.sample(late_rows, min(len(late_rows), rng.choice((1, 2))))
        for i, r in enumerate(picks):
            limit = 40 if r.extended else 20
            if i == 0 and holiday is not None:
                # across National Day: replied one working day late (a calendar without 调休 says in time)
                r.received, r.holiday = _workday_on_or_after(holiday - dt.timedelta(days=3)), True
                r.replied = add_workdays(r.received, limit + 1)
            else:
                r.replied = add_workdays(r.received, limit + rng.choice((1, 2, 4)))
            r.late = True
    if "REQUEST-TEST" in spec.disclosure_codes or rng.random() < 0.5:
        sent = _workday_on_or_after(as_of - dt.timedelta(days=rng.randint(60, 120)))
        failed = "REQUEST-TEST" in spec.disclosure_codes
        reply = None if failed else add_workdays(sent, rng.randint(5, 15))
        rows.append(
            LedgerRow(
                ref="",
                received=sent,
                channel=rng.choice(("信函", "网络平台")),
                applicant="自然人",
                replied=reply,
                result="未收到答复" if failed else "予以公开",
                kind="渠道测试",
                note="评估人员测试申请",
                late=failed,
            )
        )
    return rows


def write_ledgers(farm: Any, directory: Path) -> dict[str, Path]:
    """One ledger file per unit with a register (CSV for most, XLSX for some): unit_id → path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for spec in farm.specs:
        site = farm.site(spec)
        rows = ledger(site, farm.config)
        if not rows:
            continue
        cells = [
            [
                r.ref,
                r.received.isoformat(),
                r.channel,
                r.applicant,
                r.replied.isoformat() if r.replied else "",
                r.result,
                "是" if r.extended else "否",
                r.kind,
                r.note,
            ]
            for r in rows
        ]
        title = f"{spec.name}政府信息公开申请办理登记台账"
        if derive_seed(spec.seed, "ledger-format") % 3 == 0:
            import openpyxl

            path = directory / f"{spec.unit_id}.xlsx"
            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append([title])
            sheet.append(list(LEDGER_HEADER))
            for row in cells:
                sheet.append(row)
            book.save(path)
        else:
            path = directory / f"{spec.unit_id}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([title])
                writer.writerow(LEDGER_HEADER)
                writer.writerows(cells)
        out[spec.unit_id] = path
    return out


# ---------------------------------------------------------------- truth


def disclosure_defects(farm: Any, site: Site) -> list[tuple[str, str]]:
    """(rule, subject) pairs of the 年报 and register plants, as the rules define subjects."""
    plan: ReportPlan | None = getattr(site, "disclosure", None)
    if plan is None or site.down:
        return []
    spec = site.spec
    year = str(plan.year)
    out: list[tuple[str, str]] = []
    if plan.item_path:
        if plan.template == "2019":
            out.append(("REPORT-TEMPLATE", year))
        if plan.drop_requests_table:
            out.append(("REPORT-TABLES", year))
        if "REPORT-TOTALS" in spec.disclosure_codes:
            out.append(("REPORT-TOTALS", year))
        if "REPORT-CARRYOVER" in spec.disclosure_codes and _has_report(site, plan.year - 1):
            out.append(("REPORT-CARRYOVER", year))
    rows = ledger(site, farm.config)
    for r in rows:
        if r.kind == "申请" and r.late:
            out.append(("REQUEST-LATE", r.ref))
        if r.kind != "申请" and r.late:
            out.append(("REQUEST-TEST", f"{r.channel}:{r.received.isoformat()}"))
    if plan.item_path and rows and not plan.drop_requests_table:
        counted = sum(1 for r in rows if r.kind == "申请" and r.received.year == plan.year)
        if counted != figures(spec, plan.year, plan.year)["new"][6]:
            out.append(("REQUEST-COUNT", year))
    return out


def _has_report(site: Site, year: int) -> bool:
    col = site.columns.get("gknb")
    return any(it.year == year for it in (col.items if col else []))
