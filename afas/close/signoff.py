"""Signing an account's close: the preparer, then a reviewer who is another person (four-eyes).

Preparing needs the account reconciled (its evidence equals AFAS's balance, or the reconciling items
explain the difference, or it had no balance and no movement). Signed in, the rule of the correction
batches holds (afas.access.approvals_needed): one reviewer, or two when AFAS's balance of the account
at the period end (its absolute amount) is above the four-eyes threshold; each reviewer is another
person than the preparer and than the other reviewer, compared by identity (issuer and subject). With
typed names (one machine without sign-in) one reviewer, another name than the preparer's. Until every
review is in the account stays prepared ("1 of 2 reviews"); then it is reviewed, and locked: no
evidence, setting or item of it changes until AFAS's balance does (then it reopens with its reviews
gone, see :mod:`afas.close.overview`). Every step writes an event with who and when (one per review).
Two sessions signing at once: the writes are conditional on the state read (a second reviewer at the
same moment as the first is counted after the first), so nobody is silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import duckdb

from afas.access import LOCAL_ISSUER, AccessConfig, Right, User, approvals_needed
from afas.catalogue import label
from afas.close.balances import ClosePeriod, last_change
from afas.close.booking import Booking, book, plan_booking, propose_booking
from afas.close.items import add_item, clear_item, record_event
from afas.close.overview import AccountClose, SignOff, close_overview
from afas.close.schema import CloseEvent, CloseStatus, EvidenceKind
from afas.corrections.batches import Batch
from afas.corrections.outbox import ItemRow
from afas.corrections.plans import Defaults
from afas.errors import AppError, InputError
from afas.i18n import mark, ntr, number, tr
from afas.warehouse.db import transaction

__all__ = [
    "FourEyes",
    "NotReconciled",
    "add_reconciling_item",
    "book_item",
    "clear_reconciling_item",
    "document_evidence",
    "identity",
    "prepare",
    "prepared_it",
    "review",
    "reviewed_it",
    "reviews_needed",
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
            tr("Say who you are before signing or changing the close."), tr("Type your name in the sidebar.")
        )
    return name


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two signatures are the same person (names compared without case and extra spaces)."""
    return bool(a and b) and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def identity(who: Who) -> tuple[str, str]:
    """(issuer, subject) of who signs: a signed-in person's; for a typed name this machine's issuer and
    the name without case and extra spaces (so two typed names are one person as :func:`same_person`
    says, and a typed name is never a signed-in person)."""
    if isinstance(who, User):
        return who.issuer, who.subject
    return LOCAL_ISSUER, " ".join((who or "").split()).casefold()


def _signature(who: Who) -> str:
    return who.signature if isinstance(who, User) else " ".join((who or "").split())


def _typed(who: Who) -> bool:
    return not isinstance(who, User) or who.is_local


def prepared_it(signoff: SignOff, who: Who) -> bool:
    """Whether ``who`` prepared ``signoff``: a signed-in person by identity (issuer and subject, not
    the name or address they show); a typed name (or a signature as text) also by name, as before; a
    preparation signed before identities were recorded by name."""
    if signoff.prepared_identity is not None and signoff.prepared_identity == identity(who):
        return True
    if signoff.prepared_identity is None or _typed(who):
        return same_person(signoff.prepared_by, _signature(who))
    return False


def reviewed_it(signoff: SignOff, who: Who) -> bool:
    """Whether ``who`` gave one of ``signoff``'s reviews already (compared as :func:`prepared_it` does)."""
    me = identity(who)
    for r in signoff.reviews:
        if r.identity is not None and r.identity == me:
            return True
        if (r.identity is None or _typed(who)) and same_person(r.reviewer, _signature(who)):
            return True
    return False


def reviews_needed(who: Who, config: AccessConfig | None, balance: Decimal | None) -> int:
    """How many people review an account whose AFAS balance is ``balance``, as ``who`` signs: signed in
    one, two when its absolute amount is above ``config``'s four-eyes threshold (the rule of the
    correction batches, afas.access.approvals_needed); a typed name (no sign-in): one."""
    if isinstance(who, User) and not who.is_local:
        amount = abs(balance) if balance is not None else None
        return max(approvals_needed(who, config or AccessConfig(), amount), 1)
    return 1


T = TypeVar("T")
_RETRIES = 40  # write-write conflicts between sessions of one process: the loser tries again


class _Again(Exception):
    """Another session took the key this one wanted meanwhile: read again and decide again."""


def _retrying(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """``work`` in one transaction; a write-write conflict with another session (or :class:`_Again`)
    rolls it back and it runs again (it then reads what the other committed, and decides on that)."""
    for attempt in range(_RETRIES):
        try:
            with transaction(con):
                return work()
        except (duckdb.TransactionException, _Again):
            if attempt == _RETRIES - 1:
                raise SignedMeanwhile(
                    tr("Another session kept changing the account while you signed it."), tr("Try again.")
                ) from None
            time.sleep(random.uniform(0.001, 0.005) * (1 + attempt % 8))
    raise AssertionError("unreachable")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _current(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str) -> AccountClose:
    return close_overview(con, *period.key).account(account)


def _unlocked(row: AccountClose) -> None:
    if row.locked:
        raise Locked(row.lock_reason(), tr("Withdraw the preparation (a reviewed account stays locked)."))


def prepare(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    who: Who,
    *,
    config: AccessConfig | None = None,
) -> AccountClose:
    """Sign ``account`` as prepared for ``period``, with the preparer's identity (so that they cannot
    review it under another spelling); with ``config``, how many reviews it needs is known from now
    (else from its first review)."""
    name = _who(who)
    row = _current(con, period, account)
    _unlocked(row)
    if not row.reconciled.done:
        unexplained = row.unexplained
        why = (
            row.evidence.source
            if unexplained is None
            else tr("a difference of {amount} is not explained by reconciling items.").format(
                amount=number(unexplained, 2)
            )
        )
        raise NotReconciled(
            tr("Account {account} is not reconciled: {why}").format(account=account, why=why),
            tr("Add the evidence, or reconciling items that explain the difference, then prepare it."),
        )
    changed = last_change(con, period.unit, account, period.end)
    issuer, subject = identity(who)
    needed = reviews_needed(who, config, row.afas_balance) if config is not None else None
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
                "afas_balance, supporting, last_change, prepared_issuer, prepared_subject, reviews_needed, "
                "reviews) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                [*period.key, account, name, _now(), row.afas_balance, row.supporting, changed, issuer,
                 subject, needed],
            )  # fmt: skip
        except duckdb.ConstraintException:
            raise SignedMeanwhile(
                tr("Account {account} was signed in another session while you prepared it.").format(
                    account=account
                ),
                tr("Reload the page and look again."),
            ) from None
        # reviews left of an earlier preparation (they go with it, but be sure): not this one's
        con.execute(
            "DELETE FROM close_reviews WHERE unit = ? AND year = ? AND period = ? AND account = ?",
            [*period.key, account],
        )
        record_event(
            con,
            period,
            account,
            CloseEvent.PREPARED,
            name,
            tr("AFAS balance {amount}").format(amount=number(row.afas_balance, 2)),
        )
    return _current(con, period, account)


def _more(n: int) -> str:
    return ntr("{n} more review", "{n} more reviews", n).format(n=n)


def review(
    con: duckdb.DuckDBPyConnection,
    period: ClosePeriod,
    account: str,
    who: Who,
    *,
    config: AccessConfig | None = None,
) -> AccountClose:
    """Review ``account``: another person than its preparer (and than its other reviewer). Signed in,
    an account whose AFAS balance is above ``config``'s four-eyes threshold needs two reviews: after
    the first it is still prepared ("1 of 2 reviews"), the second makes it reviewed and locked."""
    name = _who(who, Right.APPROVE)
    me = identity(who)
    row = _current(con, period, account)
    signed = row.signoff
    if row.status != CloseStatus.PREPARED or signed is None:
        raise InputError(
            tr("Account {account} is {status}, not prepared: there is nothing to review.").format(
                account=account, status=label(row.status)
            ),
            tr("The preparer signs it first."),
        )
    if prepared_it(signed, who):
        raise FourEyes(
            tr("You prepared account {account} yourself, so you cannot review it too.").format(
                account=account
            ),
            tr("Another person reviews it (four-eyes)."),
        )
    if reviewed_it(signed, who):
        raise FourEyes(
            tr("You reviewed account {account} already; it needs {more} by another person.").format(
                account=account, more=_more(signed.reviews_missing)
            ),
            tr("Another person reviews it (above the four-eyes threshold two people review)."),
        )
    wanted = reviews_needed(who, config, row.afas_balance)

    def work() -> None:
        found = con.execute(
            "SELECT prepared, reviewed, afas_balance, coalesce(reviews, 0), reviews_needed "
            "FROM close_signoffs WHERE unit = ? AND year = ? AND period = ? AND account = ?",
            [*period.key, account],
        ).fetchall()
        if (
            not found
            or found[0][0] != signed.prepared
            or found[0][1] is not None
            or found[0][2] != row.afas_balance
        ):
            raise SignedMeanwhile(
                f"Account {account} changed while you reviewed it.", "Reload the page and look again."
            )
        count, stored = int(found[0][3]), found[0][4]
        others = con.execute(
            "SELECT reviewer, issuer, subject FROM close_reviews WHERE unit = ? AND year = ? AND period = ? "
            "AND account = ? ORDER BY position",
            [*period.key, account],
        ).fetchall()
        if any((issuer, subject) == me for _, issuer, subject in others):
            raise FourEyes(
                tr("You reviewed account {account} in another session already.").format(account=account),
                tr("Another person gives its other review."),
            )
        needed = max(int(stored or 1), wanted)
        now = _now()
        given = len(others) + 1
        try:  # position and person are unique: a review committed meanwhile makes this one read again
            con.execute(
                "INSERT INTO close_reviews (unit, year, period, account, position, issuer, subject, "
                "reviewer, reviewed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*period.key, account, given, *me, name, now],
            )
        except duckdb.ConstraintException:
            raise _Again from None
        final = given >= needed
        done = con.execute(
            "UPDATE close_signoffs SET reviews = ?, reviews_needed = ?, reviewed_by = ?, reviewed = ? "
            "WHERE unit = ? AND year = ? AND period = ? AND account = ? AND prepared = ? "
            "AND reviewed IS NULL AND afas_balance = ? AND coalesce(reviews, 0) = ? RETURNING account",
            [given, needed, ", ".join([*(r for r, _, _ in others), name]) if final else None,
             now if final else None, *period.key, account, signed.prepared, row.afas_balance, count],
        ).fetchall()  # fmt: skip
        if not done:
            raise SignedMeanwhile(
                f"Account {account} changed while you reviewed it.", "Reload the page and look again."
            )
        detail = tr("prepared by {preparer}").format(preparer=signed.prepared_by)
        if needed > 1:
            detail = (
                tr("prepared by {preparer}; review {given} of {needed}")
                if final
                else tr("prepared by {preparer}; review {given} of {needed}, waiting for the other")
            ).format(preparer=signed.prepared_by, given=given, needed=needed)
        record_event(con, period, account, CloseEvent.REVIEWED, name, detail)

    _retrying(con, work)
    return _current(con, period, account)


def withdraw(con: duckdb.DuckDBPyConnection, period: ClosePeriod, account: str, who: Who) -> AccountClose:
    """Withdraw a preparation that is not reviewed yet, with the reviews it has (a reviewed account
    stays locked)."""
    name = _who(who)
    row = _current(con, period, account)
    if row.status != CloseStatus.PREPARED or row.signoff is None:
        raise InputError(
            tr("Account {account} is {status}: only a preparation not yet reviewed can be withdrawn.").format(
                account=account, status=label(row.status)
            ),
            tr("A reviewed account reopens only when AFAS's balance changes."),
        )
    with transaction(con):
        done = con.execute(
            "DELETE FROM close_signoffs WHERE unit = ? AND year = ? AND period = ? AND account = ? "
            "AND reviewed IS NULL RETURNING account",
            [*period.key, account],
        ).fetchall()
        if not done:
            raise SignedMeanwhile(
                tr("Account {account} was reviewed in another session meanwhile: it is locked.").format(
                    account=account
                ),
                tr("Reload the page and look again."),
            )
        con.execute(
            "DELETE FROM close_reviews WHERE unit = ? AND year = ? AND period = ? AND account = ?",
            [*period.key, account],
        )
        progress = row.signoff.review_progress()
        record_event(
            con,
            period,
            account,
            CloseEvent.UNSIGNED,
            name,
            (
                tr("prepared by {preparer}, with {progress}") if progress else tr("prepared by {preparer}")
            ).format(preparer=row.signoff.prepared_by, progress=progress),
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
            tr("A bank account's evidence needs its IBAN."), tr("Pick the IBAN of the imported statement.")
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
    value = parse_amount(amount, mark("The supporting amount"))
    text = " ".join((note or "").split())
    if not text:
        raise InputError(
            tr("Evidence needs a note."), tr("Say what supports the amount (a schedule, a confirmation).")
        )
    if file_bytes is not None and len(file_bytes) > MAX_ATTACHMENT_BYTES:
        size = MAX_ATTACHMENT_BYTES // (1024 * 1024)
        raise InputError(
            (
                tr("{file} is larger than {size} MB.").format(file=file_name, size=size)
                if file_name
                else tr("The file is larger than {size} MB.").format(size=size)
            ),
            tr("Attach a smaller file (a PDF of the schedule)."),
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
        record_event(con, period, account, CloseEvent.EVIDENCE, name, f"{number(value, 2)} {text}")


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
    *,
    config: AccessConfig | None = None,
) -> tuple[Booking, ItemRow | Batch]:
    """Book reconciling item ``item_id`` as a correction (see :mod:`afas.close.booking`); refused while
    the account is prepared or reviewed in ``period``.

    A typed name (one machine without sign-in) approves it into the outbox at once: (booking, its
    outbox row). A signed-in person prepares it as a correction batch another person approves (two
    others above ``config``'s four-eyes threshold): (booking, the batch); the item waits for it."""
    name = _who(who)
    rows = con.execute("SELECT account FROM close_items WHERE item_id = ?", [item_id]).fetchall()
    if rows:
        _unlocked(_current(con, period, rows[0][0]))
    booking = plan_booking(con, period, item_id, defaults, description)
    if isinstance(who, User) and not who.is_local:
        return booking, propose_booking(con, period, booking, who, config=config or AccessConfig())
    return booking, book(con, period, booking, name)
