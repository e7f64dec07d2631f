"""Speed to lead: of the leads captured in a period, how soon someone first reached out.

The first logged interaction is the lead's earliest activity of any kind but a note
(an attempt counts: a call nobody picked up is still a reply to the lead), on the lead
or on its deals, by anyone. A lead nobody has reached out to yet counts as not reached,
not as fast or slow.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import peewee

from funnel_tui.core.i18n import N_, _
from funnel_tui.read.reports.base import (
    ALL,
    BAR_CHART,
    BY_OWNER,
    COUNT,
    HOURS,
    RATE,
    TEXT,
    Chart,
    Column,
    Drill,
    Report,
    Request,
    Row,
    group_title,
    rate,
)
from funnel_tui.read.reports.groups import lead_split
from funnel_tui.read.reports.measure import days_between, sorted_values, spread
from funnel_tui.storage.list_index import live_lead
from funnel_tui.storage.models import Activity, Lead

_FIRST_TOUCH = Activity.select(peewee.fn.MIN(Activity.occurred_at)).where(
    (Activity.lead == Lead.id) & (Activity.kind != "note")
)


def _hours() -> Any:
    """Hours from capture to the first interaction (the engine decides how to subtract
    times, so this is built per report, not at import)."""
    return days_between(_FIRST_TOUCH, Lead.created_at) * 24


_REACHED = peewee.fn.EXISTS(
    Activity.select(peewee.SQL("1")).where((Activity.lead == Lead.id) & (Activity.kind != "note"))
)
_WITHIN = (("hour", 1, N_("within 1 h")), ("day", 24, N_("within 24 h")))
# Times are stored to the second; half a second more keeps "exactly one hour" within the
# hour both in the rate (Python floats) and in its records (SQL, where PostgreSQL's
# decimal arithmetic makes 3,600 s a hair more than 1 h).
_SLACK = 0.5 / 3600


def speed_to_lead(request: Request) -> Report:
    period, split = request.period, lead_split(request.by or BY_OWNER, request.period)
    # Merged leads are duplicates of their survivors: counted once, as the survivor.
    cohort = period.within(Lead.created_at) & live_lead()
    first = (
        Activity.select(Activity.lead, peewee.fn.MIN(Activity.occurred_at).alias("first"))
        .where(Activity.kind != "note")
        .group_by(Activity.lead)
        .alias("first_touch")
    )
    measured = (
        Lead.select(split.select_key(), (days_between(first.c.first, Lead.created_at) * 24))
        .join(first, peewee.JOIN.LEFT_OUTER, on=(first.c.lead_id == Lead.id))
        .where(cohort)
    )
    found: dict[Any, int] = {}
    waits = sorted_values(measured, counts=found)
    rows = [
        _row(split.name(key), found[key], waits.get(key, []), cohort & split.condition(key), key)
        for key in split.keys({key: [count] for key, count in found.items()})
        if key in found
    ]
    everyone = sorted(wait for values in waits.values() for wait in values)
    total = _row(ALL, sum(found.values()), everyone, cohort, None)
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


def _row(label: str, leads: int, waits: list[float], where: Any, key: Any) -> Row:
    middle = spread(waits)
    values: dict[str, Any] = {
        "group": label,
        "leads": leads,
        "reached": len(waits),
        "not_reached": leads - len(waits),
        "median_hours": middle["median"],
        "p90_hours": middle["p90"],
    }
    for name, hours, _label in _WITHIN:
        values[name] = rate(bisect_right(waits, hours + _SLACK), len(waits))
    group = group_title(label, key is None)
    drills = {
        "leads": Drill("lead", where, _("captured: {group}").format(group=group)),
        "reached": Drill("lead", where & _REACHED, _("reached: {group}").format(group=group)),
        "not_reached": Drill(
            "lead", where & ~_REACHED, _("not reached yet: {group}").format(group=group)
        ),
    }
    drills["median_hours"] = drills["p90_hours"] = drills["reached"]
    for name, hours, text in _WITHIN:
        within = where & _REACHED & (_hours() <= hours + _SLACK)
        title = _("reached {within}: {group}").format(within=_(text), group=group)
        drills[name] = Drill("lead", within, title)
    return Row("" if key is None else str(key), label, values, drills)
