"""Source attribution: per source, the leads captured in a period, how many became
prospects, and the deals they brought that were won (counted and summed) — which
sources convert, not only which bring volume.

The leads are a cohort by capture date, as in the conversion report: a deal won in May
from a lead captured in March counts for March's leads.
"""

from __future__ import annotations

from typing import Any

import peewee

from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import OPP_WON
from funnel_tui.read.reports.base import (
    ALL,
    BAR_CHART,
    COUNT,
    MONEY,
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
from funnel_tui.read.reports.conversion import PROSPECT, WON, lead_steps
from funnel_tui.read.reports.groups import Split, lead_split, on_tally, split_hours
from funnel_tui.read.reports.hours import merge_counts
from funnel_tui.read.reports.measure import Money, column_sums, left_out_currencies
from funnel_tui.storage.list_index import live_lead
from funnel_tui.storage.models import Lead, Opportunity, WonDealTally, database


def source_attribution(request: Request) -> Report:
    period, split = request.period, lead_split(request.by, request.period)
    money = Money.choose(request.config, request.currency)
    # Merged leads are duplicates of their survivors: counted once, as the survivor.
    cohort = period.within(Lead.created_at) & live_lead()
    steps = lead_steps(split, period)
    # Leads, prospects and customers: the first, third and fifth of conversion's steps.
    found = {key: [numbers[0], numbers[2], numbers[4]] for key, numbers in steps.items()}
    deals, left_out = _won_deals(split, period, money)
    rows = [
        _row(
            split.name(key), key, found[key], deals.get(key, (0, 0)), cohort & split.condition(key)
        )
        for key in split.keys(found)
    ]
    sums = column_sums(found, 3)
    deal_total = tuple(column_sums(deals, 2))
    total = _row(ALL, None, sums, deal_total, cohort)
    columns = [
        Column("group", split.label, TEXT),
        Column("leads", _("leads"), COUNT, _("captured in the period")),
        Column("prospects", _("prospects"), COUNT, _("passed the promotion gate")),
        Column("prospect_rate", _("prospect %"), RATE, _("prospects of leads")),
        Column("won_leads", _("customers"), COUNT, _("leads with a deal won")),
        Column("won_rate", _("won %"), RATE, _("customers of leads: how the source converts")),
        Column("won_deals", _("won deals"), COUNT, _("deals won from these leads")),
        Column(
            "won_amount",
            _("won {currency}").format(currency=money.currency),
            MONEY,
            _("what the won deals are worth"),
        ),
        Column(
            "amount_per_lead",
            _("{currency}/lead").format(currency=money.currency),
            MONEY,
            _("won amount per lead captured"),
        ),
    ]
    notes = money.notes(left_out, ("won deal", "won deals"))
    if not sums[0]:
        notes.insert(0, _("no lead was captured {period}").format(period=period.label()))
    return Report(
        "sources",
        _("Source attribution"),
        period,
        split.by,
        columns,
        rows,
        total,
        notes,
        Chart(BAR_CHART, "won_rate"),
        money.currency,
    )


def _won_deals(
    split: Split, period: Period, money: Money
) -> tuple[dict[Any, tuple[int, int]], dict[str, int]]:
    """Per group, the won deals of the period's live leads, (how many, their amount in
    the report's currency); and how many won deals each currency left out has. From
    the won-deal tally, and the records of any hour a boundary cuts (reports.hours)."""
    hours = split_hours(split, period)
    t = WonDealTally
    tally = on_tally(split, period, source=t.source, owner=t.owner, hour=t.hour)
    in_hours = hours.tallied(t.hour)
    sums = tally.group(
        t.select(tally.select_key(), peewee.fn.SUM(t.deals), peewee.fn.SUM(money.amount(
            t.amount_cents, t.currency))).where(in_hours)
    )  # fmt: skip
    found = merge_counts({}, database.execute(sums).fetchall())
    others = (
        t.select(t.currency, peewee.fn.SUM(t.deals))
        .where(in_hours & t.currency.not_in(list(money.rates)))
        .group_by(t.currency)
    )
    left_out = {currency: int(n) for currency, n in database.execute(others).fetchall()}
    recorded = hours.recorded(Lead.created_at)
    if recorded is not None:
        won = (
            Opportunity.select()
            .join(Lead)
            .where(recorded & live_lead() & (Opportunity.state == OPP_WON))
        )
        more = split.group(
            won.select(
                split.select_key(), peewee.fn.COUNT(peewee.SQL("*")), peewee.fn.SUM(money.amount())
            )
        )
        merge_counts(found, database.execute(more).fetchall())
        for currency, n in left_out_currencies(won, money).items():
            left_out[currency] = left_out.get(currency, 0) + n
    deals = {key: (int(count), round(cents or 0)) for key, (count, cents) in found.items()}
    return deals, left_out


def _row(label: str, key: Any, numbers: list[int], deals: tuple[int, int], where: Any) -> Row:
    leads, prospects, won_leads = numbers
    won_deals, cents = deals
    values = {
        "group": label,
        "leads": leads,
        "prospects": prospects,
        "prospect_rate": rate(prospects, leads),
        "won_leads": won_leads,
        "won_rate": rate(won_leads, leads),
        "won_deals": won_deals,
        "won_amount": cents,
        "amount_per_lead": cents / leads if leads else None,
    }
    in_cohort = Lead.select(Lead.id).where(where)
    group = group_title(label, key is None)
    drills = {
        "leads": Drill("lead", where, _("leads: {group}").format(group=group)),
        "prospects": Drill("lead", where & PROSPECT, _("prospects: {group}").format(group=group)),
        "won_leads": Drill("lead", where & WON, _("customers: {group}").format(group=group)),
        "won_deals": Drill(
            "opportunity",
            Opportunity.lead.in_(in_cohort) & (Opportunity.state == OPP_WON),
            _("won deals: {group}").format(group=group),
        ),
    }
    drills["won_amount"] = drills["amount_per_lead"] = drills["won_deals"]
    drills["prospect_rate"], drills["won_rate"] = drills["prospects"], drills["won_leads"]
    return Row("" if key is None else str(key), label, values, drills)
