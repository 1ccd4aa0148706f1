"""Request bodies: AFAS's official schemas and examples give their shape; the emulator accepts them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
import pytest

from afas.corrections.entries import entry_for_ledger_line
from afas.corrections.masterdata import dim_code_for_missing, relation_for_missing
from afas.corrections.payloads import request_for, text_value
from afas.corrections.plans import EntryLine, JournalEntryItem, RelationInsertItem, RelationUpdateItem
from tests.conftest import make_client, openapi
from tests.corrections import DEFAULTS, fresh_emulator

D = Decimal
DAY = dt.date(2025, 11, 3)


def sample_items() -> list[Any]:
    """One item of every kind the outbox sends, with its reference already assigned."""
    entry = entry_for_ledger_line(
        DEFAULTS, entry_date=DAY, account="8000", amount=D("-125.50"), description="Sale", allocation="WEST"
    )
    debtor_entry = JournalEntryItem(
        1, 2025, 11, "80", DAY, "Debtor line",
        (EntryLine("10004", debit=D("10.00"), va_as=2, invoice_id="X1", description="d"),
         EntryLine("8010", credit=D("10.00"), vat_code="1", description="r")),
    )  # fmt: skip
    return [
        JournalEntryItem(**{**entry.__dict__, "voucher_no": "KCTEST-000001"}),
        JournalEntryItem(**{**debtor_entry.__dict__, "voucher_no": "KCTEST-000002"}),
        RelationInsertItem(
            **{
                **relation_for_missing(
                    DEFAULTS,
                    sales=True,
                    name="Nieuwe Klant B.V.",
                    coc_number="12345678",
                    email="a@b.nl",
                    street="Dorpsstraat",
                    house_number=1,
                    zip_code="1234AB",
                    city="Utrecht",
                    country="NL",
                    iban="NL91ABNA0417164300",
                ).__dict__,
                "number": "90001",
            }
        ),  # fmt: skip
        RelationInsertItem(
            **{
                **relation_for_missing(DEFAULTS, sales=False, name="Jansen", first_name="Piet").__dict__,
                "number": "90002",
            }
        ),  # fmt: skip
        RelationInsertItem(
            **{
                **relation_for_missing(
                    DEFAULTS, sales=True, name="Vries", first_name="Els", prefix="de"
                ).__dict__,
                "number": "90003",
            }
        ),  # fmt: skip
        RelationInsertItem(
            **{
                **relation_for_missing(DEFAULTS, sales=False, name="Leverancier B.V.").__dict__,
                "number": "90004",
            }
        ),
        RelationUpdateItem(
            sales=True,
            person=False,
            number="10004",
            bc_co="1000006",
            relation_fields=(("Bl", True), ("PaCd", "14")),
            party_fields=(("EmAd", "new@x.nl"),),
        ),  # fmt: skip
        RelationUpdateItem(sales=False, person=False, number="60003", relation_fields=(("PaCd", "14"),)),
        dim_code_for_missing(DEFAULTS, code="NEW1", description="Nieuwe vestiging"),
    ]


def test_values_are_written_as_afas_examples_write_them():
    assert text_value(D("125.50")) == "125.50"
    assert text_value(2025) == "2025"
    assert text_value(DAY) == "2025-11-03"
    assert text_value(True) is True
    with pytest.raises(TypeError):
        text_value(1.5)


def test_entry_body_has_the_shape_of_the_official_example_with_dimensions():
    body = request_for(sample_items()[0]).body
    element = body["FiEntryPar"]["Element"]
    assert element["Fields"] == {"Year": "2025", "Peri": "11", "UnId": "1", "JoCo": "80"}
    lines = element["Objects"][0]["FiEntries"]["Element"]
    assert isinstance(element["Objects"], list) and isinstance(lines, list)
    assert lines[0]["Fields"] == {
        "VaAs": "1", "AcNr": "8000", "EnDa": "2025-11-03", "BpDa": "2025-11-03", "BpNr": "KCTEST-000001",
        "Ds": "Sale", "AmDe": "0.00", "AmCr": "125.50",
    }  # fmt: skip
    assert lines[0]["Objects"] == [{"FiDimEntries": {"Element": {"Fields": {"DiC1": "WEST"}}}}]
    assert "Objects" not in lines[1]
    assert b"." in orjson.dumps(body) and "e" not in lines[0]["Fields"]["AmCr"]


def test_no_reference_no_body():
    item = entry_for_ledger_line(DEFAULTS, entry_date=DAY, account="8000", amount=D("1.00"), description="x")
    with pytest.raises(ValueError, match="approve it first"):
        request_for(item)


def _problems(doc: Any, schema: dict[str, Any], path: str, keys: frozenset[str] = frozenset()) -> list[str]:
    """Where ``doc`` strays from an OpenAPI request schema (an array also takes one object, as AFAS's
    own examples do; ``@Key`` attributes must be fields of their element)."""
    if schema.get("type") == "array":
        items = doc if isinstance(doc, list) else [doc]
        return [p for i, d in enumerate(items) for p in _problems(d, schema["items"], f"{path}[{i}]")]
    if schema.get("type") == "object" and "properties" in schema:
        if not isinstance(doc, dict):
            return [f"{path}: expected an object"]
        props = schema["properties"]
        fields = props.get("Fields", {}).get("properties", {})
        out = []
        attributes = frozenset(k[1:] for k in doc if k.startswith("@"))
        for key, value in doc.items():
            if key.startswith("@"):
                if key[1:] not in fields:
                    out.append(f"{path}/{key}: not a key field")
            elif key not in props:
                out.append(f"{path}/{key}: not in the schema")
            else:
                out += _problems(
                    value, props[key], f"{path}/{key}", attributes if key == "Fields" else frozenset()
                )
        present = set(doc) | keys
        out += [
            f"{path}/{r}: required"
            for r in schema.get("required", [])
            if r not in present and r not in SPEC_REQUIRED_NEVER_SENT and path.endswith("Fields")
        ]
        return out
    return []


# Marked required in the schemas but left out by AFAS's own examples (afas-profit-api.md §5.4, §5.8,
# §5.9): AFAS assigns the entry number; BcId is internal ("do not send"); BcCo is needed only when
# AutoNum is false; BeginDate is ignored for a first address; CdDa and AddToPortal have defaults.
SPEC_REQUIRED_NEVER_SENT = frozenset({"EnNo", "CdDa", "AddToPortal", "BcId", "BcCo", "BeginDate"})

SPEC_FILES = {
    "FiEntries": "mutaties.json",
    "KnDimCode": "financiele-inrichting.json",
}


@pytest.mark.shared
def test_every_body_fits_the_official_schema_of_its_connector():
    specs: dict[str, dict[str, Any]] = {}
    for item in sample_items():
        request = request_for(item)
        name = SPEC_FILES.get(request.connector, "organisaties-en-personen.json")
        spec = specs.setdefault(name, openapi(name))
        schema = spec["components"]["schemas"][f"{request.connector}_{request.method}"]
        assert _problems(request.body, schema, request.connector) == [], request.connector


@pytest.mark.shared
def test_relation_and_dim_code_bodies_follow_the_official_examples():
    spec = openapi("organisaties-en-personen.json")
    example = spec["paths"]["/connectors/KnSalesRelationOrg"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]["EDA"]["value"]
    ours = request_for(sample_items()[2]).body
    theirs_el, ours_el = example["KnSalesRelationOrg"]["Element"], ours["KnSalesRelationOrg"]["Element"]
    assert "@DbId" in theirs_el and "@DbId" in ours_el
    assert {"IsDb", "PaCd", "CuId", "ColA"} <= set(ours_el["Fields"]) and set(theirs_el["Fields"]) <= set(
        ours_el["Fields"]
    )
    assert {"PadAdr", "AutoNum", "MatchOga", "Nm"} <= set(
        ours_el["Objects"][0]["KnOrganisation"]["Element"]["Fields"]
    )
    dim = openapi("financiele-inrichting.json")["paths"]["/connectors/KnDimCode"]["post"]["requestBody"][
        "content"
    ]["application/json"]["examples"]["enkel"]["value"]
    ours_dim = request_for(sample_items()[-1]).body
    assert set(ours_dim["KnDimCode"]["Element"]) == set(dim["KnDimCode"]["Element"])  # @AxId, @VbCo, Fields
    put = spec["paths"]["/connectors/KnSalesRelationOrg"]["put"]["requestBody"]["content"][
        "application/json"
    ]["examples"]["blokkeren"]["value"]
    ours_put = request_for(sample_items()[6]).body["KnSalesRelationOrg"]["Element"]
    org = ours_put["Objects"][0]["KnOrganisation"]["Element"]["Fields"]
    assert (
        put["KnSalesRelationOrg"]["Element"]["Objects"]["KnOrganisation"]["Element"]["Fields"]["MatchOga"]
        == "0"
    )
    assert (org["MatchOga"], org["BcCo"]) == ("0", "1000006")


def test_the_emulator_accepts_every_kind_of_body():
    emulator = fresh_emulator()
    with make_client(emulator) as client:
        for item in sample_items():
            request = request_for(item)
            send = client.insert if request.method == "POST" else client.update
            result = send(request.connector, request.body)
            assert result.status == 201, request.connector
            if request.connector == "FiEntries":
                assert result.keys["EnNo"]
            elif request.connector.startswith("KnSales"):
                assert result.keys["DbId"] in ("90001", "90003", "10004")
            elif request.connector.startswith("KnPurchase"):
                assert result.keys["CrId"] in ("90002", "90004", "60003")
        debtor = client.fetch_all("Profit_Debtor", key=("DebtorId",), filter=None)
    by_id = {r["DebtorId"]: r for r in debtor}
    assert by_id["90001"]["DebtorName"] == "Nieuwe Klant B.V." and by_id["90001"]["PayCon"] == "30"
    assert by_id["90003"]["DebtorName"] == "Els de Vries"
    assert (by_id["10004"]["Email"], by_id["10004"]["PayCon"], by_id["10004"]["Blocked"]) == (
        "new@x.nl",
        "14",
        True,
    )
