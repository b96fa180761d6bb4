"""HTML of ``kaipu`` sites (see ``zwgk.sitefarm.kaipu`` for the real pages they are modelled on).

Same contract as ``render``: pure functions of the site model, so the ground truth read off the
model is what the pages show.  Every choice of look was drawn when the site was built
(``Site.opts``); nothing here draws at random.  The markup is that of newer 集约化 platforms:
``<div>`` layouts, a 信息公开 platform with its own info block, lists fed by inline JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

from zwgk.sitefarm.kaipu import GK_KEYS
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

NAV_ORDER = ("xxgk", "yw", "tzgg", "zcwj", "zcjd", "bmdt", "hdjl")
PLAIN_KEYS = frozenset(k for k, _ in PLAIN_COLUMNS)
DECLARED_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)


def _opt(site: Site, name: str):
    return site.opts[name]


# ---------------------------------------------------------------- dates


def list_date(site: Site, day: dt.date) -> str:
    style = site.list_date_style
    if style == 0:
        return f"{day:%Y-%m-%d}"
    if style == 1:
        return f"{day.year}年{day:%m}月{day:%d}日"
    if style == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 3:
        return f"{day:%Y.%m.%d}"
    return f"[{day:%Y-%m-%d}]"


def info_date(site: Site, day: dt.date) -> str:
    """A date in an info block or a table cell: the list's format without its brackets."""
    return list_date(site, day).strip("[]")


def home_dates(site: Site, items: list[Item]) -> list[str]:
    style = _opt(site, "home_date")
    year = site.report_deadline.year  # the as-of year
    if style == 0 and all(it.date.year == year for it in items):
        return [f"{it.date:%m-%d}" for it in items]
    if style == 1:
        return [f"{it.date:%Y-%m-%d}" for it in items]
    return [list_date(site, it.date) for it in items]


def article_date(site: Site, item: Item) -> str:
    d, style = item.date, site.article_date_style
    if style == 0:
        return f"发布时间：{d:%Y-%m-%d} {item.time}"
    if style == 1:
        return f"日　期：{d.year}年{d:%m}月{d:%d}日"
    if style == 2:
        return f"[日期]{d:%Y.%m.%d}"
    return f"发布日期：{d.year}/{d.month}/{d.day}"


# ---------------------------------------------------------------- the 信息公开 platform and charsets


def in_gk(site: Site, col: Column | None) -> bool:
    """Whether a column belongs to the 信息公开 platform (its own system, maybe its own charset)."""
    while col is not None:
        if col.key in ("xxgk", "fdzdgk") or col.key in GK_KEYS or col.key in PLAIN_KEYS:
            return True
        col = site.columns.get(col.parent) if col.parent else None
    return False


def _gbk(site: Site, col: Column | None) -> bool:
    return site.charset == "gbk" or (site.charset == "mixed" and in_gk(site, col))


# ---------------------------------------------------------------- head, header, navigation


def head(
    ctx: Ctx,
    title: str,
    page_type: str,
    column: Column | None = None,
    item: Item | None = None,
    all_tags: bool = False,
    gbk: bool = False,
) -> str:
    site, spec = ctx.site, ctx.site.spec
    missing = "" if all_tags else site.meta_missing.get(page_type, "")
    tags: list[tuple[str, str]] = [("SiteName", spec.name), ("SiteDomain", spec.host), ("SiteIDCode", spec.site_code)]
    if column is not None:
        tags += [
            ("ColumnName", column.name),
            ("ColumnDescription", f"{spec.name}{column.name}"),
            ("ColumnKeywords", column.name),
            ("ColumnType", column.name),
        ]
    if item is not None:
        tags += [
            ("ArticleTitle", item.title),
            ("PubDate", f"{item.date:%Y-%m-%d} {item.time}"),
            ("ContentSource", item.org),
            ("Keywords", ""),
            ("Author", ""),
            ("Description", ""),
            ("Image", ""),
            ("Url", ""),
        ]
    metas = "\n".join(f'<meta name="{n}" content="{esc(v)}">' for n, v in tags if n != missing)
    charset = '<meta http-equiv="Content-Type" content="text/html; charset=GBK">' if gbk else '<meta charset="utf-8">'
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{charset}\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{esc(title)}</title>\n{metas}\n"
        '<link rel="stylesheet" href="/css/kp/common.css">\n'
        '<script src="/js/kp/jquery.min.js"></script>\n'
        f'</head>\n<body class="{page_type}">\n'
    )


def header(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    search = ""
    if site.search:
        name = _opt(site, "search_name")
        search = (
            '<div class="search"><form action="/search/" method="get" target="_blank" name="searchForm">'
            f'<input type="text" name="{name}" class="search-input" placeholder="请输入关键词">'
            '<button type="submit" class="search-btn">搜索</button></form></div>'
        )
    return (
        '<div class="top-bar"><div class="w1200"><span class="fl">'
        '<a href="javascript:void(0)" class="wza">无障碍</a> <a href="javascript:void(0)" class="zzb">长者模式</a>'
        "</span></div></div>\n"
        f'<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/images/kp/logo.png" alt="{esc(spec.name)}"></a>'
        f"{search}</div></div>\n"
    )


def nav(ctx: Ctx) -> str:
    key = "nav"
    site = ctx.site
    if key not in site.cache:
        items = ['<li class="on"><a href="/">首页</a></li>']
        items += [f'<li><a href="{esc(c.path)}">{esc(c.name)}</a></li>' for c in site.top_columns(NAV_ORDER)]
        if site.spec.kind == "portal":
            items.append('<li><a href="/bsfw/">政务服务</a></li>')
        more = site.more_columns()
        if more:
            subs = "".join(f'<dd><a href="{esc(c.path)}">{esc(c.name)}</a></dd>' for c in more)
            items.append(f'<li class="more"><a href="javascript:void(0)">更多</a><dl class="sub">{subs}</dl></li>')
        site.cache[key] = f'<div class="nav"><ul class="w1200 clearfix">{"".join(items)}</ul></div>\n'
    return site.cache[key]


def breadcrumb(site: Site, col: Column | None, extra: str = "") -> str:
    chain: list[Column] = []
    while col is not None:
        chain.insert(0, col)
        col = site.columns.get(col.parent) if col.parent else None
    links = ['<a href="/">首页</a>'] + [f'<a href="{esc(c.path)}">{esc(c.name)}</a>' for c in chain]
    if extra:
        links.append(f"<span>{esc(extra)}</span>")
    return f'<div class="position w1200">您当前的位置：{" &gt; ".join(links)}</div>\n'


# ---------------------------------------------------------------- footer


def _place(site: Site) -> str:
    return site.spec.name.replace("人民政府", "")


def footer_ids(ctx: Ctx) -> list[str]:
    """The identity items of the footer (标识码, ICP, 公安备案) in the site's order, as shown."""
    site, f = ctx.site, ctx.site.footer
    parts: dict[str, str] = {}
    if f["site_code"]:
        parts["code"] = f"{_opt(site, 'code_label')}{esc(f['site_code'])}"
    if f["icp"]:
        form = _opt(site, "icp_form")
        text = (f"ICP备案号：{f['icp']}", f["icp"], f"备案号：{f['icp']}")[form]
        parts["icp"] = f'<a href="{ctx.ext("beian.miit.gov.cn")}/" target="_blank">{esc(text)}</a>'
    if f["psb"]:
        record = "".join(ch for ch in f["psb"] if ch.isdigit())
        abbr = f["psb"].split("公网安备")[0]
        text = (
            f"公安机关备案号：{abbr}公网安备{record}号",
            f["psb"],
            f"{abbr}公网安备{record}号",
            f"公安备案号：{f['psb']}",
        )[_opt(site, "psb_form")]
        parts["psb"] = (
            f'<a href="{ctx.ext("www.beian.gov.cn")}/portal/registerSystemInfo?recordcode={record}" target="_blank">'
            f'<img src="/images/kp/gongan.png" alt="">{esc(text)}</a>'
        )
    return [parts[k] for k in _opt(site, "id_order").split("-") if k in parts]


def footer_lines(ctx: Ctx) -> list[str]:
    site, f = ctx.site, ctx.site.footer
    lines: list[str] = []
    year = site.report_deadline.year
    if f["sponsor"]:
        sponsor, place = esc(f["sponsor"]), esc(_place(site))
        lines.append(
            (
                f"主办：{sponsor}　承办：{sponsor}办公室",
                f"主办单位：{sponsor}　运行维护单位：{place}大数据中心",
                f"主管：{sponsor}　主办：{sponsor}办公室",
                f"网站主办：{sponsor}",
                f"{sponsor} 主办　{place}信息中心 承办",
            )[_opt(site, "sponsor_form")]
        )
        lines.append(f"Copyright &copy; 2018-{year} by {sponsor} 版权所有")
    else:
        lines.append(f"Copyright &copy; 2018-{year} All Rights Reserved")
    ids = footer_ids(ctx)
    if ids:
        lines.append("&nbsp;&nbsp;&nbsp;".join(ids))
    lines.append('<a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a>')
    return lines


def badges(ctx: Ctx) -> str:
    site, out = ctx.site, []
    if site.conac_id:
        if _opt(site, "conac") == "link":
            out.append(
                f'<a href="{ctx.ext("bszs.conac.cn")}/sitename?method=show&amp;id={site.conac_id}" '
                'target="_blank"><img src="/images/kp/red.png" alt="党政机关"></a>'
            )
        else:
            src = f"{ctx.ext('dcs.conac.cn')}/js/{site.conac_id[:2]}/000/0000/{site.conac_id}/CA{site.conac_id}.js"
            out.append(f'<span id="_ideConac"></span><script type="text/javascript" src="{src}"></script>')
    code, how = site.footer["site_code"], _opt(site, "jiucuo")
    if code and how == "zfwzgl":
        out.append(
            f"<script id=\"_jiucuo_\" sitecode='{esc(code)}' "
            f"src='{ctx.ext('zfwzgl.www.gov.cn')}/exposure/jiucuo.js'></script>"
        )
    elif code and how == "kaipuyun":
        out.append(
            f'<script id="_jiucuo_" sitecode="{esc(code)}" '
            f'src="{ctx.ext("pucha.kaipuyun.cn")}/exposure/jiucuo.js"></script>'
        )
    elif code and how == "link":
        target = quote(ctx.base, safe="")
        out.append(
            f'<a href="{ctx.ext("zfwzgl.www.gov.cn")}/exposure/jiucuo.html?site_code={esc(code)}&amp;url={target}" '
            'target="_blank"><img src="/images/kp/zhaocuo.png" width="90" alt="政府网站找错"></a>'
        )
    return "".join(out)


def footer(ctx: Ctx) -> str:
    key = f"footer:{ctx.base}"
    site = ctx.site
    if key not in site.cache:
        lines = footer_lines(ctx)
        if _opt(site, "footer") == "table":
            site.cache[key] = (
                '<div class="footer"><table width="1200" align="center"><tr>'
                f'<td width="120" align="center">{badges(ctx)}</td><td align="center">'
                + "<br>".join(lines)
                + "</td></tr></table></div>\n"
            )
        else:
            site.cache[key] = (
                '<div class="footer"><div class="w1200 clearfix"><div class="foot-badge fl">'
                f'{badges(ctx)}</div><div class="foot-txt">'
                + "".join(f"<p>{line}</p>" for line in lines)
                + "</div></div></div>\n"
            )
    return site.cache[key]


def page_end() -> str:
    return '<script src="/js/kp/common.js"></script>\n</body>\n</html>\n'


# ---------------------------------------------------------------- lists


def _index_no(site: Site, item: Item) -> str:
    return f"{_opt(site, 'org_code')}/{item.date.year}-{item.id % 10**7:07d}"


def _json_list(site: Site, col: Column, items: list[Item], page: int) -> str:
    data = {
        "columnId": col.path.rsplit("=", 1)[-1] if "=" in col.path else col.key,
        "total": len(col.items),
        "pageNo": page,
        "pageSize": col.page_size,
        "list": [
            {"title": it.title, "url": it.path, "publishTime": f"{it.date:%Y-%m-%d} {it.time}:00", "source": it.org}
            for it in items
        ],
    }
    raw = json.dumps(data, ensure_ascii=bool(_opt(site, "json_ascii"))).replace("</", "<\\/")
    return (
        '<div class="list-box"><ul id="dataList"></ul></div>\n'
        '<script type="text/javascript">\n'
        f"var listData = {raw};\n"
        "(function () {\n"
        "  var html = [];\n"
        "  for (var i = 0; i < listData.list.length; i++) {\n"
        "    var d = listData.list[i];\n"
        "    html.push('<li><a href=\"' + d.url + '\" target=\"_blank\" title=\"' + d.title + '\">' + d.title +\n"
        "      '</a><span class=\"date\">' + d.publishTime.substring(0, 10) + '</span></li>');\n"
        "  }\n"
        "  document.getElementById('dataList').innerHTML = html.join('');\n"
        "})();\n"
        "</script>\n"
    )


def _records(site: Site, col: Column, items: list[Item], page: int) -> str:
    markup = _opt(site, "list")[col.key]
    if not items:
        return '<div class="list-box"><p class="no-data">暂无信息</p></div>'
    if markup == "json":
        return _json_list(site, col, items, page)
    if markup == "gktable":
        labels = _opt(site, "info_labels")
        rows = [
            (
                '<table class="xxgk-table" width="100%"><thead><tr><th width="50">序号</th>'
                f'<th width="180">{labels[0]}</th><th>标题</th><th width="150">{labels[1]}</th>'
                f'<th width="100">{labels[2]}</th><th width="100">{labels[3]}</th></tr></thead><tbody>'
            )
        ]
        start = (page - 1) * col.page_size
        for n, it in enumerate(items, start + 1):
            written = it.written or it.date
            rows.append(
                f"<tr><td>{n}</td><td>{esc(_index_no(site, it))}</td>"
                f'<td class="tit"><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a></td>'
                f"<td>{esc(it.doc_number)}</td><td>{info_date(site, written)}</td><td>{info_date(site, it.date)}</td></tr>"
            )
        return "".join(rows) + "</tbody></table>"
    if markup == "letters":
        asked = _opt(site, "msg_labels")[0]
        rows = [
            (
                f'<table class="letter-table" width="100%"><tr><th>信件标题</th><th width="140">{asked}</th>'
                '<th width="80">状态</th></tr>'
            )
        ]
        for it in items:
            state = '<span class="ybj">已办结</span>' if it.answered else '<span class="bljz">办理中</span>'
            rows.append(
                f'<tr><td><a href="{esc(it.path)}" target="_blank">{esc(it.title)}</a></td>'
                f"<td>{list_date(site, it.date)}</td><td>{state}</td></tr>"
            )
        return "".join(rows) + "</table>"
    if markup == "daybox":  # the day in a box, the year and month under it
        return (
            '<ul class="list-day">'
            + "".join(
                f'<li><div class="day-box"><b>{it.date:%d}</b><span>{it.date:%Y-%m}</span></div>'
                f'<a href="{esc(it.path)}" target="_blank">{esc(it.title)}</a></li>'
                for it in items
            )
            + "</ul>"
        )
    return (
        '<ul class="list">'
        + "".join(
            f'<li><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
            f'<span class="date">{list_date(site, it.date)}</span></li>'
            for it in items
        )
        + "</ul>"
    )


def _pager(site: Site, col: Column, page: int) -> str:
    if col.pages <= 1:
        return ""
    if _opt(site, "list").get(col.key) == "json" and _opt(site, "json_pager") == "script":
        # the platform's paging script builds the links from a URL template (no href in the markup)
        second = col.page_path(2, col.paging)
        template = second.replace("page=2", "page={n}") if "page=2" in second else second.replace("_2.", "_{n}.")
        return (
            f'<div class="page" id="pageBar"></div><script type="text/javascript">'
            f'kpPage("pageBar", {{total: {len(col.items)}, pageSize: {col.page_size}, pageNo: {page}, '
            f'first: "{col.path}", url: "{template}"}});</script>'
        )

    def href(n: int) -> str:
        path = col.page_path(n, col.paging)
        if col.paging == "shtml":  # static lists link their pages relatively (list_2.html)
            return path.rsplit("/", 1)[1]
        return esc(path)

    parts = [f"<span>共{len(col.items)}条 {page}/{col.pages}页</span>", f'<a href="{href(1)}">首页</a>']
    if page > 1:
        parts.append(f'<a href="{href(page - 1)}">上一页</a>')
    if page < col.pages:
        parts.append(f'<a href="{href(page + 1)}">下一页</a>')
    parts.append(f'<a href="{href(col.pages)}">尾页</a>')
    return '<div class="page">' + " ".join(parts) + "</div>"


def _side(site: Site, col: Column) -> str:
    root = col
    while root.parent and root.parent in site.columns:
        root = site.columns[root.parent]
    if root.key == "xxgk":
        members, title = site.columns_under("xxgk"), root.name
    else:
        members, title = site.top_columns(NAV_ORDER) + site.more_columns(), "栏目导航"
    rows = "".join(
        f'<li{" class=on" if c is col else ""}><a href="{esc(c.path)}">{esc(c.name)}</a></li>' for c in members
    )
    return f'<div class="side fl"><div class="side-tit">{esc(title)}</div><ul>{rows}</ul></div>'


# ---------------------------------------------------------------- pages


def render_home(ctx: Ctx) -> str:
    site, spec = ctx.site, ctx.site.spec
    out = [head(ctx, spec.name, "home", gbk=site.charset == "gbk"), header(ctx), nav(ctx)]
    out.append('<div class="main w1200 clearfix">')
    news = site.columns.get("yw")
    if news is not None and news.items and _opt(site, "slides"):  # the carousel: newest 要闻 pictures, no dates
        slides = "".join(
            f'<div class="swiper-slide"><a href="{esc(it.path)}" target="_blank">'
            f'<img src="/images/kp/slide{n}.jpg" alt="{esc(it.title)}"><p>{esc(it.title)}</p></a></div>'
            for n, it in enumerate(news.items[:4], 1)
        )
        out.append(f'<div class="swiper-container"><div class="swiper-wrapper">{slides}</div></div>')
    blocks = []
    for n, key in enumerate(site.home_blocks):
        col = site.columns[key]
        items = col.items[:7]
        if n == 1 and _opt(site, "home_json"):  # a block the page's script writes from inline data
            data = [
                {"title": it.title, "url": it.path, "date": shown} for it, shown in zip(items, home_dates(site, items))
            ]
            raw = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            blocks.append(
                (
                    col,
                    (
                        f'<ul class="news-list" id="block{n}"></ul><script type="text/javascript">\n'
                        f"var blockData{n} = {raw};\n"
                        f"document.getElementById('block{n}').innerHTML = blockData{n}.map(function (d) {{\n"
                        "  return '<li><a href=\"' + d.url + '\" target=\"_blank\">' + d.title + '</a><span>' + d.date + '</span></li>';\n"
                        "}).join('');\n</script>"
                    ),
                )
            )
            continue
        rows = "".join(
            f'<li><a href="{esc(it.path)}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>'
            f"<span>{shown}</span></li>"
            for it, shown in zip(items, home_dates(site, items))
        )
        blocks.append((col, f'<ul class="news-list">{rows}</ul>'))
    if _opt(site, "home_tabs") and blocks:
        heads = "".join(
            f'<li{" class=on" if i == 0 else ""}><a href="{esc(c.path)}">{esc(c.name)}</a></li>'
            for i, (c, _) in enumerate(blocks)
        )
        bodies = "".join(
            f'<div class="tab-con"{"" if i == 0 else " style=display:none"}>{b}</div>'
            for i, (_, b) in enumerate(blocks)
        )
        out.append(f'<div class="tab-box"><ul class="tab-head">{heads}</ul>{bodies}</div>')
    else:
        for col, body in blocks:
            out.append(
                f'<div class="box"><div class="box-tit"><span>{esc(col.name)}</span>'
                f'<a href="{esc(col.path)}" class="more">更多&gt;&gt;</a></div>{body}</div>'
            )
    gk = site.columns.get("xxgk")
    if gk is not None:
        subs = "".join(
            f'<a href="{esc(c.path)}">{esc(c.name)}</a>' for c in site.columns.values() if c.parent == "xxgk"
        )
        out.append(f'<div class="gk-entry"><a href="{esc(gk.path)}" class="gk-tit">{esc(gk.name)}</a>{subs}</div>')
    specials = [
        f'<a href="{esc(ctx.href(ref))}" target="_blank">{esc(anchor)}</a>'
        for ref, anchor in [*site.home_broken, *site.v4_only_links]
        if not ref.startswith("dead:")
    ]
    if site.calendar:
        specials.append(f'<a href="{site.calendar}">活动日历</a>')
    if specials:
        out.append(
            '<div class="zt-box"><div class="box-tit"><span>专题专栏</span></div>' + "".join(specials) + "</div>"
        )
    links = [f'<a href="{ctx.ext("www.gov.cn")}/" target="_blank">中国政府网</a>']
    links += [
        f'<a href="{esc(ctx.href(ref))}" target="_blank">{esc(anchor)}</a>'
        for ref, anchor in site.home_broken
        if ref.startswith("dead:")
    ]
    out.append('<div class="yqlj"><span>相关链接：</span>' + "".join(links) + "</div>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def render_hub(ctx: Ctx, col: Column) -> str:
    site = ctx.site
    gbk = _gbk(site, col)
    out = [
        head(ctx, f"{col.name}-{site.spec.name}", "column", column=col, gbk=gbk),
        header(ctx),
        nav(ctx),
        breadcrumb(site, col),
        f'<div class="main w1200 clearfix">{_side(site, col)}<div class="gk-main fr">',
    ]
    for child in site.columns.values():
        if child.parent != col.key:
            continue
        rows = "".join(
            f'<li><a href="{esc(it.path)}" target="_blank">{esc(it.title)}</a>'
            f"<span>{list_date(site, it.date)}</span></li>"
            for it in child.items[:5]
        )
        out.append(
            f'<div class="gk-box"><div class="gk-tit"><a href="{esc(child.path)}">{esc(child.name)}</a></div>'
            f"<ul>{rows}</ul></div>"
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
        head(ctx, f"{col.name}-{site.spec.name}", "column", column=col, gbk=_gbk(site, col)),
        header(ctx),
        nav(ctx),
        breadcrumb(site, col),
        f'<div class="main w1200 clearfix">{_side(site, col)}<div class="list-main fr">',
        f'<div class="list-tit"><span>{esc(col.name)}</span></div>',
    ]
    start = (page - 1) * col.page_size
    out.append(_records(site, col, col.items[start : start + col.page_size], page))
    out.append(_pager(site, col, page))
    if page == 1 and col.key == "hdjl" and site.calendar:
        out.append(f'<p class="rl"><a href="{site.calendar}">活动日历</a></p>')
    if page == 1 and (col.broken or col.loop_link):
        out.append('<div class="xglj"><span>相关链接：</span><ul>')
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


def _info_block(site: Site, item: Item) -> str:
    """The 信息公开 info block (index number, number, dates) of a platform article."""
    idx, num, written_label, pub_label = _opt(site, "info_labels")
    written = item.written or item.date
    rows = [
        (idx, esc(_index_no(site, item))),
        ("发布机构", esc(item.org)),
        (num, esc(item.doc_number)),
        (written_label, info_date(site, written)),
        (pub_label, info_date(site, item.date)),
        ("公开方式", "主动公开"),
    ]
    if _opt(site, "info") == "dl":
        return (
            '<div class="xxgk-detail"><div class="meta-data"><dl class="clearfix">'
            + "".join(
                f'<dd><label><font>{label}：</font></label><div class="display-block">{value}</div></dd>'
                for label, value in rows
            )
            + "</dl></div></div>\n"
        )
    cells = [f"<th>{label}：</th><td>{value}</td>" for label, value in rows]
    body = "".join(f"<tr>{cells[i]}{cells[i + 1]}</tr>" for i in range(0, len(cells), 2))
    return f'<table class="xxgk-info" width="100%">{body}<tr><th>名　　称：</th><td colspan="3">{esc(item.title)}</td></tr></table>\n'


def _links_of(site: Site, item: Item) -> list[Item]:
    return [t for p in item.related if (t := site.article(p)) is not None]


def render_article(ctx: Ctx, item: Item, column: Column | None) -> str:
    site = ctx.site
    meta_col = column or Column(
        item.col, "", "政策解读" if item.kind == "interp" else item.col, "", "list", "", "sub", ""
    )
    gk = in_gk(site, column) or (column is None and item.kind == "doc")
    gbk = site.charset == "gbk" or (site.charset == "mixed" and gk)
    out = [
        head(ctx, f"{item.title}-{site.spec.name}", "article", column=meta_col, item=item, gbk=gbk),
        header(ctx),
        nav(ctx),
        breadcrumb(site, column, "正文"),
        '<div class="main w1200"><div class="article">',
    ]
    if gk and item.kind != "message":
        out.append(_info_block(site, item))
    out.append(f'<h1 class="article-title">{esc(item.title)}</h1>')
    if item.kind == "message":
        out.append(_message(site, item))
    else:
        source = _opt(site, "source_label")
        if gk and _opt(site, "gk_attr") == "none":  # the info block alone carries the dates (宜春 2022)
            out.append('<div class="article-attr"><span>访问量：<b id="view"></b></span></div>')
        else:
            out.append(
                f'<div class="article-attr"><span>{article_date(site, item)}</span>'
                f'<span>{source}{esc(item.org)}</span><span>访问量：<b id="view"></b></span></div>'
            )
        body = []
        if item.kind == "doc" and item.doc_number:
            body.append(f'<p style="text-align:center">{esc(item.doc_number)}</p>')
        if item.kind == "interp" and ("图解" in item.title or "一图读懂" in item.title):
            body.append(
                f'<p style="text-align:center"><img src="/images/kp/tj/{item.id}.jpg" alt="{esc(item.title)}"></p>'
            )
        para = f'<p style="text-indent:2em">{esc(ARTICLE_TEXT.format(topic=item.title[:10]))}</p>'
        text = para * 3
        if item.large:
            text = para * (1_200_000 // len(para.encode("utf-8")) + 1)
        body.append(text)
        if item.kind == "report":
            from zwgk.sitefarm.disclosure import report_body

            body.append(report_body(site, item))  # sections and 2021-format tables
        links = _opt(site, "links")
        targets = _links_of(site, item)
        if item.kind == "doc" and targets and links.get(item.path) == "inline":
            body.extend(
                f'<p style="text-indent:2em">相关解读：<a href="{esc(t.path)}" target="_blank">{esc(t.title)}</a></p>'
                for t in targets
            )
        out.append(f'<div class="article-con" id="zoom">{"".join(body)}</div>')
        if item.attachments:
            out.append(
                '<div class="fujian"><p>附件：</p>'
                + "".join(
                    f'<p><a href="{esc(path)}" target="_blank">{esc(label)}</a></p>' for path, label in item.attachments
                )
                + "</div>"
            )
        out.append(_related(site, item, targets))
        out.append(
            '<div class="article-foot"><a href="javascript:window.print()">【打印本页】</a>'
            '<a href="javascript:window.close()">【关闭窗口】</a></div>'
        )
    out.append("</div></div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def _related(site: Site, item: Item, targets: list[Item]) -> str:
    """The 相关解读 box of a document, or the 原文 link of a 解读, as the pair's style allows."""
    links = _opt(site, "links")
    if not targets:
        return ""
    if item.kind == "doc" and links.get(item.path, "both") in ("both", "forward"):
        rows = "".join(f'<li><a href="{esc(t.path)}" target="_blank">{esc(t.title)}</a></li>' for t in targets)
        return f'<div class="xgjd"><div class="xgjd-tit">{esc(_opt(site, "rel_label"))}</div><ul>{rows}</ul></div>'
    if item.kind == "interp" and links.get(item.related[0], "both") in ("both", "back"):
        return "".join(
            f'<p class="ywlj">{esc(_opt(site, "orig_label"))}<a href="{esc(t.path)}" target="_blank">'
            f"{esc(t.title)}</a></p>"
            for t in targets
        )
    return ""


def _message(site: Site, item: Item) -> str:
    asked_label, answered_label = _opt(site, "msg_labels")
    rows = [
        f"<tr><th>信件编号：</th><td>XJ{item.asked:%Y%m%d}{item.id % 10000:04d}</td></tr>",
        f"<tr><th>{asked_label}：</th><td>{item.asked:%Y-%m-%d %H:%M:%S}</td></tr>",
        f"<tr><th>信件内容：</th><td>{esc(item.title)}，希望有关部门予以答复。</td></tr>",
    ]
    if item.answered:
        rows += [
            f"<tr><th>答复单位：</th><td>{esc(item.org)}</td></tr>",
            f"<tr><th>{answered_label}：</th><td>{item.answered:%Y-%m-%d %H:%M:%S}</td></tr>",
            "<tr><th>答复内容：</th><td>您好！来信收悉。经核实，相关情况已转交责任单位办理，感谢您的关注。</td></tr>",
        ]
    else:
        rows.append("<tr><th>办理状态：</th><td>办理中</td></tr>")
    return '<table class="letter-detail" width="100%">' + "".join(rows) + "</table>"


def render_static(ctx: Ctx, kind: str) -> str:
    site, spec = ctx.site, ctx.site.spec
    titles = {"wzdt": "网站地图", "lxwm": "联系我们", "bsfw": "政务服务", "search": "搜索结果"}
    title = titles.get(kind, kind)
    col = Column(kind, "", title, "", "list", "", "top", f"/{kind}/")
    out = [
        head(ctx, f"{title}-{spec.name}", "column", column=col, all_tags=True, gbk=site.charset == "gbk"),
        header(ctx),
        nav(ctx),
        breadcrumb(site, None, title),
        f'<div class="main w1200"><h2>{title}</h2>',
    ]
    if kind == "wzdt":
        for top in site.top_columns(NAV_ORDER) + site.more_columns():
            children = site.columns_under(top.key)
            out.append(f'<dl class="map"><dt><a href="{esc(top.path)}">{esc(top.name)}</a></dt><dd>')
            out.extend(f'<a href="{esc(c.path)}">{esc(c.name)}</a> ' for c in children)
            out.append("</dd></dl>")
    elif kind == "lxwm":
        out.append(
            f"<p>{esc(spec.name)}</p><p>地址：{esc(spec.region)}政务服务中心</p><p>邮编：330000</p>"
            "<p>依申请公开：申请人可通过在线申请、当面、信函等方式提出政府信息公开申请。</p>"
        )
    elif kind == "bsfw":
        platform = ctx.ext("www.gov.cn")
        out.append(
            f'<ul class="bsfw"><li><a href="{platform}/fuwu/grbs/" target="_blank">个人办事</a></li>'
            f'<li><a href="{platform}/fuwu/frbs/" target="_blank">法人办事</a></li></ul>'
        )
    else:
        out.append("<p>没有找到相关结果。</p>")
    out.append("</div>\n")
    out.append(footer(ctx))
    out.append(page_end())
    return "".join(out)


def encode(site: Site, page: str) -> tuple[bytes, str]:
    """Body bytes and Content-Type, in the charset the page itself declares: a GBK site says so in
    its header too; the GBK 信息公开 pages of a UTF-8 portal declare it only in their meta tag."""
    m = DECLARED_RE.search(page[:600])
    declared = (m.group(1) if m else "utf-8").lower()
    if declared in ("gbk", "gb2312", "gb18030"):
        body = page.encode("gbk", errors="xmlcharrefreplace")
        return body, ("text/html; charset=GBK" if site.charset == "gbk" else "text/html")
    return page.encode("utf-8"), "text/html; charset=utf-8"
