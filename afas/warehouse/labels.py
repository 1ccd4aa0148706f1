"""AFAS's own labels of a GetConnector's fields, as its metainfo gave them, per language.

A sync asks metainfo in the interface's language (Accept-Language) and keeps the labels AFAS
answered (table ``field_labels``), so a page can name a field as Profit's screens do ("Nummer
debiteur", "Betalingsvoorwaarde") rather than by its id (DebtorId, PayCon). A language no sync asked
in yet falls back on another language's label, then on the field id: a label is never made up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb

from afas.i18n import Language, current

__all__ = ["field_labels", "store_labels"]


def store_labels(
    con: duckdb.DuckDBPyConnection, connector: str, language: Language, labels: Iterable[tuple[str, str]]
) -> None:
    """Replace the connector's labels in ``language`` by ``labels`` ((field id, label); empty labels
    are left out)."""
    rows = [(connector, fid, language.value, text.strip()) for fid, text in labels if text and text.strip()]
    con.execute("DELETE FROM field_labels WHERE connector = ? AND language = ?", [connector, language.value])
    if rows:
        con.executemany("INSERT INTO field_labels VALUES (?, ?, ?, ?)", rows)


def field_labels(
    con: duckdb.DuckDBPyConnection, connector: str, fields: Sequence[str], language: Language | None = None
) -> dict[str, str]:
    """Each of ``fields`` with AFAS's label: in ``language`` (the current one by default), else in
    the other language a sync asked in, else the field id itself."""
    wanted = (language or current()).value
    try:
        rows = con.execute(
            "SELECT field, label FROM field_labels WHERE connector = ? "
            "ORDER BY (language = ?) DESC, language",
            [connector, wanted],
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before labels were kept
        rows = []
    found: dict[str, str] = {}
    for fid, text in rows:
        found.setdefault(fid, text)
    return {f: found.get(f, f) for f in fields}
