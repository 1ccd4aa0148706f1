"""What a user uploads is shown as text, never as Markdown: a file name, a header or a cell that holds
an image link must not make the browser fetch anything, on the Reconcile and Master data pages."""

from __future__ import annotations

import markdown_it
import pytest
from streamlit.testing.v1 import AppTest

from afas.emulator.demo import ledger_export, master_export
from afas.recon.forms import LedgerSource
from tests.pages.test_reconcile_page import synced

PIXEL = "![x](http://attacker.example/p.png)"
LINK = "[click](http://attacker.example/go)"


class Upload:
    """Stands in for the demo file: a name no file system allows, and the bytes the test chose."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data = name, data

    def exists(self) -> bool:
        return True

    def read_bytes(self) -> bytes:
        return self.data


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def rendered_markdown(at: AppTest) -> list[str]:
    """Every Markdown body on the page, as the browser's renderer turns it into HTML."""
    md = markdown_it.MarkdownIt("commonmark")
    bodies = [
        e.value
        for kind in ("caption", "markdown", "success", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    # U+2060 (word joiner) is invisible: plain() puts it where Streamlit would make a link or an icon
    return [md.render(str(b)).replace("\u2060", "") for b in bodies]


def assert_plain(at: AppTest, *texts: str) -> None:
    html = rendered_markdown(at)
    for page in html:
        assert "<img" not in page and "<a " not in page, page
    for text in texts:  # and the text itself is there to read, as it was
        shown = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        assert any(shown in page for page in html), (text, html)


def test_reconcile_shows_file_names_headers_and_names_as_text(monkeypatch):
    name = f"{PIXEL}.csv"
    data = f"Datum;Bedrag;{PIXEL}\n01-01-2026;1,00;{LINK}\n02-01-2026;x;y\n".encode()
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", Upload(name, data))
    at = synced()
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert not at.exception, at.exception
    assert_plain(at, name)
    at.text_input(key="recon_profile_name").input(f"Bank {PIXEL}").run()
    at.button(key="recon_save_profile").click().run()
    assert_plain(at, f"Mapping saved as 'Bank {PIXEL}'")
    at.checkbox(key="recon_accept").check()
    at.button(key="FormSubmitter:recon_import_form-Import ledger").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Imported 1 lines") for s in at.success)
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert_plain(at, f"This file is ledger #1 '{PIXEL}'")


def test_reconcile_shows_a_refusal_naming_the_file_as_text(monkeypatch):
    monkeypatch.setattr(ledger_export, "DEMO_LEDGER", Upload(f"{PIXEL}.csv", b"\n\n"))
    at = synced()
    at.switch_page("views/reconcile.py").run()
    at.radio(key="recon_source").set_value(LedgerSource.DEMO).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] and "is empty" in at.error[0].value
    assert_plain(at, f"{PIXEL}.csv is empty")


def test_master_data_shows_file_names_and_headers_as_text(monkeypatch):
    name = f"{PIXEL}.csv"
    data = f"Klantnummer;Naam;{LINK}\n10002;{PIXEL};x\n".encode()
    monkeypatch.setattr(master_export, "DEMO_CUSTOMERS", Upload(name, data))
    at = synced(all_connectors=True)
    at.switch_page("views/masterdata.py").run()
    at.toggle(key="md_demo").set_value(True).run()
    assert not at.exception, at.exception
    assert_plain(at, name, LINK)
