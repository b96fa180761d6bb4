"""What a probe reads off a homepage: the newest dated item and a content fingerprint.

The newest date is taken only from dated *items* — the text around links
(list entries such as ``<li><a>标题</a><span>2026-11-20</span></li>``) —
never from the page as a whole, because many homepages print today's date in
their header (今天是2026年11月24日 星期二), which would make every homepage look
fresh.  Dates after the probe day are ignored (typos, future events).

The fingerprint hashes the ordered link texts: it changes when items are
added or removed, but not with visitor counters or clocks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from lxml import html as lxml_html

_FULL_DATE = re.compile(
    r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?(\s*星期|\s*周[一二三四五六日天])?"
)
_SHORT_DATE = re.compile(r"(?<![\d\-/.年])(\d{1,2})[\-/.月](\d{1,2})日?(?![\d\-/.])")
_TODAY_MARKERS = ("今天是", "今日", "当前日期", "现在是")


def decode(body: bytes, content_type: str = "") -> str:
    """The page's text by the crawler's one decoder (``zwgk.crawlers.decode``: header charset,
    ``<meta>``, BOM, detection, GB18030 for GB2312/GBK)."""
    from zwgk.crawlers.decode import decode_body

    return decode_body(body, content_type)[0]


def _dates_in(text: str, today: dt.date) -> list[dt.date]:
    found: list[dt.date] = []
    for m in _FULL_DATE.finditer(text):
        if m.group(4):  # "…日 星期二": a header clock, not an item
            continue
        before = text[max(0, m.start() - 6) : m.start()]
        if any(marker in before for marker in _TODAY_MARKERS):
            continue
        try:
            found.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    if found:
        return found
    for m in _SHORT_DATE.finditer(text):  # "11-20" list dates without a year
        try:
            value = dt.date(today.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            continue
        if value > today:
            value = value.replace(year=today.year - 1) if not (value.month == 2 and value.day == 29) else value
        found.append(value)
    return found


def fingerprint_of(text: str) -> str:
    """16 hex digits (64-bit BLAKE2b): enough to tell "changed" apart, small enough to store 20× a day."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


def read_homepage(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """``(newest item date or None, fingerprint)`` of a homepage's HTML."""
    if not text.strip():
        return None, ""
    try:
        root = lxml_html.fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None, fingerprint_of(text)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    newest: dt.date | None = None
    titles: list[str] = []
    for a in root.iter("a"):
        anchor = " ".join(a.text_content().split())
        if anchor:
            titles.append(anchor)
        parent = a.getparent()
        context = anchor
        if parent is not None:
            ptext = " ".join(parent.text_content().split())
            if len(ptext) <= 300:
                context = ptext
        for value in _dates_in(context, today):
            if value <= today and (newest is None or value > newest):
                newest = value
    return newest, fingerprint_of("\n".join(titles))
