"""How a ledger file is read, in words: every guess the import makes and what it rests on.

A reader has to guess what a file does not say: whether its first line is a header, which column
is the amount, the decimal separator, the order of day and month, what D and C mean. A
reconciliation that is wrong without saying so is worse than none, so the preview lists each guess
with its evidence ("dates are day-first: '31-01-2026' proves it") and the user can change it before
anything is written. :func:`reading_notes` gives that list for a mapped table; checks that catch a
wrong guess after the fact (all lines add up to zero, the amount column is empty on most lines) are
part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from afas.i18n import number, tr
from afas.recon.banklayouts import layout_named
from afas.recon.mapping import AUTO, Mapping, SignMeaning
from afas.recon.mapsql import MappedSummary
from afas.recon.tables import TextTable
from afas.recon.textvalues import DATE_FORMATS, EXCEL_SERIAL, looks_numeric, parse_date, shown

__all__ = ["ReadingNote", "Subject", "format_words", "reading_notes"]

_SAMPLE_ROWS = 200
_DATE_NAMES = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%b": "mon", "%H": "hh", "%M": "mm"}


class Subject(StrEnum):
    """What a reading note is about (labels: afas.catalogue)."""

    LAYOUT = "layout"
    HEADER = "header"
    AMOUNT = "amount"
    DECIMALS = "decimals"
    DATES = "dates"
    SIGN = "sign"
    CHECK = "check"


@dataclass(frozen=True)
class ReadingNote:
    """One guess (or check) and what it rests on, in a sentence; ``warn`` when it needs a look."""

    subject: Subject
    text: str
    warn: bool = False


def _values(table: TextTable, sample: Sequence[Sequence[str | None]], column: str | None) -> list[str]:
    if column is None or column not in table.headers:
        return []
    index = table.headers.index(column)
    return [v for row in sample if index < len(row) and (v := row[index])]


def format_words(date_format: str) -> str:
    """A strptime format as a user writes it: '%d-%m-%Y' is 'dd-mm-yyyy'."""
    words = date_format
    for code, word in _DATE_NAMES.items():
        words = words.replace(code, word)
    return words


def _swapped(date_format: str) -> str | None:
    """The format with day and month swapped, when that is a format dates are written in (yyyy-dd-mm
    is not: an ISO date is never month-last)."""
    if "%d" in date_format and "%m" in date_format:
        other = date_format.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
        return other if other in DATE_FORMATS else None
    return None


def _parses(value: str, date_format: str) -> bool:
    try:
        parse_date(value, date_format)
    except ValueError:
        return False
    return True


def _date_note(
    values: Sequence[str], date_format: str, mapping: Mapping, by_layout: str | None
) -> ReadingNote:
    if date_format == EXCEL_SERIAL:
        return ReadingNote(Subject.DATES, tr("Dates are Excel day numbers (e.g. 46023 is 01-01-2026)."))
    words = format_words(date_format)
    if mapping.date_format != AUTO and by_layout:
        return ReadingNote(
            Subject.DATES,
            tr("Dates are read as {format}, as the {layout} writes them.").format(
                format=words, layout=by_layout
            ),
        )
    other = _swapped(date_format)
    if other is None:
        if values:
            text = tr("Dates are read as {format} (e.g. {example}).").format(
                format=words, example=repr(shown(values[0]))
            )
        else:
            text = tr("Dates are read as {format}.").format(format=words)
        return ReadingNote(Subject.DATES, text)
    proof = next((v for v in values if _parses(v, date_format) and not _parses(v, other)), None)
    if proof is not None:
        return ReadingNote(
            Subject.DATES,
            tr("Dates are read as {format}: {proof} can only be read so.").format(
                format=words, proof=repr(shown(proof))
            ),
        )
    return ReadingNote(
        Subject.DATES,
        tr(
            "Dates are read as {format}, but every date in the first lines could also be {other} "
            "(no day above 12): check a date against the file, and choose the date format if it is the other."
        ).format(format=words, other=format_words(other)),
        warn=True,
    )


def _decimal_proof(values: Sequence[str], separator: str) -> str | None:
    for value in values:
        digits = value.replace(" ", "")
        if "," in digits and "." in digits and max(",", ".", key=digits.rindex) == separator:
            return value
        if separator in digits and digits.count(separator) == 1:
            tail = digits.rsplit(separator, 1)[1]
            if len(tail.rstrip("-+)")) in (1, 2):
                return value
    return None


def _decimal_note(
    values: Sequence[str], separator: str, mapping: Mapping, by_layout: str | None
) -> ReadingNote:
    name = tr("a decimal comma (1.234,56)") if separator == "," else tr("a decimal point (1,234.56)")
    if mapping.decimal_separator != AUTO and by_layout:
        return ReadingNote(
            Subject.DECIMALS,
            tr("Amounts are read with {separator}, as the {layout} writes them.").format(
                separator=name, layout=by_layout
            ),
        )
    proof = _decimal_proof(values, separator)
    if proof is not None:
        return ReadingNote(
            Subject.DECIMALS,
            tr("Amounts are read with {separator}: {proof} shows it.").format(
                separator=name, proof=repr(shown(proof))
            ),
        )
    if not values:
        return ReadingNote(Subject.DECIMALS, tr("Amounts are read with {separator}.").format(separator=name))
    return ReadingNote(
        Subject.DECIMALS,
        tr(
            "Amounts are read with {separator}, but no amount in the first lines shows which separator the "
            "file uses (such as '1.234' alone): check an amount against the file."
        ).format(separator=name),
        warn=True,
    )


def _sign_note(mapping: Mapping) -> ReadingNote:
    flip = " " + tr("and then negated (flip the sign is on)") if mapping.flip_sign else ""
    if mapping.sign:
        meaning = (
            tr("D (debet) is money out of the account, negative; C is money in (a bank's own export)")
            if mapping.sign_meaning == SignMeaning.BANK
            else tr("D (debet) is a debit, positive; C (credit) negative; Bij is money in, Af out")
        )
        return ReadingNote(
            Subject.SIGN,
            tr("Column {column} gives each amount's sign: {meaning}{flip}.").format(
                column=repr(mapping.sign), meaning=meaning, flip=flip
            ),
        )
    if mapping.debit or mapping.credit:
        return ReadingNote(Subject.SIGN, tr("The amount is debit minus credit{flip}.").format(flip=flip))
    return ReadingNote(
        Subject.SIGN,
        tr("Amounts are taken with their own sign (minus: credit, money out){flip}.").format(flip=flip),
    )


def reading_notes(table: TextTable, mapping: Mapping, summary: MappedSummary) -> list[ReadingNote]:
    """Every guess made in reading ``table`` with ``mapping`` (as ``summary`` resolved it), and the
    checks on the result, in the order a user reads a file: layout, header, amount, numbers, dates,
    sign, checks. The reader's own notices (balances that do not add up, ...) come first."""
    notes = [ReadingNote(Subject.CHECK, notice, warn=True) for notice in table.notices]
    layout = layout_named(table.layout) if table.layout else None
    by_layout = tr(layout.label) if layout else None
    if layout is not None:
        how = (
            tr("the kind of value in each column (it has no header line)")
            if layout.headerless
            else tr("its column names")
        )
        notes.append(
            ReadingNote(
                Subject.LAYOUT, tr("Recognised: {layout}, by {how}.").format(layout=by_layout, how=how)
            )
        )
    sample = table.head(_SAMPLE_ROWS)  # read once: a staged table reads it from its file
    notes += _header_notes(table, sample)
    money = [c for c in (mapping.amount, mapping.debit, mapping.credit) if c]
    basis = tr("as in the {layout}").format(layout=by_layout) if by_layout else tr("its header suggests it")
    if table.file_format in ("mt940", "camt053", "xaf"):
        basis = tr("the file's own amount field")
    if mapping.amount:
        notes.append(
            ReadingNote(
                Subject.AMOUNT,
                tr("The amount is column {column} ({basis}).").format(
                    column=repr(mapping.amount), basis=basis
                ),
            )
        )
    elif money:
        notes.append(
            ReadingNote(
                Subject.AMOUNT,
                tr("Debit is column {debit}, credit {credit} ({basis}).").format(
                    debit=repr(mapping.debit), credit=repr(mapping.credit), basis=basis
                ),
            )
        )
    amounts = [v for c in money for v in _values(table, sample, c)]
    if table.file_format in ("csv", "xlsx"):
        notes.append(_decimal_note(amounts, summary.decimal_separator, mapping, by_layout))
    notes.append(
        _date_note(_values(table, sample, mapping.entry_date), summary.date_format, mapping, by_layout)
    )
    notes.append(_sign_note(mapping))
    notes += _checks(table, sample, mapping, summary)
    return notes


def _header_notes(table: TextTable, sample: Sequence[Sequence[str | None]]) -> list[ReadingNote]:
    if table.file_format not in ("csv", "xlsx"):
        return []
    if table.headerless:
        first = [shown(c) for c in (sample[:1] or [()])[0] if c and c.strip()][:2]
        names = ", ".join(table.headers[:3])
        if table.header_guessed:
            return [
                ReadingNote(
                    Subject.HEADER,
                    tr(
                        "The first line holds values ({values}), not column names, so it is read as the "
                        "first transaction and the columns are named {names}, ...; untick 'The first line "
                        "is a transaction' if it is the header."
                    ).format(values=", ".join(repr(v) for v in first), names=names),
                    warn=table.layout is None,
                )
            ]
        return [
            ReadingNote(
                Subject.HEADER,
                tr("The first line is read as a transaction, as chosen ({names}, ...).").format(names=names),
            )
        ]
    if table.header_line is None:
        return []
    above = ""
    if table.header_line == 2:
        above = " " + tr("(line 1 above it is a title)")
    elif table.header_line > 2:
        above = " " + tr("(lines 1 to {last} above it are a title)").format(last=table.header_line - 1)
    return [
        ReadingNote(
            Subject.HEADER,
            tr(
                "Line {line} is read as the column names{above}; tick 'The first line is a "
                "transaction' if the file has no header line."
            ).format(line=table.header_line, above=above),
        )
    ]


def _checks(
    table: TextTable, sample: Sequence[Sequence[str | None]], mapping: Mapping, summary: MappedSummary
) -> list[ReadingNote]:
    checks: list[ReadingNote] = []
    journal = table.file_format == "xaf" or bool(mapping.debit and mapping.credit)
    if summary.rows and summary.total == Decimal("0.00") and not journal:  # a whole journal adds up to 0
        checks.append(
            ReadingNote(
                Subject.CHECK,
                tr(
                    "The {n} lines add up to exactly {zero}: check that the amount column is the "
                    "right one (a column of zeros reads as amounts too)."
                ).format(n=number(summary.rows), zero=number(0, 2)),
                warn=True,
            )
        )
    for column in (mapping.amount, mapping.debit if not mapping.credit else None):
        if column is None or column not in table.headers or not sample:
            continue
        index = table.headers.index(column)
        filled = [
            row[index] for row in sample if index < len(row) and row[index] and looks_numeric(row[index])
        ]
        nonzero = [v for v in filled if any(ch in "123456789" for ch in v)]
        if len(nonzero) * 2 < len(sample):
            checks.append(
                ReadingNote(
                    Subject.CHECK,
                    tr(
                        "Column {column} holds an amount other than zero on only {n} of the first "
                        "{lines} lines: is it the amount column? Choose another if not."
                    ).format(column=repr(column), n=len(nonzero), lines=len(sample)),
                    warn=True,
                )
            )
    return checks
