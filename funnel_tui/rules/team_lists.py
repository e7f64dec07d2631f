"""Values a team added to its configured lists (lead sources) from inside funnel: kept
in the database, beside the lists of `funnel.toml`.

Why the database and not `funnel.toml`: the config file is each user's own
(`~/.config/funnel/funnel.toml`, or `$FUNNEL_CONFIG`), while the database is what a team
shares. A source added by one rep's import ("Webinar") must be a known source for every
rep on the same database at once (their capture form offers it, an edit of such a lead
is not refused), not only for whoever imported. The values of `funnel.toml` stay first,
in their order; added ones follow in the order they were added.

One row of `funnel_meta` a value (`list:lead_sources:Webinar`), inserted or left as it
is: two instances adding the same value at once cannot clash, and a copy of the
database (`funnel migrate`) carries them with the rest of `funnel_meta`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import peewee

from funnel_tui.config import Config
from funnel_tui.storage.models import MetaEntry, database

# The lists a value can be added to from inside funnel, by Config attribute.
LISTS = ("lead_sources",)
_PREFIX = "list:"


def _key(list_name: str, value: str) -> str:
    return f"{_PREFIX}{list_name}:{value}"


def added_values(list_name: str) -> tuple[str, ...]:
    """The values added to `list_name`, oldest first."""
    prefix = _key(list_name, "")
    rows = MetaEntry.select(MetaEntry.key, MetaEntry.value).tuples()
    found = []
    for key, value in rows:
        # funnel_meta holds a handful of rows: read whole, filtered here (a LIKE would
        # take "_" in a value as a wildcard).
        if key.startswith(prefix):
            try:
                at = json.loads(value).get("at", "")
            except (ValueError, AttributeError):
                at = ""
            found.append((at, key[len(prefix) :]))
    return tuple(value for _, value in sorted(found))


def add_values(list_name: str, values: list[str], by: str, now: dt.datetime) -> list[str]:
    """Add `values` to the team's `list_name` (those not on it yet, compared
    case-insensitively); returns the ones added."""
    if list_name not in LISTS:
        raise ValueError(f"{list_name} cannot be added to")
    known = {v.casefold() for v in added_values(list_name)}
    new = []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in known:
            known.add(value.casefold())
            new.append(value)
    if not new:
        return []
    with database.atomic():
        for i, value in enumerate(new):
            stamp = json.dumps({"by": by, "at": f"{now.isoformat()}#{i:04}"})
            MetaEntry.insert(key=_key(list_name, value), value=stamp).on_conflict_ignore().execute()
    return new


def with_team_lists(config: Config) -> Config:
    """`config` with the values the team added to its lists, after its own."""
    changes = {}
    for name in LISTS:
        own: tuple[str, ...] = getattr(config, name)
        folded = {v.casefold() for v in own}
        extra = tuple(v for v in added_values(name) if v.casefold() not in folded)
        if extra:
            changes[name] = own + extra
    return dataclasses.replace(config, **changes) if changes else config


def team_config(config: Config) -> Config:
    """with_team_lists when a database is open and answers; `config` as it is when none
    is, or it cannot be read now (locked past the busy timeout)."""
    if database.obj is None:
        return config
    try:
        return with_team_lists(config)
    except peewee.OperationalError:
        return config


def with_values(config: Config, list_name: str, values: tuple[str, ...]) -> Config:
    """`config` with `values` on `list_name` too (not stored: for a dry run's checks)."""
    own: tuple[str, ...] = getattr(config, list_name)
    folded = {v.casefold() for v in own}
    extra = tuple(dict.fromkeys(v for v in values if v.casefold() not in folded))
    return dataclasses.replace(config, **{list_name: own + extra}) if extra else config
