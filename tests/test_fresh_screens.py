"""No screen shows a fact older than the database once shown: a screen out of sight
(under another, in another mode) reloads the moment it comes back, after this
instance's own writes and after another's."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, Opportunity
from funnel_tui.tui.app import FunnelApp

from .ui_support import SIZE, app_at, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)


@pytest.fixture
def deals_env(tmp_path):
    path = str(tmp_path / "fresh.db")
    open_database(path)
    ids = seed_deals(load_config(), NOW)
    yield path, tmp_path, ids
    close_database()


def _app(deals_env, start: str = "board") -> FunnelApp:
    path, tmp_path, _ = deals_env
    return app_at(path, tmp_path, NOW, start=start)


def _summary(app) -> str:
    return str(app.screen.query_one("#summary").render())


async def test_a_deal_moved_elsewhere_reads_its_new_stage_when_shown_again(deals_env):
    anna = deals_env[2][0]  # rita's, in Qualification
    app = _app(deals_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_opportunity(anna)
        await settle(pilot)
        assert "Qualification" in _summary(app)
        await pilot.press("ctrl+t")  # the deal's screen stays on the board's stack
        await settle(pilot)
        # Another instance moves it meanwhile: heard as a change of that deal.
        other = Funnel(load_config(), "bob", lambda: NOW)
        other.move(anna, "Proposal")
        app.changes_arrived(_changes({("opportunity", anna)}))
        await _heard_by_the_watcher(pilot)
        # The board's mode shown again with its stack (F5 would close the deal's screen:
        # a screen's key is that screen itself), as the app's own switches do.
        app.switch_mode("board")
        await settle(pilot)
        assert type(app.screen).__name__ == "OpportunityScreen"
        assert "Proposal" in _summary(app) and "Qualification" not in _summary(app)


async def test_a_deal_won_on_the_board_reads_won_on_its_screen(deals_env):
    anna = deals_env[2][0]
    app = _app(deals_env, start="leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_opportunity(anna)  # on the list's stack
        await settle(pilot)
        assert "open" in _summary(app)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("w")  # the board's cursor starts on anna's card
        await settle(pilot)
        assert Opportunity.get_by_id(anna).state == "won"
        await _heard_by_the_watcher(pilot)
        app.switch_mode("leads")
        await settle(pilot)
        assert type(app.screen).__name__ == "OpportunityScreen"
        assert "won" in _summary(app).lower() and "Qualification" not in _summary(app)


async def test_a_lead_under_its_checklist_shows_the_new_score_and_saves(deals_env, tmp_path):
    path = deals_env[0]
    lead = Funnel(load_config(), "rita", lambda: NOW).capture_lead(
        {"name": "Lena Score", "email": "lena@example.com"}
    )
    app = _app(deals_env, start="leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead.id)
        await settle(pilot)
        before = _summary(app)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # budget: yes, a higher score
        await _heard_by_the_watcher(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "LeadScreen"
        score = Lead.get_by_id(lead.id).score
        assert f"score {score}" in _summary(app) and _summary(app) != before
        app.screen.query_one("#f-title").value = "Buyer"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in str(app.screen.query_one("#outcome").render())
    assert Lead.get_by_id(lead.id).title == "Buyer"
    assert path


async def _heard_by_the_watcher(pilot) -> None:
    """Time for the change watcher (one poll a second) to report the write while the
    screen that shows it is out of sight: it must not matter when it is heard."""
    await settle(pilot)
    await pilot.pause(2.5)
    await settle(pilot)


def _changes(records):
    from funnel_tui.live.changes import Changes

    return Changes(records=frozenset(records))


async def test_f3_returns_to_the_lead_list_not_a_record_left_over_it(deals_env):
    anna = deals_env[2][0]
    app = _app(deals_env, start="leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(Opportunity.get_by_id(anna).lead_id)
        await settle(pilot)
        app.open_opportunity(anna)
        await settle(pilot)
        await pilot.press("f5", "f3")
        await settle(pilot)
        assert type(app.screen).__name__ == "LeadListScreen"
        assert len(app.screen_stack) == 1
