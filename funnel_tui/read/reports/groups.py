"""How a report splits its records: by source, by owner, by month, or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import peewee

from funnel_tui.core.dates import to_local
from funnel_tui.core.errors import ReportError
from funnel_tui.core.i18n import N_, _
from funnel_tui.core.labels import shown_name
from funnel_tui.read.reports.base import (
    BY_MONTH,
    BY_OWNER,
    BY_SOURCE,
    Period,
    month_case,
    months_between,
)
from funnel_tui.read.reports.hours import HourSplit, hour_split
from funnel_tui.storage.models import Lead, User

NO_SOURCE = N_("(no source)")


@dataclass
class Split:
    """A way to group rows: `key` is the SQL expression of a row's group."""

    by: str | None
    label: str
    key: Any
    names: dict[Any, str] = field(default_factory=dict)
    fixed_keys: list[Any] | None = None  # every group, in order, even those with no rows
    # A split by month: the first and last day of the period, as the records give them.
    first: dt.date | None = None
    last: dt.date | None = None

    def group(self, query: peewee.Query) -> peewee.Query:
        return query.group_by(self.key) if self.key is not None else query

    def select_key(self) -> Any:
        # Without a split every row is one group; a constant in GROUP BY is refused by
        # PostgreSQL, so there is none.
        if self.key is None:
            return peewee.Value("").alias("group_key")
        return self.key.alias("group_key")

    def name(self, key: Any) -> str:
        if key in self.names:
            return self.names[key]
        if self.by == BY_SOURCE:
            return shown_name(key) if key else _(NO_SOURCE)
        return str(key)

    def condition(self, key: Any) -> Any:
        return self.key == key if self.key is not None else peewee.SQL("1 = 1")

    def keys(self, found: Mapping[Any, list[Any]]) -> list[Any]:
        """The groups in the order shown: months in order, every month of the period
        even with nothing in it; others by their first figure, largest first."""
        if self.fixed_keys is not None:
            return self.fixed_keys
        return sorted(found, key=lambda k: (-(found[k][0] or 0), self.name(k).casefold()))


def split(
    by: str | None,
    period: Period,
    *,
    source: peewee.Field | None,
    owner: peewee.Field,
    time: peewee.Field,
    model: type[peewee.Model],
) -> Split:
    """The split `by` for rows of `model`, whose source, owner and time are these."""
    if by is None:
        return Split(None, "", None)
    if by == BY_SOURCE:
        return Split(by, _("source"), source)
    if by == BY_OWNER:
        return Split(by, _("owner"), owner, owner_names())
    if by == BY_MONTH:
        first, last = span(period, time, model)
        if first is None:
            return Split(by, _("month"), None, fixed_keys=[])  # no record: no month
        keys = [f"{m:%Y-%m}" for m in months_between(first, last)]
        key = month_case(time, period, first, last)
        return Split(by, _("month"), key, fixed_keys=keys, first=first, last=last)
    raise ReportError(_("--by: {by} is not one of source, owner, month").format(by=repr(by)))


def on_tally(
    split_: Split, period: Period, *, source: Any, owner: Any, hour: peewee.Field
) -> Split:
    """The same split of a tally's rows, whose source, owner and UTC hour are these:
    the same groups, in the same order, with the same names."""
    if split_.by is None or split_.key is None:
        return split_
    if split_.by == BY_SOURCE:
        key = source
    elif split_.by == BY_OWNER:
        key = owner
    else:
        key = month_case(hour, period, split_.first, split_.last)
    return dataclasses.replace(split_, key=key)


def month_starts(split_: Split, period: Period) -> list[dt.datetime]:
    """The UTC instants the user's months of a split by month begin at, from its first
    month's to its last's (none for another split)."""
    if split_.by != BY_MONTH or split_.first is None or split_.last is None:
        return []
    return [period.utc(month) for month in months_between(split_.first, split_.last)]


def split_hours(split_: Split, period: Period) -> HourSplit:
    """Which hours of `period` a tally answers for this split (a split by month cuts
    the period at the user's month starts too): reports.hours."""
    return hour_split(period, month_starts(split_, period))


def lead_split(by: str | None, period: Period) -> Split:
    return split(by, period, source=Lead.source, owner=Lead.owner, time=Lead.created_at, model=Lead)


def owner_names() -> dict[Any, str]:
    return {
        user_id: display or login
        for user_id, login, display in User.select(User.id, User.login, User.display_name)
        .tuples()
        .iterator()
    }


def span(
    period: Period, time: peewee.Field, model: type[peewee.Model]
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of the period, the open ends taken from the records."""
    first, last = period.start, period.end
    if first is None or last is None:
        low, high = (
            model.select(peewee.fn.MIN(time), peewee.fn.MAX(time))
            .where(period.within(time))
            .tuples()
            .get()
        )
        if low is None:
            return None, None
        first = first or _local_day(low, period.zone)
        last = last or _local_day(high, period.zone)
    return first, last


def _local_day(value: Any, zone: dt.tzinfo) -> dt.date:
    if isinstance(value, str):  # SQLite hands MIN/MAX of a time back as text
        value = dt.datetime.fromisoformat(value)
    return to_local(value, zone).date()
