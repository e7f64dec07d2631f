"""Numbers and dates as the rep's locale writes them (CLDR, through Babel): "1.234,5",
"4. Dez. 2026", "2026年12月4日 週五", "vor 3 Tagen".

The locale is the one i18n.current_locale() names (chosen with the language at start).
English keeps the forms funnel has always shown (ISO dates in columns, "1,234"), so its
screens do not change; Babel is imported on the first call for another locale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from funnel_tui.core.i18n import ENGLISH, current_language, current_locale


def number(value: int | float | Decimal, decimals: int | None = None) -> str:
    """`value` with the locale's grouping and decimal mark: 1,234.5 / 1.234,5 / 1 234,5."""
    if current_language() == ENGLISH:
        return f"{value:,}" if decimals is None else f"{value:,.{decimals}f}"
    from babel.numbers import format_decimal

    if decimals is None:
        return format_decimal(value, locale=current_locale())
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=current_locale())


def date_short(day: dt.date) -> str:
    """A date in a column, ten cells at most: 2026-12-04 / 04.12.2026 / 2026/12/04."""
    if current_language() == ENGLISH:
        return day.isoformat()
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
