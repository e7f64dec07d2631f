"""Who else has funnel open on this database, and which record each one shows.

Every running instance keeps one row of the presence table (models.Presence): written
when it starts, when it opens or leaves a record, and every HEARTBEAT seconds. A row not
seen for PRESENCE_TTL is an instance that died without saying goodbye (a dropped SSH
session): it no longer counts, and it is deleted a while later. No UI imports.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass

from .db import utcnow
from .models import Presence

HEARTBEAT = 15.0  # seconds between an idle instance's writes of its row
PRESENCE_TTL = dt.timedelta(seconds=45)  # three heartbeats missed: gone
FORGET_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Seen:
    """Another instance: its user and the record it shows ("" and None for none)."""

    login: str
    entity: str
    entity_id: int | None
    editing: bool


def new_instance_id() -> str:
    """Unique per run: the same user may run funnel in two terminals."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def announce(
    instance: str,
    login: str,
    entity: str = "",
    entity_id: int | None = None,
    editing: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Write this instance's row: here, showing that record (or none)."""
    now = now or utcnow()
    values = {
        Presence.login: login,
        Presence.host: socket.gethostname(),
        Presence.seen_at: now,
        Presence.entity: entity,
        Presence.entity_id: entity_id,
        Presence.editing: editing,
    }
    (
        Presence.insert({**values, Presence.instance: instance, Presence.started_at: now})
        .on_conflict(conflict_target=[Presence.instance], update=values)
        .execute()
    )


def leave(instance: str) -> None:
    Presence.delete().where(Presence.instance == instance).execute()


def forget_dead(now: dt.datetime | None = None) -> int:
    """Delete the rows of instances not seen for a day; returns how many."""
    cutoff = (now or utcnow()) - FORGET_AFTER
    return Presence.delete().where(Presence.seen_at < cutoff).execute()


def others(instance: str, now: dt.datetime | None = None) -> tuple[Seen, ...]:
    """The other live instances, by user then record: the same user in two terminals
    is listed twice only if they show different records."""
    cutoff = (now or utcnow()) - PRESENCE_TTL
    rows = (
        Presence.select(Presence.login, Presence.entity, Presence.entity_id, Presence.editing)
        .where((Presence.instance != instance) & (Presence.seen_at >= cutoff))
        .order_by(Presence.login, Presence.entity, Presence.entity_id)
        .tuples()
    )
    return tuple(
        dict.fromkeys(Seen(login, entity, ident, bool(edit)) for login, entity, ident, edit in rows)
    )


def users_here(seen: tuple[Seen, ...]) -> list[str]:
    """The logins of the other instances, each once, in order."""
    return list(dict.fromkeys(s.login for s in seen))


def on_record(seen: tuple[Seen, ...], entity: str, entity_id: int) -> list[Seen]:
    """The others showing one record (one entry per user; editing wins)."""
    found: dict[str, Seen] = {}
    for s in seen:
        here = s.entity == entity and s.entity_id == entity_id
        if here and (s.login not in found or s.editing):
            found[s.login] = s
    return list(found.values())
