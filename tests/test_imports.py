"""Every module of the package imports on its own, in a fresh interpreter: no import
depends on another module having been imported first (a circle closed by an import at
the bottom of a module breaks exactly this)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import funnel_tui

# The parent loads the third-party libraries once (none of funnel_tui), then forks a
# child per module: each child starts with no funnel_tui module loaded, as a fresh
# interpreter would, without paying Textual's 200 ms import a hundred times.
_FORK_EACH = """
import importlib, os, sys
import textual.app, textual.widgets, peewee, phonenumbers, email_validator, rich
assert not any(m.startswith("funnel_tui") for m in sys.modules)
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append(name)
print("FAILED", *failed)
"""


# Which modules import which: no date enters (.ci/run leaves these out of its runs
# under shifted clocks).
pytestmark = pytest.mark.clock_free


def _all_modules() -> list[str]:
    names = ["funnel_tui"]
    for info in pkgutil.walk_packages(funnel_tui.__path__, "funnel_tui."):
        if info.name != "funnel_tui.__main__":
            names.append(info.name)
    return names


def test_every_module_imports_alone():
    names = _all_modules()
    assert "funnel_tui.cli.reports" in names and "funnel_tui.tui.screens.lead" in names
    result = subprocess.run(
        [sys.executable, "-c", _FORK_EACH, *names],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "FAILED", result.stdout


def test_a_module_that_needs_another_first_is_caught(tmp_path):
    """The check itself can fail: a module whose import needs a name another module
    sets up first is reported."""
    package = tmp_path / "circle_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import helper\nVALUE = 1\n")
    (package / "b.py").write_text("from .a import VALUE\n\ndef helper():\n    return VALUE\n")
    result = subprocess.run(
        [sys.executable, "-c", _FORK_EACH, "circle_pkg.b"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert result.stdout.strip().splitlines()[-1] == "FAILED circle_pkg.b", result.stdout
