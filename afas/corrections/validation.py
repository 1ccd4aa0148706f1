"""Local validation of plan items against the warehouse, before anything goes to AFAS.

The checks mirror what AFAS (and so the emulator, afas/emulator/fientry_checks.py, relations.py,
dimcodes.py) refuses, in AFAS's own English wording (``MESSAGES``, the same texts as the emulator's
afas/emulator/messages.py; a test holds them equal). AFAS stops at the first problem; here every
problem of an item is listed at once. ``hints`` add what AFAS does not say: the first open period
when a period is blocked, splitting an entry over 1,000 lines.

Reads the synced tables: Profit_Administrations, Profit_periods_per_administration, Profit_Journals,
Profit_Accounts, Profit_Debtor, Profit_Creditor, Profit_VAT_code, Recon_AllocationCodes,
Recon_PaymentConditions, Profit_Currency (each only when the check needs it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from afas.corrections.payloads import request_for
from afas.corrections.plans import (
    MAX_ENTRY_LINES,
    DimCodeInsertItem,
    JournalEntryItem,
    PlanItem,
    RelationInsertItem,
    RelationUpdateItem,
)
from afas.corrections.readback import MissingTable, table_exists
from afas.i18n import Language, current, mark, ptr, tr
from afas.warehouse.schema import quote_ident

__all__ = [
    "MESSAGES",
    "PREVIEW_REFERENCE",
    "ItemCheck",
    "Validator",
    "dry_run",
    "message",
    "preview",
    "validate",
]

# English texts of afas/emulator/messages.py (AFAS's wording where known).
MESSAGES: dict[str, str] = {
    "not_exist": mark("The entered value for '{label}' does not exist."),
    "required": mark("Enter a value for '{label}'."),
    "date_blocked": mark("Date '{date}' belongs to a blocked period"),
    "period_blocked": mark("For this administration, period {period} of the year {year} is blocked."),
    "alloc_required": mark("Allocation code for axis '{axis}' must be filled for account {account}"),
    "no_assignment": mark(
        "General message: There is no assignment for {axis} '{code}' with account '{account}' "
        "or the assignment is blocked."
    ),
    "vat_fk": mark(
        "(AntaObject) The foreignkey does not exist in the database. FieldId=Btw-code, ForeignkeyId=KnVat"
    ),
    "relation_fk": mark(
        "(AntaObject) The foreignkey does not exist in the database. FieldId=Rekeningnummer, "
        "ForeignkeyId=KnAnt1"
    ),
    "vat_not_allowed": mark("(AFASFiEntry) VAT is not allowed for account {account}"),
    "not_balanced": mark("The entry is not in balance. Debit {debit}, credit {credit}."),
    "no_lines": mark("The entry has no lines."),
    "too_many_lines": mark("An entry may hold at most 1,000 lines; this entry has {count} lines."),
    "date_no_period": mark("Date '{date}' does not belong to an existing period"),
    "journal_blocked": mark("Journal {journal} is blocked."),
    "account_blocked": mark("Account {account} is blocked."),
    "alloc_code_blocked": mark("Allocation code '{code}' of axis '{axis}' is blocked."),
    "project_required": mark("Project is required for account {account}."),
    "already_exists": mark("{noun} {id} already exists."),
    "code_exists": mark("Allocation code '{code}' already exists on allocation axis {axis}."),
}


def message(key: str, **values: Any) -> str:
    """A catalogue message with its values filled in, in the session's language (the Dutch is
    AFAS's Dutch wording, as the emulator's afas/emulator/messages.py has it)."""
    return tr(MESSAGES[key]).format(**values)


def _dmy(d: dt.date) -> str:  # as AFAS writes a date in its messages, in either language
    return f"{d.day}-{d.month}-{d.year}"


def _money(value: Any) -> str:
    """An amount as AFAS's messages show it: '1234.50' in English, '1234,50' in Dutch."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if current() is Language.NL else text


@dataclass
class ItemCheck:
    """The outcome for one item: AFAS's messages (empty = valid), our hints, and its request body."""

    item: PlanItem
    messages: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    connector: str = ""
    method: str = ""
    body: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.messages

    def add(self, text: str) -> None:
        if text not in self.messages:
            self.messages.append(text)


class Validator:
    """Checks items against one warehouse connection; small tables are read once and kept.

    :meth:`check` hands the item the validator (afas.corrections.plans.Checks); the item calls the
    method of its kind: :meth:`entry`, :meth:`relation_insert`, :meth:`relation_update`, :meth:`dim_code`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._cache: dict[str, Any] = {}
        self._tables: dict[str, bool] = {}

    def _has(self, table: str) -> bool:
        """Whether the warehouse holds ``table`` (asked once per validator: the catalogue is slow)."""
        if table not in self._tables:
            self._tables[table] = table_exists(self.con, table)
        return self._tables[table]

    def _rows(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        if table not in self._cache:
            if not self._has(table):
                raise MissingTable(table)
            cols = ", ".join(quote_ident(c) for c in columns)
            self._cache[table] = self.con.execute(f"SELECT {cols} FROM {quote_ident(table)}").fetchall()
        return self._cache[table]

    def _accounts(self) -> dict[str, tuple[Any, ...]]:
        cols = ["Account", "Blocked", "VatAllowed", "ToProject", "CollectAccount", "CollectAccountType"]
        cols += [f"DimAx{i}" for i in range(1, 6)]
        return {r[0]: r for r in self._rows("Profit_Accounts", cols)}

    def _axes(self) -> dict[int, str]:
        rows = self._rows("Recon_AllocationCodes", ["AxisId", "AxisDescription", "AllocationCode", "Blocked"])
        return {int(r[0]): r[1] for r in rows}

    def _codes(self) -> dict[tuple[int, str], bool]:
        rows = self._rows("Recon_AllocationCodes", ["AxisId", "AxisDescription", "AllocationCode", "Blocked"])
        return {(int(r[0]), r[2]): bool(r[3]) for r in rows}

    def _assignments(self, unit: int) -> dict[str, dict[int, set[str]]]:
        """Per account and axis, the codes assigned to it (Profit_Allocation_Assigments), if synced."""
        if not self._has("Profit_Allocation_Assigments"):
            return {}
        out: dict[str, dict[int, set[str]]] = {}
        for u, account, axis, code in self._rows(
            "Profit_Allocation_Assigments", ["Unit", "Account", "DimAx", "DimCode"]
        ):
            if u == unit and str(axis).isdigit():
                out.setdefault(account, {}).setdefault(int(axis), set()).add(code)
        return out

    def _relations(self, sales: bool) -> set[str]:
        table, col = ("Profit_Debtor", "DebtorId") if sales else ("Profit_Creditor", "CreditorId")
        return {r[0] for r in self._rows(table, [col])}

    # --- entries ---------------------------------------------------------------------------------

    def entry(self, item: JournalEntryItem, check: ItemCheck) -> None:
        """A journal entry: administration, period, journal, lines, accounts, VAT, allocations, balance."""
        unit = item.administration
        if self._has("Profit_Administrations"):
            admins = {r[0] for r in self._rows("Profit_Administrations", ["AdminId"])}
            if unit not in admins:
                check.add(message("not_exist", label=ptr("AFAS field", "Administration")))
        periods = [
            r
            for r in self._rows(
                "Profit_periods_per_administration",
                ["Unit", "Year", "Period", "DateFrom", "DateTo", "Blocked"],
            )
            if r[0] == unit
        ]
        header = next((p for p in periods if p[1] == item.year and p[2] == item.period), None)
        if header is None:
            check.add(message("not_exist", label=ptr("AFAS field", "Period")))
        elif header[5]:
            check.add(message("period_blocked", period=item.period, year=item.year))
            self._hint_open_period(periods, header[3], check)
        journals = {
            (r[0], r[1]): r[2] for r in self._rows("Profit_Journals", ["UnitId", "JournalId", "Blocked"])
        }
        if (unit, item.journal) not in journals:
            check.add(message("not_exist", label=ptr("AFAS field", "Journal")))
        elif journals[(unit, item.journal)]:
            check.add(message("journal_blocked", journal=item.journal))
        if not item.lines:
            check.add(message("no_lines"))
            return
        if len(item.lines) > MAX_ENTRY_LINES:
            check.add(message("too_many_lines", count=len(item.lines)))
            check.hints.append(tr("Split the entry into parts of at most 1,000 lines (split_entry)."))
        day = next((p for p in periods if p[3] <= item.entry_date <= p[4]), None)
        if day is None:
            check.add(message("date_no_period", date=_dmy(item.entry_date)))
        elif day[5]:
            check.add(message("date_blocked", date=_dmy(item.entry_date)))
            self._hint_open_period(periods, day[3], check)
        accounts = self._accounts()
        vat = {r[0]: r[1] for r in self._rows("Profit_VAT_code", ["VatCode", "Blocked"])}
        for ln in item.lines:
            account = None
            if ln.va_as == 1:
                account = accounts.get(ln.account)
                if account is None:
                    check.add(message("not_exist", label=ptr("AFAS field", "Account Number")))
                elif account[1]:
                    check.add(message("account_blocked", account=ln.account))
            elif ln.account not in self._relations(ln.va_as == 2):
                check.add(message("not_exist", label=ptr("AFAS field", "Account Number")))
            if ln.vat_code is not None:
                if ln.vat_code not in vat or vat[ln.vat_code]:
                    check.add(message("vat_fk"))
                elif account is not None and not account[2]:
                    check.add(message("vat_not_allowed", account=ln.account))
            self._allocations(unit, ln.account, ln.allocations, account, check)
            if account is not None and account[3] in ("V", "I"):
                check.add(message("project_required", account=ln.account))
        if not item.balanced:
            check.add(
                message("not_balanced", debit=_money(item.total_debit), credit=_money(item.total_credit))
            )

    def _allocations(
        self,
        unit: int,
        ac_nr: str,
        allocations: Sequence[tuple[int, str]],
        account: tuple[Any, ...] | None,
        check: ItemCheck,
    ) -> None:
        axes, codes = self._axes(), self._codes()
        for axis, code in allocations:
            if axis not in axes or (axis, code) not in codes:
                check.add(
                    message("not_exist", label=ptr("AFAS field", "Exception axis code {n}").format(n=axis))
                )
            elif codes[(axis, code)]:
                check.add(message("alloc_code_blocked", code=code, axis=axes[axis]))
        if account is None:
            return
        assigned = self._assignments(unit).get(ac_nr, {})
        for axis, code in allocations:
            if axis in assigned and code not in assigned[axis] and (axis, code) in codes:
                axis_name = str(axes.get(axis, axis)).lower()
                check.add(message("no_assignment", axis=axis_name, code=code, account=ac_nr))
        given = {axis for axis, _ in allocations}
        for axis in range(1, 6):
            if account[5 + axis] == "B" and axis in axes and axis not in given:
                check.add(message("alloc_required", axis=axes[axis], account=ac_nr))

    @staticmethod
    def _hint_open_period(periods: list[tuple[Any, ...]], after: dt.date, check: ItemCheck) -> None:
        later = sorted((p for p in periods if not p[5] and p[3] >= after), key=lambda p: p[3])
        if later:
            p = later[0]
            check.hints.append(
                tr("The first open period is period {period} of {year} ({start} to {end}).").format(
                    period=p[2], year=p[1], start=_dmy(p[3]), end=_dmy(p[4])
                )
            )
        else:
            check.hints.append(tr("There is no open period after this one."))

    # --- relations and allocation codes ----------------------------------------------------------

    def _relation_fields(
        self, sales: bool, currency: Any, pay_con: Any, collective: Any, check: ItemCheck
    ) -> None:
        if (
            currency is not None
            and self._has("Profit_Currency")
            and currency not in {r[0] for r in self._rows("Profit_Currency", ["CurrencyId"])}
        ):
            check.add(message("not_exist", label=ptr("AFAS field", "Currency")))
        if pay_con is not None:
            codes = {r[0] for r in self._rows("Recon_PaymentConditions", ["PaymentConditionId"])}
            if pay_con not in codes:
                check.add(message("not_exist", label=ptr("AFAS field", "Payment condition")))
        if collective is not None:
            account = self._accounts().get(collective)
            if account is None or not account[4] or account[5] != ("D" if sales else "C"):
                check.add(message("not_exist", label=ptr("AFAS field", "Summary account")))

    def relation_insert(self, item: RelationInsertItem, check: ItemCheck) -> None:
        """A new relation: its number still free, a name, and codes AFAS knows."""
        if item.number and item.number in self._relations(item.sales):
            noun = ptr("AFAS field", "Debtor") if item.sales else ptr("AFAS field", "Creditor")
            check.add(message("already_exists", noun=noun, id=item.number))
        if not item.name:
            name = ptr("AFAS field", "Last name") if item.person else ptr("AFAS field", "Name")
            check.add(message("required", label=name))
        self._relation_fields(item.sales, item.currency, item.payment_terms, item.collective_account, check)

    def relation_update(self, item: RelationUpdateItem, check: ItemCheck) -> None:
        """A change of a relation: the relation exists, and the new codes do."""
        if item.number not in self._relations(item.sales):
            number = (
                ptr("AFAS field", "Debtor number") if item.sales else ptr("AFAS field", "Creditor number")
            )
            check.add(message("not_exist", label=number))
        fields = dict(item.relation_fields)
        self._relation_fields(item.sales, fields.get("CuId"), fields.get("PaCd"), fields.get("ColA"), check)

    def dim_code(self, item: DimCodeInsertItem, check: ItemCheck) -> None:
        """A new allocation code: the axis exists, the code does not yet, it has a description."""
        if item.axis not in self._axes():
            check.add(message("not_exist", label=ptr("AFAS field", "Allocation axis")))
        elif (item.axis, item.code) in self._codes():
            check.add(message("code_exists", code=item.code, axis=item.axis))
        if not item.description:
            check.add(message("required", label=ptr("AFAS field", "Description")))

    def check(self, item: PlanItem) -> ItemCheck:
        """All problems AFAS would report for ``item`` (a missing warehouse table is one too)."""
        check = ItemCheck(item)
        try:
            item.check_with(self, check)
        except MissingTable as exc:
            check.add(str(exc))
        return check


def validate(con: duckdb.DuckDBPyConnection, items: Sequence[PlanItem]) -> list[ItemCheck]:
    """Per item, the problems AFAS would report (in its wording) and our hints."""
    validator = Validator(con)
    return [validator.check(item) for item in items]


PREVIEW_REFERENCE = "(on approval)"


class _Preview:
    """The references of a preview: not given yet (afas.corrections.plans.References)."""

    def voucher_number(self) -> str:
        return PREVIEW_REFERENCE

    def relation_number(self, sales: bool) -> str:
        return PREVIEW_REFERENCE


def preview(item: PlanItem) -> PlanItem:
    """``item`` as its request shows before approval: a reference still to be given reads
    '(on approval)'."""
    return item if item.reference else item.with_reference(_Preview())


def dry_run(con: duckdb.DuckDBPyConnection, items: Sequence[PlanItem]) -> list[ItemCheck]:
    """Validate and show each item's request without sending anything. A reference not yet assigned
    (voucher number, relation number) shows as '(on approval)'."""
    checks = validate(con, items)
    for check in checks:
        request = request_for(preview(check.item))
        check.connector, check.method, check.body = request.connector, request.method, request.body
    return checks
