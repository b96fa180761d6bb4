"""A site built from another template: Traditional Chinese in GBK, columns under names no list
holds, 解读 reachable only from their own column and paired with their document by title.

Crawled for real (aiohttp on loopback) and judged by the national rubric: the findings an
inspector would reach, and none that a careful inspector would not.
"""

from __future__ import annotations

import datetime as dt

from tests.fixtures_crawl import fast_settings, unit_for
from zwgk.crawlers import CrawlSettings, crawl_round
from zwgk.crawlers.extract import extract_page
from zwgk.indicators import evaluate, load_rubric
from zwgk.storage.snapshot import load_snapshot

AS_OF = dt.date(2026, 11, 20)
GBK = "text/html; charset=gbk"


def _page(title: str, body: str) -> bytes:
    html = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gbk'>"
        f"<title>{title}</title></head><body>"
        "<div class='menu'><ul>"
        "<li><a href='/'>首頁</a></li>"
        "<li onclick=\"window.open('/zfwj/index.html')\">政府文件</li>"
        "<li><a href='/ytdd/index.html'>一圖讀懂</a></li>"
        "<li><a href='/gkml/index.html'>法定公開內容</a></li>"
        "</ul></div>"
        f"<div class='main'>{body}</div>"
        "<div class='footer'>主辦方：測試縣人民政府 網站識別碼 3609220011 贛ICP備11002306號</div>"
        "</body></html>"
    )
    return html.encode("gbk")


def _list(items: list[tuple[str, str, str]]) -> str:
    return "<ul>" + "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>" for u, t, d in items) + "</ul>"


def _doc(title: str, number: str, date: str) -> bytes:
    return _page(
        title,
        f"<h1>{title}</h1><table><tr><td>發文字號：</td><td>{number}</td></tr>"
        f"<tr><td>發布日期：</td><td>{date}</td></tr></table><p>正文。</p>",
    )


def test_unknown_template_read_by_meaning(db, miniweb, crawl_round_setup):
    web = miniweb
    web.add("/", _page("測試縣人民政府", "<p>歡迎</p>"), content_type=GBK)
    docs = [
        ("/zfwj/t1.html", "關於印發《測試縣農村人居環境整治實施辦法》的通知", "測府辦發〔2026〕3號", "2026-10-09"),
        ("/zfwj/t2.html", "關於印發《測試縣公共資源交易管理辦法》的通知", "測府辦發〔2026〕5號", "2026-10-12"),
        ("/zfwj/t3.html", "測試縣人民政府關於印發測試縣應急預案管理規定的通知", "測府辦發〔2026〕7號", "2026-10-15"),
    ]
    web.add("/zfwj/index.html", _page("政府文件", _list([(u, t, d) for u, t, _n, d in docs])), content_type=GBK)
    for url, title, number, date in docs:
        web.add(url, _doc(title, number, date), content_type=GBK)
    interps = [
        ("/ytdd/j1.html", "一圖讀懂《測試縣農村人居環境整治實施辦法》", "2026-10-10"),  # on time
        ("/ytdd/j2.html", "《測試縣公共資源交易管理辦法》政策解讀", "2026-11-18"),  # late: 26 working days
        ("/ytdd/j4.html", "圖解：全縣秋糧收購工作", "2026-10-20"),  # pairs with nothing
    ]
    web.add("/ytdd/index.html", _page("一圖讀懂", _list([(u, t, d) for u, t, d in interps])), content_type=GBK)
    for url, title, date in interps:
        web.add(url, _page(title, f"<h1>{title}</h1><p>發布時間：{date}</p>"), content_type=GBK)
    web.add(
        "/gkml/index.html",
        _page("法定公開內容", _list([("/gkml/a1.html", "機構職能", "2026-11-01")] * 1)),
        content_type=GBK,
    )

    unit = unit_for(web.url("/"))
    round_id = crawl_round_setup([unit])
    rubric = load_rubric("national-2019")
    crawl_round(db, round_id, [unit], fast_settings(), rubric.column_vocabulary())
    snap = load_snapshot(db, round_id, unit, AS_OF)

    interp_pages = {p.url for p in snap.pages.values() if (p.facts or {}).get("is_interpretation")}
    assert {web.url(u) for u, _t, _d in interps} <= interp_pages, "解读 read from a column nobody named"
    listing = snap.pages[web.url("/ytdd/index.html")]
    assert listing.kind == "column" and listing.facts["column"] == ""  # an unnamed list, read as one

    findings = evaluate(snap, rubric)
    by_rule: dict[str, set[str]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, set()).add(f.subject)
    assert by_rule.get("INTERP-LATE") == {web.url("/zfwj/t2.html")}
    assert by_rule.get("INTERP-MISSING") == {web.url("/zfwj/t3.html")}  # no 解读 names that 规定
    missing = by_rule.get("COLUMN-MISSING", set())
    assert "政策文件" not in missing and "法定主动公开内容" not in missing  # 政府文件 (onclick), 法定公開內容
    footer = snap.home.facts["footer"]
    assert footer["site_code"] == "3609220011" and footer["sponsor"] == "測試縣人民政府"
    assert "IDENT-SITECODE" not in by_rule and "IDENT-SPONSOR" not in by_rule


def test_footer_written_by_a_script_and_many_listed_messages(db, miniweb, crawl_round_setup):
    """A footer that footer.js writes is read from the script; a 互动 list of 14 messages under
    one detail.jsp?id=… script is read whole (they are documents, not a calendar trap)."""
    web = miniweb
    nav = "<div class='nav'><a href='/hdjl/list.jsp'>互动交流</a></div>"
    web.add(
        "/",
        f"<html><body>{nav}<div class='footer'><div id='ft'></div>"
        "<script src='/common/js/footer.js'></script></div></body></html>",
    )
    web.add(
        "/common/js/footer.js",
        "document.writeln('<p>主办单位：测试县人民政府办公室 政府网站标识码：3609220011</p>');\n"
        'document.writeln("<p>赣ICP备11002306号 赣公网安备 36092202000105号</p>");',
        content_type="application/javascript",
    )
    rows = "".join(
        f"<li><a href='/hdjl/detail.jsp?id={i}'>留言{i}</a><span>2026-10-{i + 1:02d}</span></li>" for i in range(14)
    )
    web.add("/hdjl/list.jsp", f"<html><body>{nav}<ul>{rows}</ul></body></html>")
    for i in range(14):
        web.add(
            f"/hdjl/detail.jsp?id={i}",
            f"<html><body><p>留言时间：2026-10-{i + 1:02d}</p><p>回复时间：2026-11-1{i % 10}</p></body></html>",
        )
    unit = unit_for(web.url("/"))
    round_id = crawl_round_setup([unit])
    crawl_round(db, round_id, [unit], fast_settings(), load_rubric("national-2019").column_vocabulary())
    snap = load_snapshot(db, round_id, unit, AS_OF)
    footer = snap.home.facts["footer"]
    assert (footer["site_code"], footer["sponsor"]) == ("3609220011", "测试县人民政府办公室")
    assert footer["icp"] == "赣ICP备11002306号" and footer["psb"] == "赣公网安备 36092202000105号"
    assert footer["source"] == "script:" + web.url("/common/js/footer.js")
    read = [u for u, p in snap.pages.items() if "detail.jsp" in u and p.kind == "article" and p.outcome == "ok"]
    assert len(read) == 14


def test_a_dead_link_to_an_article_script_with_many_listed_items_is_checked(db, miniweb, crawl_round_setup):
    """Struts sites name every article ``News_showNews.action?messagekey=N``: once the site's
    lists named more than ``max_query_variants`` of them, a homepage 专题 link to one more that
    is gone is still checked (a dead link), while an unlisted calendar stays capped."""
    web = miniweb
    nav = "<div class='nav'><a href='/Gkml_showList.action?catid=1'>通知公告</a></div>"
    cal = "".join(f"<a href='/cal.action?date=202601{d:02d}'>{d}</a>" for d in range(1, 21))
    web.add(
        "/",
        f"<html><body>{nav}<a href='/News_showNews.action?messagekey=999'>专题：城乡低保</a>{cal}</body></html>",
    )
    rows = "".join(
        f"<li><a href='/News_showNews.action?messagekey={100 + i}'>关于第{i}项工作的通知</a>"
        f"<span>2026-10-{i + 1:02d}</span></li>"
        for i in range(14)
    )
    web.add("/Gkml_showList.action?catid=1", f"<html><body>{nav}<ul>{rows}</ul></body></html>")
    for i in range(14):
        web.add(
            f"/News_showNews.action?messagekey={100 + i}",
            f"<html><body><h1>关于第{i}项工作的通知</h1><p>发布日期：2026-10-{i + 1:02d}</p></body></html>",
        )
    for d in range(1, 21):
        web.add(f"/cal.action?date=202601{d:02d}", f"<html><body>{d}</body></html>")
    unit = unit_for(web.url("/"))
    round_id = crawl_round_setup([unit])
    crawl_round(db, round_id, [unit], fast_settings(), load_rubric("national-2019").column_vocabulary())
    snap = load_snapshot(db, round_id, unit, AS_OF)
    dead = web.url("/News_showNews.action?messagekey=999")
    assert snap.pages[dead].outcome == "broken"
    found = {f.subject for f in evaluate(snap, load_rubric("national-2019")) if f.rule == "LINK-HOME"}
    assert dead in found
    assert sum(1 for u in snap.pages if "/cal.action?" in u) == CrawlSettings().max_query_variants


def test_a_list_a_script_renders_from_escaped_titles():
    """gkmlpt-style lists: ``var pageData = {articles: [{title: escape(标题), url, created_at}]}``
    and a script that ``unescape()``s the titles into ``<li>``s; an inspector sees the titles."""
    title = "关于印发《某某实施方案》的通知"
    escaped = "".join(f"%u{ord(c):04X}" if ord(c) > 127 else c for c in title)
    html = (
        '<html><body><ul id=\'artList\'></ul><script>var pageData = {"total": 1, "articles": ['
        f'{{"id": 1, "title": "{escaped}", "url": "/gkmlpt/content/2/2059/post_2059993.html", '
        '"created_at": "2026-09-26 15:20:00"}]};'
        "for (var i = 0; i < pageData.articles.length; i++) { var a = pageData.articles[i], t = unescape(a.title); }"
        "</script></body></html>"
    )
    [item] = extract_page("http://www.example.gov.cn/xxgk/zcwj/index.html", html, "column").facts["items"]
    assert item == {
        "title": title,
        "url": "http://www.example.gov.cn/gkmlpt/content/2/2059/post_2059993.html",
        "date": "2026-09-26",
    }
