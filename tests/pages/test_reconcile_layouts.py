"""The Reconcile page tells the user how a bank export is read and lets them change it before importing:
the recognised layout, a first line that is a transaction, what D and C mean."""

from __future__ import annotations

import pytest

from afas.emulator.demo import ledger_export
from afas.recon.forms import LedgerSource
from afas.recon.mapping import SignMeaning
from tests.pages.test_reconcile_page import picker, synced
from tests.pages.test_upload_text_is_plain import Upload

ABN_TAB = (
    b"123456789\tEUR\t20211230\t3025,00\t3000,00\t20211230\t-25,00\tBEA   Hema ZAANDAM\n"
    b"123456789\tEUR\t20211231\t3000,00\t3100,00\t20211231\t100,00\tSTORTING\n"
)
KNAB = (
    b"KNAB EXPORT;;;;;;;\n"
    b"Rekeningnummer;Transactiedatum;Valutacode;CreditDebet;Bedrag;Tegenrekeninghouder;Omschrijving;Boekdatum\n"
    b'"NL01KNAB0000000001";"21-06-2019";"EUR";"D";"827,75";"Gert Janssen";"Huur juni";"21-06-2019"\n'
    b'"NL01KNAB0000000001";"22-06-2019";"EUR";"C";"1.000,00";"Klant BV";"Factuur 12";"22-06-2019"\n'
)


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def _open(monkeypatch, name: str, data: bytes):
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", Upload(name, data))
    at = synced()
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert not at.exception, at.exception
    return at


def _notes(at) -> str:
    (notes,) = [e for e in at.expander if e.label.startswith("How the file is read")]
    return " ".join(m.value for m in notes.markdown).replace("\\", "").replace("\u2060", "")


def test_a_headerless_bank_export_is_recognised_and_the_user_may_say_otherwise(monkeypatch):
    at = _open(monkeypatch, "TXT211231.TAB", ABN_TAB)
    first_line = [c for c in at.checkbox if c.key and c.key.startswith("recon_first_line_")][0]
    assert first_line.value is True
    assert "Recognised: ABN AMRO TAB export" in _notes(at)
    assert picker(at, "amount").value == "Transactiebedrag"
    assert "2 lines readable" in " ".join(m.value for m in at.markdown).replace("**", "")
    first_line.uncheck().run()
    assert not at.exception, at.exception
    assert "123456789" in picker(at, "amount").options  # the first line's values are the column names now
    # nothing is mapped to those "names": the user is asked to choose the columns, nothing is imported
    assert any("The mapping has no date column" in e.value for e in at.error)


def test_knab_is_read_with_d_as_money_out_and_imports_so(monkeypatch):
    at = _open(monkeypatch, "knab.csv", KNAB)
    assert _import_name(at) == "knab"  # named after the file (and the next after itself, below)
    (meaning,) = [s for s in at.selectbox if s.key and s.key.endswith("_meaning")]
    assert meaning.value == SignMeaning.BANK
    notes = _notes(at)
    assert "Recognised: Knab CSV export" in notes and "line 1 above it is a title" in notes
    assert "total €172.25" in " ".join(m.value for m in at.markdown)
    meaning.set_value(SignMeaning.LEDGER).run()  # the user says these D/C are a ledger's
    assert "total -€172.25" in " ".join(m.value for m in at.markdown)
    meaning.set_value(SignMeaning.BANK).run()
    (decimals,) = [s for s in at.selectbox if s.key and s.key.endswith("_decimals")]
    assert decimals.value == ","  # the Knab layout's decimal comma, which the user may change
    decimals.set_value(".").run()
    assert "cannot be read" in " ".join(m.value for m in at.markdown)  # '827,75' is no amount so
    decimals.set_value(",").run()
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    assert not at.exception, at.exception
    assert any("Imported 2 lines" in s.value for s in at.success)
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", Upload("TXT211231.TAB", ABN_TAB))
    at.run()
    assert _import_name(at) == "TXT211231"  # not the name of the file before


def _import_name(at) -> str:
    (name,) = [t for t in at.text_input if t.key and t.key.startswith("recon_import_name_")]
    return name.value
