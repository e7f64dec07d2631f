"""Erasure from a lead's record with the keyboard: shift+delete, the question naming what goes,
the name typed to confirm (a wrong one keeps the dialog and what was typed), then the
record shown anonymous, the rep's draft of it dropped, and the message saying so."""

from __future__ import annotations

from funnel_tui.rules.erasure import anonymous_name
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.dialogs.erase_dialog import EraseDialog
from funnel_tui.tui.screens.lead import LeadScreen

from .ui_support import SIZE, make_app, settle, type_text


async def test_a_lead_is_erased_from_its_record_once_its_name_is_typed(env):
    _path, drafts = env
    lead = Lead.get(Lead.name == "[bold red]Mallory")
    drafts.save(f"log-lead-{lead.id}", {"note": "called Mallory", "_label": "log"})
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead.id)
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        await pilot.press("shift+delete")
        await settle(pilot)
        assert isinstance(app.screen, EraseDialog)
        await type_text(pilot, "Mallory")
        await pilot.press("enter")
        await settle(pilot)
        # Not the name: the dialog stays, saying so, with what was typed.
        assert isinstance(app.screen, EraseDialog)
        said = str(app.screen.query_one("#erase-error").render())
        assert "[bold red]Mallory" in said
        assert app.screen.query_one("#typed").value == "Mallory"
        await pilot.press("home")
        await type_text(pilot, "[bold red]")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert Lead.get_by_id(lead.id).name == anonymous_name(lead.id)
        outcome = str(app.screen.query_one("#outcome").render())
        assert f"Erased lead #{lead.id}" in outcome
        assert app.screen.query_one("#f-name").value == anonymous_name(lead.id)
    assert drafts.load(f"log-lead-{lead.id}") is None
    erase = History.get((History.entity_id == lead.id) & (History.action == "erase"))
    assert erase.user.login == "rita"


async def test_esc_erases_nothing(env):
    lead = Lead.get(Lead.name == "[bold red]Mallory")
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(lead.id)
        await settle(pilot)
        await pilot.press("shift+delete")
        await type_text(pilot, "[bold red]Mallory")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
    assert Lead.get_by_id(lead.id).name == "[bold red]Mallory"
