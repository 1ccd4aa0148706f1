"""Every page in Dutch and in English, driven as a user drives it on the demo environment: connect,
configure, sync, explore, reconcile the demo ledger, its corrections, master data against the demo
customer list, the month-end close and the audit log. Each text the pages show on the way comes from
the catalogue in that language (tests/shown_texts.py): a text that is not marked for translation, or
marked but shown in English to a Dutch user, fails here with the page and the element it is on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from afas.emulator.getconnectors import GET_CONNECTORS
from afas.emulator.labels_nl import DUTCH
from afas.i18n import Language, using
from afas.recon.forms import LedgerSource
from tests.dutch import app
from tests.shown_texts import not_from_catalogue

# what the demo shows that is data, not text of ours: account titles, customer names and the like
DATA = (
    r"\d{4} .+",  # an account with its title, as the subheader of a selected account
    r"Demo .+",  # the demo administrations and profiles
    r"POST \w+ — .+",  # the request a correction sends: the connector, then the entry's own description
)


def _afas_labels(language: str) -> list[str]:
    """AFAS's labels of the customers' fields in ``language``, as metainfo gives them and the
    master-data mapping shows them: data of AFAS's, in that language only."""
    fields = GET_CONNECTORS["Profit_Debtor"].fields
    labels = DUTCH["Profit_Debtor"][1] if language == "nl" else {f.id: f.label for f in fields}
    return [re.escape(text) for f in fields for text in (labels[f.id], f"{labels[f.id]} ({f.id})")]


def _press(at: AppTest, key: str) -> None:
    """Click the button with ``key``, or the submit button of the form named ``key`` (whose key
    Streamlit makes of the form and the button's label, so it differs per language)."""
    buttons = [b for b in at.button if b.key == key or (b.key or "").startswith(f"FormSubmitter:{key}-")]
    assert buttons, f"no button {key!r} on the page"
    buttons[0].click().run()
    assert not at.exception, at.exception


def _journey(at: AppTest):
    """The pages a user passes, each after its main action; yields (what, AppTest) at each stop."""
    yield "connect", at
    _press(at, "connect_test")
    yield "connect, tested", at
    at.switch_page("views/configure.py").run()
    at.selectbox(key="configure_terms").set_value("14")
    at.selectbox(key="configure_axis").set_value("2")
    _press(at, "configure_save")
    yield "configure, saved", at
    at.switch_page("views/sync.py").run()
    _press(at, "sync_now")
    yield "sync, done", at
    at.switch_page("views/explore.py").run()
    yield "explore", at
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    yield "reconcile, demo ledger", at
    _press(at, "recon_import_form")
    at.date_input(key="recon_dates").set_value((dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    _press(at, "recon_match_form")
    yield "reconcile, matched", at
    at.switch_page("views/corrections.py").run()
    yield "corrections", at
    at.switch_page("views/masterdata.py").run()
    at.toggle(key="md_demo").set_value(True).run()
    _press(at, "md_compare")
    yield "master data, compared", at
    at.switch_page("views/close.py").run()
    yield "close", at
    at.switch_page("views/audit.py").run()
    yield "audit", at


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_shows_only_the_catalogues_words_in_the_chosen_language(language, tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    found = {}
    with using(Language(language)):  # AppTest words a chosen option in the test's own language
        for where, at in _journey(app(language)):
            assert not at.exception, (where, at.exception)
            assert not at.error, (where, [e.value for e in at.error])
            if stray := not_from_catalogue(at, language, [*DATA, *_afas_labels(language)]):
                found[where] = stray
    assert found == {}, "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)


def test_the_check_names_a_text_of_no_catalogue_and_passes_the_catalogues_words_and_data():
    script = """
import streamlit as st
from afas.i18n import Language, tr, use, amount
from decimal import Decimal
use(Language.NL)
st.title("Words nobody marked")
st.caption(tr("Test connection") + " · " + tr("Warehouse file: {file}").format(file="x.duckdb"))
st.button(tr("Sync now"), help="An English help text")
st.metric(tr("Amount"), amount(Decimal("1234.5")))
st.dataframe({"Profit_Debtor": [1], "Invoice amount": [2]})
st.subheader("1000 Kas")
"""
    at = AppTest.from_string(script).run()
    assert not at.exception, at.exception
    assert not_from_catalogue(at, "nl", DATA) == [
        "button help: 'An English help text'",
        "dataframe column: 'Invoice amount'",
        "title value: 'Words nobody marked'",
    ]
    assert "title value: 'Words nobody marked'" in not_from_catalogue(at, "en", DATA)
