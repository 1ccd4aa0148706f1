"""User text shown through plain() in Streamlit's real renderer: no image fetched, no link, no format."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from afas.emulator.server import free_port
from tests.e2e.support import ROOT, wait_until_serving
from tests.test_ui_text import HOSTILE

pytestmark = pytest.mark.e2e


def test_hostile_texts_show_as_themselves_in_the_browser(browser):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "tests/e2e/apps/plain_text.py"]
        + ["--server.port", str(port)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, proc, 60)
        page = browser.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if ":9/" in r.url or "attacker" in r.url else None)
        page.goto(url)
        page.get_by_text("end of the texts").wait_for(timeout=60_000)
        body = page.locator("[data-testid=stMain]")
        # (a heading's own anchor, href="#...", is Streamlit's, not the text's)
        tags = ("img", 'a:not([href^="#"])', "strong", "em", "code", "del", "li", "blockquote", "table", "h1")
        for tag in tags:
            inside = body.locator(f"[data-testid=stMarkdownContainer] {tag}")
            assert inside.count() == 0, (tag, [inside.nth(i).inner_html() for i in range(inside.count())])
        assert fetched == []
        shown = page.get_by_test_id("stCaptionContainer").all_inner_texts()
        captions = [c.replace("\u2060", "") for c in shown]
        for text in HOSTILE:
            assert " ".join(text.split()) in [" ".join(c.split()) for c in captions], text
    finally:
        proc.terminate()
        proc.wait(timeout=15)
