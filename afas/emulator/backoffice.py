"""What a user does inside Profit itself, outside the REST API: editing and deleting journal entries.

FiEntries is insert-only through the API, but bookkeepers change and delete entries in Profit's own
screens all the time; every such change marks the booking days involved (the old and the new date
of a moved line) in Profit_Fin_ChangedEntrydate, which is what incremental refresh relies on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb

__all__ = ["delete_entries", "edit_entry_line"]

_EDITABLE = {"description", "entry_date", "amt_debit", "amt_credit", "account_no", "voucher_no", "invoice_id"}


def _touch(cur: duckdb.DuckDBPyConnection, dates: Iterable[dt.date], now: dt.datetime) -> None:
    for d in sorted(set(dates)):
        cur.execute(
            "INSERT INTO changed_entry_date VALUES (?, ?) "
            "ON CONFLICT (entry_date) DO UPDATE SET modified = excluded.modified",
            [d, now],
        )


def delete_entries(
    cur: duckdb.DuckDBPyConnection, unit: int, entry_nos: Iterable[int], now: dt.datetime
) -> int:
    """Delete whole entries (all their lines and allocations); returns the number of lines removed."""
    entries = sorted(set(entry_nos))
    if not entries:
        return 0
    marks = ", ".join("?" for _ in entries)
    where = f"unit = ? AND entry_no IN ({marks})"
    dates = [
        r[0]
        for r in cur.execute(
            f"SELECT DISTINCT entry_date FROM entry_line WHERE {where}", [unit, *entries]
        ).fetchall()
    ]
    removed = cur.execute(f"SELECT count(*) FROM entry_line WHERE {where}", [unit, *entries]).fetchone()[0]
    cur.execute(f"DELETE FROM entry_alloc WHERE {where}", [unit, *entries])
    cur.execute(f"DELETE FROM entry_line WHERE {where}", [unit, *entries])
    _touch(cur, dates, now)
    return int(removed)


def edit_entry_line(
    cur: duckdb.DuckDBPyConnection, unit: int, entry_no: int, seq_no: int, now: dt.datetime, **changes: object
) -> None:
    """Change fields of one line (description, entry_date, amounts, account, voucher, invoice).

    Moving a line to another date marks both days; the line's Modified becomes ``now``.
    """
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValueError(
            f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(sorted(_EDITABLE))}"
        )
    key = [unit, entry_no, seq_no]
    row = cur.execute(
        "SELECT entry_date FROM entry_line WHERE unit = ? AND entry_no = ? AND seq_no = ?", key
    ).fetchone()
    if row is None:
        raise KeyError(f"no journal line {unit}/{entry_no}/{seq_no}")
    sets = ", ".join(f"{name} = ?" for name in changes)
    cur.execute(
        f"UPDATE entry_line SET {sets}, modified = ? WHERE unit = ? AND entry_no = ? AND seq_no = ?",
        [*changes.values(), now, *key],
    )
    new_date = changes.get("entry_date", row[0])
    _touch(cur, [row[0], new_date], now)  # type: ignore[list-item]
