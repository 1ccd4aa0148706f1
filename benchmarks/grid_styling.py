"""What writing a grid's amounts and counts ourselves costs (afas.ui.grid.localized_grid): the Styler's
display values Streamlit sends beside the data, against sending the data alone (the reference,
measured in the same run), per grid size up to STYLED_ROWS.

    python benchmarks/grid_styling.py

Each row is a results-grid row: four texts, a date, three amounts, two counts. Prints the seconds
of each and their ratio; the styled grid is sent on every rerun of the page that shows it.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
from streamlit import dataframe_util  # noqa: E402
from streamlit.elements.lib.pandas_styler_utils import marshall_styler  # noqa: E402
from streamlit.proto.ArrowData_pb2 import ArrowData  # noqa: E402

from afas.i18n import Language, using  # noqa: E402
from afas.ui.grid import STYLED_ROWS, localized_grid  # noqa: E402

MONEY = ["AFAS amount", "Ledger amount", "Difference"]
COUNTS = ["Group", "Lines"]


def _table(rows: int) -> pa.Table:
    money = pa.decimal128(18, 2)
    return pa.table(
        {
            "Result": ["matched"] * rows,
            "Pass": ["voucher"] * rows,
            "Reason": [f"voucher BK{n:08d} equal, amount equal" for n in range(rows)],
            "Voucher": [f"BK{n:08d}" for n in range(rows)],
            "Date": [dt.date(2026, 1, 1) + dt.timedelta(days=n % 365) for n in range(rows)],
            **{c: pa.array([Decimal(n * 37 % 100000) / 100 for n in range(rows)], money) for c in MONEY},
            **{c: list(range(rows)) for c in COUNTS},
        }
    )


def _best(fn, repeat: int = 5) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print(f"{'rows':>6} {'data alone s':>13} {'styled s':>9} {'ratio':>6}")
    for rows in (100, 500, STYLED_ROWS):
        table = _table(rows)
        frame = table.to_pandas()
        plain = _best(lambda: dataframe_util.convert_pandas_df_to_arrow_bytes(frame))  # noqa: B023

        def styled() -> None:
            with using(Language.NL):
                data, _ = localized_grid(table, MONEY, COUNTS)  # noqa: B023
            marshall_styler(ArrowData(), data, "bench")
            dataframe_util.convert_pandas_df_to_arrow_bytes(data.data)

        seconds = _best(styled)
        print(f"{rows:>6} {plain:>13.4f} {seconds:>9.4f} {seconds / plain:>6.1f}")


if __name__ == "__main__":
    main()
