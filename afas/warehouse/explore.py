"""Read-only views over the warehouse for the Explore and Sync pages, aggregated in DuckDB.

Every view takes an open DuckDB connection and returns a small Arrow table (amounts stay
DECIMAL: Arrow decimal128, never float), computed with GROUP BY and LIMIT in DuckDB, so a page over
a million journal lines never pulls the lines themselves into Python. The summaries after them
(:func:`totals`, :func:`largest_movements`, ...) read such a table for what the page shows beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from afas.errors import AppError
from afas.i18n import mark, ptr, tr
from afas.profit.connectors import GET_CONNECTORS
from afas.warehouse.runs import shown_status
from afas.warehouse.schema import quote_ident

__all__ = [
    "Administrations",
    "NotSynced",
    "account_entries",
    "account_title",
    "administrations",
    "allocation_usage",
    "balances_over_periods",
    "connector_status",
    "has_table",
    "header",
    "largest_movements",
    "open_items",
    "open_total",
    "period_overview",
    "run_history",
    "sync_first",
    "totals",
    "trial_balance",
    "used_codes",
    "years",
]

TX = "Profit_Transactions"


class NotSynced(AppError, LookupError):
    """A view needs a connector that has not been synced into this warehouse yet."""


def _arrow(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> pa.Table:
    return con.sql(sql, params=list(params) if params is not None else None).to_arrow_table()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'", [name]
        ).fetchall()[0][0]
    )


def sync_first(con: duckdb.DuckDBPyConnection, *names: str) -> str | None:
    """What to sync before a view of ``names`` fills in, or None when every one is in the warehouse."""
    missing = [n for n in names if not has_table(con, n)]
    if not missing:
        return None
    return tr("Sync {connectors} first (Sync page), then this view fills in.").format(
        connectors=", ".join(missing)
    )


def _need(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    missing = sync_first(con, *names)
    if missing:
        raise NotSynced(missing)


_HEADERS = (
    mark("Connector"), mark("Used for"), mark("Rows held"), mark("Last run"), mark("Mode"), mark("Finished"),
    mark("Seconds"), mark("Rows fetched"), mark("Error"), mark("Run"), mark("Administration"),
    mark("Started"), mark("Status"), mark("Rows"), mark("Pages"),
    # the Explore page's views
    mark("Account"), mark("Description"), mark("Debit"), mark("Credit"), mark("Net"),
    mark("Balance year to date"), mark("Lines"), mark("Date"), mark("Period"), mark("Journal"),
    mark("Entry"), mark("Line"), mark("Voucher"), mark("Invoice"), mark("VAT code"), mark("Number"),
    mark("Name"), mark("Due"), mark("Days overdue"), mark("Currency"), mark("Invoice amount"),
    mark("Open"), mark("Code"), mark("Blocked"), mark("Net amount"), mark("From"), mark("To"),
    mark("State"), mark("Balance"),
)  # fmt: skip


def _headers() -> dict[str, str]:
    """The views' column headers in the session's language, quoted for SQL, by their English."""
    return {h: quote_ident(tr(h)) for h in _HEADERS}


def header(english: str) -> str:
    """A view's column header as the session reads it (the name of the column in the view's table)."""
    return tr(english)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connector_status(con: duckdb.DuckDBPyConnection, sync_running: bool | None = None) -> pa.Table:
    """Per connector: rows held now and its last run (status, mode, finished, seconds, error).

    ``sync_running`` (afas.warehouse.sync.sync_running): False shows a run still marked running as
    interrupted (its sync was killed); None shows the stored status. Statuses and modes read as their
    labels (afas.catalogue).
    """
    counts = []
    for spec in GET_CONNECTORS:
        rows = (
            con.execute(f"SELECT count(*) FROM {quote_ident(spec.id)}").fetchall()[0][0]
            if has_table(con, spec.id)
            else None
        )
        counts.append((spec.id, tr(spec.purpose), rows))
    con.execute("CREATE OR REPLACE TEMP TABLE _held (connector VARCHAR, purpose VARCHAR, held BIGINT)")
    con.executemany("INSERT INTO _held VALUES (?, ?, ?)", counts)
    status, mode, error = shown_status(sync_running)
    h = _headers()
    return _arrow(
        con,
        f"""
        WITH last AS (
            SELECT * REPLACE ({status} AS status, {mode} AS mode, {error} AS error),
                   row_number() OVER (PARTITION BY connector ORDER BY run_id DESC) AS n FROM sync_runs)
        SELECT h.connector AS {h["Connector"]}, h.purpose AS {h["Used for"]}, h.held AS {h["Rows held"]},
               l.status AS {h["Last run"]}, l.mode AS {h["Mode"]}, l.finished AS {h["Finished"]},
               round(epoch(l.finished - l.started), 1) AS {h["Seconds"]}, l.rows AS {h["Rows fetched"]},
               l.error AS {h["Error"]}
        FROM _held h LEFT JOIN last l ON l.connector = h.connector AND l.n = 1
        ORDER BY h.rowid""",
    )


def run_history(
    con: duckdb.DuckDBPyConnection, sync_running: bool | None = None, limit: int = 200
) -> pa.Table:
    """The latest runs, newest first; ``sync_running`` as for :func:`connector_status`."""
    status, mode, error = shown_status(sync_running)
    h = _headers()
    return _arrow(
        con,
        f"""SELECT run_id AS {h["Run"]}, connector AS {h["Connector"]},
                  administration AS {h["Administration"]}, started AS {h["Started"]},
                  round(epoch(finished - started), 1) AS {h["Seconds"]}, {status} AS {h["Status"]},
                  {mode} AS {h["Mode"]}, rows AS {h["Rows"]}, pages AS {h["Pages"]}, {error} AS {h["Error"]}
           FROM sync_runs ORDER BY run_id DESC LIMIT ?""",
        [limit],
    )


def administrations(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(number, name) of the administrations in the warehouse (Profit_Administrations, else the lines)."""
    if has_table(con, "Profit_Administrations"):
        return [
            (int(a), str(n or ""))
            for a, n in con.execute(
                'SELECT "AdminId", "AdminNm" FROM "Profit_Administrations" ORDER BY 1'
            ).fetchall()
        ]
    _need(con, TX)
    return [
        (int(u), "") for (u,) in con.execute(f'SELECT DISTINCT "UnitId" FROM "{TX}" ORDER BY 1').fetchall()
    ]


def years(con: duckdb.DuckDBPyConnection, unit: int) -> list[int]:
    """Years with journal lines in this administration, newest first."""
    _need(con, TX)
    return [
        y
        for (y,) in con.execute(
            f'SELECT DISTINCT "Year" FROM "{TX}" WHERE "UnitId" = ? ORDER BY 1 DESC', [unit]
        ).fetchall()
    ]


def trial_balance(
    con: duckdb.DuckDBPyConnection, unit: int, year: int, period_from: int = 1, period_to: int = 99
) -> pa.Table:
    """Per account: debit, credit and net over the periods, and the year-to-date balance at the end."""
    _need(con, TX)
    accounts = has_table(con, "Profit_Accounts")
    name = 'a."Description"' if accounts else "NULL"
    join = 'LEFT JOIN "Profit_Accounts" a ON a."Account" = t."AccountNo"' if accounts else ""
    h = _headers()
    return _arrow(
        con,
        f"""
        SELECT t."AccountNo" AS {h["Account"]}, any_value({name}) AS {h["Description"]},
               sum(t."AmtDebit") FILTER (WHERE t."Period" >= ?) AS {h["Debit"]},
               sum(t."AmtCredit") FILTER (WHERE t."Period" >= ?) AS {h["Credit"]},
               coalesce(sum(t."AmtDebit" - t."AmtCredit") FILTER (WHERE t."Period" >= ?), 0) AS {h["Net"]},
               sum(t."AmtDebit" - t."AmtCredit") AS {h["Balance year to date"]},
               count(*) FILTER (WHERE t."Period" >= ?) AS {h["Lines"]}
        FROM "{TX}" t {join}
        WHERE t."UnitId" = ? AND t."Year" = ? AND t."Period" <= ?
        GROUP BY t."AccountNo" ORDER BY t."AccountNo"
        """,
        [period_from, period_from, period_from, period_from, unit, year, period_to],
    )


def account_entries(
    con: duckdb.DuckDBPyConnection,
    unit: int,
    account: str,
    year: int,
    period_from: int = 1,
    period_to: int = 99,
    limit: int = 500,
    offset: int = 0,
) -> pa.Table:
    """The journal lines behind one trial-balance row, newest first, a page at a time."""
    _need(con, TX)
    h = _headers()
    return _arrow(
        con,
        f"""SELECT "EntryDate" AS {h["Date"]}, "Period" AS {h["Period"]}, "JournalId" AS {h["Journal"]},
                   "EntryNo" AS {h["Entry"]}, "SeqNo" AS {h["Line"]}, "VoucherNo" AS {h["Voucher"]},
                   "InvoiceId" AS {h["Invoice"]}, "Description" AS {h["Description"]},
                   "AmtDebit" AS {h["Debit"]}, "AmtCredit" AS {h["Credit"]}, "VatCode" AS {h["VAT code"]}
            FROM "{TX}" WHERE "UnitId" = ? AND "AccountNo" = ? AND "Year" = ? AND "Period" BETWEEN ? AND ?
            ORDER BY "EntryDate" DESC, "EntryNo" DESC, "SeqNo" LIMIT ? OFFSET ?""",
        [unit, account, year, period_from, period_to, limit, offset],
    )


def balances_over_periods(
    con: duckdb.DuckDBPyConnection, unit: int, year: int, accounts: Sequence[str]
) -> pa.Table:
    """Net movement and cumulative balance per period for the chosen accounts (for a line chart; its
    columns keep their English names, the chart's labels show them in the session's language)."""
    _need(con, TX)
    return _arrow(
        con,
        f"""SELECT "AccountNo" AS "Account", "Period", sum("AmtDebit" - "AmtCredit") AS "Net",
                   sum(sum("AmtDebit" - "AmtCredit")) OVER (PARTITION BY "AccountNo" ORDER BY "Period")
                       AS "Balance"
            FROM "{TX}" WHERE "UnitId" = ? AND "Year" = ? AND list_contains(?, "AccountNo")
            GROUP BY "AccountNo", "Period" ORDER BY 1, 2""",
        [unit, year, list(accounts)],
    )


def period_overview(con: duckdb.DuckDBPyConnection, unit: int, year: int) -> pa.Table:
    """Periods of the year: dates, open or blocked, and the lines booked in each."""
    _need(con, "Profit_periods_per_administration")
    h = _headers()
    blocked, open_ = _literal(ptr("period", "blocked")), _literal(ptr("period", "open"))
    lines = (
        f'(SELECT count(*) FROM "{TX}" t '
        'WHERE t."UnitId" = p."Unit" AND t."Year" = p."Year" AND t."Period" = p."Period")'
        if has_table(con, TX)
        else "NULL"
    )
    return _arrow(
        con,
        f"""SELECT p."Period" AS {h["Period"]}, p."PeriodDesc" AS {h["Description"]},
                   p."DateFrom" AS {h["From"]}, p."DateTo" AS {h["To"]},
                   CASE WHEN p."Blocked" THEN {blocked} ELSE {open_} END AS {h["State"]},
                   {lines} AS {h["Lines"]}
            FROM "Profit_periods_per_administration" p
            WHERE p."Unit" = ? AND p."Year" = ? ORDER BY p."Period" """,
        [unit, year],
    )


def open_items(con: duckdb.DuckDBPyConnection, kind: str, unit: int, limit: int = 1000) -> pa.Table:
    """Open invoices of customers ('debtor') or suppliers ('creditor') with their relation's name."""
    if kind == "debtor":
        items, rel, rel_id, rel_name, date, amount = (
            "Profit_Debtor_Invoices",
            "Profit_Debtor",
            "DebtorId",
            "DebtorName",
            "NookPieceDate",
            '"Balance"',
        )
    elif kind == "creditor":
        items, rel, rel_id, rel_name, date, amount = (
            "Profit_Creditor_Invoices",
            "Profit_Creditor",
            "CreditorId",
            "CreditorName",
            "BookPieceDate",
            '"AmtInvoice"',
        )
    else:
        raise ValueError("kind is 'debtor' or 'creditor'")
    _need(con, items)
    name = f'r."{rel_name}"' if has_table(con, rel) else "NULL"
    join = f'LEFT JOIN "{rel}" r ON r."{rel_id}" = i."{rel_id}"' if has_table(con, rel) else ""
    h = _headers()
    return _arrow(
        con,
        f"""SELECT i."{rel_id}" AS {h["Number"]}, {name} AS {h["Name"]}, i."InvoiceNr" AS {h["Invoice"]},
                   i."{date}" AS {h["Date"]}, i."ExpDate" AS {h["Due"]},
                   greatest(date_diff('day', i."ExpDate", current_date), 0) AS {h["Days overdue"]},
                   i."CurrencyId" AS {h["Currency"]}, i."AmtInvoice" AS {h["Invoice amount"]},
                   i.{amount} AS {h["Open"]}
            FROM "{items}" i {join} WHERE i."UnitId" = ?
            ORDER BY i."ExpDate", i."InvoiceNr" LIMIT ?""",
        [unit, limit],
    )


def allocation_usage(con: duckdb.DuckDBPyConnection, unit: int, axis: int) -> pa.Table:
    """Allocation codes of one axis and how much is booked on each in this administration."""
    _need(con, "Recon_AllocationCodes")
    if not 1 <= axis <= 5:
        raise ValueError("AFAS has allocation axes 1 to 5")
    used = has_table(con, "Profit_Transactions_Allocated")
    dim = f'"DimAx{axis}"'
    totals = (
        f'LEFT JOIN (SELECT {dim} AS code, count(*) AS n, sum("AmtDebit" - "AmtCredit") AS net '
        'FROM "Profit_Transactions_Allocated" WHERE "UnitId" = ? GROUP BY 1) u '
        'ON u.code = c."AllocationCode"'
        if used
        else "LEFT JOIN (SELECT NULL AS code, NULL::BIGINT AS n, NULL::DECIMAL(18,2) AS net) u ON false"
    )
    h = _headers()
    return _arrow(
        con,
        f"""SELECT c."AllocationCode" AS {h["Code"]}, c."Description" AS {h["Description"]},
                   c."Blocked" AS {h["Blocked"]}, coalesce(u.n, 0) AS {h["Lines"]}, u.net AS {h["Net amount"]}
            FROM "Recon_AllocationCodes" c {totals} WHERE c."AxisId" = ? ORDER BY c."AllocationCode" """,
        ([unit] if used else []) + [axis],
    )


# --- what a page shows beside a view's table -------------------------------------------------------


@dataclass(frozen=True)
class Administrations:
    """The administrations a page offers: only the profile's when it is in the warehouse, else all."""

    units: list[int]
    names: dict[int, str]

    @classmethod
    def of(cls, found: Sequence[tuple[int, str]], preferred: int | None) -> Administrations:
        """``found`` as :func:`administrations` gives them; ``preferred`` the profile's administration."""
        names = dict(found)
        return cls([preferred] if preferred in names else list(names), names)

    @property
    def fixed(self) -> bool:
        """One to choose from: the profile's (or the only one there is)."""
        return len(self.units) == 1

    def label(self, unit: int) -> str:
        """'1 – Demo Groothandel B.V.', or just the number when the name is not known."""
        name = self.names.get(unit, "")
        return f"{unit} – {name}" if name else str(unit)


def totals(tb: pa.Table) -> tuple[Decimal, Decimal, Decimal]:
    """Debit, credit and their difference over a :func:`trial_balance` (zero when every entry balances)."""
    debit = sum((r or Decimal(0) for r in tb.column(header("Debit")).to_pylist()), Decimal(0))
    credit = sum((r or Decimal(0) for r in tb.column(header("Credit")).to_pylist()), Decimal(0))
    return debit, credit, debit - credit


def account_title(tb: pa.Table, row: int) -> tuple[str, str]:
    """The account of a :func:`trial_balance` row and its heading, 'Account 8000 – Omzet'."""
    picked = tb.slice(row, 1).to_pylist()[0]
    account, description = picked[header("Account")], picked[header("Description")]
    if description:
        return account, tr("Account {account} – {description}").format(
            account=account, description=description
        )
    return account, tr("Account {account}").format(account=account)


def largest_movements(tb: pa.Table, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` accounts of a :func:`trial_balance` that moved most in its periods (either way), for a
    bar chart: 'Account' (number and name) and 'Net' (keys in English; the chart labels them)."""
    account, description, net = header("Account"), header("Description"), header("Net")
    rows = sorted(tb.to_pylist(), key=lambda r: abs(r[net] or 0), reverse=True)[:n]
    return [{"Account": f"{r[account]} {r[description] or ''}".strip(), "Net": r[net]} for r in rows]


def open_total(items: pa.Table) -> Decimal:
    """What is still open over :func:`open_items`."""
    return sum((r or Decimal(0) for r in items.column(header("Open")).to_pylist()), Decimal(0))


def used_codes(usage: pa.Table) -> list[dict[str, Any]]:
    """The rows of :func:`allocation_usage` with lines booked on them, for a chart: 'Code' and 'Lines'
    (keys in English; the chart labels them)."""
    code, lines = header("Code"), header("Lines")
    return [{"Code": r[code], "Lines": r[lines]} for r in usage.to_pylist() if r[lines]]
