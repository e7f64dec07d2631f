"""On the command line a password is never shown, and every failure is one line and an
exit code that is not 0.

The attacks and failures: a database URL without a database name was echoed back with
its password; a password given with --db is visible to every user of the server in
`ps`; a database that is down, read-only or locked past the timeout, an argument that is
not UTF-8, or a bug, ended in a traceback (and, in the TUI, exit 0). The TUI's own
handling is tests/security/test_crashes.py."""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from funnel_tui.cli import EXIT_FAILED, run_command
from funnel_tui.core.errors import DatabaseError
from funnel_tui.storage.database import make_database
from funnel_tui.storage.targets import redact

from ..conftest import PG_TEST_DB
from ..test_cli import run

SECRET = "Sup3r-Secret-pw"
WARNING = "visible to every user of this server (ps)"


def funnel(args: list, env: dict, rc: int, prefix: tuple[str, ...] = ()) -> str:
    """Run `funnel ARGS` (bytes allowed); its stderr, checked for the things a failure
    must never print."""
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "funnel_tui", *args],
        env=env,
        capture_output=True,
        timeout=120,
    )
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == rc, err
    assert "Traceback" not in out + err
    assert SECRET not in out + err
    return err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if WARNING not in line]
    assert len(lines) == 1, err
    return lines[0]


# ------------------------------------------------------------------ passwords


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            f"postgresql://rita:{SECRET}@db.example/funnel",
            "postgresql://rita:***@db.example/funnel",
        ),
        (f"postgresql://rita:{SECRET}@db.example", "postgresql://rita:***@db.example"),
        (f'"postgresql://rita:{SECRET}@db" has no', '"postgresql://rita:***@db" has no'),
        (f"postgres://:{SECRET}@h:5432/x", "postgres://:***@h:5432/x"),
        (
            f"postgresql://rita@h/db?password={SECRET}&x=1",
            "postgresql://rita@h/db?password=***&x=1",
        ),
        (f"host=h password={SECRET} dbname=x", "host=h password=*** dbname=x"),
        (f"password='{SECRET} two'", "password=***"),
        ("postgresql://rita@h:5432/db", "postgresql://rita@h:5432/db"),
        ("/srv/team/funnel.db", "/srv/team/funnel.db"),
    ],
)
def test_redact_hides_every_form_of_password(text, shown):
    assert redact(text) == shown


def test_a_password_funnel_was_given_is_hidden_wherever_it_shows():
    """psycopg2's messages can quote a connection's settings, the password alone."""
    with pytest.raises(DatabaseError) as refused:
        make_database(f"postgresql://rita:{SECRET}@db.example")  # no database name
    assert SECRET not in str(refused.value)
    assert "postgresql://rita:***@db.example" in str(refused.value)
    assert redact(f'invalid dsn: missing "=" after "{SECRET}"') == (
        'invalid dsn: missing "=" after "***"'
    )


def test_a_url_without_a_database_name_is_not_echoed_with_its_password(cli_env):
    err = funnel(["--db", f"postgresql://rita:{SECRET}@127.0.0.1:1", "list"], cli_env, 1)
    assert one_line(err).startswith(
        "funnel: database: cannot use database postgresql://rita:***@127.0.0.1:1: "
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_postgresql_not_answering_is_one_line_and_exit_1(cli_env):
    port = free_port()
    env = {**cli_env, "FUNNEL_DB": f"postgresql://rita:{SECRET}@127.0.0.1:{port}/crm"}
    err = funnel(["list"], env, 1)
    assert WARNING not in err  # FUNNEL_DB is not on the command line
    line = one_line(err)
    assert line.startswith(
        f"funnel: database: cannot open postgresql://rita:***@127.0.0.1:{port}/crm: "
    )
    assert "Connection refused" in line


def test_a_password_on_the_command_line_is_warned_about_and_never_printed(cli_env, pg_server):
    url = pg_server.url(PG_TEST_DB).replace("funnel@", f"funnel:{SECRET}@")
    err = funnel(["--db", url, "where"], cli_env, 0)
    assert err.strip() == (
        "funnel: warning: --db: a password on the command line is visible to every user of "
        "this server (ps); give the URL in FUNNEL_DB instead, or keep the password in "
        "~/.pgpass (or the file PGPASSFILE names)"
    )
    # In FUNNEL_DB, the same URL is not on the command line: no warning, and works.
    # A first use of the server's empty database says it made funnel's tables there,
    # the password hidden.
    env = {**cli_env, "FUNNEL_DB": url}
    err = funnel(["list", "--format", "json"], env, 0)
    hidden = url.replace(SECRET, "***")
    assert err in ("", f"funnel: created funnel's tables in {hidden}\n")


def test_a_password_in_migrates_target_is_warned_about_too(cli_env):
    target = f"postgresql://rita:{SECRET}@127.0.0.1:{free_port()}/crm"
    err = funnel(["migrate", "--to", target], cli_env, 1)
    assert err.startswith("funnel: warning: --to: a password on the command line is visible")
    assert "funnel: database: cannot open postgresql://rita:***@127.0.0.1:" in err


# ------------------------------------------------------------------ database failures


def without_root_powers() -> tuple[str, ...]:
    """Root writes read-only files regardless; the command is run without that power."""
    if os.geteuid() != 0:
        return ()
    caps = "-dac_override,-dac_read_search"
    if not Path("/usr/bin/setpriv").exists():
        pytest.skip("running as root without setpriv to drop the power to override modes")
    return ("/usr/bin/setpriv", "--bounding-set", caps, "--inh-caps", caps)


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_database_is_a_message_and_exit_1(cli_env, tmp_path, read_only):
    folder = tmp_path / "team"
    folder.mkdir()
    env = {**cli_env, "FUNNEL_DB": str(folder / "funnel.db")}
    run(["add", "--name", "Ann Lee", "--email", "ann@example.com", "--create"], env)
    if read_only == "file":
        (folder / "funnel.db").chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        err = funnel(
            ["add", "--name", "Bo Chen", "--email", "bo@example.com"],
            env,
            1,
            without_root_powers(),
        )
    finally:
        folder.chmod(0o755)
        (folder / "funnel.db").chmod(0o644)
    line = one_line(err)
    assert line.startswith("funnel: database: ")
    assert "cannot be written by you" in line or "cannot be opened" in line, line


@pytest.mark.clock_free  # a lock and a timeout
def test_a_lock_held_past_the_timeout_for_a_new_user_is_a_message_and_exit_1(cli_env):
    run(["add", "--name", "Ann Lee", "--email", "ann@example.com"], cli_env)
    holder = sqlite3.connect(cli_env["FUNNEL_DB"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        err = funnel(
            ["--user", "newbie", "add", "--name", "Bo Chen", "--email", "bo@example.com"],
            cli_env,
            1,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert one_line(err) == (
        "funnel: database: the database stayed busy for 5 s (another funnel or another "
        "program is writing to it); nothing was saved"
    )


# ------------------------------------------------------------------ bad input, bugs


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ([b"add", b"--name", b"\xff", b"--email", b"ann@example.com"], "name"),
        ([b"--user", b"rit\xe4", b"list"], "user"),
        ([b"import", b"\xfe-expo.csv"], "file"),
    ],
)
def test_an_argument_that_is_not_utf8_is_a_message(cli_env, args, field):
    line = one_line(funnel(args, cli_env, 1))
    assert line.startswith(f"funnel: {field}: ")
    assert "is not UTF-8 text" in line


def failing_command(args: argparse.Namespace) -> int:
    raise RuntimeError(f"lost the connection to postgresql://rita:{SECRET}@db.example/crm")


def test_a_bug_in_a_command_exits_3_with_one_line_and_no_password(capsys, monkeypatch):
    monkeypatch.delenv("FUNNEL_DEBUG", raising=False)
    args = argparse.Namespace(run=failing_command)
    assert run_command(args) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err == (
        "funnel: unexpected error, a bug: RuntimeError: lost the connection to "
        "postgresql://rita:***@db.example/crm (run again with FUNNEL_DEBUG=1 to see where)\n"
    )
    # Asked for, the traceback shows where, the password still hidden.
    monkeypatch.setenv("FUNNEL_DEBUG", "1")
    assert run_command(args) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in failing_command" in err
    assert SECRET not in err and "postgresql://rita:***@db.example/crm" in err
