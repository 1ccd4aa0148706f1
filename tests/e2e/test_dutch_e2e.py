"""A Dutch finance user in a real browser: Chromium with a Dutch locale (nl-NL) gets the dashboard in
Dutch without choosing, and goes connect -> configure -> sync -> explore -> reconcile -> corrections
-> close, reading Dutch texts and Dutch formats (€ 1.234,56, 31-12-2026) on the way. Screenshots in
tests/artifacts/nl-*.png."""

from __future__ import annotations

import re

import pytest

from afas.emulator.demo.ledger_export import DEMO_LEDGER
from tests.e2e.close_journey import choose
from tests.e2e.support import idle, shot

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"


def test_a_dutch_browser_gets_dutch_through_the_month_end_journey(app_url, browser, tmp_path):
    import openpyxl

    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1400, "height": 1100}, accept_downloads=True
    )
    page = context.new_page()
    try:
        _journey(page, app_url, tmp_path, openpyxl)
    except Exception:
        shot(page, "nl-failed")
        raise
    finally:
        context.close()


def _link(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()


def _journey(page, app_url: str, tmp_path, openpyxl) -> None:
    page.goto(app_url)
    # the language comes from the browser: nothing chosen, the page speaks Dutch
    page.get_by_text("Verbinden met AFAS Profit").wait_for(timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert "Maandafsluiting" in sidebar and "Werkend als" in sidebar  # the navigation in Dutch too
    page.get_by_role("button", name="Verbinding testen").click()
    page.get_by_text("Klaar: Demo-omgeving").wait_for(timeout=90_000)
    page.get_by_text("Administraties die dit token mag zien").wait_for()
    cells = page.locator("td[role=gridcell]")
    cells.filter(has_text="Demo Groothandel B.V.").first.wait_for(state="attached")
    assert cells.filter(has_text=re.compile(r"^aanwezig$")).count() == 24  # every connector, in Dutch
    shot(page, "nl-connect")

    _link(page, "Instellen")
    page.get_by_text("Standaard betalingsvoorwaarde").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Standaardwaarden opslaan").click()
    page.get_by_text("Ophalen en correcties gebruiken deze nu.").wait_for(timeout=60_000)

    _link(page, "Ophalen")
    page.get_by_role("button", name="Nu ophalen").click()
    page.get_by_text("18 connectoren opgehaald").wait_for(timeout=180_000)
    done = page.get_by_text("18 connectoren opgehaald").inner_text()
    assert re.search(r"\d{1,3}(\.\d{3})+ rijen in \d+,\d s", done), done  # 44.842 rijen in 2,2 s
    # (the grid draws its finish times as 07-12-2026 18:44 on its canvas; its accessible cells hold
    # the raw value, so the screenshot shows that format, and tests/test_i18n.py the column's format)
    shot(page, "nl-sync")

    _link(page, "Verkennen")
    page.get_by_text("De boekhouding verkennen").wait_for(timeout=60_000)
    page.get_by_role("tab", name="Proefbalans").wait_for(timeout=60_000)
    page.get_by_text("Verschil", exact=True).first.wait_for(timeout=60_000)
    assert page.get_by_text(f"€{NBSP}0,00").count() >= 1  # debit equals credit, in Dutch format
    debit = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="Debet")
        .locator('[data-testid="stMetricValue"]')
    )
    assert re.fullmatch(rf"€{NBSP}\d{{1,3}}(\.\d{{3}})*,\d\d", debit.first.inner_text()), (
        debit.first.inner_text()
    )
    shot(page, "nl-explore")

    _link(page, "Aansluiten")
    page.get_by_text("Aansluiten met uw grootboek").wait_for(timeout=60_000)
    page.locator("input[type=file]").set_input_files(str(DEMO_LEDGER))
    page.get_by_text(re.compile(r"demo_ledger\.csv: 1\.110 ")).wait_for(timeout=60_000)
    page.get_by_role("button", name="Grootboek inlezen").click()
    page.get_by_text(re.compile(r"1\.110 regels ingelezen|Ingelezen: 1\.110")).first.wait_for(timeout=60_000)
    idle(page)
    page.get_by_role("button", name="Aansluiten starten").click()
    page.get_by_text("Niet aangesloten verschil per periode").wait_for(timeout=120_000)
    for label in ("Alleen in AFAS", "Alleen in het grootboek", "Verschillend"):
        page.get_by_text(label, exact=True).first.wait_for()
    shot(page, "nl-reconcile")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Excel downloaden").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert "Samenvatting" in book.sheetnames, book.sheetnames

    # the differences become corrections, approved in Dutch and sent
    _link(page, "Correcties")
    page.get_by_text("klaar om goed te keuren").wait_for(timeout=60_000)
    page.get_by_role("button", name=re.compile(r"^9 correcties goedkeuren")).click()
    page.get_by_label("Uw naam").wait_for(timeout=30_000)
    prompt = page.get_by_role("dialog").inner_text()
    assert re.search(rf"€{NBSP}\d{{1,3}}(\.\d{{3}})*,\d\d", prompt), prompt  # the total debit, in Dutch
    page.get_by_label("Uw naam").fill("Anna de Vries")
    page.get_by_label("Uw naam").press("Enter")
    page.get_by_role("button", name="Goedkeuren", exact=True).click()
    page.get_by_text("9 correcties goedgekeurd").wait_for(timeout=60_000)
    page.get_by_role("button", name="9 naar AFAS verzenden").click()
    page.get_by_text("9 van 9 correcties staan in AFAS.").wait_for(timeout=120_000)
    shot(page, "nl-corrections")
    page.get_by_role("link", name="Naar het logboek").click()
    page.get_by_text("Logboek").first.wait_for(timeout=60_000)
    shot(page, "nl-audit")

    # the month-end close: the overview and an account, in Dutch words and formats
    _link(page, "Maandafsluiting")
    page.get_by_text(re.compile(r"\d+ van \d+ rekeningen aangesloten")).wait_for(timeout=60_000)
    choose(page, "Rekening", "1300 Debiteuren", typed="1300")
    page.get_by_role("heading", name="1300 Debiteuren").wait_for(timeout=60_000)
    balance = (
        page.locator('[data-testid="stMetric"]')
        .filter(has_text="Saldo in AFAS")
        .locator('[data-testid="stMetricValue"]')
        .first.inner_text()
    )
    assert re.fullmatch(rf"-?€{NBSP}-?\d{{1,3}}(\.\d{{3}})*,\d\d", balance), balance
    page.get_by_role("button", name="Voorbereiden", exact=True).click()
    # signed in the sidebar's name, on a Dutch date: 07-12-2026
    page.get_by_text(re.compile(r"Voorbereid door Anna de Vries op \d{2}-\d{2}-\d{4} ")).wait_for(
        timeout=60_000
    )
    shot(page, "nl-close")
