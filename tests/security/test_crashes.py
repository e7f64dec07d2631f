"""A failure never shows a secret nor passes for a success.

The attack surface: the TUI stopped on a database error it did not handle (PostgreSQL
going down) with a traceback listing every local variable, the database URL and its
password among them, on the terminal of whoever was looking; and it exited 0, so a
script or a supervisor took the crash for a clean quit. Now a database that goes away is
a one-line message and a retry, a bug is a one-line message, a crash file only its user
can read (passwords hidden) and exit code 3, and the half-typed forms are kept."""

from __future__ import annotations

import stat
import sys

import pytest
from textual.worker import WorkerFailed

from funnel_tui.config import user_data_dir
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.screens.capture import CaptureScreen

from ..pg_server import PostgresServer
from ..terminal import Terminal, funnel_env
from ..ui_support import SIZE, make_app, settle, type_text

SECRET = "s3cret-Passw0rd"


async def test_a_bug_exits_3_keeps_the_draft_and_hides_the_password(env, monkeypatch, capsys):
    def broken(self) -> None:
        raise RuntimeError(f"lost postgresql://rita:{SECRET}@db.example/funnel")

    monkeypatch.setattr(CaptureScreen, "action_clear", broken)
    app = make_app(env)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            await type_text(pilot, "Kept Name")
            await pilot.press("ctrl+r")  # the broken action
            await settle(pilot)
    assert app.return_code == 3  # a bug, as on the command line
    assert env[1].load("capture")["name"] == "Kept Name"
    shown = app.crash_message
    assert shown.startswith("funnel stopped on an error it did not expect: RuntimeError")
    assert "postgresql://rita:***@db.example" in shown and SECRET not in shown
    printed = capsys.readouterr()
    assert "RuntimeError" in printed.err and SECRET not in printed.out + printed.err
    crash = app.crash_file
    assert crash is not None and crash.parent == user_data_dir() / "crashes"
    assert stat.S_IMODE(crash.stat().st_mode) == 0o600
    details = crash.read_text()
    assert "RuntimeError" in details and "in broken" in details and SECRET not in details


async def test_a_bug_in_a_save_is_a_bug_not_a_failed_save(env, monkeypatch):
    """The log form showed any failure of its save as "Not saved" and went on, as did
    Today's snooze: a bug passed for the database. Every write has one policy now
    (tui/workers.py): a bug exits 3 and keeps what was typed."""

    def broken(self, **values) -> None:
        raise RuntimeError(f"the rules broke; db at postgresql://rita:{SECRET}@db.example")

    monkeypatch.setattr(Funnel, "log_activity", broken)
    app = make_app(env)
    with pytest.raises(WorkerFailed):  # the save's worker, as Pilot re-raises it
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the first lead's record
            await settle(pilot)
            await pilot.press("ctrl+l", "n")  # the log form: a note
            await settle(pilot)
            await type_text(pilot, "kept note")
            await pilot.press("ctrl+s")
            await settle(pilot)
    assert app.return_code == 3
    assert app.crash_message.startswith("funnel stopped on an error it did not expect")
    assert SECRET not in app.crash_message
    kept = [env[1].load(form) or {} for form in env[1].forms()]
    assert any(draft.get("note") == "kept note" for draft in kept)


@pytest.fixture
def own_pg(tmp_path):
    """A PostgreSQL server of this test's own, to stop and start again."""
    server = PostgresServer()
    server.start()
    server.create_database("funnel_down")
    yield server
    server.stop()


@pytest.mark.clock_free  # a server stopped
def test_postgresql_going_away_is_a_message_and_a_retry_never_a_password(own_pg, tmp_path):
    url = own_pg.url("funnel_down").replace("funnel@", f"funnel:{SECRET}@")
    env = funnel_env(tmp_path, url)
    with Terminal([], env) as term:
        term.wait_for("0 shown")
        own_pg.pause()
        term.write(b"\x0e")  # ctrl+n: capture opens without the database
        term.wait_for("New lead")
        term.write(b"\x1b")  # esc: back to the list, which reloads from the database
        term.wait_for("not answering", timeout=30)
        assert "database away" in term.text().splitlines()[0]  # the top line says so too
        assert term.alive()
        own_pg.resume()
        term.wait_for("answers again", timeout=30)
        assert term.close() == 0
    assert SECRET.encode() not in term.output


CRASHING_APP = """
import sys
from funnel_tui.cli import main
from funnel_tui.tui.widgets.lead_table import LeadTable

def broken(self, *args):
    raise ValueError("the list broke; db at postgresql://rita:SECRET@db.example/funnel")

LeadTable.action_move = broken
sys.exit(main([]))
""".replace("SECRET", SECRET)


def test_a_crash_in_a_real_terminal_exits_3_with_one_line(tmp_path):
    env = funnel_env(tmp_path, str(tmp_path / "crash.db"))
    open_database(env["FUNNEL_DB"])  # a path where no database is would be asked about
    close_database()
    with Terminal([], env, argv=[sys.executable, "-c", CRASHING_APP]) as term:
        term.wait_for("0 shown")
        term.write(b"j")
        code = term.close()
    output = term.output.decode("utf-8", "replace")
    assert code == 3
    assert "funnel stopped on an error it did not expect: ValueError" in output
    assert "locals" not in output and SECRET not in output
