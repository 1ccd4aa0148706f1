"""Reading an uploaded ledger once, and previews that stay small.

A widget change reruns the page script; a large file must not be read again each time, nor kept in
the server's memory as rows. So the upload is staged once (:func:`afas.recon.staging.stage`: read into
a Parquet file beside the warehouse, large files in a separate process) and only that table's
description is cached, keyed by the file's SHA-256. Each mapping's preview (counts, total, the first
problems) is cached by digest and mapping, small whatever the file's size. Whether the file was
imported before is asked anew every time.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import streamlit as st

from afas.i18n import current, tr
from afas.recon.banklayouts import with_first_line
from afas.recon.ledgers import ImportPreview, find_import_by_sha256, preview_table, suggested_mapping
from afas.recon.mapping import Mapping
from afas.recon.staging import stage
from afas.recon.tables import LedgerFileError, TextTable
from afas.warehouse.db import connection

__all__ = ["first_line", "preview", "read_upload", "staging_dir", "suggestion"]


def staging_dir(db: Path) -> Path:
    """Where uploads are staged: beside the warehouse file, in a folder of its own."""
    return Path(db).parent / "staging"


# The spinners are the callers' (in the session's language: a decorator's text is fixed at import).
@st.cache_data(max_entries=32, show_spinner=False)
def _staged(
    digest: str, name: str, _data: bytes, sheet: str | int | None, directory: str, language: str
) -> TextTable | LedgerFileError:
    # language: part of the cache key only (what is said of the file is said in the session's language)
    # A refusal is kept too: a large file that cannot be read is not read again on every rerun.
    try:
        return stage(_data, name, directory, sheet=sheet, sha256=digest)
    except LedgerFileError as exc:
        return exc


def read_upload(db: Path, data: bytes, name: str, sheet: str | int | None = None) -> TextTable:
    """The upload as a staged table (read once per file); LedgerFileError if it cannot be read."""
    digest = hashlib.sha256(data).hexdigest()
    directory = str(staging_dir(db))
    with st.spinner(tr("Reading the file…")):
        table = _staged(digest, name, data, sheet, directory, current())
        if isinstance(table, TextTable) and (table.path is None or not table.path.exists()):
            _staged.clear()  # pruned since: read it again
            table = _staged(digest, name, data, sheet, directory, current())
    if isinstance(table, LedgerFileError):
        raise table
    return dataclasses.replace(table, file_name=name)


@st.cache_data(max_entries=64, show_spinner=False)
def _preview(
    digest: str, path: str, mapping_json: str | None, _table: TextTable, language: str
) -> ImportPreview:
    # language: part of the cache key only (the preview's notes are in the session's language)
    mapping = Mapping.from_json(mapping_json) if mapping_json else None
    return preview_table(None, _table, mapping)


def preview(db: Path, table: TextTable, mapping: Mapping | None) -> ImportPreview:
    """What importing ``table`` with ``mapping`` (None: suggested) gives; LedgerFileError if it does
    not fit."""
    with st.spinner(tr("Checking every line…")):
        result = _preview(
            table.sha256 or "",
            str(table.path),
            mapping.to_json() if mapping is not None else None,
            table,
            current(),
        )
    with connection(db) as con:
        return dataclasses.replace(result, duplicate_of=find_import_by_sha256(con, table.sha256 or ""))


@st.cache_data(max_entries=64, show_spinner=False)
def _suggestion(digest: str, path: str, sheet: str | int | None, _table: TextTable) -> str:
    return suggested_mapping(_table).to_json()


def suggestion(table: TextTable) -> Mapping:
    """The mapping suggested for ``table`` (read from its first rows once per file and sheet)."""
    return Mapping.from_json(_suggestion(table.sha256 or "", str(table.path), table.sheet, table))


@st.cache_data(max_entries=32, show_spinner=False)
def _first_line(
    digest: str, path: str, sheet: str | int | None, as_data: bool, _table: TextTable
) -> TextTable:
    return with_first_line(_table, as_data=as_data)


def first_line(table: TextTable, as_data: bool) -> TextTable:
    """``table`` with its first line read as a transaction or as the header, as the user chose (once
    per file, sheet and choice: a staged file is rewritten at most once per choice)."""
    if as_data == table.headerless:
        return table
    return _first_line(table.sha256 or "", str(table.path), table.sheet, as_data, table)
