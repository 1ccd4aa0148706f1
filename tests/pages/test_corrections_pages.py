"""Corrections and Audit: differences become entries, approved in a dialog, sent once, audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.pages.test_reconcile_page import demo_ledger, imported_and_matched, synced  # noqa: F401 - the fixture
from tests.pages.test_workflow_pages import configured, frame


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def reconciled():
    return imported_and_matched(synced(all_connectors=True))


def test_corrections_need_defaults_and_a_reconciliation_first():
    from tests.pages.test_workflow_pages import connected

    at = connected()
    at.switch_page("views/corrections.py").run()
    assert any("Configure first" in i.value for i in at.info)
    at = configured()
    at.switch_page("views/corrections.py").run()
    assert any("Reconcile a ledger first" in i.value for i in at.info)
    at.switch_page("views/audit.py").run()
    assert any("No corrections have been approved" in i.value for i in at.info)


def test_differences_are_approved_sent_once_and_audited(fresh_demo, demo_ledger):  # noqa: F811
    from afas.ui.connection import demo_server

    at = reconciled()
    at.switch_page("views/corrections.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="corr_journal").value == "80"
    assert at.selectbox(key="corr_contra").value == "1901"
    ready = next(m.value for m in at.markdown if "ready to approve" in m.value)
    assert ready.startswith("**9** ready")  # 5 lines only in the ledger, 4 differing amounts
    proposed = frame(at, "mode")
    assert sorted(proposed["kind"]) == ["Differing"] * 4 + ["Only in the ledger"] * 5
    assert set(proposed["mode"]) == {"new_entry", "difference"}  # the column words them (catalogue)
    assert not proposed[["contra", "allocation"]].isna().any().any()  # empty cells, not None
    entries_before = (
        demo_server()
        .emulator.store.cursor()
        .execute("SELECT count(DISTINCT entry_no) FROM entry_line WHERE unit = 1")
        .fetchall()[0][0]
    )

    at.button(key="corr_approve").click().run()
    at.text_input(key="corr_approver").input("Anna de Vries").run()
    at.button(key="corr_approve_confirm").click().run()
    assert "Approved 9 corrections. Send them to AFAS below." in [s.value for s in at.success]
    assert at.text_input(key="local_name").value == "Anna de Vries"  # asked once: the sidebar keeps it
    outbox = frame(at, "Approved by")
    assert set(outbox["State"]) == {"approved, not sent"} and set(outbox["Approved by"]) == {"Anna de Vries"}

    at.button(key="corr_send").click().run()
    assert not at.exception, at.exception
    assert "9 of 9 corrections are in AFAS." in [s.value for s in at.success]
    sent = frame(at, "AFAS message")
    assert sent["AFAS keys"].str.contains(r"EnNo \d+").all()
    assert set(sent["Result"]) == {"in AFAS"} and set(sent["AFAS message"]) == {""}
    assert set(frame(at, "Approved by")["State"]) == {"in AFAS"}
    entries_after = (
        demo_server()
        .emulator.store.cursor()
        .execute("SELECT count(DISTINCT entry_no) FROM entry_line WHERE unit = 1")
        .fetchall()[0][0]
    )
    assert entries_after == entries_before + 9
    # sending again posts nothing twice, and the corrected differences are not offered again
    at.switch_page("views/corrections.py").run()
    assert at.button(key="corr_send").disabled
    assert "Every difference of this run is in the outbox." in [s.value for s in at.success]
    assert any("9 differences of this run are in the outbox already" in c.value for c in at.caption)

    # sync again and match the same ledger again: the corrected differences are gone
    at.switch_page("views/sync.py").run()
    at.multiselect(key="sync_connectors").set_value(["Profit_Transactions"])
    at.button(key="sync_now").click().run()
    at.switch_page("views/reconcile.py").run()
    at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    at.button(key="FormSubmitter:recon_match_form-Run matching").click().run()
    assert not at.exception, at.exception
    counts = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert (counts["Only in the ledger"], counts["Differing"], counts["Only in AFAS"]) == (0, 0, 6), counts

    at.switch_page("views/audit.py").run()
    assert not at.exception, at.exception
    audit = frame(at, "Approved by")
    assert set(audit["Approved by"]) == {"Anna de Vries"}
    assert audit["AFAS keys"].astype(str).str.contains("EnNo").sum() >= 9
    assert not audit.isin(["None", "nan", "NaT"]).any().any() and not audit.isna().any().any()
    at.multiselect(key="audit_events").set_value(["confirmed"]).run()
    confirmed = frame(at, "Approved by")
    assert len(confirmed) == 9 and set(confirmed["Event"]) == {"in AFAS"}
    reference = confirmed["Reference"].iloc[0]
    at.text_input(key="audit_search").input(reference.lower()).run()
    assert list(frame(at, "Approved by")["Reference"]) == [reference]
    html = str(at)
    assert demo_server().emulator.token_data not in html
