"""GetConnector filters: the exact query AFAS receives, the JSON fallback, and the length limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afas.profit.filters import (
    MAX_QUERY_LENGTH,
    Condition,
    Filter,
    FilterTooLong,
    Op,
    between,
    eq,
    format_value,
    ge,
    gt,
    le,
    lt,
    one_of,
    parse_filterjson,
    parse_query_params,
    query_length,
    to_query_params,
)


def test_operator_numbers() -> None:
    assert [(op.name, op.value) for op in Op] == [
        ("EQ", 1),
        ("GE", 2),
        ("LE", 3),
        ("GT", 4),
        ("LT", 5),
        ("CONTAINS", 6),
        ("NE", 7),
        ("EMPTY", 8),
        ("NOT_EMPTY", 9),
        ("STARTS_WITH", 10),
        ("NOT_CONTAINS", 11),
        ("NOT_STARTS_WITH", 12),
        ("ENDS_WITH", 13),
        ("NOT_ENDS_WITH", 14),
        ("QUICK", 15),
    ]


def test_and_or_example_from_afas() -> None:
    # (A = x AND B < y) OR (C is empty)
    f = Filter.any(Filter.all(eq("A", "x"), lt("B", "y")), Condition("C", Op.EMPTY))
    params = to_query_params(f)
    assert params == {"filterfieldids": "A,B;C", "filtervalues": "x,y;", "operatortypes": "1,5;8"}
    assert str(httpx.QueryParams(params)) == (
        "filterfieldids=A%2CB%3BC&filtervalues=x%2Cy%3B&operatortypes=1%2C5%3B8"
    )


def test_single_condition() -> None:
    assert to_query_params(Filter.all(eq("AdminId", 1))) == {
        "filterfieldids": "AdminId",
        "filtervalues": "1",
        "operatortypes": "1",
    }


def test_and_distributes_over_or() -> None:
    a, b, c, d = eq("A", "1"), eq("B", "2"), eq("C", "3"), eq("D", "4")
    f = (Filter.any(a, b)) & (Filter.any(c, d))
    assert f.groups == ((a, c), (a, d), (b, c), (b, d))
    assert to_query_params(f)["filterfieldids"] == "A,C;A,D;B,C;B,D"


def test_or_concatenates_groups() -> None:
    a, b, c = eq("A", "1"), eq("B", "2"), eq("C", "3")
    f = Filter.all(a, b) | c
    assert f.groups == ((a, b), (c,))
    assert (a | b).groups == ((a,), (b,))
    assert (a & b).groups == ((a, b),)
    assert (a & Filter.all(b)).groups == ((a, b),)
    assert (c | Filter.all(a, b)).groups == ((c,), (a, b))


def test_empty_filter_means_no_filter() -> None:
    a = eq("A", "1")
    assert not Filter()
    assert Filter.all() == Filter()
    assert Filter() & a == Filter.all(a)
    assert Filter.all(a) & Filter() == Filter.all(a)
    assert Filter() | a == Filter()  # "all rows OR a" is all rows
    assert to_query_params(Filter()) == {}
    assert to_query_params(Filter(), other_params={"skip": 0, "take": 100}) == {"skip": "0", "take": "100"}


def test_any_of_nothing_is_refused() -> None:
    # An OR of no values matches nothing; silently sending no filter would fetch everything.
    with pytest.raises(ValueError):
        Filter.any()
    with pytest.raises(ValueError):
        one_of("DebtorId", [])


def test_helpers() -> None:
    assert ge("Year", 2025) == Condition("Year", Op.GE, 2025)
    assert le("Year", 2025).op is Op.LE
    assert gt("Year", 2025).op is Op.GT
    assert lt("Year", 2025).op is Op.LT
    assert between("Period", 1, 3) == Filter.all(Condition("Period", Op.GE, 1), Condition("Period", Op.LE, 3))
    assert to_query_params(between("Period", 1, 3)) == {
        "filterfieldids": "Period,Period",
        "filtervalues": "1,3",
        "operatortypes": "2,3",
    }
    assert to_query_params(one_of("UnitId", [1, 2]))["filterfieldids"] == "UnitId;UnitId"


def test_condition_op_accepts_int_and_empty_drops_value() -> None:
    assert Condition("A", 6, "x").op is Op.CONTAINS  # type: ignore[arg-type]
    assert Condition("A", Op.EMPTY, "ignored").value is None
    with pytest.raises(ValueError):
        Condition("", Op.EQ, "x")
    with pytest.raises(ValueError):
        Condition("A", 99, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Op.EMPTY"):
        eq("A", None)


def test_text_operators_get_no_wildcards() -> None:
    text_ops = (
        Op.CONTAINS,
        Op.STARTS_WITH,
        Op.NOT_CONTAINS,
        Op.NOT_STARTS_WITH,
        Op.ENDS_WITH,
        Op.NOT_ENDS_WITH,
    )
    for op in text_ops:
        params = to_query_params(Filter.all(Condition("Description", op, "Internet")))
        assert params["filtervalues"] == "Internet"
        assert params["operatortypes"] == str(int(op))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Internet", "Internet"),
        ("", ""),
        (True, "1"),
        (False, "0"),
        (2025, "2025"),
        (-7, "-7"),
        (Decimal("1234.50"), "1234.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0.00"), "0.00"),
        (dt.date(2000, 4, 17), "2000-04-17T00:00:00"),
        (dt.datetime(2025, 3, 1, 14, 30, 5, 999999), "2025-03-01T14:30:05"),
        (dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC), "2025-01-15T13:00:00"),  # CET = UTC+1
        (dt.datetime(2025, 7, 15, 12, 0, tzinfo=dt.UTC), "2025-07-15T14:00:00"),  # CEST = UTC+2
        (dt.datetime(2025, 7, 15, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), "2025-07-15T14:00:00"),
    ],
)
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text
    assert not text.endswith("Z")


def test_format_value_refuses_floats_and_odd_types() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        format_value(12.5)
    with pytest.raises(TypeError):
        format_value(dt.time(12, 0))
    with pytest.raises(ValueError):
        format_value(Decimal("NaN"))
    with pytest.raises(TypeError):
        eq("Amount", 1.5)


def test_empty_operators_send_an_empty_value() -> None:
    assert format_value("anything", Op.EMPTY) == ""
    assert format_value(None, Op.NOT_EMPTY) == ""
    f = Filter.all(Condition("A", Op.NOT_EMPTY), eq("B", "b"))
    assert to_query_params(f)["filtervalues"] == ",b"


def test_separator_in_value_switches_to_filterjson() -> None:
    f = Filter.any(Filter.all(eq("Name", "Jansen, B.V."), Condition("Email", Op.EMPTY)), eq("City", "A;B"))
    params = to_query_params(f)
    assert set(params) == {"filterjson"}
    assert params["filterjson"] == (
        '{"Filters":{"Filter":['
        '{"@FilterId":"Filter 1","Field":['
        '{"@FieldId":"Name","@OperatorType":1,"#text":"Jansen, B.V."},'
        '{"@FieldId":"Email","@OperatorType":8,"#text":""}]},'
        '{"@FilterId":"Filter 2","Field":[{"@FieldId":"City","@OperatorType":1,"#text":"A;B"}]}]}}'
    )
    assert parse_query_params(params) == f


def test_prefer_json() -> None:
    f = Filter.all(eq("Year", 2025), ge("Period", 3))
    params = to_query_params(f, prefer_json=True)
    document = orjson.loads(params["filterjson"])
    fields = document["Filters"]["Filter"][0]["Field"]
    assert fields == [
        {"@FieldId": "Year", "@OperatorType": 1, "#text": "2025"},
        {"@FieldId": "Period", "@OperatorType": 2, "#text": "3"},
    ]


def test_other_params_are_merged_and_counted() -> None:
    f = Filter.all(eq("Year", 2025))
    params = to_query_params(f, other_params={"skip": 0, "take": 1000, "orderbyfieldids": "EntryNo,SeqNo"})
    assert params == {
        "skip": "0",
        "take": "1000",
        "orderbyfieldids": "EntryNo,SeqNo",
        "filterfieldids": "Year",
        "filtervalues": "2025",
        "operatortypes": "1",
    }
    with pytest.raises(ValueError):
        to_query_params(f, other_params={"filterjson": "{}"})


def test_query_length_matches_what_httpx_sends() -> None:
    """Counted as AFAS counts it: what httpx sends after the path, the ? included."""
    params = to_query_params(Filter.all(eq("Description", "é & ü, ok")), other_params={"take": 10})
    url = "https://36480.rest.afas.online/ProfitRestServices/connectors/X"
    request = httpx.Request("GET", url, params=params)
    assert query_length(params) == len("?" + request.url.query.decode())


def _ids_filter(count: int) -> Filter:
    return one_of("DebtorId", [f"{10000 + i}" for i in range(count)])


def test_length_limit_is_enforced() -> None:
    with pytest.raises(FilterTooLong) as info:
        to_query_params(_ids_filter(200), other_params={"skip": 0, "take": 100})
    message = str(info.value)
    assert "2,049" in message
    assert "Split the filter" in message
    assert info.value.length > MAX_QUERY_LENGTH
    assert isinstance(info.value, ValueError)


def test_largest_filter_that_fits_is_sent() -> None:
    other = {"skip": 0, "take": 100, "orderbyfieldids": "DebtorId"}
    count = 1
    while True:
        try:
            params = to_query_params(_ids_filter(count + 1), other_params=other)
        except FilterTooLong:
            break
        count += 1
        assert query_length(params) <= MAX_QUERY_LENGTH
    assert count > 50
    with pytest.raises(FilterTooLong):
        to_query_params(_ids_filter(count + 1), other_params=other)


def test_prefer_json_falls_back_to_the_shorter_compact_form() -> None:
    # filterjson repeats field ids and quotes per condition, so it outgrows the limit first.
    f = _ids_filter(60)
    document = {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": f"Filter {index}",
                    "Field": [
                        {"@FieldId": c.field, "@OperatorType": int(c.op), "#text": c.value} for c in group
                    ],
                }
                for index, group in enumerate(f.groups, start=1)
            ]
        }
    }
    assert query_length({"filterjson": orjson.dumps(document).decode()}) > MAX_QUERY_LENGTH
    params = to_query_params(f, prefer_json=True)
    assert "filterfieldids" in params
    assert query_length(params) <= MAX_QUERY_LENGTH


def test_too_long_when_only_filterjson_can_express_it() -> None:
    f = one_of("Name", [f"Jansen, {i}" for i in range(80)])
    with pytest.raises(FilterTooLong):
        to_query_params(f)
    assert "filterjson" in to_query_params(one_of("Name", ["Jansen, 1", "Jansen, 2"]))


def test_parse_compact_form() -> None:
    params = {"filterfieldids": "A,B;C", "filtervalues": "x,y;", "operatortypes": "1,5;8"}
    expected = Filter.any(Filter.all(eq("A", "x"), lt("B", "y")), Condition("C", Op.EMPTY))
    assert parse_query_params(params) == expected
    assert parse_query_params({"skip": "0"}) == Filter()
    with pytest.raises(ValueError):
        parse_query_params({"filterfieldids": "A,B", "filtervalues": "x", "operatortypes": "1,1"})
    with pytest.raises(ValueError):
        parse_query_params({"filterfieldids": "A", "filtervalues": "x", "operatortypes": "99"})


def test_parse_filterjson_tolerates_afas_shapes() -> None:
    # The official example: one Filter object, operator type as a string, a single Field object.
    text = (
        '{"Filters":{"Filter":{"@FilterId":"Filter 1","Field":'
        '{"@FieldId":"Description","@OperatorType":"6","#text":"Internet"}}}}'
    )
    assert parse_filterjson(text) == Filter.all(Condition("Description", Op.CONTAINS, "Internet"))
    numeric = '{"Filters":{"Filter":[{"Field":[{"@FieldId":"Y","@OperatorType":1,"#text":2025}]}]}}'
    assert parse_filterjson(numeric) == Filter.all(eq("Y", "2025"))
    for bad in ("not json", "[]", '{"Filters":{}}', '{"Filters":{"Filter":[{"Field":[{"@FieldId":"A"}]}]}}'):
        with pytest.raises(ValueError):
            parse_filterjson(bad)


# --- round trip -------------------------------------------------------------------------------------

_field_ids = st.text(min_size=1, max_size=10)
_values = st.text(max_size=10)
_ops = st.sampled_from(list(Op))


@st.composite
def _conditions(draw: st.DrawFn) -> Condition:
    op = draw(_ops)
    value = None if op in (Op.EMPTY, Op.NOT_EMPTY) else draw(_values)
    return Condition(draw(_field_ids), op, value)


_filters = st.lists(st.lists(_conditions(), min_size=1, max_size=4), min_size=1, max_size=4).map(Filter)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_filters, st.booleans())
def test_round_trip_through_the_wire(f: Filter, prefer_json: bool) -> None:
    try:
        params = to_query_params(f, prefer_json=prefer_json, other_params={"skip": 0, "take": 100})
    except FilterTooLong as exc:  # long non-ASCII text: refusing is the right answer
        assert exc.length > MAX_QUERY_LENGTH
        return
    assert query_length(params) <= MAX_QUERY_LENGTH
    assert parse_query_params(params) == f
    # ... and after URL encoding and decoding, as the server sees it
    wire = httpx.QueryParams(str(httpx.QueryParams(params)))
    assert parse_query_params(dict(wire)) == f


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.lists(_conditions(), min_size=1, max_size=3), min_size=1, max_size=3).map(Filter))
def test_round_trip_of_filterjson(f: Filter) -> None:
    params = to_query_params(f, prefer_json=True)
    parsed = parse_query_params(params)
    assert parsed == f
