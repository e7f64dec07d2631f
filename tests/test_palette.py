"""ctrl+p finds the screens, the current screen's actions, and any lead or deal by its
name; a name is shown as typed, never read as markup."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.read.pipeline import deals_named
from funnel_tui.storage.database import close_database, open_database

from .ui_support import SIZE, app_at, seed_deals, settle, type_text

NOW = dt.datetime(2026, 11, 20, 14, 30)


@pytest.fixture
def deals_app(tmp_path):
    path = str(tmp_path / "palette.db")
    open_database(path)
    seed_deals(load_config(), NOW)
    app = app_at(path, tmp_path, NOW)
    yield app
    close_database()


async def _choose(pilot, app, typed: str, kind: str) -> None:
    """Type `typed` in the palette and choose its first hit of `kind` (Lead, Deal)."""
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, typed)
    await pilot.pause(0.5)  # the palette's search and the database's answer
    await settle(pilot)
    hits = [option.hit.text or "" for option in app.screen.query_one(CommandList).options]
    index = next(i for i, text in enumerate(hits) if text.startswith(f"{kind} "))
    await pilot.press(*["down"] * index, "enter")  # the first hit is highlighted
    await settle(pilot)


async def test_a_lead_is_found_by_name_and_opened(deals_app):
    async with deals_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _choose(pilot, deals_app, "Kowalska", "Lead")
        assert type(deals_app.screen).__name__ == "LeadScreen"
        assert "Anna Kowalska" in str(deals_app.screen.query_one("#summary").render())


async def test_a_deal_is_found_by_name_and_opened(deals_app):
    async with deals_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _choose(pilot, deals_app, "Grupo Norte", "Deal")
        assert type(deals_app.screen).__name__ == "OpportunityScreen"
        assert "Grupo Norte" in str(deals_app.screen.query_one("#summary").render())


def test_deals_named_matches_words_in_any_case_and_wildcards_literally(deals_app):
    names = [card.name for card in deals_named("grupo")]
    assert names and all("Grupo" in name for name in names)
    assert deals_named("norte GRUPO") == deals_named("grupo norte")
    assert deals_named("%") == [] and deals_named("_") == []
    assert [c.name for c in deals_named("mallory")] == [c.name for c in deals_named("Mallory")]


async def test_names_in_the_palette_show_literally(deals_app):
    from textual.command import CommandList

    async with deals_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "Mallory")
        await pilot.pause(0.5)
        await settle(pilot)
        shown = [
            str(option.hit.prompt) for option in deals_app.screen.query_one(CommandList).options
        ]
        assert any("[bold red]Mallory" in text for text in shown), shown
