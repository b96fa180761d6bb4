"""``zwgk inspect``: one page as zwgk reads it."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from zwgk.model import ZwgkError

console = Console()
KINDS = ("home", "column", "article")


def _kind_of(url: str) -> str:
    path = urlsplit(url).path
    return (
        "home"
        if path in ("", "/") or (path.rsplit("/", 1)[-1].startswith("index.") and path.count("/") <= 1)
        else "article"
    )


_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->")


def _read_file(path: Path) -> tuple[str, str | None]:
    """The file's text (charset detected as for a crawl) and the address a browser saved it from."""
    from zwgk.crawlers.decode import decode_body

    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ZwgkError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    text, _charset = decode_body(body, None)
    saved = _SAVED_FROM.search(text[:2000])
    return text, saved.group(1) if saved else None


def _fetch(url: str, allow_private: bool, resolver: str | None) -> tuple[str, str]:
    from zwgk.crawlers.fetcher import Fetcher
    from zwgk.crawlers.settings import CrawlSettings

    settings = CrawlSettings(allow_private=allow_private, resolver=resolver)

    async def go():
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    result = asyncio.run(go())
    if result.outcome != "ok" or result.text is None:
        detail = result.error or (f"HTTP {result.status}" if result.status else result.outcome)
        raise ZwgkError(f"{url}: not an HTML page that opened ({result.outcome}: {detail})")
    return result.final_url, result.text


def register(app: typer.Typer) -> None:
    @app.command("inspect")
    def inspect_cmd(
        target: str = typer.Argument(..., help="A page URL (fetched now) or a saved HTML file."),
        url: str | None = typer.Option(
            None, "--url", help="For a file: the address it was saved from (resolves its links)."
        ),
        kind: str | None = typer.Option(
            None, "--kind", help="home | column | article (default: home for a site root, else article)."
        ),
        fmt: str = typer.Option(
            "text", "--format", help="text | json (the JSON keys are documented in docs/architecture.md)."
        ),
        rubric: str = typer.Option(
            "national-2019", "--rubric", help="Rubric whose column names and key terms recognise navigation."
        ),
        allow_private: bool = typer.Option(
            False, "--allow-private", help="Allow fetching loopback/private addresses (test sites)."
        ),
        resolver: str | None = typer.Option(None, "--resolver", help="DNS server HOST:PORT for the fetch."),
    ) -> None:
        """What zwgk reads from one page, and how: title; publication date and where it came
        from; 文号; footer identity (标识码, ICP, 公安备案, 主办, 党政机关 badge, 找错); meta tags;
        every navigation entry with the standard column it was recognised as and how (exact /
        suffix / terms / fuzzy); list items and pagination; related and 解读 links; search box;
        soft-404.  Use it to see why a finding was (or was not) raised.

        Examples: `zwgk inspect http://www.example.gov.cn/`;
        `zwgk inspect saved.html --url http://www.example.gov.cn/zwgk/t20240512_1.html --format json`.
        """
        from zwgk.indicators.catalog import load_rubric
        from zwgk.inspect.page import inspect_html

        if fmt not in ("text", "json"):
            raise ZwgkError(f"--format {fmt!r}: use text or json")
        if kind is not None and kind not in KINDS:
            raise ZwgkError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
        path = Path(target)
        if "://" not in target and path.exists():
            html, saved_from = _read_file(path)
            page_url = url or saved_from
            if not page_url:
                raise ZwgkError(
                    f"{target}: say which address the page was saved from with --url "
                    "(its links and URL-dated facts depend on it)"
                )
        elif "://" in target:
            page_url, html = _fetch(target, allow_private, resolver)
        else:
            raise ZwgkError(f"{target}: neither an existing file nor a URL (http://…)")
        report = inspect_html(page_url, html, kind or _kind_of(page_url), load_rubric(rubric).column_vocabulary())
        if fmt == "json":
            typer.echo(json.dumps(report, ensure_ascii=False, indent=1))
            return
        _print(report)


def _print(report: dict) -> None:
    """Human-readable view; every value is page content, printed as plain text (never markup)."""
    pub = report["pub_date"]
    lines = [
        ("页面 URL", report["url"]),
        ("类型 kind", report["kind"]),
        ("标题 title", report["title"]),
        ("发布日期 date", f"{pub['date'] or '—'}  (来源 {pub['source'] or '—'}; {pub['confidence'] or '—'})"),
        ("文号 doc number", report["doc_number"] or "—"),
        ("搜索框 search", "有" if report["search"] else "无"),
        ("软404", "是" if report["soft404"] else "否"),
    ]
    for key, value in report["footer"].items():
        lines.append((f"页脚 {key}", str(value)))
    lines.append(("meta", ", ".join(report["meta"])))
    table = Table(title="页面要素", show_header=False)
    for k, v in lines:
        table.add_row(Text(k), Text(str(v)))
    console.print(table)
    nav = Table(title=f"导航入口 navigation ({len(report['navigation'])})")
    for col in ("文字", "位置", "标准栏目", "识别方式", "地址"):
        nav.add_column(col)
    for e in report["navigation"]:
        nav.add_row(*(Text(str(x or "—")) for x in (e["text"], e["where"], e["column"], e["match"], e["url"])))
    console.print(nav)
    lst = report["list"]
    console.print(
        Text(
            f"列表条目 {len(lst['items'])} 条，翻页 {len(lst['pagination'])} 个，"
            f"{'是' if lst['is_list'] else '不是'}列表页"
        )
    )
    for r in report["related"]:
        console.print(Text(f"相关链接: {r['text']} → {r['url']}"))
