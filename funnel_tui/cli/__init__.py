"""Command line: `funnel` opens the TUI; subcommands script the same rules.

Each module here registers its own commands (parser beside handler) and sets
`run=` on them; main() builds the parser from them and calls `args.run`.

Exit codes: 0 ok, 1 refused (the reasons on stderr, each naming its field), 2 usage (also
a config file funnel cannot use: each problem on stderr with the file and line).
Imports are deferred into the commands: `funnel --help` loads neither Peewee nor
Textual, and nothing but the TUI loads Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import admin, deals, leads, reports, transfer, work
from .common import BANT, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, CliRefused, common_options
from .tui import make_app, open_tui

__all__ = ["BANT", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "build_parser", "main", "make_app"]

COMMAND_MODULES = (leads, deals, work, reports, transfer, admin)


def build_parser() -> argparse.ArgumentParser:
    from ..screen_names import SCREEN_MODES

    parser = argparse.ArgumentParser(
        prog="funnel",
        description="Keyboard-driven CRM for the front of the sales funnel. "
        "Without a command, opens the terminal UI.",
    )
    parser.add_argument("--version", action=_Version, help="print funnel's version and exit")
    common_options(parser, suppress=False)
    parser.add_argument(
        "--screen",
        choices=SCREEN_MODES,
        default="leads",
        help="the screen the terminal UI opens on (default: the lead list)",
    )
    parser.set_defaults(run=open_tui)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, **common: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        common_options(sub, suppress=True, **common)
        return sub

    for module in COMMAND_MODULES:
        module.register(command)
    return parser


class _Version(argparse.Action):
    """--version: the installed package's version, from its metadata, read only when
    asked (importlib.metadata costs every other command a few milliseconds)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("funnel-tui")
        except PackageNotFoundError:  # a checkout that was never installed
            text = "unknown (not installed)"
        print(f"funnel {text}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or EXIT_OK
    except CliRefused as exc:
        for message in exc.messages:
            print(f"funnel: {message}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `funnel list | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        from ..config import ConfigError

        if isinstance(exc, ConfigError):  # a usage error: the file, not the data, is wrong
            for line in exc.lines:
                print(f"funnel: {line}", file=sys.stderr)
            return EXIT_USAGE
        refusal = _as_refusal(exc)
        if refusal is None:
            raise
        for message in refusal:
            print(f"funnel: {message}", file=sys.stderr)
        return EXIT_REFUSED


def _as_refusal(exc: Exception) -> list[str] | None:
    """Known failures as messages; None for bugs, which keep their traceback."""
    from ..validators import ValidationError

    if isinstance(exc, ValidationError):
        return [str(p) for p in exc.problems]
    if "peewee" in sys.modules:
        from ..db import DatabaseError

        if isinstance(exc, DatabaseError):
            return [f"database: {exc}"]
        import peewee

        if isinstance(exc, peewee.OperationalError | peewee.InterfaceError):
            return [f"database: {exc}"]
    return None


if __name__ == "__main__":
    sys.exit(main())
