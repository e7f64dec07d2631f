"""Every report of funnel_tui.read.reports, for each split it offers, against the same figures
worked out here in plain SQL on a demo database (a real SQLite file, and PostgreSQL).

The SQL below is written from the reports' definitions (their docstrings), not from
their queries: durations are whole seconds of the engine's own subtraction, local months
and weeks are joined to a table of their UTC bounds, percentiles are PostgreSQL's
percentile_cont (on SQLite, the same interpolation in Python over the values fetched).
A few demo rows are bent into the cases the reports must handle: leads with no source,
deals with no amount, no close date, a stage the config no longer has, no loss reason,
and leads first reached before their capture or exactly 1 h and 24 h after it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from funnel_tui.config import load_config
from funnel_tui.core.vocab import ACTIVITY_KINDS
from funnel_tui.demo.generator import generate_demo
from funnel_tui.read.reports import REPORTS, Period, Request, records, run_report
from funnel_tui.read.reports.base import COUNT, MONEY, TEXT
from funnel_tui.storage.database import close_database, open_database
from funnel_tui.storage.models import database as bound_database

from .conftest import PG_TEST_DB, _reset_pg

TODAY = dt.date(2025, 6, 2)
LEADS = 2000
UTC = dt.UTC
WARSAW = ZoneInfo("Europe/Warsaw")
# Half an hour off whole-hour UTC: each day, month and period boundary cuts an hour of
# the reports' tallies, which are then read from the records (reports.hours).
KOLKATA = ZoneInfo("Asia/Kolkata")

# Periods in the user's days. The demo runs from September 2024 to May 2025; Warsaw
# leaves summer time on 2024-10-27 and enters it on 2025-03-30.
PERIODS = {
    "all-utc": Period(None, None, UTC),
    "all-warsaw": Period(None, None, WARSAW),
    "dst-warsaw": Period(dt.date(2024, 10, 15), dt.date(2025, 4, 10), WARSAW),
    "since-warsaw": Period(dt.date(2025, 3, 1), None, WARSAW),
    "until-utc": Period(None, dt.date(2024, 12, 31), UTC),
    "part-kolkata": Period(dt.date(2024, 11, 3), dt.date(2025, 2, 20), KOLKATA),
    "all-kolkata": Period(None, None, KOLKATA),
}
# The forecast's period is of expected close dates (calendar days, no zone).
FORECAST_PERIODS = {
    "all": Period(None, None, WARSAW),
    "bounded": Period(dt.date(2025, 5, 10), dt.date(2025, 9, 30), WARSAW),
    "until": Period(None, dt.date(2025, 8, 15), WARSAW),
    "since": Period(dt.date(2025, 7, 1), None, WARSAW),
}
NO_SOURCE, NO_REASON = "(no source)", "(no reason given)"
# The column the rows of a split by source or owner are ordered by, largest first.
ORDER_BY = {
    "conversion": "captured",
    "sources": "leads",
    "winrate": "won",
    "speed": "leads",
    "forecast": "deals",
    "activity": "total",
}


# --------------------------------------------------------------------------- SQL


class Sql:
    """Plain SQL on the demo database, the same text on both engines ("?" parameters)."""

    def __init__(self, db: Any, pg: bool):
        self.db, self.pg = db, pg

    def rows(self, sql: str, params: Any = ()) -> list[tuple]:
        if self.pg:
            sql = sql.replace("?", "%s")
        values = [self._param(p) for p in params]
        return list(self.db.execute_sql(sql, values).fetchall())

    def _param(self, value: Any) -> Any:
        if self.pg:
            return value
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def seconds(self, later: str, earlier: str) -> str:
        """Seconds from `earlier` to `later`, both stored times."""
        if self.pg:
            return f"EXTRACT(EPOCH FROM ({later}) - ({earlier}))"
        return f"(strftime('%s', {later}) - strftime('%s', {earlier}))"

    def not_below_zero(self, value: str) -> str:
        """A wait below zero is none (a call noted, then the lead typed in); NULL stays."""
        return f"(CASE WHEN {value} < 0 THEN 0 ELSE {value} END)"

    def month_text(self, date: str) -> str:
        return f"to_char({date}, 'YYYY-MM')" if self.pg else f"strftime('%Y-%m', {date})"

    def spreads(self, cte: str, values: str, params: list) -> dict[str, tuple]:
        """(count, median, 90th percentile) per group of `values`, a query of (group,
        value) rows, and of all of them under the key None."""
        if self.pg:
            pct = "percentile_cont({}) WITHIN GROUP (ORDER BY t.v)"
            figures = f"COUNT(t.v), {pct.format(0.5)}, {pct.format(0.9)}"
            out = {
                str(k): (n, _float(m), _float(p))
                for k, n, m, p in self.rows(
                    f"{cte} SELECT t.k, {figures} FROM ({values}) t GROUP BY t.k", params
                )
            }
            ((n, m, p),) = self.rows(f"{cte} SELECT {figures} FROM ({values}) t", params)
            out[None] = (n, _float(m), _float(p))
            return out
        found: dict[Any, list[float]] = {None: []}
        for key, value in self.rows(f"{cte} SELECT t.k, t.v FROM ({values}) t", params):
            if value is not None:
                found.setdefault(str(key), []).append(float(value))
                found[None].append(float(value))
        return {
            key: (len(vs), percentile_cont(vs, 0.5), percentile_cont(vs, 0.9))
            for key, vs in found.items()
        }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear between the two values around the place."""
    if not values:
        return None
    ordered = sorted(values)
    place = fraction * (len(ordered) - 1)
    below, above = math.floor(place), math.ceil(place)
    return ordered[below] + (ordered[above] - ordered[below]) * (place - below)


def ratio(part: Any, whole: Any) -> float | None:
    return part / whole if whole else None


def utc_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """When the user's `day` begins, as a naive UTC time like those stored."""
    return (
        dt.datetime(day.year, day.month, day.day, tzinfo=zone)
        .astimezone(dt.UTC)
        .replace(tzinfo=None)
    )


def local_day(stored: Any, zone: dt.tzinfo) -> dt.date:
    if isinstance(stored, str):
        stored = dt.datetime.fromisoformat(stored)
    return stored.replace(tzinfo=dt.UTC).astimezone(zone).date()


def within(column: str, period: Period) -> tuple[str, list]:
    """`column` (a stored time) in the period: from its first day's start to the start
    of the day after its last."""
    parts, params = ["1 = 1"], []
    if period.start:
        parts.append(f"{column} >= ?")
        params.append(utc_start(period.start, period.zone))
    if period.end:
        parts.append(f"{column} < ?")
        params.append(utc_start(period.end + dt.timedelta(days=1), period.zone))
    return " AND ".join(parts), params


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(dt.date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    monday = first - dt.timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(monday)
        monday += dt.timedelta(days=7)
    return out


@dataclasses.dataclass
class Groups:
    """How rows are grouped in SQL: `key` an expression; a split by month or week joins
    `b`, a table (made in `cte`) of each bucket's label and UTC bounds."""

    key: str
    cte: str = ""
    join: str = ""
    params: tuple = ()
    keys: list[str] | None = None  # every bucket, in order

    def group_by(self, *more: str) -> str:
        """GROUP BY the key (the first column), then `more`."""
        columns = ([] if self.key == "''" else ["1"]) + list(more)
        return f"GROUP BY {', '.join(columns)}" if columns else ""


ALL = Groups("''")


def groups(
    sql: Sql, by: str | None, period: Period, *, time: str, table: str, source: str, owner: str
) -> Groups:
    if by is None:
        return ALL
    if by == "source":
        return Groups(source)
    if by == "owner":
        return Groups(owner)
    first, last = period.start, period.end
    if first is None or last is None:
        condition, params = within(time, period)
        ((low, high),) = sql.rows(
            f"SELECT MIN({time}), MAX({time}) FROM {table} WHERE {condition}", params
        )
        assert low is not None, "the demo has records in every period tested"
        first, last = first or local_day(low, period.zone), last or local_day(high, period.zone)
    if by == "month":
        buckets = [(f"{m:%Y-%m}", m, next_month(m)) for m in month_starts(first, last)]
    else:
        buckets = [(m.isoformat(), m, m + dt.timedelta(days=7)) for m in mondays(first, last)]
    values = ", ".join("(?, ?, ?)" for _ in buckets)
    params = tuple(
        value
        for label, start, end in buckets
        for value in (label, utc_start(start, period.zone), utc_start(end, period.zone))
    )
    return Groups(
        "b.label",
        f"WITH b(label, lo, hi) AS (VALUES {values})",
        f"JOIN b ON {time} >= b.lo AND {time} < b.hi",
        params,
        [label for label, _, _ in buckets],
    )


def lead_groups(sql: Sql, by: str | None, period: Period) -> Groups:
    return groups(
        sql, by, period, time="l.created_at", table="lead l", source="l.source", owner="l.owner_id"
    )


def ids_by_group(sql: Sql, g: Groups, select_from: str, params: list) -> dict[Any, set]:
    """{group: ids} of a query `SELECT key, id FROM ...` (given as its FROM ... part), and
    every id under None."""
    found: dict[Any, set] = {None: set()}
    for key, id_ in sql.rows(f"{g.cte} SELECT {g.key}, {select_from}", [*g.params, *params]):
        found.setdefault(str(key), set()).add(id_)
        found[None].add(id_)
    return found


@dataclasses.dataclass
class Expected:
    rows: dict[str, dict]  # row key -> column -> value
    total: dict | None
    keys: list[str] | None = None  # the rows in this order (months, weeks); else any order
    # column -> (entity, {row key or None for the total: the ids behind the figure});
    # entity "": {row key: (entity, ids)}
    drills: dict[str, tuple[str, dict[Any, Any]]] = dataclasses.field(default_factory=dict)
    weekly: dict[str, int] | None = None  # activities a week, for the trend lines


@dataclasses.dataclass
class Money:
    currency: str
    rates: dict[str, float]

    def amount(self) -> str:
        """A deal's amount in cents of `currency`; NULL in a currency left out."""
        cases = " ".join(
            f"WHEN '{cur}' THEN o.amount_cents * {rate!r}" for cur, rate in self.rates.items()
        )
        return f"(CASE o.currency {cases} ELSE NULL END)"


def owner_names(sql: Sql) -> dict[str, str]:
    return {
        str(id_): display or login
        for id_, login, display in sql.rows('SELECT id, login, display_name FROM "user"')
    }


def label_of(by: str | None, key: Any, names: dict[str, str]) -> str:
    if key is None:
        return "all"
    if by == "owner":
        return names[key]
    if by == "source":
        return key or NO_SOURCE
    return key


# ------------------------------------------------------------------ conversion

HAS_OPP = "EXISTS (SELECT 1 FROM opportunity x WHERE x.lead_id = l.id)"
HAS_WON = "EXISTS (SELECT 1 FROM opportunity x WHERE x.lead_id = l.id AND x.state = 'won')"
PROSPECT = f"(l.level <> 'lead' OR l.promoted_at IS NOT NULL OR {HAS_OPP})"
WON = f"(l.level = 'customer' OR {HAS_WON})"
STEPS = {
    "captured": "1 = 1",
    "worked": f"(l.engagement_key IS NOT NULL OR l.status = 'working' OR {PROSPECT})",
    "prospects": PROSPECT,
    "opportunities": f"(l.level IN ('opportunity', 'customer') OR {HAS_OPP})",
    "won": WON,
}


def expect_conversion(sql: Sql, period: Period, by: str | None, _money: Money) -> Expected:
    names, g = owner_names(sql), lead_groups(sql, by, period)
    cohort, params = within("l.created_at", period)
    sums = ", ".join(f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in STEPS.values())

    def counted(g: Groups) -> dict[Any, dict]:
        query = f"{g.cte} SELECT {g.key}, {sums} FROM lead l {g.join} WHERE {cohort} {g.group_by()}"
        out = {}
        for key, *numbers in sql.rows(query, [*g.params, *params]):
            key = None if g is ALL else str(key)
            out[key] = _conversion_values(label_of(by, key, names), [int(n or 0) for n in numbers])
        return out

    found = counted(g) if by else {}
    if g.keys:
        zeros = [0] * len(STEPS)
        found = {key: found.get(key, _conversion_values(key, zeros)) for key in g.keys}
    drills = {
        step: (
            "lead",
            ids_by_group(sql, g, f"l.id FROM lead l {g.join} WHERE {cohort} AND {c}", params),
        )
        for step, c in STEPS.items()
    }
    return Expected(found, counted(ALL)[None], g.keys, drills)


def _conversion_values(label: str, numbers: list[int]) -> dict:
    values: dict[str, Any] = {"group": label}
    previous = None
    for step, number in zip(STEPS, numbers, strict=True):
        values[step] = number
        if previous is not None:
            values[f"{step}_rate"] = ratio(number, previous)
        previous = number
    values["overall"] = ratio(values["won"], values["captured"])
    return values


# --------------------------------------------------------------------- sources


def expect_sources(sql: Sql, period: Period, by: str | None, money: Money) -> Expected:
    assert by == "source"
    g = lead_groups(sql, by, period)
    cohort, params = within("l.created_at", period)
    won_deals = f"opportunity o JOIN lead l ON l.id = o.lead_id WHERE {cohort} AND o.state = 'won'"

    def counted(key_sql: str, group_by: str) -> dict[Any, dict]:
        leads = sql.rows(
            f"SELECT {key_sql}, COUNT(*), SUM(CASE WHEN {PROSPECT} THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {WON} THEN 1 ELSE 0 END) FROM lead l WHERE {cohort} {group_by}",
            params,
        )
        deals = {
            key: (count, float(cents or 0))
            for key, count, cents in sql.rows(
                f"SELECT {key_sql}, COUNT(*), SUM({money.amount()}) FROM {won_deals} {group_by}",
                params,
            )
        }
        out = {}
        for key, n, prospects, won in leads:
            count, cents = deals.get(key, (0, 0.0))
            key = None if key_sql == "''" else key
            out[key] = {
                "group": label_of(by, key, {}),
                "leads": n,
                "prospects": prospects,
                "prospect_rate": ratio(prospects, n),
                "won_leads": won,
                "won_rate": ratio(won, n),
                "won_deals": count,
                "won_amount": cents,
                "amount_per_lead": ratio(cents, n),
            }
        return out

    lead_from = f"l.id FROM lead l WHERE {cohort}"
    deals = ("opportunity", ids_by_group(sql, g, f"o.id FROM {won_deals}", params))
    drills = {
        "leads": ("lead", ids_by_group(sql, g, lead_from, params)),
        "prospects": ("lead", ids_by_group(sql, g, f"{lead_from} AND {PROSPECT}", params)),
        "won_leads": ("lead", ids_by_group(sql, g, f"{lead_from} AND {WON}", params)),
        "won_deals": deals,
        "won_amount": deals,
    }
    return Expected(counted("l.source", "GROUP BY l.source"), counted("''", "")[None], None, drills)


# --------------------------------------------------------------------- winrate


def winrate_groups(sql: Sql, by: str | None, period: Period) -> Groups:
    return groups(
        sql,
        by,
        period,
        time="o.closed_at",
        table="opportunity o",
        source="l.source",
        owner="o.owner_id",
    )


def expect_winrate(sql: Sql, period: Period, by: str | None, money: Money) -> Expected:
    names, g = owner_names(sql), winrate_groups(sql, by, period)
    closed, params = within("o.closed_at", period)
    amount = money.amount()

    def deals(g: Groups) -> str:
        return (
            f"opportunity o JOIN lead l ON l.id = o.lead_id {g.join}"
            f" WHERE {closed} AND o.state IN ('won', 'lost')"
        )

    def counted(g: Groups) -> dict[Any, dict]:
        query = (
            f"{g.cte} SELECT {g.key},"
            " SUM(CASE WHEN o.state = 'won' THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN o.state = 'lost' THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN o.state = 'won' THEN {amount} END),"
            f" AVG(CASE WHEN o.state = 'won' AND o.amount_cents <> 0 THEN {amount} END)"
            f" FROM {deals(g)} {g.group_by()}"
        )
        values = (
            f"SELECT {g.key} AS k, {amount} AS v FROM {deals(g)}"
            f" AND o.state = 'won' AND o.amount_cents <> 0 AND {amount} IS NOT NULL"
        )
        medians = sql.spreads(g.cte, values, [*g.params, *params])
        out = {}
        for key, won, lost, cents, average in sql.rows(query, [*g.params, *params]):
            key = None if g is ALL else str(key)
            won, lost = int(won or 0), int(lost or 0)
            out[key] = {
                "group": label_of(by, key, names),
                "closed": won + lost,
                "won": won,
                "lost": lost,
                "win_rate": ratio(won, won + lost),
                "won_amount": float(cents or 0),
                "average": _float(average),
                "median": medians.get(key, (0, None, None))[1],
            }
        return out

    found = counted(g) if by else {}
    if g.keys:
        empty = {"closed": 0, "won": 0, "lost": 0, "win_rate": None, "won_amount": 0}
        empty |= {"average": None, "median": None}
        found = {key: found.get(key, {"group": key, **empty}) for key in g.keys}
    select = f"o.id FROM {deals(g)}"
    won = ("opportunity", ids_by_group(sql, g, f"{select} AND o.state = 'won'", params))
    drills = {
        "closed": ("opportunity", ids_by_group(sql, g, select, params)),
        "won": won,
        "lost": ("opportunity", ids_by_group(sql, g, f"{select} AND o.state = 'lost'", params)),
        "won_amount": won,
    }
    return Expected(found, counted(ALL)[None], g.keys, drills)


def expect_loss_reasons(sql: Sql, period: Period, money: Money) -> Expected:
    closed, params = within("o.closed_at", period)
    lost = f"FROM opportunity o WHERE {closed} AND o.state = 'lost'"
    found = sql.rows(
        f"SELECT o.lost_reason, COUNT(*), SUM({money.amount()}) {lost} GROUP BY o.lost_reason",
        params,
    )
    ((everything, all_cents),) = sql.rows(f"SELECT COUNT(*), SUM({money.amount()}) {lost}", params)
    rows = {
        reason: {
            "reason": reason or NO_REASON,
            "lost": count,
            "share": ratio(count, everything),
            "lost_amount": float(cents or 0),
        }
        for reason, count, cents in found
    }
    total = {
        "reason": "all",
        "lost": everything,
        "share": ratio(everything, everything),
        "lost_amount": float(all_cents or 0),
    }
    ids: dict[Any, set] = {None: set()}
    for reason, id_ in sql.rows(f"SELECT o.lost_reason, o.id {lost}", params):
        ids.setdefault(reason, set()).add(id_)
        ids[None].add(id_)
    return Expected(rows, total, None, {"lost": ("opportunity", ids)})


# ----------------------------------------------------------------------- cycle


def expect_cycle(sql: Sql, period: Period, by: str | None, _money: Money, config) -> Expected:
    assert by is None
    days = 86400.0

    def wait(later: str, earlier: str) -> str:
        return f"{sql.not_below_zero(sql.seconds(later, earlier))} / {days}"

    promoted, p_params = within("l.promoted_at", period)
    promoted += " AND l.promoted_at IS NOT NULL"
    opened, o_params = within("o.created_at", period)
    moved, m_params = within("s.at", period)
    won, w_params = within("o.closed_at", period)
    won += " AND o.state = 'won'"
    first_opp = (
        f"{opened} AND l.promoted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM opportunity f"
        " WHERE f.lead_id = o.lead_id AND (f.created_at < o.created_at"
        " OR (f.created_at = o.created_at AND f.id < o.id)))"
    )
    # Each move out of a stage in the period, with when the deal entered that stage: the
    # move before it (by time, then id), whenever that was.
    moves = (
        "SELECT s.opportunity_id AS opp, s.from_stage AS stage, s.at AS at,"
        " (SELECT p.at FROM stage_change p WHERE p.opportunity_id = s.opportunity_id"
        "  AND (p.at < s.at OR (p.at = s.at AND p.id < s.id))"
        "  ORDER BY p.at DESC, p.id DESC LIMIT 1) AS entered"
        f" FROM stage_change s WHERE s.from_stage IS NOT NULL AND {moved}"
    )
    steps = [
        (
            "lead_prospect",
            "lead → prospect",
            f"SELECT '' AS k, {wait('l.promoted_at', 'l.created_at')} AS v"
            f" FROM lead l WHERE {promoted}",
            p_params,
            ("lead", f"SELECT l.id FROM lead l WHERE {promoted}"),
        ),
        (
            "prospect_opportunity",
            "prospect → opportunity",
            f"SELECT '' AS k, {wait('o.created_at', 'l.promoted_at')} AS v"
            f" FROM opportunity o JOIN lead l ON l.id = o.lead_id WHERE {first_opp}",
            o_params,
            (
                "opportunity",
                f"SELECT o.id FROM opportunity o JOIN lead l ON l.id = o.lead_id WHERE {first_opp}",
            ),
        ),
    ]
    stays = sql.spreads(
        "",
        f"SELECT m.stage AS k, {wait('m.at', 'm.entered')} AS v FROM ({moves}) m"
        " WHERE m.entered IS NOT NULL",
        m_params,
    )
    stays.pop(None)
    order = [stage.name for stage in config.stages]
    order += sorted(set(stays) - set(order))
    for stage in order:
        if stage in stays:
            steps.append(
                (
                    f"stage:{stage}",
                    f"in {stage}",
                    None,
                    m_params,
                    (
                        "opportunity",
                        f"SELECT m.opp FROM ({moves}) m WHERE m.entered IS NOT NULL"
                        f" AND m.stage = '{stage}'",
                    ),
                )
            )
    won_deals = f"SELECT o.id FROM opportunity o WHERE {won}"
    steps += [
        (
            "opportunity_won",
            "opportunity → won",
            f"SELECT '' AS k, {wait('o.closed_at', 'o.created_at')} AS v"
            f" FROM opportunity o WHERE {won}",
            w_params,
            ("opportunity", won_deals),
        ),
        (
            "lead_won",
            "lead → won",
            f"SELECT '' AS k, {wait('o.closed_at', 'l.created_at')} AS v"
            f" FROM opportunity o JOIN lead l ON l.id = o.lead_id WHERE {won}",
            w_params,
            ("opportunity", won_deals),
        ),
    ]
    rows, ids = {}, {}
    for key, label, values, params, (entity, drill) in steps:
        count, median, p90 = (
            stays[key.removeprefix("stage:")]
            if values is None
            else sql.spreads("", values, params)[None]
        )
        rows[key] = {"step": label, "count": count, "median_days": median, "p90_days": p90}
        ids[key] = (entity, {row[0] for row in sql.rows(drill, params)})
    return Expected(rows, None, list(rows), {"count": ("", ids)})


# ----------------------------------------------------------------------- speed

# Each lead with its first reply: the earliest activity but a note, logged on the lead or
# on one of its deals. Two forms of one query, each fast on its engine (SQLite scans a
# joined aggregate for every lead; PostgreSQL runs a correlated one for every use).
REACHED_SQLITE = (
    "(SELECT l0.id, l0.created_at, l0.source, l0.owner_id, (SELECT MIN(t.at) FROM ("
    "SELECT a.occurred_at AS at FROM activity a WHERE a.lead_id = l0.id AND a.kind <> 'note'"
    " UNION ALL SELECT a.occurred_at FROM activity a JOIN opportunity d"
    " ON d.id = a.opportunity_id WHERE d.lead_id = l0.id AND a.kind <> 'note') t) AS first"
    " FROM lead l0) l"
)
REACHED_PG = (
    "(SELECT l0.id, l0.created_at, l0.source, l0.owner_id, t.first FROM lead l0 LEFT JOIN"
    " (SELECT COALESCE(d.lead_id, a.lead_id) AS lead_id, MIN(a.occurred_at) AS first"
    " FROM activity a LEFT JOIN opportunity d ON d.id = a.opportunity_id"
    " WHERE a.kind <> 'note' GROUP BY COALESCE(d.lead_id, a.lead_id)) t"
    " ON t.lead_id = l0.id) l"
)


def expect_speed(sql: Sql, period: Period, by: str | None, _money: Money) -> Expected:
    names, g = owner_names(sql), lead_groups(sql, by, period)
    cohort, params = within("l.created_at", period)
    wait = sql.seconds("l.first", "l.created_at")
    leads = REACHED_PG if sql.pg else REACHED_SQLITE

    def counted(g: Groups) -> dict[Any, dict]:
        query = (
            f"{g.cte} SELECT {g.key}, COUNT(*), COUNT(l.first),"
            f" SUM(CASE WHEN {wait} <= 3600 THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN {wait} <= 86400 THEN 1 ELSE 0 END)"
            f" FROM {leads} {g.join} WHERE {cohort} {g.group_by()}"
        )
        hours = (
            f"SELECT {g.key} AS k, {sql.not_below_zero(wait)} / 3600.0 AS v FROM {leads}"
            f" {g.join} WHERE {cohort} AND l.first IS NOT NULL"
        )
        spread = sql.spreads(g.cte, hours, [*g.params, *params])
        out = {}
        for key, n, reached, hour, day in sql.rows(query, [*g.params, *params]):
            key = None if g is ALL else str(key)
            _, median, p90 = spread.get(key, (0, None, None))
            out[key] = {
                "group": label_of(by, key, names),
                "leads": n,
                "reached": reached,
                "not_reached": n - reached,
                "median_hours": median,
                "p90_hours": p90,
                "hour": ratio(hour, reached),
                "day": ratio(day, reached),
            }
        return out

    found = counted(g)
    keys = [key for key in g.keys if key in found] if g.keys else None
    select = f"l.id FROM {leads} {g.join} WHERE {cohort}"
    drills = {
        "leads": ("lead", ids_by_group(sql, g, select, params)),
        "reached": ("lead", ids_by_group(sql, g, f"{select} AND l.first IS NOT NULL", params)),
        "not_reached": ("lead", ids_by_group(sql, g, f"{select} AND l.first IS NULL", params)),
        "hour": ("lead", ids_by_group(sql, g, f"{select} AND {wait} <= 3600", params)),
        "day": ("lead", ids_by_group(sql, g, f"{select} AND {wait} <= 86400", params)),
    }
    return Expected(found, counted(ALL)[None], keys, drills)


# -------------------------------------------------------------------- forecast


def expect_forecast(sql: Sql, period: Period, by: str | None, money: Money, config) -> Expected:
    names = owner_names(sql)
    where, params = "o.state = 'open'", []
    if period.start:
        where += " AND o.expected_close >= ?"
        params.append(period.start)
    if period.end:
        where += " AND o.expected_close <= ?"
        params.append(period.end)
    deals = f"opportunity o JOIN lead l ON l.id = o.lead_id WHERE {where}"
    closed = {config.won_stage, config.lost_stage}
    known = [(s.name, s.probability) for s in config.stages if s.name not in closed]
    used = {stage for (stage,) in sql.rows(f"SELECT DISTINCT o.stage FROM {deals}", params)}
    stages = known + [(name, 0) for name in sorted(used - {name for name, _ in known})]
    keys = None
    if by == "month":
        first = (period.start or TODAY).replace(day=1)
        last = period.end
        if last is None:
            ((latest,),) = sql.rows(f"SELECT MAX(o.expected_close) FROM {deals}", params)
            latest = dt.date.fromisoformat(latest) if isinstance(latest, str) else latest
            last = max(latest or first, first)
        # Before the first month (today's, without a period start): overdue.
        overdue = "" if period.start else "WHEN o.expected_close < ? THEN 'overdue'"
        g = Groups(
            "CASE WHEN o.expected_close IS NULL THEN 'no close date'"
            f" {overdue} ELSE {sql.month_text('o.expected_close')} END",
            params=() if period.start else (first,),
        )
        keys = [f"{m:%Y-%m}" for m in month_starts(first, last)]
    else:
        g = {None: ALL, "source": Groups("l.source"), "owner": Groups("o.owner_id")}[by]
    weights = " ".join(f"WHEN '{name}' THEN {p / 100!r}" for name, p in stages)
    amount = money.amount()
    sums = [
        "COUNT(*)",
        "SUM(CASE WHEN o.amount_cents = 0 THEN 1 ELSE 0 END)",
        f"SUM({amount})",
        f"SUM({amount} * (CASE o.stage {weights} ELSE 0 END))",
        *(f"SUM(CASE WHEN o.stage = '{name}' THEN {amount} END)" for name, _ in stages),
    ]

    def counted(g: Groups) -> dict[Any, dict]:
        query = f"SELECT {g.key}, {', '.join(sums)} FROM {deals} {g.group_by()}"
        out = {}
        for key, n, no_amount, cents, weighted, *per_stage in sql.rows(query, [*g.params, *params]):
            key = None if g is ALL else str(key)
            values = {
                "group": label_of(by, key, names),
                "deals": n,
                "no_amount": int(no_amount or 0),
                "amount": float(cents or 0),
                "weighted": float(weighted or 0),
            }
            for (name, _), stage_cents in zip(stages, per_stage, strict=True):
                values[f"stage:{name}"] = float(stage_cents or 0)
            out[key] = values
        return out

    found = counted(g)
    if keys is not None:
        zeros = {"deals": 0, "no_amount": 0, "amount": 0, "weighted": 0}
        zeros |= {f"stage:{name}": 0 for name, _ in stages}
        keys = (["overdue"] if "overdue" in found else []) + keys
        keys += ["no close date"] if "no close date" in found else []
        found = {key: found.get(key, {"group": key, **zeros}) for key in keys}
    select = f"o.id FROM {deals}"
    every = ("opportunity", ids_by_group(sql, g, select, params))
    drills = {
        "deals": every,
        "amount": every,
        "weighted": every,
        "no_amount": (
            "opportunity",
            ids_by_group(sql, g, f"{select} AND o.amount_cents = 0", params),
        ),
    }
    for name, _ in stages:
        drills[f"stage:{name}"] = (
            "opportunity",
            ids_by_group(sql, g, f"{select} AND o.stage = '{name}'", params),
        )
    return Expected(found, counted(ALL)[None], keys, drills)


# -------------------------------------------------------------------- activity


def expect_activity(sql: Sql, period: Period, by: str | None, _money: Money) -> Expected:
    names = owner_names(sql)
    time = "a.occurred_at"
    g = groups(sql, by, period, time=time, table="activity a", source="", owner="a.user_id")
    weeks = groups(sql, "week", period, time=time, table="activity a", source="", owner="")
    logged, params = within(time, period)
    kinds = ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS)
    logged += f" AND a.kind IN ({kinds})"

    def counted(g: Groups, split: str | None) -> dict[Any, dict]:
        query = (
            f"{g.cte} SELECT {g.key}, a.kind, COUNT(*) FROM activity a {g.join}"
            f" WHERE {logged} {g.group_by('2')}"
        )
        out: dict[Any, dict] = {}
        for key, kind, n in sql.rows(query, [*g.params, *params]):
            key = None if g is ALL else str(key)
            values = out.setdefault(
                key, {"group": label_of(split, key, names), **dict.fromkeys(ACTIVITY_KINDS, 0)}
            )
            values[kind] = n
        for values in out.values():
            values["total"] = sum(values[kind] for kind in ACTIVITY_KINDS)
            # An average, shown rounded (to what precision is the report's choice).
            values["per_week"] = pytest.approx(values["total"] / len(weeks.keys), abs=0.5)
        return out

    found = counted(g, by)
    if g.keys:
        zeros = {"total": 0, **dict.fromkeys(ACTIVITY_KINDS, 0)}
        found = {key: found.get(key, {"group": key, **zeros}) for key in g.keys}
    listed = (
        "CASE WHEN a.opportunity_id IS NULL THEN 'lead' ELSE 'opportunity' END,"
        f" COALESCE(a.opportunity_id, a.lead_id), a.occurred_at, a.kind FROM activity a {g.join}"
        f" WHERE {logged}"
    )
    # What each figure opens: its activities, each as the record it was logged on.
    drills: dict[str, tuple[str, dict[Any, Any]]] = {
        column: ("activity", {}) for column in ("total", *ACTIVITY_KINDS)
    }
    query = f"{g.cte} SELECT {g.key}, {listed}"
    for key, entity, id_, when, kind in sql.rows(query, [*g.params, *params]):
        record = (entity, id_, _moment(when))
        for place in (None,) if g is ALL else (str(key), None):
            for column in ("total", kind):
                drills[column][1].setdefault(place, Counter())[record] += 1
    per_week = counted(weeks, "week")
    weekly = {key: per_week[key]["total"] if key in per_week else 0 for key in weeks.keys}
    return Expected(found, counted(ALL, None)[None], g.keys, drills, weekly)


def _moment(value: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


# --------------------------------------------------------------------- fixture


def _bend_demo(sql: Sql) -> None:
    """Cases the demo leaves out, made from a few of its rows."""

    def ids(query: str) -> list[int]:
        return [id_ for (id_,) in sql.rows(query + " ORDER BY id")]

    def update(assignment: str, chosen: list[int], *params: Any) -> None:
        marks = ", ".join("?" for _ in chosen)
        sql.rows(f"UPDATE {assignment} WHERE id IN ({marks}) RETURNING id", [*params, *chosen])

    update("lead SET source = ''", ids("SELECT id FROM lead")[5::97])
    open_deals = ids("SELECT id FROM opportunity WHERE state = 'open'")
    update("opportunity SET amount_cents = 0", open_deals[::7])
    update("opportunity SET expected_close = NULL", open_deals[3::11])
    update("opportunity SET stage = 'Legacy'", open_deals[4::40])
    update(
        "opportunity SET amount_cents = 0",
        ids("SELECT id FROM opportunity WHERE state = 'won'")[::9],
    )
    update(
        "opportunity SET lost_reason = ''",
        ids("SELECT id FROM opportunity WHERE state = 'lost'")[::5],
    )
    # Leads whose first reply is well after capture: move that reply to 20 minutes
    # before the capture (a call noted, then the lead typed in), or to exactly 1 h or
    # 24 h after it.
    first: dict[int, tuple] = {}
    for lead, created, activity, when in sql.rows(
        "SELECT l.id, l.created_at, a.id, a.occurred_at FROM lead l JOIN activity a"
        " ON a.lead_id = l.id WHERE a.kind <> 'note' ORDER BY l.id, a.occurred_at, a.id"
    ):
        first.setdefault(lead, (_moment(created), activity, _moment(when)))
    late = [
        (created, activity)
        for created, activity, when in first.values()
        if when - created > dt.timedelta(days=2)
    ]
    shifts = [dt.timedelta(minutes=-20)] * 3 + [dt.timedelta(hours=1), dt.timedelta(hours=24)] * 2
    for (created, activity), shift in zip(late[::37], shifts, strict=False):
        update("activity SET occurred_at = ?", [activity], _moment(created) + shift)


@dataclasses.dataclass
class Demo:
    sql: Sql
    config: Any


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports_sql")
    if request.param == "sqlite":
        target = str(folder / "demo.db")
    else:
        server = request.getfixturevalue("pg_server")
        _reset_pg(server)
        target = server.url(PG_TEST_DB)
    (folder / "funnel.toml").write_text("")
    config = load_config(folder / "funnel.toml")
    db = open_database(target)
    generate_demo(db, config, leads=LEADS, seed=7, today=TODAY)
    sql = Sql(db, request.param == "postgres")
    _bend_demo(sql)
    yield Demo(sql, config)
    close_database()


@pytest.fixture
def sql(demo) -> Sql:
    bound_database.initialize(demo.sql.db)
    return demo.sql


# ----------------------------------------------------------------------- checks

EXPECT = {
    "conversion": expect_conversion,
    "sources": expect_sources,
    "winrate": expect_winrate,
    "cycle": expect_cycle,
    "speed": expect_speed,
    "forecast": expect_forecast,
    "activity": expect_activity,
}
WITH_CONFIG = {"cycle", "forecast"}


def expect(name: str, sql: Sql, period: Period, by: str | None, money: Money, config) -> Expected:
    if name in WITH_CONFIG:
        return EXPECT[name](sql, period, by, money, config)
    return EXPECT[name](sql, period, by, money)


def same_values(report, values: dict, expected: dict, tolerance: float) -> None:
    for column in report.columns:
        want, got = expected[column.key], values[column.key]
        where = f"{report.name} {column.key} of {values.get('group') or values.get('step')}"
        if column.kind in (TEXT, COUNT):
            assert got == want, where
        elif want is None:
            assert got is None, where
        elif column.kind == MONEY:
            assert got == pytest.approx(want, rel=1e-9, abs=tolerance), where
        else:
            assert got == pytest.approx(want, rel=1e-6, abs=1e-6), where


def check(report, expected: Expected, order_by: str | None) -> None:
    got = {row.key: row for row in report.rows}
    assert len(got) == len(report.rows)
    assert set(got) == set(expected.rows)
    if expected.keys is not None:
        assert [row.key for row in report.rows] == expected.keys
    elif order_by:
        firsts = [row.values[order_by] or 0 for row in report.rows]
        assert firsts == sorted(firsts, reverse=True)
    for key, values in expected.rows.items():
        same_values(report, got[key].values, values, 0.51)
    if expected.total is None:
        assert report.total is None
    else:
        assert report.total.key == ""
        same_values(report, report.total.values, expected.total, 0.5 * len(report.rows) + 0.51)
    sample = report.rows[:2] + report.rows[-1:] + ([report.total] if report.total else [])
    for row in sample:
        key = None if row is report.total else row.key
        for column, (entity, by_key) in expected.drills.items():
            drill = row.drills[column]
            want = by_key.get(key, Counter() if entity == "activity" else set())
            if not entity:  # one entity per row
                entity, want = want
            assert drill.entity == entity
            found = records(drill, limit=10**6)
            if entity == "activity":
                assert Counter((r.entity, r.id, _moment(r.when)) for r in found) == want
            else:
                ids = [r.id for r in found]
                assert len(ids) == len(set(ids)) and set(ids) == want, (row.key, column)


def make_request(demo: Demo, period: Period, by: str | None, currency: str = "", config=None):
    return Request(period, by, config or demo.config, TODAY, currency)


CASES = [
    pytest.param(name, split or None, period, id=f"{name}-{split or 'none'}-{period}")
    for name, kind in REPORTS.items()
    for split in kind.splits
    for period in (FORECAST_PERIODS if name == "forecast" else PERIODS)
]
DEFAULT_MONEY = Money("EUR", {"EUR": 1.0})


@pytest.mark.parametrize(("name", "by", "period_name"), CASES)
def test_report_matches_sql(demo, sql, name, by, period_name):
    period = (FORECAST_PERIODS if name == "forecast" else PERIODS)[period_name]
    report = run_report(name, make_request(demo, period, by))
    assert report.by == by
    expected = expect(name, sql, period, by, DEFAULT_MONEY, demo.config)
    check(report, expected, ORDER_BY.get(name) if by in ("source", "owner") else None)
    if name == "winrate":
        (reasons,) = report.parts
        check(reasons, expect_loss_reasons(sql, period, DEFAULT_MONEY), "lost")
    if name == "activity":  # the trend chart's lines add up to each week's activities
        assert report.x_labels == list(expected.weekly)
        lines = list(report.series.values())
        assert [sum(week) for week in zip(*lines, strict=True)] == list(expected.weekly.values())


# A config that converts into EUR, and the currencies a report's amounts may be in.
RATES = {"USD": 0.9, "PLN": 0.23, "GBP": 1.15}
MONEY_CASES = {
    # (report currency and rates in the config, the currency asked): what amounts are in
    "default": (False, "", Money("EUR", {"EUR": 1.0})),
    "asked": (False, "usd", Money("USD", {"USD": 1.0})),
    "converted": (True, "", Money("EUR", {"EUR": 1.0, **RATES})),
    "converted-asked-same": (True, "EUR", Money("EUR", {"EUR": 1.0, **RATES})),
    "asked-other-than-rates": (True, "PLN", Money("PLN", {"PLN": 1.0})),
}


@pytest.mark.parametrize("case", MONEY_CASES)
@pytest.mark.parametrize("name", ["sources", "winrate", "forecast"])
def test_amounts_are_in_one_currency(demo, sql, name, case):
    converts, asked, money = MONEY_CASES[case]
    config = demo.config
    if converts:
        config = dataclasses.replace(config, report_currency="EUR", exchange_rates=RATES)
    period = PERIODS["all-warsaw"]
    by = REPORTS[name].splits[0] or None
    report = run_report(name, make_request(demo, period, by, asked, config))
    assert report.currency == money.currency
    expected = expect(name, sql, period, by, money, config)
    check(report, expected, ORDER_BY.get(name) if by in ("source", "owner") else None)
    if name == "winrate":
        check(report.parts[0], expect_loss_reasons(sql, period, money), "lost")


def test_the_zone_moves_records_across_months_and_weeks(demo, sql):
    """The Warsaw and UTC splits differ, so the cases above do test the zone."""
    for name, by in (("activity", "week"), ("activity", "month"), ("conversion", "month")):
        utc = run_report(name, make_request(demo, PERIODS["all-utc"], by))
        warsaw = run_report(name, make_request(demo, PERIODS["all-warsaw"], by))
        column = "total" if name == "activity" else "captured"
        assert [r.values[column] for r in utc.rows] != [r.values[column] for r in warsaw.rows]


def test_the_demo_has_the_cases_the_reports_must_handle(sql):
    """What _bend_demo made is there, so the cases above do test it."""
    wait = sql.seconds("l.first", "l.created_at")
    reached = REACHED_PG if sql.pg else REACHED_SQLITE
    ((before, hour, day),) = sql.rows(
        f"SELECT SUM(CASE WHEN {wait} < 0 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {wait} = 3600 THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {wait} = 86400 THEN 1 ELSE 0 END) FROM {reached}"
    )
    assert (before, hour, day) == (3, 2, 2)
    counts = [
        "SELECT COUNT(*) FROM lead WHERE source = ''",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'open' AND amount_cents = 0",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'won' AND amount_cents = 0",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'open' AND expected_close IS NULL",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'open' AND expected_close < '2025-06-01'",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'open' AND stage = 'Legacy'",
        "SELECT COUNT(*) FROM opportunity WHERE state = 'lost' AND lost_reason = ''",
    ]
    assert all(sql.rows(query)[0][0] for query in counts)
