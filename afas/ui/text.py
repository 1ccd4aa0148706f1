"""Showing text that is not ours (file names, headers, cells, AFAS's messages) as plain text.

Streamlit renders the body of ``st.error``, ``st.caption``, ``st.write`` and friends as GitHub
Markdown, with its own directives on top (``:red[...]``, ``:material/icon:``, ``$maths$``) and links
made of bare addresses. A file name such as ``![x](http://host/pixel.png).csv`` would make the
browser fetch that address. :func:`plain` puts CommonMark's backslash escape before every character
that can start such a construct, so the text shows exactly as it is and nothing in it acts:

- anywhere: `` \\ ` * [ ] < > | ~ $ # & @ ``, and ``_`` unless between two letters or digits
  (``Profit_Debtor``: CommonMark never reads such an underscore as emphasis);
- a colon before a letter or a slash (``:red[``, ``:smile:``, ``http://``), and the dot of ``www.``;
- and, since Streamlit makes links of bare addresses and icons of ``:material/name:`` whatever the
  escapes, an invisible word joiner (U+2060) after such a colon, before the dot of ``www.`` and
  before the ``@`` of an e-mail address;
- at the start of a line: list, heading-underline and numbered-list markers (``-``, ``+``, ``=``, ``1.``).

Ordinary punctuation (``Ready: 3 lines, € 1.234,56 (total).``) is left as it is, so messages stay
readable wherever they are shown as text (tests, logs).
"""

from __future__ import annotations

import re

__all__ = ["plain"]

_ALWAYS = re.compile(r"([\\`*\[\]<>|~$#&@]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_COLON = re.compile(r":(?=[A-Za-z/])")
_WWW = re.compile(r"(?i)\b(www)\.")
_LINKABLE = re.compile(r"(?i)(?<=\bwww)(?=\\\.)|(?=\\@)")
_LINE_START = re.compile(r"(?m)^(\s*)([-+=]|\d+(?=[.)]))")


def plain(text: object) -> str:
    """``text`` escaped for any Markdown-rendering Streamlit call; line breaks are kept."""
    out = _ALWAYS.sub(r"\\\1", str(text))
    out = _COLON.sub("\\\\:\u2060", out)
    out = _WWW.sub(r"\1\\.", out)
    # Streamlit links bare addresses and reads :icons: after the Markdown is read, escapes or not: an
    # invisible word joiner inside the marker (after such a colon, before the dot of www., the @) keeps
    # it text.
    out = _LINKABLE.sub("\u2060", out)
    return _LINE_START.sub(_line_start, out)


def _line_start(m: re.Match[str]) -> str:
    indent, marker = m.groups()
    if marker.isdigit():  # "1." / "1)": escape the punctuation that follows the number
        return indent + marker + "\\"
    return indent + "\\" + marker
