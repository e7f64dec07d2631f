"""Win rate and deal size: of the deals closed in a period, how many were won
(won / (won + lost); open deals are not decided and do not count), what a won deal is
worth on average and at the median, and why the others were lost, most common first.

A won deal with no amount is counted as won but left out of the average and median
(it would drag them towards zero); the report says how many there are.
"""

from __future__ import annotations

from typing import Any

import peewee

from funnel_tui.core import formats
from funnel_tui.core.i18n import N_, _, ngettext
from funnel_tui.core.labels import shown_name
from funnel_tui.core.vocab import OPP_LOST, OPP_WON
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
    Report,
    Request,
    Row,
    group_title,
    rate,
)
from funnel_tui.read.reports.groups import Split, split
from funnel_tui.read.reports.measure import (
    Money,
    column_sums,
    count_if,
    left_out_currencies,
    sorted_values,
    spread,
)
from funnel_tui.storage.models import Lead, Opportunity

NO_REASON = N_("(no reason given)")


def win_rate(request: Request) -> Report:
    period = request.period
    money = Money.choose(request.config, request.currency)
    grouping = split(
        request.by,
        period,
        source=Opportunity.lead_source,
        owner=Opportunity.owner,
        time=Opportunity.closed_at,
        model=Opportunity,
    )
    closed = period.within(Opportunity.closed_at) & Opportunity.state.in_((OPP_WON, OPP_LOST))
    # No join to the leads: a split by source reads Opportunity.lead_source.
    deals = Opportunity.select().where(closed)
    amount = money.amount()
    sized = (Opportunity.state == OPP_WON) & (Opportunity.amount_cents != 0)
    sums = grouping.group(
        deals.select(
            grouping.select_key(),
            count_if(Opportunity.state == OPP_WON),
            count_if(Opportunity.state == OPP_LOST),
            peewee.fn.SUM(peewee.Case(None, [(Opportunity.state == OPP_WON, amount)], None)),
            count_if(sized & money.counted()),
            count_if((Opportunity.state == OPP_WON) & (Opportunity.amount_cents == 0)),
        )
    ).tuples()
    found = {key: [round(float(n or 0)) for n in numbers] for key, *numbers in sums}
    sized_amounts = deals.select(grouping.select_key(), amount.alias("value"))
    medians = sorted_values(sized_amounts.where(sized & money.counted()))
    rows = [
        _row(grouping, key, found.get(key, [0] * 5), medians.get(key), closed)
        for key in grouping.keys(found)
    ]
    totals = column_sums(found, 5)
    everything = sorted(amount for amounts in medians.values() for amount in amounts)
    total = _row(grouping, None, totals, everything, closed)
    columns = [
        Column("group", grouping.label, TEXT),
        Column("closed", _("closed"), COUNT, _("deals won or lost in the period")),
        Column("won", _("won"), COUNT, _("deals won")),
        Column("lost", _("lost"), COUNT, _("deals lost")),
        Column("win_rate", _("win %"), RATE, _("won of won and lost")),
        Column(
            "won_amount",
            _("won {currency}").format(currency=money.currency),
            MONEY,
            _("what the won deals are worth"),
        ),
        Column("average", _("average"), MONEY, _("average won deal, deals with an amount")),
        Column("median", _("median"), MONEY, _("median won deal, deals with an amount")),
    ]
    notes = money.notes(left_out_currencies(deals, money), ("closed deal", "closed deals"))
    unsized = int(totals[4])
    if unsized:
        notes.append(
            ngettext(
                "{count} won deal has no amount: counted as won, not in the average or median",
                "{count} won deals have no amount: counted as won, not in the average or median",
                unsized,
            ).format(count=formats.number(unsized))
        )
    if not total.values["closed"]:
        notes.insert(0, _("no deal was won or lost {period}").format(period=period.label()))
    report = Report(
        "winrate",
        _("Win rate and deal size"),
        period,
        grouping.by,
        columns,
        rows if grouping.by else [],
        total,
        notes,
        Chart(BAR_CHART, "win_rate"),
        money.currency,
    )
    report.parts.append(_loss_reasons(request, money, closed))
    return report


def _row(grouping: Split, key: Any, numbers: list[Any], amounts: Any, closed: Any) -> Row:
    won, lost, cents, sized, _rest = numbers
    label = grouping.name(key) if key is not None else ALL
    group = group_title(label, key is None)
    where = closed if key is None else closed & grouping.condition(key)
    values = {
        "group": label,
        "closed": int(won + lost),
        "won": int(won),
        "lost": int(lost),
        "win_rate": rate(won, won + lost),
        "won_amount": round(cents),
        "average": cents / sized if sized else None,
        "median": spread(amounts)["median"],
    }
    in_group = Opportunity.id.in_(Opportunity.select(Opportunity.id).join(Lead).where(where))
    drills = {
        "closed": Drill("opportunity", in_group, _("closed: {group}").format(group=group)),
        "won": Drill(
            "opportunity",
            in_group & (Opportunity.state == OPP_WON),
            _("won: {group}").format(group=group),
        ),
        "lost": Drill(
            "opportunity",
            in_group & (Opportunity.state == OPP_LOST),
            _("lost: {group}").format(group=group),
        ),
    }
    for derived in ("win_rate", "won_amount", "average", "median"):
        drills[derived] = drills["won"]
    return Row("" if key is None else str(key), label, values, drills)


def _loss_reasons(request: Request, money: Money, closed: Any) -> Report:
    lost = closed & (Opportunity.state == OPP_LOST)
    query = (
        Opportunity.select(
            Opportunity.lost_reason,
            peewee.fn.COUNT(peewee.SQL("*")),
            peewee.fn.SUM(money.amount()),
        )
        .where(lost)
        .group_by(Opportunity.lost_reason)
        .tuples()
    )
    found = {reason: (int(count), round(cents or 0)) for reason, count, cents in query}
    everything = sum(count for count, _cents in found.values())
    rows = []
    for reason in sorted(found, key=lambda r: (-found[r][0], r.casefold())):
        count, cents = found[reason]
        label = shown_name(reason) if reason else _(NO_REASON)
        values = {
            "reason": label,
            "lost": count,
            "share": rate(count, everything),
            "lost_amount": cents,
        }
        drill = Drill(
            "opportunity",
            lost & (Opportunity.lost_reason == reason),
            _("lost: {group}").format(group=label),
        )
        rows.append(Row(reason, label, values, {"lost": drill, "lost_amount": drill}))
    total = Row(
        "",
        ALL,
        {
            "reason": ALL,
            "lost": everything,
            "share": rate(everything, everything),
            "lost_amount": sum(cents for _count, cents in found.values()),
        },
        {"lost": Drill("opportunity", lost, _("lost"))},
    )
    columns = [
        Column("reason", _("loss reason"), TEXT),
        Column("lost", _("lost"), COUNT, _("deals lost for this reason")),
        Column("share", _("share"), RATE, _("of the deals lost")),
        Column(
            "lost_amount",
            _("lost {currency}").format(currency=money.currency),
            MONEY,
            _("what they were worth"),
        ),
    ]
    notes = (
        [] if everything else [_("no deal was lost {period}").format(period=request.period.label())]
    )
    return Report(
        "loss_reasons",
        _("Loss reasons"),
        request.period,
        None,
        columns,
        rows,
        total,
        notes,
        Chart(BAR_CHART, "lost"),
        money.currency,
    )
