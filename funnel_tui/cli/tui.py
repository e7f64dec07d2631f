"""`funnel` with no command: the terminal UI, its database opened before the screen takes
over so that a bad one is refused on the command line."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

from funnel_tui.cli.common import EXIT_OK, spare_postgres_driver
from funnel_tui.cli.opening import AskToCreate, open_target


def open_tui(args: argparse.Namespace) -> int:
    """The app until it quits: 0; 3 when it stopped on an error (its one line is on the
    terminal, its details in the crash file); 129 when its terminal hung up. A path where
    no database is is asked about first (1 when the answer is no: nothing is created)."""
    with keys_passed_through():
        app = make_app(args.db, args.user, args.config, args.screen, args.create, ask_to_create)
        app.run()
    return app.return_code or EXIT_OK


@contextlib.contextmanager
def keys_passed_through() -> Iterator[None]:
    """The terminal set, from here, to pass keys on as Textual will take them; as it was
    again at the end.

    funnel starts for some 0.3 s before Textual takes the terminal. Meanwhile the line
    discipline acts on what a rep types ahead: ctrl+s stops the output (XON/XOFF) and
    never reaches funnel (a whole record typed at once was not saved), ctrl+u erases
    what was typed so far, and every key is echoed onto the shell's line. The input
    flags Textual clears are cleared now; ctrl+c still ends a start (Textual takes it
    for itself only once it runs)."""
    import termios
    import tty

    try:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (AttributeError, OSError, ValueError, termios.error):  # not a terminal
        yield
        return
    passing = termios.tcgetattr(fd)
    passing[tty.IFLAG] &= ~(
        termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR
    )
    passing[tty.LFLAG] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)
    passing[tty.CC][termios.VMIN], passing[tty.CC][termios.VTIME] = 1, 0
    with contextlib.suppress(termios.error):
        termios.tcsetattr(fd, termios.TCSANOW, passing)
    try:
        yield
    finally:
        with contextlib.suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, saved)


def ask_to_create(path: Path) -> bool:
    """Ask, in a small app of its own before funnel's, whether to make a new database at
    `path`, where none is."""
    from funnel_tui.tui.dialogs.new_database import NewDatabaseQuestion

    return NewDatabaseQuestion(path).run() is True


def make_app(
    db: str | None = None,
    user: str | None = None,
    config_path: str | None = None,
    screen: str = "leads",
    create: bool = False,
    ask: AskToCreate | None = None,
):
    """The TUI for `funnel [--db] [--create] [--user] [--config]`, its database already
    open so a bad one is refused before the screen takes over. Where no database is, a
    new one is made at the default location, with `create`, or when `ask` says yes
    (cli.opening)."""
    # Start-up allocates half a million objects that live as long as the process
    # (modules, classes, CSS rules), and the collector would scan them over and over:
    # 35 ms of a 300 ms start. It stays off until the first screen is up; then
    # FunnelApp.startup_done freezes those objects out of its scans and turns it on.
    gc.disable()
    try:
        from funnel_tui.config import current_user, database_target, load_config

        config = load_config(config_path)
        target = database_target(db)
        spare_postgres_driver(target)
        open_target(target, create, ask)
        login = current_user(user)
        # The first screen's data is read in a thread while the app's modules load.
        from funnel_tui.read.ahead import ReadAhead

        ahead = ReadAhead(config, login, screen)
        from funnel_tui.tui.app import FunnelApp

        return FunnelApp(config=config, target=target, user=login, start=screen, ahead=ahead)
    except BaseException:
        gc.enable()
        raise
