"""Reading ledger files: every format from its content, the text a user sees, clear refusals."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from afas.recon.readers import BANK_HEADERS, LedgerFileError, detect_format, read_ledger_file, sheet_names

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"
BROKEN = DATA / "broken"


def build_xlsx() -> bytes:
    """The workbook committed as tests/data/ledgers/ledger.xlsx (regenerate: write these bytes there)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"created": dt.datetime(2025, 1, 1)})
    date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
    sheet = workbook.add_worksheet("Grootboek")
    sheet.write_row(0, 0, ["Datum", "Rekening", "Omschrijving", "Bedrag", "Valuta"])
    sheet.write_datetime(1, 0, dt.datetime(2025, 3, 1), date_format)
    sheet.write_row(1, 1, [1100, "Kas storting é", 1234.56, "EUR"])
    # Row 3 is left empty on purpose: line numbers must still be the sheet's row numbers.
    sheet.write_datetime(3, 0, dt.datetime(2025, 3, 15), date_format)
    sheet.write_row(3, 1, [4000, "Huur", -2500, "EUR"])
    sheet.write_datetime(4, 0, dt.datetime(2025, 3, 31), date_format)
    sheet.write_row(4, 1, [4310, "Afronding", 0.1 + 0.2, "EUR"])
    serial = workbook.add_worksheet("Serieel")
    serial.write(0, 1, "Grootboekkaart 2025")
    serial.write_row(2, 1, ["Boekdatum", "Bedrag", "Omschrijving"])
    serial.write_row(3, 1, [45747, 19.99, "Serieel 31-03-2025"])
    serial.write_row(4, 1, [45658, 0.01, "Serieel 01-01-2025"])
    workbook.add_worksheet("Leeg")
    workbook.close()
    return buffer.getvalue()


def read(name: str, **kwargs):
    path = DATA / name
    return read_ledger_file(path.read_bytes(), path.name, **kwargs)


def test_dutch_cp1252_csv_comes_out_with_accents_and_line_numbers():
    raw = read("grootboek_nl.csv")
    assert (raw.file_format, raw.encoding, raw.delimiter) == ("csv", "cp1252", ";")
    assert raw.headers[0] == "Boekdatum" and raw.headers[-1] == "Bedrag"
    assert raw.line_numbers == [2, 3, 4, 5, 6, 7]
    assert raw.rows[0][2] == "Omzet café Zoë"
    assert raw.rows[1][2] == "Huur kantoor januari € 2.500"
    # A quoted field keeps its delimiter and doubled quotes.
    assert raw.rows[2][2] == 'Lunch; overleg "Ëindhoven"'
    assert raw.rows[2][5] == "Restaurant Één"
    assert raw.rows[1][4] is None  # empty cell


def test_utf8_bom_csv_with_english_headers():
    raw = read("general_ledger_en.csv")
    assert (raw.encoding, raw.delimiter) == ("utf-8-sig", ",")
    assert raw.headers[0] == "Entry date"  # no BOM left in the first header
    assert raw.rows[0][2] == "Sale, invoice 1001"
    assert raw.rows[2][2] == "Office supplies – Müller"
    assert raw.rows[0][7:9] == ("1,250.00", None)


def test_committed_workbook_matches_its_generator():
    committed = read_ledger_file((DATA / "ledger.xlsx").read_bytes(), "ledger.xlsx")
    rebuilt = read_ledger_file(build_xlsx(), "ledger.xlsx")
    assert committed == rebuilt


def test_xlsx_cells_as_text_with_sheet_row_numbers():
    data = (DATA / "ledger.xlsx").read_bytes()
    assert detect_format(data, "export.bin") == "xlsx"
    assert sheet_names(data) == ["Grootboek", "Serieel", "Leeg"]
    raw = read_ledger_file(data, "ledger.xlsx")
    assert raw.sheet == "Grootboek" and raw.file_format == "xlsx"
    assert raw.headers == ["Datum", "Rekening", "Omschrijving", "Bedrag", "Valuta"]
    assert raw.line_numbers == [2, 4, 5]
    assert raw.rows[0] == ("2025-03-01", "1100", "Kas storting é", "1234.56", "EUR")
    assert raw.rows[1][3] == "-2500"
    assert raw.rows[2][3] == "0.3"  # 0.1 + 0.2 as a double, rounded to Excel's 15 digits


def test_xlsx_other_sheet_with_title_block_and_offset():
    data = (DATA / "ledger.xlsx").read_bytes()
    for sheet in ("Serieel", 1):
        raw = read_ledger_file(data, "ledger.xlsx", sheet=sheet)
        assert raw.headers == ["Boekdatum", "Bedrag", "Omschrijving"]
        assert raw.line_numbers == [4, 5]
        assert raw.rows[0] == ("45747", "19.99", "Serieel 31-03-2025")


def test_xlsx_empty_sheet_and_unknown_sheet_are_refused():
    data = (DATA / "ledger.xlsx").read_bytes()
    with pytest.raises(LedgerFileError, match="Sheet 'Leeg' of ledger.xlsx has no rows"):
        read_ledger_file(data, "ledger.xlsx", sheet="Leeg")
    with pytest.raises(
        LedgerFileError, match="has no sheet 'Nope'; its sheets are: Grootboek, Serieel, Leeg"
    ):
        read_ledger_file(data, "ledger.xlsx", sheet="Nope")
    with pytest.raises(LedgerFileError, match="sheet number 9 does not exist"):
        read_ledger_file(data, "ledger.xlsx", sheet=8)


def test_parquet_decimals_and_dates_as_text():
    raw = read("ledger.parquet")
    assert raw.file_format == "parquet"
    assert raw.headers == ["booking_date", "account", "description", "amount", "currency"]
    assert raw.line_numbers == [1, 2, 3]
    assert raw.rows[0] == ("2025-04-01", "1100", "Stortïng kas", "100.10", "EUR")
    assert [row[3] for row in raw.rows] == ["100.10", "-20.05", "3000.00"]


def test_mt940_statement_lines_signed_for_the_bank_ledger():
    raw = read("statement.mt940")
    assert raw.file_format == "mt940" and raw.headers == list(BANK_HEADERS)
    assert raw.line_numbers == [5, 8, 10, 12]  # the :61: lines
    rows = [dict(zip(raw.headers, row, strict=True)) for row in raw.rows]
    assert [r["amount"] for r in rows] == ["1500.00", "-250.75", "-12.34", "0.99"]
    assert {r["account"] for r in rows} == {"NL44RABO0123456789"}
    assert rows[0]["counterparty_name"] == "Jansen B.V."
    assert rows[0]["counterparty_iban"] == "NL20INGB0001234567"
    assert rows[0]["reference"] == "E2E-2025-0001"
    assert rows[0]["description"] == "Factuur F2025-001 café"
    assert rows[2]["description"] == "Kosten betalingsverkeer maart"
    assert rows[3]["counterparty_name"] == "Zoë Schoenmaker" and rows[3]["description"] == "Terugbetaling €"
    assert rows[1]["date"] == "2025-03-31"


def test_camt053_entries_signed_for_the_bank_ledger():
    raw = read("statement.camt053.xml")
    assert raw.file_format == "camt053" and raw.headers == list(BANK_HEADERS)
    rows = [dict(zip(raw.headers, row, strict=True)) for row in raw.rows]
    assert [r["amount"] for r in rows] == ["1500.00", "-250.75", "-12.34"]
    assert raw.line_numbers == [10, 27, 43]  # the <Ntry> lines
    assert rows[0]["counterparty_name"] == "Bakkerij Hélène"  # the debtor pays us
    assert rows[1]["counterparty_name"] == "Energie Noord"  # we pay the creditor
    assert rows[0]["reference"] == "E2E-F2025-017"
    assert rows[1]["description"] == "RF18539007547034"
    assert rows[2]["description"] == "Kosten betalingsverkeer april"
    assert rows[0]["date"] == "2025-04-03" and rows[0]["account"] == "NL91ABNA0417164300"


def test_quoted_newline_keeps_line_numbers_of_the_file():
    text = 'Datum,Omschrijving,Bedrag\n01-01-2025,"twee\nregels, met komma",1.00\n02-01-2025,een,2.00\n'
    raw = read_ledger_file(text.encode(), "x.csv")
    assert raw.delimiter == ","
    assert raw.rows[0][1] == "twee\nregels, met komma"
    assert raw.line_numbers == [2, 4]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-16", "\t"), ("utf-8", "|"), ("cp1252", ";"), ("utf-8-sig", ","), ("utf-16-le", ";")],
)
def test_encodings_and_delimiters(encoding: str, delimiter: str):
    lines = [
        ["Datum", "Omschrijving", "Bedrag"],
        ["01-01-2025", "Crème brûlée €", "1,50"],
        ["02-01-2025", "x", "2"],
    ]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in line) for line in lines)
    raw = read_ledger_file(text.encode(encoding), "export.txt")
    assert raw.delimiter == delimiter
    assert raw.rows[0] == ("01-01-2025", "Crème brûlée €", "1,50")


def test_title_block_above_the_header_is_skipped():
    text = "Grootboekkaart 2025\nAdministratie 01\n\nDatum;Bedrag;Omschrijving\n01-01-2025;10,00;a\n"
    raw = read_ledger_file(text.encode(), "kaart.csv")
    assert raw.headers == ["Datum", "Bedrag", "Omschrijving"]
    assert raw.line_numbers == [5]


def test_single_column_and_sep_hint():
    raw = read_ledger_file(b"Bedrag\n10,00\n-2,50\n", "one.csv")
    assert raw.headers == ["Bedrag"] and raw.rows == [("10,00",), ("-2,50",)] and raw.delimiter is None
    raw = read_ledger_file(b"sep=|\nDatum|Bedrag\n01-01-2025|1,00\n", "hint.csv")
    assert raw.delimiter == "|" and raw.headers == ["Datum", "Bedrag"] and raw.line_numbers == [3]


def test_a_few_ragged_lines_are_kept_and_reported():
    text = (
        "Datum;Bedrag;Omschrijving\n01-01-2025;1,00;a\n02-01-2025;2,00\n03-01-2025;3,00;c;d\n"
        "04-01-2025;4,00;e;\n05-01-2025;5,00;f\n06-01-2025;6,00;g\n"
    )
    raw = read_ledger_file(text.encode(), "r.csv")
    assert raw.delimiter == ";"
    assert raw.rows[1] == ("02-01-2025", "2,00", None)
    assert raw.rows[3] == ("04-01-2025", "4,00", "e")  # an empty trailing field is no problem
    assert raw.ragged == [(3, 2), (4, 4)]


def test_duplicate_and_empty_headers_get_names():
    raw = read_ledger_file(b"Datum;;Bedrag;Bedrag\n01-01-2025;x;1;2\n", "h.csv")
    assert raw.headers == ["Datum", "column 2", "Bedrag", "Bedrag (2)"]


BROKEN_MESSAGES = {
    "empty.csv": ["empty.csv is empty", "export the ledger again"],
    "image.png": ["is a PNG image, not a ledger export", "upload a CSV, Excel"],
    "ragged.csv": [
        "different numbers of fields (line 1: 2 fields, line 2: 3 fields, line 3: 4 fields",
        "not a table separated by semicolons",
        "same columns on every line",
    ],
    "not_a_workbook.xlsx": ["is a ZIP archive but not an Excel (.xlsx)", "unzip it"],
    "no_statement_lines.mt940": ["MT940 statement without transaction lines (:61:)"],
    "broken.camt.xml": ["is not well-formed XML (line 37", "Download the CAMT.053 statement"],
    "bomb.xml": ["declares a DTD or XML entities", "refused", "for safety"],
}


@pytest.mark.parametrize("name", sorted(BROKEN_MESSAGES))
def test_broken_files_say_what_is_wrong(name: str):
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file((BROKEN / name).read_bytes(), name)
    message = str(info.value)
    for phrase in BROKEN_MESSAGES[name]:
        assert phrase in message
    assert len(message) < 400


def test_ten_megabyte_line_is_refused_without_echoing_it():
    data = b"Datum;Bedrag\n01-01-2025;1,00\n" + b"x" * (10 * 1024 * 1024) + b"\n"
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file(data, "huge.csv")
    message = str(info.value)
    assert "line 3 is longer than 1 MB (10,485,760 bytes); this is not a ledger export" in message
    assert "xxxx" not in message
    with pytest.raises(LedgerFileError, match="line 1 is longer than 1 MB"):
        read_ledger_file(b"y" * (2 * 1024 * 1024), "one-line.txt")


def test_other_binary_and_other_xml_are_refused():
    with pytest.raises(LedgerFileError, match="binary data in an unknown format"):
        read_ledger_file(bytes(range(256)) * 4, "blob.dat")
    with pytest.raises(LedgerFileError, match="is a PDF document"):
        read_ledger_file(b"%PDF-1.7\n...", "scan.pdf")
    with pytest.raises(LedgerFileError, match="is XML but not a CAMT.053 bank statement"):
        read_ledger_file(b"<?xml version='1.0'?><rss><channel/></rss>", "feed.xml")
    with pytest.raises(LedgerFileError, match="without entries"):
        read_ledger_file(
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt/>'
            b"</BkToCstmrStmt></Document>",
            "leeg.xml",
        )


def test_zip_detection_uses_content_not_extension():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "Datum;Bedrag\n")
    with pytest.raises(LedgerFileError, match="ZIP archive"):
        read_ledger_file(buffer.getvalue(), "ledger.xlsx")
    csv_named_xlsx = (DATA / "grootboek_nl.csv").read_bytes()
    assert read_ledger_file(csv_named_xlsx, "grootboek.xlsx").file_format == "csv"


def test_mt940_several_statements_keep_their_own_account():
    one = (DATA / "statement.mt940").read_bytes()
    other = one.replace(b"NL44RABO0123456789", b"NL91ABNA0417164300").replace(
        b":20:940S250331", b":20:940S250401"
    )
    raw = read_ledger_file(b":940:\r\n" + one + other, "two.mt940")
    assert raw.line_numbers == [6, 9, 11, 13, 21, 24, 26, 28]
    accounts = [row[raw.headers.index("account")] for row in raw.rows]
    assert accounts == ["NL44RABO0123456789"] * 4 + ["NL91ABNA0417164300"] * 4


def test_mt940_with_swift_header_block():
    text = (DATA / "statement.mt940").read_bytes().replace(b"-\r\n", b"-}\r\n")
    raw = read_ledger_file(b"{1:F01INGBNL2ABXXX0000000000}{2:I940INGBNL2AXXXN}{4:\r\n" + text, "ing.sta")
    assert raw.file_format == "mt940" and len(raw.rows) == 4


def test_mt940_damaged_transaction_line_is_named():
    text = (DATA / "statement.mt940").read_bytes().replace(b":61:250331D250,75", b":61:25X331D250,75")
    with pytest.raises(LedgerFileError, match="line 8 is not a valid MT940 transaction line"):
        read_ledger_file(text, "x.mt940")


def test_html_saved_as_xls_and_damaged_workbook():
    with pytest.raises(LedgerFileError, match=r"is a web page \(HTML\)"):
        read_ledger_file(b"<html><body><table><tr><td>1</td></tr></table></body></html>", "export.xls")
    data = bytearray((DATA / "ledger.xlsx").read_bytes())
    data[600:700] = bytes(100)  # damage a compressed part inside the archive
    with pytest.raises(LedgerFileError, match="damaged|not an Excel"):
        read_ledger_file(bytes(data), "ledger.xlsx")


def test_damaged_inputs_only_ever_raise_ledger_file_error():
    """Cut, overwritten and spliced copies of every sample: a clear refusal or a table, never a crash."""
    import random

    samples = [p.read_bytes() for p in sorted(DATA.rglob("*")) if p.is_file()]
    rnd = random.Random(20251125)
    for _ in range(400):
        data = bytearray(rnd.choice(samples))
        kind = rnd.randrange(3)
        if kind == 0 and data:
            del data[rnd.randrange(len(data)) :]
        elif kind == 1 and data:
            for _ in range(rnd.randrange(1, 8)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        else:
            at = rnd.randrange(len(data) + 1)
            data[at:at] = rnd.choice([b";", b",", b'"', b"\n", b"\x00", b":61:", b"<", b"\xff\xfe"])
        try:
            raw = read_ledger_file(bytes(data), "sample")
        except LedgerFileError as exc:
            assert 10 < len(str(exc)) < 600
        else:
            assert len(raw.rows) == len(raw.line_numbers)
            assert all(len(row) == len(raw.headers) for row in raw.rows)


def test_opendocument_spreadsheet_is_read_like_a_workbook():
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )

    def cell(kind: str, attrs: str, text: str) -> str:
        return (
            f'<table:table-cell office:value-type="{kind}" {attrs}><text:p>{text}</text:p></table:table-cell>'
        )

    header = cell("string", "", "Datum") + cell("string", "", "Bedrag")
    values = cell("date", 'office:date-value="2025-05-01"', "01-05-2025")
    values += cell("float", 'office:value="-12.5"', "-12,50")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Blad1">'
        f"<table:table-row>{header}</table:table-row><table:table-row>{values}</table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    data = buffer.getvalue()
    assert detect_format(data, "grootboek.ods") == "ods"
    raw = read_ledger_file(data, "grootboek.ods")
    assert (raw.file_format, raw.sheet, raw.headers) == ("xlsx", "Blad1", ["Datum", "Bedrag"])
    assert raw.rows == [("2025-05-01", "-12.5")] and raw.line_numbers == [2]


def test_quote_left_open_is_refused_with_its_line():
    text = 'Datum;Omschrijving;Bedrag\n01-01-2025;ok;1,00\n02-01-2025;"open;2,00\n03-01-2025;x;3,00\n'
    with pytest.raises(LedgerFileError, match="the quoted value that starts on line 3 is never closed"):
        read_ledger_file(text.encode(), "q.csv")
    text = 'Datum;Omschrijving;Bedrag\n01-01-2025;"Big" deal;1,00\n'
    with pytest.raises(LedgerFileError, match=r"line 2 cannot be read as CSV .*check the quotes"):
        read_ledger_file(text.encode(), "q.csv")
    raw = read_ledger_file(b'Datum;Omschrijving;Bedrag\n01-01-2025;5" scherm;1,00\n', "q.csv")
    assert raw.rows[0][1] == '5" scherm'


def test_data_lines_ending_in_a_delimiter_the_header_lacks():
    text = "Datum;Bedrag;Omschrijving\n01-01-2025;1,00;a;\n02-01-2025;2,00;;\n03-01-2025;3,00;c;\n"
    raw = read_ledger_file(text.encode(), "trailing.csv")
    assert raw.headers == ["Datum", "Bedrag", "Omschrijving"]
    assert raw.rows[1] == ("02-01-2025", "2,00", None) and raw.line_numbers == [2, 3, 4] and raw.ragged == []
