"""The month-end close in the browser, on the synced demo: the bank account 1100 of 2026-09 evidenced
by the demo bank statement and explained by the lines its matching leaves, prepared by one person and
reviewed by another; a reconciling item of another account booked as a correction against 1100, sent,
and the next sync reopens the reviewed bank account, saying so on the Sync and the Close page."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.e2e.support import idle as _idle
from tests.e2e.support import shot, to_middle

PERIOD = "2026-09"


def choose(page, label: str, option: str, typed: str | None = None) -> None:
    """Pick an option of a select box by typing it and taking the one option the filter leaves; a list
    opened while the page still reruns from the step before closes with it, so it is opened again."""
    for attempt in range(4):
        _idle(page)
        box = page.get_by_role("combobox", name=label, exact=True).last
        to_middle(box)  # its list opens below it, in view
        box.click()  # open the list first: typing into a box that has just appeared may open none
        box.fill(typed or option)
        try:
            page.get_by_role("option", name=re.compile(re.escape(option))).first.click(timeout=3_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: open it again
            if attempt == 3:
                raise
            page.keyboard.press("Escape")


def _name(page, who: str) -> None:
    """Who works at this machine now: the sidebar's name (kept for the browser session)."""
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Working as")
    _idle(page)
    box.fill(who)
    box.press("Enter")
    _idle(page)


def metric(page, label: str) -> str:
    """The value metric ``label`` shows (the first metric whose label holds it)."""
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .locator('[data-testid="stMetricValue"]')
        .first.inner_text()
    )


def _status(page, status: str) -> None:
    page.locator('[data-testid="stMetric"]').filter(has_text="Status").get_by_text(
        status, exact=True
    ).wait_for(timeout=60_000)


def _open_close(page) -> None:
    page.get_by_role("link", name="Close", exact=True).click()
    page.get_by_text(re.compile(r"\d+ of \d+ accounts reconciled")).wait_for(timeout=60_000)
    choose(page, "Period", PERIOD)
    page.get_by_text(re.compile(r"\d+ of \d+ accounts reconciled")).wait_for(timeout=60_000)


def close_a_demo_month(page) -> None:
    try:
        _journey(page)
    except Exception:
        shot(page, "close-failed")  # what the page showed when a step did not happen
        raise


def _journey(page) -> None:
    # the bank statement, matched against AFAS's bank account
    page.get_by_role("link", name="Reconcile", exact=True).click()
    page.get_by_text("Use the demo bank statement (CAMT.053)").click()
    page.get_by_role("button", name="Import ledger").click()
    page.get_by_text(re.compile(r"Imported [\d,]+ lines")).wait_for(timeout=60_000)
    choose(page, "AFAS accounts to compare", "1100 Bank", typed="1100")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Unmatched difference per period").wait_for(timeout=120_000)

    # the debtors account is evidenced by its open items
    _open_close(page)
    _name(page, "Anna")
    choose(page, "Account", "1300 Debiteuren")
    page.get_by_text(re.compile(r"\d+ open items? of customers: ")).wait_for(timeout=60_000)

    # the bank account: linked to its IBAN, the matching's lines explain the difference
    choose(page, "Account", "1100 Bank")
    page.get_by_role("heading", name="1100 Bank").wait_for(timeout=60_000)
    page.get_by_text("Change what evidences this account", exact=True).click()
    # the evidence is already the statement's (suggested by the account's name): only the IBAN is missing
    choose(page, "Bank account (IBAN) of the imported statements", "NL69INGB0123456789")
    page.get_by_role("button", name="Save evidence setting", exact=True).click()
    page.get_by_text("From the matching of the statement").wait_for(timeout=60_000)
    page.locator("td[role=gridcell]").filter(has_text="Kosten spoedbetaling ING").first.wait_for(
        state="attached"
    )
    _status(page, "explained")
    assert metric(page, "Unexplained") == "€0.00"
    page.get_by_role("button", name="Prepare", exact=True).click()
    page.get_by_text(re.compile(r"Prepared by Anna on")).wait_for(timeout=60_000)
    _name(page, "Bert")
    page.get_by_role("button", name="Review", exact=True).click()
    page.get_by_text(re.compile(r"Reviewed by Bert on")).wait_for(timeout=60_000)
    _status(page, "reviewed")
    shot(page, "close")

    # another account's item booked as a correction against the bank account
    choose(page, "Account", "0100 Gebouwen")
    page.get_by_role("heading", name="0100 Gebouwen").wait_for(timeout=60_000)
    balance = Decimal(metric(page, "AFAS balance").replace("€", "").replace(",", "").strip())
    page.get_by_role("textbox", name="Supporting amount").fill(f"{balance - 5:.2f}")
    page.get_by_role("textbox", name="Note (what supports it)").fill("Activastaat september")
    page.get_by_role("button", name="Save evidence", exact=True).click()
    _status(page, "difference to explain")
    page.get_by_role("textbox", name="Description", exact=True).fill("Bankkosten op gebouwen geboekt")
    page.get_by_role("button", name="Add reconciling item").click()
    _status(page, "explained")
    page.get_by_text("Book an item as a correction in AFAS", exact=True).click()
    choose(page, "Contra account", "1100 – Bank")
    page.get_by_text(re.compile(r"Books 5\.00 credit on account 0100 and debit on account 1100")).wait_for(
        timeout=60_000
    )
    page.get_by_role("button", name="Approve this correction as Bert").click()
    page.get_by_text(re.compile(r"Correction \S+ approved: send it from the outbox")).wait_for(timeout=60_000)
    shot(page, "close-booked")

    page.get_by_role("link", name="Corrections", exact=True).click()
    page.get_by_role("button", name="Send 1 to AFAS").click()
    page.get_by_text("1 of 1 corrections are in AFAS.").wait_for(timeout=120_000)

    # the next sync brings the entry in: the reviewed bank account reopens, and the Sync page says so
    page.get_by_role("link", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text(f"account 1100 of administration 1, period {PERIOD}, is reopened", exact=False).wait_for(
        timeout=180_000
    )
    shot(page, "sync-reopened")
    _open_close(page)
    choose(page, "Account", "1100 Bank")
    _status(page, "reopened")
    page.get_by_text(re.compile(r"Reopened: AFAS's balance changed from")).wait_for(timeout=60_000)
    shot(page, "close-reopened")
