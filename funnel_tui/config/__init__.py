"""funnel's configuration, its public face: load_config reads `funnel.toml` over the
defaults and gives a Config; places.py says where the database, the config file and the
user come from.

The defaults live in `default_config.toml` next to this module, so the documented defaults
and the values used are one file. A user's `funnel.toml` overrides keys one by one; each
setting is declared once, in schema.py.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path

from funnel_tui.config.checks import Problem, check_shape, check_together, located
from funnel_tui.config.places import (
    APP_NAME,
    CONFIG_ENV,
    DB_ENV,
    DEFAULT_CONFIG,
    LOGIN_LIMIT,
    USER_ENV,
    check_login,
    current_user,
    database_target,
    default_database_path,
    user_config_path,
    user_data_dir,
)
from funnel_tui.config.schema import SCHEMA, build, key_entries
from funnel_tui.config.settings import Config, IcpCriterion, Keymap, Stage
from funnel_tui.config.toml_lines import key_lines, name, syntax_error
from funnel_tui.core.errors import ConfigError
from funnel_tui.core.i18n import _

__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "DB_ENV",
    "DEFAULT_CONFIG",
    "LOGIN_LIMIT",
    "USER_ENV",
    "Config",
    "IcpCriterion",
    "Keymap",
    "Stage",
    "check_login",
    "current_user",
    "database_target",
    "default_data",
    "default_database_path",
    "load_config",
    "user_config_path",
    "user_data_dir",
]


def default_data() -> dict:
    """default_config.toml as data: every setting with its default."""
    text = DEFAULT_CONFIG.read_text("utf-8")
    return tomllib.loads(text)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load the config: defaults overlaid by `path`, `$FUNNEL_CONFIG` or the user's file.

    An explicitly named file that does not exist is an error; the user's default file is
    optional. A file with problems is refused with every problem, each with its line.
    """
    data = default_data()
    explicit = path or os.environ.get(CONFIG_ENV)
    chosen = Path(explicit) if explicit else user_config_path()
    source = None
    problems: list[Problem] = []
    text, user = "", {}
    if chosen.exists():
        try:
            text = chosen.read_text("utf-8")
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(syntax_error(chosen, exc, text)) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                _("{file}: is not UTF-8 text ({reason})").format(file=chosen, reason=exc.reason)
            ) from exc
        except OSError as exc:
            raise ConfigError(
                _("{file}: cannot be read ({reason})").format(
                    file=chosen, reason=exc.strerror or exc
                )
            ) from exc
        check_shape(user, SCHEMA, (), problems)
        data = _overlay(data, user)
        source = chosen
    elif explicit:
        raise ConfigError(_("{file}: no such config file").format(file=chosen))
    check_together(data, user, problems)
    if problems:
        raise ConfigError(*located(problems, source or DEFAULT_CONFIG, text))
    config = build(data, source)
    if config.keys.bindings:  # the UI checks the ids: it says where each one is
        lines, paths = key_lines(text), key_entries(user["keys"])
        where = {binding: lines.get(path) for binding, (path, _keys) in paths.items()}
        names = {binding: name(path) for binding, (path, _keys) in paths.items()}
        found = {binding: line for binding, line in where.items() if line}
        config = replace(config, keys=Keymap(config.keys.bindings, found, names, source))
    return config


def _overlay(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _overlay(base[key], value)
        else:
            merged[key] = value
    return merged
