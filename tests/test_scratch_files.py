"""An import's scratch files (the keys of every row checked: e-mail addresses, phones,
names) are private while it runs (a 0700 folder, 0600 files) and gone however it ends:
at its end, on SIGTERM or SIGHUP (the CLI unwinds; the terminal UI stops the import after
the batch in hand), and after SIGKILL at the next import, which sweeps the folders of
processes that are gone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funnel_tui.transfer.scratch import PREFIX, sweep_dead

REPO = Path(__file__).resolve().parent.parent
ROWS = 40_000


def _big_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Email,Phone,Country\n")
        for n in range(ROWS):
            phone = f"+48 512 {n % 1000:03d} {n // 1000:03d}"
            out.write(f"Person {n},person{n}@example.com,{phone},PL\n")
    return path


def _import(tmp_path: Path, csv: Path, scratch: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(scratch), "FUNNEL_USER": "ana"}
    command = [
        sys.executable,
        "-m",
        "funnel_tui",
        "--db",
        str(tmp_path / "team.db"),
        "--create",
        "import",
    ]
    # umask 0: the scratch files are private whatever the umask gives a new file.
    return subprocess.Popen(
        [*command, str(csv)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, umask=0
    )


def _scratch_of(scratch: Path, running: subprocess.Popen) -> Path:
    """The import's scratch folder once its keys file is there (the import under way)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for folder in scratch.glob(f"{PREFIX}*"):
            if (folder / "seen.db").exists():
                return folder
        assert running.poll() is None, running.stderr.read()
        time.sleep(0.02)
    raise AssertionError("the import made no scratch file")


@pytest.fixture
def setting(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    return _big_csv(tmp_path / "big.csv"), scratch


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_stopped_import_leaves_no_scratch_file(tmp_path, setting, sig):
    csv, scratch = setting
    running = _import(tmp_path, csv, scratch)
    folder = _scratch_of(scratch, running)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "seen.db").stat().st_mode & 0o777 == 0o600
    running.send_signal(sig)
    assert running.wait(timeout=30) == 128 + sig
    assert list(scratch.iterdir()) == []


def test_a_killed_imports_scratch_is_swept_by_the_next(tmp_path, setting):
    csv, scratch = setting
    running = _import(tmp_path, csv, scratch)
    folder = _scratch_of(scratch, running)
    running.kill()
    running.wait()
    assert folder.exists()  # SIGKILL cannot be caught
    # A folder of a process still alive (this one's) is left alone.
    alive = scratch / f"{PREFIX}{os.getpid()}-x"
    alive.mkdir()
    small = tmp_path / "small.csv"
    small.write_text("Name,Email\nAnna Nowak,anna@nowak.pl\n", encoding="utf-8")
    again = _import(tmp_path, small, scratch)
    again.wait(timeout=60)
    assert sorted(p.name for p in scratch.iterdir()) == [alive.name]
    assert sweep_dead(scratch) == 0


def test_the_terminal_ui_stopped_mid_import_leaves_no_scratch_file(tmp_path, setting):
    """SIGTERM (a shutdown, a kill) ends the terminal UI as ctrl+q would: the import
    under way stops after the batch in hand, whole, and its scratch folder goes."""
    from funnel_tui.storage.new_database import create_database

    from .terminal import Terminal, funnel_env

    csv, scratch = setting
    database = tmp_path / "team.db"
    create_database(database)  # the team's, made beforehand
    env = funnel_env(tmp_path, str(database), TMPDIR=str(scratch))
    with Terminal(["--screen", "import"], env) as term:
        term.wait_for("Import leads from")
        term.write(str(csv).encode() + b"\r")
        term.wait_for("ctrl+s")
        term.write(b"\x13")  # ctrl+s: import
        deadline = time.monotonic() + 30
        while not list(scratch.glob(f"{PREFIX}*/seen.db")):
            assert time.monotonic() < deadline, term.text()
            term.read(quiet=0.02, limit=0.1)
        os.kill(term.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while term.alive() and time.monotonic() < deadline:
            term.read(quiet=0.1, limit=0.3)
        code = term.close()
        after = bytes(term.output).decode(errors="replace")
    assert "Traceback" not in after, after[-2000:]
    assert code == 128 + signal.SIGTERM
    assert list(scratch.iterdir()) == []
    with sqlite3.connect(database) as db:
        leads = db.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0]
    assert leads < ROWS and leads % 2000 == 0  # whole batches, not the whole file
