"""Where funnel's database, config file and user come from: the platform's folders, the
command-line options and the environment variables that override them."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "funnel"
DB_ENV = "FUNNEL_DB"
CONFIG_ENV = "FUNNEL_CONFIG"
USER_ENV = "FUNNEL_USER"
# Shipped beside this module (package data), read with the defaults every run.
DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "funnel.toml"


def default_database_path() -> Path:
    return user_data_dir() / "funnel.db"


def database_target(cli_value: str | None = None) -> str:
    """The database to open: `--db`, else `$FUNNEL_DB`, else the file in the data dir."""
    return cli_value or os.environ.get(DB_ENV) or str(default_database_path())


def current_user(cli_value: str | None = None) -> str:
    """The acting user: `--user`, else `$FUNNEL_USER`, else the OS login; checked by
    check_login (errors.ValidationError naming the field "user" if it fails)."""
    if cli_value is not None:  # given, even empty: an empty name is refused, not replaced
        return check_login(cli_value)
    if os.environ.get(USER_ENV, "").strip():  # set to nothing is not set
        return check_login(os.environ[USER_ENV])
    import getpass

    try:
        return check_login(getpass.getuser())
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return f"uid{os.getuid()}"


LOGIN_LIMIT = 64  # characters: a login is a short name (Linux allows 32)


def check_login(value: str) -> str:
    """A user name as funnel stores it (ends trimmed), when it is one: printable text
    of 1 to LOGIN_LIMIT characters. A name with a control character (an escape code
    that would retitle or clear the terminal of whoever sees it, or a byte that was
    not UTF-8) is refused by errors.ValidationError naming the field "user"."""
    from funnel_tui.core.errors import Problem, ValidationError
    from funnel_tui.core.i18n import _
    from funnel_tui.core.output import terminal_safe

    text = value.strip()
    problem = ""
    if not text:
        problem = _("the user name cannot be empty")
    elif not text.isprintable():
        code = ord(next(c for c in text if not c.isprintable()))
        odd = (
            _("the byte {byte}, which is not UTF-8").format(byte=f"\\x{code - 0xDC00:02x}")
            if 0xDC80 <= code <= 0xDCFF
            else _("{character}, a control or invisible character").format(
                character=f"U+{code:04X}"
            )
        )
        problem = _('"{name}" holds {odd}; a user name is printable text').format(
            name=terminal_safe(text[:40]), odd=odd
        )

    elif len(text) > LOGIN_LIMIT:
        problem = _("is {length} characters long; at most {limit} fit").format(
            length=len(text), limit=LOGIN_LIMIT
        )
    if problem:
        raise ValidationError([Problem("user", "invalid_user", problem)])
    return text


def configured_speech(cli_config: str | None = None) -> tuple[str, str]:
    """(`language`, `locale`) of the config file that will be read (`--config`,
    `$FUNNEL_CONFIG` or the user's), read before everything else so that even `--help`
    is in that language; "" for each unset or unreadable (the full load says what is
    wrong with the file, in English if need be)."""
    import tomllib

    explicit = cli_config or os.environ.get(CONFIG_ENV)
    try:
        path = Path(explicit) if explicit else user_config_path()
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return "", ""
    language, locale = data.get("language", ""), data.get("locale", "")
    return (
        language if isinstance(language, str) else "",
        locale if isinstance(locale, str) else "",
    )
