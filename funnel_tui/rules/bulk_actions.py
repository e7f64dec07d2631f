"""Acting on many leads at once (the lead list's marked rows): a status set on each, the
same activity logged on each. One transaction per action, bulk SQL rather than one
set_status or log_activity per lead, and History rows that share the user, the moment
and the action (BULK_STATUS, BULK_ACTIVITY in undo.BATCH_ACTIONS), so that undo takes
the whole action back as one step.

Stale rows: the marks name leads, not the values the user saw. An action applies to
each lead as it is when the action runs (its row locked where the engine locks rows),
and its history records that lead's own old value → new. A lead already at the wanted
status is left alone and counted as such; a lead merged into another or gone since is
skipped and counted. No version check against the list's copy: the list shows no
version, and a status set on many is meant to overwrite whatever status each had.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from funnel_tui.core.errors import Problem, Refused
from funnel_tui.core.formats import number
from funnel_tui.core.i18n import _
from funnel_tui.core.vocab import (
    NURTURE_ACTION,
    STATUS_NEW,
    STATUS_NURTURING,
    STATUS_UNQUALIFIED,
    STATUS_WORKING,
)
from funnel_tui.rules.activities import checked_activity, unqualified_next_action
from funnel_tui.rules.engagement import (
    _two_way_sql,
    add_engagement,
    engagement_key,
    engagement_time,
    is_two_way,
)
from funnel_tui.rules.leads import status_values
from funnel_tui.rules.session import Session, _json, _plain
from funnel_tui.storage.bulk import (
    chunks,
    insert_many_ids,
    live_leads,
    open_next_actions,
    rows_by_id,
    set_by_id,
    stored_day,
    update_leads,
    write_many,
)
from funnel_tui.storage.database import retry_writes
from funnel_tui.storage.models import Activity, History, Lead, database
from funnel_tui.storage.statements import insert_sql, stored_time

BULK_STATUS = "bulk_status"
BULK_ACTIVITY = "bulk_activity"
CHUNK = 400  # ids a statement names (bulk.chunks: short enough for every SQLite build)

Progress = Callable[[int, int], None]  # (leads done, of how many)

_HISTORY_COLUMNS = ("at", "user", "entity", "entity_id", "action", "field", "old", "new", "version")
_ACTIVITY_COLUMNS = (
    "lead_id",
    "opportunity_id",
    "kind",
    "direction",
    "outcome",
    "note",
    "occurred_at",
    "user_id",
    "next_action",
    "next_action_due",
    "next_action_at",
    "next_action_done",
    "created_at",
)


@dataclass(frozen=True)
class BulkDone:
    """What an action on many leads did: `changed` leads changed, `unchanged` already
    as wanted, `missing` merged into another or gone since they were marked."""

    action: str
    changed: int
    unchanged: int
    missing: int
    at: dt.datetime

    @property
    def asked(self) -> int:
        return self.changed + self.unchanged + self.missing


def _wanted(ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise Refused([Problem("leads", "none", _("no leads were chosen; nothing was changed"))])
    return wanted


def _none_left(asked: int) -> Refused:
    return Refused(
        [
            Problem(
                "leads",
                "gone",
                _(
                    "none of the {count} leads is here any more (merged or removed); "
                    "nothing was changed"
                ).format(count=number(asked)),
            )
        ]
    )


class BulkActionRules(Session):
    """Status and activities on many leads, each action one undoable step."""

    @retry_writes
    def bulk_set_status(
        self,
        ids: Iterable[int],
        status: str,
        *,
        reason: str = "",
        until: dt.date | None = None,
        progress: Progress | None = None,
    ) -> BulkDone:
        """Set `status` on every lead of `ids`, with the reason or date it needs (as
        set_status: unqualified needs a reason, nurturing a date, which also becomes
        each lead's next action). Refused, writing nothing, for no ids, a status
        refused for one lead, or ids none of which is a lead now."""
        wanted = _wanted(ids)
        new = status_values(status, reason, until, self.today())
        if status == STATUS_NURTURING:
            new.update(next_action=NURTURE_ACTION, next_action_due=until, next_action_at=None)
        stored = {name: _stored(value) for name, value in new.items()}
        now = self.now()
        at, user = stored_time(now), self.user_id
        history: list[tuple[Any, ...]] = []
        changed = unchanged = found = 0
        with database.atomic():
            for done, chunk in enumerate(chunks(wanted, CHUNK), 1):
                # Only the columns that change are set, those of one lead as of another
                # (an UPDATE of an indexed column costs its indexes even when unchanged).
                moving: dict[tuple[str, ...], list[int]] = {}
                for lead_id, version, *values in live_leads(("id", "version", *new), chunk):
                    found += 1
                    changes = [
                        (name, _plain(old), _plain(value))
                        for (name, value), old in zip(new.items(), values, strict=True)
                        if _plain(old) != _plain(value)
                    ]
                    if not {name for name, _old, _new in changes} - {
                        "next_action",
                        "next_action_due",
                        "next_action_at",
                    }:
                        unchanged += 1  # its status as wanted already: its next action too
                        continue
                    moving.setdefault(tuple(name for name, _old, _new in changes), []).append(
                        lead_id
                    )
                    history += [
                        (at, user, "lead", lead_id, BULK_STATUS, name, _text(o), _text(n),
                         version + 1)
                        for name, o, n in changes
                    ]  # fmt: skip
                for names, ids_moving in moving.items():
                    set_by_id(
                        "lead", {**{n: stored[n] for n in names}, "updated_at": at}, ids_moving
                    )
                    changed += len(ids_moving)
                if progress is not None:
                    progress(min(done * CHUNK, len(wanted)), len(wanted))
            if not found:
                raise _none_left(len(wanted))
            write_many(insert_sql(History, _HISTORY_COLUMNS), history)
        return BulkDone(BULK_STATUS, changed, unchanged, len(wanted) - found, now)

    @retry_writes
    def bulk_log_activity(
        self,
        ids: Iterable[int],
        *,
        kind: str,
        direction: str = "outbound",
        outcome: str = "",
        note: str = "",
        next_action: str = "",
        next_due: dt.date | None = None,
        progress: Progress | None = None,
        next_at: dt.datetime | None = None,
    ) -> BulkDone:
        """Log the same activity on every lead of `ids`, as log_activity logs it on
        one: it settles each lead's open next action (a new one replaces it), adds to
        its engagement when two-way, and moves a *new* lead to *working* then. Refused,
        writing nothing, as log_activity refuses the fields, and for no ids."""
        wanted = _wanted(ids)
        kind, direction, outcome, note, action = checked_activity(
            self, kind, direction, outcome, note, next_action, next_due, next_at
        )
        now = self.now()
        at, user = stored_time(now), self.user_id
        two_way = is_two_way(kind, direction, outcome)
        settles = next_due is not None or kind != "note"
        exponent = engagement_time(now, self.config.engagement_half_life_days)
        snapshot = {
            "kind": kind,
            "direction": direction,
            "outcome": outcome,
            "next_action": action,
            "next_due": next_due,
        }
        if next_at is not None:
            snapshot["next_at"] = next_at
        timed = None if next_at is None else stored_time(next_at)
        columns = (
            "id",
            "version",
            "status",
            "last_activity_at",
            "engagement_key",
            "next_action",
            "next_action_due",
            "next_action_at",
        )
        history: list[tuple[Any, ...]] = []
        # Leads whose status moves (new → working), and the others: setting a status,
        # even to the same value, rewrites the lead's search document (its trigger).
        moved: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        found = 0
        with database.atomic():
            for done, chunk in enumerate(chunks(wanted, CHUNK), 1):
                rows = live_leads(columns, chunk)
                if next_due is not None:  # nothing written: the whole batch is refused
                    out = [row[0] for row in rows if row[2] == STATUS_UNQUALIFIED]
                    if out:
                        raise Refused([unqualified_next_action(out)])
                found += len(rows)
                settled = _settle([row[0] for row in rows]) if settles else {}
                made_ids = insert_many_ids(
                    "activity",
                    _ACTIVITY_COLUMNS,
                    [
                        (row[0], None, kind, direction, outcome, note, at, user, action,
                         stored_day(next_due), timed, False, at)
                        for row in rows
                    ],
                )  # fmt: skip
                for activity_id, row in zip(made_ids, rows, strict=True):
                    lead_id, version, status, last, key, old_action, old_due, old_at = row
                    # As the driver gave them (SQLite: text): compared and written back.
                    last = Lead.last_activity_at.python_value(last)
                    old_due = Lead.next_action_due.python_value(old_due)
                    old_at = Lead.next_action_at.python_value(old_at)
                    made = {**snapshot, "lead": lead_id, "settled": settled.get(lead_id, [])}
                    history.append(
                        (
                            at,
                            user,
                            "activity",
                            activity_id,
                            BULK_ACTIVITY,
                            "",
                            None,
                            _json(made),
                            None,
                        )
                    )
                    changes = []
                    if status == STATUS_NEW and two_way:
                        status, version = STATUS_WORKING, version + 1
                        changes.append(("status", STATUS_NEW, STATUS_WORKING))
                    if settles:
                        changes += [
                            (name, _plain(o), _plain(n))
                            for name, o, n in (
                                ("next_action", old_action, action),
                                ("next_action_due", old_due, next_due),
                                ("next_action_at", old_at, next_at),
                            )
                            if _plain(o) != _plain(n)
                        ]
                        old_action, old_due, old_at = action, next_due, next_at
                    history += [
                        (
                            at,
                            user,
                            "lead",
                            lead_id,
                            BULK_ACTIVITY,
                            name,
                            _text(o),
                            _text(n),
                            version,
                        )
                        for name, o, n in changes
                    ]
                    last = now if last is None or now > last else last
                    key = add_engagement(key, exponent) if two_way else key
                    values = (
                        stored_time(last), key, old_action, stored_day(old_due),
                        None if old_at is None else stored_time(old_at), lead_id,
                    )  # fmt: skip
                    if changes and changes[0][0] == "status":
                        moved.append((version, status, *values))
                    else:
                        updates.append(values)
                if progress is not None:
                    progress(min(done * CHUNK, len(wanted)), len(wanted))
            if not found:
                raise _none_left(len(wanted))
            update_leads(columns[1:], moved)
            update_leads(columns[3:], updates)
            write_many(insert_sql(History, _HISTORY_COLUMNS), history)
        return BulkDone(BULK_ACTIVITY, found, 0, len(wanted) - found, now)


def _stored(value: Any) -> Any:
    """A value as the driver takes it (SQLite: dates as ISO text)."""
    return stored_day(value) if isinstance(value, dt.date) else value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _settle(lead_ids: list[int]) -> dict[int, list[int]]:
    """Mark done the open next actions logged on these leads themselves (not on their
    deals), as a new interaction does; returns the activities settled, by lead."""
    settled: dict[int, list[int]] = {}
    for activity_id, lead_id in open_next_actions(lead_ids):
        settled.setdefault(lead_id, []).append(activity_id)
    done = [a for found in settled.values() for a in found]
    if done:
        Activity.update(next_action_done=True).where(Activity.id.in_(done)).execute()
    return settled


# ----------------------------------------------------------------------- undo


_KEPT = (
    "id",
    "lead_id",
    "kind",
    "direction",
    "outcome",
    "note",
    "occurred_at",
    "user_id",
    "next_action",
    "next_action_due",
    "next_action_at",
    "next_action_done",
    "created_at",
)


def undo_activities(rules: Session, entries: dict[int, History], at: dt.datetime) -> None:
    """Take back what a batch did to activities (undo._undo_batch), by activity id:
    those it logged are removed (the next actions they settled open again); those a
    batch undo removed are logged again, with their ids, as they were. Their leads'
    last activity and engagement are worked out again from the activities they have
    then. A few statements a chunk, not a few an activity."""
    stored_at, user = stored_time(at), rules.user_id
    history: list[tuple[Any, ...]] = []
    leads: set[int] = set()
    made = sorted(i for i, e in entries.items() if e.new is not None)
    for chunk in chunks(made, CHUNK):
        settled = {i: json.loads(entries[i].new or "{}").get("settled", []) for i in chunk}
        for row in rows_by_id("activity", _KEPT[1:], chunk):
            kept = {name: _plain(value) for name, value in zip(_KEPT[1:], row[1:], strict=True)}
            kept["settled"] = settled[row[0]]
            leads.add(kept["lead_id"])
            history.append(
                (stored_at, user, "activity", row[0], "undo_batch", "", _json(kept), None, None)
            )
        reopened = [a for i in chunk for a in settled[i]]
        for part in chunks(reopened, CHUNK):
            Activity.update(next_action_done=False).where(Activity.id.in_(part)).execute()
        Activity.delete().where(Activity.id.in_(chunk)).execute()
    again = [(i, json.loads(e.old or "{}")) for i, e in entries.items() if e.new is None]
    for part in chunks(again, CHUNK):
        rows = []
        for activity_id, kept in part:
            leads.add(kept["lead_id"])
            due, timed = kept["next_action_due"], kept.get("next_action_at")
            rows.append(
                (activity_id, kept["lead_id"], kept["kind"], kept["direction"], kept["outcome"],
                 kept["note"], stored_time(dt.datetime.fromisoformat(kept["occurred_at"])),
                 kept["user_id"], kept["next_action"],
                 stored_day(dt.date.fromisoformat(due)) if due else None,
                 stored_time(dt.datetime.fromisoformat(timed)) if timed else None,
                 bool(kept["next_action_done"]),
                 stored_time(dt.datetime.fromisoformat(kept["created_at"])))
            )  # fmt: skip
            history.append(
                (stored_at, user, "activity", activity_id, "undo_batch", "", None, _json(kept),
                 None)
            )  # fmt: skip
        insert_many_ids("activity", _KEPT, rows)
        settled = [a for _id, kept in part for a in kept.get("settled", [])]
        for ids in chunks(settled, CHUNK):
            Activity.update(next_action_done=True).where(Activity.id.in_(ids)).execute()
    write_many(insert_sql(History, _HISTORY_COLUMNS), history)
    _refresh_activity(rules, sorted(leads))


def _refresh_activity(rules: Session, lead_ids: list[int]) -> None:
    """Leads' last activity time and engagement key from their activities as they are
    (derived data: no version, no history)."""
    half_life = rules.config.engagement_half_life_days
    rows = []
    for chunk in chunks(lead_ids, CHUNK):
        last: dict[int, dt.datetime] = {}
        times: dict[int, list[dt.datetime]] = {i: [] for i in chunk}
        two_way = _two_way_sql()
        query = Activity.select(Activity.lead, Activity.occurred_at, two_way.alias("two_way"))
        for lead_id, when, counts in query.where(Activity.lead.in_(chunk)).tuples():
            when = Activity.occurred_at.python_value(when)
            last[lead_id] = max(last.get(lead_id, when), when)
            if counts:
                times[lead_id].append(when)
        rows += [
            (
                stored_time(last[i]) if i in last else None,
                engagement_key(times[i], half_life),
                i,
            )
            for i in chunk
        ]
    update_leads(("last_activity_at", "engagement_key"), rows)


def undo_in_bulk(
    rules: Session, by_record: dict[tuple[str, int], list[History]], at: dt.datetime
) -> dict[tuple[str, int], list[History]]:
    """Put back the activities a batch logged or removed (undo._undo_batch), many at
    once (undo_activities); returns the other records, for undo to put back (the
    leads' own fields: batch_undo.restore_in_bulk, in bulk too)."""
    activities = {i: es[0] for (entity, i), es in by_record.items() if entity == "activity"}
    if activities:
        undo_activities(rules, activities, at)
    return {key: es for key, es in by_record.items() if key[0] != "activity"}
