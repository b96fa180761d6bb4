"""Every crawler knob in one place (Scrapy-settings style).

The defaults are tuned so that a site-farm site is crawled completely while a
real government server is treated politely: a few connections per host, an
adaptive delay that errors can only lengthen, and robots.txt honoured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from zwgk.model import ZwgkError

ARCHIVE_MODES: tuple[str, ...] = ("all", "findings", "none")
NEUTRAL_USER_AGENT = "Mozilla/5.0 (compatible; zwgk/0.1; +assessment)"

# Columns whose articles the rules read closely (dates, 解读 links, 留言, 年报):
# up to ``max_articles_per_column`` articles each.  Matched as substrings of the
# standard column name from the rubric's synonym table.
DEFAULT_ARTICLE_COLUMNS: tuple[str, ...] = (
    "政策文件",
    "通知公告",
    "政策解读",
    "解读",
    "互动",
    "留言",
    "咨询",
    "年报",
    "年度报告",
    "标准目录",  # 基层政务公开标准目录: each area's catalogue page (JICENG-ELEMENT)
)

# Anchor texts of the 政府信息公开 hub page: its sub-columns are columns too.
DEFAULT_HUB_NAMES: tuple[str, ...] = ("政府信息公开", "信息公开", "政务公开", "政府信息公开专栏")

# Well-known hosts fetched when homepages fail, to tell the assessor's own outage from a
# site's.  Used only for public rounds (``allow_private`` off): an intranet or loopback round
# learns nothing about its own reachability from the public Internet (and tests must never
# reach it), so there ``control_urls`` must be named explicitly.
DEFAULT_CONTROL_URLS: tuple[str, ...] = (
    "https://www.gov.cn/",
    "https://www.baidu.com/",
    "https://www.qq.com/",
)


@dataclass(slots=True)
class CrawlSettings:
    """How the crawler behaves; every field has a safe default.

    Network and safety
      resolver: ``"HOST:PORT"`` of the DNS server every A/AAAA lookup goes to
        (dnspython); ``None`` uses the system resolver.
      allow_private: permit targets resolving to loopback / private / link-local /
        multicast / reserved / metadata addresses (refused by default: SSRF).
      user_agent: neutral on purpose — WAF rules block agents containing "link".
      respect_robots: fetch robots.txt and skip what it disallows for our agent.
      ipv6_probe: run the Internet.nl-style IPv6 probe for every site.

    Politeness and concurrency
      per_host_concurrency: requests in flight per host.
      global_concurrency: requests in flight for the whole round (pool size).
      sites_in_flight: sites crawled at the same time (bounds memory).
      min_delay / max_delay: bounds of the adaptive per-host delay (seconds);
        the delay follows AutoThrottle: average of the previous delay and
        latency / ``autothrottle_target``; an error response never shortens it.
      max_crawl_delay: cap on a robots.txt Crawl-delay we honour.

    Fetching
      connect_timeout / total_timeout: seconds per attempt.
      retries: extra attempts for resets, timeouts, 5xx and 429 (then ``transient``).
      backoff_base: first backoff in seconds; doubles each attempt, plus jitter.
      retry_after_cap: longest Retry-After (429/503) we wait, seconds.
      max_redirects: redirect hops followed (loops are detected before that).
      max_page_bytes: body bytes read from an HTML page (the rest is cut).
      check_read_bytes: bytes read of a non-HTML link target before we stop.
      max_document_bytes: bytes read of a 年报 attachment (PDF / DOCX) that is parsed; a longer
        file is recorded as cut and not judged.
      max_report_attachments: attachments of one 年报 page fetched to read its tables.

    Crawl shape and caps
      max_depth: link distance from the homepage that is still crawled.
      max_pages_per_site: HTML pages crawled per site (home, hubs, columns, articles).
      max_pages_per_column: list pages per column, first page + pagination.
      max_articles_per_column: articles fetched from each column in ``article_columns``.
      articles_per_other_column: articles fetched from every other column — the first
        two or three list pages (15–20 entries each on most CMSs), so a broken attachment
        in an ordinary article deep in a list is found, as a site-wide link checker finds
        it, not only in a sample of the newest entries.
      max_related_per_site: 相关解读 / 原文 links followed beyond the article caps.
      max_links_checked_per_site: uncrawled link targets checked per site.
      max_urls_per_pattern: pages per URL path pattern (digits folded) — trap cap.
      max_query_variants: distinct query strings per path — calendar-trap cap (queries the
        site's lists name, and ``name=<number>`` items of a script whose articles they name,
        are exempt: ``News_showNews.action?messagekey=N`` is a page, not a trap).
      check_external_links: also check links leaving the site.
      column_match_cutoff: rapidfuzz ratio (0–100) for a near column-name match.
      max_unnamed_lists: navigation entries under names no rubric column has that are
        fetched to see whether they are lists (dated items / pagination); those that
        are lists are read like columns (articles, 解读 pairs, links), the rest are
        ordinary pages.
      ipv6_sample: 二级 inner links (same-site links on the homepage that loaded over IPv4)
        fetched over IPv6 for the inner-link share; the sample takes every host the links
        live on in turn (a sub-host without AAAA is the usual failure), then spreads evenly.
      ipv6_sample_level3: 三级 inner links (same-site links on the 二级 pages the crawl read)
        fetched over IPv6 the same way.  Both sample sizes are stated in the evidence.
      ipv6_home_attempts: spaced fetches of the homepage over IPv6 (no retries each): the
        IPv6 success rate of the crawl; daily IPv6 monitoring probes add to it when present.
      ipv6_attempt_spacing: seconds between those fetches.
      ipv6_delegation: look up the NS of the site's zone, the AAAA of each name server, and
        send one query to a name server over IPv6 (the delegation-chain indicator).
      ipv6_ns_port: port of that query; ``None`` means the port of ``resolver`` when one is
        given (a test network's name servers listen where its resolver does), else 53.

    Faults on either side (docs/architecture.md, "Faults during a crawl")
      site_budget_s: wall-clock seconds one site's crawl may take; when they are used up
        every further fetch of the site is recorded ``skipped`` ("site time budget …"), so
        one slow site never holds the round's finish.  0 turns the budget off.
      breaker_failures: consecutive timeouts / connection failures (no HTTP answer) after
        which a host's circuit opens: its further URLs are recorded ``transient`` ("host
        circuit open …") without a request — a tarpit costs N timeouts, not one per link.
        0 turns the breaker off.
      breaker_cooloff_s: seconds after which an open circuit lets one request try again.
      home_checks: spaced homepage checks (the first fetch included) a site whose homepage
        never opens gets before the crawl calls it unreachable; fewer checks → no finding.
      home_check_spacing: seconds between those checks.
      control_urls: control hosts fetched when homepages fail; ``None``: the
        ``DEFAULT_CONTROL_URLS`` for public rounds and none with ``allow_private``.
        Their host names also serve as control queries of the resolver, together with
        the hosts of homepages that opened earlier in the round.
      outage_window_s / outage_min_sites / outage_fail_share: a homepage failure is the
        assessor's outage, not the site's, when at least ``outage_min_sites`` homepages were
        tried in the last ``outage_window_s`` seconds and at least ``outage_fail_share`` of
        them got no answer at all.
      outage_check_ttl: seconds a control verdict is reused (one check serves many sites).

    Storage
      write_batch: pages buffered per site before they are written (streaming).
      archive: ``all`` (every request and response goes to the round's WARC files),
        ``findings`` (the same, then only pages behind a finding and the homepage are
        kept once the site is judged) or ``none``.  See ``zwgk.archive``.
      archive_dir: where WARC files go; "" means ``$ZWGK_ARCHIVE``, else ``archive/``
        beside a SQLite database file, else ``data/archive`` under the current directory.
    """

    resolver: str | None = None
    allow_private: bool = False
    per_host_concurrency: int = 4
    global_concurrency: int = 64
    sites_in_flight: int = 50
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    retries: int = 3
    backoff_base: float = 0.5
    retry_after_cap: float = 30.0
    max_redirects: int = 5
    max_page_bytes: int = 5_000_000
    max_document_bytes: int = 20_000_000
    max_report_attachments: int = 2
    check_read_bytes: int = 2048
    max_depth: int = 4
    max_pages_per_site: int = 600
    max_pages_per_column: int = 3
    max_articles_per_column: int = 20
    articles_per_other_column: int = 40
    max_related_per_site: int = 60
    max_links_checked_per_site: int = 2000
    max_urls_per_pattern: int = 200
    max_query_variants: int = 10
    check_external_links: bool = True
    respect_robots: bool = True
    user_agent: str = NEUTRAL_USER_AGENT
    ipv6_probe: bool = True
    ipv6_sample: int = 20
    ipv6_sample_level3: int = 20
    ipv6_home_attempts: int = 5
    ipv6_attempt_spacing: float = 2.0
    ipv6_delegation: bool = True
    ipv6_ns_port: int | None = None
    min_delay: float = 0.0
    max_delay: float = 10.0
    autothrottle_target: float = 4.0
    max_crawl_delay: float = 10.0
    column_match_cutoff: float = 90.0
    max_unnamed_lists: int = 40
    write_batch: int = 40
    site_budget_s: float = 1800.0
    breaker_failures: int = 5
    breaker_cooloff_s: float = 300.0
    home_checks: int = 3
    home_check_spacing: float = 15.0
    control_urls: tuple[str, ...] | None = None
    outage_window_s: float = 300.0
    outage_min_sites: int = 5
    outage_fail_share: float = 0.8
    outage_check_ttl: float = 20.0
    archive: str = "all"
    archive_dir: str = ""
    article_columns: tuple[str, ...] = field(default=DEFAULT_ARTICLE_COLUMNS)
    hub_names: tuple[str, ...] = field(default=DEFAULT_HUB_NAMES)

    def __post_init__(self) -> None:
        if self.resolver is not None:
            parse_resolver(self.resolver)
        for name in ("per_host_concurrency", "global_concurrency", "sites_in_flight"):
            if getattr(self, name) < 1:
                raise ZwgkError(f"crawl setting {name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "site_budget_s",
            "breaker_failures",
            "breaker_cooloff_s",
            "home_check_spacing",
            "outage_window_s",
            "outage_check_ttl",
        ):
            if getattr(self, name) < 0:
                value = getattr(self, name)
                raise ZwgkError(f"crawl setting {name} must not be negative, got {value}")
        if self.ipv6_home_attempts < 1 or self.ipv6_sample < 0 or self.ipv6_sample_level3 < 0:
            raise ZwgkError("crawl settings ipv6_home_attempts must be at least 1 and the IPv6 samples not negative")
        if self.ipv6_attempt_spacing < 0:
            raise ZwgkError(f"crawl setting ipv6_attempt_spacing must not be negative, got {self.ipv6_attempt_spacing}")
        if self.ipv6_ns_port is not None and not 0 < self.ipv6_ns_port < 65536:
            raise ZwgkError(f"crawl setting ipv6_ns_port must be a port number, got {self.ipv6_ns_port}")
        if self.home_checks < 1 or self.outage_min_sites < 1:
            raise ZwgkError("crawl settings home_checks and outage_min_sites must be at least 1")
        if not 0 < self.outage_fail_share <= 1:
            raise ZwgkError(f"crawl setting outage_fail_share must be in (0, 1], got {self.outage_fail_share}")
        if self.control_urls is not None:
            self.control_urls = tuple(self.control_urls)  # JSON round trips give lists
        if self.archive not in ARCHIVE_MODES:
            raise ZwgkError(f"crawl setting archive must be one of {', '.join(ARCHIVE_MODES)}, got {self.archive!r}")
        if "link" in self.user_agent.lower():
            raise ZwgkError(
                "crawl setting user_agent must not contain 'link': WAF rules block such agents "
                "and every link would look broken"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def controls(self) -> tuple[str, ...]:
        """The control URLs in force (see ``control_urls``)."""
        if self.control_urls is not None:
            return self.control_urls
        return () if self.allow_private else DEFAULT_CONTROL_URLS

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlSettings:
        """Build settings from a plain dict, refusing unknown keys by name."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ZwgkError(f"unknown crawl setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**data)


def ns_port(settings: CrawlSettings) -> int:
    """The port of the delegation check's query to a name server (see ``ipv6_ns_port``)."""
    if settings.ipv6_ns_port is not None:
        return settings.ipv6_ns_port
    if settings.resolver:
        return parse_resolver(settings.resolver)[1]
    return 53


def parse_resolver(value: str) -> tuple[str, int]:
    """``"127.0.0.1:5353"`` / ``"[::1]:53"`` / ``"10.0.0.1"`` → (host, port)."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.lstrip(":") or "53"
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host, port_text = text, "53"
    try:
        port = int(port_text)
    except ValueError:
        raise ZwgkError(f"--resolver {value!r}: port {port_text!r} is not a number; write HOST:PORT") from None
    if not host or not 0 < port < 65536:
        raise ZwgkError(f"--resolver {value!r} is not HOST:PORT (e.g. 127.0.0.1:5353)")
    return host, port
