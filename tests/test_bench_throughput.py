"""The throughput bench's optimisations change speed only, and its helpers read what the tools print.

``resolve_link`` memoises results under a prefix of the base URL; these tests
compare it with the plain computation (``urljoin`` + ``normalise_url``) over
generated and hand-picked tricky inputs, with a cold and a warm cache, so a
too-coarse cache scope (one base's answer served for another) would fail.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk.crawlers import urls
from zwgk.crawlers.dates import _converter, normalise
from zwgk.text import fold_width

ROOT = Path(__file__).resolve().parents[1]

BASES = [
    "http://127.0.0.1:8080/",
    "http://127.0.0.1:8080/a/b/c.html",
    "http://127.0.0.1:8080/a/b/c.html?page=2",
    "http://127.0.0.1:8080/a/b/",
    "http://127.0.0.1:9090/a/b/c.html",
    "https://WWW.Example.gov.cn/x;p/y.html;jsessionid=1?q=1#frag",
    "https://www.example.gov.cn:443/zwgk/index_1.html",
    "http://user@host.gov.cn/a/",
    "http://[::1]:8080/a/b.html",
    "http://host.gov.cn?x=1",
    "http://host.gov.cn",
    "HTTP://Host.gov.cn/A/",
]
HREFS = [
    "d.html",
    "./d.html",
    "../d.html",
    "../../../../d.html",
    ".",
    "..",
    "d/",
    "d?x=1",
    "d#f",
    "d;p",
    "/",
    "/d.html",
    "/a/../d.html",
    "/d?x",
    "//other.gov.cn/d",
    "//other.gov.cn",
    "//",
    "//?x",
    "//#f",
    "///d",
    "http://other.gov.cn/d",
    "HTTP://Other.GOV.cn:80/D",
    "https://other.gov.cn",
    "http://",
    "http:///d",
    "http:d",
    "https:?x",
    "http://?x",
    "?x=1",
    "?",
    ";p",
    "#top",
    "mailto:a@b.cn",
    "javascript:void(0)",
    "ftp://f/x",
    "tel:123",
    "data:x",
    "\\d\\e.html",
    " d.html ",
    "d e.html",
    "d\t.html",
    "\x01?x",
    "\x01/d",
    "http://\t/d",
    "%2e%2e/d",
    "d:e",
    "中文.html",
    "/中文/",
    "http://例子.中国/d",
    "HTTPS://x.cn/",
    "http://x.cn:bad/",
    "http://[::1/",
]


def _plain(base: str, href: str | None) -> str | None:
    """resolve_link without the cache: the reference behaviour."""
    if not href:
        return None
    href = href.strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    return urls._resolve(base, href)


def test_resolve_link_equals_uncached_on_tricky_pairs_cold_and_warm():
    urls._RESOLVED.clear()
    for _round in ("cold", "warm"):
        for base in BASES:
            for href in HREFS:
                assert urls.resolve_link(base, href) == _plain(base, href), (base, href)
    assert urls._RESOLVED, "the common forms must be cached"


def test_resolve_link_cache_never_serves_one_base_for_another():
    urls._RESOLVED.clear()
    assert urls.resolve_link("http://127.0.0.1:1/a/b.html", "c.html") == "http://127.0.0.1:1/a/c.html"
    assert urls.resolve_link("http://127.0.0.1:1/x/b.html", "c.html") == "http://127.0.0.1:1/x/c.html"
    assert urls.resolve_link("http://127.0.0.1:2/a/b.html", "/c.html") == "http://127.0.0.1:2/c.html"
    assert urls.resolve_link("http://127.0.0.1:1/a/b.html", "/c.html") == "http://127.0.0.1:1/c.html"
    assert urls.resolve_link("http://127.0.0.1:1/a/b.html?p=1", "?p=2") == "http://127.0.0.1:1/a/b.html?p=2"
    assert urls.resolve_link("http://127.0.0.1:1/z/y.html?p=1", "?p=2") == "http://127.0.0.1:1/z/y.html?p=2"
    assert urls.resolve_link("https://h.cn/a/", "//o.cn/d") == "https://o.cn/d"
    assert urls.resolve_link("http://h.cn/a/", "//o.cn/d") == "http://o.cn/d"


def test_resolve_link_cache_stays_bounded():
    urls._RESOLVED.clear()
    for i in range(urls._RESOLVED_MAX + 10):
        urls.resolve_link("http://h.cn/a/", f"/p{i}.html")
    assert 0 < len(urls._RESOLVED) <= urls._RESOLVED_MAX
    assert urls.resolve_link("http://h.cn/a/", "/p1.html") == "http://h.cn/p1.html"


_piece = st.sampled_from(
    ["a", "b", "..", ".", "", "x.html", "?q=1", "#f", ";p", ":", "%2F", "//", "/", "\\", " ", "中"]
)


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from(BASES),
    parts=st.lists(_piece, max_size=5),
    lead=st.sampled_from(["", "/", "//", "http://", "https://h.cn", "?", "./"]),
)
def test_resolve_link_equals_uncached_generated(base, parts, lead):
    href = lead + "".join(parts)
    first = urls.resolve_link(base, href)
    assert first == _plain(base, href)
    assert urls.resolve_link(base, href) == first


def test_normalise_fast_paths_agree_with_opencc():
    samples = [
        "",
        "abc 123 <>",
        "发布日期：2024-01-02",
        "發佈日期：2024年1月2日",
        "政務公開",
        "ASCII only!",
        "贛ICP備12345678號",
        "a" * 300 + "機構",
        "机构",
        "x\u00e9y",
    ]
    for text in samples:
        expected = _converter().convert(fold_width(text)) if text else text  # the one normalisation
        assert normalise(text) == expected
        assert normalise(text) == expected  # cached answer identical


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_throughput", ROOT / "bench" / "throughput.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_throughput"] = module
    spec.loader.exec_module(module)
    return module


def test_linkchecker_csv_counts_distinct_http_urls_only():
    bench = _load_bench()
    out = (
        "# created by LinkChecker\n"
        "urlname;parentname;base;result;warningstring;infostring;valid;url;line;column;name;dltime;size;checktime;cached;level;modified\n"
        "http://127.0.0.1:1/;;;200 OK;;;True;http://127.0.0.1:1/;;;;0;1;0;0;0;\n"
        "javascript:void(0);http://127.0.0.1:1/;;ignored;;;True;javascript:void(0);1;1;x;-1;-1;0;0;1;\n"
        "/a.html;http://127.0.0.1:1/;;200 OK;;;True;http://127.0.0.1:1/a.html;2;1;A;0;1;0;0;1;\n"
        "/a.html#x;http://127.0.0.1:1/;;200 OK;;;True;http://127.0.0.1:1/a.html#x;3;1;A;0;1;0;1;1;\n"
        "/gone;http://127.0.0.1:1/;;404 Not Found;;;False;http://127.0.0.1:1/gone;4;1;G;0;1;0;0;1;\n"
    )
    assert bench.linkchecker_pages(out) == (3, 5)


def test_py_spy_summary_shares(tmp_path):
    bench = _load_bench()
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "main (x.py:1);extract_page (zwgk/crawlers/extract.py:10) 3\n"
        "main (x.py:1);write_links (zwgk/storage/snapshot.py:5);execute (sqlalchemy/engine/base.py:9) 1\n",
        encoding="utf-8",
    )
    text = bench.summarise_py_spy(raw, 5)
    assert "4 samples" in text
    assert " 75.0 %  extract_page (zwgk/crawlers/extract.py)" in text
    assert " 25.0 %  write_links (zwgk/storage/snapshot.py)" in text


def test_help_explains_options():
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "throughput.py"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in ("--tools", "--sites", "--per-host", "--rss-sites", "--profile", "--lc-rate", "--depth"):
        assert option in out
