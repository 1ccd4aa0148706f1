"""The Connect page, driven as a user drives it (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_newcomer_sees_the_demo_choice_and_gets_a_ready_environment():
    at = app()
    assert at.title[0].value == "Connect to AFAS Profit"
    assert at.radio(key="connect_mode").value == "demo"
    at.button(key="connect_test").click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Ready: Demo environment")
    connectors, admins = (df.value for df in at.dataframe)
    assert len(connectors) == 24 and set(connectors["Connector"]) >= {"FiEntries", "Profit_Transactions"}
    assert set(connectors[""]) == {"present"}
    assert list(admins["Number"]) == [1, 2] and "Demo Groothandel B.V." in set(admins["Name"])


def test_own_environment_with_a_bad_token_is_explained_without_echoing_it():
    at = app()
    at.radio(key="connect_mode").set_value("own").run()
    at.text_input(key="connect_env_number").input("O36480AA")
    at.text_input(key="connect_token").input("not a token at all !!")
    at.button(key="connect_test").click().run()
    assert not at.exception
    messages = " ".join(e.value for e in at.error)
    assert "not in a form AFAS issues" in messages
    assert "not a token at all" not in messages
    assert any("36480" in i.value for i in at.info)  # the member code was understood


def test_configured_environment_fills_the_form(monkeypatch):
    monkeypatch.setenv("AFAS_ENVIRONMENT", "36480")
    monkeypatch.setenv("AFAS_ENVIRONMENT_TYPE", "test")
    monkeypatch.setenv("AFAS_TOKEN", "C" * 64)
    at = app()
    assert at.radio(key="connect_mode").value == "own"  # a configured token means the user's own AFAS
    assert at.text_input(key="connect_env_number").value == "36480"
    assert at.selectbox(key="connect_env_type").value == "test"
    assert at.text_input(key="connect_token").value in ("", None)  # the configured token is never shown


def test_the_verdict_says_ready_connected_with_points_or_not_connected():
    from afas.profit.readiness import Readiness
    from afas.ui.connection import readiness_text

    ready = Readiness(ok=True, accepted=True, envid="O36480AA", version="6.1", app_name="Recon")
    assert readiness_text("AFAS environment 36480", ready) == (
        "Ready: AFAS environment 36480 — environment O36480AA, Profit 6.1, App connector 'Recon'."
    )
    partly = Readiness(ok=False, accepted=True, app_name="Recon")
    assert readiness_text("AFAS environment 36480", partly).startswith(
        "Connected to AFAS environment 36480 (App connector 'Recon'), but not everything is set up"
    )
    refused = Readiness(ok=False, accepted=False)
    assert readiness_text("AFAS environment 36480", refused).startswith(
        "Not connected: AFAS environment 36480."
    )


def test_connectors_and_administrations_read_as_rows_without_empty_words():
    from afas.profit.readiness import Administration, ConnectorCheck, Readiness
    from afas.ui.connection import administration_rows, connector_rows

    ready = Readiness(
        connectors=[
            ConnectorCheck("get", "Profit_Debtor", "Profit_Debtor", "customers", True, None),
            ConnectorCheck("update", "KnDimCode", "KnDimCode", "allocation codes", False, "Add it."),
        ],
        administrations=[Administration(1, "Demo Groothandel B.V.", "DG")],
    )
    assert connector_rows(ready) == [
        {
            "": "present",
            "Kind": "GetConnector",
            "Connector": "Profit_Debtor",
            "Used for": "customers",
            "How to fix": "",
        },
        {
            "": "missing",
            "Kind": "UpdateConnector",
            "Connector": "KnDimCode",
            "Used for": "allocation codes",
            "How to fix": "Add it.",
        },
    ]
    assert administration_rows(ready) == [{"Number": 1, "Name": "Demo Groothandel B.V.", "Code": "DG"}]


def test_an_environment_type_afas_does_not_have_reads_as_production(monkeypatch):
    from afas.ui.connection import configured_environment

    monkeypatch.setenv("AFAS_ENVIRONMENT", "36480")
    monkeypatch.setenv("AFAS_ENVIRONMENT_TYPE", "staging")
    assert configured_environment() == ("36480", "production")
    monkeypatch.setenv("AFAS_ENVIRONMENT_TYPE", "accept")
    assert configured_environment() == ("36480", "accept")


def test_the_page_s_grids_show_a_missing_value_as_an_empty_cell():
    at = app()
    at.button(key="connect_test").click().run()
    assert len(at.dataframe) == 2 and {df.proto.placeholder for df in at.dataframe} == {""}
    assert all(df.proto.HasField("placeholder") for df in at.dataframe)
