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
