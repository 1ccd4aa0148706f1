"""Tests of the emulator's UpdateConnectors (afas/emulator/updates.py, afas/emulator/envelope.py).

``apply_update`` is called directly on a ``Store`` filled by ``demo.populate(store, seed=1,
transactions=300)``. The ``shared`` tests post AFAS's official request examples from
../shared/afas-openapi; the others use hand-built bodies and set the demo data they rely on
(blocked journal, allocation-required account, ...) themselves.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from afas.emulator import demo
from afas.emulator.envelope import parse_key_path
from afas.emulator.errors import ERR_NOT_AUTHORISED, ProfitError
from afas.emulator.getconnectors import GET_CONNECTORS
from afas.emulator.store import Store
from afas.emulator.updates import apply_update

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SPEC_DIR = PROJECT_ROOT / ".." / "shared" / "afas-openapi"
NO_SHARED = "../shared/afas-openapi (AFAS's official OpenAPI files) is not present beside the project"
NOW = datetime(2025, 11, 20, 14, 30, 0)
NOT_BALANCED = "The entry is not in balance."
UNKNOWN_ACCOUNT = "The entered value for 'Account Number' does not exist."


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _demo_tables() -> dict[str, Any]:
    """The small demo administration's tables, built once for the module (building takes longer than
    a test): each test gets a fresh Store holding a copy of them."""
    s = Store()
    demo.populate(s, seed=1, transactions=300)
    names = [
        n for (n,) in s.con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()
    ]
    tables = {name: s.con.table(name).to_arrow_table() for name in names}
    s.con.close()
    return tables


@pytest.fixture
def store(_demo_tables: dict[str, Any]) -> Iterator[Store]:
    s = Store()
    for name, rows in _demo_tables.items():
        s.con.register("_rows", rows)
        s.con.execute(f"INSERT INTO {name} SELECT * FROM _rows")
        s.con.unregister("_rows")
    s.touch()
    yield s
    s.con.close()


def _units(store: Store) -> frozenset[int]:
    return frozenset(r[0] for r in store.con.execute("SELECT unit FROM administration").fetchall())


def call(
    store: Store,
    connector: str,
    method: str,
    body: Any = None,
    key_path: str | None = None,
    *,
    lang: str = "en-us",
    units: frozenset[int] | None = None,
) -> tuple[int, dict | None]:
    raw = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    return apply_update(
        store,
        connector,
        method,
        raw,
        key_path,
        visible_units=_units(store) if units is None else units,
        lang=lang,
        now=NOW,
    )


def refused(
    store: Store,
    connector: str,
    method: str,
    body: Any = None,
    key_path: str | None = None,
    *,
    lang: str = "en-us",
    units: frozenset[int] | None = None,
) -> ProfitError:
    with pytest.raises(ProfitError) as info:
        call(store, connector, method, body, key_path, lang=lang, units=units)
    return info.value


def scalar(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    row = store.con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def rows(store: Store, connector_id: str, where: str = "", params: list[Any] | None = None) -> list[dict]:
    """Rows of a GetConnector as the emulator builds them (its SQL over the store)."""
    conn = GET_CONNECTORS[connector_id]
    cols = ", ".join(f'{f.sql} AS "{f.id}"' for f in conn.fields)
    sql = f"SELECT * FROM (SELECT {cols} {conn.source}) t" + (f" WHERE {where}" if where else "")
    cur = store.con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def line(
    va_as: int,
    ac_nr: str,
    debit: str = "0",
    credit: str = "0",
    day: str = "2024-03-15",
    objects: dict | None = None,
    **extra: Any,
) -> dict:
    out: dict[str, Any] = {
        "Fields": {
            "VaAs": str(va_as),
            "AcNr": ac_nr,
            "EnDa": day,
            "BpDa": day,
            "AmDe": debit,
            "AmCr": credit,
            **extra,
        }
    }
    if objects:
        out["Objects"] = objects
    return out


def entry(
    lines: list[dict],
    *,
    year: Any = "2024",
    peri: Any = "3",
    journal: str = "80",
    unit: Any = "1",
    **header: Any,
) -> dict:
    fields = {"Year": year, "Peri": peri, "UnId": unit, "JoCo": journal, **header}
    return {"FiEntryPar": {"Element": {"Fields": fields, "Objects": {"FiEntries": {"Element": lines}}}}}


def memorial(amount: str = "100.00", **extra: Any) -> dict:
    return entry([line(1, "0100", debit=amount, **extra), line(1, "0200", credit=amount)])


def prepare_accounts(store: Store, *accounts: str, **attrs: Any) -> None:
    """Give demo ledger accounts plain settings (no allocation, no project, not blocked) plus ``attrs``."""
    settings = {"blocked": False, "to_project": "N", **{f"dim_ax{i}": "N" for i in range(1, 6)}, **attrs}
    sets = ", ".join(f"{k} = ?" for k in settings)
    for nr in accounts:
        assert scalar(store, "SELECT count(*) FROM account WHERE account = ?", [nr]) == 1, nr
        store.con.execute(f"UPDATE account SET {sets} WHERE account = ?", [*settings.values(), nr])


def post_allocated(store: Store, **codes: str) -> tuple[int, int]:
    """Post 5.00 from 0200 to 0100 with these allocation codes (DiC1..DiC5) on the 0100 line."""
    dims = {"FiDimEntries": {"Element": {"Fields": codes}}}
    return posted(
        call(
            store,
            "FiEntries",
            "POST",
            entry([line(1, "0100", debit="5", objects=dims), line(1, "0200", credit="5")]),
        )
    )


def entry_lines(store: Store, unit: int, entry_no: int) -> list[tuple]:
    return store.con.execute(
        "SELECT seq_no, va_as, ac_nr, account_no, amt_debit, amt_credit, entry_date, invoice_id, vat_code "
        "FROM entry_line WHERE unit = ? AND entry_no = ? ORDER BY seq_no",
        [unit, entry_no],
    ).fetchall()


def posted(result: tuple[int, dict | None]) -> tuple[int, int]:
    status, doc = result
    assert status == 201
    assert doc is not None
    res = doc["results"]["FiEntryPar"]
    assert set(res) == {"UnId", "EnNo", "InId"} and all(isinstance(v, str) for v in res.values())
    return int(res["UnId"]), int(res["EnNo"])


@pytest.fixture
def plain(store: Store) -> Store:
    """The store with 0100/0200 (memorial example accounts) as plain accounts allowing VAT."""
    prepare_accounts(store, "0100", "0200", vat_allowed=True)
    return store


# --------------------------------------------------------------------------------------------
# AFAS's official examples (../shared)
# --------------------------------------------------------------------------------------------


def _load_spec(name: str) -> dict:
    return json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))


def _examples(spec: dict, path: str, verb: str) -> list[tuple[str, dict]]:
    op = spec["paths"][path][verb]
    exs = op["requestBody"]["content"]["application/json"]["examples"]
    return [(name, ex["value"]) for name, ex in exs.items()]


_HAVE_SHARED = SPEC_DIR.is_dir()
_FI_EXAMPLES = _examples(_load_spec("mutaties.json"), "/connectors/FiEntries", "post") if _HAVE_SHARED else []
_FI_PARAMS = [pytest.param(v, id=n) for n, v in _FI_EXAMPLES] or [
    pytest.param(None, id="no-shared", marks=pytest.mark.skip(reason=NO_SHARED))
]


def _as_list(x: Any) -> list:
    return x if isinstance(x, list) else [x]


def _example_lines(body: dict) -> list[dict]:
    """The Fields dicts of an example's FiEntries lines (whatever envelope variant it uses)."""
    out: list[dict] = []
    for el in _as_list(body["FiEntryPar"]["Element"]):
        objects = el["Objects"]
        for obj in _as_list(objects):
            if "FiEntries" in obj:
                for ln in _as_list(obj["FiEntries"]["Element"]):
                    out.append(_as_list(ln["Fields"])[0])
    return out


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


@pytest.mark.parametrize("body", _FI_PARAMS)
@pytest.mark.shared
@pytest.mark.skipif(not _HAVE_SHARED, reason=NO_SHARED)
def test_official_fientries_example_is_posted(store: Store, body: dict) -> None:
    unit, entry_no = posted(call(store, "FiEntries", "POST", body))
    lines = _example_lines(body)
    stored = entry_lines(store, unit, entry_no)
    assert len(stored) == len(lines)
    for fields, row in zip(lines, stored, strict=True):
        assert row[1] == int(fields["VaAs"]) and row[2] == fields["AcNr"]
        assert row[4] == _dec(fields.get("AmDe")) and row[5] == _dec(fields.get("AmCr"))
        assert row[6] == date.fromisoformat(fields["EnDa"])
    shown = rows(store, "Profit_Transactions", '"UnitId" = ? AND "EntryNo" = ?', [unit, entry_no])
    assert len(shown) == len(lines)
    for d in {date.fromisoformat(f["EnDa"]) for f in lines}:
        assert rows(store, "Profit_Fin_ChangedEntrydate", '"EntryDate" = ?', [d])[0]["Modified"] == NOW


@pytest.mark.parametrize("body", _FI_PARAMS)
@pytest.mark.shared
@pytest.mark.skipif(not _HAVE_SHARED, reason=NO_SHARED)
def test_official_fientries_example_unbalanced_is_refused(store: Store, body: dict) -> None:
    body = copy.deepcopy(body)
    lines = _example_lines(body)
    first = lines[0]
    key = "AmDe" if _dec(first.get("AmDe")) != 0 else "AmCr"
    first[key] = str(_dec(first.get(key)) + Decimal("0.01"))
    debit = sum((_dec(f.get("AmDe")) for f in lines), Decimal("0"))
    credit = sum((_dec(f.get("AmCr")) for f in lines), Decimal("0"))
    before = scalar(store, "SELECT count(*) FROM entry_line")
    err = refused(store, "FiEntries", "POST", body)
    assert err.message == f"{NOT_BALANCED} Debit {debit:.2f}, credit {credit:.2f}."
    assert err.status == 500
    assert scalar(store, "SELECT count(*) FROM entry_line") == before


@pytest.mark.parametrize("body", _FI_PARAMS)
@pytest.mark.shared
@pytest.mark.skipif(not _HAVE_SHARED, reason=NO_SHARED)
def test_official_fientries_example_with_unknown_account_is_refused(store: Store, body: dict) -> None:
    body = copy.deepcopy(body)
    ledger = next(f for f in _example_lines(body) if str(f["VaAs"]) == "1")
    ledger["AcNr"] = "9999999"
    assert refused(store, "FiEntries", "POST", body).message == UNKNOWN_ACCOUNT


@pytest.mark.shared
@pytest.mark.skipif(not _HAVE_SHARED, reason=NO_SHARED)
def test_official_relation_and_dimcode_examples_are_accepted(store: Store) -> None:
    org = _load_spec("organisaties-en-personen.json")
    fin = _load_spec("financiele-inrichting.json")
    relations = ("KnSalesRelationOrg", "KnSalesRelationPer", "KnPurchaseRelationOrg", "KnPurchaseRelationPer")
    calls: list[tuple[str, str, str, dict]] = []
    for verb in ("post", "put"):
        for cid in relations:
            calls += [
                (cid, verb.upper(), name, body) for name, body in _examples(org, f"/connectors/{cid}", verb)
            ]
        calls += [
            ("KnDimCode", verb.upper(), name, body)
            for name, body in _examples(fin, "/connectors/KnDimCode", verb)
        ]
    assert len(calls) > 40
    for cid, verb, name, body in calls:
        status, doc = call(store, cid, verb, body)
        assert status == 201, name
        if cid == "KnDimCode":
            assert doc is None
            continue
        assert doc is not None
        res = doc["results"][cid]
        id_field = "DbId" if "Sales" in cid else "CrId"
        assert set(res) == {id_field, "BcCo"} and all(isinstance(v, str) and v for v in res.values()), name
        key = body[cid]["Element"].get(f"@{id_field}")
        if key:
            assert res[id_field] == key, name
        table, col = ("debtor", "debtor_id") if "Sales" in cid else ("creditor", "creditor_id")
        assert scalar(store, f"SELECT bc_co FROM {table} WHERE {col} = ?", [res[id_field]]) == res["BcCo"]
    debtor = rows(store, "Profit_Debtor", '"DebtorId" = ?', ["49978"])
    assert debtor and debtor[0]["ModifiedDate"] == NOW
    assert json.loads(scalar(store, "SELECT fields FROM debtor WHERE debtor_id = '49978'"))["InPv"] == "a"
    assert rows(store, "Profit_Creditor", '"CreditorId" = ?', ["50005"])[0]["TempBlocked"] is True
    codes = {(r["AxisId"], r["AllocationCode"]): r for r in rows(store, "Recon_AllocationCodes")}
    assert codes[(1, "AMSTERDAM")]["Description"] == "Vestiging Amsterdam"
    assert codes[(2, "SAL")]["SelectionValue"] == "Selectiewaarde"
    assert codes[(1, "HOOFD")]["Description"] == "Hoofdvestiging"
    assert codes[(1, "NOORD")]["Blocked"] is True


# --------------------------------------------------------------------------------------------
# FiEntries: success paths
# --------------------------------------------------------------------------------------------


def test_sales_invoice_shows_up_in_the_get_connectors(plain: Store) -> None:
    store = plain
    prepare_accounts(store, "8010", "1510", vat_allowed=True)
    body = entry(
        [
            line(2, "50001", debit="121.00", DaEx="2024-04-14"),
            line(1, "8010", credit="100.00", VaId="1", Ds="Omzet"),
            line(1, "1510", credit="21.00", VaId="1"),
        ],
        journal="20",
        AuNu=True,
    )
    unit, entry_no = posted(call(store, "FiEntries", "POST", body))
    res_invoice = scalar(
        store,
        "SELECT invoice_id FROM entry_line WHERE unit = ? AND entry_no = ? AND seq_no = 1",
        [unit, entry_no],
    )
    assert res_invoice and res_invoice.isdigit()
    stored = entry_lines(store, unit, entry_no)
    collect = scalar(store, "SELECT coalesce(collect_account, '1300') FROM debtor WHERE debtor_id = '50001'")
    assert [r[3] for r in stored] == [collect, "8010", "1510"]
    assert {r[7] for r in stored} == {res_invoice}
    trans = rows(store, "Profit_Transactions", '"UnitId" = ? AND "EntryNo" = ?', [unit, entry_no])
    assert sorted((r["SeqNo"], r["AmtDebit"], r["AmtCredit"], r["Year"], r["Period"]) for r in trans) == [
        (1, Decimal("121.00"), Decimal("0.00"), 2024, 3),
        (2, Decimal("0.00"), Decimal("100.00"), 2024, 3),
        (3, Decimal("0.00"), Decimal("21.00"), 2024, 3),
    ]
    assert all(r["Created"] == NOW and r["Modified"] == NOW and r["VatAmt"] is None for r in trans)
    items = rows(
        store,
        "Profit_Debtor_Invoices",
        '"UnitId" = ? AND "DebtorId" = ? AND "InvoiceNr" = ?',
        [unit, "50001", res_invoice],
    )
    assert len(items) == 1 and items[0]["Balance"] == Decimal("121.00")
    assert items[0]["ExpDate"] == date(2024, 4, 14)
    assert (
        rows(store, "Profit_Fin_ChangedEntrydate", '"EntryDate" = ?', [date(2024, 3, 15)])[0]["Modified"]
        == NOW
    )


def test_entry_numbers_count_on_per_administration(plain: Store) -> None:
    _, first = posted(call(plain, "FiEntries", "POST", memorial()))
    _, second = posted(call(plain, "FiEntries", "POST", memorial()))
    assert second == first + 1
    assert scalar(plain, "SELECT count(*) FROM entry_line WHERE unit = 1 AND entry_no > ?", [second]) == 0


def test_two_elements_give_two_entries(plain: Store) -> None:
    body = memorial()
    body["FiEntryPar"]["Element"] = [
        body["FiEntryPar"]["Element"],
        copy.deepcopy(body["FiEntryPar"]["Element"]),
    ]
    status, doc = call(plain, "FiEntries", "POST", body)
    assert status == 201 and doc is not None
    results = doc["results"]["FiEntryPar"]
    assert isinstance(results, list) and len(results) == 2
    assert int(results[1]["EnNo"]) == int(results[0]["EnNo"]) + 1


def test_allocation_rows_are_stored(plain: Store) -> None:
    store = plain
    prepare_accounts(store, "0100", dim_ax1="B")
    code = scalar(store, "SELECT min(code) FROM allocation_code WHERE ax_id = 1 AND NOT blocked")
    dims = {
        "FiDimEntries": {
            "Element": [{"Fields": {"DiC1": code, "AmDe": "60"}}, {"Fields": {"DiC1": code, "AmDe": "40"}}]
        }
    }
    body = entry([line(1, "0100", debit="100", objects=dims), line(1, "0200", credit="100")])
    unit, entry_no = posted(call(store, "FiEntries", "POST", body))
    alloc = store.con.execute(
        "SELECT alloc_no, dim1, amt_debit FROM entry_alloc WHERE unit = ? AND entry_no = ? ORDER BY alloc_no",
        [unit, entry_no],
    ).fetchall()
    assert alloc == [(1, code, Decimal("60.00")), (2, code, Decimal("40.00"))]
    shown = rows(
        store,
        "Profit_Transactions_Allocated",
        '"UnitId" = ? AND "EntryNo" = ? AND "SeqNo" = 1',
        [unit, entry_no],
    )
    assert sorted(r["AmtDebit"] for r in shown) == [Decimal("40.00"), Decimal("60.00")]


def test_dim_row_without_amounts_carries_the_line_amount(plain: Store) -> None:
    code = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 1 AND NOT blocked")
    dims = {"FiDimEntries": {"Element": {"Fields": {"DiC1": code}}}}
    body = entry([line(1, "0100", credit="75.50", objects=dims), line(1, "0200", debit="75.50")])
    unit, entry_no = posted(call(plain, "FiEntries", "POST", body))
    assert store_alloc(plain, unit, entry_no) == [(code, Decimal("0.00"), Decimal("75.50"))]


def store_alloc(store: Store, unit: int, entry_no: int) -> list[tuple]:
    return store.con.execute(
        "SELECT dim1, amt_debit, amt_credit FROM entry_alloc WHERE unit = ? AND entry_no = ?",
        [unit, entry_no],
    ).fetchall()


def test_unknown_allocation_code_is_created_with_AdDc(plain: Store) -> None:  # noqa: N802
    dims = {"FiDimEntries": {"Element": {"Fields": {"DiC2": "NEWCODE"}}}}
    body = entry([line(1, "0100", debit="10", objects=dims), line(1, "0200", credit="10")])
    err = refused(plain, "FiEntries", "POST", body)
    assert err.message == "The entered value for 'Exception axis code 2' does not exist."
    body["FiEntryPar"]["Element"]["Fields"]["AdDc"] = "1"
    posted(call(plain, "FiEntries", "POST", body))
    assert (
        scalar(plain, "SELECT description FROM allocation_code WHERE ax_id = 2 AND code = 'NEWCODE'")
        == "NEWCODE"
    )


def test_thousand_lines_are_accepted(plain: Store) -> None:
    lines = [line(1, "0100", debit="1.00") for _ in range(999)] + [line(1, "0200", credit="999.00")]
    unit, entry_no = posted(call(plain, "FiEntries", "POST", entry(lines)))
    assert len(entry_lines(plain, unit, entry_no)) == 1000


def test_default_administration_is_the_lowest_visible_one(plain: Store) -> None:
    body = memorial()
    del body["FiEntryPar"]["Element"]["Fields"]["UnId"]
    unit, _ = posted(call(plain, "FiEntries", "POST", body))
    assert unit == min(_units(plain))
    err = refused(plain, "FiEntries", "POST", memorial(), units=frozenset({999}))
    assert err.message == "The entered value for 'Administration' does not exist."


# --------------------------------------------------------------------------------------------
# FiEntries: validations
# --------------------------------------------------------------------------------------------


def test_blocked_period_in_the_header(plain: Store) -> None:
    body = entry(
        [line(1, "0100", debit="5", day="2025-05-10"), line(1, "0200", credit="5", day="2025-05-10")],
        year="2025",
        peri="5",
    )
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "For this administration, period 5 of the year 2025 is blocked."
    )
    assert (
        refused(plain, "FiEntries", "POST", body, lang="nl-nl").message
        == "Voor deze administratie is periode 5 van het jaar 2025 geblokkeerd."
    )


def test_entry_date_in_a_blocked_period(plain: Store) -> None:
    body = entry(
        [line(1, "0100", debit="5", day="2025-03-01"), line(1, "0200", credit="5", day="2025-03-01")],
        year="2025",
        peri="10",
    )
    assert refused(plain, "FiEntries", "POST", body).message == "Date '1-3-2025' belongs to a blocked period"
    plain.con.execute("UPDATE period SET blocked = true WHERE unit = 1 AND year = 2024 AND period = 11")
    body = entry(
        [line(1, "0100", debit="5", day="2024-11-01"), line(1, "0200", credit="5", day="2024-11-01")],
        year="2024",
        peri="10",
    )
    assert refused(plain, "FiEntries", "POST", body).message == "Date '1-11-2024' belongs to a blocked period"


def test_period_that_does_not_exist(plain: Store) -> None:
    body = memorial()
    body["FiEntryPar"]["Element"]["Fields"]["Year"] = "2040"
    assert (
        refused(plain, "FiEntries", "POST", body).message == "The entered value for 'Period' does not exist."
    )
    body = memorial()
    body["FiEntryPar"]["Element"]["Fields"]["Peri"] = "14"
    assert (
        refused(plain, "FiEntries", "POST", body).message == "The entered value for 'Period' does not exist."
    )
    body = entry(
        [line(1, "0100", debit="5", day="2040-01-01"), line(1, "0200", credit="5", day="2040-01-01")]
    )
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "Date '1-1-2040' does not belong to an existing period"
    )


def test_blocked_and_unknown_journal(plain: Store) -> None:
    plain.con.execute("UPDATE journal SET blocked = true WHERE unit = 1 AND journal_id = '80'")
    assert refused(plain, "FiEntries", "POST", memorial()).message == "Journal 80 is blocked."
    body = memorial()
    body["FiEntryPar"]["Element"]["Fields"]["JoCo"] = "ZZZ"
    assert (
        refused(plain, "FiEntries", "POST", body).message == "The entered value for 'Journal' does not exist."
    )


def test_missing_header_fields(plain: Store) -> None:
    for fid, label in (("Year", "Financial year"), ("Peri", "Period"), ("JoCo", "Journal")):
        body = memorial()
        del body["FiEntryPar"]["Element"]["Fields"][fid]
        assert refused(plain, "FiEntries", "POST", body).message == f"Enter a value for '{label}'."


def test_account_checks(plain: Store) -> None:
    body = entry([line(1, "", debit="5"), line(1, "0200", credit="5")])
    assert refused(plain, "FiEntries", "POST", body).message == "Enter a value for 'Account Number'."
    assert (
        refused(plain, "FiEntries", "POST", body, lang="nl-nl").message
        == "Vul een waarde in voor 'Rekeningnummer'."
    )
    for va_as in (1, 2, 3):
        body = entry([line(va_as, "9999999", debit="5"), line(1, "0200", credit="5")])
        err = refused(plain, "FiEntries", "POST", body)
        assert err.message == UNKNOWN_ACCOUNT
        assert err.error_number == -2147220469
    plain.con.execute("UPDATE debtor SET is_debtor = false WHERE debtor_id = '50001'")
    body = entry([line(2, "50001", debit="5"), line(1, "0200", credit="5")])
    assert refused(plain, "FiEntries", "POST", body).message == (
        "(AntaObject) The foreignkey does not exist in the database. "
        "FieldId=Rekeningnummer, ForeignkeyId=KnAnt1"
    )
    plain.con.execute("UPDATE account SET blocked = true WHERE account = '0100'")
    assert refused(plain, "FiEntries", "POST", memorial()).message == "Account 0100 is blocked."


def test_vat_code_checks(plain: Store) -> None:
    kn_vat = (
        "(AntaObject) The foreignkey does not exist in the database. FieldId=Btw-code, ForeignkeyId=KnVat"
    )
    assert refused(plain, "FiEntries", "POST", memorial(VaId="99")).message == kn_vat
    assert refused(plain, "FiEntries", "POST", memorial(VaId="9")).message == kn_vat  # blocked in the demo
    posted(call(plain, "FiEntries", "POST", memorial(VaId="1")))
    plain.con.execute("UPDATE account SET vat_allowed = false WHERE account = '0100'")
    assert (
        refused(plain, "FiEntries", "POST", memorial(VaId="1")).message
        == "(AFASFiEntry) VAT is not allowed for account 0100"
    )
    assert (
        refused(plain, "FiEntries", "POST", memorial(VaId="1"), lang="nl-nl").message
        == "(AFASFiEntry) Btw is niet toegestaan voor rekening 0100"
    )


def test_allocation_required_names_the_axis(plain: Store) -> None:
    prepare_accounts(plain, "0100", dim_ax2="B")
    axis = scalar(plain, "SELECT description FROM allocation_axis WHERE ax_id = 2")
    err = refused(plain, "FiEntries", "POST", memorial())
    assert err.message == f"Allocation code for axis '{axis}' must be filled for account 0100"
    code1 = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 1 AND NOT blocked")
    dims = {"FiDimEntries": {"Element": {"Fields": {"DiC1": code1}}}}
    body = entry([line(1, "0100", debit="5", objects=dims), line(1, "0200", credit="5")])
    assert refused(plain, "FiEntries", "POST", body).message == err.message
    code2 = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 2 AND NOT blocked")
    dims["FiDimEntries"]["Element"]["Fields"]["DiC2"] = code2
    posted(call(plain, "FiEntries", "POST", body))


def test_allocation_amounts_must_add_up(plain: Store) -> None:
    code = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 1 AND NOT blocked")
    dims = {
        "FiDimEntries": {
            "Element": [{"Fields": {"DiC1": code, "AmDe": "60"}}, {"Fields": {"DiC1": code, "AmDe": "30"}}]
        }
    }
    body = entry([line(1, "0100", debit="100", objects=dims), line(1, "0200", credit="100")])
    assert refused(plain, "FiEntries", "POST", body).message == (
        "The allocated amounts of line 1 (debit 90.00, credit 0.00) do not match the line "
        "(debit 100.00, credit 0.00)."
    )


def test_blocked_allocation_code(plain: Store) -> None:
    code = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 1 AND NOT blocked")
    plain.con.execute("UPDATE allocation_code SET blocked = true WHERE ax_id = 1 AND code = ?", [code])
    axis = scalar(plain, "SELECT description FROM allocation_axis WHERE ax_id = 1")
    dims = {"FiDimEntries": {"Element": {"Fields": {"DiC1": code}}}}
    body = entry([line(1, "0100", debit="5", objects=dims), line(1, "0200", credit="5")])
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == f"Allocation code '{code}' of axis '{axis}' is blocked."
    )


def test_project_required(plain: Store) -> None:
    prepare_accounts(plain, "0100", to_project="V")
    assert refused(plain, "FiEntries", "POST", memorial()).message == "Project is required for account 0100."
    prj = {"FiPrjEntries": {"Element": {"Fields": {"PrId": "300000", "ItCd": "K01"}}}}
    posted(
        call(
            plain,
            "FiEntries",
            "POST",
            entry([line(1, "0100", debit="5", objects=prj), line(1, "0200", credit="5")]),
        )
    )


def test_balance_and_line_count(plain: Store) -> None:
    body = entry([line(1, "0100", debit="100.00"), line(1, "0200", credit="90")])
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "The entry is not in balance. Debit 100.00, credit 90.00."
    )
    assert (
        refused(plain, "FiEntries", "POST", body, lang="nl-nl").message
        == "De boeking is niet in balans. Debet 100,00, credit 90,00."
    )
    assert refused(plain, "FiEntries", "POST", entry([])).message == "The entry has no lines."
    lines = [line(1, "0100", debit="1.00") for _ in range(1000)] + [line(1, "0200", credit="1000.00")]
    assert (
        refused(plain, "FiEntries", "POST", entry(lines)).message
        == "An entry may hold at most 1,000 lines; this entry has 1001 lines."
    )
    body = entry([line(1, "0100", debit="100.001"), line(1, "0200", credit="100.001")])
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "The value '100.001' is not valid for 'Amount debit'."
    )


def test_duplicate_creditor_invoice(store: Store) -> None:
    prepare_accounts(store, "4210", "1500", vat_allowed=True)
    assert scalar(store, "SELECT journal_type FROM journal WHERE unit = 1 AND journal_id = '10'") == "I"

    def purchase(invoice: str) -> dict:
        return entry(
            [
                line(3, "60014", credit="121", InId=invoice),
                line(1, "4210", debit="100", VaId="5"),
                line(1, "1500", debit="21", VaId="5"),
            ],
            journal="10",
        )

    posted(call(store, "FiEntries", "POST", purchase("DUP-0001")))
    err = refused(store, "FiEntries", "POST", purchase("DUP-0001"))
    assert (
        err.message
        == "General message: Invoice number DUP-0001 is already used in finance for Creditor 60014."
    )
    posted(call(store, "FiEntries", "POST", purchase("DUP-0002")))
    prepare_accounts(store, "1100")
    payment = entry(
        [line(1, "1100", credit="121"), line(3, "60014", debit="121", InId="DUP-0001")], journal="50"
    )
    posted(call(store, "FiEntries", "POST", payment))  # a payment quotes the invoice number: no error


def test_unknown_fields_and_values(plain: Store) -> None:
    body = memorial(Xyz="1")
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "Field 'Xyz' does not exist in object 'FiEntries'."
    )
    body = memorial(Ds="x" * 256)
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "The value for 'Description entry' is too long (maximum 255 characters)."
    )
    body = memorial()
    body["FiEntryPar"]["Element"]["Fields"]["Year"] = "twenty"
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "The value 'twenty' is not valid for 'Financial year'."
    )
    body = memorial(EnDa="15-03-2024")
    assert (
        refused(plain, "FiEntries", "POST", body).message
        == "The value '15-03-2024' is not valid for 'Date entry'."
    )
    free = "U" + "A1" * 16
    posted(call(plain, "FiEntries", "POST", memorial(**{free: "kept"})))


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"[]",
        b'{"FiEntries": {"Element": {}}}',
        b'{"FiEntryPar": {"Element": 5}}',
        b'{"FiEntryPar": {"Element": []}}',
    ],
)
def test_malformed_bodies_give_400(plain: Store, raw: bytes) -> None:
    err = refused(plain, "FiEntries", "POST", raw)
    assert err.status == 400 and err.message.startswith("Invalid json")


# --------------------------------------------------------------------------------------------
# Envelope variants, atomicity, languages, verbs
# --------------------------------------------------------------------------------------------


def _variants() -> list[dict]:
    header = {"Year": "2024", "Peri": "3", "UnId": "1", "JoCo": "80"}
    l1 = {
        "VaAs": "1",
        "AcNr": "0100",
        "EnDa": "2024-03-15",
        "BpDa": "2024-03-15",
        "AmDe": "100.50",
        "AmCr": "0",
        "VaId": "1",
        "Ds": "variant",
    }
    l2 = {
        "VaAs": "1",
        "AcNr": "0200",
        "EnDa": "2024-03-15T00:00:00",
        "BpDa": "2024-03-15",
        "AmDe": "",
        "AmCr": "100.50",
    }
    typed1 = {**l1, "VaAs": 1, "AmDe": 100.50, "AmCr": 0}
    typed2 = {**l2, "VaAs": 1, "AmDe": None, "AmCr": Decimal("100.50")}
    typed_header = {"Year": 2024, "Peri": 3, "UnId": 1, "JoCo": "80", "AuNu": False}
    return [
        # Element object, Objects object, Fields object, strings
        {
            "FiEntryPar": {
                "Element": {
                    "Fields": header,
                    "Objects": {"FiEntries": {"Element": [{"Fields": l1}, {"Fields": l2}]}},
                }
            }
        },
        # Element array, Objects array, Fields array (as in AFAS's "Journal" example)
        {
            "FiEntryPar": {
                "Element": [
                    {
                        "Fields": [header],
                        "Objects": [
                            {"FiEntries": {"Element": [{"Fields": [l1]}, {"Fields": [l2], "Objects": ""}]}}
                        ],
                    }
                ]
            }
        },
        # JSON numbers and booleans, bool as string
        {
            "FiEntryPar": {
                "Element": {
                    "Fields": {**typed_header, "AuNu": "false"},
                    "Objects": {"FiEntries": {"Element": [{"Fields": typed1}, {"Fields": typed2}]}},
                }
            }
        },
        {
            "FiEntryPar": {
                "Element": {
                    "Fields": typed_header,
                    "Objects": [
                        {"FiEntries": {"Element": [{"Fields": typed1, "Objects": []}, {"Fields": typed2}]}}
                    ],
                }
            }
        },
    ]


def test_envelope_variants_are_accepted_equally(plain: Store) -> None:
    stored = []
    for body in _variants():
        raw = json.dumps(body, default=str).encode()
        unit, entry_no = posted(call(plain, "FiEntries", "POST", raw))
        stored.append([r[1:] for r in entry_lines(plain, unit, entry_no)])
    assert all(s == stored[0] for s in stored)
    assert stored[0][0][1:5] == ("0100", "0100", Decimal("100.50"), Decimal("0.00"))
    assert stored[0][1][5] == date(2024, 3, 15)


def test_two_elements_second_invalid_leaves_no_trace(plain: Store) -> None:
    counters = plain.con.execute("SELECT * FROM counter ORDER BY name").fetchall()
    count = scalar(plain, "SELECT count(*) FROM entry_line")
    changed = plain.con.execute("SELECT * FROM changed_entry_date ORDER BY entry_date").fetchall()
    good = memorial()["FiEntryPar"]["Element"]
    bad = entry([line(1, "0100", debit="1"), line(1, "9999999", credit="1")])["FiEntryPar"]["Element"]
    err = refused(plain, "FiEntries", "POST", {"FiEntryPar": {"Element": [good, bad]}})
    assert err.message == UNKNOWN_ACCOUNT
    assert scalar(plain, "SELECT count(*) FROM entry_line") == count
    assert plain.con.execute("SELECT * FROM counter ORDER BY name").fetchall() == counters
    assert plain.con.execute("SELECT * FROM changed_entry_date ORDER BY entry_date").fetchall() == changed
    # KnDimCode and relations too
    codes = scalar(plain, "SELECT count(*) FROM allocation_code")
    body = {
        "KnDimCode": {
            "Element": [
                {"@AxId": "1", "@VbCo": "ATOM1", "Fields": {"Ds": "A"}},
                {"@AxId": "1", "@VbCo": "ATOM2", "Fields": {}},
            ]
        }
    }
    assert refused(plain, "KnDimCode", "POST", body).message == "Enter a value for 'Description'."
    assert scalar(plain, "SELECT count(*) FROM allocation_code") == codes
    parties = scalar(plain, "SELECT count(*) FROM party")
    org = {"KnSalesRelationOrg": {"Element": [_debtor_element(), _debtor_element(currency="")]}}
    assert refused(plain, "KnSalesRelationOrg", "POST", org).message == "Enter a value for 'Currency'."
    assert scalar(plain, "SELECT count(*) FROM party") == parties


def test_dutch_and_english_messages(plain: Store) -> None:
    body = memorial()
    body["FiEntryPar"]["Element"]["Fields"]["JoCo"] = "ZZZ"
    assert (
        refused(plain, "FiEntries", "POST", body, lang="en-us").message
        == "The entered value for 'Journal' does not exist."
    )
    assert (
        refused(plain, "FiEntries", "POST", body, lang="nl-nl").message
        == "De ingevoerde waarde voor 'Dagboek' bestaat niet."
    )
    assert (
        refused(plain, "FiEntries", "PUT", body, lang="nl-nl").message
        == "De actie 'PUT' wordt niet ondersteund voor UpdateConnector 'FiEntries'."
    )


def test_wrong_verbs_and_unknown_connector(plain: Store) -> None:
    assert (
        refused(plain, "FiEntries", "PUT", memorial()).message
        == "The action 'PUT' is not supported for UpdateConnector 'FiEntries'."
    )
    err = refused(plain, "KnSalesRelationOrg", "DELETE", None, "KnSalesRelationOrg/@DbId/10001")
    assert err.message == "The action 'DELETE' is not supported for UpdateConnector 'KnSalesRelationOrg'."
    assert err.status == 500
    err = refused(plain, "KnSubject", "POST", {"KnSubject": {"Element": {}}})
    assert err.error_number == ERR_NOT_AUTHORISED and err.status == 500
    assert (
        err.message == "General message: This UpdateConnector is not supported or the user is not authorized."
    )
    assert refused(plain, "KnSubject", "POST", {}, lang="nl-nl").message == (
        "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."
    )


# --------------------------------------------------------------------------------------------
# FiEntries DELETE
# --------------------------------------------------------------------------------------------


def test_key_paths() -> None:
    assert parse_key_path("FiEntryPar/UnId,JoCo/1,80/FiEntries/@EnNo/5789") == [
        ("FiEntryPar", {"UnId": "1", "JoCo": "80"}),
        ("FiEntries", {"EnNo": "5789"}),
    ]
    assert parse_key_path("KnDimCode/@AxId,@VbCo/1,WEST%20X") == [
        ("KnDimCode", {"AxId": "1", "VbCo": "WEST X"})
    ]
    with pytest.raises(ValueError):
        parse_key_path("FiEntryPar/UnId,JoCo/1")


def test_delete_entry_by_number_and_by_invoice(plain: Store) -> None:
    unit, entry_no = posted(call(plain, "FiEntries", "POST", memorial()))
    assert call(
        plain, "FiEntries", "DELETE", None, f"FiEntryPar/UnId,JoCo/{unit},80/FiEntries/@EnNo/{entry_no}"
    ) == (200, None)
    assert entry_lines(plain, unit, entry_no) == []
    err = refused(
        plain, "FiEntries", "DELETE", None, f"fientrypar/unid,joco/{unit},80/fientries/enno/{entry_no}"
    )
    assert err.message == "The entered value for 'Journal entry number' does not exist."

    prepare_accounts(plain, "8010", vat_allowed=True)
    sale = entry([line(2, "50001", debit="50", InId="DEL-0001"), line(1, "8010", credit="50")], journal="20")
    unit, entry_no = posted(call(plain, "FiEntries", "POST", sale))
    plain.con.execute("UPDATE changed_entry_date SET modified = '2020-01-01'")
    assert call(
        plain, "FiEntries", "DELETE", None, f"FiEntryPar/UnId,JoCo/{unit},20/FiEntries/InId/DEL-0001"
    ) == (200, None)
    assert entry_lines(plain, unit, entry_no) == []
    assert scalar(plain, "SELECT modified FROM changed_entry_date WHERE entry_date = '2024-03-15'") == NOW


def test_delete_of_a_paid_invoice_is_refused(plain: Store) -> None:
    prepare_accounts(plain, "8010", "1100", vat_allowed=True)
    sale = entry([line(2, "50001", debit="50", InId="PAID-001"), line(1, "8010", credit="50")], journal="20")
    unit, entry_no = posted(call(plain, "FiEntries", "POST", sale))
    pay = entry([line(1, "1100", debit="50"), line(2, "50001", credit="50", InId="PAID-001")], journal="50")
    _, pay_no = posted(call(plain, "FiEntries", "POST", pay))
    err = refused(
        plain, "FiEntries", "DELETE", None, f"FiEntryPar/UnId,JoCo/{unit},20/FiEntries/@EnNo/{entry_no}"
    )
    assert (
        err.message == f"Entry {entry_no} cannot be deleted: invoice PAID-001 has been paid or matched "
        f"(entry {pay_no})."
    )
    assert len(entry_lines(plain, unit, entry_no)) == 2
    err = refused(plain, "FiEntries", "DELETE", None, "FiEntryPar/UnId,JoCo/1/FiEntries/@EnNo/5")
    assert err.status == 400


# --------------------------------------------------------------------------------------------
# Relations
# --------------------------------------------------------------------------------------------


def _debtor_element(currency: str = "EUR", **fields: Any) -> dict:
    return {
        "Fields": {"CuId": currency, "IsDb": True, **fields},
        "Objects": {
            "KnOrganisation": {
                "Element": {
                    "Fields": {
                        "PadAdr": True,
                        "AutoNum": True,
                        "MatchOga": "6",
                        "Nm": "Testbedrijf B.V.",
                        "CcNr": "12345678",
                    },
                    "Objects": {
                        "KnBasicAddressAdr": {
                            "Element": {
                                "Fields": {
                                    "CoId": "NL",
                                    "Ad": "Dorpsstraat",
                                    "HmNr": "12",
                                    "ZpCd": "1234AB",
                                    "Rs": "Ergens",
                                }
                            }
                        }
                    },
                }
            }
        },
    }


def test_new_debtor_shows_up_in_profit_debtor(store: Store) -> None:
    status, doc = call(
        store,
        "KnSalesRelationOrg",
        "POST",
        {
            "KnSalesRelationOrg": {
                "Element": _debtor_element(PaCd="14", U0123456789ABCDEF0123456789ABCDEF="vrij")
            }
        },
    )
    assert status == 201 and doc is not None
    res = doc["results"]["KnSalesRelationOrg"]
    row = rows(store, "Profit_Debtor", '"DebtorId" = ?', [res["DbId"]])[0]
    assert row["DebtorName"] == "Testbedrijf B.V." and row["BcCo"] == res["BcCo"]
    assert (
        row["AdressLine1"] == "Dorpsstraat 12" and row["PayCon"] == "14" and row["CollectAccount"] == "1300"
    )
    assert row["CurrencyId"] == "EUR" and row["CreateDate"] == NOW
    kept = json.loads(scalar(store, "SELECT fields FROM debtor WHERE debtor_id = ?", [res["DbId"]]))
    assert kept["U0123456789ABCDEF0123456789ABCDEF"] == "vrij" and kept["IsDb"] is True

    # PUT changes only what is given
    later = datetime(2025, 12, 1, 9, 0)
    apply_update(
        store,
        "KnSalesRelationOrg",
        "PUT",
        json.dumps(
            {
                "KnSalesRelationOrg": {
                    "Element": {
                        "@DbId": res["DbId"],
                        "Fields": {"Bl": "1"},
                        "Objects": {
                            "KnOrganisation": {
                                "Element": {
                                    "Fields": {
                                        "MatchOga": "0",
                                        "BcCo": res["BcCo"],
                                        "EmAd": "info@example.com",
                                    }
                                }
                            }
                        },
                    }
                }
            }
        ).encode(),
        None,
        visible_units=_units(store),
        lang="en-us",
        now=later,
    )
    row = rows(store, "Profit_Debtor", '"DebtorId" = ?', [res["DbId"]])[0]
    assert row["Blocked"] is True and row["PayCon"] == "14" and row["Email"] == "info@example.com"
    assert row["DebtorName"] == "Testbedrijf B.V." and row["ModifiedDate"] == later


def test_relation_validations(store: Store) -> None:
    body = {"KnSalesRelationOrg": {"Element": _debtor_element(currency="")}}
    assert refused(store, "KnSalesRelationOrg", "POST", body).message == "Enter a value for 'Currency'."
    assert (
        refused(store, "KnSalesRelationOrg", "POST", body, lang="nl-nl").message
        == "Vul een waarde in voor 'Valuta'."
    )
    body = {"KnSalesRelationOrg": {"Element": _debtor_element(currency="XXX")}}
    assert (
        refused(store, "KnSalesRelationOrg", "POST", body).message
        == "The entered value for 'Currency' does not exist."
    )
    body = {"KnSalesRelationOrg": {"Element": _debtor_element(PaCd="ZZZ")}}
    assert (
        refused(store, "KnSalesRelationOrg", "POST", body).message
        == "The entered value for 'Payment condition' does not exist."
    )
    body = {
        "KnSalesRelationOrg": {"Element": _debtor_element(ColA="1600")}
    }  # a creditors' collective account
    assert (
        refused(store, "KnSalesRelationOrg", "POST", body).message
        == "The entered value for 'Summary account' does not exist."
    )
    element = _debtor_element()
    element["@DbId"] = "50001"
    assert (
        refused(store, "KnSalesRelationOrg", "POST", {"KnSalesRelationOrg": {"Element": element}}).message
        == "Debtor 50001 already exists."
    )
    element = _debtor_element()
    element["Objects"]["KnOrganisation"]["Element"]["Objects"]["KnBankAccount"] = {
        "Element": {"Fields": {"CoId": "NL", "IbCk": True, "Iban": "NL00BANK0123456789"}}
    }
    assert (
        refused(store, "KnSalesRelationOrg", "POST", {"KnSalesRelationOrg": {"Element": element}}).message
        == "The IBAN number is not valid."
    )
    element["Objects"]["KnOrganisation"]["Element"]["Objects"]["KnBankAccount"]["Element"]["Fields"][
        "IbCk"
    ] = False
    posted_rel = call(store, "KnSalesRelationOrg", "POST", {"KnSalesRelationOrg": {"Element": element}})
    assert posted_rel[0] == 201
    put = {"KnSalesRelationOrg": {"Element": {"@DbId": "NOPE-1", "Fields": {"Bl": True}}}}
    assert (
        refused(store, "KnSalesRelationOrg", "PUT", put).message
        == "The entered value for 'Debtor number' does not exist."
    )


def test_delete_creditor(store: Store) -> None:
    body = {
        "KnPurchaseRelationOrg": {
            "Element": {
                "Fields": {"CuId": "EUR"},
                "Objects": {
                    "KnOrganisation": {
                        "Element": {"Fields": {"AutoNum": True, "MatchOga": "6", "Nm": "Leverancier"}}
                    }
                },
            }
        }
    }
    _, doc = call(store, "KnPurchaseRelationOrg", "POST", body)
    assert doc is not None
    cr_id = doc["results"]["KnPurchaseRelationOrg"]["CrId"]
    used = scalar(store, "SELECT min(ac_nr) FROM entry_line WHERE va_as = 3")
    assert used is not None
    kind = scalar(
        store, "SELECT p.kind FROM creditor c JOIN party p USING (bc_co) WHERE c.creditor_id = ?", [used]
    )
    connector = "KnPurchaseRelationOrg" if kind == "O" else "KnPurchaseRelationPer"
    err = refused(store, connector, "DELETE", None, f"{connector}/@CrId/{used}")
    assert err.message == (
        f"Creditor {used} cannot be deleted because it has linked data (entries, invoices). "
        "Block the creditor instead."
    )
    assert call(store, "KnPurchaseRelationOrg", "DELETE", None, f"KnPurchaseRelationOrg/@CrId/{cr_id}") == (
        200,
        None,
    )
    assert scalar(store, "SELECT count(*) FROM creditor WHERE creditor_id = ?", [cr_id]) == 0
    assert (
        refused(store, "KnPurchaseRelationOrg", "DELETE", None, f"KnPurchaseRelationOrg/CrId/{cr_id}").message
        == "The entered value for 'Creditor number' does not exist."
    )


# --------------------------------------------------------------------------------------------
# KnDimCode
# --------------------------------------------------------------------------------------------


def test_dim_code_post_put_delete(store: Store) -> None:
    body = {
        "KnDimCode": {
            "Element": [
                {"@AxId": "1", "@VbCo": "TST1", "Fields": {"Ds": "Test 1", "Re": "sel"}},
                {"Fields": {"AxId": 2, "VbCo": "TST2", "Ds": "Test 2", "QuYN": "1"}},
            ]
        }
    }
    assert call(store, "KnDimCode", "POST", body) == (201, None)
    codes = {(r["AxisId"], r["AllocationCode"]): r for r in rows(store, "Recon_AllocationCodes")}
    assert codes[(1, "TST1")]["SelectionValue"] == "sel" and codes[(2, "TST2")]["Description"] == "Test 2"
    assert (
        refused(store, "KnDimCode", "POST", body).message
        == "Allocation code 'TST1' already exists on allocation axis 1."
    )
    put = {"KnDimCode": {"Element": {"@AxId": "1", "@VbCo": "TST1", "Fields": {"Bl": True}}}}
    assert call(store, "KnDimCode", "PUT", put) == (201, None)
    assert scalar(store, "SELECT blocked FROM allocation_code WHERE ax_id = 1 AND code = 'TST1'") is True
    assert (
        scalar(store, "SELECT description FROM allocation_code WHERE ax_id = 1 AND code = 'TST1'") == "Test 1"
    )
    put = {"KnDimCode": {"Element": {"@AxId": "1", "@VbCo": "NOPE", "Fields": {"Ds": "x"}}}}
    assert (
        refused(store, "KnDimCode", "PUT", put).message
        == "The entered value for 'Allocation code' does not exist."
    )
    assert call(store, "KnDimCode", "DELETE", None, "KnDimCode/@AxId,@VbCo/1,TST1") == (200, None)
    assert scalar(store, "SELECT count(*) FROM allocation_code WHERE ax_id = 1 AND code = 'TST1'") == 0


def test_dim_code_duplicate_within_one_body(store: Store) -> None:
    body = {
        "KnDimCode": {
            "Element": [
                {"@AxId": "1", "@VbCo": "TWICE", "Fields": {"Ds": "a"}},
                {"@AxId": "1", "@VbCo": "TWICE", "Fields": {"Ds": "b"}},
            ]
        }
    }
    assert (
        refused(store, "KnDimCode", "POST", body).message
        == "Allocation code 'TWICE' already exists on allocation axis 1."
    )
    assert scalar(store, "SELECT count(*) FROM allocation_code WHERE code = 'TWICE'") == 0


def test_dim_code_axis_checks(store: Store) -> None:
    body = {"KnDimCode": {"Element": {"@AxId": "5", "@VbCo": "X5", "Fields": {"Ds": "x"}}}}
    store.con.execute("UPDATE allocation_axis SET active = false WHERE ax_id = 5")
    assert refused(store, "KnDimCode", "POST", body).message == "Allocation axis 5 is not active."
    assert (
        refused(store, "KnDimCode", "POST", body, lang="nl-nl").message
        == "Verbijzonderingsas 5 is niet actief."
    )
    body = {"KnDimCode": {"Element": {"@AxId": "7", "@VbCo": "X7", "Fields": {"Ds": "x"}}}}
    assert (
        refused(store, "KnDimCode", "POST", body).message
        == "The entered value for 'Allocation axis' does not exist."
    )
    body = {"KnDimCode": {"Element": {"@AxId": "1", "@VbCo": "X1", "Fields": {"Ds": "x" * 51}}}}
    assert (
        refused(store, "KnDimCode", "POST", body).message
        == "The value for 'Description' is too long (maximum 50 characters)."
    )


def test_delete_of_a_used_dim_code_is_refused(plain: Store) -> None:
    assert call(
        plain,
        "KnDimCode",
        "POST",
        {"KnDimCode": {"Element": {"@AxId": "3", "@VbCo": "USED", "Fields": {"Ds": "Used"}}}},
    ) == (201, None)
    post_allocated(plain, DiC3="USED")
    err = refused(plain, "KnDimCode", "DELETE", None, "KnDimCode/@AxId,@VbCo/3,USED")
    assert err.message == (
        "Allocation code 'USED' of allocation axis 3 cannot be deleted because it is in use "
        "(entries or allocation assignments)."
    )
    assigned = plain.con.execute("SELECT ax_id, code FROM allocation_assignment LIMIT 1").fetchone()
    if assigned is not None:
        err = refused(
            plain, "KnDimCode", "DELETE", None, f"KnDimCode/@AxId,@VbCo/{assigned[0]},{assigned[1]}"
        )
        assert "cannot be deleted because it is in use" in err.message


def test_characters_not_in_utf8_arrive_as_question_marks(plain: Store) -> None:
    """AFAS reads UTF-8; a body with a cp1252 'é' is not refused, the character becomes '?'."""
    text = '{"KnDimCode": {"Element": {"@AxId": "1", "@VbCo": "CAFE1", "Fields": {"Ds": "Café Zuid"}}}}'
    status, _ = call(plain, "KnDimCode", "POST", text.encode("cp1252"))
    assert status == 201
    assert scalar(plain, "SELECT description FROM allocation_code WHERE code = 'CAFE1'") == "Caf? Zuid"
    status, _ = call(plain, "KnDimCode", "POST", text.replace("CAFE1", "CAFE2").encode("utf-8"))
    assert scalar(plain, "SELECT description FROM allocation_code WHERE code = 'CAFE2'") == "Café Zuid"


def test_a_line_without_its_voucher_date_is_refused(plain: Store) -> None:
    """BpDa is mandatory on every FiEntries line (metainfo and the official schema say so)."""
    body = memorial()
    del body["FiEntryPar"]["Element"]["Objects"]["FiEntries"]["Element"][1]["Fields"]["BpDa"]
    count = scalar(plain, "SELECT count(*) FROM entry_line")
    assert refused(plain, "FiEntries", "POST", body).message == "Enter a value for 'Voucher date'."
    assert refused(plain, "FiEntries", "POST", body, lang="nl-nl").message.endswith("'Boekstukdatum'.")
    assert scalar(plain, "SELECT count(*) FROM entry_line") == count


def _bank_put(debtor: dict, *banks: dict, org_action: str | None = None) -> dict:
    org: dict[str, Any] = {"MatchOga": "0", "BcCo": debtor["BcCo"]}
    element: dict[str, Any] = {"Fields": org, "Objects": {"KnBankAccount": {"Element": list(banks)}}}
    if org_action:
        element["@Action"] = org_action
    return {
        "KnSalesRelationOrg": {
            "Element": {"@DbId": debtor["DebtorId"], "Objects": {"KnOrganisation": {"Element": element}}}
        }
    }


def test_bank_accounts_follow_their_action(store: Store) -> None:
    """AFAS's advice for nested deletes is a PUT with delete actions: the bank account goes (not
    added, as when @Action was ignored); insert adds one, update needs one that exists, and an
    action the emulator does not carry out is refused rather than ignored."""
    debtor = rows(store, "Profit_Debtor", '"IBAN" IS NOT NULL')[0]
    old, new = debtor["IBAN"], "NL91ABNA0417164300"

    def iban() -> str | None:
        return rows(store, "Profit_Debtor", '"DebtorId" = ?', [debtor["DebtorId"]])[0]["IBAN"]

    # insert on the Element itself (AFAS's update-connector page), a G-account beside it
    added = {"@Action": "insert", "Fields": {"CoId": "NL", "Iban": new, "IbCk": True}}
    g_account = {"Fields": {"CoId": "NL", "Iban": "NL02RABO0123456789", "AcGa": True}}
    assert call(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, added, g_account))[0] == 201
    assert iban() == old  # the first regular account still leads
    # delete inside Fields (the fact sheet's placement)
    gone = {"Fields": {"@Action": "delete", "CoId": "NL", "Iban": old}}
    assert call(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, gone))[0] == 201
    assert iban() == new
    err = refused(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, gone))
    assert err.message == "The entered value for 'Bank account' does not exist."
    nl = refused(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, gone), lang="nl-nl")
    assert nl.message == "De ingevoerde waarde voor 'Bankrekening' bestaat niet."
    # both remaining accounts deleted: no IBAN left
    last = [{"@Action": "delete", "Fields": {"Iban": i}} for i in (new, "NL02RABO0123456789")]
    assert call(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, *last))[0] == 201
    assert iban() is None

    before = rows(store, "Profit_Debtor", '"DebtorId" = ?', [debtor["DebtorId"]])
    err = refused(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, added, org_action="delete"))
    assert "does not carry out '@Action' 'delete' on object 'KnOrganisation'" in err.message
    assert rows(store, "Profit_Debtor", '"DebtorId" = ?', [debtor["DebtorId"]]) == before
    bad = {"@Action": "remove", "Fields": {"Iban": new}}
    assert refused(store, "KnSalesRelationOrg", "PUT", _bank_put(debtor, bad)).status == 400


def test_an_account_with_assignments_takes_only_its_assigned_codes(plain: Store) -> None:
    """Codes assigned to 0100 on an axis are the only ones it takes there; AdDa makes the
    assignment on the way; an axis without assignments takes any code."""
    assigned, other = (
        r[0]
        for r in plain.con.execute(
            "SELECT code FROM allocation_code WHERE ax_id = 1 AND NOT blocked ORDER BY code LIMIT 2"
        ).fetchall()
    )
    plain.con.execute("DELETE FROM allocation_assignment WHERE unit = 1 AND account = '0100'")
    plain.con.execute("INSERT INTO allocation_assignment VALUES (1, '0100', 1, ?)", [assigned])

    def body(code: str) -> dict:
        dims = {"FiDimEntries": {"Element": {"Fields": {"DiC1": code}}}}
        return entry([line(1, "0100", debit="10", objects=dims), line(1, "0200", credit="10")])

    posted(call(plain, "FiEntries", "POST", body(assigned)))
    err = refused(plain, "FiEntries", "POST", body(other))
    assert err.message == (
        f"General message: There is no assignment for kostenplaats '{other}' with account '0100' "
        "or the assignment is blocked."
    )
    with_adda = body(other)
    with_adda["FiEntryPar"]["Element"]["Fields"]["AdDa"] = True
    posted(call(plain, "FiEntries", "POST", with_adda))
    assert (
        scalar(
            plain,
            "SELECT count(*) FROM allocation_assignment WHERE unit = 1 AND account = '0100' AND code = ?",
            [other],
        )
        == 1
    )
    posted(call(plain, "FiEntries", "POST", body(other)))  # assigned now
    # axis 2 has no assignments on 0100: any code of it will do
    code2 = scalar(plain, "SELECT min(code) FROM allocation_code WHERE ax_id = 2 AND NOT blocked")
    post_allocated(plain, DiC2=code2)
