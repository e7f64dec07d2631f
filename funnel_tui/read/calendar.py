"""A rep's open next actions as calendar entries: what `funnel calendar` and the
calendar file funnel keeps current (live.calendar_feed) hold. No UI imports.

One entry per lead or open deal of the rep's with a next action (as the Today queue
counts them: a lead's own, not an unqualified one's; an open deal's), each with what a
rep needs on a phone before a call: the person, the company, the deal, the number and
the address. Read through the Today queue's indexes (owner, due date, time).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import peewee

from funnel_tui.storage.list_index import DEAL_OPEN_WHERE, LEAD_DUE_WHERE
from funnel_tui.storage.models import Company, Lead, Opportunity, database

CHUNK = 500


class CalendarEntry(NamedTuple):
    kind: str  # "lead" or "deal"
    id: int
    lead_id: int
    person: str
    company: str
    deal: str
    next_action: str
    due: dt.date
    at: dt.datetime | None  # naive UTC; None for a whole-day action
    phone: str  # E.164, for a tel: link
    phone_shown: str
    email: str


def latest_change() -> int:
    """The newest history entry's id (0 for none): every write appends to the history,
    so a command that changed something leaves a larger one."""
    from funnel_tui.storage.models import History

    return History.select(peewee.fn.MAX(History.id)).scalar() or 0


def calendar_entries(
    user_id: int | None, first: dt.date | None, last: dt.date | None
) -> list[CalendarEntry]:
    """The user's open next actions due from `first` to `last` (either None: no bound),
    by date and time."""
    if user_id is None:
        return []
    p = database.obj.param
    bounds, values = "", []
    if first is not None:
        bounds += f' AND "next_action_due" >= {p}'
        values.append(first.isoformat())
    if last is not None:
        bounds += f' AND "next_action_due" <= {p}'
        values.append(last.isoformat())
    sql = (
        f'SELECT 0, "id" FROM "opportunity" WHERE "owner_id" = {p} AND {DEAL_OPEN_WHERE} '
        f'AND "next_action_due" IS NOT NULL{bounds} UNION ALL SELECT 1, "id" FROM "lead" '
        f'WHERE "owner_id" = {p}{bounds} AND {LEAD_DUE_WHERE}'
    )
    rows = list(database.execute_sql(sql, (user_id, *values, user_id, *values)))
    deals = [ident for kind, ident in rows if kind == 0]
    leads = [ident for kind, ident in rows if kind == 1]
    found: list[CalendarEntry] = []
    for start in range(0, len(leads), CHUNK):
        found += _lead_entries(leads[start : start + CHUNK])
    for start in range(0, len(deals), CHUNK):
        found += _deal_entries(deals[start : start + CHUNK])
    return sorted(found, key=lambda e: (e.due, e.at or dt.datetime.max, e.kind, e.id))


def _lead_entries(ids: list[int]) -> list[CalendarEntry]:
    query = (
        Lead.select(
            Lead.id,
            Lead.name,
            peewee.fn.COALESCE(Company.name, ""),
            Lead.next_action,
            Lead.next_action_due,
            Lead.next_action_at,
            Lead.phone_e164,
            Lead.phone_display,
            Lead.phone_raw,
            Lead.email_norm,
            Lead.email_raw,
        )
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == Lead.company))
        .where(Lead.id.in_(ids))
    )
    return [
        CalendarEntry(
            "lead", ident, ident, name, company, "", action, due, at, e164 or "",
            shown or raw or "", email or typed or "",
        )
        for (ident, name, company, action, due, at, e164, shown, raw, email, typed)
        in query.tuples()
    ]  # fmt: skip


def _deal_entries(ids: list[int]) -> list[CalendarEntry]:
    o = Opportunity
    query = (
        o.select(
            o.id,
            o.lead,
            Lead.name,
            peewee.fn.COALESCE(Company.name, ""),
            o.name,
            o.next_action,
            o.next_action_due,
            o.next_action_at,
            Lead.phone_e164,
            Lead.phone_display,
            Lead.phone_raw,
            Lead.email_norm,
            Lead.email_raw,
        )
        .join(Lead, on=(Lead.id == o.lead))
        .join(Company, peewee.JOIN.LEFT_OUTER, on=(Company.id == o.company))
        .where(o.id.in_(ids))
    )
    return [
        CalendarEntry(
            "deal", ident, lead_id, person, company, deal, action, due, at, e164 or "",
            shown or raw or "", email or typed or "",
        )
        for (ident, lead_id, person, company, deal, action, due, at, e164, shown, raw, email,
             typed) in query.tuples()
    ]  # fmt: skip
