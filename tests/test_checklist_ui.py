"""The checklist screen driven by keys at 80×24: answers and evidence, the explained
score, the gate's numbered reasons and their jumps, promotion, conversion and the
status actions."""

from __future__ import annotations

import datetime as dt

from funnel_tui.storage.models import History, Lead, Opportunity, Qualification
from funnel_tui.tui.dialogs.convert import ConvertDialog
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from funnel_tui.tui.screens.checklist import ChecklistScreen, ChecklistView
from funnel_tui.tui.screens.lead import LeadScreen

from .ui_support import SIZE, make_app, settle, type_text


async def open_checklist(pilot, name: str = "Kowalska") -> ChecklistScreen:
    await settle(pilot)
    await pilot.press("slash")
    await type_text(pilot, name)
    await settle(pilot)
    await pilot.press("enter", "q")  # to the list, then the checklist of its lead
    await settle(pilot)
    assert isinstance(pilot.app.screen, ChecklistScreen)
    return pilot.app.screen


def kowalska() -> Lead:
    return Lead.get(Lead.name == "Anna Kowalska")


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def answer_all_bant_yes(pilot) -> None:
    for index in range(4):
        await pilot.press("y")
        await settle(pilot)
        if index < 3:
            await pilot.press("j")


async def test_answers_by_single_keys_and_the_score_explains_itself(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(pilot)
        view = screen.query_one(ChecklistView)
        assert view.current == "budget"
        await pilot.press("y")
        await settle(pilot)
        budget = Qualification.get(item="budget")
        assert (budget.answer, budget.answered_by.login) == ("yes", "rita")
        assert "20/20" in str(view.render())
        # Budget 20 and the lead's region PL (5, from its data) of 100 points.
        assert "Score 25/100" in shown(screen, "#totals")
        assert kowalska().score == 25
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "[bold]CFO[/bold] confirmed 40k")
        await pilot.press("enter")
        await settle(pilot)
        assert Qualification.get(item="budget").evidence == "[bold]CFO[/bold] confirmed 40k"
        assert "[bold]CFO[/bold]" in str(view.render())  # shown literally
        await pilot.press("n")  # revised: the history keeps both answers
        await settle(pilot)
        changes = History.select().where(History.field == "budget.answer").order_by(History.id)
        assert [(h.old, h.new) for h in changes] == [(None, "yes"), ("yes", "no")]
        assert "Score 5/100" in shown(screen, "#totals")


async def test_the_gate_lists_every_reason_and_numbers_jump_to_the_fix(env):
    # The number was valid when captured; now it is not (as when metadata changes).
    Lead.update(phone_e164="+4812345").where(Lead.name == "Anna Kowalska").execute()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert kowalska().level == "lead"
        assert "Not yet" in shown(screen, "#outcome")
        gate = shown(screen, "#gate")
        reasons = [str(p) for p in screen.state.gate]
        assert any(r.startswith("phone") for r in reasons)
        for text in ("Need: unknown", "Timeline: unknown", "score"):
            assert text in gate
        fields = [p.field for p in screen.state.gate]
        await pilot.press(str(fields.index("timeline") + 1))
        assert screen.query_one(ChecklistView).current == "timeline"
        await pilot.press(str(fields.index("phone") + 1))
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.focused is app.screen.query_one("#f-phone")


async def test_promote_then_convert_with_a_refusal_kept_as_typed(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(pilot)
        await answer_all_bant_yes(pilot)
        assert "ready to promote" in shown(screen, "#gate")
        await pilot.press("p")
        await settle(pilot)
        assert kowalska().level == "prospect"
        assert "Promoted" in shown(screen, "#outcome")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConvertDialog)
        await type_text(pilot, "lots")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConvertDialog)  # back, as typed, with the reason
        assert dialog.query_one("#c-amount").value == "lots"
        assert "not an amount" in str(dialog.query_one("#e-amount").render())
        await pilot.press("ctrl+u")
        await type_text(pilot, "40000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        opp = Opportunity.get(Opportunity.lead == kowalska().id)
        assert (opp.amount_cents, opp.currency) == (4_000_000, load_currency())
        assert opp.stage == "Qualification"
        assert opp.expected_close == app.rules.today() + dt.timedelta(days=30)
        assert kowalska().level == "opportunity"
        assert f"#{opp.id}" in shown(screen, "#summary")  # the lead links to its deal


async def test_a_past_close_date_asks_before_it_is_used(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot)
        await answer_all_bant_yes(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "1200")
        await pilot.press("tab", "tab", "ctrl+u")
        await type_text(pilot, "2020-01-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert Opportunity.select().count() == 0
        await pilot.press("y")
        await settle(pilot)
        assert Opportunity.get().expected_close == dt.date(2020, 1, 31)


async def test_status_actions_are_on_the_checklist_too(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert kowalska().status == "working"
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert kowalska().status == "unqualified"
        assert "reopen" in str(app.screen.query_one("#gate").render())


def load_currency() -> str:
    from funnel_tui.config import load_config

    return load_config().default_currency


async def test_another_leads_checklist_starts_at_its_first_item(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(pilot)
        view = screen.query_one(ChecklistView)
        await pilot.press("j", "j")
        assert view.current == "need"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u")  # search anew: another lead
        await type_text(pilot, "王小明")
        await settle(pilot)
        await pilot.press("enter", "q")
        await settle(pilot)
        assert app.screen is screen and screen.state.lead.name == "王小明"
        assert view.current == "budget"
        await pilot.press("y")  # the score line keeps its height: no layout, still shown
        await settle(pilot)
        assert "Score 25/100" in shown(screen, "#totals")
