"""Raw SQL for work in bulk: lookups chunked for IN (...), pairs joined as a table of
values, engagement keys written in batches (the rules' import and sync paths).

Here rather than in the rules so that SQL text lives in storage; the rules pass values
and get rows back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import peewee

from funnel_tui.storage.models import database


def chunks(values: list[Any], size: int = 400) -> Iterator[list[Any]]:
    """Values in lists short enough for one IN (...) on every engine and SQLite build."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def first_by(column: str, values: set[str]) -> dict[str, tuple[int, str]]:
    """The oldest lead with each of `values` in `column`: (id, name) by value."""
    found: dict[str, tuple[int, str]] = {}
    param = database.obj.param
    for chunk in chunks(sorted(values)):
        marks = ", ".join([param] * len(chunk))
        # A merged lead stands for its survivor (models.Lead.merged_into).
        sql = (
            f'SELECT l."{column}", COALESCE(s."id", l."id"), COALESCE(s."name", l."name") '
            f'FROM "lead" l LEFT JOIN "lead" s ON s."id" = l."merged_into_id" '
            f'WHERE l."{column}" IN ({marks}) ORDER BY l."id"'
        )
        for value, lead_id, name in database.execute_sql(sql, chunk):
            found.setdefault(value, (lead_id, name))
    return found


# One pair's oldest live lead, through the company_key index (SQLite's way, below).
_ONE_BY_NAME = (
    'SELECT "id", "name" FROM "lead" WHERE "name_key" = ? AND "company_key" = ? '
    'AND "merged_into_id" IS NULL ORDER BY "id" LIMIT 1'
)


def first_by_name(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """The oldest live lead with each (name_key, company_key): (id, name) by pair."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    cursor = database.obj.cursor()
    if isinstance(database.obj, peewee.SqliteDatabase):
        # One lookup a pair: the pairs joined as a table of values (as PostgreSQL gets
        # them) make SQLite 3.38 and later build a Bloom filter of the whole lead table
        # for every statement, 0.28 s a statement at a million leads, where 2,000 of
        # these lookups take 0.08 s. (A row-value IN of the pairs reads the whole table.)
        for pair in sorted(pairs):
            row = cursor.execute(_ONE_BY_NAME, pair).fetchone()
            if row is not None:
                found[pair] = (row[0], row[1])
        return found
    param = database.obj.param
    # The pairs joined as a table of values: PostgreSQL looks each up through an
    # index, in one statement for many.
    for chunk in chunks(sorted(pairs), 200):
        rows = ", ".join([f"({param}, {param})"] * len(chunk))
        sql = (
            f'WITH wanted ("name_key", "company_key") AS (VALUES {rows}) '
            'SELECT l."name_key", l."company_key", l."id", l."name" FROM wanted w '
            'JOIN "lead" l ON l."name_key" = w."name_key" AND l."company_key" = w."company_key" '
            'WHERE l."merged_into_id" IS NULL'
        )
        cursor.execute(sql, [value for pair in chunk for value in pair])
        for name_key, company_key, lead_id, name in cursor.fetchall():
            known = found.get((name_key, company_key))
            if known is None or lead_id < known[0]:
                found[name_key, company_key] = (lead_id, name)
    return found


def companies_by_name_key(keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    """(name_key, id, industry, employees, country) of the companies with these name
    keys, oldest first within each chunk, looked up many at once (for imports)."""
    param = database.obj.param
    for chunk in chunks(sorted(set(keys))):
        marks = ", ".join([param] * len(chunk))
        sql = (
            'SELECT "name_key", "id", "industry", "employees", "country" FROM "company" '
            f'WHERE "name_key" IN ({marks}) ORDER BY "id"'
        )
        yield from database.execute_sql(sql, chunk)


def write_engagement_keys(db: peewee.Database, rows: list[tuple[float | None, int]]) -> None:
    """Write (key, lead id) pairs. PostgreSQL gets one UPDATE joined to the list of
    them (executemany would make a round trip per row, and a join per batch would
    scan the lead table once per batch); SQLite an UPDATE by id per row."""
    if isinstance(db, peewee.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        if rows:
            execute_values(
                db.cursor(),
                'UPDATE "lead" SET "engagement_key" = v.k FROM (VALUES %s) AS v (k, id) '
                'WHERE "lead"."id" = v.id',
                rows,
                template="(%s::double precision, %s)",
                page_size=len(rows),
            )
        return
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(
            'UPDATE "lead" SET "engagement_key" = ? WHERE "id" = ?', rows[start : start + 5000]
        )


def insert_many(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows in as few round trips as the engine allows: PostgreSQL one
    INSERT ... VALUES of a page of rows (executemany would make a round trip per row),
    SQLite a prepared INSERT run for each row inside the caller's transaction."""
    if not rows:
        return
    db = database.obj
    names = ", ".join(f'"{name}"' for name in columns)
    if isinstance(db, peewee.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        execute_values(
            db.cursor(), f'INSERT INTO "{table}" ({names}) VALUES %s', rows, page_size=2000
        )
        return
    marks = ", ".join("?" * len(columns))
    db.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def write_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Run one statement (`sql` with `?` placeholders) for each of `rows`: SQLite's
    executemany; on PostgreSQL psycopg2's execute_batch, which sends the rows a page at
    a time rather than one round trip each."""
    db = database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        from psycopg2.extras import execute_batch

        execute_batch(db.cursor(), sql.replace("?", "%s"), rows, page_size=1000)
        return
    cursor = db.cursor()
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


def stored_day(value: Any) -> Any:
    """A date as given to the driver (SQLite: its ISO text, as Peewee stores it)."""
    if value is not None and isinstance(database.obj, peewee.SqliteDatabase):
        return value.isoformat()
    return value


def live_leads(columns: Sequence[str], ids: list[int]) -> list[tuple[Any, ...]]:
    """`columns` of the leads with these ids (at most a chunk's worth) that are not
    merged into another, locked until the transaction ends where the engine can
    (PostgreSQL). Values as the driver returns them (SQLite: dates as ISO text)."""
    db = database.obj
    named = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join([db.param] * len(ids))
    sql = f'SELECT {named} FROM "lead" WHERE "id" IN ({marks}) AND "merged_into_id" IS NULL' + (
        " FOR UPDATE" if db.for_update else ""
    )
    return list(db.execute_sql(sql, ids).fetchall())


def update_leads(columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Each row's values of `columns` on its lead: rows are (*values, id)."""
    sets = ", ".join(f'"{c}" = ?' for c in columns)
    write_many(f'UPDATE "lead" SET {sets} WHERE "id" = ?', rows)


def insert_many_ids(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert `rows` (values of `columns`, as the driver takes them) into `table` in
    the caller's write transaction; their new ids, in order. PostgreSQL gets them from
    one INSERT … RETURNING a page; SQLite from the ids past the largest before, as
    its write transactions (BEGIN IMMEDIATE) run one at a time and a new rowid is the
    largest plus one."""
    db = database.obj
    named = ", ".join(f'"{c}"' for c in columns)
    if not rows:
        return []
    if isinstance(db, peewee.PostgresqlDatabase):
        from psycopg2.extras import execute_values

        found = execute_values(
            db.cursor(),
            f'INSERT INTO "{table}" ({named}) VALUES %s RETURNING "id"',
            rows,
            page_size=len(rows),
            fetch=True,
        )
        return [row[0] for row in found]
    cursor = db.cursor()
    before = cursor.execute(f'SELECT MAX("id") FROM "{table}"').fetchone()[0] or 0
    marks = ", ".join("?" for _ in columns)
    cursor.executemany(f'INSERT INTO "{table}" ({named}) VALUES ({marks})', rows)
    made = cursor.execute(f'SELECT "id" FROM "{table}" WHERE "id" > ? ORDER BY "id"', (before,))
    ids = [row[0] for row in made]
    if len(ids) != len(rows):  # a rowid reused or given: never with funnel's tables
        raise RuntimeError(f"{len(rows)} rows inserted into {table}, {len(ids)} found")
    return ids


def open_next_actions(lead_ids: list[int]) -> list[tuple[int, int]]:
    """(activity id, lead id) of the open next actions logged on these leads themselves
    (not on their deals), at most a chunk's worth of leads. Through the lead index: the
    `+` keeps SQLite from reading every activity without a deal by the deal index."""
    db = database.obj
    marks = ", ".join([db.param] * len(lead_ids))
    sql = (
        f'SELECT "id", "lead_id" FROM "activity" WHERE "lead_id" IN ({marks}) '
        'AND +"opportunity_id" IS NULL AND "next_action_due" IS NOT NULL '
        f'AND "next_action_done" = {db.param}'
    )
    return list(db.execute_sql(sql, [*lead_ids, False]).fetchall())


def rows_by_id(
    table: str, columns: tuple[str, ...], ids: list[int], lock: bool = False
) -> list[tuple[Any, ...]]:
    """(id, *columns) of the rows with these ids, in chunks; with `lock`, locked until
    the transaction ends where the engine locks rows (PostgreSQL's FOR UPDATE)."""
    db = database.obj
    names = ", ".join(f'"{name}"' for name in ("id", *columns))
    tail = " FOR UPDATE" if lock and db.for_update else ""
    found: list[tuple[Any, ...]] = []
    for chunk in chunks(ids, 900):
        marks = ", ".join([db.param] * len(chunk))
        sql = f'SELECT {names} FROM "{table}" WHERE "id" IN ({marks}){tail}'
        found += db.execute_sql(sql, chunk).fetchall()
    return found


def set_by_id(table: str, values: dict[str, Any], ids: list[int]) -> None:
    """Give the rows with these ids the same `values` and raise their version by one
    (a change a person made, seen by the optimistic locking of edits)."""
    db = database.obj
    param = db.param
    sets = ", ".join(f'"{name}" = {param}' for name in values)
    for chunk in chunks(ids, 900):
        marks = ", ".join([param] * len(chunk))
        sql = f'UPDATE "{table}" SET {sets}, "version" = "version" + 1 WHERE "id" IN ({marks})'
        db.execute_sql(sql, [*values.values(), *chunk])
