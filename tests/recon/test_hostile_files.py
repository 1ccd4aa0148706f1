"""Uploads built to hurt: far cells, zip bombs, lying sizes, oversized files, odd encodings, and two
imports at the same moment. Each is refused in words (nothing written) or read as it should be; none
reaches a reader that would allocate without bound. The files are built here, small."""

from __future__ import annotations

import io
import struct
import threading
import tomllib
import zipfile
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from afas.recon import ledgers, limits, workbooks
from afas.recon.ledgers import import_ledger
from afas.recon.limits import FileTooLarge, check_size, upload_help
from afas.recon.mapping import Mapping, suggest_mapping
from afas.recon.readers import LedgerFileError, read_ledger_file
from afas.recon.schema import ensure_recon_schema

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"
MAPPING = Mapping(entry_date="Datum", amount="Bedrag")


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "recon.duckdb"))
    yield connection
    connection.close()


def nothing_written(con: duckdb.DuckDBPyConnection) -> bool:
    ensure_recon_schema(con)
    return (
        con.execute(
            "SELECT (SELECT count(*) FROM ledger_imports) + (SELECT count(*) FROM ledger_lines)"
        ).fetchall()[0][0]
        == 0
    )


def ledger_xlsx(far: str | None = None) -> bytes:
    """A ledger in A1:C10; ``far`` adds a cell at XFD1048576: 'value' holds text, 'format' only a style."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Grootboek")
    sheet.write_row(0, 0, ["Datum", "Bedrag", "Omschrijving"])
    for i in range(1, 10):
        sheet.write_row(i, 0, [f"0{i}-01-2025", i * 1.25, f"regel {i}"])
    if far == "value":
        sheet.write(1048575, 16383, "x")
    elif far == "format":
        sheet.write_blank(1048575, 16383, None, book.add_format({"bold": True}))
    book.close()
    return buffer.getvalue()


def test_a_value_at_xfd1048576_is_refused_naming_the_cell(con):
    data = ledger_xlsx("value")
    assert len(data) < 8000  # the 1.5 KB workbook that asked calamine for 512 GB
    with pytest.raises(LedgerFileError) as info:
        read_ledger_file(data, "ver.xlsx")
    message = str(info.value)
    assert "Sheet 'Grootboek' of ver.xlsx has values from A1 as far as cell XFD1048576" in message
    assert "17,179,869,184 cells" in message and "delete them" in message
    with pytest.raises(LedgerFileError, match="XFD1048576"):
        import_ledger(con, data, "ver.xlsx", MAPPING)
    assert nothing_written(con)


def test_a_sheet_that_declares_xfd1048576_but_holds_a_small_table_is_read_as_it_is():
    """Excel's formatting residue: the dimension says A1:XFD1048576, the values fill A1:C10."""
    data = ledger_xlsx("format")
    assert b'<dimension ref="A1:XFD1048576"/>' in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml"
    )
    raw = read_ledger_file(data, "residue.xlsx")
    assert raw == read_ledger_file(ledger_xlsx(), "residue.xlsx")
    assert raw.headers == ["Datum", "Bedrag", "Omschrijving"] and raw.line_numbers == list(range(2, 11))
    assert raw.rows[0] == ("01-01-2025", "1.25", "regel 1")


def _with_sheet(xml: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The small ledger workbook with its sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(ledger_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            body = xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            target.writestr(info.filename, body)
    return out.getvalue()


def test_a_far_cell_placed_by_counting_is_found_too():
    """Cells without r="..." are placed by counting, as calamine does: 16,384 of them in row 1048576."""
    cells = b"<c><v>1</v></c>" * 16384
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Datum</t></is></c></row>'
        b'<row r="1048576">' + cells + b"</row></sheetData></worksheet>"
    )
    with pytest.raises(LedgerFileError, match="as far as cell XFD1048576"):
        read_ledger_file(_with_sheet(xml), "counted.xlsx")


def test_sheet_xml_that_unpacks_too_far_is_refused_before_reading(monkeypatch):
    """A zip bomb: highly repetitive sheet XML, refused by its size and its ratio, calamine never called."""
    row = b'<row r="2"><c r="A2" s="1"/></row>'
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    xml += row * 120_000 + b"</sheetData></worksheet>"  # 4 MB that packs to a few KB
    data = _with_sheet(xml)
    assert len(data) < 100_000
    with pytest.raises(
        LedgerFileError, match=r"unpacks to 3\.9 MB from \d+ KB, [\d,]+ times its packed size"
    ):
        read_ledger_file(data, "bomb.xlsx")
    monkeypatch.setattr(workbooks, "MAX_PART_RATIO", 10**9)
    monkeypatch.setattr(workbooks, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    with pytest.raises(LedgerFileError, match="more than the 2.0 MB the dashboard reads"):
        read_ledger_file(data, "bomb.xlsx")


def _declare(data: bytes, name: str, size: int) -> bytes:
    """The archive with the unpacked size ``name`` declares (local header and directory) set to ``size``."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(encoded)] == encoded:
                out[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(out)


def test_declared_sizes_are_checked_without_unpacking_and_lies_are_caught():
    data = ledger_xlsx()
    huge = _declare(data, "xl/worksheets/sheet1.xml", 320 * 1024 * 1024)  # the 3 MB / 320 MB workbook
    with pytest.raises(LedgerFileError, match="unpacks to 320 MB from"):
        read_ledger_file(huge, "declared.xlsx")
    small = _declare(data, "xl/styles.xml", 10)  # claims less than it holds
    with pytest.raises(LedgerFileError, match="damaged"):
        read_ledger_file(small, "lying.xlsx")


def test_an_ods_sheet_of_repeated_values_is_refused_before_calamine():
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    rows = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Datum</text:p>'
        "</table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p>'
        "</table:table-cell></table:table-row>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        "<office:body><office:spreadsheet>"
        f'<table:table table:name="Blad1">{rows}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    with pytest.raises(
        LedgerFileError, match="Sheet 'Blad1' of rep.ods has values from A1 as far as cell XFD1048571"
    ):
        read_ledger_file(buffer.getvalue(), "rep.ods")


def test_files_over_their_format_limit_are_refused_in_words(con):
    assert upload_help() == (
        "CSV up to 200 MB, Excel up to 25 MB, Parquet up to 100 MB, MT940 up to 10 MB, "
        "CAMT.053 up to 512 MB, XAF up to 1024 MB"
    )
    assert limits.MAX_UPLOAD_MB == 1024
    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB  # the browser refuses what we would
    with pytest.raises(FileTooLarge, match=r"big\.csv is 201 MB; the dashboard reads CSV files up to 200 MB"):
        check_size(201 * 1024 * 1024, "big.csv", "csv")
    statement = (DATA / "statement.mt940").read_bytes()
    big = statement * (11 * 1024 * 1024 // len(statement) + 1)
    shorter = r"reads MT940 files up to 10 MB\. Download the statement for a shorter period"
    with pytest.raises(FileTooLarge, match=shorter):
        import_ledger(con, big, "big.sta", MAPPING)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/image1.png", b"\x89PNG" + bytes(26 * 1024 * 1024))
    with pytest.raises(FileTooLarge, match="reads Excel files up to 25 MB"):
        read_ledger_file(buffer.getvalue(), "big.xlsx")
    assert nothing_written(con)


@pytest.mark.parametrize("encoding", ["UTF-7", "x-made-up"])
def test_camt_with_an_encoding_python_cannot_read_is_refused(con, encoding):
    data = (
        (DATA / "statement.camt053.xml")
        .read_bytes()
        .replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    )
    assert encoding.encode() in data
    with pytest.raises(LedgerFileError) as info:
        import_ledger(con, data, "stmt.xml", MAPPING)
    assert f"says its text is in the encoding '{encoding}', which cannot be read" in str(info.value)
    assert nothing_written(con)


def test_two_imports_at_the_same_moment_each_get_their_own_id(tmp_path, monkeypatch):
    """Both imports are inside their transaction, lines written, neither committed: ids must differ."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        ensure_recon_schema(c)
    barrier = threading.Barrier(2, timeout=20)
    real = ledgers.transaction

    @contextmanager
    def together(con):
        with real(con):
            yield
            barrier.wait()

    monkeypatch.setattr(ledgers, "transaction", together)
    ids, errors = [], []

    def run(name: str) -> None:
        data = (DATA / name).read_bytes()
        raw = read_ledger_file(data, name)
        c = duckdb.connect(str(path))
        try:
            ids.append(import_ledger(c, data, name, suggest_mapping(raw.headers, raw.rows)).import_id)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)
            barrier.abort()
        finally:
            c.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("grootboek_nl.csv", "general_ledger_en.csv")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(ids) == [1, 2]
    with duckdb.connect(str(path)) as c:
        assert c.execute("SELECT count(*), count(DISTINCT import_id) FROM ledger_imports").fetchall() == [
            (2, 2)
        ]


def test_both_ways_of_placing_cells_agree():
    """By reference (a few regex passes) and one by one (calamine's counting): the same block."""
    for far in (None, "value", "format"):
        archive = zipfile.ZipFile(io.BytesIO(ledger_xlsx(far)))

        def chunks(archive=archive):
            return workbooks._xml_chunks(archive, "xl/worksheets/sheet1.xml", "x.xlsx", workbooks._Budget())

        assert workbooks._xlsx_extent_by_refs(chunks()) == workbooks._xlsx_extent(chunks())


def test_a_small_workbook_that_unpacks_to_much_is_read_in_a_separate_process():
    from afas.recon import staging

    row = b'<row r="2"><c r="A2" s="1"/></row>'
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    assert not staging._needs_isolation(ledger_xlsx())
    assert staging._needs_isolation(_with_sheet(xml + row * 300_000 + b"</sheetData></worksheet>"))
