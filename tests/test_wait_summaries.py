"""The percentile reports' waits (storage.wait_summaries) agree with the records after
every kind of write, on both engines: the rules' own writes and plain SQL alike, since
the triggers measure whoever writes; a wrong one is found and mended."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.storage import wait_facts as facts
from funnel_tui.storage import wait_summaries as waits
from funnel_tui.storage import wait_triggers as triggers
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import Lead, WaitFact, WaitTally, database
from funnel_tui.storage.wait_facts import (
    DEAL_WON,
    FIRST_DEAL,
    LEAD_WON,
    PROMOTED,
    SPEED,
    STAY,
    bucket_of,
    bucket_sql,
)

from .clock import NOW

ANNA = {"name": "Anna Kowalska", "company": "Kowalski", "phone": "512 345 678",
        "country": "PL", "source": "trade show"}  # fmt: skip
BOB = {"name": "Bob Stone", "company": "Stone Ltd", "email": "bob@stone.example",
       "country": "US", "source": "web form"}  # fmt: skip
HOUR = dt.timedelta(hours=1)


def sql(statement: str, *params) -> None:
    if database.obj.param != "?":
        statement = statement.replace("?", "%s")
    with database.atomic():
        database.execute_sql(statement, params)


def last_id(table: str) -> int:
    return database.execute_sql(f'SELECT MAX("id") FROM "{table}"').fetchone()[0]


def agree() -> None:
    assert waits.wait_summary_problems(database.obj) == 0


def wait_of(kind: int, ref: int) -> float | None:
    """The wait stored for a record (None: it has none), checked against its bucket."""
    fact = WaitFact.get_or_none((WaitFact.kind == kind) & (WaitFact.ref == ref))
    if fact is None:
        return None
    assert fact.bucket == bucket_of(fact.wait)
    return fact.wait


def captured(lead: int) -> bool:
    """Whether the lead counts among those captured (live): it has a speed fact."""
    return WaitFact.get_or_none((WaitFact.kind == SPEED) & (WaitFact.ref == lead)) is not None


def new_deal(lead_id: int, at: dt.datetime) -> int:
    owner = Lead.get_by_id(lead_id).owner_id
    sql(
        'INSERT INTO "opportunity" ("lead_id", "name", "amount_cents", "currency", "stage", '
        '"state", "lost_reason", "notes", "owner_id", "created_by_id", "created_at", '
        '"updated_at", "stage_entered_at", "version", "next_action") '
        "VALUES (?, 'Deal', 1000, 'EUR', 'qualification', 'open', '', '', ?, ?, ?, ?, ?, 1, '')",
        lead_id, owner, owner, at, at, at,
    )  # fmt: skip
    return last_id("opportunity")


def move(deal: int, from_stage: str | None, to_stage: str, at: dt.datetime) -> int:
    owner = database.execute_sql(
        f'SELECT "owner_id" FROM "opportunity" WHERE "id" = {database.obj.param}', (deal,)
    ).fetchone()[0]
    sql(
        'INSERT INTO "stage_change" ("opportunity_id", "from_stage", "to_stage", "user_id", '
        '"at") VALUES (?, ?, ?, ?, ?)',
        deal, from_stage, to_stage, owner, at,
    )  # fmt: skip
    return last_id("stage_change")


def stays(deal: int) -> dict[str, float]:
    """The deal's stays as stored: stage left -> seconds in it."""
    moves = database.execute_sql(
        f'SELECT "id" FROM "stage_change" WHERE "opportunity_id" = {database.obj.param}', (deal,)
    ).fetchall()
    found = WaitFact.select().where(
        (WaitFact.kind == STAY) & WaitFact.ref.in_([move for (move,) in moves])
    )
    return {fact.label: fact.wait for fact in found}


def test_every_write_keeps_the_waits_right(rules, clock):
    anna = rules.capture_lead(ANNA).id
    bob = rules.capture_lead(BOB).id
    agree()
    assert captured(anna) and wait_of(SPEED, anna) is None  # not reached yet
    rules.log_activity(lead_id=anna, kind="note", note="looked her up")
    assert wait_of(SPEED, anna) is None  # a note reaches nobody
    clock.advance(hours=2)
    call = rules.log_activity(lead_id=anna, kind="call", outcome="no answer").id
    agree()
    assert wait_of(SPEED, anna) == 7200
    # A reply logged afterwards for earlier becomes the first; taken back, it is not.
    early = rules.log_activity(lead_id=anna, kind="email", occurred_at=NOW + HOUR / 2).id
    agree()
    assert wait_of(SPEED, anna) == 1800
    sql('DELETE FROM "activity" WHERE "id" = ?', early)
    agree()
    assert wait_of(SPEED, anna) == 7200
    # A first reply logged before the lead was typed in is no wait at all.
    sql('UPDATE "activity" SET "occurred_at" = ? WHERE "id" = ?', NOW - HOUR, call)
    agree()
    assert wait_of(SPEED, anna) == 0
    sql('UPDATE "activity" SET "kind" = \'note\' WHERE "id" = ?', call)
    agree()
    assert wait_of(SPEED, anna) is None
    sql('UPDATE "activity" SET "kind" = \'call\', "lead_id" = ? WHERE "id" = ?', bob, call)
    agree()
    assert (wait_of(SPEED, anna), wait_of(SPEED, bob)) == (None, 0)
    assert captured(anna)

    # Moving a lead between days, sources and owners moves its wait with it.
    rules.log_activity(lead_id=anna, kind="meeting", occurred_at=NOW + 26 * HOUR)
    sql('UPDATE "lead" SET "source" = \'fair\', "created_at" = ? WHERE "id" = ?',
        NOW - 40 * 24 * HOUR, anna)  # fmt: skip
    agree()
    assert wait_of(SPEED, anna) == (40 * 24 + 26) * 3600
    other = database.execute_sql('SELECT MAX("id") FROM "user"').fetchone()[0]
    sql('UPDATE "lead" SET "owner_id" = ? WHERE "id" = ?', other, anna)
    agree()

    # Cycle time: promotion, the first deal, its stages, its win.
    sql("UPDATE \"lead\" SET \"level\" = 'prospect', \"promoted_at\" = ? WHERE \"id\" = ?",
        NOW + 3 * HOUR, bob)  # fmt: skip
    agree()
    assert wait_of(PROMOTED, bob) == 3 * 3600
    first = new_deal(bob, NOW + 5 * HOUR)
    agree()
    assert wait_of(FIRST_DEAL, bob) == 2 * 3600
    second = new_deal(bob, NOW + 9 * HOUR)
    agree()
    assert wait_of(FIRST_DEAL, bob) == 2 * 3600  # still the first one
    move(second, None, "qualification", NOW + 9 * HOUR)
    move(second, "qualification", "proposal", NOW + 10 * HOUR)
    middle = move(second, "proposal", "negotiation", NOW + 13 * HOUR)
    agree()
    assert stays(second) == {"qualification": 3600, "proposal": 3 * 3600}
    # A move logged late, between two others, and one taken back.
    move(second, "proposal", "demo", NOW + 11 * HOUR)
    agree()
    sql('DELETE FROM "stage_change" WHERE "id" = ?', middle)
    agree()
    assert stays(second) == {"qualification": 3600, "proposal": 3600}
    sql('UPDATE "stage_change" SET "at" = ? WHERE "id" = ?', NOW + 12 * HOUR, middle - 1)
    agree()
    sql('DELETE FROM "opportunity" WHERE "id" = ?', first)
    agree()
    assert wait_of(FIRST_DEAL, bob) == 6 * 3600  # the second is the first now
    sql("UPDATE \"opportunity\" SET \"state\" = 'won', \"closed_at\" = ? WHERE \"id\" = ?",
        NOW + 33 * HOUR, second)  # fmt: skip
    agree()
    assert (wait_of(DEAL_WON, second), wait_of(LEAD_WON, second)) == (24 * 3600, 33 * 3600)
    sql('UPDATE "lead" SET "created_at" = ? WHERE "id" = ?', NOW - HOUR, bob)
    agree()
    assert (wait_of(LEAD_WON, second), wait_of(PROMOTED, bob)) == (34 * 3600, 4 * 3600)

    # The deal moves to Anna (as a merge hands deals over), then a merge of a duplicate
    # into her, undone and done again: the merged lead stops counting.
    sql('UPDATE "opportunity" SET "lead_id" = ? WHERE "id" = ?', anna, second)
    agree()
    assert wait_of(FIRST_DEAL, bob) is None
    again = rules.capture_lead({**ANNA, "phone": "", "email": "anna@k.example"},
                               allow_duplicate=True).id  # fmt: skip
    rules.log_activity(lead_id=again, kind="sms")
    rules.merge_leads(anna, again)
    agree()
    assert not captured(again)
    rules.undo_last()
    agree()
    assert wait_of(SPEED, again) is not None
    rules.merge_leads(anna, again)
    agree()
    # Deleting: a lead's deals as an erasure does, then the leads with their activities.
    sql('DELETE FROM "opportunity" WHERE "lead_id" IN (?, ?)', anna, bob)
    sql('DELETE FROM "lead" WHERE "id" IN (?, ?, ?)', again, anna, bob)
    agree()
    assert WaitFact.select().count() == WaitTally.select().count() == 0


def test_statements_of_many_rows_keep_the_waits_right(rules, clock):
    """A hand-over, a bulk log and a clean-up in one statement each (on PostgreSQL
    statement triggers measure all of their rows at once)."""
    leads = [
        rules.capture_lead({**BOB, "email": f"bob{n}@stone.example"}, allow_duplicate=True).id
        for n in range(12)
    ]
    clock.advance(minutes=30)
    for lead in leads[::2]:
        rules.log_activity(lead_id=lead, kind="call", outcome="connected")
    agree()
    other = database.execute_sql('SELECT MAX("id") FROM "user"').fetchone()[0]
    sql(f'UPDATE "lead" SET "owner_id" = ?, "source" = \'list\' WHERE "id" >= {min(leads)}', other)
    agree()
    user = database.execute_sql('SELECT MIN("id") FROM "user"').fetchone()[0]
    sql(
        'INSERT INTO "activity" ("lead_id", "kind", "direction", "outcome", "note", '
        '"occurred_at", "user_id", "next_action", "next_action_done", "created_at") '
        "SELECT \"id\", 'email', 'outbound', '', '', ?, ?, '', ?, ? FROM \"lead\"",
        NOW + HOUR / 4, user, False, NOW,
    )  # fmt: skip
    agree()
    assert {wait_of(SPEED, lead) for lead in leads} == {900}
    sql('DELETE FROM "activity" WHERE "kind" = \'email\'')
    agree()
    assert [wait_of(SPEED, lead) for lead in leads[:2]] == [1800, None]


def test_check_finds_wrong_waits_and_rebuild_mends_them(rules, clock):
    lead = rules.capture_lead(ANNA).id
    clock.advance(hours=1)
    rules.log_activity(lead_id=lead, kind="call", outcome="connected")
    # As a hand-written change with the triggers dropped would leave them.
    with database.atomic():
        triggers.drop_wait_triggers(database.obj)
        sql('UPDATE "wait_fact" SET "wait" = "wait" + 1')
        sql('DELETE FROM "wait_tally" WHERE "span" = \'m\'')
        triggers.create_wait_triggers(database.obj)
    assert waits.wait_summary_problems(database.obj) == 3  # the fact, two month rows
    with database.atomic():
        waits.rebuild_wait_summaries(database.obj)
    agree()
    assert wait_of(SPEED, lead) == 3600


def test_a_tally_row_that_counts_nothing_is_removed(rules, clock):
    lead = rules.capture_lead(ANNA).id
    # The day and month, by source and by owner: not reached, then in the wait's bucket.
    assert {row.bucket for row in WaitTally.select()} == {facts.NOT_REACHED}
    assert WaitTally.select().count() == 4
    clock.advance(minutes=3)
    rules.log_activity(lead_id=lead, kind="call", outcome="connected")
    assert {row.bucket for row in WaitTally.select()} == {bucket_of(180)}
    assert WaitTally.select().count() == 4
    sql('DELETE FROM "lead" WHERE "id" = ?', lead)
    assert WaitTally.select().count() == 0


def test_the_database_puts_each_wait_in_its_bucket(db):
    """The bucket the SQL tree gives is bucket_of's, at and around every bound."""
    cast = "CAST({} AS DOUBLE PRECISION)" if database.obj.param != "?" else "CAST({} AS REAL)"
    found = set()
    for bound in facts.BOUNDS:
        for wait in (bound - 0.001, bound, bound + 0.001):
            if wait < 0:
                continue
            select = cast.format(database.obj.param)
            (got,) = database.execute_sql(
                f"SELECT {bucket_sql('x.w')} FROM (SELECT {select} AS w) AS x", (wait,)
            ).fetchone()
            assert got == bucket_of(wait), wait
            found.add(got)
    assert found == set(range(len(facts.BOUNDS) + 1))


@pytest.mark.parametrize("more", [0, 50])
def test_a_demo_leaves_the_waits_right(db, config, more):
    from funnel_tui.demo.generator import generate_demo

    generate_demo(db, config, leads=300, seed=3)
    if more:  # as `funnel demo --into-existing`
        generate_demo(db, config, leads=more, seed=4)
    agree()
    reached = database.execute_sql(
        'SELECT COUNT(DISTINCT l."id") FROM "lead" l JOIN "activity" a ON a."lead_id" = l."id" '
        'WHERE a."kind" <> \'note\' AND l."merged_into_id" IS NULL'
    ).fetchone()[0]
    speed = WaitFact.select().where(WaitFact.kind == SPEED)
    assert speed.count() == Lead.select().where(Lead.merged_into.is_null()).count()
    assert speed.where(WaitFact.wait.is_null(False)).count() == reached > 0


def test_a_copy_has_the_waits_of_what_it_copied(rules, clock, tmp_path):
    from funnel_tui.storage.copy import copy_database

    lead = rules.capture_lead(ANNA).id
    clock.advance(minutes=5)
    rules.log_activity(lead_id=lead, kind="call", outcome="connected")
    copy_database(database.obj, str(tmp_path / "copy.db"))
    agree()
    assert wait_of(SPEED, lead) == 300
    open_database(str(tmp_path / "copy.db"))
    agree()
