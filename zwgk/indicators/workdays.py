"""Chinese working days: the one place zwgk counts "N working days after D".

Statutory holidays and 调休 make-up working days come from ``chinese_calendar``
(years it ships data for) and from ``zwgk/data/workdays-override.toml`` (years
published by the State Council after the installed package was released, or
corrections).  A date in a year that neither knows raises
:class:`CalendarUnknownError` instead of guessing: the ``holidays`` package
silently returns wrong answers for unknown years (no make-up days), which would
turn a timely 解读 into a late one.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from zwgk.model import ZwgkError

DEFAULT_OVERRIDE = Path(__file__).resolve().parents[1] / "data" / "workdays-override.toml"

# Walking more than this many calendar days for one answer means the input is wrong.
_MAX_STEPS = 20000


class CalendarUnknownError(ZwgkError):
    """A date lies in a year for which no holiday schedule is known."""

    def __init__(self, day: dt.date, override: Path):
        self.day, self.override = day, override
        super().__init__(
            f"no Chinese holiday schedule known for {day.year} (date {day.isoformat()}): "
            f"chinese_calendar {getattr(chinese_calendar, '__version__', '?')} does not cover it. "
            f"Add [years.{day.year}] with its holidays and make-up workdays (调休) from the State "
            f"Council notice to {override}, or upgrade chinesecalendar. "
            f"/ 缺少{day.year}年节假日安排：请在 {override} 中补充 [years.{day.year}]（放假日期与调休上班日期）"
            "或升级 chinesecalendar。"
        )


@dataclass(frozen=True)
class OverrideYear:
    """One year's schedule from the override file: listed days only, weekends implied."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass
class WorkCalendar:
    """chinese_calendar plus an override file; years in the file win over the package."""

    override_path: Path = DEFAULT_OVERRIDE
    years: dict[int, OverrideYear] = field(default_factory=dict)

    @classmethod
    def load(cls, override_path: str | Path = DEFAULT_OVERRIDE) -> WorkCalendar:
        path = Path(override_path)
        if not path.exists():
            return cls(path, {})
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ZwgkError(f"{path}: invalid TOML: {exc}") from exc
        unknown = set(data) - {"years"}
        if unknown:
            raise ZwgkError(f"{path}: unknown key(s) {sorted(unknown)}; only [years.YYYY] tables are allowed")
        years: dict[int, OverrideYear] = {}
        for key, table in (data.get("years") or {}).items():
            try:
                year = int(key)
            except ValueError:
                raise ZwgkError(f"{path}: [years.{key}] is not a year") from None
            bad = set(table) - {"holidays", "workdays"}
            if bad:
                raise ZwgkError(f"{path}: [years.{key}] unknown key(s) {sorted(bad)}; use holidays / workdays")
            days: dict[str, frozenset[dt.date]] = {}
            for name in ("holidays", "workdays"):
                parsed = set()
                for value in table.get(name, []):
                    day = value if isinstance(value, dt.date) else _parse_day(path, key, name, value)
                    if day.year != year:
                        raise ZwgkError(f"{path}: [years.{key}] {name} has {day} from another year")
                    parsed.add(day)
                days[name] = frozenset(parsed)
            clash = days["holidays"] & days["workdays"]
            if clash:
                raise ZwgkError(f"{path}: [years.{key}] {sorted(clash)} listed as both holiday and workday")
            years[year] = OverrideYear(days["holidays"], days["workdays"])
        return cls(path, years)

    def knows(self, year: int) -> bool:
        if year in self.years:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: dt.date) -> bool:
        entry = self.years.get(day.year)
        if entry is not None:
            if day in entry.workdays:
                return True
            if day in entry.holidays:
                return False
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknownError(day, self.override_path) from None

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        remaining, current, steps = abs(n), day, 0
        while remaining:
            current += dt.timedelta(days=step)
            steps += 1
            if steps > _MAX_STEPS:
                raise ZwgkError(f"add_working_days({day}, {n}): too far")
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        if b <= a:
            return 0
        if (b - a).days > _MAX_STEPS:
            raise ZwgkError(f"working_days_between({a}, {b}): span too long")
        count, current = 0, a
        while current < b:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def _parse_day(path: Path, key: str, name: str, value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ZwgkError(f"{path}: [years.{key}] {name}: {value!r} is not a date (YYYY-MM-DD)") from None


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    """The calendar of the installed package plus the shipped override file."""
    return WorkCalendar.load(DEFAULT_OVERRIDE)


def is_working_day(d: dt.date) -> bool:
    """True on a working day (weekday that is no holiday, or a 调休 make-up day)."""
    return default_calendar().is_working_day(d)


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``d`` (before it when ``n`` < 0); ``n`` = 0 gives ``d``."""
    return default_calendar().add_working_days(d, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Number of working days after ``a`` up to and including ``b`` (0 when ``b`` <= ``a``)."""
    return default_calendar().working_days_between(a, b)


def check_known(d: dt.date) -> None:
    """Raise :class:`CalendarUnknownError` when ``d``'s year has no known schedule."""
    if not default_calendar().knows(d.year):
        raise CalendarUnknownError(d, default_calendar().override_path)
