"""The Reconcile page's forms as values: what its widgets hold, turned into what the engine takes.

A page reads its widgets and hands their values to one of these; everything the page would otherwise
decide (which mapping the chosen columns make, which passes run with which settings, which
comparison runs against which AFAS table) happens here, where a unit test reaches it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping as MappingOf
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import duckdb

from afas.catalogue import label
from afas.errors import InputError
from afas.i18n import amount, date, mark, ntr, number, tr
from afas.recon.compare import compare_balances
from afas.recon.guesses import ReadingNote, format_words
from afas.recon.ledgers import LedgerImport
from afas.recon.mapping import AUTO, COLUMN_FIELDS, LineProblem, Mapping, SignMeaning
from afas.recon.matching import AfasFilter, MatchConfig, default_passes, reconcile
from afas.recon.passes import Ambiguity, Tuning
from afas.recon.tables import TextTable
from afas.recon.textvalues import DATE_FORMATS, EXCEL_SERIAL, typed_amount
from afas.recon.views import LedgerSummary, pass_label
from afas.warehouse.explore import has_table

__all__ = [
    "FIELD_LABELS",
    "NO_COLUMN",
    "Comparison",
    "LedgerSource",
    "MappingForm",
    "MatchForm",
    "file_description",
    "import_title",
    "note_rows",
    "warnings_shown",
    "ledger_sources",
    "pass_label",
    "pass_names",
    "problem_rows",
    "summary_caption",
]

NO_COLUMN = "—"
"""The choice 'no column' in a column picker."""

FIELD_LABELS = {
    "entry_date": mark("Date"),
    "amount": mark("Amount (signed)"),
    "debit": mark("Debit"),
    "credit": mark("Credit"),
    "sign": mark("Debit/credit marker"),
    "account": mark("Account"),
    "currency": mark("Currency"),
    "description": mark("Description"),
    "voucher": mark("Voucher (boekstuk)"),
    "invoice": mark("Invoice number"),
    "relation": mark("Relation (debtor/creditor)"),
    "allocation": mark("Cost centre / allocation"),
    "counterparty_name": mark("Counterparty name"),
    "counterparty_iban": mark("Counterparty IBAN"),
}
"""What the mapping's column pickers are called, per ledger_lines field (English: tr() shows them)."""


class LedgerSource(StrEnum):
    """Where the ledger to reconcile comes from (labels: afas.catalogue)."""

    UPLOAD = "upload"  # a file the user uploads now
    DEMO = "demo"  # the demo administration's ledger card (demo environment only)
    DEMO_XAF = "demo_xaf"  # the demo administration's books in the previous package's XAF (demo only)
    DEMO_STATEMENT = "demo_statement"  # the demo bank account's CAMT.053 statements (demo only)
    EARLIER = "earlier"  # a ledger imported before, kept in the warehouse


def ledger_sources(
    demo: bool, imported: bool, demo_xaf: bool | None = None, demo_statement: bool | None = None
) -> list[LedgerSource]:
    """The sources a user may choose: the demo ledger, the demo audit file and the demo bank statement
    only on the demo (each as the ledger unless its own flag says), earlier imports when there are."""
    return [
        LedgerSource.UPLOAD,
        *([LedgerSource.DEMO] if demo else []),
        *([LedgerSource.DEMO_XAF] if (demo if demo_xaf is None else demo_xaf) else []),
        *([LedgerSource.DEMO_STATEMENT] if (demo if demo_statement is None else demo_statement) else []),
        *([LedgerSource.EARLIER] if imported else []),
    ]


def import_title(ledger: LedgerImport) -> str:
    """An imported ledger in a picker: '#3 Bank 2026 — bank.csv, 1,204 lines, 02/12/2026 14:03'."""
    return ntr(
        "#{number} {name} — {file}, {rows} lines, {date} {time}",
        "#{number} {name} — {file}, {rows} lines, {date} {time}",
        ledger.rows,
    ).format(
        number=ledger.import_id,
        name=ledger.name,
        file=ledger.file_name,
        rows=number(ledger.rows),
        date=date(ledger.imported),
        time=f"{ledger.imported:%H:%M}",
    )


def summary_caption(import_id: int, summary: LedgerSummary) -> str:
    """One line on an imported ledger: its lines, total and dates."""
    return ntr(
        "Ledger #{number}: {rows} lines, {total}, {start} to {end}",
        "Ledger #{number}: {rows} lines, {total}, {start} to {end}",
        summary.rows,
    ).format(
        number=import_id,
        rows=number(summary.rows),
        total=amount(summary.total),
        start=date(summary.date_from) or "?",
        end=date(summary.date_to) or "?",
    )


def file_description(table: TextTable) -> str:
    """How the file was read, e.g. 'CSV, encoding cp1252, delimiter ';''."""
    parts = (
        table.file_format.upper(),
        table.encoding and tr("encoding {encoding}").format(encoding=table.encoding),
        table.delimiter and tr("delimiter '{delimiter}'").format(delimiter=table.delimiter),
        table.sheet and tr("sheet '{sheet}'").format(sheet=table.sheet),
    )
    return ", ".join(p for p in parts if p)


def problem_rows(problems: Sequence[LineProblem], limit: int = 200) -> list[dict[str, Any]]:
    """The first unreadable cells as the rows of a table."""
    line, column, value, why = tr("Line"), tr("Column"), tr("Value"), tr("Why")
    return [{line: p.line_no, column: p.column, value: p.value, why: p.reason} for p in problems[:limit]]


def note_rows(notes: Sequence[ReadingNote]) -> list[dict[str, Any]]:
    """How the file is read, as the rows of a table: what each note is about, and the note."""
    return [{"About": label(n.subject), "How the file is read": n.text} for n in notes]


def warnings_shown(notes: Sequence[ReadingNote], limit: int = 5) -> tuple[list[str], int]:
    """The notes that need a look, as the sentences shown above the preview (at most ``limit``), and
    how many more there are (all of them are in the table of notes)."""
    warned = [f"{label(n.subject)}: {n.text}" for n in notes if n.warn]
    return warned[:limit], max(0, len(warned) - limit)


@dataclass(frozen=True)
class MappingForm:
    """The column pickers of a mapping: one per field, each offering 'no column' and the headers."""

    mapping: Mapping
    headers: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return COLUMN_FIELDS

    @property
    def options(self) -> list[str]:
        return [NO_COLUMN, *self.headers]

    def widget_keys(self, prefix: str) -> list[str]:
        """The pickers' widget keys: ``prefix`` and the field."""
        return [prefix + f for f in self.fields]

    def label(self, field: str) -> str:
        return tr(FIELD_LABELS[field]) if field in FIELD_LABELS else field

    def index(self, field: str) -> int:
        """The picker's preselected option: the mapping's column, else 'no column'."""
        current = getattr(self.mapping, field)
        return self.options.index(current) if current in self.headers else 0

    @property
    def sign_meanings(self) -> list[SignMeaning]:
        return list(SignMeaning)

    @property
    def sign_meaning_index(self) -> int:
        return self.sign_meanings.index(self.mapping.sign_meaning)

    @property
    def date_formats(self) -> list[str]:
        """The date formats a user may choose: detected from the file, or one of those read."""
        return [AUTO, *DATE_FORMATS, EXCEL_SERIAL]

    @property
    def date_format_index(self) -> int:
        return (
            self.date_formats.index(self.mapping.date_format)
            if self.mapping.date_format in self.date_formats
            else 0
        )

    @staticmethod
    def date_format_label(value: str) -> str:
        if value == AUTO:
            return tr("detect from the file")
        return tr("Excel day numbers") if value == EXCEL_SERIAL else format_words(value)

    @property
    def decimal_separators(self) -> list[str]:
        return [AUTO, ",", "."]

    @property
    def decimal_separator_index(self) -> int:
        return self.decimal_separators.index(self.mapping.decimal_separator)

    @staticmethod
    def decimal_separator_label(value: str) -> str:
        return {
            AUTO: tr("detect from the file"),
            ",": tr("comma: 1.234,56"),
            ".": tr("point: 1,234.56"),
        }[value]

    @property
    def more_descriptions(self) -> list[str]:
        """The further description columns preselected: the mapping's that are in this file."""
        return [c for c in self.mapping.description_more if c in self.headers]

    def edited(
        self,
        chosen: MappingOf[str, str],
        flip_sign: bool,
        sign_meaning: SignMeaning | None = None,
        description_more: Sequence[str] | None = None,
        date_format: str | None = None,
        decimal_separator: str | None = None,
    ) -> Mapping:
        """The mapping as the pickers now say (a field or option left out keeps its value)."""
        columns = {f: (None if c == NO_COLUMN else c) for f, c in chosen.items() if f in COLUMN_FIELDS}
        options: dict[str, Any] = {"flip_sign": flip_sign}
        if sign_meaning is not None:
            options["sign_meaning"] = sign_meaning
        if description_more is not None:
            options["description_more"] = tuple(description_more)
        if date_format is not None:
            options["date_format"] = date_format
        if decimal_separator is not None:
            options["decimal_separator"] = decimal_separator
        return dataclasses.replace(self.mapping, **columns, **options)


class Comparison(StrEnum):
    """What the match form compares (labels: afas.catalogue)."""

    LINES = "lines"  # every ledger line against AFAS's journal lines, by the passes
    BALANCES = "balances"  # the ledger's sums per account and month against AFAS's period balances


def pass_names() -> list[str]:
    """The automatic passes a user may switch on or off, in the order they run."""
    return [p.pass_name for p in default_passes()]


def _date_range(dates: Any) -> tuple[dt.date | None, dt.date | None]:
    """A date input's value (one date, a pair, a pair being picked, nothing) as (from, to)."""
    if dates is None:
        return None, None
    if isinstance(dates, tuple | list):
        picked = [*dates, None, None]
        return picked[0], picked[1]
    return dates, None


MAX_TOLERANCE = Decimal(1000)
"""The widest amount tolerance a match form takes (euros): wider pairs lines that have little in common."""


@dataclass(frozen=True)
class MatchForm:
    """The match form's values: what to compare, which AFAS lines, and the passes' settings."""

    comparison: Comparison = Comparison.LINES
    accounts: tuple[str, ...] = ()
    dates: Any = None  # the date input's value: a date, (from,), (from, to) or None
    tolerance: str | Decimal = Decimal(0)  # euros, as typed ("0,05" or "0.05")
    days: int = 3
    similarity: int = 85  # percent
    ambiguity: Ambiguity = Ambiguity.UNIQUE
    passes: tuple[str, ...] | None = None  # the passes switched on (None: all)
    unit_id: int | None = None  # the administration of the chosen profile

    @staticmethod
    def default_dates(summary: LedgerSummary, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The date range first offered: the ledger's own dates, else this year up to today."""
        today = today or dt.date.today()
        return (summary.date_from or today.replace(month=1, day=1), summary.date_to or today)

    @property
    def abs_tol(self) -> Decimal:
        """The tolerance as typed, in cents exactly; refused in words unless it is 0 to 1,000 euros."""
        value = typed_amount(self.tolerance, mark("The amount tolerance"))
        if not Decimal(0) <= value <= MAX_TOLERANCE:
            raise InputError(
                tr("The amount tolerance {value} is not between {least} and {most}.").format(
                    value=amount(value), least=amount(Decimal(0)), most=amount(MAX_TOLERANCE)
                ),
                tr("Type how far two amounts may differ and still match, e.g. 0.05."),
            )
        return value

    @property
    def lines(self) -> bool:
        return self.comparison == Comparison.LINES

    def tuning(self) -> Tuning:
        return Tuning(abs_tol=self.abs_tol, days=int(self.days), similarity=self.similarity / 100)

    def to_config(self, afas_table: str | None = None) -> MatchConfig:
        """The line-by-line run these values ask for (against ``afas_table``, by default AFAS's lines)."""
        tuning = self.tuning()
        passes = tuple(
            dataclasses.replace(
                p.with_tuning(tuning), enabled=self.passes is None or p.pass_name in self.passes
            )
            for p in default_passes()
        )
        start, end = _date_range(self.dates)
        config = MatchConfig(
            passes=passes,
            ambiguity=Ambiguity(self.ambiguity),
            afas_filter=AfasFilter(
                unit_id=self.unit_id, accounts=tuple(self.accounts) or None, date_from=start, date_to=end
            ),
        )
        return config if afas_table is None else dataclasses.replace(config, afas_table=afas_table)

    def run(self, con: duckdb.DuckDBPyConnection, import_id: int, afas_table: str | None = None) -> int:
        """Run the comparison against ledger import ``import_id``; returns the run's id.

        Balances are compared with AFAS's period balances when they were synced, else with the sums
        of its journal lines; lines are matched against ``afas_table`` (by default AFAS's lines).
        """
        if self.lines:
            return reconcile(con, import_id, self.to_config(afas_table)).run_id
        source = "period_balance" if has_table(con, "Profit_Period_balance") else "transactions"
        return compare_balances(
            con,
            import_id,
            source=source,
            unit_id=self.unit_id,
            accounts=list(self.accounts) or None,
            abs_tol=self.abs_tol,
        ).run_id
