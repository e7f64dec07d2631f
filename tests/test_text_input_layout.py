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
