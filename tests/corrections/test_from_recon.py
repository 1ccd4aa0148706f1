"""Corrections this tool posted are folded into the lines they correct when matching again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from afas.corrections.folding import with_corrections
from afas.corrections.from_recon import record_origins
from afas.corrections.schema import ensure_corrections_schema
from afas.recon.schema import ensure_recon_schema

D = Decimal


def _books(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """CREATE TABLE "Profit_Transactions" ("UnitId" BIGINT, "EntryNo" BIGINT, "SeqNo" BIGINT,
           "AccountNo" VARCHAR, "AmtDebit" DECIMAL(18, 2), "AmtCredit" DECIMAL(18, 2), "VoucherNo" VARCHAR,
           "EntryDate" DATE)"""
    )
    day = dt.date(2026, 3, 2)
    rows = [
        (1, 10, 1, "1100", D("100.00"), D("0"), "BK1", day),  # the line the ledger says is 100.01
        (1, 10, 2, "1300", D("0"), D("100.00"), "BK1", day),
        (1, 20, 1, "1100", D("0"), D("100.00"), "KC-1", day),  # reversal ...
        (1, 20, 2, "1300", D("100.00"), D("0"), "KC-1", day),
        (1, 20, 3, "1100", D("100.01"), D("0"), "KC-1", day),  # ... and re-booking with the right amount
        (1, 20, 4, "1300", D("0"), D("100.00"), "KC-1", day),
        (1, 20, 5, "1901", D("0"), D("0.01"), "KC-1", day),
        (1, 30, 1, "1100", D("5.00"), D("0"), "KC-2", day),  # a rejected correction is left alone
    ]
    con.executemany('INSERT INTO "Profit_Transactions" VALUES (?, ?, ?, ?, ?, ?, ?, ?)', rows)
    ensure_recon_schema(con)
    ensure_corrections_schema(con)
    con.execute(
        "INSERT INTO recon_items (run_id, result_id, kind, unit_id, entry_no, seq_no, account_afas) "
        "VALUES (1, 1, 'differing', 1, 10, 1, '1100'), (1, 2, 'differing', 1, 10, 1, '1100')"
    )
    for item_id, reference, state in ((1, "KC-1", "confirmed"), (2, "KC-2", "rejected")):
        con.execute(
            "INSERT INTO correction_items (item_id, kind, connector, method, reference, plan, request_body, "
            "sources, fingerprint, state, approved_by, approved_at) "
            "VALUES (?, 'entry', 'FiEntries', 'POST', ?, '{}', '{}', '[]', '', ?, 'x', now())",
            [item_id, reference, state],
        )
    record_origins(con, [(1, 1, 1), (2, 1, 2)])


def test_a_reversal_and_rebooking_is_folded_into_the_line_it_corrects(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    _books(con)
    view = with_corrections(con)
    lines = {
        (e, s): a - c
        for e, s, a, c in con.execute(
            f'SELECT "EntryNo", "SeqNo", "AmtDebit", "AmtCredit" FROM {view}'
        ).fetchall()
    }
    assert lines[(10, 1)] == D("0.01") + D("100.00")  # 100.00 - 100.00 + 100.01
    assert (20, 1) not in lines and (20, 3) not in lines  # folded away
    assert lines[(20, 5)] == D("-0.01") and lines[(20, 2)] == D("100.00")  # other accounts untouched
    assert lines[(30, 1)] == D("5.00")  # the rejected one's line stays as AFAS has it


def test_without_corrections_the_table_itself_is_matched(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert with_corrections(con) == "Profit_Transactions"


def test_edited_proposals_become_items_and_emptied_cells_fall_back_to_the_defaults():
    """What the Corrections grid hands back: cells the user emptied arrive as pandas' missing
    values; they mean 'the default' (description, contra account), a missing date is a problem."""
    import pandas as pd

    from afas.corrections.from_recon import build_items
    from tests.corrections import DEFAULTS

    base = [
        {
            "result_id": n,
            "kind": "only_in_ledger",
            "mode": "new_entry",
            "entry_date": dt.date(2026, 3, 28),
            "account": "1100",
            "amount": D("52.12"),
            "ledger_amount": D("52.12"),
            "description": "Rente ING 03-2026",
            "contra": None,
            "allocation": None,
            "unit_id": None,
            "entry_no": None,
            "seq_no": None,
        }
        for n in (1, 2, 3)
    ]
    edits = [
        {**base[0], "description": float("nan"), "contra": pd.NA, "allocation": None},
        {**base[1], "contra": "1901", "description": "Rente maart"},
        {**base[2], "entry_date": pd.NaT},
    ]
    with duckdb.connect() as con:
        items, problems = build_items(con, base, edits, DEFAULTS)
    (r1, first), (r2, second) = items
    assert r1["description"] is None and r1["contra"] is None
    assert first.description == "Correction from reconciliation"
    assert {ln.account for ln in first.lines} == {"1100", DEFAULTS.contra_account}
    assert second.description == "Rente maart" and {ln.account for ln in second.lines} == {"1100", "1901"}
    assert [(r["result_id"], why) for r, why in problems] == [(3, "the correction needs a date")]
