"""Storage: the one place that owns SQL.  Other stages use ``Database`` and the
functions of the modules here (``registry``, ``snapshot``, ``results`` …); no module
outside ``zwgk.storage`` imports ``zwgk.storage.tables`` or builds a statement
(``tests/test_import_cycles.py`` checks it).  ``utcnow`` is the clock stored times use
(naive UTC), for callers that compare with them."""

from zwgk.storage.db import Database, resolve_url
from zwgk.storage.tables import utcnow

__all__ = ["Database", "resolve_url", "utcnow"]
