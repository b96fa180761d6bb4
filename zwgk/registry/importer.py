"""``import_registry``: read a registry and write its units to the database."""

from __future__ import annotations

from pathlib import Path

from zwgk.registry.reader import read_registry
from zwgk.registry.report import RegistryReport
from zwgk.storage import Database
from zwgk.storage.registry import upsert_units


def import_registry(db: Database, path: Path) -> RegistryReport:
    """Read ``path`` and upsert its usable rows; rejected rows are only reported.

    The report gains ``added`` / ``updated`` / ``unchanged`` counts; importing the
    same file again adds and updates nothing.  Raises ``ZwgkError`` (naming the
    file) when the file as a whole cannot be read.
    """
    report = read_registry(Path(path))
    sources = {unit.unit_id: report.source_of(unit.unit_id) for unit in report.units}
    added, updated = upsert_units(db, report.units, sources)
    report.added, report.updated = added, updated
    report.unchanged = len(report.units) - added - updated
    return report
