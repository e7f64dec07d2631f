"""Every setting of funnel.toml declared once: where it sits in the file, its kind, the
rule its value must follow, and how Config holds it. Its default is in
default_config.toml and nowhere else; `build` turns checked settings into a Config.

A `[[stages]]` or `[[icp]]` block may leave out some keys: `absent` says what those
mean (the defaults file's blocks set them all, so they are no defaults of a setting)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from funnel_tui.config.settings import BackupPolicy, Config, IcpCriterion, Keymap, Stage
from funnel_tui.config.toml_lines import KeyPath, show
from funnel_tui.core.errors import ConfigError
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.vocab import BANT_ITEMS

Rule = Callable[[Any], "str | None"]  # after the kind holds: why the value is wrong, or None


@dataclass(frozen=True)
class Setting:
    # "text", "bool", "whole", "number", "texts", "mapping" (any keys), "keys" (binding
    # ids, dotted or nested, to key lists)
    kind: str
    rule: Rule | None = None
    read: Callable[[Any], Any] | None = None  # how Config holds it, if not as the kind reads

    def value(self, raw: Any) -> Any:
        return (self.read or _KIND_READS[self.kind])(raw)


@dataclass(frozen=True)
class Table:
    settings: dict[str, Setting | Table | Tables]
    # A table read whole into one Config field; without one, each setting fills its own.
    field: str = ""
    read: Callable[[dict], Any] | None = None


@dataclass(frozen=True)
class Tables:
    """An array of tables, `[[name]]`, read item by item (`read`) into a tuple."""

    table: Table
    read: Callable[[dict], Any]
    required: tuple[str, ...] = ()
    # What a key left out of an item means (every key is either this or required).
    absent: dict[str, Any] = field(default_factory=dict)


KIND_WORDS = {
    "text": N_("text in quotes"),
    "bool": N_("true or false"),
    "whole": N_("a whole number"),
    "number": N_("a number"),
    "texts": N_('a list of texts in quotes, like ["a", "b"]'),
    "mapping": N_("a table ([name] with keys under it)"),
    "keys": N_("a table ([name] with keys under it)"),
}


def kind_holds(kind: str, value: Any) -> bool:
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
    if kind in ("mapping", "keys"):
        return isinstance(value, dict)
    return isinstance(value, list)  # "texts": the items are checked one by one


def key_entries(table: dict, path: KeyPath = ("keys",)) -> dict[str, tuple[KeyPath, Any]]:
    """The `[keys]` section flat: binding id → (its key path, its value). `go.capture =`
    under [keys] is a nested table to TOML and `"go.capture" =` one key; both are the id
    "go.capture"."""
    found: dict[str, tuple[KeyPath, Any]] = {}
    for key, value in table.items():
        here = (*path, key)
        if isinstance(value, dict):
            found.update(key_entries(value, here))
        else:
            found[".".join(str(part) for part in here[1:])] = (here, value)
    return found


# ------------------------------------------------------------------------- rules


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    def rule(value: Any) -> str | None:
        if low <= value <= high:
            return None
        return _("must be from {low} to {high}, not {value}").format(
            low=low, high=high, value=value
        )

    return rule


def _positive(value: Any) -> str | None:
    return None if value > 0 else _("must be more than 0, not {value}").format(value=value)


def _not_negative(value: Any) -> str | None:
    return None if value >= 0 else _("cannot be negative ({value})").format(value=value)


def _filled(value: Any) -> str | None:
    return None if value.strip() else _("cannot be empty")


def _region(value: str) -> str | None:
    from funnel_tui.core.countries import COUNTRY_NAMES

    if not value.strip() or value.strip().upper() in COUNTRY_NAMES:
        return None
    if re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return _("is {value}, which is not a country phone numbers are known for").format(
            value=show(value)
        )
    return _('must be a two-letter country code such as "DE", or "", not {value}').format(
        value=show(value)
    )


def _working_days(value: list) -> str | None:
    from funnel_tui.core.dates import weekday_numbers

    bad = [day for day in value if not weekday_numbers([day])]
    if bad:
        return _('has {value}, which is not a weekday such as "mon" or "friday"').format(
            value=show(bad[0])
        )
    if not value:
        return _('cannot be empty: snoozes land on these days, e.g. ["mon", "tue", "wed"]')
    return None


def _currency(value: str) -> str | None:
    from funnel_tui.core.currencies import ISO_4217

    if not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        return _('must be a three-letter currency code such as "EUR", not {value}').format(
            value=show(value)
        )
    if value.strip().upper() not in ISO_4217:
        return _('must be an ISO 4217 currency in use such as "EUR", not {value}').format(
            value=show(value)
        )
    return None


def _locale(value: str) -> str | None:
    from funnel_tui.core.user_locale import known_locale

    if not value.strip() or known_locale(value):
        return None
    return _('must be a locale such as "de_DE", "pl_PL" or "en_US", or "", not {value}').format(
        value=show(value)
    )


def _language(value: str) -> str | None:
    from funnel_tui.core.i18n import LANGUAGE_NAMES, language_of

    if not value.strip() or language_of(value):
        return None
    spoken = ", ".join(f'"{code}" ({name})' for code, name in LANGUAGE_NAMES.items())
    return _('must be one of {choices}, or "", not {value}').format(
        choices=spoken, value=show(value)
    )


def _currency_or_none(value: str) -> str | None:
    return None if not value.strip() else _currency(value)


def _zone(value: str) -> str | None:
    from funnel_tui.core.dates import zone_named

    if not value.strip() or zone_named(value.strip()) is not None:
        return None
    return _('must be a time zone name such as "Europe/Warsaw", or "", not {value}').format(
        value=show(value)
    )


def _date_order(value: str) -> str | None:
    from funnel_tui.core.dates import DATE_ORDERS

    if not value.strip() or value.strip().lower() in DATE_ORDERS:
        return None
    return _('must be one of {choices}, or "", not {value}').format(
        choices=", ".join(DATE_ORDERS), value=show(value)
    )


def _rates(value: dict) -> str | None:
    bad = [k for k in value if not re.fullmatch(r"[A-Za-z]{3}", k)]
    if bad:
        return _("has {value}, which is not a three-letter currency code").format(
            value=show(bad[0])
        )
    for key, rate in value.items():
        if not kind_holds("number", rate):
            return _("{key} must be a number, not {value}").format(key=key, value=show(rate))
        if rate <= 0:
            return _("{key} must be more than 0, not {value}").format(key=key, value=rate)
    return None


def _icp_key(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_-]+", value):
        return None
    return _('must be a short name of letters, digits, "_" or "-", not {value}').format(
        value=show(value)
    )


def _icp_kind(value: str) -> str | None:
    if value in ("in", "min"):
        return None
    return _('must be "in" or "min", not {value}').format(value=show(value))


def _loss_reasons(value: list) -> str | None:
    return None if value else _("cannot be empty: marking a deal lost asks for one of them")


_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}


def _key_list(value: str) -> str | None:
    """Keys as a Textual Binding takes them: "ctrl+a", "f6", "n", several joined by
    commas. Whether each names a real key only the UI can tell (widgets/keymap.py)."""
    for key in value.split(","):
        *modifiers, last = key.strip().split("+")
        named = re.fullmatch(r"[a-z][a-z0-9_]*", last) or (
            len(last) == 1 and last.isprintable() and not last.isspace()
        )
        if not named or not set(modifiers) <= _MODIFIERS:
            return _('must be keys such as "ctrl+a", "f6" or "ctrl+a,f6", not {value}').format(
                value=show(value)
            )
    return None


# --------------------------------------------------------------- how Config holds them


def _code(value: str) -> str:
    return value.strip().upper()


def _trimmed(value: str) -> str:
    return value.strip()


def _lower(value: str) -> str:
    return value.strip().lower()


def _rate_table(value: dict) -> dict[str, float]:
    return {str(k).strip().upper(): float(v) for k, v in value.items()}


def _weekdays(value: list) -> tuple[int, ...]:
    from funnel_tui.core.dates import weekday_numbers

    return weekday_numbers(value)


def _bant_weights(value: dict) -> dict[str, int]:
    return {item: int(value[item]) for item in BANT_ITEMS}


def _backup_policy(value: dict) -> BackupPolicy:
    return BackupPolicy(
        bool(value["automatic"]),
        float(value["every_hours"]),
        int(value["keep_daily"]),
        int(value["keep_weekly"]),
    )


def _stage(item: dict) -> Stage:
    return Stage(str(item["name"]), int(item["probability"]), int(item["stale_days"]))


def _criterion(item: dict) -> IcpCriterion:
    return IcpCriterion(
        key=str(item["key"]),
        label=str(item["key"] if item["label"] is None else item["label"]),
        kind=str(item["kind"]),
        weight=int(item["weight"]),
        values=tuple(str(v) for v in item["values"]),
        value=float(item["value"]),
    )


def _keymap(value: dict) -> Keymap:
    return Keymap({binding: keys for binding, (_path, keys) in key_entries(value).items()})


_KIND_READS: dict[str, Callable[[Any], Any]] = {
    "text": str,
    "bool": bool,
    "whole": int,
    "number": float,
    "texts": lambda value: tuple(str(item) for item in value),
    "mapping": dict,
    "keys": _keymap,
}

_WEIGHT = Setting("whole", _not_negative)

# The ideal customer profile's criteria, `[[icp]]`.
ICP = Tables(
    Table(
        {
            "key": Setting("text", _icp_key),
            "label": Setting("text"),
            "kind": Setting("text", _icp_kind),
            "values": Setting("texts"),
            "value": Setting("number"),
            "weight": _WEIGHT,
        }
    ),
    read=_criterion,
    required=("key", "kind"),
    absent={"label": None, "values": [], "value": 0, "weight": 0},  # None: named by its key
)

# The order is the order an unknown setting's message lists the known ones in.
SCHEMA = Table(
    {
        "default_region": Setting("text", _region, _code),
        "email_deliverability": Setting("bool"),
        "lead_sources": Setting("texts"),
        "unqualified_reasons": Setting("texts"),
        "loss_reasons": Setting("texts", _loss_reasons),
        "default_currency": Setting("text", _currency, _code),
        "max_amount": Setting("whole", _positive),
        "report_currency": Setting("text", _currency_or_none, _code),
        "exchange_rates": Setting("mapping", _rates, _rate_table),
        "timezone": Setting("text", _zone, _trimmed),
        "date_order": Setting("text", _date_order, _lower),
        "language": Setting("text", _language, _trimmed),
        "locale": Setting("text", _locale, _trimmed),
        "working_days": Setting("texts", _working_days, _weekdays),
        "reminder_minutes": Setting("whole", _between(0, 24 * 60)),
        "reminder_bell": Setting("bool"),
        "calendar_file": Setting("text", None, _trimmed),
        "calendar_event_minutes": Setting("whole", _between(1, 24 * 60)),
        "engagement_half_life_days": Setting("number", _positive),
        "won_stage": Setting("text", _filled),
        "lost_stage": Setting("text", _filled),
        "stages": Tables(
            Table(
                {
                    "name": Setting("text", _filled),
                    "probability": Setting("whole", _between(0, 100)),
                    "stale_days": Setting("whole", _not_negative),
                }
            ),
            read=_stage,
            required=("name", "probability"),
            absent={"stale_days": 14},
        ),
        "qualification": Table(
            {
                "need_required": Setting("bool"),
                "min_bant_yes": Setting("whole", _between(0, len(BANT_ITEMS))),
                "min_score": Setting("whole", _between(0, 100)),
                "weights": Table(
                    {item: _WEIGHT for item in BANT_ITEMS},
                    field="bant_weights",
                    read=_bant_weights,
                ),
            }
        ),
        "icp": ICP,
        "backups": Table(
            {
                "automatic": Setting("bool"),
                "every_hours": Setting("number", _positive),
                "keep_daily": Setting("whole", _not_negative),
                "keep_weekly": Setting("whole", _not_negative),
            },
            field="backups",
            read=_backup_policy,
        ),
        "keys": Setting("keys", _key_list),
    }
)


def build(data: dict, source: Path | None) -> Config:
    """The Config from checked data (a KeyError here is a bug in the shipped defaults)."""
    from funnel_tui.core.dates import order_for_language, order_for_region
    from funnel_tui.core.i18n import current_language

    where = str(source) if source else _("default config")
    try:
        values = _read(data, SCHEMA)
        # No date order of its own: the one of default_region, else of the language.
        region = values["default_region"]
        values["date_order"] = values["date_order"] or (
            order_for_region(region) if region else order_for_language(current_language())
        )
        return Config(**values, source_path=source)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            _("{file}: missing or invalid setting {setting}").format(file=where, setting=exc)
        ) from exc


def _read(data: dict, table: Table) -> dict[str, Any]:
    """Config's fields from the settings of `table`: its own, and those of the tables
    within it that are not read whole."""
    values: dict[str, Any] = {}
    for key, setting in table.settings.items():
        raw = data[key]
        if isinstance(setting, Table) and setting.read is None:
            values.update(_read(raw, setting))
        elif isinstance(setting, Table):
            values[setting.field or key] = setting.read(raw)
        elif isinstance(setting, Tables):
            values[key] = tuple(setting.read({**setting.absent, **item}) for item in raw)
        else:
            values[key] = setting.value(raw)
    return values
