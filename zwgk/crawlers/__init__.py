"""zwgk.crawlers: fetching and seeing government websites.

Public entry points: :class:`CrawlSettings` and :func:`crawl_round`.  The
crawl reports progress as events (``site_start``, ``page``, ``site_done`` …)
to a callback; ``zwgk assess`` renders them with
:class:`zwgk.pipeline.cli.RoundProgress`.
"""

from zwgk.crawlers.engine import CrawlSummary, crawl_round, crawl_round_async
from zwgk.crawlers.settings import CrawlSettings

__all__ = ["CrawlSettings", "CrawlSummary", "crawl_round", "crawl_round_async"]
