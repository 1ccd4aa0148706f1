"""Mapping columns to ledger fields: suggestions from headers, every number and date format, problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afas.recon.mapping import (
    LineProblem,
    Mapping,
    apply_mapping,
    detect_date_format,
    detect_decimal_separator,
    iban_is_valid,
    parse_amount,
    parse_date,
    suggest_mapping,
)
from afas.recon.readers import LedgerFileError, RawTable, read_ledger_file

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"


def raw_of(name: str) -> RawTable:
    return read_ledger_file((DATA / name).read_bytes(), name)


def table(headers: list[str], *rows: tuple[str | None, ...]) -> RawTable:
    return RawTable(headers, list(rows), list(range(2, len(rows) + 2)), "csv")


def test_suggestion_from_dutch_headers():
    raw = raw_of("grootboek_nl.csv")
    mapping = suggest_mapping(raw.headers, raw.rows)
    assert mapping.columns() == {
        "entry_date": "Boekdatum",
        "amount": "Bedrag",
        "account": "Grootboekrekening",
        "description": "Omschrijving",
        "voucher": "Boekstuknummer",
        "invoice": "Factuurnummer",
        "relation": "Relatie",
        "allocation": "Kostenplaats",
    }
    assert (mapping.date_format, mapping.decimal_separator) == ("%d-%m-%Y", ",")


def test_suggestion_from_english_headers_with_debit_and_credit():
    raw = raw_of("general_ledger_en.csv")
    mapping = suggest_mapping(raw.headers, raw.rows)
    assert mapping.columns() == {
        "entry_date": "Entry date",
        "debit": "Debit",
        "credit": "Credit",
        "account": "GL account",
        "currency": "Currency",
        "description": "Description",
        "voucher": "Document no",
        "invoice": "Invoice number",
        "relation": "Customer",
        "allocation": "Cost center",
    }
    assert (mapping.date_format, mapping.decimal_separator) == ("%Y-%m-%d", ".")


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("DATUM", "entry_date"),
        ("Boek-datum", "entry_date"),
        ("entry_date", "entry_date"),
        ("Date", "entry_date"),
        ("Bedrag (EUR)", "amount"),
        ("Saldo mutatie", "amount"),
        ("Amount", "amount"),
        ("Debet", "debit"),
        ("Credit", "credit"),
        ("Memo", "description"),
        ("Rekening", "account"),
        ("G/L Account", "account"),
        ("Boekstuk", "voucher"),
        ("Voucher", "voucher"),
        ("Document No.", "voucher"),
        ("Factuur", "invoice"),
        ("Invoice", "invoice"),
        ("Debiteur", "relation"),
        ("Crediteur", "relation"),
        ("Supplier", "relation"),
        ("Relation", "relation"),
        ("Kostendrager", "allocation"),
        ("Cost centre", "allocation"),
        ("Valuta", "currency"),
        ("Tegenrekening IBAN", "counterparty_iban"),
        ("IBAN", "counterparty_iban"),
        ("Naam tegenpartij", "counterparty_name"),
        ("Counterparty", "counterparty_name"),
    ],
)
def test_header_synonyms_case_space_and_punctuation_insensitive(header: str, target: str):
    mapping = suggest_mapping(["Something else", header], [])
    assert getattr(mapping, target) == header


def test_other_dates_and_balances_are_not_taken_for_entry_date_or_amount():
    headers = ["Valutadatum", "Boekdatum", "Factuurdatum", "Saldo", "Bedrag", "Tegenrekening", "Rekening"]
    mapping = suggest_mapping(headers, [])
    assert mapping.entry_date == "Boekdatum" and mapping.amount == "Bedrag"
    assert mapping.account == "Rekening" and mapping.counterparty_iban == "Tegenrekening"
    assert suggest_mapping(["Valutadatum", "Bedrag"], []).entry_date == "Valutadatum"


def test_ing_style_af_bij_column_signs_the_amount():
    raw = table(
        ["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Af Bij", "Bedrag (EUR)"],
        ("20250105", "Albert Heijn", "NL20INGB0001234567", "NL02ABNA0123456789", "Af", "12,50"),
        ("20250106", "Salaris", "NL20INGB0001234567", None, "Bij", "2.000,00"),
    )
    mapping = suggest_mapping(raw.headers, raw.rows)
    assert (mapping.sign, mapping.amount, mapping.date_format) == ("Af Bij", "Bedrag (EUR)", "%Y%m%d")
    assert mapping.description == "Naam / Omschrijving"
    ledger = apply_mapping(raw, mapping)
    assert [line.amount for line in ledger.lines] == [Decimal("-12.50"), Decimal("2000.00")]
    assert ledger.lines[0].entry_date == dt.date(2025, 1, 5)


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1.234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("-1234.5", ".", "-1234.50"),
        ("1.234,56-", ",", "-1234.56"),
        ("(1.234,56)", ",", "-1234.56"),
        ("€ 1.234,56", ",", "1234.56"),
        ("€ -1.234,56", ",", "-1234.56"),
        ("-€ 12,00", ",", "-12.00"),
        ("EUR 1 234,56", ",", "1234.56"),
        ("1234", ",", "1234.00"),
        ("1234", ".", "1234.00"),
        ("+7,5", ",", "7.50"),
        (",5", ",", "0.50"),
        ("1.000.000", ",", "1000000.00"),
        ("0,005", ",", "0.01"),
        ("12.345,678", ",", "12345.68"),
        ("1'234.56", ".", "1234.56"),
    ],
)
def test_number_formats(text: str, separator: str, expected: str):
    assert parse_amount(text, separator) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "separator", "reason"),
    [
        ("12,3,4", ",", 'amount "12,3,4" is not a number'),
        ("abc", ",", 'amount "abc" is not a number'),
        ("1.23.4,00", ",", 'misplaced "."'),
        ("1,234.56", ",", "not a number"),
        ("1e5", ".", "not a number"),
        ("99999999999999999,00", ",", "too large"),
    ],
)
def test_unreadable_numbers_say_why(text: str, separator: str, reason: str):
    with pytest.raises(ValueError, match=reason):
        parse_amount(text, separator)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,56", "12,00"], ","),
        (["1,234.56", "12.00"], "."),
        (["-1234.5", "7"], "."),
        (["1.234,56-", "(1.234,56)"], ","),
        (["1.234", "2.000"], ","),  # only thousands groups: Dutch reading
        (["1234", "5"], ","),
    ],
)
def test_decimal_separator_detection(values: list[str], expected: str):
    assert detect_decimal_separator(values) == expected


@pytest.mark.parametrize(
    ("values", "expected_format", "first"),
    [
        (["31-01-2025", "01-02-2025"], "%d-%m-%Y", dt.date(2025, 1, 31)),
        (["1-2-2025", "13-2-2025"], "%d-%m-%Y", dt.date(2025, 2, 1)),
        (["31/01/2025", "02/03/2025"], "%d/%m/%Y", dt.date(2025, 1, 31)),
        (["31.01.2025"], "%d.%m.%Y", dt.date(2025, 1, 31)),
        (["2025-01-31", "2025-02-01"], "%Y-%m-%d", dt.date(2025, 1, 31)),
        (["20250131", "20250201"], "%Y%m%d", dt.date(2025, 1, 31)),
        (["45688", "45689"], "excel", dt.date(2025, 1, 31)),
        (["01/31/2025", "02/01/2025"], "%m/%d/%Y", dt.date(2025, 1, 31)),  # 31 proves month-first
        (["03-04-2025", "05-06-2025"], "%d-%m-%Y", dt.date(2025, 4, 3)),  # ambiguous: Dutch day-first
        (["2025-01-31T00:00:00", "2025-02-01 13:45"], "%Y-%m-%d", dt.date(2025, 1, 31)),
        (["31-01-25"], "%d-%m-%y", dt.date(2025, 1, 31)),
    ],
)
def test_date_formats(values: list[str], expected_format: str, first: dt.date):
    assert detect_date_format(values) == expected_format
    assert parse_date(values[0], expected_format) == first


def test_explicit_date_format_and_bad_dates():
    assert parse_date("2025/31/01", "%Y/%d/%m") == dt.date(2025, 1, 31)
    with pytest.raises(ValueError, match='date "31-02-2025" is not a date like dd-mm-yyyy'):
        parse_date("31-02-2025", "%d-%m-%Y")
    with pytest.raises(ValueError, match="not an Excel day number"):
        parse_date("gisteren", "excel")


def test_apply_dutch_csv_gives_decimals_and_dates():
    raw = raw_of("grootboek_nl.csv")
    ledger = apply_mapping(raw, suggest_mapping(raw.headers, raw.rows))
    assert ledger.problems == [] and len(ledger.lines) == 6
    assert ledger.total == Decimal("5058.00")
    first = ledger.lines[0]
    assert (first.line_no, first.entry_date, first.amount) == (2, dt.date(2025, 1, 2), Decimal("-1234.56"))
    assert (first.description, first.relation, first.allocation) == ("Omzet café Zoë", "Café de Zwaan", "100")
    assert ledger.lines[4].entry_date == dt.date(2025, 2, 13)


def test_debit_minus_credit_and_sign_flip():
    raw = raw_of("general_ledger_en.csv")
    mapping = suggest_mapping(raw.headers, raw.rows)
    ledger = apply_mapping(raw, mapping)
    assert [line.amount for line in ledger.lines] == [
        Decimal("1250.00"),
        Decimal("-1250.00"),
        Decimal("89.95"),
        Decimal("-1250.00"),
    ]
    assert ledger.total == Decimal("-1160.05")
    flipped = apply_mapping(raw, Mapping(**{**mapping.__dict__, "flip_sign": True}))
    assert flipped.total == Decimal("1160.05")
    assert flipped.lines[2].currency == "EUR"


def test_auto_formats_are_detected_when_applying():
    raw = table(["Datum", "Bedrag"], ("13/01/2025", "1.234,50"), ("14/01/2025", "-0,50"))
    ledger = apply_mapping(raw, Mapping(entry_date="Datum", amount="Bedrag"))
    assert (ledger.date_format, ledger.decimal_separator) == ("%d/%m/%Y", ",")
    assert ledger.total == Decimal("1234.00")


def test_bad_values_are_listed_with_line_numbers():
    raw = raw_of("broken/bad_values.csv")
    ledger = apply_mapping(raw, suggest_mapping(raw.headers, raw.rows))
    assert [line.line_no for line in ledger.lines] == [2, 5]
    assert [(p.line_no, p.column) for p in ledger.problems] == [
        (3, "Bedrag"),
        (4, "Datum"),
        (6, "Datum"),
        (7, "Bedrag"),
    ]
    reasons = [p.reason for p in ledger.problems]
    assert reasons[0].startswith('amount "12,3,4" is not a number')
    assert reasons[1] == 'date "31-02-2025" is not a date like dd-mm-yyyy'
    assert reasons[2:] == ["date is empty", "amount is empty"]
    assert str(ledger.problems[0]).startswith("line 3, column 'Bedrag': amount")


def test_ragged_lines_and_long_values_are_shown_short():
    raw = RawTable(["Datum", "Bedrag"], [("01-01-2025", "x" * 500)], [2], "csv", ragged=[(2, 3)])
    ledger = apply_mapping(raw, Mapping(entry_date="Datum", amount="Bedrag"))
    assert ledger.problems[0] == LineProblem(2, None, None, "has 3 fields where the header has 2")
    assert len(ledger.problems[1].value) == 40 and ledger.problems[1].value.endswith("…")


def test_mapping_must_name_existing_columns_and_date_and_amount():
    raw = raw_of("broken/missing_amount.csv")
    with pytest.raises(LedgerFileError, match=r"no amount column.*'Datum', 'Omschrijving', 'Rekening'"):
        apply_mapping(raw, suggest_mapping(raw.headers, raw.rows))
    with pytest.raises(LedgerFileError, match="no date column"):
        apply_mapping(raw, Mapping(amount="Rekening"))
    with pytest.raises(LedgerFileError, match=r"Column 'Bedrag' \(chosen for amount\) is not in this file"):
        apply_mapping(raw, Mapping(entry_date="Datum", amount="Bedrag"))


def test_currency_iban_and_default_currency():
    raw = table(
        ["Datum", "Bedrag", "Valuta", "IBAN"],
        ("01-01-2025", "1", "€", "nl91 abna 0417 1643 00"),
        ("02-01-2025", "2", "euro", "NL91ABNA0417164301"),
        ("03-01-2025", "3", None, None),
    )
    ledger = apply_mapping(raw, suggest_mapping(raw.headers, raw.rows))
    assert ledger.lines[0].currency == "EUR" and ledger.lines[0].counterparty_iban == "NL91ABNA0417164300"
    assert [(p.line_no, p.reason) for p in ledger.problems] == [(3, "currency is not a 3-letter code")]
    assert [(p.line_no, p.reason) for p in ledger.warnings] == [(3, "IBAN fails its check digits")]
    mapping = Mapping(entry_date="Datum", amount="Bedrag", currency_default="EUR")
    assert {line.currency for line in apply_mapping(raw, mapping).lines} == {"EUR"}
    assert iban_is_valid("NL91 ABNA 0417 1643 00") and not iban_is_valid("NL91ABNA0417164301")


def test_bank_statements_map_themselves():
    for name in ("statement.mt940", "statement.camt053.xml"):
        raw = raw_of(name)
        mapping = suggest_mapping(raw.headers, raw.rows)
        assert mapping.columns() == {
            "entry_date": "date",
            "amount": "amount",
            "account": "account",
            "currency": "currency",
            "description": "description",
            "voucher": "reference",
            "counterparty_name": "counterparty_name",
            "counterparty_iban": "counterparty_iban",
        }
        ledger = apply_mapping(raw, mapping)
        assert ledger.problems == [] and ledger.warnings == []
    assert apply_mapping(raw, mapping).total == Decimal("1236.91")


def test_mapping_json_round_trip_and_validation():
    mapping = Mapping(
        entry_date="Datum", debit="Debet", credit="Credit", flip_sign=True, date_format="%d.%m.%Y"
    )
    assert Mapping.from_json(mapping.to_json()) == mapping
    with pytest.raises(ValueError, match="unknown mapping field"):
        Mapping.from_json('{"entry_date": "Datum", "colour": "red"}')
    with pytest.raises(ValueError, match="decimal separator"):
        Mapping(decimal_separator=";")


def test_arrow_table_has_ledger_types():
    raw = raw_of("grootboek_nl.csv")
    arrow = apply_mapping(raw, suggest_mapping(raw.headers, raw.rows)).to_arrow(7)
    assert arrow.schema.field("amount").type == pa.decimal128(18, 2)
    assert arrow.schema.field("entry_date").type == pa.date32()
    assert arrow.column("import_id").to_pylist() == [7] * 6
    assert arrow.column("amount").to_pylist()[0] == Decimal("-1234.56")


def test_workbook_numbers_default_to_a_decimal_point():
    raw = RawTable(["Datum", "Bedrag"], [("2025-01-01", "1.234"), ("2025-01-02", "2")], [2, 3], "xlsx")
    ledger = apply_mapping(raw, Mapping(entry_date="Datum", amount="Bedrag"))
    assert ledger.decimal_separator == "." and ledger.lines[0].amount == Decimal("1.23")
    assert suggest_mapping(raw.headers, raw.rows, "xlsx").decimal_separator == "."
    assert suggest_mapping(raw.headers, raw.rows).decimal_separator == ","
    as_csv = RawTable(raw.headers, raw.rows, raw.line_numbers, "csv")
    assert apply_mapping(as_csv, Mapping(entry_date="Datum", amount="Bedrag")).lines[0].amount == Decimal(
        "1234.00"
    )


def test_dutch_bank_csv_headers():
    rabobank = [
        "IBAN/BBAN",
        "Munt",
        "BIC",
        "Volgnr",
        "Datum",
        "Rentedatum",
        "Bedrag",
        "Saldo na trn",
        "Tegenrekening IBAN/BBAN",
        "Naam tegenpartij",
        "Omschrijving-1",
        "Omschrijving-2",
    ]
    assert suggest_mapping(rabobank).columns() == {
        "entry_date": "Datum",
        "amount": "Bedrag",
        "currency": "Munt",
        "description": "Omschrijving-1",
        "counterparty_name": "Naam tegenpartij",
        "counterparty_iban": "Tegenrekening IBAN/BBAN",
    }
    ing = ["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Code", "Af Bij", "Bedrag (EUR)"]
    ing += ["Mutatiesoort", "Mededelingen", "Saldo na mutatie"]
    assert suggest_mapping(ing).columns() == {
        "entry_date": "Datum",
        "amount": "Bedrag (EUR)",
        "sign": "Af Bij",
        "account": "Rekening",
        "description": "Mededelingen",
        "counterparty_name": "Naam / Omschrijving",
        "counterparty_iban": "Tegenrekening",
    }


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2))
def test_amounts_round_trip_in_dutch_and_english_notation(amount: Decimal):
    english = f"{amount:,.2f}"
    dutch = english.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(english, ".") == amount
    assert parse_amount(dutch, ",") == amount
    assert parse_amount(f"€ {dutch[1:]}-" if amount < 0 else f"€ {dutch}", ",") == amount
    assert parse_amount(f"({english[1:]})" if amount < 0 else english, ".") == amount
