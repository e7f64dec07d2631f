"""A next action at a time of day: typed with its date, read back, kept in UTC.

"Call back at 3 pm" is the commonest next action a rep sets. A due field takes a date as
core.dates reads it, optionally with a time (`fri 14:30`, `tomorrow 9`, `12/01 4pm`,
`morgen 15 Uhr`, `明天下午3點`), or a time alone (`16:00` today, `+2h`, `in 30 min`).
The time is the rep's wall clock in their zone; what is stored is the UTC moment and the
local date (the Today queue's sections stay days in the rep's calendar). A time that the
zone skips (02:30 the night clocks go forward), one that is no time of day (25:00) or one
already past is refused with words that say so, before anything is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from funnel_tui.core.dates import (
    UTC,
    date_of_words,
    day_month_example,
    day_text,
    days_away,
    describe_due,
)
from funnel_tui.core.errors import DueDateError, NoDueDate
from funnel_tui.core.i18n import _, current_language, current_locale, ngettext, pgettext


@dataclass(frozen=True)
class When:
    """A due date, and the moment on it when the action has a time (naive UTC)."""

    day: dt.date
    at: dt.datetime | None = None

    @property
    def timed(self) -> bool:
        return self.at is not None


def when_forms(order: str = "mdy") -> str:
    """The forms a due field takes, dates and times, for its placeholder and errors (each
    read by parse_when in the reader's language: a test holds the translations to it);
    short enough for the log form's field at 80 columns."""
    day_month = day_month_example(order)
    return _("tomorrow, +3d, fri, next mon, {day_month}, fri 14:30, 3pm, +2h").format(
        day_month=day_month
    )


# ------------------------------------------------------------------ reading a time
#
# A time is the last words of what was typed, after the date: 14:30, 9:05, 14h30, 9,
# 9am, 9 pm, 12pm (noon), 15 Uhr, o 15 (Polish "at"), um 15, at 3pm, @14:00, 下午3點,
# 15点30分, 晚上8點半. A bare number is a time only after a date ("tomorrow 9"): alone
# it would read as a date typed wrong.

_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2})|h(\d{2})?)?(am|pm|a\.m\.|p\.m\.)?$")
_HALF_DAY = {"am": "am", "a.m.": "am", "pm": "pm", "p.m.": "pm"}
_AT_WORDS = frozenset({"at", "@", "um", "o", "godz.", "godz", "godzina", "gegen"})
_CLOCK_WORDS = frozenset({"uhr", "h"})
# 14.30, as German and Polish write a time: read so when it cannot be a day and month
# (minutes 00 or past 12); 10.05 stays the 10th of May, the read-back says which.
_DOTTED_TIME = re.compile(r"(\d{1,2})\.(\d{2})")
_HAN_TIME = re.compile(
    r"(上午|早上|中午|下午|晚上|凌晨|傍晚)?(\d{1,2})(?:[點点時时](?:(\d{1,2})分?|(半))?|:(\d{2}))$"
)
_HAN_AFTERNOON = frozenset({"下午", "晚上", "傍晚"})

# `+2h`, `+30min`, `in 2 hours`, `in 30 min`, `in 2 Stunden`, `za 2 godziny`, `2小時後`:
# a moment from now. (`+1m` stays a month, as core.dates has always read it.)
_AHEAD = re.compile(r"^\+?(\d{1,3})(h|hr|hrs|hour|hours|min|mins|minute|minutes)$")
_AHEAD_WORDS = {
    "stunde": "h",
    "stunden": "h",
    "std": "h",
    "minute": "min",
    "minuten": "min",
    "godzina": "h",
    "godziny": "h",
    "godzin": "h",
    "godz": "h",
    "minut": "min",
    "minuty": "min",
    "minutę": "min",
}
_HAN_AHEAD = re.compile(r"^(\d{1,3})\s*(小時|小时|個小時|个小时|分鐘|分钟)\s*(後|后|以後|以后)$")


class _Clock:
    """An hour and minute as typed, checked only once the day is known (25:00 is
    refused with the words that were typed)."""

    def __init__(self, hour: int, minute: int, typed: str):
        self.hour, self.minute, self.typed = hour, minute, typed

    def time(self) -> dt.time:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise DueDateError(
                _("{time!r} is not a time of day; a time runs from 00:00 to 23:59").format(
                    time=self.typed
                )
            )
        return dt.time(self.hour, self.minute)


# An hour from 1 to 6 written plainly is the afternoon's: `fri 3` and `fri 3:30` are
# calls at 3 and 3:30 PM, not in the night (`3am`, `03:30`, `3 Uhr`, `3h` say that).
_AFTERNOON_HOURS = range(1, 7)


def _clock_word(word: str, alone: bool, marked: bool = False) -> _Clock | None:
    """One word as a time: `14:30`, `9am`, `14h` (and a bare `9` unless `alone`); an
    hour 1 to 6 without a leading zero is in the afternoon unless `marked` (Uhr)."""
    match = _CLOCK.match(word)
    if not match:
        return None
    hour_text, minute_colon, minute_h, half = match.groups()
    bare = minute_colon is None and minute_h is None and half is None and "h" not in word
    if alone and bare:
        return None
    hour = int(hour_text)
    plainly = half is None and "h" not in word and not hour_text.startswith("0")
    if plainly and not marked and hour in _AFTERNOON_HOURS:
        hour += 12
    minute = int(minute_colon or minute_h or 0)
    half_day = _HALF_DAY.get(half or "")
    if half_day is not None:
        if not 1 <= hour <= 12:
            return _Clock(99, minute, word)  # 13pm: not a time of day
        hour = hour % 12 + (12 if half_day == "pm" else 0)
    return _Clock(hour, minute, word)


def _split_time(words: list[str]) -> tuple[list[str], _Clock | None]:
    """(the date's words, the time) from the folded words typed."""
    joined = "".join(words)
    if not joined.isascii():
        han = _HAN_TIME.search(words[-1])
        if han:
            part, hour_text, minute_text, half, colon = han.groups()
            hour, minute = int(hour_text), int(minute_text or colon or (30 if half else 0))
            if part in _HAN_AFTERNOON and hour < 12:
                hour += 12
            elif part == "中午" and hour < 6:
                hour += 12  # 中午1點: 13:00
            elif part == "凌晨" and hour == 12:
                hour = 0
            rest = words[-1][: han.start()]
            return [*words[:-1], *([rest] if rest else [])], _Clock(hour, minute, han.group(0))
    # "9 pm", "15 Uhr", "9:30 a.m.": the word after the number says it is a time
    marked = len(words) >= 2 and (words[-1] in _HALF_DAY or words[-1] in _CLOCK_WORDS)
    on_the_clock = marked and words[-1] in _CLOCK_WORDS  # "3 Uhr": the night's 3
    if marked:
        # "15.30 Uhr": with the word that says so, a dot parts hours and minutes too.
        number = words[-2].replace(".", ":") if words[-1] in _CLOCK_WORDS else words[-2]
        words = [*words[:-2], number + _HALF_DAY.get(words[-1], "")]
    dotted = _DOTTED_TIME.fullmatch(words[-1])
    if dotted and (int(dotted[2]) == 0 or int(dotted[2]) > 12):
        words = [*words[:-1], f"{dotted[1]}:{dotted[2]}"]  # a time, even alone
    clock = _clock_word(words[-1], alone=len(words) == 1 and not marked, marked=on_the_clock)
    if clock is None:
        return words, None
    words = words[:-1]
    if words and words[-1] in _AT_WORDS:
        words = words[:-1]
    return words, clock


def _ahead(words: list[str]) -> dt.timedelta | None:
    """`+2h`, `in 30 min`, `za 2 godziny`, `2小時後` as a span from now; else None.
    Only with its `+` or `in` (or 後): a bare `14h` is two o'clock."""
    text = "".join(_AHEAD_WORDS.get(word, word) for word in words)
    match = _HAN_AHEAD.match(text)
    if match is None and words[0] in ("in", "za", "+"):
        match = _AHEAD.match("".join(_AHEAD_WORDS.get(word, word) for word in words[1:]))
    elif match is None and text.startswith("+"):
        match = _AHEAD.match(text)
    if not match:
        return None
    count, unit = int(match[1]), match[2]
    if unit[0] in "h小個个":
        return dt.timedelta(hours=count)
    return dt.timedelta(minutes=count)


def parse_when(text: str, now_utc: dt.datetime, zone: dt.tzinfo, order: str = "mdy") -> When:
    """The due date, and time if one was typed, of what a rep typed in a due field,
    relative to `now_utc` (naive UTC) in the rep's `zone`.

    A date alone is a whole-day action (as core.dates reads it); a date and a time, or a
    time alone (today), is a moment. Refused (DueDateError, worded for the rep) when the
    text is no date, the time is no time of day, the zone skips it, or it has passed."""
    words = text.strip().casefold().split()
    if not words:
        raise DueDateError(_("a date is needed, e.g. {forms}").format(forms=when_forms(order)))
    now_local = now_utc.replace(tzinfo=UTC).astimezone(zone)
    today = now_local.date()
    span = _ahead(words)
    if span is not None:
        moment = _whole_minute(now_utc + span)
        return When(moment.replace(tzinfo=UTC).astimezone(zone).date(), moment)
    date_words, clock = _split_time(words)
    day = date_of_words(date_words, today, order) if date_words else today
    if day is None:
        raise DueDateError(
            _("{text!r} is not a date I know; try {forms}").format(
                text=text.strip(), forms=when_forms(order)
            )
        )
    if clock is None:
        return When(day)
    return When(day, moment_on(day, clock.time(), zone, now_utc))


def _whole_minute(moment: dt.datetime) -> dt.datetime:
    """`+2h` at 10:17:42 is 12:18, at 10:17:12 is 12:17: a calendar entry starts on a
    minute, the nearest (`+15min` reads back as in 15 min)."""
    rounded = moment.replace(second=0, microsecond=0)
    return rounded + dt.timedelta(minutes=1) if moment - rounded >= HALF_MINUTE else rounded


HALF_MINUTE = dt.timedelta(seconds=30)


def moment_on(day: dt.date, clock: dt.time, zone: dt.tzinfo, now_utc: dt.datetime) -> dt.datetime:
    """The UTC moment (naive) of `clock` on `day` in `zone`; refused when the zone skips
    that time (the clocks go forward over it) or it has passed. Of a time the zone has
    twice (the clocks go back), the first."""
    wall = dt.datetime.combine(day, clock)
    moment = wall.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        after = _after_gap(wall, zone)
        raise DueDateError(
            _(
                "{time} does not exist on {day} in {zone}: the clocks go forward then; "
                "pick {after} or later"
            ).format(time=clock_text(clock), day=day_text(day), zone=zone_name(zone), after=after)
        )
    stored = moment.replace(tzinfo=None)
    if stored < now_utc.replace(second=0, microsecond=0):
        raise DueDateError(
            _("{time} on {day} has passed; pick a later time").format(
                time=clock_text(clock), day=day_text(day)
            )
        )
    return stored


def same_time_on(at: dt.datetime, day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The moment (naive UTC) of `at`'s wall-clock time on `day` in `zone`: a call at
    3 pm snoozed a day is at 3 pm the next day, across a change of the clocks too. A
    time the zone skips that day moves on by the length of the gap (02:30 → 03:30)."""
    wall = dt.datetime.combine(day, local_moment(at, zone).time())
    # A skipped time read with the offset before the gap lands that far past it.
    return wall.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _after_gap(wall: dt.datetime, zone: dt.tzinfo) -> str:
    """The first wall-clock time after a skipped one: 03:00 for 02:30 in Warsaw."""
    probe = wall
    for _minute in range(6 * 60):
        probe += dt.timedelta(minutes=1)
        there = probe.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        if there.replace(tzinfo=None) == probe:
            return clock_text(probe.time())
    return clock_text(wall.time())


def zone_name(zone: dt.tzinfo) -> str:
    """Europe/Warsaw, or what the zone calls itself."""
    return str(getattr(zone, "key", None) or zone)


# ------------------------------------------------------------------ writing a time


def clock_text(moment: dt.time | dt.datetime) -> str:
    """A time of day as the rep's locale writes it: 2:30 PM (US), 14:30, 下午2:30 (Taiwan)."""
    clock = moment.time() if isinstance(moment, dt.datetime) else moment
    locale = current_locale()
    if locale in ("en_US", "en") or (current_language() == "en" and locale.endswith("_US")):
        return f"{clock.hour % 12 or 12}:{clock.minute:02d} {'AM' if clock.hour < 12 else 'PM'}"
    if locale == "zh_Hant_TW":
        return f"{'上午' if clock.hour < 12 else '下午'}{clock.hour % 12 or 12}:{clock.minute:02d}"
    if locale in ("de_DE", "pl_PL", "zh_Hans_CN", "en_GB"):
        return f"{clock.hour:02d}:{clock.minute:02d}"
    from babel.dates import format_time

    return format_time(clock, "short", locale=locale)


def local_moment(at: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A stored moment (naive UTC) on the rep's wall clock (naive)."""
    return at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def moment_text(at: dt.datetime, zone: dt.tzinfo) -> str:
    """A stored moment in full on the rep's clock: `Fri 27 Nov 2026 2:30 PM`; a time
    the clocks pass twice that night says which (`1:30 AM EDT`, the first)."""
    there = at.replace(tzinfo=UTC).astimezone(zone)
    local = there.replace(tzinfo=None)
    text = f"{day_text(local.date())} {clock_text(local)}"
    first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        text += f" {there.tzname()}"
    return text


def describe_when(when: When, now_utc: dt.datetime, zone: dt.tzinfo) -> str:
    """How a due field reads back: `Fri 4 Dec 2026 · in 3 days` for a whole day,
    `Fri 4 Dec 2026 2:30 PM · in 3 hours` for a moment."""
    today = local_moment(now_utc, zone).date()
    if when.at is None:
        return describe_due(when.day, today)
    if abs(when.at - now_utc) < dt.timedelta(days=1):
        return f"{moment_text(when.at, zone)} · {until_text(when.at, now_utc)}"
    # A day or more away: counted in days on the calendar, as a whole day is (fri 3 and
    # fri 6 are both "in 4 days", where hours rounded once gave 5 and 6).
    return f"{moment_text(when.at, zone)} · {days_away(local_moment(when.at, zone).date(), today)}"


def until_text(at: dt.datetime, now_utc: dt.datetime) -> str:
    """`in 25 min`, `in 1 h 30 min`, `in 3 hours`, `in 2 days`, `now`, `20 min ago`."""
    minutes = round((at - now_utc).total_seconds() / 60)
    if minutes == 0:
        return pgettext("until", "now")
    ahead = minutes > 0
    size = abs(minutes)
    if size < 60:
        said = ngettext("{count} min", "{count} min", size).format(count=size)
    elif size < 3 * 60 and size % 60:  # +90min is not "in 2 hours"
        said = _("{hours} h {minutes} min").format(hours=size // 60, minutes=size % 60)
    elif size < 48 * 60:
        hours = round(size / 60)
        said = ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    else:
        days = round(size / (24 * 60))
        said = ngettext("{count} day", "{count} days", days).format(count=days)
    if ahead:
        return pgettext("until", "in {span}").format(span=said)
    return pgettext("until", "{span} ago").format(span=said)


SOON = dt.timedelta(hours=1)  # an action this close is marked as coming due


def due_text(due: dt.date, at: dt.datetime | None, now_utc: dt.datetime, zone: dt.tzinfo) -> str:
    """A next action's due in a column: `Fri 27 Nov` for a whole day; `2:30 PM` for a
    time today, `2:30 PM · in 25 min` within the hour (or since it passed); `Fri 27 Nov
    2:30 PM` on another day."""
    from funnel_tui.core.dates import short_due

    today = local_moment(now_utc, zone).date()
    if at is None:
        return short_due(due, today)
    local = local_moment(at, zone)
    if local.date() != today:
        return f"{short_due(local.date(), today)} {clock_text(local)}"
    if at - now_utc <= SOON:
        return f"{clock_text(local)} · {until_text(at, now_utc)}"
    return clock_text(local)


def is_soon(at: dt.datetime | None, now_utc: dt.datetime) -> bool:
    """Whether a timed action is due within the hour (or has just passed, today)."""
    return at is not None and at - now_utc <= SOON


def parse_span(text: str) -> dt.timedelta:
    """`15m`, `15min`, `2h`, `1d`, `90` (minutes): how far ahead `--due-within` looks."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*(m|min|mins|minutes?|h|hours?|d|days?)?\s*", text)
    if not match:
        raise DueDateError(
            _("{text!r} is not a span of time; try 15m, 2h or 1d").format(text=text.strip())
        )
    count, unit = int(match[1]), (match[2] or "m")[0]
    return dt.timedelta(minutes=count) * {"m": 1, "h": 60, "d": 24 * 60}[unit]


def split_when(
    text: str, now_utc: dt.datetime, zone: dt.tzinfo, order: str = "mdy"
) -> tuple[When, str]:
    """`tomorrow 9 call back` → (its moment, "call back"): the due leads the action, or
    closes it (`call back fri 14:30`), as `funnel log --next` and the log form's Next
    line take it. A time that is no time of day, or past, is refused, not left in the
    action's words."""
    words = text.split()
    for size in range(min(_LONGEST_WHEN, len(words)), 0, -1):
        for part, rest in ((words[:size], words[size:]), (words[-size:], words[:-size])):
            if part is words[-size:] and size == len(words):
                continue
            when = _when_of(part, now_utc, zone, order)
            if when is not None:
                return when, " ".join(rest)
    raise NoDueDate(
        _(
            "{text!r} has no due date; start it with one, e.g. '+3d call back', "
            "'fri 14:30 send quote', 'tomorrow demo'"
        ).format(text=text.strip())
    )


_LONGEST_WHEN = 5  # words: "next mon at 3 pm"


def _when_of(words: list[str], now_utc: dt.datetime, zone: dt.tzinfo, order: str) -> When | None:
    """The due `words` say, None when they are no date; refused when they are one with a
    time that cannot be."""
    folded = [word.casefold() for word in words]
    if _ahead(folded) is None:
        date_words, clock = _split_time(folded)
        today = local_moment(now_utc, zone).date()
        if date_words and date_of_words(date_words, today, order) is None:
            return None
        if not date_words and clock is None:
            return None
    return parse_when(" ".join(words), now_utc, zone, order)
