"""The Today queue and the log form, driven with Pilot at 80×24 on a real database."""

from __future__ import annotations

import datetime as dt

import pytest

from funnel_tui.config import load_config
from funnel_tui.live.drafts import DraftStore
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, History, Lead, Opportunity
from funnel_tui.tui.app import FunnelApp

from .ui_support import SIZE, settle, type_text

NOW = dt.datetime(2026, 11, 23, 9, 0)  # a Monday, UTC
TODAY = NOW.date()


@pytest.fixture
def queue_app(tmp_path):
    """rita owns an overdue lead, one due today, one never called; bob owns one."""
    path = str(tmp_path / "today.db")
    open_database(path)
    config = load_config()
    past = Funnel(config, "rita", lambda: NOW - dt.timedelta(days=6))
    late = past.capture_lead({"name": "Olga Late", "email": "olga@example.com"})
    past.log_activity(
        lead_id=late.id, kind="call", outcome="no_answer", next_action="Call back",
        next_due=TODAY - dt.timedelta(days=2),
    )  # fmt: skip
    due = past.capture_lead({"name": "Piet Due", "email": "piet@example.com"})
    past.log_activity(
        lead_id=due.id, kind="email", outcome="sent", next_action="Send deck", next_due=TODAY
    )
    Funnel(config, "rita", lambda: NOW).capture_lead(
        {"name": "[bold]Rosa[/bold]", "email": "rosa@example.com"}
    )
    Funnel(config, "bob", lambda: NOW).capture_lead({"name": "Bob's", "email": "b@example.com"})
    yield _today_app(path, tmp_path)
    close_database()


def _today_app(path: str, tmp_path) -> FunnelApp:
    """rita's app on `path`, opening on the Today queue, its clock at NOW."""
    return FunnelApp(
        config=load_config(),
        target=path,
        user="rita",
        drafts=DraftStore("rita", tmp_path / "drafts"),
        clock=lambda: NOW,
        start="today",
    )


def _lines(app) -> list[str]:
    view = app.screen.query_one("#queue")
    return [view.render_line(y).text for y in range(view.size.height)]


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_the_queue_shows_its_sections_and_counts(queue_app):
    async with queue_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = _lines(queue_app)
        assert lines[0].strip().startswith("‼ Overdue · 1")
        assert "Olga Late" in lines[1] and "Call back" in lines[1]
        assert lines[2].strip().startswith("● Due today · 1") and "Piet Due" in lines[3]
        assert lines[4].strip().startswith("○ Nothing scheduled · 1")
        assert "[bold]Rosa[/bold]" in lines[5]  # user text is shown, not obeyed
        assert not any("Bob's" in line for line in lines)
        assert queue_app.today_counts == {"overdue": 1, "today": 1, "unscheduled": 1}
        title = queue_app.screen.query_one("TitleBar").render().plain
        assert "‼1 ●1 ○1" in title


async def test_log_a_call_from_the_queue_with_the_next_action(queue_app):
    async with queue_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = queue_app.screen
        assert "Olga Late" in _text(queue_app, ".title")
        assert "Call back · Sat 21 Nov 2026 · 2 days ago" in _text(queue_app, "#current")
        await pilot.press("r")  # the outcome row has the focus: reached
        await type_text(pilot, "wants pricing")
        await pilot.press("tab")
        await type_text(pilot, "Send pricing")
        await pilot.press("tab")
        await type_text(pilot, "+3d")
        await settle(pilot)
        assert "Thu 26 Nov 2026 · in 3 days" in _text(queue_app, "#due-read")
        await pilot.press("enter")
        await settle(pilot)
        assert queue_app.screen is not form
        activity = Activity.select().order_by(Activity.id.desc()).get()
        assert (activity.kind, activity.outcome, activity.note) == (
            "call",
            "reached",
            "wants pricing",
        )
        lead = Lead.get(Lead.name == "Olga Late")
        assert (lead.status, lead.next_action, lead.next_action_due) == (
            "working",  # the first two-way interaction
            "Send pricing",
            dt.date(2026, 11, 26),
        )
        assert History.get(History.action == "auto").new == "working"
        said = _text(queue_app, "#footer")
        assert "Logged call reached · next: Send pricing Thu 26 Nov" in said  # short: one line
        lines = _lines(queue_app)
        assert lines[0].strip() == "‼ Overdue · 0" and "Nothing overdue" in lines[1]
        assert queue_app.today_counts["overdue"] == 0


async def test_an_unreadable_due_date_keeps_the_form(queue_app):
    async with queue_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l", "n")  # no answer
        await type_text(pilot, "rang twice")
        await pilot.press("tab")
        await type_text(pilot, "Call back")
        await pilot.press("tab")
        await type_text(pilot, "someday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not a date I know; try tomorrow, +3d" in _text(queue_app, "#due-read")
        assert "due:" in _text(queue_app, "#message")
        assert queue_app.screen.query_one("#note").value == "rang twice"
        assert queue_app.focused.id == "due"
        assert Activity.select().count() == 2  # the fixture's two
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "fri")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Lead.get(Lead.name == "Olga Late").next_action_due == dt.date(2026, 11, 27)


async def test_snooze_a_day_and_a_week(queue_app):
    async with queue_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("z")  # Olga, overdue: tomorrow
        await settle(pilot)
        assert Lead.get(Lead.name == "Olga Late").next_action_due == dt.date(2026, 11, 24)
        assert "Snoozed to Tue 24 Nov 2026" in _text(queue_app, "#footer")
        # The cursor stays on the line: Piet, due today, now first.
        assert "Piet Due" in _lines(queue_app)[3]
        await pilot.press("j", "Z")  # down to Rosa, never called: a week from today
        await settle(pilot)
        rosa = Lead.get(Lead.email_norm == "rosa@example.com")
        assert (rosa.next_action, rosa.next_action_due) == ("Follow up", dt.date(2026, 11, 30))
        assert queue_app.today_counts == {"overdue": 0, "today": 1, "unscheduled": 0}


async def test_open_the_record_and_keep_a_draft_of_the_log(queue_app):
    async with queue_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")  # Rosa's record
        await settle(pilot)
        assert type(queue_app.screen).__name__ == "LeadScreen"
        assert "[bold]Rosa[/bold]" in _text(queue_app, "#summary")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("n")  # type: note
        await type_text(pilot, "[red]met at the fair")
        await pilot.press("escape")
        await settle(pilot)
        assert Activity.select().count() == 2  # nothing saved: a draft kept
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert queue_app.screen.query_one("#note").value == "[red]met at the fair"
        assert queue_app.focused.id == "note"  # where the typing stopped, not on Type
        await type_text(pilot, "!")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "[red]met at the fair!" in _text(queue_app, "#events")
        assert Lead.get(Lead.email_norm == "rosa@example.com").status == "new"  # a note
        await pilot.press("escape")
        await settle(pilot)
        assert type(queue_app.screen).__name__ == "TodayScreen"
        # ctrl+t on a record opened from the queue is the queue again, as F3 is the list;
        # and from elsewhere, the queue, not the record left open over it.
        await pilot.press("enter")
        await settle(pilot)
        assert type(queue_app.screen).__name__ == "LeadScreen"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert type(queue_app.screen).__name__ == "TodayScreen"
        await pilot.press("enter", "f3", "ctrl+t")
        await settle(pilot)
        assert type(queue_app.screen).__name__ == "TodayScreen"


async def test_a_deal_from_the_queue_shows_its_leads_activities_and_logs(tmp_path):
    path = str(tmp_path / "deal.db")
    open_database(path)
    config = load_config()
    before = Funnel(config, "rita", lambda: NOW - dt.timedelta(days=9))
    lead = before.capture_lead({"name": "Uma Deal", "email": "uma@example.com"})
    before.log_activity(lead_id=lead.id, kind="meeting", outcome="held", note="met at the fair")
    for item in ("budget", "authority", "need", "timeline"):
        before.answer(lead.id, item, "yes")
    before.promote(lead.id)
    opp = before.convert(lead.id, amount=5000)
    before.log_activity(
        opportunity_id=opp.id, kind="email", outcome="sent", next_action="Chase", next_due=TODAY
    )
    app = _today_app(path, tmp_path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Uma Deal" in _lines(app)[3] and "Chase" in _lines(app)[3]
            await pilot.press("enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "OpportunityScreen"
            events = _text(app, "#events")
            assert "[lead] → meeting held — met at the fair" in events
            assert "→ email sent" in events and "⇒ Chase" in events
            await pilot.press("a")  # log: the type first
            await settle(pilot)
            await pilot.press("c", "o", "r")  # a call, outbound, reached
            await type_text(pilot, "agreed terms")
            await pilot.press("ctrl+s")
            await settle(pilot)
            stored = Opportunity.get_by_id(opp.id)
            assert (stored.next_action, stored.next_action_due) == ("", None)  # settled
            assert "→ call reached — agreed terms" in _text(app, "#events")
            assert "Logged call reached" in _text(app, "#outcome")
            await pilot.press("escape")
            await settle(pilot)
            assert app.today_counts == {"overdue": 0, "today": 0, "unscheduled": 1}
    finally:
        close_database()


# ------------------------------------------------------------------ a long queue

LATE, AHEAD = 130, 120  # overdue leads, and leads nobody has called: three pages of lines


@pytest.fixture
def long_queue(tmp_path):
    """rita owns LATE overdue leads after a deal overdue longer, two deals due today,
    and AHEAD leads with nothing scheduled: more lines than a page (PAGE_SIZE)."""
    path = str(tmp_path / "long.db")
    open_database(path)
    past = Funnel(load_config(), "rita", lambda: NOW - dt.timedelta(days=6))
    late = [
        past.capture_lead({"name": f"Late {i:03}", "email": f"late{i}@example.com"}).id
        for i in range(LATE)
    ]
    Lead.update(next_action="Call back", next_action_due=TODAY - dt.timedelta(days=2)).where(
        Lead.id.in_(late)
    ).execute()
    for i, due in enumerate((TODAY - dt.timedelta(days=3), TODAY, TODAY)):
        lead = past.capture_lead({"name": f"Deal {i}", "email": f"deal{i}@example.com"})
        for item in ("budget", "authority", "need", "timeline"):
            past.answer(lead.id, item, "yes")
        past.promote(lead.id)
        deal = past.convert(lead.id, amount=1000)
        Opportunity.update(next_action="Negotiate", next_action_due=due).where(
            Opportunity.id == deal.id
        ).execute()
    for i in range(AHEAD):
        past.capture_lead({"name": f"Ahead {i:03}", "email": f"ahead{i}@example.com"})
    yield _today_app(path, tmp_path), past.user_id
    close_database()


def _assert_lines_as_read_afresh(view, owner: int) -> None:
    """Every line the view has read holds what the database now has at that place."""
    from funnel_tui.read.today import section_counts, section_keys

    afresh = {name: section_keys(owner, TODAY, name) for name in view.counts}
    assert view.counts == {name: len(keys) for name, keys in afresh.items()}
    assert view.lines.tally == section_counts(owner, TODAY)
    for line, key in view.keys.items():
        section, place = view.lines.entry(line)
        assert afresh[section][place] == key, (line, section, place)


async def test_a_long_queue_reads_only_the_pages_it_shows(long_queue):
    from funnel_tui.read.today import section_keys
    from funnel_tui.tui.widgets.lead_table import PAGE_SIZE

    app, owner = long_queue
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#queue")
        lines = _lines(app)
        assert lines[0].strip().startswith(f"‼ Overdue · {LATE + 1}")
        assert view.total == 3 + LATE + 1 + 2 + AHEAD
        assert app.today_counts == {"overdue": LATE + 1, "today": 2, "unscheduled": AHEAD}
        assert len(view.keys) <= PAGE_SIZE < view.total - 3  # the first page, not the queue
        await pilot.press("end")
        await settle(pilot)
        last = section_keys(owner, TODAY, "unscheduled")[-1]
        assert view.cursor == view.total - 1 and view.current_item.key == last
        assert "Ahead 119" in "\n".join(_lines(app))
        assert len(view.keys) <= 2 * PAGE_SIZE  # the first page and the last
        _assert_lines_as_read_afresh(view, owner)


async def test_a_call_or_a_snooze_moves_the_item_where_the_database_now_has_it(long_queue):
    """The queue is changed in place after a write, before it is read again: every line
    read then holds what a fresh read puts there (a deal due today after the other
    deals, a lead at the end of its section, the lines below moved up)."""
    from funnel_tui.read.today import DEAL, LEAD

    app, owner = long_queue
    rules = Funnel(load_config(), "rita", lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#queue")
        await pilot.press("end", "home")  # the first page and the last read
        await settle(pilot)
        assert view.keys[1][0] == DEAL  # overdue the longest
        moves = [  # (the item, where it goes)
            (view.keys[5], "today"),  # a late lead, to call again later today
            (view.keys[1], "today"),  # after the two deals due today, before that lead
            (view.keys[view.total - 3], None),  # snoozed out of the queue
            (view.keys[2], "unscheduled"),  # reached: nothing scheduled after
        ]
        for key, to in moves:
            assert key is not None
            target = {"lead_id": key[1]} if key[0] == LEAD else {"opportunity_id": key[1]}
            if to == "today":
                rules.log_activity(**target, kind="call", next_action="Again", next_due=TODAY)
            elif to is None:
                rules.snooze(days=3, **target)
            else:
                rules.log_activity(**target, kind="call", outcome="reached")
            view.move_item(key, to, None)  # as the screen does once the write is done
            _assert_lines_as_read_afresh(view, owner)
        assert view.counts["today"] == 4
