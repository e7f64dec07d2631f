"""Medians and 90th percentiles of the waits the speed-to-lead and cycle-time reports
measure, exact, from storage.wait_summaries: the tally of waits by bucket of length and
UTC day or month tells which bucket holds the k-th wait of a group in a period, and how
many of the group's waits come before that bucket; the k-th is then read from that
bucket's waits in order, from an index.

A period (or a month of it) is cut into pieces the tally answers: the whole UTC months
inside it, the whole UTC days up to them, and for the hours a boundary falls inside of
(every day and month in a zone off UTC, as the user's days begin at their midnight) the
waits themselves, read from an index of their times. Each boundary is reached from the
nearer side, adding or taking away, so a period reads at most half a month of days and
half a day of waits at each end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from funnel_tui.core.dates import add_months
from funnel_tui.storage import wait_facts as facts
from funnel_tui.storage import wait_summaries as waits
from funnel_tui.storage.models import database
from funnel_tui.storage.wait_facts import DAY, MONTH
from funnel_tui.storage.wait_summaries import Piece

MEDIAN, P90 = 0.5, 0.9
_DAY = dt.timedelta(days=1)


def _day_floor(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_floor(moment: dt.datetime) -> dt.datetime:
    return _day_floor(moment).replace(day=1)


def _next_month(start: dt.datetime) -> dt.datetime:
    following = add_months(start.date(), 1)
    return dt.datetime(following.year, following.month, 1)


def _before(moment: dt.datetime) -> tuple[dt.datetime, list[Piece]]:
    """Everything before `moment` as the months before a month boundary and pieces
    that add to or take from them: (the boundary, the pieces)."""
    pieces = []
    day = _day_floor(moment)
    if day != moment and moment - day > (day + _DAY) - moment:
        day += _DAY  # the nearer boundary is the next midnight: take the rest away
        pieces.append(Piece("", moment, day, -1))
    elif day != moment:
        pieces.append(Piece("", day, moment, 1))
    month = _month_floor(day)
    if month != day:
        following = _next_month(month)
        if day - month > following - day:
            pieces.append(Piece(DAY, day, following, -1))
            month = following
        else:
            pieces.append(Piece(DAY, month, day, 1))
    return month, pieces


def stretch(low: dt.datetime | None, high: dt.datetime | None) -> list[Piece]:
    """The pieces that count what falls in [low, high) (None: open), UTC instants."""
    if low is not None and high is not None and high <= low:
        return []
    pieces: list[Piece] = []
    month_low = month_high = None
    if low is not None:
        month_low, before = _before(low)
        pieces += [Piece(p.span, p.low, p.high, -p.sign) for p in before]
    if high is not None:
        month_high, before = _before(high)
        pieces += before
    if month_low is not None and month_high is not None and month_high <= month_low:
        if month_high < month_low:
            pieces.append(Piece(MONTH, month_high, month_low, -1))
    else:
        pieces.append(Piece(MONTH, month_low, month_high, 1))
    return pieces


@dataclass
class Group:
    """The waits of one kind in one group and stretch of time: how many in each bucket,
    and where to read them."""

    kind: int
    low: dt.datetime | None
    high: dt.datetime | None
    group: tuple[int, str] | None  # (dim, value) the waits are picked by; None: all
    counts: dict[int, int] = field(default_factory=dict)
    # Waits read before they were asked for (prefetch), by read.
    read_ahead: dict[waits.WaitRead, list[float]] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        """How many waits there are (a lead not reached yet has none)."""
        return sum(n for bucket, n in self.counts.items() if bucket != facts.NOT_REACHED)

    @property
    def records(self) -> int:
        """How many records were measured, those with no wait yet too."""
        return sum(self.counts.values())

    def up_to(self, bound: float) -> int:
        """How many of the waits are `bound` (one of the tally's BOUNDS) or less."""
        last = facts.BOUNDS.index(bound)
        return sum(n for bucket, n in self.counts.items() if 0 <= bucket <= last)

    def add(self, counts: dict[int, int]) -> None:
        for bucket, n in counts.items():
            self.counts[bucket] = self.counts.get(bucket, 0) + n

    def percentile(self, fraction: float, scale: float) -> float | None:
        """The `fraction` percentile of the waits in units of `scale` seconds,
        interpolated between the two nearest (as PostgreSQL's percentile_cont, and
        reports.base.percentile over the values themselves); None of no waits."""
        total = self.count
        if not total:
            return None
        place = fraction * (total - 1)
        low = int(place)
        # The wait after it matters only when the place falls between the two.
        high = min(low + 1, total - 1) if place > low else low
        below, above = self._at(low, high)
        below, above = below / scale, above / scale
        return below + (above - below) * (place - low)

    def _at(self, low: int, high: int) -> tuple[float, float]:
        """The waits ranked `low` and `high` (0 the shortest; high is low or low + 1)."""
        index, read = self._read_for(low, high)
        bucket = read.bucket
        if bucket == facts.NO_TIME:  # every wait of that bucket is no time at all
            found = [0.0] * min(self.counts[bucket] - read.skip, read.count)
        else:
            found = self._read(read)
        if len(found) < read.count:  # the next wait is the first of the next bucket
            following = self._buckets()[index + 1]
            found += self._read(self._wait_read(following, 0, 1))
        return found[0], found[-1]

    def reads(self, fractions: Sequence[float]) -> list[waits.WaitRead]:
        """The reads that `percentile` of each of `fractions` will make (those that a
        bucket alone answers), for `prefetch` to make at once."""
        total = self.count
        wanted = []
        for fraction in fractions if total else ():
            place = fraction * (total - 1)
            low = int(place)
            high = min(low + 1, total - 1) if place > low else low
            _index, read = self._read_for(low, high)
            if read.bucket != facts.NO_TIME:
                wanted.append(read)
        return wanted

    def _buckets(self) -> list[int]:
        return sorted(bucket for bucket in self.counts if bucket != facts.NOT_REACHED)

    def _read_for(self, low: int, high: int) -> tuple[int, waits.WaitRead]:
        """Where the waits ranked `low` to `high` begin: (the bucket's place among the
        group's, the read of them from that bucket)."""
        buckets = self._buckets()
        index = before = 0
        while before + self.counts[buckets[index]] <= low:
            before += self.counts[buckets[index]]
            index += 1
        return index, self._wait_read(buckets[index], low - before, high - low + 1)

    def _wait_read(self, bucket: int, skip: int, count: int) -> waits.WaitRead:
        return waits.WaitRead(self.kind, bucket, self.group, self.low, self.high, skip, count)

    def _read(self, read: waits.WaitRead) -> list[float]:
        if read in self.read_ahead:
            return self.read_ahead[read]
        return waits.waits_from_many(database.obj, [read])[0]


def prefetch(found: Iterable[Group], fractions: Sequence[float] = (MEDIAN, P90)) -> None:
    """Make, in one statement, the reads that the percentiles `fractions` of every group
    in `found` will ask: one read a percentile was a round trip each, 100–150 ms of a
    report on PostgreSQL even at 10,000 leads."""
    asked = [(group, read) for group in found for read in group.reads(fractions)]
    answers = waits.waits_from_many(database.obj, [read for _group, read in asked])
    for (group, read), answer in zip(asked, answers, strict=True):
        group.read_ahead[read] = answer


def groups(
    kinds: Sequence[int],
    dim: int,
    stretches: Sequence[tuple[dt.datetime | None, dt.datetime | None]],
    picked_by_group: Sequence[int] = (),
) -> dict[tuple[int, int, str], Group]:
    """The waits of `kinds` in each of `stretches` (UTC instants), grouped by `dim`
    (wait_summaries.BY_LABEL or BY_OWNER): (stretch, kind, group) -> Group. The kinds in
    `picked_by_group` have a group each, whose waits are read apart; the others one
    group, "", of all their waits in the stretch (as a split by month's)."""
    counted = waits.bucket_counts(
        database.obj, kinds, dim, [stretch(low, high) for low, high in stretches]
    )
    found: dict[tuple[int, int, str], Group] = {}
    for (tag, kind, value), counts in counted.items():
        low, high = stretches[tag]
        apart = kind in picked_by_group
        key = (tag, kind, value if apart else "")
        group = found.setdefault(key, Group(kind, low, high, (dim, value) if apart else None))
        group.add(counts)
    return found


def whole(kind: int, low: dt.datetime | None, high: dt.datetime | None,
          parts: Sequence[Group]) -> Group:  # fmt: skip
    """All the waits of `parts`, one group's over [low, high)."""
    total = Group(kind, low, high, None)
    for part in parts:
        total.add(part.counts)
    return total
