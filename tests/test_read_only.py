"""A database this user cannot write: opened read-only with the reason, read as usual,
every write refused with that reason; and a -wal or -shm left behind that this user
cannot write beside a database they can (a read-only open's, another user's), which
SQLite answers with "attempt to write a readonly database" to everyone: cleared when
nobody has the database open, else named with the command that fixes it.

The command line is run without root's power to write any file (setpriv), and the files
left behind are given to another user (nobody), so that the permissions really apply."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from funnel_tui.config import load_config
from funnel_tui.core.errors import DatabaseError, ReadOnlyDatabase
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import backups
from funnel_tui.storage.database import (
    close_database,
    db_read_only,
    failure_words,
    open_database,
)
from funnel_tui.storage.models import Lead, User, database
from funnel_tui.storage.schema import SCHEMA_VERSION

from .clock import Clock
from .legacy_schema import v1_statements
from .read_only_support import frozen_folder, sidecars

ANNA = {"name": "Anna Kowalska", "email": "anna@kowalski.pl", "source": "Trade show"}
BO = {"name": "Bo Chen", "email": "bo@example.com", "source": "Referral"}
NOBODY = 65534


@pytest.fixture
def folder(tmp_path):
    """(folder, freeze): the database's folder, and what makes it read-only."""
    where = tmp_path / "team"
    for freeze in frozen_folder(where):
        yield where, freeze


def _seed(path: Path) -> None:
    open_database(str(path))
    rules = Funnel(load_config(), "rita", Clock())
    rules.capture_lead(ANNA)
    rules.capture_lead(BO)
    close_database()


# ------------------------------------------------------------------ in this process


def test_a_read_only_database_opens_with_the_reason_and_makes_nothing_beside_it(folder):
    where, freeze = folder
    path = where / "team.db"
    _seed(path)
    kind = freeze()
    db = open_database(str(path))
    reading = db_read_only(db)
    assert reading is not None and reading.kind == kind
    assert str(path) in reading.why()
    rules = Funnel(load_config(), "rita", Clock())
    assert Lead.select().count() == 2
    assert rules.user_id == User.get(User.login == "rita").id
    # A user first seen here is looked up, not made: they own nothing.
    assert Funnel(load_config(), "zed", Clock()).user_id == 0
    with pytest.raises(ReadOnlyDatabase) as refused:
        rules.capture_lead({"name": "Cy Ng", "email": "cy@example.com"})
    assert refused.value.problems[0].field == "database"
    assert reading.why() in refused.value.reason
    with pytest.raises(ReadOnlyDatabase):
        rules.set_status(1, "working")
    with pytest.raises(ReadOnlyDatabase), database.atomic():  # any transaction at all
        Lead.select().count()
    assert Lead.select().count() == 2
    assert sidecars(where) == []


def test_sqlites_own_errors_on_a_read_only_database_are_said_for_it(folder):
    where, freeze = folder
    _seed(where / "team.db")
    freeze()
    open_database(str(where / "team.db"))
    said = failure_words(peewee.OperationalError("attempt to write a readonly database"))
    assert said == ReadOnlyDatabase(db_read_only().why()).reason
    # Nobody had it open: read as it was, without locks. Pages a writer changed under
    # such a read are that, not a damaged file.
    assert database.obj.snapshot
    said = failure_words(peewee.DatabaseError("database disk image is malformed"))
    assert said.startswith("the database changed while funnel read it as it was when opened")


def test_an_older_schema_that_cannot_be_written_is_refused_not_migrated(folder):
    where, freeze = folder
    path = where / "old.db"
    with sqlite3.connect(path) as old:
        for statement in v1_statements("sqlite"):
            old.execute(statement)
    old.close()
    freeze()
    with pytest.raises(DatabaseError, match="cannot be migrated") as refused:
        open_database(str(path))
    assert f"this funnel needs {SCHEMA_VERSION}" in str(refused.value)
    assert sidecars(where) == []


def test_an_empty_file_that_cannot_be_written_is_refused(folder):
    where, freeze = folder
    (where / "empty.db").touch()
    freeze()
    with pytest.raises(DatabaseError, match="holds no funnel database yet"):
        open_database(str(where / "empty.db"))


def test_a_read_only_database_is_backed_up_and_checked(folder, tmp_path):
    where, freeze = folder
    _seed(where / "team.db")
    freeze()
    made = backups.backup_sqlite(where / "team.db", tmp_path)
    assert backups.check_file(made) == 2
    assert backups.file_problems(where / "team.db") == []
    assert sidecars(where) == []


# ------------------------------------------------------------------ the command line


def _as_team_member() -> tuple[str, ...]:
    """Run as this user, or as root without the power to write any file."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv to drop the power to override modes")
    caps = "-dac_override,-dac_read_search,-fowner,-chown"
    return (setpriv, "--bounding-set", caps, "--inh-caps", caps)


def funnel(path: Path, *args: str, rc: int = 0, team: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUNNEL_DB": str(path), "FUNNEL_USER": "rita"}
    prefix = _as_team_member() if team else ()
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "funnel_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == rc, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _cli_database(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    path = folder / "team.db"
    for lead in (ANNA, BO):
        # A new file: the first add makes it (--create), as a mistyped path would not.
        funnel(
            path, "add", "--create", "--name", lead["name"], "--email", lead["email"], team=False
        )
    return path


def _names(result: subprocess.CompletedProcess) -> list[str]:
    return sorted(lead["name"] for lead in json.loads(result.stdout))


def test_the_command_line_reads_a_read_only_file_and_refuses_its_writes(tmp_path):
    path = _cli_database(tmp_path)
    path.chmod(0o444)
    try:
        assert _names(funnel(path, "list", "--format", "json")) == ["Anna Kowalska", "Bo Chen"]
        assert _names(funnel(path, "list", "--search", "kowal", "--format", "json")) == [
            "Anna Kowalska"
        ]
        assert "Anna Kowalska" in funnel(path, "show", "1").stdout
        assert "all" in funnel(path, "report", "sources").stdout
        assert "Bo Chen" in funnel(path, "export", "--format", "csv").stdout
        made = json.loads(funnel(path, "backup", str(tmp_path), "--format", "json").stdout)
        assert "not checked" in funnel(path, "check").stdout
        csv = tmp_path / "more.csv"
        csv.write_text("name,email\nCy Ng,cy@example.com\n", encoding="utf-8")
        for write in (
            ("add", "--name", "Cy Ng", "--email", "cy@example.com"),
            ("status", "1", "working"),
            ("qualify", "1", "--budget", "yes"),
            ("undo",),
            ("import", str(csv)),
            ("restore", made["path"]),
        ):
            err = funnel(path, *write, rc=1).stderr
            assert err.startswith("funnel: ") and "the database is read-only for you: " in err
            assert f"{path} cannot be written by you (owner " in err
            assert "-r--r--r--" in err and "nothing was saved" in err
        assert sidecars(path.parent) == []
    finally:
        path.chmod(0o660)
    assert _names(funnel(path, "list", "--format", "json")) == ["Anna Kowalska", "Bo Chen"]


def test_a_read_only_folder_is_read_and_its_writes_refused(tmp_path):
    path = _cli_database(tmp_path)
    path.parent.chmod(0o555)
    try:
        assert _names(funnel(path, "list", "--format", "json")) == ["Anna Kowalska", "Bo Chen"]
        err = funnel(path, "add", "--name", "Cy Ng", "--email", "cy@example.com", rc=1).stderr
        assert f"its folder {path.parent} cannot be written by you" in err
        assert "dr-xr-xr-x" in err
    finally:
        path.parent.chmod(0o755)
    assert sidecars(path.parent) == []


# ------------------------------------------------------------------ a -wal or -shm left behind


def _leave_sidecars(path: Path, change: str = "") -> None:
    """What a read-only open (or another user's funnel, killed) leaves: a -wal and a -shm
    owned by another user, read-only; with `change`, that lead's name in the -wal alone."""
    write = f"c.execute(\"UPDATE lead SET name = '{change}' WHERE id = 1\")" if change else ""
    code = (
        "import os, sqlite3\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute('SELECT COUNT(*) FROM lead').fetchone()\n"
        f"{write}\n"
        "os._exit(0)\n"  # gone without closing: its files stay
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        os.chown(side, NOBODY, NOBODY)
        side.chmod(0o444)


@pytest.fixture
def team_database(tmp_path):
    """A database the team writes, with files another user left beside it: needs root,
    to give those files away."""
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    return _cli_database(tmp_path)


def test_sqlite_refuses_every_write_beside_a_shm_the_writer_cannot_write(team_database):
    """What the team met: the database is writable, the -shm is not, and SQLite opens
    the -shm read-only and refuses to write ("attempt to write a readonly database")."""
    _leave_sidecars(team_database)
    code = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "try:\n"
        "    c.execute(\"UPDATE lead SET name = 'x' WHERE id = 1\")\n"
        "except sqlite3.OperationalError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [*_as_team_member(), sys.executable, "-c", code, str(team_database)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "attempt to write a readonly database"


def test_a_shm_left_behind_that_nobody_uses_is_cleared_and_the_team_writes_again(
    team_database,
):
    _leave_sidecars(team_database)
    funnel(team_database, "status", "1", "working")
    assert "working" in funnel(team_database, "show", "1").stdout
    for side in sidecars(team_database.parent):  # made again by the team, as theirs
        assert (team_database.parent / side).stat().st_uid != NOBODY


def test_a_shm_left_behind_in_use_is_named_with_the_command_that_fixes_it(team_database):
    _leave_sidecars(team_database)
    # A teammate's funnel open on it meanwhile (reading it, as SQLite lets them).
    code = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('SELECT COUNT(*) FROM lead').fetchone()\n"
        "print('open', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [*_as_team_member(), sys.executable, "-c", code, str(team_database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        err = funnel(team_database, "status", "1", "working", rc=1).stderr
        shm = f"{team_database}-shm"
        assert f"{shm} cannot be written by you (owner nobody, -r--r--r--)" in err
        assert "funnel is open on the database elsewhere" in err
        assert f"chmod 660 {shm}" in err
        # It can still be read.
        assert _names(funnel(team_database, "list", "--format", "json")) == [
            "Anna Kowalska",
            "Bo Chen",
        ]
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    funnel(team_database, "status", "1", "working")  # nobody else on it: cleared


def test_a_wal_holding_changes_is_never_removed(team_database):
    _leave_sidecars(team_database, change="Anna Nowak")
    wal = Path(f"{team_database}-wal")
    size = wal.stat().st_size
    err = funnel(team_database, "status", "1", "working", rc=1).stderr
    assert f"{wal} holds changes not yet in the database" in err
    assert f"chmod 660 {wal} && chgrp " in err
    assert wal.stat().st_size == size
    assert "Anna Nowak" in funnel(team_database, "show", "1").stdout  # read with the change
    # What the message says to run (its owner, or root): until the group is the team's
    # too, the -wal cannot even be read.
    wal.chmod(0o660)
    err = funnel(team_database, "show", "1", rc=1).stderr
    assert f"{wal} cannot be read by you (owner nobody, -rw-rw----)" in err
    os.chown(wal, -1, team_database.stat().st_gid)
    funnel(team_database, "status", "1", "working")
    shown = funnel(team_database, "show", "1").stdout
    assert "Anna Nowak" in shown and "working" in shown
