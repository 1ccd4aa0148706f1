"""The Explore page, its SQL box and the warehouse's, the token's and the environment's messages in Dutch
(and the same views in English where the English must stay as it was)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from afas.errors import AppError
from afas.i18n import Language, using
from afas.profit.environment import Environment, EnvironmentInputError
from afas.profit.token import ProfitToken, TokenFormatError
from afas.ui.errors import show_error
from afas.warehouse import explore
from afas.warehouse.db import _held_by, connection
from afas.warehouse.profiles import ConnectionProfile
from afas.warehouse.runs import shown_status, start_run
from afas.warehouse.sqlbox import QueryRefused, run_readonly
from tests.conftest import synced_demo
from tests.dutch import synced

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A demo warehouse synced once for the module (read only by the tests)."""
    return synced_demo(tmp_path_factory.mktemp("i18n-explore") / "demo.duckdb")


def test_the_explore_page_in_dutch(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    at = synced("nl", "views/explore.py")
    assert at.title[0].value == "De boekhouding verkennen"
    assert [t.label for t in at.tabs] == [
        "Proefbalans",
        "Debiteuren & crediteuren",
        "Verbijzonderingen",
        "Perioden",
        "SQL",
    ]
    assert at.selectbox(key="explore_unit").label == "Administratie"
    assert at.selectbox(key="explore_year").label == "Boekjaar"

    debit, credit, difference = at.metric
    assert (debit.label, credit.label, difference.label) == ("Debet", "Credit", "Verschil")
    assert difference.value == f"€{NBSP}0,00"
    assert debit.value == credit.value and debit.value.startswith(f"€{NBSP}") and "," in debit.value
    assert debit.value[-3] == ","  # the cents after a comma, thousands (if any) with dots

    tb = at.dataframe[0].value
    assert list(tb.columns) == [
        "Rekening", "Omschrijving", "Debet", "Credit", "Mutatie", "Saldo t/m periode", "Regels"
    ]  # fmt: skip
    assert len(tb) > 10 and tb["Regels"].sum() > 0
    # the grid writes its amounts in Dutch whatever the browser's locale: the display values sent
    shown = pa.ipc.open_stream(at.dataframe[0].proto.arrow_data.styler.display_values).read_all()
    debits = [v for v in shown.column("Debet").to_pylist() if v]
    assert debits and all(re.fullmatch(rf"-?€{NBSP}-?\d{{1,3}}(\.\d{{3}})*,\d\d", v) for v in debits), debits[
        :3
    ]
    assert "Selecteer een rekening" in " ".join(c.value for c in at.caption)

    items = next(df.value for df in at.dataframe if "Dagen vervallen" in df.value.columns)
    assert {"Nummer", "Naam", "Factuur", "Vervaldatum", "Factuurbedrag", "Openstaand"} <= set(items.columns)
    assert any("openstaande post" in c.value and f"€{NBSP}" in c.value for c in at.caption)
    periods = next(df.value for df in at.dataframe if "Tot en met" in df.value.columns)
    assert set(periods["Status"]) <= {"open", "geblokkeerd"} and len(periods) > 0

    run = at.button(key="explore_sql_run")
    assert run.label == "Uitvoeren" and at.text_area(key="explore_sql").label == "Query"
    at.text_area(key="explore_sql").input('DELETE FROM "Profit_Accounts"')
    run.click().run()
    assert not at.exception, at.exception
    (refused,) = [e.value.replace("\\", "") for e in at.error]
    assert refused == (
        "Hier worden alleen SELECT-query's uitgevoerd (DELETE zou iets wijzigen of buiten het "
        "databasebestand komen)."
    )
    at.text_area(key="explore_sql").input('SELECT count(*) AS n FROM "Profit_Accounts"')
    at.button(key="explore_sql_run").click().run()
    assert not at.error and any(c.value.startswith("1 rij in ") for c in at.caption)


@pytest.mark.parametrize(
    ("language", "headers", "title"),
    [
        (
            "nl",
            ["Rekening", "Omschrijving", "Debet", "Credit", "Mutatie", "Saldo t/m periode", "Regels"],
            "Rekening",
        ),
        (
            "en",
            ["Account", "Description", "Debit", "Credit", "Net", "Balance year to date", "Lines"],
            "Account",
        ),
    ],
)
def test_the_views_headers_and_summaries_follow_the_language(warehouse, language, headers, title):
    with using(Language(language)), connection(warehouse) as con:
        (unit,) = [u for u, _ in explore.administrations(con)][:1]
        year = explore.years(con, unit)[0]
        tb = explore.trial_balance(con, unit, year)
        assert tb.column_names == headers
        debit, credit, difference = explore.totals(tb)
        assert debit == credit > 0 and difference == Decimal(0)
        assert explore.account_title(tb, 0)[1].startswith(f"{title} ")
        assert explore.largest_movements(tb, 3)[0].keys() == {"Account", "Net"}  # the chart's keys
        usage = explore.allocation_usage(con, unit, 1)
        assert all(r["Lines"] > 0 for r in explore.used_codes(usage))
        items = explore.open_items(con, "debtor", unit)
        assert explore.open_total(items) == sum(r[explore.header("Open")] for r in items.to_pylist())
        assert explore.header("Open") == {"nl": "Openstaand", "en": "Open"}[language]


def test_a_view_not_synced_yet_says_which_connector_to_sync_in_dutch(tmp_path):
    with (
        using(Language.NL),
        connection(tmp_path / "empty.duckdb") as con,
        pytest.raises(explore.NotSynced) as caught,
    ):
        explore.years(con, 1)
    assert str(caught.value) == (
        "Haal eerst Profit_Transactions op (pagina Ophalen); daarna wordt dit overzicht gevuld."
    )


def test_an_interrupted_run_reads_in_dutch(tmp_path):
    db = tmp_path / "w.duckdb"
    with connection(db) as con:
        start_run(con, "Profit_Accounts", "demo", 1)
        with using(Language.NL):
            _, _, error = shown_status(False)
        (shown,) = con.execute(f"SELECT {error} FROM sync_runs").fetchone()
    assert shown.startswith("Het ophalen is gestopt voordat het klaar was")


def test_the_sql_box_refuses_in_dutch(warehouse):
    with using(Language.NL):
        with pytest.raises(QueryRefused, match="^Voer één query tegelijk uit"):
            run_readonly(warehouse, "SELECT 1; SELECT 2")
        with pytest.raises(QueryRefused, match="^Typ een query"):
            run_readonly(warehouse, "  ")
        with pytest.raises(QueryRefused, match="^Er is nog geen databasebestand"):
            run_readonly(warehouse.with_name("none.duckdb"), "SELECT 1")


def test_the_sql_box_limits_read_in_dutch(warehouse, monkeypatch):
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "0,5")  # a Dutch decimal comma is not a number here
    with using(Language.NL), pytest.raises(AppError) as caught:
        run_readonly(warehouse, "SELECT 1")
    assert str(caught.value) == "AFAS_SQL_TIMEOUT_S is '0,5'; dat is geen getal van minstens 0,01."
    assert caught.value.hint == (
        "Zet AFAS_SQL_TIMEOUT_S op zo'n getal, of verwijder de instelling voor de standaardwaarde (5)."
    )


def test_a_token_error_in_dutch_and_in_english():
    with using(Language.NL), pytest.raises(TokenFormatError) as caught:
        ProfitToken.parse("   ")
    assert str(caught.value).startswith("Geen token opgegeven: plak de datastring van het token")
    with (
        using(Language.NL),
        pytest.raises(TokenFormatError, match="^De XML van het token heeft een andere versie"),
    ):
        ProfitToken.parse("<token><version>2</version><data>" + "a" * 64 + "</data></token>")
    with pytest.raises(TokenFormatError, match="^No token given: paste the token's data string"):
        ProfitToken.parse("")


def test_the_environment_says_how_it_read_the_input_in_dutch():
    with using(Language.NL):
        env = Environment.from_input("T36480AA", "accept")
        with pytest.raises(EnvironmentInputError, match="^Vul het omgevingsnummer in"):
            Environment.from_input("36", "production")
        with pytest.raises(
            EnvironmentInputError, match="^De basis-URL gebruikt gewoon http naar example.com"
        ):
            Environment.from_base_url("http://example.com/ProfitRestServices")
    assert env.notice == (
        "U hebt de omgevingscode T36480AA ingevuld; omgevingsnummer 36480 (test) wordt gebruikt. "
        "De letter T van de code betekent test; die soort is gebruikt in plaats van de gekozen soort "
        "acceptatie."
    )


def test_a_profile_without_a_name_and_a_bug_are_said_in_dutch():
    with using(Language.NL):
        with pytest.raises(AppError, match="^Een profiel heeft een naam nodig"):
            ConnectionProfile(name=" ", base_url="https://example.com")
        shown: list[str] = []
        show_error(RuntimeError("boom"), shown.append)
    assert shown[0].startswith("Er ging iets mis in het dashboard (RuntimeError).")
    assert "boom" not in shown[0]


def test_who_holds_the_warehouse_is_said_in_dutch():
    with using(Language.NL):
        assert _held_by("Conflicting lock is held in /usr/bin/dbeaver (PID 12)") == "dbeaver (proces 12)"
        assert _held_by("already attached") == "een query in het SQL-vak van dit dashboard"
