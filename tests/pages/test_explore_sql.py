"""The Explore page's SQL tab under its limits: what the user reads, and that a query stops with its page."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest, app_test

from tests.conftest import synced_demo

ROOT = Path(__file__).resolve().parents[2]
RUNAWAY = "SELECT count(*) FROM range(1e12::BIGINT)"  # hours of work without the limit
WAIT_S = 60.0  # the most a test waits for something that happens in well under a second


@pytest.fixture(scope="module")
def synced_file(tmp_path_factory) -> Path:
    """A warehouse synced once for the module; each test works on its own copy."""
    return synced_demo(tmp_path_factory.mktemp("explore-sql") / "demo.duckdb")


@pytest.fixture
def explore(tmp_path, monkeypatch, synced_file) -> AppTest:
    """The Explore page on the demo connection, over a warehouse synced beforehand (no Sync page run)."""
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    shutil.copyfile(synced_file, tmp_path / "demo.duckdb")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.button(key="connect_test").click().run()
    at.switch_page("views/explore.py").run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> list[str]:
    """The error boxes' text as the user reads it (the page escapes Markdown with backslashes)."""
    return [e.value.replace("\\", "") for e in at.error]


def _watchdogs() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sqlbox-watchdog")]


def test_a_runaway_query_is_stopped_at_the_time_limit_and_the_tab_says_so(explore, monkeypatch):
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "0.3")
    explore.text_area(key="explore_sql").input(RUNAWAY)
    explore.button(key="explore_sql_run").click().run()
    assert not explore.exception, explore.exception
    (shown,) = _shown(explore)
    assert shown.startswith("The query ran longer than 0.3 s and was stopped.")
    assert "Add a WHERE or a LIMIT" in shown
    explore.text_area(key="explore_sql").input('SELECT count(*) AS n FROM "Profit_Accounts"')
    explore.button(key="explore_sql_run").click().run()  # the tab works on after a stop
    assert not _shown(explore) and any("n" in df.value.columns for df in explore.dataframe)


@pytest.mark.parametrize("leaves", ["tab closed", "run again"])
def test_a_running_query_stops_when_its_session_moves_on(explore, monkeypatch, leaves):
    """Streamlit only tells a script at its next st.* call; the page's check makes the watchdog notice."""
    monkeypatch.setenv("AFAS_SQL_TIMEOUT_S", "3600")  # only the session's going can stop it in time
    runners: list[app_test.LocalScriptRunner] = []

    class Recorded(app_test.LocalScriptRunner):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            runners.append(self)

    monkeypatch.setattr(app_test, "LocalScriptRunner", Recorded)
    explore.text_area(key="explore_sql").input(RUNAWAY)
    explore.button(key="explore_sql_run").click()
    page = threading.Thread(target=explore.run, name="apptest-page")
    page.start()
    deadline = time.monotonic() + WAIT_S
    while not _watchdogs() and time.monotonic() < deadline:  # the query is running once its watchdog is
        time.sleep(0.01)
    assert _watchdogs() and runners, "the query never started"
    if leaves == "tab closed":
        runners[-1].request_stop()  # what Streamlit does when the browser tab's connection goes
    else:
        runners[-1].request_rerun(RerunData())  # what Streamlit does when Run is pressed again
    gone_at = time.monotonic()
    page.join(WAIT_S)
    assert not page.is_alive() and time.monotonic() - gone_at < 10  # not the hour's limit
    assert _watchdogs() == []


def test_a_tab_whose_connector_is_not_synced_says_which_and_the_others_show(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    synced_demo(tmp_path / "demo.duckdb", ["Profit_Transactions", "Profit_Accounts", "Profit_Debtor"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.button(key="connect_test").click().run()
    at.switch_page("views/explore.py").run()
    assert not at.exception, at.exception
    shown = [i.value.replace("\\", "") for i in at.info]
    assert "Sync Profit_Debtor_Invoices first (Sync page), then this view fills in." in shown
    assert "Sync Profit_Creditor_Invoices first (Sync page), then this view fills in." in shown
    assert "Sync Recon_AllocationCodes first (Sync page), then this view fills in." in shown
    assert not at.error
    grids = {df.key.split(":")[0]: df for df in at.dataframe if df.key}
    assert "explore_tb" in grids and "explore_debtor_items" not in grids
    assert all(df.proto.placeholder == "" and df.proto.HasField("placeholder") for df in at.dataframe)


def test_before_the_journal_lines_are_synced_the_page_points_to_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.button(key="connect_test").click().run()
    at.switch_page("views/explore.py").run()
    assert not at.exception, at.exception
    assert [i.value.replace("\\", "") for i in at.info] == [
        "Sync Profit_Transactions first (Sync page), then this view fills in."
    ]
    assert not at.dataframe and not at.tabs
