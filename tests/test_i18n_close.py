"""The month-end close and the command line in Dutch: the Close page after a sync (title, the overview's
headers and statuses, an amount, a sign-off refused and given), the close's refusals at the afas/ level,
and ``python -m afas check / sync / reconcile / close`` run with AFAS_LANGUAGE=nl."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from afas.close.balances import ClosePeriod
from afas.close.form import reopened_texts
from afas.close.items import add_item, parse_amount
from afas.emulator.demo.ledger_export import DEMO_LEDGER
from afas.errors import InputError
from afas.i18n import Language, amount, using
from tests.dutch import synced
from tests.test_cli import start_emulator, stop

CONNECTORS = [
    "Profit_Administrations", "Profit_Accounts", "Profit_periods_per_administration", "Profit_Debtor",
    "Profit_Creditor", "Profit_Transactions", "Profit_Period_balance", "Profit_Debtor_Invoices",
    "Profit_Creditor_Invoices", "Profit_Journals", "Profit_VAT_code", "Recon_AllocationCodes",
]  # fmt: skip

DUTCH_AMOUNT = re.compile(r"-?\d{1,3}(\.\d{3})*,\d{2}")  # 1.234,56


def _shown(at: AppTest) -> str:
    return " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error))


def _submit(at: AppTest, form: str, text: str):
    (button,) = [b for b in at.button if b.key.startswith(f"FormSubmitter:{form}") and b.label == text]
    return button


def test_the_close_page_in_dutch_after_a_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))
    with using(Language.NL):  # the format_func of a selectbox runs in the test too: in Dutch there
        _close_page_in_dutch()


def _close_page_in_dutch() -> None:
    at = synced("nl", "views/close.py", CONNECTORS)
    assert not at.exception, at.exception
    assert at.title[0].value == "Maandafsluiting"
    assert "rekeningen aangesloten" in at.get("progress")[0].proto.text
    grid = at.dataframe[0].value
    for header in ("Rekening", "Omschrijving", "Onderbouwing", "Saldo in AFAS", "Onverklaard", "Status"):
        assert header in grid.columns, list(grid.columns)
    assert "AFAS balance" not in grid.columns
    assert set(grid["Status"]) <= {
        "niet begonnen", "verschil te verklaren", "verklaard", "aangesloten", "geen saldo, geen mutaties",
    }, set(grid["Status"])  # fmt: skip
    assert "niet begonnen" in set(grid["Status"])
    assert {m.label for m in at.metric} & {"Niet begonnen", "Aangesloten", "Verklaard"}

    at.text_input(key="close_who").set_value("Anna").run()
    at.selectbox(key="close_account").set_value("0100").run()
    assert not at.exception, at.exception
    balance = Decimal(str(grid.loc[grid["Rekening"] == "0100", "Saldo in AFAS"].iloc[0]))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Saldo in AFAS"] == amount(balance)  # € 1.234,56 with a no-break space
    assert metrics["Saldo in AFAS"].startswith("€\u00a0") and DUTCH_AMOUNT.search(metrics["Saldo in AFAS"])

    # a typed amount that is not one: refused in Dutch
    at.text_input(key="close_amount_0100").set_value("twaalf")
    at.text_input(key="close_note_0100").set_value("staat vaste activa")
    _submit(at, "close_schedule_0100", "Onderbouwing opslaan").click().run()
    assert any("is geen bedrag" in e.value for e in at.error), [e.value for e in at.error]

    at.text_input(key="close_amount_0100").set_value(f"{balance - 100:.2f}")
    _submit(at, "close_schedule_0100", "Onderbouwing opslaan").click().run()
    assert not at.error, [e.value for e in at.error]
    prepare = at.button(key="close_prepare_0100")
    assert prepare.label == "Voorbereiden" and prepare.disabled  # 100,00 unexplained
    at.text_input(key="close_item_text_0100").set_value("afschrijving volgende maand geboekt")
    _submit(at, "close_item_0100", "Aansluitpost toevoegen").click().run()
    assert not at.error, [e.value for e in at.error]
    row = at.dataframe[0].value.set_index("Rekening").loc["0100"]
    assert row["Status"] == "verklaard" and row["Aansluitposten"] == 100
    (items,) = [d.value for d in at.dataframe if "Ouderdom (dagen)" in d.value.columns]
    assert {"Nr.", "Geopend in", "Bedrag", "Omschrijving", "Verwacht", "Eigenaar"} <= set(items.columns)
    assert "Boekt 100,00 credit op rekening 0100" in _shown(at)

    at.button(key="close_prepare_0100").click().run()
    assert at.dataframe[0].value.set_index("Rekening").loc["0100", "Voorbereid door"] == "Anna"
    review = at.button(key="close_review_0100")
    assert review.disabled and "vier-ogenprincipe" in review.help  # not by the preparer
    assert "Voorbereid door Anna op " in _shown(at)
    at.session_state["local_name"] = "Bert"
    at.run()
    at.button(key="close_review_0100").click().run()
    row = at.dataframe[0].value.set_index("Rekening").loc["0100"]
    assert (row["Status"], row["Beoordeeld door"]) == ("beoordeeld", "Bert")
    assert "Beoordeeld door Bert op " in _shown(at)
    withdraw = at.button(key="close_withdraw_0100")
    assert withdraw.disabled and "kan worden ingetrokken" in withdraw.help
    assert at.get("download_button")[0].proto.label == "Rapport van de maandafsluiting downloaden (Excel)"


def test_the_close_refuses_and_reopens_in_dutch():
    period = ClosePeriod(1, 2026, 3, dt.date(2026, 3, 1), dt.date(2026, 3, 31), False)
    with using(Language.NL):
        with pytest.raises(InputError) as bad:
            parse_amount("12,345", "The amount")
        assert str(bad.value) == "Het bedrag '12,345' is geen bedrag in centen."
        assert bad.value.hint == "Typ hoogstens twee decimalen."
        with pytest.raises(InputError) as early:
            add_item(None, period, "1100", "10,00", "te vroeg", "Anna", expected=dt.date(2026, 2, 1))
        assert "01-02-2026 ligt voor de periode (01-03-2026 t/m 31-03-2026)" in str(early.value)
        (text,) = reopened_texts([(1, "2026-03", "1100")])
    assert text.startswith("Maandafsluiting: rekening 1100 van administratie 1, periode 2026-03, is heropend")
    assert "Bereid haar opnieuw voor" in text
    with using(Language.EN):  # English unchanged
        assert reopened_texts([(1, "2026-03", "1100")])[0].startswith("Month-end close: account 1100")


@pytest.fixture(scope="module")
def emulator_env():
    proc, info, lines = start_emulator("--transactions", "20000", "--seed", "1")  # the app's demo
    assert proc.poll() is None, "\n".join(lines)
    yield {
        **os.environ,
        "AFAS_TOKEN": info["Token"],
        "AFAS_BASE_URL": info["Base URL"],
        "AFAS_LANGUAGE": "nl",
    }
    stop(proc)


def _afas(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "afas", *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_check_in_dutch(emulator_env):
    done = _afas(emulator_env, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Omgeving: ") and "Profit-versie: " in done.stdout
    assert "Administraties: " in done.stdout and "Gereed." in done.stdout
    # the marks padded to the width of ONTBREEKT
    assert re.search(r"^  ok {8}get {4}Profit_Transactions", done.stdout, re.MULTILINE), done.stdout


def test_sync_reconcile_and_close_in_dutch(emulator_env, tmp_path):
    db = tmp_path / "w.duckdb"
    wanted = [
        "Profit_Accounts",
        "Profit_periods_per_administration",
        "Profit_Period_balance",
        "Profit_Transactions",
    ]
    done = _afas(emulator_env, "sync", "--db", str(db), *(a for c in wanted for a in ("--connector", c)))
    assert done.returncode == 0, done.stderr
    (lines,) = [ln for ln in done.stdout.splitlines() if "Profit_Transactions" in ln]
    assert lines.startswith("gelukt") and " rijen " in lines and " pagina's " in lines, lines
    assert re.search(r"\d{1,3}\.\d{3} rijen", lines), lines  # 20.345 rows, Dutch thousands

    bank = ("--administration", "1", "--account", "1100", "--from", "2026-01-01", "--to", "2026-12-31")
    done = _afas(emulator_env, "reconcile", "--db", str(db), "--ledger", str(DEMO_LEDGER), *bank)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(rf"regels van {re.escape(DEMO_LEDGER.name)} ingelezen als inlezing \d+", out), out
    assert re.search(r"aansluiting \d+: regels van AFAS tegen inlezing \d+ van het grootboek", out), out
    counts = {
        label.strip(): n
        for label, _, n in (ln.rstrip().rpartition(" ") for ln in out.splitlines() if ln.startswith("  "))
    }
    assert (counts["Alleen in AFAS"], counts["Alleen in het grootboek"], counts["Verschillend"]) == (
        "6",
        "5",
        "4",
    )
    assert "Aangesloten" in counts
    again = _afas(emulator_env, "reconcile", "--db", str(db), "--ledger", str(DEMO_LEDGER), *bank)
    assert "is eerder ingelezen als inlezing" in again.stdout, again.stdout

    done = _afas(emulator_env, "close", "--db", str(db), "--administration", "1", "--period", "2026-03")
    assert done.returncode == 4, done.stdout + done.stderr  # not every account is reconciled
    out = done.stdout
    assert re.search(r"\d+ van \d+ rekeningen aangesloten \(administratie 1, periode 2026-03\)", out), out
    assert "niet begonnen" in out and " onderbouwing " in out and " onverklaard " in out
    assert re.search(r"AFAS +-?\d{1,3}(\.\d{3})+,\d{2} ", out), out  # an amount over 1.000 written in Dutch

    missing = _afas(emulator_env, "close", "--db", str(tmp_path / "nergens.duckdb"), "--administration", "1",
                    "--period", "2026-03")  # fmt: skip
    assert missing.returncode == 2
    assert "fout: " in missing.stderr and "bestaat niet." in missing.stderr, missing.stderr
    assert "Voer eerst python -m afas sync --db BESTAND uit." in missing.stderr
