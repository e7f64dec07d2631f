"""Schema 1 as the first release of funnel created it, frozen here so the migration test
opens a database made by that release rather than one derived from today's models."""

from __future__ import annotations

V1_TABLES = """
CREATE TABLE "company" ("id" {pk}, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "industry" TEXT NOT NULL, "employees" INTEGER, "country" TEXT NOT NULL,
  "website" TEXT NOT NULL, "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL,
  "version" INTEGER NOT NULL);
CREATE INDEX "company_name_key" ON "company" ("name_key");
CREATE TABLE "user" ("id" {pk}, "login" TEXT NOT NULL, "display_name" TEXT NOT NULL,
  "created_at" {ts} NOT NULL);
CREATE UNIQUE INDEX "user_login" ON "user" ("login");
CREATE TABLE "lead" ("id" {pk}, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "company_id" INTEGER REFERENCES "company" ("id") ON DELETE SET NULL,
  "title" TEXT NOT NULL, "phone_raw" TEXT NOT NULL, "phone_e164" TEXT,
  "email_raw" TEXT NOT NULL, "email_norm" TEXT, "country" TEXT NOT NULL,
  "source" TEXT NOT NULL, "notes" TEXT NOT NULL, "status" TEXT NOT NULL,
  "level" TEXT NOT NULL, "nurture_until" DATE, "unqualified_reason" TEXT NOT NULL,
  "owner_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL, "promoted_at" {ts},
  "version" INTEGER NOT NULL);
CREATE INDEX "lead_name_key" ON "lead" ("name_key");
CREATE INDEX "lead_company_id" ON "lead" ("company_id");
CREATE INDEX "lead_phone_e164" ON "lead" ("phone_e164");
CREATE INDEX "lead_email_norm" ON "lead" ("email_norm");
CREATE INDEX "lead_owner_id" ON "lead" ("owner_id");
CREATE INDEX "lead_created_by_id" ON "lead" ("created_by_id");
CREATE INDEX "lead_level_status" ON "lead" ("level", "status");
CREATE INDEX "lead_owner_id_status" ON "lead" ("owner_id", "status");
CREATE TABLE "opportunity" ("id" {pk},
  "lead_id" INTEGER NOT NULL REFERENCES "lead" ("id"),
  "company_id" INTEGER REFERENCES "company" ("id") ON DELETE SET NULL,
  "name" TEXT NOT NULL, "amount_cents" BIGINT NOT NULL, "currency" TEXT NOT NULL,
  "expected_close" DATE, "stage" TEXT NOT NULL, "state" TEXT NOT NULL,
  "lost_reason" TEXT NOT NULL, "notes" TEXT NOT NULL,
  "owner_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL,
  "stage_entered_at" {ts} NOT NULL, "closed_at" {ts}, "version" INTEGER NOT NULL);
CREATE INDEX "opportunity_lead_id" ON "opportunity" ("lead_id");
CREATE INDEX "opportunity_company_id" ON "opportunity" ("company_id");
CREATE INDEX "opportunity_stage" ON "opportunity" ("stage");
CREATE INDEX "opportunity_state" ON "opportunity" ("state");
CREATE INDEX "opportunity_owner_id" ON "opportunity" ("owner_id");
CREATE INDEX "opportunity_created_by_id" ON "opportunity" ("created_by_id");
CREATE TABLE "activity" ("id" {pk},
  "lead_id" INTEGER REFERENCES "lead" ("id") ON DELETE CASCADE,
  "opportunity_id" INTEGER REFERENCES "opportunity" ("id") ON DELETE CASCADE,
  "kind" TEXT NOT NULL, "direction" TEXT NOT NULL, "outcome" TEXT NOT NULL,
  "note" TEXT NOT NULL, "occurred_at" {ts} NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "next_action" TEXT NOT NULL, "next_action_due" DATE, "next_action_done" {bool} NOT NULL,
  "created_at" {ts} NOT NULL);
CREATE INDEX "activity_lead_id" ON "activity" ("lead_id");
CREATE INDEX "activity_opportunity_id" ON "activity" ("opportunity_id");
CREATE INDEX "activity_occurred_at" ON "activity" ("occurred_at");
CREATE INDEX "activity_user_id" ON "activity" ("user_id");
CREATE INDEX "activity_next_action_due" ON "activity" ("next_action_due");
CREATE TABLE "history" ("id" {pk}, "at" {ts} NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "entity" TEXT NOT NULL, "entity_id" BIGINT NOT NULL, "action" TEXT NOT NULL,
  "field" TEXT NOT NULL, "old" TEXT, "new" TEXT);
CREATE INDEX "history_at" ON "history" ("at");
CREATE INDEX "history_user_id" ON "history" ("user_id");
CREATE INDEX "history_entity_entity_id" ON "history" ("entity", "entity_id");
CREATE TABLE "funnel_meta" ("key" TEXT NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
CREATE TABLE "qualification" ("id" {pk},
  "lead_id" INTEGER NOT NULL REFERENCES "lead" ("id") ON DELETE CASCADE,
  "item" TEXT NOT NULL, "answer" TEXT NOT NULL, "value" TEXT NOT NULL,
  "evidence" TEXT NOT NULL, "answered_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "answered_at" {ts} NOT NULL);
CREATE INDEX "qualification_lead_id" ON "qualification" ("lead_id");
CREATE INDEX "qualification_answered_by_id" ON "qualification" ("answered_by_id");
CREATE UNIQUE INDEX "qualification_lead_id_item" ON "qualification" ("lead_id", "item");
CREATE TABLE "stage_change" ("id" {pk},
  "opportunity_id" INTEGER NOT NULL REFERENCES "opportunity" ("id") ON DELETE CASCADE,
  "from_stage" TEXT, "to_stage" TEXT NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"), "at" {ts} NOT NULL);
CREATE INDEX "stage_change_opportunity_id" ON "stage_change" ("opportunity_id");
CREATE INDEX "stage_change_user_id" ON "stage_change" ("user_id");
CREATE INDEX "stage_change_at" ON "stage_change" ("at");
INSERT INTO "funnel_meta" ("key", "value") VALUES ('schema_version', '1');
"""

V1_ROWS = """
INSERT INTO "user" ("login", "display_name", "created_at")
  VALUES ('olga', 'olga', '2026-01-05 09:00:00');
INSERT INTO "company" ("name", "name_key", "industry", "employees", "country", "website",
  "created_at", "updated_at", "version")
  VALUES ('Kowalski Logistyka', 'kowalski logistyka', 'Logistics', 250, 'PL', '',
  '2026-01-05 09:00:00', '2026-01-05 09:00:00', 1);
INSERT INTO "lead" ("name", "name_key", "company_id", "title", "phone_raw", "phone_e164",
  "email_raw", "email_norm", "country", "source", "notes", "status", "level",
  "unqualified_reason", "owner_id", "created_by_id", "created_at", "updated_at", "version")
  VALUES ('Łucja Kowalska', 'łucja kowalska', 1, 'CFO', '512 345 678', '+48512345678',
  'lucja@kowalski.pl', 'lucja@kowalski.pl', 'PL', 'Trade show', '', 'working', 'lead', '',
  1, 1, '2026-01-05 09:00:00', '2026-01-05 09:00:00', 1);
INSERT INTO "activity" ("lead_id", "kind", "direction", "outcome", "note", "occurred_at",
  "user_id", "next_action", "next_action_done", "created_at")
  VALUES (1, 'call', 'outbound', 'reached', 'liked the demo', '2026-02-10 14:30:00', 1, '',
  {false}, '2026-02-10 14:30:00');
INSERT INTO "history" ("at", "user_id", "entity", "entity_id", "action", "field", "old", "new")
  VALUES ('2026-01-05 09:00:00', 1, 'lead', 1, 'create', '', NULL, '{{}}');
"""

DIALECTS = {
    "sqlite": {
        "pk": "INTEGER NOT NULL PRIMARY KEY",
        "ts": "DATETIME",
        "bool": "INTEGER",
        "false": "0",
    },
    "postgres": {
        "pk": "SERIAL NOT NULL PRIMARY KEY",
        "ts": "TIMESTAMP",
        "bool": "BOOLEAN",
        "false": "false",
    },
}


def v1_statements(dialect: str) -> list[str]:
    """The statements that build a schema-1 database holding one lead with a call."""
    names = DIALECTS[dialect]
    script = V1_TABLES.format(**names) + V1_ROWS.format(**names)
    return [s.strip() for s in script.split(";") if s.strip()]


# Schema 2 as funnel created it from 2026-11 (phone type, last activity, history
# versions; indexes nothing read dropped), frozen for the 2 → 3 migration test.
V2_TABLES = """
CREATE TABLE "company" ("id" {pk}, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "industry" TEXT NOT NULL, "employees" INTEGER, "country" TEXT NOT NULL,
  "website" TEXT NOT NULL, "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL,
  "version" INTEGER NOT NULL);
CREATE INDEX "company_name_key" ON "company" ("name_key");
CREATE TABLE "user" ("id" {pk}, "login" TEXT NOT NULL, "display_name" TEXT NOT NULL,
  "created_at" {ts} NOT NULL);
CREATE UNIQUE INDEX "user_login" ON "user" ("login");
CREATE TABLE "lead" ("id" {pk}, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "company_id" INTEGER REFERENCES "company" ("id") ON DELETE SET NULL,
  "title" TEXT NOT NULL, "phone_raw" TEXT NOT NULL, "phone_e164" TEXT,
  "phone_type" TEXT NOT NULL, "email_raw" TEXT NOT NULL, "email_norm" TEXT,
  "country" TEXT NOT NULL, "source" TEXT NOT NULL, "notes" TEXT NOT NULL,
  "status" TEXT NOT NULL, "level" TEXT NOT NULL, "nurture_until" DATE,
  "unqualified_reason" TEXT NOT NULL,
  "owner_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL, "promoted_at" {ts},
  "last_activity_at" {ts}, "version" INTEGER NOT NULL);
CREATE INDEX "lead_name_key" ON "lead" ("name_key");
CREATE INDEX "lead_company_id" ON "lead" ("company_id");
CREATE INDEX "lead_phone_e164" ON "lead" ("phone_e164");
CREATE INDEX "lead_email_norm" ON "lead" ("email_norm");
CREATE INDEX "lead_level_status" ON "lead" ("level", "status");
CREATE INDEX "lead_owner_id_status" ON "lead" ("owner_id", "status");
CREATE TABLE "opportunity" ("id" {pk},
  "lead_id" INTEGER NOT NULL REFERENCES "lead" ("id"),
  "company_id" INTEGER REFERENCES "company" ("id") ON DELETE SET NULL,
  "name" TEXT NOT NULL, "amount_cents" BIGINT NOT NULL, "currency" TEXT NOT NULL,
  "expected_close" DATE, "stage" TEXT NOT NULL, "state" TEXT NOT NULL,
  "lost_reason" TEXT NOT NULL, "notes" TEXT NOT NULL,
  "owner_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "created_at" {ts} NOT NULL, "updated_at" {ts} NOT NULL,
  "stage_entered_at" {ts} NOT NULL, "closed_at" {ts}, "version" INTEGER NOT NULL);
CREATE INDEX "opportunity_lead_id" ON "opportunity" ("lead_id");
CREATE INDEX "opportunity_company_id" ON "opportunity" ("company_id");
CREATE INDEX "opportunity_stage" ON "opportunity" ("stage");
CREATE INDEX "opportunity_state" ON "opportunity" ("state");
CREATE INDEX "opportunity_owner_id" ON "opportunity" ("owner_id");
CREATE TABLE "activity" ("id" {pk},
  "lead_id" INTEGER REFERENCES "lead" ("id") ON DELETE CASCADE,
  "opportunity_id" INTEGER REFERENCES "opportunity" ("id") ON DELETE CASCADE,
  "kind" TEXT NOT NULL, "direction" TEXT NOT NULL, "outcome" TEXT NOT NULL,
  "note" TEXT NOT NULL, "occurred_at" {ts} NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "next_action" TEXT NOT NULL, "next_action_due" DATE, "next_action_done" {bool} NOT NULL,
  "created_at" {ts} NOT NULL);
CREATE INDEX "activity_lead_id" ON "activity" ("lead_id");
CREATE INDEX "activity_opportunity_id" ON "activity" ("opportunity_id");
CREATE INDEX "activity_next_action_due" ON "activity" ("next_action_due");
CREATE TABLE "history" ("id" {pk}, "at" {ts} NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "entity" TEXT NOT NULL, "entity_id" BIGINT NOT NULL, "action" TEXT NOT NULL,
  "field" TEXT NOT NULL, "old" TEXT, "new" TEXT, "version" INTEGER);
CREATE INDEX "history_entity_entity_id" ON "history" ("entity", "entity_id");
CREATE INDEX "history_user_id_at" ON "history" ("user_id", "at");
CREATE TABLE "funnel_meta" ("key" TEXT NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
CREATE TABLE "qualification" ("id" {pk},
  "lead_id" INTEGER NOT NULL REFERENCES "lead" ("id") ON DELETE CASCADE,
  "item" TEXT NOT NULL, "answer" TEXT NOT NULL, "value" TEXT NOT NULL,
  "evidence" TEXT NOT NULL, "answered_by_id" INTEGER NOT NULL REFERENCES "user" ("id"),
  "answered_at" {ts} NOT NULL);
CREATE UNIQUE INDEX "qualification_lead_id_item" ON "qualification" ("lead_id", "item");
CREATE TABLE "stage_change" ("id" {pk},
  "opportunity_id" INTEGER NOT NULL REFERENCES "opportunity" ("id") ON DELETE CASCADE,
  "from_stage" TEXT, "to_stage" TEXT NOT NULL,
  "user_id" INTEGER NOT NULL REFERENCES "user" ("id"), "at" {ts} NOT NULL);
CREATE INDEX "stage_change_opportunity_id" ON "stage_change" ("opportunity_id");
CREATE INDEX "stage_change_at" ON "stage_change" ("at");
INSERT INTO "funnel_meta" ("key", "value") VALUES ('schema_version', '2');
"""

# Two leads: one at a company with two checklist answers (its score is not a constant),
# one without a company or answers.
V2_ROWS = """
INSERT INTO "user" ("login", "display_name", "created_at")
  VALUES ('olga', 'olga', '2026-01-05 09:00:00');
INSERT INTO "company" ("name", "name_key", "industry", "employees", "country", "website",
  "created_at", "updated_at", "version")
  VALUES ('Kowalski Logistyka', 'kowalski logistyka', 'Logistics', 250, 'PL', '',
  '2026-01-05 09:00:00', '2026-01-05 09:00:00', 1);
INSERT INTO "lead" ("name", "name_key", "company_id", "title", "phone_raw", "phone_e164",
  "phone_type", "email_raw", "email_norm", "country", "source", "notes", "status", "level",
  "unqualified_reason", "owner_id", "created_by_id", "created_at", "updated_at",
  "last_activity_at", "version")
  VALUES ('Łucja Kowalska', 'łucja kowalska', 1, 'CFO', '512 345 678', '+48512345678',
  'mobile', 'Lucja@Kowalski.pl', 'Lucja@kowalski.pl', 'PL', 'Trade show', '', 'working',
  'lead', '', 1, 1, '2026-01-05 09:00:00', '2026-01-05 09:00:00', '2026-02-10 14:30:00', 2);
INSERT INTO "lead" ("name", "name_key", "company_id", "title", "phone_raw", "phone_e164",
  "phone_type", "email_raw", "email_norm", "country", "source", "notes", "status", "level",
  "unqualified_reason", "owner_id", "created_by_id", "created_at", "updated_at", "version")
  VALUES ('王小明', '王小明', NULL, '', '', NULL, '', 'xiaoming@example.cn',
  'xiaoming@example.cn', 'BR', 'Referral', '', 'new', 'lead', '', 1, 1,
  '2026-01-06 09:00:00', '2026-01-06 09:00:00', 1);
INSERT INTO "qualification" ("lead_id", "item", "answer", "value", "evidence",
  "answered_by_id", "answered_at")
  VALUES (1, 'budget', 'yes', '', 'has a budget line', 1, '2026-02-10 14:30:00');
INSERT INTO "qualification" ("lead_id", "item", "answer", "value", "evidence",
  "answered_by_id", "answered_at")
  VALUES (1, 'need', 'yes', '', 'fleet tracking', 1, '2026-02-10 14:30:00');
INSERT INTO "activity" ("lead_id", "kind", "direction", "outcome", "note", "occurred_at",
  "user_id", "next_action", "next_action_done", "created_at")
  VALUES (1, 'call', 'outbound', 'reached', 'liked the demo', '2026-02-10 14:30:00', 1, '',
  {false}, '2026-02-10 14:30:00');
"""


def v2_statements(dialect: str) -> list[str]:
    """The statements that build a schema-2 database holding two leads."""
    names = DIALECTS[dialect]
    script = V2_TABLES.format(**names) + V2_ROWS.format(**names)
    return [s.strip() for s in script.split(";") if s.strip()]


def undo_schema_8(database) -> None:
    """Take away what schema 8 added (each lead's next action and the Today queue's
    indexes), inside the caller's transaction: a schema-7 database with the same rows."""
    from funnel_tui.storage import list_index as indexmod

    undo_schema_9(database)
    for index in indexmod.TODAY_INDEXES:
        database.execute_sql(f'DROP INDEX "{index}"')
    for column in ("next_action", "next_action_due"):
        database.execute_sql(f'ALTER TABLE "lead" DROP COLUMN "{column}"')


def undo_schema_9(database) -> None:
    """Take away what schema 9 added (the presence table): a schema-8 database."""
    undo_schema_10(database)
    database.execute_sql('DROP TABLE "presence"')


def undo_schema_10(database) -> None:
    """Take away what schema 10 added (the casefolded address and the folded name and
    company, and the search structures that read them; the index of email_norm comes
    back): a schema-9 database with the same rows."""
    import peewee

    from funnel_tui.storage import list_index as indexmod

    undo_schema_12(database)
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql(f'DROP INDEX IF EXISTS "{indexmod.PG_TRIGRAM_INDEX}"')
    else:
        for trigger in indexmod._SQLITE_TRIGGERS:
            database.execute_sql(f'DROP TRIGGER IF EXISTS "{trigger}"')
        database.execute_sql(f'DROP TABLE IF EXISTS "{indexmod.SEARCH_TABLE}"')
    database.execute_sql('DROP INDEX IF EXISTS "lead_email_key"')
    for column in ("email_key", "name_fold", "company_fold"):
        database.execute_sql(f'ALTER TABLE "lead" DROP COLUMN "{column}"')
    database.execute_sql('CREATE INDEX IF NOT EXISTS "lead_email_norm" ON "lead" ("email_norm")')


def undo_schema_12(database) -> None:
    """Take away what schema 12 added (the name sorts' expression indexes over the
    folds): what schema 11 left."""
    from funnel_tui.storage import list_index as indexmod

    undo_schema_13(database)
    for index in indexmod.NAME_ORDER_INDEXES:
        database.execute_sql(f'DROP INDEX IF EXISTS "{index}"')


def undo_schema_13(database) -> None:
    """Take away what schema 13 added (the reports' tallies, their triggers and each
    deal's copy of its lead's source): what schema 12 left."""
    from funnel_tui.storage import tallies
    from funnel_tui.storage.models import TALLY_MODELS

    undo_schema_14(database)
    tallies.drop_tally_triggers(database)
    for model in TALLY_MODELS:
        database.execute_sql(f'DROP TABLE "{model._meta.table_name}"')
    database.execute_sql('ALTER TABLE "opportunity" DROP COLUMN "lead_source"')


def undo_schema_14(database) -> None:
    """Take away what schema 14 added (the percentile reports' waits and tally, their
    triggers and indexes): what schema 13 left."""
    from funnel_tui.storage import wait_triggers as triggers
    from funnel_tui.storage.models import WAIT_MODELS

    undo_schema_15(database)
    triggers.drop_wait_triggers(database)
    for model in WAIT_MODELS:
        database.execute_sql(f'DROP TABLE "{model._meta.table_name}"')


def undo_schema_15(database) -> None:
    """Take away what schema 15 added (the kept counts of leads per status and their
    triggers): what schema 14 left."""
    from funnel_tui.storage import status_counts

    undo_schema_16(database)
    status_counts.drop_status_count_triggers(database)
    database.execute_sql(f'DROP TABLE "{status_counts.TABLE}"')


def undo_schema_16(database) -> None:
    """Take away what schema 16 added (PostgreSQL's index of the CJK characters and pairs
    of the search documents, and its function): what schema 15 left. Nothing on SQLite."""
    import peewee

    from funnel_tui.storage import list_index as indexmod

    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql(f'DROP INDEX "{indexmod.PG_GRAMS_INDEX}"')
        database.execute_sql(f"DROP FUNCTION {indexmod.PG_GRAMS_FUNCTION}(text)")


def undo_schema_17(database) -> None:
    """Take away what schema 17 added (next actions' times, the Today queue's indexes in
    time order, the database's own name): what schema 16 left, its indexes as it made
    them."""
    from funnel_tui.storage import list_index as indexmod
    from funnel_tui.storage.schema import DATABASE_ID, set_meta

    for name in (indexmod.TODAY_LEAD_INDEX, indexmod.TODAY_DEAL_INDEX):
        database.execute_sql(f'DROP INDEX "{name}"')
    touched = {"lead": indexmod.LEAD_TOUCHED_SQL, "opportunity": indexmod.DEAL_TOUCHED_SQL}
    for name, table, last, where in (
        ("lead_queue_due", "lead", '"status"', indexmod.LEAD_DUE_WHERE),
        ("opportunity_queue", "opportunity", '"state"', indexmod.DEAL_OPEN_WHERE),
    ):
        database.execute_sql(
            f'CREATE INDEX "{name}" ON "{table}" ("owner_id", "next_action_due", '
            f'({touched[table]}), "id", {last}) WHERE {where}'
        )
    for table in ("lead", "opportunity", "activity"):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "next_action_at"')
    set_meta(DATABASE_ID, None)
