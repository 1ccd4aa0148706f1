"""What the full collection Streamlit runs after every script run costs the dashboard, before and after
afas.ui.heap freezes the modules it imported (goal: under a millisecond after).

    python benchmarks/rerun_gc.py [--rows 20000]

The process is set up as the dashboard's server is after its first clicks: the app's modules and those
its pages import, one run of app.py (Streamlit's AppTest: the Connect page), and the demo AFAS with
~N journal lines in memory. It times ``gc.collect(2)`` (what ``runner.postScriptGC`` runs after each
script run, so after each click) as it is, then calls ``freeze_what_was_imported()`` as app.py does
after a run and times it again. Both are medians of several collections in the same run.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# what the pages import (views/*.py), beside app.py's own imports
PAGE_MODULES = [
    "afas.ui.close", "afas.ui.connection", "afas.ui.grid", "afas.ui.ledger", "afas.ui.outbox",
    "afas.ui.recon_ledger", "afas.ui.recon_results", "afas.ui.warehouse", "afas.recon.readers",
    "afas.recon.export", "afas.close", "afas.corrections.outbox", "afas.warehouse.sync",
    "afas.emulator.server",
]  # fmt: skip


def _median_ms(repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        gc.collect(2)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="journal lines of the demo AFAS")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    from afas.emulator.core import Emulator
    from afas.ui import heap

    for name in PAGE_MODULES:
        importlib.import_module(name)
    demo = Emulator(seed=1, transactions=args.rows)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    gc.unfreeze()  # the run above froze already: measure the heap as it was before this change
    heap._modules_frozen = 0  # noqa: SLF001 - and let the next call freeze as app.py's first run did
    objects = len(gc.get_objects())
    before = _median_ms(args.repeat)
    frozen = heap.freeze_what_was_imported()
    after = _median_ms(args.repeat)
    print(f"demo AFAS: {demo.demo_summary.lines:,} journal lines; objects the collector tracked: {objects:,}")
    print(f"full collection after a script run, as it was:      {before:8.2f} ms (median of {args.repeat})")
    print(f"after freeze_what_was_imported() (frozen: {frozen}): {after:8.2f} ms (median of {args.repeat})")
    print(f"saved per click: {before - after:.2f} ms; after / before = {after / before:.4f}")


if __name__ == "__main__":
    main()
