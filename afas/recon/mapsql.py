"""A mapping applied to a whole :class:`~afas.recon.tables.TextTable` in DuckDB.

Every value is read by the same Python functions as before (:mod:`afas.recon.textvalues`), but once
per distinct text instead of once per line: a ledger of a million lines has a few hundred distinct
dates, a handful of currencies and sign markers. Amounts are mostly distinct, so the plain shapes
(``-1234,56``, ``1.234,56``, at most two decimals, no currency sign) are read in SQL, exactly: a
regular expression picks them and a cast to DECIMAL(18,2) reads them, which is what
:func:`~afas.recon.textvalues.parse_amount` gives for those shapes (held to it by a property test);
every other text goes through ``parse_amount`` itself. The lines are then put together in SQL with
DECIMAL arithmetic (debit - credit, the sign column, the flip), never a float.

The result is a temporary table with one row per line: its fields when it can be read, else up to
four problems in the order the lines were always checked (fields count, date, amount, currency) and
an IBAN warning. From it come the preview's counts and first problems, the lines as Python objects
(small files), or the import's one INSERT.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa

from afas.i18n import ptr, tr
from afas.recon.tables import LedgerFileError, TextTable, column_name
from afas.recon.textfiles import PY_WHITESPACE
from afas.recon.textvalues import (
    default_separator,
    detect_date_format,
    detect_decimal_separator,
    iban_is_valid,
    normal,
    parse_amount,
    parse_date,
)
from afas.recon.textvalues import shown as _shown

__all__ = [
    "KEEP_PROBLEMS",
    "TEXT_FIELDS",
    "LineProblem",
    "MappedSummary",
    "MappedView",
    "column_index",
    "mapped_view",
    "sign_of",
]

AUTO = "auto"  # afas.recon.mapping.AUTO: read the format from the values
KEEP_PROBLEMS = 1000
"""Problems kept as objects (the counts are always complete); the page shows 200, a message 5."""

TEXT_FIELDS: tuple[str, ...] = (
    "account",
    "currency",
    "description",
    "voucher",
    "invoice",
    "relation",
    "allocation",
    "counterparty_name",
    "counterparty_iban",
)
_PLAIN_TEXT = ("account", "description", "voucher", "invoice", "relation", "allocation", "counterparty_name")


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line that cannot be read: where, which column, the value (cut short) and why."""

    line_no: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        if self.column:
            return tr("line {line}, column {column}: {reason}").format(
                line=self.line_no, column=repr(self.column), reason=self.reason
            )
        return tr("line {line}: {reason}").format(line=self.line_no, reason=self.reason)


@dataclass(frozen=True)
class MappedSummary:
    """What a mapping makes of a table, in numbers and the first problems (small: fit for a cache)."""

    rows: int  # readable lines
    total: Decimal
    problem_count: int
    problem_lines: int  # distinct lines with a problem
    problems: list[LineProblem]  # the first KEEP_PROBLEMS
    warning_count: int
    warnings: list[LineProblem]
    date_format: str
    decimal_separator: str
    date_from: dt.date | None = None
    date_to: dt.date | None = None


_DEBIT_WORDS = ("d", "db", "dr", "deb", "debet", "debit")
_CREDIT_WORDS = ("c", "cr", "cred", "credit")


def sign_of(text: str, bank: bool = False) -> int | None:
    """+1 for a debit/incoming marker, -1 for a credit/outgoing one, None when unknown.

    With ``bank`` (a bank's own export, :class:`~afas.recon.mapping.SignMeaning` BANK) D/C are the
    bank's: D is money out (-1), C money in (+1); Af/Bij mean the same either way.
    """
    word = normal(text)
    if word in _DEBIT_WORDS:
        return -1 if bank else 1
    if word in _CREDIT_WORDS:
        return 1 if bank else -1
    if word in ("bij", "in", "plus"):
        return 1
    if word in ("af", "out", "min"):
        return -1
    return None


def _shown_list(headers: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in headers[:20])
    if len(headers) > 20:
        return tr("{list} and {more} more").format(list=shown, more=len(headers) - 20)
    return shown


def _field_words(target: str) -> str:
    """A mapped field as the refusal names it ("entry date", "counterparty iban")."""
    words = {
        "entry_date": ptr("mapped field", "entry date"),
        "amount": ptr("mapped field", "amount"),
        "debit": ptr("mapped field", "debit"),
        "credit": ptr("mapped field", "credit"),
        "sign": ptr("mapped field", "sign"),
        "account": ptr("mapped field", "account"),
        "currency": ptr("mapped field", "currency"),
        "description": ptr("mapped field", "description"),
        "voucher": ptr("mapped field", "voucher"),
        "invoice": ptr("mapped field", "invoice"),
        "relation": ptr("mapped field", "relation"),
        "allocation": ptr("mapped field", "allocation"),
        "counterparty_name": ptr("mapped field", "counterparty name"),
        "counterparty_iban": ptr("mapped field", "counterparty iban"),
    }
    return words.get(target) or target.replace("_", " ")


def column_index(headers: Sequence[str], mapping) -> dict[str, int]:
    """The position of each mapped column; LedgerFileError when the date or amount is not mapped or a
    mapped column is not in the file."""
    if not mapping.entry_date:
        raise LedgerFileError(
            tr(
                "The mapping has no date column; choose the column that holds the entry date (the columns in "
                "this file are: {columns})."
            ).format(columns=_shown_list(headers))
        )
    if not (mapping.amount or mapping.debit or mapping.credit):
        raise LedgerFileError(
            tr(
                "The mapping has no amount column; choose the column that holds the amount, or the debit and "
                "credit columns (the columns in this file are: {columns})."
            ).format(columns=_shown_list(headers))
        )
    positions = {header: i for i, header in enumerate(headers)}
    index: dict[str, int] = {}
    for target, column in mapping.columns().items():
        if column not in positions:
            raise LedgerFileError(
                tr(
                    "Column {column} (chosen for {field}) is not in this file; its columns "
                    "are: {columns}. Choose another column, or check that this is the right file."
                ).format(column=repr(column), field=_field_words(target), columns=_shown_list(headers))
            )
        index[target] = positions[column]
    for column in mapping.description_more:
        if column not in positions:
            raise LedgerFileError(
                tr(
                    "Column {column} (chosen as a further description column) is not in this file; its "
                    "columns are: {columns}. Choose another column, or check that this is the right file."
                ).format(column=repr(column), columns=_shown_list(headers))
            )
    return index


# --- reading values once per distinct text --------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _fast_amount(separator: str) -> tuple[str, Callable[[str], str]]:
    """The regular expression of the amounts SQL reads itself, and the SQL that reads one.

    Those are an optional sign, digits (at most 15, or groups of three split by the thousands
    separator) and at most two decimals: no rounding, no currency mark, nothing to go wrong.
    """
    s, t = re.escape(separator), re.escape("." if separator == "," else ",")
    pattern = rf"[+-]?(?:[0-9]{{1,15}}|[0-9]{{1,3}}(?:{t}[0-9]{{3}}){{1,4}})(?:{s}[0-9]{{1,2}})?"
    thousands = "." if separator == "," else ","

    def read(text: str) -> str:
        return f"CAST(replace(replace({text}, '{thousands}', ''), '{separator}', '.') AS DECIMAL(18, 2))"

    return pattern, read


def _lookup(name: str, columns: dict[str, pa.Array]) -> tuple[str, pa.Table]:
    return f"_{name}_{uuid.uuid4().hex}", pa.table(columns)


class _Plan:
    """The mapping resolved against one table: columns, formats, and the lookups registered."""

    def __init__(self, con: duckdb.DuckDBPyConnection, src: str, table: TextTable, mapping) -> None:
        self.con, self.src, self.mapping = con, src, mapping
        self.index = column_index(table.headers, mapping)
        self.more = [table.headers.index(name) for name in mapping.description_more]
        self.bank_signs = str(mapping.sign_meaning) == "bank"
        self.width = len(table.headers)
        self.registered: list[str] = []
        self.amounts_found = False
        self.date_format = mapping.date_format
        self.separator = mapping.decimal_separator
        if self.separator == AUTO:  # the non-empty values among the first 2,000 rows of each column
            texts = [v for t in ("amount", "debit", "credit") for v in self._first(t, 2000) if v]
            self.separator = detect_decimal_separator(texts, default_separator(table.file_format))
        if self.date_format == AUTO:  # the first 1,000 values that are not blank
            self.date_format = detect_date_format(self._first("entry_date", 1000, non_blank=True))

    def col(self, target: str) -> str | None:
        i = self.index.get(target)
        return f"s.{column_name(i)}" if i is not None else None

    def description(self) -> str:
        """The description's text: its column, and the further description columns joined with a
        space (empty ones left out)."""
        parts = [c for c in (self.col("description"),) if c is not None]
        parts += [f"s.{column_name(i)}" for i in self.more]
        if not parts:
            return "CAST(NULL AS VARCHAR)"
        if len(parts) == 1:
            return parts[0]
        return "nullif(concat_ws(' ', " + ", ".join(f"nullif({p}, '')" for p in parts) + "), '')"

    def _first(self, target: str, n: int, non_blank: bool = False) -> list[str]:
        c = self.col(target)
        if c is None:
            return []
        where = f"WHERE {c} IS NOT NULL AND trim({c}, $ws) <> ''" if non_blank else ""
        params = {"ws": PY_WHITESPACE} if non_blank else {}
        return [
            v
            for (v,) in _rows(
                self.con, f"SELECT {c} FROM {self.src} s {where} ORDER BY s.row_no LIMIT {n}", params
            )
        ]

    def _distinct(self, expressions: list[str], where: str = "") -> list[str]:
        parts = [f"SELECT {e} AS v FROM {self.src} s" for e in expressions]
        union = " UNION ".join(parts)
        return [
            v for (v,) in _rows(self.con, f"SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL {where}")
        ]

    def register(self, name: str, columns: dict[str, pa.Array]) -> str:
        view, data = _lookup(name, columns)
        self.con.register(view, data)
        self.registered.append(view)
        return view

    def dates(self) -> str:
        texts = self._distinct([f"nullif({self.col('entry_date')}, '')"])
        values, reasons = [], []
        for text in texts:
            try:
                values.append(parse_date(text, self.date_format))
                reasons.append(None)
            except ValueError as exc:
                values.append(None)
                reasons.append(str(exc))
        return self.register(
            "dates",
            {
                "text": pa.array(texts, pa.string()),
                "value": pa.array(values, pa.date32()),
                "reason": pa.array(reasons, pa.string()),
            },
        )

    def amounts(self) -> tuple[str, str, Callable[[str], str]]:
        pattern, read = _fast_amount(self.separator)
        targets = ("amount",) if self.mapping.amount else ("debit", "credit")
        columns = [f"nullif({c}, '')" for t in targets if (c := self.col(t)) is not None]
        texts: list[str] = []
        if columns:
            union = " UNION ".join(f"SELECT {c} AS v FROM {self.src} s" for c in columns)
            sql = (
                f"SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL AND NOT regexp_full_match(v, $pattern)"
            )
            texts = [v for (v,) in _rows(self.con, sql, {"pattern": pattern})]
        values, reasons = [], []
        for text in texts:
            try:
                values.append(parse_amount(text, self.separator))
                reasons.append(None)
            except ValueError as exc:
                values.append(None)
                reasons.append(str(exc))
        self.amounts_found = bool(texts)
        view = self.register(
            "amounts",
            {
                "text": pa.array(texts, pa.string()),
                "value": pa.array(values, pa.decimal128(18, 2)),
                "reason": pa.array(reasons, pa.string()),
            },
        )
        return view, pattern, read

    def signs(self) -> str | None:
        if not self.mapping.sign:
            return None
        texts = self._distinct([f"coalesce({self.col('sign')}, '')"])
        return self.register(
            "signs",
            {
                "text": pa.array(texts, pa.string()),
                "sign": pa.array([sign_of(t, self.bank_signs) for t in texts], pa.int32()),
            },
        )

    def currencies(self) -> str:
        expressions = [f"nullif({c}, '')"] if (c := self.col("currency")) is not None else []
        texts = self._distinct(expressions) if expressions else []
        default = self.mapping.currency_default
        if default:
            texts = sorted({*texts, default})
        codes, valid = [], []
        for text in texts:
            code = {"€": "EUR", "$": "USD", "£": "GBP"}.get(text.strip(), text.strip().upper())
            codes.append(code)
            valid.append(bool(re.fullmatch(r"[A-Z]{3}", code)))
        return self.register(
            "currencies",
            {
                "text": pa.array(texts, pa.string()),
                "code": pa.array(codes, pa.string()),
                "valid": pa.array(valid, pa.bool_()),
            },
        )

    def ibans(self) -> str:
        c = self.col("counterparty_iban")
        texts = self._distinct([f"nullif({c}, '')"]) if c is not None else []
        norms, warns = [], []
        for text in texts:
            iban = text.replace(" ", "").upper()
            norms.append(iban)
            warns.append(bool(re.match(r"[A-Z]{2}\d{2}", iban) and not iban_is_valid(iban)))
        return self.register(
            "ibans",
            {
                "text": pa.array(texts, pa.string()),
                "norm": pa.array(norms, pa.string()),
                "warn": pa.array(warns, pa.bool_()),
            },
        )

    def release(self) -> None:
        for view in self.registered:
            self.con.unregister(view)
        self.registered.clear()


def _select(plan: _Plan) -> tuple[str, dict[str, object]]:
    """The SELECT that turns the text table into one row per line (fields, problems, warning).

    Three steps: the texts of the mapped columns (empty text counts as none, as it always did) and
    whether each amount has a plain shape; the distinct-text lookups joined on (only those that can
    hold something); then the lines with their problems in the order they were always checked.
    """
    m = plan.mapping
    params: dict[str, object] = {
        "c_date": m.entry_date,
        "c_amount": m.amount,
        "c_debit": m.debit,
        "c_credit": m.credit,
        "c_either": m.debit or m.credit,
        "c_sign": m.sign,
        "c_currency": m.currency,
        "c_iban": m.counterparty_iban,
        "currency_default": m.currency_default,
        # why a line cannot be read, in the session's language
        "r_amount_empty": tr("amount is empty"),
        "r_both_empty": tr("debit and credit are empty"),
        "r_sign": tr("is neither debit (D, Bij) nor credit (C, Af)"),
        "r_too_large": tr("amount is too large"),
        "r_ragged": tr("has {fields} fields where the header has {width}").format(
            fields="{fields}", width=plan.width
        ),
        "r_date_empty": tr("date is empty"),
        "r_currency": tr("currency is not a 3-letter code"),
        "r_iban": tr("IBAN fails its check digits"),
    }

    def text(target: str) -> str:
        c = plan.col(target)
        return c if c is not None else "CAST(NULL AS VARCHAR)"

    amounts, pattern, read = plan.amounts()
    params["pattern"] = pattern
    money = ("amount",) if m.amount else ("debit", "credit")
    texts = [
        "s.row_no",
        "s.line_no",
        "s.ragged",
        f"nullif({text('entry_date')}, '') AS date_text",
        f"coalesce({text('sign')}, '') AS sign_text",
        f"coalesce(nullif({text('currency')}, ''), $currency_default) AS currency_text",
        f"{text('counterparty_iban')} AS iban_text",
        *(f"{plan.description() if f == 'description' else text(f)} AS {f}" for f in _PLAIN_TEXT),
    ]
    for t in money:
        texts.append(f"nullif({text(t)}, '') AS {t}_text")
        texts.append(f"regexp_full_match(nullif({text(t)}, ''), $pattern) AS {t}_fast")

    columns = ["t.*", "dl.value AS date_value", "dl.reason AS date_reason"]
    joins = [f"LEFT JOIN {plan.dates()} dl ON dl.text = t.date_text"]
    for t in money:
        if plan.amounts_found:
            alias = f"al_{t}"
            joins.append(f"LEFT JOIN {amounts} {alias} ON {alias}.text = t.{t}_text AND NOT t.{t}_fast")
            value, reason = f"{alias}.value", f"{alias}.reason"
        else:
            value, reason = "CAST(NULL AS DECIMAL(18, 2))", "CAST(NULL AS VARCHAR)"
        columns.append(f"CASE WHEN t.{t}_fast THEN {read(f't.{t}_text')} ELSE {value} END AS {t}_value")
        columns.append(f"CASE WHEN t.{t}_fast THEN NULL ELSE {reason} END AS {t}_reason")
    signs = plan.signs()
    if signs is not None:
        joins.append(f"LEFT JOIN {signs} sl ON sl.text = t.sign_text")
    columns.append(f"{'sl.sign' if signs is not None else 'CAST(NULL AS INTEGER)'} AS sign")
    if plan.col("currency") is not None or m.currency_default:
        joins.append(f"LEFT JOIN {plan.currencies()} cl ON cl.text = t.currency_text")
        columns += ["cl.code AS currency_code", "cl.valid AS currency_valid"]
    else:
        columns += ["CAST(NULL AS VARCHAR) AS currency_code", "CAST(NULL AS BOOLEAN) AS currency_valid"]
    if plan.col("counterparty_iban") is not None:
        joins.append(f"LEFT JOIN {plan.ibans()} il ON il.text = nullif(t.iban_text, '')")
        columns += ["il.norm AS iban_norm", "il.warn AS iban_warn"]
    else:
        columns += ["CAST(NULL AS VARCHAR) AS iban_norm", "CAST(NULL AS BOOLEAN) AS iban_warn"]
    joined = (
        f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(texts)} FROM {plan.src} s) t {' '.join(joins)}"
    )

    wide = "DECIMAL(38, 2)"
    if m.amount:
        parse_problem = [
            ("amount_text IS NULL", "$c_amount", "NULL", "$r_amount_empty"),
            ("amount_reason IS NOT NULL", "$c_amount", "amount_text", "amount_reason"),
        ]
        raw_amount = f"CAST(amount_value AS {wide})"
    else:
        parse_problem = [
            ("debit_text IS NOT NULL AND debit_reason IS NOT NULL", "$c_debit", "debit_text", "debit_reason"),
            (
                "credit_text IS NOT NULL AND credit_reason IS NOT NULL",
                "$c_credit",
                "credit_text",
                "credit_reason",
            ),
            (
                "debit_text IS NULL AND credit_text IS NULL",
                "$c_either",
                "NULL",
                "$r_both_empty",
            ),
        ]
        raw_amount = f"CAST(coalesce(debit_value, 0) AS {wide}) - CAST(coalesce(credit_value, 0) AS {wide})"
    if m.sign:
        parse_problem.append(("sign IS NULL", "$c_sign", "sign_text", "$r_sign"))
        signed = f"abs({raw_amount}) * sign"
    else:
        signed = raw_amount
    final = f"-({signed})" if m.flip_sign else signed
    parse_problem.append((f"TRY_CAST({final} AS DECIMAL(18, 2)) IS NULL", "NULL", "NULL", "$r_too_large"))
    bad_currency = "currency_text IS NOT NULL AND currency_text <> '' AND NOT currency_valid"

    def case(index: int) -> str:
        return "CASE " + " ".join(f"WHEN {cond} THEN {p[index]}" for cond, *p in parse_problem) + " END"

    sql = f"""
        SELECT row_no, line_no,
               CASE WHEN ragged IS NOT NULL
                    THEN replace($r_ragged, '{{fields}}', CAST(ragged AS VARCHAR)) END AS p1_reason,
               $c_date AS p2_column,
               CASE WHEN date_text IS NOT NULL AND date_reason IS NOT NULL THEN date_text END AS p2_value,
               CASE WHEN date_text IS NULL THEN $r_date_empty ELSE date_reason END AS p2_reason,
               {case(0)} AS p3_column, {case(1)} AS p3_value, {case(2)} AS p3_reason,
               $c_currency AS p4_column,
               CASE WHEN {bad_currency} THEN currency_code END AS p4_value,
               CASE WHEN {bad_currency} THEN $r_currency END AS p4_reason,
               $c_iban AS w_column, iban_norm AS w_value,
               CASE WHEN iban_warn THEN $r_iban END AS w_reason,
               date_value AS entry_date,
               TRY_CAST({final} AS DECIMAL(18, 2)) AS amount,
               CASE WHEN currency_text IS NULL OR currency_text = '' THEN currency_text ELSE currency_code END
                   AS currency,
               CASE WHEN iban_text IS NULL OR iban_text = '' THEN iban_text ELSE iban_norm END
                   AS counterparty_iban,
               {", ".join(_PLAIN_TEXT)}
        FROM ({joined})"""
    return sql, params


# --- the result -----------------------------------------------------------------------------------------

_LINE_COLUMNS = ("line_no", "entry_date", "amount", *TEXT_FIELDS)
_OK = "p1_reason IS NULL AND p2_reason IS NULL AND p3_reason IS NULL AND p4_reason IS NULL"


@dataclass
class MappedView:
    """The mapped table inside a connection (a temporary table), while the ``with`` block lasts."""

    con: duckdb.DuckDBPyConnection
    name: str
    date_format: str
    decimal_separator: str

    def count(self) -> tuple[int, Decimal, object, object]:
        rows, total, first, last = _rows(
            self.con,
            "SELECT count(*), coalesce(sum(amount), 0), min(entry_date), max(entry_date) "
            f"FROM {self.name} WHERE {_OK}",
        )[0]
        return int(rows), Decimal(total), first, last

    def _problems(self, limit: int | None, warnings: bool = False) -> tuple[int, int, list[LineProblem]]:
        if warnings:
            slots = (
                "SELECT row_no, line_no, 0 AS slot, w_column AS col, w_value AS value, w_reason AS reason "
                "FROM m"
            )
        else:
            slots = " UNION ALL ".join(
                f"SELECT row_no, line_no, {i} AS slot, {'NULL' if i == 1 else f'p{i}_column'} AS col, "
                f"{'NULL' if i == 1 else f'p{i}_value'} AS value, p{i}_reason AS reason FROM m"
                for i in (1, 2, 3, 4)
            )
        body = f"WITH m AS (SELECT * FROM {self.name}) SELECT * FROM ({slots}) WHERE reason IS NOT NULL"
        count, lines = _rows(self.con, f"SELECT count(*), count(DISTINCT line_no) FROM ({body})")[0]
        rows = _rows(
            self.con, f"{body} ORDER BY row_no, slot" + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        found = [
            LineProblem(line_no, col, _shown(value) if value is not None else None, reason)
            for _row, line_no, _slot, col, value, reason in rows
        ]
        return int(count), int(lines), found

    def problems(self, limit: int | None = KEEP_PROBLEMS) -> tuple[int, int, list[LineProblem]]:
        """(number of problems, number of lines with one, the first ``limit`` in file order)."""
        return self._problems(limit)

    def warnings(self, limit: int | None = KEEP_PROBLEMS) -> tuple[int, list[LineProblem]]:
        count, _lines, found = self._problems(limit, warnings=True)
        return count, found

    def lines(self) -> list[tuple]:
        """Every readable line as a tuple of :data:`_LINE_COLUMNS`, in file order."""
        return _rows(
            self.con, f"SELECT {', '.join(_LINE_COLUMNS)} FROM {self.name} WHERE {_OK} ORDER BY row_no"
        )

    def summary(self, keep: int = KEEP_PROBLEMS) -> MappedSummary:
        rows, total, date_from, date_to = self.count()
        problem_count, problem_lines, problems = self.problems(keep)
        warning_count, warnings = self.warnings(keep)
        return MappedSummary(
            rows,
            total,
            problem_count,
            problem_lines,
            problems,
            warning_count,
            warnings,
            self.date_format,
            self.decimal_separator,
            date_from,
            date_to,
        )

    def insert_sql(self) -> str:
        """INSERT of the readable lines into ledger_lines (the import id is the one parameter)."""
        return (
            f"INSERT INTO ledger_lines BY NAME SELECT CAST(? AS BIGINT) AS import_id, "
            f"{', '.join(_LINE_COLUMNS)} FROM {self.name} WHERE {_OK}"
        )


@contextmanager
def mapped_view(con: duckdb.DuckDBPyConnection, table: TextTable, mapping) -> Iterator[MappedView]:
    """Map ``table`` with ``mapping`` into a temporary table of ``con`` for the ``with`` block.

    Raises :class:`LedgerFileError` when the mapping lacks the date or amount, or names a column that
    is not in the file.
    """
    name = f"_mapped_{uuid.uuid4().hex}"
    with table.scan(con) as src:
        plan = _Plan(con, src, table, mapping)
        try:
            sql, params = _select(plan)
            used = set(re.findall(r"\$(\w+)", sql))  # DuckDB refuses parameters the SQL does not name
            con.execute(f"CREATE TEMP TABLE {name} AS {sql}", {k: v for k, v in params.items() if k in used})
        finally:
            plan.release()
    try:
        yield MappedView(con, name, plan.date_format, plan.separator)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")
