"""The kept counts of live leads per status (storage.status_counts) agree with the leads
after every kind of write, on both engines: the rules' own writes and plain SQL alike,
since the triggers count whoever writes; the list reads them for its top line."""

from __future__ import annotations

import datetime as dt

from funnel_tui.read.search import LeadQuery, lead_count, status_counts
from funnel_tui.storage import status_counts as counts
from funnel_tui.storage.models import Lead, database

ANNA = {"name": "Anna Kowalska", "company": "Kowalski", "phone": "512 345 678",
        "country": "PL", "source": "trade show"}  # fmt: skip


def sql(statement: str, *params) -> None:
    if database.obj.param != "?":
        statement = statement.replace("?", "%s")
    with database.atomic():
        database.execute_sql(statement, params)


def kept() -> dict[str, int]:
    return counts.live_status_counts(database.obj)


def counted() -> dict[str, int]:
    """Live leads per status, from the lead table itself."""
    rows = Lead.select(Lead.status).where(Lead.merged_into.is_null()).tuples()
    found: dict[str, int] = {}
    for (status,) in rows:
        found[status] = found.get(status, 0) + 1
    return found


def agree() -> None:
    assert kept() == counted()
    assert counts.status_count_problems(database.obj) == 0


def lead(rules, n: int) -> int:
    data = {**ANNA, "phone": "", "email": f"anna{n}@k.example"}
    return rules.capture_lead(data, allow_duplicate=True).id


def test_every_write_keeps_the_counts_right(rules):
    first, second, third = (lead(rules, n) for n in range(3))
    agree()
    assert kept() == {"new": 3}

    rules.set_status(first, "working")
    agree()
    rules.bulk_set_status([second, third], "nurturing", until=dt.date(2027, 3, 1))
    agree()
    assert kept() == {"working": 1, "nurturing": 2}
    sql('UPDATE "lead" SET "status" = \'unqualified\' WHERE "id" = ?', third)
    agree()
    # A change to other columns leaves the counts alone; so does setting the same status.
    sql('UPDATE "lead" SET "title" = \'CEO\', "status" = \'working\' WHERE "id" = ?', first)
    agree()

    # A merged lead stops counting, and counts again once the merge is undone.
    rules.merge_leads(first, second)
    agree()
    assert kept() == {"working": 1, "unqualified": 1}
    rules.undo_last()
    agree()
    rules.merge_leads(first, second)
    # Deleting the survivor makes the merged lead count again (its reference is set
    # to NULL), and deleting leads takes them away, several in one statement too.
    sql('DELETE FROM "lead" WHERE "id" = ?', first)
    agree()
    assert kept() == {"nurturing": 1, "unqualified": 1}
    sql('DELETE FROM "lead"')
    agree()
    assert kept() == {}


def test_several_leads_written_by_one_statement_are_counted(rules):
    first, second = lead(rules, 1), lead(rules, 2)
    rules.set_status(second, "working")
    # Every lead copied at once, as an import's bulk SQL writes them.
    columns = ", ".join(f'"{f.column_name}"' for f in Lead._meta.sorted_fields if f.name != "id")
    sql(f'INSERT INTO "lead" ({columns}) SELECT {columns} FROM "lead"')
    agree()
    assert kept() == {"new": 2, "working": 2}
    sql('UPDATE "lead" SET "status" = \'nurturing\' WHERE "id" <> ?', first)
    agree()
    assert kept() == {"new": 1, "nurturing": 3}


def test_the_list_reads_the_kept_counts(rules):
    for n in range(4):
        lead(rules, n)
    rules.set_status(Lead.select().first().id, "working")
    # Put wrong on purpose: what the list shows with no filter is the kept count.
    with database.atomic():
        counts.drop_status_count_triggers(database.obj)
        sql('UPDATE "lead" SET "status" = \'unqualified\'')
        counts.create_status_counts(database.obj)
    assert status_counts(LeadQuery()) == {
        "new": 3, "working": 1, "nurturing": 0, "unqualified": 0
    }  # fmt: skip
    assert lead_count(LeadQuery()) == 4
    assert lead_count(LeadQuery(statuses=("working", "nurturing"))) == 1
    assert lead_count(LeadQuery(), cap=2) == 3
    # With any other filter the leads themselves are counted.
    assert lead_count(LeadQuery(levels=("lead",))) == 4
    assert status_counts(LeadQuery(text="kowalska"))["unqualified"] == 4


def test_check_finds_a_wrong_count_and_rebuild_mends_it(rules):
    for n in range(3):
        lead(rules, n)
    # As a hand-written change with the triggers dropped would leave them.
    with database.atomic():
        counts.drop_status_count_triggers(database.obj)
        sql('UPDATE "lead" SET "status" = \'working\' WHERE "id" = ?', Lead.select().first().id)
        counts.create_status_counts(database.obj)
    assert counts.status_count_problems(database.obj) == 2  # new one too many, working missing
    with database.atomic():
        counts.rebuild_status_counts(database.obj)
    agree()
    assert kept() == {"new": 2, "working": 1}


def test_a_demo_leaves_the_counts_right(db, config):
    from funnel_tui.demo.generator import generate_demo

    generate_demo(db, config, leads=300, seed=3)
    agree()
    assert sum(kept().values()) == Lead.select().where(Lead.merged_into.is_null()).count()


def test_a_schema_14_database_gets_its_counts(db_target, config):
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage import schema
    from funnel_tui.storage.database import close_database, open_database

    from .legacy_schema import undo_schema_15

    database = open_database(db_target)
    rules = Funnel(config, "olga")
    for n in range(3):
        lead(rules, n)
    rules.set_status(Lead.select().first().id, "unqualified", reason="no budget")
    with database.atomic():
        undo_schema_15(database)
        schema.set_meta("schema_version", "14")
    close_database()

    database = open_database(db_target)
    assert schema.stored_version(database) == schema.SCHEMA_VERSION == 17
    agree()
    assert kept() == {"new": 2, "unqualified": 1}
    lead(Funnel(config, "olga"), 9)  # and counted by the triggers from then on
    agree()
