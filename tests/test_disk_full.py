"""A disk that fills up, on a real (small tmpfs) file system: a backup, an import and a
capture each say the disk is full and what to do, keep what was typed, and leave nothing
half-written (no file under a backup's name, no half batch, no half lead). Skipped where
this user may not mount a tmpfs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from funnel_tui.cli import main
from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead

from .clock import Clock


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
        said = capsys.readouterr().err
        assert "full" in said and str(disk) in said, said
        assert list(disk.iterdir()) == []  # no part file, no backup


def test_an_import_onto_a_full_disk_stops_whole_and_goes_on_once_there_is_room(tmp_path, capsys):
    rows = tmp_path / "people.csv"
    with rows.open("w", encoding="utf-8") as out:
        out.write("Name,Email,Notes\n")
        for n in range(6000):
            out.write(f"Person {n},person{n}@example.com,{'met at the fair ' * 8}\n")
    with _small_disk(tmp_path / "disk", "48m") as disk:
        database = _team(disk / "team.db", 1)
        filler = _fill(disk, leave=400_000)
        db = ["--db", str(database), "--user", "ana"]
        assert main([*db, "import", str(rows)]) != 0
        said = capsys.readouterr()
        assert "disk is full" in said.err, said.err
        open_database(str(database))
        first = Lead.select().count()
        close_database()
        assert first < 6001 and (first - 1) % 2000 == 0  # whole batches only
        filler.unlink()
        code = main([*db, "import", str(rows)])
        assert code == 0, capsys.readouterr()
        open_database(str(database))
        assert Lead.select().count() == 6001  # the rest, no duplicates


async def test_a_lead_captured_onto_a_full_disk_is_kept_in_the_form(tmp_path):
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.tui.app import FunnelApp

    from .ui_support import SIZE, press_burst, settle

    with _small_disk(tmp_path / "disk", "8m") as disk:
        database = str(_team(disk / "team.db", 3))
        drafts = DraftStore("ana", tmp_path / "drafts")
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
            assert "disk is full" in said, said
            assert app.screen.query_one("#f-name").value == "Jan Kowalski"
            assert app.screen.query_one("#f-email").value == "jan@acme.pl"
        open_database(database)
        assert Lead.select().where(Lead.name == "Jan Kowalski").count() == 0
