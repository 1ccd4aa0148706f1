"""What bank statements (MT940, CAMT.053) share once read: the fixed columns of :data:`BANK_HEADERS`
the check of a statement's balances, and those balances as kept with the import
(:class:`StatementBalance`, for the month-end close).

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

from afas.i18n import number, tr

__all__ = ["BANK_HEADERS", "StatementBalance", "balance_notice", "statement_account", "unsigned_zero"]

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
    return tr(
        "{statement}: opening balance {opening} plus its lines {movements} is {sum}, but the "
        "statement's closing balance is {closing} (a difference of {difference}). The statement is "
        "incomplete or lines are missing; download it from the bank again, or import it and look for "
        "the gap."
    ).format(
        statement=statement,
        opening=number(opening, 2),
        movements=number(movements, 2),
        sum=number(opening + movements, 2),
        closing=number(closing, 2),
        difference=number(closing - opening - movements, 2),
    )


@dataclass(frozen=True)
class StatementBalance:
    """One statement's balances as the bank states them, kept with the import for the month-end close.

    Signed as the lines are (:data:`BANK_HEADERS` ``amount``): money in the account positive, a debit
    on the bank's ledger account; so a positive closing balance is money in the bank, and ``opening``
    plus the statement's lines is ``closing`` when the statement adds up (the reader's notices say
    when it does not).

    - ``account``: the statement's own account (the ``account`` column of its lines), without spaces
      and in capitals: the IBAN (MT940 :25:, CAMT.053 ``Acct/Id/IBAN``, else ``Acct/Id/Othr/Id``);
    - ``statement``: how the user reads it ("statement 00031 of NL44RABO0123456789");
    - ``date_from``: the first day the statement covers as the file says it: CAMT.053's
      ``FrToDt/FrDtTm``, else the opening balance's date (MT940 :60F:, which some banks date the
      previous statement's last day); None when the file gives neither;
    - ``date_to``: the closing balance's own date (MT940 :62F:/:62M:, CAMT.053 CLBD ``Dt``);
    - ``opening``: MT940 :60F:/:60M:, CAMT.053 OPBD (else PRCD); None when the statement has none (or
      states it in another currency than the closing balance);
    - ``closing``: MT940 :62F: (else :62M:), CAMT.053 CLBD;
    - ``currency``: the closing balance's currency.
    """

    account: str
    statement: str
    date_from: dt.date | None
    date_to: dt.date
    opening: Decimal | None
    closing: Decimal
    currency: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The balance as JSON values: dates ISO text, amounts Decimal text (never a float)."""
        return {
            "account": self.account,
            "statement": self.statement,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat(),
            "opening": str(self.opening) if self.opening is not None else None,
            "closing": str(self.closing),
            "currency": self.currency,
        }

    @classmethod
    def from_json(cls, values: dict[str, str | None]) -> StatementBalance:
        date_from, opening = values.get("date_from"), values.get("opening")
        return cls(
            str(values["account"]),
            str(values["statement"]),
            dt.date.fromisoformat(date_from) if date_from else None,
            dt.date.fromisoformat(str(values["date_to"])),
            Decimal(opening) if opening is not None else None,
            Decimal(str(values["closing"])),
            values.get("currency"),
        )


def statement_account(text: str) -> str:
    """An account as balances are kept and looked up: without spaces, in capitals."""
    return "".join(text.split()).upper()


def unsigned_zero(amount: Decimal) -> Decimal:
    """``amount``, with a zero never negative ("-0.00" from a debit balance of nil is 0.00)."""
    return amount if amount else abs(amount)
