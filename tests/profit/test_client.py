"""The client against the emulator, in-process and over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import httpx
import pytest

from afas.emulator.auth import AppConnector, UserToken
from afas.profit.client import RetryPolicy, page_size_for
from afas.profit.errors import AfasAuthError, AfasNotFound, AfasRejected, AfasTransportError, AfasUnavailable
from afas.profit.filters import Condition, Filter, FilterTooLong, Op, between, eq
from afas.profit.update import delete_path
from tests.conftest import make_client


def count(emulator, sql: str) -> int:
    return emulator.store.cursor().execute(sql).fetchone()[0]


def test_rows_are_typed(client):
    page = client.get_page("Profit_Transactions", order_by=("UnitId", "EntryNo", "SeqNo"), take=20)
    row = page.rows[0]
    assert isinstance(row["AmtDebit"], Decimal) and isinstance(row["AmtCredit"], Decimal)
    assert isinstance(row["EntryDate"], dt.date) and not isinstance(row["EntryDate"], dt.datetime)
    assert isinstance(row["Created"], dt.datetime) and row["Created"].tzinfo is None  # Amsterdam wall time
    assert isinstance(row["UnitId"], int)
    vat = client.get_page(
        "Profit_VAT_code", filter=Filter.all(eq("VatCode", "1")), order_by=("VatCode",)
    ).rows
    assert vat[0]["VatPerc"] == Decimal("21.00") and vat[0]["Blocked"] is False


def test_keyset_paging_returns_every_row_once_with_small_pages(client, emulator):
    total = count(emulator, "SELECT count(*) FROM entry_line")
    rows = client.fetch_all("Profit_Transactions", key=("UnitId", "EntryNo", "SeqNo"))
    keys = [(r["UnitId"], r["EntryNo"], r["SeqNo"]) for r in rows]
    assert len(keys) == total == len(set(keys))
    pages = list(client.pages("Profit_Transactions", key=("UnitId", "EntryNo", "SeqNo"), take=37))
    assert sum(len(p.rows) for p in pages) == total
    assert all(
        p.params["skip"] == "0" and p.params["orderbyfieldids"] == "UnitId,EntryNo,SeqNo" for p in pages
    )


def test_partitions_run_in_parallel_and_cover_everything(client, emulator):
    total = count(emulator, "SELECT count(*) FROM entry_line")
    parts = [
        Filter.all(eq("UnitId", u), eq("Year", y), eq("Period", p))
        for u in (1, 2)
        for y in (2025, 2026)
        for p in range(1, 13)
    ]
    rows = client.fetch_all("Profit_Transactions", key=("UnitId", "EntryNo", "SeqNo"), partitions=parts)
    assert len(rows) == total == len({(r["UnitId"], r["EntryNo"], r["SeqNo"]) for r in rows})


def test_filters_are_applied_by_afas(client):
    rows = client.fetch_all(
        "Profit_Transactions",
        key=("UnitId", "EntryNo", "SeqNo"),
        filter=Filter.all(eq("UnitId", 1)) & between("EntryDate", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    )
    assert rows and all(
        r["UnitId"] == 1 and dt.date(2025, 3, 1) <= r["EntryDate"] <= dt.date(2025, 3, 31) for r in rows
    )


def test_filter_values_with_commas_use_filterjson(client):
    page = client.get_page(
        "Profit_Debtor",
        filter=Filter.all(Condition("DebtorName", Op.CONTAINS, "a,b")),
        order_by=("DebtorId",),
    )
    assert "filterjson" in page.params and page.rows == []


def test_skip_take_paging_in_order(client, emulator):
    total = count(emulator, "SELECT count(*) FROM entry_line")
    pages = list(client.skip_pages("Profit_Transactions", order_by=("UnitId", "EntryNo", "SeqNo"), take=50))
    rows = [r for p in pages for r in p.rows]
    keys = [(r["UnitId"], r["EntryNo"], r["SeqNo"]) for r in rows]
    assert keys == sorted(keys) and len(keys) == total
    assert [p.skip for p in pages] == list(range(0, 50 * len(pages), 50))


def test_page_size_follows_afas_rule_of_thumb():
    assert page_size_for(18) == 8300
    assert page_size_for(3) == 50000
    assert page_size_for(10_000) == 100


def memorial(
    day: dt.date,
    voucher: str,
    amount: Decimal,
    debit: str = "4600",
    credit: str = "1100",
    description: str | None = None,
) -> dict:
    """A two-line memorial entry (journal 80, administration 1) as AFAS's examples write it."""

    def line(account: str, de: Decimal, cr: Decimal) -> dict:
        fields = {"VaAs": "1", "AcNr": account, "EnDa": day.isoformat(), "BpDa": day.isoformat(),
                  "BpNr": voucher, "AmDe": format(de, "f"), "AmCr": format(cr, "f")}  # fmt: skip
        return {"Fields": fields | ({"Ds": description} if description else {})}

    return {
        "FiEntryPar": {
            "Element": {
                "Fields": {"Year": str(day.year), "Peri": str(day.month), "UnId": "1", "JoCo": "80"},
                "Objects": [
                    {
                        "FiEntries": {
                            "Element": [line(debit, amount, Decimal("0")), line(credit, Decimal("0"), amount)]
                        }
                    }
                ],  # fmt: skip
            }
        }
    }


def dim_code(code: str, description: str) -> dict:
    return {"KnDimCode": {"Element": {"@AxId": "1", "@VbCo": code, "Fields": {"Ds": description}}}}


def _churn_entry(writer, i: int) -> int:
    result = writer.insert("FiEntries", memorial(dt.date(2026, 6, 1), f"CHURN{i}", Decimal("1.00")))
    return int(result.keys["EnNo"])


def test_paging_under_concurrent_inserts_and_deletes_loses_and_repeats_no_key(emulator):
    """Keys present for the whole read are returned exactly once, while AFAS changes underneath.

    Between every two pages another client deletes an entry (spread over the whole key range, so
    some lie behind the reader and some ahead) and posts a new one: the interleaving is fixed, so
    the test is deterministic.
    """
    key = ("UnitId", "EntryNo", "SeqNo")
    with make_client(emulator) as reader, make_client(emulator) as writer:
        all_rows = reader.fetch_all("Profit_Transactions", key=key, typed=False)
        before = {(r["UnitId"], r["EntryNo"], r["SeqNo"]) for r in all_rows}
        journal_of = {(r["UnitId"], r["EntryNo"]): r["JournalId"] for r in all_rows}
        with_invoice = {(r["UnitId"], r["EntryNo"]) for r in all_rows if r["InvoiceId"]}
        deletable = sorted(
            {(r["UnitId"], r["EntryNo"]) for r in all_rows} - with_invoice
        )  # AFAS refuses matched ones
        victims = deletable[:: max(1, len(deletable) // 20)][:20]
        seen: list[tuple] = []
        posted: list[int] = []
        for i, page in enumerate(reader.pages("Profit_Transactions", key=key, take=15, typed=False)):
            seen.extend((r["UnitId"], r["EntryNo"], r["SeqNo"]) for r in page.rows)
            if i < len(victims):
                unit, entry = victims[i]
                writer.delete(
                    "FiEntries",
                    f"FiEntryPar/UnId,JoCo/{unit},{journal_of[victims[i]]}/FiEntries/@EnNo/{entry}",
                )
                posted.append(_churn_entry(writer, i))
    assert len(posted) == len(victims) >= 15, "the writer did not make its changes during the read"
    assert len(seen) == len(set(seen)), "a key was returned twice"
    stable = {k for k in before if (k[0], k[1]) not in set(victims)}
    assert stable <= set(seen), "a key that existed throughout the read was lost"
    assert {(1, e) for e in posted} & {(u, e) for u, e, _ in seen}, (
        "entries posted ahead of the reader are read"
    )


def test_skip_paging_is_what_loses_rows_under_deletes(emulator):
    """Why pages() pages by key: with skip/take, a delete behind the reader makes the next page skip rows."""
    key = ("UnitId", "EntryNo", "SeqNo")
    with make_client(emulator) as reader, make_client(emulator) as writer:
        rows = reader.fetch_all(
            "Profit_Transactions", key=key, typed=False, filter=Filter.all(eq("UnitId", 1))
        )
        invoiced = {r["EntryNo"] for r in rows if r["InvoiceId"]}
        victim = next(r for r in rows if r["EntryNo"] not in invoiced)
        base = Filter.all(eq("UnitId", 1), Condition("EntryNo", Op.GE, victim["EntryNo"]))
        first = reader.get_page(
            "Profit_Transactions", filter=base, order_by=key, skip=0, take=25, typed=False
        ).rows
        lines = sum(1 for r in first if r["EntryNo"] == victim["EntryNo"])
        writer.delete(
            "FiEntries", f"FiEntryPar/UnId,JoCo/1,{victim['JournalId']}/FiEntries/@EnNo/{victim['EntryNo']}"
        )
        by_skip = reader.get_page(
            "Profit_Transactions", filter=base, order_by=key, skip=25, take=25, typed=False
        ).rows
        by_key = reader.get_page(
            "Profit_Transactions", order_by=key, take=25, typed=False, filter=base & _after(key, first[-1])
        ).rows
    assert lines >= 1
    assert by_key[:lines] and not any(r in by_skip for r in by_key[:lines]), (
        "skip paging should have lost rows"
    )
    assert by_key[lines:] == by_skip[: 25 - lines]


def _after(key, row):
    from afas.profit.client import _after_filter

    return _after_filter(key, [row[k] for k in key])


def test_get_retries_503_honouring_retry_after(emulator):
    waits: list[float] = []
    emulator.add_fault("error503", connector="Profit_Accounts", times=2, retry_after=3)
    with make_client(emulator, sleep=waits.append, retry=RetryPolicy(attempts=4, base=0.0, cap=0.0)) as c:
        assert c.get_page("Profit_Accounts", order_by=("Account",)).rows
    assert waits == [3, 3]


def test_long_maintenance_is_reported_not_waited(emulator):
    emulator.add_fault("error503", connector="Profit_Accounts", times=1, retry_after=7200)
    waits: list[float] = []
    with make_client(emulator, sleep=waits.append) as c, pytest.raises(AfasUnavailable) as err:
        c.get_page("Profit_Accounts", order_by=("Account",))
    assert waits == [] and err.value.retry_after == 7200


def test_get_retries_dropped_connections_with_capped_jittered_backoff(emulator):
    emulator.add_fault("drop", connector="Profit_Accounts", times=3)
    waits: list[float] = []
    policy = RetryPolicy(attempts=5, base=0.5, cap=1.0)
    with make_client(emulator, sleep=waits.append, retry=policy, seed=1) as c:
        assert c.get_page("Profit_Accounts", order_by=("Account",)).rows
    assert len(waits) == 3 and all(0 <= w <= 1.0 for w in waits) and len(set(waits)) == 3


def test_get_gives_up_after_the_attempts(emulator):
    emulator.add_fault("drop", connector="Profit_Accounts", times=None)
    with (
        make_client(emulator, retry=RetryPolicy(attempts=3, base=0, cap=0)) as c,
        pytest.raises(AfasTransportError),
    ):
        c.get_page("Profit_Accounts", order_by=("Account",))
    assert sum(1 for k, conn, m in emulator.faults.fired if conn == "Profit_Accounts") == 3


def test_post_is_never_retried(emulator, client):
    emulator.add_fault("lost_response", connector="KnDimCode", method="POST")
    with pytest.raises(AfasTransportError) as err:
        client.insert("KnDimCode", dim_code("LOST1", "Verloren"))
    assert "check whether it arrived" in (err.value.hint or "")
    posts = [r for r in emulator.requests if r[0] == "POST"]
    assert len(posts) == 1
    # ... and it did arrive: the write was committed before the connection dropped
    assert count(emulator, "SELECT count(*) FROM allocation_code WHERE code = 'LOST1'") == 1


def test_500_on_post_is_not_retried(emulator, client):
    emulator.add_fault("error500", connector="FiEntries", method="POST")
    with pytest.raises(AfasRejected):
        client.insert(
            "FiEntries", {"FiEntryPar": {"Element": {"Fields": {"Year": "2026", "Peri": "1", "JoCo": "80"}}}}
        )
    assert len([r for r in emulator.requests if r[0] == "POST"]) == 1


def test_insert_returns_afas_keys_and_the_entry_appears(client):
    result = client.insert(
        "FiEntries", memorial(dt.date(2026, 3, 2), "MEMO-T1", Decimal("12.34"), description="Correctie")
    )
    assert result.status == 201 and result.object_name == "FiEntryPar"
    assert result.keys["UnId"] == "1" and result.keys["EnNo"].isdigit()
    rows = client.fetch_all(
        "Profit_Transactions",
        key=("UnitId", "EntryNo", "SeqNo"),
        filter=Filter.all(eq("UnitId", 1), eq("EntryNo", int(result.keys["EnNo"]))),
    )
    assert [(r["AccountNo"], r["AmtDebit"], r["AmtCredit"]) for r in rows] == [
        ("4600", Decimal("12.34"), Decimal("0.00")),
        ("1100", Decimal("0.00"), Decimal("12.34")),
    ]


def test_rejection_carries_afas_message(client):
    with pytest.raises(AfasRejected) as err:
        client.insert("FiEntries", memorial(dt.date(2026, 3, 2), "MEMO-T2", Decimal("1"), debit="9999999"))
    assert "Account Number" in err.value.external_message
    assert err.value.status == 500 and len(err.value.profit_log_reference or "") == 32


def test_update_and_delete(client, emulator):
    client.insert("KnDimCode", dim_code("TEST9", "Test"))
    client.update("KnDimCode", dim_code("TEST9", "Test gewijzigd"))
    codes = client.fetch_all(
        "Recon_AllocationCodes",
        key=("AxisId", "AllocationCode"),
        filter=Filter.all(eq("AllocationCode", "TEST9")),
    )
    assert [c["Description"] for c in codes] == ["Test gewijzigd"]
    client.delete("KnDimCode", delete_path(("KnDimCode", {"AxId": 1, "VbCo": "TEST9"})))
    assert count(emulator, "SELECT count(*) FROM allocation_code WHERE code = 'TEST9'") == 0


def test_wrong_token_is_explained(emulator):
    with make_client(emulator, token="F" * 64) as c, pytest.raises(AfasAuthError) as err:
        c.version()
    assert err.value.status == 401
    assert any("App connector" in cause for cause in err.value.likely_causes)
    assert emulator.token_data not in str(err.value)


def test_token_never_reaches_logs_or_reprs(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    emulator.add_fault("drop", connector="Profit_Accounts", times=1)
    with make_client(emulator) as c:
        c.get_page("Profit_Accounts", order_by=("Account",))
        text = repr(c) + str(c) + caplog.text
    assert emulator.token_data not in text
    assert "retry 1" in caplog.text  # the retry was logged, without the token


def test_not_found_for_too_long_query_is_explained(client):
    with pytest.raises(FilterTooLong) as err:
        client.get_page(
            "Profit_Accounts", filter=Filter.all(eq("Account", "x" * 3000)), order_by=("Account",)
        )
    assert "2049" in str(err.value) or "2,049" in str(err.value)
    with pytest.raises(AfasNotFound):
        client._get(
            "connectors/Profit_Accounts",
            {"filterfieldids": "Account", "operatortypes": "1", "filtervalues": "x" * 2100},
        )


def test_readiness_reports_missing_connectors_and_administrations(emulator):
    from afas.profit.readiness import check_readiness

    with make_client(emulator) as c:
        full = check_readiness(c)
    assert full.ok and not full.missing and [a.id for a in full.administrations] == [1, 2]
    assert full.version and full.envid == emulator.envid

    partial = AppConnector(
        "Partial",
        get_connectors=frozenset({"Profit_Administrations", "Profit_Accounts"}),
        update_connectors=frozenset({"FiEntries"}),
    )
    emulator.add_token(UserToken("D" * 64, partial, administrations=frozenset()))
    with make_client(emulator, token="D" * 64) as c:
        result = check_readiness(c)
    assert not result.ok
    missing = {m.standard_id for m in result.missing}
    assert "KnDimCode" in missing and "Profit_Transactions" in missing and "FiEntries" not in missing
    assert all(m.fix for m in result.missing)
    assert any("Algemeen - Administraties" in p for p in result.problems)

    with make_client(emulator, token="E" * 64) as c:
        refused = check_readiness(c)
    assert not refused.ok and isinstance(refused.error, AfasAuthError)


def test_over_real_loopback_http(live_client, live_emulator):
    total = count(live_emulator, "SELECT count(*) FROM entry_line WHERE unit = 1")
    parts = [
        Filter.all(eq("UnitId", 1), eq("Year", y), eq("Period", p))
        for y in (2025, 2026)
        for p in range(1, 13)
    ]
    rows = live_client.fetch_all("Profit_Transactions", key=("UnitId", "EntryNo", "SeqNo"), partitions=parts)
    assert len(rows) == total
    assert live_client.catalogue().has_update("FiEntries")


def test_dropped_connection_over_real_http_is_retried(live_server, live_emulator, live_client):
    live_emulator.add_fault("drop", connector="Profit_Journals", times=1)
    rows = live_client.fetch_all("Profit_Journals", key=("UnitId", "JournalId"))
    assert rows
    assert ("drop", "Profit_Journals", "GET") in live_emulator.faults.fired


def test_every_connector_pages_completely_on_its_documented_key(client, emulator):
    """Each connector the product reads, paged by its key in small pages, gives all its rows once."""
    from afas.profit.connectors import GET_CONNECTORS

    for spec in GET_CONNECTORS:
        everything = client._get(f"connectors/{spec.id}", {"skip": "-1", "take": "-1"}).json()["rows"]
        paged = (
            client.fetch_all(spec.id, key=spec.key, typed=False)
            if len(everything) < 50
            else [
                r
                for p in client.pages(spec.id, key=spec.key, take=max(7, len(everything) // 9), typed=False)
                for r in p.rows
            ]
        )
        assert len(paged) == len(everything), spec.id
        keys = [tuple(r[k] for k in spec.key) for r in paged]
        assert len(set(keys)) == len(keys), f"{spec.id}: key {spec.key} is not unique or a page repeated"


def test_metainfo_as_typed_objects(client, emulator):
    catalogue = client.catalogue()
    assert catalogue.info.envid == emulator.envid and catalogue.info.token_expiry == "0"
    assert catalogue.has_get("profit_transactions") and catalogue.has_update("KnDimCode")
    meta = client.get_metainfo("Profit_Transactions")
    amount = meta.field("AmtDebit")
    assert (amount.data_type, amount.decimals) == ("decimal", 2)
    update = client.update_metainfo("FiEntries")
    assert update.id == "FiEntries" and update.root.name == "FiEntryPar"
    lines = update.root.object("FiEntries")
    va_as = lines.field("VaAs")
    assert va_as.mandatory and {code for code, _ in va_as.values} == {"1", "2", "3"}
    assert lines.object("FiDimEntries").field("DiC1").length == 16
    dim = client.update_metainfo("KnDimCode").root
    assert {f.field_id for f in dim.fields if f.primary_key} == {"AxId", "VbCo"}
    assert client.version() == emulator.config.profit_version


def test_gzipped_answers_over_real_http_are_unpacked_whole(live_client, live_emulator):
    """AFAS gzips its answers; a page of hundreds of rows arrives compressed and is read whole."""
    import httpx

    raw = httpx.get(
        live_client._url("connectors/Profit_Transactions"),
        params={"take": 500, "orderbyfieldids": "UnitId,EntryNo,SeqNo"},
        headers={"Authorization": live_client._token.header_value(), "Accept-Encoding": "gzip"},
    )
    assert raw.headers["content-encoding"] == "gzip"
    page = live_client.get_page("Profit_Transactions", order_by=("UnitId", "EntryNo", "SeqNo"), take=500)
    assert [r["EntryNo"] for r in page.rows] == [r["EntryNo"] for r in raw.json()["rows"]]
    assert len(page.rows) == 500


def test_a_damaged_gzip_answer_is_a_transport_error_and_is_retried():
    """A body that claims gzip but is not is treated like a dropped connection: the GET is tried
    again, and when it stays damaged the user is told what happened, not shown a zlib error."""
    import gzip

    import httpx

    from afas.profit.client import ProfitClient
    from afas.profit.environment import Environment
    from afas.profit.token import ProfitToken

    good = gzip.compress(b'{"skip":0,"take":1,"rows":[{"Unit":1}]}')
    answers = [b"\x1f\x8b not really gzip", good]

    def handler(request: httpx.Request) -> httpx.Response:
        body = answers.pop(0) if answers else b"\x1f\x8b still broken"
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=httpx.ByteStream(body))

    token = ProfitToken.parse("A" * 64)
    env = Environment.from_base_url("http://afas.localhost/ProfitRestServices")
    policy = RetryPolicy(attempts=2, base=0.0, cap=0.0)
    transport = httpx.MockTransport(handler)
    with ProfitClient(env, token, transport=transport, retry=policy, sleep=lambda s: None) as c:
        assert c.get_page("Profit_Units", order_by=("Unit",), take=1, typed=False).rows == [{"Unit": 1}]
        with pytest.raises(AfasTransportError, match="arrived damaged"):
            c.get_page("Profit_Units", order_by=("Unit",), take=1, typed=False)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_reported_as_such_and_never_followed(status):
    from afas.profit.client import ProfitClient
    from afas.profit.environment import Environment
    from afas.profit.errors import AfasRedirect
    from afas.profit.readiness import check_readiness
    from afas.profit.token import ProfitToken

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(status, headers={"Location": "https://login.example.com/sso?session=abc"})

    env = Environment.from_base_url("https://36480.rest.afas.online/ProfitRestServices")
    with ProfitClient(env, ProfitToken.parse("A" * 64), transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(AfasRedirect) as info:
            c.version()
        assert (
            info.value.status == status and info.value.location == "https://login.example.com/sso?session=abc"
        )
        shown = str(info.value)
        assert f"redirect (HTTP {status}) to https://login.example.com instead of AFAS Profit" in shown
        ready = check_readiness(c)
    assert all(url.startswith("https://36480.rest.afas.online/") for url in seen)  # never followed
    assert not ready.ok and not ready.connectors  # not "every connector missing"
    assert isinstance(ready.error, AfasRedirect) and "redirect" in ready.problems[0]
