"""What bank statements (MT940, CAMT.053) share once read: the fixed columns of :data:`BANK_HEADERS`
and the check of a statement's balances.

Amounts come out as plain text with a decimal point and the sign already applied from the
bookkeeping point of view of the bank's ledger account (money in is a debit: positive); dates as
ISO text; ``account`` is the statement's own IBAN. The reading engines are
:mod:`afas.recon.mt940file` and :mod:`afas.recon.camtfile`; the formats that recognise such files
and hand them there are :mod:`afas.recon.formats.mt940` and :mod:`afas.recon.formats.camt053`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["BANK_HEADERS", "StatementBalance", "balance_notice"]

BANK_HEADERS: tuple[str, ...] = (
    "date",
    "value_date",
    "amount",
    "currency",
    "description",
    "counterparty_name",
    "counterparty_iban",
    "reference",
    "account",
)


def balance_notice(
    statement: str, opening: Decimal | None, movements: Decimal, closing: Decimal | None
) -> str | None:
    """The notice for a statement whose opening balance plus its lines is not its closing balance
    (None when it adds up, or when the statement gives no opening or closing balance).

    ``statement`` names it for the user ("statement 3 of NL91ABNA0417164300"); the amounts are signed
    as the bank states them (credit positive).
    """
    if opening is None or closing is None or opening + movements == closing:
        return None
    return (
        f"{statement}: opening balance {opening:,.2f} plus its lines {movements:,.2f} is "
        f"{opening + movements:,.2f}, but the statement's closing balance is {closing:,.2f} "
        f"(a difference of {closing - opening - movements:,.2f}). The statement is incomplete or "
        "lines are missing; download it from the bank again, or import it and look for the gap."
    )


@dataclass(frozen=True)
class StatementBalance:
    """A statement's closing balance as the bank states it: money in the account positive (the sign of
    the lines: a debit on the bank's ledger account), on ``date`` (the closing balance's own date)."""

    account: str  # the statement's own IBAN, without spaces
    statement: str  # how the user reads it ("statement 3 of NL91ABNA0417164300")
    date: dt.date
    closing: Decimal
    currency: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "account": self.account,
            "statement": self.statement,
            "date": self.date.isoformat(),
            "closing": str(self.closing),
            "currency": self.currency,
        }

    @classmethod
    def from_json(cls, values: dict[str, str | None]) -> StatementBalance:
        return cls(
            str(values["account"]),
            str(values["statement"]),
            dt.date.fromisoformat(str(values["date"])),
            Decimal(str(values["closing"])),
            values.get("currency"),
        )
