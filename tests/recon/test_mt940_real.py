"""MT940: every real statement in ../shared/realfiles imports exactly, or is refused in words.

The expectations are the test's own: the number of :61: lines and their signed sum counted here with
this file's regular expressions, the balances of each statement added up here, and for one named line
per file the counterparty and description as they are written in the file (read by eye). Whitespace
runs are compared as one space: the reader collapses the blank padding banks put in :86: lines.

Below the real files: synthetic statements for the adaptations of the mt940 library's tags at the
seam (the :61: customer reference, amounts with a decimal point, a wrapped :28C:) and the refusals.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from afas.recon.bankstatements import BANK_HEADERS
from afas.recon.formats.mt940 import Mt940Statement
from afas.recon.mt940file import read_mt940
from afas.recon.tables import LedgerFileError, RawTable

REALFILES = Path(__file__).resolve().parents[2].parent / "shared" / "realfiles" / "files"
NO_REALFILES = "../shared/realfiles (real bank and ledger exports) is not present beside the project"
needs_realfiles = pytest.mark.skipif(not REALFILES.is_dir(), reason=NO_REALFILES)

# what a message must never show: the library's objects, its exceptions, its regex dumps
INTERNALS = ("<mt940", "object at 0x", "Unable to parse", "matching id=", "Traceback", "(?P<")

# --- the test's own reading of a statement file -------------------------------------------------------

_STATEMENT = re.compile(r"^\x1a?:20:", re.M)  # Ctrl-Z (DOS end of file) may sit before a :20:
_LINE_61 = re.compile(r"^:61:\d{6}(?:\d{4})?(?P<mark>R?[CD])[A-Z]?(?P<amount>\d+[,.]?\d*)", re.M)
_OPENING = re.compile(r"^:60[FM]?:(?P<mark>[CD])\d{6}[A-Z]{3}(?P<amount>\d+[,.]?\d*)", re.M)
_CLOSING = re.compile(r"^:62[FM]?:(?P<mark>[CD])\d{6}[A-Z]{3}(?P<amount>\d+[,.]?\d*)", re.M)
_NUMBER = re.compile(r"^:28C?:(?P<number>[^\n]*(?:\n[^:\n][^\n]*)*)", re.M)


def _text(path: Path) -> str:
    return path.read_bytes().decode("latin-1").replace("\r\n", "\n")


def _signed(match: re.Match[str]) -> Decimal:
    amount = Decimal(match["amount"].replace(",", "."))
    return -amount if match["mark"] in ("D", "RC") else amount  # RD (a debit reversed) brings money in


@dataclass(frozen=True)
class Statement:
    number: str
    opening: Decimal | None
    lines: Decimal
    closing: Decimal | None

    @property
    def adds_up(self) -> bool:
        return (
            self.opening is not None
            and self.closing is not None
            and self.opening + self.lines == self.closing
        )


def _statements(text: str) -> list[Statement]:
    starts = [m.start() for m in _STATEMENT.finditer(text)] + [len(text)]
    found = []
    for start, end in zip(starts, starts[1:], strict=False):
        chunk = text[start:end]
        opening, closing, number = _OPENING.search(chunk), _CLOSING.search(chunk), _NUMBER.search(chunk)
        found.append(
            Statement(
                "".join(number["number"].split()) if number else "",
                _signed(opening) if opening else None,
                sum((_signed(m) for m in _LINE_61.finditer(chunk)), Decimal(0)),
                _signed(closing) if closing else None,
            )
        )
    return found


def _expected_total(text: str) -> Decimal:
    """Closing minus opening summed over the statements whose balances add up; the lines' own sum for
    the others."""
    return sum(
        (s.closing - s.opening if s.adds_up and s.closing is not None and s.opening is not None else s.lines)
        for s in _statements(text)
    )


def _words(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _column(raw: RawTable, name: str) -> list[str | None]:
    at = raw.headers.index(name)
    return [row[at] for row in raw.rows]


# --- what each real file holds, read from the file by eye ----------------------------------------------


@dataclass(frozen=True)
class Expected:
    first: tuple[str, str]  # (value date, booking date) of the first :61: line
    last: tuple[str, str]  # and of the last
    line: str  # the start of one :61: line, as written
    name: str | None
    iban: str | None
    description: str | None
    reference: str | None
    account: str


IMPORTS = {
    "mt940_abn_year_rollover.sta": Expected(
        ("2009-01-01", "2009-01-01"),
        ("2009-12-31", "2010-01-01"),  # value 31-12-2009, booked 01-01-2010
        ":61:0912310101D203,N369NONREF",
        None,
        None,
        "BEA               23.06.09/22.22 VILLA DORIA SCHOTEN,PAS590",
        None,
        "500950253",
    ),
    "mt940_abnamro_jejik.sta": Expected(
        ("2011-05-24", "2011-05-24"),
        ("2011-05-24", "2011-05-24"),
        ":61:1105220523D11,8N426NONREF",
        None,
        None,
        "BEA   NR:XXX1234   22.05.11/14.25 MC DONALDS A44 LEIDEN,PAS999",
        None,
        "517852257",
    ),
    "mt940_asn.940": Expected(
        ("2020-01-01", "2020-01-01"),
        ("2020-01-31", "2020-01-31"),
        ":61:2001010101D65,00NOVBNL47INGB9999999999",
        "hr gjlm paulissen",
        "NL47INGB9999999999",
        "Betaling sieraden",
        None,
        "NL81ASNB9999999999",
    ),
    "mt940_bunq.sta": Expected(
        ("2019-01-31", "2019-01-31"),
        ("2019-05-24", "2019-05-24"),
        ":61:1902090209C75,NTRFNONREF",
        "SRMF WILLEMS",
        "NL97ABNA0479445079",
        "Proficiat",
        None,
        "NL10BUNQ2290325473",
    ),
    "mt940_ing_iban_zl.txt": Expected(
        ("2014-08-25", "2014-08-25"),
        ("2014-08-18", "2014-08-18"),
        ":61:1408200820D5241,00NTRF1850426746401070//14232632703135",
        "BELASTINGDIENST",
        "NL86INGB0002445588",
        None,
        "1850426746401070",  # a customer reference of exactly 16 characters, then the //bank reference
        "NL68INGB0000012345",
    ),
    "mt940_ing_structured_oca.940": Expected(
        ("2014-02-20", "2014-02-20"),
        ("2014-02-20", "2014-02-20"),
        ":61:1402200220C1,57NRTIEREF//00000000001007",
        "J.Janssen",
        "NL32INGB0000012345",
        "Factuurnr 123456 Klantnr 00123",
        "20120123456789",
        "NL77INGB0574908765",
    ),
    "mt940_knab_jejik.sta": Expected(
        ("2014-05-07", "2014-05-07"),
        ("2014-07-29", "2014-07-29"),
        ":61:1407290729D7260,NTRFNONREF//B4G29PGCVO7Q06US",
        "PICQER",
        "NL65INGB0123456789",
        "FACTUUR 201403110, 201403113",
        None,
        "123456789",
    ),
    "mt940_mollie_abn.mt940": Expected(
        ("2016-08-31", "2016-08-31"),
        ("2016-08-31", "2016-08-31"),
        ":61:1608310831D14,69NMSC",
        "Mollie B.V.",  # '/NAME/M' at a line end, 'ollie B.V.' on the next
        "NL80RABO0000000000",
        "Factuurnummer 2016.00000",
        None,  # /EREF/NOTPROVIDED
        "NL30ABNA000000000000",
    ),
    "mt940_rabo_oca.swi": Expected(
        ("2014-01-02", "2014-01-02"),
        ("2014-01-01", "2014-01-01"),
        ":61:140102C000000000400,00N541NONREF",
        "R. SMITH",
        "NL66RABO0160878799",  # on the line after the :61:
        "Test money paid by other partner:",
        None,
        "NL34RABO0142623393",
    ),
    "mt940_rabo_old_dot_decimals.sta": Expected(
        ("2003-01-09", "2003-01-09"),
        ("2003-01-11", "2003-01-11"),
        ":61:030111D000000000500.00NMSC1173113681      ROBECO",
        "ROBECO",
        "1173113681",  # the counterparty's account in the 16 characters before its name
        "AANKOOP FONDSEN",
        None,
        "1700.32.841",
    ),
    "mt940_rabobank_structured_zl.txt": Expected(
        ("2013-04-03", "2013-04-03"),
        ("2013-04-04", "2013-04-04"),
        ":61:130404D000000000585,60N071NONREF",
        "DIVV afd parkeergebouwewn",
        "P004500018",
        "Factuur 307472",
        None,
        "NL50RABO0123456789",
    ),
    "mt940_sns_oca.940": Expected(
        ("2017-12-27", "2017-12-27"),
        ("2017-12-29", "2017-12-29"),
        ":61:1712271227D713,13NOVBNL49RABO0166416932",
        "gerrits glas en schilderwerk",
        "NL49RABO0166416932",
        "Factuur 17227/248/20",
        None,
        "NL05SNSB0908244436",
    ),
    "mt940_triodos_fruitl00p.sta": Expected(
        ("2012-11-23", "2012-11-23"),
        ("2012-11-23", "2012-11-23"),
        ":61:121123D250,00NAC NONREF",
        None,
        "0555555555",  # >10
        "TENAAMSTELLING TEGENREKENING 1111222233334444",  # >20TENAAMSTELLING TEGENREKENIN>21G 1111...
        None,
        "TRIODOSBANK/0666666666",
    ),
    "mt940_two_accounts_zl.txt": Expected(
        ("2012-09-18", "2012-09-18"),
        ("2012-10-28", "2012-10-28"),
        ":61:121028C000000000250,00N6990156750961      ZILVERLINE B.V. /FREEMLE",
        "ZILVERLINE B.V. /FREEMLE",
        "0156750961",
        "Saldo aanvullen",
        None,
        "1325.76.155",  # the statement after the Ctrl-Z keeps its own account
    ),
    "mt940_van_lanschot.txt": Expected(
        ("2014-01-10", "2014-01-10"),
        ("2014-01-22", "2014-01-22"),
        ":61:140110C2716,76NXXX0130045721",
        "ABDFGEKSLJFN ASLDJDKE B.V",
        "NL81RABO0444444444",
        "201400-001",
        "333333333",  # not run on into the :86: summary after the closing balance
        "0878787878",
    ),
}

REFUSALS = {
    "mt940_knab_empty_zl.txt": "is an MT940 statement without transaction lines (:61:); it holds only "
    "balances. Export a statement for a period with transactions.",
}


@needs_realfiles
def test_every_mt940_file_of_the_corpus_has_an_expectation_here():
    assert sorted(p.name for p in REALFILES.glob("mt940_*")) == sorted([*IMPORTS, *REFUSALS])


@needs_realfiles
@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_real_statement_imports_exactly(name):
    path = REALFILES / name
    text = _text(path)
    expected = IMPORTS[name]
    raw = read_mt940(path.read_bytes(), name)
    assert raw.file_format == "mt940" and raw.headers == list(BANK_HEADERS)
    lines_61 = [i for i, line in enumerate(text.split("\n"), start=1) if line.startswith(":61:")]
    assert len(raw.rows) == len(lines_61) > 0
    assert raw.line_numbers == lines_61
    assert sum(Decimal(a) for a in _column(raw, "amount") if a) == _expected_total(text)
    dates = list(zip(_column(raw, "value_date"), _column(raw, "date"), strict=True))
    assert (dates[0], dates[-1]) == (expected.first, expected.last)

    line = next(
        i for i, text_line in enumerate(text.split("\n"), start=1) if text_line.startswith(expected.line)
    )
    row = dict(zip(raw.headers, raw.rows[raw.line_numbers.index(line)], strict=True))
    assert Decimal(row["amount"]) == _signed(_LINE_61.match(expected.line))
    assert row["counterparty_name"] == expected.name
    assert row["counterparty_iban"] == expected.iban
    assert _words(row["description"]) == _words(expected.description)
    assert row["reference"] == expected.reference
    assert row["account"] == expected.account
    assert set(_column(raw, "currency")) <= set(re.findall(r"^:60[FM]?:[CD]\d{6}([A-Z]{3})", text, re.M))


@needs_realfiles
@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_a_notice_for_each_statement_whose_balances_do_not_add_up(name):
    text = _text(REALFILES / name)
    raw = read_mt940((REALFILES / name).read_bytes(), name)
    off = [s for s in _statements(text) if not s.adds_up]
    assert len(raw.notices) == len(off)
    for statement, notice in zip(off, raw.notices, strict=True):
        assert notice.startswith(f"Statement {statement.number} of account ")
        if statement.closing is None:
            assert "has no closing balance (:62F:)" in notice
        else:
            assert statement.opening is not None
            assert (
                f"(a difference of {statement.closing - statement.opening - statement.lines:,.2f})" in notice
            )
        assert not any(word in notice for word in INTERNALS)


@needs_realfiles
def test_which_real_statements_carry_notices():
    """Anonymised fixtures whose balances were not kept in step with their lines, and one cut off."""
    with_notices = set()
    for name in IMPORTS:
        if any(not s.adds_up for s in _statements(_text(REALFILES / name))):
            with_notices.add(name)
            assert read_mt940((REALFILES / name).read_bytes(), name).notices
    assert {"mt940_abn_year_rollover.sta", "mt940_sns_oca.940"} <= with_notices  # 17369.99 - 4 x 203
    assert "mt940_asn.940" not in with_notices and "mt940_ing_structured_oca.940" not in with_notices


@needs_realfiles
def test_year_end_and_day_month_order_of_booking_dates():
    raw = read_mt940((REALFILES / "mt940_abn_year_rollover.sta").read_bytes(), "rollover.sta")
    dates = list(zip(_column(raw, "value_date"), _column(raw, "date"), strict=True))
    assert dates == [  # :61:0901010101, 0901010102, 0901010201, 0912310101: YYMMDD then MMDD
        ("2009-01-01", "2009-01-01"),
        ("2009-01-01", "2009-01-02"),
        ("2009-01-01", "2009-02-01"),
        ("2009-12-31", "2010-01-01"),
    ]


@needs_realfiles
def test_de_volksbank_descriptions_read_as_65_column_text():
    raw = read_mt940((REALFILES / "mt940_asn.940").read_bytes(), "asn.940")
    rows = [dict(zip(raw.headers, row, strict=True)) for row in raw.rows]
    ics = rows[2]  # :61:2001050105D801,55NIDBNL08ABNA9999999999 / international card services
    assert (ics["counterparty_name"], ics["counterparty_iban"]) == (
        "international card services",
        "NL08ABNA9999999999",
    )
    # 'Betaling aan I' fills its 65 columns; 'CS 99999999999 ...' goes on
    assert "Betaling aan ICS 99999999999 ICS Referentie: 2020-01-05 19:47" in ics["description"]
    assert not any("NL08ABNA9999999999" in (r["description"] or "") for r in rows)  # not repeated there
    sns = read_mt940((REALFILES / "mt940_sns_oca.940").read_bytes(), "sns.940")
    card = dict(zip(sns.headers, sns.rows[1], strict=True))  # :61:1712271227D10,18NBEA//228ohu/972795
    assert card["counterparty_name"] is None and card["reference"] is None
    assert (
        card["description"]
        == "Jumbo Wijchen B.V. >WIJCHEN 27.12.2017 13U38 KV005 4XZJ4Z MCC:5411 Contactloze betaling"
    )
    last = dict(zip(sns.headers, sns.rows[-1], strict=True))
    assert last["description"].endswith("Kenmerk Machtiging: bla")  # the '-}{5:}' trailer left out


@needs_realfiles
@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_real_statement_refused_in_words(name):
    with pytest.raises(LedgerFileError) as info:
        read_mt940((REALFILES / name).read_bytes(), name)
    assert REFUSALS[name] in str(info.value)
    assert not any(word in str(info.value) for word in INTERNALS)


@needs_realfiles
def test_nothing_of_the_library_reaches_stderr_or_the_log(capfd, caplog):
    caplog.set_level(logging.DEBUG)
    for path in sorted(REALFILES.glob("mt940_*")):
        try:
            table = Mt940Statement().read(path.read_bytes(), path.name)
        except LedgerFileError as exc:
            assert not any(word in str(exc) for word in INTERNALS)
        else:
            assert table.notices == read_mt940(path.read_bytes(), path.name).notices
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert not [record for record in caplog.records if record.name.startswith("mt940")]


# --- synthetic statements: the adaptations at the seam ----------------------------------------------


def _statement(*lines: str, opening: str = "C250328EUR1000,00", closing: str | None = None) -> bytes:
    body = [":20:REF20250331", ":25:NL44RABO0123456789 EUR", ":28C:00031/1", f":60F:{opening}", *lines]
    if closing is not None:
        body.append(f":62F:{closing}")
    return ("\r\n".join([*body, "-", ""])).encode()


def _rows(data: bytes) -> list[dict[str, str | None]]:
    raw = read_mt940(data, "test.sta")
    return [dict(zip(raw.headers, row, strict=True)) for row in raw.rows]


def test_customer_reference_of_exactly_16_characters():
    (row,) = _rows(_statement(":61:250331C1,00NTRF1234567890ABCDEF", ":86:Text"))
    assert row["reference"] == "1234567890ABCDEF" and row["counterparty_iban"] is None


def test_customer_reference_then_bank_reference():
    (row,) = _rows(_statement(":61:250331C1,00NTRF1234567890ABCDEF//BANK0000000001", ":86:Text"))
    assert row["reference"] == "1234567890ABCDEF" and row["description"] == "Text"


def test_bank_reference_without_customer_reference():
    (row,) = _rows(_statement(":61:1712271227D10,18NBEA//228ohu/972795", ":86: ", "Albert Heijn 1370"))
    assert (
        row["reference"] is None and row["amount"] == "-10.18" and row["description"] == "Albert Heijn 1370"
    )


def test_de_volksbank_iban_and_name_in_the_reference_part():
    rows = _rows(
        _statement(
            ":61:2001010101D65,00NOVBNL47INGB9999999999",
            "hr gjlm paulissen",
            ":86:NL47INGB9999999999 hr gjlm paulissen",
            " " * 65,
            "Betaling sieraden" + " " * 48,
            ":61:2001010101C7,00NOVBBE68539007547034",  # a Belgian IBAN: 16 characters
            "J Peeters",
            ":86:BE68539007547034 J Peeters",
            "Terug",
            ":61:2001010101C8,00NOVBNL56ASNB0708271685",  # no name line
            ":86:Zonder naam",
        )
    )
    assert [
        (r["counterparty_iban"], r["counterparty_name"], r["reference"], r["description"]) for r in rows
    ] == [
        ("NL47INGB9999999999", "hr gjlm paulissen", None, "Betaling sieraden"),
        ("BE68539007547034", "J Peeters", None, "Terug"),
        ("NL56ASNB0708271685", None, None, "Zonder naam"),
    ]


def test_counterparty_account_on_the_line_after_the_61():
    (row,) = _rows(
        _statement(":61:130403D000000000127,50N102EREF", "NL96RBOS0523149468", ":86:/EREF/X1//NAME/A/")
    )
    assert (row["counterparty_iban"], row["counterparty_name"], row["reference"]) == (
        "NL96RBOS0523149468",
        "A",
        "X1",
    )


def test_amounts_and_balances_with_a_decimal_point():
    rows = _rows(
        _statement(
            ":61:030109C000000000300.00NMSC170059286",
            ":86:Demo",
            ":61:030109C00000000079734.NMSCNONREF          NED INVESTMENT",
            ":86:Aandelen",
            ":61:030111D000000000500.50NMSC1173113681      ROBECO",
            ":86:AANKOOP FONDSEN",
            opening="C030108EUR000000000000.00",
            closing="C030109EUR000000079533.50",
        )
    )
    assert [r["amount"] for r in rows] == ["300.00", "79734", "-500.50"]
    assert (rows[2]["counterparty_name"], rows[2]["counterparty_iban"]) == ("ROBECO", "1173113681")
    assert rows[1]["counterparty_name"] == "NED INVESTMENT" and rows[1]["counterparty_iban"] is None


def test_statement_number_wrapped_over_two_lines():
    data = _statement(":61:1402200220C1,56NTRFEREF//00000000001", "005", "/TRCD/00100/", ":86:/REMI/USTD//A/")
    data = data.replace(b":28C:00031/1", b":28C:0000\r\n0")
    raw = read_mt940(data.replace(b"-\r\n", b":62F:C140220EUR1,00\r\n-\r\n"), "ing.940")
    assert len(raw.rows) == 1 and raw.notices[0].startswith("Statement 00000 of account NL44RABO0123456789")


def test_balances_that_add_up_give_no_notice_and_others_one_per_statement():
    good = _statement(":61:250331C1,50NTRFNONREF", ":86:A", closing="C250331EUR1001,50")
    assert read_mt940(good, "good.sta").notices == ()
    off = _statement(":61:250331C1,50NTRFNONREF", ":86:A", closing="C250331EUR1002,50")
    raw = read_mt940(good + off, "two.sta")
    assert len(raw.rows) == 2
    assert raw.notices == (
        "Statement 00031/1 of account NL44RABO0123456789 (reference REF20250331, from line 9): opening "
        "balance 1,000.00 plus its lines 1.50 is 1,001.50, but the statement's closing balance is 1,002.50 "
        "(a difference of 1.00). The statement is incomplete or lines are missing; download it from the "
        "bank again, or import it and look for the gap.",
    )
    (cut_off,) = read_mt940(_statement(":61:250331C1,50NTRFNONREF", ":86:A"), "cut.sta").notices
    assert "has no closing balance (:62F:)" in cut_off


def test_a_summary_86_after_the_closing_balance_belongs_to_no_line():
    data = _statement(":61:250331C1,50NTRFNONREF", ":86:/REMI/USTD//Factuur 1/", closing="C250331EUR1001,50")
    (row,) = _rows(data.replace(b"-\r\n", b":86:/SUM/1/0/1,50/0,00/\r\n-}\r\n"))
    assert row["description"] == "Factuur 1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (b"C1,50NTRF", b"C1.500NTRF"),
            "line 5 has the amount '1.500', which cannot be read as one amount (MT940 writes one decimal "
            "comma and no thousands separator). Download the statement from the bank again, or export it "
            "as CAMT.053.",
        ),
        (
            (b":61:250331", b":61:251331"),
            "line 5 has the date '251331', which is no date (MT940 writes YYMMDD, and a booking date MMDD "
            "after it); the statement is damaged. Download it from the bank again.",
        ),
        (
            (b":28C:00031/1", b":28C:AB/C"),
            "line 3 holds the statement number (:28C:) that cannot be read ('AB/C'); the statement is "
            "damaged or in a layout this dashboard cannot read. Download it from the bank again, or export "
            "it as CAMT.053.",
        ),
        (
            (b":60F:C250328", b":60F:X250328"),
            "line 4 holds the opening balance (:60F:) that cannot be read ('X250328EUR1000,00'); the "
            "statement is damaged",
        ),
        (
            (b":20:REF20250331\r\n", b""),
            "has transaction lines (:61:) but no statement reference (:20:) that starts a statement",
        ),
    ],
)
def test_refusals_say_what_is_wrong_in_words(change, message, capfd):
    data = _statement(":61:250331C1,50NTRFNONREF", ":86:A", closing="C250331EUR1001,50")
    assert change[0] in data
    with pytest.raises(LedgerFileError) as info:
        read_mt940(data.replace(*change), "bad.sta")
    assert message in str(info.value)
    assert not any(word in str(info.value) for word in INTERNALS)
    assert capfd.readouterr() == ("", "")
