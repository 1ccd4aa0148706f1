"""The group passes' search finds exactly the groups of the plain search over every target's full
ranked list of candidates, numbered alike: with dense books (the nearest-members bound binds for
some targets, the narrow first look falls short for others), forbidden pairs, two equal halves, on
one account or across accounts, in both directions."""

from __future__ import annotations

import dataclasses
import random

import duckdb
import pytest

from afas.recon import passes
from afas.recon.passes import GroupSumPass


def _books(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    rnd = random.Random(seed)
    days = 40
    con.execute("CREATE TEMP TABLE _ua (a_id BIGINT, amount DECIMAL(18, 2), d DATE, account VARCHAR)")
    con.execute("CREATE TEMP TABLE _ul (l_id BIGINT, amount DECIMAL(18, 2), d DATE, account VARCHAR)")
    con.execute("CREATE TEMP TABLE _forbid (a_id BIGINT, l_id BIGINT)")

    def line(i: int, cents: int) -> tuple:
        day = None if rnd.random() < 0.02 else f"2026-03-{1 + rnd.randrange(days) % 28:02d}"
        return (i, cents / 100, day, rnd.choice(["1100", "1300"]))

    afas: list[tuple] = []
    ledger: list[tuple] = []
    for i in range(120):
        # a line on one side and its parts on the other: two (sometimes equal halves), three or four
        whole, split = (afas, ledger) if i % 2 else (ledger, afas)
        target = rnd.choice([1, -1]) * rnd.randrange(200, 5000)
        whole.append(line(len(whole) + 1, target))
        n = rnd.choice([2, 2, 3, 4])
        if n == 2 and rnd.random() < 0.3 and target % 2 == 0:
            parts = [target // 2, target // 2]
        else:
            cuts = sorted(rnd.sample(range(1, abs(target)), n - 1))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, abs(target)], strict=True)]
            parts = [p if target > 0 else -p for p in parts]
        for part in parts:
            split.append(line(len(split) + 1, part))
    for side in (afas, ledger):
        for _ in range(100):
            side.append(line(len(side) + 1, rnd.choice([1, -1]) * rnd.randrange(1, 5000)))
    con.executemany("INSERT INTO _ua VALUES (?, ?, ?, ?)", afas)
    con.executemany("INSERT INTO _ul VALUES (?, ?, ?, ?)", ledger)
    forbid = [(rnd.randrange(1, len(afas) + 1), rnd.randrange(1, len(ledger) + 1)) for _ in range(60)]
    con.executemany("INSERT INTO _forbid VALUES (?, ?)", forbid)


def _solutions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT g, t_id, list_sort(members), total, size, far FROM _sol ORDER BY g").fetchall()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("direction", ["one_to_many", "many_to_one"])
@pytest.mark.parametrize(
    "p",
    [
        GroupSumPass(pair_candidates=6, max_candidates=4, max_group_size=4, days=10),
        GroupSumPass(pair_candidates=1000, days=31, same_account=False),
    ],
    ids=["bounds-bind", "defaults-any-account"],
)
def test_the_search_finds_what_the_search_over_full_ranked_lists_finds(
    p: GroupSumPass, direction: str, seed: int
) -> None:
    p = dataclasses.replace(p, direction=direction)
    con = duckdb.connect()
    _books(con, seed)
    t, m, t_id, m_id = (
        ("_ua", "_ul", "a_id", "l_id") if direction == "one_to_many" else ("_ul", "_ua", "l_id", "a_id")
    )
    sides = passes._GroupSides(t, m, t_id, m_id, (("account", "account"),) if p.same_account else ())
    for order in ("ASC", "DESC"):
        passes._group_solutions(con, p, sides, order)
        found = _solutions(con)
        passes._group_solutions_within_tolerance(con, p, sides, order)  # abs_tol 0: the plain search
        assert found == _solutions(con)
    sizes = {size for *_, size, _ in found}
    assert 2 in sizes and (3 in sizes or p.max_candidates < 12)
    if p.pair_candidates == 6:
        assert con.execute("SELECT count(*) FROM _gbig").fetchone()[0] > 0  # the bound binds somewhere


def test_a_run_leaves_none_of_the_group_search_tables_behind() -> None:
    from afas.recon.matching import MatchConfig, reconcile
    from tests.recon.test_datacompy_agreement import generate_books

    con = duckdb.connect()
    generate_books(con, 2000)
    reconcile(con, 1, MatchConfig(passes=(GroupSumPass(), GroupSumPass(direction="many_to_one"))))
    left = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert left == []
