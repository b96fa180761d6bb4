"""HTML of ``xiangzhen`` sites (see ``zwgk.sitefarm.xiangzhen`` for the real pages they are modelled on).

Same contract as ``render``: pure functions of the site model, so the ground truth read off the
model is what the pages show.  Every choice of look was drawn when the site was built
(``Site.opts``); nothing here draws at random.  The markup is that of 2010s small-vendor CMS
templates: nested tables, ``background=`` attributes, ``<font>``, relative hrefs.
"""

from __future__ import annotations

import datetime as dt
import posixpath

from zwgk.sitefarm.model import Column, Item, Site
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
    "render_extra",
    "render_home",
    "render_hub",
    "render_maintenance",
    "render_soft404",
    "render_static",
]

FOOTER_PAGE = "/inc/foot.html"
COUNTER = "/count.php"
# Order of the top navigation row (other top-level columns follow).
NAV_ORDER = ("xxgk", "yw", "bmdt", "tzgg", "zcwj", "zcjd", "hdjl", "ldzc", "bmfw")
GK_TABLE_HEAD = (
    '<table class="gk" width="100%" border="1" cellspacing="0" cellpadding="3" '
    'bordercolor="#CCCCCC" style="border-collapse:collapse"><tr bgcolor="#EEF3FA">'
    '<td width="150">索引号</td><td>名称</td><td width="150">文号</td><td width="90">发布日期</td></tr>'
)
GBOOK_TABLE_HEAD = (
    '<table width="100%" border="0" cellspacing="1" cellpadding="3" bgcolor="#CCCCCC">'
    '<tr bgcolor="#F0F0F0"><td>留言标题</td><td width="140">留言时间</td><td width="70">状态</td></tr>'
)
ARTICLE_TABLE_OPEN = (
    '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">'
    '<tr><td style="padding:20px 40px">'
)
# Editors' names with characters GBK has and GB2312 lacks (喆, 堃, 珺): a page labelled gb2312
# carries them as GBK bytes, which browsers (and a careful reader) decode without a fault.
EDITORS = ("王喆", "李堃", "陈珺", "刘洋")
CHARSET_LABEL = {"gb2312": "gb2312", "gb18030-meta": "gb18030", "utf-8": "utf-8"}


def _opt(site: Site, name: str):
    return site.opts[name]


# ---------------------------------------------------------------- addresses


def url(ctx: Ctx, path: str, here: str = "/") -> str:
    """``path`` as this site writes it in a page at ``here``: relative where the template is
    (homepage, list pages), with ``&`` raw or as ``&amp;``."""
    site = ctx.site
    out = path
    if path.startswith("/") and _opt(site, "relative"):
        folder = here.split("?", 1)[0].rsplit("/", 1)[0] or "/"
        if folder.count("/") <= 2:  # "/" or "/html/<catdir>": article folders keep absolute paths
            target, sep, query = path.partition("?")
            rel = posixpath.relpath(target, folder) if target != "/" else posixpath.relpath("/", folder)
            if target.endswith("/") and rel != ".":
                rel += "/"
            if rel == ".":
                rel = "./"
            out = rel + sep + query
    return out if _opt(site, "amp") else out.replace("&", "&amp;")


# ---------------------------------------------------------------- dates


def list_date(site: Site, day: dt.date) -> str:
    style = site.list_date_style
    if style == 0:
        return f"{day.year}-{day.month}-{day.day}"
    if style == 1:
        return f"{day:%Y-%m-%d}"
    if style == 2:
        return f"{day:%Y/%m/%d}"
    return f"{day.year}年{day:%m}月{day:%d}日"


def home_dates(site: Site, items: list[Item]) -> list[str]:
    style = _opt(site, "home_date")
    year = site.report_deadline.year  # the as-of year
    if style == 1 and all(it.date.year == year for it in items):
        return [f"[{it.date:%m-%d}]" for it in items]
    if style == 1:
        return [f"[{it.date:%Y-%m-%d}]" for it in items]
    if style == 2:
        return [f"{it.date:%Y/%m/%d}" for it in items]
    if style == 3:
        return [f"（{it.date.year}年{it.date:%m}月{it.date:%d}日）" for it in items]
    return [f"{it.date.year}-{it.date.month}-{it.date.day}" for it in items]


def article_date(site: Site, item: Item) -> str:
    d, style, org = item.date, site.article_date_style, esc(item.org)
    counter = f'<script language="javascript" src="{COUNTER}?id={item.id}"></script>'
    if style == 0:
        return f"发布时间：{d.year}-{d.month}-{d.day} {item.time}:00　来源：{org}　作者：admin　点击数：{counter}"
    if style == 1:
        return (
            f'【发布日期：{d:%Y/%m/%d}】【来源：{org}】【字体：<a href="javascript:doZoom(16)">大</a> '
            '<a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】'
        )
    if style == 2:
        return f"作者：admin　来源：{org}　时间：{d.year}年{d.month}月{d.day}日"
    return f"发表时间：{d.year}年{d:%m}月{d:%d}日　浏览次数：{counter}"


# ---------------------------------------------------------------- head, top, navigation


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
    tags: list[tuple[str, str]] = [
        ("SiteName", spec.name),
        ("SiteDomain", spec.host),
        ("SiteIDCode", spec.site_code),
    ]
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
            ("Author", "admin"),
        ]
    metas = "\n".join(f'<meta name="{n}" content="{esc(v)}">' for n, v in tags if n != missing)
    charset = CHARSET_LABEL[site.charset]
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{esc(title)}</title>\n{metas}\n"
        '<link href="/images/xz/style.css" rel="stylesheet" type="text/css">\n'
        '<script language="javascript" src="/images/xz/js/common.js"></script>\n'
        '<style type="text/css">body{margin:0;background:url(/images/xz/body_bg.gif) repeat-x}</style>\n'
        f'</head>\n<body topmargin="0" leftmargin="0" class="{page_type}">\n'
    )


def top(ctx: Ctx, here: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    search = ""
    if site.search:
        button = (
            '<input type="image" src="/images/xz/search_btn.gif" align="absmiddle">'
            if _opt(site, "search") == "form_img"
            else '<input type="submit" value="搜索" class="btn">'
        )
        search = (
            f'<form name="search" action="{url(ctx, "/search/", here)}" method="get" target="_blank">'
            '<input type="text" name="q" size="16" value="请输入关键字" onfocus="if(this.value==\'请输入关键字\')this.value=\'\'">'
            f"{button}</form>"
        )
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        '<td height="28" class="topbar"><script language="javascript">document.write(new Date().toLocaleDateString());</script></td>'
        '<td align="right" class="topbar"><a href="#" onclick="this.style.behavior=\'url(#default#homepage)\';'
        'this.setHomePage(location.href);return false;">设为首页</a> | '
        '<a href="javascript:window.external.AddFavorite(location.href,document.title)">加入收藏</a></td></tr></table>\n'
        '<table width="980" height="140" border="0" align="center" cellpadding="0" cellspacing="0" '
        'background="/images/xz/top_bg.jpg"><tr>'
        f'<td width="600"><img src="/images/xz/logo.png" alt="{esc(spec.name)}"></td>'
        f'<td align="right" valign="bottom">{search}</td></tr></table>\n'
    )


def nav(ctx: Ctx, here: str) -> str:
    key = f"nav:{ctx.base}:{here.split('?', 1)[0].rsplit('/', 1)[0]}"
    if key not in ctx.site.cache:
        cells = [
            f'<td align="center"><a href="{url(ctx, "/", here)}"><font color="#FFFFFF"><b>网站首页</b></font></a></td>'
        ]
        for col in ctx.site.top_columns(NAV_ORDER):
            cells.append(
                f'<td align="center"><a href="{url(ctx, col.path, here)}"><font color="#FFFFFF"><b>'
                f"{esc(col.name)}</b></font></a></td>"
            )
        sep = '<td width="2"><img src="/images/xz/nav_line.gif" width="2" height="36"></td>'
        ctx.site.cache[key] = (
            '<table width="980" height="36" border="0" align="center" cellpadding="0" cellspacing="0" '
            f'background="/images/xz/nav_bg.jpg"><tr>{sep.join(cells)}</tr></table>\n'
        )
    return ctx.site.cache[key]


def breadcrumb(ctx: Ctx, col: Column | None, here: str, extra: str = "") -> str:
    chain: list[Column] = []
    while col is not None:
        chain.insert(0, col)
        col = ctx.site.columns.get(col.parent) if col.parent else None
    links = [f'<a href="{url(ctx, "/", here)}">首页</a>']
    links += [f'<a href="{url(ctx, c.path, here)}">{esc(c.name)}</a>' for c in chain]
    if extra:
        links.append(esc(extra))
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        f'<td height="30" class="weizhi">当前位置：{" &gt;&gt; ".join(links)}</td></tr></table>\n'
    )


# ---------------------------------------------------------------- footer


def _place(site: Site) -> str:
    return site.spec.name.replace("人民政府", "")


def footer_lines(ctx: Ctx) -> list[str]:
    """The identity lines of the footer, each as shown."""
    site, f = ctx.site, ctx.site.footer
    lines: list[str] = []
    sponsor = esc(f["sponsor"])
    if f["sponsor"]:
        form = _opt(site, "sponsor_form")
        if form == 0:
            helper = f"{esc(_place(site))}融媒体中心" if site.spec.kind == "portal" else f"{sponsor}办公室"
            lines.append(f"主办单位：{sponsor}　协办单位：{helper}")
        elif form == 1:
            lines.append(f"主办：{sponsor}　承办：{sponsor}办公室")
        elif form == 2:
            lines.append(f"主办单位:{sponsor}")
        else:
            lines.append(f"网站主办：{sponsor}")
    year = site.report_deadline.year
    if f["sponsor"] and _opt(site, "copyright"):
        lines.append(f"版权所有：{sponsor}　Copyright &copy; 2012-{year}")
    else:
        lines.append(f"Copyright &copy; 2012-{year} All Rights Reserved")
    ids: list[str] = []
    if f["icp"]:
        icp = f["icp"]
        form = _opt(site, "icp_form")
        text = f"备案号：{icp}" if form == 0 else icp.removesuffix("号") if form == 2 else icp
        ids.append(f'<a href="{ctx.ext("beian.miit.gov.cn")}/" target="_blank">{esc(text)}</a>')
    if f["site_code"]:
        ids.append(f"{_opt(site, 'code_label')}{esc(f['site_code'])}")
    if f["psb"]:
        record = "".join(ch for ch in f["psb"] if ch.isdigit())
        prefix = f["psb"].split("公网安备")[0]
        text = (
            f["psb"],
            f"{prefix}公网安备{record}号",
            f"公安备案号 {record}",
            f"公安机关备案号：{f['psb']}",
        )[_opt(site, "psb_form")]
        ids.append(
            f'<a href="{ctx.ext("www.beian.gov.cn")}/portal/registerSystemInfo?recordcode={record}" '
            f'target="_blank"><img src="/images/xz/ga.png" border="0" align="absmiddle">{esc(text)}</a>'
        )
    if ids:
        lines.append("　".join(ids))
    lines.append(f"技术支持：{esc(_opt(site, 'vendor'))}　联系电话：0795-6221{site.spec.index % 1000:03d}")
    lines.append("建议使用1024×768分辨率 IE8.0以上版本浏览本站")
    return lines


def _badge(ctx: Ctx) -> str:
    site = ctx.site
    if not site.conac_id:
        return ""
    if _opt(site, "conac") == "link":
        return (
            f'<a href="{ctx.ext("bszs.conac.cn")}/sitename?method=show&amp;id={site.conac_id}" '
            'target="_blank"><img src="/images/xz/red.png" border="0" alt="党政机关"></a>'
        )
    src = f"{ctx.ext('dcs.conac.cn')}/js/{site.conac_id[:2]}/000/0000/{site.conac_id}/CA{site.conac_id}.js"
    return f'<span id="_ideConac"></span><script type="text/javascript" src="{src}"></script>'


def footer_block(ctx: Ctx, here: str) -> str:
    """The footer itself (in the page, or in the page the footer iframe loads)."""
    site = ctx.site
    links = (
        f'<a href="{url(ctx, next(iter(site.moved), "/wzdt/"), here)}">网站地图</a> | '
        f'<a href="{url(ctx, "/lxwm/", here)}">联系我们</a>'
    )
    lines = footer_lines(ctx)
    if _opt(site, "footer") == "div":
        return (
            f'<div class="foot"><div class="foot-links">{links}</div>'
            + "".join(f"<p>{line}</p>" for line in lines)
            + f'<div class="foot-badge">{_badge(ctx)}</div></div>\n'
        )
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" '
        'background="/images/xz/foot_bg.jpg"><tr><td height="30" align="center" colspan="2">'
        f'{links}</td></tr><tr><td width="100" align="center">{_badge(ctx)}</td>'
        f'<td align="center" height="100" style="line-height:24px"><font color="#333333">'
        f"{'<br>'.join(lines)}</font></td></tr></table>\n"
    )


def footer(ctx: Ctx, here: str) -> str:
    if _opt(ctx.site, "footer") == "iframe":
        return (
            f'<iframe src="{url(ctx, FOOTER_PAGE, here)}" width="100%" height="150" frameborder="0" '
            'scrolling="no" marginheight="0" marginwidth="0"></iframe>\n'
        )
    return footer_block(ctx, here)


def page_end() -> str:
    return "</body>\n</html>\n"


# ---------------------------------------------------------------- lists


def _records(ctx: Ctx, col: Column, items: list[Item], here: str) -> str:
    site = ctx.site
    markup = _opt(site, "list")[col.key]
    if not items:
        return (
            '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>'
            '<td height="60" align="center">该栏目暂无信息</td></tr></table>'
        )
    if markup == "gktable":
        rows = [GK_TABLE_HEAD]
        for it in items:
            rows.append(
                f"<tr><td>{esc(site.spec.site_code)}/{it.date.year}-{it.id % 100000:05d}</td>"
                f'<td><a href="{url(ctx, it.path, here)}" target="_blank">{esc(it.title)}</a></td>'
                f"<td>{esc(it.doc_number)}</td><td>{list_date(site, it.date)}</td></tr>"
            )
        return "".join(rows) + "</table>"
    if markup == "gbook":
        rows = [GBOOK_TABLE_HEAD]
        for it in items:
            state = "已回复" if it.answered else '<font color="red">未回复</font>'
            rows.append(
                f'<tr bgcolor="#FFFFFF"><td><a href="{url(ctx, it.path, here)}" target="_blank">{esc(it.title)}</a></td>'
                f"<td>{list_date(site, it.date)}</td><td>{state}</td></tr>"
            )
        return "".join(rows) + "</table>"
    if markup == "table":
        rows = ['<table width="100%" border="0" cellspacing="0" cellpadding="0">']
        for it in items:
            rows.append(
                '<tr><td width="15" height="26"><img src="/images/xz/dot.gif" width="5" height="5"></td>'
                f'<td><a href="{url(ctx, it.path, here)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a></td>'
                f'<td width="110" align="center"><font color="#999999">{list_date(site, it.date)}</font></td></tr>'
                '<tr><td colspan="3" height="1" background="/images/xz/dotline.gif"></td></tr>'
            )
        return "".join(rows) + "</table>"
    if markup == "li_bracket":
        return (
            '<ul class="list">'
            + "".join(
                f'<li>·<a href="{url(ctx, it.path, here)}" target="_blank">{esc(it.title)}</a>&nbsp;[{list_date(site, it.date)}]</li>'
                for it in items
            )
            + "</ul>"
        )
    if markup == "li_paren":
        return (
            '<ul class="list">'
            + "".join(
                f'<li><a href="{url(ctx, it.path, here)}" target="_blank">{esc(it.title)}</a>'
                f'<span class="date">（{list_date(site, it.date)}）</span></li>'
                for it in items
            )
            + "</ul>"
        )
    if markup == "docwrite":  # the list is written by the page's own script
        lines = ['<script language="javascript">', 'document.write("<ul class=\\"list\\">");']
        for it in items:
            href = url(ctx, it.path, here)
            lines.append(
                f"document.write(\"<li><a href='{href}' target='_blank'>{esc(it.title)}</a>"
                f'<span>{list_date(site, it.date)}</span></li>");'
            )
        lines += ['document.write("</ul>");', "</script>"]
        return "\n".join(lines)
    raise ValueError(f"unknown list markup {markup!r}")


def _pager(ctx: Ctx, col: Column, page: int, here: str) -> str:
    if col.pages <= 1:
        return ""

    def link(n: int) -> str:
        return url(ctx, col.page_path(n, col.paging), here)

    parts = [
        f'<a class="a1">{len(col.items)}条</a>',
        f'<a href="{link(max(1, page - 1))}" class="a1">上一页</a>',
    ]
    for n in range(1, col.pages + 1):
        parts.append(f"<span>{n}</span>" if n == page else f'<a href="{link(n)}">{n}</a>')
    parts.append(f'<a href="{link(min(col.pages, page + 1))}" class="a1">下一页</a>')
    return '<div id="pages" class="text-c">' + " ".join(parts) + "</div>"


def _side(ctx: Ctx, col: Column, here: str) -> str:
    """The left menu: the 政务公开 tree for its columns, the top-level columns otherwise."""
    site = ctx.site
    root = col
    while root.parent and root.parent in site.columns:
        root = site.columns[root.parent]
    if root.key == "xxgk":
        members = site.columns_under("xxgk")
        title = root.name
    else:
        members, title = site.top_columns(NAV_ORDER), "栏目导航"
    rows = "".join(
        f'<tr><td height="32" background="/images/xz/left_li.gif">&nbsp;&nbsp;'
        f'<a href="{url(ctx, c.path, here)}">{esc(c.name)}</a></td></tr>'
        for c in members
    )
    return (
        f'<td width="220" valign="top"><table width="100%" border="0" cellspacing="0" cellpadding="0">'
        f'<tr><td height="38" background="/images/xz/left_title.jpg" class="lt">{esc(title)}</td></tr>'
        f"{rows}</table></td>"
    )


def render_home(ctx: Ctx) -> str:
    site, spec, here = ctx.site, ctx.site.spec, "/"
    out = [head(ctx, spec.name, "home"), top(ctx, here), nav(ctx, here)]
    out.append('<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr valign="top">')
    boxes = []
    for key in site.home_blocks:
        col = site.columns[key]
        items = col.items[:7]
        rows = "".join(
            f'<tr><td height="25">·<a href="{url(ctx, it.path, here)}" target="_blank" title="{esc(it.title)}">'
            f'{esc(it.title)}</a></td><td width="100" align="right"><font color="#888888">{shown}</font></td></tr>'
            for it, shown in zip(items, home_dates(site, items))
        )
        body = f'<table width="100%" border="0" cellspacing="0" cellpadding="0">{rows}</table>'
        if key == "tzgg" and _opt(site, "marquee"):
            body = (
                '<marquee direction="up" scrollamount="2" height="180" onmouseover="this.stop()" '
                f'onmouseout="this.start()">{body}</marquee>'
            )
        boxes.append(
            '<table width="100%" border="0" cellspacing="0" cellpadding="0">'
            f'<tr><td height="34" background="/images/xz/box_title.jpg" class="bt">{esc(col.name)}</td>'
            f'<td align="right" background="/images/xz/box_title.jpg"><a href="{url(ctx, col.path, here)}">'
            f'<img src="/images/xz/more.gif" border="0" alt="更多"></a></td></tr>'
            f'<tr><td colspan="2">{body}</td></tr></table>'
        )
    for i in range(0, len(boxes), 2):
        out.append("".join(f'<td width="490">{b}</td>' for b in boxes[i : i + 2]) + '</tr><tr valign="top">')
    out.append("<td></td></tr></table>\n")
    buttons = [site.columns[k] for k in _opt(site, "buttons") if k in site.columns]
    leaders = site.columns.get("ldzc")
    side = []
    if leaders is not None:
        side.append(
            f'<a href="{url(ctx, leaders.path, here)}"><img src="/images/xz/ldzc.jpg" border="0" '
            f'alt="{esc(leaders.name)}"></a>'
        )
    side += [
        f'<a href="{url(ctx, c.path, here)}"><img src="/images/xz/btn_{c.key}.jpg" border="0" alt="{esc(c.name)}"></a>'
        for c in buttons
    ]
    out.append(
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        + "".join(f'<td align="center">{s}</td>' for s in side)
        + "</tr></table>\n"
    )
    specials = [
        f'<a href="{url(ctx, ctx.href(ref), here)}" target="_blank">{esc(anchor)}</a>'
        for ref, anchor in [*site.home_broken, *site.v4_only_links]
        if not ref.startswith("dead:")
    ]
    if site.calendar:
        specials.append(f'<a href="{url(ctx, site.calendar, here)}">活动日历</a>')
    if specials:
        out.append(
            '<table width="980" border="0" align="center"><tr><td class="zt"><b>专题链接：</b>'
            + "　".join(specials)
            + "</td></tr></table>\n"
        )
    out.append(
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="40">'
        '友情链接：<select name="select" onchange="if(this.value!=\'\')window.open(this.value)">'
        f'<option value="">----政府网站----</option><option value="{ctx.ext("www.gov.cn")}/">中国政府网</option>'
        "</select>"
    )
    for ref, anchor in site.home_broken:
        if ref.startswith("dead:"):
            out.append(f'　<a href="{ctx.href(ref)}" target="_blank">{esc(anchor)}</a>')
    out.append("</td></tr></table>\n")
    out.append(footer(ctx, here))
    out.append(page_end())
    return "".join(out)


def render_hub(ctx: Ctx, col: Column) -> str:
    site, here = ctx.site, col.path
    out = [
        head(ctx, f"{col.name}_{site.spec.name}", "column", column=col),
        top(ctx, here),
        nav(ctx, here),
        breadcrumb(ctx, col, here),
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>',
        _side(ctx, col, here),
        '<td valign="top" style="padding-left:15px">',
    ]
    for child in site.columns.values():
        if child.parent != col.key:
            continue
        rows = "".join(
            f'<li><a href="{url(ctx, it.path, here)}" target="_blank">{esc(it.title)}</a>'
            f"<span>{list_date(site, it.date)}</span></li>"
            for it in child.items[:5]
        )
        out.append(
            f'<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td class="gk-tit">'
            f'<a href="{url(ctx, child.path, here)}"><b>{esc(child.name)}</b></a></td></tr>'
            f'<tr><td><ul class="gk-list">{rows}</ul></td></tr></table>'
        )
    if col.key == "xxgk":
        out.append(f'<p class="ysq"><a href="{url(ctx, "/lxwm/", here)}#ysqgk">依申请公开</a></p>')
    out.append("</td></tr></table>\n")
    out.append(footer(ctx, here))
    out.append(page_end())
    return "".join(out)


def render_column(ctx: Ctx, col: Column, page: int) -> str:
    site = ctx.site
    here = col.page_path(page, col.paging)
    out = [
        head(ctx, f"{col.name}_{site.spec.name}", "column", column=col),
        top(ctx, here),
        nav(ctx, here),
        breadcrumb(ctx, col, here),
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>',
        _side(ctx, col, here),
        '<td valign="top" style="padding-left:15px">',
        f'<table width="100%" border="0"><tr><td class="list-tit" height="36">{esc(col.name)}</td></tr></table>',
    ]
    start = (page - 1) * col.page_size
    out.append(_records(ctx, col, col.items[start : start + col.page_size], here))
    out.append(_pager(ctx, col, page, here))
    if page == 1 and col.key == "hdjl" and site.calendar:
        out.append(f'<p><a href="{url(ctx, site.calendar, here)}">活动日历</a></p>')
    if page == 1 and (col.broken or col.loop_link):
        out.append('<table width="100%" border="0" class="xglj"><tr><td><b>相关链接</b></td></tr>')
        for ref, anchor in col.broken:
            out.append(
                f'<tr><td>·<a href="{url(ctx, ctx.href(ref), here)}" target="_blank">{esc(anchor)}</a></td></tr>'
            )
        if col.loop_link:
            out.append(f'<tr><td>·<a href="{url(ctx, "/loop/a.html", here)}">旧版栏目</a></td></tr>')
        out.append("</table>")
    out.append("</td></tr></table>\n")
    out.append(footer(ctx, here))
    out.append(page_end())
    return "".join(out)


def _info_table(ctx: Ctx, item: Item) -> str:
    site = ctx.site
    written = item.written or item.date
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="4" bordercolor="#DDDDDD" '
        'style="border-collapse:collapse" class="xxgk_info">'
        f'<tr><td width="90">索引号：</td><td>{esc(site.spec.site_code)}/{item.date.year}-{item.id % 100000:05d}</td>'
        f'<td width="90">发布机构：</td><td>{esc(item.org)}</td></tr>'
        f"<tr><td>文　　号：</td><td>{esc(item.doc_number)}</td>"
        f"<td>成文日期：</td><td>{written.year}年{written.month}月{written.day}日</td></tr>"
        f'<tr><td>标　　题：</td><td colspan="3">{esc(item.title)}</td></tr></table>\n'
    )


def _neighbours(site: Site, item: Item, column: Column | None, here: str, ctx: Ctx) -> str:
    """上一篇 / 下一篇 within the article's own column, as these CMSs print them."""
    if column is None or item not in column.items:
        return ""
    i = column.items.index(item)
    prev = column.items[i - 1] if i > 0 else None
    nxt = column.items[i + 1] if i + 1 < len(column.items) else None

    def one(label: str, other: Item | None) -> str:
        if other is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="{url(ctx, other.path, here)}">{esc(other.title)}</a></p>'

    return '<div class="pn">' + one("上一篇", prev) + one("下一篇", nxt) + "</div>"


def render_article(ctx: Ctx, item: Item, column: Column | None) -> str:
    site, here = ctx.site, item.path
    meta_col = column or Column(
        item.col, "", "政策解读" if item.kind == "interp" else item.col, "", "list", "", "sub", ""
    )
    out = [
        head(ctx, f"{item.title}_{site.spec.name}", "article", column=meta_col, item=item),
        top(ctx, here),
        nav(ctx, here),
        breadcrumb(ctx, column, here, "正文"),
        ARTICLE_TABLE_OPEN,
    ]
    if item.kind == "doc" and _opt(site, "info_table"):
        out.append(_info_table(ctx, item))
    out.append(
        f'<table width="100%" border="0"><tr><td align="center" height="50"><font size="4" color="#0B3B8C">'
        f"<b>{esc(item.title)}</b></font></td></tr>"
    )
    if item.kind == "message":
        out.append("</table>")
        out.append(_message(ctx, item))
    else:
        out.append(
            f'<tr><td align="center" class="info" bgcolor="#F5F5F5" height="28">{article_date(site, item)}'
            "</td></tr></table>"
        )
        body = []
        if item.kind == "doc" and item.doc_number:
            body.append(f'<p align="center">{esc(item.doc_number)}</p>')
        if item.kind == "interp" and item.title.startswith("图解"):
            body.append(
                f'<p align="center"><img src="/images/xz/tj/{item.id}.jpg" alt="{esc(item.title)}" border="0"></p>'
            )
        paragraph = f'<p style="text-indent:2em">{esc(ARTICLE_TEXT.format(topic=item.title[:10]))}</p>'
        text = paragraph * 3
        if item.large:
            text = paragraph * (1_200_000 // len(paragraph.encode("utf-8")) + 1)
        body.append(text)
        if item.kind == "report":
            from zwgk.sitefarm.disclosure import report_body

            body.append(report_body(site, item))  # sections and 2021-format tables
        out.append(f'<div id="zoom" class="content">{"".join(body)}</div>')
        if item.attachments:
            out.append(
                "<p>附件：</p>"
                + "".join(
                    f'<p><a href="{path}" target="_blank">{esc(label)}</a></p>' for path, label in item.attachments
                )
            )
        editor = EDITORS[item.id % len(EDITORS)]
        out.append(f'<p align="right">（责任编辑：{editor}）</p>')
        out.append(_related(ctx, item, here))
        out.append(_neighbours(site, item, column, here, ctx))
        out.append(
            '<p align="right">【<a href="javascript:window.print()">打印本页</a>】'
            '【<a href="javascript:window.close()">关闭窗口</a>】</p>'
        )
    out.append("</td></tr></table>\n")
    out.append(footer(ctx, here))
    out.append(page_end())
    return "".join(out)


def _related(ctx: Ctx, item: Item, here: str) -> str:
    """The 相关链接 box of a document (its 解读) or the 原文 link of a 解读, as the pair's style allows."""
    site, links = ctx.site, _opt(ctx.site, "links")
    targets = [t for p in item.related if (t := site.article(p)) is not None]
    if not targets:
        return ""
    if item.kind == "doc" and links.get(item.path, "both") in ("both", "forward"):
        rows = "".join(
            f'<tr><td>·<a href="{url(ctx, t.path, here)}" target="_blank">{esc(t.title)}</a></td></tr>' for t in targets
        )
        return (
            f'<table width="100%" border="0" class="xglj"><tr><td><b>{esc(_opt(site, "rel_label"))}</b>'
            f"</td></tr>{rows}</table>"
        )
    if item.kind == "interp" and links.get(item.related[0], "both") in ("both", "back"):
        return "".join(
            f'<p>{esc(_opt(site, "orig_label"))}<a href="{url(ctx, t.path, here)}" '
            f'target="_blank">{esc(t.title)}</a></p>'
            for t in targets
        )
    return ""


def _message(ctx: Ctx, item: Item) -> str:
    asked_label, answered_label = _opt(ctx.site, "msg_labels")
    rows = [
        f'<tr><td width="100" bgcolor="#F0F0F0">留言人：</td><td>{esc(item.title[:1])}**</td></tr>',
        f'<tr><td bgcolor="#F0F0F0">{asked_label}：</td><td>{item.asked:%Y-%m-%d %H:%M:%S}</td></tr>',
        f'<tr><td bgcolor="#F0F0F0">留言内容：</td><td>{esc(item.title)}，望有关部门尽快处理。</td></tr>',
    ]
    if item.answered:
        rows += [
            f'<tr><td bgcolor="#F0F0F0">回复单位：</td><td>{esc(item.org)}</td></tr>',
            f'<tr><td bgcolor="#F0F0F0">{answered_label}：</td><td>{item.answered:%Y-%m-%d %H:%M:%S}</td></tr>',
            '<tr><td bgcolor="#F0F0F0">回复内容：</td><td>您好！您反映的问题已转相关单位核实办理，感谢您对我们工作的支持。</td></tr>',
        ]
    else:
        rows.append('<tr><td bgcolor="#F0F0F0">回复状态：</td><td>未回复</td></tr>')
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="5" bordercolor="#DDDDDD" '
        'style="border-collapse:collapse">' + "".join(rows) + "</table>"
    )


def render_static(ctx: Ctx, kind: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    titles = {"wzdt": "网站地图", "lxwm": "联系我们", "bsfw": "网上办事", "search": "搜索结果"}
    title = titles.get(kind, kind)
    here = f"/{kind}/"
    col = Column(kind, "", title, "", "list", "", "top", here)
    out = [
        head(ctx, f"{title}_{spec.name}", "column", column=col, all_tags=True),
        top(ctx, here),
        nav(ctx, here),
        breadcrumb(ctx, None, here, title),
        f'<table width="980" border="0" align="center"><tr><td style="padding:20px"><h3>{title}</h3>',
    ]
    if kind == "wzdt":
        for col in site.top_columns(NAV_ORDER) + site.more_columns():
            children = site.columns_under(col.key)
            out.append(f'<dl><dt><a href="{url(ctx, col.path, here)}">{esc(col.name)}</a></dt><dd>')
            out.extend(f'<a href="{url(ctx, c.path, here)}">{esc(c.name)}</a> ' for c in children)
            out.append("</dd></dl>")
    elif kind == "lxwm":
        out.append(
            f"<p>{esc(spec.name)}</p><p>地址：{esc(spec.region)}人民路1号</p><p>联系电话：0795-6221000</p>"
            '<p id="ysqgk">依申请公开：申请人可通过当面、信函、传真等方式提出政府信息公开申请。</p>'
        )
    elif kind == "bsfw":
        platform = ctx.ext("www.gov.cn")
        out.append(
            f'<p><a href="{platform}/fuwu/grbs/" target="_blank">个人办事</a></p>'
            f'<p><a href="{platform}/fuwu/frbs/" target="_blank">法人办事</a></p>'
        )
    else:
        out.append("<p>对不起，没有找到相关信息。</p>")
    out.append("</td></tr></table>\n")
    out.append(footer(ctx, here))
    out.append(page_end())
    return "".join(out)


def render_footer_page(ctx: Ctx) -> str:
    """``/inc/foot.html``: the footer a site pulls in with an ``<iframe>`` (no meta tags, as real includes)."""
    charset = CHARSET_LABEL[ctx.site.charset]
    return (
        "<html><head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        '<link href="/images/xz/style.css" rel="stylesheet" type="text/css">\n'
        '<base target="_blank">\n</head><body topmargin="0" leftmargin="0">\n'
        f"{footer_block(ctx, FOOTER_PAGE)}</body></html>\n"
    )


def render_extra(ctx: Ctx, path: str) -> tuple[bytes, str] | None:
    """Pages this family serves besides the model's: the footer include and the hit counter."""
    site = ctx.site
    if path == FOOTER_PAGE and _opt(site, "footer") == "iframe":
        return encode(site, render_footer_page(ctx))
    if path == COUNTER:
        return b"document.write('" + str(100 + site.spec.index).encode() + b"');", "application/javascript"
    return None


def encode(site: Site, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type: GB2312 (declared in the header and the page; the bytes are GBK
    as such servers send them, editors' names included), GB18030 declared only in the page, or
    UTF-8."""
    if site.charset == "gb2312":
        return page.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=gb2312"
    if site.charset == "gb18030-meta":
        return page.encode("gb18030"), "text/html"
    return page.encode("utf-8"), "text/html; charset=utf-8"
