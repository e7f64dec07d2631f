"""A rep's open next actions as calendar entries: what `funnel calendar` and the
calendar file funnel keeps current (transfer.calendar_feed) hold. No UI imports.

One entry per lead or open deal of the rep's with a next action (as the Today queue
counts them: a lead's own, not an unqualified one's; an open deal's), each with what a
rep needs on a phone before a call: the person, the company, the deal, the number and
the address (the queue's rows, read.today.queue_items). Read through the Today queue's
indexes (owner, due date, time).
"""

from __future__ import annotations

import datetime as dt

from funnel_tui.read.today import DEAL, LEAD, QueueItem, queue_items
from funnel_tui.storage.list_index import DEAL_OPEN_WHERE, LEAD_DUE_WHERE
from funnel_tui.storage.models import database


def calendar_entries(
    user_id: int | None, first: dt.date | None, last: dt.date | None
) -> list[QueueItem]:
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
    rows = database.execute_sql(sql, (user_id, *values, user_id, *values))
    found = queue_items([(DEAL if kind == 0 else LEAD, ident) for kind, ident in rows])
    return sorted(found.values(), key=lambda e: (e.due, e.at or dt.datetime.max, e.kind, e.id))
