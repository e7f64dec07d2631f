"""Handing over in the TUI at 80×24, keys pressed without pauses: ctrl+r on the lead
list, the lead record, the board and the deal record; a new user confirmed; a misspelt
one answered with the close name; the picker's snapshot. And the new owner's instance
hearing of it (live.changes)."""

from __future__ import annotations

import threading

from funnel_tui.config import load_config
from funnel_tui.live.changes import ChangeWatch
from funnel_tui.read.today import DUE_TODAY, load_queue
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import open_database
from funnel_tui.storage.models import Lead, Opportunity, User
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.dialogs.dialogs import ConfirmDialog
from funnel_tui.tui.dialogs.user_picker import UserPicker
from funnel_tui.tui.screens.board import BoardScreen
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.opportunity import OpportunityScreen
from funnel_tui.tui.widgets.lead_table import LeadTable

from .clock import Clock
from .test_board_ui import NOW, _app, board_env  # noqa: F401 - board_env is a fixture
from .ui_support import SIZE, make_app, seeded_env, settle


def _team(names=(("ben", "Ben Ortiz"), ("carla", "Carla Méndez"))) -> None:
    for login, display in names:
        User.get_or_create(login=login, defaults={"display_name": display, "created_at": NOW})


def _owner(lead_id: int) -> str:
    return Lead.get_by_id(lead_id).owner.login


def _text(app, selector: str) -> str:
    """What the widgets `selector` finds on the screen show, together."""
    return " ".join(str(widget.render()) for widget in app.screen.query(selector))


async def test_the_list_hands_the_current_row_to_a_user_typed(env):
    _team()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lead_id = app.screen.query_one(LeadTable).current["id"]
        await pilot.press("ctrl+r", "b", "e", "n", "enter")
        await settle(pilot)
        assert _owner(lead_id) == "ben"
        assert "Handed lead" in _text(app, "#filters") and "to ben" in _text(app, "#filters")
        # ctrl+r again: the owner now is marked and offered last; esc changes nothing.
        await pilot.press("ctrl+r")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, UserPicker)
        assert [m.login for m in picker.shown][-1] == "ben"
        await pilot.press("escape")
        await settle(pilot)
        assert _owner(lead_id) == "ben"


async def test_arrows_pick_among_the_people_the_filter_leaves(env):
    _team()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lead_id = app.screen.query_one(LeadTable).current["id"]
        # "a" leaves carla, rita (the owner now, last) and a new user "a"; the arrows
        # are pressed before the team is read, and still count.
        await pilot.press("ctrl+r", "a", "down", "down", "up", "up", "enter")
        await settle(pilot)
        assert _owner(lead_id) == "carla"


async def test_a_new_name_is_confirmed_then_made_on_the_lead_record(env):
    _team()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        lead_id = app.screen.lead_id
        await pilot.press("ctrl+r", *"dorota", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "never used funnel" in _text(app, "Static")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert _owner(lead_id) == "dorota"
        outcome = _text(app, "#outcome")
        assert "to dorota; new user dorota was made" in outcome
        # The form keeps nothing typed by mistake: the name went to the picker.
        assert not app.screen.changes()
        # ctrl+z takes the hand-over back.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert _owner(lead_id) == "rita"


async def test_a_misspelt_name_is_answered_with_the_close_one(env):
    _team()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lead_id = app.screen.query_one(LeadTable).current["id"]
        await pilot.press("ctrl+r", *"bne", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert 'did you mean "ben"' in _text(app, "Static")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, UserPicker)  # back to choose another
        await pilot.press("escape")
        await settle(pilot)
        assert _owner(lead_id) == "rita"
        assert not User.select().where(User.login == "bne").exists()


async def test_the_board_hands_over_the_current_card(board_env):  # noqa: F811
    _team()
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        card = app.screen.view.current
        await pilot.press("ctrl+r", *"carla", "enter")
        await settle(pilot)
        assert Opportunity.get_by_id(card.id).owner.login == "carla"
        assert "to carla" in _text(app, "#footer")


async def test_the_deal_record_hands_over_its_deal(board_env):  # noqa: F811
    _team()
    app = _app(board_env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OpportunityScreen)
        opp_id = app.screen.opp_id
        await pilot.press("ctrl+r", *"ben", "enter")
        await settle(pilot)
        assert Opportunity.get_by_id(opp_id).owner.login == "ben"
        assert "to ben" in _text(app, "#outcome")
        assert app.screen.record.card.owner == "ben"  # the record shows its new owner


def test_the_picker(tmp_path, monkeypatch, snap_compare):
    monkeypatch.chdir(tmp_path)  # the title bar names the database: the same each run
    generator = seeded_env(tmp_path)
    _, drafts = next(generator)
    open_database("ui.db")
    _team()
    app = FunnelApp(config=load_config(), target="ui.db", user="rita", drafts=drafts, clock=Clock())

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        generator.close()


def test_the_new_owners_instance_hears_of_it_and_their_today_shows_it(db_target, config):
    """Two instances on one database: rita hands a lead with an action due to ben; ben's
    change watcher hears of the lead at its next poll, and his Today has it."""
    open_database(db_target)
    clock = Clock()
    rita = Funnel(config, "rita", clock)
    lead = rita.capture_lead({"name": "Anna", "email": "anna@example.com"})
    rita.log_activity(
        lead_id=lead.id, kind="call", outcome="reached", next_action="call", next_due=rita.today()
    )
    ben = Funnel(config, "ben", clock)
    assert load_queue(ben.user_id, ben.today()).counts[DUE_TODAY] == 0
    heard: list = []
    arrived = threading.Event()

    def on_change(changes):
        heard.append(changes)
        arrived.set()

    watch = ChangeWatch("ben", on_change, interval=0.05)
    watch.start()
    try:
        rita.assign("lead", lead.id, "ben")
        assert arrived.wait(5)
        assert any(c.touches("lead", lead.id) for c in heard)
    finally:
        watch.stop()
    queue = load_queue(ben.user_id, ben.today())
    assert ("lead", lead.id) in queue.keys[DUE_TODAY]
