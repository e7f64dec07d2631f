"""Undo of a batch (rules.undo._undo_batch) in bulk: the records a batch action changed
put back many at once, for the fields whose old value is simply written back.

A hand-over of 10,000 leads is undone in a few statements (the rows read and locked in
chunks, one UPDATE per value put back and chunk, the history rows inserted at once)
rather than a read, a write and a history insert per record. A field that needs more
than its value put back (a name with its keys, a company with its key and a new score)
is left to the record-by-record path. An owner is stored in the history as a login
(rules.assign) and put back as that user's id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import peewee

from funnel_tui.rules.session import Session, _plain
from funnel_tui.storage.bulk import chunks, insert_many, rows_by_id
from funnel_tui.storage.models import History, Lead, Opportunity, User
from funnel_tui.storage.statements import stored_time

# The fields put back in bulk, by record: each a column of its own, nothing derived.
BULK_FIELDS = {
    "lead": frozenset(
        {"owner", "status", "nurture_until", "unqualified_reason", "title", "notes", "source"}
        # the next action a bulk status (nurturing) or activity sets (rules.bulk_actions)
        | {"next_action", "next_action_due", "next_action_at"}
    ),
    "opportunity": frozenset(
        {"owner", "name", "notes", "currency", "amount_cents", "expected_close"}
    ),
}
_MODELS: dict[str, type[peewee.Model]] = {"lead": Lead, "opportunity": Opportunity}
_HISTORY_COLUMNS = ("at", "user_id", "entity", "entity_id", "action", "field", "old", "new")
_HISTORY_COLUMNS += ("version",)


def _column(name: str) -> str:
    return "owner_id" if name == "owner" else name


def restore_in_bulk(
    rules: Session,
    by_record: Mapping[tuple[str, int], list[History]],
    action: str,
    at: dt.datetime,
) -> dict[tuple[str, int], list[History]]:
    """Put back the old values of the records whose changed fields are all BULK_FIELDS,
    in the caller's transaction, with the history `action` at `at`; returns the other
    records, for the caller to put back one by one."""
    left: dict[tuple[str, int], list[History]] = {}
    mine: dict[str, dict[int, list[History]]] = defaultdict(dict)
    for (entity, entity_id), entries in by_record.items():
        fields = {e.field for e in entries}
        if entity in BULK_FIELDS and fields <= BULK_FIELDS[entity]:
            mine[entity][entity_id] = entries
        else:
            left[entity, entity_id] = entries
    if not mine:
        return left
    # Every user: the team is small, and both the owners put back and those replaced
    # are named.
    user_logins = dict(User.select(User.id, User.login).tuples())
    user_ids = {login: user_id for user_id, login in user_logins.items()}
    history: list[tuple[Any, ...]] = []
    for entity, records in mine.items():
        _restore(rules, entity, records, action, at, user_ids, user_logins, history)
    insert_many("history", _HISTORY_COLUMNS, history)
    return left


def _restore(
    rules: Session,
    entity: str,
    records: dict[int, list[History]],
    action: str,
    at: dt.datetime,
    user_ids: dict[str, int],
    user_logins: dict[int, str],
    history: list[tuple[Any, ...]],
) -> None:
    model = _MODELS[entity]
    fields = sorted({e.field for es in records.values() for e in es})
    columns = tuple(_column(f) for f in fields)
    current = {
        row[0]: row[1:]
        for row in rows_by_id(model._meta.table_name, (*columns, "version"), list(records), True)
    }
    stored_at, user_id = stored_time(at), rules.user_id
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for record_id, entries in records.items():
        now = dict(zip(fields, current[record_id], strict=False))
        version = current[record_id][-1]
        values: dict[str, Any] = {}
        for entry in entries:
            if entry.field in values:
                continue  # the first change of a field in the batch holds what it was
            if entry.field == "owner":
                values["owner"] = user_ids[entry.old]
                was = user_logins[now["owner"]]
            else:
                values[entry.field] = model._meta.combined[entry.field].python_value(entry.old)
                was = _plain(now[entry.field])
            history.append(
                (
                    stored_at,
                    user_id,
                    entity,
                    record_id,
                    action,
                    entry.field,
                    None if was is None else str(was),
                    entry.old,
                    version + 1,
                )
            )
        groups[tuple(sorted(values.items()))].append(record_id)
    for values, ids in groups.items():
        update = {model._meta.combined[name]: value for name, value in values}
        for chunk in chunks(ids, 900):
            model.update({**update, model.version: model.version + 1, model.updated_at: at}).where(
                model.id.in_(chunk)
            ).execute()
