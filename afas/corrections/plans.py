"""Correction plans: what the user wants changed in AFAS, as plain, immutable items.

Four kinds of plan item, one per UpdateConnector call: a journal entry (FiEntries), a new
customer or supplier (KnSalesRelation*/KnPurchaseRelation*), changed relation fields (PUT), and a
new allocation code (KnDimCode). Each carries the AFAS rows it was built from (``sources``), so
that the outbox can refuse to post when those rows changed after the user approved.

The builders that turn differences into items, filled with the user's defaults, are in
afas/corrections/entries.py (journal entries) and afas/corrections/masterdata.py (relations,
allocation codes). Everything here is pure: no I/O, money as Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = [
    "CENT",
    "MAX_ENTRY_LINES",
    "ZERO",
    "Defaults",
    "DimCodeInsertItem",
    "EntryLine",
    "JournalEntryItem",
    "PlanItem",
    "RelationInsertItem",
    "RelationUpdateItem",
    "SourceRows",
]

MAX_ENTRY_LINES = 1000  # AFAS: at most 1,000 lines per entry (fientries-post)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Defaults:
    """What the user configured once per connection profile; every builder fills items from it."""

    administration: int  # UnId
    journal: str  # JoCo (a memorial journal is usual for corrections)
    contra_account: str  # the ledger account differences are booked against
    allocation_axis: int = 1  # the axis (1..5) allocation codes go on
    payment_terms: str | None = None  # PaCd of new relations
    currency: str = "EUR"
    debtor_collective_account: str | None = None  # ColA of new customers (AFAS's default if None)
    creditor_collective_account: str | None = None  # ColA of new suppliers


@dataclass(frozen=True)
class SourceRows:
    """The AFAS rows of ``connector`` where every ``field = value`` holds: what an item was built from.

    An empty set is meaningful too (a relation number or allocation code that must still be free).
    """

    connector: str
    match: tuple[tuple[str, Any], ...]

    def describe(self) -> str:
        return f"{self.connector} where " + " and ".join(f"{k} = {v!r}" for k, v in self.match)


@dataclass(frozen=True)
class EntryLine:
    """One FiEntries line. ``va_as`` 1 = ledger account, 2 = debtor, 3 = creditor (AFAS's VaAs)."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    description: str | None = None
    va_as: int = 1
    vat_code: str | None = None
    allocations: tuple[tuple[int, str], ...] = ()  # (axis, code); one FiDimEntries row for the line
    invoice_id: str | None = None

    def __post_init__(self) -> None:
        for amount in (self.debit, self.credit):
            if not isinstance(amount, Decimal):
                raise TypeError("amounts must be Decimal, never float")
        if self.va_as not in (1, 2, 3):
            raise ValueError("va_as must be 1 (ledger account), 2 (debtor) or 3 (creditor)")


@dataclass(frozen=True)
class JournalEntryItem:
    """One FiEntries entry. ``voucher_no`` (BpNr) is the outbox's reference, set when approved."""

    administration: int
    year: int
    period: int
    journal: str
    entry_date: date  # EnDa and BpDa of every line
    description: str
    lines: tuple[EntryLine, ...]
    voucher_no: str | None = None
    sources: tuple[SourceRows, ...] = ()

    kind = "entry"

    @property
    def total_debit(self) -> Decimal:
        return sum((ln.debit for ln in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((ln.credit for ln in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.total_debit == self.total_credit


@dataclass(frozen=True)
class RelationInsertItem:
    """A new customer (``sales``) or supplier; ``number`` (DbId/CrId) is the outbox's reference."""

    sales: bool
    person: bool
    name: str  # organisation name, or a person's last name
    currency: str
    payment_terms: str | None = None
    collective_account: str | None = None
    number: str | None = None
    first_name: str | None = None
    prefix: str | None = None  # tussenvoegsel ("van", "de")
    search_name: str | None = None
    email: str | None = None
    phone: str | None = None
    coc_number: str | None = None
    vat_id: str | None = None  # VAT identification number (VaId on a relation)
    iban: str | None = None
    street: str | None = None
    house_number: int | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None  # AFAS country code, e.g. NL
    sources: tuple[SourceRows, ...] = ()

    kind = "relation_insert"

    @property
    def connector(self) -> str:
        return f"Kn{'Sales' if self.sales else 'Purchase'}Relation{'Per' if self.person else 'Org'}"

    @property
    def display_name(self) -> str:
        if not self.person:
            return self.name
        return " ".join(p for p in (self.first_name, self.prefix, self.name) if p)


@dataclass(frozen=True)
class RelationUpdateItem:
    """A PUT of only the differing fields of an existing customer or supplier.

    ``relation_fields`` go on the relation element, ``party_fields`` on its KnOrganisation/KnPerson
    (identified as the relation's own with MatchOga/MatchPer 0 and ``bc_co``, or 9 without it).
    ``expected`` holds the GetConnector values the relation has once the PUT is through.
    """

    sales: bool
    person: bool
    number: str  # DbId / CrId: the reference
    relation_fields: tuple[tuple[str, Any], ...] = ()
    party_fields: tuple[tuple[str, Any], ...] = ()
    bc_co: str | None = None
    expected: tuple[tuple[str, Any], ...] = ()
    sources: tuple[SourceRows, ...] = ()

    kind = "relation_update"

    @property
    def connector(self) -> str:
        return f"Kn{'Sales' if self.sales else 'Purchase'}Relation{'Per' if self.person else 'Org'}"


@dataclass(frozen=True)
class DimCodeInsertItem:
    """A new allocation code on an axis (KnDimCode); (axis, code) is the reference."""

    axis: int
    code: str
    description: str
    sources: tuple[SourceRows, ...] = ()

    kind = "dim_code"


PlanItem = JournalEntryItem | RelationInsertItem | RelationUpdateItem | DimCodeInsertItem
