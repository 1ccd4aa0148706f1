"""The Reconcile page on the demo's previous-package audit file (XAF): picked as a ledger source,
imported with the suggested mapping, matched line by line and as balances per account and period."""

from __future__ import annotations

import datetime as dt

import pytest

from afas.catalogue import label
from afas.emulator.demo import xaf_export
from afas.recon.forms import Comparison, LedgerSource
from tests.pages.test_reconcile_page import picker, synced
from tests.recon.test_xaf import expected_balance_differences, expected_line_counts


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


@pytest.fixture
def demo_xaf(tmp_path, monkeypatch):
    """The audit file cut from the demo environment these tests run (a small one), and its books."""
    from afas.ui.connection import demo_server

    emulator = demo_server().emulator
    books = xaf_export.previous_books(emulator)
    path = tmp_path / xaf_export.DEMO_XAF.name
    path.write_bytes(xaf_export.render_xaf(books))
    monkeypatch.setattr(xaf_export, "DEMO_XAF", path)
    return emulator, books


def _counts(at) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def _balance_kinds(emulator, books) -> tuple[int, int]:
    """(differing, only in the ledger) among the balances the plants change, for 2025."""
    afas = {
        (a, m)
        for a, m in emulator.store.cursor()
        .execute("SELECT DISTINCT account_no, period FROM entry_line WHERE unit = 1 AND year = 2025")
        .fetchall()
    }
    ledger = {(a, 1) for a, _ in books.opening} | {
        (line.account, t.date.month) for t in books.transactions for line in t.lines
    }
    cells = [(key.split()[0], int(key[-2:])) for key in expected_balance_differences(emulator, books)]
    return sum(1 for c in cells if c in afas and c in ledger), sum(1 for c in cells if c not in afas)


def test_the_demo_audit_file_is_imported_and_its_planted_differences_found(demo_xaf):
    emulator, books = demo_xaf
    at = synced()  # the journal lines: balances are then compared with their sums per period
    at.switch_page("views/reconcile.py").run()
    assert not at.exception, at.exception
    assert label(LedgerSource.DEMO_XAF) in at.radio(key="recon_source").options  # shown in words
    at.radio(key="recon_source").set_value(LedgerSource.DEMO_XAF).run()
    assert not at.exception, at.exception
    assert any("demo_previous_system.xaf" in c.value and "XAF" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]
    assert (picker(at, "entry_date").value, picker(at, "voucher").value) == ("Boekdatum", "Boekstuknummer")
    assert (picker(at, "debit").value, picker(at, "credit").value) == ("Debet", "Credit")
    assert picker(at, "account").value == "Grootboekrekening"
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    assert not at.exception, at.exception
    lines = sum(len(t.lines) for t in books.transactions) + len(books.opening)
    assert any(s.value.startswith(f"Imported {lines:,} lines") for s in at.success), [
        s.value for s in at.success
    ]

    # Line by line over all accounts of 2025: exactly the planted differences.
    at.multiselect(key="recon_accounts").set_value([])
    at.date_input(key="recon_dates").set_value((dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    expected = expected_line_counts(emulator, books)
    counts = _counts(at)
    assert (counts["Only in AFAS"], counts["Only in the ledger"], counts["Differing"]) == (
        expected["only_in_afas"],
        expected["only_in_ledger"],
        0,
    )
    assert counts["Matched"] == expected["matched"]

    # As balances per account and period: the opening balance counts in January, so only the
    # balances the plants change differ (AFAS's 2026 balances are only in AFAS: the file is 2025's).
    at.radio(key="recon_mode").set_value(Comparison.BALANCES)
    at.multiselect(key="recon_accounts").set_value([])
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    differing, only_ledger = _balance_kinds(emulator, books)
    counts = _counts(at)
    assert (counts["Differing"], counts["Only in the ledger"]) == (differing, only_ledger)
    assert counts["Matched"] > differing
