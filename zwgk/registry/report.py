"""What reading (and importing) a registry produced: units, rejected rows, fixes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from zwgk.model import RegistryRowError, Unit


@dataclass(slots=True)
class RegistryReport:
    """The outcome of reading one registry file.

    Every non-blank data row ends up either in ``units`` or in ``errors``
    (``rows == len(units) + len(errors)``), so nothing disappears silently.
    Line numbers are 1-based as a text editor or spreadsheet shows them; the
    header is line 1 unless title rows precede it.
    """

    source: str
    format: str = ""  # "csv (utf-8-sig)", "csv (gb18030)", "xlsx (sheet 名录)", …
    layout: str = ""  # "canonical" or "national" (the 全国政府网站基本信息数据库 export)
    header_line: int = 1
    rows: int = 0  # non-blank data rows read
    units: list[Unit] = field(default_factory=list)
    errors: list[RegistryRowError] = field(default_factory=list)
    inferred: int = 0  # rows whose tier and/or kind were inferred from name and code
    normalised: list[tuple[int, str]] = field(default_factory=list)  # (line, what was fixed)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, imported but worth a look)
    lines: dict[str, int] = field(default_factory=dict)  # unit_id -> line it came from
    added: int | None = None  # set by import_registry
    updated: int | None = None
    unchanged: int | None = None

    @property
    def imported(self) -> int:
        """Rows that became units (whether or not the database changed)."""
        return len(self.units)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``zwgk registry check --json``); units are not listed."""
        return {
            "source": self.source,
            "format": self.format,
            "layout": self.layout,
            "header_line": self.header_line,
            "rows": self.rows,
            "imported": self.imported,
            "rejected": self.rejected,
            "inferred": self.inferred,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "normalised": [{"line": line, "what": what} for line, what in self.normalised],
            "warnings": [{"line": line, "what": what} for line, what in self.warnings],
        }

    def source_of(self, unit_id: str) -> str:
        """``file:line`` of a unit, as stored in ``units.source``."""
        line = self.lines.get(unit_id)
        return f"{self.source}:{line}" if line else self.source


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\d+")


def reason_kind(reason: str) -> str:
    """A rejection reason with its row-specific values (quoted text, numbers) blanked out.

    ``site_url '没有网站' holds no usable …`` and ``site_url 'x' holds no usable …`` are one
    kind, so 2 million rejected rows summarise to a few lines.
    """
    return _QUOTED.sub("…", reason)


def summarise_errors(errors: list[RegistryRowError]) -> list[tuple[str, int, int]]:
    """``(kind of reason, rows, first line)`` for each kind, the most frequent first."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for error in errors:
        kind = reason_kind(error.reason)
        counts[kind] += 1
        first.setdefault(kind, error.line)
    return [(kind, n, first[kind]) for kind, n in counts.most_common()]
