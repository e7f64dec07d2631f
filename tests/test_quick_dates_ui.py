"""Quick dates in the screens: the nurture date (F6), the convert form's close date and
the log form's Next line take the forms `funnel log --next` takes, and read them back."""

from __future__ import annotations

import datetime as dt

from funnel_tui.storage.database import close_database
from funnel_tui.storage.models import Lead

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
    from funnel_tui.storage.database import open_database

    open_database(env[0])
    assert Lead.get_by_id(lead_id).nurture_until == two_weeks


async def test_convert_close_date_takes_quick_forms_and_reads_them_back(env):
    from funnel_tui.storage.models import Opportunity
    from funnel_tui.tui.dialogs.convert import ConvertDialog
    from funnel_tui.tui.screens.checklist import ChecklistScreen

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


async def test_the_log_forms_next_line_takes_a_leading_date_in_one_burst(env):
    from funnel_tui.storage.models import Activity
    from funnel_tui.tui.screens.log_activity import LogActivityScreen

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(pilot, "enter", "ctrl+l")
        form = app.screen
        assert isinstance(form, LogActivityScreen)
        lead_id = form.target.lead_id
        read = lambda: str(form.query_one("#due-read").render())  # noqa: E731
        assert "no next action" in read()
        await press_burst(pilot, "c", "o", "r", "wants pricing", "tab", "+3d call back")
        due = TODAY + dt.timedelta(days=3)
        assert f"{due:%a} {due.day} {due:%b %Y}" in read() and "call back" in read()
        await press_burst(pilot, *["backspace"] * 13, "call back")  # the date taken out
        assert "when is it due?" in read() and "fri 14:30" in read()
        await press_burst(pilot, "tab", "fri")  # the Due field follows as well
        friday = TODAY + dt.timedelta(days=(4 - TODAY.weekday() - 1) % 7 + 1)
        assert f"{friday:%a} {friday.day} {friday:%b %Y}" in read()
        await press_burst(pilot, *["backspace"] * 3, "shift+tab", "ctrl+u", "+3d call back")
        await press_burst(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, LogActivityScreen)
    logged = Activity.get(Activity.lead == lead_id)
    assert (logged.outcome, logged.note) == ("reached", "wants pricing")
    lead = Lead.get_by_id(lead_id)
    assert (lead.next_action, lead.next_action_due) == ("call back", due)


async def test_a_whole_log_typed_in_one_burst_saves_the_date_from_next(env):
    from funnel_tui.storage.models import Activity

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_burst(
            pilot, "enter", "ctrl+l", "c", "o", "r", "ok", "tab", "fri send quote", "ctrl+s"
        )
        await settle(pilot)
        lead_id = app.screen.lead_id
    friday = TODAY + dt.timedelta(days=(4 - TODAY.weekday() - 1) % 7 + 1)
    assert Activity.get(Activity.lead == lead_id).note == "ok"
    lead = Lead.get_by_id(lead_id)
    assert (lead.next_action, lead.next_action_due) == ("send quote", friday)


async def test_the_report_period_takes_quick_forms_and_reads_them_back(env):
    from funnel_tui.tui.dialogs.report_dialogs import PeriodDialog

    app = make_app(env)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        assert "2w" in dialog.query_one("#from").placeholder
        await press_burst(pilot, "ctrl+u", "2w", "tab", "ctrl+u", "yesterday")
        start, end = TODAY - dt.timedelta(weeks=2), TODAY - dt.timedelta(days=1)
        said = str(dialog.query_one("#period-read").render())
        assert f"{start:%a} {start.day} {start:%b %Y} to {end:%a} {end.day}" in said, said


async def test_a_fridays_snooze_in_the_queue_says_it_landed_on_monday(tmp_path):
    from funnel_tui.config import load_config
    from funnel_tui.rules.funnel import Funnel
    from funnel_tui.storage.database import open_database

    from .ui_support import app_at

    friday = NOW + dt.timedelta(days=(4 - NOW.weekday()) % 7)  # the pinned week's Friday
    path = str(tmp_path / "friday.db")
    open_database(path)
    rules = Funnel(load_config(), "rita", lambda: friday)
    lead = rules.capture_lead({"name": "Fritz Freitag", "email": "fritz@example.com"})
    rules.log_activity(lead_id=lead.id, kind="call", next_action="Call", next_due=friday.date())
    app = app_at(path, tmp_path, friday, start="today")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("z")
            await settle(pilot)
            monday = friday.date() + dt.timedelta(days=3)
            footer = str(app.screen.query_one("#footer").render())
            assert f"Snoozed to Mon {monday.day} {monday:%b %Y}" in footer, footer
        assert Lead.get_by_id(lead.id).next_action_due == monday
    finally:
        close_database()
