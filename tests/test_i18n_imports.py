"""The importers speak Dutch to a Dutch user: what is wrong with an uploaded file (and how to fix it),
what the reader noticed, how the file is read, the upload widgets' limits; the file's own data (its
name, its values, its headers) stays as it is."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter

from afas.i18n import Language, using
from afas.recon.ledgers import ImportProblems, preview_table
from afas.recon.limits import upload_help
from afas.recon.masterfile import KINDS, load_master_table
from afas.recon.masterform import ColumnForm, difference_rows
from afas.recon.readers import LedgerFileError, check_size, read_ledger_file, read_ledger_table
from afas.recon.staging import stage
from afas.recon.xaffile import read_xaf

DATA = Path(__file__).resolve().parent / "data" / "ledgers"

MT940_OFF = b""":20:940S250228
:25:NL44RABO0123456789 EUR
:28C:00030
:60F:C250227EUR10000,00
:61:250228D250,75N102NONREF
:86:Energie Noord
:62F:C250228EUR9000,00
-
"""
"""A statement whose opening balance plus its line is not its closing balance."""


def _sheet(rows: list[list[object]], name: str = "Blad1") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(name)
    for i, row in enumerate(rows):
        sheet.write_row(i, 0, row)
    book.close()
    return buffer.getvalue()


def test_an_empty_file_is_refused_in_dutch_naming_the_file():
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file(b"  \r\n", "grootboek 2026.csv")
    assert caught.value.message == (
        "grootboek 2026.csv is leeg; exporteer het grootboek opnieuw en upload dat bestand."
    )


def test_an_image_and_a_too_large_file_are_refused_in_dutch():
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file((DATA / "broken" / "image.png").read_bytes(), "scan.png")
    assert caught.value.message.startswith("scan.png is een PNG-afbeelding, geen grootboekexport; upload een")
    assert "CSV, Excel, Parquet, MT940, CAMT.053 of XAF" in caught.value.message
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        check_size(30 * 1024 * 1024, "boek.xlsx", "xlsx")
    assert caught.value.message == (
        "boek.xlsx is 30 MB; het dashboard leest Excel-bestanden tot 25 MB. Exporteer het grootboek als "
        "XAF (tot 1024 MB), of splits het in perioden."
    )


def test_a_statement_that_does_not_add_up_gets_a_dutch_notice_with_dutch_amounts():
    with using(Language.NL):
        raw = read_ledger_file(MT940_OFF, "rabo.sta")
    (notice,) = raw.notices
    assert notice.startswith(
        "Afschrift 00030 van rekening NL44RABO0123456789 (kenmerk 940S250228, vanaf regel 1): beginsaldo "
        "10.000,00 plus de regels -250,75 is 9.749,25, maar het eindsaldo van het afschrift is 9.000,00 "
        "(een verschil van -749,25)."
    )
    with using(Language.EN):
        assert (
            read_ledger_file(MT940_OFF, "rabo.sta")
            .notices[0]
            .startswith(
                "Statement 00030 of account NL44RABO0123456789 (reference 940S250228, from line 1): opening "
                "balance 10,000.00 plus its lines -250.75 is 9,749.25"
            )
        )


def test_a_broken_mt940_and_a_broken_camt_are_named_in_dutch():
    text = (DATA / "statement.mt940").read_bytes().replace(b":61:250331D250,75", b":61:25X331D250,75")
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file(text, "ing.mt940")
    assert caught.value.message.startswith(
        "ing.mt940: regel 8 is geen geldige MT940-transactieregel (:61: vraagt een datum JJMMDD"
    )
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file((DATA / "broken" / "no_statement_lines.mt940").read_bytes(), "saldi.mt940")
    assert "saldi.mt940 is een MT940-afschrift zonder transactieregels (:61:)" in caught.value.message
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file((DATA / "broken" / "broken.camt.xml").read_bytes(), "camt.xml")
    assert caught.value.message.startswith("camt.xml ") and "Download het CAMT.053-afschrift" in (
        caught.value.message
    )


def test_a_workbook_without_a_header_and_an_unknown_sheet_in_dutch():
    data = _sheet([["Datum", "Bedrag"]], "Mutaties")
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file(data, "export.xlsx")
    assert caught.value.message == (
        "Werkblad 'Mutaties' van export.xlsx heeft geen rijen onder een kopregel; kies het werkblad met "
        "het grootboek (werkbladen: Mutaties)."
    )
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_ledger_file(data, "export.xlsx", sheet="Januari")
    assert caught.value.message == (
        "export.xlsx heeft geen werkblad 'Januari'; de werkbladen zijn: Mutaties."
    )


def test_an_xml_file_that_is_no_audit_file_is_refused_in_dutch():
    with using(Language.NL), pytest.raises(LedgerFileError) as caught:
        read_xaf(b'<?xml version="1.0"?><factuur><regel/></factuur>', "jaar.xaf")
    assert caught.value.message == (
        "jaar.xaf is XML, maar geen XAF-auditfile (het hoofdelement is 'factuur', niet auditfile); "
        "exporteer de auditfile (XAF) uit het boekhoudpakket."
    )


def test_master_data_without_a_key_column_and_a_statement_as_master_data_in_dutch():
    form = ColumnForm(KINDS["customers"], ("Naam", "Plaats"))
    with using(Language.NL):
        assert form.key_missing() == "Kies de kolom van het bestand die DebtorId bevat."
        assert form.label("DebtorId") == "DebtorId (sleutel)" and form.label("Email") == "Email"
        assert KINDS["customers"].label == "Klanten (debiteuren)"
        rows = difference_rows(
            [{"item_key": "1001", "field": "Email", "value_afas": "a@b.nl", "value_ledger": None}], "DebtorId"
        )
        assert rows == [{"DebtorId": "1001", "Veld": "Email", "In AFAS": "a@b.nl", "In het bestand": ""}]
        table = read_ledger_table((DATA / "statement.mt940").read_bytes(), "bank.sta")
        with pytest.raises(LedgerFileError) as caught:
            load_master_table(None, table)
    assert caught.value.message == (
        "bank.sta is een bankafschrift; stamgegevens komen als een lijst met relaties of codes."
    )
    assert KINDS["customers"].label == "Customers (debtors)"


def test_how_a_file_is_read_and_its_unreadable_lines_in_dutch():
    data = (
        b"Datum;Bedrag;Omschrijving\n31-01-2026;1.234,56;Huur\n15-02-2026;12,5x;Fout\n"
        b"28-02-2026;-20,00;Bank\n"
    )
    with using(Language.NL):
        table = read_ledger_table(data, "boek.csv")
        preview = preview_table(None, table)
        notes = [note.text for note in preview.notes]
        problems = [str(p) for p in preview.problems]
        error = ImportProblems("boek.csv", preview.problems)
    assert (
        "Regel 1 wordt gelezen als de kolomnamen; zet 'De eerste regel is een boeking' aan als het "
        "bestand geen kopregel heeft." in notes
    )
    assert "Bedragen worden gelezen met een decimale komma (1.234,56): '1.234,56' laat dat zien." in notes
    assert "Datums worden gelezen als dd-mm-yyyy: '31-01-2026' kan alleen zo gelezen worden." in notes
    assert problems == ["regel 3, kolom 'Bedrag': bedrag \"12,5x\" is geen getal"]
    assert error.message.startswith(
        "1 regel(s) van boek.csv kunnen niet worden gelezen: regel 3, kolom 'Bedrag'"
    )


def test_a_staged_statement_keeps_its_notices_in_each_language(tmp_path):
    with using(Language.EN):
        english = stage(MT940_OFF, "rabo.sta", tmp_path)
    with using(Language.NL):
        dutch = stage(MT940_OFF, "rabo.sta", tmp_path)
    assert english.notices[0].startswith("Statement 00030") and dutch.notices[0].startswith("Afschrift 00030")
    assert english.balances[0].statement == dutch.balances[0].statement  # kept with the import: one wording


def test_the_upload_help_in_dutch_and_english():
    with using(Language.NL):
        assert upload_help() == (
            "CSV tot 200 MB, Excel tot 25 MB, Parquet tot 100 MB, MT940 tot 10 MB, CAMT.053 tot 512 MB, "
            "XAF tot 1024 MB"
        )
        assert upload_help(["CSV", "Excel"]) == "CSV tot 200 MB, Excel tot 25 MB"
    with using(Language.EN):
        assert upload_help(["CSV"]) == "CSV up to 200 MB"
