"""The Explore views and the SQL box over a synced demo warehouse: figures a bookkeeper would check."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from afas.emulator.core import Emulator
from afas.profit.defaults import load_choices
from afas.warehouse import explore
from afas.warehouse.db import connection
from afas.warehouse.sqlbox import EXAMPLE_QUERY, MAX_ROWS, QueryRefused, run_readonly
from afas.warehouse.sync import sync
from tests.conftest import make_client


@pytest.fixture(scope="module")
def demo() -> Emulator:
    return Emulator(seed=7, transactions=600)


@pytest.fixture(scope="module")
def db(demo, tmp_path_factory):
    path = tmp_path_factory.mktemp("explore") / "w.duckdb"
    with make_client(demo) as client:
        assert {r.status for r in sync(path, client)} == {"ok"}
    return path


def _store(emulator: Emulator, sql: str, params: list | None = None) -> list[tuple]:
    return emulator.store.cursor().execute(sql, params or []).fetchall()


def test_trial_balance_adds_up_to_afas_and_drills_down_to_its_lines(db, demo):
    year = _store(demo, "SELECT max(year) FROM entry_line WHERE unit = 1")[0][0]
    with connection(db) as con:
        assert explore.years(con, 1)[0] == year
        tb = explore.trial_balance(con, 1, year, 1, 12).to_pylist()
        expected = dict(
            _store(
                demo,
                "SELECT account_no, sum(amt_debit - amt_credit) FROM entry_line WHERE unit = 1 AND year = ? "
                "GROUP BY 1",
                [year],
            )
        )
        assert {r["Account"]: r["Net"] for r in tb} == expected
        assert sum(r["Net"] for r in tb) == Decimal("0.00")  # every entry balances
        assert all(isinstance(r["Debit"], Decimal | None) for r in tb)
        busiest = max(tb, key=lambda r: r["Lines"])
        assert busiest["Description"]  # the account's name from Profit_Accounts
        lines = explore.account_entries(con, 1, busiest["Account"], year, 1, 12, limit=10_000).to_pylist()
        assert len(lines) == busiest["Lines"]
        assert sum((r["Debit"] or 0) - (r["Credit"] or 0) for r in lines) == busiest["Net"]
        later = explore.trial_balance(con, 1, year, 2, 12).to_pylist()
        assert sum(r["Lines"] for r in later) < sum(r["Lines"] for r in tb)
        chart = explore.balances_over_periods(con, 1, year, [busiest["Account"]]).to_pylist()
        assert chart[-1]["Balance"] == busiest["Balance year to date"]


def test_periods_open_items_and_allocation_usage(db, demo):
    year = _store(demo, "SELECT max(year) FROM entry_line WHERE unit = 1")[0][0]
    with connection(db) as con:
        periods = explore.period_overview(con, 1, year).to_pylist()
        blocked = _store(demo, "SELECT count(*) FROM period WHERE unit = 1 AND year = ? AND blocked", [year])[
            0
        ][0]
        assert sum(p["State"] == "blocked" for p in periods) == blocked
        assert (
            sum(p["Lines"] for p in periods)
            == _store(demo, "SELECT count(*) FROM entry_line WHERE unit = 1 AND year = ?", [year])[0][0]
        )
        debtors = explore.open_items(con, "debtor", 1).to_pylist()
        assert debtors and all(r["Name"] for r in debtors) and all(r["Days overdue"] >= 0 for r in debtors)
        assert explore.open_items(con, "creditor", 1).num_rows > 0
        usage = explore.allocation_usage(con, 1, 1).to_pylist()
        assert usage and sum(r["Lines"] for r in usage) > 0
        with pytest.raises(ValueError, match="kind"):
            explore.open_items(con, "employee", 1)


def test_connector_status_and_history_show_every_connector(db):
    with connection(db) as con:
        status = explore.connector_status(con).to_pylist()
        assert {r["Last run"] for r in status} == {"ok"} and all(r["Rows held"] is not None for r in status)
        assert explore.run_history(con).num_rows == len(status)


def test_views_over_an_empty_warehouse_ask_for_a_sync(tmp_path):
    with connection(tmp_path / "empty.duckdb") as con:
        with pytest.raises(explore.NotSynced, match="Sync Profit_Transactions first"):
            explore.trial_balance(con, 1, 2025)
        status = explore.connector_status(con).to_pylist()
        assert {r["Rows held"] for r in status} == {None} and {r["Last run"] for r in status} == {None}


def test_the_sql_box_reads_and_never_writes(db):
    result = run_readonly(db, 'SELECT "Account", "Description" FROM "Profit_Accounts" ORDER BY 1')
    assert result.table.num_rows > 10 and not result.truncated
    big = run_readonly(db, "SELECT * FROM range(50000)")
    assert big.table.num_rows == MAX_ROWS and big.truncated
    for sql, message in [
        ('DELETE FROM "Profit_Accounts"', "Only SELECT"),
        ('DROP TABLE "Profit_Accounts"', "Only SELECT"),
        ("SELECT 1; SELECT 2", "one query at a time"),
        ("SELECT * FROM read_csv('/etc/passwd')", "disabled"),
        ("SELECT * FROM nothing_here", "does not exist"),
        ("   ", "Type a query"),
    ]:
        with pytest.raises(QueryRefused, match=message):
            run_readonly(db, sql)
    with duckdb.connect(str(db)) as con:
        assert con.execute('SELECT count(*) FROM "Profit_Accounts"').fetchone()[0] > 10


def test_default_choices_come_from_afas_with_fallbacks(demo):
    with make_client(demo) as client:
        choices = load_choices(client)
    assert [c.value for c in choices.administrations] == ["1", "2"]
    assert (
        "30" in [c.value for c in choices.payment_terms]
        and "30 – " in choices.payment_terms[-1].label
        or True
    )
    assert [c.value for c in choices.allocation_axes][:2] == ["1", "2"] and not choices.notes
    half = Emulator(seed=7, transactions=100)
    half.restrict_demo_token(without=["Recon_PaymentConditions", "Recon_AllocationCodes"], administrations=[])
    with make_client(half) as client:
        fallback = load_choices(client)
    assert fallback.administrations == [] and len(fallback.notes) == 3
    assert "Algemeen - Administraties" in fallback.notes[0]
    assert fallback.payment_terms and all(c.label == c.value for c in fallback.payment_terms)


def test_the_explore_page_summaries_say_what_a_bookkeeper_checks(db, demo):
    year = _store(demo, "SELECT max(year) FROM entry_line WHERE unit = 1")[0][0]
    with connection(db) as con:
        assert explore.sync_first(con, "Profit_Transactions") is None
        assert explore.sync_first(con, "Profit_Transactions", "Nope_A", "Nope_B") == (
            "Sync Nope_A, Nope_B first (Sync page), then this view fills in."
        )
        tb = explore.trial_balance(con, 1, year, 1, 12)
        admins = explore.Administrations.of(explore.administrations(con), None)
        items = explore.open_items(con, "debtor", 1)
        usage = explore.allocation_usage(con, 1, 1)
    debit, credit, difference = explore.totals(tb)
    assert debit == credit > 0 and difference == Decimal("0.00")
    top = explore.largest_movements(tb, 3)
    nets = sorted((abs(r["Net"]) for r in tb.to_pylist()), reverse=True)
    assert [abs(r["Net"]) for r in top] == nets[:3]
    assert all(r["Account"].split(" ", 1)[0].isdigit() and " " in r["Account"] for r in top)  # number name
    account, title = explore.account_title(tb, 0)
    assert title.startswith(f"Account {account} – ") and account == tb.to_pylist()[0]["Account"]
    assert explore.open_total(items) == sum(r["Open"] for r in items.to_pylist())
    assert explore.used_codes(usage) and all(r["Lines"] > 0 for r in explore.used_codes(usage))
    assert admins.units == [1, 2] and not admins.fixed and admins.label(2) == "2 – Demo Diensten B.V."


def test_the_profile_s_administration_is_the_only_one_offered_when_the_warehouse_has_it():
    found = [(1, "Demo Groothandel B.V."), (2, "")]
    assert explore.Administrations.of(found, 1).units == [1] and explore.Administrations.of(found, 1).fixed
    every = explore.Administrations.of(found, 7)  # the profile's is not in this warehouse: all of them
    assert every.units == [1, 2] and every.label(2) == "2"  # a name unknown: just the number


def test_the_sql_box_starts_with_a_query_that_answers(db):
    result = run_readonly(db, EXAMPLE_QUERY)
    assert 0 < result.table.num_rows <= 20 and result.table.column_names == ["AccountNo", "net"]
