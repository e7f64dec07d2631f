"""New leads counted into the summaries a batch at a time, not a row at a time: an
import's inserts on SQLite.

Three row triggers on SQLite add each lead inserted to a summary: its status's count
(storage.status_counts), its row of the lead tally (storage.tallies) and its waits
(storage.wait_facts, whose own trigger counts them into the wait tally). Together they
made an insert cost about 300 µs of CPU a lead instead of 65 µs without them (a copy
of the 10,000-lead demo); counted a batch of 2,000 at a time, 115 µs. Around a batch,
`new_leads_in_bulk` takes those three away, lets the batch insert its leads, adds what
those leads count with a few grouped statements restricted to them (each summary's own
SQL, as its rebuild counts), and makes the triggers again, all in one transaction:
SQLite has one writer at a time and its DDL is transactional, so no other process
writes a lead meanwhile, and a rollback brings the triggers back. Every other trigger
(the lead's updates and deletes, other tables') stays.

On PostgreSQL the lead's insert triggers are statement triggers already (a multi-row
INSERT counts once), and dropping a trigger would lock the lead table against everyone
else's reads: nothing changes there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import peewee

from funnel_tui.storage import status_counts, tallies
from funnel_tui.storage.wait_facts import insert_facts, lead_rows

# The ids of the leads inserted, as SQL that fits in "IN (...)": a JSON array bound as
# the statement's first parameter (numbered, so that it may be named several times).
_INSERTED = "SELECT value FROM json_each(?1)"

# Each insert trigger on "lead" that counts a new lead, and the statements that count
# the leads `_INSERTED` lists instead, as that trigger would have one by one.
_COUNTING: dict[str, Callable[[str], list[str]]] = {
    "lead_status_count_insert": lambda leads: [status_counts.add_new_leads_sql(leads)],
    "lead_tally_insert": tallies.add_new_leads_sql,
    # The facts' own insert trigger (another table's: it stays) works out each one's
    # wait and bucket and counts it in the wait tally; done in bulk too, with that
    # trigger dropped as well, it would save about 10 µs a lead of the 115 left.
    "wait_lead_insert": lambda leads: [insert_facts(lead_rows(leads), False)],
}

# Fewer leads than this are counted by the triggers: dropping and making them again
# and preparing the statements that count cost about 2 ms a batch, the triggers' work
# for 10 to 30 leads (and every other connection reads the schema again after).
MIN_LEADS = 64


def _on_sqlite(db: peewee.Database) -> bool:
    return isinstance(db, peewee.SqliteDatabase)


@contextmanager
def new_leads_in_bulk(db: peewee.Database, leads: int = MIN_LEADS) -> Iterator[list[int]]:
    """Around a bulk insert of `leads` new leads: yields a list the block extends with
    the ids of the leads it inserted (and inserts nothing else into "lead"); those are
    counted into the summaries in a few statements at the end of the block. One
    savepoint: should the block raise, everything in it is undone, the triggers back.
    On PostgreSQL, or for fewer than MIN_LEADS leads, the triggers count as usual."""
    if not _on_sqlite(db) or leads < MIN_LEADS:
        yield []
        return
    names = ", ".join(f"'{name}'" for name in _COUNTING)
    with db.atomic():
        # Those there: within a bulk load that counts everything at its end
        # (tallies.deferred_tallies) they are not, and nothing is counted here.
        found = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'lead' "
            f"AND name IN ({names})"
        ).fetchall()
        for name, _sql in found:
            db.execute_sql(f'DROP TRIGGER "{name}"')
        inserted: list[int] = []
        yield inserted
        if inserted:
            ids = [json.dumps(inserted)]
            for name, _sql in found:
                for statement in _COUNTING[name](_INSERTED):
                    db.execute_sql(statement, ids)
        # As they were, word for word.
        for _name, sql in found:
            db.execute_sql(sql)
