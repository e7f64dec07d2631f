"""Faults met with a clear word and nothing lost, on a real file system: files an import
cannot read as a file, a password written percent-encoded in a database URL, and a
database another program keeps locked past the busy timeout."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys

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


# ------------------------------------------------------------ locked past the busy timeout

_HOLDER = """
import sqlite3, sys
held = sqlite3.connect(sys.argv[1], isolation_level=None)
held.execute("BEGIN IMMEDIATE")
held.execute("INSERT INTO funnel_meta (key, value) VALUES ('held', 'x')")
print("holding", flush=True)
sys.stdin.read()
held.execute("ROLLBACK")
"""


@contextlib.contextmanager
def _write_lock_held_elsewhere(path):
    """Another program, in a process of its own, holds the database's write lock (a
    write transaction under way) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


BUSY = (
    "the database stayed busy for 0.3 s (another funnel or another program is writing to "
    "it); nothing was saved"
)


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """Writes wait 0.3 s for another's lock, not 5 s: read at each new connection."""
    from funnel_tui.storage import database as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)


def test_a_command_line_write_into_a_database_locked_too_long_says_so(
    tmp_path, capsys, short_busy_timeout
):
    """Another program holds the write lock past the busy timeout: the command says the
    database stayed busy, exits 1 and writes nothing."""
    path = tmp_path / "team.db"
    db = ["--db", str(path), "--user", "ana"]
    assert main([*db, "add", "--create", "--name", "Anna Nowak", "--email", "anna@nowak.pl"]) == 0
    capsys.readouterr()
    with _write_lock_held_elsewhere(path):
        assert main([*db, "add", "--name", "Jan Kowalski", "--email", "jan@acme.pl"]) == 1
    assert capsys.readouterr().err == f"funnel: database: {BUSY}\n"
    with sqlite3.connect(path) as check:
        assert check.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0] == 1
        assert check.execute('SELECT COUNT(*) FROM "history"').fetchone()[0] == 1
    # Once the other program is done, the same command goes through.
    assert main([*db, "add", "--name", "Jan Kowalski", "--email", "jan@acme.pl"]) == 0


async def test_a_capture_into_a_database_locked_too_long_keeps_the_form(env, short_busy_timeout):
    from funnel_tui.storage.models import Lead
    from funnel_tui.tui.dialogs.dialogs import ConfirmDialog

    from .ui_support import SIZE, make_app, press_burst, settle

    path, _drafts = env
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        with _write_lock_held_elsewhere(path):
            await press_burst(pilot, "Jan Kowalski", "tab", "Acme", "tab", "tab", "jan@acme.pl")
            await pilot.press("ctrl+s")
            await settle(pilot)
            said = str(form.query_one("#outcome").render())
            assert (
                said == f"✘ Could not save ({BUSY}). Everything typed is kept: ctrl+s tries again."
            )
            values = [form.query_one(f"#f-{name}").value for name in ("name", "company", "email")]
            assert values == ["Jan Kowalski", "Acme", "jan@acme.pl"]
            assert isinstance(app.screen, ConfirmDialog)
            assert app.screen.title_text == "The database is busy"
            assert Lead.select().where(Lead.name == "Jan Kowalski").count() == 0
        await pilot.press("y")  # try again, the other program done
        await settle(pilot)
        assert Lead.select().where(Lead.name == "Jan Kowalski").count() == 1
