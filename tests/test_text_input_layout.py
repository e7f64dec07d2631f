"""A key typed into a field repaints that field, not the whole screen: Textual's Input
laid the screen out again at every change of its value (its virtual size went back and
forth with each layout), which cost a key on the lead list, and a saved capture form,
a layout of every widget. A long value still scrolls to show where the cursor is."""

from __future__ import annotations

import pytest

from funnel_tui.tui.widgets.text_input import TextInput

from .ui_support import SIZE, make_app, seeded_env, settle, type_text

env = pytest.fixture(seeded_env)


def count_layouts(screen) -> list[int]:
    """How many times `screen` is laid out from now on (one-item list, counted up)."""
    counted = [0]
    lay_out = screen._refresh_layout

    def counting(*args, **kwargs):
        counted[0] += 1
        return lay_out(*args, **kwargs)

    screen._refresh_layout = counting
    return counted


async def test_typing_a_search_lays_nothing_out(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        layouts = count_layouts(app.screen)
        await type_text(pilot, "kowa")  # each key: the field and the rows repainted
        await settle(pilot)
        assert layouts[0] == 0
        assert app.screen.query_one("#search", TextInput).value == "kowa"


async def test_a_long_value_still_scrolls_to_its_end(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        typed = "x" * 90 + "ending"
        await type_text(pilot, typed)
        await settle(pilot)
        field = app.screen.query_one("#search", TextInput)
        assert field.value == typed
        shown = "".join(field.render_line(0).text)
        assert "ending" in shown and field.scroll_offset.x > 0


async def test_a_count_beside_the_search_changes_width_without_a_layout_while_it_fits():
    """The list's "N shown" (a Line at width auto, with a min-width) takes a new width
    only past its min-width: before, "1,000+ shown" after "16 shown" laid the whole
    screen out, 18 ms at a key on the list over a million leads."""
    from textual.app import App

    from funnel_tui.tui.widgets.line import Line

    class Counted(App):
        CSS = "Line { width: auto; min-width: 16; padding-left: 1; }"

        def compose(self):
            yield Line("16 shown")

    app = Counted()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = app.query_one(Line)
        layouts = count_layouts(app.screen)
        for text in ("1,000+ shown", "3 shown", "1,000,000 shown"):  # 15 cells with padding
            line.show(text)
            await pilot.pause()
        assert layouts[0] == 0
        assert line.outer_size.width == 16
        line.show("12,345 marked · 1,000+ shown")
        await pilot.pause()
        assert layouts[0] >= 1  # past its min-width it grows, as before
        assert line.outer_size.width == 29
