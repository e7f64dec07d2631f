"""Refreshing the query planner's statistics after a bulk write (a demo, an import, a migrate).

Both engines plan a query from statistics about each table and index; right after a bulk
load they have none, or ones gathered when the tables were nearly empty, and choose plans
for tiny tables. Measured on the 100,000-lead demo on PostgreSQL: the conversion report
took 18.7 s before `ANALYZE` and 0.86 s after. PostgreSQL's autovacuum gathers them by
itself, but only on its next round, seconds to a minute after the commit, and a report
run meanwhile keeps its bad plan to the end.

So whoever writes in bulk calls `refresh_statistics` once the data is committed:

- PostgreSQL: `ANALYZE` of the tables written (a sample of each; about 2 s for the whole
  100,000-lead demo).
- SQLite: `ANALYZE` of each table written, filling sqlite_stat1 (0.45 s for the demo).
  `PRAGMA optimize` is not enough on SQLite 3.40: it analyses only the tables that
  queries of the same connection have used, so on a connection that has only written it
  gathers nothing, and its 0x10000 flag (every table) needs 3.46.

Run after the commit rather than inside the bulk transaction: on PostgreSQL an
autovacuum round that starts before the commit cannot see the new rows, and sampling
committed rows is what every later plan reads.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee

from funnel_tui.storage.database import is_busy


def refresh_statistics(db: peewee.Database, tables: Iterable[str]) -> bool:
    """Gather the planner's statistics of `tables` (table names) on `db`; returns whether
    they were gathered.

    Best effort: when another writer holds the database past the busy timeout (SQLite)
    or keeps the tables locked (PostgreSQL: another ANALYZE or VACUUM), the statistics are
    left as they were and False is returned; the bulk write itself already stands. Inside
    a caller's transaction this runs in a savepoint, so such a refusal leaves that
    transaction usable.
    """
    names = list(dict.fromkeys(tables))
    if not names:
        return False
    quoted = [db.quote[0] + name + db.quote[1] for name in names]
    if isinstance(db, peewee.PostgresqlDatabase):
        statements = ["ANALYZE " + ", ".join(quoted)]
    elif isinstance(db, peewee.SqliteDatabase):
        statements = [f"ANALYZE {name}" for name in quoted]
    else:
        return False
    try:
        with db.atomic():
            for statement in statements:
                db.execute_sql(statement)
    except (peewee.OperationalError, peewee.InternalError) as exc:
        if not is_busy(exc):
            raise
        return False
    return True
