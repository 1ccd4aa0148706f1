"""MT940 bank statements read into the fixed columns of :data:`~afas.recon.bankstatements.BANK_HEADERS`
with the mt-940 library; the format that recognises such files is :mod:`afas.recon.formats.mt940`.

The library parses each tag; this module cuts the file into its statements (each from its ``:20:`` to
its closing balance, so a bank's trailing ``:86:`` summary or the next message's header never lands on a
transaction), hands the library its own tag set with three adaptations at the seam, and turns the
parsed fields into rows:

- ``:61:``: a customer reference that is an IBAN of more than 16 characters followed by the
  counterparty's name on the next line (de Volksbank: ASN Bank, SNS, RegioBank), and supplementary
  details running over several lines (ING's hard-wrapped exports);
- amounts and balances written with a decimal point (``000000000300.00``, old Rabobank exports):
  MT940 has no thousands separator, so a single point before at most two decimals is the decimal sign;
- ``:28C:`` hard-wrapped over two lines (``0000`` / ``0``) is one statement number.

The library's logging (it dumps its regular expressions on a mismatch) goes to a logger of our own
that is switched off, so nothing of it reaches stderr; what is wrong reaches the user as a
:class:`~afas.recon.tables.LedgerFileError` in words.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from decimal import Decimal
from typing import Any

from afas.i18n import mark, tr
from afas.recon.bankstatements import (
    BANK_HEADERS,
    StatementBalance,
    balance_notice,
    statement_account,
    unsigned_zero,
)
from afas.recon.tables import LedgerFileError, RawTable
from afas.recon.textfiles import cell as _cell
from afas.recon.textfiles import check_line_lengths as _check_line_lengths
from afas.recon.textfiles import decode as _decode
from afas.recon.textfiles import shown as _shown

__all__ = ["read_mt940"]

_MT940_61 = re.compile(r":61:\d{6}(\d{4})?R?[CDcd][A-Z]?\d[\d,.]*")
# The amount of a :61: line and of a balance line, to check its decimal sign before the library reads it.
_AMOUNT_61 = re.compile(r":61:(?P<date>\d{6})(?P<entry>\d{4})?R?[CDcd][A-Z]? ?(?P<amount>[\d.,]*)")
_AMOUNT_BALANCE = re.compile(r":6[0245][FM]?:[CDcd](?P<date>\d{6})[A-Z]{3}(?P<amount>[\d.,]*)")
_READABLE_AMOUNT = re.compile(r"\d+(,\d*)?|\d{1,14}\.\d{0,2}")

_STATEMENT_START = re.compile(r":20:")
_CLOSING_BALANCE = re.compile(r":62[FM]?:")
_MESSAGE_END = re.compile(r"-(\}.*|XXX)\s*")  # '-}' of a SWIFT block 4, '-XXX' of Van Lanschot
_WIDTH = 65  # the columns of an MT940 :86: line; a line that fills them runs on into the next one

_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_OLD_ACCOUNT = re.compile(r"P?\d{6,10}|NONREF")  # a Dutch account number before IBAN (P: Postbank)
_ACCOUNT = re.compile(rf"{_IBAN.pattern}|P?\d{{6,10}}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
_TRIODOS = re.compile(r"\d{3}>\d{2}")  # Triodos: '000>10<account>>20<text>>21<text>...'
_KNAB = re.compile(
    rf"(?P<text>.*?)\s*REK:\s*(?P<iban>{_IBAN.pattern}|\d{{6,10}})\s*/\s*NAAM:\s*(?P<name>.+?)\s*", re.S
)

_NO_REFERENCE = frozenset(("NONREF", "EREF", "PREF", "NOTPROVIDED"))  # :61: words, not references

_MT940_CODES = frozenset(
    ("EREF", "MARF", "CNTP", "REMI", "NAME", "IBAN", "BIC", "TRTP", "CSID", "ORDP", "BENM", "ULTC", "ULTD")
    + ("ULTB", "PURP", "RTRN", "ID", "SVCL", "ISDT", "ADDR", "PREF", "KREF", "BUSP")
)

_TAG_WORDS = {
    "20": mark("the statement reference (:20:)"),
    "25": mark("the account (:25:)"),
    "28": mark("the statement number (:28C:)"),
    "60": mark("the opening balance (:60F:)"),
    "61": mark("a transaction line (:61:)"),
    "62": mark("the closing balance (:62F:)"),
    "64": mark("the available balance (:64:)"),
    "65": mark("the forward available balance (:65:)"),
    "86": mark("the details of a transaction (:86:)"),
}


def _iban_from_account(text: str) -> str:
    """The IBAN of an MT940 :25: account ('NL91RABO0123456789 EUR', 'NL91RABO0123456789EUR',
    '1567.50.961EUR')."""
    first = (text or "").split()[0] if (text or "").split() else ""
    iban_and_currency = len(first) > 18 and first[-3:].isalpha() and first[:2].isalpha()
    if iban_and_currency or re.fullmatch(r"[\d.]+[A-Z]{3}", first):  # or an account number before IBAN
        first = first[:-3]
    return first


def _mt940_details(details: str) -> dict[str, str]:
    """The codes of a structured :86: line (Rabobank, ING, ABN AMRO): /CODE/value/CODE/value."""
    flat = details.replace("\r", "").replace("\n", "")
    if not flat.startswith("/"):
        return {}
    parts = flat.split("/")[1:]
    found: dict[str, list[str]] = {}
    current: str | None = None
    for part in parts:
        if part in _MT940_CODES and (current is None or part not in found):
            current = part
            found[current] = []
        elif current is not None:
            found[current].append(part)
    return {code: "/".join(values).rstrip("/") for code, values in found.items()}


# --- the library's tags, adapted at the seam ----------------------------------------------------------

_QUIET = logging.Logger("afas.recon.mt940file.library")
_QUIET.disabled = True  # not in the logging tree, and off: the library's regex dumps go nowhere


def _replaced(pattern: str, old: str, new: str, what: str) -> str:
    if old not in pattern:  # the pinned library changed its pattern: adapt this module to it
        raise RuntimeError(f"mt940's {what} pattern no longer holds {old!r}; update afas.recon.mt940file")
    return pattern.replace(old, new, 1)


@functools.cache
def _tags() -> dict[int | str, Any]:
    """The tag set handed to the library: its own tags, the :61:, balance and :28C: tags adapted, each
    with the switched-off logger."""
    from mt940 import tags

    # :61: amount with a decimal point (before the library's comma form, which would stop at the point)
    statement = _replaced(
        tags.Statement.pattern,
        r"(?P<amount>[\d,]{1,15})",
        r"(?P<amount>\d{1,14}\.\d{0,2}(?![\d.,])|[\d,]{1,15})",
        ":61: amount",
    )
    # de Volksbank: the counterparty's IBAN as customer reference (up to 34 characters, up to the line end)
    statement = _replaced(
        statement,
        r"(?P<customer_reference>((?!//)[^\n]){0,16})",
        r"(?P<customer_reference>(?-i:[A-Z]{2}\d{2}[A-Z0-9]{13,30})(?=\n|$)|((?!//)[^\n]){0,16})",
        ":61: customer reference",
    )
    # supplementary details on the same line (old Rabobank: the counterparty's name) or on the next
    # lines (de Volksbank: the name; Rabobank: the counterparty's account; ING: wrapped references)
    statement = _replaced(
        statement,
        r"(\n?(?P<extra_details>.*))?",
        r"((?P<details_on_next_line>\n)?(?P<extra_details>(?s:.*)))?",
        ":61: supplementary details",
    )
    balance = _replaced(
        tags.BalanceBase.pattern,
        r"(?P<amount>[0-9,]{0,16})",
        r"(?P<amount>\d{1,15}\.\d{0,2}(?![\d.,])|[0-9,]{0,16})",
        "balance amount",
    )

    class Statement(tags.Statement):  # the name gives the slug the library's :61: processors key on
        pattern = statement

    class StatementNumber(tags.StatementNumber):
        def parse(self, transactions: Any, value: str) -> dict[str, str | None]:
            return super().parse(transactions, value.replace("\n", ""))  # '0000' / '0': one number

    adapted: dict[type, type] = {tags.Statement: Statement, tags.StatementNumber: StatementNumber}
    for base in (
        tags.OpeningBalance,
        tags.FinalOpeningBalance,
        tags.IntermediateOpeningBalance,
        tags.ClosingBalance,
        tags.IntermediateClosingBalance,
        tags.FinalClosingBalance,
        tags.AvailableBalance,
        tags.ForwardAvailableBalance,
    ):
        adapted[base] = type(base.__name__, (base,), {"pattern": balance})
    found: dict[int | str, Any] = {}
    for tag_id, library_tag in tags.TAG_BY_ID.items():
        tag = adapted.get(type(library_tag), type(library_tag))()
        tag.logger = _QUIET  # the instance's logger, before the class's
        found[tag_id] = tag
    return found


# --- reading -------------------------------------------------------------------------------------------


def read_mt940(data: bytes, file_name: str) -> RawTable:
    import mt940

    _check_line_lengths(data, file_name)
    text, encoding = _decode(data, file_name)
    # one line ending; the DOS end-of-file mark (Ctrl-Z) some banks leave between concatenated statements
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x1a", "").split("\n")
    lines_61 = [i for i, line in enumerate(lines, start=1) if line.startswith(":61:")]
    if not lines_61:
        raise LedgerFileError(
            tr(
                "{name} is an MT940 statement without transaction lines (:61:); it holds only balances. "
                "Export a statement for a period with transactions."
            ).format(name=file_name)
        )
    for number in lines_61:
        if not _MT940_61.match(lines[number - 1]):
            raise LedgerFileError(
                tr(
                    "{name}: line {line} is not a valid MT940 transaction line (:61: needs a date "
                    "YYMMDD, C or D and an amount); the statement is damaged. Download it from the bank "
                    "again."
                ).format(name=file_name, line=number)
            )
    _check_lines(lines, file_name)
    rows: list[tuple[str | None, ...]] = []
    notices: list[str] = []
    balances: list[StatementBalance] = []
    for start, block in _statements(lines):
        statement = mt940.models.Transactions(tags=_tags(), options=mt940.Options.all())
        try:
            statement.parse("\n".join(block))
        except Exception as exc:  # the library raises bare exceptions of several kinds on malformed tags
            raise LedgerFileError(_unreadable(exc, file_name, start, block)) from None
        account = _iban_from_account(str(statement.data.get("account_identification") or ""))
        rows.extend(_row(account, transaction.data) for transaction in statement)
        notice = _statement_notice(statement, account, start, block)
        if notice:
            notices.append(notice)
        found = _closing(statement, account, start, block)
        if found is not None:
            balances.append(found)
    if len(rows) != len(lines_61):
        raise LedgerFileError(
            tr(
                "{name} has {lines} transaction lines (:61:) but {read} can be read; the "
                "statement is damaged. Download it from the bank again."
            ).format(name=file_name, lines=len(lines_61), read=len(rows))
        )
    return RawTable(
        list(BANK_HEADERS),
        rows,
        lines_61,
        "mt940",
        encoding=encoding,
        notices=tuple(notices),
        balances=tuple(balances),
    )


def _check_lines(lines: list[str], file_name: str) -> None:
    """Refuse, naming the line, a :61: or balance line whose date is no date or whose amount's decimal
    sign cannot be told without guessing; and a file whose transaction lines belong to no statement."""
    if not any(_STATEMENT_START.match(line) for line in lines):
        raise LedgerFileError(
            tr(
                "{name} has transaction lines (:61:) but no statement reference (:20:) that starts a "
                "statement; the statement is damaged. Download it from the bank again."
            ).format(name=file_name)
        )
    for number, line in enumerate(lines, start=1):
        found = _AMOUNT_61.match(line) or _AMOUNT_BALANCE.match(line)
        if not found:
            continue
        date, entry = found.group("date"), found.groupdict().get("entry")
        if not (_is_date(date[2:4], date[4:]) and (entry is None or _is_date(entry[:2], entry[2:]))):
            form = tr("YYMMDD, and a booking date MMDD after it") if line.startswith(":61:") else "YYMMDD"
            raise LedgerFileError(
                tr(
                    "{name}: line {line} has the date {date}, which is no date "
                    "(MT940 writes {form}); the statement is damaged. Download it from the bank again."
                ).format(name=file_name, line=number, date=repr(date + (entry or "")), form=form)
            )
        amount = found.group("amount")
        if amount and not _READABLE_AMOUNT.fullmatch(amount):
            raise LedgerFileError(
                tr(
                    "{name}: line {line} has the amount {amount}, which cannot be read as "
                    "one amount (MT940 writes one decimal comma and no thousands separator). Download the "
                    "statement from the bank again, or export it as CAMT.053."
                ).format(name=file_name, line=number, amount=repr(_shown(amount, 20)))
            )


def _is_date(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31  # 30 February: the library takes its last day


def _statements(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Each statement as (its first line's number, its lines): from its :20: line to its closing balance
    (:62F:/:62M:). Without a closing balance it runs to the end of its SWIFT message ('-}', '-XXX') or
    to the next :20:. What follows the closing balance (:64:, :65:, a summary :86:, the trailer and the
    next message's header) belongs to no transaction and is left out."""
    starts = [i for i, line in enumerate(lines) if _STATEMENT_START.match(line)]
    found: list[tuple[int, list[str]]] = []
    for k, start in enumerate(starts):
        body = lines[start : starts[k + 1] if k + 1 < len(starts) else len(lines)]
        end = next((j + 1 for j, line in enumerate(body) if _CLOSING_BALANCE.match(line)), None)
        if end is None:
            end = next((j for j, line in enumerate(body) if _MESSAGE_END.fullmatch(line)), len(body))
        found.append((start + 1, body[:end]))
    return found


def _unreadable(exc: Exception, file_name: str, start: int, block: list[str]) -> str:
    """What the user reads for a tag the library cannot parse: the line and what it holds."""
    advice = tr(
        "the statement is damaged or in a layout this dashboard cannot read. Download it from the bank "
        "again, or export it as CAMT.053."
    )
    from mt940 import tags

    if isinstance(exc, RuntimeError) and len(exc.args) == 3 and isinstance(exc.args[1], tags.Tag):
        tag_id, value = str(exc.args[1].id), str(exc.args[2])
        first = value.split("\n")[0].strip()
        number = next(
            (start + j for j, line in enumerate(block) if line.startswith(f":{tag_id}") and first in line),
            start,
        )
        words = _TAG_WORDS.get(tag_id[:2])
        what = tr(words) if words else tr("the :{tag}: field").format(tag=tag_id)
        held = _shown(" / ".join(value.split("\n")), 60)
        return tr("{name}: line {line} holds {what} that cannot be read ({held}); {advice}").format(
            name=file_name, line=number, what=what, held=repr(held), advice=advice
        )
    return tr(
        "{name}: the statement that starts on line {line} holds a date or amount that cannot be "
        "read; {advice}"
    ).format(name=file_name, line=start, advice=advice)


# the library's keys of a statement's balances, the final one first
_OPENING_KEYS = ("final_opening_balance", "intermediate_opening_balance", "opening_balance")
_CLOSING_KEYS = ("final_closing_balance", "intermediate_closing_balance", "closing_balance")


def _statement_notice(statement: Any, account: str, start: int, block: list[str]) -> str | None:
    """The notice for a statement whose balances do not add up, or that has no closing balance."""
    data = statement.data
    opening = _balance(data, *_OPENING_KEYS)
    closing = _balance(data, *_CLOSING_KEYS)
    number = "".join(_tag_text(block, ("28C", "28")).split())
    reference = _tag_text(block, ("20",)).strip()
    label = " ".join(
        part
        for part in (
            tr("Statement"),
            number,
            tr("of account {account}").format(account=account) if account else "",
            tr("(reference {reference}, from line {line})").format(reference=reference, line=start)
            if reference
            else tr("(from line {line})").format(line=start),
        )
        if part
    )
    if closing is None:
        return tr(
            "{statement} has no closing balance (:62F:), so its lines cannot be checked against it; the "
            "file may be cut off. Download the statement from the bank again, or import it and check its "
            "last lines."
        ).format(statement=label)
    movements = sum((transaction.data["amount"].amount for transaction in statement), Decimal(0))
    return balance_notice(label, opening, movements, closing)


def _closing(statement: Any, account: str, start: int, block: list[str]) -> StatementBalance | None:
    """The statement's balances as kept for the close: its closing balance (:62F:, else :62M:) with
    that balance's date, its opening balance (:60F:, else :60M:) and date; None without a closing
    balance or an account. The amounts are the library's, signed as the lines are (C positive)."""
    data = statement.data
    closing = _balance_of(data, *_CLOSING_KEYS)
    if closing is None or closing.date is None or not account:
        return None
    opening = _balance_of(data, *_OPENING_KEYS)
    number = "".join(_tag_text(block, ("28C", "28")).split()) or _tag_text(block, ("20",)).strip()
    currency = closing.amount.currency or None
    opening_amount = opening.amount.amount if opening is not None else None
    if opening is not None and currency and opening.amount.currency and opening.amount.currency != currency:
        opening_amount = None  # not comparable with the closing balance
    return StatementBalance(
        statement_account(account),
        f"statement {number or f'from line {start}'} of {account}",
        _as_date(opening.date) if opening is not None and opening.date is not None else None,
        _as_date(closing.date),
        unsigned_zero(opening_amount) if opening_amount is not None else None,
        unsigned_zero(closing.amount.amount),
        str(currency) if currency else None,
    )


def _balance_of(data: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys``' balances that holds an amount (the library's Balance), else None."""
    for key in keys:
        balance = data.get(key)
        if isinstance(getattr(getattr(balance, "amount", None), "amount", None), Decimal):
            return balance
    return None


def _as_date(day: Any) -> dt.date:
    return dt.date(day.year, day.month, day.day)


def _balance(data: dict[str, Any], *keys: str) -> Decimal | None:
    found = _balance_of(data, *keys)
    return found.amount.amount if found is not None else None


def _tag_text(block: list[str], tag_ids: tuple[str, ...]) -> str:
    """The text of the first of ``tag_ids`` in ``block``, its wrapped lines joined."""
    for j, line in enumerate(block):
        for tag_id in tag_ids:
            if line.startswith(f":{tag_id}:"):
                text = line[len(tag_id) + 2 :]
                for more in block[j + 1 :]:
                    if more.startswith(":"):
                        break
                    text += more
                return text
    return ""


# --- rows ----------------------------------------------------------------------------------------------


def _row(account: str, values: dict[str, Any]) -> tuple[str | None, ...]:
    details_raw = str(values.get("transaction_details") or "")
    details = _mt940_details(details_raw)
    counterparty = details.get("CNTP", "").split("/")
    line_iban, line_name, reference_is_account = _counterparty_of_61(values)
    text_iban = text_name = ""
    description = ""
    if details:
        remittance = details.get("REMI", "")
        if remittance.startswith(("USTD/", "STRD/")):
            remittance = "/".join(p for p in remittance.split("/")[1:] if p)
        description = remittance
    elif _TRIODOS.match(details_raw):
        text_iban, description = _triodos(details_raw)
    else:
        description = _free_text(details_raw, line_iban, line_name)
        knab = _KNAB.fullmatch(description)
        if knab:
            text_iban, text_name, description = knab["iban"], knab["name"], knab["text"]
    name = (
        details.get("NAME")
        or (counterparty[2] if len(counterparty) > 2 else "")
        or values.get("applicant_name")
        or text_name
        or line_name
    )
    iban = details.get("IBAN") or counterparty[0] or values.get("applicant_iban") or text_iban or line_iban
    description = description or values.get("purpose") or ""
    customer_reference = str(values.get("customer_reference") or "").strip()
    if reference_is_account or customer_reference in _NO_REFERENCE:
        customer_reference = ""  # the account, or a word that says where the reference is (or that none is)
    reference = details.get("EREF") or details.get("PREF") or customer_reference
    amount = values["amount"]
    date = values.get("entry_date") or values.get("date")
    return (
        _date_text(date),
        _date_text(values.get("date")),
        format(amount.amount, "f"),
        str(amount.currency or values.get("currency") or "") or None,
        _cell(description),
        _cell(str(name or "")),
        _cell(str(iban).replace(" ", "")),
        _cell(reference if reference != "NOTPROVIDED" else ""),
        account or None,
    )


def _counterparty_of_61(values: dict[str, Any]) -> tuple[str, str, bool]:
    """The counterparty's account and name that some banks write on the :61: line itself, and whether
    its customer reference is that account rather than a reference.

    - de Volksbank (ASN, SNS, RegioBank): the IBAN as customer reference, the name on the next line;
    - old Rabobank: a 16-character account number (or NONREF), the name after it on the same line;
    - Rabobank: the counterparty's account alone on the next line.
    """
    raw_reference = str(values.get("customer_reference") or "")
    reference = raw_reference.strip()
    extra = " ".join(str(values.get("extra_details") or "").split())
    next_line = bool(values.get("details_on_next_line"))
    if _IBAN.fullmatch(reference) and next_line and extra and not _ACCOUNT.fullmatch(extra):
        return reference, extra, True
    if _IBAN.fullmatch(reference) and len(reference) > 16:  # no reference is that long: the IBAN alone
        return reference, "", True
    if not next_line and extra and len(raw_reference) == 16 and _OLD_ACCOUNT.fullmatch(reference):
        return ("" if reference == "NONREF" else reference), extra, True
    if next_line and _ACCOUNT.fullmatch(extra):
        return extra, "", False
    return "", "", False


def _free_text(details: str, iban: str, name: str) -> str:
    """An unstructured :86: as one line. A line that fills the field's 65 columns runs on into the next
    without a space (banks cut words at the width); a shorter one ends a word. A first line that only
    repeats the counterparty the :61: line gave (de Volksbank) is left out."""
    lines = details.split("\n")
    if iban and name and lines[0].split() == f"{iban} {name}".split():
        lines = lines[1:]
    text = ""
    for i, line in enumerate(lines):
        if i and len(lines[i - 1]) < _WIDTH:
            text += " "
        text += line
    return " ".join(text.split())


def _triodos(details: str) -> tuple[str, str]:
    """The counterparty's account and the description of a Triodos :86: ('000>10<account>>20<text>...'):
    >10 the account, or >20 a BIC and >21 the IBAN; >2x the text in pieces of 27 characters; >31 the
    statement's own account."""
    parts = re.split(r">(\d{2})", details.replace("\n", ""))
    fields = list(zip(parts[1::2], parts[2::2], strict=True))
    account = next((text.strip() for code, text in fields if code == "10" and text.strip("0 ")), "")
    texts = [(code, text) for code, text in fields if code.startswith("2")]
    if len(texts) >= 2 and _BIC.fullmatch(texts[0][1].strip()) and _IBAN.fullmatch(texts[1][1].strip()):
        account, texts = texts[1][1].strip(), texts[2:]
    return account, " ".join("".join(text for _, text in texts).split())


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day).isoformat()
