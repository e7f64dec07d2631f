"""Prepared statements: the SQL of the capture path's inserts, built by Peewee once per
database and reused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee

from funnel_tui.storage.models import database

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


# Rows per INSERT statement in insert_rows on PostgreSQL.
PG_ROWS_PER_INSERT = 500


def insert_rows(model: type[peewee.Model], names: tuple[str, ...], rows: list[list]) -> list[int]:
    """Insert many rows of `model` (values already as stored, in the order of `names`);
    their new ids, in order.

    On PostgreSQL in statements of many rows: the reports' tallies are kept there by
    statement triggers (storage.tallies), and a statement per row made each one update
    the same tally row again, whose versions pile up until the transaction ends (an
    import of 10,000 leads: 27 s instead of 5). On SQLite a prepared statement per row
    costs no more than one of many rows."""
    if not database.obj.returning_clause:
        cursor = database.obj.cursor()
        sql = insert_sql(model, names)
        ids = []
        for row in rows:
            cursor.execute(sql, row)
            ids.append(cursor.lastrowid)
        return ids
    from psycopg2.extras import execute_values

    columns = ", ".join(f'"{model._meta.fields[name].column_name}"' for name in names)
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES %s RETURNING "id"'
    # PostgreSQL returns an INSERT ... VALUES's rows in the order of its VALUES.
    found = execute_values(
        database.obj.cursor(), sql, rows, page_size=PG_ROWS_PER_INSERT, fetch=True
    )
    return [row[0] for row in found]
