"""The Master data page as values: the column pickers of a master-data file, its comparison with
AFAS, and what the page shows of the result.

The page reads its widgets and hands their values here; which column is suggested for which AFAS
field, which AFAS rows a file is compared with (allocation codes: those of the default axis only),
and how counts, differing fields and the corrections read are decided here, where a unit test
reaches them. Building and checking the corrections stays in afas.corrections: :meth:`MasterReview.of`
takes what those return and is handed the check to run, so this module imports nothing of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import duckdb

from afas.catalogue import label
from afas.i18n import tr
from afas.recon.compare import compare_master_data
from afas.recon.forms import NO_COLUMN
from afas.recon.masterfile import KINDS, MasterFile, MasterKind, load_master_table, suggest_columns
from afas.recon.schema import RESULT_KINDS
from afas.recon.tables import TextTable
from afas.warehouse.db import connection
from afas.warehouse.explore import has_table
from afas.warehouse.schema import quote_ident

__all__ = [
    "ColumnForm",
    "MasterChoice",
    "MasterReview",
    "MasterRun",
    "compare",
    "compared_table",
    "count_rows",
    "difference_rows",
    "field_name",
    "is_synced",
    "load_master",
]

CONTEXT = "master_data"
"""The catalogue's wording for a master-data comparison: its second side is the user's file."""


def is_synced(db_path: str | os.PathLike[str], kind: MasterKind) -> bool:
    """True once the AFAS table the file is compared with is in the warehouse."""
    with connection(db_path) as con:
        return has_table(con, kind.afas_table)


def load_master(db_path: str | os.PathLike[str], table: TextTable) -> MasterFile:
    """A file already read, kept in the warehouse as a text table (LedgerFileError: not master data)."""
    with connection(db_path) as con:
        return load_master_table(con, table)


@dataclass(frozen=True)
class MasterChoice:
    """Which file column holds the key, and which hold the AFAS fields compared (field, column)."""

    key_column: str | None
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ColumnForm:
    """The column pickers of a master-data file: one per AFAS field, each offering 'no column' and
    the file's headers, the one its header suggests preselected."""

    kind: MasterKind
    headers: tuple[str, ...]
    names: Mapping[str, str] = field(default_factory=dict)  # AFAS's labels (afas.warehouse.labels)

    @property
    def fields(self) -> tuple[str, ...]:
        """The key first, then the fields that can be compared."""
        return (self.kind.key, *self.kind.fields)

    @property
    def options(self) -> list[str]:
        return [NO_COLUMN, *self.headers]

    def label(self, field: str) -> str:
        """The picker's label: AFAS's own name of the field and its id ("Betalingsvoorwaarde
        (PayCon)"), the key marked as such."""
        if field != self.kind.key:
            return field_name(field, self.names)
        name = self.names.get(field, field)
        if name == field:
            return tr("{field} (key)").format(field=field)
        return tr("{name} ({field}, key)").format(name=name, field=field)

    def index(self, field: str) -> int:
        """The picker's preselected option: the column the header names suggest, else 'no column'."""
        suggested = suggest_columns(self.kind, list(self.headers)).get(field)
        return self.options.index(suggested) if suggested in self.headers else 0

    def choice(self, chosen: Mapping[str, str]) -> MasterChoice:
        """The pickers' values (AFAS field -> column or 'no column') as what the comparison takes."""
        key = chosen.get(self.kind.key, NO_COLUMN)
        pairs = tuple(
            (f, chosen[f]) for f in self.kind.fields if chosen.get(f, NO_COLUMN) not in (NO_COLUMN, None)
        )
        return MasterChoice(None if key in (NO_COLUMN, None) else key, pairs)

    def key_missing(self) -> str:
        """What to do while no column holds the key."""
        return tr("Choose the file column that holds {field}.").format(
            field=field_name(self.kind.key, self.names)
        )


def compared_table(con: duckdb.DuckDBPyConnection, kind: MasterKind, axis: int) -> str:
    """The AFAS rows a file of ``kind`` is compared with: the kind's table, or for allocation codes a
    view of the codes on ``axis`` (the default axis: a file of codes is one axis's)."""
    if kind.sales is not None:
        return kind.afas_table
    name = f"codes_axis_{int(axis)}"
    con.execute(
        f"CREATE OR REPLACE VIEW {quote_ident(name)} AS "
        f'SELECT * FROM {quote_ident(kind.afas_table)} WHERE "AxisId" = {int(axis)}'
    )
    return name


@dataclass(frozen=True)
class MasterRun:
    """A comparison the page ran: of which kind, which file, with which columns."""

    kind_id: str
    run_id: int
    file_table: str
    choice: MasterChoice

    def shows(self, kind_id: str, file_table: str) -> bool:
        """True while the page still shows this kind and this file."""
        return (self.kind_id, self.file_table) == (kind_id, file_table)

    @property
    def kind(self) -> MasterKind:
        return KINDS[self.kind_id]

    def correction_args(self) -> dict[str, Any]:
        """What afas.corrections.from_master.master_corrections needs of this run (but the defaults)."""
        return {
            "afas_table": self.kind.afas_table,
            "key": self.kind.key,
            "name_field": self.kind.name,
            "sales": self.kind.sales,
            "file_table": self.file_table,
            "key_column": self.choice.key_column,
            "pairs": list(self.choice.pairs),
        }


def compare(
    db_path: str | os.PathLike[str], kind_id: str, mfile: MasterFile, choice: MasterChoice, axis: int
) -> MasterRun:
    """Compare the file with AFAS and keep the result (recon_results, recon_field_diffs)."""
    if choice.key_column is None:
        raise ValueError("a comparison needs the key column")
    kind = KINDS[kind_id]
    with connection(db_path) as con:
        report = compare_master_data(
            con,
            compared_table(con, kind, axis),
            mfile.table,
            list(choice.pairs),
            join_columns=[(kind.key, choice.key_column)],
        )
    return MasterRun(kind_id, report.run_id, mfile.table, choice)


def count_rows(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Every result kind with its label (a master-data comparison's words) and how many, in order."""
    return [(label(k, CONTEXT), int(counts.get(k, 0))) for k in RESULT_KINDS]


def field_name(field_id: str, names: Mapping[str, str]) -> str:
    """A field as a Profit user knows it: AFAS's label with the id ("Nummer debiteur (DebtorId)"), or
    the id alone where metainfo gave no other label."""
    name = names.get(field_id, field_id)
    return field_id if name == field_id else f"{name} ({field_id})"


def difference_rows(
    differences: Sequence[Mapping[str, Any]], key: str, names: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The fields that differ, one row each: the key (headed by AFAS's label of the key field), the
    field (by AFAS's label and id), both values; a side without a value shows empty."""
    names = names or {}

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return [
        {
            names.get(key, key): text(d["item_key"]),
            tr("Field"): field_name(text(d["field"]), names),
            tr("In AFAS"): text(d["value_afas"]),
            tr("In the file"): text(d["value_ledger"]),
        }
        for d in differences
    ]


class _Check(Protocol):
    """What the master-data page reads of afas.corrections.validation.ItemCheck."""

    @property
    def ok(self) -> bool: ...

    messages: list[str]


class _Found(Protocol):
    """What the page reads of afas.corrections.from_master.MasterCorrections."""

    counts: dict[str, int]
    differences: list[dict[str, Any]]
    items: list[tuple[str, Any]]
    problems: list[str]


@dataclass(frozen=True)
class MasterReview:
    """What the page shows of a comparison's corrections: counts, differing fields, one row per item
    with what AFAS would say, the items ready to approve, and the warnings (items AFAS would refuse,
    rows no item could be made of)."""

    counts: list[tuple[str, int]]
    differences: list[dict[str, str]]
    rows: list[dict[str, str]]
    ready: list[tuple[str, Any]]  # (label, plan item) of the items AFAS would accept
    warnings: list[str]

    @property
    def nothing_to_send(self) -> bool:
        return not self.rows and not self.warnings

    @classmethod
    def of(
        cls,
        found: _Found,
        key: str,
        check: Callable[[list[Any]], Sequence[_Check]],
        names: Mapping[str, str] | None = None,
    ) -> MasterReview:
        """``found`` as master_corrections returns it; ``check`` the validation of its plan items (one
        check per item, in order), e.g. ``functools.partial(validate, con)``; ``names`` AFAS's labels
        of the fields."""
        items = list(found.items)
        checks = list(check([item for _, item in items])) if items else []
        rows = [
            {
                tr("What"): label(item.kind),
                tr("Relation or code"): name,
                tr("AFAS would say"): "; ".join(c.messages) or tr("ready"),
            }
            for (name, item), c in zip(items, checks, strict=True)
        ]
        ready = [(name, item) for (name, item), c in zip(items, checks, strict=True) if c.ok]
        refused = [
            f"{name}: {'; '.join(c.messages)}" for (name, _), c in zip(items, checks, strict=True) if not c.ok
        ]
        return cls(
            count_rows(found.counts),
            difference_rows(found.differences, key, names),
            rows,
            ready,
            [*found.problems, *refused],
        )
