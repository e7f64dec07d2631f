"""The size guard follows every resize at once, on every screen: shown the moment the
terminal is smaller than 80×24, saying its size, and gone the moment it is not."""

from __future__ import annotations

import pytest

from funnel_tui.storage.database import close_database, open_database
from funnel_tui.tui.dialogs.too_small import TooSmallScreen

from .terminal import Terminal, funnel_env
from .ui_support import SIZE, make_app, settle


def _guard_text(app) -> str:
    return str(app.screen.query_one("Static").render())


async def test_the_guard_follows_each_resize_at_once(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)
        for width, height in [(79, 24), (60, 20), (80, 23), (70, 22)]:
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            assert isinstance(app.screen, TooSmallScreen), (width, height)
            assert f"it is {width}×{height} now" in _guard_text(app)
        for width, height in [(80, 24), (120, 40)]:
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            assert not isinstance(app.screen, TooSmallScreen), (width, height)
            await pilot.resize_terminal(60, 20)
            await settle(pilot)
            assert isinstance(app.screen, TooSmallScreen)


@pytest.mark.parametrize("key", ["ctrl+n", "f5", "ctrl+t", "ctrl+g", "f4"])
async def test_every_screen_is_guarded_and_let_go(env, key):
    app = make_app(env)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen), app.current_mode
        assert "it is 60×20 now" in _guard_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)
        await pilot.press("f3")  # the list's own guard went too
        await settle(pilot)
        assert not isinstance(app.screen, TooSmallScreen)
        assert app.current_mode == "leads"


@pytest.mark.slow
def test_the_guard_follows_resizes_in_a_real_terminal(tmp_path):
    env = funnel_env(tmp_path, str(tmp_path / "size.db"))
    open_database(env["FUNNEL_DB"])  # a path where no database is would be asked about
    close_database()
    with Terminal([], env) as term:
        term.wait_for("0 shown")
        for _ in range(3):
            term.resize(70, 20)
            term.wait_for("(it is 70×20 now)", timeout=5)
            term.resize(80, 24)
            term.wait_for("0 shown", timeout=5)
            term.read(quiet=0.3)
            assert "Enlarge" not in term.text()
        assert term.close() == 0
