"""The shipped demo bank statement (data/demo_bank_statement.xml): exactly what the code derives from
the app's default demo, read by the CAMT reader without notices, one statement per calendar month, and
against AFAS's ledger account 1100 differing in exactly the planted ways. Expectations come from the
emulator's store and the :class:`Planted` record, not from the exporter's own arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal

import pytest

from afas.emulator.core import Emulator
from afas.emulator.demo.bank_export import (
    AMOUNT_OFF,
    BANK_COSTS,
    DEMO_BANK_IBAN,
    DEMO_STATEMENT,
    PLANTED_MONTH,
    PLANTED_YEAR,
    Planted,
    bank_statement,
)
from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.readers import read_ledger_table
from afas.recon.textvalues import iban_is_valid

NS = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}


@pytest.fixture(scope="module")
def demo() -> tuple[Emulator, bytes, Planted]:
    emulator = Emulator(seed=1, transactions=20000)  # the app's default demo environment
    data, planted = bank_statement(emulator)
    return emulator, data, planted


@pytest.fixture(scope="module")
def afas_lines(demo: tuple[Emulator, bytes, Planted]) -> list[tuple[str, str, dt.date, Decimal]]:
    """(journal, voucher, date, signed amount) of every AFAS line on 1100 of administration 1."""
    return (
        demo[0]
        .store.cursor()
        .execute(
            "SELECT journal_id, voucher_no, entry_date, amt_debit - amt_credit FROM entry_line "
            "WHERE unit = 1 AND account_no = '1100' ORDER BY entry_date, entry_no"
        )
        .fetchall()
    )


def _signed(element: ET.Element) -> Decimal:
    amount = Decimal(element.find("c:Amt", NS).text)
    return amount if element.find("c:CdtDbtInd", NS).text == "CRDT" else -amount


def _statements(data: bytes) -> list[dict]:
    """Each statement's period, balances and entries, read here with the standard library."""
    found = []
    for stmt in ET.fromstring(data).iterfind("c:BkToCstmrStmt/c:Stmt", NS):
        balances = {
            b.find("c:Tp/c:CdOrPrtry/c:Cd", NS).text: (_signed(b), b.find("c:Dt/c:Dt", NS).text)
            for b in stmt.iterfind("c:Bal", NS)
        }
        found.append(
            {
                "iban": stmt.find("c:Acct/c:Id/c:IBAN", NS).text,
                "from": stmt.find("c:FrToDt/c:FrDtTm", NS).text[:10],
                "to": stmt.find("c:FrToDt/c:ToDtTm", NS).text[:10],
                "balances": balances,
                "entries": [_signed(n) for n in stmt.iterfind("c:Ntry", NS)],
            }
        )
    return found


def test_the_shipped_statement_is_what_the_code_produces(demo: tuple[Emulator, bytes, Planted]) -> None:
    data = demo[1]
    assert DEMO_STATEMENT.read_bytes() == data, "run: python -m afas.emulator.demo.bank_export"
    assert len(data) < 2 * 1024 * 1024


def test_the_account_is_a_valid_ing_iban() -> None:
    assert iban_is_valid(DEMO_BANK_IBAN)
    assert DEMO_BANK_IBAN.startswith("NL") and DEMO_BANK_IBAN[4:8] == "INGB"


def test_one_statement_per_month_that_adds_up_and_follows_on(
    demo: tuple[Emulator, bytes, Planted], afas_lines: list
) -> None:
    statements = _statements(demo[1])
    months = sorted({(d.year, d.month) for j, _, d, _ in afas_lines if j == "50"})
    assert [(int(s["to"][:4]), int(s["to"][5:7])) for s in statements] == months
    opening = sum(a for j, _, _, a in afas_lines if j == "80")  # AFAS's "Beginbalans 2025" on 1100
    assert opening != 0
    previous = opening
    for s in statements:
        year, month = int(s["to"][:4]), int(s["to"][5:7])
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        assert s["iban"] == DEMO_BANK_IBAN
        assert (s["from"], s["to"]) == (f"{year}-{month:02d}-01", last.isoformat())
        (start, start_date), (end, end_date) = s["balances"]["OPBD"], s["balances"]["CLBD"]
        assert (start_date, end_date) == (s["from"], last.isoformat())
        assert start == previous
        assert start + sum(s["entries"], Decimal(0)) == end
        previous = end


def test_the_camt_reader_reads_it_without_notices(demo: tuple[Emulator, bytes, Planted]) -> None:
    table = read_ledger_table(demo[1], DEMO_STATEMENT.name)
    assert table.file_format == "camt053"
    assert table.notices == ()
    rows = table.to_raw().rows
    assert {r[BANK_HEADERS.index("account")] for r in rows} == {DEMO_BANK_IBAN}
    assert all(r[BANK_HEADERS.index("description")] for r in rows)
    assert sum(1 for r in rows if r[BANK_HEADERS.index("counterparty_iban")]) > len(rows) // 2
    # the balances kept for the month-end close: one closing balance per month, on its last day
    closings = [(s["balances"]["CLBD"][0], s["to"]) for s in _statements(demo[1])]
    assert [(b.closing, b.date_to.isoformat()) for b in table.balances] == closings


def _afas_balance(afas_lines: list, day: dt.date) -> Decimal:
    return sum((a for _, _, d, a in afas_lines if d <= day), Decimal(0))


def _expected(planted: Planted, day: dt.date) -> Decimal:
    """The statement's balance minus AFAS's at ``day``, from the record: the unbooked costs and the
    amount off from their day on, the early payment only between the bank's day and AFAS's."""
    total = Decimal(0)
    for date, amount, _ in planted.unbooked:
        total += amount if date <= day else 0
    for _, afas_date, bank_date, amount in planted.early:
        total += amount if bank_date <= day < afas_date else 0
    for _, date, afas_amount, bank_amount in planted.differing:
        total += bank_amount - afas_amount if date <= day else 0
    return total


def test_the_planted_record(demo: tuple[Emulator, bytes, Planted], afas_lines: list) -> None:
    planted = demo[2]
    last = dt.date(PLANTED_YEAR, PLANTED_MONTH, calendar.monthrange(PLANTED_YEAR, PLANTED_MONTH)[1])
    assert (planted.year, planted.month) == (PLANTED_YEAR, PLANTED_MONTH)
    assert [(d.year, d.month, a) for d, a, _ in planted.unbooked] == [
        (PLANTED_YEAR, PLANTED_MONTH, BANK_COSTS)
    ]
    assert planted.unbooked[0][1] == Decimal("-12.50")
    by_voucher = {v: (d, a) for j, v, d, a in afas_lines if j == "50"}
    ((voucher, afas_date, bank_date, amount),) = planted.early
    assert bank_date == last and by_voucher[voucher] == (afas_date, amount) and amount > 0
    assert last < afas_date <= last + dt.timedelta(days=7)  # booked by AFAS in the next month's first days
    ((voucher, date, afas_amount, bank_amount),) = planted.differing
    assert by_voucher[voucher] == (date, afas_amount) and (date.year, date.month) == (
        PLANTED_YEAR,
        PLANTED_MONTH,
    )
    assert afas_amount - bank_amount == AMOUNT_OFF == Decimal("0.10")


def test_each_month_reconciles_but_for_the_planted_differences(
    demo: tuple[Emulator, bytes, Planted], afas_lines: list
) -> None:
    planted = demo[2]
    differences = {}
    for s in _statements(demo[1]):
        day = dt.date.fromisoformat(s["balances"]["CLBD"][1])
        differences[(day.year, day.month)] = s["balances"]["CLBD"][0] - _afas_balance(afas_lines, day)
        assert differences[(day.year, day.month)] == _expected(planted, day) == planted.difference(day)
    planted_month = (PLANTED_YEAR, PLANTED_MONTH)
    assert all(v == 0 for m, v in differences.items() if m < planted_month)
    # the month closed: costs, the payment received early, the amount off
    assert differences[planted_month] == Decimal("-12.50") + planted.early[0][3] - Decimal("0.10")
    # later months: the timing difference is gone, the costs and the amount off are still unbooked
    assert all(v == Decimal("-12.60") for m, v in differences.items() if m > planted_month)
    assert any(m > planted_month for m in differences)


def test_the_lines_differ_from_afas_exactly_as_planted(
    demo: tuple[Emulator, bytes, Planted], afas_lines: list
) -> None:
    rows = read_ledger_table(demo[1], DEMO_STATEMENT.name).to_raw().rows
    date, amount = BANK_HEADERS.index("date"), BANK_HEADERS.index("amount")
    bank = Counter((dt.date.fromisoformat(r[date]), Decimal(r[amount])) for r in rows)
    afas = Counter((d, a) for j, _, d, a in afas_lines if j == "50")
    planted = demo[2]
    ((_, early_afas, early_bank, early_amount),) = planted.early
    ((_, day, afas_amount, bank_amount),) = planted.differing
    assert bank - afas == Counter(
        [(d, a) for d, a, _ in planted.unbooked] + [(early_bank, early_amount), (day, bank_amount)]
    )
    assert afas - bank == Counter([(early_afas, early_amount), (day, afas_amount)])
