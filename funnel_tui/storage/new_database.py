"""Making a new SQLite database whole: built under a temporary name beside its path, then
put in place in one step, so that nobody ever finds a half-made database there.

A 0-byte file at a database's path is then never one funnel is making (another instance
starting at the same moment, or one killed half-way): it is a database cut short, which
before_opening refuses instead of filling in. When two instances make the same new
database at once, the first one in place stays and the other's is thrown away.
"""

from __future__ import annotations

import os
import secrets
from contextlib import suppress
from pathlib import Path

from funnel_tui.core.errors import DatabaseError
from funnel_tui.core.i18n import _
from funnel_tui.storage.database import (
    bind_models,
    end_connections,
    ensure_folder_of,
    make_database,
)
from funnel_tui.storage.models import database
from funnel_tui.storage.schema import ensure_schema


def missing_folders(path: Path) -> list[Path]:
    """The folders above `path` that are not there, outermost first."""
    missing: list[Path] = []
    folder = Path(os.path.abspath(path)).parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def create_database(path: Path, replace_empty: bool = False) -> bool:
    """Make a new, empty funnel database at `path`, with the folders above it that are
    missing. With `replace_empty` it takes the place of the empty file there (0 bytes, or
    SQLite without tables: before_opening's EmptyDatabase). Returns False when another
    instance put a database there meanwhile (kept as it is), True otherwise. The models
    stay bound to the database they were bound to (open_database binds them)."""
    path = Path(os.path.abspath(path))
    ensure_folder_of(path)
    building = path.with_name(f".{path.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        db = make_database(str(building))  # SHARED_FILE_MODE, as any new database file
        bound = database.obj
        try:
            db.connect()
            bind_models(db)  # ensure_schema writes through the models
            ensure_schema(db, str(path))
        finally:
            # The last connection: its WAL is written into the file and removed.
            end_connections(db)
            bind_models(bound)
        _sync(building)
        if replace_empty:
            os.replace(building, path)
            placed = True
        else:
            placed = _link(building, path)
        _sync(path.parent)
    except OSError as exc:
        raise DatabaseError(
            _("cannot create {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    finally:
        for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            with suppress(OSError):
                leftover.unlink()
    return placed


def _link(building: Path, path: Path) -> bool:
    """Put `building` at `path` unless something is there by now (False then)."""
    try:
        os.link(building, path)
    except FileExistsError:
        return False
    except OSError:
        # A file system without hard links: a rename, which would replace a database
        # made there in the instant since the look, so looked at once more.
        if path.exists():
            return False
        os.rename(building, path)
    return True


def _sync(path: Path) -> None:
    with suppress(OSError):  # not every file system syncs a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
