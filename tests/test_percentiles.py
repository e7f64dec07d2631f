"""The percentile reports' reads (read.reports.percentiles): a period cut into pieces of
the waits' tally counts every moment once, and the medians picked from a bucket's waits
are the waits' own, across buckets, ties, waits of no time and hours a zone cuts."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from funnel_tui.read.reports import Period, Request, run_report
from funnel_tui.read.reports.percentiles import stretch
from funnel_tui.storage.wait_facts import DAY, MONTH

from .clock import NOW

KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = dt.UTC


def _covered(pieces, moment: dt.datetime) -> int:
    """How many times the pieces count a record stored at `moment`."""
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    keys = {DAY: day, MONTH: day.replace(day=1), "": moment}
    count = 0
    for piece in pieces:
        key = keys[piece.span]
        if (piece.low is None or key >= piece.low) and (piece.high is None or key < piece.high):
            count += piece.sign
    return count


def test_a_stretch_counts_every_moment_in_it_once_and_none_outside():
    rng = random.Random(25)
    base = dt.datetime(2025, 1, 1)

    def moment() -> dt.datetime:
        # Whole minutes (a zone's midnight is at a whole minute), often near midnights
        # and the first of a month, where the pieces meet.
        day = base + dt.timedelta(days=rng.randrange(900))
        if rng.random() < 0.3:
            day = day.replace(day=1)
        return day + dt.timedelta(minutes=rng.choice([0, 1, 30, 330, 719, 720, 721, 1439]))

    for _case in range(300):
        low, high = sorted([moment(), moment()])
        low = None if rng.random() < 0.1 else low
        high = None if rng.random() < 0.1 else high
        pieces = stretch(low, high)
        probes = [moment() for _ in range(40)]
        edges = [p for p in (low, high) if p is not None]
        probes += [p + d for p in edges for d in (dt.timedelta(0), -dt.timedelta(seconds=1))]
        for probe in probes:
            inside = (low is None or probe >= low) and (high is None or probe < high)
            assert _covered(pieces, probe) == int(inside), (low, high, probe)


def test_a_stretch_reads_at_most_half_a_month_of_days_and_half_a_day_of_records():
    low, high = dt.datetime(2025, 3, 17, 18, 30), dt.datetime(2026, 1, 14, 18, 30)
    pieces = stretch(low, high)
    assert [p.span for p in pieces].count(MONTH) == 1
    days = sum((p.high - p.low).days for p in pieces if p.span == DAY)
    records = sum((p.high - p.low for p in pieces if not p.span), dt.timedelta())
    assert days <= 2 * 16 and records <= dt.timedelta(hours=12)
    assert stretch(high, low) == []


def _lead(rules, clock, captured: dt.datetime, reached: dt.timedelta | None) -> int:
    clock.now = captured
    person = {"name": f"Lead {captured:%H%M%S}", "email": f"l{captured:%j%H%M%S}@example.com",
              "source": "Trade show"}  # fmt: skip
    lead = rules.capture_lead(person, allow_duplicate=True).id
    if reached is not None:
        when = captured + reached
        rules.log_activity(lead_id=lead, kind="call", outcome="connected", occurred_at=when)
    return lead


def _speed(rules, period: Period, by: str = "source"):
    report = run_report("speed", Request(period, by, None, NOW.date()))
    return report.total.values


@pytest.mark.parametrize(
    ("waits", "median", "p90"),
    [
        # Two waits in buckets far apart: the median halfway between them.
        ([10, 1000], 505, 10 + 0.9 * 990),
        # Five waits of no time (logged before the capture, or with it) and one of 1 h.
        ([-600, 0, 0, 0, 0, 3600], 0, 1800),
        # Ties in one bucket, and the 90th percentile between two of the same value.
        ([7200] * 9 + [7200.5], 7200, 7200.05),
        ([3600 * 24 * 400, 5, 3601, 3600], (3600 + 3601) / 2, 3600 * 24 * 400 * 0.7 + 3601 * 0.3),
    ],
)
def test_the_median_and_90th_percentile_are_the_waits_own(rules, clock, waits, median, p90):
    start = NOW.replace(hour=0)
    for n, wait in enumerate(waits):
        _lead(rules, clock, start + dt.timedelta(minutes=n), dt.timedelta(seconds=wait))
    _lead(rules, clock, start + dt.timedelta(hours=3), None)  # not reached: not a wait
    figures = _speed(rules, Period(None, None, UTC))
    assert (figures["leads"], figures["reached"]) == (len(waits) + 1, len(waits))
    assert figures["median_hours"] == pytest.approx(median / 3600, rel=1e-12, abs=1e-12)
    assert figures["p90_hours"] == pytest.approx(p90 / 3600, rel=1e-12, abs=1e-12)


def test_exactly_an_hour_is_within_the_hour(rules, clock):
    start = NOW.replace(hour=0)
    for n, wait in enumerate([3600, 3600.5, 3601, 86400, 86401]):
        _lead(rules, clock, start + dt.timedelta(minutes=n), dt.timedelta(seconds=wait))
    figures = _speed(rules, Period(None, None, UTC))
    assert (figures["hour"], figures["day"]) == (2 / 5, 4 / 5)


def test_a_day_in_kolkata_counts_the_leads_of_its_own_hours(rules, clock):
    """Kolkata's day begins at 18:30 UTC, inside an hour: leads captured a minute before
    and after it fall in different days."""
    midnight = dt.datetime(2026, 11, 22, 18, 30)  # 23 November begins in Kolkata
    minute, hour = dt.timedelta(minutes=1), dt.timedelta(hours=1)
    _lead(rules, clock, midnight - minute, 5 * minute)
    _lead(rules, clock, midnight + minute, 20 * minute)
    _lead(rules, clock, midnight + 24 * hour - 2 * minute, 40 * minute)
    _lead(rules, clock, midnight + 24 * hour + minute, 9 * hour)
    day = dt.date(2026, 11, 23)
    figures = _speed(rules, Period(day, day, KOLKATA))
    assert (figures["leads"], figures["median_hours"]) == (2, pytest.approx(0.5))


def test_a_month_in_kolkata_counts_the_leads_of_its_own_hours(rules, clock):
    midnight = dt.datetime(2026, 11, 30, 18, 30)  # 1 December begins in Kolkata
    minute = dt.timedelta(minutes=1)
    _lead(rules, clock, midnight - minute, 6 * minute)
    _lead(rules, clock, midnight + minute, 12 * minute)
    _lead(rules, clock, midnight + 2 * minute, 24 * minute)
    report = run_report("speed", Request(Period(None, None, KOLKATA), "month", None, NOW.date()))
    rows = [(r.key, r.values["leads"], r.values["median_hours"]) for r in report.rows]
    assert rows == [("2026-11", 1, 0.1), ("2026-12", 2, pytest.approx(0.3))]


def test_reads_made_together_give_each_read_its_own_waits(rules, clock):
    """A report's reads go in statements of READS_PER_STATEMENT (prefetch): more reads
    than one statement takes, each answered as when read alone, in order."""
    from funnel_tui.storage import wait_summaries as waits
    from funnel_tui.storage.models import database
    from funnel_tui.storage.wait_facts import SPEED

    start = NOW.replace(hour=0)
    for n, wait in enumerate([5, 5, 61, 3600, 3601, 7200, 90000, 90000, 400000]):
        _lead(rules, clock, start + dt.timedelta(minutes=n), dt.timedelta(seconds=wait))
    db = database.obj
    buckets = [row[0] for row in db.execute_sql(
        f'SELECT DISTINCT "bucket" FROM "wait_fact" WHERE "kind" = {SPEED} AND "wait" > 0'
    ).fetchall()]  # fmt: skip
    assert len(buckets) >= 4
    reads = [
        waits.WaitRead(SPEED, bucket, None, low, None, skip, count)
        for bucket in buckets
        for low in (None, start + dt.timedelta(minutes=3))
        for skip in range(3)
        for count in (1, 2, 40)
    ] * 3
    assert len(reads) > waits.READS_PER_STATEMENT
    facts = db.execute_sql(
        f'SELECT "bucket", "at", "wait" FROM "wait_fact" WHERE "kind" = {SPEED}'
    ).fetchall()

    def expected(read) -> list[float]:
        found = sorted(
            float(wait)
            for bucket, at, wait in facts
            if bucket == read.bucket and (read.low is None or _moment(at) >= read.low)
        )
        return found[read.skip : read.skip + read.count]

    together = waits.waits_from_many(db, reads)
    assert together == [expected(read) for read in reads]
    assert any(len(found) == 2 for found in together) and [] in together


def _moment(stored) -> dt.datetime:
    """A time as read back from either engine (text on SQLite)."""
    return stored if isinstance(stored, dt.datetime) else dt.datetime.fromisoformat(stored)
