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
