"""The ``kaipu`` template family (newer 集约化 / 开普云-style platforms, written blind and held out
from the rules): it is generated deterministically, served over real HTTP on loopback, every page
decodes in the charset it declares, and the pages carry exactly the defects the ground truth
plants (farm-level checks read off the served pages; no crawler, no rules)."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import urljoin

import pytest

from zwgk.sitefarm import FarmConfig, running_farm
from zwgk.sitefarm.content import FAMILIES_WITH_PLANTS
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.kaipu import NAMES
from zwgk.sitefarm.names import COLUMNS, FRESHNESS_DAYS
from zwgk.sitefarm.render import Ctx
from zwgk.sitefarm.specs import ALL_CODES, PLAN_CODES
from zwgk.sitefarm.truth import build_truth
from zwgk.sitefarm.workdays import workdays_between

KP = ("kaipu",)
STD_KEY = {std: key for key, (std, _, _) in COLUMNS.items() if std}
DECLARED_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)
REF_RE = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
JSON_RE = re.compile(r"var listData = (\{.*?\});\n", re.DOTALL)
BLOCK_RE = re.compile(r"var blockData\d = (\[.*?\]);\n", re.DOTALL)
ANCHOR_RE = re.compile(r"<a\b[^>]*>([^<]+)</a>")
DATE_RES = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})年(\d{2})月(\d{2})日"), (1, 2, 3)),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})\.(\d{2})\.(\d{2})"), (1, 2, 3)),
    (re.compile(r"<b>(\d{2})</b><span>(\d{4})-(\d{2})</span>"), (2, 3, 1)),  # the day box
)


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def _decode(body: bytes) -> tuple[str, str]:
    """The page as text, decoded strictly in the charset its own head declares, and that charset."""
    m = DECLARED_RE.search(body[:600].decode("ascii", errors="replace"))
    declared = (m.group(1) if m else "utf-8").lower()
    return body.decode("gbk" if declared == "gbk" else declared), declared


@pytest.fixture(scope="module")
def kp():
    """A 24-site farm of the kaipu family only (one loopback port per site), each live site's
    pages fetched once: ``kp.pages[(unit_id, path)] = (status, text, declared, content-type)``."""
    with running_farm(FarmConfig(sites=24, families=KP, bench_mode=True, ipv6=False)) as handle:
        handle.pages = {}
        for spec in _live(handle):
            site = handle.farm.site(spec)
            for path in ["/", "/wzdt/", "/lxwm/", *site.pages]:
                status, body, ctype = _get(handle.farm.origins.site(spec) + path)
                text, declared = _decode(body) if status == 200 else ("", "")
                handle.pages[(spec.unit_id, path)] = (status, htmllib.unescape(text), declared, ctype)
        yield handle


def _live(handle):
    return [s for s in handle.farm.specs if not handle.farm.site(s).down]


def _page(handle, spec, path: str) -> str:
    status, text, _, _ = handle.pages[(spec.unit_id, path)]
    assert status == 200, (spec.unit_id, path, status)
    return text


def _farm(sites: int, seed: int, families=KP):
    farm = Farm(FarmConfig(sites=sites, seed=seed, families=families))
    farm.origins.port = 1
    return farm, build_truth(farm)


def _expected(family: str) -> set[str]:
    """Every code of the plan; the 办事服务 / content plants are rendered only by trs / hanweb."""
    return set(ALL_CODES) if family in FAMILIES_WITH_PLANTS else set(PLAN_CODES)


def _dates(text: str) -> list[dt.date]:
    out = []
    for pattern, (y, m, d) in DATE_RES:
        for match in pattern.finditer(text):
            try:
                out.append(dt.date(int(match.group(y)), int(match.group(m)), int(match.group(d))))
            except ValueError:
                pass
    return out


def _list_region(page: str) -> str:
    """The list of a column page (between its title and the pager / the page's end)."""
    start = page.index('<div class="list-tit">')
    end = page.find('<div class="footer"', start)
    return page[start:end]


# ---------------------------------------------------------------- generation and truth


def test_a_kaipu_farm_plants_every_code_of_the_plan():
    _, truth = _farm(24, 1)
    assert {s["family"] for s in truth["sites"]} == {"kaipu"}
    assert _expected("kaipu") <= {d["rule"] for d in truth["defects"]} <= set(ALL_CODES)


def test_every_family_of_a_five_family_farm_plants_every_code():
    families = ("trs", "hanweb", "jiyue", "xiangzhen", "kaipu")
    _, truth = _farm(150, 1, families)
    family = {s["unit_id"]: s["family"] for s in truth["sites"]}
    assert set(family.values()) == set(families)
    for name in families:
        rules = {d["rule"] for d in truth["defects"] if family[d["unit_id"]] == name}
        assert _expected(name) <= rules <= set(ALL_CODES), (name, _expected(name) - rules)


def test_the_family_is_deterministic_from_the_seed():
    from zwgk.sitefarm import render_kaipu as r

    (a, ta), (b, tb) = _farm(12, 5), _farm(12, 5)
    assert json.dumps(ta, sort_keys=True) == json.dumps(tb, sort_keys=True)
    for sa, sb in zip(a.specs, b.specs):
        site_a, site_b = a.site(sa), b.site(sb)
        if site_a.down:
            continue
        assert site_a.opts == site_b.opts and list(site_a.pages) == list(site_b.pages)
        ca, cb = Ctx(site_a, a.origins), Ctx(site_b, b.origins)
        assert r.render_home(ca) == r.render_home(cb)
        for path in list(site_a.pages)[::17]:
            kind, obj = site_a.pages[path]
            if kind == "article":
                assert r.render_article(ca, obj, site_a.columns.get(obj.col)) == r.render_article(
                    cb, site_b.pages[path][1], site_b.columns.get(obj.col)
                )
    _, other = _farm(12, 6)
    assert json.dumps(other["defects"], sort_keys=True) != json.dumps(ta["defects"], sort_keys=True)


def _names(doc, org: str) -> set[str]:
    """How a 解读 may name its document: the instrument in 《》, or the whole title (inner marks 〈〉)."""
    bare = doc.title.removeprefix(org)
    out = {bare, bare.replace("《", "〈").replace("》", "〉")}
    if "《" in doc.title:
        out.add(doc.title.split("《", 1)[1].split("》", 1)[0])
    return out


def test_every_interpretation_names_its_own_document_and_links_as_its_style_says():
    farm, truth = _farm(96, 2)
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "INTERP-MISSING"}
    assert missing
    styles, forms = Counter(), Counter()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        items = [o for k, o in site.pages.values() if k == "article"]
        docs = [o for o in items if o.kind == "doc"]
        for interp in (o for o in items if o.kind == "interp"):
            forms.update(w for w in ("答记者问", "一图读懂", "图解", "政策解读", "解读") if w in interp.title)
            named = [d for d in docs if any(n in interp.title for n in _names(d, spec.name))]
            assert [d.path for d in named] == interp.related, (spec.unit_id, interp.title)
        for doc in docs:
            if (spec.unit_id, farm.origins.resolve(spec, doc.path)) in missing:
                assert not doc.related, (spec.unit_id, doc.title)
            if doc.related:
                styles[site.opts["links"][doc.path]] += 1
    assert set(styles) == {"both", "forward", "inline", "back", "title"}, styles
    assert set(forms) == {"答记者问", "一图读懂", "图解", "政策解读", "解读"}, forms


def test_missing_columns_leave_no_link_that_reads_as_them():
    from zwgk.sitefarm import render_kaipu as r

    farm, truth = _farm(96, 6)
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "COLUMN-MISSING"}
    seen = set()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        ctx = Ctx(site, farm.origins)
        pages = [r.render_home(ctx), r.render_static(ctx, "wzdt")]
        pages += [
            r.render_hub(ctx, c) if c.kind == "hub" else r.render_column(ctx, c, 1) for c in site.columns.values()
        ]
        anchors = {a.strip() for p in pages for a in ANCHOR_RE.findall(p)}
        for std, key in STD_KEY.items():
            if (spec.unit_id, std) in missing:
                assert not anchors & set(NAMES[key]), (spec.unit_id, std, anchors & set(NAMES[key]))
                seen.add(std)
            else:
                assert site.column_by_std(std).name in anchors, (spec.unit_id, std)
    assert len(seen) >= 4, seen


# ---------------------------------------------------------------- the served pages


def test_every_page_serves_and_decodes_in_the_charset_it_declares(kp):
    paths, charsets, mixed = Counter(), Counter(), 0
    for spec in _live(kp):
        site = kp.farm.site(spec)
        charsets[site.charset] += 1
        declared_here = set()
        for path in ["/", "/wzdt/", *site.pages]:
            status, text, declared, ctype = kp.pages[(spec.unit_id, path)]
            assert status == 200, (spec.unit_id, path, status)
            assert text.rstrip().endswith("</html>"), (spec.unit_id, path)
            declared_here.add(declared)
            if declared == "gbk" and site.charset == "mixed":
                assert "charset" not in ctype  # the 信息公开 platform declares GBK in its meta only
            else:
                assert f"charset={declared}" in ctype.lower(), (spec.unit_id, path, ctype)
            for pattern in (
                r"^/xxgk/[a-z]+/art/\d{4}/art_[0-9a-f]{32}\.html$",
                r"^/zwgk/[a-z]+/\d{6}/content_\d+\.html$",
                r"^/zwgk/list\.html\?columnId=\d+(&page=\d+)?$",
                r"^/xxgk/list\.html\?channelId=\d+(&page=\d+)?$",
                r"^/(zwgk|xxgk)/[a-z]+/list(_\d+)?\.html$",
                r"^/hdjl/xjxx/detail\.html\?letterId=\d+$",
            ):
                if re.match(pattern, path):
                    paths[pattern] += 1
        if site.charset == "mixed":
            assert declared_here == {"utf-8", "gbk"}, (spec.unit_id, declared_here)
            mixed += 1
    assert len(paths) == 6, paths
    assert set(charsets) == {"utf-8", "gbk", "mixed"} and mixed, charsets


def _refs(page: str) -> list[str]:
    out = []
    for ref in REF_RE.findall(page):
        ref = ref.strip()
        if ref and not ref.startswith(("#", "javascript:", "mailto:", "'")):
            out.append(ref.split("#", 1)[0])
    for raw in JSON_RE.findall(page):  # lists fed by inline JSON
        out.extend(entry["url"] for entry in json.loads(raw)["list"])
    for raw in BLOCK_RE.findall(page):  # homepage blocks written from inline JSON
        out.extend(entry["url"] for entry in json.loads(raw))
    return out


def test_every_reference_resolves_unless_the_truth_plants_it(kp):
    """Links and resources on every page of every live site (hrefs, src, form actions, relative
    pager links, the URLs inside inline JSON lists): each answers 200 unless the truth lists it as
    broken — and then a planted dead page answers 404 (a soft 404 answers 200 with its notice)."""
    planted = {d["subject"] for d in kp.truth["defects"] if d["rule"] in ("LINK-HOME", "LINK-PAGE")}
    traps = set(kp.truth["traps"])
    statuses = Counter()
    for spec in _live(kp):
        origin = kp.farm.origins.site(spec)
        checked: dict[str, int] = {}
        for (unit, path), (status, text, _, _) in kp.pages.items():
            if unit != spec.unit_id or status != 200:
                continue
            for ref in _refs(text):
                target = urljoin(origin + path, ref)
                if target in checked or not target.startswith(origin) or target in traps:
                    continue
                checked[target] = code = _get(target)[0]
                if target in planted:
                    statuses["soft" if "/zt/zt" in target else code] += 1
                    if "/zt/zt" in target:
                        assert "不存在" in _decode(_get(target)[1])[0]
                    else:
                        assert code == 404, (spec.unit_id, path, target, code)
                else:
                    assert code == 200, (spec.unit_id, path, ref, target, code)
        assert {s for s in planted if s.startswith(origin)} <= set(checked) | traps, spec.unit_id
    assert statuses[404], statuses


def test_a_stale_column_shows_only_old_dates_and_a_fresh_one_a_recent_date(kp):
    as_of = kp.farm.config.as_of
    stale = {(d["unit_id"], d["subject"]) for d in kp.truth["defects"] if d["rule"] == "FRESH-COLUMN"}
    seen = Counter()
    for spec in _live(kp):
        site = kp.farm.site(spec)
        for col in site.columns.values():
            if col.kind == "hub" or not col.fresh or not col.items:
                continue
            page = _page(kp, spec, col.path)
            shown = [d for d in _dates(_list_region(page)) if d <= as_of]
            assert shown, (spec.unit_id, col.key)
            age = (as_of - max(shown)).days
            if (spec.unit_id, kp.farm.origins.resolve(spec, col.path)) in stale:
                assert age > FRESHNESS_DAYS[col.fresh], (spec.unit_id, col.key, age)
                seen["stale"] += 1
            else:
                assert age <= FRESHNESS_DAYS[col.fresh], (spec.unit_id, col.key, age)
                seen["fresh"] += 1
    assert seen["stale"] and seen["fresh"], seen


def test_footer_identity_is_shown_exactly_when_the_truth_says(kp):
    rules = {(d["unit_id"], d["rule"]) for d in kp.truth["defects"]}
    forms = Counter()
    for spec in _live(kp):
        site = kp.farm.site(spec)
        home = _page(kp, spec, "/")
        foot = home[home.index('<div class="footer"') :]
        has = {rule: (spec.unit_id, rule) not in rules for rule in PLAN_CODES}
        assert (spec.site_code in foot) == has["IDENT-SITECODE"], spec.unit_id
        assert ("ICP备" in foot) == has["IDENT-ICP"], spec.unit_id
        assert ("公网安备" in foot) == has["IDENT-PSB"], spec.unit_id
        assert ("主办" in foot) == has["IDENT-SPONSOR"], spec.unit_id
        assert ("conac.cn" in foot) == has["CONAC-BADGE"], spec.unit_id
        assert ('action="/search/"' in home) == has["SEARCH-MISSING"], spec.unit_id
        forms.update({site.opts["code_label"], site.opts["jiucuo"], site.opts["conac"], site.opts["footer"]})
    assert {"zfwzgl", "kaipuyun", "link", "script", "div", "table"} <= set(forms), forms


def test_list_markups_show_their_items(kp):
    markups = Counter()
    for spec in _live(kp):
        site = kp.farm.site(spec)
        for key, markup in site.opts["list"].items():
            col = site.columns[key]
            page = _page(kp, spec, col.path)
            markups[markup] += 1
            if not col.items:
                assert "暂无信息" in page
                continue
            first = col.items[0]
            if markup == "json":
                data = json.loads(JSON_RE.search(page).group(1))
                assert data["list"][0]["title"] == first.title and data["list"][0]["url"] == first.path
                shown = first.title in _list_region(page)
                assert shown != site.opts["json_ascii"]  # \\u-escaped titles are not text of the page
            else:
                assert first.title in page, (spec.unit_id, key)
            if markup == "gktable":
                assert first.doc_number in page or not first.doc_number
    assert {"json", "gktable", "li", "daybox", "letters"} <= set(markups), markups


def test_late_replies_are_late_on_the_letter_pages(kp):
    late = {d["subject"] for d in kp.truth["defects"] if d["rule"] == "REPLY-LATE"}
    checked = 0
    for spec in _live(kp):
        site = kp.farm.site(spec)
        if "hdjl" not in site.columns:
            continue
        asked_label, answered_label = site.opts["msg_labels"]
        for item in site.columns["hdjl"].items:
            page = _page(kp, spec, item.path)
            asked = dt.datetime.strptime(
                re.search(asked_label + r"：</th><td>([\d\- :]+)<", page).group(1), "%Y-%m-%d %H:%M:%S"
            )
            found = re.search(answered_label + r"：</th><td>([\d\- :]+)<", page)
            until = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S").date() if found else kp.farm.config.as_of
            is_late = workdays_between(asked.date(), until) > 5
            assert is_late == (kp.farm.origins.resolve(spec, item.path) in late), (spec.unit_id, item.path)
            checked += is_late
    assert checked, "no late reply planted"


def test_every_page_has_its_meta_tags_but_the_planted_one(kp):
    for spec in _live(kp):
        site = kp.farm.site(spec)
        for path, (kind, _obj) in list(site.pages.items())[:40]:
            page_type = "article" if kind == "article" else "column"
            tags = set(re.findall(r'<meta name="(\w+)"', _page(kp, spec, path)))
            if page_type in site.meta_missing:
                assert site.meta_missing[page_type] not in tags, (spec.unit_id, path)
            assert "SiteName" in tags or site.meta_missing.get(page_type) == "SiteName"
        home = set(re.findall(r'<meta name="(\w+)"', _page(kp, spec, "/")))
        assert ("home" in site.meta_missing) == (not {"SiteName", "SiteDomain", "SiteIDCode"} <= home)


def test_the_homepage_is_stale_exactly_when_the_truth_says(kp):
    """The dates the homepage blocks show (``09-05`` meaning this year, or full dates; also those
    of a block written from inline JSON): the newest is over two weeks old exactly on FRESH-HOME."""
    as_of = kp.farm.config.as_of
    stale = {d["unit_id"] for d in kp.truth["defects"] if d["rule"] == "FRESH-HOME"}
    seen = Counter()
    short = re.compile(r"(?<![\d\-/.年])(\d{2})-(\d{2})(?![\d\-])")
    for spec in _live(kp):
        home = _page(kp, spec, "/")
        start = home.index('<div class="main')
        end = min(
            i
            for i in (home.find('<div class="gk-entry'), home.find('<div class="zt-box'), home.find('<div class="yqlj'))
            if i > 0
        )
        blocks = home[start:end]
        blocks = re.sub(r'<div class="swiper-container">.*?</div></div>', "", blocks)
        shown = _dates(blocks) + [dt.date(as_of.year, int(m), int(d)) for m, d in short.findall(blocks)]
        shown = [d for d in shown if d <= as_of]
        assert shown, spec.unit_id
        is_stale = (as_of - max(shown)).days > 14
        assert is_stale == (spec.unit_id in stale), (spec.unit_id, max(shown))
        seen[is_stale] += 1
    assert seen[True] and seen[False], seen


def _formats(day: dt.date) -> set[str]:
    return {
        f"{day:%Y-%m-%d}",
        f"{day.year}年{day:%m}月{day:%d}日",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y.%m.%d}",
    }


def test_every_article_shows_its_publish_date_under_a_label(kp):
    """Under the title (发布时间 / 日　期 / [日期] / 发布日期) or, on 信息公开 articles, in the info
    block (发布日期 / 发布时间 / 公开日期) — whichever the site shows, the date is the truth's."""
    labels = Counter()
    for spec in _live(kp):
        site = kp.farm.site(spec)
        for path, (kind, item) in site.pages.items():
            if kind != "article" or item.kind == "message":
                continue
            page = _page(kp, spec, path)
            body = page[page.index('<div class="article">') : page.index('<div class="article-con"')]
            found = [
                label
                for label in ("发布时间：", "日　期：", "[日期]", "发布日期：", "公开日期：")
                if any(
                    label + shown in body
                    or f'{label}</font></label><div class="display-block">{shown}' in body
                    or f"<th>{label}</th><td>{shown}" in body
                    for shown in _formats(item.date) | {f"{item.date:%Y-%m-%d} {item.time}"}
                )
            ]
            assert found, (spec.unit_id, path)
            labels.update(found)
    assert len(labels) >= 4, labels


def test_a_kaipu_site_served_by_host_name_answers_its_query_pages_and_widgets(farm_factory):
    """Normal mode (DNS, Host header): the host resolves to loopback; a dynamic list
    (``list.html?columnId=`` / ``?channelId=``) answers page 2 by its query, a letter answers by
    ``letterId``, an unknown ``letterId`` is a 404; the 找错 widget's script is served by its host."""
    from tests.farm_client import fetch, resolver

    handle = farm_factory(sites=24, seed=1, families=KP)
    farm = handle.farm
    checked = Counter()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down or "AVAIL-DOWN" in spec.codes:
            continue
        origin = farm.origins.site(spec)
        if not checked["dns"]:
            assert resolver(handle).resolve(spec.host, "A")[0].to_text() == "127.0.0.1"
            checked["dns"] += 1
        for col in site.columns.values():
            if (
                "Id=" in col.path
                and col.pages > 1
                and origin + col.page_path(2, col.paging) not in handle.truth["transient"]
            ):
                status = 0
                for _ in range(3):  # a page may fail transiently (the truth lists those) and then answer
                    status, _, body = fetch(origin + col.page_path(2, col.paging))
                    if status == 200:
                        break
                assert status == 200, (spec.unit_id, col.path)
                second = col.items[col.page_size]
                assert second.path in _decode(body)[0]
                checked["query list"] += 1
        if "hdjl" in site.columns and site.columns["hdjl"].items:
            letter = site.columns["hdjl"].items[0]
            for _ in range(3):
                status, _, body = fetch(origin + letter.path)
                if status == 200:
                    break
            assert status == 200 and letter.title in _decode(body)[0]
            assert fetch(origin + "/hdjl/xjxx/detail.html?letterId=1")[0] == 404
            checked["letter"] += 1
        if site.footer["site_code"] and site.opts["jiucuo"] in ("zfwzgl", "kaipuyun"):
            host = {"zfwzgl": "zfwzgl.www.gov.cn", "kaipuyun": "pucha.kaipuyun.cn"}[site.opts["jiucuo"]]
            status, _, body = fetch(farm.origins.external(host) + "/exposure/jiucuo.js")
            assert status == 200 and b"document.write" in body
            checked["jiucuo"] += 1
    assert checked["query list"] and checked["letter"] and checked["jiucuo"], checked


def test_farm_serve_knows_the_family():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "zwgk", "farm", "serve", "--families", "kaipu,plone"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown farm family 'plone'" in done.stderr and "kaipu" in done.stderr


DIGEST = """
import hashlib, json
from zwgk.sitefarm import FarmConfig
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.render import Ctx
from zwgk.sitefarm import render_kaipu as r
from zwgk.sitefarm.truth import build_truth
farm = Farm(FarmConfig(sites=12, seed=9, families=("kaipu",)))
farm.origins.port = 1
h = hashlib.sha256(json.dumps(build_truth(farm), sort_keys=True).encode())
for spec in farm.specs:
    site = farm.site(spec)
    if not site.down:
        ctx = Ctx(site, farm.origins)
        h.update(r.render_home(ctx).encode())
        h.update(repr(sorted(site.opts.items(), key=str)).encode())
        for col in site.columns.values():
            h.update((r.render_hub(ctx, col) if col.kind == "hub" else r.render_column(ctx, col, 1)).encode())
print(h.hexdigest())
"""


def test_the_family_is_the_same_in_every_process():
    """No set or hash order leaks into the farm: two processes with different hash seeds build
    the same truth, looks and pages."""
    import os
    import subprocess
    import sys

    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", DIGEST], capture_output=True, text=True, check=True, env=env, timeout=300
        )
        digests.add(done.stdout.strip())
    assert len(digests) == 1, digests
