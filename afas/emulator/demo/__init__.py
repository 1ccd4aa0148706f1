"""A deterministic Dutch demo environment for the emulator, at any scale.

``populate(store, seed=..., transactions=...)`` fills an empty Store with two administrations, their
master data (chart of accounts, journals, periods, VAT codes, relations, allocation codes) and
journal entries for 2025-2026 (more years above 4 million lines, see ``dates``): sales and
purchase invoices with their (partial) payments, cash, salaries, depreciation, accruals, stock
mutations and VAT returns. Everything derives from the seed
and the requested number of lines, never from the clock, so equal arguments give byte-identical
tables. The keys AFAS's official FiEntries/relation examples refer to exist, and the keys they
create do not, so those examples can be replayed against the demo.

Journal lines are built as numpy columns (amounts in integer cents) one entry kind at a time and
bulk-loaded through Arrow; only master data (a few thousand rows at most) is built row by row.

The package, one concern a module: ``dates`` (booking calendar), ``master`` (fixed master data),
``vocabulary`` and ``people`` (what relations are made of), ``relations`` (parties, debtors,
creditors), ``book`` (entry kinds and the numpy-column book), ``sampling`` (shared random draws),
``invoices``, ``cash`` and ``periodic`` (the entry generators), ``plan`` (sizing them to the
requested lines), ``ledger`` (numbering, texts and Arrow tables); this module loads it all.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from afas.emulator.demo.dates import FIRST_ENTRY_DATE, LAST_ENTRY_DATE, Calendar, calendar_for
from afas.emulator.demo.ledger import build_ledger
from afas.emulator.demo.master import master_rows
from afas.emulator.demo.plan import plan
from afas.emulator.demo.relations import make_relations, relation_counts
from afas.emulator.store import TABLES, Store

__all__ = ["FIRST_ENTRY_DATE", "LAST_ENTRY_DATE", "DemoSummary", "populate"]


@dataclass(frozen=True)
class DemoSummary:
    """What ``populate`` generated: rows per table plus the headline figures of the ledger."""

    seed: int
    transactions: int
    counts: dict[str, int]
    lines: int
    entries: int
    years: tuple[int, ...]


def _load(cur: duckdb.DuckDBPyConnection, table: str, data: pa.Table | list[dict[str, Any]]) -> None:
    """Bulk insert by column name (columns left out take their defaults)."""
    arrow = data if isinstance(data, pa.Table) else pa.Table.from_pylist(data)
    if arrow.num_rows == 0:
        return
    name = f"_demo_{table}"
    cur.register(name, arrow)
    try:
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        cur.unregister(name)


# Below this many lines a process keeps what it generated (immutable Arrow tables, a few MB at most):
# the tests, and the dashboard's sessions on the demo, make the same demo again and again.
KEEP_GENERATED_UP_TO = 25_000


def _generate(
    seed: int, transactions: int, first_year: int | None = None
) -> tuple[tuple[tuple[str, pa.Table], ...], int]:
    """The demo's rows per table, in load order, as Arrow tables, and the number of entries."""
    rels = make_relations(np.random.default_rng([seed, 1]), *relation_counts(transactions))
    cal = calendar_for(transactions) if first_year is None else Calendar(first_year)
    book = plan(seed, transactions, rels, cal)
    ledger = build_ledger(book, rels, np.random.default_rng([seed, 7]), cal)
    rows: list[tuple[str, pa.Table | list[dict[str, Any]]]] = [
        *master_rows().items(),
        ("party", rels.parties),
        ("debtor", rels.debtors),
        ("creditor", rels.creditors),
        ("entry_line", ledger.lines),
        ("entry_alloc", ledger.allocs),
    ]
    tables = tuple((t, d if isinstance(d, pa.Table) else pa.Table.from_pylist(d)) for t, d in rows)
    return tables, ledger.entries


_generate_kept = functools.lru_cache(maxsize=8)(_generate)


def populate(
    store: Store, *, seed: int = 1, transactions: int = 5000, first_year: int | None = None
) -> DemoSummary:
    """Fill an empty Store with the demo environment; ``transactions`` is the number of journal lines.

    Entries run from ``first_year`` (by default chosen by size: ``dates.calendar_for``) to November
    2026. The same arguments always give identical data. Raises ValueError for a Store that already
    holds data, for negative arguments or for a first year outside 2014-2025.
    """
    if seed < 0 or transactions < 0:
        raise ValueError("seed and transactions must not be negative")
    make = _generate_kept if transactions <= KEEP_GENERATED_UP_TO else _generate
    tables, entries = make(seed, transactions, first_year)
    with store.write() as cur:
        filled = cur.execute(
            "SELECT (SELECT count(*) FROM administration) + (SELECT count(*) FROM party)"
            " + (SELECT count(*) FROM entry_line)"
        ).fetchall()
        if filled[0][0]:
            raise ValueError("populate() needs an empty Store")
        for table, data in tables:
            _load(cur, table, data)
        cur.execute(
            "INSERT INTO changed_entry_date"
            " SELECT entry_date, max(modified) FROM entry_line GROUP BY entry_date"
        )
        cur.execute("""
            INSERT INTO counter
            SELECT 'debtor', max(CAST(debtor_id AS BIGINT)) + 1 FROM debtor
            UNION ALL SELECT 'creditor', max(CAST(creditor_id AS BIGINT)) + 1 FROM creditor
            UNION ALL SELECT 'party', max(CAST(bc_co AS BIGINT)) + 1 FROM party
            UNION ALL SELECT 'entry_no:' || a.unit, coalesce(max(l.entry_no), 0) + 1
                      FROM administration a LEFT JOIN entry_line l USING (unit) GROUP BY a.unit""")
        counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        years = tuple(r[0] for r in cur.execute("SELECT DISTINCT year FROM entry_line ORDER BY 1").fetchall())
    return DemoSummary(
        seed=seed,
        transactions=transactions,
        counts=counts,
        lines=counts["entry_line"],
        entries=entries,
        years=years,
    )
