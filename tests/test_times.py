"""Next actions at a time of day: the forms a rep types, the zone's changes of the clocks
(Europe/Warsaw and America/New_York), and the rules that log, snooze, merge and undo
them, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import peewee
import pytest

from funnel_tui.core.errors import DueDateError, Refused
from funnel_tui.core.i18n import set_language
from funnel_tui.core.times import (
    When,
    clock_text,
    describe_when,
    parse_when,
    same_time_on,
    split_when,
    until_text,
)
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.models import Activity, History, Lead

from .clock import NOW

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
TAIPEI = ZoneInfo("Asia/Taipei")
MON = dt.date(2026, 11, 23)


def _utc(zone: dt.tzinfo, *wall: int) -> dt.datetime:
    """The naive UTC moment of a wall-clock time in `zone`."""
    return dt.datetime(*wall, tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)


# NOW is 11:00 in Warsaw on Monday 23 November 2026.
@pytest.mark.parametrize(
    ("text", "day", "wall"),
    [
        ("fri 14:30", dt.date(2026, 11, 27), (14, 30)),
        ("tomorrow 9", dt.date(2026, 11, 24), (9, 0)),
        ("tomorrow 9 pm", dt.date(2026, 11, 24), (21, 0)),
        ("fri 3", dt.date(2026, 11, 27), (15, 0)),  # a bare 1 to 6: the afternoon's
        ("fri 3am", dt.date(2026, 11, 27), (3, 0)),
        ("fri 3:30", dt.date(2026, 11, 27), (15, 30)),  # as fri 3: not half an hour after 3 AM
        ("fri 3.30", dt.date(2026, 11, 27), (15, 30)),
        ("fri 03:00", dt.date(2026, 11, 27), (3, 0)),
        ("morgen 3 Uhr", dt.date(2026, 11, 24), (3, 0)),
        ("tomorrow 7", dt.date(2026, 11, 24), (7, 0)),
        ("12/01 16:00", dt.date(2026, 12, 1), (16, 0)),
        ("2026-12-01 8:05", dt.date(2026, 12, 1), (8, 5)),
        ("+3d 10", dt.date(2026, 11, 26), (10, 0)),
        ("3pm", MON, (15, 0)),
        ("3 PM", MON, (15, 0)),
        ("at 12pm", MON, (12, 0)),
        ("16:00", MON, (16, 0)),
        ("14h", MON, (14, 0)),
        ("14h30", MON, (14, 30)),
        ("next mon 12am", dt.date(2026, 11, 30), (0, 0)),
        # German, Polish, Chinese
        ("morgen 15 Uhr", dt.date(2026, 11, 24), (15, 0)),
        ("morgen 15.30 Uhr", dt.date(2026, 11, 24), (15, 30)),
        ("Fr um 9:30", dt.date(2026, 11, 27), (9, 30)),
        ("Fr 14.30", dt.date(2026, 11, 27), (14, 30)),  # a dot, as German writes it
        ("jutro 15.30", dt.date(2026, 11, 24), (15, 30)),  # and Polish
        ("16.00", MON, (16, 0)),  # alone: no day and month has minutes 00 or past 12
        ("jutro o 15:30", dt.date(2026, 11, 24), (15, 30)),
        ("pt o 8", dt.date(2026, 11, 27), (8, 0)),
        ("明天下午3點", dt.date(2026, 11, 24), (15, 0)),
        ("明天 15:30", dt.date(2026, 11, 24), (15, 30)),
        ("下週一上午10點半", dt.date(2026, 11, 30), (10, 30)),
        ("晚上8点", MON, (20, 0)),
    ],
)
def test_a_date_with_a_time_is_a_moment_in_the_reps_zone(text, day, wall):
    when = parse_when(text, NOW, WARSAW)
    assert when == When(day, _utc(WARSAW, day.year, day.month, day.day, *wall))


@pytest.mark.parametrize(
    ("text", "ahead"),
    [
        ("+2h", dt.timedelta(hours=2)),
        ("in 30 min", dt.timedelta(minutes=30)),
        ("in 2 hours", dt.timedelta(hours=2)),
        ("in 2 Stunden", dt.timedelta(hours=2)),
        ("za 2 godziny", dt.timedelta(hours=2)),
        ("2小時後", dt.timedelta(hours=2)),
        ("30分钟后", dt.timedelta(minutes=30)),
    ],
)
def test_a_span_from_now_is_a_moment_on_a_whole_minute(text, ahead):
    now = NOW + dt.timedelta(seconds=42)
    when = parse_when(text, now, WARSAW)
    assert when.at == NOW + ahead + dt.timedelta(minutes=1)  # the nearest minute
    assert when.day == MON
    assert parse_when(text, NOW + dt.timedelta(seconds=12), WARSAW).at == NOW + ahead


def test_a_dotted_time_that_could_be_a_day_and_month_stays_a_date():
    assert parse_when("10.05", NOW, WARSAW, "dmy") == When(dt.date(2027, 5, 10), None)
    when, action = split_when("Fr 14.30 anrufen", NOW, WARSAW, "dmy")
    assert (when.at, action) == (_utc(WARSAW, 2026, 11, 27, 14, 30), "anrufen")


def test_a_date_alone_stays_a_whole_day_action():
    assert parse_when("fri", NOW, WARSAW) == When(dt.date(2026, 11, 27))
    assert parse_when("+1m", NOW, WARSAW) == When(dt.date(2026, 12, 23))  # still a month
    assert not parse_when("12/01", NOW, WARSAW).timed


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("25:00", "'25:00' is not a time of day; a time runs from 00:00 to 23:59"),
        ("fri 14:75", "'14:75' is not a time of day"),
        ("13pm", "'13pm' is not a time of day"),
        ("10:00", "10:00 AM on Mon 23 Nov 2026 has passed; pick a later time"),
        ("9", "'9' is not a date I know"),
        ("someday 9", "'someday 9' is not a date I know; try tomorrow"),
    ],
)
def test_no_time_of_day_or_a_past_one_is_refused_in_words(text, said):
    with pytest.raises(DueDateError, match=said.replace("(", r"\(")):
        parse_when(text, NOW, WARSAW)


def test_a_time_the_clocks_skip_is_refused_naming_the_first_after_it():
    # Warsaw goes from 02:00 to 03:00 on 28 March 2027; New York on 14 March 2027. (A
    # night hour is written 02:30 or 2:30 am: a plain 2:30 is the afternoon's.)
    with pytest.raises(
        DueDateError,
        match="2:30 AM does not exist on Sun 28 Mar 2027 in Europe/Warsaw: the clocks go "
        "forward then; pick 3:00 AM or later",
    ):
        parse_when("2027-03-28 02:30", NOW, WARSAW)
    with pytest.raises(DueDateError, match=r"in America/New_York.*pick 3:00 AM or later"):
        parse_when("2027-03-14 02:59", NOW, NEW_YORK)
    # The minutes either side exist.
    assert parse_when("2027-03-28 01:59", NOW, WARSAW).at == dt.datetime(2027, 3, 28, 0, 59)
    assert parse_when("2027-03-28 03:00", NOW, WARSAW).at == dt.datetime(2027, 3, 28, 1, 0)
    assert parse_when("2027-03-14 3am", NOW, NEW_YORK).at == dt.datetime(2027, 3, 14, 7, 0)


def test_a_time_the_clocks_pass_twice_is_the_first_of_the_two():
    # Warsaw goes back from 03:00 to 02:00 on 31 October 2027, New York on 7 November.
    assert parse_when("2027-10-31 02:30", NOW, WARSAW).at == dt.datetime(2027, 10, 31, 0, 30)
    twice = parse_when("2027-11-07 1:30 am", NOW, NEW_YORK)
    assert twice.at == dt.datetime(2027, 11, 7, 5, 30)
    # Read back saying which of the two it is; an ordinary time says no zone.
    assert describe_when(twice, NOW, NEW_YORK).startswith("Sun 7 Nov 2027 1:30 AM EDT · ")
    assert "CET" not in describe_when(parse_when("fri 9", NOW, WARSAW), NOW, WARSAW)


def test_a_time_reads_back_as_the_reps_locale_writes_it():
    when = parse_when("fri 14:30", NOW, WARSAW)
    assert describe_when(when, NOW, WARSAW) == "Fri 27 Nov 2026 2:30 PM · in 4 days"
    assert describe_when(parse_when("+2h", NOW, WARSAW), NOW, WARSAW).endswith("· in 2 hours")
    assert until_text(NOW + dt.timedelta(minutes=25), NOW) == "in 25 min"
    assert until_text(NOW - dt.timedelta(minutes=20), NOW) == "20 min ago"
    assert until_text(NOW, NOW) == "now"
    assert until_text(NOW + dt.timedelta(minutes=90), NOW) == "in 1 h 30 min"  # not 2 hours
    assert until_text(NOW + dt.timedelta(minutes=120), NOW) == "in 2 hours"
    assert until_text(NOW + dt.timedelta(minutes=200), NOW) == "in 3 hours"
    # A day or more away, in days on the calendar: Friday morning and late evening alike
    # (4 days 12.5 hours once rounded to 5).
    for clock in ("9:00", "23:30"):
        later = parse_when(f"fri {clock}", NOW, WARSAW)
        assert describe_when(later, NOW, WARSAW).endswith(" · in 4 days"), clock
    noon_and_a_half = dt.time(14, 30)
    try:
        set_language("de")
        assert clock_text(noon_and_a_half) == "14:30"
        assert describe_when(when, NOW, WARSAW) == "Fr., 27. Nov. 2026 14:30 · in 4 Tagen"
        set_language("zh_TW")
        assert clock_text(noon_and_a_half) == "下午2:30"
        set_language("pl")
        assert clock_text(noon_and_a_half) == "14:30"
    finally:
        set_language("en")


def test_the_same_wall_time_on_another_day_across_a_change_of_the_clocks():
    three_pm = _utc(WARSAW, 2027, 3, 26, 15, 0)  # CET, UTC+1
    assert same_time_on(three_pm, dt.date(2027, 3, 29), WARSAW) == _utc(WARSAW, 2027, 3, 29, 15)
    assert same_time_on(three_pm, dt.date(2027, 3, 29), WARSAW) == dt.datetime(2027, 3, 29, 13)
    half_past_two = _utc(NEW_YORK, 2027, 3, 13, 2, 30)
    # 02:30 does not exist on the 14th in New York: as far past the gap, 03:30.
    moved = same_time_on(half_past_two, dt.date(2027, 3, 14), NEW_YORK)
    assert moved == _utc(NEW_YORK, 2027, 3, 14, 3, 30)


# ------------------------------------------------------------------ the rules


def _rules(config, zone: str = "Europe/Warsaw", now: dt.datetime = NOW) -> Funnel:
    return Funnel(dataclasses.replace(config, timezone=zone), "alice", lambda: now)


def test_a_timed_next_action_is_stored_in_utc_on_the_lead_and_the_activity(db, config):
    rules = _rules(config)
    lead = rules.capture_lead({"name": "Ola Nowak", "email": "ola@example.com"})
    when = parse_when("fri 14:30", rules.now(), rules.zone)
    rules.log_activity(
        lead_id=lead.id,
        kind="call",
        outcome="reached",
        next_action="Call back",
        next_due=when.day,
        next_at=when.at,
    )
    stored = Lead.get_by_id(lead.id)
    assert (stored.next_action_due, stored.next_action_at) == (
        dt.date(2026, 11, 27),
        dt.datetime(2026, 11, 27, 13, 30),
    )
    activity = Activity.get(Activity.lead == lead.id)
    assert activity.next_action_at == dt.datetime(2026, 11, 27, 13, 30)
    # A later interaction with a whole-day action replaces it, time and all.
    rules.log_activity(lead_id=lead.id, kind="call", next_action="Send quote", next_due=MON)
    assert Lead.get_by_id(lead.id).next_action_at is None


def test_a_time_already_past_is_refused_by_the_rules_and_nothing_is_written(db, config):
    rules = _rules(config)
    lead = rules.capture_lead({"name": "Piotr", "email": "piotr@example.com"})
    with pytest.raises(Refused, match="due: Mon 23 Nov 2026 10:30 AM has passed"):
        rules.log_activity(
            lead_id=lead.id,
            kind="call",
            next_action="Call back",
            next_due=MON,
            next_at=dt.datetime(2026, 11, 23, 9, 30),
        )
    assert Activity.select().count() == 0
    assert Lead.get_by_id(lead.id).next_action_at is None


def test_a_snooze_keeps_the_time_of_day_across_the_change_of_the_clocks(db, config):
    """A call at 3 pm on Friday 26 March, snoozed a day: Monday (the working week), at
    3 pm in Warsaw though the clocks went forward on the Sunday between."""
    friday = dt.datetime(2027, 3, 26, 8, 0)
    rules = _rules(config, now=friday)
    lead = rules.capture_lead({"name": "Ewa", "email": "ewa@example.com"})
    three_pm = _utc(WARSAW, 2027, 3, 26, 15, 0)
    rules.log_activity(
        lead_id=lead.id,
        kind="call",
        next_action="Call back",
        next_due=dt.date(2027, 3, 26),
        next_at=three_pm,
    )
    assert rules.snooze(lead_id=lead.id, days=1) == dt.date(2027, 3, 29)
    stored = Lead.get_by_id(lead.id)
    assert stored.next_action_at == _utc(WARSAW, 2027, 3, 29, 15, 0)
    moved = History.get((History.action == "snooze") & (History.field == "next_action_at"))
    assert (moved.old, moved.new) == ("2027-03-26 14:00:00", "2027-03-29 13:00:00")


def test_a_merge_takes_the_sooner_of_two_actions_by_their_time_and_undo_gives_it_back(db, config):
    rules = _rules(config)
    keep = rules.capture_lead({"name": "Anna Kowalska", "email": "anna@example.com"})
    other = rules.capture_lead({"name": "Ania Kowalska", "email": "ania@example.com"})
    for lead, wall in ((keep, 16), (other, 12)):
        rules.log_activity(
            lead_id=lead.id,
            kind="call",
            next_action=f"Call at {wall}",
            next_due=MON,
            next_at=_utc(WARSAW, 2026, 11, 23, wall, 0),
        )
    rules.merge_leads(keep.id, other.id)
    survivor = Lead.get_by_id(keep.id)
    assert (survivor.next_action, survivor.next_action_at) == (
        "Call at 12",
        _utc(WARSAW, 2026, 11, 23, 12, 0),
    )
    assert Lead.get_by_id(other.id).next_action_at is None
    rules.undo_last()
    assert Lead.get_by_id(keep.id).next_action_at == _utc(WARSAW, 2026, 11, 23, 16, 0)
    assert Lead.get_by_id(other.id).next_action_at == _utc(WARSAW, 2026, 11, 23, 12, 0)


def test_an_activity_logged_on_many_gives_each_the_time_and_undo_takes_it_back(db, config):
    rules = _rules(config)
    ids = [
        rules.capture_lead({"name": f"Rep {i}", "email": f"r{i}@example.com"}).id for i in range(3)
    ]
    at = _utc(WARSAW, 2026, 11, 24, 9, 0)
    rules.bulk_log_activity(
        ids, kind="email", next_action="Follow up", next_due=dt.date(2026, 11, 24), next_at=at
    )
    assert {lead.next_action_at for lead in Lead.select()} == {at}
    assert {a.next_action_at for a in Activity.select()} == {at}
    rules.undo_last()
    assert {lead.next_action_at for lead in Lead.select()} == {None}
    assert Activity.select().count() == 0


@pytest.mark.parametrize("language", ["en", "de", "pl", "zh_TW", "zh_CN"])
def test_every_example_a_due_field_gives_reads_as_a_moment_in_its_language(language):
    """The examples in the field's placeholder, in each language and date order, are
    each read by parse_when (at 08:00, so that none has passed), the last three as
    times."""
    from funnel_tui.core.times import when_forms

    morning = dt.datetime(2026, 11, 23, 7, 0)
    try:
        set_language(language)
        for order in ("mdy", "dmy", "ymd"):
            examples = [e.strip() for e in re.split("[,、，]", when_forms(order))]
            read = [parse_when(example, morning, WARSAW, order) for example in examples]
            assert [when.timed for when in read][-3:] == [True] * 3, examples
            assert len(examples) == 8
    finally:
        set_language("en")


def test_a_schema_16_database_gets_times_and_the_queues_indexes_in_time_order(db_target, config):
    from funnel_tui.read.today import DUE_TODAY, section_keys
    from funnel_tui.storage import list_index as indexmod
    from funnel_tui.storage import schema
    from funnel_tui.storage.database import close_database, open_database

    from .legacy_schema import undo_schema_17

    database = open_database(db_target)
    rules = _rules(config)
    lead = rules.capture_lead({"name": "Ola", "email": "ola@example.com"})
    rules.log_activity(lead_id=lead.id, kind="call", next_action="Call", next_due=MON)
    with database.atomic():
        undo_schema_17(database)
        schema.set_meta("schema_version", "16")
    close_database()

    database = open_database(db_target)
    assert schema.stored_version(database) == schema.SCHEMA_VERSION == 17
    names = indexmod.list_index_names(database)
    assert {indexmod.TODAY_LEAD_INDEX, indexmod.TODAY_DEAL_INDEX} <= names
    found = {
        row[0]
        for row in database.execute_sql(
            "SELECT indexname FROM pg_indexes"
            if isinstance(database, peewee.PostgresqlDatabase)
            else "SELECT name FROM sqlite_master WHERE type = 'index'"
        )
    }
    assert not {"lead_queue_due", "opportunity_queue"} & found
    assert schema.get_meta(schema.DATABASE_ID)
    stored = Lead.get_by_id(lead.id)
    assert (stored.next_action_due, stored.next_action_at) == (MON, None)
    rules = _rules(config)
    rules.log_activity(
        lead_id=lead.id, kind="call", next_action="Call at 3", next_due=MON,
        next_at=_utc(WARSAW, 2026, 11, 23, 15, 0),
    )  # fmt: skip
    assert section_keys(rules.user_id, MON, DUE_TODAY) == [("lead", lead.id)]
