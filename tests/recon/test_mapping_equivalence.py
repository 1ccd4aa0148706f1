"""The mapping in DuckDB (afas.recon.mapsql) gives what the line-by-line Python mapping gave.

tests/recon/reference_mapping.py keeps the Python mapping as it was; generated tables with the values
that make ledgers hard (Dutch and English numbers, signs and brackets, currency marks, digits of other
scripts, dates that do not exist, Excel day numbers, markers, IBANs) must map to the same lines,
problems, warnings and formats, value for value.
"""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afas.recon.mapping import Mapping, apply_mapping
from afas.recon.mapsql import _fast_amount
from afas.recon.tables import RawTable
from afas.recon.textvalues import parse_amount
from tests.recon.reference_mapping import reference_apply_mapping

SETTINGS = settings(
    derandomize=True, max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
_CON = duckdb.connect()
HEADERS = ["Datum", "Bedrag", "Debet", "Credit", "DC", "Valuta", "IBAN", "Omschrijving"]

dates = st.sampled_from(
    [
        None,
        "",
        "01-02-2025",
        "31-02-2025",
        "1-2-2025",
        "2025-01-31",
        "2025-01-31T10:00:00",
        "13/01/2025",
        "45688",
        "45688.5",
        "gisteren",
        "00-01-2025",
        "29-02-2024",
        "01-01-0000",
        "20250131",
        "31.01.25",
    ]
)
amount_text = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "1.234,56",
            "1,234.56",
            "12,5",
            "12.5",
            "-0",
            "+7,5",
            ",5",
            "1e5",
            "١٢٣",
            "12,3,4",
            "99999999999999999,00",
            "9999999999999999,99",
            "1.000.000",
            "0,005",
            "12,345",
            "(1.234,56)",
            "1.234,56-",
            "€ 12,00",
            "-€ 12,00",
            "EUR 1 234,56",
            "1'234.56",
            "0",
            "007,50",
            "1.23.4,00",
            "123456789012345",
            "1234567890123456",
            "1.234.567.890.123,45",
            "+",
            "-",
            "12,",
        ]
    ),
    st.text(alphabet=st.sampled_from(list("0123456789.,-+()€ ")), max_size=12),
)
signs = st.sampled_from([None, "", "D", "C", "Af", "Bij", "debet", "Credit", "x", " c "])
currencies = st.sampled_from([None, "", "EUR", "€", "euro", "usd", " eur ", "$", "ÉUR"])
ibans = st.sampled_from(
    [None, "", "NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL91ABNA0417164301", "x", "ÄÖ12"]
)
texts = st.sampled_from([None, "", "Huur", "  ruimte  ", "Café ‘Zoë’", "=cmd"])
rows = st.lists(
    st.tuples(dates, amount_text, amount_text, amount_text, signs, currencies, ibans, texts),
    min_size=1,
    max_size=12,
)


@st.composite
def mappings(draw) -> Mapping:
    debit_credit = draw(st.booleans())
    return Mapping(
        entry_date="Datum",
        amount=None if debit_credit else "Bedrag",
        debit="Debet" if debit_credit and draw(st.booleans()) else ("Debet" if debit_credit else None),
        credit="Credit" if debit_credit and draw(st.booleans()) else None,
        sign=draw(st.sampled_from([None, "DC"])) if not debit_credit else None,
        currency=draw(st.sampled_from([None, "Valuta"])),
        counterparty_iban=draw(st.sampled_from([None, "IBAN"])),
        description="Omschrijving",
        flip_sign=draw(st.booleans()),
        date_format=draw(st.sampled_from(["auto", "%d-%m-%Y", "excel", "%Y-%m-%d"])),
        decimal_separator=draw(st.sampled_from(["auto", ",", "."])),
        currency_default=draw(st.sampled_from([None, "EUR", "eur"])),
    )


@SETTINGS
@given(data=rows, mapping=mappings(), file_format=st.sampled_from(["csv", "xlsx"]), ragged=st.booleans())
def test_sql_mapping_agrees_with_the_python_mapping(data, mapping, file_format, ragged):
    line_numbers = list(range(2, len(data) + 2))
    raw = RawTable(
        HEADERS, data, line_numbers, file_format, ragged=[(3, 9)] if ragged and len(data) > 1 else []
    )
    ours, theirs = apply_mapping(raw, mapping), reference_apply_mapping(raw, mapping)
    assert (ours.date_format, ours.decimal_separator) == (theirs.date_format, theirs.decimal_separator)
    assert ours.problems == theirs.problems
    assert ours.warnings == theirs.warnings
    assert ours.lines == theirs.lines
    assert ours.total == theirs.total


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("0123456789.,-+")), min_size=1, max_size=22),
    separator=st.sampled_from([",", "."]),
)
def test_amounts_read_in_sql_are_what_parse_amount_reads(text, separator):
    """The plain shapes the SQL reads itself: where its pattern matches, its cast equals parse_amount."""
    pattern, read = _fast_amount(separator)
    if not re.fullmatch(pattern, text):
        return
    (value,) = _CON.execute(f"SELECT {read('$t')}", {"t": text}).fetchall()[0]
    assert value == parse_amount(text, separator)
    assert isinstance(value, Decimal)


def test_formats_come_from_the_first_rows_as_they_always_did():
    """The separator from the values among the first 2,000 rows (empty ones count as rows), the date
    format from the first 1,000 dates: a long empty stretch keeps later values out of the guess."""
    rows = [("01-02-2025", None)] * 2500 + [(f"2025-02-{d:02d}", "1.5") for d in range(1, 29)] * 40
    raw = RawTable(["Datum", "Bedrag"], rows, list(range(2, len(rows) + 2)), "csv")
    mapping = Mapping(entry_date="Datum", amount="Bedrag")
    ours, theirs = apply_mapping(raw, mapping), reference_apply_mapping(raw, mapping)
    assert (ours.decimal_separator, ours.date_format) == (theirs.decimal_separator, theirs.date_format)
    assert (ours.decimal_separator, ours.date_format) == (",", "%d-%m-%Y")
    assert ours.problems == theirs.problems and ours.lines == theirs.lines
