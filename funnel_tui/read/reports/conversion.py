"""Funnel conversion: of the leads captured in a period, how many were worked, became
prospects, got an opportunity and were won; each step against the one before.

The leads are a cohort by capture date: a lead captured in March and won in May counts
in March's won. Each step counts the leads that reached it, whatever they did after:
a prospect later marked lost is still a prospect here, so every step is part of the
one before and the rates never pass 100 %.
"""

from __future__ import annotations

from typing import Any

import peewee

from funnel_tui.core.i18n import N_, _
from funnel_tui.core.vocab import (
    LEVEL_CUSTOMER,
    LEVEL_LEAD,
    LEVEL_OPPORTUNITY,
    OPP_WON,
    STATUS_WORKING,
)
from funnel_tui.read.reports.base import (
    ALL,
    COUNT,
    FUNNEL_CHART,
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
from funnel_tui.read.reports.groups import Split, lead_split, on_tally, split_hours
from funnel_tui.read.reports.hours import merge_counts
from funnel_tui.read.reports.measure import column_sums, count_if
from funnel_tui.storage.list_index import live_lead
from funnel_tui.storage.models import Lead, LeadTally, Opportunity, database

# Each step as a condition on a lead. Reaching a step implies the ones before it. The
# lead tally counts the same steps in SQL (storage.tallies.reach_sql): a change here is
# a change there, and tests/test_reports_sql.py compares both with hand-written SQL.
HAS_OPPORTUNITY = peewee.fn.EXISTS(
    Opportunity.select(peewee.SQL("1")).where(Opportunity.lead == Lead.id)
)
WON = (Lead.level == LEVEL_CUSTOMER) | peewee.fn.EXISTS(
    Opportunity.select(peewee.SQL("1")).where(
        (Opportunity.lead == Lead.id) & (Opportunity.state == OPP_WON)
    )
)
OPPORTUNITY = Lead.level.in_((LEVEL_OPPORTUNITY, LEVEL_CUSTOMER)) | HAS_OPPORTUNITY
PROSPECT = (Lead.level != LEVEL_LEAD) | Lead.promoted_at.is_null(False) | HAS_OPPORTUNITY
# Worked: a two-way interaction logged (engagement_key is set by the first), or set to
# working by hand, or taken further since.
WORKED = Lead.engagement_key.is_null(False) | (Lead.status == STATUS_WORKING) | PROSPECT

STEPS: tuple[tuple[str, str, Any, str], ...] = (
    # The keys are the lead tally's columns too (storage.models.LeadTally).
    ("captured", N_("captured"), None, N_("leads captured in the period")),
    ("worked", N_("worked"), WORKED, N_("had a two-way interaction, or were set to working")),
    ("prospects", N_("prospects"), PROSPECT, N_("passed the promotion gate")),
    ("opportunities", N_("opps"), OPPORTUNITY, N_("got an opportunity")),
    ("won", N_("won"), WON, N_("had an opportunity won")),
)


def funnel_conversion(request: Request) -> Report:
    period = request.period
    split = lead_split(request.by, period)
    # Merged leads are duplicates of their survivors: counted once, as the survivor.
    cohort = period.within(Lead.created_at) & live_lead()
    found = lead_steps(split, period)
    nothing = [0] * len(STEPS)
    rows = [_row(split, key, found.get(key, nothing), cohort) for key in split.keys(found)]
    sums = column_sums(found, len(STEPS))
    total = _row(split, None, sums, cohort)
    columns = [Column("group", split.label, TEXT)]
    for index, (key, label, _where, help_text) in enumerate(STEPS):
        columns.append(Column(key, _(label), COUNT, _(help_text)))
        if index:
            previous = _(STEPS[index - 1][1])
            rate_of = _("{step} of {previous}").format(step=_(label), previous=previous)
            columns.append(Column(f"{key}_rate", f"{_(label)} %", RATE, rate_of))
    columns.append(Column("overall", _("won/captured"), RATE, _("won of captured")))
    notes = []
    if not total.values["captured"]:
        notes.append(_("no lead was captured {period}").format(period=period.label()))
    return Report(
        "conversion",
        _("Funnel conversion"),
        period,
        split.by,
        columns,
        rows if split.by else [],
        total,
        notes,
        Chart(FUNNEL_CHART, "captured"),
    )


def lead_steps(split: Split, period: Period) -> dict[Any, list[int]]:
    """Each group's live leads captured in `period` that reached each of STEPS, from
    the lead tally (and the records of any hour a boundary cuts: reports.hours)."""
    hours = split_hours(split, period)
    tally = on_tally(split, period, source=LeadTally.source, owner=LeadTally.owner,
                     hour=LeadTally.hour)  # fmt: skip
    sums = [peewee.fn.SUM(getattr(LeadTally, key)) for key, *_rest in STEPS]
    query = tally.select_key(), *sums
    tallied = tally.group(LeadTally.select(*query).where(hours.tallied(LeadTally.hour)))
    found = merge_counts({}, database.execute(tallied).fetchall())
    recorded = hours.recorded(Lead.created_at)
    if recorded is not None:
        counts = [
            peewee.fn.COUNT(peewee.SQL("*")) if condition is None else count_if(condition)
            for _key, _label, condition, _help in STEPS
        ]
        query = split.group(Lead.select(split.select_key(), *counts).where(recorded & live_lead()))
        merge_counts(found, database.execute(query).fetchall())
    return {key: [int(n) for n in numbers] for key, numbers in found.items()}


def _row(split: Split, key: Any, numbers: list[int], cohort: Any) -> Row:
    values: dict[str, Any] = {"group": split.name(key) if key is not None else ALL}
    group = group_title(values["group"], key is None)
    drills = {}
    in_group = cohort if key is None else cohort & split.condition(key)
    previous = None
    for (name, label, condition, _help), number in zip(STEPS, numbers, strict=True):
        values[name] = number
        if previous is not None:
            values[f"{name}_rate"] = rate(number, previous)
        previous = number
        where = in_group if condition is None else in_group & condition
        drills[name] = Drill("lead", where, f"{_(label)}: {group}")
    values["overall"] = rate(values["won"], values["captured"])
    # A rate opens the records it counts: those that reached the step.
    drills.update({f"{name}_rate": drills[name] for name, *_rest in STEPS[1:]})
    drills["overall"] = drills["won"]
    return Row("" if key is None else str(key), values["group"], values, drills)
