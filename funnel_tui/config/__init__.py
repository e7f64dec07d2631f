"""Where funnel keeps its database and config, and loading `funnel.toml`.

The defaults live in `default_config.toml` next to this module, so the documented defaults
and the values used are one file. A user's `funnel.toml` overrides keys one by one.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from funnel_tui.core.errors import ConfigError
from funnel_tui.core.vocab import BANT_ITEMS

APP_NAME = "funnel"
DB_ENV = "FUNNEL_DB"
CONFIG_ENV = "FUNNEL_CONFIG"
USER_ENV = "FUNNEL_USER"
# Shipped beside this module (package data), read with the defaults every run.
DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")


@dataclass(frozen=True)
class Stage:
    name: str
    probability: int
    stale_days: int


@dataclass(frozen=True)
class IcpCriterion:
    key: str
    label: str
    kind: str  # "in" or "min"
    weight: int
    values: tuple[str, ...] = ()
    value: float = 0


@dataclass(frozen=True)
class Config:
    default_region: str
    email_deliverability: bool
    lead_sources: tuple[str, ...]
    unqualified_reasons: tuple[str, ...]
    loss_reasons: tuple[str, ...]
    default_currency: str
    max_amount: int
    engagement_half_life_days: float
    stages: tuple[Stage, ...]
    won_stage: str
    lost_stage: str
    need_required: bool
    min_bant_yes: int
    min_score: int
    bant_weights: dict[str, int]
    icp: tuple[IcpCriterion, ...]
    # Pipeline totals in one currency: what one unit of each currency is worth in
    # `report_currency`. Empty: every currency keeps its own total.
    report_currency: str = ""
    exchange_rates: dict[str, float] = field(default_factory=dict)
    # The user's IANA zone ("" = $TZ, else the system's): when their day starts.
    timezone: str = ""
    # How a typed 12/01 reads: "mdy" (1 December), "dmy" (12 January) or "ymd"; set
    # from default_region when the file leaves it empty (dates.order_for_region).
    date_order: str = "mdy"
    # How the user writes numbers (a Babel locale such as "de_DE"; "" = the environment's:
    # user_locale.user_locale).
    locale: str = ""
    # The days snoozes land on, Monday 0 … Sunday 6.
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    source_path: Path | None = field(default=None, compare=False)

    @property
    def open_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.name not in (self.won_stage, self.lost_stage))

    def stage(self, name: str) -> Stage | None:
        folded = name.casefold()
        return next((s for s in self.stages if s.name.casefold() == folded), None)

    @property
    def total_weight(self) -> int:
        return sum(self.bant_weights.values()) + sum(c.weight for c in self.icp)


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
    from funnel_tui.core.output import terminal_safe

    text = value.strip()
    problem = ""
    if not text:
        problem = "the user name cannot be empty"
    elif not text.isprintable():
        code = ord(next(c for c in text if not c.isprintable()))
        odd = (
            f"the byte \\x{code - 0xDC00:02x}, which is not UTF-8"
            if 0xDC80 <= code <= 0xDCFF
            else f"U+{code:04X}, a control or invisible character"
        )
        problem = f'"{terminal_safe(text[:40])}" holds {odd}; a user name is printable text'

    elif len(text) > LOGIN_LIMIT:
        problem = f"is {len(text)} characters long; at most {LOGIN_LIMIT} fit"
    if problem:
        raise ValidationError([Problem("user", "invalid_user", problem)])
    return text


def _default_data() -> dict:
    text = DEFAULT_CONFIG.read_text("utf-8")
    return tomllib.loads(text)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Load the config: defaults overlaid by `path`, `$FUNNEL_CONFIG` or the user's file.

    An explicitly named file that does not exist is an error; the user's default file is
    optional. A file with problems is refused with every problem, each with its line.
    """
    data = _default_data()
    explicit = path or os.environ.get(CONFIG_ENV)
    chosen = Path(explicit) if explicit else user_config_path()
    source = None
    problems: list[_Problem] = []
    text, user = "", {}
    if chosen.exists():
        try:
            text = chosen.read_text("utf-8")
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(_syntax_error(chosen, exc, text)) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{chosen}: is not UTF-8 text ({exc.reason})") from exc
        except OSError as exc:
            raise ConfigError(f"{chosen}: cannot be read ({exc.strerror or exc})") from exc
        _check_shape(user, _SCHEMA, (), problems)
        data = _overlay(data, user)
        source = chosen
    elif explicit:
        raise ConfigError(f"{chosen}: no such config file")
    _check_together(data, user, problems)
    if problems:
        raise ConfigError(*_located(problems, source or DEFAULT_CONFIG, text))
    return _build(data, source)


def _syntax_error(path: Path, exc: tomllib.TOMLDecodeError, text: str = "") -> str:
    """tomllib's message with its line and column moved to the front, after the file.
    Something never closed (an array, a string, a table header) is put at the line it
    opens on, where tomllib notices it only further down or at the end of the file."""
    message = str(exc)
    found = re.search(r" \(at (?:line (\d+), column (\d+)|end of document)\)$", message)
    if found is None:
        return f"{path}: {message}"
    reason = message[: found.start()]
    reason = reason[:1].lower() + reason[1:]
    noticed = f"line {found[1]}, column {found[2]}" if found[1] else "the end of the file"
    opened = None
    if not found[1] or reason.startswith(("unclosed", "unterminated")):
        opened = _first_unparsed_line(text)
    if opened is not None and (not found[1] or opened < int(found[1])):
        if reason.startswith(("unclosed", "unterminated")):
            return f"{path}, line {opened}: {reason} (opened here, still open at {noticed})"
        return f"{path}, line {opened}: {reason} (the file ends before it is complete)"
    return f"{path}, {noticed}: {reason}"


def _first_unparsed_line(text: str) -> int | None:
    """The line (from 1) after the longest run of whole lines from the top that parses."""
    lines = text.splitlines(keepends=True)
    for count in range(len(lines) - 1, -1, -1):
        try:
            tomllib.loads("".join(lines[:count]))
        except tomllib.TOMLDecodeError:
            continue
        return count + 1
    return None


def _overlay(base: dict, over: dict) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _overlay(base[key], value)
        else:
            merged[key] = value
    return merged


def _build(data: dict, source: Path | None) -> Config:
    """The Config from checked data (a KeyError here is a bug in the shipped defaults)."""
    from funnel_tui.core.dates import order_for_region, weekday_numbers

    where = str(source) if source else "default config"
    try:
        stages = tuple(
            Stage(str(s["name"]), int(s["probability"]), int(s.get("stale_days", 14)))
            for s in data["stages"]
        )
        qual = data["qualification"]
        icp = tuple(
            IcpCriterion(
                key=str(c["key"]),
                label=str(c.get("label", c["key"])),
                kind=str(c["kind"]),
                weight=int(c.get("weight", 0)),
                values=tuple(str(v) for v in c.get("values", ())),
                value=float(c.get("value", 0)),
            )
            for c in data.get("icp", ())
        )
        return Config(
            default_region=str(data.get("default_region", "")).strip().upper(),
            email_deliverability=bool(data.get("email_deliverability", False)),
            lead_sources=tuple(str(s) for s in data["lead_sources"]),
            unqualified_reasons=tuple(str(s) for s in data["unqualified_reasons"]),
            loss_reasons=tuple(str(s) for s in data["loss_reasons"]),
            default_currency=str(data.get("default_currency", "EUR")).strip().upper(),
            max_amount=int(data.get("max_amount", 100_000_000)),
            engagement_half_life_days=float(data.get("engagement_half_life_days", 14)),
            stages=stages,
            won_stage=str(data["won_stage"]),
            lost_stage=str(data["lost_stage"]),
            need_required=bool(qual.get("need_required", True)),
            min_bant_yes=int(qual.get("min_bant_yes", 3)),
            min_score=int(qual.get("min_score", 60)),
            bant_weights={k: int(qual["weights"].get(k, 0)) for k in BANT_ITEMS},
            icp=icp,
            report_currency=str(data.get("report_currency", "")).strip().upper(),
            exchange_rates={
                str(k).strip().upper(): float(v) for k, v in data.get("exchange_rates", {}).items()
            },
            timezone=str(data.get("timezone", "")).strip(),
            locale=str(data.get("locale", "")).strip(),
            date_order=str(data.get("date_order", "")).strip().lower()
            or order_for_region(str(data.get("default_region", ""))),
            working_days=weekday_numbers(data.get("working_days", ())) or (0, 1, 2, 3, 4),
            source_path=source,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: missing or invalid setting {exc}") from exc


# ------------------------------------------------------------------------ checking
#
# A user's file is checked key by key against _SCHEMA (unknown keys, types, values), then
# the merged settings are checked together (stage names, won/lost stage, weights). Each
# problem carries the key paths it is about, e.g. ("icp", 1, "weigth") for the second
# [[icp]]'s `weigth`; the lines are looked up in the file text only when there are problems.

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class _Problem:
    paths: tuple[KeyPath, ...]  # where to point, best first; the first one found in the file
    message: str


@dataclass(frozen=True)
class _Setting:
    kind: str  # "text", "bool", "whole", "number", "texts", "mapping" (any keys)
    rule: Callable[[Any], str | None] | None = None  # after the kind holds: why not, or None


@dataclass(frozen=True)
class _Table:
    settings: dict[str, _Setting | _Table | _Tables]


@dataclass(frozen=True)
class _Tables:
    """An array of tables, `[[name]]`."""

    table: _Table
    required: tuple[str, ...] = ()


def _show(value: Any) -> str:
    """A value as a message quotes it: TOML-like, control characters escaped, kept short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        import json

        text = value if len(value) <= 60 else value[:59] + "…"
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    return lambda v: None if low <= v <= high else f"must be from {low} to {high}, not {v}"


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"must be more than 0, not {value}"


def _not_negative(value: Any) -> str | None:
    return None if value >= 0 else f"cannot be negative ({value})"


def _filled(value: Any) -> str | None:
    return None if value.strip() else "cannot be empty"


def _region(value: str) -> str | None:
    from funnel_tui.core.countries import COUNTRY_NAMES

    if not value.strip() or value.strip().upper() in COUNTRY_NAMES:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return f"is {_show(value)}, which is not a country phone numbers are known for"
    return f'must be a two-letter country code such as "DE", or "", not {_show(value)}'


def _working_days(value: list) -> str | None:
    from funnel_tui.core.dates import weekday_numbers

    bad = [day for day in value if not weekday_numbers([day])]
    if bad:
        return f'has {_show(bad[0])}, which is not a weekday such as "mon" or "friday"'
    if not value:
        return 'cannot be empty: snoozes land on these days, e.g. ["mon", "tue", "wed"]'
    return None


def _currency(value: str) -> str | None:
    from funnel_tui.core.currencies import ISO_4217

    if not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        return f'must be a three-letter currency code such as "EUR", not {_show(value)}'
    if value.strip().upper() not in ISO_4217:
        return f'must be an ISO 4217 currency in use such as "EUR", not {_show(value)}'
    return None


def _locale(value: str) -> str | None:
    from funnel_tui.core.user_locale import known_locale

    if not value.strip() or known_locale(value):
        return None
    return f'must be a locale such as "de_DE", "pl_PL" or "en_US", or "", not {_show(value)}'


def _currency_or_none(value: str) -> str | None:
    return None if not value.strip() else _currency(value)


def _zone(value: str) -> str | None:
    from funnel_tui.core.dates import zone_named

    if not value.strip() or zone_named(value.strip()) is not None:
        return None
    return f'must be a time zone name such as "Europe/Warsaw", or "", not {_show(value)}'


def _date_order(value: str) -> str | None:
    from funnel_tui.core.dates import DATE_ORDERS

    if not value.strip() or value.strip().lower() in DATE_ORDERS:
        return None
    return f'must be one of {", ".join(DATE_ORDERS)}, or "", not {_show(value)}'


def _rates(value: dict) -> str | None:
    bad = [k for k in value if not re.fullmatch(r"[A-Za-z]{3}", k)]
    if bad:
        return f"has {_show(bad[0])}, which is not a three-letter currency code"
    for key, rate in value.items():
        if not _kind_holds("number", rate):
            return f"{key} must be a number, not {_show(rate)}"
        if rate <= 0:
            return f"{key} must be more than 0, not {rate}"
    return None


def _icp_key(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return None
    return f'must be a short name of letters, digits, "_" or "-", not {_show(value)}'


def _icp_kind(value: str) -> str | None:
    return None if value in ("in", "min") else f'must be "in" or "min", not {_show(value)}'


def _loss_reasons(value: list) -> str | None:
    return None if value else "cannot be empty: marking a deal lost asks for one of them"


_WEIGHT = _Setting("whole", _not_negative)

_SCHEMA = _Table(
    {
        "default_region": _Setting("text", _region),
        "email_deliverability": _Setting("bool"),
        "lead_sources": _Setting("texts"),
        "unqualified_reasons": _Setting("texts"),
        "loss_reasons": _Setting("texts", _loss_reasons),
        "default_currency": _Setting("text", _currency),
        "max_amount": _Setting("whole", _positive),
        "report_currency": _Setting("text", _currency_or_none),
        "exchange_rates": _Setting("mapping", _rates),
        "timezone": _Setting("text", _zone),
        "date_order": _Setting("text", _date_order),
        "locale": _Setting("text", _locale),
        "working_days": _Setting("texts", _working_days),
        "engagement_half_life_days": _Setting("number", _positive),
        "won_stage": _Setting("text", _filled),
        "lost_stage": _Setting("text", _filled),
        "stages": _Tables(
            _Table(
                {
                    "name": _Setting("text", _filled),
                    "probability": _Setting("whole", _between(0, 100)),
                    "stale_days": _Setting("whole", _not_negative),
                }
            ),
            required=("name", "probability"),
        ),
        "qualification": _Table(
            {
                "need_required": _Setting("bool"),
                "min_bant_yes": _Setting("whole", _between(0, len(BANT_ITEMS))),
                "min_score": _Setting("whole", _between(0, 100)),
                "weights": _Table({item: _WEIGHT for item in BANT_ITEMS}),
            }
        ),
        "icp": _Tables(
            _Table(
                {
                    "key": _Setting("text", _icp_key),
                    "label": _Setting("text"),
                    "kind": _Setting("text", _icp_kind),
                    "values": _Setting("texts"),
                    "value": _Setting("number"),
                    "weight": _WEIGHT,
                }
            ),
            required=("key", "kind"),
        ),
    }
)


def _name(path: KeyPath) -> str:
    """A key path as messages write it: `qualification.weights.budget`, `icp[2].kind`
    (arrays counted from 1, as a reader counts the `[[icp]]` blocks)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            shown = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else _show(part)
            out += f".{shown}" if out else shown
    return out


_KIND_WORDS = {
    "text": "text in quotes",
    "bool": "true or false",
    "whole": "a whole number",
    "number": "a number",
    "texts": 'a list of texts in quotes, like ["a", "b"]',
    "mapping": "a table ([name] with keys under it)",
}


def _kind_holds(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "whole":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "mapping":
        return isinstance(value, dict)
    return isinstance(value, list)  # "texts": the items are checked one by one


def _check_shape(data: Any, spec: _Table, path: KeyPath, problems: list[_Problem]) -> None:
    """Unknown keys, wrong types and invalid values in a user's table, all of them."""
    for key, value in data.items():
        here = (*path, key)
        setting = spec.settings.get(key)
        if setting is None:
            known = ", ".join(spec.settings)
            where = f"{_name(path)} has an unknown setting" if path else "unknown setting"
            problems.append(_Problem((here,), f"{where} {_show(key)} (known: {known})"))
        elif isinstance(setting, _Table):
            if isinstance(value, dict):
                _check_shape(value, setting, here, problems)
            else:
                problems.append(
                    _Problem(
                        (here,),
                        f"{_name(here)} must be a table ([{_name(here)}]), not {_show(value)}",
                    )
                )
        elif isinstance(setting, _Tables):
            if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
                problems.append(
                    _Problem(
                        (here,),
                        f"{_name(here)} must be [[{_name(here)}]] tables, not {_show(value)}",
                    )
                )
                continue
            for index, table in enumerate(value):
                _check_shape(table, setting.table, (*here, index), problems)
                for needed in setting.required:
                    if needed not in table:
                        problems.append(
                            _Problem(
                                ((*here, index),),
                                f"{_name((*here, index))} has no {needed}, which is required",
                            )
                        )
        else:
            _check_setting(value, setting, here, problems)


def _check_setting(value: Any, setting: _Setting, path: KeyPath, problems: list[_Problem]) -> None:
    if not _kind_holds(setting.kind, value):
        problems.append(
            _Problem(
                (path,), f"{_name(path)} must be {_KIND_WORDS[setting.kind]}, not {_show(value)}"
            )
        )
        return
    if setting.kind == "texts":
        bad = [(i, item) for i, item in enumerate(value) if not isinstance(item, str)]
        for index, item in bad:
            problems.append(
                _Problem(
                    ((*path, index),),
                    f"{_name((*path, index))} must be text in quotes, not {_show(item)}",
                )
            )
        if bad:
            return
    why = setting.rule(value) if setting.rule else None
    if why:
        problems.append(_Problem((path,), f"{_name(path)} {why}"))


def _check_together(data: dict, user: dict, problems: list[_Problem]) -> None:
    """What holds only of the merged settings: stage names, the won and lost stages, the
    weights. Settings whose own shape is wrong are left to the problems already found."""
    stages = data.get("stages")
    if isinstance(stages, list) and all(isinstance(s, dict) for s in stages):
        _check_stages(data, stages, user, problems)
    rates = data.get("exchange_rates")
    if isinstance(rates, dict) and rates and not str(data.get("report_currency", "")).strip():
        problems.append(
            _Problem(
                (("exchange_rates",),),
                "exchange_rates needs report_currency: the currency the rates are in",
            )
        )
    weights = data.get("qualification", {})
    weights = weights.get("weights", {}) if isinstance(weights, dict) else {}
    icp = data.get("icp", [])
    points = [*(weights.values() if isinstance(weights, dict) else [None])]
    if isinstance(icp, list):
        points += [c.get("weight", 0) if isinstance(c, dict) else None for c in icp]
    if all(_kind_holds("whole", p) and p >= 0 for p in points) and sum(points) <= 0:
        problems.append(
            _Problem(
                (("qualification", "weights"), ("icp",)),
                "the qualification weights and the icp weights add up to 0; "
                "at least one must give points",
            )
        )


def _check_stages(data: dict, stages: list[dict], user: dict, problems: list[_Problem]) -> None:
    if not stages:
        problems.append(_Problem((("stages",),), "stages cannot be empty"))
        return
    seen: dict[str, int] = {}
    names = []
    for index, stage in enumerate(stages):
        name = stage.get("name")
        if not isinstance(name, str):
            continue
        names.append(name)
        first = seen.setdefault(name.casefold(), index)
        if first != index:
            problems.append(
                _Problem(
                    (("stages", index, "name"),),
                    f"stages[{index + 1}] is named {_show(name)} like stages[{first + 1}]; "
                    "stage names must be unique",
                )
            )
    special = []
    for key in ("won_stage", "lost_stage"):
        name = data.get(key)
        if not isinstance(name, str) or not name.strip():
            continue
        special.append(name)
        if name not in names:
            what = (
                f"{key} {_show(name)}"
                if key in user
                else f"{key} is not set, so it is {_show(name)}, which"
            )
            problems.append(
                _Problem(
                    ((key,), ("stages",)),
                    f"{what} is not one of the stages: " + ", ".join(_show(n) for n in names),
                )
            )
    if len(special) == 2 and special[0] == special[1]:
        problems.append(
            _Problem(
                (("lost_stage",), ("won_stage",)), "won_stage and lost_stage are the same stage"
            )
        )
    if len(stages) == len(names) and not set(names) - set(special):
        problems.append(
            _Problem(
                (("stages",),),
                "stages need at least one open stage besides won_stage and lost_stage",
            )
        )


def _located(problems: list[_Problem], path: Path, text: str) -> list[str]:
    """One line per problem, `FILE, line N: reason`, in the order of the file."""
    lines = _key_lines(text) if text else {}
    found = []
    for problem in problems:
        line = next((lines[p] for p in problem.paths if p in lines), None)
        if line is None:  # inside an inline table or array: the line of what holds it
            line = next(filter(None, (_nearest(lines, p) for p in problem.paths)), None)
        found.append((line, problem.message))
    found.sort(key=lambda f: f[0] if f[0] is not None else sys.maxsize)
    return [f"{path}, line {n}: {m}" if n else f"{path}: {m}" for n, m in found]


def _nearest(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


# ------------------------------------------------------------------------- locating
#
# tomllib gives no positions, so the text is scanned once more, only when there are
# problems: each table header, key and array item with the line it starts on. The file
# already parsed, so the scanner need not check anything; it only has to skip strings,
# comments and nested values correctly.


def _key_lines(text: str) -> dict[KeyPath, int]:
    """path → line (from 1) of every header, key and array item in a valid TOML text.

    `[[icp]]` repeats: its n-th header is ("icp", n - 1), and the keys below it get that
    path as prefix; ("icp",) is the first header.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_at(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    lines: dict[KeyPath, int] = {}
    counts: dict[KeyPath, int] = {}  # each array of tables: the index of its last header
    table: KeyPath = ()
    i, n = 0, len(text)
    while True:
        i = _skip_blank(text, i)
        if i >= n:
            return lines
        if text[i] == "[":
            many = text.startswith("[[", i)
            begin = i + 2 if many else i + 1
            end = _find_outside_strings(text, begin, "]")
            parts = _key_parts(text[begin:end])
            table = ()
            for k, part in enumerate(parts):
                table = (*table, part)
                if many and k == len(parts) - 1:
                    counts[table] = counts.get(table, -1) + 1
                    lines.setdefault(table, line_at(i))
                    table = (*table, counts[table])
                elif table in counts:
                    table = (*table, counts[table])
            lines.setdefault(table, line_at(i))
            i = _line_end(text, end)
            continue
        equals = _find_outside_strings(text, i, "=")
        parts = _key_parts(text[i:equals])
        for k in range(len(parts)):
            lines.setdefault((*table, *parts[: k + 1]), line_at(i))
        i = _skip_value(text, equals + 1, (*table, *parts), lines, line_at)


def _skip_blank(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
        elif text[i] == "#":
            i = _line_end(text, i)
        else:
            break
    return i


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _find_outside_strings(text: str, i: int, char: str) -> int:
    n = len(text)
    while i < n and text[i] != char:
        i = _skip_string(text, i) if text[i] in "\"'" else i + 1
    return i


def _skip_string(text: str, i: int) -> int:
    """The index just past the string starting at `i` (any of TOML's four kinds)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while True:
            k = text.find(quote * 3, j)
            if k < 0:
                return n
            backslashes = 0
            while quote == '"' and text[k - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2:
                j = k + 1
                continue
            while text.startswith(quote, k + 3):  # up to two quotes may end the content
                k += 1
            return k + 3
    j = i + 1
    while j < n and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" and quote == '"' else 1
    return j + 1


def _skip_value(
    text: str, i: int, path: KeyPath, lines: dict[KeyPath, int], line_at: Callable[[int], int]
) -> int:
    """Skip the value starting at `i`, noting where each item of an array starts."""
    arrays: list[list] = []  # open arrays: [path, index of the current item]
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\n" and not arrays:
            return i + 1
        if char in " \t\r\n":
            i += 1
            continue
        if char == "#":
            i = _line_end(text, i)
            continue
        if arrays and char == "]":
            arrays.pop()
            i += 1
            continue
        if arrays and char == ",":
            arrays[-1][1] += 1
            i += 1
            continue
        here = (*arrays[-1][0], arrays[-1][1]) if arrays else path
        lines.setdefault(here, line_at(i))
        if char == "[":
            arrays.append([here, 0])
            i += 1
        elif char == "{":
            i = _skip_inline_table(text, i)
        elif char in "\"'":
            i = _skip_string(text, i)
        else:
            i += 1
    return i


def _skip_inline_table(text: str, i: int) -> int:
    depth, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char == "#":
            i = _line_end(text, i)
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _key_parts(key: str) -> KeyPath:
    """The parts of a (possibly dotted, possibly quoted) key, as tomllib reads them."""
    try:
        data: Any = tomllib.loads(f"{key.strip()} = 0")
    except tomllib.TOMLDecodeError:
        return (key.strip(),)
    parts: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        ((name, data),) = data.items()
        parts.append(name)
    return tuple(parts)
