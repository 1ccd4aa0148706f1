"""A reconciling item booked as a correction through the outbox, and a bank account's items from the
matching of its statement: on an emulator the test sends to and syncs from, as the app does."""

from __future__ import annotations

import calendar
import datetime as dt
import threading
from decimal import Decimal

import duckdb
import pytest

from afas.access import AccessConfig, User
from afas.close.balances import close_period
from afas.close.booking import correction_states
from afas.close.overview import close_overview, recheck_signed
from afas.close.schema import CloseStatus, EvidenceKind
from afas.close.signoff import (
    Locked,
    add_reconciling_item,
    book_item,
    clear_reconciling_item,
    document_evidence,
    prepare,
    set_evidence_kind,
)
from afas.corrections import batches
from afas.corrections.batches import BatchState
from afas.corrections.from_recon import journal_and_contra_choices
from afas.corrections.outbox import Outbox
from afas.corrections.plans import Defaults
from afas.corrections.schema import OutboxState
from afas.emulator.demo.bank_export import PLANTED_MONTH, PLANTED_YEAR, bank_statement
from afas.errors import AppError, InputError
from afas.i18n import date
from afas.recon.ledgers import import_ledger
from afas.recon.mapping import suggest_mapping
from afas.recon.matching import AfasFilter, MatchConfig, reconcile
from afas.recon.readers import read_ledger_table
from afas.warehouse.sync import sync
from tests.close.conftest import CONNECTORS
from tests.conftest import make_client

UNIT = 1
IBAN = "NL69INGB0123456789"


def defaults(con, contra: str | None = None) -> Defaults:
    """The usual choice the page offers first: a memorial journal and a suspense account."""
    journals, accounts = journal_and_contra_choices(con, UNIT)
    return Defaults(administration=UNIT, journal=journals[0][0], contra_account=contra or accounts[0][0])


def open_period(con) -> tuple[int, int]:
    return con.execute(
        'SELECT "Year", "Period" FROM "Profit_periods_per_administration" WHERE "Unit" = ? AND NOT "Blocked" '
        'AND "Period" > 0 AND "DateTo" < current_date ORDER BY "DateFrom" DESC LIMIT 1',
        [UNIT],
    ).fetchall()[0]


APPROVERS = AccessConfig.from_mapping({"auth": {"client_id": "x"}, "roles": {"approver": ["bert@x.nl"]}})


def documented_with_item(con, year: int, period: int, amount: str = "40.00") -> tuple:
    at = close_period(con, UNIT, year, period)
    row = close_overview(con, UNIT, year, period).account("0100")
    document_evidence(con, at, "0100", row.afas_balance - Decimal(amount), "asset register", "Anna")
    item = add_reconciling_item(con, at, "0100", amount, "depreciation not booked", "Anna")
    return at, item


def test_an_item_booked_goes_to_the_outbox_once_and_clears_when_a_sync_brings_it(world):
    emulator, path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    before = close_overview(con, UNIT, year, period).account("0100")
    assert before.status == CloseStatus.EXPLAINED

    booking, row = book_item(con, at, item, defaults(con), "Anna")
    assert (booking.when.year, booking.when.period, booking.when.entry_date) == (year, period, at.end)
    assert not booking.when.moved and "Books 40.00 credit on account 0100" in booking.summary(at)
    entry = row.plan
    assert entry["year"] == year and entry["period"] == period
    lines = {(ln["account"], Decimal(ln["debit"]), Decimal(ln["credit"])) for ln in entry["lines"]}
    contra = defaults(con).contra_account
    assert lines == {("0100", Decimal("0"), Decimal("40.00")), (contra, Decimal("40.00"), Decimal("0"))}
    with pytest.raises(InputError, match="booked already"):
        book_item(con, at, item, defaults(con), "Bert")
    signed_in = User.signed_in({"sub": "b", "iss": "https://id", "email": "bert@x.nl"}, APPROVERS)
    second = add_reconciling_item(con, at, "0100", "1.00", "another", "Anna")
    _, waiting = book_item(con, at, second, defaults(con), signed_in)  # no one-step approval signed in
    assert waiting.state == BatchState.WAITING and waiting.approvals_needed == 1
    with pytest.raises(InputError, match="waits for approval"):
        clear_reconciling_item(con, at, second, "Anna")  # not while its batch waits
    batches.decline(Outbox(con), waiting.batch_id, by=signed_in, reason="not needed")
    clear_reconciling_item(con, at, second, "Anna")
    assert len(Outbox(con).items()) == 1

    # sent once, then synced: AFAS's balance carries it and the item no longer explains anything
    with make_client(emulator) as client:
        (outcome,) = Outbox(path).post(client)
        assert outcome.state == OutboxState.CONFIRMED, outcome.message
        assert all(r.status == "ok" for r in sync(path, client, CONNECTORS))
    after = close_overview(con, UNIT, year, period).account("0100")
    assert after.afas_balance == before.afas_balance - Decimal("40.00")
    assert after.items == () and after.status == CloseStatus.RECONCILED
    (who,) = con.execute("SELECT cleared_by FROM close_items WHERE item_id = ?", [item]).fetchall()[0]
    assert who == f"AFAS (correction {row.reference})"


def test_two_sessions_booking_one_item_make_one_correction(world):
    _emulator, path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    barrier, outcomes = threading.Barrier(2), []

    def session(name: str) -> None:
        mine = duckdb.connect(str(path))
        try:
            barrier.wait()
            book_item(mine, at, item, defaults(mine), name)
            outcomes.append("booked")
        except (InputError, AppError) as exc:
            outcomes.append(str(exc))
        finally:
            mine.close()

    threads = [threading.Thread(target=session, args=(n,)) for n in ("Anna", "Bert")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 1, outcomes
    assert len(Outbox(con).items()) == 1
    (linked,) = con.execute("SELECT correction_item FROM close_items WHERE item_id = ?", [item]).fetchall()[0]
    assert linked == Outbox(con).items()[0].item_id


def test_a_period_closed_in_afas_books_in_the_first_open_period(world):
    _emulator, _path, con = world
    closed = con.execute(
        'SELECT "Year", "Period", "DateTo" FROM "Profit_periods_per_administration" WHERE "Unit" = ? '
        'AND "Blocked" AND "Period" > 0 ORDER BY "DateFrom" DESC LIMIT 1',
        [UNIT],
    ).fetchall()[0]
    at, item = documented_with_item(con, closed[0], closed[1])
    assert at.blocked
    booking, row = book_item(con, at, item, defaults(con), "Anna")
    assert booking.when.moved and booking.when.entry_date == closed[2] + dt.timedelta(days=1)
    assert f"period {at.label()} is closed in AFAS" in booking.summary(at)
    assert (row.plan["year"], row.plan["period"]) == (booking.when.year, booking.when.period)
    # the item stays open (and explains) in the closed period; its state says where the entry stands
    row_now = close_overview(con, UNIT, *at.key[1:]).account("0100")
    assert row_now.status == CloseStatus.EXPLAINED
    (state,) = correction_states(con, row_now.items).values()
    assert state.state == OutboxState.APPROVED and "in the outbox" in state.words()


def test_a_rejected_correction_frees_the_item_and_a_signed_account_is_not_booked(world):
    _emulator, _path, con = world
    year, period = open_period(con)
    at, item = documented_with_item(con, year, period)
    _, row = book_item(con, at, item, defaults(con), "Anna")
    con.execute("UPDATE correction_items SET state = 'rejected', message = 'Periode is geblokkeerd' "
                "WHERE item_id = ?", [row.item_id])  # fmt: skip
    assert "can be booked again" in correction_states(con, close_overview(con, UNIT, year, period)
                                                      .account("0100").items)[item].words()  # fmt: skip
    with pytest.raises(InputError, match="contra account is account 0100"):
        book_item(con, at, item, defaults(con, contra="0100"), "Anna")
    prepare(con, at, "0100", "Anna")
    with pytest.raises(Locked):
        book_item(con, at, item, defaults(con), "Anna")


# --- a bank account's items from the matching -------------------------------------------------------


@pytest.fixture
def bank(world):
    emulator, _path, con = world
    data, planted = bank_statement(emulator)
    raw = read_ledger_table(data, "statement.xml").to_raw()
    imported = import_ledger(
        con, data, "statement.xml", suggest_mapping(raw.headers, raw.rows, raw.file_format)
    )
    at = close_period(con, UNIT, PLANTED_YEAR, PLANTED_MONTH)
    set_evidence_kind(con, at, "1100", EvidenceKind.BANK_STATEMENT, "Anna", IBAN)
    return con, imported.import_id, planted


def _end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def test_the_matching_runs_unmatched_lines_explain_the_bank_difference(bank):
    con, import_id, planted = bank
    row = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH).account("1100")
    assert row.status == CloseStatus.UNEXPLAINED and row.bank.run_id is None
    assert "Reconcile page" in row.bank.note
    reconcile(con, import_id, MatchConfig(afas_filter=AfasFilter(unit_id=UNIT, accounts=("1100",))))
    end = _end(PLANTED_YEAR, PLANTED_MONTH)
    row = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH).account("1100")
    assert row.difference == -planted.difference(end) and row.unexplained == 0
    assert row.status == CloseStatus.EXPLAINED, row.bank.note
    by_text = {i.description: i for i in row.bank.items}
    (costs,) = [i for i in row.bank.items if i.amount == Decimal("12.50")]
    assert costs.why == "only on the statement by the period end"
    ((_, afas_date, bank_date, amount),) = planted.early
    (early,) = [i for i in row.bank.items if i.amount == -amount]
    assert early.why == f"on the statement, in AFAS on {date(afas_date)}" and early.on == bank_date
    assert len(by_text) <= len(row.bank.items)
    # the month after: the timing difference is gone, the costs and the amount off remain
    later = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH + 1).account("1100")
    assert later.status == CloseStatus.EXPLAINED and later.bank.total == Decimal("12.60")
    assert all(i.amount != -amount for i in later.bank.items)
    before = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH - 1).account("1100")
    assert before.status == CloseStatus.RECONCILED and before.bank.items == ()


def test_a_run_that_stops_before_the_period_end_is_not_used(bank):
    con, import_id, _planted = bank
    early_end = _end(PLANTED_YEAR, PLANTED_MONTH - 1)
    reconcile(
        con,
        import_id,
        MatchConfig(afas_filter=AfasFilter(unit_id=UNIT, accounts=("1100",), date_to=early_end)),
    )
    row = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH).account("1100")
    assert row.bank.run_id is None and f"up to {date(early_end)}" in row.bank.note
    assert row.status == CloseStatus.UNEXPLAINED


def test_a_sync_that_changes_a_signed_balance_reopens_it_at_once(world):
    emulator, path, con = world
    year, period = open_period(con)
    at, _item = documented_with_item(con, year, period)
    prepare(con, at, "0100", "Anna")
    # a correction of another account, balanced on 0100, changes 0100's balance in AFAS
    other = next(
        a for a in close_overview(con, UNIT, year, period).accounts
        if a.account != "0100" and a.setting.kind == EvidenceKind.SCHEDULE and a.afas_balance
    )  # fmt: skip
    document_evidence(con, at, other.account, other.afas_balance - 5, "schedule", "Bert")
    item = add_reconciling_item(con, at, other.account, "5.00", "to 0100", "Bert")
    book_item(con, at, item, defaults(con, contra="0100"), "Bert")
    with make_client(emulator) as client:
        (outcome,) = Outbox(path).post(client)
        assert outcome.state == OutboxState.CONFIRMED, outcome.message
        assert all(r.status == "ok" for r in sync(path, client, CONNECTORS))
    assert recheck_signed(con) == [(UNIT, at.label(), "0100")]
    assert recheck_signed(con) == []  # once
    row = close_overview(con, UNIT, year, period).account("0100")
    assert row.status == CloseStatus.REOPENED and "changed from" in row.signoff.reopened_why
    assert close_overview(con, UNIT, year, period).account(other.account).items == ()  # cleared by it


def test_a_run_that_starts_after_the_statements_says_which_afas_lines_it_left_out(bank):
    con, import_id, _planted = bank
    (first,) = con.execute(
        "SELECT min(date_from) FROM statement_balances WHERE import_id = ?", [import_id]
    ).fetchall()[0]
    later = first + dt.timedelta(days=40)
    reconcile(
        con, import_id, MatchConfig(afas_filter=AfasFilter(unit_id=UNIT, accounts=("1100",), date_from=later))
    )
    row = close_overview(con, UNIT, PLANTED_YEAR, PLANTED_MONTH).account("1100")
    said = f"The run starts at {date(later)}, after the statements' first day ({date(first)})"
    assert said in row.bank.note
    assert row.status == CloseStatus.UNEXPLAINED  # the lines it left out are not explained by anything
