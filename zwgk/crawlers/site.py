"""The spider of one site: an inspector's path through a government website.

homepage → navigation entries that are columns, and the 政府信息公开 hub whose
sub-columns are columns too → each column's list page and its pagination →
articles of the columns the rules read closely (and a few of every other) →
related 解读 / 原文 links → finally every link seen on a crawled page that was
not crawled itself is checked (GET, classified).

The crawl goes in waves (home, hubs, columns, pagination, articles, related,
link check).  Inside a wave requests run concurrently, but what is scheduled
and in which order depends only on what the pages said, so a crawl is
repeatable: a resumed site gives the same snapshot as an uninterrupted one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from zwgk.columns import INTERPRETATION_WORDS, ColumnMatch, ColumnVocabulary, is_hub_name
from zwgk.crawlers.annual_report import DOCUMENT_EXTENSIONS, html_rows, looks_like_report, parse_rows, read_document
from zwgk.crawlers.extract import Extracted, extract_page, is_soft404
from zwgk.crawlers.fetcher import Fetcher, FetchResult
from zwgk.crawlers.footer import CONAC_MARKERS, JIUCUO_MARKERS, footer_facts, has_marker, psb_links, script_text
from zwgk.crawlers.ipv6 import add_inner_links, empty_probe, probe_ipv6
from zwgk.crawlers.pipeline import SiteWriter
from zwgk.crawlers.settings import CrawlSettings
from zwgk.crawlers.urls import extension, is_attachment, normalise_url, path_key, path_pattern, same_site
from zwgk.model import Link, Page, PageKind, Unit
from zwgk.storage import snapshot
from zwgk.text import normalise

ProgressFn = Callable[[dict[str, Any]], None]
_PAGE_NUMBER = re.compile(r"(?:_|[?&](?:page|pageno|pageindex|curpage|p|pn|pagenum)=)(\d+)", re.I)


def homepage_url(site_url: str) -> str:
    url = site_url.strip()
    if "://" not in url:
        url = "http://" + url
    return normalise_url(url)


@dataclass(slots=True)
class Seen:
    """A crawled page as the spider needs it: facts and outgoing links."""

    page: Page
    links: list[Link]
    html: str | None = None  # the homepage's text, kept only for the IPv6 comparison


class PageJob(NamedTuple):
    """One page of a wave: where, as what, how deep, and the facts its page starts with
    (its column, listed date …, and how it was found: ``list_probe``, ``page_of``, ``related_from``)."""

    url: str
    kind: str
    depth: int
    extra: Mapping[str, Any] | None = None


@dataclass(slots=True)
class Column:
    name: str  # standard name ("" for a list page whose name is not recognised)
    text: str  # anchor text it was found under
    url: str
    depth: int
    pages: list[Seen] = field(default_factory=list)
    match: ColumnMatch | None = None  # how the name was recognised (evidence)

    def facts(self) -> dict[str, Any]:
        """What every page of this column records about it."""
        out: dict[str, Any] = {"column": self.name, "column_text": self.text}
        if self.match is not None:
            out["column_match"] = self.match.evidence()
        return out


# A page reached from navigation under a name no rubric column has is read as a list
# when it shows at least this many dated items (or pagination): coverage must not
# depend on recognising names.
MIN_LIST_ITEMS = 3
# Columns are found on the homepage, then on the pages of those columns, and so on: the
# 政府信息公开 hub is often reached only from a column's side menu, its sub-columns one wave later.
MAX_COLUMN_WAVES = 3
_INTERP_WORDS = INTERPRETATION_WORDS
_RANK = {"exact": 3, "suffix": 2, "terms": 1, "fuzzy": 0}
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A query that names one item by number (messagekey=718613, id=12, articleId=9): once the site's
# own lists named articles of that script so, a further number is another article — a link to it
# is checked like any page, not refused as a calendar trap's next query.
_ITEM_QUERY = re.compile(r"[A-Za-z_]\w{0,30}=\d{1,20}")


def looks_like_list(facts: dict[str, Any]) -> bool:
    items = facts.get("items") or []
    return sum(1 for i in items if i.get("date")) >= MIN_LIST_ITEMS


_ARTICLE_URL = re.compile(
    r"[?&](?:id|docid|articleid|infoid|aid|contentid|newsid|letterid|itemid|messagekey)="  # Struts …action?messagekey=
    r"|/\d{6,}[^/]*$|/[0-9a-f]{16,}[^/]*$|/t\d{8}_|/art_"
    r"|/(?:content|detail|show|article|news|info|post)[_-]?\d{4,}\.\w+$",  # …/content_432254.html, 广东 …/post_9157920.html
    re.I,
)


_LIST_URL = re.compile(r"/(?:(?:index|list|default)(?:_\d+)?\.\w+)?(?:\?(?!.*\b(?:id|docid|aid)=)[^#]*)?$", re.I)


_BIG_PAGE_CHARS = 256_000  # pages above this are extracted off the event loop


def _may_be_list(url: str) -> bool:
    """A URL an article would have (?id=, t20240512_1.html, 32 hex digits) is not tried as a list."""
    return not _ARTICLE_URL.search(url)


def _entries(seen: Seen) -> list[tuple[str, str]]:
    """(text, url) of every entry a page offers: each anchor's own text, navigation included."""
    out = [(link.anchor, link.target) for link in seen.links if link.tag in ("a", "area") and link.anchor]
    out += [(e.get("text") or "", e.get("url") or "") for e in (seen.page.facts or {}).get("nav") or []]
    return list(dict.fromkeys(out))


@dataclass(slots=True)
class SiteResult:
    state: str
    reason: str
    probes: dict[str, Any]
    stats: dict[str, Any]


class SiteCrawler:
    def __init__(
        self,
        fetcher: Fetcher,
        writer: SiteWriter,
        unit: Unit,
        settings: CrawlSettings,
        matcher: ColumnVocabulary,
        previous: dict[str, tuple[int, Page]] | None = None,
        progress: ProgressFn | None = None,
    ):
        self.fetcher = fetcher
        self.writer = writer
        self.unit = unit
        self.s = settings
        self.matcher = matcher
        self.previous = previous or {}
        self.emit = progress or (lambda event: None)
        self.home = homepage_url(unit.site_url)
        self.crawled: dict[str, int] = {}  # url → depth, for every URL fetched as a page
        self.link_targets: dict[str, int] = {}  # target → depth of the first source
        self.budget = settings.max_pages_per_site
        self.patterns: Counter[str] = Counter()
        self.query_variants: dict[str, set[str]] = {}
        self.item_scripts: set[str] = set()  # path keys of scripts serving listed articles by number
        self.traps: list[str] = []
        self.robots: Any = None
        self.stats: Counter[str] = Counter()
        self.outcomes: dict[str, str] = {}  # url → outcome of every page recorded
        self.unknown: dict[str, tuple[str, int]] = {}  # unrecognised entries: url → (text, depth)
        # The IPv6 inner-link indicators: 二级 links (same-site links on the homepage) and the
        # same-site links on those 二级 pages the crawl read (三级), gathered as pages are recorded.
        self.level2: set[str] = set()
        self.level3: dict[str, None] = {}

    # ---------------------------------------------------------------- policy
    def _allowed(self, url: str, listed: bool = False) -> str:
        """ "" if ``url`` may be fetched, else why not (robots / trap).

        ``listed``: the URL is named by the site's structure (a column entry, its pagination,
        an entry of a column list such as ``detail.jsp?id=…``): distinct queries of one script
        are then distinct pages, not a calendar trap, so only the per-pattern cap applies.
        """
        if self.robots is not None and same_site(url, self.home):
            try:
                if not self.robots.can_fetch(url, self.s.user_agent):
                    return "robots.txt disallows"
            except Exception:  # noqa: BLE001 — a malformed robots.txt never stops the crawl
                pass
        pattern = path_pattern(url)
        query = urlsplit(url).query
        if query and not listed and not (path_key(url) in self.item_scripts and _ITEM_QUERY.fullmatch(query)):
            variants = self.query_variants.setdefault(path_key(url), set())
            if query not in variants and len(variants) >= self.s.max_query_variants:
                return "trap: too many query variants"
        if self.patterns[pattern] >= self.s.max_urls_per_pattern:
            return "trap: too many URLs of one pattern"
        return ""

    def _claim(self, url: str, listed: bool = False) -> bool:
        """Account for fetching ``url`` (trap counters); False when refused."""
        reason = self._allowed(url, listed)
        if reason:
            self.stats["skipped_" + reason.split(":")[0].replace(" ", "_").replace(".", "")] += 1
            if reason.startswith("trap") and len(self.traps) < 50:
                self.traps.append(url)
            return False
        self.patterns[path_pattern(url)] += 1
        query = urlsplit(url).query
        if query:
            self.query_variants.setdefault(path_key(url), set()).add(query)
        return True

    # ----------------------------------------------------------------- fetch
    async def _page(self, url: str, kind: str, depth: int, extra: Mapping[str, Any] | None = None) -> Seen | None:
        """Fetch and extract one page of the crawl; None when caps or policy refuse it."""
        if url in self.crawled or depth > self.s.max_depth or self.budget <= 0:
            return None
        # Pages the site's own structure names (columns, their pages, listed articles) are not a
        # calendar trap even when one script serves them all (list.php?catid=3 … catid=32).
        if not self._claim(url, listed=bool(extra and not extra.get("list_probe"))):
            return None
        self.budget -= 1
        self.crawled[url] = depth
        if extra and kind == PageKind.ARTICLE.value and _ITEM_QUERY.fullmatch(urlsplit(url).query):
            self.item_scripts.add(path_key(url))  # News_showNews.action?messagekey=… named by a list
        seen, result = await self._fetch_seen(url, kind, depth)
        if extra:
            seen.page.facts.update(extra)
            if extra.get("list_probe") and seen.page.outcome == "ok" and not looks_like_list(seen.page.facts):
                seen.page.kind = PageKind.OTHER.value  # a content page under an unknown name, not a list
        if seen.page.kind == PageKind.ARTICLE.value and seen.page.outcome == "ok" and result.text is not None:
            await self._annual_report(seen, result.text)
        await self._record(seen)
        return seen

    async def _annual_report(self, seen: Seen, html: str) -> None:
        """A 政府信息公开工作年度报告: read its sections and tables into ``facts["annual_report"]``.

        From the page itself; when one of the three statistical tables is not on the page, from its
        PDF / DOCX attachments (fetched whole, up to ``max_document_bytes``, recorded as pages of
        their own) — the reading with more tables wins; attachments that could not be read are
        listed in ``attachments_unread`` so rules do not accuse a report of lacking what they hold.
        """
        page = seen.page
        year = looks_like_report(page.title, str((page.facts or {}).get("column") or ""))
        if year is None:
            return
        rows, images = html_rows(html)
        report = parse_rows(rows, source="html", url="", images=images)
        if len(report["tables"]) < 3:  # a table missing on the page: the attachment may have it
            docs = [
                link.target
                for link in seen.links
                if link.tag == "a"
                and is_attachment(link.target)
                and extension(link.target) in DOCUMENT_EXTENSIONS
                and same_site(link.target, self.home)
            ]
            for target in list(dict.fromkeys(docs))[: self.s.max_report_attachments]:
                if target in self.crawled or not self._claim(target):
                    continue
                self.crawled[target] = page.depth + 1
                fetched = await self.fetcher.fetch(target, read_bytes=True)
                doc_page = _fetched_page(target, PageKind.ATTACHMENT.value, page.depth + 1, fetched)
                doc_page.facts = {"annual_report_of": page.url}
                await self._record(Seen(doc_page, []))
                if fetched.outcome != "ok" or not fetched.body:
                    continue
                parsed = await asyncio.to_thread(read_document, fetched.body, target, cut=fetched.cut)
                if len(parsed.get("tables") or {}) > len(report["tables"]) or (
                    not report["tables"] and parsed["chars"] > report["chars"] and not parsed.get("unreadable")
                ):
                    parsed["page_sections"] = report["sections"]
                    report = parsed
                elif parsed.get("unreadable"):
                    report.setdefault("attachments_unread", []).append({"url": target, "why": parsed["unreadable"]})
        report["year"] = year
        page.facts["annual_report"] = report

    async def _fetch_seen(self, url: str, kind: str, depth: int) -> tuple[Seen, FetchResult]:
        """GET (conditionally, when an earlier round stored validators) and extract."""
        headers: dict[str, str] = {}
        prev = self.previous.get(url)
        if prev is not None:
            if prev[1].etag:
                headers["If-None-Match"] = prev[1].etag
            if prev[1].last_modified:
                headers["If-Modified-Since"] = prev[1].last_modified
        result = await self.fetcher.fetch(url, extra_headers=headers or None)
        if result.status == 304 and prev is not None:
            return await self._from_previous(url, kind, depth, prev, result), result
        if result.text is not None and len(result.text) > _BIG_PAGE_CHARS:
            # parsing a huge page takes long enough to stall every other site's fetches and
            # timeouts; in a worker thread the event loop keeps running (the GIL is released
            # to it every few milliseconds)
            return await asyncio.to_thread(self._build, url, kind, depth, result), result
        return self._build(url, kind, depth, result), result

    async def _from_previous(
        self, url: str, kind: str, depth: int, prev: tuple[int, Page], result: FetchResult
    ) -> Seen:
        round_id, old = prev
        links = await self.writer.writer.call(snapshot.previous_links, round_id, self.unit.unit_id, url)
        page = Page(
            url=url,
            status=old.status,
            outcome=old.outcome,
            kind=kind,
            final_url=old.final_url,
            depth=depth,
            title=old.title,
            pub_date=old.pub_date,
            date_source=old.date_source,
            content_type=old.content_type,
            charset=old.charset,
            size=old.size,
            elapsed_ms=result.elapsed_ms,
            error="",
            etag=result.etag or old.etag,
            last_modified=result.last_modified or old.last_modified,
            fetched_at=_now(),
            facts={**old.facts, "not_modified": True, "copied_from_round": round_id},
        )
        self.stats["not_modified"] += 1
        return Seen(page, [Link(source=url, target=link.target, anchor=link.anchor, tag=link.tag) for link in links])

    def _build(self, url: str, kind: str, depth: int, result: FetchResult) -> Seen:
        page = _fetched_page(url, kind, depth, result)
        links: list[Link] = []
        if result.outcome == "ok" and result.text is not None:
            ex: Extracted = extract_page(result.final_url, result.text, kind)
            page.title = ex.title[:500]
            page.facts = ex.facts
            page.pub_date, page.date_source = ex.pub_date, ex.date_source
            if ex.soft404:
                page.outcome, page.error = "broken", "soft-404: page says it does not exist"
            links = [Link(source=url, target=link.target, anchor=link.anchor, tag=link.tag) for link in ex.links]
        elif result.outcome == "ok" and is_attachment(url):
            page.kind = PageKind.ATTACHMENT.value
        return Seen(page, links)

    async def _record(self, seen: Seen) -> None:
        page = seen.page
        self.outcomes[page.url] = page.outcome
        if page.url in self.level2 and page.outcome == "ok":
            for link in seen.links:
                if (
                    link.tag == "a"
                    and link.target not in self.level2
                    and link.target != self.home
                    and same_site(link.target, self.home)
                    and not is_attachment(link.target)
                ):
                    self.level3.setdefault(link.target, None)
        for link in seen.links:
            if link.target not in self.link_targets:
                self.link_targets[link.target] = page.depth + 1
        self.stats[f"outcome_{page.outcome}"] += 1
        self.stats["pages"] += 1
        await self.writer.add_page(page, seen.links)
        self.emit(
            {"stage": "page", "unit_id": self.unit.unit_id, "url": page.url, "outcome": page.outcome, "kind": page.kind}
        )

    async def _wave(self, jobs: Sequence[PageJob]) -> list[Seen | None]:
        return list(await asyncio.gather(*(self._page(job.url, job.kind, job.depth, job.extra) for job in jobs)))

    # ----------------------------------------------------------------- crawl
    async def run(self) -> SiteResult:
        probes: dict[str, Any] = {"ipv6": empty_probe(), "dns": {"a": [], "aaaa": [], "error": ""}}
        host = urlsplit(self.home).hostname or ""
        dns_task = asyncio.create_task(self.fetcher.dns.lookup(host))
        if self.s.respect_robots:
            await self._load_robots(probes)

        home = await self._home(probes)
        lookup = await dns_task
        probes["dns"] = {"a": lookup.a, "aaaa": lookup.aaaa, "error": lookup.error}
        if home is None or home.page.outcome != "ok":
            await self.writer.flush()
            page = home.page if home else None
            reason = f"homepage {page.outcome}: {page.error or page.status}" if page else "homepage not fetched"
            if self.s.ipv6_probe:
                probes["ipv6"] = await self._safe_ipv6(None, [])
            return SiteResult("failed", reason, probes, self._stats())

        ipv6_task = None
        inner = [
            link.target
            for link in home.links
            if link.tag == "a"
            and same_site(link.target, self.home)
            and link.target != self.home
            and not is_attachment(link.target)
        ]
        inner = list(dict.fromkeys(inner))
        self.level2 = set(inner)
        if self.s.ipv6_probe:
            ipv6_task = asyncio.create_task(self._safe_ipv6(home.html, []))
        home.html = None

        columns = await self._columns(home)
        await self._articles(columns)
        await self._articles(await self._unnamed_lists(columns))
        await self._check_links()
        if ipv6_task is not None:
            probes["ipv6"] = await ipv6_task
            # 二级 / 三级 inner links over IPv6, among inner pages that loaded over IPv4.
            loaded = [u for u in inner if self.outcomes.get(u) == "ok"]
            third = [u for u in self.level3 if self.outcomes.get(u) == "ok"]
            try:
                await add_inner_links(self.fetcher, probes["ipv6"], loaded, third)
            except Exception as exc:  # noqa: BLE001 — the IPv6 side must never break the crawl
                probes["ipv6"]["error"] = probes["ipv6"]["error"] or f"inner-link probe failed: {exc}"
        await self.writer.flush()
        stats = self._stats()
        stats["columns"] = {c.name: c.url for c in columns}
        return SiteResult("crawled", "", probes, stats)

    def _stats(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.stats)
        out["homepage"] = self.home
        out["traps"] = list(self.traps)
        out["requests"] = self.fetcher.requests
        return out

    async def _safe_ipv6(self, html: str | None, inner: list[str]) -> dict[str, Any]:
        try:
            return await probe_ipv6(self.fetcher, self.home, html, inner)
        except Exception as exc:  # noqa: BLE001 — the IPv6 side must never break the crawl
            probe = empty_probe()
            probe["error"] = f"probe failed: {type(exc).__name__}: {exc}"
            return probe

    async def _load_robots(self, probes: dict[str, Any]) -> None:
        from protego import Protego

        url = normalise_url(f"{urlsplit(self.home).scheme}://{urlsplit(self.home).netloc}/robots.txt")
        result = await self.fetcher.fetch(url, retries=1)
        info: dict[str, Any] = {"url": url, "status": result.status, "outcome": result.outcome, "crawl_delay": None}
        if (
            result.outcome == "ok"
            and result.status == 200
            and result.text is not None
            and "text/html" not in result.content_type
        ):
            try:
                self.robots = Protego.parse(result.text)
                delay = self.robots.crawl_delay(self.s.user_agent)
            except Exception as exc:  # noqa: BLE001 — any parser failure means unreadable, recorded
                info["error"] = f"unreadable robots.txt: {exc}"
                self.robots, delay = None, None
            if delay:
                delay = min(float(delay), self.s.max_crawl_delay)
                info["crawl_delay"] = delay
                self.fetcher.slot(self.home).set_floor(delay)
        probes["robots"] = info

    async def _home(self, probes: dict[str, Any]) -> Seen | None:
        self.crawled.pop(self.home, None)
        url = self.home
        self.budget -= 1
        self.crawled[url] = 0
        self.patterns[path_pattern(url)] += 1
        seen, result = await self._fetch_seen(url, PageKind.HOME.value, 0)
        seen.html = result.text
        await self._footer_from_scripts(seen)
        probes["home"] = {
            "attempts": result.attempts,
            "failures": result.attempts - (1 if result.outcome == "ok" else 0),
            "errors": [result.error] if result.error else [],
            "status": result.status,
            "outcome": seen.page.outcome,
        }
        await self._record(seen)
        return seen

    async def _footer_from_scripts(self, seen: Seen) -> None:
        """A footer written by a same-site script (document.writeln in footer.js) is read from it,
        as a browser would show it; the footer facts then say where they came from."""
        facts = seen.page.facts or {}
        for url in facts.get("footer_scripts") or []:
            if not same_site(url, self.home):
                continue
            result = await self.fetcher.fetch(url, read_text=True, retries=1)
            if result.outcome != "ok" or not result.text:
                continue
            old = facts.get("footer") or {}
            text = result.text
            if "html" in (result.content_type or "") or text.lstrip()[:1] == "<":
                text = _visible_text(text)  # an included footer page (iframe), not a script
            else:
                text = script_text(text)
            linked = psb_links(result.text) + [n for n in [old.get("psb_link") or ""] if n]
            found = footer_facts(text, bool(old.get("conac")), bool(old.get("jiucuo")), linked)
            if any(found[k] for k in ("site_code", "icp", "psb", "sponsor")):
                found["conac"] = found["conac"] or has_marker(result.text.lower(), CONAC_MARKERS)
                found["jiucuo"] = found["jiucuo"] or has_marker(result.text.lower(), JIUCUO_MARKERS)
                found["source"] = f"script:{url}"
                facts["footer"] = found
                return

    def _match_columns(
        self,
        seen: Seen,
        found: dict[str, Column],
        depth: int,
        hubs: list[tuple[str, str]] | None,
        unknown: dict[str, tuple[str, int]] | None = None,
    ) -> None:
        """Add the columns (and hub pages) named by ``seen``'s entries; unrecognised same-site
        navigation entries with a Chinese name go to ``unknown`` (url → (text, depth)) to be
        tried as lists (headlines and body links are not: they are articles)."""
        menu = {
            (e.get("text") or "", e.get("url") or "")
            for e in (seen.page.facts or {}).get("nav") or []
            if _CJK.search(e.get("text") or "") and len(e.get("text") or "") <= 12 and _may_be_list(e.get("url") or "")
        }
        # a dated entry of the page's own list is an article or a letter, whatever its title says
        dated = {i.get("url") for i in (seen.page.facts or {}).get("items") or [] if i.get("date") or i.get("md")}
        for text, target in _entries(seen):
            if not target or not same_site(target, self.home) or is_attachment(target) or target in dated:
                continue
            if (
                hubs is not None
                and is_hub_name(text, self.s.hub_names)
                and all(target != h for h, _ in hubs)
                and target != seen.page.url
            ):
                hubs.append((target, text))
            match = self.matcher.match(text)
            if match is None:
                if unknown is not None and (text, target) in menu and target not in (seen.page.url, self.home):
                    unknown.setdefault(target, (text, depth))
                continue
            if not _may_be_list(target) or target in (seen.page.url, self.home):
                continue  # a headline (or the site's own name) that happens to contain a column's terms
            known = found.get(match.column)
            if known is not None and (
                known.pages or _RANK[known.match.method if known.match else "exact"] >= _RANK[match.method]
            ):
                continue  # the first, or a better-named, entry for this column stands
            found[match.column] = Column(name=match.column, text=text, url=target, depth=depth, match=match)

    async def _columns(self, home: Seen) -> list[Column]:
        found: dict[str, Column] = {}
        hubs: list[tuple[str, str]] = []
        unknown: dict[str, tuple[str, int]] = {}
        self._match_columns(home, found, 1, hubs, unknown)
        hub_jobs: list[PageJob] = []
        for url, text in hubs[:3]:
            name = next((c.name for c in found.values() if c.url == url), "")
            hub_jobs.append(PageJob(url, PageKind.COLUMN.value, 1, {"column": name, "column_text": text, "hub": True}))
        hub_pages = await self._wave(hub_jobs)
        for hub in hub_pages:
            if hub is not None and hub.page.outcome == "ok":
                self._match_columns(hub, found, 2, None, unknown)
        # Hub pages that are also columns count as that column's first list page.
        for hub in hub_pages:
            if hub is None:
                continue
            for column in found.values():
                if column.url == hub.page.url:
                    column.pages.append(hub)

        waves = 0
        pending = [c for c in found.values() if not c.pages]
        while pending and waves < MAX_COLUMN_WAVES:
            waves += 1
            jobs = [PageJob(c.url, PageKind.COLUMN.value, c.depth, c.facts()) for c in pending]
            results = await self._wave(jobs)
            before = set(found)
            for column, seen in zip(pending, results):
                if seen is not None:
                    column.pages.append(seen)
                    if seen.page.outcome == "ok":
                        self._match_columns(seen, found, column.depth + 1, None)
            pending = [found[name] for name in found if name not in before]
        self.unknown = unknown
        await self._pagination(list(found.values()))
        return list(found.values())

    async def _unnamed_lists(self, named: list[Column]) -> list[Column]:
        """Entries under names no rubric column has, read as lists when they are lists.

        Runs after the named columns had their pages and articles, so recognised columns
        keep first claim on the page budget.
        """
        urls = {c.url for c in named}
        probes = [(u, t, d) for u, (t, d) in self.unknown.items() if u not in urls and u not in self.crawled]
        jobs = [
            PageJob(u, PageKind.COLUMN.value, d, {"column": "", "column_text": t, "list_probe": True})
            for u, t, d in probes[: self.s.max_unnamed_lists]
        ]
        lists = []
        for (url, text, depth), seen in zip(probes, await self._wave(jobs)):
            if seen is not None and seen.page.kind == PageKind.COLUMN.value and seen.page.outcome == "ok":
                column = Column(name="", text=text, url=url, depth=depth)
                column.pages.append(seen)
                lists.append(column)
        return lists

    async def _pagination(self, columns: list[Column]) -> None:
        jobs: list[PageJob] = []
        owners: list[Column] = []
        for column in columns:
            if not column.pages or column.pages[0].page.outcome != "ok":
                continue
            first = column.pages[0].page
            more = [u for u in first.facts.get("pagination", []) if u not in self.crawled and same_site(u, self.home)]
            more.sort(key=_page_number)
            for url in more[: max(self.s.max_pages_per_column - 1, 0)]:
                jobs.append(PageJob(url, PageKind.COLUMN.value, column.depth, {**column.facts(), "page_of": first.url}))
                owners.append(column)
        for column, seen in zip(owners, await self._wave(jobs)):
            if seen is not None:
                column.pages.append(seen)

    def _wants_articles(self, column: Column) -> int:
        if column.name and any(key in column.name for key in self.s.article_columns):
            return self.s.max_articles_per_column
        if not column.name and _is_interp_name(column.text):  # 解读 under a name nobody listed
            return self.s.max_articles_per_column
        return self.s.articles_per_other_column

    async def _articles(self, columns: list[Column]) -> None:
        jobs: list[PageJob] = []
        queued: set[str] = set()
        extra_interp = 0
        column_urls = {p.page.url for c in columns for p in c.pages} | {c.url for c in columns}
        for column in columns:
            if (column.pages and (column.pages[0].page.facts or {}).get("hub")) or self.matcher.is_hub(column.name):
                continue  # a hub lists columns, not articles
            want = self._wants_articles(column)
            interp_column = "解读" in column.name or _is_interp_name(column.text)
            taken = 0
            for seen in column.pages:
                for item in seen.page.facts.get("items", []) or []:
                    url = item.get("url")
                    if not url or url in self.crawled or not same_site(url, self.home) or is_attachment(url):
                        continue
                    if url in queued or url in column_urls or _LIST_URL.search(url):
                        continue  # an entry that is itself a list (a sub-column), not an article
                    # A 解读 listed in any column is read (its document may be anywhere): the
                    # article caps bound the rest.
                    interp_item = _is_interp_name(item.get("title") or "")
                    if taken >= want and not (interp_item and extra_interp < self.s.max_articles_per_column):
                        continue
                    extra = {**column.facts(), "listed_date": item.get("date")}
                    if interp_column or interp_item:
                        extra["is_interpretation"] = True  # set before the page is stored
                    jobs.append(PageJob(url, PageKind.ARTICLE.value, column.depth + 1, extra))
                    queued.add(url)
                    if taken >= want:
                        extra_interp += 1
                    else:
                        taken += 1
        results = await self._wave(jobs)
        # Related 解读 / 原文 links are followed even beyond the article caps.
        related_jobs: list[PageJob] = []
        for done in results:
            if done is None or done.page.outcome != "ok":
                continue
            for rel in done.page.facts.get("related", []) or []:
                url = rel.get("url")
                if len(related_jobs) >= self.s.max_related_per_site:
                    break
                if not url or url in self.crawled or not same_site(url, self.home) or is_attachment(url):
                    continue
                if any(job.url == url for job in related_jobs):
                    continue
                related_jobs.append(
                    PageJob(
                        url, PageKind.ARTICLE.value, done.page.depth + 1, {"column": "", "related_from": done.page.url}
                    )
                )
        saved_budget = self.budget
        self.budget = max(self.budget, len(related_jobs))
        await self._wave(related_jobs)
        self.budget = min(self.budget, saved_budget)

    async def _check_links(self) -> None:
        """GET every link target seen on crawled pages that was not crawled itself."""
        targets = []
        for target, depth in self.link_targets.items():
            if target in self.crawled:
                continue
            if not self.s.check_external_links and not same_site(target, self.home):
                continue
            targets.append((target, depth))
        targets = targets[: self.s.max_links_checked_per_site]
        sem = asyncio.Semaphore(max(self.s.per_host_concurrency * 4, 8))

        async def check(target: str, depth: int) -> None:
            if not self._claim(target):
                return
            self.crawled[target] = depth
            async with sem:
                result = await self.fetcher.fetch(target, full_body=False)
            kind = PageKind.ATTACHMENT.value if is_attachment(target) else PageKind.OTHER.value
            page = _fetched_page(target, kind, depth, result)
            if result.outcome == "ok" and result.text is not None:
                title = _title(result.text)
                page.title = title[:500]
                if is_soft404(title, normalise(_visible_text(result.text))):
                    page.outcome, page.error = "broken", "soft-404: page says it does not exist"
                    page.facts = {"soft404": True}
            await self._record(Seen(page, []))

        # Deterministic claim order: claim in list order before the concurrent fetches.
        await asyncio.gather(*(check(t, d) for t, d in targets))


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.I | re.S)


def _title(html: str) -> str:
    match = _TITLE.search(html[:20000])
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", _TAGS.sub(" ", html[:200000]))


def _is_interp_name(text: str) -> bool:
    simple = normalise(text or "")
    return any(w in simple for w in _INTERP_WORDS)


def _page_number(url: str) -> int:
    match = _PAGE_NUMBER.findall(url)
    return int(match[-1]) if match else 10**6


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _fetched_page(url: str, kind: str, depth: int, result: FetchResult) -> Page:
    """The snapshot row of one fetch (extraction adds the facts, for HTML only)."""
    return Page(
        url=url,
        status=result.status,
        outcome=result.outcome,
        kind=kind,
        final_url=result.final_url if result.final_url != url else None,
        depth=depth,
        content_type=result.content_type[:100],
        charset=result.charset,
        size=result.size,
        elapsed_ms=round(result.elapsed_ms, 1),
        error=result.error,
        etag=result.etag,
        last_modified=result.last_modified,
        fetched_at=_now(),
    )
