"""Manual overrides of the matching: match any lines by hand, or undo a match group.

Overrides are stored by the lines' stable keys, (UnitId, EntryNo, SeqNo) for AFAS and line_no for
the ledger import, never by a run's ids, so they apply to every later run, also after the AFAS
table was dropped and reloaded by a sync. Manual matches are fixed before the automatic passes run;
an unmatch forbids every AFAS line x ledger line pair of the undone group from being matched again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from afas.catalogue import label
from afas.errors import InputError
from afas.i18n import ntr, number, tr
from afas.recon.passes import commit_pick
from afas.recon.results import amount_sql, sql_text, words_sql
from afas.recon.schema import OverrideAction, ensure_recon_schema
from afas.warehouse.db import transaction

__all__ = [
    "ManualMatchRefused",
    "apply_overrides",
    "list_overrides",
    "match_manually",
    "override_rows",
    "remove_override",
    "remove_overrides",
    "selection_summary",
    "unmatch_group",
    "unmatch_groups",
]


def _next_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(override_id), 0) + 1 FROM recon_overrides").fetchone()[0]


def _store(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    action: str,
    afas_keys: Sequence[tuple[int, int, int]],
    line_nos: Sequence[int],
    note: str,
) -> int:
    oid = _next_id(con)
    con.execute(
        "INSERT INTO recon_overrides VALUES (?, ?, ?, ?, current_localtimestamp())",
        [oid, import_id, action, note],
    )
    n_a, n_l = len(afas_keys), len(line_nos)
    lines = pa.table(
        {
            "override_id": pa.array([oid] * (n_a + n_l), pa.int64()),
            "unit_id": pa.array([k[0] for k in afas_keys] + [None] * n_l, pa.int64()),
            "entry_no": pa.array([k[1] for k in afas_keys] + [None] * n_l, pa.int64()),
            "seq_no": pa.array([k[2] for k in afas_keys] + [None] * n_l, pa.int64()),
            "line_no": pa.array([None] * n_a + list(line_nos), pa.int64()),
        }
    )
    con.register("_override_lines", lines)
    try:
        con.execute("INSERT INTO recon_override_lines BY NAME SELECT * FROM _override_lines")
    finally:
        con.unregister("_override_lines")
    return oid


class ManualMatchRefused(InputError):
    """A match by hand that cannot be made as selected (the message says what to select)."""


def _lines(n: int) -> str:
    return ntr("{n} line", "{n} lines", n).format(n=number(n))


def selection_summary(afas_lines: int, ledger_lines: int) -> str:
    """What the user has selected for a match by hand, in words."""
    total = afas_lines + ledger_lines
    return ntr(
        "Selected {n} line: {afas} from AFAS, {ledger} from the ledger.",
        "Selected {n} lines: {afas} from AFAS, {ledger} from the ledger.",
        total,
    ).format(n=number(total), afas=number(afas_lines), ledger=number(ledger_lines))


def match_manually(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    afas_keys: Sequence[tuple[int, int, int]],
    line_nos: Sequence[int],
    note: str = "",
) -> int:
    """Match these AFAS lines with these ledger lines by hand; returns the override id.

    A line can be in one manual match only: matching it again is refused (remove the other first).
    """
    ensure_recon_schema(con)
    if not afas_keys or not line_nos:
        raise ManualMatchRefused(
            tr(
                "A match by hand needs at least one AFAS line and one ledger line; select both sides "
                "(now: {afas} from AFAS, {ledger} from the ledger)."
            ).format(afas=_lines(len(afas_keys)), ledger=_lines(len(line_nos)))
        )
    taken = con.execute(
        """SELECT count(*) FROM recon_overrides o JOIN recon_override_lines x USING (override_id)
        WHERE o.import_id = ? AND o.action = 'match'
          AND (list_contains(?, [x.unit_id, x.entry_no, x.seq_no]) OR list_contains(?, x.line_no))""",
        [import_id, [list(k) for k in afas_keys], list(line_nos)],
    ).fetchone()[0]
    if taken:
        raise ManualMatchRefused(
            ntr(
                "{n} of these lines are already in a manual match; remove that match first",
                "{n} of these lines are already in a manual match; remove that match first",
                taken,
            ).format(n=number(taken))
        )
    with transaction(con):
        return _store(con, import_id, "match", afas_keys, line_nos, note)


def unmatch_group(con: duckdb.DuckDBPyConnection, run_id: int, group_id: int, note: str = "") -> int:
    """Undo match group ``group_id`` of run ``run_id``: its lines are never matched together again.

    If the group was a manual match, that manual match is removed as well. Returns the override id.
    """
    ensure_recon_schema(con)
    rows = con.execute(
        """SELECT unit_id, entry_no, seq_no, import_id, line_no, pass FROM recon_results
        WHERE run_id = ? AND group_id = ?""",
        [run_id, group_id],
    ).fetchall()
    if not rows:
        raise ValueError(f"run {run_id} has no match group {group_id}")
    import_id = con.execute("SELECT import_id FROM recon_runs WHERE run_id = ?", [run_id]).fetchone()[0]
    afas_keys = sorted({(r[0], r[1], r[2]) for r in rows if r[0] is not None})
    line_nos = sorted({r[4] for r in rows if r[4] is not None})
    with transaction(con):
        if rows[0][5] == "manual":
            con.execute(
                """DELETE FROM recon_override_lines WHERE override_id IN (
                    SELECT o.override_id FROM recon_overrides o
                        JOIN recon_override_lines x USING (override_id)
                    WHERE o.import_id = ? AND o.action = 'match'
                      AND (list_contains(?, [x.unit_id, x.entry_no, x.seq_no]) OR list_contains(?,
                          x.line_no)))""",
                [import_id, [list(k) for k in afas_keys], line_nos],
            )
            con.execute(
                "DELETE FROM recon_overrides WHERE action = 'match' AND override_id NOT IN "
                "(SELECT override_id FROM recon_override_lines)"
            )
        oid = _store(con, import_id, "unmatch", afas_keys, line_nos, note)
    return oid


def unmatch_groups(
    con: duckdb.DuckDBPyConnection, run_id: int, group_ids: Sequence[int], note: str = ""
) -> list[int]:
    """Undo several match groups of a run (see :func:`unmatch_group`); returns the override ids."""
    return [unmatch_group(con, run_id, g, note=note) for g in group_ids]


def remove_overrides(con: duckdb.DuckDBPyConnection, override_ids: Sequence[int]) -> int:
    """Forget these overrides, all or none; returns how many there were."""
    ensure_recon_schema(con)
    ids = [int(i) for i in override_ids]
    if not ids:
        return 0
    with transaction(con):
        (found,) = con.execute(
            "SELECT count(*) FROM recon_overrides WHERE override_id IN (SELECT unnest(?))", [ids]
        ).fetchone()
        con.execute("DELETE FROM recon_override_lines WHERE override_id IN (SELECT unnest(?))", [ids])
        con.execute("DELETE FROM recon_overrides WHERE override_id IN (SELECT unnest(?))", [ids])
    return int(found)


def remove_override(con: duckdb.DuckDBPyConnection, override_id: int) -> None:
    """Forget one override (the next run matches those lines automatically again)."""
    ensure_recon_schema(con)
    with transaction(con):
        con.execute("DELETE FROM recon_override_lines WHERE override_id = ?", [override_id])
        con.execute("DELETE FROM recon_overrides WHERE override_id = ?", [override_id])


def list_overrides(con: duckdb.DuckDBPyConnection, import_id: int) -> list[dict[str, Any]]:
    """The overrides of a ledger import with their lines, oldest first."""
    ensure_recon_schema(con)
    cur = con.execute(
        """SELECT o.override_id, o.action, o.note, o.created,
               list([x.unit_id, x.entry_no, x.seq_no] ORDER BY x.unit_id, x.entry_no, x.seq_no)
                   FILTER (WHERE x.unit_id IS NOT NULL) AS afas_keys,
               list(x.line_no ORDER BY x.line_no) FILTER (WHERE x.line_no IS NOT NULL) AS line_nos
        FROM recon_overrides o LEFT JOIN recon_override_lines x USING (override_id)
        WHERE o.import_id = ? GROUP BY ALL ORDER BY o.override_id""",
        [import_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _afas_lines_text(keys: Sequence[Sequence[int]] | None) -> str:
    words = tr("entry {entry} line {line}")
    return "; ".join(words.format(entry=e, line=q) for _, e, q in keys or [])


def override_rows(con: duckdb.DuckDBPyConnection, import_id: int) -> list[dict[str, Any]]:
    """The overrides of a ledger import as the rows of a table a user reads, oldest first."""
    what, afas, ledger, note, made = tr("What"), tr("AFAS lines"), tr("Ledger lines"), tr("Note"), tr("Made")
    return [
        {
            "#": o["override_id"],
            what: label(OverrideAction(o["action"])),
            afas: _afas_lines_text(o["afas_keys"]),
            ledger: ", ".join(map(str, o["line_nos"] or [])),
            note: o["note"] or "",
            made: o["created"],
        }
        for o in list_overrides(con, import_id)
    ]


def apply_overrides(con: duckdb.DuckDBPyConnection, import_id: int) -> int:
    """Within a matching run (its temp tables _ra, _rl): manual matches become fixed groups, and
    manual unmatches become the pairs (_forbid) no pass may propose. Returns the groups fixed."""
    by_hand = sql_text(tr("matched by hand"))
    equal = sql_text(", " + tr("amount equal"))
    difference = words_sql(", " + tr("difference {amount}"), amount=amount_sql("diff"))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _forbid AS
        SELECT DISTINCT a.a_id, l.l_id
        FROM recon_overrides o
        JOIN recon_override_lines oa ON oa.override_id = o.override_id AND oa.unit_id IS NOT NULL
        JOIN recon_override_lines ol ON ol.override_id = o.override_id AND ol.line_no IS NOT NULL
        JOIN _ra a ON a.UnitId = oa.unit_id AND a.EntryNo = oa.entry_no AND a.SeqNo = oa.seq_no
        JOIN _rl l ON l.l_id = ol.line_no
        WHERE o.import_id = ? AND o.action = 'unmatch'""",
        [import_id],
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _pick AS
        WITH m AS (
            SELECT o.override_id AS grp, a.a_id, NULL::BIGINT AS l_id, a.amount AS aa, NULL AS la, o.note
            FROM recon_overrides o JOIN recon_override_lines x USING (override_id)
            JOIN _ra a ON a.UnitId = x.unit_id AND a.EntryNo = x.entry_no AND a.SeqNo = x.seq_no
            WHERE o.import_id = ? AND o.action = 'match'
            UNION ALL
            SELECT o.override_id, NULL, l.l_id, NULL, l.amount, o.note
            FROM recon_overrides o JOIN recon_override_lines x USING (override_id)
            JOIN _rl l ON l.l_id = x.line_no
            WHERE o.import_id = ? AND o.action = 'match'),
        s AS (SELECT grp, coalesce(sum(aa), 0) - coalesce(sum(la), 0) AS diff FROM m GROUP BY grp)
        SELECT grp, a_id, l_id,
               {by_hand} || coalesce(': ' || nullif(note, ''), '')
               || CASE WHEN diff = 0 THEN {equal} ELSE {difference} END AS reason,
               'matched' AS kind
        FROM m JOIN s USING (grp)""",
        [import_id, import_id],
    )
    return commit_pick(con, "manual")
