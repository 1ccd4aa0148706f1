"""The Reconcile page's housekeeping a user reaches: pick a workbook's sheet, take back a match made by
hand, delete an imported ledger (and be refused when corrections came from it)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from afas.corrections.from_recon import record_origins
from afas.emulator.demo import ledger_export
from afas.recon.forms import LedgerSource
from afas.recon.overrides import match_manually
from afas.warehouse.db import connection
from tests.pages.test_reconcile_page import demo_ledger, imported_and_matched, picker, synced  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def shown(markdown: str) -> str:
    """What the user reads of a message written with afas.ui.text.plain (its escapes are not shown)."""
    return markdown.replace("\\", "")


def counts(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


@pytest.mark.usefixtures("demo_ledger")
def test_a_workbook_with_several_sheets_offers_them_and_reads_the_one_chosen(tmp_path, monkeypatch):
    text = ledger_export.DEMO_LEDGER.read_text(encoding="cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    book = openpyxl.Workbook()
    book.active.title = "Toelichting"
    book.active.append(["Opmerking"])
    book.active.append(["Export van de bankrekening"])
    ledger = book.create_sheet("Grootboekkaart")
    for row in rows:
        ledger.append(row)
    path = tmp_path / "grootboekkaart.xlsx"
    book.save(path)
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", path)

    at = synced()
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    sheets = at.selectbox(key="recon_sheet_grootboekkaart.xlsx")
    assert sheets.options == ["Toelichting", "Grootboekkaart"] and sheets.value == "Toelichting"
    assert any("1 lines" in c.value and "sheet 'Toelichting'" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]

    sheets.set_value("Grootboekkaart").run()
    assert not at.exception, at.exception
    assert any(
        f"{len(rows) - 1:,} lines" in c.value and "sheet 'Grootboekkaart'" in c.value for c in at.caption
    ), [c.value for c in at.caption]
    assert picker(at, "entry_date").value == "Datum"


@pytest.mark.usefixtures("demo_ledger")
def test_a_match_made_by_hand_can_be_taken_back(tmp_path):
    at = imported_and_matched(synced())
    before = counts(at)
    with connection(tmp_path / "demo.duckdb") as con:
        (afas,) = con.execute(
            "SELECT [unit_id, entry_no, seq_no] FROM recon_results WHERE kind = 'only_in_afas' "
            "ORDER BY result_id LIMIT 1"
        ).fetchone()
        (line,) = con.execute(
            "SELECT line_no FROM recon_results WHERE kind = 'only_in_ledger' ORDER BY result_id LIMIT 1"
        ).fetchone()
        match_manually(con, 1, [tuple(afas)], [line], note="same payment")
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    matched = counts(at)
    assert matched["Only in AFAS"] == before["Only in AFAS"] - 1
    assert matched["Only in the ledger"] == before["Only in the ledger"] - 1
    assert matched["Matched"] == before["Matched"] + 1
    assert "Matches made or undone by hand (1)" in [e.label for e in at.expander]

    at.multiselect(key="recon_remove_ids").set_value([1]).run()
    at.button(key="recon_remove_override").click().run()
    assert not at.exception, at.exception
    assert any("Removed 1 of the matches made or undone by hand" in s.value for s in at.success)
    assert counts(at) == before  # the results follow at once
    assert "Matches made or undone by hand (1)" not in [e.label for e in at.expander]


@pytest.mark.usefixtures("demo_ledger")
def test_an_imported_ledger_is_deleted_only_when_the_user_confirms(tmp_path):
    at = imported_and_matched(synced())
    at.radio(key="recon_source").set_value(LedgerSource.EARLIER).run()
    assert any("#1 demo_ledger" in o for o in at.selectbox(key="recon_earlier").options)
    with connection(tmp_path / "demo.duckdb") as con:
        lines, results = con.execute(
            "SELECT (SELECT count(*) FROM ledger_lines), (SELECT count(*) FROM recon_results)"
        ).fetchone()
    said = " ".join(shown(m.value) for m in at.markdown)
    removes = f"Deleting it removes {lines} lines, 1 matching run and {results} result rows."
    assert f"{removes} This cannot be undone." in said, said
    assert at.button(key="recon_delete").disabled

    at.checkbox(key="recon_delete_sure").check().run()
    at.button(key="recon_delete").click().run()
    assert not at.exception, at.exception
    assert any("Ledger #1 'demo_ledger' was deleted" in shown(s.value) for s in at.success)
    assert LedgerSource.EARLIER not in at.radio(key="recon_source").options
    with connection(tmp_path / "demo.duckdb") as con:
        left = con.execute(
            "SELECT (SELECT count(*) FROM ledger_lines), (SELECT count(*) FROM recon_runs), "
            "(SELECT count(*) FROM recon_results)"
        ).fetchone()
    assert left == (0, 0, 0)


@pytest.mark.usefixtures("demo_ledger")
def test_a_ledger_corrections_came_from_is_kept_and_the_page_says_why(tmp_path):
    at = imported_and_matched(synced())
    with connection(tmp_path / "demo.duckdb") as con:
        run_id, result_id = con.execute("SELECT run_id, result_id FROM recon_results LIMIT 1").fetchone()
        record_origins(con, [(7, run_id, result_id)])  # as approving a correction of it does
    at.radio(key="recon_source").set_value(LedgerSource.EARLIER).run()
    kept = " ".join(shown(i.value) for i in at.info)
    assert "is kept: 1 correction in the outbox was made from its differences" in kept, kept
    assert not [b for b in at.button if b.key == "recon_delete"]
