"""The values of a file's list-bound columns (source, country, owner) and what each
becomes: the value on the list it matches, another value it is mapped to, a value added
to the team's list, or nothing (the row kept with the field empty).

A row is refused for a value that is not on the list only when nobody said what the
value becomes; the summary then names those values with their counts and the
`--map-value` that would take them. An owner that is no user here never costs a row:
the lead goes to the importing user, and the summary says so.

`--map-value` is written FIELD:VALUE=TARGET:
- `source:Web=Web form`: "Web" (any case) becomes the listed "Web form";
- `source:Webinar=`: rows with "Webinar" are kept, their source left empty;
- `source:Webinar=+`: "Webinar" is added to the team's sources (as written; `=+Name`
  adds "Name" and maps the value to it);
- `country:U.S.A.=US`, `owner:Bob=robert`: to a country funnel knows, to a user.
"""

from __future__ import annotations

import difflib
import shlex
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from funnel_tui.config import Config
from funnel_tui.core.countries import country_code, country_name
from funnel_tui.core.errors import MappingRefused
from funnel_tui.core.i18n import _

# The fields whose values must be on a list, with the list each is checked against.
LIST_FIELDS = ("source", "country", "owner")
ADDABLE = ("source",)  # the lists a value can be added to (team_lists.LISTS)
LIST_OF = {"source": "lead_sources"}
# Distinct values kept by field: a free-text column mapped to source by mistake has as
# many as rows; past this they are counted, not listed.
DISTINCT_KEPT = 500

ON_LIST, MAPPED, ADDED, EMPTY, OFF_LIST, NO_USER = (
    "on the list",
    "mapped",
    "added",
    "empty",
    "not on the list",
    "no such user",
)


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class ValueRule:
    field: str
    value: str  # as in the file (compared folded)
    target: str  # what it becomes; "" = the field left empty
    add: bool = False  # target is added to the team's list


@dataclass(frozen=True)
class ValueMap:
    """What the values of list-bound fields become (ValueRule each), and the users an
    owner may name (filled in by the importer from the database: `users`, folded login
    or display name → id)."""

    rules: tuple[ValueRule, ...] = ()
    users: tuple[tuple[str, int], ...] = ()

    @classmethod
    def parse(cls, texts: Iterable[str]) -> ValueMap:
        """ValueMap from `--map-value FIELD:VALUE=TARGET` options; MappingRefused says
        which one is wrong and how it is written."""
        result = cls()
        for text in texts:
            name, colon, rest = text.partition(":")
            value, equals, target = rest.partition("=")
            name = name.strip().lower()
            if not colon or not equals or not value.strip():
                raise MappingRefused(
                    _(
                        '--map-value {text!r}: write it as "FIELD:VALUE=TARGET", e.g. '
                        '"source:Web=Web form" (TARGET empty: keep the rows with the field '
                        'empty; "+": add the value to the list)'
                    ).format(text=text)
                )
            if name not in LIST_FIELDS:
                raise MappingRefused(
                    _("--map-value {text!r}: {name!r} has no list; use one of {fields}").format(
                        text=text, name=name, fields=", ".join(LIST_FIELDS)
                    )
                )
            target = " ".join(target.split())
            add = target.startswith("+")
            if add:
                target = " ".join(target[1:].split()) or " ".join(value.split())
                if name not in ADDABLE:
                    said = (
                        _(
                            "--map-value {text!r}: values cannot be added to {name}; "
                            "map it to a country funnel knows"
                        )
                        if name == "country"
                        else _(
                            "--map-value {text!r}: values cannot be added to {name}; "
                            "map it to a user"
                        )
                    )
                    raise MappingRefused(said.format(text=text, name=name))
            if name == "country" and target and country_code(target) is None:
                raise MappingRefused(
                    _(
                        "--map-value {text!r}: {target!r} is not a country funnel knows; "
                        "use a code such as DE, MX or TW"
                    ).format(text=text, target=target)
                )
            result = result.with_rule(name, value, target, add)
        return result

    def with_rule(self, name: str, value: str, target: str, add: bool = False) -> ValueMap:
        """The map with `value` of `name` becoming `target` (replacing any rule for it)."""
        kept = tuple(r for r in self.rules if (r.field, fold(r.value)) != (name, fold(value)))
        rule = ValueRule(name, " ".join(value.split()), target, add)
        return ValueMap((*kept, rule), self.users)

    def without_rule(self, name: str, value: str) -> ValueMap:
        kept = tuple(r for r in self.rules if (r.field, fold(r.value)) != (name, fold(value)))
        return ValueMap(kept, self.users)

    def with_users(self, users: Mapping[str, int]) -> ValueMap:
        return ValueMap(self.rules, tuple(users.items()))

    def rule(self, name: str, value: str) -> ValueRule | None:
        folded = fold(value)
        return next((r for r in self.rules if r.field == name and fold(r.value) == folded), None)

    def added(self, name: str) -> tuple[str, ...]:
        """The values this map adds to `name`'s list."""
        return tuple(dict.fromkeys(r.target for r in self.rules if r.field == name and r.add))

    def applier(self) -> ValueApplier:
        return ValueApplier(self)


class ValueApplier:
    """A ValueMap made quick to apply to row after row."""

    def __init__(self, value_map: ValueMap):
        self._rules = {(r.field, fold(r.value)): r.target for r in value_map.rules}
        self._users = dict(value_map.users)
        self._fields = {r.field for r in value_map.rules}

    def apply(self, values: dict[str, str]) -> tuple[int | None, tuple[tuple[str, str], ...]]:
        """Map the row's list-bound values in place; returns the owner's user id (None:
        the importing user) and the owner named that is no user here, if any."""
        for name in self._fields:
            if name != "owner" and name in values:
                target = self._rules.get((name, fold(values[name])))
                if target == "":
                    del values[name]
                elif target is not None:
                    values[name] = target
        owner = values.pop("owner", "")
        if not owner:
            return None, ()
        target = self._rules.get(("owner", fold(owner)))
        if target == "":
            return None, ()
        user = self._users.get(fold(target if target is not None else owner))
        if user is None:
            return None, (("owner", owner),)
        return user, ()


# Problem codes of check_lead that mean "not on the list": the row may be kept by
# mapping the value.
OFF_LIST_CODES = frozenset({"not_a_choice", "unknown_country"})


@dataclass
class ValueCounts:
    """The distinct values of each list-bound field of a file, with their rows."""

    counts: dict[str, dict[str, list]] = field(default_factory=dict)  # folded → [shown, rows]
    more: dict[str, int] = field(default_factory=dict)  # rows of values past DISTINCT_KEPT
    rows: int = 0

    def add(self, name: str, value: str) -> None:
        values = self.counts.setdefault(name, {})
        key = fold(value)
        found = values.get(key)
        if found is not None:
            found[1] += 1
        elif len(values) < DISTINCT_KEPT:
            values[key] = [" ".join(value.split()), 1]
        else:
            self.more[name] = self.more.get(name, 0) + 1

    def listed(self, name: str) -> list[tuple[str, int]]:
        """(value, rows) of `name`, most rows first."""
        values = self.counts.get(name, {}).values()
        return sorted(((v, n) for v, n in values), key=lambda p: (-p[1], p[0].casefold()))


def count_values(
    plan,
    progress: Callable[[int, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ValueCounts:
    """Read the whole planned file once and count the distinct values of its list-bound
    fields as mapped. `progress(rows, bytes done, bytes in all)` about ten times a
    second."""
    wanted = [f for f in LIST_FIELDS if f in plan.column_map.fields()]
    result = ValueCounts(counts={f: {} for f in wanted})
    if not wanted:
        return result
    reader = plan.column_map.reader()
    rows = plan.open_rows()
    told = time.perf_counter()
    for raw in rows:
        result.rows += 1
        values = reader.values(raw.cells)
        for name in wanted:
            value = values.get(name)
            if value:
                result.add(name, value)
        if progress is not None and result.rows % 1000 == 0:
            now = time.perf_counter()
            if now - told > 0.1:
                told = now
                progress(result.rows, rows.position, plan.facts.size)
            if cancel is not None and cancel.is_set():
                break
    return result


@dataclass(frozen=True)
class Lists:
    """What list-bound values are checked against: the sources (config and team), and
    the users by folded login and display name."""

    sources: tuple[str, ...]
    users: Mapping[str, int]
    logins: tuple[str, ...] = ()

    @classmethod
    def of(cls, config: Config, users: Iterable[tuple[int, str, str]]) -> Lists:
        by_name: dict[str, int] = {}
        logins = []
        for user_id, login, display in users:
            logins.append(login)
            by_name.setdefault(fold(login), user_id)
            if display:
                by_name.setdefault(fold(display), user_id)
        return cls(config.lead_sources, by_name, tuple(logins))

    def choices(self, name: str) -> tuple[str, ...]:
        return self.sources if name == "source" else self.logins if name == "owner" else ()

    def on_list(self, name: str, value: str) -> str | None:
        """What `value` is on its list (the list's spelling, a country's name), or None."""
        folded = fold(value)
        if name == "source":
            return next((s for s in self.sources if s.casefold() == folded), None)
        if name == "country":
            code = country_code(value)
            return f"{country_name(code)} ({code})" if code else None
        if name == "owner":
            user = self.users.get(folded)
            return next((x for x in self.logins if self.users.get(fold(x)) == user), None)
        return None


@dataclass(frozen=True)
class ValueState:
    field: str
    value: str
    rows: int
    state: str  # ON_LIST, MAPPED, ADDED, EMPTY, OFF_LIST, NO_USER
    becomes: str  # what is stored; "" for nothing


def value_states(
    counts: ValueCounts, value_map: ValueMap, lists: Lists, login: str
) -> list[ValueState]:
    """Every distinct value of the file's list-bound fields and what it becomes under
    `value_map`: the values that would cost a row first, then by field and rows."""
    out = []
    for name in LIST_FIELDS:
        for value, rows in counts.listed(name):
            out.append(_state(name, value, rows, value_map, lists, login))
    order = {OFF_LIST: 0, NO_USER: 1}
    return sorted(out, key=lambda s: (order.get(s.state, 2), LIST_FIELDS.index(s.field)))


def _state(name: str, value: str, rows: int, value_map: ValueMap, lists: Lists, login: str):
    rule = value_map.rule(name, value)
    if rule is not None:
        if rule.add:
            return ValueState(name, value, rows, ADDED, rule.target)
        if not rule.target:
            kept = _("{login} (the importing user)").format(login=login) if name == "owner" else ""
            return ValueState(name, value, rows, EMPTY, kept)
        target = lists.on_list(name, rule.target) or rule.target
        return ValueState(name, value, rows, MAPPED, target)
    found = lists.on_list(name, value)
    if found is not None:
        return ValueState(name, value, rows, ON_LIST, found)
    if name == "owner":
        importing = _("{login} (the importing user)").format(login=login)
        return ValueState(name, value, rows, NO_USER, importing)
    return ValueState(name, value, rows, OFF_LIST, "")


def suggest_option(name: str, value: str, choices: tuple[str, ...]) -> str:
    """The `--map-value` that most likely takes `value`: to the listed value it is
    closest to ("Web" → "Web form"), else adding it (sources) or leaving it empty."""
    folded = fold(value)
    near = [c for c in choices if c.casefold().startswith(folded) or folded in c.casefold()]
    if not near:
        lowered = {c.casefold(): c for c in choices}
        near = [lowered[c] for c in difflib.get_close_matches(folded, list(lowered), 1, 0.8)]
    if near:
        target = near[0]
    elif name in ADDABLE:
        target = "+"
    else:
        target = ""
    return "--map-value " + shlex.quote(f"{name}:{value}={target}")
