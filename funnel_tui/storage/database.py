"""Opening and closing the database from a path or URL, its pragmas, and its busy retries.

SQLite is opened in WAL mode with foreign keys, synchronous=NORMAL and a busy timeout, and
every transaction begins IMMEDIATE: a transaction that reads and then writes under a
deferred BEGIN can fail with "database is locked" whatever the busy timeout, when several
funnel instances share the file. A write that still finds the database busy past the
timeout (or, on PostgreSQL, a deadlock or a row lock held too long) is retried by
`retry_writes` and then reported as `Busy`, for the user to try again.

A new SQLite file is created readable and writable by its group (SHARED_FILE_MODE); SQLite
gives its WAL and SHM files the same mode, so a team sharing one group shares the file.

A file this user cannot write is opened read-only (ReadOnlySqliteDatabase, see
file_access): nothing is migrated or refreshed, every write is refused before it starts
with the reason (core.errors.ReadOnlyDatabase), and `db_read_only()` tells the layers
above, which show it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import peewee
from playhouse.pool import PooledSqliteDatabase

from funnel_tui.core.errors import Busy, DatabaseError, DiskFull, ReadOnlyDatabase
from funnel_tui.core.full_disk import full_at, full_words
from funnel_tui.core.i18n import N_, _
from funnel_tui.storage import file_access
from funnel_tui.storage.before_opening import look_before_opening
from funnel_tui.storage.file_access import ReadOnly
from funnel_tui.storage.models import database
from funnel_tui.storage.pools import FewIdle
from funnel_tui.storage.schema import ensure_schema, refresh_statistics, require_current_schema
from funnel_tui.storage.targets import describe, is_url, redact, remember_secret

# How long a write waits for another's lock before it is retried and then reported as
# Busy; read at each new connection and each retry, so a test may shorten it.
BUSY_TIMEOUT_MS = 5000
# rw-rw----: the team's group shares the file; others see nothing of it.
SHARED_FILE_MODE = 0o660

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 1,  # NORMAL: durable at checkpoints, safe with WAL
}  # and busy_timeout: BUSY_TIMEOUT_MS as it is when the connection is made (SqliteFile)


# PostgreSQL's codes for a transaction to run again: a deadlock, a serialization
# failure, and a lock not granted within lock_timeout.
_PG_RETRY_CODES = frozenset({"40P01", "40001", "55P03"})
_SQLITE_BUSY_WORDS = ("database is locked", "database is busy", "database table is locked")


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy (worth running the transaction again)
    rather than that the statement is wrong."""
    seen: BaseException | None = exc
    for _step in range(4):  # Peewee wraps the driver's error; look through the wrapping
        if seen is None:
            return False
        if getattr(seen, "pgcode", None) in _PG_RETRY_CODES:
            return True
        if any(word in str(seen).lower() for word in _SQLITE_BUSY_WORDS):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or getattr(seen, "orig", None) or seen.__cause__
    return False


F = TypeVar("F", bound=Callable[..., Any])


def retry_writes(method: F) -> F:
    """Run a write (one transaction) again while the database is busy, for up to the
    busy timeout, then raise Busy. Within an enclosing transaction it runs once: the
    outermost write is the one to repeat."""

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        refuse_if_read_only()  # before the write reads or checks anything
        db = database.obj
        if db is None or db.in_transaction():
            return method(*args, **kwargs)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                return method(*args, **kwargs)
            except (peewee.OperationalError, peewee.InternalError, peewee.InterfaceError) as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise Busy(str(exc), BUSY_TIMEOUT_MS) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    return run  # type: ignore[return-value]


class ReadOnlySqliteDatabase(peewee.SqliteDatabase):
    """A SQLite file this user cannot write, read without SQLite creating a file beside
    it (file_access.reading_uri); every transaction is refused before it begins, with the
    reason (`read_only`). Reads need none: Peewee runs them in autocommit."""

    def __init__(self, path: Path, read_only: ReadOnly) -> None:
        # No journal_mode: setting it is a write, even to what it is already.
        pragmas = {
            k: v for k, v in SQLITE_PRAGMAS.items() if k not in ("journal_mode", "synchronous")
        }
        uri = file_access.reading_uri(path)
        super().__init__(uri, pragmas=pragmas, uri=True)
        self.read_only = read_only
        # Read as it was, without locks (immutable): a writer who comes later is not seen.
        self.snapshot = uri.endswith("immutable=1")

    def _add_conn_hooks(self, conn: Any) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")  # as SqliteFile
        super()._add_conn_hooks(conn)

    def begin(self, lock_type: str | None = None) -> None:
        raise ReadOnlyDatabase(self.read_only.why())


def db_read_only(db: peewee.Database | None = None) -> ReadOnly | None:
    """Why the open database (or `db`) cannot be written by this user; None when it can."""
    return getattr(db if db is not None else database.obj, "read_only", None)


def refuse_if_read_only() -> None:
    """Raise ReadOnlyDatabase, with the reason, when the open database cannot be written:
    the one check every write passes (retry_writes, and any transaction begun)."""
    reading = db_read_only()
    if reading is not None:
        raise ReadOnlyDatabase(reading.why())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_database(target: str) -> peewee.Database:
    """A Peewee database for a file path or a URL; not yet connected."""
    if is_url(target):
        remember_secret(target)
        # Loads every backend playhouse knows (5 ms): only for URLs, never for a path.
        from playhouse import db_url

        scheme = target.split("://", 1)[0].lower()
        if scheme.startswith("postgres"):
            _require_postgres_driver()
        try:
            if scheme.startswith("sqlite"):
                db = db_url.connect(target, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
            else:
                # A password (or user) with @, : or / in it can only be written
                # percent-encoded in a URL (p%40ss): libpq wants it decoded.
                db = db_url.connect(target, unquote_password=True, unquote_user=True)
        except (RuntimeError, ValueError) as exc:
            raise DatabaseError(
                _("cannot use database {database}: {reason}").format(
                    database=describe(target), reason=redact(str(exc))
                )
            ) from exc
        if isinstance(db, peewee.SqliteDatabase):
            db = SqliteFile(db.database, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
            ensure_folder_of(Path(db.database))
            _create_shared(Path(db.database))
            db = _sqlite_as_allowed(Path(db.database), db)
        elif isinstance(db, peewee.PostgresqlDatabase):
            # A row lock held longer than SQLite's busy timeout is reported, not waited on
            # for ever; a transaction left open by a dead client is ended by the server.
            db.connect_params.setdefault(
                "options",
                f"-c lock_timeout={BUSY_TIMEOUT_MS} -c idle_in_transaction_session_timeout=60000",
            )
            # Loaded for a server only, as db_url is for a URL.
            from funnel_tui.storage.postgres_pool import PooledServer

            db = PooledServer(db.database, **db.connect_params)
        return db
    path = Path(target).expanduser()
    ensure_folder_of(path)
    _create_shared(path)
    return _sqlite_as_allowed(path)


def _sqlite_as_allowed(path: Path, db: peewee.SqliteDatabase | None = None) -> peewee.Database:
    """The SQLite file at `path` as this user may use it: read-only when they cannot
    write it, or a -wal or -shm beside it that they cannot write cannot be cleared now
    (file_access); else `db` (made from a URL) or the usual database."""
    unreadable = file_access.cannot_read(path)
    if unreadable:
        raise DatabaseError(unreadable)
    reading = file_access.read_only_reason(path) or file_access.clear_stale_sidecars(path)
    if reading is not None:
        return ReadOnlySqliteDatabase(path, reading)
    return db or SqliteFile(str(path), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")


class SqliteFile(FewIdle, PooledSqliteDatabase):
    """Peewee's SQLite database, with a rollback that leaves the error that ended the
    transaction to be told: SQLite rolls back by itself on a full disk or an I/O error,
    and Peewee's ROLLBACK after it ("cannot rollback - no transaction is active") would
    take the place of "database or disk is full". A connection that a full disk keeps
    from opening (no room for the -shm and -wal files: a "disk I/O error") is DiskFull.

    While the TUI runs (keep_connections), a connection a worker closes waits for the
    next worker (pools.py), which then skips reading the schema again. Otherwise, as on
    the command line, closing a connection ends it: the last one to end writes the WAL
    into the file (new_database counts on that)."""

    def __init__(self, database: str, **kwargs: Any) -> None:
        # One thread at a time, but not always the one that opened it (the pool).
        super().__init__(database, check_same_thread=False, **kwargs)

    def keeps_idle(self) -> bool:
        return _connections_kept

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except peewee.DatabaseError as exc:
            if full_at(exc, self.database):
                raise DiskFull(full_words(self.database)) from exc
            raise

    def _add_conn_hooks(self, conn: Any) -> None:
        # First: the pragmas after it wait for a lock as long as any statement does.
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        super()._add_conn_hooks(conn)

    def _initialize_connection(self, conn: Any) -> None:
        # At each use, new or from the pool: what may have changed since it was made.
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        checkpoint_pages = 0 if _checkpoints_deferred else SQLITE_CHECKPOINT_PAGES
        conn.execute(f"PRAGMA wal_autocheckpoint = {checkpoint_pages}")
        conn.execute(f"PRAGMA cache_size = {SQLITE_CACHE_SIZE}")  # a kept reader shrinks it

    def rollback(self) -> None:
        conn = self._state.conn
        if conn is not None and not conn.in_transaction:
            return
        super().rollback()


# SQLite's own defaults, which a connection from the pool is given back.
SQLITE_CHECKPOINT_PAGES = 1000
SQLITE_CACHE_SIZE = -2000  # KiB

# Whether a SQLite connection a thread closes waits in the pool for the next thread (the
# TUI's workers, one per read or write) rather than ending.
_connections_kept = False


def keep_connections(kept: bool = True) -> None:
    """Have SQLite connections that threads close wait for the next thread (True), or end
    as they are closed, the ones waiting too (False)."""
    global _connections_kept
    _connections_kept = kept
    db = database.obj
    if not kept and isinstance(db, FewIdle):
        db.close_idle()


# Whether this process's new SQLite connections leave the checkpoints (copying the WAL's
# pages into the file, with an fsync) to a thread of their own, checkpoint_quietly's
# caller, instead of to the commit that fills the WAL past 1,000 pages. In the TUI that
# commit is a rep's save: on the 100,000-lead demo one capture in 30 paid a checkpoint of
# 50–100 ms, which made the saves' p95 four times their median.
_checkpoints_deferred = False


def defer_checkpoints(deferred: bool = True) -> None:
    """Have SQLite connections, at their next use, leave checkpoints to
    checkpoint_quietly (the TUI's change watcher calls it once a second after any
    commit)."""
    global _checkpoints_deferred
    _checkpoints_deferred = deferred


def checkpoint_quietly(db: peewee.Database) -> None:
    """On SQLite, copy the WAL's committed pages into the file without waiting for any
    writer or reader (a PASSIVE checkpoint: what a reader still uses is left for the
    next). Nothing on PostgreSQL."""
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _require_postgres_driver() -> None:
    """PostgreSQL's driver is an optional extra (a SQLite install goes without it):
    its absence is said with what to install, not as peewee's ImproperlyConfigured."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        if peewee.psycopg2 is not None:  # type: ignore[attr-defined]
            return
    raise DatabaseError(
        _(
            "a postgresql:// database needs PostgreSQL's driver, psycopg2, which is not "
            "installed here: pip install 'funnel-tui[postgresql]' (see the README)"
        )
    )


def _create_shared(path: Path) -> None:
    """Create a new database file as SHARED_FILE_MODE whatever the umask: SQLite makes
    the WAL and SHM files with the mode of the database file, so one group shares all
    three. An existing file keeps the mode its owner gave it."""
    if str(path) in ("", ":memory:") or path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SHARED_FILE_MODE)
    except FileExistsError:
        return  # another instance created it just now
    except OSError as exc:
        raise DatabaseError(
            _("cannot create {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from exc
    try:
        os.fchmod(fd, SHARED_FILE_MODE)  # the umask narrowed the mode os.open gave
    finally:
        os.close(fd)


def ensure_folder_of(path: Path) -> None:
    """The folders above `path`, made where missing; DatabaseError saying why not."""
    if str(path) in ("", ":memory:"):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            _("cannot create the folder for {path}: {reason}").format(path=path, reason=exc)
        ) from exc


def open_database(
    target: str, *, migrate_schema: bool = True, create: bool = True
) -> peewee.Database:
    """Open `target`, bind the models to it, and bring its schema up to date.

    A new database gets the current schema; an older one is migrated in place in one
    transaction; one written by a newer funnel is refused without being touched. One this
    user cannot write is opened read-only (`db_read_only`), and only if it holds this
    funnel's schema: it cannot be migrated. A folder and another program's SQLite file
    are refused before anything is written; so are, with `create` False (the command
    line's rule), a file that is not there and one with nothing in it (before_opening).
    tables_created(db) says whether funnel's tables were made now.
    """
    look_before_opening(target, create)
    db = make_database(target)
    try:
        db.connect(reuse_if_open=True)
        bind_models(db)
        reading = db_read_only(db)
        if migrate_schema and reading is not None:
            require_current_schema(db, target, reading.why())
        elif migrate_schema:
            db.funnel_tables_created = ensure_schema(db, target) is None
            refresh_statistics(db)
    except peewee.DatabaseError as exc:
        end_connections(db)
        raise DatabaseError(
            _("cannot open {database}: {reason}").format(
                database=describe(target), reason=_plain(exc)
            )
        ) from exc
    except DatabaseError:
        end_connections(db)
        raise
    return db


def tables_created(db: peewee.Database) -> bool:
    """Whether open_database made funnel's tables in `db` (a new file, or a server's
    empty database)."""
    return getattr(db, "funnel_tables_created", False)


# Threads reading through the models outside any app's workers (read.ahead's, started
# before the app). A model query goes to whatever database the models are bound to when
# it runs, connecting there if it must: one such thread still reading after the database
# was closed or another bound would read another file, and would keep a connection on
# it. On a database being built (new_database), that connection kept its WAL from being
# written into the file before the file was put in place: a new database without tables.
_readers: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
READER_WAIT_SECONDS = 30.0  # then it is left to fail on its own


def reading_beside(thread: threading.Thread) -> None:
    """Have closing the database, or binding the models to another, wait for `thread`."""
    _readers.add(thread)


def wait_for_readers() -> None:
    """Wait until the threads reading_beside have ended."""
    for thread in list(_readers):
        if thread is not threading.current_thread():
            thread.join(READER_WAIT_SECONDS)


def bind_models(db: peewee.Database | None) -> None:
    """Bind the models to `db`, once no thread reads through them beside."""
    wait_for_readers()
    database.initialize(db)


def close_database() -> None:
    """Close this thread's connection and those waiting in the pool, once no thread
    reads through the models beside."""
    wait_for_readers()
    db = database.obj
    if db is not None:
        end_connections(db)


def end_connections(db: peewee.Database) -> None:
    """Close this thread's connection to `db` and end those waiting in its pool (a
    database given up, or one whose last connection must end: new_database)."""
    if not db.is_closed():
        db.close()
    if isinstance(db, FewIdle):
        db.close_pool()


def _plain(exc: Exception) -> str:
    text = redact(str(exc).strip()) or type(exc).__name__
    if "file is not a database" in text:
        return _(
            "it is not an SQLite file, or its first page is damaged: if it is your team's "
            "database, restore a backup (`funnel backup --list`, `funnel restore BACKUP`)"
        )
    return failure_words(exc)


DAMAGED = N_(
    "the database file is damaged, and nothing was written to it: `funnel check` says what "
    "is wrong, `funnel backup --list` lists the backups and `funnel restore BACKUP` puts "
    "one back"
)
CHANGED_UNDER = N_(
    "the database changed while funnel read it as it was when opened (read-only, taking no "
    "locks, as nobody else had it open then): open funnel again to see it as it is now"
)
# What SQLite says of a damaged file, wherever in it the damage is met (the last: its
# first page, said on opening by _plain); no retry mends one, and no write should touch it.
_DAMAGE_SAID = ("malformed", "could not decode to utf-8")
DAMAGE_WORDS = (*_DAMAGE_SAID, "file is not a database")


def is_damaged(exc: BaseException) -> bool:
    """Whether `exc` is SQLite meeting a damaged database file."""
    text = str(exc).lower()
    return any(words in text for words in DAMAGE_WORDS)


# What SQLite says, and what it means for the person at the terminal.
_SQLITE_MEANINGS = (
    (
        "readonly database",
        N_(
            "the database cannot be written by you, so nothing was saved (the file, or the "
            "folder it is in, is read-only for you; a team's members need the group's write "
            "permission on both)"
        ),
    ),
    (
        "unable to open database file",
        N_("the database cannot be opened (its folder cannot be written by you, or is gone)"),
    ),
    # A damaged file: said with the way back, wherever in the file the damage was met.
    *((words, DAMAGED) for words in _DAMAGE_SAID),
    # A full disk is told apart first (failure_words); this is an I/O error with room.
    ("disk i/o error", N_("the disk failed or is full")),
)


def failure_words(exc: BaseException) -> str:
    """A database error said for a person: what it means, then the driver's words, in
    one line with passwords hidden (redact). A full disk is said as one message, naming
    the database's disk (core.full_disk)."""
    if isinstance(exc, DiskFull):
        return str(exc)
    if disk_full(exc):
        return full_words(_file_of(database.obj))
    text = redact(" ".join(str(exc).split())) or type(exc).__name__
    for words, meaning in _SQLITE_MEANINGS:
        if words in text.lower():
            if meaning is DAMAGED and getattr(database.obj, "snapshot", False):
                # Pages changed under a read without locks: the file is most likely whole.
                return _("{meaning} ({reason})").format(meaning=_(CHANGED_UNDER), reason=text)
            known = _read_only_now() if words == "readonly database" else None
            if known is not None:  # said as every write refused for it is
                return ReadOnlyDatabase(known.why()).reason
            return _("{meaning} ({reason})").format(meaning=_(meaning), reason=text)
    return text


def _read_only_now() -> ReadOnly | None:
    """Why the open SQLite database cannot be written, as far as its files tell now:
    for SQLite's "attempt to write a readonly database" met where funnel did not foresee
    it (a file made read-only, or a -shm left by another user, since it was opened)."""
    db = database.obj
    reading = db_read_only(db)
    if reading is not None or not isinstance(db, peewee.SqliteDatabase):
        return reading
    if db.database.startswith("file:") or db.database in ("", ":memory:"):
        return None
    path = Path(db.database)
    return file_access.read_only_reason(path) or file_access.sidecar_reason(path)


def disk_full(exc: BaseException) -> bool:
    """Whether `exc`, met using the open database, says its disk is full."""
    return isinstance(exc, DiskFull) or full_at(exc, _file_of(database.obj))


def _file_of(db: peewee.Database | None) -> str | None:
    """The file of a SQLite database; None for a server or no database."""
    if not isinstance(db, peewee.SqliteDatabase) or db.database in ("", ":memory:"):
        return None
    return None if db.database.startswith("file:") else db.database
