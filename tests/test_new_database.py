"""A new database is made only where the rep meant one: at the default location, with
--create, or (in the TUI) after a yes, and it is always said. A mistyped --db, a 0-byte
file, a folder and another program's database are refused with what happened and what
to do, and nothing is written to them. Real files under tmp_path; the TUI's question in
test_new_database_ui.py."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.cli import main
from funnel_tui.config.places import default_database_path
from funnel_tui.core.errors import DatabaseError, EmptyDatabase, NoDatabase
from funnel_tui.storage.database import SHARED_FILE_MODE, close_database, open_database
from funnel_tui.storage.models import Lead
from funnel_tui.storage.new_database import create_database

from .conftest import ENGINES

REPO = Path(__file__).resolve().parent.parent
ADD = ["add", "--name", "Ana Nowak", "--email", "ana@example.com"]


@pytest.fixture(autouse=True)
def closed_after():
    yield
    close_database()


def funnel(argv: list[str], capsys, rc: int = 0) -> tuple[str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == rc, err
    return out, err


def leads_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0]


def beside(path: Path) -> list[str]:
    """Every file in the folder of `path` whose name holds its name (-wal, -shm, a
    half-made .team.db.new-…)."""
    return sorted(p.name for p in path.parent.iterdir() if path.name in p.name)


def foreign_database(path: Path) -> bytes:
    """Another program's SQLite file (a rollback journal, as most programs keep): its
    bytes, to compare after."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path.read_bytes()


# --------------------------------------------------------------- a mistyped path


def test_a_path_where_no_database_is_is_refused_and_nothing_is_made(tmp_path, capsys):
    path = tmp_path / "tema.db"  # the team's is team.db
    _out, err = funnel(["--db", str(path), *ADD], capsys, rc=1)
    assert err == (
        f"funnel: database: there is no database at {path} (its folder {tmp_path} is there, "
        "the file is not); nothing was created. Check the path (`funnel where` shows the "
        "one in use), or add --create to make a new, empty database there\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_path_whose_folder_is_missing_too_says_so_and_makes_no_folder(tmp_path, capsys):
    path = tmp_path / "srv" / "funel" / "team.db"
    _out, err = funnel(["--db", str(path), "list"], capsys, rc=1)
    assert f"there is no database at {path}, nor its folder {path.parent};" in err
    assert "add --create to make a new, empty database there, with its folder" in err
    assert list(tmp_path.iterdir()) == []


def test_funnel_db_from_the_environment_follows_the_same_rule(tmp_path, capsys, monkeypatch):
    path = tmp_path / "team.db"
    monkeypatch.setenv("FUNNEL_DB", str(path))
    _out, err = funnel(["list"], capsys, rc=1)
    assert f"there is no database at {path}" in err
    assert not path.exists()
    _out, err = funnel(["list", "--create"], capsys)
    assert err == f"funnel: created a new database at {path}\n"


def test_a_sqlite_url_where_no_database_is_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _out, err = funnel(["--db", "sqlite:///tema.db", "list"], capsys, rc=1)  # relative
    assert f"there is no database at {tmp_path / 'tema.db'}" in err
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- --create


def test_create_makes_the_database_says_so_and_then_it_is_an_existing_one(tmp_path, capsys):
    path = tmp_path / "team.db"
    out, err = funnel(["--db", str(path), "--create", *ADD], capsys)
    assert err == f"funnel: created a new database at {path}\n"
    assert out == "added lead #1 Ana Nowak\n"
    assert stat.S_IMODE(path.stat().st_mode) == SHARED_FILE_MODE  # the team's group shares it
    close_database()
    assert os.listdir(tmp_path) == ["team.db"]  # made whole beside it, nothing left over
    # From now on it is a database like any other: opened without a word, --create or not.
    assert funnel(["--db", str(path), "list", "--format", "json"], capsys)[1] == ""
    assert funnel(["--db", str(path), "list", "--create"], capsys)[1] == ""
    assert leads_in(path) == 1


def test_create_after_the_command_works_too_and_says_the_folders_it_made(tmp_path, capsys):
    path = tmp_path / "srv" / "funnel" / "team.db"
    _out, err = funnel(["--db", str(path), "list", "--create"], capsys)
    assert err == (
        f"funnel: created a new database at {path}, and 2 folders for it, from {tmp_path / 'srv'}\n"
    )
    _out, err = funnel(["--db", str(tmp_path / "one" / "x.db"), "--create", "list"], capsys)
    assert err.endswith(f"and 1 folder for it: {tmp_path / 'one'}\n")


def test_the_demo_makes_its_new_database_as_the_readme_shows(tmp_path, capsys):
    path = tmp_path / "demo.db"
    out, err = funnel(["--db", str(path), "demo", "--leads", "5"], capsys)
    assert err == f"funnel: created a new database at {path}\n"
    assert out.startswith("demo: 5 leads")


def test_creating_is_said_in_the_reps_language(tmp_path, capsys):
    path = tmp_path / "team.db"
    _out, err = funnel(["--lang", "de", "--db", str(path), "list"], capsys, rc=1)
    assert "Datenbank:" in err and "there is no" not in err and str(path) in err
    _out, err = funnel(["--lang", "de", "--db", str(path), "--create", "list"], capsys)
    assert str(path) in err and "created" not in err


# --------------------------------------------------------- the default location


def test_the_default_location_is_made_on_the_first_run_and_said(capsys):
    """A newcomer's first `funnel add` (README): no --db, no FUNNEL_DB."""
    path = default_database_path()
    assert not path.parent.exists()  # a fresh home (conftest.isolated_home)
    out, err = funnel(ADD, capsys)
    assert err.startswith(f"funnel: created a new database at {path}, and ")
    assert out == "added lead #1 Ana Nowak\n"
    assert funnel(["list", "--format", "json"], capsys)[1] == ""  # said once
    assert leads_in(path) == 1


def test_the_default_location_named_with_db_is_made_too(capsys):
    path = default_database_path()
    _out, err = funnel(["--db", str(path), "list"], capsys)
    assert f"created a new database at {path}" in err


# ------------------------------------------------------------ a 0-byte file


def test_an_empty_file_is_refused_as_cut_short_and_left_as_it_is(tmp_path, capsys):
    path = tmp_path / "team.db"
    path.touch()
    _out, err = funnel(["--db", str(path), *ADD], capsys, rc=1)
    assert err == (
        f"funnel: database: {path} is empty (0 bytes): most likely a database cut short "
        "(a full disk, a copy that stopped half-way); nothing was written to it. `funnel "
        "backup --list` lists the backups and `funnel restore BACKUP` puts one back; "
        "--create makes a new, empty database in its place\n"
    )
    assert path.stat().st_size == 0 and beside(path) == ["team.db"]


def test_an_empty_file_at_the_default_location_is_refused_as_well(capsys):
    path = default_database_path()
    path.parent.mkdir(parents=True)
    path.touch()
    _out, err = funnel(["list"], capsys, rc=1)
    assert f"{path} is empty (0 bytes)" in err
    assert path.stat().st_size == 0


def test_create_makes_a_new_database_in_place_of_an_empty_file(tmp_path, capsys):
    path = tmp_path / "team.db"
    path.touch()
    _out, err = funnel(["--db", str(path), "--create", *ADD], capsys)
    assert err == f"funnel: created a new database at {path}, in place of the empty file\n"
    assert leads_in(path) == 1


def test_an_empty_file_can_be_restored_over(tmp_path, capsys):
    """The way the refusal points to: `funnel restore BACKUP` over the 0-byte file."""
    team = tmp_path / "team.db"
    funnel(["--db", str(team), "--create", *ADD], capsys)
    funnel(["--db", str(team), "backup", str(tmp_path / "saved.db")], capsys)
    team.write_bytes(b"")
    for leftover in (Path(f"{team}-wal"), Path(f"{team}-shm")):
        leftover.unlink(missing_ok=True)
    funnel(["--db", str(team), "restore", str(tmp_path / "saved.db"), "--force"], capsys)
    out, err = funnel(["--db", str(team), "list", "--format", "json"], capsys)
    assert err == "" and "Ana Nowak" in out


def test_check_refuses_an_empty_file_without_writing_to_it(tmp_path, capsys):
    path = tmp_path / "team.db"
    path.touch()
    _out, err = funnel(["--db", str(path), "check"], capsys, rc=1)
    assert "is empty (0 bytes)" in err
    assert path.stat().st_size == 0 and beside(path) == ["team.db"]


def test_an_sqlite_file_with_no_tables_is_refused_unless_create(tmp_path, capsys):
    path = tmp_path / "team.db"
    sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    before = path.read_bytes()
    _out, err = funnel(["--db", str(path), "list"], capsys, rc=1)
    assert f"{path} is an SQLite database with no tables in it, not a funnel database" in err
    assert path.read_bytes() == before
    _out, err = funnel(["--db", str(path), "--create", "list"], capsys)
    assert "in place of the empty file" in err


def test_a_new_database_still_open_elsewhere_is_not_taken_for_an_empty_one(tmp_path):
    """A database another instance made in place and holds open has its tables in the
    WAL file beside it, not yet in its own pages: it is a database, not an empty file."""
    path = tmp_path / "team.db"
    open_database(str(path))  # made in place (internal callers), and held open
    assert path.stat().st_size <= 4096 < os.path.getsize(f"{path}-wal")
    done = subprocess.run(
        [sys.executable, "-m", "funnel_tui", "--db", str(path), *ADD],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert Lead.select().count() == 1


# ------------------------------------------------ a folder, another program's file


def test_a_folder_is_refused_with_the_file_to_give(tmp_path, capsys):
    folder = tmp_path / "funnel"
    folder.mkdir()
    for create in ([], ["--create"]):
        _out, err = funnel(["--db", str(folder), "list", *create], capsys, rc=1)
        assert err == (
            f"funnel: database: {folder} is a folder, not a database file: give the "
            f"file's path (such as {folder / 'funnel.db'})\n"
        )
    assert list(folder.iterdir()) == []


def test_another_programs_database_is_refused_and_never_written_to(tmp_path, capsys):
    path = tmp_path / "books.db"
    before = foreign_database(path)
    for create in ([], ["--create"]):
        _out, err = funnel(["--db", str(path), *ADD, *create], capsys, rc=1)
        assert err == (
            f"funnel: database: {path} is not a funnel database: its tables (customers, "
            "invoices) are not funnel's but another program's; nothing was written to it. "
            "Check the path (`funnel where` shows the one in use)\n"
        )
    assert path.read_bytes() == before  # not even the journal mode in its header
    assert beside(path) == ["books.db"]  # no -wal or -shm left beside it


def test_another_programs_database_in_wal_mode_is_not_touched_either(tmp_path, capsys):
    path = tmp_path / "books.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    funnel(["--db", str(path), "list"], capsys, rc=1)
    assert path.read_bytes() == before and beside(path) == ["books.db"]


def test_a_file_that_is_not_sqlite_keeps_its_message_and_its_bytes(tmp_path, capsys):
    path = tmp_path / "team.db"
    path.write_bytes(b"PK\x03\x04 a zip file, perhaps" * 40)
    for create in ([], ["--create"]):
        _out, err = funnel(["--db", str(path), "list", *create], capsys, rc=1)
        assert "it is not an SQLite file, or its first page is damaged" in err
    assert path.read_bytes() == b"PK\x03\x04 a zip file, perhaps" * 40


# ---------------------------------------------------------------- the storage layer


def test_open_database_refuses_what_is_not_there_only_when_asked_to(tmp_path):
    path = tmp_path / "team.db"
    with pytest.raises(NoDatabase) as missing:
        open_database(str(path), create=False)
    assert missing.value.path == path
    assert not path.exists()
    path.touch()
    with pytest.raises(EmptyDatabase):
        open_database(str(path), create=False)
    assert path.stat().st_size == 0
    open_database(str(path))  # internal callers (tests, migrate --to) make it, as before
    close_database()
    open_database(str(path), create=False)


def test_open_database_refuses_another_programs_file_before_writing(tmp_path):
    path = tmp_path / "books.db"
    before = foreign_database(path)
    with pytest.raises(DatabaseError, match="is not a funnel database"):
        open_database(str(path))  # create or not
    assert path.read_bytes() == before


def test_a_database_made_meanwhile_by_another_instance_is_kept(tmp_path):
    """Two instances making the same new database at once: the first in place stays."""
    path = tmp_path / "team.db"
    open_database(str(path))
    close_database()
    made_first = path.read_bytes()
    assert create_database(path) is False
    assert path.read_bytes() == made_first
    assert beside(path) == ["team.db"]
    assert create_database(tmp_path / "other.db") is True


def test_no_half_made_database_is_ever_at_the_path(tmp_path, monkeypatch):
    """The file appears whole: while the schema is written, nothing is at the path."""
    import funnel_tui.storage.new_database as made

    path = tmp_path / "team.db"
    seen = []
    real = made.ensure_schema

    def watching(db, target):
        seen.append(os.path.exists(path))
        return real(db, target)

    monkeypatch.setattr(made, "ensure_schema", watching)
    assert create_database(path) is True
    assert seen == [False]
    open_database(str(path), create=False)


# ---------------------------------------------------------------- PostgreSQL


@pytest.mark.skipif("postgres" not in ENGINES, reason="FUNNEL_TEST_ENGINES leaves it out")
def test_a_servers_empty_database_gets_its_tables_and_it_is_said(db_target, capsys):
    if "://" not in db_target:
        pytest.skip("a server's database")
    _out, err = funnel(["--db", db_target, *ADD], capsys)
    assert err == f"funnel: created funnel's tables in {db_target}\n"
    _out, err = funnel(["--db", db_target, "list"], capsys)
    assert err == ""
