"""What the UpdateConnector modules share: the request context, store helpers and value helpers.

``Ctx`` carries one request's write transaction (``Store.write()`` cursor), language, time stamp
and the administrations the token may see, and builds the request's error messages from the
catalogue (afas/emulator/messages.py). ``DEBTORS``/``CREDITORS`` describe the two sub-ledgers
that both FiEntries (account feature ``VaAs`` 2/3) and the relation connectors write to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from afas.emulator.errors import ProfitError
from afas.emulator.messages import Pair, error, field_label

if TYPE_CHECKING:
    import duckdb

    from afas.emulator.store import Store

__all__ = [
    "CENT",
    "CREDITORS",
    "DEBTORS",
    "SUB_LEDGERS",
    "ZERO",
    "Ctx",
    "KeySteps",
    "SubLedger",
    "as_date",
    "dmy",
    "dumps",
    "exists",
    "insert_row",
    "key_values",
    "loads",
    "next_free",
    "next_unused",
    "plain",
    "update_rows",
]

CENT = Decimal("0.01")
ZERO = Decimal("0")

KeySteps = list[tuple[str, dict[str, str]]]  # a parsed DELETE key path: (object, {key: value}) per step


@dataclass
class Ctx:
    """One UpdateConnector request: its open write cursor, language, time stamp and visible units."""

    store: Store
    cur: duckdb.DuckDBPyConnection
    lang: str
    now: datetime
    visible_units: frozenset[int]
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def fail(self, key: str, **values: Any) -> ProfitError:
        """The ProfitError of a catalogue message in the request's language."""
        return error(self.lang, key, **values)

    def not_exist(self, label: str) -> ProfitError:
        return self.fail("not_exist", label=field_label(label))

    def required(self, label: str) -> ProfitError:
        return self.fail("required", label=field_label(label))

    def one(self, sql: str, params: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        return self.cur.execute(sql, list(params)).fetchone()

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.cur.execute(sql, list(params)).fetchall()

    def cached(self, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = load()
        return self.cache[key]


@dataclass(frozen=True)
class SubLedger:
    """The debtors or the creditors: FiEntries' account feature and the store table behind it."""

    va_as: int  # 2 / 3
    table: str  # debtor / creditor
    id_col: str
    flag_col: str  # is_debtor / is_creditor
    collect_type: str  # 'D' / 'C' (CollectAccountType of an allowed collective account)
    default_collect: str  # the collective account of a relation without one
    noun: Pair


DEBTORS = SubLedger(2, "debtor", "debtor_id", "is_debtor", "D", "1300", Pair("Debtor", "Debiteur"))
CREDITORS = SubLedger(3, "creditor", "creditor_id", "is_creditor", "C", "1600", Pair("Creditor", "Crediteur"))
SUB_LEDGERS = {ledger.va_as: ledger for ledger in (DEBTORS, CREDITORS)}


def key_values(steps: KeySteps) -> dict[str, str]:
    """All key values of a key path, by lower-case key name."""
    out: dict[str, str] = {}
    for _, keys in steps:
        out.update({k.lower(): v for k, v in keys.items()})
    return out


def dmy(d: date) -> str:
    """AFAS's date in messages: d-m-yyyy without leading zeros ('1-11-2024')."""
    return f"{d.day}-{d.month}-{d.year}"


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dumps(doc: Any) -> str:
    """A ``fields`` JSON column's text."""
    return json.dumps(doc, default=_jsonable, ensure_ascii=False, sort_keys=True)


def plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Coerced field values as JSON values (decimals and dates as strings)."""
    return {k: _jsonable(v) for k, v in fields.items()}


def loads(text: str | None) -> dict[str, Any]:
    """A ``fields`` JSON column's document ({} when empty or no object)."""
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def next_unused(ctx: Ctx, counter: str, start: int, used: Callable[[int], bool]) -> int:
    """The counter's next number (at least ``start``) that is not ``used`` yet."""
    while True:
        number = ctx.store.next_number(ctx.cur, counter, start)
        if not used(number):
            return number


def next_free(
    ctx: Ctx,
    counter: str,
    table: str,
    column: str,
    digits: int,
    where: str = "",
    params: tuple[Any, ...] = (),
) -> str:
    """The next number of a counter: it starts after the highest numeric value in use and skips used ones."""
    cond = f"regexp_full_match({column}, '[0-9]{{1,{digits}}}')" + (f" AND {where}" if where else "")
    row = ctx.one(f"SELECT max(TRY_CAST({column} AS BIGINT)) FROM {table} WHERE {cond}", params)
    start = int(row[0]) + 1 if row and row[0] is not None else 1
    taken = f"SELECT 1 FROM {table} WHERE {column} = ?" + (f" AND {where}" if where else "") + " LIMIT 1"
    return str(next_unused(ctx, counter, start, lambda n: ctx.one(taken, [str(n), *params]) is not None))


def exists(ctx: Ctx, table: str, column: str, value: Any) -> bool:
    """Whether a row with this value exists (cached for the request)."""
    return bool(
        ctx.cached(
            (table, column, value),
            lambda: ctx.one(f"SELECT 1 FROM {table} WHERE {column} = ?", [value]) is not None,
        )
    )


def insert_row(ctx: Ctx, table: str, cols: dict[str, Any]) -> None:
    marks = ", ".join("?" for _ in cols)
    ctx.cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", list(cols.values()))


def update_rows(ctx: Ctx, table: str, cols: dict[str, Any], where: str, params: Iterable[Any]) -> None:
    sets = ", ".join(f"{c} = ?" for c in cols)
    ctx.cur.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*cols.values(), *params])
