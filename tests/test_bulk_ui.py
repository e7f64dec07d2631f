"""The lead list's marks and bulk actions at 80×24, keys pressed without pauses: mark
three, set their status, undo it as one step; mark all that match a search (more than
the page loaded); act on nothing."""

from __future__ import annotations

import datetime as dt

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.screens.lead_bulk import NOTHING_CHOSEN
from funnel_tui.tui.screens.lead_marks import MARK
from funnel_tui.tui.screens.leads import LeadListScreen

from .clock import Clock
from .ui_support import SIZE, make_app, settle, type_text


def _statuses() -> dict[str, str]:
    return {lead.name: lead.status for lead in Lead.select()}


def _line(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_mark_three_set_their_status_and_undo_it_as_one_step(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        before = _statuses()
        # Three marked (space moves down), a menu, a status, the count confirmed.
        await pilot.press("space", "space", "space", "b", "s", "down", "enter", "y")
        await settle(pilot)
        assert set(_statuses().values()) == {"working"}
        assert "Status set to working on 3 leads" in _line(app, "#filters")
        assert "3 marked" in _line(app, "#total")
        assert MARK in _line(app, "#columns")
        rows = History.select().where(History.action == "bulk_status")
        assert rows.count() == 3 and len({r.at for r in rows}) == 1

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert _statuses() == before
        assert "Undone: your status change on 3 records" in _line(app, "#filters")

        # esc clears the marks (and the mark column goes with them).
        await pilot.press("escape")
        await settle(pilot)
        assert "marked" not in _line(app, "#total")
        assert MARK not in _line(app, "#columns")


async def test_mark_all_that_match_a_search_marks_every_page_of_it(env):
    rules = Funnel(load_config(), "rita", Clock())
    for n in range(130):  # more than the list's page of 100
        rules.capture_lead({"name": f"Fair Visitor {n}", "email": f"visitor{n}@fair.example"})
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "fair.example")
        await pilot.press("enter", "asterisk")
        await settle(pilot)
        assert "130 marked" in _line(app, "#total")
        await pilot.press("b", "s", "down", "enter", "y")
        await settle(pilot)
        statuses = _statuses()
        assert sum(s == "working" for s in statuses.values()) == 130
        assert statuses["Anna Kowalska"] == "new"
        assert "Status set to working on 130 leads" in _line(app, "#filters")
        # ctrl+u clears them.
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert "marked" not in _line(app, "#total")


async def test_acting_on_no_leads_says_so_and_writes_nothing(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = History.select().count()
        await pilot.press("slash")
        await type_text(pilot, "nobody-by-this-name")
        await pilot.press("enter", "asterisk")
        await settle(pilot)
        assert "No lead matches: nothing marked" in _line(app, "#filters")
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)  # no menu over nothing
        assert NOTHING_CHOSEN.rstrip(".") in _line(app, "#filters")
        assert History.select().count() == before


async def test_export_the_marked_leads_to_a_file(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Two marked; the path offered (leads.csv, here) kept; the count confirmed.
        await pilot.press("space", "down", "space", "b", "e", "enter", "y")
        await settle(pilot)
        assert "Exported 2 leads to leads.csv" in _line(app, "#filters")
    lines = (tmp_path / "leads.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3, lines  # the header and the two marked leads


async def test_log_the_same_activity_on_the_marked_leads(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The log form as for one lead: a call (the first type), reached, then saved.
        await pilot.press("space", "space", "b", "l", "tab", "tab", "r", "ctrl+s", "y")
        await settle(pilot)
        assert "Logged call reached on 2 leads" in _line(app, "#filters")
        working = [lead for lead in Lead.select() if lead.status == "working"]
        assert len(working) == 2 and all(lead.last_activity_at for lead in working)


async def test_the_mark_and_act_keys_can_be_rebound(env, tmp_path, monkeypatch):
    config = tmp_path / "funnel.toml"
    config.write_text('[keys]\nleads.mark = "f7"\nleads.bulk = "f8"\n', encoding="utf-8")
    monkeypatch.setenv("FUNNEL_CONFIG", str(config))
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f7", "f8")
        await settle(pilot)
        assert type(app.screen).__name__ == "BulkMenu"
        await pilot.press("escape")
        await settle(pilot)
        assert "1 marked" in _line(app, "#total")


async def test_nurturing_the_marked_leads_asks_the_date_and_unqualifying_the_reason(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Nurturing (the third status) until two weeks from today.
        await pilot.press("space", "space", "b", "s", "down", "down", "enter")
        await pilot.press("plus", "2", "w", "enter", "y")
        await settle(pilot)
        nurtured = [lead for lead in Lead.select() if lead.status == "nurturing"]
        assert len(nurtured) == 2 and {lead.nurture_until for lead in nurtured} == {
            app.rules.today() + dt.timedelta(days=14)
        }
        assert "Status set to nurturing until" in _line(app, "#filters")
        # Unqualified (the fourth) with the first of the configured reasons.
        await pilot.press("b", "s", "down", "down", "down", "enter", "enter", "y")
        await settle(pilot)
        reason = app.config.unqualified_reasons[0]
        unqualified = [lead for lead in Lead.select() if lead.status == "unqualified"]
        assert len(unqualified) == 2
        assert {lead.unqualified_reason for lead in unqualified} == {reason}


async def test_merge_the_two_marked_leads(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "b", "m")  # one marked: merge needs two
        await settle(pilot)
        assert type(app.screen).__name__ == "BulkMenu"
        await pilot.press("escape", "space", "b", "m")
        await settle(pilot)
        assert type(app.screen).__name__ == "MergeScreen"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        merged = [lead for lead in Lead.select() if lead.merged_into_id]
        assert len(merged) == 1
        assert "1 marked" in _line(app, "#total")  # the survivor stays marked
        assert f"#{merged[0].id}" in _line(app, "#filters")


async def test_assign_the_marked_leads_and_undo_it(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The hand-over's picker: a name nobody has is made only once confirmed (y),
        # then the count is confirmed (y).
        await pilot.press("space", "space", "b", "a", *"ben", "enter", "y", "y")
        await settle(pilot)
        owners = sorted(lead.owner.login for lead in Lead.select())
        assert owners == ["ben", "ben", "rita"]
        assert "Handed 2 leads" in _line(app, "#filters")
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert {lead.owner.login for lead in Lead.select()} == {"rita"}
