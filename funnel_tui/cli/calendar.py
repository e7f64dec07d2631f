"""`funnel calendar`: your next actions as an iCalendar file; and the calendar file of
funnel.toml kept current after every command that changed something."""

from __future__ import annotations

import argparse
import sys

from funnel_tui.cli.common import EXIT_OK, AddCommand, Context, say_warning
from funnel_tui.core.errors import CalendarFileError, CliRefused
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _, ngettext

# Ten years: beyond, a date no calendar holds (and past year 9999, none at all).
MOST_DAYS = 3660


def register(command: AddCommand) -> None:
    calendar = command(
        "calendar",
        _(
            "write your open next actions as an iCalendar (.ics) file for a phone or "
            "desktop calendar: those at a time as events, the others as all-day entries"
        ),
    )
    calendar.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=_("write it to FILE (replaced whole) instead of standard output"),
    )
    shown = calendar.add_mutually_exclusive_group()
    shown.add_argument(
        "--days",
        type=int,
        metavar="N",
        help=_("the N days from today on, today the first (default 30)"),
    )
    shown.add_argument(
        "--all",
        action="store_true",
        help=_("every open next action, whatever its date (overdue ones too)"),
    )
    calendar.set_defaults(run=cmd_calendar)


def cmd_calendar(args: argparse.Namespace) -> int:
    from pathlib import Path

    from funnel_tui.transfer.calendar_feed import (
        DEFAULT_DAYS,
        calendar_document,
        write_calendar,
    )

    if args.days is not None and not 1 <= args.days <= MOST_DAYS:
        raise CliRefused(
            _("days: give a number of days from 1 to {most}").format(most=number(MOST_DAYS))
        )
    ctx = Context(args)
    days = None if args.all else args.days or DEFAULT_DAYS
    text, count = calendar_document(_ask(ctx, days), ctx.rules.now())
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    path = Path(args.output).expanduser()
    write_calendar(path, text, "output")
    said = ngettext(
        "{count} next action written to {path}", "{count} next actions written to {path}", count
    )
    print(said.format(count=count, path=path), file=sys.stderr)
    return EXIT_OK


def _ask(ctx: Context, days: int | None):
    from funnel_tui.read.today import owner_id
    from funnel_tui.transfer.calendar_feed import CalendarAsk

    return CalendarAsk(
        owner_id(ctx.user),
        ctx.user,
        ctx.rules.today(),
        days,
        ctx.config.calendar_event_minutes,
        ctx.config.reminder_minutes,
    )


def keep_calendars_current(opened: list[Context]) -> None:
    """After a command: write the calendar file funnel.toml names again for each user
    whose command changed something (the history grew). A file that cannot be written
    is said on stderr; the command's own result stands."""
    from funnel_tui.read.ahead import newest_change
    from funnel_tui.transfer.calendar_feed import (
        KEPT_DAYS,
        calendar_document,
        configured_path,
        write_calendar,
    )

    for ctx in opened:
        path = configured_path(ctx.config.calendar_file)
        if path is None or ctx.history_mark is None or newest_change() == ctx.history_mark:
            continue
        try:
            text, _count = calendar_document(_ask(ctx, KEPT_DAYS), ctx.rules.now())
            write_calendar(path, text, "calendar_file")
        except CalendarFileError as exc:
            say_warning(str(exc))
