"""Bank export layouts, header lines that are transactions, and the guesses shown before an import."""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from afas.cli.reconcile import _import
from afas.recon.banklayouts import looks_like_values, with_first_line
from afas.recon.csvfile import read_csv
from afas.recon.guesses import Subject
from afas.recon.ledgers import preview_table, suggested_mapping
from afas.recon.mapping import Mapping, SignMeaning, apply_mapping, suggest_mapping
from afas.recon.mapsql import sign_of
from afas.recon.readers import read_ledger_table
from afas.recon.staging import stage

KNAB = (
    b"KNAB EXPORT;;;;;;\n"
    b"Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeninghouder;Omschrijving;\n"
    b'"NL01KNAB0000000001";"21-06-2019";"EUR";"D";"827,75";"Gert Janssen";"Huur juni";\n'
    b'"NL01KNAB0000000001";"22-06-2019";"EUR";"C";"1.000,00";"Klant BV";"Factuur 12";\n'
)
ABN_TAB = (
    b"123456789\tEUR\t20211230\t3025,00\t3000,00\t20211230\t-25,00\tBEA   Hema ZAANDAM\n"
    b"123456789\tEUR\t20211231\t3000,00\t3100,00\t20211231\t100,00\tSTORTING\n"
)


def _preview(data: bytes, name: str):
    table = read_ledger_table(data, name)
    mapping = suggested_mapping(table)
    return table, mapping, preview_table(None, table, mapping)


@pytest.mark.parametrize("fast", [True, False])
def test_a_title_line_with_the_usual_field_count_is_not_the_header(fast: bool) -> None:
    table = read_csv(KNAB, "knab.csv", fast=fast)
    assert table.headers[:2] == ["Rekeningnummer", "Transactiedatum"]
    assert table.header_line == 2 and table.num_rows == 2


def test_knab_layout_reads_d_as_money_out_and_says_so() -> None:
    table, mapping, preview = _preview(KNAB, "knab.csv")
    assert table.layout == "knab" and mapping.sign_meaning == SignMeaning.BANK
    assert [line.amount for line in apply_mapping(table, mapping).lines] == [
        Decimal("-827.75"),
        Decimal("1000.00"),
    ]
    notes = {note.subject: note.text for note in preview.notes}
    assert notes[Subject.LAYOUT] == "Recognised: Knab CSV export, by its column names."
    assert "D (debet) is money out of the account" in notes[Subject.SIGN]
    assert "line 1 above it is a title" in notes[Subject.HEADER]


def test_the_same_d_and_c_in_a_ledger_are_debit_and_credit() -> None:
    assert (sign_of("D"), sign_of("C"), sign_of("Bij"), sign_of("Af")) == (1, -1, 1, -1)
    assert (sign_of("D", bank=True), sign_of("Credit", bank=True)) == (-1, 1)
    assert (sign_of("Bij", bank=True), sign_of("Af", bank=True)) == (1, -1)  # Af/Bij mean the same


def test_a_headerless_export_keeps_its_first_line_and_gets_the_banks_column_names() -> None:
    table, mapping, preview = _preview(ABN_TAB, "TXT211231.TAB")
    assert table.headerless and table.header_guessed and table.layout == "abn_amro_tab"
    assert table.headers[:3] == ["Rekeningnummer", "Muntsoort", "Transactiedatum"]
    lines = apply_mapping(table, mapping).lines
    assert [(ln.line_no, ln.entry_date, ln.amount) for ln in lines] == [
        (1, dt.date(2021, 12, 30), Decimal("-25.00")),
        (2, dt.date(2021, 12, 31), Decimal("100.00")),
    ]
    assert lines[0].description == "BEA   Hema ZAANDAM"  # the cell as written, spaces kept
    header = next(n for n in preview.notes if n.subject == Subject.HEADER)
    assert "'123456789', 'EUR'" in header.text and "first transaction" in header.text


def test_an_unknown_headerless_file_is_numbered_and_the_guess_is_a_warning() -> None:
    data = b"01-02-2026;100,00;Huur\n02-02-2026;-5,00;Kosten\n"
    table = read_ledger_table(data, "x.csv")
    assert table.headerless and table.layout is None and table.headers == ["column 1", "column 2", "column 3"]
    mapping = Mapping(entry_date="column 1", amount="column 2", description="column 3")
    preview = preview_table(None, table, mapping)
    assert (preview.summary.rows, preview.summary.total) == (2, Decimal("95.00"))
    assert any(n.warn and n.subject == Subject.HEADER for n in preview.notes)


def test_the_user_can_say_the_first_line_is_the_header_after_all_and_back(tmp_path) -> None:
    data = b"2023;2024;Omschrijving\n100,00;5,00;Huur\n"
    for table in (read_ledger_table(data, "x.csv"), stage(data, "x.csv", str(tmp_path))):
        assert table.headerless  # two numbers in the first line: taken for a transaction
        headed = with_first_line(table, as_data=False)
        assert headed.headers == ["2023", "2024", "Omschrijving"] and headed.num_rows == 1
        assert headed.head(5) == [("100,00", "5,00", "Huur")] and headed.header_line == 1
        again = with_first_line(headed, as_data=True)
        assert again.num_rows == 2 and again.head(1) == [("2023", "2024", "Omschrijving")]


@pytest.mark.parametrize(
    ("cells", "values"),
    [
        (["Datum", "Bedrag", "Omschrijving"], False),
        (["Omschrijving", "2023"], False),
        (["17-06-2022", "NL00ASNB9999999999", "130.44", ""], True),
        (["123456789", "EUR", "20211230", "-25,00"], True),
    ],
)
def test_a_header_of_values_is_told_from_a_header_of_names(cells, values) -> None:
    assert looks_like_values(cells) is values


def test_ing_balance_overview_is_refused() -> None:
    data = b'"Datum","Boeksaldo","Valutair saldo"\n"2020-05-30","13,20","13,20"\n'
    with pytest.raises(Exception, match="ING balance overview"):
        read_ledger_table(data, "saldo.csv")


def test_further_description_columns_are_joined_and_old_profiles_still_load() -> None:
    data = b"Datum;Bedrag;Omschrijving-1;Omschrijving-2\n01-02-2026;10,00;Huur;februari\n"
    data += b"02-02-2026;1,00;Rente;\n"
    table = read_ledger_table(data, "x.csv")
    mapping = Mapping(
        entry_date="Datum",
        amount="Bedrag",
        description="Omschrijving-1",
        description_more=("Omschrijving-2",),
    )
    assert [ln.description for ln in apply_mapping(table, mapping).lines] == ["Huur februari", "Rente"]
    assert Mapping.from_json(mapping.to_json()) == mapping
    old = Mapping.from_json('{"entry_date": "Datum", "amount": "Bedrag"}')
    assert (old.sign_meaning, old.description_more) == (SignMeaning.LEDGER, ())
    with pytest.raises(Exception, match="further description column"):
        apply_mapping(table, Mapping(entry_date="Datum", amount="Bedrag", description_more=("Nope",)))


def test_guesses_say_what_they_rest_on_and_warn_when_nothing_proves_them() -> None:
    proven = b"Datum;Bedrag\n31-01-2026;1.234,56\n01-02-2026;-2,50\n"
    notes = {n.subject: n for n in _preview(proven, "a.csv")[2].notes}
    assert "'31-01-2026' can only be read so" in notes[Subject.DATES].text and not notes[Subject.DATES].warn
    assert "'1.234,56' shows it" in notes[Subject.DECIMALS].text and not notes[Subject.DECIMALS].warn
    unproven = b"Datum;Bedrag\n01-02-2026;1.234\n02-03-2026;2.500\n"
    notes = {n.subject: n for n in _preview(unproven, "b.csv")[2].notes}
    assert notes[Subject.DATES].warn and "could also be mm-dd-yyyy" in notes[Subject.DATES].text
    assert notes[Subject.DECIMALS].warn


def test_a_zero_total_or_an_amount_column_of_zeros_is_reported() -> None:
    # PayPal-like: a substring rule would take the shipping amount, all zeros
    data = (
        b"Date,Description,Gross,Shipping and Handling Amount\n"
        b"9/4/2018,Payment,10.00,0.00\n9/5/2018,Payment,-3.00,0.00\n"
    )
    table = read_ledger_table(data, "x.csv")
    mapping = suggest_mapping(table.headers, table.head(50), "csv")
    assert mapping.amount == "Shipping and Handling Amount"
    checks = [
        n.text for n in preview_table(None, table, mapping).notes if n.subject == Subject.CHECK and n.warn
    ]
    assert any("add up to exactly 0.00" in text for text in checks)
    assert any("other than zero on only 0 of the first 2 lines" in text for text in checks)


def test_the_command_line_takes_the_dashboards_path_and_prints_its_guesses(tmp_path, capsys) -> None:
    path = tmp_path / "knab.csv"
    path.write_bytes(KNAB)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        import_id = _import(con, argparse.Namespace(ledger=path, mapping=None))
        total = con.execute(
            "SELECT sum(amount) FROM ledger_lines WHERE import_id = ?", [import_id]
        ).fetchone()[0]
    finally:
        con.close()
    assert total == Decimal("172.25")  # -827.75 + 1000.00: D is money out
    printed = capsys.readouterr().out
    assert "note: File: Recognised: Knab CSV export" in printed
    assert "imported 2 lines of knab.csv" in printed


def test_triodos_headerless_export_reads_debet_as_money_out() -> None:
    # Triodos's CSV: Boekdatum, Rekeningnummer, Bedrag, Debet/Credit, Naam tegenrekening,
    # Tegenrekening, Code, Omschrijving (no header line)
    data = (
        b'"02-01-2026","NL12TRIO0123456789","1.250,00","Debet","Verhuurder BV","NL91ABNA0417164300","IC",'
        b'"Huur januari"\n'
        b'"05-01-2026","NL12TRIO0123456789","99,95","Credit","Klant","NL20RABO0300000001","ID","Factuur 7"\n'
    )
    table, mapping, preview = _preview(data, "triodos.csv")
    assert table.layout == "triodos" and table.headerless
    assert [ln.amount for ln in apply_mapping(table, mapping).lines] == [
        Decimal("-1250.00"),
        Decimal("99.95"),
    ]
    assert "Recognised: Triodos Bank CSV export" in " ".join(n.text for n in preview.notes)


def test_iso_dates_are_never_taken_for_month_last() -> None:
    data = b"Datum;Bedrag\n2026-02-01;10,00\n2026-03-04;-2,50\n"
    notes = {n.subject: n for n in _preview(data, "iso.csv")[2].notes}
    assert not notes[Subject.DATES].warn and "yyyy-mm-dd" in notes[Subject.DATES].text
