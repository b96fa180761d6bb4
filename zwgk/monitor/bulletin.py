"""The quarterly bulletin (季通报): what leaders read each quarter, as PDF or xlsx.

Contents, from what is stored (nothing is re-measured):
  一、监测概况  sites monitored, probes taken, overall availability
  二、分层级合格率  pass rate by tier from the latest finished full round in the quarter
      (a partial round — some units only, e.g. a re-check — only when named)
  三、存在问题的网站  named failing sites: not passed / veto in that round, or
      availability below 95% in the quarter, each with its problems
  四、整改情况  rectification items: open / fixed / overdue
  五、进步明显  most improved units against the round before the quarter
  六、各网站可用率  availability per site
  七、IPv6支持度  per tier: mean IPv6 support degree and the share of sites at or above the
      rubric's target, from the same round (``probes["ipv6_support"]``)
with a bar chart of the pass rate by tier and one of the least available sites.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.model import Tier, ZwgkError
from zwgk.storage import Database

AVAILABILITY_FLOOR = 0.95  # the veto line: ≥5% failed visits

_RULE_ZH = {
    "AVAIL-DOWN": "站点无法访问",
    "FRESH-HOME": "首页不更新",
}


def parse_quarter(text: str) -> tuple[int, int, dt.date, dt.date]:
    """``"2026Q4"`` → (2026, 4, first day, first day of the next quarter)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[Qq]\s*([1-4])\s*", text or "")
    if not m:
        raise ZwgkError(f"--quarter {text!r} is not a quarter; write it like 2026Q4")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return year, q, start, end


@dataclass(slots=True)
class SiteAvailability:
    unit_id: str
    name: str
    tier: str
    probes: int
    failures: int

    @property
    def availability(self) -> float | None:
        return (1 - self.failures / self.probes) if self.probes else None


@dataclass(slots=True)
class FailingSite:
    unit_id: str
    name: str
    tier: str
    site: str
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BulletinData:
    quarter: str
    start: dt.date
    end: dt.date  # exclusive
    round_name: str = ""
    round_as_of: dt.date | None = None
    round_partial: bool = False  # the named round covers only some units (``zwgk assess --unit``)
    sites_registered: int = 0
    sites_monitored: int = 0
    probes: int = 0
    failures: int = 0
    availability: list[SiteAvailability] = field(default_factory=list)
    tiers: list[dict[str, Any]] = field(default_factory=list)  # {tier, units, passed, rate}
    failing: list[FailingSite] = field(default_factory=list)
    rectification: dict[str, int] = field(default_factory=dict)  # open / fixed / overdue
    rectification_by_unit: list[dict[str, Any]] = field(default_factory=list)
    improved: list[dict[str, Any]] = field(default_factory=list)
    ipv6: list[dict[str, Any]] = field(default_factory=list)  # zwgk.indicators.ipv6_support.tier_summary rows
    ipv6_target: float | None = None
    # 年考核 to date (zwgk.monitor.annual): the year's ranking through the quarter's last day
    annual: list[dict[str, Any]] = field(default_factory=list)


def _units(db: Database) -> dict[str, Any]:
    from zwgk.monitor.probe import registered_units

    return {u.unit_id: u for u in registered_units(db)}


def _latest_round(db: Database, start: dt.date, end: dt.date, before: bool = False):
    from zwgk.storage.rounds import list_rounds

    rounds = [r for r in list_rounds(db) if r.status == "done" and not r.partial]  # full rounds only
    if before:
        rounds = [r for r in rounds if r.as_of < start]
    else:
        rounds = [r for r in rounds if start <= r.as_of < end]
    return rounds[-1] if rounds else None


def bulletin_data(db: Database, quarter: str, round_name: str | None = None) -> BulletinData:
    """Gather the quarter's bulletin from stored probes, rounds, findings and 整改 items.

    The round is ``round_name`` when given (any finished round, partial ones marked as
    such), else the latest finished full round of the quarter.
    """
    from zwgk.storage.probes import availability_between

    year, q, start, end = parse_quarter(quarter)
    data = BulletinData(quarter=f"{year}Q{q}", start=start, end=end)
    units = _units(db)
    data.sites_registered = len(units)

    per_site = availability_between(db, start, end)
    for unit_id, (n, failures) in per_site.items():
        u = units.get(unit_id)
        data.availability.append(SiteAvailability(unit_id, u.name if u else unit_id, u.tier if u else "", n, failures))
    data.sites_monitored = len(per_site)
    data.probes = sum(v[0] for v in per_site.values())
    data.failures = sum(v[1] for v in per_site.values())

    failing: dict[str, FailingSite] = {}

    def failing_site(unit_id: str) -> FailingSite:
        if unit_id not in failing:
            u = units.get(unit_id)
            failing[unit_id] = FailingSite(
                unit_id, u.name if u else unit_id, u.tier if u else "", u.site_url if u else ""
            )
        return failing[unit_id]

    latest = _named_round(db, round_name) if round_name else _latest_round(db, start, end)
    if latest is not None:
        from zwgk.storage.results import list_findings, list_scores

        data.round_name, data.round_as_of, data.round_partial = latest.name, latest.as_of, latest.partial
        scores = list_scores(db, latest.id)
        by_tier: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for sc in scores:
            if not sc.measured:
                continue
            by_tier[sc.tier][0] += 1
            by_tier[sc.tier][1] += int(bool(sc.passed))
        order = {t.value: i for i, t in enumerate(Tier)}
        for tier in sorted(by_tier, key=lambda t: order.get(t, 99)):
            n, p = by_tier[tier]
            data.tiers.append({"tier": tier, "units": n, "passed": p, "rate": p / n if n else 0.0})
        findings = [f for f in list_findings(db, latest.id) if f.in_force]
        by_unit: dict[str, list[Any]] = defaultdict(list)
        for f in findings:
            by_unit[f.unit_id].append(f)
        for sc in scores:
            if sc.measured and (sc.passed and not sc.veto):
                continue
            site = failing_site(sc.unit_id)
            if not sc.measured:
                site.reasons.append(f"未能测评：{sc.reason}")
                continue
            vetoes = [f for f in by_unit[sc.unit_id] if f.severity == "veto"]
            for f in vetoes:
                site.reasons.append(f"单项否决 {f.rule}（{_RULE_ZH.get(f.rule, '')}）：{f.message}".replace("（）", ""))
            if not vetoes:
                worst = sorted(by_unit[sc.unit_id], key=lambda f: -f.points)[:3]
                score = f"{sc.score:.1f}" if sc.score is not None else "—"
                site.reasons.append(
                    f"得分 {score} 未达合格线；主要扣分：" + "；".join(f"{f.rule} {f.message}" for f in worst)
                )

        data.ipv6, data.ipv6_target = _ipv6_by_tier(db, latest.id)

        from zwgk.storage.results import list_rectification_items

        items = list_rectification_items(db)
        data.rectification = dict(Counter(it.status for it in items))
        per_unit: dict[str, Counter] = defaultdict(Counter)
        for it in items:
            per_unit[it.unit_id][it.status] += 1
        for unit_id, counts in sorted(per_unit.items()):
            u = units.get(unit_id)
            data.rectification_by_unit.append(
                {
                    "unit_id": unit_id,
                    "name": u.name if u else unit_id,
                    **{k: counts.get(k, 0) for k in ("open", "overdue", "fixed")},
                }
            )

        baseline = _latest_round(db, start, end, before=True)
        if baseline is None:
            in_quarter = [r for r in _rounds_in(db, start, end)]
            baseline = in_quarter[0] if len(in_quarter) > 1 else None
        if baseline is not None and baseline.id != latest.id:
            from zwgk.assess.ranking import most_improved

            for d in most_improved(db, latest.id, baseline.id, n=5):
                data.improved.append(
                    {
                        "unit_id": d.unit_id,
                        "name": d.unit_name,
                        "tier": d.tier,
                        "from": d.score_a,
                        "to": d.score_b,
                        "delta": d.delta,
                    }
                )

    for a in data.availability:
        if a.availability is not None and a.availability < AVAILABILITY_FLOOR:
            failing_site(a.unit_id).reasons.append(
                f"季度可用率 {a.availability:.1%}（{a.failures}/{a.probes} 次监测无法访问），低于 95%"
            )
    data.failing = sorted(failing.values(), key=lambda s: s.unit_id)
    return data


def _ipv6_by_tier(db: Database, round_id: int) -> tuple[list[dict[str, Any]], float | None]:
    """The round's IPv6 support degree per tier, and its target ([] when not measured)."""
    from zwgk.indicators.ipv6_support import tier_summary
    from zwgk.storage.results import round_members
    from zwgk.storage.snapshot import site_probe_values

    supports = site_probe_values(db, round_id, "ipv6_support")
    tiers = {m.unit.unit_id: m.unit.tier for m in round_members(db, round_id)}
    rows = [
        (tiers.get(u, ""), s.get("score"), s.get("target") or 0.0) for u, s in supports.items() if isinstance(s, dict)
    ]
    target = next(
        (float(s["target"]) for s in supports.values() if isinstance(s, dict) and s.get("target") is not None), None
    )
    return tier_summary(rows), target


def _rounds_in(db: Database, start: dt.date, end: dt.date):
    from zwgk.storage.rounds import list_rounds

    return [r for r in list_rounds(db) if r.status == "done" and not r.partial and start <= r.as_of < end]


def _named_round(db: Database, name: str):
    from zwgk.storage.rounds import require_round

    info = require_round(db, name)
    if info.status != "done":
        raise ZwgkError(f"round {name!r} is not finished ({info.status}); the 季通报 needs a finished round")
    return info


def round_label(data: BulletinData) -> str:
    """The round's name as the bulletin shows it, a partial round marked as such."""
    return f"{data.round_name}（部分单位轮次）" if data.round_partial else data.round_name


# ------------------------------------------------------------------------------ PDF


def _cjk_pdf(title: str):
    """An FPDF with a first page and the CJK font as ``cjk`` (regular and bold): the exports'
    one PDF setup (``zwgk.assess.pdf.new_pdf``: its font search, ZWGK_CJK_FONT, the bundled font)."""
    from zwgk.assess.pdf import new_pdf

    pdf = new_pdf(title)
    pdf.set_font("cjk", size=11)
    return pdf


def _bar_chart(pdf, title: str, rows: list[tuple[str, float]], max_value: float = 1.0, fmt: str = "{:.0%}") -> None:
    """Horizontal bars drawn with fpdf2 primitives (no plotting dependency)."""
    pdf.set_font("cjk", "B", 11)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 9)
    label_w, bar_w, h = 45, 110, 6
    for label, value in rows:
        x, y = pdf.get_x(), pdf.get_y()
        pdf.cell(label_w, h, label[:18])
        pdf.set_fill_color(230, 230, 230)
        pdf.rect(x + label_w, y + 1, bar_w, h - 2, style="F")
        share = max(0.0, min(1.0, value / max_value if max_value else 0.0))
        pdf.set_fill_color(
            200, 40, 40
        ) if value < AVAILABILITY_FLOOR * max_value and fmt == "{:.1%}" else pdf.set_fill_color(40, 90, 170)
        if share > 0:
            pdf.rect(x + label_w, y + 1, bar_w * share, h - 2, style="F")
        pdf.set_xy(x + label_w + bar_w + 2, y)
        pdf.cell(20, h, fmt.format(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _table(pdf, headings: list[str], rows: Sequence[Sequence[object]], widths: tuple[int, ...]) -> None:
    """One table; each cell is shown as ``str(value)``."""
    pdf.set_font("cjk", "", 9)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5.5) as table:
        head = table.row()
        for h in headings:
            head.cell(h)
        for r in rows:
            row = table.row()
            for value in r:
                row.cell(str(value))
    pdf.ln(3)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def write_pdf(data: BulletinData, path: Path) -> None:
    year, q = data.quarter[:4], data.quarter[-1]
    pdf = _cjk_pdf(f"{year}年第{q}季度政府网站监测情况通报")
    pdf.set_font("cjk", "B", 16)
    pdf.cell(0, 12, f"{year}年第{q}季度政府网站监测情况通报", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 10)
    last = data.end - dt.timedelta(days=1)
    pdf.cell(
        0, 7, f"监测期间：{data.start:%Y年%m月%d日} 至 {last:%Y年%m月%d日}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)

    def heading(text: str) -> None:
        pdf.set_font("cjk", "B", 13)
        pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", "", 10)

    heading("一、监测概况")
    overall = (1 - data.failures / data.probes) if data.probes else None
    monitored = (
        f"本季度共监测网站 {data.sites_monitored} 个（登记 {data.sites_registered} 个），累计访问监测 {data.probes} 次，"
        f"其中无法访问 {data.failures} 次，总体可用率 {_pct(overall)}。"
        if data.probes
        else f"本季度未运行日监测（zwgk monitor），登记网站 {data.sites_registered} 个，无可用率数据。"
    )
    pdf.multi_cell(
        0,
        6,
        monitored
        + (
            f"月度检查以 {data.round_as_of:%Y年%m月%d日} 的测评轮次“{round_label(data)}”为准。"
            if data.round_name
            else "本季度暂无已完成的全量测评轮次。"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)

    heading("二、分层级合格率")
    if data.tiers:
        _table(
            pdf,
            ["层级", "测评网站数", "合格数", "合格率"],
            [[t["tier"], t["units"], t["passed"], _pct(t["rate"])] for t in data.tiers],
            (30, 40, 40, 40),
        )
        _bar_chart(pdf, "图1 分层级合格率", [(t["tier"], t["rate"]) for t in data.tiers])
    else:
        pdf.multi_cell(0, 6, "本季度无已完成的测评轮次。", new_x="LMARGIN", new_y="NEXT")

    heading("三、存在问题的网站")
    if data.failing:
        for i, site in enumerate(data.failing, 1):
            pdf.set_font("cjk", "B", 10)
            pdf.multi_cell(0, 6, f"{i}. {site.name}（{site.tier}，{site.site}）", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", "", 9)
            for reason in site.reasons:
                pdf.multi_cell(0, 5, f"    · {reason}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    else:
        pdf.multi_cell(0, 6, "本季度未发现不合格或无法访问的网站。", new_x="LMARGIN", new_y="NEXT")

    heading("四、整改情况")
    r = data.rectification
    total = sum(r.values())
    pdf.multi_cell(
        0,
        6,
        f"整改事项共 {total} 项：已整改 {r.get('fixed', 0)} 项，整改中 {r.get('open', 0)} 项，逾期未整改 {r.get('overdue', 0)} 项。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if data.rectification_by_unit:
        _table(
            pdf,
            ["单位", "整改中", "逾期", "已整改"],
            [[x["name"], x["open"], x["overdue"], x["fixed"]] for x in data.rectification_by_unit],
            (80, 30, 30, 30),
        )

    heading("五、进步明显的网站")
    if data.improved:
        _table(
            pdf,
            ["单位", "层级", "上期得分", "本期得分", "提升"],
            [[x["name"], x["tier"], f"{x['from']:.1f}", f"{x['to']:.1f}", f"+{x['delta']:.1f}"] for x in data.improved],
            (70, 20, 30, 30, 25),
        )
    else:
        pdf.multi_cell(0, 6, "暂无可比较的上一期测评结果。", new_x="LMARGIN", new_y="NEXT")

    heading("六、各网站可用率")
    if data.availability:
        worst = sorted(
            data.availability, key=lambda a: (a.availability if a.availability is not None else 1.0, a.unit_id)
        )[:15]
        _bar_chart(pdf, "图2 可用率最低的网站", [(a.name, a.availability or 0.0) for a in worst], fmt="{:.1%}")
        _table(
            pdf,
            ["单位", "层级", "监测次数", "无法访问", "可用率"],
            [[a.name, a.tier, a.probes, a.failures, _pct(a.availability)] for a in data.availability],
            (70, 20, 30, 30, 25),
        )
    else:
        pdf.multi_cell(0, 6, "本季度无监测数据。", new_x="LMARGIN", new_y="NEXT")

    heading("七、IPv6支持度")
    if data.ipv6:
        pdf.multi_cell(
            0, 6, f"按七项指标计分（满分100），达标线 {data.ipv6_target:g} 分。", new_x="LMARGIN", new_y="NEXT"
        )
        _table(
            pdf,
            ["层级", "评分网站数", "平均支持度", "达标数", "达标率"],
            [
                [
                    r["tier"],
                    r["scored"],
                    "—" if r["mean"] is None else f"{r['mean']:.1f}",
                    r["at_target"],
                    _pct(r["share_at_target"]),
                ]
                for r in data.ipv6
            ],
            (30, 35, 35, 30, 30),
        )
    else:
        pdf.multi_cell(0, 6, "本季度测评轮次未测IPv6支持度。", new_x="LMARGIN", new_y="NEXT")
    if data.annual:
        heading(f"八、{year}年度考核（截至本季度末）")
        pdf.multi_cell(
            0,
            6,
            "年度得分由本年度月检查、日监测、季通报、整改完成情况按评分细则权重折算。",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        _table(
            pdf,
            ["名次", "单位", "层级", "年度得分", "月检查", "整改完成"],
            [
                [
                    a["rank"] if a["rank"] is not None else "—",
                    a["unit_name"],
                    a["tier"],
                    _num(a["score"]),
                    _num(a["c_rounds"]),
                    _num(a["c_rectification"]),
                ]
                for a in data.annual
            ],
            (15, 65, 15, 25, 25, 25),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def annual_to_date(db: Database, data: BulletinData) -> list[dict[str, Any]]:
    """The year's 年考核 ranking through the quarter's last day (empty before the year's first round)."""
    from zwgk.monitor.annual import annual_scores, year_rounds

    last = data.end - dt.timedelta(days=1)
    if not year_rounds(db, data.start.year, last):
        return []
    return [s.record() for s in annual_scores(db, data.start.year, through=last)]


# ------------------------------------------------------------------------------ xlsx


def write_xlsx(data: BulletinData, path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    pct = wb.add_format({"num_format": "0.0%"})

    def sheet(name: str, headings: list[str], rows: list[list[Any]], pct_cols: tuple[int, ...] = ()):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, headings, bold)
        for i, row in enumerate(rows, 1):
            for j, value in enumerate(row):
                ws.write(i, j, value, pct if j in pct_cols and isinstance(value, float) else None)
        ws.set_column(0, len(headings) - 1, 16)
        return ws

    overall = (1 - data.failures / data.probes) if data.probes else None
    sheet(
        "概况",
        ["项目", "数值"],
        [
            ["季度", data.quarter],
            ["登记网站数", data.sites_registered],
            ["监测网站数", data.sites_monitored],
            ["监测次数", data.probes],
            ["无法访问次数", data.failures],
            ["总体可用率", overall if overall is not None else "—"],
            ["测评轮次", round_label(data) or "—"],
            ["轮次日期", data.round_as_of.isoformat() if data.round_as_of else "—"],
        ],
        pct_cols=(1,),
    )
    ws = sheet(
        "分层级合格率",
        ["层级", "测评网站数", "合格数", "合格率"],
        [[t["tier"], t["units"], t["passed"], t["rate"]] for t in data.tiers],
        pct_cols=(3,),
    )
    if data.tiers:
        chart = wb.add_chart({"type": "column"})
        n = len(data.tiers)
        chart.add_series(
            {"name": "合格率", "categories": ["分层级合格率", 1, 0, n, 0], "values": ["分层级合格率", 1, 3, n, 3]}
        )
        chart.set_y_axis({"max": 1, "num_format": "0%"})
        ws.insert_chart("F2", chart)
    sheet(
        "存在问题的网站",
        ["单位编码", "单位", "层级", "网址", "问题"],
        [[s.unit_id, s.name, s.tier, s.site, "；".join(s.reasons)] for s in data.failing],
    )
    sheet(
        "整改情况",
        ["单位编码", "单位", "整改中", "逾期", "已整改"],
        [[x["unit_id"], x["name"], x["open"], x["overdue"], x["fixed"]] for x in data.rectification_by_unit],
    )
    sheet(
        "进步明显",
        ["单位编码", "单位", "层级", "上期得分", "本期得分", "提升"],
        [[x["unit_id"], x["name"], x["tier"], x["from"], x["to"], x["delta"]] for x in data.improved],
    )
    sheet(
        "可用率",
        ["单位编码", "单位", "层级", "监测次数", "无法访问", "可用率"],
        [
            [a.unit_id, a.name, a.tier, a.probes, a.failures, a.availability if a.availability is not None else "—"]
            for a in data.availability
        ],
        pct_cols=(5,),
    )
    if data.ipv6:  # only when the round measured IPv6
        sheet(
            "IPv6支持度",
            ["层级", "评分网站数", "平均支持度", "达标数", "达标率", "达标线"],
            [
                [
                    r["tier"],
                    r["scored"],
                    r["mean"] if r["mean"] is not None else "—",
                    r["at_target"],
                    r["share_at_target"] if r["share_at_target"] is not None else "—",
                    data.ipv6_target,
                ]
                for r in data.ipv6
            ],
            pct_cols=(4,),
        )
    if data.annual:
        sheet(
            "年度考核",
            [
                "名次",
                "单位编码",
                "单位",
                "层级",
                "年度得分",
                "参评轮次",
                "月检查",
                "日监测",
                "季通报",
                "整改完成",
                "说明",
            ],
            [
                [
                    a["rank"] if a["rank"] is not None else "—",
                    a["unit_id"],
                    a["unit_name"],
                    a["tier"],
                    a["score"] if a["score"] is not None else "—",
                    a["rounds"],
                    *(
                        a[k] if a[k] is not None else "—"
                        for k in ("c_rounds", "c_availability", "c_bulletins", "c_rectification")
                    ),
                    a["note"],
                ]
                for a in data.annual
            ],
        )
    wb.close()


def build_quarterly_bulletin(
    db: Database, quarter: str, path: Path | str, fmt: str = "pdf", round_name: str | None = None
) -> BulletinData:
    """Write the 季通报 of ``quarter`` (e.g. ``"2026Q4"``) to ``path`` as ``pdf`` or ``xlsx``
    (on ``round_name``, else the quarter's latest full round)."""
    fmt = fmt.lower()
    if fmt not in ("pdf", "xlsx"):
        raise ZwgkError(f"--format {fmt!r}: choose pdf or xlsx")
    data = bulletin_data(db, quarter, round_name)
    data.annual = annual_to_date(db, data)
    (write_pdf if fmt == "pdf" else write_xlsx)(data, Path(path))
    return data
