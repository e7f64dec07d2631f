"""Forecast: the open pipeline by the month its deals are expected to close, with each
stage's share and the weighted value (each deal's amount times its stage's
probability).

Without a period every open deal is in it: those expected to close before this month
are one row, "overdue", and those with no close date another, since both need a rep's look
rather than a place in a month. A deal with no amount counts as a deal and adds
nothing; the report says how many there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from funnel_tui.config import Config
from funnel_tui.core.dates import add_months, local_today
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _, ngettext
from funnel_tui.core.labels import shown_name
from funnel_tui.core.vocab import OPP_OPEN
from funnel_tui.read.reports.base import (
    ALL,
    BAR_CHART,
    BY_MONTH,
    COUNT,
    MONEY,
    TEXT,
    Chart,
    Column,
    Drill,
    Report,
    Request,
    Row,
    bucket_tree,
    group_title,
    months_between,
)
from funnel_tui.read.reports.groups import Split, split
from funnel_tui.read.reports.measure import Money, column_sums, count_if, left_out_currencies
from funnel_tui.rules.history_words import listed
from funnel_tui.storage.database import utcnow
from funnel_tui.storage.models import Lead, Opportunity

OVERDUE, NO_CLOSE_DATE = "overdue", "no close date"


def forecast(request: Request) -> Report:
    period, config = request.period, request.config
    money = Money.choose(config, request.currency)
    # The user's today, in the period's zone (theirs), not the server's date.
    today = request.today or local_today(utcnow(), period.zone)
    where = Opportunity.state == OPP_OPEN
    if period.start:
        where &= Opportunity.expected_close >= period.start
    if period.end:
        where &= Opportunity.expected_close <= period.end
    # No join to the leads: a split by source reads Opportunity.lead_source.
    deals = Opportunity.select().where(where)
    grouping = (
        _month_split(period, today, where)
        if request.by == BY_MONTH
        else split(
            request.by,
            period,
            source=Opportunity.lead_source,
            owner=Opportunity.owner,
            time=Opportunity.created_at,
            model=Opportunity,
        )
    )
    stages = _open_stages(config, Opportunity.select().where(where))
    amount = money.amount()
    sums = [
        peewee.fn.COUNT(peewee.SQL("*")),
        count_if(Opportunity.amount_cents == 0),
        peewee.fn.SUM(amount),
        peewee.fn.SUM(amount * _probability(stages)),
    ]
    sums += [
        peewee.fn.SUM(peewee.Case(None, [(Opportunity.stage == name, amount)], None))
        for name, _chance in stages
    ]
    query = grouping.group(deals.select(grouping.select_key(), *sums)).tuples()
    found = {key: [round(float(n or 0)) for n in numbers] for key, *numbers in query}
    keys = [
        key for key in grouping.keys(found) if key in found or key not in (OVERDUE, NO_CLOSE_DATE)
    ]
    rows = [_row(grouping, key, found.get(key, [0] * len(sums)), stages, where) for key in keys]
    totals = column_sums(found, len(sums))
    total = _row(grouping, None, totals, stages, where)
    columns = [
        Column("group", grouping.label if request.by != BY_MONTH else _("closing"), TEXT),
        Column("deals", _("deals"), COUNT, _("open deals")),
        Column("no_amount", _("no amount"), COUNT, _("open deals with no amount yet")),
        Column(
            "amount",
            _("amount {currency}").format(currency=money.currency),
            MONEY,
            _("what the deals are worth"),
        ),
        Column("weighted", _("weighted"), MONEY, _("amount times the stage's probability")),
    ]
    columns += [
        Column(
            f"stage:{name}",
            shown_name(name),
            MONEY,
            _("amount in {stage} ({probability} %)").format(stage=shown_name(name), probability=p),
        )
        for name, p in stages
    ]
    notes = money.notes(left_out_currencies(deals, money), ("open deal", "open deals"))
    if totals[1]:
        notes.append(
            ngettext(
                "{count} open deal has no amount: counted as deals, adding nothing",
                "{count} open deals have no amount: counted as deals, adding nothing",
                totals[1],
            ).format(count=number(totals[1]))
        )
    if period.start or period.end:
        undated = Opportunity.select().where(
            (Opportunity.state == OPP_OPEN) & Opportunity.expected_close.is_null()
        )
        count = undated.count()
        if count:
            notes.append(
                ngettext(
                    "{count} open deal has no close date and so is in no period",
                    "{count} open deals have no close date and so are in no period",
                    count,
                ).format(count=number(count))
            )
    unknown = [name for name, p in stages if p is None]
    if unknown:
        notes.append(
            _("stages not in funnel.toml weigh nothing: {stages}").format(
                stages=listed(shown_name(name) for name in unknown)
            )
        )
    if not totals[0]:
        if period.start or period.end:
            nothing = _("no open deal closing {period}").format(period=period.label())
        else:
            nothing = _("no open deal")
        notes.insert(0, nothing)
    return Report(
        "forecast",
        _("Forecast"),
        period,
        request.by,
        columns,
        rows,
        total,
        notes,
        Chart(BAR_CHART, "weighted"),
        money.currency,
    )


def _month_split(period, today: dt.date, where: Any) -> Split:
    """Rows by closing month: overdue first (when the period starts before it), each
    month from the first to the last, then deals with no close date (when no period)."""
    first = period.start.replace(day=1) if period.start else today.replace(day=1)
    last = period.end
    if last is None:
        latest = Opportunity.select(peewee.fn.MAX(Opportunity.expected_close)).where(where).scalar()
        if isinstance(latest, str):
            latest = dt.date.fromisoformat(latest)
        last = max(latest or first, first)
    months = months_between(first, last)
    labels = [f"{month:%Y-%m}" for month in months]
    starts = [None, *(add_months(month, 1) for month in months[:-1])]
    if not period.start:
        labels.insert(0, OVERDUE)
        starts = [None, first, *starts[1:]]
    key = bucket_tree(Opportunity.expected_close, starts, labels)
    if not (period.start or period.end):
        key = peewee.Case(None, [(Opportunity.expected_close.is_null(), NO_CLOSE_DATE)], key)
        labels.append(NO_CLOSE_DATE)
    names = {OVERDUE: _("overdue"), NO_CLOSE_DATE: _("no close date")}
    return Split(BY_MONTH, _("closing"), key, names, fixed_keys=labels)


def _open_stages(config: Config | None, deals: peewee.Select) -> list[tuple[str, int | None]]:
    """The open stages with their probabilities, in the config's order; then those open
    deals are in that the config no longer names (probability None)."""
    stages = [(s.name, s.probability) for s in config.stages] if config else []
    closed = {config.won_stage, config.lost_stage} if config else set()
    stages = [(name, p) for name, p in stages if name not in closed]
    named = {name for name, _chance in stages}
    used = deals.select(Opportunity.stage).distinct().tuples()
    stages += [(name, None) for name in sorted(stage for (stage,) in used if stage not in named)]
    return stages


def _probability(stages: list[tuple[str, int | None]]) -> Any:
    return peewee.Case(Opportunity.stage, [(name, (p or 0) / 100) for name, p in stages], 0)


def _row(grouping: Split, key: Any, numbers: list[int], stages: list, where: Any) -> Row:
    deals, no_amount, cents, weighted, *per_stage = numbers
    label = grouping.name(key) if key is not None else ALL
    group = group_title(label, key is None)
    in_group = where if key is None else where & grouping.condition(key)
    values: dict[str, Any] = {
        "group": label,
        "deals": deals,
        "no_amount": no_amount,
        "amount": cents,
        "weighted": weighted,
    }
    ids = Opportunity.id.in_(Opportunity.select(Opportunity.id).join(Lead).where(in_group))
    drills = {
        "deals": Drill("opportunity", ids, _("open: {group}").format(group=group)),
        "no_amount": Drill(
            "opportunity",
            ids & (Opportunity.amount_cents == 0),
            _("no amount: {group}").format(group=group),
        ),
    }
    drills["amount"] = drills["weighted"] = drills["deals"]
    for (name, _chance), stage_cents in zip(stages, per_stage, strict=True):
        values[f"stage:{name}"] = stage_cents
        drills[f"stage:{name}"] = Drill(
            "opportunity",
            ids & (Opportunity.stage == name),
            _("{stage}: {group}").format(stage=shown_name(name), group=group),
        )
    return Row("" if key is None else str(key), label, values, drills)
