"""The dashboard keeps its imported modules out of the full collection Streamlit runs after every
script run (afas.ui.heap): frozen once per batch of new imports, never on a run that imported none."""

from __future__ import annotations

import gc
import sys
import types
from pathlib import Path

import pytest

from afas.ui import heap


@pytest.fixture
def unfrozen(monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(heap, "_modules_frozen", 0)
    yield
    sys.modules.pop("_heap_test_module", None)
    gc.unfreeze()


def test_a_run_that_imported_modules_freezes_them_and_a_run_that_did_not_leaves_the_heap(unfrozen):
    assert gc.get_freeze_count() == 0
    assert heap.freeze_what_was_imported()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the modules imported so far, out of the collector's sight
    made = [[n] for n in range(500)]  # a session's objects, made after the freeze
    assert not heap.freeze_what_was_imported()  # nothing imported since: nothing frozen
    # (a frozen object that other threads let go of is still freed, so the count may only shrink)
    assert gc.get_freeze_count() <= frozen
    assert any(o is made for o in gc.get_objects())  # still collected as before
    sys.modules["_heap_test_module"] = types.ModuleType("_heap_test_module")  # a page imports a module
    before = gc.get_freeze_count()
    assert heap.freeze_what_was_imported()
    assert gc.get_freeze_count() >= before + 400  # the session's 500 lists among them (a few may go)
    assert not any(o is made for o in gc.get_objects())


def test_a_run_of_the_dashboard_freezes_what_it_imported(unfrozen):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title and "Connect to AFAS Profit" in at.title[0].value  # the Connect page rendered
    assert gc.get_freeze_count() > 1000
