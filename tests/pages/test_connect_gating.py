"""Only a connection AFAS accepted reads the books, and each token user has a warehouse of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from afas.emulator.auth import AppConnector, UserToken
from afas.emulator.server import EmulatorServer
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken
from afas.ui.connection import Connection, check_connection
from afas.ui.warehouse import warehouse_path

ROOT = Path(__file__).resolve().parents[2]
READING_PAGES = [
    "views/sync.py",
    "views/explore.py",
    "views/reconcile.py",
    "views/masterdata.py",
    "views/corrections.py",
    "views/audit.py",
    "views/close.py",
    "views/configure.py",
]


@pytest.fixture
def own_afas(live_server: EmulatorServer, monkeypatch, tmp_path) -> EmulatorServer:
    """The user's own AFAS is the loopback emulator (AFAS_BASE_URL); warehouses in a temp folder."""
    monkeypatch.setenv("AFAS_BASE_URL", live_server.base_url)
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AFAS_TOKEN", raising=False)
    return live_server


def _connect(token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.radio(key="connect_mode").set_value("own").run()
    at.text_input(key="connect_token").input(token)
    at.button(key="connect_test").click().run()
    assert not at.exception, at.exception
    return at


def _says_connect_first(at: AppTest, page: str) -> None:
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
    assert [i.value for i in at.info] == [
        "Connect to an AFAS environment first (or use the demo environment)."
    ]
    assert not at.dataframe and not at.metric, page


def test_a_token_afas_refuses_reads_nothing(own_afas):
    at = _connect("0" * 64)
    assert at.error and at.error[0].value.startswith("Not connected")
    assert "AFAS refused the token (HTTP 401)" in " ".join(m.value for m in at.markdown)
    assert "connection" not in at.session_state
    for page in READING_PAGES:
        _says_connect_first(at, page)


def test_a_failed_second_check_drops_the_connection_that_passed_before(own_afas):
    at = _connect(own_afas.emulator.token_data)
    assert at.success and at.success[0].value.startswith("Ready")
    at.switch_page("views/sync.py").run()
    assert not at.info  # connected: the Sync page shows its tables
    at.switch_page("views/connect.py").run()
    at.text_input(key="connect_token").input("1" * 64)
    at.button(key="connect_test").click().run()
    assert at.error and at.error[0].value.startswith("Not connected")
    for page in READING_PAGES:
        _says_connect_first(at, page)


def test_each_token_user_of_an_environment_has_a_warehouse_of_its_own(own_afas, tmp_path, monkeypatch):
    emulator = own_afas.emulator
    other = emulator.add_token(
        UserToken(
            "B" * 64,
            AppConnector("Reconciliation dashboard (team B)"),
            user="12345.TEAMB",
            group="AuthorizationGroup 102 (12345.TEAMB)",
        )
    )
    env = Environment.from_base_url(own_afas.base_url)

    def path_for(token: str) -> Path:
        accepted, ready = check_connection(Connection("own", env, ProfitToken.parse(token), demo=False))
        assert accepted is not None, ready.problems
        return warehouse_path(accepted)

    first = path_for(emulator.token_data)
    assert path_for(emulator.token_data) == first  # the same token user comes back to the same file
    second = path_for(other.data)
    assert second != first and second.parent == first.parent == tmp_path
    assert emulator.token_data not in second.name and other.data not in second.name  # no token in names
    refused, ready = check_connection(Connection("own", env, ProfitToken.parse("0" * 64), demo=False))
    assert refused is None and not ready.accepted


def test_served_to_the_network_the_configured_token_is_not_used(own_afas, monkeypatch):
    monkeypatch.setenv("AFAS_TOKEN", own_afas.emulator.token_data)
    monkeypatch.setattr("afas.ui.connection.listen_address", lambda: "0.0.0.0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert at.radio(key="connect_mode").value == "own"
    assert any("served to the network" in w.value and "is not used" in w.value for w in at.warning)
    at.button(key="connect_test").click().run()  # the token field left empty
    assert "connection" not in at.session_state
    assert at.error and "token" in at.error[0].value.lower()


def test_on_this_machine_only_the_configured_token_connects_and_says_so(own_afas, monkeypatch):
    monkeypatch.setenv("AFAS_TOKEN", own_afas.emulator.token_data)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert any("listens on this machine only" in c.value for c in at.caption)
    at.button(key="connect_test").click().run()
    assert at.success and at.success[0].value.startswith("Ready")
    assert at.session_state["connection"].identity is not None
