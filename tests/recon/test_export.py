"""Exports: a workbook with real numbers and inert text, and CSV, read back as a user would."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from afas.recon.export import SHEET_NAMES, export_csv, export_workbook, neutralise
from afas.recon.matching import reconcile
from tests.recon.test_matching import afas_line, ledger_line, make_books

NASTY = ['=HYPERLINK("http://x")', "+31 20 123", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture
def run(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "recon.duckdb"))
    afas = [
        afas_line(1, "1234.56", "2024-01-05", voucher="V1", text="rent"),
        afas_line(2, "-50.00", "2024-01-06", voucher="V2", text="=cmd|' /C calc'!A0"),
        afas_line(3, "75.00", "2024-01-07", voucher="V3", text="only afas"),
    ]
    ledger = [ledger_line(1, "1234.56", "2024-01-05", voucher="V1", text="rent")]
    ledger += [ledger_line(2, "-49.50", "2024-01-06", voucher="V2", text="+fee")]
    ledger += [ledger_line(10 + i, "1.00", "2024-02-01", text=t) for i, t in enumerate(NASTY)]
    make_books(con, afas, ledger)
    summary = reconcile(con, 1)
    yield con, summary.run_id
    con.close()


def test_neutralise():
    assert [neutralise(t) for t in NASTY] == ["'" + t for t in NASTY]
    assert neutralise("rent 2024") == "rent 2024" and neutralise("") == ""


def test_workbook_sheets_numbers_and_inert_text(run, tmp_path):
    con, run_id = run
    path = tmp_path / "out.xlsx"
    written = export_workbook(con, run_id, path)
    assert written == {"matched": 1, "only_in_afas": 1, "only_in_ledger": 6, "differing": 1}
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", *SHEET_NAMES.values()]
    summary = {r[0]: r[1:] for r in wb["Summary"].iter_rows(min_row=7, values_only=True)}
    assert summary["Only in ledger"][0] == 6 and summary["Matched"][1] == pytest.approx(1234.56)
    sheet = wb["Differing"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]], strict=True))
    assert row["amount_afas"].value == -50.0 and row["amount_afas"].data_type == "n"
    assert row["amount_afas"].number_format == "#,##0.00"
    assert row["difference"].value == pytest.approx(-0.5)
    assert row["description_afas"].value == "'=cmd|' /C calc'!A0" and row["description_afas"].data_type == "s"
    assert row["description_ledger"].value == "'+fee"
    assert row["date_afas"].is_date
    texts = [
        r[header.index("description_ledger")]
        for r in wb["Only in ledger"].iter_rows(min_row=2, values_only=True)
    ]
    texts = [t.replace("_x000D_", "\r") for t in texts]  # xlsx escapes a CR; openpyxl leaves it escaped
    assert sorted(texts) == sorted("'" + t for t in NASTY)
    # No cell anywhere is a formula.
    assert all(c.data_type != "f" for ws in wb for r in ws.iter_rows() for c in r)


def test_workbook_to_a_stream_and_unknown_run(run):
    con, run_id = run
    buf = io.BytesIO()
    export_workbook(con, run_id, buf)
    assert openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["Matched"].max_row == 2
    with pytest.raises(ValueError, match="does not exist"):
        export_workbook(con, 999, io.BytesIO())


def test_csv_amounts_stay_numeric_and_text_is_neutralised(run, tmp_path):
    con, run_id = run
    path = tmp_path / "out.csv"
    assert export_csv(con, run_id, path) == 9
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    by_kind = {r["kind"]: r for r in rows}
    assert Decimal(by_kind["differing"]["amount_afas"]) == Decimal("-50.00")
    assert by_kind["differing"]["amount_afas"] == "-50.00" and by_kind["differing"]["difference"] == "-0.50"
    assert by_kind["differing"]["description_afas"].startswith("'=")
    assert by_kind["matched"]["date_afas"] == "2024-01-05"
    ledger_texts = sorted(r["description_ledger"] for r in rows if r["kind"] == "only_in_ledger")
    assert ledger_texts == sorted("'" + t for t in NASTY)
    buf = io.StringIO()
    assert export_csv(con, run_id, buf, kind="only_in_afas") == 1
    assert buf.getvalue().splitlines()[1].startswith("only_in_afas,")
    with pytest.raises(ValueError, match="kind"):
        export_csv(con, run_id, io.StringIO(), kind="bogus")


def _cli(argv: list[str]) -> int:
    from afas.cli.main import main

    return main(argv)


def test_cli_reconciles_an_imported_ledger_and_exports(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        make_books(
            con,
            [
                afas_line(1, "10.00", "2024-01-01", voucher="A"),
                afas_line(2, "20.00", "2024-01-02", voucher="B"),
            ],
            [
                ledger_line(1, "10.00", "2024-01-01", voucher="A"),
                ledger_line(2, "21.00", "2024-01-02", voucher="B"),
            ],
        )
    xlsx, out_csv = tmp_path / "r.xlsx", tmp_path / "r.csv"
    argv = ["reconcile", "--db", str(db), "--import-id", "1", "--out", str(xlsx), "--csv", str(out_csv)]
    assert _cli([*argv, "--ambiguity", "oldest"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "run 1: AFAS lines against ledger import 1"
    counts = {
        label.strip(): int(n.replace(",", "")) for label, n in (ln.rsplit(" ", 1) for ln in printed[1:5])
    }
    assert counts == {"Matched": 1, "Only in AFAS": 0, "Only in the ledger": 0, "Differing": 1}
    assert openpyxl.load_workbook(xlsx)["Differing"].max_row == 2
    assert len(out_csv.read_text(encoding="utf-8").splitlines()) == 3


def test_cli_filters_and_reports_user_errors(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        make_books(
            con,
            [afas_line(1, "10.00", "2024-01-01", account="4000")],
            [ledger_line(1, "10.00", "2024-01-01")],
        )
    assert (
        _cli(["reconcile", "--db", str(db), "--import-id", "1", "--account", "8000", "--from", "2024-01-01"])
        == 0
    )
    printed = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert printed == [
        ["Matched", "0"],
        ["Only", "in", "AFAS", "0"],
        ["Only", "in", "the", "ledger", "1"],
        ["Differing", "0"],
    ]
    assert _cli(["reconcile", "--db", str(db), "--import-id", "7"]) == 2
    assert capsys.readouterr().err == (
        "error: There is no imported ledger #7.\n"
        "  Import the ledger first (Reconcile page, or --ledger FILE), or pick an imported one.\n"
    )


def test_master_data_workbook_lists_field_differences(tmp_path):
    from afas.recon.compare import compare_master_data

    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute(
        """CREATE TABLE "Profit_Creditor" AS SELECT '2001' AS CreditorId, 'Supplier' AS CreditorName"""
    )
    con.execute(
        "CREATE TABLE suppliers AS SELECT '2001' AS id, '=1+1' AS name UNION ALL SELECT '2002', 'New'"
    )
    rep = compare_master_data(
        con, "Profit_Creditor", "suppliers", [("CreditorName", "name")], ledger_key="id"
    )
    path = tmp_path / "m.xlsx"
    written = export_workbook(con, rep.run_id, path)
    assert written["differing"] == 1 and written["only_in_ledger"] == 1 and written["field_differences"] == 1
    rows = list(openpyxl.load_workbook(path)["Field differences"].iter_rows(values_only=True))
    assert rows == [
        ("item_key", "field", "value_afas", "value_ledger"),
        ("2001", "CreditorName", "Supplier", "'=1+1"),
    ]
    con.close()


def test_cli_imports_a_ledger_file_then_reconciles(tmp_path, capsys):
    pytest.importorskip("afas.recon.ledgers", reason="the ledger import side is not in this checkout")
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        make_books(con, [afas_line(1, "10.00", "2024-01-01", voucher="A")], [], import_id=50)
    ledger = tmp_path / "bank.csv"
    ledger.write_text(
        "Datum,Rekening,Bedrag,Omschrijving,Boekstuk\n2024-01-01,1100,10.00,rent,A\n", encoding="utf-8"
    )
    assert _cli(["reconcile", "--db", str(db), "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert (
        "imported 1 line of bank.csv as import 51" in out and "\n  Matched                      1\n" in out
    )
    # The same file again: the earlier import is reconciled, not imported twice.
    assert _cli(["reconcile", "--db", str(db), "--ledger", str(ledger)]) == 0
    assert "was imported before as import 51" in capsys.readouterr().out
