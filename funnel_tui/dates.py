"""Dates as a rep types and reads them, in the rep's own time zone.

Stored times are naive UTC (models.py). What "today" is, and how a time reads, follows
the user's zone: `timezone` in funnel.toml, else $TZ, else the system's. Due dates are
calendar dates in that zone, typed in quick forms (`tomorrow`, `+3d`, `fri`, `12/01`)
and always shown back as an unambiguous date before anything is saved.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC
DATE_ORDERS = ("mdy", "dmy", "ymd")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EXAMPLES = "today, tomorrow, +3d, +2w, fri, next mon, 2026-12-01"
_LONGEST_FORM = 3  # words: "next mon" is two, "in 3 days" three


class DueDateError(ValueError):
    """Text that is not a due date; the message says what would be."""


def zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def user_zone(configured: str = "") -> dt.tzinfo:
    """The user's zone: the config's, else $TZ, else /etc/localtime's, else UTC.

    Each user's environment counts, not the server's alone: a team on one server sets
    TZ (or `timezone`) per person, and "today" turns over at their midnight."""
    for name in (configured, os.environ.get("TZ", "").lstrip(":")):
        if name and (zone := zone_named(name)) is not None:
            return zone
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target and (zone := zone_named(target.split("zoneinfo/", 1)[1])):
            return zone
        with localtime.open("rb") as data:
            return ZoneInfo.from_file(data, key="localtime")
    except (OSError, ValueError):
        return UTC


def to_local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A stored naive-UTC time as the user's wall-clock time (naive)."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def local_today(now_utc: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return to_local(now_utc, zone).date()


# ------------------------------------------------------------------ quick forms


def parse_due(text: str, today: dt.date, order: str = "mdy") -> dt.date:
    """A due date from what a rep types, relative to `today` (the user's date).

    today, tomorrow (tmr), +3d / 3d / in 3 days, +2w, +1m (same day next month, or
    its last day), mon … sun (the next one after today), next mon (that day in next
    week, weeks starting Monday), 2026-12-01, and day and month with an optional year
    in `order`: 12/01 is 1 December under "mdy", 12 January under "dmy". A day and
    month without a year is the next such date from today on.
    """
    words = text.strip().casefold().split()
    if not words:
        raise DueDateError(f"a due date is needed, e.g. {EXAMPLES}")
    found = _parse_words(words, today, order)
    if found is None:
        raise DueDateError(f"{text.strip()!r} is not a date I know; try {EXAMPLES}")
    return found


def split_due(text: str, today: dt.date, order: str = "mdy") -> tuple[dt.date, str]:
    """`+3d call back` → (the date, "call back"): the date leads, the action follows.
    The date may also close the text (`call back fri`)."""
    words = text.split()
    folded = [w.casefold() for w in words]
    for size in range(min(_LONGEST_FORM, len(words)), 0, -1):
        found = _parse_words(folded[:size], today, order)
        if found is not None:
            return found, " ".join(words[size:])
        found = _parse_words(folded[-size:], today, order)
        if found is not None and size < len(words):
            return found, " ".join(words[:-size])
    raise DueDateError(
        f"{text.strip()!r} has no due date; start it with one, e.g. "
        "'+3d call back', 'fri send quote', 'tomorrow demo'"
    )


_RELATIVE = re.compile(r"^\+?(\d{1,3})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\.?$")


def _parse_words(words: list[str], today: dt.date, order: str) -> dt.date | None:
    text = " ".join(words)
    if text in ("today", "tod", "now"):
        return today
    if text in ("tomorrow", "tmr", "tmrw", "tom"):
        return today + dt.timedelta(days=1)
    if words[0] == "in" and len(words) > 1:
        text = "".join(words[1:])
    match = _RELATIVE.match(text.replace(" ", ""))
    if match:
        count, unit = int(match[1]), match[2][0]
        if unit == "d":
            return today + dt.timedelta(days=count)
        if unit == "w":
            return today + dt.timedelta(weeks=count)
        return add_months(today, count)
    if words[0] == "next" and len(words) == 2:
        day = 0 if words[1] == "week" else _weekday(words[1])
        return None if day is None else _next_week(today, day)
    if len(words) == 1:
        day = _weekday(words[0])
        if day is not None:
            return today + dt.timedelta(days=(day - today.weekday() - 1) % 7 + 1)
        return _numeric(words[0], today, order)
    return None


SINCE_EXAMPLES = "today, yesterday, 7d (seven days ago), 2w, 2026-11-01"
_AGO = re.compile(r"^-?(\d{1,4})(d|day|days|w|wk|week|weeks|m|mo|month|months)$")


def parse_since(text: str, today: dt.date, order: str = "mdy") -> dt.date:
    """A day in the past from what a user types to look back: today, yesterday, 7d or
    "7 days ago", 2w, 1m, a weekday (the last one before today), an ISO date, or a day
    and month in `order` (the last such date up to today)."""
    folded = " ".join(text.strip().casefold().split())
    if not folded:
        raise DueDateError(f"a date is needed, e.g. {SINCE_EXAMPLES}")
    if folded in ("today", "now"):
        return today
    if folded == "yesterday":
        return today - dt.timedelta(days=1)
    match = _AGO.match(folded.removesuffix(" ago").removesuffix("ago").replace(" ", ""))
    if match:
        count, unit = int(match[1]), match[2][0]
        if unit == "d":
            return today - dt.timedelta(days=count)
        if unit == "w":
            return today - dt.timedelta(weeks=count)
        return add_months(today, -count)
    day = _weekday(folded) if " " not in folded else None
    if day is not None:
        return today - dt.timedelta(days=(today.weekday() - day - 1) % 7 + 1)
    # A day and month alone: the last one up to today, not the next.
    found = _numeric(folded, today, order, ahead=False) if " " not in folded else None
    if found is None:
        raise DueDateError(f"{text.strip()!r} is not a date I know; try {SINCE_EXAMPLES}")
    return found


def _weekday(word: str) -> int | None:
    """fri, friday, fr → 4; too short to tell ("t", "s") → None."""
    if len(word) < 2:
        return None
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(word)), None)


def _next_week(today: dt.date, weekday: int) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    return monday + dt.timedelta(days=weekday)


def _numeric(word: str, today: dt.date, order: str, ahead: bool = True) -> dt.date | None:
    """A typed date. A day and month without a year is the next one from today on
    (`ahead`), else the last one up to today, within a year either way: 2/29 typed on
    15 December 2027 is 29 February 2028, and is refused when no 29 February is that
    close."""
    match = _NUMERIC.match(word)
    if not match:
        return None
    first, second, third = match[1], match[2], match[3]
    try:
        if len(first) == 4:  # 2026-12-01 whatever the order
            if third is None:
                return None
            return dt.date(int(first), int(second), int(third))
        if order == "dmy":
            day, month = int(first), int(second)
        else:  # "mdy", and "ymd" without a year reads month/day
            month, day = int(first), int(second)
        if third is not None:
            year = int(third)
            return dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:  # 31/02, month 13
        return None
    step = 1 if ahead else -1
    for year in (today.year, today.year + step):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 31/02, month 13, or 29/02 outside a leap year
            continue
        if (candidate >= today) if ahead else (candidate <= today):
            return candidate
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 Jan + 1m: 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------ reading back


def describe_due(due: dt.date, today: dt.date) -> str:
    """`Fri 27 Nov 2026 · in 4 days`: the weekday and the month in words, never a bare
    12/01 that reads two ways."""
    days = (due - today).days
    when = {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days)
    if when is None:
        when = f"in {days} days" if days > 0 else f"{-days} days ago"
    return f"{due:%a} {due.day} {due:%b %Y} · {when}"


def short_due(due: dt.date, today: dt.date) -> str:
    """`Fri 27 Nov`, with the year only when it is not this year's."""
    text = f"{due:%a} {due.day:>2} {due:%b}"
    return text if due.year == today.year else f"{due.day:>2} {due:%b %Y}"


def short_time(moment: dt.datetime, zone: dt.tzinfo, today: dt.date) -> str:
    """A stored time in the user's zone: `14:05` today, `27 Nov 14:05` this year,
    `27 Nov 2025` before."""
    local = to_local(moment, zone)
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day:>2} {local:%b %H:%M}"
    return f"{local.day:>2} {local:%b %Y}"


def ago(moment: dt.datetime | None, now_utc: dt.datetime) -> str:
    """`3d`, `5w`, `never`: how long since, for a column."""
    if moment is None:
        return "never"
    days = (now_utc - moment).days
    if days < 1:
        return "today"
    if days < 14:
        return f"{days}d"
    if days < 120:
        return f"{days // 7}w"
    return f"{days // 30}mo"
