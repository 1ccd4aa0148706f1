"""Bank statements' balances are kept with their import: read from MT940 (:60F:/:62F:) and CAMT.053
(OPBD/CLBD, one file or a ZIP), through staging (in this process and in the reading process), into the
warehouse in the import's transaction, found by IBAN and day, gone with the import.

The expected figures are read here from the files' own text (a regular expression over the MT940
tags, ElementTree over the CAMT.053 XML), not taken from the reader's output.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from decimal import Decimal
from xml.etree import ElementTree

import duckdb
import pytest

from afas.recon import readers
from afas.recon.bankstatements import StatementBalance
from afas.recon.ledgers import delete_import, import_ledger, import_table, suggested_mapping
from afas.recon.readers import read_ledger_table
from afas.recon.schema import ensure_recon_schema
from afas.recon.staging import stage
from afas.recon.statementbalances import StatementsDisagree, closing_balance, statement_accounts
from tests.recon.camt_fixtures import _balance, document, entry, zip_of

IBAN = "NL44RABO0123456789"

# Two statements: February closes in credit, March overdrawn (a debit balance: negative).
MT940 = """:20:940S250228
:25:NL44RABO0123456789 EUR
:28C:00030
:60F:C250227EUR10000,00
:61:250228D250,75N102NONREF
:86:Energie Noord
:61:250228C0,99N078NONREF
:86:Terugbetaling
:62F:C250228EUR9750,24
-
:20:940S250331
:25:NL44RABO0123456789 EUR
:28C:00031
:60F:C250228EUR9750,24
:61:250331C1500,00N541NONREF
:86:Jansen B.V.
:61:250331D12000,00N102NONREF
:86:Aflossing
:62F:D250331EUR749,76
-
"""


def camt(march_closing: str = "-749.76", *, account: str = IBAN) -> bytes:
    """Two statements of ``account`` (February with its period in FrToDt, March without)."""

    def stmt(sid: str, opening: str, closing: str, day: str, entries: list[str], period: str = "") -> str:
        return (
            f"\n    <Stmt><Id>{sid}</Id>{period}<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + _balance("OPBD", Decimal(opening), day)
            + _balance("CLBD", Decimal(closing), day)
            + "".join(entries)
            + "\n    </Stmt>"
        )

    def on(day: str) -> dict[str, str]:
        return {"booked": f"<Dt>{day}</Dt>", "value": f"<Dt>{day}</Dt>"}

    february = "<FrToDt><FrDtTm>2025-02-01T00:00:00</FrDtTm><ToDtTm>2025-02-28T23:59:59</ToDtTm></FrToDt>"
    return document(
        [
            stmt(
                "2025-02",
                "10000.00",
                "9750.24",
                "2025-02-28",
                [entry("250.75", "DBIT", **on("2025-02-10")), entry("0.99", "CRDT", **on("2025-02-20"))],
                february,
            ),
            stmt(
                "2025-03",
                "9750.24",
                march_closing,
                "2025-03-31",
                [entry("1500.00", "CRDT", **on("2025-03-05")), entry("12000.00", "DBIT", **on("2025-03-31"))],
            ),
        ]
    )


# --- the files' own balances, read here ------------------------------------------------------------


def _mt940_amount(mark: str, amount: str) -> Decimal:
    value = Decimal(amount.replace(",", "."))
    return -value if mark == "D" else value


def mt940_statements(text: str) -> list[tuple[StatementBalance, range]]:
    """Each statement's balances (and the range of its lines) from the MT940 text."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith(":20:")] + [len(lines)]
    found = []
    for start, end in zip(starts, starts[1:], strict=False):
        block = "\n".join(lines[start:end])
        opening = re.search(r"^:60F:([CD])(\d{6})([A-Z]{3})([\d,]+)$", block, re.M)
        closing = re.search(r"^:62F:([CD])(\d{6})([A-Z]{3})([\d,]+)$", block, re.M)
        number = re.search(r"^:28C:(\S+)$", block, re.M)
        assert opening and closing and number

        def day(yymmdd: str) -> dt.date:
            return dt.date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))

        balance = StatementBalance(
            IBAN,
            f"statement {number[1]} of {IBAN}",
            day(opening[2]),
            day(closing[2]),
            _mt940_amount(opening[1], opening[4]),
            _mt940_amount(closing[1], closing[4]),
            closing[3],
        )
        found.append((balance, range(start + 1, end + 1)))
    return found


def camt_statements(data: bytes) -> list[tuple[StatementBalance, list[Decimal]]]:
    """Each statement's balances and its entries' signed amounts, from the XML."""
    ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}

    def signed(element: ElementTree.Element) -> Decimal:
        amount = Decimal(element.findtext("c:Amt", namespaces=ns))
        return -amount if element.findtext("c:CdtDbtInd", namespaces=ns) == "DBIT" else amount

    found = []
    for stmt in ElementTree.fromstring(data).iter(f"{{{ns['c']}}}Stmt"):
        balances = {b.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=ns): b for b in stmt.findall("c:Bal", ns)}
        opening, closing = balances["OPBD"], balances["CLBD"]
        start = stmt.findtext("c:FrToDt/c:FrDtTm", namespaces=ns) or opening.findtext(
            "c:Dt/c:Dt", namespaces=ns
        )
        account = stmt.findtext("c:Acct/c:Id/c:IBAN", namespaces=ns)
        balance = StatementBalance(
            account,
            f"statement {stmt.findtext('c:Id', namespaces=ns)} of {account}",
            dt.date.fromisoformat(start[:10]),
            dt.date.fromisoformat(closing.findtext("c:Dt/c:Dt", namespaces=ns)),
            signed(opening),
            signed(closing),
            closing.find("c:Amt", ns).get("Ccy"),
        )
        found.append((balance, [signed(e) for e in stmt.findall("c:Ntry", ns)]))
    return found


# --- reading -----------------------------------------------------------------------------------------


def test_an_mt940_statements_balances_are_its_own_and_its_lines_add_up_to_them():
    table = read_ledger_table(MT940.encode(), "rabo.mt940")
    expected = mt940_statements(MT940)
    assert table.balances == tuple(balance for balance, _ in expected)
    assert table.balances[1].closing == Decimal("-749.76")  # overdrawn: a debit balance is negative
    rows = table.to_raw()
    amount = table.headers.index("amount")
    for balance, lines in expected:  # signed as the lines are: opening + its lines == closing
        mine = [
            Decimal(row[amount]) for row, n in zip(rows.rows, rows.line_numbers, strict=True) if n in lines
        ]
        assert len(mine) == 2 and balance.opening + sum(mine) == balance.closing


@pytest.mark.parametrize("archived", [False, True])
def test_a_camt053_statements_balances_are_its_own_and_its_entries_add_up_to_them(archived):
    data = camt()
    expected = camt_statements(data)
    if archived:  # a ZIP of two files: the balances of both, in the archive's order
        other = camt(account="NL91ABNA0417164300")
        table = read_ledger_table(zip_of({"a.xml": data, "b.xml": other}), "statements.zip")
        expected += camt_statements(other)
        labels = [
            f"{b.statement} (in {member})"
            for (b, _), member in zip(expected, ["a.xml"] * 2 + ["b.xml"] * 2, strict=True)
        ]
        expected = [
            (StatementBalance(**{**vars(b), "statement": label}), e)
            for (b, e), label in zip(expected, labels, strict=True)
        ]
    else:
        table = read_ledger_table(data, "rabo.xml")
    assert table.balances == tuple(balance for balance, _ in expected)
    assert table.balances[0].date_from == dt.date(2025, 2, 1)  # FrToDt; March has none: OPBD's date
    for balance, entries in expected:
        assert balance.opening + sum(entries) == balance.closing


@pytest.mark.parametrize("isolate", [False, True])
def test_the_balances_survive_staging_and_are_read_again_from_an_older_stage(tmp_path, isolate, monkeypatch):
    data = camt()
    direct = read_ledger_table(data, "rabo.xml").balances
    staged = stage(data, "rabo.xml", tmp_path, isolate=isolate)  # the reading process writes the .json
    assert staged.data is None and staged.balances == direct and len(direct) == 2
    (meta,) = tmp_path.glob("*.json")
    values = json.loads(meta.read_text(encoding="utf-8"))
    assert values["balances"][1]["closing"] == "-749.76" and values["balances"][1]["date_to"] == "2025-03-31"
    assert stage(data, "again.xml", tmp_path, isolate=False).balances == direct  # found staged
    if isolate:
        return
    # staged by a version that kept no balances (or the first shape of them): read again, not lost
    for older in (None, [{"account": IBAN, "statement": "s", "date": "2025-02-28", "closing": "1"}]):
        if older is None:
            values.pop("balances")
        else:
            values["balances"] = older
        meta.write_text(json.dumps(values), encoding="utf-8")
        with monkeypatch.context() as patch:
            calls: list[str] = []
            patch.setattr(readers, "read_ledger_table", _counted(readers.read_ledger_table, calls))
            assert stage(data, "rabo.xml", tmp_path, isolate=False).balances == direct and calls


def _counted(read, calls: list[str]):
    def reading(data, file_name, *args, **kwargs):
        calls.append(file_name)
        return read(data, file_name, *args, **kwargs)

    return reading


# --- the warehouse -------------------------------------------------------------------------------------


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def imported(con, data: bytes, name: str) -> int:
    mapping = suggested_mapping(read_ledger_table(data, name))
    return import_ledger(con, data, name, mapping, accept_problems=True).import_id


def test_the_closing_balance_by_iban_and_day_across_imports_and_gone_with_its_import(con):
    feb, march = (b for b, _ in mt940_statements(MT940))
    import_id = imported(con, MT940.encode(), "rabo.mt940")
    # the lines as imported are signed as the balances: the first opening plus them is the last closing
    total = con.execute("SELECT sum(amount) FROM ledger_lines WHERE import_id = ?", [import_id]).fetchone()[0]
    assert feb.opening + total == march.closing
    assert statement_accounts(con) == [IBAN]
    assert closing_balance(con, IBAN, dt.date(2025, 2, 27)) is None  # before the first statement closes
    between = closing_balance(con, "nl44 rabo 0123 4567 89", dt.date(2025, 3, 30))
    assert (between.date_to, between.closing, between.opening, between.statement) == (
        feb.date_to, feb.closing, feb.opening, feb.statement
    )  # fmt: skip
    assert (between.import_id, between.file_name, between.currency) == (import_id, "rabo.mt940", "EUR")
    assert between.date == between.date_to
    after = closing_balance(con, IBAN, dt.date(2025, 12, 31))
    assert (after.date_to, after.closing, after.date_from) == (march.date_to, march.closing, march.date_from)
    assert closing_balance(con, "NL91ABNA0417164300", dt.date(2025, 12, 31)) is None
    assert closing_balance(con, IBAN, dt.date(2025, 12, 31), currency="USD") is None

    # the same statements again as CAMT.053: agreeing, the latest import is named
    camt_id = imported(con, camt(), "rabo.xml")
    assert closing_balance(con, IBAN, dt.date(2025, 3, 31)).import_id == camt_id
    # a third import states March otherwise: nothing is chosen, each import's figure is named
    wrong_id = imported(con, camt("-749.00"), "rabo-wrong.xml")
    assert closing_balance(con, IBAN, dt.date(2025, 3, 1)).closing == feb.closing  # February agrees
    with pytest.raises(StatementsDisagree, match=f"-749.00 EUR in import #{wrong_id}") as caught:
        closing_balance(con, IBAN, dt.date(2025, 3, 31))
    assert [f.import_id for f in caught.value.conflict] == [wrong_id, camt_id, import_id]
    assert {f.closing for f in caught.value.conflict} == {Decimal("-749.00"), march.closing}

    assert delete_import(con, wrong_id)
    assert con.execute(
        "SELECT count(*) FROM statement_balances WHERE import_id = ?", [wrong_id]
    ).fetchone() == (0,)
    assert closing_balance(con, IBAN, dt.date(2025, 3, 31)).closing == march.closing
    assert delete_import(con, camt_id) and delete_import(con, import_id)
    assert statement_accounts(con) == [] and closing_balance(con, IBAN, dt.date(2025, 12, 31)) is None


def test_a_days_last_statement_is_its_closing_balance_and_nothing_is_half_written(con, monkeypatch):
    # two statements of one day in one file: the later one in the file counts
    twice = MT940.replace(":62F:C250228EUR9750,24", ":62F:C250331EUR9750,24").replace(
        ":60F:C250228", ":60F:C250331"
    )
    imported(con, twice.encode(), "twice.mt940")
    assert closing_balance(con, IBAN, dt.date(2025, 3, 31)).statement == f"statement 00031 of {IBAN}"
    # a failure writing the balances leaves neither the import nor its lines
    before = con.execute("SELECT count(*) FROM ledger_imports").fetchone()
    table = read_ledger_table(camt(), "rabo.xml")
    broken = StatementBalance(IBAN, "s", None, table.balances[0].date_to, None, Decimal("1e20"), "EUR")
    with pytest.raises(duckdb.Error):
        import_table(con, replace(table, balances=(broken,)), suggested_mapping(table), "x.xml")
    assert con.execute("SELECT count(*) FROM ledger_imports").fetchone() == before


def test_a_warehouse_with_the_first_shape_of_the_table_keeps_its_balances(con):
    con.execute(
        "CREATE TABLE statement_balances (import_id BIGINT NOT NULL, account VARCHAR NOT NULL, "
        "statement VARCHAR NOT NULL, date DATE NOT NULL, closing DECIMAL(18, 2) NOT NULL, currency VARCHAR)"
    )
    con.execute(f"INSERT INTO statement_balances VALUES (7, '{IBAN}', 'old', '2025-01-31', 12.5, 'EUR')")
    ensure_recon_schema(con)
    ensure_recon_schema(con)  # the upgrade is done once and kept
    con.execute(
        "INSERT INTO ledger_imports VALUES (7, 'old', 'old.sta', '', 'mt940', 1, 0, NULL, NULL, now())"
    )
    found = closing_balance(con, IBAN, dt.date(2025, 2, 1))
    assert (found.date_to, found.closing, found.opening, found.import_id) == (
        dt.date(2025, 1, 31), Decimal("12.50"), None, 7
    )  # fmt: skip
    imported(con, MT940.encode(), "rabo.mt940")  # the new shape's rows go in beside the old
    assert closing_balance(con, IBAN, dt.date(2025, 12, 31)).closing == Decimal("-749.76")
