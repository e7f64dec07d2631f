"""Opening the database from a path or URL, its pragmas, schema version and migrations.

SQLite is opened in WAL mode with foreign keys, synchronous=NORMAL and a busy timeout, and
every transaction begins IMMEDIATE: a transaction that reads and then writes under a
deferred BEGIN can fail with "database is locked" whatever the busy timeout, when several
funnel instances share the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import peewee
from playhouse import db_url
from playhouse.migrate import SchemaMigrator, migrate

from . import models
from .models import ALL_MODELS, MetaEntry, database

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 5000

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": 1,  # NORMAL: durable at checkpoints, safe with WAL
    "busy_timeout": BUSY_TIMEOUT_MS,
    "cache_size": -16000,  # 16 MB
}


class DatabaseError(Exception):
    """The database cannot be opened or used; the message says why in plain words."""


class SchemaTooNew(DatabaseError):
    """The database was written by a newer funnel; it is left untouched."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def is_url(target: str) -> bool:
    return "://" in target


def describe(target: str) -> str:
    """The target as safe to print: a URL without its password."""
    if not is_url(target):
        return target
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(target)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def make_database(target: str) -> peewee.Database:
    """A Peewee database for a file path or a URL; not yet connected."""
    if is_url(target):
        scheme = target.split("://", 1)[0].lower()
        try:
            if scheme.startswith("sqlite"):
                db = db_url.connect(target, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
            else:
                db = db_url.connect(target)
        except (RuntimeError, ValueError) as exc:
            raise DatabaseError(f"cannot use database {describe(target)}: {exc}") from exc
        if isinstance(db, peewee.SqliteDatabase):
            _ensure_parent(Path(db.database))
        return db
    path = Path(target).expanduser()
    _ensure_parent(path)
    return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")


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
    text = str(exc).strip() or type(exc).__name__
    if "file is not a database" in text:
        return "it is not a funnel database (not an SQLite file)"
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
            _set_version(SCHEMA_VERSION)
        elif version < SCHEMA_VERSION:
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](db)
            # Tables and indexes that are new in this version are created as in a new
            # database (every statement here is "IF NOT EXISTS").
            db.create_tables(ALL_MODELS, safe=True)
            _set_version(SCHEMA_VERSION)


def _has_foreign_tables(db: peewee.Database) -> bool:
    ours = {m._meta.table_name for m in ALL_MODELS}
    return any(t not in ours for t in db.get_tables())


def _set_version(version: int) -> None:
    (
        MetaEntry.insert(key="schema_version", value=str(version))
        .on_conflict(conflict_target=[MetaEntry.key], update={MetaEntry.value: str(version)})
        .execute()
    )


def _migrate_1_to_2(db: peewee.Database) -> None:
    """Schema 2 keeps the phone's number type, the time of a lead's last activity, and
    the record version each history entry produced (to show what others changed)."""
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

# MIGRATIONS[n] brings a database from schema n to n + 1.
MIGRATIONS: dict[int, Callable[[peewee.Database], None]] = {1: _migrate_1_to_2}


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
    sql = prepared(
        f"insert:{model.__name__}:{','.join(values)}",
        lambda p: model.insert_many([tuple(p for _ in fields)], fields=fields),
    )
    params = [field.db_value(value) for field, value in zip(fields, values.values(), strict=True)]
    db = database.obj
    cursor = db.execute_sql(sql, params)
    # PostgreSQL gets the id from the statement's RETURNING clause, SQLite from the cursor.
    return cursor.fetchone()[0] if db.returning_clause else cursor.lastrowid
