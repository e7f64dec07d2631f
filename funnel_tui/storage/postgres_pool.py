"""PostgreSQL connections kept for the next piece of work rather than ended.

Each read and write of a screen runs in a worker thread on a connection of its own
(read.connection.connected). A new PostgreSQL connection is a new server process with
cold caches: its first statements on the lead table read its indexes and triggers from
the catalogs and compile the trigger functions. At a million leads a checklist answer
took 18–26 ms on a new connection against 5 ms on a warm one.
"""

from __future__ import annotations

from typing import Any

from playhouse.pool import PooledPostgresqlDatabase

# A connection serves for at most this long from its making, then is ended on its next
# return (the server process's memory does not grow for the app's whole life).
LIFE_SECONDS = 600
# At most this many connections wait in the pool: a team of instances on one server must
# not hold many idle sessions each (PostgreSQL allows 100 by default).
IDLE = 2


class PooledServer(PooledPostgresqlDatabase):
    """Peewee's PostgreSQL database, whose connections a thread closes go back to a pool
    for the next thread to take. Peewee checks a pooled connection with a round trip
    before it hands it out: one a server restart broke is dropped and another opened.
    No number of connections in use is refused (as without a pool)."""

    def __init__(self, database: str, **connect_params: Any) -> None:
        super().__init__(database, max_connections=0, stale_timeout=LIFE_SECONDS, **connect_params)
        self.closing = False

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        ended = close_conn or self.closing or len(self._connections) >= IDLE
        super()._close(conn, ended)

    def close_pool(self) -> None:
        """End the connections waiting in the pool, and from now on each one a thread
        closes (the database is being closed: threads still at work end theirs)."""
        self.closing = True
        self.close_idle()
