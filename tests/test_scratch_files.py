"""An import's scratch files (the keys of every row checked: e-mail addresses, phones,
names) are private while it runs (a 0700 folder, 0600 files) and gone however it ends:
at its end, on SIGTERM or SIGHUP (the CLI unwinds), and after SIGKILL at the next import,
which sweeps the folders of processes that are gone."""

from __future__ import annotations

import os
import signal
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
    return subprocess.Popen(
        [*command, str(csv)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
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
