"""Storage: the one place that owns SQL.  Other stages use ``Database`` and the
functions of the modules here (``registry``, ``snapshot``, ``results`` …)."""

from zwgk.storage.db import Database, resolve_url

__all__ = ["Database", "resolve_url"]
