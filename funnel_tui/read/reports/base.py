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

from funnel_tui.config import Config
from funnel_tui.core.dates import add_months
from funnel_tui.core.errors import ReportError
from funnel_tui.core.formats import date_short, number
from funnel_tui.core.i18n import _
from funnel_tui.core.money import amount_value, whole_figure

BY_SOURCE, BY_OWNER, BY_MONTH, BY_WEEK = "source", "owner", "month", "week"
SPLITS = (BY_SOURCE, BY_OWNER, BY_MONTH)

# Column kinds: how a value is shown and written (see format_value). MONEY is whole
# cents of the report's one currency; DAYS and HOURS are durations in those units.
TEXT, COUNT, RATE, MONEY, DAYS, HOURS = "text", "count", "rate", "money", "days", "hours"

# Charts the Reports screen draws: a funnel of the total row's steps, a bar per row of
# one column, a line per week.
FUNNEL_CHART, BAR_CHART, TREND_CHART = "funnel", "bars", "trend"


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the user's zone; None: open."""

    start: dt.date | None
    end: dt.date | None
    zone: dt.tzinfo

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ReportError(
                _("the period ends ({end}) before it starts ({start})").format(
                    end=date_short(self.end), start=date_short(self.start)
                )
            )

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
            return f"{date_short(self.start)} – {date_short(self.end)}"
        if self.start:
            return _("since {date}").format(date=date_short(self.start))
        if self.end:
            return _("until {date}").format(date=date_short(self.end))
        return _("all time")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of each month from `first`'s to `last`'s."""
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Monday of each week from `first`'s to `last`'s."""
    monday = first - dt.timedelta(days=first.weekday())
    return [monday + dt.timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)]


def bucket_case(column: peewee.Field, period: Period, days: list[dt.date], labels: list[str]):
    """An SQL expression giving the label of the bucket a stored time falls in, bucket
    n running from the user's `days[n]` to `days[n + 1]` (the first and last open-ended).

    The buckets' UTC starts are worked out here, so the result is exact across daylight
    saving and the same on every engine."""
    return bucket_tree(column, [period.utc(day) for day in days], labels)


def bucket_tree(column: Any, starts: list[Any], labels: list[str]):
    """The label of the bucket `column` falls in, bucket n starting at `starts[n]`: a
    balanced tree of comparisons, so each row costs log2(buckets) of them, not one per
    bucket."""

    if len(labels) == 1:
        # Still an expression of the column: PostgreSQL refuses a constant in GROUP BY.
        return peewee.Case(None, [(column.is_null(), labels[0])], labels[0])

    def tree(low: int, high: int):
        if high - low == 1:
            return peewee.Value(labels[low])
        middle = (low + high) // 2
        return peewee.Case(None, [(column < starts[middle], tree(low, middle))], tree(middle, high))

    return tree(0, len(labels))


def month_case(column: peewee.Field, period: Period, first: dt.date, last: dt.date):
    """The user's month ("2026-03") a stored time falls in, from `first`'s to `last`'s."""
    months = months_between(first, last)
    return bucket_case(column, period, months, [f"{month:%Y-%m}" for month in months])


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


@dataclass(frozen=True)
class Request:
    """What a report is asked for: its period and split, the config it reads (stages,
    currencies), the user's today, and the currency its amounts are given in ("": the
    config's report currency, else its default currency)."""

    period: Period
    by: str | None = None
    config: Config | None = None
    today: dt.date | None = None
    currency: str = ""


@dataclass(frozen=True)
class Chart:
    """How the Reports screen draws a report: `kind` (FUNNEL_CHART, BAR_CHART,
    TREND_CHART) over the column `key` of its rows (its total row, for a funnel)."""

    kind: str
    key: str = ""


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
    chart: Chart | None = None
    currency: str = ""  # what MONEY columns are in
    # Further tables that belong to the report (the win rate's loss reasons).
    parts: list[Report] = field(default_factory=list)
    # A trend chart's lines: name -> a value per x label.
    x_labels: list[str] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total else [])]


def rate(part: int | None, whole: int | None) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (part or 0) / whole


def percentile(values: list[float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted `values`, interpolated between the two
    nearest (as PostgreSQL's percentile_cont); None of no values."""
    if not values:
        return None
    place = fraction * (len(values) - 1)
    low = int(place)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (place - low)


# The total row's group in JSON and CSV, a stable word; a person reads it in their language.
ALL = "all"


def group_title(label: str, total: bool) -> str:
    """A row's group as a person reads it (in a drill's title): the total's in their words."""
    return _("all") if total else label


def shown_cell(row: Row, column: Column) -> str:
    """A row's figure or group as a person reads it (the screen, the CLI's tables)."""
    value = row.values.get(column.key)
    if column.kind == TEXT and row.key == "" and value == ALL:
        return _("all")
    return format_value(value, column.kind)


def format_value(value: Any, kind: str) -> str:
    """A figure as a person reads it: "—" where there is none (a rate of nothing)."""
    if value is None:
        return "—"
    if kind == COUNT:
        return number(value)
    if kind == RATE:
        return _("{percent}%").format(percent=number(100 * value, 1))
    if kind == DAYS:
        return _days(value)
    if kind == HOURS:
        return _("{hours} h").format(hours=number(value, 1))
    if kind == MONEY:
        return whole_figure(value)
    return str(value)


def _days(value: float) -> str:
    """Days to a tenth; under a twentieth of a day (which would all read "0.0 d"
    whatever the bars say) in hours, minutes or seconds: same-day moves differ too."""
    if value == 0 or abs(value) >= 0.05:
        return _("{days} d").format(days=number(value, 1))
    if abs(value) * 24 >= 1:
        return _("{hours} h").format(hours=number(value * 24, 1))
    if abs(value) * 1440 >= 1:
        return _("{minutes} min").format(minutes=number(value * 1440, 0))
    return _("{seconds} s").format(seconds=number(value * 86400, 0))


def plain_value(value: Any, kind: str) -> Any:
    """A figure as scripts get it (CSV, JSON): numbers as numbers, rates as fractions
    to four places, nothing as None."""
    if value is None:
        return None
    if kind == RATE:
        return round(value, 4)
    if kind in (DAYS, HOURS):
        return round(value, 2)
    if kind == MONEY:
        return round(amount_value(value), 2)
    return value
