"""Faults met with a clear word and nothing lost, on a real file system: files an import
cannot read as a file, a password written percent-encoded in a database URL."""

from __future__ import annotations

import os

import pytest

from funnel_tui.cli import main
from funnel_tui.core.errors import FileRefused
from funnel_tui.transfer.plan import plan_import


def test_a_named_pipe_is_refused_at_once_not_waited_on(tmp_path, capsys):
    pipe = tmp_path / "leads.csv"
    os.mkfifo(pipe)
    # Nobody ever writes into it: reading it would block for ever.
    with pytest.raises(FileRefused, match="is not a file but a pipe or a device"):
        plan_import(pipe)
    assert main(["--db", str(tmp_path / "f.db"), "import", str(pipe)]) == 1
    said = capsys.readouterr().err
    assert "save what it gives into a file first" in said and "Traceback" not in said


def test_standard_input_is_refused_with_the_way_round(tmp_path, capsys):
    read, write = os.pipe()
    os.write(write, b"Name,Email\nAna,ana@example.com\n")
    os.close(write)
    stdin = os.dup(0)
    try:
        os.dup2(read, 0)
        assert main(["--db", str(tmp_path / "f.db"), "import", "/dev/stdin"]) == 1
    finally:
        os.dup2(stdin, 0)
        os.close(stdin)
        os.close(read)
    assert "/dev/stdin is not a file but a pipe" in capsys.readouterr().err


def test_a_percent_encoded_password_reaches_the_server_decoded():
    from funnel_tui.storage.database import make_database

    db = make_database("postgresql://ana%40crm:p%40ss%3Aw%2Frd@db.example:5432/funnel")
    assert db.connect_params["password"] == "p@ss:w/rd"
    assert db.connect_params["user"] == "ana@crm"


def test_a_command_line_write_into_a_database_locked_too_long_says_so(
    tmp_path, capsys, monkeypatch
):
    """Another program holds the write lock past the busy timeout (shortened here): the
    command says the database stayed busy, exits 1 and writes nothing."""
    import sqlite3

    from funnel_tui.storage import database as dbmod

    path = tmp_path / "team.db"
    db = ["--db", str(path), "--user", "ana"]
    assert main([*db, "add", "--create", "--name", "Anna Nowak", "--email", "anna@nowak.pl"]) == 0
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setitem(dbmod.SQLITE_PRAGMAS, "busy_timeout", 300)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    capsys.readouterr()
    try:
        assert main([*db, "add", "--name", "Jan Kowalski", "--email", "jan@acme.pl"]) == 1
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    said = capsys.readouterr().err
    assert "stayed busy" in said and "nothing was saved" in said, said
    with sqlite3.connect(path) as check:
        assert check.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0] == 1
