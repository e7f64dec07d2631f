"""The TUI driven by keys at 80×24: capture, the lead list, the lead record, help,
the palette, drafts and the small-terminal guard."""

from __future__ import annotations

import pytest

from funnel_tui.config import load_config
from funnel_tui.read.queries import SORT_KEYS
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import History, Lead
from funnel_tui.tui.dialogs.dialogs import ChoiceDialog, ConfirmDialog, DuplicateDialog
from funnel_tui.tui.dialogs.help import HelpScreen
from funnel_tui.tui.dialogs.too_small import TooSmallScreen
from funnel_tui.tui.screens.capture import CaptureScreen
from funnel_tui.tui.screens.lead import LeadScreen
from funnel_tui.tui.screens.leads import LeadListScreen
from funnel_tui.tui.widgets.bars import KeyBar, TitleBar
from funnel_tui.tui.widgets.lead_table import LeadTable
from funnel_tui.tui.widgets.status import STATUS_GLYPHS

from .clock import Clock
from .ui_support import SEED, SIZE, make_app, press_burst, settle, type_text


async def open_capture(pilot) -> None:
    """From the start screen to the capture form, the way a rep gets there: ctrl+n."""
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)


def rows_of(app) -> list[dict]:
    table = app.screen.query_one(LeadTable)
    return [table.row(i) for i in range(table.total) if table.row(i) is not None]


# ------------------------------------------------------------------- shell


async def test_opens_on_the_lead_list_with_counts_from_the_database(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LeadListScreen)
        assert {r["name"] for r in rows_of(app)} == {d["name"] for d in SEED}
        counts = str(app.screen.query_one("#counts").render())
        assert "new 3" in counts and "working 0" in counts
        assert str(app.screen.query_one("#total").render()) == "3 shown"
        assert "rita" in app.sub_title


async def test_help_lists_the_keys_of_the_current_screen(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").render())
        assert "Save" in text and "^s" in text and "Clear form" in text
        assert "Scroll Up" not in text
        await pilot.press("escape")
        assert isinstance(app.screen, CaptureScreen)


async def test_palette_offers_every_screen_and_the_screens_actions(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Leads", "Capture a lead", "Funnel overview"} <= set(titles)
        assert {"Search", "Status filter", "Sort…"} <= set(titles)


async def test_the_bars_show_place_user_and_keys_within_80_columns(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for opener in (None, "ctrl+n"):
            if opener:
                await pilot.press(opener)
                await settle(pilot)
            title = app.screen.query_one(TitleBar).render()
            keys = app.screen.query_one(KeyBar).render()
            assert title.cell_len <= 80 and keys.cell_len <= 80
            assert app.screen.title in title.plain and "rita" in title.plain
            # Help and the palette stay in view whatever else has to give way.
            assert keys.plain.rstrip().endswith("F1 Help  ^p palette")
        assert "Save" in keys.plain  # the capture screen's own key comes first


async def test_states_read_without_colour(env, monkeypatch):
    """NO_COLOR (and a 16-colour terminal, where colours may look alike): each status
    has its own symbol in the list and its word in the counts line."""
    monkeypatch.setenv("NO_COLOR", "1")
    rules = Funnel(load_config(), "rita")
    kowalska = Lead.get(Lead.name == "Anna Kowalska")
    rules.set_status(kowalska.id, "working")
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        glyphs = {glyph for glyph, _ in STATUS_GLYPHS.values()}
        assert len(glyphs) == len(STATUS_GLYPHS)
        table = app.screen.query_one(LeadTable)
        shown = {table.render_line(y).text[0] for y in range(table.total)}
        assert shown == {STATUS_GLYPHS["new"][0], STATUS_GLYPHS["working"][0]}
        counts = str(app.screen.query_one("#counts").render())
        for status, (glyph, _) in STATUS_GLYPHS.items():
            assert f"{glyph} {status}" in counts
        # Every screen draws without colour (a segment without a style once broke it).
        for key, screen in (("ctrl+n", CaptureScreen), ("f1", HelpScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen)
        await pilot.press("escape", "f4")
        await settle(pilot)
        assert app.current_mode == "funnel"
        await pilot.press("f3", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)


async def test_the_list_scrollbar_follows_the_cursor(env):
    rules = Funnel(load_config(), "rita")
    for n in range(60):
        rules.capture_lead({"name": f"Scroll Lead {n}", "email": f"scroll{n}@example.com"})
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        height = table.size.height

        def bar() -> str:
            return "".join(table.render_line(y).text[-1] for y in range(height))

        assert bar().startswith("█") and bar().endswith(" ")
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == table.total - 1
        assert bar().startswith(" ") and bar().endswith("█")
        # The last row is on screen, above the bar's last cell.
        assert table.current["name"] in table.render_line(height - 1).text


async def test_a_small_terminal_gets_a_message_not_a_broken_layout(env):
    app = make_app(env)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert "at least 80×24" in str(app.screen.query_one("Static").render())


# ----------------------------------------------------------------- capture


async def fill_and_save(pilot, name, company="", phone="", email=""):
    await type_text(pilot, name)
    await pilot.press("tab")
    await type_text(pilot, company)
    await pilot.press("tab")
    await type_text(pilot, phone)
    await pilot.press("tab")
    await type_text(pilot, email)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_capture_twenty_leads_in_a_row(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        screen = app.screen
        screen.query_one("#f-source").value = "Trade show"
        for i in range(20):
            # Each card typed as a rep types between calls: the whole record at once.
            card = (f"Card {i}", "tab", f"Expo Co {i}", "tab", f"+49 30 9018{i:02d}", "tab")
            await press_burst(pilot, *card, f"card{i}@expo.de", "ctrl+s")
            await settle(pilot)
            assert "Saved" in str(screen.query_one("#outcome").render())
            assert screen.query_one("#f-name").value == ""
            assert screen.focused is screen.query_one("#f-name")
    leads = Lead.select().where(Lead.name.startswith("Card "))
    assert leads.count() == 20
    assert {lead.source for lead in leads} == {"Trade show"}
    assert env[1].last_source() == "Trade show"


async def test_a_whole_card_costs_its_characters_and_three_other_keys(env):
    """Name, company, number and email: the number and the email share one field."""
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        typed = ["Jan Nowak", "tab", "Nowak Transport", "tab"]
        typed += ["+48 601 234 567 jan@nowak-transport.pl", "ctrl+s"]
        other_keys = 0
        for part in typed:
            if part in ("tab", "ctrl+s"):
                other_keys += 1
                await pilot.press(part)
            else:
                await type_text(pilot, part)
        await settle(pilot)
        assert other_keys == 3
        assert "Saved" in str(app.screen.query_one("#outcome").render())
    lead = Lead.get(Lead.name == "Jan Nowak")
    assert (lead.phone_e164, lead.email_norm) == ("+48601234567", "jan@nowak-transport.pl")
    assert lead.company.name == "Nowak Transport"


async def test_an_email_typed_into_phone_moves_to_email_on_leaving(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        await pilot.press("tab", "tab")
        await type_text(pilot, "ola@example.com")
        await pilot.press("tab")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#f-phone").value == ""
        assert screen.query_one("#f-email").value == "ola@example.com"
        assert "example.com" in str(screen.query_one("#hint-email").render())


async def test_saving_with_errors_keeps_every_character_and_focuses_the_first_bad_field(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        await fill_and_save(pilot, "Bad Data", "Acme", "+48 12 34", "nope@")
        screen = app.screen
        assert screen.query_one("#f-phone").value == "+48 12 34"
        assert screen.query_one("#f-email").value == "nope@"
        assert screen.query_one("#f-name").value == "Bad Data"
        assert screen.focused is screen.query_one("#f-phone")
        assert "too short for Poland" in str(screen.query_one("#hint-phone").render())
        assert Lead.select().where(Lead.name == "Bad Data").count() == 0
        # Fix the phone, clear the email: now it saves.
        await pilot.press("ctrl+u")
        await type_text(pilot, "+48 601 234 567")
        screen.query_one("#f-email").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Lead.select().where(Lead.name == "Bad Data").count() == 1


async def test_leaving_the_phone_field_shows_its_international_form(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        screen = app.screen
        screen.query_one("#f-country").value = "DE"
        screen.query_one("#f-phone").focus()
        await type_text(pilot, "030 901820")
        await pilot.press("tab")
        await settle(pilot)
        assert "+49 30 901820 (Germany, fixed line)" in str(
            screen.query_one("#hint-phone").render()
        )


@pytest.mark.parametrize("choice", ["save", "open"])
async def test_duplicate_warning_offers_open_or_save_anyway(env, choice):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        await fill_and_save(pilot, "A. Kowalska", "", "", "anna@kowalski.pl")
        assert isinstance(app.screen, DuplicateDialog)
        await pilot.press("s" if choice == "save" else "o")
        await settle(pilot)
        if choice == "save":
            assert Lead.select().where(Lead.name == "A. Kowalska").count() == 1
            assert History.select().where(History.action == "duplicate_saved").count() == 1
        else:
            assert isinstance(app.screen, LeadScreen)
            assert app.screen.query_one("#f-name").value == "Anna Kowalska"
            assert Lead.select().where(Lead.name == "A. Kowalska").count() == 0


async def test_a_half_typed_lead_is_offered_back_on_the_next_start(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        await type_text(pilot, "Half Typed")
        await pilot.press("tab")
        await type_text(pilot, "Unsaved GmbH")
        await pilot.pause(0.6)  # the draft is written when typing pauses
    # The terminal is gone; a new start offers the draft back.
    again = make_app(env)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(again.screen, CaptureScreen)
        assert again.screen.query_one("#f-name").value == "Half Typed"
        assert again.screen.query_one("#f-company").value == "Unsaved GmbH"


async def test_pasted_multiline_text_is_kept_on_one_line(env):
    from textual import events

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        name = app.screen.query_one("#f-name")
        name.post_message(events.Paste("Zoë\tWang\n[link=http://x]王\x1b[2J"))
        await settle(pilot)
        assert name.value == "Zoë Wang [link=http://x]王[2J"


# -------------------------------------------------------------- lead list


async def test_search_narrows_the_list_as_you_type(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "kowal")
        await settle(pilot)
        assert [r["name"] for r in rows_of(app)] == ["Anna Kowalska"]
        await pilot.press("ctrl+u")
        await type_text(pilot, "0912 345 678")
        await settle(pilot)
        assert [r["name"] for r in rows_of(app)] == ["王小明"]


async def test_status_filter_and_mine(env):
    Funnel(load_config(), "olaf").capture_lead({"name": "Olaf's", "email": "o@example.com"})
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rows_of(app)) == 4
        await pilot.press("m")
        await settle(pilot)
        assert "Olaf's" not in {r["name"] for r in rows_of(app)}
        await pilot.press("t")  # status: new
        await settle(pilot)
        assert len(rows_of(app)) == 3
        await pilot.press("t")  # status: working
        await settle(pilot)
        assert rows_of(app) == []


async def test_o_offers_every_sort_column_and_engagement_leads(env):
    """Every sort key is offered by o; sorted by engagement, the lead talked to
    twice comes first, then the one talked to once, then those never reached (·)."""
    rules = Funnel(load_config(), "rita", Clock())  # the calls at the app's now
    ids = {lead.name: lead.id for lead in Lead.select()}
    for name, calls in (("王小明", 2), ("Anna Kowalska", 1)):
        for _ in range(calls):
            rules.log_activity(lead_id=ids[name], kind="call", outcome="reached")
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        offered = app.screen.query_one("#sorts")
        seen = [offered.get_option_at_index(i).id for i in range(offered.option_count)]
        assert sorted(seen) == sorted(SORT_KEYS)
        await pilot.press("e", "enter")  # the first sort starting with e: engagement
        await settle(pilot)
        names = [row["name"] for row in rows_of(app)]
        levels = [row["engagement"] for row in rows_of(app)]
        filters = str(app.screen.query_one("#filters").render())
        assert names == ["王小明", "Anna Kowalska", "[bold red]Mallory"]
        assert levels[0] == 75 and levels[1] == 50 and levels[2] is None
        assert "sort: engagement ▼" in filters
        table = app.screen.query_one(LeadTable)
        assert "En" in table.header_text().plain


async def test_markup_in_names_shows_literally_in_the_list(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        lines = [table.render_line(y).text for y in range(table.total)]
        assert any("[bold red]Mallory" in line for line in lines)
        assert any("王小明" in line for line in lines)


async def test_j_k_move_and_enter_opens_the_record(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(LeadTable)
        await pilot.press("j", "j", "k")
        assert table.cursor == 1
        expected = table.current["name"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadScreen)
        assert app.screen.query_one("#f-name").value == expected


# ------------------------------------------------------------- lead record


async def open_kowalska(pilot):
    await settle(pilot)
    await pilot.press("slash")
    await type_text(pilot, "Kowalska")
    await settle(pilot)
    await pilot.press("enter", "enter")
    await settle(pilot)


async def test_edit_a_field_in_place_with_history(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_kowalska(pilot)
        screen = app.screen
        assert isinstance(screen, LeadScreen)
        screen.query_one("#f-title").focus()
        await type_text(pilot, "CFO")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in str(screen.query_one("#outcome").render())
        assert Lead.get(Lead.name == "Anna Kowalska").title == "CFO"
        assert "Title: empty → CFO" in str(screen.query_one("#events").render())


async def test_a_bad_edit_is_refused_and_kept(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_kowalska(pilot)
        screen = app.screen
        screen.query_one("#f-email").value = "broken@"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one("#f-email").value == "broken@"
        assert "email" in str(screen.query_one("#outcome").render())
        assert Lead.get(Lead.name == "Anna Kowalska").email_raw == "anna@kowalski.pl"


async def test_unqualify_asks_for_a_reason_from_the_list(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_kowalska(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")
        await settle(pilot)
        lead = Lead.get(Lead.name == "Anna Kowalska")
        assert lead.status == "unqualified"
        assert lead.unqualified_reason == load_config().unqualified_reasons[1]


async def test_saving_into_a_locked_database_shows_an_error_and_keeps_the_form(env, monkeypatch):
    import sqlite3

    from funnel_tui.storage import database as dbmod

    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)  # not 5 s: read at each connection
    path, _ = env
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_capture(pilot)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            await fill_and_save(pilot, "Locked Out", "", "", "locked@example.com")
            await app.workers.wait_for_complete()  # past the busy timeout
            await settle(pilot)
            # Reported, never a traceback: the form says so and a dialog offers a retry.
            form = app.screen_stack[-2]
            assert "Could not save" in str(form.query_one("#outcome").render())
            assert form.query_one("#f-name").value == "Locked Out"
            assert type(app.screen).__name__ == "ConfirmDialog"
            assert app.screen.title_text == "The database is busy"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await pilot.press("y")  # try again, now that the other program is done
        await settle(pilot)
        assert Lead.select().where(Lead.name == "Locked Out").count() == 1


async def test_a_lead_captured_by_another_instance_appears_without_a_key(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rows_of(app)) == 3
        Funnel(load_config(), "olaf").capture_lead({"name": "From Olaf", "email": "o@x.com"})
        await pilot.pause(2.5)  # the change watcher polls once a second
        await settle(pilot)
        assert "From Olaf" in {r["name"] for r in rows_of(app)}
