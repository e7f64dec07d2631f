"""Every screen and dialog opens and draws without colour (NO_COLOR) and in a 16-colour
terminal: states read by their symbols, and no rendering path assumes a colour. The
Today queue and the board crashed on their first frame under NO_COLOR, exiting 0."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.screen_names import SCREEN_MODES
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Lead, Opportunity
from funnel_tui.tui.app import FunnelApp

from .terminal import Terminal, funnel_env
from .ui_support import SIZE, app_at, seed_deals, settle

NOW = dt.datetime(2026, 11, 20, 14, 30)

# Keys that open each of the other screens and dialogs, from the list (esc closes it).
PUSHED = {
    "help": ["f1"],
    "lead record": ["enter"],
    "nurture date": ["enter", "f6"],
    "unqualify reason": ["enter", "f7"],
    "checklist": ["q"],
    "convert form": ["q", "c"],
    "log form": ["enter", "ctrl+l"],
    "board totals": ["f5", "dollar_sign"],
    "report records": ["ctrl+g", "enter"],
    "report period": ["ctrl+g", "p"],
    "palette": ["ctrl+p"],
}


@pytest.fixture
def deals_db(tmp_path):
    path = str(tmp_path / "screens.db")
    open_database(path)
    seed_deals(load_config(), NOW)
    close_database()
    return path, tmp_path


def _app(deals_db, start: str) -> FunnelApp:
    path, tmp_path = deals_db
    open_database(path)
    return app_at(path, tmp_path, NOW, start=start)


@pytest.mark.parametrize("mode", SCREEN_MODES)
async def test_every_screen_draws_without_colour(deals_db, mode, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(deals_db, mode)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.no_color
            shot = app.export_screenshot()
            assert "funnel" in shot and app.return_code is None
    finally:
        close_database()


@pytest.mark.parametrize("name", list(PUSHED))
async def test_every_dialog_and_record_draws_without_colour(deals_db, name, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(deals_db, "leads")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            before = app.screen
            for key in PUSHED[name]:
                await pilot.press(key)
                await settle(pilot)
            assert app.screen is not before
            app.export_screenshot()
            assert app.return_code is None
    finally:
        close_database()


async def test_a_deal_draws_without_colour(deals_db, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = _app(deals_db, "board")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_opportunity(Opportunity.select().first().id)
            await settle(pilot)
            assert type(app.screen).__name__ == "OpportunityScreen"
            app.export_screenshot()
            assert Lead.select().count() and app.return_code is None
    finally:
        close_database()


# Bytes for the keys that reach each screen from anywhere, in a real terminal.
SCREEN_KEYS = [
    (b"\x1bOS", "Funnel"),  # F4
    (b"\x1b[15~", "Pipeline"),  # F5
    (b"\x14", "Today"),  # ctrl+t
    (b"\x07", "Reports"),  # ctrl+g
    (b"\x0e", "Capture"),  # ctrl+n
    (b"\x1bOR", "Leads"),  # F3
]


@pytest.mark.slow
@pytest.mark.parametrize(
    "terminal",
    [{"TERM": "xterm", "NO_COLOR": "1"}, {"TERM": "xterm"}, {"TERM": "vt100"}],
    ids=["no-colour", "16-colours", "vt100"],
)
def test_every_screen_in_a_real_terminal(deals_db, terminal):
    path, tmp_path = deals_db
    env = funnel_env(tmp_path, path, COLORTERM="", **terminal)
    with Terminal([], env) as term:
        term.wait_for("Leads")
        for key, title in SCREEN_KEYS:
            term.write(key)
            term.wait_for(f"funnel › {title}")
            assert term.alive(), term.text()
        assert term.close() == 0
