"""Ledger cell text to values: amounts (Dutch and English number formats) to Decimal, dates in the
formats other packages export to ``datetime.date``, and IBAN check digits. Pure functions, used by
:mod:`afas.recon.mapping` to read a file's columns.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from afas.errors import InputError
from afas.i18n import mark, tr

__all__ = [
    "DATE_FORMATS",
    "EXCEL_SERIAL",
    "default_separator",
    "looks_numeric",
    "strip_time",
    "detect_date_format",
    "detect_decimal_separator",
    "iban_is_valid",
    "normal",
    "parse_amount",
    "parse_date",
    "shown",
    "typed_amount",
]

EXCEL_SERIAL = "excel"
_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal("1e16")
_SHOWN = 40


def normal(text: str) -> str:
    """Lower-case letters and digits only, accents dropped: how header names and markers are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


def shown(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# --- numbers ------------------------------------------------------------------------------------------

_CURRENCY_MARKS = re.compile(r"(€|\$|£|EUR|USD|GBP|CHF)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def _strip_number(text: str) -> tuple[str, bool]:
    """The digits and separators of ``text`` and whether it is marked negative."""
    value = _SPACES.sub("", _CURRENCY_MARKS.sub("", text))
    negative = False
    if value.startswith("(") and value.endswith(")"):
        value, negative = value[1:-1], True
    if value.endswith("-"):
        value, negative = value[:-1], not negative
    elif value.endswith("+"):
        value = value[:-1]
    if value.startswith("-"):
        value, negative = value[1:], not negative
    elif value.startswith("+"):
        value = value[1:]
    value = _SPACES.sub("", _CURRENCY_MARKS.sub("", value))
    return value, negative


def looks_numeric(text: str) -> bool:
    value, _ = _strip_number(text)
    return bool(re.fullmatch(r"[\d.,]*\d[\d.,]*", value))


def detect_decimal_separator(values: Sequence[str], default: str = ",") -> str:
    """',' or '.' as the decimal separator of these number texts; ``default`` when nothing proves either.

    The default is ',' for text files (Dutch usage) and '.' for workbooks, Parquet and bank statements,
    whose numbers the readers always write with a decimal point.
    """
    votes = {",": 0, ".": 0}
    for text in values:
        value, _ = _strip_number(text)
        if "," in value and "." in value:
            votes[max(",", ".", key=value.rindex)] += 2
        elif "," in value or "." in value:
            mark = "," if "," in value else "."
            if re.fullmatch(rf"\d{{1,3}}(\{mark}\d{{3}})+", value):
                continue  # 1.234 or 1,234: a thousands group, or three decimals; proves nothing
            votes[mark] += 1
    if votes["."] == votes[","]:
        return default
    return "." if votes["."] > votes[","] else ","


def default_separator(file_format: str) -> str:
    return "," if file_format == "csv" else "."


def parse_amount(text: str, decimal_separator: str = ",") -> Decimal:
    """The amount in ``text`` ('1.234,56', '(1.234,56)', '1.234,56-', '€ 1.234,56', '-1234.5').

    Raises ValueError saying why the text is not a number.
    """
    value, negative = _strip_number(text)
    thousands = "." if decimal_separator == "," else ","
    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", value):
        raise ValueError(tr('amount "{text}" is not a number').format(text=shown(text)))
    if value.count(decimal_separator) > 1:
        raise ValueError(
            tr('amount "{text}" is not a number (more than one "{separator}")').format(
                text=shown(text), separator=decimal_separator
            )
        )
    whole, _, fraction = value.partition(decimal_separator)
    if thousands in whole:
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole):
            raise ValueError(
                tr('amount "{text}" is not a number (misplaced "{separator}")').format(
                    text=shown(text), separator=thousands
                )
            )
        whole = whole.replace(thousands, "")
    if thousands in fraction or not (whole or fraction):
        raise ValueError(tr('amount "{text}" is not a number').format(text=shown(text)))
    amount = Decimal(f"{whole or '0'}.{fraction or '0'}")
    if amount >= _MAX_AMOUNT:
        raise ValueError(tr('amount "{text}" is too large').format(text=shown(text)))
    amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return -amount if negative else amount


# --- dates --------------------------------------------------------------------------------------------

DATE_FORMATS = _DATE_FORMATS = (
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m-%d-%Y",
    "%m/%d/%Y",
    "%m.%d.%Y",
    "%d-%m-%y",
    "%d/%m/%y",
    "%d.%m.%y",
    "%m/%d/%y",
)
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def strip_time(text: str) -> str:
    return _TIME_PART.sub("", text.strip())


def parse_date(text: str, date_format: str) -> dt.date:
    """The date in ``text`` read with ``date_format`` (a strptime format or 'excel'); ValueError if not."""
    value = strip_time(text)
    if date_format == EXCEL_SERIAL:
        try:
            serial = Decimal(value)
        except InvalidOperation:
            raise ValueError(
                tr('date "{text}" is not an Excel day number').format(text=shown(text))
            ) from None
        if not 1 <= serial < 2958466:
            raise ValueError(tr('date "{text}" is not an Excel day number').format(text=shown(text)))
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    try:
        if date_format == "%Y%m%d" and not re.fullmatch(r"\d{8}", value):
            raise ValueError
        return dt.datetime.strptime(value, date_format).date()
    except ValueError:
        shown_format = (
            date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy").replace("%y", "yy")
        )
        raise ValueError(
            tr('date "{text}" is not a date like {format}').format(text=shown(text), format=shown_format)
        ) from None


def detect_date_format(values: Sequence[str]) -> str:
    """The format that reads the most of ``values``; day-first wins a tie (Dutch usage)."""
    sample = [v for v in values if v and v.strip()][:1000]
    if not sample:
        return "%d-%m-%Y"
    best, best_hits = "%d-%m-%Y", -1
    for date_format in _DATE_FORMATS:
        hits = 0
        for value in sample:
            try:
                parse_date(value, date_format)
                hits += 1
            except ValueError:
                pass
        if hits > best_hits:
            best, best_hits = date_format, hits
        if hits == len(sample):
            break
    serials = sum(1 for v in sample if re.fullmatch(r"\d{5}(\.\d+)?", strip_time(v)))
    if serials > best_hits and serials:
        return EXCEL_SERIAL
    return best


# --- IBAN ---------------------------------------------------------------------------------------------


def iban_is_valid(iban: str) -> bool:
    """Whether ``iban`` (spaces allowed) passes the ISO 13616 mod-97 check."""
    value = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", value):
        return False
    digits = "".join(str(int(ch, 36)) for ch in value[4:] + value[:4])
    return int(digits) % 97 == 1


def typed_amount(text: str | Decimal, what: str = mark("The amount")) -> Decimal:
    """A typed amount as Decimal with two decimals ("1.234,56", "-12.50", "12,5"); refused in words.
    ``what`` names it in the refusal: an English text marked with ``mark()``, shown translated."""
    if isinstance(text, Decimal):
        value = text
    else:
        raw = str(text).strip().replace(" ", "").replace("€", "")
        if "," in raw and "." in raw:
            raw = (
                raw.replace(".", "").replace(",", ".")
                if raw.rfind(",") > raw.rfind(".")
                else raw.replace(",", "")
            )
        else:
            raw = raw.replace(",", ".")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InputError(
                tr("{what} {text} is not an amount.").format(what=tr(what), text=repr(text)),
                tr("Type it as 1234.56 or 1.234,56."),
            ) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or abs(value) >= Decimal("1e16"):
        raise InputError(
            tr("{what} {text} is not an amount in cents.").format(what=tr(what), text=repr(text)),
            tr("Type at most two decimals."),
        )
    return value.quantize(Decimal("0.01"))
