"""The balances of the imported bank statements (MT940 :60F:/:62F:, CAMT.053 OPBD/CLBD), by IBAN: the
evidence of a bank account's balance in the month-end close (:mod:`afas.close.evidence`).

A statement's balances are kept with the import it came from (``statement_balances``, written in the
import's transaction) and go when that import is deleted. Amounts are signed as the ledger lines are:
money in the bank positive (a debit on the bank's ledger account), so a statement's opening balance
plus its lines is its closing balance.

:func:`closing_balance` gives the closing balance of an account's latest statement on or before a day.
Two imports may hold the same statement (a file imported twice, a month downloaded again, once as
MT940 and once as CAMT.053): when they agree that is one balance; when they disagree nothing is
chosen, and :class:`StatementsDisagree` (an :class:`~afas.errors.InputError`) says so, naming each
import's figure (``conflict``), so the user deletes the wrong import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.errors import InputError
from afas.i18n import date, number, tr
from afas.recon.bankstatements import statement_account
from afas.recon.schema import ensure_recon_schema

__all__ = [
    "FoundBalance",
    "StatementBalanceFound",
    "StatementsDisagree",
    "closing_balance",
    "statement_accounts",
]


@dataclass(frozen=True)
class StatementBalanceFound:
    """An imported statement's balances (:class:`~afas.recon.bankstatements.StatementBalance`) and the
    import they came from. ``date_to`` is the closing balance's date: the caller compares it with the
    day asked for ("the statement of 28-02 is the latest before 31-03")."""

    account: str  # the IBAN, without spaces, in capitals
    statement: str | None  # how the user reads it ("statement 00031 of NL44RABO0123456789")
    date_from: dt.date | None
    date_to: dt.date
    opening: Decimal | None
    closing: Decimal
    currency: str | None
    import_id: int
    file_name: str

    @property
    def date(self) -> dt.date:
        """The closing balance's date (``date_to``)."""
        return self.date_to


FoundBalance = StatementBalanceFound
"""The name :mod:`afas.close` first knew it by."""


class StatementsDisagree(InputError):
    """Imports hold a statement of one account closing on one day with different closing balances;
    ``conflict`` holds each import's (the latest import first)."""

    def __init__(self, message: str, hint: str | None, conflict: tuple[StatementBalanceFound, ...]) -> None:
        super().__init__(message, hint)
        self.conflict = conflict


_ACCOUNT = "upper(regexp_replace(b.account, '\\s', '', 'g'))"


def statement_accounts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The IBANs with an imported closing balance (without spaces, in capitals), in order."""
    ensure_recon_schema(con)
    rows = con.execute(f"SELECT DISTINCT {_ACCOUNT} FROM statement_balances b ORDER BY 1").fetchall()
    return [account for (account,) in rows]


def closing_balance(
    con: duckdb.DuckDBPyConnection, iban: str, on: dt.date, *, currency: str | None = None
) -> StatementBalanceFound | None:
    """The closing balance of ``iban``'s latest imported statement that closes on or before ``on``,
    with the import it came from; None when no imported statement of the account closes by then.

    ``iban`` is compared without spaces, case-insensitively. Of one import's statements closing on
    that day the last in its file counts (a day's last statement); ``currency`` keeps to the statements
    in that currency (an account kept in several). When several imports hold that day, the latest
    import is returned if they agree on the closing balance (and its currency), and
    :class:`StatementsDisagree` is raised if they do not.
    """
    ensure_recon_schema(con)
    account = statement_account(iban)
    in_currency = "AND upper(b.currency) = upper($currency)" if currency else ""
    params: dict[str, object] = {"iban": account, "on": on}
    if currency:
        params["currency"] = currency
    rows = con.execute(
        f"""
        WITH mine AS (
            SELECT b.*, i.file_name FROM statement_balances b JOIN ledger_imports i USING (import_id)
            WHERE {_ACCOUNT} = $iban AND b.date_to <= $on {in_currency}),
        last AS (  -- per import, that day's last statement in the file
            SELECT *, row_number() OVER (PARTITION BY import_id ORDER BY seq DESC NULLS LAST) AS k
            FROM mine WHERE date_to = (SELECT max(date_to) FROM mine))
        SELECT statement, date_from, date_to, opening, closing, currency, import_id, file_name
        FROM last WHERE k = 1 ORDER BY import_id DESC
        """,
        params,
    ).fetchall()
    if not rows:
        return None
    found = tuple(
        StatementBalanceFound(account, s, f, t, o, Decimal(c), cur, int(i), n)
        for s, f, t, o, c, cur, i, n in rows
    )
    if len({(f.closing, (f.currency or "").upper()) for f in found}) > 1:
        stated = "; ".join(
            tr("{amount} in import #{id} ({file})").format(
                amount=number(f.closing, 2) + (f" {f.currency}" if f.currency else ""),
                id=f.import_id,
                file=f.file_name,
            )
            for f in found
        )
        raise StatementsDisagree(
            tr(
                "The imported statements of {account} disagree on the closing balance of {date}: {stated}."
            ).format(account=account, date=date(found[0].date_to), stated=stated),
            tr(
                "Delete the import that is wrong on the Reconcile page (or download the statement from the "
                "bank again), then look again."
            ),
            found,
        )
    return found[0]
