"""Importing ledgers into DuckDB: all or nothing, duplicates refused, problems listed, profiles kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.recon import ledgers
from afas.recon.ledgers import (
    DuplicateImport,
    ImportProblems,
    UnknownProfile,
    delete_import,
    delete_profile,
    import_ledger,
    list_imports,
    list_profiles,
    load_profile,
    preview_import,
    save_profile,
)
from afas.recon.mapping import LineProblem, Mapping, suggest_mapping
from afas.recon.mapsql import MappedView
from afas.recon.readers import LedgerFileError, read_ledger_file

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"
BROKEN = DATA / "broken"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "recon.duckdb"))
    yield connection
    connection.close()


def suggested(name: str) -> tuple[bytes, Mapping]:
    data = (DATA / name).read_bytes()
    raw = read_ledger_file(data, name)
    return data, suggest_mapping(raw.headers, raw.rows)


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    ledgers.list_imports(con)  # creates the tables on a fresh database
    imports = con.execute("SELECT count(*) FROM ledger_imports").fetchall()[0][0]
    lines = con.execute("SELECT count(*) FROM ledger_lines").fetchall()[0][0]
    return imports, lines


SAMPLES = [
    ("grootboek_nl.csv", "csv", 6, Decimal("5058.00")),
    ("general_ledger_en.csv", "csv", 4, Decimal("-1160.05")),
    ("ledger.xlsx", "xlsx", 3, Decimal("-1265.14")),
    ("ledger.parquet", "parquet", 3, Decimal("3080.05")),
    ("statement.mt940", "mt940", 4, Decimal("1237.90")),
    ("statement.camt053.xml", "camt053", 3, Decimal("1236.91")),
]


@pytest.mark.parametrize(("name", "file_format", "rows", "total"), SAMPLES)
def test_each_sample_imports_with_exact_sums(con, name: str, file_format: str, rows: int, total: Decimal):
    data, mapping = suggested(name)
    result = import_ledger(con, data, name, mapping)
    assert (result.rows, result.skipped, result.problems) == (rows, 0, [])
    stored = con.execute(
        "SELECT count(*), sum(amount), typeof(sum(amount)) FROM ledger_lines WHERE import_id = ?",
        [result.import_id],
    ).fetchall()[0]
    assert stored[:2] == (rows, total)
    assert stored[2] == "DECIMAL(38,2)"
    (imported,) = list_imports(con)
    assert (imported.name, imported.file_format, imported.rows) == (name, file_format, rows)


def test_dutch_line_lands_with_date_accents_and_line_number(con):
    data, mapping = suggested("grootboek_nl.csv")
    result = import_ledger(con, data, "grootboek_nl.csv", mapping, name="Grootboek Q1", profile="nl")
    row = con.execute(
        "SELECT entry_date, account, amount, description, voucher, invoice, relation, allocation "
        "FROM ledger_lines WHERE import_id = ? AND line_no = 4",
        [result.import_id],
    ).fetchall()[0]
    assert row == (
        dt.date(2025, 1, 15),
        "4310",
        Decimal("45.50"),
        'Lunch; overleg "Ëindhoven"',
        "MEM2025003",
        None,
        "Restaurant Één",
        "100",
    )
    stored = con.execute("SELECT name, mapping_profile, mapping_json FROM ledger_imports").fetchall()[0]
    assert stored[:2] == ("Grootboek Q1", "nl")
    assert Mapping.from_json(stored[2]) == mapping


def test_bank_statement_lines_keep_counterparty(con):
    data, mapping = suggested("statement.camt053.xml")
    import_ledger(con, data, "statement.camt053.xml", mapping)
    rows = con.execute(
        "SELECT line_no, amount, counterparty_name, counterparty_iban, account "
        "FROM ledger_lines ORDER BY line_no"
    ).fetchall()
    assert rows[0] == (10, Decimal("1500.00"), "Bakkerij Hélène", "NL20INGB0001234567", "NL91ABNA0417164300")
    assert rows[1][1] == Decimal("-250.75")


def test_problems_refuse_the_whole_import(con):
    data, mapping = suggested("broken/bad_values.csv")
    with pytest.raises(ImportProblems) as info:
        import_ledger(con, data, "bad_values.csv", mapping)
    message = str(info.value)
    assert message.startswith("4 line(s) of bad_values.csv cannot be read: line 3, column 'Bedrag': amount")
    assert "line 4, column 'Datum'" in message and "Nothing was imported" in message
    assert [p.line_no for p in info.value.problems] == [3, 4, 6, 7]
    assert counts(con) == (0, 0)


def test_accepting_problems_skips_and_counts_the_bad_lines(con):
    data, mapping = suggested("broken/bad_values.csv")
    result = import_ledger(con, data, "bad_values.csv", mapping, accept_problems=True)
    assert (result.rows, result.skipped, len(result.problems)) == (2, 4, 4)
    assert con.execute("SELECT list(line_no ORDER BY line_no), sum(amount) FROM ledger_lines").fetchall()[
        0
    ] == (
        [2, 5],
        Decimal("7.50"),
    )
    assert list_imports(con)[0].skipped == 4


def test_many_problems_are_summarised():
    problems = [LineProblem(n, "Bedrag", "x", "amount is empty") for n in range(2, 40)]
    message = str(ImportProblems("big.csv", problems))
    assert message.startswith("38 line(s) of big.csv cannot be read")
    assert "and 33 more" in message and "line 7," not in message


def test_same_file_twice_is_refused_unless_wanted(con):
    data, mapping = suggested("grootboek_nl.csv")
    first = import_ledger(con, data, "grootboek_nl.csv", mapping, name="Januari")
    with pytest.raises(DuplicateImport) as info:
        import_ledger(con, data, "kopie.csv", mapping)
    assert "already imported as 'Januari' on " in str(info.value)
    assert f"(import {first.import_id}, 6 lines)" in str(info.value)
    assert info.value.earlier.import_id == first.import_id
    assert counts(con) == (1, 6)
    second = import_ledger(con, data, "kopie.csv", mapping, allow_duplicate=True)
    assert second.import_id == first.import_id + 1
    assert counts(con) == (2, 12)


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("empty.csv", "is empty"),
        ("image.png", "PNG image"),
        ("ragged.csv", "different numbers of fields"),
        ("not_a_workbook.xlsx", "ZIP archive"),
        ("no_statement_lines.mt940", "without transaction lines"),
        ("broken.camt.xml", "not well-formed XML"),
        ("bomb.xml", "refused for safety"),
        ("missing_amount.csv", r"Column 'Bedrag' \(chosen for amount\) is not in this file"),
    ],
)
def test_broken_files_write_nothing(con, name: str, phrase: str):
    data = (BROKEN / name).read_bytes()
    with pytest.raises(LedgerFileError, match=phrase):
        import_ledger(
            con, data, name, Mapping(entry_date="Datum", amount="Bedrag") if "csv" in name else Mapping()
        )
    assert counts(con) == (0, 0)


def test_missing_amount_mapping_from_suggestion_writes_nothing(con):
    data, mapping = suggested("broken/missing_amount.csv")
    with pytest.raises(LedgerFileError, match="no amount column"):
        import_ledger(con, data, "missing_amount.csv", mapping)
    assert counts(con) == (0, 0)


def test_ten_megabyte_line_writes_nothing(con):
    data = b"Datum;Bedrag\n01-01-2025;1,00\n" + b"x" * (10 * 1024 * 1024)
    with pytest.raises(LedgerFileError, match="line 3 is longer than 1 MB"):
        import_ledger(con, data, "huge.csv", Mapping(entry_date="Datum", amount="Bedrag"))
    assert counts(con) == (0, 0)


def test_failure_while_writing_rolls_back(con, monkeypatch):
    data, mapping = suggested("grootboek_nl.csv")
    real = MappedView.insert_sql

    def empty_amount_late(self):  # the lines after the third break a NOT NULL: a failure mid-write
        return real(self).replace(
            "entry_date, amount", "entry_date, CASE WHEN line_no > 3 THEN NULL ELSE amount END AS amount", 1
        )

    monkeypatch.setattr(MappedView, "insert_sql", empty_amount_late)
    with pytest.raises(duckdb.ConstraintException):
        import_ledger(con, data, "grootboek_nl.csv", mapping)
    assert counts(con) == (0, 0)
    monkeypatch.setattr(MappedView, "insert_sql", real)
    assert import_ledger(con, data, "grootboek_nl.csv", mapping).rows == 6


def test_preview_suggests_and_writes_nothing(con):
    data = (DATA / "grootboek_nl.csv").read_bytes()
    preview = preview_import(con, data, "grootboek_nl.csv")
    assert preview.mapping.amount == "Bedrag" and preview.duplicate_of is None
    assert len(preview.lines) == 6 and preview.problems == []
    assert preview.raw.encoding == "cp1252"
    assert counts(con) == (0, 0)
    import_ledger(con, data, "grootboek_nl.csv", preview.mapping, name="Q1")
    again = preview_import(con, data, "grootboek_nl.csv", preview.mapping)
    assert again.duplicate_of is not None and again.duplicate_of.name == "Q1"
    sheet = preview_import(con, (DATA / "ledger.xlsx").read_bytes(), "ledger.xlsx", sheet="Serieel")
    assert sheet.mapping.date_format == "excel"
    assert [line.entry_date for line in sheet.lines] == [dt.date(2025, 3, 31), dt.date(2025, 1, 1)]


def test_list_and_delete_imports(con):
    ids = []
    for name in ("grootboek_nl.csv", "ledger.parquet"):
        data, mapping = suggested(name)
        ids.append(import_ledger(con, data, name, mapping).import_id)
    assert [i.import_id for i in list_imports(con)] == ids[::-1]
    assert isinstance(list_imports(con)[0].imported, dt.datetime)
    assert delete_import(con, ids[0]) is True
    assert delete_import(con, ids[0]) is False
    assert counts(con) == (1, 3)
    data, mapping = suggested("grootboek_nl.csv")
    assert import_ledger(con, data, "grootboek_nl.csv", mapping).rows == 6  # no longer a duplicate


def test_profiles_round_trip(con):
    assert list_profiles(con) == []
    mapping = Mapping(
        entry_date="Datum", debit="Debet", credit="Credit", flip_sign=True, date_format="%d.%m.%Y"
    )
    save_profile(con, "Bank ING", mapping)
    save_profile(con, "adm 01", Mapping(entry_date="Boekdatum", amount="Bedrag"))
    assert list_profiles(con) == ["adm 01", "Bank ING"]
    assert load_profile(con, "Bank ING") == mapping
    changed = Mapping(entry_date="Datum", amount="Bedrag", decimal_separator=".")
    save_profile(con, "Bank ING", changed)
    assert load_profile(con, "Bank ING") == changed
    with pytest.raises(UnknownProfile, match="no saved column mapping named 'Rabo'"):
        load_profile(con, "Rabo")
    with pytest.raises(ValueError, match="needs a name"):
        save_profile(con, "  ", mapping)
    assert delete_profile(con, "adm 01") is True and list_profiles(con) == ["Bank ING"]
