"""The matching engine on small hand-built books whose right answers are known."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.errors import InputError
from afas.recon.matching import (
    AfasFilter,
    MatchConfig,
    count_results,
    differences_by_account_period,
    list_runs,
    read_results,
    reconcile,
    result_counts,
)
from afas.recon.overrides import list_overrides, match_manually, remove_override, unmatch_group
from afas.recon.passes import DateWindowPass, ExactKeyPass, FuzzyTextPass, GroupSumPass
from afas.recon.schema import ensure_recon_schema
from afas.warehouse.explore import NotSynced

AFAS_DDL = """CREATE OR REPLACE TABLE "Profit_Transactions" (
    UnitId BIGINT, EntryNo BIGINT, SeqNo BIGINT, Year BIGINT, Period BIGINT, JournalId VARCHAR,
    AccountNo VARCHAR, AmtDebit DECIMAL(18, 2), AmtCredit DECIMAL(18, 2), EntryDate DATE, InvoiceId VARCHAR,
    VoucherDate DATE, VoucherNo VARCHAR, VatCode VARCHAR, VatAmt DECIMAL(18, 2), Description VARCHAR,
    Created TIMESTAMP, Modified TIMESTAMP)"""

AFAS_COLS = (
    "EntryNo, SeqNo, UnitId, Year, Period, AccountNo, AmtDebit, AmtCredit, EntryDate, VoucherNo, InvoiceId, "
    "Description"
)
LEDGER_COLS = "import_id, line_no, entry_date, account, amount, voucher, invoice, description"


def afas_line(
    entry: int,
    amount: str,
    date: str,
    voucher: str | None = None,
    invoice: str | None = None,
    text: str | None = None,
    account: str = "1100",
    unit: int = 1,
    seq: int = 1,
) -> tuple:
    """One AFAS journal line; a positive amount is a debit, a negative one a credit."""
    amt = Decimal(amount)
    day = dt.date.fromisoformat(date)
    debit, credit = (amt, Decimal(0)) if amt >= 0 else (Decimal(0), -amt)
    return (entry, seq, unit, day.year, day.month, account, debit, credit, day, voucher, invoice, text)


def ledger_line(
    line_no: int,
    amount: str,
    date: str,
    voucher: str | None = None,
    invoice: str | None = None,
    text: str | None = None,
    account: str = "1100",
    import_id: int = 1,
) -> tuple:
    return (import_id, line_no, dt.date.fromisoformat(date), account, Decimal(amount), voucher, invoice, text)


def _insert(con: duckdb.DuckDBPyConnection, table: str, cols: str, rows: list[tuple]) -> None:
    if not rows:
        return
    width = len(rows[0])
    values = ", ".join("(" + ", ".join("?" * width) + ")" for _ in rows)
    con.execute(f"INSERT INTO {table} ({cols}) VALUES {values}", [v for r in rows for v in r])


def make_books(
    con: duckdb.DuckDBPyConnection, afas: list[tuple], ledger: list[tuple], import_id: int = 1
) -> None:
    """Create Profit_Transactions with ``afas`` and ledger import ``import_id`` with ``ledger``."""
    ensure_recon_schema(con)
    con.execute(AFAS_DDL)
    _insert(con, '"Profit_Transactions"', AFAS_COLS, afas)
    con.execute(
        "INSERT INTO ledger_imports VALUES (?, 'test', 'test.csv', 'x', 'csv', ?, 0, NULL, NULL, now()) "
        "ON CONFLICT DO NOTHING",
        [import_id, len(ledger)],
    )
    _insert(con, "ledger_lines", LEDGER_COLS, ledger)


def pairs(con: duckdb.DuckDBPyConnection, run_id: int, kind: str = "matched") -> set[tuple]:
    """(entry_no, line_no) of the rows of one kind; one side None when the row holds one line."""
    return {(r["entry_no"], r["line_no"]) for r in read_results(con, run_id, kind=kind, limit=10_000)}


def only(*passes) -> MatchConfig:  # noqa: ANN002
    return MatchConfig(passes=tuple(passes))


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "recon.duckdb"))
    yield c
    c.close()


def test_exact_key_matches_and_shows_differences_side_by_side(con):
    make_books(
        con,
        [
            afas_line(1, "100.00", "2024-01-05", voucher="2024-0012"),
            afas_line(2, "-50.00", "2024-01-06", voucher="2024-0013"),
            afas_line(3, "75.00", "2024-01-07", voucher="2024-0014"),
            afas_line(4, "20.00", "2024-01-07", voucher="2024-0099"),
        ],
        [
            ledger_line(1, "100.00", "2024-01-05", voucher="2024-0012"),
            ledger_line(2, "-49.50", "2024-01-06", voucher="2024-0013"),
            ledger_line(3, "75.00", "2024-01-07", voucher=" 2024-0014 "),
            ledger_line(4, "20.00", "2024-01-07", voucher="2024-0100"),
        ],
    )
    run = reconcile(con, 1, only(ExactKeyPass()))
    assert run.counts == {"matched": 2, "only_in_afas": 1, "only_in_ledger": 1, "differing": 1}
    assert pairs(con, run.run_id) == {(1, 1), (3, 3)}
    [diff] = read_results(con, run.run_id, kind="differing")
    assert (diff["entry_no"], diff["line_no"]) == (2, 2)
    assert (diff["amount_afas"], diff["amount_ledger"], diff["difference"]) == (
        Decimal("-50.00"),
        Decimal("-49.50"),
        Decimal("-0.50"),
    )
    assert diff["reason"] == "voucher 2024-0013 equal, amount -50.00 vs -49.50"
    [first] = read_results(con, run.run_id, limit=1)
    assert first["reason"] == "voucher 2024-0012 equal, amount equal" and first["pass"] == "exact_key"


@pytest.mark.parametrize(
    ("ledger_amount", "abs_tol", "rel_tol", "kind"),
    [
        ("100.01", "0.01", "0", "matched"),
        ("100.02", "0.01", "0", "differing"),
        ("99.99", "0.01", "0", "matched"),
        ("100.00", "0", "0", "matched"),
        ("100.01", "0", "0", "differing"),
        ("101.00", "0", "0.01", "matched"),
        ("101.50", "0", "0.01", "differing"),
    ],
)
def test_amount_tolerance_absolute_and_relative(con, ledger_amount, abs_tol, rel_tol, kind):
    make_books(
        con,
        [afas_line(1, "100.00", "2024-01-05", voucher="V")],
        [ledger_line(1, ledger_amount, "2024-01-05", voucher="V")],
    )
    run = reconcile(con, 1, only(ExactKeyPass(abs_tol=Decimal(abs_tol), rel_tol=Decimal(rel_tol))))
    assert run.counts[kind] == 1 and sum(run.counts.values()) == 1
    if kind == "matched" and ledger_amount != "100.00":
        assert "within tolerance" in read_results(con, run.run_id)[0]["reason"]


def test_key_match_with_dates_or_accounts_apart_is_differing(con):
    make_books(
        con,
        [
            afas_line(1, "10.00", "2024-01-01", invoice="F1"),
            afas_line(2, "10.00", "2024-01-01", invoice="F2", account="8000"),
            afas_line(3, "10.00", "2024-01-01", invoice="F3"),
        ],
        [
            ledger_line(1, "10.00", "2024-01-09", invoice="F1"),
            ledger_line(2, "10.00", "2024-01-01", invoice="F2", account="8001"),
            ledger_line(3, "10.00", "2024-01-03", invoice="F3"),
        ],
    )
    p = ExactKeyPass(keys=(("InvoiceId", "invoice"),), date_tol_days=3, compare_account=True)
    run = reconcile(con, 1, only(p))
    assert pairs(con, run.run_id, "differing") == {(1, 1), (2, 2)}
    assert pairs(con, run.run_id) == {(3, 3)}
    reasons = {r["entry_no"]: r["reason"] for r in read_results(con, run.run_id, kind="differing")}
    assert reasons == {
        1: "invoice F1 equal, amount equal, dates 8 days apart",
        2: "invoice F2 equal, amount equal, account 8000 vs 8001",
    }


def test_key_pass_pairs_a_vouchers_lines_by_amount_first(con):
    # One voucher, a debit and a credit line on both sides, listed in a different order.
    make_books(
        con,
        [
            afas_line(1, "121.00", "2024-02-01", voucher="V9"),
            afas_line(1, "-121.00", "2024-02-01", voucher="V9", seq=2),
        ],
        [
            ledger_line(1, "-121.00", "2024-02-01", voucher="V9"),
            ledger_line(2, "121.00", "2024-02-01", voucher="V9"),
        ],
    )
    run = reconcile(con, 1, only(ExactKeyPass()))
    rows = read_results(con, run.run_id, kind="matched")
    assert {(r["seq_no"], r["line_no"]) for r in rows} == {(1, 2), (2, 1)}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("unique", set()), ("oldest", {(1, 1)}), ("newest", {(2, 1)})],
)
def test_duplicate_keys_follow_the_ambiguity_policy(con, policy, expected):
    make_books(
        con,
        [afas_line(1, "40.00", "2024-03-01", voucher="D"), afas_line(2, "40.00", "2024-03-04", voucher="D")],
        [ledger_line(1, "40.00", "2024-03-02", voucher="D")],
    )
    run = reconcile(con, 1, MatchConfig(passes=(ExactKeyPass(),), ambiguity=policy))
    assert pairs(con, run.run_id) == expected
    assert run.counts["only_in_afas"] == 2 - len(expected)


def test_equal_duplicates_pair_one_to_one(con):
    make_books(
        con,
        [afas_line(i, "9.99", f"2024-03-0{i}", voucher="DUP") for i in (1, 2, 3)],
        [ledger_line(i, "9.99", f"2024-03-0{i}", voucher="DUP") for i in (1, 2, 3)],
    )
    assert reconcile(con, 1, MatchConfig(passes=(ExactKeyPass(),), ambiguity="unique")).counts["matched"] == 0
    run = reconcile(con, 1, MatchConfig(passes=(ExactKeyPass(),), ambiguity="oldest"))
    assert pairs(con, run.run_id) == {(1, 1), (2, 2), (3, 3)}


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("unique", set()), ("oldest", {(1, 1)}), ("newest", {(1, 2)})],
)
def test_amount_date_window_ties(con, policy, expected):
    make_books(
        con,
        [afas_line(1, "250.00", "2024-04-10")],
        [ledger_line(1, "250.00", "2024-04-09"), ledger_line(2, "250.00", "2024-04-11")],
    )
    run = reconcile(con, 1, MatchConfig(passes=(DateWindowPass(days=3),), ambiguity=policy))
    assert pairs(con, run.run_id) == expected


def test_amount_date_window_prefers_the_nearest_date_and_respects_the_window(con):
    make_books(
        con,
        [afas_line(1, "1234.56", "2024-04-10"), afas_line(2, "80.00", "2024-04-10")],
        [
            ledger_line(1, "1234.56", "2024-04-13"),
            ledger_line(2, "1234.56", "2024-04-11"),
            ledger_line(3, "80.00", "2024-04-14"),
        ],
    )
    run = reconcile(con, 1, MatchConfig(passes=(DateWindowPass(days=3),), ambiguity="oldest"))
    assert pairs(con, run.run_id) == {(1, 2)}
    assert (
        read_results(con, run.run_id, kind="matched")[0]["reason"]
        == "amount 1,234.56 equal, dates 1 day apart"
    )
    assert pairs(con, run.run_id, "only_in_ledger") == {(None, 1), (None, 3)}


def test_same_account_option(con):
    make_books(
        con,
        [afas_line(1, "5.00", "2024-01-01", account="4000")],
        [ledger_line(1, "5.00", "2024-01-01", account="4001")],
    )
    assert reconcile(con, 1, only(DateWindowPass(same_account=True))).counts["matched"] == 0
    assert reconcile(con, 1, only(DateWindowPass(same_account=False))).counts["matched"] == 1


def test_reversed_sign_matches_only_when_the_pass_allows_it(con):
    make_books(
        con, [afas_line(1, "300.00", "2024-05-01", voucher="R1")], [ledger_line(1, "-300.00", "2024-05-01")]
    )
    run = reconcile(
        con, 1, only(DateWindowPass(), FuzzyTextPass(), GroupSumPass(), GroupSumPass(direction="many_to_one"))
    )
    assert run.counts == {"matched": 0, "only_in_afas": 1, "only_in_ledger": 1, "differing": 0}
    run = reconcile(con, 1, only(DateWindowPass(allow_sign_flip=True)))
    assert pairs(con, run.run_id) == {(1, 1)}
    assert read_results(con, run.run_id)[0]["reason"] == "amount 300.00 with reversed sign, same date"


def test_reversed_sign_on_a_key_is_differing_not_matched(con):
    make_books(
        con,
        [afas_line(1, "300.00", "2024-05-01", voucher="R1")],
        [ledger_line(1, "-300.00", "2024-05-01", voucher="R1")],
    )
    run = reconcile(con, 1, only(ExactKeyPass(abs_tol=Decimal("0.01"))))
    assert run.counts["differing"] == 1 and run.counts["matched"] == 0


@pytest.mark.parametrize("method", ["jaro_winkler", "levenshtein", "jaccard"])
def test_fuzzy_text_matches_similar_descriptions_only(con, method):
    make_books(
        con,
        [
            afas_line(1, "99.95", "2024-06-01", text="Payment ACME Corp. invoice 2024-77"),
            afas_line(2, "99.95", "2024-06-02", text="Office chairs Ikea"),
        ],
        [
            ledger_line(1, "99.95", "2024-06-05", text="payment acme corp invoice 2024 77"),
            ledger_line(2, "99.95", "2024-06-06", text="Parking fine Amsterdam"),
        ],
    )
    threshold = {"jaro_winkler": 0.9, "levenshtein": 0.8, "jaccard": 0.6}[method]
    run = reconcile(con, 1, only(FuzzyTextPass(method=method, threshold=threshold)))
    assert pairs(con, run.run_id) == {(1, 1)}
    reason = read_results(con, run.run_id, kind="matched")[0]["reason"]
    assert reason.startswith("amount 99.95 equal, description ") and "% similar, dates 4 days apart" in reason


def test_fuzzy_text_respects_the_date_window(con):
    make_books(
        con,
        [afas_line(1, "10.00", "2024-06-01", text="rent")],
        [ledger_line(1, "10.00", "2024-06-20", text="rent")],
    )
    assert reconcile(con, 1, only(FuzzyTextPass(days=7))).counts["matched"] == 0
    assert reconcile(con, 1, only(FuzzyTextPass(days=30))).counts["matched"] == 1


def test_partial_payments_two_ledger_lines_sum_to_one_afas_line(con):
    make_books(
        con,
        [afas_line(1, "1000.00", "2024-07-01"), afas_line(2, "-80.00", "2024-07-01")],
        [
            ledger_line(1, "400.00", "2024-07-03"),
            ledger_line(2, "600.00", "2024-07-10"),
            ledger_line(3, "250.00", "2024-07-04"),
            ledger_line(4, "-30.00", "2024-07-02"),
            ledger_line(5, "-50.00", "2024-07-05"),
        ],
    )
    run = reconcile(con, 1, only(GroupSumPass(direction="one_to_many")))
    rows = read_results(con, run.run_id, kind="matched")
    groups: dict[int, set] = {}
    for r in rows:
        members = groups.setdefault(r["group_id"], set())
        members.update(x for x in (("a", r["entry_no"]), ("l", r["line_no"])) if x[1] is not None)
    assert {frozenset(g) for g in groups.values()} == {
        frozenset({("a", 1), ("l", 1), ("l", 2)}),
        frozenset({("a", 2), ("l", 4), ("l", 5)}),
    }
    # Every line appears once; a group's rows sum to the group's totals, difference zero.
    assert sum(r["amount_afas"] or 0 for r in rows) == Decimal("920.00")
    assert sum(r["amount_ledger"] or 0 for r in rows) == Decimal("920.00")
    assert sum(r["difference"] for r in rows) == 0
    assert any(
        r["reason"] == "2 ledger lines sum to 1,000.00, amount equal, dates within 9 days" for r in rows
    )
    assert pairs(con, run.run_id, "only_in_ledger") == {(None, 3)}


def test_many_afas_lines_to_one_ledger_line_and_group_ties(con):
    make_books(
        con,
        [
            afas_line(1, "300.00", "2024-07-01"),
            afas_line(2, "200.00", "2024-07-02"),
            afas_line(3, "200.00", "2024-07-03"),
        ],
        [ledger_line(1, "500.00", "2024-07-02")],
    )
    p = GroupSumPass(direction="many_to_one")
    assert reconcile(con, 1, MatchConfig(passes=(p,), ambiguity="unique")).counts["matched"] == 0
    run = reconcile(con, 1, MatchConfig(passes=(p,), ambiguity="oldest"))
    assert {r["entry_no"] for r in read_results(con, run.run_id, kind="matched")} == {1, 2}
    assert pairs(con, run.run_id, "only_in_afas") == {(3, None)}


def test_pairs_beyond_the_nearest_candidates_and_triples(con):
    distractors = [ledger_line(10 + i, "3.00", "2024-07-10") for i in range(15)]
    make_books(
        con,
        [afas_line(1, "1000.00", "2024-07-10"), afas_line(2, "90.00", "2024-08-10", account="2000")],
        [
            ledger_line(1, "400.00", "2024-07-20"),
            ledger_line(2, "600.00", "2024-07-25"),
            ledger_line(3, "30.00", "2024-08-11", account="2000"),
            ledger_line(4, "25.00", "2024-08-12", account="2000"),
            ledger_line(5, "35.00", "2024-08-13", account="2000"),
            *distractors,
        ],
    )
    # Fifteen small lines are nearer to the 1000.00 than its two parts: the pair is still found
    # (a join on the complement), and the 90.00 is paid in three parts (the bounded subset search).
    run = reconcile(con, 1, only(GroupSumPass(max_candidates=12)))
    rows = read_results(con, run.run_id, kind="matched")
    groups: dict[int, set] = {}
    for r in rows:
        groups.setdefault(r["group_id"], set()).update(
            x for x in (r["entry_no"], r["line_no"] and -r["line_no"]) if x
        )
    assert {frozenset(g) for g in groups.values()} == {frozenset({1, -1, -2}), frozenset({2, -3, -4, -5})}
    assert any(r["reason"].startswith("3 ledger lines sum to 90.00") for r in rows)


def test_group_members_must_share_the_relation_when_asked(con):
    make_books(
        con,
        [afas_line(1, "100.00", "2024-09-01")],
        [ledger_line(1, "60.00", "2024-09-02"), ledger_line(2, "40.00", "2024-09-03")],
    )
    con.execute('ALTER TABLE "Profit_Transactions" ADD COLUMN Relation VARCHAR')
    con.execute("""UPDATE "Profit_Transactions" SET Relation = 'R1'""")
    con.execute("UPDATE ledger_lines SET relation = CASE line_no WHEN 1 THEN 'R1' ELSE 'R2' END")
    both = (GroupSumPass(same_columns=(("Relation", "relation"),)), GroupSumPass(direction="many_to_one"))
    assert reconcile(con, 1, only(*both)).counts["matched"] == 0
    con.execute("UPDATE ledger_lines SET relation = 'R1'")
    assert reconcile(con, 1, only(*both)).counts["matched"] == 2


def test_group_pass_bounds_are_enforced(con):
    make_books(
        con, [afas_line(1, "6.00", "2024-07-01")], [ledger_line(i, "1.00", "2024-07-01") for i in range(1, 7)]
    )
    # Six lines of 1.00 make 6.00, but groups are at most five lines: no match.
    assert reconcile(con, 1, only(GroupSumPass(max_group_size=5))).counts["matched"] == 0
    assert reconcile(con, 1, only(GroupSumPass(max_group_size=6))).counts["matched"] == 6
    with pytest.raises(ValueError, match="bounds"):
        reconcile(con, 1, only(GroupSumPass(max_group_size=50)))


def test_passes_run_in_order_and_nothing_is_matched_twice(con):
    make_books(
        con,
        [
            afas_line(1, "100.00", "2024-01-05", voucher="V1"),
            afas_line(2, "100.00", "2024-01-05"),
            afas_line(3, "700.00", "2024-01-08", text="Rent office January"),
            afas_line(4, "900.00", "2024-01-09"),
        ],
        [
            ledger_line(1, "100.00", "2024-01-05", voucher="V1"),
            ledger_line(2, "100.00", "2024-01-06"),
            ledger_line(3, "700.00", "2024-01-14", text="rent office january"),
            ledger_line(4, "450.00", "2024-01-10"),
            ledger_line(5, "450.00", "2024-01-11"),
        ],
    )
    run = reconcile(con, 1, MatchConfig(ambiguity="unique"))
    rows = read_results(con, run.run_id, limit=100)
    by_pass = {r["entry_no"]: r["pass"] for r in rows if r["entry_no"] is not None}
    assert by_pass == {1: "voucher", 2: "amount_date", 3: "amount_text", 4: "one_to_many"}
    entries = [r["entry_no"] for r in rows if r["entry_no"] is not None]
    lines = [r["line_no"] for r in rows if r["line_no"] is not None]
    assert sorted(entries) == [1, 2, 3, 4] and sorted(lines) == [1, 2, 3, 4, 5]
    assert run.counts == {"matched": 5, "only_in_afas": 0, "only_in_ledger": 0, "differing": 0}
    assert run.groups_per_pass["voucher"] == 1 and run.groups_per_pass["manual"] == 0


def test_disabled_passes_do_not_run(con):
    make_books(con, [afas_line(1, "1.00", "2024-01-01")], [ledger_line(1, "1.00", "2024-01-01")])
    assert reconcile(con, 1, only(DateWindowPass(enabled=False))).counts["matched"] == 0


def test_afas_filter_by_administration_account_and_dates(con):
    make_books(
        con,
        [
            afas_line(1, "1.00", "2024-01-01", unit=1),
            afas_line(2, "2.00", "2024-02-01", unit=2),
            afas_line(3, "3.00", "2024-03-01", account="9999"),
            afas_line(4, "4.00", "2024-12-31"),
        ],
        [],
    )
    f = AfasFilter(unit_id=1, accounts=("1100",), date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 6, 30))
    run = reconcile(con, 1, MatchConfig(afas_filter=f))
    assert pairs(con, run.run_id, "only_in_afas") == {(1, None)}


def test_unknown_columns_and_policies_are_refused(con):
    make_books(con, [], [])
    with pytest.raises(InputError, match="no column 'voucher; DROP TABLE x' in ledger_lines"):
        reconcile(con, 1, only(ExactKeyPass(keys=(("VoucherNo", "voucher; DROP TABLE x"),))))
    with pytest.raises(InputError, match="'random' is no way to settle ties; choose one of unique"):
        reconcile(con, 1, MatchConfig(ambiguity="random"))
    with pytest.raises(InputError, match="no imported ledger #42") as refused:
        reconcile(con, 42)
    assert "Import the ledger first" in refused.value.hint
    with pytest.raises(ValueError, match="negative"):
        reconcile(con, 1, only(ExactKeyPass(abs_tol=Decimal("-0.01"))))
    con.execute("DROP TABLE Profit_Transactions")
    with pytest.raises(NotSynced, match="Sync Profit_Transactions first"):
        reconcile(con, 1)


def test_readers_page_filter_and_aggregate(con):
    afas = [
        afas_line(i, f"{i}.00", f"2024-0{1 + i % 2}-10", voucher=f"V{i}", account=str(1000 + i % 3))
        for i in range(1, 21)
    ]
    ledger = [
        ledger_line(i, f"{i}.00", f"2024-0{1 + i % 2}-10", voucher=f"V{i}", account=str(1000 + i % 3))
        for i in range(1, 16)
    ]
    make_books(con, afas, ledger)
    run = reconcile(con, 1, only(ExactKeyPass()))
    assert result_counts(con, run.run_id) == {
        "matched": 15,
        "only_in_afas": 5,
        "only_in_ledger": 0,
        "differing": 0,
    }
    page1 = read_results(con, run.run_id, limit=10)
    page2 = read_results(con, run.run_id, limit=10, offset=10)
    assert [r["result_id"] for r in page1 + page2] == list(range(1, 21))
    assert count_results(con, run.run_id, kind="only_in_afas") == 5
    assert count_results(con, run.run_id, account="1001") == 7
    assert count_results(con, run.run_id, period=(2024, 1)) == 10
    assert count_results(con, run.run_id, search="V17") == 1
    chart = differences_by_account_period(con, run.run_id)
    assert sum(c["only_in_afas"] for c in chart) == 5
    assert sum(c["difference"] for c in chart) == Decimal(sum(range(16, 21)))
    assert {(c["account"], c["year"], c["period"]) for c in chart} >= {("1000", 2024, 1), ("1001", 2024, 2)}
    assert list_runs(con)[0]["run_id"] == run.run_id


# ---- overrides ---------------------------------------------------------------------------------


def _override_books(con: duckdb.DuckDBPyConnection) -> None:
    make_books(
        con,
        [
            afas_line(1, "100.00", "2024-01-05"),
            afas_line(2, "55.00", "2024-01-05"),
            afas_line(3, "45.00", "2024-01-06"),
        ],
        [ledger_line(1, "100.00", "2024-01-05"), ledger_line(2, "99.00", "2024-02-20")],
    )


def test_manual_match_is_fixed_and_survives_a_rerun(con):
    _override_books(con)
    oid = match_manually(con, 1, [(1, 2, 1), (1, 3, 1)], [2], note="paid together")
    for _ in range(2):
        run = reconcile(con, 1)
        [manual] = {r["group_id"] for r in read_results(con, run.run_id) if r["pass"] == "manual"}
        rows = read_results(con, run.run_id, kind="matched")
        group = [r for r in rows if r["group_id"] == manual]
        assert {r["entry_no"] for r in group} == {2, 3} and {r["line_no"] for r in group} - {None} == {2}
        assert group[0]["reason"] == "matched by hand: paid together, difference 1.00"
        assert pairs(con, run.run_id) >= {(1, 1)}
    assert [o["override_id"] for o in list_overrides(con, 1)] == [oid]
    with pytest.raises(ValueError, match="already in a manual match"):
        match_manually(con, 1, [(1, 2, 1)], [3])
    with pytest.raises(ValueError, match="needs at least one AFAS line and one ledger line") as one_sided:
        match_manually(con, 1, [], [3])
    assert "(now: 0 lines from AFAS, 1 line from the ledger)" in str(one_sided.value)
    remove_override(con, oid)
    assert list_overrides(con, 1) == []


def test_unmatch_keeps_the_pair_apart_on_every_rerun(con):
    _override_books(con)
    run = reconcile(con, 1)
    [group] = {r["group_id"] for r in read_results(con, run.run_id, kind="matched")}
    unmatch_group(con, run.run_id, group, note="not the same payment")
    for _ in range(2):
        run = reconcile(con, 1)
        # Line 1 is now free for the two AFAS lines that sum to it; AFAS line 1 stays alone.
        assert pairs(con, run.run_id, "only_in_afas") == {(1, None)}
        assert {r["pass"] for r in read_results(con, run.run_id, kind="matched")} == {"many_to_one"}
    [o] = list_overrides(con, 1)
    assert (o["action"], o["afas_keys"], o["line_nos"]) == ("unmatch", [[1, 1, 1]], [1])
    with pytest.raises(ValueError, match="no match group"):
        unmatch_group(con, run.run_id, 999)


def test_unmatching_a_manual_match_removes_it(con):
    _override_books(con)
    match_manually(con, 1, [(1, 1, 1)], [2])
    run = reconcile(con, 1)
    [group] = {r["group_id"] for r in read_results(con, run.run_id) if r["pass"] == "manual"}
    unmatch_group(con, run.run_id, group)
    assert [o["action"] for o in list_overrides(con, 1)] == ["unmatch"]
    run = reconcile(con, 1)
    assert pairs(con, run.run_id) == {(1, 1)}


def test_overrides_survive_a_resync_that_reloads_the_afas_table(con):
    _override_books(con)
    match_manually(con, 1, [(1, 2, 1), (1, 3, 1)], [2])
    first = reconcile(con, 1)
    [auto] = {r["group_id"] for r in read_results(con, first.run_id) if r["pass"] == "amount_date"}
    unmatch_group(con, first.run_id, auto)
    # A re-sync drops the table and loads it again: other row order, a new line in front.
    rows = con.execute(f'SELECT {AFAS_COLS} FROM "Profit_Transactions" ORDER BY EntryNo DESC').fetchall()
    con.execute('DROP TABLE "Profit_Transactions"')
    con.execute(AFAS_DDL)
    _insert(con, '"Profit_Transactions"', AFAS_COLS, [afas_line(0, "1.00", "2023-12-31"), *rows])
    run = reconcile(con, 1)
    manual = [r for r in read_results(con, run.run_id) if r["pass"] == "manual"]
    assert {r["entry_no"] for r in manual} == {2, 3} and {r["line_no"] for r in manual} - {None} == {2}
    assert pairs(con, run.run_id, "only_in_afas") == {(0, None), (1, None)}
    assert pairs(con, run.run_id, "only_in_ledger") == {(None, 1)}


def test_overrides_survive_a_real_resync_from_afas(tmp_path):
    from afas.emulator.core import Emulator
    from afas.warehouse.sync import sync
    from tests.conftest import make_client

    db = tmp_path / "w.duckdb"
    emulator = Emulator(seed=7, transactions=150)
    with make_client(emulator) as client:
        [res] = sync(db, client, ["Profit_Transactions"])
        assert res.status == "ok"
        with duckdb.connect(str(db)) as c:
            ensure_recon_schema(c)
            c.execute(
                "INSERT INTO ledger_imports VALUES (1, 'bank', 'b.csv', 'x', 'csv', 0, 0, NULL, NULL, now())"
            )
            # The ledger is AFAS's own lines (keys as vouchers): every line matches on the voucher key.
            c.execute(
                """INSERT INTO ledger_lines (import_id, line_no, entry_date, account, amount, voucher)
                SELECT 1, row_number() OVER (ORDER BY UnitId, EntryNo, SeqNo), EntryDate, AccountNo,
                       AmtDebit - AmtCredit, UnitId || '/' || EntryNo || '/' || SeqNo
                FROM "Profit_Transactions" """
            )
            c.execute('ALTER TABLE "Profit_Transactions" ADD COLUMN LineKey VARCHAR')
            c.execute(
                """UPDATE "Profit_Transactions" SET LineKey = UnitId || '/' || EntryNo || '/' || SeqNo"""
            )
            cfg = only(ExactKeyPass(keys=(("LineKey", "voucher"),)))
            run = reconcile(c, 1, cfg)
            total = run.counts["matched"]
            assert total > 100 and run.counts["only_in_afas"] == 0
            first = read_results(c, run.run_id, limit=1)[0]
            key = (first["unit_id"], first["entry_no"], first["seq_no"])
            unmatch_group(c, run.run_id, first["group_id"])
        [res] = sync(db, client, ["Profit_Transactions"])
        assert res.status == "ok"
    with duckdb.connect(str(db)) as c:
        assert "LineKey" not in [d[0] for d in c.execute('DESCRIBE "Profit_Transactions"').fetchall()]
        c.execute('ALTER TABLE "Profit_Transactions" ADD COLUMN LineKey VARCHAR')
        c.execute("""UPDATE "Profit_Transactions" SET LineKey = UnitId || '/' || EntryNo || '/' || SeqNo""")
        run = reconcile(c, 1, cfg)
        assert run.counts["matched"] == total - 1
        [(k, _)] = pairs(c, run.run_id, "only_in_afas")
        assert k == key[1]


# --- the direct path of a lone exact-key pass (one FULL JOIN, one INSERT) writes the general path's rows


def _rows(con: duckdb.DuckDBPyConnection, run_id: int) -> list[tuple]:
    return con.execute(
        "SELECT * EXCLUDE (run_id) FROM recon_results WHERE run_id = ? ORDER BY result_id", [run_id]
    ).fetchall()


def _both_paths(con, monkeypatch, config: MatchConfig, *, direct: bool | None = True):
    """The run by the direct path and by the general path (forced) on the same books; asserts the
    direct path wrote the first run (True), was tried and given up (False) or not tried (None)."""
    import afas.recon.matching as matching

    taken = []
    real = matching._direct_key_run

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(matching, "_direct_key_run", spy)
        fast = reconcile(con, 1, config)
    assert taken == ([] if direct is None else [direct])
    with monkeypatch.context() as m:
        m.setattr(matching, "_single_key_pass", lambda *_: None)
        slow = reconcile(con, 1, config)
    assert fast.counts == slow.counts
    assert fast.groups_per_pass == slow.groups_per_pass
    assert _rows(con, fast.run_id) == _rows(con, slow.run_id)
    return fast


def _varied_books(con: duckdb.DuckDBPyConnection) -> None:
    afas = [
        afas_line(1, "100.00", "2024-01-05", voucher="A1", invoice="F1"),
        afas_line(2, "-50.00", "2024-01-06", voucher=" A2 ", invoice="F2", text="two"),
        afas_line(3, "75.00", "2024-01-07", voucher="A3", invoice="F3", account="8000"),
        afas_line(4, "20.00", "2024-01-08", voucher=None, invoice="F4"),
        afas_line(5, "20.00", "2024-01-08", voucher="  ", invoice=None),
        afas_line(6, "1234567.89", "2024-02-01", voucher="A6", invoice="F6", unit=2),
        afas_line(7, "10.00", "2024-02-02", voucher="A7", invoice="F7", seq=2),
        afas_line(7, "10.01", "2024-02-02", voucher="A8", invoice="F8"),
        afas_line(9, "-3.00", "2024-03-01", voucher="A9", invoice="F9"),
        afas_line(10, "0.00", "2024-03-02", voucher="ONLYA", invoice="F10"),
    ]
    ledger = [
        ledger_line(1, "100.00", "2024-01-05", voucher="A1", invoice="F1"),
        ledger_line(2, "-49.50", "2024-01-09", voucher="A2", invoice="F2", text="twee"),
        ledger_line(3, "75.00", "2024-01-07", voucher="A3", invoice="F3", account="8001"),
        ledger_line(4, "20.00", "2024-01-08", voucher=None, invoice="F4"),
        ledger_line(5, "20.00", "2024-01-08", voucher="", invoice="F5"),
        ledger_line(6, "1234000.00", "2024-02-01", voucher="A6", invoice="F6"),
        ledger_line(7, "10.00", "2024-02-03", voucher="A7", invoice="X7"),
        ledger_line(8, "10.00", "2024-02-02", voucher="A8", invoice="F8"),
        ledger_line(9, "3.00", "2024-03-01", voucher="A9", invoice="F9"),
        ledger_line(11, "5.00", "2024-03-05", voucher="ONLYL", invoice="F11"),
    ]
    make_books(con, afas, ledger)


@pytest.mark.parametrize("policy", ["unique", "oldest", "newest"])
@pytest.mark.parametrize(
    "p",
    [
        ExactKeyPass(),
        ExactKeyPass(abs_tol=Decimal("0.01"), date_tol_days=0, compare_account=True),
        ExactKeyPass(rel_tol=Decimal("0.001"), date_tol_days=2, name="voucher 'key'"),
        ExactKeyPass(keys=(("VoucherNo", "voucher"), ("InvoiceId", "invoice")), compare_account=True),
        ExactKeyPass(keys=(("InvoiceId", "invoice"),), abs_tol=Decimal("600")),
    ],
)
def test_direct_key_path_writes_the_general_paths_rows(con, monkeypatch, policy, p):
    _varied_books(con)
    _both_paths(con, monkeypatch, MatchConfig(passes=(p, DateWindowPass(enabled=False)), ambiguity=policy))


def test_direct_key_path_with_an_afas_filter(con, monkeypatch):
    _varied_books(con)
    f = AfasFilter(unit_id=1, accounts=("1100",), date_from=dt.date(2024, 1, 6), date_to=dt.date(2024, 2, 28))
    run = _both_paths(con, monkeypatch, MatchConfig(passes=(ExactKeyPass(),), afas_filter=f))
    assert run.counts["only_in_ledger"] > 0


def test_direct_key_path_on_generated_books(con, monkeypatch):
    from tests.recon.test_datacompy_agreement import KEY_PASS, expected_key_counts, generate_books

    generate_books(con, 3_000)
    run = _both_paths(con, monkeypatch, MatchConfig(passes=(KEY_PASS,), ambiguity="oldest"))
    assert run.counts == expected_key_counts(3_000)


def test_key_repeated_on_one_side_only_stays_on_the_direct_path(con, monkeypatch):
    make_books(
        con,
        [afas_line(1, "5.00", "2024-01-01", voucher="R"), afas_line(2, "5.00", "2024-01-01", voucher="R")],
        [
            ledger_line(1, "5.00", "2024-01-01", voucher="S"),
            ledger_line(2, "5.00", "2024-01-01", voucher="S"),
        ],
    )
    import afas.recon.matching as matching

    monkeypatch.setattr(matching, "_PREFIX_ROWS", 1)  # repeats unseen up front; nothing joins on them
    run = _both_paths(con, monkeypatch, only(ExactKeyPass()))
    assert run.counts["only_in_afas"] == run.counts["only_in_ledger"] == 2


@pytest.mark.parametrize("prefix", [1, 100_000])
def test_repeated_keys_found_late_roll_the_direct_path_back(con, monkeypatch, prefix):
    make_books(
        con,
        [
            afas_line(1, "1.00", "2024-01-01", voucher="U1"),
            afas_line(2, "9.00", "2024-01-01", voucher="V"),
            afas_line(3, "9.00", "2024-01-02", voucher="V"),
        ],
        [
            ledger_line(1, "1.00", "2024-01-01", voucher="U1"),
            ledger_line(2, "9.00", "2024-01-02", voucher="V"),
        ],
    )
    import afas.recon.matching as matching

    monkeypatch.setattr(matching, "_PREFIX_ROWS", prefix)
    run = _both_paths(
        con, monkeypatch, MatchConfig(passes=(ExactKeyPass(),), ambiguity="newest"), direct=False
    )
    assert pairs(con, run.run_id) == {(1, 1), (3, 2)}
    runs = [r["run_id"] for r in list_runs(con)]
    assert runs == sorted(runs, reverse=True) == list(range(len(runs), 0, -1))
    written = con.execute("SELECT count(DISTINCT run_id), count(*) FROM recon_results").fetchone()
    assert written == (2, 6)


def test_overrides_take_the_general_path(con, monkeypatch):
    _varied_books(con)
    match_manually(con, 1, [(1, 9, 1)], [9], note="sign")
    run = _both_paths(con, monkeypatch, only(ExactKeyPass()), direct=None)
    assert run.groups_per_pass["manual"] == 1


@pytest.mark.parametrize("side", ["afas", "ledger", "both"])
def test_direct_key_path_with_an_empty_side(con, monkeypatch, side):
    afas = [] if side in ("afas", "both") else [afas_line(1, "1.00", "2024-01-01", voucher="K")]
    ledger = [] if side in ("ledger", "both") else [ledger_line(1, "1.00", "2024-01-01", voucher="K")]
    make_books(con, afas, ledger)
    run = _both_paths(con, monkeypatch, only(ExactKeyPass()))
    assert sum(run.counts.values()) == (side != "both")
