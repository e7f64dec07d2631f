"""PostgreSQL connections go back to a pool when a worker thread is done with them: the
next worker's work runs on a warm session (its catalogs read, its trigger functions
compiled) instead of a new server process. A session the server ended is not handed
out again, few wait idle, and closing the database ends them all."""

from __future__ import annotations

import threading
import time

import pytest

from funnel_tui.read.connection import connected
from funnel_tui.storage import pools
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import database

from .conftest import PG_TEST_DB, _reset_pg


@pytest.fixture
def pg_target(pg_server):
    _reset_pg(pg_server)
    yield pg_server.url(PG_TEST_DB)
    close_database()


def _in_thread(work):
    """`work()` on a thread of its own, on a connection of its own (as a worker's)."""
    found = []

    def run():
        with connected():
            found.append(work())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return found[0]


def _backend() -> int:
    return database.obj.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def _sessions(pg_server) -> int:
    """This test database's sessions on the server, seen from another connection."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=pg_server.port, user="funnel", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (PG_TEST_DB,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def _settles_at(pg_server, wanted: int) -> int:
    """The sessions once they are `wanted` (a server process ends a moment after its
    client closed it), or as they are after 10 s."""
    deadline = time.monotonic() + 10
    while (found := _sessions(pg_server)) != wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_one_worker_after_another_works_on_the_same_session(pg_target):
    open_database(pg_target)
    first = _in_thread(_backend)
    assert _in_thread(_backend) == first
    assert _in_thread(lambda: database.obj.execute_sql("SELECT count(*) FROM lead").fetchone())


def test_a_session_the_server_ended_is_not_handed_out_again(pg_target):
    open_database(pg_target)
    ended = _in_thread(_backend)
    with connected():
        database.obj.execute_sql("SELECT pg_terminate_backend(%s)", (ended,))
    # The next worker gets a session that answers, not the ended one.
    assert _in_thread(_backend) != ended
    assert _in_thread(lambda: database.obj.execute_sql("SELECT 1").fetchone()) == (1,)


def test_few_sessions_wait_idle_and_closing_the_database_ends_them(pg_target, pg_server):
    open_database(pg_target)
    started, release = threading.Barrier(6), threading.Event()

    def hold():
        with connected():
            _backend()
            started.wait()
            release.wait()

    threads = [threading.Thread(target=hold) for _ in range(5)]
    for thread in threads:
        thread.start()
    started.wait()  # five workers at once, each on its own session, and the opener's
    assert _sessions(pg_server) == 6
    release.set()
    for thread in threads:
        thread.join()
    assert _settles_at(pg_server, 1 + pools.IDLE) == 1 + pools.IDLE
    close_database()
    assert _settles_at(pg_server, 0) == 0
