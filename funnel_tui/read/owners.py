"""Whether records belong to a user: one lookup by id, for an instance that hears of
others' writes and keeps counts of its own user's records (the Today counts), which a
write to someone else's record cannot change."""

from __future__ import annotations

from collections.abc import Collection

from funnel_tui.storage.models import database


def owns_any(user_id: int | None, leads: Collection[int], deals: Collection[int]) -> bool:
    """Whether the user owns any of the leads or deals with these ids."""
    if user_id is None or not (leads or deals):
        return False
    db = database.obj
    p = db.param
    for table, ids in (("lead", leads), ("opportunity", deals)):
        if not ids:
            continue
        marks = ", ".join(p for _n in ids)
        sql = f'SELECT 1 FROM "{table}" WHERE "owner_id" = {p} AND "id" IN ({marks}) LIMIT 1'
        if db.execute_sql(sql, (user_id, *ids)).fetchone():
            return True
    return False
