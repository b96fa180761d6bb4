"""整改通知书 and 通报 as Word documents (.docx, python-docx), laid out as offices file them.

Offices edit these before sending (文号, signature, date), so they get Word files, not
only PDF.  The layout follows the usual 公文 pattern (GB/T 9704): title in
方正小标宋简体, a 文号 placeholder line, the addressee (主送) flush left, body in 仿宋
with 黑体 level-one headings, and the items as an attachment table (附件).  Every run
names its East Asian font in ``w:eastAsia`` as well as the Latin one, which is what
makes Word and WPS show the Chinese font instead of substituting their default.

The data are the same records the xlsx/pdf exports use (``zwgk.assess.tabular``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zwgk.storage import results
from zwgk.storage.db import Database
from zwgk.storage.rounds import RoundInfo

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
DOC_NUMBER = "〔    〕第    号"  # 文号: filled in by the office


def _fonts(run: Any, east_asian: str, size: float | None = None, bold: bool = False) -> None:
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = Pt(size)
    run.font.bold = bold


def _new_document(landscape: bool = False) -> Any:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)  # 三号
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.language = "zh-CN"
    return doc


def _para(
    doc: Any,
    text: str,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align: Any = None,
    indent: bool = True,
) -> Any:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _fonts(p.add_run(text), font, size, bold)
    return p


def _title(doc: Any, text: str) -> None:
    _para(doc, text, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)  # 二号小标宋
    _para(doc, DOC_NUMBER, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "", indent=False)


def _heading(doc: Any, text: str) -> None:
    _para(doc, text, HEADING_FONT, 16)


def _attachment_page(doc: Any, label: str, landscape: bool = True) -> None:
    """A new section for the attachment (landscape: wide tables)."""
    section = doc.add_section()
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
    _para(doc, label, HEADING_FONT, 16, indent=False)
    _para(doc, "", indent=False)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_cm: Sequence[float]) -> Any:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5, bold=False)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = ""
            _fonts(cell.paragraphs[0].add_run(_text(value)), TABLE_FONT, 10.5)
    # Word reads the cell widths, LibreOffice/WPS the grid: set both, autofit off.
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
    return table


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    # Crawled text: control characters are invalid in XML and would break the document.
    return "".join(ch for ch in str(value) if ch in "\t\n" or ord(ch) >= 32)


def _sign_off(doc: Any, issuer: str, date_text: str) -> None:
    _para(doc, "", indent=False)
    _para(doc, issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def _save(doc: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


# ------------------------------------------------------------------ 整改通知书


def rectification_notice_docx(
    db: Database, unit_id: str, info: RoundInfo | None, records: list[dict[str, Any]], note: str, path: Path
) -> Path:
    """A department's 整改通知书: addressed to it, its items, how to fix them, the deadline."""
    from zwgk.assess.tabular import SEVERITY_ZH, STATUS_ZH

    unit = results.unit_names(db, [unit_id])[unit_id]
    doc = _new_document()
    _title(doc, "政务公开整改通知书")
    _para(doc, f"{_text(unit.name)}：", indent=False)  # 主送
    when = f"{info.name}（截至{info.as_of.year}年{info.as_of.month}月{info.as_of.day}日）" if info else "最近一次"
    open_items = [r for r in records if r.get("status") != "fixed"]
    deadlines = sorted({r["deadline"] for r in open_items})
    _para(
        doc,
        f"根据{when}政府网站与政务公开第三方评估，你单位网站 {_text(unit.site_url)} 存在 {len(records)} 项问题"
        + (
            f"（其中单项否决 {sum(1 for r in records if r.get('severity') == 'veto')} 项）"
            if any(r.get("severity") == "veto" for r in records)
            else ""
        )
        + "，现将有关情况通知如下。",
    )
    score = next((s for s in results.list_scores(db, info.id) if s.unit_id == unit_id), None) if info else None
    if score is not None:
        if score.measured:
            _para(
                doc,
                f"本轮得分 {_text(score.score)} 分，{'合格' if score.passed else '不合格'}"
                f"{'（单项否决）' if score.veto else ''}，同类排名第 {_text(score.rank)} 名。",
            )
        else:
            _para(doc, f"本轮未能测评：{_text(score.reason)}。")
    _heading(doc, "一、存在的问题")
    if records:
        for n, r in enumerate(records, 1):
            _para(doc, f"{n}. {_text(r.get('rule_name') or r['rule'])}：{_text(r['message'])}")
    else:
        _para(doc, "本轮未发现需整改的问题。")
    _heading(doc, "二、整改要求")
    _para(
        doc,
        "请对照附件所列问题和整改要求逐项整改"
        + (f"，于 {deadlines[0]} 前整改完毕" if deadlines else "")
        + "，并将整改情况书面报送。逾期未整改的，将在政务公开考核中扣除相应分数；下一轮检查将逐项复核。",
    )
    if note:
        _para(doc, f"说明：{_text(note)}。")
    _para(doc, "附件：整改清单", indent=True)
    _sign_off(doc, "政务公开第三方评估工作组", "    年  月  日")
    _attachment_page(doc, "附件")
    _para(doc, f"{_text(unit.name)}政务公开整改清单", TITLE_FONT, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _table(
        doc,
        ["序号", "问题类型", "性质", "扣分", "问题对象", "所在页面", "问题描述", "整改要求", "整改期限", "状态"],
        [
            [
                r["no"],
                f"{r['rule']} {r.get('rule_name') or ''}".strip(),
                SEVERITY_ZH.get(r["severity"], r["severity"]),
                r["points"],
                r["subject"],
                r["page"],
                r["message"],
                r["fix"],
                r["deadline"],
                STATUS_ZH.get(r["status"], r["status"]),
            ]
            for r in records
        ],
        (1.1, 2.6, 1.5, 1.1, 3.4, 3.4, 5.2, 4.4, 2.0, 1.1),
    )
    return _save(doc, path)


# ---------------------------------------------------------------------- 通报


def bulletin_docx(db: Database, info: RoundInfo, path: Path) -> Path:
    """A round's 通报: overview, ranking per group, failing units with their main findings,
    not measured, most improved; the full ranking as the attachment table."""
    from zwgk.assess.ranking import most_improved
    from zwgk.assess.tabular import KIND_ZH, score_statistics
    from zwgk.model import ZwgkError

    scores = results.list_scores(db, info.id)
    if not scores:
        raise ZwgkError(f"round {info.name!r} has no scores yet; run `zwgk assess --round {info.name}` first")
    stats = score_statistics(scores)
    total = stats[-1]
    doc = _new_document()
    _title(doc, f"关于{info.name}政府网站与政务公开第三方评估情况的通报")
    _para(doc, "各有关单位：", indent=False)  # 主送
    _para(
        doc,
        f"按照政府网站与政务公开工作要求，我们以 {info.as_of.year}年{info.as_of.month}月{info.as_of.day}日为评估截止日期，"
        f"依据《{info.rubric}》评估细则，对 {total['units']} 家单位的政府网站和政务公开工作开展了第三方评估。现将有关情况通报如下。",
    )
    _heading(doc, "一、总体情况")
    _para(
        doc,
        f"本轮共评估 {total['units']} 家单位，完成测评 {total['measured']} 家，未能测评 {total['not_measured']} 家；"
        f"合格 {total['passed']} 家，不合格 {total['failed']} 家（其中单项否决 {total['veto']} 家），"
        f"合格率 {_text(total['pass_rate'])}%，平均分 {_text(total['average'])} 分。",
    )
    for s in stats[:-1]:
        _para(
            doc,
            f"{_text(s['group'])}：{s['units']} 家，合格 {s['passed']} 家，平均分 {_text(s['average'])} 分，"
            f"最高 {_text(s['best'])} 分，最低 {_text(s['worst'])} 分。",
        )
    _heading(doc, "二、不合格单位及主要问题")
    failures = [s for s in scores if s.measured and not s.passed]
    if failures:
        for sc in failures:
            why = "单项否决" if sc.veto else f"得分 {_text(sc.score)} 分，低于合格线"
            fs = [f for f in results.list_findings(db, info.id, sc.unit_id) if f.review != "dismissed"]
            fs.sort(key=lambda f: (f.severity != "veto", -f.points, f.rule))
            main = "；".join(_text(f.message) for f in fs[:3])
            _para(doc, f"{_text(sc.unit_name)}：{why}。" + (f"主要问题：{main}" if main else ""))
    else:
        _para(doc, "本轮无不合格单位。")
    unmeasured = [s for s in scores if not s.measured]
    if unmeasured:
        _heading(doc, "三、未能测评单位")
        for sc in unmeasured:
            _para(doc, f"{_text(sc.unit_name)}：{_text(sc.reason)}。")
    _heading(doc, "四、进步明显单位" if unmeasured else "三、进步明显单位")
    improved = most_improved(db, info.id)
    if improved:
        _para(
            doc,
            "；".join(f"{_text(u.unit_name)}（{_text(u.score_a)} 分→{_text(u.score_b)} 分）" for u in improved) + "。",
        )
    else:
        _para(doc, "无上一轮可比数据，或无得分提高的单位。")
    _heading(doc, "五、有关要求" if unmeasured else "四、有关要求")
    _para(
        doc,
        "各单位要对照评估发现的问题，认真组织整改，整改情况纳入下一轮评估复核。不合格单位要深入分析原因，"
        "于收到本通报后 10 个工作日内报送整改报告。",
    )
    _para(doc, "附件：评估得分排名表", indent=True)
    _sign_off(doc, "政务公开第三方评估工作组", "    年  月  日")
    _attachment_page(doc, "附件")
    _para(doc, f"{info.name}评估得分排名表", TITLE_FONT, 18, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    ordered = sorted(scores, key=lambda s: (s.tier, s.kind, s.rank if s.rank is not None else 10**9, s.unit_id))
    _table(
        doc,
        ["层级", "类型", "排名", "单位编码", "单位名称", "得分", "结果", "备注"],
        [
            [
                s.tier,
                KIND_ZH.get(s.kind, s.kind),
                s.rank,
                s.unit_id,
                s.unit_name,
                s.score,
                ("单项否决" if s.veto else "合格" if s.passed else "不合格") if s.measured else "未测评",
                s.reason if not s.measured else "",
            ]
            for s in ordered
        ],
        (1.6, 1.6, 1.4, 3.2, 7.0, 1.8, 2.2, 6.0),
    )
    return _save(doc, path)
