"""A large administration's sync: the full one's peak memory, then the incremental one after a
month-end's worth of new lines, with AFAS-like latency on every request.

    python benchmarks/large_sync.py --rows 10000000
        # goals (issue 16): full sync peak memory < 2 GB; incremental sync after 1,000 changed lines
        #                   < 10 s at 200 ms per request

The emulator (the demo AFAS, ~N journal lines over several years) runs in its own process. Here:
1. a full sync of every GetConnector into a fresh DuckDB file, as the dashboard's Sync page does,
   with no latency (the client as busy as it can be: the worst case for its memory); printed: the
   time, the rows, and the peak RSS of this process (client and DuckDB; the emulator not included);
2. ``--changed`` journal lines booked in Profit through FiEntries (two-line memorial entries, bank
   against cash, spread over the last 20 booking days: a month-end), not timed; then the emulator
   renders its page tables of the changed data (POST /__emulator__/warm), not timed either: that
   re-render of millions of rows is the stand-in's cost, where AFAS answers from its indexes;
3. every request from then on answered after ``--latency-ms`` (the emulator's latency fault);
4. an incremental sync of every GetConnector; printed: its time against the goal, and as the
   reference measured in the same run the requests it made times the latency over the 5 calls AFAS
   allows in flight (the least those requests can take), and the rows it re-read.
The warehouse must then hold exactly the full sync's journal lines plus the new ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
from _emulator import start_emulator  # noqa: E402  (benchmarks/_emulator.py; also puts the project on sys.path)

from afas.profit.client import ProfitClient  # noqa: E402
from afas.profit.environment import Environment  # noqa: E402
from afas.profit.token import ProfitToken  # noqa: E402
from afas.warehouse import sync as wsync  # noqa: E402
from afas.warehouse.db import connection  # noqa: E402

LAST_DAYS = 20  # booking days the new lines fall on


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _booking_days(n: int) -> list[dt.date]:
    """The last ``n`` weekdays up to the demo's last booking day (20 November 2026)."""
    days, d = [], dt.date(2026, 11, 20)
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= dt.timedelta(days=1)
    return days[::-1]


def _memorial(day: dt.date, amount: Decimal) -> dict:
    def line(account: str, debit: Decimal, credit: Decimal) -> dict:
        return {
            "Fields": {
                "VaAs": "1",
                "AcNr": account,
                "EnDa": day.isoformat(),
                "BpDa": day.isoformat(),
                "AmDe": str(debit),
                "AmCr": str(credit),
                "Ds": "Kas naar bank (benchmark)",
            }
        }

    fields = {"Year": str(day.year), "Peri": str(day.month), "UnId": "1", "JoCo": "80"}
    lines = [line("1100", amount, Decimal(0)), line("1000", Decimal(0), amount)]
    return {"FiEntryPar": {"Element": {"Fields": fields, "Objects": {"FiEntries": {"Element": lines}}}}}


def _book(client: ProfitClient, lines: int) -> int:
    days = _booking_days(LAST_DAYS)
    booked = 0
    for i in range(lines // 2):
        result = client.insert("FiEntries", _memorial(days[i % len(days)], Decimal(50 + i % 400)))
        if result.status != 201:
            raise SystemExit(f"FiEntries refused an entry: {result.status} {result.raw}")
        booked += 2
    return booked


def _journal_lines(db: Path) -> int:
    with connection(db) as con:
        return con.execute('SELECT count(*) FROM "Profit_Transactions"').fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--changed", type=int, default=1000, help="journal lines booked before the refresh")
    ap.add_argument("--latency-ms", type=int, default=200)
    args = ap.parse_args()

    t0 = time.perf_counter()
    proc, base_url, token_data = start_emulator(args.rows)
    print(f"emulator with ~{args.rows:,} journal lines ready in {time.perf_counter() - t0:.1f} s")
    try:
        client = ProfitClient(Environment.from_base_url(base_url), ProfitToken.parse(token_data))
        with tempfile.TemporaryDirectory(prefix="afas-large-sync-") as tmp:
            db = Path(tmp) / "warehouse.duckdb"
            t = time.perf_counter()
            full = wsync.sync(db, client)
            full_s, peak = time.perf_counter() - t, _peak_gib()
            failed = [r for r in full if r.status != "ok"]
            if failed:
                raise SystemExit(f"full sync failed: {failed}")
            before = _journal_lines(db)
            print(
                f"full sync of {len(full)} GetConnectors: {full_s:.1f} s, {before:,} journal lines, "
                f"{sum(r.pages for r in full):,} pages"
            )
            print(f"peak RSS of this process (client + DuckDB): {peak:.2f} GiB (goal < 2): "
                  f"{'met' if peak < 2 else 'NOT met'}")  # fmt: skip

            booked = _book(client, args.changed)
            control = base_url.rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/"
            auth = {"Authorization": ProfitToken.parse(token_data).header_value()}
            warm = httpx.post(control + "warm", headers=auth, timeout=600)
            warm.raise_for_status()
            print(f"\nthe emulator re-rendered its page tables after the bookings in "
                  f"{warm.json()['seconds']:.1f} s (its own cost, not AFAS's: not timed)")  # fmt: skip
            rule = {"kind": "latency", "times": None, "latency_ms": args.latency_ms}
            httpx.post(control + "faults", json=rule, headers=auth, timeout=30).raise_for_status()

            requests: list[float] = []
            send = client._send

            def counted(*a: object, **kw: object) -> object:
                t = time.perf_counter()
                try:
                    return send(*a, **kw)
                finally:
                    requests.append(time.perf_counter() - t)

            client._send = counted  # type: ignore[method-assign]
            t = time.perf_counter()
            incremental = wsync.sync(db, client)
            inc_s = time.perf_counter() - t
            client._send = send  # type: ignore[method-assign]
            failed = [r for r in incremental if r.status != "ok"]
            if failed:
                raise SystemExit(f"incremental sync failed: {failed}")
            after = _journal_lines(db)
            [tx] = [r for r in incremental if r.connector == "Profit_Transactions"]
            print(f"booked {booked:,} journal lines over the last {LAST_DAYS} booking days; then "
                  f"{args.latency_ms} ms per request")  # fmt: skip
            print(
                f"incremental sync: {inc_s:.2f} s (goal < 10 s): {'met' if inc_s < 10 else 'NOT met'}; "
                f"Profit_Transactions {tx.mode}, {tx.rows:,} rows re-read in {tx.pages:,} pages"
            )
            least = len(requests) / 5 * args.latency_ms / 1000
            print(f"  reference: {len(requests)} requests / 5 in flight x {args.latency_ms} ms = "
                  f"{least:.2f} s (ratio {inc_s / least:.2f})")  # fmt: skip
            took = sorted(requests)
            print(f"  one request took {took[len(took) // 2] * 1000:.0f} ms (median), "
                  f"{took[-1] * 1000:.0f} ms (slowest): latency, the emulator's own work and any wait "
                  "for one of the 5 calls")  # fmt: skip
            slow = sorted(incremental, key=lambda r: -r.seconds)[:4]
            print("  slowest connectors: " + ", ".join(f"{r.connector} {r.seconds:.2f} s" for r in slow))
            print(f"journal lines in the warehouse: {before:,} + {booked:,} = {after:,}: "
                  f"{'right' if after == before + booked else 'WRONG'}")  # fmt: skip
            print(f"peak RSS of this process overall: {_peak_gib():.2f} GiB")
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
