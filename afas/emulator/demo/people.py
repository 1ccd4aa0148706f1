"""One party's particulars, drawn from one rng: unique names, addresses, phone numbers, e-mail,
KvK numbers, IBANs with valid check digits (and elfproef-valid Dutch accounts) and VAT numbers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from afas.emulator.demo.vocabulary import (
    ASCII_FOLD,
    COMPANY_WORDS,
    CUSTOMER_TRADES,
    FIRST_NAMES,
    FOREIGN,
    LEGAL_FORMS,
    MAIL_PROVIDERS,
    NL_BANKS,
    NL_CITIES,
    STREETS,
    SUPPLIER_TRADES,
    SURNAMES,
    ZIP_LETTERS,
)

__all__ = ["People", "vat_id"]


def _iban(country: str, bban: str) -> str:
    """An IBAN whose check digits are right (ISO 13616 mod-97)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


class People:
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
        first = self.pick(FIRST_NAMES)
        rest = " ".join(p for p in self.pick(SURNAMES) if p)
        return f"{first} {rest}", [f"{first} {i}. {rest}" for i in "ABCDEGHJKLMNPRSTVW"]

    def company_name(self, country: str, customer: bool, city: str) -> tuple[str, list[str]]:
        """A company name, and variants with the city before the legal form."""
        if country != "NL":
            abroad = FOREIGN[country]
            base, form = f"{self.pick(abroad.surnames)} {self.pick(abroad.trades)}", abroad.form
        else:
            trade = self.pick(CUSTOMER_TRADES if customer else SUPPLIER_TRADES)
            lower = " ".join(p for p in self.pick(SURNAMES) if p)
            form, style = "B.V.", self.rng.random()
            if style < 0.45:
                base = f"{trade} {lower}"
            elif style < 0.60:
                base, form = f"{trade} {lower}", ""
            elif style < 0.85:
                base = f"{lower[0].upper()}{lower[1:]} {self.pick(COMPANY_WORDS)}"
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
            return self.pick(NL_BANKS) + self.nl_account()
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
            city, low, high, area = self.pick(NL_CITIES)
            letters = "".join(self.pick(tuple(ZIP_LETTERS)) for _ in range(2))
            zip_ = f"{int(rng.integers(low, high + 1))} {'AB' if letters in ('SA', 'SD', 'SS') else letters}"
            street = self.pick(STREETS)
            house_add = self.pick(("A", "B", "-2", "bis")) if rng.random() < 0.1 else None
            iban: str | None = _iban("NL", self.bban("NL"))
            phone = f"{area}-{self.digits(10 - len(area))}"
        else:
            abroad = FOREIGN[country]
            city, zip_ = self.pick(abroad.cities)
            street = self.pick(abroad.streets)
            iban = _iban(abroad.iban, self.bban(abroad.iban)) if abroad.iban else None
            phone = f"{abroad.phone} {self.digits(7)}"
        if kind == "P":
            name = name or self.unique(self.person_name)
            slug = re.sub(r"[^a-z.]", "", name.lower().replace(" ", "."))
            email = f"{slug}@{self.pick(MAIL_PROVIDERS)}"
            phone = f"06-{self.digits(8)}" if country == "NL" else phone
            coc_nr = None
        else:
            name = name or self.unique(lambda: self.company_name(country, customer, city))
            forms = {f.lower().replace(".", "") for f in LEGAL_FORMS}
            words = [w for w in re.sub(r"[^\w ]", "", name.lower()).split() if w not in forms]
            domain = FOREIGN[country].mail if country != "NL" else "nl"
            email = f"info@{''.join(words).translate(ASCII_FOLD) or 'relatie'}.{domain}"
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


def vat_id(people: People, country: str) -> str | None:
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
