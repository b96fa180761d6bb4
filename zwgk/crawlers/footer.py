"""The identity a government site shows at the foot of its pages.

Real footers label the same facts in many ways; each pattern accepts the variants
seen on government sites (all matched on :func:`zwgk.text.normalise`'d text, so
full-width colons, 繁体 and odd spaces need no second spelling):

* 网站标识码 / 政府网站标识码 / 网站识别码 / 标识码, with ``:``, ``：`` or nothing before the
  code (``网站标识码bm01000001``); codes are 10 digits, ``bm``+8 digits, ``12BM…``, ``BT…``;
* ICP: ``赣ICP备06000141号`` (``-1`` suffix), also after ``ICP备案号：``;
* 公安备案: ``赣公网安备 36090202000004号`` (with or without 号 and the space, ``京公网安备110102000155``,
  ``津公网安备 ：12010302000991号``), ``沪公安备：31010102045442号``, the older city numbers
  ``郑公备：41010029000130``, and after a label (``公安备案号：36010802000108``).  A footer whose
  number is linked to the MPS filing system (``beian.gov.cn/portal/registerSystemInfo?recordcode=…``,
  ``beian.mps.gov.cn``) shows a filing number whatever its spelling: the linked digits in the
  text are the number;
* sponsor: 主办 / 主办单位 / 主办方 / 网站主办 / 主办机关, or the name before the word
  ("某某县司法局 主办"); a footer that names only the
  organiser (承办 / 承办单位) is recorded separately — it is not the sponsor;
* the 党政机关网站标识 badge: a link to ``conac.cn`` *or* the script that renders it
  (``dcs.conac.cn/js/…``, ``_ideConac``), since many sites load the badge by script;
* the 找错 widget (``_jiucuo_`` script or a ``jiucuo`` link).
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from zwgk.text import normalise, squash
from zwgk.text import original_span as _original

_CODE = r"((?:12)?(?:BM|bm|Bm|BT|bt)?[0-9A-Za-z]{6,14})"
SITE_CODE = re.compile(r"(?:标识码|识别码|网站标识|网站代码)\s*(?:为|是)?\s*[:]?\s*" + _CODE)
ICP = re.compile(r"([\u4e00-\u9fa5])\s*ICP\s*备\s*[:]?\s*(\d{4,12})\s*号?(?:\s*-\s*(\d+))?", re.I)
ICP_LICENCE = re.compile(r"([\u4e00-\u9fa5])\s*ICP\s*证\s*(\d{4,12})\s*号", re.I)
PSB = re.compile(r"([\u4e00-\u9fa5])\s*公网安备(?:案)?\s*(?:号|编号)?\s*[:]?\s*(\d{6,20})\s*号?")
# "公安备案号 36010802000108" / "公安机关备案号：…" / "沪公安备：31010102045442号" without 公网安备.
PSB_LABELLED = re.compile(r"公安(?:机关|部)?(?:联网)?备(?:案)?(?:号|编号|序号)?\s*[:]?\s*(\d{10,20})\s*号?")
# A one-character province or city abbreviation + 公安备 / 公备, not a label ("沪公安备：31010102045442号",
# the older city form "郑公备：41010029000130").
PSB_CITY = re.compile(r"([\u4e00-\u9fa5])公安?备(?!案)\s*[:]?\s*(\d{10,20})\s*号?")
# A link to the MPS filing system carries the number (recordcode=… / code=…).
PSB_LINK = re.compile(r"beian\.(?:mps\.)?gov\.cn[^\"'\s<>]*?[?&#](?:recordcode|code)=(\d{10,20})", re.IGNORECASE)
_STOP = r"(?=\s|承办|协办|技术支持|运维|运行维护|维护|联系|地址|电话|版权|邮编|网站标识|标识码|$|\||,|;)"
SPONSOR = re.compile(r"(?:网站)?主办(?:单位|方|机关|部门)?\s*[:]\s*([^\s|,;<]{2,40}?)" + _STOP)
SPONSOR_BARE = re.compile(r"(?:网站)?主办(?:单位|方|机关)\s+([^\s|,;<:]{2,40}?)" + _STOP)
ORGANISER = re.compile(r"承办(?:单位|方)?\s*[:]?\s*([\u4e00-\u9fff][^\s|,;<]{1,39}?)" + _STOP)
# The name first, the role after it: "某某县司法局 主办　某某县信息中心 承办" (no colon, the word
# not followed by 单位/方 or more text).
_NAME_BEFORE = r"(?:^|(?<=[\s|,;]))([\u4e00-\u9fff][\u4e00-\u9fff（）()]{1,39}?)\s*"
SPONSOR_SUFFIX = re.compile(_NAME_BEFORE + r"主办(?![\u4e00-\u9fff:])")
ORGANISER_SUFFIX = re.compile(_NAME_BEFORE + r"承办(?![\u4e00-\u9fff:])")
CONAC_MARKERS = ("conac.cn", "_ideconac", "conac%2ecn", "imgconac")
JIUCUO_MARKERS = ("_jiucuo_", "zfwzgl.www.gov.cn", "jiucuo.js", "jiucuo.html?site_code", "exposure/jiucuo")


def psb_links(html: str) -> list[str]:
    """The filing numbers a page links to the MPS filing system (``recordcode=…``), in order."""
    out: list[str] = []
    for match in PSB_LINK.finditer(html):
        if match.group(1) not in out:
            out.append(match.group(1))
    return out


def _linked_psb(simple: str, linked: list[str]) -> re.Match[str] | None:
    """The shown text of a number the footer links to the filing system, with the label
    written right before it (``桃公备：36010060070435``): present, whatever its spelling."""
    for number in linked:
        match = re.search(r"(?:[\u4e00-\u9fff]{1,8}\s?[:]?\s?)?(?<!\d)" + number + r"(?!\d)号?", simple)
        if match:
            return match
    return None


def footer_facts(
    text: str, conac: bool = False, jiucuo: bool = False, linked: list[str] | None = None
) -> dict[str, Any]:
    """{site_code, icp, psb, psb_link, sponsor, organiser, conac, jiucuo} from footer text.

    Matched on the normalised form (貴ICP備 reads as 贵ICP备); the values keep the
    page's own characters as evidence.  Absent values are ``""`` / False.  ``linked``:
    the numbers the page links to the MPS filing system (:func:`psb_links`); the first is
    kept as ``psb_link`` so a rule can tell "no number shown" from "a link, no number text".
    """
    text = squash(text)
    simple = normalise(text)
    site_code = SITE_CODE.search(simple)
    icp = ICP.search(simple) or ICP_LICENCE.search(simple)
    psb = (
        PSB.search(simple)
        or PSB_CITY.search(simple)
        or PSB_LABELLED.search(simple)
        or _linked_psb(simple, linked or [])
    )
    sponsor = SPONSOR.search(simple) or SPONSOR_BARE.search(simple) or SPONSOR_SUFFIX.search(simple)
    organiser = ORGANISER.search(simple) or ORGANISER_SUFFIX.search(simple)
    return {
        "site_code": site_code.group(1) if site_code else "",
        "icp": _original(icp, text, simple).strip(),
        "psb": _original(psb, text, simple).strip(),
        "psb_link": (linked or [""])[0],
        "sponsor": _original(sponsor, text, simple, 1),
        "organiser": _original(organiser, text, simple, 1),
        "conac": bool(conac),
        "jiucuo": bool(jiucuo),
    }


_JS_STRING = re.compile(r"'((?:[^'\\\n]|\\.)*)'" + r'|"((?:[^"\\\n]|\\.)*)"')
_TAG = re.compile(r"<[^>]*>")


def script_text(js: str) -> str:
    """The text a footer script writes: its string literals, unescaped, tags removed and
    character references (``&nbsp;``) read as a browser shows them."""
    return html_lib.unescape(_TAG.sub(" ", script_raw(js)))


def script_raw(js: str) -> str:
    """The markup a script writes: its string literals joined, unescaped (tags kept)."""
    parts = []
    for match in _JS_STRING.finditer(js[:200_000]):
        literal = match.group(1) if match.group(1) is not None else match.group(2)
        literal = literal.replace("\\/", "/")  # "<\/p>": JS's escaped slash (not a Python escape)
        if "\\" in literal:
            try:
                literal = literal.encode("latin-1", "backslashreplace").decode("unicode_escape")
            except UnicodeDecodeError:
                pass
        parts.append(literal)
    return "".join(parts)


def has_marker(html_lower: str, markers: tuple[str, ...]) -> bool:
    return any(m in html_lower for m in markers)
