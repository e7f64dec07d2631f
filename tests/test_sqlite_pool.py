"""SQLite connections kept for the next worker while the TUI runs (storage.pools,
storage.database.keep_connections): a worker's read then starts on a connection whose
schema is read, not on a new one that reads 70 KB of it again. On the command line, and
for a database being built, closing a connection still ends it: the last one to end
writes the WAL into the file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from funnel_tui.read.connection import connected
from funnel_tui.storage import database as storage_database
from funnel_tui.storage import pools
from funnel_tui.storage.database import (
    close_database,
    defer_checkpoints,
    keep_connections,
    open_database,
)
from funnel_tui.storage.models import database
from funnel_tui.storage.new_database import create_database


@pytest.fixture
def kept():
    keep_connections()
    yield
    keep_connections(False)


@pytest.fixture
def opened(tmp_path):
    open_database(str(tmp_path / "pool.db"))
    yield tmp_path / "pool.db"
    close_database()


def _in_thread(work):
    """`work(connection)` on a thread of its own, on a connection of its own (as a
    worker's)."""
    found = []

    def run():
        with connected():
            found.append(work(database.connection()))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found[0]


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.total_changes  # noqa: B018 (a closed connection raises)
    except sqlite3.ProgrammingError:
        return False
    return True


def test_a_worker_takes_the_connection_the_last_one_left(opened, kept):
    first = _in_thread(lambda conn: conn)
    second = _in_thread(lambda conn: conn)
    assert second is first
    assert _is_open(first)
    # and it reads: the schema it read before still serves
    assert _in_thread(lambda conn: conn.execute('SELECT COUNT(*) FROM "lead"').fetchone()) == (0,)


def test_without_the_tui_each_connection_ends_when_closed(opened):
    first = _in_thread(lambda conn: conn)
    second = _in_thread(lambda conn: conn)
    assert second is not first
    assert not _is_open(first)
    assert not database.obj._connections


def test_few_wait_idle_and_closing_the_database_ends_them(opened, kept):
    held, release = [], threading.Event()

    def hold():
        with connected():
            held.append(database.connection())
            release.wait(10)

    threads = [threading.Thread(target=hold) for _n in range(5)]
    for thread in threads:
        thread.start()
    while len(held) < 5:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join()
    waiting = [conn for _ts, _n, conn in database.obj._connections]
    assert len(waiting) == pools.IDLE
    assert sum(_is_open(conn) for conn in held) == pools.IDLE
    close_database()
    assert not any(_is_open(conn) for conn in held)
    # The last connection ended: SQLite wrote the WAL into the file and removed it.
    assert not Path(f"{opened}-wal").exists()


def test_leaving_the_tui_ends_the_waiting_connections(opened, kept):
    waiting = _in_thread(lambda conn: conn)
    assert _is_open(waiting)
    keep_connections(False)
    assert not _is_open(waiting)


def test_a_kept_connection_takes_the_settings_of_the_moment(opened, kept, monkeypatch):
    defer_checkpoints(False)  # as outside the TUI, whatever ran before

    def settings(conn):
        return tuple(
            conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("busy_timeout", "wal_autocheckpoint", "cache_size")
        )

    assert _in_thread(settings) == (storage_database.BUSY_TIMEOUT_MS, 1000, -2000)
    _in_thread(lambda conn: conn.execute("PRAGMA cache_size = -256"))  # a kept reader's
    monkeypatch.setattr(storage_database, "BUSY_TIMEOUT_MS", 123)
    defer_checkpoints()
    try:
        assert _in_thread(settings) == (123, 0, -2000)
    finally:
        defer_checkpoints(False)
    assert _in_thread(settings) == (123, 1000, -2000)


def test_a_transaction_left_open_is_not_handed_on(opened, kept):
    def leave_open(conn):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO funnel_meta (key, value) VALUES ('left', 'open')")
        return conn

    left = _in_thread(leave_open)
    taken = _in_thread(lambda conn: (conn, conn.in_transaction))
    assert taken == (left, False)
    left_rows = "SELECT COUNT(*) FROM funnel_meta WHERE key = 'left'"
    assert _in_thread(lambda conn: conn.execute(left_rows).fetchone()) == (0,)


def test_a_database_built_while_the_tui_runs_is_whole(opened, kept, tmp_path):
    """The builder's last connection must end for its WAL (its tables) to reach the file
    before the file is put in place."""
    _in_thread(lambda conn: conn)  # the open database keeps one waiting meanwhile
    made = tmp_path / "made.db"
    assert create_database(made)
    assert not Path(f"{made}-wal").exists()
    copy = sqlite3.connect(made)
    try:
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
    finally:
        copy.close()
    assert {"lead", "funnel_meta"} <= tables
