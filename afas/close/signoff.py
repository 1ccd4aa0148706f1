"""Signing an account's close: the preparer, then a reviewer who is another person (four-eyes).

Preparing needs the account reconciled (its evidence equals AFAS's balance, or the reconciling items
explain the difference, or it had no balance and no movement). A reviewed account-period is locked:
no evidence, setting or item of it changes until AFAS's balance does (then it reopens, see
:mod:`afas.close.overview`). Every step writes an event with who and when. Two sessions signing at
once: the writes are conditional on the state read, so the second is told, not silently overwritten.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from afas.access import Right, User
from afas.catalogue import label
from afas.close.balances import ClosePeriod, last_change
from afas.close.booking import Booking, book, plan_booking
from afas.close.items import add_item, clear_item, record_event
from afas.close.overview import AccountClose, close_overview
from afas.close.schema import CloseEvent, CloseStatus, EvidenceKind
from afas.corrections.outbox import ItemRow
from afas.corrections.plans import Defaults
from afas.errors import AppError, InputError
from afas.warehouse.db import transaction

__all__ = [
    "FourEyes",
    "NotReconciled",
    "add_reconciling_item",
    "book_item",
    "clear_reconciling_item",
    "document_evidence",
    "prepare",
    "review",
    "same_person",
    "set_evidence_kind",
    "withdraw",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class FourEyes(InputError):
    """The reviewer is the preparer: a second person must review."""


class NotReconciled(InputError):
    """Preparing an account whose balance its evidence does not support."""


class Locked(InputError):
    """Changing an account-period that is prepared or reviewed."""


class SignedMeanwhile(AppError):
    """Another session signed or changed the account between reading and writing."""


Who = str | User
"""Who signs: a signed-in :class:`afas.access.User` (their rights are checked here and they are
recorded by their signature, 'Anna de Vries <anna@example.nl>'), or a typed name (one machine
without sign-in: one person, every right)."""


def _who(who: Who, right: Right = Right.PREPARE) -> str:
    if isinstance(who, User):
        who.require(right)
        return who.signature
    name = " ".join((who or "").split())
    if not name:
        raise InputError(
            "Say who you are before signing or changing the close.", "Type your name in the sidebar."
        )
    return name


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two signatures are the same person (names compared without case and extra spaces)."""
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _current(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str) -> AccountClose:
    return close_overview(con, *period.key).account(account)


def _unlocked(row: AccountClose) -> None:
    if row.locked:
        raise Locked(row.lock_reason(), "Withdraw the preparation (a reviewed account stays locked).")


def prepare(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, who: Who) -> AccountClose:
    """Sign ``account`` as prepared for ``period``."""
    name = _who(who)
    row = _current(con, period, account)
    _unlocked(row)
    if not row.reconciled.done:
        unexplained = row.unexplained
        raise NotReconciled(
            f"Account {account} is not reconciled: "
            + (
                row.evidence.source
                if unexplained is None
                else f"a difference of {unexplained:,.2f} is not explained by reconciling items."
            ),
            "Add the evidence, or reconciling items that explain the difference, then prepare it.",
        )
    changed = last_change(con, period.unit, account, period.end)
    with transaction(con):
        # a reopened row goes; one another session signed meanwhile stays, and the INSERT is refused
        con.execute(
            "DELETE FROM close_signoffs WHERE unit = ? AND year = ? AND period = ? AND account = ? "
            "AND prepared IS NULL AND reviewed IS NULL",
            [*period.key, account],
        )
        try:
            con.execute(
                "INSERT INTO close_signoffs (unit, year, period, account, prepared_by, prepared, "
                "afas_balance, supporting, last_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*period.key, account, name, _now(), row.afas_balance, row.supporting, changed],
            )
        except duckdb.ConstraintException:
            raise SignedMeanwhile(
                f"Account {account} was signed in another session while you prepared it.",
                "Reload the page and look again.",
            ) from None
        record_event(con, period, account, CloseEvent.PREPARED, name, f"AFAS balance {row.afas_balance:,.2f}")
    return _current(con, period, account)


def review(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, who: Who) -> AccountClose:
    """Sign ``account`` as reviewed: by another person than its preparer."""
    name = _who(who, Right.APPROVE)
    row = _current(con, period, account)
    if row.status != CloseStatus.PREPARED or row.signoff is None:
        raise InputError(
            f"Account {account} is {label(row.status)}, not prepared: there is nothing to review.",
            "The preparer signs it first.",
        )
    if same_person(row.signoff.prepared_by, name):
        raise FourEyes(
            f"You prepared account {account} yourself, so you cannot review it too.",
            "Another person reviews it (four-eyes).",
        )
    with transaction(con):
        done = con.execute(
            "UPDATE close_signoffs SET reviewed_by = ?, reviewed = ? "
            "WHERE unit = ? AND year = ? AND period = ? AND account = ? AND prepared_by = ? "
            "AND reviewed_by IS NULL AND afas_balance = ? RETURNING account",
            [name, _now(), *period.key, account, row.signoff.prepared_by, row.afas_balance],
        ).fetchall()
        if not done:
            raise SignedMeanwhile(
                f"Account {account} changed while you reviewed it.", "Reload the page and look again."
            )
        record_event(
            con, period, account, CloseEvent.REVIEWED, name, f"prepared by {row.signoff.prepared_by}"
        )
    return _current(con, period, account)


def withdraw(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, who: Who) -> AccountClose:
    """Withdraw a preparation that is not reviewed yet (a reviewed account stays locked)."""
    name = _who(who)
    row = _current(con, period, account)
    if row.status != CloseStatus.PREPARED:
        raise InputError(
            f"Account {account} is {label(row.status)}: only a preparation not yet reviewed "
            "can be withdrawn.",
            "A reviewed account reopens only when AFAS's balance changes.",
        )
    with transaction(con):
        con.execute(
            "DELETE FROM close_signoffs WHERE unit = ? AND year = ? AND period = ? AND account = ?",
            [*period.key, account],
        )
        record_event(
            con, period, account, CloseEvent.UNSIGNED, name, f"prepared by {row.signoff.prepared_by}"
        )
    return _current(con, period, account)


def set_evidence_kind(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    kind: EvidenceKind,
    who: Who,
    iban: str | None = None,
) -> None:
    """Choose what evidences ``account`` (for every period of the administration); a bank account
    names the IBAN of its statements."""
    name = _who(who)
    _unlocked(_current(con, period, account))
    iban = "".join((iban or "").split()).upper() or None
    if kind != EvidenceKind.BANK_STATEMENT:
        iban = None
    elif iban is None:
        raise InputError(
            "A bank account's evidence needs its IBAN.", "Pick the IBAN of the imported statement."
        )
    with transaction(con):
        con.execute("DELETE FROM close_settings WHERE unit = ? AND account = ?", [period.unit, account])
        con.execute(
            "INSERT INTO close_settings VALUES (?, ?, ?, ?, ?, ?)",
            [period.unit, account, str(kind), iban, name, _now()],
        )
        record_event(
            con, period, account, CloseEvent.SETTING, name, label(kind) + (f" {iban}" if iban else "")
        )


def document_evidence(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    amount: Decimal | str,
    note: str,
    who: Who,
    *,
    file_name: str | None = None,
    file_bytes: bytes | None = None,
) -> None:
    """Document the supporting amount of ``account`` for ``period`` (a schedule), with a note and file."""
    from afas.close.items import parse_amount

    name = _who(who)
    _unlocked(_current(con, period, account))
    value = parse_amount(amount, "The supporting amount")
    text = " ".join((note or "").split())
    if not text:
        raise InputError(
            "Evidence needs a note.", "Say what supports the amount (a schedule, a confirmation)."
        )
    if file_bytes is not None and len(file_bytes) > MAX_ATTACHMENT_BYTES:
        raise InputError(
            f"{file_name or 'The file'} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
            "Attach a smaller file (a PDF of the schedule).",
        )
    with transaction(con):
        con.execute(
            "DELETE FROM close_evidence WHERE unit = ? AND year = ? AND period = ? AND account = ?",
            [*period.key, account],
        )
        con.execute(
            "INSERT INTO close_evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*period.key, account, value, text, file_name if file_bytes else None, file_bytes, name, _now()],
        )
        record_event(con, period, account, CloseEvent.EVIDENCE, name, f"{value:,.2f} {text}")


def evidence_file(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str
) -> tuple[str, bytes] | None:
    row = con.execute(
        "SELECT file_name, file_bytes FROM close_evidence WHERE unit = ? AND year = ? AND period = ? "
        "AND account = ? AND file_bytes IS NOT NULL",
        [*period.key, account],
    ).fetchall()
    return (row[0][0], bytes(row[0][1])) if row else None


def add_reconciling_item(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    amount: Decimal | str,
    description: str,
    who: Who,
    *,
    expected: dt.date | None = None,
    owner: str | None = None,
) -> int:
    name = _who(who)
    _unlocked(_current(con, period, account))
    with transaction(con):
        return add_item(con, period, account, amount, description, name, expected=expected, owner=owner)


def clear_reconciling_item(
    con: duckdb.DuckDBPyConnection, period: ClosePeriod, item_id: int, who: Who
) -> None:
    name = _who(who)
    rows = con.execute("SELECT account FROM close_items WHERE item_id = ?", [item_id]).fetchall()
    if rows:
        _unlocked(_current(con, period, rows[0][0]))
    with transaction(con):
        clear_item(con, period, item_id, name)


def book_item(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    item_id: int,
    defaults: Defaults,
    who: Who,
    description: str | None = None,
) -> tuple[Booking, ItemRow]:
    """Book reconciling item ``item_id`` as a correction approved by ``who`` (see
    :mod:`afas.close.booking`); refused while the account is prepared or reviewed in ``period``."""
    name = _who(who)
    rows = con.execute("SELECT account FROM close_items WHERE item_id = ?", [item_id]).fetchall()
    if rows:
        _unlocked(_current(con, period, rows[0][0]))
    booking = plan_booking(con, period, item_id, defaults, description)
    # a signed-in person's correction waits for another's approval: the outbox refuses a one-step one
    return booking, book(con, period, booking, who if isinstance(who, User) and not who.is_local else name)
