"""Every error a user can meet, on every page: its own words and its hint, shown once, never "Something
went wrong" and never a traceback (app.py shows what a page leaves unhandled, in one place).

The warehouse file is the one thing every page after Connect needs, so its opener is made to fail with
each error in turn (a busy file, a sync running elsewhere, AFAS refusing, ...), as it would in use.
"""

from __future__ import annotations

import pytest

from tests.pages.test_connect_gating import READING_PAGES
from tests.pages.test_workflow_pages import connected
from tests.test_error_display import ERRORS

PAGES = READING_PAGES  # every page after Connect


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AFAS_DATA_DIR", str(tmp_path))


def _shown(markdown: str) -> str:
    """What a user reads of a message written with afas.ui.text.plain (its escapes and word joiners)."""
    return markdown.replace("\\", "").replace("\u2060", "")


@pytest.mark.parametrize("page", PAGES)
def test_each_error_is_shown_in_its_words_with_its_hint_once(page, monkeypatch):
    at = connected()
    for error in ERRORS:

        def fail(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr("afas.ui.warehouse.warehouse_path", fail)
        at.switch_page(page).run()
        assert not at.exception, (page, type(error).__name__, at.exception)
        boxes = [_shown(b.value) for b in (*at.error, *at.warning)]
        said = [b for b in boxes if error.message in b]
        assert len(said) == 1, (page, type(error).__name__, boxes)
        hint = error.hint if error.hint and error.hint not in error.message else None
        if hint:
            assert hint in said[0], (page, said[0])
        for cause in getattr(error, "likely_causes", None) or []:
            assert cause in said[0], (page, said[0])
        assert not [b for b in boxes if "Something went wrong" in b], (page, boxes)
