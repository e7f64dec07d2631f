"""What every command shares: exit codes, refusals worded for the user, the options every
command takes, and the Context that opens config, database and rules on first use.

Imports nothing heavy at module level: `funnel --help` builds every parser from here and
must load neither Peewee nor Textual.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

# A refusal's and a usage error's exit codes are in core.errors (each FunnelError carries
# its exit_code); the two below are the command line's alone.
from funnel_tui.core.errors import CliRefused
from funnel_tui.core.i18n import N_, _

DEFAULT_USER_HELP = N_("act as this user (default: $FUNNEL_USER, else your login)")

EXIT_OK = 0
EXIT_FAILED = 3  # an unexpected failure: a bug


# add_parser(name, help, **common-option texts) → the subcommand's parser, given to each
# module's register().
AddCommand = Callable[..., argparse.ArgumentParser]


def common_options(
    parser: argparse.ArgumentParser,
    suppress: bool,
    user_help: str = "",
) -> None:
    """--db, --create, --user, --config and --lang, on the top parser and (suppressed
    defaults, so a value given before the command is kept) on every subcommand."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help=_(
            "database file, sqlite:///PATH or postgresql://USER@HOST/NAME "
            "(default: $FUNNEL_DB, else funnel.db in your data folder)"
        ),
    )
    parser.add_argument(
        "--create",
        action="store_true",
        default=default,
        help=_(
            "make a new, empty database at --db if none is there (said on stderr); without "
            "it, funnel makes one only at the default location and refuses any other path "
            "where there is no database"
        ),
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=user_help or _(DEFAULT_USER_HELP),
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help=_("funnel.toml to use (default: $FUNNEL_CONFIG, else the one in your config folder)"),
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default=default,
        type=_language,
        help=_(
            "the language to read funnel in: en, zh_TW, zh_CN, de or pl "
            "(default: language in funnel.toml, else $LANGUAGE, $LC_ALL, $LC_MESSAGES or $LANG)"
        ),
    )


def _language(value: str) -> str:
    from funnel_tui.core.i18n import LANGUAGES, language_of

    found = language_of(value)
    if not found:
        raise argparse.ArgumentTypeError(
            _("{value} is not a language funnel speaks; choose one of {languages}").format(
                value=repr(value), languages=", ".join(LANGUAGES)
            )
        )
    return found


def format_option(
    parser: argparse.ArgumentParser, choices: tuple[str, ...] = ("text", "json")
) -> None:
    """--format: the first choice for people (the default), json for scripts (its keys
    stay the same from one version and language to the next; times in UTC, marked Z)."""
    parser.add_argument(
        "--format",
        choices=choices,
        default=choices[0],
        help=_("{choices} (default: {default}) or {last}").format(
            choices=", ".join(choices[:-1]), default=choices[0], last=choices[-1]
        ),
    )


def done(args: argparse.Namespace, text: str, data: dict) -> int:
    """A command's result: `text` for people, or `data` as JSON with --format json."""
    if getattr(args, "format", "text") == "json":
        print_json(data)
    else:
        print(text)
    return EXIT_OK


def print_json(data) -> None:
    """`data` as indented JSON on stdout: text as stored (not escaped to ASCII), dates
    as YYYY-MM-DD, times as ISO 8601 in UTC with Z (output.json_default)."""
    import json
    import sys

    from funnel_tui.core.output import json_default

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=json_default)
    sys.stdout.write("\n")


def opportunity_data(opp) -> dict:
    """A deal as the JSON of convert, move, win, lose and reopen gives it."""
    from funnel_tui.core.money import amount_value

    return {
        "id": opp.id,
        "lead_id": opp.lead_id,
        "name": opp.name,
        "stage": opp.stage,
        "state": opp.state,
        "amount": amount_value(opp.amount_cents),
        "currency": opp.currency,
        "expected_close": opp.expected_close,
        "lost_reason": opp.lost_reason,
        "closed_at": opp.closed_at,
        "version": opp.version,
    }


def lead_data(lead) -> dict:
    """A lead's headline fields, as the JSON of update, status and promote gives them."""
    return {
        "id": lead.id,
        "name": lead.name,
        "status": lead.status,
        "level": lead.level,
        "nurture_until": lead.nurture_until,
        "unqualified_reason": lead.unqualified_reason,
        "version": lead.version,
    }


def filter_options(parser: argparse.ArgumentParser) -> None:
    """--status, --stage and --owner: which leads `list` and `export` take."""
    parser.add_argument(
        "--status", action="append", default=[], help="new, working, nurturing, unqualified"
    )
    parser.add_argument(
        "--stage",
        action="append",
        default=[],
        help=_("lead, prospect, opportunity, customer, or a pipeline stage such as Proposal"),
    )
    parser.add_argument("--owner", help=_("only leads owned by this user"))


class Context:
    """Config, database and rules for one command, opened on first use. `also` names
    further databases the command opens (migrate --to), for spare_postgres_driver.
    `create`: the command makes a new database where none is (demo), as --create does."""

    def __init__(self, args: argparse.Namespace, also: tuple[str, ...] = (), create: bool = False):
        from funnel_tui.config import current_user, database_target, load_config

        self.config = load_config(getattr(args, "config", None))
        self.target = database_target(getattr(args, "db", None))
        spare_postgres_driver(self.target, *also)
        self.user = current_user(getattr(args, "user", None))  # checked: check_login
        from funnel_tui.cli.opening import open_target

        self.db = open_target(self.target, create or getattr(args, "create", False))
        from funnel_tui.rules.funnel import Funnel

        self.rules = Funnel(self.config, self.user)
        self.config = self.rules.config  # with the lists the team added to
        # Where the history stood before the command, when a calendar file is to be kept
        # current: after it, a grown history means the file is written again
        # (cli.calendar.keep_calendars_current).
        self.history_mark: int | None = None
        if self.config.calendar_file.strip():
            from funnel_tui.read.ahead import newest_change

            self.history_mark = newest_change()
        _OPENED.append(self)


_OPENED: list[Context] = []


def opened_contexts() -> list[Context]:
    """The contexts the command opened, taken (each is answered once)."""
    taken = list(_OPENED)
    _OPENED.clear()
    return taken


def say_warning(message: str) -> None:
    """A line on stderr that does not change the command's result."""
    import sys

    print(f"funnel: {message}", file=sys.stderr)


def spare_postgres_driver(*targets: str) -> None:
    """Peewee imports psycopg2 whenever it is installed (12 ms and a few MB at every
    start); a command on SQLite files alone never uses it, so it is marked unavailable
    before Peewee loads. A postgresql:// target leaves it be (db.make_database says
    what to install when it is missing)."""
    if any(t.lower().startswith("postgres") for t in targets):
        return
    import sys

    if "psycopg2" not in sys.modules and "peewee" not in sys.modules:
        sys.modules["psycopg2"] = None  # type: ignore[assignment]


def parse_date(text: str | None, field: str, ctx: Context | None = None, back: bool = False):
    """The date typed for `field` (dates.parse_date: ISO, +2w, fri, 12/01 in the user's
    order…), or None; CliRefused naming the field otherwise. Without `ctx` (a caller
    written before the quick forms) only an ISO date is read: pass it."""
    if not text:
        return None
    import datetime as dt

    from funnel_tui.core.dates import parse_date as read
    from funnel_tui.core.errors import DueDateError

    if ctx is None:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError as exc:
            said = _("{field}: {text} is not a date like 2026-12-01")
            raise CliRefused(said.format(field=field, text=repr(text))) from exc
    try:
        return read(text, ctx.rules.today(), ctx.config.date_order, back=back)
    except DueDateError as exc:
        raise CliRefused(f"{field}: {exc}") from exc


def read_back(day, ctx: Context) -> str:
    """`Fri 11 Dec 2026 · in 17 days`: a date as every command says it back."""
    from funnel_tui.core.dates import describe_due

    return describe_due(day, ctx.rules.today())


def safe(text: str) -> str:
    """User text as it may reach the terminal: no markup, no control characters."""
    from funnel_tui.core.output import plain

    return plain(text)


def stored_name(text: str | None, names) -> str | None:
    """The config's name (a stage, source or reason) that `text` gives, typed as stored
    or as the rep reads it ("Angebot" → "Proposal" in German); `text` itself when it
    gives none, for the rules to judge and refuse in their words."""
    if not text:
        return text
    from funnel_tui.core.labels import typed_name

    return typed_name(text, names) or text


def stored_stages(texts: list[str], config) -> list[str]:
    """--stage values (each may list several, comma-separated) with every pipeline stage
    typed in the rep's language given by its stored name; levels pass as typed."""
    names = [stage.name for stage in config.stages]
    return [
        ",".join(stored_name(part, names) or part for part in text.split(",")) for text in texts
    ]
