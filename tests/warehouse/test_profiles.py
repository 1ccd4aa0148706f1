"""Connection profiles: kept per environment and administration, switched, never with the token."""

from __future__ import annotations

import duckdb
import pytest

from afas.warehouse.profiles import (
    ConnectionProfile,
    delete_profile,
    list_profiles,
    load_profile,
    save_profile,
)


def test_profiles_are_saved_listed_switched_and_deleted(tmp_path):
    db = tmp_path / "w.duckdb"
    prod = ConnectionProfile(
        "Productie - Holding",
        "https://36480.rest.afas.online/ProfitRestServices",
        "36480",
        "production",
        1,
        "30",
        1,
    )
    test = ConnectionProfile(
        "Test", "https://36480.resttest.afas.online/ProfitRestServices", "36480", "test", 2
    )
    save_profile(db, prod)
    save_profile(db, test)
    assert [p.name for p in list_profiles(db)] == ["Test", "Productie - Holding"]
    loaded = load_profile(db, "Productie - Holding")
    assert (loaded.administration, loaded.payment_terms, loaded.allocation_axis) == (1, "30", 1)
    save_profile(db, ConnectionProfile(**{**prod.__dict__, "payment_terms": "14"}))
    assert load_profile(db, "Productie - Holding").payment_terms == "14"
    assert len(list_profiles(db)) == 2 and list_profiles(db)[0].name == "Productie - Holding"
    assert delete_profile(db, "Test") and not delete_profile(db, "Test")
    assert load_profile(db, "Test") is None


def test_a_profile_has_no_place_for_a_token(tmp_path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(TypeError):
        ConnectionProfile("x", "https://e", token="secret")  # type: ignore[call-arg]
    save_profile(db, ConnectionProfile("x", "https://e"))
    with duckdb.connect(str(db)) as con:
        columns = [c[0] for c in con.execute("DESCRIBE connection_profiles").fetchall()]
    assert not [c for c in columns if "token" in c.lower()]


@pytest.mark.parametrize(
    ("name", "url", "message"), [(" ", "https://e", "needs a name"), ("x", "", "address")]
)
def test_incomplete_profiles_say_what_is_missing(name, url, message):
    with pytest.raises(ValueError, match=message):
        ConnectionProfile(name, url)
