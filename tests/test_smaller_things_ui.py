"""Smaller things seen in use, each pinned by a test that failed before its fix: the
overview's counts against the list's, the cycle-time chart's labels, a won deal's date,
the list's search box and its sort choice."""

from __future__ import annotations

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel

from .clock import Clock
from .ui_support import SIZE, make_app, settle


async def test_the_overview_explains_why_its_new_differs_from_the_lists(env):
    rules = Funnel(load_config(), "rita", Clock())
    lead = rules.capture_lead({"name": "Pia Prospect", "email": "pia@example.com"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)  # a prospect, still "new": nobody has talked to her
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = str(app.screen.query_one("#counts").render())
        assert "new 4" in listed
        await pilot.press("f4")
        await settle(pilot)
        overview = str(app.screen.query_one("#counts").render())
        lines = overview.splitlines()
        assert any(line.startswith("Leads · new") and line.split()[3] == "3" for line in lines)
        assert "not yet promoted" in overview and "new 4" in overview


async def test_a_won_deal_shows_the_day_it_was_won_beside_the_expected_one(tmp_path):
    import datetime as dt

    from funnel_tui.storage.database import close_database, open_database
    from funnel_tui.storage.models import Opportunity
    from funnel_tui.tui.screens.opportunity import OpportunityScreen

    from .clock import NOW
    from .rendered import rendered
    from .ui_support import app_at, seed_deals

    path = str(tmp_path / "won.db")
    open_database(path)
    ids = seed_deals(load_config(), NOW)
    won_at = NOW - dt.timedelta(days=2)
    Funnel(load_config(), "rita", lambda: won_at).win(ids[0])
    expected = Opportunity.get_by_id(ids[0]).expected_close
    app = app_at(path, tmp_path, NOW, start="board")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_opportunity(ids[0])
            await settle(pilot)
            assert isinstance(app.screen, OpportunityScreen)
            fields = rendered(app.screen.query_one("#fields").content)
            won = won_at.date()
            assert f"Won      {won:%a} {won.day} {won:%b %Y}" in fields, fields
            assert f"expected {expected:%a} {expected.day} {expected:%b %Y}" in fields
    finally:
        close_database()


async def test_slash_starts_a_new_search_in_place_of_the_last(env):
    from .ui_support import press_burst

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "/", "Anna", "enter")
        assert type(app.screen).__name__ == "LeadListScreen"
        assert app.screen.query_state.text == "Anna"
        await press_burst(pilot, "/", "Mallory")
        await settle(pilot)
        assert app.screen.query_one("#search").value == "Mallory"
        assert app.screen.query_state.text == "Mallory"


async def test_o_offers_every_sort_at_once_and_enter_on_the_current_reverses(env):
    from funnel_tui.tui.dialogs.sort_dialog import SortDialog

    from .ui_support import press_burst

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SortDialog)
        listed = dialog.query_one("#sorts")
        assert listed.option_count == 10
        await press_burst(pilot, "s", "s", "s", "enter")  # status, source, score
        await settle(pilot)
        assert (app.screen.query_state.sort, app.screen.query_state.descending) == ("score", True)
        assert "sort: score ▼" in str(app.screen.query_one("#filters").render())
        await press_burst(pilot, "o", "enter")  # the order in force: reversed
        await settle(pilot)
        assert (app.screen.query_state.sort, app.screen.query_state.descending) == ("score", False)
