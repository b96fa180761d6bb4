"""Template families of the site farm: the ``jiyue`` family serves, and its ground truth says
what its pages show (farm-level checks; no crawler, no rules)."""

from __future__ import annotations

import html as htmllib
import re
import urllib.error
import urllib.request
from collections import Counter

import pytest

from zwgk.model import ZwgkError
from zwgk.sitefarm import FarmConfig, running_farm
from zwgk.sitefarm.farm import Farm
from zwgk.sitefarm.jiyue import NAMES
from zwgk.sitefarm.names import COLUMNS
from zwgk.sitefarm.specs import ALL_CODES, pick_family
from zwgk.sitefarm.truth import build_truth

JIYUE = ("jiyue",)
STD_KEY = {std: key for key, (std, _, _) in COLUMNS.items() if std}
ENTRY_RE = re.compile(r"<a\b[^>]*>([^<]+)</a>|<li\b[^>]*onclick=[^>]*>([^<]+)</li>")


def _truth(**config) -> dict:
    farm = Farm(FarmConfig(**config))
    farm.origins.port = 8080
    return build_truth(farm)


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")


def _text(body: bytes, ctype: str, charset: str) -> str:
    return body.decode("gbk" if charset in ("gbk", "gb2312-meta") else "utf-8")


@pytest.fixture(scope="module")
def jiyue():
    """A 24-site farm of the jiyue family only (one loopback port per site)."""
    with running_farm(FarmConfig(sites=24, families=JIYUE, bench_mode=True, ipv6=False)) as handle:
        yield handle


def _page(handle, spec, path: str) -> str:
    site = handle.farm.site(spec)
    status, body, ctype = _get(handle.farm.origins.site(spec) + path)
    assert status == 200, (spec.unit_id, path, status)
    return htmllib.unescape(_text(body, ctype, site.charset))


def _live(handle):
    return [s for s in handle.farm.specs if not handle.farm.site(s).down]


def _entries(page: str) -> set[str]:
    return {(a or b).strip() for a, b in ENTRY_RE.findall(page)}


# ---------------------------------------------------------------- configuration and truth


def test_default_families_keep_the_farm_as_it_was():
    config = FarmConfig()
    assert config.families == ("trs", "hanweb")
    farm = Farm(config)
    for spec in farm.specs[:12]:
        assert farm.site(spec).template == pick_family(spec, config) in ("trs", "hanweb")
    truth = _truth(sites=12)
    assert {s["family"] for s in truth["sites"]} <= {"trs", "hanweb"}
    assert all(s["family"] == s["template"] for s in truth["sites"])


def test_unknown_or_repeated_families_are_refused():
    with pytest.raises(ZwgkError, match="unknown farm family 'plone'"):
        FarmConfig(families=("trs", "plone"))
    with pytest.raises(ZwgkError, match="distinct"):
        FarmConfig(families=("jiyue", "jiyue"))
    assert FarmConfig(families=["jiyue"]).families == ("jiyue",)  # a list from a caller is kept as a tuple


def test_a_jiyue_farm_plants_every_catalog_code():
    from zwgk.indicators import load_rubric

    truth = _truth(sites=24, families=JIYUE)
    assert {s["family"] for s in truth["sites"]} == {"jiyue"}
    assert set(load_rubric("national-2019").rules) == set(ALL_CODES)
    assert _expected("jiyue") <= {d["rule"] for d in truth["defects"]} <= set(ALL_CODES)


def test_every_family_of_a_mixed_farm_plants_every_code():
    truth = _truth(sites=90, families=("trs", "hanweb", "jiyue"))
    family = {s["unit_id"]: s["family"] for s in truth["sites"]}
    assert set(Counter(family.values())) == {"trs", "hanweb", "jiyue"}
    for name in ("trs", "hanweb", "jiyue"):
        rules = {d["rule"] for d in truth["defects"] if family[d["unit_id"]] == name}
        assert rules == _expected(name) or _expected(name) <= rules <= set(ALL_CODES), (name, _expected(name) - rules)


def test_families_are_drawn_per_site_from_the_seed():
    a = _truth(sites=40, seed=3, families=("trs", "jiyue"))
    b = _truth(sites=40, seed=3, families=("trs", "jiyue"))
    assert a == b
    assert {s["family"] for s in a["sites"]} == {"trs", "jiyue"}


def _names(doc, org: str) -> set[str]:
    """How a 解读 can name a document: its instrument in 《》 or its title without the issuer."""
    bare = doc.title.removeprefix(org)
    out = {bare, bare.replace("《", "〈").replace("》", "〉")}
    if "《" in doc.title:
        out.add(doc.title.split("《", 1)[1].split("》", 1)[0])
    return out


def test_every_interpretation_names_its_own_document_and_no_other():
    """Paired by title only, a 解读 must name exactly its document: documents the truth says have
    no 解读 (INTERP-MISSING or not) are named by none, and no 解读 names two documents."""
    farm = Farm(FarmConfig(sites=120, seed=2, families=JIYUE))
    farm.origins.port = 1
    truth = build_truth(farm)
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "INTERP-MISSING"}
    assert missing
    styles = Counter()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        items = [o for k, o in site.pages.values() if k == "article"]
        interps = [o for o in items if o.kind == "interp"]
        docs = [o for o in items if o.kind == "doc"]
        for interp in interps:
            named = [d for d in docs if any(n in interp.title for n in _names(d, spec.name))]
            assert [d.path for d in named] == interp.related, (
                spec.unit_id,
                interp.title,
                [d.title for d in named],
            )
        for doc in docs:
            if (spec.unit_id, farm.origins.resolve(spec, doc.path)) in missing:
                assert not doc.related, (spec.unit_id, doc.title)
            if doc.related:
                styles[site.opts["links"][doc.path]] += 1
    assert set(styles) == {"both", "back", "title"}, styles


def test_column_missing_truth_matches_the_sites_columns():
    farm = Farm(FarmConfig(sites=120, seed=4, families=JIYUE))
    farm.origins.port = 1
    truth = build_truth(farm)
    planted = [d for d in truth["defects"] if d["rule"] == "COLUMN-MISSING"]
    assert planted
    for d in planted:
        site = farm.site(farm.by_unit[d["unit_id"]])
        assert site.column_by_std(d["subject"]) is None
        names = set(NAMES[STD_KEY[d["subject"]]])
        assert not names & {c.name for c in site.columns.values()}, d


# ---------------------------------------------------------------- the served pages


def test_every_page_of_the_family_serves_and_decodes(jiyue):
    """Home, every list page, every article (``detail.jsp?id=`` included) answer 200 in the site's charset."""
    schemes = Counter()
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        paths = ["/", "/wzdt/"] + [p for p in site.pages]
        for path in paths:
            status, body, ctype = _get(jiyue.farm.origins.site(spec) + path)
            assert status == 200, (spec.unit_id, path, status)
            text = _text(body, ctype, site.charset)  # strict: raises on a byte outside the charset
            if site.charset == "gbk":
                assert "charset=GBK" in ctype
            assert "</html>" in text
            schemes[path.rsplit(".", 1)[-1].split("?")[0] if "." in path else "dir"] += 1
        if site.opts["footer"] == "script":
            status, body, ctype = _get(jiyue.farm.origins.site(spec) + "/common/js/footer.js")
            assert status == 200 and "javascript" in ctype
    assert {"shtml", "jhtml", "jsp"} <= set(schemes), schemes
    assert any("detail.jsp?id=" in p for s in _live(jiyue) for p in jiyue.farm.site(s).pages)


def test_some_sites_are_gbk_in_traditional_chinese(jiyue):
    both = [s for s in _live(jiyue) if jiyue.farm.site(s).charset == "gbk" and jiyue.farm.site(s).traditional]
    assert both
    for spec in both:
        page = _page(jiyue, spec, "/")
        assert "首頁" in page and "首页" not in page.split("<body", 1)[1]
        assert "charset=GBK" in page.split("<body", 1)[0]


def test_navigation_has_href_less_entries_and_placeholders(jiyue):
    for spec in _live(jiyue):
        page = _page(jiyue, spec, "/")
        onclick = re.findall(r"""onclick="(?:window\.open|location\.href=)\(?'(/[^']+)'""", page)
        assert onclick, spec.unit_id
        site = jiyue.farm.site(spec)
        assert set(onclick) <= {c.path for c in site.columns.values()}
        assert re.search(r'<a href="(#|javascript:;|javascript:void\(0\))">政(务|務)公(开|開)</a>', page)


def test_every_present_column_is_in_some_navigation_and_missing_ones_in_none(jiyue):
    truth = jiyue.truth
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "COLUMN-MISSING"}
    checked = 0
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        if site.traditional:
            continue  # names are compared in Simplified here
        pages = [_page(jiyue, spec, "/"), _page(jiyue, spec, "/wzdt/")]
        pages += [_page(jiyue, spec, c.path) for c in site.columns.values() if c.kind == "hub"]
        pages += [_page(jiyue, spec, c.path) for c in list(site.columns.values())[:3] if c.kind == "list"]
        entries = set().union(*(_entries(p) for p in pages))
        texts = {t.strip() for p in pages for t in re.findall(r">([^<>]+)<", p.split("<body", 1)[1])}
        for std, key in STD_KEY.items():
            col = site.column_by_std(std)
            if (spec.unit_id, std) in missing:  # no entry, heading or label reads as the column
                assert col is None and not texts & set(NAMES[key]), (
                    spec.unit_id,
                    std,
                    texts & set(NAMES[key]),
                )
                checked += 1
            else:
                assert col is not None and col.name in entries, (spec.unit_id, std)
    assert checked


def test_planted_broken_links_are_broken_and_linked(jiyue):
    truth = jiyue.truth
    for d in truth["defects"]:
        if d["rule"] not in ("LINK-HOME", "LINK-PAGE"):
            continue
        try:
            status, body, _ = _get(d["subject"])
        except urllib.error.URLError:
            continue  # a dead domain: nothing listens
        charset = jiyue.farm.site(jiyue.farm.by_unit[d["unit_id"]]).charset
        soft = status == 200 and bool(re.search("页面不存在|頁面不存在", _text(body, "", charset)))
        assert status in (404, 302) or soft, d  # 302: the redirect loop never ends
        if d["rule"] == "LINK-HOME":
            spec = jiyue.farm.by_unit[d["unit_id"]]
            home = _page(jiyue, spec, "/")
            assert d["subject"].replace(jiyue.farm.origins.site(spec), "") in home or d["subject"] in home


def test_footer_identity_is_shown_exactly_when_the_truth_says(jiyue):
    rules = {(d["unit_id"], d["rule"]) for d in jiyue.truth["defects"]}
    labels, forms = set(), set()
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        home = _page(jiyue, spec, "/")
        foot = home.split('<div class="footer">', 1)[1]
        if site.opts["footer"] == "script":
            foot = _page(jiyue, spec, "/common/js/footer.js") + foot
        visible = re.sub(r"<script\b.*?</script>", "", foot, flags=re.DOTALL)
        visible = re.sub(r"<[^>]+>", " ", visible)
        code_shown = spec.site_code in visible
        assert code_shown != ((spec.unit_id, "IDENT-SITECODE") in rules), spec.unit_id
        assert bool(re.search("主(办|辦)", visible)) != ((spec.unit_id, "IDENT-SPONSOR") in rules), spec.unit_id
        assert bool(re.search("ICP(备|備)", visible)) != ((spec.unit_id, "IDENT-ICP") in rules), spec.unit_id
        assert bool(re.search("公网安备|公網安備", visible)) != ((spec.unit_id, "IDENT-PSB") in rules), spec.unit_id
        assert ("conac.cn" in home) != ((spec.unit_id, "CONAC-BADGE") in rules), spec.unit_id
        assert ("<input" in home) != ((spec.unit_id, "SEARCH-MISSING") in rules), spec.unit_id
        labels.add(site.opts["code_label"])
        forms.add((site.opts["footer"], site.opts["conac"]))
    assert len(labels) >= 3 and {f for f, _ in forms} >= {"lines", "table"}


def test_interpretation_pages_link_as_their_style_says(jiyue):
    seen = set()
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        if site.traditional:
            continue
        for doc_path, style in site.opts["links"].items():
            doc = site.pages[doc_path][1]
            interp = site.pages[doc.related[0]][1]
            doc_page, interp_page = _page(jiyue, spec, doc_path), _page(jiyue, spec, interp.path)
            assert (f'href="{interp.path}"' in doc_page) == (style == "both"), (spec.unit_id, style)
            assert (f'href="{doc_path}"' in interp_page) == (style in ("both", "back")), (
                spec.unit_id,
                style,
            )
            seen.add(style)
    assert seen == {"both", "back", "title"}


def test_list_markups_and_date_styles_vary(jiyue):
    markups, dates = Counter(), Counter()
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        markups.update(site.opts["list"].values())
        dates[site.list_date_style] += 1
        for key, markup in site.opts["list"].items():
            col = site.columns[key]
            if markup == "datastore" and col.items:
                page = _page(jiyue, spec, col.path)
                assert "<datastore>" in page and page.count("<record>") == len(col.items)
            if markup == "json" and col.items:
                assert "var listData = " in _page(jiyue, spec, col.path)
    assert set(markups) == {"table", "li", "datastore", "json"}
    assert len(dates) >= 3


def test_messages_are_served_by_their_query(jiyue):
    for spec in _live(jiyue):
        site = jiyue.farm.site(spec)
        if "hdjl" not in site.columns:
            continue
        item = site.columns["hdjl"].items[0]
        page = _page(jiyue, spec, item.path)
        label = site.opts["msg_labels"][0]
        assert f"{label}：</th><td>{item.asked:%Y-%m-%d %H:%M:%S}" in page or site.traditional
        status, _, _ = _get(jiyue.farm.origins.site(spec) + "/hdjl/detail.jsp?id=1")
        assert status == 404
        return
    pytest.fail("no site with an interaction column")


def test_accuracy_reports_each_family_and_the_review_share():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "accuracy.py"
    spec = importlib.util.spec_from_file_location("bench_accuracy_families", path)
    accuracy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(accuracy)
    truth = {
        "sites": [{"unit_id": "a", "family": "trs"}, {"unit_id": "b", "family": "jiyue"}],
        "defects": [
            {"unit_id": "a", "rule": "IDENT-ICP", "subject": "h"},
            {"unit_id": "b", "rule": "IDENT-ICP", "subject": "h"},
        ],
    }
    findings = [
        {"unit_id": "a", "rule": "IDENT-ICP", "subject": "h", "confidence": ""},
        {"unit_id": "b", "rule": "IDENT-PSB", "subject": "h", "confidence": "review"},
    ]
    per = accuracy.compare_by_family(truth, findings)
    assert set(per) == {"trs", "jiyue"}
    trs_rows = {r["rule"]: r for r in per["trs"][0]}
    jiyue_rows = {r["rule"]: r for r in per["jiyue"][0]}
    assert trs_rows["IDENT-ICP"]["precision"] == 1.0 and trs_rows["IDENT-ICP"]["review_share"] == 0
    assert jiyue_rows["IDENT-ICP"]["recall"] == 0.0 and jiyue_rows["IDENT-PSB"]["review_share"] == 1.0
    text = accuracy.render(
        *accuracy.compare(truth, findings),
        {
            "sites": 2,
            "seed": 1,
            "as_of": "x",
            "seconds": 0,
            "not_measured": 0,
            "families": ["trs", "jiyue"],
            "sites_per_family": {"trs": 1, "jiyue": 1},
        },
        per,
    )
    assert "### family jiyue" in text and "### family trs" in text and "| review |" in text


def test_farm_serve_refuses_an_unknown_family_with_a_clear_error():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "zwgk", "farm", "serve", "--families", "trs,plone"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "unknown farm family 'plone'" in done.stderr and "jiyue" in done.stderr
    help_text = subprocess.run(
        [sys.executable, "-m", "zwgk", "farm", "serve", "--help"],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    ).stdout
    assert "--families" in help_text


def test_missing_columns_leave_no_text_that_reads_as_them():
    """Over a larger farm (rendered, not served): a planted missing column's names appear in no
    element text of the homepage, site map, hubs or list pages, and every present one has an entry."""
    from zwgk.sitefarm import render_jiyue
    from zwgk.sitefarm.render import Ctx

    farm = Farm(FarmConfig(sites=150, seed=6, families=JIYUE))
    farm.origins.port = 1
    truth = build_truth(farm)
    missing = {(d["unit_id"], d["subject"]) for d in truth["defects"] if d["rule"] == "COLUMN-MISSING"}
    seen = set()
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        ctx = Ctx(site, farm.origins)
        pages = [render_jiyue.render_home(ctx), render_jiyue.render_static(ctx, "wzdt")]
        pages += [
            render_jiyue.render_hub(ctx, c) if c.kind == "hub" else render_jiyue.render_column(ctx, c, 1)
            for c in site.columns.values()
        ]
        texts = {t.strip() for p in pages for t in re.findall(r">([^<>]+)<", p.split("<body", 1)[1])}
        entries = set().union(*(_entries(p) for p in pages))
        for std, key in STD_KEY.items():
            if (spec.unit_id, std) in missing:
                assert not texts & set(NAMES[key]), (spec.unit_id, std, texts & set(NAMES[key]))
                seen.add(std)
            else:
                assert site.column_by_std(std).name in entries, (spec.unit_id, std)
    assert len(seen) >= 6, seen


def test_a_jiyue_site_served_by_host_name_with_its_transient_message_page(farm_factory):
    """Normal mode (DNS, Host header, IPv6): a page addressed by its query fails as the truth's
    ``transient`` list says, then answers; the homepage answers over ::1 too."""
    import http.client

    from tests.farm_client import fetch, raw_get, resolver

    handle = farm_factory(sites=24, seed=1, families=JIYUE)
    flaky = [u for u in handle.truth["transient"] if "detail.jsp?id=" in u]
    assert flaky
    url = flaky[0]
    host = url.split("//", 1)[1].split(":", 1)[0]
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
    spec = handle.farm.by_host[host]
    if handle.farm.site(spec).ipv6_mode == "ok":
        assert fetch(handle.url(spec.unit_id), v6=True)[0] == 200


def test_resource_hints_and_deep_attachments_are_as_the_truth_says():
    """A dns-prefetch hint to a host that never resolves is no link (nothing planted there); a
    missing attachment sits in an ordinary article below a list's first five items."""
    from zwgk.sitefarm import render_jiyue
    from zwgk.sitefarm.render import Ctx

    farm = Farm(FarmConfig(sites=60, seed=1, families=JIYUE))
    farm.origins.port = 8080
    truth = build_truth(farm)
    subjects = {d["subject"] for d in truth["defects"]}
    hints = deep = 0
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        home = render_jiyue.render_home(Ctx(site, farm.origins))
        for target in re.findall(r'<link rel="dns-prefetch" href="([^"]+)"', home):
            hints += 1
            assert target not in subjects and target.split("/")[2] not in farm.by_host
        for col in site.columns.values():
            for n, item in enumerate(col.items):
                for path, _ in item.attachments:
                    if path not in site.attachments:
                        assert n >= 5 and farm.origins.resolve(spec, path) in subjects
                        deep += 1
    assert hints and deep


def _expected(family: str) -> set[str]:
    """Every code, except that the 办事服务 / content plants (zwgk.sitefarm.content) are rendered only
    by the trs / hanweb templates: other families carry the codes of the plan (and the SVC codes
    their own service entries imply)."""
    from zwgk.sitefarm.content import FAMILIES_WITH_PLANTS
    from zwgk.sitefarm.specs import PLAN_CODES

    return set(ALL_CODES) if family in FAMILIES_WITH_PLANTS else set(PLAN_CODES)
