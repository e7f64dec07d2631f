"""Opening the database a command or the TUI was given, under the rule for new ones: a new
database is made only at the default location (a newcomer's first run), with --create,
or, in the TUI, after a yes; and it is always said.

A mistyped `--db` or FUNNEL_DB used to make a new, empty file (its folders too) and exit
0, and a rep then worked in it believing the team's data gone. Now a path where no
database is is refused, naming the path and whether its folder is there; a 0-byte file
(a database cut short) is refused with the way to restore it; a folder and another
program's database are refused whatever the options (storage.before_opening).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from funnel_tui.core.errors import CliRefused, EmptyDatabase, NoDatabase
from funnel_tui.core.i18n import _, ngettext

# Asked (the TUI) whether to make a new database at this path; True for yes.
AskToCreate = Callable[[Path], bool]


def open_target(target: str, create: bool = False, ask: AskToCreate | None = None):
    """Open `target` (open_database) for a command or the TUI. A new SQLite database is
    made where none is only with `create`, at the default location, or when `ask` says
    yes; made, it is said on stderr, as funnel's tables made in a server's database are.
    NoDatabase or EmptyDatabase otherwise; CliRefused when the answer was no."""
    from funnel_tui.storage.database import open_database, tables_created
    from funnel_tui.storage.new_database import create_database, missing_folders
    from funnel_tui.storage.targets import describe

    try:
        db = open_database(target, create=False)
    except NoDatabase as missing:
        if not (create or is_default_location(missing.path)):
            if ask is None:
                raise
            if not ask(missing.path):
                said = _("nothing was created at {path}; funnel was not opened")
                raise CliRefused(said.format(path=missing.path)) from None
        folders = missing_folders(missing.path)
        if create_database(missing.path):
            _say_created(missing.path, folders)
        db = open_database(target, create=False)
    except EmptyDatabase as empty:
        if not create:
            raise
        create_database(empty.path, replace_empty=True)
        said = _("created a new database at {path}, in place of the empty file")
        _say(said.format(path=empty.path))
        db = open_database(target, create=False)
    else:
        if tables_created(db):  # a server's empty database: its first use
            _say(_("created funnel's tables in {database}").format(database=describe(target)))
    return db


def is_default_location(path: Path) -> bool:
    """Whether `path` is the database file in the user's data folder, where a newcomer's
    first run makes one (`funnel where` prints it)."""
    from funnel_tui.config.places import default_database_path

    return os.path.abspath(path) == os.path.abspath(default_database_path())


def _say_created(path: Path, folders: list[Path]) -> None:
    if not folders:
        _say(_("created a new database at {path}").format(path=path))
        return
    said = ngettext(
        "created a new database at {path}, and {count} folder for it: {folder}",
        "created a new database at {path}, and {count} folders for it, from {folder}",
        len(folders),
    )
    _say(said.format(path=path, count=len(folders), folder=folders[0]))


def _say(message: str) -> None:
    """One line on stderr, as cli.say writes it (that module imports this one)."""
    from funnel_tui.core.output import terminal_safe

    print(f"funnel: {terminal_safe(message)}", file=sys.stderr)
