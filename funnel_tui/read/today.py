"""The Today queue: one user's leads and open deals that want something done, in three
sections, and the counts the shell's status line shows. No UI imports; the Today
screen and `funnel today` share it.

- **Overdue**: the next action was due before today (the user's today, in their zone).
- **Due today**.
- **Nothing scheduled**: leads being worked (new or working, not yet a deal) and open
  deals with no next action at all: nobody will call them unless someone decides to.

A lead counts with its own next action (logged on the lead); a deal with the deal's.
Nurtured leads come back when their nurturing ends (their next action is "Check in
again" on that day); unqualified leads and closed deals never show. Each section is
ordered from the (owner, next action due, …) covering indexes that
db.create_list_structures makes: one query per table, no table row read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import peewee

from funnel_tui.core.i18n import N_, _
from funnel_tui.storage.models import (
    Company,
    Lead,
    Opportunity,
    User,
    database,
)

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
    last_touch: dt.datetime | None  # the latest activity logged on the record
    since: dt.datetime  # captured (lead) or in its stage since (deal)
    amount_cents: int
    currency: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass
class TodayQueue:
    today: dt.date
    # Each section's items in order, as (LEAD or DEAL, id); `sections` holds their rows
    # when they were asked for.
    keys: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    sections: dict[str, list[QueueItem]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(self.keys.get(name, ())) for name in SECTIONS}


def load_queue(user_id: int | None, today: dt.date, details: bool = True) -> TodayQueue:
    """The user's queue, each section in the order to work it: overdue the longest
    overdue first; due today deals first, then the least recently touched; nothing
    scheduled the longest untouched (or waiting since capture) first.

    The order is decided on keys read from the queue's covering indexes alone (a few
    milliseconds for thousands of items); with `details` every item's row is read too
    (the command line), else `keys` is all there is and a screen reads the rows it
    shows with `queue_items`."""
    queue = TodayQueue(today, {name: [] for name in SECTIONS}, {name: [] for name in SECTIONS})
    if user_id is None:
        return queue
    found: dict[str, list[tuple]] = {name: [] for name in SECTIONS}
    iso = today.isoformat()
    for kind, sql in ((LEAD, _lead_keys_sql()), (DEAL, _deal_keys_sql())):
        order = 0 if kind == DEAL else 1
        for section, due, touched, ident in database.execute_sql(sql, (iso, user_id, iso)):
            name = SECTIONS[section]
            if name == OVERDUE:
                key = (str(due), str(touched), order, ident)
            else:
                key = (order, str(touched), ident) if name == DUE_TODAY else (str(touched), ident)
            found[name].append((key, kind, ident))
    queue.keys = {name: [(k, i) for _rank, k, i in sorted(rows)] for name, rows in found.items()}
    if details:
        items = queue_items([key for keys in queue.keys.values() for key in keys])
        queue.sections = {
            name: [items[key] for key in keys if key in items] for name, keys in queue.keys.items()
        }
    return queue


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


def queue_counts(user_id: int | None, today: dt.date) -> dict[str, int]:
    """How many items each section holds, for the status line: from the indexes."""
    counts = dict.fromkeys(SECTIONS, 0)
    if user_id is None:
        return counts
    iso = today.isoformat()
    for sql in (_lead_keys_sql(count=True), _deal_keys_sql(count=True)):
        for section, number in database.execute_sql(sql, (iso, user_id, iso)):
            counts[SECTIONS[section]] += number
    return counts


# Raw SQL, the same on both engines: a Peewee query costs more to build than these take
# to run. Each reads one covering index (db.TODAY_LEAD_INDEX, db.TODAY_DEAL_INDEX).
# Dates compare as ISO text on SQLite.
_SECTION_SQL = (
    'CASE WHEN "next_action_due" IS NULL THEN 2 WHEN "next_action_due" < {p} THEN 0 ELSE 1 END'
)
_LEAD_WHERE = (
    '"owner_id" = {p} AND ("next_action_due" <= {p} AND "status" <> \'unqualified\' '
    "OR \"next_action_due\" IS NULL AND \"status\" IN ('new', 'working') "
    "AND \"level\" IN ('lead', 'prospect'))"
)
_DEAL_WHERE = (
    '"owner_id" = {p} AND "state" = \'open\' '
    'AND ("next_action_due" <= {p} OR "next_action_due" IS NULL)'
)


def _keys_sql(table: str, where: str, since: str, count: bool) -> str:
    p = database.obj.param
    section = _SECTION_SQL.format(p=p)
    # Parameters in order of appearance: today (in the CASE), the owner, today.
    if count:
        return f'SELECT {section}, COUNT(*) FROM "{table}" WHERE {where.format(p=p)} GROUP BY 1'
    return (
        f'SELECT {section}, "next_action_due", COALESCE("last_activity_at", "{since}"), "id" '
        f'FROM "{table}" WHERE {where.format(p=p)}'
    )


def _lead_keys_sql(count: bool = False) -> str:
    return _keys_sql("lead", _LEAD_WHERE, "created_at", count)


def _deal_keys_sql(count: bool = False) -> str:
    return _keys_sql("opportunity", _DEAL_WHERE, "stage_entered_at", count)


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
            Lead.last_activity_at,
            Lead.created_at,
        )
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == Lead.company))
        .where(Lead.id.in_(ids))
    )
    out = []
    for (lead_id, name, company, status, display, raw, email, action, due, touched,
         created) in query.tuples():  # fmt: skip
        contact = display or raw or email or ""
        out.append(
            QueueItem(
                LEAD, lead_id, lead_id, name, company, "", status, contact, action, due,
                touched, created, 0, "",
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
            o.last_activity_at,
            o.stage_entered_at,
            o.amount_cents,
            o.currency,
        )
        .join(Lead, on=(Lead.id == o.lead))
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == o.company))
        .where(o.id.in_(ids))
    )
    out = []
    for (opp_id, lead_id, person, company, deal, stage, display, email, action, due,
         touched, entered, cents, currency) in query.tuples():  # fmt: skip
        out.append(
            QueueItem(
                DEAL, opp_id, lead_id, person, company, deal, stage, display or email or "",
                action, due, touched, entered, cents, currency,
            )
        )  # fmt: skip
    return out


def owner_id(login: str) -> int | None:
    """The id of the user `login`; None before they first wrote anything."""
    return User.select(User.id).where(User.login == login).scalar()
