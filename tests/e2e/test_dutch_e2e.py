"""A Dutch finance user in a real browser: Chromium with a Dutch locale (nl-NL) gets the dashboard in
Dutch without choosing, and goes connect -> configure -> sync -> explore -> reconcile (the workbook
downloads and opens) -> corrections (one edited in the grid, approved, sent) -> the audit log (its
JSONL download) -> master data (AFAS's Dutch field names) -> close -> a resync after which one match
is undone and made again by hand, reading Dutch texts and Dutch formats (€ 1.234,56, 31-12-2026) on
the way. Screenshots in tests/artifacts/nl-*.png."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from afas.emulator.auth import demo_token_data
from afas.emulator.demo.ledger_export import DEMO_LEDGER
from tests.e2e.close_journey import choose
from tests.e2e.close_journey import metric as _metric
from tests.e2e.support import idle, shot, to_middle

pytestmark = pytest.mark.e2e

NBSP = "\u00a0"


def test_a_dutch_browser_gets_dutch_through_the_month_end_journey(app_url, app_data, browser, tmp_path):
    import openpyxl

    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1400, "height": 1100}, accept_downloads=True
    )
    page = context.new_page()
    try:
        _journey(page, app_url, tmp_path, openpyxl)
        _undo_a_match_and_make_it_by_hand(page, app_data / "demo.duckdb")
        html = page.content()
        assert "Traceback" not in html and demo_token_data(1) not in html
    except Exception:
        shot(page, "nl-failed")
        raise
    finally:
        context.close()


def _link(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()


def _journey(page, app_url: str, tmp_path, openpyxl) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(app_url)
    # the language comes from the browser: nothing chosen, the page speaks Dutch
    page.get_by_text("Verbinden met AFAS Profit").wait_for(timeout=60_000)
    # the navigation and the sidebar's name field in Dutch too (the sidebar draws its widgets after the
    # navigation: wait for them rather than read it half drawn)
    side = page.get_by_test_id("stSidebar")
    side.get_by_text("Werkend als", exact=True).wait_for(timeout=60_000)
    assert side.get_by_role("link", name="Maandafsluiting", exact=True).count() == 1
    assert "Working as" not in side.inner_text()
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

    # the differences become corrections: one edited in the grid, approved in Dutch and sent
    _link(page, "Correcties")
    page.get_by_text("klaar om goed te keuren").wait_for(timeout=60_000)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    # the first row's Omschrijving (the last column): a double-click opens the cell editor
    page.mouse.dblclick(box["x"] + box["width"] - 40, box["y"] + 52)
    editor = page.locator("textarea").last
    editor.wait_for(timeout=30_000)
    editor.fill("Gecontroleerde correctie 2026")
    editor.press("Enter")
    # the edit reruns the page; a click that lands during that rerun is dropped: click until the
    # dialog is there
    for _ in range(6):
        page.get_by_role("button", name=re.compile(r"^9 correcties goedkeuren")).click()
        try:
            page.get_by_label("Uw naam").wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
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
    page.get_by_role("button", name="JSONL downloaden").wait_for(timeout=60_000)
    shot(page, "nl-audit")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="JSONL downloaden").click()
    audit = tmp_path / "audit.jsonl"
    info.value.save_as(audit)
    events = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    sent = [e for e in events if e.get("result_keys") and "EnNo" in str(e["result_keys"])]
    assert [e["approved_by"] for e in sent] == ["Anna de Vries"] * 9
    bodies = [e["request_body"] for e in events if e["event"] == "sending"]
    assert len(bodies) == 9 and any("Gecontroleerde correctie 2026" in json.dumps(b) for b in bodies)
    assert demo_token_data(1) not in audit.read_text(encoding="utf-8")

    # master data: the demo customers against AFAS, the fields named as Profit names them in Dutch
    _link(page, "Stamgegevens")
    page.get_by_text("De demolijst met debiteuren gebruiken").click()
    page.get_by_role("button", name="Vergelijken met AFAS").click()
    page.get_by_text("Velden die verschillen").wait_for(timeout=60_000)
    cells = page.locator("td[role=gridcell]")
    cells.filter(has_text="Betalingsvoorwaarde (PayCon)").first.wait_for(state="attached", timeout=60_000)
    shot(page, "nl-masterdata")

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


def _wait_for_metric(page, label: str, value: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _metric(page, label) != value:
        assert time.monotonic() < deadline, f"{label}: {_metric(page, label)}, expected {value}"
        page.wait_for_timeout(250)


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
        idle(page)
        if said.count():
            return
        _tick_row(page, row)
        try:
            said.wait_for(timeout=3_000)  # a rerun has begun by then: idle waits for its end
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: look again once the rerun is done
            continue
    shot(page, f"nl-tick-row-{row}-failed")  # what the page showed instead, for the failure's reader
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


def _count(text: str) -> int:
    return int(text.replace(".", ""))  # 1.104: Dutch thousands


def _undo_a_match_and_make_it_by_hand(page, db: Path) -> None:
    """After the corrections and a sync, matching again leaves nothing but the lines the other system
    lacks; the user undoes one match (its lines fall apart), finds the two lines with the search box
    and matches them again by hand."""
    from afas.warehouse.db import connection

    _link(page, "Ophalen")  # the posted corrections come home
    page.get_by_role("button", name="Nu ophalen").click()
    page.get_by_text("18 connectoren opgehaald").wait_for(timeout=180_000)
    _link(page, "Aansluiten")
    page.get_by_role("button", name="Aansluiten starten").click()
    _wait_for_metric(page, "Alleen in het grootboek", "0")
    _wait_for_metric(page, "Verschillend", "0")
    matched, only_afas = _metric(page, "Aangesloten"), _metric(page, "Alleen in AFAS")

    choose(page, "Tonen", "Aangesloten")
    shown = min(_count(matched), 500)
    page.get_by_text(f"{shown:,} rijen getoond".replace(",", ".")).wait_for(timeout=60_000)
    # a new table is a new grid (nothing ticked): tick its first row once it draws, then unmatch it
    _tick_until(page, 0, "2 regels geselecteerd: 1 uit AFAS, 1 uit het grootboek.")
    _click_until(page, "Aansluiting van selectie ongedaan maken", "Alleen in het grootboek", "1")
    _wait_for_metric(page, "Alleen in AFAS", str(_count(only_afas) + 1))
    shot(page, "nl-reconcile-unmatched")

    # the two lines that fell apart, as the user would look them up: by the ledger line's voucher
    with connection(db) as con:  # waits its turn: the app opens the file for each step too
        voucher, description = con.execute(
            """SELECT l.voucher, l.description FROM recon_overrides o
            JOIN recon_override_lines x USING (override_id)
            JOIN ledger_lines l ON l.import_id = o.import_id AND l.line_no = x.line_no
            WHERE o.action = 'unmatch'"""
        ).fetchall()[0]
    choose(page, "Tonen", "alles")
    search = page.get_by_label("Zoeken (boekstuk, omschrijving, bedrag)")
    search.fill(voucher or description)
    search.press("Enter")
    page.get_by_text("2 rijen getoond").wait_for(timeout=60_000)
    _tick_until(page, 0, "1 regel geselecteerd:")  # each tick reruns the page; the next waits for it
    _tick_until(page, 1, "2 regels geselecteerd: 1 uit AFAS, 1 uit het grootboek.")
    _click_until(page, "Selectie met de hand aansluiten", "Alleen in het grootboek", "0")
    _wait_for_metric(page, "Alleen in AFAS", only_afas)
    _wait_for_metric(page, "Aangesloten", matched)
    with connection(db) as con:  # waits its turn: the app opens the file for each step too
        manual = con.execute(
            "SELECT count(*) FROM recon_results WHERE pass = 'manual' AND run_id = "
            "(SELECT max(run_id) FROM recon_runs)"
        ).fetchone()[0]
    assert manual == 1  # one pair of lines, matched by hand
