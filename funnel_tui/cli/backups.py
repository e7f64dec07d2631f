"""Backups from the command line: backup [DEST], backup --list, restore BACKUP.

These commands never open the database through funnel (which would migrate it, or
refuse a damaged file): they copy and check files, and read a backup's lead count
and the presence of others with SQLite alone (storage.backups)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from funnel_tui.cli.common import EXIT_OK, AddCommand, format_option, print_json
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import _


def register(command: AddCommand) -> None:
    backup = command(
        "backup",
        _(
            "copy the database, checked, while others keep working: into DEST (a file or "
            "a folder), by default into backups/ beside the database"
        ),
    )
    backup.add_argument("dest", nargs="?", metavar="DEST", help=_("a file or a folder"))
    backup.add_argument(
        "--list", action="store_true", help=_("list the backups beside the database instead")
    )
    backup.add_argument(
        "--prune-before",
        metavar="DATE",
        help=_(
            "remove the backups (and files a restore replaced) made before DATE "
            "(2026-12-01, or a moment: 2026-12-01T15:30Z), e.g. after an erasure"
        ),
    )
    backup.add_argument("--yes", action="store_true", help=_("prune without asking"))
    format_option(backup)
    backup.set_defaults(run=cmd_backup)

    restore = command(
        "restore",
        _(
            "put a backup back as the database, after checking it; the database it "
            "replaces is kept beside it"
        ),
    )
    restore.add_argument("backup", metavar="BACKUP", help=_("a backup file"))
    restore.add_argument(
        "--to", metavar="PATH", help=_("restore into this file instead of the database")
    )
    restore.add_argument(
        "--force",
        action="store_true",
        help=_("restore over the database even while others have funnel open on it"),
    )
    format_option(restore)
    restore.set_defaults(run=cmd_restore)


def _target(args: argparse.Namespace) -> str:
    from funnel_tui.config import database_target

    return database_target(getattr(args, "db", None))


def cmd_backup(args: argparse.Namespace) -> int:
    from funnel_tui.storage import backups

    target = _target(args)
    database = backups.sqlite_path(target)
    if args.prune_before:
        if database is None:
            raise CliRefused(
                _("--prune-before prunes the backups of a database file; a server keeps its own")
            )
        return _prune(database, _moment(args.prune_before, _zone(args)), args)
    if args.list:
        if database is None:
            raise CliRefused(
                _("--list lists the backups of a database file; a server keeps its own")
            )
        found = backups.list_backups(backups.backup_folder(database))
        return _show_list(found, args.format, _zone(args))
    # A refusal (core.errors.BackupError) is said and exits 1 as every FunnelError does.
    if database is None:
        if not args.dest:
            raise CliRefused(_("name a file or folder for the dump of a server's database"))
        made = backups.backup_postgres(target, Path(args.dest))
        leads = None
    else:
        made, leads = backups.make_backup(database, Path(args.dest) if args.dest else None)
    size = made.stat().st_size
    if args.format == "json":
        print_json({"path": str(made), "size": size, "leads": leads})
    else:
        print(_said_made(made, size, leads))
    return EXIT_OK


def _moment(text: str, zone: dt.tzinfo) -> dt.datetime:
    """--prune-before's DATE: a day (from its midnight in the rep's zone) or a moment."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        said = _("--prune-before: {text!r} is not a date (2026-12-01) or a moment (…T15:30Z)")
        raise CliRefused(said.format(text=text)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _prune(database: Path, moment: dt.datetime, args: argparse.Namespace) -> int:
    import sys

    from funnel_tui.cli.assign import confirmed
    from funnel_tui.core.output import terminal_safe
    from funnel_tui.storage import backups

    found = backups.copies_before(database, moment)
    if found and not args.yes:
        if not sys.stdin.isatty():
            raise CliRefused(_("nothing pruned; add --yes to remove them without asking"))
        for path in found:
            print(terminal_safe(str(path)))
        if not confirmed(input(_("Remove these copies for good? [y/N] "))):
            print(_("nothing pruned"))
            return EXIT_OK
    removed = backups.prune_before(database, moment)
    if args.format == "json":
        print_json({"removed": [str(p) for p in removed]})
        return EXIT_OK
    if not removed:
        print(_("no backup was made before then"))
    for path in removed:
        print(_("removed {path}").format(path=terminal_safe(str(path))))
    return EXIT_OK


def _said_made(path: Path, size: int, leads: int | None) -> str:
    from funnel_tui.core.formats import number
    from funnel_tui.core.i18n import ngettext
    from funnel_tui.core.output import terminal_safe

    if leads is None:
        return _("backed up to {path} ({size})").format(
            path=terminal_safe(str(path)), size=_size(size)
        )
    said = ngettext(
        "backed up to {path} ({size}, {count} lead), checked",
        "backed up to {path} ({size}, {count} leads), checked",
        leads,
    )
    return said.format(path=terminal_safe(str(path)), size=_size(size), count=number(leads))


def _size(size: int) -> str:
    from funnel_tui.core.formats import number

    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= scale:
            return f"{number(size / scale, 1)} {unit}"
    return _("{count} bytes").format(count=number(size))


def _zone(args: argparse.Namespace) -> dt.tzinfo:
    from funnel_tui.config import load_config
    from funnel_tui.core.dates import user_zone

    return user_zone(load_config(getattr(args, "config", None)).timezone)


def _show_list(found, form: str, zone: dt.tzinfo) -> int:
    from funnel_tui.cli.tables import write_table
    from funnel_tui.core.formats import number
    from funnel_tui.core.output import terminal_safe

    if form == "json":
        print_json(
            [
                {
                    "path": str(b.path),
                    "taken_at": b.taken_at,
                    "size": b.size,
                    "leads": b.leads,
                }
                for b in found
            ]
        )
        return EXIT_OK
    if not found:
        print(_("no backups yet: `funnel backup` makes one"))
        return EXIT_OK
    import sys

    rows = [
        {
            "taken": _when(b.taken_at, zone) if b.taken_at else "",
            "size": _size(b.size),
            "leads": number(b.leads) if b.leads is not None else _("unreadable"),
            "file": terminal_safe(b.path.name),
        }
        for b in found
    ]
    write_table(rows, ["taken", "size", "leads", "file"], sys.stdout)
    return EXIT_OK


def _when(moment: dt.datetime, zone: dt.tzinfo) -> str:
    from funnel_tui.core.formats import date_short

    local = moment.astimezone(zone)
    return f"{date_short(local.date())} {local:%H:%M}"


def cmd_restore(args: argparse.Namespace) -> int:
    from funnel_tui.core.output import terminal_safe
    from funnel_tui.storage import backups
    from funnel_tui.storage.targets import describe

    target = _target(args)
    source = Path(args.backup).expanduser()
    if not source.is_file():
        raise CliRefused(_("{path} is not a file").format(path=terminal_safe(str(source))))
    database = Path(args.to).expanduser() if args.to else backups.sqlite_path(target)
    if database is None:
        backups.restore_postgres(source, target)
        if args.format == "json":
            print_json({"restored": describe(target), "kept": None})
        else:
            print(_("restored {backup} into the server's database").format(backup=source))
        return EXIT_OK
    if not args.to and not args.force:
        others = backups.open_elsewhere(database)
        if others:
            raise CliRefused(
                _(
                    "{users} have funnel open on {path}: ask them to close it, or "
                    "restore with --to into another file (or --force)"
                ).format(users=", ".join(others), path=terminal_safe(str(database)))
            )
    kept = backups.restore_sqlite(source, database)
    if args.format == "json":
        print_json({"restored": str(database), "kept": str(kept) if kept else None})
        return EXIT_OK
    print(_("restored {backup} as {path}").format(backup=source, path=database))
    if kept:
        print(_("the database it replaced is kept as {path}").format(path=kept))
    return EXIT_OK
