"""Shared fixtures: every storage and rules test runs on a real SQLite file under tmp_path
and on a real PostgreSQL server that this session starts itself."""

from __future__ import annotations

import inspect
import os
import zlib

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.new_database import create_database

from .clock import Clock
from .pg_server import PostgresServer
from .ui_support import seeded_env

PG_TEST_DB = "funnel_test"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ui: drives the Textual app (Pilot, snapshots); .ci/run leaves these out of its runs "
        "under a shifted clock. Async tests and tests using snap_compare get it by themselves.",
    )
    config.addinivalue_line(
        "markers",
        "clock_free: nothing in it reads a date (bytes of a damaged file, signals, which "
        "modules import which) or it repeats at scale what smaller tests check under every "
        "clock; .ci/run's runs under shifted clocks leave it out, the first run has it.",
    )


def pytest_collection_modifyitems(config, items):
    """Mark the tests that drive the app, so that every other test, new ones included,
    runs under the shifted clocks of .ci/run (`-m "not ui"`). With FUNNEL_TEST_SHARD=K/N
    only the K-th of N shares of the tests runs (by a hash of each test's name, the same
    share every time): .ci/run gives each shifted clock one share."""
    for item in items:
        function = getattr(item, "function", None)
        if inspect.iscoroutinefunction(function) or "snap_compare" in item.fixturenames:
            item.add_marker(pytest.mark.ui)
    shard = os.environ.get("FUNNEL_TEST_SHARD")
    if shard:
        which, shares = (int(n) for n in shard.split("/"))
        mine = [zlib.crc32(item.nodeid.encode()) % shares == which for item in items]
        config.hook.pytest_deselected(items=[i for i, m in zip(items, mine, strict=True) if not m])
        items[:] = [i for i, m in zip(items, mine, strict=True) if m]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's config, data or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in (
        "FUNNEL_DB",
        "FUNNEL_CONFIG",
        "FUNNEL_USER",
        "NO_COLOR",
        "LC_NUMERIC",
        "LANGUAGE",
        "LC_MESSAGES",
        "LC_TIME",
    ):
        monkeypatch.delenv(name, raising=False)
    # Nor the machine's locale: funnel speaks English, and amounts are read and shown as
    # English writes numbers, unless a test says otherwise (i18n.py, user_locale.py).
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    return home


@pytest.fixture(autouse=True)
def english_after():
    """Each test starts in English and leaves English behind: `funnel --lang de` run in
    the test process, or a test in German, sets the language for the whole process."""
    from funnel_tui.core.i18n import ENGLISH, current_language, set_language

    if current_language() != ENGLISH:
        set_language(ENGLISH)
    yield
    if current_language() != ENGLISH:
        set_language(ENGLISH)


@pytest.fixture(autouse=True)
def ui_zone(request, monkeypatch):
    """The tests that drive the app run in UTC, whatever the machine's zone: their pinned
    clocks and the dates they expect on screen are written for it (NOW at 09:00 UTC is
    still the 22nd in UTC-11). The other tests keep the zone they are run in (.ci/run
    runs them in Asia/Taipei too)."""
    if request.node.get_closest_marker("ui"):
        monkeypatch.setenv("TZ", "Etc/UTC")
        # A truecolor terminal, whatever TERM the tests run under: the board's styles
        # for 16 colours (tui.few_colours) would otherwise change the snapshots.
        monkeypatch.setenv("COLORTERM", "truecolor")
        # A terminal that draws links (tui.links), whatever TERM CI has: they change how
        # a row's text is cut into segments, which the snapshots hold.
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.delenv("FUNNEL_LINKS", raising=False)
        from funnel_tui.tui.links import links_on

        links_on.cache_clear()


@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer()
    server.start()
    server.create_database(PG_TEST_DB)
    yield server
    server.stop()


def _reset_pg(server: PostgresServer) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=server.port, user="funnel", dbname=PG_TEST_DB)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    conn.close()


# The engines db_target runs each test on: both, unless FUNNEL_TEST_ENGINES names fewer
# (.ci/run's runs under shifted clocks take "sqlite" alone, to keep CI short).
ENGINES = tuple(os.environ.get("FUNNEL_TEST_ENGINES", "sqlite,postgres").split(","))
if not ENGINES or not set(ENGINES) <= {"sqlite", "postgres"}:
    raise pytest.UsageError(f"FUNNEL_TEST_ENGINES: {','.join(ENGINES)!r} is not sqlite, postgres")


@pytest.fixture(params=ENGINES)
def db_target(request, tmp_path):
    """A database location, empty: a SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "funnel.db")
    else:
        server = request.getfixturevalue("pg_server")
        _reset_pg(server)
        yield server.url(PG_TEST_DB)
    close_database()


@pytest.fixture
def db(db_target):
    database = open_database(db_target)
    yield database
    close_database()


@pytest.fixture
def config():
    return load_config()


@pytest.fixture
def clock():
    """A pinned clock at clock.NOW; `clock.advance(days=1)` moves it."""
    return Clock()


@pytest.fixture
def rules(db, config, clock):
    """The rules layer acting as user alice, on the pinned `clock`."""
    return Funnel(config, "alice", clock)


@pytest.fixture
def sqlite_path(tmp_path):
    return str(tmp_path / "funnel.db")


@pytest.fixture
def made_db(tmp_path):
    """The path of an empty funnel database file made beforehand, as a team's is: a
    command on a path where no database is is refused without --create."""
    create_database(tmp_path / "made.db")
    return str(tmp_path / "made.db")


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `funnel` as a subprocess against a tmp database, made
    (empty) beforehand: a path where no database is is refused without --create."""
    env = dict(os.environ)
    env["FUNNEL_DB"] = str(tmp_path / "cli.db")
    create_database(tmp_path / "cli.db")  # leaves the test's own database open
    env["FUNNEL_USER"] = "carol"
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture
def env(tmp_path):
    """For the Pilot tests: a database seeded with ui_support.SEED, and a draft store."""
    yield from seeded_env(tmp_path)
