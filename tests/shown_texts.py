"""What a page shows in words, and which of it does not come from the catalogue.

:func:`shown` walks an AppTest's element tree and collects every text a user reads: titles, headers,
captions, Markdown, alerts, the labels, help and placeholders of widgets, buttons, links, tabs and
expanders, metric labels, and the column headers of tables. :func:`not_from_catalogue` returns the
pieces of those texts that are no text of the catalogue in the given language (the Dutch msgstr, or
the English msgid; a ``{field}`` of a text stands for any value). A page whose every text passes
speaks only the catalogue's words, apart from data: numbers and amounts (no letters), identifiers
(Profit_Debtor, KnSalesRelationOrg, UnitId) and what the test names as data.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Metric

from afas.i18n import CATALOGUE, NATIVE_NAMES

__all__ = ["Shown", "not_from_catalogue", "shown"]

_TEXT_ELEMENTS = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "text",
    "error",
    "warning",
    "info",
    "success",
    "exception",
}
_ATTRIBUTES = ("label", "help", "placeholder")
_SAME_IN_EVERY_LANGUAGE = {"Taal / Language", *NATIVE_NAMES.values()}  # the language switch


@dataclass(frozen=True)
class Shown:
    element: str  # "title", "button", "dataframe" ...
    part: str  # "value", "label", "help", "placeholder", "column"
    text: str


def shown(at: AppTest) -> list[Shown]:
    """Every text the page shows now, main area and sidebar."""
    out: list[Shown] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        if isinstance(node, Dataframe):
            out.extend(Shown(kind, "column", header) for header in _headers(node))
            return
        if isinstance(node, Metric):
            out.append(Shown(kind, "label", node.label))
            return
        if kind in _TEXT_ELEMENTS:
            value = getattr(node, "value", None)
            if isinstance(value, str) and value:
                out.append(Shown(kind, "value", value))
        for part in _ATTRIBUTES:
            try:
                value = getattr(node, part, None)
            except Exception:  # noqa: BLE001 - an element without that part
                value = None
            if isinstance(value, str) and value:
                out.append(Shown(kind, part, value))
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)

    walk(at._tree)
    return out


def _headers(table: Dataframe) -> list[str]:
    """A table's column headers as shown: a column's configured label, else its name; hidden ones
    and those left out of the column order are not shown."""
    config = json.loads(table.proto.columns or "{}")
    order = list(table.proto.column_order) or [str(c) for c in table.value.columns]
    out = []
    for name in order:
        column = config.get(name, {})
        if not column.get("hidden"):
            out.append(column.get("label") or name)
    return out


def _literal(text: str) -> str:
    """The text of a page as written, without the escapes afas.ui.text.plain puts in for Markdown."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("\u2060", ""))


@functools.cache
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    texts: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        if language == "nl":
            texts.update(message.string if isinstance(message.string, tuple | list) else [message.string])
        else:
            texts.update(message.id if isinstance(message.id, tuple | list) else [message.id])
    out = []
    for text in sorted(t for t in texts if t):
        for piece in _pieces(text):
            parts, literal = [], ""
            for before, field, _spec, _conv in string.Formatter().parse(piece):
                parts.append(re.escape(before))
                literal += before
                if field is not None:
                    parts.append(r".*")
            if sum(c.isalpha() for c in literal) >= 2:
                out.append(re.compile("".join(parts), re.DOTALL))
    return tuple(out)


_SEPARATORS = re.compile(r"\n+|\s+·\s+")


def _pieces(text: str) -> list[str]:
    """A text cut where a page joins texts: lines and ' · '; list bullets and Markdown bold left out."""
    out = []
    for piece in _SEPARATORS.split(text.replace("**", "")):
        piece = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", piece).strip()
        if piece:
            out.append(piece)
    return out


_IDENTIFIER = re.compile(
    r"^[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+$"  # Profit_Debtor, demo.duckdb
    r"|^[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+$"  # KnSalesRelationOrg, UnitId
    r"|^[A-Z0-9]{2,}$|^#$"  # IBAN, BIC
)


def _is_data(piece: str, data: Iterable[str]) -> bool:
    if not any(c.isalpha() for c in piece) or _IDENTIFIER.match(piece):
        return True
    return piece in _SAME_IN_EVERY_LANGUAGE or any(re.fullmatch(d, piece) for d in data)


def _known(piece: str, patterns: tuple[re.Pattern[str], ...], data: tuple[str, ...]) -> bool:
    """A catalogue text or data; else, cut at its first ': ', a known head and a known rest (a page
    puts a label before a text: 'Amount: the amount is debit minus credit')."""
    if _is_data(piece, data):
        return True
    for candidate in {piece, piece[:1].lower() + piece[1:]}:  # a label capitalised at a line's start
        if any(p.fullmatch(candidate) for p in patterns):
            return True
    head, colon, rest = piece.partition(": ")
    return bool(colon and head and rest) and _known(head, patterns, data) and _known(rest, patterns, data)


def not_from_catalogue(at: AppTest, language: str, data: Iterable[str] = ()) -> list[str]:
    """The pieces of text on the page that are no text of the catalogue in ``language`` (and not data:
    ``data`` holds regular expressions of what the test knows is the user's or AFAS's data)."""
    data = tuple(data)
    patterns = _patterns(language)
    found = []
    for item in shown(at):
        for piece in _pieces(_literal(item.text)):
            if not _known(piece, patterns, data):
                found.append(f"{item.element} {item.part}: {piece!r}")
    return sorted(set(found))
