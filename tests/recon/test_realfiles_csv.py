"""Real Dutch bank CSV/TAB exports and a workbook, from other public projects' fixtures, import exactly.

Reads ../shared/realfiles/files (real files, not part of the project) and skips, saying so, when it is
absent. What each file must give is computed here from the bank's documented layout with Python's
csv module and Decimal (which columns, which sign convention, which date format), never taken from
the importer's own output; one line per file is checked against what the file says, read by eye.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from afas.recon.ledgers import preview_table, suggested_mapping
from afas.recon.mapping import apply_mapping
from afas.recon.readers import LedgerFileError, read_ledger_table

REALFILES = Path(__file__).resolve().parents[2].parent / "shared" / "realfiles" / "files"
pytestmark = pytest.mark.skipif(
    not REALFILES.is_dir(),
    reason="../shared/realfiles (real bank and ledger exports) is not present beside the project",
)


def _number(text: str, decimal: str) -> Decimal:
    thousands = "." if decimal == "," else ","
    return Decimal(text.strip().replace(thousands, "").replace(decimal, ".").lstrip("+"))


# file: (encoding, delimiter, header lines to skip, date column, date format, amount column, sign rule,
# decimal separator). Columns are 0-based positions in the bank's documented layout; the sign rule
# is None (the amount carries its sign) or (column, {marker: +1/-1}).
LAYOUTS = {
    # ING: Datum, Naam / Omschrijving, Rekening, Tegenrekening, Code, Af Bij, Bedrag (EUR), ...
    "csv_ing_comma_yyyymmdd.csv": ("utf-8", ",", 1, 0, "%Y%m%d", 6, (5, {"Af": -1, "Bij": 1}), ","),
    "csv_ing_semicolon_unquoted.csv": ("utf-8", ";", 1, 0, "%Y%m%d", 6, (5, {"Af": -1, "Bij": 1}), ","),
    "csv_ing_2009_ddmmyyyy.csv": ("utf-8", ",", 1, 0, "%d-%m-%Y", 6, (5, {"Af": -1, "Bij": 1}), ","),
    "csv_ing_2023_semicolon.csv": ("utf-8", ";", 1, 0, "%Y%m%d", 6, (5, {"Af": -1, "Bij": 1}), ","),
    # Knab: a title line, then Rekeningnummer; Transactiedatum; Valutacode; CreditDebet; Bedrag; ...;
    # Boekdatum (col 15). On a bank's export D is money out of the account.
    "csv_knab.csv": ("utf-8", ";", 2, 15, "%d-%m-%Y", 4, (3, {"D": -1, "C": 1}), ","),
    # de Volksbank (ASN): no header; Boekingsdatum (0), ..., Transactiebedrag (10), decimal point.
    "csv_asn_headerless.csv": ("utf-8", ",", 0, 0, "%d-%m-%Y", 10, None, "."),
    # Rabobank: IBAN/BBAN, Munt, BIC, Volgnr, Datum (4), Rentedatum, Bedrag (6, signed '+442,98').
    "csv_rabobank_nl.csv": ("utf-8", ",", 1, 4, "%Y-%m-%d", 6, None, ","),
    "csv_rabobank_en_crlf.csv": ("utf-8", ",", 1, 4, "%Y-%m-%d", 6, None, ","),
    # ABN AMRO TAB: no header; Rekeningnummer, Muntsoort, Transactiedatum (2), Beginsaldo, Eindsaldo,
    # Rentedatum, Transactiebedrag (6, signed, decimal comma), Omschrijving.
    "tab_abnamro.TAB": ("utf-8", "\t", 0, 2, "%Y%m%d", 6, None, ","),
    # PayPal: Date (m/d/yyyy), ..., Gross, Fee, Net (7): the balance moves by Net.
    "csv_paypal_us_dates.csv": ("utf-8", ",", 1, 0, "%m/%d/%Y", 7, None, "."),
}


def _expected(name: str) -> tuple[int, Decimal, dt.date, dt.date]:
    encoding, delimiter, skip, date_col, date_format, amount_col, sign, decimal = LAYOUTS[name]
    text = (REALFILES / name).read_text(encoding=encoding, errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
    rows = rows[skip:]
    total = Decimal("0")
    dates = []
    for row in rows:
        amount = _number(row[amount_col], decimal)
        if sign is not None:
            amount = abs(amount) * sign[1][row[sign[0]].strip()]
        total += amount
        dates.append(dt.datetime.strptime(row[date_col].strip(), date_format).date())
    return len(rows), total, min(dates), max(dates)


def _read(name: str):
    table = read_ledger_table((REALFILES / name).read_bytes(), name)
    mapping = suggested_mapping(table)
    return table, mapping, preview_table(None, table, mapping)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_bank_export_imports_every_line_with_the_banks_signs_and_dates(name: str) -> None:
    count, total, first, last = _expected(name)
    _table, _mapping, preview = _read(name)
    found = preview.summary
    assert (found.rows, found.problem_count) == (count, 0)
    assert found.total == total
    assert (found.date_from, found.date_to) == (first, last)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("csv_ing_comma_yyyymmdd.csv", "ING CSV export"),
        ("csv_ing_2009_ddmmyyyy.csv", "ING CSV export"),
        ("csv_knab.csv", "Knab CSV export"),
        ("csv_asn_headerless.csv", "de Volksbank (ASN, SNS, RegioBank) CSV export"),
        ("csv_rabobank_nl.csv", "Rabobank CSV export"),
        ("csv_rabobank_en_crlf.csv", "Rabobank CSV export (English)"),
        ("tab_abnamro.TAB", "ABN AMRO TAB export"),
        ("csv_paypal_us_dates.csv", "PayPal activity export"),
        ("csv_degiro_account.csv", "DEGIRO account overview"),
    ],
)
def test_the_user_is_told_which_banks_layout_was_recognised(name: str, label: str) -> None:
    _table, _mapping, preview = _read(name)
    assert f"Recognised: {label}, by" in " ".join(note.text for note in preview.notes)


def test_knab_title_line_is_skipped_and_d_is_money_out() -> None:
    table, mapping, preview = _read("csv_knab.csv")
    assert table.header_line == 2 and table.headers[0] == "Rekeningnummer"
    # ofxstatement-dutch's own test of this file: 28 lines adding up to 7.01
    assert (preview.summary.rows, preview.summary.total) == (28, Decimal("7.01"))
    first = apply_mapping(table, mapping).lines[0]  # line 3: D 827,75 to "Gert Janssen (FR)", Tresorie
    assert (first.line_no, first.amount, first.counterparty_name) == (
        3,
        Decimal("-827.75"),
        "Gert Janssen (FR)",
    )
    assert first.description is not None and first.description.startswith("Tresorie")
    assert "money out" in " ".join(n.text for n in preview.notes)


def test_headerless_exports_keep_their_first_line_as_a_transaction() -> None:
    table, mapping, _preview = _read("tab_abnamro.TAB")
    first = apply_mapping(table, mapping).lines[0]
    assert (first.line_no, first.entry_date, first.amount) == (1, dt.date(2021, 12, 30), Decimal("-25.00"))
    assert first.description is not None and first.description.startswith(
        "BEA   NR:A1B23C   30.12.21/09.15 Hema"
    )
    table, mapping, _preview = _read("csv_asn_headerless.csv")
    lines = apply_mapping(table, mapping).lines
    assert len(lines) == 11  # ofxstatement-dutch's test of this file: 11 lines
    second = lines[1]
    assert (second.amount, second.counterparty_name, second.counterparty_iban) == (
        Decimal("-200.00"),
        "International Card Services B V",
        "NL11ABNA0000000000",
    )


def test_rabobank_description_joins_its_three_description_columns_and_paypal_takes_net() -> None:
    table, mapping, _preview = _read("csv_rabobank_nl.csv")
    first = apply_mapping(table, mapping).lines[0]
    assert (first.amount, first.counterparty_name, first.counterparty_iban) == (
        Decimal("442.98"),
        "Tegenpartij 1",
        "NL01RABO1234567890",
    )
    assert (
        first.description
        == "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Fusce a quam ac diam est."
    )
    assert mapping.description_more == ("Omschrijving-2", "Omschrijving-3")
    table, mapping, _preview = _read("csv_paypal_us_dates.csv")
    assert mapping.amount == "Net"
    first = apply_mapping(table, mapping).lines[0]  # "9/4/2018", General Withdrawal, Net -1,058.09
    assert (first.entry_date, first.amount, first.description) == (
        dt.date(2018, 9, 4),
        Decimal("-1058.09"),
        "General Withdrawal - Bank Account",
    )


def test_degiro_lines_without_an_amount_are_shown_not_imported_quietly() -> None:
    text = (REALFILES / "csv_degiro_account.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    with_amount = [r for r in rows if r[8].strip()]
    _table, _mapping, preview = _read("csv_degiro_account.csv")
    assert preview.summary.rows == len(with_amount)
    assert preview.summary.problem_lines == len(rows) - len(with_amount)
    assert preview.summary.total == sum((_number(r[8], ",") for r in with_amount), Decimal("0"))


def test_ing_balance_overview_is_refused_with_what_to_download_instead() -> None:
    data = (REALFILES / "csv_ing_balances_only.csv").read_bytes()
    with pytest.raises(LedgerFileError, match="ING balance overview.*not a list of transactions.*Af- en bij"):
        read_ledger_table(data, "csv_ing_balances_only.csv")


def test_the_workbook_sample_maps_its_label_and_partner() -> None:
    table, mapping, preview = _read("xlsx_sheet_sample_en.xlsx")
    assert (mapping.description, mapping.counterparty_name) == ("Label", "Partner Name")
    assert preview.summary.rows == 2 and preview.summary.problem_count == 0
