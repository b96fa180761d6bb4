"""Cost of the content scan (zwgk.crawlers.content_scan) per page, and how it grows with the lists.

Renders real farm pages (homepages, column lists, articles, 办事指南 and the planted pages) with
the farm's own renderer — no server, no network — then times, per page:

  * ``extract_page`` as the crawler calls it (one parse, every fact, the content scan included);
  * the content scan alone (``scan_page`` on an already parsed tree);
  * the content scan with the word lists grown by N synthetic terms (Aho-Corasick: the cost should
    stay flat as the lists grow; a regex alternation or a loop over terms would not).

    python bench/content_scan.py --sites 40 --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def farm_pages(sites: int) -> list[tuple[str, str, str]]:
    """(url, html, kind) of every page of ``sites`` farm sites the crawler would read."""
    from zwgk.sitefarm import FarmConfig, render
    from zwgk.sitefarm.farm import Farm

    farm = Farm(FarmConfig(sites=sites, seed=1))
    out = []
    for spec in farm.specs:
        site = farm.site(spec)
        if site.down:
            continue
        ctx = render.Ctx(site, farm.origins)
        base = farm.origins.site(spec)
        out.append((base + "/", render.render_home(ctx), "home"))
        for path, (kind, obj) in site.pages.items():
            if kind == "column":
                col, page = obj
                if col.kind != "hub":
                    out.append((base + path, render.render_column(ctx, col, page), "column"))
            elif not getattr(obj, "large", False):
                out.append((base + path, render.render_article(ctx, obj, site.columns.get(obj.col)), "article"))
    return out


def grow_lists(n: int) -> Path:
    """A $ZWGK_CONTENT_LISTS directory adding ``n`` synthetic terms to the illegal and wording lists."""
    import random
    import tempfile

    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x9FA5)]
    terms = {"".join(rng.choice(chars) for _ in range(rng.randint(3, 6))) for _ in range(n)}
    half = sorted(terms)
    path = Path(tempfile.mkdtemp(prefix="zwgk-lists-"))
    body = "[illegal]\nfraud = [" + ", ".join(f'"{t}"' for t in half[: n // 2]) + "]\n[wording.terms]\n"
    body += "".join(f'"{t}" = "{t}x"\n' for t in half[n // 2 :])
    (path / "lists.toml").write_text(body, encoding="utf-8")
    return path


def time_per_page(fn, pages, repeat: int) -> float:
    """Median over ``repeat`` runs of the mean seconds per page."""
    runs = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for args in pages:
            fn(*args)
        runs.append((time.perf_counter() - start) / len(pages))
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--grow", type=int, nargs="*", default=[1000, 10000, 50000])
    args = parser.parse_args(argv)

    from selectolax.lexbor import LexborHTMLParser

    from zwgk.crawlers import content_scan
    from zwgk.crawlers.extract import extract_page

    pages = farm_pages(args.sites)
    size = sum(len(h.encode("utf-8")) for _, h, _ in pages) / len(pages)
    trees = [(LexborHTMLParser(h), u, k) for u, h, k in pages]
    content_scan.load_lists.cache_clear()
    content_scan.load_lists()
    print(
        f"pages: {len(pages)} from {args.sites} farm sites, mean {size / 1024:.1f} KiB; "
        f"nproc {os.cpu_count()}, load {os.getloadavg()[0]:.2f} at start"
    )

    extract = time_per_page(lambda u, h, k: extract_page(u, h, k), pages, args.repeat)
    scan = time_per_page(lambda t, u, k: content_scan.scan_page(t, u, k), trees, args.repeat)
    print(f"extract_page (all facts, scan included): {extract * 1e3:.3f} ms/page")
    print(f"content scan alone:                      {scan * 1e3:.3f} ms/page ({scan / extract:.0%} of extraction)")
    for n in args.grow:
        os.environ[content_scan.ENV_DIR] = str(grow_lists(n))
        content_scan.load_lists.cache_clear()
        started = time.perf_counter()
        content_scan.load_lists()
        build = time.perf_counter() - started
        grown = time_per_page(lambda t, u, k: content_scan.scan_page(t, u, k), trees, args.repeat)
        print(
            f"content scan, lists + {n:>6} terms:       {grown * 1e3:.3f} ms/page (lists built once in {build:.2f} s)"
        )
    os.environ.pop(content_scan.ENV_DIR, None)
    print(f"load {os.getloadavg()[0]:.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
