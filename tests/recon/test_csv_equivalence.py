"""The fast CSV reader (DuckDB) and the reference reader (Python's csv module) give the same table.

Files are generated with the characters that make CSV hard (quotes, delimiters, newlines of three
kinds, blanks, non-breaking spaces, accents); for each, both readers must agree on the headers, every
cell, every line number and every ragged line, or refuse with the same words. The fast reader may
decline a file (it then goes to the reference reader); for the files it must not decline (quotes only
where the strict grammar puts them, or none) a test checks that it reads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afas.recon.csvfile import read_csv, read_csv_fast
from afas.recon.tables import LedgerFileError
from afas.recon.textfiles import PY_WHITESPACE

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"
SETTINGS = settings(
    derandomize=True, max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def outcome(data: bytes, fast: bool):
    try:
        table = read_csv(data, "x.csv", fast=fast)
    except LedgerFileError as exc:
        return ("refused", str(exc))
    raw = table.to_raw()
    return (raw.headers, raw.rows, raw.line_numbers, raw.ragged, raw.delimiter, raw.encoding)


def agree(data: bytes) -> None:
    assert outcome(data, fast=True) == outcome(data, fast=False), data


# Field text: anything, including what only quoting can carry.
field_text = st.text(alphabet=st.sampled_from(list('ab1,;|"\n\r \t\u00a0\u0301é€-')), max_size=6)
plain_text = st.text(alphabet=st.sampled_from(list("ab1,. \u00a0é€-x")), max_size=6)


def render(rows: list[list[str]], delimiter: str, newline: str, quote_all: bool) -> str:
    def one(value: str) -> str:
        special = any(ch in value for ch in (delimiter, '"', "\n", "\r"))
        return '"' + value.replace('"', '""') + '"' if quote_all or special else value

    return newline.join(delimiter.join(one(v) for v in row) for row in rows) + newline


@SETTINGS
@given(
    rows=st.lists(st.lists(field_text, min_size=1, max_size=5), min_size=1, max_size=8),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "utf-8-sig"]),
)
def test_well_quoted_files_are_read_alike(rows, delimiter, newline, quote_all, encoding):
    text = render([["Datum", "Omschrijving", "Bedrag"], *rows], delimiter, newline, quote_all)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    agree(data)


@SETTINGS
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list('ab1;,"\t \u00a0é\r\n')), max_size=20), min_size=1, max_size=10
    ),
)
def test_arbitrary_text_is_read_alike(lines):
    """Stray quotes, unclosed quotes, mixed newlines, blank lines: the fast reader declines or agrees."""
    agree(("Datum;Bedrag;Omschrijving\n" + "\n".join(lines)).encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "Datum;Bedrag\n01-01-2025;1,00\n",
        '"Datum","Bedrag"\r\n"01-01-2025","1,00"\r\n"02-01-2025","a ""quoted"" word"\r\n',
        'Datum,Omschrijving,Bedrag\n01-01-2025,"twee\nregels, met komma",1.00\n\n02-01-2025,een,2.00\n',
        "Grootboekkaart 2025\nAdministratie 01\n\nDatum;Bedrag;Omschrijving\n01-01-2025;10,00;a\n",
        "Datum;Bedrag;Omschrijving\n01-01-2025;1,00;a;\n02-01-2025;2,00;;\n03-01-2025;3,00;c;\n",
        "sep=|\nDatum|Bedrag\n01-01-2025|1,00\n",
        "Bedrag\n10,00\n-2,50\n",
        "Datum;Bedrag;Omschrijving\n01-01-2025;1,00;a\n02-01-2025;2,00\n03-01-2025;3,00;c;d\n",
    ],
)
def test_common_shapes_take_the_fast_reader(text):
    data = text.encode("cp1252")
    assert read_csv_fast(data, "x.csv") is not None
    agree(data)


@pytest.mark.parametrize(
    "text",
    [
        'Datum;Omschrijving;Bedrag\n01-01-2025;5" scherm;1,00\n',  # a quote inside an unquoted value
        'Datum;Omschrijving;Bedrag\n01-01-2025;"Big" deal;1,00\n',  # text after a closing quote
        'Datum;Omschrijving;Bedrag\n01-01-2025;"open;2,00\n03-01-2025;x;3,00\n',  # never closed
        "Datum;Bedrag\r\n01-01-2025;1\n02-01-2025;2\r\n",  # mixed newlines
        'Datum;Bedrag\n01-01-2025; "1"\n',  # a blank before the quote
    ],
)
def test_odd_quoting_goes_to_the_reference_reader(text):
    data = text.encode("utf-8")
    assert read_csv_fast(data, "x.csv") is None
    agree(data)


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.csv")) + ["broken/bad_values.csv"])
def test_sample_files_agree(name):
    agree((DATA / name).read_bytes())


def test_the_whitespace_trimmed_column_wise_is_pythons():
    assert set(PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("where", ["start", "end", "alone"])
def test_every_whitespace_at_a_cell_edge_is_trimmed_in_any_column(quoted, where):
    """The fast reader trims only the columns whose bytes show an edge whitespace: none is missed,
    whichever character it is, in whichever column, inside quotes or not."""
    spaces = PY_WHITESPACE.replace("\n", "").replace("\r", "")
    for column in range(3):  # one file per column, a line per whitespace character
        rows = []
        for ch in spaces:
            cells = ["a", "b", "c"]
            cells[column] = {"start": ch + "x", "end": "x" + ch, "alone": ch}[where]
            rows.append(";".join(f'"{c}"' if quoted else c for c in cells))
        data = ("Datum;Bedrag;Omschrijving\n" + "\n".join(rows) + "\n").encode("utf-8")
        table = read_csv_fast(data, "x.csv")
        assert table is not None
        read = [row[column] for row in table.to_raw().rows]
        assert read == [None if where == "alone" else "x"] * len(spaces), (column, quoted)
        agree(data)
