"""Inferring a unit's tier (部委/省/市/县/乡), kind (portal/department) and region.

Registries such as the national export have no tier column, so we infer it,
pragmatically, from two signals (docs/registry.md lists the rules):

* the 网站标识码: ``bm…`` = State Council department (部委); a 10-digit code
  starts with the 6-digit administrative division code, whose shape gives the
  level (``XX0000`` province, ``XXYY00`` city, else county; districts of the
  four 直辖市 are county level); ``NNBM…`` = a vertically managed body in
  province NN; ``BT00…`` = the 兵团 itself (province level), ``BTnn…`` = a 师
  (city level).
* the name: its leading chain of place names (``湖南省岳阳市岳阳县…``) whose
  last suffix gives the level, and its tail (``…人民政府`` / ``…人民政府办公室`` /
  ``…政府网`` / ``…政务网`` / ``中国XX`` → portal; anything with 局/委/办/厅/
  部/中心… → department).  A 乡/镇/街道 place in the name makes the tier 乡.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from zwgk.model import Tier, UnitKind

MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}
_MUNICIPALITY_NAMES = set(MUNICIPALITIES.values())
# Provincial-level units by the short name used in site names (中国河北, 天津政务网, 上海徐汇).
PROVINCES = {
    short: short + suffix
    for suffix, shorts in (
        ("市", "北京 天津 上海 重庆"),
        (
            "省",
            "河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 "
            "云南 陕西 甘肃 青海 台湾",
        ),
    )
    for short in shorts.split()
} | {
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}

# Longest suffixes first so "自治州" wins over "州".
_DEPTH = {"部委": 0, "省": 1, "市": 2, "县": 3, "乡": 4}
_PLACE_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "特区",
    "新区",
    "地区",
    "街道",
    "苏木",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
    "乡",
    "镇",
)
_SUFFIX_TIER = {
    "特别行政区": Tier.PROVINCE,
    "自治区": Tier.PROVINCE,
    "省": Tier.PROVINCE,
    "市": Tier.CITY,
    "州": Tier.CITY,
    "自治州": Tier.CITY,
    "盟": Tier.CITY,
    "地区": Tier.CITY,
    "县": Tier.COUNTY,
    "自治县": Tier.COUNTY,
    "区": Tier.COUNTY,
    "新区": Tier.COUNTY,
    "旗": Tier.COUNTY,
    "自治旗": Tier.COUNTY,
    "林区": Tier.COUNTY,
    "特区": Tier.COUNTY,
    "乡": Tier.TOWNSHIP,
    "镇": Tier.TOWNSHIP,
    "街道": Tier.TOWNSHIP,
    "苏木": Tier.TOWNSHIP,
}
_UNIT_RE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:" + "|".join(_PLACE_SUFFIXES) + r")")
# Words that belong to an institution or a programme, never to a place name
# ("河北省住房和城乡建设厅" must not yield the place "住房和城乡").
_NOT_IN_PLACE = re.compile(
    r"局|委|厅|办|政府|政务|中心|管理|服务|城乡|建设|住房|公司|集团|网|中共|监狱|学校|医院|研究|"
    r"协会|总队|支队|开发|经济|技术|高新|保税|试验|示范|产业|工业|国家|合作|信息"
)
# Words ending in a place suffix that are not places ("岳阳市城市管理局").
_NOT_PLACES = {"城市", "都市", "社区", "园区", "景区", "市区", "城区", "小区", "片区", "辖区", "地区", "新区"}
# A shortest match followed by one of these is a longer name: 广州|市, 贵州|省, 通州|区,
# 景德镇|市, 柏乡|县, 津市|市 (but 北京市|市场监督管理局 stays 北京市).
_EXTENDERS = "市县区旗省"
_DECOR = ("官方网站", "门户网站", "网站", "官网", "门户网", "门户")
_PORTAL_TAIL = re.compile(
    r"(人民政府(?:办公室|办公厅)?|人民政府网|人民政府门户|政府|政府网|政务网|政府门户|政务门户|街道办事处|办事处)$"
)
_MINISTRY_PREFIX = ("中华人民共和国", "国务院", "国家", "中央", "中共中央")
_BINGTUAN = "新疆生产建设兵团"


@dataclass(frozen=True, slots=True)
class Inference:
    tier: str | None  # None: could not tell
    kind: str
    region: str
    why: str  # which signal decided the tier, for the import report


def _strip_party(text: str) -> str:
    """``中共嘉兴市委嘉兴市人民政府`` → ``嘉兴市人民政府`` (joint party/government sites)."""
    return re.sub(r"^中共[\u4e00-\u9fff]{2,12}?[省市县区州盟旗]委(?!员)", "", text)


@lru_cache(maxsize=65536)  # each name is classified several times (kind, tier, region index)
def clean_name(name: str) -> str:
    """The name reduced to what classifies it.

    Drops bracketed remarks, quotes and website decoration (网站, 门户网站 …),
    keeps the last of several names joined by separators (``平邑政府网_平邑县人民政府``,
    ``中共盐亭县委 盐亭县人民政府``) and a leading party committee (``中共嘉兴市委``).
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\([^)]*\)|\[[^]]*\]|【[^】]*】|〔[^〕]*〕", "", text)
    text = re.sub(r"[\"'“”‘’《》「」『』·•・.]", "", text)
    parts = [p for p in re.split(r"[\s_\-－—–|｜、,，;；/]+", text) if p]
    long_parts = [p for p in parts if len(p) >= 4]
    text = "".join(parts)
    if long_parts and place_chain(_strip_party(long_parts[-1])):
        text = long_parts[-1]  # "中共盐亭县委 盐亭县人民政府" → the government's own name
    text = _strip_party(text)

    changed = True
    while changed:
        changed = False
        for decor in _DECOR:
            if text.endswith(decor) and len(text) > len(decor):
                text = text[: -len(decor)]
                changed = True
    return text


def place_chain(name: str) -> list[str]:
    """The leading place names of a (cleaned) name: 湖南省岳阳市岳阳县教育局 → [湖南省, 岳阳市, 岳阳县]."""
    return list(_place_chain(name))


@lru_cache(maxsize=65536)
def _place_chain(name: str) -> tuple[str, ...]:
    chain: list[str] = []
    pos = 0
    while pos < len(name):
        match = _UNIT_RE.match(name, pos)
        if not match:
            break
        unit, end = match.group(0), match.end()
        if end < len(name) and name[end] in _EXTENDERS and (unit[-1] in "州镇乡" or len(unit) == 2):
            unit, end = unit + name[end], end + 1
        if unit in _NOT_PLACES or _NOT_IN_PLACE.search(unit):
            break
        chain.append(unit)
        pos = end
    return tuple(chain)


def _suffix_of(place: str) -> str:
    for suffix in _PLACE_SUFFIXES:
        if place.endswith(suffix):
            return suffix
    return ""


def tier_of_chain(chain: list[str]) -> str | None:
    """The level of the last place of the chain (直辖市 count as 省)."""
    if not chain:
        return None
    if len(chain) == 1 and chain[0] in _MUNICIPALITY_NAMES:
        return Tier.PROVINCE.value
    tier = _SUFFIX_TIER.get(_suffix_of(chain[-1]))
    return tier.value if tier else None


def division_of(code: str) -> str | None:
    """The 6-digit administrative division code of a 10-digit 网站标识码, else None."""
    code = (code or "").strip()
    if len(code) == 10 and code.isdigit():
        return code[:6]
    return None


def tier_of_code(code: str) -> str | None:
    """The level a 网站标识码 encodes, or None when it does not say."""
    code = (code or "").strip()
    upper = code.upper()
    if re.fullmatch(r"BM\d{6,}", upper):
        return Tier.MINISTRY.value
    if re.fullmatch(r"BT\d{8}", upper):
        return Tier.PROVINCE.value if upper[2:4] == "00" else Tier.CITY.value
    division = division_of(code)
    if division is None:
        return None
    if division[2:] == "0000":
        return Tier.PROVINCE.value
    if division[:2] in MUNICIPALITIES:
        return Tier.COUNTY.value if division[4:] != "00" else Tier.PROVINCE.value
    if division[4:] == "00":
        return Tier.CITY.value
    return Tier.COUNTY.value


def is_portal(name: str) -> bool:
    """人民政府 / 人民政府办公室 / 政府网 / 政务网 / 中国XX / a bare place name → portal."""
    core = clean_name(name)
    if not core:
        return False
    if core == _BINGTUAN or re.fullmatch(r"(新疆生产建设)?兵团(第[一二三四五六七八九十]+师)?(政务网)?", core):
        return True
    match = _PORTAL_TAIL.search(core)
    if match:
        head = core[: match.start()]
        if match.group(1) in ("街道办事处", "办事处") and not head:
            return False
        if match.group(1) == "办事处" and not head.endswith(("街道", "镇", "乡")):
            return False
        return "".join(place_chain(head)) == head or not _NOT_IN_PLACE.search(head)
    if core.startswith("中国") and 2 < len(core) <= 8 and not _NOT_IN_PLACE.search(core[2:]):
        return True  # 中国河北, 中国宜春
    chain = place_chain(core)
    return bool(chain) and "".join(chain) == core  # a bare place name is its government's site


def is_ministry_name(name: str) -> bool:
    """国务院部门: 中华人民共和国XX部, 国家XX局, XX部 (with no place name first)."""
    core = clean_name(name)
    if place_chain(core):
        return False
    if core in ("中国政府网", "中央人民政府"):  # www.gov.cn, the State Council's portal
        return True
    if core.startswith(_MINISTRY_PREFIX):
        return True
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{1,8}部", core)) or bool(
        re.fullmatch(r"中国[\u4e00-\u9fff]{1,8}(局|会|署)", core)
    )


class PlaceIndex:
    """Division code → place name, learnt from the registry itself.

    Used for the region of units whose name carries no place (``天津政务网``,
    ``成都信用``): the most common place chain among rows of the same division.
    """

    def __init__(self) -> None:
        self._votes: dict[str, Counter[str]] = {}

    def add(self, code: str, name: str) -> None:
        division = division_of(code)
        if division is None:
            return
        chain = place_chain(clean_name(name))
        if chain:
            self._votes.setdefault(division, Counter())["".join(chain)] += 1

    def place(self, code: str) -> str:
        division = division_of(code)
        votes = self._votes.get(division or "")
        return votes.most_common(1)[0][0] if votes else ""


def infer(name: str, code: str = "", places: PlaceIndex | None = None) -> Inference:
    """Tier, kind and region of a unit from its name and 网站标识码."""
    core = clean_name(name)
    chain = place_chain(core[2:] if core.startswith("中国") else core)
    portal = is_portal(name)
    kind = UnitKind.PORTAL.value if portal else UnitKind.DEPARTMENT.value

    region = "".join(chain)
    if not region and places is not None:
        region = places.place(code)
    bare = _PORTAL_TAIL.sub("", core[2:] if core.startswith("中国") else core)
    province = next((full for short, full in PROVINCES.items() if bare.startswith(short)), "")
    if not region and province:
        region = province if bare in (province, province[: len(bare)]) or not portal else ""
    if not region and core.startswith("中国") and portal:
        region = bare
    upper = (code or "").upper()
    if upper.startswith("BT") or core.startswith(("兵团", _BINGTUAN)):
        region = region or _BINGTUAN

    name_tier = tier_of_chain(chain)
    code_tier = tier_of_code(code)
    if portal and name_tier and code_tier and _DEPTH[name_tier] > _DEPTH[code_tier]:
        # A county/township government registered under its city's code (扎囊县人民政府办公室).
        return Inference(name_tier, kind, region, "name (portal below its code's level)")
    if code_tier is not None and not re.fullmatch(r"\d{2}BM\w*", upper):
        return Inference(code_tier, kind, region, "网站标识码")
    if re.fullmatch(r"\d{2}BM\w*", upper):
        return Inference(name_tier or Tier.PROVINCE.value, kind, region, "网站标识码 (NNBM vertical body) + name")
    if is_ministry_name(name):
        return Inference(Tier.MINISTRY.value, kind, region, "name (国务院部门)")
    if name_tier is not None:
        return Inference(name_tier, kind, region, "name")
    if portal and province and bare in PROVINCES:
        return Inference(Tier.PROVINCE.value, kind, province, "name (province)")
    return Inference(None, kind, region, "")
