"""The rules layer imports no Textual: the CLI, imports and scripts can use it headless."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import funnel_tui

# The layering and the sizes of modules: no date enters (.ci/run leaves these out of
# its runs under shifted clocks).
pytestmark = pytest.mark.clock_free


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


def _cycles(package: str) -> list[list[str]]:
    """Every circle of imports in `package` (Tarjan's strongly connected components),
    counting imports made only under TYPE_CHECKING and inside functions too."""
    import grimp

    graph = grimp.build_graph(package, exclude_type_checking_imports=False)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_package_has_no_import_circles():
    assert _cycles("funnel_tui") == []


def test_a_circle_under_type_checking_is_caught(tmp_path, monkeypatch):
    """The check itself can fail, and counts an import made only for type hints."""
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circled.b import helper\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circled.a import helper\n"
        "def helper():\n    return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles("circled") == [["circled.a", "circled.b"]]


def test_no_module_is_too_long_to_read():
    """No module over 900 lines and no class over 600: a newcomer reads one in a sitting."""
    import ast
    from pathlib import Path

    too_long = []
    root = Path(funnel_tui.__file__).parent
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if text.count("\n") > 900:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 600:
                too_long.append(f"{name}: class {node.name}")
    assert too_long == []


def test_every_failure_funnel_foresees_is_a_funnel_error():
    """One hierarchy: no module but core.errors defines a public exception class, so the
    CLI's one `except FunnelError` covers every refusal."""
    import inspect

    from funnel_tui.core import errors

    elsewhere = []
    modules = pkgutil.walk_packages(funnel_tui.__path__, "funnel_tui.")
    for name in [info.name for info in modules if info.name != "funnel_tui.__main__"]:
        if name == "funnel_tui.core.errors":
            continue
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and not attr.startswith("_")
            ):
                elsewhere.append(f"{name}.{attr}")
    assert elsewhere == []
    kinds = [c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, Exception)]
    assert len(kinds) > 15
    assert all(issubclass(kind, errors.FunnelError) for kind in kinds)
