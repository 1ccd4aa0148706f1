"""The emulator answers GetConnector and metainfo calls the way AFAS does (afas-profit-api.md §3, §4)."""

from __future__ import annotations

import base64
import re

import httpx
import orjson
import pytest

from afas.emulator.auth import AppConnector, UserToken
from afas.emulator.core import Emulator, EmulatorConfig
from afas.emulator.getconnectors import GET_CONNECTORS
from afas.emulator.labels_nl import DUTCH
from afas.emulator.transport import EmulatorTransport

BASE = "http://afas.test/ProfitRestServices"


def header(data: str) -> dict[str, str]:
    xml = f"<token><version>1</version><data>{data}</data></token>"
    return {"Authorization": "AfasToken " + base64.b64encode(xml.encode()).decode()}


@pytest.fixture
def http(emulator: Emulator) -> httpx.Client:
    with httpx.Client(
        transport=EmulatorTransport(emulator),
        base_url=BASE,
        headers={**header(emulator.token_data), "Accept-Language": "en-us"},
    ) as c:
        yield c


def rows(http: httpx.Client, connector: str, **params) -> list[dict]:
    r = http.get(f"/connectors/{connector}", params=params)
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def test_default_take_is_100_and_skip_take_are_echoed(http):
    r = http.get("/connectors/Profit_Transactions")
    assert r.status_code == 200
    doc = r.json()
    assert (doc["skip"], doc["take"], len(doc["rows"])) == (0, 100, 100)
    doc = http.get("/connectors/Profit_Transactions", params={"skip": 5, "take": 7}).json()
    assert (doc["skip"], doc["take"], len(doc["rows"])) == (5, 7, 7)


def test_rows_have_every_field_with_null_for_empty_and_z_suffixed_local_dates(http):
    row = rows(
        http, "Profit_Transactions", take=50, filterfieldids="VatCode", filtervalues="", operatortypes=8
    )[0]
    assert list(row) == [f.id for f in GET_CONNECTORS["Profit_Transactions"].fields]
    assert row["VatCode"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", row["EntryDate"])
    assert isinstance(row["AmtDebit"], (int, float)) and isinstance(row["UnitId"], int)


def test_decimals_are_printed_with_their_decimals(http):
    r = http.get(
        "/connectors/Profit_VAT_code",
        params={"filterfieldids": "VatCode", "filtervalues": "1", "operatortypes": "1"},
    )
    assert b'"VatPerc":21.00' in r.content


def test_and_within_a_group_or_across_groups(http):
    got = rows(
        http,
        "Profit_Accounts",
        take=1000,
        filterfieldids="Account,Blocked;Account",
        filtervalues="4,0;1100",
        operatortypes="10,1;1",
    )
    accounts = {r["Account"] for r in got}
    assert "1100" in accounts
    assert all(
        (a.startswith("4") and not r["Blocked"]) or a == "1100" for a, r in ((r["Account"], r) for r in got)
    )
    assert "4999" not in accounts  # the blocked 4xxx account fails the first group


def test_filterjson_gives_the_same_rows_as_the_compact_form(http):
    compact = rows(
        http,
        "Profit_Accounts",
        take=1000,
        filterfieldids="Account,Blocked;Account",
        filtervalues="4,0;1100",
        operatortypes="10,1;1",
    )
    doc = {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": "Filter 1",
                    "Field": [
                        {"@FieldId": "Account", "@OperatorType": 10, "#text": "4"},
                        {"@FieldId": "Blocked", "@OperatorType": 1, "#text": "0"},
                    ],
                },
                {
                    "@FilterId": "Filter 2",
                    "Field": {"@FieldId": "Account", "@OperatorType": 1, "#text": "1100"},
                },
            ]
        }
    }
    assert rows(http, "Profit_Accounts", take=1000, filterjson=orjson.dumps(doc).decode()) == compact


@pytest.mark.parametrize(
    ("op", "value", "check"),
    [
        (1, "1100", lambda a: a == "1100"),
        (2, "8000", lambda a: a >= "8000"),
        (3, "1000", lambda a: a <= "1000"),
        (4, "8000", lambda a: a > "8000"),
        (5, "1000", lambda a: a < "1000"),
        (6, "%10%", lambda a: "10" in a),
        (6, "10", lambda a: "10" in a),
        (7, "1100", lambda a: a != "1100"),
        (10, "15", lambda a: a.startswith("15")),
        (11, "0", lambda a: "0" not in a),
        (12, "1", lambda a: not a.startswith("1")),
        (13, "10", lambda a: a.endswith("10")),
        (14, "0", lambda a: not a.endswith("0")),
        (15, "10", lambda a: "10" in a),
    ],
)
def test_each_text_and_comparison_operator(http, op, value, check):
    everything = {r["Account"] for r in rows(http, "Profit_Accounts", take=1000)}
    got = {
        r["Account"]
        for r in rows(
            http, "Profit_Accounts", take=1000, filterfieldids="Account", filtervalues=value, operatortypes=op
        )
    }
    assert got == {a for a in everything if check(a)}
    assert got  # every case selects something in the demo chart


def test_empty_and_not_empty_operators_split_the_rows(http):
    total = len(rows(http, "Profit_Transactions", take=-1, skip=-1))
    empty = rows(
        http, "Profit_Transactions", skip=-1, filterfieldids="VatCode", filtervalues="", operatortypes=8
    )
    filled = rows(
        http, "Profit_Transactions", skip=-1, filterfieldids="VatCode", filtervalues="", operatortypes=9
    )
    assert empty and filled and len(empty) + len(filled) == total
    assert all(r["VatCode"] is None for r in empty) and all(r["VatCode"] for r in filled)


def test_text_comparisons_ignore_case(http):
    upper = rows(
        http, "Profit_Debtor", take=1000, filterfieldids="DebtorName", filtervalues="B.V.", operatortypes=6
    )
    lower = rows(
        http, "Profit_Debtor", take=1000, filterfieldids="DebtorName", filtervalues="b.v.", operatortypes=6
    )
    assert upper and upper == lower


def test_date_filter_values_without_z_and_z_refused(http):
    got = rows(
        http,
        "Profit_Transactions",
        skip=-1,
        filterfieldids="EntryDate,EntryDate",
        filtervalues="2025-03-01T00:00:00,2025-03-31T00:00:00",
        operatortypes="2,3",
    )
    assert got and all("2025-03-01" <= r["EntryDate"][:10] <= "2025-03-31" for r in got)
    r = http.get(
        "/connectors/Profit_Transactions",
        params={"filterfieldids": "EntryDate", "filtervalues": "2025-03-01T00:00:00Z", "operatortypes": "2"},
    )
    assert r.status_code == 500 and "not a valid date" in r.json()["externalMessage"]


def test_orderby_with_minus_sorts_descending(http):
    got = rows(http, "Profit_Accounts", take=1000, orderbyfieldids="-Account")
    accounts = [r["Account"] for r in got]
    assert accounts == sorted(accounts, reverse=True)
    got = rows(http, "Profit_Transactions", take=300, orderbyfieldids="-AmtDebit,EntryNo")
    amounts = [r["AmtDebit"] for r in got]
    assert amounts == sorted(amounts, reverse=True)


def test_skip_minus_one_returns_everything_and_skip_2_take_minus_one_is_an_error(http, emulator):
    total = emulator.store.cursor().execute("SELECT count(*) FROM entry_line").fetchone()[0]
    assert len(rows(http, "Profit_Transactions", skip=-1, take=-1)) == total
    r = http.get("/connectors/Profit_Transactions", params={"skip": 2, "take": -1})
    assert r.status_code == 500
    body = r.json()
    assert body["externalMessage"] == "An unexpected error has occurred."
    assert body["errorNumber"] == -2147180999
    assert re.fullmatch(r"[0-9A-F]{32}", body["profitLogReference"])


def test_query_longer_than_2049_characters_is_404(http):
    """AFAS counts the query string from its ? on: 2,049 characters pass, 2,050 give 404."""
    head = "filterfieldids=Account&operatortypes=1&filtervalues="

    def get(length_from_question_mark: int):
        query = head + "x" * (length_from_question_mark - 1 - len(head))
        return http.get("/connectors/Profit_Accounts?" + query)

    assert get(2049).status_code == 200
    assert get(2050).status_code == 404


def test_unknown_field_and_unknown_connector_are_named(http):
    r = http.get("/connectors/Profit_Accounts", params={"orderbyfieldids": "Nope"})
    assert r.status_code == 500 and r.json()["externalMessage"] == "Connector field 'Nope' not found"
    r = http.get("/connectors/Profit_DoesNotExist")
    assert r.status_code == 500
    assert (
        r.json()["externalMessage"] == "GetConnector not supported for this app or the user is not authorized"
    )


def test_paths_match_case_insensitively(emulator):
    with httpx.Client(transport=EmulatorTransport(emulator), headers=header(emulator.token_data)) as c:
        for url in (
            "http://x/profitrestservices/connectors/profit_accounts?take=1",
            "http://x/PROFITRESTSERVICES/Connectors/Profit_Accounts?take=1",
            "http://x/ProfitRestServices/metainfo",
            "http://x/ProfitRestServices/MetaInfo",
            "http://x/ProfitRestServices/profitversion",
        ):
            assert c.get(url).status_code == 200, url


def test_auth_as_afas(emulator):
    t = EmulatorTransport(emulator)
    url = f"{BASE}/connectors/Profit_Accounts"
    with httpx.Client(transport=t) as c:
        assert c.get(url).status_code == 401
        assert c.get(url, headers=header("0" * 64)).status_code == 401
        plain = f"AfasToken <token><version>1</version><data>{emulator.token_data}</data></token>"
        assert c.get(url, headers={"Authorization": plain}).status_code == 500
        assert c.get(url, headers={"Authorization": "Bearer x"}).status_code == 401
        assert c.get(url, headers=header(emulator.token_data)).status_code == 200


def test_401_body_is_empty(emulator):
    with httpx.Client(transport=EmulatorTransport(emulator)) as c:
        r = c.get(f"{BASE}/ProfitVersion", headers=header("1" * 64))
    assert r.status_code == 401 and r.content == b""


def test_ip_restriction_is_403(emulator):
    app = AppConnector("Restricted", ip_allow=("10.1.2.3",))
    emulator.add_token(UserToken("A" * 64, app))
    with httpx.Client(transport=EmulatorTransport(emulator)) as c:
        assert c.get(f"{BASE}/ProfitVersion", headers=header("A" * 64)).status_code == 403


def test_token_sees_only_its_administrations(emulator):
    emulator.add_token(UserToken("B" * 64, emulator.full_app, administrations=frozenset({2})))
    with httpx.Client(transport=EmulatorTransport(emulator), base_url=BASE, headers=header("B" * 64)) as c:
        admins = c.get("/connectors/Profit_Administrations").json()["rows"]
        units = {
            r["UnitId"] for r in c.get("/connectors/Profit_Transactions", params={"skip": -1}).json()["rows"]
        }
    assert [a["AdminId"] for a in admins] == [2]
    assert units == {2}


def test_catalogue_lists_only_the_app_connectors_connectors(emulator):
    app = AppConnector(
        "Partial", get_connectors=frozenset({"Profit_Accounts"}), update_connectors=frozenset({"FiEntries"})
    )
    emulator.add_token(UserToken("C" * 64, app))
    with httpx.Client(transport=EmulatorTransport(emulator), base_url=BASE, headers=header("C" * 64)) as c:
        doc = c.get("/metainfo").json()
        assert [g["id"] for g in doc["getConnectors"]] == ["Profit_Accounts"]
        assert [u["id"] for u in doc["updateConnectors"]] == ["FiEntries"]
        assert doc["info"]["appName"] == "Partial" and doc["info"]["envid"] == emulator.envid
        assert c.get("/connectors/Profit_Debtor").status_code == 500


def test_get_metainfo_shape(http):
    doc = http.get("/metainfo/get/Profit_Administrations").json()
    assert doc["name"] == "Profit_Administrations"
    first = doc["fields"][0]
    assert first == {
        "id": "AdminId",
        "fieldId": "U002",
        "dataType": "int",
        "label": "Administration",
        "length": 3,
        "controlType": 5,
        "decimals": 0,
        "decimalsFieldId": "",
    }
    tx = {f["id"]: f for f in http.get("/metainfo/get/Profit_Transactions").json()["fields"]}
    assert tx["AmtDebit"]["dataType"] == "decimal" and tx["AmtDebit"]["decimals"] == 2
    assert tx["EntryDate"]["dataType"] == "date"


def test_update_metainfo_shape_and_spellings(http):
    doc = http.get("/metainfo/update/FiEntries").json()
    assert doc["name"] == "FiEntryPar"
    field = doc["fields"][0]
    assert {"decimalFieldId", "notzero", "primaryKey", "mandatory"} <= set(field)
    assert "decimalsFieldId" not in field
    assert [o["name"] for o in doc["objects"]] == ["FiEntries"]


def test_messages_follow_accept_language(emulator):
    with httpx.Client(
        transport=EmulatorTransport(emulator), base_url=BASE, headers=header(emulator.token_data)
    ) as c:
        nl = c.get(
            "/connectors/Profit_Accounts",
            params={"orderbyfieldids": "Nope"},
            headers={"Accept-Language": "nl-nl"},
        ).json()["externalMessage"]
        en = c.get(
            "/connectors/Profit_Accounts",
            params={"orderbyfieldids": "Nope"},
            headers={"Accept-Language": "en-us"},
        ).json()["externalMessage"]
    assert nl == "Connectorveld 'Nope' niet gevonden" and en == "Connector field 'Nope' not found"


def test_503_fault_has_retry_after_and_afas_body(emulator, http):
    emulator.add_fault("error503", connector="Profit_Accounts", retry_after=7)
    r = http.get("/connectors/Profit_Accounts")
    assert r.status_code == 503 and r.headers["Retry-After"] == "7"
    assert r.json()["retry_after"] == 7 and r.json()["error"]["code"] == "503"
    assert http.get("/connectors/Profit_Accounts").status_code == 200  # fired once


def test_configurable_unauthorised_status(emulator):
    emulator.config = EmulatorConfig(unauthorised_connector_status=401)
    with httpx.Client(
        transport=EmulatorTransport(emulator), base_url=BASE, headers=header(emulator.token_data)
    ) as c:
        assert c.get("/connectors/Profit_Nope").status_code == 401


def test_latency_fault_delays_only_matching_requests(emulator, http, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(
        "afas.emulator.faults.Faults.delay",
        staticmethod(lambda rule, released: slept.append(rule.latency_ms)),
    )
    emulator.add_fault("latency", connector="Profit_Journals", latency_ms=250, times=None)
    assert http.get("/connectors/Profit_Journals").status_code == 200
    assert http.get("/connectors/Profit_Accounts").status_code == 200
    assert http.get("/connectors/Profit_Journals").status_code == 200
    assert slept == [250, 250]


def test_clearing_the_faults_lets_a_delayed_request_go_at_once(emulator, http):
    """A test holds a request in flight with a long latency and releases it when it is ready."""
    import threading
    import time

    emulator.add_fault("latency", connector="Profit_Journals", latency_ms=600_000)
    answer: list[int] = []
    worker = threading.Thread(
        target=lambda: answer.append(http.get("/connectors/Profit_Journals").status_code)
    )
    worker.start()
    while not emulator.faults.fired:  # the request is in, and waiting
        time.sleep(0.01)
    assert answer == [] and worker.is_alive()
    started = time.monotonic()
    emulator.faults.clear()
    worker.join(timeout=30)
    assert answer == [200] and time.monotonic() - started < 30


def test_fault_rule_specs_are_parsed():
    from afas.emulator.faults import FaultRule

    rule = FaultRule.parse("error503,connector=FiEntries,method=POST,times=always,retry_after=9")
    assert (rule.kind, rule.connector, rule.method, rule.times, rule.retry_after) == (
        "error503",
        "FiEntries",
        "POST",
        None,
        9,
    )
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule.parse("explode")


def test_large_responses_are_gzipped_as_afas_does(emulator):
    with httpx.Client(
        transport=EmulatorTransport(emulator), base_url=BASE, headers=header(emulator.token_data)
    ) as c:
        r = c.get(
            "/connectors/Profit_Transactions", params={"take": 200}, headers={"Accept-Encoding": "gzip"}
        )
    assert r.headers["content-encoding"] == "gzip" and len(r.json()["rows"]) == 200


def test_every_answer_carries_the_cors_and_no_cache_headers(http, emulator):
    """AFAS's response templates (200, 401, 404, 500) all carry CORS and no-store headers."""
    answers = [
        http.get("/connectors/Profit_Accounts", params={"take": 1}),
        http.get("/connectors/Profit_Accounts", headers={"Authorization": "AfasToken bm9wZQ=="}),
        http.get("/connectors/Profit_Accounts?filtervalues=" + "x" * 2100),
        http.get("/connectors/Profit_Accounts", params={"skip": 2, "take": -1}),
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 500]
    for a in answers:
        assert a.headers["access-control-allow-origin"] == "*"
        assert "DELETE" in a.headers["access-control-allow-methods"]
        assert a.headers["cache-control"] == "no-store, no-cache"


def test_a_method_afas_does_not_offer_is_a_bad_request(http):
    """AFAS answers 400 when no Get, Post, Put or Delete method is given (PATCH, say)."""
    assert http.patch("/connectors/KnDimCode", json={}).status_code == 400
    assert http.request("MERGE", "/connectors/Profit_Accounts").status_code == 400


def test_warm_renders_what_changed_so_the_next_page_is_answered_from_it(emulator: Emulator, http) -> None:
    """POST /__emulator__/warm (for benchmarks): the page tables of changed data are rendered at
    once, and the pages after it show the change."""
    first = rows(http, "Profit_Transactions", take=1)[0]
    control = BASE.rsplit("/ProfitRestServices", 1)[0] + "/__emulator__/warm"
    assert http.post(control, headers={"Authorization": ""}).status_code == 401
    emulator.edit_entry_line(first["UnitId"], first["EntryNo"], first["SeqNo"], description="Warm change")
    stale = {cid for cid in GET_CONNECTORS if emulator._page_versions.get(cid) != emulator.store.version}
    assert "Profit_Transactions" in stale
    r = http.post(control)
    assert r.status_code == 200 and r.json()["seconds"] >= 0
    assert all(emulator._page_versions.get(cid) == emulator.store.version for cid in GET_CONNECTORS)
    assert rows(http, "Profit_Transactions", take=1)[0]["Description"] == "Warm change"
    assert http.get(control).status_code == 404


def test_metainfo_labels_come_in_the_asked_language_as_afas_writes_them(http):
    """Accept-Language decides the labels and the description (AFAS: "affects messages/labels");
    every field of every connector has its Dutch label, so a Dutch user never sees an English one."""
    english = http.get("/metainfo/get/Profit_Debtor").json()
    dutch = http.get("/metainfo/get/Profit_Debtor", headers={"Accept-Language": "nl-nl"}).json()
    by_id = {f["id"]: f["label"] for f in dutch["fields"]}
    assert (dutch["description"], by_id["DebtorId"], by_id["PayCon"]) == (
        "Debiteuren",
        "Nummer debiteur",
        "Betalingsvoorwaarde",
    )
    assert {f["id"]: f["label"] for f in english["fields"]}["PayCon"] == "Payment condition"
    assert [f["id"] for f in dutch["fields"]] == [f["id"] for f in english["fields"]]
    for connector, definition in GET_CONNECTORS.items():  # nl-be is Dutch too
        doc = http.get(f"/metainfo/get/{connector}", headers={"Accept-Language": "nl-be"}).json()
        assert (
            {f["id"] for f in doc["fields"]} == set(DUTCH[connector][1]) == {f.id for f in definition.fields}
        )
        assert [f["label"] for f in doc["fields"]] == [DUTCH[connector][1][f.id] for f in definition.fields]
