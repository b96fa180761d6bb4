"""``read_registry``: a registry file → units, rejected rows and what was fixed.

Every row is judged on its own: a bad row becomes a ``RegistryRowError`` with
its line and a plain reason, and never costs its neighbours their place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from zwgk.model import RegistryRowError, Tier, Unit, UnitKind, ZwgkError
from zwgk.registry.columns import (
    header_key,
    is_header,
    is_national,
    map_header,
    parse_bool,
    parse_kind,
    parse_tier,
)
from zwgk.registry.infer import PlaceIndex, division_of, infer
from zwgk.registry.report import RegistryReport
from zwgk.registry.sources import load_table
from zwgk.registry.urls import normalise_url

_HEADER_SCAN = 20
_EXCEL_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e\+\d+", re.IGNORECASE)
_ID_CHARS = re.compile(r"[^\s]{1,64}")
_TIERS = "/".join(t.value for t in Tier)


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each key sits in a row, and the header text to name it by in reasons."""

    index: dict[str, int]
    label: dict[str, str]
    id_key: str  # "unit_id", or "site_code" when the file has no unit_id column

    def get(self, cells: list[str], key: str) -> str:
        at = self.index.get(key)
        return "" if at is None or at >= len(cells) else str(cells[at])


def _find_header(rows: list[tuple[int, list[str]]]) -> int | None:
    """Index (in ``rows``) of the header row, or ``None``."""
    for index, (_line, cells) in enumerate(rows[:_HEADER_SCAN]):
        if is_header(map_header(cells)):
            return index
    return None


def _blank(cells: list[str]) -> bool:
    return not any(str(c).strip() for c in cells)


def _tidy(text: str) -> str:
    """NFKC-free whitespace tidy: trims, and turns runs of spaces/tabs/U+3000 into one space."""
    return re.sub(r"[\s\u3000\xa0]+", " ", text).strip()


def read_registry(path: Path) -> RegistryReport:
    """Read a CSV/XLSX site registry (canonical columns or the national export).

    Raises :class:`ZwgkError` naming the file when the file as a whole cannot
    be used (missing, unreadable, undecodable, no recognisable header); rows
    that cannot be used are reported in ``errors`` with their line numbers.
    """
    path = Path(path)
    table = load_table(path, scan_header=_find_header)
    header_index = _find_header(table.rows)
    if header_index is None:
        first = next((cells for _l, cells in table.rows if not _blank(cells)), [])
        shown = ", ".join(c.strip() for c in first if c.strip())[:200] or "nothing (the file is empty)"
        raise ZwgkError(
            f"{path}: no recognisable header in the first {_HEADER_SCAN} rows. Expected columns such as "
            "unit_id, unit_name, site_url (or 单位编码, 单位名称, 网站地址; or the national export's "
            f"网站标识码, 网站名称, 首页网址); found: {shown}"
        )
    header_line, header_cells = table.rows[header_index]
    mapping = map_header(header_cells)
    national = is_national(mapping)
    id_key = "unit_id" if "unit_id" in mapping else "site_code" if "site_code" in mapping else None
    if id_key is None:
        raise ZwgkError(f"{path}:{header_line}: no unit id column; add unit_id (单位编码) or 网站标识码 to the header")
    label = {key: str(header_cells[index]).strip().lstrip("\ufeff") for key, index in mapping.items()}
    columns = _Columns(mapping, label, id_key)

    report = RegistryReport(
        source=path.name,
        format=table.format,
        layout="national" if national else "canonical",
        header_line=header_line,
    )
    data = [(line, cells) for line, cells in table.rows[header_index + 1 :] if not _blank(cells)]
    for line, reason in table.broken:
        if line > header_line:
            report.errors.append(RegistryRowError(report.source, line, reason))
    report.rows = len(data) + len(report.errors)

    places = PlaceIndex()
    for _line, cells in data:
        code = unicodedata.normalize("NFKC", columns.get(cells, id_key)).strip()
        places.add(code, columns.get(cells, "unit_name"))

    for line, cells in data:
        unit = _read_row(report, line, cells, columns, places)
        if unit is not None:
            report.units.append(unit)
            report.lines[unit.unit_id] = line
    report.errors.sort(key=lambda e: e.line)
    if "parent_id" not in mapping:
        report.units = _with_parents(report.units)
    else:
        for unit in report.units:
            if unit.parent_id and unit.parent_id not in report.lines:
                what = f"{label['parent_id']} {unit.parent_id} is not a unit of this registry"
                report.warnings.append((report.lines[unit.unit_id], what))
    _warn_shared_homepages(report, label["site_url"])
    return report


def _read_row(
    report: RegistryReport, line: int, cells: list[str], columns: _Columns, places: PlaceIndex
) -> Unit | None:
    """One data row → a Unit, or None after recording in ``report`` why not."""
    label, id_key = columns.label, columns.id_key

    def cell(cells: list[str], key: str) -> str:
        return columns.get(cells, key)

    def reject(reason: str) -> None:
        report.errors.append(RegistryRowError(report.source, line, reason))

    def fixed(what: str) -> None:
        report.normalised.append((line, what))

    if is_header(map_header(cells)):
        reject("a repeated header row (were files pasted together?); skipped")
        return None
    id_label = label[id_key]
    raw_id = cell(cells, id_key)
    unit_id = unicodedata.normalize("NFKC", raw_id).strip()
    if not unit_id:
        reject(f"{id_label} is empty: every unit needs an id")
        return None
    if _EXCEL_SCIENTIFIC.fullmatch(unit_id):
        reject(
            f"{id_label} {unit_id!r} was turned into a number by Excel (scientific notation) and lost digits; "
            "format the column as text and export again"
        )
        return None
    if not _ID_CHARS.fullmatch(unit_id):
        reject(f"{id_label} {unit_id!r} is not a usable id (no spaces, at most 64 characters)")
        return None
    if unit_id != raw_id:
        fixed(f"{id_label} {raw_id!r} → {unit_id!r}")
    if unit_id in report.lines:
        reject(f"{id_label} {unit_id} is already used on line {report.lines[unit_id]}; ids must be unique")
        return None

    raw_name = cell(cells, "unit_name")
    name = _tidy(raw_name)
    if not name:
        reject(f"{label['unit_name']} is empty")
        return None
    if name != raw_name:
        fixed(f"{label['unit_name']}: whitespace tidied")

    url_result = normalise_url(cell(cells, "site_url"), label["site_url"])
    if url_result.url is None:
        reject(url_result.reason)
        return None
    if url_result.fixes:
        was = cell(cells, "site_url").strip()
        fixed(f"{label['site_url']} {was!r} → {url_result.url} ({'; '.join(url_result.fixes)})")

    site_code = unit_id
    if id_key != "site_code":
        site_code = unicodedata.normalize("NFKC", cell(cells, "site_code")).strip()

    tier_text = cell(cells, "tier").strip()
    tier = parse_tier(tier_text) if tier_text else None
    if tier_text and tier is None:
        reject(f"{label['tier']} {tier_text!r} is not one of {_TIERS}")
        return None
    kind_text = cell(cells, "kind").strip()
    kind = parse_kind(kind_text) if kind_text else None
    if kind_text and kind is None:
        reject(f"{label['kind']} {kind_text!r} is not portal/department (门户/部门)")
        return None
    services_text = cell(cells, "has_services").strip()
    has_services = parse_bool(services_text) if services_text else True
    if has_services is None:
        reject(f"{label['has_services']} {services_text!r} is not 1/0, 是/否, true/false")
        return None

    region = _tidy(cell(cells, "region"))
    if tier is None or kind is None or not region:
        guess = infer(name, site_code or unit_id, places)
        if tier is None or kind is None:
            tier = tier or guess.tier
            if tier is None:
                reject(
                    f"no tier given and none can be inferred from the name {name!r}; fill the tier column ({_TIERS})"
                )
                return None
            report.inferred += 1
            kind = kind or guess.kind
        region = region or guess.region

    parent_id = unicodedata.normalize("NFKC", cell(cells, "parent_id")).strip() or None
    if parent_id == unit_id:
        parent_id = None

    status = cell(cells, "status").strip()
    if status and status != "正常":
        report.warnings.append((line, f"{label.get('status', 'status')} is {status!r} (imported anyway)"))

    return Unit(
        unit_id=unit_id,
        name=name,
        tier=tier,
        kind=kind,
        site_url=url_result.url,
        region=region,
        parent_id=parent_id,
        site_code=site_code,
        has_services=has_services,
    )


def _warn_shared_homepages(report: RegistryReport, url_label: str) -> None:
    """Two units with one homepage are both kept, but the evaluator should know."""
    first: dict[str, Unit] = {}
    for unit in report.units:
        key = re.sub(r"^https?://", "", unit.site_url).rstrip("/")
        if key in first:
            other = first[key]
            report.warnings.append(
                (
                    report.lines[unit.unit_id],
                    f"{url_label} {unit.site_url} is also the homepage of line {report.lines[other.unit_id]} "
                    f"({other.unit_id} {other.name})",
                )
            )
        else:
            first[key] = unit
    report.warnings.sort()


def _with_parents(units: list[Unit]) -> list[Unit]:
    """Give departments their government's id when the registry has no parent column.

    The parent of a department is the single portal of the same administrative
    division (the first 6 digits of a 10-digit 网站标识码); with no portal or
    several, the parent stays unknown.
    """
    portals: dict[str, list[str]] = {}
    for unit in units:
        division = division_of(unit.site_code)
        if division and unit.kind == UnitKind.PORTAL.value:
            portals.setdefault(division, []).append(unit.unit_id)
    out: list[Unit] = []
    for unit in units:
        division = division_of(unit.site_code)
        candidates = portals.get(division or "", [])
        if unit.kind == UnitKind.DEPARTMENT.value and len(candidates) == 1:
            unit = replace(unit, parent_id=candidates[0])
        out.append(unit)
    return out


__all__ = ["header_key", "read_registry"]
