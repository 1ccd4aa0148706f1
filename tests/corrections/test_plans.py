"""Plan builders: pure functions from differences to balanced, defaulted items."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from afas.corrections.entries import amount_difference, entry_for_ledger_line, split_entry, wrong_account
from afas.corrections.masterdata import (
    dim_code_for_missing,
    guess_person,
    relation_for_missing,
    relation_update_for_difference,
)
from afas.corrections.plans import ITEM_CLASSES, EntryLine, JournalEntryItem, PlanKind, SourceRows
from afas.corrections.serialize import item_from_json, item_to_json
from afas.corrections.validation import PREVIEW_REFERENCE, preview
from tests.corrections import DEFAULTS

D = Decimal
DAY = dt.date(2025, 11, 3)
# An AFAS sales entry as Profit_Transactions rows: debtor collective 1300, revenue 8010, VAT 1510.
ENTRY = [
    {"UnitId": 1, "EntryNo": 17, "SeqNo": 1, "AccountNo": "1300", "AmtDebit": D("417.04"),
     "AmtCredit": D("0.00"), "VatCode": None, "InvoiceId": "V1"},
    {"UnitId": 1, "EntryNo": 17, "SeqNo": 2, "AccountNo": "8010", "AmtDebit": D("0.00"),
     "AmtCredit": D("344.66"), "VatCode": "1", "InvoiceId": "V1"},
    {"UnitId": 1, "EntryNo": 17, "SeqNo": 3, "AccountNo": "1510", "AmtDebit": D("0.00"),
     "AmtCredit": D("72.38"), "VatCode": "1", "InvoiceId": "V1"},
]  # fmt: skip


def net(item: JournalEntryItem, account: str) -> Decimal:
    return sum((ln.debit - ln.credit for ln in item.lines if ln.account == account), D("0"))


def test_line_only_in_the_ledger_becomes_a_balanced_entry_against_the_contra_account():
    item = entry_for_ledger_line(
        DEFAULTS, entry_date=DAY, account="8000", amount=D("-125.50"), description="Sale", allocation="WEST"
    )
    assert item.balanced and item.total_debit == D("125.50")
    assert (item.administration, item.journal, item.year, item.period) == (1, "80", 2025, 11)
    sale, contra = item.lines
    assert (sale.account, sale.credit, sale.allocations) == ("8000", D("125.50"), ((1, "WEST"),))
    assert (contra.account, contra.debit) == ("1800", D("125.50"))
    assert all(isinstance(v, Decimal) for ln in item.lines for v in (ln.debit, ln.credit))


def test_money_is_never_a_float_and_never_more_than_cents():
    with pytest.raises(TypeError):
        entry_for_ledger_line(DEFAULTS, entry_date=DAY, account="8000", amount=1.5, description="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 decimals"):
        entry_for_ledger_line(DEFAULTS, entry_date=DAY, account="8000", amount=D("1.005"), description="x")
    with pytest.raises(TypeError):
        EntryLine("8000", debit=1.0)  # type: ignore[arg-type]


def test_amount_difference_as_a_single_difference_entry():
    item = amount_difference(DEFAULTS, ENTRY, seq_no=2, ledger_amount=D("-350.00"), entry_date=DAY)
    assert item.balanced
    assert net(item, "8010") == D("-5.34") and net(item, "1800") == D("5.34")
    assert item.sources == (SourceRows("Profit_Transactions", (("UnitId", 1), ("EntryNo", 17))),)


def test_amount_difference_as_reversal_plus_corrected_entry_in_one_atomic_entry():
    item = amount_difference(
        DEFAULTS, ENTRY, seq_no=2, ledger_amount=D("-350.00"), entry_date=DAY, mode="reverse_and_rebook"
    )
    assert item.balanced
    assert len(item.lines) == 3 + 3 + 1  # every AFAS line reversed, booked again, the change on the contra
    reversal, rebooked = item.lines[:3], item.lines[3:6]
    assert [(ln.account, ln.debit, ln.credit) for ln in reversal] == [
        ("1300", D("0.00"), D("417.04")),
        ("8010", D("344.66"), D("0.00")),
        ("1510", D("72.38"), D("0.00")),
    ]
    assert rebooked[1].credit == D("350.00") and rebooked[0].debit == D("417.04")
    assert net(item, "8010") == D("-5.34") and net(item, "1800") == D("5.34")


def test_amount_difference_refuses_what_is_not_a_difference():
    with pytest.raises(ValueError, match="agree"):
        amount_difference(DEFAULTS, ENTRY, seq_no=2, ledger_amount=D("-344.66"), entry_date=DAY)
    with pytest.raises(ValueError, match="line 9"):
        amount_difference(DEFAULTS, ENTRY, seq_no=9, ledger_amount=D("1"), entry_date=DAY)


def test_wrong_account_is_reversed_and_booked_again():
    item = wrong_account(DEFAULTS, ENTRY, seq_no=2, right_account="8000", entry_date=DAY, allocation="WEST")
    assert item.balanced
    assert net(item, "8010") == D("344.66") and net(item, "8000") == D("-344.66")
    assert item.lines[1].allocations == ((1, "WEST"),)


def test_entries_over_1000_lines_are_split_into_balanced_parts_that_book_the_same():
    lines = tuple(EntryLine("4600", debit=D("1.00"), description=f"l{i}") for i in range(2500))
    big = JournalEntryItem(1, 2025, 11, "80", DAY, "Big", (*lines, EntryLine("1800", credit=D("2500.00"))))
    parts = split_entry(big, contra="1800")
    assert len(parts) == 3
    assert all(len(p.lines) <= 1000 and p.balanced for p in parts)
    total = {a: sum((net(p, a) for p in parts), D("0")) for a in ("4600", "1800")}
    assert total == {"4600": D("2500.00"), "1800": D("-2500.00")}
    assert [p.description for p in parts] == ["Big (1/3)", "Big (2/3)", "Big (3/3)"]
    assert split_entry(parts[0], contra="1800") == [parts[0]]


def test_organisation_or_person_is_decided_from_the_data_with_a_switch():
    assert guess_person("Jansen", first_name="Piet") is True
    assert guess_person("Jansen Installatie B.V.", first_name="Piet") is False
    assert guess_person("Jansen", coc_number="12345678") is False
    org = relation_for_missing(DEFAULTS, sales=True, name="Nieuwe Klant B.V.")
    assert (org.person, org.connector, org.payment_terms, org.currency) == (
        False,
        "KnSalesRelationOrg",
        "30",
        "EUR",
    )
    assert org.collective_account == "1300"
    per = relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet")
    assert (per.person, per.connector, per.collective_account) == (True, "KnPurchaseRelationPer", "1600")
    forced = relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet", person=False)
    assert forced.connector == "KnPurchaseRelationOrg"


def test_relation_update_puts_only_the_differing_fields():
    current = {"DebtorId": "10004", "DebtorName": "Sport B.V.", "BcCo": "1000006", "Email": "a@x.nl",
               "PayCon": "30", "Blocked": False}  # fmt: skip
    item = relation_update_for_difference(
        sales=True, current=current, wanted={"Email": "b@x.nl", "PayCon": "30", "Blocked": True}
    )
    assert item is not None
    assert item.relation_fields == (("Bl", True),)
    assert item.party_fields == (("EmAd", "b@x.nl"),)
    assert item.expected == (("Blocked", True), ("Email", "b@x.nl"))
    assert item.sources == (SourceRows("Profit_Debtor", (("DebtorId", "10004"),)),)
    assert relation_update_for_difference(sales=True, current=current, wanted={"PayCon": "30"}) is None
    with pytest.raises(ValueError, match="cannot change"):
        relation_update_for_difference(sales=True, current=current, wanted={"Nonsense": 1})


def test_dim_code_goes_on_the_default_axis():
    item = dim_code_for_missing(DEFAULTS, code=" NEW1 ", description="Nieuw")
    assert (item.axis, item.code, item.description) == (1, "NEW1", "Nieuw")
    with pytest.raises(ValueError):
        dim_code_for_missing(DEFAULTS, code="X" * 17, description="too long")


def test_items_survive_the_trip_through_json_exactly():
    items = [
        amount_difference(DEFAULTS, ENTRY, seq_no=2, ledger_amount=D("-350.00"), entry_date=DAY),
        relation_for_missing(DEFAULTS, sales=True, name="X B.V.", house_number=12, country="NL"),
        relation_update_for_difference(
            sales=True, current={"DebtorId": "1", "Email": None, "BcCo": "2"}, wanted={"Email": "e@x.nl"}
        ),
        dim_code_for_missing(DEFAULTS, code="N", description="n"),
    ]
    for item in items:
        assert item_from_json(item.kind, item_to_json(item)) == item
    with pytest.raises(ValueError, match="unknown item kind 'memo'"):
        item_from_json("memo", "{}")


class _Refs:
    """The outbox's side of an approval (plans.References), as a test double."""

    def voucher_number(self) -> str:
        return "KCTEST-000009"

    def relation_number(self, sales: bool) -> str:
        return "10099" if sales else "60099"


def test_every_kind_of_item_answers_the_same_interface():
    entry = amount_difference(DEFAULTS, ENTRY, seq_no=2, ledger_amount=D("-350.00"), entry_date=DAY)
    new = relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet")
    change = relation_update_for_difference(
        sales=True, current={"DebtorId": "10004", "Email": None, "BcCo": "2"}, wanted={"Email": "e@x.nl"}
    )
    code = dim_code_for_missing(DEFAULTS, code="N1", description="Noord")
    assert set(ITEM_CLASSES) == set(PlanKind) and all(ITEM_CLASSES[k].kind == k for k in PlanKind)
    got = [(i.kind, i.connector, i.method, i.reference, i.summary, i.amount, i.administration)
           for i in (entry, new, change, code)]  # fmt: skip
    assert got == [
        (PlanKind.ENTRY, "FiEntries", "POST", None, entry.description, D("5.34"), 1),
        (PlanKind.RELATION_INSERT, "KnPurchaseRelationPer", "POST", None, "Piet Jansen", None, None),
        (PlanKind.RELATION_UPDATE, "KnSalesRelationOrg", "PUT", "10004", "Change Email of 10004", None, None),
        (PlanKind.DIM_CODE, "KnDimCode", "POST", "1/N1", "Noord", None, None),
    ]
    refs = _Refs()
    assert entry.with_reference(refs).reference == "KCTEST-000009"
    assert replace(entry, voucher_no="X").with_reference(refs).reference == "KCTEST-000009"  # always ours
    assert new.with_reference(refs).reference == "60099"
    assert replace(new, number="60001").with_reference(refs).reference == "60001"  # a number given stays
    assert change.with_reference(refs) is change and code.with_reference(refs) is code


def test_a_preview_shows_a_reference_still_to_be_given_as_on_approval():
    entry = entry_for_ledger_line(DEFAULTS, entry_date=DAY, account="4600", amount=D("1.00"), description="x")
    new = relation_for_missing(DEFAULTS, sales=True, name="X B.V.")
    assert preview(entry).reference == PREVIEW_REFERENCE and preview(new).reference == PREVIEW_REFERENCE
    given = replace(entry, voucher_no="KC1")
    assert preview(given) is given
    with pytest.raises(ValueError, match="approve it first"):
        entry.body()
