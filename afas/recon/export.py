"""Export a run's results: an Excel workbook (summary + one sheet per result kind) and CSV.

Sheet names, labels and column headers are in the session's language (English: the column names
of recon_results); the values are not translated (kinds and passes as stored, amounts as numbers).

Amounts are written as numbers with a number format, dates as dates. Every text cell that starts
with = + - @ tab or carriage return is prefixed with a single quote, so neither Excel nor another
spreadsheet takes a description from a ledger file for a formula (CSV/formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from decimal import Decimal
from typing import IO, Any

import duckdb
import xlsxwriter

from afas.i18n import mark, number, ptr, tr
from afas.recon.matching import result_counts
from afas.recon.results import shown_reason_sql
from afas.recon.schema import RESULT_KINDS

__all__ = ["EXPORT_COLUMNS", "SHEET_NAMES", "export_csv", "export_headers", "export_workbook", "neutralise"]

SHEET_NAMES = {
    "matched": mark("Matched"),
    "only_in_afas": mark("Only in AFAS"),
    "only_in_ledger": mark("Only in ledger"),
    "differing": mark("Differing"),
}
"""Each result kind's sheet, in English (tr() gives it in the session's language)."""

EXPORT_COLUMNS = (
    "kind", "group_id", "unit_id", "entry_no", "seq_no", "import_id", "line_no", "item_key", "pass", "reason",
    "amount_afas", "amount_ledger", "difference", "date_afas", "date_ledger",
    "account_afas", "account_ledger",
    "voucher_afas", "voucher_ledger", "description_afas", "description_ledger", "year", "period",
)  # fmt: skip
_AMOUNTS = frozenset({"amount_afas", "amount_ledger", "difference"})


def _column_headers() -> dict[str, str]:
    """Every exported column's header in the session's language (English: the column's name)."""
    return {
        "kind": ptr("export column", "kind"),
        "group_id": ptr("export column", "group_id"),
        "unit_id": ptr("export column", "unit_id"),
        "entry_no": ptr("export column", "entry_no"),
        "seq_no": ptr("export column", "seq_no"),
        "import_id": ptr("export column", "import_id"),
        "line_no": ptr("export column", "line_no"),
        "item_key": ptr("export column", "item_key"),
        "pass": ptr("export column", "pass"),
        "reason": ptr("export column", "reason"),
        "amount_afas": ptr("export column", "amount_afas"),
        "amount_ledger": ptr("export column", "amount_ledger"),
        "difference": ptr("export column", "difference"),
        "date_afas": ptr("export column", "date_afas"),
        "date_ledger": ptr("export column", "date_ledger"),
        "account_afas": ptr("export column", "account_afas"),
        "account_ledger": ptr("export column", "account_ledger"),
        "voucher_afas": ptr("export column", "voucher_afas"),
        "voucher_ledger": ptr("export column", "voucher_ledger"),
        "description_afas": ptr("export column", "description_afas"),
        "description_ledger": ptr("export column", "description_ledger"),
        "year": ptr("export column", "year"),
        "period": ptr("export column", "period"),
        "field": ptr("export column", "field"),
        "value_afas": ptr("export column", "value_afas"),
        "value_ledger": ptr("export column", "value_ledger"),
    }


def export_headers(columns: tuple[str, ...] = EXPORT_COLUMNS) -> list[str]:
    """The header row of ``columns`` in the session's language."""
    headers = _column_headers()
    return [headers[c] for c in columns]


_EXCEL_MAX_ROWS = 1_048_575
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading = + - @ tab or CR gets a single quote before it."""
    return "'" + text if text.startswith(_DANGEROUS) else text


def _rows(con: duckdb.DuckDBPyConnection, run_id: int, kind: str | None) -> duckdb.DuckDBPyConnection:
    cols = ", ".join(shown_reason_sql() if c == "reason" else c for c in EXPORT_COLUMNS)
    return con.cursor().execute(
        f"SELECT {cols} FROM recon_results WHERE run_id = ? AND (? IS NULL OR kind = ?) ORDER BY result_id",
        [run_id, kind, kind],
    )


def _batches(cur: duckdb.DuckDBPyConnection, size: int = 10_000):  # noqa: ANN202
    while batch := cur.fetchmany(size):
        yield from batch


def export_workbook(
    con: duckdb.DuckDBPyConnection, run_id: int, target: str | os.PathLike[str] | IO[bytes]
) -> dict[str, int]:
    """Write the run as an .xlsx workbook to a path or binary stream; returns rows written per sheet.

    A master-data run also gets a sheet of its field-by-field differences.

    Sheets hold at most Excel's 1,048,575 data rows; the summary says when a sheet was cut short.
    """
    run = con.execute(
        "SELECT comparison, import_id, afas_table, started FROM recon_runs WHERE run_id = ?", [run_id]
    ).fetchone()
    if run is None:
        raise ValueError(f"run {run_id} does not exist")
    counts = result_counts(con, run_id)
    totals = {
        k: (a, b, d)
        for k, a, b, d in con.execute(
            "SELECT kind, sum(amount_afas), sum(amount_ledger), sum(difference) FROM recon_results "
            "WHERE run_id = ? GROUP BY kind",
            [run_id],
        ).fetchall()
    }
    to_file = not hasattr(target, "write")
    wb = xlsxwriter.Workbook(
        os.fspath(target) if to_file else target, {"constant_memory": to_file, "in_memory": not to_file}
    )
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    written: dict[str, int] = {}
    try:
        summary = wb.add_worksheet(tr("Summary"))
        summary.set_column(0, 0, 22)
        summary.set_column(1, 4, 16)
        labels = [ptr("export summary", "Run"), tr("Comparison"), tr("Ledger import"), tr("AFAS table")]
        for r, (label, value) in enumerate(zip(labels, (run_id, run[0], run[1], run[2]), strict=True)):
            summary.write_string(r, 0, label, bold)
            _write(summary, r, 1, value, None, money, day)
        headers = [
            tr("Result"),
            tr("Rows"),
            tr("Amount AFAS"),
            tr("Amount ledger"),
            tr("Difference"),
            tr("Note"),
        ]
        summary.write_row(5, 0, headers, bold)
        cut = tr("sheet holds the first {rows} rows; use the CSV export").format(rows=number(_EXCEL_MAX_ROWS))
        for i, kind in enumerate(RESULT_KINDS, start=6):
            summary.write_string(i, 0, tr(SHEET_NAMES[kind]))
            summary.write_number(i, 1, counts[kind])
            for j, v in enumerate(totals.get(kind, (None, None, None)), start=2):
                _write(summary, i, j, v, "amount", money, day)
            if counts[kind] > _EXCEL_MAX_ROWS:
                summary.write_string(i, 5, cut)
        for kind in RESULT_KINDS:
            ws = wb.add_worksheet(tr(SHEET_NAMES[kind]))
            ws.write_row(0, 0, export_headers(), bold)
            ws.freeze_panes(1, 0)
            n = 0
            for n, row in enumerate(_batches(_rows(con, run_id, kind)), start=1):  # noqa: B007
                if n > _EXCEL_MAX_ROWS:
                    n -= 1
                    break
                for c, (name, value) in enumerate(zip(EXPORT_COLUMNS, row, strict=True)):
                    _write(ws, n, c, value, "amount" if name in _AMOUNTS else None, money, day)
            written[kind] = n
        diffs = con.cursor().execute(
            "SELECT item_key, field, value_afas, value_ledger FROM recon_field_diffs WHERE run_id = ? "
            "ORDER BY item_key, field",
            [run_id],
        )
        first = diffs.fetchmany(1)
        if first:
            ws = wb.add_worksheet(tr("Field differences"))
            ws.write_row(0, 0, export_headers(("item_key", "field", "value_afas", "value_ledger")), bold)
            n = 0
            for n, row in enumerate([*first, *_batches(diffs)], start=1):
                if n > _EXCEL_MAX_ROWS:
                    n -= 1
                    break
                for c, value in enumerate(row):
                    _write(ws, n, c, value, None, money, day)
            written["field_differences"] = n
    finally:
        wb.close()
    return written


def _write(ws: Any, r: int, c: int, value: Any, kind: str | None, money: Any, day: Any) -> None:
    if value is None:
        return
    if isinstance(value, Decimal):
        ws.write_number(r, c, float(value), money if kind == "amount" else None)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(r, c, value, day)
    else:
        ws.write_string(r, c, neutralise(str(value)))


def export_csv(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    target: str | os.PathLike[str] | IO[str],
    *,
    kind: str | None = None,
) -> int:
    """Write the run's results (or one kind) as UTF-8 CSV with a header; returns the rows written.

    Amounts are plain numbers with a decimal point (1234.50), dates ISO; text is neutralised.
    """
    if kind is not None and kind not in RESULT_KINDS:
        raise ValueError(f"kind must be one of {RESULT_KINDS}")
    own = not hasattr(target, "write")
    out: IO[str] = open(target, "w", encoding="utf-8", newline="") if own else target  # noqa: SIM115
    try:
        w = csv.writer(out)
        w.writerow(export_headers())
        n = 0
        for n, row in enumerate(_batches(_rows(con, run_id, kind)), start=1):  # noqa: B007
            w.writerow(
                ""
                if v is None
                else neutralise(v)
                if isinstance(v, str)
                else v.isoformat()
                if isinstance(v, dt.date)
                else v
                for v in row
            )
        return n
    finally:
        if own:
            out.close()
