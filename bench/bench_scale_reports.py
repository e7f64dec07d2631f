"""Issue 25 figures for the two percentile reports, speed to lead and cycle time, at
10,000, 100,000 and 1,000,000 leads on SQLite and on PostgreSQL: each as `funnel report`
and the Reports screen run it (run_report, the database open: process start aside),
beside the hand-written SQL a person would write for the same figures, run in the same
run on the same connection.

Cases: speed by owner, by source and by month over all time (in Warsaw), speed by month
and cycle time over the last quarter in Kolkata (half an hour off UTC: each of its days
and months begins inside an hour), and cycle time over all time; the command line
itself, `funnel report speed` and `funnel report cycle` run in this process (the
database opened and the table printed, the interpreter's start aside), beside the same
hand-written SQL; and the app: the Reports screen's digit for each of the two to that
report painted, beside a key reaching a bare Input.

Goal: each ≤ 500 ms at every size. The floor is the plainest exact SQL: every lead's
first reply (or every move's duration) read and ranked, on SQLite sorted in Python (it
has no percentile function), on PostgreSQL by percentile_cont. Its figures are checked
against the report's, so a floor that computed something else would raise here rather
than flatter the ratio.

Demo databases come from demo_cache (built once, kept). FUNNEL_BENCH_SIZES picks the
sizes (default all three); FUNNEL_BENCH_ENGINES the engines (default sqlite,postgres).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common import cost, kept_demos, print_size_table

SIZES = tuple(
    int(n) for n in os.environ.get("FUNNEL_BENCH_SIZES", "10000,100000,1000000").split(",")
)
ENGINES = tuple(os.environ.get("FUNNEL_BENCH_ENGINES", "sqlite,postgres").split(","))
RUNS = 3  # timed runs of a report after one warm-up; the best counts
FLOOR_RUNS = 2  # the floors take seconds at a million leads
MAX_MS = 500
WARSAW, KOLKATA = ZoneInfo("Europe/Warsaw"), ZoneInfo("Asia/Kolkata")
USER = "bench"
SLACK = 0.5 / 3600  # the speed report's half second past 1 h and 24 h


def figures():
    results, table = [], {}
    with tempfile.TemporaryDirectory(prefix="funnel-bench-pct-") as folder:
        for engine, leads, target in kept_demos("pct", ENGINES, SIZES):
            results += _measure(target, engine, leads, table)
            results += asyncio.run(_in_the_app(target, folder, engine, leads, table))
    print_size_table(table, "ms, best of 3 (SQL floor; ratio)", _cell, width=22)
    return results


def _best(fn, runs: int = RUNS) -> tuple[float, Any]:
    result = fn()
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, result


def _cases(db) -> list[tuple[str, str, str | None, Any]]:
    """(label, report, split, period) for each case."""
    from funnel_tui.read.reports import Period

    (latest,) = db.execute_sql('SELECT MAX("created_at") FROM "lead"').fetchone()
    if isinstance(latest, str):
        latest = dt.datetime.fromisoformat(latest)
    last = latest.date()
    quarter = Period(last - dt.timedelta(days=91), last, KOLKATA)
    always = Period(None, None, WARSAW)
    return [
        ("speed by owner, all time", "speed", "owner", always),
        ("speed by source, all time", "speed", "source", always),
        ("speed by month, all time", "speed", "month", always),
        ("speed by month, a quarter (Kolkata)", "speed", "month", quarter),
        ("cycle, all time", "cycle", None, always),
        ("cycle, a quarter (Kolkata)", "cycle", None, quarter),
    ]


def _measure(target: str, engine: str, leads: int, table: dict) -> list:
    from funnel_tui.config import load_config
    from funnel_tui.core.dates import user_zone
    from funnel_tui.read.reports import Period, Request, run_report
    from funnel_tui.storage.database import close_database, open_database

    db = open_database(target)
    config = load_config()
    out = []
    try:
        sql = _Sql(db, engine == "postgres")
        for label, name, by, period in _cases(db):
            request = Request(period, by, config, period.end)
            ms, report = _best(lambda r=request, n=name: run_report(n, r))
            floor = _speed if name == "speed" else _cycle
            floor_ms, found = _best(lambda f=floor, b=by, p=period: f(sql, b, p), FLOOR_RUNS)
            _agree(label, _figures_of(report), found)
            row = table.setdefault(label, {})
            row[(engine, leads)] = (ms, floor_ms)
            out.append(
                cost(f"{label}, {leads:,} leads, {engine}", ms, floor_ms,
                     "hand-written SQL, same figures", "ms", max_value=MAX_MS)
            )  # fmt: skip
            print(
                f"  {engine} {leads:>9,} {label}: {ms:.0f} ms (SQL {floor_ms:.0f} ms, agrees)",
                file=sys.stderr,
                flush=True,
            )
    finally:
        close_database()
    # The command line: the report's default split over all time in the user's zone,
    # beside the same hand-written SQL.
    zone = user_zone(config.timezone)
    for name, by, floor in (("speed", "owner", _speed), ("cycle", None, _cycle)):
        label = f"funnel report {name} (CLI)"
        ms, _printed = _best(lambda n=name: _cli(target, n))
        db = open_database(target)
        try:
            sql = _Sql(db, engine == "postgres")
            always = Period(None, None, zone)
            floor_ms, _found = _best(lambda f=floor, s=sql, b=by, p=always: f(s, b, p), FLOOR_RUNS)
        finally:
            close_database()
        table.setdefault(label, {})[(engine, leads)] = (ms, floor_ms)
        out.append(cost(f"{label}, {leads:,} leads, {engine}", ms, floor_ms,
                        "hand-written SQL, same figures", "ms", max_value=MAX_MS))  # fmt: skip
        print(f"  {engine} {leads:>9,} {label}: {ms:.0f} ms", file=sys.stderr, flush=True)
    return out


async def _in_the_app(target: str, folder: str, engine: str, leads: int, table: dict) -> list:
    """In a running app: the Reports screen's digit for each report to that report
    painted (figures, chart and notes), beside a key reaching a bare Input."""
    from common import bench_app, human_pause, key_floor, median, send_key, until
    from funnel_tui.read.reports import REPORTS
    from funnel_tui.storage.database import close_database
    from funnel_tui.tui.screens.reports import ReportsScreen

    floor = median(await key_floor(paced=True))
    app = bench_app(target, folder, USER)
    rng = random.Random(25)
    digits = {name: str(list(REPORTS).index(name) + 1) for name in ("speed", "cycle")}
    out = []
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.startup_done()

            def showing(name: str) -> bool:
                screen = app.screen
                return (
                    isinstance(screen, ReportsScreen)
                    and screen.report is not None
                    and screen.report.name == name
                )

            await pilot.press("ctrl+g")
            await until(lambda: showing("conversion"), timeout=60)
            times: dict[str, list[float]] = {name: [] for name in digits}
            for _round in range(1 + RUNS):  # the first round warms the caches up
                for name, digit in digits.items():
                    await human_pause(rng)
                    start = time.perf_counter()
                    send_key(app, digit)
                    painted = await until(lambda n=name: showing(n), timeout=60, app=app)
                    if _round:
                        times[name].append((painted - start) * 1000)
            for name, measured in times.items():
                ms = min(measured)
                label = f"Reports screen: {name} (app)"
                table.setdefault(label, {})[(engine, leads)] = (ms, floor * 1000)
                out.append(cost(f"{label}, {leads:,} leads, {engine}", ms, floor * 1000,
                                "a key reaching a bare Input", "ms", max_value=MAX_MS))  # fmt: skip
                print(f"  {engine} {leads:>9,} {label}: {ms:.0f} ms", file=sys.stderr, flush=True)
    finally:
        close_database()
    return out


def _cli(target: str, name: str) -> None:
    """`funnel report NAME` in this process: the database opened, the report run and
    printed (as a person runs it, minus starting Python and importing funnel)."""
    from funnel_tui.cli import main

    with open(os.devnull, "w") as nowhere, contextlib.redirect_stdout(nowhere):
        code = main(["report", name, "--db", target, "--user", USER])
    if code:
        raise AssertionError(f"funnel report {name} exited {code}")


# ------------------------------------------------------------------ agreement


def _figures_of(report) -> dict:
    """Each row's key figures, by its group as the floor names it."""
    found = {}
    for row in report.all_rows():
        if report.name == "speed":
            key = None if row is report.total else row.key
            found[key] = {
                name: row.values[name]
                for name in ("leads", "reached", "median_hours", "p90_hours", "hour", "day")
            }
        else:
            found[row.key] = {
                name: row.values[name] for name in ("count", "median_days", "p90_days")
            }
    return found


def _agree(label: str, mine: dict, theirs: dict) -> None:
    if set(mine) != set(theirs):
        raise AssertionError(f"{label}: groups {sorted(map(str, mine))} ≠ SQL's "
                             f"{sorted(map(str, theirs))}")  # fmt: skip
    for key, values in mine.items():
        for name, value in values.items():
            other = theirs[key][name]
            same = (
                value is other
                if value is None or other is None
                else math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-6)
            )
            if not same:
                raise AssertionError(
                    f"{label}: {name} of {key!r} is {value} in the report, {other} by SQL"
                )


# ------------------------------------------------------------ the hand-written SQL


class _Sql:
    def __init__(self, db, postgres: bool) -> None:
        self.db, self.pg = db, postgres

    def rows(self, sql: str, params: list) -> list[tuple]:
        if self.pg:
            sql = sql.replace("?", "%s")
        else:
            params = [p.isoformat(" ") if isinstance(p, dt.datetime) else p for p in params]
        return self.db.execute_sql(sql, params).fetchall()

    def days(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"(EXTRACT(EPOCH FROM {later} - {earlier}) / 86400.0)"
        return f"(julianday({later}) - julianday({earlier}))"

    def within(self, column: str, period) -> tuple[str, list]:
        start, end = period.bounds()
        where, params = "1 = 1", []
        if start is not None:
            where += f" AND {column} >= ?"
            params.append(start)
        if end is not None:
            where += f" AND {column} < ?"
            params.append(end)
        return where, params

    def spreads(self, query: str, params: list, scale: float) -> dict[Any, tuple]:
        """(count, median, p90) of the values of (group, value) rows, per group and
        under None for all of them; values below zero count as zero."""
        if self.pg:
            value = "CASE WHEN t.v < 0 THEN 0 ELSE t.v END"
            pct = "percentile_cont({}) WITHIN GROUP (ORDER BY " + value + ")"
            figures = f"COUNT(t.v), {pct.format(0.5)}, {pct.format(0.9)}"
            out = {
                key: (n, _scaled(m, scale), _scaled(p, scale))
                for key, n, m, p in self.rows(
                    f"SELECT t.k, {figures} FROM ({query}) t GROUP BY t.k", params
                )
            }
            ((n, m, p),) = self.rows(f"SELECT {figures} FROM ({query}) t", params)
            out[None] = (n, _scaled(m, scale), _scaled(p, scale))
            return out
        found: dict[Any, list[float]] = {None: []}
        for key, value in self.rows(query, params):
            if value is not None:
                value = max(float(value), 0.0) * scale
                found.setdefault(key, []).append(value)
                found[None].append(value)
        return {key: _spread(values) for key, values in found.items()}


def _scaled(value: Any, scale: float) -> float | None:
    return None if value is None else float(value) * scale


def _spread(values: list[float]) -> tuple:
    values.sort()
    return (len(values), _pct(values, 0.5), _pct(values, 0.9))


def _pct(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    place = fraction * (len(values) - 1)
    low = int(place)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (place - low)


def _month_key(sql: _Sql, column: str, period) -> tuple[str, list]:
    """The user's month ("2026-03") a stored time falls in, as a CASE over the UTC
    instants the months begin at."""
    from funnel_tui.read.reports.groups import span
    from funnel_tui.storage.models import Lead

    first, last = span(period, Lead.created_at, Lead)
    if first is None:
        return "''", []
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    whens, params = [], []
    for month in months[1:]:
        whens.append(f"WHEN {column} < ? THEN '{(month - dt.timedelta(days=1)):%Y-%m}'")
        params.append(period.utc(month))
    return f"CASE {' '.join(whens)} ELSE '{months[-1]:%Y-%m}' END", params


def _speed(sql: _Sql, by: str, period) -> dict:
    """Each group's leads captured in the period (merged ones left out), how many were
    reached, the median and 90th percentile of the hours to the first reply (any
    activity but a note), and the share reached within 1 h and 24 h."""
    key, key_params = {
        "owner": ("l.owner_id", []),
        "source": ("l.source", []),
    }.get(by) or _month_key(sql, "l.created_at", period)
    cohort, params = sql.within("l.created_at", period)
    hours = f"{sql.days('f.first', 'l.created_at')} * 24"
    leads = (
        f"FROM lead l LEFT JOIN (SELECT lead_id, MIN(occurred_at) AS first FROM activity"
        f" WHERE kind <> 'note' GROUP BY lead_id) f ON f.lead_id = l.id"
        f" WHERE l.merged_into_id IS NULL AND {cohort}"
    )
    spreads = sql.spreads(f"SELECT {key} AS k, {hours} AS v {leads}", [*key_params, *params], 1)
    counted = sql.rows(
        f"SELECT {key}, COUNT(*), COUNT(f.first),"
        f" SUM(CASE WHEN {hours} <= {1 + SLACK!r} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {hours} <= {24 + SLACK!r} THEN 1 ELSE 0 END) {leads} GROUP BY 1",
        [*key_params, *params],
    )
    out: dict[Any, dict] = {}
    total = [0, 0, 0, 0]
    for group, n, reached, hour, day in counted:
        numbers = [n, reached, hour or 0, day or 0]
        total = [a + b for a, b in zip(total, numbers, strict=True)]
        out[str(group)] = _speed_row(numbers, spreads.get(group, (0, None, None)))
    out[None] = _speed_row(total, spreads[None])
    return out


def _speed_row(numbers: list[int], spread: tuple) -> dict:
    n, reached, hour, day = numbers
    return {
        "leads": n,
        "reached": reached,
        "median_hours": spread[1],
        "p90_hours": spread[2],
        "hour": hour / reached if reached else None,
        "day": day / reached if reached else None,
    }


def _cycle(sql: _Sql, _by: None, period) -> dict:
    """Each step's moves made in the period, with the median and 90th percentile of
    their days."""
    promoted, p_params = sql.within("l.promoted_at", period)
    opened, o_params = sql.within("o.created_at", period)
    moved, m_params = sql.within("m.at", period)
    won, w_params = sql.within("o.closed_at", period)
    steps = [
        (
            f"SELECT 'lead_prospect' AS k, {sql.days('l.promoted_at', 'l.created_at')} AS v"
            f" FROM lead l WHERE l.promoted_at IS NOT NULL AND {promoted}",
            p_params,
        ),
        (
            f"SELECT 'prospect_opportunity', {sql.days('o.created_at', 'l.promoted_at')}"
            " FROM (SELECT lead_id, MIN(id) AS id FROM opportunity GROUP BY lead_id) f"
            " JOIN opportunity o ON o.id = f.id JOIN lead l ON l.id = f.lead_id"
            f" WHERE l.promoted_at IS NOT NULL AND {opened}",
            o_params,
        ),
        (
            f"SELECT 'stage:' || m.from_stage, {sql.days('m.at', 'm.entered')}"
            " FROM (SELECT from_stage, at, LAG(at) OVER (PARTITION BY opportunity_id"
            " ORDER BY at, id) AS entered FROM stage_change) m"
            f" WHERE m.from_stage IS NOT NULL AND m.entered IS NOT NULL AND {moved}",
            m_params,
        ),
        (
            f"SELECT 'opportunity_won', {sql.days('o.closed_at', 'o.created_at')}"
            f" FROM opportunity o WHERE o.state = 'won' AND {won}",
            w_params,
        ),
        (
            f"SELECT 'lead_won', {sql.days('o.closed_at', 'l.created_at')}"
            f" FROM opportunity o JOIN lead l ON l.id = o.lead_id WHERE o.state = 'won' AND {won}",
            w_params,
        ),
    ]
    query = " UNION ALL ".join(step for step, _params in steps)
    params = [p for _step, step_params in steps for p in step_params]
    spreads = sql.spreads(query, params, 1)
    spreads.pop(None)
    # The report shows these steps even when nothing made them; stages only when moved.
    fixed = ("lead_prospect", "prospect_opportunity", "opportunity_won", "lead_won")
    found = {key: spread for key, spread in spreads.items() if spread[0]}
    found.update({key: spreads.get(key, (0, None, None)) for key in fixed})
    return {
        key: {"count": n, "median_days": median, "p90_days": p90}
        for key, (n, median, p90) in found.items()
    }


def _cell(value) -> str:
    ms, floor = value
    return f"{ms:,.0f}" if floor is None else f"{ms:,.0f} ({floor:,.0f}; {ms / floor:.2f})"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from common import report

    sys.exit(0 if report(figures()) else 1)
