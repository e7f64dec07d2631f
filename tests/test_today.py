"""Due dates as reps type them, the user's time zone, logging, snoozing and the Today
queue's sections: the rules layer, on SQLite and PostgreSQL, and the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import peewee
import pytest

from funnel_tui.config import load_config
from funnel_tui.core.dates import (
    describe_due,
    local_today,
    parse_due,
    parse_since,
    split_due,
    to_local,
    user_zone,
)
from funnel_tui.core.errors import ConfigError, DueDateError, Refused
from funnel_tui.read import today as todaymod
from funnel_tui.read.today import (
    DEAL,
    DUE_TODAY,
    LEAD,
    OVERDUE,
    SECTIONS,
    UNSCHEDULED,
    load_queue,
    queue_counts,
    section_counts,
    section_items,
    section_keys,
)
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage import list_index as indexmod
from funnel_tui.storage import schema as schemamod
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import Activity, History, Lead, Opportunity

from .legacy_schema import undo_schema_8
from .test_cli import run

MON = dt.date(2026, 11, 23)  # a Monday
NOW = dt.datetime(2026, 11, 23, 10, 0)  # UTC


# ------------------------------------------------------------------ date forms


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", MON, MON),
        ("tomorrow", MON, dt.date(2026, 11, 24)),
        ("+3d", MON, dt.date(2026, 11, 26)),
        ("3d", MON, dt.date(2026, 11, 26)),
        ("in 3 days", MON, dt.date(2026, 11, 26)),
        ("+2w", MON, dt.date(2026, 12, 7)),
        ("fri", MON, dt.date(2026, 11, 27)),
        ("Friday", MON, dt.date(2026, 11, 27)),
        ("mon", MON, dt.date(2026, 11, 30)),  # the next Monday, not today
        ("next mon", MON, dt.date(2026, 11, 30)),
        ("next fri", MON, dt.date(2026, 12, 4)),  # Friday of next week
        ("next mon", dt.date(2026, 11, 29), dt.date(2026, 11, 30)),  # said on a Sunday
        ("2026-12-01", MON, dt.date(2026, 12, 1)),
        ("12/01", MON, dt.date(2026, 12, 1)),
        ("12/01/2027", MON, dt.date(2027, 12, 1)),
        # Month and year ends.
        ("+1d", dt.date(2026, 11, 30), dt.date(2026, 12, 1)),
        ("+3d", dt.date(2026, 12, 30), dt.date(2027, 1, 2)),
        ("+1w", dt.date(2026, 12, 28), dt.date(2027, 1, 4)),
        ("+1m", dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        ("+1m", dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        ("+1m", dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        ("fri", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        ("next mon", dt.date(2026, 12, 31), dt.date(2027, 1, 4)),
        ("12/01", dt.date(2026, 12, 15), dt.date(2027, 12, 1)),  # passed: next year's
        ("1/5", dt.date(2026, 12, 15), dt.date(2027, 1, 5)),
        ("tomorrow", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        # 29 February: the next one within a year, else none.
        ("2/29", dt.date(2027, 3, 1), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2027, 12, 15), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2028, 2, 29), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2028, 3, 1), None),  # the next is in 2032
        ("2/28", dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        ("tomorrow", dt.date(2028, 2, 28), dt.date(2028, 2, 29)),
        ("tomorrow", dt.date(2028, 2, 29), dt.date(2028, 3, 1)),
        ("+1m", dt.date(2028, 2, 29), dt.date(2028, 3, 29)),
        ("2/29/2027", dt.date(2026, 11, 23), None),
    ],
)
def test_due_date_forms(text, today, expected):
    if expected is None:
        with pytest.raises(DueDateError):
            parse_due(text, today)
    else:
        assert parse_due(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", MON, MON),
        ("yesterday", dt.date(2028, 3, 1), dt.date(2028, 2, 29)),
        ("yesterday", dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
        ("7d", dt.date(2027, 1, 3), dt.date(2026, 12, 27)),
        ("2w", MON, dt.date(2026, 11, 9)),
        ("1m", dt.date(2028, 3, 31), dt.date(2028, 2, 29)),
        ("fri", MON, dt.date(2026, 11, 20)),  # the last Friday before today
        ("mon", MON, dt.date(2026, 11, 16)),
        ("2026-11-01", MON, dt.date(2026, 11, 1)),
        ("11/01", MON, dt.date(2026, 11, 1)),
        ("12/01", MON, dt.date(2025, 12, 1)),  # not yet this year: last year's
        ("12/31", dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
        # 29 February: the last one within a year, else none.
        ("2/29", dt.date(2028, 3, 1), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2029, 1, 15), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2028, 2, 29), dt.date(2028, 2, 29)),
        ("2/29", dt.date(2028, 2, 10), None),  # the last was in 2024
    ],
)
def test_since_dates_look_back(text, today, expected):
    if expected is None:
        with pytest.raises(DueDateError):
            parse_since(text, today)
    else:
        assert parse_since(text, today) == expected


def test_day_and_month_follow_the_configured_order():
    assert parse_due("12/01", MON, "mdy") == dt.date(2026, 12, 1)
    assert parse_due("12/01", MON, "dmy") == dt.date(2027, 1, 12)
    assert parse_due("1.12.", MON, "dmy") == dt.date(2026, 12, 1)
    assert parse_due("2026-12-01", MON, "dmy") == dt.date(2026, 12, 1)


@pytest.mark.parametrize("text", ["", "soon", "13/45", "+3", "next", "t", "call back"])
def test_unreadable_due_dates_are_refused_with_examples(text):
    with pytest.raises(DueDateError) as refused:
        parse_due(text, MON)
    assert "tomorrow" in str(refused.value) and "+3d" in str(refused.value)


def test_the_date_can_lead_or_close_a_next_action():
    assert split_due("+3d call back", MON) == (dt.date(2026, 11, 26), "call back")
    assert split_due("next mon Demo for the CFO", MON) == (
        dt.date(2026, 11, 30),
        "Demo for the CFO",
    )
    assert split_due("send the quote fri", MON) == (dt.date(2026, 11, 27), "send the quote")
    assert split_due("tomorrow", MON) == (dt.date(2026, 11, 24), "")
    with pytest.raises(DueDateError, match="start it with one"):
        split_due("call back soon", MON)


def test_a_date_reads_back_in_words():
    assert describe_due(dt.date(2026, 11, 27), MON) == "Fri 27 Nov 2026 · in 4 days"
    assert describe_due(MON, MON) == "Mon 23 Nov 2026 · today"
    assert describe_due(dt.date(2026, 11, 20), MON) == "Fri 20 Nov 2026 · 3 days ago"


# ------------------------------------------------------------------ time zones


def test_today_follows_the_users_zone_across_midnight_and_dst():
    warsaw, new_york = user_zone("Europe/Warsaw"), user_zone("America/New_York")
    # 23:30 UTC on the eve of the spring change is already the 29th in Warsaw.
    assert local_today(dt.datetime(2026, 3, 28, 23, 30), warsaw) == dt.date(2026, 3, 29)
    # Across the change the offset goes from +1 to +2.
    assert to_local(dt.datetime(2026, 3, 29, 0, 30), warsaw).hour == 1
    assert to_local(dt.datetime(2026, 3, 29, 1, 30), warsaw).hour == 3
    # In autumn 02:30 happens twice; both UTC moments read as 02:30 on the 25th.
    first, second = dt.datetime(2026, 10, 25, 0, 30), dt.datetime(2026, 10, 25, 1, 30)
    assert to_local(first, warsaw) == to_local(second, warsaw) == dt.datetime(2026, 10, 25, 2, 30)
    # 03:00 UTC on the 24th is still the evening of the 23rd in New York.
    assert local_today(dt.datetime(2026, 11, 24, 3, 0), new_york) == MON
    # A relative date counts calendar days, whatever the clock change does to hours.
    assert parse_due("+1d", dt.date(2026, 3, 28)) == dt.date(2026, 3, 29)


def test_the_users_zone_not_the_servers_decides_today(tmp_path, monkeypatch, db, config):
    monkeypatch.setenv("TZ", "UTC")
    path = tmp_path / "funnel.toml"
    path.write_text('timezone = "America/Los_Angeles"\n')
    late = dt.datetime(2026, 11, 24, 5, 0)  # the 24th in UTC, 21:00 on the 23rd in LA
    assert Funnel(load_config(str(path)), "alice", lambda: late).today() == MON
    assert Funnel(config, "alice", lambda: late).today() == dt.date(2026, 11, 24)
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert Funnel(config, "alice", lambda: NOW).today() == MON  # 19:00 in Tokyo


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('timezone = "Mars/Olympus"', 'timezone must be a time zone name such as "Europe/Warsaw"'),
        ('date_order = "ydm"', "date_order must be one of mdy, dmy, ymd"),
    ],
)
def test_bad_zone_or_date_order_is_refused_with_its_line(tmp_path, line, message):
    path = tmp_path / "funnel.toml"
    path.write_text(f"# mine\n{line}\n")
    with pytest.raises(ConfigError) as refused:
        load_config(str(path))
    assert "line 2" in str(refused.value) and message in str(refused.value)


# ------------------------------------------------------------------ logging


def _at(config, when: dt.datetime, user: str = "alice") -> Funnel:
    """`user` at `when` (UTC), in UTC too: MON is their today in whatever zone the tests
    run (at NOW it is already the 24th from UTC+14)."""
    return Funnel(dataclasses.replace(config, timezone="Etc/UTC"), user, lambda: when)


def _lead(rules: Funnel, name: str, **extra) -> Lead:
    return rules.capture_lead({"name": name, "email": f"{name.lower()}@example.com", **extra})


def test_only_a_two_way_interaction_moves_new_to_working(db, config):
    rules = _at(config, NOW)
    lead = _lead(rules, "Ines")
    for kind, direction, outcome in (
        ("call", "outbound", "no answer"),
        ("email", "outbound", "sent"),
        ("note", "", ""),
        ("sms", "outbound", "sent"),
    ):
        rules.log_activity(lead_id=lead.id, kind=kind, direction=direction, outcome=outcome)
    assert Lead.get_by_id(lead.id).status == "new"
    rules.log_activity(lead_id=lead.id, kind="email", direction="inbound", outcome="replied")
    stored = Lead.get_by_id(lead.id)
    assert (stored.status, stored.version) == ("working", 2)
    auto = History.get((History.action == "auto") & (History.entity_id == lead.id))
    assert (auto.old, auto.new, auto.user.login, auto.at) == ("new", "working", "alice", NOW)
    # Outcomes typed with spaces are stored as the form's words.
    assert Activity.get(Activity.kind == "call").outcome == "no_answer"


def test_an_interaction_settles_the_open_next_action_and_a_note_does_not(db, config):
    rules = _at(config, NOW)
    lead = _lead(rules, "Jonas")
    rules.log_activity(
        lead_id=lead.id, kind="call", outcome="reached", next_action="Call back", next_due=MON
    )
    assert (Lead.get_by_id(lead.id).next_action, Lead.get_by_id(lead.id).next_action_due) == (
        "Call back",
        MON,
    )
    rules.log_activity(lead_id=lead.id, kind="note", note="prefers mornings")
    assert Lead.get_by_id(lead.id).next_action_due == MON
    rules.log_activity(lead_id=lead.id, kind="call", outcome="reached")
    stored = Lead.get_by_id(lead.id)
    assert (stored.next_action, stored.next_action_due) == ("", None)
    still_open = Activity.next_action_due.is_null(False) & (Activity.next_action_done == False)
    assert Activity.select().where(still_open).count() == 0


def test_a_due_date_in_the_past_is_refused_and_nothing_is_written(db, config):
    rules = _at(config, NOW)
    lead = _lead(rules, "Kai")
    with pytest.raises(Refused, match="due: Sun 2026-11-22 is in the past"):
        rules.log_activity(
            lead_id=lead.id, kind="call", next_action="x", next_due=dt.date(2026, 11, 22)
        )
    assert Activity.select().count() == 0


def test_snooze_moves_the_next_action_from_today_or_its_due_date(db, config):
    rules = _at(config, NOW)
    late, ahead, bare = (_lead(rules, n) for n in ("Lena", "Milo", "Nora"))
    for lead, due in ((late, MON), (ahead, dt.date(2026, 11, 30))):
        rules.log_activity(lead_id=lead.id, kind="call", next_action="Call back", next_due=due)
    later = _at(config, NOW + dt.timedelta(days=3))  # Lena is overdue by then
    assert later.snooze(lead_id=late.id, days=1) == dt.date(2026, 11, 27)
    assert later.snooze(lead_id=ahead.id, days=7) == dt.date(2026, 12, 7)
    assert later.snooze(lead_id=bare.id, days=1) == dt.date(2026, 11, 27)
    assert Lead.get_by_id(bare.id).next_action == "Follow up"
    moved = History.get((History.action == "snooze") & (History.entity_id == late.id))
    assert (moved.field, moved.old, moved.new) == ("next_action_due", "2026-11-23", "2026-11-27")
    with pytest.raises(Refused, match="days: snooze by 1 to 366 days"):
        later.snooze(lead_id=late.id, days=0)


# ------------------------------------------------------------------ the queue


def _deal(rules: Funnel, name: str) -> Opportunity:
    lead = _lead(rules, name)
    for item in ("budget", "authority", "need", "timeline"):
        rules.answer(lead.id, item, "yes")
    rules.promote(lead.id)
    return rules.convert(lead.id, amount=1000)


def test_the_queue_has_overdue_due_today_and_nothing_scheduled(db, config):
    week_ago = _at(config, NOW - dt.timedelta(days=7))
    rules = _at(config, NOW)
    overdue = _lead(week_ago, "Olga")
    week_ago.log_activity(
        lead_id=overdue.id,
        kind="call",
        next_action="Call back",
        next_due=MON - dt.timedelta(days=2),
    )
    due_today = _lead(week_ago, "Piet")
    week_ago.log_activity(lead_id=due_today.id, kind="call", next_action="Send deck", next_due=MON)
    ahead = _lead(rules, "Quinn")
    rules.log_activity(
        lead_id=ahead.id, kind="call", next_action="Demo", next_due=MON + dt.timedelta(days=1)
    )
    untouched_old = _lead(week_ago, "Rosa")  # captured a week ago, nobody called
    untouched_new = _lead(rules, "Sven")
    parked = _lead(week_ago, "Tara")
    week_ago.set_status(parked.id, "nurturing", until=MON - dt.timedelta(days=1))
    dropped = _lead(rules, "Ugo")
    rules.set_status(dropped.id, "unqualified", reason="No budget")
    theirs = _lead(_at(config, NOW, "bob"), "Vera")
    deal_due = _deal(week_ago, "Wim")
    week_ago.log_activity(
        opportunity_id=deal_due.id,
        kind="call",
        outcome="reached",
        next_action="Negotiate",
        next_due=MON,
    )
    deal_bare = _deal(_at(config, NOW - dt.timedelta(days=5)), "Xena")
    won = _deal(week_ago, "Yusuf")
    week_ago.win(won.id)

    queue = load_queue(rules.user_id, rules.today())
    keys = {name: [key for key in keys] for name, keys in queue.keys.items()}
    assert keys["overdue"] == [(LEAD, overdue.id), (LEAD, parked.id)]  # longest overdue first
    assert keys["today"] == [(DEAL, deal_due.id), (LEAD, due_today.id)]  # deals first
    # Longest untouched first; converted leads are worked through their deals.
    assert keys["unscheduled"] == [
        (LEAD, untouched_old.id),
        (DEAL, deal_bare.id),
        (LEAD, untouched_new.id),
    ]
    everything = {key for section in keys.values() for key in section}
    for absent in (ahead, dropped, theirs):
        assert (LEAD, absent.id) not in everything
    assert (DEAL, won.id) not in everything
    assert (
        queue_counts(rules.user_id, rules.today())
        == queue.counts
        == {
            "overdue": 2,
            "today": 2,
            "unscheduled": 3,
        }
    )
    parked_row = queue.sections["overdue"][1]
    assert (parked_row.person, parked_row.next_action) == ("Tara", "Check in again")
    deal_row = queue.sections["today"][0]
    assert (deal_row.deal, deal_row.next_action, deal_row.amount_cents) == (
        "Wim",
        "Negotiate",
        100000,
    )

    # A call that reached Olga, with the next call in three days: she leaves the queue.
    rules.log_activity(
        lead_id=overdue.id,
        kind="call",
        outcome="reached",
        next_action="Call back",
        next_due=MON + dt.timedelta(days=3),
    )
    rules.snooze(lead_id=untouched_old.id, days=1)
    after = load_queue(rules.user_id, rules.today())
    assert (LEAD, overdue.id) not in after.keys["overdue"]
    assert (LEAD, untouched_old.id) not in after.keys["unscheduled"]
    # The next day, the snoozed lead is due.
    tomorrow = load_queue(rules.user_id, MON + dt.timedelta(days=1))
    assert (LEAD, untouched_old.id) in tomorrow.keys["today"]


def _spec_order(owner: int, today: dt.date) -> dict[str, list[tuple[str, int]]]:
    """The queue as its rules say, worked out here from every record in Python: what
    the pages read from the indexes must add up to."""
    found = {name: [] for name in SECTIONS}
    for lead in Lead.select().where(Lead.owner == owner):
        due, touched = lead.next_action_due, lead.last_activity_at or lead.created_at
        at = lead.next_action_at or dt.datetime.max  # whole-day after the timed
        if due is not None and due <= today and lead.status != "unqualified":
            found[OVERDUE if due < today else DUE_TODAY].append((due, touched, 1, lead.id, at))
        elif (
            due is None and lead.status in ("new", "working") and lead.level in ("lead", "prospect")
        ):
            found[UNSCHEDULED].append((due, touched, 1, lead.id, at))
    for deal in Opportunity.select().where(Opportunity.owner == owner):
        due, touched = deal.next_action_due, deal.last_activity_at or deal.stage_entered_at
        at = deal.next_action_at or dt.datetime.max
        if deal.state == "open" and (due is None or due <= today):
            section = UNSCHEDULED if due is None else OVERDUE if due < today else DUE_TODAY
            found[section].append((due, touched, 0, deal.id, at))
    orders = {
        # longest overdue (by day, then time), least touched
        OVERDUE: lambda r: (r[0], r[4], r[1], r[2], r[3]),
        DUE_TODAY: lambda r: (r[4], r[2], r[1], r[3]),  # by time, deals first, least touched
        UNSCHEDULED: lambda r: (r[1], r[3], r[2]),  # least touched
    }
    return {
        name: [(DEAL if r[2] == 0 else LEAD, r[3]) for r in sorted(rows, key=orders[name])]
        for name, rows in found.items()
    }


def test_each_section_is_read_a_page_at_a_time_in_the_queues_order(db, config):
    """Deals and leads whose due dates and last touches tie (the deal first), a touch
    with a fraction of a second, the same id for a lead and a deal, records of another
    rep, unqualified and closed ones, actions at a time of day (before the whole-day
    ones of their day): the pages read from the indexes add up to the order the
    queue's rules give, whatever the page size."""
    rules = _at(config, NOW - dt.timedelta(days=20))
    leads = [_lead(rules, f"Lead{i}") for i in range(14)]
    deals = [_deal(rules, f"Deal{i}") for i in range(5)]  # ids 1 to 5, as leads[0:5]
    theirs = _lead(_at(config, NOW - dt.timedelta(days=20), "bob"), "Bob's")
    early, late = dt.datetime(2026, 11, 10, 9, 0), dt.datetime(2026, 11, 12, 9, 0)
    fraction = dt.datetime(2026, 11, 10, 9, 0, 0, 500000)
    past, long_past = MON - dt.timedelta(days=1), MON - dt.timedelta(days=6)
    plan = [  # (record, due, last touched, anything else)
        (deals[0], MON, late, {}),  # due today: before a lead touched earlier
        (deals[1], past, early, {}),
        (leads[0], past, early, {}),  # ties with deals[1], a smaller id: the deal first
        (leads[1], past, fraction, {"next_action_at": dt.datetime(2026, 11, 22, 8, 0)}),
        (leads[2], long_past, late, {}),
        (leads[3], None, early, {}),  # ties with deals[3], id too: the deal first
        (leads[4], MON, None, {}),  # never touched: since its capture
        (deals[2], MON, early, {"next_action_at": dt.datetime(2026, 11, 23, 12, 0)}),
        (deals[3], None, early, {}),
        (leads[5], MON, early, {"next_action_at": dt.datetime(2026, 11, 23, 15, 0)}),
        (leads[6], None, late, {}),
        (leads[7], None, None, {}),
        (leads[8], past, early, {"status": "nurturing"}),
        (leads[9], past, early, {"status": "unqualified"}),  # never in the queue
        (leads[10], None, early, {"status": "nurturing"}),  # nothing to do: not shown
        (leads[11], MON + dt.timedelta(days=2), early, {}),  # ahead: not shown
        (deals[4], past, early, {"state": "won"}),  # closed: not shown
        (leads[12], long_past, late, {}),
        (leads[13], None, early, {}),
        (theirs, past, early, {}),
    ]
    for record, due, touched, other in plan:
        model = type(record)
        changes = {"next_action_due": due, "last_activity_at": touched, **other}
        model.update(**changes).where(model.id == record.id).execute()
    me, today = rules.user_id, MON
    expected = _spec_order(me, today)
    assert [len(expected[name]) for name in SECTIONS] == [6, 4, 5]
    assert expected[OVERDUE][:5] == [
        (LEAD, leads[2].id),
        (LEAD, leads[12].id),
        (LEAD, leads[1].id),  # at 08:00, before the whole-day ones of its day
        (DEAL, deals[1].id),
        (LEAD, leads[0].id),
    ]
    assert expected[DUE_TODAY] == [
        (DEAL, deals[2].id),  # 12:00
        (LEAD, leads[5].id),  # 15:00
        (DEAL, deals[0].id),  # the whole day: deals first, then the least touched
        (LEAD, leads[4].id),
    ]
    assert deals[3].id == leads[3].id
    tie = expected[UNSCHEDULED].index((DEAL, deals[3].id))
    assert expected[UNSCHEDULED][tie + 1] == (LEAD, leads[3].id)
    counts = section_counts(me, today)
    for name in SECTIONS:
        assert section_keys(me, today, name) == expected[name], name
        assert sum(counts[name].values()) == len(expected[name])
        assert counts[name][DEAL] == sum(kind == DEAL for kind, _id in expected[name])
        for size in (1, 2, 5):
            pages = [
                section_keys(me, today, name, start, size)
                for start in range(0, len(expected[name]) + size, size)
            ]
            assert [key for page in pages for key in page] == expected[name], (name, size)
        rows = section_items(me, today, name, 1, 2)
        assert [row.key for row in rows] == expected[name][1:3]
    queue = load_queue(me, today, limit=2)
    assert queue.counts == queue_counts(me, today) == {n: len(k) for n, k in expected.items()}
    assert queue.keys == {name: keys[:2] for name, keys in expected.items()}
    assert [row.key for row in queue.sections[DUE_TODAY]] == expected[DUE_TODAY][:2]
    assert load_queue(me, today, details=False).keys == expected


def test_the_queues_indexes_serve_its_counts_and_pages(db, config):
    """Each section's page and the counts are read from the queue's partial indexes,
    never by scanning a table: with 50,000 items a scan or a sort is what costs."""
    if not isinstance(db, peewee.SqliteDatabase):
        pytest.skip("the plans are SQLite's; PostgreSQL's are measured in bench_today")
    rules = _at(config, NOW)
    for i in range(3):
        _lead(rules, f"Lead{i}")
    _deal(rules, "Deal")
    db.execute_sql("ANALYZE")  # as refresh_statistics leaves a database after bulk writes
    iso, me = MON.isoformat(), rules.user_id
    dated, due = (me, iso, 10), {indexmod.TODAY_LEAD_INDEX, indexmod.TODAY_DEAL_INDEX}
    statements = [  # (SQL, parameters, the indexes it must read)
        (todaymod._counts_sql(), (iso, me, iso, iso, me, iso, me), set(indexmod.TODAY_INDEXES)),
        (todaymod._section_sql(OVERDUE), (*dated, *dated, 10, 0), due),
        (todaymod._section_sql(DUE_TODAY), (*dated, *dated, 10, 0), due),
        (
            todaymod._section_sql(UNSCHEDULED),
            (me, 10, me, 10, 10, 0),
            {indexmod.TODAY_OPEN_LEAD_INDEX, indexmod.TODAY_DEAL_INDEX},
        ),
    ]
    for sql, parameters, wanted in statements:
        used = set()
        for *_ids, detail in db.execute_sql("EXPLAIN QUERY PLAN " + sql, parameters):
            scanned = detail.split()[:2] in (["SCAN", "lead"], ["SCAN", "opportunity"])
            assert not scanned, (sql, detail)  # ("SCAN leads" reads the page's subquery)
            used |= {name for name in indexmod.TODAY_INDEXES if f"INDEX {name} " in detail}
        assert used == wanted, sql


def test_the_indexes_of_earlier_queues_are_dropped(db):
    """A database from schema 8 to 13 had one index per table for the queue, read
    whole; making the list structures again replaces them with the partial ones."""
    db.execute_sql('CREATE INDEX "lead_today" ON "lead" ("owner_id", "next_action_due")')
    db.execute_sql('CREATE INDEX "opportunity_today" ON "opportunity" ("owner_id", "state")')
    with db.atomic():
        indexmod.create_list_structures(db)
    names = {i.name for table in ("lead", "opportunity") for i in db.get_indexes(table)}
    assert not names & set(indexmod.FORMER_TODAY_INDEXES)
    assert set(indexmod.TODAY_INDEXES) <= names


def test_schema_7_database_gets_each_leads_open_next_action(db_target, config):
    database = open_database(db_target)
    rules = _at(config, NOW)
    called, parked, plain_lead = (_lead(rules, n) for n in ("Abe", "Bea", "Cy"))
    rules.log_activity(lead_id=called.id, kind="call", next_action="Call back", next_due=MON)
    rules.set_status(parked.id, "nurturing", until=dt.date(2027, 2, 1))
    activities = Activity.select().count()
    with database.atomic():
        undo_schema_8(database)
        schemamod.set_meta("schema_version", "7")
    close_database()

    database = open_database(db_target)
    assert schemamod.stored_version(database) == schemamod.SCHEMA_VERSION == 17
    assert Activity.select().count() == activities
    got = {
        lead.id: (lead.next_action, lead.next_action_due)
        for lead in Lead.select().order_by(Lead.id)
    }
    assert got == {
        called.id: ("Call back", MON),
        parked.id: ("Check in again", dt.date(2027, 2, 1)),
        plain_lead.id: ("", None),
    }
    indexes = {i.name for i in database.get_indexes("lead")}
    assert indexmod.TODAY_LEAD_INDEX in indexes


# ------------------------------------------------------------------ command line


def test_log_and_today_on_the_command_line(cli_env):
    run(["add", "--name", "Dora Diaz", "--email", "dora@example.com"], cli_env)
    run(["add", "--name", "Emil Ek", "--email", "emil@example.com"], cli_env)
    logged = run(
        ["log", "1", "--type", "call", "--outcome", "reached", "--next", "+3d call back"], cli_env
    )
    assert "next: call back · " in logged.stdout and "in 3 days" in logged.stdout
    assert "call back" in run(["show", "1"], cli_env).stdout
    refused = run(["log", "2", "--type", "call", "--next", "call back soon"], cli_env, check_rc=1)
    assert "next:" in refused.stderr and "'+3d call back'" in refused.stderr
    bad_due = run(["log", "2", "--type", "call", "--next", "x", "--due", "someday"], cli_env, 1)
    assert "due: 'someday' is not a date" in bad_due.stderr
    data = json.loads(run(["today", "--format", "json"], cli_env).stdout)
    assert data["user"] == "carol" and data["counts"] == {
        "overdue": 0,
        "today": 0,
        "unscheduled": 1,
    }
    assert data["sections"]["unscheduled"][0]["name"] == "Emil Ek"
    table = run(["today"], cli_env).stdout
    assert "Nothing scheduled (1)" in table and "Emil Ek" in table


def test_today_lists_the_first_of_each_section_and_counts_the_rest(cli_env):
    """A rep with thousands of items reads the first of each section and how many more
    there are; --all lists every one; JSON keeps its keys and says where it stopped."""
    names = ["Ada", "Ben", "Cleo", "Dan"]  # captured now, never called: nothing scheduled
    for name in names:
        run(["add", "--name", f"{name} Kay", "--email", f"{name.lower()}@example.com"], cli_env)
    table = run(["today", "--limit", "3"], cli_env).stdout
    assert "Nothing scheduled (4)" in table and "… and 1 more" in table
    assert [name in table for name in names] == [True, True, True, False]
    assert "--all lists every item" in table
    everything = run(["today", "--all"], cli_env).stdout
    assert all(name in everything for name in names) and "more" not in everything
    data = json.loads(run(["today", "--limit", "1", "--format", "json"], cli_env).stdout)
    assert list(data) == ["user", "today", "timezone", "counts", "limit", "sections"]
    assert data["counts"]["unscheduled"] == 4 and data["limit"] == 1
    assert [row["name"] for row in data["sections"]["unscheduled"]] == ["Ada Kay"]
    whole = json.loads(run(["today", "--format", "json"], cli_env).stdout)
    assert whole["limit"] == 50 and len(whole["sections"]["unscheduled"]) == 4
    refused = run(["today", "--limit", "0"], cli_env, check_rc=1)
    assert "limit: give a number of items, 1 or more" in refused.stderr
