"""HTML of ``jiyue`` sites (see ``zwgk.sitefarm.jiyue`` for the real pages they are modelled on).

Same contract as ``render``: pure functions of the site model, so the ground truth read off
the model is what the pages show.  Every choice of look was drawn when the site was built
(``Site.opts``); nothing here draws at random.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from urllib.parse import quote

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
    "footer_script",
    "render_article",
    "render_calendar",
    "render_column",
    "render_home",
    "render_hub",
    "render_maintenance",
    "render_soft404",
    "render_static",
]

SECTIONS = (
    (
        "政务公开",
        ("xxgk", "zcwj", "zcjd", "tzgg", "gkzn", "gkzd", "fdzdgk", "gknb", "sjjd", "tjnj"),
    ),
    ("新闻中心", ("yw", "bmdt")),
    ("政民互动", ("hdjl",)),
    ("办事服务", ("bszn",)),
)
FOOTER_JS = "/common/js/footer.js"


def _opt(site: Site, name: str):
    return site.opts[name]


# ---------------------------------------------------------------- dates


def list_date(site: Site, day: dt.date) -> str:
    style = site.list_date_style
    if style == 0:
        return f"{day:%Y-%m-%d}"
    if style == 1:
        return f"{day:%Y.%m.%d}"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 3:
        return f"[{day:%Y-%m-%d}]"
    return f"{day:%Y/%m/%d}"


def _home_dates(site: Site, items: list[Item], as_of_year: int) -> list[str]:
    """Dates of a homepage block; ``[05-12]`` only when every shown item is of the current year."""
    style = _opt(site, "home_date")
    if style == 4 and all(it.date.year == as_of_year for it in items):
        return [f"[{it.date:%m-%d}]" for it in items]
    if style == 4:
        style = 0
    return [
        (
            f"{it.date:%Y-%m-%d}",
            f"{it.date:%Y.%m.%d}",
            f"{it.date.year}年{it.date.month}月{it.date.day}日",
            f"({it.date:%Y-%m-%d})",
        )[style]
        for it in items
    ]


def article_date(site: Site, item: Item) -> str:
    d, style = item.date, site.article_date_style
    if style == 0:
        return f"发布时间:{d:%Y-%m-%d} {item.time}"
    if style == 1:
        return f"发布日期：{d.year}年{d.month}月{d.day}日"
    if style == 2:
        return f"时间：{d:%Y.%m.%d}"
    return f"{d:%Y-%m-%d} {item.time}"  # shown without any label, as many article pages do


def _pubdate_meta(site: Site, item: Item) -> str:
    return f"{item.date:%Y-%m-%d} {item.time}" + (":00" if _opt(site, "pubdate_seconds") else "")


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
    tags: list[tuple[str, str]] = [
        ("SiteName", spec.name),
        ("SiteDomain", spec.host),
        ("SiteIDCode", spec.site_code),
    ]
    if column is not None:
        tags += [
            ("ColumnName", column.name),
            ("ColumnDescription", f"{column.name}栏目信息"),
            ("ColumnKeywords", column.name),
            ("ColumnType", column.name),
        ]
    if item is not None:
        tags += [
            ("ArticleTitle", item.title),
            ("PubDate", _pubdate_meta(site, item)),
            ("ContentSource", item.org),
            ("Keywords", ""),
            ("Author", ""),
            ("Description", ""),
            ("Image", ""),
            ("Url", item.path),
        ]
    if _opt(site, "meta_upper"):  # old templates: upper-case tags, content before name
        metas = "\n".join(f'<META CONTENT="{esc(v)}" NAME="{n}">' for n, v in tags if n != missing)
    else:
        metas = "\n".join(f'<meta name="{n}" content="{esc(v)}" />' for n, v in tags if n != missing)
    if site.charset == "gbk":
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=GBK" />'
    elif site.charset == "gb2312-meta":
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
    else:
        charset = '<meta charset="utf-8" />'
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n{charset}\n'
        '<meta name="renderer" content="webkit" />\n'
        f"{metas}\n<title>{esc(title)}</title>\n"
        '<link href="/images/jiyue/css/base.css" rel="stylesheet" type="text/css" />\n'
        '<script type="text/javascript" src="/images/jiyue/js/jquery-1.8.3.min.js"></script>\n'
        f"{_hint(ctx)}"
        f'</head>\n<body class="{page_type}">\n'
    )


def _hint(ctx: Ctx) -> str:
    """A resource hint for the site's statistics host, which does not resolve: a hint is no link."""
    if not _opt(ctx.site, "hint"):
        return ""
    labels = ctx.site.spec.host.split(".")
    host = ctx.href(f"dead:{labels[1] if len(labels) > 2 else labels[0]}tj.gov.cn")
    return f'<link rel="dns-prefetch" href="{host}" />\n'


def header(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    search = ""
    if site.search and _opt(site, "search") == "form":
        search = (
            '<div class="search"><form name="searchform" action="/search/" method="get" target="_blank">'
            '<input type="text" name="searchWord" class="inp" value="" placeholder="请输入关键词" />'
            '<input type="submit" class="btn" value="搜索" /></form></div>'
        )
    elif site.search:
        search = (
            '<div class="search"><input type="text" id="searchWord" class="inp" placeholder="请输入您要搜索的内容" />'
            '<a class="btn" href="javascript:void(0);" onclick="doSearch(\'/search/\')">搜索</a></div>'
        )
    return (
        '<div class="top"><div class="w1200"><span class="fl" id="nowTime"></span><span class="fr">'
        '<a href="javascript:void(0)" onclick="aria.start()">无障碍</a> | '
        '<a href="javascript:void(0)" onclick="aria.oldFixedStart()">关怀版</a> | '
        '<a href="javascript:void(0)" onclick="zh_tran(\'t\')">繁体</a></span></div></div>\n'
        f'<div class="head w1200"><a class="logo" href="/"><img src="/images/jiyue/logo.png" alt="{esc(spec.name)}" /></a>'
        f"{search}</div>\n"
    )


def _entry(ctx: Ctx, col: Column, cls: str = "") -> str:
    """One navigation entry: a plain link, a link whose handler holds the URL, or no anchor at all."""
    style = _opt(ctx.site, "entry")[col.key]
    name, path = esc(col.name), col.path
    klass = f' class="{cls}"' if cls else ""
    if style == "onclick":
        return f"<li{klass}><a href=\"javascript:void(0);\" onclick=\"window.open('{path}','_self')\">{name}</a></li>"
    if style == "li":
        return f'<li{klass} onclick="location.href=\'{path}\'" style="cursor:pointer">{name}</li>'
    return f'<li{klass}><a href="{path}" target="_self">{name}</a></li>'


def _section_of(key: str) -> str:
    for title, keys in SECTIONS:
        if key in keys:
            return title
    return "政务公开"


def _shown(site: Site, title: str) -> str:
    """A section heading as shown: "政务公开" is also a name of the 政府信息公开 column, so a site
    without that column (COLUMN-MISSING) calls the section 政务信息 — no text on it may read as the column."""
    if title == "政务公开" and "xxgk" not in site.columns:
        return "政务信息"
    return title


def nav(ctx: Ctx) -> str:
    key = f"nav:{ctx.base}"
    if key not in ctx.site.cache:
        ctx.site.cache[key] = _nav(ctx)
    return ctx.site.cache[key]


def _nav(ctx: Ctx) -> str:
    """A mega-menu: section headings are placeholders, the column entries sit in their panels."""
    site = ctx.site
    placeholder = _opt(site, "section_href")
    top = [c for c in site.columns.values() if not c.parent and c.where == "top"]
    parts = [
        '<div class="nav"><ul class="w1200 navul">',
        '<li class="nli on"><a href="/">首页</a></li>',
    ]
    for title, _ in SECTIONS:
        members = [c for c in top if _section_of(c.key) == title]
        if not members and not (title == "办事服务" and site.spec.kind == "portal"):
            continue
        parts.append(f'<li class="nli"><a href="{placeholder}">{_shown(site, title)}</a><div class="subnav"><ul>')
        parts.extend(_entry(ctx, c) for c in members)
        if title == "办事服务" and site.spec.kind == "portal":
            parts.append('<li><a href="/bsfw/">网上办事</a></li>')
        parts.append("</ul></div></li>")
    parts.append(
        f'<li class="nli"><a href="{placeholder}">走进{esc(site.spec.name.replace("人民政府", ""))}</a>'
        '<div class="subnav"><ul><li><a href="/lxwm/">联系我们</a></li></ul></div></li>'
    )
    parts.append("</ul></div>\n")
    return "".join(parts)


def breadcrumb(ctx: Ctx, col: Column | None, extra: str = "") -> str:
    chain: list[Column] = []
    while col is not None:
        chain.insert(0, col)
        col = ctx.site.columns.get(col.parent) if col.parent else None
    links = ['<a href="/">首页</a>'] + [f'<a href="{c.path}">{esc(c.name)}</a>' for c in chain]
    if extra:
        links.append(f"<span>{esc(extra)}</span>")
    return '<div class="crumb w1200">您现在的位置：' + " &gt; ".join(links) + "</div>\n"


# ---------------------------------------------------------------- footer


def _footer_lines(ctx: Ctx) -> list[str]:
    """The identity lines of the footer (without layout), each as shown."""
    site, spec, f = ctx.site, ctx.site.spec, ctx.site.footer
    lines: list[str] = []
    if f["sponsor"]:
        line = f"{_opt(site, 'sponsor_label')}{esc(f['sponsor'])}"
        if _opt(site, "undertaker"):
            line += f"　{_opt(site, 'undertaker')}{esc(f['sponsor'])}办公室"
        lines.append(line)
    ids = []
    if f["site_code"]:
        ids.append(f"{_opt(site, 'code_label')}{esc(f['site_code'])}")
    if f["icp"]:
        ids.append(
            f'{_opt(site, "icp_label")}<a href="{ctx.ext("beian.miit.gov.cn")}/" target="_blank">{esc(f["icp"])}</a>'
        )
    if f["psb"]:
        record = "".join(ch for ch in f["psb"] if ch.isdigit())
        prefix = f["psb"].split("公网安备")[0]
        text = (
            f["psb"],
            f"{prefix}公网安备：{record}号",
            f"公安机关备案号：{prefix}公网安备{record}号",
        )[_opt(site, "psb_form")]
        ids.append(
            f'<a href="{ctx.ext("www.beian.gov.cn")}/portal/registerSystemInfo?recordcode={record}" '
            f'target="_blank"><img src="/images/jiyue/ga.png" alt="" />{esc(text)}</a>'
        )
    if ids:
        lines.append("　".join(ids))
    lines.append(
        f"技术支持：{esc(spec.name.replace('人民政府', ''))}大数据中心　版权所有：{esc(spec.name)}　"
        "联系电话：0795-8819792"
    )
    return lines


def _badges(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    out = ""
    if site.conac_id and _opt(site, "conac") == "link":
        out += (
            f'<a href="{ctx.ext("bszs.conac.cn")}/sitename?method=show&amp;id={site.conac_id}" target="_blank">'
            '<img src="/images/jiyue/red.png" alt="党政机关" /></a>'
        )
    elif site.conac_id:  # the badge as the certificate's own script (it writes the link and image)
        src = quote(
            f"{ctx.ext('dcs.conac.cn')}/js/{site.conac_id[:2]}/000/0000/{site.conac_id}/CA{site.conac_id}.js",
            safe=":/",
        )
        out += (
            '<span id="_ideConac"></span><script type="text/javascript">document.write(unescape('
            f"\"%3Cscript src='{src}' type='text/javascript'%3E%3C/script%3E\"));</script>"
        )
    if _opt(site, "jiucuo"):
        out += f'<script id="_jiucuo_" sitecode="{esc(spec.site_code)}" src="/images/jiyue/js/jiucuo.js"></script>'
    return out


def _sitemap(ctx: Ctx) -> str:
    site = ctx.site
    keys = [k for k in _opt(site, "sitemap") if k in site.columns]
    if not keys:
        return ""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(_section_of(key), []).append(_link_or_entry(ctx, site.columns[key]))
    boxes = "".join(
        f"<dl><dt>{_shown(site, title)}</dt><dd>{''.join(links)}</dd></dl>" for title, links in groups.items()
    )
    return f'<div class="footer-nav w1200"><h3>网站导航</h3>{boxes}</div>\n'


def _link_or_entry(ctx: Ctx, col: Column) -> str:
    return f'<a href="{col.path}" target="_blank">{esc(col.name)}</a>'


def footer_body(ctx: Ctx) -> str:
    """The footer as it appears in the page (whatever wrote it)."""
    site = ctx.site
    lines = _footer_lines(ctx)
    links = (
        f'<a href="{next(iter(site.moved), "/wzdt/")}">网站地图</a> | <a href="/lxwm/">联系我们</a> | '
        '<a href="/lxwm/#sm">网站声明</a>'
    )
    if _opt(site, "footer") == "table":
        rows = "".join(f'<tr><td align="center">{line}</td></tr>' for line in [links, *lines])
        return (
            '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" '
            f'background="/images/jiyue/foot_bg.gif">{rows}</table>'
        )
    return f'<div class="flinks">{links}</div>' + "".join(f"<p>{line}</p>" for line in lines)


def footer(ctx: Ctx) -> str:
    key = f"footer:{ctx.base}"
    if key in ctx.site.cache:
        return ctx.site.cache[key]
    site = ctx.site
    if _opt(site, "footer") == "script":
        body = f'<div id="footer"></div><script type="text/javascript" src="{FOOTER_JS}"></script>'
    else:
        body = footer_body(ctx)
    out = (
        f'{_sitemap(ctx)}<div class="footer"><div class="w1200">{body}'
        f'<div class="bs">{_badges(ctx)}</div></div></div>\n'
    )
    site.cache[key] = out
    return out


def footer_script(ctx: Ctx) -> str:
    """``/common/js/footer.js`` of a site whose footer a script writes (as 天津's does)."""
    html = footer_body(ctx).replace("\\", "\\\\").replace('"', '\\"')
    return f'document.getElementById("footer").innerHTML = "{html}";\n'


def page_end() -> str:
    return (
        '<script type="text/javascript">document.getElementById("nowTime") && '
        '(document.getElementById("nowTime").innerHTML = new Date().toLocaleDateString());</script>\n'
        "</body>\n</html>\n"
    )


# ---------------------------------------------------------------- pages


def render_home(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    year = _as_of_year(site)
    out = [head(ctx, f"{spec.name}门户网站", "home"), header(ctx), nav(ctx)]
    out.append(
        '<div class="banner w1200" style="background:url(\'/images/jiyue/banner_bg.jpg\') no-repeat">'
        '<img src="/images/jiyue/banner.jpg" srcset="/images/jiyue/banner@2x.jpg 2x" alt="" /></div>\n'
        '<div class="main w1200">'
    )
    for key in site.home_blocks:
        col = site.columns[key]
        items = col.items[:7]
        more = (
            f'<a class="more" href="{col.path}">更多&gt;&gt;</a>'
            if _opt(site, "entry")[key] == "a"
            else f'<a class="more" href="javascript:void(0);" onclick="window.open(\'{col.path}\')">更多+</a>'
        )
        out.append(
            f'<div class="box box-{key}"><div class="box-hd"><span class="tit">{esc(col.name)}</span>{more}</div><ul>'
        )
        undated = key == "yw" and _opt(site, "yw_undated")
        dates = _home_dates(site, items, year)
        for it, shown in zip(items, dates):
            date = "" if undated else f'<span class="time">{shown}</span>'
            out.append(
                f'<li><a href="{it.path}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>{date}</li>'
            )
        out.append("</ul></div>\n")
    if _opt(site, "home_xxgk_block") and "xxgk" in site.columns:
        out.append(
            '<div class="box box-gk"><div class="box-hd"><span class="tit">政府信息公开</span></div><ul class="gk">'
        )
        for child in site.columns.values():
            if child.parent == "xxgk":
                out.append(f'<li><a href="{child.path}">{esc(child.name)}</a></li>')
        out.append("</ul></div>\n")
    specials = [
        f'<li><a href="{ctx.href(ref)}" target="_blank">{esc(anchor)}</a></li>'
        for ref, anchor in [*site.home_broken, *site.v4_only_links]
        if not ref.startswith("dead:")
    ]
    if site.calendar:
        specials.append(f'<li><a href="{site.calendar}">活动日历</a></li>')
    if specials:  # no empty block that could read as a blank column
        out.append(
            '<div class="box zt"><div class="box-hd"><span class="tit">专题专栏</span></div><ul>'
            + "".join(specials)
            + "</ul></div>\n"
        )
    out.append("</div>\n")
    out.append(
        '<div class="yqlj w1200"><span>友情链接：</span><select onchange="if(this.value){window.open(this.value)}">'
        f'<option value="">--国家部委网站--</option><option value="{ctx.ext("www.gov.cn")}/">中国政府网</option>'
        "</select>"
    )
    for ref, anchor in site.home_broken:
        if ref.startswith("dead:"):
            out.append(f' <a href="{ctx.href(ref)}" target="_blank">{esc(anchor)}</a>')
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _as_of_year(site: Site) -> int:
    return site.report_deadline.year  # the deadline of last year's 年报 falls in the as-of year


def _side_menu(ctx: Ctx, col: Column) -> str:
    """The left menu: the columns of the same platform section (the 公开 tree or the section)."""
    site = ctx.site
    if col.path.startswith("/zfxxgk/"):
        tree = [c for c in site.columns.values() if c.path.startswith("/zfxxgk/")]
        title = site.columns["xxgk"].name if "xxgk" in site.columns else "政务信息"
    else:
        tree = [
            c
            for c in site.columns.values()
            if not c.parent and not c.path.startswith("/zfxxgk/") and _section_of(c.key) == _section_of(col.key)
        ]
        title = _shown(site, _section_of(col.key))
    items = "".join(_entry(ctx, c, "on" if c.key == col.key else "") for c in tree)
    return f'<div class="side"><div class="side-hd">{esc(title)}</div><ul>{items}</ul></div>\n'


def render_hub(ctx: Ctx, col: Column) -> str:
    site = ctx.site
    out = [
        head(ctx, f"{col.name}-{site.spec.name}", "column", column=col),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, col),
        '<div class="main w1200">',
        _side_menu(ctx, col),
    ]
    out.append(f'<div class="gk-main"><h2>{esc(col.name)}</h2><ul class="gk-list">')
    for child in site.columns.values():
        if child.parent == col.key:
            out.append(_entry(ctx, child))
    if col.key == "xxgk":
        out.append('<li><a href="/lxwm/#ysqgk">依申请公开</a></li>')
    out.append("</ul></div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _records(ctx: Ctx, col: Column, items: list[Item], markup: str = "") -> str:
    markup = markup or _opt(ctx.site, "list")[col.key]
    site = ctx.site
    if not items:
        if markup == "table":
            return (
                '<table class="list-table"><tr><th>标题</th><th width="120">发布日期</th></tr>'
                '<tr><td colspan="2" class="empty">本栏目暂无信息</td></tr></table>'
            )
        return '<div class="empty">暂无相关信息</div>'
    if markup == "table":
        state_th = "<th>状态</th>" if col.key == "hdjl" else ""
        rows = [f'<table class="list-table"><tr><th>标题</th>{state_th}<th width="120">发布日期</th></tr>']
        for it in items:
            state = ""
            if it.kind == "message":
                state = f"<td>{'已回复' if it.answered else '办理中'}</td>"
            rows.append(
                f'<tr><td class="tit"><a href="{it.path}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
                f'</td>{state}<td class="time">{list_date(site, it.date)}</td></tr>'
            )
        return "".join(rows) + "</table>"
    if markup == "li":
        return (
            '<ul class="list">'
            + "".join(
                f'<li><span class="time">{list_date(site, it.date)}</span><a href="{it.path}" target="_blank">{esc(it.title)}</a></li>'
                for it in items
            )
            + "</ul>"
        )
    if markup == "json":
        data = {
            "total": len(col.items),
            "list": [{"title": it.title, "url": it.path, "time": f"{it.date:%Y-%m-%d} {it.time}:00"} for it in items],
        }
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return (
            '<ul class="list" id="infoList"></ul><script type="text/javascript">\n'
            f"var listData = {payload};\n"
            "var h = [];\nfor (var i = 0; i < listData.list.length; i++) { var r = listData.list[i];\n"
            "  h.push('<li><a href=\"' + r.url + '\" target=\"_blank\">' + r.title + '</a><span>' + "
            "r.time.substring(0, 10) + '</span></li>'); }\n"
            "document.getElementById('infoList').innerHTML = h.join('');\n</script>"
        )
    raise ValueError(f"unknown list markup {markup!r}")


def _datastore(ctx: Ctx, col: Column) -> str:
    """All records of the column inside an inline XML datastore; a script pages them."""
    site = ctx.site
    unit = 100000 + int(col.path.split("/")[-2].encode().hex(), 16) % 800000
    records = "".join(
        f'<record><![CDATA[\n<li><a href="{it.path}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
        f'<span class="bt-data-time">{list_date(site, it.date)}</span></li>]]></record>\n'
        for it in col.items
    )
    if not col.items:
        records = ""
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore>\n'
        f'<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;columnid={unit}&amp;unitid={unit}">'
        "</a>]]></nextgroup>\n<recordset>\n"
        f"{records}</recordset></datastore></script>"
        '<script type="text/javascript" src="/images/jiyue/js/jpage.js"></script>'
        f'<script type="text/javascript">$("#{unit}").jpage({{dataStore: true, perPage: {col.page_size}, '
        f"totalRecord: {len(col.items)}}});</script></div>" + ("" if col.items else '<div class="empty">暂无信息</div>')
    )


def render_column(ctx: Ctx, col: Column, page: int) -> str:
    site = ctx.site
    out = [
        head(ctx, f"{col.name}-{site.spec.name}", "column", column=col),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, col),
        '<div class="main w1200">',
        _side_menu(ctx, col),
        f'<div class="list-main"><div class="list-hd"><span>{esc(col.name)}</span></div>',
    ]
    if _opt(site, "list")[col.key] == "datastore" and page == 1:
        out.append(_datastore(ctx, col))
    elif _opt(site, "list")[col.key] == "datastore":  # not linked (the script pages page 1), kept coherent
        start = (page - 1) * col.page_size
        out.append(_records(ctx, col, col.items[start : start + col.page_size], "li"))
    else:
        start = (page - 1) * col.page_size
        out.append(_records(ctx, col, col.items[start : start + col.page_size]))
        if col.pages > 1:
            links = [f"<span>共{len(col.items)}条记录 当前第{page}/{col.pages}页</span>"]
            if page > 1:
                links.append(
                    f'<a href="{col.page_path(1, col.paging)}">首页</a> '
                    f'<a href="{col.page_path(page - 1, col.paging)}">上一页</a>'
                )
            if page < col.pages:
                links.append(
                    f'<a href="{col.page_path(page + 1, col.paging)}">下一页</a> '
                    f'<a href="{col.page_path(col.pages, col.paging)}">尾页</a>'
                )
            out.append('<div class="page">' + " ".join(links) + "</div>")
    if page == 1 and (col.broken or col.loop_link):
        out.append('<div class="xglj"><h4>相关链接</h4><ul>')
        for ref, anchor in col.broken:
            out.append(f'<li><a href="{ctx.href(ref)}" target="_blank">{esc(anchor)}</a></li>')
        if col.loop_link:
            out.append('<li><a href="/loop/a.html">旧版栏目</a></li>')
        out.append("</ul></div>")
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _info_table(ctx: Ctx, item: Item) -> str:
    site = ctx.site
    written = item.written or item.date
    number_label, date_label = (("发文字号", "发布日期"), ("文　　号", "公开日期"))[_opt(site, "info_labels")]
    return (
        '<table class="xxgk-info" width="100%" border="1" cellspacing="0">'
        f"<tr><td>索 引 号：</td><td>{esc(site.spec.site_code)}/{item.date.year}-{item.id % 100000:05d}</td>"
        "<td>主题分类：</td><td>综合政务</td></tr>"
        f"<tr><td>发布机构：</td><td>{esc(item.org)}</td><td>成文日期：</td><td>{written.year}年{written.month}月{written.day}日</td></tr>"
        f"<tr><td>{number_label}：</td><td>{esc(item.doc_number)}</td><td>{date_label}：</td><td>{item.date:%Y-%m-%d}</td></tr>"
        f'<tr><td>名　　称：</td><td colspan="3">{esc(item.title)}</td></tr>'
        "</table>\n"
    )


def render_article(ctx: Ctx, item: Item, column: Column | None) -> str:
    site = ctx.site
    meta_col = column or Column(
        item.col, "", "政策解读" if item.kind == "interp" else item.col, "", "list", "", "sub", ""
    )
    out = [
        head(ctx, f"{item.title}-{site.spec.name}", "article", column=meta_col, item=item),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, column, "正文"),
        '<div class="main w1200"><div class="article">',
    ]
    if item.kind in ("doc", "plain", "report"):
        out.append(_info_table(ctx, item))
    out.append(f'<div class="art-title">{esc(item.title)}</div>')
    if item.kind == "message":
        out.append(_message(ctx, item))
    else:
        out.append(
            f'<div class="art-info"><span>{article_date(site, item)}</span>'
            f'<span>来源：{esc(item.org)}</span><span>字号：[<a href="javascript:void(0)">大</a> '
            '<a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>]</span></div>'
        )
        if item.doc_number and item.kind == "doc":
            out.append(f'<p class="wh" align="center">{esc(item.doc_number)}</p>')
        paragraph = f"<p>{esc(ARTICLE_TEXT.format(topic=item.title[:10]))}</p>"
        body = paragraph * 3
        if item.large:
            body = paragraph * (1_200_000 // len(paragraph.encode("utf-8")) + 1)
        if item.kind == "report":
            from zwgk.sitefarm.disclosure import report_body

            body += report_body(site, item)  # sections and 2021-format tables
        out.append(f'<div class="art-con">{body}</div>')
        if item.attachments:
            out.append('<div class="fujian">附件下载：<ul>')
            out.extend(
                f'<li><a href="{path}" target="_blank">{esc(label)}</a></li>' for path, label in item.attachments
            )
            out.append("</ul></div>")
        out.append(_related(ctx, item))
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _related(ctx: Ctx, item: Item) -> str:
    """相关解读 / 原文 links as the pair's linking style allows (both ways, back only, none)."""
    site, links = ctx.site, _opt(ctx.site, "links")
    targets: list[Item] = []
    if item.kind == "doc" and links.get(item.path, "both") == "both":
        label = _opt(site, "rel_label")
        targets = [t for p in item.related if (t := site.article(p)) is not None]
    elif item.kind == "interp" and item.related and links.get(item.related[0], "both") != "title":
        label = _opt(site, "orig_label")
        targets = [t for p in item.related if (t := site.article(p)) is not None]
    if not targets:
        return ""
    rows = "".join(f'<li><a href="{t.path}" target="_blank">{esc(t.title)}</a></li>' for t in targets)
    return f'<div class="xgjd"><span>{label}</span><ul>{rows}</ul></div>'


def _message(ctx: Ctx, item: Item) -> str:
    asked_label, answered_label = _opt(ctx.site, "msg_labels")
    asked = item.asked
    rows = [
        f"<tr><th>来信人：</th><td>{esc(item.title[:1])}**</td></tr>",
        f"<tr><th>{asked_label}：</th><td>{asked:%Y-%m-%d %H:%M:%S}</td></tr>",
        f"<tr><th>来信内容：</th><td>{esc(item.title)}，请有关部门予以答复。</td></tr>",
    ]
    if item.answered:
        rows += [
            f"<tr><th>答复单位：</th><td>{esc(item.org)}</td></tr>",
            (
                f"<tr><th>{answered_label}：</th><td>{item.answered.year}年{item.answered.month:02d}月"
                f"{item.answered.day:02d}日 {item.answered:%H:%M}</td></tr>"
            ),
            "<tr><th>答复内容：</th><td>您好！来信收悉。经核实，相关情况已转交责任单位办理，感谢您的关注与支持。</td></tr>",
        ]
    else:
        rows.append("<tr><th>办理状态：</th><td>办理中（尚未答复）</td></tr>")
    return '<table class="letter" width="100%">' + "".join(rows) + "</table>"


def render_static(ctx: Ctx, kind: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    titles = {"wzdt": "网站地图", "lxwm": "联系我们", "bsfw": "网上办事", "search": "搜索结果"}
    title = titles.get(kind, kind)
    col = Column(kind, "", title, "", "list", "", "top", f"/{kind}/")
    out = [
        head(ctx, f"{title}-{spec.name}", "column", column=col, all_tags=True),
        header(ctx),
        nav(ctx),
        breadcrumb(ctx, None, title),
        f'<div class="main w1200"><h2>{title}</h2>',
    ]
    if kind == "wzdt":
        for section, _ in SECTIONS:
            members = [c for c in site.columns.values() if _section_of(c.key) == section]
            if members:
                out.append(f"<dl><dt>{_shown(site, section)}</dt><dd>")
                out.extend(f'<a href="{c.path}">{esc(c.name)}</a> ' for c in members)
                out.append("</dd></dl>")
    elif kind == "lxwm":
        out.append(
            f"<p>{esc(spec.name)}</p><p>通讯地址：{esc(spec.region)}人民路1号</p><p>联系电话：0795-8819792</p>"
            '<p id="sm">网站声明</p><p id="ysqgk">依申请公开：申请人可通过当面、信函等方式提出申请。</p>'
        )
    elif kind == "bsfw":
        # a hub of links into the national service platform, as real 网上办事 pages are
        platform = ctx.ext("www.gov.cn")
        out.append(
            f'<ul class="bsfw"><li><a href="{platform}/fuwu/grbs/" target="_blank">个人办事</a></li>'
            f'<li><a href="{platform}/fuwu/frbs/" target="_blank">法人办事</a></li>'
            f'<li><a href="{platform}/fuwu/bmfw/" target="_blank">部门服务</a></li></ul>'
        )
    else:
        out.append("<p>没有找到相关结果。</p>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def encode(site: Site, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type: the visible page in Traditional when the site is 繁体."""
    if site.traditional:
        cut = page.find("<body")
        if cut > 0:
            page = page[:cut] + _s2t().convert(page[cut:])
    if site.charset == "gbk":
        return page.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=GBK"
    if site.charset == "gb2312-meta":
        return page.encode("gbk", errors="xmlcharrefreplace"), "text/html"
    return page.encode("utf-8"), "text/html; charset=UTF-8"


def encode_script(site: Site, script: str) -> tuple[bytes, str]:
    """A site's own script (the footer writer) in the site's charset and script."""
    if site.traditional:
        script = _s2t().convert(script)
    if site.charset in ("gbk", "gb2312-meta"):
        return script.encode("gbk", errors="xmlcharrefreplace"), "application/javascript; charset=GBK"
    return script.encode("utf-8"), "application/javascript; charset=UTF-8"
