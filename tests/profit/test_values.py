"""Typed GetConnector values: the misleading Z, -.5 style numbers, exact decimals, in-place row conversion."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afas.profit.values import (
    InexactNumberError,
    RowConverter,
    needs_exact_reparse,
    parse_afas_date,
    parse_afas_datetime,
    to_decimal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T14:30:05Z", dt.datetime(2025, 3, 1, 14, 30, 5)),  # Z ignored: Amsterdam wall time
        ("2025-03-01T14:30:05", dt.datetime(2025, 3, 1, 14, 30, 5)),
        ("2025-03-01T14:30:05.123Z", dt.datetime(2025, 3, 1, 14, 30, 5, 123000)),
        ("2025-03-01T14:30:05.1234567Z", dt.datetime(2025, 3, 1, 14, 30, 5, 123456)),
        ("2025-03-01T14:30:05+01:00", dt.datetime(2025, 3, 1, 14, 30, 5)),  # wall time kept, not shifted
        ("2025-07-01T23:30:00-05:00", dt.datetime(2025, 7, 1, 23, 30)),
        (" 2025-03-01T00:00:00Z\n", dt.datetime(2025, 3, 1)),
    ],
)
def test_parse_afas_datetime_keeps_wall_time(text: str, expected: dt.datetime) -> None:
    parsed = parse_afas_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is None


def test_the_z_is_not_utc() -> None:
    # 23:30 "Z" on New Year's Eve is still 31 December in Amsterdam, not 1 January.
    assert parse_afas_datetime("2024-12-31T23:30:00Z").date() == dt.date(2024, 12, 31)


@pytest.mark.parametrize("bad", ["", "yesterday", "2025-13-01T00:00:00Z", "01-03-2025"])
def test_parse_afas_datetime_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_afas_datetime(bad)


def test_parse_afas_date() -> None:
    assert parse_afas_date("2000-04-17T00:00:00Z") == dt.date(2000, 4, 17)
    assert parse_afas_date("2000-04-17T00:00:00") == dt.date(2000, 4, 17)
    assert parse_afas_date("2000-04-17") == dt.date(2000, 4, 17)
    with pytest.raises(ValueError, match="parse_afas_datetime"):
        parse_afas_date("2000-04-17T13:00:00Z")


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.1, None, "0.1"),
        (1234.56, None, "1234.56"),
        (-0.5, None, "-0.5"),
        (21.0, 2, "21.00"),
        (100, None, "100"),
        (100, 2, "100.00"),
        ("-.5", None, "-0.5"),
        (".5", 2, "0.50"),
        ("+.25", None, "0.25"),
        ("-12.345", None, "-12.345"),
        ("1e3", 0, "1000"),
        (Decimal("1.005"), 2, "1.00"),  # half-even
        (0.125, 2, "0.12"),  # half-even on the exact decimal text, not the binary float
        (0.135, 2, "0.14"),
        (2.675, 2, "2.68"),  # a naive round(2.675, 2) gives 2.67
        (99999999999.99, None, "99999999999.99"),
        (1234567890123.45, 2, "1234567890123.45"),  # 15 significant digits: still exact
        (0.1, 10, "0.1000000000"),
    ],
)
def test_to_decimal(value: object, decimals: int | None, expected: str) -> None:
    result = to_decimal(value, decimals)
    assert isinstance(result, Decimal)
    assert str(result) == expected


@pytest.mark.parametrize("bad", ["", "1,5", "abc", "NaN", "Infinity", "1_000", "--1", "."])
def test_to_decimal_rejects_bad_text(bad: str) -> None:
    with pytest.raises(ValueError):
        to_decimal(bad)


@pytest.mark.parametrize("bad", [None, True, False, [1]])
def test_to_decimal_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError):
        to_decimal(bad)


def test_to_decimal_rejects_non_finite_floats() -> None:
    with pytest.raises(ValueError):
        to_decimal(float("nan"))
    with pytest.raises(ValueError):
        to_decimal(float("inf"))


@settings(max_examples=300, derandomize=True)
@given(st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2))
def test_amounts_up_to_15_digits_survive_the_float(amount: Decimal) -> None:
    parsed = orjson.loads(orjson.dumps({"x": float(amount)}))["x"]
    assert not needs_exact_reparse(parsed)
    assert to_decimal(parsed, 2) == amount


def test_needs_exact_reparse() -> None:
    assert not needs_exact_reparse(9999999999999.99)
    assert needs_exact_reparse(1e13)
    assert needs_exact_reparse(-12345678901234.56)


FIELDS = [
    ("AccountNo", "string", 0),
    ("EntryNo", "int", 0),
    ("AmtDebit", "decimal", 2),
    ("VatPerc", "decimal", None),
    ("EntryDate", "date", 0),
    ("Modified", "date", 0),
    ("Blocked", "boolean", 0),
    ("Picture", "blob", 0),
    ("Odd", "someNewType", 0),
]


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "AccountNo": "8000",
        "EntryNo": 12,
        "AmtDebit": 121.5,
        "VatPerc": 21,
        "EntryDate": "2025-03-01T00:00:00Z",
        "Modified": "2025-03-02T09:15:00Z",
        "Blocked": False,
        "Picture": "iVBORw0KGgo=",
        "Odd": {"kept": True},
    }
    row.update(overrides)
    return row


def test_convert_rows_in_place() -> None:
    rows = [_row()]
    converter = RowConverter(FIELDS)
    result = converter.convert_rows(rows)
    assert result is rows
    row = rows[0]
    assert row["AmtDebit"] == Decimal("121.50") and str(row["AmtDebit"]) == "121.50"
    assert row["VatPerc"] == Decimal(21) and isinstance(row["VatPerc"], Decimal)
    assert row["EntryDate"] == dt.date(2025, 3, 1) and type(row["EntryDate"]) is dt.date
    assert row["Modified"] == dt.datetime(2025, 3, 2, 9, 15)  # Amsterdam wall time, naive
    assert row["Blocked"] is False
    assert row["AccountNo"] == "8000"
    assert row["EntryNo"] == 12
    assert row["Picture"] == "iVBORw0KGgo="
    assert row["Odd"] == {"kept": True}


def test_nulls_and_missing_fields_stay() -> None:
    rows = [_row(AmtDebit=None, EntryDate=None, Blocked=None), {"AccountNo": "1"}]
    RowConverter(FIELDS).convert_rows(rows)
    assert rows[0]["AmtDebit"] is None
    assert rows[0]["EntryDate"] is None
    assert rows[0]["Blocked"] is None
    assert rows[1] == {"AccountNo": "1"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), (1, True), (0, False), ("true", True), ("false", False), ("1", True)],
)
def test_booleans(raw: object, expected: bool) -> None:
    rows = [_row(Blocked=raw)]
    RowConverter(FIELDS).convert_rows(rows)
    assert rows[0]["Blocked"] is expected


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="Blocked"):
        RowConverter(FIELDS).convert_rows([_row(Blocked="maybe")])
    with pytest.raises(ValueError, match="EntryDate"):
        RowConverter(FIELDS).convert_rows([_row(EntryDate="not a date")])
    with pytest.raises(ValueError, match="AmtDebit"):
        RowConverter(FIELDS).convert_rows([_row(AmtDebit="12,50")])


def test_old_profit_leading_dot_numbers() -> None:
    rows = [_row(AmtDebit="-.5", VatPerc=".25")]
    RowConverter(FIELDS).convert_rows(rows)
    assert str(rows[0]["AmtDebit"]) == "-0.50"
    assert rows[0]["VatPerc"] == Decimal("0.25")


def test_large_amounts_ask_for_an_exact_reparse() -> None:
    raw = b'{"rows":[{"AmtDebit": 12345678901234567.89, "VatPerc": 21}]}'
    rows = orjson.loads(raw)["rows"]
    with pytest.raises(InexactNumberError):
        RowConverter(FIELDS).convert_rows(rows)
    exact = json.loads(raw, parse_float=Decimal)["rows"]
    RowConverter(FIELDS).convert_rows(exact)
    assert exact[0]["AmtDebit"] == Decimal("12345678901234567.89")


def test_from_metainfo() -> None:
    meta = [
        {"id": "Amount", "fieldId": "U001", "dataType": "decimal", "decimals": 2},
        {"id": "Date", "fieldId": "U002", "dataType": "date", "decimals": 0},
        {"id": "Name", "fieldId": "U003", "dataType": "string"},
    ]
    rows = [{"Amount": 1, "Date": "2025-01-01T00:00:00Z", "Name": "x"}]
    RowConverter.from_metainfo(meta).convert_rows(rows)
    assert rows == [{"Amount": Decimal("1.00"), "Date": dt.date(2025, 1, 1), "Name": "x"}]


def test_repeated_dates_convert_to_equal_values() -> None:
    rows = [{"EntryDate": "2025-03-01T00:00:00Z"} for _ in range(3)]
    RowConverter(FIELDS).convert_rows(rows)
    assert {row["EntryDate"] for row in rows} == {dt.date(2025, 3, 1)}


def test_converter_of_a_connector_without_typed_fields_leaves_rows_alone():
    rows = [{"Code": "A", "Number": 1}]
    assert RowConverter([("Code", "string", None), ("Number", "int", None)]).convert_rows(rows) == rows
    assert RowConverter([]).convert_rows([{"X": 1.5}]) == [{"X": 1.5}]


def test_converter_reuses_conversions_across_pages_without_mixing_fields():
    conv = RowConverter([("Amount", "decimal", 2), ("Rate", "decimal", 4), ("Day", "date", None)])
    first = conv.convert_rows([{"Amount": 1.5, "Rate": 1.5, "Day": "2025-01-31T00:00:00Z"}])
    second = conv.convert_rows([{"Amount": 1.5, "Rate": 1.5, "Day": "2025-01-31T00:00:00Z"}])
    assert first == second
    assert str(second[0]["Amount"]) == "1.50" and str(second[0]["Rate"]) == "1.5000"
    assert second[0]["Day"] == dt.date(2025, 1, 31)


def _decoder():
    from afas.profit.values import PageDecoder

    return PageDecoder(
        [
            ("Btw-nummer", "string", None),
            ("Amount", "decimal", 2),
            ("Day", "date", None),
            ("At", "date", None),
            ("Blocked", "boolean", None),
            ("Count", "int", None),
        ]
    )


def test_page_decoder_types_rows_exactly_and_keeps_odd_field_ids():
    raw = (
        b'{"skip":0,"take":100,"rows":[{"Btw-nummer":"NL1B01","Amount":12345678901234.56,'
        b'"Day":"2025-01-31T00:00:00Z","At":"2025-01-31T14:05:00Z","Blocked":false,"Count":3},'
        b'{"Btw-nummer":null,"Amount":0.00,"Day":null,"At":null,"Blocked":null,"Count":null}]}'
    )
    rows = _decoder().decode(raw)
    assert rows[0] == {
        "Btw-nummer": "NL1B01",
        "Amount": Decimal("12345678901234.56"),
        "Day": dt.date(2025, 1, 31),
        "At": dt.datetime(2025, 1, 31, 14, 5),
        "Blocked": False,
        "Count": 3,
    }
    assert str(rows[1]["Amount"]) == "0.00" and rows[1]["Day"] is None and rows[1]["Btw-nummer"] is None


def test_page_decoder_falls_back_for_older_profit_output():
    # Before Profit 7 numbers could look like -.5 and booleans could come as 1/0.
    raw = (
        b'{"rows":[{"Btw-nummer":"x","Amount":-.5,"Day":"2025-01-31T00:00:00Z","At":null,'
        b'"Blocked":1,"Count":1}]}'
    )
    rows = _decoder().decode(raw)
    assert rows[0]["Amount"] == Decimal("-0.50") and rows[0]["Blocked"] is True
    assert rows[0]["Day"] == dt.date(2025, 1, 31)


@pytest.mark.parametrize(
    "body",
    [
        {"results": {"FiEntryPar": {"UnId": "1", "EnNo": "5789", "InId": ""}}},  # AFAS's help pages
        {"results": {"FiEntries": {"EnNo": 5789, "UnId": 1, "InID": None}}},  # the OpenAPI template
    ],
)
def test_the_entry_number_is_read_from_either_documented_answer(body) -> None:
    """AFAS documents FiEntries' answer in two shapes; the entry number is found in both."""
    from afas.profit.update import UpdateResult

    result = UpdateResult.from_body(201, body)
    assert result.keys["EnNo"] == "5789" and result.keys["UnId"] == "1"
