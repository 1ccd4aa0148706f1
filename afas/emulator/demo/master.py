"""The fixed master data: administrations, chart of accounts, journals, VAT codes, currencies,
payment conditions and allocation axes/codes, as tuples, lookup indices and table rows.

The lookup indices (``ACC_IX``, ``VAT_IX``, ``CUR_IX``) map a code to its position in the tuple,
which is how the entry generator refers to accounts, VAT codes and currencies in numpy columns.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

from afas.emulator.demo.dates import MONTH_NAMES, YEARS

__all__ = [
    "ADMINISTRATIONS",
    "ACCOUNTS",
    "ACC_CODES",
    "ACC_IX",
    "JOURNALS",
    "JOURNAL_CODES",
    "VOUCHER_PREFIX",
    "VAT_CODES",
    "VAT_IX",
    "VAT_BP",
    "CURRENCIES",
    "CUR_IX",
    "RATE_E4",
    "PAY_DAYS",
    "ACTIVE_CODES",
    "PERCENTAGES",
    "ALLOCATED",
    "master_rows",
]

ADMINISTRATIONS = ((1, "Demo Groothandel B.V.", "DEMO1"), (2, "Demo Diensten B.V.", "DEMO2"))

# account, description, type, sort, collective type, VAT allowed, preferred VAT code, to_project,
# allocation per axis 1..5, blocked
ACCOUNTS: tuple[tuple[str, str, str, str, str, bool, str | None, str, str, bool], ...] = (
    ("0100", "Gebouwen", "1", "I", "N", True, "5", "N", "NNNNN", False),
    ("0200", "Inventaris", "1", "I", "N", True, "5", "N", "NNNNN", False),
    ("0300", "Vervoermiddelen", "1", "I", "N", True, "5", "N", "NNNNN", False),
    ("0400", "Computers en software", "1", "I", "N", True, "5", "N", "NNNNN", False),
    ("0800", "Eigen vermogen", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("0900", "Resultaat lopend jaar", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("0950", "Langlopende lening ING", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("1000", "Kas", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("1100", "Bank", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("1110", "Bank Rabobank", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("1200", "Spaarrekening", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("1300", "Debiteuren", "1", "GD", "D", True, None, "N", "NNNNN", False),
    ("1301", "Debiteuren buitenland", "1", "GD", "D", True, None, "N", "NNNNN", False),
    ("1400", "Debiteuren overig", "1", "GD", "D", True, None, "N", "NNNNN", False),
    ("1500", "Te vorderen btw", "1", "B", "N", True, None, "N", "NNNNN", False),
    ("1510", "Af te dragen btw", "2", "B", "N", True, None, "N", "NNNNN", False),
    ("1600", "Crediteuren", "2", "GD", "C", True, None, "N", "NNNNN", False),
    ("1700", "Te betalen lonen", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("1710", "Af te dragen loonheffing", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("1800", "Rekening-courant directie", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("1900", "Nog te betalen kosten", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("1901", "Tussenrekening transitorisch", "2", "O", "N", False, None, "N", "NNNNN", False),
    ("1910", "Vooruitbetaalde kosten", "1", "O", "N", False, None, "N", "NNNNN", False),
    ("3000", "Voorraad", "1", "G", "N", False, None, "N", "NNNNN", False),
    ("3020", "Voorraad magazijn", "1", "G", "N", False, None, "N", "NNNNN", False),
    ("3030", "Voorraad onderweg", "1", "G", "N", False, None, "N", "NNNNN", False),
    ("3300", "Voorraadverschillen", "4", "G", "N", False, None, "N", "NNNNN", False),
    ("4000", "Lonen en salarissen", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4010", "Sociale lasten", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4020", "Pensioenlasten", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4100", "Huisvestingskosten", "4", "D", "N", True, "5", "N", "PNNNN", False),
    ("4210", "Inkoopkosten", "4", "G", "N", True, "5", "N", "NNNNN", False),
    ("4300", "Autokosten", "4", "GD", "N", True, "5", "N", "NNNNN", False),
    ("4320", "Projectkosten", "4", "D", "N", True, "5", "V", "NNNNN", False),
    ("4350", "Reiskosten", "4", "D", "N", True, "5", "N", "BBNNN", False),
    ("4400", "Verkoopkosten", "4", "D", "N", True, "5", "N", "NNNBN", False),
    ("4510", "Kantoorkosten", "4", "GD", "N", True, "5", "N", "NNNNN", False),
    ("4520", "Telefoon en internet", "4", "D", "N", True, "5", "N", "NNNNN", False),
    ("4530", "Automatiseringskosten", "4", "GD", "N", True, "5", "N", "NNNNN", False),
    ("4600", "Algemene kosten", "4", "GD", "N", True, "5", "N", "NNNNN", False),
    ("4620", "Bankkosten", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4700", "Afschrijvingskosten", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4800", "Rentekosten", "4", "O", "N", False, None, "N", "NNNNN", False),
    ("4999", "Oude kostenrekening", "4", "O", "N", True, "5", "N", "NNNNN", True),
    ("7000", "Inkoopwaarde omzet", "4", "G", "N", True, "5", "N", "NNNNN", False),
    ("8000", "Omzet diensten", "3", "D", "N", True, "1", "N", "BNNNN", False),
    ("8010", "Omzet hoog", "3", "G", "N", True, "1", "N", "NNNNN", False),
    ("8074", "Omzet vestigingen", "3", "GD", "N", True, "1", "N", "BBNNN", False),
    ("8080", "Omzet projecten", "3", "D", "N", True, "1", "V", "NNNNN", False),
    ("8100", "Omzet laag", "3", "G", "N", True, "2", "N", "NNNNN", False),
    ("8150", "Omzet incasso", "3", "D", "N", True, "1", "N", "NNNNN", False),
    ("8200", "Omzet buitenland", "3", "GD", "N", True, "0", "N", "NNNNB", False),
    ("8900", "Overige opbrengsten", "3", "O", "N", True, None, "N", "NNNNN", False),
)
ACC_CODES = [a[0] for a in ACCOUNTS]
ACC_IX = {code: i for i, code in enumerate(ACC_CODES)}

JOURNALS = (
    ("10", "Inkoopboek", "I", False),
    ("20", "Verkoopboek", "V", False),
    ("40", "Kasboek", "K", False),
    ("50", "Bankboek ING", "B", False),
    ("80", "Memoriaal", "M", False),
    ("82", "Memoriaal transitorisch", "M", False),
    ("95", "Voorraadmutaties", "M", False),
    ("99", "Oud memoriaal", "M", True),
)
VOUCHER_PREFIX = {"10": "IK", "20": "VK", "40": "KB", "50": "BK", "80": "MB", "82": "MT", "95": "VR"}
JOURNAL_CODES = [j[0] for j in JOURNALS]

# code, description, account, percentage, vat_type, blocked
VAT_CODES = (
    ("0", "Geen btw", None, "0.00", "V", False),
    ("1", "Btw hoog verkoop", "1510", "21.00", "V", False),
    ("2", "Btw laag verkoop", "1510", "9.00", "V", False),
    ("5", "Btw hoog inkoop", "1500", "21.00", "I", False),
    ("6", "Btw laag inkoop", "1500", "9.00", "I", False),
    ("7", "Verlegd", None, "0.00", "I", False),
    ("9", "Oude code", "1510", "19.00", "V", True),
)
VAT_IX = {v[0]: i for i, v in enumerate(VAT_CODES)}
VAT_BP = np.array([int(Decimal(v[3]) * 100) for v in VAT_CODES], dtype=np.int64)  # basis points

# id, description, exchange rate (EUR per unit of the currency)
CURRENCIES = (
    ("EUR", "Euro", "1.0000"),
    ("GBP", "Britse pond", "1.1700"),
    ("USD", "Amerikaanse dollar", "0.9200"),
    ("NOK", "Noorse kroon", "0.0850"),
    ("SEK", "Zweedse kroon", "0.0880"),
    ("CHF", "Zwitserse frank", "1.0650"),
)
CUR_IX = {c[0]: i for i, c in enumerate(CURRENCIES)}
RATE_E4 = np.array([int(Decimal(c[2]) * 10000) for c in CURRENCIES], dtype=np.int64)

# code, description, net days, discount days, discount %, blocked
_PAY_CONDITIONS = (
    ("0", "Contant", 0, None, None, False),
    ("8", "8 dagen 2% korting", 30, 8, "2.00", False),
    ("14", "14 dagen", 14, None, None, False),
    ("30", "30 dagen", 30, None, None, False),
    ("45", "45 dagen", 45, None, None, True),
    ("60", "60 dagen", 60, None, None, False),
)
PAY_DAYS = {p[0]: p[2] for p in _PAY_CONDITIONS}

_AXES = ((1, "Kostenplaats"), (2, "Kostendrager"), (3, "Afdeling"), (4, "Regio"), (5, "Product"))
_AXIS_CODES: dict[int, tuple[tuple[str, str, bool], ...]] = {
    1: (
        ("11", "Algemeen", False),
        ("HOOFD", "Hoofdkantoor", False),
        ("NOORD", "Vestiging Noord", False),
        ("OOST", "Vestiging Oost", False),
        ("WEST", "Vestiging West", False),
        ("ZUID", "Vestiging Zuid", False),
        ("OUD", "Oude kostenplaats", True),
    ),
    2: (
        ("CO", "Consultancy", False),
        ("FIN", "Financiële diensten", False),
        ("ICT", "ICT-diensten", False),
        ("PZ", "Personeelszaken", False),
    ),
    3: (("ADM", "Administratie", False), ("LOG", "Logistiek", False)),
    4: (("NOORD", "Regio Noord", False), ("ZUID", "Regio Zuid", False)),
    5: (("MAAT", "Maatwerk", False), ("STD", "Standaard", False)),
}
ACTIVE_CODES = {ax: [c[0] for c in codes if not c[2]] for ax, codes in _AXIS_CODES.items()}
# Automatic ('P') allocation percentages per account and axis.
PERCENTAGES = {("4100", 1): (("HOOFD", 50), ("NOORD", 30), ("ZUID", 20))}


def _allocation_spec(account: tuple[Any, ...]) -> dict[int, str]:
    return {ax: mode for ax, mode in enumerate(account[8], start=1) if mode != "N"}


ALLOCATED = {ACC_IX[a[0]]: _allocation_spec(a) for a in ACCOUNTS if _allocation_spec(a)}


def master_rows() -> dict[str, list[dict[str, Any]]]:
    setup_time = dt.datetime(2012, 12, 3, 9)
    rate = Decimal("1E-10")
    rows: dict[str, list[dict[str, Any]]] = {
        "administration": [{"unit": u, "name": n, "code": c} for u, n, c in ADMINISTRATIONS],
        "account": [
            {
                "account": a,
                "description": d,
                "type": t,
                "sort": s,
                "blocked": bl,
                "collect_account": ct != "N",
                "collect_account_type": ct,
                "vat_allowed": va,
                "vat_code": vc,
                "budget": "B" if t in "34" else "N",
                "to_project": tp,
                **{f"dim_ax{i + 1}": dims[i] for i in range(5)},
            }
            for a, d, t, s, ct, va, vc, tp, dims, bl in ACCOUNTS
        ],
        "journal": [
            {"unit": u, "journal_id": j, "description": d, "journal_type": t, "blocked": b}
            for u, *_ in ADMINISTRATIONS
            for j, d, t, b in JOURNALS
        ],
        "period": [
            {
                "unit": u,
                "year": y,
                "period": p,
                "description": f"{MONTH_NAMES[p - 1].capitalize()} {y}",
                "date_from": dt.date(y, p, 1),
                "date_to": dt.date(y, p, calendar.monthrange(y, p)[1]),
                "blocked": (y == 2025 and p <= 9) or (u == 2 and y == 2024),
                "period_table": 1,
                "table_desc": "Maanden",
            }
            for u, *_ in ADMINISTRATIONS
            for y in YEARS
            for p in range(1, 13)
        ],
        "vat_code": [
            {
                "vat_code": c,
                "description": d,
                "account_nr": a,
                "vat_perc": Decimal(p),
                "vat_duty": "1",
                "blocked": b,
                "vat_method": "1",
                "vat_type": t,
            }
            for c, d, a, p, t, b in VAT_CODES
        ],
        "currency": [
            {
                "currency_id": c,
                "description": d,
                "exchange_rate": Decimal(r).quantize(rate),
                "start_date": dt.date(2025, 1, 1),
                "daily_rate": Decimal(r).quantize(rate),
            }
            for c, d, r in CURRENCIES
        ],
        "payment_condition": [
            {
                "code": c,
                "description": d,
                "days": n,
                "discount_days": dd,
                "discount_perc": None if dp is None else Decimal(dp),
                "blocked": b,
            }
            for c, d, n, dd, dp, b in _PAY_CONDITIONS
        ],
        "allocation_axis": [{"ax_id": a, "description": d, "active": True} for a, d in _AXES],
        "allocation_code": [
            {
                "ax_id": a,
                "code": c,
                "description": d,
                "selection": None,
                "track_qty": False,
                "blocked": b,
                "created": setup_time,
                "modified": setup_time,
            }
            for a, codes in _AXIS_CODES.items()
            for c, d, b in codes
        ],
        "allocation_assignment": [
            {"unit": u, "account": ACC_CODES[acc], "ax_id": ax, "code": code}
            for u, *_ in ADMINISTRATIONS
            for acc, spec in ALLOCATED.items()
            for ax, mode in spec.items()
            for code in (
                [c for c, _ in PERCENTAGES[(ACC_CODES[acc], ax)]] if mode == "P" else ACTIVE_CODES[ax]
            )
        ],
    }
    return rows
