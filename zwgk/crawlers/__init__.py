"""zwgk.crawlers: fetching and seeing government websites.

Public entry points: :class:`CrawlSettings` and :func:`crawl_round`; the rich
progress display for the CLI is :class:`zwgk.crawlers.progress.CrawlProgress`.
"""

from zwgk.crawlers.engine import CrawlSummary, crawl_round, crawl_round_async
from zwgk.crawlers.settings import CrawlSettings

__all__ = ["CrawlSettings", "CrawlSummary", "crawl_round", "crawl_round_async"]
