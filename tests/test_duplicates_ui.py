"""The possible-duplicates screen: reached by D on the lead list and from the palette,
its search in a worker with a progress bar, pairs with why in words, enter opening the
first lead, a merged pair leaving the list; and its picture at 80×24."""

from __future__ import annotations

from textual.widgets import OptionList, ProgressBar

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.app import FunnelApp
from funnel_tui.tui.screens.duplicates import DuplicatesScreen

from .clock import Clock
from .ui_support import SIZE, make_app, settle, type_text

TWINS = [
    {"name": "Ana Kowalska", "company": "Kowalski Logistyka", "email": "ana.k@kowalski.pl"},
    {"name": "陳志明", "company": "台北貿易", "phone": "+886 933 111 222", "email": "c@tw.tw"},
    {"name": "陈志明", "company": "台北貿易", "email": "zhiming@tw.tw"},
    # The same name as the seed's Anna, elsewhere, with another phone: not a pair.
    {"name": "Anna Kowalska", "company": "Nowak Transport", "email": "anna@nowak.pl"},
]


def plant_twins() -> list[int]:
    rules = Funnel(load_config(), "rita", Clock())
    return [rules.capture_lead(data).id for data in TWINS]


async def open_duplicates(pilot) -> DuplicatesScreen:
    await settle(pilot)
    await pilot.press("D")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DuplicatesScreen)
    return screen


async def test_d_on_the_list_finds_the_pairs_and_enter_opens_the_first_lead(env):
    from funnel_tui.tui.screens.lead import LeadScreen

    plant_twins()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_duplicates(pilot)
        assert not screen.searching
        bar = screen.query_one(ProgressBar)
        assert bar.total and bar.progress == bar.total
        names = [(p.first.name, p.second.name) for p in screen.pairs]
        assert names == [("陳志明", "陈志明"), ("Anna Kowalska", "Ana Kowalska")]
        assert screen.pairs[1].words() == "close name at the same company (96%)"
        assert screen.query_one(OptionList).option_count == 2
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.lead_id == screen.pairs[0].first.id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("down", "o")  # the other lead of the second pair
        await settle(pilot)
        assert app.screen.lead_id == screen.pairs[1].second.id


async def test_the_palette_offers_possible_duplicates(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "Possible duplicates")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen)
        assert app.screen.pairs == []
        assert "No possible duplicates" in str(app.screen.query_one("#summary").render())


async def test_m_merges_the_pair_and_it_leaves_the_list(env):
    from funnel_tui.tui.screens.merge import MergeScreen

    plant_twins()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_duplicates(pilot)
        chen = screen.pairs[0]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        assert (app.screen.keep_id, app.screen.other_id) == chen.ids
        await pilot.press("escape")  # nothing merged: the pair stays
        await settle(pilot)
        assert app.screen is screen and screen.pairs[0].ids == chen.ids
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert chen.ids not in [p.ids for p in screen.pairs]
        assert len(screen.pairs) == 1
        footer = str(screen.query_one("#footer").render())
        assert f"Merged #{chen.second.id} into #{chen.first.id}" in footer
        await pilot.press("r")  # searched again: the merged lead stays out
        await settle(pilot)
        assert [p.ids for p in screen.pairs] == [screen.pairs[0].ids]
        assert not [p for p in screen.pairs if chen.second.id in p.ids]


def test_possible_duplicates_picture(tmp_path, monkeypatch, snap_compare):
    monkeypatch.chdir(tmp_path)  # a relative path keeps tmp_path out of the picture
    monkeypatch.setenv("TZ", "Etc/UTC")
    open_database("dups.db")
    rules = Funnel(load_config(), "rita", Clock())
    rules.capture_lead(
        {"name": "Anna Kowalska", "company": "Kowalski Logistyka", "phone": "+48 512 345 678"}
    )
    rules.capture_lead({"name": "[bold red]Mallory", "email": "mallory@example.com"})
    rules.capture_lead(
        {"name": "[bold]Mallory", "email": "Mallory@example.com"}, allow_duplicate=True
    )
    plant_twins()
    app = FunnelApp(
        config=load_config(),
        target="dups.db",
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=Clock(),
    )

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        close_database()


async def test_a_duplicate_written_meanwhile_appears_without_losing_the_cursor(env):
    plant_twins()
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_duplicates(pilot)
        await pilot.press("down")
        under = screen._current().ids
        ben = Funnel(load_config(), "ben", Clock())
        twin = ben.capture_lead(
            {"name": "Anna Kowalsky", "company": "Kowalski Logistyka", "email": "ak@k.pl"}
        )
        app.data_changed()  # what a write here or the change watcher does
        await settle(pilot)
        assert any(twin.id in p.ids for p in screen.pairs)
        assert screen._current().ids == under


async def test_c_lists_companies_that_may_be_one_and_m_merges_them(env):
    from funnel_tui.storage.models import Company, Lead
    from funnel_tui.tui.screens.merge import MergeScreen

    rules = Funnel(load_config(), "rita", Clock())
    twin = rules.capture_lead(
        {
            "name": "Jan Nowak",
            "company": "Kowalski Logistyka Sp. z o.o.",
            "country": "PL",
            "email": "jan@kowalski.pl",
        }
    )
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_duplicates(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert screen.companies
        first, second = screen.pairs[0].ids
        summary = str(screen.query_one("#summary").render())
        assert "of companies" in summary
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen) and app.screen.kind == "company"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert Company.get_by_id(second).merged_into_id == first
        assert Lead.get_by_id(twin.id).company_id == first
        assert all(second not in p.ids for p in screen.pairs)
