"""Connections kept for the next piece of work rather than closed, on either engine.

Each read and write of a screen runs in a worker thread on a connection of its own
(read.connection.connected). A new connection costs more than most of that work: on
PostgreSQL a server process with cold caches (a checklist answer at a million leads took
18–26 ms on one against 5 ms on a warm session); on SQLite the schema read again, 70 KB
of triggers and indexes (4–5 ms at each search keystroke), and an empty page cache. Here
a connection a thread closes waits for the next thread instead, a few at most.
"""

from __future__ import annotations

from typing import Any

from playhouse.pool import PooledDatabase

# A connection serves for at most this long from its making, then is ended on its next
# return (its memory does not grow for the app's whole life).
LIFE_SECONDS = 600
# At most this many connections wait idle: a team of instances on one server must not
# hold many idle sessions each (PostgreSQL allows 100 by default), and each SQLite one
# holds its page cache.
IDLE = 2


class FewIdle(PooledDatabase):
    """A Peewee pool that keeps at most IDLE connections waiting, ends each once it is
    LIFE_SECONDS old, refuses no number in use, and ends every one a thread closes once
    `close_pool` ran or while `keeps_idle()` is False."""

    def __init__(self, database: str, **connect_params: Any) -> None:
        super().__init__(database, max_connections=0, stale_timeout=LIFE_SECONDS, **connect_params)
        self.closing = False

    def keeps_idle(self) -> bool:
        """Whether a connection a thread closes may wait for the next."""
        return True

    def _close(self, conn: Any, close_conn: bool = False) -> None:
        ended = (
            close_conn or self.closing or not self.keeps_idle() or len(self._connections) >= IDLE
        )
        super()._close(conn, ended)

    def close_pool(self) -> None:
        """End the connections waiting in the pool, and from now on each one a thread
        closes (the database is being closed: threads still at work end theirs)."""
        self.closing = True
        self.close_idle()
