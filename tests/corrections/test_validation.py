"""Local validation reads the warehouse and says what AFAS would say, in AFAS's words."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import duckdb
import pytest

from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.masterdata import dim_code_for_missing, relation_for_missing
from afas.corrections.payloads import request_for
from afas.corrections.plans import (
    DimCodeInsertItem,
    EntryLine,
    JournalEntryItem,
    RelationInsertItem,
    RelationUpdateItem,
)
from afas.corrections.validation import MESSAGES, PREVIEW_REFERENCE, dry_run, validate
from afas.emulator import messages as emulator_messages
from afas.profit.errors import AfasRejected
from tests.conftest import make_client
from tests.corrections import DEFAULTS, fresh_emulator, warehouse

D = Decimal
OPEN = dt.date(2025, 11, 3)
BLOCKED = dt.date(2025, 3, 3)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path = warehouse(tmp_path_factory.mktemp("validation"))
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def entry(lines, *, day=OPEN, year=2025, period=11, journal="80", ref="KCVAL-1") -> JournalEntryItem:  # noqa: ANN001
    return JournalEntryItem(1, year, period, journal, day, "test", tuple(lines), voucher_no=ref)


def pair(account: str, amount: str = "10.00", **kw) -> list[EntryLine]:  # noqa: ANN003
    return [EntryLine(account, debit=D(amount), **kw), EntryLine("1800", credit=D(amount))]


def test_messages_are_the_emulators_english_texts():
    for key, text in MESSAGES.items():
        assert emulator_messages.MESSAGES[key][0] == text, key


def test_valid_items_have_no_messages(con):
    items = [
        entry_for_ledger_line(
            DEFAULTS, entry_date=OPEN, account="8000", amount=D("-5"), description="x", allocation="WEST"
        ),
        relation_for_missing(DEFAULTS, sales=True, name="Nieuw B.V."),
        relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet"),
        RelationUpdateItem(sales=True, person=False, number="10004", relation_fields=(("PaCd", "14"),)),
        dim_code_for_missing(DEFAULTS, code="NEW1", description="Nieuw"),
    ]
    assert [c.messages for c in validate(con, items)] == [[]] * len(items)


# (item, the message AFAS gives); each item has exactly that one problem
BAD_ENTRIES = [
    (entry(pair("4600"), day=BLOCKED, year=2025, period=3),
     "For this administration, period 3 of the year 2025 is blocked."),
    (entry(pair("4600"), year=2031, period=1), "The entered value for 'Period' does not exist."),
    (entry(pair("4600"), journal="77"), "The entered value for 'Journal' does not exist."),
    (entry(pair("4600"), journal="99"), "Journal 99 is blocked."),
    (entry(pair("4601")), "The entered value for 'Account Number' does not exist."),
    (entry(pair("4999")), "Account 4999 is blocked."),
    (entry(pair("99999", va_as=2)), "The entered value for 'Account Number' does not exist."),
    (entry(pair("4600", vat_code="Q")), MESSAGES["vat_fk"]),
    (entry(pair("4600", vat_code="9")), MESSAGES["vat_fk"]),
    (entry(pair("1000", vat_code="1")), "(AFASFiEntry) VAT is not allowed for account 1000"),
    (entry(pair("4600", allocations=((1, "NOPE"),))),
     "The entered value for 'Exception axis code 1' does not exist."),
    (entry(pair("4600", allocations=((1, "OUD"),))),
     "Allocation code 'OUD' of axis 'Kostenplaats' is blocked."),
    (entry(pair("8000")), "Allocation code for axis 'Kostenplaats' must be filled for account 8000"),
    (entry(pair("4100", allocations=((1, "WEST"),))),
     "General message: There is no assignment for kostenplaats 'WEST' with account '4100' or the "
     "assignment is blocked."),
    (entry(pair("8080")), "Project is required for account 8080."),
    (entry([EntryLine("4600", debit=D("10.00")), EntryLine("1800", credit=D("9.99"))]),
     "The entry is not in balance. Debit 10.00, credit 9.99."),
    (entry([]), "The entry has no lines."),
    (entry(pair("4600"), day=dt.date(2040, 1, 1), year=2025, period=11),
     "Date '1-1-2040' does not belong to an existing period"),
]  # fmt: skip


@pytest.mark.parametrize(("item", "text"), BAD_ENTRIES, ids=[t[:40] for _, t in BAD_ENTRIES])
def test_each_entry_problem_is_reported_in_afas_words(con, item, text):
    (check,) = validate(con, [item])
    assert text in check.messages


def test_emulator_refuses_the_same_items_with_the_same_words(con):
    emulator = fresh_emulator()
    with make_client(emulator) as client:
        for n, (item, text) in enumerate(BAD_ENTRIES):
            if not item.lines:
                continue  # an empty FiEntries array: a body shape AFAS's examples never send
            with pytest.raises(AfasRejected) as caught:
                client.insert("FiEntries", request_for(replace(item, voucher_no=f"KCVAL-{n}")).body)
            assert caught.value.external_message == text
    assert not any(m == "POST" and s == 201 for m, _, s in emulator.requests)


def test_a_blocked_period_comes_with_the_first_open_one(con):
    (check,) = validate(con, [entry(pair("4600"), day=BLOCKED, year=2025, period=3)])
    assert "Date '3-3-2025' belongs to a blocked period" in check.messages
    assert check.hints[0] == "The first open period is period 10 of 2025 (1-10-2025 to 31-10-2025)."


def test_a_code_not_assigned_to_the_account_is_refused_as_afas_does(con):
    """Account 4100 has codes assigned on the Kostenplaats axis: another code is refused (AFAS and
    the emulator refuse it too, see BAD_ENTRIES); an assigned one passes."""
    (check,) = validate(con, [entry(pair("4100", allocations=((1, "WEST"),)))])
    assert check.messages == [
        "General message: There is no assignment for kostenplaats 'WEST' with account '4100' "
        "or the assignment is blocked."
    ]
    (assigned,) = validate(con, [entry(pair("4100", allocations=((1, "NOORD"),)))])
    assert assigned.messages == [] and assigned.hints == []


def test_over_1000_lines_is_refused_with_the_advice_to_split(con):
    lines = [EntryLine("4600", debit=D("1.00")) for _ in range(1000)] + [
        EntryLine("1800", credit=D("1000.00"))
    ]
    (check,) = validate(con, [entry(lines)])
    assert check.messages == ["An entry may hold at most 1,000 lines; this entry has 1001 lines."]
    assert "split" in check.hints[0]


def test_relations_and_codes_are_checked_like_afas(con):
    items = [
        RelationInsertItem(sales=True, person=False, name="X", currency="EUR", number="10004"),
        RelationInsertItem(sales=True, person=False, name="X", currency="XXX", payment_terms="99"),
        RelationInsertItem(sales=False, person=False, name="X", currency="EUR", collective_account="1300"),
        RelationUpdateItem(sales=False, person=False, number="12345", relation_fields=(("PaCd", "14"),)),
        DimCodeInsertItem(1, "WEST", "West"),
        DimCodeInsertItem(9, "X", "X"),
    ]
    got = [c.messages for c in validate(con, items)]
    assert got == [
        ["Debtor 10004 already exists."],
        ["The entered value for 'Currency' does not exist.",
         "The entered value for 'Payment condition' does not exist."],
        ["The entered value for 'Summary account' does not exist."],
        ["The entered value for 'Creditor number' does not exist."],
        ["Allocation code 'WEST' already exists on allocation axis 1."],
        ["The entered value for 'Allocation axis' does not exist."],
    ]  # fmt: skip


def test_dry_run_shows_the_bodies_and_sends_nothing(con):
    items = [
        entry_for_ledger_line(
            DEFAULTS, entry_date=OPEN, account="8000", amount=D("-5"), description="x", allocation="WEST"
        ),
        relation_for_missing(DEFAULTS, sales=True, name="Nieuw B.V."),
    ]
    checks = dry_run(con, items)
    assert [(c.ok, c.connector, c.method) for c in checks] == [
        (True, "FiEntries", "POST"),
        (True, "KnSalesRelationOrg", "POST"),
    ]
    line = checks[0].body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0]["Fields"]
    assert line["BpNr"] == PREVIEW_REFERENCE
    assert checks[1].body["KnSalesRelationOrg"]["Element"]["@DbId"] == PREVIEW_REFERENCE


def test_a_table_not_synced_is_a_message_not_a_crash():
    empty = duckdb.connect(":memory:")
    (check,) = validate(empty, [entry(pair("4600"))])
    assert check.messages == [
        "The warehouse has no table Profit_periods_per_administration: sync that GetConnector first."
    ]
