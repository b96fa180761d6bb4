"""Working days for planting dates (the farm's own copy: it must not depend on
the assessor it measures).  Outside chinese_calendar's years it falls back to
Monday–Friday, so a farm can be built for any as-of date."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=8192)
def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``day`` (``count=0`` → ``day``)."""
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        count += is_workday(current)
    return count


def last_workday_before_break(day: dt.date) -> dt.date:
    """The nearest working day on or before ``day`` that is followed by a day off
    (a Friday, or the eve of a holiday), so a 3-working-day window spans a break."""
    current = day
    for _ in range(30):
        if is_workday(current) and not is_workday(current + dt.timedelta(days=1)):
            return current
        current -= dt.timedelta(days=1)
    return day


def makeup_workday_near(day: dt.date) -> dt.date | None:
    """A weekend day that is a 调休 working day within 60 days before ``day``."""
    current = day
    for _ in range(60):
        if current.weekday() >= 5 and is_workday(current):
            return current
        current -= dt.timedelta(days=1)
    return None
