"""Numbers and dates as the rep's locale writes them (CLDR, through Babel): "1.234,5",
"4. Dez. 2026", "2026年12月4日 週五", "vor 3 Tagen".

The locale is the one i18n.current_locale() names (chosen with the language at start).
English keeps the forms funnel has always shown (ISO dates in columns, "1,234"), so its
screens do not change; Babel is imported on the first call for another locale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from funnel_tui.core.i18n import DEFAULT_LOCALES, ENGLISH, current_language, current_locale

# The marks of the locales funnel defaults to, from CLDR (as Babel gives them), so that
# the first screen of a German or Chinese rep does not wait for Babel to load (about
# 35 ms): grouping and decimal marks, and a date in a column as ten fixed cells.
_MARKS = {
    "de_DE": (".", ","),
    "pl_PL": ("\u00a0", ","),
    "zh_Hant_TW": (",", "."),
    "zh_Hans_CN": (",", "."),
}
# The same locales as a shell names them (LANG=zh_TW.UTF-8 gives "zh_TW", as do the
# language names): the languages' own locales.
_SAME = {language: locale for language, locale in DEFAULT_LOCALES.items() if locale in _MARKS}
_COLUMN_DATES = {
    "de_DE": "{d:02d}.{m:02d}.{y}",
    "pl_PL": "{d:02d}.{m:02d}.{y}",
    "zh_Hant_TW": "{y}/{m:02d}/{d:02d}",
    "zh_Hans_CN": "{y}/{m:02d}/{d:02d}",
}


def number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """`value` with the locale's grouping and decimal mark: 1,234.5 / 1.234,5 / 1 234,5."""
    if current_language() == ENGLISH:
        return f"{value:,}" if decimals is None else f"{value:,.{decimals}f}"
    locale = current_locale()
    marks = _MARKS.get(_SAME.get(locale, locale))
    if marks is not None and (decimals is not None or isinstance(value, int)):
        english = f"{value:,}" if decimals is None else f"{value:,.{decimals}f}"
        group, decimal = marks
        return english.replace(",", "\0").replace(".", decimal).replace("\0", group)
    from babel.numbers import format_decimal

    if decimals is None:
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def date_short(day: dt.date) -> str:
    """A date in a column, ten cells at most: 2026-12-04 / 04.12.2026 / 2026/12/04."""
    if current_language() == ENGLISH:
        return day.isoformat()
    pattern = _COLUMN_DATES.get(_SAME.get(current_locale(), current_locale()))
    if pattern is not None:
        return pattern.format(d=day.day, m=day.month, y=day.year)
    from babel.dates import format_skeleton

    return format_skeleton("yMMdd", day, locale=current_locale())


def date_medium(day: dt.date) -> str:
    """A date in a sentence: Dec 4, 2026 / 4. Dez. 2026 / 4 gru 2026 / 2026年12月4日."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMd", day, locale=current_locale())


def date_weekday(day: dt.date) -> str:
    """A date with its weekday, as a due date is read back: Fri, Dec 4, 2026 /
    Fr., 4. Dez. 2026 / 2026年12月4日 週五."""
    from babel.dates import format_skeleton

    return format_skeleton("yMMMEd", day, locale=current_locale())


def day_month(day: dt.date) -> str:
    """A day of this year, short: 4 Dec / 4. Dez. / 4 gru / 12月4日."""
    if current_language() == ENGLISH:
        return f"{day.day} {day:%b}"
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=current_locale())


def month_year(day: dt.date) -> str:
    """A month: Dec 2026 / Dez. 2026 / gru 2026 / 2026年12月."""
    if current_language() == ENGLISH:
        return f"{day:%b %Y}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", day, locale=current_locale())


def date_long(day: dt.date) -> str:
    """A day in full, as a page's heading: Friday 4 December 2026 / Freitag,
    4. Dezember 2026 / 2026年12月4日 星期五."""
    if current_language() == ENGLISH:
        return f"{day:%A} {day.day} {day:%B %Y}"
    from babel.dates import format_date

    return format_date(day, "full", locale=current_locale())


def relative(moment: dt.datetime, now: dt.datetime) -> str:
    """How long ago (or until) `moment` is: 3 days ago / vor 3 Tagen / 3 天前."""
    from babel.dates import format_timedelta

    return format_timedelta(moment - now, add_direction=True, locale=current_locale())
