"""The Today queue: one user's leads and open deals that want something done, in three
sections, and the counts the shell's status line shows. No UI imports; the Today
screen and `funnel today` share it.

- **Overdue**: the next action was due before today (the user's today, in their zone).
- **Due today**.
- **Nothing scheduled**: leads being worked (new or working, not yet a deal) and open
  deals with no next action at all: nobody will call them unless someone decides to.

A lead counts with its own next action (logged on the lead); a deal with the deal's.
Nurtured leads come back when their nurturing ends (their next action is "Check in
again" on that day); unqualified leads and closed deals never show.

A queue may hold tens of thousands of items (a rep handed a purchased list), so nothing
here reads it whole unless asked to: each section is counted, and read a page at a time
in its order, from the partial indexes list_index.TODAY_INDEXES keeps in that order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import peewee

from funnel_tui.core.i18n import N_, _
from funnel_tui.storage.list_index import (
    ACTION_AT_SQL,
    DEAL_OPEN_WHERE,
    DEAL_TOUCHED_SQL,
    LEAD_DUE_WHERE,
    LEAD_OPEN_WHERE,
    LEAD_TOUCHED_SQL,
)
from funnel_tui.storage.models import (
    Company,
    Lead,
    Opportunity,
    User,
    database,
)
from funnel_tui.storage.statements import stored_time

CHUNK = 500  # ids per IN (...): SQLite allows 999 parameters in older builds

OVERDUE, DUE_TODAY, UNSCHEDULED = "overdue", "today", "unscheduled"
SECTIONS = (OVERDUE, DUE_TODAY, UNSCHEDULED)
# Marked for the catalog; shown through _() where shown (the language is set after import).
SECTION_TITLES = {
    OVERDUE: N_("Overdue"),
    DUE_TODAY: N_("Due today"),
    UNSCHEDULED: N_("Nothing scheduled"),
}


def section_title(name: str) -> str:
    """A section's title as the rep reads it."""
    return _(SECTION_TITLES[name])


LEAD, DEAL = "lead", "deal"


class QueueItem(NamedTuple):
    kind: str  # LEAD or DEAL
    id: int  # the lead's or the deal's
    lead_id: int
    person: str
    company: str
    deal: str  # the deal's name; "" for a lead
    state: str  # the lead's status, or the deal's stage
    contact: str  # the phone as shown, else the email
    next_action: str
    due: dt.date | None
    at: dt.datetime | None  # the moment of a timed next action (naive UTC)
    last_touch: dt.datetime | None  # the latest activity logged on the record
    since: dt.datetime  # captured (lead) or in its stage since (deal)
    amount_cents: int
    currency: str
    # The person's number in E.164 (to dial: a tel: link, a calendar entry) and address.
    phone_e164: str = ""
    email: str = ""

    @property
    def phone_shown(self) -> str:
        """The number as shown, when the contact shown is one ("" for an address)."""
        return "" if "@" in self.contact else self.contact

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass
class TodayQueue:
    today: dt.date
    # How many items each section holds, deals and leads apart: {section: {DEAL: n,
    # LEAD: n}}; however many of them were read.
    tally: dict[str, dict[str, int]] = field(default_factory=dict)
    # Each section's first items in order, as (LEAD or DEAL, id) (all of them when no
    # limit was asked for); `sections` holds their rows when they were asked for.
    keys: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sections: dict[str, list[QueueItem]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: sum(self.tally.get(name, {}).values()) for name in SECTIONS}


def load_queue(
    user_id: int | None, today: dt.date, details: bool = True, limit: int | None = None
) -> TodayQueue:
    """The user's queue, each section in the order to work it: overdue the longest
    overdue first; due today deals first, then the least recently touched; nothing
    scheduled the longest untouched (or waiting since capture) first.

    With `limit`, each section's first `limit` items only (the counts are always of
    all); with `details` their rows too (the command line). A screen reads the counts
    (section_counts) and the pages it shows (section_items) instead."""
    empty = {name: [] for name in SECTIONS}
    queue = TodayQueue(today, section_counts(user_id, today), dict(empty), dict(empty))
    if user_id is None:
        return queue
    queue.keys = {
        name: section_keys(user_id, today, name, 0, limit) if queue.counts[name] else []
        for name in SECTIONS
    }
    if details:
        items = queue_items([key for keys in queue.keys.values() for key in keys])
        queue.sections = {
            name: [items[key] for key in keys if key in items] for name, keys in queue.keys.items()
        }
    return queue


def section_counts(user_id: int | None, today: dt.date) -> dict[str, dict[str, int]]:
    """How many deals and leads each section holds: {section: {DEAL: n, LEAD: n}},
    counted in the queue's indexes (a few milliseconds for 50,000 items)."""
    tally = {name: {DEAL: 0, LEAD: 0} for name in SECTIONS}
    if user_id is None:
        return tally
    iso = today.isoformat()
    parameters = (iso, user_id, iso, iso, user_id, iso, user_id)
    for section, kind, number in database.execute_sql(_counts_sql(), parameters):
        tally[SECTIONS[section]][DEAL if kind == 0 else LEAD] += number
    return tally


def queue_counts(user_id: int | None, today: dt.date) -> dict[str, int]:
    """How many items each section holds, for the status line: from the indexes."""
    return {name: sum(kinds.values()) for name, kinds in section_counts(user_id, today).items()}


def section_keys(
    user_id: int, today: dt.date, section: str, offset: int = 0, limit: int | None = None
) -> list[tuple[str, int]]:
    """(LEAD or DEAL, id) of the section's items from place `offset` (0: the first), at
    most `limit` of them (None: to the end), in the section's order."""
    dated = () if section == UNSCHEDULED else (today.isoformat(),)
    # Each kind's first offset + limit, read in order from its index, then the two
    # merged: a page costs a walk of that many entries, never a sort of the section.
    through = _no_limit() if limit is None else offset + limit
    parameters = (user_id, *dated, through, user_id, *dated, through)
    rows = database.execute_sql(
        _section_sql(section),
        (*parameters, _no_limit() if limit is None else limit, offset),
    )
    return [(DEAL if kind == 0 else LEAD, ident) for kind, ident in rows]


def section_items(
    user_id: int, today: dt.date, section: str, offset: int, limit: int
) -> list[QueueItem]:
    """The rows of the section's items from place `offset`, at most `limit`, in order;
    an item deleted between the two reads is left out."""
    keys = section_keys(user_id, today, section, offset, limit)
    items = queue_items(keys)
    return [items[key] for key in keys if key in items]


def queue_items(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], QueueItem]:
    """The rows to show for `keys` ((LEAD or DEAL, id) pairs); missing ones (deleted
    meanwhile) are left out."""
    leads = [ident for kind, ident in keys if kind == LEAD]
    deals = [ident for kind, ident in keys if kind == DEAL]
    out: dict[tuple[str, int], QueueItem] = {}
    for start in range(0, len(leads), CHUNK):
        for item in _lead_rows(leads[start : start + CHUNK]):
            out[item.key] = item
    for start in range(0, len(deals), CHUNK):
        for item in _deal_rows(deals[start : start + CHUNK]):
            out[item.key] = item
    return out


# Raw SQL, the same on both engines but for the parameters' mark: a Peewee query costs
# more to build than these take to run. Each reads the partial indexes of
# list_index.TODAY_INDEXES, whose WHERE clauses and expressions they repeat word for word
# (SQLite uses them only then). Dates compare as ISO text on SQLite.
#
# Per section: (the deals' WHERE, the leads' WHERE, each kind's order, the section's order
# over both, k being 0 for a deal and 1 for a lead). "{p}" is today; the owner comes
# first in each kind's WHERE.
_SECTIONS_SQL = {
    OVERDUE: (
        f'{DEAL_OPEN_WHERE} AND "next_action_due" < {{p}}',
        f'"next_action_due" < {{p}} AND {LEAD_DUE_WHERE}',
        f'"next_action_due", {ACTION_AT_SQL}, {{touched}}, "id"',
        "due, at, touched, k, id",
    ),
    DUE_TODAY: (
        f'{DEAL_OPEN_WHERE} AND "next_action_due" = {{p}}',
        f'"next_action_due" = {{p}} AND {LEAD_DUE_WHERE}',
        f'{ACTION_AT_SQL}, {{touched}}, "id"',
        "at, k, touched, id",
    ),
    UNSCHEDULED: (
        f'{DEAL_OPEN_WHERE} AND "next_action_due" IS NULL',
        LEAD_OPEN_WHERE,
        '{touched}, "id"',
        "touched, id, k",
    ),
}


def _section_sql(section: str) -> str:
    """The keys of one section in order: owner, [today,] how many of each kind to read,
    owner, [today,] the same, then LIMIT and OFFSET over the merged two."""
    p = database.obj.param
    deals_where, leads_where, kind_order, order = _SECTIONS_SQL[section]

    def kind(k: int, table: str, where: str, touched: str) -> str:
        return (
            f'SELECT * FROM (SELECT {k} AS k, "id" AS id, "next_action_due" AS due, '
            f'{ACTION_AT_SQL} AS at, {touched} AS touched FROM "{table}" '
            f'WHERE "owner_id" = {p} AND '
            f"{where.format(p=p)} ORDER BY {kind_order.format(touched=touched)} LIMIT {p})"
        )

    deals = kind(0, "opportunity", deals_where, DEAL_TOUCHED_SQL)
    leads = kind(1, "lead", leads_where, LEAD_TOUCHED_SQL)
    return (
        f"SELECT k, id FROM ({deals} AS deals UNION ALL {leads} AS leads) AS queue "
        f"ORDER BY {order} LIMIT {p} OFFSET {p}"
    )


def _counts_sql() -> str:
    """Section (0, 1, 2), kind (0 deal, 1 lead), count. Parameters: today, owner, today;
    today, owner, today; owner."""
    p = database.obj.param
    return (
        f'SELECT CASE WHEN "next_action_due" IS NULL THEN 2 WHEN "next_action_due" < {p} '
        f'THEN 0 ELSE 1 END, 0, COUNT(*) FROM "opportunity" WHERE "owner_id" = {p} AND '
        f'{DEAL_OPEN_WHERE} AND ("next_action_due" <= {p} OR "next_action_due" IS NULL) '
        f'GROUP BY 1 UNION ALL SELECT CASE WHEN "next_action_due" < {p} THEN 0 ELSE 1 END, '
        f'1, COUNT(*) FROM "lead" WHERE "owner_id" = {p} AND "next_action_due" <= {p} AND '
        f'{LEAD_DUE_WHERE} GROUP BY 1 UNION ALL SELECT 2, 1, COUNT(*) FROM "lead" '
        f'WHERE "owner_id" = {p} AND {LEAD_OPEN_WHERE}'
    )


def _no_limit() -> int | None:
    """What LIMIT takes for "no limit": NULL on PostgreSQL, a negative number on SQLite."""
    return None if isinstance(database.obj, peewee.PostgresqlDatabase) else -1


def _lead_rows(ids: list[int]) -> list[QueueItem]:
    query = (
        Lead.select(
            Lead.id,
            Lead.name,
            peewee.fn.COALESCE(Company.name, ""),
            Lead.status,
            Lead.phone_display,
            Lead.phone_raw,
            Lead.email_norm,
            Lead.next_action,
            Lead.next_action_due,
            Lead.next_action_at,
            Lead.last_activity_at,
            Lead.created_at,
            Lead.phone_e164,
        )
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == Lead.company))
        .where(Lead.id.in_(ids))
    )
    out = []
    for (lead_id, name, company, status, display, raw, email, action, due, at, touched,
         created, e164) in query.tuples():  # fmt: skip
        contact = display or raw or email or ""
        out.append(
            QueueItem(
                LEAD, lead_id, lead_id, name, company, "", status, contact, action, due, at,
                touched, created, 0, "", e164 or "", email or "",
            )
        )  # fmt: skip
    return out


def _deal_rows(ids: list[int]) -> list[QueueItem]:
    o = Opportunity
    query = (
        o.select(
            o.id,
            o.lead,
            Lead.name,
            peewee.fn.COALESCE(Company.name, ""),
            o.name,
            o.stage,
            Lead.phone_display,
            Lead.email_norm,
            o.next_action,
            o.next_action_due,
            o.next_action_at,
            o.last_activity_at,
            o.stage_entered_at,
            o.amount_cents,
            o.currency,
            Lead.phone_e164,
        )
        .join(Lead, on=(Lead.id == o.lead))
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == o.company))
        .where(o.id.in_(ids))
    )
    out = []
    for (opp_id, lead_id, person, company, deal, stage, display, email, action, due, at,
         touched, entered, cents, currency, e164) in query.tuples():  # fmt: skip
        out.append(
            QueueItem(
                DEAL, opp_id, lead_id, person, company, deal, stage, display or email or "",
                action, due, at, touched, entered, cents, currency, e164 or "", email or "",
            )
        )  # fmt: skip
    return out


# Up to this many due dates, coming_due reads each one's actions by their time.
LOOKS_PER_DAY_UP_TO = 8


def coming_due(user_id: int | None, start: dt.datetime, end: dt.datetime) -> list[QueueItem]:
    """The user's open timed next actions due from `start` to `end` (naive UTC, both
    included), soonest first: what a reminder rings for and `funnel today --due-within`
    lists. The queue's indexes are by owner, due date and time, and a due date is the
    local date of whoever set the action, in whatever zone (a manager in Taipei setting
    a call for a rep in Mexico City): the dates looked at run from a day before the
    span's in UTC to a day after, which holds every zone's, and the time decides."""
    if user_id is None:
        return []
    p = database.obj.param
    first, last = start.date() - dt.timedelta(days=1), end.date() + dt.timedelta(days=1)
    count = (last - first).days + 1
    if count <= LOOKS_PER_DAY_UP_TO:  # each day's actions read by their time
        days = [(first + dt.timedelta(days=n)).isoformat() for n in range(count)]
        on_days = f'"next_action_due" IN ({", ".join([p] * count)})'
    else:  # `today --due-within 90d`: the days' range, the time checked in the index
        days = [first.isoformat(), last.isoformat()]
        on_days = f'"next_action_due" BETWEEN {p} AND {p}'
    timed = f"{on_days} AND {ACTION_AT_SQL} BETWEEN {p} AND {p}"
    sql = (
        f'SELECT 0, "id" FROM "opportunity" WHERE "owner_id" = {p} AND {DEAL_OPEN_WHERE} '
        f'AND {timed} UNION ALL SELECT 1, "id" FROM "lead" WHERE "owner_id" = {p} AND '
        f"{timed} AND {LEAD_DUE_WHERE}"
    )
    span = (*days, *(stored_time(t.replace(microsecond=0)) for t in (start, end)))
    rows = database.execute_sql(sql, (user_id, *span, user_id, *span))
    keys = [(DEAL if kind == 0 else LEAD, ident) for kind, ident in rows]
    items = queue_items(keys)
    found = [items[key] for key in keys if key in items]
    return sorted(found, key=lambda item: (item.at, item.kind != DEAL, item.id))


def owner_id(login: str) -> int | None:
    """The id of the user `login`; None before they first wrote anything."""
    return User.select(User.id).where(User.login == login).scalar()
