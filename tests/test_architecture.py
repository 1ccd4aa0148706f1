"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import afas


def test_core_packages_do_not_import_streamlit():
    code = (
        "import sys; import afas.profit.client, afas.profit.readiness, afas.emulator.core, "
        "afas.emulator.server; assert 'streamlit' not in sys.modules, 'streamlit was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_emulator_depends_on_nothing_of_the_app():
    for mod in pkgutil.walk_packages(afas.__path__, "afas."):
        if not mod.name.startswith("afas.emulator"):
            continue
        module = importlib.import_module(mod.name)
        source = open(module.__file__, encoding="utf-8").read()  # noqa: SIM115
        for other in ("afas.profit", "afas.warehouse", "afas.recon", "afas.corrections", "afas.ui"):
            assert f"from {other}" not in source and f"import {other}" not in source, (mod.name, other)


def test_public_modules_declare_all_and_it_resolves():
    for mod in pkgutil.walk_packages(afas.__path__, "afas."):
        if mod.ispkg or mod.name.endswith("__main__"):
            continue
        module = importlib.import_module(mod.name)
        assert hasattr(module, "__all__"), f"{mod.name} has no __all__"
        for name in module.__all__:
            assert hasattr(module, name), f"{mod.name}.__all__ names {name}, which does not exist"


# --- layers and pages, read from the source (ast), lazy imports inside functions included -------------

import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(afas.__file__).resolve().parents[1]

LAYERS = ["profit", "warehouse", "recon", "corrections", "close", "ui", "cli"]
"""afas's packages from the bottom up: each imports only those below it (and afas.errors, afas.i18n,
afas.catalogue, which import nothing of the app but each other). The emulator stands apart: the app's
AFAS, not part of it."""

FOUNDATION = ("afas.errors", "afas.i18n", "afas.catalogue")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_each_package_imports_only_the_layers_below_it():
    wrong = []
    for path in (ROOT / "afas").rglob("*.py"):
        parts = path.relative_to(ROOT / "afas").parts
        package = parts[0] if len(parts) > 1 else None
        for name in _imports(path):
            if not name.startswith("afas.") or name in FOUNDATION:
                continue
            target = name.split(".")[1]
            if package is None:  # afas/errors.py, i18n.py, catalogue.py, __main__.py
                if path.stem != "__main__":
                    wrong.append(f"{path.name} imports {name}")
            elif target == package or package == "emulator":
                continue
            elif target == "emulator":
                if package not in ("ui", "cli"):  # the embedded demo is started by the app's shell only
                    wrong.append(f"afas.{package} ({path.name}) imports {name}")
            elif package in LAYERS and target in LAYERS and LAYERS.index(target) > LAYERS.index(package):
                wrong.append(f"afas.{package} ({path.name}) imports {name}, a layer above it")
    assert not wrong, wrong


def test_only_the_ui_layer_and_the_pages_import_streamlit():
    wrong = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "afas").rglob("*.py")
        if path.relative_to(ROOT / "afas").parts[0] != "ui"
        and any(n == "streamlit" or n.startswith("streamlit.") for n in _imports(path))
    ]
    assert not wrong, wrong


_SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+\S+\s+SET\b|"
    r"\b(CREATE|DROP|ALTER)\s+(TABLE|VIEW|INDEX|SEQUENCE)\b"
)  # SQL as we write it (keywords in capitals), not the English words "Select" or "Delete"


def test_pages_only_render():
    """No page queries the warehouse, builds SQL or catches an error itself: that is afas's work
    (unit-tested there) and app.py's (errors shown in one place; afas.ui.errors.shown_here where a page
    goes on after a failed action)."""
    wrong = []
    for path in sorted((ROOT / "views").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if "duckdb" in _imports(path):
            wrong.append(f"{path.name} imports duckdb")
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Try):
                wrong.append(f"{where} has a try block")
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
                wrong.append(f"{where} asks isinstance (a decision for afas)")
            elif isinstance(node, ast.Attribute) and node.attr in ("execute", "sql", "executemany"):
                wrong.append(f"{where} runs a query (.{node.attr})")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
                wrong.append(f"{where} holds SQL text")
    assert not wrong, wrong


def test_no_page_is_longer_than_a_reader_takes_in():
    long = {p.name: n for p in (ROOT / "views").glob("*.py") if (n := len(p.read_text().splitlines())) > 200}
    assert not long, f"pages over 200 lines (split a section into afas.ui): {long}"
