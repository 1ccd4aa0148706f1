"""Master data: the demo customer list against AFAS; new and changed customers sent to AFAS."""

from __future__ import annotations

import pytest

from afas.emulator.demo import master_export
from tests.pages.test_reconcile_page import synced
from tests.pages.test_workflow_pages import frame


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


@pytest.fixture
def demo_customers(tmp_path, monkeypatch, fresh_demo):
    """The demo customer list cut from the (small) demo environment these tests run."""
    from afas.ui.connection import demo_server

    path = tmp_path / "demo_customers.csv"
    path.write_bytes(master_export.render_csv(master_export.demo_customer_rows(demo_server().emulator)))
    monkeypatch.setattr(master_export, "DEMO_CUSTOMERS", path)
    return path


def test_customers_compared_and_the_differences_sent(demo_customers):
    from afas.ui.connection import demo_server

    at = synced(all_connectors=True)
    at.switch_page("views/masterdata.py").run()
    assert not at.exception, at.exception
    at.toggle(key="md_demo").set_value(True).run()
    assert at.selectbox(key="md_map_customers_DebtorId").value == "Klantnummer"
    assert at.selectbox(key="md_map_customers_Email").value == "E-mail"
    at.button(key="md_compare").click().run()
    assert not at.exception, at.exception
    counts = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert (counts["Only in AFAS"], counts["Only in the file"], counts["Differing"]) == (2, 3, 4)
    diffs = frame(at, "In the file")
    assert set(diffs["Field"]) == {"Work e-mail (Email)", "IBAN number (IBAN)", "Payment condition (PayCon)"}
    items = frame(at, "AFAS would say")
    assert list(items["What"]).count("new relation") == 3 and set(items["AFAS would say"]) == {"ready"}
    assert list(counts) == ["Matched", "Only in AFAS", "Only in the file", "Differing"]  # the catalogue's
    assert {df.proto.placeholder for df in at.dataframe} == {""}  # a value one side lacks shows empty
    assert all(df.proto.HasField("placeholder") for df in at.dataframe)

    at.button(key="md_approve").click().run()
    at.text_input(key="md_approver").input("Piet Jansen").run()
    at.button(key="md_approve_confirm").click().run()
    at.button(key="md_send").click().run()
    assert not at.exception, at.exception
    assert "7 of 7 corrections are in AFAS." in [s.value for s in at.success]
    store = demo_server().emulator.store.cursor()
    names = {n for (n,) in store.execute("SELECT p.name FROM debtor d JOIN party p USING (bc_co)").fetchall()}
    assert {"Bakkerij Zonneveld B.V.", "Jan de Boer"} <= names
    changed = store.execute(
        "SELECT count(*) FROM debtor d JOIN party p USING (bc_co) WHERE p.email LIKE 'facturen@%'"
    ).fetchall()[0][0]
    assert changed == 2


def test_a_bank_statement_is_refused_in_words_and_the_page_stops(monkeypatch):
    from tests.pages.test_upload_text_is_plain import Upload

    mt940 = (
        b":20:STMT\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C260101EUR1000,00\r\n"
        b":61:2601020102C100,00NTRFNONREF\r\n:86:Payment\r\n:62F:C260102EUR1100,00\r\n-"
    )
    monkeypatch.setattr(master_export, "DEMO_CUSTOMERS", Upload("statement.sta", mt940))
    at = synced(all_connectors=True)
    at.switch_page("views/masterdata.py").run()
    at.toggle(key="md_demo").set_value(True).run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert "is a bank statement; master data comes as a list of relations or codes" in error
    assert not at.dataframe and not at.button  # nothing to compare: the page stopped there
