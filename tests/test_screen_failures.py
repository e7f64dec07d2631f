"""Screens leave what goes wrong to one policy (tui/workers.py, tui/failures.py).

Two screens caught every exception around their save and showed it as a failed save,
so a bug passed for a database hiccup while the other screens crashed on it: the same
failure, two outcomes. A screen, a dialog or the behaviour screens share catches only
what it can say something about; everything else goes to the workers' one policy."""

from __future__ import annotations

import ast
from pathlib import Path

import funnel_tui

UI = Path(funnel_tui.__file__).parent / "tui"
FOLDERS = ("screens", "dialogs", "actions")
CATCH_ALL = {"Exception", "BaseException"}


def _catch_alls(path: Path, root: Path = UI) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ExceptHandler):
            continue
        caught = node.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if caught is None or any(isinstance(n, ast.Name) and n.id in CATCH_ALL for n in names):
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_ui_folders_are_found():
    for folder in FOLDERS:
        assert list((UI / folder).glob("*.py")), folder


def test_no_screen_catches_every_exception():
    found = [
        hit for folder in FOLDERS for p in (UI / folder).glob("*.py") for hit in _catch_alls(p)
    ]
    assert found == []


def test_the_check_finds_a_catch_all(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("try:\n    pass\nexcept (ValueError, Exception):\n    pass\n")
    assert _catch_alls(sample, tmp_path) == ["sample.py:3"]
    sample.write_text("try:\n    pass\nexcept ValueError:\n    pass\n")
    assert _catch_alls(sample, tmp_path) == []
