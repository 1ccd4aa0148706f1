"""The Close page: the grid of a period's balance-sheet accounts, an account documented, explained by a
reconciling item, prepared by one person, refused to review by the same, reviewed by another."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.test_workflow_pages import configured

CONNECTORS = [
    "Profit_Administrations", "Profit_Accounts", "Profit_periods_per_administration", "Profit_Debtor",
    "Profit_Creditor", "Profit_Transactions", "Profit_Period_balance", "Profit_Debtor_Invoices",
    "Profit_Creditor_Invoices", "Profit_Journals", "Profit_VAT_code", "Recon_AllocationCodes",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def synced_close() -> AppTest:
    at = configured(admin="1")
    at.switch_page("views/sync.py").run()
    at.multiselect(key="sync_connectors").set_value(CONNECTORS)
    at.button(key="sync_now").click().run()
    assert at.success and at.success[0].value.startswith("Synced"), at.error
    at.switch_page("views/close.py").run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    return " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error))


def test_before_a_sync_the_close_points_to_sync():
    at = configured()
    at.switch_page("views/close.py").run()
    assert not at.exception
    assert any("Profit_Period_balance" in i.value for i in at.info), [i.value for i in at.info]


def test_an_account_is_documented_explained_prepared_and_reviewed_by_two_people():
    at = synced_close()
    assert "accounts reconciled" in at.get("progress")[0].proto.text
    grid = at.dataframe[0].value
    assert "1300" in set(grid["Account"]) and "8000" not in set(grid["Account"])  # balance sheet only
    at.text_input(key="close_who").set_value("Anna").run()
    assert at.session_state["local_name"] == "Anna"  # asked once: the sidebar keeps it from now on
    assert not [w for w in at.text_input if w.key == "close_who"]
    at.selectbox(key="close_account").set_value("0100").run()
    balance = grid.loc[grid["Account"] == "0100", "AFAS balance"].iloc[0]
    at.text_input(key="close_amount_0100").set_value(f"{balance - 100:.2f}")
    at.text_input(key="close_note_0100").set_value("fixed asset register <b>2026</b>")
    at.button(key="FormSubmitter:close_schedule_0100-Save evidence").click().run()
    assert not at.exception, at.exception
    assert "fixed asset register <b>2026</b>" in shown(at).replace("\\", "")  # as text, not as HTML
    assert at.button(key="close_prepare_0100").disabled  # 100.00 unexplained
    at.text_input(key="close_item_text_0100").set_value("depreciation booked in the next month")
    at.button(key="FormSubmitter:close_item_0100-Add reconciling item").click().run()
    assert not at.exception, at.exception
    row = at.dataframe[0].value.set_index("Account").loc["0100"]
    assert row["Status"] == "explained" and row["Reconciling items"] == 100, [e.value for e in at.error]
    # the item booked as a correction: approved into the outbox, and still explaining until it is in AFAS
    assert "Books 100.00 credit on account 0100" in shown(at)
    at.button(key="close_book_0100").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (items,) = [d.value for d in at.dataframe if "Correction" in d.value.columns]
    assert "in the outbox" in items["Correction"].iloc[0], items
    at.button(key="close_prepare_0100").click().run()
    assert at.dataframe[0].value.set_index("Account").loc["0100", "Prepared by"] == "Anna"
    assert at.button(key="close_review_0100").disabled  # four-eyes: not by the preparer
    at.session_state["local_name"] = "Bert"  # another person at the machine (the sidebar's name)
    at.run()
    at.button(key="close_review_0100").click().run()
    row = at.dataframe[0].value.set_index("Account").loc["0100"]
    assert (row["Status"], row["Reviewed by"]) == ("reviewed", "Bert")
    at.toggle(key="close_history_on").set_value(True).run()
    assert not at.exception and at.get("plotly_chart"), at.exception
    assert at.button(key="FormSubmitter:close_item_0100-Add reconciling item").disabled  # locked
