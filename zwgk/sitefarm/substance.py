"""The farm's 政务公开 substance plants (issue 16): timeliness of 主动公开, the annual 要点,
leaders' own 解读.

Kept apart like ``zwgk.sitefarm.content``: its own random streams, one hook in
``generate._Builder.build`` (so every template family — trs, hanweb, jiyue, xiangzhen — gets
the plants through its own item paths and renderers), one line in ``truth``.

- ``plan_substance(specs, config)``: each site's ``substance_codes`` (a share of sites, every
  code at least once per family on farms big enough; ``repaired`` drops a seeded share).
- ``fill_substance(builder, columns)``: on every live site, the unit's own 政务公开工作要点 of
  last year and this year in its 政府信息公开制度 column (published 3–22 working days after
  the farm's 上级 date), and one of this year's 解读 retitled as the head's own
  (主要负责同志解读 / 县长做客在线访谈解读…).  Plants: KEYPOINTS-LATE (this year's 要点 missing,
  or published 8–40 working days after the deadline), INTERP-LEADER (no head's 解读),
  PUBLISH-LATE (a policy document whose 成文日期 is 60–120 days before its 发布日期).
- ``substance_defects(farm, site)``: the ground truth, read off the model.
- ``farm_rubric_toml(config)``: the farm's 上级 要点 dates as a rubric on top of national-2019
  (the evaluating office's way to give a year's date): ``bench/accuracy.py`` runs with it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from typing import Any

from zwgk.sitefarm.model import Column, Item, SiteSpec
from zwgk.sitefarm.specs import derive_seed, pick_family
from zwgk.sitefarm.substance_codes import SUBSTANCE_CODES
from zwgk.sitefarm.workdays import add_workdays

SUBSTANCE_SHARE = 0.3
KEYPOINTS_WORKDAYS = 30  # the rule's limit (rubric KEYPOINTS-LATE.max_working_days)
PUBLISH_WINDOW = 330  # PUBLISH-LATE plants on documents published this many days before as-of at most
LEADER_WINDOW = 365
LEADER_MIN_ITEMS = 5  # INTERP-LEADER is planted only where this many 解读 of the year are listed
HEADS = {"省": "省长", "市": "市长", "县": "县长", "乡": "镇长"}


def farm_reference(year: int) -> dt.date:
    """The farm's (fictional) date of the 上级 政务公开工作要点 of ``year``."""
    return dt.date(year, 4, 15)


def keypoints_deadline(year: int) -> dt.date:
    return add_workdays(farm_reference(year), KEYPOINTS_WORKDAYS)


def farm_rubric_toml(config: Any) -> str:
    """national-2019 plus the farm's 上级 要点 dates of the years it publishes 要点 for."""
    year = config.as_of.year
    lines = [
        'base = "national-2019"',
        'name = "farm-national-2019"',
        "",
        "[rules.KEYPOINTS-LATE.params.reference_dates]",
    ]
    lines += [f'"{y}" = "{farm_reference(y).isoformat()}"' for y in (year - 1, year)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- plan


def _applicable(spec: SiteSpec, code: str, config: Any) -> bool:
    if "AVAIL-DOWN" in spec.codes:
        return False
    if code == "KEYPOINTS-LATE":
        return "政府信息公开制度" not in spec.missing and config.as_of > keypoints_deadline(
            config.as_of.year
        ) + dt.timedelta(days=20)
    if code == "PUBLISH-LATE":
        return "政策文件" not in spec.missing
    if code == "INTERP-LEADER":
        return "政策解读" not in spec.missing
    if code in ("JICENG-AREA", "JICENG-ELEMENT"):
        return has_catalog(spec, config)
    return code.startswith("MEDIA-")  # every live unit has accounts (served as feeds or written as an export)


def has_catalog(spec: SiteSpec, config: Any) -> bool:
    """County and township portals of the trs / hanweb templates publish a 基层 标准目录 column
    (rendered by ``render`` through :func:`catalog_article`; other families have none)."""
    return (
        spec.tier in ("县", "乡")
        and spec.kind == "portal"
        and "AVAIL-DOWN" not in spec.codes
        and pick_family(spec, config) in ("trs", "hanweb")
    )


ROOM = 3  # substance plants go first to sites planning ≥ 3 codes of the main plan: a farm's few bad sites get
# worse, its many sites with 1–4 defects and its clean sites stay as they are


def _planned(spec: SiteSpec) -> int:
    """How many codes of the main plan the site has (not yet repaired, so a repaired farm plans alike)."""
    return len(spec.codes)


def _room(spec: SiteSpec) -> bool:
    return _planned(spec) >= ROOM


def plan_substance(specs: list[SiteSpec], config: Any) -> list[SiteSpec]:
    """Every site's ``substance_codes`` (own random stream), coverage-checked per family, then repaired."""
    out = []
    for spec in specs:
        rng = random.Random(derive_seed(spec.seed, "substance-plan"))
        codes: set[str] = set()
        pool = [c for c in SUBSTANCE_CODES if _applicable(spec, c, config)]
        if pool and _room(spec) and rng.random() < SUBSTANCE_SHARE:
            codes.update(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))))
        out.append(replace(spec, substance_codes=frozenset(codes)))
    if len(out) >= 6:
        order = sorted(range(len(out)), key=lambda i: derive_seed(config.seed, "substance-cover", i))
        want = max(1, len(out) // 40)
        for family in getattr(config, "families", ("trs", "hanweb")):
            members = [i for i in order if pick_family(out[i], config) == family]
            for code in SUBSTANCE_CODES:
                have = sum(code in out[i].substance_codes for i in members)
                # sites with few other defects first: most sites of a farm keep 1–4 defects
                for i in sorted(members, key=lambda i: (-_planned(out[i]), i)):
                    if have >= want:
                        break
                    if code not in out[i].substance_codes and _applicable(out[i], code, config):
                        out[i] = replace(out[i], substance_codes=out[i].substance_codes | {code})
                        have += 1
    if getattr(config, "repaired", 0) > 0:
        out = [
            replace(
                s,
                substance_codes=frozenset(
                    c
                    for c in s.substance_codes
                    if random.Random(derive_seed(s.seed, "repair", c)).random() >= config.repaired
                ),
            )
            for s in out
        ]
    return out


# ---------------------------------------------------------------- model


@dataclass(slots=True)
class SubstancePlants:
    """What ``fill_substance`` put into a site (read by truth)."""

    keypoints: dict[int, str] = field(default_factory=dict)  # year → item path of the unit's 要点
    keypoints_late: int = 0  # the year planted late or missing (0: none)
    catalog: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # item path → (area, headers)
    areas_missing: list[str] = field(default_factory=list)  # JICENG-AREA: standard area names left out
    elements_missing: list[str] = field(default_factory=list)  # JICENG-ELEMENT: item paths
    media: list[FarmAccount] = field(default_factory=list)  # 政务新媒体 accounts (MEDIA-*)
    late_published: list[str] = field(default_factory=list)  # PUBLISH-LATE item paths
    leader: str = ""  # item path of the head's 解读 ("" none)
    leader_missing: bool = False  # INTERP-LEADER planted


def _head(spec: SiteSpec) -> str:
    if spec.kind == "portal":
        return HEADS.get(spec.tier, "主要负责同志")
    return "局长" if spec.name.endswith("局") else "主任"


def fill_substance(builder: Any, cols: dict[str, Column]) -> SubstancePlants:
    """Add the plants to the site being built (after its policy documents and reports)."""
    spec, as_of = builder.spec, builder.as_of
    plants = SubstancePlants()
    if "AVAIL-DOWN" in spec.codes:
        return plants
    codes = spec.substance_codes
    rng = random.Random(derive_seed(spec.seed, "substance"))
    _keypoints(builder, cols, plants, rng, "KEYPOINTS-LATE" in codes)
    if "PUBLISH-LATE" in codes and "zcwj" in cols:
        recent = [d for d in cols["zcwj"].items if 5 <= (as_of - d.date).days <= PUBLISH_WINDOW]
        if recent:
            doc = rng.choice(recent[:10])
            doc.written = doc.date - dt.timedelta(days=rng.randint(60, 120))
            plants.late_published.append(doc.path)
    _leader(builder, cols, plants, rng, "INTERP-LEADER" in codes)
    if has_catalog(spec, builder.config):
        _catalog(builder, cols, plants, random.Random(derive_seed(spec.seed, "substance-catalog")), codes)
    plants.media = _media(spec, as_of, random.Random(derive_seed(spec.seed, "substance-media")), codes)
    return plants


# ---------------------------------------------------------------- 政务新媒体


@dataclass(slots=True)
class FarmAccount:
    """A unit's account: its feed on the unit's own host, or only a platform export (posts file)."""

    platform: str
    name: str
    kind: str  # feed / export / gone (on the registry, its feed answers 404)
    path: str  # feed path on the site ("" for an export)
    posts: list[tuple[dt.datetime, str, int, int]] = field(default_factory=list)  # (time, title, comments, replied)
    stale: bool = False
    unanswered: bool = False


def _posts(as_of: dt.date, rng: random.Random, newest: int, n: int = 8) -> list[tuple[dt.datetime, str, int, int]]:
    out = []
    for i in range(n):
        day = as_of - dt.timedelta(days=newest + i * rng.randint(2, 5))
        out.append(
            (
                dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59))),
                f"政务信息发布第{i + 1}期",
                0,
                0,
            )
        )
    return out


def _media(spec: SiteSpec, as_of: dt.date, rng: random.Random, codes: frozenset[str]) -> list[FarmAccount]:
    place = spec.name.replace("人民政府", "")
    wx = FarmAccount("微信公众号", f"{place}发布", "feed", "/xwmt/wx.xml")
    stale = "MEDIA-STALE" in codes
    wx.posts = _posts(as_of, rng, rng.randint(20, 60) if stale else rng.randint(1, 5))
    wx.stale = stale
    accounts = [wx]
    dy = FarmAccount("抖音", f"{place}政务", "export", "")
    dy.posts = [
        (t, title, c, c) for t, title, _, _ in _posts(as_of, rng, rng.randint(1, 5)) for c in [rng.randint(0, 6)]
    ]
    if "MEDIA-REPLY" in codes:
        old = [i for i, p in enumerate(dy.posts) if (as_of - p[0].date()).days >= 10]
        i = rng.choice(old)
        t, title, _, _ = dy.posts[i]
        dy.posts[i] = (t, title, rng.randint(3, 9), rng.randint(0, 2))
        dy.unanswered = True
    accounts.append(dy)
    if "MEDIA-GONE" in codes:
        accounts.append(FarmAccount("微博", f"{place}微博", "gone", "/xwmt/wb.xml"))
    return accounts


def media_feed(site: Any, path: str) -> str | None:
    """The RSS 2.0 document of the site's account served at ``path`` (None: not a feed here)."""
    plants: SubstancePlants | None = getattr(site, "substance", None)
    if plants is None:
        return None
    account = next((a for a in plants.media if a.kind == "feed" and a.path == path), None)
    if account is None:
        return None
    from email.utils import format_datetime
    from html import escape

    items = "".join(
        f"<item><title>{escape(title)}</title><link>http://mp.example.invalid/{site.spec.unit_id}/{n}</link>"
        f"<pubDate>{format_datetime(when.replace(tzinfo=dt.UTC))}</pubDate></item>"
        for n, (when, title, _, _) in enumerate(account.posts)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(account.name)}</title>'
        f"<link>http://mp.example.invalid/{site.spec.unit_id}</link>{items}</channel></rss>"
    )


def write_media_files(farm: Any, directory: Any) -> tuple[Any, Any]:
    """The farm's account registry and its export-only accounts' posts, as CSV files a unit would send."""
    import csv
    from pathlib import Path

    farm = getattr(farm, "farm", farm)  # a running FarmHandle or the Farm itself
    directory = Path(directory)
    accounts, posts = directory / "media-accounts.csv", directory / "media-posts.csv"
    with (
        accounts.open("w", encoding="utf-8-sig", newline="") as fa,
        posts.open("w", encoding="utf-8-sig", newline="") as fp,
    ):
        wa, wp = csv.writer(fa), csv.writer(fp)
        wa.writerow(["单位编码", "平台", "账号名称", "运营主体", "主页", "订阅地址", "状态"])
        wp.writerow(["单位编码", "平台", "账号名称", "发布时间", "标题", "链接", "评论数", "回复数"])
        for spec in farm.specs:
            site = farm.site(spec)
            plants = getattr(site, "substance", None)
            for a in plants.media if plants is not None else []:
                feed = farm.origins.resolve(spec, a.path) if a.path else ""
                wa.writerow([spec.unit_id, a.platform, a.name, spec.name, "", feed, "在用"])
                if a.kind == "export":
                    for when, title, comments, replied in a.posts:
                        wp.writerow(
                            [
                                spec.unit_id,
                                a.platform,
                                a.name,
                                when.strftime("%Y-%m-%d %H:%M"),
                                title,
                                "",
                                comments,
                                replied,
                            ]
                        )
    return accounts, posts


# the 26 areas of seed 004 (in its order) and other names county catalogues give some of them
CATALOG_AREAS = (
    "国土空间规划",
    "重大建设项目",
    "公共资源交易",
    "财政预决算",
    "安全生产",
    "税收管理",
    "征地补偿",
    "国有土地上房屋征收",
    "保障性住房",
    "农村危房改造",
    "环境保护",
    "公共文化服务",
    "公共法律服务",
    "扶贫",
    "救灾",
    "食品药品监管",
    "城市综合执法",
    "就业创业",
    "社会保险",
    "社会救助",
    "养老服务",
    "户籍管理",
    "涉农补贴",
    "义务教育",
    "医疗卫生",
    "市政服务",
)
CATALOG_ALIASES = {
    "国土空间规划": "城乡规划",
    "环境保护": "生态环境",
    "扶贫": "乡村振兴",
    "城市综合执法": "城市管理综合执法",
    "就业创业": "就业",
    "食品药品监管": "食品药品监督",
}
CATALOG_HEADERS = (
    "序号",
    "公开事项",
    "公开内容",
    "公开依据",
    "公开时限",
    "公开主体",
    "公开方式",
    "公开渠道和载体",
    "公开对象",
)
DROPPABLE = ("公开依据", "公开时限", "公开主体", "公开方式", "公开渠道和载体", "公开对象")
CATALOG_NAMES = ("基层政务公开标准目录", "政务公开事项标准目录", "基层政务公开标准化规范化")


def _catalog(
    builder: Any, cols: dict[str, Column], plants: SubstancePlants, rng: random.Random, codes: frozenset[str]
) -> None:
    """A 标准目录 column under 政府信息公开 with one catalogue page per area (a table of its items)."""
    as_of = builder.as_of
    parent = "xxgk" if "xxgk" in cols else ""
    col = Column(
        key="bzml",
        std="",
        name=rng.choice(CATALOG_NAMES),
        fresh="",
        kind="list",
        parent=parent,
        where="sub" if parent else "top",
        path=builder._col_path("bzml"),
        page_size=30,
    )
    areas = list(CATALOG_AREAS)
    if "JICENG-AREA" in codes:
        plants.areas_missing = sorted(rng.sample(areas, rng.randint(1, 3)), key=areas.index)
    shown = [a for a in areas if a not in plants.areas_missing]
    for i, area in enumerate(shown):
        name = CATALOG_ALIASES[area] if area in CATALOG_ALIASES and rng.random() < 0.5 else area
        day = as_of - dt.timedelta(days=40 + 3 * i)
        item = builder._new_item("bzml", "catalog", f"{name}领域基层政务公开标准目录", day, rng)
        col.items.append(item)
        plants.catalog[item.path] = (area, CATALOG_HEADERS)
    if "JICENG-ELEMENT" in codes and col.items:
        item = col.items[rng.randrange(min(5, len(col.items)))]  # among the newest: the assessment reads it
        dropped = set(rng.sample(DROPPABLE, rng.choice((1, 2))))
        plants.catalog[item.path] = (
            plants.catalog[item.path][0],
            tuple(h for h in CATALOG_HEADERS if h not in dropped),
        )
        plants.elements_missing.append(item.path)
    cols["bzml"] = col


def catalog_article(ctx: Any, item: Item, page: str) -> str:
    """A catalogue page with its table (rows: the area's items with every shown element)."""
    plants: SubstancePlants | None = getattr(ctx.site, "substance", None)
    if plants is None or item.path not in plants.catalog:
        return page
    import html

    area, headers = plants.catalog[item.path]
    values = {
        "公开内容": "事项办理依据、条件、程序及结果",
        "公开依据": "《中华人民共和国政府信息公开条例》",
        "公开时限": "信息形成或变更之日起20个工作日内",
        "公开主体": ctx.site.spec.name,
        "公开方式": "主动公开",
        "公开渠道和载体": "政府网站、政务新媒体、公开栏",
        "公开对象": "全社会",
    }
    rows = []
    for n in range(1, 4):
        cells = {"序号": str(n), "公开事项": f"{area}事项{n}", **values}
        rows.append("<tr>" + "".join(f"<td>{html.escape(cells[h])}</td>" for h in headers) + "</tr>")
    table = (
        '<table class="bzml" border="1"><tr>'
        + "".join(f"<th>{h}</th>" for h in headers)
        + "</tr>"
        + "".join(rows)
        + "</table>\n"
    )
    cut = page.find('<div class="footer">')
    return page[:cut] + table + page[cut:] if cut >= 0 else page + table


def _keypoints(builder: Any, cols: dict[str, Column], plants: SubstancePlants, rng: random.Random, late: bool) -> None:
    if "gkzd" not in cols:
        return
    spec, as_of = builder.spec, builder.as_of
    col = cols["gkzd"]
    for year in (as_of.year - 1, as_of.year):
        ref = farm_reference(year)
        pub = add_workdays(ref, rng.randint(3, 22))
        if late and year == as_of.year:
            plants.keypoints_late = year
            if rng.random() < 0.5:
                continue  # this year's 要点 is missing
            pub = add_workdays(keypoints_deadline(year), rng.randint(8, 40))
            pub = min(pub, as_of - dt.timedelta(days=1))
            if pub <= keypoints_deadline(year):
                continue
        if pub > as_of:
            continue
        title = f"{spec.name}关于印发{year}年政务公开工作要点的通知"
        item = builder._new_item("gkzd", "plain", title, pub, rng)
        col.items.append(item)
        plants.keypoints[year] = item.path
    col.items.sort(key=lambda it: (it.date, it.id), reverse=True)


def _leader(builder: Any, cols: dict[str, Column], plants: SubstancePlants, rng: random.Random, missing: bool) -> None:
    as_of = builder.as_of
    interps = sorted(
        (o for k, o in builder.pages.values() if k == "article" and getattr(o, "kind", "") == "interp"),
        key=lambda it: (it.date, it.id),
        reverse=True,
    )
    in_year = [it for it in interps if 0 <= (as_of - it.date).days <= LEADER_WINDOW - 30]
    if "zcjd" in cols:
        listed = [it for it in cols["zcjd"].items if 0 <= (as_of - it.date).days <= LEADER_WINDOW]
        if missing and len(listed) >= LEADER_MIN_ITEMS:
            plants.leader_missing = True
            return
        # the newest 解读 that interprets no document of the site (its title pairs with nothing)
        candidates = [it for it in in_year if not it.related] or in_year
    else:
        candidates = [it for it in in_year if it.related]  # reachable only from its document
    if not candidates:
        return
    item = candidates[0]
    builder.titles.discard(item.title)
    head = _head(builder.spec)
    pattern = rng.choice(("主要负责同志解读：{t}", "{h}做客在线访谈解读：{t}", "{h}解读：{t}"))
    item.title = pattern.format(t=item.title, h=head)
    builder.titles.add(item.title)
    plants.leader = item.path


# ---------------------------------------------------------------- truth


def _shows_both_dates(site: Any) -> bool:
    """Whether a document page shows its 成文日期 and a publication date the rule may read: the
    xiangzhen family prints the 信息公开 table on some sites only, and its date line is labelled
    发布时间/发布日期 in two of its four styles (else only the PubDate tag tells)."""
    if site.template != "xiangzhen":
        return True
    opts = getattr(site, "opts", None) or {}
    labelled = site.article_date_style in (0, 1) or site.meta_missing.get("article") != "PubDate"
    return bool(opts.get("info_table")) and labelled


def substance_defects(farm: Any, site: Any) -> list[tuple[str, str]]:
    """(rule, subject) pairs of the plants, as the rules define their subjects."""
    plants: SubstancePlants | None = getattr(site, "substance", None)
    if plants is None or site.down:
        return []
    spec = site.spec
    out: list[tuple[str, str]] = []
    if plants.keypoints_late:
        out.append(("KEYPOINTS-LATE", str(plants.keypoints_late)))
    if _shows_both_dates(site):
        for path in plants.late_published:
            out.append(("PUBLISH-LATE", farm.origins.resolve(spec, path)))
    if plants.leader_missing:
        out.append(("INTERP-LEADER", farm.url(spec)))
    out += [("JICENG-AREA", area) for area in plants.areas_missing]
    for account in plants.media:
        key = f"{account.platform}:{account.name}"
        if account.stale:
            out.append(("MEDIA-STALE", key))
        if account.kind == "gone":
            out.append(("MEDIA-GONE", key))
        if account.unanswered:
            out.append(("MEDIA-REPLY", key))
    out += [("JICENG-ELEMENT", farm.origins.resolve(spec, path)) for path in plants.elements_missing]
    return out


__all__ = [
    "SUBSTANCE_CODES",
    "Item",
    "farm_reference",
    "farm_rubric_toml",
    "fill_substance",
    "plan_substance",
    "substance_defects",
]


def load_farm_media(db: Any, farm: Any, workdir: Any, as_of: dt.date) -> None:
    """Import the farm's account registry and post export, then fetch the accounts' feeds the
    evening before ``as_of``, as an office does before a round (``zwgk media import-accounts /
    import-posts / fetch``).  Used by ``bench/accuracy.py`` and the farm tests."""
    from zwgk.crawlers import CrawlSettings
    from zwgk.media import fetch_feeds, import_accounts, import_posts

    evening = dt.datetime.combine(as_of - dt.timedelta(days=1), dt.time(23, 0))
    accounts, posts = write_media_files(farm, workdir)
    import_accounts(db, accounts)
    import_posts(db, posts, observed_until=evening)
    fetch_feeds(db, CrawlSettings(resolver=farm.resolver, allow_private=True), now=evening)
