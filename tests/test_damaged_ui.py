"""A database file damaged where the app first reads (the lead list's rows): the app
stops with the way back (`funnel restore`), exit 1, not a crash report, and the file is
left exactly as it was."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from funnel_tui.storage.database import close_database

from .ui_support import SIZE, make_app


def _damage_leads(path: str) -> None:
    """Garbage over the lead table's first page: SQLite opens the file, and the first
    read of a lead meets "database disk image is malformed"."""
    with sqlite3.connect(path) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'lead'").fetchone()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\xa5" * size)


async def test_a_damaged_file_stops_the_app_with_the_way_back(env):
    path, _drafts = env
    close_database()
    _damage_leads(path)
    before = Path(path).read_bytes()
    app = make_app(env)
    # Run as a terminal would, until the app stops by itself: the list's first read
    # meets the damage (Pilot's start would wait for a screen that is going away).
    await asyncio.wait_for(app.run_async(headless=True, size=SIZE), timeout=120)
    assert app.return_code == 1
    assert "the database file is damaged" in app.crash_message
    assert "funnel restore BACKUP" in app.crash_message
    assert Path(path).read_bytes() == before
