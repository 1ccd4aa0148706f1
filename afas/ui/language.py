"""The language switch: Dutch for a browser that prefers Dutch, else English, until the user picks."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from afas.i18n import NATIVE_NAMES, Language, fall_back_on, language_for, use

__all__ = ["choose_language"]

KEY = "language"


def _session_language() -> Language | None:
    """The language the session chose, when asked from one of its script runs (None elsewhere)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    chosen = st.session_state.get(KEY)
    return Language(chosen) if chosen in set(Language) else None


fall_back_on(_session_language)


def choose_language() -> Language:
    """Show the switch in the sidebar and speak its language in this run. Its first value is the
    browser's preference (``st.context.locale``); the choice is kept for the session."""
    s = st.session_state
    if KEY not in s:
        s[KEY] = language_for(st.context.locale)
    st.sidebar.selectbox("Taal / Language", list(Language), key=KEY, format_func=NATIVE_NAMES.__getitem__)
    language = Language(s[KEY])
    use(language)
    return language
