"""Keep the dashboard's long-lived objects out of Python's full garbage collections.

Streamlit runs a full collection (``gc.collect(2)``) after every script run, so every click paid for
walking every object of every imported module (streamlit, pandas, pyarrow, duckdb, the demo AFAS):
about a tenth of a second each time, more than most pages take to render. The modules, classes and
functions imported by then live as long as the process, so after a run that imported new modules
they are moved out of the collector's sight with ``gc.freeze()``; what a session makes and drops
afterwards is collected as before. At exit they are handed back, so the interpreter frees them.
"""

from __future__ import annotations

import atexit
import gc
import sys
import threading

__all__ = ["freeze_what_was_imported"]

_lock = threading.Lock()
_modules_frozen = 0


def freeze_what_was_imported() -> bool:
    """After a script run: freeze the objects alive now if modules were imported since the last
    freeze (a handful of times per process: the first runs of each page). True when it froze."""
    global _modules_frozen
    with _lock:
        imported = len(sys.modules)
        if imported <= _modules_frozen:
            return False
        gc.collect()  # what this run left behind is garbage now, not kept for the process's life
        gc.freeze()
        if not _modules_frozen:
            atexit.register(gc.unfreeze)
        _modules_frozen = imported
        return True
