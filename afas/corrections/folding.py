"""The journal lines as they stand once this tool's own corrections are taken into account.

It lives with the corrections, which own the tables it reads (correction_items, correction_origins),
and depends on the reconciliation only as corrections do (recon_results, and it tells the runs over
it which table it shows: afas.recon.results.register_line_source); matching itself knows
nothing of corrections: its caller (the Reconcile page, ``python -m afas reconcile``) passes the view
this returns as the table to match against.
"""

from __future__ import annotations

import duckdb

from afas.corrections.schema import OutboxState
from afas.recon.results import register_line_source
from afas.recon.schema import ResultKind

__all__ = ["CORRECTED_VIEW", "with_corrections"]


CORRECTED_VIEW = "afas_lines_with_corrections"


def with_corrections(con: duckdb.DuckDBPyConnection, afas_table: str = "Profit_Transactions") -> str:
    """A TEMP view of the journal lines in which this tool's confirmed corrections of differing lines
    are folded into the lines they correct; returns the table name to match against.

    A difference entry (or a reversal and re-booking) is a separate AFAS entry with the outbox's
    voucher number. Matching the same ledger again would show the corrected line as still differing
    and the correction as a line only in AFAS; folded, the line carries its corrected amount. Only
    lines on the corrected line's account are folded (a re-booking's other lines net to zero). A
    correction of a line only in the ledger needs no folding: its new line matches on amount and date.
    Without recorded corrections the table itself is returned.
    """
    present = {
        t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name IN "
            "('correction_origins', 'correction_items', 'recon_lines')"
        ).fetchall()
    }
    if len(present) < 3 or not con.execute("SELECT count(*) FROM correction_origins").fetchall()[0][0]:
        return afas_table
    src = '"' + afas_table.replace('"', '""') + '"'
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {CORRECTED_VIEW} AS
        WITH fixes AS (
            SELECT DISTINCT r.unit_id, r.entry_no, r.seq_no, r.account_afas AS account, i.reference
            FROM correction_origins o
            JOIN correction_items i USING (item_id)
            JOIN recon_results r ON r.run_id = o.run_id AND r.result_id = o.result_id
            WHERE i.state = '{OutboxState.CONFIRMED}' AND r.kind = '{ResultKind.DIFFERING}'
                  AND r.entry_no IS NOT NULL),
        folded AS (
            SELECT f.unit_id, f.entry_no, f.seq_no, t."EntryNo" AS c_entry, t."SeqNo" AS c_seq,
                   t."AmtDebit" AS debit, t."AmtCredit" AS credit
            FROM fixes f JOIN {src} t
              ON t."UnitId" = f.unit_id AND t."VoucherNo" = f.reference AND t."AccountNo" = f.account),
        adjust AS (
            SELECT unit_id, entry_no, seq_no, sum(debit) AS debit, sum(credit) AS credit
            FROM folded GROUP BY ALL)
        SELECT t.* REPLACE (
                   CAST(t."AmtDebit" + coalesce(a.debit, 0) AS DECIMAL(18, 2)) AS "AmtDebit",
                   CAST(t."AmtCredit" + coalesce(a.credit, 0) AS DECIMAL(18, 2)) AS "AmtCredit")
        FROM {src} t
        LEFT JOIN adjust a ON a.unit_id = t."UnitId" AND a.entry_no = t."EntryNo" AND a.seq_no = t."SeqNo"
        WHERE NOT EXISTS (
            SELECT 1 FROM folded x
            WHERE x.unit_id = t."UnitId" AND x.c_entry = t."EntryNo" AND x.c_seq = t."SeqNo")"""
    )
    register_line_source(con, CORRECTED_VIEW, afas_table)  # its lines' texts are afas_table's
    return CORRECTED_VIEW
