"""The Configure page's form as values: what AFAS offers to choose, what starts chosen, and the profile
the chosen values make.

The page reads its widgets and hands their values here; which option is preselected, what a choice
reads as, and what the confirmation says are decided here, where a unit test reaches them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from afas.i18n import tr
from afas.profit.defaults import Choice, DefaultChoices
from afas.profit.environment import Environment
from afas.warehouse.profiles import ConnectionProfile, list_profiles

__all__ = ["Picker", "ProfileForm", "SavedProfiles"]

DEFAULT_PAYMENT_TERMS = "30"
"""Preselected for a new profile when AFAS offers it: the most common Dutch payment term."""


@dataclass(frozen=True)
class Picker:
    """One select box: the values offered, what each reads as, and which one starts chosen."""

    values: list[str]
    labels: dict[str, str]
    index: int

    @classmethod
    def of(cls, choices: Sequence[Choice], current: object) -> Picker:
        """``current`` preselected when it is offered (compared as text), else the first value."""
        values = [c.value for c in choices]
        wanted = None if current is None else str(current)
        index = values.index(wanted) if wanted in values else 0
        return cls(values, {c.value: c.label for c in choices}, index)

    def label(self, value: object) -> str:
        """What ``value`` reads as: its label, 'none' when nothing (or nothing offered) was chosen."""
        return self.labels.get("" if value is None else str(value), tr("none"))


@dataclass(frozen=True)
class ProfileForm:
    """The defaults form for one environment: three pickers and the profile name it suggests."""

    administration: Picker
    payment_terms: Picker
    allocation_axis: Picker
    name: str

    @classmethod
    def of(
        cls, choices: DefaultChoices, active: ConnectionProfile | None, connection_label: str
    ) -> ProfileForm:
        """The form over what AFAS offers, starting from the ``active`` profile (if any). A new profile
        is named after the connection and the first administration ('Demo environment – administration
        1'). ``choices`` must offer an administration: without one there is nothing to configure."""
        admin = Picker.of(choices.administrations, active.administration if active else None)
        if active:
            name = active.name
        else:
            name = tr("{connection} – administration {number}").format(
                connection=connection_label.split(" (")[0], number=admin.values[0]
            )
        return cls(
            admin,
            Picker.of(choices.payment_terms, active.payment_terms if active else DEFAULT_PAYMENT_TERMS),
            Picker.of(choices.allocation_axes, active.allocation_axis if active else None),
            name,
        )

    def profile(
        self,
        environment: Environment,
        *,
        name: str,
        administration: str,
        payment_terms: str | None,
        allocation_axis: str | None,
    ) -> ConnectionProfile:
        """The profile the widgets' values make (an InputError says what is missing)."""
        return ConnectionProfile(
            name=name,
            base_url=environment.base_url,
            environment_number=environment.number,
            environment_type=str(environment.type),
            administration=int(administration),
            payment_terms=payment_terms or None,
            allocation_axis=int(allocation_axis) if allocation_axis else None,
        )

    def saved(self, profile: ConnectionProfile) -> str:
        """The confirmation after saving: what the profile holds, in the labels the user chose from."""
        return tr(
            "Saved '{name}': administration {administration}, payment terms {terms}, allocation axis "
            "{axis}. Syncs and corrections use these now."
        ).format(
            name=profile.name,
            administration=self.administration.label(profile.administration),
            terms=self.payment_terms.label(profile.payment_terms),
            axis=self.allocation_axis.label(profile.allocation_axis),
        )


@dataclass(frozen=True)
class SavedProfiles:
    """The profiles kept for this environment (every one on the demo), the active one preselected."""

    profiles: list[ConnectionProfile]
    index: int

    @classmethod
    def of(
        cls,
        db_path: str | os.PathLike[str],
        base_url: str,
        active: ConnectionProfile | None,
        *,
        any_environment: bool = False,
    ) -> SavedProfiles:
        found = [p for p in list_profiles(db_path) if any_environment or p.base_url == base_url]
        names = [p.name for p in found]
        return cls(found, names.index(active.name) if active is not None and active.name in names else 0)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.profiles]

    def named(self, name: str) -> ConnectionProfile | None:
        return next((p for p in self.profiles if p.name == name), None)
