"""The Reconcile page's decisions, reached without a page: the form's values become the engine's
settings, deleting a ledger removes what belongs to it only, and the vocabularies read in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from afas.catalogue import CONTEXTS, LABELS, label, label_sql, labels
from afas.corrections.from_recon import record_origins
from afas.recon.forms import NO_COLUMN, Comparison, LedgerSource, MappingForm, MatchForm, ledger_sources
from afas.recon.ledgers import ImportInUse, delete_import, import_footprint
from afas.recon.mapping import Mapping
from afas.recon.matching import reconcile
from afas.recon.overrides import match_manually, override_rows, remove_overrides
from afas.recon.passes import Ambiguity, DateWindowPass, ExactKeyPass, FuzzyTextPass, GroupSumPass
from afas.recon.schema import ResultKind
from afas.recon.views import LedgerSummary
from afas.ui.grid import for_grid, selection_key
from tests.recon.test_matching import afas_line, ledger_line, make_books


@pytest.fixture
def con(tmp_path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def test_the_match_form_tunes_each_pass_with_its_own_setting():
    form = MatchForm(
        tolerance="0,3",  # as a Dutch user types it: 0.30 exactly
        days=7,
        similarity=90,
        ambiguity=Ambiguity.OLDEST,
        passes=("voucher", "amount_date"),
        accounts=("1100",),
        dates=(dt.date(2026, 1, 1),),  # a range being picked: only its start
        unit_id=1,
    )
    config = form.to_config()
    by_name = {p.pass_name: p for p in config.passes}
    keys = [p for p in config.passes if isinstance(p, ExactKeyPass)]
    assert keys and all(p.abs_tol == Decimal("0.30") for p in keys)
    assert all(p.days == 7 for p in config.passes if isinstance(p, DateWindowPass))
    assert all(p.threshold == 0.9 for p in config.passes if isinstance(p, FuzzyTextPass))
    assert {n for n, p in by_name.items() if p.enabled} == {"voucher", "amount_date"}
    assert config.ambiguity == Ambiguity.OLDEST
    f = config.afas_filter
    assert (f.unit_id, f.accounts, f.date_from, f.date_to) == (1, ("1100",), dt.date(2026, 1, 1), None)
    assert all(p.with_tuning(form.tuning()) == p for p in config.passes if isinstance(p, GroupSumPass))


def test_the_match_form_offers_the_ledgers_dates_or_this_year():
    summary = LedgerSummary(3, Decimal("1"), dt.date(2025, 3, 1), dt.date(2025, 3, 31), ["1100"])
    assert MatchForm.default_dates(summary) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    empty = LedgerSummary(0, Decimal("0"), None, None, [])
    assert MatchForm.default_dates(empty, today=dt.date(2026, 12, 2)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 2),
    )


def test_the_mapping_pickers_keep_what_was_not_shown_and_clear_what_was_emptied():
    mapping = Mapping(entry_date="Datum", amount="Bedrag", description="Omschrijving", date_format="%d-%m-%Y")
    form = MappingForm(mapping, ("Datum", "Bedrag", "Omschrijving"))
    assert form.index("amount") == 2 and form.index("voucher") == 0  # 'no column' first
    edited = form.edited({"description": NO_COLUMN, "voucher": "Omschrijving"}, flip_sign=True)
    assert (edited.entry_date, edited.amount, edited.description, edited.voucher) == (
        "Datum",
        "Bedrag",
        None,
        "Omschrijving",
    )
    assert edited.flip_sign and edited.date_format == "%d-%m-%Y"


def test_the_demo_ledger_and_earlier_imports_are_offered_only_when_there_are():
    assert ledger_sources(demo=False, imported=False) == [LedgerSource.UPLOAD]
    assert ledger_sources(demo=True, imported=True) == list(LedgerSource)


def _two_imports(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Two ledgers, each matched once, the first with a match made by hand."""
    afas = [afas_line(i, f"{i}.00", "2026-01-10", voucher=f"V{i}") for i in range(1, 5)]
    make_books(con, afas, [ledger_line(i, f"{i}.00", "2026-01-10", voucher=f"V{i}") for i in (1, 2)], 1)
    make_books(
        con, [], [ledger_line(i, f"{i}.00", "2026-01-10", voucher=f"V{i}", import_id=2) for i in (3, 4)], 2
    )
    match_manually(con, 1, [(1, 3, 1)], [2], note="by hand")
    return reconcile(con, 1).run_id, reconcile(con, 2).run_id


def test_deleting_a_ledger_removes_its_runs_results_and_overrides_and_nothing_else(con):
    _, other_run = _two_imports(con)
    footprint = import_footprint(con, 1)
    assert footprint.deletable and footprint.lines == 2 and footprint.runs == 1 and footprint.overrides == 1
    assert footprint.removes().startswith("2 lines, 1 matching run, ")
    assert footprint.removes().endswith(" and 1 match made or undone by hand")
    others = con.execute("SELECT count(*) FROM recon_results WHERE run_id = ?", [other_run]).fetchone()

    assert delete_import(con, 1) is True
    assert import_footprint(con, 1) is None and delete_import(con, 1) is False
    left = con.execute(
        "SELECT (SELECT count(*) FROM ledger_lines WHERE import_id = 1), "
        "(SELECT count(*) FROM recon_runs WHERE import_id = 1), "
        "(SELECT count(*) FROM recon_overrides), (SELECT count(*) FROM recon_override_lines), "
        "(SELECT count(*) FROM recon_results WHERE run_id = ?)",
        [other_run],
    ).fetchone()
    assert left == (0, 0, 0, 0, others[0])


def test_a_ledger_corrections_came_from_is_refused_in_words_and_kept(con):
    run_id, _ = _two_imports(con)
    (result_id,) = con.execute(
        "SELECT min(result_id) FROM recon_results WHERE run_id = ?", [run_id]
    ).fetchone()
    record_origins(con, [(11, run_id, result_id), (12, run_id, result_id)])
    with pytest.raises(ImportInUse, match=r"Ledger #1 'test' is kept: 2 corrections in the outbox were made"):
        delete_import(con, 1)
    assert con.execute("SELECT count(*) FROM ledger_lines WHERE import_id = 1").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM recon_runs WHERE import_id = 1").fetchone() == (1,)


def test_overrides_are_listed_in_words(con):
    _two_imports(con)
    (row,) = override_rows(con, 1)
    assert (row["What"], row["AFAS lines"], row["Ledger lines"], row["Note"]) == (
        "matched by hand",
        "entry 3 line 1",
        "2",
        "by hand",
    )


def test_a_grid_shows_missing_text_as_empty_and_keeps_numbers_numbers():
    table = for_grid(
        [
            {"Voucher": None, "Amount": Decimal("1.50"), "Rate": float("nan"), "key": 1},
            {"Voucher": "V1", "Amount": None, "Rate": 0.5, "key": 2},
        ],
        drop=["key"],
    )
    assert table.column_names == ["Voucher", "Amount", "Rate"]
    assert table.column("Voucher").to_pylist() == ["", "V1"]
    assert pa.types.is_decimal(table.column("Amount").type)
    assert table.column("Rate").to_pylist() == [None, 0.5]
    assert for_grid([{"Note": None}]).column("Note").to_pylist() == [""]


def test_ticked_rows_do_not_carry_over_to_other_rows_of_a_grid():
    """Streamlit keeps a keyed grid's ticked row numbers when its rows change: after a filter or an
    unmatch, row 0 would stay ticked although it is another line. The key changes with the rows."""
    two = pa.table({"line_no": [1, 2], "Amount": [Decimal("1.00"), Decimal("2.00")]})
    same = pa.table({"line_no": [1, 2], "Amount": [Decimal("1.00"), Decimal("2.00")]})
    searched = two.slice(1, 1)
    assert selection_key("recon_results", two) == selection_key("recon_results", same)  # a rerun keeps ticks
    assert selection_key("recon_results", two) != selection_key("recon_results", searched)
    assert selection_key("recon_results", two).startswith("recon_results:")
    assert selection_key("audit", two.to_pandas()) == selection_key("audit", same.to_pandas())


def test_the_same_rows_keep_their_key_whatever_lies_under_their_missing_values():
    """Two reads of the same rows can differ in the bytes under a missing value (Arrow leaves them
    undefined); the key must not, or a rerun drops the user's ticks (seen in the browser journey)."""
    zeros = pa.Array.from_buffers(
        pa.int64(), 2, [pa.py_buffer(bytes([0b01])), pa.py_buffer((7).to_bytes(8, "little") + bytes(8))]
    )
    junk = pa.Array.from_buffers(
        pa.int64(), 2, [pa.py_buffer(bytes([0b01])), pa.py_buffer((7).to_bytes(8, "little") + b"garbage!")]
    )
    assert zeros.to_pylist() == junk.to_pylist() == [7, None]
    assert selection_key("g", pa.table({"x": zeros})) == selection_key("g", pa.table({"x": junk}))
    assert selection_key("g", pa.table({"x": zeros})) != selection_key("g", pa.table({"x": [7, 8]}))


def _enums():
    """Every closed vocabulary of the app: the StrEnums defined in afas."""
    import importlib
    import pkgutil
    from enum import StrEnum

    import afas

    found = {}
    for mod in pkgutil.walk_packages(afas.__path__, "afas."):
        if mod.name.endswith("__main__"):
            continue
        module = importlib.import_module(mod.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == mod.name:
                found[value.__name__] = value
    return found


def test_every_vocabulary_has_exactly_one_label_per_member_in_the_catalogue():
    enums = {n: e for n, e in _enums().items() if not n.startswith("_")}
    assert {"ResultKind", "Ambiguity", "Comparison", "LedgerSource", "OverrideAction"} <= set(enums)
    labelled = {n: e for n, e in enums.items() if n in LABELS}
    # EnvironmentType: AFAS's own codes, not words; Language: each named in its own words, whatever
    # language is spoken (afas.i18n.NATIVE_NAMES)
    unlabelled = sorted(set(enums) - set(LABELS) - {"EnvironmentType", "Language"})
    assert not unlabelled, f"vocabularies without labels in afas.catalogue: {unlabelled}"
    for name, enum in labelled.items():
        assert set(LABELS[name]) == {m.value for m in enum}, name
        assert all(label(m) for m in enum)
    assert not set(LABELS) - set(enums), "labels for a vocabulary that no longer exists"
    for context in CONTEXTS.values():
        for name, special in context.items():
            assert set(special) <= set(LABELS[name])


def test_a_label_reads_the_same_in_python_and_in_sql(con):
    shown = label_sql(ResultKind, "kind")
    rows = con.execute(f"SELECT {shown} FROM (VALUES ('only_in_ledger'), ('other')) t(kind)").fetchall()
    assert rows == [(label(ResultKind.ONLY_IN_LEDGER),), ("other",)]
    assert labels(ResultKind, "master_data")[ResultKind.ONLY_IN_LEDGER] == "Only in the file"
    assert label(Comparison.LINES) == "line by line"


def test_several_overrides_are_removed_at_once_and_an_unknown_one_is_not_counted(con):
    _two_imports(con)
    second = match_manually(con, 1, [(1, 4, 1)], [1], note="also by hand")
    assert [r["#"] for r in override_rows(con, 1)] == [1, second]
    assert remove_overrides(con, [1, second, 99]) == 2
    assert override_rows(con, 1) == [] and remove_overrides(con, []) == 0
    assert con.execute("SELECT count(*) FROM recon_override_lines").fetchone() == (0,)


def test_the_tolerance_is_read_as_typed_in_either_language_and_refused_in_words():
    """The tolerance is a typed amount (a number input would show 0.00 to a Dutch user and hand over
    a float): 0,05 and 0.05 are five cents; a word, a negative or an absurd width is refused."""
    from afas.errors import InputError
    from afas.i18n import Language, using

    assert MatchForm(tolerance="0,05").abs_tol == MatchForm(tolerance="0.05").abs_tol == Decimal("0.05")
    assert MatchForm(tolerance="1.000,00").abs_tol == Decimal("1000.00")
    assert MatchForm().abs_tol == Decimal("0")
    with pytest.raises(InputError, match="The amount tolerance 'vijf' is not an amount"):
        MatchForm(tolerance="vijf").tuning()
    with using(Language.NL), pytest.raises(InputError) as refused:
        MatchForm(tolerance="-0,10").tuning()
    said = "De marge op het bedrag €\u00a0-0,10 ligt niet tussen €\u00a00,00 en €\u00a01.000,00."
    assert str(refused.value) == said
    assert "bijv. 0,05" in refused.value.hint
    with pytest.raises(InputError, match="not between"):
        MatchForm(tolerance="1000.01").to_config()
