"""Amounts read back as they are typed in the convert form, and a deal's record edited
after conversion (e): whole records typed without pauses, a colleague's change merged
or asked about, ctrl+z, a draft kept."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import form_key
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import History, Opportunity
from funnel_tui.tui.dialogs.conflict import ConflictDialog
from funnel_tui.tui.dialogs.convert import ConvertDialog
from funnel_tui.tui.dialogs.deal_edit import DealEditDialog
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog
from funnel_tui.tui.screens.opportunity import OpportunityScreen

from .test_checklist_ui import answer_all_bant_yes, kowalska, open_checklist
from .ui_support import SIZE, app_at, make_app, press_burst, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_the_convert_form_reads_the_amount_back_in_the_reps_format(env, monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot)
        await answer_all_bant_yes(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConvertDialog)
        assert "e.g. 1.250,50" in _text(dialog, "#r-amount")  # how to write one, here
        await press_burst(pilot, "1,250")
        assert "'1,250' could be 1250 or 1,25" in _text(dialog, "#r-amount")
        await press_burst(pilot, "ctrl+u", "1.250,50", "tab", "PLN")
        assert "= PLN 1.250,50" in _text(dialog, "#r-amount")
        await press_burst(pilot, "shift+tab", "ctrl+u", "12,5", "tab", "EUR", "tab", "ctrl+s")
        await settle(pilot)
        opp = Opportunity.get(Opportunity.lead == kowalska().id)
        assert (opp.amount_cents, opp.currency) == (1250, "EUR")


@pytest.fixture
def deal_env(tmp_path):
    path = str(tmp_path / "deals.db")
    open_database(path)
    ids = seed_deals(load_config(), NOW)
    yield path, tmp_path, ids
    close_database()


async def _open_deal(pilot, app, opp_id: int) -> OpportunityScreen:
    await settle(pilot)
    app.open_opportunity(opp_id)
    await settle(pilot)
    assert isinstance(app.screen, OpportunityScreen)
    return app.screen


async def test_a_deal_is_edited_from_its_record_and_ctrl_z_takes_it_back(deal_env, monkeypatch):
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    path, folder, ids = deal_env
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_deal(pilot, app, ids[0])
        before = Opportunity.get_by_id(ids[0])
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DealEditDialog)
        assert dialog.query_one("#d-amount").value == "40000"  # EUR 40,000.00, to edit
        # The whole record at once: name, amount, currency, close date, notes, save.
        await press_burst(
            pilot,
            "shift+tab", "Fleet 2027", "tab", "12 500,5", "tab", "PLN", "tab", "+2w",
            "tab", "budget from Q1", "ctrl+s",
        )  # fmt: skip
        await settle(pilot)
        assert app.screen is screen
        opp = Opportunity.get_by_id(ids[0])
        assert (opp.name, opp.amount_cents, opp.currency) == ("Fleet 2027", 1_250_050, "PLN")
        assert opp.expected_close == NOW.date() + dt.timedelta(weeks=2)
        assert opp.notes == "budget from Q1"
        assert "✔ Saved: PLN 12\u00a0500,50" in _text(screen, "#outcome")
        events = _text(screen, "#events")
        assert "Amount: EUR 40,000.00 → PLN 12,500.50" in events
        await pilot.press("ctrl+z")
        await settle(pilot)
        opp = Opportunity.get_by_id(ids[0])
        assert (opp.name, opp.amount_cents, opp.currency) == (
            before.name,
            before.amount_cents,
            before.currency,
        )
        assert (opp.expected_close, opp.notes) == (before.expected_close, before.notes)


async def test_a_refused_edit_comes_back_as_typed_with_the_reason(deal_env):
    path, folder, ids = deal_env
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await _open_deal(pilot, app, ids[0])
        version = Opportunity.get_by_id(ids[0]).version
        await press_burst(pilot, "e", "1.250", "tab", "XYZ", "ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DealEditDialog)  # back, as typed
        assert dialog.query_one("#d-amount").value == "1.250"
        assert dialog.query_one("#d-currency").value == "XYZ"
        assert "XYZ is not an ISO 4217 currency" in _text(dialog, "#e-currency")
        assert Opportunity.get_by_id(ids[0]).version == version


async def test_a_colleagues_change_to_another_field_is_kept_and_the_same_field_asks(deal_env):
    path, folder, ids = deal_env
    app = app_at(path, folder, NOW, start="board")
    bob = Funnel(load_config(), "bob", lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await _open_deal(pilot, app, ids[0])
        await pilot.press("e")
        await settle(pilot)
        # Meanwhile bob writes notes and moves the deal.
        bob.update_deal(ids[0], {"notes": "bob's"})
        bob.move(ids[0], "Proposal")
        await press_burst(pilot, "50000", "ctrl+s")
        await settle(pilot)
        opp = Opportunity.get_by_id(ids[0])
        assert (opp.amount_cents, opp.notes, opp.stage) == (5_000_000, "bob's", "Proposal")
        # Now both change the notes.
        await pilot.press("e")
        await settle(pilot)
        bob.update_deal(ids[0], {"notes": "bob again"})
        await press_burst(pilot, "tab", "tab", "tab", "mine", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("m", "enter")
        await settle(pilot)
        assert Opportunity.get_by_id(ids[0]).notes == "mine"
        who = {h.user.login for h in History.select().where(History.field == "notes")}
        assert who == {"bob", "rita"}


async def test_a_half_typed_deal_edit_is_kept_as_a_draft(deal_env):
    path, folder, ids = deal_env
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await _open_deal(pilot, app, ids[0])
        await press_burst(pilot, "e", "tab", "tab", "tab", "half typed note")
        app.screen.keep_draft()  # as when typing pauses, or the app stops
        draft = app.drafts.load(form_key("edit", "deal", ids[0]))
        assert draft["typed:notes"] == "half typed note"
    # The next start offers it back, opening the deal and its form.
    app = app_at(path, folder, NOW, start="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealEditDialog)
        assert app.screen.query_one("#d-notes").value == "half typed note"
        await press_burst(pilot, "ctrl+s")
        await settle(pilot)
        assert Opportunity.get_by_id(ids[0]).notes == "half typed note"
        assert app.drafts.load(form_key("edit", "deal", ids[0])) is None
