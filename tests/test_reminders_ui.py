"""Next actions at a time in the terminal UI, driven with Pilot at 80×24 on a real
database: the log form's due with a time, the Today queue in time order with its marks,
reminders with their record one key away, and the calendar file kept current."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, Lead
from funnel_tui.tui.app import FunnelApp

from .clock import Clock
from .ui_support import SIZE, settle

NOW = dt.datetime(2026, 11, 23, 9, 0)  # a Monday, 10:00 in Warsaw
TODAY = NOW.date()


def _config(**settings):
    return dataclasses.replace(load_config(), timezone="Europe/Warsaw", **settings)


@pytest.fixture
def day(tmp_path):
    """rita's day: a call at 09:30 UTC (10:30 in Warsaw, within the hour), a demo at
    13:00 UTC, a whole-day action, and a lead with nothing scheduled."""
    path = str(tmp_path / "day.db")
    open_database(path)
    rules = Funnel(_config(), "rita", lambda: NOW - dt.timedelta(hours=1))
    plan = [
        ("Whole Day", None),
        ("Demo Later", dt.datetime(2026, 11, 23, 13, 0)),
        ("Call Soon", dt.datetime(2026, 11, 23, 9, 30)),
    ]
    ids = {}
    for name, at in plan:
        lead = rules.capture_lead({"name": name, "email": f"{name.split()[0].lower()}@ex.com"})
        rules.log_activity(
            lead_id=lead.id,
            kind="call",
            outcome="reached",
            next_action=f"Ring {name.split()[0]}",
            next_due=TODAY,
            next_at=at,
        )
        ids[name] = lead.id
    rules.capture_lead({"name": "Nobody Yet", "email": "nobody@ex.com"})
    yield path, tmp_path, ids
    close_database()


def _app(path: str, tmp_path, clock: Clock, start: str = "today", **settings) -> FunnelApp:
    return FunnelApp(
        config=_config(**settings),
        target=path,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=clock,
        start=start,
    )


def _lines(app) -> list[str]:
    view = app.screen.query_one("#queue")
    return [view.render_line(y).text for y in range(view.size.height)]


def _notes(app) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


async def test_today_orders_a_days_actions_by_time_and_marks_the_next_hour(day):
    path, tmp_path, _ids = day
    clock = Clock(NOW)
    app = _app(path, tmp_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = _lines(app)
        due = next(i for i, line in enumerate(lines) if "Due today · 3" in line)
        soon, later, whole = lines[due + 1], lines[due + 2], lines[due + 3]
        assert "Call Soon" in soon and "⚑ 10:30 AM" in soon
        assert "Demo Later" in later and "2:00 PM" in later and "⚑" not in later
        assert "Whole Day" in whole and "Mon 23 Nov" in whole
        # The clock moves on past the call: its time turns red, the demo comes within
        # the hour at the next beat.
        clock.advance(hours=3, minutes=30)  # 12:30 UTC
        app.clock_moved()
        await settle(pilot)
        lines = _lines(app)
        assert "⚑ 2:00 PM" in lines[due + 2]
        assert "‼ 10:30 AM" in lines[due + 1]  # passed: a mark, not only a colour
        cell = app.screen.query_one("#queue").render_line(due + 1)
        assert any("10:30 AM" in s.text and s.style and s.style.color for s in cell)


async def test_a_reminder_comes_before_its_time_once_and_ctrl_j_opens_the_record(day):
    path, tmp_path, ids = day
    clock = Clock(NOW + dt.timedelta(minutes=15))  # 09:15: the call at 09:30 in 15 min
    app = _app(path, tmp_path, clock, start="leads", reminder_bell=True)
    rings = []
    async with app.run_test(size=SIZE) as pilot:
        app.bell = lambda: rings.append(clock.now)
        await settle(pilot)
        app.start_the_day()
        await settle(pilot)
        assert _notes(app) == []  # 15 minutes ahead: not yet (10 is the default)
        clock.advance(minutes=6)  # 09:21
        app.clock_moved()
        await settle(pilot)
        assert _notes(app) == [
            ("Due at 10:30 AM · in 9 min", "Ring Call · Call Soon · call@ex.com\nctrl+j opens it")
        ]
        assert rings == [clock.now]
        app.clock_moved()  # told once
        await settle(pilot)
        assert len(_notes(app)) == 1 and len(rings) == 1
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert type(app.screen).__name__ == "LeadScreen"
        assert app.screen.lead_id == ids["Call Soon"]
        assert _notes(app) == []  # seen: off the screen, not over the record


async def test_a_reminder_leaves_the_screen_once_its_action_is_settled(day):
    path, tmp_path, ids = day
    clock = Clock(NOW + dt.timedelta(minutes=21))  # the call at 09:30 in 9 min
    app = _app(path, tmp_path, clock, start="leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.start_the_day()
        await settle(pilot)
        assert [title for title, _text in _notes(app)] == ["Due at 10:30 AM · in 9 min"]
        # Someone logs the call with nothing next (here, or in another funnel).
        Funnel(_config(), "rita", clock).log_activity(
            lead_id=ids["Call Soon"], kind="call", outcome="reached"
        )
        app.data_changed()
        await settle(pilot)
        assert _notes(app) == []


async def test_a_snooze_says_the_time_it_kept(day):
    path, tmp_path, ids = day
    app = _app(path, tmp_path, Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#queue").current["item"].id == ids["Call Soon"]
        await pilot.press("z")
        await settle(pilot)
        footer = str(app.screen.query_one("#footer").render())
        assert "Snoozed to Tue 24 Nov 2026 10:30 AM · tomorrow: Call Soon" in footer
        assert Lead.get_by_id(ids["Call Soon"]).next_action_at == dt.datetime(2026, 11, 24, 9, 30)


async def test_no_reminders_when_they_are_off(day):
    path, tmp_path, _ids = day
    clock = Clock(NOW + dt.timedelta(minutes=25))
    app = _app(path, tmp_path, clock, start="leads", reminder_minutes=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.start_the_day()
        await settle(pilot)
        assert _notes(app) == []


async def test_a_due_with_a_time_typed_in_one_burst_is_read_back_and_stored(day):
    path, tmp_path, ids = day
    app = _app(path, tmp_path, Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G")  # the last item: Nobody Yet, nothing scheduled
        await settle(pilot)
        # l: the log form, on the outcome; r: reached, on to Note; tab: Next; tab: Due.
        await pilot.press("l", "r", "tab", *"Send quote", "tab", *"fri 25:00")
        await settle(pilot)
        said = str(app.screen.query_one("#due-read").render())
        assert "'25:00' is not a time of day" in said
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "due" in str(app.screen.query_one("#message").render()).lower()
        assert app.screen.query_one("#next").value == "Send quote"  # nothing lost
        await pilot.press(*["backspace"] * 5, *"14:30", "ctrl+s")
        await settle(pilot)
        lead = Lead.get(Lead.name == "Nobody Yet")
        # Friday 27 November, 14:30 in Warsaw (UTC+1).
        assert (lead.next_action, lead.next_action_due, lead.next_action_at) == (
            "Send quote",
            dt.date(2026, 11, 27),
            dt.datetime(2026, 11, 27, 13, 30),
        )
        assert Activity.get(Activity.lead == lead.id).next_action_at == lead.next_action_at
        assert ids  # the other leads are untouched by this test


async def test_a_refused_time_is_said_whole_and_unsaid_once_fixed(day):
    """The read-back under Due wraps: a time the clocks skip says what to pick, not only
    that it does not exist; the refusal goes once the due reads."""
    path, tmp_path, _ids = day
    app = _app(path, tmp_path, Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "l", "r", "tab", *"Renew", "tab", *"2027-03-28 02:30", "ctrl+s")
        await settle(pilot)
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        flat = " ".join(shown.split())
        assert "2:30 AM does not exist on Sun 28 Mar 2027 in Europe/Warsaw" in flat
        assert "pick 3:00 AM or later" in flat  # once cut off at the line's end
        assert "due: the due date cannot be used: see under it" in flat
        await pilot.press(*["backspace"] * 5, *"03:30")
        await settle(pilot)
        assert str(app.screen.query_one("#message").render()).strip() == ""
        assert "Sun 28 Mar 2027" in str(app.screen.query_one("#due-read").render())


async def test_a_next_action_on_an_unqualified_lead_is_refused_naming_it_once(day):
    path, tmp_path, _ids = day
    nobody = Lead.get(Lead.name == "Nobody Yet").id
    Funnel(_config(), "rita", lambda: NOW).set_status(nobody, "unqualified", reason="No budget")
    app = _app(path, tmp_path, Clock(NOW), start="leads")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_lead(nobody)
        await settle(pilot)
        await pilot.press("ctrl+l", *"cor", "tab", *"Try again", "tab", *"+2h", "ctrl+s")
        await settle(pilot)
        said = str(app.screen.query_one("#message").render())
        assert f"lead #{nobody} (Nobody Yet) is unqualified" in said
        assert "next_action" not in said  # the field heads the line, once, in words
        assert app.screen.query_one("#next").value == "Try again"  # nothing lost


async def test_the_calendar_file_is_kept_current_while_funnel_runs(day):
    path, tmp_path, ids = day
    kept = tmp_path / "kept.ics"
    app = _app(path, tmp_path, Clock(NOW), calendar_file=str(kept))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.start_the_day()
        await _written(pilot, app, 1)
        text = kept.read_text()
        assert text.count("BEGIN:VEVENT") == 3
        assert f"UID:lead-{ids['Call Soon']}@" in text
        assert "DTSTART:20261123T093000Z" in text
        # A call logged with nothing next settles Call Soon's action: it leaves the file.
        Funnel(_config(), "rita", lambda: NOW).log_activity(
            lead_id=ids["Call Soon"], kind="call", outcome="reached"
        )
        app.data_changed()
        await _written(pilot, app, 2)
        text = kept.read_text()
        assert text.count("BEGIN:VEVENT") == 2
        assert f"UID:lead-{ids['Call Soon']}@" not in text


async def test_a_calendar_file_that_cannot_be_written_is_said_once(day):
    path, tmp_path, _ids = day
    app = _app(path, tmp_path, Clock(NOW), calendar_file=str(tmp_path / "no" / "kept.ics"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.start_the_day()
        for _ in range(50):
            await pilot.pause(0.05)
            if _notes(app):
                break
        app.data_changed()
        await settle(pilot)
        notes = [n for n in _notes(app) if n[0] == "Calendar"]
        assert len(notes) == 1
        assert notes[0][1].startswith("calendar_file: cannot write the calendar file ")
        assert "No such file or directory" in notes[0][1]


async def _written(pilot, app, count: int) -> None:
    for _ in range(100):
        await pilot.pause(0.02)
        if app._calendar.written >= count and not app._calendar._running:
            return
    raise AssertionError(f"the calendar file was written {app._calendar.written} times")


async def test_tab_goes_from_section_to_section(day):
    path, tmp_path, _ids = day
    app = _app(path, tmp_path, Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#queue")
        assert view.current_item.person == "Call Soon"  # the first item: due today
        await pilot.press("tab")
        assert view.current_item.person == "Nobody Yet"  # nothing scheduled
        await pilot.press("tab")  # round to the first section holding any
        assert view.current_item.person == "Call Soon"
        await pilot.press("shift+tab")
        assert view.current_item.person == "Nobody Yet"


async def test_today_links_a_contact_shown_for_want_of_a_company(day):
    path, tmp_path, _ids = day
    app = _app(path, tmp_path, Clock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#queue")
        lines = _lines(app)
        nobody = next(y for y, line in enumerate(lines) if "Nobody Yet" in line)
        found = {s.style.link for s in view.render_line(nobody) if s.style and s.style.link}
        assert found == {"mailto:nobody@ex.com"}


def test_the_day_watch_knows_the_queues_word_for_a_deal():
    from funnel_tui.read import today
    from funnel_tui.tui import day_watch

    assert day_watch.DEAL == today.DEAL


async def test_others_writes_rewrite_the_calendar_only_when_they_touch_the_reps_records(day):
    """A team writes all day, mostly to others' records: the calendar file (and the
    reminders' look) follow only the writes to this rep's records."""
    from funnel_tui.live.changes import Changes

    path, tmp_path, ids = day
    theirs = Funnel(_config(), "bob", lambda: NOW).capture_lead(
        {"name": "Bob's Own", "email": "bobs@ex.com"}
    )
    app = _app(path, tmp_path, Clock(NOW), start="leads", calendar_file=str(tmp_path / "k.ics"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app._prepare_user()
        await settle(pilot)
        app.start_the_day()
        await _written(pilot, app, 1)
        app.data_changed(Changes(records=frozenset({("lead", theirs.id)})))
        await settle(pilot)
        await pilot.pause(0.3)
        assert app._calendar.written == 1
        app.data_changed(Changes(records=frozenset({("lead", ids["Demo Later"])})))
        await _written(pilot, app, 2)
