"""The merge choice driven with Pilot at 80×24: reached from the capture form's
duplicate warning, fields picked with the keys, merged, swapped, refused, and a
merge on a record someone changed meanwhile shown again instead of merged over."""

from __future__ import annotations

from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.dialogs.dialogs import DuplicateDialog
from funnel_tui.tui.screens.merge import MergeScreen

from .clock import Clock
from .test_ui import fill_and_save, open_capture
from .ui_support import SIZE, make_app, settle


def _field_rows(screen: MergeScreen) -> list[str]:
    options = screen.query_one("#m-fields")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_capture_warning_saves_then_merges_into_the_stored_lead(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        # Typed ahead without pauses: the card, the warning's key, then the picks.
        await fill_and_save(pilot, "Anna K", "", "+48 600 100 200", "anna@kowalski.pl")
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen)
        new_id = Lead.select().order_by(Lead.id.desc()).first().id
        assert (screen.keep_id, screen.other_id) == (1, new_id)
        rows = _field_rows(screen)
        assert rows[0].startswith("Name") and "Anna Kowalska" in rows[0] and "Anna K" in rows[0]
        assert any(r.startswith("Phone") and "+48 600 100 200" in r for r in rows)
        # Every name stays the survivor's but the phone, taken from the card.
        phone = next(i for i, r in enumerate(rows) if r.startswith("Phone"))
        await pilot.press(*["down"] * phone, "right", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, MergeScreen)
        survivor, merged = Lead.get_by_id(1), Lead.get_by_id(new_id)
        assert survivor.name == "Anna Kowalska" and survivor.phone_e164 == "+48600100200"
        assert merged.merged_into_id == 1
        heads = History.field.in_(("merged", "merged_into"))
        assert History.select().where((History.action == "merge") & heads).count() == 2


async def test_swap_esc_and_a_refusal_leave_everything_as_it_was(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(MergeScreen(1, 2))
        await settle(pilot)
        screen = app.screen
        assert "#1 stays" in str(screen.query_one("#m-head").render())
        await pilot.press("w")
        await settle(pilot)
        assert (screen.keep_id, screen.other_id) == (2, 1)
        assert "#2 stays" in str(screen.query_one("#m-head").render())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, MergeScreen)
        app.push_screen(MergeScreen(1, 1))
        await settle(pilot)
        said = str(app.screen.query_one("#m-said").render())
        assert "cannot be merged into itself" in said
        await pilot.press("ctrl+s", "escape")
        await settle(pilot)
    assert Lead.select().where(Lead.merged_into.is_null(False)).count() == 0


async def test_a_record_changed_meanwhile_is_shown_again_not_merged_over(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(MergeScreen(1, 3))
        await settle(pilot)
        # Someone else edits the other lead while the choice is open.
        Funnel(app.config, "ben", Clock()).update_lead(3, {"title": "CTO"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen)
        assert "Changed by someone else" in str(screen.query_one("#m-said").render())
        assert any(r.startswith("Title") and "CTO" in r for r in _field_rows(screen))
        assert Lead.get_by_id(3).merged_into_id is None
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert Lead.get_by_id(3).merged_into_id == 1


async def test_user_text_in_the_choice_is_data_not_markup(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(MergeScreen(1, 3))
        await settle(pilot)
        rows = _field_rows(app.screen)
        assert any("[bold red]Mallory" in r for r in rows)


async def test_a_merged_lead_opened_says_where_it_went(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.rules.merge_leads(1, 3)
        app.open_lead(3)
        await settle(pilot)
        summary = str(app.screen.query_one("#summary").render())
        assert "merged into #1: kept as it was; changes go there" in summary
