"""Staging an upload: read once into a Parquet file, large files in a separate process that may fail
without taking the dashboard with it."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
import xlsxwriter

from afas.i18n import Language, using
from afas.recon import readers, staging
from afas.recon.ledgers import import_table, preview_table
from afas.recon.mapping import suggest_mapping
from afas.recon.readers import LedgerFileError, read_ledger_file
from afas.recon.staging import stage

DATA = Path(__file__).resolve().parents[1] / "data" / "ledgers"


@pytest.mark.parametrize("isolate", [False, True])
@pytest.mark.parametrize("name", ["grootboek_nl.csv", "ledger.xlsx", "statement.mt940", "ledger.parquet"])
def test_a_staged_file_reads_as_the_file_itself(tmp_path, name, isolate):
    data = (DATA / name).read_bytes()
    table = stage(data, name, tmp_path, isolate=isolate)
    assert table.data is None and table.path is not None and table.path.exists()
    assert (
        table.file_name == name and table.sha256 and table.num_rows == len(read_ledger_file(data, name).rows)
    )
    assert table.to_raw() == read_ledger_file(data, name)


def test_the_same_file_is_read_once(tmp_path, monkeypatch):
    data = (DATA / "grootboek_nl.csv").read_bytes()
    first = stage(data, "a.csv", tmp_path)

    def never(*args, **kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(readers, "read_ledger_table", never)
    again = stage(data, "b.csv", tmp_path)
    assert again.path == first.path and again.file_name == "b.csv"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (Language.EN, "as far as cell XFD1048576"),
        # the reading process speaks the session's language: its refusal comes back in Dutch
        (
            Language.NL,
            "Werkblad 'S' van far.xlsx heeft waarden van A1 tot aan cel XFD1048576: 17.179.869.184 ",
        ),
    ],
)
def test_a_refusal_comes_back_from_the_reading_process_in_words(tmp_path, language, said):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("S")
    sheet.write_row(0, 0, ["Datum", "Bedrag"])
    sheet.write(1048575, 16383, "x")
    book.close()
    with using(language), pytest.raises(LedgerFileError) as caught:
        stage(buffer.getvalue(), "far.xlsx", tmp_path, isolate=True)
    assert said in caught.value.message
    assert not list(tmp_path.glob("*.parquet"))


def test_a_reading_process_out_of_memory_or_time_is_reported_not_shared(tmp_path, monkeypatch):
    data = (DATA / "grootboek_nl.csv").read_bytes()
    monkeypatch.setattr(staging, "CHILD_MEMORY", 48 * 1024 * 1024)  # too little to read anything
    with pytest.raises(LedgerFileError, match="needs more memory to read|stopped without an answer"):
        stage(data, "x.csv", tmp_path, isolate=True)
    monkeypatch.undo()
    monkeypatch.setattr(staging, "CHILD_SECONDS", 0.01)
    with pytest.raises(LedgerFileError, match=r"took longer than 0 minutes and was stopped"):
        stage(data, "x.csv", tmp_path, isolate=True)
    assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob(".upload-*"))


def test_old_staged_files_are_pruned(tmp_path):
    old = tmp_path / ("0" * 64 + "-first.parquet")
    old.write_bytes(b"x")
    past = time.time() - staging.KEEP_SECONDS - 60
    os.utime(old, (past, past))
    stage((DATA / "grootboek_nl.csv").read_bytes(), "x.csv", tmp_path)
    assert not old.exists() and list(tmp_path.glob("*.parquet"))


def test_preview_and_import_read_the_staged_file(tmp_path):
    import duckdb

    data = (DATA / "grootboek_nl.csv").read_bytes()
    table = stage(data, "grootboek_nl.csv", tmp_path / "staging", isolate=True)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    preview = preview_table(con, table)
    assert (preview.summary.rows, preview.summary.total, preview.summary.problem_count) == (6, 5058, 0)
    raw = read_ledger_file(data, "grootboek_nl.csv")
    result = import_table(con, table, suggest_mapping(raw.headers, raw.rows))
    assert (result.rows, result.skipped) == (6, 0)
    assert preview_table(con, table).duplicate_of.import_id == result.import_id
    con.close()


def test_two_sessions_staging_one_file_at_once_both_get_it(tmp_path):
    import threading

    data = (DATA / "grootboek_nl.csv").read_bytes()
    found, errors = [], []

    def one() -> None:
        try:
            found.append(stage(data, "x.csv", tmp_path).to_raw())
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(found) == 4 and all(raw == found[0] for raw in found)
    assert not list(tmp_path.glob(".*.tmp"))
