"""The booking calendar: the range entries fall in, Dutch working days and month arithmetic.

Months are counted from January 2025 (month 0), the first month with entries.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = [
    "FIRST_ENTRY_DATE",
    "LAST_ENTRY_DATE",
    "YEARS",
    "FIRST_DAY",
    "LAST_DAY",
    "WORK_CALENDAR",
    "WORKDAYS",
    "MONTH_NAMES",
    "N_MONTHS",
    "month_index",
    "month_first",
    "last_workday",
    "first_workday",
    "workday_on_or_after",
]

FIRST_ENTRY_DATE = dt.date(2025, 1, 2)
LAST_ENTRY_DATE = dt.date(2026, 11, 20)
YEARS = range(2013, 2028)  # years with accounting periods
FIRST_DAY = np.datetime64(FIRST_ENTRY_DATE, "D")
LAST_DAY = np.datetime64(LAST_ENTRY_DATE, "D")
# Dutch public holidays in the booking range (2025 is a lustrum year, so 5 May is a day off).
WORK_CALENDAR = np.busdaycalendar(
    holidays=[
        "2025-01-01",
        "2025-04-21",
        "2025-05-05",
        "2025-05-29",
        "2025-06-09",
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-06",
        "2026-04-27",
        "2026-05-14",
        "2026-05-25",
    ]
)
WORKDAYS = np.arange(FIRST_DAY, LAST_DAY + 1)[
    np.is_busday(np.arange(FIRST_DAY, LAST_DAY + 1), busdaycal=WORK_CALENDAR)
]
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
N_MONTHS = 23  # January 2025 .. November 2026


def month_index(date: np.ndarray) -> np.ndarray:
    """Months since January 2025."""
    return date.astype("datetime64[M]").astype(np.int64) - np.datetime64("2025-01", "M").astype(np.int64)


def month_first(m: np.ndarray | int) -> np.ndarray:
    return (np.datetime64("2025-01", "M") + np.asarray(m)).astype("datetime64[D]")


def last_workday(m: np.ndarray | int) -> np.ndarray:
    return np.busday_offset(month_first(np.asarray(m) + 1) - 1, 0, roll="backward", busdaycal=WORK_CALENDAR)


def first_workday(m: np.ndarray | int) -> np.ndarray:
    return np.busday_offset(month_first(m), 0, roll="forward", busdaycal=WORK_CALENDAR)


def workday_on_or_after(d: np.ndarray) -> np.ndarray:
    return np.busday_offset(d, 0, roll="forward", busdaycal=WORK_CALENDAR)
