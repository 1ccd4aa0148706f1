"""The AFAS lines of a run are numbered in key order (UnitId, EntryNo, SeqNo): result rows are shown
in that order and ties are settled by it. Packing the key into one BIGINT must number them alike."""

from __future__ import annotations

import random

import duckdb
import pytest

from afas.recon.matching import _KEY_ORDER, MatchConfig, _key_order


def _numbering(con: duckdb.DuckDBPyConnection, order: str) -> list[tuple]:
    return con.execute(
        f"SELECT UnitId, EntryNo, SeqNo, row_number() OVER (ORDER BY {order}) AS n "
        'FROM "Profit_Transactions" '
        "ORDER BY n"
    ).fetchall()


def _books(
    con: duckdb.DuckDBPyConnection, keys: list[tuple], types: str = "INTEGER; BIGINT; INTEGER"
) -> None:
    unit, entry, seq = (t.strip() for t in types.split(";"))
    con.execute(
        f'CREATE OR REPLACE TABLE "Profit_Transactions" (UnitId {unit}, EntryNo {entry}, SeqNo {seq}, '
        "EntryDate DATE)"
    )
    if keys:
        con.executemany("INSERT INTO \"Profit_Transactions\" VALUES (?, ?, ?, DATE '2026-01-01')", keys)


@pytest.mark.parametrize("seed", range(4))
def test_the_packed_key_numbers_lines_as_the_three_columns_do(seed):
    rng = random.Random(seed)
    high = rng.choice([9, 10_000, 2**31 - 1])
    keys = [
        (rng.randint(0, 12), rng.randint(0, high), rng.randint(0, rng.choice([1, 300, 65_535])))
        for _ in range(3_000)
    ]
    keys += keys[:50]  # a key twice (a table that is not AFAS's): the packed order ties them too
    con = duckdb.connect()
    _books(con, keys)
    packed = _key_order(con, MatchConfig())
    assert packed != _KEY_ORDER
    assert [r[:3] for r in _numbering(con, packed)] == [r[:3] for r in _numbering(con, _KEY_ORDER)]


@pytest.mark.parametrize(
    ("keys", "types"),
    [
        ([(1, 5, 1), (1, None, 2)], "INTEGER; BIGINT; INTEGER"),  # a line without an entry number
        ([(1, -5, 1), (1, 3, 2)], "INTEGER; BIGINT; INTEGER"),  # a negative one
        ([(2**30, 2**40, 1), (1, 3, 2**20)], "BIGINT; BIGINT; BIGINT"),  # more than 63 bits together
        ([(1, 5, 1), (1, 3, 2)], "INTEGER; VARCHAR; INTEGER"),  # an entry number as text
        ([(1, 5, 1), (1, 3, 2)], "INTEGER; DECIMAL(18, 0); INTEGER"),  # or as a decimal
    ],
    ids=["null", "negative", "too wide", "text", "decimal"],
)
def test_keys_that_do_not_pack_are_sorted_by_their_columns(keys, types):
    con = duckdb.connect()
    _books(con, keys, types)
    assert _key_order(con, MatchConfig()) == _KEY_ORDER
    _numbering(con, _KEY_ORDER)  # and that order still works


def test_an_empty_selection_sorts_by_the_columns():
    con = duckdb.connect()
    _books(con, [])
    assert _key_order(con, MatchConfig()) == _KEY_ORDER
