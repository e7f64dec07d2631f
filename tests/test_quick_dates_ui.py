"""Quick dates in the screens: the nurture date (F6), the convert form's close date and
the log form's Next line take the forms `funnel log --next` takes, and read them back."""

from __future__ import annotations

import datetime as dt

from funnel_tui.db import close_database
from funnel_tui.models import Lead

from .clock import NOW
from .ui_support import SIZE, make_app, press_burst, settle

TODAY = NOW.date()  # the pinned clock's day: the tests' "today" in every zone


async def test_nurture_date_takes_quick_forms_and_reads_them_back(env):
    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        lead_id = app.screen.lead_id
        await pilot.press("f6")
        await settle(pilot)
        await press_burst(pilot, "soon")
        read = str(app.screen.query_one("#date-read").render())
        assert "until: 'soon' is not a date" in read and "+2w" in read
        await press_burst(pilot, *["backspace"] * 4, "+2w")
        two_weeks = TODAY + dt.timedelta(weeks=2)
        said = f"{two_weeks:%a} {two_weeks.day} {two_weeks:%b %Y}"
        assert said in str(app.screen.query_one("#date-read").render())
        await press_burst(pilot, "enter")
        await settle(pilot)
    close_database()
    from funnel_tui.db import open_database

    open_database(env[0])
    assert Lead.get_by_id(lead_id).nurture_until == two_weeks


async def test_convert_close_date_takes_quick_forms_and_reads_them_back(env):
    from funnel_tui.models import Opportunity
    from funnel_tui.screens.checklist import ChecklistScreen
    from funnel_tui.screens.convert import ConvertDialog

    from .test_checklist_ui import answer_all_bant_yes, open_checklist

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(pilot)
        await answer_all_bant_yes(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConvertDialog)
        assert "+2w" in dialog.query_one("#c-close").placeholder
        await press_burst(pilot, "1200", "tab", "tab", "ctrl+u", "+2w")
        two_weeks = TODAY + dt.timedelta(weeks=2)
        read = str(dialog.query_one("#close-read").render())
        assert f"{two_weeks:%a} {two_weeks.day} {two_weeks:%b %Y}" in read
        await press_burst(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        assert Opportunity.get().expected_close == two_weeks
