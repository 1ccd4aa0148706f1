"""Where a run's results are kept, and the one table every reader sees them through (recon_results).

A line run (afas.recon.matching) keeps what only it knows, by line ids, in ``recon_lines``: which
lines (the AFAS key (unit_id, entry_no, seq_no), the ledger's line_no), which kind, group and pass,
the reason and the difference. Everything else is read back through the view ``recon_results``,
which has the columns of the wide table results were once written to:

- the ledger side from ``ledger_lines``, which never changes (an import is written once and its
  runs are deleted with it);
- the AFAS amount as ``difference + ledger amount`` (difference = AFAS - ledger, kept exactly in
  DECIMAL), so it is the amount the run compared, also when it matched a view with corrections
  folded in (afas.corrections.folding) or AFAS later changed the line;
- the AFAS date, account, voucher, description, year and period from the warehouse table the run
  read (``recon_line_runs.afas_source``), or, when a sync has since changed or removed the line,
  from the version kept in ``recon_kept_lines`` by :func:`preserve_referenced_lines`: the first
  version replaced after the run read its lines is the one it saw.

Balance and master-data comparisons (few rows, keyed by item_key) keep their values in
``recon_items``, the wide table of before; a warehouse made before keeps its ``recon_results``
table as ``recon_items`` (:func:`migrate_wide_results`), so its old runs read as they did.
``recon_result_rows`` holds the kept columns of both without joins, for counts and summaries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import string
from collections.abc import Sequence

import duckdb

from afas.i18n import Language, current, tr
from afas.warehouse.schema import quote_ident
from afas.warehouse.sync import before_swap

__all__ = [
    "KEPT_LINES_DDL",
    "LINE_RESULT_COLUMNS",
    "amount_sql",
    "ensure_results_view",
    "key_placeholder",
    "key_placeholder_text",
    "line_source",
    "migrate_wide_results",
    "preserve_referenced_lines",
    "prune_kept_lines",
    "record_line_run",
    "register_line_source",
    "shown_reason_sql",
    "words_sql",
]

KEPT_LINES_DDL = """
CREATE TABLE IF NOT EXISTS recon_line_runs (
    run_id BIGINT NOT NULL, import_id BIGINT, afas_source VARCHAR NOT NULL, date_column VARCHAR NOT NULL,
    lines_as_of TIMESTAMP NOT NULL, words MAP(VARCHAR, VARCHAR));
CREATE TABLE IF NOT EXISTS recon_kept_lines (
    source VARCHAR NOT NULL, unit_id BIGINT NOT NULL, entry_no BIGINT NOT NULL, seq_no BIGINT NOT NULL,
    replaced TIMESTAMP NOT NULL, sync_run BIGINT, date_column VARCHAR NOT NULL, date_value DATE,
    account VARCHAR, voucher VARCHAR, description VARCHAR, year BIGINT, period BIGINT);
"""
"""``recon_line_runs``: per line run the ledger import, the warehouse table its AFAS lines' texts are
read from, the date column it compared, when it read its lines, and per pass the reason of a row
whose kept reason is NULL (``words``). ``recon_kept_lines``: versions of
AFAS lines that a sync replaced (``replaced``: when; ``sync_run``: which sync_runs row) while a kept
run referenced them; a run that read its lines at T reads the version with the first ``replaced`` at
or after T, else the table's current row."""

LINE_RESULT_COLUMNS = (
    "run_id, result_id, kind, group_id, unit_id, entry_no, seq_no, line_no, pass, reason, difference"
)
"""What a line run keeps per result row (``recon_lines``), also the columns of ``recon_result_rows``."""

_VIEW = "recon_results"
NO_MATCH = "no match found"
"""The reason recon_results gives a line no pass matched (stored English: :func:`shown_reason_sql`)."""
_OPEN, _CLOSE = 57344, 57345  # private-use characters around a placeholder's column name


def sql_text(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def words_sql(text: str, **fields: str) -> str:
    """SQL of ``text`` (a sentence in the session's language, with {fields}) whose fields are the SQL
    expressions given: 'amount ' || (x) || ' equal'. NULL when a field is NULL, as || is."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if literal:
            parts.append(sql_text(literal))
        if name is not None:
            parts.append(f"({fields[name]})")
    return " || ".join(parts) or "''"


def amount_sql(expr: str) -> str:
    """SQL of amount ``expr`` as text in a reason: 1,234.56 in English, 1.234,56 in Dutch."""
    text = f"printf('%,.2f', {expr})"
    return f"translate({text}, ',.', '.,')" if current() is Language.NL else text


def shown_reason_sql(expr: str = "reason") -> str:
    """SQL of a result's reason as shown: the view's 'no match found' in the session's language."""
    shown = sql_text(tr("no match found"))
    return f"CASE WHEN {expr} = {sql_text(NO_MATCH)} THEN {shown} ELSE {expr} END"


def key_placeholder_text(column: str) -> str:
    """The placeholder itself (see :func:`key_placeholder`)."""
    return f"{chr(_OPEN)}{column}{chr(_CLOSE)}"


def key_placeholder(column: str) -> str:
    """SQL of the placeholder a key pair's reason holds for its value in ledger column ``column``:
    recon_results puts the ledger line's (trimmed) value there (both lines hold the same value)."""
    return f"(chr({_OPEN}) || '{column.replace(chr(39), chr(39) * 2)}' || chr({_CLOSE}))"


def _filled(reason: str, columns: Sequence[str]) -> str:
    """SQL of ``reason`` with its key placeholders filled from ledger line ``l``."""
    text = reason
    for c in columns:
        value = f"coalesce(nullif(trim(CAST(l.{quote_ident(c)} AS VARCHAR)), ''), '')"
        text = f"replace({text}, {key_placeholder(c)}, {value})"
    return f"CASE WHEN contains({reason}, chr({_OPEN})) THEN {text} ELSE {reason} END"


def _reason(columns: Sequence[str]) -> str:
    """SQL of row ``r``'s reason: the kept one, or (NULL) its pass's plain words (recon_line_runs.words:
    a key pair that agrees on everything), 'no match found' for a line without a pass."""
    plain = (
        f"CASE WHEN r.pass IS NULL THEN {sql_text(NO_MATCH)} ELSE {_filled('w.words[r.pass]', columns)} END"
    )
    return f"coalesce({_filled('r.reason', columns)}, {plain})"


_SOURCES = "_recon_line_sources"  # TEMP: views over a stored table (see register_line_source)


def _main_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Stored tables of the file's main schema, by lower-cased name."""
    return {
        t.lower(): t
        for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary "
            "AND database_name = current_database()"
        ).fetchall()
    }


def migrate_wide_results(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse from before keeps its wide ``recon_results`` table as ``recon_items`` (instant:
    a rename), so its runs read through the view exactly as they were written."""
    tables = _main_tables(con)
    if "recon_results" in tables and "recon_items" not in tables:
        with contextlib.suppress(duckdb.TransactionException, duckdb.CatalogException):  # another session
            con.execute("ALTER TABLE recon_results RENAME TO recon_items")


def register_line_source(con: duckdb.DuckDBPyConnection, view: str, table: str) -> None:
    """Tell the runs of this session that ``view`` (a TEMP view) shows the lines of stored ``table``
    with only their amounts changed, so their texts are read from ``table`` afterwards."""
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SOURCES} (view_name VARCHAR, source VARCHAR)")
    con.execute(f"DELETE FROM {_SOURCES} WHERE lower(view_name) = lower(?)", [view])
    con.execute(f"INSERT INTO {_SOURCES} VALUES (?, ?)", [view, table])


def line_source(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """The stored table a run over ``table`` reads its AFAS lines' texts from later: the table
    itself, the table a registered view shows, or None (the run keeps its lines' texts itself)."""
    stored = _main_tables(con)
    if table.lower() in stored:
        return stored[table.lower()]
    registered = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary", [_SOURCES]
    ).fetchone()[0]
    if not registered:  # (asked, not tried: a failed statement would end the run's transaction)
        return None
    row = con.execute(f"SELECT source FROM {_SOURCES} WHERE lower(view_name) = lower(?)", [table]).fetchone()
    return stored.get(row[0].lower()) if row else None


def _kept_fields(alias: str, date_column: str) -> str:
    """The AFAS fields the view reads, from row ``alias`` of a journal-lines table."""
    return (
        f"CAST({alias}.{quote_ident(date_column)} AS DATE) AS date_value, "
        f"CAST({alias}.AccountNo AS VARCHAR) AS account, CAST({alias}.VoucherNo AS VARCHAR) AS voucher, "
        f"CAST({alias}.Description AS VARCHAR) AS description, CAST({alias}.Year AS BIGINT) AS year, "
        f"CAST({alias}.Period AS BIGINT) AS period"
    )


def record_line_run(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    import_id: int,
    table: str,
    date_column: str,
    lines_as_of: dt.datetime,
    words: dict[str, str] | None = None,
) -> None:
    """Register line run ``run_id`` (call in the run's transaction, after its rows are written);
    ``words``: per pass the reason its rows with a NULL reason have.

    A run over a view no stored table stands behind keeps its lines' texts at once, as versions
    'replaced' when it read them (its own source name ``run:<id>``)."""
    source = line_source(con, table)
    if source is None:
        source = f"run:{int(run_id)}"
        con.execute(
            f"""INSERT INTO recon_kept_lines
            SELECT ?, a.UnitId, a.EntryNo, a.SeqNo, ?, NULL, ?, {_kept_fields("a", date_column)}
            FROM {quote_ident(table)} a
            SEMI JOIN (FROM recon_lines WHERE run_id = ? AND entry_no IS NOT NULL) r
                ON r.unit_id = a.UnitId AND r.entry_no = a.EntryNo AND r.seq_no = a.SeqNo""",
            [source, lines_as_of, date_column, run_id],
        )
    con.execute(
        "INSERT INTO recon_line_runs VALUES (?, ?, ?, ?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]))",
        [
            run_id,
            import_id,
            source,
            date_column,
            lines_as_of,
            list(words or {}),
            list((words or {}).values()),
        ],
    )


def _branch(
    source: str | None, date_column: str | None, known: Sequence[tuple[str, str]], reason: str
) -> str:
    """The view's rows of the line runs over ``source`` and ``date_column`` (None: every run whose
    source is none of ``known``, whose AFAS texts are all kept lines)."""
    if source is None:
        which = (
            " AND ".join(f"NOT (w.afas_source = '{s}' AND w.date_column = '{d}')" for s, d in known) or "true"
        )
        afas_join = "(SELECT NULL::VARCHAR AS x LIMIT 0) a ON false"
        cur = dict.fromkeys(("d", "account", "voucher", "description", "year", "period"), "NULL")
    else:
        which = f"w.afas_source = '{source}' AND w.date_column = '{date_column}'"
        afas_join = (
            f"{quote_ident(source)} a ON a.UnitId = r.unit_id AND a.EntryNo = r.entry_no "
            "AND a.SeqNo = r.seq_no"
        )
        cur = {
            "d": f"CAST(a.{quote_ident(date_column or '')} AS DATE)",
            "account": "CAST(a.AccountNo AS VARCHAR)",
            "voucher": "CAST(a.VoucherNo AS VARCHAR)",
            "description": "CAST(a.Description AS VARCHAR)",
            "year": "CAST(a.Year AS BIGINT)",
            "period": "CAST(a.Period AS BIGINT)",
        }

    def afas(kept: str, name: str) -> str:  # the kept version's field when there is one
        return f"CASE WHEN k.entry_no IS NOT NULL THEN k.{kept} ELSE {cur[name]} END"

    return f"""SELECT r.run_id, r.result_id, r.kind, r.group_id, r.unit_id, r.entry_no, r.seq_no,
        CASE WHEN r.line_no IS NOT NULL THEN w.import_id END AS import_id, r.line_no, r.pass,
        {reason} AS reason,
        CASE WHEN r.entry_no IS NOT NULL THEN CAST(r.difference + coalesce(l.amount, 0) AS DECIMAL(18, 2))
        END AS amount_afas, l.amount AS amount_ledger, r.difference,
        {afas("date_value", "d")} AS date_afas, l.entry_date AS date_ledger,
        {afas("account", "account")} AS account_afas, l.account AS account_ledger,
        {afas("voucher", "voucher")} AS voucher_afas, l.voucher AS voucher_ledger,
        {afas("description", "description")} AS description_afas, l.description AS description_ledger,
        CAST(coalesce({afas("year", "year")}, year(l.entry_date)) AS BIGINT) AS year,
        CAST(coalesce({afas("period", "period")}, month(l.entry_date)) AS BIGINT) AS period,
        NULL::VARCHAR AS item_key
    FROM recon_lines r JOIN recon_line_runs w ON w.run_id = r.run_id AND {which}
    LEFT JOIN ledger_lines l ON l.import_id = w.import_id AND l.line_no = r.line_no
    LEFT JOIN _kept k ON k.run_id = r.run_id AND k.unit_id = r.unit_id AND k.entry_no = r.entry_no
        AND k.seq_no = r.seq_no
    LEFT JOIN {afas_join}"""


_ITEM_COLUMNS = (
    "run_id, result_id, kind, group_id, unit_id, entry_no, seq_no, import_id, line_no, pass, reason, "
    "amount_afas, amount_ledger, difference, date_afas, date_ledger, account_afas, account_ledger, "
    "voucher_afas, voucher_ledger, description_afas, description_ledger, year, period, item_key"
)

# Per run the kept version of each line it saw: the first replaced at or after the run read its
# lines. Kept lines are few (only changed lines that runs reference), so this stays small.
_KEPT = """_kept AS (
    SELECT w.run_id, k.unit_id, k.entry_no, k.seq_no, k.date_value, k.account, k.voucher, k.description,
           k.year, k.period
    FROM recon_line_runs w JOIN recon_kept_lines k
        ON k.source = w.afas_source AND k.date_column = w.date_column AND k.replaced >= w.lines_as_of
    QUALIFY row_number() OVER (PARTITION BY w.run_id, k.unit_id, k.entry_no, k.seq_no
                               ORDER BY k.replaced) = 1)"""


def _signature(sources: Sequence[tuple[str, str]]) -> str:
    return "v3 line sources: " + "; ".join(f"{s}/{d}" for s, d in sources)


def ensure_results_view(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create ``recon_result_rows`` and ``recon_results`` when the stored tables line runs read
    from are not those the view joins (a new source, or a table no longer there)."""
    stored = _main_tables(con)
    pairs = con.execute(
        "SELECT DISTINCT afas_source, date_column FROM recon_line_runs ORDER BY ALL"
    ).fetchall()
    sources = [(s, d) for s, d in pairs if s.lower() in stored and "'" not in s + d]
    signature = _signature(sources)
    found = con.execute(
        "SELECT comment FROM duckdb_views() WHERE view_name = ? AND NOT temporary "
        "AND database_name = current_database()",
        [_VIEW],
    ).fetchall()
    rows_view = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'recon_result_rows' AND NOT temporary "
        "AND database_name = current_database()"
    ).fetchone()[0]
    if found and found[0][0] == signature and rows_view:
        return
    ledger = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'ledger_lines' "
            "AND schema_name = 'main' AND database_name = current_database() ORDER BY column_index"
        ).fetchall()
        if c not in ("import_id", "line_no")
    ]
    reason = _reason(ledger)
    branches = [_branch(s, d, sources, reason) for s, d in sources]
    branches.append(_branch(None, None, sources, reason))
    body = "\nUNION ALL\n".join([*branches, f"SELECT {_ITEM_COLUMNS} FROM recon_items"])
    with contextlib.suppress(duckdb.TransactionException):  # another session replaced it just now
        con.execute(
            f"CREATE OR REPLACE VIEW recon_result_rows AS SELECT {LINE_RESULT_COLUMNS} FROM recon_lines "
            f"UNION ALL SELECT {LINE_RESULT_COLUMNS} FROM recon_items"
        )
        con.execute(f"CREATE OR REPLACE VIEW {_VIEW} AS WITH {_KEPT}\n{body}")
        con.execute(f"COMMENT ON VIEW {_VIEW} IS '{signature}'")


def preserve_referenced_lines(
    con: duckdb.DuckDBPyConnection,
    table: str,
    replacement: str,
    *,
    dates: Sequence[dt.date] | None = None,
    unit_id: int | None = None,
    sync_run: int | None = None,
) -> int:
    """Keep the versions of ``table``'s lines that kept runs read and that a sync is about to
    change or remove; call it in the sync's swap transaction before the old rows go.

    ``replacement`` is the staging table of new rows. A full refresh (``dates`` None) replaces the
    whole table; an incremental one deletes the rows of ``dates`` (of administration ``unit_id``
    when given) and inserts ``replacement``. A line is kept when a run over ``table`` references it,
    the run read this version (it read its lines after the line's last kept version was replaced),
    and the new rows hold it no more or with another date, account, voucher, description, year or
    period (an amount needs no keeping: the run keeps its difference). Returns the versions kept.
    """
    tables = _main_tables(con)
    if "recon_line_runs" not in tables or "recon_kept_lines" not in tables:
        return 0
    source = tables.get(table.lower(), table)
    date_columns = [
        d
        for (d,) in con.execute(
            "SELECT DISTINCT date_column FROM recon_line_runs WHERE afas_source = ?", [source]
        ).fetchall()
    ]
    scope, params = "true", []
    if dates is not None:
        scope = "o.EntryDate IN (SELECT unnest(?::DATE[]))"
        params.append(list(dates))
        if unit_id is not None:
            scope += " AND o.UnitId = ?"
            params.append(unit_id)
    kept = 0
    for date_column in date_columns:
        changed = " OR ".join(
            f"n.{c} IS DISTINCT FROM o.{c}"
            for c in (quote_ident(date_column), "AccountNo", "VoucherNo", "Description", "Year", "Period")
        )
        kept += con.execute(
            f"""INSERT INTO recon_kept_lines
            WITH ref AS (
                SELECT r.unit_id, r.entry_no, r.seq_no, max(w.lines_as_of) AS latest
                FROM recon_lines r JOIN recon_line_runs w USING (run_id)
                WHERE w.afas_source = ? AND w.date_column = ? AND r.entry_no IS NOT NULL GROUP BY ALL),
            last AS (
                SELECT unit_id, entry_no, seq_no, max(replaced) AS replaced FROM recon_kept_lines
                WHERE source = ? AND date_column = ? GROUP BY ALL)
            SELECT ?, o.UnitId, o.EntryNo, o.SeqNo, current_localtimestamp(), ?, ?,
                   {_kept_fields("o", date_column)}
            FROM {quote_ident(source)} o
            JOIN ref ON ref.unit_id = o.UnitId AND ref.entry_no = o.EntryNo AND ref.seq_no = o.SeqNo
            LEFT JOIN last ON last.unit_id = o.UnitId AND last.entry_no = o.EntryNo AND last.seq_no = o.SeqNo
            LEFT JOIN {quote_ident(replacement)} n
                ON n.UnitId = o.UnitId AND n.EntryNo = o.EntryNo AND n.SeqNo = o.SeqNo
            WHERE {scope} AND (last.replaced IS NULL OR ref.latest > last.replaced)
              AND (n.UnitId IS NULL OR {changed})""",
            [source, date_column, source, date_column, source, sync_run, date_column, *params],
        ).fetchone()[0]
    return kept


def prune_kept_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Drop kept versions no run references any more (after runs are deleted)."""
    con.execute(
        """DELETE FROM recon_kept_lines k WHERE NOT EXISTS (
            SELECT 1 FROM recon_line_runs w JOIN recon_lines r USING (run_id)
            WHERE w.afas_source = k.source AND r.unit_id = k.unit_id AND r.entry_no = k.entry_no
              AND r.seq_no = k.seq_no)"""
    )


@before_swap
def _keep_on_swap(
    con: duckdb.DuckDBPyConnection,
    table: str,
    staging: str,
    dates: list[dt.date] | None,
    unit_id: int | None,
    run_id: int,
) -> int:
    return preserve_referenced_lines(con, table, staging, dates=dates, unit_id=unit_id, sync_run=run_id)
