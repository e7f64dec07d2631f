"""Mouse users, even over SSH: in the lead list, Today and the board a click selects a
row or card, a double click opens it, and the wheel scrolls."""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database

from .clock import NOW
from .ui_support import SIZE, app_at, seed_deals, settle

EXTRA = 30  # leads enough that no list shows them all at 80×24


@pytest.fixture
def mouse_db(tmp_path):
    path = str(tmp_path / "mouse.db")
    open_database(path)
    config = load_config()
    seed_deals(config, NOW)
    rules = Funnel(config, "rita", lambda: NOW - dt.timedelta(days=1))
    for n in range(EXTRA):
        lead = rules.capture_lead({"name": f"Person {n:02d}", "email": f"p{n}@example.com"})
        if n < 6:  # six more deals in Qualification: more than a column shows
            for item in ("budget", "authority", "need", "timeline"):
                rules.answer(lead.id, item, "yes")
            rules.promote(lead.id)
            rules.convert(lead.id, amount="1000", currency="EUR", stage="Qualification")
    yield path, tmp_path
    close_database()


async def wheel(pilot, widget, offset: tuple[int, int], down: bool = True) -> None:
    """One notch of the mouse wheel over `widget` at `offset`, as a terminal sends it."""
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    await pilot._post_mouse_events([kind], widget, offset)
    await settle(pilot)


async def test_the_lead_list_selects_on_click_opens_on_double_click_and_scrolls(mouse_db):
    from funnel_tui.tui.widgets.lead_table import LeadTable

    path, folder = mouse_db
    app = app_at(path, folder, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        assert table.cursor == 0
        await pilot.click(table, offset=(10, 3))
        await settle(pilot)
        assert table.cursor == 3
        assert type(app.screen).__name__ == "LeadListScreen"  # one click only selects
        for _ in range(3):
            await wheel(pilot, table, (10, 2))
        assert table.scroll_offset.y > 0
        top = table.scroll_offset.y
        await wheel(pilot, table, (10, 2), down=False)
        assert table.scroll_offset.y < top
        await pilot.click(table, offset=(10, 5), times=2)
        await settle(pilot)
        opened = table.row(table.scroll_offset.y + 5)
        assert type(app.screen).__name__ == "LeadScreen"
        assert app.screen.lead_id == opened["id"]


async def test_today_selects_on_click_opens_on_double_click_and_scrolls(mouse_db):
    from funnel_tui.tui.widgets.queue_view import HEADER, QueueView

    path, folder = mouse_db
    app = app_at(path, folder, NOW, start="today")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen.query_one(QueueView)
        first = queue.cursor
        heading = next(i for i, (kind, _) in enumerate(queue.entries) if kind == HEADER)
        await pilot.click(queue, offset=(20, heading))  # a section's heading takes no cursor
        await settle(pilot)
        assert queue.cursor == first
        target = next(
            i for i, (kind, _) in enumerate(queue.entries) if kind != HEADER and i > first
        )
        await pilot.click(queue, offset=(20, target))
        await settle(pilot)
        assert queue.cursor == target
        for _ in range(3):
            await wheel(pilot, queue, (20, 2))
        assert queue.scroll_offset.y > 0
        line = next(
            i
            for i in range(queue.scroll_offset.y, queue.total)
            if queue.entries[i][0] != HEADER and queue.row(i)
        )
        item = queue.row(line)["item"]
        await pilot.click(queue, offset=(20, line - queue.scroll_offset.y), times=2)
        await settle(pilot)
        assert queue.cursor == line
        shown = app.screen
        if item.kind == "deal":
            assert type(shown).__name__ == "OpportunityScreen" and shown.opp_id == item.id
        else:
            assert type(shown).__name__ == "LeadScreen" and shown.lead_id == item.id


async def test_the_board_selects_on_click_opens_on_double_click_and_scrolls(mouse_db):
    from funnel_tui.tui.widgets.board_view import CARD_HEIGHT, HEADER_LINES, BoardView

    path, folder = mouse_db
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one(BoardView)
        (first, width), (second, _) = view.layout_columns()[:2]
        assert view.columns[first].stage.name == "Qualification"
        # The second card of the second column shown: its column takes the focus.
        second_x = width + 1 + 3
        await pilot.click(view, offset=(second_x, HEADER_LINES + 1))
        await settle(pilot)
        assert view.focus_index == second and view.columns[second].cursor == 0
        await pilot.click(view, offset=(3, HEADER_LINES + CARD_HEIGHT + 1))
        await settle(pilot)
        assert view.focus_index == first and view.columns[first].cursor == 1
        column = view.columns[first]
        assert column.count > view.cards_per_column
        await wheel(pilot, view, (3, HEADER_LINES + 1))
        await wheel(pilot, view, (3, HEADER_LINES + 1))
        assert column.top == 2
        assert column.cursor == 2  # the selected card scrolled away: the nearest shown
        await wheel(pilot, view, (3, HEADER_LINES + 1), down=False)
        assert column.top == 1
        card = column.card(column.top + 1)
        await pilot.click(view, offset=(3, HEADER_LINES + CARD_HEIGHT + 1), times=2)
        await settle(pilot)
        assert type(app.screen).__name__ == "OpportunityScreen"
        assert app.screen.opp_id == card.id
