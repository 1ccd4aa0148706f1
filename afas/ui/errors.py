"""One place that turns errors into what the page shows: plain words and what to do, no traces."""

from __future__ import annotations

import streamlit as st

from afas.profit.errors import AfasAuthError, AfasError

__all__ = ["show_error"]


def show_error(exc: Exception) -> None:
    if isinstance(exc, AfasAuthError):
        st.error(exc.message + "\n\nLikely causes:\n" + "\n".join(f"- {c}" for c in exc.likely_causes))
    elif isinstance(exc, AfasError):
        st.error(str(exc) + (f"\n\n{exc.hint}" if exc.hint and exc.hint not in str(exc) else ""))
    elif isinstance(exc, ValueError):  # input we could not read; messages never echo a token
        st.error(str(exc))
    else:
        st.error(f"Something went wrong ({type(exc).__name__}). Try again; if it persists, restart the app.")
