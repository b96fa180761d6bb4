"""Reading a 政府信息公开工作年度报告 (annual disclosure report) into its sections and tables.

The national format (国办公开办函〔2021〕30号, revising the 2019 trial format 国办公开办函〔2019〕60号)
has six sections and three statistical tables:

- 二、主动公开政府信息情况: 规章 / 行政规范性文件 (本年制发件数, 本年废止件数, 现行有效件数),
  行政许可, 行政处罚, 行政强制 (本年处理决定数量), 行政事业性收费 (本年收费金额, 万元);
- 三、收到和处理政府信息公开申请情况: rows 本年新收, 上年结转, the 办理结果 by kind with
  (七)总计, 结转下年度继续办理; columns 自然人, five kinds of 法人或其他组织, 总计 (7 numbers a row);
- 四、政府信息公开行政复议、行政诉讼情况: 行政复议 and two kinds of 行政诉讼, each 结果维持,
  结果纠正, 其他结果, 尚未审结, 总计 (15 numbers).

Reports are published as an HTML page or as a PDF / DOCX attachment.  Every source is first
turned into *rows* (a list of cell texts: a table row, or one line / paragraph of text) and one
parser reads the rows, so an HTML table, a PDF laid out as text and a Word table give the same
structure.  What the parser is unsure of (a row whose numbers do not line up with the columns,
an attachment it cannot read) is marked, so rules raise review candidates, never deductions,
on it.  The result is plain JSON: ``Page.facts["annual_report"]``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from zwgk.text import normalise

# The six section headings (key phrase each must contain).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("一", "总体情况"),
    ("二", "主动公开政府信息情况"),
    ("三", "收到和处理政府信息公开申请情况"),
    ("四", "行政复议、行政诉讼情况"),
    ("五", "存在的主要问题及改进情况"),
    ("六", "其他需要报告的事项"),
)
# Column headings only the 2021 format's table 二 has, and those only the 2019 trial format has.
MARKERS_2021: tuple[str, ...] = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额")
MARKERS_2019: tuple[str, ...] = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "其他对外管理服务事项",
    "政府集中采购",
    "采购总金额",
)
REQUEST_COLUMNS: tuple[str, ...] = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
REVIEW_COLUMNS: tuple[str, ...] = tuple(
    f"{group}:{col}"
    for group in ("行政复议", "未经复议直接起诉", "复议后起诉")
    for col in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
)

# Table 三 rows: key → the words that identify the row (most specific first; see _request_key).
REQUEST_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("deny_secret", ("国家秘密",)),
    ("deny_law", ("法律行政法规禁止", "法律、行政法规禁止")),
    ("deny_safety", ("三安全一稳定",)),
    ("deny_third", ("第三方合法权益",)),
    ("deny_internal", ("三类内部事务",)),
    ("deny_process", ("四类过程性",)),
    ("deny_enforce", ("行政执法案卷",)),
    ("deny_query", ("行政查询事项",)),
    ("none_hold", ("不掌握",)),
    ("none_make", ("另行制作",)),
    ("none_unclear", ("仍不明确",)),
    ("skip_petition", ("信访举报投诉",)),
    ("skip_repeat", ("重复申请",)),
    ("skip_publication", ("公开出版物",)),
    ("skip_mass", ("大量反复",)),
    ("skip_confirm", ("确认或重新出具",)),
    ("other_nofix", ("逾期不补正",)),
    ("other_nofee", ("缴纳费用",)),
    ("carry_next", ("结转下年度",)),
    ("new", ("本年新收",)),
    ("carried", ("上年结转",)),
    ("partial", ("部分公开",)),
    ("open", ("予以公开",)),
    ("total", ("总计",)),
    ("other", ("其他处理",)),  # the 2019 format's single (六) row; 2021 has three sub-rows
)
REQUEST_LABELS: dict[str, str] = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried": "二、上年结转政府信息公开申请数量",
    "open": "（一）予以公开",
    "partial": "（二）部分公开",
    "deny_secret": "（三）不予公开 1.属于国家秘密",
    "deny_law": "2.其他法律行政法规禁止公开",
    "deny_safety": "3.危及“三安全一稳定”",
    "deny_third": "4.保护第三方合法权益",
    "deny_internal": "5.属于三类内部事务信息",
    "deny_process": "6.属于四类过程性信息",
    "deny_enforce": "7.属于行政执法案卷",
    "deny_query": "8.属于行政查询事项",
    "none_hold": "（四）无法提供 1.本机关不掌握相关政府信息",
    "none_make": "2.没有现成信息需要另行制作",
    "none_unclear": "3.补正后申请内容仍不明确",
    "skip_petition": "（五）不予处理 1.信访举报投诉类申请",
    "skip_repeat": "2.重复申请",
    "skip_publication": "3.要求提供公开出版物",
    "skip_mass": "4.无正当理由大量反复申请",
    "skip_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other_nofix": "（六）其他处理 1.申请人无正当理由逾期不补正",
    "other_nofee": "2.申请人逾期未按收费通知要求缴纳费用",
    "other_other": "3.其他",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carry_next": "四、结转下年度继续办理",
}
RESULT_GROUPS: dict[str, tuple[str, ...]] = {
    "deny": tuple(k for k, _ in REQUEST_ROWS if k.startswith("deny_")),
    "none": ("none_hold", "none_make", "none_unclear"),
    "skip": ("skip_petition", "skip_repeat", "skip_publication", "skip_mass", "skip_confirm"),
    "other": ("other_nofix", "other_nofee", "other_other"),
}
ACTIVE_ROWS: tuple[str, ...] = (
    "规章",
    "行政规范性文件",
    "行政许可",
    "其他对外管理服务事项",
    "行政处罚",
    "行政强制",
    "行政事业性收费",
    "政府集中采购",
)

DOCUMENT_EXTENSIONS = frozenset({"pdf", "docx", "doc", "wps"})
MAX_PDF_PAGES = 80  # a report is 5–20 pages; more is not a report (or a hostile file)

_NUMBER = re.compile(r"^[-+]?\d{1,9}(?:,\d{3})*(?:\.\d+)?$")
_BLANK = {"", "-", "—", "/", "／", "无", "0"}
_SPACE_RUN = re.compile(r"\s{2,}")
_SINGLE_SPACE = re.compile(r"(?<=\S) (?=\S)")
_SQUEEZE = re.compile(r"[\s\u3000\xa0]+")


def looks_like_report(title: str, column: str = "") -> int | None:
    """The report year when ``title`` names a 政府信息公开 annual report, else None.

    ``2025年政府信息公开工作年度报告``, ``…2025年度政务公开工作年报``; a title with 年报 only
    counts in the 年报 column (a 工作要点 or 统计年报 elsewhere is no disclosure report).
    """
    text = _SQUEEZE.sub("", normalise(title or ""))
    if not ("年度报告" in text or "年报" in text):
        return None
    if not ("信息公开" in text or "政务公开" in text or "年报" in (column or "")):
        return None
    match = re.search(r"((?:19|20)\d{2})\s*年", text)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- sources → rows


def html_rows(html: str) -> tuple[list[list[str]], int]:
    """Rows of an HTML report in document order, and the number of images in its body.

    A table row is its cells; a paragraph, heading or list entry outside tables is one cell.
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    if body is None:
        return [], 0
    rows: list[list[str]] = []
    for node in body.css("p, h1, h2, h3, h4, h5, h6, li, tr, div"):
        tag = node.tag
        if tag == "tr":
            cells = [_cell(c.text(separator="")) for c in node.iter() if c.tag in ("td", "th")]
            if any(cells):
                rows.append(cells)
            continue
        if _inside(node, ("td", "th")):
            continue
        if tag == "div" and node.css_first("p, div, table, h1, h2, h3, h4, li, tr") is not None:
            continue  # a container: its paragraphs and tables are rows of their own
        text = _cell(node.text(separator=""))
        if text:
            rows.append([text])
    images = len(body.css(".content img, .article img, #zoom img, .TRS_Editor img, table img"))
    return rows, images


def _inside(node: Any, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _cell(text: str) -> str:
    return _SQUEEZE.sub(" ", text or "").strip()


PDFTOTEXT_TIMEOUT_S = 30
MAX_TEXT_CHARS = 2_000_000


class PdfToolMissing(RuntimeError):
    """``pdftotext`` (poppler-utils) is not installed: PDF reports cannot be read here."""


def pdf_rows(data: bytes) -> list[list[str]]:
    """Rows of a PDF: each text line (``pdftotext -layout``) split into cells at runs of spaces.

    Poppler's layout mode places text by its position, so table cells are separated by several
    spaces; single spaces inside a cell (some CJK fonts come out "本 年 新 收") are dropped.
    pypdf was tried and reads the CID-keyed CJK fonts word processors embed as nothing or NULs,
    so poppler it is — the same ``pdftotext`` the test suite reads exported PDFs with
    (``scripts/install-test-deps.sh`` installs poppler-utils; docs/deployment.md lists it).
    It runs as a separate process on stdin with a page cap, a timeout and an output cap.
    """
    import shutil
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        raise PdfToolMissing("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(
        [exe, "-layout", "-enc", "UTF-8", "-l", str(MAX_PDF_PAGES), "-q", "-", "-"],
        input=data,
        capture_output=True,
        timeout=PDFTOTEXT_TIMEOUT_S,
        check=False,
    )
    text = done.stdout[: MAX_TEXT_CHARS * 4].decode("utf-8", "replace")
    rows: list[list[str]] = []
    for line in text.splitlines():
        rows.extend(_text_row(line))
    return rows


_LABEL_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)])(\d[\d,]*(?:\.\d+)?)$")


def _text_row(line: str) -> list[list[str]]:
    line = line.replace("\u3000", "  ").rstrip()
    if not line.strip():
        return []
    cells: list[str] = []
    for part in _SPACE_RUN.split(line.strip()):
        cell = _SINGLE_SPACE.sub("", part.strip())
        joined = _LABEL_NUMBER.match(cell)  # a label cell run into the first number ("申请数量12")
        cells.extend(joined.groups() if joined else [cell])
    return [[c for c in cells if c]]


def docx_rows(data: bytes) -> list[list[str]]:
    """Rows of a Word (DOCX) report: paragraphs and table rows in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    rows: list[list[str]] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _cell(Paragraph(child, document).text)
            if text:
                rows.append([text])
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a horizontally merged cell repeats: keep it once
                        continue
                    last = cell._tc
                    cells.append(_cell(cell.text))
                if any(cells):
                    rows.append(cells)
    return rows


def document_kind(data: bytes) -> str:
    """``pdf``, ``docx``, ``ole`` (old .doc / .wps: not read) or ``""`` by the file's own bytes."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04" and b"word/" in data[: 4096 * 16]:
        return "docx"
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return "ole"
    return ""


def read_document(data: bytes, url: str = "", *, cut: bool = False) -> dict[str, Any]:
    """Parse an attachment (PDF / DOCX); an unreadable one says why (``unreadable``)."""
    kind = document_kind(data)
    if cut:
        return _unreadable(url, kind or "attachment", "附件超过读取上限，未完整下载")
    if kind == "ole":
        return _unreadable(url, "doc", "旧版Word/WPS格式（.doc/.wps），无法自动读取")
    if kind not in ("pdf", "docx"):
        return _unreadable(url, kind or "attachment", "附件不是可读取的PDF或DOCX文件")
    try:
        rows = pdf_rows(data) if kind == "pdf" else docx_rows(data)
    except PdfToolMissing:
        return _unreadable(url, kind, "未安装 pdftotext（poppler-utils），PDF附件未读取")
    except Exception as exc:  # noqa: BLE001 — damaged or hostile files: say so, never stop the crawl
        return _unreadable(url, kind, f"附件无法解析（{type(exc).__name__}）")
    parsed = parse_rows(rows, source=kind, url=url)
    if parsed["chars"] < 50:
        parsed["unreadable"] = "附件中没有可提取的文字（可能是扫描图片）"
    return parsed


def _unreadable(url: str, source: str, why: str) -> dict[str, Any]:
    return {
        "source": source,
        "url": url,
        "unreadable": why,
        "chars": 0,
        "sections": [],
        "template": "unknown",
        "markers": {"2021": [], "2019": []},
        "tables": {},
        "images": 0,
    }


# ---------------------------------------------------------------- rows → structure


def _number(text: str) -> float | None:
    t = normalise(text or "").replace(" ", "").replace("，", ",")
    if _NUMBER.match(t):
        value = float(t.replace(",", ""))
        return value
    return None


def _value(text: str) -> float | None:
    """A table value: a number, or a blank / dash read as 0 (reports leave zero cells empty)."""
    t = normalise(text or "").replace(" ", "")
    if t in _BLANK:
        return 0.0
    return _number(t)


def _split(row: list[str]) -> tuple[str, list[str]]:
    """(label, value cells): the label is every cell before the trailing run of values."""
    end = len(row)
    while end > 0 and _value(row[end - 1]) is not None:
        end -= 1
    label = "".join(_SQUEEZE.sub("", normalise(c)) for c in row[:end])
    return label, row[end:]


def parse_rows(rows: list[list[str]], *, source: str, url: str = "", images: int = 0) -> dict[str, Any]:
    """The report's sections, format and tables from its rows (see the module docstring)."""
    flat = [_SQUEEZE.sub("", normalise("".join(r))) for r in rows]
    text = "".join(flat)
    section_at: dict[str, int] = {}
    for i, line in enumerate(flat):
        for number, phrase in SECTIONS:
            if number not in section_at and phrase in line and len(line) <= len(phrase) + 12:
                section_at[number] = i
    m2021 = [m for m in MARKERS_2021 if m in text]
    m2019 = [m for m in MARKERS_2019 if m.replace("/", "") in text.replace("/", "")]
    if len(m2021) >= 2 and len(m2019) < 2:
        template = "2021"
    elif len(m2019) >= 2 and len(m2021) < 2:
        template = "2019"
    elif m2021 and m2019:
        template = "mixed"
    else:
        template = "unknown"

    def region(start: str) -> list[list[str]]:
        """The rows under section ``start`` up to the next heading found."""
        a = section_at.get(start)
        if a is None:
            return []
        later = [i for i in section_at.values() if i > a]
        return rows[a + 1 : min(later) if later else len(rows)]

    tables: dict[str, Any] = {}
    active = _active_table(region("二") or rows)
    if active:
        tables["active"] = active
    requests = _request_table(region("三") or rows)
    if requests:
        tables["requests"] = requests
    review = _review_table(region("四") or rows)
    if review:
        tables["review"] = review
    return {
        "source": source,
        "url": url,
        "chars": len(text),
        "images": images,
        "sections": sorted(section_at, key=lambda k: "一二三四五六".index(k)),
        "template": template,
        "markers": {"2021": m2021, "2019": m2019},
        "tables": tables,
    }


def _active_table(rows: list[list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        label, values = _split(row)
        if not values or not label:
            continue
        for name in ACTIVE_ROWS:
            if label.endswith(name) or label == name:
                nums = [_value(v) for v in values]
                out.setdefault(name, [v for v in nums if v is not None])
    return out


def _request_key(label: str, previous: str | None) -> str | None:
    for key, words in REQUEST_ROWS:
        if any(w in label for w in words):
            if key == "total" and any(c in label for c in ("申请人情况", "自然人", "法人")):
                return None  # the heading row naming the 总计 column
            return key
    if previous == "other_nofee" and re.fullmatch(r"(?:3[.．、]?)?其他", label):
        return "other_other"
    return None


def _request_table(rows: list[list[str]]) -> dict[str, Any]:
    """Table 三: ``{"rows": {key: [7 numbers]}, "unsure": {key: why}, "format": "2021"/"2019"}``."""
    found: dict[str, list[float]] = {}
    unsure: dict[str, str] = {}
    previous: str | None = None
    for row in rows:
        label, values = _split(row)
        if not values:
            continue
        key = _request_key(label, previous)
        if key is None:
            continue
        previous = key
        if key in found or key in unsure:
            continue  # the first occurrence is the table's; later text repeats words
        nums = [_value(v) for v in values]
        numbers = [v for v in nums if v is not None]
        strict = [_number(v) for v in values]
        width = len(REQUEST_COLUMNS)
        if len(numbers) == width:
            found[key] = numbers
            if any(x is None for x in strict) and not all(_value(v) == 0 for v in values if _number(v) is None):
                unsure[key] = "部分单元格无法识别为数字"
        elif len(numbers) > width:
            found[key] = numbers[-width:]
            unsure[key] = f"该行识别到{len(numbers)}个数字，多于7列"
        else:
            found[key] = numbers
            unsure[key] = f"该行只识别到{len(numbers)}个数字（应为7列），空白单元格位置无法确定"
    if len(found) < 3:
        return {}
    fmt = "2021" if {"other_nofix", "other_nofee"} & set(found) else "2019" if "other" in found else "unknown"
    return {"columns": list(REQUEST_COLUMNS), "rows": found, "unsure": unsure, "format": fmt}


def _review_table(rows: list[list[str]]) -> dict[str, Any]:
    """Table 四: the one row of 15 numbers (行政复议 5, 未经复议直接起诉 5, 复议后起诉 5)."""
    width = len(REVIEW_COLUMNS)
    for row in rows:
        label, values = _split(row)
        numbers = [v for v in (_value(x) for x in values) if v is not None]
        if len(numbers) == width and len(values) == width:
            return {"columns": list(REVIEW_COLUMNS), "values": numbers, "unsure": ""}
        if len(numbers) >= 10 and not label:
            return {
                "columns": list(REVIEW_COLUMNS),
                "values": numbers,
                "unsure": f"识别到{len(numbers)}个数字（应为15个），空白单元格位置无法确定",
            }
    return {}


# ---------------------------------------------------------------- checks (used by the rules)


def request_checks(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The arithmetic a 依申请 table must satisfy, each with its numbers and whether it holds.

    ``sure`` is False when a row it uses was read with doubt; a check whose rows are missing
    is left out (the table's own layout may differ: nothing to judge).
    """
    rows: dict[str, list[float]] = table.get("rows") or {}
    unsure: dict[str, str] = table.get("unsure") or {}
    width = len(REQUEST_COLUMNS)
    out: list[dict[str, Any]] = []

    def usable(keys: Iterable[str]) -> bool:
        return all(k in rows and len(rows[k]) == width for k in keys)

    def sure(keys: Iterable[str]) -> bool:
        return not any(k in unsure for k in keys)

    for key, values in rows.items():
        if len(values) == width and key not in unsure:
            parts = sum(values[:-1])
            if not _eq(parts, values[-1]):
                label = REQUEST_LABELS.get(key, key)
                out.append(
                    {
                        "check": "row_total",
                        "row": key,
                        "label": label,
                        "expected": parts,
                        "stated": values[-1],
                        "holds": False,
                        "sure": True,
                        "text": f"{label}：各类申请人之和{_n(parts)}，总计列{_n(values[-1])}",
                    }
                )
    flow = ("new", "carried", "total", "carry_next")
    if usable(flow):
        for c, column in enumerate(REQUEST_COLUMNS):
            left = rows["new"][c] + rows["carried"][c]
            right = rows["total"][c] + rows["carry_next"][c]
            out.append(
                {
                    "check": "flow",
                    "column": column,
                    "holds": _eq(left, right),
                    "sure": sure(flow),
                    "expected": left,
                    "stated": right,
                    "text": f"本年新收{_n(rows['new'][c])}+上年结转{_n(rows['carried'][c])}="
                    f"{_n(left)}，办理结果总计{_n(rows['total'][c])}+结转下年度{_n(rows['carry_next'][c])}={_n(right)}",
                }
            )
    fmt = table.get("format")
    groups = ["open", "partial", *RESULT_GROUPS["deny"], *RESULT_GROUPS["none"], *RESULT_GROUPS["skip"]]
    groups += list(RESULT_GROUPS["other"]) if fmt == "2021" else ["other"] if fmt == "2019" else []
    if fmt in ("2021", "2019") and usable(groups + ["total"]):
        for c, column in enumerate(REQUEST_COLUMNS):
            parts = sum(rows[k][c] for k in groups)
            out.append(
                {
                    "check": "results",
                    "column": column,
                    "holds": _eq(parts, rows["total"][c]),
                    "sure": sure(groups + ["total"]),
                    "expected": parts,
                    "stated": rows["total"][c],
                    "text": f"各项办理结果之和{_n(parts)}，（七）总计{_n(rows['total'][c])}",
                }
            )
    return out


def review_checks(table: dict[str, Any]) -> list[dict[str, Any]]:
    values = table.get("values") or []
    if len(values) != len(REVIEW_COLUMNS):
        return []
    out = []
    for g, group in enumerate(("行政复议", "未经复议直接起诉", "复议后起诉")):
        part = values[g * 5 : g * 5 + 5]
        out.append(
            {
                "check": "review_total",
                "column": group,
                "holds": _eq(sum(part[:4]), part[4]),
                "sure": not table.get("unsure"),
                "expected": sum(part[:4]),
                "stated": part[4],
                "text": f"{group}：结果维持{_n(part[0])}+结果纠正{_n(part[1])}+其他结果{_n(part[2])}+尚未审结{_n(part[3])}"
                f"={_n(sum(part[:4]))}，总计{_n(part[4])}",
            }
        )
    return out


def _eq(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
