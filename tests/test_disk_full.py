"""A disk that fills up, on a real (small tmpfs) file system: a backup, an import and a
capture each say which disk is full and what to do (one message: "the disk holding X is
full: free some space and try again"), keep what was typed, and leave nothing
half-written (no file under a backup's name, no half batch, no half lead). An import
with no room for its scratch files says which temporary folder and the way round
(TMPDIR). Skipped where this user may not mount a tmpfs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from funnel_tui.cli import main
from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import History, Lead

from .clock import Clock

REPO = Path(__file__).resolve().parent.parent


def _full(path: Path) -> str:
    return f"the disk holding {path} is full: free some space and try again"


@contextlib.contextmanager
def _small_disk(where: Path, size: str):
    where.mkdir()
    made = subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size={size}",
            f"funnel-test-{uuid.uuid4().hex[:6]}",
            str(where),
        ],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield where
    finally:
        close_database()
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path, leave: int = 0) -> Path:
    """A file taking the disk's room but `leave` bytes."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\1" * 4096):
            pass
    except OSError:  # the disk is full
        pass
    finally:
        os.close(fd)
    if leave:
        with filler.open("r+b") as out:
            out.truncate(max(0, filler.stat().st_size - leave))
    return filler


def _team(path: Path, leads: int) -> Path:
    open_database(str(path))
    rules = Funnel(load_config(), "ana", Clock())
    for n in range(leads):
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"})
    close_database()
    return path


def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_backup(tmp_path, capsys):
    database = _team(tmp_path / "team.db", 300)
    with _small_disk(tmp_path / "usb", "64k") as disk:
        assert main(["--db", str(database), "backup", str(disk)]) == 1
        assert capsys.readouterr().err == f"funnel: {_full(disk)}\n"
        assert list(disk.iterdir()) == []  # no part file, no backup


def test_an_import_onto_a_full_disk_stops_whole_and_goes_on_once_there_is_room(tmp_path, capsys):
    rows = tmp_path / "people.csv"
    with rows.open("w", encoding="utf-8") as out:
        out.write("Name,Email,Notes\n")
        for n in range(6000):
            out.write(f"Person {n},person{n}@example.com,{'met at the fair ' * 8}\n")
    with _small_disk(tmp_path / "disk", "48m") as disk:
        database = _team(disk / "team.db", 1)
        filler = _fill(disk, leave=1_500_000)
        db = ["--db", str(database), "--user", "ana"]
        assert main([*db, "import", str(rows)]) == 1
        said = capsys.readouterr()
        open_database(str(database))
        first = Lead.select().count()
        close_database()
        assert first < 6001 and (first - 1) % 2000 == 0  # whole batches only
        # The counts say what went in; the message which disk, what to do, and where the
        # import stopped.
        assert f"{first - 1:,} inserted" in said.out, said.out
        assert f"the database refused a batch ({_full(database)})" in said.err, said.err
        assert f"the rows before row {first + 1:,} are in" in said.err
        filler.unlink()
        assert main([*db, "import", str(rows)]) == 0, capsys.readouterr()
        assert f"{6001 - first:,} inserted, {first - 1:,} duplicates" in capsys.readouterr().out
        open_database(str(database))
        assert Lead.select().count() == 6001  # the rest, no duplicates


def test_a_command_line_capture_onto_a_full_disk_says_so_and_writes_nothing(tmp_path, capsys):
    """A disk with no room at all: SQLite cannot even make the -shm file it reads through
    ("disk I/O error"), which is said as the full disk it is."""
    with _small_disk(tmp_path / "disk", "2m") as disk:
        database = _team(disk / "team.db", 1)
        filler = _fill(disk)
        db = ["--db", str(database), "--user", "ana"]
        assert main([*db, "add", "--name", "Jan Kowalski", "--email", "jan@acme.pl"]) == 1
        assert capsys.readouterr().err == f"funnel: database: {_full(database)}\n"
        filler.unlink()
        assert main([*db, "add", "--name", "Jan Kowalski", "--email", "jan@acme.pl"]) == 0
        open_database(str(database))
        assert Lead.select().count() == 2


async def test_a_lead_captured_onto_a_full_disk_is_kept_in_the_form(tmp_path):
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.tui.app import FunnelApp

    from .ui_support import SIZE, press_burst, settle

    with _small_disk(tmp_path / "disk", "8m") as disk:
        database = str(_team(disk / "team.db", 3))
        open_database(database)
        written = History.select().count()
        close_database()
        # The drafts on the same disk, as the data folder usually is: no room for them
        # either, which is said, and the app goes on.
        drafts = DraftStore("ana", disk / "drafts")
        app = FunnelApp(
            config=load_config(), target=database, user="ana", drafts=drafts, clock=Clock()
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            _fill(disk)
            await press_burst(pilot, "Jan Kowalski", "tab", "Acme", "tab", "tab", "jan@acme.pl")
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = str(app.screen.query_one("#outcome").render())
            assert said == (
                f"✘ Could not save ({_full(database)}). Everything typed is kept: ctrl+s "
                "tries again."
            )
            assert app.screen.query_one("#f-name").value == "Jan Kowalski"
            assert app.screen.query_one("#f-company").value == "Acme"
            assert app.screen.query_one("#f-email").value == "jan@acme.pl"
            await pilot.pause(0.6)  # past the typing pause: the draft is tried
            told = [str(n.message) for n in app._notifications]
            assert f"Could not keep a draft of what you type: {_full(disk / 'drafts')}" in told
            assert app.is_running
        open_database(database)
        assert Lead.select().where(Lead.name == "Jan Kowalski").count() == 0
        assert History.select().count() == written  # nothing of it, not even its history


def _people(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("Name,Email,Phone,Country\n")
        for n in range(rows):
            out.write(
                f"Person {n},person{n}@example.com,+48 512 {n % 1000:03d} {n // 1000:03d},PL\n"
            )
    return path


def _no_scratch_room(disk: Path) -> str:
    return (
        f"the temporary folder {disk} is full: an import keeps its scratch files there while "
        "it runs; free some space there, or point TMPDIR at a folder with room, and import "
        "again"
    )


# 300 rows are checked in this process; 40,000 (over 2 MB) in a second one as well.
@pytest.mark.parametrize("rows", [300, 40_000])
def test_an_import_with_no_room_for_its_scratch_files_says_where(
    tmp_path, capsys, monkeypatch, rows
):
    database = _team(tmp_path / "team.db", 1)
    people = _people(tmp_path / "people.csv", rows)
    with _small_disk(tmp_path / "tmp", "64k") as scratch:
        monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # as TMPDIR would
        filler = _fill(scratch)
        assert main(["--db", str(database), "--user", "ana", "import", str(people)]) == 1
        said = capsys.readouterr()
        assert said.err == f"funnel: {_no_scratch_room(scratch)}; nothing was written\n"
        assert "0 rows read" in said.out
        assert sorted(scratch.iterdir()) == [filler]  # its scratch folder gone
    open_database(str(database))
    assert Lead.select().count() == 1


def test_standard_input_with_no_room_for_its_copy_says_where(tmp_path):
    database = _team(tmp_path / "team.db", 1)
    people = _people(tmp_path / "people.csv", 3000)
    with _small_disk(tmp_path / "tmp", "64k") as scratch:
        # Room for Python's look at TMPDIR (it passes over a folder it cannot write in),
        # not for the file's copy.
        filler = _fill(scratch, leave=8192)
        env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(scratch)}
        command = [sys.executable, "-m", "funnel_tui", "--db", str(database), "import", "-"]
        with people.open("rb") as stdin:
            done = subprocess.run(command, env=env, stdin=stdin, capture_output=True, text=True)
        assert done.returncode == 1
        assert done.stderr == f"funnel: {_no_scratch_room(scratch)}\n"
        assert sorted(scratch.iterdir()) == [filler]


def test_a_full_disk_is_told_from_other_failures_however_it_is_said():
    """The system's ENOSPC and EDQUOT, SQLite's SQLITE_FULL (inside Peewee's wrapping)
    and PostgreSQL's disk_full are a full disk; a bare I/O error is one only on a disk
    with no room (no_room), and a lock is not one."""
    import errno
    import sqlite3

    import peewee

    from funnel_tui.core.full_disk import full_at, is_full

    class PgDiskFull(Exception):
        pgcode = "53100"

    assert is_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_full(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert is_full(peewee.OperationalError(sqlite3.OperationalError("database or disk is full")))
    assert is_full(peewee.OperationalError(PgDiskFull('could not extend file "base/1/2"')))
    io_error = peewee.OperationalError(sqlite3.OperationalError("disk I/O error"))
    assert not is_full(io_error) and not full_at(io_error, Path.cwd())  # room here
    assert not is_full(peewee.OperationalError("database is locked"))


def test_an_export_onto_a_full_disk_says_so_and_leaves_the_old_file(tmp_path, capsys):
    database = _team(tmp_path / "team.db", 300)
    with _small_disk(tmp_path / "usb", "64k") as disk:
        old = disk / "leads.csv"
        old.write_text("last week's export\n", encoding="utf-8")
        filler = _fill(disk)
        assert main(["--db", str(database), "export", "-o", str(old)]) == 1
        assert capsys.readouterr().err == f"funnel: output: {_full(disk)}\n"
        assert sorted(disk.iterdir()) == [filler, old]  # no part file left
        assert old.read_text(encoding="utf-8") == "last week's export\n"
