"""Reading an uploaded ledger once: the whole file is read and mapped per (file, mapping), not again
on every rerun of the Reconcile page (a widget change reruns the script; a large file would be read
again each time). Whether it was imported before is asked anew every time."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import streamlit as st

from afas.recon.ledgers import ImportPreview, find_import_by_sha256
from afas.recon.mapping import Mapping, apply_mapping, suggest_mapping
from afas.recon.readers import read_ledger_file
from afas.warehouse.db import connection

__all__ = ["preview"]


@st.cache_data(max_entries=4, show_spinner="Reading the file…")
def _read(digest: str, name: str, _data: bytes, mapping_json: str | None) -> ImportPreview:
    raw = read_ledger_file(_data, name)
    if mapping_json:
        mapping = Mapping.from_json(mapping_json)
    else:
        mapping = suggest_mapping(raw.headers, raw.rows[:200], raw.file_format)
    return ImportPreview(raw, mapping, apply_mapping(raw, mapping), digest, None)


def preview(db: Path, data: bytes, name: str, mapping: Mapping | None) -> ImportPreview:
    """What importing ``data`` with ``mapping`` (None: suggested) gives; LedgerFileError if unreadable."""
    digest = hashlib.sha256(data).hexdigest()
    result = _read(digest, name, data, mapping.to_json() if mapping is not None else None)
    with connection(db) as con:
        return dataclasses.replace(result, duplicate_of=find_import_by_sha256(con, digest))
