"""HTML of ``lingnan`` sites (see ``zwgk.sitefarm.lingnan`` for the real pages they are modelled on).

Same contract as the other renderers: pure functions of the site model, so the ground truth read
off the model is what the pages show.  Every choice of look was drawn when the site was built
(``Site.opts``); nothing here draws at random.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

from zwgk.sitefarm.lingnan import GK_KEYS
from zwgk.sitefarm.model import Column, Item, Site
from zwgk.sitefarm.names import PLAIN_COLUMNS
from zwgk.sitefarm.render import (
    ARTICLE_TEXT,
    Ctx,
    esc,
    render_calendar,
    render_maintenance,
    render_soft404,
)

__all__ = [
    "encode",
    "render_article",
    "render_calendar",
    "render_column",
    "render_home",
    "render_hub",
    "render_maintenance",
    "render_soft404",
    "render_static",
]

NAV_ORDER = ("yw", "xxgk", "zcwj", "zcjd", "tzgg", "bmdt", "hdjl")
PLAIN_KEYS = frozenset(k for k, _ in PLAIN_COLUMNS)
DECLARED_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)
CHARSET_NAMES = {"utf-8": "utf-8", "gbk": "GBK", "gb18030": "GB18030"}


def _opt(site: Site, name: str):
    return site.opts[name]


# ---------------------------------------------------------------- dates


def list_date(site: Site, item: Item) -> str:
    day, style = item.date, site.list_date_style
    if style == 0:
        return f"{day:%Y-%m-%d}"
    if style == 1:
        return f"({day:%Y-%m-%d})"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%Y-%m-%d} {item.time}"


def plain_date(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day:%m}月{day:%d}日"


def home_dates(site: Site, items: list[Item]) -> list[str]:
    style = _opt(site, "home_date")
    year = site.report_deadline.year  # the as-of year
    if style == 0 and all(it.date.year == year for it in items):
        return [f"{it.date:%m-%d}" for it in items]
    if style == 1:
        return [f"{it.date:%Y-%m-%d}" for it in items]
    return [list_date(site, it) for it in items]


def article_line(site: Site, item: Item) -> str:
    d, style, source = item.date, site.article_date_style, _opt(site, "source_label")
    if style == 0:
        return (
            f'<div class="info"><span>发布日期：{d:%Y-%m-%d}</span><span>{source}{esc(item.org)}</span>'
            '<span>浏览次数：<em id="hits"></em></span></div>'
        )
    if style == 1:
        return (
            f'<div class="info">发布时间：{d:%Y-%m-%d} {item.time}:00&nbsp;&nbsp;发布单位：{esc(item.org)}'
            '&nbsp;&nbsp;浏览次数：<span id="hits"></span></div>'
        )
    return (
        f'<div class="info">【发布时间：{cn_date(d)}】【{source.rstrip("：")}：{esc(item.org)}】'
        '【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> '
        '<a href="javascript:doZoom(12)">小</a>】</div>'
    )


# ---------------------------------------------------------------- the 信息公开 directory and charsets


def in_gk(site: Site, col: Column | None) -> bool:
    while col is not None:
        if col.key in ("xxgk", "fdzdgk") or col.key in GK_KEYS or col.key in PLAIN_KEYS:
            return True
        col = site.columns.get(col.parent) if col.parent else None
    return False


# ---------------------------------------------------------------- head, header, navigation


def head(
    ctx: Ctx,
    title: str,
    page_type: str,
    column: Column | None = None,
    item: Item | None = None,
    all_tags: bool = False,
) -> str:
    site, spec = ctx.site, ctx.site.spec
    missing = "" if all_tags else site.meta_missing.get(page_type, "")
    tags: list[tuple[str, str]] = [("SiteName", spec.name), ("SiteDomain", spec.host), ("SiteIDCode", spec.site_code)]
    if column is not None:
        tags += [
            ("ColumnName", column.name),
            ("ColumnDescription", column.name),
            ("ColumnKeywords", column.name),
            ("ColumnType", column.name),
        ]
    if item is not None:
        tags += [
            ("ArticleTitle", item.title),
            ("PubDate", f"{item.date:%Y-%m-%d} {item.time}"),
            ("ContentSource", item.org),
            ("Keywords", ""),
            ("Description", ""),
        ]
    metas = "\n".join(f'<meta name="{n}" content="{esc(v)}" />' for n, v in tags if n != missing)
    charset = CHARSET_NAMES.get(site.charset, "utf-8")
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{esc(title)}</title>\n{metas}\n"
        '<link rel="stylesheet" type="text/css" href="/css/ln/style.css" />\n'
        '<script type="text/javascript" src="/js/ln/jquery-1.11.3.min.js"></script>\n'
        f'</head>\n<body class="{page_type}">\n'
    )


def search_box(site: Site) -> str:
    if not site.search:
        return ""
    name, how = _opt(site, "search_name"), _opt(site, "search")
    if how == "button":  # no form: the button opens the search page with the typed words
        return (
            f'<div class="search"><input type="text" id="{name}" class="s-input" value="" placeholder="请输入关键字">'
            f'<button type="button" class="s-btn" onclick="window.open(\'/search/?{name}=\'+'
            f"encodeURIComponent(document.getElementById('{name}').value))\">搜索</button></div>"
        )
    method = "get" if how == "get" else "post"
    return (
        f'<div class="search"><form id="searchForm" name="searchForm" action="/search/" method="{method}" '
        f'target="_blank"><input type="text" name="{name}" class="s-input" value="请输入关键字" '
        "onfocus=\"if(this.value=='请输入关键字')this.value='';\">"
        '<input type="submit" class="s-btn" value="搜 索"></form></div>'
    )


def header(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    return (
        '<div class="topbar"><div class="wrap"><span class="fl" id="today"></span>'
        '<span class="fr"><a href="javascript:void(0)" id="wza">无障碍浏览</a> | '
        '<a href="javascript:void(0)" id="jft">繁體</a></span></div></div>\n'
        f'<div class="head"><div class="wrap"><a href="/" class="logo"><img src="/images/ln/logo.png" '
        f'alt="{esc(spec.name)}" /></a>{search_box(site)}</div></div>\n'
    )


def nav(ctx: Ctx) -> str:
    site = ctx.site
    if "nav" not in site.cache:
        items = ['<li class="first"><a href="/">首　页</a></li>']
        for c in site.top_columns(NAV_ORDER):
            subs = [s for s in site.columns.values() if s.parent == c.key]
            sub = ""
            if subs:  # the 二级 menu shown on hover
                sub = (
                    '<div class="subnav">'
                    + "".join(f'<a href="{esc(s.path)}">{esc(s.name)}</a>' for s in subs)
                    + "</div>"
                )
            items.append(f'<li><a href="{esc(c.path)}">{esc(c.name)}</a>{sub}</li>')
        if site.spec.kind == "portal":
            items.append('<li><a href="/bsfw/" target="_blank">政务服务</a></li>')
        more = site.more_columns()
        if more:
            menu = "".join(f'<a href="{esc(c.path)}">{esc(c.name)}</a>' for c in more)
            items.append(f'<li class="more"><a href="javascript:;">更多</a><div class="subnav">{menu}</div></li>')
        site.cache["nav"] = f'<div class="nav"><ul class="wrap">{"".join(items)}</ul></div>\n'
    return site.cache["nav"]


def breadcrumb(site: Site, col: Column | None, extra: str = "") -> str:
    chain: list[Column] = []
    while col is not None:
        chain.insert(0, col)
        col = site.columns.get(col.parent) if col.parent else None
    links = ['<a href="/">首页</a>'] + [f'<a href="{esc(c.path)}">{esc(c.name)}</a>' for c in chain]
    if extra:
        links.append(esc(extra))
    return f'<div class="location wrap">当前位置：{" &gt;&gt; ".join(links)}</div>\n'


# ---------------------------------------------------------------- footer


def _place(site: Site) -> str:
    return site.spec.name.replace("人民政府", "")


def footer_parts(ctx: Ctx) -> tuple[list[str], list[str]]:
    """(text lines, badge html) of the footer; the identity items in this site's spellings."""
    site, f = ctx.site, ctx.site.footer
    lines: list[str] = ['<a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a>']
    if f["sponsor"]:
        sponsor, place = esc(f["sponsor"]), esc(_place(site))
        lines.append(
            (
                f"主办：{sponsor}办公室　协办：{place}政务服务数据管理局",
                f"主办单位：{sponsor}　地址：{esc(site.spec.region)}行政中心　邮编：510000",
                f"主办单位：{sponsor}　承办单位：{place}信息中心",
                f"{sponsor}主办",
            )[_opt(site, "sponsor_form")]
        )
    ids: list[str] = []
    if f["site_code"]:
        ids.append(f"{_opt(site, 'code_label')}{esc(f['site_code'])}")
    if f["icp"]:
        icp, form = f["icp"], _opt(site, "icp_form")
        digits = re.match(r"\d+", icp.split("备", 1)[1])
        text = (
            f"备案序号：{icp}",
            f"ICP备案编号：{icp.replace('-', '－')}",  # 北京: a full-width dash
            icp,
            f"{icp.split('ICP')[0]}ICP备：{digits.group(0) if digits else icp}",  # 上海: 沪ICP备：12004267
        )[form]
        ids.append(f'<a href="{ctx.ext("beian.miit.gov.cn")}/" target="_blank">{esc(text)}</a>')
    if f["psb"]:
        record = "".join(ch for ch in f["psb"] if ch.isdigit())
        abbr = f["psb"].split("公网安备")[0]
        text = (
            f"{abbr}公网安备 {record}号",
            f"{abbr}公网安备{record}",
            f"{abbr}公网安备 ：{record}号",
            f"{_opt(site, 'city')}公备：{record}",
            f"{abbr}公安备：{record}号",
        )[_opt(site, "psb_form")]
        ids.append(
            f'<a href="{ctx.ext("www.beian.gov.cn")}/portal/registerSystemInfo?recordcode={record}" target="_blank">'
            f'<img src="/images/ln/ga.png" alt="" />{esc(text)}</a>'
        )
    if ids:
        lines.append("&nbsp;&nbsp;".join(ids))
    # no name here when the sponsor is left out: a copyright holder must not stand in for the 主办单位
    lines.append(f"版权所有：{esc(f['sponsor'])}　未经许可不得复制" if f["sponsor"] else "版权所有　未经许可不得复制")
    badges: list[str] = []
    if site.conac_id:
        if _opt(site, "conac") == "link":
            badges.append(
                f'<a href="{ctx.ext("bszs.conac.cn")}/sitename?method=show&amp;id={site.conac_id}" target="_blank">'
                '<img src="/images/ln/dzjg.png" alt="党政机关" /></a>'
            )
        else:
            src = f"{ctx.ext('dcs.conac.cn')}/js/{site.conac_id[:2]}/000/0000/{site.conac_id}/CA{site.conac_id}.js"
            badges.append(f'<span id="_ideConac"></span><script type="text/javascript" src="{src}"></script>')
    code, how = f["site_code"], _opt(site, "jiucuo")
    if code and how == "link":
        target = quote(ctx.base + "/", safe="")
        badges.append(
            f'<a href="{ctx.ext("zfwzgl.www.gov.cn")}/exposure/jiucuo.html?site_code={esc(code)}&amp;url={target}" '
            'target="_blank"><img src="/images/ln/jiucuo.png" alt="" /></a>'
        )
    elif code and how == "script":
        badges.append(
            f'<script id="_jiucuo_" sitecode="{esc(code)}" src="{ctx.ext("zfwzgl.www.gov.cn")}/exposure/jiucuo.js">'
            "</script>"
        )
    return lines, badges


def footer(ctx: Ctx) -> str:
    key = f"footer:{ctx.base}"
    site = ctx.site
    if key not in site.cache:
        lines, badges = footer_parts(ctx)
        style = _opt(site, "footer")
        links = [f'<option value="{ctx.ext("www.gov.cn")}/">中国政府网</option>']
        select = (
            '<div class="yqlj wrap"><select onchange="if(this.value)window.open(this.value)">'
            '<option value="">----政府网站----</option>' + "".join(links) + "</select></div>\n"
        )
        if style == "table":
            body = (
                '<div class="footer"><table width="1000" align="center" cellpadding="0" cellspacing="0"><tr>'
                f'<td width="110" align="center">{"".join(b for b in badges if "conac" in b)}</td><td align="center">'
                + "<br />".join(lines)
                + f'</td><td width="110">{"".join(b for b in badges if "conac" not in b)}</td></tr></table></div>\n'
            )
        elif style == "script":  # written by document.writeln (天津); the badges stay markup
            js = "".join(
                f"document.writeln({json.dumps('<p>' + line + '</p>', ensure_ascii=False)});\n" for line in lines
            )
            js = js.replace("</", "<\\/")
            body = (
                '<div class="footer"><div class="wrap"><div class="fl">'
                + "".join(badges)
                + '</div><div class="copy"><script type="text/javascript">\n'
                + js
                + "</script></div></div></div>\n"
            )
        else:
            body = (
                '<div class="footer"><div class="wrap"><div class="copy">'
                + "".join(f"<p>{line}</p>" for line in lines)
                + '</div><div class="badge">'
                + "".join(badges)
                + "</div></div></div>\n"
            )
        site.cache[key] = select + body
    return site.cache[key]


def footer_text(ctx: Ctx) -> str:
    """The footer as a reader sees it (the script-written lines as their text): for tests."""
    lines, badges = footer_parts(ctx)
    return "\n".join(lines + badges)


def page_end() -> str:
    return '<script type="text/javascript" src="/js/ln/common.js"></script>\n</body>\n</html>\n'


# ---------------------------------------------------------------- lists


def index_no(site: Site, item: Item) -> str:
    if _opt(site, "index_form") == "dated":
        return f"{item.date:%Y%m%d}-{item.id}"
    return f"{_opt(site, 'credit')}/{item.date.year}-{item.id % 100000:05d}"


def _u_escape(text: str) -> str:
    return "".join(ch if ord(ch) < 128 else f"%u{ord(ch):04X}" for ch in text)


def _json_list(site: Site, col: Column, items: list[Item], page: int) -> str:
    """The directory's list answer (``{"total", "articles": […]}``) written into the page and
    rendered by its script; titles ``%u``-escaped on some sites (the script unescapes them)."""
    escape = bool(_opt(site, "json_escape"))
    data = {
        "total": len(col.items),
        "page": page,
        "sid": _opt(site, "sid"),
        "articles": [
            {
                "id": it.id,
                "title": _u_escape(it.title) if escape else it.title,
                "url": it.path,
                "created_at": f"{it.date:%Y-%m-%d} {it.time}:00",
                "identifier": index_no(site, it),
            }
            for it in items
        ],
    }
    raw = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        '<div class="common-list"><ul id="artList"></ul></div>\n'
        '<script type="text/javascript">\n'
        f"var pageData = {raw};\n"
        "(function () {\n"
        "  var out = [];\n"
        "  for (var i = 0; i < pageData.articles.length; i++) {\n"
        "    var a = pageData.articles[i], t = unescape(a.title);\n"
        "    out.push('<li><a href=\"' + a.url + '\" target=\"_blank\" title=\"' + t + '\">' + t +\n"
        "      '</a><span>' + a.created_at.substring(0, 10) + '</span></li>');\n"
        "  }\n"
        "  document.getElementById('artList').innerHTML = out.join('');\n"
        "})();\n"
        "</script>\n"
    )


def _records(site: Site, col: Column, items: list[Item], page: int) -> str:
    markup = _opt(site, "list")[col.key]
    if not items:
        return '<div class="common-list"><p class="nodata">暂无相关信息</p></div>'
    if markup == "json":
        return _json_list(site, col, items, page)
    if markup == "gktable":
        idx, num, written, pub = _opt(site, "info_labels")
        rows = [
            '<table class="gkml-table" width="100%" cellspacing="0" cellpadding="0">'
            f'<tr><th width="170">{idx.replace(" ", "")}</th><th>名称</th><th width="150">{num.replace(" ", "")}</th>'
            f'<th width="95">{written}</th><th width="95">{pub}</th></tr>'
        ]
        for it in items:
            rows.append(
                f"<tr><td>{esc(index_no(site, it))}</td>"
                f'<td class="tl"><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a></td>'
                f"<td>{esc(it.doc_number)}</td><td>{plain_date(it.written or it.date)}</td><td>{plain_date(it.date)}</td></tr>"
            )
        return "".join(rows) + "</table>"
    if markup == "letters":
        asked = _opt(site, "msg_labels")[0]
        rows = [
            '<table class="letter-list" width="100%"><tr><th>信件标题</th><th width="160">受理单位</th>'
            f'<th width="110">{asked}</th><th width="80">办理状态</th></tr>'
        ]
        for it in items:
            state = "已回复" if it.answered else "办理中"
            rows.append(
                f'<tr><td><a href="{esc(it.path)}" target="_blank">{esc(it.title)}</a></td><td>{esc(it.org)}</td>'
                f"<td>{plain_date(it.date)}</td><td>{state}</td></tr>"
            )
        return "".join(rows) + "</table>"
    if markup == "ewb":  # 新点 list nodes
        return (
            '<ul class="ewb-list">'
            + "".join(
                f'<li class="ewb-list-node clearfix"><a href="{esc(it.path)}" title="{esc(it.title)}" '
                f'target="_blank" class="ewb-list-name">{esc(it.title)}</a>'
                f'<span class="ewb-list-date">{list_date(site, it)}</span></li>'
                for it in items
            )
            + "</ul>"
        )
    return (
        '<div class="common-list"><ul>'
        + "".join(
            f'<li><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
            f"<span>{list_date(site, it)}</span></li>"
            for it in items
        )
        + "</ul></div>"
    )


def _pager(site: Site, col: Column, page: int) -> str:
    if col.pages <= 1:
        return ""
    if _opt(site, "list").get(col.key) == "ewb" and col.key not in ("zcwj", "hdjl"):
        # 新点: the pager's links call the platform's script, which loads the page into the list box
        # (the pages themselves are still served at their addresses)
        def go(n: int, text: str) -> str:
            return (
                f'<a href="javascript:void(0)" onclick="ShowAjaxNewPage(\'{esc(col.path)}\','
                f"'categorypagingcontent',{n})\">{text}</a>"
            )

        parts = [f'<span class="ewb-page-total">共{col.pages}页</span>']
        if page > 1:
            parts.append(go(page - 1, "上页"))
        parts.append(f'<span class="ewb-page-num">{page}/{col.pages}</span>')
        if page < col.pages:
            parts.append(go(page + 1, "下页"))
        return '<div class="ewb-page">' + "".join(parts) + "</div>"

    def href(n: int) -> str:
        path = col.page_path(n, col.paging)
        if col.paging == "shtml":  # static lists link their pages relatively (index_2.html)
            return path.rsplit("/", 1)[1]
        return esc(path)

    parts = [f"<span>共{len(col.items)}条记录 第{page}/{col.pages}页</span>"]
    if page > 1:
        parts += [f'<a href="{href(1)}">首页</a>', f'<a href="{href(page - 1)}">上一页</a>']
    for n in range(max(1, page - 2), min(col.pages, page + 2) + 1):
        parts.append(f"<b>{n}</b>" if n == page else f'<a href="{href(n)}">{n}</a>')
    if page < col.pages:
        parts += [f'<a href="{href(page + 1)}">下一页</a>', f'<a href="{href(col.pages)}">尾页</a>']
    return '<div class="pagination">' + " ".join(parts) + "</div>"


def _side(site: Site, col: Column) -> str:
    root = col
    while root.parent and root.parent in site.columns:
        root = site.columns[root.parent]
    if root.key == "xxgk":
        members, title = site.columns_under("xxgk"), root.name
    else:
        members, title = site.top_columns(NAV_ORDER) + site.more_columns(), "栏目导航"
    rows = "".join(
        f'<dd{" class=cur" if c is col else ""}><a href="{esc(c.path)}">{esc(c.name)}</a></dd>' for c in members
    )
    return f'<div class="left"><dl class="sidenav"><dt>{esc(title)}</dt>{rows}</dl></div>'


# ---------------------------------------------------------------- pages


def render_home(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    out = [head(ctx, spec.name, "home"), header(ctx), nav(ctx), '<div class="main wrap">']
    news = site.columns.get("yw")
    if news is not None and news.items and _opt(site, "headline"):  # 头条: the newest 要闻, no date
        top = news.items[0]
        out.append(
            f'<div class="headline"><h2><a href="{esc(top.path)}" target="_blank">{esc(top.title)}</a></h2></div>'
        )
    blocks = []
    for key in site.home_blocks:
        col = site.columns[key]
        items = col.items[:8]
        rows = "".join(
            f'<li><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
            f'<span class="date">{shown}</span></li>'
            for it, shown in zip(items, home_dates(site, items))
        )
        blocks.append((col, f"<ul>{rows}</ul>"))
    if _opt(site, "home_layout") == "tabs" and blocks:  # 新点-style tab box
        heads = "".join(
            f'<li class="ewb-tab-item{" current" if i == 0 else ""}"><a href="{esc(c.path)}">{esc(c.name)}</a></li>'
            for i, (c, _) in enumerate(blocks)
        )
        bodies = "".join(
            f'<div class="ewb-tab-content"{"" if i == 0 else " style=display:none"}>{b}</div>'
            for i, (_, b) in enumerate(blocks)
        )
        out.append(f'<div class="ewb-tab"><ul class="ewb-tab-hd">{heads}</ul>{bodies}</div>')
    else:
        for col, body in blocks:
            out.append(
                f'<div class="idx-box"><div class="idx-tit"><h3>{esc(col.name)}</h3>'
                f'<a href="{esc(col.path)}" class="more">更多&gt;</a></div>{body}</div>'
            )
    gk = site.columns.get("xxgk")
    if gk is not None:
        subs = "".join(
            f'<li><a href="{esc(c.path)}">{esc(c.name)}</a></li>' for c in site.columns.values() if c.parent == "xxgk"
        )
        out.append(f'<div class="xxgk-entry"><h3><a href="{esc(gk.path)}">{esc(gk.name)}</a></h3><ul>{subs}</ul></div>')
    specials = [
        f'<li><a href="{esc(ctx.href(ref))}" target="_blank">{esc(anchor)}</a></li>'
        for ref, anchor in [*site.home_broken, *site.v4_only_links]
        if not ref.startswith("dead:")
    ]
    if site.calendar:
        specials.append(f'<li><a href="{site.calendar}">活动日历</a></li>')
    if specials:
        out.append('<div class="ztzl"><h3>专题专栏</h3><ul>' + "".join(specials) + "</ul></div>")
    dead = [
        f'<a href="{esc(ctx.href(ref))}" target="_blank">{esc(anchor)}</a>'
        for ref, anchor in site.home_broken
        if ref.startswith("dead:")
    ]
    if dead:
        out.append('<div class="links"><span>相关链接：</span>' + " | ".join(dead) + "</div>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def render_hub(ctx: Ctx, col: Column) -> str:
    site = ctx.site
    out = [
        head(ctx, f"{col.name}_{site.spec.name}", "column", column=col),
        header(ctx),
        nav(ctx),
        breadcrumb(site, col),
        f'<div class="main wrap clearfix">{_side(site, col)}<div class="right">',
    ]
    if col.key == "xxgk" and _opt(site, "platform") == "post":
        tree = [
            {"id": n, "name": c.name, "url": c.path}
            for n, c in enumerate(site.columns.values(), 1)
            if site.under(c, "xxgk") and c.kind != "hub"
        ]
        raw = json.dumps({"SID": _opt(site, "sid"), "TREE": tree}, ensure_ascii=False).replace("</", "<\\/")
        out.append(f'<script type="text/javascript">window._CONFIG = {raw};</script>')
    for child in site.columns.values():
        if child.parent != col.key:
            continue
        rows = "".join(
            f'<li><a href="{esc(it.path)}" target="_blank">{esc(it.title)}</a><span>{list_date(site, it)}</span></li>'
            for it in child.items[:5]
        )
        out.append(
            f'<div class="gk-box"><div class="gk-tit"><a href="{esc(child.path)}">{esc(child.name)}</a>'
            f'<a href="{esc(child.path)}" class="more">更多</a></div><ul>{rows}</ul></div>'
        )
    if col.key == "xxgk":
        out.append('<div class="gk-box"><div class="gk-tit"><a href="/lxwm/">依申请公开</a></div></div>')
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def render_column(ctx: Ctx, col: Column, page: int) -> str:
    site = ctx.site
    out = [
        head(ctx, f"{col.name}_{site.spec.name}", "column", column=col),
        header(ctx),
        nav(ctx),
        breadcrumb(site, col),
        f'<div class="main wrap clearfix">{_side(site, col)}<div class="right">',
        f'<div class="list-tit"><h2>{esc(col.name)}</h2></div>',
    ]
    start = (page - 1) * col.page_size
    out.append(_records(site, col, col.items[start : start + col.page_size], page))
    out.append(_pager(site, col, page))
    if page == 1 and col.key == "hdjl" and site.calendar:
        out.append(f'<p class="rl"><a href="{site.calendar}">活动日历</a></p>')
    if page == 1 and (col.broken or col.loop_link):
        out.append('<div class="xglj"><h4>相关链接</h4><ul>')
        out.extend(
            f'<li><a href="{esc(ctx.href(ref))}" target="_blank">{esc(anchor)}</a></li>' for ref, anchor in col.broken
        )
        if col.loop_link:
            out.append('<li><a href="/loop/a.html">旧版栏目</a></li>')
        out.append("</ul></div>")
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _gk_head(site: Site, item: Item) -> str:
    """The 信息公开 head of a directory document: spaced labels (Struts platforms) or the gov.cn table."""
    idx, num, written_label, pub_label = _opt(site, "info_labels")
    written = item.written or item.date
    if _opt(site, "gk_head") == "gov":
        return (
            '<table class="xxgk-info" width="100%" cellspacing="0" cellpadding="0">'
            f'<tr><td width="90"><b>{idx}：</b></td><td>{esc(index_no(site, item))}</td>'
            f'<td width="90"><b>主题分类：</b></td><td>{esc(site.columns[item.col].name if item.col in site.columns else "其他")}</td></tr>'
            f"<tr><td><b>发文机关：</b></td><td>{esc(item.org)}</td><td><b>{written_label}：</b></td><td>{cn_date(written)}</td></tr>"
            f'<tr><td><b>标　　题：</b></td><td colspan="3">{esc(item.title)}</td></tr>'
            f"<tr><td><b>{num}：</b></td><td>{esc(item.doc_number)}</td><td><b>{pub_label}：</b></td><td>{cn_date(item.date)}</td></tr>"
            "</table>\n"
        )

    def spaced(label: str) -> str:  # labels spaced to one width, as 齐齐哈尔's 发 文 日 期 / 上 载 日 期
        bare = label.replace(" ", "")
        return "　　".join(bare) if len(bare) == 2 else " ".join(bare)

    return (
        '<table class="gkml-head" width="100%" border="1" cellspacing="0" cellpadding="4">'
        f"<tr><th>{spaced(idx)}</th><td>{esc(index_no(site, item))}</td><th>分　　类</th>"
        f"<td>{esc(site.columns[item.col].name if item.col in site.columns else '其他')}</td></tr>"
        f"<tr><th>发 布 机 构</th><td>{esc(item.org)}</td><th>{spaced(written_label)}</th><td>{plain_date(written)}</td></tr>"
        f'<tr><th>名　　称</th><td colspan="3">{esc(item.title)}</td></tr>'
        f"<tr><th>{spaced(num)}</th><td>{esc(item.doc_number)}</td><th>{spaced(pub_label)}</th><td>{plain_date(item.date)}</td></tr>"
        "</table>\n"
    )


def _links_of(site: Site, item: Item) -> list[Item]:
    return [t for p in item.related if (t := site.article(p)) is not None]


def render_article(ctx: Ctx, item: Item, column: Column | None) -> str:
    site = ctx.site
    meta_col = column or Column(
        item.col, "", "政策解读" if item.kind == "interp" else item.col, "", "list", "", "sub", ""
    )
    gk = in_gk(site, column) or (column is None and item.kind == "doc")
    out = [
        head(ctx, f"{item.title}_{site.spec.name}", "article", column=meta_col, item=item),
        header(ctx),
        nav(ctx),
        breadcrumb(site, column, "正文"),
        '<div class="main wrap"><div class="article">',
    ]
    if gk and item.kind != "message":
        out.append(_gk_head(site, item))
    out.append(f'<h1 class="title">{esc(item.title)}</h1>')
    if item.kind == "message":
        out.append(_message(site, item))
    else:
        if not gk or item.kind != "doc":  # directory documents are dated by their head alone
            out.append(article_line(site, item))
        body = []
        if item.kind == "doc" and item.doc_number:
            body.append(f'<p align="center">{esc(item.doc_number)}</p>')
        if item.kind == "interp" and ("图解" in item.title or "一图读懂" in item.title):
            body.append(f'<p align="center"><img src="/images/ln/tj/{item.id}.jpg" alt="{esc(item.title)}" /></p>')
        para = f'<p style="text-indent:2em;">{esc(ARTICLE_TEXT.format(topic=item.title[:10]))}</p>'
        text = para * 3
        if item.large:
            text = para * (1_200_000 // len(para.encode("utf-8")) + 1)
        body.append(text)
        if item.kind == "doc":
            written = item.written or item.date
            body.append(
                f'<p align="right">{esc(item.org)}</p><p align="right">{written.year}年{written.month}月{written.day}日</p>'
            )
        if item.kind == "report":
            from zwgk.sitefarm.disclosure import report_body

            body.append(report_body(site, item))
        links = _opt(site, "links")
        targets = _links_of(site, item)
        if item.kind == "doc" and targets and links.get(item.path) == "inline":
            body.extend(
                f'<p style="text-indent:2em;">（附：政策解读 <a href="{esc(t.path)}" target="_blank">{esc(t.title)}</a>）</p>'
                for t in targets
            )
        out.append(f'<div class="content" id="zoom">{"".join(body)}</div>')
        if item.attachments:
            out.append(
                '<div class="attachment"><p>附件下载：</p><ul>'
                + "".join(f'<li><a href="{esc(p)}" target="_blank">{esc(lbl)}</a></li>' for p, lbl in item.attachments)
                + "</ul></div>"
            )
        out.append(_related(site, item, targets))
        out.append(_neighbours(site, item, column))
        out.append(
            '<div class="tools"><a href="javascript:window.print();">[打印本页]</a> '
            '<a href="javascript:window.close();">[关闭窗口]</a></div>'
        )
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _neighbours(site: Site, item: Item, column: Column | None) -> str:
    """上一篇 / 下一篇: the column's next newer and older items."""
    i = next((n for n, it in enumerate(column.items) if it is item), -1) if column is not None else -1
    if column is None or i < 0:
        return ""
    newer = column.items[i - 1] if i > 0 else None
    older = column.items[i + 1] if i + 1 < len(column.items) else None
    prev = f'<a href="{esc(newer.path)}">{esc(newer.title)}</a>' if newer else "没有了"
    nxt = f'<a href="{esc(older.path)}">{esc(older.title)}</a>' if older else "没有了"
    return f'<div class="prenext"><p>上一篇：{prev}</p><p>下一篇：{nxt}</p></div>'


def _related(site: Site, item: Item, targets: list[Item]) -> str:
    links = _opt(site, "links")
    if not targets:
        return ""
    if item.kind == "doc" and links.get(item.path, "both") in ("both", "forward"):
        rows = "".join(f'<li><a href="{esc(t.path)}" target="_blank">{esc(t.title)}</a></li>' for t in targets)
        return f'<div class="related"><h4>{esc(_opt(site, "rel_label"))}</h4><ul>{rows}</ul></div>'
    if item.kind == "interp" and links.get(item.related[0], "both") in ("both", "back"):
        return "".join(
            f'<div class="yw"><span>{esc(_opt(site, "orig_label"))}</span><a href="{esc(t.path)}" target="_blank">'
            f"{esc(t.title)}</a></div>"
            for t in targets
        )
    return ""


def _message(site: Site, item: Item) -> str:
    asked_label, answered_label = _opt(site, "msg_labels")
    assert item.asked is not None
    rows = [
        f'<tr><th width="100">信件标题</th><td>{esc(item.title)}</td></tr>',
        f"<tr><th>{asked_label}</th><td>{item.asked:%Y-%m-%d %H:%M}</td></tr>",
        f"<tr><th>来信内容</th><td>{esc(item.title)}，请相关部门予以解答。</td></tr>",
    ]
    if item.answered:
        rows += [
            f"<tr><th>答复单位</th><td>{esc(item.org)}</td></tr>",
            f"<tr><th>{answered_label}</th><td>{item.answered:%Y-%m-%d %H:%M}</td></tr>",
            "<tr><th>答复内容</th><td>您好！您反映的问题已收悉，经了解，现答复如下：相关工作正在按计划推进。感谢您的来信。</td></tr>",
        ]
    else:
        rows.append("<tr><th>办理状态</th><td>正在办理</td></tr>")
    return '<table class="letter-detail" width="100%" border="1" cellspacing="0">' + "".join(rows) + "</table>"


def render_static(ctx: Ctx, kind: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    titles = {"wzdt": "网站地图", "lxwm": "联系我们", "bsfw": "政务服务", "search": "站内搜索"}
    title = titles.get(kind, kind)
    col = Column(kind, "", title, "", "list", "", "top", f"/{kind}/")
    out = [
        head(ctx, f"{title}_{spec.name}", "column", column=col, all_tags=True),
        header(ctx),
        nav(ctx),
        breadcrumb(site, None, title),
        f'<div class="main wrap"><h2>{title}</h2>',
    ]
    if kind == "wzdt":
        for top in site.top_columns(NAV_ORDER) + site.more_columns():
            children = site.columns_under(top.key)
            out.append(f'<div class="map"><h3><a href="{esc(top.path)}">{esc(top.name)}</a></h3><p>')
            out.extend(f'<a href="{esc(c.path)}">{esc(c.name)}</a> ' for c in children)
            out.append("</p></div>")
    elif kind == "lxwm":
        out.append(
            f"<p>单位：{esc(spec.name)}</p><p>地址：{esc(spec.region)}行政中心</p>"
            "<p>依申请公开：可通过网上申请、信函申请、当面申请等方式提出政府信息公开申请。</p>"
        )
    elif kind == "bsfw":
        platform = ctx.ext("www.gov.cn")
        out.append(
            f'<ul class="bsfw"><li><a href="{platform}/fuwu/grbs/" target="_blank">个人办事</a></li>'
            f'<li><a href="{platform}/fuwu/frbs/" target="_blank">法人办事</a></li></ul>'
        )
    else:
        out.append("<p>未检索到相关信息。</p>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def encode(site: Site, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type, in the charset the page declares (GBK and GB18030 sites say so
    in the header too)."""
    m = DECLARED_RE.search(page[:800])
    declared = (m.group(1) if m else "utf-8").lower()
    if declared in ("gbk", "gb2312", "gb18030"):
        codec = "gb18030" if declared == "gb18030" else "gbk"
        return page.encode(codec, errors="xmlcharrefreplace"), f"text/html; charset={declared.upper()}"
    return page.encode("utf-8"), "text/html; charset=utf-8"
