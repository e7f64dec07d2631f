"""A full disk, told apart from other failures and said in one message wherever funnel
meets it: the disk holding what was being written, and what to do (free some space and
try again).

A full disk reaches funnel as the system's ENOSPC (or EDQUOT, a quota used up), as
SQLite's SQLITE_FULL ("database or disk is full"), as PostgreSQL's disk_full, or, when
SQLite could not grow its shared-memory file or write its log, as a plain "disk I/O
error": that one is a full disk only when the disk has no room left (`no_room`), which
the caller checks with the path it was writing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from funnel_tui.core.i18n import _

_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_SQLITE_FULL = 13
_SQLITE_IOERR = 10  # a primary code: the extended ones (SHMSIZE, WRITE, FSYNC) add bits above
_PG_DISK_FULL = "53100"
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk quota exceeded")
# Less free room than this on the disk of a file SQLite failed to write: it is full
# (a page, a log frame or the shared-memory file's next 32 KiB did not fit).
LOW_ROOM = 1024 * 1024


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: a driver's error inside Peewee's, a cause, a context."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(found) < 8:
        seen = todo.pop(0)
        if seen is None or any(seen is f for f in found):
            continue
        found.append(seen)
        if seen.args and isinstance(seen.args[0], BaseException):
            todo.append(seen.args[0])
        todo += [getattr(seen, "orig", None), seen.__cause__, seen.__context__]
    return found


def is_full(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) says a disk is full."""
    for seen in _chain(exc):
        if isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS:
            return True
        if getattr(seen, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        if getattr(seen, "pgcode", None) == _PG_DISK_FULL:
            return True
        if any(words in str(seen).lower() for words in _FULL_WORDS):
            return True
    return False


def is_io_error(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "disk I/O error", which a full disk may be behind."""
    for seen in _chain(exc):
        code = getattr(seen, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == _SQLITE_IOERR:
            return True
        if "disk i/o error" in str(seen).lower():
            return True
    return False


def no_room(path: Path | str) -> bool:
    """Whether the disk holding `path` (or its nearest folder that exists) has less than
    LOW_ROOM free for this user."""
    where = Path(path).absolute()
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        disk = os.statvfs(where)
    except (OSError, AttributeError):  # no statvfs (Windows): not known to be full
        return False
    return disk.f_bavail * disk.f_frsize < LOW_ROOM


def full_at(exc: BaseException, path: Path | str | None) -> bool:
    """Whether `exc`, met writing `path`, is a full disk: said so, or an I/O error on a
    disk with no room left."""
    if is_full(exc):
        return True
    return path is not None and is_io_error(exc) and no_room(path)


def full_words(path: Path | str | None = None) -> str:
    """The one message of a full disk: which disk, and what to do."""
    if path is None:
        return _("the disk is full: free some space and try again")
    return _("the disk holding {path} is full: free some space and try again").format(path=path)
