"""The demo's clock: moments as seconds from a base midnight, drawn in business hours
and turned into stored text through lookup tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

SPAN_DAYS = 273  # about nine months of history before `today`
BUSINESS_DAY = 11 * 3600  # 08:00 to 19:00 local time


@cache
def times_of_day() -> list[str]:
    """Text " HH:MM:SS" of every second of a day; a timestamp is a day's text plus one.
    Joined from the 60 two-digit texts: formatting 259,200 numbers took 0.08 s a run."""
    two = [f"{n:02d}" for n in range(60)]
    return [f" {h}:{m}:{s}" for h in two[:24] for m in two for s in two]


def calendar(origin: dt.date) -> tuple[list[str], list[int]]:
    """Text of each day from `origin` on, and the business days of the demo's span (which
    starts two days after `origin`)."""
    days = [(origin + dt.timedelta(days=d)).isoformat() for d in range(SPAN_DAYS + 400)]
    business = [d for d in range(2, SPAN_DAYS + 2) if (origin + dt.timedelta(days=d)).weekday() < 5]
    return days, business


class Clock:
    """Times of the demo's span: moments are seconds from `origin`, two days before the
    span, so that business hours of the first day in time zones east of UTC still fall
    on a listed day."""

    def __init__(self, rnd: Callable[[], float], today: dt.date, zone_offset: int = 0):
        """`zone_offset`: seconds east of UTC of the rep who runs the demo, whose next
        actions at a time fall in their own business hours."""
        self.rnd = rnd
        self.zone_offset = zone_offset
        self.origin = today - dt.timedelta(days=SPAN_DAYS + 2)
        self.days, business = calendar(self.origin)
        self.tod = times_of_day()
        self.business_start = [d * 86400 + 8 * 3600 for d in business]  # 08:00 local
        self.business_seconds = len(business) * BUSINESS_DAY
        self.today_day = SPAN_DAYS + 2
        self.end = self.today_day * 86400 - 1  # the last second before `today`

    def ts(self, s: int) -> str:
        return self.days[s // 86400] + self.tod[s % 86400]

    def day(self, d: int) -> str:
        return self.days[d]

    def moment(self, x: float, tz: int) -> int:
        """The moment in local business hours at the span fraction `x`."""
        b = int(x * self.business_seconds)
        return min(self.end, self.business_start[b // BUSINESS_DAY] + b % BUSINESS_DAY - tz)

    def times(self, count: int, lo: float, hi: float, tz: int) -> list[int]:
        """`count` ascending moments in local business hours (`tz`: seconds east of UTC)
        between the span fractions `lo` and `hi`."""
        rnd, start, total = self.rnd, self.business_start, self.business_seconds
        first, span = lo * total, (hi - lo) * total
        business = [int(first + span * rnd()) for _ in range(count)]
        business.sort()
        out = [start[b // BUSINESS_DAY] + b % BUSINESS_DAY - tz for b in business]
        end = self.end
        if out and out[-1] > end:
            out = [s if s < end else end for s in out]
        return out
