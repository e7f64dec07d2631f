"""Opening the database from a path or URL, its pragmas, schema version and migrations.

SQLite is opened in WAL mode with foreign keys, synchronous=NORMAL and a busy timeout, and
every transaction begins IMMEDIATE: a transaction that reads and then writes under a
deferred BEGIN can fail with "database is locked" whatever the busy timeout, when several
funnel instances share the file. A write that still finds the database busy past the
timeout (or, on PostgreSQL, a deadlock or a row lock held too long) is retried by
`retry_writes` and then reported as `Busy`, for the user to try again.

A new SQLite file is created readable and writable by its group (SHARED_FILE_MODE); SQLite
gives its WAL and SHM files the same mode, so a team sharing one group shares the file.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import peewee

from funnel_tui.core import vocab
from funnel_tui.core.errors import Busy, DatabaseError, SchemaTooNew
from funnel_tui.storage import models
from funnel_tui.storage.models import ALL_MODELS, MetaEntry, database

SCHEMA_VERSION = 10
BUSY_TIMEOUT_MS = 5000
# rw-rw----: the team's group shares the file; others see nothing of it.
SHARED_FILE_MODE = 0o660

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 1,  # NORMAL: durable at checkpoints, safe with WAL
    "busy_timeout": BUSY_TIMEOUT_MS,
}


# PostgreSQL's codes for a transaction to run again: a deadlock, a serialization
# failure, and a lock not granted within lock_timeout.
_PG_RETRY_CODES = frozenset({"40P01", "40001", "55P03"})
_SQLITE_BUSY_WORDS = ("database is locked", "database is busy", "database table is locked")


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy (worth running the transaction again)
    rather than that the statement is wrong."""
    seen: BaseException | None = exc
    for _ in range(4):  # Peewee wraps the driver's error; look through the wrapping
        if seen is None:
            return False
        if getattr(seen, "pgcode", None) in _PG_RETRY_CODES:
            return True
        if any(word in str(seen).lower() for word in _SQLITE_BUSY_WORDS):
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or getattr(seen, "orig", None) or seen.__cause__
    return False


F = TypeVar("F", bound=Callable[..., Any])


def retry_writes(method: F) -> F:
    """Run a write (one transaction) again while the database is busy, for up to the
    busy timeout, then raise Busy. Within an enclosing transaction it runs once: the
    outermost write is the one to repeat."""

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        db = database.obj
        if db is None or db.in_transaction():
            return method(*args, **kwargs)
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                return method(*args, **kwargs)
            except (peewee.OperationalError, peewee.InternalError, peewee.InterfaceError) as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise Busy(str(exc), BUSY_TIMEOUT_MS) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    return run  # type: ignore[return-value]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def is_url(target: str) -> bool:
    return "://" in target


# A URL's password (scheme://user:PASSWORD@host), and a password given as a setting
# (password=... in a libpq connection string or a URL's query): what redact hides.
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<secret>[^\s'\"/?#]*)@", re.I
)
_SETTING_PASSWORD = re.compile(
    r"(?P<head>\bpass(?:word|wd)?\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|[^\s&;'\"]+)", re.I
)
# The passwords of the targets opened in this process, for any text that carries one
# on its own (a driver's message quoting its connection settings).
_KNOWN_SECRETS: set[str] = set()
_SHORTEST_SECRET = 4  # shorter ones would mask ordinary words; the patterns still apply
HIDDEN = "***"


def redact(text: str) -> str:
    """`text` with every password hidden: the password of any URL in it, any
    `password=` setting, and the passwords of the databases this process was given.
    For every message, log line and traceback that may quote a database target or a
    driver's error."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + HIDDEN + "@", text)
    text = _SETTING_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
    for secret in sorted(_KNOWN_SECRETS, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


def url_password(target: str) -> str:
    """The password written in a database URL (in its user part or its query), or ""."""
    if not is_url(target):
        return ""
    from urllib.parse import parse_qs, urlsplit

    try:
        parts = urlsplit(target)
        password = parts.password or ""
    except ValueError:  # e.g. a port that is not a number
        found = _URL_PASSWORD.search(target)
        password = found["secret"] if found else ""
    if not password:
        query = parse_qs(target.partition("?")[2])
        password = next(iter(query.get("password", query.get("passwd", []))), "")
    return password


def _remember_secret(target: str) -> None:
    from urllib.parse import unquote

    password = url_password(target)
    for secret in (password, unquote(password)):
        if len(secret) >= _SHORTEST_SECRET:
            _KNOWN_SECRETS.add(secret)


def describe(target: str) -> str:
    """The target as safe to print: a URL without its password (redact)."""
    return redact(target)


def make_database(target: str) -> peewee.Database:
    """A Peewee database for a file path or a URL; not yet connected."""
    if is_url(target):
        _remember_secret(target)
        # Loads every backend playhouse knows (5 ms): only for URLs, never for a path.
        from playhouse import db_url

        scheme = target.split("://", 1)[0].lower()
        if scheme.startswith("postgres"):
            _require_postgres_driver()
        try:
            if scheme.startswith("sqlite"):
                db = db_url.connect(target, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
            else:
                db = db_url.connect(target)
        except (RuntimeError, ValueError) as exc:
            raise DatabaseError(
                f"cannot use database {describe(target)}: {redact(str(exc))}"
            ) from exc
        if isinstance(db, peewee.SqliteDatabase):
            _ensure_parent(Path(db.database))
            _create_shared(Path(db.database))
        elif isinstance(db, peewee.PostgresqlDatabase):
            # A row lock held longer than SQLite's busy timeout is reported, not waited on
            # for ever; a transaction left open by a dead client is ended by the server.
            db.connect_params.setdefault(
                "options",
                f"-c lock_timeout={BUSY_TIMEOUT_MS} -c idle_in_transaction_session_timeout=60000",
            )
        return db
    path = Path(target).expanduser()
    _ensure_parent(path)
    _create_shared(path)
    return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")


def _require_postgres_driver() -> None:
    """PostgreSQL's driver is an optional extra (a SQLite install goes without it):
    its absence is said with what to install, not as peewee's ImproperlyConfigured."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        if peewee.psycopg2 is not None:  # type: ignore[attr-defined]
            return
    raise DatabaseError(
        "a postgresql:// database needs PostgreSQL's driver, psycopg2, which is not "
        "installed here: pip install 'funnel-tui[postgresql]' (see the README)"
    )


def _create_shared(path: Path) -> None:
    """Create a new database file as SHARED_FILE_MODE whatever the umask: SQLite makes
    the WAL and SHM files with the mode of the database file, so one group shares all
    three. An existing file keeps the mode its owner gave it."""
    if str(path) in ("", ":memory:") or path.exists():
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SHARED_FILE_MODE)
    except FileExistsError:
        return  # another instance created it just now
    except OSError as exc:
        raise DatabaseError(f"cannot create {path}: {exc.strerror}") from exc
    try:
        os.fchmod(fd, SHARED_FILE_MODE)  # the umask narrowed the mode os.open gave
    finally:
        os.close(fd)


def _ensure_parent(path: Path) -> None:
    if str(path) in ("", ":memory:"):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"cannot create the folder for {path}: {exc}") from exc


def open_database(target: str, *, migrate_schema: bool = True) -> peewee.Database:
    """Open `target`, bind the models to it, and bring its schema up to date.

    A new database gets the current schema; an older one is migrated in place in one
    transaction; one written by a newer funnel is refused without being touched.
    """
    db = make_database(target)
    try:
        db.connect(reuse_if_open=True)
        database.initialize(db)
        if migrate_schema:
            ensure_schema(db, target)
            refresh_statistics(db)
    except peewee.DatabaseError as exc:
        db.close()
        raise DatabaseError(f"cannot open {describe(target)}: {_plain(exc)}") from exc
    except DatabaseError:
        db.close()
        raise
    return db


def close_database() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def _plain(exc: Exception) -> str:
    text = redact(str(exc).strip()) or type(exc).__name__
    if "file is not a database" in text:
        return "it is not a funnel database (not an SQLite file)"
    return failure_words(exc)


# What SQLite says, and what it means for the person at the terminal.
_SQLITE_MEANINGS = (
    (
        "readonly database",
        "the database cannot be written by you, so nothing was saved (the file, or the "
        "folder it is in, is read-only for you; a team's members need the group's write "
        "permission on both)",
    ),
    (
        "unable to open database file",
        "the database cannot be opened (its folder cannot be written by you, or is gone)",
    ),
    ("disk i/o error", "the disk failed or is full"),
    ("database or disk is full", "the disk is full"),
)


def failure_words(exc: BaseException) -> str:
    """A database error said for a person: what it means, then the driver's words, in
    one line with passwords hidden (redact)."""
    text = redact(" ".join(str(exc).split())) or type(exc).__name__
    for words, meaning in _SQLITE_MEANINGS:
        if words in text.lower():
            return f"{meaning} ({text})"
    return text


def stored_version(db: peewee.Database) -> int | None:
    """The schema version written in the database, or None for an empty database."""
    if not db.table_exists(MetaEntry._meta.table_name):
        return None
    row = MetaEntry.get_or_none(MetaEntry.key == "schema_version")
    return int(row.value) if row else None


def ensure_schema(db: peewee.Database, target: str = "") -> int:
    version = stored_version(db)
    if version == SCHEMA_VERSION:
        return version
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{describe(target) or 'the database'} was written by a newer funnel "
            f"(schema {version}; this funnel knows up to {SCHEMA_VERSION}). "
            "Upgrade funnel to open it; the database was not changed."
        )
    sqlite = isinstance(db, peewee.SqliteDatabase)
    if sqlite and version is not None:
        # SQLite changes some columns by rebuilding the table; with foreign keys on,
        # dropping the old table would cascade-delete the rows that point at it. The
        # pragma cannot change inside a transaction, so it is set around it.
        db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        _create_or_migrate(db, target)
        if sqlite and version is not None:
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseError(f"migration left {len(broken)} broken references")
    finally:
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
    return SCHEMA_VERSION


def _create_or_migrate(db: peewee.Database, target: str) -> None:
    with db.atomic():
        # Read again inside the write lock: another instance may have just done this.
        version = stored_version(db)
        if version is None:
            if _has_foreign_tables(db):
                raise DatabaseError(
                    f"{describe(target)} holds tables that are not funnel's; "
                    "refusing to write into it"
                )
            db.create_tables(ALL_MODELS, safe=True)
            create_list_structures(db)
            _set_version(SCHEMA_VERSION)
        elif version < SCHEMA_VERSION:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](db)
            # Tables and indexes that are new in this version are created as in a new
            # database (every statement here is "IF NOT EXISTS"). A migration that
            # rebuilt the lead table lost its triggers; this puts them back.
            db.create_tables(ALL_MODELS, safe=True)
            create_list_structures(db)
            _set_version(SCHEMA_VERSION)


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
        row = db.execute_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'lead' LIMIT 1").fetchone()
        analysed = int(row[0].split()[0]) if row else None
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
}


# ------------------------------------------------------------ lead list structures
#
# What the lead list needs besides the models' own indexes (see search.py for the
# queries that read them):
#
# - Engagement sorts through an index on (engagement_key, id) with NULL (no two-way
#   interaction, the least engaged) below every key in both engines: SQLite orders
#   NULLs first in an index; PostgreSQL is told to (NULLS FIRST), else its index would
#   put them last and could not serve "most engaged first, the unengaged last".
# - Status and level sort in funnel order (new, working, nurturing, unqualified; lead,
#   prospect, opportunity, customer), not alphabetically, through indexes on a CASE
#   expression. The queries must use the very same expression to be served by them.
# - lead.company_key follows company.name_key: triggers copy it when a lead gets a
#   company or a company is renamed or deleted.
# - Search. Each lead has one search document: its folded name and company
#   (folding.fold, stored by the rules layer), email key, E.164 phone and national
#   number, each preceded by two U+001F characters. clean_text
#   removes that character from anything typed, so no search term can match across two
#   fields; and "U+001F U+001F k" is a trigram that means "a field starting with k", so
#   one or two typed characters are looked up in the same index as longer text.
#   SQLite keeps the documents in an FTS5 table with the trigram tokenizer (true
#   substring search, case-insensitive, any script), kept in step by triggers on lead;
#   company renames reach it through lead.company_key. There each document starts with
#   a status mark, U+001E, the status's place in LEAD_STATUSES, U+001E: one trigram
#   that nothing typed can contain, so "matches AND is new" is an index lookup too and
#   the list's counts per status cost four index counts, not a read of every match.
#   PostgreSQL searches the same document (without the mark) as an expression with
#   LIKE, through a trigram GIN index when the pg_trgm extension can be installed, else
#   by scanning.

SEARCH_TABLE = "lead_search"
FIELD_START = "\x1f\x1f"  # before each field of a search document (U+001F twice)
STATUS_MARK = "\x1e"  # around the status's place at the start of an FTS document
NATIONAL_MARK = "\x1c"  # before a lead's national number in its search document
PAIR_END = "\x1d"  # twice before and after each pair of CJK characters of a name (U+001D)
PAIRED_CHARS = 16  # pairs are made from this many first characters of a field
# Characters of scripts written without spaces, where a word is often two characters
# (王小明's given name 小明, 股份 in a company name): CJK ideographs, kana, Hangul.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"


def status_mark(status: str) -> str:
    """The trigram that marks the FTS search document of a lead with `status`."""
    place = vocab.LEAD_STATUSES.index(status) if status in vocab.LEAD_STATUSES else 9
    return f"{STATUS_MARK}{place}{STATUS_MARK}"


def rank_sql(column: str, order: tuple[str, ...]) -> str:
    """A CASE expression giving each value of `column` its place in `order`."""
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(order))
    return f"CASE {column} {whens} ELSE {len(order)} END"


# index name -> (column, order of its values)
RANK_INDEXES = {
    "lead_status_rank": ("status", vocab.LEAD_STATUSES),
    "lead_level_rank": ("level", vocab.FUNNEL_LEVELS),
}
PG_TRIGRAM_INDEX = "lead_search_trgm"
ENGAGEMENT_INDEX = "lead_engagement"
# The board (pipeline.py): an open column's cards in their order, expected close first
# with no date on top (NULLs first on both engines, as for engagement); won and lost
# columns latest closed first (the index walked backwards); and a column's totals per
# currency read from an index alone.
BOARD_INDEX = "opportunity_board"
BOARD_CLOSED_INDEX = "opportunity_board_closed"
BOARD_TOTALS_INDEX = "opportunity_board_totals"
# The Today queue (today.py): one owner's leads and open deals by next action due date,
# NULL (nothing scheduled) included, covering every column the queue's order reads, so
# thousands of items are sorted without reading a table row.
TODAY_LEAD_INDEX = "lead_today"
TODAY_DEAL_INDEX = "opportunity_today"


def search_document_sql(row: str, postgres: bool) -> str:
    """The SQL expression of a lead's search document; `row` is "new", an alias or a
    table name. PostgreSQL's trigram index is on exactly this expression."""
    start = "(chr(31) || chr(31))" if postgres else "char(31, 31)"
    find = "strpos" if postgres else "instr"
    national = "chr(28)" if postgres else "char(28)"
    display = f'{row}."phone_display"'
    fields = (
        folded_sql(row, "name"),
        folded_sql(row, "company"),
        f'COALESCE({row}."email_key", lower({row}."email_raw"), \'\')',
        f"COALESCE({row}.\"phone_e164\", '')",
        # The national number after NATIONAL_MARK: the digits after the country code of
        # the international form ("+49 151 2987 6543" → 15129876543); "" without one.
        f"{national} || replace(replace(substr({display}, {find}({display}, ' ') + 1), "
        "' ', ''), '-', '')",
    )
    return " || ".join(f"{start} || {field}" for field in fields)


def folded_sql(row: str, field: str) -> str:
    """A lead's folded name or company (models.Lead.name_fold): the key itself where
    folding changes nothing, or where a writer outside funnel left the fold out."""
    return f'COALESCE(NULLIF({row}."{field}_fold", \'\'), {row}."{field}_key")'


def _fts_document_sql(row: str) -> str:
    """An FTS row's document: the status mark (see status_mark), the fields, then the
    pairs of CJK names and companies (see _pairs_sql)."""
    places = " ".join(f"WHEN '{s}' THEN '{i}'" for i, s in enumerate(vocab.LEAD_STATUSES))
    place = f"CASE {row}.\"status\" {places} ELSE '9' END"
    pairs = " || ".join(_pairs_sql(folded_sql(row, c)) for c in ("name", "company"))
    return f"char(30) || {place} || char(30) || {search_document_sql(row, False)} || {pairs}"


def _pairs_sql(field: str) -> str:
    """Every two neighbouring characters of `field`, each between two PAIR_ENDs, when
    it holds CJK characters; else ''. A trigram index cannot look up one or two
    characters, but it can look up "小明" + PAIR_END, and "林" as PAIR_END twice + "林"
    (a pair starting with it) or "林" + PAIR_END twice (one ending with it): so one
    character of a CJK name is found wherever it stands. In SQL, not Python, so that
    every writer of a lead (another instance, the sqlite3 shell) keeps it right."""
    pairs = " || ".join(
        f"CASE WHEN length({field}) > {i} "
        f"THEN char(29, 29) || substr({field}, {i}, 2) || char(29, 29) ELSE '' END"
        for i in range(1, PAIRED_CHARS)
    )
    return f"CASE WHEN {field} GLOB '*[{CJK_CLASS}]*' THEN {pairs} ELSE '' END"


_COMPANY_KEY_OF = (
    """COALESCE((SELECT c."name_key" FROM "company" c WHERE c."id" = NEW."company_id"), '')"""
)

_SQLITE_TRIGGERS = {
    # A writer may leave company_key out; it is fixed before the document is made
    # (two statements of one trigger run in order, two triggers in no promised order).
    "lead_search_insert": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_insert" AFTER INSERT ON "lead" BEGIN
          UPDATE "lead" SET "company_key" = {_COMPANY_KEY_OF}, "company_fold" = ''
            WHERE "id" = NEW."id" AND "company_key" IS NOT {_COMPANY_KEY_OF};
          INSERT INTO "{SEARCH_TABLE}" (rowid, "doc")
            SELECT l."id", {_fts_document_sql("l")} FROM "lead" l
            WHERE l."id" = NEW."id";
        END''',
    "lead_search_update": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_update"
        AFTER UPDATE OF "name_key", "name_fold", "company_key", "company_fold", "email_key",
          "email_raw", "phone_e164", "phone_display", "status" ON "lead" BEGIN
          UPDATE "{SEARCH_TABLE}" SET "doc" = {_fts_document_sql("NEW")}
            WHERE rowid = NEW."id";
        END''',
    "lead_company_changed": f"""
        CREATE TRIGGER IF NOT EXISTS "lead_company_changed"
        AFTER UPDATE OF "company_id" ON "lead" BEGIN
          UPDATE "lead" SET "company_key" = {_COMPANY_KEY_OF}, "company_fold" = ''
            WHERE "id" = NEW."id" AND "company_key" IS NOT {_COMPANY_KEY_OF};
        END""",
    "lead_search_delete": f'''
        CREATE TRIGGER IF NOT EXISTS "lead_search_delete" AFTER DELETE ON "lead" BEGIN
          DELETE FROM "{SEARCH_TABLE}" WHERE rowid = OLD."id";
        END''',
    "company_renamed": """
        CREATE TRIGGER IF NOT EXISTS "company_renamed" AFTER UPDATE OF "name_key" ON "company"
        WHEN NEW."name_key" IS NOT OLD."name_key" BEGIN
          UPDATE "lead" SET "company_key" = NEW."name_key", "company_fold" = ''
            WHERE "company_id" = NEW."id";
        END""",
    # With foreign keys on, ON DELETE SET NULL already clears company_id (and the
    # trigger above the key); with them off (during migrations) this still does.
    "company_deleted": """
        CREATE TRIGGER IF NOT EXISTS "company_deleted" AFTER DELETE ON "company" BEGIN
          UPDATE "lead" SET "company_key" = '', "company_fold" = '' WHERE "company_id" = OLD."id";
        END""",
}

_PG_FUNCTIONS = (
    f"""
    CREATE OR REPLACE FUNCTION funnel_lead_company_key() RETURNS trigger AS $$
    BEGIN
      IF NEW."company_key" IS DISTINCT FROM {_COMPANY_KEY_OF} THEN
        NEW."company_key" := {_COMPANY_KEY_OF};
        NEW."company_fold" := '';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """
    CREATE OR REPLACE FUNCTION funnel_company_renamed() RETURNS trigger AS $$
    BEGIN
      UPDATE "lead" SET "company_key" = NEW."name_key", "company_fold" = ''
        WHERE "company_id" = NEW."id";
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
)
_PG_TRIGGERS = {
    # ON DELETE SET NULL of a company is an UPDATE OF company_id, so it fires this too.
    "lead_company_key": """
        CREATE TRIGGER "lead_company_key" BEFORE INSERT OR UPDATE OF "company_id" ON "lead"
        FOR EACH ROW EXECUTE FUNCTION funnel_lead_company_key()""",
    "company_renamed": """
        CREATE TRIGGER "company_renamed" AFTER UPDATE OF "name_key" ON "company"
        FOR EACH ROW WHEN (NEW."name_key" IS DISTINCT FROM OLD."name_key")
        EXECUTE FUNCTION funnel_company_renamed()""",
}


def create_list_structures(db: peewee.Database) -> None:
    """Create what the lead list needs beyond the models (idempotent), inside the
    caller's transaction; a new search index is filled from the leads already there."""
    for name, (column, order) in RANK_INDEXES.items():
        expression = rank_sql(f'"{column}"', order)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "lead" (({expression}))')
    postgres = isinstance(db, peewee.PostgresqlDatabase)
    nulls = " NULLS FIRST" if postgres else ""  # SQLite's index orders NULLs first itself
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{ENGAGEMENT_INDEX}" ON "lead" ("engagement_key"{nulls}, "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_INDEX}" ON "opportunity" '
        f'("state", "stage", "expected_close"{nulls}, "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_CLOSED_INDEX}" ON "opportunity" '
        '("state", "stage", "closed_at", "id")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{BOARD_TOTALS_INDEX}" ON "opportunity" '
        '("state", "stage", "currency", "amount_cents")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{TODAY_LEAD_INDEX}" ON "lead" ("owner_id", '
        '"next_action_due", "status", "level", "last_activity_at", "created_at")'
    )
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{TODAY_DEAL_INDEX}" ON "opportunity" ("owner_id", '
        '"state", "next_action_due", "last_activity_at", "stage_entered_at")'
    )
    if postgres:
        _create_pg_search(db)
    else:
        _create_sqlite_search(db)


def _create_sqlite_search(db: peewee.Database) -> None:
    fresh = SEARCH_TABLE not in db.get_tables()
    if fresh:
        # One column holding the whole document: one index lookup per search term.
        # detail=full (the default) keeps token positions, which phrase queries need
        # for substrings longer than three characters; columnsize=0 drops the document
        # sizes, which only ranking (bm25) reads.
        try:
            db.execute_sql(
                f'CREATE VIRTUAL TABLE "{SEARCH_TABLE}" USING fts5('
                '"doc", tokenize="trigram", columnsize=0)'
            )
        except peewee.OperationalError as exc:  # "no such module: fts5", "no such tokenizer"
            import sqlite3

            raise DatabaseError(
                f"this Python's SQLite {sqlite3.sqlite_version} cannot build the lead search "
                f"index ({exc}); funnel needs SQLite 3.34 or newer with FTS5"
            ) from exc
        _fill_search(db)
    for statement in _SQLITE_TRIGGERS.values():
        db.execute_sql(statement)


def _create_pg_search(db: peewee.Database) -> None:
    for statement in _PG_FUNCTIONS:
        db.execute_sql(statement)
    existing = {
        row[0]
        for row in db.execute_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid IN ('lead'::regclass, 'company'::regclass)"
        )
    }
    for name, statement in _PG_TRIGGERS.items():
        if name not in existing:
            db.execute_sql(statement)
    if pg_trigram_available(db):
        document = search_document_sql('"lead"', True)
        db.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{PG_TRIGRAM_INDEX}" ON "lead" '
            f"USING gin (({document}) gin_trgm_ops)"
        )


SEARCH_FILL_STEP = 25_000  # leads indexed per statement when an index is made again


def _fill_search(db: peewee.Database) -> None:
    """Index the leads already there (a migration that changed the document): in steps
    of ids, saying how far it got on stderr when there are many (about 3 s for
    100,000 leads, 30 s for a million: the app opens once it is done)."""
    last = db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
    _search_hashsize(db, BULK_SEARCH_HASHSIZE)
    tell = _progress("indexing the leads for search", last)
    for start in range(0, last, SEARCH_FILL_STEP):
        db.execute_sql(
            f'INSERT INTO "{SEARCH_TABLE}" (rowid, "doc") '
            f'SELECT l."id", {_fts_document_sql("l")} FROM "lead" l '
            'WHERE l."id" > ? AND l."id" <= ?',
            (start, start + SEARCH_FILL_STEP),
        )
        tell(min(last, start + SEARCH_FILL_STEP))
    _search_hashsize(db, DEFAULT_SEARCH_HASHSIZE)


PROGRESS_FROM = 50_000  # rows: below, a step of a migration is over before it is noticed


def _progress(what: str, total: int) -> Callable[[int], None]:
    """A function telling, on stderr, how far a long migration step is: `done` of
    `total`, on one line rewritten in a terminal; nothing for small databases."""
    import sys

    if total < PROGRESS_FROM:
        return lambda done: None
    terminal = sys.stderr.isatty()
    started = time.monotonic()

    def tell(done: int) -> None:
        if not terminal and done < total:
            return  # a log gets the outcome only
        line = f"funnel: {what}: {done:,} of {total:,} ({done * 100 // total} %)"
        if done >= total:
            line += f", {time.monotonic() - started:.1f} s"
        end = "\n" if done >= total else ""
        sys.stderr.write(("\r" if terminal else "") + line + end)
        sys.stderr.flush()

    return tell


class DeferredSearchIndex:
    """Yielded by deferred_search_index: `fill()` indexes the leads inserted since the
    last fill, in one statement that runs without Python's lock (SQLite releases it
    while it works), so the caller may prepare the next rows in a thread meanwhile."""

    def __init__(self, db: peewee.Database, start: int | None):
        self.db = db
        self.done = start  # None: nothing to fill

    def fill(self) -> None:
        if self.done is None:
            return
        last = self.db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
        self.db.execute_sql(
            f'INSERT INTO "{SEARCH_TABLE}" (rowid, "doc") '
            f'SELECT l."id", {_fts_document_sql("l")} FROM "lead" l '
            'WHERE l."id" > ? AND l."id" <= ?',
            (self.done, last),
        )
        self.done = last


@contextmanager
def deferred_search_index(db: peewee.Database) -> Iterator[DeferredSearchIndex]:
    """Around a bulk insert of new leads inside one transaction: index them for search
    in a few statements (at the end, and whenever the caller calls `fill()`) rather
    than row by row.

    On SQLite the per-row trigger costs about 70 µs a lead (7 s for the 100,000-lead
    demo) against 15 µs in bulk. The rows inserted meanwhile must carry their right
    company_key (the trigger would have fixed it). Should the block raise, the
    transaction's rollback restores the trigger; nothing is left half done.
    """
    if isinstance(db, peewee.PostgresqlDatabase) or SEARCH_TABLE not in db.get_tables():
        yield DeferredSearchIndex(db, None)  # PostgreSQL searches the lead table itself
        return
    start = db.execute_sql('SELECT COALESCE(MAX("id"), 0) FROM "lead"').fetchone()[0]
    db.execute_sql('DROP TRIGGER IF EXISTS "lead_search_insert"')
    # FTS5 gathers new entries in memory up to `hashsize` bytes (1 MB by default) before
    # writing a segment to merge later; 16 MB during a bulk fill writes and merges far
    # fewer (100,000 leads in batches of 5,000: 2.4 s instead of 3.6 s). The setting is
    # stored with the index, in this transaction: back to the default at the end.
    _search_hashsize(db, BULK_SEARCH_HASHSIZE)
    deferred = DeferredSearchIndex(db, start)
    yield deferred
    deferred.fill()
    _search_hashsize(db, DEFAULT_SEARCH_HASHSIZE)
    db.execute_sql(_SQLITE_TRIGGERS["lead_search_insert"])


BULK_SEARCH_HASHSIZE = 16 * 1024 * 1024
DEFAULT_SEARCH_HASHSIZE = 1024 * 1024  # FTS5's own


def _search_hashsize(db: peewee.Database, size: int) -> None:
    db.execute_sql(
        f'INSERT INTO "{SEARCH_TABLE}"("{SEARCH_TABLE}", "rank") VALUES (\'hashsize\', ?)',
        (size,),
    )


@contextmanager
def bulk_writes(
    db: peewee.Database, cache_mib: int = 64, checkpoint_pages: int = 10_000
) -> Iterator[None]:
    """Around many write transactions in a row (an import's batches), on SQLite:

    - a page cache big enough for the lead table's many indexes, so that a batch
      updates them in memory rather than reading their pages back from the file;
    - the write-ahead log copied back into the database file every 40 MB rather than
      every 4 MB, which SQLite otherwise does after nearly every batch.

    Together they make an import into a 100,000-lead database about a fifth faster.
    Both settings are back as they were afterwards.
    """
    if not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    settings = {"cache_size": -1024 * cache_mib, "wal_autocheckpoint": checkpoint_pages}
    before = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in settings}
    for name, value in settings.items():
        db.execute_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in before.items():
            db.execute_sql(f"PRAGMA {name} = {int(value)}")


@contextmanager
def deferred_indexes(db: peewee.Database, tables: list[str]) -> Iterator[None]:
    """Around a bulk load inside one transaction: drop the secondary indexes of
    `tables` and build them again at the end, sorting once instead of inserting into
    every index row by row (the 100,000-lead demo: 1.7 s faster). Unique indexes stay,
    to keep checking. Worth it only when the load outgrows what the tables hold.

    SQLite only; on PostgreSQL this does nothing. Should the block raise, the rollback
    restores the indexes.
    """
    if isinstance(db, peewee.PostgresqlDatabase):
        yield
        return
    marks = ", ".join("?" for _ in tables)
    found = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    dropped = [(name, sql) for name, sql in found if not sql.upper().startswith("CREATE UNIQUE")]
    for name, _ in dropped:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in dropped:
        db.execute_sql(sql)


def pg_trigram_available(db: peewee.Database) -> bool:
    """Whether pg_trgm is installed in the database, installing it if the server has
    it and we may. It is a contrib module: a server without it still searches, by
    scanning."""
    found = db.execute_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
    if found:
        return True
    try:
        with db.atomic():  # a savepoint: a refusal must not abort the migration
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError:
        return False
    return True


def list_index_names(db: peewee.Database) -> set[str]:
    """Names of the indexes create_list_structures makes on this database."""
    names = {
        *RANK_INDEXES,
        ENGAGEMENT_INDEX,
        BOARD_INDEX,
        BOARD_CLOSED_INDEX,
        BOARD_TOTALS_INDEX,
        TODAY_LEAD_INDEX,
        TODAY_DEAL_INDEX,
    }
    if isinstance(db, peewee.PostgresqlDatabase):
        found = db.execute_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname = %s", (PG_TRIGRAM_INDEX,)
        ).fetchone()
        if found:
            names.add(PG_TRIGRAM_INDEX)
    return names


# --------------------------------------------------------------- prepared statements
#
# Peewee spends 0.1–0.3 ms building the SQL of each query, more than SQLite takes to run
# it. The statements on the capture path are built by Peewee once per database, with
# placeholders where the values go, and reused.


def prepared(name: str, build: Callable[[peewee.SQL], peewee.Query]) -> str:
    """The SQL of `build(placeholder)` for the current database, built once."""
    db = database.obj
    # Kept on the database object itself: SQL differs between SQLite and PostgreSQL.
    cache = db.__dict__.setdefault("_funnel_prepared", {})
    sql = cache.get(name)
    if sql is None:
        sql, params = build(peewee.SQL(db.param)).sql()
        if params:
            raise ValueError(f"prepared statement {name!r} has inline parameters")
        cache[name] = sql
    return sql


def insert_row(model: type[peewee.Model], values: dict[str, object]) -> int:
    """Insert one row given by field name (every field but the id); returns the new id."""
    fields = [model._meta.fields[name] for name in values]
    params = [field.db_value(value) for field, value in zip(fields, values.values(), strict=True)]
    cursor = database.obj.execute_sql(insert_sql(model, tuple(values)), params)
    return inserted_id(cursor)


def stored_time(value: dt.datetime) -> object:
    """A time as given to the database driver: for SQLite, the text its own adapter
    would make of it. Made once for the many rows of a bulk write that share it."""
    if isinstance(database.obj, peewee.SqliteDatabase):
        return value.isoformat(" ")
    return value


def insert_sql(model: type[peewee.Model], names: tuple[str, ...]) -> str:
    """The prepared INSERT of one row of `model` with these fields, in this order."""
    fields = [model._meta.fields[name] for name in names]
    return prepared(
        f"insert:{model.__name__}:{','.join(names)}",
        lambda p: model.insert_many([tuple(p for _ in fields)], fields=fields),
    )


def inserted_id(cursor: Any) -> int:
    """The id of the row the cursor's INSERT (insert_sql) just made."""
    # PostgreSQL gets the id from the statement's RETURNING clause, SQLite from the cursor.
    return cursor.fetchone()[0] if database.obj.returning_clause else cursor.lastrowid
