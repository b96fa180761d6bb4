"""The 基层政务公开标准目录 standard as data: the 26 pilot areas and the catalogue's elements.

Shipped as ``zwgk/data/standards/jiceng-2019.toml`` (seed 004, 国办发〔2019〕54号); a province may
name its own file in the rubric (``JICENG-AREA.params.standard``, a name or a path).  Loaded once
and validated: the JICENG-* rules read it as constant data, as the calendar reads its overrides.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from zwgk.model import ZwgkError
from zwgk.text import normalise

STANDARD_DIR = Path(__file__).resolve().parents[1] / "data" / "standards"


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    synonyms: tuple[str, ...]
    items: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


@dataclass(frozen=True, slots=True)
class Element:
    name: str
    synonyms: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True, slots=True)
class Standard:
    name: str
    title: str
    source: str
    areas: tuple[Area, ...]
    elements: tuple[Element, ...]

    def area_of(self, title: str) -> Area | None:
        """The area a catalogue page or list entry is about (the longest name it contains)."""
        text = normalise(title or "").replace(" ", "")
        best: tuple[int, Area] | None = None
        for area in self.areas:
            for name in area.names:
                if name and normalise(name) in text and (best is None or len(name) > best[0]):
                    best = (len(name), area)
        return best[1] if best else None

    def elements_in(self, headers: list[str]) -> set[str]:
        """The elements a catalogue table's header cells state."""
        cells = [normalise(h or "").replace(" ", "") for h in headers]
        return {e.name for e in self.elements if any(normalise(s) in c for s in e.synonyms for c in cells)}


@lru_cache(maxsize=8)
def load_standard(name_or_path: str = "jiceng-2019") -> Standard:
    """A shipped standard by name, or a TOML file by path; refused with the reason when malformed."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or "/" in name_or_path):
        path = STANDARD_DIR / f"{name_or_path}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in STANDARD_DIR.glob("*.toml")))
        raise ZwgkError(f"基层标准目录 standard {name_or_path!r} not found; shipped: {known}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ZwgkError(f"{path}: not a valid standard file: {exc}") from None

    def strings(value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ZwgkError(f"{path}: {where} must be a list of strings")
        return tuple(value)

    areas = []
    for i, spec in enumerate(raw.get("areas", [])):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise ZwgkError(f"{path}: areas[{i}] needs a name")
        areas.append(
            Area(
                spec["name"],
                strings(spec.get("synonyms", []), f"areas[{i}].synonyms"),
                strings(spec.get("items", []), f"areas[{i}].items"),
            )
        )
    elements = []
    for name, spec in dict(raw.get("elements", {})).items():
        if not isinstance(spec, dict):
            raise ZwgkError(f"{path}: elements.{name} must be a table")
        elements.append(
            Element(
                name,
                strings(spec.get("synonyms", [name]), f"elements.{name}.synonyms"),
                bool(spec.get("required", True)),
            )
        )
    if not areas or not elements:
        raise ZwgkError(f"{path}: a standard needs [[areas]] and [elements.…]")
    if len({a.name for a in areas}) != len(areas):
        raise ZwgkError(f"{path}: area names must be distinct")
    return Standard(
        str(raw.get("name", path.stem)),
        str(raw.get("title", "")),
        str(raw.get("source", "")),
        tuple(areas),
        tuple(elements),
    )
