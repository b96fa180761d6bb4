"""What a page links to and loads, its navigation entries and footer identity: the
constructs real government templates use (and link checkers' own test pages cover)."""

from __future__ import annotations

import datetime as dt

import pytest

from zwgk.crawlers.dates import labelled_dates
from zwgk.crawlers.extract import extract_page
from zwgk.crawlers.footer import footer_facts

BASE = "http://www.example.gov.cn/zwgk/index.html"
RESOURCES = """<html><head>
<link rel="stylesheet" href="/css/main.css">
<link rel="dns-prefetch" href="//fonts.example-cdn.com">
<link rel="preconnect" href="https://fonts.example-cdn.com">
<link rel="prefetch" href="/next.html">
<style>body { background: url('/img/bg.png') } @import "/css/extra.css";</style>
</head><body background="/img/old-bg.gif">
<table><tr><td background="img/cell.jpg">x</td></tr></table>
<div style="background-image:url(&quot;/img/banner.jpg&quot;)">banner</div>
<img src="/img/a.png" srcset="/img/a-2x.png 2x, /img/a-3x.png 3x">
<picture><source srcset="/img/pic.webp" type="image/webp"><img src="/img/pic.jpg"></picture>
<video src="/media/v.mp4" poster="/media/poster.jpg"><source src="/media/v.webm"><track src="/media/v.vtt"></video>
<audio src="/media/a.mp3"></audio>
<embed src="/flash/old.swf"><object data="/docs/form.pdf"></object>
<form><input type="image" src="/img/submit.gif"><input type="text" name="q"></form>
<a href="/a%7eb/%e6%96%87%e4%bb%b6.pdf">附件一</a><a href="/a~b/文件.pdf">附件一（重复）</a>
</body></html>"""


def test_every_resource_a_browser_loads_is_a_link_and_hints_are_not():
    ex = extract_page(BASE, RESOURCES, "article")
    targets = {link.target for link in ex.links}
    host = "http://www.example.gov.cn"
    for path in (
        "/css/main.css",
        "/img/bg.png",
        "/css/extra.css",
        "/img/old-bg.gif",
        "/zwgk/img/cell.jpg",
        "/img/banner.jpg",
        "/img/a.png",
        "/img/a-2x.png",
        "/img/a-3x.png",
        "/img/pic.webp",
        "/img/pic.jpg",
        "/media/v.mp4",
        "/media/poster.jpg",
        "/media/v.webm",
        "/media/v.vtt",
        "/media/a.mp3",
        "/flash/old.swf",
        "/docs/form.pdf",
        "/img/submit.gif",
    ):
        assert host + path in targets, path
    assert not any("fonts.example-cdn.com" in t for t in targets), "resource hints are not links"
    assert host + "/next.html" not in targets
    pdfs = [t for t in targets if t.endswith(".pdf") and "/a~b/" in t]
    assert pdfs == [host + "/a~b/%E6%96%87%E4%BB%B6.pdf"], "one target in two encodings is one link"


NAV = """<html><body>
<div class="nav"><ul>
  <li onclick="window.open('/zcjd/index.html')">热点解读</li>
  <li><a href="javascript:void(0)" onclick="location.href='/zcwj/index.html'">政府文件</a></li>
  <li><a href="#">政务公开</a></li><li><a href="#">互动交流</a></li>
</ul></div>
<div class="tab"><a href="javascript:;">通知公告</a><a href="javascript:;">政策解读</a></div>
<div class="footer"><dl><dt>网站地图</dt><dd><a href="/xxgk/">政府信息公开</a></dd></dl></div>
</body></html>"""


def test_navigation_without_plain_links_keeps_every_entry():
    ex = extract_page("http://www.example.gov.cn/", NAV, "home")
    nav = {(e["text"], e["url"]) for e in ex.facts["nav"]}
    assert ("热点解读", "http://www.example.gov.cn/zcjd/index.html") in nav  # <li onclick>
    assert ("政府文件", "http://www.example.gov.cn/zcwj/index.html") in nav  # javascript: href + handler
    assert {("政务公开", ""), ("互动交流", ""), ("通知公告", ""), ("政策解读", "")} <= nav  # placeholders
    assert ("政府信息公开", "http://www.example.gov.cn/xxgk/") in nav  # footer site map
    assert "http://www.example.gov.cn/zcjd/index.html" in {link.target for link in ex.links}


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("政府网站标识码：3609000002", "site_code", "3609000002"),
        ("网站识别码 3609000002", "site_code", "3609000002"),
        ("网站标识码bm01000001", "site_code", "bm01000001"),
        ("标识码:１４００００００４５", "site_code", "1400000045"),  # full-width digits
        ("網站標識碼：3609000002", "site_code", "3609000002"),  # 繁体
        ("ICP备案号：苏ICP备05003616号", "icp", "苏ICP备05003616号"),
        ("贛ICP備06000141號", "icp", "贛ICP備06000141號"),  # evidence keeps the page's characters
        ("公安机关备案号：苏公网安备32041102000483号", "psb", "苏公网安备32041102000483号"),
        # the spellings government footers really use for the 公安机关备案号
        (
            "政府网站标识码：1100000169 京公网安备110102000155 ICP备案编号：京ICP备14005922号－1",
            "psb",
            "京公网安备110102000155",
        ),
        ("津公网安备 ：12010302000991号", "psb", "津公网安备 ：12010302000991号"),
        ("沪ICP备：12004267 沪公安备：31010102045442号", "psb", "沪公安备：31010102045442号"),
        ("备案序号：豫ICP备05024460号-1 郑公备：41010029000130", "psb", "郑公备：41010029000130"),
        ("公安备案号 36010802000108", "psb", "公安备案号 36010802000108"),
        ("京公网安备案号：11010502030143", "psb", "京公网安备案号：11010502030143"),
        ("主办方：某某县人民政府 承办：某某县政府办公室", "sponsor", "某某县人民政府"),
        ("网站主办：某某市财政局 | 联系电话", "sponsor", "某某市财政局"),
        ("主办单位 某某县人民政府办公室 技术支持：某公司", "sponsor", "某某县人民政府办公室"),
        ("承办单位：某某县大数据中心", "organiser", "某某县大数据中心"),
        ("某某县司法局 主办　某某县信息中心 承办 Copyright © 2026", "sponsor", "某某县司法局"),  # name first
        ("某某县司法局 主办　某某县信息中心 承办 Copyright © 2026", "organiser", "某某县信息中心"),
        ("主管：某某省人民政府　主办：某某省人民政府办公室", "sponsor", "某某省人民政府办公室"),
    ],
)
def test_footer_label_variants(text, key, value):
    assert footer_facts(text)[key] == value


@pytest.mark.parametrize(
    "text",
    [
        "备案序号：豫ICP备05024460号-1 政府网站标识码：4100000001",  # the ICP number, not a PSB one
        "联系电话：0791-86201234 邮编：330000",
        "公安备勤 2026 年 3 月",
        "郑公备：4101",  # too short to be a filing number
    ],
)
def test_no_psb_number_read_out_of_other_numbers(text):
    assert footer_facts(text)["psb"] == ""


def test_a_number_linked_to_the_filing_system_is_a_psb_number_whatever_its_spelling():
    facts = footer_facts("网站标识码：3609000002 豫公网备 41010502000123", linked=["41010502000123"])
    assert facts["psb"] == "豫公网备 41010502000123"
    assert facts["psb_link"] == "41010502000123"
    icon_only = footer_facts("网站标识码：3609000002", linked=["41010502000123"])
    assert icon_only["psb"] == "" and icon_only["psb_link"] == "41010502000123"


def test_footer_written_inline_by_document_writeln():
    """The footer a page writes with ``document.writeln`` in an inline script reads as the text it
    writes: the sponsor named before 主办, the filing number as the MPS link shows it."""
    html = (
        '<html><body><div class="footer"><div class="copy"><script type="text/javascript">\n'
        'document.writeln("<p><a href=\\"/wzdt/\\">网站地图<\\/a><\\/p>");\n'
        'document.writeln("<p>某某县交通运输局主办<\\/p>");\n'
        'document.writeln("<p>网站标识码：3609000002&nbsp;&nbsp;<a href=\\"https://beian.miit.gov.cn/\\">'
        '赣ICP备：29537416<\\/a>&nbsp;&nbsp;<a href=\\"http://www.beian.gov.cn/portal/registerSystemInfo'
        '?recordcode=36012151325237\\"><img src=\\"/images/ga.png\\" />赣公网备：36012151325237<\\/a><\\/p>");\n'
        "</script></div></div></body></html>"
    )
    footer = extract_page("http://www.example.gov.cn/", html, "home").facts["footer"]
    assert footer["sponsor"] == "某某县交通运输局"
    assert footer["site_code"] == "3609000002" and footer["icp"] == "赣ICP备：29537416"
    assert footer["psb"] == "赣公网备：36012151325237" and footer["psb_link"] == "36012151325237"
    html_icon = (
        '<html><body><div class="footer">主办单位：某某县人民政府 网站标识码：3609000002 '
        '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36012151325237">'
        '<img src="/images/ga.png" alt="" /></a></div></body></html>'
    )
    footer = extract_page("http://www.example.gov.cn/", html_icon, "home").facts["footer"]
    assert footer["psb"] == "" and footer["psb_link"] == "36012151325237"


def test_no_sponsor_read_out_of_copyright_or_a_sentence():
    facts = footer_facts("承办 Copyright © 2018-2026 All Rights Reserved 由市政府办公室主办的网站")
    assert facts["sponsor"] == "" and facts["organiser"] == ""


def test_organiser_alone_is_not_a_sponsor():
    facts = footer_facts("承办：某某县人民政府办公室 网站标识码：3609000002")
    assert facts["sponsor"] == "" and facts["organiser"] == "某某县人民政府办公室"


def test_badge_rendered_by_script_counts():
    html = (
        '<html><body><div class="footer">网站标识码：3609000002<script type="text/javascript">'
        "document.write(unescape(\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='https://dcs.conac.cn/js/36/000/0000/1.js'%3E\"));"
        "</script></div></body></html>"
    )
    assert extract_page("http://www.example.gov.cn/", html, "home").facts["footer"]["conac"] is True
    plain = '<html><body><div class="footer">网站标识码：3609000002<img src="/images/blue.png"></div></body></html>'
    assert extract_page("http://www.example.gov.cn/", plain, "home").facts["footer"]["conac"] is False


def test_unlabelled_date_in_the_article_head_is_weak_evidence():
    html = (
        '<html><body><h1>关于做好2024年春耕生产工作的通知</h1><div class="info"><span class="time">2024-05-12</span>'
        "<span>来源：县农业农村局</span></div><p>会议定于2024年6月1日召开。</p></body></html>"
    )
    ex = extract_page("http://www.example.gov.cn/art/2023/1/1/art_1_2.html", html, "article")
    assert ex.pub_date.isoformat() == "2024-05-12" and ex.date_source == "element:time"


def test_date_in_the_info_line_under_the_title_without_a_label():
    html = (
        '<html><body><div class="art-title">图解：《关于做好政务服务工作的通知》</div>'
        '<div class="art-info"><span>2026-10-08 08:39</span><span>来源：某某县住建局</span>'
        '<span>字号：[<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>]</span></div>'
        '<div class="art-con"><p>会议定于2026年11月1日召开。</p></div></body></html>'
    )
    ex = extract_page("http://www.example.gov.cn/zcjd/202610/abc.shtml", html, "article")
    assert ex.pub_date.isoformat() == "2026-10-08" and ex.date_source == "element:art-info"
    # the same date in a container that is not an info line (no 来源/作者/浏览… label) is not taken
    body = html.replace("<span>来源：某某县住建局</span>", "").replace("字号", "")
    assert extract_page("http://www.example.gov.cn/zcjd/a.shtml", body, "article").date_source != "element:art-info"


def test_a_link_under_a_layout_table_takes_no_date_from_the_list_beside_it():
    rows = "".join(
        f"<tr><td><a href='/gbook/show.php?id={i}'>留言{i}</a></td><td>2026-11-{14 - i:02d}</td></tr>" for i in range(3)
    )
    menu = "".join(f"<a href='/col{i}/'>栏目{i}</a>" for i in range(6))
    html = (
        f"<html><body><table><tr><td>{menu}</td><td><table>{rows}</table>"
        "<p><a href='/hdjl/rl/'>活动日历</a></p></td></tr></table></body></html>"
    )
    items = extract_page("http://www.example.gov.cn/gbook/index.php", html, "column").facts["items"]
    assert [i["title"] for i in items] == ["留言0", "留言1", "留言2"]


def test_day_box_dates_and_pages_a_paging_script_builds():
    rows = "".join(
        f"<li><div class='day-box'><b>{d:02d}</b><span>2026-11</span></div>"
        f"<a href='/zwgk/zwyw/202611/content_{d}.html'>第{d}条动态</a></li>"
        for d in (19, 12, 3)
    )
    script = (
        '<script>kpPage("pageBar", {total: 27, pageSize: 10, pageNo: 1, '
        'url: "/zwgk/list.html?columnId=606&page={n}"});</script>'
    )
    ex = extract_page(
        "http://www.example.gov.cn/zwgk/list.html?columnId=606",
        f"<html><body><ul>{rows}</ul>{script}</body></html>",
        "column",
    )
    assert [i["date"] for i in ex.facts["items"]] == ["2026-11-19", "2026-11-12", "2026-11-03"]
    assert ex.facts["pagination"] == [f"http://www.example.gov.cn/zwgk/list.html?columnId=606&page={n}" for n in (2, 3)]
    # numbers that are not a day box are not combined into a date
    odd = "<html><body><ul><li><span>7 2026-11 阅读</span><a href='/a.html'>某条</a></li></ul></body></html>"
    assert extract_page("http://www.example.gov.cn/l.html", odd, "column").facts["items"][0]["date"] is None


def test_a_published_label_variant_beats_the_date_of_creation():
    html = (
        "<html><body><table><tr><td>成文日期：</td><td>2026年6月22日</td></tr></table>"
        "<h1>某县人民政府关于印发《某某计划》的通知</h1><p>发表时间：2026年06月24日 浏览次数：12</p></body></html>"
    )
    ex = extract_page("http://www.example.gov.cn/show.php?catid=14&id=1", html, "article")
    assert ex.pub_date.isoformat() == "2026-06-24" and ex.date_source == "label:发表时间"


def test_directory_system_dates_made_and_uploaded_rank_as_written_and_published():
    """政府信息公开目录 systems label the date a document was made 产生日期 and the day it went
    online 上载日期, in a four-column info table; the bare 日期 ending 产生日期 is no label."""
    html = (
        "<html><body><table class='xxgk'>"
        "<tr><td><b>发文机关：</b></td><td>某县农业农村局</td><td><b>产生日期：</b></td><td>2026年05月24日</td></tr>"
        "<tr><td><b>文　　号：</b></td><td>某农字〔2026〕3号</td><td><b>上载日期：</b></td><td>2026年05月29日</td></tr>"
        "</table><h1>某县农业农村局关于印发《某某方案》的通知</h1><p>正文</p></body></html>"
    )
    ex = extract_page("http://www.example.gov.cn/gkml/1.html", html, "article")
    assert ex.facts["dates"] == {"产生日期": "2026-05-24", "上载日期": "2026-05-29"}
    assert ex.pub_date.isoformat() == "2026-05-29" and ex.date_source == "table:上载日期"


def test_spaced_out_info_table_labels_are_read():
    """Info tables space labels out to align them (发 文 日 期, 上　载　日　期)."""
    html = (
        "<html><body><table><tr><th>索 引 号</th><td>0001/2026-1</td><th>发 文 日 期</th><td>2026-05-21</td></tr>"
        "<tr><th>文　　号</th><td>某政办函〔2026〕27号</td><th>上　载　日　期</th><td>2026-07-27</td></tr></table>"
        "<h1>某县人民政府关于进一步加强水利建设工作的意见</h1></body></html>"
    )
    ex = extract_page("http://www.example.gov.cn/News_showGkmlNews.action?messagekey=1", html, "article")
    assert ex.facts["dates"] == {"发文日期": "2026-05-21", "上载日期": "2026-07-27"}
    assert ex.pub_date.isoformat() == "2026-07-27"
    # the same labels in running text (no table cells)
    assert labelled_dates("发 文 日 期 2026-05-21 名 称 某意见 上 载 日 期 2026-07-27") == {
        "发文日期": dt.date(2026, 5, 21),
        "上载日期": dt.date(2026, 7, 27),
    }


def test_a_bare_date_label_is_not_the_tail_of_another_word():
    """实施日期 / 截止时间 / an unlisted 产 生 日 期 are not a publication date; 来源：本站 日期： is."""
    assert labelled_dates("实施日期：2026-01-01 发布日期：2025-12-01") == {"发布日期": dt.date(2025, 12, 1)}
    assert labelled_dates("报名截止时间：2026年5月1日") == {}
    assert labelled_dates("形 成 日 期 2026-05-01") == {}
    assert labelled_dates("来源：本站 日期：2026-05-12") == {"日期": dt.date(2026, 5, 12)}
    assert labelled_dates("[日期：2026-05-12]") == {"日期": dt.date(2026, 5, 12)}


def test_list_rows_in_divs_and_chinese_numeral_dates():
    html = (
        "<html><body><div class='list'>"
        + "".join(
            f"<div class='item'><a href='/art/{i}.html'>关于第{i}项工作的通知</a><span>2024-05-{10 + i:02d}</span></div>"
            for i in range(5)
        )
        + "</div></body></html>"
    )
    ex = extract_page("http://www.example.gov.cn/tzgg/index.html", html, "column")
    assert [i["date"] for i in ex.facts["items"]] == [f"2024-05-{10 + i:02d}" for i in range(5)]
    doc = "<html><body><h1>某某办法</h1><table><tr><td>成文日期：</td><td>二〇二四年五月十二日</td></tr></table></body></html>"
    assert extract_page("http://www.example.gov.cn/a.html", doc, "article").facts["dates"]["成文日期"] == "2024-05-12"


def test_a_list_of_escaped_titles_a_script_unescapes_is_read():
    """广东 集约化 lists: the page carries its list as JSON with titles ``escape()``d (%uXXXX) and a
    script writes the rows through ``unescape()``; the list is not empty."""
    data = (
        '{"total": 2, "articles": ['
        '{"id": 1, "title": "%u653F%u5E9C%u4FE1%u606F%u516C%u5F00%u6307%u5357", "url": "/gkmlpt/content/4/4919/post_4919703.html", '
        '"created_at": "2026-01-23 10:15:00"}, '
        '{"id": 2, "title": "%u653F%u5E9C%u4FE1%u606F%u516C%u5F00%u6307%u5357%uFF082%uFF09%20", "url": "/gkmlpt/content/3/3220/post_3220853.html", '
        '"created_at": "2025-07-21 08:32:00"}]}'
    )
    html = (
        '<html><body><div class="common-list"><ul id="artList"></ul></div><script>'
        f"var pageData = {data};"
        "for (var i = 0; i < pageData.articles.length; i++) { var a = pageData.articles[i];"
        " out.push('<li><a href=\"' + a.url + '\">' + unescape(a.title) + '</a></li>'); }"
        "</script></body></html>"
    )
    items = extract_page("http://www.example.gov.cn/xxgk/gkzn/index.html", html, "column").facts["items"]
    assert [(i["title"], i["date"]) for i in items] == [
        ("政府信息公开指南", "2026-01-23"),
        ("政府信息公开指南（2）", "2025-07-21"),
    ]
    assert items[0]["url"] == "http://www.example.gov.cn/gkmlpt/content/4/4919/post_4919703.html"


@pytest.mark.parametrize(
    "url",
    [
        "http://czj.example.gov.cn/News_showNews.action?messagekey=800452",  # Struts article (齐齐哈尔 form)
        "http://www.example.gov.cn/zwgk/zwdt/content/post_6089643.html",  # 广东 集约化 article
    ],
)
def test_article_addresses_are_not_tried_as_lists(url):
    from zwgk.crawlers.site import _may_be_list

    assert not _may_be_list(url)
    assert _may_be_list("http://czj.example.gov.cn/News_showList.action?colid=12")
    assert _may_be_list("http://www.example.gov.cn/zwgk/zwdt/index.html")


def test_a_column_page_that_is_one_document_counts_its_running_text():
    guide = "为保障公民、法人和其他组织依法获取政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。" * 6
    footer = "主办单位：某某县人民政府办公室　地址：某某县人民大道1号　联系电话：0791-1234567" * 3
    html = (
        "<html><body><ul class='nav'><li><a href='/'>首页</a></li></ul>"
        f"<div class='content'><h1>政府信息公开指南</h1><p>{guide}</p><p>{guide}</p></div>"
        f"<div class='footer'><p>{footer}</p></div></body></html>"
    )
    facts = extract_page("http://www.example.gov.cn/xxgk/gkzn/index.html", html, "column").facts
    assert facts["items"] == [] and facts["document_chars"] >= 300
    empty = (
        "<html><body><div class='list'><ul></ul></div>"
        f"<div class='footer'><p>{footer}</p></div><p><a href='/a.html'>链接一</a> <a href='/b.html'>链接二</a></p></body></html>"
    )
    assert extract_page("http://www.example.gov.cn/xxgk/tjxx/index.html", empty, "column").facts["document_chars"] < 300


@pytest.mark.parametrize(
    "label",
    ["【相关解读】", "[相关解读]", "［政策解读］", "〖原文链接〗", "【相關解讀】", "「相关文件」"],
)
def test_a_related_box_whose_label_is_bracketed_links_its_interpretation(label):
    """Templates often set the box label in brackets (【相关解读】, 繁体 pages 【相關解讀】) and the
    entries under it carry only the 解读's title, which names the instrument first."""
    html = (
        "<html><body><div class='art-title'>某某县人民政府关于进一步加强就业创业工作的意见</div>"
        "<p>某府发〔2026〕3号</p><div class='art-con'><p>正文。</p></div>"
        f"<div class='xgjd'><span>{label}</span><ul><li>"
        "<a href='/zcjd/202608/t20260831_9.html'>关于进一步加强就业创业工作的意见政策解读</a></li></ul></div>"
        "</body></html>"
    )
    facts = extract_page("http://www.example.gov.cn/zcwj/202608/t20260828_7.html", html, "article").facts
    assert [r["url"] for r in facts["related"]] == ["http://www.example.gov.cn/zcjd/202608/t20260831_9.html"]


def test_a_bracketed_heading_that_names_no_related_box_links_nothing():
    html = (
        "<html><body><div class='art-title'>某某县人民政府关于进一步加强就业创业工作的意见</div>"
        "<div class='box'><span>【热点新闻】</span><ul><li>"
        "<a href='/xwzx/202608/t20260831_9.html'>全县召开就业创业工作推进会</a></li></ul></div>"
        "</body></html>"
    )
    facts = extract_page("http://www.example.gov.cn/zcwj/202608/t20260828_7.html", html, "article").facts
    assert facts["related"] == []
