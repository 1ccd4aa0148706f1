"""The Configure form as values: what starts chosen, what a choice reads as, the profile it makes."""

from __future__ import annotations

import pytest

from afas.errors import InputError
from afas.profit.defaults import Choice, DefaultChoices
from afas.profit.environment import Environment
from afas.warehouse.profileform import Picker, ProfileForm, SavedProfiles
from afas.warehouse.profiles import ConnectionProfile, save_profile

CHOICES = DefaultChoices(
    administrations=[Choice("1", "1 – Demo Groothandel B.V."), Choice("2", "2 – Demo Diensten B.V.")],
    payment_terms=[Choice("14", "14 – 14 dagen"), Choice("30", "30 – 30 dagen")],
    allocation_axes=[Choice("1", "1 – Kostenplaats"), Choice("2", "2 – Kostendrager")],
)
ENV = Environment.from_input("36480", "test")


def test_a_new_profile_starts_from_the_first_administration_and_30_days():
    form = ProfileForm.of(CHOICES, None, "AFAS environment 36480 (test)")
    assert form.name == "AFAS environment 36480 – administration 1"
    assert form.administration.values[form.administration.index] == "1"
    assert form.payment_terms.values[form.payment_terms.index] == "30"
    assert form.allocation_axis.index == 0


def test_the_active_profile_is_preselected_and_the_confirmation_uses_the_labels():
    active = ConnectionProfile(
        "Holding", ENV.base_url, administration=2, payment_terms="14", allocation_axis=2
    )
    form = ProfileForm.of(CHOICES, active, "ignored")
    assert form.name == "Holding"
    assert [p.index for p in (form.administration, form.payment_terms, form.allocation_axis)] == [1, 0, 1]
    profile = form.profile(ENV, name="Holding", administration="2", payment_terms="14", allocation_axis="2")
    assert (profile.base_url, profile.environment_number, profile.environment_type) == (
        ENV.base_url,
        "36480",
        "test",
    )
    assert (profile.administration, profile.payment_terms, profile.allocation_axis) == (2, "14", 2)
    assert form.saved(profile) == (
        "Saved 'Holding': administration 2 – Demo Diensten B.V., payment terms 14 – 14 dagen, "
        "allocation axis 2 – Kostendrager. Syncs and corrections use these now."
    )


def test_without_payment_terms_or_axes_the_profile_says_none():
    bare = DefaultChoices(administrations=CHOICES.administrations, payment_terms=[], allocation_axes=[])
    form = ProfileForm.of(bare, None, "Demo environment (built-in AFAS emulator)")
    profile = form.profile(ENV, name="Demo", administration="1", payment_terms=None, allocation_axis=None)
    assert (profile.payment_terms, profile.allocation_axis) == (None, None)
    assert "payment terms none, allocation axis none." in form.saved(profile)


def test_a_profile_without_a_name_is_refused_in_words():
    form = ProfileForm.of(CHOICES, None, "Demo environment (built-in AFAS emulator)")
    with pytest.raises(InputError, match="A profile needs a name"):
        form.profile(ENV, name="  ", administration="1", payment_terms="30", allocation_axis="1")


def test_a_picker_reads_an_unknown_value_as_none_and_preselects_the_first():
    picker = Picker.of(CHOICES.payment_terms, "60")
    assert picker.index == 0 and picker.label("60") == "none" and picker.label("14") == "14 – 14 dagen"


def test_saved_profiles_are_those_of_this_environment_the_active_one_first_chosen(tmp_path):
    db = tmp_path / "w.duckdb"
    other = Environment.from_input("11111", "production")
    for name, env in (("Test A", ENV), ("Prod", other), ("Test B", ENV)):
        save_profile(db, ConnectionProfile(name, env.base_url))
    mine = SavedProfiles.of(db, ENV.base_url, ConnectionProfile("Test A", ENV.base_url))
    assert sorted(mine.names) == ["Test A", "Test B"] and mine.names[mine.index] == "Test A"
    assert mine.named("Test B").name == "Test B" and mine.named("Prod") is None
    everyone = SavedProfiles.of(db, ENV.base_url, None, any_environment=True)  # the demo sees all
    assert sorted(everyone.names) == ["Prod", "Test A", "Test B"] and everyone.index == 0
