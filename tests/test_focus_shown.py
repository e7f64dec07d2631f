"""The highlighted field is always the one that receives the keys."""

from __future__ import annotations

import datetime as dt

from funnel_tui.config import load_config
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database

from .ui_support import SIZE, app_at, make_app, settle

NOW = dt.datetime(2026, 11, 23, 9, 0)


def _lit_rows(app) -> list:
    return list(app.screen.query(".row.-current"))


def _focused_row(app):
    return next(n for n in app.focused.ancestors_with_self if n.has_class("row"))


async def test_the_log_form_from_today_lights_the_outcome_it_starts_on(tmp_path):
    path = str(tmp_path / "log.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", lambda: NOW)
    lead = rules.capture_lead({"name": "Olga Late", "email": "olga@example.com"})
    rules.log_activity(
        lead_id=lead.id, kind="call", outcome="no_answer", next_action="Call", next_due=NOW.date()
    )
    app = app_at(path, tmp_path, NOW, start="today")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            assert app.focused.id == "outcome"
            assert [row.id for row in _lit_rows(app)] == ["outcome-row"]
            for _ in range(4):
                await pilot.press("tab")
                await settle(pilot)
                assert _lit_rows(app) == [_focused_row(app)]
    finally:
        close_database()


async def test_capture_lights_each_field_it_types_into(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert [row.id for row in _lit_rows(app)] == ["row-name"]
        for _ in range(5):
            await pilot.press("tab")
            await settle(pilot)
            assert _lit_rows(app) == [_focused_row(app)]
        await pilot.press("shift+tab")
        await settle(pilot)
        assert _lit_rows(app) == [_focused_row(app)]
