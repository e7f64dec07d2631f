"""The app's stylesheet (FunnelApp.refresh_css): a screen that joins, the first one or a
mode's first visit, gets its styles without the whole stylesheet being read again, and a
new theme still restyles every screen, those opened after it too."""

from __future__ import annotations

from funnel_tui.tui.widgets.board_view import BoardView

from .ui_support import SIZE, make_app, settle


def _background(widget) -> tuple[int, int, int]:
    return widget.styles.background.rgb


async def test_a_mode_opened_later_is_styled_without_reading_every_rule_again(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        read_before = app.stylesheet._rules
        await pilot.press("f5")  # the board, a mode not visited yet
        await settle(pilot)
        assert app.current_mode == "board"
        # The rules read before are kept, not read again; the board's own are added.
        kept = {id(rule) for rule in app.stylesheet._rules}
        assert all(id(rule) in kept for rule in read_before)
        assert len(app.stylesheet._rules) > len(read_before)
        # The board's own rules apply: its header in the theme's panel colour.
        board = app.screen.query_one(BoardView)
        panel = app.theme_variables["panel"]
        assert board.get_component_rich_style("board--header").bgcolor.name == panel.lower()


async def test_a_new_theme_restyles_the_screens_shown_and_those_opened_after(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dark = _background(app.screen)
        app.theme = "textual-light"
        await settle(pilot)
        light = _background(app.screen)
        assert light != dark
        assert sum(light) > sum(dark)  # a light background
        await pilot.press("f5")
        await settle(pilot)
        assert _background(app.screen) == light
        await pilot.press("f3")
        await settle(pilot)
        assert _background(app.screen) == light
