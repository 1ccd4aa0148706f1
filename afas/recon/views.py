"""Small reads the Reconcile page needs about an imported ledger and a run (DuckDB, aggregated)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa

from afas.recon.matching import result_filter
from afas.recon.schema import RESULT_LABELS, ensure_recon_schema

__all__ = ["LedgerSummary", "ledger_summary", "results_table"]


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


def _label_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in RESULT_LABELS.items())
    return f"CASE kind {cases} END"


def results_table(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    kind: str | None = None,
    search: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> pa.Table:
    """One page of a run's results for display: both sides side by side, amounts DECIMAL."""
    where, params = result_filter(run_id, kind or None, search=search or None)
    return con.sql(
        f"""SELECT result_id AS "#", {_label_sql()} AS "Result", group_id AS "Group", pass AS "Pass",
                   reason AS "Reason",
                   date_afas AS "AFAS date", voucher_afas AS "AFAS voucher", account_afas AS "AFAS account",
                   amount_afas AS "AFAS amount", description_afas AS "AFAS description",
                   date_ledger AS "Ledger date", voucher_ledger AS "Ledger voucher",
                   account_ledger AS "Ledger account", amount_ledger AS "Ledger amount",
                   description_ledger AS "Ledger description", difference AS "Difference",
                   unit_id, entry_no, seq_no, line_no
            FROM recon_results WHERE {where} ORDER BY result_id LIMIT ? OFFSET ?""",
        params=[*params, int(limit), int(offset)],
    ).to_arrow_table()
