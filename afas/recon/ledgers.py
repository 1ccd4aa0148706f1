"""Import a user's ledger file into DuckDB, all or nothing, and keep mapping profiles.

An import reads the file (:mod:`afas.recon.readers`), applies a mapping (:mod:`afas.recon.mapping`)
and writes one ``ledger_imports`` row plus all its ``ledger_lines`` in one transaction, in bulk from an
Arrow table. Nothing is written when any line cannot be read (unless the user accepts skipping those
lines), when the same file (by SHA-256) was imported before (unless the user wants it twice), or when
anything fails half-way.

Exceptions::

    ValueError
     +-- LedgerFileError     the file or the mapping cannot be used (afas.recon.readers)
     +-- LedgerImportError
          +-- ImportProblems  some lines cannot be read; carries the problems
          +-- DuplicateImport the same file was imported before; names that import
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

import duckdb

from afas.errors import InputError
from afas.recon.mapping import LedgerLine, LineProblem, MappedLedger, Mapping, apply_mapping, suggest_mapping
from afas.recon.readers import LedgerFileError, RawTable, read_ledger_file
from afas.recon.schema import ensure_recon_schema
from afas.warehouse.db import transaction

__all__ = [
    "DuplicateImport",
    "ImportPreview",
    "ImportProblems",
    "ImportResult",
    "LedgerImport",
    "LedgerImportError",
    "delete_import",
    "delete_profile",
    "find_import_by_sha256",
    "import_ledger",
    "list_imports",
    "list_profiles",
    "load_profile",
    "preview_import",
    "save_profile",
]

_FIRST_PROBLEMS = 5


class LedgerImportError(InputError):
    """An import that was refused; nothing was written."""


class ImportProblems(LedgerImportError):
    """Some lines cannot be read; ``problems`` lists them all with their line numbers."""

    def __init__(self, file_name: str, problems: list[LineProblem]) -> None:
        self.problems = problems
        lines = sorted({p.line_no for p in problems})
        first = "; ".join(str(p) for p in problems[:_FIRST_PROBLEMS])
        more = f"; and {len(problems) - _FIRST_PROBLEMS} more" if len(problems) > _FIRST_PROBLEMS else ""
        super().__init__(
            f"{len(lines)} line(s) of {file_name} cannot be read: {first}{more}. Nothing was imported; fix "
            "these lines or the mapping, or import without them."
        )


class DuplicateImport(LedgerImportError):
    """The same file (by content) was imported before; ``earlier`` describes that import."""

    def __init__(self, earlier: LedgerImport) -> None:
        self.earlier = earlier
        super().__init__(
            f"This file was already imported as {earlier.name!r} on {earlier.imported:%Y-%m-%d %H:%M} UTC "
            f"(import {earlier.import_id}, {earlier.rows} lines). Nothing was imported; delete that import "
            "first, or choose to import the file a second time."
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
    """What an import would do, without writing: the raw table, the mapping, the lines and problems."""

    raw: RawTable
    mapping: Mapping
    mapped: MappedLedger
    sha256: str
    duplicate_of: LedgerImport | None

    @property
    def lines(self) -> list[LedgerLine]:
        return self.mapped.lines

    @property
    def problems(self) -> list[LineProblem]:
        return self.mapped.problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _first(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
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
    raw = read_ledger_file(data, file_name, sheet=sheet)
    if mapping is None:
        mapping = suggest_mapping(raw.headers, raw.rows[:200], raw.file_format)
    mapped = apply_mapping(raw, mapping)
    digest = _sha256(data)
    return ImportPreview(raw, mapping, mapped, digest, find_import_by_sha256(con, digest))


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
    raw = read_ledger_file(data, file_name, sheet=sheet)
    mapped = apply_mapping(raw, mapping)
    if mapped.problems and not accept_problems:
        raise ImportProblems(file_name, mapped.problems)
    if not mapped.lines:
        raise LedgerFileError(f"No line of {file_name} can be read, so there is nothing to import.")
    skipped = len({p.line_no for p in mapped.problems})
    # The Arrow table is registered outside the transaction: an aborted transaction refuses unregister.
    view = f"_ledger_lines_{uuid.uuid4().hex}"
    con.register(view, mapped.to_arrow(0))
    try:
        with transaction(con):
            import_id = _first(con, "SELECT coalesce(max(import_id), 0) + 1 FROM ledger_imports")[0]
            con.execute(
                "INSERT INTO ledger_imports (import_id, name, file_name, sha256, file_format, rows, skipped, "
                "mapping_profile, mapping_json, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    name or file_name,
                    file_name,
                    digest,
                    raw.file_format,
                    len(mapped.lines),
                    skipped,
                    profile,
                    mapping.to_json(),
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                ],
            )
            con.execute(
                "INSERT INTO ledger_lines BY NAME "
                f"SELECT * REPLACE (CAST(? AS BIGINT) AS import_id) FROM {view}",
                [import_id],
            )
    finally:
        con.unregister(view)
    return ImportResult(import_id, len(mapped.lines), skipped, list(mapped.problems))


def list_imports(con: duckdb.DuckDBPyConnection) -> list[LedgerImport]:
    """All imports, newest first (``imported`` is UTC)."""
    ensure_recon_schema(con)
    rows = con.execute(f"SELECT {_IMPORT_COLUMNS} FROM ledger_imports ORDER BY import_id DESC").fetchall()
    return [LedgerImport(*row) for row in rows]


def delete_import(con: duckdb.DuckDBPyConnection, import_id: int) -> bool:
    """Delete an import and its lines in one transaction; False when there is no such import."""
    ensure_recon_schema(con)
    with transaction(con):
        found = _first(con, "SELECT count(*) FROM ledger_imports WHERE import_id = ?", [import_id])[0]
        con.execute("DELETE FROM ledger_lines WHERE import_id = ?", [import_id])
        con.execute("DELETE FROM ledger_imports WHERE import_id = ?", [import_id])
    return bool(found)


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
    """The mapping stored under ``name``; KeyError when there is none."""
    ensure_recon_schema(con)
    row = _first(con, "SELECT mapping_json FROM mapping_profiles WHERE name = ?", [name])
    if row is None:
        raise KeyError(f"There is no mapping profile named {name!r}.")
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
