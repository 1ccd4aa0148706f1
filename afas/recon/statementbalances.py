"""The closing balances of the imported bank statements (MT940 :62F:, CAMT.053 CLBD), by IBAN: the
evidence of a bank account's balance in the month-end close (:mod:`afas.close.evidence`).

A balance is kept with the import it came from (``statement_balances``) and goes when that import is
deleted. Two imports may hold the same statement (a file imported twice, a month downloaded again):
when they agree that is one balance; when they disagree nothing is chosen, and the caller is told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.errors import InputError
from afas.recon.schema import ensure_recon_schema

__all__ = ["FoundBalance", "StatementsDisagree", "closing_balance", "statement_accounts"]


@dataclass(frozen=True)
class FoundBalance:
    account: str
    date: dt.date
    closing: Decimal
    statement: str
    import_id: int
    file_name: str


class StatementsDisagree(InputError):
    """Imported statements of one account and day state different closing balances."""


def _iban(text: str) -> str:
    return "".join(text.split()).upper()


def statement_accounts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The IBANs with an imported closing balance, in order."""
    ensure_recon_schema(con)
    return [
        a for (a,) in con.execute("SELECT DISTINCT account FROM statement_balances ORDER BY 1").fetchall()
    ]


def closing_balance(con: duckdb.DuckDBPyConnection, iban: str, on: dt.date) -> FoundBalance | None:
    """The closing balance of ``iban``'s latest imported statement dated on or before ``on`` (the
    last of that day's statements); None when there is none. Raises :class:`StatementsDisagree` when
    imports hold that day with different closing balances."""
    ensure_recon_schema(con)
    rows = con.execute(
        """
        WITH day AS (SELECT max(date) AS date FROM statement_balances WHERE account = $iban AND date <= $on),
        last AS (  -- per import, the day's last statement (the one read last: the highest rowid)
            SELECT b.import_id, arg_max(b.closing, b.rowid) AS closing,
                   arg_max(b.statement, b.rowid) AS statement
            FROM statement_balances b JOIN day ON b.date = day.date WHERE b.account = $iban
            GROUP BY b.import_id)
        SELECT last.import_id, last.closing, last.statement, i.file_name, (SELECT date FROM day)
        FROM last JOIN ledger_imports i USING (import_id) ORDER BY last.import_id DESC
        """,
        {"iban": _iban(iban), "on": on},
    ).fetchall()
    if not rows:
        return None
    amounts = {closing for _, closing, *_ in rows}
    if len(amounts) > 1:
        stated = "; ".join(f"{closing:,.2f} in import #{i} ({name})" for i, closing, _s, name, _d in rows)
        raise StatementsDisagree(
            f"The imported statements of {_iban(iban)} disagree on the closing balance of {rows[0][4]}: "
            f"{stated}.",
            "Delete the import that is wrong on the Reconcile page, then look again.",
        )
    import_id, closing, statement, file_name, day = rows[0]
    return FoundBalance(_iban(iban), day, Decimal(closing), statement, int(import_id), file_name)
