"""Sync Profit_Transactions from the emulator over loopback into a fresh DuckDB file, and in the same
run load the same page bytes from disk with one DuckDB read_json; print both and the ratio.

    python benchmarks/ingest.py --rows 1000000        # goals: client CPU <= 1.5x read_json's on the same
                                                      #        bytes, peak memory < 1.5 GB
    python benchmarks/ingest.py --rows 200000 --latency-ms 1000   # goal: <= 1.15x (pages / 5) x latency
    python benchmarks/ingest.py --rows 200000 --latency-ms 200    # goal: <= 1.3x (pages / 5) x latency

The emulator runs in its own process. The sync is afas.warehouse.sync (keyset pages over
administration x year x period slices, the slice probes sharing the 5 requests in flight with the
pages, page rows written to disk and loaded in batches while they download, swapped in one
transaction). The latency applies to Profit_Transactions' data requests (pages and probes), not
to metainfo or the periods. (pages / 5) x latency is the ideal; whole rounds of 5 requests,
ceil((pages + probes) / 5) x latency, are printed beside it as the least the requests can take.
The reference loads the rows of the very same pages, saved beforehand, with the same typed
read_json (and with DuckDB's own type detection).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import duckdb
from _emulator import start_emulator  # noqa: E402  (benchmarks/_emulator.py; also puts the project on sys.path)

from afas.profit.client import ProfitClient  # noqa: E402
from afas.profit.connectors import spec_for  # noqa: E402
from afas.profit.environment import Environment  # noqa: E402
from afas.profit.token import ProfitToken  # noqa: E402
from afas.warehouse import sync as wsync  # noqa: E402

CONNECTOR = "Profit_Transactions"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--latency-ms", type=int, default=0, help="AFAS-like latency added to every page request")
    args = ap.parse_args()

    extra = []
    if args.latency_ms:
        extra = ["--fault", f"latency,connector={CONNECTOR},times=always,latency_ms={args.latency_ms}"]
    t0 = time.perf_counter()
    proc, base_url, token_data = start_emulator(args.rows, *extra)
    print(f"emulator with ~{args.rows:,} journal lines ready in {time.perf_counter() - t0:.1f} s")
    try:
        client = ProfitClient(Environment.from_base_url(base_url), ProfitToken.parse(token_data))
        with tempfile.TemporaryDirectory(prefix="afas-ingest-") as tmp:
            db = Path(tmp) / "warehouse.duckdb"
            t, cpu, em_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(proc.pid)
            [result] = wsync.sync(db, client, connectors=[CONNECTOR])
            sync_s = time.perf_counter() - t
            sync_cpu, em_cpu = time.process_time() - cpu, _cpu_seconds(proc.pid) - em_cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            if result.status != "ok":
                raise SystemExit(f"sync failed: {result.error}")
            ref_s = auto_s = ref_cpu = download_s = None
            probes = 0
            if not args.latency_ms:
                ref_s, auto_s, ref_cpu = reference(client, Path(tmp), result.rows)
            else:
                download_s, in_flight, per_request = download_only(client)
            probes = 2 * len({u for u, _, _ in wsync._periods(client, None)})
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    rows, pages = result.rows, result.pages
    print()
    print(f"{'':44}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    print(f"{'sync (loopback, 5 in flight, swap)':44}{rows:>12,}{sync_s:>10.2f}{rows / sync_s:>12,.0f}")
    if ref_s is not None:
        print(
            f"{'read_json of the same page rows (typed)':44}{rows:>12,}{ref_s:>10.2f}{rows / ref_s:>12,.0f}"
        )
        print(f"{'read_json, DuckDB type detection':44}{rows:>12,}{auto_s:>10.2f}{rows / auto_s:>12,.0f}")
        print(f"ratio sync / typed read_json: {sync_s / ref_s:.2f}  (goal <= 1.5)")
        print(
            f"CPU seconds: emulator {em_cpu:.2f} while serving the sync (AFAS's share, on this same 2-core "
            f"machine); this process {sync_cpu:.2f} for the sync against {ref_cpu:.2f} for read_json "
            f"(ratio {sync_cpu / ref_cpu:.2f})"
        )
    print(f"pages: {pages}; peak RSS of this process (client + DuckDB): {peak / 2**30:.2f} GiB (goal < 1.5)")
    if args.latency_ms:
        ideal = pages / 5 * args.latency_ms / 1000
        goal = 1.15 if args.latency_ms >= 1000 else 1.3
        rounds = -(-(pages + probes) // 5)
        print(
            f"with {args.latency_ms} ms per request: {sync_s:.2f} s against (pages / 5) x latency = "
            f"{ideal:.2f} s; ratio {sync_s / ideal:.2f}  (goal <= {goal})"
        )
        floor = rounds * args.latency_ms / 1000
        print(
            f"  whole rounds: {pages} pages + {probes} probes in {rounds} rounds of 5 = {floor:.2f} s; "
            f"ratio to that {sync_s / floor:.2f}"
        )
        print(
            f"  of which the page downloads alone (raw_pages over the same slices, 5 in flight): "
            f"{download_s:.2f} s; ratio {download_s / ideal:.2f}"
        )
        print(
            f"  requests in flight during the downloads: {in_flight:.2f} on average of the 5 allowed; "
            f"one request took {per_request * 1000:.0f} ms (median) against the {args.latency_ms} ms latency"
        )
        print(
            "  the rest: metainfo and the periods (one round trip, in parallel), the slice probes (in the "
            "first round with the pages), the last batch of the load and the swap"
        )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def download_only(client: ProfitClient) -> tuple[float, float, float]:
    """Time the page downloads of the sync's slices alone (slices found beforehand, untimed).

    Returns the seconds, the mean number of requests in flight over that time (how busy the 5
    allowed calls were kept) and the median seconds one request took (latency + the emulator's
    work + the client's reading)."""
    spec = spec_for(CONNECTOR)
    parts = wsync._partitions(client, CONNECTOR, spec, None, wsync._periods(client, None))
    spans: list[tuple[float, float]] = []
    send = client._send

    def timed_send(*args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        try:
            return send(*args, **kwargs)
        finally:
            spans.append((start, time.perf_counter()))

    client._send = timed_send  # type: ignore[method-assign]
    try:
        t = time.perf_counter()
        for _page in client.raw_pages(CONNECTOR, key=spec.key, partitions=parts):
            pass
        seconds = time.perf_counter() - t
    finally:
        client._send = send  # type: ignore[method-assign]
    busy = sum(end - start for start, end in spans)
    durations = sorted(end - start for start, end in spans)
    return seconds, busy / seconds, durations[len(durations) // 2]


def reference(client: ProfitClient, folder: Path, expected: int) -> tuple[float, float, float]:
    """Save the rows of the same pages to disk (untimed), then time one read_json over them."""
    spec = spec_for(CONNECTOR)
    # The same slices the sync used (the warehouse's own partitioning helpers).
    periods = wsync._periods(client, None)
    parts = wsync._partitions(client, CONNECTOR, spec, None, periods)
    pages = folder / "pages"
    pages.mkdir()
    for n, page in enumerate(client.raw_pages(CONNECTOR, key=spec.key, partitions=parts), start=1):
        (pages / f"{n:07d}.json").write_bytes(wsync.rows_array(page.content))
    fields = [(f.id, f.data_type, f.decimals) for f in client.get_metainfo(CONNECTOR).fields]
    con = duckdb.connect(str(folder / "reference.duckdb"))
    t, cpu = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE typed AS {wsync.load_sql(pages / '*.json', fields)}")
    typed_s, typed_cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    con.execute("CREATE TABLE auto AS SELECT * FROM read_json(?, format = 'array')", [str(pages / "*.json")])
    auto_s = time.perf_counter() - t
    got = con.execute("SELECT count(*) FROM typed").fetchone()[0]
    con.close()
    if got != expected:
        raise SystemExit(f"the reference loaded {got:,} rows, the sync {expected:,}")
    return typed_s, auto_s, typed_cpu


if __name__ == "__main__":
    main()
