"""The Reconcile page: a ledger with planted differences, imported, matched, reviewed, exported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from afas.emulator.demo import ledger_export
from afas.recon.forms import Comparison, LedgerSource
from afas.recon.schema import ResultKind
from tests.pages.test_workflow_pages import configured, frame

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


@pytest.fixture
def demo_ledger(tmp_path, monkeypatch) -> Path:
    """The demo ledger cut from the demo environment these tests run (a small one)."""
    from afas.ui.connection import demo_server

    path = tmp_path / "demo_ledger.csv"
    path.write_bytes(ledger_export.render_csv(ledger_export.demo_ledger_rows(demo_server().emulator)))
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", path)
    return path


def picker(at: AppTest, field: str):
    """The mapping's column picker for ``field`` (its key also names the file, sheet and profile)."""
    (found,) = [
        s for s in at.selectbox if s.key and s.key.startswith("recon_map_") and s.key.endswith("_" + field)
    ]
    return found


def synced(all_connectors: bool = False) -> AppTest:
    at = configured(admin="1")
    at.switch_page("views/sync.py").run()
    if not all_connectors:
        at.multiselect(key="sync_connectors").set_value(
            ["Profit_Administrations", "Profit_Accounts", "Profit_Transactions"]
        )
    at.button(key="sync_now").click().run()
    assert at.success and at.success[0].value.startswith("Synced"), at.error
    return at


def imported_and_matched(at: AppTest) -> AppTest:
    """On a synced session: the demo ledger imported and matched line by line over 2026."""
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    return at


def test_reconcile_before_a_sync_points_to_sync():
    at = configured()
    at.switch_page("views/reconcile.py").run()
    assert not at.exception
    assert any("Sync the journal lines" in i.value for i in at.info)


def test_the_demo_ledger_is_imported_matched_and_its_differences_found(demo_ledger):
    at = synced()
    at.switch_page("views/reconcile.py").run()
    assert not at.exception, at.exception
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert any("CSV" in c.value and "delimiter ';'" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]
    assert picker(at, "entry_date").value == "Datum"
    assert picker(at, "voucher").value == "Boekstuk"
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    assert not at.exception, at.exception
    (imported,) = [s.value for s in at.success if s.value.startswith("Imported")]

    at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    counts = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert counts["Only in AFAS"] == 6 and counts["Only in the ledger"] == 5 and counts["Differing"] == 4
    assert counts["Matched"] > 0
    results = frame(at, "Reason")
    assert {"voucher", "amount and date"} <= set(results["Pass"].dropna())  # the passes in words
    assert results["Reason"].notna().all()

    at.selectbox(key="recon_kind").set_value(ResultKind.ONLY_IN_LEDGER).run()
    only = frame(at, "Reason")
    assert len(only) == 5 and only["Ledger description"].str.contains("Rente ING|Kosten betaalverkeer").all()
    assert set(only["Result"]) == {"Only in the ledger"}  # in words, not the stored kind

    # the same file again is recognised
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert any(s.value.startswith("This file is ledger #1") for s in at.success)


def test_a_trial_balance_is_compared_per_account_and_period(tmp_path, monkeypatch):
    """The ledger's sums per account and month against AFAS's period balances."""
    from afas.ui.connection import demo_server

    at = synced(all_connectors=True)
    store = demo_server().emulator.store.cursor()
    rows = store.execute(
        "SELECT account_no, year, period, sum(amt_debit - amt_credit) FROM entry_line "
        "WHERE unit = 1 AND year = 2026 GROUP BY ALL ORDER BY 1, 2, 3"
    ).fetchall()
    lines = ["Datum;Rekening;Bedrag"]
    for n, (account, year, period, amount) in enumerate(rows):
        if n == 0:
            continue  # one balance missing in the ledger
        if n == 1:
            amount += 10  # one balance off by ten
        lines.append(f"15-{period:02d}-{year};{account};{str(amount).replace('.', ',')}")
    path = tmp_path / "proefbalans.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", path)

    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    at.radio(key="recon_mode").set_value(Comparison.BALANCES)
    at.multiselect(key="recon_accounts").set_value([])
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    counts = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert counts["Differing"] == 1 and counts["Only in the ledger"] == 0
    assert counts["Matched"] == len(rows) - 2 and counts["Only in AFAS"] >= 1
    assert at.button(key="recon_match_manual").disabled
