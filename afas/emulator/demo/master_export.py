"""The shipped demo customer list: the demo administration's customers as another system exports
them (Dutch CSV), with differences planted: customers missing in that system, new customers not yet
in AFAS, and changed e-mail addresses, IBANs and payment terms.

``python -m afas.emulator.demo.master_export`` rewrites data/demo_customers.csv; a test checks the
shipped file is exactly what this produces.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

__all__ = ["DEMO_CUSTOMERS", "HEADER", "demo_customer_rows", "render_csv", "write_demo_customers"]

DEMO_CUSTOMERS = Path(__file__).resolve().parents[3] / "data" / "demo_customers.csv"
HEADER = ("Klantnummer", "Naam", "E-mail", "IBAN", "Betalingsconditie")
NEW_CUSTOMERS = (
    ("K-9001", "Bakkerij Zonneveld B.V.", "info@bakkerijzonneveld.nl", "NL02ABNA0123456789", "14"),
    ("K-9002", "Jan de Boer", "jan.deboer@example.nl", "NL91ABNA0417164300", "30"),
    ("K-9003", "Installatiebedrijf Kramer & Zn. B.V.", "administratie@kramer-installatie.nl", "", "30"),
)


def demo_customer_rows(emulator: object, seed: int = 11) -> list[tuple[str, ...]]:
    from afas.emulator.getconnectors import GET_CONNECTORS
    from afas.emulator.query import source_sql

    sql = source_sql(GET_CONNECTORS["Profit_Debtor"])
    cur = emulator.store.cursor()  # type: ignore[attr-defined]
    rows = cur.execute(
        f'SELECT "DebtorId", "DebtorName", "Email", "IBAN", "PayCon" FROM ({sql}) ORDER BY "DebtorId"'
    ).fetchall()
    rng = random.Random(seed)
    picks = rng.sample(range(len(rows)), 6)
    missing, mail, iban, terms = picks[:2], picks[2:4], picks[4], picks[5]
    out = []
    for i, (number, name, email, account, pay) in enumerate(rows):
        if i in missing:
            continue
        if i in mail:
            email = "facturen@" + (email.split("@", 1)[1] if email and "@" in email else "example.nl")
        if i == iban:
            account = "NL20INGB0001234567"
        if i == terms:
            pay = "60" if pay != "60" else "30"
        out.append((number, name, email or "", account or "", pay or ""))
    return out + list(NEW_CUSTOMERS)


def render_csv(rows: list[tuple[str, ...]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("cp1252")


def write_demo_customers(path: Path = DEMO_CUSTOMERS) -> Path:
    from afas.emulator.core import Emulator

    path.write_bytes(render_csv(demo_customer_rows(Emulator(seed=1, transactions=20000))))
    return path


if __name__ == "__main__":
    print(write_demo_customers())
