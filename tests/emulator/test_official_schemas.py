"""Every GetConnector response validates against AFAS's official response schema (nulls allowed).

Reads AFAS's OpenAPI file mutaties.json from ../shared (the contract); skipped with that reason
when it is absent.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest

from afas.emulator.getconnectors import STANDARD_GET_CONNECTORS
from tests.conftest import openapi


def _nullable(schema: dict) -> dict:
    """The official schema with every row property allowed to be null (REST sends empty values as null)."""
    schema = copy.deepcopy(schema)
    props = schema["properties"]["rows"]["items"]["properties"]
    for prop in props.values():
        prop["type"] = [prop["type"], "null"]
    schema["properties"]["rows"]["items"]["additionalProperties"] = False
    schema["required"] = ["skip", "take", "rows"]
    return schema


@pytest.mark.shared
@pytest.mark.parametrize("connector", [c.id for c in STANDARD_GET_CONNECTORS])
def test_response_validates_against_official_schema(connector, client):
    spec = openapi("mutaties.json")
    official = spec["paths"][f"/connectors/{connector}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    schema = _nullable(official["schema"])
    response = client._get(f"connectors/{connector}", {"skip": "-1", "take": "-1"})
    doc = response.json()
    jsonschema.validate(doc, schema)
    assert doc["rows"], f"the demo administration has no rows in {connector}"
    official_fields = list(official["schema"]["properties"]["rows"]["items"]["properties"])
    assert list(doc["rows"][0]) == official_fields  # same fields, same order


@pytest.mark.shared
def test_metainfo_catalogue_validates_against_official_schema(client):
    spec = openapi("mutaties.json")
    schema = spec["paths"]["/MetaInfo"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(client._get("metainfo").json(), schema)


@pytest.mark.shared
def test_get_metainfo_validates_against_official_schema(client):
    spec = openapi("mutaties.json")
    path = spec["paths"]["/Metainfo/{Type}/{Endpoint}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    for connector in STANDARD_GET_CONNECTORS:
        doc = client._get(f"metainfo/get/{connector.id}").json()
        jsonschema.validate(doc, path["schema"])
        assert [f["id"] for f in doc["fields"]] == [f.id for f in connector.fields]


@pytest.mark.shared
def test_profit_version_and_error_body_validate(client):
    spec = openapi("mutaties.json")
    version = spec["paths"]["/ProfitVersion"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    jsonschema.validate(client._get("ProfitVersion").json(), version)
    error_schema = copy.deepcopy(
        spec["components"]["responses"]["500"]["content"]["application/json"]["schema"]
    )
    for prop in error_schema["properties"].values():
        prop.pop("example", None)
    r = client._http.get("connectors/Profit_Accounts", params={"skip": 2, "take": -1})
    assert r.status_code == 500
    jsonschema.validate(r.json(), error_schema)
