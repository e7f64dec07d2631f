"""Who else has funnel open on this database, and which record each one shows.

Every running instance keeps one row of the presence table (models.Presence): written
when it starts, when it opens or leaves a record, and every HEARTBEAT seconds. An
instance that died without saying goodbye (a dropped SSH session, a kill) must leave the
others' top line within seconds: on the same host (a team's shared server) its process
is simply asked for, and a row whose process is gone is deleted at once; on another host
(a shared PostgreSQL) a row not seen for PRESENCE_TTL no longer counts. Rows are
deleted for good a day later. No UI imports.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass

from funnel_tui.storage.database import utcnow
from funnel_tui.storage.models import Presence, database

HEARTBEAT = 5.0  # seconds between an idle instance's writes of its row
PRESENCE_TTL = dt.timedelta(seconds=15)  # three heartbeats missed: gone (another host)
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


def others(instance: str, now: dt.datetime | None = None, tidy: bool = True) -> tuple[Seen, ...]:
    """The other live instances, by user then record: the same user in two terminals
    is listed twice only if they show different records. The rows of instances of
    this host whose process is gone are left out, and deleted with `tidy`."""
    cutoff = (now or utcnow()) - PRESENCE_TTL
    # Raw SQL: the watcher asks this after every write the team makes, and Peewee takes
    # longer to build the statement (0.3 ms) than the database to answer it.
    db = database.obj
    p = db.param
    rows = db.execute_sql(
        'SELECT "instance", "host", "login", "entity", "entity_id", "editing" '
        f'FROM "presence" WHERE "instance" <> {p} AND "seen_at" >= {p} '
        'ORDER BY "login", "entity", "entity_id"',
        (instance, Presence.seen_at.db_value(cutoff)),
    ).fetchall()
    here = socket.gethostname()
    seen, dead = [], []
    for other, host, login, entity, ident, edit in rows:
        if host == here and not _process_alive(other):
            dead.append(other)
        else:
            seen.append(Seen(login, entity, ident, bool(edit)))
    if dead and tidy:
        Presence.delete().where(Presence.instance.in_(dead)).execute()
    return tuple(dict.fromkeys(seen))


def _process_alive(instance: str) -> bool:
    """Whether the process of an instance of this host (host:pid:token) still runs;
    True when that cannot be told (another user's process answers EPERM: alive)."""
    try:
        pid = int(instance.split(":")[1])
    except (IndexError, ValueError):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


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
