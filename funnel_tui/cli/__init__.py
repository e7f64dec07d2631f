"""Command line: `funnel` opens the TUI; subcommands script the same rules.

Each module here registers its own commands (parser beside handler) and sets
`run=` on them; main() builds the parser from them and calls `args.run`.

Exit codes: 0 ok, 1 refused (the reasons on stderr, each naming its field; also a
database that cannot be reached, written or had in time), 2 usage (also a config file
funnel cannot use: each problem on stderr with the file and line), 3 an unexpected
failure (a bug: one line on stderr; FUNNEL_DEBUG=1 adds the traceback). Whatever fails,
the exit code is not 0 and no traceback or password reaches the terminal unasked.
Imports are deferred into the commands: `funnel --help` loads neither Peewee nor
Textual, and nothing but the TUI loads Textual.

A command's output to a terminal goes through output.TerminalStream: data carrying
escape codes cannot act on the terminal. Output to a file or a pipe is the data exactly.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from funnel_tui.cli.common import EXIT_FAILED, EXIT_OK, common_options, opened_contexts
from funnel_tui.cli.tui import make_app, open_tui
from funnel_tui.core.errors import EXIT_REFUSED, EXIT_USAGE, FunnelError
from funnel_tui.core.i18n import _
from funnel_tui.core.output import for_terminal, terminal_safe
from funnel_tui.core.vocab import BANT_ITEMS as BANT

__all__ = [
    "BANT",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "build_parser",
    "main",
    "make_app",
]

# The modules of the commands, in the order `funnel --help` lists them; imported when the
# parser is built, which `funnel` alone (the terminal UI) never needs (see main).
COMMAND_MODULES = (
    "leads",
    "deals",
    "assign",
    "companies",
    "work",
    "calendar",
    "merge",
    "erase",
    "duplicates",
    "reports",
    "transfer",
    "admin",
    "backups",
    "health",
    "completion",
)


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _top_parser()
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, **common: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        common_options(sub, suppress=True, **common)
        return sub

    for name in COMMAND_MODULES:
        importlib.import_module(f"funnel_tui.cli.{name}").register(command)
    return parser


def _top_parser(**options) -> argparse.ArgumentParser:
    """`funnel` and its own options, without the commands."""
    from funnel_tui.cli.argparse_words import speak_argparse
    from funnel_tui.cli.help_format import FunnelParser
    from funnel_tui.core.screen_names import SCREEN_MODES

    speak_argparse()
    parser = FunnelParser(
        prog="funnel",
        description=_(
            "Keyboard-driven CRM for the front of the sales funnel. "
            "Without a command, opens the terminal UI."
        ),
        **options,
    )
    parser.add_argument("--version", action=_Version, help=_("print funnel's version and exit"))
    common_options(parser, suppress=False)
    parser.add_argument(
        "--screen",
        choices=SCREEN_MODES,
        default="leads",
        help=_("the screen the terminal UI opens on (default: the lead list)"),
    )
    parser.set_defaults(run=open_tui, whole_parser=parser)
    return parser


def _tui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of `funnel [OPTIONS]` (the terminal UI), read without building the
    commands' parsers and importing their modules (40–70 ms of every start); None for
    anything else (a command, --help, --version, a mistake), which the whole parser
    reads and answers as it always has."""
    import contextlib
    import io

    if any(arg in ("-h", "--help", "--version") or arg.startswith("--v") for arg in argv):
        return None
    try:
        # Some mistakes argparse says itself before it exits: the whole parser says them.
        with contextlib.redirect_stderr(io.StringIO()):
            args, rest = _top_parser(exit_on_error=False).parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None
    if rest:
        return None
    args.command = None  # as the whole parser leaves it without a command
    return args


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
            text = _("unknown (not installed)")
        print(f"funnel {text}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = for_terminal(sys.stdout), for_terminal(sys.stderr)
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        speak_chosen_language(argv)
        args = _tui_arguments(argv) or build_parser().parse_args(argv)
        if args.run is open_tui:  # the TUI draws with escape codes of its own
            sys.stdout, sys.stderr = streams
        return run_command(args)
    finally:
        sys.stdout, sys.stderr = streams


def speak_chosen_language(argv: Sequence[str]) -> str:
    """Set the language before the parser is built, so its help is in it too: `--lang`
    (found among the arguments by hand: argparse has not run yet), else the config's
    `language`, else the environment's; and the locale of dates and numbers with it."""
    from funnel_tui.config.places import configured_speech
    from funnel_tui.core.i18n import choose_language, format_locale, set_language
    from funnel_tui.core.user_locale import known_locale

    language, locale = configured_speech(_option_value(argv, "--config") or None)
    chosen = choose_language(_option_value(argv, "--lang"), language)
    set_language(chosen, format_locale(chosen, known_locale(locale)))
    return chosen


def _option_value(argv: Sequence[str], option: str) -> str:
    """The value of the last `option VALUE` or `option=VALUE` before a lone "--"."""
    found = ""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and index + 1 < len(argv):
            found = argv[index + 1]
        elif arg.startswith(option + "="):
            found = arg.split("=", 1)[1]
    return found


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command: its exit code, every failure said in one line on stderr.

    With `--format json` or `csv` the command runs in English, its refusals too: what a
    script reads never changes with the language of the person who runs it."""
    if getattr(args, "format", None) in ("json", "csv"):
        from funnel_tui.core.i18n import ENGLISH, use_language

        with use_language(ENGLISH):
            return _run_command(args)
    return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    not_utf8 = _not_utf8(args)
    if not_utf8:
        say(not_utf8)
        return EXIT_REFUSED
    _warn_of_passwords(args)
    try:
        code = args.run(args) or EXIT_OK
        _keep_calendars_current(opened_contexts())
        return code
    except FunnelError as exc:  # every failure funnel foresees, in the words it carries
        for line in exc.user_lines():
            say(line)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `funnel list | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        refusal = _as_refusal(exc)
        if refusal is None:
            return unexpected(exc)
        for message in refusal:
            say(message)
        return EXIT_REFUSED
    finally:
        opened_contexts()  # a refused command's too: each run starts with none


def _keep_calendars_current(opened: list) -> None:
    """The calendar file funnel.toml names, written again after a command that changed
    something (only a context that was asked to keep one is looked at)."""
    if any(ctx.history_mark is not None for ctx in opened):
        from funnel_tui.cli.calendar import keep_calendars_current

        keep_calendars_current(opened)


def say(message: str) -> None:
    """One line on stderr: no password (db.redact), no control character, no line
    break (a driver's message of several lines is joined)."""
    print(f"funnel: {one_line(message)}", file=sys.stderr)


def one_line(message: str) -> str:
    """A message as one safe line: passwords hidden, control characters escaped."""
    if "peewee" in sys.modules:  # a database was opened, so there may be a password to hide
        from funnel_tui.storage.targets import redact

        message = redact(message)
    return terminal_safe(re.sub(r"\s*\n\s*", " ", message.strip()))


def unexpected(exc: BaseException) -> int:
    """A failure nobody foresaw (a bug): one line, and the traceback with FUNNEL_DEBUG=1,
    passwords hidden in both."""
    if os.environ.get("FUNNEL_DEBUG"):
        import traceback

        text = "".join(traceback.format_exception(exc))
        if "peewee" in sys.modules:
            from funnel_tui.storage.targets import redact

            text = redact(text)
        print(terminal_safe(text, keep_lines=True), file=sys.stderr, end="")
        hint = ""
    else:
        hint = _(" (run again with FUNNEL_DEBUG=1 to see where)")
    reason = str(exc).strip() or _("no message")
    said = _("unexpected error, a bug: {error}: {reason}{hint}")
    say(said.format(error=type(exc).__name__, reason=reason, hint=hint))
    return EXIT_FAILED


def _not_utf8(args: argparse.Namespace) -> str:
    """The first argument that is not UTF-8 text (Python keeps its bytes as lone
    surrogates), named by its field; "" when all are."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and _SURROGATE.search(text):
                return _(
                    "{field}: {text} is not UTF-8 text; funnel reads its arguments as "
                    "UTF-8 (set the terminal to UTF-8, or rename the file)"
                ).format(field=name, text=terminal_safe(text))
    return ""


_SURROGATE = re.compile("[\ud800-\udfff]")


def _warn_of_passwords(args: argparse.Namespace) -> None:
    """A password on the command line (--db, migrate --to) is visible to every user of
    the server (ps)."""
    for name, value in vars(args).items():
        # Only a server's URL carries a password; storage.targets is not imported for a
        # sqlite:/// one.
        if not isinstance(value, str) or not value.lower().startswith("postgres"):
            continue
        from funnel_tui.storage.targets import url_password

        if url_password(value):
            option = "--" + name.replace("_", "-")
            warning = _(
                "warning: {option}: a password on the command line is visible to every "
                "user of this server (ps); give the URL in FUNNEL_DB instead, or keep the "
                "password in ~/.pgpass (or the file PGPASSFILE names)"
            )
            say(warning.format(option=option))


def _as_refusal(exc: Exception) -> list[str] | None:
    """The database driver's and the system's own failures as messages; None for bugs."""
    if "peewee" in sys.modules:
        import peewee

        if isinstance(exc, peewee.PeeweeException) or _is_driver_error(exc):
            from funnel_tui.storage.database import failure_words

            return [_("database: {failure}").format(failure=failure_words(exc))]
    if isinstance(exc, UnicodeDecodeError) and "peewee" in sys.modules:
        # Text the database hands back that is not UTF-8: a damaged page, not a bug.
        from funnel_tui.storage.database import DAMAGED

        return [_("database: {failure}").format(failure=f"{_(DAMAGED)} ({exc})")]
    if isinstance(exc, OSError) and exc.strerror:
        from funnel_tui.core.full_disk import full_words, is_full

        if is_full(exc):  # the disk of the file being written, when the system named it
            return [full_words(exc.filename)]
        where = f"{exc.filename}: " if exc.filename else ""
        return [f"{where}{exc.strerror}"]
    return None


def _is_driver_error(exc: Exception) -> bool:
    """Whether `exc` is an error of SQLite's or PostgreSQL's driver itself (only a
    driver already loaded can have raised one)."""
    drivers = [sys.modules.get("sqlite3"), sys.modules.get("psycopg2")]
    return any(d is not None and isinstance(exc, d.Error) for d in drivers)


if __name__ == "__main__":
    sys.exit(main())
