"""The ``kaipu`` template family: newer provincial 集约化 platforms and 开普云-style sites, written
BLIND — from real government pages, their labels and the official rules only, never from zwgk's
crawler, rules, column vocabulary or the rubric's column terms — and held out: the rules are
measured on it without their authors having looked.

Facts it is built from (``shared/data/real-pages`` with ``labels.json``, ``shared/domain``):

* 信息公开 detail pages with an info block of ``<dl><dd><label><font>索 引 号：</font></label>``
  rows (宜春 2022: 索 引 号 / 发布机构 / 发文日期 / 公开方式 …, an index number of the form
  ``014717475N/2023-0040295``), or the same facts in a table; 成文日期 is shown under several
  labels (成文日期 / 生成日期 (万载 2022) / 发文日期), beside a separate publish date;
* a 解读 linked from inside the document's own text (``相关解读：<a …>`` as the last paragraph
  of the 宜春 统计公报), from a 相关解读 box, back from the 解读, both ways, or by title only;
  解读 kinds of the rules text (图解, 一图读懂, 答记者问, 政策解读);
* footers: ``主办：X　承办：X办公室`` (宜春, 万载), ``主办单位：X　运行维护单位：…`` (中国政府网),
  ``政府网站标识码：3204000012   ICP备案号：苏ICP备05003616号   公安机关备案号：苏公网安备…号``
  (常州, all on one line), ``网站标识码bm01000001`` without a colon (中国政府网),
  ``赣公网安备 36090202000004号`` with a space; the 党政机关 badge as a ``bszs.conac.cn`` link with
  a local ``red.png`` or as the ``dcs.conac.cn`` script; the 找错 entry as
  ``<script id="_jiucuo_" sitecode=… src=…/exposure/jiucuo.js>`` (zfwzgl.www.gov.cn, or
  pucha.kaipuyun.cn on 山西) or as a ``jiucuo.html?site_code=`` image link (常州);
* column names seen on the real pages: 政务公开 / 信息公开 / 政府信息公开专栏, 政务要闻 /
  政务动态 / 要闻, 部门信息, 政府文件, 财政资金, 政府信息公开年度报告;
* 政府网站发展指引 / 61号文: the 信息公开 platform with 指南 / 制度 / 法定主动公开内容 / 年报.

What a ``kaipu`` site does differently from ``trs`` / ``hanweb`` / ``jiyue`` / ``xiangzhen``:

* 信息公开 documents at ``/xxgk/<dir>/art/<yyyy>/art_<32 hex>.html``, news at
  ``/zwgk/<dir>/<yyyymm>/content_<id>.html``, lists either static (``list.html``,
  ``list_2.html``) or one dynamic page addressed by its query (``/zwgk/list.html?columnId=N``,
  ``/xxgk/list.html?channelId=N&page=2``), letters at ``/hdjl/xjxx/detail.html?letterId=N``;
* lists as ``<li>`` with a date span, a day box (``05`` / ``2026-09``: the year elsewhere), the
  信息公开 directory table (序号 / 索引号 / 标题 / 发文字号 / 成文日期 / 发布日期), and lists fed by
  JSON written inline into a script block that renders them (titles sometimes ``\\u`` escaped),
  paged by links or by the platform's paging script (a URL template, no ``href``); on the
  homepage a carousel of 要闻 pictures (no dates) and, on some sites, a block written from JSON;
* dates as 2026-09-05, 2026年09月05日, 2026/9/5, 2026.09.05, and ``09-05`` on the homepage
  when every item is of this year; article heads labelled 发布时间 / 日　期 / [日期] / 发布日期,
  or (信息公开 articles of some sites) no date line at all — the info block alone dates them;
* the 信息公开 platform served in GBK (declared in a meta tag only) on some UTF-8 portals, whole
  sites in GBK on others.

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

# Column names on real pages (and the domain notes) for each standard column (key as in names.COLUMNS).
NAMES: dict[str, tuple[str, ...]] = {
    "xxgk": ("政务公开", "信息公开", "政府信息公开", "政府信息公开专栏"),
    "gkzn": ("政府信息公开指南", "信息公开指南"),
    "gkzd": ("政府信息公开制度", "信息公开制度"),
    "fdzdgk": ("法定主动公开内容", "主动公开内容"),
    "gknb": ("政府信息公开年报", "政府信息公开年度报告", "信息公开年报"),
    "zcwj": ("政府文件", "政策文件", "文件公开"),
    "zcjd": ("政策解读", "解读回应", "政策解读与回应"),
    "tzgg": ("通知公告", "公示公告", "通知通告"),
    "hdjl": ("互动交流", "政民互动", "互动"),
    "jgzn": ("机构职能", "机构信息", "机构概况"),
    "czyjs": ("财政资金", "财政预决算", "预决算公开"),
    "yw": ("政务要闻", "政务动态", "要闻"),
    "bmdt": ("部门信息", "部门动态", "区县动态"),
    "rsxx": ("人事信息", "人事任免"),
    "ghjh": ("规划计划", "发展规划"),
}
DEPT_NEWS = ("工作动态", "部门要闻")
DEPT_LOCAL = ("基层动态", "直属单位动态")
# Static directory of each column (list pages and article folders).
DIRS: dict[str, str] = {
    "yw": "zwyw",
    "bmdt": "bmxx",
    "tzgg": "tzgg",
    "zcjd": "zcjd",
    "zcwj": "zfwj",
    "gkzn": "gkzn",
    "gkzd": "gkzd",
    "gknb": "gknb",
    "jgzn": "jgxx",
    "czyjs": "czzj",
    "rsxx": "rsxx",
    "ghjh": "ghjh",
    "hdjl": "xjxx",
}
# Columns of the 信息公开 platform (the directory, its 文件 and the 法定主动公开 sub-columns).
GK_KEYS = frozenset({"gkzn", "gkzd", "gknb", "zcwj", "jgzn", "czyjs", "rsxx", "ghjh"})
INTERP_TITLES = (
    "《{t}》政策解读",
    "一图读懂《{t}》",
    "图解：《{t}》",
    "{who}有关负责人就《{t}》答记者问",
    "关于《{t}》的解读",
    "《{t}》解读",
)
STANDALONE_TITLES = (
    "一图读懂{year}年{region}政府工作报告",
    "图解：{region}{year}年国民经济和社会发展统计公报",
    "{region}{year}年民生实事项目答记者问",
    "数说{region}{year}年财政收支",
)


def hex32(*parts: object) -> str:
    """A 32-hex article id (the platform's UUID-like 稿件 id), stable for its parts."""
    return f"{derive_seed(*parts, 'a'):016x}{derive_seed(*parts, 'b'):016x}"


class KaipuBuilder(InstrumentTitles):
    """``_Builder`` with this family's names, paths, 解读 titles and looks (``InstrumentTitles``: no
    two documents promulgate the same instrument, and a 解读 names its instrument)."""

    def __init__(self, spec: SiteSpec, config: FarmConfig):
        super().__init__(spec, config)
        assert self.template == "kaipu", self.template
        self.style = _rng(spec, "kaipu-style")
        self.next_id = self.style.randint(11, 60) * 10
        self.ids: dict[str, int] = {}
        # which columns are one dynamic page addressed by its query (the others are static lists)
        self.dynamic = {
            k for k in list(DIRS) + [k for k, _ in PLAIN_COLUMNS] if k != "hdjl" and self.style.random() < 0.5
        }
        self.interp_links = {}

    # ------------------------------------------------------------ paths

    def _num(self, key: str) -> int:
        if key not in self.ids:
            self.ids[key] = self.next_id
            self.next_id += self.style.choice((1, 1, 2, 3, 7))
        return self.ids[key]

    def _dir(self, key: str) -> str:
        return DIRS.get(key, key)

    def _col_path(self, key: str) -> str:
        if key == "xxgk":
            return "/xxgk/index.html"
        if key == "fdzdgk":
            return "/xxgk/fdzdgk/index.html"
        if key == "hdjl":
            return "/hdjl/xjxx/index.html"
        gk = key in GK_KEYS or key in dict(PLAIN_COLUMNS)
        if key in self.dynamic:
            return f"/xxgk/list.html?channelId={self._num(key)}" if gk else f"/zwgk/list.html?columnId={self._num(key)}"
        return f"/{'xxgk' if gk else 'zwgk'}/{self._dir(key)}/list.html"

    def _item_path(self, key: str, day: dt.date, item_id: int) -> str:
        if key == "hdjl":
            return f"/hdjl/xjxx/detail.html?letterId={item_id}"
        if key in GK_KEYS or key in dict(PLAIN_COLUMNS):
            return f"/xxgk/{self._dir(key)}/art/{day.year}/art_{hex32(self.spec.seed, key, item_id)}.html"
        return f"/zwgk/{self._dir(key)}/{day:%Y%m}/content_{item_id}.html"

    def _paging(self, key: str) -> str:
        return "query" if key in self.dynamic or key == "hdjl" else "shtml"  # list_2.html

    def _register_columns(self, cols: dict[str, Column]) -> None:
        for col in cols.values():
            self.pages[col.path] = ("column", (col, 1))
            if col.kind == "hub":
                continue
            for page in range(2, col.pages + 1):
                self.pages[col.page_path(page, col.paging)] = ("column", (col, page))

    def _attach(self, item: Item, rng: random.Random, missing: bool = False) -> str:
        """Uploads live under ``/uploadfiles/<yyyy>/<mm>/`` whatever the article's address."""
        ext = rng.choice(("pdf", "doc", "docx", "xls", "xlsx", "wps"))
        if ext == "wps":
            ext = "pdf"
        stamp = derive_seed(self.spec.seed, "kaipu-upload", item.id, len(item.attachments)) % 10**6
        path = f"/uploadfiles/{item.date.year}/{item.date:%m}/{item.date:%Y%m%d}{item.time.replace(':', '')}{stamp:06d}.{ext}"
        label = f"附件{len(item.attachments) + 1}：{item.title[:14]}.{ext}"
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
            if key in ("gkzn", "gkzd", "fdzdgk", "gknb", "zcwj"):
                parent, where = "xxgk", "sub"  # 政府文件 lives in the 信息公开 platform
            elif key in ("jgzn", "czyjs", "rsxx", "ghjh"):
                parent, where = "fdzdgk", "sub"
            elif key in ("zcjd", "hdjl", "bmdt") and look.random() < 0.35:
                where = "more"  # only in the 更多 drop-down and the footer site map
            kind = "hub" if key in ("xxgk", "fdzdgk") else "list"
            cols[key] = self._column(key, std, name, fresh, kind, parent, where)
        if "zcwj" in cols and look.random() < 0.4:  # some platforms also put it in the top bar
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
            page_size=self.style.choice((10, 15, 20)),
            paging=self._paging(key),
        )

    # ------------------------------------------------------------ 解读

    def _fill_policy(self, cols: dict[str, Column]) -> None:
        """The shared documents and 解读 (dates, planted defects), then this family's titles and links."""
        super()._fill_policy(cols)
        rng = _rng(self.spec, "kaipu-interp")
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
                pattern = rng.choice(INTERP_TITLES)
                shown = name if exact else name.replace("《", "〈").replace("》", "〉")
                interp.title = self._unique(pattern.format(t=shown, who=who))
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
        # utf-8: everything UTF-8; gbk: the whole site GBK (header and meta); mixed: a UTF-8 portal
        # whose 信息公开 platform pages are GBK, declared in their meta tag only.
        site.charset = "gbk" if r < 0.2 else "mixed" if r < 0.5 else "utf-8"
        if self.spec.index % 6 == 1:
            site.charset = "mixed"
        site.traditional = False
        site.list_date_style = st.randrange(5)
        site.article_date_style = st.randrange(4)
        self._family_broken_paths(site)
        site.opts = self._looks(site, st)
        return site

    def _family_broken_paths(self, site: Site) -> None:
        """Planted dead pages get addresses of this platform (a 稿件 that was withdrawn)."""

        def remap(ref: str) -> str:
            if not ref.startswith("/xwzx/"):
                return ref
            n = derive_seed(self.spec.seed, "kaipu-dead", ref) % 900000 + 100000
            return f"/zwgk/zwyw/{self.as_of.year - 3}0{n % 9 + 1}/content_{n}.html"

        site.home_broken = [(remap(r), a) for r, a in site.home_broken]
        for col in site.columns.values():
            col.broken = [(remap(r), a) for r, a in col.broken]

    def _looks(self, site: Site, st: random.Random) -> dict[str, object]:
        lists: dict[str, str] = {}
        for key, col in site.columns.items():
            if col.kind == "hub":
                continue
            if col.kind == "js" or key in self.dynamic:
                lists[key] = "json"
            elif key == "hdjl":
                lists[key] = "letters"
            elif key == "zcwj" or (key in GK_KEYS and st.random() < 0.4):
                lists[key] = st.choice(("gktable", "gktable", "li"))
            else:
                lists[key] = st.choice(("li", "daybox", "li"))
        spec = self.spec
        org_code = f"{derive_seed(spec.seed, 'orgcode') % 10**8:08d}{'ABCDEFGHJKLMNPQRTUWXY'[spec.index % 21]}"
        return {
            "list": lists,
            "json_ascii": st.random() < 0.4,  # titles in the inline JSON as \\u escapes
            "json_pager": st.choice(("links", "script")),  # JSON lists page by links, or by a paging script
            "home_date": st.randrange(3),
            "home_tabs": st.random() < 0.5,
            "home_json": st.random() < 0.3,  # the second homepage block written by a script from inline JSON
            "slides": st.random() < 0.6,  # a carousel of the newest 要闻 (pictures and titles, no dates)
            "info": st.choice(("dl", "table")),
            "info_labels": (
                st.choice(("索引号", "索 引 号", "索　引　号")),
                st.choice(("发文字号", "文号", "文　　号")),
                st.choice(("成文日期", "生成日期", "发文日期")),
                st.choice(("发布日期", "发布时间", "公开日期")),
            ),
            "org_code": org_code,
            "source_label": st.choice(("来源：", "信息来源：", "[来源]")),
            "gk_attr": st.choice(("line", "none")),  # 信息公开 articles: a date line under the title, or none
            "footer": st.choice(("div", "table")),
            "sponsor_form": st.randrange(5),
            "code_label": st.choice(("网站标识码：", "政府网站标识码：", "网站识别码：", "网站标识码", "标识码：")),
            "icp_form": st.randrange(3),
            "psb_form": st.randrange(4),
            "id_order": st.choice(("code-icp-psb", "icp-psb-code", "icp-code-psb")),
            "conac": st.choice(("link", "script")),
            "jiucuo": st.choice(("zfwzgl", "kaipuyun", "link", "none")),
            "links": dict(self.interp_links),
            "rel_label": st.choice(("相关解读", "政策解读", "解读材料")),
            "orig_label": st.choice(("相关文件：", "政策原文：", "原文链接：")),
            "msg_labels": st.choice((("来信时间", "回复时间"), ("写信时间", "答复时间"), ("留言时间", "回复时间"))),
            "search_name": st.choice(("searchWord", "q", "keyword")),
        }
