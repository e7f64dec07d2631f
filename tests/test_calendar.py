"""The rep's calendar: the iCalendar file `funnel calendar` writes, read back with a
maintained parser (icalendar), the file funnel.toml names kept current after every
command that changes something, and `funnel today --due-within` for a notifier."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys

import icalendar
import pytest

from funnel_tui.core import ical
from funnel_tui.rules.funnel import Funnel
from funnel_tui.storage.schema import DATABASE_ID, get_meta
from funnel_tui.transfer.calendar_feed import CalendarAsk, calendar_document

from .clock import NOW
from .test_cli import run

WARSAW_NOW = NOW  # 11:00 in Warsaw


def _events(text: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(text)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_file_holds_timed_events_and_all_day_entries_with_stable_uids(db, config):
    warsaw = dataclasses.replace(config, timezone="Europe/Warsaw")
    rules = Funnel(warsaw, "ola", lambda: NOW)
    name = "Łucja Kowalska; [bold]VIP[/bold], \\ \x1b[31m"
    timed = rules.capture_lead(
        {"name": name, "company": "Kowalski, sp. z o.o.", "phone": "+48 512 345 678",
         "email": "lucja@kowalski.pl"}
    )  # fmt: skip
    whole = rules.capture_lead({"name": "陳志明", "email": "chen@example.tw"})
    at = dt.datetime(2026, 11, 24, 13, 30)  # 14:30 in Warsaw
    rules.log_activity(
        lead_id=timed.id, kind="call", next_action="Call back about the quote",
        next_due=dt.date(2026, 11, 24), next_at=at,
    )  # fmt: skip
    rules.log_activity(
        lead_id=whole.id, kind="email", next_action="寄報價", next_due=dt.date(2026, 11, 27)
    )
    ask = CalendarAsk(rules.user_id, "ola", rules.today(), days=30, alarm_minutes=10)
    text, count = calendar_document(ask, NOW)
    assert count == 2
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    domain = f"{get_meta(DATABASE_ID)}.funnel"
    call = events[f"lead-{timed.id}@{domain}"]
    assert call.decoded("DTSTART") == at.replace(tzinfo=dt.UTC)
    assert call.decoded("DTEND") - call.decoded("DTSTART") == dt.timedelta(minutes=15)
    assert str(call["SUMMARY"]) == (
        "Call back about the quote · Łucja Kowalska; [bold]VIP[/bold], \\ [31m "
        "(Kowalski, sp. z o.o.)"
    )
    description = str(call["DESCRIPTION"])
    assert "Phone: +48 512 345 678" in description and "Email: lucja@kowalski.pl" in description
    assert str(call["URL"]) == "tel:+48512345678"
    alarm = call.walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=10)
    day = events[f"lead-{whole.id}@{domain}"]
    assert day.decoded("DTSTART") == dt.date(2026, 11, 27)
    assert day.decoded("DTEND") == dt.date(2026, 11, 28)
    assert str(day["SUMMARY"]) == "寄報價 · 陳志明"
    # Moved a week and written again: the same UID, at its new date.
    rules.snooze(lead_id=whole.id, days=7)
    again = _events(calendar_document(ask, NOW)[0])
    assert again[f"lead-{whole.id}@{domain}"].decoded("DTSTART") == dt.date(2026, 12, 4)
    # Settled (a call with nothing next): gone.
    rules.log_activity(lead_id=timed.id, kind="call", outcome="reached")
    assert list(_events(calendar_document(ask, NOW)[0])) == [f"lead-{whole.id}@{domain}"]


def test_the_window_leaves_out_what_is_overdue_or_too_far_unless_all(db, config):
    rules = Funnel(dataclasses.replace(config, timezone="Etc/UTC"), "ola", lambda: NOW)
    ids = []
    for days in (0, 10, 40):
        lead = rules.capture_lead({"name": f"In {days}", "email": f"l{days}@example.com"})
        rules.log_activity(
            lead_id=lead.id, kind="call", next_action="x",
            next_due=NOW.date() + dt.timedelta(days=days),
        )  # fmt: skip
        ids.append(lead.id)
    later = Funnel(dataclasses.replace(config, timezone="Etc/UTC"), "ola",
                   lambda: NOW + dt.timedelta(days=1))  # fmt: skip
    for days, expected in ((30, ids[1:2]), (40, ids[1:]), (None, ids)):
        ask = CalendarAsk(later.user_id, "ola", later.today(), days=days)
        found = _events(calendar_document(ask, NOW)[0])
        assert sorted(int(uid.split("@")[0].split("-")[1]) for uid in found) == expected, days


def test_an_action_set_from_another_zone_reminds_its_owner_on_time(db, config):
    """A due date is the local date of whoever set the action. A manager in Taipei,
    Monday 07:00 there, books "9:00" on a rep's lead: Monday's date, and for the rep in
    Mexico City Sunday 19:00. The rep's reminder and `--due-within` still find it."""
    from funnel_tui.core.times import parse_when
    from funnel_tui.read.today import coming_due

    sunday_evening = dt.datetime(2026, 11, 22, 23, 0)  # 17:00 in Mexico City
    ana = Funnel(dataclasses.replace(config, timezone="America/Mexico_City"), "ana",
                 lambda: sunday_evening)  # fmt: skip
    mei = Funnel(dataclasses.replace(config, timezone="Asia/Taipei"), "mei",
                 lambda: sunday_evening)  # fmt: skip
    lead = ana.capture_lead({"name": "Rosa Díaz", "phone": "+52 55 1234 5678"})
    when = parse_when("9:00", sunday_evening, mei.zone)
    assert when.day == dt.date(2026, 11, 23) and when.at == dt.datetime(2026, 11, 23, 1, 0)
    mei.log_activity(
        lead_id=lead.id, kind="note", next_action="Call Rosa", next_due=when.day,
        next_at=when.at,
    )  # fmt: skip
    ten_before = when.at - dt.timedelta(minutes=10)  # Sunday 18:50 for Ana
    found = coming_due(ana.user_id, ten_before, when.at)
    assert [(item.id, item.at) for item in found] == [(lead.id, when.at)]
    assert coming_due(ana.user_id, sunday_evening, ten_before) == []


def test_a_stored_number_with_line_breaks_adds_nothing_to_the_calendar(db, config):
    """A member can write the shared file: a number holding CR LF and calendar lines
    must not add an event to every subscriber's calendar (the URL is built as the
    terminal's links are, core.contact_urls)."""
    from funnel_tui.storage.models import Lead

    rules = Funnel(dataclasses.replace(config, timezone="Etc/UTC"), "ola", lambda: NOW)
    lead = rules.capture_lead({"name": "Ewa", "phone": "+48 512 345 678"})
    rules.log_activity(lead_id=lead.id, kind="call", next_action="Call",
                       next_due=NOW.date(), next_at=NOW + dt.timedelta(hours=2))  # fmt: skip
    hostile = "+48512345678\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:Pay"
    Lead.update(phone_e164=hostile).where(Lead.id == lead.id).execute()
    ask = CalendarAsk(rules.user_id, "ola", rules.today(), days=30)
    text, count = calendar_document(ask, NOW)
    events = _events(text)
    assert count == 1 and len(events) == 1 and "evil" not in text
    assert str(next(iter(events.values()))["URL"]) == "tel:+48512345678"
    bad = ical.Event("x@y", "s", "", NOW.date(), url="tel:1\r\nX:y")
    assert not [line for line in ical.event_lines(bad, NOW) if line.startswith(("URL", "X:"))]


def test_text_is_escaped_and_lines_fold_without_splitting_a_character():
    assert ical.escape_text("a;b,c\\d\ne\x1b[0m") == "a\\;b\\,c\\\\d\\ne[0m"
    line = "SUMMARY:" + "陳" * 40
    folded = ical.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_calendar_and_due_within_on_the_command_line(cli_env, tmp_path):
    run(["add", "--name", "Dora Diaz", "--email", "dora@example.com",
         "--phone", "+1 212 555 0100"], cli_env)  # fmt: skip
    run(["add", "--name", "Emil Ek", "--email", "emil@example.com"], cli_env)
    logged = run(["log", "1", "--type", "call", "--next", "+2h call back"], cli_env)
    assert "next: call back · " in logged.stdout and "in 2 hours" in logged.stdout
    run(["log", "2", "--type", "email", "--next", "+5h send deck"], cli_env)
    bad = run(["log", "2", "--type", "call", "--next", "tomorrow 25:00 x"], cli_env, 1)
    assert "next: '25:00' is not a time of day" in bad.stderr
    soon = json.loads(run(["today", "--due-within", "3h", "--format", "json"], cli_env).stdout)
    assert [item["name"] for item in soon["items"]] == ["Dora Diaz"]
    assert soon["within_minutes"] == 180 and soon["items"][0]["at"].endswith("Z")
    later = json.loads(run(["today", "--due-within", "6h", "--format", "json"], cli_env).stdout)
    assert [item["name"] for item in later["items"]] == ["Dora Diaz", "Emil Ek"]
    # `show` gives the time too: in UTC in JSON, on the rep's clock in text.
    record = json.loads(run(["show", "1", "--format", "json"], cli_env).stdout)
    at = soon["items"][0]["at"]
    assert record["next_action_at"] == at
    assert record["activities"][0]["next_at"] == at
    shown = run(["show", "1"], cli_env).stdout  # times in the zone the tests run in
    moment = dt.datetime.fromisoformat(soon["items"][0]["local_time"])
    assert f"next action at        {moment:%Y-%m-%d %H:%M}" in shown
    assert f"next: call back by {moment:%a} {moment.day} {moment:%b %Y} " in shown
    table = run(["today", "--due-within", "15m"], cli_env).stdout
    assert "Nothing falls due in the next 15m." in table
    wrong = run(["today", "--due-within", "soon"], cli_env, 1)
    assert "due-within: 'soon' is not a span of time" in wrong.stderr
    out = tmp_path / "mine.ics"
    said = run(["calendar", "-o", str(out)], cli_env)
    assert "2 next actions written to" in said.stderr
    events = _events(out.read_text())
    starts = sorted(e.decoded("DTSTART").isoformat().replace("+00:00", "Z") for e in
                    events.values())  # fmt: skip
    assert starts[0] == later["items"][0]["at"]
    printed = subprocess.run(
        [sys.executable, "-m", "funnel_tui", "calendar"], capture_output=True, env=cli_env
    ).stdout
    assert printed.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")  # CRLF, as RFC 5545
    refused = run(["calendar", "-o", str(tmp_path / "no" / "x.ics")], cli_env, 1)
    assert "output: cannot write the calendar file" in refused.stderr


def test_the_configured_calendar_file_follows_every_change(cli_env, tmp_path):
    kept = tmp_path / "kept.ics"
    config = tmp_path / "funnel.toml"
    config.write_text(f'calendar_file = "{kept}"\n')
    env = {**cli_env, "FUNNEL_CONFIG": str(config)}
    run(["add", "--name", "Dora Diaz", "--email", "dora@example.com"], env)
    run(["log", "1", "--type", "call", "--next", "+3d call back"], env)
    assert len(_events(kept.read_text())) == 1
    run(["log", "1", "--type", "call", "--outcome", "reached"], env)  # settles it
    assert _events(kept.read_text()) == {}
    config.write_text(f'calendar_file = "{tmp_path / "gone" / "kept.ics"}"\n')
    done = run(["log", "1", "--type", "call", "--next", "+1d again"], env)
    assert "calendar_file: cannot write the calendar file" in done.stderr  # said, exit 0
    assert "logged call" in done.stdout


@pytest.mark.parametrize("text", ["0", "-5", "3661", "9999999"])
def test_calendar_days_must_be_one_to_ten_years(cli_env, text):
    refused = run(["calendar", "--days", text], cli_env, 1)
    assert "days: give a number of days from 1 to 3,660" in refused.stderr
    assert "Traceback" not in refused.stderr  # 9999999 once overflowed the date


def test_the_kept_file_outlives_a_database_that_does_not_answer(db, config, tmp_path):
    """The keeper's thread meets a locked or vanished database: it ends quietly (the app
    says so where it reads) and the next change writes the file."""
    import threading
    import time

    import peewee

    from funnel_tui.transfer.calendar_feed import CalendarKeeper

    rules = Funnel(dataclasses.replace(config, timezone="Etc/UTC"), "ola", lambda: NOW)
    lead = rules.capture_lead({"name": "Kept", "email": "kept@example.com"})
    rules.log_activity(lead_id=lead.id, kind="call", next_action="x", next_due=NOW.date())
    answers = iter([peewee.OperationalError("database is locked")])

    def make_ask():
        failure = next(answers, None)
        if failure is not None:
            raise failure
        return CalendarAsk(rules.user_id, "ola", NOW.date(), days=30), NOW

    crashed, said = [], []
    hook, threading.excepthook = threading.excepthook, crashed.append
    try:
        path = tmp_path / "kept.ics"
        keeper = CalendarKeeper(path, make_ask, said.append)
        for _ in range(2):
            keeper.changed()
            deadline = time.monotonic() + 5
            while keeper._running and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        threading.excepthook = hook
    assert not crashed and not said
    assert keeper.written == 1 and "BEGIN:VEVENT" in path.read_text()
