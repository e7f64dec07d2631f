"""The rules layer imports no Textual: the CLI, imports and scripts can use it headless."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import funnel_tui

UI_MODULES = {"funnel_tui.tui"}


def _non_ui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(funnel_tui.__path__, "funnel_tui."):
        if any(info.name == ui or info.name.startswith(ui + ".") for ui in UI_MODULES):
            continue
        if info.name == "funnel_tui.__main__":
            continue
        names.append(info.name)
    return names


def test_rules_layer_modules_are_found():
    names = _non_ui_modules()
    for expected in (
        "funnel_tui.rules.funnel",
        "funnel_tui.storage.database",
        "funnel_tui.storage.models",
        "funnel_tui.core.validators",
        "funnel_tui.read.queries",
        "funnel_tui.cli",
        "funnel_tui.cli.transfer",
        "funnel_tui.cli.reports",
        "funnel_tui.transfer.importer",
        "funnel_tui.transfer.exporter",
        "funnel_tui.transfer.vcards",
    ):
        assert expected in names


def test_rules_layer_imports_no_textual():
    names = _non_ui_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
