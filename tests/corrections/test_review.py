"""What the Corrections page shows: the runs, the proposals as the user edits them, what checking found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from afas.corrections.from_recon import open_proposals
from afas.corrections.outbox import Outbox
from afas.corrections.review import EDITOR_COLUMNS, proposal_table, review, run_choices
from afas.recon.schema import ensure_recon_schema
from tests.corrections import DEFAULTS, synced_copy, warehouse

D = Decimal
DAY = dt.date(2025, 11, 3)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return warehouse(tmp_path_factory.mktemp("review"))


@pytest.fixture
def con(template: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A synced demo warehouse with run #3: two lines only in the ledger (one on an account that needs
    an allocation code), one differing amount, one line only in AFAS."""
    c = duckdb.connect(str(synced_copy(template, tmp_path)))
    ensure_recon_schema(c)
    unit, entry, seq, account, debit, credit, day = c.execute(
        'SELECT "UnitId", "EntryNo", "SeqNo", "AccountNo", "AmtDebit", "AmtCredit", "EntryDate" '
        'FROM "Profit_Transactions" WHERE "UnitId" = 1 AND "EntryDate" >= DATE \'2025-11-01\' '
        'ORDER BY "EntryNo", "SeqNo" LIMIT 1'
    ).fetchone()
    c.execute(
        "INSERT INTO recon_runs (run_id, comparison, import_id, afas_table, started) "
        "VALUES (3, 'transactions', 1, 'Profit_Transactions', TIMESTAMP '2026-01-05 10:30:00')"
    )
    c.execute(
        "INSERT INTO recon_items (run_id, result_id, kind, line_no, date_ledger, account_ledger, "
        "amount_ledger, description_ledger) VALUES "
        "(3, 1, 'only_in_ledger', 1, ?, '4600', -1234.5, NULL), "
        "(3, 2, 'only_in_ledger', 2, ?, '8000', 99.00, 'Omzet zonder kostenplaats')",
        [DAY, DAY],
    )
    c.execute(
        "INSERT INTO recon_items (run_id, result_id, kind, unit_id, entry_no, seq_no, date_afas, "
        "account_afas, amount_afas, amount_ledger, description_afas) "
        "VALUES (3, 3, 'differing', ?, ?, ?, ?, ?, ?, ?, 'AFAS line'), "
        "(3, 4, 'only_in_afas', ?, ?, ?, ?, ?, ?, NULL, 'AFAS only')",
        [unit, entry, seq, day, account, debit - credit, debit - credit + D("0.01")]
        + [unit, entry, seq, day, account, debit - credit],
    )
    yield c
    c.close()


def test_runs_are_offered_once_the_tables_an_entry_needs_are_synced(con):
    assert run_choices(con) == {3: "#3 ledger #1, 05/01/2026 10:30"}
    with duckdb.connect() as empty:
        assert run_choices(empty) == {}


def test_the_editor_shows_kinds_and_modes_in_words_and_empty_cells_empty(con):
    base, done = open_proposals(con, 3)
    assert done == 0 and [p["result_id"] for p in base] == [1, 2, 3]  # only in AFAS: nothing to book
    table = proposal_table(base)
    assert list(table.columns) == ["result_id", *EDITOR_COLUMNS]
    assert list(table["kind"]) == ["Only in the ledger", "Only in the ledger", "Differing"]
    assert list(table["mode"]) == ["new_entry", "new_entry", "difference"]  # worded by the column
    assert list(table["amount"]) == ["-1,234.50", "99.00", "0.01"]
    assert list(table["description"])[:2] == ["", "Omzet zonder kostenplaats"]
    assert (table["contra"] == "").all() and (table["allocation"] == "").all()
    shown = table.drop(columns=["entry_date", "include", "result_id"]).astype(str)
    assert not shown.isin(["None", "nan", "NaT", "<NA>"]).any().any()


def test_checked_edits_say_what_is_ready_and_what_afas_would_refuse(con):
    base, _ = open_proposals(con, 3)
    edited = proposal_table(base)
    edited.loc[edited["result_id"] == 3, "include"] = False  # the user unticks the differing line
    checked = review(con, base, edited, DEFAULTS)
    assert checked.headline == "**1** ready to approve, **1** need attention"
    problems = checked.problem_table()
    assert problems.to_dict("records") == [
        {
            "Result": 2,
            "Description": "Omzet zonder kostenplaats",
            "AFAS would say": "Allocation code for axis 'Kostenplaats' must be filled for account 8000",
        }
    ]
    ((caption, body),) = checked.requests()
    assert caption == "POST FiEntries — Correction from reconciliation"  # no description: the default
    fields = body["FiEntryPar"]["Element"]["Objects"][0]["FiEntries"]["Element"][0]["Fields"]
    assert fields["BpNr"] == "(on approval)" and fields["AmCr"] == "1234.50"
    assert checked.question() == (
        "Approve **1** journal entries (total debit €1,234.50) for administration 1, journal 80?"
    )
    assert checked.origins(3) == [(3, 1)]
    ((name, item),) = checked.approvals()
    assert name == "Correction from reconciliation" and item.amount == D("1234.50")


def test_an_allocation_typed_in_makes_it_ready_and_an_approved_difference_is_not_offered_again(con):
    base, _ = open_proposals(con, 3)
    edited = proposal_table(base).to_dict("records")
    edited[1]["allocation"] = "WEST"
    edited[2]["mode"] = "reverse_and_rebook"
    checked = review(con, base, pd.DataFrame(edited), DEFAULTS)
    assert checked.headline == "**3** ready to approve"
    from afas.corrections.from_recon import record_origins

    box = Outbox(con)
    rows = [box.approve(item, approver="anna") for _, item in checked.approvals()]
    record_origins(
        con, [(r.item_id, run, result) for r, (run, result) in zip(rows, checked.origins(3), strict=True)]
    )
    assert open_proposals(con, 3) == ([], 3)


def test_a_mode_left_empty_is_a_problem_in_words(con):
    base, _ = open_proposals(con, 3)
    edited = proposal_table(base)
    edited.loc[0, "mode"] = None
    checked = review(con, base, edited.iloc[:1], DEFAULTS)
    assert checked.problem_table()["AFAS would say"].tolist() == [
        "choose how to correct it: new entry, difference entry, reverse and re-book"
    ]
