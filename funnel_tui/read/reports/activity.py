"""Activity: the interactions logged in a period by type, per week, per owner (who
logged them) or per month, with each owner's weekly line for the trend chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from funnel_tui.core.dates import add_months, to_local
from funnel_tui.core.i18n import ENGLISH, N_, _, current_language
from funnel_tui.core.labels import vocab_label
from funnel_tui.core.vocab import ACTIVITY_KINDS
from funnel_tui.read.reports.base import (
    ALL,
    BY_MONTH,
    BY_OWNER,
    BY_WEEK,
    COUNT,
    TEXT,
    TREND_CHART,
    Chart,
    Column,
    Drill,
    Period,
    Report,
    Request,
    Row,
    bucket_case,
    group_title,
    months_between,
    weeks_between,
)
from funnel_tui.read.reports.groups import owner_names, span
from funnel_tui.read.reports.hours import HOUR, hour_split
from funnel_tui.read.reports.measure import column_sums
from funnel_tui.storage.models import Activity, ActivityTally, database

TREND_LINES = 5  # owners drawn on their own; the rest are one line, "others"
OTHERS = "others"


def activity(request: Request) -> Report:
    period, by = request.period, request.by or BY_WEEK
    logged = period.within(Activity.occurred_at)
    first, last = _span(period)
    tallies = _tallies(period, first, last, logged) if first else []
    names = owner_names()
    weeks = weeks_between(first, last) if first else []

    def group_of(day: dt.date, user: int) -> Any:
        if by == BY_OWNER:
            return user
        if by == BY_MONTH:
            return f"{day:%Y-%m}"
        return (day - dt.timedelta(days=day.weekday())).isoformat()

    found: dict[Any, list[int]] = {}
    for day, user, kind, count in tallies:
        found.setdefault(group_of(day, user), [0] * len(ACTIVITY_KINDS))[_KIND_PLACE[kind]] += count
    if by == BY_OWNER:
        keys = sorted(found, key=lambda user: (-sum(found[user]), names.get(user, "").casefold()))
    elif by == BY_MONTH:
        keys = [f"{month:%Y-%m}" for month in months_between(first, last)] if first else []
    else:
        keys = [monday.isoformat() for monday in weeks]
    label = {BY_OWNER: "owner", BY_MONTH: "month"}.get(by, "week of")
    per_week = len(weeks) if by == BY_OWNER else 0
    rows = [
        _row(
            names.get(key, str(key)) if by == BY_OWNER else key,
            str(key),
            found.get(key, [0] * len(ACTIVITY_KINDS)),
            per_week,
            logged & _in_group(by, key, period),
        )
        for key in keys
    ]
    totals = column_sums(found, len(ACTIVITY_KINDS))
    total = _row(ALL, "", totals, len(weeks), logged)
    columns = [Column("group", label, TEXT)]
    columns += [
        Column(kind, _kind_label(kind), COUNT, _(_KIND_LOGGED[kind])) for kind in ACTIVITY_KINDS
    ]
    columns.append(Column("total", _("total"), COUNT, _("activities logged")))
    if by == BY_OWNER:
        explained = _("activities a week, on average")
        columns.append(Column("per_week", _("per week"), COUNT, explained))
    report = Report(
        "activity",
        _("Activity"),
        period,
        by,
        columns,
        rows,
        total,
        []
        if total.values["total"]
        else [_("no activity was logged {period}").format(period=period.label())],
        Chart(TREND_CHART, "total"),
    )
    report.x_labels = [monday.isoformat() for monday in weeks]
    report.series = _weekly_lines(tallies, weeks, names)
    return report


_KIND_PLACE = {kind: n for n, kind in enumerate(ACTIVITY_KINDS)}
_KIND_LABEL = {kind: kind.replace("_", " ") for kind in ACTIVITY_KINDS}
# What each kind's column counts.
_KIND_LOGGED = {
    "call": N_("calls logged"),
    "email": N_("emails logged"),
    "meeting": N_("meetings logged"),
    "sms": N_("SMS logged"),
    "social": N_("social messages logged"),
    "in_person": N_("in-person meetings logged"),
    "note": N_("notes logged"),
}


def _kind_label(kind: str) -> str:
    """A kind's column: the key in English ("in person"), the rep's word otherwise."""
    return _KIND_LABEL[kind] if current_language() == ENGLISH else vocab_label(kind)


def _tallies(period: Period, first: dt.date, last: dt.date, logged: Any) -> list[tuple]:
    """(the user's day, user, kind, how many) of the activities logged in the period.

    One pass over the activity tally (and the records of any hour a day boundary cuts:
    reports.hours), grouped by the user's day (a comparison tree over the days' UTC
    starts, so it is exact in any zone), answers every split: weeks and months are
    made of days."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    hours = hour_split(period, [period.utc(day) for day in days])
    found: dict[tuple, int] = {}
    t = ActivityTally
    day = bucket_case(t.hour, period, days, list(range(len(days))))
    tallied = (
        t.select(day, t.user, t.kind, peewee.fn.SUM(t.logged))
        .where(hours.tallied(t.hour))
        .group_by(day, t.user, t.kind)
    )
    recorded = hours.recorded(Activity.occurred_at)
    queries = [tallied]
    if recorded is not None:
        day = bucket_case(Activity.occurred_at, period, days, list(range(len(days))))
        queries.append(
            Activity.select(day, Activity.user, Activity.kind, peewee.fn.COUNT(peewee.SQL("*")))
            .where(recorded)
            .group_by(day, Activity.user, Activity.kind)
        )
    for query in queries:
        for index, user, kind, count in database.execute(query).fetchall():
            found[(index, user, kind)] = found.get((index, user, kind), 0) + int(count)
    return [
        (days[index], user, kind, count)
        for (index, user, kind), count in found.items()
        if kind in _KIND_PLACE
    ]


def _span(period: Period) -> tuple[dt.date | None, dt.date | None]:
    """The period's first and last day, an open end taken from the first or last hour
    the activity tally has in the period: the user's day of that hour. Where that hour
    holds a boundary (the period's own, or the user's midnight in a zone not whole
    hours from UTC) the records say instead, as they do without a tally."""
    if period.start is not None and period.end is not None:
        return period.start, period.end
    start, end = period.bounds()
    t = ActivityTally
    overlapping = peewee.SQL("1 = 1")
    if start is not None:
        overlapping &= t.hour >= start.replace(minute=0, second=0, microsecond=0)
    if end is not None:
        overlapping &= t.hour < end
    query = t.select(peewee.fn.MIN(t.hour), peewee.fn.MAX(t.hour)).where(overlapping)
    low, high = database.execute(query).fetchone()
    if low is None:
        return None, None
    days = []
    for value in (low, high):
        hour = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        first, last = hour, hour + HOUR - dt.timedelta(microseconds=1)
        cut = any(bound is not None and first <= bound <= last for bound in (start, end))
        day = to_local(first, period.zone).date()
        if cut or to_local(last, period.zone).date() != day:
            return span(period, Activity.occurred_at, Activity)
        days.append(day)
    return period.start or days[0], period.end or days[1]


def _in_group(by: str, key: Any, period: Period) -> Any:
    """The condition on an activity of being in the group `key` (for its records)."""
    if by == BY_OWNER:
        return Activity.user == key
    start = dt.date.fromisoformat(key + "-01" if by == BY_MONTH else key)
    end = add_months(start, 1) if by == BY_MONTH else start + dt.timedelta(weeks=1)
    return (Activity.occurred_at >= period.utc(start)) & (Activity.occurred_at < period.utc(end))


def _row(label: str, key: str, numbers: list[int], weeks: int, where: Any) -> Row:
    values: dict[str, Any] = {"group": label, **dict(zip(ACTIVITY_KINDS, numbers, strict=True))}
    values["total"] = sum(numbers)
    values["per_week"] = round(values["total"] / weeks, 1) if weeks else None
    group = group_title(label, key == "")
    drills = {
        kind: Drill(
            "activity",
            where & (Activity.kind == kind),
            _("{kind}: {group}").format(kind=_kind_label(kind), group=group),
        )
        for kind in ACTIVITY_KINDS
    }
    title = _("activities: {group}").format(group=group)
    drills["total"] = drills["per_week"] = Drill("activity", where, title)
    return Row(key, label, values, drills)


def _weekly_lines(
    tallies: list[tuple], weeks: list[dt.date], names: dict
) -> dict[str, list[float]]:
    """Each owner's activities a week, the busiest owners on their own line."""
    place = {monday: n for n, monday in enumerate(weeks)}
    per_owner: dict[Any, list[float]] = {}
    for day, user, _when, count in tallies:
        monday = day - dt.timedelta(days=day.weekday())
        per_owner.setdefault(user, [0.0] * len(weeks))[place[monday]] += count
    busiest = sorted(per_owner, key=lambda user: -sum(per_owner[user]))
    lines = {names.get(user, str(user)): per_owner[user] for user in busiest[:TREND_LINES]}
    rest = busiest[TREND_LINES:]
    if rest:
        lines[OTHERS] = [sum(per_owner[user][n] for user in rest) for n in range(len(weeks))]
    return lines
