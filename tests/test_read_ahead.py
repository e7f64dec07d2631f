"""The first screen's data read ahead while the terminal UI loads (read.ahead, started by
cli.tui.make_app): the lead list's rows and counts and the top line's Today counts are
there for the first frame, without the list's own query; what the reading ahead cannot
vouch for (scores about to be rewritten, another instance's write meanwhile) is read
again. And `funnel [OPTIONS]` is read as the whole parser reads it."""

from __future__ import annotations

import dataclasses
import gc
import threading

import pytest

from funnel_tui.cli import make_app
from funnel_tui.config import load_config
from funnel_tui.config.places import default_database_path
from funnel_tui.core.dates import local_today, user_zone
from funnel_tui.read.ahead import ReadAhead
from funnel_tui.read.connection import utcnow
from funnel_tui.read.today import queue_counts
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, User
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.widgets.lead_table import LeadTable

from .clock import Clock
from .ui_support import SIZE, seeded_env, settle

env = pytest.fixture(seeded_env)


@pytest.fixture(autouse=True)
def closed_after():
    yield
    close_database()
    gc.enable()  # make_app turns the collector off until its app is up


def first_frames(app) -> list[tuple[int, dict | None]]:
    """(rows in the list, the top line's Today counts) at each frame the app paints,
    from the first on."""
    frames: list[tuple[int, dict | None]] = []
    display = app._display

    def painted(screen, update) -> None:
        tables = screen.query(LeadTable)
        frames.append((tables.first().total if tables else 0, app.today_counts))
        display(screen, update)

    app._display = painted
    return frames


async def test_the_first_frame_has_the_list_and_the_counts_read_ahead(env):
    path, _drafts = env
    open_database(path)
    rita = User.get(User.login == "rita").id
    expected = queue_counts(rita, local_today(utcnow(), user_zone(load_config().timezone)))
    close_database()

    app = make_app(path, "rita")
    frames = first_frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The very first frame shows the rows and the counts: nothing painted before them.
        assert frames[0] == (3, expected)
        assert app.screen.query_one(LeadTable).current is not None
        counts = str(app.screen.query_one("#counts").render())
        assert "new 3" in counts and "working 0" in counts


async def test_a_write_before_the_app_hears_of_writes_is_read_again(env):
    path, drafts = env
    open_database(path)
    config = load_config()
    ahead = ReadAhead(config, "rita", "leads")
    assert ahead.result(10).lead_list.total == 3
    # Another instance adds a lead after the reading ahead, before this app listens.
    Funnel(config, "ben", Clock()).capture_lead({"name": "Late Lead", "email": "late@x.example"})

    app = FunnelApp(config=config, target=path, user="rita", drafts=drafts, ahead=ahead)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(LeadTable)
        assert table.total == 3  # what was read ahead, at first
        app.startup_done()
        await settle(pilot)
        assert table.total == 4
        assert table.row(0)["name"] == "Late Lead"


def test_scores_about_to_be_rewritten_are_not_read_ahead(env):
    path, _drafts = env
    open_database(path)
    config = load_config()
    assert ReadAhead(config, "rita", "leads").result(10).lead_list is not None
    # Other weights: the app's Funnel rescores every lead as it starts.
    heavier = dataclasses.replace(config, bant_weights={**config.bant_weights, "need": 50})
    first = ReadAhead(heavier, "rita", "leads").result(10)
    assert first.lead_list is None and first.today_counts is not None
    # Nor is a list for another first screen.
    assert ReadAhead(config, "rita", "board").result(10).lead_list is None


async def test_the_board_s_first_frame_has_its_columns_read_ahead(tmp_path):
    from funnel_tui.tui.widgets.board_view import BoardView

    from .clock import NOW
    from .ui_support import seed_deals

    path = str(tmp_path / "board.db")
    open_database(path)
    deals = seed_deals(load_config(), NOW)
    close_database()

    app = make_app(path, "rita", screen="board")
    shown: list[int] = []
    display = app._display

    def painted(screen, update) -> None:
        views = screen.query(BoardView)
        shown.append(sum(c.totals.count for c in views.first().columns) if views else -1)
        display(screen, update)

    app._display = painted
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        open_deals = sum(c.totals.count for c in app.screen.query_one(BoardView).columns)
    # Every open deal is counted in the very first frame: nothing painted before.
    assert 0 < open_deals <= len(deals)
    assert shown[0] == open_deals


# ------------------------------------------- a database closed while it reads ahead


@pytest.fixture
def held_reading(monkeypatch):
    """Each ReadAhead waits for `release` before it reads: a read-ahead slower than the
    rest of start-up, as on a loaded machine."""
    import funnel_tui.read.ahead as ahead

    release = threading.Event()
    reads = ahead._first_screen

    def held(*args):
        release.wait(10)
        return reads(*args)

    monkeypatch.setattr(ahead, "_first_screen", held)
    yield release
    release.set()


def _in_thread(work) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_a_new_database_is_made_whole_beside_a_read_ahead(env, held_reading, capsys):
    """A TUI made on one database, closed, then one at the default location (a newcomer's
    first run; a test does this). The first one's read-ahead, had it read while the new
    database was being built, would have kept a connection on it, and the file put in
    place would have been one without tables, its WAL left behind."""
    path, _drafts = env
    made = make_app(path, "rita")
    assert isinstance(made, FunnelApp)
    close_done = _in_thread(close_database)
    close_done.join(0.3)
    assert close_done.is_alive()  # closing waits for the read-ahead
    held_reading.set()
    close_done.join(10)
    assert not close_done.is_alive()

    held_reading.clear()
    make_app(path, "rita")  # its read-ahead held again
    new = _in_thread(lambda: make_app(None, "rita"))
    new.join(0.3)
    assert new.is_alive()  # binding the models elsewhere waits for the read-ahead
    held_reading.set()
    new.join(10)
    assert f"created a new database at {default_database_path()}" in capsys.readouterr().err
    close_database()
    open_database(str(default_database_path()), create=False)  # with its tables
    assert User.select().count() == 0


# ------------------------------------------- the rules, made after the first screen


async def test_the_rules_are_made_after_the_first_screen_when_the_list_was_read_ahead(env):
    """Making the rules imports every rule module: not before the first frame, which
    shows what was read ahead; within a moment after it, without a key."""
    from funnel_tui.tui.app import PREPARE_AFTER_SECONDS

    path, _drafts = env
    app = make_app(path, "rita")
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one(LeadTable).total == 3  # read ahead
        assert app._rules is None
        await pilot.pause(PREPARE_AFTER_SECONDS + 0.3)
        await settle(pilot)
        assert app._rules is not None
        assert app.rules.user_id == User.get(User.login == "rita").id


async def test_stale_scores_make_the_rules_as_the_list_mounts(env):
    """Other weights: the stored scores are not the config's, so the rules are made
    (rewriting them) before the list reads them, not after the first frame."""
    path, drafts = env
    config = load_config()
    heavier = dataclasses.replace(config, bant_weights={**config.bant_weights, "need": 50})
    open_database(path)
    before = {lead.id: lead.score for lead in Lead.select()}
    ahead = ReadAhead(heavier, "rita", "leads")
    app = FunnelApp(
        config=heavier, target=path, user="rita", drafts=drafts, ahead=ahead, clock=Clock()
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        stored = {lead.id: lead.score for lead in Lead.select()}
        assert stored != before  # rewritten for the weights, before the list read them
        assert [table.row(i)["score"] for i in range(table.total)] == [
            stored[table.row(i)["id"]] for i in range(table.total)
        ]
