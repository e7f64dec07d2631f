"""Dates as a rep types and reads them, in the rep's own time zone.

Stored times are naive UTC (storage.models). What "today" is, and how a time reads, follows
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

from funnel_tui.core.errors import DueDateError
from funnel_tui.core.i18n import _, current_language, current_locale, ngettext, pgettext

UTC = dt.UTC
DATE_ORDERS = ("mdy", "dmy", "ymd")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LONGEST_FORM = 3  # words: "next mon" is two, "in 3 days" three


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
#
# One reading of a typed date for every date field of the screens and every date option
# of the commands: a due date, a nurture date, a close date, a report's --from/--to, a
# history's --since. A field looks ahead (a due date: `fri` is the next Friday) or back
# (`--since fri` is the last one); the forms are the same.

# How a day and month are written where the user is: the US writes 12/01 for 1 December,
# Germany, Poland and Mexico 1.12., Taiwan and mainland China 2026/12/01 (and 12/01).
_MONTH_FIRST = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"})
_YEAR_FIRST = frozenset({"CN", "TW", "JP", "KR", "KP", "HU", "MN", "LT", "IR", "BT"})
_DAY_MONTH_EXAMPLE = {"mdy": "12/01", "dmy": "1.12.", "ymd": "12/01"}


def order_for_region(region: str) -> str:
    """The date order of a region (ISO 3166 code): "mdy", "dmy" or "ymd"; "mdy" when
    no region is set, as before there was a region to go by."""
    region = region.strip().upper()
    if not region or region in _MONTH_FIRST:
        return "mdy"
    return "ymd" if region in _YEAR_FIRST else "dmy"


def order_for_language(language: str) -> str:
    """The date order of the language funnel speaks when no region says one: day-month
    in German and Polish, year-month-day in Chinese, month-day in English."""
    return {"de": "dmy", "pl": "dmy", "zh_TW": "ymd", "zh_CN": "ymd"}.get(language, "mdy")


def quick_forms(order: str = "mdy", back: bool = False) -> str:
    """The forms a date field takes, for its placeholder and its error messages, in the
    reader's words (each one read back by parse_date in that language: a test holds the
    translations to it)."""
    day_month = day_month_example(order)
    if back:
        forms = _("today, yesterday, 7d (ago), 2w, fri, {day_month}, 2026-11-01")
    else:
        forms = _("tomorrow, +3d, +2w, fri, next mon, {day_month}, 2026-12-01")
    return forms.format(day_month=day_month)


def parse_date(text: str, today: dt.date, order: str = "mdy", *, back: bool = False) -> dt.date:
    """A date from what a user types, relative to `today` (the user's date).

    today, tomorrow (tmr), yesterday; +3d, +2w, +1m (same day that month, or its last
    day) ahead, -3d or 3d ago back, and a bare 3d in the field's direction (`back` or
    ahead); in 3 days; mon … sun (the next one after today, the last one before it when
    `back`); next mon (that day of next week), last mon; 2026-12-01 or 2026/12/01; a day
    and month in `order` (12/01 is 1 December under "mdy", 12 January under "dmy";
    1.12. and 01.12.2026 alike), which without a year is the next such date from today
    on, or the last one up to today when `back`.
    """
    words = text.strip().casefold().split()
    if not words:
        raise DueDateError(
            _("a date is needed, e.g. {forms}").format(forms=quick_forms(order, back))
        )
    found = _parse_words(words, today, order, back)
    if found is None:
        raise DueDateError(
            _("{text!r} is not a date I know; try {forms}").format(
                text=text.strip(), forms=quick_forms(order, back)
            )
        )
    return found


def day_month_example(order: str) -> str:
    """A day and month written in `order`, for examples: 12/01 or 1.12."""
    return _DAY_MONTH_EXAMPLE.get(order, "12/01")


def date_of_words(words: list[str], today: dt.date, order: str) -> dt.date | None:
    """The date ahead that folded `words` name (`["next", "mon"]`), None when they name
    none: what core.times reads in front of a time."""
    return _parse_words(words, today, order, False)


def parse_due(text: str, today: dt.date, order: str = "mdy") -> dt.date:
    """A date ahead (a due, nurture or close date): parse_date looking ahead."""
    return parse_date(text, today, order)


def parse_since(text: str, today: dt.date, order: str = "mdy") -> dt.date:
    """A date looked back to (--since, --from): parse_date looking back."""
    return parse_date(text, today, order, back=True)


def split_due(text: str, today: dt.date, order: str = "mdy") -> tuple[dt.date, str]:
    """`+3d call back` → (the date, "call back"): the date leads, the action follows.
    The date may also close the text (`call back fri`)."""
    words = text.split()
    folded = [w.casefold() for w in words]
    for size in range(min(_LONGEST_FORM, len(words)), 0, -1):
        found = _parse_words(folded[:size], today, order, False)
        if found is not None:
            return found, " ".join(words[size:])
        found = _parse_words(folded[-size:], today, order, False)
        if found is not None and size < len(words):
            return found, " ".join(words[:-size])
    raise DueDateError(
        f"{text.strip()!r} has no due date; start it with one, e.g. "
        "'+3d call back', 'fri send quote', 'tomorrow demo'"
    )


_COUNT = re.compile(r"^([+-]?)(\d{1,4})(d|day|days|w|wk|week|weeks|m|mo|month|months)(ago)?$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\.?$")


# ------------------------------------------------------------------ other languages
#
# Quick dates in German, Polish and Chinese, read in every language (a German rep may
# type "fri" and a Polish one "morgen": no word of one means another date in another):
# each form is put into its English words, which _parse_words knows.

_WORDS = {
    # today, tomorrow, the day after, yesterday
    "heute": ["today"],
    "morgen": ["tomorrow"],
    "übermorgen": ["+2d"],
    "gestern": ["yesterday"],
    "dziś": ["today"],
    "dzisiaj": ["today"],
    "jutro": ["tomorrow"],
    "pojutrze": ["+2d"],
    "wczoraj": ["yesterday"],
    "今天": ["today"],
    "今日": ["today"],
    "明天": ["tomorrow"],
    "明日": ["tomorrow"],
    "後天": ["+2d"],
    "后天": ["+2d"],
    "昨天": ["yesterday"],
}
_WEEKDAY_WORDS = {
    # German (Mo Di Mi Do Fr Sa So) and Polish (pn wt śr czw pt sob nd), whole or short
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonnabend": 5,
    "sonntag": 6,
    "mo": 0,
    "di": 1,
    "mi": 2,
    "do": 3,
    "fr": 4,
    "sa": 5,
    "so": 6,
    "poniedziałek": 0,
    "wtorek": 1,
    "środa": 2,
    "środę": 2,
    "czwartek": 3,
    "piątek": 4,
    "sobota": 5,
    "sobotę": 5,
    "niedziela": 6,
    "niedzielę": 6,
    "pn": 0,
    "pon": 0,
    "wt": 1,
    "wto": 1,
    "śr": 2,
    "śro": 2,
    "czw": 3,
    "pt": 4,
    "pią": 4,
    "sob": 5,
    "nd": 6,
    "niedz": 6,
    "ndz": 6,
}
_NEXT = {
    "nächsten",
    "nächster",
    "nächste",
    "nächstes",
    "kommenden",
    "kommender",
    "przyszły",
    "przyszłą",
    "przyszłe",
    "następny",
    "następną",
    "najbliższy",
    "najbliższą",
}
_LAST = {
    "letzten",
    "letzter",
    "letzte",
    "vorigen",
    "voriger",
    "zeszły",
    "zeszłą",
    "ubiegły",
    "ubiegłą",
}
_UNITS = {
    "tag": "days",
    "tage": "days",
    "tagen": "days",
    "woche": "weeks",
    "wochen": "weeks",
    "monat": "months",
    "monate": "months",
    "monaten": "months",
    "dzień": "days",
    "dni": "days",
    "tydzień": "weeks",
    "tygodnie": "weeks",
    "tygodni": "weeks",
    "miesiąc": "months",
    "miesiące": "months",
    "miesięcy": "months",
}
_HAN_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_HAN_WEEK = ("週", "周", "星期", "禮拜", "礼拜")
_HAN_COUNT = re.compile(
    r"^(\d{1,4})\s*(天|日|週|周|星期|個月|个月|月)\s*(後|后|以後|以后|內|内|前|之前)$"
)


def _in_english(words: list[str]) -> list[str]:
    """A quick date typed in German, Polish or Chinese, in the English words that mean
    it ("nächsten Fr" → next fri, "za 3 dni" → in 3 days, "下週一" → next mon)."""
    if len(words) == 1 and words[0] in _WORDS:
        return _WORDS[words[0]]
    words = [w.rstrip(".") if w.rstrip(".") in _WEEKDAY_WORDS else w for w in words]
    joined = "".join(words)
    if not joined.isascii():
        chinese = _chinese(joined)
        if chinese:
            return chinese
    out: list[str] = []
    for index, word in enumerate(words):
        if word == "w" and index + 1 < len(words) and words[index + 1] in _NEXT | _LAST:
            continue  # "w przyszły piątek"
        if word in _NEXT:
            out.append("next")
        elif word in _LAST:
            out.append("last")
        elif word in _WEEKDAY_WORDS:
            out.append(WEEKDAYS[_WEEKDAY_WORDS[word]])
        elif word in _UNITS:
            out.append(_UNITS[word])
        elif word == "za" and index == 0:  # za 3 dni
            out.append("in")
        elif word == "temu":  # 3 dni temu
            out.append("ago")
        else:
            out.append(word)
    if out and out[0] == "vor" and len(out) == 3:  # vor 3 Tagen
        out = [out[1], out[2], "ago"]
    return out


def _chinese(text: str) -> list[str] | None:
    for prefix, step in (("下", "next"), ("上", "last"), ("", "")):
        for week in _HAN_WEEK:
            head = prefix + week
            if text.startswith(head) and text[len(head) :] in _HAN_DAYS:
                day = WEEKDAYS[_HAN_DAYS[text[len(head) :]]]
                return [step, day] if step else [day]
    match = _HAN_COUNT.match(text)
    if match:
        count, unit, way = match.groups()
        unit = {"天": "d", "日": "d", "週": "w", "周": "w", "星期": "w"}.get(unit, "m")
        return [f"{count}{unit}", "ago"] if way in ("前", "之前") else [f"+{count}{unit}"]
    return None


def _parse_words(words: list[str], today: dt.date, order: str, back: bool) -> dt.date | None:
    words = _in_english(words)
    if not words:
        return None
    text = " ".join(words)
    if text in ("today", "tod", "now"):
        return today
    if text in ("tomorrow", "tmr", "tmrw", "tom"):
        return today + dt.timedelta(days=1)
    if text in ("yesterday", "yday"):
        return today - dt.timedelta(days=1)
    if words[0] == "in" and len(words) > 1:  # in 3 days
        text = "+" + "".join(words[1:])
    match = _COUNT.match(text.replace(" ", ""))
    if match and not (match[1] and match[4]):  # "+3d ago" is neither
        ahead = match[1] == "+" or (not match[1] and not match[4] and not back)
        sign = 1 if ahead else -1
        count, unit = sign * int(match[2]), match[3][0]
        if unit == "d":
            return today + dt.timedelta(days=count)
        if unit == "w":
            return today + dt.timedelta(weeks=count)
        return add_months(today, count)
    if words[0] in ("next", "last") and len(words) == 2:
        day = 0 if words[1] == "week" else _weekday(words[1])
        if day is None:
            return None
        return _next_week(today, day, 1 if words[0] == "next" else -1)
    if len(words) == 1:
        day = _weekday(words[0])
        if day is not None:
            if back:
                return today - dt.timedelta(days=(today.weekday() - day - 1) % 7 + 1)
            return today + dt.timedelta(days=(day - today.weekday() - 1) % 7 + 1)
        return _numeric(words[0], today, order, ahead=not back)
    return None


def _weekday(word: str) -> int | None:
    """fri, friday, fr → 4; too short to tell ("t", "s") → None."""
    if len(word) < 2:
        return None
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(word)), None)


def weekday_numbers(names) -> tuple[int, ...]:
    """["mon", "tue", …] (or "Monday", "fr") as sorted weekday numbers, Monday 0; ()
    when any of them is not a weekday."""
    days = set()
    for name in names or ():
        day = _weekday(str(name).strip().casefold())
        if day is None:
            return ()
        days.add(day)
    return tuple(sorted(days))


def next_working_day(day: dt.date, working_days: tuple[int, ...]) -> dt.date:
    """`day` if it is a working day, else the first working day after it (a Saturday
    snooze lands on Monday when the week works Monday to Friday)."""
    if not working_days:
        return day
    while day.weekday() not in working_days:
        day += dt.timedelta(days=1)
    return day


def _next_week(today: dt.date, weekday: int, weeks: int = 1) -> dt.date:
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks)
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
    return f"{day_text(due)} · {days_away(due, today)}"


def days_away(due: dt.date, today: dt.date) -> str:
    """`today`, `tomorrow`, `in 4 days`, `2 days ago`: how far a day is from today."""
    days = (due - today).days
    when = {
        0: pgettext("due", "today"),
        1: pgettext("due", "tomorrow"),
        -1: pgettext("due", "yesterday"),
    }.get(days)
    if when is None and days > 0:
        when = ngettext("in {count} day", "in {count} days", days).format(count=days)
    elif when is None:
        when = ngettext("{count} day ago", "{count} days ago", -days).format(count=-days)
    return when


def day_text(day: dt.date) -> str:
    """`Fri 27 Nov 2026`: a date as every screen and command writes it out (`Fr.,
    27. Nov. 2026`, `2026年11月27日 週五` in other languages)."""
    if current_language() != "en":
        from funnel_tui.core.formats import date_weekday

        return date_weekday(day)
    return f"{day:%a} {day.day} {day:%b %Y}"


# Short dates for columns in each language (English keeps its `Fri 27 Nov`): a weekday
# and day.month as each country writes them, ten cells at most.
_SHORT_DUE = {
    "de": "EEEEEE d.M.",
    "pl": "EEEEEE d.MM",
    "zh_TW": "M/d EEEEEE",
    "zh_CN": "M/d EEEEEE",
}
_OTHER_YEAR = {"de": "dd.MM.yy", "pl": "dd.MM.yy", "zh_TW": "yy/MM/dd", "zh_CN": "yy/MM/dd"}
_DAY_MONTH = {"de": "d. MMM", "pl": "d MMM", "zh_TW": "M月d日", "zh_CN": "M月d日"}


def _babel_date(day: dt.date, patterns: dict[str, str]) -> str | None:
    """`day` in the current language's pattern from `patterns`; None in English."""
    pattern = patterns.get(current_language())
    if pattern is None:
        return None
    from babel.dates import format_date

    return format_date(day, pattern, locale=current_locale())


def short_due(due: dt.date, today: dt.date) -> str:
    """`Fri 27 Nov`, with the year only when it is not this year's (`Fr 27.11.` in
    German, `11/27 五` in Chinese)."""
    if due.year != today.year:
        return _babel_date(due, _OTHER_YEAR) or f"{due.day:>2} {due:%b %Y}"
    return _babel_date(due, _SHORT_DUE) or f"{due:%a} {due.day:>2} {due:%b}"


def short_time(moment: dt.datetime, zone: dt.tzinfo, today: dt.date) -> str:
    """A stored time in the user's zone: `14:05` today, `27 Nov 14:05` this year,
    `27 Nov 2025` before."""
    local = to_local(moment, zone)
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.year == today.year:
        day_month = _babel_date(local.date(), _DAY_MONTH)
        return f"{day_month} {local:%H:%M}" if day_month else f"{local.day:>2} {local:%b %H:%M}"
    return _babel_date(local.date(), _OTHER_YEAR) or f"{local.day:>2} {local:%b %Y}"


def ago(moment: dt.datetime | None, now_utc: dt.datetime) -> str:
    """`3d`, `5w`, `never`: how long since, for a column of five cells."""
    if moment is None:
        return pgettext("ago", "never")
    days = (now_utc - moment).days
    if days < 1:
        return pgettext("ago", "today")
    if days < 14:
        return pgettext("ago", "{n}d").format(n=days)
    if days < 120:
        return pgettext("ago", "{n}w").format(n=days // 7)
    return pgettext("ago", "{n}mo").format(n=days // 30)
