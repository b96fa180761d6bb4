"""Header recognition: canonical column names and their Chinese aliases.

A header cell is compared after NFKC, lower-casing and removing spaces,
``*`` (required-field marks) and bracketed hints, so ``网站地址（URL）`` and
`` Site_URL `` both name ``site_url``.
"""

from __future__ import annotations

import re
import unicodedata

CANONICAL = (
    "unit_id",
    "unit_name",
    "tier",
    "kind",
    "region",
    "parent_id",
    "site_url",
    "site_code",
    "has_services",
)

# Extra columns of the national export that are read but not stored.
EXTRA = ("serial", "sponsor", "status")

ALIASES: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "unitid", "id", "单位编码", "单位代码", "单位id", "单位编号", "编码"),
    "unit_name": ("unit_name", "unitname", "name", "单位名称", "名称", "单位", "网站名称", "网站全称"),
    "tier": ("tier", "level", "层级", "级别", "行政级别", "单位层级"),
    "kind": ("kind", "type", "类型", "单位类型", "网站类型", "网站类别"),
    "region": ("region", "地区", "所属地区", "行政区划", "区域", "所在地区"),
    "parent_id": ("parent_id", "parentid", "parent", "上级单位", "上级单位编码", "上级单位代码", "上级编码"),
    "site_url": (
        "site_url",
        "siteurl",
        "url",
        "homepage",
        "网站地址",
        "首页网址",
        "网址",
        "网站网址",
        "首页地址",
        "网站首页",
    ),
    "site_code": ("site_code", "sitecode", "网站标识码", "标识码", "网站识别码"),
    "has_services": (
        "has_services",
        "hasservices",
        "services",
        "是否有对外服务",
        "有对外服务",
        "对外服务",
        "是否有对外服务职能",
        "有无对外服务",
    ),
    "serial": ("序号", "no", "#"),
    "sponsor": ("网站主管单位", "主管单位", "主办单位", "网站主办单位", "sponsor"),
    "status": ("网站状态", "状态", "status"),
}

_LOOKUP = {alias: key for key, aliases in ALIASES.items() for alias in aliases}


def header_key(cell: object) -> str | None:
    """The canonical (or extra) key a header cell names, or ``None``."""
    text = unicodedata.normalize("NFKC", "" if cell is None else str(cell))
    text = re.sub(r"\([^)]*\)|\[[^]]*\]", "", text)
    text = re.sub(r"[\s*:]+", "", text).lower().lstrip("\ufeff")
    return _LOOKUP.get(text)


def map_header(cells: list[str]) -> dict[str, int]:
    """``key -> column index`` for the recognised cells (the first of duplicates wins)."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(cell)
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def is_header(mapping: dict[str, int]) -> bool:
    """A row names the registry's columns when it has a name and a URL column."""
    return "unit_name" in mapping and "site_url" in mapping


def is_national(mapping: dict[str, int]) -> bool:
    """The 全国政府网站基本信息数据库 export: 网站标识码 + 网站名称 + 首页网址, no unit_id."""
    return "unit_id" not in mapping and "site_code" in mapping and "sponsor" in mapping


TIER_VALUES: dict[str, str] = {
    **{v: "部委" for v in ("部委", "国务院部门", "中央", "ministry", "national", "0")},
    **{v: "省" for v in ("省", "省级", "省级政府", "province", "provincial", "1")},
    **{v: "市" for v in ("市", "市级", "地市", "地市级", "地级", "city", "prefecture", "2")},
    **{v: "县" for v in ("县", "县级", "区县", "县区", "county", "district", "3")},
    **{v: "乡" for v in ("乡", "乡级", "乡镇", "镇", "街道", "township", "town", "4")},
}
KIND_VALUES: dict[str, str] = {
    **{v: "portal" for v in ("portal", "门户", "政府门户", "政府门户网站", "门户网站", "政府", "人民政府")},
    **{v: "department" for v in ("department", "dept", "部门", "部门网站", "政府部门")},
}
BOOL_VALUES: dict[str, bool] = {
    **{v: True for v in ("1", "是", "有", "true", "yes", "y", "t", "√", "✓")},
    **{v: False for v in ("0", "否", "无", "false", "no", "n", "f", "×", "✗")},
}


def _key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


def parse_tier(value: str) -> str | None:
    return TIER_VALUES.get(_key(value))


def parse_kind(value: str) -> str | None:
    return KIND_VALUES.get(_key(value))


def parse_bool(value: str) -> bool | None:
    return BOOL_VALUES.get(_key(value))
