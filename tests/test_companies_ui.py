"""The accounts in the terminal UI at 80×24: the Companies list (search as you type,
sorts, customers and prospects, enter opens), the company record (people, deals,
totals per currency, customer facts), reached from the lead list, a lead, a deal and
the palette, and its fields edited with the version check and undone."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Company, Lead, Opportunity

from .ui_support import SIZE, app_at, seed_deals, settle, type_text

NOW = dt.datetime(2026, 11, 20, 14, 30)


@pytest.fixture
def accounts_db(tmp_path):
    """The board's deals (one company each), Kowalski Logistyka's won, a second person
    there, and a company whose name is markup."""
    path = str(tmp_path / "accounts.db")
    open_database(path)
    config = load_config()
    ids = seed_deals(config, NOW)
    rules = Funnel(config, "rita", lambda: NOW)
    rules.win(ids[0])
    rules.capture_lead(
        {"name": "Piotr Nowak", "company": "Kowalski Logistyka", "email": "piotr@kowalski.pl"}
    )
    close_database()
    return path, tmp_path


def _app(accounts_db, start: str = "leads"):
    path, folder = accounts_db
    open_database(path)
    return app_at(path, folder, NOW, start=start)


def _shot(app) -> str:
    """What the terminal shows now, as text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _kowalski() -> int:
    return Company.get(Company.name == "Kowalski Logistyka").id


async def test_the_companies_list_opens_searches_filters_and_opens_a_company(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompaniesScreen"
            shot = _shot(app)
            assert "6 shown" in shot and "Kowalski Logistyka" in shot
            assert "=cmd|" in shot  # a name that looks like a formula, shown as typed
            await pilot.press("t")  # customers
            await settle(pilot)
            assert "1 shown" in _shot(app)
            await pilot.press("t")  # prospects
            await settle(pilot)
            assert "5 shown" in _shot(app)
            await pilot.press("x", "slash")
            await type_text(pilot, "müller")
            await settle(pilot)
            assert "1 shown" in _shot(app)
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyScreen"
            assert "Müller Maschinenbau" in _shot(app)
    finally:
        close_database()


async def test_the_list_sorts_by_open_pipeline_and_reverses(accounts_db):
    app = _app(accounts_db, "companies")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("o")  # the sort dialog
            await settle(pilot)
            await pilot.press("o", "enter")  # a letter jumps: "open pipeline"
            await settle(pilot)
            screen = app.screen
            first = screen.query_one("LeadTable").current
            # No rates configured: EUR (the default currency) compares; 75,000 is the most.
            assert first["name"] == "Müller Maschinenbau"
            assert "sort: open pipeline ▼" in _shot(app)
            await pilot.press("r")
            await settle(pilot)
            assert "sort: open pipeline ▲" in _shot(app)
    finally:
        close_database()


async def test_the_company_record_shows_people_deals_and_customer_facts(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_company(_kowalski())
            await settle(pilot)
            shot = _shot(app)
            assert "★ customer" in shot and "since" in shot
            assert "Anna Kowalska" in shot and "Piotr Nowak" in shot
            assert "People (2)" in shot and "Deals (1)" in shot
            assert "EUR 40,000.00" in shot
            # Deals, then people: enter opens the one under the cursor, esc comes back.
            await pilot.press("down", "enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "OpportunityScreen"
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "LeadScreen"
            assert app.screen.lead_id == Lead.get(Lead.name == "Anna Kowalska").id
            await pilot.press("escape")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyScreen"
    finally:
        close_database()


async def test_the_company_is_reached_from_the_list_a_lead_and_a_deal(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("c")  # the newest lead's company: Piotr at Kowalski
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyScreen"
            assert app.screen.company_id == _kowalski()
            await pilot.press("escape")
            lead = Lead.get(Lead.name == "Jürgen Müller")
            app.open_lead(lead.id)
            await settle(pilot)
            await pilot.press("ctrl+y")
            await settle(pilot)
            assert app.screen.company_id == lead.company_id
            deal = Opportunity.get(Opportunity.lead == Lead.get(Lead.name == "José Ramírez"))
            app.open_opportunity(deal.id)
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            assert app.screen.company_id == deal.company_id
            assert "Grupo Norte" in _shot(app)
    finally:
        close_database()


async def test_the_palette_finds_a_company_by_name(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await type_text(pilot, "Dubois")
            await pilot.pause(0.3)
            await settle(pilot)
            assert "Company  Dubois & Fils" in _shot(app)
    finally:
        close_database()


async def test_editing_a_company_saves_refuses_with_reasons_and_undoes(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            company_id = _kowalski()
            app.open_company(company_id)
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyEditDialog"
            await type_text(pilot, "Logistics")  # industry has the cursor
            await pilot.press("tab")
            await type_text(pilot, "lots")  # employees: not a number
            await pilot.press("ctrl+s")
            await settle(pilot)
            # Refused: the form is back, what was typed kept, the field named.
            assert type(app.screen).__name__ == "CompanyEditDialog"
            shot = _shot(app)
            assert "not a number of people" in shot and "Logistics" in shot
            employees = app.screen.query_one("#c-employees")
            employees.value = "250"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyScreen"
            stored = Company.get_by_id(company_id)
            assert (stored.industry, stored.employees, stored.version) == ("Logistics", 250, 2)
            assert "Saved" in _shot(app)
            await pilot.press("ctrl+z")
            await settle(pilot)
            stored = Company.get_by_id(company_id)
            assert (stored.industry, stored.employees) == ("", None)
    finally:
        close_database()


async def test_an_edit_on_a_stale_copy_asks_field_by_field(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            company_id = _kowalski()
            app.open_company(company_id)
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            # Someone else sets the industry meanwhile.
            Funnel(load_config(), "sam", lambda: NOW).update_company(
                company_id, {"industry": "Shipping"}
            )
            await type_text(pilot, "Logistics")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert type(app.screen).__name__ == "ConflictDialog"
            assert "Shipping" in _shot(app) and "sam" in _shot(app)
    finally:
        close_database()


async def test_a_company_name_is_shown_as_typed_never_as_markup(accounts_db):
    path, _ = accounts_db
    open_database(path)
    Funnel(load_config(), "rita", lambda: NOW).capture_lead(
        {"name": "Eve", "company": "[bold red]Evil[/] Corp", "email": "eve@evil.example"}
    )
    close_database()
    app = _app(accounts_db, "companies")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            await type_text(pilot, "evil")
            await pilot.press("enter")
            await settle(pilot)
            assert "[bold red]Evil[/] Corp" in _shot(app)
            await pilot.press("enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "CompanyScreen"
            assert "[bold red]Evil[/] Corp" in _shot(app)
    finally:
        close_database()


async def test_one_record_screen_serves_company_after_company(accounts_db):
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_company(_kowalski())
            await settle(pilot)
            first = app.screen
            await pilot.press("escape")
            await settle(pilot)
            app.open_company(Company.get(Company.name == "Grupo Norte").id)
            await settle(pilot)
            assert app.screen is first  # the same screen, showing the other company
            shot = _shot(app)
            assert "Grupo Norte" in shot and "José Ramírez" in shot
            assert "Kowalski" not in shot and "Piotr Nowak" not in shot
    finally:
        close_database()


async def test_who_else_has_the_company_open_is_shown_and_told(accounts_db):
    from funnel_tui.live.presence import Seen

    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            company_id = _kowalski()
            app.open_company(company_id)
            await settle(pilot)
            assert app.screen.showing() == ("company", company_id, False)
            app.others = (Seen("sam", "company", company_id, False),)
            await pilot.pause()
            assert "also here: sam (viewing)" in _shot(app)
    finally:
        close_database()


async def test_the_list_pages_to_the_last_company(tmp_path):
    path = str(tmp_path / "many.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", lambda: NOW)
    for n in range(250):
        rules.capture_lead(
            {"name": f"Person {n}", "company": f"Firm {n:03d}", "email": f"p{n}@firm.example"}
        )
    close_database()
    app = _app((path, tmp_path), "companies")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "250 shown" in _shot(app)
            await pilot.press("G")  # the last row: its page is read when drawn
            await settle(pilot)
            table = app.screen.query_one("LeadTable")
            assert table.current["name"] == "Firm 249"
            assert "Firm 249" in _shot(app)
    finally:
        close_database()


async def test_the_company_timeline_gives_a_next_actions_time(accounts_db):
    path, _folder = accounts_db
    open_database(path)
    piotr = Lead.get(Lead.name == "Piotr Nowak").id
    at = dt.datetime(2026, 11, 23, 13, 30)  # 1:30 PM in UTC, where the UI tests run
    Funnel(load_config(), "rita", lambda: NOW).log_activity(
        lead_id=piotr, kind="call", next_action="Call Piotr", next_due=at.date(), next_at=at
    )
    close_database()
    app = _app(accounts_db)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_company(_kowalski())
            await settle(pilot)
            from funnel_tui.read.companies import company_record

            timeline = str(app.screen._timeline(company_record(_kowalski())))
            assert "⇒ Call Piotr by Mon 23 Nov 1:30 PM" in timeline
    finally:
        close_database()
