"""What the pipeline board reads: each stage's count and totals, computed by the database
over every deal the filters let through (never from the cards loaded), and a stage's
cards a page at a time in the board's order. No UI imports; the board screen and
`funnel board` share it.

Order within a column: open deals by expected close, soonest first, with deals that
have no close date on top (something to fix), then by id; that is the order of the
board index (db.BOARD_INDEX), so a page is a walk of the index. Won and lost deals:
latest closed first.

Amounts are never added across currencies. Totals are per currency; with
`report_currency` and `exchange_rates` in the config, the currencies that have a rate
are also given as one converted total, marked as converted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import peewee

from funnel_tui.config import Config, Stage
from funnel_tui.core import money
from funnel_tui.core.money import Converted
from funnel_tui.core.vocab import OPP_LOST, OPP_OPEN, OPP_WON
from funnel_tui.storage.models import (
    Activity,
    Company,
    History,
    Lead,
    Opportunity,
    StageChange,
    User,
    database,
)

# The cards a column holds per page (the board reads them a page at a time).
BOARD_PAGE = 40


@dataclass(frozen=True)
class BoardFilter:
    """Which deals the board shows; empty fields filter nothing."""

    owner_id: int | None = None
    owner: str = ""  # the owner's login, to show
    source: str = ""  # the lead's source
    closing_month: dt.date | None = None  # the first day of a month: closing within it
    stale_only: bool = False
    # The user's date (due dates are in their calendar): what "nothing scheduled ahead"
    # of the stale filter counts from, as the cards' marks do. None: UTC's.
    today: dt.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.owner_id or self.source or self.closing_month or self.stale_only)


@dataclass(frozen=True)
class StageTotals:
    stage: str
    probability: int  # percent
    count: int
    amounts: dict[str, int] = field(default_factory=dict)  # currency -> cents, most deals first

    @property
    def weighted(self) -> dict[str, int]:
        return {cur: money.weighted(cents, self.probability) for cur, cents in self.amounts.items()}


def convert(config: Config, amounts: dict[str, int]) -> Converted | None:
    """`amounts` as one total in the report currency at the config's rates, or None when
    the config has no report currency (each currency keeps its own total)."""
    if not config.report_currency:
        return None
    return money.convert(amounts, config.report_currency, config.exchange_rates)


class Card(NamedTuple):
    id: int
    version: int
    name: str
    company: str
    contact: str
    lead_id: int
    amount_cents: int
    currency: str
    stage: str
    state: str
    stage_entered_at: dt.datetime
    expected_close: dt.date | None
    next_action: str
    next_action_due: dt.date | None
    last_activity_at: dt.datetime | None
    owner: str
    lost_reason: str
    closed_at: dt.datetime | None
    next_action_at: dt.datetime | None = None  # a timed next action's moment (UTC)


class CardMarks(NamedTuple):
    days_in_stage: int
    overdue: bool  # the next action's date has passed
    unscheduled: bool  # an open deal with no next action
    stale: bool  # no activity past the stage's limit and nothing scheduled ahead


def card_marks(
    config: Config, card: Card, now: dt.datetime, today: dt.date | None = None
) -> CardMarks:
    """`now` is UTC; `today` the user's date (due dates are in their calendar),
    UTC's when not given."""
    today = today or now.date()
    days = max(0, (now - card.stage_entered_at).days)
    if card.state != OPP_OPEN:
        return CardMarks(days, False, False, False)
    due = card.next_action_due
    overdue = due is not None and due < today
    stage = config.stage(card.stage)
    stale = False
    if stage is not None and stage.stale_days > 0 and (due is None or due < today):
        cutoff = now - dt.timedelta(days=stage.stale_days)
        touched = max(card.stage_entered_at, card.last_activity_at or card.stage_entered_at)
        stale = touched < cutoff
    return CardMarks(days, overdue, due is None, stale)


def board_stages(config: Config, closed: bool) -> tuple[Stage, ...]:
    """The board's columns: the open stages, then won and lost when `closed`."""
    if not closed:
        return config.open_stages
    return (*config.open_stages, config.stage(config.won_stage), config.stage(config.lost_stage))


def stage_state(config: Config, stage: str) -> str:
    """The state of the deals in a column: won and lost have theirs."""
    return {config.won_stage: OPP_WON, config.lost_stage: OPP_LOST}.get(stage, OPP_OPEN)


def board_totals(
    config: Config,
    flt: BoardFilter,
    now: dt.datetime,
    closed: bool = True,
    only: set[str] | None = None,
) -> dict[str, StageTotals]:
    """Each column's count and per-currency amounts over every deal that matches `flt`,
    summed by the database; every stage present (or those in `only`), empty ones at
    zero."""
    stages = [s for s in board_stages(config, closed) if only is None or s.name in only]
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for state, names in _states(config, stages).items():
        query = (
            Opportunity.select(
                Opportunity.stage,
                Opportunity.currency,
                peewee.fn.COUNT(Opportunity.id),
                peewee.fn.SUM(Opportunity.amount_cents),
            )
            .where((Opportunity.state == state) & Opportunity.stage.in_(names))
            .group_by(Opportunity.stage, Opportunity.currency)
        )
        query = _filtered(query, config, flt, now, names)
        for stage, currency, count, cents in query.tuples():
            found.setdefault(stage, {})[currency] = (count, int(cents or 0))
    out = {}
    for stage in stages:
        per = found.get(stage.name, {})
        # The currency of most deals first (the default one first among equals): raw
        # amounts in different currencies say nothing about which matters more.
        order = sorted(per, key=lambda cur: (-per[cur][0], cur != config.default_currency, cur))
        amounts = {cur: per[cur][1] for cur in order}
        count = sum(n for n, _ in per.values())
        out[stage.name] = StageTotals(stage.name, stage.probability, count, amounts)
    return out


def stage_cards(
    config: Config, stage: str, flt: BoardFilter, now: dt.datetime, offset: int, limit: int
) -> list[Card]:
    """`limit` cards of column `stage` from position `offset`, in the board's order."""
    state = stage_state(config, stage)
    query = (
        _card_query()
        .where((Opportunity.state == state) & (Opportunity.stage == stage))
        .order_by(*_order(state))
        .offset(offset)
        .limit(limit)
    )
    query = _filtered(query, config, flt, now, [stage], joined=True)
    return [Card(*row) for row in query.tuples()]


def get_card(opp_id: int) -> Card | None:
    row = _card_query().where(Opportunity.id == opp_id).tuples().first()
    return Card(*row) if row else None


def card_position(config: Config, card: Card, flt: BoardFilter, now: dt.datetime) -> int | None:
    """Where `card` stands in its column under `flt` (0 = top); None when the filters
    leave it out."""
    state = stage_state(config, card.stage)
    if state != card.state:
        return None
    matches = _filtered(
        Opportunity.select(Opportunity.id).where(Opportunity.id == card.id),
        config,
        flt,
        now,
        [card.stage],
    )
    if not matches.exists():
        return None
    o = Opportunity
    if state == OPP_OPEN:
        if card.expected_close is None:
            before = o.expected_close.is_null() & (o.id < card.id)
        else:
            before = (
                o.expected_close.is_null()
                | (o.expected_close < card.expected_close)
                | ((o.expected_close == card.expected_close) & (o.id < card.id))
            )
    else:
        before = (o.closed_at > card.closed_at) | (
            (o.closed_at == card.closed_at) & (o.id > card.id)
        )
    query = o.select(peewee.fn.COUNT(o.id)).where(
        (o.state == state) & (o.stage == card.stage) & before
    )
    return _filtered(query, config, flt, now, [card.stage]).scalar() or 0


class StageMove(NamedTuple):
    at: dt.datetime
    user: str
    from_stage: str | None
    to_stage: str


def stage_history(opp_id: int) -> list[StageMove]:
    """Every move of the deal across the board, oldest first."""
    query = (
        StageChange.select(StageChange.at, User.login, StageChange.from_stage, StageChange.to_stage)
        .join(User, on=(User.id == StageChange.user))
        .where(StageChange.opportunity == opp_id)
        .order_by(StageChange.id)
    )
    return [StageMove(*row) for row in query.tuples()]


@dataclass(frozen=True)
class DealRecord:
    """An opportunity's record: the card, its lead, its moves, recent activities."""

    card: Card
    opportunity: Opportunity
    lead: Lead
    moves: list[StageMove]
    activities: list[Activity]  # on the deal and on its lead, newest first
    history: list[History]  # the deal's changes other than its moves, oldest first


RECORD_ACTIVITIES = 30


def deal_record(opp_id: int) -> DealRecord | None:
    card = get_card(opp_id)
    if card is None:
        return None
    opp = Opportunity.get_by_id(opp_id)
    lead = Lead.get_by_id(card.lead_id)
    activities = list(
        Activity.select(Activity, User.login)
        .join(User, on=(User.id == Activity.user))
        .where(Activity.lead == lead.id)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(RECORD_ACTIVITIES)
    )
    history = list(
        History.select(History, User.login)
        .join(User, on=(User.id == History.user))
        .where(
            (History.entity == "opportunity")
            & (History.entity_id == opp_id)
            # The stage history has the moves, and the creation too (its first stage).
            & History.action.not_in(("move", "create"))
        )
        .order_by(History.id)
    )
    return DealRecord(card, opp, lead, stage_history(opp_id), activities, history)


def deals_named(text: str, limit: int = 8) -> list[Card]:
    """Deals whose name holds every word of `text` (ASCII letters in any case), open
    ones first, newest first: the command palette's search by name. A LIKE over the
    deals' names (about a tenth as many rows as leads); `%` and `_` in `text` are
    matched literally."""
    words = [word for word in text.lower().split() if word]
    if not words:
        return []
    query = _card_query()
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = peewee.NodeList(
            (
                peewee.fn.LOWER(Opportunity.name),
                peewee.SQL("LIKE"),
                pattern,
                peewee.SQL("ESCAPE '\\'"),
            )
        )
        query = query.where(like)
    open_first = peewee.Case(None, [(Opportunity.state == OPP_OPEN, 0)], 1)
    rows = query.order_by(open_first, Opportunity.id.desc()).limit(limit).tuples()
    return [Card(*row) for row in rows]


def owners() -> list[tuple[int, str]]:
    """(id, login) of everyone who owns a deal, by login."""
    query = (
        User.select(User.id, User.login)
        .where(User.id.in_(Opportunity.select(Opportunity.owner).distinct()))
        .order_by(User.login)
    )
    return list(query.tuples())


# ---------------------------------------------------------------------- building


def _states(config: Config, stages: Iterable[Stage]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for stage in stages:
        out.setdefault(stage_state(config, stage.name), []).append(stage.name)
    return out


def _order(state: str) -> list[peewee.Ordering]:
    if state == OPP_OPEN:
        # NULLS FIRST is SQLite's own order for ASC, and the index's on PostgreSQL.
        postgres = isinstance(database.obj, peewee.PostgresqlDatabase)
        close = Opportunity.expected_close.asc(nulls="FIRST" if postgres else None)
        return [close, Opportunity.id.asc()]
    return [Opportunity.closed_at.desc(), Opportunity.id.desc()]


def _card_query() -> peewee.Query:
    o = Opportunity
    return (
        o.select(
            o.id,
            o.version,
            o.name,
            peewee.fn.COALESCE(Company.name, ""),
            Lead.name,
            o.lead,
            o.amount_cents,
            o.currency,
            o.stage,
            o.state,
            o.stage_entered_at,
            o.expected_close,
            o.next_action,
            o.next_action_due,
            o.last_activity_at,
            User.login,
            o.lost_reason,
            o.closed_at,
            o.next_action_at,
        )
        .join(Lead, on=(Lead.id == o.lead))
        .switch(o)
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == o.company))
        .switch(o)
        .join(User, on=(User.id == o.owner))
    )


def _filtered(
    query: peewee.Query,
    config: Config,
    flt: BoardFilter,
    now: dt.datetime,
    stages: list[str],
    joined: bool = False,
) -> peewee.Query:
    o = Opportunity
    if flt.owner_id is not None:
        query = query.where(o.owner == flt.owner_id)
    if flt.source:
        if not joined:
            query = query.join(Lead, on=(Lead.id == o.lead))
        query = query.where(Lead.source == flt.source)
    if flt.closing_month is not None:
        first = flt.closing_month.replace(day=1)
        after = (first + dt.timedelta(days=32)).replace(day=1)
        query = query.where((o.expected_close >= first) & (o.expected_close < after))
    if flt.stale_only:
        query = query.where(_stale_sql(config, now, stages, flt.today or now.date()))
    return query


def _stale_sql(
    config: Config, now: dt.datetime, stages: list[str], today: dt.date
) -> peewee.Expression:
    """Open, in a stage with a staleness limit, untouched (no activity, no move into
    the stage) for longer than the limit, and with no next action due `today` or later."""
    o = Opportunity
    nothing_ahead = o.next_action_due.is_null() | (o.next_action_due < today)
    per_stage = []
    for name in stages:
        stage = config.stage(name)
        if stage is None or stage.stale_days <= 0 or stage_state(config, name) != OPP_OPEN:
            continue
        cutoff = now - dt.timedelta(days=stage.stale_days)
        per_stage.append(
            (o.stage == stage.name)
            & (o.stage_entered_at < cutoff)
            & (o.last_activity_at.is_null() | (o.last_activity_at < cutoff))
        )
    if not per_stage:
        return peewee.SQL("1 = 0")
    any_stage = per_stage[0]
    for part in per_stage[1:]:
        any_stage |= part
    return (o.state == OPP_OPEN) & nothing_ahead & any_stage
