"""Balance and master-data comparisons, in the same result shape as the matching (recon_results).

Balances: AFAS's balance per account and period (Profit_Period_balance, or sums of
Profit_Transactions) against the ledger import's sums per account and calendar month (a trial
balance mapped into ledger_lines, one line per account and period, compares the same way).

Master data: an AFAS table (Profit_Debtor, Profit_Creditor, Recon_AllocationCodes, ...) against a
ledger-side table or view, joined on key columns (datacompy's join columns), with field-by-field
differences in recon_field_diffs and a mismatch count per compared column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from afas.errors import InputError
from afas.i18n import tr
from afas.recon.matching import RunSummary, new_run, result_counts
from afas.recon.results import amount_sql, sql_text, words_sql
from afas.recon.schema import ensure_recon_schema
from afas.warehouse.db import transaction
from afas.warehouse.explore import NotSynced
from afas.warehouse.schema import quote_ident

__all__ = [
    "MASTER_DATA_KEYS",
    "ColumnStat",
    "MasterDataReport",
    "compare_balances",
    "compare_master_data",
    "field_differences",
]

MASTER_DATA_KEYS: dict[str, tuple[str, ...]] = {
    "Profit_Debtor": ("DebtorId",),
    "Profit_Creditor": ("CreditorId",),
    "Recon_AllocationCodes": ("AxisId", "AllocationCode"),
}
"""The join columns of the AFAS master-data tables the comparison knows."""


def _describe(con: duckdb.DuckDBPyConnection, relation: str, afas: bool = True) -> dict[str, str]:
    """The columns of ``relation``: an AFAS table not synced yet is NotSynced, a missing file table input."""
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {quote_ident(relation)}").fetchall()
    except duckdb.CatalogException as exc:
        if afas:
            raise NotSynced(
                tr("Sync {table} first (Sync page), then compare with it.").format(table=relation)
            ) from exc
        raise InputError(
            tr("There is no table {table} to compare with AFAS; import the file first.").format(
                table=repr(relation)
            )
        ) from exc
    return {r[0]: r[1] for r in rows}


def _column(columns: dict[str, str], name: str, relation: str) -> str:
    for c in columns:
        if c.lower() == name.lower():
            return c
    raise InputError(
        tr("There is no column {column} in {table}; choose one of {columns}.").format(
            column=repr(name), table=relation, columns=", ".join(columns)
        )
    )


_MONTH = "CASE WHEN Period = 0 THEN 1 ELSE Period END"
"""AFAS's period as a calendar month: period 0 (the opening balance) is January's."""


def compare_balances(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    *,
    source: str = "period_balance",
    unit_id: int | None = None,
    year: int | None = None,
    accounts: Sequence[str] | None = None,
    abs_tol: Decimal = Decimal("0.00"),
) -> RunSummary:
    """Compare balances per account and period; source 'period_balance' or 'transactions'.

    The ledger's period is the calendar month of its lines' entry_date (AFAS's periods are months);
    AFAS's period 0, Profit's opening balance, counts with period 1, as a ledger's opening balance
    dated the first day of the year does (an XAF audit file's, afas.recon.xaffile).
    """
    ensure_recon_schema(con)
    if source == "period_balance":
        afas_sql = (
            f"SELECT AccountNr AS account, Year AS year, {_MONTH} AS period, sum(Balance) AS amount "
            'FROM "Profit_Period_balance" WHERE (? IS NULL OR UnitId = ?) GROUP BY ALL'
        )
        table = "Profit_Period_balance"
    elif source == "transactions":
        afas_sql = (
            f"SELECT AccountNo AS account, Year AS year, {_MONTH} AS period, "
            "sum(AmtDebit - AmtCredit) AS amount "
            'FROM "Profit_Transactions" WHERE (? IS NULL OR UnitId = ?) GROUP BY ALL'
        )
        table = "Profit_Transactions"
    else:
        raise ValueError("source must be 'period_balance' or 'transactions'")
    _describe(con, table)
    acc = list(accounts) if accounts else None
    cfg = json.dumps(
        {"source": source, "unit_id": unit_id, "year": year, "accounts": acc, "abs_tol": str(abs_tol)}
    )
    no_afas = sql_text(tr("no AFAS balance for this account and period"))
    no_ledger = sql_text(tr("no ledger lines for this account and period"))
    equal = words_sql(tr("balance {amount} equal"), amount=amount_sql("amount_afas"))
    versus = words_sql(
        tr("balance {afas} vs {ledger}"), afas=amount_sql("amount_afas"), ledger=amount_sql("amount_ledger")
    )
    with transaction(con):
        run_id = new_run(con, "balances", import_id, table, cfg)
        con.execute(
            f"""INSERT INTO recon_items BY NAME
            WITH a AS ({afas_sql}),
                 l AS (SELECT account, year(entry_date) AS year, month(entry_date) AS period,
                     sum(amount) AS amount
                       FROM ledger_lines WHERE import_id = ? GROUP BY ALL),
                 j AS (SELECT coalesce(a.account, l.account) AS account, coalesce(a.year, l.year) AS year,
                              coalesce(a.period, l.period) AS period, a.account AS aa, l.account AS la,
                              CAST(a.amount AS DECIMAL(18, 2)) AS amount_afas,
                              CAST(l.amount AS DECIMAL(18, 2)) AS amount_ledger
                       FROM a FULL JOIN l ON a.account = l.account AND a.year = l.year
                           AND a.period = l.period)
            SELECT ? AS run_id, row_number() OVER (ORDER BY account, year, period) AS result_id,
                   CASE WHEN aa IS NULL THEN 'only_in_ledger' WHEN la IS NULL THEN 'only_in_afas'
                        WHEN abs(amount_afas - amount_ledger) <= ? THEN 'matched'
                            ELSE 'differing' END AS kind,
                   CASE WHEN aa IS NOT NULL AND la IS NOT NULL THEN row_number() OVER (ORDER BY account,
                       year, period)
                   END AS group_id,
                   CASE WHEN la IS NOT NULL THEN ? END AS import_id, 'balance' AS pass,
                   CASE WHEN aa IS NULL THEN {no_afas} WHEN la IS NULL THEN {no_ledger}
                        WHEN amount_afas = amount_ledger THEN {equal} ELSE {versus}
                   END AS reason,
                   amount_afas, amount_ledger, coalesce(amount_afas, 0) - coalesce(amount_ledger,
                       0) AS difference,
                   aa AS account_afas, la AS account_ledger, year, period,
                   account || ' ' || year || '/' || lpad(CAST(period AS VARCHAR), 2, '0') AS item_key
            FROM j WHERE (? IS NULL OR year = ?) AND (? IS NULL OR list_contains(?, account))""",
            [unit_id, unit_id, import_id, run_id, abs_tol, import_id, year, year, acc, acc],
        )
        con.execute("UPDATE recon_runs SET finished = current_localtimestamp() WHERE run_id = ?", [run_id])
    return RunSummary(run_id, result_counts(con, run_id), {"balance": 0})


@dataclass(frozen=True)
class ColumnStat:
    """datacompy's per-column statistics: the compared pair, their types and unequal joined rows."""

    afas_column: str
    ledger_column: str
    afas_dtype: str
    ledger_dtype: str
    mismatches: int
    matches: int


@dataclass(frozen=True)
class MasterDataReport:
    run_id: int
    join_columns: tuple[tuple[str, str], ...]
    counts: dict[str, int]
    column_stats: tuple[ColumnStat, ...]

    def report(self) -> str:
        """A short human-readable summary, in datacompy's words."""
        keys = ", ".join(f"{a} = {b}" for a, b in self.join_columns)
        lines = [
            tr("Join columns: {keys}").format(keys=keys),
            tr("Rows only in AFAS: {n}").format(n=self.counts["only_in_afas"]),
            tr("Rows only in ledger: {n}").format(n=self.counts["only_in_ledger"]),
            tr("Rows in both, all compared columns equal: {n}").format(n=self.counts["matched"]),
            tr("Rows in both with some compared columns unequal: {n}").format(n=self.counts["differing"]),
            tr("Columns with unequal values:"),
        ]
        lines += [
            f"  {s.afas_column} / {s.ledger_column}: {s.mismatches}"
            for s in self.column_stats
            if s.mismatches
        ]
        return "\n".join(lines)


_NUMERIC = ("DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "DOUBLE", "FLOAT", "UBIGINT")


def _comparable(expr: str, afas_type: str, ignore_case: bool) -> str:
    """``expr`` cast so that it compares with a value of the AFAS column's type."""
    if afas_type.startswith(_NUMERIC):
        return f"TRY_CAST({expr} AS DECIMAL(38, 10))"
    if afas_type in ("BOOLEAN", "DATE") or afas_type.startswith("TIMESTAMP"):
        return f"TRY_CAST({expr} AS {afas_type})"
    text = f"nullif(trim(CAST({expr} AS VARCHAR)), '')"
    return f"lower({text})" if ignore_case else text


def compare_master_data(
    con: duckdb.DuckDBPyConnection,
    afas_table: str,
    ledger_table: str,
    columns: Sequence[tuple[str, str]],
    *,
    join_columns: Sequence[tuple[str, str]] | None = None,
    ledger_key: str | None = None,
    ignore_case: bool = False,
) -> MasterDataReport:
    """Compare master data: rows only in AFAS, only in the ledger, and field-by-field differences.

    columns: (AFAS column, ledger column) pairs to compare. join_columns: (AFAS, ledger) key pairs;
    by default the AFAS table's known key (MASTER_DATA_KEYS) against ``ledger_key`` (one column).
    Values compare by the AFAS column's type (numbers, dates, booleans); text trimmed, empty = NULL.
    """
    ensure_recon_schema(con)
    a_cols, l_cols = _describe(con, afas_table), _describe(con, ledger_table, afas=False)
    if join_columns is None:
        keys = MASTER_DATA_KEYS.get(afas_table)
        if keys is None or ledger_key is None or len(keys) != 1:
            raise ValueError("give join_columns as (AFAS column, ledger column) pairs")
        join_columns = [(keys[0], ledger_key)]
    joins = [(_column(a_cols, a, afas_table), _column(l_cols, b, ledger_table)) for a, b in join_columns]
    pairs = [(_column(a_cols, a, afas_table), _column(l_cols, b, ledger_table)) for a, b in columns]
    if not joins:
        raise ValueError("at least one join column is needed")
    on = " AND ".join(
        f"{_comparable('a.' + quote_ident(a), a_cols[a], False)} = "
        f"{_comparable('l.' + quote_ident(b), a_cols[a], False)}"
        for a, b in joins
    )
    key = (
        "concat_ws(' | ', "
        + ", ".join(
            f"coalesce(CAST(a.{quote_ident(a)} AS VARCHAR), CAST(l.{quote_ident(b)} AS VARCHAR))"
            for a, b in joins
        )
        + ")"
    )
    a_present, l_present = f"a.{quote_ident(joins[0][0])}", f"l.{quote_ident(joins[0][1])}"
    cells = []
    for i, (a, b) in enumerate(pairs):
        va = _comparable(f"a.{quote_ident(a)}", a_cols[a], ignore_case)
        vl = _comparable(f"l.{quote_ident(b)}", a_cols[a], ignore_case)
        cells.append(
            f"({va}) IS DISTINCT FROM ({vl}) AS m{i}, CAST(a.{quote_ident(a)} AS VARCHAR) AS va{i}, "
            f"CAST(l.{quote_ident(b)} AS VARCHAR) AS vl{i}"
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _md AS
        SELECT {key} AS item_key, {a_present} IS NOT NULL AS in_a, {l_present} IS NOT NULL AS in_l
               {"".join(", " + c for c in cells)}
        FROM {quote_ident(afas_table)} a FULL JOIN {quote_ident(ledger_table)} l ON {on}"""
    )
    any_diff = " OR ".join(f"m{i}" for i in range(len(pairs))) or "false"
    which = (
        "concat_ws(', ', "
        + ", ".join(f"CASE WHEN m{i} THEN {_sql_text(a)} END" for i, (a, _) in enumerate(pairs))
        + ")"
        if pairs
        else "''"
    )
    cfg = json.dumps({"afas": afas_table, "ledger": ledger_table, "join": joins, "columns": pairs})
    not_ledger, not_afas = sql_text(tr("not in the ledger")), sql_text(tr("not in AFAS"))
    differs = words_sql(tr("differs in {fields}"), fields=which)
    equal = sql_text(tr("all compared fields equal"))
    with transaction(con):
        run_id = new_run(con, f"master:{afas_table}", None, afas_table, cfg)
        con.execute(
            f"""INSERT INTO recon_items BY NAME
            SELECT ? AS run_id, row_number() OVER (ORDER BY item_key) AS result_id,
                   CASE WHEN NOT in_l THEN 'only_in_afas' WHEN NOT in_a THEN 'only_in_ledger'
                        WHEN {any_diff} THEN 'differing' ELSE 'matched' END AS kind,
                   CASE WHEN in_a AND in_l THEN row_number() OVER (ORDER BY item_key) END AS group_id,
                   'master_data' AS pass,
                   CASE WHEN NOT in_l THEN {not_ledger} WHEN NOT in_a THEN {not_afas}
                        WHEN {any_diff} THEN {differs} ELSE {equal} END AS reason,
                   item_key
            FROM _md""",
            [run_id],
        )
        if pairs:
            union = " UNION ALL ".join(
                f"SELECT ? AS run_id, item_key, {_sql_text(a)} AS field, "
                f"va{i} AS value_afas, vl{i} AS value_ledger "
                f"FROM _md WHERE in_a AND in_l AND m{i}"
                for i, (a, _) in enumerate(pairs)
            )
            con.execute(f"INSERT INTO recon_field_diffs BY NAME {union}", [run_id] * len(pairs))
        con.execute("UPDATE recon_runs SET finished = current_localtimestamp() WHERE run_id = ?", [run_id])
    stats: tuple[ColumnStat, ...] = ()
    if pairs:
        row = con.execute(
            "SELECT "
            + ", ".join(f"count(*) FILTER (WHERE in_a AND in_l AND m{i})" for i in range(len(pairs)))
            + ", count(*) FILTER (WHERE in_a AND in_l) FROM _md"
        ).fetchone()
        both = row[-1]
        stats = tuple(
            ColumnStat(a, b, a_cols[a], l_cols[b], int(row[i]), int(both - row[i]))
            for i, (a, b) in enumerate(pairs)
        )
    con.execute("DROP TABLE IF EXISTS _md")
    return MasterDataReport(run_id, tuple(joins), result_counts(con, run_id), stats)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def field_differences(
    con: duckdb.DuckDBPyConnection, run_id: int, *, limit: int = 1000, offset: int = 0
) -> list[dict]:
    """A master-data run's unequal fields: item_key, field, value_afas, value_ledger."""
    cur = con.execute(
        "SELECT item_key, field, value_afas, value_ledger FROM recon_field_diffs WHERE run_id = ? "
        "ORDER BY item_key, field LIMIT ? OFFSET ?",
        [run_id, limit, offset],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
