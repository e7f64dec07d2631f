"""iCalendar (RFC 5545) text for a calendar that subscribes to a rep's next actions.

Only what funnel writes: a VCALENDAR of VEVENTs, each either at a moment (in UTC, with
a length and an alarm) or a whole day (a DATE and the day after it, RFC 5545 3.6.1).
Text values are escaped (backslash, semicolon, comma, line breaks; 3.3.11) and every
line is folded at 75 octets without splitting a UTF-8 character (3.1), lines ending in
CRLF. A UID names the record, not the date, so that a calendar reading the file again
moves an entry whose date moved instead of adding another (3.8.4.7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODUCT = "-//funnel//next actions//EN"
_LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    description: str
    day: dt.date
    at: dt.datetime | None = None  # naive UTC; None: a whole-day entry on `day`
    minutes: int = 15  # how long an entry at a time lasts
    alarm_minutes: int = 0  # an alarm this long before an entry at a time (0: none)
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value: `\\`, `;`, `,` escaped and line breaks as `\\n`; other control
    characters (an escape code pasted into a name) dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(c for c in value if c >= " " or c == "\t")


def fold(line: str) -> str:
    """`line` folded at 75 octets, each continuation starting with a space."""
    data = line.encode()
    if len(data) <= _LINE_OCTETS:
        return line
    parts, start, room = [], 0, _LINE_OCTETS
    while start < len(data):
        end = min(start + room, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character
            end -= 1
        parts.append(data[start:end].decode())
        start, room = end, _LINE_OCTETS - 1  # the leading space counts
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _day(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def event_lines(event: Event, stamp: dt.datetime) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_utc(stamp)}"]
    if event.at is None:
        after = event.day + dt.timedelta(days=1)
        lines += [f"DTSTART;VALUE=DATE:{_day(event.day)}", f"DTEND;VALUE=DATE:{_day(after)}"]
        lines.append("TRANSP:TRANSPARENT")  # a day's to-do does not make the rep busy
    else:
        end = event.at + dt.timedelta(minutes=event.minutes)
        lines += [f"DTSTART:{_utc(event.at)}", f"DTEND:{_utc(end)}"]
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    # A URL is not TEXT (no escaping): one that is not printable ASCII is left out,
    # so that nothing in it can end the line and add properties or events of its own.
    if event.url and event.url.isascii() and event.url.isprintable() and " " not in event.url:
        lines.append(f"URL:{event.url}")
    if event.at is not None and event.alarm_minutes > 0:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(event.summary)}",
            f"TRIGGER:-PT{event.alarm_minutes}M",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def calendar_text(events: Iterable[Event], name: str, stamp: dt.datetime) -> str:
    """The whole file: `events` in a calendar called `name`, stamped `stamp` (UTC)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
