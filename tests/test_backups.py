"""Backups and restores on real files: a backup taken while three processes keep adding
leads holds every lead acknowledged before it began; a backup killed at random moments
never leaves a file under a backup's name; a damaged backup is refused; a restore over
a database others have open is refused unless forced, and keeps the file it replaces.
PostgreSQL's dump and restore run against the server the tests start."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from funnel_tui.cli import main
from funnel_tui.config import load_config
from funnel_tui.core.errors import BackupError
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import backups
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, Presence

from .clock import Clock

REPO = Path(__file__).resolve().parent.parent


def _database(path: Path, leads: int = 5) -> Path:
    open_database(str(path))
    rules = Funnel(load_config(), "ana", Clock())
    for n in range(leads):
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"})
    close_database()
    return path


def _leads(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute('SELECT "name" FROM "lead"')}


def test_a_backup_is_a_checked_copy_beside_the_database_with_its_access(tmp_path, capsys):
    database = _database(tmp_path / "team.db")
    os.chmod(database, 0o660)
    assert main(["--db", str(database), "backup"]) == 0
    said = capsys.readouterr().out
    (made,) = (tmp_path / "backups").iterdir()
    assert made.name.startswith("team-") and made.suffix == ".db"
    assert f"backed up to {made} (" in said and "5 leads), checked" in said
    assert _leads(made) == _leads(database)
    assert made.stat().st_mode & 0o777 == 0o660
    # One self-contained file: not in WAL mode, nothing beside it, no part file left.
    with sqlite3.connect(made) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [made.name]

    assert main(["--db", str(database), "backup", "--list", "--format", "json"]) == 0
    import json

    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["path"] == str(made) and listed["leads"] == 5
    assert listed["taken_at"].endswith("Z") and listed["size"] == made.stat().st_size


def test_a_backup_goes_where_it_is_told_and_never_over_its_database(tmp_path, capsys):
    database = _database(tmp_path / "team.db")
    assert main(["--db", str(database), "backup", str(tmp_path / "copy.db")]) == 0
    assert _leads(tmp_path / "copy.db") == _leads(database)
    folder = tmp_path / "nightly"
    folder.mkdir()
    assert main(["--db", str(database), "backup", str(folder)]) == 0
    assert len(list(folder.glob("team-*.db"))) == 1
    capsys.readouterr()
    assert main(["--db", str(database), "backup", str(database)]) == 1
    assert "cannot be written over the database it copies" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "none.db"), "backup"]) == 1
    assert "not a database file" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_the_list_says_when_there_are_none_and_reads_in_german(tmp_path, capsys):
    database = _database(tmp_path / "team.db")
    assert main(["--db", str(database), "backup", "--list"]) == 0
    assert "no backups yet" in capsys.readouterr().out
    backups.backup_sqlite(database, now=dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC))
    assert main(["--lang", "de", "--db", str(database), "backup", "--list"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["erstellt", "Größe", "Leads", "Datei"]
    assert "04.12.2026" in table and "team-20261204T083000Z.db" in table


WRITER = """
import sys, time
from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import open_database
open_database(sys.argv[1])
rules = Funnel(load_config(), "writer" + sys.argv[2])
for n in range(100000):
    rules.capture_lead({"name": f"w{sys.argv[2]}-{n}", "email": f"w{sys.argv[2]}.{n}@example.com"})
    print(f"w{sys.argv[2]}-{n} {time.monotonic()}", flush=True)
"""


def _count(path) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as raw:
        return raw.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0]


def test_a_backup_taken_while_three_processes_write_holds_every_acknowledged_lead(tmp_path):
    database = _database(tmp_path / "busy.db", leads=200)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), str(n)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(3)
    ]
    try:
        # All three writing: however long their start takes on a loaded machine.
        deadline = time.monotonic() + 60
        while _count(database) < 200 + 9 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        began = time.monotonic()
        made = backups.backup_sqlite(database, tmp_path / "during.db")
        ended = time.monotonic()
        time.sleep(0.5)  # and still writing after it
    finally:
        for writer in writers:
            writer.send_signal(signal.SIGTERM)
    acknowledged = {}
    for writer in writers:
        out, _err = writer.communicate(timeout=30)
        for line in out.splitlines():
            name, at = line.split()
            acknowledged[name] = float(at)
    before = {name for name, at in acknowledged.items() if at < began}
    after = {name for name, at in acknowledged.items() if at > ended}
    assert len(before) >= 3, "the writers wrote nothing before the backup"
    held = _leads(made)
    assert before <= held
    assert after and not after & held  # a moment's copy: nothing written after it
    backups.check_file(made)
    # The copy opens as a funnel database and its leads are all there.
    restored = tmp_path / "restored.db"
    backups.restore_sqlite(made, restored)
    open_database(str(restored))
    try:
        assert Lead.select().count() == len(held)
    finally:
        close_database()


def test_a_backup_killed_at_any_moment_leaves_no_file_under_a_backups_name(tmp_path):
    database = tmp_path / "big.db"
    _database(database, leads=0)
    open_database(str(database))
    from funnel_tui.demo.generator import generate_demo

    generate_demo(open_database(str(database)), load_config(), leads=4000, seed=3, user="ana")
    close_database()
    folder = tmp_path / "backups"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "funnel_tui", "--db", str(database), "backup"]
    start = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    whole = time.monotonic() - start  # one run from start to the rename
    for path in folder.iterdir():
        path.unlink()
    chance = random.Random(24)
    for _run in range(20):
        running = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        time.sleep(chance.uniform(0, whole))
        running.send_signal(signal.SIGKILL)
        running.wait()
        for path in folder.iterdir() if folder.exists() else ():
            if path.name.startswith("."):
                continue  # a part file of the killed run: hidden, never a backup's name
            backups.check_file(path)  # a file under a backup's name is a whole backup
    named = [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.exists() else []
    assert all(backups.check_file(p) == 4000 for p in named)


def test_a_damaged_backup_is_refused_and_the_database_left_alone(tmp_path, capsys):
    database = _database(tmp_path / "team.db")
    damaged = tmp_path / "damaged.db"
    whole = backups.backup_sqlite(database, tmp_path / "whole.db").read_bytes()
    damaged.write_bytes(whole[: len(whole) // 2] + b"\x00" * 4096 + whole[len(whole) // 2 + 4096 :])
    before = database.read_bytes()
    assert main(["--db", str(database), "restore", str(damaged)]) == 1
    assert "damaged" in capsys.readouterr().err
    assert database.read_bytes() == before
    (tmp_path / "text.db").write_text("not a database at all")
    assert main(["--db", str(database), "restore", str(tmp_path / "text.db")]) == 1
    assert "damaged" in capsys.readouterr().err


def test_a_restore_over_a_database_in_use_is_refused_unless_forced(tmp_path, capsys):
    database = _database(tmp_path / "team.db", leads=3)
    made = backups.backup_sqlite(database, tmp_path / "three.db")
    open_database(str(database))
    rules = Funnel(load_config(), "ana", Clock())
    rules.capture_lead({"name": "Added later", "email": "later@example.com"})
    Presence.insert(
        instance="host:1:abc",
        login="bob",
        host="elsewhere",
        seen_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    ).execute()
    close_database()
    assert main(["--db", str(database), "restore", str(made)]) == 1
    assert "bob have funnel open on" in capsys.readouterr().err
    assert "Added later" in _leads(database)

    assert main(["--db", str(database), "restore", str(made), "--force"]) == 0
    said = capsys.readouterr().out
    (kept,) = tmp_path.glob("team.db.replaced-*")
    assert f"kept as {kept}" in said
    assert "Added later" not in _leads(database) and "Added later" in _leads(kept)
    open_database(str(database))  # opens as funnel's, with the backup's leads
    try:
        assert Lead.select().count() == 3
    finally:
        close_database()


def test_a_restore_into_another_file_leaves_the_database_alone(tmp_path, capsys):
    database = _database(tmp_path / "team.db", leads=2)
    made = backups.backup_sqlite(database, tmp_path / "two.db")
    other = tmp_path / "elsewhere" / "copy.db"
    assert main(["--db", str(database), "restore", str(made), "--to", str(other)]) == 0
    assert _leads(other) == _leads(database)
    assert not list(tmp_path.glob("*.replaced-*"))


def test_a_servers_database_is_dumped_and_restored(pg_server, tmp_path, capsys):
    from .conftest import PG_TEST_DB, _reset_pg

    _reset_pg(pg_server)
    url = pg_server.url(PG_TEST_DB)
    open_database(url)
    rules = Funnel(load_config(), "ana", Clock())
    rules.capture_lead({"name": "Server lead", "email": "server@example.com"})
    close_database()
    assert main(["--db", url, "backup", str(tmp_path)]) == 0
    (dump,) = tmp_path.glob("*.dump")
    assert "backed up to" in capsys.readouterr().out
    open_database(url)
    Lead.delete().execute()
    close_database()
    assert main(["--db", url, "restore", str(dump)]) == 0
    open_database(url)
    try:
        assert [lead.name for lead in Lead.select()] == ["Server lead"]
    finally:
        close_database()


def test_a_servers_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="postgresql-client"):
        backups.backup_postgres("postgresql://u@localhost/x", tmp_path)


# ------------------------------------------------------------------ automatic backups

DAY = dt.timedelta(days=1)
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)


def _named(folder: Path, moment: dt.datetime) -> backups.BackupFile:
    path = folder / backups.backup_name("team", moment)
    return backups.BackupFile(path, backups.taken_at(path), 0, None)


def test_the_newest_of_each_recent_day_and_week_is_kept(tmp_path):
    # Two backups a day for 40 days, and one file of someone else's.
    found = [
        _named(tmp_path, START + n * DAY + h)
        for n in range(40)
        for h in (dt.timedelta(0), dt.timedelta(hours=8))
    ]
    found.append(backups.BackupFile(tmp_path / "mine.db", None, 0, None))
    gone = {b.path for b in backups.keep_to(found, daily=7, weekly=4)}
    kept = sorted(b.taken_at for b in found if b.taken_at and b.path not in gone)
    last = START + 39 * DAY + dt.timedelta(hours=8)
    days = [last - n * DAY for n in range(7)]
    # The newest of each of the four latest ISO weeks (the newest week's is the last).
    weeks = {}
    for b in found:
        if b.taken_at:
            key = b.taken_at.isocalendar()[:2]
            weeks[key] = max(weeks.get(key, b.taken_at), b.taken_at)
    newest_weeks = sorted(weeks.values())[-4:]
    assert kept == sorted(set(days) | set(newest_weeks))
    assert tmp_path / "mine.db" not in gone  # never funnel's to delete


def test_an_instance_makes_the_days_backup_once_and_trims_the_old(tmp_path):
    from funnel_tui.config.settings import BackupPolicy
    from funnel_tui.live.daily_backup import backup_if_due

    database = _database(tmp_path / "team.db")
    policy = BackupPolicy(automatic=True, every_hours=24, keep_daily=2, keep_weekly=0)
    first = backup_if_due(str(database), policy, START)
    assert first is not None and backups.check_file(first) == 5
    assert backup_if_due(str(database), policy, START + dt.timedelta(hours=23)) is None
    second = backup_if_due(str(database), policy, START + DAY)
    third = backup_if_due(str(database), policy, START + 2 * DAY)
    assert second and third
    names = sorted(p.name for p in (tmp_path / "backups").glob("team-*.db"))
    assert names == [second.name, third.name]  # two days kept, the first gone
    off = BackupPolicy(automatic=False)
    assert backup_if_due(str(database), off, START + 9 * DAY) is None
    assert backup_if_due("postgresql://u@localhost/x", policy, START + 9 * DAY) is None


def test_two_instances_never_make_it_at_once(tmp_path):
    import fcntl

    database = _database(tmp_path / "team.db")
    folder = tmp_path / "backups"
    folder.mkdir()
    holder = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another instance is making it
    try:
        assert backups.auto_backup(database, DAY, 7, 4, START) is None
    finally:
        os.close(holder)
    assert backups.auto_backup(database, DAY, 7, 4, START) is not None


async def test_the_terminal_ui_makes_the_days_backup_in_the_background(tmp_path, monkeypatch):
    from funnel_tui.live.drafts import DraftStore
    from funnel_tui.tui import app as app_module
    from funnel_tui.tui.app import FunnelApp

    from .ui_support import SIZE, settle

    database = _database(tmp_path / "team.db")
    app = FunnelApp(
        config=load_config(),
        target=str(database),
        user="ana",
        drafts=DraftStore("ana", tmp_path / "drafts"),
        clock=Clock(),
    )
    # The backup waits a while after the first screen (not to share its paints): not in
    # a test.
    monkeypatch.setattr(app_module, "BACKUP_AFTER_SECONDS", 0.01)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.startup_done()  # as the timer after the first screen does
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
    close_database()
    (made,) = (tmp_path / "backups").glob("team-*.db")
    assert backups.check_file(made) == 5


def test_demo_data_is_never_mixed_into_a_teams_database_unasked(tmp_path, capsys):
    database = _database(tmp_path / "team.db", leads=2)
    assert main(["--db", str(database), "demo", "--leads", "5"]) == 1
    said = capsys.readouterr().err
    assert "already holds 2 leads: demo data would be mixed in" in said
    assert "--into-existing" in said
    assert len(_leads(database)) == 2
    assert main(["--db", str(database), "demo", "--leads", "5", "--into-existing"]) == 0
    assert len(_leads(database)) == 7
    assert main(["--db", str(tmp_path / "fresh.db"), "demo", "--leads", "5"]) == 0


def test_a_sqlite_url_names_the_file_peewee_opens():
    """sqlite:///team.db is team.db where funnel runs, sqlite:////srv/team.db absolute:
    a backup and a restore look at the file the database was opened from."""
    from playhouse import db_url

    for url in ("sqlite:///team.db", "sqlite:////srv/funnel/team.db", "sqlite:///a/b.db?x=1"):
        assert str(backups.sqlite_path(url)) == db_url.parse(url.split("?")[0])["database"]
    assert backups.sqlite_path("postgresql://u@h/db") is None
