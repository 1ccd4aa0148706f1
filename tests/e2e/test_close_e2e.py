"""The month-end close journey in a real browser, on an app of its own (tests/e2e/close_journey.py)."""

from __future__ import annotations

import pytest

from afas.emulator.auth import demo_token_data
from tests.e2e.close_journey import close_a_demo_month

pytestmark = pytest.mark.e2e


def test_journey_close_a_demo_month(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_role("button", name="Test connection").click()
    page.get_by_text("Ready: Demo environment").wait_for(timeout=90_000)
    page.get_by_role("link", name="Configure", exact=True).click()
    page.get_by_role("button", name="Save defaults").click()
    page.get_by_text("Syncs and corrections use these now.").wait_for(timeout=60_000)
    page.get_by_role("link", name="Sync", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Synced 18 connectors").wait_for(timeout=180_000)
    close_a_demo_month(page)
    html = page.content()
    assert "Traceback" not in html and demo_token_data(1) not in html
    page.close()
