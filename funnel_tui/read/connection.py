"""The database as the layers above storage meet it: a connection for one piece of work,
and whether a failure means the database did not answer, without importing Peewee.

The screens run every read and write in a thread worker; Peewee keeps a connection per
thread, so each piece of work opens its own (`connected()`) and closes it after. The
reads that others' writes cause, up to one a second for as long as the app runs, go to
one thread whose connection stays open instead (`kept_connection()`): opening one costs
more than those reads (2.5 ms of reading the schema on SQLite, a login on PostgreSQL).
A connection a worker closes goes back to a pool (storage.pools): always on PostgreSQL,
while the TUI runs on SQLite (keep_connections), so the next worker's work runs on a warm
session, its schema read. What went wrong is sorted here once:
the database stopping answering (PostgreSQL restarted, the network gone, a file made
read-only, a lock held past the busy timeout) is weather, to tell the rep and try again;
anything else is a refusal or a bug, the caller's to say.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import peewee

from funnel_tui.core.errors import Busy, DiskFull
from funnel_tui.storage.database import (
    db_read_only,
    defer_checkpoints,
    disk_full,
    failure_words,
    is_damaged,
    keep_connections,
    utcnow,
)
from funnel_tui.storage.models import database
from funnel_tui.storage.targets import describe, redact

__all__ = [
    "answers",
    "close_kept_connection",
    "connected",
    "database_failure",
    "defer_checkpoints",
    "describe",
    "disk_full",
    "failure_words",
    "is_damaged",
    "keep_connections",
    "kept_connection",
    "read_only_why",
    "redact",
    "utcnow",
]

# The page cache of a connection kept all day for small reads (SQLite's default is 2 MB):
# every page a read passes stays cached until the cache is full, so a kept connection's
# memory would grow for as long as the data grows under it.
KEPT_CACHE_KIB = 256

# Peewee's wrappings of the driver's complaints, a write still busy past its retries, and
# a connection a full disk kept from opening.
_DATABASE_ERRORS = (peewee.OperationalError, peewee.InterfaceError, Busy, DiskFull)


def connected() -> peewee.ConnectionContext:
    """A connection of this thread's own for the block, closed at its end (Peewee keeps
    one per thread: a worker's connection must not outlive the worker)."""
    return database.connection_context()


@contextlib.contextmanager
def kept_connection() -> Iterator[None]:
    """This thread's connection for the block, opened when it is not and left open
    after; closed when the database did not answer, so the next block opens another."""
    if database.connect(reuse_if_open=True) and isinstance(database.obj, peewee.SqliteDatabase):
        database.obj.execute_sql(f"PRAGMA cache_size = -{KEPT_CACHE_KIB}")
    try:
        yield
    except BaseException as exc:
        if database_failure(exc) is not None:
            close_kept_connection()
        raise


def close_kept_connection() -> None:
    """Close this thread's connection, if it has one (kept_connection's, at the end)."""
    with contextlib.suppress(peewee.PeeweeException):
        if not database.is_closed():
            database.close()


def answers() -> None:
    """Ask the database the smallest question; raises as real work would if it does not
    answer."""
    with database.connection_context():
        database.obj.execute_sql("SELECT 1")


def read_only_why() -> str:
    """Why the open database cannot be written by this user, in words; "" when it can."""
    reading = db_read_only()
    return reading.why() if reading is not None else ""


def database_failure(error: BaseException) -> BaseException | None:
    """`error` when it says the database did not answer, else None: Peewee's errors, Busy,
    or one the driver raised itself (a bulk insert through the driver's own cursor)."""
    if isinstance(error, _DATABASE_ERRORS):
        return error
    for name in ("sqlite3", "psycopg2"):  # only a driver already loaded can have raised
        driver = sys.modules.get(name)
        if driver is not None and isinstance(
            error, driver.OperationalError | driver.InterfaceError
        ):
            return error
    return None
