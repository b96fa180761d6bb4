"""Working days: statutory holidays, 调休 make-up days, override years, unknown years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zwgk.indicators import workdays
from zwgk.indicators.workdays import CalendarUnknownError, WorkCalendar
from zwgk.model import ZwgkError

D = dt.date


def test_three_working_days_across_national_day_lands_on_make_up_saturday():
    # 2025-10-01..08 off; Saturday 2025-10-11 is a 调休 working day.
    assert workdays.add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)
    assert workdays.is_working_day(D(2025, 10, 11))  # a Saturday
    assert not workdays.is_working_day(D(2025, 10, 8))  # a Wednesday


def test_working_days_between_counts_after_a_up_to_b():
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 13)) == 4
    assert workdays.working_days_between(D(2025, 9, 30), D(2025, 10, 10)) == 2  # 10-09, 10-10
    assert workdays.working_days_between(D(2025, 10, 13), D(2025, 10, 13)) == 0
    assert workdays.working_days_between(D(2025, 10, 14), D(2025, 10, 13)) == 0


def test_add_zero_and_negative():
    assert workdays.add_working_days(D(2025, 10, 4), 0) == D(2025, 10, 4)
    assert workdays.add_working_days(D(2025, 10, 13), -1) == D(2025, 10, 11)


def test_make_up_sunday_before_national_day():
    assert workdays.is_working_day(D(2025, 9, 28))  # Sunday 调休


def test_unknown_year_raises_naming_the_override_file():
    with pytest.raises(CalendarUnknownError) as info:
        workdays.add_working_days(D(2026, 12, 30), 5)
    assert "workdays-override.toml" in str(info.value)
    assert "2027" in str(info.value)
    assert isinstance(info.value, ZwgkError)
    with pytest.raises(CalendarUnknownError):
        workdays.check_known(D(2027, 3, 1))


def test_override_file_supplies_an_unknown_year(tmp_path: Path):
    path = tmp_path / "override.toml"
    path.write_text(
        "[years.2027]\nholidays = [2027-01-01, 2027-02-05, 2027-02-08]\nworkdays = [2027-02-06]\n", encoding="utf-8"
    )
    cal = WorkCalendar.load(path)
    assert cal.knows(2027)
    assert not cal.is_working_day(D(2027, 1, 1))  # listed holiday (Friday)
    assert cal.is_working_day(D(2027, 2, 6))  # listed make-up Saturday
    assert not cal.is_working_day(D(2027, 2, 7))  # ordinary Sunday
    assert cal.is_working_day(D(2027, 2, 9))  # ordinary Tuesday
    # 2027-02-04 Thu → Fri 5 off, Sat 6 work, Sun 7, Mon 8 off, Tue 9 work
    assert cal.add_working_days(D(2027, 2, 4), 2) == D(2027, 2, 9)
    # across the year boundary: package data for 2026, file for 2027
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    with pytest.raises(CalendarUnknownError) as info:
        cal.is_working_day(D(2028, 1, 3))
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[years.2027]\nholidays = ['2027-13-01']\n", "not a date"),
        ("[years.2027]\nholidays = [2028-01-01]\n", "another year"),
        ("[years.2027]\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n", "both"),
        ("[years.2027]\noff = []\n", "unknown key"),
        ("[other]\n", "unknown key"),
    ],
)
def test_bad_override_files_are_rejected(tmp_path: Path, text: str, fragment: str):
    path = tmp_path / "o.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ZwgkError) as info:
        WorkCalendar.load(path)
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_shipped_override_file_parses():
    cal = WorkCalendar.load(workdays.DEFAULT_OVERRIDE)
    assert cal.override_path.name == "workdays-override.toml"
