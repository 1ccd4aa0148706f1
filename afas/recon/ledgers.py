"""Import a user's ledger file into DuckDB, all or nothing, and keep mapping profiles.

An import reads the file (:mod:`afas.recon.readers`) into text columns, applies a mapping in DuckDB
(:mod:`afas.recon.mapsql`) and writes one ``ledger_imports`` row plus all its ``ledger_lines`` in one
transaction, the lines in one INSERT ... SELECT. Nothing is written when any line cannot be read
(unless the user accepts skipping those lines), when the same file (by SHA-256) was imported before
(unless the user wants it twice), or when anything fails half-way. Import ids come from a sequence
(:data:`afas.recon.schema.IMPORT_ID_SEQUENCE`), so two imports at the same moment never collide.

:func:`preview_table` and :func:`import_table` work on a file already read (a
:class:`~afas.recon.tables.TextTable`, in memory or staged in a Parquet file): the dashboard reads an
upload once and previews and imports from that (:mod:`afas.recon.staging`).

Exceptions::

    afas.errors.InputError (ValueError)
     +-- LedgerFileError     the file or the mapping cannot be used (afas.recon.readers)
     +-- LedgerImportError
          +-- ImportProblems  some lines cannot be read; carries the problems (the first 1,000) and counts
          +-- DuplicateImport the same file was imported before; names that import
          +-- ImportInUse     corrections were made from it: it is kept (see delete_import)
          +-- UnknownProfile  no column mapping is saved under that name

Deleting an import (:func:`delete_import`) removes everything that exists only because of it: its
lines, its matching runs with their results, and the matches made or undone by hand on it. It is
refused while corrections in the outbox came from its runs (correction_origins, written by
afas.corrections when they are approved): the audit log refers to those results, and deleting them
would take the reason for a correction out of the record. :func:`import_footprint` says beforehand
what a deletion removes, or why it is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import duckdb

from afas.errors import InputError
from afas.i18n import date, ntr, number, tr
from afas.recon.banklayouts import layout_named
from afas.recon.guesses import ReadingNote, reading_notes
from afas.recon.mapping import LedgerLine, LineProblem, MappedLedger, Mapping, apply_mapping, suggest_mapping
from afas.recon.mapsql import MappedSummary, mapped_view
from afas.recon.readers import LedgerFileError, RawTable, read_ledger_table
from afas.recon.results import prune_kept_lines
from afas.recon.schema import IMPORT_ID_SEQUENCE, ensure_recon_schema
from afas.recon.tables import TextTable
from afas.warehouse.db import transaction

__all__ = [
    "DuplicateImport",
    "ImportFootprint",
    "ImportInUse",
    "ImportPreview",
    "ImportProblems",
    "ImportResult",
    "UnknownProfile",
    "LedgerImport",
    "LedgerImportError",
    "delete_import",
    "delete_profile",
    "find_import_by_sha256",
    "import_footprint",
    "import_ledger",
    "import_table",
    "list_imports",
    "list_profiles",
    "load_profile",
    "preview_import",
    "preview_table",
    "save_profile",
    "scratch_connection",
    "suggested_mapping",
]

_FIRST_PROBLEMS = 5


class LedgerImportError(InputError):
    """An import that was refused; nothing was written."""


class UnknownProfile(LedgerImportError):
    """No column mapping is saved under the name asked for."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            tr("There is no saved column mapping named {name}.").format(name=repr(name)),
            tr("Saved mappings: {names}.").format(names=", ".join(known))
            if known
            else tr("No mapping has been saved yet."),
        )


class ImportProblems(LedgerImportError):
    """Some lines cannot be read; ``problems`` lists them with their line numbers (the first 1,000 of
    a large file), ``count`` and ``lines`` say how many problems and lines there are in all."""

    def __init__(
        self, file_name: str, problems: list[LineProblem], count: int | None = None, lines: int | None = None
    ) -> None:
        self.problems = problems
        self.count = len(problems) if count is None else count
        self.lines = len({p.line_no for p in problems}) if lines is None else lines
        first = "; ".join(str(p) for p in problems[:_FIRST_PROBLEMS])
        if self.count > _FIRST_PROBLEMS:
            first = tr("{list}; and {more} more").format(
                list=first, more=number(self.count - _FIRST_PROBLEMS)
            )
        super().__init__(
            tr(
                "{n} line(s) of {name} cannot be read: {problems}. Nothing was imported; fix "
                "these lines or the mapping, or import without them."
            ).format(n=number(self.lines), name=file_name, problems=first)
        )


class DuplicateImport(LedgerImportError):
    """The same file (by content) was imported before; ``earlier`` describes that import."""

    def __init__(self, earlier: LedgerImport) -> None:
        self.earlier = earlier
        super().__init__(
            tr(
                "This file was already imported as {name} on {when} UTC "
                "(import {id}, {rows} lines). Nothing was imported; delete that import "
                "first, or choose to import the file a second time."
            ).format(
                name=repr(earlier.name),
                when=f"{date(earlier.imported)} {earlier.imported:%H:%M}",
                id=earlier.import_id,
                rows=number(earlier.rows),
            )
        )


@dataclass(frozen=True)
class LedgerImport:
    """One row of ``ledger_imports``."""

    import_id: int
    name: str
    file_name: str
    sha256: str
    file_format: str
    rows: int
    skipped: int
    mapping_profile: str | None
    imported: dt.datetime


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    rows: int
    skipped: int
    problems: list[LineProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, without writing: the file as read, the mapping, and what the mapping
    makes of it in numbers and first problems (``summary``; small, whatever the file's size).

    ``raw``, ``mapped`` and ``lines`` turn the whole file into Python objects: meant for small files.
    """

    table: TextTable
    mapping: Mapping
    summary: MappedSummary
    sha256: str
    duplicate_of: LedgerImport | None
    notes: tuple[ReadingNote, ...] = ()
    """How the file is read: every guess and what it rests on, and the checks (afas.recon.guesses)."""

    @property
    def problems(self) -> list[LineProblem]:
        return self.summary.problems

    @cached_property
    def raw(self) -> RawTable:
        return self.table.to_raw()

    @cached_property
    def mapped(self) -> MappedLedger:
        return apply_mapping(self.table, self.mapping)

    @property
    def lines(self) -> list[LedgerLine]:
        return self.mapped.lines


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _first(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> tuple | None:
    """The first row of a query, reading the result to its end (DuckDB refuses new work otherwise)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


_IMPORT_COLUMNS = "import_id, name, file_name, sha256, file_format, rows, skipped, mapping_profile, imported"


def find_import_by_sha256(con: duckdb.DuckDBPyConnection, sha256: str) -> LedgerImport | None:
    """The earliest import of a file with this SHA-256, if any."""
    ensure_recon_schema(con)
    row = _first(
        con,
        f"SELECT {_IMPORT_COLUMNS} FROM ledger_imports WHERE sha256 = ? ORDER BY import_id LIMIT 1",
        [sha256],
    )
    return LedgerImport(*row) if row else None


def scratch_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for mapping a file that is not being imported (the warehouse stays free)."""
    con = duckdb.connect(config={"threads": 1})
    con.execute("SET enable_progress_bar = false")
    return con


def suggested_mapping(table: TextTable) -> Mapping:
    """The mapping of the bank export layout recognised in the table, or else the one suggested from
    its headers and its first 200 rows (the one path the dashboard and the CLI take)."""
    if table.layout is not None:
        return layout_named(table.layout).mapping(table.headers)
    return suggest_mapping(table.headers, table.head(200), table.file_format)


def preview_table(
    con: duckdb.DuckDBPyConnection | None, table: TextTable, mapping: Mapping | None = None
) -> ImportPreview:
    """Map the table without writing (in a scratch database); the mapping is suggested when none is
    given; ``con`` (the warehouse, may be None) says whether the file was imported before.

    Raises :class:`LedgerFileError` when the mapping does not fit the table.
    """
    if mapping is None:
        mapping = suggested_mapping(table)
    scratch = scratch_connection()
    try:
        with mapped_view(scratch, table, mapping) as view:
            summary = view.summary()
    finally:
        scratch.close()
    digest = table.sha256 or ""
    earlier = find_import_by_sha256(con, digest) if con is not None and digest else None
    notes = tuple(reading_notes(table, mapping, summary))  # kept with the preview, which is cached
    return ImportPreview(table, mapping, summary, digest, earlier, notes)


def preview_import(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    mapping: Mapping | None = None,
    sheet: str | int | None = None,
) -> ImportPreview:
    """Read and map the whole file without writing; the mapping is suggested when none is given.

    Raises :class:`LedgerFileError` when the file cannot be read or the mapping does not fit it.
    """
    return preview_table(con, read_ledger_table(data, file_name, sheet=sheet), mapping)


def _next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    """A fresh import id, always a value drawn from the sequence (so two sessions never get the same
    one), and above every id in the table (rows written by hand, by a tool or an older version)."""
    import_id = int(_first(con, f"SELECT nextval('{IMPORT_ID_SEQUENCE}')")[0])
    highest = int(_first(con, "SELECT coalesce(max(import_id), 0) FROM ledger_imports")[0])
    if import_id <= highest:  # draw past the highest id; the last value drawn is ours
        import_id = int(
            _first(
                con, f"SELECT max(nextval('{IMPORT_ID_SEQUENCE}')) FROM range(?)", [highest - import_id + 1]
            )[0]
        )
    return import_id


def import_ledger(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    file_name: str,
    mapping: Mapping,
    name: str | None = None,
    accept_problems: bool = False,
    allow_duplicate: bool = False,
    profile: str | None = None,
    sheet: str | int | None = None,
) -> ImportResult:
    """Import the file as one ledger, all or nothing; returns its import id and line counts.

    Raises :class:`DuplicateImport` for a file imported before (unless ``allow_duplicate``),
    :class:`ImportProblems` when lines cannot be read (unless ``accept_problems``: they are then
    skipped and counted), :class:`LedgerFileError` when the file or mapping cannot be used at all.
    """
    ensure_recon_schema(con)
    digest = _sha256(data)
    earlier = find_import_by_sha256(con, digest)
    if earlier is not None and not allow_duplicate:
        raise DuplicateImport(earlier)
    table = dataclasses.replace(read_ledger_table(data, file_name, sheet=sheet), sha256=digest)
    return import_table(
        con,
        table,
        mapping,
        file_name=file_name,
        name=name,
        accept_problems=accept_problems,
        allow_duplicate=True,
        profile=profile,
    )


def import_table(
    con: duckdb.DuckDBPyConnection,
    table: TextTable,
    mapping: Mapping,
    file_name: str | None = None,
    name: str | None = None,
    accept_problems: bool = False,
    allow_duplicate: bool = False,
    profile: str | None = None,
) -> ImportResult:
    """Import a file already read (see :func:`import_ledger` for the rules and errors); a bank
    statement's balances (``table.balances``) are written with its lines, in the same transaction."""
    ensure_recon_schema(con)
    file_name = file_name or table.file_name or "the file"
    digest = table.sha256 or ""
    if not allow_duplicate and digest:
        earlier = find_import_by_sha256(con, digest)
        if earlier is not None:
            raise DuplicateImport(earlier)
    # The mapped lines are a temporary table made outside the transaction: the transaction only writes.
    with mapped_view(con, table, mapping) as view:
        count, lines, problems = view.problems()
        if count and not accept_problems:
            raise ImportProblems(file_name, problems, count=count, lines=lines)
        rows = view.count()[0]
        if not rows:
            raise LedgerFileError(
                tr("No line of {name} can be read, so there is nothing to import.").format(name=file_name)
            )
        with transaction(con):
            import_id = _next_import_id(con)
            con.execute(
                "INSERT INTO ledger_imports (import_id, name, file_name, sha256, file_format, rows, skipped, "
                "mapping_profile, mapping_json, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    name or file_name,
                    file_name,
                    digest,
                    table.file_format,
                    rows,
                    lines,
                    profile,
                    mapping.to_json(),
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                ],
            )
            con.execute(view.insert_sql(), [import_id])
            if table.balances:  # a bank statement's balances, for the month-end close
                con.executemany(
                    "INSERT INTO statement_balances (import_id, account, statement, date_from, date_to, "
                    "opening, closing, currency, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        [import_id, b.account, b.statement, b.date_from, b.date_to, b.opening, b.closing]
                        + [b.currency, seq]
                        for seq, b in enumerate(table.balances, start=1)
                    ],
                )
    return ImportResult(import_id, rows, lines, list(problems))


def list_imports(con: duckdb.DuckDBPyConnection) -> list[LedgerImport]:
    """All imports, newest first (``imported`` is UTC)."""
    ensure_recon_schema(con)
    rows = con.execute(f"SELECT {_IMPORT_COLUMNS} FROM ledger_imports ORDER BY import_id DESC").fetchall()
    return [LedgerImport(*row) for row in rows]


@dataclass(frozen=True)
class ImportFootprint:
    """What an import left in the warehouse: what deleting it removes, and what keeps it."""

    ledger: LedgerImport
    lines: int
    runs: int  # matching and balance runs of this import
    results: int  # their result rows
    overrides: int  # matches made or undone by hand on its lines
    corrections: int  # outbox items approved from its runs' results (any state)

    @property
    def deletable(self) -> bool:
        return not self.corrections

    def removes(self) -> str:
        """What deleting it removes, in words ("34 lines, 1 matching run and 40 result rows")."""
        parts = [ntr("{n} line", "{n} lines", self.lines).format(n=number(self.lines))]
        if self.runs:
            parts += [
                ntr("{n} matching run", "{n} matching runs", self.runs).format(n=number(self.runs)),
                ntr("{n} result row", "{n} result rows", self.results).format(n=number(self.results)),
            ]
        if self.overrides:
            parts.append(
                ntr(
                    "{n} match made or undone by hand", "{n} matches made or undone by hand", self.overrides
                ).format(n=number(self.overrides))
            )
        if len(parts) == 1:
            return parts[0]
        return tr("{list} and {last}").format(list=", ".join(parts[:-1]), last=parts[-1])

    def refusal(self) -> str:
        """Why it is kept (empty when it may be deleted)."""
        if self.deletable:
            return ""
        return ntr(
            "Ledger #{id} '{name}' is kept: {n} correction in the outbox was made from its differences, "
            "and the audit log refers to them. Deleting it would remove the lines those corrections came "
            "from.",
            "Ledger #{id} '{name}' is kept: {n} corrections in the outbox were made from its differences, "
            "and the audit log refers to them. Deleting it would remove the lines those corrections came "
            "from.",
            self.corrections,
        ).format(id=self.ledger.import_id, name=self.ledger.name, n=number(self.corrections))


class ImportInUse(LedgerImportError):
    """An import corrections were made from: it is not deleted (``footprint`` says how many)."""

    def __init__(self, footprint: ImportFootprint) -> None:
        self.footprint = footprint
        super().__init__(footprint.refusal())


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        _first(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
            [name],
        )[0]
    )


def import_footprint(con: duckdb.DuckDBPyConnection, import_id: int) -> ImportFootprint | None:
    """What import ``import_id`` holds and what depends on it; None when there is no such import."""
    ensure_recon_schema(con)
    row = _first(con, f"SELECT {_IMPORT_COLUMNS} FROM ledger_imports WHERE import_id = ?", [import_id])
    if row is None:
        return None
    corrections = "0"
    if _has_table(con, "correction_origins"):
        corrections = (
            "(SELECT count(DISTINCT o.item_id) FROM correction_origins o "
            "JOIN recon_runs r USING (run_id) WHERE r.import_id = $id)"
        )
    lines, runs, results, overrides, used = _first(
        con,
        f"""SELECT (SELECT count(*) FROM ledger_lines WHERE import_id = $id),
                   (SELECT count(*) FROM recon_runs WHERE import_id = $id),
                   (SELECT count(*) FROM recon_result_rows WHERE run_id IN
                        (SELECT run_id FROM recon_runs WHERE import_id = $id)),
                   (SELECT count(*) FROM recon_overrides WHERE import_id = $id),
                   {corrections}""",
        {"id": import_id},
    )
    return ImportFootprint(LedgerImport(*row), lines, runs, results, overrides, used)


def delete_import(con: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    """Delete an import with its lines, statement balances, runs, results and overrides, in one
    transaction; False when there is no such import. :class:`ImportInUse` when corrections were made
    from it (nothing is deleted then)."""
    ensure_recon_schema(con)
    with transaction(con):
        footprint = import_footprint(con, import_id)
        if footprint is None:
            return False
        if not footprint.deletable:
            raise ImportInUse(footprint)
        runs = "(SELECT run_id FROM recon_runs WHERE import_id = $id)"
        con.execute(f"DELETE FROM recon_field_diffs WHERE run_id IN {runs}", {"id": import_id})
        for table in ("recon_lines", "recon_items", "recon_line_runs"):
            con.execute(f"DELETE FROM {table} WHERE run_id IN {runs}", {"id": import_id})
        con.execute("DELETE FROM recon_runs WHERE import_id = $id", {"id": import_id})
        prune_kept_lines(con)
        con.execute(
            "DELETE FROM recon_override_lines WHERE override_id IN "
            "(SELECT override_id FROM recon_overrides WHERE import_id = $id)",
            {"id": import_id},
        )
        con.execute("DELETE FROM recon_overrides WHERE import_id = $id", {"id": import_id})
        con.execute("DELETE FROM ledger_lines WHERE import_id = $id", {"id": import_id})
        con.execute("DELETE FROM statement_balances WHERE import_id = $id", {"id": import_id})
        con.execute("DELETE FROM ledger_imports WHERE import_id = $id", {"id": import_id})
    return True


def save_profile(con: duckdb.DuckDBPyConnection, name: str, mapping: Mapping) -> None:
    """Store ``mapping`` under ``name``, replacing a profile of that name."""
    if not name.strip():
        raise ValueError("A mapping profile needs a name.")
    ensure_recon_schema(con)
    con.execute(
        "INSERT INTO mapping_profiles (name, mapping_json, updated) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET mapping_json = excluded.mapping_json, updated = excluded.updated",
        [name.strip(), mapping.to_json(), dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )


def load_profile(con: duckdb.DuckDBPyConnection, name: str) -> Mapping:
    """The mapping stored under ``name``; :class:`UnknownProfile` when there is none."""
    ensure_recon_schema(con)
    row = _first(con, "SELECT mapping_json FROM mapping_profiles WHERE name = ?", [name])
    if row is None:
        raise UnknownProfile(name, list_profiles(con))
    return Mapping.from_json(row[0])


def list_profiles(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The names of the stored mapping profiles, alphabetically."""
    ensure_recon_schema(con)
    return [
        row[0] for row in con.execute("SELECT name FROM mapping_profiles ORDER BY lower(name)").fetchall()
    ]


def delete_profile(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Delete a mapping profile; False when there was none of that name."""
    ensure_recon_schema(con)
    found = _first(con, "SELECT count(*) FROM mapping_profiles WHERE name = ?", [name])[0]
    con.execute("DELETE FROM mapping_profiles WHERE name = ?", [name])
    return bool(found)
