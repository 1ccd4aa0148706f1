"""The role and four-eyes rules of afas.access: who holds which roles, what each role may do, when
two approvers are needed, and how a wrong configuration is told."""

from __future__ import annotations

from decimal import Decimal

import pytest

from afas.access import AccessConfig, NotAllowed, Right, Role, User, approvals_needed, load_config
from afas.errors import InputError

SECRETS = {
    "auth": {"client_id": "dashboard", "server_metadata_url": "https://login.example/.well-known"},
    "roles": {
        "admin": ["it@example.nl"],
        "approver": ["Bert@Example.nl", "carla-0003"],
        "preparer": "anna@example.nl",
        "viewer": ["@example.nl"],
    },
    "four_eyes": {"two_approvers_above": "10000.00"},
}
ISSUER = "https://login.example"


def _user(sub: str, email: str, name: str = "", config: AccessConfig | None = None) -> User:
    claims = {"sub": sub, "email": email, "name": name, "iss": ISSUER}
    return User.signed_in(claims, config or AccessConfig.from_mapping(SECRETS))


def test_roles_come_from_the_email_the_subject_and_the_domain():
    config = AccessConfig.from_mapping(SECRETS)
    assert config.sign_in and config.two_approvers_above == Decimal("10000.00")
    anna = _user("anna-0001", "anna@example.nl", "Anna de Vries")
    assert anna.roles == {Role.PREPARER, Role.VIEWER}
    assert _user("bert-0002", "bert@EXAMPLE.nl").roles == {Role.APPROVER, Role.VIEWER}  # any case
    assert _user("carla-0003", "carla@elsewhere.com").roles == {Role.APPROVER}  # by subject
    assert _user("dave-0004", "dave@example.nl").roles == {Role.VIEWER}  # by domain only
    assert _user("eve-0005", "eve@elsewhere.com").roles == frozenset()
    assert anna.signature == "Anna de Vries <anna@example.nl>" and not anna.is_local


def test_each_role_may_do_its_own_and_the_roles_below_it_the_administrator_not_the_books():
    viewer, anna = _user("d", "dave@example.nl"), _user("a", "anna@example.nl")
    bert, it = _user("b", "bert@example.nl"), _user("i", "it@example.nl")
    assert [viewer.can(r) for r in Right] == [True, False, False, False]
    assert [anna.can(r) for r in Right] == [True, True, False, False]
    assert [bert.can(r) for r in Right] == [True, True, True, False]
    assert [it.can(r) for r in Right] == [True, False, False, True]  # it@ is in the domain: viewer too
    assert viewer.why_not(Right.VIEW) is None
    assert anna.why_not(Right.APPROVE) == (
        "Approving and sending corrections, reviewing the close needs the approver role; "
        "anna@example.nl is preparer, viewer."
    )
    with pytest.raises(NotAllowed) as refused:
        anna.require(Right.APPROVE)
    assert "anna@example.nl the approver role ([roles] in secrets.toml)" in refused.value.hint
    with pytest.raises(NotAllowed, match="needs the viewer role; eve@elsewhere.com is no role"):
        _user("e", "eve@elsewhere.com").require(Right.VIEW)


def test_one_person_is_one_issuers_subject_whatever_the_name_or_address_says():
    anna = _user("anna-0001", "anna@example.nl", "Anna")
    assert anna.same_person(_user("anna-0001", "anna.devries@example.nl", "Anna de Vries"))
    assert not anna.same_person(_user("anna-0002", "anna@example.nl", "Anna"))  # another account
    other_issuer = User.signed_in(
        {"sub": "anna-0001", "iss": "https://other", "email": "x@y"}, AccessConfig.from_mapping(SECRETS)
    )
    assert not anna.same_person(other_issuer)
    assert User.local(" Anna  de Vries ").same_person(User.local("anna de vries"))


def test_without_sign_in_the_typed_name_holds_every_role_and_approves_in_one_step():
    anna = User.local("Anna de Vries")
    assert anna.is_local and anna.signature == "Anna de Vries" and all(anna.can(r) for r in Right)
    assert approvals_needed(anna, AccessConfig(), Decimal("1000000")) == 0
    with pytest.raises(InputError, match="Say who you are first"):
        User.local("   ")


def test_above_the_threshold_a_batch_needs_two_approvers_and_at_it_one():
    config = AccessConfig.from_mapping(SECRETS)
    anna = _user("a", "anna@example.nl")
    assert approvals_needed(anna, config, Decimal("10000.00")) == 1
    assert approvals_needed(anna, config, Decimal("10000.01")) == 2
    assert approvals_needed(anna, config, Decimal("-25000")) == 2  # the size counts, not the sign
    assert approvals_needed(anna, config, None) == 1  # relations and codes carry no amount
    no_threshold = AccessConfig.from_mapping({"auth": {"x": 1}})
    assert approvals_needed(anna, no_threshold, Decimal("1e9")) == 1


def test_a_sign_in_without_subject_and_a_wrong_configuration_are_told_in_words(tmp_path):
    with pytest.raises(InputError, match="did not say who you are"):
        User.signed_in({"email": "anna@example.nl"}, AccessConfig())
    with pytest.raises(InputError, match="names the role 'boss'") as wrong:
        AccessConfig.from_mapping({"roles": {"boss": ["x@example.nl"]}})
    assert wrong.value.hint == "Use viewer, preparer, approver or admin."
    with pytest.raises(InputError, match="two_approvers_above is 'lots', not an amount"):
        AccessConfig.from_mapping({"four_eyes": {"two_approvers_above": "lots"}})
    broken = tmp_path / "secrets.toml"
    broken.write_text("[roles\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as TOML"):
        load_config(broken)
    assert load_config(tmp_path / "absent.toml") == AccessConfig()
    good = tmp_path / "good.toml"
    good.write_text('[roles]\napprover = ["bert@example.nl"]\n', encoding="utf-8")
    assert not load_config(good).sign_in and load_config(good).roles_for("bert@example.nl", "b") == {
        Role.APPROVER
    }


def test_the_core_refuses_what_a_role_does_not_allow_whatever_the_page_showed(tmp_path):
    """A viewer's sync, a preparer's send and a non-administrator's defaults are refused before
    anything is read, written or sent (the pages disable them; the core holds without the page)."""
    from afas.corrections.outbox import Outbox
    from afas.warehouse.profiles import ConnectionProfile, list_profiles, save_profile
    from afas.warehouse.sync import sync

    viewer = _user("dave-0004", "dave@example.nl", "Dave")
    preparer = _user("anna-0001", "anna@example.nl", "Anna de Vries")
    db = tmp_path / "w.duckdb"

    class NoAfas:  # any request would fail the test: the refusal comes first
        def __getattr__(self, name):
            raise AssertionError(f"AFAS was asked ({name})")

    with pytest.raises(NotAllowed, match="needs the preparer role; Dave is viewer"):
        sync(db, NoAfas(), ["Profit_Accounts"], by=viewer)
    with pytest.raises(NotAllowed, match="needs the approver role; Anna de Vries is preparer, viewer"):
        Outbox(db).post(NoAfas(), by=preparer)
    profile = ConnectionProfile(name="demo", base_url="http://127.0.0.1:1/ProfitRestServices")
    with pytest.raises(NotAllowed, match="needs the administrator role"):
        save_profile(db, profile, by=preparer)
    assert list_profiles(db) == []
    admin = _user("it-0006", "it@example.nl", "IT desk")
    assert save_profile(db, profile, by=admin).name == "demo"
