"""The process an import starts imports only the installed funnel, never a `funnel_tui/`
found in the current folder or on PYTHONPATH.

The attack: a file of 2 MiB or more is checked in a second Python started with
`python -c`, which searches the current folder first; a member who planted a
`funnel_tui/` package in the team folder had it run as whoever imported a large file
from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.transfer.checking import CHILD_FROM_BYTES, check_rows_in_child
from funnel_tui.transfer.importer import run_import
from funnel_tui.transfer.plan import ImportOptions, plan_import

ROWS = 1200
NOTE = "n" * 1800  # a long notes cell: 2 MiB in few rows, so the test stays quick


def plant(folder: Path, marker: Path) -> None:
    """A `funnel_tui` package whose import leaves `marker` behind (and stops there)."""
    package = folder / "funnel_tui"
    (package / "transfer").mkdir(parents=True)
    (package / "__init__.py").write_text(
        f"open({str(marker)!r}, 'w').write('planted code ran')\nraise SystemExit('planted')\n"
    )
    (package / "transfer" / "__init__.py").write_text("")


def big_file(folder: Path) -> Path:
    path = folder / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Email,Notes\n")
        for i in range(ROWS):
            out.write(f"Person {i},p{i}@example.com,{NOTE}\n")
    assert path.stat().st_size >= CHILD_FROM_BYTES  # checked in a second process
    return path


@pytest.fixture
def team(tmp_path) -> tuple[Path, Path]:
    """The team folder with a planted package and a large file; the marker's path."""
    folder = tmp_path / "team"
    folder.mkdir()
    marker = tmp_path / "planted-code-ran"
    plant(folder, marker)
    return folder, marker


def test_the_checking_process_ignores_a_package_planted_in_the_current_folder(
    team, sqlite_path, monkeypatch
):
    folder, marker = team
    source = big_file(folder)
    monkeypatch.chdir(folder)
    # PYTHONPATH naming the folder too: the isolated process reads no PYTHONPATH.
    monkeypatch.setenv("PYTHONPATH", f"{folder}{os.pathsep}.")
    open_database(sqlite_path)
    try:
        rules = Funnel(load_config(), "alice")
        plan = plan_import(source)
        # The second process itself, so that a failure to start it cannot pass unseen.
        chunks = check_rows_in_child(plan, ImportOptions(), rules.config, rules.check_lead)
        rows = sum(len(chunk[0]) for chunk in chunks)
        assert rows == ROWS
        report = run_import(rules, plan, ImportOptions(), parallel=True)
        assert report.counts["inserted"] == ROWS
    finally:
        close_database()
    assert not marker.exists()


def test_funnel_import_run_from_a_planted_folder_uses_the_installed_package(
    team, cli_env, tmp_path
):
    """As a rep runs it: the `funnel` of the virtualenv (the repository installed in
    editable mode), in the team folder."""
    folder, marker = team
    source = big_file(folder)
    funnel = Path(sys.executable).with_name("funnel")
    if not funnel.exists():
        pytest.skip("no funnel script beside this Python (not run from the virtualenv)")
    result = subprocess.run(
        [str(funnel), "import", source.name],
        cwd=folder,
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"{ROWS:,} rows read: {ROWS:,} inserted" in result.stdout
    assert not marker.exists()
