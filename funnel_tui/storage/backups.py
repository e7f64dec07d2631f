"""Backups of a funnel database, and putting one back.

A SQLite backup is a consistent copy taken while others keep writing: SQLite's online
backup API copies every page in one step inside a read transaction, which in WAL mode
never blocks a writer. The copy is written under a hidden name beside its destination
(`.NAME.xxxx.part`), switched out of WAL mode so that it is one self-contained file,
checked (PRAGMA quick_check, and the funnel schema it holds), synced to disk, and only
then renamed to its final name. A backup killed at any moment therefore leaves at most
a hidden part file, never a file under a backup's name; the next backup into that
folder sweeps part files left by dead runs.

Backups made without a destination go into `backups/` beside the database, named by
the database and the moment they were taken in UTC (`funnel-20261204T083000Z.db`), with
the database's group and permission bits, so a team sharing the database shares them.

On PostgreSQL a backup is `pg_dump --format=custom`, written the same way (hidden part
file, then renamed); restoring one is `pg_restore`. Without the client programs the
refusal names the package to install.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from funnel_tui.core.errors import BackupError, ReadOnlyDatabase
from funnel_tui.core.full_disk import full_at, full_words, is_full
from funnel_tui.core.i18n import _
from funnel_tui.storage import file_access

BACKUP_FOLDER = "backups"
# A backup's name: the database's stem and the moment, to the second, in UTC.
_STAMP = "%Y%m%dT%H%M%SZ"
_NAMED = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)(?:-\d+)?\.(?:db|dump)$")
PART_SUFFIX = ".part"
# A part file older than this is a dead run's: a live backup of even a large database
# renames its part file within minutes.
STALE_PART = dt.timedelta(hours=6)
# The tables a funnel database always has: a copy without them is not one.
_FUNNEL_TABLES = ("funnel_meta", "lead", "user")
_CHECK_MMAP = 1 << 30  # bytes of a file checked that are mapped rather than read


@dataclass(frozen=True)
class BackupFile:
    """A backup as `backup --list` shows it."""

    path: Path
    taken_at: dt.datetime | None  # UTC, from the name (None: a name funnel did not give)
    size: int  # bytes
    leads: int | None  # None when the file cannot be read as a funnel database


def sqlite_path(target: str) -> Path | None:
    """The file of a SQLite target (a path or sqlite:///PATH), None for a server."""
    if "://" not in target:
        return Path(target).expanduser()
    scheme, _sep, rest = target.partition("://")
    if scheme.lower() != "sqlite":
        return None
    # As Peewee reads it: sqlite:///team.db is team.db here, sqlite:////srv/team.db absolute.
    return Path(rest.split("?", 1)[0].removeprefix("/")).expanduser()


def backup_folder(database: Path) -> Path:
    return database.parent / BACKUP_FOLDER


def backup_name(stem: str, at: dt.datetime, suffix: str = ".db") -> str:
    return f"{stem}-{at.astimezone(dt.UTC).strftime(_STAMP)}{suffix}"


def taken_at(path: Path) -> dt.datetime | None:
    found = _NAMED.match(path.name)
    if not found:
        return None
    return dt.datetime.strptime(found["stamp"], _STAMP).replace(tzinfo=dt.UTC)


# ------------------------------------------------------------------ SQLite


def backup_sqlite(
    database: Path, destination: Path | None = None, now: dt.datetime | None = None
) -> Path:
    """Copy the SQLite database at `database` to `destination` (a file, or a folder to
    name the backup in; default: backups/ beside the database) and return where it went.
    The copy is checked before it takes its name; BackupError says why it could not be."""
    return make_backup(database, destination, now)[0]


def make_backup(
    database: Path, destination: Path | None = None, now: dt.datetime | None = None
) -> tuple[Path, int]:
    """backup_sqlite, with the number of leads the check of the copy counted."""
    database = Path(database)
    if not database.is_file():
        raise BackupError(
            _("{path} is not a database file: nothing to back up").format(path=database)
        )
    now = now or dt.datetime.now(dt.UTC)
    target = _destination(database, destination, now)
    folder = target.parent
    _make_folder(folder, database)
    sweep_parts(folder)
    part = _part_file(target)
    try:
        with closing(_connect(database)) as source, closing(sqlite3.connect(part)) as copy:
            # The part file needs no journal of its own: it is thrown away if anything
            # fails, and synced whole (_sync) before it takes its name.
            copy.execute("PRAGMA journal_mode=OFF")
            copy.execute("PRAGMA synchronous=OFF")
            # One step: the whole copy inside one read transaction, a consistent moment.
            # Written to the disk as it is made: a single sync of the whole file at the
            # end floods the disk, and others' commits wait behind it (p99 410 ms).
            with _trickling_to_disk(part):
                source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        _same_access(part, database)
        # The check reads the copy from memory while the disk takes it: side by side,
        # both must be done before it takes its name.
        with ThreadPoolExecutor(max_workers=1) as disk:
            synced = disk.submit(_sync, part)
            leads = _check_copy(part, str(target))
            synced.result()
        os.replace(part, target)
        _sync_folder(folder)
    except BaseException as exc:
        with suppress(OSError):
            part.unlink()
        if isinstance(exc, sqlite3.Error) and full_at(exc, folder):
            raise BackupError(full_words(folder)) from exc
        if isinstance(exc, sqlite3.Error):
            raise BackupError(
                _("the backup of {path} failed: {reason}").format(path=database, reason=exc)
            ) from exc
        if isinstance(exc, OSError):
            raise BackupError(_os_words(exc, target)) from exc
        raise
    return target, leads


def _destination(database: Path, destination: Path | None, now: dt.datetime) -> Path:
    if destination is None:
        return backup_folder(database) / backup_name(database.stem, now)
    destination = Path(destination).expanduser()
    if destination.is_dir():
        return destination / backup_name(database.stem, now)
    if destination.resolve() == database.resolve():
        raise BackupError(_("a backup cannot be written over the database it copies"))
    return destination


def _connect(database: Path) -> sqlite3.Connection:
    """A connection to copy from: a database this user cannot write is read without
    SQLite making a -wal or -shm beside it that would then block the team
    (file_access.reading_uri)."""
    if file_access.read_only_reason(database) is not None:
        connection = sqlite3.connect(file_access.reading_uri(database), uri=True, timeout=10)
    else:
        connection = sqlite3.connect(database, timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    return connection


def _part_file(target: Path) -> Path:
    import secrets

    while True:
        part = target.parent / f".{target.name}.{secrets.token_hex(4)}{PART_SUFFIX}"
        try:
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return part


def sweep_parts(folder: Path, now: float | None = None) -> int:
    """Delete the part files of dead runs in `folder` (older than STALE_PART)."""
    now = now or time.time()
    gone = 0
    with suppress(OSError):
        for part in folder.glob(f".*{PART_SUFFIX}"):
            with suppress(OSError):
                if now - part.stat().st_mtime > STALE_PART.total_seconds():
                    part.unlink()
                    gone += 1
    return gone


def _make_folder(folder: Path, database: Path) -> None:
    """The backups folder, made with the database folder's group and mode when new."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True)
        info = database.parent.stat()
        os.chmod(folder, info.st_mode & 0o7777)
        with suppress(OSError):  # a group we do not belong to cannot be given
            os.chown(folder, -1, info.st_gid)
    except OSError as exc:
        raise BackupError(_os_words(exc, folder)) from exc


def _same_access(path: Path, like: Path) -> None:
    """The database's group and read/write bits: whoever may read it may read this."""
    info = like.stat()
    os.chmod(path, info.st_mode & 0o666)
    with suppress(OSError):
        os.chown(path, -1, info.st_gid)


@contextmanager
def _trickling_to_disk(path: Path, every: float = 0.02) -> Iterator[None]:
    """Within: what has been written to `path` is synced every `every` seconds, from a
    thread of its own (SQLite's copy runs without the interpreter's lock)."""
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(every):
            with suppress(OSError):
                _sync(path, data_only=True)

    thread = threading.Thread(target=trickle, name="funnel-backup-sync", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _sync(path: Path, data_only: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        (os.fdatasync if data_only else os.fsync)(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    with suppress(OSError):  # not every file system syncs a folder
        _sync(folder)


def file_problems(path: Path) -> list[str]:
    """What SQLite's integrity_check finds wrong with the database file at `path`, read
    read-only (a damaged file is never written to); [] when it is whole."""
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as db:
            found = [row[0] for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if found == ["ok"] else found


def _read_only_uri(path: Path) -> str:
    """`path` opened read-only; by a user who cannot write it, without making a -wal or
    -shm beside it (file_access)."""
    if file_access.read_only_reason(path) is not None:
        return file_access.reading_uri(path)
    return f"file:{path}?mode=ro"


def check_file(path: Path) -> int:
    """The number of leads of the funnel database at `path` after checking that it is
    whole (quick_check) and funnel's; BackupError naming what is wrong otherwise."""
    return _check_copy(Path(path), str(path))


def _check_copy(path: Path, name: str) -> int:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            copy.execute(f"PRAGMA mmap_size={_CHECK_MMAP}")  # a quarter faster than read()
            verdict = [row[0] for row in copy.execute("PRAGMA quick_check")]
            if verdict != ["ok"]:
                raise BackupError(
                    _("{name} is damaged: {reason}").format(
                        name=name, reason="; ".join(verdict[:3])
                    )
                )
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
            if not set(_FUNNEL_TABLES) <= tables:
                raise BackupError(_("{name} is not a funnel database").format(name=name))
            return copy.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("{name} is damaged: {reason}").format(name=name, reason=exc)) from exc


def auto_backup(
    database: Path,
    every: dt.timedelta,
    keep_daily: int,
    keep_weekly: int,
    now: dt.datetime | None = None,
) -> Path | None:
    """The backup an instance makes by itself: one into backups/ beside the database
    when the newest there is older than `every`, then the ones past keeping deleted
    (keep_to). None when none was due, or another instance is making it right now (a
    lock on backups/.lock: never two at once, across instances and users)."""
    import fcntl

    now = now or dt.datetime.now(dt.UTC)
    folder = backup_folder(database)
    if not _due(folder, every, now):
        return None
    _make_folder(folder, database)
    try:
        lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o660)
    except OSError as exc:
        raise BackupError(_os_words(exc, folder / ".lock")) from exc
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another instance is at it
        if not _due(folder, every, now):  # it has just made one
            return None
        made = backup_sqlite(database, None, now)
        for old in keep_to(list_backups(folder, count=False), keep_daily, keep_weekly):
            if old.path != made:  # kept whatever the counts say: it is the newest
                with suppress(OSError):
                    old.path.unlink()
        return made
    finally:
        os.close(lock)  # and with it the lock


def _due(folder: Path, every: dt.timedelta, now: dt.datetime) -> bool:
    taken = [b.taken_at for b in list_backups(folder, count=False) if b.taken_at]
    return not taken or now - max(taken) >= every


def keep_to(found: list[BackupFile], daily: int, weekly: int) -> list[BackupFile]:
    """The backups of `found` (named by their moment) past keeping: of each of the last
    `daily` days with a backup and of each of the last `weekly` ISO weeks with one, the
    newest stays; files funnel did not name are never counted or deleted."""
    named = sorted((b for b in found if b.taken_at), key=lambda b: b.taken_at, reverse=True)
    kept: set[Path] = set()
    for size, period in ((daily, _day), (weekly, _week)):
        seen: list = []
        for backup in named:
            key = period(backup.taken_at)
            if key not in seen:
                seen.append(key)
                if len(seen) > size:
                    break
                kept.add(backup.path)
    return [b for b in named if b.path not in kept]


def _day(moment: dt.datetime) -> dt.date:
    return moment.date()


def _week(moment: dt.datetime) -> tuple[int, int]:
    year, week, _weekday = moment.isocalendar()
    return year, week


def list_backups(folder: Path, count: bool = True) -> list[BackupFile]:
    """The backups in `folder`, oldest first (files funnel named by their moment first,
    by that moment; part files of running or dead backups left out)."""
    found = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix not in (".db", ".dump"):
            continue
        leads = None
        if count and path.suffix == ".db":
            with suppress(BackupError):
                leads = _count_leads(path)
        found.append(BackupFile(path, taken_at(path), path.stat().st_size, leads))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda b: (b.taken_at or epoch, b.path.name))


def copies_before(database: Path, moment: dt.datetime) -> list[Path]:
    """The copies of `database` made before `moment` (aware): its backups in backups/
    and the files a restore replaced (NAME.replaced-STAMP). What still holds data
    erased since, until they expire or are pruned."""
    found = [
        b.path
        for b in list_backups(backup_folder(database), count=False)
        if _made_at(b.path, b.taken_at) < moment
    ]
    replaced = database.parent.glob(f"{glob.escape(database.name)}.replaced-*")
    found += sorted(p for p in replaced if p.is_file() and _made_at(p, None) < moment)
    return found


def prune_before(database: Path, moment: dt.datetime) -> list[Path]:
    """Remove the copies copies_before names; returns them."""
    removed = []
    for path in copies_before(database, moment):
        with suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


def _made_at(path: Path, named: dt.datetime | None) -> dt.datetime:
    """When a copy was made: the moment in its name, else its file's time."""
    if named is not None:
        return named
    stamp = path.name.rpartition(".replaced-")[2]
    with suppress(ValueError):
        return dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _count_leads(path: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            return copy.execute('SELECT COUNT(*) FROM "lead"').fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(str(exc)) from exc


def restore_sqlite(backup: Path, target: Path, now: dt.datetime | None = None) -> Path | None:
    """Put the backup at `backup` in place as the database at `target`, after checking
    it. The database it replaces is kept beside it (`NAME.replaced-STAMP`) and that
    path returned; None when nothing was there. The caller has made sure nobody else
    has the database open (open_elsewhere)."""
    backup, target = Path(backup), Path(target)
    reading = file_access.read_only_reason(target)
    if reading is not None:  # made read-only on purpose: not replaced behind its back
        raise BackupError(ReadOnlyDatabase(reading.why()).reason)
    check_file(backup)
    now = now or dt.datetime.now(dt.UTC)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = _part_file(target)
    kept = None
    try:
        reading = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        with closing(reading) as source, closing(sqlite3.connect(part)) as copy:
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=WAL")
        _check_copy(part, str(target))
        if target.exists():
            _same_access(part, target)
            _checkpoint(target)
            kept = target.with_name(f"{target.name}.replaced-{now.strftime(_STAMP)}")
            os.link(target, kept)  # the old file stays whole under its new name
        _sync(part)
        os.replace(part, target)
        for leftover in ("-wal", "-shm"):
            with suppress(FileNotFoundError):
                Path(f"{target}{leftover}").unlink()
        _sync_folder(target.parent)
    except BaseException as exc:
        with suppress(OSError):
            part.unlink()
        if isinstance(exc, OSError):
            raise BackupError(_os_words(exc, target)) from exc
        if isinstance(exc, sqlite3.Error):
            raise BackupError(
                _("the restore into {path} failed: {reason}").format(path=target, reason=exc)
            ) from exc
        raise
    return kept


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the database."""
    with suppress(sqlite3.DatabaseError), closing(_connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def open_elsewhere(database: Path, within: dt.timedelta = dt.timedelta(seconds=15)) -> list[str]:
    """The logins with funnel open on the database at `database` (its presence rows
    seen within `within`), read without opening it through funnel; [] when it has none
    or cannot tell (a damaged file: what a restore is for)."""
    if not database.is_file():
        return []
    cutoff = (dt.datetime.now(dt.UTC) - within).replace(tzinfo=None)
    try:
        with closing(sqlite3.connect(_read_only_uri(database), uri=True, timeout=2)) as db:
            rows = db.execute(
                'SELECT DISTINCT "login" FROM "presence" WHERE "seen_at" >= ? ORDER BY 1',
                (cutoff.isoformat(sep=" "),),
            ).fetchall()
    except sqlite3.DatabaseError:
        return []
    return [row[0] for row in rows]


def _os_words(exc: OSError, path: Path) -> str:
    import errno

    if is_full(exc):
        return full_words(path.parent)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("{path} cannot be written: check its folder's permissions").format(path=path)
    return _("{path}: {reason}").format(path=path, reason=exc.strerror or exc)


# ------------------------------------------------------------------ PostgreSQL


def backup_postgres(url: str, destination: Path, now: dt.datetime | None = None) -> Path:
    """pg_dump's custom format of the database at `url`, into `destination` (a file, or
    a folder to name it in), written under a part name and renamed when complete."""
    from funnel_tui.storage.targets import redact

    tool = _client("pg_dump")
    now = now or dt.datetime.now(dt.UTC)
    destination = Path(destination).expanduser()
    if destination.is_dir():
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "funnel"
        destination = destination / backup_name(name, now, ".dump")
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = _part_file(destination)
    try:
        done = subprocess.run(
            [tool, "--format=custom", "--no-owner", f"--file={part}", "--dbname", _bare(url)],
            capture_output=True,
            text=True,
            env=_pg_env(url),
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(
                _("pg_dump failed: {reason}").format(reason=redact(done.stderr.strip()))
            )
        _sync(part)
        os.replace(part, destination)
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise
    return destination


def restore_postgres(dump: Path, url: str) -> None:
    """pg_restore of a custom-format dump into the database at `url`, replacing what
    the dump holds (--clean), in one transaction: all of it or nothing."""
    from funnel_tui.storage.targets import redact

    tool = _client("pg_restore")
    listed = subprocess.run(
        [tool, "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise BackupError(
            _("{name} is damaged: {reason}").format(name=dump, reason=listed.stderr.strip())
        )
    done = subprocess.run(
        [
            *(tool, "--clean", "--if-exists", "--no-owner", "--single-transaction"),
            *("--dbname", _bare(url), str(dump)),
        ],
        capture_output=True,
        text=True,
        env=_pg_env(url),
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            _("pg_restore failed: {reason}").format(reason=redact(done.stderr.strip()))
        )


def _client(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "{tool} is not installed: install PostgreSQL's client programs "
                "(postgresql-client on Debian and Ubuntu) to back up or restore a server's database"
            ).format(tool=name)
        )
    return found


def _bare(url: str) -> str:
    """The URL without its password (given in PGPASSWORD instead: a command line is
    visible to every user of the server) and in libpq's scheme."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, ""))


def _pg_env(url: str) -> dict[str, str]:
    """The environment for pg_dump: the URL's password decoded, passed out of sight."""
    from urllib.parse import unquote, urlsplit

    env = dict(os.environ)
    password = urlsplit(url).password
    if password:
        env["PGPASSWORD"] = unquote(password)
    return env
