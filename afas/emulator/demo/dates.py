"""The booking calendar: the range entries fall in, Dutch working days and month arithmetic.

Entries run from the first working day of a calendar's first year up to 20 November 2026. A demo of
up to 4 million lines books 2025 and 2026; a larger one reaches back a year per further 2 million
lines (10 million lines: 2022-2026), so a big administration has the history of several years
rather than an implausible volume per day. Months are counted from January of the first year
(month 0), the first month with entries.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
from dateutil.easter import easter

__all__ = [
    "FIRST_ENTRY_DATE",
    "LAST_ENTRY_DATE",
    "YEARS",
    "MONTH_NAMES",
    "Calendar",
    "calendar_for",
    "dutch_holidays",
]

LAST_ENTRY_DATE = dt.date(2026, 11, 20)
FIRST_YEAR = 2025  # of a demo of up to LINES_PER_YEAR * 2 lines
LINES_PER_YEAR = 2_000_000
YEARS = range(2013, 2028)  # years with accounting periods
MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_holidays(year: int) -> list[dt.date]:
    """The Dutch public holidays that close offices and banks: New Year, Easter Monday, King's Day
    (27 April, or the 26th when the 27th is a Sunday), Liberation Day in a lustrum year, Ascension
    Day, Whit Monday and both Christmas days."""
    sunday = easter(year)
    kings = dt.date(year, 4, 27)
    if kings.weekday() == 6:
        kings = dt.date(year, 4, 26)
    days = [
        dt.date(year, 1, 1),
        sunday + dt.timedelta(days=1),
        kings,
        sunday + dt.timedelta(days=39),
        sunday + dt.timedelta(days=50),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
    ]
    if year % 5 == 0:
        days.append(dt.date(year, 5, 5))
    return sorted(days)


class Calendar:
    """Working days and month arithmetic from January of ``first_year`` to LAST_ENTRY_DATE."""

    def __init__(self, first_year: int) -> None:
        if not YEARS.start < first_year <= LAST_ENTRY_DATE.year - 1:
            raise ValueError(f"a demo calendar starts in {YEARS.start + 1}..{LAST_ENTRY_DATE.year - 1}")
        self.first_year = first_year
        self.first_month = np.datetime64(f"{first_year}-01", "M")
        self.work_calendar = np.busdaycalendar(
            holidays=[d for y in range(first_year, LAST_ENTRY_DATE.year + 2) for d in dutch_holidays(y)]
        )
        self.first_day = self.workday_on_or_after(np.datetime64(f"{first_year}-01-02", "D"))
        self.last_day = np.datetime64(LAST_ENTRY_DATE, "D")
        days = np.arange(self.first_day, self.last_day + 1)
        self.workdays = days[np.is_busday(days, busdaycal=self.work_calendar)]
        self.n_months = int(self.month_index(self.last_day)) + 1

    @property
    def first_date(self) -> dt.date:
        return self.first_day.astype(dt.date)

    def month_index(self, date: np.ndarray) -> np.ndarray:
        """Months since January of the first year."""
        return np.asarray(date).astype("datetime64[M]").astype(np.int64) - self.first_month.astype(np.int64)

    def month_first(self, m: np.ndarray | int) -> np.ndarray:
        return (self.first_month + np.asarray(m)).astype("datetime64[D]")

    def last_workday(self, m: np.ndarray | int) -> np.ndarray:
        end = self.month_first(np.asarray(m) + 1) - 1
        return np.busday_offset(end, 0, roll="backward", busdaycal=self.work_calendar)

    def first_workday(self, m: np.ndarray | int) -> np.ndarray:
        return np.busday_offset(self.month_first(m), 0, roll="forward", busdaycal=self.work_calendar)

    def workday_on_or_after(self, d: np.ndarray) -> np.ndarray:
        return np.busday_offset(d, 0, roll="forward", busdaycal=self.work_calendar)

    def busday_offset(self, d: np.ndarray, offset: int | np.ndarray, roll: str = "raise") -> np.ndarray:
        return np.busday_offset(d, offset, roll=roll, busdaycal=self.work_calendar)


@functools.lru_cache(maxsize=8)
def _calendar(first_year: int) -> Calendar:
    return Calendar(first_year)


def calendar_for(transactions: int) -> Calendar:
    """The calendar of a demo of ``transactions`` journal lines: 2025-2026 up to 4 million lines,
    a year earlier per further 2 million (at most back to 2014)."""
    extra = max(0, math.ceil(transactions / LINES_PER_YEAR) - (LAST_ENTRY_DATE.year - FIRST_YEAR + 1))
    return _calendar(max(FIRST_YEAR - extra, YEARS.start + 1))


FIRST_ENTRY_DATE = calendar_for(0).first_date  # of a demo of the default calendar
