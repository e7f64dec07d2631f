"""Which part of a report's period its tallies answer and which its records must: the
tallies (storage.tallies) count by UTC hour, so an hour that a bucket of the report
starts in the middle of (the period's first or last day, a month, in a zone whose
offset is not whole hours, as India's) is read from the records, and every other hour
from the tallies. In whole-hour zones (every team's so far) no record is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import peewee

from funnel_tui.read.reports.base import Period
from funnel_tui.storage.models import database

HOUR = dt.timedelta(hours=1)


def _floor(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class HourSplit:
    """`tallied(hour)`: the condition on a tally's hour; `recorded(time)`: the one on a
    record's stored time, None when no record needs reading."""

    start: dt.datetime | None
    end: dt.datetime | None
    odd: tuple[dt.datetime, ...]  # hours a boundary falls inside of
    period: Period

    def tallied(self, hour: peewee.Field) -> Any:
        condition = peewee.SQL("1 = 1")
        if self.start is not None:
            condition &= hour >= _floor(self.start)
        if self.end is not None:
            condition &= hour < self.end
        if self.odd:
            condition &= hour.not_in(list(self.odd))
        return condition

    def recorded(self, time: peewee.Field) -> Any | None:
        if not self.odd:
            return None
        if len(self.odd) > FEW_HOURS:
            # Every day cut (a split by day in such a zone): the records are read
            # throughout, their hour compared with the list.
            return self.period.within(time) & _hour_of(time).in_(_stored(self.odd))
        inside = peewee.SQL("1 = 0")
        for hour in self.odd:
            inside |= (time >= hour) & (time < hour + HOUR)
        return self.period.within(time) & inside


# Up to this many hours read from the records are asked one range each (through the
# time's index, where it has one); more would nest too deep for SQLite's parser.
FEW_HOURS = 40


def _hour_of(time: peewee.Field) -> Any:
    """The UTC hour of a stored time, as the tallies store it (storage.tallies.hour_sql)."""
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        return peewee.fn.date_trunc("hour", time)
    return peewee.fn.substr(time, 1, 13).concat(":00:00")


def _stored(hours: tuple[dt.datetime, ...]) -> list[Any]:
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        return list(hours)
    return [f"{hour:%Y-%m-%d %H}:00:00" for hour in hours]


def hour_split(period: Period, boundaries: Iterable[dt.datetime] = ()) -> HourSplit:
    """How `period`, cut into buckets starting at `boundaries` (stored UTC instants),
    is read."""
    start, end = period.bounds()
    cuts = [moment for moment in (start, end, *boundaries) if moment is not None]
    odd = tuple(sorted({_floor(moment) for moment in cuts if moment != _floor(moment)}))
    return HourSplit(start, end, odd, period)


def merge_counts(into: dict[Any, list], more: Iterable[tuple]) -> dict[Any, list]:
    """Add rows of (key, *numbers) to `into`'s lists, key by key."""
    for key, *numbers in more:
        values = [n or 0 for n in numbers]
        if key in into:
            into[key] = [a + b for a, b in zip(into[key], values, strict=True)]
        else:
            into[key] = values
    return into
