"""The Master data page as values: suggested columns, the comparison with AFAS (allocation codes of
the default axis only) and what the page shows of the result, as a user reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from afas.corrections.plans import DimCodeInsertItem, RelationInsertItem
from afas.emulator.core import Emulator
from afas.recon.forms import NO_COLUMN
from afas.recon.masterfile import KINDS
from afas.recon.masterform import (
    ColumnForm,
    MasterChoice,
    MasterReview,
    compare,
    count_rows,
    difference_rows,
    is_synced,
    load_master,
)
from afas.recon.readers import read_ledger_table
from afas.warehouse.db import connection
from afas.warehouse.sync import sync
from tests.conftest import make_client

CODES_OF_AXIS_2 = b"Code;Omschrijving\nCO;Consultancy\nFIN;Financiele diensten\nNEW;Nieuwe kostendrager\n"
"""Three allocation codes of axis 2 as another system exports them: one equal, one differing, one new."""


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("masterform") / "w.duckdb"
    with make_client(Emulator(seed=7, transactions=50)) as client:
        sync(path, client, ["Profit_Debtor", "Recon_AllocationCodes"])
    return path


def test_the_pickers_suggest_the_columns_the_headers_name():
    form = ColumnForm(KINDS["customers"], ("Klantnummer", "Naam", "E-mail", "Opmerking"))
    assert form.fields[0] == "DebtorId" and form.label("DebtorId") == "DebtorId (key)"
    assert form.options == [NO_COLUMN, "Klantnummer", "Naam", "E-mail", "Opmerking"]
    assert form.options[form.index("DebtorId")] == "Klantnummer"
    assert form.options[form.index("Email")] == "E-mail"
    assert form.index("IBAN") == 0  # no header for it: 'no column'
    choice = form.choice({"DebtorId": "Klantnummer", "DebtorName": "Naam", "Email": NO_COLUMN})
    assert choice == MasterChoice("Klantnummer", (("DebtorName", "Naam"),))
    assert form.choice({"DebtorId": NO_COLUMN}).key_column is None
    assert form.key_missing() == "Choose the file column that holds DebtorId."


def test_allocation_codes_are_compared_with_those_of_the_default_axis_only(db):
    assert is_synced(db, KINDS["codes"]) and not is_synced(db, KINDS["suppliers"])
    mfile = load_master(db, read_ledger_table(CODES_OF_AXIS_2, "kostendragers.csv"))
    form = ColumnForm(KINDS["codes"], tuple(mfile.headers))
    choice = form.choice({f: form.options[form.index(f)] for f in form.fields})
    assert choice == MasterChoice("Code", (("Description", "Omschrijving"),))
    run = compare(db, "codes", mfile, choice, axis=2)
    assert run.shows("codes", mfile.table) and not run.shows("customers", mfile.table)
    with connection(db) as con:
        counts = dict(
            con.execute(
                "SELECT kind, count(*) FROM recon_results WHERE run_id = ? GROUP BY 1", [run.run_id]
            ).fetchall()
        )
    # axis 2 holds CO, FIN, ICT and PZ; the 13 codes of the other axes are not 'only in AFAS'
    assert counts == {"matched": 1, "differing": 1, "only_in_afas": 2, "only_in_ledger": 1}
    assert run.correction_args()["key_column"] == "Code" and run.correction_args()["sales"] is None


def test_counts_read_in_the_words_of_a_master_data_comparison():
    assert count_rows({"only_in_ledger": 3, "differing": 4}) == [
        ("Matched", 0),
        ("Only in AFAS", 0),
        ("Only in the file", 3),
        ("Differing", 4),
    ]


def test_a_field_missing_on_one_side_shows_empty_not_none():
    rows = difference_rows(
        [{"item_key": "10004", "field": "IBAN", "value_afas": None, "value_ledger": "NL91ABNA0417164300"}],
        "DebtorId",
    )
    assert rows == [
        {"DebtorId": "10004", "Field": "IBAN", "In AFAS": "", "In the file": "NL91ABNA0417164300"}
    ]


def test_fields_are_named_as_afas_labels_them_with_their_id():
    """With the labels a Dutch sync kept, a Profit user recognises the fields by Profit's own names;
    a field metainfo gave no label keeps its id alone."""
    names = {"DebtorId": "Nummer debiteur", "PayCon": "Betalingsvoorwaarde", "IBAN": "IBAN"}
    form = ColumnForm(KINDS["customers"], ("Klantnummer",), names)
    assert form.label("DebtorId") == "Nummer debiteur (DebtorId, key)"
    assert (form.label("PayCon"), form.label("IBAN"), form.label("Email")) == (
        "Betalingsvoorwaarde (PayCon)",
        "IBAN",
        "Email",
    )
    assert form.key_missing() == "Choose the file column that holds Nummer debiteur (DebtorId)."
    rows = difference_rows(
        [{"item_key": "10004", "field": "PayCon", "value_afas": "30", "value_ledger": "14"}],
        "DebtorId",
        names,
    )
    assert rows == [
        {
            "Nummer debiteur": "10004",
            "Field": "Betalingsvoorwaarde (PayCon)",
            "In AFAS": "30",
            "In the file": "14",
        }
    ]


@dataclass
class _Check:
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.messages


@dataclass
class _Found:
    counts: dict[str, int]
    differences: list[dict[str, Any]]
    items: list[tuple[str, Any]]
    problems: list[str]


def test_the_review_lists_each_correction_with_what_afas_would_say_and_offers_only_the_ready_ones():
    new = RelationInsertItem(sales=True, person=False, name="Bakkerij Zonneveld B.V.", currency="EUR")
    code = DimCodeInsertItem(axis=2, code="NEW", description="Nieuwe kostendrager")
    found = _Found(
        {"only_in_ledger": 2}, [], [("Bakkerij Zonneveld B.V.", new), ("NEW", code)], ["row 7: no key"]
    )
    checked: list[list[Any]] = []

    def check(items: list[Any]) -> list[_Check]:
        checked.append(items)
        return [_Check(), _Check(["Allocation axis 2 is blocked."])]

    review = MasterReview.of(found, "DebtorId", check)
    assert checked == [[new, code]]
    assert review.rows == [
        {"What": "new relation", "Relation or code": "Bakkerij Zonneveld B.V.", "AFAS would say": "ready"},
        {
            "What": "new allocation code",
            "Relation or code": "NEW",
            "AFAS would say": "Allocation axis 2 is blocked.",
        },
    ]
    assert review.ready == [("Bakkerij Zonneveld B.V.", new)]
    assert review.warnings == ["row 7: no key", "NEW: Allocation axis 2 is blocked."]
    assert ("Only in the file", 2) in review.counts and not review.nothing_to_send


def test_nothing_found_is_nothing_to_send_and_nothing_is_checked():
    review = MasterReview.of(_Found({"matched": 5}, [], [], []), "DebtorId", lambda items: pytest.fail(items))
    assert review.nothing_to_send and review.ready == [] and review.counts[0] == ("Matched", 5)
