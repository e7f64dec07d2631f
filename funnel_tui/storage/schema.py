"""The schema's version in funnel_meta, creating a new database's tables, and migrating
an older one step by step (MIGRATIONS[n] brings schema n to n + 1) in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import peewee

from funnel_tui.core import vocab
from funnel_tui.core.errors import DatabaseError, SchemaTooNew
from funnel_tui.core.i18n import _
from funnel_tui.storage import models
from funnel_tui.storage.list_index import (
    _SQLITE_TRIGGERS,
    PG_TRIGRAM_INDEX,
    SEARCH_TABLE,
    create_list_structures,
    create_pg_grams,
)
from funnel_tui.storage.models import ALL_MODELS, TALLY_MODELS, WAIT_MODELS, MetaEntry
from funnel_tui.storage.targets import describe

SCHEMA_VERSION = 17
# A name of this database of its own, made once (schema 17): what a calendar entry's UID
# is made unique with (read.calendar), whatever the file is called or where it moves.
DATABASE_ID = "database_id"


def stored_version(db: peewee.Database) -> int | None:
    """The schema version written in the database, or None for an empty database."""
    if not db.table_exists(MetaEntry._meta.table_name):
        return None
    row = MetaEntry.get_or_none(MetaEntry.key == "schema_version")
    return int(row.value) if row else None


def ensure_schema(db: peewee.Database, target: str = "") -> int | None:
    """Create or migrate `db`'s tables to SCHEMA_VERSION; the version it had before,
    None when its tables were created now."""
    version = stored_version(db)
    if version == SCHEMA_VERSION:
        return version
    if version is not None and version > SCHEMA_VERSION:
        raise _too_new(version, target)
    sqlite = isinstance(db, peewee.SqliteDatabase)
    if sqlite and version is not None:
        # SQLite changes some columns by rebuilding the table; with foreign keys on,
        # dropping the old table would cascade-delete the rows that point at it. The
        # pragma cannot change inside a transaction, so it is set around it.
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        found = _create_or_migrate(db, target)  # read again under the write lock
        if sqlite and version is not None:
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseError(
                    _("migration left {count} broken references").format(count=len(broken))
                )
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return found


def _too_new(version: int, target: str) -> SchemaTooNew:
    said = (
        _(
            "{database} was written by a newer funnel (schema {version}; this funnel "
            "knows up to {known}). Upgrade funnel to open it; the database was not changed."
        )
        if describe(target)
        else _(
            "the database was written by a newer funnel (schema {version}; this funnel "
            "knows up to {known}). Upgrade funnel to open it; the database was not changed."
        )
    )
    return SchemaTooNew(
        said.format(database=describe(target), version=version, known=SCHEMA_VERSION)
    )


def require_current_schema(db: peewee.Database, target: str, why: str) -> None:
    """A database this user cannot write (`why` says so) is used only when it holds this
    funnel's schema: an older one cannot be migrated, an empty one not made. Reads only."""
    version = stored_version(db)
    if version == SCHEMA_VERSION:
        return
    if version is not None and version > SCHEMA_VERSION:
        raise _too_new(version, target)
    where = describe(target) or target
    if version is None:
        said = _("{database} holds no funnel database yet, and it cannot be made: {why}").format(
            database=where, why=why
        )
    else:
        said = _(
            "{database} was written by an older funnel (schema {version}; this funnel "
            "needs {known}) and cannot be migrated, as it cannot be written: {why}. Open it "
            "once with write access, or with the funnel that wrote it; it was not changed."
        ).format(database=where, version=version, known=SCHEMA_VERSION, why=why)
    raise DatabaseError(said)


def _create_or_migrate(db: peewee.Database, target: str) -> int | None:
    """The version found inside the write lock (None: the tables were created)."""
    # Read only to make or migrate the tables: not at every start (their dataclasses
    # and statements cost 3 ms to import).
    from funnel_tui.storage.tallies import create_tallies
    from funnel_tui.storage.wait_summaries import create_wait_summaries

    with db.atomic():
        # Read again inside the write lock: another instance may have just done this.
        version = stored_version(db)
        if version is None:
            if _has_foreign_tables(db):
                raise DatabaseError(
                    _(
                        "{database} holds tables that are not funnel's; refusing to write into it"
                    ).format(database=describe(target))
                )
            db.create_tables(ALL_MODELS, safe=True)
            create_list_structures(db)
            create_tallies(db)
            # The percentile reports' waits: their indexes and triggers (a migrated
            # database gets them in its step to schema 14).
            create_wait_summaries(db)
            _set_version(SCHEMA_VERSION)
        elif version < SCHEMA_VERSION:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](db)
            # Tables and indexes that are new in this version are created as in a new
            # database (every statement here is "IF NOT EXISTS"). A migration that
            # rebuilt the lead table lost its triggers; this puts them back.
            db.create_tables(ALL_MODELS, safe=True)
            create_list_structures(db)
            create_tallies(db)
            _set_version(SCHEMA_VERSION)
        if get_meta(DATABASE_ID) is None:
            set_meta(DATABASE_ID, uuid.uuid4().hex)
    return version


# SQLite plans without statistics guess that every filter is selective: with a level
# or owner filter it then reads 80,000 matching rows and sorts them for a list page it
# could have had by walking the sort's index for a few hundred (52 ms against 0.3 ms on
# the 100,000-lead demo). ANALYZE takes 0.2 s there, so it runs when the leads have
# grown or shrunk a lot since it last did.
ANALYZE_FROM_LEADS = 1000


def refresh_statistics(db: peewee.Database) -> bool:
    """Run ANALYZE on SQLite when the planner's statistics are missing or stale for
    the number of leads; returns whether it ran. A database that cannot be written now
    (read-only, or locked past the busy timeout) keeps its old statistics."""
    if not isinstance(db, peewee.SqliteDatabase):
        return False  # PostgreSQL's autovacuum keeps its own statistics
    leads = db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
    if leads < ANALYZE_FROM_LEADS:
        return False
    analysed = None
    if "sqlite_stat1" in db.get_tables():
        # An index's first figure is how many rows it holds: the table's for a whole
        # index, fewer for a partial one (the merged leads, the Today queue's), so the
        # largest is the table's.
        rows = db.execute_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'lead'").fetchall()
        analysed = max((int(stat.split()[0]) for (stat,) in rows), default=None)
    if analysed is not None and analysed / 2 <= leads <= analysed * 2:
        return False
    try:
        with db.atomic():
            db.execute_sql("ANALYZE")
    except peewee.OperationalError:
        return False
    return True


def _has_foreign_tables(db: peewee.Database) -> bool:
    ours = {m._meta.table_name for m in ALL_MODELS}
    return any(t not in ours and not t.startswith(SEARCH_TABLE) for t in db.get_tables())


def _set_version(version: int) -> None:
    set_meta("schema_version", str(version))


def get_meta(key: str) -> str | None:
    """A value from funnel_meta, None when absent."""
    row = MetaEntry.select(MetaEntry.value).where(MetaEntry.key == key).tuples().first()
    return row[0] if row else None


def set_meta(key: str, value: str | None) -> None:
    """Write a value to funnel_meta; None removes the key."""
    if value is None:
        MetaEntry.delete().where(MetaEntry.key == key).execute()
        return
    (
        MetaEntry.insert(key=key, value=value)
        .on_conflict(conflict_target=[MetaEntry.key], update={MetaEntry.value: value})
        .execute()
    )


def _migrate_1_to_2(db: peewee.Database) -> None:
    """Schema 2 keeps the phone's number type, the time of a lead's last activity, and
    the record version each history entry produced (to show what others changed)."""
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(
        migrator.add_column("lead", "phone_type", models.Lead.phone_type),
        migrator.add_column("lead", "last_activity_at", models.Lead.last_activity_at),
        migrator.add_column("history", "version", models.History.version),
    )
    # Indexes that schema 1 had and nothing reads: each one slowed every insert.
    for index in REDUNDANT_V1_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{index}"')
    db.execute_sql(
        "UPDATE lead SET last_activity_at = "
        "(SELECT MAX(a.occurred_at) FROM activity a WHERE a.lead_id = lead.id)"
    )


REDUNDANT_V1_INDEXES = (
    "lead_owner_id",
    "lead_created_by_id",
    "opportunity_created_by_id",
    "qualification_lead_id",
    "qualification_answered_by_id",
    "stage_change_user_id",
    "activity_occurred_at",
    "activity_user_id",
    "history_at",
    "history_user_id",
)


def _migrate_2_to_3(db: peewee.Database) -> None:
    """Schema 3 stores each lead's score and its company's key, so the lead list can
    filter, sort and search 100,000 leads in SQL; the search index and the indexes of
    the list's sorts are made by create_list_structures afterwards, as for a new
    database.

    Scores start at 0 here: they depend on the config, which the database does not
    know. The first Funnel opened on the database finds no score fingerprint and scores
    every lead (funnel.sync_scores).
    """
    # A constant default lets both engines add a NOT NULL column in place; the generic
    # migrator would rebuild the SQLite table to add NOT NULL afterwards.
    db.execute_sql('ALTER TABLE "lead" ADD COLUMN "score" INTEGER NOT NULL DEFAULT 0')
    db.execute_sql("""ALTER TABLE "lead" ADD COLUMN "company_key" TEXT NOT NULL DEFAULT ''""")
    db.execute_sql(
        """UPDATE "lead" SET "company_key" = COALESCE("""
        """(SELECT c."name_key" FROM "company" c WHERE c."id" = "lead"."company_id"), '')"""
    )


def _migrate_3_to_4(db: peewee.Database) -> None:
    """Schema 4 stores each number's international format for the lead list, which
    then starts without loading phonenumbers (about 80 ms) and formats nothing."""
    from funnel_tui.core.validators import check_phone

    db.execute_sql("""ALTER TABLE "lead" ADD COLUMN "phone_display" TEXT NOT NULL DEFAULT ''""")
    cursor = db.execute_sql(
        'SELECT "id", "phone_e164" FROM "lead" WHERE "phone_e164" IS NOT NULL ORDER BY "id"'
    )
    while batch := cursor.fetchmany(2000):
        shown = [
            (check_phone(e164).details.get("international", e164), lead_id)
            for lead_id, e164 in batch
        ]
        # A cursor of its own: the reading cursor is still walking the table.
        db.cursor().executemany(
            f'UPDATE "lead" SET "phone_display" = {db.param} WHERE "id" = {db.param}', shown
        )


def _migrate_4_to_5(db: peewee.Database) -> None:
    """Schema 5 adds the pairs of CJK names and companies to SQLite's search documents
    (see _pairs_sql): the index and the triggers that write it are made again by
    create_list_structures. PostgreSQL searches substrings of any length already."""
    if isinstance(db, peewee.PostgresqlDatabase):
        return
    for trigger in ("lead_search_insert", "lead_search_update"):
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{trigger}"')
    db.execute_sql(f'DROP TABLE IF EXISTS "{SEARCH_TABLE}"')


def _migrate_5_to_6(db: peewee.Database) -> None:
    """Schema 6 stores each lead's engagement key (models.Lead.engagement_key), so the
    list sorts by engagement in SQL; its index is made by create_list_structures
    afterwards, as for a new database.

    The keys start NULL here: they depend on the half-life in the config, which the
    database does not know. The first Funnel opened on the database finds no
    engagement fingerprint and computes every lead's key from its activities
    (funnel.sync_engagement), as it scores leads after the 2 → 3 migration.
    """
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("lead", "engagement_key", models.Lead.engagement_key))


def _migrate_6_to_7(db: peewee.Database) -> None:
    """Schema 7 keeps each opportunity's latest activity time and open next action on
    the opportunity row (models.Opportunity), for the board; they are filled here from
    the activities already logged. The board's indexes are made afterwards by
    create_list_structures."""
    from playhouse.migrate import SchemaMigrator, migrate

    opp = models.Opportunity
    migrator = SchemaMigrator.from_database(db)
    migrate(
        migrator.add_column("opportunity", "last_activity_at", opp.last_activity_at),
        migrator.add_column("opportunity", "next_action_due", opp.next_action_due),
    )
    # Not through the migrator: for a NOT NULL column SQLite's migrator rebuilds the
    # table, and dropping the old one cascades to the deals' activities and stage
    # changes.
    db.execute_sql(
        """ALTER TABLE "opportunity" ADD COLUMN "next_action" TEXT NOT NULL DEFAULT ''"""
    )
    p = db.param
    open_action = (
        'SELECT a."{}" FROM "activity" a WHERE a."opportunity_id" = "opportunity"."id" '
        f'AND a."next_action_due" IS NOT NULL AND a."next_action_done" = {p} '
        'ORDER BY a."id" DESC LIMIT 1'
    )
    action, due = open_action.format("next_action"), open_action.format("next_action_due")
    db.execute_sql(
        'UPDATE "opportunity" SET "last_activity_at" = (SELECT MAX(a."occurred_at") '
        'FROM "activity" a WHERE a."opportunity_id" = "opportunity"."id"), '
        f'"next_action" = COALESCE(({action}), \'\'), "next_action_due" = ({due})',
        (False, False),
    )


def _migrate_7_to_8(db: peewee.Database) -> None:
    """Schema 8 keeps each lead's open next action on the lead row, as schema 7 does
    for deals, so the Today queue reads one row per lead. Filled here from the open
    next actions of activities logged on the lead itself; a nurtured lead without one
    gets "touch again" on the day its nurturing ends. The queue's indexes are made
    afterwards by create_list_structures."""
    # Raw SQL, as in 6 → 7: the migrator would rebuild the table for NOT NULL and the
    # drop would cascade.
    db.execute_sql("""ALTER TABLE "lead" ADD COLUMN "next_action" TEXT NOT NULL DEFAULT ''""")
    db.execute_sql('ALTER TABLE "lead" ADD COLUMN "next_action_due" DATE')
    p = db.param
    open_action = (
        'SELECT a."{}" FROM "activity" a WHERE a."lead_id" = "lead"."id" '
        f'AND a."opportunity_id" IS NULL AND a."next_action_due" IS NOT NULL '
        f'AND a."next_action_done" = {p} ORDER BY a."id" DESC LIMIT 1'
    )
    action, due = open_action.format("next_action"), open_action.format("next_action_due")
    db.execute_sql(
        f'UPDATE "lead" SET "next_action" = COALESCE(({action}), \'\'), '
        f'"next_action_due" = ({due})',
        (False, False),
    )
    db.execute_sql(
        f'UPDATE "lead" SET "next_action" = {p}, "next_action_due" = "nurture_until" '
        f'WHERE "status" = {p} AND "nurture_until" IS NOT NULL AND "next_action_due" IS NULL',
        (vocab.NURTURE_ACTION, vocab.STATUS_NURTURING),
    )


# MIGRATIONS[n] brings a database from schema n to n + 1.
def _migrate_8_to_9(db: peewee.Database) -> None:
    """Schema 9 adds the presence table (who has funnel open, and on which record); it
    is created afterwards as in a new database. Nothing else changes."""


def _migrate_9_to_10(db: peewee.Database) -> None:
    """Schema 10 finds duplicates by the address casefolded whole (Lead.email_key:
    LUCJA@Kowalski.PL is lucja@kowalski.pl) and searches names and companies folded
    (Lead.name_fold, company_fold: "Muller" finds "Müller", 陈 finds 陳), one CJK
    character anywhere in a name, and a number by the start of its national number.

    Set-wise where SQL can say it: addresses and keys in ASCII (nearly all) are filled
    by one UPDATE each, the rest folded in Python in batches. The search index is made
    again afterwards by create_list_structures, as in a new database (100,000 leads:
    about 3 s on SQLite)."""
    from funnel_tui.core.folding import email_key, stored_fold

    for column in ("name_fold", "company_fold"):
        db.execute_sql(f"""ALTER TABLE "lead" ADD COLUMN "{column}" TEXT NOT NULL DEFAULT ''""")
    db.execute_sql('ALTER TABLE "lead" ADD COLUMN "email_key" TEXT')
    # The index of email_norm served duplicate checks only: email_key's replaces it.
    db.execute_sql('DROP INDEX IF EXISTS "lead_email_norm"')
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    non_ascii = "{} ~ '[^ -~]'" if postgres else "{} GLOB '*[^ -~]*'"
    email_outside = non_ascii.format('"email_norm"')
    db.execute_sql(
        'UPDATE "lead" SET "email_key" = lower("email_norm") '
        f'WHERE "email_norm" IS NOT NULL AND NOT ({email_outside})'
    )
    p = db.param
    _fill_in_batches(
        db,
        f'SELECT "id", "email_norm" FROM "lead" WHERE "email_norm" IS NOT NULL AND {email_outside}',
        f'UPDATE "lead" SET "email_key" = {p} WHERE "id" = {p}',
        lambda row: [(email_key(row[1]), row[0])],
    )
    keys_outside = " OR ".join(non_ascii.format(f'"{c}"') for c in ("name_key", "company_key"))

    def folds(row: tuple) -> list[tuple]:
        lead_id, name_key, company_key = row
        folded = (stored_fold(name_key), stored_fold(company_key))
        return [(*folded, lead_id)] if any(folded) else []

    _fill_in_batches(
        db,
        f'SELECT "id", "name_key", "company_key" FROM "lead" WHERE {keys_outside}',
        f'UPDATE "lead" SET "name_fold" = {p}, "company_fold" = {p} WHERE "id" = {p}',
        folds,
    )
    if postgres:
        db.execute_sql(f'DROP INDEX IF EXISTS "{PG_TRIGRAM_INDEX}"')  # its expression changed
    else:
        # Made again as in a new database: the search document changed, and a company
        # key set from outside the rules layer now also clears the fold it made stale.
        for trigger in _SQLITE_TRIGGERS:
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{trigger}"')
        db.execute_sql(f'DROP TABLE IF EXISTS "{SEARCH_TABLE}"')


def _fill_in_batches(
    db: peewee.Database, select: str, update: str, rows_of: Callable[[tuple], list[tuple]]
) -> None:
    """Run `update` with the parameters `rows_of` makes of each row `select` reads."""
    cursor = db.execute_sql(select)
    while batch := cursor.fetchmany(5000):
        params = [params for row in batch for params in rows_of(row)]
        if params:
            # A cursor of its own: the reading cursor is still walking the table.
            db.cursor().executemany(update, params)


def _migrate_10_to_11(db: peewee.Database) -> None:
    """Schema 11 keeps merged leads and companies (rules.merge) as records merged into
    another: a nullable reference on each, NULL for every record so far. Their partial
    indexes are made by create_list_structures afterwards, as for a new database; so is
    the index of a company's leads by latest activity (the Companies list's sort)."""
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    for model in (models.Lead, models.Company):
        table = model._meta.table_name
        # An earlier step that rebuilt a table from today's model made the column already.
        if "merged_into_id" not in {c.name for c in db.get_columns(table)}:
            migrate(migrator.add_column(table, "merged_into_id", model.merged_into))
    # A company's leads are found through (company_id, last_activity_at) from now on,
    # made by create_tables afterwards; the index on company_id alone would be one more
    # for every insert to write.
    db.execute_sql('DROP INDEX IF EXISTS "lead_company_id"')


def _migrate_11_to_12(db: peewee.Database) -> None:
    """Schema 12 sorts the list by name and by company as the letters read without
    accents (list_index.name_order_sql: "Łukasz" with the L's, not after Z): the two
    expression indexes are made by create_list_structures afterwards, from the folds
    already stored; nothing else changes."""


def _migrate_12_to_13(db: peewee.Database) -> None:
    """Schema 13 keeps the reports' tallies (storage.tallies) and each deal's copy of
    its lead's source: counted and copied here from the records; their triggers are
    made afterwards, with the tables' other structures. (About 10 s for a million
    leads, once.)"""
    db.execute_sql(
        """ALTER TABLE "opportunity" ADD COLUMN "lead_source" TEXT NOT NULL DEFAULT ''"""
    )
    from funnel_tui.storage.tallies import rebuild_tallies

    db.create_tables(TALLY_MODELS, safe=True)
    rebuild_tallies(db)


def _migrate_13_to_14(db: peewee.Database) -> None:
    """Schema 14 keeps the waits the percentile reports measure, and their counts by
    bucket of length, day and month (storage.wait_summaries): worked out here from the
    records, with their indexes and triggers. (About 15 s for a million leads, once.)"""
    from funnel_tui.storage.wait_summaries import rebuild_wait_summaries

    db.create_tables(WAIT_MODELS, safe=True)
    rebuild_wait_summaries(db)


def _migrate_14_to_15(db: peewee.Database) -> None:
    """Schema 15 keeps the count of live leads per status that the list's top line
    shows (storage.status_counts): the table and its triggers, and the counts from the
    leads, all in the migration's transaction. (About 1 s for a million leads.)"""
    from funnel_tui.storage.status_counts import create_status_counts, rebuild_status_counts

    create_status_counts(db)
    rebuild_status_counts(db)


def _migrate_15_to_16(db: peewee.Database) -> None:
    """Schema 16 finds one or two CJK characters on PostgreSQL through an index of each
    lead's CJK characters and pairs (list_index.create_pg_grams) instead of scanning
    every lead (1.3 s at 1M leads when nothing matches); SQLite's trigram documents
    hold such pairs since schema 5. Made here rather than afterwards with the other
    structures, so that ANALYZE, in the same transaction, gives the planner the
    statistics of its expression at once: without them it takes every character for
    one lead in 200, common or rare. (About 12 s at 1M leads, once.)"""
    if not isinstance(db, peewee.PostgresqlDatabase):
        return
    create_pg_grams(db)
    db.execute_sql('ANALYZE "lead"')


def _migrate_16_to_17(db: peewee.Database) -> None:
    """Schema 17 gives a next action a time of day: the moment (naive UTC, NULL for a
    whole-day action) beside its date, on leads, deals and activities. The Today
    queue's indexes order a day's actions by it; they are made again under new names
    afterwards, with the tables' other structures (list_index.FORMER_TODAY_INDEXES drops
    the old ones)."""
    kind = "TIMESTAMP" if isinstance(db, peewee.PostgresqlDatabase) else "DATETIME"
    for table in ("lead", "opportunity", "activity"):
        # An earlier step that rebuilt a table from today's models made it already.
        if "next_action_at" not in {column.name for column in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "next_action_at" {kind}')


MIGRATIONS: dict[int, Callable[[peewee.Database], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
    6: _migrate_6_to_7,
    7: _migrate_7_to_8,
    8: _migrate_8_to_9,
    9: _migrate_9_to_10,
    10: _migrate_10_to_11,
    11: _migrate_11_to_12,
    12: _migrate_12_to_13,
    13: _migrate_13_to_14,
    14: _migrate_14_to_15,
    15: _migrate_15_to_16,
    16: _migrate_16_to_17,
}
