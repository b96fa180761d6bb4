"""The rubric: indicators, rules, columns and scoring constants as editable data.

Evaluators apply the national inspection indicators (国办秘函〔2019〕19号) and their
province's variant, which changes by year; so every threshold and point value
lives in a TOML file under ``zwgk/data/rubrics/`` and never in code.  A file may
name ``base = "national-2019"`` and override any value (deep merge); it may add
columns, indicators and composite items, but not invent rule codes or fields —
an unknown key is a typo that would otherwise silently change nothing.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import math
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeGuard

from zwgk.indicators.rules import RULES
from zwgk.indicators.spec import (
    IPV6_DEFAULT_WEIGHTS,
    IPV6_INDICATORS,
    ColumnSpec,
    Indicator,
    Ipv6Scoring,
    Rubric,
    RuleSpec,
    Scoring,
)
from zwgk.model import RubricError, Severity, WeightError, check_weight

# The typed values live in zwgk.indicators.spec (the rule functions import them from there);
# the loader builds them, and callers of the catalog may still import them from here.

RUBRIC_DIR = Path(__file__).resolve().parents[1] / "data" / "rubrics"

SEVERITIES = {s.value for s in Severity}
PARTS = {"deduct", "bonus"}
NO_SERVICES_MODES = {"scale", "redistribute"}
SERVICES_UNJUDGED_MODES = {"exclude", "zero"}


# ---------------------------------------------------------------------------- schema

_Fail = Callable[[list[str], str], NoReturn]  # raises RubricError at the line of the key path

_IPV6_FIELDS = {"weights": "table", "full_rate": "number", "target": "number"}
_TOP_KEYS = {
    "base",
    "name",
    "title",
    "source",
    "description",
    "scoring",
    "indicators",
    "rules",
    "columns",
    "ipv6",
    "annual",
}
# 年考核 roll-up (``zwgk.monitor.annual``): the components' weights (each 0..1, summing to 1 after
# merging with the base) and the score a vetoed round counts as (0..100).
ANNUAL_COMPONENTS = ("rounds", "availability", "bulletins", "rectification")
_ANNUAL_FIELDS = {**{k: "number" for k in ANNUAL_COMPONENTS}, "veto_round_score": "number"}
_SCORING_FIELDS = {
    "total": "number",
    "pass_line": "number",
    "bonus_gate": "number",
    "bonus_max": "number",
    "weight": "number",
    "no_services_mode": "str",
    "no_services_factor": "number",
    "services_indicator": "str",
    "rectify_working_days": "int",
    "overdue_extra_points": "number",
    "overdue_cap": "number",
    "composite": "table",
    "services_unjudged": "str",
}
_INDICATOR_FIELDS = {"name": "str", "points": "number", "part": "str", "description": "str"}
_RULE_FIELDS = {
    "name_zh": "str",
    "name_en": "str",
    "category": "str",
    "indicator": "str",
    "severity": "str",
    "points": "number",
    "cap": "number",
    "tiers": "strlist",
    "kinds": "strlist",
    "params": "table",
    "why_zh": "str",
    "why_en": "str",
    "fix_zh": "str",
    "fix_en": "str",
    "what_zh": "str",
    "what_en": "str",
    "subject": "str",
    "source": "str",
    "enabled": "bool",
}
_COLUMN_FIELDS = {
    "synonyms": "strlist",
    "key_terms": "strlist",
    "exclude": "strlist",
    "examples": "strlist",
    "hub": "bool",
    "required": "bool",
    "freshness_days": "int",
    "kind": "str",
    "parent": "str",
    "tiers": "strlist",
    "kinds": "strlist",
}
_RULE_REQUIRED = ("name_zh", "name_en", "category", "indicator", "severity", "points")

# Sane ranges (inclusive) of every number a rubric may hold.  A value outside them is a typo
# or a hostile file: ``1e308`` points would score everyone 1e308 合格, a 400-digit integer
# overflows float(), a huge rectification period overflows the calendar.  Real rubrics use
# totals of 100 and periods of days to a year, far inside these bounds.
MAX_POINTS = 1000.0
_SCORING_RANGES: dict[str, tuple[float, float]] = {
    "total": (1.0, MAX_POINTS),
    "pass_line": (0.0, MAX_POINTS),
    "bonus_gate": (0.0, MAX_POINTS),
    "bonus_max": (0.0, MAX_POINTS),
    "weight": (0.04, 1.0),
    "no_services_factor": (1.0, 10.0),
    "rectify_working_days": (1, 250),  # about one year of working days
    "overdue_extra_points": (0.0, MAX_POINTS),
    "overdue_cap": (0.0, MAX_POINTS),
}
_POINT_RANGE = (0.0, MAX_POINTS)  # indicator points, rule points and caps
_FRESHNESS_RANGE = (0, 3660)  # days (0 = not checked); ten years at most
_SHARE_PARAM = re.compile(r"(share|rate|similarity|ratio)$")  # rule parameters that are fractions
_SHARE_RANGE = (0.0, 1.0)
_PARAM_RANGE = (0.0, 100_000.0)  # any other numeric rule parameter (days, counts, seconds)


# ---------------------------------------------------------------------------- loading


def resolve_path(name_or_path: str | Path) -> Path:
    """A shipped rubric name (``national-2019``) or a path to a TOML file."""
    text = str(name_or_path)
    candidate = Path(text)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in text or "\\" in text:
        if not candidate.exists():
            raise RubricError(text, None, "rubric file not found")
        return candidate
    shipped = RUBRIC_DIR / f"{text}.toml"
    if not shipped.exists():
        known = ", ".join(sorted(p.stem for p in RUBRIC_DIR.glob("*.toml")))
        raise RubricError(text, None, f"no such rubric; shipped rubrics: {known}; or give a path to a .toml file")
    return shipped


def available_rubrics() -> list[str]:
    return sorted(p.stem for p in RUBRIC_DIR.glob("*.toml"))


@functools.cache
def rule_codes(rubric: str = "national-2019") -> tuple[str, ...]:
    """Every rule code of a shipped rubric, in catalog order: the one list of codes.

    The site farm derives the codes it plants from it (``zwgk.sitefarm.specs``) and the tests
    check that every code is planted and in the farm's ground truth; a province's rubric cannot
    add codes (``_validate`` refuses them), so the national catalog's are all there are.
    """
    return tuple(load_rubric(rubric).rules)


def load_rubric(name_or_path: str | Path = "national-2019") -> Rubric:
    """Load, merge with its base, validate and freeze a rubric."""
    path = resolve_path(name_or_path)
    data = _resolve(path, seen=())
    return _build(data, path)


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(str(path), None, f"not UTF-8 text: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise RubricError(str(path), int(match.group(1)) if match else None, f"invalid TOML: {exc}") from None


def _resolve(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """The merged raw dict of ``path`` and its chain of bases, validated key by key."""
    real = path.resolve()
    if real in seen:
        raise RubricError(str(path), None, "base chain loops back to this file")
    raw, text = _read_toml(path)
    base_name = raw.get("base")
    base: dict[str, Any] | None = None
    if base_name is not None:
        if not isinstance(base_name, str):
            raise RubricError(str(path), find_line(text, ["base"]), "base must be a rubric name or path")
        base_path = _base_path(path, base_name)
        base = _resolve(base_path, (*seen, real))
    _validate(raw, base, path, text)
    merged = deep_merge(base, raw) if base is not None else copy.deepcopy(raw)
    _check_relations(merged, raw, path, text)
    merged.pop("base", None)
    merged.setdefault("name", path.stem)
    if base is not None and "name" not in raw:
        merged["name"] = path.stem
    return merged


def _base_path(path: Path, base_name: str) -> Path:
    local = path.parent / base_name
    for candidate in (local, local.with_suffix(".toml")):
        if candidate.is_file():
            return candidate
    return resolve_path(base_name)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: tables merge recursively, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# ---------------------------------------------------------------------------- validation


def _validate(raw: dict[str, Any], base: dict[str, Any] | None, path: Path, text: str) -> None:
    def fail(keys: list[str], reason: str) -> NoReturn:
        raise RubricError(str(path), find_line(text, keys), reason)

    for key in raw:
        if key not in _TOP_KEYS:
            fail([key], f"unknown key {key!r}; allowed: {', '.join(sorted(_TOP_KEYS))}")
    for key in ("name", "title", "source", "description"):
        if key in raw and not isinstance(raw[key], str):
            fail([key], f"{key} must be a string")

    scoring = raw.get("scoring", {})
    _check_table(scoring, ["scoring"], fail)
    _check_fields(scoring, _SCORING_FIELDS, ["scoring"], fail)
    for key, (low, high) in _SCORING_RANGES.items():
        if key in scoring and key != "weight":
            _check_range(scoring[key], low, high, ["scoring", key], fail)
    if "weight" in scoring:
        if _is_number(scoring["weight"]) and abs(scoring["weight"]) > 1e6:  # float() of a huge int overflows
            _check_range(scoring["weight"], *_SCORING_RANGES["weight"], ["scoring", "weight"], fail)
        try:
            check_weight(float(scoring["weight"]), "scoring.weight")
        except WeightError as exc:
            fail(["scoring", "weight"], str(exc))
    if "no_services_mode" in scoring and scoring["no_services_mode"] not in NO_SERVICES_MODES:
        fail(["scoring", "no_services_mode"], f"no_services_mode must be one of {sorted(NO_SERVICES_MODES)}")
    if "services_unjudged" in scoring and scoring["services_unjudged"] not in SERVICES_UNJUDGED_MODES:
        fail(["scoring", "services_unjudged"], f"services_unjudged must be one of {sorted(SERVICES_UNJUDGED_MODES)}")
    for key, value in scoring.get("composite", {}).items():
        if not _is_number(value) or not _finite(value) or value < 0 or value > 1:
            fail(["scoring", "composite", key], f"composite weight of {key!r} must be a number in 0..1")

    indicators = raw.get("indicators", {})
    _check_table(indicators, ["indicators"], fail)
    for ind_id, spec in indicators.items():
        _check_table(spec, ["indicators", ind_id], fail)
        _check_fields(spec, _INDICATOR_FIELDS, ["indicators", ind_id], fail)
        if "points" in spec:
            _check_range(spec["points"], *_POINT_RANGE, ["indicators", ind_id, "points"], fail)
        if "part" in spec and spec["part"] not in PARTS:
            fail(["indicators", ind_id, "part"], f"part must be one of {sorted(PARTS)}")
        is_new = base is None or ind_id not in base.get("indicators", {})
        if is_new:
            for req in ("name", "points"):
                if req not in spec:
                    fail(["indicators", ind_id], f"indicator {ind_id!r} needs {req!r}")

    rules = raw.get("rules", {})
    _check_table(rules, ["rules"], fail)
    base_rules = (base or {}).get("rules", {})
    for code, spec in rules.items():
        _check_table(spec, ["rules", code], fail)
        if base is not None and code not in base_rules:
            fail(["rules", code], f"unknown rule code {code!r}: not in base rubric (codes are fixed by zwgk)")
        _check_fields(spec, _RULE_FIELDS, ["rules", code], fail)
        if base is None:
            if code not in RULES:
                fail(["rules", code], f"unknown rule code {code!r}: zwgk has no rule with this code")
            for req in _RULE_REQUIRED:
                if req not in spec:
                    fail(["rules", code], f"rule {code} needs {req!r}")
        for key in ("points", "cap"):
            if key in spec:
                _check_range(spec[key], *_POINT_RANGE, ["rules", code, key], fail)
        if "severity" in spec and spec["severity"] not in SEVERITIES:
            fail(["rules", code, "severity"], f"severity must be one of {sorted(SEVERITIES)}")
        params = spec.get("params", {})
        if base is not None:
            known = set(base_rules.get(code, {}).get("params", {}))
            for key in params:
                if key not in known:
                    allowed = ", ".join(sorted(known)) or "none"
                    fail(
                        ["rules", code, "params", key], f"unknown parameter {key!r} of rule {code} (allowed: {allowed})"
                    )
        for key, value in params.items():
            where = ["rules", code, "params", key]
            numbers = value if isinstance(value, list) else [value]
            for number in numbers:
                if not _is_number(number):
                    continue
                if number < 0:
                    fail(where, f"parameter {key!r} of rule {code} must not be negative")
                bounds = _SHARE_RANGE if _SHARE_PARAM.search(key) else _PARAM_RANGE
                _check_range(number, *bounds, where, fail)

    ipv6 = raw.get("ipv6", {})
    _check_table(ipv6, ["ipv6"], fail)
    _check_fields(ipv6, _IPV6_FIELDS, ["ipv6"], fail)
    if "target" in ipv6:
        _check_range(ipv6["target"], 0.0, 100.0, ["ipv6", "target"], fail)
    if "full_rate" in ipv6:
        _check_range(ipv6["full_rate"], 0.01, 1.0, ["ipv6", "full_rate"], fail)
    for key, value in (ipv6.get("weights") or {}).items():
        if key not in IPV6_INDICATORS:
            fail(
                ["ipv6", "weights", key], f"unknown IPv6 indicator {key!r}; the seven are: {', '.join(IPV6_INDICATORS)}"
            )
        if not _is_number(value):
            fail(["ipv6", "weights", key], f"ipv6.weights.{key} must be a number")
        _check_range(value, 0.0, 100.0, ["ipv6", "weights", key], fail)
    annual = raw.get("annual", {})
    _check_table(annual, ["annual"], fail)
    _check_fields(annual, _ANNUAL_FIELDS, ["annual"], fail)
    for key, value in annual.items():
        _check_range(value, 0.0, 100.0 if key == "veto_round_score" else 1.0, ["annual", key], fail)

    columns = raw.get("columns", {})
    _check_table(columns, ["columns"], fail)
    for name, spec in columns.items():
        _check_table(spec, ["columns", name], fail)
        _check_fields(spec, _COLUMN_FIELDS, ["columns", name], fail)
        if "freshness_days" in spec:
            _check_range(spec["freshness_days"], *_FRESHNESS_RANGE, ["columns", name, "freshness_days"], fail)


def _check_relations(merged: dict[str, Any], raw: dict[str, Any], path: Path, text: str) -> None:
    """Scoring values that are each in range but contradict one another.

    Checked on the merged rubric (a province may override only ``total``), and
    reported at the line of whichever value this file set.
    """
    weights = (merged.get("ipv6") or {}).get("weights")
    if isinstance(weights, dict) and weights:
        total_w = sum(float(weights.get(k, 0.0)) for k in IPV6_INDICATORS)
        if abs(total_w - 100.0) > 1e-6:
            own_w = (raw.get("ipv6") or {}).get("weights") or {}
            first = next(iter(own_w), None)
            keys = ["ipv6", "weights", first] if first else ["ipv6", "weights"]
            raise RubricError(
                str(path),
                find_line(text, keys),
                f"the seven ipv6.weights sum to {total_w:g}, they must sum to 100 "
                f"({', '.join(f'{k}={float(weights.get(k, 0.0)):g}' for k in IPV6_INDICATORS)})",
            )
    scoring = merged.get("scoring", {})
    own = raw.get("scoring", {})
    if not isinstance(scoring, dict):
        return

    def fail(keys: tuple[str, ...], reason: str) -> NoReturn:
        mine = [k for k in keys if k in own] or list(keys)
        raise RubricError(str(path), find_line(text, ["scoring", mine[0]]), reason)

    total = scoring.get("total")
    if not _is_number(total):
        return
    for key, label in (("pass_line", "合格线 pass_line"), ("bonus_gate", "加分门槛 bonus_gate")):
        value = scoring.get(key)
        if _is_number(value) and value > total:
            fail(
                (key, "total"), f"scoring.{key} = {value:g} is above scoring.total = {total:g}: {label} must be ≤ total"
            )
    cap, extra = scoring.get("overdue_cap"), scoring.get("overdue_extra_points")
    if _is_number(cap) and cap > total:
        fail(("overdue_cap", "total"), f"scoring.overdue_cap = {cap:g} is above scoring.total = {total:g}")
    if _is_number(cap) and _is_number(extra) and extra > cap:
        fail(
            ("overdue_extra_points", "overdue_cap"),
            f"scoring.overdue_extra_points = {extra:g} is above scoring.overdue_cap = {cap:g}",
        )


def _check_range(value: Any, low: float, high: float, keys: list[str], fail: _Fail) -> None:
    """Refuse nan, inf and numbers outside ``[low, high]`` (ints compared exactly, never overflowing)."""
    if not _is_number(value):
        return
    name = ".".join(keys)
    if not _finite(value):
        fail(keys, f"{name} = {value} is not a finite number; write a number between {low:g} and {high:g}")
    if value < low or value > high:
        shown = (
            f"{value:g}"
            if isinstance(value, float)
            else (str(value) if len(str(value)) <= 20 else f"a {len(str(value))}-digit number")
        )
        fail(keys, f"{name} = {shown} is out of range; it must be between {low:g} and {high:g}")


def _finite(value: Any) -> bool:
    """False for nan and ±inf (which TOML allows and which no score can hold)."""
    return not isinstance(value, float) or math.isfinite(value)


def _check_table(value: Any, keys: list[str], fail: _Fail) -> None:
    if not isinstance(value, dict):
        fail(keys, f"{'.'.join(keys)} must be a table")


def _check_fields(spec: dict[str, Any], fields: dict[str, str], keys: list[str], fail: _Fail) -> None:
    for key, value in spec.items():
        kind = fields.get(key)
        where = [*keys, key]
        if kind is None:
            fail(where, f"unknown key {key!r} in [{'.'.join(keys)}]; allowed: {', '.join(sorted(fields))}")
        ok = {
            "number": _is_number(value),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "str": isinstance(value, str),
            "bool": isinstance(value, bool),
            "table": isinstance(value, dict),
            "strlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }[kind]
        if not ok:
            fail(where, f"{'.'.join(where)} must be {kind.replace('strlist', 'a list of strings')}")
        if kind in ("number", "int") and not _finite(value):
            fail(where, f"{'.'.join(where)} = {value} is not a finite number (nan/inf are not scores)")
        if kind in ("number", "int") and value < 0:
            fail(where, f"{'.'.join(where)} = {value} is negative; points and thresholds must be ≥ 0")


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# ---------------------------------------------------------------------------- building


def _build(data: dict[str, Any], path: Path) -> Rubric:
    where = str(path)
    scoring_raw = dict(data.get("scoring", {}))
    composite = {str(k): float(v) for k, v in scoring_raw.pop("composite", {}).items()}
    scoring = Scoring(**{k: _coerce_scoring(k, v) for k, v in scoring_raw.items()}, composite=composite)

    indicators = {
        ind_id: Indicator(
            id=ind_id,
            name=spec["name"],
            points=float(spec["points"]),
            part=spec.get("part", "deduct"),
            description=spec.get("description", ""),
        )
        for ind_id, spec in data.get("indicators", {}).items()
    }
    if scoring.services_indicator and scoring.services_indicator not in indicators:
        raise RubricError(where, None, f"scoring.services_indicator {scoring.services_indicator!r} is not an indicator")

    deduct_sum = sum(i.points for i in indicators.values() if i.part == "deduct")
    bonus_sum = sum(i.points for i in indicators.values() if i.part == "bonus")
    if abs(deduct_sum - scoring.total) > 1e-6:
        raise RubricError(
            where, None, f"deduction indicators sum to {deduct_sum:g} points, scoring.total is {scoring.total:g}"
        )
    if bonus_sum and abs(bonus_sum - scoring.bonus_max) > 1e-6:
        raise RubricError(
            where, None, f"bonus indicators sum to {bonus_sum:g} points, scoring.bonus_max is {scoring.bonus_max:g}"
        )

    rules: dict[str, RuleSpec] = {}
    for code, spec in data.get("rules", {}).items():
        if spec["indicator"] not in indicators:
            raise RubricError(
                where, None, f"rule {code}: indicator {spec['indicator']!r} is not defined under [indicators]"
            )
        values = dict(spec)
        values["points"] = float(values["points"])
        if "cap" in values:
            values["cap"] = float(values["cap"])
        values["tiers"] = tuple(values.get("tiers", ()))
        values["kinds"] = tuple(values.get("kinds", ()))
        rules[code] = RuleSpec(code=code, **values)

    columns: dict[str, ColumnSpec] = {}
    for name, spec in data.get("columns", {}).items():
        days = spec.get("freshness_days")
        columns[name] = ColumnSpec(
            name=name,
            synonyms=tuple(spec.get("synonyms", ())),
            key_terms=tuple(spec.get("key_terms", ())),
            exclude=tuple(spec.get("exclude", ())),
            examples=tuple(spec.get("examples", ())),
            hub=bool(spec.get("hub", False)),
            required=bool(spec.get("required", False)),
            freshness_days=int(days) if days else None,  # 0 = not checked (TOML has no null)
            kind=spec.get("kind", ""),
            parent=spec.get("parent", ""),
            tiers=tuple(spec.get("tiers", ())),
            kinds=tuple(spec.get("kinds", ())),
        )

    ipv6_raw = data.get("ipv6", {}) or {}
    weights = dict(IPV6_DEFAULT_WEIGHTS)
    weights.update({k: float(v) for k, v in (ipv6_raw.get("weights") or {}).items()})
    ipv6 = Ipv6Scoring(
        weights=weights, full_rate=float(ipv6_raw.get("full_rate", 0.95)), target=float(ipv6_raw.get("target", 90.0))
    )
    annual = {str(k): float(v) for k, v in data.get("annual", {}).items()}
    annual_weights = [annual[k] for k in ANNUAL_COMPONENTS if k in annual]
    if annual_weights and abs(sum(annual_weights) - 1.0) > 1e-6:
        raise RubricError(
            where,
            None,
            f"[annual] weights {', '.join(k for k in ANNUAL_COMPONENTS if k in annual)} "
            f"sum to {sum(annual_weights):g}; they must sum to 1",
        )

    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Rubric(
        name=str(data.get("name", path.stem)),
        title=str(data.get("title", "")),
        source=str(data.get("source", "")),
        hash=digest,
        text=text,
        scoring=scoring,
        indicators=indicators,
        rules=rules,
        columns=columns,
        path=where,
        ipv6=ipv6,
        annual=annual,
    )


def _coerce_scoring(key: str, value: Any) -> Any:
    """TOML integers become floats (points), except counts of days."""
    if key == "rectify_working_days":
        return int(value)
    if _is_number(value):
        return float(value)
    return value


# ---------------------------------------------------------------------------- line finder

_HEADER = re.compile(r"^\s*\[\[?\s*(.+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"^\s*((?:[A-Za-z0-9_\-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'))*)\s*="
)


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_\-]+)", key)
    return [a or b or c for a, b, c in parts]


def find_line(text: str, keys: list[str]) -> int | None:
    """1-based line where the key path ``keys`` is written in TOML ``text``, if found.

    Understands ``[table.headers]``, dotted keys and quoted keys; good enough to
    point an evaluator at the offending line of a hand-edited rubric.
    """
    current: list[str] = []
    best: tuple[int, int] | None = None  # (matched depth, line)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and "=" not in line.split("]")[0]:
            current = _split_key(header.group(1))
            full = current
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            full = current + _split_key(assign.group(1))
        depth = 0
        for a, b in zip(full, keys):
            if a != b:
                break
            depth += 1
        if depth == len(keys) and len(full) >= len(keys):
            return number
        if depth == len(full) and depth > 0 and (best is None or depth > best[0]):
            best = (depth, number)
    return best[1] if best else None
