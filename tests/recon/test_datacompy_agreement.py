"""The exact-key comparison counts what datacompy counts (datacompy 1.1: PandasCompare), on generated
books with known differences.

``generate_books`` is also the data of benchmarks/reconcile.py. Line i falls in category i % 100:
0 only in AFAS; 1 amount differs by 10.00; 2 amount off by a cent (within a 0.01 tolerance);
3 only in the ledger; 4 ledger without the voucher, 2 days later (an amount + date match);
5 ledger without the voucher, 5 days later, description reworded (an amount + text match);
6 ledger paid in two parts without the voucher (a one-to-many match); 7 date one day off;
8 account differs; every other category equal.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import datacompy
import duckdb
import pandas as pd
import pytest

from afas.recon.matching import MatchConfig, reconcile
from afas.recon.passes import DateWindowPass, ExactKeyPass, FuzzyTextPass, GroupSumPass
from afas.recon.schema import ensure_recon_schema

KEY_PASS = ExactKeyPass(
    keys=(("VoucherNo", "voucher"),), abs_tol=Decimal("0.01"), date_tol_days=0, compare_account=True
)
ALL_PASSES = MatchConfig(
    passes=(
        KEY_PASS,
        DateWindowPass(),
        FuzzyTextPass(),
        GroupSumPass(),
        GroupSumPass(direction="many_to_one"),
    ),
    ambiguity="unique",
)


def generate_books(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """Profit_Transactions and ledger import 1 for lines 1..n, in bulk SQL (see the module docstring)."""
    ensure_recon_schema(con)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _gen AS
        SELECT i, i % 100 AS cat, d, account,
               CAST(CASE WHEN i % 100 = 6 THEN abs(x) + 10 WHEN x = 0 THEN 1 ELSE x END AS DECIMAL(18,
                   2)) AS amount
        FROM (SELECT i, (CAST(hash(i) % 1000000 AS BIGINT) - 500000) * 0.01 AS x,
                     DATE '2024-01-01' + CAST(hash(i + 1000000000) % 365 AS INTEGER) AS d,
                     '1' || lpad(CAST(hash(i + 2000000000) % 50 AS VARCHAR), 3, '0') AS account
              FROM range(1, ? + 1) t(i))""",
        [n],
    )
    con.execute(
        """CREATE OR REPLACE TABLE "Profit_Transactions" AS
        SELECT 1::BIGINT AS UnitId, i AS EntryNo, 1::BIGINT AS SeqNo, CAST(year(d) AS BIGINT) AS Year,
               CAST(month(d) AS BIGINT) AS Period, 'MEM' AS JournalId, account AS AccountNo,
               CAST(greatest(amount, 0) AS DECIMAL(18, 2)) AS AmtDebit,
               CAST(greatest(-amount, 0) AS DECIMAL(18, 2)) AS AmtCredit, d AS EntryDate,
               NULL::VARCHAR AS InvoiceId, d AS VoucherDate, 'V' || i AS VoucherNo, NULL::VARCHAR AS VatCode,
               NULL::DECIMAL(18, 2) AS VatAmt, 'Invoice ' || i || ' customer ' || i % 997 AS Description,
               NULL::TIMESTAMP AS Created, NULL::TIMESTAMP AS Modified
        FROM _gen WHERE cat <> 3 ORDER BY i"""
    )
    con.execute("DELETE FROM ledger_lines WHERE import_id = 1")
    con.execute("DELETE FROM ledger_imports WHERE import_id = 1")
    con.execute(
        """INSERT INTO ledger_lines (import_id, line_no, entry_date, account, amount, voucher, description)
        SELECT 1, row_number() OVER (ORDER BY i, part), d, account, amount, voucher, description FROM (
            SELECT i, 0 AS part,
                   CASE cat WHEN 4 THEN d + 2 WHEN 5 THEN d + 5 WHEN 7 THEN d + 1 ELSE d END AS d,
                   CASE WHEN cat = 8 THEN account || 'X' ELSE account END AS account,
                   CASE cat WHEN 1 THEN amount + 10 WHEN 2 THEN amount + 0.01 ELSE amount END AS amount,
                   CASE WHEN cat IN (4, 5) THEN 'N' || i ELSE 'V' || i END AS voucher,
                   CASE WHEN cat = 5 THEN 'invoice ' || i || ' cust. ' || i % 997
                        ELSE 'Invoice ' || i || ' customer ' || i % 997 END AS description
            FROM _gen WHERE cat NOT IN (0, 6)
            UNION ALL
            SELECT i, part, d + CAST(1 + 2 * part AS INTEGER), account,
                   CASE WHEN part = 0 THEN round(amount * 0.4, 2) ELSE amount - round(amount * 0.4, 2) END,
                   'N' || i || CASE WHEN part = 0 THEN 'a' ELSE 'b' END, 'part payment'
            FROM _gen CROSS JOIN range(2) p(part) WHERE cat = 6)"""
    )
    rows = con.execute("SELECT count(*) FROM ledger_lines WHERE import_id = 1").fetchone()[0]
    con.execute(
        "INSERT INTO ledger_imports VALUES "
        "(1, 'generated', 'generated.csv', 'x', 'csv', ?, 0, NULL, NULL, now())",
        [rows],
    )
    con.execute("DROP TABLE _gen")


def expected_key_counts(n: int) -> dict[str, int]:
    """The right answer of the exact-key comparison for generate_books(n)."""
    cats = Counter(i % 100 for i in range(1, n + 1))
    return {
        "matched": n - sum(cats[c] for c in range(9)) + cats[2],
        "only_in_afas": cats[0] + cats[4] + cats[5] + cats[6],
        "only_in_ledger": cats[3] + cats[4] + cats[5] + 2 * cats[6],
        "differing": cats[1] + cats[7] + cats[8],
    }


def frames(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sides as pandas frames for datacompy: amounts in integer cents (exact), dates, accounts."""
    afas = con.execute(
        """SELECT VoucherNo AS voucher, CAST((AmtDebit - AmtCredit) * 100 AS BIGINT) AS cents,
                  CAST(EntryDate AS TIMESTAMP) AS date, AccountNo AS account FROM "Profit_Transactions" """
    ).df()
    ledger = con.execute(
        """SELECT voucher, CAST(amount * 100 AS BIGINT) AS cents, CAST(entry_date AS TIMESTAMP) AS date,
            account
        FROM ledger_lines WHERE import_id = 1"""
    ).df()
    return afas, ledger


def datacompy_counts(afas: pd.DataFrame, ledger: pd.DataFrame) -> dict[str, int]:
    """datacompy's answer: join on the voucher, one cent of absolute tolerance on the amount."""
    cmp = datacompy.PandasCompare(
        afas, ledger, join_columns=["voucher"], abs_tol=1, df1_name="afas", df2_name="ledger"
    )
    both = len(cmp.intersect_rows)
    equal = cmp.count_matching_rows()
    return {
        "matched": equal,
        "only_in_afas": len(cmp.df1_unq_rows),
        "only_in_ledger": len(cmp.df2_unq_rows),
        "differing": both - equal,
    }


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("dc") / "books.duckdb"))
    generate_books(con, 20_000)
    yield con
    con.close()


def test_exact_key_counts_agree_with_datacompy(books):
    ours = reconcile(books, 1, MatchConfig(passes=(KEY_PASS,), ambiguity="oldest")).counts
    theirs = datacompy_counts(*frames(books))
    assert ours == theirs == expected_key_counts(20_000)


def test_per_column_differences_agree_with_datacompy(books):
    run = reconcile(books, 1, MatchConfig(passes=(KEY_PASS,), ambiguity="unique"))
    reasons = books.execute(
        """SELECT count(*) FILTER (WHERE regexp_matches(reason, 'amount -?[0-9,.]+ vs ')),
            count(*) FILTER (WHERE reason LIKE '%days apart%'),
                  count(*) FILTER (WHERE reason LIKE '%account % vs %')
        FROM recon_results WHERE run_id = ? AND kind = 'differing'""",
        [run.run_id],
    ).fetchone()
    afas, ledger = frames(books)
    cmp = datacompy.PandasCompare(afas, ledger, join_columns=["voucher"], abs_tol=1)
    stats = {s["column"]: s["unequal_cnt"] for s in cmp.column_stats}
    assert reasons == (stats["cents"], stats["date"], stats["account"])


def test_all_passes_find_the_planted_matches(books):
    run = reconcile(books, 1, ALL_PASSES)
    cats = Counter(i % 100 for i in range(1, 20_001))
    assert run.counts == {
        "matched": 20_000 - sum(cats[c] for c in (0, 1, 3, 7, 8)) + cats[6],
        "only_in_afas": cats[0],
        "only_in_ledger": cats[3],
        "differing": cats[1] + cats[7] + cats[8],
    }
    assert run.groups_per_pass["amount_date"] == cats[4]
    assert run.groups_per_pass["amount_text"] == cats[5]
    assert run.groups_per_pass["one_to_many"] == cats[6]


def test_generated_books_are_deterministic(tmp_path: Path):
    a, b = duckdb.connect(str(tmp_path / "a.duckdb")), duckdb.connect(str(tmp_path / "b.duckdb"))
    for c in (a, b):
        generate_books(c, 500)
    q = "SELECT sum(hash(line_no, amount, entry_date, account, voucher)) FROM ledger_lines"
    assert a.execute(q).fetchone() == b.execute(q).fetchone()
