"""The interface's language: Dutch or English texts from one gettext catalogue, and the formats of
amounts, numbers, dates and periods in that language.

The English text is the message id; the Dutch one comes from ``afas/locale/nl/LC_MESSAGES/afas.po``
(a standard gettext catalogue, read with babel, so translators' tools work on it as it is). Code
marks a text with :func:`tr` (:func:`ntr` for a count, :func:`ptr` where one English text reads
differently in two places, :func:`mark` where a constant is defined and tr() translates it later);
``tests/test_i18n.py`` extracts every marked text with babel and fails when one has no Dutch
translation, or the catalogue keeps one no code uses. Worker threads speak the language of the
thread that started them (:func:`carried`).

The language is per browser session (or per CLI run): :func:`use` sets it for the current thread's
context (a contextvar, so two sessions served at once each keep their own), :func:`current` reads
it; the default is English, what tests and the CLI see unless they choose. Dutch is what a browser
that prefers Dutch gets (:func:`language_for` of its locale).

Amounts stay Decimal: :func:`amount` only shows them (€ 1.234,56 in Dutch, €1,234.56 in English).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

__all__ = [
    "CATALOGUE",
    "Language",
    "accept_language",
    "amount",
    "carried",
    "current",
    "date",
    "fall_back_on",
    "grid_datetime_format",
    "language_for",
    "language_of_environment",
    "mark",
    "pmark",
    "ntr",
    "number",
    "period",
    "ptr",
    "tr",
    "use",
    "using",
]


class Language(StrEnum):
    """The languages of the interface; the value is the ISO 639-1 code."""

    NL = "nl"
    EN = "en"


NATIVE_NAMES = {Language.NL: "Nederlands", Language.EN: "English"}
"""Each language in its own words: what the language switch offers (the same in either language)."""

_LOCALES = {Language.NL: "nl_NL", Language.EN: "en_GB"}  # babel locales: € 1.234,56 / €1,234.56
_DATE_PATTERN = {Language.NL: "dd-MM-yyyy", Language.EN: "dd/MM/yyyy"}

CATALOGUE = Path(__file__).resolve().parent / "locale" / "nl" / "LC_MESSAGES" / "afas.po"
"""The Dutch translations of every marked English text."""

KEYWORDS = {"tr": None, "ntr": (1, 2), "ptr": ((1, "c"), 2), "mark": None, "pmark": ((1, "c"), 2)}
"""The marking functions, as babel's extractor reads them (argument positions of the texts)."""

_language: contextvars.ContextVar[Language] = contextvars.ContextVar("afas_language")
_fallback: list[Callable[[], Language | None]] = []


def fall_back_on(resolver: Callable[[], Language | None]) -> None:
    """Where :func:`current` looks when nothing set the language in this context: the dashboard
    registers the session's choice, so a run that starts somewhere else than the page's top (a
    dialog's or fragment's rerun, a widget's callback, on a fresh script thread) still speaks it."""
    _fallback[:] = [resolver]


def current() -> Language:
    """The language of the current session or run: what :func:`use` set in this context, else what
    the registered fallback says (the dashboard's session), else English."""
    try:
        return _language.get()
    except LookupError:
        for resolver in _fallback:
            if (found := resolver()) is not None:
                return found
        return Language.EN


def use(language: Language) -> None:
    """Speak ``language`` from now on in this context (the session's script run, the CLI)."""
    _language.set(Language(language))


def carried() -> dict[str, Any]:
    """Keyword arguments for a ThreadPoolExecutor whose threads speak the current language (a new
    thread starts with the default): ``ThreadPoolExecutor(n, **carried())``."""
    return {"initializer": use, "initargs": (current(),)}


@contextmanager
def using(language: Language) -> Iterator[None]:
    """Speak ``language`` inside the block, then what was spoken before."""
    token = _language.set(Language(language))
    try:
        yield
    finally:
        _language.reset(token)


def accept_language(language: Language | None = None) -> str:
    """What a request to AFAS asks for (Accept-Language), so AFAS's own messages come in the
    interface's language: nl-nl or en-us (the codes AFAS uses); the current language by default."""
    return "nl-nl" if (language or current()) is Language.NL else "en-us"


def language_of_environment(environ: Mapping[str, str]) -> Language:
    """The CLI's language: AFAS_LANGUAGE (nl or en) if set, else the system's locale (LC_ALL,
    LC_MESSAGES, LANG: nl_NL.UTF-8 speaks Dutch)."""
    for name in ("AFAS_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return language_for(environ[name])
    return Language.EN


def language_for(locale: str | None) -> Language:
    """The interface's language for a browser's preferred locale ("nl-NL", "nl-BE", "en-US"...):
    Dutch for any Dutch, else English (the language of the other users AFAS has)."""
    code = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return Language.NL if code == "nl" else Language.EN


@functools.cache
def _dutch() -> dict[tuple[str | None, str], str | tuple[str, ...]]:
    """(context, English text) -> its Dutch translation(s), fuzzy and empty ones left out."""
    with CATALOGUE.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    out: dict[tuple[str | None, str], str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string
        if isinstance(strings, tuple | list):
            if all(strings):
                out[(message.context, msgid)] = tuple(strings)
        elif strings:
            out[(message.context, msgid)] = strings
    return out


def _lookup(context: str | None, text: str) -> str | tuple[str, ...] | None:
    if current() is Language.EN:
        return None
    return _dutch().get((context, text))


def tr(text: str) -> str:
    """``text`` (English, as written in the code) in the current language."""
    found = _lookup(None, text)
    return found if isinstance(found, str) else text


def mark(text: str) -> str:
    """``text`` as it is, marked for the catalogue where it is defined (a table of constants, read in
    any language); :func:`tr` gives it in the current language where it is shown."""
    return text


def pmark(context: str, text: str) -> str:
    """``text`` as it is, marked for the catalogue as worded in ``context`` (:func:`ptr` shows it)."""
    del context
    return text


def ptr(context: str, text: str) -> str:
    """``text`` as worded in ``context`` (gettext's pgettext), in the current language."""
    found = _lookup(context, text)
    return found if isinstance(found, str) else text


def ntr(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language (Dutch and English alike have
    one form for 1 and one for the rest)."""
    found = _lookup(None, singular)
    forms = found if isinstance(found, tuple) and len(found) == 2 else (singular, plural)
    return forms[0] if n == 1 else forms[1]


def amount(value: Decimal | int | None, currency: str = "EUR") -> str:
    """An amount with its currency: € 1.234,56 (Dutch), €1,234.56 (English); '' for None."""
    if value is None:
        return ""
    return format_currency(Decimal(value), currency, locale=_LOCALES[current()])


def number(value: Decimal | int | float | None, decimals: int | None = None) -> str:
    """A count or plain number with the language's separators (1.234 / 1,234); ``decimals`` fixes
    the digits after the separator."""
    if value is None:
        return ""
    if decimals is None:
        return format_decimal(value, locale=_LOCALES[current()])
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[current()])


def date(value: dt.date | dt.datetime | None) -> str:
    """A date: 31-12-2026 (Dutch), 31/12/2026 (English); '' for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, _DATE_PATTERN[current()], locale=_LOCALES[current()])


_GRID_DATETIME = {Language.NL: "DD-MM-YYYY HH:mm", Language.EN: "D MMM YYYY, HH:mm"}
_GRID_DATE = {Language.NL: "DD-MM-YYYY", Language.EN: "DD/MM/YYYY"}


def grid_date_format() -> str:
    """How a grid's date column shows its values (Streamlit's DateColumn format), as :func:`date`
    writes them: 31-12-2026 in Dutch, 31/12/2026 in English."""
    return _GRID_DATE[current()]


def grid_datetime_format() -> str:
    """How a grid's date-and-time column shows its values (Streamlit's DatetimeColumn format, whose
    month names are English): 31-12-2026 14:05 in Dutch, 31 Dec 2026, 14:05 in English."""
    return _GRID_DATETIME[current()]


def period(year: int, number_: int) -> str:
    """A booking period: "periode 3 van 2026" / "period 3 of 2026"."""
    return tr("period {period} of {year}").format(period=int(number_), year=int(year))
