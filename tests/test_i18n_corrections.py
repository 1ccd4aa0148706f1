"""Master data, Corrections, the outbox with its approval, and the Audit log in Dutch: what a Dutch
user reads there (titles, buttons, prompts, states, headers, amounts and counts in Dutch formats), and
the refusals and validation messages of afas.access and afas.corrections in Dutch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from afas.access import AccessConfig, NotAllowed, Right, Role, User
from afas.corrections.batch_view import batch_text, refusal
from afas.corrections.batches import Batch, BatchState
from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.outbox import NotValid, Outbox
from afas.corrections.plans import EntryLine, JournalEntryItem
from afas.corrections.tables import outbox_table
from afas.corrections.validation import validate
from afas.emulator.demo import ledger_export, master_export
from afas.i18n import Language, using
from afas.recon.forms import LedgerSource
from tests.corrections import DEFAULTS, warehouse
from tests.dutch import synced

D = Decimal
NBSP = "\u00a0"
ISSUER = "https://login.example"
ANNA = User("anna-1", "anna@example.nl", "Anna de Vries", ISSUER, frozenset({Role.PREPARER, Role.APPROVER}))
DAVE = User("dave-4", "dave@example.nl", "Dave", ISSUER, frozenset({Role.VIEWER}))


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


@pytest.fixture
def demo_files(tmp_path, monkeypatch, fresh_demo):
    """The demo customer list and ledger cut from the (small) demo environment these tests run."""
    from afas.ui.connection import demo_server

    emulator = demo_server().emulator
    customers, ledger = tmp_path / "demo_customers.csv", tmp_path / "demo_ledger.csv"
    customers.write_bytes(master_export.render_csv(master_export.demo_customer_rows(emulator)))
    ledger.write_bytes(ledger_export.render_csv(ledger_export.demo_ledger_rows(emulator)))
    monkeypatch.setattr(master_export, "DEMO_CUSTOMERS", customers)
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", ledger)


def _press(at: AppTest, key: str) -> AppTest:
    """Click the button ``key``, or the submit button of form ``key`` (its key holds its label)."""
    (button, *_) = [b for b in at.button if b.key == key or (b.key or "").startswith(f"FormSubmitter:{key}-")]
    button.click().run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(
        f"no table with a {column!r} column: {[list(df.value.columns) for df in at.dataframe]}"
    )


def _texts(elements) -> list[str]:  # noqa: ANN001 - AppTest's element lists
    return [e.value for e in elements]


def test_master_data_compared_approved_sent_and_audited_in_dutch(demo_files):
    # AppTest calls a widget's format_func in the test's thread: it speaks Dutch there too
    with using(Language.NL):
        at = synced("nl", "views/masterdata.py")
        assert at.title[0].value == "Stamgegevens"
        at.toggle(key="md_demo").set_value(True).run()
        assert at.toggle(key="md_demo").label == "De demolijst met debiteuren gebruiken"
        assert any(" regels, kolommen " in c for c in _texts(at.caption))
        assert at.button(key="md_compare").label == "Vergelijken met AFAS"
        _press(at, "md_compare")
        counts = {m.label: m.value for m in at.metric}
        assert counts["Alleen in het bestand"] == "3" and counts["Alleen in AFAS"] == "2"
        assert "Velden die verschillen" in _texts(at.subheader)
        differing = _table(at, "In het bestand")
        assert list(differing.columns) == ["Nummer debiteur", "Veld", "In AFAS", "In het bestand"]
        # AFAS's own Dutch labels (metainfo, asked in Dutch), as Profit's screens name the fields
        assert set(differing["Veld"]) == {
            "E-mail werk (Email)",
            "IBAN-nummer (IBAN)",
            "Betalingsvoorwaarde (PayCon)",
        }
        assert at.selectbox(key="md_map_customers_DebtorId").label == "Nummer debiteur (DebtorId, sleutel)"
        assert "Correcties" in _texts(at.header)

        assert at.button(key="md_approve").label == "7 correcties goedkeuren…"
        _press(at, "md_approve")
        prompt = " ".join(_texts(at.markdown))
        assert "**7** wijzigingen in de stamgegevens goedkeuren voor AFAS?" in prompt
        assert "Ze worden pas verzonden als u op **Naar AFAS verzenden** drukt." in prompt
        at.text_input(key="md_approver").input("Piet Jansen").run()
        assert at.button(key="md_approve_confirm").label == "Goedkeuren"
        _press(at, "md_approve_confirm")
        assert "7 correcties goedgekeurd. Verzend ze hieronder naar AFAS." in _texts(at.success)
        assert "Verzendlijst" in _texts(at.header)
        outbox = _table(at, "Goedgekeurd door")
        assert list(outbox.columns) == [
            "Nr.", "Status", "Kenmerk", "Omschrijving", "Goedgekeurd door", "AFAS-sleutels", "Melding"
        ]  # fmt: skip
        assert set(outbox["Status"]) == {"goedgekeurd, niet verzonden"}
        assert at.button(key="md_send").label == "7 naar AFAS verzenden"

        _press(at, "md_send")
        assert "7 van 7 correcties staan in AFAS." in _texts(at.success)
        sent = _table(at, "Melding van AFAS")
        assert list(sent.columns) == ["Kenmerk", "Resultaat", "AFAS-sleutels", "Melding van AFAS"]
        assert set(sent["Resultaat"]) == {"in AFAS"}

        at.switch_page("views/audit.py").run()
        assert not at.exception, at.exception
        assert at.title[0].value == "Logboek"
        assert at.multiselect(key="audit_events").label == "Gebeurtenissen"
        log = _table(at, "Gebeurtenis")
        assert list(log.columns) == [
            "Wanneer", "Nr.", "Gebeurtenis", "Kenmerk", "Verzoek", "Status", "AFAS-sleutels", "Melding",
            "Wie", "Goedgekeurd door", "Goedgekeurd op",
        ]  # fmt: skip
        assert {"goedgekeurd", "naar AFAS verzonden", "in AFAS"} <= set(log["Gebeurtenis"])
        assert at.get("download_button")[0].proto.label == "JSONL downloaden"


def test_corrections_proposed_and_the_approval_prompt_in_dutch(demo_files):
    # AppTest calls a widget's format_func in the test's thread: it speaks Dutch there too
    with using(Language.NL):
        at = synced("nl", "views/corrections.py")
        assert at.title[0].value == "Correcties"
        assert any("Sluit eerst een grootboek aan" in i for i in _texts(at.info))
        at.switch_page("views/reconcile.py").run()
        at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
        _press(at, "recon_import_form")
        at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        _press(at, "recon_match_form")
        at.switch_page("views/corrections.py").run()
        assert not at.exception, at.exception
        assert at.selectbox(key="corr_journal").label == "Dagboek"
        assert " grootboek #" in at.selectbox(key="corr_run").format_func(at.selectbox(key="corr_run").value)
        assert "Voorgestelde correcties" in _texts(at.header)
        assert "**9** klaar om goed te keuren" in _texts(at.markdown)
        amounts = _table(at, "mode")["amount"]
        assert any(a.count(",") == 1 and a.split(",")[1].isdigit() for a in amounts)  # 1.234,50: Dutch
        assert at.button(key="corr_approve").label == "9 correcties goedkeuren…"
        _press(at, "corr_approve")
        prompt = " ".join(_texts(at.markdown))
        assert "**9** journaalposten (totaal debet €" + NBSP in prompt
        assert "goedkeuren voor administratie 1, dagboek 80?" in prompt
        at.text_input(key="corr_approver").input("Anna de Vries").run()
        _press(at, "corr_approve_confirm")
        assert "9 correcties goedgekeurd. Verzend ze hieronder naar AFAS." in _texts(at.success)
        assert set(_table(at, "Goedgekeurd door")["Status"]) == {"goedgekeurd, niet verzonden"}
        caption = " ".join(_texts(at.caption))
        assert "9 verschillen van deze aansluiting staan al in de verzendlijst (zie hieronder)" in caption


def test_validation_says_what_afas_would_say_in_dutch(tmp_path):
    import duckdb

    con = duckdb.connect(str(warehouse(tmp_path)))
    day = dt.date(2025, 11, 3)
    unbalanced = JournalEntryItem(
        1, 2025, 11, "80", day, "test",
        (EntryLine("4600", debit=D("1234.50")), EntryLine("1800", credit=D("10.00"))), voucher_no="KC-1",
    )  # fmt: skip
    unknown = JournalEntryItem(
        1, 2025, 11, "80", day, "test",
        (EntryLine("4601", debit=D("10.00")), EntryLine("1800", credit=D("10.00"))), voucher_no="KC-2",
    )  # fmt: skip
    with using(Language.NL):
        checks = validate(con, [unbalanced, unknown])
        with pytest.raises(NotValid) as refused:
            Outbox(con).approve(unknown, approver="Anna")
    assert checks[0].messages == ["De boeking is niet in balans. Debet 1234,50, credit 10,00."]
    assert checks[1].messages == ["De ingevoerde waarde voor 'Rekeningnummer' bestaat niet."]
    assert refused.value.messages == checks[1].messages
    with using(Language.EN):  # English as it was
        assert validate(con, [unknown])[0].messages == [
            "The entered value for 'Account Number' does not exist."
        ]
    con.close()


def test_a_correction_that_cannot_be_made_says_why_in_dutch():
    with using(Language.NL), pytest.raises(ValueError, match="^een bedrag van nul hoeft niet"):
        entry_for_ledger_line(
            DEFAULTS, entry_date=dt.date(2025, 11, 3), account="8000", amount=D("0"), description="x"
        )


def test_access_refuses_in_dutch():
    with using(Language.NL):
        reason = DAVE.why_not(Right.APPROVE)
        with pytest.raises(NotAllowed) as refused:
            DAVE.require(Right.APPROVE)
        with pytest.raises(NotAllowed) as local:
            from afas.corrections.batches import propose

            propose(None, [], by=User.local("Piet"), config=AccessConfig(), description="x")  # type: ignore[arg-type]
    assert reason == (
        "Voor correcties goedkeuren en verzenden, de afsluiting beoordelen is de rol fiatteur nodig; "
        "Dave is kijker."
    )
    assert refused.value.message == reason
    assert (
        refused.value.hint
        == "Vraag uw beheerder dave@example.nl de rol fiatteur te geven ([roles] in secrets.toml)."
    )
    assert (
        local.value.message
        == "Zonder aanmelding kan niemand anders een batch goedkeuren: keur hem zelf goed."
    )
    with using(Language.EN):
        assert DAVE.why_not(Right.APPROVE) == (
            "Approving and sending corrections, reviewing the close needs the approver role; Dave is viewer."
        )


def test_a_waiting_batch_and_the_outbox_states_read_in_dutch():
    at = dt.datetime(2026, 10, 5, 9, 30)
    batch = Batch(7, "Bankkosten september", D("12500.00"), 2, BatchState.WAITING, ANNA, at, (), 3)
    with using(Language.NL):
        text = batch_text(batch)
        own = refusal(batch, ANNA)
        done = refusal(Batch(8, "x", None, 1, BatchState.DECLINED, ANNA, at, (), 1), DAVE)
    assert text == (
        f"Batch 7: Bankkosten september — 3 correcties voor €{NBSP}12.500,00, voorbereid door Anna de Vries "
        "<anna@example.nl> op 05-10-2026 09:30 (UTC). 0 van 2 goedkeuringen; boven de drempel van het "
        "vier-ogenprincipe keuren twee anderen goed."
    )
    assert own == "U hebt deze batch voorbereid, dus een andere fiatteur keurt hem goed (vier-ogenprincipe)."
    assert done == "Batch 8 is al afgewezen."


def test_the_outbox_table_speaks_dutch_states(tmp_path):
    import duckdb

    con = duckdb.connect(str(warehouse(tmp_path)))
    box = Outbox(con, namespace="T")
    item = entry_for_ledger_line(
        DEFAULTS, entry_date=dt.date(2025, 11, 3), account="8000", amount=D("-5"), description="x",
        allocation="WEST",
    )  # fmt: skip
    row = box.approve(item, approver="Anna")
    with using(Language.NL):
        table = outbox_table(box.items(), {})
        held = outbox_table(box.items(), {row.item_id: "door proces 1 op pc sinds 10:30:00"})
    assert list(table["Status"]) == ["goedgekeurd, niet verzonden"]
    assert list(held["Status"]) == ["wordt verzonden door een andere sessie"]
    con.close()
