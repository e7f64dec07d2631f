"""The app on a database this user cannot write: every screen says so on its second top
line; the list, search, a record, the board, Today and the reports work; every write is
refused with the reason in the screen's message line, and what was typed stays."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import Activity, Lead, Opportunity
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.screens.board import BoardScreen
from funnel_tui.tui.screens.capture import CaptureScreen
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.leads import LeadListScreen
from funnel_tui.tui.screens.reports import ReportsScreen
from funnel_tui.tui.widgets.bars import TitleBar

from .read_only_support import frozen_folder, sidecars
from .test_ui import rows_of
from .ui_support import SIZE, press_burst, seed_deals, settle, type_text

NOW = dt.datetime(2026, 11, 20, 14, 30)


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """The board's deals in a database, then read-only: (folder, kind of read-only).
    The app is opened on `team.db` from inside the folder, so that what it says of the
    file reads the same wherever the test runs."""
    folder = tmp_path / "team"
    for freeze in frozen_folder(folder):
        monkeypatch.chdir(folder)
        open_database("team.db")
        seed_deals(load_config(), NOW)
        kind = freeze()
        open_database("team.db")
        yield folder, kind


def _app(tmp_path, start: str = "leads") -> FunnelApp:
    return FunnelApp(
        config=load_config(),
        target="team.db",
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
        start=start,
    )


def _top_lines(app) -> list[str]:
    return app.screen.query_one(TitleBar).render().plain.splitlines()


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_a_read_only_database_is_browsed_and_a_capture_refused_with_the_form_kept(
    frozen, tmp_path
):
    folder, _kind = frozen
    leads = Lead.select().count()
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        top = _top_lines(app)
        assert len(top) == 2 and top[1].startswith(" ⊘ Read-only: team.db ")
        assert "read-only file system" in top[1] or "cannot be written by you" in top[1]
        assert len(rows_of(app)) == leads
        # Search, and a record.
        await pilot.press("slash")
        await type_text(pilot, "kowal")
        await settle(pilot)
        assert [r["name"] for r in rows_of(app)] == ["Anna Kowalska"]
        await pilot.press("enter", "enter")  # to the list, then open the row
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert _top_lines(app)[1].startswith(" ⊘ Read-only")
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        # The board, Today, a report.
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "6 deals" in _text(app, "#footer")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        # A lead typed without a pause and saved: refused with the reason, kept.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, CaptureScreen)
        await press_burst(
            pilot, "Bo Chen", "tab", "Chen Trading", "tab", "bo@example.com", "ctrl+s"
        )
        outcome = _text(app, "#outcome")
        assert "the database is read-only for you: team.db" in outcome
        assert "Everything typed is kept" in outcome
        typed = app.screen.values()  # the email typed in Phone went to its own field
        assert (typed["name"], typed["company"], typed["email"]) == (
            "Bo Chen",
            "Chen Trading",
            "bo@example.com",
        )
    assert Lead.select().count() == leads
    assert sidecars(folder) == []


async def test_moves_undo_answers_and_a_call_are_refused_with_the_reason(frozen, tmp_path):
    stages = dict(Opportunity.select(Opportunity.id, Opportunity.stage).tuples())
    activities = Activity.select().count()
    app = _app(tmp_path, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("greater_than_sign")  # the deal to the next stage
        await settle(pilot)
        assert "read-only for you" in _text(app, "#footer")
        await pilot.press("f3", "ctrl+z")  # undo, on the list
        await settle(pilot)
        assert "✘ Nothing done (the database is read-only for you" in _text(app, "#filters")
        await pilot.press("q", "y")  # the checklist: budget yes
        await settle(pilot)
        assert "read-only for you" in _text(app, "#outcome")
        # A call logged on a lead's record: refused, the note kept.
        app.open_lead(Lead.get(Lead.name == "Anna Kowalska").id)
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await press_burst(pilot, "cor", "wants the price list", "ctrl+s")
        assert "✘ Not saved (the database is read-only for you" in _text(app, "#message")
        assert app.screen.query_one("#note").value == "wants the price list"
    assert Activity.select().count() == activities
    assert dict(Opportunity.select(Opportunity.id, Opportunity.stage).tuples()) == stages


def test_the_list_on_a_read_only_database_picture(frozen, tmp_path, snap_compare):
    """The list with its second top line, and the whole reason said once at start."""
    _folder, kind = frozen
    if kind != "filesystem":
        pytest.skip("the picture is of a read-only mount; a file's mode is said otherwise")
    assert snap_compare(_app(tmp_path), terminal_size=SIZE, run_before=settle)
