"""The ``lingnan`` template family (广东 集约化 / Struts ``.action`` platforms, written blind and held
out from the rules): chosen by name only, generated deterministically, served over real HTTP on
loopback, every page decodes in the charset it declares (UTF-8, GBK, GB18030), and the pages carry
exactly the defects the ground truth plants (farm-level checks read off the served pages; no
crawler, no rules)."""

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

from zwgk.model import ZwgkError
from zwgk.sitefarm import FarmConfig, running_farm
from zwgk.sitefarm.config import DEFAULT_FAMILIES, FAMILIES, HELD_OUT_FAMILIES
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.lingnan import NAMES
from zwgk.sitefarm.names import COLUMNS, FRESHNESS_DAYS
from zwgk.sitefarm.render import Ctx
from zwgk.sitefarm.specs import ALL_CODES, PLAN_CODES
from zwgk.sitefarm.truth import build_truth
from zwgk.sitefarm.workdays import workdays_between

LN = ("lingnan",)
STD_KEY = {std: key for key, (std, _, _) in COLUMNS.items() if std}
DECLARED_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)
REF_RE = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
JSON_RE = re.compile(r"var pageData = (\{.*?\});\n", re.DOTALL)
U_ESCAPE = re.compile(r"%u([0-9A-F]{4})")  # JavaScript escape() spelling of the directory's titles
ANCHOR_RE = re.compile(r"<a\b[^>]*>([^<]+)</a>")
DATE_RES = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), (1, 2, 3)),
)
# The substance plants every family renders (JICENG-* only where a 标准目录 exists: trs / hanweb).
SUBSTANCE_HERE = {"PUBLISH-LATE", "KEYPOINTS-LATE", "INTERP-LEADER", "MEDIA-STALE", "MEDIA-GONE", "MEDIA-REPLY"}


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def _decode(body: bytes) -> tuple[str, str]:
    """The page as text, decoded strictly in the charset its own head declares, and that charset."""
    m = DECLARED_RE.search(body[:800].decode("ascii", errors="replace"))
    declared = (m.group(1) if m else "utf-8").lower()
    return body.decode(declared), declared


@pytest.fixture(scope="module")
def ln():
    """A 24-site farm of the lingnan family only (one loopback port per site), each live site's
    pages fetched once: ``ln.pages[(unit_id, path)] = (status, text, declared, content-type)``."""
    with running_farm(FarmConfig(sites=24, families=LN, bench_mode=True, ipv6=False)) as handle:
        handle.pages = {}
        for spec in _live(handle):
            site = handle.farm.site(spec)
            for path in ["/", "/wzdt/", "/lxwm/", "/search/", *site.pages]:
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


def _farm(sites: int, seed: int, families=LN):
    farm = Farm(FarmConfig(sites=sites, seed=seed, families=families))
    farm.origins.port = 1
    return farm, build_truth(farm)


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
    start = page.index('<div class="list-tit">')
    return page[start : page.find('<div class="yqlj', start)]


def _json_titles(page: str) -> list[dict]:
    out = []
    for raw in JSON_RE.findall(page):
        for a in json.loads(raw)["articles"]:
            out.append({**a, "title": U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), a["title"])})
    return out


# ---------------------------------------------------------------- selection, generation and truth


def test_the_family_is_chosen_by_name_only():
    assert "lingnan" in HELD_OUT_FAMILIES and "lingnan" not in FAMILIES and "lingnan" not in DEFAULT_FAMILIES
    assert FarmConfig().families == DEFAULT_FAMILIES
    assert FarmConfig(families=("trs", "lingnan")).families == ("trs", "lingnan")
    with pytest.raises(ZwgkError, match=r"known: .*lingnan"):
        FarmConfig(families=("lingnan", "plone"))


def test_a_lingnan_farm_plants_every_code_of_the_plan():
    _, truth = _farm(24, 1)
    assert {s["family"] for s in truth["sites"]} == {"lingnan"}
    rules = {d["rule"] for d in truth["defects"]}
    assert set(PLAN_CODES) <= rules <= set(ALL_CODES), set(PLAN_CODES) - rules
    assert rules >= SUBSTANCE_HERE, SUBSTANCE_HERE - rules
    clean = [s for s in truth["sites"] if not any(d["unit_id"] == s["unit_id"] for d in truth["defects"])]
    _, bigger = _farm(96, 3)
    planted = {d["unit_id"] for d in bigger["defects"] if not d["rule"].startswith(("SVC-", "MEDIA-"))}
    assert clean or len(planted) < len(bigger["sites"])  # some sites carry no page defect at all


def test_lingnan_mixes_with_the_other_families():
    families = ("trs", "hanweb", "kaipu", "lingnan")
    _, truth = _farm(80, 1, families)
    family = {s["unit_id"]: s["family"] for s in truth["sites"]}
    assert set(family.values()) == set(families)
    rules = {d["rule"] for d in truth["defects"] if family[d["unit_id"]] == "lingnan"}
    assert set(PLAN_CODES) <= rules, set(PLAN_CODES) - rules


def test_the_family_is_deterministic_from_the_seed():
    from zwgk.sitefarm import render_lingnan as r

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
    from zwgk.sitefarm import render_lingnan as r

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

PATTERNS = (
    r"^(/[a-z]+)?/zwgk/[a-z]+/content/post_\d{7}\.html$",
    r"^(/[a-z]+)?/gkmlpt/content/\d/\d{4}/post_\d{7}\.html$",
    r"^(/[a-z]+)?/(zwgk|xxgk)/[a-z]+/index(_\d+)?\.html$",
    r"^(/[a-z]+)?/hdjlpt/letter/pubdetail/\d{7}$",
    r"^/News_show(Gkml)?News\.action\?messagekey=\d+$",
    r"^/(News|Gkml)_showList\.action\?(colid|catid)=\d+(&(page|pageIndex|cur_page)=\d+)?$",
    r"^/Letter_showLetter\.action\?letterid=\d+$",
)


def test_every_page_serves_and_decodes_in_the_charset_it_declares(ln):
    paths, charsets, platforms = Counter(), Counter(), Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        charsets[site.charset] += 1
        platforms[site.opts["platform"]] += 1
        for path in ["/", "/wzdt/", *site.pages]:
            status, text, declared, ctype = ln.pages[(spec.unit_id, path)]
            assert status == 200, (spec.unit_id, path, status)
            assert text.rstrip().endswith("</html>"), (spec.unit_id, path)
            assert declared == site.charset and f"charset={declared}" in ctype.lower(), (spec.unit_id, path, ctype)
            for pattern in PATTERNS:
                if re.match(pattern, path):
                    paths[pattern] += 1
    assert len(paths) == len(PATTERNS), set(PATTERNS) - set(paths)
    assert set(charsets) == {"utf-8", "gbk", "gb18030"} and set(platforms) == {"post", "action"}, (charsets, platforms)


def test_gbk_pages_are_really_gbk(ln):
    """A GBK page is not UTF-8 bytes with a GBK label: its Chinese does not decode as UTF-8."""
    checked = 0
    for spec in _live(ln):
        site = ln.farm.site(spec)
        if site.charset not in ("gbk", "gb18030"):
            continue
        _, body, _ = _get(ln.farm.origins.site(spec) + "/")
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert spec.name in body.decode(site.charset)
        checked += 1
    assert checked


def _refs(page: str) -> list[str]:
    out = []
    for ref in REF_RE.findall(page):
        ref = ref.strip()
        if ref and not ref.startswith(("#", "javascript:", "mailto:", "'")):
            out.append(ref.split("#", 1)[0])
    out.extend(a["url"] for a in _json_titles(page))  # lists written from inline JSON
    return out


def test_every_reference_resolves_unless_the_truth_plants_it(ln):
    planted = {d["subject"] for d in ln.truth["defects"] if d["rule"] in ("LINK-HOME", "LINK-PAGE")}
    traps = set(ln.truth["traps"])
    statuses = Counter()
    for spec in _live(ln):
        origin = ln.farm.origins.site(spec)
        checked: dict[str, int] = {}
        for (unit, path), (status, text, _, _) in ln.pages.items():
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


def test_a_stale_column_shows_only_old_dates_and_a_fresh_one_a_recent_date(ln):
    as_of = ln.farm.config.as_of
    stale = {(d["unit_id"], d["subject"]) for d in ln.truth["defects"] if d["rule"] == "FRESH-COLUMN"}
    seen = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        for col in site.columns.values():
            if col.kind == "hub" or not col.fresh or not col.items:
                continue
            page = _page(ln, spec, col.path)
            region = _list_region(page)
            shown = _dates(region) + [dt.date.fromisoformat(a["created_at"][:10]) for a in _json_titles(region)]
            shown = [d for d in shown if d <= as_of]
            assert shown, (spec.unit_id, col.key)
            age = (as_of - max(shown)).days
            if (spec.unit_id, ln.farm.origins.resolve(spec, col.path)) in stale:
                assert age > FRESHNESS_DAYS[col.fresh], (spec.unit_id, col.key, age)
                seen["stale"] += 1
            else:
                assert age <= FRESHNESS_DAYS[col.fresh], (spec.unit_id, col.key, age)
                seen["fresh"] += 1
    assert seen["stale"] and seen["fresh"], seen


def test_footer_identity_is_shown_exactly_when_the_truth_says(ln):
    from zwgk.sitefarm import render_lingnan as r

    rules = {(d["unit_id"], d["rule"]) for d in ln.truth["defects"]}
    forms = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        home = _page(ln, spec, "/")
        foot = home[home.index('<div class="yqlj') :]
        has = {rule: (spec.unit_id, rule) not in rules for rule in PLAN_CODES}
        assert (spec.site_code in foot) == has["IDENT-SITECODE"], spec.unit_id
        assert ("标识码" in foot) == bool(site.footer["site_code"]), spec.unit_id
        assert ("ICP备" in foot) == has["IDENT-ICP"], spec.unit_id
        assert bool(re.search(r"公网安备|公安备：|公备：", foot)) == has["IDENT-PSB"], spec.unit_id
        assert ("主办" in foot) == has["IDENT-SPONSOR"], spec.unit_id
        assert ("conac.cn" in foot) == has["CONAC-BADGE"], spec.unit_id
        searchable = 'action="/search/"' in home or "window.open('/search/" in home
        assert searchable == has["SEARCH-MISSING"], spec.unit_id
        assert "/search/" in home or not has["SEARCH-MISSING"]
        assert has["SEARCH-MISSING"] or "搜索" not in home, spec.unit_id  # no box, and no link to one
        if site.opts["footer"] == "script":  # the written lines are in the page's script
            assert "document.writeln" in foot
        text = r.footer_text(Ctx(site, ln.farm.origins))
        assert (spec.site_code in text) == has["IDENT-SITECODE"], spec.unit_id
        forms.update({site.opts["footer"], site.opts["search"], site.opts["conac"], site.opts["jiucuo"]})
        forms[f"psb{site.opts['psb_form']}"] += 1
    assert {"lines", "table", "script", "get", "post", "button", "link"} <= set(forms), forms
    assert sum(1 for f in forms if f.startswith("psb")) >= 4, forms


def test_list_markups_show_their_items(ln):
    markups = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        for key, markup in site.opts["list"].items():
            col = site.columns[key]
            page = _page(ln, spec, col.path)
            markups[markup] += 1
            if not col.items:
                assert "暂无相关信息" in page
                continue
            first = col.items[0]
            if markup == "json":
                data = _json_titles(page)
                assert data[0]["title"] == first.title and data[0]["url"] == first.path
                assert (first.title in _list_region(page)) != site.opts["json_escape"]
            else:
                assert first.title in page, (spec.unit_id, key)
            if markup == "gktable":
                assert not first.doc_number or first.doc_number in page
            if markup == "ewb" and col.pages > 1 and key not in ("zcwj", "hdjl"):  # 新点's script pager
                assert "ShowAjaxNewPage" in page and 'href="index_2.html"' not in page, (spec.unit_id, key)
                markups["ewb pager"] += 1
    assert {"json", "gktable", "common", "ewb", "letters", "ewb pager"} <= set(markups), markups


def test_late_replies_are_late_on_the_letter_pages(ln):
    late = {d["subject"] for d in ln.truth["defects"] if d["rule"] == "REPLY-LATE"}
    checked = 0
    for spec in _live(ln):
        site = ln.farm.site(spec)
        if "hdjl" not in site.columns:
            continue
        asked_label, answered_label = site.opts["msg_labels"]
        for item in site.columns["hdjl"].items:
            page = _page(ln, spec, item.path)
            asked = dt.datetime.strptime(
                re.search(asked_label + r"</th><td>([\d\- :]+)<", page).group(1), "%Y-%m-%d %H:%M"
            )
            found = re.search(answered_label + r"</th><td>([\d\- :]+)<", page)
            until = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").date() if found else ln.farm.config.as_of
            is_late = workdays_between(asked.date(), until) > 5
            assert is_late == (ln.farm.origins.resolve(spec, item.path) in late), (spec.unit_id, item.path)
            checked += is_late
    assert checked, "no late reply planted"


def test_every_page_has_its_meta_tags_but_the_planted_one(ln):
    for spec in _live(ln):
        site = ln.farm.site(spec)
        for path, (kind, _) in list(site.pages.items())[:40]:
            page_type = "article" if kind == "article" else "column"
            tags = set(re.findall(r'<meta name="(\w+)"', _page(ln, spec, path)))
            if page_type in site.meta_missing:
                assert site.meta_missing[page_type] not in tags, (spec.unit_id, path)
            assert "SiteName" in tags or site.meta_missing.get(page_type) == "SiteName"
        home = set(re.findall(r'<meta name="(\w+)"', _page(ln, spec, "/")))
        assert ("home" in site.meta_missing) == (not {"SiteName", "SiteDomain", "SiteIDCode"} <= home)


def test_the_homepage_is_stale_exactly_when_the_truth_says(ln):
    """The dates the homepage blocks show (``09-05`` meaning this year, or full dates): the newest
    is over two weeks old exactly on FRESH-HOME."""
    as_of = ln.farm.config.as_of
    stale = {d["unit_id"] for d in ln.truth["defects"] if d["rule"] == "FRESH-HOME"}
    seen = Counter()
    short = re.compile(r'<span class="date">(\d{2})-(\d{2})</span>')
    for spec in _live(ln):
        home = _page(ln, spec, "/")
        start = home.index('<div class="main')
        ends = [
            home.find(m, start)
            for m in ('<div class="xxgk-entry', '<div class="ztzl', '<div class="links', '<div class="yqlj')
        ]
        blocks = home[start : min(i for i in ends if i > 0)]
        shown = _dates(blocks) + [dt.date(as_of.year, int(m), int(d)) for m, d in short.findall(blocks)]
        shown = [d for d in shown if d <= as_of]
        assert shown, spec.unit_id
        is_stale = (as_of - max(shown)).days > 14
        assert is_stale == (spec.unit_id in stale), (spec.unit_id, max(shown))
        seen[is_stale] += 1
    assert seen[True] and seen[False], seen


def _formats(day: dt.date) -> set[str]:
    return {f"{day:%Y-%m-%d}", f"{day.year}年{day:%m}月{day:%d}日"}


def test_every_article_shows_its_publish_date_under_a_label_and_documents_their_written_date(ln):
    """Under the title (发布日期 / 发布时间 / 【发布时间】) or, on directory documents, in their head
    (发布日期 / 上载日期, spaced or not); documents also show their written date (成文日期 / 发文日期
    / 产生日期), so a late publication (PUBLISH-LATE) is visible as the two labelled dates."""
    late = {d["subject"] for d in ln.truth["defects"] if d["rule"] == "PUBLISH-LATE"}
    labels, written_labels, seen_late = Counter(), Counter(), 0
    for spec in _live(ln):
        site = ln.farm.site(spec)
        for path, (kind, item) in site.pages.items():
            if kind != "article" or item.kind == "message":
                continue
            page = _page(ln, spec, path)
            body = page[page.index('<div class="article">') : page.index('<div class="content"')]
            flat = re.sub(r"<[^>]+>|[ 　：]", "", body)
            found = [
                label
                for label in ("发布日期", "发布时间", "【发布时间", "上载日期")
                if any(label + shown in flat for shown in _formats(item.date))
            ]
            assert found, (spec.unit_id, path)
            labels.update(found)
            if item.kind == "doc":
                written = item.written or item.date
                wl = [w for w in ("成文日期", "发文日期", "产生日期") if any(w + f in flat for f in _formats(written))]
                assert wl, (spec.unit_id, path)
                written_labels.update(wl)
                if ln.farm.origins.resolve(spec, path) in late:
                    assert (item.date - written).days >= 60
                    seen_late += 1
    assert {"上载日期", "发布日期"} <= set(labels) and len(written_labels) >= 2, (labels, written_labels)
    assert seen_late, "no PUBLISH-LATE plant on a served page"


def test_a_lingnan_site_served_by_host_name_answers_its_action_pages(farm_factory):
    """Normal mode (DNS, Host header): the host resolves to loopback; a Struts list answers page 2
    by its query, an article by its ``messagekey``, an unknown ``messagekey`` is a 404."""
    from tests.farm_client import fetch, resolver

    handle = farm_factory(sites=24, seed=1, families=LN)
    farm = handle.farm
    checked = Counter()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down or site.opts["platform"] != "action":
            continue
        origin = farm.origins.site(spec)
        if not checked["dns"]:
            assert resolver(handle).resolve(spec.host, "A")[0].to_text() == "127.0.0.1"
            checked["dns"] += 1
        for col in site.columns.values():
            second = col.page_path(2, col.paging)
            if col.kind == "hub" or col.pages < 2 or origin + second in handle.truth["transient"]:
                continue
            status = 0
            for _ in range(3):  # a page may fail transiently (the truth lists those) and then answer
                status, _, body = fetch(origin + second)
                if status == 200:
                    break
            assert status == 200, (spec.unit_id, second)
            assert (
                col.items[col.page_size].title in _decode(body)[0] or col.items[col.page_size].path in _decode(body)[0]
            )
            checked["query list"] += 1
        assert fetch(origin + "/News_showNews.action?messagekey=1")[0] == 404
        checked["404"] += 1
    assert checked["query list"] and checked["404"], checked


def test_farm_serve_names_the_held_out_family():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "zwgk", "farm", "serve", "--families", "lingnan,plone"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown farm family 'plone'" in done.stderr and "lingnan" in done.stderr


def test_the_keypoints_and_leaders_interpretations_are_as_the_truth_says(ln):
    """KEYPOINTS-LATE: this year's 政务公开工作要点 is missing from the 制度 column, or listed with a
    date past the deadline; INTERP-LEADER: no listed 解读 of the year carries the head's name."""
    from zwgk.sitefarm.substance import keypoints_deadline

    as_of = ln.farm.config.as_of
    rules = {(d["unit_id"], d["rule"]) for d in ln.truth["defects"]}
    seen = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        col = site.columns.get("gkzd")
        if col is not None and col.items:
            title = f"{spec.name}关于印发{as_of.year}年政务公开工作要点的通知"
            first = _page(ln, spec, col.path)
            on_page = title in first or any(a["title"] == title for a in _json_titles(first))
            listed = [it for it in col.items if it.title == title]
            assert on_page == bool(listed), spec.unit_id  # the 制度 column is short: page 1 lists it all
            late = (spec.unit_id, "KEYPOINTS-LATE") in rules
            assert late == (not listed or listed[0].date > keypoints_deadline(as_of.year)), spec.unit_id
            seen["keypoints", late] += 1
        if "zcjd" in site.columns:
            heads = ("主要负责同志", "县长", "市长", "省长", "局长", "主任")
            zcjd = site.columns["zcjd"]
            text = "".join(_page(ln, spec, zcjd.page_path(n, zcjd.paging)) for n in range(1, zcjd.pages + 1))
            text += "".join(a["title"] for a in _json_titles(text))
            by_head = any(h in t and "解读" in t for t in re.findall(r'title="([^"]+)"', text) for h in heads)
            missing = (spec.unit_id, "INTERP-LEADER") in rules
            if missing:
                assert not by_head, spec.unit_id
            seen["leader", missing] += 1
    assert seen["keypoints", True] and seen["keypoints", False] and seen["leader", True], seen


def test_inner_links_plants_link_the_ipv4_only_host_from_the_homepage():
    """IPV6-INNER-LINKS: the homepage's 专题 block links five articles on the site's second,
    IPv4-only host (``farm.alias_host``); other sites link only their own host."""
    from zwgk.sitefarm import render_lingnan as r
    from zwgk.sitefarm.farm import alias_host

    farm, truth = _farm(48, 4)
    inner = {d["unit_id"] for d in truth["defects"] if d["rule"] == "IPV6-INNER-LINKS"}
    assert inner
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        home = r.render_home(Ctx(site, farm.origins))
        links = re.findall(rf'href="http://{re.escape(alias_host(spec.host))}:1(/[^"]*)"', home)
        assert (len(links) == 5) == (spec.unit_id in inner), (spec.unit_id, links)
        assert all(path in site.pages for path in links)


DIGEST = """
import hashlib, json
from zwgk.sitefarm import FarmConfig
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.render import Ctx
from zwgk.sitefarm import render_lingnan as r
from zwgk.sitefarm.truth import build_truth
farm = Farm(FarmConfig(sites=12, seed=9, families=("lingnan",)))
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
    """No set or hash order leaks into the family: two processes with different hash seeds build
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


def test_last_years_report_is_missing_or_late_exactly_when_the_truth_says(ln):
    as_of = ln.farm.config.as_of
    late = {d["unit_id"] for d in ln.truth["defects"] if d["rule"] == "REPORT-LATE"}
    seen = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        col = site.columns.get("gknb")
        report = next((it for it in (col.items if col else []) if it.year == as_of.year - 1), None)
        if report is not None:
            page = _page(ln, spec, report.path)
            flat = re.sub(r"<[^>]+>|[ 　：]", "", page)
            assert report.title in page and any(f in flat for f in _formats(report.date)), spec.unit_id
            first = _page(ln, spec, col.path)
            assert report.title in first or any(a["title"] == report.title for a in _json_titles(first))
        is_late = report is None or report.date > site.report_deadline
        assert is_late == (spec.unit_id in late), spec.unit_id
        seen[is_late] += 1
    assert seen[True] and seen[False], seen


def test_late_interpretations_are_late_on_the_pages(ln):
    """INTERP-LATE: the document's 发布日期 (its head) and its 解读's date (under the title) are
    more than three working days apart exactly on the planted documents."""
    late = {d["subject"] for d in ln.truth["defects"] if d["rule"] == "INTERP-LATE"}
    checked = Counter()
    for spec in _live(ln):
        site = ln.farm.site(spec)
        for path, (kind, doc) in site.pages.items():
            if kind != "article" or doc.kind != "doc" or not doc.related:
                continue
            page = re.sub(r"<[^>]+>|[ 　：]", "", _page(ln, spec, path))
            assert any(f"{label}{f}" in page for label in ("发布日期", "上载日期") for f in _formats(doc.date))
            gaps = []
            for ipath in doc.related:
                interp = site.pages[ipath][1]
                ipage = _page(ln, spec, ipath)
                head = ipage[ipage.index('<div class="info">') : ipage.index('<div class="content"')]
                assert any(f in head for f in _formats(interp.date)), (spec.unit_id, ipath)
                gaps.append(workdays_between(doc.date, interp.date))
            is_late = min(gaps) > 3
            assert is_late == (ln.farm.origins.resolve(spec, path) in late), (spec.unit_id, path)
            checked[is_late] += 1
    assert checked[True] and checked[False], checked
