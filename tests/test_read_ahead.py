"""The first screen's data read ahead while the terminal UI loads (read.ahead, started by
cli.tui.make_app): the lead list's rows and counts and the top line's Today counts are
there for the first frame, without the list's own query; what the reading ahead cannot
vouch for (scores about to be rewritten, another instance's write meanwhile) is read
again. And `funnel [OPTIONS]` is read as the whole parser reads it."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from funnel_tui.cli import make_app
from funnel_tui.config import load_config
from funnel_tui.core.dates import local_today, user_zone
from funnel_tui.read.ahead import ReadAhead
from funnel_tui.read.connection import utcnow
from funnel_tui.read.today import queue_counts
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import User
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
