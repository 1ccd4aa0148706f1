"""Builders of master-data items: missing customers and suppliers, changed relation fields, missing
allocation codes, filled with the user's defaults (payment terms, currency, collective account,
allocation axis). Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from afas.corrections.plans import (
    Defaults,
    DimCodeInsertItem,
    RelationInsertItem,
    RelationUpdateItem,
    SourceRows,
)
from afas.i18n import tr

__all__ = [
    "UPDATABLE_FIELDS",
    "dim_code_for_missing",
    "guess_person",
    "relation_for_missing",
    "relation_update_for_difference",
]

_LEGAL_FORMS = re.compile(
    r"\b(b\.?v\.?|n\.?v\.?|v\.?o\.?f\.?|c\.?v\.?|gmbh|ag|ab|as|aps|oy|sp\.?a|s\.?r\.?l|sas|kft|ltd|llc|inc|"
    r"s\.?a\.?|sarl|bvba|stichting|vereniging|co[öo]peratie|holding|groep|group|diverse|diversen)\b",
    re.IGNORECASE,
)


def guess_person(name: str, *, first_name: str | None = None, coc_number: str | None = None) -> bool:
    """Whether a relation is a person rather than an organisation, judged from the data: a chamber
    of commerce number or a legal form in the name means organisation; a first name, or a short
    name without either ("Inge Wouters", "Jan de Boer"), means person."""
    if coc_number or _LEGAL_FORMS.search(name or ""):
        return False
    if first_name:
        return True
    return 2 <= len((name or "").split()) <= 4


def relation_for_missing(
    defaults: Defaults,
    *,
    sales: bool,
    name: str,
    person: bool | None = None,
    first_name: str | None = None,
    **details: Any,
) -> RelationInsertItem:
    """A customer (``sales``) or supplier missing in AFAS, with the default payment terms, currency and
    collective account. ``person`` switches between organisation and person; None guesses it from the
    data (:func:`guess_person`). ``details``: the optional fields of :class:`RelationInsertItem`."""
    if not name or not name.strip():
        raise ValueError(tr("a relation needs a name"))
    if person is None:
        person = guess_person(name, first_name=first_name, coc_number=details.get("coc_number"))
    collective = defaults.debtor_collective_account if sales else defaults.creditor_collective_account
    details.setdefault("payment_terms", defaults.payment_terms)
    details.setdefault("collective_account", collective)
    details.setdefault("currency", defaults.currency)
    return RelationInsertItem(sales=sales, person=person, name=name.strip(), first_name=first_name, **details)


# GetConnector field -> (update object, field id): "relation" is the relation element itself.
_DEBTOR_MAP: dict[str, tuple[str, str]] = {
    "DebtorName": ("party", "Nm"),
    "SearchName": ("party", "SeNm"),
    "TelNr": ("party", "TeNr"),
    "Email": ("party", "EmAd"),
    "ChOfCommNr": ("party", "CcNr"),
    "IBAN": ("relation", "Iban"),
    "VatNr": ("relation", "VaId"),
    "CollectAccount": ("relation", "ColA"),
    "PayCon": ("relation", "PaCd"),
    "CurrencyId": ("relation", "CuId"),
    "Blocked": ("relation", "Bl"),
    "CreditLimit": ("relation", "Krli"),
}
_CREDITOR_MAP: dict[str, tuple[str, str]] = {
    "CreditorName": ("party", "Nm"),
    "SearchName": ("party", "SeNm"),
    "TelNr": ("party", "TeNr"),
    "Email": ("party", "EmAd"),
    "ChOfCommNr": ("party", "CcNr"),
    "IBAN": ("relation", "Iban"),
    "Btw-nummer": ("relation", "VaId"),
    "PaymentCondition": ("relation", "PaCd"),
    "TempBlocked": ("relation", "Bl"),
    "Blocked": ("relation", "BlTl"),
    "CreditLimit": ("relation", "Krli"),
}
UPDATABLE_FIELDS: dict[bool, dict[str, tuple[str, str]]] = {True: _DEBTOR_MAP, False: _CREDITOR_MAP}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def relation_update_for_difference(
    *,
    sales: bool,
    current: Mapping[str, Any],
    wanted: Mapping[str, Any],
    person: bool | None = None,
) -> RelationUpdateItem | None:
    """A PUT of the fields where ``wanted`` (Profit_Debtor/Profit_Creditor field ids -> values) differs
    from ``current`` (that connector's row as synced); None when nothing differs.

    A person's name is composed of several fields in AFAS and is not changed here."""
    mapping = UPDATABLE_FIELDS[sales]
    id_field, name_field = ("DebtorId", "DebtorName") if sales else ("CreditorId", "CreditorName")
    if person is None:
        person = guess_person(str(current.get(name_field) or ""), coc_number=current.get("ChOfCommNr"))
    unknown = sorted(set(wanted) - set(mapping))
    if unknown:
        raise ValueError(
            tr("cannot change {fields} through the relation connector").format(fields=", ".join(unknown))
        )
    relation: dict[str, Any] = {}
    party: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    for gfield, value in wanted.items():
        if _same(current.get(gfield), value):
            continue
        target, fid = mapping[gfield]
        if person and fid == "Nm":
            raise ValueError(tr("a person's name is not changed here (AFAS composes it from several fields)"))
        (party if target == "party" else relation)[fid] = value
        expected[gfield] = value
    if not expected:
        return None
    number = str(current[id_field])
    return RelationUpdateItem(
        sales=sales,
        person=person,
        number=number,
        relation_fields=tuple(sorted(relation.items())),
        party_fields=tuple(sorted(party.items())),
        bc_co=current.get("BcCo"),
        expected=tuple(sorted(expected.items())),
        sources=(SourceRows("Profit_Debtor" if sales else "Profit_Creditor", ((id_field, number),)),),
    )


def dim_code_for_missing(defaults: Defaults, *, code: str, description: str) -> DimCodeInsertItem:
    """An allocation code missing in AFAS, on the default axis."""
    code = code.strip()
    if not code or len(code) > 16:
        raise ValueError(tr("an allocation code has 1 to 16 characters"))
    axis = defaults.allocation_axis
    return DimCodeInsertItem(
        axis,
        code,
        description.strip()[:50] or code,
        (SourceRows("Recon_AllocationCodes", (("AxisId", axis), ("AllocationCode", code))),),
    )
