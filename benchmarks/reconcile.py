"""Time the matching engine against datacompy and against its own floor, on the same books, in one run.

    python benchmarks/reconcile.py --rows 1000000
        # goals (issue 16): exact key >= 10x faster than datacompy with equal counts, and within 2x
        #                   of the floor; all passes < 5 s and peak memory < 2 GB at 1M x 1M (2 threads)
    python benchmarks/reconcile.py --rows 10000000 --repeat 1 --skip-datacompy
        # goal (issue 16): all passes < 60 s and peak memory < 8 GB at 10M x 10M

The books are tests/recon/test_datacompy_agreement.py's generate_books: N AFAS journal lines and
about N ledger lines with ~1% of each kind of difference (only in one side, amount off, a cent
off within tolerance, date off, account off, voucher missing, reworded text, split payments).
Ours: afas.recon.matching.reconcile with the exact-key pass (join on voucher, 0.01 tolerance,
dates and accounts compared), its result kept in the file. datacompy: PandasCompare on the same data
read into pandas (amounts in integer cents, abs_tol 1), the read timed separately.

A run keeps its result rows compactly (recon_lines: line ids, kind, group, pass, reason, difference;
afas.recon.results), the lines' amounts and texts being read through the view recon_results. Phases
of our exact-key run (its keys are unique, so it takes the direct path of
afas.recon.matching._direct_key_run): load = counting both sides and checking keys do not repeat,
exact_key = the one INSERT that joins, classifies and keeps every result row, write = the commit.
The floor is the same join keeping only the two line numbers and the kind per row, in a table of
the same file, committed and checkpointed: what any result kept line by line in the file costs at
least. Each timing is the best of --repeat runs (the machine may be shared); the counts of every
run are checked against the known answer.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from afas.recon.matching import MatchConfig, reconcile  # noqa: E402
from tests.recon.test_datacompy_agreement import (  # noqa: E402
    ALL_PASSES,
    KEY_PASS,
    datacompy_counts,
    expected_key_counts,
    frames,
    generate_books,
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phases(seconds: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())


def _floor(con: duckdb.DuckDBPyConnection) -> float:
    """Seconds for the least a kept result can be: the exact-key FULL JOIN of both sides written to
    a table in the same file with nothing but the two line numbers and the kind (no amounts, dates,
    accounts or texts), committed."""
    t = time.perf_counter()
    con.execute(
        """CREATE TABLE _floor AS
        SELECT a.a_id, l.line_no,
               CASE WHEN l.line_no IS NULL THEN 'only_in_afas' WHEN a.a_id IS NULL THEN 'only_in_ledger'
                    WHEN abs(a.amount - l.amount) <= 0.01 AND a.d = l.entry_date AND a.account = l.account
                    THEN 'matched' ELSE 'differing' END AS kind
        FROM (SELECT row_number() OVER () AS a_id, VoucherNo AS voucher, AccountNo AS account,
                     CAST(EntryDate AS DATE) AS d, AmtDebit - AmtCredit AS amount
              FROM "Profit_Transactions") a
        FULL JOIN (SELECT line_no, voucher, account, entry_date, amount FROM ledger_lines
                   WHERE import_id = 1) l ON a.voucher = l.voucher"""
    )
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    con.execute("DROP TABLE _floor")
    return seconds


def _best(repeat: int, step):  # noqa: ANN001, ANN202
    """(least seconds, last result) of ``repeat`` calls of ``step``."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - t)
    return best, result


def _counts(counts: dict) -> dict[str, int]:
    return {str(k): int(v) for k, v in counts.items()}


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (the goal is set for 2 cores)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is shown")
    ap.add_argument("--skip-datacompy", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="afas-recon-bench-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "books.duckdb"))
        con.execute(f"SET threads = {int(args.threads)}")
        t = time.perf_counter()
        generate_books(con, args.rows)
        n_ledger = con.execute("SELECT count(*) FROM ledger_lines").fetchone()[0]
        n_afas = con.execute('SELECT count(*) FROM "Profit_Transactions"').fetchone()[0]
        con.execute("CHECKPOINT")  # the books at rest on disk before anything is timed
        gen_s = time.perf_counter() - t
        print(f"generated {n_afas:,} AFAS lines and {n_ledger:,} ledger lines in {gen_s:.1f} s")

        expected = expected_key_counts(args.rows)
        config = MatchConfig(passes=(KEY_PASS,), ambiguity="oldest")
        ours_s, key = _best(args.repeat, lambda: reconcile(con, 1, config))
        assert key.counts == expected, (key.counts, expected)
        floor_s, _ = _best(args.repeat, lambda: _floor(con))
        print(f"ours, exact key:      {ours_s:8.2f} s  {_counts(key.counts)}")
        print(f"                      phases {_phases(key.seconds)}")
        print(f"floor (the same join keeping only both line numbers and the kind): {floor_s:8.2f} s")
        print(f"ratio ours / floor: {ours_s / floor_s:.2f}x (goal <= 2x): {_verdict(ours_s <= 2 * floor_s)}")

        all_s, every = _best(args.repeat, lambda: reconcile(con, 1, ALL_PASSES))
        print(f"ours, all passes:     {all_s:8.2f} s  {_counts(every.counts)}")
        print(f"                      groups per pass {every.groups_per_pass}")
        print(f"                      phases {_phases(every.seconds)}")
        peak_ours = _peak_mb()
        goal_s, goal_mb = (60, 8192) if args.rows >= 10_000_000 else (5, 2048)
        print(f"all passes goal < {goal_s} s on {args.threads} threads: {_verdict(all_s < goal_s)}")
        print(
            f"peak memory after our runs: {peak_ours:,.0f} MB (goal < {goal_mb:,} MB): "
            f"{_verdict(peak_ours < goal_mb)}"
        )

        if args.skip_datacompy:
            return
        read_s, (afas, ledger) = _best(1, lambda: frames(con))
        dc_s, counts = _best(args.repeat, lambda: datacompy_counts(afas, ledger))
        theirs = {k: int(v) for k, v in counts.items()}
        print(f"datacompy:            {dc_s:8.2f} s  {theirs}")
        print(f"                      (+ {read_s:.2f} s to read both sides from DuckDB into pandas first)")
        agree = theirs == key.counts
        print(f"counts agree: {agree}")
        ratio = dc_s / ours_s
        print(
            f"ratio datacompy / ours: {ratio:.1f}x (goal >= 10x with equal counts): "
            f"{_verdict(ratio >= 10 and agree)}"
        )
        print(f"ratio (datacompy + its read) / ours: {(dc_s + read_s) / ours_s:.1f}x")
        print(
            f"ratio datacompy / floor: {dc_s / floor_s:.1f}x (the most any result kept line by line in "
            "the DuckDB file could reach)"
        )
        print(f"peak memory overall (datacompy's pandas included): {_peak_mb():,.0f} MB")
        con.close()


if __name__ == "__main__":
    main()
