"""A large demo administration books several years: the calendar that decides them, the Dutch
holidays nobody books on, and books of five years that look like five years of a real business."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from afas.emulator.demo import DemoSummary, populate
from afas.emulator.demo.dates import LAST_ENTRY_DATE, Calendar, calendar_for, dutch_holidays
from afas.emulator.store import Store


@pytest.mark.parametrize(
    ("transactions", "first_year"),
    [(0, 2025), (20_000, 2025), (4_000_000, 2025), (4_000_001, 2024), (10_000_000, 2022), (10**9, 2014)],
)
def test_a_demo_reaches_back_a_year_per_two_million_lines_beyond_four(
    transactions: int, first_year: int
) -> None:
    cal = calendar_for(transactions)
    assert cal.first_year == first_year
    assert cal.last_day == LAST_ENTRY_DATE


def test_a_first_year_outside_the_periods_is_refused() -> None:
    for year in (2013, 2026):
        with pytest.raises(ValueError, match="2014..2025"):
            Calendar(year)


def test_dutch_holidays_are_the_published_ones() -> None:
    d = dt.date
    assert dutch_holidays(2025) == [
        d(2025, 1, 1), d(2025, 4, 21), d(2025, 4, 26), d(2025, 5, 5), d(2025, 5, 29), d(2025, 6, 9),
        d(2025, 12, 25), d(2025, 12, 26),
    ]  # fmt: skip
    assert dutch_holidays(2026) == [
        d(2026, 1, 1), d(2026, 4, 6), d(2026, 4, 27), d(2026, 5, 14), d(2026, 5, 25), d(2026, 12, 25),
        d(2026, 12, 26),
    ]  # fmt: skip
    # 2014: King's Day moves to the 26th when the 27th is a Sunday; 2022 has no Liberation Day off.
    assert d(2014, 4, 26) in dutch_holidays(2014) and d(2014, 4, 27) not in dutch_holidays(2014)
    assert d(2022, 5, 5) not in dutch_holidays(2022)
    assert {d(2022, 4, 18), d(2022, 5, 26), d(2022, 6, 6)} <= set(dutch_holidays(2022))


@pytest.fixture(scope="module")
def five_years() -> tuple[Store, DemoSummary]:
    store = Store()
    return store, populate(store, seed=5, transactions=30_000, first_year=2022)


def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return store.cursor().execute(sql).fetchall()


def test_five_years_of_books_from_the_first_working_day(five_years: tuple[Store, DemoSummary]) -> None:
    store, summary = five_years
    assert summary.years == (2022, 2023, 2024, 2025, 2026)
    assert summary.lines == 30_000
    per_year = dict(rows(store, "SELECT year, count(*) FROM entry_line GROUP BY 1"))
    # Each full year carries about a fifth of the lines (2026 ends on 20 November).
    assert all(0.17 * 30_000 < per_year[y] < 0.24 * 30_000 for y in (2022, 2023, 2024, 2025))
    assert rows(store, "SELECT min(entry_date) FROM entry_line") == [(dt.date(2022, 1, 3),)]
    assert rows(
        store, "SELECT DISTINCT entry_date, description FROM entry_line WHERE description LIKE 'Beginbalans%'"
    ) == [(dt.date(2022, 1, 3), "Beginbalans 2022")]


def test_nothing_is_booked_on_a_weekend_or_a_dutch_holiday(five_years: tuple[Store, DemoSummary]) -> None:
    store, _ = five_years
    days = {r[0] for r in rows(store, "SELECT DISTINCT entry_date FROM entry_line")}
    holidays = {h for y in range(2022, 2027) for h in dutch_holidays(y)}
    assert not days & holidays
    assert all(day.weekday() < 5 for day in days)


def test_every_month_has_its_salaries_and_every_quarter_its_vat_return(
    five_years: tuple[Store, DemoSummary],
) -> None:
    store, _ = five_years
    salaries = rows(
        store,
        """SELECT DISTINCT year, period, description FROM entry_line
        WHERE unit = 1 AND description LIKE 'Salarissen %' ORDER BY 1, 2""",
    )
    # Salaries are paid around the 25th: November 2026's fall after the last booking day (the 20th).
    months = [(y, p) for y in range(2022, 2027) for p in range(1, 13) if (y, p) <= (2026, 10)]
    assert [(y, p) for y, p, _ in salaries] == months
    names = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
             "oktober", "november", "december"]  # fmt: skip
    assert all(text == f"Salarissen {names[p - 1]} {y}" for y, p, text in salaries)
    vat = rows(
        store,
        """SELECT DISTINCT description FROM entry_line WHERE unit = 1 AND description LIKE 'Btw-aangifte%'""",
    )
    quarters = {f"Btw-aangifte {q}e kwartaal {y}" for y in range(2022, 2027) for q in range(1, 5)}
    quarters -= {"Btw-aangifte 4e kwartaal 2026"}  # filed at the end of January 2027
    assert {v[0] for v in vat} == quarters


def test_every_entry_of_five_years_balances(five_years: tuple[Store, DemoSummary]) -> None:
    store, _ = five_years
    assert rows(
        store,
        """SELECT count(*) FROM (SELECT unit, entry_no FROM entry_line GROUP BY 1, 2
                                 HAVING sum(amt_debit) <> sum(amt_credit))""",
    ) == [(0,)]
