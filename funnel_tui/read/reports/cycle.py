"""Cycle time: how long each step of the funnel takes, median and 90th percentile, in
days, for the moves made in a period.

- lead → prospect: capture to promotion, for leads promoted in the period;
- prospect → opportunity: promotion to the lead's first opportunity, for first
  opportunities opened in the period;
- each pipeline stage: from entering the stage to leaving it, for the moves out of it
  made in the period, read from the stage history (a deal still in a stage has not
  finished it and is not counted);
- opportunity → won, and lead → won (the whole sales cycle), for deals won in it.
"""

from __future__ import annotations

from typing import Any

import peewee

from funnel_tui.core.i18n import _
from funnel_tui.core.labels import shown_name
from funnel_tui.core.vocab import OPP_WON
from funnel_tui.read.reports.base import (
    BAR_CHART,
    COUNT,
    DAYS,
    TEXT,
    Chart,
    Column,
    Drill,
    Report,
    Request,
    Row,
)
from funnel_tui.read.reports.measure import days_between, sorted_values, spread
from funnel_tui.storage.models import Lead, Opportunity, StageChange

STAGE_KEY = "stage:"


def cycle_time(request: Request) -> Report:
    period = request.period
    steps: list[tuple[str, str, Any, Drill]] = []

    promoted = period.within(Lead.promoted_at) & Lead.promoted_at.is_null(False)
    steps.append(
        (
            "lead_prospect",
            _("lead → prospect"),
            _days(Lead, Lead.promoted_at, Lead.created_at).where(promoted),
            Drill("lead", promoted, _("promoted")),
        )
    )

    first_opp = Opportunity.alias("first_opp")
    is_first = Opportunity.id == (
        first_opp.select(peewee.fn.MIN(first_opp.id)).where(first_opp.lead == Opportunity.lead)
    )
    opened = period.within(Opportunity.created_at) & is_first & Lead.promoted_at.is_null(False)
    steps.append(
        (
            "prospect_opportunity",
            _("prospect → opportunity"),
            _days(Opportunity, Opportunity.created_at, Lead.promoted_at).join(Lead).where(opened),
            Drill(
                "opportunity",
                Opportunity.id.in_(Opportunity.select(Opportunity.id).join(Lead).where(opened)),
                _("first opportunity opened"),
            ),
        )
    )

    stays = _stage_stays(period)
    found = sorted_values(stays)
    stage_names = [stage.name for stage in request.config.stages] if request.config else []
    stage_names += sorted(set(found) - set(stage_names))
    left_in_period = period.within(StageChange.at)

    won = period.within(Opportunity.closed_at) & (Opportunity.state == OPP_WON)
    won_drill = Drill("opportunity", won, _("won"))
    tail = [
        (
            "opportunity_won",
            _("opportunity → won"),
            _days(Opportunity, Opportunity.closed_at, Opportunity.created_at).where(won),
            won_drill,
        ),
        (
            "lead_won",
            _("lead → won"),
            _days(Opportunity, Opportunity.closed_at, Lead.created_at).join(Lead).where(won),
            won_drill,
        ),
    ]

    rows = [
        _row(key, label, sorted_values(query, grouped=False).get(""), drill)
        for key, label, query, drill in steps
    ]
    for name in stage_names:
        if name not in found:
            continue
        left = StageChange.select(StageChange.opportunity).where(
            left_in_period & (StageChange.from_stage == name)
        )
        stage = shown_name(name)
        left_it = _("left {stage}").format(stage=stage)
        drill = Drill("opportunity", Opportunity.id.in_(left), left_it)
        rows.append(_row(STAGE_KEY + name, _("in {stage}").format(stage=stage), found[name], drill))
    rows += [
        _row(key, label, sorted_values(query, grouped=False).get(""), drill)
        for key, label, query, drill in tail
    ]
    columns = [
        Column("step", _("step"), TEXT),
        Column("count", _("moves"), COUNT, _("moves made in the period")),
        Column("median_days", _("median"), DAYS, _("half the moves took less")),
        Column("p90_days", _("90th pct"), DAYS, _("nine in ten moves took less")),
    ]
    notes = []
    if not any(row.values["count"] for row in rows):
        notes.append(_("nothing moved on {period}").format(period=period.label()))
    return Report(
        "cycle",
        _("Cycle time"),
        period,
        None,
        columns,
        rows,
        None,
        notes,
        Chart(BAR_CHART, "median_days"),
    )


def _days(model: type[peewee.Model], later: Any, earlier: Any) -> peewee.Select:
    """(one group, days from `earlier` to `later`) for each row of `model`."""
    return model.select(
        peewee.Value("").alias("group_key"), days_between(later, earlier).alias("value")
    )


def _stage_stays(period) -> peewee.Select:
    """(stage, days spent in it) for each move out of a stage made in the period: the
    time since the deal's move before it, which took it into that stage."""
    entered = peewee.fn.LAG(StageChange.at).over(
        partition_by=[StageChange.opportunity], order_by=[StageChange.at, StageChange.id]
    )
    moves = StageChange.select(
        StageChange.from_stage, StageChange.at, entered.alias("entered")
    ).alias("moves")
    return peewee.Select(
        [moves],
        [
            moves.c.from_stage.alias("group_key"),
            days_between(moves.c.at, moves.c.entered).alias("value"),
        ],
    ).where(
        moves.c.from_stage.is_null(False)
        & moves.c.entered.is_null(False)
        & period.within(moves.c.at)
    )


def _row(key: str, label: str, waits: list[float] | None, drill: Drill) -> Row:
    middle = spread(waits)
    values = {
        "step": label,
        "count": middle["count"],
        "median_days": middle["median"],
        "p90_days": middle["p90"],
    }
    return Row(key, label, values, {"count": drill, "median_days": drill, "p90_days": drill})
