"""The pipeline board driven as a rep drives it: navigate, move a deal across every
stage, win, lose with and without a reason, reopen, filter, a narrow terminal, and a
deal someone else moved meanwhile."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import History, Opportunity, StageChange
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog
from funnel_tui.tui.screens.board import BoardScreen
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.opportunity import OpportunityScreen
from funnel_tui.tui.widgets.board_view import BoardView

from .ui_support import SIZE, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)


@pytest.fixture
def board_env(tmp_path):
    path = str(tmp_path / "board.db")
    open_database(path)
    ids = seed_deals(load_config(), NOW)
    yield path, DraftStore("rita", tmp_path / "drafts"), ids
    close_database()


def _app(board_env, user: str = "rita") -> FunnelApp:
    path, drafts, _ = board_env
    return FunnelApp(
        config=load_config(),
        target=path,
        user=user,
        drafts=drafts,
        clock=lambda: NOW,
        start="board",
    )


def _view(app) -> BoardView:
    return app.screen.query_one(BoardView)


def _shown(app) -> str:
    """The board's text as the terminal shows it."""
    view = _view(app)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


def _outcome(app) -> str:
    """The board's footer line, where messages show until the cursor moves; a deal's
    outcome line."""
    where = "#footer" if isinstance(app.screen, BoardScreen) else "#outcome"
    return str(app.screen.query_one(where).render())


def _text(renderable) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _opp(opp_id: int) -> Opportunity:
    return Opportunity.get_by_id(opp_id)


async def test_the_board_opens_with_database_totals_and_moves_focus(board_env):
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        view = _view(app)
        assert [c.stage.name for c in view.columns] == [
            "Qualification",
            "Needs analysis",
            "Proposal",
            "Negotiation",
        ]
        assert [c.count for c in view.columns] == [2, 1, 2, 1]
        text = _shown(app)
        assert "Qualification" in text and "EUR 40.0k" in text
        assert view.current.company == "Kowalski Logistyka"
        await pilot.press("j")
        assert view.current.company == "台北貿易股份有限公司"
        await pilot.press("l", "l")
        assert view.focused_column.stage.name == "Proposal"
        await pilot.press("k", "h")
        assert view.focused_column.stage.name == "Needs analysis"
        assert view.current.company == "Grupo Norte"
        footer = str(app.screen.query_one("#footer").render())
        assert "6 deals" in footer and "weighted" in footer


async def test_a_deal_moves_across_every_stage_and_each_move_is_recorded(board_env):
    _, _, ids = board_env
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = _view(app)
        assert view.current.id == ids[0]
        for stage in ("Needs analysis", "Proposal", "Negotiation"):
            await pilot.press("greater_than_sign")
            await settle(pilot)
            assert _opp(ids[0]).stage == stage
            # The focus follows the deal.
            assert view.focused_column.stage.name == stage and view.current.id == ids[0]
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert "last open stage" in _outcome(app)
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert _opp(ids[0]).stage == "Proposal"
        assert view.column("Proposal").count == 3
    moves = [
        (m.from_stage, m.to_stage, m.user.login)
        for m in StageChange.select().where(StageChange.opportunity == ids[0])
    ]
    assert moves == [
        (None, "Qualification", "rita"),
        ("Qualification", "Needs analysis", "rita"),
        ("Needs analysis", "Proposal", "rita"),
        ("Proposal", "Negotiation", "rita"),
        ("Negotiation", "Proposal", "rita"),
    ]


async def test_win_then_reopen_from_the_won_column(board_env):
    _, _, ids = board_env
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = _view(app)
        await pilot.press("w")
        await settle(pilot)
        assert _opp(ids[0]).state == "won"
        assert "won" in _outcome(app) and "f shows" in _outcome(app)
        assert view.column("Qualification").count == 1
        await pilot.press("f")
        await settle(pilot)
        assert [c.stage.name for c in view.columns][-2:] == ["Won", "Lost"]
        await pilot.press(*["l"] * 4)
        assert view.focused_column.stage.name == "Won"
        assert view.current.id == ids[0]
        assert "✔ won" in _shown(app)
        await pilot.press("o")
        await settle(pilot)
        assert _opp(ids[0]).state == "open" and _opp(ids[0]).stage == "Qualification"
        assert view.focused_column.stage.name == "Qualification" and view.current.id == ids[0]


async def test_lost_needs_a_reason_from_the_list(board_env):
    _, _, ids = board_env
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert _opp(ids[0]).state == "open"
        assert "needs a reason" in _outcome(app)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("down", "enter")  # the second reason
        await settle(pilot)
        opp = _opp(ids[0])
        assert (opp.state, opp.lost_reason) == ("lost", "Lost to competitor")
        assert "Lost to competitor" in _outcome(app)


async def test_filters_narrow_the_board_and_its_totals(board_env):
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = _view(app)
        await pilot.press("m")
        await settle(pilot)
        assert [c.count for c in view.columns] == [2, 0, 2, 0]  # rita's
        assert "owner rita" in str(app.screen.query_one("#filters").render())
        await pilot.press("m", "s")  # all owners, stale only
        await settle(pilot)
        assert [c.count for c in view.columns] == [1, 0, 1, 0]
        assert {view.column(s).card(0).company for s in ("Qualification", "Proposal")} == {
            "台北貿易股份有限公司",
            "Dubois & Fils",
        }
        await pilot.press("s", "c")  # closing this month (November 2026)
        await settle(pilot)
        assert [c.count for c in view.columns] == [0, 1, 1, 1]
        await pilot.press("0", "a")  # the first owner by login: rita
        await settle(pilot)
        assert "owner rita" in str(app.screen.query_one("#filters").render())
        await pilot.press("a")  # sam
        await settle(pilot)
        assert [c.count for c in view.columns] == [0, 1, 0, 1]
        await pilot.press("0", "u")  # source: the first one configured, Web form
        await settle(pilot)
        assert sum(c.count for c in view.columns) == 0
        assert "no deals match" in _shown(app)


async def test_a_deal_someone_else_moved_is_not_moved_back(board_env):
    _, _, ids = board_env
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = _view(app)
        assert view.current.id == ids[0]
        # Sam, in another instance, moves it first.
        Funnel(load_config(), "sam", lambda: NOW).move(ids[0], "Proposal")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        message = _outcome(app)
        assert "changed meanwhile" in message and "sam" in message and "Proposal" in message
        assert _opp(ids[0]).stage == "Proposal"  # Sam's move stands
        assert view.column("Proposal").count == 3  # and the board shows it
        # Someone closes another deal; marking it lost here says so.
        Funnel(load_config(), "sam", lambda: NOW).win(ids[1])
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert _opp(ids[1]).state == "won"
        assert "changed meanwhile" in _outcome(app)
    moves = [
        (h.user.login, h.field, h.new) for h in History.select().where(History.action == "move")
    ]
    # Only Sam's changes are in the history: nothing was written over them from here.
    assert {who for who, _, _ in moves} == {"sam"}
    assert [new for _, field, new in moves if field == "stage"] == ["Proposal", "Won"]


async def test_at_80_columns_the_focused_column_stays_in_the_middle(board_env):
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = _view(app)
        await pilot.press("f")
        await settle(pilot)
        assert len(view.columns) == 6
        shown = lambda: [view.columns[i].stage.name for i, _ in view.layout_columns()]  # noqa: E731
        assert shown() == ["Qualification", "Needs analysis", "Proposal"]
        await pilot.press("l", "l", "l")
        assert shown() == ["Proposal", "Negotiation", "Won"]
        assert all(width >= 25 for _, width in view.layout_columns())
    app = _app(board_env)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert len(_view(app).layout_columns()) == 6


async def test_card_text_from_user_data_shows_literally(board_env):
    app = _app(board_env)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        text = _shown(app)
        assert "=cmd|' /C calc'!A0" in text
        assert "台北貿易股份有限公司" in text


async def test_a_card_opens_its_deal_which_links_back_to_the_lead(board_env):
    _, _, ids = board_env
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OpportunityScreen)
        assert app.screen.record.card.id == ids[0]
        fields = _text(app.screen.query_one("#fields").content)
        assert "Anna Kowalska" in fields and "EUR 40,000.00" in fields
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("f10")  # and forward again to the deal
        await settle(pilot)
        assert isinstance(app.screen, OpportunityScreen) and app.screen.opp_id == ids[0]
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert _opp(ids[0]).stage == "Needs analysis"
        assert "moved" in _outcome(app)
