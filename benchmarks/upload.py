"""A large ledger upload while another user works: the import's time beside the other user's page.

    python benchmarks/upload.py --lines 1000000
        # goals: preview + import of 1,000,000 CSV lines in a few seconds; the other user's page
        #        within 1.5x of its time alone; the server's memory back near where it was

One process, as the dashboard serves two sessions. The demo environment (~N journal lines) is synced;
session B is a user on the Explore page (trial balance and the rest), rendered with Streamlit's
AppTest, caches cleared before each render so every render reads DuckDB. Session A uploads a
generated Dutch ledger (cp1252, ';', decimal comma, dd-mm-yyyy, a third of the amounts with
thousands dots) through the functions the Reconcile page calls: ``afas.ui.ledger.read_upload``
(staged; a file this large is read in a separate process), ``afas.ui.ledger.preview`` (the suggested
mapping's counts and total) and ``afas.recon.ledgers.import_table``. B's page is timed alone, then
over and over while A's upload runs, then alone again; the figures are printed side by side with
their ratio; A's upload is then repeated with nobody else on (another file of the same size), for
its time alone. Memory is the server's resident size (the upload's bytes included, as Streamlit holds
them while the file sits in the widget) before, at its peak and after, beside the reading process's
peak (after the first upload). ``--reference`` adds the time of the path before this change
(Python's csv module, the line-by-line mapping: tests/recon/reference_mapping.py) on the same file,
with no other session.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> tuple[float, float]:
    """(resident now, resident at its peak) of this process, in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # Linux: writing 5 to clear_refs resets VmHWM
        Path("/proc/self/clear_refs").write_text("5")


def ledger_csv(lines: int, seed: int = 1) -> bytes:
    """A Dutch general-ledger export of ``lines`` lines (cp1252, ';', decimal comma, dd-mm-yyyy)."""
    rnd = random.Random(seed)
    out = ["Boekdatum;Grootboekrekening;Omschrijving;Boekstuknummer;Relatie;Kostenplaats;Bedrag"]
    accounts = ("1100", "1300", "1600", "4000", "4310", "8000")
    for i in range(lines):
        cents = rnd.randint(-500000, 500000)
        whole, frac = divmod(abs(cents), 100)
        digits = f"{whole:,}".replace(",", ".") if i % 3 == 0 else str(whole)  # 1.234,56 or 1234,56
        amount = f"{'-' if cents < 0 else ''}{digits},{frac:02d}"
        date = f"{rnd.randint(1, 28):02d}-{rnd.randint(1, 12):02d}-2026"
        out.append(
            f"{date};{accounts[i % 6]};Omschrijving café {i} Zoë;MEM{i:08d};Relatie {rnd.randint(1, 999)};"
            f"{('100', '200', '')[i % 3]};{amount}"
        )
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--transactions", type=int, default=50_000, help="journal lines of the demo environment")
    ap.add_argument("--renders", type=int, default=5, help="renders of B's page alone, before and after")
    ap.add_argument("--reference", action="store_true", help="also time the path before this change")
    ap.add_argument(
        "--nice", type=int, default=None, help="the reading process's nice level (default: the app's)"
    )
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="afas-upload-")
    os.environ["AFAS_DEMO_TRANSACTIONS"] = str(args.transactions)
    os.environ["AFAS_DATA_DIR"] = tmp

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from afas.recon import staging
    from afas.recon.ledgers import import_table
    from afas.ui import ledger as ui_ledger
    from afas.ui.connection import check_connection, demo_connection
    from afas.ui.warehouse import warehouse_path
    from afas.warehouse.db import connection
    from afas.warehouse.sync import sync

    if args.nice is not None:
        staging.CHILD_NICE = args.nice
    t = time.perf_counter()
    conn, _ = check_connection(demo_connection())
    db = warehouse_path(conn)
    with conn.client() as client:
        sync(db, client)
    synced_s = time.perf_counter() - t
    print(f"demo environment with ~{args.transactions:,} journal lines synced in {synced_s:.1f} s")

    t = time.perf_counter()
    data = ledger_csv(args.lines)
    name = "grootboek.csv"
    print(f"generated {args.lines:,} lines, {len(data) / 2**20:.0f} MB, in {time.perf_counter() - t:.1f} s")

    b = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    b.run()
    b.button(key="connect_test").click().run()
    b.switch_page("views/configure.py").run()
    b.button(key="FormSubmitter:configure_form-Save defaults").click().run()
    b.switch_page("views/explore.py").run()
    assert not b.exception, b.exception

    def render() -> float:
        st.cache_data.clear()
        start = time.perf_counter()
        b.run()
        assert not b.exception, b.exception
        return time.perf_counter() - start

    render()  # first render after switching: imports and the like, not timed
    alone = [render() for _ in range(args.renders)]

    gc.collect()
    rss_before, _ = _rss_mb()
    _reset_peak()
    phases: dict[str, float] = {}
    outcome: dict[str, object] = {}

    def upload(data: bytes = data, phases: dict[str, float] = phases) -> None:
        """Session A, as the Reconcile page drives it."""
        start = time.perf_counter()
        table = ui_ledger.read_upload(db, data, name)
        phases["read (staged)"] = time.perf_counter() - start
        start = time.perf_counter()
        preview = ui_ledger.preview(db, table, None)
        phases["preview"] = time.perf_counter() - start
        start = time.perf_counter()
        with connection(db) as con:
            result = import_table(con, table, preview.mapping, file_name=name)
        phases["import"] = time.perf_counter() - start
        outcome.update(rows=result.rows, skipped=result.skipped, summary=preview.summary)

    worker = threading.Thread(target=upload)
    started = time.perf_counter()
    worker.start()
    during: list[float] = []
    while worker.is_alive():
        during.append(render())
    worker.join()
    total = time.perf_counter() - started
    _, peak = _rss_mb()
    gc.collect()
    after = [render() for _ in range(args.renders)]
    rss_after, _ = _rss_mb()
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    measured = dict(outcome)  # the upload made while B rendered
    alone_phases: dict[str, float] = {}  # the same upload (another file of the same size), nobody else on
    other = ledger_csv(args.lines, seed=2)
    start = time.perf_counter()
    upload(other, alone_phases)
    alone_total = time.perf_counter() - start

    summary = measured["summary"]
    print(
        f"\nupload of {args.lines:,} lines: {summary.rows:,} readable, {summary.problem_count} problems, "
        f"total € {summary.total:,.2f}; imported {measured['rows']:,} lines"
    )
    print(f"\n{'session A, upload':34}" + "".join(f"{k:>15}" for k in phases) + f"{'total s':>10}")
    for label, found, seconds in (
        ("while B renders", phases, total),
        ("alone (another file, same size)", alone_phases, alone_total),
    ):
        print(f"{label:34}" + "".join(f"{v:>15.2f}" for v in found.values()) + f"{seconds:>10.2f}")
    load = os.getloadavg()[0]
    print(f"  (read in a separate process at nice {staging.CHILD_NICE}; machine load average {load:.1f})")
    print(f"\n{'session B, Explore page (cold)':34}{'median s':>10}{'max s':>9}{'renders':>9}{'ratio':>8}")
    base = statistics.median(alone)
    for label, times in (("alone, before", alone), ("during A's upload", during), ("alone, after", after)):
        med = statistics.median(times)
        print(f"{label:34}{med:>10.2f}{max(times):>9.2f}{len(times):>9}{med / base:>8.2f}")
    worst = statistics.median(during) / base
    verdict = "met" if worst <= 1.5 else "NOT met"
    print(f"goal: B within 1.5x of alone during the upload: {verdict} ({worst:.2f}x)")
    print(
        f"\nserver memory (RSS): {rss_before:,.0f} MB before, {peak:,.0f} MB at the peak, "
        f"{rss_after:,.0f} MB after (the upload's {len(data) / 2**20:.0f} MB held throughout); "
        f"the reading process peaked at {child_peak:,.0f} MB"
    )

    if args.reference:
        from afas.recon.csvfile import read_csv
        from afas.recon.mapping import suggest_mapping
        from tests.recon.reference_mapping import reference_apply_mapping

        start = time.perf_counter()
        raw = read_csv(data, name, fast=False).to_raw()
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        mapped = reference_apply_mapping(raw, suggest_mapping(raw.headers, raw.rows[:200]))
        map_s = time.perf_counter() - start
        print(
            f"\nreference, the path before this change (no other session): Python csv {read_s:.1f} s, "
            f"line-by-line mapping {map_s:.1f} s ({len(mapped.lines):,} lines, total € {mapped.total:,.2f}); "
            f"the import read the file a second time"
        )


if __name__ == "__main__":
    main()
