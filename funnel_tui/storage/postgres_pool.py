"""PostgreSQL connections kept for the next piece of work rather than ended (pools.py
says why). Loaded for a server only, as psycopg2 is."""

from __future__ import annotations

from playhouse.pool import PooledPostgresqlDatabase

from funnel_tui.storage.pools import FewIdle


class PooledServer(FewIdle, PooledPostgresqlDatabase):
    """Peewee's PostgreSQL database, whose connections a thread closes go back to a pool
    for the next thread to take. Peewee checks a pooled connection with a round trip
    before it hands it out: one a server restart broke is dropped and another opened."""
