"""Configure, Sync and Explore driven as a finance user drives them, on the demo environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def frame(at: AppTest, column: str):
    """The first table on the page that has this column (st.dataframe without selection has no key)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a {column!r} column on the page")


def connected() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.button(key="connect_test").click().run()
    assert at.success and at.success[0].value.startswith("Ready"), at.error
    return at


def configured(admin: str = "1") -> AppTest:
    at = connected()
    at.switch_page("views/configure.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="configure_admin").set_value(admin)
    at.selectbox(key="configure_terms").set_value("14")
    at.selectbox(key="configure_axis").set_value("2")
    at.button(key="configure_save").click().run()
    assert not at.exception, at.exception
    return at


def test_pages_without_a_connection_point_to_connect():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    for page in ("views/configure.py", "views/sync.py", "views/explore.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert [i.value for i in at.info] == [
            "Connect to an AFAS environment first (or use the demo environment)."
        ]


def test_configure_offers_what_afas_returned_and_confirms_the_choice():
    at = configured(admin="2")
    assert at.selectbox(key="configure_admin").options == [
        "1 – Demo Groothandel B.V.",
        "2 – Demo Diensten B.V.",
    ]
    assert "14 – 14 dagen" in at.selectbox(key="configure_terms").options
    (message,) = [s.value for s in at.success if s.value.startswith("Saved")]
    assert "administration 2 – Demo Diensten B.V." in message
    assert "payment terms 14 – 14 dagen" in message and "allocation axis 2 – Kostendrager" in message
    at.switch_page("views/configure.py").run()  # the saved profile is offered and preselected
    assert at.selectbox(key="configure_switch").value.startswith("Demo environment")
    assert at.selectbox(key="configure_admin").value == "2"


def test_a_profile_without_a_name_is_refused_in_words_and_the_form_stays():
    at = connected()
    at.switch_page("views/configure.py").run()
    at.text_input(key="configure_name").input("   ")
    at.button(key="configure_save").click().run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("A profile needs a name") and "Something went wrong" not in error
    assert not at.success and "profile" not in at.session_state
    assert at.selectbox(key="configure_admin").value == "1"  # the form is still there to correct


def test_sync_page_grids_show_a_missing_value_as_an_empty_cell():
    at = connected()
    at.switch_page("views/sync.py").run()
    assert not at.exception, at.exception
    status = frame(at, "Rows held")
    assert status["Rows held"].isna().all() and status["Last run"].isna().all()  # nothing synced yet
    assert len(at.dataframe) == 2 and all(df.proto.HasField("placeholder") for df in at.dataframe)
    assert {df.proto.placeholder for df in at.dataframe} == {""}  # shown empty, not "None"


def test_sync_then_explore_shows_a_balanced_trial_balance_and_answers_sql():
    at = configured(admin="1")
    at.switch_page("views/sync.py").run()
    assert "administration 1" in at.caption[0].value
    at.button(key="sync_now").click().run()
    assert not at.exception, at.exception
    assert at.success and at.success[0].value.startswith("Synced 18 connectors")
    status = frame(at, "Rows held")
    assert set(status["Last run"]) == {"ok"} and (status["Rows held"] > 0).sum() >= 15
    assert len(frame(at, "Run")) == 18

    at.switch_page("views/explore.py").run()
    assert not at.exception, at.exception
    debit, credit, difference = (m.value for m in at.metric)
    assert debit == credit and difference == "€0.00" and debit != "€0.00"
    tb = frame(at, "Balance year to date")
    assert len(tb) > 10 and tb["Lines"].sum() > 0
    assert len(frame(at, "Days overdue")) > 0

    at.text_area(key="explore_sql").input('SELECT count(*) AS n FROM "Profit_Accounts"')
    at.button(key="explore_sql_run").click().run()
    assert int(frame(at, "n")["n"][0]) > 10
    at.text_area(key="explore_sql").input('DELETE FROM "Profit_Accounts"')
    at.button(key="explore_sql_run").click().run()
    assert any("Only SELECT" in e.value for e in at.error)


def test_a_failing_connector_is_reported_and_the_rest_kept():
    from afas.ui.connection import demo_server

    at = connected()
    at.switch_page("views/sync.py").run()
    at.multiselect(key="sync_connectors").set_value(["Profit_Accounts", "Profit_Debtor"])
    demo_server().emulator.add_fault("error500", connector="Profit_Debtor", times=None)
    try:
        at.button(key="sync_now").click().run()
    finally:
        demo_server().emulator.faults.clear()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Profit_Debtor failed:") and "previous data is unchanged" in error
    status = frame(at, "Rows held").set_index("Connector")
    assert (
        status.loc["Profit_Accounts", "Last run"] == "ok"
        and status.loc["Profit_Debtor", "Last run"] == "failed"
    )


def test_a_sync_killed_elsewhere_shows_as_interrupted_not_running(tmp_path):
    import datetime as dt

    from afas.ui.warehouse import warehouse_path
    from afas.warehouse.db import connection

    at = connected()
    db = warehouse_path(at.session_state["connection"])
    with connection(db) as con:  # what a killed `python -m afas sync` leaves behind
        con.execute(
            "INSERT INTO sync_runs (run_id, connector, started, status) "
            "VALUES (1, 'Profit_Debtor', ?, 'running')",
            [dt.datetime(2026, 11, 25, 9, 0)],
        )
    at.switch_page("views/sync.py").run()
    assert not at.exception, at.exception
    history = frame(at, "Run")
    assert list(history["Status"]) == ["interrupted"]
    assert "stopped before it finished" in history["Error"][0]
    with connection(db) as con:  # a render writes nothing: the next sync records the run as failed
        assert con.execute("SELECT status FROM sync_runs").fetchall() == [("running",)]


def test_sync_now_while_another_sync_runs_says_so_in_words():
    from afas.ui.warehouse import warehouse_path
    from afas.warehouse.sync import writer_lock

    at = connected()
    at.switch_page("views/sync.py").run()
    db = warehouse_path(at.session_state["connection"])
    with writer_lock(db):  # another session's (or the CLI's) sync holds the file's writer lock
        at.button(key="sync_now").click().run()
    assert not at.exception, at.exception
    assert not at.error
    (warning,) = at.warning
    assert warning.value.startswith(f"A sync of {db.name} is already running (process ")
    assert "Wait for it to finish" in warning.value and "Something went wrong" not in warning.value
