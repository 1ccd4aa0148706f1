"""Pull Profit_Transactions from the emulator over loopback with the client, and in the same run the
same pages with a bare httpx + orjson loop; print both and the ratio.

    python benchmarks/client_paging.py --rows 1000000

The emulator runs in its own process (as AFAS would be another machine). The client reads with
keyset paging in slices (administration x year x period), 5 requests in flight, and types every
row (Decimal, date). The reference requests exactly the URLs the client requested, with one
plain httpx.Client and orjson.loads, one at a time and 5 at a time; the ratio is taken against the
faster of the two. After one untimed warm-up pass the four runs alternate for --rounds rounds and the
best time of each is shown. Goal: client time / reference time <= 1.3.
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
from _emulator import start_emulator  # noqa: E402  (benchmarks/_emulator.py; also puts the project on sys.path)

from afas.profit.client import ProfitClient  # noqa: E402
from afas.profit.environment import Environment  # noqa: E402
from afas.profit.filters import Filter, eq  # noqa: E402
from afas.profit.token import ProfitToken  # noqa: E402

KEY = ("UnitId", "EntryNo", "SeqNo")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2, help="timed rounds; the best time of each is shown")
    args = ap.parse_args()

    t0 = time.perf_counter()
    proc, base_url, token_data = start_emulator(args.rows)
    print(f"emulator with ~{args.rows:,} journal lines ready in {time.perf_counter() - t0:.1f} s")
    try:
        token = ProfitToken.parse(token_data)
        client = ProfitClient(Environment.from_base_url(base_url), token)
        periods = client.fetch_all(
            "Profit_periods_per_administration",
            key=("Unit", "Year", "Period"),
            filter=Filter.all(eq("Year", 2025)) | Filter.all(eq("Year", 2026)),
        )
        parts = [
            Filter.all(eq("UnitId", p["Unit"]), eq("Year", p["Year"]), eq("Period", p["Period"]))
            for p in periods
        ]
        client.get_metainfo("Profit_Transactions")  # warm the metainfo cache, as a sync would once
        # Warm-up: one untimed pass, so the emulator's first (cold) queries count against no one.
        urls = [p.params for p in client.pages("Profit_Transactions", key=KEY, partitions=parts, typed=False)]

        header = {
            "Authorization": "AfasToken "
            + base64.b64encode(
                f"<token><version>1</version><data>{token_data}</data></token>".encode()
            ).decode(),
            "Accept": "application/json",
        }
        bare = httpx.Client(base_url=base_url + "/", headers=header, timeout=120)

        def fetch(params: dict) -> int:
            return len(
                orjson.loads(bare.get("connectors/Profit_Transactions", params=params).content)["rows"]
            )

        def run_client(typed: bool) -> int:
            return sum(
                len(p.rows)
                for p in client.pages("Profit_Transactions", key=KEY, partitions=parts, typed=typed)
            )

        def run_seq() -> int:
            return sum(fetch(p) for p in urls)

        def run_par() -> int:
            with ThreadPoolExecutor(5) as pool:
                return sum(pool.map(fetch, urls))

        contenders = {
            "typed": lambda: run_client(True),
            "untyped": lambda: run_client(False),
            "seq": run_seq,
            "par": run_par,
        }
        best: dict[str, float] = {}
        counts: dict[str, int] = {}
        for _ in range(args.rounds):  # alternate, so drift in the machine hits everyone alike
            for name, run in contenders.items():
                t = time.perf_counter()
                counts[name] = run()
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
        client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        client.close()
        bare.close()
        n_client, client_s = counts["typed"], best["typed"]
        n_untyped, untyped_s = counts["untyped"], best["untyped"]
        n_seq, seq_s = counts["seq"], best["seq"]
        n_par, par_s = counts["par"], best["par"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    ref_s = min(seq_s, par_s)
    print()
    print(f"{'':34}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    print(
        f"{'client (typed rows, keyset, 5x)':34}{n_client:>12,}{client_s:>10.2f}{n_client / client_s:>12,.0f}"
    )
    print(
        f"{'client, untyped (typed=False)':34}{n_untyped:>12,}{untyped_s:>10.2f}"
        f"{n_untyped / untyped_s:>12,.0f}"
    )
    print(f"{'bare httpx+orjson, sequential':34}{n_seq:>12,}{seq_s:>10.2f}{n_seq / seq_s:>12,.0f}")
    print(f"{'bare httpx+orjson, 5 threads':34}{n_par:>12,}{par_s:>10.2f}{n_par / par_s:>12,.0f}")
    print(f"requests per pass: {len(urls)}; best of {args.rounds} rounds; RSS {client_peak / 2**20:,.0f} MiB")
    print(
        f"ratio client / fastest bare loop: {client_s / ref_s:.2f}  (goal <= 1.30); "
        f"without typing the rows: {untyped_s / ref_s:.2f}"
    )
    if not (n_client == n_untyped == n_seq == n_par):
        raise SystemExit("row counts differ: the client and the reference did not read the same data")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
