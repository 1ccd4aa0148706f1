"""Bank statements' closing balances are kept with their import: read from MT940 (:62F:) and CAMT.053
(CLBD), through staging, into the warehouse, found by IBAN and day, gone with the import. Expected
figures are the ones written in the files here (their own :62F: and CLBD), not the reader's output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from afas.recon.ledgers import delete_import, import_table, suggested_mapping
from afas.recon.readers import read_ledger_table
from afas.recon.staging import stage
from afas.recon.statementbalances import StatementsDisagree, closing_balance, statement_accounts
from tests.recon.camt_fixtures import _balance, document, entry

IBAN = "NL44RABO0123456789"

MT940 = """:20:940S250228
:25:NL44RABO0123456789 EUR
:28C:00030
:60F:C250227EUR10000,00
:61:250228D250,75N102NONREF
:86:Energie Noord
:62F:C250228EUR9749,25
-
:20:940S250331
:25:NL44RABO0123456789 EUR
:28C:00031
:60F:C250228EUR9749,25
:61:250331C1500,00N541NONREF
:86:Jansen B.V.
:61:250331D11249,25N102NONREF
:86:Aflossing
:62F:D250331EUR0,00
-
"""


def camt(closing_march: str) -> bytes:
    def stmt(sid: str, opening: str, closing: str, day: str, amount: str, indicator: str) -> str:
        return (
            f"\n    <Stmt><Id>{sid}</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + _balance("OPBD", Decimal(opening), day)
            + _balance("CLBD", Decimal(closing), day)
            + entry(amount, indicator, booked=f"<Dt>{day}</Dt>", value=f"<Dt>{day}</Dt>")
            + "\n    </Stmt>"
        )

    return document(
        [
            stmt("FEB", "10000.00", "9749.25", "2025-02-28", "250.75", "DBIT"),
            stmt("MAR", "9749.25", closing_march, "2025-03-31+01:00", "-1500.00", "DBIT"),
        ]
    )


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def imported(con, data: bytes, name: str) -> int:
    table = read_ledger_table(data, name)
    return import_table(con, table, suggested_mapping(table), file_name=name, accept_problems=True).import_id


@pytest.mark.parametrize(
    ("data", "name", "march"),
    [(MT940.encode(), "rabo.mt940", Decimal("0.00")), (camt("8249.25"), "rabo.xml", Decimal("8249.25"))],
)
def test_each_statement_closes_with_its_own_balance_and_day(data, name, march):
    table = read_ledger_table(data, name)
    assert [(b.account, b.date, b.closing) for b in table.balances] == [
        (IBAN, dt.date(2025, 2, 28), Decimal("9749.25")),
        (IBAN, dt.date(2025, 3, 31), march),
    ]


def test_the_balances_are_found_by_iban_and_day_and_go_with_their_import(con, tmp_path):
    import_id = imported(con, MT940.encode(), "rabo.mt940")
    assert statement_accounts(con) == [IBAN]
    assert closing_balance(con, IBAN, dt.date(2025, 2, 27)) is None  # before the first statement
    feb = closing_balance(con, "nl44 rabo 0123 4567 89", dt.date(2025, 3, 30))
    assert (feb.date, feb.closing, feb.import_id, feb.file_name) == (
        dt.date(2025, 2, 28), Decimal("9749.25"), import_id, "rabo.mt940"
    )  # fmt: skip
    assert closing_balance(con, IBAN, dt.date(2025, 12, 31)).closing == Decimal("0.00")
    # the same statements again in CAMT.053, agreeing on February and not on March
    imported(con, camt("8249.25"), "rabo.xml")
    assert closing_balance(con, IBAN, dt.date(2025, 3, 1)).closing == Decimal("9749.25")
    with pytest.raises(StatementsDisagree, match="0.00 in import #1"):
        closing_balance(con, IBAN, dt.date(2025, 3, 31))
    assert delete_import(con, import_id)
    assert closing_balance(con, IBAN, dt.date(2025, 3, 31)).closing == Decimal("8249.25")


@pytest.mark.parametrize("isolate", [False, True])
def test_the_balances_survive_staging(tmp_path, isolate):
    table = stage(camt("8249.25"), "rabo.xml", tmp_path, isolate=isolate)
    again = stage(camt("8249.25"), "rabo.xml", tmp_path, isolate=False)  # found staged
    assert table.balances == again.balances == read_ledger_table(camt("8249.25"), "rabo.xml").balances
    assert len(table.balances) == 2
