"""The ``jiyue`` template family: county and city sites on a provincial intensive platform (集约化平台).

Written from real government pages and the official rules only — never from zwgk's crawler
or rules — so that it tests them instead of mirroring them.  Sources of the facts used here:
the saved pages in ``shared/data/real-pages`` (宜春 / 万载 on the 江西 platform: ``.shtml``
articles named by 32 hex digits, ``主办：… 承办：…办公室``, 政府网站标识码, 财政资金 as the
财政预决算 column; 常州: table footers with ``ICP备案号：`` and ``公安机关备案号：``; 山西: the standard
columns only in a footer site map, 数据解读 that is not 政策解读; 中国政府网: ``网站标识码bm01000001``
without a colon) and public crawler fixtures of Hanweb-based platforms (江苏, 山东, 浙江: list
records inside ``<script type="text/xml"><datastore>``, ``/module/web/jpage/dataproxy.jsp``
paging; 平城 ``/pcqrmzf/zcfw/list_2.shtml``; JEECMS-style platforms ``index.jhtml`` →
``index_2.jhtml`` with ``/<col>/<id>.jhtml`` articles), footers of 天津 (written by
``document.writeln``), 上海, 福州 (``网站识别码``) and 船山 (``政府网站标识码:`` with an ASCII colon).

What a ``jiyue`` site does differently from ``trs`` / ``hanweb``:

* three URL schemes on one site, as when a platform's subsystems come from different vendors:
  portal columns ``/<site>/<col>/list.shtml`` (``list_2.shtml``) with articles
  ``/<site>/<col>/202405/<32 hex>.shtml``; the 政府信息公开 platform ``/zfxxgk/<col>/index.jhtml``
  (``index_2.jhtml``) with articles ``/zfxxgk/<col>/<id>.jhtml``; the 互动 system
  ``/hdjl/list.jsp`` (``?page=2``) with messages ``/hdjl/detail.jsp?id=<id>``;
* column names as real sites write them (政府文件, 政策法规, 文件解读, 法定公开内容, 公开指南, 财政资金 …)
  and look-alikes that are not the standard column (数据解读, 办事指南, 统计年鉴, 招标采购公告);
* list markup: tables, ``<li>`` with the date before the title, all records in an inline
  ``<script type="text/xml">`` datastore paged by script, records in an inline JSON object;
* navigation: a mega-menu whose section headings are ``#`` / ``javascript:`` placeholders,
  entries opened by ``onclick`` handlers without a URL in ``href`` (or no anchor at all), columns
  reachable only from the footer site map;
* 解读 linked both ways, only back from the 解读 to its document, or by title only (the 解读
  names the instrument the notice promulgates: ``关于印发《X实施方案》的通知`` → ``一图读懂《X实施方案》``);
* dates as ``2024.05.12``, ``2024年5月12日``, ``[05-12]``, ``发布时间:2024-05-12 10:30`` or without label;
* footers in lines, in a table, or written by a script; 网站标识码 / 政府网站标识码 / 网站识别码 /
  标识码 with a full-width, an ASCII or no colon; 主办 / 主办单位 / 主办方; the 党政机关 badge as its script;
* a missing attachment in an ordinary article deep in a list; resources in CSS ``url()``,
  ``srcset`` and a table ``background``; a ``dns-prefetch`` hint to a host that never resolves;
* about a third of the sites in GBK and a third in Traditional Chinese (some both).

Defects are planted by the shared plan (``specs``) and the shared generator; only names, paths,
titles and looks are this family's, so the ground truth (``truth``) is computed the same way.
"""

from __future__ import annotations

import datetime as dt
import random
import re

from zwgk.sitefarm.config import FarmConfig
from zwgk.sitefarm.generate import _Builder, _rng
from zwgk.sitefarm.model import Column, Item, Site, SiteSpec, articles
from zwgk.sitefarm.names import COLUMNS, PLAIN_COLUMNS, TOPICS
from zwgk.sitefarm.specs import derive_seed

# Column names seen on real sites for each standard column (key as in names.COLUMNS).
NAMES: dict[str, tuple[str, ...]] = {
    "xxgk": ("政府信息公开", "政务公开", "信息公开", "政府信息公开专栏", "政务公开专栏"),
    "gkzn": ("政府信息公开指南", "公开指南", "信息公开指南", "政府信息公开工作指南"),
    "gkzd": ("政府信息公开制度", "公开制度", "信息公开制度", "政务公开制度"),
    "fdzdgk": ("法定主动公开内容", "法定公开内容", "主动公开内容", "法定主动公开"),
    "gknb": (
        "政府信息公开年报",
        "政府信息公开工作年度报告",
        "信息公开年报",
        "公开年报",
        "政府信息公开年度报告",
    ),
    "zcwj": ("政策文件", "政府文件", "政策法规"),
    "zcjd": ("政策解读", "文件解读", "解读回应", "重要政策解读", "政策解读与回应"),
    "tzgg": ("通知公告", "通知通告"),
    "hdjl": ("互动交流", "政民互动", "互动", "公众参与", "政民互动交流"),
    "jgzn": ("机构职能", "机构设置", "机构信息", "机构概况"),
    "czyjs": ("财政预决算", "财政资金", "预决算公开", "财政预决算信息"),
    "yw": ("政务要闻", "今日要闻", "本地要闻", "要闻动态", "政务动态"),
    "bmdt": ("部门动态", "乡镇动态", "区县动态"),
    "rsxx": ("人事信息", "人事任免"),
    "ghjh": ("规划计划", "规划信息"),
}
DEPT_NEWS = ("工作动态", "部门要闻", "要闻动态")
DEPT_LOCAL = ("基层动态", "工作动态", "单位动态")
# When a standard column is missing, a site often has a column whose name looks close but is
# something else (the real 山西 page has 数据解读 beside, not instead of, 政策解读).
LOOKALIKES: dict[str, tuple[str, str]] = {
    "政策解读": ("sjjd", "数据解读"),
    "政府信息公开指南": ("bszn", "办事指南"),
    "政府信息公开年报": ("tjnj", "统计年鉴"),
}
PLATFORM_KEYS = frozenset(
    {"xxgk", "gkzn", "gkzd", "fdzdgk", "gknb", "jgzn", "czyjs", "rsxx", "ghjh"} | {k for k, _ in PLAIN_COLUMNS}
)
# 解读 titles: each names the instrument ({t}) the way real sites write them.
INTERP_TITLES = (
    "一图读懂《{t}》",
    "《{t}》政策解读",
    "关于《{t}》的解读",
    "图解：《{t}》",
    "{t}政策解读",
    "《{t}》解读",
    "解读：{t}",
)
# Stand-alone 解读 that interpret no document of the site (a statistics bulletin, a work report).
STANDALONE_TITLES = (
    "图文解读：《{region}{year}年国民经济和社会发展统计公报》",
    "一图读懂{year}年{region}政府工作报告",
    "数说{region}{year}年经济运行情况",
    "图解{year}年{region}民生实事",
)


class InstrumentTitles(_Builder):
    """``_Builder`` with the rules every family written from real pages follows (``jiyue``,
    ``xiangzhen``, ``kaipu``, ``lingnan``; the trs / hanweb builder does not): no two documents
    promulgate the same instrument, a 解读 names its instrument, and how each document and its 解读
    link each other is drawn per pair (``interp_links``, the family's renderer reads it from
    ``Site.opts``)."""

    interp_links: dict[str, str]  # document path → how it and its 解读 link each other

    def _distinct_instruments(self, docs: list[Item], rng: random.Random) -> None:
        """No two documents promulgate the same instrument (a real site does not issue one
        实施方案 twice; the shared generator's "（第二批）" copies would make a 解读 that names it
        ambiguous even to a careful reader).  A copy gets a topic no document of the site uses.
        No two documents share a 文号 either."""
        seen: set[str] = set()
        numbers: set[str] = set()
        for doc in docs:
            while doc.doc_number in numbers:  # the shared generator may number two documents alike
                head, _, tail = doc.doc_number.rpartition("〕")
                doc.doc_number = f"{head}〕{int(tail.rstrip('号')) + 1}号"
            numbers.add(doc.doc_number)
            key = re.sub(r"（(第.批|\d+)）$", "", doc.title)
            key = key.split("《", 1)[1].split("》", 1)[0] if "《" in key else key
            if key in seen:
                unused = [t for t in TOPICS if not any(t in d.title for d in docs)]
                topic = rng.choice(unused or list(TOPICS))
                self.titles.discard(doc.title)
                region = self._fmt("{region}", rng)
                doc.title = self._unique(f"{self.spec.name}关于印发《{region}{topic}实施方案》的通知")
                key = f"{region}{topic}实施方案"
            seen.add(key)

    def _instrument(self, doc: Item, docs: list[Item]) -> tuple[str, bool]:
        """What a 解读 of ``doc`` names: the instrument in 《》, unless another document names it too."""
        bare = doc.title.removeprefix(self.spec.name)
        if "《" in doc.title and "》" in doc.title:
            name = doc.title.split("《", 1)[1].split("》", 1)[0]
            if not any(name in other.title for other in docs if other is not doc):
                return name, True
        return bare, False

    def _unique(self, title: str) -> str:
        """``title``, numbered （2）, （3）… when the site already has it (assessors pair by title)."""
        base, n = title, 1
        while title in self.titles:
            n += 1
            title = f"{base}（{n}）"
        self.titles.add(title)
        return title


class JiyueBuilder(InstrumentTitles):
    """``_Builder`` with this family's names, paths, 解读 titles and looks."""

    def __init__(self, spec: SiteSpec, config: FarmConfig):
        super().__init__(spec, config)
        assert self.template == "jiyue", self.template
        self.style = _rng(spec, "jiyue-style")
        labels = spec.host.split(".")
        label = labels[1] if labels[0] == "www" and len(labels) > 2 else labels[0]
        self.prefix = label + ("rmzf" if spec.kind == "portal" else "")
        self.lookalikes: set[str] = set()

    # ------------------------------------------------------------ paths

    def _col_path(self, key: str) -> str:
        if key == "xxgk":
            return "/zfxxgk/index.jhtml"
        if key in PLATFORM_KEYS:
            return f"/zfxxgk/{key}/index.jhtml"
        if key == "hdjl":
            return "/hdjl/list.jsp"
        return f"/{self.prefix}/{key}/list.shtml"

    def _item_path(self, key: str, day: dt.date, item_id: int) -> str:
        if key in PLATFORM_KEYS:
            return f"/zfxxgk/{key}/{item_id}.jhtml"
        if key == "hdjl":
            return f"/hdjl/detail.jsp?id={item_id}"
        hexid = f"{derive_seed(self.spec.seed, 'art', item_id):016x}{derive_seed(item_id, key, day.toordinal()):016x}"
        return f"/{self.prefix}/{key}/{day:%Y%m}/{hexid}.shtml"

    def _register_columns(self, cols: dict[str, Column]) -> None:
        for col in cols.values():
            self.pages[col.path] = ("column", (col, 1))
            if col.paging != "query":
                for page in range(2, col.pages + 1):
                    self.pages[col.page_path(page, col.paging)] = ("column", (col, page))

    # ------------------------------------------------------------ columns

    def _columns(self) -> dict[str, Column]:
        look, missing = self.style, set(self.spec.missing)
        dept = self.spec.kind == "department"
        cols: dict[str, Column] = {}
        for key, (std, fresh, _) in COLUMNS.items():
            if std and std in missing:
                continue
            name = look.choice(NAMES[key])
            if dept and key == "yw":
                name = look.choice(DEPT_NEWS)
            if dept and key == "bmdt":
                name = look.choice([n for n in DEPT_LOCAL if n != cols["yw"].name])
            parent, where = "", "top"
            if key in ("gkzn", "gkzd", "fdzdgk", "gknb"):
                parent, where = "xxgk", "sub"
            elif key in ("jgzn", "czyjs", "rsxx", "ghjh"):
                parent, where = "fdzdgk", "sub"
            elif key in ("zcjd", "hdjl", "bmdt", "tzgg") and look.random() < 0.3:
                where = "more"  # only in the footer site map
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
                paging=self._paging(key),
            )
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
                paging=self._paging(key),
            )
        for std in sorted(missing):
            if std in LOOKALIKES:
                key, name = LOOKALIKES[std]
                cols[key] = Column(
                    key=key,
                    std="",
                    name=name,
                    fresh="",
                    kind="list",
                    parent="",
                    where="top",
                    path=self._col_path(key),
                    page_size=15,
                    paging=self._paging(key),
                )
                self.lookalikes.add(key)
        for col in cols.values():  # a missing hub: its sub-columns move up a level (they still exist)
            while col.parent and col.parent not in cols:
                col.parent = "xxgk" if col.parent == "fdzdgk" else ""
                col.where = "sub" if col.parent else "top"
        return cols

    def _paging(self, key: str) -> str:
        if key == "hdjl":
            return "query"
        return "jhtml" if key in PLATFORM_KEYS else "shtml"

    # ------------------------------------------------------------ links

    def _links(self, cols: dict[str, Column]) -> tuple[list[tuple[str, str]], None]:
        """The shared broken links; a missing attachment sits in an ordinary article deep in a
        list (not on the newest item of 通知公告 / 政策文件), where a sampling checker won't look."""
        home, statics = super()._links(cols)
        rng = _rng(self.spec, "jiyue-attach")
        deep = [it for c in cols.values() if c.kind != "hub" and c.key not in ("hdjl", "gknb") for it in c.items[5:]]
        for col in cols.values():
            for item in col.items:
                lost = [a for a in item.attachments if a[0] not in self.attachments]
                if not lost or not deep:
                    continue
                item.attachments = [a for a in item.attachments if a[0] in self.attachments]
                for _ in lost:
                    self._attach(rng.choice(deep), rng, missing=True)
        return home, statics

    # ------------------------------------------------------------ 解读

    def _fill_policy(self, cols: dict[str, Column]) -> None:
        """The shared documents and 解读 (dates, planted defects), then this family's titles and links."""
        super()._fill_policy(cols)
        rng = _rng(self.spec, "jiyue-interp")
        items = articles(self.pages)
        docs: list[Item] = cols["zcwj"].items if "zcwj" in cols else []
        self._distinct_instruments(docs, rng)
        interps = [o for o in items.values() if o.kind == "interp"]
        for it in interps:
            self.titles.discard(it.title)
        links: dict[str, str] = {}
        for doc in docs:
            paired = [items[p] for p in doc.related if p in items]
            if not paired:
                continue
            name, exact = self._instrument(doc, docs)
            for interp in paired:
                pattern = rng.choice(INTERP_TITLES)
                if not exact and pattern.startswith("《"):  # a whole title inside 《》: inner marks become 〈〉
                    name = name.replace("《", "〈").replace("》", "〉")
                interp.title = self._unique(pattern.format(t=name))
            # Title-only and back-only pairs need the 解读 column to reach the 解读 at all.
            if "zcjd" not in cols:
                links[doc.path] = "both"
            else:
                links[doc.path] = rng.choices(("both", "back", "title"), weights=(4, 3, 3))[0]
        standalone = [it for it in interps if not it.related]  # interpret nothing the site publishes as a document
        first = rng.randrange(len(STANDALONE_TITLES))
        for n, interp in enumerate(standalone):
            pattern = STANDALONE_TITLES[(first + n) % len(STANDALONE_TITLES)]
            interp.title = self._unique(self._fmt(pattern, rng, interp.date - dt.timedelta(days=365)))
        self.interp_links = links

    # ------------------------------------------------------------ the site

    def build(self) -> Site:
        self.interp_links = {}
        site = super().build()
        st, spec = self.style, self.spec
        r = st.random()
        site.charset = "gbk" if r < 0.3 else "gb2312-meta" if r < 0.4 else "utf-8"
        site.traditional = st.random() < 0.3
        if spec.index % 7 == 3:  # every farm of a few sites has GBK pages in Traditional Chinese
            site.charset, site.traditional = "gbk", True
        site.list_date_style = st.randrange(5)
        site.article_date_style = st.randrange(4)
        site.opts = self._looks(site, st)
        return site

    def _looks(self, site: Site, st: random.Random) -> dict[str, object]:
        cols = site.columns
        entry: dict[str, str] = {}
        for key in cols:
            entry[key] = st.choices(("a", "onclick", "li"), weights=(6, 3, 1))[0]
        top = [k for k, c in cols.items() if not c.parent and c.where == "top"]
        if top and not any(entry[k] != "a" for k in top):
            entry[st.choice(top)] = "onclick"  # every site has href-less entries in its menu
        lists: dict[str, str] = {}
        for key, col in cols.items():
            if col.kind == "hub":
                continue
            if col.kind == "js":  # the shared generator's script-written list: here an inline JSON object
                lists[key] = "json"
            elif key == "hdjl":
                lists[key] = "table"
            elif key in PLATFORM_KEYS:
                lists[key] = st.choice(("table", "table", "json"))
            else:
                lists[key] = st.choice(("table", "li", "datastore", "li"))
        sitemap = [k for k, c in cols.items() if c.where == "more"]
        sitemap += [k for k, c in cols.items() if c.where != "more" and st.random() < 0.4]
        return {
            "search": st.choice(("form", "js")),
            "meta_upper": st.random() < 0.25,
            "pubdate_seconds": st.random() < 0.4,
            "section_href": st.choice(("#", "javascript:;", "javascript:void(0)")),
            "entry": entry,
            "list": lists,
            "home_date": st.randrange(5),
            "yw_undated": st.random() < 0.3,
            "info_labels": st.randrange(2),
            "footer": st.choices(("lines", "table", "script"), weights=(6, 3, 1))[0],
            "code_label": st.choice(
                (
                    "网站标识码：",
                    "政府网站标识码:",
                    "网站识别码：",
                    "标识码：",
                    "网站标识码",
                    "政府网站标识码：",
                )
            ),
            "sponsor_label": st.choice(("主办：", "主办单位：", "主办方：", "网站主办：", "主办单位:")),
            "undertaker": st.choice(("承办：", "承办单位：", "")),
            "icp_label": st.choice(("", "ICP备案号：", "ICP备案序号：")),
            "psb_form": st.randrange(3),
            "conac": st.choice(("link", "script")),
            "jiucuo": st.random() < 0.7,
            "links": dict(self.interp_links),
            "rel_label": st.choice(("相关解读：", "政策解读：", "解读材料：", "【相关解读】")),
            "orig_label": st.choice(("原文链接：", "相关文件：", "政策原文：", "【文件原文】")),
            "msg_labels": st.choice((("留言时间", "回复时间"), ("来信时间", "答复时间"), ("提问时间", "回复时间"))),
            "home_xxgk_block": st.random() < 0.5,
            "sitemap": sitemap,
            "lookalikes": sorted(self.lookalikes),
            "hint": st.random() < 0.5,
        }
