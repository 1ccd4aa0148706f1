"""Small reads the Reconcile page needs about an imported ledger and a run (DuckDB, aggregated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from afas.catalogue import label, label_sql
from afas.i18n import tr
from afas.recon.matching import page_query
from afas.recon.results import shown_reason_sql
from afas.recon.schema import PassName, ResultKind, ensure_recon_schema
from afas.warehouse.explore import has_table
from afas.warehouse.schema import quote_ident

__all__ = [
    "SHOWN_COLUMNS_DROPPED",
    "LedgerSummary",
    "Selection",
    "afas_account_choices",
    "chart_headers",
    "ledger_summary",
    "open_differences",
    "pass_label",
    "pass_label_sql",
    "result_headers",
    "results_table",
]


def pass_label(name: str) -> str:
    """A matching pass (its stored name) as a user reads it; a name of no known pass stays as it is."""
    return label(PassName(name)) if name in _PASSES else name


_PASSES = frozenset(PassName)


def pass_label_sql(expr: str) -> str:
    """A DuckDB expression showing the pass names in ``expr`` as :func:`pass_label` does."""
    return label_sql(PassName, expr)


def result_headers() -> dict[str, str]:
    """The results grid's column headers in the session's language, by their English."""
    return {
        "Result": tr("Result"),
        "Group": tr("Group"),
        "Pass": tr("Pass"),
        "Reason": tr("Reason"),
        "AFAS date": tr("AFAS date"),
        "AFAS voucher": tr("AFAS voucher"),
        "AFAS account": tr("AFAS account"),
        "AFAS amount": tr("AFAS amount"),
        "AFAS description": tr("AFAS description"),
        "Ledger date": tr("Ledger date"),
        "Ledger voucher": tr("Ledger voucher"),
        "Ledger account": tr("Ledger account"),
        "Ledger amount": tr("Ledger amount"),
        "Ledger description": tr("Ledger description"),
        "Difference": tr("Difference"),
    }


@dataclass(frozen=True)
class LedgerSummary:
    rows: int
    total: Decimal
    date_from: dt.date | None
    date_to: dt.date | None
    accounts: list[str]  # the ledger's accounts, most lines first


def ledger_summary(con: duckdb.DuckDBPyConnection, import_id: int) -> LedgerSummary:
    ensure_recon_schema(con)
    rows, total, first, last = con.execute(
        "SELECT count(*), coalesce(sum(amount), 0), min(entry_date), max(entry_date) FROM ledger_lines "
        "WHERE import_id = ?",
        [import_id],
    ).fetchall()[0]
    accounts = [
        a
        for (a,) in con.execute(
            "SELECT account FROM ledger_lines WHERE import_id = ? AND account IS NOT NULL "
            "GROUP BY account ORDER BY count(*) DESC, account",
            [import_id],
        ).fetchall()
    ]
    return LedgerSummary(int(rows), Decimal(total), first, last, accounts)


def afas_account_choices(
    con: duckdb.DuckDBPyConnection, summary: LedgerSummary
) -> tuple[list[str], list[str], dict[str, str]]:
    """(the AFAS accounts to compare, the ones offered first, account -> "account description").

    The ledger's own accounts that AFAS knows come first and are offered; a bank statement's lines
    carry its IBAN, which no AFAS account is, so every AFAS account is listed to pick the bank's from.
    Without a synced chart of accounts the ledger's accounts are all there is."""
    if not has_table(con, "Profit_Accounts"):
        return summary.accounts, summary.accounts[:1], {a: a for a in summary.accounts}
    chart = dict(
        con.execute(
            'SELECT "Account", coalesce("Description", \'\') FROM "Profit_Accounts" ORDER BY "Account"'
        ).fetchall()
    )
    known = [a for a in summary.accounts if a in chart]
    options = known + [a for a in chart if a not in set(known)]
    return options, known[:1], {a: f"{a} {chart[a]}".strip() for a in options}


def results_table(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    kind: str | None = None,
    search: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> pa.Table:
    """One page of a run's results for display: both sides side by side, amounts DECIMAL; the
    headers (:func:`result_headers`), kinds, passes and reasons in the session's language."""
    h = {english: quote_ident(shown) for english, shown in result_headers().items()}
    shown = label_sql(ResultKind, "kind")
    columns = f"""result_id AS "#", {shown} AS {h["Result"]}, group_id AS {h["Group"]},
                   {pass_label_sql("pass")} AS {h["Pass"]}, {shown_reason_sql("reason")} AS {h["Reason"]},
                   date_afas AS {h["AFAS date"]}, voucher_afas AS {h["AFAS voucher"]},
                   account_afas AS {h["AFAS account"]}, amount_afas AS {h["AFAS amount"]},
                   description_afas AS {h["AFAS description"]}, date_ledger AS {h["Ledger date"]},
                   voucher_ledger AS {h["Ledger voucher"]}, account_ledger AS {h["Ledger account"]},
                   amount_ledger AS {h["Ledger amount"]}, description_ledger AS {h["Ledger description"]},
                   difference AS {h["Difference"]}, group_id, unit_id, entry_no, seq_no, line_no"""
    sql, params = page_query(
        con, columns, run_id, kind=kind or None, search=search or None, limit=limit, offset=offset
    )
    return con.sql(sql, params=params).to_arrow_table()


@dataclass(frozen=True)
class Selection:
    """The rows a user ticked in a run's results (:func:`results_table`), as the lines they hold."""

    afas_keys: tuple[tuple[int, int, int], ...] = ()  # (UnitId, EntryNo, SeqNo) of the AFAS lines
    line_nos: tuple[int, ...] = ()  # the ledger lines
    groups: tuple[int, ...] = ()  # the match groups the rows belong to

    @classmethod
    def of(cls, table: pa.Table, rows: Sequence[int]) -> Selection:
        picked = table.take(list(rows)).to_pylist() if rows else []
        return cls(
            tuple((r["unit_id"], r["entry_no"], r["seq_no"]) for r in picked if r["entry_no"] is not None),
            tuple(r["line_no"] for r in picked if r["line_no"] is not None),
            tuple(sorted({r["group_id"] for r in picked if r["group_id"] is not None})),
        )

    @property
    def empty(self) -> bool:
        return not (self.afas_keys or self.line_nos)

    @property
    def can_match(self) -> bool:
        """A match by hand needs lines of both sides."""
        return bool(self.afas_keys and self.line_nos)


SHOWN_COLUMNS_DROPPED = ("group_id", "unit_id", "entry_no", "seq_no", "line_no")
"""The key columns of :func:`results_table` that the grid does not show (the selection reads them)."""


def chart_headers() -> tuple[str, str, str]:
    """The keys of :func:`open_differences` in the session's language: period, account, difference."""
    return tr("Period"), tr("Account"), tr("Difference")


def open_differences(by_account: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per period and account the difference not matched, for a chart: rows of
    afas.recon.matching.differences_by_account_period with anything left open; the keys are
    :func:`chart_headers`."""
    period, account, difference = chart_headers()
    return [
        {
            period: f"{r['year']}-{r['period']:02d}" if r["year"] else "?",
            account: r["account"] or "?",
            difference: r["difference"],
        }
        for r in by_account
        if r["only_in_afas"] or r["only_in_ledger"] or r["differing"]
    ]
