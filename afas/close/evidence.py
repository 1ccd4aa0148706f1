"""The supporting side of an account's close: what evidences its balance at period end, and how much.

- a bank account: the closing balance of the latest imported MT940/CAMT.053 statement of its IBAN
  on or before the period's last day (the account is linked to its IBAN in its evidence setting); a
  statement that ends before the period's last day does not evidence it, and says so;
- a debtors collective account: Profit_Debtor_Invoices' open balances of the customers whose
  collective account it is (Profit_Debtor.CollectAccount), less the journal lines booked on the
  account after the period end: the open items are AFAS's at the sync, not at the period's end;
- a creditors collective account: Profit_Creditor_Invoices lists the open items with their invoice
  amount only (AFAS's schema has no open balance for suppliers), so each listed item counts with what
  its journal lines on this account leave open, again back to the period end;
- a suspense or clearing account: zero;
- any other: the amount a user documents, with a note (and a file when they attach one).

:func:`default_kind` picks the kind from the account when the user has not: the collective account
type, a bank or suspense account by its name (shown as a suggestion the user can change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.close.balances import AccountBalance, ClosePeriod, movement_after
from afas.close.schema import EvidenceKind
from afas.i18n import date, ntr, number, tr
from afas.recon.statementbalances import closing_balance
from afas.warehouse.explore import has_table

__all__ = ["Evidence", "Setting", "default_kind", "documented", "evidence_for", "settings"]

_BANK_NAMES = re.compile(r"\bbank\b", re.IGNORECASE)
_ZERO_NAMES = re.compile(r"tussenrekening|kruispost|vraagpost|transitori|suspense|clearing", re.IGNORECASE)


@dataclass(frozen=True)
class Setting:
    kind: EvidenceKind
    iban: str | None
    chosen: bool  # the user chose it (else: the default, with ``why``)
    why: str = ""


@dataclass(frozen=True)
class Evidence:
    kind: EvidenceKind
    amount: Decimal | None  # None: no evidence yet (``source`` says what is missing)
    source: str  # in words: where the amount comes from, or what is missing and how to get it
    file_name: str | None = None
    note: str | None = None
    entered_by: str | None = None


def default_kind(balance: AccountBalance) -> Setting:
    """The evidence kind of an account nobody chose one for, and why."""
    if balance.collect_type == "D":
        return Setting(EvidenceKind.DEBTOR_ITEMS, None, False, tr("a debtors collective account in AFAS"))
    if balance.collect_type == "C":
        return Setting(EvidenceKind.CREDITOR_ITEMS, None, False, tr("a creditors collective account in AFAS"))
    by_name = tr("suggested by its name, {name}").format(name=repr(balance.description))
    if _ZERO_NAMES.search(balance.description):
        return Setting(EvidenceKind.ZERO, None, False, by_name)
    if _BANK_NAMES.search(balance.description):
        return Setting(EvidenceKind.BANK_STATEMENT, None, False, by_name)
    return Setting(EvidenceKind.SCHEDULE, None, False, tr("no other evidence is known for it"))


def settings(con: duckdb.DuckDBPyConnection, unit: int) -> dict[str, tuple[EvidenceKind, str | None]]:
    """The kinds users chose per account of administration ``unit`` (account -> (kind, IBAN))."""
    rows = con.execute("SELECT account, kind, iban FROM close_settings WHERE unit = ?", [unit]).fetchall()
    return {account: (EvidenceKind(kind), iban) for account, kind, iban in rows}


def _money(value: Decimal) -> str:
    return number(value, 2)


def _back_to_period_end(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, open_now: Decimal, what: str
) -> tuple[Decimal, str]:
    later, count = movement_after(con, period.unit, account, period.end)
    if not count:
        return (
            open_now,
            tr("{what}: {amount} (no lines were booked on the account after {date})").format(
                what=what, amount=_money(open_now), date=date(period.end)
            ),
        )
    at_end = open_now - later
    return at_end, ntr(
        "{what}: {amount} at the sync, less {n} line of {later} booked on the account after {date}: "
        "{at_end} at the period's end",
        "{what}: {amount} at the sync, less {n} lines of {later} booked on the account after {date}: "
        "{at_end} at the period's end",
        count,
    ).format(
        what=what,
        amount=_money(open_now),
        n=number(count),
        later=_money(later),
        date=date(period.end),
        at_end=_money(at_end),
    )


def _debtor_items(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, balance: AccountBalance, only: bool
) -> Evidence:
    kind = EvidenceKind.DEBTOR_ITEMS
    if not (has_table(con, "Profit_Debtor_Invoices") and has_table(con, "Profit_Debtor")):
        return Evidence(
            kind, None, tr("Sync Profit_Debtor_Invoices and Profit_Debtor for the customers' open items.")
        )
    # customers without a collective account of their own count on the only debtors account there is
    total, items = con.execute(
        'SELECT coalesce(sum(i."Balance"), 0), count(*) FROM "Profit_Debtor_Invoices" i '
        'LEFT JOIN "Profit_Debtor" d ON d."DebtorId" = i."DebtorId" '
        'WHERE i."UnitId" = ? AND (d."CollectAccount" = ? OR (? AND d."CollectAccount" IS NULL))',
        [period.unit, balance.account, only],
    ).fetchall()[0]
    what = ntr("{n} open item of customers", "{n} open items of customers", items).format(n=number(items))
    amount, words = _back_to_period_end(con, period, balance.account, Decimal(total), what)
    return Evidence(kind, amount, words)


def _creditor_items(con: duckdb.DuckDBPyConnection, period: ClosePeriod, balance: AccountBalance) -> Evidence:
    kind = EvidenceKind.CREDITOR_ITEMS
    if not (has_table(con, "Profit_Creditor_Invoices") and has_table(con, "Profit_Transactions")):
        return Evidence(
            kind,
            None,
            tr("Sync Profit_Creditor_Invoices and Profit_Transactions for the suppliers' open items."),
        )
    total, items = con.execute(
        """SELECT coalesce(sum(t.open), 0), count(*) FROM (
               SELECT DISTINCT "InvoiceNr" FROM "Profit_Creditor_Invoices" WHERE "UnitId" = $unit) i
           JOIN (SELECT "InvoiceId", sum(coalesce("AmtDebit", 0) - coalesce("AmtCredit", 0)) AS open
                 FROM "Profit_Transactions" WHERE "UnitId" = $unit AND "AccountNo" = $account
                 GROUP BY "InvoiceId") t ON t."InvoiceId" = i."InvoiceNr" """,
        {"unit": period.unit, "account": balance.account},
    ).fetchall()[0]
    amount, words = _back_to_period_end(
        con,
        period,
        balance.account,
        Decimal(total),
        ntr(
            "{n} open item of suppliers (each at what its lines on the account leave open: AFAS lists "
            "suppliers' open items with their invoice amount only)",
            "{n} open items of suppliers (each at what its lines on the account leave open: AFAS lists "
            "suppliers' open items with their invoice amount only)",
            items,
        ).format(n=number(items)),
    )
    return Evidence(kind, amount, words)


def _bank(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, iban: str | None) -> Evidence:
    kind = EvidenceKind.BANK_STATEMENT
    if not iban:
        return Evidence(
            kind,
            None,
            tr(
                "Link the account to its bank account (IBAN) under 'Change what evidences this account', "
                "after importing the bank's MT940 or CAMT.053 statement on the Reconcile page."
            ),
        )
    found = closing_balance(con, iban, period.end)
    if found is None:
        return Evidence(
            kind,
            None,
            tr(
                "No imported statement of {iban} closes on or before {date}. Import the bank's statement "
                "up to the period's end on the Reconcile page."
            ).format(iban=iban, date=date(period.end)),
        )
    gap = ""
    if found.date < period.end:
        # banks issue a statement only for a day with movements; AFAS booked nothing after it either?
        later = (
            movement_after(con, period.unit, account, found.date)[1]
            - movement_after(con, period.unit, account, period.end)[1]
        )
        if later:
            return Evidence(
                kind,
                None,
                ntr(
                    "The latest imported statement of {iban} closes on {date} (in {file}), before the "
                    "period's end ({end}), and AFAS has {n} line on the account after that day. Import the "
                    "statement up to {end}.",
                    "The latest imported statement of {iban} closes on {date} (in {file}), before the "
                    "period's end ({end}), and AFAS has {n} lines on the account after that day. Import the "
                    "statement up to {end}.",
                    later,
                ).format(
                    iban=iban,
                    date=date(found.date),
                    file=found.file_name,
                    end=date(period.end),
                    n=number(later),
                ),
            )
        gap = tr("; no statement after that day, and AFAS has no line on the account up to {date}").format(
            date=date(period.end)
        )
    return Evidence(
        kind,
        found.closing,
        tr("closing balance {amount} on {date} of {statement} (import #{import_id}, {file})").format(
            amount=_money(found.closing),
            date=date(found.date),
            statement=found.statement,
            import_id=found.import_id,
            file=found.file_name,
        )
        + gap,
    )


def documented(con: duckdb.DuckDBPyConnection, period: ClosePeriod) -> dict[str, tuple]:
    """The amounts documented for ``period``, per account, read at once (one query, not one per account)."""
    rows = con.execute(
        "SELECT account, amount, note, file_name, entered_by, entered FROM close_evidence "
        "WHERE unit = ? AND year = ? AND period = ?",
        [period.unit, period.year, period.period],
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _schedule(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, known: dict[str, tuple] | None
) -> Evidence:
    found = known if known is not None else documented(con, period)
    row = [found[account]] if account in found else []
    if not row:
        return Evidence(
            EvidenceKind.SCHEDULE,
            None,
            tr("Document the supporting amount (a schedule, a confirmation, a calculation) with a note."),
        )
    amount, note, file_name, who, when = row[0]
    source = (
        tr("documented by {who} on {date} {time}, file {file}")
        if file_name
        else tr("documented by {who} on {date} {time}")
    ).format(who=who, date=date(when), time=f"{when:%H:%M}", file=file_name)
    return Evidence(
        EvidenceKind.SCHEDULE,
        Decimal(amount),
        source,
        file_name=file_name,
        note=note,
        entered_by=who,
    )


def evidence_for(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    balance: AccountBalance,
    setting: Setting,
    *,
    only_debtors_account: bool = False,
    known: dict[str, tuple] | None = None,
) -> Evidence:
    """The evidence of ``balance`` for ``period`` under ``setting`` (``known``: :func:`documented`'s
    answer, when the caller read it for many accounts)."""
    if setting.kind == EvidenceKind.ZERO:
        return Evidence(
            EvidenceKind.ZERO,
            Decimal("0.00"),
            tr("a suspense or clearing account: its balance should be nil"),
        )
    if setting.kind == EvidenceKind.BANK_STATEMENT:
        return _bank(con, period, balance.account, setting.iban)
    if setting.kind == EvidenceKind.DEBTOR_ITEMS:
        return _debtor_items(con, period, balance, only_debtors_account)
    if setting.kind == EvidenceKind.CREDITOR_ITEMS:
        return _creditor_items(con, period, balance)
    return _schedule(con, period, balance.account, known)
