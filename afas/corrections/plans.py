"""Correction plans: what the user wants changed in AFAS, as plain, immutable items.

Four kinds of plan item (:class:`PlanKind`), one per UpdateConnector call: a journal entry
(FiEntries), a new customer or supplier (KnSalesRelation*/KnPurchaseRelation*), changed relation
fields (PUT), and a new allocation code (KnDimCode). Each carries the AFAS rows it was built from
(``sources``), so that the outbox can refuse to post when those rows changed after the user approved.

Every item answers the same small interface (:class:`PlanItem`): its connector and verb, its request
body, its outbox reference, what the outbox lists it as, and which check of the validation is its
own. The payloads, the validation and the outbox never ask which kind of item they hold.

The builders that turn differences into items, filled with the user's defaults, are in
afas/corrections/entries.py (journal entries) and afas/corrections/masterdata.py (relations,
allocation codes). Everything here is pure: no I/O, money as Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from afas.corrections import payloads

if TYPE_CHECKING:
    from afas.corrections.validation import ItemCheck
from afas.i18n import tr

__all__ = [
    "CENT",
    "ITEM_CLASSES",
    "MAX_ENTRY_LINES",
    "ZERO",
    "Checks",
    "Defaults",
    "DimCodeInsertItem",
    "EntryLine",
    "JournalEntryItem",
    "PlanItem",
    "PlanKind",
    "References",
    "RelationInsertItem",
    "RelationUpdateItem",
    "SourceRows",
]

MAX_ENTRY_LINES = 1000  # AFAS: at most 1,000 lines per entry (fientries-post)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


class PlanKind(StrEnum):
    """What a plan item does in AFAS (stored in correction_items.kind; labels: afas.catalogue)."""

    ENTRY = "entry"  # a journal entry (FiEntries, POST)
    RELATION_INSERT = "relation_insert"  # a new customer or supplier (Kn*Relation*, POST)
    RELATION_UPDATE = "relation_update"  # changed fields of an existing one (Kn*Relation*, PUT)
    DIM_CODE = "dim_code"  # a new allocation code on an axis (KnDimCode, POST)


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


class References(Protocol):
    """Where the outbox takes the reference of an item that needs one (afas.corrections.outbox)."""

    def voucher_number(self) -> str:
        """A voucher number (BpNr) of the outbox's own, never used before."""
        ...

    def relation_number(self, sales: bool) -> str:
        """The next free customer (``sales``) or supplier number."""
        ...


class Checks(Protocol):
    """The local checks of each kind of item (afas.corrections.validation.Validator): an item hands
    itself to the one of its kind (:meth:`PlanItem.check_with`)."""

    def entry(self, item: JournalEntryItem, check: ItemCheck) -> None: ...

    def relation_insert(self, item: RelationInsertItem, check: ItemCheck) -> None: ...

    def relation_update(self, item: RelationUpdateItem, check: ItemCheck) -> None: ...

    def dim_code(self, item: DimCodeInsertItem, check: ItemCheck) -> None: ...


class PlanItem(Protocol):
    """What every plan item answers (see the module docstring)."""

    kind: ClassVar[PlanKind]
    method: ClassVar[str]  # POST (an insert) or PUT (an update)
    sources: tuple[SourceRows, ...]

    @property
    def connector(self) -> str:
        """The UpdateConnector that carries it out."""
        ...

    @property
    def administration(self) -> int | None:
        """The administration (UnId) it books in; None for what all administrations share."""
        ...

    @property
    def reference(self) -> str | None:
        """The outbox's reference: the value AFAS keeps and a GetConnector reads back (BpNr, DbId/CrId,
        axis/code); None while the outbox has still to give it one."""
        ...

    @property
    def summary(self) -> str:
        """What the outbox lists it as."""
        ...

    @property
    def amount(self) -> Decimal | None:
        """The money it moves (an entry's total debit); None for master data."""
        ...

    def with_reference(self, refs: References) -> Self:
        """This item with the reference the outbox gives it from ``refs``, where it takes one."""
        ...

    def body(self) -> dict[str, Any]:
        """Its UpdateConnector request body (afas.corrections.payloads); refused without a reference."""
        ...

    def check_with(self, checks: Checks, check: ItemCheck) -> None:
        """Have ``checks`` check it as the kind of item it is, into ``check``."""
        ...


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

    kind: ClassVar[PlanKind] = PlanKind.ENTRY
    method: ClassVar[str] = "POST"
    connector: ClassVar[str] = "FiEntries"

    @property
    def reference(self) -> str | None:
        return self.voucher_no

    @property
    def summary(self) -> str:
        return self.description

    @property
    def amount(self) -> Decimal:
        return self.total_debit

    def with_reference(self, refs: References) -> JournalEntryItem:
        # always the outbox's own: a voucher number someone else also used would be "found" in AFAS
        # and never posted
        return replace(self, voucher_no=refs.voucher_number())

    def body(self) -> dict[str, Any]:
        return payloads.entry_body(self)

    def check_with(self, checks: Checks, check: ItemCheck) -> None:
        checks.entry(self, check)

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

    kind: ClassVar[PlanKind] = PlanKind.RELATION_INSERT
    method: ClassVar[str] = "POST"
    administration: ClassVar[None] = None
    amount: ClassVar[None] = None

    @property
    def connector(self) -> str:
        return _relation_connector(self.sales, self.person)

    @property
    def display_name(self) -> str:
        if not self.person:
            return self.name
        return " ".join(p for p in (self.first_name, self.prefix, self.name) if p)

    @property
    def reference(self) -> str | None:
        return self.number

    @property
    def summary(self) -> str:
        return self.display_name

    def with_reference(self, refs: References) -> RelationInsertItem:
        """A number given by the user stays; else the next free one."""
        return self if self.number else replace(self, number=refs.relation_number(self.sales))

    def body(self) -> dict[str, Any]:
        return payloads.relation_insert_body(self)

    def check_with(self, checks: Checks, check: ItemCheck) -> None:
        checks.relation_insert(self, check)


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

    kind: ClassVar[PlanKind] = PlanKind.RELATION_UPDATE
    method: ClassVar[str] = "PUT"
    administration: ClassVar[None] = None
    amount: ClassVar[None] = None

    @property
    def connector(self) -> str:
        return _relation_connector(self.sales, self.person)

    @property
    def reference(self) -> str:
        return self.number

    @property
    def summary(self) -> str:
        return tr("Change {fields} of {number}").format(
            fields=", ".join(k for k, _ in self.expected), number=self.number
        )

    def with_reference(self, refs: References) -> RelationUpdateItem:
        return self  # the relation's own number

    def body(self) -> dict[str, Any]:
        return payloads.relation_update_body(self)

    def check_with(self, checks: Checks, check: ItemCheck) -> None:
        checks.relation_update(self, check)


@dataclass(frozen=True)
class DimCodeInsertItem:
    """A new allocation code on an axis (KnDimCode); (axis, code) is the reference."""

    axis: int
    code: str
    description: str
    sources: tuple[SourceRows, ...] = ()

    kind: ClassVar[PlanKind] = PlanKind.DIM_CODE
    method: ClassVar[str] = "POST"
    connector: ClassVar[str] = "KnDimCode"
    administration: ClassVar[None] = None
    amount: ClassVar[None] = None

    @property
    def reference(self) -> str:
        return f"{self.axis}/{self.code}"

    @property
    def summary(self) -> str:
        return self.description

    def with_reference(self, refs: References) -> DimCodeInsertItem:
        return self  # (axis, code) is the reference

    def body(self) -> dict[str, Any]:
        return payloads.dim_code_body(self)

    def check_with(self, checks: Checks, check: ItemCheck) -> None:
        checks.dim_code(self, check)


def _relation_connector(sales: bool, person: bool) -> str:
    return f"Kn{'Sales' if sales else 'Purchase'}Relation{'Per' if person else 'Org'}"


ITEM_CLASSES: dict[PlanKind, type[PlanItem]] = {
    cls.kind: cls for cls in (JournalEntryItem, RelationInsertItem, RelationUpdateItem, DimCodeInsertItem)
}
"""The item class of each kind (reading a stored plan back: afas.corrections.serialize)."""
