"""Match AFAS journal lines against one imported ledger, in DuckDB, and keep the result.

A run loads the AFAS lines (optionally filtered) and the ledger's lines into temp tables, applies
the user's overrides (manual matches fixed, unmatched pairs excluded), runs the enabled passes in
order over what is still unmatched (afas.recon.passes), and keeps one row per line or side-by-side
pair in recon_lines with kind, match group, pass, reason and difference, by line ids: the lines'
amounts and texts are read through the view recon_results, as the run saw them (afas.recon.results).

A run of one exact-key pass without overrides, whose keys pair lines one to one, takes a direct
path instead: one INSERT into recon_lines from a FULL JOIN of the two sides, no working tables
(_direct_key_run); it writes the same rows, and hands over to the general path when keys repeat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from afas.errors import InputError
from afas.i18n import tr
from afas.recon.overrides import apply_overrides
from afas.recon.passes import (
    AMBIGUITY_POLICIES,
    DateWindowPass,
    ExactKeyPass,
    FuzzyTextPass,
    GroupSumPass,
    Pass,
    key_pair_plain_words,
    key_pair_words,
    result_columns,
    run_pass,
)
from afas.recon.results import ensure_results_view, record_line_run
from afas.recon.schema import RESULT_KINDS, ensure_recon_schema
from afas.warehouse.db import transaction
from afas.warehouse.explore import NotSynced
from afas.warehouse.schema import quote_ident

__all__ = [
    "AfasFilter",
    "MatchConfig",
    "RunSummary",
    "default_passes",
    "differences_by_account_period",
    "list_runs",
    "new_run",
    "page_query",
    "read_results",
    "count_results",
    "result_filter",
    "reconcile",
    "result_counts",
]

AFAS_TABLE = "Profit_Transactions"
_AFAS_BASE = ("UnitId", "EntryNo", "SeqNo", "Year", "Period", "VoucherNo", "Description")
_LEDGER_BASE = ("line_no", "amount", "account", "voucher", "description")


@dataclass(frozen=True)
class AfasFilter:
    """Which AFAS lines take part: one administration, some accounts, a date range (inclusive)."""

    unit_id: int | None = None
    accounts: tuple[str, ...] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def default_passes() -> tuple[Pass, ...]:
    """Voucher key, invoice key, amount + date, amount + text, then groups both ways."""
    return (
        ExactKeyPass(keys=(("VoucherNo", "voucher"),), name="voucher"),
        ExactKeyPass(keys=(("InvoiceId", "invoice"),), name="invoice"),
        DateWindowPass(),
        FuzzyTextPass(),
        GroupSumPass(direction="one_to_many"),
        GroupSumPass(direction="many_to_one"),
    )


@dataclass(frozen=True)
class MatchConfig:
    """A run's settings: passes in order, the ambiguity policy, the AFAS filter and columns."""

    passes: tuple[Pass, ...] = field(default_factory=default_passes)
    ambiguity: str = "unique"
    afas_filter: AfasFilter = AfasFilter()
    afas_table: str = AFAS_TABLE
    afas_date_column: str = "EntryDate"


@dataclass(frozen=True)
class RunSummary:
    """A finished run: its id, result rows per kind, match groups per pass, and seconds per phase
    (load, manual, each pass, write). On the direct path of a lone exact-key pass the phases are
    load (counting and the repeated-key check), the pass (joining and writing its result rows in
    one statement) and write (the commit)."""

    run_id: int
    counts: dict[str, int]
    groups_per_pass: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND NOT internal "
        "AND schema_name = 'main'",
        [table],
    ).fetchall()
    if not rows:
        raise NotSynced(
            tr("Sync {table} first (Sync page): the ledger is matched against it.").format(table=table)
        )
    return {name: typ for name, typ in rows}


def _check_column(columns: dict[str, str], name: str, where: str) -> str:
    for c in columns:
        if c.lower() == name.lower():
            return c
    raise InputError(
        tr("There is no column {column} in {table}; choose one of {columns}.").format(
            column=repr(name), table=where, columns=", ".join(columns)
        )
    )


def _validate(
    config: MatchConfig, afas_cols: dict[str, str], ledger_cols: dict[str, str]
) -> tuple[list[str], list[str]]:
    """Check the configured columns exist; returns the extra AFAS and ledger columns the passes read."""
    afas_extra = [_check_column(afas_cols, c, config.afas_table) for c in _AFAS_BASE]
    ledger_extra = [_check_column(ledger_cols, c, "ledger_lines") for c in _LEDGER_BASE]
    if config.ambiguity not in AMBIGUITY_POLICIES:
        policies = ", ".join(map(str, AMBIGUITY_POLICIES))
        raise InputError(
            tr("{policy} is no way to settle ties; choose one of {policies}.").format(
                policy=repr(config.ambiguity), policies=policies
            )
        )
    _check_column(afas_cols, config.afas_date_column, config.afas_table)
    keys_of: dict[str, tuple] = {}
    for p in config.passes:
        if isinstance(p, ExactKeyPass) and keys_of.setdefault(p.name, p.keys) != p.keys:
            raise InputError(
                tr("Two key passes are named {name}; give each its own name.").format(name=repr(p.name))
            )
    for p in config.passes:
        for a, b in p.columns():
            afas_extra.append(_check_column(afas_cols, a, config.afas_table))
            ledger_extra.append(_check_column(ledger_cols, b, "ledger_lines"))
    return list(dict.fromkeys(afas_extra)), list(dict.fromkeys(ledger_extra))


def _plain_words(config: MatchConfig) -> dict[str, str]:
    """Per key pass the reason of its pairs that agree on everything (kept once per run)."""
    return {p.name: key_pair_plain_words(p) for p in config.passes if isinstance(p, ExactKeyPass)}


def new_run(
    con: duckdb.DuckDBPyConnection, comparison: str, import_id: int | None, table: str | None, cfg: str
) -> int:
    """Register a run in recon_runs and return its id."""
    ensure_recon_schema(con)
    run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM recon_runs").fetchone()[0]
    con.execute(
        "INSERT INTO recon_runs VALUES (?, ?, ?, ?, ?, current_localtimestamp(), NULL)",
        [run_id, comparison, import_id, table, cfg],
    )
    return run_id


def _config_json(config: MatchConfig) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, Decimal | dt.date):
            return str(o)
        raise TypeError(type(o))

    passes = [{"type": type(p).__name__, **dataclasses.asdict(p)} for p in config.passes]
    body = {**dataclasses.asdict(config), "passes": passes}
    return json.dumps(body, default=default)


def _afas_where(config: MatchConfig) -> tuple[str, list[Any]]:
    """FROM the AFAS table WHERE the run's filter holds, and its parameters."""
    f = config.afas_filter
    where, params = ["true"], []
    date_col = quote_ident(config.afas_date_column)
    if f.unit_id is not None:
        where.append("UnitId = ?")
        params.append(f.unit_id)
    if f.accounts:
        where.append("list_contains(?, AccountNo)")
        params.append(list(f.accounts))
    if f.date_from is not None:
        where.append(f"{date_col} >= ?")
        params.append(f.date_from)
    if f.date_to is not None:
        where.append(f"{date_col} <= ?")
        params.append(f.date_to)
    return f"FROM {quote_ident(config.afas_table)} WHERE {' AND '.join(where)}", params


_KEY_ORDER = "UnitId, EntryNo, SeqNo"


def _key_order(con: duckdb.DuckDBPyConnection, config: MatchConfig) -> str:
    """What the run's AFAS lines are numbered by: their key (UnitId, EntryNo, SeqNo), as one BIGINT
    when every value is a whole number from 0 that fits its share of 63 bits (one sort key instead
    of three: the same order, a third of the sort), else the three columns themselves."""
    table = quote_ident(config.afas_table)
    types = con.execute(
        f"SELECT typeof(UnitId), typeof(EntryNo), typeof(SeqNo) FROM {table} LIMIT 1"
    ).fetchone()
    if types is None or not set(types) <= _WHOLE_TYPES:
        return _KEY_ORDER
    source, params = _afas_where(config)
    complete, low, *highs = con.execute(
        f"""SELECT count(*) = count(UnitId) AND count(*) = count(EntryNo) AND count(*) = count(SeqNo),
                   least(min(UnitId), min(EntryNo), min(SeqNo)), max(UnitId), max(EntryNo), max(SeqNo)
            {source}""",
        params,
    ).fetchone()
    if not complete or low is None or low < 0:
        return _KEY_ORDER
    unit_bits, entry_bits, seq_bits = (max(1, int(h).bit_length()) for h in highs)
    if unit_bits + entry_bits + seq_bits > 63:
        return _KEY_ORDER
    return (
        f"(CAST(UnitId AS BIGINT) << {entry_bits + seq_bits}) "
        f"| (CAST(EntryNo AS BIGINT) << {seq_bits}) | CAST(SeqNo AS BIGINT)"
    )


_WHOLE_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"})


def _afas_lines(
    config: MatchConfig, columns: list[str], extra: str = "", order: str = _KEY_ORDER
) -> tuple[str, list[Any]]:
    """The SELECT of the run's AFAS lines (a_id in key order, signed amount, date, account and
    ``columns``, then ``extra``) and its parameters (the AFAS filter). ``order``: the key as
    :func:`_key_order` found it cheapest to sort by."""
    source, params = _afas_where(config)
    sql = f"""SELECT row_number() OVER (ORDER BY {order}) AS a_id,
               CAST(coalesce(AmtDebit, 0) - coalesce(AmtCredit, 0) AS DECIMAL(18, 2)) AS amount,
               CAST({quote_ident(config.afas_date_column)} AS DATE) AS d, AccountNo AS account,
               {", ".join(map(quote_ident, columns))}{extra}
        {source}"""
    return sql, params


def _ledger_lines(columns: list[str], extra: str = "") -> str:
    """The SELECT of the ledger import's lines (one parameter: import_id)."""
    return (
        f"SELECT line_no AS l_id, entry_date AS d, {', '.join(map(quote_ident, columns))}{extra} "
        "FROM ledger_lines WHERE import_id = ?"
    )


def _load(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    config: MatchConfig,
    afas_columns: list[str],
    ledger_columns: list[str],
) -> None:
    """The run's working tables: the lines of both sides (only the columns the run reads), and
    the membership (_ma, _ml), group (_g) and result (_res) tables the passes fill."""
    afas_sql, params = _afas_lines(config, afas_columns, order=_key_order(con, config))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _ra AS {afas_sql}", params)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rl AS {_ledger_lines(ledger_columns)}", [import_id])
    con.execute("CREATE OR REPLACE TEMP TABLE _ma (a_id BIGINT, grp BIGINT)")
    con.execute("CREATE OR REPLACE TEMP TABLE _ml (l_id BIGINT, grp BIGINT)")
    empty = result_columns("''", "0::BIGINT", "''", "''")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _res AS {empty} FROM _ra a, _rl l LIMIT 0")
    con.execute("CREATE OR REPLACE TEMP VIEW _ua AS SELECT * FROM _ra ANTI JOIN _ma USING (a_id)")
    con.execute("CREATE OR REPLACE TEMP VIEW _ul AS SELECT * FROM _rl ANTI JOIN _ml USING (l_id)")


def _write_results(con: duckdb.DuckDBPyConnection, run_id: int) -> None:
    # result_id: the AFAS line's place in key order, then the ledger-only lines by line number; unique
    # (a line is in one row only) and deterministic without sorting a million rows.
    # A line without a pass keeps no reason: recon_results says 'no match found'.
    only_afas = result_columns("'only_in_afas'", "NULL::BIGINT", "NULL::VARCHAR", "NULL::VARCHAR")
    only_ledger = result_columns("'only_in_ledger'", "NULL::BIGINT", "NULL::VARCHAR", "NULL::VARCHAR")
    con.execute(
        f"""INSERT INTO recon_lines BY NAME
        WITH r AS (
            SELECT * FROM _res
            UNION ALL
            {only_afas} FROM _ra a ANTI JOIN _ma m ON m.a_id = a.a_id LEFT JOIN (FROM _rl LIMIT 0) l ON true
            UNION ALL
            {only_ledger} FROM _rl l ANTI JOIN _ml m ON m.l_id = l.l_id
            LEFT JOIN (FROM _ra LIMIT 0) a ON true)
        SELECT ? AS run_id, coalesce(a_id, (SELECT coalesce(max(a_id), 0) FROM _ra) + line_no) AS result_id,
               * EXCLUDE (a_id)
        FROM r""",
        [run_id],
    )


def _single_key_pass(
    con: duckdb.DuckDBPyConnection, config: MatchConfig, import_id: int
) -> ExactKeyPass | None:
    """The run's pass when it is one exact-key pass and no override concerns the import: such a
    run may take the direct path (_direct_key_run)."""
    enabled = [p for p in config.passes if p.enabled]
    if len(enabled) != 1 or not isinstance(enabled[0], ExactKeyPass):
        return None
    overrides = con.execute(
        "SELECT EXISTS (SELECT 1 FROM recon_overrides WHERE import_id = ?)", [import_id]
    ).fetchone()[0]
    return None if overrides else enabled[0]


_PREFIX_ROWS = 100_000
"""Lines of each side whose keys are looked at for repeats before the direct path is tried."""


def _direct_key_run(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    config: MatchConfig,
    p: ExactKeyPass,
    afas_columns: list[str],
    ledger_columns: list[str],
    date_column: str,
    lap: Callable[[str], None],
) -> tuple[int, dict[str, int]] | None:
    """One exact-key pass without overrides, written by one INSERT from one FULL JOIN of the sides.

    When every key value both sides have is on one line of each side, the pass pairs exactly the
    lines whose keys are equal (stage 1 or 2, whatever the policy), so the join is the whole result:
    the same rows the general path writes, without working tables. That is checked afterwards (every
    line in one row: rows holding an AFAS line = AFAS lines, likewise for the ledger); when it fails
    the run is rolled back and None returned (nothing written) for the general path, which is also
    taken at once when the first lines of a side repeat a key (vouchers of several lines).
    Returns (run_id, counts per kind).
    """
    names = [f"_k{i}" for i in range(len(p.keys))]
    ka = [f"nullif(trim(CAST({quote_ident(a)} AS VARCHAR)), '')" for a, _ in p.keys]
    kl = [f"nullif(trim(CAST({quote_ident(b)} AS VARCHAR)), '')" for _, b in p.keys]
    sel_a = ", ".join(f"{e} AS {n}" for e, n in zip(ka, names, strict=True))
    sel_l = ", ".join(f"{e} AS {n}" for e, n in zip(kl, names, strict=True))
    key = names[0] if len(names) == 1 else f"row({', '.join(names)})"
    not_null = " AND ".join(f"{n} IS NOT NULL" for n in names)
    source, afas_params = _afas_where(config)

    def no_repeats(sql: str) -> str:
        prefix = f"{sql} LIMIT {int(_PREFIX_ROWS)}"
        return f"(SELECT count(DISTINCT {key}) = count(*) FROM ({prefix}) WHERE {not_null})"

    ledger = "FROM ledger_lines WHERE import_id = ?"
    n_afas, n_ledger, unique_a, unique_l = con.execute(
        f"""SELECT (SELECT count(*) {source}), (SELECT count(*) {ledger}),
                   {no_repeats(f"SELECT {sel_a} {source}")}, {no_repeats(f"SELECT {sel_l} {ledger}")}""",
        [*afas_params, import_id, *afas_params, import_id],
    ).fetchone()
    lap("load")
    if not (unique_a and unique_l):
        return None
    afas_sql, _ = _afas_lines(config, afas_columns, f", {sel_a}", _key_order(con, config))
    ledger_sql = _ledger_lines(ledger_columns, f", {sel_l}")
    reason, kind = key_pair_words(p)
    pair = "a.a_id IS NOT NULL AND l.l_id IS NOT NULL"
    columns = result_columns(
        f"CASE WHEN l.l_id IS NULL THEN 'only_in_afas' WHEN a.a_id IS NULL THEN 'only_in_ledger' "
        f"ELSE {kind} END",
        f"CASE WHEN {pair} THEN a.a_id END",
        f"CASE WHEN {pair} THEN CAST(? AS VARCHAR) END",
        f"CASE WHEN {pair} THEN {reason} END",  # NULL: the pass's plain words, or 'no match found'
    )
    join = " AND ".join(f"a.{n} = l.{n}" for n in names)
    con.execute("BEGIN")
    try:
        run_id = new_run(con, "transactions", import_id, config.afas_table, _config_json(config))
        # result_id as on the general path: the AFAS line's a_id, the ledger-only lines after them.
        con.execute(
            f"""INSERT INTO recon_lines BY NAME
            SELECT ? AS run_id, coalesce(a_id, ? + line_no) AS result_id, * EXCLUDE (a_id)
            FROM ({columns} FROM ({afas_sql}) a FULL JOIN ({ledger_sql}) l ON {join})""",
            [run_id, n_afas, p.name, *afas_params, import_id],
        )
        counts = result_counts(con, run_id)
        pairs = counts["matched"] + counts["differing"]
        if (pairs + counts["only_in_afas"], pairs + counts["only_in_ledger"]) != (n_afas, n_ledger):
            con.execute("ROLLBACK")  # a joined key on several lines of a side: the general path
            lap(p.name)
            return None
        lap(p.name)
        # The lines were read in this transaction: as of its start.
        as_of = con.execute("SELECT current_localtimestamp()").fetchone()[0]
        record_line_run(con, run_id, import_id, config.afas_table, date_column, as_of, _plain_words(config))
        con.execute("UPDATE recon_runs SET finished = current_localtimestamp() WHERE run_id = ?", [run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    ensure_results_view(con)
    lap("write")
    return run_id, counts


def reconcile(
    con: duckdb.DuckDBPyConnection, import_id: int, config: MatchConfig | None = None
) -> RunSummary:
    """Match the AFAS lines against ledger import ``import_id``; returns the new run's id and counts."""
    config = config or MatchConfig()
    ensure_recon_schema(con)
    afas_cols = _columns(con, config.afas_table)
    ledger_cols = _columns(con, "ledger_lines")
    afas_columns, ledger_columns = _validate(config, afas_cols, ledger_cols)
    date_column = _check_column(afas_cols, config.afas_date_column, config.afas_table)
    known = con.execute(
        "SELECT EXISTS (SELECT 1 FROM ledger_imports WHERE import_id = ?) "
        "OR EXISTS (SELECT 1 FROM ledger_lines WHERE import_id = ?)",
        [import_id, import_id],
    ).fetchone()[0]
    if not known:
        raise InputError(
            tr("There is no imported ledger #{number}.").format(number=import_id),
            tr("Import the ledger first (Reconcile page, or --ledger FILE), or pick an imported one."),
        )
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = seconds.get(name, 0.0) + now - clock
        clock = now

    key_pass = _single_key_pass(con, config, import_id)
    if key_pass is not None:
        direct = _direct_key_run(
            con, import_id, config, key_pass, afas_columns, ledger_columns, date_column, lap
        )
        if direct is not None:
            run_id, counts = direct
            pairs = counts["matched"] + counts["differing"]
            return RunSummary(run_id, counts, {"manual": 0, key_pass.name: pairs}, seconds)
    as_of = con.execute("SELECT current_localtimestamp()").fetchone()[0]  # just before the lines are read
    _load(con, import_id, config, afas_columns, ledger_columns)
    lap("load")
    per_pass = {"manual": apply_overrides(con, import_id)}
    lap("manual")
    for p in config.passes:
        if p.enabled:
            name = p.pass_name
            per_pass[name] = per_pass.get(name, 0) + run_pass(con, p, config.ambiguity)
            lap(name)
    with transaction(con):
        run_id = new_run(con, "transactions", import_id, config.afas_table, _config_json(config))
        _write_results(con, run_id)
        record_line_run(con, run_id, import_id, config.afas_table, date_column, as_of, _plain_words(config))
        con.execute("UPDATE recon_runs SET finished = current_localtimestamp() WHERE run_id = ?", [run_id])
    ensure_results_view(con)
    lap("write")
    for t in ("_ua", "_ul"):
        con.execute(f"DROP VIEW IF EXISTS {t}")
    for t in ("_ra", "_rl", "_res", "_ma", "_ml", "_forbid", "_pick", "_cand", "_ka", "_kl", "_kp"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    for t in (
        "_gc",
        "_gdays",
        "_gbig",
        "_gr",
        "_gnear",
        "_gpairs",
        "_sol",
        "_solall",
        "_solm",
        "_gp",
        "_dead",
        "_pick0",
    ):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return RunSummary(run_id, result_counts(con, run_id), per_pass, seconds)


def result_counts(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, int]:
    """Result rows per kind (every kind present, zero when none)."""
    rows = dict(
        con.execute(
            "SELECT kind, count(*) FROM recon_result_rows WHERE run_id = ? GROUP BY kind", [run_id]
        ).fetchall()
    )
    return {k: int(rows.get(k, 0)) for k in RESULT_KINDS}


_RESULT_COLUMNS = (
    "result_id, kind, group_id, unit_id, entry_no, seq_no, import_id, line_no, pass, reason, amount_afas, "
    "amount_ledger, difference, date_afas, date_ledger, account_afas, account_ledger, voucher_afas, "
    "voucher_ledger, description_afas, description_ledger, year, period, item_key"
)


def result_filter(
    run_id: int,
    kind: str | None = None,
    account: str | None = None,
    search: str | None = None,
    period: tuple[int, int] | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE condition over recon_results (and its parameters) for a run's rows of one kind,
    account, period and search text (any of the line's texts, keys, accounts or amounts)."""
    where, params = ["run_id = ?"], [run_id]
    if kind is not None:
        if kind not in RESULT_KINDS:
            raise InputError(
                tr("{kind} is no result kind; choose one of {kinds}.").format(
                    kind=repr(kind), kinds=", ".join(RESULT_KINDS)
                )
            )
        where.append("kind = ?")
        params.append(kind)
    if account is not None:
        where.append("(account_afas = ? OR account_ledger = ?)")
        params += [account, account]
    if period is not None:
        where.append("year = ? AND period = ?")
        params += list(period)
    if search:
        where.append(
            "concat_ws(' ', reason, item_key, voucher_afas, voucher_ledger, description_afas, "
            "description_ledger, account_afas, account_ledger, entry_no, line_no, amount_afas, "
            "amount_ledger) ILIKE ?"
        )
        params.append(f"%{search}%")
    return " AND ".join(where), params


def page_query(
    con: duckdb.DuckDBPyConnection,
    columns: str,
    run_id: int,
    *,
    kind: str | None = None,
    account: str | None = None,
    period: tuple[int, int] | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[str, list[Any]]:
    """The query (and its parameters) of one page of a run's results: ``columns`` (SQL over
    recon_results) of the rows read_results would return.

    Filtered by kind alone, the page's rows are picked from the kept rows (recon_result_rows, no
    joins) and only those are read through recon_results, so a page of a million-line run costs
    what a page of a small one does; an account, period or text filter reads the lines' texts of
    the whole run."""
    where, params = result_filter(run_id, kind, account, search, period)
    if account is None and period is None and not search:
        ids = [
            i
            for (i,) in con.execute(
                f"SELECT result_id FROM recon_result_rows WHERE {where} ORDER BY result_id LIMIT ? OFFSET ?",
                [*params, int(limit), int(offset)],
            ).fetchall()
        ]
        # BETWEEN reaches the scans of the kept rows; list_contains then keeps the page's own rows.
        return (
            f"""SELECT {columns} FROM recon_results
            WHERE run_id = ? AND result_id BETWEEN ? AND ? AND list_contains(?, result_id)
            ORDER BY result_id""",
            [run_id, ids[0] if ids else 0, ids[-1] if ids else -1, ids],
        )
    return (
        f"SELECT {columns} FROM recon_results WHERE {where} ORDER BY result_id LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)],
    )


def read_results(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    kind: str | None = None,
    account: str | None = None,
    period: tuple[int, int] | None = None,
    search: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """One page of a run's results (amounts as Decimal), in result order, filtered in DuckDB."""
    sql, params = page_query(
        con,
        _RESULT_COLUMNS,
        run_id,
        kind=kind,
        account=account,
        period=period,
        search=search,
        limit=limit,
        offset=offset,
    )
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def count_results(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    *,
    kind: str | None = None,
    account: str | None = None,
    period: tuple[int, int] | None = None,
    search: str | None = None,
) -> int:
    """How many rows read_results would page through with the same filters."""
    where, params = result_filter(run_id, kind, account, search, period)
    rows = "recon_result_rows" if account is None and period is None and not search else "recon_results"
    return con.execute(f"SELECT count(*) FROM {rows} WHERE {where}", params).fetchone()[0]


def differences_by_account_period(con: duckdb.DuckDBPyConnection, run_id: int) -> list[dict[str, Any]]:
    """Per account and period: rows per kind and the summed difference of what is not matched."""
    cur = con.execute(
        """SELECT coalesce(account_afas, account_ledger) AS account, year, period,
               count(*) FILTER (WHERE kind = 'matched') AS matched,
               count(*) FILTER (WHERE kind = 'only_in_afas') AS only_in_afas,
               count(*) FILTER (WHERE kind = 'only_in_ledger') AS only_in_ledger,
               count(*) FILTER (WHERE kind = 'differing') AS differing,
               coalesce(sum(difference) FILTER (WHERE kind <> 'matched'), 0) AS difference
        FROM recon_results WHERE run_id = ? GROUP BY ALL ORDER BY account NULLS LAST, year, period""",
        [run_id],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def list_runs(con: duckdb.DuckDBPyConnection, comparison: str | None = None) -> list[dict[str, Any]]:
    """The runs so far, newest first."""
    ensure_recon_schema(con)
    cur = con.execute(
        "SELECT run_id, comparison, import_id, afas_table, started, finished FROM recon_runs "
        "WHERE ? IS NULL OR comparison = ? ORDER BY run_id DESC",
        [comparison, comparison],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
