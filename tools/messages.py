"""Bring the Dutch catalogue (afas/locale/nl/LC_MESSAGES/afas.po) up to date with the code.

Usage::

    python tools/messages.py           # add the new texts (untranslated), drop the unused ones
    python tools/messages.py --check   # exit 1 when a text lacks its Dutch or the catalogue is stale
    python tools/messages.py --dutch nl.json   # also fill in the Dutch given in a JSON file

The JSON file maps an English text to its Dutch: ``{"Sync now": "Nu ophalen"}``; a text worded for
a context (ptr) is keyed ``"context\u0004English"`` (gettext's separator), and a plural (ntr) by its
singular, with the two Dutch forms as a list. Several runs at once (translators working side by
side) take turns on the catalogue.

The texts are what the code marks with afas.i18n's tr / ntr / ptr (babel's extractor reads them
from afas/, views/ and app.py) and every label of afas.catalogue. A translation already in the
catalogue is kept; a new text gets an empty one, to be filled in (a text without Dutch fails the
check and tests/test_i18n.py).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from afas.catalogue import CONTEXTS, LABELS  # noqa: E402
from afas.i18n import CATALOGUE, KEYWORDS  # noqa: E402

SOURCES = ("afas", "views", "app.py")

Key = tuple[str | None, str]  # (context, English text)

HEADER = """\
# The Dutch texts of the AFAS Profit reconciliation dashboard: the English text of the code is the
# msgid (afas/i18n.py). Update with `python tools/messages.py`, then fill in the empty msgstr."""


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if "emulator" not in f.relative_to(ROOT).parts]


def marked() -> dict[Key, tuple[str | None, list[tuple[str, int]]]]:
    """(context, text) -> (its plural, where it is) of every text the code marks or labels."""
    found: dict[Key, tuple[str | None, list[tuple[str, int]]]] = {}

    def add(key: Key, plural: str | None, where: tuple[str, int]) -> None:
        known = found.setdefault(key, (plural, []))
        known[1].append(where)

    for path in _python_files():
        rel = str(path.relative_to(ROOT))
        for lineno, message, _comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, strip_comment_tags=True
        ):
            if isinstance(message, tuple):
                add((context, message[0]), message[1], (rel, lineno))
            else:
                add((context, message), None, (rel, lineno))
    for vocabulary in LABELS.values():
        for text in vocabulary.values():
            add((None, text), None, ("afas/catalogue.py", 0))
    for context, vocabularies in CONTEXTS.items():
        for vocabulary in vocabularies.values():
            for text in vocabulary.values():
                add((context, text), None, ("afas/catalogue.py", 0))
    return found


def read_catalogue(path: Path = CATALOGUE) -> Catalog:
    if not path.exists():
        return Catalog(locale="nl", project="afas", domain="afas")
    with path.open("rb") as fh:
        return read_po(fh, locale="nl")


def updated(current: Catalog) -> Catalog:
    """The catalogue with exactly the texts the code has, the known translations kept."""
    known = {(m.context, m.id[0] if isinstance(m.id, tuple | list) else m.id): m for m in current if m.id}
    new = Catalog(
        locale="nl",
        domain="afas",
        header_comment=HEADER,
        project="AFAS Profit reconciliation",
        version="1",
        copyright_holder="the afas project",
        language_team="Nederlands",
        last_translator="the afas project",
        msgid_bugs_address="the issue tracker",
        charset="utf-8",
        fuzzy=False,
        creation_date=current.creation_date,
        revision_date=current.creation_date,
    )
    for (context, text), (plural, places) in sorted(
        marked().items(), key=lambda kv: (kv[0][1], kv[0][0] or "")
    ):
        old = known.get((context, text))
        msgid: str | tuple[str, str] = (text, plural) if plural else text
        if old is not None and bool(plural) == isinstance(old.string, tuple | list):
            string = old.string
        else:
            string = ("", "") if plural else ""
        new.add(msgid, string, locations=[p for p in places if p[1]], context=context)
    return new


def _fields(text: str) -> set[str]:
    """The {names} str.format fills in: the Dutch must have the same, or formatting it fails."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def problems(catalog: Catalog) -> list[str]:
    """What the check reports: texts without Dutch, and texts the code no longer has."""
    out: list[str] = []
    wanted = marked()
    have = {}
    for m in catalog:
        if not m.id:
            continue
        key = (m.context, m.id[0] if isinstance(m.id, tuple | list) else m.id)
        have[key] = m
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if key in wanted and (m.fuzzy or not all(strings)):
            out.append(f"no Dutch for {key[1]!r}" + (f" (context {key[0]})" if key[0] else ""))
        elif any(_fields(s) != _fields(key[1]) for s in strings):
            out.append(f"the Dutch of {key[1]!r} names other {{fields}} than the English")
    for key, (_plural, places) in wanted.items():
        if key not in have:
            where = ", ".join(f"{f}:{n}" for f, n in places[:3])
            out.append(f"not in the catalogue: {key[1]!r} ({where})")
    for key in have:
        if key not in wanted:
            out.append(f"in the catalogue but used nowhere: {key[1]!r}")
    return out


def given_dutch(catalog: Catalog, translations: dict[str, str | list[str]]) -> list[str]:
    """Fill in the Dutch of ``translations`` (see the module's doc); returns the English texts that
    are not in the catalogue (not marked in the code, or misspelt)."""
    unknown = []
    for key, dutch in translations.items():
        context, _, text = key.rpartition("\x04")
        message = catalog.get(text, context=context or None)
        if message is None:
            unknown.append(key.replace("\x04", " | "))
            continue
        message.string = tuple(dutch) if isinstance(dutch, list) else dutch
        message.flags.discard("fuzzy")
    return unknown


def _write(catalog: Catalog) -> None:
    """Write the catalogue whole or not at all (a temporary file, renamed over it)."""
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    partial = CATALOGUE.with_suffix(".po.partial")
    with partial.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=False, include_lineno=False)
    os.replace(partial, CATALOGUE)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--dutch", type=Path, action="append", default=[], help="a JSON file of translations")
    args = ap.parse_args()
    if args.check:
        found = problems(read_catalogue())
        for line in found:
            print(line)
        return 1 if found else 0
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    with (CATALOGUE.parent / ".messages.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one update at a time: none loses another's translations
        fresh = updated(read_catalogue())
        for path in args.dutch:
            for text in given_dutch(fresh, json.loads(path.read_text(encoding="utf-8"))):
                print(f"{path}: not marked in the code: {text!r}")
        _write(fresh)
    missing = problems(fresh)
    print(f"{CATALOGUE.relative_to(ROOT)}: {len(fresh)} texts, {len(missing)} without Dutch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
