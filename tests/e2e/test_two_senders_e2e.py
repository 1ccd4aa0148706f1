"""Two people press 'Send to AFAS' a moment apart while AFAS takes long over the first POST (the
tester's report): two browser sessions of one app, the demo AFAS made slow through its fault control.
AFAS must hold each correction once, and the second session must be told in words that the first is
sending them.

The first FiEntries POST is held by a latency fault until the test clears the faults: the second
session presses Send while that POST is certainly in flight, and every wait is for something to show.
"""

from __future__ import annotations

import re
import time

import pytest

from afas.corrections.readback import find_reference
from afas.emulator.auth import demo_token_data
from afas.emulator.demo.ledger_export import DEMO_LEDGER
from afas.profit.client import ProfitClient
from afas.profit.environment import Environment
from afas.profit.token import ProfitToken
from afas.warehouse.db import connection
from tests.e2e.support import demo_emulator_url, faults, shot

pytestmark = pytest.mark.e2e

HOLD = {"kind": "latency", "connector": "FiEntries", "method": "POST", "times": 1, "latency_ms": 600_000}


def _connect_and_configure(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Ready: Demo environment").wait_for(timeout=90_000)
    page.get_by_role("link", name="Configure", exact=True).click()
    page.get_by_role("button", name="Save defaults").click()
    page.get_by_text("Syncs and corrections use these now.").wait_for(timeout=60_000)


def _approve_the_demo_corrections(page) -> int:
    """Sync, reconcile the demo ledger and approve every proposed correction; returns how many."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("link", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text(re.compile(r"Synced \d+ connectors")).wait_for(timeout=180_000)
    page.get_by_role("link", name="Reconcile", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(DEMO_LEDGER))
    page.get_by_role("button", name="Import ledger").click()
    page.get_by_text(re.compile(r"Imported [\d,]+ lines")).wait_for(timeout=60_000)
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Unmatched difference per period").wait_for(timeout=120_000)
    page.get_by_role("link", name="Corrections", exact=True).click()
    button = page.get_by_role("button", name=re.compile(r"Approve \d+ corrections"))
    button.wait_for(timeout=60_000)
    count = int(re.search(r"\d+", button.inner_text()).group())
    for _ in range(6):  # a click that lands while the grid's first rerun runs is dropped: click again
        button.click()
        try:
            page.get_by_label("Your name").wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    page.get_by_label("Your name").fill("Anna de Vries")
    page.get_by_label("Your name").press("Enter")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text(f"Approved {count} corrections").wait_for(timeout=60_000)
    return count


def _wait_until(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def test_two_sessions_sending_at_once_post_each_correction_once(app, browser):
    first = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    second = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    _connect_and_configure(first, app.url)
    count = _approve_the_demo_corrections(first)
    assert count > 1
    _connect_and_configure(second, app.url)
    second.get_by_role("link", name="Corrections", exact=True).click()
    second.get_by_role("button", name=f"Send {count} to AFAS").wait_for(timeout=60_000)

    demo = demo_emulator_url(app.pid, app.port)
    fired = len(faults(demo, "GET")["fired"])
    faults(demo, "POST", HOLD)
    try:
        first.get_by_role("button", name=f"Send {count} to AFAS").click()
        _wait_until(
            lambda: any(f["kind"] == "latency" for f in faults(demo, "GET")["fired"][fired:]),
            "the first session's POST is with AFAS",
        )
        second.get_by_role("button", name=f"Send {count} to AFAS").click()
        told = second.get_by_test_id("stAlert").filter(has_text="being sent by another session")
        told.wait_for(timeout=60_000)
        words = told.inner_text()
        assert f"{count} corrections" in words and "approved by Anna de Vries" in words
        assert "They are not sent again from here" in words
        assert second.get_by_text("corrections are in AFAS").count() == 0  # it sent nothing itself
        told.scroll_into_view_if_needed()
        shot(second, "two_senders_second_session")
    finally:
        faults(demo, "DELETE")  # AFAS answers the first session
    first.get_by_text(f"{count} of {count} corrections are in AFAS.").wait_for(timeout=120_000)
    shot(first, "two_senders_first_session")
    for page in (first, second):
        html = page.content()
        assert "Traceback" not in html and "Something went wrong" not in html
        assert demo_token_data(1) not in html

    # AFAS read back as a sync would: each correction's voucher number on exactly one entry
    with connection(app.data / "demo.duckdb") as con:
        refs = [
            r
            for (r,) in con.execute("SELECT reference FROM correction_items WHERE kind = 'entry'").fetchall()
        ]
    assert len(refs) == count
    with ProfitClient(Environment.from_base_url(demo), ProfitToken.parse(demo_token_data(1))) as client:
        found = {ref: find_reference(client, "entry", ref, administration=1) for ref in refs}
    assert all(f is not None for f in found.values()), found
    assert {ref: f.keys["EnNo"].count(",") + 1 for ref, f in found.items()} == {ref: 1 for ref in refs}

    second.get_by_role("link", name="Corrections", exact=True).click()  # the second session sees them done
    second.get_by_role("button", name="Send 0 to AFAS", exact=True).wait_for(timeout=60_000)
    assert second.get_by_test_id("stAlert").filter(has_text="being sent by another session").count() == 0
    shot(second, "two_senders_second_session_after")
