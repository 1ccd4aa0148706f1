"""The app in a real browser (Debian's Chromium driven by Playwright), started as a user starts it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from afas.emulator.auth import demo_token_data
from tests.e2e.close_journey import close_a_demo_month
from tests.e2e.support import idle as _idle
from tests.e2e.support import shot as _shot
from tests.e2e.support import to_middle

pytestmark = pytest.mark.e2e


def test_journey_connect_configure_sync_explore(app_url, browser):
    """Journey 1: demo connect (the readiness check's grid of connectors) -> configure -> sync ->
    explore shows a trial balance -> the month-end close of the demo's planted month, through a
    resync that reopens the bank account."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_text("Connect to AFAS Profit").wait_for(timeout=60_000)
    page.get_by_text("Use the demo environment").wait_for()
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Ready: Demo environment").wait_for(timeout=90_000)
    page.get_by_text("Administrations this token may see").wait_for()
    # the grids (st.dataframe, which renders no Markdown) keep their cells in an accessible table
    cells = page.locator("td[role=gridcell]")
    cells.filter(has_text="Demo Groothandel B.V.").first.wait_for(state="attached")
    assert cells.filter(has_text=re.compile(r"^present$")).count() == 24  # every connector is there
    _shot(page, "connect")
    assert demo_token_data(1) not in page.content()  # the token is never rendered

    page.get_by_role("link", name="Configure", exact=True).click()
    page.get_by_text("Default payment terms").wait_for(timeout=60_000)
    page.get_by_role("button", name="Save defaults").click()
    page.get_by_text("Syncs and corrections use these now.").wait_for(timeout=60_000)
    assert page.get_by_text("administration 1 – Demo Groothandel B.V.").count() >= 1
    _shot(page, "configure")

    page.get_by_role("link", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").wait_for(timeout=60_000)
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced 18 connectors").wait_for(timeout=180_000)
    _shot(page, "sync")

    page.get_by_role("link", name="Explore", exact=True).click()
    page.get_by_text("Explore the books").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Trial balance").wait_for(timeout=60_000)
    page.get_by_text("Difference").wait_for(timeout=60_000)
    assert page.get_by_text("€0.00").count() >= 1  # debit equals credit
    # drill down: select the first account of the trial balance
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 52)
    page.get_by_text("Balance over the periods").wait_for(timeout=60_000)
    page.get_by_text("newest first").wait_for(timeout=60_000)
    _shot(page, "explore")
    close_a_demo_month(page)  # the journey goes on: tests/e2e/close_journey.py
    html = page.content()
    assert "Traceback" not in html and demo_token_data(1) not in html
    page.close()


def test_journey_upload_reconcile_and_download_the_workbook(app_url, app_data, browser, tmp_path):
    """Journeys 2 (upload -> reconcile -> differences) and 3 (the export downloads and opens)."""
    import openpyxl
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from afas.emulator.demo.ledger_export import DEMO_LEDGER

    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.goto(app_url)
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Ready: Demo environment").wait_for(timeout=90_000)
    page.get_by_role("link", name="Configure", exact=True).click()
    page.get_by_role("button", name="Save defaults").click()
    page.get_by_text("Syncs and corrections use these now.").wait_for(timeout=60_000)
    page.get_by_role("link", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced 18 connectors").wait_for(timeout=180_000)

    page.get_by_role("link", name="Reconcile", exact=True).click()
    page.get_by_text("Reconcile with your ledger").wait_for(timeout=60_000)
    page.locator("input[type=file]").set_input_files(str(DEMO_LEDGER))
    page.get_by_text("demo_ledger.csv: 1,110 lines").wait_for(timeout=60_000)
    page.get_by_role("button", name="Import ledger").click()
    page.get_by_text("Imported 1,110 lines").wait_for(timeout=60_000)
    page.get_by_role("button", name="Run matching").click()
    page.get_by_text("Unmatched difference per period").wait_for(timeout=120_000)
    for label in ("Only in AFAS", "Only in the ledger", "Differing"):
        page.get_by_text(label, exact=True).first.wait_for()
    _shot(page, "reconcile")

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download Excel").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) >= 5
    assert path.suffix == ".xlsx" and book[book.sheetnames[0]].max_row > 1

    # journey 2 goes on: the differences become corrections, edited, approved, sent, audited
    page.get_by_role("link", name="Corrections", exact=True).click()
    page.get_by_text("ready to approve").wait_for(timeout=60_000)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    # edit the first row's Description (the last column): double-click opens the cell editor
    page.mouse.dblclick(box["x"] + box["width"] - 120, box["y"] + 52)
    editor = page.locator("textarea").last
    editor.wait_for(timeout=30_000)
    editor.fill("Checked correction 2026")
    editor.press("Enter")
    _shot(page, "corrections")
    # the edit reruns the page; a click that lands during that rerun is dropped, so click until the
    # dialog is there
    for _ in range(6):
        page.get_by_role("button", name="Approve 9 corrections").click()
        try:
            page.get_by_label("Your name").wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    page.get_by_label("Your name").fill("Anna de Vries")
    page.get_by_label("Your name").press("Enter")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text("Approved 9 corrections").wait_for(timeout=60_000)
    page.get_by_role("button", name="Send 9 to AFAS").click()
    page.get_by_text("9 of 9 corrections are in AFAS.").wait_for(timeout=120_000)
    page.get_by_role("link", name="See the audit log").click()
    page.get_by_text("Audit log").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Download JSONL").wait_for(timeout=60_000)
    _shot(page, "audit")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download JSONL").click()
    audit = tmp_path / "audit.jsonl"
    info.value.save_as(audit)
    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    sent = [e for e in events if e.get("result_keys") and "EnNo" in str(e["result_keys"])]
    # journey 1 ran on this module's app before: its close sent one correction, approved by Bert
    assert [e["approved_by"] for e in sent].count("Anna de Vries") == 9
    assert {e["approved_by"] for e in sent} <= {"Anna de Vries", "Bert"}
    bodies = [e["request_body"] for e in events if e["event"] == "sending" and e["approved_by"] != "Bert"]
    assert len(bodies) == 9 and any("Checked correction 2026" in json.dumps(b) for b in bodies)
    assert demo_token_data(1) not in audit.read_text(encoding="utf-8")

    page.get_by_role("link", name="Master data", exact=True).click()
    page.get_by_text("Use the demo customer list").click()
    page.get_by_role("button", name="Compare with AFAS").click()
    page.get_by_text("Fields that differ").wait_for(timeout=60_000)
    _shot(page, "masterdata")
    html = page.content()
    assert "Traceback" not in html and demo_token_data(1) not in html

    _undo_a_match_and_make_it_by_hand(page, app_data / "demo.duckdb")
    page.close()


def _metric(page, label: str) -> str:
    return (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text=label)
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
    )


def _wait_for_metric(page, label: str, value: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _metric(page, label) != value:
        assert time.monotonic() < deadline, f"{label}: {_metric(page, label)}, expected {value}"
        page.wait_for_timeout(250)


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a select box the way a keyboard user does: type it, press Enter."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input")
    box.click()
    box.fill(option)
    box.press("Enter")


def _click_until(page, button: str, label: str, value: str) -> None:
    """Click a button until metric ``label`` shows ``value``: a click that lands while the rerun
    of a grid tick is still running is dropped by the app."""
    for _ in range(6):
        page.get_by_role("button", name=button).click()
        try:
            _wait_for_metric(page, label, value, seconds=5)
            return
        except AssertionError:
            continue
    _wait_for_metric(page, label, value)


def _tick_until(page, row: int, caption: str) -> None:
    """Tick a row until the page says what is selected. A tick is only given to a grid that is drawn
    (its cells are in the page) while no rerun runs, and never once the caption shows: a tick landing
    during a rerun can be lost, and a second tick on a ticked row would untick it."""
    said = page.get_by_text(caption)
    for _ in range(4):
        _idle(page)
        if said.count():
            return
        _tick_row(page, row)
        try:
            said.wait_for(timeout=3_000)  # a rerun has begun by then: idle waits for its end
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: look again once the rerun is done
            continue
    _shot(page, f"tick_row_{row}_failed")  # what the page showed instead, for whoever reads the failure
    said.wait_for(timeout=30_000)


def _tick_row(page, row: int) -> None:
    """Tick a row of the results grid (a canvas: the tick box is the first column of the row)."""
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.locator("td[role=gridcell]").first.wait_for(state="attached", timeout=60_000)  # it is drawn
    to_middle(grid)
    box = grid.bounding_box()
    x, y = box["x"] + 18, box["y"] + 35 + 17 + 35 * row
    page.mouse.move(x, y)  # the grid takes a click on a row's box once the pointer is over it
    page.wait_for_timeout(200)
    page.mouse.click(x, y)


def _undo_a_match_and_make_it_by_hand(page, db: Path) -> None:
    """The rest of journey 2: after the corrections and a sync, matching again leaves nothing but the
    lines the other system lacks; the user undoes one match (its lines fall apart), finds the two lines with
    the search box and matches them again by hand."""
    from afas.warehouse.db import connection

    page.get_by_role("link", name="Sync", exact=True).click()  # the posted corrections come home
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced 18 connectors").wait_for(timeout=180_000)
    page.get_by_role("link", name="Reconcile", exact=True).click()
    page.get_by_role("button", name="Run matching").click()
    _wait_for_metric(page, "Only in the ledger", "0")
    _wait_for_metric(page, "Differing", "0")
    matched, only_afas = int(_metric(page, "Matched").replace(",", "")), _metric(page, "Only in AFAS")

    _choose(page, "Show", "Matched")
    page.get_by_text(f"{matched:,} rows shown" if matched <= 500 else "500 rows shown").wait_for(
        timeout=60_000
    )
    # a new table is a new grid (nothing ticked): tick its first row once it draws, then unmatch it
    _tick_until(page, 0, "Selected 2 lines: 1 from AFAS, 1 from the ledger.")
    _click_until(page, "Unmatch selected", "Only in the ledger", "1")
    _wait_for_metric(page, "Only in AFAS", str(int(only_afas) + 1))
    _shot(page, "reconcile_unmatched")

    # the two lines that fell apart, as the user would look them up: by the ledger line's voucher
    with connection(db) as con:  # waits its turn: the app opens the file for each step too
        voucher, description = con.execute(
            """SELECT l.voucher, l.description FROM recon_overrides o
            JOIN recon_override_lines x USING (override_id)
            JOIN ledger_lines l ON l.import_id = o.import_id AND l.line_no = x.line_no
            WHERE o.action = 'unmatch'"""
        ).fetchall()[0]
    _choose(page, "Show", "everything")
    search = page.get_by_label("Search (voucher, description, amount)")
    search.fill(voucher or description)
    search.press("Enter")
    page.get_by_text("2 rows shown").wait_for(timeout=60_000)
    _tick_until(page, 0, "Selected 1 line:")  # each tick reruns the page; the next waits for it
    _tick_until(page, 1, "Selected 2 lines: 1 from AFAS, 1 from the ledger.")
    _click_until(page, "Match selected by hand", "Only in the ledger", "0")
    _wait_for_metric(page, "Only in AFAS", only_afas)
    _wait_for_metric(page, "Matched", f"{matched:,}")
    with connection(db) as con:  # waits its turn: the app opens the file for each step too
        manual = con.execute(
            "SELECT count(*) FROM recon_results WHERE pass = 'manual' AND run_id = "
            "(SELECT max(run_id) FROM recon_runs)"
        ).fetchone()[0]
    assert manual == 1  # one pair of lines, matched by hand
    html = page.content()
    assert "Traceback" not in html and demo_token_data(1) not in html
