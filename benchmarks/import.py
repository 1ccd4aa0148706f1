"""Importing large files: a bank CSV, a CAMT.053 statement and an XAF audit file of N lines each.

    python benchmarks/import.py --lines 1000000
        # goals: the CSV within 1.5x of DuckDB's own read_csv on the same file (into a table);
        #        peak memory under 1 GB for each import, whatever the file's size

Each file is generated first (an ING-style CSV export: ';', decimal comma, Af/Bij; a CAMT.053 with one
statement of N entries; an XAF 3.2 with N transaction lines), then imported in a fresh process the
way the dashboard does it (``afas.recon.readers.read_ledger_table`` into a staged Parquet file, the
suggested mapping, ``afas.recon.ledgers.import_table`` into a DuckDB warehouse), so each import's
peak resident memory is its own (the process's high-water mark, the file's bytes included). In the
same run the reference is DuckDB's ``read_csv`` of the same CSV into a table (its auto-detection,
in a fresh process too). Printed: seconds, rows/s and peak MB per import, and the CSV's ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bank_csv(path: Path, lines: int, seed: int = 1) -> None:
    """An ING-style CSV export of ``lines`` lines."""
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "Datum;Naam / Omschrijving;Rekening;Tegenrekening;Code;Af Bij;Bedrag (EUR);Mutatiesoort;"
            "Mededelingen\n"
        )
        for i in range(lines):
            day = 1 + i % 28
            cents = rnd.randrange(1, 10_000_00)
            side = "Af" if rnd.random() < 0.6 else "Bij"
            out.write(
                f"2026{1 + i % 12:02d}{day:02d};Relatie {i % 5000};NL91INGB0001234567;"
                f"NL20RABO0{i % 5000:09d};"  # the relation's own account: counterparties repeat
                f"GT;{side};{cents // 100},{cents % 100:02d};Online bankieren;Factuur {i} omschrijving\n"
            )


def _generate(kind: str, path: Path, lines: int) -> None:
    if kind == "csv":
        bank_csv(path, lines)
    elif kind == "camt053":
        from tests.recon.camt_fixtures import write_camt053

        write_camt053(path, lines)
    elif kind == "xaf":
        from tests.recon.xaf_fixtures import write_xaf

        write_xaf(path, lines)
    else:
        raise SystemExit(f"unknown kind {kind}")


def _child_import(path: str) -> dict:
    """Import the file as the dashboard does; the figures as JSON (run in a fresh process)."""
    import duckdb

    from afas.recon.ledgers import import_table, suggested_mapping
    from afas.recon.readers import read_ledger_table

    file = Path(path)
    start = time.perf_counter()
    data = file.read_bytes()
    with tempfile.TemporaryDirectory() as work:
        staged = Path(work) / "staged.parquet"
        table = read_ledger_table(data, file.name, into=staged)
        del data
        mapping = suggested_mapping(table)
        con = duckdb.connect(str(Path(work) / "w.duckdb"))
        try:
            result = import_table(con, table, mapping, file_name=file.name, accept_problems=True)
        finally:
            con.close()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": result.rows, "peak_mb": peak}


def _child_duckdb(path: str) -> dict:
    import duckdb

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        con = duckdb.connect(str(Path(work) / "w.duckdb"))
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [path])
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
        con.close()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": rows,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _run_child(mode: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--kinds", default="csv,camt053,xaf")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path = args.child
        print(json.dumps(_child_duckdb(path) if mode == "duckdb" else _child_import(path)))
        return
    with tempfile.TemporaryDirectory() as work:
        figures: dict[str, dict] = {}
        for kind in args.kinds.split(","):
            path = Path(work) / {"csv": "bank.csv", "camt053": "statement.xml", "xaf": "audit.xaf"}[kind]
            started = time.perf_counter()
            _generate(kind, path, args.lines)
            size = path.stat().st_size / 1024 / 1024
            print(
                f"{kind}: generated {args.lines:,} lines, {size:,.0f} MB "
                f"in {time.perf_counter() - started:.1f} s"
            )
            figures[kind] = _run_child("import", path)
            if kind == "csv":
                figures["duckdb read_csv"] = _run_child("duckdb", path)
            path.unlink()
        print(f"\n{'import':<18}{'seconds':>10}{'rows/s':>14}{'peak MB':>10}")
        for name, f in figures.items():
            if "error" in f:
                print(f"{name:<18}  failed: {f['error']}")
                continue
            rate = f["rows"] / f["seconds"] if f["seconds"] else 0
            print(f"{name:<18}{f['seconds']:>10.2f}{rate:>14,.0f}{f['peak_mb']:>10,.0f}")
        csv_f, ref = figures.get("csv", {}), figures.get("duckdb read_csv", {})
        if "seconds" in csv_f and "seconds" in ref:
            print(
                f"\nCSV import / DuckDB read_csv: {csv_f['seconds'] / ref['seconds']:.2f}x "
                "(goal: within 1.5x)"
            )
        over = [n for n, f in figures.items() if f.get("peak_mb", 0) >= 1024 and n != "duckdb read_csv"]
        print("peak memory under 1 GB for each import" if not over else f"over 1 GB: {', '.join(over)}")


if __name__ == "__main__":
    main()
