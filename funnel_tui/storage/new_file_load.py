"""A bulk load into a new SQLite file (funnel demo) without the write-ahead log.

In WAL mode a transaction bigger than the page cache writes its pages to the log, reads
them back from it (each read looks the page up in every 4,096 frames of the log's index
so far, so the cost of a page read grows with the load), and at the end copies the whole
log into the database file again. The 1,000,000-lead demo wrote a 3 GB log that way, and
its filling of the search index, which reads back the segments it merges, took a third
of the run. With a rollback journal kept in memory the pages go to the file once and are
read from it directly; a new file has nothing to roll back to but its empty tables, so
the journal stays small, and a rollback (an error, a progress callback that gives up)
still leaves the file as it was.

Only when nothing else has the file open: SQLite refuses to leave WAL mode while another
connection uses the database, and the load then runs in WAL mode as before. Afterwards
the file is in WAL mode again, as database.open_database leaves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import peewee


@contextmanager
def without_wal(db: peewee.Database) -> Iterator[bool]:
    """Around a bulk load of a new SQLite file, outside any transaction: its pages go
    straight to the file (journal in memory, no sync until the end, sorts in memory);
    yields whether that was possible. Everything is as it was afterwards."""
    if not isinstance(db, peewee.SqliteDatabase) or db.in_transaction():
        yield False
        return
    mode = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
    settings = ("synchronous", "temp_store")
    before = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in settings}
    switched = False
    if mode.lower() == "wal":
        try:
            changed = db.execute_sql("PRAGMA journal_mode = MEMORY").fetchone()[0]
        except peewee.OperationalError:  # locked by another connection
            changed = mode
        switched = changed.lower() == "memory"
    if switched:
        db.execute_sql("PRAGMA synchronous = OFF")
    db.execute_sql("PRAGMA temp_store = MEMORY")  # the index builds' sorts
    try:
        yield switched
    finally:
        if switched:
            db.execute_sql(f"PRAGMA journal_mode = {mode}")
        for name, value in before.items():
            db.execute_sql(f"PRAGMA {name} = {int(value)}")
