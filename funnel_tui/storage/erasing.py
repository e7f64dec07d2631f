"""What a database keeps of data after it is changed, made to forget it: for an erasure
on request (rules.erasure), where the changed values must not stay readable in the file.

SQLite leaves a changed row's old bytes in the page's free space, in freed pages, in the
full-text index's older segments and in the write-ahead log until they are reused.
While erasing, `secure_delete` makes SQLite overwrite what it frees with zeros; after
the commit the search index is merged into one segment (its older ones, holding the
old words, are dropped: under secure_delete too) and the log is checkpointed and
truncated. PostgreSQL keeps old row versions until VACUUM removes them from reach.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from funnel_tui.storage.list_index import SEARCH_TABLE
from funnel_tui.storage.models import database

# The tables an erasure changes rows of (their old versions are what VACUUM removes).
ERASED_TABLES = ("lead", "qualification", "activity", "opportunity", "history")


def _is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


@contextlib.contextmanager
def overwriting_freed_space() -> Iterator[None]:
    """Within: what SQLite frees (an old row, an index entry, a page) is overwritten
    with zeros, not left for a later write to reuse."""
    if not _is_sqlite():
        yield
        return
    database.execute_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        database.execute_sql("PRAGMA secure_delete = OFF")


def forget_old_versions() -> bool:
    """After an erasure's commit: the old versions of the rows it changed made
    unreachable (see the module's text). False when another connection kept SQLite's
    log from being emptied (it is then overwritten as the team goes on writing)."""
    if not _is_sqlite():
        database.execute_sql("VACUUM " + ", ".join(f'"{t}"' for t in ERASED_TABLES))
        return True
    optimize = f'INSERT INTO "{SEARCH_TABLE}" ("{SEARCH_TABLE}") VALUES (\'optimize\')'
    with overwriting_freed_space():
        # Suppressed: a file without the search index (made by an older funnel).
        with contextlib.suppress(peewee.OperationalError), database.atomic():
            database.execute_sql(optimize)
        busy, _pages, _done = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy
