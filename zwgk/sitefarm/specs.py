"""Which sites a farm has and which defects each one gets (the cheap level).

``build_specs(config)`` returns one ``SiteSpec`` per site, either generated
(provinces → cities → counties, each portal with its departments) or taken from
a national-export CSV.  Every choice comes from a seed derived from
``(config.seed, unit_id)``, so sites are independent of each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from zwgk.indicators.catalog import rule_codes
from zwgk.model import ZwgkError
from zwgk.sitefarm.config import DEFAULT_FAMILIES, FarmConfig
from zwgk.sitefarm.disclosure_codes import DISCLOSURE_CODES
from zwgk.sitefarm.model import SiteSpec
from zwgk.sitefarm.names import (
    DEPARTMENTS,
    PLACE_FIRST,
    PLACE_SECOND,
    PROVINCES,
    REGION_ABBR,
    STANDARD_COLUMN_NAMES,
)
from zwgk.sitefarm.substance_codes import SUBSTANCE_CODES

# The plan's codes, planted here and by ``generate`` / ``render`` / ``truth``: code → relative
# frequency (AVAIL-DOWN is decided separately, the IPv6 support-degree codes below).
WEIGHTS: dict[str, int] = {
    "FRESH-HOME": 3,
    "FRESH-COLUMN": 6,
    "COLUMN-BLANK": 5,
    "COLUMN-MISSING": 6,
    "INTERP-LATE": 5,
    "INTERP-MISSING": 4,
    "IPV6-NONE": 5,
    "IPV6-UNREACHABLE": 2,
    "IPV6-MISMATCH": 2,
    "LINK-HOME": 6,
    "LINK-PAGE": 6,
    "IDENT-SITECODE": 3,
    "IDENT-ICP": 3,
    "IDENT-PSB": 3,
    "IDENT-META": 4,
    "REPORT-LATE": 4,
    "REPLY-LATE": 4,
    "INTERP-RATE": 2,
    "IDENT-SPONSOR": 2,
    "CONAC-BADGE": 2,
    "SEARCH-MISSING": 2,
}
# The IPv6 support-degree plants added later (issue 20) are drawn from their own stream, so the
# rest of every farm's plan (and the figures measured on it) is unchanged: about one site in six
# without another IPv6 defect gets one of these, each with this probability.
IPV6_LATE_CODES: tuple[tuple[str, float], ...] = (
    ("IPV6-INTERMITTENT", 0.06),
    ("IPV6-DELEGATION", 0.06),
    ("IPV6-INNER-LINKS", 0.06),
)
PLAN_CODES: tuple[str, ...] = ("AVAIL-DOWN", *WEIGHTS, *(code for code, _ in IPV6_LATE_CODES))  # coverage order
IPV6_CODES = frozenset(
    {"IPV6-NONE", "IPV6-UNREACHABLE", "IPV6-MISMATCH", "IPV6-INTERMITTENT", "IPV6-DELEGATION", "IPV6-INNER-LINKS"}
)
# Catalog codes the farm plants no defect for, each with the reason (a rule only an evaluator
# can judge by hand, say).  Empty today: every rule of the catalog has a plant, including those
# judged from an input besides the site (the 依申请公开 register, 政务新媒体 accounts, the 上级
# 要点 dates), whose truth entries say which input.  tests/test_farm_truth.py holds the farm to
# it: every other code is planned on the default farm and in its ground truth.
NOT_PLANTED: dict[str, str] = {}
# Every code the farm plants, derived from the rule catalog (never a second hand-written list):
# the plan's codes above, the 年报 / 依申请公开 plants of ``zwgk.sitefarm.disclosure`` and the
# 政务公开 substance plants of ``zwgk.sitefarm.substance`` (each its own table, whose order is
# part of that module's seeded draw); every other code is a 办事服务 / content plant of
# ``zwgk.sitefarm.content``, in catalog order (part of that module's seeded draw: moving a code
# in the catalog, or adding one, changes which sites get which content plant).
ALL_CODES: tuple[str, ...] = tuple(code for code in rule_codes() if code not in NOT_PLANTED)
CONTENT_CODES: tuple[str, ...] = tuple(
    code for code in ALL_CODES if code not in PLAN_CODES + DISCLOSURE_CODES + SUBSTANCE_CODES
)
# Codes that need policy documents with 规范性文件 文号 (only portals number theirs 政发/府办发…).
INTERP_PORTAL_CODES = frozenset({"INTERP-MISSING", "INTERP-RATE"})
REPORT_MARGIN_DAYS = 20  # REPORT-LATE is only planted this far past the deadline


def derive_seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def pick_family(spec: SiteSpec, config: FarmConfig) -> str:
    """The template family of a site: the first draw of its "look" stream.

    ``generate._Builder`` makes the same draw for its template, so with the default
    families a site looks exactly as it did before families existed.
    """
    return random.Random(derive_seed(spec.seed, "look")).choice(config.families)


def report_deadline(kind: str, as_of: dt.date) -> dt.date:
    """Last day to publish last year's 年报: 1月31日 departments, 3月31日 governments."""
    return dt.date(as_of.year, 1, 31) if kind == "department" else dt.date(as_of.year, 3, 31)


def report_late_possible(kind: str, as_of: dt.date) -> bool:
    return as_of > report_deadline(kind, as_of) + dt.timedelta(days=REPORT_MARGIN_DAYS)


def build_specs(config: FarmConfig) -> list[SiteSpec]:
    """All sites of the farm with their defect plans, coverage-checked."""
    raw = _registry_specs(config) if config.registry else _synthetic_specs(config)
    planned = [_plan(spec, config) for spec in raw]
    if tuple(config.families) == DEFAULT_FAMILIES:
        covered = _ensure_coverage(planned, config)
    else:  # every family on its own plants every code (a family is measured on its own)
        covered = list(planned)
        for family in config.families:
            members = [i for i, s in enumerate(planned) if pick_family(s, config) == family]
            for i, spec in zip(members, _ensure_coverage([planned[i] for i in members], config)):
                covered[i] = spec
    covered = __import__("zwgk.sitefarm.content", fromlist=["plan_content"]).plan_content(covered, config)
    covered = __import__("zwgk.sitefarm.disclosure", fromlist=["plan_disclosure"]).plan_disclosure(covered, config)
    covered = __import__("zwgk.sitefarm.substance", fromlist=["plan_substance"]).plan_substance(covered, config)
    if config.repaired > 0:
        covered = [_repair(spec, config) for spec in covered]
    return covered


def _repair(spec: SiteSpec, config: FarmConfig) -> SiteSpec:
    """Drop a seeded share of the site's planted defects: its department fixed them.

    The draw depends only on the site's seed and the code, so a larger ``repaired``
    fixes a superset; what the fixed site then looks like is generated as usual.
    """
    kept = {
        code for code in spec.codes if random.Random(derive_seed(spec.seed, "repair", code)).random() >= config.repaired
    }
    if kept == set(spec.codes):
        return spec
    missing = spec.missing if "COLUMN-MISSING" in kept else ()
    return _consistent(replace(spec, codes=frozenset(kept), missing=missing), config)


# ---------------------------------------------------------------- identities


def _synthetic_specs(config: FarmConfig) -> list[SiteSpec]:
    rng = random.Random(derive_seed(config.seed, "places"))
    places = [(a + b, pa + pb) for a, pa in PLACE_FIRST for b, pb in PLACE_SECOND]
    rng.shuffle(places)
    used_slugs: set[str] = set()
    specs: list[SiteSpec] = []
    place_i = 0

    def next_place() -> tuple[str, str]:
        nonlocal place_i
        name, slug = places[place_i % len(places)]
        round_ = place_i // len(places)
        place_i += 1
        if round_:
            slug = f"{slug}{round_ + 1}"
        while slug in used_slugs:
            slug += "x"
        used_slugs.add(slug)
        return name, slug

    def add_government(
        tier: str,
        place: str,
        slug: str,
        region_code: str,
        region: str,
        parent: str,
        abbr: str,
        doc_prefix: str,
        departments: int,
    ) -> str:
        portal_code = f"{region_code}0001"
        name = f"{place}人民政府"
        specs.append(
            _spec(
                len(specs),
                portal_code,
                name,
                tier,
                "portal",
                region,
                parent,
                f"www.{slug}.gov.cn",
                True,
                abbr,
                doc_prefix,
                config.seed,
            )
        )
        drng = random.Random(derive_seed(config.seed, "departments", portal_code))
        for j, (county_name, prov_name, sub, services) in enumerate(drng.sample(DEPARTMENTS, departments)):
            if len(specs) >= config.sites:
                break
            if tier == "省":
                dept_name = place + prov_name
            elif tier == "市" and sub in ("fgw", "wjw"):
                dept_name = place + ("发展和改革委员会" if sub == "fgw" else "卫生健康委员会")
            else:
                dept_name = place + county_name
            specs.append(
                _spec(
                    len(specs),
                    f"{region_code}{j + 11:04d}",
                    dept_name,
                    tier,
                    "department",
                    region,
                    portal_code,
                    f"{sub}.{slug}.gov.cn",
                    services,
                    abbr,
                    doc_prefix,
                    config.seed,
                )
            )
        return portal_code

    p = 0
    while len(specs) < config.sites:
        prov_name, prov_slug, abbr, prov_code = PROVINCES[p % len(PROVINCES)]
        if p >= len(PROVINCES):
            prov_slug = f"{prov_slug}{p // len(PROVINCES) + 1}"
            prov_code = f"{(int(prov_code) + 40 * (p // len(PROVINCES))) % 90 + 10:02d}"
        used_slugs.add(prov_slug)
        prov_id = add_government("省", prov_name, prov_slug, f"{prov_code}0000", prov_name, "", abbr, abbr, 2)
        for c in range(3):
            if len(specs) >= config.sites:
                break
            city, city_slug = next_place()
            city += "市"
            city_code = f"{prov_code}{c + 1:02d}00"
            city_id = add_government("市", city, city_slug, city_code, prov_name + city, prov_id, abbr, city[0], 3)
            for k in range(4):
                if len(specs) >= config.sites:
                    break
                county, county_slug = next_place()
                county += "县"
                add_government(
                    "县",
                    county,
                    county_slug,
                    f"{prov_code}{c + 1:02d}{k + 21:02d}",
                    prov_name + city + county,
                    city_id,
                    abbr,
                    county[0],
                    3,
                )
        p += 1
    return specs[: config.sites]


def _spec(
    index: int,
    unit_id: str,
    name: str,
    tier: str,
    kind: str,
    region: str,
    parent: str,
    host: str,
    services: bool,
    abbr: str,
    doc_prefix: str,
    seed: int,
    site_code: str | None = None,
) -> SiteSpec:
    return SiteSpec(
        index=index,
        unit_id=unit_id,
        name=name,
        tier=tier,
        kind=kind,
        region=region,
        parent_id=parent,
        host=host,
        site_code=site_code if site_code is not None else unit_id,
        has_services=services,
        abbr=abbr,
        doc_prefix=doc_prefix,
        seed=derive_seed(seed, unit_id),
    )


_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def _registry_specs(config: FarmConfig) -> list[SiteSpec]:
    """Sites named after a national-export CSV (read with the csv module)."""
    path = Path(config.registry)  # type: ignore[arg-type]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        needed = {"网站标识码", "网站名称", "首页网址"}
        if not reader.fieldnames or not needed <= set(reader.fieldnames):
            raise ZwgkError(
                f"{path}:1: farm registry needs the columns {', '.join(sorted(needed))}, found {reader.fieldnames}"
            )
        rows = [(line, row) for line, row in enumerate(reader, start=2)]
    code_count: dict[str, int] = {}
    for _, row in rows:
        code = (row.get("网站标识码") or "").strip()
        code_count[code] = code_count.get(code, 0) + 1
    specs: list[SiteSpec] = []
    hosts: set[str] = set()
    for line, row in rows:
        code = (row.get("网站标识码") or "").strip()
        name = (row.get("网站名称") or "").strip() or f"网站{line}"
        seq = (row.get("序号") or "").strip() or str(line)
        unit_id = code if code and code_count[code] == 1 else f"{code or 'row'}-{seq}"
        host = _host_of(row.get("首页网址") or "")
        if not host or host in hosts:
            host = f"s{line}.farm.gov.cn"
        hosts.add(host)
        kind = "portal" if name.endswith("政府") else "department"
        abbr = REGION_ABBR.get(code[:2], "京")
        specs.append(
            _spec(
                len(specs),
                unit_id,
                name,
                _infer_tier(name, code, kind),
                kind,
                _region(name),
                "",
                host,
                kind == "portal" or not name.endswith(("统计局", "审计局")),
                abbr,
                abbr,
                config.seed,
                site_code=code,
            )
        )
    if not specs:
        raise ZwgkError(f"{path}: the farm registry has no rows")
    return specs


def _host_of(cell: str) -> str:
    """First usable host of a messy 首页网址 cell ('' when none)."""
    for token in re.split(r"[,，;；\s、]+", cell.strip()):
        if "." not in token:
            continue
        url = token if "://" in token else f"http://{token}"
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            continue
        if _HOST_RE.match(host) and not host.replace(".", "").isdigit():
            return host
    return ""


def _infer_tier(name: str, code: str, kind: str) -> str:
    if code.lower().startswith("bm"):
        return "部委"
    head = name.replace("人民政府", "")
    if name.startswith(_MUNICIPALITIES) and (kind == "portal" or "区" not in head):
        return "省"
    if kind == "portal":
        if head.endswith("省") or head.endswith("自治区"):
            return "省"
        if head.endswith(("乡", "镇", "街道")):
            return "乡"
        if head.endswith(("县", "区", "旗")):
            return "县"
        return "市"
    if re.search(r"[县区旗]", name):
        return "县"
    if "市" in name or "州" in name:
        return "市"
    return "省"


def _region(name: str) -> str:
    m = re.match(r"^(.*?(省|自治区|市|州|县|区|旗))", name)
    return m.group(1) if m else ""


# ---------------------------------------------------------------- defect plans


def _plan(spec: SiteSpec, config: FarmConfig) -> SiteSpec:
    """Pick this site's planted defects: most sites a few, some none, a few many."""
    rng = random.Random(derive_seed(spec.seed, "plan"))
    if rng.random() < 0.02:
        return replace(spec, codes=frozenset({"AVAIL-DOWN"}), missing=())
    profile = rng.random()
    count = 0 if profile < 0.12 else rng.randint(1, 3) if profile < 0.88 else rng.randint(5, 8)
    pool = dict(WEIGHTS)
    codes: set[str] = set()
    while len(codes) < count and pool:
        names = sorted(pool)
        code = rng.choices(names, weights=[pool[n] for n in names])[0]
        del pool[code]
        codes.add(code)
        if code in IPV6_CODES:
            for other in IPV6_CODES:
                pool.pop(other, None)
    if not codes & IPV6_CODES:
        draw = random.Random(derive_seed(spec.seed, "plan-ipv6")).random()
        for code, share in IPV6_LATE_CODES:
            if draw < share:
                codes.add(code)
                break
            draw -= share
    missing: tuple[str, ...] = ()
    if "COLUMN-MISSING" in codes:
        missing = tuple(sorted(rng.sample(STANDARD_COLUMN_NAMES, 2 if count >= 5 else 1)))
    return _consistent(replace(spec, codes=frozenset(codes), missing=missing), config)


def _consistent(spec: SiteSpec, config: FarmConfig) -> SiteSpec:
    """Drop codes the rest of the plan makes impossible; add the ones it implies."""
    codes = set(spec.codes)
    if "AVAIL-DOWN" in codes:
        return replace(spec, codes=frozenset({"AVAIL-DOWN"}), missing=())
    if spec.kind != "portal":
        codes -= INTERP_PORTAL_CODES
    if "政策文件" in spec.missing:
        codes -= {"INTERP-LATE"} | INTERP_PORTAL_CODES
    if "互动交流" in spec.missing:
        codes.discard("REPLY-LATE")
    late_possible = report_late_possible(spec.kind, config.as_of)
    if not late_possible:
        codes.discard("REPORT-LATE")
    if "政府信息公开年报" in spec.missing and config.as_of > report_deadline(spec.kind, config.as_of):
        codes.add("REPORT-LATE")
    if not config.ipv6:
        codes -= IPV6_CODES
        codes.add("IPV6-NONE")
    if "FRESH-HOME" in codes:
        codes.add("FRESH-COLUMN")  # the 要闻 column the homepage lists is stale too
    if spec.missing:
        codes.add("COLUMN-MISSING")
    return replace(spec, codes=frozenset(codes))


def _ensure_coverage(specs: list[SiteSpec], config: FarmConfig) -> list[SiteSpec]:
    """Make every rule code appear at least once (when the farm is big enough)."""
    if len(specs) < 6:
        return specs
    present = set().union(*(s.codes for s in specs))
    order = sorted(range(len(specs)), key=lambda i: derive_seed(config.seed, "cover", i))
    if "AVAIL-DOWN" not in present:
        i = next(i for i in order if specs[i].kind == "department" or i == order[-1])
        specs[i] = replace(specs[i], codes=frozenset({"AVAIL-DOWN"}), missing=())
        present = set().union(*(s.codes for s in specs))
    for code in PLAN_CODES:
        if code in present or code == "AVAIL-DOWN":
            continue
        if code == "REPORT-LATE" and not any(report_late_possible(s.kind, config.as_of) for s in specs):
            continue
        if code in IPV6_CODES and not config.ipv6:
            continue
        for i in order:
            s = specs[i]
            if "AVAIL-DOWN" in s.codes or (code in INTERP_PORTAL_CODES and s.kind != "portal"):
                continue
            if code == "REPORT-LATE" and not report_late_possible(s.kind, config.as_of):
                continue
            if code.startswith("INTERP") and "政策文件" in s.missing:
                continue
            if code == "REPLY-LATE" and "互动交流" in s.missing:
                continue
            if code in IPV6_CODES and s.codes & IPV6_CODES:
                continue
            missing = s.missing
            if code == "COLUMN-MISSING":
                missing = tuple(sorted(set(missing) | {"机构职能"}))
            specs[i] = _consistent(replace(s, codes=s.codes | {code}, missing=missing), config)
            break
        else:
            if code in IPV6_CODES:
                _swap_ipv6(specs, order, code, config)
        present = set().union(*(s.codes for s in specs))
    return specs


def _swap_ipv6(specs: list[SiteSpec], order: list[int], code: str, config: FarmConfig) -> None:
    """A site holds one IPv6 plant at most, so a small family can run out of sites for the
    six of them: then a site whose IPv6 plant another site also has takes ``code`` instead."""
    held: dict[str, int] = {}
    for spec in specs:
        for c in spec.codes & IPV6_CODES:
            held[c] = held.get(c, 0) + 1
    for i in order:
        mine = specs[i].codes & IPV6_CODES
        if len(mine) == 1 and held[next(iter(mine))] >= 2:
            specs[i] = _consistent(replace(specs[i], codes=(specs[i].codes - mine) | {code}), config)
            return
