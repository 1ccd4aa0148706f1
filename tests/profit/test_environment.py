"""Environment input as users type it: numbers, environment codes, types, explicit base URLs."""

from __future__ import annotations

import dataclasses

import pytest

from afas.profit.environment import Environment, EnvironmentInputError, EnvironmentType

PRODUCTION = EnvironmentType.PRODUCTION
NUMBER_MESSAGE = (
    "Enter the environment number: the digits of your AFAS environment, e.g. 36480 "
    "(an environment code such as O36480AA is also understood)."
)


@pytest.mark.parametrize(
    ("env_type", "url"),
    [
        ("production", "https://36480.rest.afas.online/ProfitRestServices"),
        ("test", "https://36480.resttest.afas.online/ProfitRestServices"),
        ("accept", "https://36480.restaccept.afas.online/ProfitRestServices"),
        (EnvironmentType.TEST, "https://36480.resttest.afas.online/ProfitRestServices"),
    ],
)
def test_number_and_type_give_the_rest_url(env_type: str, url: str) -> None:
    env = Environment.from_input("36480", env_type)
    assert env.base_url == url
    assert env.number == "36480"
    assert env.notice is None


def test_default_type_is_production() -> None:
    env = Environment.from_input("12345")
    assert env.type is EnvironmentType.PRODUCTION
    assert env.base_url == "https://12345.rest.afas.online/ProfitRestServices"


@pytest.mark.parametrize("typed", [" 36480 ", "36480\n", "\t36 480", "36480\r\n"])
def test_whitespace_is_stripped(typed: str) -> None:
    assert Environment.from_input(typed).number == "36480"


@pytest.mark.parametrize("digits", ["1234", "12345", "123456", "1234567"])
def test_four_to_seven_digits_are_accepted(digits: str) -> None:
    assert Environment.from_input(digits).number == digits


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("production", EnvironmentType.PRODUCTION),
        ("Prod", EnvironmentType.PRODUCTION),
        ("PRODUCTIE", EnvironmentType.PRODUCTION),
        ("o", EnvironmentType.PRODUCTION),
        ("O", EnvironmentType.PRODUCTION),
        ("Test", EnvironmentType.TEST),
        ("t", EnvironmentType.TEST),
        ("accept", EnvironmentType.ACCEPT),
        ("Acceptatie", EnvironmentType.ACCEPT),
        (" A ", EnvironmentType.ACCEPT),
    ],
)
def test_type_aliases(alias: str, expected: EnvironmentType) -> None:
    assert EnvironmentType.parse(alias) is expected
    assert Environment.from_input("36480", alias).type is expected


def test_type_values_and_services() -> None:
    assert [t.value for t in EnvironmentType] == ["production", "test", "accept"]
    assert [t.service for t in EnvironmentType] == ["rest", "resttest", "restaccept"]
    assert [t.code_letter for t in EnvironmentType] == ["O", "T", "A"]


def test_unknown_type_says_what_is_expected() -> None:
    with pytest.raises(EnvironmentInputError, match="production, test or accept"):
        Environment.from_input("36480", "staging")


@pytest.mark.parametrize(
    ("code", "number", "env_type", "host"),
    [
        ("O36480AA", "36480", EnvironmentType.PRODUCTION, "rest"),
        ("T12345AB", "12345", EnvironmentType.TEST, "resttest"),
        ("A54321AA", "54321", EnvironmentType.ACCEPT, "restaccept"),
        ("o36480aa", "36480", EnvironmentType.PRODUCTION, "rest"),
        ("A123456AC", "123456", EnvironmentType.ACCEPT, "restaccept"),
        ("T12345", "12345", EnvironmentType.TEST, "resttest"),
        (" O36480AA\n", "36480", EnvironmentType.PRODUCTION, "rest"),
    ],
)
def test_environment_codes_are_understood(
    code: str, number: str, env_type: EnvironmentType, host: str
) -> None:
    env = Environment.from_input(code)
    assert env.number == number
    assert env.type is env_type
    assert env.base_url == f"https://{number}.{host}.afas.online/ProfitRestServices"
    assert env.notice is not None
    assert f"using environment number {number} ({env_type.value})" in env.notice


def test_code_notice_wording() -> None:
    env = Environment.from_input("O36480AA")
    assert env.notice == (
        "You entered the environment code O36480AA; using environment number 36480 (production)."
    )


def test_code_letter_wins_over_a_contradicting_explicit_type() -> None:
    env = Environment.from_input("O36480AA", "test")
    assert env.type is EnvironmentType.PRODUCTION
    assert env.base_url == "https://36480.rest.afas.online/ProfitRestServices"
    assert env.notice is not None
    assert env.notice.startswith("You entered the environment code O36480AA; using environment number 36480")
    assert "selected type test" in env.notice


def test_matching_explicit_type_gives_the_plain_notice() -> None:
    env = Environment.from_input("T12345AB", "test")
    assert env.notice == "You entered the environment code T12345AB; using environment number 12345 (test)."


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "123",
        "12345678",
        "36480a",
        "X36480AA",
        "O123",
        "36-480",
        "https://36480.rest.afas.online",
        "٣٦٤٨٠",  # Arabic-Indic digits are not AFAS environment numbers
        "O٣٦٤٨٠AA",
        "ſ36480",
    ],
)
def test_other_input_says_what_is_expected(bad: str) -> None:
    with pytest.raises(EnvironmentInputError) as info:
        Environment.from_input(bad)
    assert str(info.value) == NUMBER_MESSAGE
    assert isinstance(info.value, ValueError)


def test_environment_is_frozen() -> None:
    env = Environment.from_input("36480")
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.number = "1"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("url", "base_url", "number", "env_type"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/ProfitRestServices", None, PRODUCTION),
        ("http://localhost:8765/", "http://localhost:8765/ProfitRestServices", None, PRODUCTION),
        (
            "http://localhost:8765/ProfitRestServices/",
            "http://localhost:8765/ProfitRestServices",
            None,
            EnvironmentType.PRODUCTION,
        ),
        (
            "http://localhost:8765/profitrestservices",
            "http://localhost:8765/profitrestservices",
            None,
            EnvironmentType.PRODUCTION,
        ),
        (
            "https://proxy.example.com/afas",
            "https://proxy.example.com/afas/ProfitRestServices",
            None,
            EnvironmentType.PRODUCTION,
        ),
        (
            "https://36480.resttest.afas.online/ProfitRestServices",
            "https://36480.resttest.afas.online/ProfitRestServices",
            "36480",
            EnvironmentType.TEST,
        ),
        (
            "https://12345.restaccept.afas.online",
            "https://12345.restaccept.afas.online/ProfitRestServices",
            "12345",
            EnvironmentType.ACCEPT,
        ),
        (
            "  HTTPS://36480.REST.afas.online/ProfitRestServices/connectors/Profit_Accounts ",
            "https://36480.REST.afas.online/ProfitRestServices",
            "36480",
            EnvironmentType.PRODUCTION,
        ),
    ],
)
def test_from_base_url(url: str, base_url: str, number: str | None, env_type: EnvironmentType) -> None:
    env = Environment.from_base_url(url)
    assert env.base_url == base_url
    assert env.number == number
    assert env.type is env_type


def test_base_url_notice_when_path_added() -> None:
    added = Environment.from_base_url("http://localhost:1")
    assert added.notice == "Added /ProfitRestServices to the base URL."
    assert Environment.from_base_url("http://localhost:1/ProfitRestServices").notice is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "localhost:8000",
        "ftp://example.com",
        "http://",
        "https:///ProfitRestServices",
        "not a url",
        "http://host:notaport/",
        "http://user:secret@host/ProfitRestServices",
        "http://host/ProfitRestServices?x=1",
        "http://host/ProfitRestServices#frag",
    ],
)
def test_garbage_base_urls_are_rejected(bad: str) -> None:
    with pytest.raises(EnvironmentInputError) as info:
        Environment.from_base_url(bad)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://36480.rest.afas.online/ProfitRestServices",
        "http://10.0.0.5:8080",
        "http://afas.intranet.example",
    ],
)
def test_plain_http_to_another_host_is_refused_since_the_token_would_travel_unencrypted(url: str) -> None:
    with pytest.raises(EnvironmentInputError, match="plain http to .* the token would travel unencrypted"):
        Environment.from_base_url(url)
    assert Environment.from_base_url(url.replace("http://", "https://")).base_url.startswith("https://")


@pytest.mark.parametrize(
    "url", ["http://localhost:8765", "http://127.0.0.1:8765", "http://[::1]:8765", "http://afas.localhost"]
)
def test_plain_http_to_this_machine_is_accepted(url: str) -> None:
    assert Environment.from_base_url(url).base_url.startswith("http://")
