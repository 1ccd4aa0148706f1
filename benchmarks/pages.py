"""First render time of every dashboard page with a large warehouse (goal: under 2 s each).

    python benchmarks/pages.py --rows 1000000

Starts the app's demo environment with ~N journal lines, syncs it into a fresh warehouse, then
renders each page with Streamlit's AppTest: once cold (caches cleared: the first render a user
sees after a sync) and once warm. As the reference measured in the same run it prints what the
page's DuckDB reads cost on their own, so the difference is Streamlit's share.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    "views/configure.py",
    "views/sync.py",
    "views/explore.py",
    "views/reconcile.py",
    "views/corrections.py",
    "views/masterdata.py",
    "views/audit.py",
]


def _ledger_and_run(db: Path) -> tuple[int, int]:
    """The bank account's lines as an imported ledger (every 200th left out, every 300th a cent
    off), reconciled with the default passes."""
    import datetime as dt

    from afas.recon.matching import AfasFilter, MatchConfig, reconcile
    from afas.recon.schema import ensure_recon_schema
    from afas.warehouse.db import connection

    with connection(db) as con:
        ensure_recon_schema(con)
        con.execute(
            "INSERT INTO ledger_imports (import_id, name, file_name, sha256, file_format, rows, imported) "
            "VALUES (1, 'bank', 'bank.csv', 'x', 'csv', 0, ?)",
            [dt.datetime.now()],
        )
        con.execute(
            """INSERT INTO ledger_lines
                   (import_id, line_no, entry_date, account, amount, description, voucher)
            SELECT 1, row_number() OVER (ORDER BY "EntryNo", "SeqNo") + 1, "EntryDate", "AccountNo",
                   "AmtDebit" - "AmtCredit" + CASE WHEN "EntryNo" % 300 = 0 THEN 0.01 ELSE 0 END,
                   "Description", "VoucherNo"
            FROM "Profit_Transactions" WHERE "UnitId" = 1 AND "AccountNo" = '1100' AND "EntryNo" % 200 <> 0"""
        )
        run = reconcile(con, 1, MatchConfig(afas_filter=AfasFilter(unit_id=1, accounts=("1100",))))
        print(f"  {run.counts}")
        return 1, run.run_id


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="afas-pages-")
    os.environ["AFAS_DEMO_TRANSACTIONS"] = str(args.rows)
    os.environ["AFAS_DATA_DIR"] = tmp

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from afas.ui.connection import check_connection, demo_connection
    from afas.ui.warehouse import warehouse_path
    from afas.warehouse import explore
    from afas.warehouse.db import connection
    from afas.warehouse.sync import sync

    t = time.perf_counter()
    conn, _ = check_connection(demo_connection())
    print(f"demo environment with ~{args.rows:,} journal lines: {time.perf_counter() - t:.1f} s")
    db = warehouse_path(conn)
    t = time.perf_counter()
    with conn.client() as client:
        results = sync(db, client)
    rows = sum(r.rows for r in results if r.connector == "Profit_Transactions")
    print(f"synced {rows:,} journal lines (all connectors) in {time.perf_counter() - t:.1f} s")

    # a ledger as large as the bank account's lines, reconciled, and a few corrections sent, so
    # that Reconcile, Corrections and Audit have a run and an outbox to show
    t = time.perf_counter()
    import_id, run_id = _ledger_and_run(db)
    print(f"ledger import and reconciliation of the bank account: {time.perf_counter() - t:.1f} s")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.button(key="connect_test").click().run()
    assert at.success, "the demo environment did not connect"
    at.switch_page("views/configure.py").run()
    at.button(key="FormSubmitter:configure_form-Save defaults").click().run()
    at.session_state["recon_import_id"] = import_id
    at.session_state["recon_run_id"] = run_id

    print(f"\n{'page':24}{'cold s':>10}{'warm s':>10}{'DuckDB reads s':>16}   goal: cold < 2 s")
    for page in PAGES:
        st.cache_data.clear()
        t = time.perf_counter()
        at.switch_page(page).run()
        cold = time.perf_counter() - t
        assert not at.exception, at.exception
        t = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t
        reads = None
        if page.endswith(("sync.py", "explore.py")):
            t = time.perf_counter()
            with connection(db) as con:
                explore.connector_status(con)
                explore.run_history(con)
                if page.endswith("explore.py"):
                    year = explore.years(con, 1)[0]
                    explore.administrations(con)
                    explore.trial_balance(con, 1, year, 1, 12)
                    explore.open_items(con, "debtor", 1)
                    explore.open_items(con, "creditor", 1)
                    explore.allocation_usage(con, 1, 1)
                    explore.period_overview(con, 1, year)
            reads = time.perf_counter() - t
        shown = f"{reads:>16.2f}" if reads is not None else f"{'-':>16}"
        print(f"{page:24}{cold:>10.2f}{warm:>10.2f}{shown}   {'ok' if cold < 2 else 'SLOW'}")


if __name__ == "__main__":
    main()
