"""The Reconcile page and the matching behind it in Dutch: the page, the results, the exports, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from afas.emulator.demo import ledger_export
from afas.errors import InputError
from afas.i18n import Language, using
from afas.recon.export import export_csv, export_workbook
from afas.recon.forms import LedgerSource, import_title, summary_caption
from afas.recon.ledgers import list_imports
from afas.recon.matching import reconcile
from afas.recon.overrides import ManualMatchRefused, match_manually, selection_summary
from afas.recon.schema import ResultKind
from afas.recon.views import LedgerSummary, results_table
from tests.dutch import synced
from tests.recon.test_matching import afas_line, ledger_line, make_books

NBSP = "\u00a0"


@pytest.fixture
def demo_ledger(tmp_path, monkeypatch) -> Path:
    """The demo ledger cut from the demo environment these tests run (a small one)."""
    from afas.ui.connection import demo_server

    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    path = tmp_path / "demo_ledger.csv"
    path.write_bytes(ledger_export.render_csv(ledger_export.demo_ledger_rows(demo_server().emulator)))
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", path)
    return path


def test_a_dutch_user_imports_matches_and_reads_the_results_in_dutch(demo_ledger):
    # AppTest words a chosen option with the page's format_func in the test's thread: in Dutch too
    with using(Language.NL):
        at = synced(
            "nl", "views/reconcile.py", ["Profit_Administrations", "Profit_Accounts", "Profit_Transactions"]
        )
        assert at.title[0].value == "Aansluiten met uw grootboek"
        assert [h.value for h in at.header][:1] == ["1. Grootboek"]
        at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
        assert not at.exception, at.exception
        captions = " ".join(c.value for c in at.caption)
        assert "demobankrekening" in captions and "scheidingsteken ';'" in captions, captions
        assert any(e.label == "Kolomindeling (voorgesteld op basis van de kopregel)" for e in at.expander)
        text = " ".join(m.value for m in at.markdown)
        assert "regels leesbaar, totaal €" + NBSP in text, text
        at.button(key="FormSubmitter:recon_import_form-Grootboek inlezen").click().run()
        assert not at.exception, at.exception
        assert any(" regels ingelezen als #1" in s.value for s in at.success), [s.value for s in at.success]

        assert "2. Aansluiten" in [h.value for h in at.header]
        (caption,) = [c.value for c in at.caption if c.value.startswith("Grootboek #1:")]
        assert "€" + NBSP in caption and " t/m " in caption, caption  # € 1.234,56 and 31-12-2026
        assert at.multiselect(key="recon_accounts").label == "Te vergelijken grootboekrekeningen in AFAS"
        assert at.number_input(key="recon_days").label == "Datumvenster (dagen)"
        tolerance = at.text_input(key="recon_tol")
        assert (tolerance.label, tolerance.value) == ("Marge op het bedrag (€)", "0,00")  # not 0.00
        tolerance.set_value("0,05")  # as a Dutch user types five cents
        assert at.selectbox(key="recon_policy").label == "Als meerdere kandidaten passen"
        passes = at.multiselect(key="recon_passes")
        assert passes.label == "Aansluitstappen, op volgorde" and "bedrag en datum" in passes.options
        at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        at.button(key="FormSubmitter:recon_match_form-Aansluiten starten").click().run()
        assert not at.exception, at.exception

        assert "3. Resultaten" in [h.value for h in at.header]
        counts = {m.label: m.value for m in at.metric}
        assert set(counts) == {"Aangesloten", "Alleen in AFAS", "Alleen in het grootboek", "Verschillend"}
        assert counts["Alleen in AFAS"] == "6"
        grid = next(df.value for df in at.dataframe if "Reden" in df.value.columns)
        # the five cents typed in Dutch reached the matching: a pair within them is matched, and what
        # is left differing differs by more (the demo's size decides how many: tests/pages runs a
        # smaller one, this file alone the default)
        with duckdb.connect(str(Path(os.environ["AFAS_DATA_DIR"]) / "demo.duckdb"), read_only=True) as con:
            (config,) = con.execute("SELECT config_json FROM recon_runs").fetchone()
        assert "0.05" in {p.get("abs_tol") for p in json.loads(config)["passes"]}
        at.selectbox(key="recon_kind").set_value(ResultKind.DIFFERING).run()
        shown = next(df.value for df in at.dataframe if "Reden" in df.value.columns)
        differing = shown[shown["Resultaat"] == "Verschillend"]["Verschil"].dropna()
        assert len(differing) == int(counts["Verschillend"]) and (differing.abs() > Decimal("0.05")).all()
        assert {"Resultaat", "Stap", "Bedrag AFAS", "Bedrag grootboek", "Verschil"} <= set(grid.columns)
        assert "Reason" not in grid.columns and "group_id" not in grid.columns
        assert {"boekstuk", "bedrag en datum"} <= set(grid["Stap"].dropna())
        reasons = " | ".join(grid["Reden"].dropna())
        assert "bedrag gelijk" in reasons and "geen aansluiting gevonden" in reasons, reasons
        assert "amount" not in reasons and "no match found" not in reasons
        assert any(
            c.value.endswith("rijen getoond (maximaal 500; beperk met de filters).") for c in at.caption
        )
        assert at.button(key="recon_match_manual").label == "Selectie met de hand aansluiten"
        assert [b.label for b in at.get("download_button")] == ["Excel downloaden", "CSV downloaden"]


@pytest.fixture
def books(tmp_path):
    con = duckdb.connect(str(tmp_path / "recon.duckdb"))
    afas = [
        afas_line(1, "1234.56", "2024-01-05", voucher="V1", text="rent"),
        afas_line(2, "-50.00", "2024-01-06", voucher="V2", text="fee"),
        afas_line(3, "75.00", "2024-01-07", voucher="V3", text="only afas"),
    ]
    ledger = [
        ledger_line(1, "1234.56", "2024-01-05", voucher="V1", text="rent"),
        ledger_line(2, "-1049.50", "2024-01-06", voucher="V2", text="fee"),
        ledger_line(3, "9.00", "2024-02-01", text="only ledger"),
    ]
    make_books(con, afas, ledger)
    yield con
    con.close()


def test_a_dutch_run_gives_dutch_reasons_headers_and_amounts(books):
    with using(Language.NL):
        run_id = reconcile(books, 1).run_id
        grid = {r["Resultaat"]: r for r in results_table(books, run_id).to_pylist()}
    assert set(grid) == {"Aangesloten", "Alleen in AFAS", "Alleen in het grootboek", "Verschillend"}
    assert grid["Aangesloten"]["Reden"] == "boekstuk V1 gelijk, bedrag gelijk"
    assert grid["Verschillend"]["Reden"] == "boekstuk V2 gelijk, bedrag -50,00 tegenover -1.049,50"
    assert grid["Alleen in AFAS"]["Reden"] == "geen aansluiting gevonden"
    with using(Language.EN):  # what an English session reads of the same run
        english = {r["Result"]: r for r in results_table(books, run_id).to_pylist()}
    assert english["Only in AFAS"]["Reason"] == "no match found"


def test_an_exported_workbook_and_csv_are_in_dutch(books, tmp_path):
    with using(Language.NL):
        run_id = reconcile(books, 1).run_id
        path = tmp_path / "aansluiting.xlsx"
        export_workbook(books, run_id, path)
        out = io.StringIO()
        export_csv(books, run_id, out)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Samenvatting",
        "Aangesloten",
        "Alleen in AFAS",
        "Alleen in grootboek",
        "Verschillend",
    ]
    summary = wb["Samenvatting"]
    assert [c.value for c in summary[6]] == [
        "Resultaat", "Rijen", "Bedrag AFAS", "Bedrag grootboek", "Verschil", "Opmerking"
    ]  # fmt: skip
    assert summary["A7"].value == "Aangesloten" and summary["A1"].value == "Aansluiting nr."
    header = [c.value for c in wb["Verschillend"][1]]
    assert header[:2] == ["Soort", "Groep"] and "Bedrag AFAS" in header and "Omschrijving grootboek" in header
    row = dict(zip(header, [c.value for c in wb["Verschillend"][2]], strict=True))
    assert row["Bedrag AFAS"] == -50.0 and row["Reden"].startswith("boekstuk V2 gelijk")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["Reden"] for r in rows if r["Soort"] == "only_in_afas"} == {"geen aansluiting gevonden"}
    assert {r["Bedrag grootboek"] for r in rows if r["Soort"] == "differing"} == {"-1049.50"}  # a number


def test_dutch_errors_and_captions_at_the_engine(books):
    with using(Language.NL):
        with pytest.raises(InputError) as no_ledger:
            reconcile(books, 99)
        assert no_ledger.value.message == "Er is geen ingelezen grootboek #99."
        assert no_ledger.value.hint.startswith("Lees eerst het grootboek in")
        with pytest.raises(
            ManualMatchRefused, match="selecteer beide kanten .nu: 1 regel uit AFAS, 0 regels"
        ):
            match_manually(books, 1, [(1, 1, 1)], [])
        assert selection_summary(1, 1) == "2 regels geselecteerd: 1 uit AFAS, 1 uit het grootboek."
        summary = LedgerSummary(1234, Decimal("-1234.56"), dt.date(2026, 1, 1), dt.date(2026, 12, 31), [])
        assert summary_caption(3, summary) == (
            f"Grootboek #3: 1.234 regels, €{NBSP}-1.234,56, 01-01-2026 t/m 31-12-2026"
        )
        (ledger,) = list_imports(books)
        assert ", 3 regels, " in import_title(ledger)
