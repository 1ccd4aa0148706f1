"""Tables as a grid shows them: an empty cell where a value is missing, never "None", "nan" or "NaT".

Streamlit's grid writes a missing value as the word "None" unless the page passes
``placeholder=""`` to ``st.dataframe``, which every page does; a finance user would read "None" as a
value (a relation named None?). :func:`for_grid` does the rest: a NaN (which the placeholder does not
cover) becomes missing, text nulls become the empty text (so a CSV or copy of the grid holds no
"None" either), and numbers, dates and amounts keep their type, so they sort and format as numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from afas.i18n import amount, current, number, using

__all__ = ["STYLED_ROWS", "for_grid", "localized_grid", "selection_key"]


def _text_filled(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return pc.fill_null(column, "")
    if pa.types.is_null(column.type):
        return pa.array([""] * len(column), pa.string())
    return column


def for_grid(rows: pa.Table | Sequence[Mapping[str, Any]], drop: Sequence[str] = ()) -> pa.Table:
    """``rows`` (an Arrow table or a list of row dicts) without the ``drop`` columns, text nulls empty.

    Floats that are NaN become missing (null) as well: a NaN is never a figure a user should read.
    """
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(list(rows))
    table = table.drop_columns([c for c in drop if c in table.column_names])
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        columns.append(_text_filled(column))
    return pa.Table.from_arrays(columns, names=table.column_names)


def selection_key(name: str, rows: pa.Table | pd.DataFrame) -> str:
    """The widget key of a grid whose rows can be ticked: ``name`` and a digest of the rows it shows.

    Streamlit keeps a keyed grid's ticked row numbers when its data changes (another filter, a search,
    a new run), so they would then point at other rows than the ones the user ticked, or past the end.
    A key that changes with the rows starts every other table with nothing ticked; the same rows keep
    their ticks across reruns.

    The digest is over the values, not the Arrow buffers: two reads of the same rows may hold other
    bytes under their missing values (the buffers leave those slots undefined), and a key that then
    changed would drop the user's ticks on the next rerun.
    """
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pandas(rows, preserve_index=False)
    digest = hashlib.blake2b(repr(table.schema.remove_metadata()).encode(), digest_size=12)
    for column in table.columns:
        digest.update(repr(column.to_pylist()).encode())
    return f"{name}:{digest.hexdigest()}"


STYLED_ROWS = 2_000
"""Up to this many rows a grid's amounts and counts are written by us (a pandas Styler's display
values); a larger grid leaves them to Streamlit's formats, which follow the browser's locale: styling
costs about a tenth of a second per 500 rows on every rerun."""


def localized_grid(
    rows: pa.Table | pd.DataFrame, money: Sequence[str], counts: Sequence[str] = ()
) -> tuple[Any, dict[str, Any]]:
    """The data and the column_config for ``st.dataframe`` of ``rows`` whose ``money`` columns show as
    amounts and whose ``counts`` columns as whole numbers in the interface's language (€ 1.234,56 and
    14.136 in Dutch, whatever the browser's locale).

    Streamlit's grid formats numbers with the browser's locale only, so a Dutch user whose browser
    speaks English read €1,234.56 beside Dutch text. A Styler's display values are what the grid shows
    while the values stay numbers (DECIMAL, integers): the column still sorts as numbers. Merge the
    returned column_config with the grid's own."""
    from afas.ui.warehouse import COUNT, MONEY

    frame = rows.to_pandas() if isinstance(rows, pa.Table) else rows
    amounts = [c for c in money if c in frame.columns]
    whole = [c for c in counts if c in frame.columns]
    if len(frame) > STYLED_ROWS or not amounts + whole:
        return frame, {**{c: MONEY for c in amounts}, **{c: COUNT for c in whole}}
    language = current()

    def written(show: Any) -> Any:
        def shown(value: Any) -> str:
            if value is None or pd.isna(value):
                return ""
            with using(language):  # the Styler formats when the grid is sent, not here
                return show(value)

        return shown

    styled = frame.style
    if amounts:
        styled = styled.format(written(amount), subset=amounts)
    if whole:
        styled = styled.format(written(number), subset=whole)
    return styled, {}
