"""政务新媒体: each unit's account registry, posts from platform exports or RSS/Atom feeds.

``import_accounts`` / ``import_posts`` read CSV/XLSX with the registry's safe reader and limits
(``zwgk.registry.sources.load_table``); ``fetch_feeds`` reads each account's feed through the
crawler's fetcher (SSRF policy, robots not needed for a feed the unit registered) and records
whether the account still exists.  No platform that needs a login is scraped.
"""

from zwgk.media.feeds import fetch_feeds, parse_feed
from zwgk.media.importer import (
    ImportReport,
    import_accounts,
    import_posts,
    read_accounts,
    read_posts,
)

__all__ = [
    "ImportReport",
    "fetch_feeds",
    "import_accounts",
    "import_posts",
    "parse_feed",
    "read_accounts",
    "read_posts",
]
