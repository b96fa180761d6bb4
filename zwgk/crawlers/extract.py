"""Seeing a government page: links, meta, footer, navigation, list items, dates.

One selectolax (Lexbor) parse per page; the result is plain data that goes
into ``Page.facts`` (the contract with the rule authors, see
docs/architecture.md) plus the list of ``Link``s.  Text is matched after
Traditional → Simplified normalisation; stored evidence keeps the original.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from zwgk.crawlers.content_scan import scan_page
from zwgk.crawlers.dates import (
    DATE_LABELS,
    date_from_url,
    day_box_date,
    label_key,
    labelled_dates,
    month_day,
    normalise,
    parse_date,
    pick_publish,
)
from zwgk.crawlers.footer import (
    CONAC_MARKERS,
    JIUCUO_MARKERS,
    footer_facts,
    has_marker,
    psb_links,
    script_raw,
    script_text,
)
from zwgk.crawlers.links import page_base, placeholder_anchors, raw_links
from zwgk.crawlers.urls import normalise_url, resolve_link
from zwgk.model import Link
from zwgk.text import original_span as _original

_NAV_HINT = re.compile(r"nav|menu|daohang|dh\b|top|header|head|banner", re.I)
_MORE_HINT = re.compile(r"more|gengduo|dropdown|sub-?menu", re.I)
_SUB_HINT = re.compile(r"sub-?nav|side|left|lmdh|column|lanmu|sidebar|crumb|location|position|dqwz", re.I)
_FOOT_HINT = re.compile(r"foot|bottom|copyright|bq|banquan", re.I)
_LIST_HINT = re.compile(r"list|news|lb|xxgk|gl|item|con", re.I)

SOFT404_MARKERS = (
    "页面不存在",
    "您访问的页面不存在",
    "页面未找到",
    "页面找不到",
    "找不到该页面",
    "该页面已删除",
    "404 Not Found",
    "Page Not Found",
)
RELATED_LABELS = (
    "相关解读",
    "政策解读",
    "原文链接",
    "相关文件",
    "相关政策",
    "解读文件",
    "文件原文",
    "政策原文",
    "图解",
    "原文",
    "相关链接",
    "解读材料",
    "起草说明",
)
_PAGINATION_TEXT = re.compile(r"^(下一页|下页|上一页|上页|尾页|末页|首页|\d{1,4}|>|>>|»|›)$")
_PAGINATION_HREF = re.compile(
    r"(?:index|list|default)_\d+\.s?html?$|[?&](?:page|pageno|pageindex|curpage|p|pn|pagenum)=\d+", re.I
)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
_SPACES = re.compile(r"\s+")
NAV_TEXT_MAX = 24  # longer anchor texts are headlines, not navigation entries
NAV_REGIONS = frozenset({"top", "more", "sub", "footer", "click"})
# List pages, not documents: /dir/, index.html, index_2.jhtml, list.shtml, list.jsp?page=2.
_COLUMN_LIKE = re.compile(r"/(?:(?:index|list|default)(?:_\d+)?\.\w+)?(?:\?(?!.*\bid=).*)?$", re.I)
_JS_OBJECT = re.compile(r"\{[^{}]{10,2000}\}")
_JS_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*["']((?:[^"'\\]|\\.)*)["']""")


@dataclass(slots=True)
class Extracted:
    """What one HTML page shows; ``facts`` goes to ``Page.facts`` as is."""

    title: str = ""
    links: list[Link] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    pub_date: dt.date | None = None
    date_source: str = ""
    soft404: bool = False


def _squash(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


_TITLE_SEPARATORS = re.compile(r"\s*(?:[-_|｜—–]+|&nbsp;)\s*")
_TRAILING_SEPARATORS = re.compile(r"[\s\-_|｜—–]+$")
_SITE_WORDS = ("政府", "门户", "网站", "网", "人民", "局", "厅", "委员会", "办公室", "中心")


def without_site_name(title: str, site_name: str = "") -> str:
    """An article's ``<title>`` without the site's name that CMSs append
    (``关于…的通知-宁阳县人民政府``, ``政策解读_中国宜春``): the document is the first part."""
    parts = [p for p in _TITLE_SEPARATORS.split(title or "") if p]
    if len(parts) < 2:
        return title
    tail = normalise(parts[-1])
    if (site_name and normalise(site_name) in tail) or any(w in tail for w in _SITE_WORDS):
        cut = title.rfind(parts[-1])
        head = _TRAILING_SEPARATORS.sub("", title[:cut]) if cut > 0 else ""
        return without_site_name(head, site_name) if head else title
    return title


def _anchor_text(node: LexborNode) -> str:
    """What an entry says: its text, else its title / alt (an image link), else an image's alt."""
    text = _squash(node.text())
    if not text:
        text = _squash(node.attributes.get("title") or node.attributes.get("alt") or "")
    if not text:
        img = node.css_first("img[alt]")
        text = _squash(img.attributes.get("alt") or "") if img is not None else ""
    return text


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def _region(anchor: LexborNode, cache: dict[int, str]) -> str:
    """Where an anchor sits: top / more / sub / footer / page (by ancestors' tags and classes)."""
    found = "page"
    node = anchor.parent
    chain: list[int] = []
    depth = 0
    while node is not None and depth < 8 and node.tag not in ("body", "html"):
        key = node.mem_id
        if key in cache:
            found = cache[key]
            break
        chain.append(key)
        tag = node.tag
        hints = _hints(node)
        if tag == "footer" or _FOOT_HINT.search(hints):
            found = "footer"
            break
        if _MORE_HINT.search(hints):
            found = "more"
            break
        if _SUB_HINT.search(hints):
            found = "sub"
            break
        if tag in ("nav", "header") or _NAV_HINT.search(hints):
            found = "top"
            break
        node = node.parent
        depth += 1
    for key in chain:
        cache[key] = found
    return found


def extract_page(url: str, html: str, kind: str = "other", *, want_dates: bool | None = None) -> Extracted:
    """Parse ``html`` fetched from ``url`` (its final URL) into links and facts.

    ``kind`` (a PageKind value) selects the per-kind facts: list items and
    pagination on column pages, dates/related/doc number on articles.
    """
    tree = LexborHTMLParser(html)
    out = Extracted()
    base = page_base(tree, url)

    meta: dict[str, str] = {}
    refresh: str | None = None
    for node in tree.css("meta"):
        attrs = node.attributes
        name = attrs.get("name")  # 指引 tags are name=…; og:/itemprop properties are not site metadata
        content = attrs.get("content")
        if name and name not in meta:
            meta[name] = (content or "").strip()
        if (attrs.get("http-equiv") or "").lower() == "refresh" and content:
            match = _REFRESH_URL.search(content)
            if match:
                refresh = match.group(1).strip()
    out.facts["meta"] = meta

    title_node = tree.css_first("title")
    page_title = _squash(title_node.text()) if title_node is not None else ""
    out.title = meta.get("ArticleTitle") or without_site_name(page_title, meta.get("SiteName") or "")

    # Links: every URL a browser would follow or load (zwgk.crawlers.links); anchors keep
    # their text and where they sit.  Navigation keeps every entry's own text, even when
    # several entries share one target (a placeholder "#", the page itself).
    seen: set[tuple[str, str]] = set()
    region_cache: dict[int, str] = {}
    nav: list[dict[str, str]] = []
    nav_seen: set[tuple[str, str]] = set()
    anchors: list[tuple[LexborNode, str, str, str]] = []  # node, target, text, region

    def add_nav(text: str, target: str, region: str) -> None:
        if not text or len(text) > NAV_TEXT_MAX or (text, target) in nav_seen:
            return
        if region in NAV_REGIONS or (kind == "home" and region == "page"):
            nav_seen.add((text, target))
            nav.append({"text": text, "url": target, "where": region})

    for raw in raw_links(tree, base):
        text = ""
        if raw.node is not None:
            text = _anchor_text(raw.node)
            region = _region(raw.node, region_cache)
            if raw.node.tag != "a" and raw.node.tag != "area":
                region = "click" if region == "page" else region
            anchors.append((raw.node, raw.target, text, region))
            add_nav(text, raw.target, region)
        key = (raw.target, raw.tag)
        if (raw.target, "") in seen or key in seen:
            continue
        seen.add(key)
        seen.add((raw.target, ""))
        out.links.append(Link(source=url, target=raw.target, anchor=text[:200], tag=raw.tag))
    for node in placeholder_anchors(tree, base):
        add_nav(_anchor_text(node), "", _region(node, region_cache))
    if refresh:
        target = resolve_link(base, refresh)
        if target and (target, "") not in seen:
            out.links.append(Link(source=url, target=target, anchor="", tag="meta-refresh"))
    out.facts["nav"] = nav

    # Footer identifiers: from footer-like containers, else the page's tail.
    footer_text = " ".join(
        written_text(node)
        for node in tree.css("footer, [class*=foot], [id*=foot], [class*=bottom], [id*=bottom], [class*=copyright]")
    )
    body = tree.body
    body_text = body.text(separator=" ") if body is not None else ""
    probe = footer_facts(footer_text)
    if not probe["site_code"] and not probe["icp"]:
        footer_text = (written_text(body) if body is not None else "")[-4000:]
    lower = html.lower()
    out.facts["footer"] = footer_facts(
        footer_text, has_marker(lower, CONAC_MARKERS), has_marker(lower, JIUCUO_MARKERS), psb_links(html)
    )
    if not any(out.facts["footer"][k] for k in ("site_code", "icp", "psb", "sponsor")):
        # The footer may be written by a script (document.writeln in footer.js): name the
        # same-site scripts a browser runs there, so the crawler can read them.
        scripts = footer_scripts(tree, base)
        if scripts:
            out.facts["footer_scripts"] = scripts

    simple_text = normalise(body_text)
    out.soft404 = is_soft404(page_title, simple_text)
    out.facts["soft404"] = out.soft404

    if kind == "home":
        out.facts["search"] = has_search_box(tree)
    if kind == "column":
        items = list_items(anchors, url)
        if not any(i.get("date") or i.get("md") for i in items) and _EMPTY_LIST.search(normalise(body_text)):
            items = []  # "本栏目暂无信息": the links left in the rows are the page's layout
            out.facts["empty_notice"] = True
        if sum(1 for i in items if i.get("date")) < 3:
            # The visible rows may be a stray link or two while the list itself is rendered by
            # a script (inline JSON / XML datastore): read both.
            known = {i["url"] for i in items}
            scripted = [i for i in script_items(tree, base) if i["url"] not in known]
            items = ([i for i in items if i.get("date") or i.get("md")] + scripted) if scripted else items
        out.facts["items"] = items
        out.facts["pagination"] = pagination(anchors, url, html)
        if not items and not out.facts.get("empty_notice"):
            # 指南 / 制度 / 机构职能 columns often open one document, not a list of them
            out.facts["document_chars"] = prose_chars(tree)
    if kind == "article" or want_dates:
        _article_facts(out, tree, url, anchors, meta, simple_text, body_text)
    out.facts.update(scan_page(tree, url, kind))  # content, services, guide facts (content_scan.py)
    return out


def written_text(node: LexborNode) -> str:
    """A node's text as a browser shows it: an inline ``document.write(…)`` script reads as
    the text it writes (many footers are written so: ``<script>document.writeln("<p>某某局主办</p>")``),
    not as its source, so the words keep their boundaries (the ``<p>`` before 某某局主办)."""
    text = node.text(separator=" ")
    for script in node.css("script"):
        code = script.text()
        if code and "document.write" in code and code in text:
            text = text.replace(code, " " + script_text(code) + " ", 1)
    return text


_PROSE_CJK = re.compile(r"[\u4e00-\u9fff]")
_FOOTER_LIKE = ("foot", "bottom", "copyright", "banquan")


def prose_chars(tree: LexborHTMLParser) -> int:
    """Chinese characters of the page's running text: paragraphs that are not mostly links and
    not in a footer-like container.  A column page showing one document (the 政府信息公开指南
    itself) has hundreds; a list page or an empty column has next to none."""
    total = 0
    for para in tree.css("p"):
        text = para.text(separator="")
        links = sum(len(a.text(separator="")) for a in para.css("a"))
        if not text or links * 3 > len(text):
            continue
        node, footer = para.parent, False
        for _ in range(8):
            if node is None:
                break
            hint = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}".lower()
            if node.tag == "footer" or any(word in hint for word in _FOOTER_LIKE):
                footer = True
                break
            node = node.parent
        if not footer:
            total += len(_PROSE_CJK.findall(text))
    return total


_FOOTER_SCRIPT = re.compile(r"foot|bottom|copyright|banquan|bq|dibu|db\.js", re.I)


def footer_scripts(tree: LexborHTMLParser, base: str) -> list[str]:
    """Scripts and frames that may hold the footer (``footer.js`` writing it, an
    ``<iframe src="/inc/foot.html">`` include): inside a footer-like container or named like one."""
    out: list[str] = []
    for node in tree.css("script[src], iframe[src], frame[src]"):
        target = resolve_link(base, node.attributes.get("src"))
        if not target or target in out:
            continue
        inside = _region(node, {}) == "footer"
        if inside or _FOOTER_SCRIPT.search(target.rsplit("/", 1)[-1]):
            out.append(target)
    return out[:3]


_NOT_TYPED = frozenset({"hidden", "submit", "button", "image", "reset", "checkbox", "radio", "file"})


def has_search_box(tree: LexborHTMLParser) -> bool:
    """Whether the page has a box to type into (the site search on a homepage).

    Generous on purpose: SEARCH-MISSING trusts ``False`` as proof of absence, so any
    typed input or textarea (in a form or wired up by script) counts as a search box.
    """
    for node in tree.css("input, textarea"):
        if node.tag == "textarea" or (node.attributes.get("type") or "text").strip().lower() not in _NOT_TYPED:
            return True
    return False


def is_soft404(title: str, simple_text: str) -> bool:
    """A 200 page that says the page does not exist."""
    t = normalise(title or "")
    if "404" in t or any(marker in t for marker in SOFT404_MARKERS):
        return True
    if len(simple_text) < 3000:
        return any(marker in simple_text for marker in SOFT404_MARKERS)
    return False


_ROW_TAGS = frozenset({"li", "tr", "dd", "dl"})
_LOOSE_ROW_TAGS = frozenset({"div", "p", "span", "h3", "h4", "h5"})


_EMPTY_LIST = re.compile(
    r"暂无(?:相关)?(?:信息|内容|数据|记录|文章)|没有(?:相关)?(?:信息|内容|记录)|无相关(?:信息|内容)"
)
# Layout links a table-built page puts in rows too: never list entries.
_UTILITY_TEXTS = frozenset(
    [
        "首页",
        "网站首页",
        "网站地图",
        "站点地图",
        "联系我们",
        "设为首页",
        "加入收藏",
        "返回顶部",
        "关闭窗口",
        "关闭",
        "打印",
        "更多",
    ]
)


_MAX_ROW_ANCHORS = 4  # title, department, attachment, 解读: more is a layout row


def list_items(anchors: list[tuple[LexborNode, str, str, str]], page_url: str) -> list[dict[str, Any]]:
    """Entries of a column list page: anchors in li/tr/dd rows, with the row's date."""
    items: list[dict[str, Any]] = []
    undated: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node, target, text, region in anchors:
        if region != "page" or not text or target in seen or target == page_url:
            continue
        if _PAGINATION_TEXT.match(normalise(text)) or normalise(text).strip("【】[]") in _UTILITY_TEXTS:
            continue
        row = node.parent
        for _ in range(3):
            if row is None or row.tag in _ROW_TAGS:
                break
            row = row.parent
        if row is None:
            continue
        if row.tag in _ROW_TAGS and len(row.css("a")) > _MAX_ROW_ANCHORS:
            # A layout row (the whole page is one table cell: side menu, list, links under it),
            # not an entry: its first date belongs to some other link.
            continue
        if row.tag not in _ROW_TAGS:
            # <div class="item"><a>…</a><span>2024-05-12</span></div>: a row of any tag that
            # holds one entry and a date.
            row = node.parent
            if row is None or row.tag not in _LOOSE_ROW_TAGS or len(row.css("a")) > 2:
                continue
            rest = normalise(row.text(separator=" ").replace(node.text(), " "))
            if parse_date(rest) is None and day_box_date(rest) is None:
                continue
        row_text = row.text(separator=" ")
        rest = normalise(row_text.replace(node.text(), " "))
        date = parse_date(rest) or day_box_date(rest) or parse_date(node.attributes.get("title"))
        title = _squash(node.attributes.get("title") or "") or text
        seen.add(target)
        entry = {"title": title, "url": target, "date": date.isoformat() if date else None}
        if date is None and (md := month_day(rest)) is not None:
            entry["md"] = md  # "05-12": the year is the rule's to infer (from its as-of date)
        (items if date or "md" in entry else undated).append(entry)
    if items:
        return items
    # A list without dates is still a list (the staleness rules need to know).
    return undated[:100]


def script_items(tree: LexborHTMLParser, base: str) -> list[dict[str, Any]]:
    """List entries rendered by JavaScript from an inline data array.

    Many CMS templates ship the list as ``var data = [{"t": 标题, "u": url, "d": 日期}]``
    and build the ``<li>``s in the browser; an inspector sees them, so do we.
    """
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for script in tree.css("script"):
        if script.attributes.get("src"):
            continue
        code = script.text() or ""
        if "document.write" in code and "<a" in code:
            # <script>document.write('<li><a href=…>title</a>[2024-05-12]</li>');</script>
            for entry in fragment_items(script_raw(code), base):
                if entry["url"] not in seen:
                    seen.add(entry["url"])
                    items.append(entry)
            continue
        if "<![CDATA[" in code and "<a" in code:
            # Hanweb-style datastore: <script type="text/xml"><datastore><recordset>
            # <record><![CDATA[<li><a href=…>title</a><span>date</span></li>]]></record>…
            for entry in datastore_items(code, base):
                if entry["url"] not in seen:
                    seen.add(entry["url"])
                    items.append(entry)
            continue
        if "[" not in code:
            continue
        for obj in _JS_OBJECT.findall(code):
            values = [_js_unescape(v) for _k, v in _JS_PAIR.findall(obj)]
            link = next((v for v in values if re.search(r"(?:^/|^https?://|\.s?html?$)", v)), None)
            date = next((d for d in (parse_date(v) for v in values) if d is not None), None)
            title = max((v for v in values if v != link and re.search(r"[\u4e00-\u9fff]", v)), key=len, default="")
            target = resolve_link(base, link) if link else None
            if target is None or not title or target in seen:
                continue
            seen.add(target)
            items.append({"title": _squash(title), "url": target, "date": date.isoformat() if date else None})
    return items


_PCT_U = re.compile(r"%u([0-9A-Fa-f]{4})")
_PCT_XX = re.compile(r"%([0-9A-Fa-f]{2})")


def _js_unescape(value: str) -> str:
    """A string of an inline data array as the page's script shows it: ``\\u6C5F`` (a JSON
    escape) and ``%u6C5F`` (``escape()``d titles the list script passes through ``unescape()``,
    as 广东's 集约化 gkmlpt lists do) both become the character."""
    if "\\u" in value:
        value = value.encode("utf-8").decode("unicode_escape", "ignore")
    if _PCT_U.search(value):  # escape() also wrote ASCII punctuation as %XX: unescape() both
        value = _PCT_XX.sub(lambda m: chr(int(m.group(1), 16)), _PCT_U.sub(lambda m: chr(int(m.group(1), 16)), value))
    return value


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)


def datastore_items(code: str, base: str) -> list[dict[str, Any]]:
    """List records kept as HTML fragments in CDATA sections of an inline XML datastore."""
    return fragment_items("".join(_CDATA.findall(code)), base)


def fragment_items(fragment: str, base: str) -> list[dict[str, Any]]:
    """List entries of an HTML fragment a script carries (datastore record, document.write)."""
    if not fragment:
        return []
    tree = LexborHTMLParser(f"<html><body><ul>{fragment}</ul></body></html>")
    anchors = []
    for node in tree.css("a[href]"):
        target = resolve_link(base, node.attributes.get("href"))
        text = _anchor_text(node)
        if target and text:
            anchors.append((node, target, text, "page"))
    return list_items(anchors, base)


def pagination(anchors: list[tuple[LexborNode, str, str, str]], page_url: str, html: str) -> list[str]:
    """Further list pages: ``index_1.html`` and ``?page=2`` styles, plus TRS createPageHTML."""
    found: list[str] = []
    page_dir = page_url.split("?", 1)[0].rsplit("/", 1)[0]
    for _node, target, text, region in anchors:
        if region == "footer":
            continue
        if not target.startswith(page_dir) or urlsplit(target).path in ("", "/"):
            continue  # "首页" on a list page is the site's homepage, not its first page
        if target == page_url or target in found:
            continue
        if _PAGINATION_HREF.search(target) or (
            _PAGINATION_TEXT.match(normalise(text)) and target.split("?", 1)[0].rsplit("/", 1)[0] == page_dir
        ):
            found.append(target)
    match = _CREATE_PAGE.search(html)
    if match:
        total, _current, stem, ext = match.groups()
        for n in range(1, min(int(total), 50)):
            target = normalise_url(f"{page_dir}/{stem}_{n}.{ext}")
            if target != page_url and target not in found:
                found.append(target)
    for target in script_pages(html, page_url):
        if target != page_url and target not in found:
            found.append(target)
    return found


_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
# A paging script's URL pattern with the page number as a placeholder ("…&page={n}").
_PAGE_TEMPLATE = re.compile(r"""['"]([^'"\s<>]*\{(?:n|p|page|pageNo|pageIndex|pageNum|num|0)\}[^'"\s<>]*)['"]""")
_PAGE_COUNT = re.compile(r"\b(?:pageCount|totalPages?|pageTotal|pages)\s*[:=]\s*['\"]?(\d{1,4})\b")
_ITEM_TOTAL = re.compile(r"\b(?:total|totalCount|recordCount|totalRecord|count)\s*[:=]\s*['\"]?(\d{1,6})\b")
_PAGE_SIZE = re.compile(r"\b(?:pageSize|perPage|pagesize|rows|limit)\s*[:=]\s*['\"]?(\d{1,4})\b")
_MAX_SCRIPT_PAGES = 50


def script_pages(html: str, page_url: str) -> list[str]:
    """List pages a paging script builds: a URL pattern with a page placeholder plus the page
    count (or the item total and page size) in the same script.  Pages 2 … N, capped."""
    out: list[str] = []
    for block in _SCRIPT_BLOCK.finditer(html):
        code = block.group(1)
        if len(code) > 20_000 or "{" not in code:
            continue
        template = _PAGE_TEMPLATE.search(code)
        if not template:
            continue
        pages = _PAGE_COUNT.search(code)
        if pages:
            count = int(pages.group(1))
        else:
            total, size = _ITEM_TOTAL.search(code), _PAGE_SIZE.search(code)
            if not (total and size and int(size.group(1)) > 0):
                continue
            count = -(-int(total.group(1)) // int(size.group(1)))
        placeholder = re.search(r"\{\w+\}", template.group(1))
        assert placeholder is not None  # the template pattern requires one
        head, tail = template.group(1)[: placeholder.start()], template.group(1)[placeholder.end() :]
        for n in range(2, min(count, _MAX_SCRIPT_PAGES) + 1):
            target = resolve_link(page_url, f"{head}{n}{tail}")
            if target and target not in out:
                out.append(target)
    return out


def _article_facts(
    out: Extracted,
    tree: LexborHTMLParser,
    url: str,
    anchors: list[tuple[LexborNode, str, str, str]],
    meta: dict[str, str],
    simple_text: str,
    body_text: str,
) -> None:
    # Labelled dates in the 信息公开 header table (label cell → value cell).
    table_dates: dict[str, dt.date] = {}
    label_set = set(DATE_LABELS)
    for node in tree.css("td, th, dt, label, span, b, strong"):
        raw = node.text()
        if not raw or len(raw) > 12:
            continue
        label = label_key(normalise(raw)).rstrip(":：")  # 发 布 日 期： → 发布日期
        if label not in label_set or label in table_dates:
            continue
        value_node = node.next
        while value_node is not None and not value_node.is_element_node and not (value_node.text() or "").strip():
            value_node = value_node.next
        candidates = []
        if value_node is not None:
            candidates.append(value_node.text())
        if node.parent is not None:
            candidates.append(node.parent.text())
        for candidate in candidates:
            value = parse_date(candidate)
            if value is not None:
                table_dates[label] = value
                break
    text_dates = labelled_dates(simple_text)
    dates = {**text_dates, **table_dates}
    out.facts["dates"] = {label: value.isoformat() for label, value in dates.items()}

    pub = parse_date(meta.get("PubDate") or meta.get("pubdate") or meta.get("publishdate") or meta.get("PublishDate"))
    if pub is not None:
        out.pub_date, out.date_source = pub, "meta:PubDate"
    elif (picked := pick_publish(dates)) is not None:
        # The most telling label wins wherever it stands (发布日期 in the text beats 成文日期 in
        # the 信息公开 table): a document is published on its 发布日期, not on its 成文日期.
        where = "table" if picked[0] in table_dates else "label"
        out.pub_date, out.date_source = picked[1], f"{where}:{picked[0]}"
    elif (shown := _unlabelled_date(tree)) is not None:
        out.pub_date, out.date_source = shown[1], f"element:{shown[0]}"
    elif (from_url := date_from_url(url)) is not None:
        out.pub_date, out.date_source = from_url, "url"

    number = _DOC_NUMBER.search(simple_text)
    out.facts["doc_number"] = _squash(_original(number, body_text, simple_text)) if number else ""

    related: list[dict[str, str]] = []
    seen: set[str] = set()
    container_cache: dict[int, bool] = {}
    for node, target, text, region in anchors:
        if region in ("top", "footer", "more", "sub") or target in seen or target == url or _COLUMN_LIKE.search(target):
            continue
        if _is_related(node, normalise(text), container_cache):
            seen.add(target)
            related.append({"text": text, "url": target})
    out.facts["related"] = related
    title = normalise(out.title)
    column = normalise(meta.get("ColumnName", ""))
    out.facts["is_interpretation"] = "解读" in title or "解读" in column
    byline = _BYLINE.search(simple_text)
    if byline:  # who interprets (INTERP-LEADER): 解读人：县长 张三
        out.facts["byline"] = _squash(byline.group(2))[:40]
    catalog = catalog_table(tree)
    if catalog:  # a 政务公开事项标准目录 table (JICENG-ELEMENT)
        out.facts["catalog"] = catalog


# Header words of a 标准目录 table (公开事项 / 公开依据 / 公开时限 …): recognition only; which element
# a header states is decided by the standard's data (zwgk/data/standards).
_CATALOG_HINTS = ("事项", "依据", "时限", "主体", "方式", "渠道", "对象", "公开范围", "载体", "内容")


def catalog_table(tree: LexborHTMLParser) -> dict[str, Any] | None:
    """The header cells and row count of the first table whose first row names ≥ 4 catalogue elements."""
    for table in tree.css("table")[:20]:
        rows = table.css("tr")
        if len(rows) < 2:
            continue
        cells = [normalise(_squash(c.text() or "")) for c in rows[0].css("th, td")][:20]
        if sum(any(h in c for h in _CATALOG_HINTS) for c in cells) >= 4:
            return {"headers": [c[:30] for c in cells], "rows": len(rows) - 1}
    return None


_BYLINE = re.compile(r"(解读人|解读嘉宾|讲解人|主讲人|访谈嘉宾)\s*[:：]\s*([^\n，。；;,|]{2,30})")


_DATE_HINT = re.compile(r"(?:^|[\s_-])(?:date|time|pubtime|pubdate|fbsj|fbrq|rq|sj|fbtime)(?:$|[\s_-])", re.I)


def _unlabelled_date(tree: LexborHTMLParser) -> tuple[str, dt.date] | None:
    """A date shown without a label in the article head (``<span class="time">2024-05-12</span>``).

    Only short elements whose class or id says date/time count, so a date in the body
    text (a meeting's date, a deadline) is never taken for the publication date.
    """
    info: tuple[str, dt.date] | None = None
    for node in tree.css("[class], [id]"):  # one pass: a date element wins over an info line
        hints = _hints(node).strip()
        if _DATE_HINT.search(hints):
            text = node.text() or ""
            if len(text) <= 40 and (value := parse_date(normalise(text))) is not None:
                return hints.split()[0], value
        if info is None and _INFO_HINT.search(hints):
            # The article's info line under its title: "2026-10-08 08:39 来源：… 字号：[大 中 小]" in a
            # container named info/attr/source…, the date unlabelled.  Only a short line that also
            # carries one of the info labels counts, so a body paragraph's date is never taken.
            text = normalise(node.text() or "")
            if len(text) <= 160 and _INFO_LABEL.search(text) and (value := parse_date(text)) is not None:
                info = hints.split()[0], value
    return info


_INFO_HINT = re.compile(r"info|attr|property|source|msg|fbxx|xxly|sub-?tit|tit-?sub|detail-?(?:tit|top|head)", re.I)
_INFO_LABEL = re.compile(r"来源|作者|浏览|点击|字号|阅读|访问量|信息来源|责任编辑|发布机构")


# Brackets and bullets a template sets a box label in: 【相关解读】, [原文链接], 〖相关文件〗, ▶ 政策解读.
# Not 《》: a title in 《》 names an instrument (《相关文件管理办法》), not a box.
_LABEL_LEAD = re.compile(r"^[\s【\[〖〔「『■□▶►▪•·>]+")


def _is_related(anchor: LexborNode, simple_text: str, cache: dict[int, bool]) -> bool:
    """Whether an article's link is a 相关解读 / 原文 link: its own text or the head of a
    container up to three levels up starts with a related-box label, bracketed or not."""
    own = _LABEL_LEAD.sub("", simple_text)
    if any(own.startswith(label) for label in RELATED_LABELS) or "解读" in simple_text[:12]:
        return True
    node = anchor.parent
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            return False
        key = node.mem_id
        if key not in cache:
            head = _LABEL_LEAD.sub("", normalise(_squash(node.text())[:20]))
            cache[key] = any(head.startswith(label) for label in RELATED_LABELS)
        if cache[key]:
            return True
        node = node.parent
    return False
