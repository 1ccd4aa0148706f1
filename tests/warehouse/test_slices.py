"""Slicing a large connector: the probes share the 5 calls with the pages, and empty periods cost
no request once the probes are back."""

from __future__ import annotations

import threading
import time

import duckdb

from afas.emulator.core import Emulator
from afas.warehouse.sync import sync
from tests.conftest import make_client

TX = "Profit_Transactions"


def test_probes_and_pages_never_exceed_five_calls_and_skip_the_periods_without_rows(tmp_path):
    emulator = Emulator(seed=5, transactions=3000)
    in_flight, most, lock = [0], [0], threading.Lock()
    handle = emulator.handle
    requested: list[dict[str, list[str]]] = []

    def counting(req):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.01)  # long enough for the calls to overlap
            return handle(req)
        finally:
            with lock:
                in_flight[0] -= 1

    emulator.handle = counting  # type: ignore[method-assign]

    db = tmp_path / "w.duckdb"
    with make_client(emulator) as client:
        send = client._send

        def recording(method, path, **kwargs):
            if path == f"connectors/{TX}":
                requested.append({k: [str(v)] for k, v in (kwargs.get("params") or {}).items()})
            return send(method, path, **kwargs)

        client._send = recording  # type: ignore[method-assign]
        (result,) = sync(db, client, [TX])
    assert result.status == "ok" and 1 < most[0] <= client.max_in_flight

    cur = emulator.store.cursor()
    with_rows = set(cur.execute("SELECT DISTINCT unit, year, period FROM entry_line").fetchall())
    defined = cur.execute("SELECT count(*) FROM period").fetchall()[0][0]
    probes = [r for r in requested if r.get("take") == ["1"]]
    slices = set()
    for r in requested:
        if r.get("take") == ["1"]:
            continue
        fields = r["filterfieldids"][0].split(";")[0].split(",")
        values = r["filtervalues"][0].split(";")[0].split(",")
        named = dict(zip(fields, values, strict=False))
        slices.add((int(named["UnitId"]), int(named["Year"]), int(named["Period"])))
    assert len(probes) == 2 * len({u for u, _, _ in with_rows})
    assert with_rows <= slices  # every period with rows was fetched...
    assert len(slices - with_rows) <= client.max_in_flight  # ...and at most a first round's guesses more
    assert defined > 3 * len(with_rows)  # (the demo opens years of periods without rows)
    with duckdb.connect(str(db)) as con:
        assert con.execute(f'SELECT count(*) FROM "{TX}"').fetchone()[0] == len(
            cur.execute("SELECT 1 FROM entry_line").fetchall()
        )
