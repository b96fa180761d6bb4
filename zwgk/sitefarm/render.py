"""HTML of the farm's pages, in the shapes real government CMSs produce.

Pure functions of the site model: header with the 指引 meta tags, navigation
(top bar, a 更多 menu, hub sub-navigation), list pages with pagination, article
pages with the 信息公开 header table, footers with 主办单位 / 网站标识码 / ICP /
公安备案 / 党政机关 badge (spellings from ``shared/data/real-pages``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass
from functools import lru_cache

from zwgk.sitefarm.content import plant_article, plant_home
from zwgk.sitefarm.disclosure import report_body
from zwgk.sitefarm.farm import Origins
from zwgk.sitefarm.model import Column, Item, Site
from zwgk.sitefarm.specs import derive_seed
from zwgk.sitefarm.substance import catalog_article

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ARTICLE_TEXT = (
    "为深入贯彻落实党中央、国务院决策部署，进一步推进{topic}工作，结合本地实际，现将有关事项通知如下。"
    "各单位要高度重视，加强组织领导，明确责任分工，确保各项工作落到实处。"
)


@dataclass(slots=True)
class Ctx:
    """What a page needs besides the model: where things are served."""

    site: Site
    origins: Origins

    @property
    def base(self) -> str:
        return self.origins.site(self.site.spec)

    def ext(self, host: str) -> str:
        return self.origins.external(host)

    def href(self, ref: str) -> str:
        return self.origins.resolve(self.site.spec, ref) if ref.startswith(("dead:", "v4only:")) else ref


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _style(site: Site, what: str, n: int) -> int:
    return derive_seed(site.spec.seed, "style", what) % n


def fmt_list_date(site: Site, day: dt.date) -> str:
    style = site.list_date_style
    if style == 0:
        return f"{day:%Y-%m-%d}"
    if style == 1:
        return f"[{day:%Y-%m-%d}]"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%Y/%m/%d}"


def fmt_pubdate_meta(site: Site, item: Item) -> str:
    if site.article_date_style == 2:
        return f"{item.date.year}年{item.date.month:02d}月{item.date.day:02d}日"
    return f"{item.date:%Y-%m-%d} {item.time}"


def fmt_article_date(site: Site, item: Item) -> str:
    d, style = item.date, site.article_date_style
    if style == 0:
        return f"发布时间：{d.year}/{d.month}/{d.day} {item.time}"
    if style == 1:
        return f"发布日期：{d:%Y-%m-%d}"
    if style == 2:
        return f"发布时间：{d.year}年{d.month}月{d.day}日 {item.time}"
    return f"日期：[{d:%Y-%m-%d}]"


# ---------------------------------------------------------------- head / nav / footer


def head(
    ctx: Ctx, title: str, page_type: str, column: Column | None = None, item: Item | None = None, all_tags: bool = False
) -> str:
    site, spec = ctx.site, ctx.site.spec
    missing = "" if all_tags else site.meta_missing.get(page_type, "")
    tags: list[tuple[str, str]] = [("SiteName", spec.name), ("SiteDomain", spec.host), ("SiteIDCode", spec.site_code)]
    if column is not None:
        tags += [
            ("ColumnName", column.name),
            ("ColumnDescription", f"{column.name}栏目"),
            ("ColumnKeywords", column.name),
            ("ColumnType", column.name),
        ]
    if item is not None:
        tags += [
            ("ArticleTitle", item.title),
            ("PubDate", fmt_pubdate_meta(site, item)),
            ("ContentSource", item.org),
            ("Keywords", ""),
            ("Description", ""),
        ]
    if site.charset == "gbk":
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    elif site.charset == "gb2312-meta":
        charset = '<meta charset="gb2312">'
    else:
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
    metas = "\n".join(f'<meta name="{n}" content="{esc(v)}">' for n, v in tags if n != missing)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head>\n{charset}\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"{metas}\n<title>{esc(title)}</title>\n"
        '<link rel="stylesheet" href="/css/common.css">\n<script src="/js/jquery.min.js"></script>\n'
        "</head>\n<body>\n"
    )


def header(ctx: Ctx) -> str:
    spec = ctx.site.spec
    # SEARCH-MISSING: the header simply has no search form (logo and tools only).
    search = (
        (
            '<form class="search" action="/search/" method="get"><input name="q" placeholder="请输入关键字">'
            '<button type="submit">搜索</button></form>'
        )
        if ctx.site.search
        else ""
    )
    return (
        '<div class="header"><div class="top-bar"><span>今天是：<span id="today"></span></span>'
        '<a href="javascript:void(0)" onclick="setFont()">无障碍浏览</a> <a href="javascript:void(0)">长者模式</a></div>'
        f'<div class="logo"><a href="/"><img src="/images/logo.png" alt="{esc(spec.name)}"></a></div>'
        f"{search}</div>\n"
    )


def _col_href(ctx: Ctx, col: Column) -> str:
    # Some TRS sites link hubs without the trailing slash (the server answers 301).
    if col.kind == "hub" and ctx.site.template == "trs" and _style(ctx.site, "slash", 2):
        return col.path.rstrip("/")
    return col.path


def _cached(ctx: Ctx, name: str, build) -> str:
    """Navigation and footer are the same on every page of a site: render them once."""
    key = f"{name}:{ctx.base}"
    value = ctx.site.cache.get(key)
    if value is None:
        value = ctx.site.cache[key] = build(ctx)
    return value


def nav(ctx: Ctx) -> str:
    return _cached(ctx, "nav", _nav)


def footer(ctx: Ctx) -> str:
    return _cached(ctx, "footer", _footer)


def _nav(ctx: Ctx) -> str:
    site = ctx.site
    top = [c for c in site.columns.values() if not c.parent and c.where == "top"]
    more = [c for c in site.columns.values() if not c.parent and c.where == "more"]
    parts = ['<div class="nav"><ul class="nav-list">', '<li><a href="/">首页</a></li>']
    for col in top:
        parts.append(f'<li><a href="{_col_href(ctx, col)}" target="_self">{esc(col.name)}</a></li>')
    if site.spec.kind == "portal":
        parts.append('<li><a href="/bsfw/">办事服务</a></li>')
    if more:
        parts.append('<li class="nav-more"><a href="javascript:void(0)">更多</a><ul class="more-list">')
        parts.extend(f'<li><a href="{_col_href(ctx, c)}">{esc(c.name)}</a></li>' for c in more)
        parts.append("</ul></li>")
    parts.append("</ul></div>\n")
    return "".join(parts)


def breadcrumb(ctx: Ctx, col: Column | None, extra: str = "") -> str:
    chain: list[Column] = []
    while col is not None:
        chain.insert(0, col)
        col = ctx.site.columns.get(col.parent) if col.parent else None
    links = ['<a href="/">首页</a>'] + [f'<a href="{c.path}">{esc(c.name)}</a>' for c in chain]
    if extra:
        links.append(esc(extra))
    return '<div class="position">当前位置：' + " &gt; ".join(links) + "</div>\n"


def _footer(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    f = site.footer
    code_label = ("网站标识码：", "政府网站标识码：", "网站标识码:")[_style(site, "codelabel", 3)]
    sitemap = next(iter(site.moved), "/wzdt/")
    lines = [
        '<div class="footer"><div class="footer-links">'
        f'<a href="{sitemap}">网站地图</a> | <a href="/lxwm/">联系我们</a> | <a href="/lxwm/#about">关于我们</a></div>',
    ]
    if f["sponsor"]:
        lines.append(f'<div class="footer_copyright">主办：{esc(f["sponsor"])} 承办：{esc(f["sponsor"])}办公室<br>')
    else:  # IDENT-SPONSOR: only the copyright line names the unit, no 主办单位
        lines.append('<div class="footer_copyright">')
    ids = []
    if f["icp"]:
        ids.append(f'<a href="{ctx.ext("beian.miit.gov.cn")}/" target="_blank">{esc(f["icp"])}</a>')
    if f["site_code"]:
        ids.append(f"{code_label}{esc(f['site_code'])}")
    if f["psb"]:
        record = "".join(ch for ch in f["psb"] if ch.isdigit())
        ids.append(
            f'<a href="{ctx.ext("www.beian.gov.cn")}/portal/registerSystemInfo?recordcode={record}" target="_blank">'
            f'<img style="vertical-align: middle;" src="/images/batb.png"> {esc(f["psb"])}</a>'
        )
    lines.append(" ".join(ids) + "<br>")
    lines.append(f"技术支持：{esc(spec.name.replace('人民政府', ''))}信息中心 版权所有：{esc(spec.name)}</div>")
    badge = ""
    if site.conac_id:  # CONAC-BADGE when empty: no 党政机关网站标识 at all
        badge = (
            '<span id="_ideConac">'
            f'<a href="{ctx.ext("bszs.conac.cn")}/sitename?method=show&amp;id={site.conac_id}" target="_blank">'
            f'<img id="imgConac" vspace="0" hspace="0" border="0" src="{ctx.ext("dcs.conac.cn")}/image/red.png" '
            'data-bd-imgshare-binded="1"></a></span>'
        )
    lines.append(
        f'<div class="footer_wzbs">{badge}'
        '<span id="_jiucuo_"><a href="javascript:void(0)">我为政府网站找错</a></span></div></div>\n'
    )
    return "".join(lines)


def page_end() -> str:
    return '<script>document.getElementById("today").innerHTML = new Date().toLocaleDateString();</script>\n</body></html>\n'


# ---------------------------------------------------------------- pages


def render_home(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    out = [head(ctx, spec.name, "home"), header(ctx), nav(ctx)]
    out.append('<div class="banner"><a href="/lxwm/"><img src="/images/banner.jpg" alt="banner"></a></div>\n')
    for key in site.home_blocks:
        col = site.columns[key]
        out.append(
            f'<div class="block block-{key}"><div class="hd"><h2><a href="{col.path}">{esc(col.name)}</a></h2>'
            f'<a class="more" href="{col.path}">更多&gt;&gt;</a></div><ul>'
        )
        for item in col.items[:6]:
            out.append(
                f'<li><a href="{item.path}" title="{esc(item.title)}">{esc(item.title)}</a>'
                f'<span class="date">{fmt_list_date(site, item.date)}</span></li>'
            )
        out.append("</ul></div>\n")
    out.append('<div class="block zt"><div class="hd"><h2>专题专栏</h2></div><ul>')
    for ref, anchor in [*site.home_broken, *site.v4_only_links]:
        if not ref.startswith("dead:"):
            out.append(f'<li><a href="{ctx.href(ref)}">{esc(anchor)}</a></li>')
    if site.calendar:
        out.append(f'<li><a href="{site.calendar}">活动日历</a></li>')
    out.append("</ul></div>\n")
    out.append(
        '<div class="friend-links"><span>友情链接：</span>'
        f'<a href="{ctx.ext("www.gov.cn")}/" target="_blank">中国政府网</a>'
    )
    for ref, anchor in site.home_broken:
        if ref.startswith("dead:"):
            out.append(f' <a href="{ctx.href(ref)}" target="_blank">{esc(anchor)}</a>')
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return plant_home(ctx, "".join(out))  # 办事服务 / content plants (zwgk.sitefarm.content)


def render_hub(ctx: Ctx, col: Column) -> str:
    site = ctx.site
    out = [head(ctx, f"{col.name}_{site.spec.name}", "column", column=col), header(ctx), nav(ctx), breadcrumb(ctx, col)]
    out.append(f'<div class="xxgk-nav"><h2>{esc(col.name)}</h2><ul>')
    for child in site.columns.values():
        if child.parent == col.key:
            out.append(f'<li><a href="{_col_href(ctx, child)}">{esc(child.name)}</a></li>')
    if col.key == "xxgk":
        out.append('<li><a href="/lxwm/#ysqgk">依申请公开</a></li>')
    out.append("</ul></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def render_column(ctx: Ctx, col: Column, page: int) -> str:
    site = ctx.site
    style = "index" if site.template == "trs" else "query"
    out = [head(ctx, f"{col.name}_{site.spec.name}", "column", column=col), header(ctx), nav(ctx), breadcrumb(ctx, col)]
    start = (page - 1) * col.page_size
    items = col.items[start : start + col.page_size]
    if col.kind == "js":
        data = [{"t": it.title, "u": it.path, "d": f"{it.date:%Y-%m-%d}"} for it in items]
        out.append(
            '<div class="list"><ul id="list"></ul><script type="text/javascript">\n'
            f"var data = {json.dumps(data, ensure_ascii=False)};\n"
            "var html = '';\nfor (var i = 0; i < data.length; i++) {\n"
            "  html += '<li><a href=\"' + data[i].u + '\">' + data[i].t + '</a><span>' + data[i].d + '</span></li>';\n"
            "}\ndocument.getElementById('list').innerHTML = html;\n</script></div>\n"
        )
    else:
        out.append('<div class="list"><ul>')
        for it in items:
            href = it.path
            if site.template == "trs" and it.path.startswith(col.path):
                href = "./" + it.path[len(col.path) :]
            extra = ""
            if it.kind == "message":
                extra = '<span class="state">已回复</span>' if it.answered else '<span class="state">未回复</span>'
            out.append(
                f'<li><a href="{href}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>{extra}'
                f'<span class="date">{fmt_list_date(site, it.date)}</span></li>'
            )
        if not items:
            out.append('<li class="empty">暂无信息</li>')
        out.append("</ul></div>\n")
    pages = col.pages
    if pages > 1:
        links = [f"<span>共{len(col.items)}条 第{page}/{pages}页</span>"]
        if page > 1:
            links.append(
                f'<a href="{col.page_path(1, style)}">首页</a> <a href="{col.page_path(page - 1, style)}">上一页</a>'
            )
        if page < pages:
            links.append(
                f'<a href="{col.page_path(page + 1, style)}">下一页</a> <a href="{col.page_path(pages, style)}">尾页</a>'
            )
        out.append('<div class="page">' + " ".join(links) + "</div>\n")
    if page == 1 and (col.broken or col.loop_link):
        out.append('<div class="side-links"><h3>相关链接</h3><ul>')
        for ref, anchor in col.broken:
            out.append(f'<li><a href="{ctx.href(ref)}">{esc(anchor)}</a></li>')
        if col.loop_link:
            out.append('<li><a href="/loop/a.html">旧版栏目</a></li>')
        out.append("</ul></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _info_table(ctx: Ctx, item: Item) -> str:
    site = ctx.site
    written = item.written or item.date
    date_cell = (
        f"{item.date:%Y-%m-%d}"
        if site.list_date_style != 2
        else f"{item.date.year}年{item.date.month}月{item.date.day}日"
    )
    return (
        '<div class="xxgk-detail"><table class="xxgk-table">'
        f"<tr><th>索引号：</th><td>{esc(site.spec.site_code)}/{item.date.year}-{item.id % 100000:05d}</td>"
        f"<th>主题分类：</th><td>综合政务</td></tr>"
        f"<tr><th>发布机构：</th><td>{esc(item.org)}</td><th>发布日期：</th><td>{date_cell}</td></tr>"
        f"<tr><th>文号：</th><td>{esc(item.doc_number)}</td><th>成文日期：</th><td>{written:%Y-%m-%d}</td></tr>"
        "</table></div>\n"
    )


def render_article(ctx: Ctx, item: Item, column: Column | None) -> str:
    site = ctx.site
    col_for_meta = column or Column(
        item.col, "", "政策解读" if item.kind == "interp" else item.col, "", "list", "", "sub", ""
    )
    out = [
        head(ctx, f"{item.title}_{site.spec.name}", "article", column=col_for_meta, item=item),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, column, "正文"),
    ]
    if item.kind in ("doc", "plain") or (item.kind == "report"):
        out.append(_info_table(ctx, item))
    out.append(f'<div class="article"><h1 class="title">{esc(item.title)}</h1>')
    if item.kind == "message":
        out.append(_message_body(item))
    else:
        out.append(
            f'<div class="info">{fmt_article_date(site, item)} <span>来源：{esc(item.org)}</span>'
            '<span>浏览次数：<b id="view"></b></span></div>'
        )
        if item.doc_number and item.kind == "doc":
            out.append(f'<p style="text-align:center">{esc(item.doc_number)}</p>')
        topic = item.title[:10]
        paragraph = f"<p>{esc(ARTICLE_TEXT.format(topic=topic))}</p>"
        body = paragraph * 3
        if item.large:
            body = paragraph * (1_200_000 // len(paragraph.encode("utf-8")) + 1)
        if item.kind == "report":
            body += report_body(site, item)  # sections and 2021-format tables (zwgk.sitefarm.disclosure)
        out.append(f'<div class="content">{body}</div>')
        if item.attachments:
            out.append('<div class="fj"><span>附件：</span>')
            out.extend(f'<p><a href="{path}">{esc(label)}</a></p>' for path, label in item.attachments)
            out.append("</div>")
        if item.related:
            label = "相关解读：" if item.kind == "doc" else ("原文链接：", "相关文件：")[_style(site, "orig", 2)]
            out.append(f'<div class="related"><span>{label}</span>')
            for path in item.related:
                target = site.article(path)
                title = target.title if target else "相关文件"
                out.append(f'<p><a href="{path}">{esc(title)}</a></p>')
            out.append("</div>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return plant_article(ctx, item, catalog_article(ctx, item, "".join(out)))  # content plants; 标准目录 tables


def _message_body(item: Item) -> str:
    asked = item.asked
    rows = [
        f"<tr><th>留言人：</th><td>{esc(item.title[:1])}**</td></tr>",
        f"<tr><th>留言时间：</th><td>{asked:%Y-%m-%d %H:%M:%S}</td></tr>",
        f"<tr><th>留言内容：</th><td>{esc(item.title)}，希望有关部门尽快答复。</td></tr>",
    ]
    if item.answered:
        rows += [
            f"<tr><th>回复单位：</th><td>{esc(item.org)}</td></tr>",
            f"<tr><th>回复时间：</th><td>{item.answered:%Y-%m-%d %H:%M:%S}</td></tr>",
            "<tr><th>回复内容：</th><td>您好！您反映的问题已收悉，我单位高度重视，已安排专人处理。感谢您的关注！</td></tr>",
        ]
    else:
        rows.append("<tr><th>办理状态：</th><td>未回复</td></tr>")
    return '<table class="message-table">' + "".join(rows) + "</table>"


def render_static(ctx: Ctx, kind: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    titles = {"wzdt": "网站地图", "lxwm": "联系我们", "bsfw": "办事服务", "search": "搜索结果"}
    title = titles.get(kind, kind)
    col = Column(kind, "", title, "", "list", "", "top", f"/{kind}/")
    out = [
        head(ctx, f"{title}_{spec.name}", "column", column=col, all_tags=True),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, None, title),
        f'<div class="article"><h1>{title}</h1>',
    ]
    if kind == "wzdt":
        out.append("<ul>")
        out.extend(f'<li><a href="{c.path}">{esc(c.name)}</a></li>' for c in site.columns.values())
        out.append("</ul>")
    elif kind == "lxwm":
        out.append(
            f"<p>{esc(spec.name)}</p><p>地址：{esc(spec.region)}人民路1号</p><p>电话：0795-8819792</p>"
            '<p id="about">关于我们</p><p id="ysqgk">依申请公开：请通过信函或当面提交申请。</p>'
        )
    elif kind == "bsfw":
        out.append("<ul><li>个人办事</li><li>法人办事</li><li>办事指南</li></ul>")
    else:
        out.append("<p>未找到相关结果。</p>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def render_calendar(ctx: Ctx, day: dt.date) -> str:
    """An endless calendar: every day links to the day before and after (a crawler trap)."""
    site = ctx.site
    col = Column("rl", "", "活动日历", "", "list", "", "sub", site.calendar)
    prev_day, next_day = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    return "".join(
        [
            head(ctx, f"活动日历_{site.spec.name}", "column", column=col, all_tags=True),
            header(ctx),
            nav(ctx),
            f'<div class="calendar"><h1>活动日历 {day:%Y-%m-%d}</h1><p>当日暂无活动安排。</p>'
            f'<a href="{site.calendar}?date={prev_day:%Y-%m-%d}">前一天</a> '
            f'<a href="{site.calendar}?date={next_day:%Y-%m-%d}">后一天</a></div>\n',
            footer(ctx),
            page_end(),
        ]
    )


def render_soft404(ctx: Ctx) -> str:
    spec = ctx.site.spec
    return (
        f"{head(ctx, spec.name, 'home', all_tags=True)}"
        '<div class="error-page"><img src="/images/404.png"><h2>对不起，您访问的页面不存在或已被删除！</h2>'
        '<p><a href="/">返回首页</a></p></div>\n</body></html>\n'
    )


def render_not_found() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
        "<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n"
    )


def render_maintenance(ctx: Ctx) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统维护中</title></head>'
        f"<body><h1>系统维护中</h1><p>{esc(ctx.site.spec.name)}网站正在进行系统维护，请稍后访问。</p></body></html>\n"
    )


EXTERNAL_PAGES = {
    "www.gov.cn": "中国政府网_中央人民政府门户网站",
    "beian.miit.gov.cn": "ICP/IP地址/域名信息备案管理系统",
    "www.beian.gov.cn": "全国互联网安全管理服务平台",
    "bszs.conac.cn": "党政机关网站标识 - 网站标识证书",
    "dcs.conac.cn": "党政机关网站标识",
}


def render_external(host: str) -> str:
    title = EXTERNAL_PAGES.get(host, host)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
        f"<body><h1>{esc(title)}</h1></body></html>\n"
    )


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def encode(site: Site, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type for the site's charset and script."""
    if site.traditional:
        # The CMS converts the visible page (繁体 rendering); <head> meta stays simplified.
        cut = page.find("<body>")
        if cut > 0:
            page = page[:cut] + _s2t().convert(page[cut:])
    if site.charset == "gbk":
        return page.encode("gb18030"), "text/html; charset=gbk"
    if site.charset == "gb2312-meta":
        return page.encode("gb18030"), "text/html"
    return page.encode("utf-8"), "text/html; charset=utf-8"
