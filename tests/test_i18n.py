"""The interface in Dutch and English: one catalogue, complete; Dutch formats in Dutch."""

from __future__ import annotations

import datetime as dt
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from afas.catalogue import label
from afas.i18n import (
    Language,
    amount,
    current,
    date,
    grid_datetime_format,
    language_for,
    ntr,
    number,
    period,
    ptr,
    tr,
    using,
)
from afas.recon.schema import ResultKind
from tests.dutch import app, connected

ROOT = Path(__file__).resolve().parents[1]


def _messages_tool():
    spec = importlib.util.spec_from_file_location("messages", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_text_the_code_marks_or_labels_has_its_dutch_and_no_other_is_kept():
    tool = _messages_tool()
    assert tool.problems(tool.read_catalogue()) == [], "run python tools/messages.py and translate"


def test_the_check_names_a_text_without_dutch_and_one_no_code_uses(tmp_path, monkeypatch):
    tool = _messages_tool()
    catalog = tool.read_catalogue()
    catalog.add("A text no code has", "Een tekst die geen code heeft")
    catalog.get("Test connection").string = ""
    catalog.get("AFAS environment {number}").string = "AFAS-omgeving {nummer}"
    found = tool.problems(catalog)
    assert "no Dutch for 'Test connection'" in found
    assert "the Dutch of 'AFAS environment {number}' names other {fields} than the English" in found
    assert "in the catalogue but used nowhere: 'A text no code has'" in found


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nl-NL", "nl"),
        ("nl-BE", "nl"),
        ("nl", "nl"),
        ("NL_nl", "nl"),
        ("en-US", "en"),
        ("de-DE", "en"),
        (None, "en"),
    ],
)
def test_a_browser_that_prefers_dutch_gets_dutch(locale, language):
    assert language_for(locale) == language


def test_english_unless_chosen_and_the_choice_ends_with_its_block():
    assert current() is Language.EN and tr("Test connection") == "Test connection"
    with using(Language.NL):
        assert tr("Test connection") == "Verbinding testen"
        assert ptr("navigation", "Check") == "Controleren" and tr("Check") == "Controle"
        assert label(ResultKind.MATCHED) == "Aangesloten"
        assert label(ResultKind.ONLY_IN_LEDGER, "master_data") == "Alleen in het bestand"
        assert tr("a text nobody translated") == "a text nobody translated"
    assert label(ResultKind.MATCHED) == "Matched"


def test_plural_forms_follow_the_count():
    assert ntr("{n} line", "{n} lines", 1) == "{n} line"
    assert ntr("{n} line", "{n} lines", 2) == "{n} lines"


@pytest.mark.parametrize(
    ("language", "money", "negative", "count", "day", "booking_period"),
    [
        ("nl", "€\u00a01.234,56", "€\u00a0-3.093.403,22", "1.234.567", "31-12-2026", "periode 3 van 2026"),
        ("en", "€1,234.56", "-€3,093,403.22", "1,234,567", "31/12/2026", "period 3 of 2026"),
    ],
)
def test_formats_follow_the_language_and_amounts_stay_exact(
    language, money, negative, count, day, booking_period
):
    with using(Language(language)):
        assert amount(Decimal("1234.56")) == money
        assert amount(Decimal("-3093403.22")) == negative
        assert amount(None) == ""
        assert number(1234567) == count
        assert date(dt.date(2026, 12, 31)) == day == date(dt.datetime(2026, 12, 31, 23, 59))
        assert period(2026, 3) == booking_period
        assert grid_datetime_format() == {"nl": "DD-MM-YYYY HH:mm", "en": "D MMM YYYY, HH:mm"}[language]
    with using(Language.NL):  # no float on the way: the last cent of a large amount is kept
        assert amount(Decimal("12345678901234.01")) == "€\u00a012.345.678.901.234,01"  # no break after €
        assert number(Decimal("0.10"), 2) == "0,10"


def test_the_connect_page_in_dutch_and_the_switch_back_to_english():
    at = app("nl")
    assert at.title[0].value == "Verbinden met AFAS Profit"
    assert at.button(key="connect_test").label == "Verbinding testen"
    assert at.radio(key="connect_mode").label == "Omgeving"
    assert "Er verlaat niets deze computer." in at.caption[0].value
    at.selectbox(key="language").set_value(Language.EN).run()
    assert at.title[0].value == "Connect to AFAS Profit"
    assert at.button(key="connect_test").label == "Test connection"


def test_the_switch_offers_each_language_in_its_own_words():
    at = app(None)  # AppTest's browser names no locale: English
    switch = at.selectbox(key="language")
    assert switch.value == Language.EN
    assert switch.options == ["Nederlands", "English"]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nl", "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd"),
        ("en", "GetConnector not supported for this app or the user is not authorized"),
    ],
)
def test_afas_is_asked_in_the_interface_language_and_its_message_shown_as_sent(live_server, language, said):
    from afas.profit.environment import Environment
    from afas.profit.errors import AfasError
    from afas.profit.token import ProfitToken
    from afas.ui.connection import Connection

    env = Environment.from_base_url(live_server.base_url)
    connection = Connection("test", env, ProfitToken.parse(live_server.emulator.token_data), demo=True)
    with using(Language(language)):
        client = connection.client()  # made in the session's language, used from any thread
    with client, pytest.raises(AfasError) as failed:
        client.get_page("Profit_No_Such_Connector", take=1)
    assert said in str(failed.value)


def test_a_dutch_user_reads_the_readiness_check_in_dutch():
    at = connected("nl")
    assert not at.exception
    assert at.success[0].value.startswith("Klaar: Demo-omgeving (ingebouwde AFAS-emulator) — omgeving")
    connectors, admins = (df.value for df in at.dataframe)
    assert list(connectors.columns) == ["", "Soort", "Connector", "Gebruikt voor", "Zo lost u het op"]
    assert set(connectors[""]) == {"aanwezig"}
    assert "journaalpostregels" in set(connectors["Gebruikt voor"])
    assert list(admins.columns) == ["Nummer", "Naam", "Code"]
    assert [s.value for s in at.subheader] == ["Connectoren", "Administraties die dit token mag zien"]


def test_a_dutch_user_configures_the_defaults_in_dutch(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    at = connected("nl", "views/configure.py")
    assert at.title[0].value == "Standaardwaarden instellen"
    assert at.selectbox(key="configure_admin").label == "Administratie"
    assert at.text_input(key="configure_name").value == "Demo-omgeving – administratie 1"
    at.selectbox(key="configure_terms").set_value("14")
    at.button(key="configure_save").click().run()
    assert not at.exception, at.exception
    (saved,) = [s.value for s in at.success if "opgeslagen" in s.value]
    assert saved.startswith(
        "'Demo-omgeving – administratie 1' opgeslagen: administratie 1 – Demo Groothandel"
    )
    assert "betalingsvoorwaarde 14 – 14 dagen" in saved


def test_a_dutch_user_syncs_and_reads_the_tables_in_dutch(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    at = connected("nl", "views/sync.py")
    assert at.title[0].value == "Ophalen uit AFAS"
    at.multiselect(key="sync_connectors").set_value(["Profit_Accounts", "Profit_Debtor"])
    at.button(key="sync_now").click().run()
    assert not at.exception, at.exception
    (done,) = [s.value for s in at.success]
    assert done.startswith("2 connectoren opgehaald: ") and " rijen in " in done
    status, history = (df.value for df in at.dataframe)
    assert list(status.columns)[:4] == ["Connector", "Gebruikt voor", "Rijen aanwezig", "Laatste keer"]
    synced = status.set_index("Connector").loc[["Profit_Accounts", "Profit_Debtor"]]
    assert set(synced["Laatste keer"]) == {"gelukt"} and set(synced["Wijze"]) == {"volledig"}
    assert "debiteuren (klanten)" in set(status["Gebruikt voor"])
    assert {"Nr.", "Begonnen", "Status", "Rijen", "Pagina's"} <= set(history.columns)


def test_a_dutch_and_an_english_session_on_one_warehouse_each_read_their_own_language(tmp_path, monkeypatch):
    """The reads are cached for every session of the process: the cache keeps each language apart."""
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    sessions = {}
    for language in ("nl", "en"):
        sessions[language] = connected(language, "views/sync.py")
    dutch, english = (list(sessions[k].dataframe[0].value.columns)[:3] for k in ("nl", "en"))
    assert dutch == ["Connector", "Gebruikt voor", "Rijen aanwezig"]
    assert english == ["Connector", "Used for", "Rows held"]
    sessions["nl"].run()  # the Dutch session again, after the English one filled the cache
    assert list(sessions["nl"].dataframe[0].value.columns)[:3] == dutch


def test_the_clis_help_speaks_dutch_on_a_dutch_system(monkeypatch, capsys):
    from afas.cli.main import main

    monkeypatch.setenv("AFAS_LANGUAGE", "nl")
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "het DuckDB-bestand (aangemaakt als het ontbreekt)" in said
    assert "journaalpostregels volledig opnieuw ophalen in plaats van alleen de wijzigingen" in said
    # argparse's own words too, and its refusal of a command line
    assert (
        said.startswith("gebruik: python -m afas sync") and " opties: -h, --help deze hulptekst tonen" in said
    )
    assert "usage" not in said and "options" not in said
    with pytest.raises(SystemExit):
        main(["close", "--db", "w.duckdb", "--administration", "een"])
    refused = capsys.readouterr().err.splitlines()[-1]
    assert refused == "python -m afas close: fout: argument --administration: ongeldige waarde (int): 'een'"
    monkeypatch.setenv("AFAS_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        main(["--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "Exit status: 0 done;" in said and said.startswith("usage: python -m afas") and " options:" in said
    with pytest.raises(SystemExit):
        main(["close"])
    assert "error: the following arguments are required: --db" in capsys.readouterr().err


def test_a_run_that_starts_on_a_fresh_thread_still_speaks_the_sessions_language():
    """A dialog's or fragment's rerun does not pass the page's top, where the language is set; on a
    script thread of its own (Streamlit starts one when a rerun interrupts a run) it spoke English to
    a Dutch user: the approval dialog turned English as soon as the approver typed a name."""
    script = """
import threading
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
import afas.ui.language  # the dashboard's switch: registers the session's choice
from afas.i18n import tr
st.session_state["language"] = "nl"
said = []
worker = threading.Thread(target=lambda: said.append(tr("Test connection")))
add_script_run_ctx(worker, get_script_run_ctx())
worker.start()
worker.join()
st.text(said[0])
"""
    at = AppTest.from_string(script).run()
    assert not at.exception, at.exception
    assert at.text[0].value == "Verbinding testen"


def test_charts_write_numbers_and_dates_in_the_users_language():
    """Plotly writes 1,234.5 and Jan 2026 whatever the page speaks: a Dutch chart says 1.234,5 and
    03-2026 (its month names are English only), an English one keeps Plotly's own, thousands grouped."""
    import pandas as pd
    import plotly.express as px

    from afas.ui.charts import localized

    frame = pd.DataFrame({"Periode": [dt.date(2026, 1, 1), dt.date(2026, 3, 1)], "Verschil": [1234.5, -3000]})
    with using(Language.NL):
        dutch = localized(px.bar(frame, x="Periode", y="Verschil")).layout
    with using(Language.EN):
        english = localized(px.bar(frame, x="Periode", y="Verschil")).layout
    assert (dutch.separators, dutch.xaxis.tickformat, dutch.xaxis.hoverformat) == (",.", "%m-%Y", "%d-%m-%Y")
    assert (english.separators, english.xaxis.tickformat) == (".,", "%b %Y")
    assert dutch.yaxis.separatethousands and english.yaxis.separatethousands
    stamps = pd.DataFrame({"Periode": pd.to_datetime(["2026-01-01", "2026-03-01"]), "Verschil": [1.5, 2]})
    with using(Language.NL):  # pandas' datetimes reach the trace as numpy's
        assert localized(px.bar(stamps, x="Periode", y="Verschil")).layout.xaxis.tickformat == "%m-%Y"
    bars = localized(px.bar(pd.DataFrame({"Code": ["CO", "FIN"], "Regels": [3, 1200]}), x="Code", y="Regels"))
    assert bars.layout.xaxis.tickformat is None  # codes are no dates


def test_grid_amounts_are_written_in_the_users_language_and_stay_numbers():
    """Streamlit's grid writes numbers in the browser's locale: a Dutch user with an English browser
    read €1,234.56. The grid's money columns are written by us in the session's language (when the
    grid is sent, after the page left the language's context) and stay DECIMAL, so they sort as
    numbers; a grid too large to style keeps Streamlit's euro format."""
    import pyarrow as pa

    from afas.ui.grid import STYLED_ROWS, localized_grid
    from afas.ui.warehouse import MONEY

    table = pa.table(
        {
            "Rekening": ["1000", "1100"],
            "Saldo": pa.array([Decimal("1234.56"), None], pa.decimal128(18, 2)),
            "Regels": [14136, 3],
        }
    )
    with using(Language.NL):
        styled, config = localized_grid(table, ["Saldo", "Niet aanwezig"], ["Regels"])
    with using(Language.EN):  # Streamlit renders the Styler later, in no language of ours
        text = styled.to_string(delimiter="|")
    assert config == {} and "€\u00a01.234,56" in text and "|14.136" in text and "1,234" not in text
    assert "|1000|" in text  # the account, a text, stays as it is
    assert styled.data["Saldo"].tolist() == [Decimal("1234.56"), None]  # the values themselves
    big = pa.table({"Saldo": pa.array([Decimal(1)] * (STYLED_ROWS + 1), pa.decimal128(18, 2))})
    frame, config = localized_grid(big, ["Saldo"])
    assert config == {"Saldo": MONEY} and len(frame) == STYLED_ROWS + 1
