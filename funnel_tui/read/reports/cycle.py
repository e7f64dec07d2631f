"""Cycle time: how long each step of the funnel takes, median and 90th percentile, in
days, for the moves made in a period.

- lead → prospect: capture to promotion, for leads promoted in the period;
- prospect → opportunity: promotion to the lead's first opportunity, for first
  opportunities opened in the period;
- each pipeline stage: from entering the stage to leaving it, for the moves out of it
  made in the period, read from the stage history (a deal still in a stage has not
  finished it and is not counted);
- opportunity → won, and lead → won (the whole sales cycle), for deals won in it.

Each step's waits are kept as the records change (storage.wait_summaries) and read
through reports.percentiles, so nothing ranks every move.
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
from funnel_tui.read.reports.percentiles import MEDIAN, P90, Group, groups, prefetch
from funnel_tui.storage.models import Lead, Opportunity, StageChange
from funnel_tui.storage.wait_facts import (
    BY_LABEL,
    CYCLE_KINDS,
    DEAL_WON,
    FIRST_DEAL,
    LEAD_WON,
    PROMOTED,
    STAY,
)

STAGE_KEY = "stage:"
DAY_SECONDS = 86400.0


def cycle_time(request: Request) -> Report:
    period = request.period
    # Every step's waits in the period (storage.wait_summaries), by stage for the stays.
    found = {
        (kind, label): waits
        for (_tag, kind, label), waits in groups(
            CYCLE_KINDS, BY_LABEL, [period.bounds()], picked_by_group=[STAY]
        ).items()
    }
    prefetch(found.values())

    promoted = period.within(Lead.promoted_at) & Lead.promoted_at.is_null(False)
    first_opp = Opportunity.alias("first_opp")
    is_first = Opportunity.id == (
        first_opp.select(peewee.fn.MIN(first_opp.id)).where(first_opp.lead == Opportunity.lead)
    )
    opened = period.within(Opportunity.created_at) & is_first & Lead.promoted_at.is_null(False)
    steps = [
        (
            "lead_prospect",
            _("lead → prospect"),
            found.get((PROMOTED, "")),
            Drill("lead", promoted, _("promoted")),
        ),
        (
            "prospect_opportunity",
            _("prospect → opportunity"),
            found.get((FIRST_DEAL, "")),
            Drill(
                "opportunity",
                Opportunity.id.in_(Opportunity.select(Opportunity.id).join(Lead).where(opened)),
                _("first opportunity opened"),
            ),
        ),
    ]

    stays = {label: waits for (kind, label), waits in found.items() if kind == STAY}
    stage_names = [stage.name for stage in request.config.stages] if request.config else []
    stage_names += sorted(set(stays) - set(stage_names))
    left_in_period = period.within(StageChange.at)
    for name in stage_names:
        if name not in stays:
            continue
        left = StageChange.select(StageChange.opportunity).where(
            left_in_period & (StageChange.from_stage == name)
        )
        stage = shown_name(name)
        left_it = _("left {stage}").format(stage=stage)
        drill = Drill("opportunity", Opportunity.id.in_(left), left_it)
        steps.append((STAGE_KEY + name, _("in {stage}").format(stage=stage), stays[name], drill))

    won = period.within(Opportunity.closed_at) & (Opportunity.state == OPP_WON)
    won_drill = Drill("opportunity", won, _("won"))
    steps += [
        ("opportunity_won", _("opportunity → won"), found.get((DEAL_WON, "")), won_drill),
        ("lead_won", _("lead → won"), found.get((LEAD_WON, "")), won_drill),
    ]

    rows = [_row(key, label, waits, drill) for key, label, waits, drill in steps]
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


def _row(key: str, label: str, waits: Group | None, drill: Drill) -> Row:
    values: dict[str, Any] = {
        "step": label,
        "count": waits.count if waits else 0,
        "median_days": waits.percentile(MEDIAN, DAY_SECONDS) if waits else None,
        "p90_days": waits.percentile(P90, DAY_SECONDS) if waits else None,
    }
    return Row(key, label, values, {"count": drill, "median_days": drill, "p90_days": drill})
