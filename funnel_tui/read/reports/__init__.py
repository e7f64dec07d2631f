"""Reports on the funnel, computed in the database: each a Report of rows and columns
whose every figure knows the records behind it. No UI imports: the Reports screen and
`funnel report` both call run_report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import peewee

from funnel_tui.core.errors import ReportError
from funnel_tui.core.i18n import _
from funnel_tui.core.labels import vocab_label
from funnel_tui.core.report_names import REPORT_TITLES
from funnel_tui.read.reports.activity import activity
from funnel_tui.read.reports.base import (
    BY_MONTH,
    BY_OWNER,
    BY_SOURCE,
    BY_WEEK,
    Drill,
    Period,
    Report,
    Request,
)
from funnel_tui.read.reports.conversion import funnel_conversion
from funnel_tui.read.reports.cycle import cycle_time
from funnel_tui.read.reports.forecast import forecast
from funnel_tui.read.reports.sources import source_attribution
from funnel_tui.read.reports.speed import speed_to_lead
from funnel_tui.read.reports.winrate import win_rate
from funnel_tui.storage.models import Activity, Lead, Opportunity


class ReportKind(NamedTuple):
    title: str
    make: Callable[[Request], Report]
    splits: tuple[str, ...]  # what --by may be; the first is the default ("" for none)


_ALL = (BY_SOURCE, BY_OWNER, BY_MONTH)
_MADE = {
    "conversion": (funnel_conversion, ("", *_ALL)),
    "sources": (source_attribution, (BY_SOURCE,)),
    "winrate": (win_rate, ("", *_ALL)),
    "cycle": (cycle_time, ("",)),
    "speed": (speed_to_lead, (BY_OWNER, BY_SOURCE, BY_MONTH)),
    "forecast": (forecast, (BY_MONTH, BY_OWNER, BY_SOURCE)),
    "activity": (activity, (BY_WEEK, BY_OWNER, BY_MONTH)),
}
# The names and titles are in report_names, for the command line's help.
REPORTS: dict[str, ReportKind] = {
    name: ReportKind(title, *_MADE[name]) for name, title in REPORT_TITLES.items()
}


def run_report(name: str, request: Request) -> Report:
    if name not in REPORTS:
        raise ReportError(
            _("{name} is not a report; choose one of: {names}").format(
                name=repr(name), names=", ".join(REPORTS)
            )
        )
    kind = REPORTS[name]
    by = request.by
    if by is not None and by not in kind.splits:
        offered = [split for split in kind.splits if split]
        if offered:
            said = _("--by {by}: the {name} report splits by {splits}")
        else:
            said = _("--by {by}: the {name} report has no split")
        raise ReportError(said.format(by=by, name=name, splits=", ".join(offered)))
    if by is None and kind.splits[0]:
        request = Request(
            request.period, kind.splits[0], request.config, request.today, request.currency
        )
    return kind.make(request)


def currencies() -> list[str]:
    """The currencies deals are in, most deals first: what a report's amounts can be
    given in."""
    query = (
        Opportunity.select(Opportunity.currency)
        .group_by(Opportunity.currency)
        .order_by(peewee.fn.COUNT(peewee.SQL("*")).desc(), Opportunity.currency)
        .tuples()
    )
    return [currency for (currency,) in query]


class Record(NamedTuple):
    """A record behind a figure: the lead or opportunity to open, and how it reads in
    the list (an activity is listed as itself but opens what it was logged on)."""

    entity: str  # "lead" or "opportunity"
    id: int
    label: str
    when: dt.datetime | None = None


def records(drill: Drill, limit: int = 1000) -> list[Record]:
    """The records behind a figure, oldest first; at most `limit`."""
    if drill.entity == "activity":
        query = (
            Activity.select(
                Activity.lead, Activity.opportunity, Activity.kind, Activity.occurred_at, Lead.name
            )
            .join(Lead, peewee.JOIN.LEFT_OUTER)
            .where(drill.where)
            .order_by(Activity.occurred_at, Activity.id)
            .limit(limit)
            .tuples()
        )
        return [
            Record(
                "opportunity" if opp else "lead",
                opp or lead,
                f"{vocab_label(kind).replace('_', ' ')} · {name or ''}",
                when,
            )
            for lead, opp, kind, when, name in query
        ]
    model = {"lead": Lead, "opportunity": Opportunity}[drill.entity]
    query = (
        model.select(model.id, model.name, model.created_at)
        .where(drill.where)
        .order_by(model.created_at, model.id)
    )
    return [
        Record(drill.entity, id_, name, when) for id_, name, when in query.limit(limit).tuples()
    ]


__all__ = [
    "REPORTS",
    "Drill",
    "Period",
    "Record",
    "Report",
    "ReportError",
    "Request",
    "records",
    "run_report",
]
