"""How big a registry file may be: caps that keep reading bounded in time and memory.

A registry is a list of websites: the national export of every government site has
13,385 rows and 6 columns.  A file far beyond that is a mistake (2 million rows of
trailing formatting) or hostile (a zip bomb: 1 MB that unpacks to 1 GB), and reading it
whole would take minutes and gigabytes.  Every cap is a setting with a default far above
any real registry; each can be raised with an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from zwgk.model import ZwgkError

_ENV = {
    "max_file_mb": "ZWGK_REGISTRY_MAX_FILE_MB",
    "max_unzipped_mb": "ZWGK_REGISTRY_MAX_UNZIPPED_MB",
    "max_rows": "ZWGK_REGISTRY_MAX_ROWS",
    "max_columns": "ZWGK_REGISTRY_MAX_COLUMNS",
    "max_cells": "ZWGK_REGISTRY_MAX_CELLS",
}


@dataclass(frozen=True, slots=True)
class RegistryLimits:
    """Caps on one registry file (see docs/registry.md, "Limits").

    max_file_mb: size of the file on disk (CSV or XLSX), in MiB.
    max_unzipped_mb: total uncompressed size of an XLSX's parts, checked from the zip
      directory before anything is unpacked (zip bombs).
    max_rows: the last spreadsheet row / CSV line holding a value; blank rows after it
      (trailing formatting) are skipped without being read.
    max_columns: the rightmost column holding a value.
    max_cells: cells holding a value in the whole file (and XLSX shared strings).
    """

    max_file_mb: int = 50
    max_unzipped_mb: int = 100
    max_rows: int = 100_000
    max_columns: int = 64
    max_cells: int = 1_000_000

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def max_unzipped_bytes(self) -> int:
        return self.max_unzipped_mb * 1024 * 1024

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> RegistryLimits:
        """Defaults, overridden by ``ZWGK_REGISTRY_MAX_*`` variables (positive integers)."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for f in fields(cls):
            name = _ENV[f.name]
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                value = 0
            if value <= 0:
                raise ZwgkError(f"{name}={raw!r} must be a positive whole number")
            values[f.name] = value
        return cls(**values)

    @staticmethod
    def env_name(field_name: str) -> str:
        """The environment variable that raises one cap (named in error messages)."""
        return _ENV[field_name]
