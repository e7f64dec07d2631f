"""The pinned clock the tests give the rules and the app, so that no test depends on the
day or the hour it runs."""

from __future__ import annotations

import datetime as dt

# Naive UTC, as the rules keep time: a Monday at 10:00, the same calendar day in every
# zone from UTC-10 to UTC+13 (tests that need "today" ask the rules, `rules.today()`).
NOW = dt.datetime(2026, 11, 23, 10, 0)


class Clock:
    """A clock that reads `now` until a test moves it: `Funnel(config, user, clock)`,
    `FunnelApp(..., clock=clock)`."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move the clock on by a timedelta's worth (`days=3`, `minutes=5`)."""
        self.now += dt.timedelta(**delta)
        return self.now
