"""The AFAS side of a close: the period, the balance-sheet accounts and their balances at period end.

A balance-sheet account is one of type 1 (activa) or 2 (passiva) in Profit_Accounts (KnAccount's
VaAt; 3 and 4 are revenue and costs). Profit_Period_balance gives each period's movement (Debit,
Credit, Balance = Debit - Credit); the balance at the end of period P of year Y is the sum of the
movements up to it. Where AFAS carried the balances forward into a year (an opening entry in period
0 of that year), the sum starts there; otherwise it runs over every earlier year, as the balances of
an administration that books its opening balance once do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.errors import InputError
from afas.i18n import tr
from afas.warehouse.explore import NotSynced, has_table

__all__ = ["AccountBalance", "ClosePeriod", "account_balances", "close_period", "periods_before"]

NEEDED = ("Profit_Accounts", "Profit_Period_balance", "Profit_periods_per_administration")


@dataclass(frozen=True)
class ClosePeriod:
    unit: int
    year: int
    period: int
    start: dt.date
    end: dt.date
    blocked: bool  # closed for booking in AFAS

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.unit, self.year, self.period)

    def label(self) -> str:
        return f"{self.year}-{self.period:02d}"


@dataclass(frozen=True)
class AccountBalance:
    account: str
    description: str
    side: str  # '1' activa, '2' passiva
    collect_type: str  # 'D' debtors, 'C' creditors, else 'N'
    balance: Decimal  # at period end, debit positive
    movement_debit: Decimal  # in the period
    movement_credit: Decimal

    @property
    def moved(self) -> bool:
        return bool(self.movement_debit or self.movement_credit)


def _require(con: duckdb.DuckDBPyConnection) -> None:
    missing = [name for name in NEEDED if not has_table(con, name)]
    if missing:
        raise NotSynced(
            tr("The close needs {connectors} from AFAS, which this warehouse does not have yet.").format(
                connectors=", ".join(missing)
            ),
            tr("Open Sync and press Sync now."),
        )


def close_period(con: duckdb.DuckDBPyConnection, unit: int, year: int, period: int) -> ClosePeriod:
    """The period as AFAS defines it (Profit_periods_per_administration); refused in words when it is
    not one of the administration's periods."""
    _require(con)
    row = con.execute(
        'SELECT "DateFrom", "DateTo", coalesce("Blocked", false) FROM "Profit_periods_per_administration" '
        'WHERE "Unit" = ? AND "Year" = ? AND "Period" = ?',
        [unit, year, period],
    ).fetchall()
    if not row:
        raise InputError(
            tr("Administration {unit} has no period {period} in {year} in AFAS.").format(
                unit=unit, period=period, year=year
            ),
            tr("Pick one of the administration's periods (Explore > Periods lists them), or sync again."),
        )
    start, end, blocked = row[0]
    return ClosePeriod(unit, year, period, start, end, bool(blocked))


def periods_before(con: duckdb.DuckDBPyConnection, period: ClosePeriod, count: int) -> list[ClosePeriod]:
    """The ``count`` periods up to and including ``period``, oldest first (periods with dates only)."""
    rows = con.execute(
        'SELECT "Year", "Period", "DateFrom", "DateTo", coalesce("Blocked", false) '
        'FROM "Profit_periods_per_administration" WHERE "Unit" = ? AND "Period" > 0 '
        'AND ("Year", "Period") <= (?, ?) ORDER BY "Year" DESC, "Period" DESC LIMIT ?',
        [period.unit, period.year, period.period, count],
    ).fetchall()
    return [ClosePeriod(period.unit, y, p, s, e, bool(b)) for y, p, s, e, b in reversed(rows)]


def account_balances(con: duckdb.DuckDBPyConnection, period: ClosePeriod) -> list[AccountBalance]:
    """Every balance-sheet account of the chart with its balance at the period's end and its movement
    in the period, in account order (accounts AFAS has no balance for show 0.00)."""
    _require(con)
    rows = con.execute(
        """
        WITH b AS (
            SELECT "AccountNr" AS account, "Year" AS year, "Period" AS period,
                   coalesce("Debit", 0) AS debit, coalesce("Credit", 0) AS credit,
                   coalesce("Balance", coalesce("Debit", 0) - coalesce("Credit", 0)) AS balance
            FROM "Profit_Period_balance" WHERE "UnitId" = $unit),
        carried AS (  -- the latest year up to this one whose balances AFAS carried forward (period 0)
            SELECT max(year) AS year FROM b WHERE period = 0 AND year <= $year)
        SELECT a."Account", any_value(a."Description"), any_value(a."Type"),
               coalesce(any_value(a."CollectAccountType"), 'N'),
               coalesce(sum(b.balance) FILTER (WHERE (b.year, b.period) <= ($year, $period)
                        AND b.year >= coalesce((SELECT year FROM carried), -1)), 0),
               coalesce(sum(b.debit) FILTER (WHERE b.year = $year AND b.period = $period), 0),
               coalesce(sum(b.credit) FILTER (WHERE b.year = $year AND b.period = $period), 0)
        FROM "Profit_Accounts" a LEFT JOIN b ON b.account = a."Account"
        WHERE a."Type" IN ('1', '2')
        GROUP BY a."Account" ORDER BY a."Account"
        """,
        {"unit": period.unit, "year": period.year, "period": period.period},
    ).fetchall()
    return [
        AccountBalance(acc, desc or "", side, ct or "N", Decimal(bal), Decimal(de), Decimal(cr))
        for acc, desc, side, ct, bal, de, cr in rows
    ]


def movement_after(
    con: duckdb.DuckDBPyConnection, unit: int, account: str, end: dt.date
) -> tuple[Decimal, int]:
    """The sum (debit positive) and number of the journal lines on ``account`` dated after ``end``."""
    if not has_table(con, "Profit_Transactions"):
        return Decimal(0), 0
    total, count = con.execute(
        'SELECT coalesce(sum(coalesce("AmtDebit", 0) - coalesce("AmtCredit", 0)), 0), count(*) '
        'FROM "Profit_Transactions" WHERE "UnitId" = ? AND "AccountNo" = ? AND "EntryDate" > ?',
        [unit, account, end],
    ).fetchall()[0]
    return Decimal(total), int(count)


def last_change(con: duckdb.DuckDBPyConnection, unit: int, account: str, end: dt.date) -> dt.datetime | None:
    """When a journal line on ``account`` up to ``end`` was last created or changed in AFAS."""
    if not has_table(con, "Profit_Transactions"):
        return None
    return con.execute(
        'SELECT max(greatest(coalesce("Modified", "Created"), coalesce("Created", "Modified"))) '
        'FROM "Profit_Transactions" WHERE "UnitId" = ? AND "AccountNo" = ? AND "EntryDate" <= ?',
        [unit, account, end],
    ).fetchall()[0][0]


def changed_lines(con: duckdb.DuckDBPyConnection, unit: int, account: str, end: dt.date) -> list[tuple]:
    """The journal lines on ``account`` up to ``end`` last created or changed in AFAS: (entry number,
    date, voucher, description, amount, modified in Amsterdam time), newest first, at most 20."""
    if not has_table(con, "Profit_Transactions"):
        return []
    return con.execute(
        'SELECT "EntryNo", "EntryDate", "VoucherNo", "Description", '
        'coalesce("AmtDebit", 0) - coalesce("AmtCredit", 0), coalesce("Modified", "Created") '
        'FROM "Profit_Transactions" WHERE "UnitId" = ? AND "AccountNo" = ? AND "EntryDate" <= ? '
        'ORDER BY coalesce("Modified", "Created") DESC, "EntryNo" DESC LIMIT 20',
        [unit, account, end],
    ).fetchall()
