"""Charts in the user's language: Plotly writes numbers and dates in English (1000, 1,234.5, Jan 2026)
whatever the page speaks, so every chart passes :func:`localized` before it is shown.

Dutch numbers get Dutch separators (1.234,5) and thousands grouped on the axes and in the hover;
dates on an axis are written with numbers (03-2026), since Plotly's month names are English only.
English keeps Plotly's own formats, thousands grouped too.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from afas.i18n import Language, current

__all__ = ["localized", "show_chart"]

_SEPARATORS = {Language.NL: ",.", Language.EN: ".,"}  # decimal mark, then the thousands separator
_DATE_TICKS = {Language.NL: "%m-%Y", Language.EN: "%b %Y"}
_DATE_HOVER = {Language.NL: "%d-%m-%Y", Language.EN: "%d/%m/%Y"}


def localized(figure: Any) -> Any:
    """``figure`` (a plotly Figure) with the current language's number and date formats; returned
    for chaining into ``st.plotly_chart``."""
    language = current()
    figure.update_layout(separators=_SEPARATORS[language])
    for axis in (figure.layout.xaxis, figure.layout.yaxis):
        axis.separatethousands = True
    for trace in figure.data:  # the axis type is decided when drawn: a trace of dates says it now
        if _dates(getattr(trace, "x", None)):
            figure.update_xaxes(
                type="date", tickformat=_DATE_TICKS[language], hoverformat=_DATE_HOVER[language]
            )
            break
    return figure


def show_chart(figure: Any, key: str) -> None:
    """Show ``figure`` in the user's language (:func:`localized`), as widget ``key``."""
    st.plotly_chart(localized(figure), key=key)


def _dates(values: Any) -> bool:
    """True for a trace's values that are dates: numpy datetimes (as px hands pandas' on) or dates."""
    if values is None or not len(values):
        return False
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    return kind == "M" or hasattr(values[0], "year")
