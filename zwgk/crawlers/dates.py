"""Finding publication dates in Chinese government pages.

Formats seen on real sites: ``2020-09-28``, ``2020年9月28日``, ``[2020-09-28]``,
``2020/9/28 10:01``, ``PubDate=2020年08月02日``, ``2020.09.28``.  A label-anchored
regular expression is both faster and more accurate here than htmldate or
dateparser (see dependency-measurements.md: htmldate reads 2020年9月28日 as
2020-01-01).  Text is matched after Traditional → Simplified normalisation
(``normalise``) so 發布日期 reads as 发布日期; evidence keeps the original.
"""

from __future__ import annotations

import datetime as dt
import re

from zwgk.text import _converter, normalise  # noqa: F401  (the one normalisation; re-exported)

DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
# Labels whose value is a date, most specific first.  Matched on simplified text.
DATE_LABELS: tuple[str, ...] = (
    "发布日期",
    "发布时间",
    "发表时间",  # small-vendor CMSs: "发表时间：2026年06月24日 浏览次数："
    "发表日期",
    "发稿时间",
    "发稿日期",
    "上传时间",
    "上传日期",
    "上载时间",  # 政府信息公开目录 systems: 上载日期 is the day the item went online (published)
    "上载日期",
    "录入时间",
    "成文日期",
    "发文日期",
    "印发日期",
    "生成日期",
    "产生日期",  # … and 产生日期 the day it was made (= 成文日期): never the publication date first
    "公开日期",
    "留言时间",
    "留言日期",
    "提问时间",
    "来信时间",
    "来信日期",
    "写信时间",
    "咨询时间",
    "提交时间",
    "回复时间",
    "回复日期",
    "答复时间",
    "答复日期",
    "反馈时间",
    "办理时间",
    "更新时间",
    "日期",
    "时间",
)
# Labels that mean "published" (chosen as Page.pub_date), in order of preference.
PUBLISH_LABELS: tuple[str, ...] = (
    "发布日期",
    "发布时间",
    "公开日期",
    "发表时间",
    "发表日期",
    "发稿时间",
    "发稿日期",
    "上传时间",
    "上传日期",
    "上载时间",
    "上载日期",
    "录入时间",
    "成文日期",
    "发文日期",
    "印发日期",
    "生成日期",
    "产生日期",
    "日期",
    "时间",
)
# Labels whose words only end in 日期 / 时间: on their own they are a date of unknown kind.
GENERIC_LABELS: frozenset[str] = frozenset({"日期", "时间"})
# Info tables space their labels out to align them (发 布 日 期, 上　载　日　期): any label may
# have blanks (ASCII, full-width, no-break) between its characters.
_LABEL_GAP = r"[ \t\u3000\xa0]*"
_LABELLED_RE = re.compile(
    r"(" + "|".join(_LABEL_GAP.join(map(re.escape, label)) for label in DATE_LABELS) + r")\s*[:：]?\s*[\[【(（]?\s*"
    r"((?:19|20)\d{2}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?"
    r"|[〇零○一二三四五六七八九]{4}\s*年\s*[〇零○一二三四五六七八九十]{1,3}\s*月\s*[〇零○一二三四五六七八九十]{1,3}\s*日)"
)
_URL_DATE_RES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS: /202305/t20230516_123.html
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),  # /2023-05/16/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20230516/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),  # /2023/0516/
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # /2023/5/16/
)


__all__ = [
    "DATE_LABELS",
    "GENERIC_LABELS",
    "date_from_url",
    "day_box_date",
    "label_key",
    "labelled_dates",
    "normalise",
    "parse_date",
    "pick_publish",
]


def _make(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


_CN_DIGIT = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN = "〇零○Ｏ一二三四五六七八九"
# 成文日期 of official documents is written in Chinese numerals: 二〇二四年五月十二日.
CN_DATE_RE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}十]{{1,3}})\s*月\s*([{_CN}十]{{1,3}})\s*日")


def _cn_number(text: str) -> int | None:
    """一 … 三十一 (with 十) as an int."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _CN_DIGIT.get(tens) if tens else 1
        o = _CN_DIGIT.get(ones) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if len(text) == 1:
        return _CN_DIGIT.get(text)
    return None


def _cn_date(match: re.Match[str]) -> dt.date | None:
    year = "".join(str(_CN_DIGIT[c]) for c in match.group(1))
    month, day = _cn_number(match.group(2)), _cn_number(match.group(3))
    if month is None or day is None:
        return None
    return _make(year, str(month), str(day))


def parse_date(text: str | None) -> dt.date | None:
    """The first plausible date in ``text`` (any supported format), or None."""
    if not text:
        return None
    for match in DATE_RE.finditer(text):
        value = _make(*match.groups())
        if value is not None:
            return value
    for match in CN_DATE_RE.finditer(text):
        value = _cn_date(match)
        if value is not None:
            return value
    return None


# A "day box" beside a list entry: the day large, year and month small under it
# (``<b>19</b><span>2026-11</span>``), or the other way round.  Only a text that is nothing
# but those parts counts, so stray numbers are never combined into a date.
_DAY_BOX = (
    re.compile(r"^\s*(?P<d>\d{1,2})\s*日?\s+(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?\s*$"),
    re.compile(r"^\s*(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?\s+(?P<d>\d{1,2})\s*日?\s*$"),
)


def day_box_date(text: str | None) -> dt.date | None:
    """The date of a day box (``19 2026-11`` or ``2026-11 19``): the whole text, nothing else."""
    if not text:
        return None
    for pattern in _DAY_BOX:
        m = pattern.match(text)
        if m:
            return _make(m["y"], m["m"], m["d"])
    return None


_MONTH_DAY = re.compile(
    r"(?<![\d\-/.])[\[【(（]?\s*(?:(\d{2})\s*[-/.]\s*(\d{2})|(\d{1,2})\s*月\s*(\d{1,2})\s*日)\s*[\]】)）]?(?![\d\-/.])"
)


def month_day(text: str | None) -> str | None:
    """``MM-DD`` of a list date shown without its year (``[05-12]``, ``05/12``, ``5月12日``), or None.

    Lists often show only month and day; the year is not guessed here (extraction does not
    know "today"): rules infer it from their as-of date, taking the latest possible year, so
    an item's age is never overstated.
    """
    if not text:
        return None
    for match in _MONTH_DAY.finditer(text):
        month, day = (int(g) for g in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
        if 1 <= month <= 12 and 1 <= day <= 31 and _make("2000", str(month), str(day)) is not None:
            return f"{month:02d}-{day:02d}"
    return None


def labelled_dates(text: str) -> dict[str, dt.date]:
    """{label: date} for every ``label：date`` in ``text`` (first occurrence per label).

    ``text`` should already be normalised to Simplified Chinese.
    """
    found: dict[str, dt.date] = {}
    for match in _LABELLED_RE.finditer(text):
        label = label_key(match.group(1))
        if label in GENERIC_LABELS and _ends_a_longer_label(text, match.start(1), spaced=label != match.group(1)):
            continue  # 实施日期 / 有效时间 / a label not in the list: not a publication date
        if label in found:
            continue
        value = parse_date(match.group(2))
        if value is not None:
            found[label] = value
    return found


_BLANKS = re.compile(r"[\s\u3000\xa0]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def label_key(label: str) -> str:
    """A label as listed: blanks between its characters removed (发 文 日 期 → 发文日期)."""
    return _BLANKS.sub("", label)


def _ends_a_longer_label(text: str, start: int, spaced: bool) -> bool:
    """Whether a bare 日期 / 时间 at ``start`` is the tail of a longer word (产生日期, 截止时间):
    a Chinese character right before it, or one gap before it when the label is spaced out
    (产 生 日 期).  "来源：本站 日期：…" is a label of its own."""
    before = text[max(0, start - 8) : start]
    if spaced:
        before = before.rstrip(" \t\u3000\xa0")
    return bool(before) and bool(_HAN.match(before[-1]))


def pick_publish(dates: dict[str, dt.date]) -> tuple[str, dt.date] | None:
    for label in PUBLISH_LABELS:
        if label in dates:
            return label, dates[label]
    return None


def date_from_url(url: str) -> dt.date | None:
    """A date encoded in the URL path (``/202305/t20230516_…``), or None."""
    for pattern in _URL_DATE_RES:
        match = pattern.search(url)
        if match:
            value = _make(*match.groups())
            if value is not None:
                return value
    return None
