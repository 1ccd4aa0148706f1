"""Tests of the emulator's UpdateConnector definitions (afas/emulator/update_fields.py) and metainfo."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from afas.emulator import update_fields as uf
from afas.emulator.update_fields import UPDATE_CONNECTORS, UConnector, UField, UObject
from afas.emulator.update_meta import control_type, get_update_connector, update_metainfo

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = PROJECT_ROOT / ".." / "shared" / "afas-openapi"
GENERATOR = PROJECT_ROOT / "tools" / "gen_update_fields.py"
MODULE = PROJECT_ROOT / "afas" / "emulator" / "update_fields.py"
NO_SHARED = "../shared/afas-openapi (AFAS's official OpenAPI files) is not present beside the project"

RELATIONS = ("KnSalesRelationOrg", "KnSalesRelationPer", "KnPurchaseRelationOrg", "KnPurchaseRelationPer")


def _walk(obj: UObject) -> list[UObject]:
    out = [obj]
    for child in obj.objects:
        out += _walk(child)
    return out


def _path(connector_id: str, *names: str) -> UObject:
    obj = UPDATE_CONNECTORS[connector_id].root
    for name in names:
        child = obj.child(name)
        assert child is not None, f"{obj.name} has no child {name}"
        obj = child
    return obj


def _field(obj: UObject, field_id: str) -> UField:
    f = obj.field(field_id)
    assert f is not None, f"{obj.name} has no field {field_id}"
    return f


# --------------------------------------------------------------------------------------------------
# connectors, verbs, roots, keys


def test_the_six_connectors_are_defined() -> None:
    assert set(UPDATE_CONNECTORS) == {*RELATIONS, "FiEntries", "KnDimCode"}
    for cid, c in UPDATE_CONNECTORS.items():
        assert isinstance(c, UConnector)
        assert c.id == cid
        assert c.description and c.description.isascii()


@pytest.mark.parametrize(
    ("cid", "verbs", "delete_path"),
    [
        ("KnSalesRelationOrg", {"POST", "PUT"}, None),
        ("KnSalesRelationPer", {"POST", "PUT"}, None),
        ("KnPurchaseRelationOrg", {"POST", "PUT", "DELETE"}, "KnPurchaseRelationOrg/@CrId"),
        ("KnPurchaseRelationPer", {"POST", "PUT", "DELETE"}, "KnPurchaseRelationPer/@CrId"),
        ("FiEntries", {"POST", "DELETE"}, "FiEntryPar/UnId,JoCo/FiEntries/@EnNo"),
        ("KnDimCode", {"POST", "PUT", "DELETE"}, "KnDimCode/@AxId,@VbCo"),
    ],
)
def test_verbs_and_delete_path(cid: str, verbs: set[str], delete_path: str | None) -> None:
    c = UPDATE_CONNECTORS[cid]
    assert c.verbs == frozenset(verbs)
    assert c.delete_path == delete_path


def test_descriptions() -> None:
    assert UPDATE_CONNECTORS["FiEntries"].description == "Financial entry"
    assert UPDATE_CONNECTORS["KnDimCode"].description == "Allocation code"


@pytest.mark.parametrize(
    ("cid", "root", "keys"),
    [
        ("KnSalesRelationOrg", "KnSalesRelationOrg", ("DbId",)),
        ("KnSalesRelationPer", "KnSalesRelationPer", ("DbId",)),
        ("KnPurchaseRelationOrg", "KnPurchaseRelationOrg", ("CrId",)),
        ("KnPurchaseRelationPer", "KnPurchaseRelationPer", ("CrId",)),
        ("FiEntries", "FiEntryPar", ()),
        ("KnDimCode", "KnDimCode", ("AxId", "VbCo")),
    ],
)
def test_root_and_key_fields(cid: str, root: str, keys: tuple[str, ...]) -> None:
    r = UPDATE_CONNECTORS[cid].root
    assert r.name == root
    assert r.key_fields == keys
    for key in keys:  # keys are attributes and fields at once
        assert r.field(key) is not None
    for nested in _walk(r)[1:]:
        assert nested.key_fields == ()


def _names(obj: UObject) -> list[str]:
    return [c.name for c in obj.objects]


def test_object_trees() -> None:
    names = _names
    assert names(_path("FiEntries")) == ["FiEntries"]
    assert names(_path("FiEntries", "FiEntries")) == ["FiDimEntries", "FiPrjEntries", "FiTransEntries"]
    assert names(_path("KnSalesRelationOrg")) == ["KnOrganisation"]
    assert names(_path("KnPurchaseRelationOrg")) == ["KnOrganisation"]
    assert names(_path("KnSalesRelationPer")) == ["KnPerson"]
    assert names(_path("KnPurchaseRelationPer")) == ["KnPerson"]
    org = ["KnBankAccount", "KnBasicAddressAdr", "KnBasicAddressPad", "KnContact"]
    assert names(_path("KnSalesRelationOrg", "KnOrganisation")) == org
    assert names(_path("KnSalesRelationOrg", "KnOrganisation", "KnContact")) == [
        "KnBasicAddressAdr",
        "KnBasicAddressPad",
        "KnPerson",
    ]
    assert names(_path("KnSalesRelationOrg", "KnOrganisation", "KnContact", "KnPerson")) == org[:3]
    assert names(_path("KnSalesRelationPer", "KnPerson")) == org
    assert names(_path("KnSalesRelationPer", "KnPerson", "KnContact")) == org[1:3]
    assert _path("KnDimCode").objects == ()


def test_shared_objects_are_reused() -> None:
    addresses = {
        id(o)
        for c in UPDATE_CONNECTORS.values()
        for o in _walk(c.root)
        if o.name in ("KnBasicAddressAdr", "KnBankAccount")
    }
    assert len(addresses) == 2  # one KnBasicAddressAdr, one KnBankAccount everywhere
    assert _path("KnSalesRelationOrg", "KnOrganisation", "KnBasicAddressAdr") is uf.KN_BASIC_ADDRESS_ADR
    assert _path("KnPurchaseRelationPer", "KnPerson", "KnBankAccount") is uf.KN_BANK_ACCOUNT
    for name in uf.__all__:
        assert hasattr(uf, name)


# --------------------------------------------------------------------------------------------------
# fields


def test_fientries_header_fields() -> None:
    par = _path("FiEntries")
    for fid in ("Year", "Peri", "JoCo"):
        assert _field(par, fid).mandatory_post
    assert _field(par, "UnId").data_type == "int"
    assert not _field(par, "UnId").mandatory_post
    assert _field(par, "JoCo").length == 6


def test_fientries_line_fields() -> None:
    line = _path("FiEntries", "FiEntries")
    vaas = _field(line, "VaAs")
    assert [code for code, _ in vaas.values] == ["1", "2", "3"]
    assert dict(vaas.values)["2"] == "Debiteur"
    assert vaas.mandatory_post
    assert _field(line, "AcNr").length == 16
    assert _field(line, "EnDa").data_type == "date"
    assert _field(line, "BpDa").data_type == "date"
    assert _field(line, "BpNr").length == 32
    assert _field(line, "InId").length == 12
    for fid in ("AmDe", "AmCr", "AmDc", "AmCc"):
        assert (_field(line, fid).data_type, _field(line, fid).decimals) == ("decimal", 2)
    assert _field(line, "Rate").decimals == 10
    vat = _field(line, "VaId")
    assert (vat.label, vat.length) == ("VAT code", 3)
    assert line.field("VaCd") is None
    assert not any(f.mandatory_put for o in _walk(_path("FiEntries")) for f in o.fields)  # no PUT


def test_fientries_sub_lines() -> None:
    dim = _path("FiEntries", "FiEntries", "FiDimEntries")
    assert [f"DiC{i}" for i in range(1, 6)] == [f.field_id for f in dim.fields[:5]]
    assert all(f.length == 16 for f in dim.fields[:5])
    prj = _path("FiEntries", "FiEntries", "FiPrjEntries")
    assert _field(prj, "PrId").mandatory_post and _field(prj, "ItCd").mandatory_post
    trans = _path("FiEntries", "FiEntries", "FiTransEntries")
    assert {f.field_id for f in trans.fields if f.mandatory_post} == {"YeSt", "PeSt", "YeEn", "PeEn"}


def test_kndimcode_fields() -> None:
    dim = _path("KnDimCode")
    assert (_field(dim, "AxId").length, _field(dim, "VbCo").length) == (1, 16)
    ds = _field(dim, "Ds")
    assert (ds.length, ds.mandatory_post, ds.mandatory_put) == (50, True, False)
    assert _field(dim, "AxId").mandatory_put and _field(dim, "VbCo").mandatory_put
    assert dim.field("DiAx") is None and dim.field("DmCd") is None


@pytest.mark.parametrize("cid", RELATIONS)
def test_relations_require_currency_on_insert(cid: str) -> None:
    cuid = _field(_path(cid), "CuId")
    assert (cuid.length, cuid.mandatory_post, cuid.mandatory_put) == (3, True, False)
    key = UPDATE_CONNECTORS[cid].root.key_fields[0]
    assert _field(_path(cid), key).mandatory_put
    assert _field(_path(cid), key).length == 16


def test_sales_relation_org_fields() -> None:
    rel = _path("KnSalesRelationOrg")
    assert _field(rel, "CuId").mandatory_post
    assert _field(rel, "VaId").label == "VAT identification number"
    assert [c for c, _ in _field(rel, "InPv").values][:2] == ["A", "B"]
    assert _field(rel, "Rm").memo


def test_organisation_has_no_country_but_addresses_require_one() -> None:
    for cid in ("KnSalesRelationOrg", "KnPurchaseRelationOrg"):
        org = _path(cid, "KnOrganisation")
        assert org.field("CoId") is None
        assert _field(org, "Nm").mandatory_post
        assert [c for c, _ in _field(org, "MatchOga").values] == ["0", "1", "2", "3", "4", "5", "6", "9"]
        for child in ("KnBasicAddressAdr", "KnBasicAddressPad", "KnBankAccount"):
            co = _field(_path(cid, "KnOrganisation", child), "CoId")
            assert co.mandatory_post and not co.mandatory_put
    assert _field(uf.KN_BASIC_ADDRESS_ADR, "HmNr").data_type == "int"


def test_person_match_codes() -> None:
    root_person = _path("KnSalesRelationPer", "KnPerson")
    contact_person = _path("KnSalesRelationOrg", "KnOrganisation", "KnContact", "KnPerson")
    assert "9" in dict(_field(root_person, "MatchPer").values)
    assert "9" not in dict(_field(contact_person, "MatchPer").values)


def test_field_facts_are_well_formed() -> None:
    for c in UPDATE_CONNECTORS.values():
        for obj in _walk(c.root):
            ids = [f.field_id for f in obj.fields]
            assert len(ids) == len(set(ids)), obj.name
            for f in obj.fields:
                assert f.data_type in {"string", "int", "decimal", "boolean", "date"}
                assert f.length >= 0 and f.decimals >= 0
                assert f.length == 0 or f.data_type == "string"
                assert f.decimals == 0 or f.data_type == "decimal"
                assert all(isinstance(code, str) and isinstance(text, str) for code, text in f.values)
                if "PUT" not in c.verbs:
                    assert not f.mandatory_put


# --------------------------------------------------------------------------------------------------
# metainfo


FIELD_KEYS = [
    "fieldId",
    "primaryKey",
    "dataType",
    "label",
    "mandatory",
    "length",
    "decimals",
    "decimalFieldId",
    "notzero",
    "controlType",
    "values",
]


def _meta_fields(meta: dict) -> list[dict]:
    out = list(meta["fields"])
    for child in meta["objects"]:
        out += _meta_fields(child)
    return out


@pytest.mark.parametrize("cid", sorted(UPDATE_CONNECTORS))
def test_update_metainfo_shape(cid: str) -> None:
    meta = update_metainfo(cid)
    assert list(meta) == ["id", "description", "name", "fields", "objects"]
    assert meta["id"] == cid
    assert meta["name"] == UPDATE_CONNECTORS[cid].root.name
    for child in meta["objects"]:
        assert list(child) == ["name", "fields", "objects"]
    for field in _meta_fields(meta):
        assert list(field) == FIELD_KEYS
        assert "decimalsFieldId" not in field and "notZero" not in field
        assert field["decimalFieldId"] == "" and field["notzero"] is False
        assert isinstance(field["primaryKey"], bool) and isinstance(field["mandatory"], bool)
        assert isinstance(field["controlType"], int)
        assert field["values"] is None or all(list(v) == ["id", "description"] for v in field["values"])
    json.dumps(meta)  # plain JSON


def test_update_metainfo_fientries() -> None:
    meta = update_metainfo("FiEntries")
    assert (meta["name"], meta["description"]) == ("FiEntryPar", "Financial entry")
    assert [o["name"] for o in meta["objects"]] == ["FiEntries"]
    lines = meta["objects"][0]
    assert [o["name"] for o in lines["objects"]] == ["FiDimEntries", "FiPrjEntries", "FiTransEntries"]
    vaas = next(f for f in lines["fields"] if f["fieldId"] == "VaAs")
    assert vaas["controlType"] == 5 and vaas["mandatory"] is True
    assert vaas["values"][0] == {"id": "1", "description": "Grootboekrekening"}
    amde = next(f for f in lines["fields"] if f["fieldId"] == "AmDe")
    assert (amde["dataType"], amde["decimals"], amde["controlType"]) == ("decimal", 2, 1)
    assert amde["values"] is None
    assert not any(f["primaryKey"] for f in _meta_fields(meta))


def test_update_metainfo_keys_and_mandatory() -> None:
    meta = update_metainfo("kndimcode")  # ids are matched case-insensitively
    assert meta["id"] == "KnDimCode"
    by_id = {f["fieldId"]: f for f in meta["fields"]}
    assert by_id["AxId"]["primaryKey"] and by_id["VbCo"]["primaryKey"]
    assert not by_id["Ds"]["primaryKey"] and by_id["Ds"]["mandatory"]
    assert by_id["Ds"]["length"] == 50 and by_id["QuYN"]["dataType"] == "boolean"
    assert by_id["QuYN"]["controlType"] == 1
    sales = update_metainfo("KnSalesRelationOrg")
    dbid = next(f for f in sales["fields"] if f["fieldId"] == "DbId")
    assert dbid["primaryKey"] is True and dbid["mandatory"] is False  # required on PUT only
    remark = next(f for f in sales["fields"] if f["fieldId"] == "Rm")
    assert remark["controlType"] == 23


def test_update_metainfo_unknown_connector() -> None:
    assert get_update_connector("NoSuchConnector") is None
    with pytest.raises(KeyError):
        update_metainfo("NoSuchConnector")


def test_control_type_rule() -> None:
    assert control_type(UField("X", "string", "x", length=1000)) == 23
    assert control_type(UField("X", "string", "x", length=255)) == 1
    assert control_type(UField("X", "boolean", "x")) == 1
    assert control_type(UField("X", "string", "x", values=(("1", "a"),))) == 5


# --------------------------------------------------------------------------------------------------
# drift against AFAS's OpenAPI files


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_update_fields", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
def test_generated_module_matches_the_openapi_files(tmp_path: Path) -> None:
    if not SPEC_DIR.is_dir():
        pytest.skip(NO_SHARED)
    out = tmp_path / "update_fields.py"
    assert _generator().main([str(SPEC_DIR), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == MODULE.read_text(encoding="utf-8"), (
        "afas/emulator/update_fields.py is out of date: run python tools/gen_update_fields.py"
    )
