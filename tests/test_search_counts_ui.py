"""A search on the lead list shows its rows and how many it found as soon as they are
read; its counts per status (four counts over every match) follow once typing pauses."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.tui.screens import leads
from funnel_tui.tui.widgets.lead_table import LeadTable

from .clock import Clock
from .ui_support import SIZE, make_app, seeded_env, settle, type_text

env = pytest.fixture(seeded_env)
PAUSE = 2.0  # seconds of no typing before the counts (COUNTS_AFTER_SECONDS in the app)


def line(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_search_shows_its_rows_at_once_and_its_counts_after_a_pause(env, monkeypatch):
    # A pause longer than a loaded machine takes to show the rows, so that what shows
    # before it is surely the typing's.
    monkeypatch.setattr(leads, "COUNTS_AFTER_SECONDS", PAUSE)
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "new 3" in line(app, "#counts")
        await pilot.press("slash")
        await type_text(pilot, "anna")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The rows and their number are in; the counts per status wait for the pause,
        # and the whole list's are not shown as if they were the search's meanwhile.
        assert app.screen.query_one(LeadTable).total == 1
        assert line(app, "#total") == "1 shown"
        assert "new …" in line(app, "#counts") and "3" not in line(app, "#counts")
        await pilot.pause(PAUSE + 0.1)
        await settle(pilot)
        assert "new 1" in line(app, "#counts")


async def test_a_search_counts_up_to_a_cap_while_typed_and_exactly_after_a_pause(env, monkeypatch):
    """While a search is typed its total is counted up to TYPING_COUNT_CAP ("1+ shown":
    counting every match of one letter costs PostgreSQL a second at a million leads);
    the exact total, and the list's height, follow the pause."""
    monkeypatch.setattr(leads, "TYPING_COUNT_CAP", 1)
    monkeypatch.setattr(leads, "COUNTS_AFTER_SECONDS", PAUSE)
    person = {"name": "Jan Nowak", "phone": "+48 601 234 567", "email": "jan@nowak.pl"}
    Funnel(load_config(), "rita", Clock()).capture_lead(person)  # a third phone
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "+")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(LeadTable)
        assert line(app, "#total") == "1+ shown"
        assert table.total == 2 and table.row(0) is not None
        await pilot.pause(PAUSE + 0.1)
        await settle(pilot)
        assert line(app, "#total") == "3 shown"
        assert table.total == 3 and "new 3" in line(app, "#counts")  # of 4 leads
        await pilot.press("escape", "end")  # from the search to the list, its last row
        await settle(pilot)
        assert table.cursor == 2 and table.current is not None
