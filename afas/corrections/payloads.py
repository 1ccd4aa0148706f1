"""The exact UpdateConnector request body of each plan item, shaped as AFAS's official examples.

* FiEntries: ``{"FiEntryPar": {"Element": {"Fields": {Year, Peri, UnId, JoCo}, "Objects": [{"FiEntries":
  {"Element": [line, ...]}}]}}}``, each line ``{"Fields": {VaAs, AcNr, EnDa, BpDa, BpNr, ...}}`` with
  its allocation as ``"Objects": [{"FiDimEntries": {"Element": {"Fields": {"DiC<axis>": code}}}}]``
  (mutaties.json, example "Journalentry with dimentions": one dim row without amounts carries the
  whole line).
* KnSalesRelationOrg/Per, KnPurchaseRelationOrg/Per: the relation with ``@DbId``/``@CrId`` and its
  ``KnOrganisation``/``KnPerson`` (organisaties-en-personen.json, examples "EDA", "blokkeren").
* KnDimCode: ``{"KnDimCode": {"Element": {"@AxId", "@VbCo", "Fields": {"Ds", ...}}}}``
  (financiele-inrichting.json, example "enkel").

Values are sent as those examples send them: numbers and amounts as strings with a '.', dates as
YYYY-MM-DD, flags as JSON booleans. A body never holds anything but the item's data (no token).

Each plan item's ``body()`` calls the builder of its kind here; :func:`request_for` asks the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the items call these builders (afas.corrections.plans imports this module)
    from afas.corrections.plans import (
        DimCodeInsertItem,
        JournalEntryItem,
        PlanItem,
        RelationInsertItem,
        RelationUpdateItem,
    )

__all__ = [
    "Request",
    "dim_code_body",
    "entry_body",
    "relation_insert_body",
    "relation_update_body",
    "request_for",
    "text_value",
]


@dataclass(frozen=True)
class Request:
    """One UpdateConnector call: connector id, verb and JSON body."""

    connector: str
    method: str  # POST | PUT
    body: dict[str, Any]


def text_value(value: Any) -> Any:
    """A field value as AFAS's examples write it (strings for numbers, booleans as booleans)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        raise TypeError("amounts must be Decimal, never float")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fields(pairs: dict[str, Any]) -> dict[str, Any]:
    return {k: text_value(v) for k, v in pairs.items() if v is not None}


def entry_body(item: JournalEntryItem) -> dict[str, Any]:
    """FiEntries: the entry's header and its lines, each with its allocation (mutaties.json)."""
    if not item.voucher_no:
        raise ValueError("the entry has no voucher number (BpNr) yet: approve it first")
    lines = []
    for ln in item.lines:
        element: dict[str, Any] = {
            "Fields": _fields(
                {
                    "VaAs": ln.va_as,
                    "AcNr": ln.account,
                    "EnDa": item.entry_date,
                    "BpDa": item.entry_date,
                    "BpNr": item.voucher_no,
                    "InId": ln.invoice_id,
                    "Ds": ln.description,
                    "AmDe": ln.debit,
                    "AmCr": ln.credit,
                    "VaId": ln.vat_code,
                }
            )
        }
        if ln.allocations:
            dim = {f"DiC{axis}": code for axis, code in ln.allocations}
            element["Objects"] = [{"FiDimEntries": {"Element": {"Fields": _fields(dim)}}}]
        lines.append(element)
    header = _fields(
        {"Year": item.year, "Peri": item.period, "UnId": item.administration, "JoCo": item.journal}
    )
    return {"FiEntryPar": {"Element": {"Fields": header, "Objects": [{"FiEntries": {"Element": lines}}]}}}


def _one(
    name: str, fields: dict[str, Any], objects: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"Fields": _fields(fields)}
    if objects:
        element["Objects"] = [{k: {"Element": v}} for k, v in objects.items()]
    return {name: {"Element": element}}


def relation_insert_body(item: RelationInsertItem) -> dict[str, Any]:
    """A new customer or supplier with its organisation or person, address and bank account."""
    if not item.number:
        raise ValueError("the relation has no number (DbId/CrId) yet: approve it first")
    party_fields: dict[str, Any] = {
        "PadAdr": True,
        "AutoNum": True,
        "SeNm": item.search_name,
        "TeNr": item.phone,
        "EmAd": item.email,
    }
    if item.person:
        party_fields.update(MatchPer="7", FiNm=item.first_name, Is=item.prefix, LaNm=item.name)
    else:
        party_fields.update(MatchOga="6", Nm=item.name, CcNr=item.coc_number)
    children: dict[str, dict[str, Any]] = {}
    if item.country:
        address = {
            "CoId": item.country,
            "PbAd": False,
            "Ad": item.street,
            "HmNr": item.house_number,
            "ZpCd": item.zip_code,
            "Rs": item.city,
            "ResZip": False,
        }
        children["KnBasicAddressAdr"] = {"Fields": _fields(address)}
    if item.iban:
        children["KnBankAccount"] = {
            "Fields": _fields({"CoId": item.iban[:2].upper(), "IbCk": True, "Iban": item.iban})
        }
    party = {"Fields": _fields(party_fields)}
    if children:
        party["Objects"] = [{k: {"Element": v}} for k, v in children.items()]
    flag = "IsDb" if item.sales else "IsCr"
    key = "@DbId" if item.sales else "@CrId"
    relation = {
        flag: True,
        "CuId": item.currency,
        "PaCd": item.payment_terms,
        "ColA": item.collective_account,
        "VaId": item.vat_id,
    }
    party_name = "KnPerson" if item.person else "KnOrganisation"
    element = {key: item.number, "Fields": _fields(relation), "Objects": [{party_name: {"Element": party}}]}
    return {item.connector: {"Element": element}}


def relation_update_body(item: RelationUpdateItem) -> dict[str, Any]:
    """Only the changed fields of the relation and of its own organisation or person (PUT)."""
    key = "@DbId" if item.sales else "@CrId"
    element: dict[str, Any] = {key: item.number}
    if item.relation_fields:
        element["Fields"] = _fields(dict(item.relation_fields))
    if item.party_fields:
        match = "MatchPer" if item.person else "MatchOga"
        party = {match: "0", "BcCo": item.bc_co} if item.bc_co else {match: "9"}
        party.update(dict(item.party_fields))
        name = "KnPerson" if item.person else "KnOrganisation"
        element["Objects"] = [{name: {"Element": {"Fields": _fields(party)}}}]
    return {item.connector: {"Element": element}}


def dim_code_body(item: DimCodeInsertItem) -> dict[str, Any]:
    """KnDimCode: the code on its axis (financiele-inrichting.json, example "enkel")."""
    element = {
        "@AxId": str(item.axis),
        "@VbCo": item.code,
        "Fields": _fields({"Ds": item.description, "Bl": False}),
    }
    return {"KnDimCode": {"Element": element}}


def request_for(item: PlanItem) -> Request:
    """The UpdateConnector call that carries out ``item``."""
    return Request(item.connector, item.method, item.body())
