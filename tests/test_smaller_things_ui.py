"""Smaller things seen in use, each pinned by a test that failed before its fix: the
overview's counts against the list's, the cycle-time chart's labels, a won deal's date,
the list's search box and its sort choice."""

from __future__ import annotations

from funnel_tui.config import load_config
from funnel_tui.funnel import Funnel

from .clock import Clock
from .ui_support import SIZE, make_app, settle


async def test_the_overview_explains_why_its_new_differs_from_the_lists(env):
    rules = Funnel(load_config(), "rita", Clock())
    lead = rules.capture_lead({"name": "Pia Prospect", "email": "pia@example.com"})
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)  # a prospect, still "new": nobody has talked to her
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listed = str(app.screen.query_one("#counts").render())
        assert "new 4" in listed
        await pilot.press("f4")
        await settle(pilot)
        overview = str(app.screen.query_one("#counts").render())
        lines = overview.splitlines()
        assert any(line.startswith("Leads · new") and line.split()[3] == "3" for line in lines)
        assert "not yet promoted" in overview and "new 4" in overview
