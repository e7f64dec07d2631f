"""What every report is made of: the period it covers, how it splits, its columns and
rows, and for each figure the records behind it (a Drill).

Times are stored as naive UTC; a period is given in the user's days. Its bounds become
UTC instants here once, so that every query compares stored times with plain values
and keeps using its indexes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import peewee

from ..dates import add_months

BY_SOURCE, BY_OWNER, BY_MONTH = "source", "owner", "month"
SPLITS = (BY_SOURCE, BY_OWNER, BY_MONTH)

# Column kinds: how a value is shown and written (see format_value).
TEXT, COUNT, RATE, MONEY, DAYS = "text", "count", "rate", "money", "days"


class ReportError(ValueError):
    """A report cannot be made as asked (an unknown name, a split it has not, a period
    that ends before it starts); the message says why."""


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the user's zone; None: open."""

    start: dt.date | None
    end: dt.date | None
    zone: dt.tzinfo

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ReportError(f"the period ends ({self.end}) before it starts ({self.start})")

    def utc(self, day: dt.date) -> dt.datetime:
        """The UTC instant the user's `day` begins at, naive as stored."""
        local = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[from, until) as stored UTC times."""
        start = self.utc(self.start) if self.start else None
        end = self.utc(self.end + dt.timedelta(days=1)) if self.end else None
        return start, end

    def within(self, column: peewee.Field) -> peewee.Expression:
        """The condition that `column`, a stored time, falls in the period."""
        start, end = self.bounds()
        condition = peewee.SQL("1 = 1")
        if start is not None:
            condition &= column >= start
        if end is not None:
            condition &= column < end
        return condition

    def label(self) -> str:
        if self.start and self.end:
            return f"{self.start} – {self.end}"
        if self.start:
            return f"since {self.start}"
        if self.end:
            return f"until {self.end}"
        return "all time"


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of each month from `first`'s to `last`'s."""
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_case(column: peewee.Field, period: Period, first: dt.date, last: dt.date):
    """An SQL expression giving the user's month ("2026-03") a stored time falls in,
    from `first`'s month to `last`'s: a CASE over the months' UTC starts, exact across
    daylight saving and the same on every engine."""
    months = months_between(first, last)
    return peewee.Case(
        None,
        [(column < period.utc(later), f"{month:%Y-%m}") for month, later in _pairs(months)],
        f"{months[-1]:%Y-%m}",
    )


def _pairs(months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    return [(month, add_months(month, 1)) for month in months[:-1]]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    help: str = ""  # what the figure counts, for the screen's legend and --help


@dataclass(frozen=True)
class Drill:
    """The records behind a figure: an entity ("lead", "opportunity", "activity") and
    the condition that picks them, run by reports.records when asked."""

    entity: str
    where: Any  # a peewee expression over the entity's model (and what it joins)
    title: str


@dataclass
class Row:
    key: str  # the group's value (a source, an owner's id, a month; "" for all)
    label: str
    values: dict[str, Any]
    drills: dict[str, Drill] = field(default_factory=dict)


@dataclass
class Report:
    name: str
    title: str
    period: Period
    by: str | None
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    notes: list[str] = field(default_factory=list)  # what the figures leave out, and why
    chart: str = ""  # "funnel", "bars" or "trend": how the screen draws it

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


def rate(part: int | None, whole: int | None) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (part or 0) / whole


def format_value(value: Any, kind: str) -> str:
    """A figure as a person reads it: "—" where there is none (a rate of nothing)."""
    if value is None:
        return "—"
    if kind == COUNT:
        return f"{value:,}"
    if kind == RATE:
        return f"{100 * value:.1f}%"
    if kind == DAYS:
        return f"{value:,.1f} d"
    return str(value)


def plain_value(value: Any, kind: str) -> Any:
    """A figure as scripts get it (CSV, JSON): numbers as numbers, rates as fractions
    to four places, nothing as None."""
    if value is None:
        return None
    if kind == RATE:
        return round(value, 4)
    if kind == DAYS:
        return round(value, 2)
    return value
