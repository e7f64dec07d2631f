"""Speed to lead: of the leads captured in a period, how soon someone first reached out.

The first logged interaction is the lead's earliest activity of any kind but a note
(an attempt counts: a call nobody picked up is still a reply to the lead), on the lead
or on its deals, by anyone. A lead nobody has reached out to yet counts as not reached,
not as fast or slow.

The figures come from the waits kept for the leads (storage.wait_summaries, read through
reports.percentiles): every live lead's, reached or not, so nothing scans the leads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from funnel_tui.core.dates import to_local
from funnel_tui.core.i18n import N_, _
from funnel_tui.read.reports.base import (
    ALL,
    BAR_CHART,
    BY_MONTH,
    BY_OWNER,
    COUNT,
    HOURS,
    RATE,
    TEXT,
    Chart,
    Column,
    Drill,
    Period,
    Report,
    Request,
    Row,
    group_title,
    rate,
)
from funnel_tui.read.reports.groups import Split, lead_split, month_starts
from funnel_tui.read.reports.percentiles import MEDIAN, P90, Group, groups, prefetch, whole
from funnel_tui.storage.list_index import live_lead
from funnel_tui.storage.models import Activity, Lead, WaitFact
from funnel_tui.storage.wait_facts import BY_LABEL, SPEED, WITHIN_DAY, WITHIN_HOUR
from funnel_tui.storage.wait_facts import BY_OWNER as OWNER_DIM

_REACHED = peewee.fn.EXISTS(
    Activity.select(peewee.SQL("1")).where((Activity.lead == Lead.id) & (Activity.kind != "note"))
)
# Times are stored to the second (or finer); half a second more keeps "exactly one
# hour" within the hour (wait_summaries.WITHIN_HOUR, a bound of its buckets, so the rate
# is a sum of whole buckets and its records the waits up to it).
_WITHIN = (("hour", WITHIN_HOUR, N_("within 1 h")), ("day", WITHIN_DAY, N_("within 24 h")))
HOUR_SECONDS = 3600.0


def speed_to_lead(request: Request) -> Report:
    period, split = request.period, _lead_split(request.by or BY_OWNER, request.period)
    # Merged leads are duplicates of their survivors: counted once, as the survivor.
    cohort = period.within(Lead.created_at) & live_lead()
    # Every lead captured has a fact, reached or not: the groups are those with leads.
    found = _reached(split, period)
    start, end = period.bounds()
    everyone = whole(SPEED, start, end, list(found.values()))
    prefetch([*found.values(), everyone])
    rows = [
        _row(split.name(key), found[key], cohort & split.condition(key), key)
        for key in split.keys({key: [group.records] for key, group in found.items()})
        if key in found
    ]
    total = _row(ALL, everyone, cohort, None)
    columns = [
        Column("group", split.label, TEXT),
        Column("leads", _("leads"), COUNT, _("captured in the period")),
        Column("reached", _("reached"), COUNT, _("with an interaction logged")),
        Column("not_reached", _("not yet"), COUNT, _("no interaction logged yet")),
        Column("median_hours", _("median"), HOURS, _("half the reached leads waited less")),
        Column("p90_hours", _("90th pct"), HOURS, _("nine in ten reached leads waited less")),
    ]
    for key, _limit, label in _WITHIN:
        explained = _("of reached leads, {within}").format(within=_(label))
        columns.append(Column(key, _(label), RATE, explained))
    notes = (
        []
        if total.values["leads"]
        else [_("no lead was captured {period}").format(period=period.label())]
    )
    return Report(
        "speed",
        _("Speed to lead"),
        period,
        split.by,
        columns,
        rows,
        total,
        notes,
        Chart(BAR_CHART, "median_hours"),
    )


def _lead_split(by: str, period: Period) -> Split:
    """groups.lead_split, the days a split by month runs over found first: for a period
    open at either end, its first and last lead's, each by its own look at the index of
    capture times (one query asking both reads every lead: 185 ms at a million)."""
    if by != BY_MONTH or (period.start and period.end):
        return lead_split(by, period)
    captured = period.within(Lead.created_at)
    first = Lead.select(peewee.fn.MIN(Lead.created_at)).where(captured).scalar()
    if first is None:
        return lead_split(by, period)  # no lead: no month
    last = Lead.select(peewee.fn.MAX(Lead.created_at)).where(captured).scalar()
    days = [
        period.start or _local_day(first, period.zone),
        period.end or _local_day(last, period.zone),
    ]
    # The same split as over `period`: a month's bounds depend on the zone alone.
    return lead_split(by, Period(*days, period.zone))


def _local_day(value: Any, zone: dt.tzinfo) -> dt.date:
    if isinstance(value, str):  # SQLite hands MIN/MAX of a time back as text
        value = dt.datetime.fromisoformat(value)
    return to_local(value, zone).date()


def _reached(split: Split, period: Period) -> dict[Any, Group]:
    """The leads captured in the period and the waits of those reached, by the split's
    group (storage.wait_summaries)."""
    start, end = period.bounds()
    if split.by == BY_MONTH:
        if not split.fixed_keys:
            return {}
        # Each month its own stretch of time: the first and the last as far as the
        # period goes (open, when it is).
        starts = month_starts(split, period)
        stretches = list(zip([start, *starts[1:]], [*starts[1:], end], strict=True))
        found = groups([SPEED], BY_LABEL, stretches)
        return {split.fixed_keys[tag]: group for (tag, _kind, _group), group in found.items()}
    dim = OWNER_DIM if split.by == BY_OWNER else BY_LABEL
    found = groups([SPEED], dim, [(start, end)], picked_by_group=[SPEED])
    return {
        int(value) if dim == OWNER_DIM else value: group
        for (_tag, _kind, value), group in found.items()
    }


def _waited_at_most(seconds: float) -> Any:
    """A lead reached within `seconds` of its capture (the wait its report counted)."""
    return peewee.fn.EXISTS(
        WaitFact.select(peewee.SQL("1")).where(
            (WaitFact.kind == SPEED) & (WaitFact.ref == Lead.id) & (WaitFact.wait <= seconds)
        )
    )


def _row(label: str, waits: Group, where: Any, key: Any) -> Row:
    reached = waits.count
    values: dict[str, Any] = {
        "group": label,
        "leads": waits.records,
        "reached": reached,
        "not_reached": waits.records - reached,
        "median_hours": waits.percentile(MEDIAN, HOUR_SECONDS),
        "p90_hours": waits.percentile(P90, HOUR_SECONDS),
    }
    for name, seconds, _label in _WITHIN:
        values[name] = rate(waits.up_to(seconds), reached)
    group = group_title(label, key is None)
    drills = {
        "leads": Drill("lead", where, _("captured: {group}").format(group=group)),
        "reached": Drill("lead", where & _REACHED, _("reached: {group}").format(group=group)),
        "not_reached": Drill(
            "lead", where & ~_REACHED, _("not reached yet: {group}").format(group=group)
        ),
    }
    drills["median_hours"] = drills["p90_hours"] = drills["reached"]
    for name, seconds, text in _WITHIN:
        within = where & _waited_at_most(seconds)
        title = _("reached {within}: {group}").format(within=_(text), group=group)
        drills[name] = Drill("lead", within, title)
    return Row("" if key is None else str(key), label, values, drills)
