"""A bank account's reconciling items from the matching of its statement against AFAS.

The matching run used is the latest finished line run (Reconcile page, ``python -m afas reconcile``)
of an import holding statements of the account's IBAN, that compared AFAS's lines of exactly this
account (and this administration, or all). Its result rows lay each AFAS line beside the statement
line it matched (or beside nothing), so at the period's end each row adds

    (the AFAS line's amount when it is dated on or before the period end)
  - (the statement line's amount when it is dated on or before the period end)

to AFAS's balance minus the statement's; the rows where that is not zero are the reconciling items:
lines only on the statement (bank costs AFAS has not booked), lines only in AFAS (a payment the bank
has not processed), a line on both but on different sides of the period end (a timing difference),
amounts that differ. Over a run that holds every line of both from the first statement on, they
explain AFAS's balance less the statement's closing balance but for where each started: AFAS's
balance on the account before the first statement's first day against that statement's opening
balance, which is one more item when they differ. When AFAS booked the statement's opening balance as
one entry inside that first statement's period (a "Beginbalans"), that line and the opening balance
are the same money: they are shown as one, netting to nothing, and said so.

Nothing is guessed beyond that: what the items leave unexplained stays unexplained, and a run that
stops before the period's end is not used (the note says why).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.close.balances import ClosePeriod
from afas.i18n import date, mark, ntr, number, tr
from afas.warehouse.explore import has_table

__all__ = ["BankItem", "BankMatching", "bank_matching"]

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BankItem:
    on: dt.date  # the date the difference arose: the line's date (the earlier of the two)
    amount: Decimal  # AFAS minus the statement, at the period's end
    description: str
    why: str  # in words: only on the statement, only in AFAS, after the period end, amounts differ
    result_id: int | None  # the run's result row (None: the opening balances)

    def age_days(self, on: dt.date) -> int:
        return max(0, (on - self.on).days)


@dataclass(frozen=True)
class BankMatching:
    run_id: int | None  # None: no run to use (``note`` says what to do)
    items: tuple[BankItem, ...]
    note: str

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)


def _runs(con: duckdb.DuckDBPyConnection, iban: str) -> list[tuple]:
    if not (has_table(con, "recon_runs") and has_table(con, "statement_balances")):
        return []
    return con.execute(
        "SELECT run_id, import_id, config_json, finished FROM recon_runs "
        "WHERE comparison = 'transactions' AND finished IS NOT NULL "
        "AND import_id IN (SELECT import_id FROM statement_balances WHERE account = ?) "
        "ORDER BY run_id DESC",
        [iban],
    ).fetchall()


def _filter(config_json: str | None) -> dict:
    try:
        return dict(json.loads(config_json or "{}").get("afas_filter") or {})
    except (ValueError, TypeError, AttributeError):
        return {}


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def bank_matching(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, iban: str
) -> BankMatching:
    """The reconciling items of bank ``account`` (statements of ``iban``) at ``period``'s end."""
    how = tr(
        "Match the statement against AFAS account {account} on the Reconcile page (AFAS accounts: "
        "{account} only): the lines it leaves unmatched become this account's reconciling items."
    ).format(account=account)
    chosen = None
    for run_id, import_id, config_json, _finished in _runs(con, iban):
        f = _filter(config_json)
        if list(f.get("accounts") or []) == [account] and f.get("unit_id") in (None, period.unit):
            chosen = (int(run_id), int(import_id), f)
            break
    if chosen is None:
        return BankMatching(None, (), how)
    run_id, import_id, f = chosen
    date_to, date_from = _date(f.get("date_to")), _date(f.get("date_from"))
    if date_to is not None and date_to < period.end:
        return BankMatching(
            None,
            (),
            tr(
                "The latest matching of the statement against {account} (run #{run}) compares AFAS's lines "
                "up to {date}, before the period's end ({end}): run it again with dates up to {end} for "
                "this period's reconciling items."
            ).format(account=account, run=run_id, date=date(date_to), end=date(period.end)),
        )
    end = period.end
    rows = con.execute(
        """
        SELECT result_id, kind, amount_afas, amount_ledger, date_afas, date_ledger, description_afas,
               description_ledger,
               CASE WHEN date_afas <= ? THEN coalesce(amount_afas, 0) ELSE 0 END
             - CASE WHEN date_ledger <= ? THEN coalesce(amount_ledger, 0) ELSE 0 END AS adds
        FROM recon_results WHERE run_id = ? AND adds <> 0 ORDER BY least(date_afas, date_ledger), result_id
        """,
        [end, end, run_id],
    ).fetchall()
    items = [_item(end, *row) for row in rows]
    notes: list[str] = []
    first = con.execute(
        "SELECT date_from, date_to, opening FROM statement_balances WHERE import_id = ? AND account = ? "
        "ORDER BY date_to, seq LIMIT 1",
        [import_id, iban],
    ).fetchall()
    if first and first[0][2] is not None:
        start, first_end, opening = first[0][0] or first[0][1], first[0][1], Decimal(first[0][2])
        left_out = _afas_between(con, period.unit, account, start, date_from) if date_from else (0, ZERO)
        if left_out[0]:
            notes.append(
                ntr(
                    "The run starts at {date}, after the statements' first day ({start}): AFAS's {n} line "
                    "of {amount} in between is not in it; run it from {start}.",
                    "The run starts at {date}, after the statements' first day ({start}): AFAS's {n} lines "
                    "of {amount} in between are not in it; run it from {start}.",
                    left_out[0],
                ).format(
                    date=date(date_from),
                    start=date(start),
                    n=number(left_out[0]),
                    amount=number(left_out[1], 2),
                )
            )
        before = _afas_before(con, period.unit, account, start)
        opening_item = BankItem(
            start,
            before - opening,
            tr(
                "balances at the start of the statements: AFAS {afas}, the statement's opening "
                "balance {opening}"
            ).format(afas=number(before, 2), opening=number(opening, 2)),
            tr("opening balance"),
            None,
        )
        if opening_item.amount:
            same = [
                i
                for i in items
                if i.why == tr(_ONLY_AFAS) and i.amount == -opening_item.amount and start <= i.on <= first_end
            ]
            if len(same) == 1:
                items.remove(same[0])
                notes.append(
                    tr(
                        "AFAS books the statement's opening balance of {amount} as its line {description} of "
                        "{date}: the same money, netted."
                    ).format(
                        amount=number(opening, 2),
                        description=repr(same[0].description),
                        date=date(same[0].on),
                    )
                )
            else:
                items.insert(0, opening_item)
    elif first:
        notes.append(
            tr("The first statement gives no opening balance: where the two started is not checked.")
        )
    lines = sum(1 for i in items if i.result_id is not None)
    head = (
        ntr(
            "Matching run #{run}: {n} line is not on both sides by the period end with the same amount: "
            "the reconciling items below.",
            "Matching run #{run}: {n} lines are not on both sides by the period end with the same amount: "
            "the reconciling items below.",
            lines,
        )
        if lines
        else tr("Matching run #{run}: every line up to the period end is on both sides with the same amount.")
    ).format(run=run_id, n=number(lines))
    return BankMatching(run_id, tuple(items), " ".join([head, *notes]))


_ONLY_AFAS = mark("only in AFAS by the period end")
_ONLY_BANK = mark("only on the statement by the period end")


def _item(
    end: dt.date,
    result_id: int,
    _kind: str,
    amount_afas: Decimal | None,
    amount_ledger: Decimal | None,
    date_afas: dt.date | None,
    date_ledger: dt.date | None,
    description_afas: str | None,
    description_ledger: str | None,
    adds: Decimal,
) -> BankItem:
    afas_in = date_afas is not None and date_afas <= end
    bank_in = date_ledger is not None and date_ledger <= end
    if afas_in and bank_in:
        why = tr("amounts differ")
    elif afas_in:
        why = (
            tr(_ONLY_AFAS)
            if date_ledger is None
            else tr("in AFAS, on the statement on {date}").format(date=date(date_ledger))
        )
    else:
        why = (
            tr(_ONLY_BANK)
            if date_afas is None
            else tr("on the statement, in AFAS on {date}").format(date=date(date_afas))
        )
    on = min(d for d in (date_afas if afas_in else None, date_ledger if bank_in else None) if d is not None)
    text = (description_ledger if bank_in else None) or description_afas or description_ledger or ""
    return BankItem(on, Decimal(adds).quantize(Decimal("0.01")), " ".join(text.split()), why, int(result_id))


def _afas_between(
    con: duckdb.DuckDBPyConnection, unit: int, account: str, start: dt.date, end: dt.date
) -> tuple[int, Decimal]:
    """The number and sum of AFAS's lines on ``account`` dated from ``start`` up to (not on) ``end``."""
    if end <= start or not has_table(con, "Profit_Transactions"):
        return 0, ZERO
    count, total = con.execute(
        'SELECT count(*), coalesce(sum(coalesce("AmtDebit", 0) - coalesce("AmtCredit", 0)), 0) '
        'FROM "Profit_Transactions" WHERE "UnitId" = ? AND "AccountNo" = ? AND "EntryDate" >= ? '
        'AND "EntryDate" < ?',
        [unit, account, start, end],
    ).fetchall()[0]
    return int(count), Decimal(total)


def _afas_before(con: duckdb.DuckDBPyConnection, unit: int, account: str, day: dt.date) -> Decimal:
    """AFAS's balance on ``account`` from its lines dated before ``day``."""
    return _afas_between(con, unit, account, dt.date.min, day)[1].quantize(Decimal("0.01"))
