"""The month-end close on a synced demo warehouse: balances, evidence, items, four-eyes, reopening.

Expected balances are computed from the journal lines (Profit_Transactions), a path independent of
the close, which reads the period balances (Profit_Period_balance).
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from afas.access import AccessConfig, NotAllowed, User
from afas.cli.main import main as cli
from afas.close.balances import close_period
from afas.close.overview import close_overview
from afas.close.schema import CloseStatus, EvidenceKind
from afas.close.signoff import (
    FourEyes,
    Locked,
    NotReconciled,
    add_reconciling_item,
    clear_reconciling_item,
    document_evidence,
    prepare,
    review,
    set_evidence_kind,
    withdraw,
)
from afas.emulator.core import Emulator
from afas.i18n import date
from afas.profit.values import wall_time
from afas.warehouse.sync import sync
from tests.conftest import make_client

UNIT = 1


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("close") / "warehouse.duckdb"
    with make_client(Emulator(seed=7, transactions=600)) as client:
        results = sync(
            path,
            client,
            [
                "Profit_Administrations",
                "Profit_Accounts",
                "Profit_periods_per_administration",
                "Profit_Debtor",
                "Profit_Creditor",
                "Profit_Transactions",
                "Profit_Period_balance",
                "Profit_Debtor_Invoices",
                "Profit_Creditor_Invoices",
            ],  # fmt: skip
        )
    assert all(r.status == "ok" for r in results), results
    return path


@pytest.fixture
def con(template: Path, tmp_path: Path):
    path = tmp_path / "w.duckdb"
    shutil.copyfile(template, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def latest(con) -> tuple[int, int]:
    return con.execute(
        'SELECT "Year", max("Period") FROM "Profit_Period_balance" WHERE "UnitId" = ? '
        'GROUP BY "Year" ORDER BY "Year" DESC LIMIT 1',
        [UNIT],
    ).fetchall()[0]


def balance_from_lines(con, account: str, end: dt.date) -> Decimal:
    return con.execute(
        'SELECT coalesce(sum("AmtDebit" - "AmtCredit"), 0) FROM "Profit_Transactions" '
        'WHERE "UnitId" = ? AND "AccountNo" = ? AND "EntryDate" <= ?',
        [UNIT, account, end],
    ).fetchall()[0][0]


def test_every_balance_sheet_account_with_its_balance_at_period_end(con):
    year, period = latest(con)
    overview = close_overview(con, UNIT, year, period - 1)
    sheet = {
        r[0]
        for r in con.execute(
            'SELECT "Account" FROM "Profit_Accounts" WHERE "Type" IN (\'1\', \'2\')'
        ).fetchall()
    }
    assert {a.account for a in overview.accounts} == sheet
    end = overview.period.end
    for row in overview.accounts:
        assert row.afas_balance == balance_from_lines(con, row.account, end), row.account
    assert overview.summary() == f"{overview.done} of {len(sheet)} accounts reconciled"


def test_collective_accounts_are_evidenced_by_the_open_items(con):
    year, period = latest(con)
    for p in (period, period - 2):  # the latest period, and one whose items are rolled back to its end
        overview = close_overview(con, UNIT, year, p)
        for account in ("1300", "1600"):
            row = overview.account(account)
            assert row.setting.kind == (
                EvidenceKind.DEBTOR_ITEMS if account == "1300" else EvidenceKind.CREDITOR_ITEMS
            )
            assert row.supporting == row.afas_balance and row.status == CloseStatus.RECONCILED, (
                row.evidence.source
            )
    # an open item AFAS forgot: the debtors account no longer agrees, by exactly its amount
    con.execute(
        'UPDATE "Profit_Debtor_Invoices" SET "Balance" = "Balance" + 10 WHERE "InvoiceNr" = '
        '(SELECT min("InvoiceNr") FROM "Profit_Debtor_Invoices" i JOIN "Profit_Debtor" d USING ("DebtorId") '
        'WHERE i."UnitId" = 1 AND d."CollectAccount" = \'1300\')'
    )
    row = close_overview(con, UNIT, year, period).account("1300")
    assert row.status == CloseStatus.UNEXPLAINED and row.unexplained == Decimal("-10.00")


def test_a_schedule_explained_by_an_item_that_rolls_forward_until_cleared(con):
    year, period = latest(con)
    first = close_period(con, UNIT, year, period - 1)
    row = close_overview(con, UNIT, year, period - 1).account("0100")
    assert row.setting.kind == EvidenceKind.SCHEDULE and row.status == CloseStatus.NOT_STARTED
    document_evidence(
        con, first, "0100", row.afas_balance - Decimal("125.40"), "fixed asset register", "Anna"
    )
    row = close_overview(con, UNIT, year, period - 1).account("0100")
    assert row.status == CloseStatus.UNEXPLAINED and row.unexplained == Decimal("125.40")
    with pytest.raises(NotReconciled, match="125.40"):
        prepare(con, first, "0100", "Anna")
    item = add_reconciling_item(
        con,
        first,
        "0100",
        "125,40",
        "invoice booked twice",
        "Anna",
        expected=first.end + dt.timedelta(days=10),
    )
    assert close_overview(con, UNIT, year, period - 1).account("0100").status == CloseStatus.EXPLAINED
    nxt = close_period(con, UNIT, year, period)
    carried = close_overview(con, UNIT, year, period).account("0100").items
    assert [i.item_id for i in carried] == [item] and carried[0].carried(nxt)
    assert carried[0].age_days(nxt.end) == (nxt.end - first.end).days  # a month old at the next close
    clear_reconciling_item(con, nxt, item, "Bert")
    assert close_overview(con, UNIT, year, period).account("0100").items == ()
    assert [i.item_id for i in close_overview(con, UNIT, year, period - 1).account("0100").items] == [item]


def test_four_eyes_and_the_lock(con):
    year, period = latest(con)
    p = close_period(con, UNIT, year, period)
    prepare(con, p, "1300", "Anna de Vries")
    with pytest.raises(FourEyes):
        review(con, p, "1300", "  anna DE vries ")
    withdraw(con, p, "1300", "Anna de Vries")
    prepare(con, p, "1300", "Anna de Vries")
    row = review(con, p, "1300", "Bert Jansen")
    assert row.status == CloseStatus.REVIEWED and row.signoff.prepared_by == "Anna de Vries"
    assert row.signoff.reviewed_by == "Bert Jansen"
    with pytest.raises(Locked, match="reviewed"):
        add_reconciling_item(con, p, "1300", "1.00", "late", "Anna de Vries")
    with pytest.raises(Locked):
        set_evidence_kind(con, p, "1300", EvidenceKind.SCHEDULE, "Bert Jansen")


def test_signed_in_the_roles_decide_who_prepares_and_reviews_and_the_signature_is_recorded(con):
    config = AccessConfig.from_mapping(
        {"auth": {"client_id": "x"}, "roles": {"viewer": ["@example.nl"], "preparer": ["anna@example.nl"],
                                              "approver": ["bert@example.nl", "carla@example.nl"]}}
    )  # fmt: skip

    def person(login: str, name: str) -> User:
        claims = {
            "sub": login,
            "iss": "https://login.example.nl",
            "email": f"{login}@example.nl",
            "name": name,
        }
        return User.signed_in(claims, config)

    anna, bert, dave = person("anna", "Anna de Vries"), person("bert", "Bert Jansen"), person("dave", "Dave")
    year, period = latest(con)
    p = close_period(con, UNIT, year, period)
    with pytest.raises(NotAllowed, match="needs the preparer role; Dave is viewer"):
        prepare(con, p, "1300", dave)
    with pytest.raises(NotAllowed, match="needs the preparer role"):
        add_reconciling_item(con, p, "1300", "1.00", "x", dave)
    prepare(con, p, "1300", anna)
    with pytest.raises(NotAllowed, match="needs the approver role; Anna de Vries is preparer, viewer"):
        review(con, p, "1300", anna)
    row = review(con, p, "1300", bert)
    assert (row.signoff.prepared_by, row.signoff.reviewed_by) == (
        "Anna de Vries <anna@example.nl>",
        "Bert Jansen <bert@example.nl>",
    )
    earlier = close_period(con, UNIT, year, period - 1)
    prepare(con, earlier, "1300", bert)  # an approver may prepare, then another reviews it
    with pytest.raises(FourEyes):
        review(con, earlier, "1300", bert)
    assert review(con, earlier, "1300", person("carla", "Carla")).status == CloseStatus.REVIEWED


def test_a_change_in_afas_reopens_a_signed_account(con):
    year, period = latest(con)
    p = close_period(con, UNIT, year, period)
    prepare(con, p, "1600", "Anna")
    review(con, p, "1600", "Bert")
    # a later sync: a supplier invoice booked in the period, with its open item
    con.execute(
        'UPDATE "Profit_Period_balance" SET "Credit" = "Credit" + 99.95, "Balance" = "Balance" - 99.95 '
        'WHERE "UnitId" = 1 AND "Year" = ? AND "Period" = ? AND "AccountNr" = \'1600\'',
        [year, period],
    )
    overview = close_overview(con, UNIT, year, period)
    row = overview.account("1600")
    assert overview.reopened_now == ("1600",) and row.status == CloseStatus.REOPENED
    assert "changed from" in row.signoff.reopened_why and "Anna, Bert" in row.signoff.reopened_why
    assert row.signoff.reopened_to - row.signoff.reopened_from == Decimal("-99.95")
    events = con.execute("SELECT event FROM close_events WHERE account = '1600' ORDER BY happened").fetchall()
    assert [e for (e,) in events] == ["prepared", "reviewed", "reopened"]
    assert close_overview(con, UNIT, year, period).reopened_now == ()  # reopened once, not on every read


def test_the_reopening_lists_the_lines_changed_after_the_review_in_amsterdam_time(con):
    """AFAS's Modified is Amsterdam wall time shown to the second; the sign-off is kept in UTC. A line
    changed half an hour before the review is not 'changed since', one a moment after it is."""
    year, period = latest(con)
    p = close_period(con, UNIT, year, period)
    prepare(con, p, "1600", "Anna")
    reviewed = review(con, p, "1600", "Bert").signoff.reviewed
    day = con.execute(
        'SELECT max("EntryDate") FROM "Profit_Transactions" WHERE "UnitId" = 1 AND "Year" = ? '
        'AND "Period" = ?',
        [year, period],
    ).fetchall()[0][0]
    shown = wall_time(reviewed).replace(microsecond=0)
    for entry, voucher, modified in (
        (990001, "BEFORE-REVIEW", shown - dt.timedelta(minutes=30)),
        (990002, "AFTER-REVIEW", shown + dt.timedelta(seconds=1)),
    ):
        con.execute(
            'INSERT INTO "Profit_Transactions" BY NAME SELECT 1 AS "UnitId", ? AS "EntryNo", 1 AS "SeqNo", '
            '? AS "Year", ? AS "Period", \'1600\' AS "AccountNo", ? AS "EntryDate", ? AS "VoucherNo", '
            '\'Inkoopfactuur\' AS "Description", 0 AS "AmtDebit", 10 AS "AmtCredit", ? AS "Created", '
            '? AS "Modified"',
            [entry, year, period, day, voucher, modified, modified],
        )
    con.execute(
        'UPDATE "Profit_Period_balance" SET "Credit" = "Credit" + 20, "Balance" = "Balance" - 20 '
        'WHERE "UnitId" = 1 AND "Year" = ? AND "Period" = ? AND "AccountNr" = \'1600\'',
        [year, period],
    )
    why = close_overview(con, UNIT, year, period).account("1600").signoff.reopened_why
    assert "lines changed in AFAS since" in why and "AFTER-REVIEW" in why and "BEFORE-REVIEW" not in why


def test_the_command_line_close_and_its_exit_status(con, tmp_path, capsys):
    year, period = latest(con)
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    con.close()
    out = tmp_path / "close.xlsx"
    status = cli(
        [
            "close",
            "--db",
            path,
            "--administration",
            "1",
            "--period",
            f"{year}-{period:02d}",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out.splitlines()
    assert status == 4  # schedules are not documented: not every account is reconciled
    assert printed[-2].split(" of ")[0].isdigit() and "accounts reconciled" in printed[-2]
    assert any(line.startswith("1300 ") and "reconciled" in line for line in printed)
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Overview" and "1300 Debiteuren" in book.sheetnames
    assert cli(["close", "--db", path, "--administration", "1", "--period", "1999-01"]) == 2


def _statement(day: dt.date, closing: Decimal) -> bytes:
    """An MT940 statement of the bank account closing at ``closing`` on ``day`` (one line)."""
    sign = "C" if closing >= 0 else "D"
    amount = f"{abs(closing):.2f}".replace(".", ",")
    ymd = day.strftime("%y%m%d")
    return (
        f":20:STMT{ymd}\n:25:NL44RABO0123456789 EUR\n:28C:1\n:60F:C{ymd}EUR0,00\n"
        f":61:{ymd}{sign}{amount}NTRFNONREF\n:86:saldo\n:62F:{sign}{ymd}EUR{amount}\n-\n"
    ).encode()


def test_a_bank_account_is_evidenced_by_its_statements_closing_balance(con):
    from afas.recon.ledgers import import_table, suggested_mapping
    from afas.recon.readers import read_ledger_table

    year, period = latest(con)
    p = close_period(con, UNIT, year, period - 1)
    row = close_overview(con, UNIT, year, period - 1).account("1100")
    assert row.setting.kind == EvidenceKind.BANK_STATEMENT and row.status == CloseStatus.NOT_STARTED
    assert "Link the account to its bank account" in row.evidence.source
    set_evidence_kind(con, p, "1100", EvidenceKind.BANK_STATEMENT, "Anna", iban="NL44 RABO 0123 4567 89")
    afas = balance_from_lines(con, "1100", p.end)
    for day, closing in ((p.end - dt.timedelta(days=20), afas), (p.end, afas - Decimal("12.50"))):
        table = read_ledger_table(_statement(day, closing), f"bank-{day}.940")
        import_table(con, table, suggested_mapping(table), file_name=f"bank-{day}.940", accept_problems=True)
    row = close_overview(con, UNIT, year, period - 1).account("1100")
    assert row.supporting == afas - Decimal("12.50") and row.unexplained == Decimal("12.50")
    assert f"on {date(p.end)}" in row.evidence.source and row.status == CloseStatus.UNEXPLAINED
    add_reconciling_item(con, p, "1100", "12.50", "bank costs not booked yet", "Anna")
    assert close_overview(con, UNIT, year, period - 1).account("1100").status == CloseStatus.EXPLAINED
    # the next period: the latest statement closes before its end, and AFAS booked after it
    nxt = close_overview(con, UNIT, year, period)
    row = nxt.account("1100")
    booked = balance_from_lines(con, "1100", nxt.period.end) != afas
    assert booked and row.supporting is None and row.status == CloseStatus.NOT_STARTED
    source = row.evidence.source
    assert f"closes on {date(p.end)}" in source and "Import the statement up to" in source


def test_two_sessions_preparing_at_once_sign_it_once(con, monkeypatch):
    """Both read the account as reconciled; the second to write is told, and one sign-off stands."""
    from afas.close import signoff

    year, period = latest(con)
    p = close_period(con, UNIT, year, period)
    stale = close_overview(con, UNIT, year, period).account("1300")  # what the second session read
    prepare(con, p, "1300", "Anna")
    real = signoff._current
    calls = iter([stale])
    monkeypatch.setattr(signoff, "_current", lambda *a: next(calls, None) or real(*a))
    with pytest.raises(signoff.SignedMeanwhile, match="another session"):
        prepare(con, p, "1300", "Bert")
    row = close_overview(con, UNIT, year, period).account("1300")
    assert row.signoff.prepared_by == "Anna"
    events = con.execute("SELECT who FROM close_events WHERE event = 'prepared'").fetchall()
    assert events == [("Anna",)]
