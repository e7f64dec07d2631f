"""What is at a database file's path before funnel opens it: nothing, a file with nothing
in it, a folder, another program's database, or a funnel database.

Opening writes at once (the WAL pragma rewrites the file's header, and a new file gets
funnel's tables), so what must not be written is refused before any connection is made:
another program's SQLite file always, and, unless the caller asks for a new database
(`create`), a path where none is or a file with nothing in it. A mistyped `--db` would
otherwise leave a rep working in a new, empty file, believing the team's data gone; and
a file cut to 0 bytes would be made into an empty database instead of restored. A file
that is not SQLite at all is left to the driver, whose refusal database.py words.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from funnel_tui.core.errors import DatabaseError, EmptyDatabase, NoDatabase
from funnel_tui.core.i18n import _
from funnel_tui.storage.list_index import SEARCH_TABLE
from funnel_tui.storage.models import ALL_MODELS, MetaEntry
from funnel_tui.storage.targets import is_url

SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MODE = 2  # byte 18 of the header: 1 for a rollback journal, 2 for WAL
_TABLES_NAMED = 3  # a foreign database's tables named in its refusal


def sqlite_file(target: str) -> Path | None:
    """The file of a SQLite target as Peewee reads it (a path, `~` expanded, or
    sqlite:///relative and sqlite:////absolute); None for a server and for memory."""
    if not is_url(target):
        return None if target in ("", ":memory:") else Path(target).expanduser()
    from urllib.parse import urlsplit

    parts = urlsplit(target)
    if not parts.scheme.lower().startswith("sqlite"):
        return None
    path = parts.path[1:]
    return None if path in ("", ":memory:") else Path(path)


def look_before_opening(target: str, create: bool) -> None:
    """Refuse, before anything is written, to open `target` where it is:
    - a folder (DatabaseError);
    - another program's SQLite database (DatabaseError);
    - with `create` False: no file (NoDatabase), or a file with nothing in it, 0 bytes or
      SQLite without tables (EmptyDatabase).
    A server, a funnel database and a file that is not SQLite pass: open_database
    migrates the first two and the driver refuses the last."""
    path = sqlite_file(target)
    if path is None:
        return
    shown = os.path.abspath(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if create:
            return
        raise NoDatabase(_missing(path), Path(shown)) from None
    except OSError:
        return  # not ours to say (a folder without search permission): the driver says it
    if stat.S_ISDIR(info.st_mode):
        said = _(
            "{path} is a folder, not a database file: give the file's path (such as {example})"
        )
        raise DatabaseError(said.format(path=shown, example=os.path.join(shown, "funnel.db")))
    if info.st_size == 0 and not _wal_has_data(path):
        if create:
            return
        raise EmptyDatabase(_cut_short(shown), Path(shown))
    tables = _tables(path)
    if tables is None or _is_funnels(tables):
        return
    if not tables:
        if create:
            return
        raise EmptyDatabase(_no_tables(shown), Path(shown))
    raise DatabaseError(_foreign(shown, tables))


def _is_funnels(tables: list[str]) -> bool:
    """Whether the tables are funnel's: its meta table is there (the schema version,
    which ensure_schema reads), or every table is one of funnel's."""
    if MetaEntry._meta.table_name in tables:
        return True
    ours = {model._meta.table_name for model in ALL_MODELS}
    return bool(tables) and all(t in ours or t.startswith(SEARCH_TABLE) for t in tables)


def _wal_has_data(path: Path) -> bool:
    """A database just made by an instance that still has it open can be 0 bytes with
    its pages all in the WAL file beside it."""
    try:
        return os.path.getsize(f"{path}-wal") > 0
    except OSError:
        return False


def _tables(path: Path) -> list[str] | None:
    """The tables of the SQLite file at `path`, read without writing to it; None when it
    is not SQLite or cannot be read that way (the driver then says why)."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except OSError:
        return None
    if not header.startswith(SQLITE_MAGIC):
        return None
    uri = path.absolute().as_uri() + "?mode=ro"
    if (
        len(header) > 18
        and header[18] == _WAL_MODE
        and not os.path.exists(f"{path}-shm")
        and not _wal_has_data(path)
    ):
        # A WAL file nobody has open holds everything in itself; read as it is, or a
        # read-only connection would leave -wal and -shm files beside another program's
        # database.
        uri += "&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
        try:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return [name for (name,) in rows if not name.startswith("sqlite_")]


def _missing(path: Path) -> str:
    shown, folder = os.path.abspath(path), os.path.dirname(os.path.abspath(path))
    if os.path.isdir(folder):
        said = _(
            "there is no database at {path} (its folder {folder} is there, the file is not); "
            "nothing was created. Check the path (`funnel where` shows the one in use), or "
            "add --create to make a new, empty database there"
        )
    else:
        said = _(
            "there is no database at {path}, nor its folder {folder}; nothing was created. "
            "Check the path (`funnel where` shows the one in use), or add --create to make "
            "a new, empty database there, with its folder"
        )
    return said.format(path=shown, folder=folder)


def _cut_short(shown: str) -> str:
    return _(
        "{path} is empty (0 bytes): most likely a database cut short (a full disk, a copy "
        "that stopped half-way); nothing was written to it. `funnel backup --list` lists "
        "the backups and `funnel restore BACKUP` puts one back; --create makes a new, "
        "empty database in its place"
    ).format(path=shown)


def _no_tables(shown: str) -> str:
    return _(
        "{path} is an SQLite database with no tables in it, not a funnel database; nothing "
        "was written to it. If it should hold your team's data, `funnel backup --list` "
        "lists the backups and `funnel restore BACKUP` puts one back; --create makes a "
        "new, empty funnel database in it"
    ).format(path=shown)


def _foreign(shown: str, tables: list[str]) -> str:
    named = ", ".join(sorted(tables)[:_TABLES_NAMED])
    if len(tables) > _TABLES_NAMED:
        named += ", …"
    return _(
        "{path} is not a funnel database: its tables ({tables}) are not funnel's but "
        "another program's; nothing was written to it. Check the path (`funnel where` "
        "shows the one in use)"
    ).format(path=shown, tables=named)
