"""From a master-data comparison to plan items: relations or allocation codes only in the user's
file are created, fields that differ are changed. Reads the comparison's rows (recon_results,
recon_field_diffs), the AFAS table and the file's table in DuckDB; builds items with the defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from afas.corrections.masterdata import (
    dim_code_for_missing,
    relation_for_missing,
    relation_update_for_difference,
)
from afas.corrections.plans import Defaults, PlanItem

__all__ = ["DETAILS", "MasterCorrections", "master_corrections"]

DETAILS = {  # AFAS field -> RelationInsertItem field
    "Email": "email",
    "TelNr": "phone",
    "IBAN": "iban",
    "VatNr": "vat_id",
    "Btw-nummer": "vat_id",
    "ChOfCommNr": "coc_number",
    "PayCon": "payment_terms",
    "PaymentCondition": "payment_terms",
    "CurrencyId": "currency",
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class MasterCorrections:
    counts: dict[str, int]
    differences: list[dict[str, Any]]  # item_key, field, value_afas, value_ledger
    items: list[tuple[str, PlanItem]] = field(default_factory=list)  # (label, item)
    problems: list[str] = field(default_factory=list)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def master_corrections(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    afas_table: str,
    key: str,
    name_field: str,
    sales: bool | None,
    file_table: str,
    key_column: str,
    pairs: Sequence[tuple[str, str]],
    defaults: Defaults,
) -> MasterCorrections:
    """The comparison's counts and differing fields, and the items that bring AFAS in line with the
    file: ``sales`` True customers, False suppliers, None allocation codes (on the default axis)."""
    counts = dict(
        con.execute(
            "SELECT kind, count(*) FROM recon_results WHERE run_id = ? GROUP BY kind", [run_id]
        ).fetchall()
    )
    diffs = _rows(
        con,
        "SELECT item_key, field, value_afas, value_ledger FROM recon_field_diffs WHERE run_id = ? "
        "ORDER BY item_key, field",
        [run_id],
    )
    out = MasterCorrections({k: int(v) for k, v in counts.items()}, diffs)
    columns = dict(pairs)
    only_file = [
        r[0]
        for r in con.execute(
            "SELECT item_key FROM recon_results WHERE run_id = ? AND kind = 'only_in_ledger' "
            "ORDER BY item_key",
            [run_id],
        ).fetchall()
    ]
    file_rows = _rows(
        con,
        f"SELECT * FROM {_q(file_table)} WHERE trim({_q(key_column)}) IN (SELECT unnest(?::VARCHAR[]))",
        [only_file],
    )
    for row in file_rows:
        name = str(row.get(columns.get(name_field, "")) or "").strip()
        label = name or str(row.get(key_column) or "").strip()
        try:
            if sales is None:
                item: PlanItem = dim_code_for_missing(defaults, code=str(row[key_column]), description=name)
            else:
                details = {
                    DETAILS[f]: str(row.get(c) or "").strip()
                    for f, c in pairs
                    if f in DETAILS and str(row.get(c) or "").strip()
                }
                item = relation_for_missing(defaults, sales=sales, name=name, **details)
            out.items.append((label, item))
        except ValueError as exc:
            out.problems.append(f"{label}: {exc}")
    if sales is None or not diffs:
        return out
    wanted: dict[str, dict[str, str]] = {}
    for d in diffs:
        wanted.setdefault(d["item_key"], {})[d["field"]] = d["value_ledger"]
    current = {
        str(r[key]): r
        for r in _rows(
            con,
            f"SELECT * FROM {_q(afas_table)} "
            f"WHERE CAST({_q(key)} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(wanted)],
        )
    }
    for number, fields in wanted.items():
        row = current.get(number)
        if row is None:
            continue
        try:
            update = relation_update_for_difference(sales=sales, current=row, wanted=fields)
        except ValueError as exc:
            out.problems.append(f"{number}: {exc}")
            continue
        if update is not None:
            out.items.append((f"{number} {row.get(name_field) or ''}".strip(), update))
    return out
