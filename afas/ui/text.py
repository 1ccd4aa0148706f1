"""Showing text that is not ours (file names, headers, cells, AFAS's messages) as plain text.

Streamlit renders the body of ``st.error``, ``st.caption``, ``st.write`` and friends as Markdown, with
its own directives on top (``:red[...]``, ``:material/icon:``, ``$maths$``). A file name such as
``![x](http://host/pixel.png).csv`` would make the browser fetch that address. :func:`plain` escapes
every ASCII punctuation character with a backslash (CommonMark's escape, which Streamlit's renderer
honours), so the text shows exactly as it is and nothing in it acts.
"""

from __future__ import annotations

import re

__all__ = ["plain"]

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """``text`` escaped for any Markdown-rendering Streamlit call; line breaks are kept."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
