"""The ``lingnan`` template family, written BLIND (never reading zwgk's crawler, rules, column
vocabulary or rubric, nor the trs / hanweb / jiyue / xiangzhen families) and held out: not in
``config.DEFAULT_FAMILIES`` nor in ``config.FAMILIES``, it is chosen by name only
(``--families lingnan``; ``config.HELD_OUT_FAMILIES``), so the rules can be measured on sites
their authors never saw.

Named for the 广东 (岭南) provincial 集约化 platform that about two in three of its sites follow (by
draw); the others follow older Struts / JSP platforms (``*.action`` pages) seen in 黑龙江 and
elsewhere.  Facts it is built from (nothing copied): the stored page qqhr.gov.cn
``News_showGkmlNews.action?messagekey=189769`` and code search over public repositories that scrape or embed these sites — scrapers of
广东 cities' gkmlpt directories and environmental-impact lists, spiders of 新点 lists, RSSHub-style
routes (绵竹 ``/info/iList.jsp?…&cur_page=``), and portal footers kept in front-end code (河南,
北京, 天津, 上海); where a fact was not found (the 互动 letter addresses, the Struts list names) the
form is assumed and said so below.

* the 广东 platform: articles at ``/<dir>/content/post_9157920.html`` (www.gz.gov.cn,
  wglj.gz.gov.cn, mzzjj.gz.gov.cn ``/xxgk/ghjh/content/post_…``), the 信息公开 directory's
  documents at ``/gkmlpt/content/10/10794/post_10794083.html`` (the id's millions and thousands
  as folders; www.panyu.gov.cn, www.gz.gov.cn, fgw.sz.gov.cn), a unit's pages under its own
  folder on a shared host (``/gzpyjy/``, ``/zqhjj/``, ``/yjzjj/``), attachments at
  ``/attachment/8/8018/8018386/10794083.xls`` (the attachment id's folders, then the post id),
  list pages paged ``index.html`` → ``index_2.html`` (茂名, ``div.common-list`` with the date in a
  ``<span>``), lists fed as JSON ``{"total": …, "articles": [{"id", "title", "url",
  "created_at"}]}`` (the ``/gkmlpt/api/all/<cat>?page=&sid=`` answer), titles sometimes
  ``%u``-escaped (a crawler of zfcxjst.gd.gov.cn / gdaudit.gd.gov.cn decodes them), the
  directory's landing page ``/gkmlpt/index`` with its ``window._CONFIG`` (``SID``, ``TREE``), the
  互动交流 platform under ``/hdjlpt/`` (gdee.gd.gov.cn; the letter pages' ``/hdjlpt/letter/
  pubdetail/<id>`` form is assumed);
* Struts / JSP platforms: ``News_showGkmlNews.action?messagekey=189769`` (qqhr.gov.cn, 齐齐哈尔),
  ``item.do`` / ``view.do`` (东莞) — the list pages' ``News_showList.action?colid=`` /
  ``Gkml_showList.action?catid=`` and letters' ``Letter_showLetter.action?letterid=`` are
  assumed; their 信息公开 head as a table of spaced labels
  ``索   引   号 20191202-189769 | 分 类 | 发 布 机 构 | 发 文 日 期 2019-11-29 | 名 称 |
  文 号 齐政办发〔2019〕29号 | 上 载 日 期 2019-12-02`` — the written date as 发文日期, the
  publication date as 上载日期 — and ``信息来源:`` under the title; an index number made of the
  upload date and the id;
* 新点 (Epoint) list markup ``<li class="ewb-list-node clearfix"><a class="ewb-list-name"
  title=…>…</a><span class="ewb-list-date">2021-12-04</span></li>`` (jxsggzy.cn, 德州, 苏州);
* 目录编制规范 (a provincial 政府信息公开目录 guide): the written date is also labelled
  产生日期 ("对于公文类信息，产生日期即签发日期");
* gov.cn policy pages: the info table 索 引 号 / 主题分类 / 发文机关 / 成文日期 / 标　　题 /
  发文字号 / 发布日期 with dates as 2018年12月21日, the body signed with the organ and date;
* footers: ``主办：河南省人民政府办公厅  协办：…`` with ``政府网站标识码：4100000001  备案序号：
  豫ICP备05024460号-1  郑公备：41010029000130`` and the 找错 entry as a ``jiucuo.html?site_code=
  …&url=…`` image link (henan.gov.cn, footer appended by a script); ``政府网站标识码：1100000169
  京公网安备110102000155 ICP备案编号：京ICP备14005922号－1`` (北京, no 号, a full-width dash);
  ``赣ICP备10005259号　　　政府网站标识码：3600000013`` after ``主办单位：… 地址：… 邮编：…``
  (江西); ``津公网安备 ：12010302000991号`` written by ``document.writeln`` (天津);
  ``沪ICP备：12004267`` / ``沪公安备：31010102045442号`` (上海); the 党政机关 badge as a
  ``bszs.conac.cn/sitename?method=show&id=`` link (河南) or the ``dcs.conac.cn`` script;
  友情链接 as a ``<select>`` of government sites (民政 footer script);
* 政府网站发展指引 / 61号文 (``shared/domain``): 指南 / 制度 / 法定主动公开内容 / 年报 in the
  信息公开 platform, the 指引 meta tags.

What a ``lingnan`` site does differently from the other families: the two URL schemes above
(Struts lists paged by ``&page=``, ``&pageIndex=`` or ``&cur_page=``);
lists as ``common-list`` spans, Epoint ``ewb-list`` nodes, a directory table (索引号 / 名称 /
文号 / 发文日期 / 上载日期) or gkmlpt JSON rendered by a script; list dates as 2026-09-05,
(2026-09-05), 2026年9月5日 or 2026-09-05 14:32; article heads 发布日期： / 发布时间：…发布单位： /
【发布时间：…】【来源：…】; the 信息公开 head with spaced labels; footers written inline, in a
table or by a script; search boxes as forms or as a box whose button opens the search page.

Defects are planted by the shared plan (``specs``) and the shared generator; only names, paths,
titles and looks are this family's, so the ground truth (``truth``) is computed the same way.
"""

from __future__ import annotations

import datetime as dt
import random

from zwgk.sitefarm.config import FarmConfig
from zwgk.sitefarm.generate import _rng
from zwgk.sitefarm.jiyue import InstrumentTitles
from zwgk.sitefarm.model import Column, Item, Site, SiteSpec, articles
from zwgk.sitefarm.names import COLUMNS, PLAIN_COLUMNS
from zwgk.sitefarm.specs import derive_seed

# Column names for each standard column (key as in names.COLUMNS), as seen on real pages.
NAMES: dict[str, tuple[str, ...]] = {
    "xxgk": ("政府信息公开", "信息公开", "政务公开", "政府信息公开目录"),
    "gkzn": ("政府信息公开指南", "信息公开指南"),
    "gkzd": ("政府信息公开制度", "信息公开制度"),
    "fdzdgk": ("法定主动公开内容", "主动公开目录"),
    "gknb": ("政府信息公开年报", "政府信息公开工作年度报告", "年度报告"),
    "zcwj": ("政策文件", "政府文件", "规范性文件"),
    "zcjd": ("政策解读", "解读回应", "政策解读回应"),
    "tzgg": ("通知公告", "公示公告", "公告公示"),
    "hdjl": ("互动交流", "政民互动", "公众互动"),
    "jgzn": ("机构职能", "机构概况", "机构设置"),
    "czyjs": ("财政预决算", "财政信息", "预算决算"),
    "yw": ("政务动态", "本地要闻", "新闻动态"),
    "bmdt": ("部门动态", "区县动态", "镇街动态"),
    "rsxx": ("人事信息", "人事任免"),
    "ghjh": ("规划计划", "发展规划"),
}
DEPT_NEWS = ("工作动态", "新闻动态")
DEPT_LOCAL = ("基层动态", "直属单位动态")
# Folder of each column on 广东-platform sites, and the Struts list id word on .action sites.
DIRS: dict[str, str] = {
    "yw": "zwdt",
    "bmdt": "bmdt",
    "tzgg": "tzgg",
    "zcjd": "zcjd",
    "zcwj": "zcwj",
    "gkzn": "gkzn",
    "gkzd": "gkzd",
    "gknb": "gknb",
    "jgzn": "jgzn",
    "czyjs": "czxx",
    "rsxx": "rsxx",
    "ghjh": "ghjh",
    "hdjl": "hdjl",
}
# Columns of the 信息公开 directory (their documents live at the directory's addresses).
GK_KEYS = frozenset({"gkzn", "gkzd", "gknb", "zcwj", "jgzn", "czyjs", "rsxx", "ghjh"})
INTERP_TITLES = (
    "《{t}》政策解读",
    "图解：《{t}》",
    "一图读懂《{t}》",
    "{who}负责人就《{t}》答记者问",
    "《{t}》解读",
    "关于《{t}》的政策解读",
)
STANDALONE_TITLES = (
    "图解{region}{year}年政府工作报告",
    "一图读懂{region}{year}年民生实事",
    "数说{region}{year}年经济运行",
    "{region}{year}年重点工作答记者问",
)


class LingnanBuilder(InstrumentTitles):
    """``_Builder`` with this family's names, paths, 解读 titles and looks (``InstrumentTitles``: 解读
    naming shared with the other families written from real pages, one instrument, one name)."""

    def __init__(self, spec: SiteSpec, config: FarmConfig):
        super().__init__(spec, config)
        assert self.template == "lingnan", self.template
        self.style = _rng(spec, "lingnan-style")
        # post: the 广东 集约化 platform; action: a Struts / JSP platform
        self.platform = "action" if self.style.random() < 0.3 else "post"
        if spec.index % 8 == 3:  # every farm of a few sites has both
            self.platform = "action"
        # a department's pages under its own folder (the shared-host habit of the 广东 platform)
        self.prefix = ""
        if self.platform == "post" and spec.kind == "department" and self.style.random() < 0.6:
            self.prefix = "/" + spec.host.split(".")[0] + spec.host.split(".")[1][:2]
        self.paging = self.style.choice(("query", "pageIndex", "cur_page"))
        self.next_id = self.style.randint(101, 899)
        self.ids: dict[str, int] = {}
        self.interp_links = {}

    # ------------------------------------------------------------ paths

    def _num(self, key: str) -> int:
        if key not in self.ids:
            self.ids[key] = self.next_id
            self.next_id += self.style.choice((1, 2, 3, 5))
        return self.ids[key]

    def _col_path(self, key: str) -> str:
        gk = key in GK_KEYS or key in dict(PLAIN_COLUMNS)
        if self.platform == "action":
            if key == "xxgk":
                return "/Gkml_index.action"
            if key == "fdzdgk":
                return "/Gkml_showCatalog.action?catid=0"
            if key == "hdjl":
                return "/Letter_showList.action?typeid=1"
            if gk:
                return f"/Gkml_showList.action?catid={self._num(key)}"
            return f"/News_showList.action?colid={self._num(key)}"
        base = self.prefix
        if key == "xxgk":  # the directory's landing page (its categories are #<id> routes of one page)
            return f"{base}/gkmlpt/index"
        if key == "fdzdgk":
            return f"{base}/xxgk/fdzdgknr/index.html"
        if key == "hdjl":
            return f"{base}/hdjlpt/letter/index.html"
        folder = DIRS.get(key, key)
        return f"{base}/{'xxgk/' if gk else 'zwgk/'}{folder}/index.html"

    def _item_path(self, key: str, day: dt.date, item_id: int) -> str:
        gk = key in GK_KEYS or key in dict(PLAIN_COLUMNS)
        if self.platform == "action":
            if key == "hdjl":
                return f"/Letter_showLetter.action?letterid={item_id}"
            return f"/{'News_showGkmlNews' if gk else 'News_showNews'}.action?messagekey={item_id}"
        post = item_id * 10 + 3  # seven-digit post ids
        if key == "hdjl":
            return f"{self.prefix}/hdjlpt/letter/pubdetail/{post}"
        if gk:
            return f"{self.prefix}/gkmlpt/content/{post // 10**6}/{post // 1000}/post_{post}.html"
        if key == "zcjd":
            return f"{self.prefix}/zwgk/zcjd/content/post_{post}.html"
        return f"{self.prefix}/zwgk/{DIRS.get(key, key)}/content/post_{post}.html"

    def _paging(self, key: str) -> str:
        """``index_2.html`` on the 广东 platform; a query parameter on Struts ones (``page``,
        ``pageIndex``, or ``cur_page`` as 绵竹's ``iList.jsp?…&cur_page=2``)."""
        return self.paging if self.platform == "action" else "shtml"

    def _register_columns(self, cols: dict[str, Column]) -> None:
        for col in cols.values():
            self.pages[col.path] = ("column", (col, 1))
            if col.kind == "hub":
                continue
            for page in range(2, col.pages + 1):
                self.pages[col.page_path(page, col.paging)] = ("column", (col, page))

    def _attach(self, item: Item, rng: random.Random, missing: bool = False) -> str:
        """广东: ``/attachment/<a>/<b>/<att id>/<post id>.<ext>``; Struts: ``/upload/<yyyymm>/…``."""
        ext = rng.choice(("pdf", "doc", "docx", "xls", "xlsx"))
        att = derive_seed(self.spec.seed, "lingnan-att", item.id, len(item.attachments)) % 9_000_000 + 1_000_000
        if self.platform == "action":
            path = f"/upload/{item.date:%Y%m}/{item.date:%Y%m%d}{att}.{ext}"
        else:
            post = item.id * 10 + 3
            path = f"{self.prefix}/attachment/{att // 10**6}/{att // 1000}/{att}/{post}.{ext}"
        label = f"{item.title[:16]}.{ext}"
        item.attachments.append((path, label))
        if not missing:
            self.attachments[path] = rng.randint(2000, 9000)
        return path

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
                name = look.choice(DEPT_LOCAL)
            parent, where = "", "top"
            if key in ("gkzn", "gkzd", "fdzdgk", "gknb"):
                parent, where = "xxgk", "sub"
            elif key in ("jgzn", "czyjs", "rsxx", "ghjh", "zcwj"):
                parent, where = "fdzdgk", "sub"  # 政策文件 sits in the directory's 主动公开 tree
            elif key in ("zcjd", "hdjl", "bmdt") and look.random() < 0.3:
                where = "more"
            kind = "hub" if key in ("xxgk", "fdzdgk") else "list"
            cols[key] = self._column(key, std, name, fresh, kind, parent, where)
        if "zcwj" in cols and look.random() < 0.5:  # many portals also put it in the top bar
            cols["zcwj"].parent, cols["zcwj"].where = "", "top"
        for key, name in look.sample(PLAIN_COLUMNS, look.randint(2, 3)):
            cols[key] = self._column(key, "", name, "", "list", "fdzdgk", "sub")
        for col in cols.values():  # a missing hub: its sub-columns move up a level
            while col.parent and col.parent not in cols:
                col.parent = "xxgk" if col.parent == "fdzdgk" else ""
                col.where = "sub" if col.parent else "top"
        return cols

    def _column(self, key: str, std: str, name: str, fresh: str, kind: str, parent: str, where: str) -> Column:
        return Column(
            key=key,
            std=std,
            name=name,
            fresh=fresh,
            kind=kind,
            parent=parent,
            where=where,
            path=self._col_path(key),
            page_size=self.style.choice((12, 15, 20)),
            paging=self._paging(key),
        )

    # ------------------------------------------------------------ 解读

    def _fill_policy(self, cols: dict[str, Column]) -> None:
        """The shared documents and 解读 (dates, planted defects), then this family's titles and links."""
        super()._fill_policy(cols)
        rng = _rng(self.spec, "lingnan-interp")
        items = articles(self.pages)
        docs: list[Item] = cols["zcwj"].items if "zcwj" in cols else []
        self._distinct_instruments(docs, rng)
        interps = [o for o in items.values() if o.kind == "interp"]
        for it in interps:
            self.titles.discard(it.title)
        who = self.spec.name.replace("人民政府", "") + ("政府办公室" if self.spec.kind == "portal" else "")
        for doc in docs:
            paired = [items[p] for p in doc.related if p in items]
            if not paired:
                continue
            name, exact = self._instrument(doc, docs)
            for interp in paired:
                shown = name if exact else name.replace("《", "〈").replace("》", "〉")
                interp.title = self._unique(rng.choice(INTERP_TITLES).format(t=shown, who=who))
            if "zcjd" not in cols:  # the 解读 is reachable only from its document
                self.interp_links[doc.path] = rng.choice(("both", "forward", "inline"))
            else:
                self.interp_links[doc.path] = rng.choices(
                    ("both", "forward", "inline", "back", "title"), weights=(3, 2, 2, 2, 2)
                )[0]
        standalone = [it for it in interps if not it.related]
        first = rng.randrange(len(STANDALONE_TITLES))
        for n, interp in enumerate(standalone):
            pattern = STANDALONE_TITLES[(first + n) % len(STANDALONE_TITLES)]
            interp.title = self._unique(self._fmt(pattern, rng, interp.date - dt.timedelta(days=365)))

    # ------------------------------------------------------------ the site

    def build(self) -> Site:
        site = super().build()
        st = self.style
        r = st.random()
        if self.platform == "action":  # the old JSP platforms: GBK or GB18030 more often than not
            site.charset = "gbk" if r < 0.4 else "gb18030" if r < 0.7 else "utf-8"
        else:
            site.charset = "gb18030" if r < 0.1 else "utf-8"
        if self.spec.index % 7 == 4:
            site.charset = "gbk"
        site.traditional = False
        site.list_date_style = st.randrange(4)
        site.article_date_style = st.randrange(3)
        self._family_broken_paths(site)
        site.opts = self._looks(site, st)
        return site

    def _family_broken_paths(self, site: Site) -> None:
        """Planted dead pages get addresses of this platform (a post that was withdrawn)."""

        def remap(ref: str) -> str:
            if not ref.startswith("/xwzx/"):
                return ref
            n = derive_seed(self.spec.seed, "lingnan-dead", ref) % 900000 + 100000
            if self.platform == "action":
                return f"/News_showNews.action?messagekey={n}"
            return f"{self.prefix}/zwgk/zwdt/content/post_{n * 10 + 3}.html"

        site.home_broken = [(remap(r), a) for r, a in site.home_broken]
        for col in site.columns.values():
            col.broken = [(remap(r), a) for r, a in col.broken]

    def _looks(self, site: Site, st: random.Random) -> dict[str, object]:
        lists: dict[str, str] = {}
        for key, col in site.columns.items():
            if col.kind == "hub":
                continue
            if key == "hdjl":
                lists[key] = "letters"
            elif col.kind == "js" or (self.platform == "post" and key in GK_KEYS and st.random() < 0.35):
                lists[key] = "json"  # the directory's list answer rendered by the page's script
            elif key == "zcwj" or (key in GK_KEYS and st.random() < 0.4):
                lists[key] = "gktable"
            else:
                lists[key] = st.choice(("common", "ewb", "common"))
        spec = self.spec
        credit = f"11{spec.site_code[:6]:0<6}{derive_seed(spec.seed, 'credit') % 10**9:09d}{'ABCDEFGHJKLMNPQRTUWXY'[spec.index % 21]}"
        return {
            "platform": self.platform,
            "prefix": self.prefix,
            "sid": str(derive_seed(spec.seed, "sid") % 900000 + 100000),
            "list": lists,
            "json_escape": st.random() < 0.4,  # titles in the JSON as %uXXXX (the page's script unescapes them)
            "home_date": st.randrange(3),
            "home_layout": st.choice(("tabs", "boxes")),
            "headline": st.random() < 0.6,  # the newest 要闻 as a big headline (no date)
            "info_labels": (
                st.choice(("索 引 号", "索   引   号", "索引号")),
                st.choice(("发文字号", "文 号", "文号")),
                st.choices(("成文日期", "发文日期", "产生日期"), weights=(3, 2, 1))[0],
                st.choice(("发布日期", "上载日期", "发布日期")),
            ),
            "index_form": st.choice(("credit", "dated")),  # 11441…K/2026-00123 or 20261103-189769
            "credit": credit,
            "source_label": st.choice(("信息来源：", "来源：", "发布单位：")),
            "gk_head": st.choice(("table", "table", "gov")),  # spaced-label table, or the gov.cn four-column one
            "footer": st.choice(("lines", "table", "script")),
            "sponsor_form": st.randrange(4),
            "code_label": st.choice(("政府网站标识码：", "政府网站标识码：", "网站标识码：")),
            "icp_form": st.randrange(4),
            "psb_form": st.randrange(5),
            "conac": st.choice(("link", "link", "script")),
            "jiucuo": st.choice(("link", "script", "none")),
            "links": dict(self.interp_links),
            "rel_label": st.choice(("相关解读：", "政策解读：", "解读材料：")),
            "orig_label": st.choice(("原文链接：", "相关文件：", "政策原文：")),
            "msg_labels": st.choice((("来信日期", "答复日期"), ("提交时间", "回复时间"), ("写信时间", "办理时间"))),
            "search": st.choices(("get", "post", "button"), weights=(3, 2, 2))[0],
            "search_name": st.choice(("keywords", "q", "searchWord", "kw")),
            "city": (spec.region.split("省")[-1][:1] or spec.abbr),
        }
