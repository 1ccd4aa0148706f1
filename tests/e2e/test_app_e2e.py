"""The app in a real browser (Debian's Chromium driven by Playwright), started as a user starts it."""

from __future__ import annotations

import re

import pytest

from afas.emulator.auth import demo_token_data
from tests.e2e.close_journey import close_a_demo_month
from tests.e2e.support import shot as _shot

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
