"""Materialise one site from its spec: columns, items, dates, links, quirks.

Pure and deterministic: ``materialise(spec, config)`` depends only on the spec
(whose seed derives from the farm seed and the unit id) and the config.  Each
concern draws from its own seeded stream so changing one does not reshuffle
the others.  Thresholds are planted clearly on one side: a fresh 动态 column
has an item ≤ 4 days old, a stale one none for ≥ 25 days, and so on.
"""

from __future__ import annotations

import datetime as dt
import random

from zwgk.sitefarm.config import FarmConfig
from zwgk.sitefarm.content import add_content
from zwgk.sitefarm.model import Column, Item, PageEntry, Site, SiteSpec, articles
from zwgk.sitefarm.names import (
    COLUMNS,
    DEPT_DOC_WORD,
    GENERIC_TITLES,
    MESSAGE_TITLES,
    NEWS_TITLES,
    NOTICE_TITLES,
    PERSONNEL_TITLES,
    PERSONS,
    PLACES,
    PLAIN_COLUMNS,
    PLAN_TITLES,
    POLICY_TITLES,
    PROBLEMS,
    TOPICS,
)
from zwgk.sitefarm.specs import derive_seed, pick_family, report_deadline
from zwgk.sitefarm.workdays import add_workdays, last_workday_before_break, makeup_workday_near

IMPORTANT_WORDS = ("政发", "政办发", "府发", "府办发")
ORDINARY_WORDS = ("政字", "政办函", "政办字")
LARGE_PAGE_BYTES = 1_200_000
# An assessment reads the newest 20 articles of a policy column (CrawlSettings.max_articles_per_column),
# and 解读 rules judge the documents it read.  A farm 政策文件 column holds no more than that, so every
# document the truth judges is one a correct assessment reads (a test keeps the two equal).
POLICY_DOCS_MAX = 20


def _numbered(title: str, n: int) -> str:
    """A distinct variant of a repeated title (第二批 / （2）), the way real sites number them."""
    batch = "一二三四五六七八九十"
    if title.endswith("的通知") and n <= 10:
        return title[:-3] + f"的通知（第{batch[n - 1]}批）"
    return f"{title}（{n}）"


def _rng(spec: SiteSpec, purpose: str) -> random.Random:
    return random.Random(derive_seed(spec.seed, purpose))


def materialise(spec: SiteSpec, config: FarmConfig) -> Site:
    """Build the whole site model for ``spec`` (a few hundred pages) in its template family."""
    from zwgk.sitefarm.disclosure import add_disclosure  # 年报 tables, PDF attachments, registers

    family = pick_family(spec, config)
    if family == "jiyue":
        from zwgk.sitefarm.jiyue import JiyueBuilder

        return add_disclosure(JiyueBuilder(spec, config).build(), config)
    if family == "xiangzhen":
        from zwgk.sitefarm.xiangzhen import XiangzhenBuilder

        return add_disclosure(XiangzhenBuilder(spec, config).build(), config)
    if family == "kaipu":
        from zwgk.sitefarm.kaipu import KaipuBuilder

        return add_disclosure(KaipuBuilder(spec, config).build(), config)
    if family == "lingnan":
        from zwgk.sitefarm.lingnan import LingnanBuilder

        return add_disclosure(LingnanBuilder(spec, config).build(), config)
    return add_disclosure(add_content(_Builder(spec, config).build(), config), config)  # 办事服务 / content plants


class _Builder:
    def __init__(self, spec: SiteSpec, config: FarmConfig):
        self.spec, self.config, self.as_of = spec, config, config.as_of
        self.codes = spec.codes
        self.look = _rng(spec, "look")
        self.plant = _rng(spec, "plant")
        self.content = _rng(spec, "content")
        self.template = self.look.choice(config.families)  # == pick_family(spec, config)
        self.pages: dict[str, PageEntry] = {}
        self.used_ids: set[int] = set()
        self.attachments: dict[str, int] = {}
        self.soft404: set[str] = set()
        self.cids: dict[str, int] = {}
        self.titles: set[str] = set()
        self.cid_base = 1000 + derive_seed(spec.seed, "cid") % 8000

    # ------------------------------------------------------------ helpers

    def _cid(self, key: str) -> int:
        """A column number unique within the site (hanweb-style /col/col1234/)."""
        if key not in self.cids:
            self.cids[key] = self.cid_base + 7 * len(self.cids)
        return self.cids[key]

    def _col_path(self, key: str) -> str:
        return f"/{key}/" if self.template == "trs" else f"/col/col{self._cid(key)}/index.html"

    def _item_path(self, key: str, day: dt.date, item_id: int) -> str:
        if self.template == "trs":
            return f"/{key}/{day:%Y%m}/t{day:%Y%m%d}_{item_id}.html"
        return f"/art/{day.year}/{day.month}/{day.day}/art_{self._cid(key)}_{item_id}.html"

    def _fmt(self, pattern: str, rng: random.Random, day: dt.date | None = None) -> str:
        year = (day or self.as_of).year
        return pattern.format(
            region=self.spec.region.split("省")[-1] or self.spec.name.replace("人民政府", ""),
            topic=rng.choice(TOPICS),
            leader=rng.choice(("县长", "市长", "主要负责同志", "分管领导")),
            org=self.spec.name,
            year=year,
            year2=year + 2,
            person=rng.choice(PERSONS),
            place=rng.choice(PLACES),
            problem=rng.choice(PROBLEMS),
        )

    def _dates(self, count: int, newest: int, gap: float, rng: random.Random) -> list[dt.date]:
        """``count`` dates, newest first, the first exactly ``newest`` days before as-of."""
        out = []
        for i in range(count):
            offset = newest if i == 0 else newest + int(i * gap + rng.random() * gap * 0.8)
            out.append(self.as_of - dt.timedelta(days=offset))
        return out

    def _time(self, rng: random.Random) -> str:
        return f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"

    def _new_item(self, key: str, kind: str, title: str, day: dt.date, rng: random.Random, **extra) -> Item:
        # Titles are unique within a site: assessors pair documents and 解读 by title.
        base, n = title, 1
        while title in self.titles:
            n += 1
            title = _numbered(base, n)
        self.titles.add(title)
        item_id = derive_seed(self.spec.seed, key, day.toordinal(), title) % 900000 + 100000
        while item_id in self.used_ids:
            item_id += 1
        self.used_ids.add(item_id)
        item = Item(
            id=item_id,
            col=key,
            title=title,
            date=day,
            time=self._time(rng),
            path=self._item_path(key, day, item_id),
            kind=kind,
            org=self.spec.name,
            **extra,
        )
        self.pages[item.path] = ("article", item)
        return item

    # ------------------------------------------------------------ structure

    def build(self) -> Site:
        spec, look, plant = self.spec, self.look, self.plant
        columns = self._columns()
        fresh_targets = self._fresh_targets(columns)
        self.targets = fresh_targets
        self._fill_lists(columns, fresh_targets)
        self._fill_policy(columns)
        self._fill_messages(columns)
        self._fill_reports(columns)
        from zwgk.sitefarm.substance import fill_substance

        substance = fill_substance(self, columns)  # 要点, 成文日期, leaders' 解读 (every family)
        home_blocks: list[str] = [k for k in ("yw", "tzgg", "zcwj", "zcjd") if k in columns]
        self._register_columns(columns)
        home_broken, _statics = self._links(columns)
        meta_missing = self._meta_missing()
        footer = self._footer()
        quirks = self._quirks(columns)
        nav_more = [k for k, c in columns.items() if c.where == "more"]
        ipv6 = "ok"
        for code, mode in (
            ("IPV6-NONE", "none"),
            ("IPV6-UNREACHABLE", "unreachable"),
            ("IPV6-MISMATCH", "mismatch"),
            ("IPV6-INTERMITTENT", "intermittent"),
            ("IPV6-DELEGATION", "delegation"),
            ("IPV6-INNER-LINKS", "inner"),
        ):
            if code in self.codes:
                ipv6 = mode
        r = look.random()
        charset = "gbk" if r < 0.14 else "gb2312-meta" if r < 0.22 else "utf-8"
        if spec.index % 13 == 2:
            charset = "gb2312-meta"
        traditional = look.random() < 0.06 or spec.index % 19 == 9
        site = Site(
            spec=spec,
            template=self.template,
            charset=charset,
            traditional=traditional,
            gzip=look.random() < 0.4,
            list_date_style=look.randrange(4),
            article_date_style=look.randrange(4),
            columns=columns,
            nav_more=nav_more,
            home_blocks=home_blocks,
            home_broken=home_broken,
            pages=self.pages,
            soft404=self.soft404,
            attachments=self.attachments,
            meta_missing=meta_missing,
            footer=footer,
            conac_id="" if "CONAC-BADGE" in self.codes else f"{derive_seed(spec.seed, 'conac'):016X}{spec.index:016X}",
            transient=quirks["transient"],
            slow=quirks["slow"],
            head405=quirks["head405"],
            calendar=quirks["calendar"],
            loop=quirks["loop"],
            moved=quirks["moved"],
            ipv6_mode=ipv6,
            down="AVAIL-DOWN" in self.codes,
            down_mode=plant.choice(("503", "reset")),
            report_deadline=report_deadline(spec.kind, self.as_of),
            search="SEARCH-MISSING" not in self.codes,
            v4_only_links=self._v4_only_links(),
        )
        site.substance = substance
        return site

    def _v4_only_links(self) -> list[tuple[str, str]]:
        """IPV6-INNER-LINKS: five articles the homepage links to on the site's IPv4-only host
        (its own stream: the rest of the site is drawn as before)."""
        if "IPV6-INNER-LINKS" not in self.codes:
            return []
        titled = sorted((path, item.title) for path, item in articles(self.pages).items())
        rng = _rng(self.spec, "v4only")
        return [(f"v4only:{path}", title) for path, title in rng.sample(titled, min(5, len(titled)))]

    def _columns(self) -> dict[str, Column]:
        look, missing = self.look, set(self.spec.missing)
        cols: dict[str, Column] = {}
        present = {k for k, (std, _, _) in COLUMNS.items() if std not in missing or not std}
        for key, (std, fresh, variants) in COLUMNS.items():
            if key not in present:
                continue
            name = look.choice(variants)
            if key == "bmdt" and self.spec.kind == "department":
                name = look.choice(("工作动态", "基层动态"))
            if key == "yw" and self.spec.kind == "department":
                name = look.choice(("部门动态", "工作动态", "要闻动态"))
                if name == cols.get("bmdt", Column("", "", "", "", "", "", "", "")).name:
                    name = "要闻动态"
            parent, where = "", "top"
            if key in ("gkzn", "gkzd", "fdzdgk", "gknb"):
                parent, where = "xxgk", "sub"
            elif key in ("jgzn", "czyjs", "rsxx", "ghjh"):
                parent, where = "fdzdgk", "sub"
            elif key in ("zcjd", "hdjl", "bmdt", "xxgk") and look.random() < 0.35:
                where = "more"
            kind = "hub" if key in ("xxgk", "fdzdgk") else "list"
            cols[key] = Column(
                key=key,
                std=std,
                name=name,
                fresh=fresh,
                kind=kind,
                parent=parent,
                where=where,
                path=self._col_path(key),
                page_size=look.choice((10, 15, 20)),
            )
        if "bmdt" in cols and cols["bmdt"].name == cols["yw"].name:
            cols["bmdt"].name = "基层动态" if cols["yw"].name != "基层动态" else "工作动态"
        for key, name in look.sample(PLAIN_COLUMNS, look.randint(2, 3)):
            cols[key] = Column(
                key=key,
                std="",
                name=name,
                fresh="",
                kind="list",
                parent="fdzdgk",
                where="sub",
                path=self._col_path(key),
                page_size=15,
            )
        # A missing hub: its sub-columns move up a level (they still exist).
        for col in cols.values():
            while col.parent and col.parent not in cols:
                col.parent = "xxgk" if col.parent == "fdzdgk" else ""
                col.where = "sub" if col.parent else "more"
        return cols

    def _fresh_targets(self, cols: dict[str, Column]) -> set[str]:
        targets: set[str] = set()
        if "FRESH-HOME" in self.codes:
            targets.add("yw")
        if "FRESH-COLUMN" in self.codes and ("FRESH-HOME" not in self.codes or self.plant.random() < 0.3):
            candidates = [k for k in ("bmdt", "tzgg", "zcwj", "rsxx", "ghjh") if k in cols]
            targets.update(self.plant.sample(candidates, min(len(candidates), self.plant.choice((1, 1, 2)))))
        if "bmdt" in cols and "bmdt" not in targets and self.look.random() < 0.2:
            cols["bmdt"].kind = "js"  # list written by inline JavaScript
        return targets

    # ------------------------------------------------------------ contents

    def _fill_lists(self, cols: dict[str, Column], targets: set[str]) -> None:
        rng, cap = self.content, self.config.pages_per_column
        home_stale = "FRESH-HOME" in self.codes
        blank: set[str] = set()
        if "COLUMN-BLANK" in self.codes:
            plain = [k for k, _ in PLAIN_COLUMNS if k in cols]
            blank = set(self.plant.sample(plain, min(len(plain), self.plant.choice((1, 1, 2)))))
        for key, col in cols.items():
            if key in ("xxgk", "fdzdgk", "zcwj", "zcjd", "hdjl", "gknb") or key in blank:
                continue
            stale = key in targets
            titles: tuple[str, ...]
            if col.fresh == "news":
                count, gap, titles = rng.randint(15, cap), rng.uniform(1.5, 4), NEWS_TITLES
                newest = rng.randint(25, 60) if stale else rng.randint(0, 4)
            elif col.fresh == "notice":
                count, gap, titles = rng.randint(10, cap), rng.uniform(4, 12), NOTICE_TITLES
                newest = rng.randint(220, 330) if stale else rng.randint(20, 60) if home_stale else rng.randint(0, 30)
                if not home_stale and "yw" in targets:
                    newest = rng.randint(0, 4)  # keep the homepage itself fresh
            elif col.fresh == "personnel":
                count, gap = rng.randint(5, min(15, cap)), rng.uniform(20, 60)
                titles = PERSONNEL_TITLES if key == "rsxx" else PLAN_TITLES
                newest = rng.randint(420, 600) if stale else rng.randint(0, 150)
            elif key in ("gkzn", "gkzd", "jgzn"):
                count, gap, titles = rng.randint(1, 3), rng.uniform(100, 300), GENERIC_TITLES
                newest = rng.randint(30, 400)
            elif key == "czyjs":
                count, gap, titles = rng.randint(4, 10), rng.uniform(60, 180), GENERIC_TITLES
                newest = rng.randint(10, 200)
            else:
                count, gap, titles = rng.randint(3, min(15, cap)), rng.uniform(10, 40), GENERIC_TITLES
                newest = rng.randint(0, 200)
            fixed = {
                "gkzn": f"{self.spec.name}政府信息公开指南",
                "gkzd": f"{self.spec.name}政府信息公开制度",
                "jgzn": f"{self.spec.name}机构职能",
            }
            for day in self._dates(count, newest, gap, rng):
                title = fixed.get(key) or self._fmt(rng.choice(titles), rng, day)
                if key == "czyjs":
                    title = f"{self.spec.name}{day.year}年{rng.choice(('部门预算', '部门决算', '财政预算', '三公经费'))}公开"
                item = self._new_item(key, "news" if col.fresh == "news" else "plain", title, day, rng)
                if key in ("tzgg", "czyjs") and rng.random() < 0.3:
                    self._attach(item, rng)
                col.items.append(item)
        if "yw" in cols and not home_stale and "yw" not in targets:
            assert (self.as_of - cols["yw"].items[0].date).days <= 4

    def _attach(self, item: Item, rng: random.Random, missing: bool = False) -> str:
        ext = rng.choice(("pdf", "doc", "docx", "xls", "xlsx"))
        folder = item.path.rsplit("/", 1)[0]
        path = f"{folder}/P0{item.date:%Y%m%d}{item.id}{len(item.attachments)}.{ext}"
        label = f"附件{len(item.attachments) + 1}：{item.title[:12]}.{ext}"
        item.attachments.append((path, label))
        if not missing:
            self.attachments[path] = rng.randint(2000, 9000)
        return path

    def _doc_number(self, important: bool, day: dt.date, n: int, rng: random.Random) -> str:
        prefix = self.spec.doc_prefix
        if self.spec.kind == "department":
            sub = self.spec.host.split(".")[0]
            return f"{prefix}{DEPT_DOC_WORD.get(sub, '字')}〔{day.year}〕{n}号"
        word = rng.choice(IMPORTANT_WORDS if important else ORDINARY_WORDS)
        return f"{prefix}{word}〔{day.year}〕{n}号"

    def _fill_policy(self, cols: dict[str, Column]) -> None:
        """Policy documents (政策文件) and their interpretations (政策解读)."""
        rng, plant = _rng(self.spec, "policy"), self.plant
        interps: list[Item] = []
        if "zcwj" in cols:
            col = cols["zcwj"]
            count = rng.randint(10, max(10, min(POLICY_DOCS_MAX, self.config.pages_per_column)))
            if "zcwj" in self.targets:
                newest = rng.randint(220, 330)
            elif "FRESH-HOME" in self.codes:
                newest = rng.randint(45, 90)
            else:
                newest = rng.randint(3, 60)
            days = []
            for day in self._dates(count, newest, rng.uniform(6, 20), rng):
                r = rng.random()
                if r < 0.35:
                    day = last_workday_before_break(day)  # the 3-day window spans a weekend/holiday
                elif r < 0.45:
                    day = makeup_workday_near(day) or day  # published on a 调休 Saturday/Sunday
                days.append(day)
            days.sort(reverse=True)
            numbers: dict[int, int] = {}
            docs: list[Item] = []
            for day in days:
                old_enough = (self.as_of - day).days >= 40
                important = self.spec.kind == "portal" and old_enough and rng.random() < 0.5
                numbers[day.year] = numbers.get(day.year, 0) + 1
                doc = self._new_item(
                    "zcwj",
                    "doc",
                    self._fmt(rng.choice(POLICY_TITLES), rng, day),
                    day,
                    rng,
                    written=day - dt.timedelta(days=rng.randint(1, 10)),
                )
                doc.doc_number = self._doc_number(important, day, numbers[day.year] * 3 + rng.randint(0, 2), rng)
                if rng.random() < 0.25:
                    self._attach(doc, rng)
                docs.append(doc)
            col.items = docs
            eligible = [d for d in docs[:8] if (self.as_of - d.date).days >= 40]
            missing_doc = late_doc = None
            if "INTERP-MISSING" in self.codes and eligible:
                missing_doc = plant.choice(eligible)
                if not self.is_important(missing_doc):
                    missing_doc.doc_number = self._doc_number(True, missing_doc.date, missing_doc.id % 90 + 10, rng)
            if "INTERP-LATE" in self.codes:
                rest = [d for d in eligible if d is not missing_doc]
                late_doc = plant.choice(rest) if rest else None
            without = {id(missing_doc)} if missing_doc is not None else set()
            if "INTERP-RATE" in self.codes:
                without |= self._plant_low_rate(docs, late_doc, without, rng)
            shorts: set[str] = set()
            for doc in docs:
                if id(doc) in without:
                    continue
                old_enough = (self.as_of - doc.date).days >= 40
                if doc is late_doc:
                    delay = plant.randint(6, 12)
                elif self.is_important(doc) or (old_enough and rng.random() < 0.25):
                    delay = rng.choice((0, 1, 1, 2, 2))
                else:
                    continue
                day = add_workdays(doc.date, delay)
                title = rng.choice(("《{t}》政策解读", "图解：《{t}》", "一图读懂《{t}》", "关于《{t}》的解读"))
                short = doc.title.split("《")[-1].split("》")[0] if "《" in doc.title else doc.title
                if short in shorts:
                    short = doc.title.replace("《", "").replace("》", "")
                shorts.add(short)
                interp = self._new_item("zcjd", "interp", title.format(t=short), day, rng, related=[doc.path])
                doc.related.append(interp.path)
                interps.append(interp)
        # A few stand-alone interpretations (图解, 答记者问) with no document link.
        standalone_newest = rng.randint(20, 60) if "FRESH-HOME" in self.codes else rng.randint(0, 30)
        for day in self._dates(rng.randint(2, 4), standalone_newest, rng.uniform(10, 40), rng):
            interps.append(
                self._new_item(
                    "zcjd", "interp", f"一图读懂{self._fmt('{region}', rng)}{rng.choice(TOPICS)}工作", day, rng
                )
            )
        interps.sort(key=lambda it: (it.date, it.id), reverse=True)
        if "zcjd" in cols:
            cols["zcjd"].items = interps
        else:
            for it in interps:  # pages still exist (linked from documents), no column
                it.col = "zcjd"

    def _plant_low_rate(
        self, docs: list[Item], late_doc: Item | None, without: set[int], rng: random.Random
    ) -> set[int]:
        """Leave old documents without 解读 until the 规范性文件 解读率 is clearly under target.

        The rate is computed as INTERP-RATE does: among documents whose 文号 carries a
        规范性文件 marker (政发/府办发…), the share with at least one 解读.  Documents
        picked here become 规范性文件 (important 文号) with no 解读; the rate ends ≤ 0.6
        so it is far from the 0.8 target.
        """
        plant = self.plant
        old = [d for d in docs if (self.as_of - d.date).days >= 40 and d is not late_doc and id(d) not in without]
        plant.shuffle(old)
        chosen: set[int] = set()

        def rate() -> float:
            normative = [d for d in docs if self.is_important(d)]
            bare = [d for d in normative if id(d) in without or id(d) in chosen]
            return (len(normative) - len(bare)) / len(normative) if normative else 1.0

        for doc in old:
            if len(chosen) >= 2 and rate() <= 0.6:
                break
            if not self.is_important(doc):
                doc.doc_number = self._doc_number(True, doc.date, doc.id % 90 + 10, rng)
            chosen.add(id(doc))
        return chosen

    def is_important(self, doc: Item) -> bool:
        return any(w in doc.doc_number for w in IMPORTANT_WORDS)

    def _fill_messages(self, cols: dict[str, Column]) -> None:
        if "hdjl" not in cols:
            return
        rng, plant = _rng(self.spec, "messages"), self.plant
        count = rng.randint(12, 15)
        days = self._dates(count, rng.randint(0, 6), rng.uniform(4, 9), rng)
        late: set[int] = set()
        if "REPLY-LATE" in self.codes:
            candidates = [i for i, d in enumerate(days[:12]) if (self.as_of - d).days >= 30]
            late = set(plant.sample(candidates, min(len(candidates), plant.choice((1, 1, 2)))))
        for i, day in enumerate(days):
            asked = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)))
            delay = plant.randint(8, 12) if i in late else rng.choice((0, 1, 1, 2, 3))
            answer_day = add_workdays(day, delay)
            answered = None
            if answer_day <= self.as_of:
                answered = dt.datetime.combine(answer_day, dt.time(rng.randint(9, 17), rng.randint(0, 59)))
                if answered <= asked:
                    answered = asked + dt.timedelta(hours=2)
                    if answered.date() != answer_day:
                        answered = asked + dt.timedelta(minutes=30)
            title = self._fmt(rng.choice(MESSAGE_TITLES), rng)
            item = self._new_item("hdjl", "message", title, day, rng, asked=asked, answered=answered)
            item.time = f"{asked:%H:%M}"
            cols["hdjl"].items.append(item)
        cols["hdjl"].page_size = 10

    def _fill_reports(self, cols: dict[str, Column]) -> None:
        if "gknb" not in cols:
            return
        rng, plant = _rng(self.spec, "reports"), self.plant
        last = self.as_of.year - 1
        deadline = report_deadline(self.spec.kind, self.as_of)
        for year in range(last, last - 6, -1):
            if self.spec.kind == "department":
                pub = dt.date(year + 1, 1, rng.randint(8, 25))
            else:
                pub = dt.date(year + 1, rng.randint(1, 3), rng.randint(5, 25))
            if year == last and "REPORT-LATE" in self.codes:
                if plant.random() < 0.5:
                    continue  # last year's report is missing
                pub = deadline + dt.timedelta(days=plant.randint(15, min(60, (self.as_of - deadline).days)))
            if pub > self.as_of:
                continue
            title = f"{self.spec.name}{year}年政府信息公开工作年度报告"
            cols["gknb"].items.append(self._new_item("gknb", "report", title, pub, rng, year=year))
        cols["gknb"].items.sort(key=lambda it: it.date, reverse=True)

    def _register_columns(self, cols: dict[str, Column]) -> None:
        style = "index" if self.template == "trs" else "query"
        for col in cols.values():
            self.pages[col.path] = ("column", (col, 1))
            if style == "index":
                for page in range(2, col.pages + 1):
                    self.pages[col.page_path(page, style)] = ("column", (col, page))

    # ------------------------------------------------------------ links and identity

    def _links(self, cols: dict[str, Column]) -> tuple[list[tuple[str, str]], None]:
        """Plant broken links; return the homepage's.  URLs starting with "/" are
        on this site; "dead:" marks a dead external domain (origin decided when served)."""
        plant, spec = self.plant, self.spec
        slug = spec.host.split(".")[1] if spec.host.count(".") >= 2 else spec.host.split(".")[0]
        counter = [0]

        def broken(kind: str) -> str:
            counter[0] += 1
            n = derive_seed(spec.seed, "broken", counter[0]) % 90000 + 10000
            if kind == "404":
                return f"/xwzx/{self.as_of.year - 3}0{counter[0] % 9 + 1}/t{self.as_of.year - 3}0{counter[0] % 9 + 1}15_{n}.html"
            if kind == "soft":
                path = f"/zt/zt{n}/index.html"
                self.soft404.add(path)
                return path
            return f"dead:{slug}{counter[0]}zwfw.gov.cn"

        home: list[tuple[str, str]] = []
        if "LINK-HOME" in self.codes:
            for kind in plant.sample(("404", "soft", "nx"), plant.choice((1, 1, 2))):
                anchor = {
                    "404": "专题：" + plant.choice(TOPICS),
                    "soft": plant.choice(TOPICS) + "专题",
                    "nx": spec.name.replace("人民政府", "") + "政务服务网（旧版）",
                }[kind]
                home.append((broken(kind), anchor))
        if "LINK-PAGE" in self.codes:
            places = plant.choice((1, 1, 2))
            list_cols = [c for c in cols.values() if c.kind == "list"]
            with_items = [cols[k] for k in ("tzgg", "zcwj") if k in cols and cols[k].items]
            for _ in range(places):
                if with_items and plant.random() < 0.5:
                    col = plant.choice(with_items)
                    self._attach(col.items[0], plant, missing=True)
                else:
                    col = plant.choice(list_cols)
                    kind = plant.choice(("404", "soft", "nx"))
                    col.broken.append((broken(kind), "相关链接：" + plant.choice(TOPICS)))
        return home, None

    def _meta_missing(self) -> dict[str, str]:
        if "IDENT-META" not in self.codes:
            return {}
        plant = self.plant
        choices = {
            "home": ("SiteName", "SiteDomain", "SiteIDCode"),
            "column": ("ColumnName", "ColumnType", "SiteIDCode"),
            "article": ("ArticleTitle", "PubDate", "ContentSource"),
        }
        kinds = plant.sample(sorted(choices), plant.choice((1, 1, 2)))
        return {k: plant.choice(choices[k]) for k in kinds}

    def _footer(self) -> dict[str, str]:
        spec, plant = self.spec, self.plant
        digits = "".join(ch for ch in spec.site_code if ch.isdigit())
        icp = f"{spec.abbr}ICP备{derive_seed(spec.seed, 'icp') % 90000000 + 10000000}号"
        if plant.random() < 0.6:
            icp += f"-{plant.randint(1, 3)}"
        region = (digits + "000000")[:6]
        psb = f"{spec.abbr}公网安备 {region}{derive_seed(spec.seed, 'psb') % 100000000:08d}号"
        code = spec.site_code
        if "IDENT-SITECODE" in self.codes:
            if plant.random() < 0.5 or not code:
                code = ""
            else:  # a different site's code (a copied template)
                code = code[:-1] + str((int(code[-1]) + 3) % 10) if code[-1].isdigit() else code + "1"
        return {
            "site_code": code,
            "icp": "" if "IDENT-ICP" in self.codes else icp,
            "psb": "" if "IDENT-PSB" in self.codes else psb,
            "sponsor": "" if "IDENT-SPONSOR" in self.codes else spec.name,
        }

    def _quirks(self, cols: dict[str, Column]) -> dict:
        """Real-server misbehaviour that is NOT a defect (off in benchmark mode)."""
        rng = _rng(self.spec, "quirks")
        articles = [it for c in cols.values() for it in c.items[:2] if c.kind == "list"]
        column_pages = [c.path for c in cols.values() if c.kind == "list"]
        transient: dict[str, tuple[int, str]] = {}
        slow: dict[str, float] = {}
        if not self.config.bench_mode and "AVAIL-DOWN" not in self.codes:
            if rng.random() < 0.5 and column_pages:
                for path in rng.sample(column_pages + [a.path for a in articles], 2):
                    transient[path] = (rng.choice((1, 2)), rng.choice(("503", "reset")))
            if rng.random() < 0.35 and articles:
                path = rng.choice([a.path for a in articles])
                transient.setdefault(path, (1, "429"))
            if rng.random() < 0.3 and articles:
                slow[rng.choice(articles).path] = rng.uniform(0.8, 1.6)
        calendar = "/hdjl/rl/" if "hdjl" in cols and rng.random() < 0.25 else ""
        loop = ""
        if rng.random() < 0.2 and column_pages:
            loop = "/loop/a.html"
            rng.choice([c for c in cols.values() if c.kind == "list"]).loop_link = True
        plain = [cols[k].items[0] for k, _ in PLAIN_COLUMNS if k in cols and cols[k].items]
        if plain and (rng.random() < 0.1 or self.spec.index % 17 == 5):
            rng.choice(plain).large = True
        moved = {"/wzdt.htm": "/wzdt/"} if rng.random() < 0.5 else {}
        return {
            "transient": transient,
            "slow": slow,
            "head405": rng.random() < 0.3,
            "calendar": calendar,
            "loop": loop,
            "moved": moved,
        }
