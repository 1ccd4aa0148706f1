"""A deterministic Dutch demo environment for the emulator, at any scale.

``populate(store, seed=..., transactions=...)`` fills an empty Store with two administrations, their
master data (chart of accounts, journals, periods, VAT codes, relations, allocation codes) and
journal entries for 2025-2026: sales and purchase invoices with their (partial) payments, cash,
salaries, depreciation, accruals, stock mutations and VAT returns. Everything derives from the seed
and the requested number of lines, never from the clock, so equal arguments give byte-identical
tables. The keys AFAS's official FiEntries/relation examples refer to exist, and the keys they
create do not, so those examples can be replayed against the demo.

Journal lines are built as numpy columns (amounts in integer cents) one entry kind at a time and
bulk-loaded through Arrow; only master data (a few thousand rows at most) is built row by row.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from afas.emulator.store import Store

__all__ = ["FIRST_ENTRY_DATE", "LAST_ENTRY_DATE", "DemoSummary", "populate"]

FIRST_ENTRY_DATE = dt.date(2025, 1, 2)
LAST_ENTRY_DATE = dt.date(2026, 11, 20)
_YEARS = range(2013, 2028)
_FIRST = np.datetime64(FIRST_ENTRY_DATE, "D")
_LAST = np.datetime64(LAST_ENTRY_DATE, "D")
# Dutch public holidays in the booking range (2025 is a lustrum year, so 5 May is a day off).
_CAL = np.busdaycalendar(
    holidays=[
        "2025-01-01",
        "2025-04-21",
        "2025-05-05",
        "2025-05-29",
        "2025-06-09",
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-06",
        "2026-04-27",
        "2026-05-14",
        "2026-05-25",
    ]
)
_WORKDAYS = np.arange(_FIRST, _LAST + 1)[np.is_busday(np.arange(_FIRST, _LAST + 1), busdaycal=_CAL)]
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_N_MONTHS = 23  # January 2025 .. November 2026

# ---------------------------------------------------------------------------------------------
# Master data
# ---------------------------------------------------------------------------------------------

ADMINISTRATIONS = ((1, "Demo Groothandel B.V.", "DEMO1"), (2, "Demo Diensten B.V.", "DEMO2"))

# account, description, type, sort, collective type, VAT allowed, preferred VAT code, to_project,
# allocation per axis 1..5, blocked
_ACCOUNTS: tuple[tuple[str, str, str, str, str, bool, str | None, str, str, bool], ...] = (
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
_ACC_CODES = [a[0] for a in _ACCOUNTS]
_A = {code: i for i, code in enumerate(_ACC_CODES)}

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
_VOUCHER_PREFIX = {"10": "IK", "20": "VK", "40": "KB", "50": "BK", "80": "MB", "82": "MT", "95": "VR"}

# code, description, account, percentage, vat_type, blocked
_VAT_CODES = (
    ("0", "Geen btw", None, "0.00", "V", False),
    ("1", "Btw hoog verkoop", "1510", "21.00", "V", False),
    ("2", "Btw laag verkoop", "1510", "9.00", "V", False),
    ("5", "Btw hoog inkoop", "1500", "21.00", "I", False),
    ("6", "Btw laag inkoop", "1500", "9.00", "I", False),
    ("7", "Verlegd", None, "0.00", "I", False),
    ("9", "Oude code", "1510", "19.00", "V", True),
)
_V = {v[0]: i for i, v in enumerate(_VAT_CODES)}
_VAT_BP = np.array([int(Decimal(v[3]) * 100) for v in _VAT_CODES], dtype=np.int64)  # basis points

# id, description, exchange rate (EUR per unit of the currency)
_CURRENCIES = (
    ("EUR", "Euro", "1.0000"),
    ("GBP", "Britse pond", "1.1700"),
    ("USD", "Amerikaanse dollar", "0.9200"),
    ("NOK", "Noorse kroon", "0.0850"),
    ("SEK", "Zweedse kroon", "0.0880"),
    ("CHF", "Zwitserse frank", "1.0650"),
)
_CUR = {c[0]: i for i, c in enumerate(_CURRENCIES)}
_RATE_E4 = np.array([int(Decimal(c[2]) * 10000) for c in _CURRENCIES], dtype=np.int64)

# code, description, net days, discount days, discount %, blocked
_PAY_CONDITIONS = (
    ("0", "Contant", 0, None, None, False),
    ("8", "8 dagen 2% korting", 30, 8, "2.00", False),
    ("14", "14 dagen", 14, None, None, False),
    ("30", "30 dagen", 30, None, None, False),
    ("45", "45 dagen", 45, None, None, True),
    ("60", "60 dagen", 60, None, None, False),
)
_PAY_DAYS = {p[0]: p[2] for p in _PAY_CONDITIONS}

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
_ACTIVE_CODES = {ax: [c[0] for c in codes if not c[2]] for ax, codes in _AXIS_CODES.items()}
# Automatic ('P') allocation percentages per account and axis.
_PERCENTAGES = {("4100", 1): (("HOOFD", 50), ("NOORD", 30), ("ZUID", 20))}


def _allocation_spec(account: tuple[Any, ...]) -> dict[int, str]:
    return {ax: mode for ax, mode in enumerate(account[8], start=1) if mode != "N"}


_ALLOCATED = {_A[a[0]]: _allocation_spec(a) for a in _ACCOUNTS if _allocation_spec(a)}

# Relations AFAS's official examples refer to: debtor -> (party number or None, kind, country, currency).
_NL_EUR = ("O", "NL", "EUR")
_PINNED_DEBTORS: dict[str, tuple[str | None, str, str, str]] = {
    "10004": (None, *_NL_EUR),
    "10044": (None, *_NL_EUR),
    "10060": (None, *_NL_EUR),
    "10079": ("1000203", *_NL_EUR),
    "10100": ("1000241", *_NL_EUR),
    "10114": (None, *_NL_EUR),
    "10140": ("1000310", *_NL_EUR),
    "10150": ("1000325", *_NL_EUR),
    "10178": ("1000372", *_NL_EUR),
    "10205": ("1000425", *_NL_EUR),
    "10208": (None, *_NL_EUR),
    "20000": (None, "O", "GB", "GBP"),
    "49999": (None, *_NL_EUR),
    "50001": (None, *_NL_EUR),
    "50009": ("1000798", "P", "NL", "EUR"),
}
_PINNED_CREDITORS: dict[str, tuple[str | None, str, str, str]] = {
    "50000": (None, *_NL_EUR),
    "50003": ("1000017", *_NL_EUR),
    "50005": ("1000021", *_NL_EUR),
    "50011": ("1000029", *_NL_EUR),
    "50013": (None, *_NL_EUR),
    "50017": ("1000040", *_NL_EUR),
    "50028": ("1000726", *_NL_EUR),
    "60002": (None, "O", "N", "NOK"),
    "60005": (None, *_NL_EUR),
    "60014": (None, *_NL_EUR),
    "60021": (None, *_NL_EUR),
    "60024": (None, "P", "NL", "EUR"),
}
_PINNED_PARTIES = {"1000002": "O", "1000169": "P", "1000348": "P"}  # parties that are no relation
_SPECIAL_NAMES = {"49999": "Diverse debiteuren", "50000": "Diverse crediteuren"}
# Keys the official examples create, so they must stay free.
_FREE_DEBTORS = frozenset({"125809", "125810", "20010", "20020", "20021", "40409", "40999", "49978"})
_FREE_CREDITORS = frozenset({"32301", "32303", "70000"})
_FREE_PARTIES = frozenset({"10001", "32300", "1001492"})

_FIRST_NAMES = (
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Willem",
    "Anna",
    "Maria",
    "Sanne",
    "Lotte",
    "Emma",
    "Daan",
    "Sem",
    "Lucas",
    "Julia",
    "Sophie",
    "Thomas",
    "Ruben",
    "Lisa",
    "Eva",
    "Bram",
    "Femke",
    "Joost",
    "Marieke",
    "Niels",
    "Inge",
    "Gert",
    "Annelies",
    "Rik",
    "Fleur",
    "Koen",
)
_SURNAMES = (
    ("de", "Vries"),
    ("", "Jansen"),
    ("van den", "Berg"),
    ("", "Bakker"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("de", "Jong"),
    ("van", "Dijk"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Wijk"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("", "Prins"),
    ("", "Huisman"),
    ("", "Post"),
    ("", "Kuipers"),
    ("van", "Vliet"),
    ("", "Boersma"),
    ("", "Timmermans"),
    ("", "Kramer"),
    ("", "Wouters"),
)
_CUSTOMER_TRADES = (
    "Bakkerij",
    "Restaurant",
    "Hotel",
    "Café",
    "Slagerij",
    "Cateringbedrijf",
    "Supermarkt",
    "Bouwbedrijf",
    "Installatiebedrijf",
    "Tandartspraktijk",
    "Fysiotherapie",
    "Garagebedrijf",
    "Bloemisterij",
    "Drukkerij",
    "Kinderopvang",
    "Zorggroep",
    "Accountantskantoor",
    "Advocatenkantoor",
    "Reisbureau",
    "Sportschool",
    "Hoveniersbedrijf",
    "Schildersbedrijf",
    "Timmerbedrijf",
    "Makelaardij",
    "Architectenbureau",
    "Webdesign",
    "Brasserie",
    "Lunchroom",
)
_SUPPLIER_TRADES = (
    "Kantoorvakhandel",
    "Transportbedrijf",
    "Drukkerij",
    "Schoonmaakbedrijf",
    "Autobedrijf",
    "ICT Services",
    "Energiehandel",
    "Beveiliging",
    "Uitzendbureau",
    "Koeriersdienst",
    "Verpakkingen",
    "Groothandel",
    "Leasemaatschappij",
    "Telecom",
    "Installatietechniek",
    "Adviesbureau",
    "Softwarebedrijf",
    "Koffieservice",
    "Groenvoorziening",
    "Vastgoed",
)
_COMPANY_WORDS = (
    "Installatietechniek",
    "Transport",
    "Bouw",
    "Advies",
    "Groep",
    "Techniek",
    "Logistiek",
    "Handelsonderneming",
    "Beheer",
    "Dienstverlening",
)
_STREETS = (
    "Hoofdstraat",
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Industrieweg",
    "Molenweg",
    "Nieuwstraat",
    "Schoolstraat",
    "Marktplein",
    "Handelsweg",
    "Havenstraat",
    "Keizersgracht",
    "Parallelweg",
    "Energieweg",
    "Kanaalweg",
    "Julianastraat",
    "Wilhelminastraat",
    "Beatrixlaan",
    "Prins Bernhardlaan",
    "Zuiderweg",
    "Ambachtsweg",
    "Spoorlaan",
)
# city, lowest and highest postcode digits, area code
_NL_CITIES = (
    ("Amsterdam", 1011, 1109, "020"),
    ("Rotterdam", 3011, 3089, "010"),
    ("Den Haag", 2511, 2597, "070"),
    ("Utrecht", 3511, 3585, "030"),
    ("Eindhoven", 5611, 5658, "040"),
    ("Groningen", 9711, 9747, "050"),
    ("Tilburg", 5011, 5049, "013"),
    ("Almere", 1311, 1363, "036"),
    ("Breda", 4811, 4839, "076"),
    ("Nijmegen", 6511, 6546, "024"),
    ("Apeldoorn", 7311, 7339, "055"),
    ("Haarlem", 2011, 2037, "023"),
    ("Arnhem", 6811, 6846, "026"),
    ("Zwolle", 8011, 8048, "038"),
    ("Leeuwarden", 8911, 8941, "058"),
    ("Maastricht", 6211, 6229, "043"),
    ("Amersfoort", 3811, 3829, "033"),
    ("Enschede", 7511, 7548, "053"),
    ("Deventer", 7411, 7429, "0570"),
    ("Alkmaar", 1811, 1827, "072"),
)
_MAIL_PROVIDERS = ("gmail.com", "ziggo.nl", "kpnmail.nl", "outlook.com", "hotmail.nl")
_NL_BANKS = ("INGB", "RABO", "ABNA", "SNSB", "TRIO", "KNAB", "BUNQ", "ASNB")
_ZIP_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"


@dataclass(frozen=True)
class _Country:
    """How relations established in another country look."""

    cities: tuple[tuple[str, str], ...]  # city, postcode
    streets: tuple[str, ...]
    surnames: tuple[str, ...]
    trades: tuple[str, ...]
    form: str  # legal form appended to company names
    iban: str | None  # IBAN country code; None where IBANs are not used
    phone: str
    mail: str  # top-level domain


_FOREIGN = {
    "B": _Country(
        (
            ("Antwerpen", "2000"),
            ("Gent", "9000"),
            ("Brussel", "1000"),
            ("Brugge", "8000"),
            ("Leuven", "3000"),
        ),
        ("Meir", "Kouter", "Louizalaan", "Steenstraat", "Bondgenotenlaan"),
        (
            "Peeters",
            "Janssens",
            "Maes",
            "Mertens",
            "Claes",
            "Goossens",
            "Wouters",
            "De Smet",
            "Jacobs",
            "Willems",
            "Dubois",
            "Lambert",
            "Hermans",
            "Michiels",
            "Lemmens",
            "Desmet",
        ),
        (
            "Horeca",
            "Bouw",
            "Catering",
            "Logistiek",
            "Techniek",
            "Distributie",
            "Interieur",
            "Food",
            "Verpakking",
            "Groep",
        ),
        "BV",
        "BE",
        "+32 3",
        "be",
    ),
    "D": _Country(
        (
            ("Düsseldorf", "40213"),
            ("Köln", "50667"),
            ("Aachen", "52062"),
            ("Münster", "48143"),
            ("Duisburg", "47051"),
        ),
        ("Königsallee", "Hohe Straße", "Hauptstraße", "Bahnhofstraße"),
        (
            "Müller",
            "Schmidt",
            "Becker",
            "Weber",
            "Fischer",
            "Hoffmann",
            "Schulz",
            "Wagner",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Neumann",
            "Schwarz",
            "Zimmermann",
            "Braun",
        ),
        (
            "Handels",
            "Logistik",
            "Technik",
            "Großhandel",
            "Gastronomie",
            "Bau",
            "Elektro",
            "Maschinenbau",
            "Verpackung",
            "Lebensmittel",
        ),
        "GmbH",
        "DE",
        "+49 211",
        "de",
    ),
    "GB": _Country(
        (
            ("London", "EC1A 1BB"),
            ("Manchester", "M1 1AE"),
            ("Birmingham", "B1 1AA"),
            ("Leeds", "LS1 4AP"),
            ("Bristol", "BS1 4ND"),
        ),
        ("High Street", "Station Road", "Church Lane", "Victoria Road", "Market Street"),
        (
            "Smith",
            "Taylor",
            "Brown",
            "Wilson",
            "Evans",
            "Roberts",
            "Johnson",
            "Thomas",
            "Walker",
            "Wright",
            "Hughes",
            "Green",
            "Hall",
            "Wood",
            "Clarke",
            "Jackson",
        ),
        (
            "Trading",
            "Hospitality",
            "Supplies",
            "Catering",
            "Engineering",
            "Foods",
            "Logistics",
            "Packaging",
            "Systems",
            "Imports",
        ),
        "Ltd",
        "GB",
        "+44 20",
        "co.uk",
    ),
    "N": _Country(
        (("Oslo", "0150"), ("Bergen", "5003")),
        ("Karl Johans gate", "Bryggen"),
        ("Hansen", "Johansen", "Olsen", "Larsen"),
        ("Fisk", "Handel", "Emballasje", "Shipping"),
        "AS",
        "NO",
        "+47 22",
        "no",
    ),
    "S": _Country(
        (("Stockholm", "111 52"), ("Göteborg", "411 03")),
        ("Drottninggatan", "Kungsgatan"),
        ("Svensson", "Lindqvist", "Karlsson", "Nilsson"),
        ("Trä", "Verktyg", "Kontor", "Design"),
        "AB",
        "SE",
        "+46 8",
        "se",
    ),
    "CH": _Country(
        (("Zürich", "8001"), ("Basel", "4051")),
        ("Bahnhofstrasse", "Freie Strasse"),
        ("Keller", "Meier", "Brunner", "Baumann"),
        ("Präzision", "Technik", "Uhren", "Handels"),
        "AG",
        "CH",
        "+41 44",
        "ch",
    ),
    "USA": _Country(
        (("New York", "NY 10001"), ("Boston", "MA 02108")),
        ("Broadway", "Main Street"),
        ("Hudson", "Carter", "Miller", "Davis"),
        ("Supply", "Software", "Trading", "Systems"),
        "Inc.",
        None,
        "+1 212",
        "com",
    ),
}
_LEGAL_FORMS = ("B.V.", *sorted({c.form for c in _FOREIGN.values()}))
_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ë": "e", "ï": "i", "&": ""}
)
_COUNTRY_CURRENCY = {"N": "NOK", "S": "SEK", "CH": "CHF", "USA": "USD"}


@dataclass(frozen=True)
class DemoSummary:
    """What ``populate`` generated: rows per table plus the headline figures of the ledger."""

    seed: int
    transactions: int
    counts: dict[str, int]
    lines: int
    entries: int
    years: tuple[int, ...]


# ---------------------------------------------------------------------------------------------
# Relations
# ---------------------------------------------------------------------------------------------


@dataclass
class _Relations:
    """Debtors then creditors, as rows for the tables and as columns for the entry generator."""

    parties: list[dict[str, Any]]
    debtors: list[dict[str, Any]]
    creditors: list[dict[str, Any]]
    ids: list[str]  # relation number, debtors first
    names: list[str]
    collect: np.ndarray  # collective account index
    currency: np.ndarray  # currency index
    pay_days: np.ndarray
    foreign: np.ndarray  # established outside the Netherlands
    debtor_pool: np.ndarray  # relation indices that may receive new invoices
    debtor_p: np.ndarray
    creditor_pool: np.ndarray
    creditor_p: np.ndarray


def _iban(country: str, bban: str) -> str:
    """An IBAN whose check digits are right (ISO 13616 mod-97)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


class _People:
    """Realistic Dutch (and a few foreign) names, addresses and numbers, drawn from one rng."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def pick(self, seq: tuple[Any, ...]) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    def digits(self, n: int) -> str:
        return "".join(str(d) for d in self.rng.integers(0, 10, n))

    def unique(self, make: Callable[[], tuple[str, list[str]]]) -> str:
        """A name nobody has yet: redrawn a few times, then a variant of the last draw."""
        for _ in range(25):
            name, variants = make()
            if name not in self.used:
                break
        last = variants[-1] if variants else name
        for candidate in itertools.chain((name, *variants), (f"{last} {i}" for i in itertools.count(2))):
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        raise AssertionError("unreachable")  # itertools.count never ends

    def person_name(self) -> tuple[str, list[str]]:
        first = self.pick(_FIRST_NAMES)
        rest = " ".join(p for p in self.pick(_SURNAMES) if p)
        return f"{first} {rest}", [f"{first} {i}. {rest}" for i in "ABCDEGHJKLMNPRSTVW"]

    def company_name(self, country: str, customer: bool, city: str) -> tuple[str, list[str]]:
        """A company name, and variants with the city before the legal form."""
        if country != "NL":
            abroad = _FOREIGN[country]
            base, form = f"{self.pick(abroad.surnames)} {self.pick(abroad.trades)}", abroad.form
        else:
            trade = self.pick(_CUSTOMER_TRADES if customer else _SUPPLIER_TRADES)
            lower = " ".join(p for p in self.pick(_SURNAMES) if p)
            form, style = "B.V.", self.rng.random()
            if style < 0.45:
                base = f"{trade} {lower}"
            elif style < 0.60:
                base, form = f"{trade} {lower}", ""
            elif style < 0.85:
                base = f"{lower[0].upper()}{lower[1:]} {self.pick(_COMPANY_WORDS)}"
            else:
                base = f"{trade} {city}"
        return f"{base} {form}".rstrip(), [f"{base} {city} {form}".rstrip()] if city not in base else []

    def bban(self, country: str) -> str:
        """A national account number in the IBAN layout of the country."""
        if country == "BE":
            account = self.digits(10)
            return account + f"{int(account) % 97 or 97:02d}"
        if country == "GB":
            return self.pick(("BARC", "NWBK", "HBUK", "LOYD")) + self.digits(14)
        if country == "NL":
            return self.pick(_NL_BANKS) + self.nl_account()
        return self.digits({"DE": 18, "NO": 11, "SE": 20, "CH": 17}[country])

    def nl_account(self) -> str:
        while True:  # the old Dutch "elfproef" on the 10-digit account number
            d = [int(x) for x in self.rng.integers(0, 10, 9)]
            rest = -sum(w * x for w, x in zip(range(10, 1, -1), d, strict=True)) % 11
            if rest < 10 and d[0] + d[1] > 0:
                return "".join(map(str, d)) + str(rest)

    def party(self, bc_co: str, kind: str, country: str, customer: bool, name: str | None) -> dict[str, Any]:
        rng = self.rng
        house_add = None
        if country == "NL":
            city, low, high, area = self.pick(_NL_CITIES)
            letters = "".join(self.pick(tuple(_ZIP_LETTERS)) for _ in range(2))
            zip_ = f"{int(rng.integers(low, high + 1))} {'AB' if letters in ('SA', 'SD', 'SS') else letters}"
            street = self.pick(_STREETS)
            house_add = self.pick(("A", "B", "-2", "bis")) if rng.random() < 0.1 else None
            iban: str | None = _iban("NL", self.bban("NL"))
            phone = f"{area}-{self.digits(10 - len(area))}"
        else:
            abroad = _FOREIGN[country]
            city, zip_ = self.pick(abroad.cities)
            street = self.pick(abroad.streets)
            iban = _iban(abroad.iban, self.bban(abroad.iban)) if abroad.iban else None
            phone = f"{abroad.phone} {self.digits(7)}"
        if kind == "P":
            name = name or self.unique(self.person_name)
            slug = re.sub(r"[^a-z.]", "", name.lower().replace(" ", "."))
            email = f"{slug}@{self.pick(_MAIL_PROVIDERS)}"
            phone = f"06-{self.digits(8)}" if country == "NL" else phone
            coc_nr = None
        else:
            name = name or self.unique(lambda: self.company_name(country, customer, city))
            forms = {f.lower().replace(".", "") for f in _LEGAL_FORMS}
            words = [w for w in re.sub(r"[^\w ]", "", name.lower()).split() if w not in forms]
            domain = _FOREIGN[country].mail if country != "NL" else "nl"
            email = f"info@{''.join(words).translate(_ASCII) or 'relatie'}.{domain}"
            coc_nr = self.digits(8) if country == "NL" else None
        return {
            "bc_co": bc_co,
            "kind": kind,
            "name": name,
            "search_name": re.sub(r"[^A-Za-z0-9]", "", name).upper()[:10],
            "coc_nr": coc_nr,
            "fiscal_nr": None,
            "phone": phone,
            "email": email,
            "street": street,
            "house_nr": str(int(rng.integers(1, 250))),
            "house_add": house_add,
            "zip": zip_,
            "city": city,
            "country": country,
            "iban": iban,
        }


def _relation_counts(transactions: int) -> tuple[int, int]:
    return (
        min(2000, max(len(_PINNED_DEBTORS) + 45, 60 + transactions // 500)),
        min(2000, max(len(_PINNED_CREDITORS) + 28, 40 + transactions // 750)),
    )


def _sample_ids(rng: np.random.Generator, ranges: list[range], n: int, taken: set[str]) -> list[str]:
    pool = np.concatenate([np.arange(r.start, r.stop) for r in ranges])
    pool = pool[~np.isin(pool.astype(str), sorted(taken))]
    return sorted(str(x) for x in rng.choice(pool, n, replace=False))


def _relations(rng: np.random.Generator, n_debtors: int, n_creditors: int) -> _Relations:
    people = _People(rng)
    gen_debtors = _sample_ids(
        rng,
        [range(10001, min(49990, 10000 + max(400, 4 * n_debtors)))],
        n_debtors - len(_PINNED_DEBTORS),
        set(_PINNED_DEBTORS) | _FREE_DEBTORS,
    )
    gen_creditors = _sample_ids(
        rng,
        [range(50001, 50000 + max(200, 3 * n_creditors)), range(60001, 60000 + max(80, n_creditors))],
        n_creditors - len(_PINNED_CREDITORS),
        set(_PINNED_CREDITORS) | _FREE_CREDITORS,
    )

    # Party numbers are handed out in creation order; unpinned relations take sorted free numbers.
    pinned_parties = {p for p, *_ in (*_PINNED_DEBTORS.values(), *_PINNED_CREDITORS.values()) if p}
    pinned_parties |= set(_PINNED_PARTIES)
    unpinned_d = [
        d
        for d in sorted({*gen_debtors, *_PINNED_DEBTORS}, key=int)
        if _PINNED_DEBTORS.get(d, (None,))[0] is None
    ]
    unpinned_c = [
        c
        for c in sorted({*gen_creditors, *_PINNED_CREDITORS}, key=int)
        if _PINNED_CREDITORS.get(c, (None,))[0] is None
    ]
    needed = len(unpinned_d) + len(unpinned_c)
    span = max(850, int(needed * 1.6) + 20)
    free = np.array(
        [
            n
            for n in range(1000001, 1000001 + span + 1)
            if str(n) not in pinned_parties and str(n) not in _FREE_PARTIES
        ]
    )
    numbers = np.sort(rng.choice(free, needed, replace=False)).astype(str).tolist()
    order = rng.permutation(np.r_[np.zeros(len(unpinned_d), int), np.ones(len(unpinned_c), int)])
    queues = [iter(unpinned_d), iter(unpinned_c)]
    party_of: dict[tuple[int, str], str] = {}
    for label, number in zip(order.tolist(), numbers, strict=True):
        party_of[(label, next(queues[label]))] = number

    def stamp(bc_co: str) -> tuple[dt.datetime, dt.datetime]:
        off = int(bc_co) - 1000000
        created = dt.datetime(2014, 1, 6, 9) + dt.timedelta(
            days=off * 3990 // (span + 1), seconds=(off * 7919) % 28800
        )
        changed = created + dt.timedelta(days=int(rng.integers(30, 2000)), seconds=int(rng.integers(0, 3600)))
        return created, min(changed, dt.datetime(2024, 12, 20, 16)) if rng.random() < 0.3 else created

    parties: dict[str, dict[str, Any]] = {}

    def make_party(
        bc_co: str, kind: str, country: str, customer: bool, name: str | None = None
    ) -> dict[str, Any]:
        row = people.party(bc_co, kind, country, customer, name)
        row["created"], row["modified"] = stamp(bc_co)
        row["fields"] = None
        parties[bc_co] = row
        return row

    for bc_co, kind in _PINNED_PARTIES.items():
        make_party(bc_co, kind, "NL", True)

    def country_of(customer: bool) -> str:
        u = rng.random()
        if customer:
            return "NL" if u < 0.90 else "B" if u < 0.94 else "D" if u < 0.97 else "GB"
        for limit, country in (
            (0.86, "NL"),
            (0.91, "D"),
            (0.95, "B"),
            (0.97, "GB"),
            (0.98, "N"),
            (0.99, "S"),
            (0.995, "CH"),
        ):
            if u < limit:
                return country
        return "USA"

    def relation_rows(
        ids: list[str], pinned: dict[str, tuple[str | None, str, str, str]], label: int, customer: bool
    ) -> list[dict[str, Any]]:
        rows = []
        for rid in sorted(ids, key=int):
            if rid in pinned:
                bc_co, kind, country, currency = pinned[rid]
                bc_co = bc_co or party_of[(label, rid)]
                blocked = False
            else:
                bc_co = party_of[(label, rid)]
                kind = "P" if rng.random() < (0.12 if customer else 0.04) else "O"
                country = country_of(customer) if kind == "O" else "NL"
                currency = _COUNTRY_CURRENCY.get(
                    country, "GBP" if country == "GB" and rng.random() < 0.5 else "EUR"
                )
                blocked = bool(rng.random() < 0.03)
            party = make_party(bc_co, kind, country, customer, _SPECIAL_NAMES.get(rid))
            if rid in _SPECIAL_NAMES:  # a collective relation for one-off customers/suppliers
                party |= {"coc_nr": None, "phone": None, "email": None, "iban": None}
            if kind == "P" and rng.random() < 0.3:
                pay_con = "0"
            elif customer:
                pay_con = str(rng.choice(["30", "14", "8", "60", "0"], p=[0.5, 0.25, 0.1, 0.08, 0.07]))
            else:
                pay_con = str(rng.choice(["30", "14", "60", "8", "0"], p=[0.55, 0.25, 0.1, 0.05, 0.05]))
            created = party["created"] + dt.timedelta(seconds=120)
            row = {
                "bc_co": bc_co,
                "currency_id": currency,
                "pay_con": pay_con,
                "vat_duty": "1",
                "vat_id": _vat_id(people, country) if kind == "O" else None,
                "credit_limit": (
                    Decimal(int(rng.choice([2500, 5000, 10000, 25000, 50000]))).quantize(Decimal("0.01"))
                    if kind == "O" and customer
                    else None
                ),
                "auto_payment": bool(kind == "P" and rng.random() < 0.5),
                "created": created,
                "modified": max(created, party["modified"]),
                "fields": None,
            }
            if customer:
                row |= {
                    "debtor_id": rid,
                    "collect_account": "1301"
                    if country != "NL"
                    else "1400"
                    if kind == "P" and rng.random() < 0.5
                    else "1300",
                    "blocked": blocked,
                    "blocked_total": bool(blocked and rng.random() < 0.3),
                }
            else:
                row |= {
                    "creditor_id": rid,
                    "collect_account": "1600",
                    "temp_blocked": bool(not blocked and rng.random() < 0.02),
                    "blocked": blocked,
                }
            rows.append(row)
        return rows

    debtors = relation_rows([*gen_debtors, *_PINNED_DEBTORS], _PINNED_DEBTORS, 0, True)
    creditors = relation_rows([*gen_creditors, *_PINNED_CREDITORS], _PINNED_CREDITORS, 1, False)
    rels = [*debtors, *creditors]
    n_d = len(debtors)

    def pool(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        idx = np.array(
            [
                i
                for i in range(lo, hi)
                if not rels[i]["blocked"]
                and not rels[i].get("temp_blocked")
                and (rels[i].get("debtor_id") or rels[i].get("creditor_id")) not in _SPECIAL_NAMES
            ]
        )
        weight = 1.0 / (rng.permutation(len(idx)) + 3.0) ** 0.8  # a few big customers, a long tail
        return idx, weight / weight.sum()

    debtor_pool, debtor_p = pool(0, n_d)
    creditor_pool, creditor_p = pool(n_d, len(rels))
    return _Relations(
        parties=[parties[k] for k in sorted(parties)],
        debtors=debtors,
        creditors=creditors,
        ids=[r.get("debtor_id") or r["creditor_id"] for r in rels],
        names=[parties[r["bc_co"]]["name"] for r in rels],
        collect=np.array([_A[r["collect_account"]] for r in rels]),
        currency=np.array([_CUR[r["currency_id"]] for r in rels]),
        pay_days=np.array([_PAY_DAYS[r["pay_con"]] for r in rels]),
        foreign=np.array([parties[r["bc_co"]]["country"] != "NL" for r in rels]),
        debtor_pool=debtor_pool,
        debtor_p=debtor_p,
        creditor_pool=creditor_pool,
        creditor_p=creditor_p,
    )


def _vat_id(people: _People, country: str) -> str | None:
    return {
        "NL": lambda: f"NL{people.digits(9)}B01",
        "B": lambda: f"BE0{people.digits(9)}",
        "D": lambda: f"DE{people.digits(9)}",
        "GB": lambda: f"GB{people.digits(9)}",
        "N": lambda: f"NO{people.digits(9)}MVA",
        "S": lambda: f"SE{people.digits(10)}01",
        "CH": lambda: f"CHE{people.digits(9)}MWST",
        "USA": lambda: None,
    }[country]()


# ---------------------------------------------------------------------------------------------
# Journal entries: groups of entries of one kind, as numpy columns
# ---------------------------------------------------------------------------------------------


class _K(enum.IntEnum):
    OPEN = 0
    SINV = 1
    SCN = 2
    PINV = 3
    PCN = 4
    REC = 5
    REC_PART = 6
    REC_REST = 7
    REFUND = 8
    PAY = 9
    PAY_PART = 10
    PAY_REST = 11
    PREFUND = 12
    CASH_EXP = 13
    CASH_SALE = 14
    CASH_DEP = 15
    SAL = 16
    SALPAY = 17
    LHPAY = 18
    DEPR = 19
    BANKCOST = 20
    ACCR = 21
    ACCR_REV = 22
    STOCK = 23
    STOCKDIFF = 24
    INTEREST = 25
    VAT = 26


# kind: journal, order among entries of one day, description
_KINDS: dict[_K, tuple[str, int, str]] = {
    _K.OPEN: ("80", 0, "Beginbalans {year}"),
    _K.SINV: ("20", 1, "Factuur {inv} {name}"),
    _K.SCN: ("20", 1, "Creditnota {inv} {name}"),
    _K.PINV: ("10", 1, "Inkoopfactuur {inv} {name}"),
    _K.PCN: ("10", 1, "Creditnota inkoop {inv} {name}"),
    _K.REC: ("50", 3, "Betaling factuur {inv} {name}"),
    _K.REC_PART: ("50", 3, "Deelbetaling factuur {inv} {name}"),
    _K.REC_REST: ("50", 3, "Restbetaling factuur {inv} {name}"),
    _K.REFUND: ("50", 3, "Terugbetaling creditnota {inv} {name}"),
    _K.PAY: ("50", 3, "Betaling factuur {inv} {name}"),
    _K.PAY_PART: ("50", 3, "Deelbetaling factuur {inv} {name}"),
    _K.PAY_REST: ("50", 3, "Restbetaling factuur {inv} {name}"),
    _K.PREFUND: ("50", 3, "Ontvangst creditnota {inv} {name}"),
    _K.CASH_EXP: ("40", 2, "{item}"),
    _K.CASH_SALE: ("40", 2, "Contante verkoop"),
    _K.CASH_DEP: ("50", 3, "Storting kasgeld"),
    _K.SAL: ("80", 4, "Salarissen {month} {year}"),
    _K.SALPAY: ("50", 3, "Uitbetaling salarissen {month} {year}"),
    _K.LHPAY: ("50", 3, "Afdracht loonheffing {month} {year}"),
    _K.DEPR: ("80", 4, "Afschrijvingen {month} {year}"),
    _K.BANKCOST: ("50", 3, "Bankkosten ING {month} {year}"),
    _K.ACCR: ("82", 4, "Nog te betalen huur {month} {year}"),
    _K.ACCR_REV: ("82", 4, "Terugboeking nog te betalen huur {month} {year}"),
    _K.STOCK: ("95", 4, "Voorraadmutatie {month} {year}"),
    _K.STOCKDIFF: ("95", 4, "Voorraadverschillen telling {q}e kwartaal {year}"),
    _K.INTEREST: ("50", 3, "Rente lening ING {q}e kwartaal {year}"),
    _K.VAT: ("50", 3, "Btw-aangifte {q}e kwartaal {year}"),
}
_JOURNAL_CODES = [j[0] for j in JOURNALS]
_KIND_JOURNAL = np.array([_JOURNAL_CODES.index(_KINDS[k][0]) for k in _K])
_KIND_ORDER = np.array([_KINDS[k][1] for k in _K])

# description, account, VAT code of petty-cash expenses
_CASH_ITEMS = (
    ("Kantoorartikelen", "4510", "5"),
    ("Parkeerkosten", "4300", "5"),
    ("Koffie en thee", "4600", "6"),
    ("Lunch klantbezoek", "4350", "6"),
    ("Schoonmaakmiddelen", "4100", "5"),
    ("Bloemen receptie", "4600", "6"),
    ("Tankbon", "4300", "5"),
    ("Boodschappen kantine", "4600", "6"),
    ("Treinkaartje", "4350", "6"),
)
# (account, VAT code, weight) per administration
_SALES_MIX = {
    1: (("8010", "1", 68), ("8100", "2", 25), ("8000", "1", 5), ("8074", "1", 2)),
    2: (("8000", "1", 50), ("8074", "1", 30), ("8010", "1", 15), ("8100", "2", 5)),
}
_PURCHASE_MIX = {
    1: (
        ("7000", "5", 50),
        ("4210", "5", 8),
        ("4510", "5", 6),
        ("4300", "5", 8),
        ("4100", "5", 5),
        ("4350", "5", 4),
        ("4400", "5", 5),
        ("4520", "5", 4),
        ("4530", "5", 4),
        ("4600", "6", 6),
    ),
    2: (
        ("4530", "5", 22),
        ("4510", "5", 12),
        ("4210", "5", 15),
        ("4300", "5", 12),
        ("4100", "5", 8),
        ("4350", "5", 10),
        ("4400", "5", 8),
        ("4520", "5", 6),
        ("4600", "6", 7),
    ),
}

_NAT = np.datetime64("NaT", "D")
_Col = np.ndarray | int


@dataclass
class _Slot:
    """One line position of the entries of a group; a line whose amount is zero is left out."""

    acc: _Col  # account index (for a relation line: the relation's collective account)
    amt: np.ndarray  # signed cents: positive debit, negative credit
    va_as: int = 1
    rel: bool = False  # AcNr is the entry's debtor/creditor
    vat: _Col = -1  # VAT code index, -1 none
    vat_amt: np.ndarray | None = None
    due: np.ndarray | None = None
    inv: bool = False  # the line carries the entry's invoice number

    def take(self, keep: np.ndarray) -> _Slot:
        def t(x: Any) -> Any:
            return x[keep] if isinstance(x, np.ndarray) else x

        return _Slot(
            t(self.acc),
            t(self.amt),
            self.va_as,
            self.rel,
            t(self.vat),
            t(self.vat_amt),
            t(self.due),
            self.inv,
        )


@dataclass
class _Group:
    kind: _Col
    unit: _Col
    date: np.ndarray
    slots: list[_Slot]
    rel: _Col = -1
    ref: _Col = -1  # entry id of the invoice a payment settles
    aux: _Col = 0  # month index (0 = January 2025) of periodic entries, item of petty-cash entries

    def lines(self) -> int:
        return sum(int(np.count_nonzero(s.amt)) for s in self.slots)


class _Book:
    """Entries and lines as growing lists of numpy columns."""

    def __init__(self) -> None:
        self.n = 0
        self.lines = 0
        self.e: dict[str, list[np.ndarray]] = {k: [] for k in ("kind", "unit", "date", "rel", "ref", "aux")}
        self.ln: dict[str, list[np.ndarray]] = {
            k: []
            for k in (
                "eid",
                "seq",
                "acc",
                "va_as",
                "rel",
                "amt",
                "vat",
                "vat_amt",
                "has_vat_amt",
                "due",
                "inv",
            )
        }

    def add(self, g: _Group) -> np.ndarray:
        n = len(g.date)
        ids = np.arange(self.n, self.n + n)
        self.n += n

        def full(x: Any, dtype: Any = np.int64) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=dtype), (n,))

        for key, val in (("kind", g.kind), ("unit", g.unit), ("rel", g.rel), ("ref", g.ref), ("aux", g.aux)):
            self.e[key].append(full(val).copy())
        self.e["date"].append(np.asarray(g.date, dtype="datetime64[D]"))

        def stack(values: list[Any], dtype: Any = np.int64) -> np.ndarray:
            return np.stack([full(v, dtype) for v in values], axis=1)

        amt = stack([s.amt for s in g.slots])
        mask = amt != 0
        flat = mask.ravel()
        cols = {
            "eid": np.repeat(ids, len(g.slots)),
            "seq": np.cumsum(mask, axis=1),
            "amt": amt,
            "acc": stack([s.acc for s in g.slots]),
            "va_as": stack([s.va_as for s in g.slots]),
            "rel": stack([s.rel for s in g.slots], bool),
            "vat": stack([s.vat for s in g.slots]),
            "vat_amt": stack([0 if s.vat_amt is None else s.vat_amt for s in g.slots]),
            "has_vat_amt": stack([s.vat_amt is not None for s in g.slots], bool),
            "due": stack([_NAT if s.due is None else s.due for s in g.slots], "datetime64[D]"),
            "inv": stack([s.inv for s in g.slots], bool),
        }
        for key, val in cols.items():
            self.ln[key].append(val.ravel()[flat])
        self.lines += int(flat.sum())
        return ids

    def entry(self, key: str) -> np.ndarray:
        return np.concatenate(self.e[key]) if self.e[key] else np.zeros(0, np.int64)

    def line(self, key: str) -> np.ndarray:
        return np.concatenate(self.ln[key])


def _month_index(date: np.ndarray) -> np.ndarray:
    """Months since January 2025."""
    return date.astype("datetime64[M]").astype(np.int64) - np.datetime64("2025-01", "M").astype(np.int64)


def _month_first(m: np.ndarray | int) -> np.ndarray:
    return (np.datetime64("2025-01", "M") + np.asarray(m)).astype("datetime64[D]")


def _last_workday(m: np.ndarray | int) -> np.ndarray:
    return np.busday_offset(_month_first(np.asarray(m) + 1) - 1, 0, roll="backward", busdaycal=_CAL)


def _first_workday(m: np.ndarray | int) -> np.ndarray:
    return np.busday_offset(_month_first(m), 0, roll="forward", busdaycal=_CAL)


def _workday_on_or_after(d: np.ndarray) -> np.ndarray:
    return np.busday_offset(d, 0, roll="forward", busdaycal=_CAL)


def _vat_of(net: np.ndarray, vat: np.ndarray) -> np.ndarray:
    """VAT in cents: round(net x rate, 2) half away from zero."""
    raw = np.abs(net) * _VAT_BP[vat]
    return np.sign(net) * ((raw + 5000) // 10000)


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | int, sigma: np.ndarray | float, n: int, low: int, high: int
) -> np.ndarray:
    return np.clip(np.rint(median * np.exp(rng.normal(0.0, 1.0, n) * sigma)), low, high).astype(np.int64)


def _pick(
    rng: np.random.Generator, unit: np.ndarray, mix: dict[int, tuple[tuple[str, str, int], ...]]
) -> tuple[np.ndarray, np.ndarray]:
    """Account and VAT code per entry from the administration's weighted mix."""
    acc = np.zeros(len(unit), np.int64)
    vat = np.zeros(len(unit), np.int64)
    for u, options in mix.items():
        weights = np.array([o[2] for o in options], float)
        choice = rng.choice(len(options), len(unit), p=weights / weights.sum())
        sel = unit == u
        acc[sel] = np.array([_A[o[0]] for o in options])[choice[sel]]
        vat[sel] = np.array([_V[o[1]] for o in options])[choice[sel]]
    return acc, vat


def _units(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.where(rng.random(n) < 0.7, 1, 2)


@dataclass
class _Settlement:
    status: np.ndarray  # 0 open, 1 paid, 2 paid in two parts, 3 partly paid, 4 credit note refunded
    first: np.ndarray  # amount of the first payment (cents, unsigned)
    first_date: np.ndarray
    first_in: np.ndarray  # the first payment falls in the booking range
    second_date: np.ndarray
    second_in: np.ndarray


def _settle(
    rng: np.random.Generator,
    date: np.ndarray,
    gross: np.ndarray,
    days: np.ndarray,
    credit_note: np.ndarray,
    p_paid: float,
    p_two: float,
    p_part: float,
    spread: tuple[float, float],
) -> _Settlement:
    """How and when invoices get paid; payments after the last booking day do not happen (yet)."""
    n = len(date)
    u = rng.random(n)
    status = np.select([u < p_paid, u < p_paid + p_two, u < p_paid + p_two + p_part], [1, 2, 3], 0)
    status = np.where(credit_note, np.where(u < 0.6, 4, 0), status)
    status = np.where(np.isin(status, (2, 3)) & (gross < 2000), 1, status)
    delay = np.maximum(np.rint(days * rng.uniform(*spread, n) + rng.normal(0.0, 4.0, n)), 1).astype(np.int64)
    delay = np.where(days == 0, rng.integers(0, 4, n), delay)
    delay = np.where(credit_note, rng.integers(5, 30, n), delay)
    first_date = _workday_on_or_after(date + delay)
    second_date = _workday_on_or_after(first_date + rng.integers(14, 46, n))
    part = (gross * rng.uniform(0.3, 0.7, n) // 100).astype(np.int64) * 100
    first = np.where(np.isin(status, (2, 3)), part, gross)
    first_in = (status > 0) & (first_date <= _LAST)
    return _Settlement(
        status, first, first_date, first_in, second_date, (status == 2) & first_in & (second_date <= _LAST)
    )


def _payments(
    book: _Book,
    s: _Settlement,
    sl: slice,
    invoices: np.ndarray,
    unit: np.ndarray,
    rel: np.ndarray,
    collect: np.ndarray,
    open_amt: np.ndarray,
    va_as: int,
    kinds: tuple[_K, _K, _K, _K],
) -> None:
    """Bank entries settling invoices: bank line against the relation line carrying the invoice number.

    ``open_amt`` is the signed amount the invoice put on the relation (positive debit); payments
    book the opposite on the relation and the same on the bank.
    """
    paid, part, rest, refund = kinds
    status = s.status[sl]
    first_kind = np.select([status == 4, np.isin(status, (2, 3))], [refund, part], paid)
    sign = np.sign(open_amt)
    for sel, kind, amount, when in (
        (s.first_in[sl], first_kind, s.first[sl], s.first_date[sl]),
        (s.second_in[sl], np.full(len(status), rest), np.abs(open_amt) - s.first[sl], s.second_date[sl]),
    ):
        amt = (sign * amount)[sel]
        book.add(
            _Group(
                kind[sel],
                unit[sel],
                when[sel],
                rel=rel[sel],
                ref=invoices[sel],
                slots=[_Slot(_A["1100"], amt), _Slot(collect[sel], -amt, va_as=va_as, rel=True, inv=True)],
            )
        )


def _take_prefix(lines: np.ndarray, budget: int) -> int:
    """How many leading candidates fit in the line budget."""
    return int(np.searchsorted(np.cumsum(lines), budget, side="right"))


def _sales(book: _Book, rng: np.random.Generator, budget: int, rels: _Relations) -> None:
    m = budget // 2 + 8
    unit = _units(rng, m)
    deb = rng.choice(rels.debtor_pool, m, p=rels.debtor_p)
    date = _WORKDAYS[rng.integers(0, len(_WORKDAYS), m)]
    credit_note = rng.random(m) < 0.03
    foreign = rels.foreign[deb]
    two = (rng.random(m) < 0.3) & ~foreign
    acc1, vat1 = _pick(rng, unit, _SALES_MIX)
    acc2, vat2 = _pick(rng, unit, _SALES_MIX)
    acc1 = np.where(foreign, _A["8200"], acc1)
    vat1 = np.where(foreign, _V["0"], vat1)
    median = np.where(unit == 1, 65_000, 240_000)
    sigma = np.where(unit == 1, 0.9, 0.8)
    net1 = _lognormal(rng, median, sigma, m, 1_000, 25_000_000)
    net2 = np.where(two, _lognormal(rng, median // 2, sigma, m, 500, 10_000_000), 0)
    v1, v2 = _vat_of(net1, vat1), _vat_of(net2, vat2)
    high = np.where(vat1 == _V["1"], v1, 0) + np.where(vat2 == _V["1"], v2, 0)
    low = np.where(vat1 == _V["2"], v1, 0) + np.where(vat2 == _V["2"], v2, 0)
    gross = net1 + net2 + high + low
    days = rels.pay_days[deb]
    s = _settle(rng, date, gross, days, credit_note, 0.80, 0.07, 0.03, (0.5, 1.3))
    lines = 2 + two + (high > 0) + (low > 0) + 2 * s.first_in + 2 * s.second_in
    k = _take_prefix(lines, budget)
    if k == 0:
        return
    sl = slice(0, k)
    unit, deb, date, cn = unit[sl], deb[sl], date[sl], credit_note[sl]
    sign = np.where(cn, -1, 1)
    gross, days = gross[sl], days[sl]
    ids = book.add(
        _Group(
            np.where(cn, _K.SCN, _K.SINV),
            unit,
            date,
            rel=deb,
            slots=[
                _Slot(
                    rels.collect[deb],
                    sign * gross,
                    va_as=2,
                    rel=True,
                    inv=True,
                    due=np.where(cn, _NAT, date + days),
                ),
                _Slot(acc1[sl], -sign * net1[sl], vat=vat1[sl], vat_amt=sign * v1[sl], inv=True),
                _Slot(acc2[sl], -sign * net2[sl], vat=vat2[sl], vat_amt=sign * v2[sl], inv=True),
                _Slot(_A["1510"], -sign * high[sl], vat=_V["1"], inv=True),
                _Slot(_A["1510"], -sign * low[sl], vat=_V["2"], inv=True),
            ],
        )
    )
    _payments(
        book,
        s,
        sl,
        ids,
        unit,
        deb,
        rels.collect[deb],
        sign * gross,
        2,
        (_K.REC, _K.REC_PART, _K.REC_REST, _K.REFUND),
    )


def _purchases(book: _Book, rng: np.random.Generator, budget: int, rels: _Relations) -> None:
    m = budget // 2 + 8
    unit = _units(rng, m)
    cred = rng.choice(rels.creditor_pool, m, p=rels.creditor_p)
    date = _WORKDAYS[rng.integers(0, len(_WORKDAYS), m)]
    credit_note = rng.random(m) < 0.02
    foreign = rels.foreign[cred]
    two = (rng.random(m) < 0.25) & ~foreign
    acc1, vat1 = _pick(rng, unit, _PURCHASE_MIX)
    acc2, vat2 = _pick(rng, unit, _PURCHASE_MIX)
    vat1 = np.where(foreign, _V["7"], vat1)
    median = np.where(acc1 == _A["7000"], 110_000, 22_000)
    net1 = _lognormal(rng, median, 0.9, m, 500, 20_000_000)
    net2 = np.where(two, _lognormal(rng, 12_000, 0.9, m, 300, 5_000_000), 0)
    v1, v2 = _vat_of(net1, vat1), _vat_of(net2, vat2)
    high = np.where(vat1 == _V["5"], v1, 0) + np.where(vat2 == _V["5"], v2, 0)
    low = np.where(vat1 == _V["6"], v1, 0) + np.where(vat2 == _V["6"], v2, 0)
    gross = net1 + net2 + high + low
    days = rels.pay_days[cred]
    s = _settle(rng, date, gross, days, credit_note, 0.85, 0.03, 0.02, (0.8, 1.05))
    lines = 2 + two + (high > 0) + (low > 0) + 2 * s.first_in + 2 * s.second_in
    k = _take_prefix(lines, budget)
    if k == 0:
        return
    sl = slice(0, k)
    unit, cred, date, cn = unit[sl], cred[sl], date[sl], credit_note[sl]
    sign = np.where(cn, -1, 1)
    gross, days = gross[sl], days[sl]
    ids = book.add(
        _Group(
            np.where(cn, _K.PCN, _K.PINV),
            unit,
            date,
            rel=cred,
            slots=[
                _Slot(
                    rels.collect[cred],
                    -sign * gross,
                    va_as=3,
                    rel=True,
                    inv=True,
                    due=np.where(cn, _NAT, date + days),
                ),
                _Slot(acc1[sl], sign * net1[sl], vat=vat1[sl], vat_amt=sign * v1[sl], inv=True),
                _Slot(acc2[sl], sign * net2[sl], vat=vat2[sl], vat_amt=sign * v2[sl], inv=True),
                _Slot(_A["1500"], sign * high[sl], vat=_V["5"], inv=True),
                _Slot(_A["1500"], sign * low[sl], vat=_V["6"], inv=True),
            ],
        )
    )
    _payments(
        book,
        s,
        sl,
        ids,
        unit,
        cred,
        rels.collect[cred],
        -sign * gross,
        3,
        (_K.PAY, _K.PAY_PART, _K.PAY_REST, _K.PREFUND),
    )


def _cash(book: _Book, rng: np.random.Generator, budget: int) -> None:
    n = budget // 3
    sale = rng.random(n) < 0.3
    unit = np.where(sale, 1, _units(rng, n))
    date = _WORKDAYS[rng.integers(0, len(_WORKDAYS), n)]
    item = rng.integers(0, len(_CASH_ITEMS), n)
    acc = np.where(sale, _A["8010"], np.array([_A[i[1]] for i in _CASH_ITEMS])[item])
    vat = np.where(sale, _V["1"], np.array([_V[i[2]] for i in _CASH_ITEMS])[item])
    net = np.where(
        sale, _lognormal(rng, 12_000, 0.7, n, 500, 200_000), _lognormal(rng, 2_200, 0.6, n, 150, 40_000)
    )
    v = _vat_of(net, vat)
    sign = np.where(sale, -1, 1)  # a sale credits revenue, an expense debits a cost account
    book.add(
        _Group(
            np.where(sale, _K.CASH_SALE, _K.CASH_EXP),
            unit,
            date,
            aux=item,
            slots=[
                _Slot(_A["1000"], -sign * (net + v)),
                _Slot(acc, sign * net, vat=vat, vat_amt=v),
                _Slot(np.where(sale, _A["1510"], _A["1500"]), sign * v, vat=vat),
            ],
        )
    )


def _deposits(book: _Book, rng: np.random.Generator, n: int) -> None:
    """Cash taken to the bank: two-line entries that top the ledger up to the requested size."""
    if n <= 0:
        return
    amt = rng.integers(10, 60, n) * 5_000
    book.add(
        _Group(
            _K.CASH_DEP,
            _units(rng, n),
            _WORKDAYS[rng.integers(0, len(_WORKDAYS), n)],
            slots=[_Slot(_A["1100"], amt), _Slot(_A["1000"], -amt)],
        )
    )


# Opening balance per administration, in months of average revenue (0800 Eigen vermogen balances it).
_OPENING = {
    1: {"0100": 2.1, "0200": 0.36, "0300": 0.24, "1100": 0.46, "1200": 0.6, "3000": 0.78, "0950": -1.0},
    2: {"0200": 0.3, "0300": 0.27, "0400": 0.15, "1100": 0.45, "1200": 0.55},
}


def _opening(revenue: dict[int, int]) -> _Group:
    accounts = ["0100", "0200", "0300", "0400", "1100", "1200", "3000", "0950"]
    amounts = np.array(
        [[round(revenue[u] * _OPENING[u].get(a, 0.0), -2) for a in accounts] for u in (1, 2)], np.int64
    )
    slots = [_Slot(_A[a], amounts[:, i]) for i, a in enumerate(accounts)]
    slots.append(_Slot(_A["0800"], -amounts.sum(axis=1)))
    return _Group(_K.OPEN, np.array([1, 2]), np.array([_FIRST, _FIRST]), slots)


def _recurring(
    rng: np.random.Generator, months: np.ndarray, revenue: dict[int, int], cash_sales: np.ndarray
) -> list[_Group]:
    """Salaries, depreciation, bank costs, accruals, stock, interest and cash deposits for the months.

    Amounts follow the administration's average monthly revenue (cents), so the profit and loss
    account looks plausible at every scale; ``cash_sales`` (unit x month, cents) sizes the deposits.
    """
    unit = np.repeat([1, 2], len(months))
    m = np.tile(months, 2)
    n = len(m)
    size = np.where(unit == 1, revenue[1], revenue[2]).astype(float)
    groups: list[_Group] = []

    def add(kind: _K, date: np.ndarray, slots: list[_Slot], only: np.ndarray | None = None) -> None:
        keep = (date <= _LAST) & (True if only is None else only)
        if keep.any():
            groups.append(_Group(kind, unit[keep], date[keep], [s.take(keep) for s in slots], aux=m[keep]))

    def cents(x: np.ndarray) -> np.ndarray:
        return np.maximum(np.rint(x), 100).astype(np.int64)

    # Salaries: 2026 brings a 3% raise, May the holiday allowance (8% of a year's pay).
    gross = cents(
        size
        * np.where(unit == 1, 0.15, 0.52)
        * np.where(m >= 12, 1.03, 1.0)
        * (1 + rng.normal(0, 0.006, n))
        * np.where(m % 12 == 4, 1.96, 1.0)
    )
    social = gross * 21 // 100
    net = gross * 66 // 100
    tax = gross + social - net
    pay_day = np.busday_offset(_month_first(m) + 24, 0, roll="backward", busdaycal=_CAL)
    add(
        _K.SAL,
        pay_day,
        [
            _Slot(_A["4000"], gross),
            _Slot(_A["4010"], social),
            _Slot(_A["1700"], -net),
            _Slot(_A["1710"], -tax),
        ],
    )
    add(
        _K.SALPAY,
        np.busday_offset(pay_day, 1, busdaycal=_CAL),
        [_Slot(_A["1700"], net), _Slot(_A["1100"], -net)],
    )
    add(_K.LHPAY, _last_workday(m + 1), [_Slot(_A["1710"], tax), _Slot(_A["1100"], -tax)])
    dep = {
        a: np.where(unit == 1, one, two) * size // 100 * 100
        for a, one, two in (("0200", 0.010, 0.008), ("0300", 0.016, 0.014), ("0400", 0.0, 0.006))
    }
    dep = {a: v.astype(np.int64) for a, v in dep.items()}
    add(
        _K.DEPR,
        _last_workday(m),
        [_Slot(_A["4700"], sum(dep.values())), *(_Slot(_A[a], -v) for a, v in dep.items())],
    )
    fee = rng.integers(1_500, 7_500, n)
    add(_K.BANKCOST, _first_workday(m), [_Slot(_A["4620"], fee), _Slot(_A["1100"], -fee)])
    rent = cents(size * np.where(unit == 1, 0.035, 0.045) // 100 * 100)
    add(_K.ACCR, _last_workday(m), [_Slot(_A["4100"], rent), _Slot(_A["1901"], -rent)])
    add(_K.ACCR_REV, _first_workday(m + 1), [_Slot(_A["1901"], rent), _Slot(_A["4100"], -rent)])
    stock = cents(size * rng.uniform(0.02, 0.15, n)) * rng.choice([-1, 1], n)
    add(_K.STOCK, _last_workday(m), [_Slot(_A["3000"], stock), _Slot(_A["7000"], -stock)], unit == 1)
    cash = np.maximum(cash_sales[unit - 1, m] * 9 // 10 // 1_000 * 1_000, 5_000)
    add(
        _K.CASH_DEP,
        _workday_on_or_after(_month_first(m + 1)),
        [_Slot(_A["1100"], cash), _Slot(_A["1000"], -cash)],
        unit == 1,
    )
    quarter_end = (unit == 1) & (m % 3 == 2)
    diff = cents(size * rng.uniform(0.001, 0.006, n))
    add(_K.STOCKDIFF, _last_workday(m), [_Slot(_A["3300"], diff), _Slot(_A["3020"], -diff)], quarter_end)
    interest = cents(size * 0.01125)  # 4.5% a year on a loan of one month's revenue
    add(
        _K.INTEREST,
        _last_workday(m),
        [_Slot(_A["4800"], interest), _Slot(_A["1100"], -interest)],
        quarter_end,
    )
    return groups


def _revenue(book: _Book) -> tuple[dict[int, int], np.ndarray]:
    """Average monthly net revenue per administration and cash sales per (unit, month), in cents."""
    acc, amt, eid = book.line("acc"), book.line("amt"), book.line("eid")
    unit, kind = book.entry("unit")[eid], book.entry("kind")[eid]
    month = _month_index(book.entry("date")[eid])
    is_revenue = np.isin(acc, [i for i, a in enumerate(_ACCOUNTS) if a[2] == "3"])
    revenue = {u: max(int(-amt[is_revenue & (unit == u)].sum()) // _N_MONTHS, 500_000) for u in (1, 2)}
    cash_in = (kind == _K.CASH_SALE) & (acc == _A["1000"])
    cash_sales = np.zeros((2, _N_MONTHS + 1), np.int64)
    np.add.at(cash_sales, (unit[cash_in] - 1, month[cash_in]), amt[cash_in])
    return revenue, cash_sales


_VAT_QUARTERS = [q for q in range(8) if _last_workday(3 * q + 3) <= _LAST]


def _vat_returns(book: _Book) -> None:
    """Quarterly VAT return per administration: clears 1510 and 1500 against the bank."""
    acc, amt, eid = book.line("acc"), book.line("amt"), book.line("eid")
    date = book.entry("date")[eid]
    unit = book.entry("unit")[eid]
    quarter = _month_index(date) // 3
    units, quarters, payable, reclaim = [], [], [], []
    for u in (1, 2):
        for q in _VAT_QUARTERS:
            sel = (unit == u) & (quarter == q)
            units.append(u)
            quarters.append(q)
            payable.append(-int(amt[sel & (acc == _A["1510"])].sum()))
            reclaim.append(int(amt[sel & (acc == _A["1500"])].sum()))
    if not units:
        return
    q = np.array(quarters)
    due, back = np.array(payable, np.int64), np.array(reclaim, np.int64)
    book.add(
        _Group(
            _K.VAT,
            np.array(units),
            _last_workday(3 * q + 3),
            aux=3 * q + 2,
            slots=[_Slot(_A["1510"], due), _Slot(_A["1500"], -back), _Slot(_A["1100"], back - due)],
        )
    )


def _plan(seed: int, transactions: int, rels: _Relations) -> _Book:
    """All journal entries, sized to ``transactions`` lines (exact up to one line).

    Periodic entries take at most a fifth of the lines (small demos get them for fewer months);
    invoices, their payments and petty cash fill the rest; cash deposits top up the last few lines.
    Periodic amounts depend on the revenue generated, but their line count does not.
    """
    nominal = {1: 40_000_000, 2: 20_000_000}
    no_cash = np.zeros((2, _N_MONTHS + 1), np.int64)
    opening = _opening(nominal).lines() if transactions >= 400 else 0
    months, periodic, vat_lines = np.zeros(0, np.int64), 0, 0
    for stride in range(1, _N_MONTHS + 1 if transactions >= 100 else 1):
        trial = np.arange(0, _N_MONTHS, stride)
        lines = sum(g.lines() for g in _recurring(np.random.default_rng([seed, 2]), trial, nominal, no_cash))
        vat = 6 * len(_VAT_QUARTERS) if stride == 1 else 0
        if opening + lines + vat <= transactions // 5:
            months, periodic, vat_lines = trial, lines, vat
            break
    book = _Book()
    budget = transactions - opening - periodic - vat_lines
    sales, purchases = budget * 52 // 100, budget * 38 // 100
    _sales(book, np.random.default_rng([seed, 3]), sales, rels)
    _purchases(book, np.random.default_rng([seed, 4]), purchases, rels)
    _cash(book, np.random.default_rng([seed, 5]), budget - sales - purchases)
    revenue, cash_sales = _revenue(book)
    if opening:
        book.add(_opening(revenue))
    for group in _recurring(np.random.default_rng([seed, 2]), months, revenue, cash_sales):
        book.add(group)
    if vat_lines:
        _vat_returns(book)
    _deposits(book, np.random.default_rng([seed, 6]), (transactions - book.lines) // 2)
    return book


# ---------------------------------------------------------------------------------------------
# From the plan to Arrow tables
# ---------------------------------------------------------------------------------------------


def _decimal(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An exact DECIMAL(18,2) Arrow array from integer cents (little-endian 128-bit words)."""
    c = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(c), 2), dtype=np.int64)
    words[:, 0] = c
    words[:, 1] = c >> 63
    if valid is None:
        return pa.Array.from_buffers(pa.decimal128(18, 2), len(c), [None, pa.py_buffer(words)])
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.decimal128(18, 2),
        len(c),
        [bitmap, pa.py_buffer(words)],
        null_count=int(len(c) - np.count_nonzero(valid)),
    )


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """1-based running number of each element among the elements with the same key, in array order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    ranks = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    out = np.empty(len(keys), np.int64)
    out[order] = ranks + 1
    return out


def _strings(values: list[str | None], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    indices = pa.array(index.astype(np.int32), mask=None if valid is None else ~valid)
    return pa.array(values, pa.string()).take(indices)


@dataclass
class _Ledger:
    lines: pa.Table
    allocs: pa.Table
    entries: int


def _ledger(book: _Book, rels: _Relations, rng: np.random.Generator) -> _Ledger:
    kind, unit, date = book.entry("kind"), book.entry("unit"), book.entry("date")
    rel, ref, aux = book.entry("rel"), book.entry("ref"), book.entry("aux")
    eid = book.line("eid")
    ne = len(kind)
    used = np.flatnonzero(np.bincount(eid, minlength=ne) > 0)
    tiebreak = rng.permutation(ne)
    order = used[np.lexsort((tiebreak[used], _KIND_ORDER[kind[used]], date[used], unit[used]))]
    final = np.full(ne, -1)
    final[order] = np.arange(len(order))
    kind, unit, date, rel, aux = kind[order], unit[order], date[order], rel[order], aux[order]
    ref = np.where(ref[order] >= 0, final[np.maximum(ref[order], 0)], -1)
    entry_no = _rank_within(unit)
    month = date.astype("datetime64[M]").astype(np.int64)
    year, period = month // 12 + 1970, month % 12 + 1

    # Booked during office hours on the entry date; a few entries were changed a few days later.
    day_key = unit * 1_000_000 + date.astype(np.int64)
    nth = _rank_within(day_key) - 1
    day_index = np.unique(day_key, return_inverse=True)[1]
    per_day = np.bincount(day_index)[day_index]
    created = date.astype("datetime64[s]") + (9 * 3600 + nth * 28_800 // per_day).astype("timedelta64[s]")
    changed = rng.random(len(kind)) < 0.03
    later = np.where(changed, rng.integers(86_400, 5 * 86_400, len(kind)), 0)
    modified = created + later.astype("timedelta64[s]")

    inv = np.full(len(kind), None, dtype=object)
    for kinds, fmt in (((_K.SINV, _K.SCN), "V{y}-{n:06d}"), ((_K.PINV, _K.PCN), "INK-{yy}{n:06d}")):
        sel = np.flatnonzero(np.isin(kind, kinds))
        numbers = _rank_within(unit[sel] * 10_000 + year[sel])
        inv[sel] = [
            fmt.format(y=y, yy=y % 100, n=n)
            for y, n in zip(year[sel].tolist(), numbers.tolist(), strict=True)
        ]
    paying = ref >= 0
    inv[paying] = inv[ref[paying]]
    journal = _KIND_JOURNAL[kind]
    voucher_no = _rank_within((unit * 100 + journal) * 10_000 + year)
    prefixes = [_VOUCHER_PREFIX.get(j, "MB") for j in _JOURNAL_CODES]
    vouchers = [
        f"{prefixes[j]}{y % 100}{n:06d}"
        for j, y, n in zip(journal.tolist(), year.tolist(), voucher_no.tolist(), strict=True)
    ]
    names = np.array(rels.names + [""], dtype=object)
    items = np.array([i[0] for i in _CASH_ITEMS], dtype=object)
    desc = np.full(len(kind), None, dtype=object)
    for k, (_, _, template) in _KINDS.items():
        sel = np.flatnonzero(kind == k)
        if not len(sel):
            continue
        cols = (inv[sel], names[rel[sel]], aux[sel])
        desc[sel] = [
            template.format(
                inv=i,
                name=n,
                month=_MONTHS[a % 12],
                year=2025 + a // 12,
                q=a % 12 // 3 + 1,
                item=items[a % len(items)],
            )
            for i, n, a in zip(*(c.tolist() for c in cols), strict=True)
        ]

    # Lines, in (unit, entry_no, seq_no) order.
    le = final[eid]
    keep = np.lexsort((book.line("seq"), le))
    le = le[keep]
    seq = book.line("seq")[keep]
    acc, amt, va_as, is_rel, vat, due, vat_amt, has_vat_amt, has_inv = (
        book.line(k)[keep]
        for k in ("acc", "amt", "va_as", "rel", "vat", "due", "vat_amt", "has_vat_amt", "inv")
    )
    line_rel = rel[le]
    acnr = np.where(is_rel, len(_ACC_CODES) + line_rel, acc)
    cur = np.where(is_rel, rels.currency[np.maximum(line_rel, 0)], 0)
    amt_cur = (np.abs(amt) * 10_000 * 2 + _RATE_E4[cur]) // (2 * _RATE_E4[cur])
    debit, credit = np.maximum(amt, 0), np.maximum(-amt, 0)
    line_date = date[le]
    lines = pa.table(
        {
            "unit": pa.array(unit[le].astype(np.int32)),
            "entry_no": pa.array(entry_no[le].astype(np.int32)),
            "seq_no": pa.array(seq.astype(np.int32)),
            "year": pa.array(year[le].astype(np.int32)),
            "period": pa.array(period[le].astype(np.int32)),
            "journal_id": _strings(_JOURNAL_CODES, journal[le]),
            "va_as": pa.array(va_as.astype(np.int32)),
            "ac_nr": _strings(_ACC_CODES + rels.ids, acnr),
            "account_no": _strings(_ACC_CODES, acc),
            "amt_debit": _decimal(debit),
            "amt_credit": _decimal(credit),
            "entry_date": pa.array(line_date),
            "voucher_date": pa.array(line_date),
            "voucher_no": _strings(vouchers, le),
            "invoice_id": _strings(inv.tolist(), le, has_inv),
            "description": _strings(desc.tolist(), le),
            "vat_code": _strings([v[0] for v in _VAT_CODES], vat, vat >= 0),
            "vat_amt": _decimal(vat_amt, has_vat_amt),
            "due_date": pa.array(due, mask=np.isnat(due)),
            "currency_id": _strings([c[0] for c in _CURRENCIES], cur, is_rel),
            "amt_debit_cur": _decimal(np.where(amt > 0, amt_cur, 0), is_rel),
            "amt_credit_cur": _decimal(np.where(amt < 0, amt_cur, 0), is_rel),
            "created": pa.array(created[le]),
            "modified": pa.array(modified[le]),
        }
    )
    allocs = _allocations(rng, unit[le], entry_no[le], seq, acc, amt)
    return _Ledger(lines, allocs, len(kind))


def _allocations(
    rng: np.random.Generator,
    unit: np.ndarray,
    entry_no: np.ndarray,
    seq: np.ndarray,
    acc: np.ndarray,
    amt: np.ndarray,
) -> pa.Table:
    """FiDimEntries rows: a code on every allocated axis, amounts adding up to the line."""
    parts: list[dict[str, np.ndarray]] = []
    for account, spec in _ALLOCATED.items():
        idx = np.flatnonzero(acc == account)
        if not len(idx):
            continue
        size = np.abs(amt[idx])
        if set(spec.values()) == {"P"}:
            (axis,) = spec  # one automatic axis per account in this chart
            shares = _PERCENTAGES[(_ACC_CODES[account], axis)]
            amounts = [size * pct // 100 for _, pct in shares[:-1]]
            amounts.append(size - sum(amounts))  # the last code takes the rounding difference
            codes_per_row = [{axis: np.full(len(idx), _ACTIVE_CODES[axis].index(code))} for code, _ in shares]
            lines_per_row = [idx] * len(shares)
        else:  # manual: one row per line, a tenth split over two codes of the first axis
            codes = {ax: rng.integers(0, len(_ACTIVE_CODES[ax]), len(idx)) for ax in spec}
            split = (rng.random(len(idx)) < 0.1) & (size >= 200)
            first = np.where(split, np.rint(size * rng.uniform(0.3, 0.7, len(idx))).astype(np.int64), size)
            axis = min(spec)
            other = {ax: c[split] for ax, c in codes.items()}
            n_codes = len(_ACTIVE_CODES[axis])
            other[axis] = (other[axis] + 1 + rng.integers(0, n_codes - 1, int(split.sum()))) % n_codes
            codes_per_row = [codes, other]
            amounts = [first, (size - first)[split]]
            lines_per_row = [idx, idx[split]]
        for n, (rows_idx, row_codes, row_amt) in enumerate(
            zip(lines_per_row, codes_per_row, amounts, strict=True)
        ):
            sign = np.sign(amt[rows_idx])
            part = {
                "unit": unit[rows_idx],
                "entry_no": entry_no[rows_idx],
                "seq_no": seq[rows_idx],
                "alloc_no": np.full(len(rows_idx), n + 1),
                "debit": np.where(sign > 0, row_amt, 0),
                "credit": np.where(sign < 0, row_amt, 0),
            }
            for ax in range(1, 6):
                part[f"dim{ax}"] = row_codes.get(ax, np.full(len(rows_idx), -1))
            parts.append(part)
    keys = ("unit", "entry_no", "seq_no", "alloc_no", *(f"dim{ax}" for ax in range(1, 6)), "debit", "credit")
    cols = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0, np.int64) for k in keys}
    order = np.lexsort((cols["alloc_no"], cols["seq_no"], cols["entry_no"], cols["unit"]))
    cols = {k: v[order] for k, v in cols.items()}
    table = {k: pa.array(cols[k].astype(np.int32)) for k in ("unit", "entry_no", "seq_no", "alloc_no")}
    for ax in range(1, 6):
        code = cols[f"dim{ax}"]
        table[f"dim{ax}"] = _strings(_ACTIVE_CODES[ax], np.maximum(code, 0), code >= 0)
    table["amt_debit"] = _decimal(cols["debit"])
    table["amt_credit"] = _decimal(cols["credit"])
    return pa.table(table)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

_TABLES = (
    "administration",
    "account",
    "journal",
    "period",
    "vat_code",
    "currency",
    "payment_condition",
    "party",
    "debtor",
    "creditor",
    "allocation_axis",
    "allocation_code",
    "allocation_assignment",
    "entry_line",
    "entry_alloc",
    "changed_entry_date",
    "counter",
)


def _load(cur: duckdb.DuckDBPyConnection, table: str, data: pa.Table | list[dict[str, Any]]) -> None:
    """Bulk insert by column name (columns left out take their defaults)."""
    arrow = data if isinstance(data, pa.Table) else pa.Table.from_pylist(data)
    if arrow.num_rows == 0:
        return
    name = f"_demo_{table}"
    cur.register(name, arrow)
    try:
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        cur.unregister(name)


def _master_rows() -> dict[str, list[dict[str, Any]]]:
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
            for a, d, t, s, ct, va, vc, tp, dims, bl in _ACCOUNTS
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
                "description": f"{_MONTHS[p - 1].capitalize()} {y}",
                "date_from": dt.date(y, p, 1),
                "date_to": dt.date(y, p, calendar.monthrange(y, p)[1]),
                "blocked": (y == 2025 and p <= 9) or (u == 2 and y == 2024),
                "period_table": 1,
                "table_desc": "Maanden",
            }
            for u, *_ in ADMINISTRATIONS
            for y in _YEARS
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
            for c, d, a, p, t, b in _VAT_CODES
        ],
        "currency": [
            {
                "currency_id": c,
                "description": d,
                "exchange_rate": Decimal(r).quantize(rate),
                "start_date": dt.date(2025, 1, 1),
                "daily_rate": Decimal(r).quantize(rate),
            }
            for c, d, r in _CURRENCIES
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
            {"unit": u, "account": _ACC_CODES[acc], "ax_id": ax, "code": code}
            for u, *_ in ADMINISTRATIONS
            for acc, spec in _ALLOCATED.items()
            for ax, mode in spec.items()
            for code in (
                [c for c, _ in _PERCENTAGES[(_ACC_CODES[acc], ax)]] if mode == "P" else _ACTIVE_CODES[ax]
            )
        ],
    }
    return rows


def populate(store: Store, *, seed: int = 1, transactions: int = 5000) -> DemoSummary:
    """Fill an empty Store with the demo environment; ``transactions`` is the number of journal lines.

    The same ``seed`` and ``transactions`` always give identical data. Raises ValueError for a Store
    that already holds data or for negative arguments.
    """
    if seed < 0 or transactions < 0:
        raise ValueError("seed and transactions must not be negative")
    rels = _relations(np.random.default_rng([seed, 1]), *_relation_counts(transactions))
    book = _plan(seed, transactions, rels)
    ledger = _ledger(book, rels, np.random.default_rng([seed, 7]))
    with store.write() as cur:
        filled = cur.execute(
            "SELECT (SELECT count(*) FROM administration) + (SELECT count(*) FROM party)"
            " + (SELECT count(*) FROM entry_line)"
        ).fetchall()
        if filled[0][0]:
            raise ValueError("populate() needs an empty Store")
        for table, rows in _master_rows().items():
            _load(cur, table, rows)
        _load(cur, "party", rels.parties)
        _load(cur, "debtor", rels.debtors)
        _load(cur, "creditor", rels.creditors)
        _load(cur, "entry_line", ledger.lines)
        _load(cur, "entry_alloc", ledger.allocs)
        cur.execute(
            "INSERT INTO changed_entry_date"
            " SELECT entry_date, max(modified) FROM entry_line GROUP BY entry_date"
        )
        cur.execute("""
            INSERT INTO counter
            SELECT 'debtor', max(CAST(debtor_id AS BIGINT)) + 1 FROM debtor
            UNION ALL SELECT 'creditor', max(CAST(creditor_id AS BIGINT)) + 1 FROM creditor
            UNION ALL SELECT 'party', max(CAST(bc_co AS BIGINT)) + 1 FROM party
            UNION ALL SELECT 'entry_no:' || a.unit, coalesce(max(l.entry_no), 0) + 1
                      FROM administration a LEFT JOIN entry_line l USING (unit) GROUP BY a.unit""")
        counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in _TABLES}
        years = tuple(r[0] for r in cur.execute("SELECT DISTINCT year FROM entry_line ORDER BY 1").fetchall())
    return DemoSummary(
        seed=seed,
        transactions=transactions,
        counts=counts,
        lines=counts["entry_line"],
        entries=ledger.entries,
        years=years,
    )
