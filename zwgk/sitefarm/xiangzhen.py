"""The ``xiangzhen`` template family: small-vendor CMS sites of the 2010s (乡镇 / 街道, county
departments), written from real government pages and the official rules only — never from
zwgk's crawler or rules — and held out: the rules are measured on it without their authors
having looked at it.

Facts it is built from (saved pages in ``shared/data/real-pages`` and public repositories of
saved pages and CMS templates): PHPCMS / DedeCMS-style sites address lists as
``list.php?catid=12`` (``&page=2``) or as generated static pages ``/html/<catdir>/index.html``
(``2.html`` …) and articles as ``/html/2024/0512/12345.html`` or ``show.php?catid=12&id=345``;
pages are served in GB2312 or GB18030 (often declared only in a ``<meta>``); layouts are
nested ``<table>`` with ``background=`` images and ``<font>`` markup; list dates are written
``2024-5-12``, ``[2024-05-12]`` after the title or ``（2024年05月12日）``; article heads carry
``发布时间：… 来源：… 作者：… 点击数：`` (the count written by a ``count.php`` script) or
``【发布日期：2024/05/12】【来源：…】【字体：大 中 小】``; footers read ``主办单位：… 协办单位：…`` or
``主办：… 承办：…办公室`` (象山 东陈乡), ``网站标识码:4412910009`` with an ASCII colon (肇庆高新,
宜春旅游), ``公安备案号 36090202000071`` without ``公网安备`` (宜春旅游), ``粤ICP备09172506``
without ``号``, ``技术支持：…网络科技有限公司``; some sites pull the whole footer in with an
``<iframe>``.  Column names: 公示公告, 政务要闻, 乡镇动态, 解读回应, 政务公开, 领导之窗, 便民服务;
依申请公开 is a page of the 政务公开 section, never the section itself.

What a ``xiangzhen`` site does differently from ``trs`` / ``hanweb`` / ``jiyue``:

* query-string lists and articles (``list.php?catid=N&page=2``, ``show.php?catid=N&id=M``,
  ``/gbook/show.php?id=M``) beside static ``/html/<catdir>/N.html`` lists and
  ``/html/<yyyy>/<mmdd>/<id>.html`` articles; relative hrefs (``list.php?catid=3``,
  ``html/2024/0512/1.html``) on the homepage and list pages;
* table lists with a dotted separator row, ``<li>`` with the date in brackets after the title,
  ``<li>`` with a parenthesised Chinese date, lists written by ``document.write``, and the
  信息公开 directory table (索引号 / 名称 / 文号 / 日期) for documents;
* navigation as a table row of ``<font>``-wrapped links; some columns only as image buttons
  whose name is in ``alt`` / ``title``;
* 解读 titled ``《X》解读``, ``关于《X》的政策解读``, ``《X》起草说明``, ``图解：X`` …, linked from a
  相关链接 box on the document, back from the 解读 (``原文链接``), both, or by title only;
* footers in a table, in ``<div>`` lines or inside an ``<iframe>``; GB2312 / GB18030 / UTF-8,
  a page labelled gb2312 carrying GBK-only characters (an editor named 王喆) as real ones do.

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

# Column names seen on real small-vendor sites for each standard column (key as in names.COLUMNS).
NAMES: dict[str, tuple[str, ...]] = {
    "xxgk": ("政务公开", "政府信息公开", "信息公开"),
    "gkzn": ("政府信息公开指南", "信息公开指南", "公开指南"),
    "gkzd": ("政府信息公开制度", "信息公开制度", "公开制度"),
    "fdzdgk": ("法定主动公开内容", "主动公开内容", "法定主动公开"),
    "gknb": ("政府信息公开年报", "信息公开年报", "政府信息公开年度报告", "年度报告"),
    "zcwj": ("政策文件", "政府文件", "规范性文件", "文件公开"),
    "zcjd": ("解读回应", "政策解读", "政策解读与回应"),
    "tzgg": ("公示公告", "通知公告", "公告公示", "通知通告"),
    "hdjl": ("政民互动", "互动交流", "公众参与"),
    "jgzn": ("机构职能", "机构设置", "机构概况"),
    "czyjs": ("财政预决算", "预决算公开", "部门预决算"),
    "yw": ("政务要闻", "政务动态", "今日要闻"),
    "bmdt": ("乡镇动态", "部门动态", "基层动态"),
    "rsxx": ("人事信息", "人事任免"),
    "ghjh": ("规划计划", "发展规划"),
}
DEPT_NEWS = ("工作动态", "部门要闻")
DEPT_LOCAL = ("基层动态", "单位动态")
# Columns every site of the family has that no rule asks for.
EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (("ldzc", "领导之窗"), ("bmfw", "便民服务"))
# A missing standard column next to a page that a hurried reader might take for it but a careful
# inspector does not: 依申请公开 is one part of the 政务公开 section, 招标公告 are no 通知公告.
LOOKALIKES: dict[str, tuple[str, str]] = {
    "政府信息公开": ("ysqgk", "依申请公开"),
    "通知公告": ("zbgg", "招标公告"),
}
# Static directory of a column whose lists the CMS generates as HTML files.
CATDIR = {"yw": "zwyw", "bmdt": "xzdt", "tzgg": "gsgg", "ldzc": "ldzc", "bmfw": "bmfw"}
# 解读 titles: each names the instrument ({t}).
INTERP_TITLES = (
    "《{t}》解读",
    "关于《{t}》的政策解读",
    "《{t}》起草说明",
    "关于《{t}》的起草说明",
    "图解：《{t}》",
    "{t}政策解读",
    "图解{t}",
    "{t}起草说明",
)
STANDALONE_TITLES = (
    "图解{year}年{region}政府工作报告",
    "{region}{year}年国民经济和社会发展统计公报解读",
    "一图看懂{region}{year}年民生实事项目",
    "数读{region}{year}年财政收支情况",
)


class XiangzhenBuilder(InstrumentTitles):
    """``_Builder`` with this family's names, paths, 解读 titles and looks.

    No two documents promulgate the same instrument; a 解读 names its instrument
    (``InstrumentTitles``, shared with the other families written from real pages: the rule is
    the same on any site)."""

    def __init__(self, spec: SiteSpec, config: FarmConfig):
        super().__init__(spec, config)
        assert self.template == "xiangzhen", self.template
        self.style = _rng(spec, "xiangzhen-style")
        self.catid_next = self.style.randint(2, 9)
        self.catids: dict[str, int] = {}
        self.static = {k for k in CATDIR if self.style.random() < 0.5}
        self.lookalikes: set[str] = set()
        self.interp_links = {}

    # ------------------------------------------------------------ paths

    def _catid(self, key: str) -> int:
        if key not in self.catids:
            self.catids[key] = self.catid_next
            self.catid_next += self.style.choice((1, 1, 1, 2, 5))
        return self.catids[key]

    def _col_path(self, key: str) -> str:
        if key == "hdjl":
            return "/gbook/index.php"
        if key in self.static:
            return f"/html/{CATDIR[key]}/index.html"
        return f"/list.php?catid={self._catid(key)}"

    def _item_path(self, key: str, day: dt.date, item_id: int) -> str:
        if key == "hdjl":
            return f"/gbook/show.php?id={item_id}"
        if key in self.static:
            return f"/html/{day.year}/{day:%m%d}/{item_id}.html"
        return f"/show.php?catid={self._catid(key)}&id={item_id}"

    def _paging(self, key: str) -> str:
        if key == "hdjl":
            return "query"
        return "num" if key in self.static else "query"

    def _register_columns(self, cols: dict[str, Column]) -> None:
        for col in cols.values():
            self.pages[col.path] = ("column", (col, 1))
            if col.key == "hdjl":  # /gbook/index.php?page=2 is answered from the query
                continue
            for page in range(2, col.pages + 1):
                self.pages[col.page_path(page, col.paging)] = ("column", (col, page))

    def _attach(self, item: Item, rng: random.Random, missing: bool = False) -> str:
        """Uploads live under ``/uploadfile/<yyyy>/<mmdd>/`` whatever the article's address."""
        ext = rng.choice(("pdf", "doc", "docx", "xls", "xlsx"))
        stamp = derive_seed(self.spec.seed, "upload", item.id, len(item.attachments)) % 10**10
        path = f"/uploadfile/{item.date.year}/{item.date:%m%d}/{item.date:%Y%m%d}{stamp:010d}.{ext}"
        label = f"附件{len(item.attachments) + 1}：{item.title[:12]}.{ext}"
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
            elif key in ("jgzn", "czyjs", "rsxx", "ghjh"):
                parent, where = "fdzdgk", "sub"
            elif key in ("zcjd", "hdjl") and look.random() < 0.3:
                where = "more"  # only as an image button on the homepage
            kind = "hub" if key in ("xxgk", "fdzdgk") else "list"
            cols[key] = self._column(key, std, name, fresh, kind, parent, where)
        for key, name in look.sample(PLAIN_COLUMNS, look.randint(2, 3)):
            cols[key] = self._column(key, "", name, "", "list", "fdzdgk", "sub")
        for key, name in EXTRA_COLUMNS:
            cols[key] = self._column(key, "", name, "", "list", "", "top")
        for std in sorted(missing):
            if std in LOOKALIKES:
                key, name = LOOKALIKES[std]
                cols[key] = self._column(key, "", name, "", "list", "", "top")
                self.lookalikes.add(key)
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
            page_size=self.style.choice((12, 15, 20, 25)),
            paging=self._paging(key),
        )

    # ------------------------------------------------------------ 解读

    def _fill_policy(self, cols: dict[str, Column]) -> None:
        """The shared documents and 解读 (dates, planted defects), then this family's titles and links."""
        super()._fill_policy(cols)
        rng = _rng(self.spec, "xiangzhen-interp")
        items = articles(self.pages)
        docs: list[Item] = cols["zcwj"].items if "zcwj" in cols else []
        self._distinct_instruments(docs, rng)
        interps = [o for o in items.values() if o.kind == "interp"]
        for it in interps:
            self.titles.discard(it.title)
        for doc in docs:
            paired = [items[p] for p in doc.related if p in items]
            if not paired:
                continue
            name, exact = self._instrument(doc, docs)
            for interp in paired:
                pattern = rng.choice(INTERP_TITLES)
                shown = name
                if not exact and "《{t}》" in pattern:  # a whole title inside 《》: inner marks 〈〉
                    shown = name.replace("《", "〈").replace("》", "〉")
                interp.title = self._unique(pattern.format(t=shown))
            if "zcjd" not in cols:  # the 解读 is reachable only from its document
                self.interp_links[doc.path] = rng.choice(("both", "forward"))
            else:
                self.interp_links[doc.path] = rng.choices(("both", "forward", "back", "title"), weights=(3, 2, 2, 2))[0]
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
        site.charset = "gb2312" if r < 0.45 else "gb18030-meta" if r < 0.65 else "utf-8"
        if self.spec.index % 5 == 1:  # every small farm has GB2312 sites
            site.charset = "gb2312"
        site.traditional = False
        site.list_date_style = st.randrange(4)
        site.article_date_style = st.randrange(4)
        self._family_broken_paths(site)
        self._tender_titles(site)
        site.opts = self._looks(site, st)
        return site

    def _tender_titles(self, site: Site) -> None:
        """The 招标公告 look-alike lists tenders (what such a column holds), not notices."""
        col = site.columns.get("zbgg")
        if col is None:
            return
        rng = _rng(self.spec, "xiangzhen-tenders")
        for item in col.items:
            self.titles.discard(item.title)
            item.title = self._unique(self._fmt("{region}{topic}项目招标公告", rng, item.date))

    def _family_broken_paths(self, site: Site) -> None:
        """Planted dead pages get addresses of this CMS (an article that was deleted)."""

        def remap(ref: str) -> str:
            if not ref.startswith("/xwzx/"):
                return ref
            n = derive_seed(self.spec.seed, "dead", ref) % 90000 + 10000
            year = self.as_of.year - 3
            return f"/html/{year}/0{n % 9 + 1}{n % 19 + 10}/{n}.html"

        site.home_broken = [(remap(r), a) for r, a in site.home_broken]
        for col in site.columns.values():
            col.broken = [(remap(r), a) for r, a in col.broken]

    def _looks(self, site: Site, st: random.Random) -> dict[str, object]:
        cols = site.columns
        lists: dict[str, str] = {}
        for key, col in cols.items():
            if col.kind == "hub":
                continue
            if col.kind == "js":
                lists[key] = "docwrite"
            elif key == "hdjl":
                lists[key] = "gbook"
            elif key == "zcwj":
                lists[key] = st.choice(("gktable", "gktable", "table"))
            else:
                lists[key] = st.choice(("table", "li_bracket", "li_paren", "table"))
        buttons = [k for k, c in cols.items() if c.where == "more"]
        return {
            "search": st.choice(("form", "form_img")),
            "amp": st.random() < 0.5,  # hrefs written with a raw "&" (older templates)
            "relative": st.random() < 0.7,  # relative hrefs on the homepage and list pages
            "list": lists,
            "buttons": buttons,
            "home_date": st.randrange(4),
            "marquee": st.random() < 0.5,
            "footer": st.choices(("table", "div", "iframe"), weights=(5, 3, 2))[0],
            "code_label": st.choice(("网站标识码:", "网站标识码：", "政府网站标识码：", "网站标识码 ")),
            "sponsor_form": st.randrange(4),
            "icp_form": st.randrange(3),
            "psb_form": st.randrange(4),
            "copyright": st.random() < 0.5,
            "vendor": st.choice(("县信息中心", "红星网络科技有限公司", "云帆网络", "博文信息技术有限公司")),
            "conac": st.choice(("link", "script")),
            "links": dict(self.interp_links),
            "rel_label": st.choice(("相关链接", "相关链接：", "【相关链接】")),
            "orig_label": st.choice(("原文链接：", "相关文件：", "附：原文")),
            "msg_labels": st.choice((("留言时间", "回复时间"), ("提问时间", "答复时间"))),
            "info_table": st.random() < 0.6,
            "lookalikes": sorted(self.lookalikes),
        }
