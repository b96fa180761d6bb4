"""PDF documents with fpdf2 and an embedded CJK font: 整改通知书 and 通报.

Fonts: Noto Sans CJK SC from Debian's ``fonts-noto-cjk`` (the ``.ttc``
collection, face number 2 = SC), regular and bold — fpdf2's tables draw
headings bold, so the bold style must be registered too.  Falls back to
WenQuanYi Micro Hei, then to Noto Sans SC shipped by the PyPI dependency
``pylopdf-fonts-zh-cn`` (so ``pip install`` alone leaves PDF export working; regular
only, used for bold too); ``ZWGK_CJK_FONT`` may name another font file.  Without any
CJK font the export stops with a clear error instead of printing empty boxes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zwgk.model import ZwgkError
from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.rounds import RoundInfo

FAMILY = "cjk"
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
# (regular, bold, collection face number)
FONT_CANDIDATES: tuple[tuple[Path, Path, int], ...] = (
    (NOTO_DIR / "NotoSansCJK-Regular.ttc", NOTO_DIR / "NotoSansCJK-Bold.ttc", 2),
    (
        Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
        Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
        0,
    ),
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
)


PACKAGED_FONT = ("pylopdf_fonts_zh_cn", "NotoSansSC-Regular.otf")


def packaged_font() -> Path | None:
    """Noto Sans SC (OFL) from the ``pylopdf-fonts-zh-cn`` wheel, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(PACKAGED_FONT[0])
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / PACKAGED_FONT[1]
        if path.is_file():
            return path
    return None


def find_cjk_font() -> tuple[Path, Path, int]:
    """(regular, bold, face number) of the first CJK font available."""
    override = os.environ.get("ZWGK_CJK_FONT")
    if override:
        p = Path(override)
        if not p.is_file():
            raise ZwgkError(f"ZWGK_CJK_FONT={override} is not a file; point it at a CJK .ttf/.otf/.ttc font")
        return p, p, int(os.environ.get("ZWGK_CJK_FONT_INDEX", "0"))
    for regular, bold, index in FONT_CANDIDATES:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular, index
    packaged = packaged_font()
    if packaged is not None:
        return packaged, packaged, 0
    looked = ", ".join(str(c[0]) for c in FONT_CANDIDATES)
    raise ZwgkError(
        f"no Chinese (CJK) font found for PDF export (looked for {looked}). "
        "Install one: `pip install pylopdf-fonts-zh-cn` (a zwgk dependency) or "
        "`apt-get install fonts-noto-cjk` (or fonts-wqy-microhei), "
        "or set ZWGK_CJK_FONT to a CJK font file."
    )


def new_pdf(title: str):
    """An A4 FPDF with the CJK font registered (regular + bold) and a page footer."""
    from fpdf import FPDF

    regular, bold, index = find_cjk_font()

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, size=8)
            self.set_text_color(120)
            self.cell(0, 8, f"{title}  第 {self.page_no()} 页", align="C")
            self.set_text_color(0)

    pdf = _Doc(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(regular), collection_font_number=index)
    pdf.add_font(FAMILY, "B", str(bold), collection_font_number=index)
    pdf.set_title(title)
    pdf.set_author("zwgk 政务公开第三方评估")
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    return pdf


def _heading(pdf, text: str, size: int = 16) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _section(pdf, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)


def _para(pdf, text: str, size: int = 10) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.multi_cell(0, size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _table(pdf, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float], size: int = 8) -> None:
    from fpdf.enums import WrapMode

    pdf.set_font(FAMILY, "", size)
    with pdf.table(
        col_widths=tuple(widths), text_align="LEFT", wrapmode=WrapMode.CHAR, line_height=size * 0.5, repeat_headings=1
    ) as table:
        head = table.row()
        for h in header:
            head.cell(h)
        for r in rows:
            row = table.row()
            for v in r:
                row.cell("" if v is None else str(v))


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return str(x)


def _save(pdf, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pdf.output(str(tmp))
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- 整改通知书


def rectification_notice(
    db: Database, unit_id: str, info: RoundInfo | None, records: list[dict[str, Any]], note: str, path: Path
) -> Path:
    """A department's 整改通知书: the items, how to fix them and the deadline."""
    from zwgk.assess.tabular import SEVERITY_ZH, STATUS_ZH

    unit = results.unit_names(db, [unit_id])[unit_id]
    title = "政务公开整改通知书"
    pdf = new_pdf(title)
    _heading(pdf, title, 18)
    score = None
    if info is not None:
        score = next((s for s in results.list_scores(db, info.id) if s.unit_id == unit_id), None)
    _para(pdf, f"{unit.name}（单位编码 {unit.unit_id}）：", 11)
    when = f"{info.name}（截至 {info.as_of.isoformat()}）" if info else "最近一次"
    deadlines = sorted({r["deadline"] for r in records if r.get("status") != "fixed"})
    lines = [
        f"根据{when}政府网站与政务公开第三方评估，贵单位网站 {unit.site_url} 存在以下 {len(records)} 项问题，"
        f"请对照整改要求逐项整改"
        + (f"，并于 {deadlines[0]} 前完成" if deadlines else "")
        + "。逾期未整改的，将在政务公开考核中扣除相应分数。"
    ]
    if score is not None:
        if score.measured:
            lines.append(
                f"本轮得分：{_fmt(score.score)} 分，{'合格' if score.passed else '不合格'}"
                f"{'（单项否决）' if score.veto else ''}，同类排名第 {_fmt(score.rank)} 名。"
            )
        else:
            lines.append(f"本轮未能测评：{score.reason}")
    if note:
        lines.append(f"说明：{note}")
    for line in lines:
        _para(pdf, line, 10)
    _section(pdf, "整改清单")
    rows = [
        [
            r["no"],
            f"{r['rule']}\n{r.get('rule_name') or ''}".strip(),
            SEVERITY_ZH.get(r["severity"], r["severity"]),
            _fmt(r["points"]),
            r["subject"],
            r["page"],
            r["message"],
            r["fix"],
            r["deadline"],
            STATUS_ZH.get(r["status"], r["status"]),
        ]
        for r in records
    ]
    if rows:
        _table(
            pdf,
            ["序号", "规则", "性质", "扣分", "问题对象", "所在页面", "问题描述", "整改要求", "期限", "状态"],
            rows,
            (7, 26, 11, 8, 24, 24, 27, 27, 16, 10),
            size=7,
        )
    else:
        _para(pdf, "本轮未发现需整改的问题。")
    pdf.ln(4)
    _para(pdf, "整改完成后请在期限内报送整改情况；下一轮检查将逐项复核（已整改 / 未整改 / 新发现问题）。", 10)
    return _save(pdf, path)


# ---------------------------------------------------------------- 通报


def bar_chart(
    pdf,
    items: Sequence[tuple[str, float]],
    *,
    max_value: float = 100.0,
    pass_line: float | None = 60.0,
    title: str = "",
) -> None:
    """Horizontal bars drawn with fpdf2 primitives (labels left, value right, pass line dashed)."""
    if not items:
        return
    if title:
        _section(pdf, title)
    label_w, bar_w, row_h = 48.0, 110.0, 5.5
    needed = row_h * len(items) + 8
    if pdf.get_y() + needed > pdf.h - 20:
        pdf.add_page()
    x0, y = pdf.l_margin, pdf.get_y() + 2
    pdf.set_font(FAMILY, "", 7)
    top = y
    for label, value in items:
        pdf.set_xy(x0, y)
        pdf.cell(label_w, row_h, label[:18], align="R")
        w = max(0.0, min(value, max_value)) / max_value * bar_w
        pdf.set_fill_color(*((46, 117, 182) if pass_line is None or value >= pass_line else (192, 80, 77)))
        pdf.rect(x0 + label_w + 2, y + 1, w, row_h - 2, style="F")
        pdf.set_xy(x0 + label_w + 4 + w, y)
        pdf.cell(14, row_h, _fmt(value))
        y += row_h
    if pass_line is not None:
        px = x0 + label_w + 2 + pass_line / max_value * bar_w
        pdf.set_draw_color(120)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=1, gap=1)
            pdf.line(px, top, px, y)
        pdf.set_xy(px - 10, y)
        pdf.cell(20, 4, f"合格线 {_fmt(pass_line)}", align="C")
    pdf.set_draw_color(0)
    pdf.set_xy(x0, y + 6)


def bulletin(db: Database, info: RoundInfo, path: Path, *, chart_limit: int = 30) -> Path:
    """A round's 通报: overview, pass rate, ranking per tier/kind, named failures, most improved, chart."""
    from zwgk.assess.ranking import most_improved
    from zwgk.assess.tabular import KIND_ZH, score_statistics

    scores = results.list_scores(db, info.id)
    if not scores:
        raise ZwgkError(f"round {info.name!r} has no scores yet; run `zwgk assess --round {info.name}` first")
    stats = score_statistics(scores)
    total = stats[-1]
    title = f"{info.name} 政府网站与政务公开第三方评估情况通报"
    pdf = new_pdf(title)
    _heading(pdf, title, 16)
    weights = sorted({s.weight for s in scores})
    weight_text = "、".join(f"{w * 100:g}%" for w in weights)
    _para(pdf, f"评估截止日期：{info.as_of.isoformat()}　评估细则：{info.rubric}　政务公开考核权重：{weight_text}", 9)
    _section(pdf, "一、总体情况")
    _para(
        pdf,
        f"本轮共评估 {total['units']} 家单位，完成测评 {total['measured']} 家，未能测评 {total['not_measured']} 家；"
        f"合格 {total['passed']} 家，不合格 {total['failed']} 家（其中单项否决 {total['veto']} 家），"
        f"合格率 {_fmt(total['pass_rate'])}%，平均分 {_fmt(total['average'])} 分。",
    )
    _table(
        pdf,
        ["分组", "单位数", "已测评", "合格", "不合格", "合格率(%)", "平均分", "最高分", "最低分"],
        [
            [
                s["group"],
                s["units"],
                s["measured"],
                s["passed"],
                s["failed"],
                _fmt(s["pass_rate"]),
                _fmt(s["average"]),
                _fmt(s["best"]),
                _fmt(s["worst"]),
            ]
            for s in stats
        ],
        (40, 16, 16, 16, 16, 20, 18, 18, 18),
        size=8,
    )

    _section(pdf, "二、排名情况")
    groups: dict[tuple[str, str], list] = {}
    for s in scores:
        groups.setdefault((s.tier, s.kind), []).append(s)
    for (tier, kind), members in groups.items():
        _para(pdf, f"{tier}·{KIND_ZH.get(kind, kind)}", 10)
        _table(
            pdf,
            ["排名", "单位编码", "单位名称", "得分", "结果", "备注"],
            [
                [
                    _fmt(s.rank),
                    s.unit_id,
                    s.unit_name,
                    _fmt(s.score),
                    ("单项否决" if s.veto else "合格" if s.passed else "不合格") if s.measured else "未测评",
                    s.reason if not s.measured else "",
                ]
                for s in members
            ],
            (14, 30, 64, 16, 20, 36),
            size=8,
        )
        pdf.ln(2)

    _section(pdf, "三、不合格单位")
    failures = [s for s in scores if s.measured and not s.passed]
    if failures:
        for s in failures:
            why = "单项否决" if s.veto else f"得分 {_fmt(s.score)} 分，低于合格线"
            _para(pdf, f"{s.unit_name}（{s.unit_id}）：{why}")
    else:
        _para(pdf, "本轮无不合格单位。")
    unmeasured = [s for s in scores if not s.measured]
    if unmeasured:
        _section(pdf, "四、未能测评单位（不参与排名）")
        for s in unmeasured:
            _para(pdf, f"{s.unit_name}（{s.unit_id}）：{s.reason}")

    _section(pdf, "五、进步明显单位")
    improved = most_improved(db, info.id)
    if improved:
        _table(
            pdf,
            ["单位编码", "单位名称", "上轮得分", "本轮得分", "提高"],
            [[u.unit_id, u.unit_name, _fmt(u.score_a), _fmt(u.score_b), f"+{_fmt(u.delta)}"] for u in improved],
            (30, 70, 25, 25, 30),
            size=8,
        )
    else:
        _para(
            pdf,
            "无上一轮可比数据，或无得分提高的单位。" if info.previous_round_id is None else "本轮无得分提高的单位。",
        )

    group_avgs = [(g["group"], float(g["average"])) for g in stats[:-1] if g["average"] is not None]
    bar_chart(pdf, group_avgs, title="六、各类单位平均分")
    measured = [s for s in scores if s.measured and s.score is not None]
    measured.sort(key=lambda s: (-(s.score or 0), s.unit_id))
    shown = measured[:chart_limit]
    bar_chart(
        pdf,
        [(s.unit_name, float(s.score or 0.0)) for s in shown],
        max_value=max([100.0] + [float(s.score or 0) for s in shown]),
        title=f"七、得分图（前 {len(shown)} 名）" if len(measured) > len(shown) else "七、得分图",
    )
    return _save(pdf, path)
