"""The reports' tallies (storage.tallies) agree with the records after every kind of
write, on both engines: the rules' own writes and plain SQL alike, since the triggers
count whoever writes."""

from __future__ import annotations

import datetime as dt

from peewee import fn

from funnel_tui.storage import tallies
from funnel_tui.storage.models import Lead, LeadTally, Opportunity, database

from .clock import NOW

ANNA = {"name": "Anna Kowalska", "company": "Kowalski", "phone": "512 345 678",
        "country": "PL", "source": "trade show"}  # fmt: skip
BOB = {"name": "Bob Stone", "company": "Stone Ltd", "email": "bob@stone.example",
       "country": "US", "source": "web form"}  # fmt: skip


def sql(statement: str, *params) -> None:
    if database.obj.param != "?":
        statement = statement.replace("?", "%s")
    with database.atomic():
        database.execute_sql(statement, params)


def agree() -> None:
    assert tallies.tally_problems(database.obj) == 0


def steps_of(source: str) -> tuple[int, ...]:
    """What the tally counts for leads from `source` (as stored, casefolded here)."""
    rows = [row for row in LeadTally.select() if row.source.casefold() == source]
    return tuple(
        sum(getattr(row, step) for row in rows)
        for step in ("captured", "worked", "prospects", "opportunities", "won")
    )


def source_of_deal(deal: int) -> str:
    return Opportunity.get_by_id(deal).lead_source


def new_deal(lead_id: int, state: str = "open", amount: int = 1000, currency: str = "EUR") -> int:
    owner = Lead.get_by_id(lead_id).owner_id
    at = NOW.replace(tzinfo=None)
    sql(
        'INSERT INTO "opportunity" ("lead_id", "name", "amount_cents", "currency", "stage", '
        '"state", "lost_reason", "notes", "owner_id", "created_by_id", "created_at", '
        '"updated_at", "stage_entered_at", "version", "next_action") '
        "VALUES (?, 'Deal', ?, ?, 'qualification', ?, '', '', ?, ?, ?, ?, ?, 1, '')",
        lead_id, amount, currency, state, owner, owner, at, at, at,
    )  # fmt: skip
    return database.execute_sql('SELECT MAX("id") FROM "opportunity"').fetchone()[0]


def test_every_write_keeps_the_tallies_right(rules):
    anna = rules.capture_lead(ANNA).id
    bob = rules.capture_lead(BOB).id
    agree()
    assert steps_of("trade show") == (1, 0, 0, 0, 0)

    rules.log_activity(lead_id=anna, kind="call", outcome="connected", note="hi")
    agree()
    assert steps_of("trade show")[1] == 1  # a two-way call: worked

    sql("UPDATE \"lead\" SET \"level\" = 'prospect', \"promoted_at\" = ? WHERE \"id\" = ?",
        NOW.replace(tzinfo=None), anna)  # fmt: skip
    agree()
    deal = new_deal(anna)
    agree()
    assert steps_of("trade show") == (1, 1, 1, 1, 0)

    sql('UPDATE "opportunity" SET "state" = \'won\' WHERE "id" = ?', deal)
    agree()
    assert steps_of("trade show")[4] == 1
    sql('UPDATE "opportunity" SET "amount_cents" = 5000, "currency" = \'USD\' WHERE "id" = ?', deal)
    agree()

    # The deal moves to Bob (as a merge hands deals over): Anna keeps her level only.
    sql('UPDATE "opportunity" SET "lead_id" = ? WHERE "id" = ?', bob, deal)
    agree()
    assert steps_of("web form")[4] == 1
    assert source_of_deal(deal) == Lead.get_by_id(bob).source
    second = new_deal(anna, state="won", amount=700)
    agree()
    sql('DELETE FROM "opportunity" WHERE "id" = ?', second)
    agree()

    # Moving a lead between hours, sources and owners.
    sql('UPDATE "lead" SET "source" = \'fair\', "created_at" = ? WHERE "id" = ?',
        (NOW - dt.timedelta(days=40)).replace(tzinfo=None), bob)  # fmt: skip
    agree()
    assert steps_of("web form") == (0, 0, 0, 0, 0)
    assert source_of_deal(deal) == "fair"  # the deal's copy followed its lead
    rules.log_activity(lead_id=bob, kind="email", outcome="replied")
    activity = database.execute_sql('SELECT MAX("id") FROM "activity"').fetchone()[0]
    sql('UPDATE "activity" SET "kind" = \'meeting\', "occurred_at" = ? WHERE "id" = ?',
        (NOW - dt.timedelta(hours=5)).replace(tzinfo=None), activity)  # fmt: skip
    agree()
    sql('DELETE FROM "activity" WHERE "id" = ?', activity)
    agree()

    # A merged duplicate stops counting; deleting its survivor makes it count again
    # (the reference is set to NULL), and deleting a lead takes its deals and
    # activities with it.
    again = rules.capture_lead({**ANNA, "phone": "", "email": "anna@k.example"},
                               allow_duplicate=True).id  # fmt: skip
    rules.merge_leads(anna, again)
    agree()
    rules.undo_last()
    agree()
    rules.merge_leads(anna, again)
    agree()
    sql('DELETE FROM "lead" WHERE "id" = ?', anna)
    agree()
    sql('DELETE FROM "opportunity" WHERE "lead_id" = ?', bob)  # as an erasure does
    sql('DELETE FROM "lead" WHERE "id" = ?', bob)
    agree()
    assert steps_of("fair") == (0, 0, 0, 0, 0)


def test_check_finds_a_wrong_tally_and_rebuild_mends_it(rules):
    for n in range(3):
        lead = rules.capture_lead({**BOB, "email": f"bob{n}@stone.example"}, allow_duplicate=True)
    deal = new_deal(lead.id)
    # As a hand-written change with the triggers dropped would leave them.
    with database.atomic():
        tallies.drop_tally_triggers(database.obj)
        sql('UPDATE "lead_tally" SET "captured" = "captured" + 1')
        sql('DELETE FROM "activity_tally"')
        sql('UPDATE "opportunity" SET "lead_source" = \'elsewhere\'')
        tallies.create_tally_triggers(database.obj)
    assert tallies.tally_problems(database.obj) == 2  # the lead tally's row, the deal
    with database.atomic():
        tallies.rebuild_tallies(database.obj)
    agree()
    assert steps_of("web form")[0] == 3
    assert source_of_deal(deal) == lead.source


def test_a_tally_row_that_counts_nothing_is_removed(rules):
    lead = rules.capture_lead(ANNA).id
    sql('DELETE FROM "lead" WHERE "id" = ?', lead)
    assert LeadTally.select().count() == 0


def test_a_demo_leaves_the_tallies_right(db, config):
    from funnel_tui.demo.generator import generate_demo

    generate_demo(db, config, leads=400, seed=3, today=NOW.date())
    agree()
    assert (
        LeadTally.select(fn.SUM(LeadTally.captured)).scalar()
        == Lead.select().where(Lead.merged_into.is_null()).count()
    )
    # And more added to it (as `funnel demo --into-existing`).
    generate_demo(db, config, leads=50, seed=4, today=NOW.date())
    agree()
