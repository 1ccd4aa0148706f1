"""From a reconciliation run to correction proposals the user reviews, edits and approves.

- A line only in the ledger becomes a new entry on its account, balanced on the contra account.
- A differing line (same voucher, other amount) becomes a difference entry, or a reversal of the
  AFAS entry and its re-booking, as the user chooses.
- A line only in AFAS gets no proposal: AFAS holds it and the ledger does not, so it is the ledger
  that is incomplete (or the user removes it in AFAS by hand); it is listed for review.

A proposal is a plain dict (one row of the Corrections page's table) so the user's edits (include,
account, description, allocation code, mode) flow back into :func:`build_item` unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import duckdb

from afas.catalogue import labels
from afas.corrections.entries import CorrectionMode, amount_difference, entry_for_ledger_line
from afas.corrections.plans import Defaults, JournalEntryItem
from afas.corrections.schema import OutboxState, ensure_corrections_schema
from afas.i18n import tr
from afas.recon.schema import ResultKind

__all__ = [
    "EDITABLE",
    "build_item",
    "build_items",
    "entry_rows",
    "in_outbox",
    "journal_and_contra_choices",
    "open_proposals",
    "proposals",
    "record_origins",
]

ORIGINS_DDL = """
CREATE TABLE IF NOT EXISTS correction_origins (
    item_id BIGINT NOT NULL, run_id BIGINT NOT NULL, result_id BIGINT NOT NULL,
    PRIMARY KEY (run_id, result_id, item_id));
"""


def record_origins(con: duckdb.DuckDBPyConnection, origins: list[tuple[int, int, int]]) -> None:
    """Remember which reconciliation result each approved item came from: (item_id, run_id, result_id)."""
    con.execute(ORIGINS_DDL)
    if origins:
        con.executemany("INSERT OR IGNORE INTO correction_origins VALUES (?, ?, ?)", origins)


def in_outbox(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[int, tuple[int, OutboxState]]:
    """result_id -> (item_id, state) for results of ``run_id`` already approved (a rejected item
    does not count: that difference may be corrected again)."""
    ensure_corrections_schema(con)
    con.execute(ORIGINS_DDL)
    rows = con.execute(
        "SELECT o.result_id, i.item_id, i.state FROM correction_origins o "
        "JOIN correction_items i USING (item_id) WHERE o.run_id = ? AND i.state <> ?",
        [run_id, OutboxState.REJECTED],
    ).fetchall()
    return {int(r): (int(i), OutboxState(st)) for r, i, st in rows}


def journal_and_contra_choices(
    con: duckdb.DuckDBPyConnection, unit: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(journals, accounts) as (code, label), the usual choice first: a memorial journal, and a
    suspense account ('tussenrekening') to balance corrections on."""
    journals = con.execute(
        'SELECT "JournalId", "Description", "JournalType" FROM "Profit_Journals" '
        'WHERE "UnitId" = ? AND NOT coalesce("Blocked", false) '
        'ORDER BY "JournalType" <> \'M\', "JournalId"',
        [unit],
    ).fetchall()
    accounts = con.execute(
        'SELECT "Account", "Description" FROM "Profit_Accounts" WHERE NOT coalesce("Blocked", false) '
        """ORDER BY NOT (lower("Description") LIKE '%tussenrekening%'
                         OR lower("Description") LIKE '%vraagpost%'), "Account" """
    ).fetchall()
    return (
        [(str(j), f"{j} – {d}") for j, d, _ in journals],
        [(str(a), f"{a} – {d}") for a, d in accounts],
    )


def proposals(con: duckdb.DuckDBPyConnection, run_id: int) -> list[dict[str, Any]]:
    """One row per correctable result of the run (only in the ledger, differing), in result order."""
    cur = con.execute(
        """SELECT result_id, kind, unit_id, entry_no, seq_no, line_no,
                  coalesce(date_ledger, date_afas) AS entry_date,
                  coalesce(account_ledger, account_afas) AS account,
                  amount_afas, amount_ledger,
                  coalesce(description_ledger, description_afas) AS description,
                  voucher_afas, voucher_ledger
           FROM recon_results
           WHERE run_id = $run AND kind IN ($only, $differing)
                 AND (kind = $only OR entry_no IS NOT NULL)
           ORDER BY result_id""",
        {"run": run_id, "only": ResultKind.ONLY_IN_LEDGER, "differing": ResultKind.DIFFERING},
    )
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        r = dict(zip(names, row, strict=True))
        differing = r["kind"] == ResultKind.DIFFERING
        out.append(
            {
                "include": not differing or r["amount_ledger"] != r["amount_afas"],
                "result_id": r["result_id"],
                "kind": ResultKind(r["kind"]),
                "mode": CorrectionMode.DIFFERENCE if differing else CorrectionMode.NEW_ENTRY,
                "entry_date": r["entry_date"],
                "account": r["account"] or "",
                "amount": r["amount_ledger"] if not differing else r["amount_ledger"] - r["amount_afas"],
                "ledger_amount": r["amount_ledger"],
                "description": (r["description"] or "")[:250],
                "contra": None,  # None: the default contra account
                "allocation": None,
                "unit_id": r["unit_id"],
                "entry_no": r["entry_no"],
                "seq_no": r["seq_no"],
            }
        )
    return out


def waiting_for_approval(con: duckdb.DuckDBPyConnection, run_id: int) -> set[int]:
    """The results of ``run_id`` in a batch prepared for approval that is still waiting
    (afas/corrections/batches.py): not offered again, and not in the outbox yet."""
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
        "('correction_batches', 'correction_batch_items')"
    ).fetchone()
    if not present or present[0] < 2:
        return set()
    rows = con.execute(
        "SELECT i.result_id FROM correction_batch_items i JOIN correction_batches b USING (batch_id) "
        "WHERE i.run_id = ? AND b.state = 'waiting' AND i.result_id IS NOT NULL",
        [run_id],
    ).fetchall()
    return {int(r) for (r,) in rows}


def open_proposals(con: duckdb.DuckDBPyConnection, run_id: int) -> tuple[list[dict[str, Any]], int]:
    """The proposals of ``run_id`` not in the outbox yet nor waiting for approval, and how many of its
    results are either."""
    done = set(in_outbox(con, run_id)) | waiting_for_approval(con, run_id)
    return [p for p in proposals(con, run_id) if p["result_id"] not in done], len(done)


def entry_rows(
    con: duckdb.DuckDBPyConnection, entries: list[tuple[int, int]]
) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """The Profit_Transactions rows of these (UnitId, EntryNo) entries, in one scan of the table."""
    if not entries:
        return {}
    cur = con.execute(
        'SELECT t.* FROM "Profit_Transactions" t '
        "JOIN (SELECT unnest(?::BIGINT[]) AS u, unnest(?::BIGINT[]) AS e) k "
        'ON t."UnitId" = k.u AND t."EntryNo" = k.e ORDER BY t."UnitId", t."EntryNo", t."SeqNo"',
        [[u for u, _ in entries], [e for _, e in entries]],
    )
    names = [d[0] for d in cur.description]
    out: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        out.setdefault((int(row["UnitId"]), int(row["EntryNo"])), []).append(row)
    return out


def build_item(
    con: duckdb.DuckDBPyConnection,
    proposal: Mapping[str, Any],
    defaults: Defaults,
    rows_by_entry: Mapping[tuple[int, int], list[dict[str, Any]]] | None = None,
) -> JournalEntryItem:
    """The plan item for one (possibly edited) proposal row; ValueError says what is wrong.

    ``rows_by_entry`` (from :func:`entry_rows`) saves a scan per row when building many.
    """
    entry_date = proposal["entry_date"]
    if isinstance(entry_date, dt.datetime):  # a pandas Timestamp from the page's table
        entry_date = entry_date.date()
    if isinstance(entry_date, str):
        entry_date = dt.date.fromisoformat(entry_date[:10])
    if not isinstance(entry_date, dt.date):
        raise ValueError(tr("the correction needs a date"))
    description = str(proposal.get("description") or "").strip() or tr("Correction from reconciliation")
    allocation = str(proposal.get("allocation") or "").strip() or None
    contra = str(proposal.get("contra") or "").strip()
    if contra:
        defaults = replace(defaults, contra_account=contra)
    if proposal.get("mode") not in set(CorrectionMode):
        raise ValueError(
            tr("choose how to correct it: {modes}").format(modes=", ".join(labels(CorrectionMode).values()))
        )
    mode = CorrectionMode(proposal["mode"])
    if mode == CorrectionMode.NEW_ENTRY:
        account = str(proposal.get("account") or "").strip()
        if not account:
            raise ValueError(tr("choose the account the ledger line belongs on"))
        return entry_for_ledger_line(
            defaults,
            entry_date=entry_date,
            account=account,
            amount=Decimal(str(proposal["ledger_amount"])),
            description=description,
            allocation=allocation,
        )
    key = (int(proposal["unit_id"]), int(proposal["entry_no"]))
    rows = (rows_by_entry if rows_by_entry is not None else entry_rows(con, [key])).get(key, [])
    if not rows:
        raise ValueError(
            tr("AFAS entry {entry} is no longer in the warehouse; sync again").format(
                entry=proposal["entry_no"]
            )
        )
    return amount_difference(
        defaults,
        rows,
        seq_no=int(proposal["seq_no"]),
        ledger_amount=Decimal(str(proposal["ledger_amount"])),
        entry_date=entry_date,
        mode=mode,
        description=description,
    )


EDITABLE = ("mode", "entry_date", "account", "contra", "description", "allocation")
"""The fields of a proposal a user may change before approving."""


def _is_missing(value: Any) -> bool:
    """None, or a missing value of a table editor: NaN and NaT are not equal to themselves, and
    pandas' NA cannot even say so."""
    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(value != value)  # noqa: PLR0124
    except TypeError:
        return True


def build_items(
    con: duckdb.DuckDBPyConnection,
    base: Sequence[Mapping[str, Any]],
    edits: Sequence[Mapping[str, Any]],
    defaults: Defaults,
) -> tuple[list[tuple[dict[str, Any], JournalEntryItem]], list[tuple[dict[str, Any], str]]]:
    """The plan items for edited proposal rows: ``edits`` are rows of :func:`proposals` (by
    result_id) with the :data:`EDITABLE` fields as the user left them (an emptied cell is None).
    Returns (proposal, item) pairs and (proposal, what is wrong) for rows no item can be made of."""
    by_id = {p["result_id"]: p for p in base}
    keys = sorted({(p["unit_id"], p["entry_no"]) for p in base if p["entry_no"] is not None})
    entries = entry_rows(con, keys)
    items, problems = [], []
    for edit in edits:
        row = dict(by_id[edit["result_id"]])
        for f in EDITABLE:
            value = edit.get(f)
            row[f] = None if _is_missing(value) else value
        try:
            items.append((row, build_item(con, row, defaults, entries)))
        except ValueError as exc:
            problems.append((row, str(exc)))
    return items, problems
