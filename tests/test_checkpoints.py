"""Checkpoints out of a rep's save (storage.database.defer_checkpoints): in the TUI the
workers' SQLite connections never copy the WAL into the file in a commit; the change
watcher does it in its own thread, after any commit. The file itself is the witness:
its pages change only at a checkpoint."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.changes import ChangeWatch
from funnel_tui.read.connection import connected
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, defer_checkpoints, open_database
from funnel_tui.storage.models import database

from .clock import Clock

# More than SQLite's 1,000-page auto-checkpoint: each capture writes some 20 pages.
CAPTURES = 120


@pytest.fixture
def deferred():
    defer_checkpoints()
    yield
    defer_checkpoints(False)


def _file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _capture(rules: Funnel, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        rules.capture_lead({"name": f"Lead {n}", "email": f"lead{n}@example.com"})


def _wal_pages(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size // 4096 if wal.exists() else 0


def test_a_writer_in_the_tui_never_checkpoints_in_a_commit(tmp_path, deferred):
    path = tmp_path / "team.db"
    open_database(str(path))
    rules = Funnel(load_config(), "rita", Clock())
    close_database()  # a connection opened before the TUI deferred them
    before = _file(path)
    with connected():  # a worker's connection
        assert database.obj.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        _capture(rules, CAPTURES)
        assert _wal_pages(path) > 1000  # past the auto-checkpoint's threshold
        assert _file(path) == before  # and not one page copied into the file
    # The last connection to close checkpoints, as always: nothing is left in the WAL.
    assert _file(path) != before


def test_without_the_tui_a_commit_checkpoints_as_sqlite_does(tmp_path):
    path = tmp_path / "team.db"
    open_database(str(path))
    rules = Funnel(load_config(), "rita", Clock())
    close_database()
    before = _file(path)
    with connected():
        _capture(rules, CAPTURES)
        assert _file(path) != before  # a commit past 1,000 pages checkpointed


def test_the_change_watcher_checkpoints_after_a_commit(tmp_path, deferred):
    path = tmp_path / "team.db"
    open_database(str(path))
    rules = Funnel(load_config(), "rita", Clock())
    close_database()
    watch = ChangeWatch("rita", lambda changes: None, interval=0.05)
    watch.start()
    try:
        with connected():  # the watcher's connection stays open: none of these is last
            _capture(rules, 3)
            time.sleep(0.3)  # a tick or more: what was there is in the file
            before = _file(path)
            _capture(rules, 3, first=3)
            assert _file(path) == before  # not by the commits
            deadline = time.monotonic() + 5
            while _file(path) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _file(path) != before  # by the watcher, within a tick
        # What a new connection reads is all there (the leads and their history).
        with connected():
            assert database.obj.execute_sql('SELECT COUNT(*) FROM "lead"').fetchone()[0] == 6
    finally:
        watch.stop()
        close_database()
