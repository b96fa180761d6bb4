"""The ``xiangzhen`` template family (small-vendor CMS sites, held out from the rules): it serves
every page in its declared charset, every reference on its pages resolves exactly unless the truth
plants it as broken, and the ground truth says what the pages show (farm-level checks; no crawler,
no rules)."""

from __future__ import annotations

import html as htmllib
import re
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest

from zwgk.sitefarm import FarmConfig, running_farm
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.names import COLUMNS
from zwgk.sitefarm.specs import ALL_CODES
from zwgk.sitefarm.truth import build_truth
from zwgk.sitefarm.xiangzhen import NAMES

XZ = ("xiangzhen",)
STD_KEY = {std: key for key, (std, _, _) in COLUMNS.items() if std}
DECODE = {"gb2312": "gbk", "gb18030-meta": "gb18030", "utf-8": "utf-8"}
REF_RE = re.compile(r"""(?:href|src|background|action)\s*=\s*["']([^"']*)["']|url\(([^)]+)\)""", re.IGNORECASE)
ANCHOR_RE = re.compile(r"<a\b[^>]*>(?:<font[^>]*>)?(?:<b>)?([^<]+)(?:</b>)?(?:</font>)?</a>")


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


@pytest.fixture(scope="module")
def xz():
    """A 24-site farm of the xiangzhen family only (one loopback port per site)."""
    with running_farm(FarmConfig(sites=24, families=XZ, bench_mode=True, ipv6=False)) as handle:
        yield handle


def _live(handle):
    return [s for s in handle.farm.specs if not handle.farm.site(s).down]


def _page(handle, spec, path: str) -> str:
    site = handle.farm.site(spec)
    status, body, _ = _get(handle.farm.origins.site(spec) + path)
    assert status == 200, (spec.unit_id, path, status)
    return htmllib.unescape(body.decode(DECODE[site.charset]))


def _rendered_farm(sites: int, seed: int):
    farm = Farm(FarmConfig(sites=sites, seed=seed, families=XZ))
    farm.origins.port = 1
    return farm, build_truth(farm)


# ---------------------------------------------------------------- configuration and truth


def test_a_xiangzhen_farm_plants_every_catalog_code():
    _, truth = _rendered_farm(24, 1)
    assert {s["family"] for s in truth["sites"]} == {"xiangzhen"}
    assert _expected("xiangzhen") <= {d["rule"] for d in truth["defects"]} <= set(ALL_CODES)


def test_every_family_of_a_four_family_farm_plants_every_code():
    farm = Farm(FarmConfig(sites=120, families=("trs", "hanweb", "jiyue", "xiangzhen")))
    farm.origins.port = 1
    truth = build_truth(farm)
    family = {s["unit_id"]: s["family"] for s in truth["sites"]}
    assert set(family.values()) == {"trs", "hanweb", "jiyue", "xiangzhen"}
    for name in ("trs", "hanweb", "jiyue", "xiangzhen"):
        rules = {d["rule"] for d in truth["defects"] if family[d["unit_id"]] == name}
        assert rules == _expected(name) or _expected(name) <= rules <= set(ALL_CODES), (name, _expected(name) - rules)


def _names(doc, org: str) -> set[str]:
    bare = doc.title.removeprefix(org)
    out = {bare, bare.replace("《", "〈").replace("》", "〉")}
    if "《" in doc.title:
        out.add(doc.title.split("《", 1)[1].split("》", 1)[0])
    return out


def test_every_interpretation_names_its_own_document_and_no_other():
    farm, truth = _rendered_farm(120, 2)
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
            named = [d for d in docs if any(n in interp.title for n in _names(d, spec.name))]
            assert [d.path for d in named] == interp.related, (spec.unit_id, interp.title)
            forms.update(w for w in ("起草说明", "图解", "政策解读", "解读") if w in interp.title)
        for doc in docs:
            if (spec.unit_id, farm.origins.resolve(spec, doc.path)) in missing:
                assert not doc.related, (spec.unit_id, doc.title)
            if doc.related:
                styles[site.opts["links"][doc.path]] += 1
    assert set(styles) == {"both", "forward", "back", "title"}, styles
    assert set(forms) == {"起草说明", "图解", "政策解读", "解读"}, forms


def test_missing_columns_leave_no_text_that_reads_as_them():
    """Rendered over a larger farm: a planted missing column's names are the text of no element of
    the homepage, site map, hubs or list pages; every present column has a link with its name."""
    from zwgk.sitefarm import render_xiangzhen as r
    from zwgk.sitefarm.render import Ctx

    farm, truth = _rendered_farm(150, 6)
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "COLUMN-MISSING"}
    seen, lookalikes = set(), set()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        ctx = Ctx(site, farm.origins)
        pages = [r.render_home(ctx), r.render_static(ctx, "wzdt")]
        pages += [
            r.render_hub(ctx, c) if c.kind == "hub" else r.render_column(ctx, c, 1) for c in site.columns.values()
        ]
        texts = {t.strip() for p in pages for t in re.findall(r">([^<>]+)<", p.split("<body", 1)[1])}
        anchors = {a.strip() for p in pages for a in ANCHOR_RE.findall(p)}
        for std, key in STD_KEY.items():
            if (spec.unit_id, std) in missing:
                assert not texts & set(NAMES[key]), (spec.unit_id, std, texts & set(NAMES[key]))
                seen.add(std)
            else:
                assert site.column_by_std(std).name in anchors, (spec.unit_id, std)
        lookalikes.update(site.opts["lookalikes"])
    assert len(seen) >= 6, seen
    assert lookalikes == {"ysqgk", "zbgg"}, lookalikes


# ---------------------------------------------------------------- the served pages


def test_every_page_serves_and_decodes_in_its_declared_charset(xz):
    schemes, charsets = Counter(), Counter()
    gbk_only = False
    for spec in _live(xz):
        site = xz.farm.site(spec)
        charsets[site.charset] += 1
        for path in ["/", "/wzdt/", *site.pages]:
            status, body, ctype = _get(xz.farm.origins.site(spec) + path)
            assert status == 200, (spec.unit_id, path, status)
            text = body.decode(DECODE[site.charset])  # strict: a byte outside the charset raises
            if site.charset == "gb2312" and not gbk_only:
                try:
                    body.decode("gb2312")
                except UnicodeDecodeError:
                    gbk_only = True
            declared = re.search(r'charset=([\w-]+)">', text).group(1)
            assert declared == {"gb2312": "gb2312", "gb18030-meta": "gb18030", "utf-8": "utf-8"}[site.charset]
            if site.charset == "gb18030-meta":
                assert "charset" not in ctype  # declared only in the page
            else:
                assert f"charset={declared}" in ctype
            assert "</html>" in text
            for pattern in (
                r"^/list\.php\?catid=\d+(&page=\d+)?$",
                r"^/show\.php\?catid=\d+&id=\d+$",
                r"^/html/\d{4}/\d{4}/\d+\.html$",
                r"^/html/[a-z]+/(index|\d+)\.html$",
                r"^/gbook/show\.php\?id=\d+$",
            ):
                if re.match(pattern, path):
                    schemes[pattern] += 1
    assert len(schemes) == 5, schemes
    assert gbk_only, "a gb2312-labelled page carries GBK-only characters, as real ones do"
    assert set(charsets) == {"gb2312", "gb18030-meta", "utf-8"}, charsets


def _refs(page: str) -> list[str]:
    out = []
    for a, b in REF_RE.findall(page):
        ref = htmllib.unescape((a or b).strip().strip("'\""))
        if not ref or ref.startswith(("#", "javascript:", "mailto:")):
            continue
        out.append(ref.split("#", 1)[0])
    return out


def test_every_reference_resolves_unless_the_truth_plants_it(xz):
    """Links and resources (hrefs, img/script/iframe src, ``background=``, CSS ``url()``, form
    actions), relative or not, on every page of every live site: each answers 200 (after its
    301) unless the truth lists it as a broken link — then it is broken for a human too."""
    truth = xz.truth
    planted = {d["subject"] for d in truth["defects"] if d["rule"] in ("LINK-HOME", "LINK-PAGE")}
    traps = set(truth["traps"])
    relative = 0
    for spec in _live(xz):
        site = xz.farm.site(spec)
        origin = xz.farm.origins.site(spec)
        checked: dict[str, int] = {}
        pages = ["/", *site.pages]
        if site.opts["footer"] == "iframe":
            pages.append("/inc/foot.html")
        for path in pages:
            page_url = origin + path
            for ref in _refs(_page(xz, spec, path)):
                target = urljoin(page_url, ref)
                if not ref.startswith(("/", "http")):
                    relative += 1
                if target in checked or not target.startswith(origin) or target in traps:
                    continue
                status, _, _ = _get(target)  # urllib follows the 301 of /wzdt.htm
                checked[target] = status
                if target in planted:
                    assert status != 200 or "zt/zt" in target, (spec.unit_id, path, target)
                else:
                    assert status == 200, (spec.unit_id, path, ref, target, status)
        assert {s for s in planted if s.startswith(origin)} <= set(checked) | traps, spec.unit_id
    assert relative > 0


def _visible(page: str) -> str:
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", text)


def test_footer_identity_is_shown_exactly_when_the_truth_says(xz):
    rules = {(d["unit_id"], d["rule"]) for d in xz.truth["defects"]}
    forms = Counter()
    for spec in _live(xz):
        site = xz.farm.site(spec)
        home = _page(xz, spec, "/")
        foot = home[home.rfind("网站地图</a>") :]  # the footer starts with its links
        if site.opts["footer"] == "iframe":
            assert 'src="inc/foot.html"' in home or 'src="/inc/foot.html"' in home
            foot = _page(xz, spec, "/inc/foot.html")
        visible = _visible(foot)
        assert (spec.site_code in visible) != ((spec.unit_id, "IDENT-SITECODE") in rules), spec.unit_id
        assert bool(re.search("主办", visible)) != ((spec.unit_id, "IDENT-SPONSOR") in rules), spec.unit_id
        assert bool(re.search("ICP备", visible)) != ((spec.unit_id, "IDENT-ICP") in rules), spec.unit_id
        assert bool(re.search("公网安备|公安备案号", visible)) != ((spec.unit_id, "IDENT-PSB") in rules)
        assert ("conac.cn" in foot) != ((spec.unit_id, "CONAC-BADGE") in rules), spec.unit_id
        assert ("<input" in home) != ((spec.unit_id, "SEARCH-MISSING") in rules), spec.unit_id
        if (spec.unit_id, "IDENT-SPONSOR") in rules:  # nothing else names the unit as its owner
            assert "版权所有" not in visible and "承办" not in visible and "协办" not in visible
        forms[site.opts["footer"]] += 1
    assert set(forms) == {"table", "div", "iframe"}, forms


def test_interpretation_pages_link_as_their_style_says(xz):
    seen = set()
    for spec in _live(xz):
        site = xz.farm.site(spec)
        for doc_path, style in site.opts["links"].items():
            doc = site.pages[doc_path][1]
            interp = site.pages[doc.related[0]][1]
            doc_page, interp_page = _page(xz, spec, doc_path), _page(xz, spec, interp.path)
            origin = xz.farm.origins.site(spec)
            doc_targets = {urljoin(origin + doc_path, r) for r in _refs(doc_page)}
            interp_targets = {urljoin(origin + interp.path, r) for r in _refs(interp_page)}
            assert (origin + interp.path in doc_targets) == (style in ("both", "forward")), (
                spec.unit_id,
                style,
            )
            assert (origin + doc_path in interp_targets) == (style in ("both", "back")), (
                spec.unit_id,
                style,
            )
            seen.add(style)
    assert seen >= {"both", "back", "title"}, seen


def test_list_markups_and_dates_are_as_the_site_says(xz):
    markups, dates = Counter(), Counter()
    for spec in _live(xz):
        site = xz.farm.site(spec)
        markups.update(site.opts["list"].values())
        dates[site.list_date_style] += 1
        for key, markup in site.opts["list"].items():
            col = site.columns[key]
            if not col.items:
                assert "暂无信息" in _page(xz, spec, col.path)
                continue
            page = _page(xz, spec, col.path)
            first = col.items[0]
            assert first.title in page, (spec.unit_id, key)
            if markup == "docwrite":
                assert page.count('document.write("<li>') == min(len(col.items), col.page_size)
            if markup == "gktable":
                assert first.doc_number in page
            if markup == "li_bracket":
                assert re.search(r"</a>&nbsp;\[|</a>\xa0\[", page)
    assert {"table", "li_bracket", "li_paren", "gktable", "gbook"} <= set(markups), markups
    assert len(dates) >= 3, dates


def test_messages_show_when_they_were_asked_and_answered(xz):
    for spec in _live(xz):
        site = xz.farm.site(spec)
        if "hdjl" not in site.columns:
            continue
        for item in site.columns["hdjl"].items[:3]:
            page = _page(xz, spec, item.path)
            asked_label, answered_label = site.opts["msg_labels"]
            assert f"{asked_label}：</td><td>{item.asked:%Y-%m-%d %H:%M:%S}" in page
            if item.answered:
                assert f"{answered_label}：</td><td>{item.answered:%Y-%m-%d %H:%M:%S}" in page
            else:
                assert "未回复" in page
        status, _, _ = _get(xz.farm.origins.site(spec) + "/gbook/show.php?id=1")
        assert status == 404
        return
    pytest.fail("no site with an interaction column")


def test_farm_serve_knows_the_family():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "zwgk", "farm", "serve", "--families", "xiangzhen,plone"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown farm family 'plone'" in done.stderr and "xiangzhen" in done.stderr


def test_a_xiangzhen_site_served_by_host_name_fails_a_query_page_transiently(farm_factory):
    """Normal mode (DNS, Host header): a page addressed by its query string (``list.php?catid=`` /
    ``show.php?catid=…&id=``) fails as the truth's ``transient`` list says, then answers."""
    import http.client

    from tests.farm_client import fetch, raw_get, resolver

    handle = farm_factory(sites=24, seed=1, families=XZ)
    flaky = [u for u in handle.truth["transient"] if ".php?catid=" in u]
    assert flaky
    url = flaky[0]
    host = urlsplit(url).hostname
    assert resolver(handle).resolve(host, "A")[0].to_text() == "127.0.0.1"
    try:
        first = raw_get(url)
    except (OSError, http.client.HTTPException):  # a planted connection reset
        first = -1
    assert first != 200, "a transient page must fail first"
    status = 0
    for _ in range(4):
        status, _, _ = fetch(url)
        if status == 200:
            break
    assert status == 200


SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAGS = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE_TAGS = ("ArticleTitle", "PubDate", "ContentSource")


def _article_dates(item) -> set[str]:
    d = item.date
    return {
        f"{d.year}-{d.month}-{d.day} {item.time}:00",
        f"{d:%Y/%m/%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}年{d:%m}月{d:%d}日",
    }


def test_every_page_has_its_type_s_meta_tags_but_the_planted_one_and_shows_its_date(xz):
    """IDENT-META exactly as planted: homepage, list and hub pages, articles carry the guideline's
    tags of their type, save the one tag the truth says is missing; every article shows its date."""
    truth_meta = {(d["unit_id"], d["subject"]) for d in xz.truth["defects"] if d["rule"] == "IDENT-META"}
    for spec in _live(xz):
        site = xz.farm.site(spec)
        assert {(spec.unit_id, t) for t in site.meta_missing} == {(u, t) for u, t in truth_meta if u == spec.unit_id}
        pages = [("/", "home", None)]
        pages += [(p, "column" if k == "column" else "article", o) for p, (k, o) in site.pages.items()]
        for path, page_type, obj in pages:
            page = _page(xz, spec, path)
            head = page.split("<body", 1)[0]
            tags = set(re.findall(r'<meta name="(\w+)" content=', head))
            wanted = set(SITE_TAGS)
            if page_type != "home":
                wanted |= set(COLUMN_TAGS)
            if page_type == "article":
                wanted |= set(ARTICLE_TAGS)
            wanted.discard(site.meta_missing.get(page_type, ""))
            assert tags >= wanted, (spec.unit_id, path, wanted - tags)
            if site.meta_missing.get(page_type):
                assert site.meta_missing[page_type] not in tags, (spec.unit_id, path)
            if page_type == "article" and obj.kind != "message":
                assert any(shown in page for shown in _article_dates(obj)), (spec.unit_id, path)


def _expected(family: str) -> set[str]:
    """Every code, except that the 办事服务 / content plants (zwgk.sitefarm.content) are rendered only
    by the trs / hanweb templates: other families carry the codes of the plan (and the SVC codes
    their own service entries imply)."""
    from zwgk.sitefarm.content import FAMILIES_WITH_PLANTS
    from zwgk.sitefarm.specs import PLAN_CODES

    return set(ALL_CODES) if family in FAMILIES_WITH_PLANTS else set(PLAN_CODES)
