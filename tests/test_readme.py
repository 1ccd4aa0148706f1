"""The README's administrator sections, English and Dutch, name every connector the dashboard checks
and say what it is used for in the words the readiness check uses (afas.profit.connectors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from afas.i18n import Language, tr, using
from afas.profit.connectors import GET_CONNECTORS, UPDATE_CONNECTORS

README = Path(__file__).resolve().parents[1] / "README.md"

SECTIONS = {
    Language.EN: "## For the AFAS administrator: connecting Profit",
    Language.NL: "## Voor de AFAS-beheerder: Profit koppelen (Nederlands)",
}


def _rows(language: Language) -> dict[str, str]:
    """Connector -> what the section's tables say it is used for."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTIONS[language])
    section = text[start : text.index("\n## ", start + 1)]
    return dict(re.findall(r"^\| ((?:Profit|Kn|Fi)\w+) \| ([^|]+?) \|$", section, flags=re.MULTILINE))


@pytest.mark.parametrize("language", list(Language))
def test_the_administrator_section_lists_every_connector_with_its_purpose_in_its_language(language):
    rows = _rows(language)
    wanted = [c for c in GET_CONNECTORS if not c.custom] + list(UPDATE_CONNECTORS)
    assert sorted(rows) == sorted(c.id for c in wanted)
    with using(language):
        for connector in wanted:
            assert rows[connector.id].startswith(tr(connector.purpose)), connector.id


def test_the_dutch_section_names_profits_dutch_menus():
    text = README.read_text(encoding="utf-8")
    dutch = text[text.index(SECTIONS[Language.NL]) :]
    for menu in (
        "Algemeen > Beheer > App connector",
        "Algemeen > Beheer > Autorisatietool",
        "Gebruikerstokens",
    ):
        assert menu in dutch
